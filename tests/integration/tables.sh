#!/usr/bin/env bash
# tables.sh - the tables people read, through the real ledgerctl and daemon
# (issue 12, item 5): `list` lines up with Japanese names and marks
# superseded awards and reversed entries; `balance` shows region names,
# UNPAID, REMAINING and the execution rate; --lang ja (and LANG=ja_JP...)
# gives Japanese headers; --unit thousand|million shows 千円/百万円, cut
# off below the unit, negatives as △; JSON never changes with either.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tables_seed.sh"

setup
start_or_die
tables_seed

# aligned FILE WORD REGEX: in FILE, the first match of REGEX on each line
# starts at the display column (East Asian Width: W and F take two,
# combining marks none) where WORD starts in the header above it; a line
# holding WORD is a table's header.
aligned() {
	"$LD_PY" - "$@" <<'PY'
import re, sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
path, word, rx = sys.argv[1:4]
col, bad, seen = None, [], 0
for l in open(path, encoding="utf-8").read().splitlines():
    h = re.search(r"(?:^|(?<=  ))" + word + r"(?=  |$)", l)
    if h:
        col = width(l[:h.start()])
        continue
    m = re.search(rx, l)
    if col is None or m is None:
        continue
    seen += 1
    if width(l[:m.start()]) != col:
        bad.append(l)
print("\n".join(bad[:3]))
sys.exit(1 if bad or not seen else 0)
PY
}

# --- list ----------------------------------------------------------------
expect_ok auditor01 list
cp "$OUT" "$T/list.txt"
head -1 "$T/list.txt" | grep -q "^ *SEQ  KIND  *MARK  *REGION" &&
	ok "list header has a MARK column" || not_ok "list header: $(head -1 "$T/list.txt")"
check "list: the ACTOR column lines up (Japanese names and memos)" \
	aligned "$T/list.txt" ACTOR "(?<=  )(admin01|clerk01)(?=  )"
check "list: the DATE column lines up" aligned "$T/list.txt" DATE \
	"(?<=  )(201[34]-[0-9][0-9]-[0-9][0-9]|-)(?=  +(admin01|clerk01))"
grep -E "^ *$SUPERSEDED  award  +superseded by $CHANGE  +aichi-nanotech" "$T/list.txt" >/dev/null &&
	ok "list marks the award a change replaced (superseded by $CHANGE)" ||
	not_ok "list: no superseded mark on $SUPERSEDED: $(grep -E "^ *$SUPERSEDED " "$T/list.txt")"
grep -E "^ *$REVERSED  disbursement  +reversed by $REVERSAL  " "$T/list.txt" >/dev/null &&
	ok "list marks the reversed payment (reversed by $REVERSAL)" ||
	not_ok "list: no reversed mark on $REVERSED: $(grep -E "^ *$REVERSED " "$T/list.txt")"
grep -E "^ *$CHANGE  award  +aichi" "$T/list.txt" >/dev/null &&
	ok "the current award carries no mark" || not_ok "list: the current award is marked"
# The mark is there even when the later entry is outside what is listed.
expect_ok auditor01 list --kind disbursement --region aichi-nanotech --limit 2
grep -q "reversed by $REVERSAL" "$OUT" &&
	ok "list --kind disbursement --limit 2 still marks the reversed payment" ||
	not_ok "list --kind --limit: no mark: $(cat "$OUT")"
expect_ok auditor01 list --lang ja --since "$SUPERSEDED"
head -1 "$OUT" | grep -q "番号  種別" && ok "list --lang ja: Japanese headers" ||
	not_ok "list --lang ja header: $(head -1 "$OUT")"
grep -q "${CHANGE}番で変更" "$OUT" && grep -q "${REVERSAL}番で取消" "$OUT" &&
	ok "list --lang ja: Japanese marks" || not_ok "list --lang ja marks: $(cat "$OUT")"
grep -q "交付決定" "$OUT" && ok "list --lang ja: kinds in Japanese" || not_ok "list --lang ja kinds"

# --- balance --------------------------------------------------------------
expect_ok auditor01 balance --fy 2013
cp "$OUT" "$T/balance.txt"
grep -q "UNPAID" "$T/balance.txt" && grep -q "REMAINING  *RATE" "$T/balance.txt" &&
	ok "balance: accounts show UNPAID, REMAINING and RATE" ||
	not_ok "balance headers: $(head -12 "$T/balance.txt")"
# general: appropriated 16,221,000,000; awards 1.6+1.2+2+1 = 5.8億; net paid
# 60,000,000 + 120,000,000 + 50,000,001 - 1,234,567 = 228,765,434.
grep -Eq "^general  +2013  +16,221,000,000  +580,000,000  +15,641,000,000  +230,000,001  +1,234,567  +228,765,434  +351,234,566  +no$" "$T/balance.txt" &&
	ok "balance: general's figures and UNPAID (awarded - net)" ||
	not_ok "balance general row: $(grep '^general' "$T/balance.txt")"
grep -Eq "^general  +2013  +0  +16,221,000,000  +0  +15,992,234,566  +0  +15,992,234,566  +1\.41%$" "$T/balance.txt" &&
	ok "balance: general's REMAINING (budget - net) and 執行率 1.41%" ||
	not_ok "balance general budget row: $(grep '^general' "$T/balance.txt" | tail -1)"
