#!/usr/bin/env bash
# cluster_client.sh - a cluster's edges as a user meets them (contract 2.6,
# 2.8), through the real ledgerctl: a --server list whose first servers are
# dead, `cluster` on a daemon that runs alone, and NOT_LEADER followed once
# to the leader.  The followers are fake_node.py (the real ledgerd does not
# replicate yet), the leader they name is the real daemon, so a followed
# write must land in its ledger with the id the follower saw.
. "$(dirname "$0")/lib.sh"

setup
start_or_die

# Two loopback ports nobody listens on.
LIVE=$PORT
pick_port || exit 1
DEAD1=$PORT
DEAD2=$DEAD1
while [ "$DEAD2" = "$DEAD1" ]; do pick_port || exit 1; DEAD2=$PORT; done
PORT=$LIVE

# lctl SERVERS CN ARGS...: ledgerctl as CN against the --server list SERVERS.
lctl() {
	local servers=$1 cn=$2
	shift 2
	LEDGER_CA=$PKI/ca.crt LEDGER_CERT=$PKI/$cn.crt LEDGER_KEY=$PKI/$cn.key \
		"$LEDGERCTL" --server "$servers" "$@"
}

# --- a server list -----------------------------------------------------------
run lctl "127.0.0.1:$DEAD1, 127.0.0.1:$LIVE" auditor01 status
if [ "$RC" -eq 0 ] && grep -q '^size: ' "$OUT"; then ok "status: the dead first server is passed over"; else not_ok "status with a dead first server (exit $RC)"; fi
check "the dead server is named, and the next one tried" grep -qF \
	"ledgerctl: cannot connect to 127.0.0.1:$DEAD1: Connection refused; trying 127.0.0.1:$LIVE" "$ERR"

run lctl "127.0.0.1:$DEAD1,127.0.0.1:$DEAD2,127.0.0.1:$LIVE" admin01 --json \
	appropriate --account general --fy 2013 --amount 3億 --ref BUDGET-0 --id list-write
if [ "$RC" -eq 0 ] && [ "$(jget ref)" = BUDGET-0 ]; then ok "a write through the list reaches the third server"; else not_ok "write through the list (exit $RC)"; fi
run ctl auditor01 --json get --id list-write
expect_json amount 300000000

# The same through LEDGER_SERVER.
run env LEDGER_SERVER="127.0.0.1:$DEAD2,127.0.0.1:$LIVE" LEDGER_CA="$PKI/ca.crt" \
	LEDGER_CERT="$PKI/auditor01.crt" LEDGER_KEY="$PKI/auditor01.key" "$LEDGERCTL" status
if [ "$RC" -eq 0 ]; then ok "LEDGER_SERVER takes the list too"; else not_ok "LEDGER_SERVER list (exit $RC)"; fi

# None answers: exit 3, every server named.
expect_exit 3 lctl "127.0.0.1:$DEAD1,127.0.0.1:$DEAD2" auditor01 status
check "the last dead server is named" grep -qF "ledgerctl: cannot connect to 127.0.0.1:$DEAD2: Connection refused" "$ERR"
check "and so is the first" grep -qF "cannot connect to 127.0.0.1:$DEAD1" "$ERR"
expect_exit 3 lctl "127.0.0.1:$DEAD1,127.0.0.1:$DEAD2" admin01 region add miyagi --name 宮城 --grant-type general

# A malformed list is a usage error before anything is tried.
expect_exit 2 lctl "127.0.0.1:$LIVE,,127.0.0.1:$DEAD1" auditor01 status
check "the empty item is named" grep -qF "ledgerctl: usage: --server: empty address" "$ERR"
expect_exit 2 lctl "127.0.0.1:$LIVE,localhost" auditor01 status
check "the bad item is named" grep -qF "'localhost' is not HOST:PORT" "$ERR"
expect_exit 2 lctl "127.0.0.1:$LIVE," auditor01 status

