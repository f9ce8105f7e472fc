#!/usr/bin/env bash
# abuse.sh - protocol abuse by authenticated and unauthenticated peers.
#
# Issue 5, item 2.  Random bytes inside a session; headers with a huge
# length, a length over max_frame_bytes, a bad magic or version (before and
# after HELLO); well-framed requests with random payloads; a frame trickled
# a byte at a time; idle connections at each stage (TCP only, TLS, after
# HELLO); more connections than max_connections; a flood of silent
# connections; clients that never read their answers.  After each the
# daemon still serves others, writes nothing it should not, and its own
# memory (RssAnon, which leaves out LMDB's map) stays within a bound.
#
# Deadlines are small (idle_timeout_s = 2) so the test is quick; every wait
# in rawclient.py has its own deadline, so a daemon that hangs fails a check
# instead of stalling the suite.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hardening.sh"

IDLE=2
MAXCONN=4
MAXFRAME=16384
RSS_LIMIT_MIB=64

# A sanitizer build keeps freed memory in quarantine (256 MiB by default),
# which RssAnon would count as growth; keep it small.  No effect otherwise.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4

setup
conf_set idle_timeout_s "$IDLE" server
# The TCP-only idle stage is a handshake that never starts: its own deadline.
conf_set handshake_timeout_s "$IDLE" server
conf_set max_connections "$MAXCONN" server
conf_set max_frame_bytes "$MAXFRAME" server
start_or_die
RSS0=$(daemon_rss_kib)
echo "# daemon RssAnon at start: $RSS0 KiB"

# Something to read back: 60 regions with long names make a LIST answer
# span several frames.
raw --cn admin01 regions --count 60 --prefix r --name-bytes 400 --out "$T/regions.txt"
[ "$RC" -eq 0 ] && [ "$(grep -c '^written ' "$T/regions.txt")" -eq 60 ] &&
	ok "60 regions written" || not_ok "writing regions: $(cat "$OUT" "$ERR")"
ledger_snapshot "$T/base.jsonl"

# served DESC: another client gets an answer now.
served() {
	run ctl auditor01 status
	if [ "$RC" -eq 0 ]; then ok "served after $1"; else not_ok "not served after $1 (exit $RC)"; fi
}

# --- garbage and bad headers ------------------------------------------------------
log_mark
pyrun --seed 7 garbage --bytes 65536
expect_log_since "random bytes: the protocol error is logged" "protocol error: bad frame header"
served "random bytes"

for kind in hugelen overmax magic version; do
	log_mark
	pyrun --within 10 badheader --kind "$kind" --max-frame "$MAXFRAME"
	expect_log_since "$kind header: logged" "protocol error: (bad frame header|frame exceeds max_frame_bytes)"
done
pyrun --within 10 badheader --kind hugelen --before-hello
pyrun --within 10 badheader --kind magic --before-hello
served "bad headers"

pyrun --within 10 --seed 11 fuzzframes --count 300
ledger_snapshot "$T/now.jsonl"
cmp -s "$T/base.jsonl" "$T/now.jsonl" && ok "random payloads wrote nothing" ||
	not_ok "random payloads changed the ledger"
served "random payloads"

# --- slow and silent peers ----------------------------------------------------------
# A frame a byte every 0.5 s takes 12 s; the stalled frame must be cut off
# after about idle_timeout_s, long before it completes.
pyrun --within $((IDLE + 8)) trickle --interval 0.5
# The three idle stages run side by side (they need 3 of the 4 slots).
IDLE_PIDS=()
for stage in tcp tls hello; do
	"$LD_PY" "$LD_RAW" --port "$PORT" --pki "$PKI" --within $((IDLE + 8)) \
		idle --stage "$stage" --at-least $((IDLE - 1)) >"$T/idle.$stage" 2>&1 </dev/null &
	IDLE_PIDS+=($!)
done
for i in 0 1 2; do
	wait "${IDLE_PIDS[$i]}"
	rc=$?
	stage=$(echo tcp tls hello | cut -d' ' -f$((i + 1)))
	pyparse "$T/idle.$stage" "$rc" "idle --stage $stage"
done
expect_log "idle connections: logged" "idle for $IDLE s: closed"
served "idle connections"

# --- connection cap -------------------------------------------------------------------
log_mark
pyrun --within 20 maxconn --n "$MAXCONN" --hold 1.5
expect_log_since "max_connections reached: logged" "max_connections \($MAXCONN\) reached"
served "max_connections"

# Twice max_connections silent TCP connections: the idle timer frees the
# slots, so a real client gets in within a few idle periods.
pyrun --within $((IDLE * 6 + 10)) flood --n $((MAXCONN * 2))
served "a flood of silent connections"

# --- clients that never read -------------------------------------------------------
# One non-reader of LIST answers, one of STATUS answers: the daemon stops
# reading each (the client's sends block), memory stays bounded, and others
# are served meanwhile.
pyrun --within 20 noread --pid "$DPID" --request list --clients 1 --stall 1 --rss-mb "$RSS_LIMIT_MIB" --others
pyrun --within 20 noread --pid "$DPID" --request status --clients 1 --stall 1 --rss-mb "$RSS_LIMIT_MIB" --others
# As many non-readers as max_connections: they must not hold every slot for
# ever (a peer that reads nothing for idle_timeout_s is as idle as one that
# sends nothing), so a new client is served within a few idle periods.
pyrun --within $((IDLE * 3 + 4)) noread --pid "$DPID" --request list --clients "$MAXCONN" --stall 1 \
	--rss-mb "$RSS_LIMIT_MIB" --others
served "non-readers"

# --- afterwards ---------------------------------------------------------------------
check "the daemon is still running" daemon_running
RSS1=$(daemon_rss_kib)
echo "# daemon RssAnon at the end: $RSS1 KiB"
if [ -n "$RSS1" ] && [ $((RSS1 - RSS0)) -lt $((RSS_LIMIT_MIB * 1024)) ]; then
	ok "daemon memory bounded over the whole test: RssAnon $RSS0 -> $RSS1 KiB"
else
	not_ok "daemon memory grew from $RSS0 to ${RSS1:-?} KiB"
fi
ledger_snapshot "$T/now.jsonl"
cmp -s "$T/base.jsonl" "$T/now.jsonl" && ok "the ledger holds only what was written on purpose" ||
	not_ok "the ledger changed"
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
no_sanitizer_reports
finish
