#!/usr/bin/env bash
# race.sh - concurrent writers cannot overspend an award.
#
# Twelve clerks, each with their own certificate and connection, send at the
# same time into room for fewer of them.  Whatever the interleaving and
# however the daemon batches its commits, exactly as many succeed as fit, the
# others are refused with the rule's code, and the balance adds up.  The
# result does not depend on timing: only the amount of overlap does.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013

# race WANT_OK CODE CMD-ARGS...: every clerk runs `ledgerctl CMD-ARGS --ref
# V-<clerk>` at once; WANT_OK succeed and the rest are refused with CODE.
race() {
	local want=$1 code=$2 i cn good=0 refused=0 other=0 rc
	shift 2
	local pids=()
	for cn in "${LD_CLERKS[@]}"; do
		ctl "$cn" "$@" --ref "V-$cn-$RANDOM" >"$T/race.$cn.out" 2>"$T/race.$cn.err" </dev/null &
		pids+=($!)
	done
	i=0
	for cn in "${LD_CLERKS[@]}"; do
		wait "${pids[$i]}"
		rc=$?
		i=$((i + 1))
		if [ "$rc" -eq 0 ]; then
			good=$((good + 1))
		elif [ "$rc" -eq 1 ] && grep -qF "ledgerctl: $code:" "$T/race.$cn.err"; then
			refused=$((refused + 1))
		else
			other=$((other + 1))
			echo "  $cn: exit $rc: $(cat "$T/race.$cn.err")"
		fi
	done
	if [ "$good" -eq "$want" ] && [ "$other" -eq 0 ]; then
		ok "12 racing $1: $good written, $refused $code"
	else
		not_ok "12 racing $1: $good written (want $want), $refused $code, $other other"
	fi
}

expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 region add aichi-nanotech --name 愛知 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI

# A continuing region has no range: an award of exactly 40 million.
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 4000万 --ref AW-1
race 8 OVER_AWARD disburse --region hakodate --fy 2013 --amount 5,000,000 --date 2013-06-30
expect_ok auditor01 balance --fy 2013 --region hakodate --json
expect_json disbursed 40000000
expect_json remaining 0

# 1.5億 awarded, 110 million paid: 40 million of room again.
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-2
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 110,000,000 --ref V-0001 --date 2013-06-30
race 8 OVER_AWARD disburse --region aichi-nanotech --fy 2013 --amount 5,000,000 --date 2013-07-01
expect_ok auditor01 balance --fy 2013 --region aichi-nanotech --json
expect_json disbursed 150000000
expect_json net 150000000
expect_json remaining 0

# Refunds race against net disbursed: 150 million holds seven of 20 million.
race 7 OVER_REFUND refund --region aichi-nanotech --fy 2013 --amount 20,000,000 --date 2013-08-01
expect_ok auditor01 balance --fy 2013 --region aichi-nanotech --json
expect_json refunded 140000000
expect_json net 10000000

expect_ok auditor01 list --kind disbursement --json
[ "$(jcount)" -eq 17 ] && ok "17 disbursements recorded" || not_ok "want 17 disbursements, got $(jcount)"

stop_daemon
finish
