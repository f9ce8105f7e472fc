#!/usr/bin/env bash
# nightly-reconcile.sh - the nightly job: export what is new, reconcile the
# fiscal year against the bank statement.  systemd/ledgerd-reconcile.service
# runs it (installed as /usr/libexec/ledgerd/nightly-reconcile) from
# ledgerd-reconcile.timer; it can as well be run by hand.
#
# usage: nightly-reconcile.sh [STATE_DIR]
#
# STATE_DIR defaults to $STATE_DIRECTORY (set by the unit's StateDirectory=).
# It holds:
#   cursor                     the last seq exported (absent: nothing yet)
#   exports/entries-A-B.jsonl  entries A..B as `ledgerctl export --format
#                              jsonl` prints them (leaf_data included, so
#                              anyone can recompute the tree from them)
#   reconcile/FY-STAMP.jsonl   each night's `reconcile --format json` result
#
# Environment (the unit reads it from /etc/ledgerd/reconcile.env):
#   LEDGER_SERVER LEDGER_CERT LEDGER_KEY LEDGER_CA  ledgerctl's connection;
#                      a reconciler (or auditor) certificate is enough
#   LEDGER_STATEMENT   the bank statement CSV (date,ref,amount) of the year
#   LEDGER_FY          the fiscal year to reconcile (FY2013, H25, R7, 2013);
#                      default: the current one (April to March)
#   LEDGERCTL          the client (default: ledgerctl on PATH)
#
# The cursor moves only when the whole night succeeded (export written and
# the statement matching the ledger), and atomically (a temporary file
# renamed), so a failed night is simply done again the next night from the
# same cursor: its export file is then overlapped by the next one, nothing is
# lost or skipped.  The exit status is the job's: 0 all done, 5 the statement
# differs from the ledger (the differences are in reconcile/), otherwise
# ledgerctl's status (1 refused, 2 usage, 3 connection) or 2 for a bad setup.
set -euo pipefail

prog=nightly-reconcile
die() {
	echo "$prog: $2" >&2
	exit "$1"
}

state=${1:-${STATE_DIRECTORY:-}}
ctl=${LEDGERCTL:-ledgerctl}
[ -n "$state" ] || die 2 "no state directory: give one or set STATE_DIRECTORY"
[ -d "$state" ] || die 2 "state directory $state does not exist"
[ -n "${LEDGER_STATEMENT:-}" ] || die 2 "LEDGER_STATEMENT is not set"
[ -r "$LEDGER_STATEMENT" ] || die 2 "cannot read the statement $LEDGER_STATEMENT"
if [ -n "${LEDGER_FY:-}" ]; then
	fy=$LEDGER_FY
else
	# The Japanese fiscal year starts in April.
	year=$(date +%Y)
	month=$(date +%m)
	fy=$(( 10#$month >= 4 ? year : year - 1 ))
fi

mkdir -p "$state/exports" "$state/reconcile"
# One run at a time: a run by hand must not race the timer's.
exec 9>"$state/lock"
flock -n 9 || die 75 "another run holds $state/lock"

cursor=0
if [ -s "$state/cursor" ]; then
	cursor=$(cat "$state/cursor")
	[[ $cursor =~ ^[0-9]+$ ]] || die 2 "$state/cursor is not a seq: $cursor"
fi
since=$((cursor + 1))
stamp=$(date -u +%Y%m%dT%H%M%SZ)

tmp=$state/exports/.export-$stamp.tmp
trap 'rm -f "$tmp"' EXIT
rc=0
"$ctl" export --since "$since" --format jsonl >"$tmp" || rc=$?
[ "$rc" -eq 0 ] || die "$rc" "export --since $since failed (ledgerctl exit $rc)"
last=$cursor
if [ -s "$tmp" ]; then
	# Entries come in seq order; the last line holds the highest seq.
	last=$(tail -n 1 "$tmp" | sed -n 's/^{"seq":\([0-9][0-9]*\),.*/\1/p')
	[ -n "$last" ] || die 1 "export output does not end in an entry"
	sync -- "$tmp"
	mv "$tmp" "$state/exports/entries-$since-$last.jsonl"
	echo "$prog: exported entries $since-$last"
else
	echo "$prog: no entries after $cursor"
fi

out=$state/reconcile/$fy-$stamp.jsonl
"$ctl" reconcile --fy "$fy" --statement "$LEDGER_STATEMENT" --format json >"$out" || rc=$?
case $rc in
0) echo "$prog: FY $fy reconciled with $LEDGER_STATEMENT" ;;
5) echo "$prog: FY $fy: the statement differs from the ledger, see $out" >&2
	exit 5 ;;
*) die "$rc" "reconcile failed (ledgerctl exit $rc)" ;;
esac

if [ "$last" != "$cursor" ]; then
	echo "$last" >"$state/cursor.tmp"
	sync -- "$state/cursor.tmp"
	mv "$state/cursor.tmp" "$state/cursor"
fi
exit 0
