#!/usr/bin/env bash
# seed.sh - the quick start's loading of the seed, and the quick start itself.
#
# scripts/seed-ledger.sh registers conf/regions.tsv (the seed's 49 regions:
# 29 general, 4 reconstruction, 16 continuing) and the FY2013 appropriations;
# run twice it writes nothing the second time.  Then scripts/quickstart.sh
# runs as the README's first command would (with the built binaries, its
# var/ directory in the test's temporary directory and a free port): it makes
# the PKI, config and ledger, seeds it, says how to connect, stays in the
# foreground until SIGTERM, and exits 0; a second run keeps the ledger.
. "$(dirname "$0")/lib.sh"

TSV=$LD_SOURCE_DIR/conf/regions.tsv
setup
start_or_die

seed() {
	LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/admin01.crt \
		LEDGER_KEY=$PKI/admin01.key LEDGERCTL=$LEDGERCTL \
		bash "$LD_SOURCE_DIR/scripts/seed-ledger.sh" "$@"
}
# expect_seeded CTL...: the seed's regions and appropriations, read with CTL.
expect_seeded() {
	run "$@" region list --json
	if "$LD_PY" -c '
import collections, json, sys
regions = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = collections.Counter(r["grant_type"] for r in regions)
print(dict(n))
sys.exit(n != {"general": 29, "reconstruction": 4, "continuing": 16})' "$OUT" >"$T/count" 2>&1; then
		ok "49 regions: 29 general, 4 reconstruction, 16 continuing"
	else
		not_ok "regions by grant type: $(cat "$T/count")"
	fi
	run "$@" region list --json
	expect_json name 函館地域 code=hakodate
	expect_json grant_type reconstruction code=iwate-next-mobility
	expect_json account reconstruction code=iwate-next-mobility
	run "$@" balance --fy 2013 --account general --json
	expect_json appropriated 16221000000
	run "$@" balance --fy 2013 --account reconstruction --json
	expect_json appropriated 1505000000
}

# --- seed-ledger.sh against a test daemon -------------------------------------------
if [ -r "$TSV" ]; then
	ok "conf/regions.tsv exists"
	check "conf/regions.tsv: header code, name, grant_type, category" \
		test "$(head -n 1 "$TSV" | tr -d '\r')" = "$(printf 'code\tname\tgrant_type\tcategory')"
	run seed "$TSV"
	[ "$RC" -eq 0 ] && ok "seed-ledger.sh: first run" || not_ok "seed-ledger.sh: first run exit $RC"
	check "seed-ledger.sh reports 49 regions added" grep -q "49 added, 0 already present" "$OUT"
	expect_seeded ctl auditor01
	ledger_snapshot "$T/seed1.jsonl"
	run seed "$TSV"
	[ "$RC" -eq 0 ] && ok "seed-ledger.sh: second run" || not_ok "seed-ledger.sh: second run exit $RC"
	check "second run: 0 added, 49 already present" grep -q "0 added, 49 already present" "$OUT"
	ledger_snapshot "$T/seed2.jsonl"
	check "second run wrote nothing" cmp -s "$T/seed1.jsonl" "$T/seed2.jsonl"
else
	not_ok "conf/regions.tsv is missing"
fi

# A file written by hand: CRLF line ends, a comment, an empty category.
printf 'code\tname\tgrant_type\tcategory\r\n# a comment\r\ntest-yamaguchi\t山口地域\tcontinuing\t\r\ntest-tokachi\t十勝エリア\tcontinuing\t都市エリア型\r\n' \
	>"$T/small.tsv"
run seed "$T/small.tsv"
[ "$RC" -eq 0 ] && ok "seed-ledger.sh: a CRLF file" || not_ok "seed-ledger.sh: a CRLF file: exit $RC"
check "seed-ledger.sh: 2 added" grep -q "2 added, 0 already present" "$OUT"
run ctl auditor01 region list --json
expect_json category 都市エリア型 code=test-tokachi
expect_json category "" code=test-yamaguchi
expect_json name 山口地域 code=test-yamaguchi
printf 'code\tname\tgrant_type\tcategory\nBad Code\tx\tgeneral\t\n' >"$T/bad.tsv"
run seed "$T/bad.tsv"
[ "$RC" -ne 0 ] && ok "seed-ledger.sh: a bad row fails (exit $RC)" || not_ok "seed-ledger.sh: a bad row did not fail"
stop_daemon

