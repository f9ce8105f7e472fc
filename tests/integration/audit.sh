#!/usr/bin/env bash
# audit.sh - what an auditor holding only the verifier key can establish, and
# that every kind of lie is caught.
#
# Good ledger: every entry proves with --verifier (exit 0, "verified":true);
# every old size proves consistent; `verify --state` trusts on first use,
# then proves each new checkpoint an extension of the saved one and moves
# the state forward; a JSONL export passes verify-export, and its CSV twin
# carries the same fields.
# Lies (all exit 4, "ledgerctl: verification failed:"): one byte of leaf_data
# changed in an export; a truncated export; another key's verifier; a fork
# (a second ledger signed with the same key, smaller, as large, larger) seen
# with the state of the first, which leaves the state file untouched; one
# byte of an entry flipped inside data.mdb with the daemon stopped, which
# `ledgerd --verify` (exit 1), `verify --full`, `prove` (DAMAGED) and verify-export
# of a fresh export all catch.
. "$(dirname "$0")/lib.sh"

setup
# Small frames, so that `verify --full` and export read many ENTRIES frames.
sed -i 's/^idle_timeout_s = 60$/&\nmax_frame_bytes = 16384/' "$CONF"
start_or_die
seed_terms 2013

V=$T/v.pub
STATE=$T/state.note
MEMO='TAMPERME, "quoted" memo'

expect_ok admin01 region add aichi-nanotech --name 愛知県 --grant-type general --category 国際競争力強化地域
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 10億 --ref AW-2
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0001 --date 2013-06-30 --memo "$MEMO" --id pay-1 --json
TSEQ=$(jget seq)
expect_ok clerk01 refund --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref R-0001 --date 2013-07-15
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 2000万 --ref V-0002 --date 2013-07-31 --json
D2=$(jget seq)
expect_ok clerk01 reverse "$D2" --reason 二重計上
expect_ok admin01 close-year --account reconstruction --fy 2013

expect_exit 0 "$LEDGERD" -c "$CONF" --print-verifier
cp "$OUT" "$V"

# --- checkpoint -------------------------------------------------------------
expect_ok auditor01 checkpoint
cp "$OUT" "$T/c1.note"
expect_ok auditor01 checkpoint --json
expect_json origin ledgerd.test
N=$(jget size)
[ "$N" -eq 13 ] && ok "checkpoint size 13 (3 terms, 10 more)" || not_ok "checkpoint size $N, want 13"
check "checkpoint prints the note byte for byte as in --json" "$LD_PY" -c '
import json, sys
sys.exit(open(sys.argv[1], "rb").read() != json.loads(open(sys.argv[2]).readline())["note"].encode())
' "$T/c1.note" "$OUT"

# --- prove and consistency --------------------------------------------------
bad=
for seq in $(seq 1 "$N"); do
	run ctl auditor01 prove "$seq" --verifier "$V" --json
	if [ "$RC" -ne 0 ] || [ "$(jget verified)" != true ] || [ "$(jget seq)" != "$seq" ] ||
		[ "$(jget size)" != "$N" ] || [ "$(jget signature_checked)" != true ]; then
		bad="$bad $seq"
	fi
done
[ -z "$bad" ] && ok "prove SEQ --verifier: all $N entries verified" || not_ok "prove failed for:$bad"
expect_ok auditor01 prove 2 --size 3 --verifier "$V" --json
expect_json size 3
expect_json verified true
check "prove --json: path is a list of hashes" "$LD_PY" -c '
import json, re, sys
o = json.loads(open(sys.argv[1]).readline())
sys.exit(not (o["path"] and all(re.fullmatch("[0-9a-f]{64}", h) for h in o["path"])))' "$OUT"
expect_ok auditor01 prove "$TSEQ"
check "prove without --verifier says the signature was not checked" grep -q "not checked" "$OUT"
expect_ok auditor01 prove "$TSEQ" --json
expect_json signature_checked false
expect_json verified true

bad=
for m in $(seq 0 "$N"); do
	run ctl auditor01 consistency "$m" "$N" --verifier "$V" --json
	if [ "$RC" -ne 0 ] || [ "$(jget verified)" != true ] || [ "$(jget old_size)" != "$m" ] ||
		[ "$(jget new_size)" != "$N" ]; then
		bad="$bad $m"
	fi
done
[ -z "$bad" ] && ok "consistency M $N --verifier: verified for M = 0..$N" || not_ok "consistency failed for:$bad"
expect_ok auditor01 consistency 3 --json
expect_json new_size "$N"
expect_json verified true

# --- usage errors and refusals --------------------------------------------------
expect_exit 2 ctl auditor01 prove 0
expect_exit 2 ctl auditor01 prove 3 --size 2
expect_exit 2 ctl auditor01 prove 1 --verifier "$T/no-such-file"
expect_exit 2 ctl auditor01 consistency 3 2
expect_exit 2 ctl auditor01 verify
expect_exit 2 ctl auditor01 export --format xml
expect_exit 2 ctl auditor01 export --since 3 --until 2
expect_exit 2 "$LEDGERCTL" verify-export "$T/no-such.jsonl" --checkpoint "$T/c1.note" --verifier "$V"
expect_exit 2 "$LEDGERCTL" verify-export "$T/c1.note" --verifier "$V"
expect_error NOT_FOUND auditor01 prove $((N + 5))
expect_error OUT_OF_RANGE auditor01 consistency 2 $((N + 5))

