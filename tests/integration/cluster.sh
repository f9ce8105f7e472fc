#!/usr/bin/env bash
# cluster.sh - three real ledgerd processes on loopback as one Raft cluster
# (contract 2.6, 2.8; docs/REPLICATION.md), under a writer of unique ids,
# through kill -9 rounds of the leader and of a follower, each killed node
# restarted on its own files.
#
# Checks, as a user and an auditor would see them:
#   - one leader; a follower refuses a write NOT_LEADER naming the leader's
#     client address, and ledgerctl with a server list follows it;
#   - status and cluster status carry the cluster's fields;
#   - after every round: a new leader within the election (its time is
#     printed: "# round N: new leader after X ms"), and the killed node
#     back in the cluster;
#   - at the end: every acknowledged id is on every node exactly once, the
#     nodes have the same size and sign the same checkpoint, and
#     `ledgerd --verify` passes on each ledger;
#   - leadership transfer (cluster transfer) moves the leader.
#
# LD_CLUSTER_ROUNDS (default 3: leader, follower, leader) sets the rounds;
# the issue's 20 rounds: LD_CLUSTER_ROUNDS=20 ctest -R integ_cluster$ -V
# (every fourth round kills a follower, the others the leader).
. "$(dirname "$0")/lib.sh"

ROUNDS=${LD_CLUSTER_ROUNDS:-3}
LD_CNS+=(node-1 node-2 node-3 node-4)
setup
N=3
declare -a CPORT RPORT NPID
for i in 1 2 3 4; do
	pick_port || exit 1
	CPORT[$i]=$PORT
	pick_port || exit 1
	RPORT[$i]=$PORT
	mkdir -p "$T/n$i"
	chmod 0700 "$T/n$i"
done
PEERS="1@127.0.0.1:${RPORT[1]}@127.0.0.1:${CPORT[1]}, 2@127.0.0.1:${RPORT[2]}@127.0.0.1:${CPORT[2]}, 3@127.0.0.1:${RPORT[3]}@127.0.0.1:${CPORT[3]}"
SERVERS="127.0.0.1:${CPORT[1]},127.0.0.1:${CPORT[2]},127.0.0.1:${CPORT[3]}"

# Node 4 is added later (join = true): it starts empty and waits.
sed -e "s|^listen = 127.0.0.1:.*|listen = 127.0.0.1:${CPORT[4]}|" \
	-e "s|^path = ledger|path = n4/ledger|" "$CONF" >"$T/node-4.conf"
cat >>"$T/node-4.conf" <<EOF

[cluster]
id = 4
join = true
raft_listen = 127.0.0.1:${RPORT[4]}
peers = $PEERS
peer_ca = pki/ca.crt
peer_cert = pki/node-4.crt
peer_key = pki/node-4.key
EOF

# node_conf I: the shared test config with node I's listen, ledger and
# [cluster] (all nodes share the checkpoint key, so they sign alike).
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
commit_timeout_s = 5
EOF
done

# nctl I CN ARGS...: ledgerctl against node I alone.
nctl() {
	local i=$1 cn=$2
	shift 2
	LEDGER_SERVER=127.0.0.1:${CPORT[$i]} LEDGER_CA=$PKI/ca.crt \
		LEDGER_CERT=$PKI/$cn.crt LEDGER_KEY=$PKI/$cn.key "$LEDGERCTL" "$@"
}
# cctl CN ARGS...: ledgerctl with the whole server list.
cctl() {
	local cn=$1
	shift
	LEDGER_SERVER=$SERVERS LEDGER_CA=$PKI/ca.crt \
		LEDGER_CERT=$PKI/$cn.crt LEDGER_KEY=$PKI/$cn.key "$LEDGERCTL" "$@"
}

start_node() {
	local i=$1
	echo "# start node $i" >>"$LOG"
	"$LEDGERD" -c "$T/node-$i.conf" </dev/null >>"$T/node-$i.log" 2>&1 &
	NPID[$i]=$!
	LD_BG_PIDS+=("${NPID[$i]}")
}

kill_node() {
	local i=$1
	kill -9 "${NPID[$i]}" 2>/dev/null
	wait "${NPID[$i]}" 2>/dev/null
	NPID[$i]=
}

# field I NAME: NAME of node I's status --json ("" when it does not answer).
field() {
	nctl "$1" auditor01 --json status 2>/dev/null </dev/null |
		"$LD_PY" -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$2" 2>/dev/null
}

