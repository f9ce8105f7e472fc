#!/usr/bin/env bash
# recon.sh - import, reconcile and report against a real daemon.
#
# import: a file with a BOM, CRLF, quoted fields and ledgerctl's value
# syntaxes is written row by row, a refused row is named by its line, a
# re-run writes nothing, a malformed file sends nothing, --atomic is all or
# nothing, and 100,000 rows go through (their rate is printed, not checked:
# tests never depend on machine speed), with a progress line on a terminal
# only.  reconcile: each kind of difference (exit 5) and a clean match (exit
# 0); a bad statement line is a usage error before any connection; a
# statement as Excel saves it (UTF-8 or Shift_JIS) is read as it is.
# export --bom starts with the BOM.  report: its totals agree with `balance`.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013 2014

# snapshot_same DESC: the ledger is what it was at the last snapshot_take.
snapshot_take() { ledger_snapshot "$T/snap.jsonl"; }
snapshot_same() {
	ledger_snapshot "$T/snap2.jsonl"
	if cmp -s "$T/snap.jsonl" "$T/snap2.jsonl"; then ok "$1"; else not_ok "$1: the ledger changed"; fi
}
# expect_summary WANT: the last command's stdout has the import summary WANT.
expect_summary() {
	if grep -qF "$1" "$OUT"; then ok "summary: $1"; else not_ok "summary: want '$1'"; fi
}
expect_stderr() {
	if grep -qF -- "$1" "$ERR"; then ok "stderr: $1"; else not_ok "stderr lacks '$1'"; fi
}
now_ms() { date +%s%3N; }

expect_ok admin01 region add hakodate --name 函館市 --grant-type general
expect_ok admin01 region add sendai --name 仙台市 --grant-type reconstruction
expect_ok admin01 region add bigcity --name 大都市 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 5億 --ref AP-G
expect_ok admin01 appropriate --account reconstruction --fy 2013 --amount 5億 --ref AP-R
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-H
expect_ok admin01 award --region sendai --fy 2013 --date 2013-04-01 --amount 3億 --ref AW-S
expect_ok admin01 award --region bigcity --fy 2013 --date 2013-04-01 --amount 1億 --ref AW-B

# --- import: a small file, one row refused --------------------------------------
# BOM, CRLF, a quoted memo with a comma and Japanese, amounts and years in
# every syntax ledgerctl takes; line 6 pays more than the award (OVER_AWARD).
printf '\xef\xbb\xbfkind,region,fy,amount,ref,date,memo,id\r\n' >"$T/small.csv"
printf '%s\r\n' \
	'disbursement,hakodate,2013,"50,000,000",V-0001,2013-06-30,"概算払, 第1回",imp-1' \
	'disbursement,hakodate,FY2013,1000万,V-0002,2013-07-01,,imp-2' \
	'refund,hakodate,H25,"１，０００",V-0002,2013-08-01,"戻入 ""返納""",imp-3' \
	'disbursement,sendai,2013,1.5億円,V-0003,2013-07-15,復興,imp-4' \
	'disbursement,hakodate,2013,2億,V-0004,2013-07-20,too much,imp-5' >>"$T/small.csv"
run ctl clerk01 import "$T/small.csv"
[ "$RC" -eq 1 ] && ok "import with a refused row: exit 1" || not_ok "import: want exit 1, got $RC"
expect_stderr "ledgerctl: line 6: OVER_AWARD:"
expect_summary "written 4, duplicates 0, refused 1"
expect_ok auditor01 get 15 --json
expect_json memo "概算払, 第1回"
expect_json amount 50000000
expect_ok auditor01 get 17 --json
expect_json kind refund
expect_json amount 1000
expect_json memo '戻入 "返納"'

