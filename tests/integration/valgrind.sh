#!/usr/bin/env bash
# valgrind.sh - one ordinary day of the daemon under valgrind memcheck.
#
# ASan (the sanitizer pass of scripts/test.sh) sees the daemon only as far
# as the integration tests kill it cleanly; this runs ledgerd itself under
# memcheck through writes of every kind, refusals, duplicates, reads,
# concurrent clients, clients that hang up mid-handshake or present no role,
# a SIGHUP reload and a SIGTERM shutdown, and requires that memcheck found no
# invalid access and no definitely lost block.  OpenSSL's and libevent's
# still-reachable memory at exit is not a leak and is not counted.
#
# Needs valgrind (scripts/install-deps.sh --test) and a build without
# sanitizers (tests/integration/CMakeLists.txt registers it only there).
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || skip "valgrind is not installed"
if ldd "$LEDGERD" 2>/dev/null | grep -q libasan; then
	skip "ledgerd is built with AddressSanitizer"
fi

VG_LOG=$T/valgrind.log
# Start-up under valgrind (TLS keys, LMDB) is slow: allow it.
LD_START_TIMEOUT=${LD_VALGRIND_START_TIMEOUT:-90}
REAL_LEDGERD=$LEDGERD
VG=(valgrind --leak-check=full --show-leak-kinds=definite
	--errors-for-leak-kinds=definite --error-exitcode=99
	--track-fds=no --log-file="$VG_LOG")

setup
# start_daemon runs $LEDGERD: make that memcheck around the real one.
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${VG[*]}" "$REAL_LEDGERD" >"$T/ledgerd-vg"
chmod +x "$T/ledgerd-vg"
LEDGERD=$T/ledgerd-vg
start_or_die
seed_terms 2013

expect_ok admin01 region add aichi-nanotech --name 愛知県 --grant-type general --category 国際競争力強化地域
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_refusal DUPLICATE_REGION admin01 region add hakodate --name 函館 --grant-type continuing
expect_ok admin01 appropriate --account general --fy H25 --amount 16,221,000,000 --ref MEXT-H25-COI --id ap-1
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1 --id aw-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-2
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 5000万 --ref V-1 --date 2013-06-30 --memo 概算払 --id v-1
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 5000万 --ref V-1 --date 2013-06-30 --memo 概算払 --id v-1 --json
expect_json duplicate true
expect_refusal ID_CONFLICT clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1 --ref V-1 --date 2013-06-30 --id v-1
expect_refusal OVER_AWARD clerk01 disburse --region aichi-nanotech --fy 2013 --amount 2億 --ref V-2 --date 2013-07-01
expect_refusal FORBIDDEN clerk01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 1 --ref X
expect_refusal FORBIDDEN nobody01 status
expect_refusal UNKNOWN_REGION clerk01 disburse --region nowhere --fy 2013 --amount 1 --ref V-3 --date 2013-07-01
expect_ok clerk02 refund --region aichi-nanotech --fy 2013 --amount 100万 --ref R-1 --date 2014-04-20 --json
R1=$(jget seq)
expect_ok clerk02 reverse "$R1" --reason 訂正
expect_refusal ALREADY_REVERSED clerk02 reverse "$R1" --reason again
expect_refusal NOT_FOUND clerk02 reverse 9999 --reason none

# Concurrent clients: the writer's batches and many connections at once.
pids=()
for cn in clerk03 clerk04 clerk05 clerk06 clerk07 clerk08; do
	(
		for i in 1 2 3; do
			ctl "$cn" disburse --region hakodate --fy 2013 --amount 1,000 \
				--ref "W-$cn-$i" --date 2013-09-01 --id "w-$cn-$i" >/dev/null 2>&1 </dev/null || exit 1
		done
	) &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
[ "$bad" -eq 0 ] && ok "6 concurrent clerks wrote 18 disbursements" || not_ok "$bad concurrent clerks failed"

# Clients that go away: mid-handshake, and after sending half a frame.
for _ in 1 2 3; do
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf '\026\003\001\000' >&3) 2>/dev/null

expect_ok auditor01 list --json
[ "$(jcount)" -eq 29 ] && ok "29 entries listed (3 terms, 26 more)" || not_ok "want 29 entries, got $(jcount)"
expect_ok auditor01 list --region aichi-nanotech --kind disbursement --limit 1
expect_ok recon01 balance --fy 2013 --json
expect_ok auditor01 balance --fy 2013 --region aichi-nanotech --json
expect_json net 50000000
expect_ok auditor01 get 3 --json
expect_refusal NOT_FOUND auditor01 get 999
expect_ok auditor01 region list
expect_ok auditor01 status --json

# A reload, then a request on a new connection after it.
kill -HUP "$DPID"
expect_ok auditor01 status

# SIGTERM: memcheck reports at exit; 99 = an error or a definite leak.
kill -TERM "$DPID"
deadline=$((SECONDS + 60))
while daemon_running && [ "$SECONDS" -lt "$deadline" ]; do
	sleep 0.1
done
daemon_running && kill -9 "$DPID"
wait "$DPID"
rc=$?
DPID=
summary=$(sed -n 's/^==[0-9]*== *\(definitely lost: .*\|ERROR SUMMARY: [0-9]* errors\).*/\1/p' "$VG_LOG" | tr '\n' ' ')
if [ "$rc" -eq 0 ] && grep -q "ERROR SUMMARY: 0 errors" "$VG_LOG"; then
	ok "ledgerd under memcheck exits 0: $summary"
else
	not_ok "ledgerd under memcheck exited $rc (99: memcheck found errors)"
	echo "--- valgrind log ($VG_LOG) ---"
	head -n 150 "$VG_LOG"
	echo "--- end of valgrind log ---"
fi
finish
