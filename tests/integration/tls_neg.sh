#!/usr/bin/env bash
# tls_neg.sh - who may not connect, and whom the client will not talk to.
#
# Issue 5, item 1.  The daemon refuses, at the TLS handshake, a client with
# no certificate, one from a foreign CA, an expired or not yet valid one, a
# revoked one (the config's crl, and a CRL replaced by SIGHUP), a TLS 1.2-only
# client and plaintext bytes, and everyone while the CRL has expired (it
# fails closed until a fresh CRL is loaded); a CA certificate whose CN has
# no role is let in but refused FORBIDDEN.  For each: the reason is in the log, nothing is
# written (every refused certificate carries a CN with a write role, and the
# attempt is a write), and other clients, including a session that stays
# open throughout, keep being served.  Then the client's side: ledgerctl
# refuses a server whose certificate does not chain to its CA, does not name
# the host it dialled, or has expired.
#
# The certificates are made here: `openssl ca` issues with chosen validity
# dates (OpenSSL 3's x509 cannot backdate) and keeps the index for the CRL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hardening.sh"

setup
conf_set idle_timeout_s 30 server
ca_init
# Each refused certificate names a CN with a write role: if one got in, its
# write would land in the ledger and the snapshot check would see it.
ca_issue expired admin01 client 20200101000000Z 20210101000000Z || { not_ok "issue expired"; finish; }
ca_issue future admin01 client 20990101000000Z 20991231235959Z || { not_ok "issue not yet valid"; finish; }
ca_issue revoked admin01 client || { not_ok "issue revoked"; finish; }
ca_issue later admin01 client || { not_ok "issue later"; finish; }
ca_issue fresh clerk02 client || { not_ok "issue fresh"; finish; }
ca_revoke revoked && ca_crl "$PKI/crl.pem" || { not_ok "revoke and make the CRL"; finish; }
conf_set crl pki/crl.pem tls
bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$T/foreign" admin01 >/dev/null 2>&1 ||
	{ not_ok "foreign PKI"; finish; }
start_or_die
expect_log "the CRL is loaded and its next update logged" "CRL .*crl.pem loaded; next update"

expect_ok admin01 region add tokachi --name 十勝 --grant-type continuing

# A session that stays open through every refusal below.
"$LD_PY" "$LD_RAW" --port "$PORT" --pki "$PKI" keeper --stop-file "$T/keeper.stop" \
	>"$T/keeper.out" 2>&1 </dev/null &
KEEPER=$!
LD_BG_PIDS+=("$KEEPER")

# ctl_as CRT KEY ARGS...: ledgerctl presenting another certificate.
ctl_as() {
	local crt=$1 key=$2
	shift 2
	LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$PKI/ca.crt \
		LEDGER_CERT=$crt LEDGER_KEY=$key "$LEDGERCTL" "$@"
}

# refused DESC LOG-PATTERN WANT-EXIT CMD...: CMD (an attempt to write) exits
# WANT-EXIT; the log says why; nothing was written; others are served.
# The attempt's output is kept in $T/attempt.out and $T/attempt.err.
refused() {
	local desc=$1 pattern=$2 want=$3
	shift 3
	ledger_snapshot "$T/before.jsonl" || not_ok "$desc: list before"
	log_mark
	run "$@"
	cp "$OUT" "$T/attempt.out"
	cp "$ERR" "$T/attempt.err"
	if [ "$RC" -eq "$want" ]; then
		ok "$desc: refused (exit $RC)"
	else
		not_ok "$desc: want exit $want, got $RC"
	fi
	expect_log_since "$desc: the reason is logged" "$pattern"
	ledger_snapshot "$T/after.jsonl" || not_ok "$desc: list after"
	if [ -s "$T/before.jsonl" ] && cmp -s "$T/before.jsonl" "$T/after.jsonl"; then
		ok "$desc: nothing written"
	else
		not_ok "$desc: the ledger changed"
	fi
	run ctl auditor01 status
	[ "$RC" -eq 0 ] && ok "$desc: another client is served" || not_ok "$desc: status after, exit $RC"
}

WRITE=(region add intruder --name 侵入 --grant-type continuing)

refused "no client certificate" "TLS handshake refused: .*(did not return a certificate|certificate required)" 3 \
	"$LD_PY" "$LD_RAW" --port "$PORT" --pki "$PKI" --no-cert hello --write intruder
grep -q '^refused: ' "$T/attempt.out" && ok "no client certificate: the client sees a refusal ($(head -c 80 "$T/attempt.out"))" ||
	not_ok "no client certificate: client saw: $(head -c 200 "$T/attempt.out")"

refused "certificate from a foreign CA" "TLS handshake refused: certificate: unable to get local issuer" 3 \
	ctl_as "$T/foreign/admin01.crt" "$T/foreign/admin01.key" "${WRITE[@]}"
refused "expired certificate" "TLS handshake refused: certificate: certificate has expired" 3 \
	ctl_as "$PKI/expired.crt" "$PKI/expired.key" "${WRITE[@]}"
refused "not yet valid certificate" "TLS handshake refused: certificate: certificate is not yet valid" 3 \
	ctl_as "$PKI/future.crt" "$PKI/future.key" "${WRITE[@]}"
refused "revoked certificate (crl)" "TLS handshake refused: certificate: certificate revoked" 3 \
	ctl_as "$PKI/revoked.crt" "$PKI/revoked.key" "${WRITE[@]}"
refused "CA certificate whose CN has no role" 'CN "nobody01" has no role' 1 \
	ctl nobody01 "${WRITE[@]}"
