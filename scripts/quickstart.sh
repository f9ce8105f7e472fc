#!/usr/bin/env bash
# quickstart.sh - the README's first command: from a fresh Debian 12 machine
# to a running development ledgerd on 127.0.0.1:7443.
#
# usage: scripts/quickstart.sh        (from anywhere; works in the repository)
#
# Installs the missing packages, builds build/bin/ledgerd and ledgerctl, makes
# a development PKI and checkpoint key in var/pki, writes var/ledgerd.conf,
# starts ledgerd, registers the seed's regions (conf/regions.tsv) and the FY2013
# appropriations with scripts/seed-ledger.sh, prints how to talk to it, and then
# keeps ledgerd in the foreground: Ctrl-C or SIGTERM stops it cleanly.
#
# Running it again keeps the existing PKI, config and ledger and writes
# nothing twice.  The integration test seed.sh drives it with these overrides:
#   LEDGERD, LEDGERCTL     use these binaries and skip installing and building
#   QUICKSTART_VAR         directory instead of var/
#   QUICKSTART_LISTEN      listen address written into a new config
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

if [ -z "${LEDGERD:-}" ] || [ -z "${LEDGERCTL:-}" ]; then
	bash scripts/install-deps.sh
	cmake -S . -B build >/dev/null
	cmake --build build -j "$(nproc)"
fi
ledgerd=${LEDGERD:-$top/build/bin/ledgerd}
ledgerctl=${LEDGERCTL:-$top/build/bin/ledgerctl}
var=${QUICKSTART_VAR:-var}
mkdir -p "$var"
var=$(cd "$var" && pwd)

bash scripts/mkpki.sh "$var/pki" admin01 clerk01 auditor01 recon01 >/dev/null
mkdir -p "$var/ledger"
chmod 0700 "$var/ledger"
conf=$var/ledgerd.conf
if [ ! -e "$conf" ]; then
	cat >"$conf.tmp" <<EOF
# Development configuration written by scripts/quickstart.sh.
# Paths are relative to this file's directory.
[server]
listen = ${QUICKSTART_LISTEN:-127.0.0.1:7443}

[tls]
cert = pki/server.crt
key = pki/server.key
client_ca = pki/ca.crt

[ledger]
path = ledger
checkpoint_key = pki/checkpoint.key
checkpoint_origin = ledgerd.local

[roles]
admin01 = admin
clerk01 = clerk
auditor01 = auditor
recon01 = reconciler
EOF
	mv "$conf.tmp" "$conf"
	echo "quickstart: wrote $conf"
fi
listen=$(awk -F= '/^[[:space:]]*\[/ { s = $0; gsub(/[][[:space:]]/, "", s) }
	s == "server" && $1 ~ /^[[:space:]]*listen[[:space:]]*$/ {
		v = $2; sub(/[[:space:]]+[#;].*/, "", v); gsub(/[[:space:]]/, "", v); print v }' "$conf")
listen=${listen:-127.0.0.1:7443}

"$ledgerd" -c "$conf" --check

export LEDGER_SERVER=$listen LEDGER_CA=$var/pki/ca.crt
export LEDGER_CERT=$var/pki/admin01.crt LEDGER_KEY=$var/pki/admin01.key

"$ledgerd" -c "$conf" &
pid=$!
# A signal for us is a request to stop the daemon; it answers what is in flight
# and exits, and its status becomes ours.
signalled=0
trap 'signalled=1; kill -TERM "$pid" 2>/dev/null || true' INT TERM
trap 'kill -TERM "$pid" 2>/dev/null || true' EXIT

deadline=$((SECONDS + 60))
until "$ledgerctl" status >/dev/null 2>&1; do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" && rc=0 || rc=$?
		echo "quickstart: ledgerd exited with status $rc before accepting connections" >&2
		exit 1
	fi
	if [ "$SECONDS" -ge "$deadline" ]; then
		echo "quickstart: ledgerd does not accept connections on $listen" >&2
		exit 1
	fi
	sleep 0.2
done

LEDGERCTL=$ledgerctl bash scripts/seed-ledger.sh conf/regions.tsv

cat <<EOF

ledgerd is running on $listen (pid $pid); Ctrl-C stops it.
Talk to it from another shell:

  export LEDGER_SERVER=$listen
  export LEDGER_CA=$var/pki/ca.crt
  export LEDGER_CERT=$var/pki/admin01.crt LEDGER_KEY=$var/pki/admin01.key
  $ledgerctl region list
  $ledgerctl balance --fy 2013

admin01 is the admin; $var/pki also holds clerk01 (clerk: disburse, refund),
auditor01 (auditor) and recon01 (reconciler): point LEDGER_CERT and LEDGER_KEY
at them to act in those roles.
EOF

trap - EXIT
# A trapped signal interrupts `wait` (status 128+N); then wait again, which
# returns the daemon's own status once it has answered what was in flight.
while :; do
	signalled=0
	wait "$pid" && rc=0 || rc=$?
	[ "$signalled" = 1 ] || break
done
exit "$rc"
