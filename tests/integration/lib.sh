# shellcheck shell=bash
# lib.sh - harness shared by the integration tests (sourced, not run).
#
# The integration tests are black-box: they drive the built ledgerd and
# ledgerctl exactly as a user would, and check only what CONTRACT.md promises
# (exit statuses, "ledgerctl: CODE:" on stderr, --json fields).  Each test
# gets its own temporary directory with a PKI made by scripts/mkpki.sh, a
# config with relative paths, a free loopback port and its own daemon, so the
# tests run in parallel under ctest.
#
# Environment (set by tests/integration/CMakeLists.txt; defaults let a test
# run by hand from the source tree after a build):
#   LEDGERD, LEDGERCTL   the binaries under test
#   LD_SOURCE_DIR        the source tree (scripts/, conf/, systemd/)
#   LD_START_TIMEOUT     seconds to wait for the daemon to accept (default 60;
#                        generous so that slow or sanitizer builds pass)
#   LD_KEEP_TMP=1        keep the temporary directory for inspection
#
# A check never aborts the script: each prints "ok - ..." or "FAIL - ...",
# and finish prints "N passed, M failed" and exits non-zero on any failure,
# after the tail of the daemon's log.

set -uo pipefail

LD_SOURCE_DIR=${LD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LEDGERD=${LEDGERD:-$LD_SOURCE_DIR/build/bin/ledgerd}
LEDGERCTL=${LEDGERCTL:-$LD_SOURCE_DIR/build/bin/ledgerctl}
LD_START_TIMEOUT=${LD_START_TIMEOUT:-60}
# Debian's python3 reads the JSON (a fresh Debian 12 has no jq); prefer the
# system one over a shim earlier in PATH, which is slower per call.
if [ -x /usr/bin/python3 ]; then LD_PY=/usr/bin/python3; else LD_PY=python3; fi
export LC_ALL=C.UTF-8

PASS=0
FAIL=0
FINISHED=0
DPID=
PORT=
T=$(mktemp -d "${TMPDIR:-/tmp}/ledgerd-it.XXXXXX") || exit 1
PKI=$T/pki
CONF=$T/ledgerd.conf
LOG=$T/ledgerd.log
OUT=$T/out
ERR=$T/err
RC=0
: >"$LOG"

# Every CN a test may use; nobody01 is a valid certificate with no role.
LD_CLERKS=(clerk01 clerk02 clerk03 clerk04 clerk05 clerk06 clerk07 clerk08
	clerk09 clerk10 clerk11 clerk12)
LD_CNS=(admin01 "${LD_CLERKS[@]}" auditor01 recon01 nobody01)

# Background helpers a test starts (writers, racers): killed at exit.
LD_BG_PIDS=()

lib_cleanup() {
	local rc=$?
	if [ ${#LD_BG_PIDS[@]} -gt 0 ]; then
		kill "${LD_BG_PIDS[@]}" 2>/dev/null
		wait "${LD_BG_PIDS[@]}" 2>/dev/null
	fi
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -9 "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	if [ "$FINISHED" != 1 ]; then
		echo "FAIL - test script ended early (status $rc)"
		show_log
		[ "$rc" = 0 ] && rc=1
	fi
	if [ "${LD_KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap lib_cleanup EXIT

show_log() {
	[ -s "$LOG" ] || return 0
	echo "--- ledgerd log, last 40 lines ($LOG) ---"
	tail -n 40 "$LOG"
	echo "--- end of log ---"
}

ok() {
	PASS=$((PASS + 1))
	echo "ok - $*"
}

# not_ok DESC: a failure, with what the last command printed.
not_ok() {
	FAIL=$((FAIL + 1))
	echo "FAIL - $*"
	if [ -s "$ERR" ]; then
		echo "  stderr: $(head -c 600 "$ERR")"
	fi
	if [ -s "$OUT" ]; then
		echo "  stdout: $(head -c 600 "$OUT")"
	fi
}

# finish: the summary line; the script's exit status.
finish() {
	FINISHED=1
	if [ "$FAIL" -gt 0 ]; then
		show_log
	fi
	if [ "$PASS" -eq 0 ] && [ "$FAIL" -eq 0 ]; then
		echo "FAIL - no checks ran"
		FAIL=1
	fi
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}

# skip REASON: the whole test cannot run here (ctest SKIP_RETURN_CODE 77).
skip() {
	FINISHED=1
	echo "SKIP: $*"
	exit 77
}

# run CMD...: run with stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	"$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# check DESC CMD...: ok when CMD exits 0.
check() {
	local desc=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then ok "$desc"; else not_ok "$desc: $(head -c 300 "$T/check.out")"; fi
}

# expect_exit CODE CMD...: ok when CMD exits with CODE.
expect_exit() {
	local code=$1
	shift
	run "$@"
	if [ "$RC" -eq "$code" ]; then
		ok "exit $code: ${*//$LEDGERCTL/ledgerctl}"
	else
		not_ok "expected exit $code, got $RC: $*"
	fi
}

# ctl CN ARGS...: ledgerctl as the holder of CN's certificate, connection
# given through the contract's environment variables.
ctl() {
	local cn=$1
	shift
	LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$PKI/ca.crt \
		LEDGER_CERT=$PKI/$cn.crt LEDGER_KEY=$PKI/$cn.key "$LEDGERCTL" "$@"
}

# expect_ok CN ARGS...: the command succeeds (exit 0); output in $OUT.
expect_ok() {
	run ctl "$@"
	if [ "$RC" -eq 0 ]; then
		ok "$*"
	else
		not_ok "expected success, got exit $RC: $*"
	fi
	[ "$RC" -eq 0 ]
}

# expect_error CODE CN ARGS...: refused by the daemon: exit 1 and
# "ledgerctl: CODE:" on stderr.
expect_error() {
	local code=$1
	shift
	run ctl "$@"
	if [ "$RC" -eq 1 ] && grep -qF "ledgerctl: $code:" "$ERR"; then
		ok "$code: $*"
		return 0
	fi
	not_ok "expected exit 1 and $code, got exit $RC: $*"
	return 1
}

# seed_terms FY...: the seed's programme terms for each fiscal year, as the
# quick start records FY2013's (general 1億-2億, reconstruction 2.5億-5億,
# continuing without a range; deadline and rates by default).  Awards need
# terms; run it right after the first start.
seed_terms() {
	local fy
	for fy in "$@"; do
		ctl admin01 terms set --fy "$fy" --grant-type general --min 1億 \
			--max 2億 --ref "TERMS-$fy" --id "terms-$fy-general" \
			>/dev/null 2>"$T/terms.err" </dev/null &&
		ctl admin01 terms set --fy "$fy" --grant-type reconstruction \
			--min 2.5億 --max 5億 --ref "TERMS-$fy" --id "terms-$fy-reconstruction" \
			>/dev/null 2>>"$T/terms.err" </dev/null &&
		ctl admin01 terms set --fy "$fy" --grant-type continuing \
			--ref "TERMS-$fy" --id "terms-$fy-continuing" \
			>/dev/null 2>>"$T/terms.err" </dev/null ||
			{ FAIL=$((FAIL + 1)); echo "FAIL - terms for $fy: $(cat "$T/terms.err")"; return 1; }
	done
	ok "terms for $*"
}

# ledger_snapshot FILE: every entry as `list --json` prints it.
ledger_snapshot() {
	ctl auditor01 list --json >"$1" 2>"$T/snapshot.err" </dev/null
}

# expect_refusal CODE CN ARGS...: expect_error, and the ledger is unchanged.
expect_refusal() {
	local code=$1
	ledger_snapshot "$T/before.jsonl" || { not_ok "list before $*"; return 1; }
	expect_error "$@" || return 1
	ledger_snapshot "$T/after.jsonl" || { not_ok "list after $*"; return 1; }
	if cmp -s "$T/before.jsonl" "$T/after.jsonl"; then
		ok "$code wrote nothing"
	else
		not_ok "$code changed the ledger: $*"
		diff "$T/before.jsonl" "$T/after.jsonl" | head -5
	fi
}

# Python reads the JSON: a fresh Debian 12 lacks jq, and test.sh installs
# python3.  Arguments: FIELD then filters KEY=VALUE (field equals VALUE as
# text), !KEY (field absent).  Prints FIELD of every matching line, in the
# form the shell compares: true/false/null, numbers and strings as is.
LD_JSON_PY='
import json, sys
def text(v):
    if v is True: return "true"
    if v is False: return "false"
    if v is None: return "null"
    if isinstance(v, (int, str)): return str(v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True)
field, filters = sys.argv[1], sys.argv[2:]
for line in sys.stdin:
    if not line.strip():
        continue
    o = json.loads(line)
    if not isinstance(o, dict):
        sys.exit("not a JSON object: " + line)
    match = True
    for f in filters:
        if f.startswith("!"):
            match = match and f[1:] not in o
        else:
            k, v = f.split("=", 1)
            match = match and k in o and text(o[k]) == v
    if match:
        print(text(o[field]) if field in o else "<absent>")
'

# jget FIELD [FILTER...]: FIELD of the JSON lines in $OUT (see LD_JSON_PY).
jget() {
	"$LD_PY" -c "$LD_JSON_PY" "$@" <"$OUT"
}

# jcount: JSON lines in FILE (default $OUT).
jcount() {
	grep -c '^[[:space:]]*{' "${1:-$OUT}"
}

# expect_json FIELD WANT [FILTER...]: exactly one matching line in $OUT, whose
# FIELD is WANT.
expect_json() {
	local field=$1 want=$2 got
	shift 2
	got=$(jget "$field" "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$field = $want${*:+ ($*)}"
	else
		not_ok "$field: want '$want', got '$got'${*:+ ($*)}"
	fi
}

# pick_port: a loopback port nothing listens on, below Linux's ephemeral range.
pick_port() {
	local p
	for _ in $(seq 1 100); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			PORT=$p
			return 0
		fi
	done
	echo "no free port found" >&2
	return 1
}

# write_config [EXTRA]: $CONF with relative paths; EXTRA (whole sections) is
# appended.
write_config() {
	{
		cat <<EOF
# Written by tests/integration/lib.sh.
[server]
listen = 127.0.0.1:$PORT
idle_timeout_s = 60

[tls]
cert = pki/server.crt
key = pki/server.key
client_ca = pki/ca.crt

[ledger]
path = ledger
map_size_mb = 64
checkpoint_key = pki/checkpoint.key
checkpoint_origin = ledgerd.test

[roles]
admin01 = admin
auditor01 = auditor
recon01 = reconciler
EOF
		local c
		for c in "${LD_CLERKS[@]}"; do
			echo "$c = clerk"
		done
		[ -n "${1:-}" ] && printf '%s\n' "$1"
	} >"$CONF"
}

# setup [EXTRA-CONFIG]: PKI, config, ledger directory; does not start.
setup() {
	if ! bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$PKI" "${LD_CNS[@]}" >"$T/mkpki.log" 2>&1; then
		cat "$T/mkpki.log"
		echo "FAIL - mkpki.sh"
		exit 1
	fi
	mkdir -p "$T/ledger"
	chmod 0700 "$T/ledger"
	LD_EXTRA_CONFIG=${1:-}
	pick_port || exit 1
	write_config "$LD_EXTRA_CONFIG"
	for b in "$LEDGERD" "$LEDGERCTL"; do
		if [ ! -x "$b" ]; then
			echo "FAIL - $b is not built"
			exit 1
		fi
	done
}

# wait_ready: until the daemon answers `status`; 1 when it died or timed out.
# LD_READY=tcp waits only for the port to accept (for a daemon the client
# is meant to refuse).
wait_ready() {
	local deadline=$((SECONDS + LD_START_TIMEOUT))
	while ! if [ "${LD_READY:-}" = tcp ]; then
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
	else
		ctl auditor01 status >/dev/null 2>&1 </dev/null
	fi; do
		kill -0 "$DPID" 2>/dev/null || return 1
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

# start_daemon [--same-port]: start ledgerd in the background and wait until
# it accepts.  On a first start a port taken meanwhile by someone else is
# replaced by another; --same-port (a restart) insists on the old one.
start_daemon() {
	for _ in 1 2 3 4 5; do
		echo "# start ledgerd on 127.0.0.1:$PORT" >>"$LOG"
		"$LEDGERD" -c "$CONF" </dev/null >>"$LOG" 2>&1 &
		DPID=$!
		if wait_ready; then
			return 0
		fi
		if kill -0 "$DPID" 2>/dev/null; then
			echo "FAIL - ledgerd does not accept within ${LD_START_TIMEOUT}s"
			kill -9 "$DPID" 2>/dev/null
			wait "$DPID" 2>/dev/null
			DPID=
			return 1
		fi
		wait "$DPID" 2>/dev/null
		echo "# ledgerd exited with status $? before accepting" >>"$LOG"
		DPID=
		if [ "${1:-}" != --same-port ] && grep -qi "in use" "$LOG"; then
			pick_port && write_config "$LD_EXTRA_CONFIG" && continue
		fi
		echo "FAIL - ledgerd did not start"
		return 1
	done
	return 1
}

# daemon_running: $DPID has not exited (a zombie not yet reaped counts as
# exited, so that it can be watched without waiting for it).
daemon_running() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$DPID/status" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ]
}

# stop_daemon: SIGTERM, wait (a minute at most), ok when it exits 0.
stop_daemon() {
	local rc deadline=$((SECONDS + 60))
	[ -n "$DPID" ] || { not_ok "stop: no daemon running"; return 1; }
	kill -TERM "$DPID"
	while daemon_running && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.05
	done
	daemon_running && kill -9 "$DPID"
	wait "$DPID"
	rc=$?
	DPID=
	if [ "$rc" -eq 0 ]; then
		ok "SIGTERM: ledgerd exits 0"
	else
		not_ok "SIGTERM: ledgerd exited $rc"
	fi
	[ "$rc" -eq 0 ]
}

# kill_daemon: SIGKILL, no questions asked.
kill_daemon() {
	[ -n "$DPID" ] || return 0
	kill -9 "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
	return 0
}

# start_or_die: start_daemon, and give up on the test when it cannot start.
start_or_die() {
	if ! start_daemon "$@"; then
		FAIL=$((FAIL + 1))
		finish
	fi
	ok "ledgerd accepts on 127.0.0.1:$PORT"
}
