#!/usr/bin/env bash
# preauth.sh - what a peer that has not authenticated can cost (issue 14,
# item 6; contract 2.10 "Pre-authentication limits").
#
#   - key exchange: a client offering only ffdhe8192 is refused; X25519 and
#     P-256 are accepted; an unknown group in [tls] groups is a config error
#     naming its line.
#   - handshake_timeout_s: a handshake trickled a byte at a time is closed
#     after the deadline although bytes keep coming; idle_timeout_s then
#     applies from the end of the handshake (a session that has not said
#     HELLO outlives the handshake deadline).
#   - max_unauthenticated_per_ip and max_connections: a flood of silent
#     sockets from other loopback addresses (127.0.0.2-4) keeps at most
#     max_unauthenticated_per_ip open per address, and an authenticated
#     `ledgerctl status` is answered while the flood goes on, although the
#     flood alone would fill max_connections.  Only that it is answered is
#     asserted, never how fast.
#   - refused-handshake log lines are rate limited: of 200 refused
#     handshakes, fewer lines are logged, and the "similar messages
#     suppressed" counts make up the rest exactly.
#   - ledgerctl --crl / LEDGER_CRL: a revoked server certificate fails with
#     exit 3 and says so; a CRL that does not list it lets the command
#     through.
#
# The flood and the slow peers are Python sockets (flood.py below), from
# source addresses of their own so that the per-address cap does not apply
# to ledgerctl's 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hardening.sh"

HS=2		# handshake_timeout_s
PERIP=4		# max_unauthenticated_per_ip
MAXCONN=8	# max_connections

setup
conf_set handshake_timeout_s "$HS" server
conf_set max_unauthenticated_per_ip "$PERIP" server
conf_set max_connections "$MAXCONN" server
conf_set idle_timeout_s 30 server
ca_init
# A CRL before anything is revoked: it lists nothing.
ca_crl "$PKI/crl-empty.pem" || { not_ok "make an empty CRL"; finish; }

# --- an unknown group is a config error naming its line ------------------
cp "$CONF" "$T/good.conf"
conf_set groups X25519:bogus tls
line=$(grep -n '^groups = X25519:bogus$' "$CONF" | cut -d: -f1)
run "$LEDGERD" -c "$CONF" --check
if [ "$RC" -ne 0 ] && grep -q "ledgerd.conf:$line: groups: unknown group" "$ERR" "$OUT"; then
	ok "[tls] groups = X25519:bogus refused at load, naming line $line"
else
	not_ok "[tls] groups = X25519:bogus: exit $RC, no 'ledgerd.conf:$line: groups' message"
fi
cp "$T/good.conf" "$CONF"

start_or_die

# --- key exchange groups -------------------------------------------------------
# s_client GROUPS: a TLS 1.3 handshake as auditor01 offering only GROUPS.
s_client() {
	run timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 \
		-groups "$1" -CAfile "$PKI/ca.crt" -cert "$PKI/auditor01.crt" \
		-key "$PKI/auditor01.key" -brief
}
log_mark
s_client ffdhe8192
if [ "$RC" -ne 0 ] && ! grep -q "CONNECTION ESTABLISHED" "$OUT" "$ERR"; then
	ok "a client offering only ffdhe8192 fails the handshake (exit $RC)"
else
	not_ok "ffdhe8192-only client got in (exit $RC)"
fi
expect_log_since "the ffdhe8192 refusal is logged" "TLS handshake refused: .*(no suitable key share|no shared group|handshake failure)"
for g in X25519 P-256; do
	s_client "$g"
	if grep -q "CONNECTION ESTABLISHED" "$OUT" "$ERR"; then
		ok "a client offering only $g completes the handshake"
	else
		not_ok "a client offering only $g was refused (exit $RC)"
	fi
done
# ffdhe8192 offered beside X25519: the daemon picks X25519.
s_client ffdhe8192:X25519
grep -qE "(group|Temp Key): X25519" "$OUT" "$ERR" &&
	ok "ffdhe8192:X25519 offered: X25519 chosen" ||
	not_ok "ffdhe8192:X25519 offered: X25519 not chosen"

# --- the Python side: slow peers and floods -------------------------------------
cat >"$T/flood.py" <<'EOF'
import os, select, socket, ssl, sys, time

port = int(os.environ["PORT"])
pki = os.environ["PKI"]


def out(ok, msg):
    print(("ok - " if ok else "FAIL - ") + msg, flush=True)


