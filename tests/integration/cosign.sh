#!/usr/bin/env bash
# cosign.sh - witnesses cosign checkpoints (C2SP tlog-cosignature/v1) and a
# quorum of them catches a split view (contract 2.5, 2.8, 2.10).
#
# Through the real daemon and ledgerctl: `cosigner-key` prints a type 0x04
# verifier key whose key id we recompute; `verify --cosign` stores the
# cosignature and `checkpoint` shows it appended to the note (and in
# --json's `cosigned`); the cosignature is checked independently with
# OpenSSL's command line over the message the specification defines
# ("cosignature/v1\ntime T\n" + body).  Refusals through a raw client
# (cosign_send.py): STALE_COSIGNATURE for an older timestamp or a smaller
# tree, BAD_COSIGNATURE for an altered signature, a forged checkpoint and a
# checkpoint of another ledger with the same key.  Split view: a second
# daemon with the same key and another history, each ledger cosigned by a
# different witness: `--quorum 2` fails against either, `--quorum 1`
# passes, `--quorum 3` with two witnesses fails; once both witnesses cosign
# the same ledger, `--quorum 2` passes there, even after it grew.
. "$(dirname "$0")/lib.sh"

SEND=$LD_SOURCE_DIR/tests/integration/cosign_send.py

setup
start_or_die
seed_terms 2013
expect_exit 0 "$LEDGERD" -c "$CONF" --print-verifier
V=$T/v.pub
cp "$OUT" "$V"

for w in w1 w2 w3; do
	openssl genpkey -algorithm ed25519 -out "$T/$w.key" 2>/dev/null
	openssl pkey -in "$T/$w.key" -pubout -out "$T/$w.pem" 2>/dev/null
done

# --- cosigner-key ---------------------------------------------------------
expect_exit 0 "$LEDGERCTL" cosigner-key --key "$T/w1.key" --name witness.example/w1
cp "$OUT" "$T/w1.pub"
check "cosigner-key: NAME+<8 hex>+<base64> on one line" grep -Eq \
	'^witness\.example/w1\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$' "$T/w1.pub"
check "cosigner-key: key id and type byte as tlog-cosignature defines them" "$LD_PY" -c '
import base64, hashlib, subprocess, sys
line = open(sys.argv[1]).read().strip()
name, kid, b64 = line.split("+", 2)
key = base64.b64decode(b64)
der = subprocess.run(["openssl", "pkey", "-in", sys.argv[2], "-pubout", "-outform", "DER"],
                     capture_output=True, check=True).stdout
pub = der[-32:]
assert key == b"\x04" + pub, "key is not 0x04 || public key"
assert kid == hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4].hex(), "key id"
' "$T/w1.pub" "$T/w1.key"
"$LEDGERCTL" cosigner-key --key "$T/w2.key" --name witness.example/w2 >"$T/w2.pub"
"$LEDGERCTL" cosigner-key --key "$T/w3.key" --name witness.example/w3 >"$T/w3.pub"
expect_exit 2 "$LEDGERCTL" cosigner-key --key "$PKI/ca.crt" --name w
expect_exit 2 "$LEDGERCTL" cosigner-key --key "$T/w1.key" --name "bad name"
expect_exit 2 ctl auditor01 verify --verifier "$V" --cosign "$T/w1.key"
expect_exit 2 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub"

# --- verify --cosign stores it; checkpoint shows it -------------------------
expect_ok admin01 region add hakodate --name 函館 --grant-type continuing
expect_ok auditor01 verify --verifier "$V" --state "$T/s1" --cosign "$T/w1.key" \
	--name witness.example/w1 --json
expect_json verified true
check "verify --cosign says the cosignature was kept" grep -q '"cosignature":"sent and kept' "$OUT"
expect_ok auditor01 checkpoint
cp "$OUT" "$T/c1.note"
check "checkpoint: the log's line, then the witness's" "$LD_PY" -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n\n", 1)[1].splitlines()
assert len(lines) == 2, lines
assert lines[0].startswith("\u2014 ledgerd.test "), lines[0]
assert lines[1].startswith("\u2014 witness.example/w1 "), lines[1]
' "$T/c1.note"
expect_ok auditor01 checkpoint --json
cp "$OUT" "$T/c1.json"
check "checkpoint --json: cosigned has w1 at this size, its note is the printed one" "$LD_PY" -c '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
c = o["cosigned"]
assert len(c) == 1 and c[0]["witness"] == "witness.example/w1", c
assert c[0]["size"] == o["size"] == 4, (c[0]["size"], o["size"])
assert c[0]["note"] == o["note"] == open(sys.argv[2], encoding="utf-8").read()
open(sys.argv[3], "w", encoding="utf-8").write(c[0]["note"])
' "$T/c1.json" "$T/c1.note" "$T/w1-old.note"
expect_ok auditor01 verify --verifier "$V" --state "$T/s1"

