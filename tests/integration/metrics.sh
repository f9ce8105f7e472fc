#!/usr/bin/env bash
# metrics.sh - [metrics] listen serves Prometheus text, and its figures move.
#
# Scrapes /metrics as Prometheus would and checks that the format is valid
# exposition text (every sample under a HELP and TYPE), then that each figure
# the operator relies on moves with what clients do: requests by type and
# result code, commit batch sizes and latency (histograms), entries and tree
# size, open connections, TLS handshake failures by reason, map use, the
# newest checkpoint's age and the checkpoints signed.  Finally a daemon
# without [metrics] opens no port but its own.  Every wait polls the
# endpoint with a deadline; nothing depends on timing.
. "$(dirname "$0")/lib.sh"

pick_port || exit 1
MPORT=$PORT
setup "[metrics]
listen = 127.0.0.1:$MPORT"
start_or_die
M=$T/metrics.txt

# scrape [PATH]: GET http://127.0.0.1:MPORT/PATH into $M; status and
# Content-Type in $T/http.
scrape() {
	"$LD_PY" -c '
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=30)
    code, ctype, body = r.status, r.headers.get("Content-Type"), r.read()
except urllib.error.HTTPError as e:
    code, ctype, body = e.code, e.headers.get("Content-Type"), e.read()
open(sys.argv[2], "wb").write(body)
open(sys.argv[3], "w").write("%d\n%s\n" % (code, ctype))
' "http://127.0.0.1:$MPORT/${1:-metrics}" "$M" "$T/http"
}
# metric SAMPLE: the value of the sample (name with labels, exactly as
# printed) in the last scrape; "absent" when there is none.
metric() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }' "$M"
}
# expect_metric SAMPLE WANT: after a fresh scrape.
expect_metric() {
	local got
	scrape
	got=$(metric "$1")
	if [ "$got" = "$2" ]; then ok "$1 = $2"; else not_ok "$1: want $2, got $got"; fi
}
# wait_metric SAMPLE WANT: scrape until SAMPLE is WANT (deadline).
wait_metric() {
	local deadline=$((SECONDS + LD_START_TIMEOUT)) got
	while :; do
		scrape
		got=$(metric "$1")
		[ "$got" = "$2" ] && { ok "$1 = $2"; return 0; }
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.1
	done
	not_ok "$1: want $2, still $got"
	return 1
}

scrape
if [ "$(sed -n 1p "$T/http")" = 200 ]; then ok "GET /metrics: 200"; else not_ok "GET /metrics: $(cat "$T/http")"; fi
check "Content-Type is Prometheus text 0.0.4" grep -q '^text/plain; version=0.0.4' "$T/http"
check "the exposition format is valid" "$LD_PY" -c '
import re, sys
sample = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\n]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\n]*\")*\})? (-?[0-9]+(\.[0-9]+)?|\+Inf|NaN)$")
typed, helped, bad = {}, set(), []
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        helped.add(line.split()[2])
    elif line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        typed[name] = kind
    else:
        m = sample.match(line)
        if not m:
            bad.append("bad line: " + line)
            continue
        name = m.group(1)
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        fam = name if name in typed else base
        if fam not in typed or fam not in helped:
            bad.append("no HELP/TYPE for " + name)
        elif fam != name and typed[fam] != "histogram":
            bad.append("suffix on a non-histogram: " + name)
if not typed:
    bad.append("no metrics")
print("\n".join(bad))
sys.exit(bool(bad))' "$M"
for m in ledgerd_tree_size ledgerd_entries_appended_total ledgerd_commit_batch_size_count \
	ledgerd_commit_duration_seconds_count ledgerd_connections ledgerd_checkpoints_signed_total; do
	expect_metric "$m" 0
done
check "no checkpoint age while the ledger is empty" test "$(metric ledgerd_checkpoint_age_seconds)" = absent
expect_metric ledgerd_map_size_bytes $((64 * 1024 * 1024))
used=$(metric ledgerd_map_used_bytes)
check "map use in bytes is above zero ($used)" test "$used" -gt 0
check "map use in percent matches the bytes" "$LD_PY" -c '
import sys
used, size, pct = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sys.exit(abs(pct - 100.0 * used / size) > 0.01)' "$used" "$(metric ledgerd_map_size_bytes)" "$(metric ledgerd_map_used_percent)"
# The FY2013 terms: three writes before the ones counted below.
seed_terms 2013
# start_or_die has made a status request of its own.
hello0=$(metric 'ledgerd_requests_total{type="hello",code="OK"}')
status0=$(metric 'ledgerd_requests_total{type="status",code="OK"}')
[ "$hello0" = absent ] && hello0=0
[ "$status0" = absent ] && status0=0