# The same file again writes nothing; the refused row is refused again.
snapshot_take
run ctl clerk02 import "$T/small.csv" --json
[ "$RC" -eq 1 ] && ok "re-run: exit 1 (line 6 still refused)" || not_ok "re-run: want exit 1, got $RC"
expect_json written 0 type=summary
expect_json duplicates 4 type=summary
expect_json refused 1 type=summary
expect_json error OVER_AWARD line=6
snapshot_same "re-run wrote nothing"

# A row that does not parse: usage error naming its line, nothing sent.
cp "$T/small.csv" "$T/bad.csv"
printf '%s\r\n' 'disbursement,hakodate,2013,12.5,V-0009,2013-07-20,,imp-9' >>"$T/bad.csv"
expect_exit 2 ctl clerk01 import "$T/bad.csv"
expect_stderr "line 7: amount"
printf 'kind,region,fy,amount,ref,date,memo,id\ndisbursement,hakodate,2013,1,V-1,2013-07-01,"open\n' >"$T/open.csv"
expect_exit 2 ctl clerk01 import "$T/open.csv"
expect_stderr "unterminated quoted field (opened on line 2)"
snapshot_same "malformed files sent nothing"
# Checked before connecting: no daemon is needed to find the mistake.
run env LEDGER_SERVER=127.0.0.1:1 LEDGER_CA="$PKI/ca.crt" "$LEDGERCTL" import "$T/bad.csv"
[ "$RC" -eq 2 ] && ok "parse error before any connection" || not_ok "want exit 2 without a server, got $RC"

# A role that may not write: every row refused, exit 1.
run ctl auditor01 import "$T/small.csv"
[ "$RC" -eq 1 ] && ok "auditor import: exit 1" || not_ok "auditor import: want exit 1, got $RC"
expect_stderr "FORBIDDEN"
snapshot_same "auditor's import wrote nothing"

# --- --atomic: all or nothing ----------------------------------------------
printf 'kind,region,fy,amount,ref,date,memo,id\n' >"$T/atomic.csv"
printf '%s\n' \
	'disbursement,hakodate,2013,100,A-1,2013-09-01,,atom-1' \
	'disbursement,hakodate,2013,200,A-2,2013-09-02,,atom-2' \
	'refund,hakodate,2013,1億,A-3,2013-09-03,,atom-3' \
	'disbursement,hakodate,2013,300,A-4,2013-09-04,,atom-4' >>"$T/atomic.csv"
run ctl clerk01 import "$T/atomic.csv" --atomic
[ "$RC" -eq 1 ] && ok "--atomic with a refused row: exit 1" || not_ok "--atomic: want exit 1, got $RC"
expect_stderr "ledgerctl: line 4: OVER_REFUND:"
expect_summary "written 0, duplicates 0, refused 1"
snapshot_same "--atomic with a refused row wrote nothing"
grep -v A-3 "$T/atomic.csv" >"$T/atomic-ok.csv"
expect_exit 0 ctl clerk01 import "$T/atomic-ok.csv" --atomic
expect_summary "written 3, duplicates 0, refused 0"
expect_exit 0 ctl clerk01 import "$T/atomic-ok.csv" --atomic
expect_summary "written 0, duplicates 3, refused 0"

# --- reconcile ---------------------------------------------------------------
# FY2014: V-1 paid; V-2 paid and partly refunded; V-3 paid and reversed
# (so not a payment any more); V-4 paid.
expect_ok admin01 appropriate --account general --fy 2014 --amount 2億 --ref AP-G14
expect_ok admin01 award --region hakodate --fy 2014 --date 2014-04-01 --amount 1.5億 --ref AW-H14
expect_ok clerk01 disburse --region hakodate --fy 2014 --amount 1000 --ref V-1 --date 2014-06-30
expect_ok clerk01 disburse --region hakodate --fy 2014 --amount 2000 --ref V-2 --date 2014-07-01
expect_ok clerk01 refund --region hakodate --fy 2014 --amount 500 --ref V-2 --date 2014-08-01
expect_ok clerk01 disburse --region hakodate --fy 2014 --amount 300 --ref V-3 --date 2014-07-15 --json
V3=$(jget seq)
expect_ok clerk01 reverse "$V3" --reason 誤払
expect_ok clerk01 disburse --region hakodate --fy 2014 --amount 400 --ref V-4 --date 2014-07-20