# --- verify --state: trust on first use, then consistency ------------------------
expect_ok auditor01 verify --verifier "$V" --state "$STATE" --json
expect_json verified true
check "verify --state: first use saves the checkpoint" cmp -s "$STATE" "$T/c1.note"
expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 3000万 --ref V-0003 --date 2013-08-30
expect_ok auditor01 verify --verifier "$V" --state "$STATE" --full --json
expect_json old_size "$N"
expect_json size $((N + 1))
expect_json verified true
expect_ok auditor01 checkpoint
cp "$OUT" "$T/c2.note"
check "verify --state: the state moved to the new checkpoint" cmp -s "$STATE" "$T/c2.note"
expect_ok auditor01 verify --verifier "$V" --state "$STATE"
check "verify (text): says verified" grep -q "^verified: yes" "$OUT"
N=$((N + 1))

# --- export and verify-export -------------------------------------------------------
expect_ok auditor01 export --format jsonl
cp "$OUT" "$T/e.jsonl"
[ "$(jcount)" -eq "$N" ] && ok "export: $N lines" || not_ok "export: $(jcount) lines, want $N"
expect_exit 0 "$LEDGERCTL" verify-export "$T/e.jsonl" --checkpoint "$T/c2.note" --verifier "$V" --json
expect_json verified true
expect_json entries "$N"
# An export longer than the checkpoint: the signed prefix verifies.
expect_exit 0 "$LEDGERCTL" verify-export "$T/e.jsonl" --checkpoint "$T/c1.note" --verifier "$V" --json
expect_json beyond_checkpoint 1
head -n $((N - 1)) "$T/e.jsonl" >"$T/short.jsonl"
expect_exit 4 "$LEDGERCTL" verify-export "$T/short.jsonl" --checkpoint "$T/c2.note" --verifier "$V"
"$LD_PY" -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["seq"] == int(sys.argv[2]):
        d = bytearray.fromhex(e["leaf_data"])
        d[-1] ^= 1          # last byte of recorded_at
        e["leaf_data"] = d.hex()
    print(json.dumps(e, ensure_ascii=False, separators=(",", ":")))
' "$T/e.jsonl" "$TSEQ" >"$T/tampered.jsonl"
check "the tampered export differs in one line" test "$(diff "$T/e.jsonl" "$T/tampered.jsonl" | grep -c '^>')" = 1
expect_exit 4 "$LEDGERCTL" verify-export "$T/tampered.jsonl" --checkpoint "$T/c2.note" --verifier "$V"
check "verify-export names the bad line" grep -q "verification failed: line $TSEQ" "$ERR"
# JSON field changed, leaf_data intact: also caught.
sed "s/\"amount\":1000000,/\"amount\":1000001,/" "$T/e.jsonl" >"$T/field.jsonl"
expect_exit 4 "$LEDGERCTL" verify-export "$T/field.jsonl" --checkpoint "$T/c2.note" --verifier "$V"

expect_ok auditor01 export
check "export: CSV by default, the contract's header" test "$(head -n 1 "$OUT")" = \
	"seq,kind,region,fy,account,amount,ref,date,memo,id,actor,recorded_at,reverses,reason,leaf_hash"
check "export csv: every field equals the JSONL export's, empty where absent" "$LD_PY" -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
ents = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(rows) == len(ents), (len(rows), len(ents))
for r, e in zip(rows, ents):
    for k, v in r.items():
        assert v == ("" if k not in e else str(e[k])), (k, v, e.get(k))
assert any(r["memo"] == sys.argv[3] for r in rows)
' "$OUT" "$T/e.jsonl" "$MEMO"
if grep -q $'\r' "$OUT"; then not_ok "export csv: CR in output"; else ok "export csv: LF line ends"; fi
expect_ok auditor01 export --since 2 --until 3 --json
[ "$(jget seq | tr '\n' ' ')" = "2 3 " ] && ok "export --since 2 --until 3 --json: entries 2 and 3" || not_ok "export --since 2 --until 3"

# --- another key's verifier ----------------------------------------------------------
openssl genpkey -algorithm ed25519 -out "$PKI/other.key" 2>/dev/null
sed 's#^checkpoint_key = .*#checkpoint_key = pki/other.key#' "$CONF" >"$T/other.conf"
expect_exit 0 "$LEDGERD" -c "$T/other.conf" --print-verifier
cp "$OUT" "$T/other.pub"
check "the other key's verifier differs" bash -c '! cmp -s "$1" "$2"' _ "$V" "$T/other.pub"
cp "$STATE" "$T/state.before"
expect_exit 4 ctl auditor01 prove 1 --verifier "$T/other.pub"
check "wrong key: reason on stderr" grep -q "^ledgerctl: verification failed: " "$ERR"
expect_exit 4 ctl auditor01 consistency 1 --verifier "$T/other.pub"
expect_exit 4 ctl auditor01 verify --verifier "$T/other.pub"
expect_exit 4 ctl auditor01 verify --verifier "$T/other.pub" --state "$STATE"
expect_exit 4 "$LEDGERCTL" verify-export "$T/e.jsonl" --checkpoint "$T/c2.note" --verifier "$T/other.pub"
check "wrong key: state file unchanged" cmp -s "$STATE" "$T/state.before"

