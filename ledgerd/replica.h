/*
 * replica.h - a cluster member's replicated state machine (libraft's
 * struct raft_fsm) over the ledger, and the codec of the groups it applies
 * (docs/REPLICATION.md).
 *
 * A Raft log entry carries one group of requests as the leader received
 * them, not entries: the leader fixes the group's recorded_at and
 * proposes the encoded group (replica_group_encode); every member, the
 * leader included, decodes it in its apply callback and decides it with
 * the single-node writer's code (writer_decide) in one LMDB write
 * transaction that also stores the Raft index it applied
 * (store_set_applied).  The decisions depend only on the ledger, the
 * group's bytes and its time, so every member reaches the same ledger;
 * the answers are the leader's to send (replica_result_take).
 *
 * A snapshot is not the ledger: the ledger is already durable in LMDB.
 * It is a small descriptor (the applied index, the ledger's size and
 * Merkle root, its newest recorded_at and the witnesses' cosignatures,
 * which no replay can rebuild).  A member whose ledger is shorter than a
 * snapshot it is sent fetches the missing entries from any member
 * through a replica_fetch_fn, replays them with the rules (apply_replay)
 * and accepts them only when the Merkle root at the snapshot's size is
 * the descriptor's.
 *
 * Threads: everything here runs on the thread that drives libraft (its
 * libuv loop in the daemon, the test's thread with raft/fixture.h), which
 * is the only thread that writes the store while a replica is open: no
 * writer thread runs beside it.  The codec functions are pure and may run
 * anywhere.
 *
 * Ownership: the replica borrows the store and the raft instance; both
 * must outlive it.  An applied group's jobs and answers belong to the
 * replica until the proposer takes them, and to nobody who does not (a
 * follower's): the next apply frees them.
 */
#ifndef LD_REPLICA_H
#define LD_REPLICA_H

#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"
#include "store.h"
#include "writer.h"

struct raft;
struct raft_fsm;
struct raft_buffer;

#define REPLICA_GROUP_VERSION	1
#define REPLICA_GROUP_JOBS_MAX	8192	/* requests (jobs) in one group */
/* A group holds at least one request of up to FRAME_MAX_MAX bytes. */
#define REPLICA_GROUP_BYTES_MAX	(80u << 20)
#define REPLICA_SNAP_VERSION	1
/* Entries replayed per LMDB transaction when catching up. */
#define REPLICA_CATCHUP_CHUNK	4096

/*
 * A decoded group: its time and its requests as jobs (type, role, version,
 * reqid, max_frame, actor, payload filled; out initialised; conn NULL).
 */
struct replica_group {
	int64_t		 recorded_at;
	uint32_t	 njobs;
	struct wjob	*jobs;		/* list, in order */
};

/*
 * Encode the group of jobs (list order; each job's type, role, version,
 * reqid, max_frame, actor, payload and len are read) with recorded_at into
 * buf, allocated with raft_malloc (ownership passes with raft_apply()).
 * Returns 0, or -1 when a job cannot be carried (a type other than
 * MSG_WRITE, MSG_WRITE_BATCH or MSG_COSIGN, an empty or long actor, a
 * payload over FRAME_MAX_MAX, over REPLICA_GROUP_JOBS_MAX jobs, a group
 * over REPLICA_GROUP_BYTES_MAX) or memory runs out; buf is then untouched.
 */
int	replica_group_encode(const struct wjob *jobs, int64_t recorded_at,
	    struct raft_buffer *buf);
/*
 * Decode len untrusted bytes into *g (zeroed first).  Every length is
 * checked against the bytes left and its cap before it is used, every
 * field against its range, and trailing bytes are refused.  Returns 0, or
 * -1 with *g empty (nothing to free).  Free a decoded group with
 * replica_group_free().
 */
int	replica_group_decode(const uint8_t *buf, size_t len,
	    struct replica_group *g);
void	replica_group_free(struct replica_group *g);

/*
 * How a member far behind gets the entries a snapshot names: call put for
 * each canonical entry seq from..to (in order, bytes valid during the call
 * only) from any source, stopping when put returns non-zero.  Returns 0
 * when every entry was handed over, -1 otherwise.  The entries are not
 * trusted: the replica checks them.
 */
typedef int	(*replica_put_fn)(void *ctx, uint64_t seq, const uint8_t *enc,
		    size_t len);
typedef int	(*replica_fetch_fn)(void *arg, uint64_t from, uint64_t to,
		    replica_put_fn put, void *ctx);

struct replica_hooks {
	replica_fetch_fn fetch;	/* NULL: catching up is refused */
	/*
	 * The store failed under the state machine (a commit that did not
	 * go through, no memory): the replica refuses every later apply,
	 * so that Raft never counts the group as applied, and calls this
	 * once with the cause.  The owner stops the daemon; at the restart
	 * Raft replays the group.  NULL: not told.
	 */
	void	(*failed)(void *arg, const char *why);
	void	*arg;
};

/* What a replica did, for tests and figures. */
struct replica_stats {
	uint64_t	groups;		/* groups applied (decided and committed) */
	uint64_t	skipped;	/* groups at or below the stored index */
	uint64_t	malformed;	/* groups applied as nothing */
	uint64_t	snapshots;	/* descriptors taken */
	uint64_t	restores;	/* descriptors restored */
	uint64_t	fetched;	/* entries replayed while catching up */
};

struct replica;

/*
 * Open a replica over store, for raft instance r (its raft_last_applied()
 * tells apply which index it is given).  logkey is the log's verifier
 * (all members share the checkpoint key), copied into every COSIGN.
 * Reads the stored applied index and the newest entry's recorded_at.
 * Returns 0, or -1 with a reason in err.
 */
int	replica_open(struct replica **, struct store *, struct raft *r,
	    const struct ckpt_verifier *logkey, const struct replica_hooks *,
	    char *err, size_t errlen);
/* Free the replica and any unclaimed result; NULL is a no-op. */
void	replica_close(struct replica *);
/*
 * Fill fsm (version 1) for raft_init(): apply, snapshot, restore over
 * this replica.
 */
void	replica_fsm(struct replica *, struct raft_fsm *fsm);
/* The last Raft index whose group this ledger holds (stored). */
uint64_t replica_applied(const struct replica *);
void	replica_stats(const struct replica *, struct replica_stats *);

/*
 * The result of an applied group, as libraft hands it to the proposer's
 * raft_apply callback: the decoded jobs with their answers (the leader
 * moves each job's out to the connection's job with the same position)
 * and the group's index.  NULL when the group was skipped (already
 * applied before a restart: nobody waits for it).  Takes ownership: free
 * with replica_result_free().  Call it from the raft_apply callback,
 * before the next apply.
 */
struct replica_result {
	uint64_t		index;
	int64_t			recorded_at;	/* the time the group was decided at */
	struct replica_group	group;
};
struct replica_result *replica_result_take(struct replica *, void *result);
void	replica_result_free(struct replica_result *);

#endif
