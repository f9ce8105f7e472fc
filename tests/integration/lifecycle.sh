#!/usr/bin/env bash
# lifecycle.sh - docs/GRANT-LIFECYCLE.md, run as written and checked figure
# by figure.
#
# The daemon is seeded as the quick start seeds it (scripts/seed-ledger.sh:
# regions, FY2013 appropriations and terms).  Then every command line of the
# document's `sh` blocks runs in order, as admin01 or clerk01; a line ending
# in "# refused: CODE" must exit 1 with that code and leave the ledger as it
# was.  Every figure checked below must also appear in the document, written
# as the document writes it, so that the text and the ledger cannot drift
# apart.  Finally `ledgerd --verify` replays the ledger under a config whose
# every other setting differs, and finds it intact.
. "$(dirname "$0")/lib.sh"

DOC=$LD_SOURCE_DIR/docs/GRANT-LIFECYCLE.md

setup
start_or_die

run env LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$PKI/ca.crt \
	LEDGER_CERT=$PKI/admin01.crt LEDGER_KEY=$PKI/admin01.key \
	LEDGERCTL=$LEDGERCTL bash "$LD_SOURCE_DIR/scripts/seed-ledger.sh"
[ "$RC" -eq 0 ] && ok "seed-ledger.sh" || not_ok "seed-ledger.sh exit $RC"

# --- the document's commands ---------------------------------------------
n=0
inblock=0
while IFS= read -r line; do
	case $line in
	'```sh') inblock=1; continue ;;
	'```') inblock=0; continue ;;
	esac
	[ "$inblock" -eq 1 ] || continue
	case $line in
	admin\ *) cn=admin01 ;;
	clerk\ *) cn=clerk01 ;;
	*) continue ;;	# the admin() / clerk() definitions
	esac
	code=
	if [[ $line =~ \#\ refused:\ ([A-Z_]+)$ ]]; then
		code=${BASH_REMATCH[1]}
		line=${line%% # refused:*}
	fi
	read -ra args <<<"$line"
	n=$((n + 1))
	if [ -n "$code" ]; then
		expect_refusal "$code" "$cn" "${args[@]:1}" --json
	else
		expect_ok "$cn" "${args[@]:1}" --json
	fi
	cp "$OUT" "$T/cmd.$n.json"
	# Remember the outputs the checks below read, by what the line is.
	case $line in
	*receivables*--as-of\ 2014-07-30*) cp "$OUT" "$T/rcv.0730.json" ;;
	*receivables*--as-of\ 2014-08-29*) cp "$OUT" "$T/rcv.0829.json" ;;
	*--id\ lc-iwate-settle*) cp "$OUT" "$T/settle.json" ;;
	*--id\ lc-rcv-001*) cp "$OUT" "$T/rcv1.json" ;;
	*--id\ lc-rcv-002*) cp "$OUT" "$T/rcv2.json" ;;
	esac
done <"$DOC"
check "the document has commands" test "$n" -ge 20

# --- figures -------------------------------------------------------------
# group N: N with its digits grouped by threes, as the document writes yen.
group() {
	echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

# fig FILE FIELD WANT [FILTER...]: FIELD of the matching JSON line is WANT,
# and the document states WANT (yen grouped by threes; basis points plain).
fig() {
	local file=$1 field=$2 want=$3 shown
	shift 3
	cp "$file" "$OUT"
	expect_json "$field" "$want" "$@"
	case $field in
	*_bp) shown=$want ;;
	*) shown=$(group "$want") ;;
	esac
	if [ "$want" = null ] || grep -qF -- "$shown" "$DOC"; then
		ok "the document states $field $shown"
	else
		not_ok "the document does not state $field $shown"
	fi
}

# The repayment order and the receipts.
fig "$T/settle.json" principal 50000000
fig "$T/rcv.0730.json" principal 50000000 region=iwate-next-mobility
fig "$T/rcv.0730.json" interest 2715000 region=iwate-next-mobility
fig "$T/rcv.0730.json" late_charge 450000 region=iwate-next-mobility
fig "$T/rcv.0730.json" outstanding 53165000 region=iwate-next-mobility
fig "$T/rcv1.json" principal 20000000
fig "$T/rcv1.json" interest 0
fig "$T/rcv.0829.json" principal_paid 20000000 region=iwate-next-mobility
fig "$T/rcv.0829.json" interest 2985000 region=iwate-next-mobility
fig "$T/rcv.0829.json" late_charge 720000 region=iwate-next-mobility
fig "$T/rcv.0829.json" outstanding 33705000 region=iwate-next-mobility
fig "$T/rcv2.json" principal 30000000
fig "$T/rcv2.json" interest 2985000
fig "$T/rcv2.json" late_charge 720000
expect_ok auditor01 receivables --fy 2013 --json
cp "$OUT" "$T/rcv.now.json"
fig "$T/rcv.now.json" outstanding 0 region=iwate-next-mobility

