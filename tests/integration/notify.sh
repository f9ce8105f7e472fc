#!/usr/bin/env bash
# notify.sh - ledgerd speaks systemd's notify protocol as ledgerd.service needs.
#
# The test plays systemd: it binds the datagram socket named by NOTIFY_SOCKET,
# asks for a watchdog with WATCHDOG_USEC, and records every datagram with the
# sender's pid (SCM_CREDENTIALS, as NotifyAccess=main checks).  It then checks
# that READY=1 comes from the daemon itself and only once it serves; that
# STATUS= shows the tree size and the open connections and follows them;
# that WATCHDOG=1 keeps coming; that SIGHUP is framed by RELOADING=1 and
# READY=1; and that SIGTERM sends STOPPING=1 and exits 0.  Waits are for
# datagrams, with generous deadlines, never for fixed times.
. "$(dirname "$0")/lib.sh"

setup
SOCK=$T/notify.sock
NLOG=$T/notify.log
: >"$NLOG"

# The listener: one line per datagram, "PID<TAB>payload" (newlines as '|').
"$LD_PY" -c '
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a")
print("bound", flush=True)
while True:
    msg, anc, _f, _a = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = 0
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    out.write("%d\t%s\n" % (pid, msg.decode(errors="replace").replace("\n", "|")))
    out.flush()
' "$SOCK" "$NLOG" >"$T/listener.out" 2>&1 &
LD_BG_PIDS+=($!)
for _ in $(seq 1 600); do
	[ -S "$SOCK" ] && break
	sleep 0.05
done
[ -S "$SOCK" ] || { not_ok "notify listener did not bind $SOCK: $(cat "$T/listener.out")"; finish; }

# wait_for PATTERN [FROM-LINE]: a datagram matching the extended regex
# PATTERN (after line FROM-LINE of the log); its line number on stdout.
wait_for() {
	local deadline=$((SECONDS + LD_START_TIMEOUT)) n
	while :; do
		n=$(tail -n +"$((${2:-0} + 1))" "$NLOG" | grep -nE -m1 -- "$1" | cut -d: -f1)
		if [ -n "$n" ]; then
			echo $((n + ${2:-0}))
			return 0
		fi
		[ "$SECONDS" -ge "$deadline" ] && return 1
		# The daemon's last datagrams may land after it exited.
		[ -n "$DPID" ] && ! kill -0 "$DPID" 2>/dev/null && return 1
		sleep 0.05
	done
}
lines() { wc -l <"$NLOG"; }

echo "# start ledgerd with NOTIFY_SOCKET" >>"$LOG"
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=1000000 "$LEDGERD" -c "$CONF" </dev/null >>"$LOG" 2>&1 &
DPID=$!

if R=$(wait_for 'READY=1'); then
	# Ready means serving: the very first request succeeds, no retry loop.
	if ctl auditor01 status >"$OUT" 2>"$ERR" </dev/null; then
		ok "READY=1 sent, and the daemon answers at once"
	else
		not_ok "READY=1 sent before the daemon answers"
	fi
	line=$(sed -n "${R}p" "$NLOG")
	if [ "${line%%$'\t'*}" = "$DPID" ]; then
		ok "READY=1 comes from the main pid ($DPID)"
	else
		not_ok "READY=1 from pid ${line%%$'\t'*}, the daemon is $DPID"
	fi
	check "READY=1 carries STATUS= with the tree size and connections" \
		grep -qE "READY=1.*STATUS=serving on 127.0.0.1:$PORT; tree size 0, [0-9]+ connections?" <<<"$line"
	if grep -n 'READY=1' "$NLOG" | head -1 | grep -q "^$R:"; then
		ok "nothing claimed readiness earlier"
	else
		not_ok "an earlier READY=1"
	fi
else
	not_ok "no READY=1 within ${LD_START_TIMEOUT}s"
	cat "$NLOG"
	finish
fi

# Watchdog: WATCHDOG_USEC=1s asks for a ping at least every second.
if n=$(wait_for 'WATCHDOG=1') && n=$(wait_for 'WATCHDOG=1' "$n") && wait_for 'WATCHDOG=1' "$n" >/dev/null; then
	ok "WATCHDOG=1 sent repeatedly from the event loop"
else
	not_ok "fewer than three WATCHDOG=1"
fi
check "no WATCHDOG=1 from another pid" bash -c "! grep -P '^(?!$DPID\t).*WATCHDOG=1' '$NLOG'"

# STATUS follows the ledger and the connections.
n=$(lines)
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 10億 --ref A-1
if wait_for "STATUS=serving on 127.0.0.1:$PORT; tree size 2, " "$n" >/dev/null; then
	ok "STATUS= follows the tree size (2)"
else
	not_ok "no STATUS= with tree size 2"
fi

coproc HOLD { "$LD_PY" "$LD_SOURCE_DIR/tests/integration/ldconn.py" 127.0.0.1 "$PORT" \
	"$PKI/ca.crt" "$PKI/clerk01.crt" "$PKI/clerk01.key" 2>&1; }
LD_BG_PIDS+=("$HOLD_PID")
read -r -t "$LD_START_TIMEOUT" hello <&"${HOLD[0]}"
case $hello in
connected*) ok "a second client holds a connection" ;;
*) not_ok "holding client: $hello" ;;
esac
n=$(lines)
if wait_for 'STATUS=.*tree size 2, 1 connection($|\|)' "$n" >/dev/null; then
	ok "STATUS= counts the open connection"
else
	not_ok "no STATUS= with 1 connection"
fi
echo quit >&"${HOLD[1]}"
wait "$HOLD_PID" 2>/dev/null
n=$(lines)
if wait_for 'STATUS=.*tree size 2, 0 connections' "$n" >/dev/null; then
	ok "STATUS= sees it close"
else
	not_ok "no STATUS= with 0 connections"
fi

# SIGHUP: RELOADING=1, then READY=1 again.
n=$(lines)
kill -HUP "$DPID"
if r=$(wait_for 'RELOADING=1' "$n") && wait_for 'READY=1' "$r" >/dev/null; then
	ok "SIGHUP: RELOADING=1 then READY=1"
else
	not_ok "SIGHUP: RELOADING=1/READY=1 not seen in order"
fi
expect_ok auditor01 status

# SIGTERM: STOPPING=1 and exit 0.
n=$(lines)
stop_daemon
if wait_for 'STOPPING=1' "$n" >/dev/null; then
	ok "SIGTERM: STOPPING=1 sent"
else
	not_ok "SIGTERM: no STOPPING=1"
fi

# Without NOTIFY_SOCKET the daemon runs as before (no socket, no errors).
start_or_die --same-port
expect_ok auditor01 status
stop_daemon

# The unit gives the daemon room for max_connections.
UNIT=$LD_SOURCE_DIR/systemd/ledgerd.service
nofile=$(sed -n 's/^LimitNOFILE=\([0-9]*\)$/\1/p' "$UNIT")
maxc=$(sed -n 's/^max_connections *= *\([0-9]*\).*/\1/p' "$LD_SOURCE_DIR/conf/ledgerd.conf")
if [ -n "$nofile" ] && [ -n "$maxc" ] && [ "$nofile" -gt $((maxc + 64)) ]; then
	ok "LimitNOFILE=$nofile is above max_connections $maxc (plus files)"
else
	not_ok "LimitNOFILE='$nofile' is not above max_connections '$maxc'"
fi
check "unit asks for a watchdog" grep -qE '^WatchdogSec=[1-9]' "$UNIT"
check "unit is Type=notify" grep -qx 'Type=notify' "$UNIT"
finish
