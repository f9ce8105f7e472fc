#!/usr/bin/env bash
# verify_bench_smoke.sh - verify-bench (bench/verify-bench.c) at a small
# size, so that the verification benchmark never rots.
#
# It builds a 2,000-entry ledger through apply_write(), times `ledgerd
# --verify` over it and builds proofs from it.  Nothing here asserts a
# speed: only that every generated request was accepted, that ledgerd
# calls the ledger intact, that every proof verified, that the ledger it
# built is one the daemon serves and proves, and that the bench fails when
# the verifier does.
. "$(dirname "$0")/lib.sh"

VERIFY_BENCH=${VERIFY_BENCH:-$LD_SOURCE_DIR/build/bin/verify-bench}
[ -x "$VERIFY_BENCH" ] || { echo "FAIL - $VERIFY_BENCH is not built"; exit 1; }
if ! bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$PKI" >"$T/mkpki.log" 2>&1; then
	cat "$T/mkpki.log"
	echo "FAIL - mkpki.sh"
	exit 1
fi
pick_port || exit 1
B=$T/vb

vbench() {
	run "$VERIFY_BENCH" "$@" --ledgerd "$LEDGERD"
}

# The real regions (Japanese names), the real PKI: a ledgerd the daemon
# can serve afterwards.
vbench "$B" --entries 2000 --regions "$LD_SOURCE_DIR/conf/regions.tsv" \
	--pki "$PKI" --port "$PORT" --runs 2 --proofs 1000 --sha-seconds 1
if [ "$RC" -eq 0 ] && grep -q "^RESULT entries=2000 .* verify=intact proofs=ok$" "$OUT"; then
	ok "2,000 entries built, verified twice, proofs verified"
else
	not_ok "verify-bench: exit $RC"
fi
if grep -q "^  ledgerd says: ledger intact: 2000 entries;" "$OUT"; then
	ok "ledgerd --verify: ledger intact, 2000 entries"
else
	not_ok "ledgerd --verify did not say intact with 2000 entries"
fi
if grep -q "^  mix: 49 regions, 4 appropriations, 100 awards, [1-9][0-9]* disbursements, [1-9][0-9]* refunds, [1-9][0-9]* reversals, 2 year closes;" "$OUT"; then
	ok "mix: every kind of entry, the seed's 49 regions"
else
	not_ok "mix: $(grep '^  mix:' "$OUT")"
fi
if grep -q "^  openssl speed sha256: [1-9][0-9,]* hashes/s of 256 bytes" "$OUT" &&
	grep -Eq "sha256_256B_per_s=[1-9][0-9]* sha256_64B_per_s=[1-9]" "$OUT"; then
	ok "openssl speed sha256 read"
else
	not_ok "openssl speed sha256 not read"
fi
if grep -Eq "incl_mean_us=[0-9.]+ incl_p99_us=[0-9.]+ cons_mean_us=[0-9.]+ cons_p99_us=[0-9.]+ prove_mean_us=[0-9.]+ prove_p99_us=[0-9.]+" "$OUT"; then
	ok "proof latencies reported"
else
	not_ok "proof latencies missing"
fi

# The ledger is the daemon's own: served, and proved through ledgerctl
# against the signed checkpoint.
CONF=$B/ledgerd.conf
run "$LEDGERD" -c "$CONF" --verify
if [ "$RC" -eq 0 ]; then ok "ledgerd --verify on its own: exit 0"; else not_ok "ledgerd --verify: exit $RC"; fi
run "$LEDGERD" -c "$CONF" --print-verifier
cp "$OUT" "$T/verifier"
start_or_die
expect_ok auditor01 prove 1999 --verifier "$T/verifier" --json
expect_json verified true
expect_ok auditor01 consistency 1000 --verifier "$T/verifier" --json
expect_json verified true
stop_daemon

# The bench fails when the verifier does, and does not build over a ledger.
run "$VERIFY_BENCH" "$B" --entries 2000 --reuse --ledgerd /bin/false --runs 1 \
	--proofs 10 --sha-seconds 0
if [ "$RC" -eq 1 ] && grep -q "run 1: exit 1" "$ERR"; then
	ok "a failing verifier fails the bench"
else
	not_ok "a failing verifier: exit $RC"
fi
vbench "$B" --entries 3000 --runs 1 --proofs 10 --sha-seconds 0
if [ "$RC" -eq 1 ] && grep -q "already holds 2000 entries" "$ERR"; then
	ok "an existing ledger is not built over"
else
	not_ok "existing ledger: exit $RC"
fi
vbench "$B" --entries 2000 --reuse --runs 1 --proofs 100 --sha-seconds 0
if [ "$RC" -eq 0 ] && grep -q "^build: reusing" "$OUT"; then
	ok "--reuse times the existing ledger"
else
	not_ok "--reuse: exit $RC"
fi

# Synthetic regions and a throw-away PKI made by the bench itself.
vbench "$T/vb2" --entries 500 --runs 1 --proofs 100 --sha-seconds 0
if [ "$RC" -eq 0 ] && grep -q "^RESULT entries=500 .* verify=intact proofs=ok$" "$OUT"; then
	ok "synthetic regions, own PKI: 500 entries intact"
else
	not_ok "synthetic regions: exit $RC"
fi

check "bash -n bench/verify-run" bash -n "$LD_SOURCE_DIR/bench/verify-run"
finish
