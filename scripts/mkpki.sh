#!/usr/bin/env bash
# mkpki.sh - a development PKI for ledgerd, made with the openssl CLI.
#
# usage: scripts/mkpki.sh DIR [CN...]
#
# Makes in DIR: ca.crt/ca.key (the client and server CA), server.crt/server.key
# (DNS:localhost, IP:127.0.0.1, IP:::1), one client certificate NAME.crt/NAME.key
# per CN (default: admin01 clerk01 auditor01 recon01; the daemon maps a CN to a
# role in [roles]; a CN node-<id> is a cluster member's peer certificate, for
# both TLS sides) and checkpoint.key, the Ed25519 key that signs checkpoints.
# Keys are EC P-256 (fast to make, so tests can build a PKI each) and mode 0600.
#
# Idempotent: an existing key or certificate is kept.  A certificate that no
# longer verifies against ca.crt (the CA was remade, or it expired) is reissued
# with its existing key, so a half-made directory always ends up consistent.
# This is a development PKI: the CA key sits beside the certificates.
set -euo pipefail

if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
	echo "usage: $0 DIR [CN...]" >&2
	exit 2
fi
dir=$1
shift
if [ $# -gt 0 ]; then
	cns=("$@")
else
	cns=(admin01 clerk01 auditor01 recon01)
fi
for cn in "${cns[@]}"; do
	case $cn in
	ca | server | checkpoint | "" | *[!A-Za-z0-9._-]*)
		echo "mkpki: bad client CN '$cn' (letters, digits, . _ -; not ca, server, checkpoint)" >&2
		exit 2
		;;
	esac
done

command -v openssl >/dev/null || { echo "mkpki: openssl not found" >&2; exit 1; }
mkdir -p "$dir"
chmod 0755 "$dir"

# Private keys are born 0600: the umask applies to the file openssl creates.
newkey() {
	[ -s "$1" ] && { chmod 0600 "$1"; return 0; }
	(umask 077 && openssl genpkey -algorithm "$2" ${3:+-pkeyopt "$3"} -out "$1.tmp" 2>/dev/null)
	mv -f "$1.tmp" "$1"
	chmod 0600 "$1"
	echo "mkpki: made $1"
}

newkey "$dir/ca.key" EC ec_paramgen_curve:P-256
if [ ! -s "$dir/ca.crt" ] ||
	! openssl x509 -in "$dir/ca.crt" -noout -checkend 86400 >/dev/null 2>&1 ||
	[ "$(openssl x509 -in "$dir/ca.crt" -noout -pubkey)" != "$(openssl pkey -in "$dir/ca.key" -pubout)" ]; then
	openssl req -new -x509 -key "$dir/ca.key" -sha256 -days 3650 \
		-subj "/O=ledgerd development/CN=ledgerd development CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" \
		-out "$dir/ca.crt.tmp"
	mv -f "$dir/ca.crt.tmp" "$dir/ca.crt"
	chmod 0644 "$dir/ca.crt"
	echo "mkpki: made $dir/ca.crt"
fi

# issue NAME SUBJECT-CN EXTENSIONS: NAME.key (kept if present) and NAME.crt
# signed by the CA, unless NAME.crt already verifies and matches the key.
issue() {
	local name=$1 cn=$2 ext=$3 key="$dir/$1.key" crt="$dir/$1.crt"
	newkey "$key" EC ec_paramgen_curve:P-256
	if [ -s "$crt" ] &&
		openssl verify -CAfile "$dir/ca.crt" "$crt" >/dev/null 2>&1 &&
		[ "$(openssl x509 -in "$crt" -noout -pubkey)" = "$(openssl pkey -in "$key" -pubout)" ]; then
		return 0
	fi
	local serial
	serial=0x7$(openssl rand -hex 15)
	openssl req -new -key "$key" -subj "/O=ledgerd development/CN=$cn" -out "$dir/$name.csr.tmp"
	openssl x509 -req -in "$dir/$name.csr.tmp" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-set_serial "$serial" -sha256 -days 825 \
		-extfile <(printf '%s\n' "$ext") -out "$crt.tmp" 2>/dev/null
	rm -f "$dir/$name.csr.tmp"
	mv -f "$crt.tmp" "$crt"
	chmod 0644 "$crt"
	echo "mkpki: made $crt"
}

issue server localhost "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"

# A cluster member's certificate (CN node-<id>) serves peer traffic both
# ways: it is presented as a server and as a client.
for cn in "${cns[@]}"; do
	case $cn in
	node-[0-9]*) eku="serverAuth,clientAuth" ;;
	*) eku=clientAuth ;;
	esac
	issue "$cn" "$cn" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=$eku
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
done

newkey "$dir/checkpoint.key" ED25519