def raw(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def closed(s):
    """The peer closed s (EOF or reset); never blocks."""
    try:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return False
        return s.recv(4096, socket.MSG_PEEK) == b""
    except OSError:
        return True


def wait_closed(s, limit):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if closed(s):
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


def cmd_slow(hs):
    # A ClientHello's record header, then a byte every 0.3 s: progress
    # never resets the handshake deadline.
    s = raw("127.0.0.1")
    t0 = time.monotonic()
    s.send(b"\x16\x03\x01\x02\x00")
    sent = 5
    while time.monotonic() - t0 < hs + 10:
        if closed(s):
            break
        try:
            s.send(b"\x01")
            sent += 1
        except OSError:
            break
        time.sleep(0.3)
    secs = time.monotonic() - t0
    out(hs - 0.5 <= secs <= hs + 8,
        "slow handshake (%d bytes trickled) closed after %.1f s, want about %d s"
        % (sent, secs, hs))


def cmd_nohello(hs):
    # The handshake done, HELLO never sent: idle_timeout_s (30 s) applies,
    # not handshake_timeout_s.
    ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
    ctx.load_cert_chain(pki + "/auditor01.crt", pki + "/auditor01.key")
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 10),
                        server_hostname="127.0.0.1")
    # A TLS 1.3 server verifies the client's certificate after the client's
    # handshake returns: give it a moment.
    secs = wait_closed(s, 2 * hs + 2)
    out(secs is None, "authenticated session without HELLO still open after "
        "%d s (handshake_timeout_s %d): %s" % (2 * hs + 2, hs,
                                               "open" if secs is None else
                                               "closed after %.1f s" % secs))
    s.close()


def cmd_flood(n, srcs, perip, maxconn, stop_file):
    # A burst of n silent sockets round-robin over srcs, then one more every
    # 0.1 s until stop_file exists.  Checks how many of the burst each
    # address kept open, and all of them together.
    socks = []
    for i in range(n):
        src = srcs[i % len(srcs)]
        try:
            socks.append((src, raw(src)))
        except OSError as e:
            out(False, "flood connect from %s: %s" % (src, e))
            return
    out(True, "%d silent sockets opened from %s" % (n, ",".join(srcs)))
    # The daemon accepts the backlog at its pace: wait until it has.
    deadline = time.monotonic() + 20
    while True:
        open_by = {}
        for src, s in socks:
            if not closed(s):
                open_by[src] = open_by.get(src, 0) + 1
        good = (all(v <= perip for v in open_by.values()) and
                sum(open_by.values()) <= maxconn)
        if good or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    out(all(v <= perip for v in open_by.values()),
        "at most max_unauthenticated_per_ip (%d) of the burst left open per "
        "address: %s" % (perip, open_by or "none"))
    out(sum(open_by.values()) <= maxconn,
        "at most max_connections (%d) of the burst left open in all: %d"
        % (maxconn, sum(open_by.values())))
    print("ready", flush=True)
    held = [s for _, s in socks]
    i = 0
    while not os.path.exists(stop_file) and i < 3000:
        try:
            held.append(raw(srcs[i % len(srcs)]))
        except OSError:
            pass
        i += 1
        time.sleep(0.1)
    out(True, "flood went on: %d more silent sockets" % i)
    for s in held:
        s.close()


def cmd_garbage(n, src):
    # n refused handshakes one after the other: plain text where a
    # ClientHello belongs.
    refused = 0
    for _ in range(n):
        s = raw(src)
        try:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        except OSError:
            pass
        if wait_closed(s, 10) is not None:
            refused += 1
        s.close()
    out(refused == n, "%d of %d plain-text handshakes refused" % (refused, n))


def cmd_srccheck(srcs):
    for src in srcs:
        s = socket.socket()
        try:
            s.bind((src, 0))
        except OSError as e:
            print("cannot bind %s: %s" % (src, e))
            sys.exit(1)
        finally:
            s.close()


cmd = sys.argv[1]
if cmd == "slow":
    cmd_slow(int(sys.argv[2]))
elif cmd == "nohello":
    cmd_nohello(int(sys.argv[2]))
elif cmd == "flood":
    cmd_flood(int(sys.argv[2]), sys.argv[3].split(","), int(sys.argv[4]),
              int(sys.argv[5]), sys.argv[6])
elif cmd == "garbage":
    cmd_garbage(int(sys.argv[2]), sys.argv[3])
elif cmd == "srccheck":
    cmd_srccheck(sys.argv[2].split(","))
EOF
fpy() {
	PORT=$PORT PKI=$PKI "$LD_PY" "$T/flood.py" "$@"
}

# --- handshake deadline -----------------------------------------------------------
log_mark
fpy slow "$HS" >"$T/slow.out" 2>&1 </dev/null &
SLOW=$!
fpy nohello "$HS" >"$T/nohello.out" 2>&1 </dev/null &
NOHELLO=$!
LD_BG_PIDS+=("$SLOW" "$NOHELLO")
wait "$SLOW"
pyparse "$T/slow.out" $? "slow"
wait "$NOHELLO"
pyparse "$T/nohello.out" $? "nohello"
expect_log_since "the handshake timeout is logged" \
	"TLS handshake not finished within handshake_timeout_s \($HS s\): closed"

# --- a flood of silent sockets -------------------------------------------------------
if ! fpy srccheck 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5 >"$T/src.out" 2>&1; then
	echo "# loopback aliases unusable ($(cat "$T/src.out")): flood checks skipped"