# leader_id [EXCEPT]: the id of the node that says it leads (not EXCEPT).
leader_id() {
	local i
	for i in 1 2 3; do
		[ "$i" = "${1:-0}" ] && continue
		[ -n "${NPID[$i]}" ] || continue
		if [ "$(field "$i" raft_role)" = leader ]; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

# wait_leader [EXCEPT]: until a node other than EXCEPT leads (30 s at most).
wait_leader() {
	local deadline=$((SECONDS + 30)) l
	while [ "$SECONDS" -lt "$deadline" ]; do
		if l=$(leader_id "${1:-0}"); then
			echo "$l"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

for i in 1 2 3; do start_node "$i"; done
if L=$(wait_leader); then
	ok "a leader is elected: node $L"
else
	not_ok "no leader within 30 s"
	for i in 1 2 3; do tail -5 "$T/node-$i.log"; done
	finish
fi
F=$(( L % 3 + 1 ))

# --- the cluster as a client sees it ----------------------------------------------------
run nctl "$L" auditor01 --json status
expect_json raft_role leader
expect_json node "$L"
expect_json leader "127.0.0.1:${CPORT[$L]}"
# A follower answers a write NOT_LEADER with the leader's client address
# (seen raw: ledgerctl follows it silently, as below).
cat >"$T/notleader.py" <<'EOF'
import os, socket, ssl, struct, sys
sys.path.insert(0, os.environ["LD_SOURCE_DIR"] + "/tests/integration")
import ldconn
host, port, pki = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_verify_locations(pki + "/ca.crt")
ctx.load_cert_chain(pki + "/admin01.crt", pki + "/admin01.key")
s = ctx.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
ldconn.request(s, 1, ldconn.MSG_HELLO, struct.pack(">HH", 2, 4))
def sstr(b):
    return struct.pack(">H", len(b)) + b
write = bytes([1]) + sstr(b"raw-1") + sstr(b"kushiro") + sstr(b"x") + bytes([1]) + sstr(b"")
try:
    ldconn.request(s, 2, 0x10, write)
    print("written")
except ValueError as e:
    print(e)
EOF
run "$LD_PY" "$T/notleader.py" 127.0.0.1 "${CPORT[$F]}" "$PKI"
if grep -q "ERROR 31: .*127.0.0.1:${CPORT[$L]}" "$OUT"; then
	ok "a follower refuses a write NOT_LEADER naming the leader's address"
else
	not_ok "NOT_LEADER from follower $F: $(cat "$OUT" "$ERR")"
fi
run nctl "$F" admin01 region add hakodate --name 函館地域 --grant-type general
if [ "$RC" -eq 0 ]; then
	ok "ledgerctl given the follower alone follows NOT_LEADER to the leader"
else
	not_ok "region add through follower $F: exit $RC"
fi
run nctl "$L" auditor01 --json get 1
expect_json kind region
for a in "appropriate --account general --fy 2013 --amount 10億 --ref B-1 --id ap-1" \
	"terms set --fy 2013 --grant-type general --min 1億 --max 2億 --ref T-1 --id t-1" \
	"award --region hakodate --fy 2013 --amount 2億 --date 2013-05-01 --ref AW-1 --id aw-1"; do
	# shellcheck disable=SC2086
	run cctl admin01 $a
	[ "$RC" -eq 0 ] || not_ok "setup: $a: exit $RC"
done
run nctl "$F" auditor01 --json cluster status
if [ "$(jcount)" -eq 3 ] && [ "$(jget raft_role "id=$L")" = leader ]; then
	ok "cluster status: three members, node $L the leader"
else
	not_ok "cluster status from node $F"
fi

# --- a writer of unique ids ---------------------------------------------------------------
# Each id is retried (same id: safe) until acknowledged; acknowledged ids
# go to acked, one per line.  Stops when $T/stop exists.
writer() {
	local n=0 id tries
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		id="w-$n"
		tries=0
		until cctl clerk01 disburse --region hakodate --fy 2013 --amount 1000 \
			--ref "V-$n" --date 2013-06-30 --id "$id" \
			>/dev/null 2>>"$T/writer.err" </dev/null; do
			tries=$((tries + 1))
			if [ "$tries" -gt 200 ]; then
				echo "gave up on $id" >>"$T/writer.err"
				return 1
			fi
			sleep 0.1
		done
		echo "$id" >>"$T/acked"
	done
}
: >"$T/acked"
writer &
WPID=$!
LD_BG_PIDS+=("$WPID")

# --- kill rounds ----------------------------------------------------------------------------
sleep 1
maxms=0
for r in $(seq 1 "$ROUNDS"); do
	L=$(wait_leader) || { not_ok "round $r: no leader"; break; }
	if [ $((r % 4)) -eq 2 ]; then
		victim=$(( L % 3 + 1 ))	# a follower
		kind=follower
	else
		victim=$L
		kind=leader
	fi
	before=$(wc -l <"$T/acked")
	t0=$(now_ms)
	echo "# round $r: SIGKILL to node $victim at $(date +%s%N) ns"
	kill_node "$victim"
	if [ "$kind" = leader ]; then
		if NL=$(wait_leader "$victim"); then
			ms=$(( $(now_ms) - t0 ))
			[ "$ms" -gt "$maxms" ] && maxms=$ms
			echo "# round $r: leader $victim killed; node $NL leads after $ms ms"
			ok "round $r: a new leader (node $NL) after the leader was killed"
		else
			not_ok "round $r: no new leader after killing node $victim"
		fi
	else
		echo "# round $r: follower $victim killed"
	fi
	# Writes go on while the node is down.
	deadline=$((SECONDS + 20))
	while [ "$(wc -l <"$T/acked")" -lt $((before + 5)) ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.1
	done
	if [ "$(wc -l <"$T/acked")" -ge $((before + 5)) ]; then
		ok "round $r: writes acknowledged with node $victim down"
	else
		not_ok "round $r: writes stalled with node $victim down"
	fi
	start_node "$victim"
	# Back in step before the next round: its applied index reaches what
	# the leader had committed when it came back (else the next kill
	# would time an election in which one voter's log is behind).
	L=$(wait_leader "$victim") || L=
	want=$( [ -n "$L" ] && field "$L" commit_index )
	deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ]; do
		got=$(field "$victim" applied_index)
		[ -n "$got" ] && [ -n "$want" ] && [ "$got" -ge "$want" ] && break
		sleep 0.1
	done
	if [ -n "$got" ] && [ -n "$want" ] && [ "$got" -ge "$want" ]; then
		ok "round $r: node $victim caught up (applied $got, the leader had committed $want)"
	else
		not_ok "round $r: node $victim did not catch up: applied '$got', wanted '$want'"
	fi
done
echo "# slowest new leader: $maxms ms"

touch "$T/stop"
wait "$WPID"
wrc=$?
if [ "$wrc" -eq 0 ]; then ok "the writer finished, every id acknowledged"; else not_ok "writer: $(tail -3 "$T/writer.err")"; fi
acked=$(wc -l <"$T/acked")
echo "# $acked ids acknowledged"

# --- every node the same ledger ----------------------------------------------------------
deadline=$((SECONDS + 60))
while [ "$SECONDS" -lt "$deadline" ]; do
	s1=$(field 1 size); s2=$(field 2 size); s3=$(field 3 size)
	[ -n "$s1" ] && [ "$s1" = "$s2" ] && [ "$s2" = "$s3" ] && break
	sleep 0.2
done
if [ -n "$s1" ] && [ "$s1" = "$s2" ] && [ "$s2" = "$s3" ]; then
	ok "all three nodes hold $s1 entries"
else
	not_ok "sizes differ: $s1 $s2 $s3"
fi
for i in 1 2 3; do
	nctl "$i" auditor01 checkpoint >"$T/ckpt-$i" 2>&1 </dev/null
	nctl "$i" auditor01 list --json >"$T/list-$i" 2>&1 </dev/null
done
if cmp -s "$T/ckpt-1" "$T/ckpt-2" && cmp -s "$T/ckpt-2" "$T/ckpt-3"; then
	ok "the three nodes sign the same checkpoint"
else
	not_ok "checkpoints differ"
fi
for i in 1 2 3; do
	if "$LD_PY" - "$T/acked" "$T/list-$i" <<'EOF'
import json, sys
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
count = {}
for line in open(sys.argv[2]):
    if line.strip():
        e = json.loads(line)
        if e.get("id"):
            count[e["id"]] = count.get(e["id"], 0) + 1
missing = [a for a in acked if count.get(a, 0) == 0]
twice = [i for i, n in count.items() if n > 1]
if missing or twice:
    sys.exit("missing %s, more than once %s" % (missing[:5], twice[:5]))
EOF
	then
		ok "node $i: every acknowledged id exactly once"
	else
		not_ok "node $i: acknowledged ids"
	fi
done

# --- leadership transfer ----------------------------------------------------------------------
L=$(wait_leader)
T2=$(( L % 3 + 1 ))
run nctl "$L" admin01 cluster transfer "$T2"
if [ "$RC" -eq 0 ] && NL=$(wait_leader "$L") && [ "$NL" = "$T2" ]; then
	ok "cluster transfer $T2: node $T2 leads"
else
	not_ok "cluster transfer to $T2: exit $RC"
fi

# --- membership: a fourth node joins, catches up, leaves ------------------------------------
start_node 4
wait_leader >/dev/null
# Right after the transfer an election may still be settling: an operator
# retries a change answered NOT_LEADER or UNAVAILABLE.
for _ in 1 2 3 4 5; do
	run cctl admin01 cluster add 4 "127.0.0.1:${RPORT[4]}" "127.0.0.1:${CPORT[4]}"
	[ "$RC" -eq 0 ] && break
	sleep 1
done
if [ "$RC" -eq 0 ]; then ok "cluster add 4"; else not_ok "cluster add 4: exit $RC"; fi
L=$(wait_leader)
deadline=$((SECONDS + 60))
while [ "$SECONDS" -lt "$deadline" ] && [ "$(field 4 size)" != "$(field "$L" size)" ]; do
	sleep 0.2
done
if [ "$(field 4 size)" = "$(field "$L" size)" ] && [ -n "$(field 4 size)" ]; then
	ok "node 4 caught up: $(field 4 size) entries"
else
	not_ok "node 4 did not catch up: $(field 4 size) against $(field "$L" size)"
fi
run nctl 4 auditor01 --json cluster status
if [ "$(jcount)" -eq 4 ] && [ "$(jget voter id=4)" = true ]; then
	ok "cluster status on node 4: four members, node 4 a voter"
else
	not_ok "cluster status on node 4: $(cat "$OUT")"
fi
nctl 4 auditor01 checkpoint >"$T/ckpt-4" 2>&1 </dev/null
nctl "$L" auditor01 checkpoint >"$T/ckpt-L" 2>&1 </dev/null
if cmp -s "$T/ckpt-4" "$T/ckpt-L"; then ok "node 4 signs the leader's checkpoint"; else not_ok "node 4's checkpoint differs"; fi
run cctl admin01 cluster remove 4
if [ "$RC" -eq 0 ]; then ok "cluster remove 4"; else not_ok "cluster remove 4: exit $RC"; fi
kill -TERM "${NPID[4]}" 2>/dev/null
wait "${NPID[4]}" 2>/dev/null
NPID[4]=
# A follower learns the new configuration with the next replication.
deadline=$((SECONDS + 15))
while :; do
	run cctl auditor01 --json cluster status
	[ "$(jcount)" -eq 3 ] || [ "$SECONDS" -ge "$deadline" ] && break
	sleep 0.2
done
[ "$(jcount)" -eq 3 ] && ok "three members again" || not_ok "after remove: $(jcount) members"

# --- two of three down: reads go on, a write waits, then UNAVAILABLE ---------------
L=$(wait_leader)
others=()
for i in 1 2 3; do [ "$i" != "$L" ] && others+=("$i"); done
for i in "${others[@]}"; do kill_node "$i"; done
t0=$(now_ms)
run nctl "$L" clerk01 disburse --region hakodate --fy 2013 --amount 1000 --ref V-lonely \
	--date 2013-06-30 --id lonely-1
ms=$(( $(now_ms) - t0 ))
if [ "$RC" -eq 1 ] && grep -qF "ledgerctl: UNAVAILABLE:" "$ERR"; then
	ok "no majority: the write is answered UNAVAILABLE after $ms ms (commit_timeout_s = 5)"
else
	not_ok "no majority: exit $RC after $ms ms"
fi
run nctl "$L" auditor01 --json get 1
expect_json kind region
for i in "${others[@]}"; do start_node "$i"; done
wait_leader >/dev/null
run cctl clerk01 --json disburse --region hakodate --fy 2013 --amount 1000 --ref V-lonely \
	--date 2013-06-30 --id lonely-1
if [ "$RC" -eq 0 ]; then
	ok "the majority back: the retry with the same id is answered (duplicate: $(jget duplicate))"
else
	not_ok "retry of lonely-1: exit $RC"
fi
run nctl "$L" auditor01 get --id lonely-1 --json
[ "$(jcount)" -eq 1 ] && ok "lonely-1 is in the ledger once" || not_ok "lonely-1: $(cat "$OUT")"

# --- --verify on each ledger --------------------------------------------------------------------
for i in 1 2 3; do
	kill -TERM "${NPID[$i]}" 2>/dev/null
	wait "${NPID[$i]}"
	rc=$?
	NPID[$i]=
	if [ "$rc" -eq 0 ]; then
		ok "node $i: SIGTERM, exit 0"
	else
		not_ok "node $i: SIGTERM, exit $rc: $(tail -5 "$T/node-$i.log")"
	fi
done
if grep -l "Sanitizer" "$T"/node-*.log >/dev/null 2>&1; then
	not_ok "a sanitizer report in a node's log: $(grep -h -A5 Sanitizer "$T"/node-*.log | head -20)"
else
	ok "no sanitizer report from any node"
fi
for i in 1 2 3; do
	expect_exit 0 "$LEDGERD" -c "$T/node-$i.conf" --verify
done
finish
