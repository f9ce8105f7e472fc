#!/usr/bin/env bash
# roles.sh - the contract's role table, request by request.
#
# Every role reads everything; admin writes regions, appropriations, awards,
# year closes and reversals of appropriations; clerk writes disbursements,
# refunds, imports and their reversals; auditor and reconciler write nothing.
# A CA-signed certificate whose CN has no role is refused on every request
# (and the daemon logs the CN); a certificate from another CA does not get in.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013

wseq() { jget seq; }

# A small FY2013 ledger to read from and to reverse in.
expect_ok admin01 region add aichi-nanotech --name 愛知 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI --json
APPROP=$(wseq)
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1
expect_ok clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0001 --date 2013-06-30 --json
D1=$(wseq)
expect_ok clerk01 refund --region aichi-nanotech --fy 2013 --amount 1,000,000 --ref R-0001 --date 2013-07-15 --json
RF1=$(wseq)

# --- every role reads everything (the audit reads: reads.sh) ----------------------
for cn in admin01 clerk01 auditor01 recon01; do
	expect_ok "$cn" status
	expect_ok "$cn" region list --json
	expect_json name 愛知 code=aichi-nanotech
	expect_ok "$cn" list
	expect_ok "$cn" list --json
	[ "$(jcount)" -eq 8 ] && ok "$cn: list shows 8 entries (3 terms, 5 more)" || not_ok "$cn: list shows $(jcount) entries, want 8"
	expect_ok "$cn" get "$D1" --json
	expect_json actor clerk01
	expect_ok "$cn" balance --fy 2013
	expect_ok "$cn" balance --fy 2013 --region aichi-nanotech --json
	expect_json net 49000000
done

# --- who may write what ---------------------------------------------------------------
printf 'kind,region,fy,amount,ref,date,memo,id\ndisbursement,aichi-nanotech,2013,1000000,V-IMP-1,2013-07-01,imported,imp-1\n' \
	>"$T/import.csv"

# forbidden_writes CN WHAT...: each named write is FORBIDDEN for CN and
# writes nothing.
forbidden_writes() {
	local cn=$1 w
	shift
	for w in "$@"; do
		case $w in
		region) expect_refusal FORBIDDEN "$cn" region add kochi-green --name 高知 --grant-type general ;;
		appropriate) expect_refusal FORBIDDEN "$cn" appropriate --account general --fy 2013 --amount 1,000 --ref X ;;
		award) expect_refusal FORBIDDEN "$cn" award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.6億 --ref X ;;
		close) expect_refusal FORBIDDEN "$cn" close-year --account reconstruction --fy 2013 ;;
		reverse-appropriation) expect_refusal FORBIDDEN "$cn" reverse "$APPROP" --reason X ;;
		disburse) expect_refusal FORBIDDEN "$cn" disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref X --date 2013-07-01 ;;
		refund) expect_refusal FORBIDDEN "$cn" refund --region aichi-nanotech --fy 2013 --amount 1,000 --ref X --date 2013-07-01 ;;
		reverse-disbursement) expect_refusal FORBIDDEN "$cn" reverse "$D1" --reason X ;;
		reverse-refund) expect_refusal FORBIDDEN "$cn" reverse "$RF1" --reason X ;;
		import)
			ledger_snapshot "$T/before.jsonl"
			run ctl "$cn" import "$T/import.csv"
			ledger_snapshot "$T/after.jsonl"
			if [ "$RC" -eq 1 ] && cat "$OUT" "$ERR" | grep -q FORBIDDEN && cmp -s "$T/before.jsonl" "$T/after.jsonl"; then
				ok "$cn: import refused row by row with FORBIDDEN, nothing written"
			else
				not_ok "$cn: import: want exit 1, FORBIDDEN, nothing written; got exit $RC"
			fi
			;;
		esac
	done
}

forbidden_writes admin01 disburse refund reverse-disbursement reverse-refund import
forbidden_writes clerk01 region appropriate award close reverse-appropriation
for cn in auditor01 recon01; do
	forbidden_writes "$cn" region appropriate award close reverse-appropriation \
		disburse refund reverse-disbursement reverse-refund import
done