printf '\xef\xbb\xbfdate,ref,amount\r\n2014-06-30,V-1,"1,000"\r\n2014-07-01,V-2,2000\r\n2014-08-01,V-2,-500\r\n2014-07-20,V-4,400\r\n' >"$T/clean.csv"
expect_exit 0 ctl recon01 reconcile --fy 2014 --statement "$T/clean.csv"
grep -q "reconciled" "$OUT" && ok "clean statement: reconciled" || not_ok "clean statement: no 'reconciled'"
expect_exit 0 ctl recon01 reconcile --fy H26 --statement "$T/clean.csv" --format json
expect_json differences 0 type=summary
expect_json matched 3 type=summary

printf 'date,ref,amount\n2014-06-30,V-1,999\n2014-07-01,V-2,2000\n2014-08-02,V-2,-500\n2014-07-01,V-9,100\n' >"$T/diff.csv"
expect_exit 5 ctl recon01 reconcile --fy 2014 --statement "$T/diff.csv" --json
expect_json ledger_amount 1000 type=amount_mismatch ref=V-1
expect_json statement_amount 999 type=amount_mismatch ref=V-1
expect_json line 4 type=date_mismatch ref=V-2
expect_json date 2014-08-02 type=date_mismatch ref=V-2
expect_json statement_amount 100 type=missing_in_ledger ref=V-9
expect_json ledger_amount 400 type=missing_in_statement ref=V-4
expect_json differences 4 type=summary
expect_exit 5 ctl recon01 reconcile --fy 2014 --statement "$T/diff.csv"
for w in "amount_mismatch  V-1" "date_mismatch  V-2" "missing_in_ledger  V-9" "missing_in_statement  V-4"; do
	grep -q "${w%% *} *${w##* }" "$OUT" && ok "table names $w" || not_ok "table lacks $w"
done
# V-3 was reversed: on a statement it is a payment the ledger does not have.
printf '2014-07-15,V-3,300\r\n' >>"$T/clean.csv"
expect_exit 5 ctl recon01 reconcile --fy 2014 --statement "$T/clean.csv" --json
expect_json ref V-3 type=missing_in_ledger

printf 'date,ref,amount\n2014-06-30,V-1,1000\n2014-06-31,V-2,2000\n' >"$T/badstmt.csv"
expect_exit 2 ctl recon01 reconcile --fy 2014 --statement "$T/badstmt.csv"
expect_stderr "line 3: date"
run env LEDGER_SERVER=127.0.0.1:1 LEDGER_CA="$PKI/ca.crt" "$LEDGERCTL" reconcile --fy 2014 --statement "$T/badstmt.csv"
[ "$RC" -eq 2 ] && ok "bad statement: usage error before connecting" || not_ok "bad statement without a server: want 2, got $RC"

# --- a statement as Excel saves it -------------------------------------------------
# The bank's columns in its own order with two ledgerctl does not know, a
# memo, 2014/6/30 dates, "¥2,000", a full-width ref, a blank row, BOM,
# CRLF and a trailing blank line: it matches the ledger of FY2014.
printf '\xef\xbb\xbf'>"$T/excel.csv"
printf '%s\r\n' 'No,Amount,Date,memo,Ref,取引先' \
	'1,"1,000",2014/6/30,6月分 概算払,V-1,函館市' \
	'2,"¥2,000",2014/7/1,,Ｖ－２,函館市' \
	',,,,,' \
	'3,-500,2014/08/01,"戻入, 一部",V-2,函館市' \
	'4,400,2014/7/20,,V-4,函館市' '' >>"$T/excel.csv"
