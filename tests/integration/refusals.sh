#!/usr/bin/env bash
# refusals.sh - refusals that say what to fix, a voucher typed twice, and
# lookups by id and ref (contract version 2, 2.3), through the real
# ledgerctl against the real daemon.
#
# Each refusal is checked for its message with the figures (yen with
# separators) and for the same figures as JSON fields; DUPLICATE_REF for
# the voucher typed twice, --allow-duplicate-ref for a deliberate second
# payment, the id ledgerctl sends when none is given, and `ledgerd --verify`
# replaying all of it.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013

expect_ok admin01 region add hakodate --name 函館地域 --grant-type general
expect_ok admin01 region add miyagi --name 宮城 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 3億 --ref BUDGET
expect_ok admin01 award --region hakodate --fy 2013 --amount 1.5億 --date 2013-05-01 --ref AW-1

# --- refusals with figures ------------------------------------------------------
# OVER_AWARD: award, net, remaining, requested.
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 1億 --ref V-0001 --date 2013-06-30
expect_refusal OVER_AWARD clerk01 disburse --region hakodate --fy 2013 --amount 6000万 --ref V-0002 --date 2013-07-30
check "OVER_AWARD message states the figures" grep -qF \
	"award 150,000,000 yen, net 100,000,000 yen, remaining 50,000,000 yen, requested 60,000,000 yen" "$ERR"
run ctl clerk01 --json disburse --region hakodate --fy 2013 --amount 6000万 --ref V-0002 --date 2013-07-30
expect_json error OVER_AWARD
expect_json award 150000000
expect_json net 100000000
expect_json remaining 50000000
expect_json requested 60000000

# OUT_OF_RANGE: min, max, requested.
expect_refusal OUT_OF_RANGE admin01 award --region miyagi --fy 2013 --amount 2.5億 --date 2013-05-01 --ref AW-2
check "OUT_OF_RANGE message states the range" grep -qF \
	"min 100,000,000 yen, max 200,000,000 yen, requested 250,000,000 yen" "$ERR"
run ctl admin01 --json award --region miyagi --fy 2013 --amount 2.5億 --date 2013-05-01 --ref AW-2
expect_json min 100000000
expect_json max 200000000
expect_json requested 250000000

# OVER_APPROPRIATION: budget, awarded, remaining, requested (3億 - 1.5億 left).
expect_ok admin01 appropriate --account general --fy 2014 --amount 1億 --ref BUDGET-14
seed_terms 2014
expect_refusal OVER_APPROPRIATION admin01 award --region miyagi --fy 2014 --amount 1.5億 --date 2014-05-01 --ref AW-3
run ctl admin01 --json award --region miyagi --fy 2014 --amount 1.5億 --date 2014-05-01 --ref AW-3
expect_json budget 100000000
expect_json awarded 0
expect_json remaining 100000000
expect_json requested 150000000

# DATE_OUTSIDE_FY with a mistyped year: the window and the date's own year.
expect_refusal DATE_OUTSIDE_FY clerk01 disburse --region hakodate --fy 2013 --amount 1000 --ref V-0003 --date 2014-06-30
check "DATE_OUTSIDE_FY names the window" grep -qF \
	"date 2014-06-30 is outside the window of fiscal year 2013 for this disbursement: 2013-04-01 to 2014-04-30" "$ERR"
check "DATE_OUTSIDE_FY names the year the date lies in" grep -qF \
	"the date lies in fiscal year 2014: check --fy" "$ERR"
run ctl clerk01 --json disburse --region hakodate --fy 2013 --amount 1000 --ref V-0003 --date 2014-06-30
expect_json first_date 2013-04-01
expect_json last_date 2014-04-30

# OVER_REFUND: net, requested.
expect_refusal OVER_REFUND clerk01 refund --region hakodate --fy 2013 --amount 2億 --ref R-0001 --date 2013-08-01
run ctl clerk01 --json refund --region hakodate --fy 2013 --amount 2億 --ref R-0001 --date 2013-08-01
expect_json net 100000000
expect_json requested 200000000

# ID_CONFLICT: the seq that holds the id.
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 1000 --ref V-0004 --date 2013-07-01 --id pay-4
held=$(jget seq)
expect_refusal ID_CONFLICT clerk01 disburse --region hakodate --fy 2013 --amount 2000 --ref V-0005 --date 2013-07-01 --id pay-4
run ctl clerk01 --json disburse --region hakodate --fy 2013 --amount 2000 --ref V-0005 --date 2013-07-01 --id pay-4
expect_json seq "$held"

# FORBIDDEN names the CN and its role (or that it has none).
expect_refusal FORBIDDEN clerk01 award --region miyagi --fy 2013 --amount 1.5億 --date 2013-05-01 --ref AW-4
check "FORBIDDEN names the CN and role" grep -qF 'certificate CN "clerk01" has role clerk, which may not write an award' "$ERR"
expect_error FORBIDDEN nobody01 status
check "FORBIDDEN names a CN without role" grep -qF 'certificate CN "nobody01" has no role' "$ERR"

