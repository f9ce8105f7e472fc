#!/usr/bin/env bash
# approvals.sh - two-person approval (決裁), issue 15 items 2-4 and contract
# 2.7, 2.8 and 2.10, through the real daemon and ledgerctl: the policy is a
# ledger entry (policy set/show, budget role); each approvable action
# (disburse over the threshold, reverse, cancel-award, settle, terms,
# close-year) takes effect at once without approval and becomes a request
# with it, which another officer whose roles allow the action approves;
# self-approval, an approver without the role, approving twice or a
# rejected request, a rejection and a withdrawal; approval after the rules
# changed (award reduced, year closed) refused with the rule's code and
# recorded as refused; expiry under a daemon clock moved forward with
# libfaketime; pending, report --approvals, get/list/export with the
# request's status, verify-export; and `ledgerd --verify` replaying it all.
. "$(dirname "$0")/lib.sh"

LD_CNS+=(budget01 budget02 oblig01 oblig02 disb01 disb02)
setup "budget01 = budget
budget02 = budget
oblig01 = obligating
oblig02 = obligating
disb01 = disbursing
disb02 = disbursing"
start_or_die

# jfield FIELD: FIELD of the single JSON line in $OUT.
jfield() { jget "$1"; }
# expect_usage DESC NEEDLE CN ARGS...: exit 2, nothing sent, NEEDLE said.
expect_usage() {
	local desc=$1 needle=$2
	shift 2
	run ctl "$@"
	if [ "$RC" -eq 2 ] && grep -qF -- "$needle" "$ERR"; then
		ok "usage error: $desc"
	else
		not_ok "usage error: $desc: want exit 2 and '$needle', got $RC"
	fi
}
# request_of CN ARGS...: run a write the policy turns into a request;
# ok when it answers a pending request; its seq in $REQ.
request_of() {
	REQ=
	run ctl "$1" --json "${@:2}"
	if [ "$RC" -eq 0 ] && [ "$(jget kind)" = request ] &&
	    [ "$(jget status)" = pending ]; then
		REQ=$(jget seq)
		ok "request $REQ: $*"
	else
		not_ok "expected a pending request: $*"
	fi
}
# approved_entry KIND: the last command answered the action's KIND entry,
# approved by an approval of $REQ.
approved_entry() {
	if [ "$(jget kind)" = "$1" ] && [ "$(jget request)" = "$REQ" ] &&
	    [ "$(jget approved_by)" -gt "$REQ" ] 2>/dev/null; then
		ok "approval of $REQ wrote the $1 (entry $(jget seq), approval $(jget approved_by))"
	else
		not_ok "approval of $REQ: want a $1 naming request $REQ"
	fi
}

# --- the ledger before any policy --------------------------------------------------
expect_ok budget01 region add hakodate --name 函館地域 --grant-type general
expect_ok budget01 region add aichi-nanotech --name あいち地域 --grant-type general
expect_ok budget01 region add sendai --name 仙台地域 --grant-type general
expect_ok budget01 region add kobe --name 神戸地域 --grant-type general
expect_ok budget01 region add toyama --name 富山地域 --grant-type general
expect_ok budget01 region add nagano --name 長野地域 --grant-type general
expect_ok budget01 region add kyoto --name 京都地域 --grant-type general
expect_ok budget01 region add iwate-next-mobility --name 岩手地域 --grant-type reconstruction
expect_ok budget01 appropriate --account general --fy 2013 --amount 20億 --ref B-2013
expect_ok budget01 appropriate --account reconstruction --fy 2013 --amount 15億 --ref BR-2013
expect_ok budget01 appropriate --account general --fy 2012 --amount 1億 --ref B-2012
expect_ok budget01 terms set --fy 2013 --grant-type general --min 1億 --max 2億 --ref T-2013
expect_ok budget01 terms set --fy 2013 --grant-type reconstruction --min 2.5億 --max 5億 --ref TR-2013
for r in hakodate aichi-nanotech sendai kobe toyama nagano kyoto; do
	expect_ok oblig01 award --region $r --fy 2013 --amount 2億 --date 2013-07-10 --ref AW-$r
done
expect_ok oblig01 award --region iwate-next-mobility --fy 2013 --amount 5億 --date 2013-07-10 --ref AW-iwate

