#!/usr/bin/env bash
# tiles.sh - `ledgerctl export --tiles DIR` (issue 13, item 5) checked with
# Go's reference transparency-log code, not ours.
#
# A ledger of 300+ entries (a full tile and a partial one) is written
# through the real daemon and exported as C2SP tlog-tiles; tests/tiles_verify
# (Go, golang.org/x/mod/sumdb/tlog and sumdb/note, built offline in GOPATH
# mode against Debian's golang-golang-x-mod-dev) then checks from the files
# alone: the checkpoint's signature under `ledgerd --print-verifier`, the
# tree hash from the tiles against the signed root, every entry of every
# bundle by an inclusion proof, and after more entries and a second export
# a consistency proof from the first export's checkpoint.  The second
# export must write only new or grown tiles and the checkpoint: the first
# export's full tiles keep their bytes and their mtimes.  Then the refusals:
# a damaged or foreign directory, a wrong verifier, and usage errors.
#
# golang-go and golang-golang-x-mod-dev are installed when missing (as
# scripts/install-deps.sh --test does); where that cannot be done (not
# root, no sudo, no network) the test says why and exits 77 (skipped).
. "$(dirname "$0")/lib.sh"

GOSRC=/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog
if ! command -v go >/dev/null 2>&1 || [ ! -d "$GOSRC" ]; then
	if [ "$(id -u)" -eq 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
		skip "golang-go or golang-golang-x-mod-dev is not installed and this user cannot install them (not root, no sudo)"
	fi
	echo "# installing golang-go golang-golang-x-mod-dev (Debian packages)"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q install -y \
		--no-install-recommends golang-go golang-golang-x-mod-dev </dev/null >"$T/apt.log" 2>&1 ||
		skip "golang-go/golang-golang-x-mod-dev could not be installed: $(tail -1 "$T/apt.log")"
fi

# Offline, GOPATH mode: Debian's packaged sources, no module proxy.
TV=$T/tiles_verify
# (a directory outside GOPATH is built as "." from inside it).
run env -C "$LD_SOURCE_DIR/tests/tiles_verify" GO111MODULE=off \
	GOPATH=/usr/share/gocode:$T/gopath GOCACHE=$T/gocache GOFLAGS= \
	GOPROXY=off GOTOOLCHAIN=local go build -o "$TV" .
[ "$RC" -eq 0 ] && ok "tiles_verify built offline with Debian's sumdb/tlog" ||
	{ not_ok "go build tiles_verify: $(tail -5 "$ERR")"; finish; }

setup
start_or_die
"$LEDGERD" -c "$CONF" --print-verifier >"$T/verifier" 2>"$ERR" || not_ok "ledgerd --print-verifier"
seed_terms 2013

# payments N FROM: an import file of N small disbursements, ids from FROM.
payments() {
	local i
	echo "kind,region,fy,amount,ref,date,memo,id"
	for ((i = $2; i < $2 + $1; i++)); do
		echo "disbursement,hakodate,2013,$((1000 + i)),V-$i,2013-06-01,tile test,pay-$i"
	done
}
expect_ok admin01 region add hakodate --name 函館市 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 5億 --ref AP-G
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-H
payments 300 1 >"$T/pay1.csv"
expect_ok clerk01 import "$T/pay1.csv" --atomic

tv() { run "$TV" -dir "$1" -vkey "$T/verifier" "${@:2}"; }
# flip FILE OFFSET: invert one byte in place.
flip() {
	"$LD_PY" -c 'import sys
f = open(sys.argv[1], "r+b"); o = int(sys.argv[2]); f.seek(o); b = f.read(1)
f.seek(o); f.write(bytes([b[0] ^ 0xff]))' "$1" "$2"
}
D=$T/pub/log		# a parent missing too: created
expect_ok auditor01 export --tiles "$D" --verifier "$T/verifier" --json
SIZE1=$(jget size)
[ "$SIZE1" -ge 300 ] && [ "$SIZE1" -lt 512 ] && ok "first export: $SIZE1 entries" ||
	not_ok "first export: size $SIZE1, want 300..511"
[ "$(jget signature)" = verified ] && ok "the checkpoint's signature was verified" || not_ok "signature: $(jget signature)"
[ "$(jget checkpoint)" = written ] && ok "checkpoint written" || not_ok "checkpoint: $(jget checkpoint)"
# Level 0: tile 000 full, 001 partial; level 1: 000.p/1.  Bundles alike.
W=$((SIZE1 - 256))
for f in tile/0/000 "tile/0/001.p/$W" tile/1/000.p/1 tile/entries/000 "tile/entries/001.p/$W" checkpoint; do
	[ -f "$D/$f" ] && ok "$f is there" || not_ok "$f is missing: $(cd "$D" && find . -type f | head)"
done
[ "$(stat -c %s "$D/tile/0/000")" -eq 8192 ] && ok "a full tile is 8192 bytes" || not_ok "tile/0/000: $(stat -c %s "$D/tile/0/000") bytes"
[ "$(stat -c %s "$D/tile/0/001.p/$W")" -eq $((W * 32)) ] && ok "the partial tile is $W hashes" || not_ok "partial tile size"
[ "$(jget tiles_written)" -eq 3 ] && [ "$(jget bundles_written)" -eq 2 ] &&
	ok "3 tiles and 2 bundles written" || not_ok "written: $(cat "$OUT")"
[ -z "$(find "$D" -name '.*')" ] && ok "no temporary or scratch file left" || not_ok "left: $(find "$D" -name '.*')"
ctl auditor01 checkpoint >"$T/ck1" 2>"$ERR"
cmp -s "$T/ck1" "$D/checkpoint" && ok "DIR/checkpoint is the signed note byte for byte" || not_ok "DIR/checkpoint differs from ledgerctl checkpoint"
cp "$D/checkpoint" "$T/old-checkpoint"
# The bundles carry the leaf data that export --format jsonl shows.
expect_ok auditor01 export --format jsonl --until 2
LD2=$($LD_PY -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[1])["leaf_data"])' <"$OUT")
B2=$($LD_PY -c '
import sys
b = open(sys.argv[1], "rb").read()
n = int.from_bytes(b[:2], "big"); b = b[2 + n:]
n = int.from_bytes(b[:2], "big"); print(b[2:2 + n].hex())' "$D/tile/entries/000")
[ -n "$LD2" ] && [ "$LD2" = "$B2" ] && ok "bundle entry 2 is seq 2's leaf_data" || not_ok "bundle entry 2: $B2, leaf_data $LD2"

tv "$D"
[ "$RC" -eq 0 ] && ok "Go's sumdb/tlog verifies the first export" || not_ok "tiles_verify: $(cat "$ERR")"
grep -q "each proven included" "$OUT" && ok "every entry proven by tlog.ProveRecord/CheckRecord" || not_ok "no inclusion proofs: $(cat "$OUT")"

# --- the second export: only what is new -----------------------------------
sum_full() { (cd "$D" && stat -c '%n %s %Y' tile/0/000 tile/entries/000 && sha256sum tile/0/000 tile/entries/000); }
sum_full >"$T/full.before"
sleep 1.1		# an mtime written now would differ
expect_ok auditor01 export --tiles "$D" --verifier "$T/verifier" --json
[ "$(jget tiles_written)" -eq 0 ] && [ "$(jget checkpoint)" = unchanged ] &&
	ok "same size again: nothing written" || not_ok "re-export of the same tree: $(cat "$OUT")"

payments 250 301 >"$T/pay2.csv"
expect_ok clerk01 import "$T/pay2.csv" --atomic
sleep 1.1
expect_ok auditor01 export --tiles "$D" --verifier "$T/verifier" --json
SIZE2=$(jget size)
W2=$((SIZE2 - 512))
[ "$SIZE2" -gt 512 ] && ok "second export: $SIZE2 entries" || not_ok "second export: size $SIZE2"
[ "$(jget previous_size)" = "$SIZE1" ] && ok "previous_size $SIZE1" || not_ok "previous_size $(jget previous_size)"
# New: 0/001, 0/002.p/W2, 1/000.p/2; entries/001, entries/002.p/W2.
[ "$(jget tiles_written)" -eq 3 ] && [ "$(jget bundles_written)" -eq 2 ] &&
	ok "only the new tiles (3) and bundles (2) written" || not_ok "second export wrote: $(cat "$OUT")"
[ "$(jget unchanged)" -eq 2 ] && ok "the first export's full tile and bundle left alone" || not_ok "unchanged: $(jget unchanged)"
sum_full >"$T/full.after"
cmp -s "$T/full.before" "$T/full.after" && ok "old full tiles: same bytes, same mtime" ||
	not_ok "old full tiles changed: $(diff "$T/full.before" "$T/full.after")"
for f in tile/0/001 "tile/0/002.p/$W2" tile/1/000.p/2 tile/entries/001 "tile/entries/002.p/$W2" \
	"tile/0/001.p/$W" tile/1/000.p/1; do
	[ -f "$D/$f" ] && ok "$f is there" || not_ok "$f is missing"
done
ctl auditor01 checkpoint >"$T/ck2" 2>"$ERR"
cmp -s "$T/ck2" "$D/checkpoint" && ok "the checkpoint is the new signed note" || not_ok "DIR/checkpoint is not the new note"

tv "$D" -old "$T/old-checkpoint"
[ "$RC" -eq 0 ] && ok "Go's sumdb/tlog verifies the second export" || not_ok "tiles_verify: $(cat "$ERR")"
grep -q "consistency: size $SIZE2 extends the old checkpoint of size $SIZE1" "$OUT" &&
	ok "consistency proof $SIZE1 -> $SIZE2 (tlog.ProveTree/CheckTree)" || not_ok "no consistency line: $(cat "$OUT")"
# An older checkpoint's partial tiles are still served: the first tree verifies.
mkdir -p "$T/older" && cp -r "$D/tile" "$T/older/" && cp "$T/old-checkpoint" "$T/older/checkpoint"
tv "$T/older"
[ "$RC" -eq 0 ] && ok "the first checkpoint still verifies from the kept partial tiles" || not_ok "older tree: $(cat "$ERR")"

# --- what Go must refuse, so that the checks above mean something ----------
cp -r "$D" "$T/bad"
flip "$T/bad/tile/0/001" 100
tv "$T/bad"
[ "$RC" -ne 0 ] && ok "Go refuses a flipped byte in a tile" || not_ok "Go accepted a damaged tile"
openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
sed -e "s|checkpoint_key = .*|checkpoint_key = $T/other.key|" "$CONF" >"$T/other.conf"
"$LEDGERD" -c "$T/other.conf" --print-verifier >"$T/other.verifier" 2>/dev/null
run "$TV" -dir "$D" -vkey "$T/other.verifier"
[ "$RC" -ne 0 ] && ok "Go refuses the checkpoint under another key" || not_ok "Go accepted another key"

# --- ledgerctl's own refusals ----------------------------------------------
# A tile altered in DIR: the next export refuses to overwrite it (exit 4).
cp -r "$D" "$T/tampered"
flip "$T/tampered/tile/entries/000" 10
expect_exit 4 ctl auditor01 export --tiles "$T/tampered" --verifier "$T/verifier"
grep -q "verification failed: .*tile/entries/000" "$ERR" && ok "names the altered bundle" || not_ok "stderr: $(cat "$ERR")"
# A checkpoint from another tree (a fork): refused, nothing written.
mkdir -p "$T/fork"
sed "2s/.*/$((SIZE1 + 1))/" "$T/old-checkpoint" >"$T/fork/checkpoint"
expect_exit 4 ctl auditor01 export --tiles "$T/fork"
[ ! -d "$T/fork/tile" ] && ok "nothing written next to a foreign checkpoint" || not_ok "tiles written next to a foreign checkpoint"
# ... and with the verifier the foreign note is not even signed.
expect_exit 4 ctl auditor01 export --tiles "$T/fork" --verifier "$T/verifier"
# The server's checkpoint under the wrong verifier key: exit 4, no files.
expect_exit 4 ctl auditor01 export --tiles "$T/wrongkey" --verifier "$T/other.verifier"
[ -z "$(find "$T/wrongkey" -type f)" ] && ok "wrong verifier: nothing published" || not_ok "wrong verifier: files written"
# Without --verifier: exported, with a note that the signature was not checked.
expect_ok auditor01 export --tiles "$T/unverified"
grep -q "signature was not checked" "$OUT" && ok "says the signature was not checked" || not_ok "no note: $(cat "$OUT")"
tv "$T/unverified"
[ "$RC" -eq 0 ] && ok "and Go verifies it" || not_ok "unverified export: $(cat "$ERR")"

expect_exit 2 ctl auditor01 export --tiles "$T/x" --format csv
expect_exit 2 ctl auditor01 export --tiles "$T/x" --bom
expect_exit 2 ctl auditor01 export --tiles "$T/x" --since 5
expect_exit 2 ctl auditor01 export --verifier "$T/verifier"
expect_exit 2 ctl auditor01 export --tiles "$T/x" --verifier "$T/nonexistent"
expect_exit 2 ctl auditor01 export --tiles ""
: >"$T/afile"
expect_exit 2 ctl auditor01 export --tiles "$T/afile"
expect_exit 2 ctl auditor01 export --tiles "$T/afile/sub"

finish
