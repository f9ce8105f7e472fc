#!/usr/bin/env bash
# idempotency.sh - retrying a write with the same --id never pays twice.
#
# The same id with the same content returns the original entry with
# "duplicate": true (whoever retries, and even when a rule would refuse the
# write now); the same id with other content is ID_CONFLICT; retries racing
# each other still write once.
. "$(dirname "$0")/lib.sh"

setup
start_or_die
seed_terms 2013

wseq() { jget seq; }
# count_id ID: entries in the ledger carrying ID.
count_id() {
	ctl auditor01 list --json </dev/null 2>/dev/null |
		"$LD_PY" -c 'import json,sys; print(sum(1 for l in sys.stdin if l.strip() and json.loads(l).get("id") == sys.argv[1]))' "$1"
}
expect_count() {
	local n
	n=$(count_id "$1")
	[ "$n" = "$2" ] && ok "$2 entry with id $1" || not_ok "want $2 entries with id $1, got '$n'"
}

expect_ok admin01 region add aichi-nanotech --name 愛知 --grant-type general
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI \
	--id fy2013-general-appropriation --json
expect_json duplicate false
APPROP=$(wseq)
expect_ok admin01 appropriate --account general --fy 2013 --amount 16,221,000,000 --ref MEXT-H25-COI \
	--id fy2013-general-appropriation --json
expect_json duplicate true
expect_json seq "$APPROP"
# The same amount written another way is the same content.
expect_ok admin01 appropriate --account general --fy FY2013 --amount 162億2100万円 --ref MEXT-H25-COI \
	--id fy2013-general-appropriation --json
expect_json duplicate true
expect_count fy2013-general-appropriation 1
expect_ok admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.5億 --ref AW-1 --id award-1

# --- a payment retried ------------------------------------------------------------------
pay1=(disburse --region aichi-nanotech --fy 2013 --amount "50,000,000" --ref V-0001 --date 2013-06-30 --memo 概算払 --id pay-1)
expect_ok clerk01 "${pay1[@]}" --json
expect_json duplicate false
P1=$(wseq)
expect_ok clerk01 "${pay1[@]}" --json
expect_json duplicate true
expect_json seq "$P1"
expect_json amount 50000000
# Another clerk retrying gets the original, written by clerk01.
expect_ok clerk02 "${pay1[@]}" --json
expect_json duplicate true
expect_json actor clerk01
expect_count pay-1 1
expect_ok auditor01 balance --fy 2013 --region aichi-nanotech --json
expect_json disbursed 50000000

# --- the same id, other content ------------------------------------------------------
expect_refusal ID_CONFLICT clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,001 --ref V-0001 --date 2013-06-30 --memo 概算払 --id pay-1
expect_refusal ID_CONFLICT clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0001 --date 2013-07-01 --memo 概算払 --id pay-1
expect_refusal ID_CONFLICT clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0001 --date 2013-06-30 --memo 精算払 --id pay-1
expect_refusal ID_CONFLICT clerk01 disburse --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0002 --date 2013-06-30 --memo 概算払 --id pay-1
expect_refusal ID_CONFLICT clerk01 refund --region aichi-nanotech --fy 2013 --amount 50,000,000 --ref V-0001 --date 2013-06-30 --memo 概算払 --id pay-1
expect_refusal ID_CONFLICT admin01 award --region aichi-nanotech --fy 2013 --date 2013-04-01 --amount 1.6億 --ref AW-1 --id award-1
expect_refusal ID_CONFLICT admin01 appropriate --account general --fy 2013 --amount 1,000 --ref X --id pay-1

# --- a retry is answered even when the write would now be refused ---------------------
pay2=(disburse --region aichi-nanotech --fy 2013 --amount "100,000,000" --ref V-0002 --date 2013-07-30 --id pay-2)
expect_ok clerk01 "${pay2[@]}" --json
P2=$(wseq)
# The award is now fully paid: the same payment under a new id is refused ...
expect_refusal OVER_AWARD clerk01 disburse --region aichi-nanotech --fy 2013 --amount 100,000,000 --ref V-0002 --date 2013-07-30 --id pay-2b
# ... but its retry is answered with the original.
expect_ok clerk01 "${pay2[@]}" --json
expect_json duplicate true
expect_json seq "$P2"
expect_ok clerk01 reverse "$P1" --reason 誤払 --id rev-1 --json
expect_json duplicate false
REV=$(wseq)
expect_ok clerk01 reverse "$P1" --reason 誤払 --id rev-1 --json
expect_json duplicate true
expect_json seq "$REV"
expect_refusal ID_CONFLICT clerk01 reverse "$P2" --reason 誤払 --id rev-1
expect_refusal ALREADY_REVERSED clerk01 reverse "$P1" --reason 誤払 --id rev-2

# --- retries racing each other ---------------------------------------------------------
# Six processes send the same payment at once: one writes it, five get it back.
pay3=(disburse --region aichi-nanotech --fy 2013 --amount "1,000,000" --ref V-0003 --date 2013-08-01 --id pay-3 --json)
pids=()
for i in 1 2 3 4 5 6; do
	ctl "clerk0$i" "${pay3[@]}" >"$T/race.$i.out" 2>"$T/race.$i.err" </dev/null &
	pids+=($!)
done
fails=0 fresh=0 dups=0
for i in 1 2 3 4 5 6; do
	wait "${pids[$((i - 1))]}" || fails=$((fails + 1))
	OUT=$T/race.$i.out
	case $(jget duplicate 2>/dev/null) in
	false) fresh=$((fresh + 1)) ;;
	true) dups=$((dups + 1)) ;;
	esac
done
OUT=$T/out
if [ "$fails" -eq 0 ] && [ "$fresh" -eq 1 ] && [ "$dups" -eq 5 ]; then
	ok "6 racing retries: one written, five duplicates"
else
	not_ok "6 racing retries: $fails failed, $fresh written, $dups duplicates (want 0, 1, 5)"
	cat "$T"/race.*.err
fi
expect_count pay-3 1
expect_ok auditor01 balance --fy 2013 --region aichi-nanotech --json
expect_json disbursed 101000000
expect_json net 101000000

# --- after the year is closed ---------------------------------------------------------
expect_ok admin01 close-year --account general --fy 2013
expect_ok clerk01 "${pay1[@]}" --json
expect_json duplicate true
expect_json seq "$P1"
expect_refusal YEAR_CLOSED clerk01 disburse --region aichi-nanotech --fy 2013 --amount 1,000 --ref V-0009 --date 2013-08-01 --id pay-9
# close-year and region add are idempotent by nature.
expect_refusal YEAR_CLOSED admin01 close-year --account general --fy 2013
expect_refusal DUPLICATE_REGION admin01 region add aichi-nanotech --name 愛知 --grant-type general

stop_daemon
finish