expect_ok auditor01 --json policy show
expect_json seq null
expect_json require '[]'
expect_json expire_days 14
expect_json disburse_over 0
expect_ok auditor01 policy show
check "policy show says the defaults apply" grep -qF "no policy recorded: the defaults apply" "$OUT"

# Without a policy every action takes effect at once, whatever its size.
expect_ok disb01 --json disburse --region hakodate --fy 2013 --amount 1.9億 --ref V-0001 --date 2013-08-01
expect_json kind disbursement
expect_json approved_by '<absent>'
big=$(jfield seq)
expect_ok disb01 --json reverse "$big" --reason "typed the wrong amount"
expect_json kind reversal
expect_ok oblig01 --json cancel-award --region nagano --fy 2013 --date 2014-01-10 --reason "withdrawn by the region" --ref C-0
expect_json kind award_cancel
expect_ok oblig01 --json settle --region sendai --fy 2013 --amount 2億 --date 2014-05-10 --ref S-0
expect_json kind settlement
expect_ok budget01 --json terms set --fy 2014 --grant-type continuing --ref T-2014
expect_json kind terms
expect_ok budget01 --json close-year --account general --fy 2012
expect_json kind year_close

# --- the policy is a ledger entry, written by the budget role -----------------------
expect_usage "disburse goes by amount" "--disburse-over" budget01 policy set --require disburse --ref P
expect_usage "an unknown action gets a suggestion" 'did you mean "reverse"?' budget01 policy set --require revers,settle --ref P
expect_usage "expire days from 1" "--expire-days" budget01 policy set --expire-days 0 --ref P
expect_usage "expire days up to 3660" "--expire-days" budget01 policy set --expire-days 3661 --ref P
expect_usage "a threshold is an amount" "--disburse-over" budget01 policy set --disburse-over lots --ref P
expect_error FORBIDDEN clerk01 policy set --require reverse --ref P-1
expect_error FORBIDDEN oblig01 policy set --require reverse --ref P-1
expect_ok budget01 --json policy set --require "reverse, cancel-award,settle,terms,close-year" \
	--disburse-over 1億 --expire-days 14 --ref P-1
expect_json kind policy
policy=$(jfield seq)
expect_ok auditor01 --json policy show
expect_json seq "$policy"
expect_json require '["reverse", "cancel-award", "settle", "terms", "close-year"]'
expect_json disburse_over 100000000
expect_json actor budget01
expect_ok auditor01 policy show
check "policy show words the policy" grep -qF "requires approval for reverse, cancel-award, settle, terms, close-year; disbursements over 100,000,000 yen; requests expire after 14 days" "$OUT"

# --- disburse over the threshold: requested, approved by another officer ------------
expect_ok disb01 --json disburse --region hakodate --fy 2013 --amount 1億 --ref V-0002 --date 2013-08-01
expect_json kind disbursement   # at the threshold: no approval (strictly above)
expect_ok disb01 disburse --region hakodate --fy 2013 --amount 2,000 --ref V-0003 --date 2013-08-01
run ctl disb01 disburse --region hakodate --fy 2013 --amount 0.3億 --ref V-0004 --date 2013-08-02
check "under the threshold: written at once" grep -q "^kind: disbursement" "$OUT"
run ctl disb01 disburse --region aichi-nanotech --fy 2013 --amount 1.5億 --ref V-0005 --date 2013-08-05 --id v-0005
if [ "$RC" -eq 0 ] && grep -qE "^request [0-9]+: disburse 150,000,000 yen to aichi-nanotech for FY2013 \(ref V-0005, 2013-08-05\) is pending approval by another officer \(expires [0-9]{4}-[0-9]{2}-[0-9]{2}\)$" "$OUT"; then
	ok "over the threshold: a pending request, said so"
else
	not_ok "over the threshold: want the request line"
