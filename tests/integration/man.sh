#!/usr/bin/env bash
# man.sh - the manual pages are lint-clean and complete; completion works.
#
# Lint: `mandoc -T lint` (Debian package mandoc) must report nothing at
# WARNING level or above, and at STYLE level nothing but "referenced manual
# not found" for the three pages of this project, which mandoc looks up
# among the installed manuals only.  Completeness: every command and option
# `ledgerctl help` prints is in ledgerctl(1) and offered by the bash
# completion, every key of the sample conf/ledgerd.conf is in
# ledgerd.conf(5), every mode in `ledgerd --help` and every metric in
# ledgerd/metrics.c is in ledgerd(8).  The completion is exercised as bash
# would call it (COMP_WORDS, COMP_CWORD).
. "$(dirname "$0")/lib.sh"

command -v mandoc >/dev/null || skip "mandoc is not installed (Debian package mandoc)"
MAN=$LD_SOURCE_DIR/man
COMP=$LD_SOURCE_DIR/completion/ledgerctl.bash
PAGES=("$MAN/ledgerd.8" "$MAN/ledgerctl.1" "$MAN/ledgerd.conf.5")
OWN='Xr (ledgerd 8|ledgerctl 1|ledgerd\.conf 5)( \([0-9]+ times\))?$'
# Copies with mdoc's escaped hyphens (\-) plain, for the completeness checks.
mkdir -p "$T/norm"
for page in "${PAGES[@]}"; do
	sed 's/\\-/-/g' "$page" >"$T/norm/$(basename "$page")"
done

for page in "${PAGES[@]}"; do
	name=$(basename "$page")
	run mandoc -T lint -W warning "$page"
	if [ "$RC" -eq 0 ] && ! grep -v 'outdated mandoc.db' "$ERR" | grep -q .; then
		ok "$name: mandoc -T lint: no errors or warnings"
	else
		not_ok "$name: mandoc -T lint -W warning: exit $RC"
	fi
	mandoc -T lint "$page" 2>&1 | grep -v 'outdated mandoc.db' |
		grep -vE "STYLE: referenced manual not found: $OWN" >"$T/style" || true
	if [ -s "$T/style" ]; then
		not_ok "$name: mandoc -T lint style messages: $(head -5 "$T/style")"
	else
		ok "$name: mandoc -T lint: clean (but for links to this project's own pages)"
	fi
	mandoc -T utf8 "$page" 2>/dev/null | col -b >"$T/$name.txt"
	check "$name renders with NAME, SYNOPSIS or DESCRIPTION, and SEE ALSO" \
		bash -c "grep -q '^NAME' '$T/$name.txt' && grep -q '^DESCRIPTION' '$T/$name.txt' && grep -q '^SEE ALSO' '$T/$name.txt'"
done

# ledgerctl(1) and the completion against `ledgerctl help`.
[ -x "$LEDGERCTL" ] || { not_ok "$LEDGERCTL is not built"; finish; }
"$LEDGERCTL" help >"$T/help" 2>&1
# One line per command: "WORDS<TAB>--opt --opt ...".
sed -n 's/^  ledgerctl \(.*\)$/\1/p' "$T/help" | "$LD_PY" -c '
import re, sys
for line in sys.stdin:
    words = []
    for w in line.split():
        if w.startswith("-") or w.startswith("[") or not re.match(r"^[a-z][a-z-]*$", w):
            break
        words.append(w)
    print(" ".join(words) + "\t" + " ".join(sorted(set(re.findall(r"--[a-z][a-z-]*", line)))))
' >"$T/commands"
check "ledgerctl help lists commands" test "$(wc -l <"$T/commands")" -ge 12

# shellcheck disable=SC1090
. "$COMP"
# complete WORDS...: what the completion offers for the last word.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_ledgerctl
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
offers() {
	local want=$1
	shift
	local got
	got=$(complete_words "$@" | tr '\n' ' ')
	if [ "$got" = "$want " ]; then
		ok "completion of '$*': $want"
	else
		not_ok "completion of '$*': want '$want', got '$got'"
	fi
}

while IFS=$'\t' read -r words opts; do
	cmd=${words%% *}
	check "ledgerctl.1 describes '$words'" grep -qE "^\.It Ic ${words// / }( |$)" "$T/norm/ledgerctl.1"
	got=$(complete_words ledgerctl "${cmd:0:3}" | tr '\n' ' ')
	check "completion offers '$cmd' for '${cmd:0:3}'" grep -qw -- "$cmd" <<<"$got"
	# shellcheck disable=SC2086
	got=$(complete_words ledgerctl $words -- | tr '\n' ' ')
	for o in $opts; do
		check "ledgerctl.1 has $o" grep -qF "Fl ${o#-}" "$T/norm/ledgerctl.1"
		check "completion offers $o after '$words'" grep -qw -- "$o" <<<"$got"
	done
done <"$T/commands"