# --- cluster on a daemon that runs alone -------------------------------------
expect_error BAD_REQUEST auditor01 cluster status
check "cluster status says the node is not in a cluster" grep -qF \
	"ledgerctl: BAD_REQUEST: this node is not in a cluster: its configuration has no [cluster] section" "$ERR"
run ctl auditor01 --json cluster status
expect_json error BAD_REQUEST
expect_error FORBIDDEN clerk01 cluster add 4 127.0.0.1:7504 127.0.0.1:7446
expect_error BAD_REQUEST admin01 cluster add 4 127.0.0.1:7504 127.0.0.1:7446
expect_error BAD_REQUEST admin01 cluster remove 3
expect_error BAD_REQUEST admin01 cluster transfer 2
expect_exit 2 ctl admin01 cluster transfer 0
expect_exit 2 ctl admin01 cluster add 4 127.0.0.1 127.0.0.1:7446
expect_exit 2 ctl admin01 cluster add 4 127.0.0.1:7446 127.0.0.1:7446
expect_exit 2 ctl admin01 cluster remove
# Alone, status has no cluster fields: nothing changes without [cluster].
run ctl auditor01 --json status
expect_json raft_role "<absent>"
expect_json members "<absent>"

# --- NOT_LEADER, followed once -------------------------------------------------
# start_fake NAME LEADER: fake_node.py naming LEADER ("-": none known);
# its port in FAKE_PORT.
start_fake() {
	: >"$T/$1.log"
	"$LD_PY" "$LD_SOURCE_DIR/tests/integration/fake_node.py" "$PKI" "$2" "$T/$1.log" \
		>"$T/$1.port" 2>"$T/$1.err" &
	LD_BG_PIDS+=($!)
	for _ in $(seq 1 100); do
		[ -s "$T/$1.port" ] && break
		sleep 0.1
	done
	FAKE_PORT=$(head -n 1 "$T/$1.port")
	[ -n "$FAKE_PORT" ] || { not_ok "fake_node.py $1 did not start: $(cat "$T/$1.err")"; finish; }
}

start_fake follower "127.0.0.1:$LIVE"
FOLLOWER=$FAKE_PORT
start_fake orphan -
ORPHAN=$FAKE_PORT
start_fake stale "127.0.0.1:$FOLLOWER"
STALE=$FAKE_PORT

# A write to a follower lands on the leader it names, with the same id.
run lctl "127.0.0.1:$FOLLOWER" admin01 --json region add miyagi --name 宮城 --grant-type general
if [ "$RC" -eq 0 ] && [ "$(jget duplicate)" = false ]; then ok "a write to a follower is written by the leader"; else not_ok "write via follower (exit $RC)"; fi
sent=$(sed -n 's/^WRITE id=//p' "$T/follower.log" | tail -n 1)
check "the follower saw the write" test -n "$sent"
run ctl auditor01 --json get --id "$sent"
expect_json region miyagi
# The resend is the same request: again with an --id, a duplicate.
run lctl "127.0.0.1:$FOLLOWER" admin01 --json appropriate --account general --fy 2013 \
	--amount 1億 --ref BUDGET --id budget-1
expect_json duplicate false
run lctl "127.0.0.1:$FOLLOWER" admin01 --json appropriate --account general --fy 2013 \
	--amount 1億 --ref BUDGET --id budget-1
expect_json duplicate true
check "the follower saw both" test "$(grep -c '^WRITE id=budget-1$' "$T/follower.log")" -eq 2

# A follower first in the list: it answers, so the list is not walked on.
run lctl "127.0.0.1:$DEAD1,127.0.0.1:$FOLLOWER,127.0.0.1:$ORPHAN" admin01 --json \
	appropriate --account general --fy 2013 --amount 1000 --ref BUDGET-2 --id budget-2
expect_json amount 1000
check "the orphan was never asked" test ! -s "$T/orphan.log"