# What each writer may do (after the refusals, so the seqs above still stand).
expect_ok admin01 region add kochi-green --name 高知グリーンイノベーション推進地域 --grant-type general --json
expect_json actor admin01
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.6億 --ref AW-2
expect_ok admin01 appropriate --account reconstruction --fy 2013 --amount 1,505,000,000 --ref MEXT-H25-RECONSTRUCTION --json
APPROP_R=$(wseq)
expect_ok admin01 reverse "$APPROP_R" --reason 誤記 --json
expect_json actor admin01
expect_ok admin01 close-year --account reconstruction --fy 2013
expect_ok clerk02 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-0002 --date 2013-07-01 --json
expect_json actor clerk02
D2=$(wseq)
expect_ok clerk02 refund --region aichi-nanotech --fy 2013 --amount 1,000 --ref R-0002 --date 2013-07-02 --json
RF2=$(wseq)
expect_ok clerk03 reverse "$RF2" --reason 誤記 --json
expect_json actor clerk03
expect_ok clerk03 reverse "$D2" --reason 誤記
expect_ok clerk01 import "$T/import.csv"
expect_ok auditor01 list --kind disbursement --json
expect_json actor clerk01 id=imp-1

# --- a certificate without a role ----------------------------------------------------
for req in status "list" "region list" "get 1" "balance --fy 2013"; do
	# shellcheck disable=SC2086 # the request is words on purpose
	expect_refusal FORBIDDEN nobody01 $req
done
expect_refusal FORBIDDEN nobody01 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref X --date 2013-07-01
expect_refusal FORBIDDEN nobody01 region add tokachi --name 十勝エリア --grant-type continuing
check "the daemon logs the refused CN nobody01" grep -q nobody01 "$LOG"

# --- a certificate from another CA: a TLS/authentication failure (exit 3) -----------
bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$T/foreign" admin01 >/dev/null 2>&1
expect_exit 3 env LEDGER_SERVER="127.0.0.1:$PORT" LEDGER_CA="$PKI/ca.crt" \
	LEDGER_CERT="$T/foreign/admin01.crt" LEDGER_KEY="$T/foreign/admin01.key" "$LEDGERCTL" status
# ... and a client that does not trust the server's CA does not talk to it.
expect_exit 3 env LEDGER_SERVER="127.0.0.1:$PORT" LEDGER_CA="$T/foreign/ca.crt" \
	LEDGER_CERT="$PKI/admin01.crt" LEDGER_KEY="$PKI/admin01.key" "$LEDGERCTL" status
expect_ok auditor01 status

# --- SIGHUP reloads roles: a removed role takes effect without a restart -----------
# wait_status CN WANT: until CN's `status` exits WANT (the reload is
# asynchronous); at most a minute.
wait_status() {
	local deadline=$((SECONDS + 60))
	until ctl "$1" status >/dev/null 2>&1 </dev/null; [ $? -eq "$2" ]; do
		[ "$SECONDS" -ge "$deadline" ] && { not_ok "$1: status never exited $2 after SIGHUP"; return 1; }
		sleep 0.1
	done
	ok "$1: status exits $2 after SIGHUP"
}
cp "$CONF" "$T/full.conf"
sed -i '/^clerk12 = clerk$/d' "$CONF"
kill -HUP "$DPID"
if wait_status clerk12 1; then
	expect_refusal FORBIDDEN clerk12 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-HUP --date 2013-07-01
	expect_ok clerk11 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-HUP-11 --date 2013-07-01
fi
cp "$T/full.conf" "$CONF"
kill -HUP "$DPID"
if wait_status clerk12 0; then
	expect_ok clerk12 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-HUP-12 --date 2013-07-01
fi
check "ledgerd still runs after two reloads" kill -0 "$DPID"
stop_daemon

# --- a server certificate that does not name 127.0.0.1: the client refuses it ------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/wrongname.key" 2>/dev/null
openssl req -new -key "$PKI/wrongname.key" -subj /CN=example.invalid -out "$T/wrongname.csr"
openssl x509 -req -in "$T/wrongname.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial 7 -days 30 \
	-extfile <(printf 'subjectAltName=DNS:example.invalid\nextendedKeyUsage=serverAuth\n') \
	-out "$PKI/wrongname.crt" 2>/dev/null
sed -i 's#^cert = .*#cert = pki/wrongname.crt#; s#^key = .*#key = pki/wrongname.key#' "$CONF"
LD_READY=tcp start_or_die --same-port
expect_exit 3 ctl auditor01 status
stop_daemon
finish
