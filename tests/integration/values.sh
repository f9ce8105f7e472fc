#!/usr/bin/env bash
# values.sh - the values people type, from the command line to the ledger.
#
# A malformed amount, fiscal year, date, code or text is a usage error (exit
# 2) found before any connection: the server given here does not exist, and
# a valid command to it is a connection failure (exit 3).  The accepted
# spellings (1億5000万円, 1.5億, full-width １，０００, H25, FY2013, r7) reach the
# ledger as the same numbers, and so do version 2's (2.3): fiscal years
# ２０１３, Ｈ２５, 令和7, R元, 平成25年度, 2013年度; dates 2013/6/30, H25.6.30,
# 平成25年6月30日; amounts in 百万円 and 千円.  A refusal quotes the value and
# lists the accepted forms.  The config file's syntax is checked too.
. "$(dirname "$0")/lib.sh"

setup

# --- usage errors, before connecting ---------------------------------------------
# A port with no listener: reaching it would be exit 3, not 2.
REAL=$PORT
while [ "$PORT" = "$REAL" ]; do pick_port || exit 1; done
DEAD=$PORT
PORT=$REAL
dead() {
	LEDGER_SERVER=127.0.0.1:$DEAD LEDGER_CA=$PKI/ca.crt \
		LEDGER_CERT=$PKI/clerk01.crt LEDGER_KEY=$PKI/clerk01.key "$LEDGERCTL" "$@"
}
# usage ARGS...: exit 2 with a message on stderr.
usage() {
	run dead "$@"
	if [ "$RC" -eq 2 ] && [ -s "$ERR" ]; then
		ok "usage error: $*"
	else
		not_ok "want usage error (exit 2 and a message), got exit $RC: $*"
	fi
}
disb() { usage disburse --region aichi-nanotech --fy 2013 --ref V-1 --date 2013-06-30 "$@"; }

expect_exit 3 dead disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-1 --date 2013-06-30
expect_exit 3 dead status

long65=$(printf 'a%.0s' $(seq 1 65))
for amt in 1.5 0 -5 1.5円 0.00001万 10,000,000,000,001 1,0000 1,00,000 abc "" 1e8 1億億 "1 000" 0x10 \
	500千 150百万 5千万 1億500百万円 10,000,001百万円 0.0001千円; do
	disb --amount "$amt"
done
for fy in 2013x H32 H0 R0 FY 13 S63 "" 20130 2013年 平成32年度 令和0年度 FY2013年度 元年度 昭和60; do
	usage balance --fy "$fy"
	disb --amount 1,000 --fy "$fy"
done
for d in 2013-02-30 2013-6-30 20130630 2013-13-01 "" 2013/2/30 2013.6.30 H31.5.1 R1.4.30 \
	令和元年4月30日 H1.1.7 H25.2.29 平成25年6月; do
	usage disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-1 --date "$d"
done
# The message quotes the value and lists what is accepted.
run dead disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-1 --date H31.5.1
check "an era date outside its era is named, with the era's end" \
	grep -q "date: 'H31.5.1': .*2019-04-30.*H25.6.30" "$ERR"
run dead balance --fy 2013年
check "a calendar year is refused, naming 年度" grep -q "'2013年': .*年度.*令和元年度" "$ERR"
run dead disburse --region aichi-nanotech --fy 2013 --amount 500千 --ref V-1 --date 2013-06-30
check "a bare 千 is refused, naming 千円" grep -q "'500千': .*千円.*16,221百万円" "$ERR"
for code in Hakodate hako_date "" "$long65" "函館"; do
	usage region add "$code" --name X --grant-type general
	usage award --region "$code" --fy 2013 --date 2013-04-01 --amount 1.5億 --ref A-1
done
usage region add hakodate --name X --grant-type special
usage region add hakodate --grant-type general
usage appropriate --account special --fy 2013 --amount 1,000 --ref A-1
usage award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref "$long65"
usage award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref "参照"
usage award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref ""
usage award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref A-1 --id "$long65"
usage award --region aichi-nanotech --fy 2013 --date 2013-04-01 --ref A-1
usage disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-1
usage reverse abc --reason X
usage reverse 5
usage frobnicate
# A mistyped command or option: exit 2, naming the one that was meant.
run dead disburs --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-1 --date 2013-06-30
check "a mistyped command gets a suggestion (exit $RC)" \
	grep -q 'unknown command "disburs"; did you mean "disburse"?' "$ERR"
check "... as a usage error" test "$RC" -eq 2
run dead disburse --region aichi-nanotech --fy 2013 --ammount 1,000 --ref V-1 --date 2013-06-30
check "a mistyped option gets a suggestion (exit $RC)" \
	grep -q 'unknown option --ammount .*did you mean --amount?' "$ERR"