grep -q 'ledgerctl: FORBIDDEN:' "$T/attempt.err" && ok "no role: FORBIDDEN" || not_ok "no role: want FORBIDDEN"
refused "TLS 1.2-only client" "TLS handshake refused: .*(unsupported protocol|version)" 3 \
	"$LD_PY" "$LD_RAW" --port "$PORT" --pki "$PKI" --cn admin01 --tls12 hello --write intruder
grep -q 'PROTOCOL_VERSION' "$T/attempt.out" && ok "TLS 1.2: the client gets a protocol_version alert" ||
	not_ok "TLS 1.2: client saw: $(head -c 200 "$T/attempt.out")"
for data in http frame zeros; do
	log_mark
	pyrun plaintext --data "$data"
	expect_log_since "plaintext $data: the reason is logged" \
		"TLS handshake refused: .*(http request|wrong version number|unexpected|record)"
done
run ctl auditor01 status
[ "$RC" -eq 0 ] && ok "served after plaintext" || not_ok "status after plaintext, exit $RC"

# Certificates the CRL does not list still get in, from openssl ca as well.
expect_ok fresh status
expect_ok later status

# --- SIGHUP brings a new CRL: the newly revoked certificate is refused ----------
ca_revoke later && ca_crl "$PKI/crl.pem" || not_ok "revoke later"
if reload_daemon && grep -q 'reloaded certificates' "$LOG"; then
	ok "SIGHUP: CRL reloaded"
else
	not_ok "SIGHUP: no reload logged"
fi
refused "certificate revoked by a CRL reloaded on SIGHUP" "TLS handshake refused: certificate: certificate revoked" 3 \
	ctl_as "$PKI/later.crt" "$PKI/later.key" "${WRITE[@]}"
expect_ok fresh status

# --- an expired CRL fails closed: nobody new gets in until it is replaced ----
openssl ca -config "$T/ca/ca.cnf" -gencrl -crl_lastupdate 20200101000000Z \
	-crl_nextupdate 20210101000000Z -out "$PKI/crl.pem" >>"$T/ca/crl.log" 2>&1 ||
	not_ok "make an expired CRL"
ledger_snapshot "$T/before-crl.jsonl"
reload_daemon || not_ok "SIGHUP with an expired CRL: nothing logged"
expect_log "the expired CRL's next update is logged" "next update Jan  1 00:00:00 2021 GMT"
log_mark
expect_exit 3 ctl fresh "${WRITE[@]}"
expect_exit 3 ctl auditor01 status
expect_log_since "expired CRL: the reason is logged" "TLS handshake refused: certificate: CRL has expired"
ca_crl "$PKI/crl.pem" || not_ok "renew the CRL"
reload_daemon || not_ok "SIGHUP with a renewed CRL: nothing logged"
expect_ok fresh status
ledger_snapshot "$T/after-crl.jsonl"
cmp -s "$T/before-crl.jsonl" "$T/after-crl.jsonl" && ok "expired CRL: nothing written" ||
	not_ok "expired CRL: the ledger changed"

# The open session saw every refusal above and was never disturbed.
touch "$T/keeper.stop"
if wait "$KEEPER"; then
	ok "$(grep '^ok - ' "$T/keeper.out" | head -1 | sed 's/^ok - //')"
else
	not_ok "open session: $(cat "$T/keeper.out")"
fi
LD_BG_PIDS=()
check "the daemon is still running" daemon_running
stop_daemon

# --- the client refuses the server ----------------------------------------------
# ctl_to HOST CA ARGS...: ledgerctl as auditor01 dialling HOST with CA.
ctl_to() {
	local host=$1 ca=$2
	shift 2
	LEDGER_SERVER=$host:$PORT LEDGER_CA=$ca \
		LEDGER_CERT=$PKI/auditor01.crt LEDGER_KEY=$PKI/auditor01.key "$LEDGERCTL" "$@"
}
# A server certificate naming only DNS:localhost (not IP 127.0.0.1).
cat >>"$T/ca/ca.cnf" <<'EOF'
[dnsonly]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
EOF
ca_issue dnsonly localhost dnsonly || not_ok "issue dnsonly"
conf_set cert pki/dnsonly.crt tls
conf_set key pki/dnsonly.key tls
LD_READY=tcp start_or_die --same-port
expect_exit 0 ctl_to localhost "$PKI/ca.crt" status
ledger_snapshot_host() { ctl_to localhost "$PKI/ca.crt" list --json >"$1" 2>/dev/null </dev/null; }
ledger_snapshot_host "$T/before.jsonl"
expect_exit 3 ctl_to 127.0.0.1 "$PKI/ca.crt" "${WRITE[@]}"
grep -qi 'certificate\|verif\|host\|match' "$ERR" && ok "wrong host: the client says why ($(head -c 120 "$ERR"))" ||
	not_ok "wrong host: no reason given"
expect_exit 3 ctl_to localhost "$T/foreign/ca.crt" "${WRITE[@]}"
grep -qi 'certificate\|verif' "$ERR" && ok "foreign server CA: the client says why ($(head -c 120 "$ERR"))" ||
	not_ok "foreign server CA: no reason given"
ledger_snapshot_host "$T/after.jsonl"
if [ -s "$T/before.jsonl" ] && cmp -s "$T/before.jsonl" "$T/after.jsonl"; then
	ok "a refused server got no write"
else
	not_ok "the ledger changed while the client refused the server"
fi
stop_daemon

# An expired server certificate for the right name and CA.
ca_issue oldserver localhost server 20200101000000Z 20210101000000Z || not_ok "issue oldserver"
conf_set cert pki/oldserver.crt tls
conf_set key pki/oldserver.key tls
LD_READY=tcp start_or_die --same-port
expect_exit 3 ctl auditor01 status
grep -qi 'expired' "$ERR" && ok "expired server certificate: the client says it expired" ||
	not_ok "expired server certificate: reason not given"
stop_daemon
no_sanitizer_reports
finish