# Region balances.
expect_ok auditor01 balance --fy 2013 --region aichi-nanotech --json
cp "$OUT" "$T/b.aichi13.json"
fig "$T/b.aichi13.json" award 180000000
fig "$T/b.aichi13.json" disbursed 120000000
fig "$T/b.aichi13.json" refunded 5000000
fig "$T/b.aichi13.json" net 115000000
fig "$T/b.aichi13.json" carried_out 40000000
fig "$T/b.aichi13.json" remaining 25000000
fig "$T/b.aichi13.json" execution_rate_bp 6388
expect_ok auditor01 balance --fy 2014 --region aichi-nanotech --json
cp "$OUT" "$T/b.aichi14.json"
fig "$T/b.aichi14.json" carried_in 40000000
fig "$T/b.aichi14.json" net 30000000
fig "$T/b.aichi14.json" remaining 10000000
expect_ok auditor01 balance --fy 2013 --region iwate-next-mobility --json
cp "$OUT" "$T/b.iwate13.json"
fig "$T/b.iwate13.json" award 500000000
fig "$T/b.iwate13.json" settled 400000000
fig "$T/b.iwate13.json" net 450000000
fig "$T/b.iwate13.json" receivable_outstanding 0
fig "$T/b.iwate13.json" execution_rate_bp 9000

# The sealed totals of both years' closes.
expect_ok auditor01 list --kind year_close --json
cp "$OUT" "$T/closes.json"
G13="account=general fy=2013"
R13="account=reconstruction fy=2013"
G14="account=general fy=2014"
R14="account=reconstruction fy=2014"
# shellcheck disable=SC2086
{
fig "$T/closes.json" appropriated 16221000000 $G13
fig "$T/closes.json" budget 16221000000 $G13
fig "$T/closes.json" awarded 180000000 $G13
fig "$T/closes.json" disbursed 120000000 $G13
fig "$T/closes.json" refunded 5000000 $G13
fig "$T/closes.json" net 115000000 $G13
fig "$T/closes.json" carried_out 40000000 $G13
fig "$T/closes.json" unused 16066000000 $G13
fig "$T/closes.json" execution_rate_bp 70 $G13
fig "$T/closes.json" appropriated 1505000000 $R13
fig "$T/closes.json" awarded 500000000 $R13
fig "$T/closes.json" net 450000000 $R13
fig "$T/closes.json" unused 1055000000 $R13
fig "$T/closes.json" execution_rate_bp 2990 $R13
fig "$T/closes.json" carried_in 40000000 $G14
fig "$T/closes.json" budget 40000000 $G14
fig "$T/closes.json" net 30000000 $G14
fig "$T/closes.json" unused 10000000 $G14
fig "$T/closes.json" execution_rate_bp 7500 $G14
fig "$T/closes.json" receipts 53705000 $R14
fig "$T/closes.json" budget 0 $R14
fig "$T/closes.json" execution_rate_bp null $R14
}

# --- the verdict does not depend on the config ------------------------------
stop_daemon
# Another origin, map size, limits and roles: nothing of it may matter.
sed -i -e 's/^map_size_mb = .*/map_size_mb = 128/' \
	-e 's/^checkpoint_origin = .*/checkpoint_origin = other.example/' \
	-e 's/^idle_timeout_s = .*/idle_timeout_s = 5/' \
	-e '/^clerk0[2-9] = clerk$/d' "$CONF"
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
check "--verify: ledger intact" grep -q "ledger intact" "$OUT"
# [rules] is refused outright, so an old config cannot change a verdict.
printf '[rules]\ngeneral_min = 300000000\n' >>"$CONF"
expect_exit 2 "$LEDGERD" -c "$CONF" --verify
check "[rules] refused with the reason" grep -q \
	"\[rules\] was removed: programme terms are ledger entries (ledgerctl terms set)" "$ERR"

finish
