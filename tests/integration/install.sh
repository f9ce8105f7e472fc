#!/usr/bin/env bash
# install.sh - `cmake --install` lays ledgerd out as documented, and the .deb
# from `cpack -G DEB` installs, removes and purges cleanly.
#
# The install goes to a DESTDIR staging tree; the package is installed into
# a scratch root (dpkg --root, maintainer scripts chrootless with DPKG_ROOT)
# whose dpkg database is a copy of this machine's, so dependencies resolve
# as they would here and nothing outside the test's directory changes.
# Without root privileges the package is only checked with dpkg --dry-run.
#
# Environment: LD_BUILD_DIR, the configured and built build directory.
. "$(dirname "$0")/lib.sh"

BUILD=${LD_BUILD_DIR:-$LD_SOURCE_DIR/build}
[ -f "$BUILD/CMakeCache.txt" ] || { not_ok "$BUILD is not a build directory"; finish; }
command -v dpkg-deb >/dev/null || skip "dpkg-deb is not available"
command -v cpack >/dev/null || skip "cpack is not available"
VERSION=$("$LEDGERD" --version | sed -n 's/^ledgerd //p')

# 1. cmake --install into a staging tree.
S=$T/stage
run env DESTDIR="$S" cmake --install "$BUILD" --prefix /usr/local
if [ "$RC" -eq 0 ]; then ok "cmake --install (DESTDIR, prefix /usr/local)"; else not_ok "cmake --install: exit $RC"; fi
for f in usr/local/sbin/ledgerd usr/local/bin/ledgerctl \
	usr/local/lib/systemd/system/ledgerd.service \
	usr/local/libexec/ledgerd/nightly-reconcile \
	usr/local/lib/systemd/system/ledgerd-reconcile.service \
	usr/local/lib/systemd/system/ledgerd-reconcile.timer \
	usr/local/lib/sysusers.d/ledgerd.conf usr/local/lib/tmpfiles.d/ledgerd.conf \
	etc/ledgerd/ledgerd.conf usr/local/share/doc/ledgerd/ledgerd.conf.sample \
	usr/local/share/man/man8/ledgerd.8 usr/local/share/man/man1/ledgerctl.1 \
	usr/local/share/man/man5/ledgerd.conf.5 \
	usr/local/share/bash-completion/completions/ledgerctl; do
	check "installed: /$f" test -s "$S/$f"
done
check "ledgerd is installed executable" test -x "$S/usr/local/sbin/ledgerd"
check "the unit starts the installed binary" \
	grep -qx 'ExecStart=/usr/local/sbin/ledgerd -c /etc/ledgerd/ledgerd.conf' "$S/usr/local/lib/systemd/system/ledgerd.service"
# The nightly reconciliation: the script as scripts/nightly-reconcile.sh, mode
# 0755, and its units, the service starting the installed script.
NR=$S/usr/local/libexec/ledgerd/nightly-reconcile
check "nightly-reconcile is mode 0755" test "$(stat -c %a "$NR" 2>/dev/null)" = 755
check "nightly-reconcile is scripts/nightly-reconcile.sh" cmp "$LD_SOURCE_DIR/scripts/nightly-reconcile.sh" "$NR"
RU=$S/usr/local/lib/systemd/system/ledgerd-reconcile.service
check "the reconcile unit starts the installed script" \
	grep -qx 'ExecStart=/usr/local/libexec/ledgerd/nightly-reconcile' "$RU"
check "the reconcile timer is the shipped one" \
	cmp "$LD_SOURCE_DIR/systemd/ledgerd-reconcile.timer" "$S/usr/local/lib/systemd/system/ledgerd-reconcile.timer"
check "sysusers.d creates the user ledgerd" grep -qE '^u ledgerd ' "$S/usr/local/lib/sysusers.d/ledgerd.conf"
check "tmpfiles.d creates /var/lib/ledgerd 0700 ledgerd" \
	grep -qE '^d /var/lib/ledgerd 0700 ledgerd ledgerd' "$S/usr/local/lib/tmpfiles.d/ledgerd.conf"
IC=$S/etc/ledgerd/ledgerd.conf
check "installed config: every path is absolute" bash -c \
	"! grep -E '^(cert|key|client_ca|crl|path|checkpoint_key) = [^/ ]' '$IC'"
