#!/usr/bin/env bash
# scripts.sh - the shell scripts parse, and scripts/mkpki.sh makes the PKI
# the daemon and the quick start expect, idempotently.
. "$(dirname "$0")/lib.sh"

S=$LD_SOURCE_DIR
for f in "$S"/scripts/*.sh "$S"/tests/integration/*.sh "$S/.ci/run"; do
	check "bash -n ${f#"$S"/}" bash -n "$f"
done
if command -v shellcheck >/dev/null; then
	for f in "$S"/scripts/*.sh "$S/.ci/run"; do
		check "shellcheck ${f#"$S"/}" shellcheck -S warning "$f"
	done
fi

P=$T/pki
expect_exit 0 bash "$S/scripts/mkpki.sh" "$P"
for f in ca server admin01 clerk01 auditor01 recon01; do
	check "$f.crt and $f.key" test -s "$P/$f.crt" -a -s "$P/$f.key"
	check "$f.key is mode 0600" test "$(stat -c %a "$P/$f.key")" = 600
done
check "checkpoint.key is mode 0600" test "$(stat -c %a "$P/checkpoint.key")" = 600
check "checkpoint.key is Ed25519" bash -c 'openssl pkey -in "$1" -noout -text | grep -q ED25519' _ "$P/checkpoint.key"
check "server.key is EC P-256" bash -c 'openssl pkey -in "$1" -noout -text | grep -q "prime256v1\|P-256"' _ "$P/server.key"
for f in server admin01 clerk01 auditor01 recon01; do
	check "$f.crt verifies against ca.crt" openssl verify -CAfile "$P/ca.crt" "$P/$f.crt"
done
run openssl x509 -in "$P/server.crt" -noout -ext subjectAltName
check "server.crt: DNS:localhost" grep -q "DNS:localhost" "$OUT"
check "server.crt: IP 127.0.0.1" grep -q "IP Address:127.0.0.1" "$OUT"
check "server.crt: IP ::1" grep -q "IP Address:0:0:0:0:0:0:0:1" "$OUT"
run openssl x509 -in "$P/clerk01.crt" -noout -subject -ext extendedKeyUsage
check "clerk01.crt: CN clerk01, client authentication" \
	bash -c 'grep -q "CN *= *clerk01" "$1" && grep -q "TLS Web Client Authentication" "$1"' _ "$OUT"
check "server.crt: server authentication" \
	bash -c 'openssl x509 -in "$1" -noout -ext extendedKeyUsage | grep -q "TLS Web Server Authentication"' _ "$P/server.crt"

# Idempotent: a second run changes nothing; extra CNs add files only.
sum1=$(cd "$P" && sha256sum -- * | sort)
expect_exit 0 bash "$S/scripts/mkpki.sh" "$P"
check "second run keeps every file" test "$(cd "$P" && sha256sum -- * | sort)" = "$sum1"
expect_exit 0 bash "$S/scripts/mkpki.sh" "$P" nobody01 clerk02
check "extra CNs: nobody01.crt" openssl verify -CAfile "$P/ca.crt" "$P/nobody01.crt"
check "extra CNs: the others kept" test "$(cd "$P" && sha256sum -- admin01.* ca.* server.* checkpoint.key | sort)" = \
	"$(printf '%s\n' "$sum1" | grep -E ' (admin01\.|ca\.|server\.|checkpoint\.key)' | sort)"
# A certificate deleted is reissued with its kept key.
pub=$(openssl pkey -in "$P/clerk01.key" -pubout)
rm "$P/clerk01.crt"
expect_exit 0 bash "$S/scripts/mkpki.sh" "$P"
check "clerk01.crt reissued for the kept key" \
	test "$(openssl x509 -in "$P/clerk01.crt" -noout -pubkey)" = "$pub"
expect_exit 2 bash "$S/scripts/mkpki.sh"
expect_exit 2 bash "$S/scripts/mkpki.sh" "$P" "bad cn"
finish
