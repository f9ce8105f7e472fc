#!/usr/bin/env bash
# backup.sh - `ledgerd --backup DIR` under load, and the documented restore.
#
# Clerks keep writing while the backup is taken.  The copy must verify on its
# own (`ledgerd --verify`), and it must be a prefix of the live ledger: a
# daemon started on the restored copy reports a tree of size N and root R,
# and the live daemon proves (RFC 9162 consistency proof, checked by
# ldconn.py, not by the code under test) that its tree extends exactly that
# (N, R); the copy's entries are the live ledger's first N, byte for byte in
# their JSON.  Finally the restore procedure of docs/OPERATING.md is followed
# on the live ledger itself: stop, put the copy in place, start, verify.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013
LDCONN=$LD_SOURCE_DIR/tests/integration/ldconn.py

expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 10億 --ref A-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-1

# Writers: two clerks write until stopped; each acknowledged id is logged.
for cn in clerk01 clerk02; do
	(
		i=0
		while [ -d "$T" ]; do
			i=$((i + 1))
			if ctl "$cn" disburse --region hakodate --fy 2013 --amount 1,000 --ref "W-$cn-$i" \
				--date 2013-09-01 --id "$cn-$i" >/dev/null 2>&1 </dev/null; then
				echo "$cn-$i" >>"$T/acked"
			fi
		done
	) &
	LD_BG_PIDS+=($!)
done
# wait_acked N: until N writes in all were acknowledged.
wait_acked() {
	local deadline=$((SECONDS + 120))
	while [ "$(cat "$T/acked" 2>/dev/null | wc -l)" -lt "$1" ]; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.05
	done
}

wait_acked 20 || not_ok "writers: 20 writes not acknowledged"
run "$LEDGERD" -c "$CONF" --backup "$T/backup"
if [ "$RC" -eq 0 ]; then ok "backup taken while clerks write"; else not_ok "backup: exit $RC"; fi
N=$(sed -n 's/^backup of \([0-9]*\) entries written to .* and verified$/\1/p' "$OUT")
check "backup reports how many entries it holds and that it verified ($N)" test -n "$N"
during=$(wc -l <"$T/acked")
wait_acked $((during + 20)) || not_ok "writers: no progress after the backup"
kill "${LD_BG_PIDS[@]}" 2>/dev/null
wait "${LD_BG_PIDS[@]}" 2>/dev/null
LD_BG_PIDS=()
check "the backup holds at least the writes acknowledged before it (${N:-?} >= 23)" test "${N:-0}" -ge 23

expect_exit 1 "$LEDGERD" -c "$CONF" --backup "$T/backup"
check "a non-empty target is refused" grep -q 'not empty' "$ERR"
check "the backup directory is private (0700)" test "$(stat -c %a "$T/backup")" = 700

# Missing parents are created, each private (0700) whatever the umask; a
# parent that exists keeps its mode; a file in the way is named.
mkdir -m 0755 "$T/srv"
run bash -c 'umask 000; exec "$1" -c "$2" --backup "$3"' _ "$LEDGERD" "$CONF" "$T/srv/backup/ledgerd/2026-11-28"
check "backup into a path whose parents are missing: exit 0 (got $RC: $(head -c 200 "$ERR"))" test "$RC" -eq 0
check "... the copy is there" test -s "$T/srv/backup/ledgerd/2026-11-28/data.mdb"
for d in srv/backup srv/backup/ledgerd srv/backup/ledgerd/2026-11-28; do
	check "... $d was created with mode 0700 ($(stat -c %a "$T/$d"))" test "$(stat -c %a "$T/$d")" = 700
done
check "... an existing parent keeps its mode (0755)" test "$(stat -c %a "$T/srv")" = 755
: >"$T/plainfile"
run "$LEDGERD" -c "$CONF" --backup "$T/plainfile/sub/dir"
check "a file where a parent should be: exit 1 (got $RC)" test "$RC" -eq 1
check "... naming it" grep -q "cannot create $T/plainfile: Not a directory" "$ERR"

