#!/usr/bin/env bash
# install-deps.sh - install the Debian 12 packages ledgerd needs, only those
# that are missing.
#
# usage: scripts/install-deps.sh [--test]
#
# Without options: what building and running needs (quickstart.sh);
# libraft-dev and libuv1-dev are the Raft library a cluster member
# replicates with (docs/REPLICATION.md).  With
# --test, also what the test suite needs (test.sh): python3 reads JSON in the
# integration tests, systemd provides systemd-analyze for the unit check,
# mandoc lints the manual pages and dpkg-dev (dpkg-shlibdeps) lets
# `cpack -G DEB` compute the package's dependencies, chromium renders the
# HTML report headless (tests/integration/report_html.sh), golang-go and
# golang-golang-x-mod-dev build the Go program that checks `export --tiles`
# with Go's reference sumdb/tlog, offline (tests/integration/tiles.sh),
# faketime runs the nightly job on chosen dates (tests/integration/recon.sh).
# readelf, which
# tests/integration/hardening_elf.sh reads the binaries with, is binutils,
# part of build-essential.
# When everything is installed it does nothing and needs no privileges;
# otherwise it runs apt-get as root (directly, or through sudo when present).
set -euo pipefail

pkgs=(build-essential cmake pkg-config liblmdb-dev libevent-dev libssl-dev
	libcmocka-dev libjansson-dev libsystemd-dev openssl libraft-dev
	libuv1-dev)
case ${1:-} in
"") ;;
--test) pkgs+=(python3 systemd mandoc dpkg-dev valgrind chromium golang-go
	golang-golang-x-mod-dev faketime strace) ;;
*) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null; then
	sudo=(sudo)
else
	echo "install-deps: missing packages and not root: ${missing[*]}" >&2
	exit 1
fi
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q)
"${apt[@]}" update </dev/null
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null
