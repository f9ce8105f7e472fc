#!/usr/bin/env bash
# privileges.sh - starting as root, dropping to `user`, and key file modes.
#
# Issue 5, item 7.  Started as root with `user = NAME`, ledgerd binds (a
# privileged port, to prove it), loads its keys (root-only files, to prove
# it), then drops to NAME and NAME's groups for good: every uid and gid of
# the process (real, effective, saved, fs) is NAME's, its supplementary
# groups are NAME's, and it has no capabilities left.  It keeps writing.
# SIGHUP after the drop reloads when the keys belong to NAME, and keeps the
# old certificates (and keeps serving) when NAME cannot read them.  Started
# as root without `user`, it warns.  A private key that group or others can
# read is refused at start, naming the path and its mode.
#
# Needs root (CI runs as root) and useradd; the unprivileged user and its
# groups are made here and removed at exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hardening.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v useradd >/dev/null && command -v groupadd >/dev/null || skip "needs useradd and groupadd"

PUSER=ldit$$
PEXTRA=ldix$$
priv_cleanup() {
	local rc=$?
	kill_daemon
	userdel "$PUSER" >/dev/null 2>&1
	groupdel "$PUSER" >/dev/null 2>&1
	groupdel "$PEXTRA" >/dev/null 2>&1
	(exit "$rc")
	lib_cleanup
}
trap priv_cleanup EXIT
groupadd -r "$PEXTRA" && groupadd -r "$PUSER" &&
	useradd -r -M -d /nonexistent -s /usr/sbin/nologin -g "$PUSER" -G "$PEXTRA" "$PUSER" ||
	{ not_ok "cannot create the user $PUSER"; finish; }
PUID=$(id -u "$PUSER")
PGID=$(getent group "$PUSER" | cut -d: -f3)
XGID=$(getent group "$PEXTRA" | cut -d: -f3)
echo "# unprivileged user $PUSER uid $PUID gid $PGID, extra group $PEXTRA gid $XGID"

setup
# The dropped daemon rereads its config and keys on SIGHUP: it must be able
# to reach them (mktemp -d makes the directory 0700).
chmod 0755 "$T"

# --- a private key that group or others can read is refused at start -------------
# start_refused DESC KEYFILE MODE: with KEYFILE at MODE, ledgerd exits at
# start (and --check fails) naming the file and the mode.
start_refused() {
	local desc=$1 key=$2 mode=$3
	chmod "$mode" "$key"
	run timeout 30 "$LEDGERD" -c "$CONF"
	if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && grep -qF "$key" "$ERR" && grep -q "0$mode" "$ERR"; then
		ok "$desc mode $mode: refused at start (exit $RC) naming the path and mode"
	else
		not_ok "$desc mode $mode: want a refusal naming $key and 0$mode, got exit $RC"
	fi
	run "$LEDGERD" -c "$CONF" --check
	if [ "$RC" -eq 1 ] && grep -qF "$key" "$ERR" && grep -q "0$mode" "$ERR"; then
		ok "$desc mode $mode: --check fails naming the path and mode"
	else
		not_ok "$desc mode $mode: --check exit $RC"
	fi
	chmod 0600 "$key"
}
start_refused "TLS key" "$PKI/server.key" 640
start_refused "TLS key" "$PKI/server.key" 604
start_refused "checkpoint key" "$PKI/checkpoint.key" 644
start_refused "checkpoint key" "$PKI/checkpoint.key" 660
check "keys at 0600: --check passes" "$LEDGERD" -c "$CONF" --check

# --- root without user: a warning -----------------------------------------------------
start_or_die
expect_log "started as root without user: a warning" "running as root"
stop_daemon

# --- root with user = NAME ------------------------------------------------------------
# A privileged port shows the bind happened before the drop.
for _ in $(seq 1 50); do
	p=$((600 + RANDOM % 400))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
conf_set listen "127.0.0.1:$PORT" server
conf_set user "$PUSER" server
# The keys still belong to root (mode 0600): NAME cannot read them, so
# serving TLS at all shows they were loaded before the drop.
: >"$LOG"
start_or_die --same-port
expect_log "the drop is logged" "running as $PUSER \(uid $PUID\)"

# proc_field NAME: a line of /proc/PID/status, without its label.
proc_field() {
	sed -n "s/^$1:[[:space:]]*//p" "/proc/$DPID/status" | tr -s ' \t' ' '
}
UIDS=$(proc_field Uid)
GIDS=$(proc_field Gid)
GROUPS_=$(proc_field Groups)
[ "$UIDS" = "$PUID $PUID $PUID $PUID" ] && ok "real, effective, saved and fs uid are $PUID" ||
	not_ok "uids: '$UIDS', want $PUID x4"
[ "$GIDS" = "$PGID $PGID $PGID $PGID" ] && ok "real, effective, saved and fs gid are $PGID" ||
	not_ok "gids: '$GIDS', want $PGID x4"
if echo " $GROUPS_ " | grep -q " $XGID " && ! echo " $GROUPS_ " | grep -q " 0 "; then
	ok "supplementary groups are $PUSER's ($GROUPS_), root's are gone"
else
	not_ok "supplementary groups: '$GROUPS_', want $XGID and not 0"
fi
CAPS="$(proc_field CapPrm) $(proc_field CapEff)"
[ "$CAPS" = "0000000000000000 0000000000000000" ] && ok "no capabilities left (CapPrm, CapEff)" ||
	not_ok "capabilities: $CAPS"
THREADS_OK=1
for task in /proc/"$DPID"/task/*; do
	[ "$(sed -n 's/^Uid:[[:space:]]*//p' "$task/status" | tr -s ' \t' ' ')" = "$PUID $PUID $PUID $PUID" ] || THREADS_OK=0
done
[ "$THREADS_OK" = 1 ] && ok "every thread runs as $PUSER" || not_ok "a thread kept another uid"

expect_ok admin01 region add hakodate --name 函館地域 --grant-type continuing
expect_ok auditor01 status

# SIGHUP with keys NAME cannot read: the old certificates stay, serving goes on.
conf_set nobody01 auditor roles
if reload_daemon && tail -n 5 "$LOG" | grep -q "reload refused"; then
	ok "SIGHUP with keys $PUSER cannot read: reload refused, old kept ($(grep -m1 'reload refused' "$LOG" | cut -c1-120))"
else
	not_ok "SIGHUP with root-only keys: want 'reload refused' in the log"
fi
expect_error FORBIDDEN nobody01 status
expect_ok auditor01 status

# Keys owned by NAME (as the contract asks): SIGHUP reloads after the drop.
chown "$PUSER:$PUSER" "$PKI/server.key" "$PKI/checkpoint.key"
if reload_daemon && tail -n 5 "$LOG" | grep -q "reloaded certificates"; then
	ok "SIGHUP after the drop, keys owned by $PUSER: reloaded"
else
	not_ok "SIGHUP with $PUSER's keys: no reload ($(tail -n 2 "$LOG" | tr '\n' ' '))"
fi
expect_ok nobody01 status
expect_ok admin01 region add otaru --name 小樽 --grant-type continuing
stop_daemon
expect_exit 0 "$LEDGERD" -c "$CONF" --verify

# --- a user that does not exist: no start ---------------------------------------------
conf_set user "nosuch$$" server
run timeout 30 "$LEDGERD" -c "$CONF"
[ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && grep -q "nosuch$$" "$ERR" &&
	ok "user = an unknown name: refused at start (exit $RC)" ||
	not_ok "unknown user: exit $RC"
no_sanitizer_reports
finish