# --- quickstart.sh ----------------------------------------------------------------
QS=$T/qs
REAL=$PORT
while [ "$PORT" = "$REAL" ]; do pick_port || exit 1; done
QPORT=$PORT
qctl() {
	LEDGER_SERVER=127.0.0.1:$QPORT LEDGER_CA=$QS/pki/ca.crt LEDGER_CERT=$QS/pki/auditor01.crt \
		LEDGER_KEY=$QS/pki/auditor01.key "$LEDGERCTL" "$@"
}
# quickstart N: run it in the background until it says it is running.
quickstart() {
	LEDGERD=$LEDGERD LEDGERCTL=$LEDGERCTL QUICKSTART_VAR=$QS QUICKSTART_LISTEN=127.0.0.1:$QPORT \
		bash "$LD_SOURCE_DIR/scripts/quickstart.sh" >"$T/qs.$1.out" 2>"$T/qs.$1.err" </dev/null &
	QPID=$!
	LD_BG_PIDS+=("$QPID")
	local deadline=$((SECONDS + LD_START_TIMEOUT + 60))
	until grep -q "ledgerd is running" "$T/qs.$1.out"; do
		if ! kill -0 "$QPID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
			not_ok "quickstart run $1 did not start: $(tail -n 5 "$T/qs.$1.err")"
			return 1
		fi
		sleep 0.1
	done
	ok "quickstart run $1: running"
	QDPID=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$T/qs.$1.out" | head -n 1)
}
# quickstart_stop N: SIGTERM to the script stops the daemon; both exit 0.
quickstart_stop() {
	kill -TERM "$QPID"
	wait "$QPID"
	local rc=$?
	LD_BG_PIDS=()
	[ "$rc" -eq 0 ] && ok "quickstart run $1: SIGTERM, exit 0" || not_ok "quickstart run $1: exit $rc after SIGTERM"
	if [ -n "$QDPID" ] && ! kill -0 "$QDPID" 2>/dev/null; then
		ok "quickstart run $1: ledgerd stopped with it"
	else
		not_ok "quickstart run $1: ledgerd (pid '$QDPID') still running"
		[ -n "$QDPID" ] && kill -9 "$QDPID"
	fi
}

if quickstart 1; then
	for f in ledgerd.conf pki/ca.crt pki/server.crt pki/admin01.crt pki/checkpoint.key; do
		check "quickstart made $f" test -s "$QS/$f"
	done
	check "quickstart: key files are mode 0600" \
		test "$(stat -c %a "$QS/pki/server.key" "$QS/pki/checkpoint.key" "$QS/pki/admin01.key" | sort -u)" = 600
	check "quickstart: prints LEDGER_SERVER" grep -q "LEDGER_SERVER=127.0.0.1:$QPORT" "$T/qs.1.out"
	check "quickstart: prints LEDGER_CERT" grep -q "LEDGER_CERT=$QS/pki/admin01.crt" "$T/qs.1.out"
	expect_seeded qctl
	qctl list --json >"$T/qs1.jsonl" 2>&1 </dev/null
	quickstart_stop 1
fi
if quickstart 2; then
	check "quickstart run 2: 0 regions added" grep -q "0 added, 49 already present" "$T/qs.2.out"
	check "quickstart run 2: appropriations and terms already recorded" \
		test "$(grep -c "already recorded" "$T/qs.2.out")" -eq 5
	qctl list --json >"$T/qs2.jsonl" 2>&1 </dev/null
	check "quickstart run 2: ledger kept, nothing written twice" cmp -s "$T/qs1.jsonl" "$T/qs2.jsonl"
	quickstart_stop 2
fi

finish
