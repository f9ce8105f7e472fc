#!/usr/bin/env bash
# clock.sh - a wall clock that steps back (issue 14, item 5), with Debian's
# libfaketime under the real daemon: recorded_at never goes back along seq,
# uptime_s and the checkpoint's age never go negative, and the rules'
# "today" follows recorded_at, not the stepped clock.
#
# The daemon runs with FAKETIME_TIMESTAMP_FILE (re-read at every call), the
# offset first one hour ahead, then stepped back to the real time: the
# certificates stay valid either way.  CLOCK_MONOTONIC is left alone, as a
# real step leaves it.
. "$(dirname "$0")/lib.sh"

lib=
for l in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 \
    /usr/lib/*/faketime/libfaketimeMT.so.1; do
	[ -e "$l" ] && lib=$l && break
done
if [ -z "$lib" ]; then
	echo "# libfaketime is not installed (scripts/install-deps.sh --test installs faketime): skipped"
	exit 77
fi

setup
MPORT=$((PORT + 1))
printf '[metrics]\nlisten = 127.0.0.1:%s\n' "$MPORT" >>"$CONF"
echo "+1h" >"$T/faketime"
# An ASan build wants its runtime first in the library list; libfaketime
# only wraps the clock calls, so the order check can go.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export LD_PRELOAD=$lib FAKETIME_TIMESTAMP_FILE=$T/faketime FAKETIME_NO_CACHE=1 \
	FAKETIME_DONT_FAKE_MONOTONIC=1
start_or_die
unset LD_PRELOAD	# the clients run on the real clock
seed_terms 2013
expect_ok admin01 region add hakodate --name 函館地域 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 3億 --ref BUDGET
expect_ok admin01 award --region hakodate --fy 2013 --amount 1.5億 --date 2013-05-01 --ref AW-1
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 1000 --ref V-1 --date 2013-07-01
before=$(jget recorded_at)
now_real=$(date -u +%s)
check "the daemon's clock runs an hour ahead" "$LD_PY" -c '
import sys, datetime
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
sys.exit(0 if t.timestamp() > int(sys.argv[2]) + 3000 else 1)' "$before" "$now_real"

# The clock steps back an hour.
echo "+0" >"$T/faketime"
sleep 1
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 1000 --ref V-2 --date 2013-07-01
after=$(jget recorded_at)
# The writer takes max(now, last): the stamp stays at the last one.
check "recorded_at did not go back ($before, then $after)" test ! "$after" \< "$before"
expect_ok auditor01 --json list
"$LD_PY" -c '
import json, sys
prev = ""
for line in open(sys.argv[1]):
    t = json.loads(line)["recorded_at"]
    if t < prev:
        sys.exit("seq %d goes back: %s < %s" % (json.loads(line)["seq"], t, prev))
    prev = t' "$OUT" && ok "recorded_at never decreases along seq" || not_ok "recorded_at decreases"
expect_ok auditor01 --json status
check "uptime_s is not negative" "$LD_PY" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["uptime_s"] < 0)' "$OUT"
# The checkpoint's age is never negative, though the newest entry was
# recorded "an hour ahead" of the clock now.
"$LD_PY" -c '
import sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
age = [l for l in body.splitlines() if l.startswith("ledgerd_checkpoint_age_seconds ")]
sys.exit(0 if age and float(age[0].split()[1]) >= 0 else 1)' "$MPORT" &&
	ok "ledgerd_checkpoint_age_seconds is not negative" || not_ok "checkpoint age negative or missing"
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
finish
