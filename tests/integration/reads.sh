#!/usr/bin/env bash
# reads.sh - every role may run every read: the audit, export, report and
# reconciliation commands, and what an auditor can check without trusting
# the server.
#
# For each of admin, clerk, auditor and reconciler: checkpoint, prove,
# consistency, verify, export (JSONL and CSV), report and reconcile succeed.
# The JSONL export lets anyone recompute every leaf hash and the RFC 6962
# root from leaf_data alone (done here in Python, not with ledgerctl), and
# that root is the one in the signed checkpoint.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
# Three terms entries (seq 1-3), then five more.
seed_terms 2013

expect_ok admin01 region add aichi-nanotech --name 愛知 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0001 --date 2013-06-30 --json
D1=$(jget seq)
expect_ok clerk01 refund --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref R-0001 --date 2013-07-15

printf 'date,ref,amount\n2013-06-30,V-0001,50000000\n2013-07-15,R-0001,-1000000\n' >"$T/statement.csv"
printf 'date,ref,amount\n2013-06-30,V-0001,50000000\n2013-07-15,R-0001,-2000000\n' >"$T/statement-bad.csv"

expect_exit 0 "$LEDGERD" -c "$CONF" --print-verifier
cp "$OUT" "$T/verifier"
check "verifier key: ledgerd.test+<8 hex>+<base64 of 0x01 and a 32-byte key>" "$LD_PY" -c '
import base64, re, sys
m = re.fullmatch(r"ledgerd\.test\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)", open(sys.argv[1]).read().strip())
k = base64.b64decode(m.group(2)) if m else b""
sys.exit(not (len(k) == 33 and k[0] == 1))' "$T/verifier"

for cn in admin01 clerk01 auditor01 recon01; do
	expect_ok "$cn" checkpoint
	expect_ok "$cn" checkpoint --json
	expect_json origin ledgerd.test
	expect_json size 8
	expect_ok "$cn" prove "$D1" --json
	expect_json verified true
	expect_ok "$cn" prove "$D1" --verifier "$T/verifier" --json
	expect_json verified true
	expect_ok "$cn" consistency 2 8 --json
	expect_json old_size 2
	expect_json new_size 8
	expect_json verified true
	expect_ok "$cn" verify --verifier "$T/verifier" --state "$T/state.$cn" --full
	expect_ok "$cn" export --format jsonl
	[ "$(jcount)" -eq 8 ] && ok "$cn: export shows 8 entries" || not_ok "$cn: export shows $(jcount) entries, want 8"
	expect_ok "$cn" export --format csv
	expect_ok "$cn" report --fy 2013
	expect_ok "$cn" reconcile --fy 2013 --statement "$T/statement.csv"
	expect_exit 5 ctl "$cn" reconcile --fy 2013 --statement "$T/statement-bad.csv"
done

# --- what an auditor recomputes alone -------------------------------------------
expect_ok auditor01 checkpoint --json
cp "$OUT" "$T/checkpoint.json"
expect_ok auditor01 checkpoint
cp "$OUT" "$T/checkpoint.note"
expect_ok auditor01 export --format jsonl
cp "$OUT" "$T/export.jsonl"
check "export: leaf hashes and the RFC 6962 root recomputed from leaf_data match the checkpoint" "$LD_PY" -c '
import base64, hashlib, json, sys
H = lambda b: hashlib.sha256(b).digest()
entries = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cp = json.loads(open(sys.argv[2]).readline())
leaves = []
for e in entries:
    h = H(b"\x00" + bytes.fromhex(e["leaf_data"]))
    assert h.hex() == e["leaf_hash"], e["seq"]
    leaves.append(h)
def mth(v):
    if len(v) == 1:
        return v[0]
    k = 1
    while k * 2 < len(v):
        k *= 2
    return H(b"\x01" + mth(v[:k]) + mth(v[k:]))
root = mth(leaves)
assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
assert cp["size"] == len(entries) and cp["root"] == root.hex(), (cp, root.hex())
body = cp["note"].split("\n")
assert body[0] == "ledgerd.test" and body[1] == str(len(entries)), body[:2]
assert base64.b64decode(body[2]) == root
' "$T/export.jsonl" "$T/checkpoint.json"
check "checkpoint prints the note as in --json" "$LD_PY" -c '
import json, sys
sys.exit(open(sys.argv[1]).read().rstrip("\n") != json.loads(open(sys.argv[2]).readline())["note"].rstrip("\n"))
' "$T/checkpoint.note" "$T/checkpoint.json"
expect_ok auditor01 export --format csv
check "export --format csv: the contract's header" test "$(head -n 1 "$OUT")" = \
	"seq,kind,region,fy,account,amount,ref,date,memo,id,actor,recorded_at,reverses,reason,leaf_hash"
expect_ok auditor01 export --since 2 --until 3 --format jsonl
if [ "$(jget seq | tr '\n' ' ')" = "2 3 " ]; then ok "export --since 2 --until 3: inclusive"; else not_ok "export --since 2 --until 3"; fi
expect_exit 0 "$LEDGERCTL" verify-export "$T/export.jsonl" --checkpoint "$T/checkpoint.note" --verifier "$T/verifier"
# One byte of the disbursement's leaf data changed: its amount.
"$LD_PY" -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["seq"] == int(sys.argv[2]):
        d = bytearray.fromhex(e["leaf_data"])
        i = d.find((50000000).to_bytes(8, "big"))
        d[i + 7] ^= 1
        e["leaf_data"] = d.hex()
    print(json.dumps(e, ensure_ascii=False, separators=(",", ":")))
' "$T/export.jsonl" "$D1" >"$T/tampered.jsonl"
check "the tampered copy differs" bash -c '! cmp -s "$1" "$2"' _ "$T/export.jsonl" "$T/tampered.jsonl"
expect_exit 4 "$LEDGERCTL" verify-export "$T/tampered.jsonl" --checkpoint "$T/checkpoint.note" --verifier "$T/verifier"

stop_daemon
finish