fi
over=$(sed -n 's/^request \([0-9]*\):.*/\1/p' "$OUT")
expect_ok auditor01 --json get "$over"
expect_json kind request
expect_json action disburse
expect_json status pending
expect_json actor disb01
expect_json request '{"amount": 150000000, "date": "2013-08-05", "fy": 2013, "ref": "V-0005", "region": "aichi-nanotech"}'
# The same id again answers the same request, not a second one.
expect_ok disb01 --json disburse --region aichi-nanotech --fy 2013 --amount 1.5億 --ref V-0005 --date 2013-08-05 --id v-0005
expect_json seq "$over"
expect_json duplicate true
# A request moves no money.
expect_ok auditor01 --json balance --fy 2013 --region aichi-nanotech
expect_json disbursed 0
expect_ok auditor01 --json pending
expect_json action disburse seq="$over"
expect_ok auditor01 pending
check "pending lists the request" grep -qE "^ *$over +disburse +disb01 " "$OUT"
REQ=$over
expect_error SELF_APPROVAL disb01 approve "$over"
check "SELF_APPROVAL names the author" grep -qF "written by \"disb01\"" "$ERR"
expect_error FORBIDDEN oblig01 approve "$over"
expect_error FORBIDDEN auditor01 approve "$over"
expect_error NOT_FOUND disb02 approve 999999
expect_error NOT_FOUND disb02 approve "$big"
expect_usage "approve takes no reason" "unknown option --reason" disb02 approve "$over" --reason "voucher checked"
expect_ok disb02 --json approve "$over"
approved_entry disbursement
expect_json actor disb01
expect_json amount 150000000
appr_over=$(jfield approved_by)
expect_ok auditor01 --json balance --fy 2013 --region aichi-nanotech
expect_json disbursed 150000000
expect_error NOT_PENDING disb02 approve "$over"
expect_error NOT_PENDING clerk01 reject "$over" --reason late
expect_ok auditor01 --json get "$over"
expect_json status approved
expect_ok auditor01 --json get "$appr_over"
expect_json kind approval
expect_json status approved
expect_json request "$over"
expect_json actor disb02
expect_ok auditor01 --json pending
check "an approved request is no longer pending" test "$(jcount)" = 0

# --- reverse ----------------------------------------------------------------------
expect_ok disb01 --json disburse --region aichi-nanotech --fy 2013 --amount 10,000 --ref V-0006 --date 2013-08-06
small=$(jfield seq)
request_of disb01 reverse "$small" --reason "paid twice"
expect_json action reverse
expect_json request "{\"reason\": \"paid twice\", \"reverses\": $small}"
expect_error SELF_APPROVAL disb01 approve "$REQ"
expect_error FORBIDDEN oblig02 approve "$REQ"
expect_ok clerk02 --json approve "$REQ"     # clerk ⊇ disbursing
approved_entry reversal
expect_json reverses "$small"
expect_json actor disb01

# --- cancel-award -----------------------------------------------------------------
request_of oblig01 cancel-award --region kobe --fy 2013 --date 2014-01-10 --reason "project abandoned" --ref C-1
expect_json action cancel-award
expect_ok auditor01 --json balance --fy 2013 --region kobe
expect_json award 200000000
expect_error FORBIDDEN disb02 approve "$REQ"
expect_error SELF_APPROVAL oblig01 approve "$REQ"
expect_ok oblig02 --json approve "$REQ"
approved_entry award_cancel
expect_ok auditor01 --json balance --fy 2013 --region kobe
expect_json award 0

# --- settle -----------------------------------------------------------------------
request_of oblig01 settle --region hakodate --fy 2013 --amount 1.8億 --date 2014-05-12 --ref S-1
expect_json action settle
expect_ok admin01 --json approve "$REQ"     # admin ⊇ obligating
approved_entry settlement
expect_json amount 180000000

# --- terms ------------------------------------------------------------------------
request_of budget01 terms set --fy 2014 --grant-type general --min 1億 --max 2億 --ref T-2014-G
expect_json action terms
expect_ok auditor01 --json terms show --fy 2014
check "a requested terms entry is not in force" test "$(jcount)" = 1
expect_error FORBIDDEN oblig02 approve "$REQ"
expect_ok budget02 --json approve "$REQ"
approved_entry terms
expect_ok auditor01 --json terms show --fy 2014
check "the approved terms are in force" test "$(jcount)" = 2

# --- approval after the rules changed: the award reduced -----------------------------
request_of disb01 disburse --region toyama --fy 2013 --amount 1.5億 --ref V-0007 --date 2013-08-07
shrunk=$REQ
expect_ok oblig01 award --region toyama --fy 2013 --amount 1.2億 --date 2013-09-01 --ref AW-toyama-2
expect_error OVER_AWARD disb02 approve "$shrunk"
check "the refusal names the recorded approval" grep -qE "approval recorded as seq [0-9]+ with status refused" "$ERR"
run ctl disb02 --json approve "$shrunk"
if [ "$RC" -eq 1 ] && [ "$(jget error)" = NOT_PENDING ]; then
	ok "a refused approval decided the request: approving again is NOT_PENDING"
