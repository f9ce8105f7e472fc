#!/usr/bin/env bash
# integrity.sh - nothing served unchecked (contract version 2, 2.4 and 2.8),
# through the real daemon and ledgerctl.
#
# One byte of an old entry is flipped in data.mdb while the daemon runs:
# get, list, prove and export refuse it with DAMAGED naming the seq, verify
# --full fails (exit 4) naming it, a scrub started with `ledgerctl scrub`
# finds it and `status` says so; `ledgerd --verify` names it, and after a
# restart the start-up pass finds it again.  Then an entry is rewritten
# together with its leaf hash, so that every read check passes: the tree's
# nodes disagree, the scrub says so, and verify --full still names the
# rewritten seq (by bisection with consistency proofs to the signed root).
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013

expect_exit 0 "$LEDGERD" -c "$CONF" --print-verifier
cp "$OUT" "$T/verifier"

expect_ok admin01 region add hakodate --name 函館地域 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 3億 --ref BUDGET
expect_ok admin01 award --region hakodate --fy 2013 --amount 1.5億 --date 2013-05-01 --ref AW-1
for i in $(seq 1 20); do
	ctl clerk01 disburse --region hakodate --fy 2013 --amount 1000 \
		--ref "V-$i" --date 2013-07-01 --memo "payment number $i" \
		>/dev/null 2>&1 </dev/null || not_ok "disbursement $i"
done
expect_ok clerk01 --json disburse --region hakodate --fy 2013 --amount 1000 --ref V-DMG --date 2013-07-01 --memo "DAMAGEMEQQQQ"
bad=$(jget seq)
# 70 after it: older than the 64 entries ledgerd checks before it serves.
for i in $(seq 21 90); do
	ctl clerk01 disburse --region hakodate --fy 2013 --amount 1000 \
		--ref "V-$i" --date 2013-07-01 --memo "payment number $i" \
		>/dev/null 2>&1 </dev/null || not_ok "disbursement $i"
done
expect_ok auditor01 --json status
size=$(jget size)

# The start-up pass has found the ledger intact.
wait_scrub() {	# wait_scrub RESULT: until status shows a finished pass with RESULT
	local i
	for i in $(seq 1 100); do
		run ctl auditor01 --json status
		if [ "$("$LD_PY" -c 'import json,sys; o=json.load(sys.stdin); s=o.get("scrub") or {}; print("%s %s" % (s.get("running"), s.get("result")))' <"$OUT")" = "False $1" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
check "start-up scrub finds the ledger intact" wait_scrub ok
expect_json damaged_entries 0

# flip FROM TO: replace bytes FROM by TO everywhere in data.mdb, in place.
flip() {
	"$LD_PY" - "$T/ledger/data.mdb" "$1" "$2" <<'EOF'
import mmap, sys
path, a, b = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
assert len(a) == len(b)
with open(path, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    n, i = 0, m.find(a)
    while i >= 0:
        m[i:i + len(b)] = b
        n += 1
        i = m.find(a, i + 1)
    m.flush()
sys.exit(0 if n > 0 else 1)
EOF
}
check "one byte of seq $bad flipped in data.mdb" flip DAMAGEMEQQQQ DAMAGEMEQQQR

# --- reads refuse it --------------------------------------------------------------
expect_error DAMAGED auditor01 get "$bad"
check "DAMAGED names the seq" grep -qF "seq $bad:" "$ERR"
run ctl auditor01 --json get "$bad"
expect_json seq "$bad"
expect_error DAMAGED auditor01 list
check "list printed the entries before the damaged one" \
	test "$(grep -c '^ *[0-9]' "$OUT")" -ge $((bad - 1))
expect_error DAMAGED auditor01 export --format jsonl
check "export stopped before the damaged entry" test "$(jcount)" -eq $((bad - 1))
expect_error DAMAGED auditor01 prove "$bad" --verifier "$T/verifier"
expect_ok auditor01 get $((bad - 1))
expect_exit 4 ctl auditor01 verify --verifier "$T/verifier" --full
check "verify --full names the seq" grep -qF "seq $bad is damaged" "$ERR"
# A write that needs the damaged entry is refused, and nothing is written.
expect_ok auditor01 --json status
before=$(jget size)
expect_error DAMAGED clerk01 reverse "$bad" --reason "test"
expect_ok auditor01 --json status
expect_json size "$before"

# --- the scrub finds it ---------------------------------------------------------------
expect_error FORBIDDEN clerk01 scrub
expect_ok auditor01 scrub
check "scrub finds the damaged entry" wait_scrub damaged
"$LD_PY" -c 'import json,sys; o=json.load(sys.stdin); print(o["scrub"]["damaged_seq"], o["scrub"]["size"], o["damaged_entries"])' <"$OUT" >"$T/scrub.txt"
check "status names seq $bad, size $size, one damaged entry" \
	test "$(cat "$T/scrub.txt")" = "$bad $size 1"
check "the log names the damaged seq" grep -qF "seq $bad: the stored entry does not match its leaf hash" "$LOG"
expect_ok admin01 scrub
expect_ok auditor01 status
check "status shows the scrub" grep -qF "scrub_result: damaged" "$OUT"

# --- offline and after a restart -------------------------------------------------------
stop_daemon
expect_exit 1 "$LEDGERD" -c "$CONF" --verify
check "ledgerd --verify names the seq" grep -qF "seq $bad" "$OUT" "$ERR"
start_or_die
check "the start-up scrub finds it again" wait_scrub damaged

# --- entry and leaf rewritten together ----------------------------------------------------
# Undo the flip, then rewrite seq bad2's memo and its leaf hash consistently.
check "flip back" flip DAMAGEMEQQQR DAMAGEMEQQQQ
bad2=$((bad + 20))
expect_ok auditor01 --json get $bad2
old=$(jget leaf_hash)
expect_ok auditor01 export --format jsonl --since $bad2 --until $bad2
data=$(jget leaf_data)
"$LD_PY" - "$T/ledger/data.mdb" "$data" "$old" <<'EOF' || not_ok "rewrite seq $bad2 and its leaf"
import hashlib, mmap, sys
path, data, old = sys.argv[1], bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
new = data.replace(b"payment number", b"paymenT number")
assert new != data and len(new) == len(data)
leaf = hashlib.sha256(b"\0" + new).digest()
with open(path, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    for a, b in ((data, new), (old, leaf)):
        i = m.find(a)
        assert i >= 0
        while i >= 0:
            m[i:i + len(b)] = b
            i = m.find(a, i + 1)
    m.flush()
EOF
expect_ok auditor01 get $bad2
check "the rewritten entry passes its own leaf check" grep -qF "paymenT number" "$OUT"
expect_exit 4 ctl auditor01 verify --verifier "$T/verifier" --full
check "verify --full names the rewritten seq" grep -qF "seq $bad2 was altered" "$ERR"
expect_ok auditor01 scrub
check "the scrub finds the tree disagreeing" wait_scrub damaged
finish