check "installed config: the ledger is in /var/lib/ledgerd" grep -qE '^path = /var/lib/ledgerd( |$)' "$IC"
check "installed config: metrics off" bash -c "! grep -q '^\\[metrics\\]' '$IC'"
check "installed config: no user = (the unit starts as ledgerd)" grep -qE '^user = *(#|$)' "$IC"
# With this test's PKI in place of /etc/ledgerd/pki the installed config is valid.
bash "$LD_SOURCE_DIR/scripts/mkpki.sh" "$T/pki" >/dev/null 2>&1 || not_ok "mkpki"
mkdir -m 0700 "$T/ledger"
sed -e "s#/etc/ledgerd/pki/#$T/pki/#" -e "s#^path = /var/lib/ledgerd#path = $T/ledger#" "$IC" >"$T/check.conf"
expect_exit 0 "$S/usr/local/sbin/ledgerd" -c "$T/check.conf" --check
if command -v systemd-analyze >/dev/null; then
	sed "s#^ExecStart=/usr/local/sbin/ledgerd #ExecStart=$S/usr/local/sbin/ledgerd #" \
		"$S/usr/local/lib/systemd/system/ledgerd.service" >"$T/ledgerd.service"
	expect_exit 0 systemd-analyze verify "$T/ledgerd.service"
	mkdir -p "$T/units"
	sed "s#^ExecStart=/usr/local/libexec/#ExecStart=$S/usr/local/libexec/#" "$RU" >"$T/units/ledgerd-reconcile.service"
	cp "$S/usr/local/lib/systemd/system/ledgerd-reconcile.timer" "$T/units/"
	expect_exit 0 systemd-analyze verify "$T/units/ledgerd-reconcile.service" "$T/units/ledgerd-reconcile.timer"
fi
echo "# edited by the operator" >>"$IC"
run env DESTDIR="$S" cmake --install "$BUILD" --prefix /usr/local
check "a second install keeps the operator's ledgerd.conf" grep -q '^# edited by the operator$' "$IC"

# 2. The Debian package.
run cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T/pkg"
DEB=$(ls "$T/pkg"/ledgerd_*.deb 2>/dev/null | head -1)
if [ "$RC" -eq 0 ] && [ -n "$DEB" ]; then ok "cpack -G DEB: $(basename "$DEB")"; else not_ok "cpack -G DEB: exit $RC"; finish; fi
check "package name" test "$(dpkg-deb -f "$DEB" Package)" = ledgerd
check "package version is ledgerd's ($VERSION)" test "$(dpkg-deb -f "$DEB" Version)" = "$VERSION"
check "package depends on its libraries" bash -c "dpkg-deb -f '$DEB' Depends | grep -q libevent"
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's#^\./#/#' >"$T/contents"
for f in /usr/sbin/ledgerd /usr/bin/ledgerctl /usr/lib/systemd/system/ledgerd.service \
	/usr/lib/sysusers.d/ledgerd.conf /usr/lib/tmpfiles.d/ledgerd.conf /etc/ledgerd/ledgerd.conf \
	/usr/share/man/man8/ledgerd.8 /usr/share/bash-completion/completions/ledgerctl \
	/usr/libexec/ledgerd/nightly-reconcile /usr/lib/systemd/system/ledgerd-reconcile.service \
	/usr/lib/systemd/system/ledgerd-reconcile.timer; do
	check "package holds $f" grep -qx "$f" "$T/contents"
done
check "packaged nightly-reconcile is mode 0755" bash -c \
	"dpkg-deb -c '$DEB' | grep -qE '^-rwxr-xr-x .* \\./usr/libexec/ledgerd/nightly-reconcile\$'"
check "the packaged reconcile unit starts /usr/libexec/ledgerd/nightly-reconcile" bash -c \
	"dpkg-deb --fsys-tarfile '$DEB' | tar -xO ./usr/lib/systemd/system/ledgerd-reconcile.service | grep -qx 'ExecStart=/usr/libexec/ledgerd/nightly-reconcile'"