check "... as a usage error" test "$RC" -eq 2
usage status --no-such-option
usage list --limit ten

# A missing client key is named (exit 2); a key file that cannot be read is
# named with the reason (exit 3), never as OpenSSL's "PEM lib".
run env LEDGER_SERVER=127.0.0.1:$DEAD LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/clerk01.crt \
	"$LEDGERCTL" status
check "no --key: exit 2 (got $RC)" test "$RC" -eq 2
check "no --key: the message names the option" grep -q 'no client key: give --key FILE or set LEDGER_KEY' "$ERR"
run env LEDGER_SERVER=127.0.0.1:$DEAD LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/clerk01.crt \
	"$LEDGERCTL" status --key "$T/no-such.key"
check "missing key file: exit 3 (got $RC)" test "$RC" -eq 3
check "missing key file: named with the reason" \
	grep -q "cannot read key file $T/no-such.key: No such file or directory" "$ERR"
check "missing key file: no 'PEM lib'" bash -c '! grep -q PEM "$1"' _ "$ERR"

# --- end to end ------------------------------------------------------------------
start_or_die
seed_terms 2013
expect_ok admin01 region add aichi-nanotech --name 愛知 --grant-type general
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI

# Awards replace each other, so each spelling can be tried on one region.
for amt in 1億5000万円 1.5億 150,000,000 150_000_000 150000000円 １億５０００万円 １５０，０００，０００; do
	expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount "$amt" --ref A-1 --json
	expect_json amount 150000000
done
for fy in H25 h25 FY2013 fy2013 2013; do
	expect_ok admin01 award --region aichi-nanotech --fy "$fy" --date 2013-04-01 --amount 1.5億 --ref A-1 --json
	expect_json fy 2013
done
expect_ok admin01 --json award --region hakodate --fy 2013 --date 2013-04-01 --amount 1,000,000,000 --ref A-2
expect_json amount 1000000000
n=0
for pair in "１，０００:1000" "1,500万:15000000" "0.5万:5000" "1000円:1000" "1_000:1000" "12,345,678:12345678"; do
	n=$((n + 1))	# a voucher per payment: a reused one is DUPLICATE_REF
	expect_ok clerk01 disburse --region hakodate --fy 2013 --amount "${pair%%:*}" --ref "V-1$n" --date 2013-06-30 --json
	expect_json amount "${pair#*:}"
done
for pair in "r7:2025" "R7:2025" "H31:2019" "FY2030:2030"; do
	expect_ok admin01 appropriate --account reconstruction --fy "${pair%%:*}" --amount 1,000 --ref A-3 --json
	expect_json fy "${pair#*:}"
done
# Version 2's spellings (2.3), through the real daemon.
expect_ok admin01 award --fy 平成25年度 --region aichi-nanotech --date H25.6.30 --amount 150百万円 --ref A-1 --json
expect_json fy 2013
expect_json date 2013-06-30
expect_json amount 150000000
n=0
for fy in ２０１３ Ｈ２５ ｈ２５ 2013年度 ２０１３年度 H25年度 平成25年度 平成２５年度 ＦＹ２０１３; do
	expect_ok admin01 award --region aichi-nanotech --fy "$fy" --date 2013-04-01 --amount 1.5億 --ref A-1 --json
	expect_json fy 2013
done
for pair in "2013/6/30:2013-06-30" "2013/06/30:2013-06-30" "H25.6.30:2013-06-30" \
	"平成25年6月30日:2013-06-30" "Ｈ２５．６．３０:2013-06-30" "2013年7月1日:2013-07-01" \
	"H26.3.31:2014-03-31" "平成26年4月30日:2014-04-30" "２０１３／６／３０:2013-06-30"; do
	n=$((n + 1))
	expect_ok clerk01 disburse --region hakodate --fy 2013 --amount 1 --ref "D-$n" --date "${pair%%:*}" --json
	expect_json date "${pair#*:}"
done
for pair in "150百万円:150000000" "500千円:500000" "1.5百万円:1500000" "１５０百万円:150000000"; do
	n=$((n + 1))
	expect_ok clerk01 disburse --region hakodate --fy 2013 --amount "${pair%%:*}" --ref "D-$n" --date 2013-06-30 --json
	expect_json amount "${pair#*:}"
