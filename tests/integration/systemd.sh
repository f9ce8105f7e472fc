#!/usr/bin/env bash
# systemd.sh - systemd/ledgerd.service is a valid, hardened unit.
#
# `systemd-analyze verify` needs ExecStart's binary to exist, so it checks a
# copy that points at the build's ledgerd; `systemd-analyze security` scores
# the shipped unit and must rate it 2.0 or better (ENGINEERING.md's set
# scores about 1.1).  Neither needs systemd running as PID 1.
. "$(dirname "$0")/lib.sh"

UNIT=$LD_SOURCE_DIR/systemd/ledgerd.service
command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (Debian package systemd)"
[ -x "$LEDGERD" ] || { not_ok "$LEDGERD is not built"; finish; }

mkdir -p "$T/unit"
sed "s#^ExecStart=/usr/sbin/ledgerd #ExecStart=$LEDGERD #" "$UNIT" >"$T/unit/ledgerd.service"
check "the copy's ExecStart is the build's ledgerd" grep -q "^ExecStart=$LEDGERD -c " "$T/unit/ledgerd.service"
expect_exit 0 systemd-analyze verify "$T/unit/ledgerd.service"
expect_exit 0 systemd-analyze security --offline=yes --threshold=20 "$UNIT"
grep -h "Overall exposure" "$OUT"

# What the contract and ENGINEERING.md fix about the unit.
for want in "Type=notify" "NotifyAccess=main" "ExecStart=/usr/sbin/ledgerd -c /etc/ledgerd/ledgerd.conf" \
	'ExecReload=/bin/kill -HUP $MAINPID' "Restart=on-failure" "WatchdogSec=" "LimitNOFILE=" \
	"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "User=ledgerd" "StateDirectory=ledgerd"; do
	check "unit has $want" grep -qF "$want" "$UNIT"
done
finish