offers "disburse" ledgerctl dis
offers "add list" ledgerctl region ""
offers "continuing general reconstruction" ledgerctl region add hakodate --grant-type ""
offers "--ref --region" ledgerctl --json disburse --amount 5 --re
offers "--reason" ledgerctl reverse 12 --rea
offers "--key --kind" ledgerctl list --k
offers "appropriation approval award award_cancel carry_over disbursement policy receipt refund region request reversal settlement terms year_close" ledgerctl list --kind ""
offers "csv jsonl" ledgerctl export --format ""
offers "general reconstruction" ledgerctl close-year --account ""
offers "" ledgerctl disburse --memo ""
offers "--ca --cert --crl" ledgerctl --c
check "completion registers for ledgerctl" bash -c ". '$COMP' && complete -p ledgerctl | grep -q _ledgerctl"

# Region codes for --region: from the cache under $XDG_CACHE_HOME, refreshed
# by `ledgerctl region list --json` when older than a day; silent when the
# server cannot be reached.  A fake ledgerctl (the first word completed)
# stands in for the server and logs its arguments.
export XDG_CACHE_HOME=$T/cache
RCACHE=$XDG_CACHE_HOME/ledgerctl/regions
mkdir -p "$XDG_CACHE_HOME/ledgerctl"
printf '%s\n' hakodate aichi-nanotech iwate-next-mobility >"$RCACHE"
FAKE=$T/fake-ledgerctl
cat >"$FAKE" <<'EOF'
#!/bin/sh
echo "$*" >>"${0%/*}/fake.log"
[ -n "$FAKE_DOWN" ] && { echo "ledgerctl: cannot connect" >&2; exit 3; }
echo '{"code":"hakodate","name":"函館地域","grant_type":"continuing","account":"general","seq":1}'
echo '{"code":"sendai-new","name":"仙台","grant_type":"general","account":"general","seq":9}'
EOF
chmod +x "$FAKE"
offers "hakodate" "$FAKE" disburse --region ha
offers "aichi-nanotech hakodate iwate-next-mobility" "$FAKE" balance --fy 2013 --region ""
check "a fresh cache is used as it is (no call)" test ! -e "$T/fake.log"
touch -d '2 days ago' "$RCACHE"
offers "hakodate sendai-new" "$FAKE" --server 127.0.0.1:7443 --ca ca.crt list --region ""
check "a day-old cache is refreshed with region list and the typed connection options" \
	grep -qx -- '--server=127.0.0.1:7443 --ca=ca.crt region list --json' "$T/fake.log"
check "the refreshed cache holds the server's codes" test "$(cat "$RCACHE")" = "$(printf 'hakodate\nsendai-new')"
touch -d '2 days ago' "$RCACHE"
: >"$T/fake.log"
got=$(FAKE_DOWN=1 complete_words "$FAKE" disburse --region "" 2>&1 | tr '\n' ' ')
check "server unreachable: the old cache is offered, nothing printed ($got)" test "$got" = "hakodate sendai-new "
check "... and the old cache is kept" test "$(wc -l <"$RCACHE")" -eq 2
got=$(FAKE_DOWN=1 complete_words "$FAKE" disburse --region "" 2>&1 | tr '\n' ' ')
check "... and not asked again at once (one call: $(wc -l <"$T/fake.log"))" test "$(wc -l <"$T/fake.log")" -eq 1
rm -rf "$XDG_CACHE_HOME"
got=$(FAKE_DOWN=1 complete_words "$FAKE" disburse --region "" 2>&1 | tr '\n' ' ')
check "no cache and no server: nothing offered, nothing printed ('$got')" test -z "${got// /}"
unset XDG_CACHE_HOME

# ledgerd.conf(5) against the sample configuration.
for key in $(sed -n 's/^\([a-z_]*\) *=.*/\1/p' "$LD_SOURCE_DIR/conf/ledgerd.conf" | sort -u); do
	case $key in admin01 | clerk01 | auditor01 | recon01) continue ;; esac
	check "ledgerd.conf.5 describes $key" grep -qE "^\.It Ic ([a-z_]+ , )*$key( |$)" "$MAN/ledgerd.conf.5"
done
for sec in $(sed -n 's/^\[\([a-z]*\)\].*/\1/p' "$LD_SOURCE_DIR/conf/ledgerd.conf"); do
	check "ledgerd.conf.5 has a [$sec] section" grep -qF ".Ss \\&[$sec]" "$MAN/ledgerd.conf.5"
done

# ledgerd(8) against the daemon's usage and its metrics.
if [ -x "$LEDGERD" ]; then
	for opt in $("$LEDGERD" --help 2>&1 | grep -oE -- '--[a-z-]+' | sort -u); do
		check "ledgerd.8 has $opt" grep -qF "Fl ${opt#-}" "$T/norm/ledgerd.8"
	done
fi
for m in $(grep -oE '"ledgerd_[a-z_]+' "$LD_SOURCE_DIR/ledgerd/metrics.c" | tr -d '"' | sort -u); do
	check "ledgerd.8 names the metric $m" grep -qE "(Va|,) ${m#ledgerd_}( |,|$)" "$MAN/ledgerd.8"
done
finish
