#!/usr/bin/env bash
# seed-ledger.sh - load the seed's regions, FY2013 appropriations and FY2013
# programme terms into a running ledgerd through ledgerctl.
#
# usage: scripts/seed-ledger.sh [REGIONS.tsv]     (default conf/regions.tsv)
#
# Connection comes from the environment ledgerctl reads: LEDGER_SERVER,
# LEDGER_CERT, LEDGER_KEY, LEDGER_CA (an admin certificate).  LEDGERCTL names
# the client binary (default build/bin/ledgerctl).
#
# Safe to run again: a region already registered answers DUPLICATE_REGION and
# counts as done; the appropriations and terms carry fixed --id keys, so a
# repeat returns the stored entry ("duplicate": true) and writes nothing.  quickstart.sh
# runs it on every start; the integration test seed.sh runs it twice.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tsv=${1:-$top/conf/regions.tsv}
ctl=${LEDGERCTL:-$top/build/bin/ledgerctl}

[ -x "$ctl" ] || { echo "seed-ledger: $ctl not found (build first)" >&2; exit 1; }
[ -r "$tsv" ] || { echo "seed-ledger: cannot read $tsv" >&2; exit 1; }

errf=$(mktemp)
trap 'rm -f "$errf"' EXIT

added=0 present=0 line=0
# The file is TSV with the header "code<TAB>name<TAB>grant_type<TAB>category";
# blank lines and lines starting with # are skipped; CRLF is tolerated.
while IFS= read -r row || [ -n "$row" ]; do
	line=$((line + 1))
	row=${row%$'\r'}
	case $row in "" | "#"*) continue ;; esac
	IFS=$'\t' read -r code name gtype category extra <<<"$row" || true
	if [ "$code" = code ] && [ "$name" = name ]; then
		continue
	fi
	if [ -z "$code" ] || [ -z "$name" ] || [ -z "$gtype" ] || [ -n "${extra:-}" ]; then
		echo "seed-ledger: $tsv:$line: expected code, name, grant_type[, category]" >&2
		exit 1
	fi
	args=(region add "$code" --name "$name" --grant-type "$gtype")
	[ -n "${category:-}" ] && args+=(--category "$category")
	if "$ctl" "${args[@]}" >/dev/null 2>"$errf"; then
		added=$((added + 1))
	elif grep -q "ledgerctl: DUPLICATE_REGION:" "$errf"; then
		present=$((present + 1))
	else
		echo "seed-ledger: $tsv:$line: region $code:" >&2
		cat "$errf" >&2
		exit 1
	fi
done <"$tsv"
echo "seed-ledger: regions: $added added, $present already present"

# FY2013 appropriations (MEXT's budget outline): the COI line in the general
# account and the reconstruction special account, which is kept separate.
# record WHAT ID ARGS...: one idempotent write.
record() {
	local what=$1 id=$2 out
	shift 2
	if ! out=$("$ctl" --json "$@" --id "$id" 2>"$errf"); then
		echo "seed-ledger: $what $id:" >&2
		cat "$errf" >&2
		exit 1
	fi
	if printf '%s' "$out" | grep -Eq '"duplicate"[[:space:]]*:[[:space:]]*true'; then
		echo "seed-ledger: $what $id: already recorded"
	else
		echo "seed-ledger: $what $id: recorded"
	fi
}
record appropriation fy2013-general-appropriation appropriate \
	--account general --fy FY2013 --amount 16,221,000,000 --ref MEXT-H25-COI
record appropriation fy2013-reconstruction-appropriation appropriate \
	--account reconstruction --fy FY2013 --amount 1,505,000,000 --ref MEXT-H25-RECONSTRUCTION

# FY2013 programme terms (the seed's ranges per region and year; continuing
# regions have none), with the national settlement deadline and the Subsidy
# Act's 10.95 % rates, which are the defaults.
record terms fy2013-terms-general terms set --fy FY2013 --grant-type general \
	--min 100,000,000 --max 200,000,000 --ref MEXT-H25-TERMS
record terms fy2013-terms-reconstruction terms set --fy FY2013 \
	--grant-type reconstruction --min 250,000,000 --max 500,000,000 \
	--ref MEXT-H25-TERMS
record terms fy2013-terms-continuing terms set --fy FY2013 \
	--grant-type continuing --ref MEXT-H25-TERMS
