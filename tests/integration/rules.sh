#!/usr/bin/env bash
# rules.sh - the ledger rules as a user meets them through ledgerctl.
#
# Walks through FY2013 with the seed's figures (COI line 16,221 million yen in
# the general account, 1,505 million in the reconstruction special account)
# and an FY2012 that is closed.  Every refusal the CLI can provoke is checked
# for its code, exit status 1, and that it left the ledger as it was; the
# balances at the end are checked field by field in --json output.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2012 2013 2014

# A write's JSON answer: the new entry's seq.
wseq() { jget seq; }

# --- regions -------------------------------------------------------------
expect_ok admin01 region add aichi-nanotech --json \
	--name "愛知県「知の拠点」ナノテクイノベーション戦略推進地域" --grant-type general
expect_json kind region
expect_json account general
expect_json duplicate false
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing --json
for r in iwate-next-mobility miyagi-next-automobile fukushima-renewable-energy miyagi-medical-knowledge; do
	expect_ok admin01 region add "$r" --name "$r" --grant-type reconstruction --json
	expect_json account reconstruction
done
expect_refusal DUPLICATE_REGION admin01 region add aichi-nanotech \
	--name "愛知県「知の拠点」ナノテクイノベーション戦略推進地域" --grant-type general
expect_refusal DUPLICATE_REGION admin01 region add hakodate --name 別名 --grant-type general

# --- FY2013 appropriations ---------------------------------------------------
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI --json
expect_json kind appropriation
expect_json amount 16221000000
expect_json fy 2013
APPROP_G=$(wseq)
expect_ok admin01 appropriate --account reconstruction --fy 2013 --amount 1,505,000,000 \
	--ref MEXT-H25-RECONSTRUCTION --json
APPROP_R=$(wseq)

# --- awards ----------------------------------------------------------------------
# A first award must lie in the FY2013 terms' range (1億-2億 for general).
expect_refusal OUT_OF_RANGE admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 99,999,999 --ref AW-x
expect_refusal OUT_OF_RANGE admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 200,000,001 --ref AW-x
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-2013-aichi-1 --json
expect_json kind award
expect_json amount 150000000
expect_json account general
expect_json region aichi-nanotech
AWARD=$(wseq)
expect_refusal UNKNOWN_REGION admin01 award --region no-such-region --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-x
# A change (変更交付決定) may not exceed the maximum either.
expect_refusal OUT_OF_RANGE admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 200,000,001 --ref AW-x
expect_refusal OUT_OF_RANGE admin01 award --region miyagi-medical-knowledge --fy 2013 --date 2013-04-01 --amount 249,999,999 --ref AW-x
expect_refusal OUT_OF_RANGE admin01 award --region miyagi-medical-knowledge --fy 2013 --date 2013-04-01 --amount 500,000,001 --ref AW-x
# About 500 million yen x about 3 regions fills the special account ...
expect_ok admin01 award --region iwate-next-mobility --fy 2013 --date 2013-04-01 --amount 5億 --ref AW-2013-iwate
expect_ok admin01 award --region miyagi-next-automobile --fy 2013 --date 2013-04-01 --amount 500,000,000 --ref AW-2013-miyagi
expect_ok admin01 award --region fukushima-renewable-energy --fy 2013 --date 2013-04-01 --amount 5億円 --ref AW-2013-fukushima
# ... so a fourth region does not fit, whatever its range says.
expect_refusal OVER_APPROPRIATION admin01 award --region miyagi-medical-knowledge --fy 2013 --date 2013-04-01 --amount 2.5億 --ref AW-x
# Continuing regions have no range, but still the account's appropriation.
expect_refusal OVER_APPROPRIATION admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 16,071,000,001 --ref AW-x
# No appropriation at all in FY2014.
expect_refusal OVER_APPROPRIATION admin01 award --region aichi-nanotech --fy 2014 --date 2014-04-01 --amount 1.5億 --ref AW-x

