# shellcheck shell=bash
# hardening.sh - helpers shared by the hardening tests (tls_neg.sh, abuse.sh,
# storage_full.sh, privileges.sh); sourced after lib.sh.
#
# The hardening tests attack the daemon the way a hostile or broken peer
# would, so most of their traffic comes from rawclient.py (a byte-level
# client) rather than ledgerctl.  These helpers turn its "ok -"/"FAIL -"
# lines into lib.sh checks, edit the test config, and make the certificates
# a CA can issue only with `openssl ca` (backdated, post-dated, revoked).

LD_RAW=$LD_SOURCE_DIR/tests/integration/rawclient.py

# raw [OPTS] SCENARIO [ARGS]: rawclient.py against this test's daemon, as
# auditor01 unless --cn says otherwise; output in $OUT, status in $RC.
raw() {
	"$LD_PY" "$LD_RAW" --port "$PORT" --pki "$PKI" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# pyrun [OPTS] SCENARIO [ARGS]: raw, and each "ok -"/"FAIL -" line it
# printed becomes a check; a crash without a FAIL line is a failure too.
pyrun() {
	raw "$@"
	pyparse "$OUT" "$RC" "$*"
}

# pyparse FILE STATUS WHAT: the checks in rawclient output FILE (for runs in
# the background); STATUS is its exit status, WHAT names it in a failure.
pyparse() {
	local line nfail=0
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"FAIL - "*) FAIL=$((FAIL + 1)); nfail=$((nfail + 1)); echo "$line" ;;
		"# "*) echo "$line" ;;
		esac
	done <"$1"
	if [ "$2" -ne 0 ] && [ "$nfail" -eq 0 ]; then
		FAIL=$((FAIL + 1))
		echo "FAIL - rawclient $3 exited $2: $(tail -c 300 "$1")"
	fi
}

# conf_set KEY VALUE SECTION: set KEY in [SECTION] of $CONF (replaced when
# present, added after the section line otherwise).  The config parser
# refuses a key twice, so write_config's EXTRA cannot override [server].
conf_set() {
	"$LD_PY" - "$CONF" "$1" "$2" "$3" <<'EOF'
import re, sys
path, key, value, section = sys.argv[1:]
lines = open(path).read().split("\n")
out, cur, done = [], None, False
for line in lines:
    m = re.match(r"\s*\[(\w+)\]\s*$", line)
    if m:
        cur = m.group(1)
        out.append(line)
        continue
    if cur == section and re.match(r"\s*%s\s*=" % re.escape(key), line):
        if not done:
            out.append("%s = %s" % (key, value))
            done = True
        continue
    out.append(line)
if not done:
    i = next((i for i, l in enumerate(out) if re.match(r"\s*\[%s\]\s*$" % section, l)), None)
    if i is None:
        out += ["", "[%s]" % section, "%s = %s" % (key, value)]
    else:
        out.insert(i + 1, "%s = %s" % (key, value))
open(path, "w").write("\n".join(out))
EOF
}

# daemon_rss_kib: the daemon's own memory (RssAnon: LMDB's map excluded).
daemon_rss_kib() {
	sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DPID/status"
}

# wait_log PATTERN [SECONDS]: until the daemon's log matches (grep -E).
wait_log() {
	local deadline=$((SECONDS + ${2:-20}))
	until grep -qE -- "$1" "$LOG"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

# expect_log DESC PATTERN: the daemon's log matches PATTERN (grep -E), now
# or within a few seconds (lines are written as events happen).
expect_log() {
	if wait_log "$2" 10; then ok "$1"; else not_ok "$1: log lacks /$2/"; fi
}

# log_mark / since_mark: the part of the log written after the mark, so a
# check sees only the lines its own attempt caused.
log_mark() {
	LD_LOG_MARK=$(wc -c <"$LOG")
}
since_mark() {
	tail -c +"$((LD_LOG_MARK + 1))" "$LOG"
}
# expect_log_since DESC PATTERN: a line after the mark matches (waits 10 s).
expect_log_since() {
	local deadline=$((SECONDS + 10))
	until since_mark | grep -qE -- "$2"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			not_ok "$1: log since the attempt lacks /$2/"
			since_mark | tail -n 5 | sed 's/^/  log: /'
			return 1
		fi
		sleep 0.1
	done
	ok "$1"
}

# ca_init: an `openssl ca` setup over the test PKI's CA in $T/ca, so the
# test can issue with chosen validity dates, revoke and make a CRL.
ca_init() {
	mkdir -p "$T/ca/new"
	: >"$T/ca/index.txt"
	echo 1000 >"$T/ca/serial"
	cat >"$T/ca/ca.cnf" <<EOF
[ca]
default_ca = testca
[testca]
dir = $T/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $PKI/ca.crt
private_key = $PKI/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# ca_issue NAME CN EXT [STARTDATE ENDDATE]: $PKI/NAME.{key,crt} issued by the
# test CA with `openssl ca` (dates as YYYYMMDDHHMMSSZ; default now + 30 days).
ca_issue() {
	local name=$1 cn=$2 ext=$3
	(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$PKI/$name.key" 2>/dev/null) || return 1
	openssl req -new -key "$PKI/$name.key" -subj "/O=ledgerd test/CN=$cn" \
		-out "$T/ca/$name.csr" 2>/dev/null || return 1
	openssl ca -batch -notext -config "$T/ca/ca.cnf" -extensions "$ext" \
		${4:+-startdate "$4"} ${5:+-enddate "$5"} \
		-in "$T/ca/$name.csr" -out "$PKI/$name.crt" >"$T/ca/$name.log" 2>&1 || {
		cat "$T/ca/$name.log"
		return 1
	}
}

# ca_revoke NAME: revoke $PKI/NAME.crt; ca_crl FILE: write the CRL.
ca_revoke() {
	openssl ca -config "$T/ca/ca.cnf" -revoke "$PKI/$1.crt" >>"$T/ca/revoke.log" 2>&1
}
ca_crl() {
	openssl ca -config "$T/ca/ca.cnf" -gencrl -out "$1" >>"$T/ca/crl.log" 2>&1
}

# reload_daemon: SIGHUP, and wait until the daemon says how it went.
reload_daemon() {
	local n
	n=$(grep -cE 'reloaded|reload refused' "$LOG")
	kill -HUP "$DPID"
	local deadline=$((SECONDS + 20))
	while [ "$(grep -cE 'reloaded|reload refused' "$LOG")" -le "$n" ]; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

# no_sanitizer_reports: a sanitizer build's daemon wrote no report into the
# log (ASan/UBSan print there, and a report need not stop the daemon).
no_sanitizer_reports() {
	if grep -qE 'Sanitizer|runtime error:' "$LOG"; then
		not_ok "sanitizer report in the daemon's log: $(grep -m1 -E 'Sanitizer|runtime error:' "$LOG")"
	else
		ok "no sanitizer report in the daemon's log"
	fi
}
