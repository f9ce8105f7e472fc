#!/usr/bin/env bash
# systemd_cluster.sh - the shipped unit's system-call filter lets a cluster
# member do its work (issue 16: "the systemd unit works for a cluster
# member").
#
# systemd is not PID 1 here, so the unit cannot be started; instead one
# member of a real three-node cluster runs under `strace -f -c` while it is
# elected, replicates writes, hands over leadership and stops, and every
# system call it made must be one that systemd/ledgerd.service's
# SystemCallFilter= allows (@system-service, minus @privileged and
# @resources, as `systemd-analyze syscall-filter` expands them on this
# machine).  A call the filter refuses would fail with EPERM under the
# unit (SystemCallErrorNumber=EPERM): the one known, sched_setscheduler
# (the scrub thread asks for SCHED_IDLE and, refused, scrubs at normal
# priority, as a single node does under the unit), is reported, not
# failed.  The unit's address families (AF_UNIX for the peer transport's
# socketpairs, AF_INET) and its one writable directory (the Raft state
# lives inside the ledger directory) are checked against the unit's text.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || skip "strace is not installed (Debian package strace)"
command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (Debian package systemd)"
UNIT=$LD_SOURCE_DIR/systemd/ledgerd.service

LD_CNS+=(node-1 node-2 node-3)
setup
declare -a CPORT RPORT
for i in 1 2 3; do
	pick_port || exit 1
	CPORT[$i]=$PORT
	pick_port || exit 1
	RPORT[$i]=$PORT
	mkdir -p "$T/n$i"
	chmod 0700 "$T/n$i"
done
PEERS="1@127.0.0.1:${RPORT[1]}@127.0.0.1:${CPORT[1]}, 2@127.0.0.1:${RPORT[2]}@127.0.0.1:${CPORT[2]}, 3@127.0.0.1:${RPORT[3]}@127.0.0.1:${CPORT[3]}"
for i in 1 2 3; do
	sed -e "s|^listen = 127.0.0.1:.*|listen = 127.0.0.1:${CPORT[$i]}|" \
		-e "s|^path = ledger|path = n$i/ledger|" "$CONF" >"$T/node-$i.conf"
	cat >>"$T/node-$i.conf" <<EOF

[cluster]
id = $i
raft_listen = 127.0.0.1:${RPORT[$i]}
peers = $PEERS
peer_ca = pki/ca.crt
peer_cert = pki/node-$i.crt
peer_key = pki/node-$i.key
EOF
done
SERVERS="127.0.0.1:${CPORT[1]},127.0.0.1:${CPORT[2]},127.0.0.1:${CPORT[3]}"
cctl() {
	local cn=$1
	shift
	LEDGER_SERVER=$SERVERS LEDGER_CA=$PKI/ca.crt \
		LEDGER_CERT=$PKI/$cn.crt LEDGER_KEY=$PKI/$cn.key "$LEDGERCTL" "$@"
}

strace -f -qq -c -o "$T/strace.txt" "$LEDGERD" -c "$T/node-1.conf" </dev/null \
	>>"$T/node-1.log" 2>&1 &
P1=$!
LD_BG_PIDS+=("$P1")
for i in 2 3; do
	"$LEDGERD" -c "$T/node-$i.conf" </dev/null >>"$T/node-$i.log" 2>&1 &
	LD_BG_PIDS+=("$!")
done

deadline=$((SECONDS + 60))
until cctl auditor01 cluster status --json >"$OUT" 2>"$ERR" </dev/null &&
	grep -q '"raft_role": *"leader"' "$OUT"; do
	[ "$SECONDS" -ge "$deadline" ] && break
	sleep 0.2
done
if grep -q '"raft_role": *"leader"' "$OUT"; then ok "a leader is elected"; else not_ok "no leader"; fi
run cctl admin01 region add hakodate --name 函館地域 --grant-type general
[ "$RC" -eq 0 ] && ok "a write is replicated" || not_ok "write: exit $RC"
for _ in 1 2 3 4 5; do
	run cctl admin01 cluster transfer 1
	[ "$RC" -eq 0 ] && break
	sleep 1
done
[ "$RC" -eq 0 ] && ok "leadership handed to node 1 (traced)" || not_ok "transfer: exit $RC"
sleep 1
run cctl admin01 region add kushiro --name 釧路地域 --grant-type general
[ "$RC" -eq 0 ] && ok "a write through node 1 as leader" || not_ok "write: exit $RC"
# SIGTERM to the traced ledgerd itself (strace passes no signal on); strace
# ends with it and writes its counts.
kill -TERM "$(pgrep -P "$P1" -x ledgerd || echo "$P1")" 2>/dev/null
for p in "${LD_BG_PIDS[@]:1}"; do kill -TERM "$p" 2>/dev/null; done
wait "$P1"
rc=$?
[ "$rc" -eq 0 ] && ok "the traced member exits 0 on SIGTERM" || not_ok "traced member exited $rc"

# The calls made, and what the unit's filter allows.
awk 'NR > 2 && $NF != "total" && $NF !~ /^-/ { print $NF }' "$T/strace.txt" | sort -u >"$T/used"
"$LD_PY" - "$T/used" >"$T/verdict" <<'EOF'
import subprocess, sys
cache = {}
def members(group):
    if group not in cache:
        out = subprocess.run(["systemd-analyze", "syscall-filter", group],
                             capture_output=True, text=True).stdout
        res = set()
        for line in out.splitlines()[1:]:
            t = line.strip()
            if not t or t.startswith("#"):
                continue
            res |= members(t) if t.startswith("@") else {t}
        cache[group] = res
    return cache[group]
allowed = members("@system-service") - members("@privileged") - members("@resources")
used = [l.strip() for l in open(sys.argv[1]) if l.strip()]
print("used", len(used))
print("refused", " ".join(u for u in used if u not in allowed))
EOF
used=$(sed -n 's/^used //p' "$T/verdict")
refused=$(sed -n 's/^refused //p' "$T/verdict")
echo "# a cluster member made $used distinct system calls; the unit's filter refuses: ${refused:-none}"
if [ "${used:-0}" -gt 30 ]; then ok "strace counted $used distinct calls"; else not_ok "strace counted ${used:-no} calls"; fi
unexpected=$(tr ' ' '\n' <<<"$refused" | grep -vx -e '' -e sched_setscheduler || true)
if [ -z "$unexpected" ]; then
	ok "every call a cluster member makes passes the unit's SystemCallFilter= (but the scrub's SCHED_IDLE request)"
else
	not_ok "calls the unit would refuse with EPERM: $unexpected"
fi
check "the unit allows AF_UNIX (the peer transport's socketpairs) and AF_INET" \
	grep -Eq '^RestrictAddressFamilies=.*AF_UNIX.*' "$UNIT"
check "the Raft state is inside the ledger directory, the unit's StateDirectory" \
	test -d "$T/n1/ledger/raft"
finish