expect_exit 0 ctl recon01 reconcile --fy 2014 --statement "$T/excel.csv" --json
expect_json matched 3 type=summary
expect_json statement_lines 4 type=summary
# A Japanese ref the ledger cannot hold (refs are ASCII) is a difference,
# not an abort, and its line is shown with its memo.
head -c -2 "$T/excel.csv" >"$T/excel2.csv"
printf '%s\r\n' '5,"1,500",2014/9/1,振込手数料 仙台,振込-0007,仙台市' '' >>"$T/excel2.csv"
expect_exit 5 ctl recon01 reconcile --fy 2014 --statement "$T/excel2.csv" --json
expect_json statement_amount 1500 type=missing_in_ledger ref=振込-0007
expect_json memo '振込手数料 仙台' type=statement_line line=7
expect_json date 2014-09-01 type=statement_line line=7
expect_json differences 1 type=summary
expect_exit 5 ctl recon01 reconcile --fy 2014 --statement "$T/excel2.csv"
check "table: the difference names the Japanese ref" grep -q "missing_in_ledger *振込-0007" "$OUT"
check "table: the line is shown with its memo" grep -q "^ *7 *2014-09-01 *振込-0007 *1,500 *振込手数料 仙台" "$OUT"
# The same statement in Shift_JIS, as Japanese Excel saves "CSV": the yen
# sign is CP932's ￥, the memo ソ has the trail byte 0x5C ('\').
"$LD_PY" - "$T/excel2.csv" "$T/sjis.csv" <<'PYEOF'
import sys
t = open(sys.argv[1], encoding="utf-8-sig", newline="").read()
t = t.replace("¥", "￥").replace("戻入, 一部", "戻入, ソ")
open(sys.argv[2], "wb").write(t.encode("cp932"))
PYEOF
expect_exit 5 ctl recon01 reconcile --fy 2014 --statement "$T/sjis.csv" --encoding cp932 --json
expect_json statement_amount 1500 type=missing_in_ledger ref=振込-0007
expect_json memo '振込手数料 仙台' type=statement_line line=7
expect_json matched 3 type=summary
expect_exit 2 ctl recon01 reconcile --fy 2014 --statement "$T/sjis.csv"
expect_stderr "sjis.csv: line 2: memo (column 4): not UTF-8"
expect_stderr "try --encoding cp932"
printf 'date,ref,amount\r\n2014/6/30,V-\x81\x20,1\r\n' >"$T/badsjis.csv"
expect_exit 2 ctl recon01 reconcile --fy 2014 --statement "$T/badsjis.csv" --encoding cp932
expect_stderr "badsjis.csv: line 2: bytes 0x81 0x20 are not CP932 text"
printf 'Date,Memo,Amount\r\n2014/6/30,x,1\r\n' >"$T/nocols.csv"
expect_exit 2 ctl recon01 reconcile --fy 2014 --statement "$T/nocols.csv"
expect_stderr "line 1: the header lacks the column ref"

# --- export --format csv --bom ----------------------------------------------------
expect_ok auditor01 export --until 2 --format csv --bom
check "export --bom: BOM, then the contract's header" cmp -s <(head -c 20 "$OUT") <(printf '\xef\xbb\xbfseq,kind,region,f')
check "export --bom: one BOM only" test "$(grep -c $'\xef\xbb\xbf' "$OUT")" -eq 1
check "export --bom: header and 2 entries" test "$(wc -l <"$OUT")" -eq 3
expect_ok auditor01 export --until 2 --format csv
check "export without --bom starts with the header" cmp -s <(head -c 16 "$OUT") <(printf 'seq,kind,region,')
expect_exit 2 ctl auditor01 export --format jsonl --bom
expect_stderr "--bom is for --format csv"

# --- 100,000 rows ----------------------------------------------------------------
# bigcity (continuing: no range) has an award of 1億; 100,000 payments of
# 1,000 yen use it exactly.
N=100000
"$LD_PY" - "$T/bulk.csv" "$N" <<'EOF'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("kind,region,fy,amount,ref,date,memo,id\r\n")
    for i in range(n):
        f.write("disbursement,bigcity,2013,\"1,000\",B-%06d,2013-%02d-%02d,一括 %d,bulk-%06d\r\n"
                % (i, 4 + i % 9, 1 + i % 28, i, i))