# Writes: three accepted, one refused; reads: two status.
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_error DUPLICATE_REGION admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok admin01 appropriate --account general --fy 2013 --amount 10億 --ref A-1
expect_ok admin01 award --region hakodate --fy 2013 --date 2013-04-01 --amount 1億 --ref AW-1
expect_ok auditor01 status
expect_ok auditor01 status
expect_error OVER_AWARD clerk01 disburse --region hakodate --fy 2013 --amount 2億 --ref V-1 --date 2013-06-30
scrape
for kv in 'ledgerd_requests_total{type="write",code="OK"} 6' \
	'ledgerd_requests_total{type="write",code="DUPLICATE_REGION"} 1' \
	'ledgerd_requests_total{type="write",code="OVER_AWARD"} 1' \
	"ledgerd_requests_total{type=\"status\",code=\"OK\"} $((status0 + 2))" \
	'ledgerd_tree_size 6' 'ledgerd_entries_appended_total 6' \
	'ledgerd_commit_batch_size_sum 8'; do
	got=$(metric "${kv% *}")
	if [ "$got" = "${kv##* }" ]; then ok "$kv"; else not_ok "${kv% *}: want ${kv##* }, got $got"; fi
done
hello=$(metric 'ledgerd_requests_total{type="hello",code="OK"}')
check "HELLOs counted ($hello0 -> $hello)" test "$hello" -ge $((hello0 + 7))
check "the histograms are cumulative and end in their count" "$LD_PY" -c '
import re, sys
text = open(sys.argv[1]).read()
for h in ("ledgerd_commit_batch_size", "ledgerd_commit_duration_seconds"):
    b = [int(v) for v in re.findall(r"^%s_bucket\{le=\"[^\"]+\"\} (\d+)$" % h, text, re.M)]
    count = int(re.search(r"^%s_count (\d+)$" % h, text, re.M).group(1))
    assert b == sorted(b), h + " buckets decrease"
    assert b[-1] == count, h + " +Inf bucket is not the count"
    assert re.search(r"^%s_bucket\{le=\"\+Inf\"\}" % h, text, re.M), h + " has no +Inf"
    assert 1 <= count <= 8, "%s count %d" % (h, count)' "$M"
check "commit batches and commit latencies are counted alike" \
	test "$(metric ledgerd_commit_batch_size_count)" = "$(metric ledgerd_commit_duration_seconds_count)"
age=$(metric ledgerd_checkpoint_age_seconds)
check "the newest checkpoint has an age ($age s)" "$LD_PY" -c 'import sys; sys.exit(not 0 <= float(sys.argv[1]) < 3600)' "$age"
check "the last commit has a timestamp" "$LD_PY" -c 'import sys, time; sys.exit(abs(float(sys.argv[1]) - time.time()) > 3600)' \
	"$(metric ledgerd_last_commit_timestamp_seconds)"
used2=$(metric ledgerd_map_used_bytes)
check "map use did not shrink ($used -> $used2)" test "$used2" -ge "$used"

# A batch of many writes is one request in the histogram's sum per item.
if ! "$LEDGERCTL" help 2>&1 | grep -qw import; then
	echo "# ledgerctl has no import command yet: batch checks left out"
	TREE=6
else
TREE=26
printf 'kind,region,fy,amount,ref,date,memo,id\n' >"$T/import.csv"
for i in $(seq 1 20); do
	printf 'disbursement,hakodate,2013,1000,V-%d,2013-07-01,,imp-%d\n' "$i" "$i" >>"$T/import.csv"
done
expect_ok clerk01 import "$T/import.csv" --atomic
scrape
check "an atomic batch of 20: tree size 26" test "$(metric ledgerd_tree_size)" = 26
check "batch size sum counts its 20 writes" test "$(metric ledgerd_commit_batch_size_sum)" = 28
check "batch request counted" test "$(metric 'ledgerd_requests_total{type="batch",code="OK"}')" = 1
fi

# Checkpoints and connections, over a connection held open.
coproc HOLD { "$LD_PY" "$LD_SOURCE_DIR/tests/integration/ldconn.py" 127.0.0.1 "$PORT" \
	"$PKI/ca.crt" "$PKI/auditor01.crt" "$PKI/auditor01.key" 2>&1; }
