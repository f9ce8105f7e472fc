#!/usr/bin/env bash
# startup_check.sh - ledgerd refuses to serve a ledger whose newest entries
# do not match its stored tree head.
#
# Issue 3, item 5: at start the daemon recomputes the root from the stored
# Merkle nodes, compares it with the tree head sealed by the last commit,
# and checks that the newest 64 entries decode and match their leaf hashes.
# Here one byte of the newest entry is changed inside data.mdb with the
# daemon stopped: the daemon must not start, must say why in its log, and
# `ledgerd --verify` must name the entry.  Restoring the byte makes the same
# ledger serve again, unchanged.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 1億 --ref AP-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 5000万 --ref AW-1
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 100万 --ref V-1 \
	--date 2013-06-30 --memo TAMPERME
SEQ=7	# after the three terms entries
ledger_snapshot "$T/before.jsonl"
stop_daemon

flip() {	# flip FROM TO: rewrite the memo's bytes inside data.mdb
	"$LD_PY" -c '
import sys
p, a, b = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
d = bytearray(open(p, "rb").read())
n, i = 0, d.find(a)
while i >= 0:
    d[i:i + len(a)] = b
    n += 1
    i = d.find(a, i + 1)
open(p, "wb").write(d)
sys.exit(n == 0)' "$T/ledger/data.mdb" "$1" "$2"
}

check "data.mdb: one byte of the newest entry changed" flip TAMPERME SAMPERME
echo "# start ledgerd on the altered ledger" >>"$LOG"
run timeout 30 "$LEDGERD" -c "$CONF"
# Exit 1 at once; a daemon that served would be stopped by timeout (124).
if [ "$RC" -eq 1 ]; then
	ok "ledgerd refuses to start (exit 1)"
else
	not_ok "ledgerd on an altered ledger: exit $RC, expected 1 at start"
fi
check "the refusal is logged with the reason" \
	grep -q "refusing to serve .*seq $SEQ: entry does not match its leaf hash" "$ERR"
expect_exit 1 "$LEDGERD" -c "$CONF" --verify
check "ledgerd --verify names seq $SEQ" grep -q "seq $SEQ" "$ERR"

check "data.mdb: the byte restored" flip SAMPERME TAMPERME
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
start_or_die --same-port
ledger_snapshot "$T/after.jsonl"
check "the restored ledger is the one written" cmp -s "$T/before.jsonl" "$T/after.jsonl"
stop_daemon
finish
