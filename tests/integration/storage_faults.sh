#!/usr/bin/env bash
# storage_faults.sh - the daemon when its disk fails, fills or stalls.
#
# Issue 14, items 1-3 and 5 (contract 2.10 "Storage failure").  The real
# daemon runs with tests/faultinj.c preloaded (LD_FAULTINJ), armed by a
# file only once the daemon is up, and each round fails one step of LMDB's
# commit on data.mdb:
#   - fdatasync -> EIO, the meta-page write -> EIO (LMDB's fatal state), a
#     short page write: the client sees STORAGE_ERROR, the log names the call
#     and the errno, a read during the failure is answered STORAGE_ERROR, the
#     daemon exits 1 within 5 s, restarts on the same file and serves, every
#     write acknowledged before is still there, and --verify says intact;
#   - a page write -> ENOSPC: STORAGE_FULL, the daemon keeps serving and
#     the next write goes through;
#   - fdatasync delayed 1.5 s with slow_commit_warn_ms = 1000: the write
#     succeeds, the log has the slow commit with its duration, status
#     counts it.
# And a truncated data.mdb: --verify and the daemon refuse it by name,
# never SIGBUS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hardening.sh"

[ -n "${LD_FAULTINJ:-}" ] && [ -f "$LD_FAULTINJ" ] ||
	skip "the fault injector (LD_FAULTINJ) is not built"

setup
REAL_LEDGERD=$LEDGERD
ARM=$T/faultinj.arm
# The daemon under the injector; exec keeps the pid lib.sh watches.
cat >"$T/ledgerd-faulty" <<EOF
#!/bin/sh
exec env LD_PRELOAD="$LD_FAULTINJ" FAULTINJ_ARM="$ARM" "$REAL_LEDGERD" "\$@"
EOF
chmod +x "$T/ledgerd-faulty"
LEDGERD=$T/ledgerd-faulty
# An ASan build wants its runtime first; the injector only wraps libc.
[ "${LD_SANITIZE:-OFF}" = ON ] && export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
conf_set slow_commit_warn_ms 1000 ledger

# arm KEY=VALUE...: the injector's settings (tests/faultinj.c), armed now.
arm() {
	printf '%s\n' "$@" >"$ARM.new" && mv "$ARM.new" "$ARM"
}

N=0
: >"$T/acked"
# write_ok: one disbursement with an id; its id is recorded as acknowledged.
write_ok() {
	N=$((N + 1))
	if ctl clerk01 disburse --region hakodate --fy 2013 --amount 1,000 --ref "W-$N" \
		--date 2013-09-01 --id "w-$N" >"$OUT" 2>"$ERR" </dev/null; then
		echo "w-$N" >>"$T/acked"
		return 0
	fi
	return 1
}

# all_acked_stored: every acknowledged id is in the ledger.
all_acked_stored() {
	ctl auditor01 list --json >"$T/list.json" 2>/dev/null </dev/null || return 1
	"$LD_PY" -c '
import json, sys
ids = set()
for line in open(sys.argv[1]):
    if line.strip():
        ids.add(json.loads(line).get("id"))
missing = [a.strip() for a in open(sys.argv[2]) if a.strip() not in ids]
if missing:
    sys.exit("missing: " + " ".join(missing[:5]))
' "$T/list.json" "$T/acked"
}

# wait_exit SECS: until the daemon exits; EXIT_RC and EXIT_MS set.
wait_exit() {
	local t0 now timedout=0
	t0=$(date +%s%N)
	while daemon_running; do
		now=$(date +%s%N)
		[ $(((now - t0) / 1000000)) -ge $(($1 * 1000)) ] && { timedout=1; break; }
		sleep 0.05
	done
	if [ "$timedout" -eq 1 ]; then
		EXIT_RC=running
		kill_daemon
	else
		wait "$DPID"
		EXIT_RC=$?
		DPID=
	fi
	EXIT_MS=$((($(date +%s%N) - T_FAIL) / 1000000))
}