# --- the cosignature, checked by OpenSSL's command line --------------------
"$LD_PY" - "$T/c1.note" "$T/w1.pub" "$T" <<'PY'
import base64, sys
note = open(sys.argv[1], "rb").read()
body, sigs = note.split(b"\n\n", 1)
body += b"\n"
line = [l for l in sigs.split(b"\n") if l.startswith("\u2014 witness.example/w1 ".encode())][0]
blob = base64.b64decode(line.split(b" ")[2])
assert len(blob) == 76
kid = open(sys.argv[2]).read().strip().split("+")[1]
open(sys.argv[3] + "/kid.ok", "w").write("yes" if blob[:4].hex() == kid else "no")
ts = int.from_bytes(blob[4:12], "big")
open(sys.argv[3] + "/cosig.msg", "wb").write(b"cosignature/v1\ntime %d\n" % ts + body)
open(sys.argv[3] + "/cosig.sig", "wb").write(blob[12:])
PY
check "the cosignature line carries the witness's key id" grep -qx yes "$T/kid.ok"
check "openssl pkeyutl verifies the cosignature over cosignature/v1, time, body" \
	openssl pkeyutl -verify -pubin -inkey "$T/w1.pem" -rawin -in "$T/cosig.msg" -sigfile "$T/cosig.sig"
printf 'x' >>"$T/cosig.msg"
expect_exit 1 openssl pkeyutl -verify -pubin -inkey "$T/w1.pem" -rawin -in "$T/cosig.msg" -sigfile "$T/cosig.sig"

# --- refusals ---------------------------------------------------------------
W1=$(cat "$T/w1.pub")
expect_error FORBIDDEN clerk01 verify --verifier "$V" --cosign "$T/w2.key" --name witness.example/w2
# the same cosignature again: its timestamp is not after the last one
run "$LD_PY" "$SEND" "$PORT" "$PKI" auditor01 "$W1" "$T/w1-old.note"
check "the same cosignature again: STALE_COSIGNATURE" grep -q "^error STALE_COSIGNATURE" "$OUT"
# verify --cosign twice in a row at the same size: still accepted (time moves on)
expect_ok auditor01 verify --verifier "$V" --cosign "$T/w1.key" --name witness.example/w1
expect_ok auditor01 verify --verifier "$V" --cosign "$T/w1.key" --name witness.example/w1
# a larger tree, cosigned; then the old (smaller) one is stale
expect_ok admin01 region add sapporo --name 札幌 --grant-type continuing
expect_ok auditor01 verify --verifier "$V" --state "$T/s1" --cosign "$T/w1.key" --name witness.example/w1
run "$LD_PY" "$SEND" "$PORT" "$PKI" auditor01 "$W1" "$T/w1-old.note"
check "a smaller tree than the last accepted: STALE_COSIGNATURE" grep -q "^error STALE_COSIGNATURE" "$OUT"
# one byte of the signature altered
"$LD_PY" - "$T/w1-old.note" "$T/bad-sig.note" <<'PY'
import base64, sys
text, sigs = open(sys.argv[1], encoding="utf-8").read().split("\n\n", 1)
out = []
for l in sigs.splitlines():
    if l.startswith("\u2014 witness.example/w1 "):
        b = bytearray(base64.b64decode(l.split(" ")[2]))
        b[-1] ^= 1
        l = "\u2014 witness.example/w1 " + base64.b64encode(bytes(b)).decode()
    out.append(l)
open(sys.argv[2], "w", encoding="utf-8").write(text + "\n\n" + "\n".join(out) + "\n")
PY
run "$LD_PY" "$SEND" "$PORT" "$PKI" auditor01 "$W1" "$T/bad-sig.note"
check "an altered cosignature: BAD_COSIGNATURE" grep -q "^error BAD_COSIGNATURE" "$OUT"
# a forged checkpoint (another root), properly cosigned by w3, with the log's line copied
"$LD_PY" - "$T/c1.note" "$T/forged.body" "$T/forged.sigline" <<'PY'
import base64, sys
text, sigs = open(sys.argv[1], encoding="utf-8").read().split("\n\n", 1)
origin, size, _root = text.split("\n")[:3]
open(sys.argv[2], "wb").write(("%s\n%s\n%s\n" % (origin, size, base64.b64encode(b"\x42" * 32).decode())).encode())
open(sys.argv[3], "w", encoding="utf-8").write(sigs.splitlines()[0] + "\n")
PY
TS=$(date +%s)
{ printf 'cosignature/v1\ntime %s\n' "$TS"; cat "$T/forged.body"; } >"$T/forged.msg"
openssl pkeyutl -sign -inkey "$T/w3.key" -rawin -in "$T/forged.msg" -out "$T/forged.sig"
"$LD_PY" - "$T/w3.pub" "$TS" "$T/forged.sig" "$T/forged.body" "$T/forged.sigline" "$T/forged.note" <<'PY'
import base64, sys
name, kid, _ = open(sys.argv[1]).read().strip().split("+", 2)
blob = bytes.fromhex(kid) + int(sys.argv[2]).to_bytes(8, "big") + open(sys.argv[3], "rb").read()
note = open(sys.argv[4], encoding="utf-8").read() + "\n" + open(sys.argv[5], encoding="utf-8").read()
note += "\u2014 %s %s\n" % (name, base64.b64encode(blob).decode())
open(sys.argv[6], "w", encoding="utf-8").write(note)
PY
run "$LD_PY" "$SEND" "$PORT" "$PKI" auditor01 "$(cat "$T/w3.pub")" "$T/forged.note"
check "a forged checkpoint (not signed by the log): BAD_COSIGNATURE" grep -q "^error BAD_COSIGNATURE" "$OUT"
run "$LD_PY" "$SEND" "$PORT" "$PKI" auditor01 "$W1" "$T/c1.note"
check "a cosignature by another key than the one named: BAD_COSIGNATURE or STALE" \
	grep -Eq "^error (BAD|STALE)_COSIGNATURE" "$OUT"

