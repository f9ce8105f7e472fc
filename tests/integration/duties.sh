#!/usr/bin/env bash
# duties.sh - separation of duties (contract version 2, 2.7 and 2.10), as
# the officers of 会計法 meet it through ledgerctl: budget appropriates and
# sets terms, obligating awards and settles, disbursing pays and reverses
# payments, revenue receives; each is refused the others' work with
# FORBIDDEN naming its roles; a CN may hold several roles; a CN combining
# obligating, disbursing or revenue is refused at start, with its line,
# unless [duties] allow_combined = true.
. "$(dirname "$0")/lib.sh"

LD_CNS+=(budget01 oblig01 disb01 rev01 multi01)
setup "budget01 = budget
oblig01 = obligating
disb01 = disbursing
rev01 = revenue, auditor
multi01 = budget, obligating"
start_or_die

expect_ok budget01 region add hakodate --name 函館地域 --grant-type general
expect_ok budget01 appropriate --account general --fy 2013 --amount 3億 --ref BUDGET
expect_ok budget01 terms set --fy 2013 --grant-type general --min 1億 --max 2億 --ref T-2013
expect_error FORBIDDEN budget01 award --region hakodate --fy 2013 --amount 1.5億 --date 2013-05-01 --ref AW-1
check "FORBIDDEN names the role" grep -qF 'certificate CN "budget01" has role budget, which may not write an award' "$ERR"
expect_ok oblig01 award --region hakodate --fy 2013 --amount 1.5億 --date 2013-05-01 --ref AW-1
expect_error FORBIDDEN oblig01 disburse --region hakodate --fy 2013 --amount 1000 --ref V-1 --date 2013-06-30
expect_error FORBIDDEN oblig01 appropriate --account general --fy 2013 --amount 1億 --ref B-2
expect_ok disb01 --json disburse --region hakodate --fy 2013 --amount 5000万 --ref V-1 --date 2013-06-30
paid=$(jget seq)
expect_error FORBIDDEN disb01 award --region hakodate --fy 2013 --amount 1.6億 --date 2013-05-02 --ref AW-2
expect_error FORBIDDEN disb01 receive --region hakodate --fy 2013 --amount 1000 --date 2014-06-01 --ref R-1
expect_error FORBIDDEN rev01 disburse --region hakodate --fy 2013 --amount 1000 --ref V-2 --date 2013-06-30
expect_error FORBIDDEN rev01 reverse "$paid" --reason "not theirs"
check "FORBIDDEN names every role" grep -qF 'has roles auditor,revenue, which may not reverse a disbursement' "$ERR"
expect_ok disb01 reverse "$paid" --reason "typed the wrong amount"
expect_error FORBIDDEN budget01 reverse "$paid" --reason "x"
# Roles add up: multi01 may do both budget's and obligating's work.
expect_ok multi01 appropriate --account general --fy 2013 --amount 1億 --ref B-3
expect_ok multi01 award --region hakodate --fy 2013 --amount 1.6億 --date 2013-05-03 --ref AW-3
expect_error FORBIDDEN multi01 disburse --region hakodate --fy 2013 --amount 1000 --ref V-3 --date 2013-06-30
# The version 1 roles keep their meaning.
expect_ok admin01 appropriate --account general --fy 2013 --amount 1億 --ref B-4
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 1000 --ref V-4 --date 2013-06-30
# status lists every role; "role" is the first of them.
expect_ok multi01 --json status
expect_json roles '["budget", "obligating"]'
expect_json role budget
expect_ok rev01 status
check "status shows the roles" grep -qF "roles: auditor, revenue" "$OUT"
# Readers still only read.
expect_error FORBIDDEN auditor01 appropriate --account general --fy 2013 --amount 1億 --ref B-5

# --- combined duties refused at start ---------------------------------------------------
stop_daemon
printf 'combo01 = disbursing, revenue\n' >>"$CONF"
line=$(grep -n '^combo01 = ' "$CONF" | cut -d: -f1)
expect_exit 1 "$LEDGERD" -c "$CONF" --check
check "the refusal names the line and the CN" grep -qF "$(basename "$CONF"):$line: combo01 holds two of obligating, disbursing and revenue" "$ERR"
printf '[duties]\nallow_combined = true\n' >>"$CONF"
expect_exit 0 "$LEDGERD" -c "$CONF" --check
start_or_die
expect_ok auditor01 status
finish
