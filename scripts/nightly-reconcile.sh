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
#   LEDGER_STATEMENT   the bank statement CSV (date,ref,amount) of the year;
#                      "%FY%" in it stands for the fiscal year reconciled
#                      (statement-%FY%.csv), so that one setting serves
#                      both years of the overlap below
#   LEDGER_STATEMENT_PREV  the previous year's statement, when
#                      LEDGER_STATEMENT has no %FY% (optional)
#   LEDGER_FY          the fiscal year to reconcile (FY2013, H25, R7, 2013);
#                      default: the current one in Japan (April to March,
#                      by the date in Asia/Tokyo whatever the host's zone)
#
# Payments of a fiscal year are accepted until its settlement deadline
# (出納整理期限, (fy+1)-04-30 unless the year's terms say otherwise), so from
# 1 April until that deadline the job reconciles the previous year as well
# (when LEDGER_FY is not set).  Without a statement for it (no %FY% and no
# LEDGER_STATEMENT_PREV) it says so on stderr and reconciles the current
# year only.
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
prev=
if [ -n "${LEDGER_FY:-}" ]; then
	fy=$LEDGER_FY
else
	# The Japanese fiscal year starts in April, in Japan's time.
	today=$(TZ=Asia/Tokyo date +%Y%m%d)
	year=${today:0:4}
	month=${today:4:2}
	fy=$(( 10#$month >= 4 ? year : year - 1 ))
	# Until the previous year's settlement deadline, that year too.
	deadline=$(( (fy) * 10000 + 430 ))
	terms=$("$ctl" terms show --fy $((fy - 1)) --json 2>/dev/null) || terms=
	for d in $(printf '%s\n' "$terms" |
	    sed -n 's/.*"settlement_deadline":"\([0-9]*\)-\([0-9]*\)-\([0-9]*\)".*/\1\2\3/p'); do
		[ "$d" -gt "$deadline" ] && deadline=$d
	done
	[ "$today" -le "$deadline" ] && prev=$((fy - 1))
fi
# statement_of FY: the statement file of that year, or "" when none.
statement_of() {
	case $LEDGER_STATEMENT in
	*%FY%*) printf '%s\n' "${LEDGER_STATEMENT//%FY%/$1}" ;;
	*) if [ "$1" = "$fy" ]; then printf '%s\n' "$LEDGER_STATEMENT"
	   else printf '%s\n' "${LEDGER_STATEMENT_PREV:-}"; fi ;;
	esac
}
[ -r "$(statement_of "$fy")" ] || die 2 "cannot read the statement $(statement_of "$fy")"
if [ -n "$prev" ] && [ -z "$(statement_of "$prev")" ]; then
	echo "$prog: FY $prev is still open for payments until its settlement deadline, but there is no statement for it (put %FY% in LEDGER_STATEMENT or set LEDGER_STATEMENT_PREV): FY $prev not reconciled" >&2
	prev=
fi
if [ -n "$prev" ] && [ ! -r "$(statement_of "$prev")" ]; then
	die 2 "cannot read the statement $(statement_of "$prev")"
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

differ=0
for y in $prev $fy; do
	out=$state/reconcile/$y-$stamp.jsonl
	rc=0
	"$ctl" reconcile --fy "$y" --statement "$(statement_of "$y")" \
	    --format json >"$out" || rc=$?
	case $rc in
	0) echo "$prog: FY $y reconciled with $(statement_of "$y")" ;;
	5) echo "$prog: FY $y: the statement differs from the ledger, see $out" >&2
		differ=1 ;;
	*) die "$rc" "reconcile of FY $y failed (ledgerctl exit $rc)" ;;
	esac
done
[ "$differ" -eq 0 ] || exit 5

if [ "$last" != "$cursor" ]; then
	echo "$last" >"$state/cursor.tmp"
	sync -- "$state/cursor.tmp"
	mv "$state/cursor.tmp" "$state/cursor"
fi
exit 0
