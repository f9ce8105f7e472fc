#!/usr/bin/env bash
# terms.sh - programme terms in the ledger and the lifecycle's refusals, as a
# user meets them through ledgerctl (contract version 2, 2.1 and 2.2).
#
# Each new error code is provoked at its place in the precedence order and
# checked for exit 1, "ledgerctl: CODE:" and a ledger left as it was
# (expect_refusal).  The walk-through with figures is lifecycle.sh.
. "$(dirname "$0")/lib.sh"

setup
start_or_die

wseq() { jget seq; }

expect_ok admin01 region add aichi-nanotech --name 愛知 --grant-type general
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 region add iwate-next-mobility --name いわて --grant-type reconstruction
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI
expect_ok admin01 appropriate --account reconstruction --fy 2013 --amount 1,505,000,000 --ref MEXT-H25-R

# --- terms ---------------------------------------------------------------------
# No terms yet: an award is NO_TERMS, which comes before DATE_OUTSIDE_FY.
expect_refusal NO_TERMS admin01 award --region aichi-nanotech --fy 2013 --amount 1.5億 --date 2013-07-10 --ref AW-x
expect_refusal NO_TERMS admin01 award --region aichi-nanotech --fy 2013 --amount 1.5億 --date 2015-07-10 --ref AW-x
# ... but UNKNOWN_REGION comes before NO_TERMS.
expect_refusal UNKNOWN_REGION admin01 award --region nowhere --fy 2013 --amount 1.5億 --date 2013-07-10 --ref AW-x
# Usage errors, before any connection: both bounds or neither, a range for
# general and reconstruction, the deadline's window, rates with two decimals.
expect_exit 2 ctl admin01 terms set --fy 2013 --grant-type general --min 1億 --ref T
expect_exit 2 ctl admin01 terms set --fy 2013 --grant-type general --ref T
expect_exit 2 ctl admin01 terms set --fy 2013 --grant-type general --min 2億 --max 1億 --ref T
expect_exit 2 ctl admin01 terms set --fy 2013 --grant-type continuing --settlement-deadline 2014-06-01 --ref T
expect_exit 2 ctl admin01 terms set --fy 2013 --grant-type continuing --interest-rate 10.955 --ref T
expect_exit 2 ctl admin01 terms set --fy 2013 --grant-type continuing --ref T --late-rate abc
# Only the budget side (admin) sets terms.
expect_refusal FORBIDDEN clerk01 terms set --fy 2013 --grant-type continuing --ref T

expect_ok admin01 terms set --fy 2013 --grant-type general --min 1億 --max 2億 --ref MEXT-H25-TERMS --json
expect_json kind terms
expect_json min 100000000
expect_json max 200000000
expect_json settlement_deadline 2014-04-30
expect_json interest_rate_bp 1095
expect_json late_rate_bp 1095
expect_json account general
expect_ok admin01 terms set --fy 2013 --grant-type reconstruction --min 2.5億 --max 5億 \
	--settlement-deadline 2014-05-31 --interest-rate 5 --late-rate 14.6 --ref MEXT-H25-TERMS --json
expect_json settlement_deadline 2014-05-31
expect_json interest_rate_bp 500
expect_json late_rate_bp 1460
expect_ok admin01 terms set --fy 2013 --grant-type continuing --ref MEXT-H25-TERMS --json
expect_json min null
# A retry with the same id and the deadline left to its default is a duplicate.
expect_ok admin01 terms set --fy 2013 --grant-type continuing --ref MEXT-H25-TERMS --id t-c --json
expect_ok admin01 terms set --fy 2013 --grant-type continuing --ref MEXT-H25-TERMS --id t-c --json
expect_json duplicate true
expect_ok auditor01 terms show --fy 2013 --json
check "terms show: one line per grant type" test "$(jcount)" -eq 3
expect_json settlement_deadline 2014-05-31 grant_type=reconstruction

