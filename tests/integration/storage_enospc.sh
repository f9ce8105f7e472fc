#!/usr/bin/env bash
# storage_enospc.sh - a real filesystem that fills up under the ledger.
#
# Issue 14, items 1 and 7.  The ledger lives on a 64 MiB ext4 image mounted
# through a loop device, with a map larger than the filesystem, so that the
# disk, not the map, is what runs out.  `status` reports the filesystem's
# free space beside the map's use; once a filler file leaves only a little
# room, writes are refused STORAGE_FULL (never INTERNAL or STORAGE_ERROR),
# the daemon goes on serving reads, exactly the acknowledged writes are
# stored, and after room is made again writes go through and --verify says
# intact.  Needs root, mkfs.ext4 and a loop device: otherwise skipped with
# the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hardening.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to mount a loop device"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 is not installed"
FS=$T/fs
truncate -s 64M "$T/fs.img" && mkfs.ext4 -q -m 0 "$T/fs.img" 2>"$T/mkfs.err" ||
	skip "mkfs.ext4 failed: $(cat "$T/mkfs.err")"
mkdir -p "$FS"
mount -o loop "$T/fs.img" "$FS" 2>"$T/mount.err" ||
	skip "cannot mount a loop device here: $(cat "$T/mount.err")"
enospc_cleanup() {
	local rc=$?
	kill_daemon
	umount "$FS" 2>/dev/null || umount -l "$FS" 2>/dev/null
	(exit "$rc")
	lib_cleanup
}
trap enospc_cleanup EXIT

setup
mkdir -m 0700 "$FS/ledger"
conf_set path "$FS/ledger" ledger
conf_set map_size_mb 256 ledger
start_or_die
seed_terms 2013
expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing

expect_ok auditor01 status --json
FREE0=$(jget fs_free)
check "status: fs_size is the small filesystem's ($(jget fs_size) bytes)" \
	test "$(jget fs_size)" -gt 0 -a "$(jget fs_size)" -le $((64 << 20))
check "status: fs_free ($FREE0) is below the map size ($(jget map_size))" \
	test "${FREE0:-0}" -gt 0 -a "${FREE0:-0}" -lt "$(jget map_size)"

# Leave about 512 KiB free (-m 0 above: root, which the daemon is here,
# gets no reserved blocks beyond what statvfs calls free).
fallocate -l $((FREE0 - (512 << 10))) "$FS/filler" 2>"$T/fa.err" ||
	dd if=/dev/zero of="$FS/filler" bs=64k count=$(((FREE0 - (512 << 10)) >> 16)) 2>"$T/fa.err"
expect_ok auditor01 status --json
check "status shows the disk nearly full ($(jget fs_free) bytes free)" \
	test "$(jget fs_free)" -lt $((1 << 20))

raw --within 90 --cn admin01 regions --count 3000 --prefix fill --name-bytes 500 --out "$T/fill.txt"
echo "# $(cat "$OUT")"
NWRITTEN=$(grep -c '^written ' "$T/fill.txt")
NFULL=$(grep -c '^STORAGE_FULL ' "$T/fill.txt")
NOTHER=$(grep -vcE '^(written|STORAGE_FULL) ' "$T/fill.txt")
[ "$NFULL" -gt 0 ] && ok "the full disk refuses writes STORAGE_FULL ($NWRITTEN written, $NFULL refused)" ||
	not_ok "no STORAGE_FULL: exit $RC, $NWRITTEN written: $(head -3 "$ERR")"
[ "$NOTHER" -eq 0 ] && ok "every refusal is STORAGE_FULL" ||
	not_ok "other refusals: $(grep -vE '^(written|STORAGE_FULL) ' "$T/fill.txt" | head -3)"
# The kernel's answer reaches LMDB as ENOSPC, or as EIO from a short page
# write (then the daemon names the free space): either is STORAGE_FULL.
expect_log "the log says why: STORAGE_FULL and the call" "STORAGE_FULL \\(.*data\\.mdb: mdb_txn_commit: (No space left on device|.*bytes free on the filesystem)\\)"
check "the daemon is still up" daemon_running
expect_ok auditor01 region list --json
jget code | grep '^fill' | sort >"$T/listed.txt"
grep '^written ' "$T/fill.txt" | cut -d' ' -f2 | sort >"$T/acked.txt"
cmp -s "$T/listed.txt" "$T/acked.txt" && ok "exactly the $NWRITTEN acknowledged regions are stored" ||
	not_ok "acknowledged and stored differ: $(diff "$T/acked.txt" "$T/listed.txt" | head -4 | tr '\n' ' ')"

rm -f "$FS/filler"
expect_ok admin01 region add after-room --name 後 --grant-type continuing
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify
no_sanitizer_reports
finish