# --- disbursements and refunds ----------------------------------------------------
expect_refusal NO_AWARD clerk01 disburse --region hakodate --fy 2013 --amount 1,000,000 --ref V-x --date 2013-06-30
expect_refusal UNKNOWN_REGION clerk01 disburse --region no-such-region --fy 2013 --amount 1,000,000 --ref V-x --date 2013-06-30
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0001 \
	--date 2013-06-30 --memo "概算払 第1回" --json
expect_json kind disbursement
expect_json amount 50000000
expect_json date 2013-06-30
expect_json actor clerk01
expect_json account general
D1=$(wseq)
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 60,000,000 --ref V-0002 --date 2013-09-30 --json
D2=$(wseq)
expect_refusal OVER_AWARD clerk01 disburse --region aichi-nanotech --fy 2013 --amount 40,000,001 --ref V-x --date 2013-10-01
# The refused answer in --json: {"error":"CODE","message":"..."} on stdout.
run ctl clerk01 --json disburse --region aichi-nanotech --fy 2013 --amount 40,000,001 --ref V-x --date 2013-10-01
if [ "$RC" -eq 1 ] && [ "$(jget error)" = OVER_AWARD ] && [ -n "$(jget message)" ]; then
	ok "--json refusal prints {\"error\":\"OVER_AWARD\",\"message\":...}"
else
	not_ok "--json refusal: exit $RC"
fi
# Net disbursed is 110 million: a changed award below it is refused.
expect_refusal AWARD_BELOW_DISBURSED admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1億 --ref AW-x
expect_ok clerk01 refund --region aichi-nanotech --fy 2013 --amount 10,000,000 --ref R-0001 \
	--date 2013-10-15 --memo 返還 --json
expect_json kind refund
expect_json amount 10000000
RF1=$(wseq)
expect_refusal OVER_REFUND clerk01 refund --region aichi-nanotech --fy 2013 --amount 100,000,001 --ref R-x --date 2013-10-16
# Net is now exactly 100 million: an award of 100 million is allowed, and a
# later change (変更交付決定) replaces it.
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1億 --ref AW-2013-aichi-2
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.8億 --ref AW-2013-aichi-3 --json
expect_json amount 180000000
AWARD3=$(wseq)

# Value dates: [2013-04-01, 2014-04-30], up to the terms' settlement deadline
# (出納整理期限; the national default (fy+1)-04-30).
expect_refusal DATE_OUTSIDE_FY clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref V-x --date 2013-03-31
expect_refusal DATE_OUTSIDE_FY clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref V-x --date 2014-05-01
expect_refusal DATE_OUTSIDE_FY clerk01 refund --region aichi-nanotech --fy 2013 --amount 1,000 --ref R-x --date 2012-12-31
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref V-0003 --date 2014-04-30
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref V-0004 --date 2013-04-01

# --- reversals ---------------------------------------------------------------------
expect_refusal NOT_REVERSIBLE admin01 reverse "$AWARD" --reason "awards change by a new award"
expect_refusal NOT_REVERSIBLE admin01 reverse 1 --reason "regions are not reversible"
expect_ok clerk01 reverse "$D2" --reason "二重計上の訂正" --json
expect_json kind reversal
expect_json reverses "$D2" region=aichi-nanotech
expect_json amount 60000000
expect_json region aichi-nanotech
expect_json reason "二重計上の訂正"
REV=$(wseq)
expect_refusal ALREADY_REVERSED clerk01 reverse "$D2" --reason again
expect_refusal NOT_REVERSIBLE clerk01 reverse "$REV" --reason "a reversal of a reversal"
expect_refusal NOT_FOUND clerk01 reverse 999999 --reason "no such entry"
expect_refusal NOT_FOUND auditor01 get 999999
# Reversing the special account's appropriation would leave 1,500 million of
# awards without money.
expect_refusal OVER_APPROPRIATION admin01 reverse "$APPROP_R" --reason "would break the awards"

# --- idempotency keys ----------------------------------------------------------------
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref V-0005 \
	--date 2013-07-01 --id pay-V-0005 --json
