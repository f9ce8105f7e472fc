# tables_seed.sh - the small ledger that tables.sh and report_html.sh read
# (sourced after lib.sh, with the daemon started): the seed's 49 regions,
# FY2013 appropriations and terms (scripts/seed-ledger.sh), then awards,
# payments, a change of award, a reversal, a refund and a settlement, so
# that every mark and column of the tables has something to show.
#
# After it: SUPERSEDED (seq of the award that a change replaced), CHANGE
# (the award that replaced it), REVERSED (seq of the reversed payment),
# REVERSAL (the reversal), and AWARDED (the codes with an award, in order).

# tables_write CN ARGS...: one write that must succeed; its seq in $SEQ.
tables_write() {
	expect_ok "$@" --json || return 1
	SEQ=$(jget seq)
}

tables_seed() {
	run env LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$PKI/ca.crt \
		LEDGER_CERT=$PKI/admin01.crt LEDGER_KEY=$PKI/admin01.key \
		LEDGERCTL=$LEDGERCTL bash "$LD_SOURCE_DIR/scripts/seed-ledger.sh"
	[ "$RC" -eq 0 ] && ok "seed-ledger.sh" || not_ok "seed-ledger.sh exit $RC: $(cat "$ERR")"
	AWARDED=(aichi-nanotech kumamoto-organic-electronics west-tokyo-smart-qol
		yamagata-organic-electronics iwate-next-mobility)
	tables_write admin01 award --region aichi-nanotech --fy 2013 --amount 1.5億 \
		--date 2013-07-10 --ref T-AW-1
	SUPERSEDED=$SEQ
	tables_write admin01 award --region aichi-nanotech --fy 2013 --amount 1.6億 \
		--date 2013-08-01 --ref T-AW-1b
	CHANGE=$SEQ
	tables_write admin01 award --region kumamoto-organic-electronics --fy 2013 \
		--amount 120,000,000 --date 2013-07-10 --ref T-AW-2
	tables_write admin01 award --region west-tokyo-smart-qol --fy 2013 \
		--amount 2億 --date 2013-07-10 --ref T-AW-3
	tables_write admin01 award --region yamagata-organic-electronics --fy 2013 \
		--amount 1億 --date 2013-07-10 --ref T-AW-4
	tables_write admin01 award --region iwate-next-mobility --fy 2013 \
		--amount 5億 --date 2013-07-10 --ref T-AW-5
	tables_write clerk01 disburse --region aichi-nanotech --fy 2013 \
		--amount 6000万 --date 2013-07-31 --ref T-V-1 --memo "概算払（第1回）"
	tables_write clerk01 disburse --region aichi-nanotech --fy 2013 \
		--amount 1000万 --date 2013-08-30 --ref T-V-2 --memo "二重計上"
	REVERSED=$SEQ
	tables_write clerk01 reverse "$REVERSED" --reason "二重計上のため取消し"
	REVERSAL=$SEQ
	tables_write clerk01 disburse --region kumamoto-organic-electronics --fy 2013 \
		--amount 120,000,000 --date 2013-09-30 --ref T-V-3
	tables_write clerk01 disburse --region west-tokyo-smart-qol --fy 2013 \
		--amount 50,000,001 --date 2013-09-30 --ref T-V-4
	tables_write clerk01 refund --region west-tokyo-smart-qol --fy 2013 \
		--amount 1,234,567 --date 2013-10-15 --ref T-F-1
	tables_write clerk01 disburse --region iwate-next-mobility --fy 2013 \
		--amount 3億 --date 2013-08-30 --ref T-V-5
	tables_write admin01 settle --region kumamoto-organic-electronics --fy 2013 \
		--amount 120,000,000 --date 2014-04-20 --ref T-S-1
}
