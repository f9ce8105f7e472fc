#!/usr/bin/env bash
# crash.sh - kill -9 at random moments loses nothing acknowledged.
#
# The README promises that a write is acknowledged only after its LMDB
# transaction was committed and synced.  Four clerks and an admin write at
# once (crash.py: disbursements, refunds, reversals, award changes,
# appropriations) and log each id and seq outside the daemon only after
# ledgerctl exited 0.  Each round kills ledgerd with SIGKILL once a random
# number of writes were acknowledged (now and then also while it starts up),
# then, with the daemon down, `ledgerd --verify` must find the ledger intact
# (leaf hashes, tree, indexes, balances), and after the restart every
# acknowledged write must be listed with the seq its client saw, seqs must be
# 1..N, the balances must equal a recomputation from the listed entries, the
# tree root in `status` must be the RFC 6962 root of the listed leaf hashes,
# each leaf hash the SHA-256 of its exported leaf data, and `ledgerctl verify
# --full` must find the signed checkpoint consistent with the one it saved
# in the round before (nothing checkpointed was lost or rewritten).  Writes
# cut off by the kill are retried with their id: a committed one must come
# back as a duplicate with its seq.
#
# The kill moment is counted in acknowledgements, not time, so the checks do
# not depend on machine speed.  LD_CRASH_SEED repeats a run (the seed is
# printed); LD_CRASH_ROUNDS sets the number of rounds (default 25).
. "$(dirname "$0")/lib.sh"

ROUNDS=${LD_CRASH_ROUNDS:-25}
SEED=${LD_CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$SEED
echo "# seed $SEED (LD_CRASH_SEED=$SEED repeats this run), $ROUNDS rounds"
S=$T/crash
mkdir -p "$S"

setup
start_or_die
seed_terms 2013

expect_ok admin01 region add aichi-nanotech --name 愛知県 --grant-type general
expect_ok admin01 region add iwate-next-mobility --name 岩手県 --grant-type reconstruction
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 region add kyoto-env --name 京都府 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI
expect_ok admin01 appropriate --account reconstruction --fy 2013 --amount 1,505,000,000 --ref MEXT-H25-R
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1
expect_ok admin01 award --region iwate-next-mobility --fy 2013 --date 2013-04-01 --amount 5億 --ref AW-2
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-3
expect_ok admin01 award --region kyoto-env --fy 2013 --date 2013-04-01 --amount 1.2億 --ref AW-4

"$LEDGERD" -c "$CONF" --print-verifier >"$T/verifier" 2>"$ERR" ||
	not_ok "ledgerd --print-verifier"
crash_py() {
	LEDGERCTL=$LEDGERCTL LD_SERVER=127.0.0.1:$PORT LD_PKI=$PKI LD_VERIFIER=$T/verifier \
		"$LD_PY" "$(dirname "$0")/crash.py" "$@"
}
acked_count() {
	if [ -f "$S/acked.jsonl" ]; then wc -l <"$S/acked.jsonl"; else echo 0; fi
}

# kill_while_starting: start ledgerd and SIGKILL it within 0.3 s, while it
# opens the ledger or serves its first requests.
kill_while_starting() {
	local ms=$((RANDOM % 300))
	echo "# start ledgerd, kill -9 after ${ms} ms" >>"$LOG"
	"$LEDGERD" -c "$CONF" </dev/null >>"$LOG" 2>&1 &
	DPID=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill_daemon
}

started=$SECONDS
total_acked=0
for r in $(seq 1 "$ROUNDS"); do
	rm -f "$S/stop"
	crash_py write "$S" "$r" "$SEED" >"$T/writer.$r.log" 2>&1 &
	wpid=$!
	LD_BG_PIDS=("$wpid")

	# Kill after 1-30 acknowledgements this round, 0-29 ms later.
	want=$(($(acked_count) + 1 + RANDOM % 30))
	deadline=$((SECONDS + 60))
	while [ "$(acked_count)" -lt "$want" ] && [ "$SECONDS" -lt "$deadline" ] &&
		kill -0 "$wpid" 2>/dev/null && daemon_running; do
		sleep 0.01
	done
	reached=$(acked_count)
	sleep "$(printf '0.%03d' $((RANDOM % 30)))"
	alive=yes
	daemon_running || alive=no
	kill_daemon
	touch "$S/stop"
	wait "$wpid"
	wrc=$?
	LD_BG_PIDS=()
	if [ "$reached" -lt "$want" ] || [ "$alive" = no ] || [ "$wrc" -ne 0 ]; then
		not_ok "round $r: $reached of $want acknowledgements, daemon alive: $alive, writer exit $wrc"
		tail -n 5 "$T/writer.$r.log"
	fi
	[ $((r % 5)) -eq 0 ] && kill_while_starting

	run "$LEDGERD" -c "$CONF" --verify
	if [ "$RC" -ne 0 ]; then
		not_ok "round $r: ledgerd --verify after kill -9 exited $RC"
	fi
	if ! start_daemon --same-port; then
		FAIL=$((FAIL + 1))
		finish
	fi
	if crash_py check "$S" >"$T/check.$r" 2>&1; then
		ok "round $r: killed after at least $reached acknowledged writes, --verify exit $RC; $(cat "$T/check.$r")"
	else
		not_ok "round $r: $(cat "$T/check.$r")"
	fi
	total_acked=$(acked_count)
done
echo "# $ROUNDS rounds, $total_acked writes acknowledged, $((SECONDS - started)) s"

stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
finish