# The copy verifies on its own.
sed "s#^path = ledger\$#path = backup#" "$CONF" >"$T/backup.conf"
run "$LEDGERD" -c "$T/backup.conf" --verify
if [ "$RC" -eq 0 ] && grep -q "^ledger intact: $N entries" "$OUT"; then
	ok "ledgerd --verify: the copy is intact, $N entries"
else
	not_ok "ledgerd --verify on the copy: exit $RC"
fi

# Restore the copy elsewhere and serve it beside the live daemon.
mkdir -p "$T/restored"
chmod 0700 "$T/restored"
cp "$T/backup/"* "$T/restored/"
LIVE_PORT=$PORT
pick_port || exit 1
RPORT=$PORT
PORT=$LIVE_PORT
sed -e "s#^path = ledger\$#path = restored#" -e "s#^listen = .*#listen = 127.0.0.1:$RPORT#" \
	"$CONF" >"$T/restored.conf"
"$LEDGERD" -c "$T/restored.conf" </dev/null >>"$T/restored.log" 2>&1 &
RPID=$!
LD_BG_PIDS+=("$RPID")
rstatus() {
	echo status | "$LD_PY" "$LDCONN" 127.0.0.1 "$RPORT" "$PKI/ca.crt" \
		"$PKI/auditor01.crt" "$PKI/auditor01.key" 2>&1 | sed -n 2p
}
deadline=$((SECONDS + LD_START_TIMEOUT))
until line=$(rstatus) && [ "${line#status}" != "$line" ]; do
	if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$RPID" 2>/dev/null; then
		not_ok "a daemon on the restored copy does not start: $(tail -3 "$T/restored.log")"
		finish
	fi
	sleep 0.1
done
check "the restored copy serves $N entries ($line)" grep -q "^status size=$N " <<<"$line"
RROOT=${line##*root=}

line=$(echo "consistency $N" | "$LD_PY" "$LDCONN" 127.0.0.1 "$PORT" "$PKI/ca.crt" \
	"$PKI/auditor01.crt" "$PKI/auditor01.key" 2>&1 | sed -n 2p)
check "the live ledger proves itself consistent with size $N ($line)" grep -q "verified=true\$" <<<"$line"
check "the live ledger's tree of size $N has the copy's root" grep -q " first=$RROOT " <<<"$line"
live=$(sed -n 's/.* new=\([0-9]*\) .*/\1/p' <<<"$line")
check "the live ledger went on growing (${live:-?} > $N)" test "${live:-0}" -gt "$N"

ctl auditor01 list --json --limit "$N" >"$T/live.jsonl" 2>"$ERR" </dev/null
LEDGER_SERVER=127.0.0.1:$RPORT LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/auditor01.crt \
	LEDGER_KEY=$PKI/auditor01.key "$LEDGERCTL" list --json >"$T/restored.jsonl" 2>>"$ERR" </dev/null
if [ -s "$T/live.jsonl" ] && cmp -s "$T/live.jsonl" "$T/restored.jsonl"; then
	ok "the copy's entries are the live ledger's first $N"
else
	not_ok "the copy's entries differ from the live ledger's first $N"
	diff "$T/live.jsonl" "$T/restored.jsonl" | head -4
fi
kill -TERM "$RPID"
wait "$RPID"
check "the daemon on the copy stops cleanly" test $? = 0

# The restore procedure on the live ledger: stop, swap in the copy, start.
stop_daemon
mv "$T/ledger" "$T/ledger.before-restore"
mkdir -m 0700 "$T/ledger"
cp "$T/backup/"* "$T/ledger/"
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
start_or_die --same-port
run ctl auditor01 status --json
check "after the restore the ledger has the copy's $N entries" test "$(jget size)" = "$N"
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 1,000 --ref AFTER --date 2013-09-02
check "and it takes new writes at seq $((N + 1))" test "$(ctl auditor01 get $((N + 1)) --json </dev/null | "$LD_PY" -c 'import json,sys; print(json.load(sys.stdin)["ref"])')" = AFTER
stop_daemon
finish