# --- awards: decision date, range, change ----------------------------------------
expect_refusal DATE_OUTSIDE_FY admin01 award --region aichi-nanotech --fy 2013 --amount 1.5億 --date 2014-04-01 --ref AW-x
expect_refusal OUT_OF_RANGE admin01 award --region aichi-nanotech --fy 2013 --amount 9000万 --date 2013-07-10 --ref AW-x
expect_exit 2 ctl admin01 award --region aichi-nanotech --fy 2013 --amount 1.5億 --ref AW-x
expect_ok admin01 award --region aichi-nanotech --fy 2013 --amount 1.5億 --date 2013-07-10 --ref AW-1 --json
expect_json date 2013-07-10
# A change may go below the first award's minimum.
expect_ok admin01 award --region aichi-nanotech --fy 2013 --amount 9000万 --date 2013-09-01 --ref AW-2
expect_ok admin01 award --region aichi-nanotech --fy 2013 --amount 1.5億 --date 2013-10-01 --ref AW-3
expect_ok admin01 award --region hakodate --fy 2013 --amount 3億 --date 2013-07-10 --ref AW-H
expect_ok admin01 award --region iwate-next-mobility --fy 2013 --amount 5億 --date 2013-07-10 --ref AW-I

# --- payments: DATE_BEFORE_AWARD after DATE_OUTSIDE_FY ------------------------------
expect_refusal DATE_BEFORE_AWARD clerk01 disburse --region aichi-nanotech --fy 2013 --amount 100万 --ref V-x --date 2013-07-09
expect_refusal DATE_OUTSIDE_FY clerk01 disburse --region aichi-nanotech --fy 2013 --amount 100万 --ref V-x --date 2013-03-31
# The general terms' deadline is 2014-04-30; the reconstruction one's 05-31.
expect_refusal DATE_OUTSIDE_FY clerk01 disburse --region aichi-nanotech --fy 2013 --amount 100万 --ref V-x --date 2014-05-01
expect_ok clerk01 disburse --region iwate-next-mobility --fy 2013 --amount 100万 --ref V-I0 --date 2014-05-31
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 5000万 --ref V-1 --date 2013-08-01
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 1億 --ref V-H1 --date 2013-08-01 --json
H1=$(wseq)
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 5000万 --ref V-H2 --date 2013-11-01
expect_ok clerk01 disburse --region iwate-next-mobility --fy 2013 --amount 3億 --ref V-I1 --date 2013-08-01

# --- cancellation: the award becomes 0 and the paid money is ordered back ---------------
expect_refusal BAD_REQUEST admin01 cancel-award --region hakodate --fy 2013 --date 2014-01-15 --reason 不正受給 --ref C-1
expect_refusal NO_RECEIVABLE clerk01 receive --region hakodate --fy 2013 --amount 100万 --date 2014-01-20 --ref RC-x
expect_ok admin01 cancel-award --region hakodate --fy 2013 --date 2014-01-15 --reason 不正受給 \
	--repay-by 2014-02-14 --ref C-1 --json
expect_json kind award_cancel
expect_json amount 300000000
expect_json principal 150000000
expect_json repay_by 2014-02-14
expect_refusal NO_AWARD clerk01 disburse --region hakodate --fy 2013 --amount 100万 --ref V-x --date 2014-01-20
expect_refusal NO_AWARD admin01 cancel-award --region hakodate --fy 2013 --date 2014-01-16 --reason again \
	--repay-by 2014-02-14 --ref C-2
# Its payments made the order: they are no longer reversible.
expect_refusal NOT_REVERSIBLE clerk01 reverse "$H1" --reason "fixed by the order"
expect_ok auditor01 balance --fy 2013 --region hakodate --json
expect_json award 0
expect_json receivable_outstanding "$(ctl auditor01 receivables --fy 2013 --region hakodate --json </dev/null | "$LD_PY" -c 'import json,sys; print(json.loads(sys.stdin.readline())["outstanding"])')"
# Repayment before the order's date, or more than is owed.
expect_refusal DATE_OUTSIDE_FY clerk01 receive --region hakodate --fy 2013 --amount 100万 --date 2014-01-14 --ref RC-x
expect_refusal OVER_RECEIPT clerk01 receive --region hakodate --fy 2013 --amount 1.6億 --date 2014-01-20 --ref RC-x
expect_refusal FORBIDDEN admin01 receive --region hakodate --fy 2013 --amount 100万 --date 2014-01-20 --ref RC-x
expect_ok clerk01 receive --region hakodate --fy 2013 --amount 1億 --date 2014-01-20 --ref RC-1 --json
expect_json principal 100000000
RC1=$(wseq)
# A receipt is reversible (by the clerk side) and then owed again.
expect_ok clerk01 reverse "$RC1" --reason "bank returned it" --json
expect_json reverses "$RC1"
expect_ok auditor01 receivables --fy 2013 --region hakodate --as-of 2014-01-20 --json
expect_json principal_paid 0

