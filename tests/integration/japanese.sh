#!/usr/bin/env bash
# japanese.sh - Japanese text goes in and comes out exactly as typed.
#
# Region names and categories, memos and reasons are UTF-8 up to 512 bytes
# without control characters.  What is accepted must come back byte for byte
# (decoded from --json, from the JSONL and the CSV export); what is not valid
# is a usage error before anything is sent.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013

NAME="愛知県「知の拠点」ナノテクイノベーション戦略推進地域"
CATEGORY="国際競争力強化地域"
MEMO='概算払（第1四半期）・ｶﾞｲｻﾝ 🎌 café "quoted", back\slash 〜'
REASON="二重計上のため取消し（会計課）"
A170=$(printf 'あ%.0s' $(seq 1 170))
NAME512="${A170}ab"
NAME513="${A170}abc"

# same_text FIELD WANT [FILTER...]: FIELD, decoded from the JSON in $OUT, has
# exactly WANT's bytes.
same_text() {
	local field=$1 want=$2
	shift 2
	if "$LD_PY" -c '
import json, os, sys
path, field, want, filters = sys.argv[1], sys.argv[2], os.fsencode(sys.argv[3]), sys.argv[4:]
hits = []
for line in open(path, encoding="utf-8"):
    if not line.strip():
        continue
    o = json.loads(line)
    if all(str(o.get(k)) == v for k, v in (f.split("=", 1) for f in filters)):
        hits.append(o.get(field))
sys.exit(not (len(hits) == 1 and isinstance(hits[0], str) and hits[0].encode("utf-8") == want))
' "$OUT" "$field" "$want" "$@"; then
		ok "$field round-trips byte for byte${*:+ ($*)}"
	else
		not_ok "$field does not round-trip${*:+ ($*)}: got $(jget "$field" "$@")"
	fi
}

expect_ok admin01 region add aichi-nanotech --name "$NAME" --grant-type general --category "$CATEGORY" --json
same_text name "$NAME"
expect_ok admin01 region add kochi-green --name "$NAME512" --grant-type general --json
same_text name "$NAME512"
expect_ok auditor01 region list --json
same_text name "$NAME" code=aichi-nanotech
same_text category "$CATEGORY" code=aichi-nanotech
same_text name "$NAME512" code=kochi-green
expect_ok auditor01 region list
check "region list (table) shows the Japanese name" grep -qF "$NAME" "$OUT"

expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 5000万 --ref V-0001 --date 2013-06-30 \
	--memo "$MEMO" --json
same_text memo "$MEMO"
D1=$(jget seq)
expect_ok clerk01 reverse "$D1" --reason "$REASON" --json
same_text reason "$REASON"
expect_ok auditor01 get "$D1" --json
same_text memo "$MEMO"
expect_ok auditor01 list --json
same_text memo "$MEMO" kind=disbursement
same_text reason "$REASON" kind=reversal
expect_ok auditor01 export --format jsonl
same_text memo "$MEMO" kind=disbursement
same_text name "$NAME" kind=region code=aichi-nanotech
expect_ok auditor01 export --format csv
if "$LD_PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
sys.exit(not any(r.get("memo") == sys.argv[2] and r.get("ref") == "V-0001" for r in rows))
' "$OUT" "$MEMO"; then
	ok "export --format csv: the memo, with comma and quotes, parses back exactly"
else
	not_ok "export --format csv: memo not found intact"
fi
if grep -q $'\r' "$OUT"; then not_ok "export --format csv: CR in output"; else ok "export --format csv: LF line ends"; fi

# Not text the ledger takes: usage errors, nothing sent.
ledger_snapshot "$T/before.jsonl"
disb() { expect_exit 2 ctl clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-9 --date 2013-06-30 "$@"; }
expect_exit 2 ctl admin01 region add kagawa-health --name "$NAME513" --grant-type general
expect_exit 2 ctl admin01 region add kagawa-health --name "" --grant-type general
expect_exit 2 ctl admin01 region add kagawa-health --name かがわ --grant-type general --category "$NAME513"
disb --memo "$(printf 'tab\there')"
disb --memo "$(printf 'new\nline')"
disb --memo "$(printf 'del\177')"
disb --memo "$(printf 'c1 \302\205 control')"
disb --memo "$(printf 'bad \377 utf-8')"
disb --memo "$(printf 'overlong \300\257')"
disb --memo "$(printf 'surrogate \355\240\200')"
expect_exit 2 ctl clerk01 reverse "$D1" --reason "$NAME513"
ledger_snapshot "$T/after.jsonl"
check "refused text wrote nothing" cmp -s "$T/before.jsonl" "$T/after.jsonl"

stop_daemon
finish