grep -q "aichi-nanotech  *愛知県「知の拠点」ナノテクイノベーション戦略推進地域  *2013" "$T/balance.txt" &&
	ok "balance: the region's name beside its code" ||
	not_ok "balance: no name beside aichi-nanotech"
check "balance: the column after the Japanese names lines up" \
	aligned "$T/balance.txt" FY "(?<=  )2013(?=  )"
expect_ok auditor01 balance --fy 2013 --json
cp "$OUT" "$T/balance.json"
expect_ok auditor01 balance --fy 2013 --json --lang ja --unit million
cmp -s "$OUT" "$T/balance.json" && ok "balance --json is the same with --lang ja --unit million" ||
	not_ok "balance --json changed with --lang/--unit"
grep -v '"region"' "$OUT" >"$T/accounts.json" && cp "$T/accounts.json" "$OUT"
expect_json execution_rate_bp 141 account=general

# --- Japanese and units ---------------------------------------------------
run env LC_ALL= LC_MESSAGES= LANG=ja_JP.UTF-8 LEDGER_SERVER=127.0.0.1:$PORT \
	LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/auditor01.crt LEDGER_KEY=$PKI/auditor01.key \
	"$LEDGERCTL" balance --fy 2013
[ "$RC" -eq 0 ] && grep -q "交付決定額" "$OUT" && grep -q "支出済額" "$OUT" &&
	grep -q "戻入額" "$OUT" && grep -q "翌年度繰越額" "$OUT" && grep -q "不用額" "$OUT" &&
	grep -q "執行率" "$OUT" && grep -q "予算現額" "$OUT" && grep -q "一般会計" "$OUT" &&
	ok "LANG=ja_JP.UTF-8: balance in Japanese" || not_ok "LANG=ja_JP.UTF-8 balance: $(head -3 "$OUT")"
run env LC_ALL= LANG=ja_JP.UTF-8 LEDGER_SERVER=127.0.0.1:$PORT \
	LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/auditor01.crt LEDGER_KEY=$PKI/auditor01.key \
	"$LEDGERCTL" balance --fy 2013 --lang en
head -1 "$OUT" | grep -q "^ACCOUNT" && ok "--lang en wins over LANG=ja_JP.UTF-8" ||
	not_ok "--lang en: $(head -1 "$OUT")"
expect_ok auditor01 balance --fy 2013 --unit million
grep -q "amounts in millions of yen" "$OUT" && ok "--unit million: the unit line" ||
	not_ok "--unit million: $(head -2 "$OUT")"
# 16,221,000,000 -> 16,221; 228,765,434 -> 228 (cut off, not rounded to 229).
grep -Eq "^general  +2013  +16,221  +580  +15,641  +230  +1  +228  +351  +no$" "$OUT" &&
	ok "--unit million: figures cut off below a million" ||
	not_ok "--unit million general: $(grep '^general' "$OUT" | head -1)"
expect_ok auditor01 balance --fy 2013 --unit thousand --lang ja
grep -q "単位：千円（単位未満切捨て" "$OUT" && grep -Eq "^一般会計  +2013  +16,221,000  +580,000  +15,641,000  +230,000  +1,234  +228,765  +351,234  +未$" "$OUT" &&
	ok "--unit thousand --lang ja: 千円, cut off" || not_ok "--unit thousand: $(grep '^一般会計' "$OUT" | head -1)"
expect_exit 2 ctl auditor01 balance --fy 2013 --unit billion
grep -q -- "--unit" "$ERR" && ok "--unit billion: usage error naming --unit" || not_ok "--unit billion: $(cat "$ERR")"
expect_exit 2 ctl auditor01 status --lang fr
expect_exit 2 ctl clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1 \
	--date 2013-09-01 --ref T-X --unit nope

# A negative figure with --unit: the account's remaining award money when
# awards exceed nothing is never negative here, so use a reversal's refund:
# west-tokyo's net is 48,765,434 and its remaining 151,234,566; report
# shows △ only for negatives, which a region-year over-refunded would have.
expect_ok auditor01 report --fy 2013 --unit million --lang ja
grep -q "単位：百万円" "$OUT" && grep -q "予算現額" "$OUT" && grep -q "翌年度繰越額" "$OUT" &&
	grep -q "不用額" "$OUT" && grep -q "執行率" "$OUT" &&
	ok "report --lang ja --unit million: the 決算 columns" || not_ok "report ja: $(head -8 "$OUT")"
expect_ok auditor01 report --fy 2013
grep -q "totals agree" "$OUT" && ok "report: totals agree (text kept)" || not_ok "report text"
grep -Eq "^kumamoto-organic-electronics  +くまもと有機エレクトロニクス連携エリア  +general  +120,000,000  +120,000,000  +0  +120,000,000  +120,000,000  +0  +0  +100\.00%$" "$OUT" &&
	ok "report: a settled region's row (award, paid, refunded, net, settled, carried out, unused, rate)" ||
	not_ok "report kumamoto: $(grep '^kumamoto' "$OUT")"
expect_ok auditor01 report --fy 2013 --json
expect_json unused 0 region=kumamoto-organic-electronics
expect_json settled 120000000 region=kumamoto-organic-electronics
expect_json execution_rate_bp 10000 region=kumamoto-organic-electronics
expect_json name "くまもと有機エレクトロニクス連携エリア" region=kumamoto-organic-electronics
expect_json budget 16221000000 type=account account=general
finish
