#!/usr/bin/env bash
# bench_smoke.sh - the benchmark's smoke mode, so that it never rots.
#
# ledger-bench drives a real daemon for a few thousand requests in each of
# its modes (single writes, pipelined, batched, two client threads) and
# after each run checks that the ledger holds exactly the acknowledged
# entries.  Nothing here asserts a speed: only that every request was
# answered, every acknowledged entry is in the ledger with the fields that
# were sent, and nothing else is.
. "$(dirname "$0")/lib.sh"

LEDGER_BENCH=${LEDGER_BENCH:-$LD_SOURCE_DIR/build/bin/ledger-bench}
REGIONS=$LD_SOURCE_DIR/conf/regions.tsv

# Awards of 10^11 yen per region: the bench's --setup records programme
# terms wide enough for them.
setup
[ -x "$LEDGER_BENCH" ] || { echo "FAIL - $LEDGER_BENCH is not built"; exit 1; }
start_or_die

bench() {
	"$LEDGER_BENCH" --server "127.0.0.1:$PORT" --pki "$PKI" \
		--regions "$REGIONS" --pid "$DPID" "$@"
}

# expect_bench DESC ENTRIES ARGS...: exit 0, ENTRIES acknowledged, and the
# ledger check passed.
expect_bench() {
	local desc=$1 want=$2
	shift 2
	run bench "$@"
	if [ "$RC" -eq 0 ] && grep -q "^RESULT .* entries=$want .*verify=ok" "$OUT" &&
		grep -q "exactly the acknowledged entries" "$OUT"; then
		ok "$desc: exactly the acknowledged entries in the ledger"
	else
		not_ok "$desc: exit $RC"
	fi
}

expect_bench "setup and one write" 1 --setup admin01 -n 1
if grep -q "^setup: 49 regions .*; 103 new entries" "$OUT"; then
	ok "setup: 49 regions, 2 appropriations, 3 terms and 49 awards written"
else
	not_ok "setup did not write 49 regions, 2 appropriations, 3 terms and 49 awards"
fi
expect_bench "setup again" 1 --setup admin01 -n 1
if grep -q "^setup: 49 regions .*; 0 new entries" "$OUT"; then
	ok "setup again writes nothing"
else
	not_ok "setup again wrote entries"
fi
expect_bench "4 clerks, 8 in flight each" 2000 \
	--cn clerk01,clerk02,clerk03,clerk04 -c 4 -p 8 -n 2000
expect_bench "unpipelined" 200 --cn clerk05 -c 2 -p 1 -n 200
expect_bench "batches of 50" 1500 --cn clerk06,clerk07 -c 3 -p 2 -b 50 -n 1500
expect_bench "two client threads" 1000 --cn clerk08 -c 6 -p 4 -t 2 -n 1000
expect_bench "by duration" '[0-9]*' --cn clerk09 -c 2 -p 4 -d 1

# Refused writes are counted, make the run fail, and leave no entry: FY2014
# has no award.
run bench --cn clerk10 -c 2 -p 4 -n 100 --fy 2014
if [ "$RC" -eq 1 ] && grep -q "100 x NO_AWARD" "$OUT" &&
	grep -q "^verify: 0 new entries" "$OUT"; then
	ok "refused writes: exit 1, counted as NO_AWARD, nothing written"
else
	not_ok "refused writes: exit $RC"
fi

# A role that may not disburse: every write FORBIDDEN.
run bench --cn auditor01 -c 1 -n 10
if [ "$RC" -eq 1 ] && grep -q "10 x FORBIDDEN" "$OUT"; then
	ok "auditor's writes refused as FORBIDDEN"
else
	not_ok "auditor's writes: exit $RC"
fi

run bench --idle 50
if [ "$RC" -eq 0 ] && grep -q "^RESULT .*mode=idle conns=50 failed=0 anon_kib=[1-9]" "$OUT"; then
	ok "50 idle connections held, daemon memory read"
else
	not_ok "idle connections: exit $RC"
fi

# bench/run's script parses, and its report turns result lines into the
# tables and ratios of BENCHMARKS.md, keeping the text around its markers.
check "bash -n bench/run" bash -n "$LD_SOURCE_DIR/bench/run"
cat >"$T/results.txt" <<'EOF'
LD label=pipelined-64 conns=64 inflight=32 batch=0 entries=600000 refused=0 secs=10.0 rate=60000 p50_ms=30 p99_ms=80 p999_ms=90 hwm_kib=100000 anon_peak_kib=8000 daemon_cpu=3.0 client_cpu=1.0 verify=ok
LD label=batched-1 conns=1 inflight=1 batch=64 entries=100000 refused=0 secs=10.0 rate=10000 p50_ms=6 p99_ms=9 p999_ms=12 hwm_kib=20000 anon_peak_kib=2000 daemon_cpu=1.0 client_cpu=0.2 verify=ok
LD label=unpipelined-1 conns=1 inflight=1 batch=0 entries=3000 refused=0 secs=10.0 rate=300 p50_ms=0.5 p99_ms=2 p999_ms=3 hwm_kib=9000 anon_peak_kib=1600 daemon_cpu=0.2 client_cpu=0.1 verify=ok
IDLE label=idle-1000 mode=idle conns=1000 failed=0 anon_kib=40000 anon_before_kib=1500 rss_kib=48000
RAW label=raw-64 batch=64 prezeroed_mb=0 entries=160000 commits=2500 secs=10 rate=16000 commit_p50_ms=4
PG label=chain-64 variant=chain conns=64 tps=2000 tx=20000 failed=0 rows=20000 p50_ms=30 p99_ms=60 p999_ms=70 verify=ok
PG label=plain-64 variant=plain conns=64 tps=8000 tx=80000 failed=0 rows=80000 p50_ms=8 p99_ms=20 p999_ms=30 verify=ok
MACHINE cpu="Test CPU" cores=2 mem="1 GiB" secs=10 date="today" commit="abc"
EOF
marker=$(sed -n 's/^BEGIN = "\(.*\)"$/\1/p' "$LD_SOURCE_DIR/bench/report.py")
printf '# B\n\nbefore\n\n%s\nold\n<!-- bench/run:end -->\n\nafter\n' "$marker" >"$T/doc.md"
run "$LD_PY" "$LD_SOURCE_DIR/bench/report.py" --results "$T/results.txt" --doc "$T/doc.md"
if [ "$RC" -eq 0 ] && grep -q "^before$" "$T/doc.md" && grep -q "^after$" "$T/doc.md" &&
	! grep -q "^old$" "$T/doc.md" &&
	grep -q "pipelined | 60,000/s | \*\*yes\*\* |" "$T/doc.md" &&
	grep -q "≥ 10× PostgreSQL with the hash chain | 30.0×" "$T/doc.md" &&
	grep -q "≥ 5× PostgreSQL without | 7.5×" "$T/doc.md" &&
	grep -q "| 62 %: batched-1" "$T/doc.md" &&
	grep -q "| 0.50 ms | \*\*yes\*\* |" "$T/doc.md"; then
	ok "report.py: figures, targets and ratios between the markers"
else
	not_ok "report.py: exit $RC"
	head -c 2000 "$T/doc.md"
fi

# The daemon's own check agrees with the bench's.
stop_daemon
run "$LEDGERD" -c "$CONF" --verify
if [ "$RC" -eq 0 ]; then
	ok "ledgerd --verify: intact after every run"
else
	not_ok "ledgerd --verify: exit $RC"
fi

finish