else
	not_ok "approving a refused request again: want NOT_PENDING"
fi
expect_ok auditor01 --json balance --fy 2013 --region toyama
expect_json disbursed 0
expect_ok auditor01 --json get "$shrunk"
expect_json status refused

# --- close-year, and a payment approved after its year closed -----------------------
request_of disb01 disburse --region iwate-next-mobility --fy 2013 --amount 3億 --ref V-0008 --date 2013-08-08
late=$REQ
request_of budget01 close-year --account reconstruction --fy 2013
expect_json action close-year
expect_json request '{"account": "reconstruction", "fy": 2013}'
expect_error SELF_APPROVAL budget01 approve "$REQ"
expect_ok budget02 --json approve "$REQ"
approved_entry year_close
REQ=$late
run ctl disb02 --json approve "$late"
if [ "$RC" -eq 1 ] && [ "$(jget error)" = YEAR_CLOSED ] && [ "$(jget seq)" -gt "$late" ] 2>/dev/null; then
	ok "YEAR_CLOSED at approval; the error's seq names the approval recorded"
else
	not_ok "approval after the year closed: want YEAR_CLOSED with the approval's seq"
fi
late_appr=$(jget seq)
expect_ok auditor01 --json get "$late_appr"
expect_json kind approval
expect_json status refused
expect_json refusal YEAR_CLOSED
expect_json actor disb02

# --- reject, and withdrawal by the author ------------------------------------------
request_of disb01 disburse --region kyoto --fy 2013 --amount 1.2億 --ref V-0009 --date 2013-08-09
withdrawn=$REQ
expect_usage "reject needs a reason" "missing --reason" disb01 reject "$withdrawn"
expect_error FORBIDDEN oblig01 reject "$withdrawn" --reason "not my duty"
expect_ok disb01 --json reject "$withdrawn" --reason "typed twice: withdrawn"
expect_json kind approval
expect_json status rejected
expect_json request "$withdrawn"
expect_json reason "typed twice: withdrawn"
expect_error NOT_PENDING disb02 approve "$withdrawn"
check "NOT_PENDING says how it was decided" grep -qE "request $withdrawn was rejected by seq [0-9]+" "$ERR"
request_of disb01 disburse --region kyoto --fy 2013 --amount 1.1億 --ref V-0010 --date 2013-08-10
rejected=$REQ
expect_ok disb02 reject "$rejected" --reason "no voucher attached"
check "reject prints the approval entry" grep -q "^status: rejected" "$OUT"
expect_error NOT_PENDING disb02 reject "$rejected" --reason "again"
expect_ok auditor01 --json balance --fy 2013 --region kyoto
expect_json disbursed 0

# --- import: a row over the threshold becomes a request -----------------------------
printf 'kind,region,fy,amount,ref,date,memo,id\ndisbursement,toyama,2013,1000,V-I1,2013-08-20,,imp-1\ndisbursement,toyama,2013,110000000,V-I2,2013-08-20,,imp-2\n' >"$T/import.csv"
expect_ok disb01 import "$T/import.csv"
check "import says what awaits approval" grep -qF "1 of them await approval by another officer" "$OUT"
expect_ok disb01 --json import "$T/import.csv"
expect_json duplicates 2 type=summary
expect_ok auditor01 --json get --id imp-2
expect_json kind request
expect_json status pending
imported=$(jfield seq)
expect_ok disb02 approve "$imported"

# --- pending, and an open request -------------------------------------------------
request_of disb01 disburse --region kyoto --fy 2013 --amount 1.05億 --ref V-0011 --date 2013-08-11
open_req=$REQ
expect_ok auditor01 --json pending
check "pending lists only the open request" test "$(jcount)" = 1
expect_json seq "$open_req"
expect_ok auditor01 --lang ja pending
check "pending in Japanese" grep -qF "申請者" "$OUT"
expect_ok auditor01 list --kind request
check "list marks an approved request" grep -qE "^ *$over +request +approved by $appr_over " "$OUT"
check "list marks a refused request" grep -qE "^ *$shrunk +request +refused by " "$OUT"
check "list marks a pending request" grep -qE "^ *$open_req +request +pending " "$OUT"
expect_ok auditor01 --lang ja list --kind approval
check "list in Japanese words the approvals" grep -qF "番の申請を否認" "$OUT"