LD_BG_PIDS+=("$HOLD_PID")
read -r -t "$LD_START_TIMEOUT" line <&"${HOLD[0]}"
case $line in connected*) ok "holding a connection" ;; *) not_ok "holding client: $line" ;; esac
expect_metric ledgerd_connections 1
echo checkpoint >&"${HOLD[1]}"
read -r -t "$LD_START_TIMEOUT" line <&"${HOLD[0]}"
check "checkpoint answered ($line)" test "$line" = "checkpoint $TREE"
expect_metric ledgerd_checkpoints_signed_total 1
check "the last signed checkpoint has a timestamp" test "$(metric ledgerd_checkpoint_last_signed_timestamp_seconds)" != absent
echo quit >&"${HOLD[1]}"
wait "$HOLD_PID" 2>/dev/null
wait_metric ledgerd_connections 0

# TLS handshake failures, by reason.
bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$T/rogue" clerk01 >/dev/null 2>&1 || not_ok "rogue PKI"
fail_count() { scrape; metric "ledgerd_tls_handshake_failures_total{reason=\"$1\"}"; }
before_unknown_ca=$(fail_count unknown_ca)
before_peer_alert=$(fail_count peer_alert)
before_no_certificate=$(fail_count no_certificate)
before_protocol=$(fail_count protocol)
status1=$(metric 'ledgerd_requests_total{type="status",code="OK"}')
LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$T/rogue/clerk01.crt \
	LEDGER_KEY=$T/rogue/clerk01.key "$LEDGERCTL" status >"$OUT" 2>"$ERR" </dev/null
check "a certificate from another CA is refused (exit 3)" test $? = 3
wait_metric 'ledgerd_tls_handshake_failures_total{reason="unknown_ca"}' $((before_unknown_ca + 1))
LEDGER_SERVER=127.0.0.1:$PORT LEDGER_CA=$T/rogue/ca.crt LEDGER_CERT=$PKI/clerk01.crt \
	LEDGER_KEY=$PKI/clerk01.key "$LEDGERCTL" status >"$OUT" 2>"$ERR" </dev/null
check "a client that does not trust the server gives up (exit 3)" test $? = 3
wait_metric 'ledgerd_tls_handshake_failures_total{reason="peer_alert"}' $((before_peer_alert + 1))
"$LD_PY" -c '
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30), server_hostname="127.0.0.1")
try:
    s.sendall(b"\0" * 16)
    s.recv(16)
except (OSError, ssl.SSLError):
    pass' "$PORT" "$PKI/ca.crt" >/dev/null 2>&1
wait_metric 'ledgerd_tls_handshake_failures_total{reason="no_certificate"}' $((before_no_certificate + 1))
"$LD_PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
try:
    s.recv(100)
except OSError:
    pass' "$PORT" >/dev/null 2>&1
wait_metric 'ledgerd_tls_handshake_failures_total{reason="protocol"}' $((before_protocol + 1))
expect_metric 'ledgerd_requests_total{type="status",code="OK"}' "$status1"

# Only /metrics, only GET.
scrape nothing-here
check "another path: 404" test "$(sed -n 1p "$T/http")" = 404
check "POST is refused" "$LD_PY" -c '
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"x", method="POST"), timeout=30)
except urllib.error.HTTPError as e:
    sys.exit(e.code < 400)
sys.exit(1)' "http://127.0.0.1:$MPORT/metrics"

# Off by default: without [metrics] the daemon listens on its own port only.
stop_daemon
write_config ""
# shellcheck disable=SC2034 # lib.sh's start_daemon rewrites the config with it
LD_EXTRA_CONFIG=
start_or_die --same-port
check "without [metrics] only 127.0.0.1:$PORT listens" "$LD_PY" -c '
import os, sys
pid, port = sys.argv[1], int(sys.argv[2])
inodes = set()
for fd in os.listdir("/proc/%s/fd" % pid):
    try:
        link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
    except OSError:
        continue
    if link.startswith("socket:["):
        inodes.add(link[8:-1])
ports = []
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(table).readlines()[1:]:
        f = line.split()
        if f[3] == "0A" and f[9] in inodes:
            ports.append(int(f[1].split(":")[1], 16))
print(ports)
sys.exit(ports != [port])' "$DPID" "$PORT"
stop_daemon
finish
