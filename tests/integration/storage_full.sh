#!/usr/bin/env bash
# storage_full.sh - a ledger whose LMDB map fills up.
#
# Issue 5, item 3.  With map_size_mb = 1, pipelined writes run into the map's
# end: they are refused STORAGE_FULL (never INTERNAL), and exactly the writes
# that were acknowledged are in the ledger; a refused write left nothing
# behind (its region code is still free once there is room again).  Reads go
# on while full; `ledgerd --verify` passes.  Raising map_size_mb and
# restarting continues the same ledger: same size and root, the next seq
# follows on, and it verifies again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hardening.sh"

setup
conf_set map_size_mb 1 ledger
start_or_die
seed_terms 2013

# A little of everything first, so there are balances to read while full.
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-1
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 5000万 --ref V-1 --date 2013-06-30 --json
D1=$(jget seq)

# Fill: region adds with 500-byte names, 64 in flight, until well past full
# (rawclient.py regions: one line per attempt, in the order sent).
raw --within 60 --cn admin01 regions --count 3000 --prefix fill --name-bytes 500 --out "$T/fill.txt"
echo "# $(cat "$OUT")"
NWRITTEN=$(grep -c '^written ' "$T/fill.txt")
NFULL=$(grep -c '^STORAGE_FULL ' "$T/fill.txt")
NOTHER=$(grep -vcE '^(written|STORAGE_FULL) ' "$T/fill.txt")
[ "$RC" -eq 0 ] && [ "$NWRITTEN" -gt 0 ] && [ "$NFULL" -gt 0 ] &&
	ok "filling: $NWRITTEN written, $NFULL refused STORAGE_FULL" ||
	not_ok "filling: exit $RC, $NWRITTEN written, $NFULL STORAGE_FULL: $(cat "$OUT" "$ERR")"
[ "$NOTHER" -eq 0 ] && ok "every refusal is STORAGE_FULL" ||
	not_ok "other refusals: $(grep -vE '^(written|STORAGE_FULL) ' "$T/fill.txt" | head -3)"
# A group commit that overflows refuses its whole group, so a smaller write
# may still fit: fill up with tiny ones, one at a time, until five in a row
# are refused.  No commit happens after that, so nothing is freed.
raw --within 60 --cn admin01 regions --count 1000 --window 1 --stop-after 5 \
	--prefix filltiny --name-bytes 1 --out "$T/tiny.txt"
echo "# tiny, one at a time: $(cat "$OUT")"
if [ "$RC" -eq 0 ] && [ "$(tail -n 5 "$T/tiny.txt" | grep -c '^STORAGE_FULL ')" -eq 5 ]; then
	ok "small writes are refused STORAGE_FULL too"
else
	not_ok "small writes still fit or failed otherwise: $(grep -vE '^(written|STORAGE_FULL) ' "$T/tiny.txt" | head -3)"
fi
expect_log "the daemon logs STORAGE_FULL" "STORAGE_FULL"
cat "$T/tiny.txt" >>"$T/fill.txt"
NWRITTEN=$(grep -c '^written ' "$T/fill.txt")

# Exactly the acknowledged writes are in the ledger.
expect_ok auditor01 region list --json
jget code | grep '^fill' | sort >"$T/listed.txt"
grep '^written ' "$T/fill.txt" | cut -d' ' -f2 | sort >"$T/acked.txt"
if cmp -s "$T/listed.txt" "$T/acked.txt"; then
	ok "the ledger holds exactly the $NWRITTEN acknowledged regions"
else
	not_ok "acknowledged and stored regions differ: $(diff "$T/acked.txt" "$T/listed.txt" | head -4 | tr '\n' ' ')"
fi

# --- reads go on while full ----------------------------------------------------------
expect_ok auditor01 status --json
SIZE=$(jget size)
ROOT=$(jget root)
[ "$SIZE" -eq $((NWRITTEN + 7)) ] && ok "status: size $SIZE = 7 + $NWRITTEN" ||
	not_ok "status: size $SIZE, want $((NWRITTEN + 7))"
expect_ok auditor01 list --json
[ "$(jcount)" -eq "$SIZE" ] && ok "list shows all $SIZE entries" || not_ok "list shows $(jcount), want $SIZE"
ctl auditor01 list --json >"$T/full.list" 2>/dev/null </dev/null
expect_ok auditor01 get "$SIZE" --json
expect_json seq "$SIZE"
expect_ok auditor01 get "$D1" --json
expect_json amount 50000000
expect_ok auditor01 balance --fy 2013 --region hakodate --json
expect_json net 50000000

# --- writes of every writer are refused, and leave nothing -----------------------
FIRST_REFUSED=$(grep -m1 '^STORAGE_FULL ' "$T/fill.txt" | cut -d' ' -f2)
expect_refusal STORAGE_FULL clerk01 disburse --region hakodate --fy 2013 --amount 100万 --ref V-2 --date 2013-07-01 --id full-1
expect_refusal STORAGE_FULL admin01 region add "$FIRST_REFUSED" --name 後で --grant-type continuing
run ctl auditor01 status
[ "$RC" -eq 0 ] && ok "still serving reads after refused writes" || not_ok "status after refusals, exit $RC"

stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
grep -q "ledger intact: $SIZE entries" "$OUT" && ok "--verify: intact, $SIZE entries" ||
	not_ok "--verify said: $(cat "$OUT")"

# --- more room: the same ledger continues ---------------------------------------------
conf_set map_size_mb 64 ledger
start_or_die --same-port
expect_ok auditor01 status --json
expect_json size "$SIZE"
expect_json root "$ROOT"
ctl auditor01 list --json >"$T/grown.list" 2>/dev/null </dev/null
cmp -s "$T/full.list" "$T/grown.list" && ok "after the restart the ledger is unchanged" ||
	not_ok "the ledger changed across the restart"
# The write refused while full goes through now, as a new entry: the refused
# attempt left no trace of its id or region code.
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 100万 --ref V-2 --date 2013-07-01 --id full-1 --json
expect_json seq $((SIZE + 1))
expect_json duplicate false
expect_ok admin01 region add "$FIRST_REFUSED" --name 後で --grant-type continuing --json
expect_json seq $((SIZE + 2))
expect_json duplicate false
expect_ok auditor01 balance --fy 2013 --region hakodate --json
expect_json net 51000000
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
grep -q "ledger intact: $((SIZE + 2)) entries" "$OUT" && ok "--verify after growing: intact, $((SIZE + 2)) entries" ||
	not_ok "--verify said: $(cat "$OUT")"
no_sanitizer_reports
finish