# --- settlement ---------------------------------------------------------------------------
expect_refusal OVER_AWARD admin01 settle --region aichi-nanotech --fy 2013 --amount 1.6億 --date 2014-05-30 --ref S-x
expect_refusal DATE_OUTSIDE_FY admin01 settle --region aichi-nanotech --fy 2013 --amount 1億 --date 2013-07-09 --ref S-x
expect_ok admin01 settle --region aichi-nanotech --fy 2013 --amount 1億 --date 2014-03-30 --ref S-1 --json
expect_json principal 0
expect_refusal SETTLED admin01 settle --region aichi-nanotech --fy 2013 --amount 1億 --date 2014-03-31 --ref S-2
expect_refusal SETTLED admin01 award --region aichi-nanotech --fy 2013 --amount 1.2億 --date 2014-03-30 --ref AW-x
expect_refusal SETTLED clerk01 refund --region aichi-nanotech --fy 2013 --amount 100万 --ref R-x --date 2014-04-01
expect_refusal SETTLED admin01 carry-over --region aichi-nanotech --fy 2013 --amount 100万 --kind accident \
	--date 2014-03-31 --ref CO-x
# 精算払: up to the settled amount, no further.
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 5000万 --ref V-2 --date 2014-04-10
expect_refusal OVER_AWARD clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1 --ref V-x --date 2014-04-10

# --- carry-over ---------------------------------------------------------------------------
expect_refusal OVER_AWARD admin01 carry-over --region iwate-next-mobility --fy 2013 --amount 2億 --kind accident \
	--date 2014-03-31 --ref CO-x
expect_exit 2 ctl admin01 carry-over --region iwate-next-mobility --fy 2013 --amount 1億 --kind sometimes \
	--date 2014-03-31 --ref CO-x
expect_ok admin01 carry-over --region iwate-next-mobility --fy 2013 --amount 1億 --kind accident \
	--date 2014-03-31 --ref CO-1 --json
expect_json carry_kind accident
expect_ok clerk01 disburse --region iwate-next-mobility --fy 2014 --amount 1億 --ref V-I14 --date 2014-06-30
expect_refusal OVER_AWARD clerk01 disburse --region iwate-next-mobility --fy 2014 --amount 1 --ref V-x --date 2014-06-30
expect_ok auditor01 balance --fy 2014 --account reconstruction --json
expect_json carried_in 100000000
expect_json budget 100000000

# --- closing -------------------------------------------------------------------------------
# FY2026's deadline, 2027-04-30, has not passed (the clock says so); a closed
# year is YEAR_CLOSED before TOO_EARLY.
expect_refusal TOO_EARLY admin01 close-year --account general --fy 2026
expect_ok admin01 close-year --account general --fy 2013 --json
expect_json carried_out 0
expect_json budget 16221000000
expect_refusal YEAR_CLOSED admin01 close-year --account general --fy 2013
expect_refusal YEAR_CLOSED admin01 terms set --fy 2013 --grant-type general --min 1億 --max 2億 --ref T
# After the close, orders and receipts of that year are still accepted.
expect_ok clerk01 receive --region hakodate --fy 2013 --amount 1000万 --date 2014-06-20 --ref RC-2

# --- the ledger verifies, and a restart serves the same ------------------------------------
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
start_or_die --same-port
expect_ok auditor01 balance --fy 2013 --region hakodate --json
expect_json award 0

finish