# No leader known: NOT_LEADER, exit 1, leader "" in JSON.
expect_exit 1 lctl "127.0.0.1:$ORPHAN" admin01 region add nagoya --name 名古屋 --grant-type general
check "no leader: ledgerctl: NOT_LEADER:" grep -qF "ledgerctl: NOT_LEADER: this node is not the leader and no leader is known" "$ERR"
run lctl "127.0.0.1:$ORPHAN" admin01 --json region add nagoya --name 名古屋 --grant-type general
expect_json error NOT_LEADER
expect_json leader ""

# Followed once only: a second NOT_LEADER is the answer.
ledger_snapshot "$T/before.jsonl"
expect_exit 1 lctl "127.0.0.1:$STALE" admin01 region add nagoya --name 名古屋 --grant-type general
check "the second NOT_LEADER is printed" grep -qF \
	"ledgerctl: NOT_LEADER: this node is not the leader; the leader is 127.0.0.1:$LIVE" "$ERR"
check "the stale node named the follower, which was asked" grep -q '^WRITE id=' "$T/follower.log"
ledger_snapshot "$T/after.jsonl"
check "nothing was written" cmp -s "$T/before.jsonl" "$T/after.jsonl"

# A cluster change is the leader's too: followed, and refused there.
run lctl "127.0.0.1:$FOLLOWER" admin01 cluster add 4 127.0.0.1:7504 127.0.0.1:7446
if [ "$RC" -eq 1 ] && grep -qF "ledgerctl: BAD_REQUEST: this node is not in a cluster" "$ERR"; then
	ok "cluster add to a follower is followed to the leader"
else
	not_ok "cluster add via follower (exit $RC)"
fi
check "the follower saw the change" grep -q '^CLUSTER op=2$' "$T/follower.log"

# A leader that does not answer: exit 3, the leader and who named it.
start_fake lost "127.0.0.1:$DEAD1"
LOST=$FAKE_PORT
expect_exit 3 lctl "127.0.0.1:$LOST" admin01 region add nagoya --name 名古屋 --grant-type general
check "the unreachable leader is named" grep -qF \
	"ledgerctl: cannot connect to 127.0.0.1:$DEAD1, the leader named by 127.0.0.1:$LOST" "$ERR"

# --- a follower's status and cluster status ------------------------------------
run lctl "127.0.0.1:$FOLLOWER" auditor01 --json status
expect_json node 2
expect_json raft_role follower
expect_json term 7
expect_json leader "127.0.0.1:$LIVE"
expect_json commit_index 12
expect_json applied_index 11
expect_json role auditor
members=$(jget members)
case $members in
*'"client_address": "127.0.0.1:17444"'*'"voter": true'*) ok "status members: id, addresses, voter" ;;
*) not_ok "status members: $members" ;;
esac
case $members in
*raft_role*) not_ok "status members carry raft_role: $members" ;;
*) ok "status members without raft_role (contract 2.8)" ;;
esac
run lctl "127.0.0.1:$FOLLOWER" auditor01 status
check "status text: raft_role" grep -qx "raft_role: follower" "$OUT"
check "status text: leader" grep -qx "leader: 127.0.0.1:$LIVE" "$OUT"
check "status text: the members' table" grep -qE "^  2 +127\.0\.0\.1:17502 +127\.0\.0\.1:17444 +yes +follower$" "$OUT"

run lctl "127.0.0.1:$FOLLOWER" auditor01 --json cluster status
if [ "$RC" -eq 0 ] && [ "$(jcount)" -eq 3 ]; then ok "cluster status --json: one line per member"; else not_ok "cluster status --json (exit $RC)"; fi
expect_json raft_role leader id=1
expect_json raft_role follower id=2
expect_json raft_role unknown id=3
expect_json voter false id=3
expect_json client_address "127.0.0.1:$LIVE" id=1
run lctl "127.0.0.1:$FOLLOWER" auditor01 cluster status
check "cluster status text: the node" grep -qF \
	"node 2 (follower), term 7, leader 127.0.0.1:$LIVE, commit_index 12, applied_index 11" "$OUT"
check "cluster status text: a standby" grep -qE "^3 +127\.0\.0\.1:17503 +127\.0\.0\.1:17445 +no +unknown$" "$OUT"

finish
