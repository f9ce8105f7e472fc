#!/usr/bin/env bash
# rotation.sh - SIGHUP rotates the server certificate, CA and CRL in place.
#
# What an operator relies on when renewing certificates or revoking a
# client: after the new files are in place and ledgerd gets SIGHUP, new
# connections see them; a connection opened before keeps working, unaware;
# and a broken new file (garbage certificate, garbage CRL) is refused with
# the reason in the log while the daemon goes on serving with what it had.
# A held connection is tests/integration/ldconn.py, which also reports the
# server certificate each handshake saw.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "openssl is not installed"
setup
start_or_die
LDCONN=$LD_SOURCE_DIR/tests/integration/ldconn.py

# fp FILE: SHA-256 of a PEM certificate's DER, as ldconn.py prints it.
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
# new_peer CN [CA]: the server certificate a fresh handshake sees, or "error: ...".
new_peer() {
	local line
	line=$(echo quit | "$LD_PY" "$LDCONN" 127.0.0.1 "$PORT" "${2:-$PKI/ca.crt}" \
		"$PKI/$1.crt" "$PKI/$1.key" 2>&1 | head -1)
	case $line in connected*) echo "${line##*peer=}" ;; *) echo "$line" ;; esac
}
# hup: SIGHUP, then wait until the daemon logged the reload's outcome.
hup() {
	local n deadline=$((SECONDS + LD_START_TIMEOUT))
	n=$(grep -cE 'reloaded certificates|reload refused' "$LOG")
	kill -HUP "$DPID"
	while [ "$(grep -cE 'reloaded certificates|reload refused' "$LOG")" -le "$n" ]; do
		[ "$SECONDS" -ge "$deadline" ] && { not_ok "no reload logged"; return 1; }
		sleep 0.05
	done
	tail -n 3 "$LOG" >"$T/reload.log"
}
# wait_log PATTERN: until the daemon's log has a line matching PATTERN.
wait_log() {
	local deadline=$((SECONDS + LD_START_TIMEOUT))
	until grep -q -- "$1" "$LOG"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}
# held CMD: send CMD on the held connection; its answer line in $HELD.
held() {
	HELD=
	echo "$1" >&"${HOLD[1]}" && read -r -t "$LD_START_TIMEOUT" HELD <&"${HOLD[0]}"
}
# install_file SRC DST [MODE]: replace DST atomically, as an operator should.
install_file() {
	cp "$1" "$2.new" && chmod "${3:-0644}" "$2.new" && mv -f "$2.new" "$2"
}

expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
P0=$(fp "$PKI/server.crt")
coproc HOLD { "$LD_PY" "$LDCONN" 127.0.0.1 "$PORT" "$PKI/ca.crt" "$PKI/clerk01.crt" "$PKI/clerk01.key" 2>&1; }
LD_BG_PIDS+=("$HOLD_PID")
read -r -t "$LD_START_TIMEOUT" line <&"${HOLD[0]}"
check "held connection (clerk01) sees the first certificate" test "${line##*peer=}" = "$P0"

# 1. A renewed server certificate and key from the same CA.
mkdir -p "$T/renew"
cp "$PKI/ca.crt" "$PKI/ca.key" "$T/renew/"
bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$T/renew" clerk01 >"$T/renew.log" 2>&1 || not_ok "renewed certificate"
P1=$(fp "$T/renew/server.crt")
check "the renewed certificate differs" test "$P1" != "$P0"
install_file "$T/renew/server.key" "$PKI/server.key" 0600
install_file "$T/renew/server.crt" "$PKI/server.crt"
hup
check "reload logged" grep -q 'reloaded certificates' "$T/reload.log"
check "a new connection sees the renewed certificate" test "$(new_peer auditor01)" = "$P1"
expect_ok auditor01 status
held status
check "the held connection still answers ($HELD)" grep -q '^status size=1 ' <<<"$HELD"
held peer
check "the held connection keeps its original certificate" test "$HELD" = "peer $P0"