else
	# One address: the per-address cap.  Three: their caps together (12)
	# exceed max_connections (8), so the global eviction is needed too.
	for srcs in 127.0.0.2 127.0.0.2,127.0.0.3,127.0.0.4; do
		log_mark
		rm -f "$T/flood.stop"
		fpy flood 100 "$srcs" "$PERIP" "$MAXCONN" "$T/flood.stop" >"$T/flood.out" 2>&1 </dev/null &
		FLOOD=$!
		LD_BG_PIDS+=("$FLOOD")
		deadline=$((SECONDS + 60))
		until grep -qE '^(ready|FAIL)' "$T/flood.out" || [ "$SECONDS" -ge "$deadline" ]; do
			sleep 0.1
		done
		if grep -q '^ready' "$T/flood.out"; then
			for i in 1 2 3 4 5; do
				run ctl auditor01 status
				if [ "$RC" -eq 0 ]; then
					ok "flood from $srcs: ledgerctl status answered ($i/5)"
				else
					not_ok "flood from $srcs: ledgerctl status exit $RC ($i/5)"
				fi
				sleep 0.3	# the flood goes on in between
			done
			check "the flood was still going on" kill -0 "$FLOOD"
		else
			not_ok "flood from $srcs did not get ready"
		fi
		touch "$T/flood.stop"
		wait "$FLOOD"
		pyparse "$T/flood.out" $? "flood $srcs"
		# The first eviction of a burst is logged (later ones of the
		# same second may be counted as suppressed instead).
		if [ "$srcs" = 127.0.0.2 ]; then
			cap="max_unauthenticated_per_ip $PERIP"
		else
			cap="max_connections $MAXCONN"	# 3 x 4 > 8
		fi
		expect_log_since "flood from $srcs: evictions by $cap logged" \
			"closed to admit a new connection \($cap\)"
		sleep 1.1	# a fresh second for the next burst's log lines
	done

	# --- rate-limited log lines ------------------------------------------------------
	sleep 1.5	# let the flood's suppressed counts be written first
	log_mark
	N=200
	fpy garbage "$N" 127.0.0.5 >"$T/garbage.out" 2>&1 </dev/null
	pyparse "$T/garbage.out" $? "garbage"
	# lines + suppressed counts = N; wait for the last count (1 s timer).
	deadline=$((SECONDS + 15))
	while :; do
		lines=$(since_mark | grep -c '127\.0\.0\.5:[0-9]*: TLS handshake refused')
		supp=$(since_mark | sed -n 's/.* \([0-9][0-9]*\) similar messages suppressed (refused TLS handshakes).*/\1/p' |
			awk '{ s += $1 } END { print s + 0 }')
		[ $((lines + supp)) -ge "$N" ] || [ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.2
	done
	if [ "$lines" -lt "$N" ] && [ "$supp" -gt 0 ]; then
		ok "$N refused handshakes: $lines lines logged, $supp counted as suppressed"
	else
		not_ok "$N refused handshakes: $lines lines logged, $supp suppressed"
	fi
	[ $((lines + supp)) -eq "$N" ] &&
		ok "logged lines and suppressed counts add up to $N" ||
		not_ok "logged $lines + suppressed $supp != $N"
fi
expect_ok auditor01 status

# --- ledgerctl --crl -------------------------------------------------------------------
expect_ok auditor01 --crl "$PKI/crl-empty.pem" status
LEDGER_CRL=$PKI/crl-empty.pem run ctl auditor01 status
[ "$RC" -eq 0 ] && ok "LEDGER_CRL with a CRL that does not list the server: answered" ||
	not_ok "LEDGER_CRL with a good CRL: exit $RC"
openssl ca -config "$T/ca/ca.cnf" -revoke "$PKI/server.crt" >>"$T/ca/revoke.log" 2>&1 &&
	ca_crl "$PKI/crl-revoked.pem" || { not_ok "revoke the server certificate"; finish; }
run ctl auditor01 --crl "$PKI/crl-revoked.pem" status
if [ "$RC" -eq 3 ] && grep -q "revoked" "$ERR"; then
	ok "--crl listing the server's certificate: exit 3, '$(head -c 120 "$ERR")'"
else
	not_ok "--crl listing the server's certificate: exit $RC"
fi
LEDGER_CRL=$PKI/crl-revoked.pem run ctl auditor01 status
[ "$RC" -eq 3 ] && grep -q "revoked" "$ERR" && ok "LEDGER_CRL listing the server's certificate: exit 3" ||
	not_ok "LEDGER_CRL listing the server's certificate: exit $RC"
run ctl auditor01 --crl "$T/no-such.crl" status
[ "$RC" -eq 3 ] && grep -q "no-such.crl" "$ERR" && ok "--crl naming a missing file: exit 3, the file named" ||
	not_ok "--crl naming a missing file: exit $RC"
run ctl auditor01 --crl "$PKI/ca.crt" status
[ "$RC" -eq 3 ] && grep -q "no PEM CRL" "$ERR" && ok "--crl naming a file without a CRL: exit 3" ||
	not_ok "--crl naming a file without a CRL: exit $RC"
expect_ok auditor01 status

check "the daemon is still running" daemon_running
stop_daemon
no_sanitizer_reports
finish