# --- a voucher typed twice ---------------------------------------------------------
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 7000 --ref V-0007 --date 2013-07-02
first=$(jget seq)
check "ledgerctl sent an id of its own" test "$(jget id | cut -c1-4)" = ctl-
expect_refusal DUPLICATE_REF clerk01 disburse --region hakodate --fy 2013 --amount 7000 --ref V-0007 --date 2013-07-02
check "DUPLICATE_REF names the seq" grep -qF "is already used by seq $first" "$ERR"
run ctl clerk01 --json disburse --region hakodate --fy 2013 --amount 7000 --ref V-0007 --date 2013-07-02
expect_json seq "$first"
# The same ref in another region, kind or year is another voucher.
expect_ok clerk01 refund --region hakodate --fy 2013 --amount 1000 --ref V-0007 --date 2013-07-03
# A deliberate second payment on the same voucher.
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 7000 --ref V-0007 --date 2013-07-02 --allow-duplicate-ref
second=$(jget seq)
expect_json allow_duplicate_ref true
expect_ok auditor01 --json get "$first"
expect_json allow_duplicate_ref '<absent>'
# A reversed payment frees its voucher.
expect_ok clerk01 reverse "$first" --reason "typed twice"
expect_ok clerk01 reverse "$second" --reason "typed twice"
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 7000 --ref V-0007 --date 2013-07-02
# A retry with the same --id is a duplicate, not a refusal.
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 8000 --ref V-0008 --date 2013-07-02 --id pay-8
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 8000 --ref V-0008 --date 2013-07-02 --id pay-8
expect_json duplicate true

# import: a file that pays one voucher twice, refused row by row unless
# --allow-duplicate-ref; the ids keep a rerun from paying again.
printf 'kind,region,fy,amount,ref,date,memo,id\ndisbursement,hakodate,2013,100,V-IMP,2013-07-09,,imp-1\ndisbursement,hakodate,2013,100,V-IMP,2013-07-09,,imp-2\n' >"$T/dup.csv"
expect_exit 1 ctl clerk01 import "$T/dup.csv"
check "import names the duplicate row" grep -q "line 3.*DUPLICATE_REF" "$ERR" "$OUT"
expect_ok clerk01 import "$T/dup.csv" --allow-duplicate-ref
expect_ok auditor01 --json get --ref V-IMP
check "both rows written" test "$(jcount)" -eq 2

# --- lookups -----------------------------------------------------------------------
expect_ok auditor01 --json get --id pay-4
expect_json seq "$held"
expect_ok auditor01 --json get --ref V-0007
check "get --ref lists every entry with the ref" test "$(jcount)" -eq 4
expect_error NOT_FOUND auditor01 get --id no-such-id
expect_error NOT_FOUND auditor01 get --ref NO-SUCH-REF
expect_exit 2 ctl auditor01 get 3 --id pay-4
expect_exit 2 ctl auditor01 get
expect_exit 0 "$LEDGERD" -c "$CONF" --print-verifier
cp "$OUT" "$T/verifier"
expect_ok auditor01 --json prove --id pay-4 --verifier "$T/verifier"
expect_json seq "$held"
expect_error NOT_FOUND auditor01 prove --id no-such-id --verifier "$T/verifier"

# --- a lost answer is not a second payment ------------------------------------------------
# dropproxy.py loses the answer to the first write that passes through it;
# ledgerctl connects again and resends the same request with the same id
# (its own, here), and the daemon answers the stored entry as a duplicate.
PPORT=$((PORT + 1))
"$LD_PY" "$LD_SOURCE_DIR/tests/integration/dropproxy.py" "$PPORT" "$PORT" "$T/count1" &
PROXY=$!
LD_BG_PIDS+=("$PROXY")
sleep 0.5
run env LEDGER_SERVER=127.0.0.1:$PPORT LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/clerk01.crt \
	LEDGER_KEY=$PKI/clerk01.key "$LEDGERCTL" status
kill "$PROXY" 2>/dev/null; wait "$PROXY" 2>/dev/null
records=$(head -n 1 "$T/count1")
# status's last record is its close_notify: the request is the one before.
"$LD_PY" "$LD_SOURCE_DIR/tests/integration/dropproxy.py" "$PPORT" "$PORT" "$T/count2" $((records - 1)) &
PROXY=$!
LD_BG_PIDS+=("$PROXY")
sleep 0.5
run env LEDGER_SERVER=127.0.0.1:$PPORT LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/clerk01.crt \
	LEDGER_KEY=$PKI/clerk01.key "$LEDGERCTL" --json disburse --region hakodate --fy 2013 \
	--amount 9000 --ref V-0009 --date 2013-07-05
[ "$RC" -eq 0 ] && ok "a write whose answer was lost: exit 0" || not_ok "lost answer: exit $RC: $(cat "$ERR")"
check "ledgerctl said it sent the write again" grep -q "sending the write again with id ctl-" "$ERR"
expect_json duplicate true
kill "$PROXY" 2>/dev/null; wait "$PROXY" 2>/dev/null
expect_ok auditor01 --json get --ref V-0009
check "the voucher was paid once" test "$(jcount)" -eq 1

# --- every verdict replays ------------------------------------------------------------
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
finish