done
expect_ok admin01 appropriate --account general --fy 平成25年度 --amount 16,221百万円 --ref MEXT-H25-2 --json
expect_json amount 16221000000
# The Heisei/Reiwa boundary: 2019-04-30 is H31, 2019-05-01 is R1 (令和元年).
seed_terms 2018 2019
expect_ok admin01 appropriate --account general --fy 平成30年度 --amount 10億 --ref B-2018 --json
expect_json fy 2018
expect_ok admin01 appropriate --account general --fy R元 --amount 10億 --ref B-2019 --json
expect_json fy 2019
expect_ok admin01 award --region hakodate --fy 平成30年度 --date H30.4.1 --amount 1億 --ref A-5 --json
expect_json fy 2018
expect_ok clerk01 disburse --region hakodate --fy H30 --amount 1,000 --ref B-1 --date H31.4.30 --json
expect_json date 2019-04-30
expect_ok admin01 award --region hakodate --fy 令和元年度 --date 平成31年4月1日 --amount 1億 --ref A-6 --json
expect_json fy 2019
expect_json date 2019-04-01
expect_ok clerk01 disburse --region hakodate --fy 令和元年度 --amount 1,000 --ref B-2 --date 令和元年5月1日 --json
expect_json date 2019-05-01
expect_ok clerk01 disburse --region hakodate --fy r元 --amount 1,000 --ref B-3 --date R元.5.7 --json
expect_json date 2019-05-07
usage disburse --region hakodate --fy R1 --amount 1,000 --ref B-4 --date R1.4.30
usage disburse --region hakodate --fy H31 --amount 1,000 --ref B-4 --date H31.5.1

# The largest amount there is, and not one yen more.
expect_ok admin01 appropriate --account general --fy 2031 --amount 10,000,000,000,000 --ref A-4 --json
expect_json amount 10000000000000
usage appropriate --account general --fy 2031 --amount 10,000,000,000,001 --ref A-4
expect_ok auditor01 balance --fy r7 --account reconstruction --json
expect_json appropriated 2000
expect_json fy 2025

# Completion of --region from the real `region list` (cache refreshed).
got=$(XDG_CACHE_HOME=$T/xdg LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$PKI/ca.crt \
	LEDGER_CERT=$PKI/auditor01.crt LEDGER_KEY=$PKI/auditor01.key bash -c '
	. "$1/completion/ledgerctl.bash"
	COMP_WORDS=("$2" disburse --region ""); COMP_CWORD=3; _ledgerctl
	printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$LD_SOURCE_DIR" "$LEDGERCTL" 2>&1)
check "completion offers the daemon's region codes ($got)" test "$got" = "aichi-nanotech hakodate "

# Connection options instead of the environment.
expect_exit 0 "$LEDGERCTL" --server "127.0.0.1:$PORT" --cert "$PKI/auditor01.crt" \
	--key "$PKI/auditor01.key" --ca "$PKI/ca.crt" status
expect_exit 0 env LEDGER_SERVER="127.0.0.1:$PORT" LEDGER_CERT="$PKI/auditor01.crt" \
	LEDGER_KEY="$PKI/auditor01.key" LEDGER_CA="$PKI/ca.crt" "$LEDGERCTL" status
stop_daemon

# --- the config file -------------------------------------------------------------
expect_exit 0 "$LEDGERD" --version
expect_exit 0 "$LEDGERD" -c "$CONF" --check
cp "$CONF" "$T/commented.conf"
cat >>"$T/commented.conf" <<'EOF'
   # an indented comment
; a semicolon comment
[metrics]
listen = 127.0.0.1:9464 ; a value with a comment after it
EOF
expect_exit 0 "$LEDGERD" -c "$T/commented.conf" --check
# bad_conf DESC TEXT: TEXT as the line after [server] fails --check with
# exit 1, naming the file and that line.
bad_conf() {
	local desc=$1 line
	line=$(($(grep -n '^\[server\]' "$CONF" | cut -d: -f1) + 1))
	sed "/^\[server\]/a $2" "$CONF" >"$T/bad.conf"
	run "$LEDGERD" -c "$T/bad.conf" --check
	if [ "$RC" -eq 1 ] && grep -q "bad.conf:$line" "$ERR"; then
		ok "--check: $desc: exit 1, names bad.conf:$line"
	else
		not_ok "--check: $desc: want exit 1 and bad.conf:$line on stderr, got exit $RC"
	fi
}
bad_conf "unknown key" "colour = blue"
bad_conf "bad value" "max_connections = lots"
run timeout 30 "$LEDGERD" -c "$T/bad.conf"
if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && grep -q "bad.conf:" "$ERR"; then
	ok "start with a bad config: exit $RC with file and line"
else
	not_ok "start with a bad config: want non-zero exit and file:line, got exit $RC"
fi
cp "$CONF" "$T/missing.conf"
sed -i 's#^cert = .*#cert = pki/no-such.crt#' "$T/missing.conf"
expect_exit 1 "$LEDGERD" -c "$T/missing.conf" --check

finish