EOF
t0=$(now_ms)
run ctl clerk03 import "$T/bulk.csv"
t1=$(now_ms)
[ "$RC" -eq 0 ] && ok "100,000-row import: exit 0" || not_ok "100,000-row import: want exit 0, got $RC"
expect_summary "written $N, duplicates 0, refused 0"
# stderr is not a terminal here: no progress line, not even a CR.
check "piped: no progress line" test ! -s "$ERR"
ms=$(( t1 - t0 > 0 ? t1 - t0 : 1 ))
echo "# import: $N rows in ${ms} ms = $(( N * 1000 / ms )) rows/s"
t0=$(now_ms)
run ctl clerk03 import "$T/bulk.csv"
t1=$(now_ms)
[ "$RC" -eq 0 ] && ok "100,000-row re-run: exit 0" || not_ok "100,000-row re-run: want exit 0, got $RC"
expect_summary "written 0, duplicates $N, refused 0"
ms=$(( t1 - t0 > 0 ? t1 - t0 : 1 ))
echo "# re-run: $N duplicates in ${ms} ms = $(( N * 1000 / ms )) rows/s"
# On a terminal (script(1) gives the command a pty): the progress line,
# drawn with a CR and erased before the summary.
if command -v script >/dev/null; then
	q() { printf '%q ' "$@"; }
	tty_ctl="LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$(q "$PKI/ca.crt") LEDGER_CERT=$(q "$PKI/clerk03.crt") LEDGER_KEY=$(q "$PKI/clerk03.key") $(q "$LEDGERCTL")"
	run script -qec "$tty_ctl import $(q "$T/bulk.csv")" /dev/null
	[ "$RC" -eq 0 ] && ok "import on a terminal: exit 0" || not_ok "import on a terminal: want 0, got $RC"
	check "terminal: import progress line" grep -aq "import: [0-9,]*/100,000 rows *"$'\r' "$OUT"
	check "terminal: the line is erased before the summary" grep -aq " "$'\r'"written 0, duplicates $N, refused 0" "$OUT"
	run script -qec "$tty_ctl export --format csv >$(q "$T/tty-export.csv")" /dev/null
	[ "$RC" -eq 0 ] && ok "export on a terminal: exit 0" || not_ok "export on a terminal: want 0, got $RC"
	check "terminal: export progress line" grep -aq "export: [0-9,]* entries *"$'\r' "$OUT"
	check "terminal: the export file has no progress in it" test "$(grep -c $'\r' "$T/tty-export.csv")" -eq 0
	run script -qec "$tty_ctl export --format csv --until 5" /dev/null
	check "export to the terminal itself: no progress line" test "$(grep -ac 'export:' "$OUT")" -eq 0
	run ctl clerk03 export --format csv
	check "export piped: nothing on stderr" test ! -s "$ERR"
else
	echo "# script(1) (bsdutils) is not installed: the terminal progress line is not tested"
fi
expect_ok auditor01 balance --fy 2013 --region bigcity --json
expect_json disbursed 100000000
expect_json remaining 0

