#!/usr/bin/env bash
# restart.sh - what was acknowledged survives SIGTERM, kill -9 and restart.
#
# The ledger read back after a restart is byte-identical to the one before
# (list, region list, balances, the tree's size and root in status).  Then
# writers run while the daemon is killed (-9) or stopped (SIGTERM): every
# write a client saw acknowledged is in the ledger after the restart, seqs
# have no gaps, and `ledgerd --verify` finds the ledger intact.  The writers
# wait for acknowledgements, not for time, so machine speed does not matter.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013

# snapshot NAME: what a reader sees, into $T/NAME.*.
snapshot() {
	ctl auditor01 list --json >"$T/$1.list" 2>&1 </dev/null
	ctl auditor01 region list --json >"$T/$1.regions" 2>&1 </dev/null
	ctl auditor01 balance --fy 2013 --json >"$T/$1.balance" 2>&1 </dev/null
	ctl auditor01 status --json 2>&1 </dev/null |
		"$LD_PY" -c 'import json,sys; o=json.loads(sys.stdin.readline()); print(o["size"], o["root"])' \
			>"$T/$1.tree" 2>&1
}
# same A B WHAT: snapshots A and B agree.
same() {
	local f bad=
	for f in list regions balance tree; do
		cmp -s "$T/$1.$f" "$T/$2.$f" || bad="$bad $f"
	done
	if [ -z "$bad" ] && [ -s "$T/$1.list" ]; then
		ok "$3: ledger identical (list, region list, balance, tree size and root)"
	else
		not_ok "$3: differs in:$bad"
		diff "$T/$1.list" "$T/$2.list" | head -5
	fi
}
verify_offline() {
	expect_exit 0 "$LEDGERD" -c "$CONF" --verify
}

expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 region add aichi-nanotech --name 愛知県 --grant-type general --category 国際競争力強化地域
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-2
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 5000万 --ref V-1 --date 2013-06-30 --memo 概算払
expect_ok clerk01 refund --region aichi-nanotech --fy 2013 --amount 100万 --ref R-1 --date 2013-07-30
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 2000万 --ref V-1b --date 2013-07-31 --json
D2=$(jget seq)
expect_ok clerk01 reverse "$D2" --reason 訂正

snapshot a
stop_daemon
verify_offline
start_or_die --same-port
snapshot b
same a b "after SIGTERM and restart"

expect_ok clerk02 disburse --region aichi-nanotech --fy 2013 --amount 1000万 --ref V-2 --date 2013-08-30 --id pay-2
snapshot c
kill_daemon
start_or_die --same-port
snapshot d
same c d "after kill -9 and restart"
expect_ok clerk02 disburse --region aichi-nanotech --fy 2013 --amount 1000万 --ref V-2 --date 2013-08-30 --id pay-2 --json
expect_json duplicate true

# writers ROUND: three clerks write with fresh ids until stopped; each id is
# appended to $T/acked.ROUND only after ledgerctl reported success.
writers() {
	local cn
	for cn in clerk03 clerk04 clerk05; do
		(
			i=0
			while [ -d "$T" ]; do
				i=$((i + 1))
				if ctl "$cn" disburse --region hakodate --fy 2013 --amount 1,000 --ref "W-$cn-$i" \
					--date 2013-09-01 --id "$1-$cn-$i" >/dev/null 2>&1 </dev/null; then
					echo "$1-$cn-$i" >>"$T/acked.$1"
				fi
			done
		) &
		LD_BG_PIDS+=($!)
	done
}
stop_writers() {
	kill "${LD_BG_PIDS[@]}" 2>/dev/null
	wait "${LD_BG_PIDS[@]}" 2>/dev/null
	LD_BG_PIDS=()
}
# wait_acked ROUND N: until N writes of ROUND were acknowledged.
wait_acked() {
	local deadline=$((SECONDS + 90))
	while [ "$(cat "$T/acked.$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
		if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$DPID" 2>/dev/null; then
			return 1
		fi
		sleep 0.05
	done
}
# all_acked ROUND: every acknowledged id is in the ledger, seqs are 1..N.
all_acked() {
	ctl auditor01 list --json >"$T/list.$1" 2>&1 </dev/null
	if "$LD_PY" -c '
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ids = {e.get("id") for e in entries}
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
missing = [a for a in acked if a not in ids]
gapless = [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
print("%d acknowledged, %d missing, seqs %s" % (len(acked), len(missing), "gapless" if gapless else "NOT gapless"))
sys.exit(bool(missing) or not gapless)' "$T/list.$1" "$T/acked.$1" >"$T/acked.$1.report" 2>&1; then
		ok "$1: $(cat "$T/acked.$1.report")"
	else
		not_ok "$1: $(cat "$T/acked.$1.report")"
	fi
}

writers kill9
if wait_acked kill9 60; then
	kill_daemon
	stop_writers
	start_or_die --same-port
	all_acked kill9
else
	stop_writers
	not_ok "writers: 60 writes not acknowledged"
fi

writers term
if wait_acked term 60; then
	stop_daemon
	stop_writers
	verify_offline
	start_or_die --same-port
	all_acked term
else
	stop_writers
	not_ok "writers: 60 writes not acknowledged"
fi

snapshot e
stop_daemon
verify_offline
start_or_die --same-port
snapshot f
same e f "after the write storms, SIGTERM and restart"
stop_daemon
finish