dpkg-deb -e "$DEB" "$T/control"
check "ledgerd.conf is a conffile" grep -qx /etc/ledgerd/ledgerd.conf "$T/control/conffiles"
check "the packaged unit starts /usr/sbin/ledgerd" bash -c \
	"dpkg-deb --fsys-tarfile '$DEB' | tar -xO ./usr/lib/systemd/system/ledgerd.service | grep -qx 'ExecStart=/usr/sbin/ledgerd -c /etc/ledgerd/ledgerd.conf'"
for s in postinst prerm postrm; do
	check "$s is valid sh" sh -n "$T/control/$s"
done

if [ "$(id -u)" -ne 0 ]; then
	expect_exit 0 dpkg --dry-run -i "$DEB"
	echo "# not root: package checked with dpkg --dry-run only"
	finish
fi

# 3. Install, remove and purge in a scratch root.
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
cp /var/lib/dpkg/status "$R/var/lib/dpkg/status"
cp /var/lib/dpkg/info/*.list "$R/var/lib/dpkg/info/" 2>/dev/null
(cd "$R" && find . -path ./var/lib/dpkg -prune -o -print | sort) >"$T/before"
DPKG=(dpkg --root="$R" --force-script-chrootless)

run "${DPKG[@]}" -i "$DEB"
if [ "$RC" -eq 0 ]; then ok "dpkg -i into a scratch root"; else not_ok "dpkg -i: exit $RC"; fi
check "dpkg says installed" bash -c "dpkg --root='$R' -s ledgerd | grep -qx 'Status: install ok installed'"
for f in /usr/sbin/ledgerd /usr/bin/ledgerctl /usr/lib/systemd/system/ledgerd.service /etc/ledgerd/ledgerd.conf \
	/usr/libexec/ledgerd/nightly-reconcile /usr/lib/systemd/system/ledgerd-reconcile.service \
	/usr/lib/systemd/system/ledgerd-reconcile.timer; do
	check "installed: $f" test -s "$R$f"
done
check "installed: /usr/libexec/ledgerd/nightly-reconcile is executable" test -x "$R/usr/libexec/ledgerd/nightly-reconcile"
check "the installed ledgerd runs ($VERSION)" test "$("$R/usr/sbin/ledgerd" --version)" = "ledgerd $VERSION"
check "postinst created the user ledgerd (sysusers)" \
	grep -qE '^ledgerd:x:[0-9]+:[0-9]+:[^:]*:/var/lib/ledgerd:/usr/sbin/nologin$' "$R/etc/passwd"
uid=$(sed -n 's/^ledgerd:x:\([0-9]*\):.*/\1/p' "$R/etc/passwd")
check "postinst made /var/lib/ledgerd 0700 owned by ledgerd (tmpfiles)" \
	test "$(stat -c '%a %u' "$R/var/lib/ledgerd" 2>/dev/null)" = "700 $uid"

run "${DPKG[@]}" -r ledgerd
if [ "$RC" -eq 0 ]; then ok "dpkg -r"; else not_ok "dpkg -r: exit $RC"; fi
check "after remove: config-files only" bash -c "dpkg --root='$R' -s ledgerd | grep -qx 'Status: deinstall ok config-files'"
check "after remove: the binaries are gone" bash -c "! test -e '$R/usr/sbin/ledgerd' && ! test -e '$R/usr/bin/ledgerctl'"
check "after remove: the conffile stays" test -s "$R/etc/ledgerd/ledgerd.conf"

run "${DPKG[@]}" -P ledgerd
if [ "$RC" -eq 0 ]; then ok "dpkg -P"; else not_ok "dpkg -P: exit $RC"; fi
check "after purge: dpkg knows no ledgerd" bash -c "! dpkg --root='$R' -s ledgerd >/dev/null 2>&1"
check "dpkg reported no errors" bash -c "! grep -qi 'error' '$ERR'"
# Left behind by design: the user's passwd entries and the ledger's directory.
(cd "$R" && find . -path ./var/lib/dpkg -prune -o -print | sort) >"$T/after"
comm -13 "$T/before" "$T/after" | grep -vxE '\./etc|\./etc/(passwd|group|shadow|gshadow|\.pwd\.lock)|\./var/lib/ledgerd' >"$T/left"
if [ -s "$T/left" ]; then
	not_ok "purge left files behind: $(head -5 "$T/left" | tr '\n' ' ')"
else
	ok "purge removed every file of the package (the ledger directory and user stay)"
fi
finish