# --- report ------------------------------------------------------------------
expect_ok recon01 report --fy 2013 --json
expect_json disbursed 100000000 type=region region=bigcity
expect_json grant_type continuing type=region region=bigcity
expect_json award 150000000 type=region region=hakodate
expect_json refunded 1000 type=region region=hakodate
# hakodate 50,000,000 + 10,000,000 + 600 (atomic) - 1,000; sendai 1.5億.
expect_json disbursed 310000600 type=total
expect_json net 309999600 type=total
expect_json appropriated 1000000000 type=total
expect_json award 550000000 type=total
expect_json remaining 240000400 type=total
expect_json closed false type=account account=general
cp "$OUT" "$T/report.jsonl"
expect_ok auditor01 balance --fy 2013 --json
"$LD_PY" - "$T/report.jsonl" "$OUT" <<'EOF' >"$T/cmp.out" 2>&1
import json, sys
rep = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bal = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
for b in bal:
    if "region" in b:
        r = [x for x in rep if x["type"] == "region" and x["region"] == b["region"]][0]
        keys = ("award", "disbursed", "refunded", "net", "remaining")
    else:
        r = [x for x in rep if x["type"] == "account" and x["account"] == b["account"]][0]
        r = dict(r, awarded=r["award"])
        keys = ("appropriated", "awarded", "disbursed", "refunded", "net", "unawarded")
    for k in keys:
        assert r[k] == b[k], (b, k, r[k])
print("same")
EOF
grep -q same "$T/cmp.out" && ok "report rows equal balance --json" || not_ok "report vs balance: $(cat "$T/cmp.out")"
expect_ok recon01 report --fy 2013 --format csv
head -1 "$OUT" | grep -qx "type,account,region,fy,grant_type,appropriated,award,unawarded,disbursed,refunded,net,remaining,closed" &&
	ok "report csv header" || not_ok "report csv header: $(head -1 "$OUT")"
grep -q "^region,general,bigcity,2013,continuing,,100000000,,100000000,0,100000000,0,$" "$OUT" &&
	ok "report csv bigcity row" || not_ok "report csv: no bigcity row"
expect_ok recon01 report --fy 2013
grep -q "totals agree" "$OUT" && ok "report table says the totals agree" || not_ok "report table"
expect_ok recon01 report --fy 2020 --json
expect_json award 0 type=total
expect_exit 2 ctl recon01 report --fy 2013 --format xml

