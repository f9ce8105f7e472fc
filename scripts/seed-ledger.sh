#!/usr/bin/env bash
# seed-ledger.sh - load the seed's regions and FY2013 appropriations into a
# running ledgerd through ledgerctl.
#
# usage: scripts/seed-ledger.sh [REGIONS.tsv]     (default conf/regions.tsv)
#
# Connection comes from the environment ledgerctl reads: LEDGER_SERVER,
# LEDGER_CERT, LEDGER_KEY, LEDGER_CA (an admin certificate).  LEDGERCTL names
# the client binary (default build/bin/ledgerctl).
#
# Safe to run again: a region already registered answers DUPLICATE_REGION and
# counts as done; the appropriations carry fixed --id keys, so a repeat
# returns the stored entry ("duplicate": true) and writes nothing.  quickstart.sh
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
appropriate() {
	local id=$1 out
	shift
	if ! out=$("$ctl" --json appropriate "$@" --id "$id" 2>"$errf"); then
		echo "seed-ledger: appropriation $id:" >&2
		cat "$errf" >&2
		exit 1
	fi
	if printf '%s' "$out" | grep -Eq '"duplicate"[[:space:]]*:[[:space:]]*true'; then
		echo "seed-ledger: appropriation $id: already recorded"
	else
		echo "seed-ledger: appropriation $id: recorded"
	fi
}
appropriate fy2013-general-appropriation \
	--account general --fy FY2013 --amount 16,221,000,000 --ref MEXT-H25-COI
appropriate fy2013-reconstruction-appropriation \
	--account reconstruction --fy FY2013 --amount 1,505,000,000 --ref MEXT-H25-RECONSTRUCTION