expect_json duplicate false
expect_refusal ID_CONFLICT clerk01 disburse --region aichi-nanotech --fy 2013 --amount 2,000,000 --ref V-0005 \
	--date 2013-07-01 --id pay-V-0005
expect_refusal ID_CONFLICT admin01 appropriate --account general --fy 2013 --amount 1 --ref X --id pay-V-0005

# --- roles ---------------------------------------------------------------------------
expect_refusal FORBIDDEN clerk01 appropriate --account general --fy 2013 --amount 1,000 --ref X
expect_refusal FORBIDDEN admin01 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref X --date 2013-07-01
expect_refusal FORBIDDEN auditor01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref X
expect_refusal FORBIDDEN clerk01 reverse "$APPROP_G" --reason "clerks reverse payments only"
# An appropriation recorded by mistake is reversed by an admin.
expect_ok admin01 appropriate --account general --fy 2013 --amount 1億 --ref MEXT-H25-MISTAKE --json
MISTAKE=$(wseq)
expect_ok admin01 reverse "$MISTAKE" --reason "誤記" --json
expect_json reverses "$MISTAKE"
expect_json account general

# --- a closed year (FY2012) -------------------------------------------------------------
expect_ok admin01 appropriate --account general --fy H24 --amount 7,842,000,000 --ref MEXT-H24-COI --json
APPROP_2012=$(wseq)
expect_ok admin01 award --region aichi-nanotech --fy 2012 --date 2012-04-01 --amount 1.2億 --ref AW-2012-aichi
expect_ok clerk01 disburse --region aichi-nanotech --fy 2012 --amount 1億 --ref V-2012-1 --date 2012-08-01
expect_ok clerk01 refund --region aichi-nanotech --fy 2012 --amount 1000万 --ref R-2012-1 --date 2013-04-30
expect_ok admin01 close-year --account general --fy 2012 --json
expect_json kind year_close
expect_json account general
expect_json fy 2012
expect_json appropriated 7842000000
expect_json awarded 120000000
expect_json disbursed 100000000
expect_json refunded 10000000
expect_json net 90000000
CLOSE=$(wseq)
expect_ok auditor01 get "$CLOSE" --json
expect_json net 90000000
expect_refusal YEAR_CLOSED admin01 close-year --account general --fy 2012
expect_refusal YEAR_CLOSED admin01 appropriate --account general --fy 2012 --amount 1,000 --ref X
expect_refusal YEAR_CLOSED admin01 award --region aichi-nanotech --fy 2012 --date 2012-04-01 --amount 1.5億 --ref X
expect_refusal YEAR_CLOSED clerk01 disburse --region aichi-nanotech --fy 2012 --amount 1,000 --ref X --date 2013-04-01
expect_refusal YEAR_CLOSED clerk01 refund --region aichi-nanotech --fy 2012 --amount 1,000 --ref X --date 2013-04-01
expect_refusal YEAR_CLOSED admin01 reverse "$APPROP_2012" --reason "the year is closed"
# The reconstruction account of FY2012 is not closed by closing the general one.
expect_ok admin01 appropriate --account reconstruction --fy 2012 --amount 1,504,000,000 --ref MEXT-H24-RECONSTRUCTION

# --- which refusal wins: the contract's order ---------------------------------------------
# FORBIDDEN before UNKNOWN_REGION; ID_CONFLICT before UNKNOWN_REGION;
# UNKNOWN_REGION before DATE_OUTSIDE_FY; DATE_OUTSIDE_FY before OVER_AWARD;
# YEAR_CLOSED before NO_AWARD; OUT_OF_RANGE before OVER_APPROPRIATION.
expect_refusal FORBIDDEN admin01 disburse --region no-such-region --fy 2013 --amount 1,000 --ref X --date 2013-07-01
expect_refusal ID_CONFLICT clerk01 disburse --region no-such-region --fy 2013 --amount 1,000 --ref X \
	--date 2013-07-01 --id pay-V-0005