# --- a fork: same key, another history ------------------------------------------------
stop_daemon
mv "$T/ledger" "$T/ledger.main"
mkdir -m 0700 "$T/ledger"
start_or_die --same-port
expect_exit 4 ctl auditor01 verify --verifier "$V" --state "$STATE"
check "fork (empty ledger): fork or rewrite detected" grep -q "fork or rewrite detected" "$ERR"
check "fork (empty ledger): state file unchanged" cmp -s "$STATE" "$T/state.before"
expect_ok admin01 region add sendai --name 仙台 --grant-type reconstruction
expect_ok admin01 appropriate --account reconstruction --fy 2013 --amount 50億 --ref FORK
for i in $(seq 3 "$N"); do
	run ctl admin01 region add "fork-$i" --name "fork $i" --grant-type continuing
done
expect_ok auditor01 verify --verifier "$V" --json
expect_json size "$N"
expect_exit 4 ctl auditor01 verify --verifier "$V" --state "$STATE" --json
expect_json verified false
check "fork (same size): state file unchanged" cmp -s "$STATE" "$T/state.before"
expect_ok admin01 region add fork-more --name more --grant-type continuing
expect_exit 4 ctl auditor01 verify --verifier "$V" --state "$STATE" --full
check "fork (larger): fork or rewrite detected" grep -q "fork or rewrite detected" "$ERR"
check "fork (larger): state file unchanged" cmp -s "$STATE" "$T/state.before"
stop_daemon
rm -rf "$T/ledger"
mv "$T/ledger.main" "$T/ledger"
start_or_die --same-port
expect_ok auditor01 verify --verifier "$V" --state "$STATE"

# --- an entry altered inside data.mdb -------------------------------------------------
# ledgerd checks the newest 64 entries when it starts, so the altered one must
# be older than that window for the client-side checks to see it served:
# import 100 more entries after it.
BULK=100
{
	echo "kind,region,fy,amount,ref,date,memo,id"
	for i in $(seq 1 "$BULK"); do
		echo "disbursement,hakodate,2013,1000,B-$i,2013-09-30,,bulk-$i"
	done
} >"$T/bulk.csv"
expect_ok clerk02 import "$T/bulk.csv"
N=$((N + BULK))
expect_ok auditor01 verify --verifier "$V" --state "$STATE" --full --json
expect_json size "$N"
expect_json verified true
expect_ok auditor01 checkpoint
cp "$OUT" "$T/c3.note"
cp "$STATE" "$T/state.before"
stop_daemon
check "data.mdb: one byte of the memo flipped" "$LD_PY" -c '
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
needle = b"TAMPERME"
n, i = 0, d.find(needle)
while i >= 0:
    d[i] = ord("S")     # TAMPERME -> SAMPERME: still valid text
    n += 1
    i = d.find(needle, i + 1)
open(p, "wb").write(d)
sys.exit(n == 0)' "$T/ledger/data.mdb"
expect_exit 1 "$LEDGERD" -c "$CONF" --verify
check "ledgerd --verify names the altered seq" grep -q "\b$TSEQ\b" "$ERR"
echo "# start ledgerd on the altered ledger" >>"$LOG"
"$LEDGERD" -c "$CONF" </dev/null >>"$LOG" 2>&1 &
DPID=$!
if wait_ready; then
	ok "ledgerd serves a ledger altered before its start-up window"
	# The daemon never serves the altered entry (2.4): DAMAGED naming it.
	expect_exit 4 ctl auditor01 verify --verifier "$V" --full
	check "verify --full names the altered seq" grep -q "seq $TSEQ is damaged" "$ERR"
	expect_exit 4 ctl auditor01 verify --verifier "$V" --state "$STATE" --full
	check "verify --full failed: state file unchanged" cmp -s "$STATE" "$T/state.before"
	expect_error DAMAGED auditor01 prove "$TSEQ" --verifier "$V"
	expect_error DAMAGED auditor01 export --format jsonl
	cp "$OUT" "$T/e3.jsonl"
	check "export stopped before the altered entry" test "$(jcount "$T/e3.jsonl")" -eq $((TSEQ - 1))
	expect_exit 4 "$LEDGERCTL" verify-export "$T/e3.jsonl" --checkpoint "$T/c3.note" --verifier "$V"
	stop_daemon
else
	kill_daemon
	ok "ledgerd refuses to serve the altered ledger (client checks not reached)"
fi

finish