# --- report --approvals ----------------------------------------------------------
expect_ok auditor01 --json report --approvals --fy 2013
expect_json status approved request="$over"
expect_json requested_by disb01 request="$over"
expect_json decided_by disb02 request="$over"
expect_json approval "$appr_over" request="$over"
expect_json entry "$((appr_over + 1))" request="$over"
expect_json status refused request="$shrunk"
expect_json refusal OVER_AWARD request="$shrunk"
expect_json status refused request="$late"
expect_json refusal YEAR_CLOSED request="$late"
expect_json status rejected request="$withdrawn"
expect_json decided_by disb01 request="$withdrawn"
expect_json reason "typed twice: withdrawn" request="$withdrawn"
expect_json status rejected request="$rejected"
expect_json status pending request="$open_req"
expect_json action close-year action=close-year
expect_ok auditor01 report --approvals --fy 2013
check "the report counts the statuses" grep -qE "^FY2013: [0-9]+ requests: [0-9]+ approved, 2 refused, 2 rejected, 0 expired, 1 pending" "$OUT"
check "the report shows both CNs" grep -qE "^ *$over +disburse +aichi-nanotech +2013 +150,000,000 +disb01 .* approved +disb02 " "$OUT"
expect_ok auditor01 report --approvals --fy 2013 --format csv --output "$T/approvals.csv"
check "the report saved as CSV" grep -q "^request,action,region,fy,amount,ref,reverses,requested_by" "$T/approvals.csv"
expect_usage "--approvals is not html" "--format" auditor01 report --approvals --fy 2013 --format html

# --- an export verifies with the requests' status -------------------------------------
"$LEDGERD" -c "$CONF" --print-verifier >"$T/vkey" 2>"$T/vkey.err"
expect_ok auditor01 checkpoint
cp "$OUT" "$T/note"
expect_ok auditor01 export --format jsonl
cp "$OUT" "$T/export.jsonl"
expect_ok auditor01 verify-export "$T/export.jsonl" --checkpoint "$T/note" --verifier "$T/vkey"
"$LD_PY" - "$T/export.jsonl" "$T/forged.jsonl" "$withdrawn" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["seq"] == int(sys.argv[3]):
        o["status"] = "approved"
    out.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
run ctl auditor01 verify-export "$T/forged.jsonl" --checkpoint "$T/note" --verifier "$T/vkey"
if [ "$RC" -eq 4 ] && grep -qF "another status than this approval" "$ERR"; then
	ok "verify-export: a rejected request said approved is caught"
else
	not_ok "verify-export of a forged status: want exit 4"
fi

# --- expiry: the daemon's clock moved past expire_days --------------------------------
lib=
for l in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 \
    /usr/lib/*/faketime/libfaketimeMT.so.1; do
	[ -e "$l" ] && lib=$l && break
done
if [ -n "$lib" ]; then
	stop_daemon
	echo "+15d" >"$T/faketime"
	# An ASan build wants its runtime first; libfaketime only wraps clocks.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	export FAKETIME_TIMESTAMP_FILE=$T/faketime FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1
	LD_PRELOAD=$lib start_or_die --same-port
	expect_error NOT_PENDING disb02 approve "$open_req"
	check "NOT_PENDING says it expired" grep -qF "request $open_req expired on" "$ERR"
	# ledgerctl judges expiry by its own clock: moved as the daemon's.
	LD_PRELOAD=$lib run ctl auditor01 --json report --approvals --fy 2013
	expect_json status expired request="$open_req"
	expect_json decided_by null request="$open_req"
	LD_PRELOAD=$lib run ctl auditor01 --json pending
	check "an expired request is not pending" test "$(jcount)" = 0
	LD_PRELOAD=$lib run ctl auditor01 --json get "$open_req"
	expect_json status expired
	# Time goes on: a new request expires 14 days after it was made.
	request_of disb01 disburse --region kyoto --fy 2013 --amount 1.01億 --ref V-0012 --date 2013-08-12
	expect_ok disb02 --json approve "$REQ"
	approved_entry disbursement
	unset FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE FAKETIME_DONT_FAKE_MONOTONIC
else
	echo "# libfaketime is not installed (scripts/install-deps.sh --test installs faketime): expiry not tested"
fi

# --- --verify replays requests and approvals ---------------------------------------
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
finish