# --- the nightly job ------------------------------------------------------------
# scripts/nightly-reconcile.sh exports since its cursor and reconciles;
# the cursor moves only after a night that fully succeeded.
nightly() {
	run env LEDGER_SERVER="127.0.0.1:$PORT" LEDGER_CA="$PKI/ca.crt" \
		LEDGER_CERT="$PKI/recon01.crt" LEDGER_KEY="$PKI/recon01.key" \
		LEDGER_STATEMENT="$T/nightly.csv" LEDGER_FY=2014 LEDGERCTL="$LEDGERCTL" \
		bash "$LD_SOURCE_DIR/scripts/nightly-reconcile.sh" "$T/state"
}
size_now() { ctl auditor01 status --json </dev/null 2>/dev/null | "$LD_PY" -c 'import json,sys; print(json.load(sys.stdin)["size"])'; }
mkdir -p "$T/state"
printf 'date,ref,amount\n2014-06-30,V-1,1000\n2014-07-01,V-2,2000\n2014-08-01,V-2,-500\n2014-07-20,V-4,400\n' >"$T/nightly.csv"
SIZE=$(size_now)
nightly
[ "$RC" -eq 0 ] && ok "nightly: exit 0" || not_ok "nightly: want exit 0, got $RC"
check "nightly: cursor is the tree size $SIZE" test "$(cat "$T/state/cursor" 2>/dev/null)" = "$SIZE"
check "nightly: export of 1-$SIZE" test "$(wc -l <"$T/state/exports/entries-1-$SIZE.jsonl")" -eq "$SIZE"
check "nightly: the export carries leaf_data" grep -q '"leaf_data":"' "$T/state/exports/entries-1-$SIZE.jsonl"
nightly
[ "$RC" -eq 0 ] && ok "nightly again: exit 0" || not_ok "nightly again: want exit 0, got $RC"
check "nightly again: nothing new exported" grep -q "no entries after $SIZE" "$OUT"
expect_ok clerk01 disburse --region hakodate --fy 2014 --amount 70 --ref V-5 --date 2014-10-01
nightly
[ "$RC" -eq 5 ] && ok "nightly with a difference: exit 5" || not_ok "nightly with a difference: want 5, got $RC"
check "nightly with a difference: cursor kept" test "$(cat "$T/state/cursor")" = "$SIZE"
check "nightly: the difference is recorded" grep -qh '"ref":"V-5"' "$T"/state/reconcile/2014-*.jsonl
printf '2014-10-01,V-5,70\n' >>"$T/nightly.csv"
nightly
[ "$RC" -eq 0 ] && ok "nightly fixed: exit 0" || not_ok "nightly fixed: want 0, got $RC"
check "nightly fixed: cursor moved on" test "$(cat "$T/state/cursor")" = "$((SIZE + 1))"
check "nightly fixed: export $((SIZE + 1))-$((SIZE + 1))" test -s "$T/state/exports/entries-$((SIZE + 1))-$((SIZE + 1)).jsonl"
# The fiscal year is Japan's, and the previous one is reconciled too until
# its settlement deadline (2015-04-30 for FY2014 without terms saying
# otherwise).  faketime fakes only `date` (the certificates must stay valid).
cp "$T/nightly.csv" "$T/st-2014.csv"
printf 'date,ref,amount\n' >"$T/st-2015.csv"
mkdir -p "$T/state2"
# libfaketime is preloaded into every process of the job (only `date` is
# faked): an ASan build's ledgerctl must not insist on coming first.
FT_ASAN=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
night_at() {	# night_at "UTC TIME": the job as it would run then
	run env TZ=UTC FAKETIME_ONLY_CMDS=date ASAN_OPTIONS="$FT_ASAN" LEDGER_SERVER="127.0.0.1:$PORT" \
		LEDGER_CA="$PKI/ca.crt" LEDGER_CERT="$PKI/recon01.crt" \
		LEDGER_KEY="$PKI/recon01.key" LEDGER_STATEMENT="$T/st-%FY%.csv" \
		LEDGERCTL="$LEDGERCTL" faketime "$1" \
		bash "$LD_SOURCE_DIR/scripts/nightly-reconcile.sh" "$T/state2"
}
if command -v faketime >/dev/null; then
	# 2015-03-31 16:00 UTC is already 1 April in Japan: FY2015, and FY2014 too.
	night_at "2015-03-31 16:00:00"
	[ "$RC" -eq 0 ] && ok "nightly on 1 April (JST): exit 0" || not_ok "nightly on 1 April: want 0, got $RC: $(cat "$ERR")"
	check "nightly on 1 April reconciles FY2014" grep -q "FY 2014 reconciled with $T/st-2014.csv" "$OUT"
	check "nightly on 1 April reconciles FY2015" grep -q "FY 2015 reconciled with $T/st-2015.csv" "$OUT"
	# 2015-03-31 14:00 UTC is still 31 March in Japan: FY2014 only.
	night_at "2015-03-31 14:00:00"
	check "nightly on 31 March (JST) reconciles FY2014 only" \
		test "$(grep -c reconciled "$OUT")" -eq 1 -a "$(grep -c "FY 2014 reconciled" "$OUT")" -eq 1
	# After the deadline: FY2015 only.
	night_at "2015-05-01 03:00:00"
	check "nightly after the deadline reconciles FY2015 only" \
		test "$(grep -c reconciled "$OUT")" -eq 1 -a "$(grep -c "FY 2015 reconciled" "$OUT")" -eq 1
	# A statement without %FY% and no LEDGER_STATEMENT_PREV: said, not silent.
	run env TZ=UTC FAKETIME_ONLY_CMDS=date ASAN_OPTIONS="$FT_ASAN" LEDGER_SERVER="127.0.0.1:$PORT" \
		LEDGER_CA="$PKI/ca.crt" LEDGER_CERT="$PKI/recon01.crt" \
		LEDGER_KEY="$PKI/recon01.key" LEDGER_STATEMENT="$T/st-2015.csv" \
		LEDGERCTL="$LEDGERCTL" faketime "2015-04-10 03:00:00" \
		bash "$LD_SOURCE_DIR/scripts/nightly-reconcile.sh" "$T/state2"
	check "nightly without the previous year's statement says so" grep -q "FY 2014 not reconciled" "$ERR"