# --- a split view: the same key, another history, another witness ---------
PORT_A=$PORT
mkdir -m 0700 "$T/ledger2"
PORT2=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
	[ "$p" != "$PORT_A" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && { PORT2=$p; break; }
done
sed -e "s/^listen = .*/listen = 127.0.0.1:$PORT2/" -e "s/^path = ledger$/path = ledger2/" "$CONF" >"$T/ledgerd2.conf"
"$LEDGERD" -c "$T/ledgerd2.conf" </dev/null >>"$T/ledgerd2.log" 2>&1 &
LD_BG_PIDS+=($!)
PORT=$PORT2
if wait_ready_pid() { for _ in $(seq 1 300); do ctl auditor01 status >/dev/null 2>&1 </dev/null && return 0; sleep 0.1; done; return 1; }; wait_ready_pid; then
	ok "second ledgerd (same key) accepts on $PORT2"
else
	not_ok "second ledgerd did not start: $(tail -5 "$T/ledgerd2.log")"
	finish
fi
seed_terms 2013
expect_ok admin01 region add sendai --name 仙台 --grant-type reconstruction
expect_ok admin01 region add fork --name fork --grant-type continuing
expect_ok auditor01 verify --verifier "$V" --state "$T/s2" --cosign "$T/w2.key" --name witness.example/w2
run ctl auditor01 checkpoint --json
"$LD_PY" -c 'import json,sys; print(json.loads(sys.stdin.readline())["cosigned"][0]["note"], end="")' <"$OUT" >"$T/b-w2.note"
expect_exit 4 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 2
check "quorum 2 on B: names the missing witness" grep -q "quorum not met.*witness.example/w1" "$ERR"
expect_exit 0 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 1
PORT=$PORT_A
expect_exit 4 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 2
expect_exit 0 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 1 --json
expect_json verified true
expect_exit 4 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 3
expect_exit 4 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w1.pub" --quorum 2
# B's checkpoint verifies under the shared key but is not A's tree
run "$LD_PY" "$SEND" "$PORT" "$PKI" auditor01 "$(cat "$T/w2.pub")" "$T/b-w2.note"
check "B's cosigned checkpoint sent to A: BAD_COSIGNATURE" grep -q "^error BAD_COSIGNATURE" "$OUT"
# honest witnesses on one ledger: quorum 2 passes, also after it grew
expect_ok auditor01 verify --verifier "$V" --cosign "$T/w2.key" --name witness.example/w2
expect_exit 0 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 2
expect_ok admin01 region add kushiro --name 釧路 --grant-type continuing
expect_exit 0 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 2 --json
check "quorum: both witnesses named" grep -q '"quorum":"2 of 2 witnesses' "$OUT"
expect_ok auditor01 checkpoint --json
check "cosigned: one entry per witness" "$LD_PY" -c '
import json, sys
o = json.loads(sys.stdin.readline())
assert sorted(c["witness"] for c in o["cosigned"]) == ["witness.example/w1", "witness.example/w2"]
assert all(c["size"] < o["size"] for c in o["cosigned"])
' <"$OUT"
check "checkpoint after growth: no cosignature over the new note" "$LD_PY" -c '
import sys
assert sys.stdin.read().count("\u2014 ") == 1
' < <(ctl auditor01 checkpoint)

# --- the cosignatures survive a restart -------------------------------------
stop_daemon
start_or_die --same-port
expect_exit 0 ctl auditor01 verify --verifier "$V" --witness "$T/w1.pub" --witness "$T/w2.pub" --quorum 2
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
finish