# fault_round NAME CALL MODE ERRTEXT: arm, write (refused STORAGE_ERROR),
# read (STORAGE_ERROR), exit 1 within 5 s, restart, acknowledged writes
# kept, verify intact.
fault_round() {
	local name=$1 call=$2 mode=$3 errtext=$4
	log_mark
	write_ok && write_ok || not_ok "$name: writes before the fault: $(cat "$ERR")"
	arm CALL="$call" MODE="$mode"
	run ctl clerk01 disburse --region hakodate --fy 2013 --amount 1,000 --ref "F-$name" \
		--date 2013-09-01 --id "f-$name"
	T_FAIL=$(date +%s%N)
	if [ "$RC" -eq 1 ] && grep -q 'ledgerctl: STORAGE_ERROR:' "$ERR"; then
		ok "$name: the write is refused STORAGE_ERROR"
	else
		not_ok "$name: want exit 1 and STORAGE_ERROR, got exit $RC: $(cat "$ERR")"
	fi
	run ctl auditor01 status
	if [ "$RC" -eq 1 ] && grep -q 'ledgerctl: STORAGE_ERROR:' "$ERR"; then
		ok "$name: a read meanwhile is answered STORAGE_ERROR ($(head -c 160 "$ERR"))"
	else
		not_ok "$name: status during the failure: exit $RC: $(cat "$ERR")"
	fi
	wait_exit 8
	if [ "$EXIT_RC" = 1 ] && [ "$EXIT_MS" -le 5000 ]; then
		ok "$name: the daemon exits 1 within 5 s (${EXIT_MS} ms)"
	else
		not_ok "$name: daemon exit $EXIT_RC after ${EXIT_MS} ms"
	fi
	if since_mark | grep -Eq "storage failure: .*$errtext"; then
		ok "$name: the log names the cause: $(since_mark | grep -m1 -o "storage failure: .*$errtext")"
	else
		not_ok "$name: log lacks 'storage failure: ... $errtext': $(since_mark | tail -5)"
	fi
	rm -f "$ARM"
	start_or_die --same-port
	if all_acked_stored; then
		ok "$name: after the restart every acknowledged write ($(wc -l <"$T/acked")) is there"
	else
		not_ok "$name: acknowledged writes lost"
	fi
	write_ok && ok "$name: the restarted daemon takes writes" ||
		not_ok "$name: write after restart: $(cat "$ERR")"
}

start_or_die
seed_terms 2013
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 10億 --ref A-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-1
expect_ok auditor01 status --json
FREE=$(jget fs_free)
check "status reports the filesystem's free space ($FREE bytes) beside the map" \
	test "${FREE:-0}" -gt 0 -a "$(jget map_size)" -gt 0

fault_round fdatasync fdatasync EIO "mdb_txn_commit: Input/output error"
fault_round meta meta EIO "mdb_txn_commit: Input/output error"
fault_round short pages short "mdb_txn_commit: Input/output error"

# --- a full disk while writing pages: STORAGE_FULL, and the daemon goes on -----
log_mark
arm CALL=pages MODE=ENOSPC COUNT=1
expect_error STORAGE_FULL clerk01 disburse --region hakodate --fy 2013 --amount 1,000 \
	--ref F-nospace --date 2013-09-01 --id f-nospace
rm -f "$ARM"
expect_log "ENOSPC: the log names the call and errno" \
	"STORAGE_FULL \(.*data\.mdb: mdb_txn_commit: No space left on device\)"
check "ENOSPC: the daemon is still up" daemon_running
write_ok && ok "ENOSPC: the next write goes through" || not_ok "write after ENOSPC: $(cat "$ERR")"

# --- a stalling disk: logged with its duration, counted ------------------------
log_mark
arm CALL=fdatasync MODE=delay:1500 COUNT=1
write_ok && ok "slow fdatasync: the write is acknowledged" || not_ok "slow write: $(cat "$ERR")"
rm -f "$ARM"
expect_log "slow fdatasync: the log has the slow commit and its duration" \
	"slow commit: 1[0-9]{3} ms"
expect_ok auditor01 status --json
check "status counts the slow commit ($(jget slow_commits))" test "$(jget slow_commits)" -ge 1
check "status: no write in flight now ($(jget oldest_write_ms) ms)" test "$(jget oldest_write_ms)" -eq 0

stop_daemon
LEDGERD=$REAL_LEDGERD
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
grep -q "ledger intact" "$OUT" && ok "--verify: intact after every fault" ||
	not_ok "--verify said: $(cat "$OUT" "$ERR")"

# --- a truncated data.mdb: refused by name, no SIGBUS ------------------------
cp "$T/ledger/data.mdb" "$T/full.mdb"
SZ=$(stat -c %s "$T/ledger/data.mdb")
truncate -s $((SZ / 2)) "$T/ledger/data.mdb"
run "$LEDGERD" -c "$CONF" --verify
if [ "$RC" -eq 1 ] && grep -q "ledger damaged: .*data.mdb is truncated" "$ERR"; then
	ok "--verify on a truncated data.mdb: exit 1, $(head -c 200 "$ERR")"
else
	not_ok "--verify on a truncated data.mdb: exit $RC (SIGBUS is 135): $(cat "$ERR")"
fi
log_mark
run timeout 30 "$LEDGERD" -c "$CONF"
if [ "$RC" -eq 1 ] && grep -q "data.mdb is truncated" "$ERR"; then
	ok "the daemon refuses a truncated data.mdb: exit 1, named"
else
	not_ok "daemon on a truncated data.mdb: exit $RC: $(tail -3 "$ERR")"
fi
truncate -s 100 "$T/ledger/data.mdb"
run "$LEDGERD" -c "$CONF" --verify
[ "$RC" -eq 1 ] && grep -q "ledger damaged: " "$ERR" &&
	ok "--verify on a 100-byte data.mdb: exit 1 ($(head -c 160 "$ERR"))" ||
	not_ok "--verify on a 100-byte data.mdb: exit $RC: $(cat "$ERR")"
cp "$T/full.mdb" "$T/ledger/data.mdb"
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
no_sanitizer_reports
finish