else
	echo "# faketime is not installed (scripts/install-deps.sh --test installs it): overlap checks skipped"
fi
run env -u STATE_DIRECTORY LEDGER_STATEMENT="$T/nightly.csv" bash "$LD_SOURCE_DIR/scripts/nightly-reconcile.sh"
[ "$RC" -eq 2 ] && ok "nightly without a state directory: exit 2" || not_ok "nightly without state: want 2, got $RC"

# The units: valid, and the service as hardened as ledgerd.service.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/unit"
	sed -e "s#^ExecStart=/usr/libexec/ledgerd/nightly-reconcile\$#ExecStart=$LD_SOURCE_DIR/scripts/nightly-reconcile.sh#" \
		-e "s#^EnvironmentFile=/etc/ledgerd/reconcile.env\$#EnvironmentFile=-$T/reconcile.env#" \
		"$LD_SOURCE_DIR/systemd/ledgerd-reconcile.service" >"$T/unit/ledgerd-reconcile.service"
	cp "$LD_SOURCE_DIR/systemd/ledgerd-reconcile.timer" "$T/unit/"
	check "the copy runs the source's script" grep -q "^ExecStart=$LD_SOURCE_DIR/scripts/nightly-reconcile.sh" "$T/unit/ledgerd-reconcile.service"
	expect_exit 0 systemd-analyze verify "$T/unit/ledgerd-reconcile.service" "$T/unit/ledgerd-reconcile.timer"
	expect_exit 0 systemd-analyze security --offline=yes --threshold=20 "$LD_SOURCE_DIR/systemd/ledgerd-reconcile.service"
	for want in "Type=oneshot" "ExecStart=/usr/libexec/ledgerd/nightly-reconcile" \
		"EnvironmentFile=/etc/ledgerd/reconcile.env" "StateDirectory=ledgerd-reconcile"; do
		check "service has $want" grep -qxF "$want" "$LD_SOURCE_DIR/systemd/ledgerd-reconcile.service"
	done
	for want in "Persistent=true" "OnCalendar=*-*-* 02:30:00"; do
		check "timer has $want" grep -qxF "$want" "$LD_SOURCE_DIR/systemd/ledgerd-reconcile.timer"
	done
fi

# --- the smallest frames the daemon allows ---------------------------------------
# With 16 KiB frames a batch holds about a dozen rows: hundreds of batches
# in flight one after another must neither deadlock nor lose a result, and
# an --atomic file larger than a frame is refused before anything is sent.
stop_daemon
sed -i 's/^idle_timeout_s = 60$/idle_timeout_s = 60\nmax_frame_bytes = 16384/' "$CONF"
grep -q "^max_frame_bytes = 16384" "$CONF" && ok "config: 16 KiB frames" || not_ok "config edit"
start_daemon --same-port || { not_ok "restart with 16 KiB frames"; finish; }
"$LD_PY" - "$T/small-frames.csv" <<'EOF2'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("kind,region,fy,amount,ref,date,memo,id\n")
    for i in range(3000):
        f.write("disbursement,hakodate,2014,1,S-%d,2014-09-01,%s,small-%d\n" % (i, "メモ" * 40, i))
EOF2
expect_exit 0 ctl clerk04 import "$T/small-frames.csv"
expect_summary "written 3000, duplicates 0, refused 0"
expect_exit 0 ctl clerk04 import "$T/small-frames.csv"
expect_summary "written 0, duplicates 3000, refused 0"
snapshot_take
expect_exit 2 ctl clerk04 import "$T/small-frames.csv" --atomic
expect_stderr "max_frame_bytes"
snapshot_same "an --atomic file over max_frame_bytes sent nothing"

finish