# 2. A broken certificate: refused, the old context kept, the reason logged.
printf 'not a certificate\n' >"$T/garbage.pem"
install_file "$T/garbage.pem" "$PKI/server.crt"
hup
check "a garbage certificate is refused and logged with its file" \
	grep -q "reload refused, old certificates kept: certificate $PKI/server.crt" "$T/reload.log"
check "the daemon still serves the renewed certificate" test "$(new_peer auditor01)" = "$P1"
expect_ok auditor01 status
held status
check "the held connection still answers" grep -q '^status size=1 ' <<<"$HELD"
install_file "$T/renew/server.crt" "$PKI/server.crt"

# 3. A CRL: first an empty one, then one that revokes clerk01.
mkdir -p "$T/ca"
: >"$T/ca/index.txt"
echo 1000 >"$T/ca/crlnumber"
cat >"$T/ca/ca.cnf" <<EOF
[ca]
default_ca = dev
[dev]
database = $T/ca/index.txt
crlnumber = $T/ca/crlnumber
default_md = sha256
default_crl_days = 30
EOF
ca() { openssl ca -config "$T/ca/ca.cnf" -keyfile "$PKI/ca.key" -cert "$PKI/ca.crt" "$@" >>"$T/ca/log" 2>&1; }
ca -gencrl -out "$T/ca/empty.pem" || not_ok "empty CRL: $(cat "$T/ca/log")"
install_file "$T/ca/empty.pem" "$PKI/crl.pem"
sed -i 's#^client_ca = pki/ca.crt$#&\ncrl = pki/crl.pem#' "$CONF"
check "config names the CRL" grep -qx 'crl = pki/crl.pem' "$CONF"
hup
check "an empty CRL is loaded" grep -q 'reloaded certificates' "$T/reload.log"
expect_ok clerk01 status
ca -revoke "$PKI/clerk01.crt" && ca -gencrl -out "$T/ca/revoked.pem" || not_ok "CRL: $(cat "$T/ca/log")"
install_file "$T/ca/revoked.pem" "$PKI/crl.pem"
hup
check "the new CRL is loaded" grep -q 'reloaded certificates' "$T/reload.log"
expect_exit 3 ctl clerk01 status
# The daemon logs after sending its alert: the client may exit first.
check "the refusal is logged as a revocation" wait_log 'certificate revoked'
expect_ok clerk02 status
held status
check "clerk01's connection opened before the revocation finishes undisturbed" grep -q '^status size=1 ' <<<"$HELD"

printf 'not a CRL\n' >"$T/garbage.pem"
install_file "$T/garbage.pem" "$PKI/crl.pem"
hup
check "a garbage CRL is refused and logged with its file" \
	grep -q "reload refused, old certificates kept: crl $PKI/crl.pem" "$T/reload.log"
expect_exit 3 ctl clerk01 status
expect_ok clerk02 status

# 4. A new client CA (and no CRL): its clients get in, the old CA's do not.
cp "$PKI/ca.crt" "$T/oldca.crt"
bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$T/ca2" clerk03 >"$T/ca2.log" 2>&1 || not_ok "second CA"
sed -i '/^crl = pki\/crl.pem$/d' "$CONF"
install_file "$T/ca2/ca.crt" "$PKI/ca.crt"
hup
check "the new CA is loaded" grep -q 'reloaded certificates' "$T/reload.log"
LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$T/oldca.crt LEDGER_CERT=$T/ca2/clerk03.crt \
	LEDGER_KEY=$T/ca2/clerk03.key "$LEDGERCTL" status >"$OUT" 2>"$ERR" </dev/null
check "a client of the new CA is accepted" test $? = 0
LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$T/oldca.crt LEDGER_CERT=$PKI/clerk02.crt \
	LEDGER_KEY=$PKI/clerk02.key "$LEDGERCTL" status >"$OUT" 2>"$ERR" </dev/null
check "a client of the old CA is refused (exit 3)" test $? = 3
held status
check "the held connection still answers after the CA change" grep -q '^status size=1 ' <<<"$HELD"
echo quit >&"${HOLD[1]}"
wait "$HOLD_PID" 2>/dev/null
check "the daemon ran throughout" kill -0 "$DPID"
stop_daemon
finish