expect_refusal UNKNOWN_REGION clerk01 disburse --region no-such-region --fy 2013 --amount 1,000 --ref X --date 2019-07-01
expect_refusal DATE_OUTSIDE_FY clerk01 disburse --region aichi-nanotech --fy 2013 --amount 9億 --ref X --date 2015-01-01
expect_refusal YEAR_CLOSED clerk01 disburse --region hakodate --fy 2012 --amount 1,000 --ref X --date 2012-07-01
expect_refusal OUT_OF_RANGE admin01 award --region miyagi-medical-knowledge --fy 2013 --date 2013-04-01 --amount 6億 --ref X

# --- balances --------------------------------------------------------------------------
# aichi FY2013: award 180 M; disbursed 50 + 1 + 1 + 1 M (60 M reversed);
# refunded 10 M; net 43 M; remaining 137 M.
expect_ok auditor01 balance --fy 2013 --region aichi-nanotech --json
expect_json region aichi-nanotech
expect_json fy 2013
expect_json grant_type general
expect_json account general
expect_json award 180000000
expect_json disbursed 53000000
expect_json refunded 10000000
expect_json net 43000000
expect_json remaining 137000000
expect_ok auditor01 balance --fy FY2013 --account general --json
expect_json appropriated 16221000000
expect_json awarded 180000000
expect_json disbursed 53000000
expect_json refunded 10000000
expect_json net 43000000
expect_json unawarded 16041000000
expect_json closed false
expect_ok recon01 balance --fy H25 --account reconstruction --json
expect_json appropriated 1505000000
expect_json awarded 1500000000
expect_json unawarded 5000000
expect_json net 0
expect_ok auditor01 balance --fy 2012 --account general --json
expect_json closed true
expect_json net 90000000
# Alone, --fy prints every account, then every region with an award that year.
expect_ok auditor01 balance --fy 2013 --json
expect_json appropriated 16221000000 account=general '!region'
expect_json appropriated 1505000000 account=reconstruction '!region'
expect_json award 500000000 region=iwate-next-mobility
expect_json award 180000000 region=aichi-nanotech
if [ "$(jget region region=hakodate)" = "" ] && [ "$(jcount)" -eq 6 ]; then
	ok "balance --fy 2013: 2 accounts and the 4 regions with an award"
else
	not_ok "balance --fy 2013: want 2 accounts and 4 regions"
fi
if "$LD_PY" -c '
import json, sys
kinds = ["region" in json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(kinds != sorted(kinds))' "$OUT"; then
	ok "balance --fy 2013: accounts before regions"
else
	not_ok "balance --fy 2013: accounts before regions"
fi

# --- the record ------------------------------------------------------------------------
expect_ok auditor01 get "$D1" --json
expect_json memo "概算払 第1回"
expect_json ref V-0001
expect_json actor clerk01
expect_ok auditor01 get "$AWARD3" --json
expect_json actor admin01
expect_ok auditor01 get "$RF1" --json
expect_json kind refund
expect_ok auditor01 list --json
if "$LD_PY" -c '
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1]) if l.strip()]
sys.exit(seqs != list(range(1, len(seqs) + 1)))' "$OUT"; then
	ok "list: seq 1..$(jcount) in order, no gaps"
else
	not_ok "list: seqs not 1..N in order"
fi
expect_ok auditor01 list --kind reversal --json
expect_json reverses "$D2" region=aichi-nanotech
expect_ok auditor01 list --region aichi-nanotech --fy 2012 --json
if [ "$(jcount)" -eq 3 ]; then ok "list --region --fy: 3 entries"; else not_ok "list --region --fy: want 3 entries, got $(jcount)"; fi
expect_ok auditor01 list --since "$D1" --limit 2 --json
if [ "$(jget seq | tr '\n' ' ')" = "$D1 $D2 " ]; then ok "list --since --limit"; else not_ok "list --since $D1 --limit 2"; fi

stop_daemon
finish
