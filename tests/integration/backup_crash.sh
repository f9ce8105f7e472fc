#!/usr/bin/env bash
# backup_crash.sh - `ledgerd --backup DIR` killed with SIGKILL at several
# points.
#
# Issue 14, item 4.  The copy is written under a temporary name
# (.data.mdb.partial.PID), fsynced, verified and only then renamed to
# data.mdb: whenever the backup is killed, DIR holds either no data.mdb or
# one that verifies, and anything else in it is the clearly named partial
# file, which the next backup into DIR removes before it succeeds.  The
# finished copy is mode 0600.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
# Enough entries that copying and verifying take a moment.
expect_ok admin01 appropriate --account general --fy 2013 --amount 10億 --ref A-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-1
for i in $(seq 1 30); do
	ctl clerk01 disburse --region hakodate --fy 2013 --amount 1,000 --ref "W-$i" \
		--date 2013-09-01 --id "w-$i" >/dev/null 2>&1 </dev/null
done

# verify_dir DIR: ledgerd --verify on DIR's data.mdb alone.
verify_dir() {
	sed "s#^path = .*#path = $1#" "$CONF" >"$T/bk.conf"
	"$LEDGERD" -c "$T/bk.conf" --verify >"$T/bk.out" 2>&1 </dev/null
}

bad=0
for delay in 0 0.002 0.005 0.01 0.02 0.04 0.08 0.15; do
	D=$T/bk-$delay
	"$LEDGERD" -c "$CONF" --backup "$D" >/dev/null 2>&1 </dev/null &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ -e "$D/data.mdb" ] && ! verify_dir "$D"; then
		bad=$((bad + 1))
		not_ok "killed after ${delay}s: data.mdb is there and does not verify: $(cat "$T/bk.out")"
	fi
	others=$(ls -A "$D" 2>/dev/null | grep -vxE 'data\.mdb|lock\.mdb|\.data\.mdb\.partial\.[0-9]+' || true)
	[ -z "$others" ] || { bad=$((bad + 1)); not_ok "killed after ${delay}s: unexpected files: $others"; }
	state=$( [ -e "$D/data.mdb" ] && echo done || echo "no data.mdb$(ls -A "$D" 2>/dev/null | grep -q partial && echo ', partial left')")
	echo "# killed after ${delay}s: $state"
done
[ "$bad" -eq 0 ] && ok "a backup killed at 8 points never leaves a data.mdb that does not verify"

# A backup into a directory with a partial left behind: removed, then done.
D=$T/bk-partial
mkdir -m 0700 "$D"
head -c 100000 /dev/urandom >"$D/.data.mdb.partial.99999"
run "$LEDGERD" -c "$CONF" --backup "$D"
check "backup over a partial copy succeeds (exit $RC: $(head -c 200 "$ERR"))" test "$RC" -eq 0
check "... it says it removed the partial copy" grep -q "removed .data.mdb.partial.99999" "$ERR"
check "... only data.mdb is left ($(ls -A "$D" | tr '\n' ' '))" test "$(ls -A "$D")" = data.mdb
check "... the copy is mode 0600 ($(stat -c %a "$D/data.mdb"))" test "$(stat -c %a "$D/data.mdb")" = 600
check "... and verifies" verify_dir "$D"
# A directory with anything else is still refused.
D=$T/bk-other
mkdir -m 0700 "$D"
: >"$D/notes.txt"
expect_exit 1 "$LEDGERD" -c "$CONF" --backup "$D"
check "a target holding other files is refused" grep -q "not empty" "$ERR"
stop_daemon
finish
