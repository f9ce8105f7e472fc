/*
 * cluster.h - a cluster member's write path: libraft on its own thread
 * (docs/REPLICATION.md, contract 2.6).
 *
 * In a cluster the writer thread does not run: write jobs go to the
 * cluster instead, which has the same shape as writer.h (submit a job,
 * get it back through the done callback on the event loop's thread once
 * it is answered).  On the leader the raft thread groups the queued jobs,
 * stamps the group's time, proposes it (replica.h) and answers each job
 * from its own apply, after a majority stored the group; elsewhere it
 * answers NOT_LEADER with the leader's client address.  A group not
 * committed within commit_timeout_s is answered UNAVAILABLE (it may still
 * commit: a retry with the same id is safe).
 *
 * Threads: cluster_start(), cluster_submit(), cluster_change() and
 * cluster_stop() run on the event loop's thread, and the done callbacks
 * run there; libraft, the libuv loop, the state machine (and so the only
 * LMDB write transaction) run on the cluster's own thread.  The two meet
 * in a mutex-guarded queue each way, a uv_async_t one way and an event of
 * the libevent base the other; the raft thread publishes what `status`
 * shows (cluster_state()) under the same mutex.
 *
 * Ownership: submit and change take their job; it comes back through the
 * done callback, which frees it.  The cluster borrows the store and the
 * base, which must outlive it.
 */
#ifndef LD_CLUSTER_H
#define LD_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"
#include "store.h"
#include "writer.h"

#define CLUSTER_MEMBERS_MAX	16
#define CLUSTER_ADDR_MAX	128	/* host:port */

struct cluster_member {
	uint64_t	id;
	char		raft_addr[CLUSTER_ADDR_MAX];
	char		client_addr[CLUSTER_ADDR_MAX];
	int		voter;
	int		raft_role;	/* in cluster_state(): enum cluster_role */
};

/* What the daemon starts a member with ([cluster], ledgerd.conf(5)). */
struct cluster_conf {
	uint64_t		id;
	char			raft_dir[4096];
	char			raft_listen[CLUSTER_ADDR_MAX];
	struct cluster_member	peers[CLUSTER_MEMBERS_MAX];	/* initial voters */
	size_t			npeers;
	char			peer_ca[4096];
	char			peer_cert[4096];
	char			peer_key[4096];
	uint32_t		commit_timeout_s;	/* 0: the default, 10 */
	uint32_t		election_timeout_ms;	/* 0: the default, 1000 */
	uint32_t		heartbeat_ms;		/* 0: the default, 100 */
	int			join;		/* a member added later: starts
						   empty, without bootstrapping */
	int			plain_tcp;	/* tests of the wiring only:
						   libraft's own TCP transport */
};

enum cluster_role {
	CLUSTER_UNKNOWN = 0,
	CLUSTER_FOLLOWER = 1,
	CLUSTER_CANDIDATE = 2,
	CLUSTER_LEADER = 3
};

/* What `status` shows, as of the raft thread's last step. */
struct cluster_state {
	uint64_t		node;
	int			raft_role;	/* enum cluster_role */
	uint64_t		term;
	uint64_t		leader_id;	/* 0: none known */
	char			leader[CLUSTER_ADDR_MAX];	/* client address */
	uint64_t		commit_index;
	uint64_t		applied_index;
	struct cluster_member	members[CLUSTER_MEMBERS_MAX];
	size_t			nmembers;
	int64_t			last_commit;	/* wall µs of the last group
						   this member applied */
};

/* "leader", "follower", "candidate" (or "unknown"). */
const char	*cluster_role_name(int role);

struct cluster;

struct cluster_hooks {
	/*
	 * The store failed under the state machine: the member must stop
	 * (systemd restarts it; Raft replays the group).  Called once, on
	 * the raft thread.  NULL: not told.
	 */
	void	(*failed)(void *arg, const char *why);
	void	*arg;
};

/*
 * Start the member: open (or, on first start, create and bootstrap with
 * conf->peers as the voters) the Raft state in conf->raft_dir, the state
 * machine over store, the peer transport, and the raft thread.  logkey is
 * the log's verifier for COSIGN jobs.  done(job, arg) is called on base's
 * thread for every answered job.  Returns 0, or -1 with a reason in err.
 */
int	cluster_start(struct cluster **, const struct cluster_conf *conf,
	    struct store *store, struct event_base *base,
	    const struct ckpt_verifier *logkey, writer_done_fn done, void *arg,
	    const struct cluster_hooks *hooks, char *err, size_t errlen);
/*
 * Queue write job j (event loop thread).  On a member that knows it is not
 * the leader, j is answered NOT_LEADER at once (with the leader's client
 * address, or none), before it is even decoded (contract 2.10).
 */
void	cluster_submit(struct cluster *, struct wjob *j);
/*
 * A membership change (contract 2.6 `ledgerd cluster`), answered through
 * done like a write: op CLUSTER_ADD (id joins as a voter at raft_addr,
 * serving clients at client_addr), CLUSTER_REMOVE (id), CLUSTER_TRANSFER
 * (leadership to id; 0 = libraft's choice).  j carries conn, reqid, type
 * and max_frame; the cluster sets j->code (LD_OK, NOT_LEADER, BAD_REQUEST,
 * UNAVAILABLE) and, for a refusal, an ERROR frame in j->out; on LD_OK
 * j->out is left empty for the caller to answer.
 */
enum { CLUSTER_ADD = 1, CLUSTER_REMOVE = 2, CLUSTER_TRANSFER = 3 };
void	cluster_change(struct cluster *, struct wjob *j, int op, uint64_t id,
	    const char *raft_addr, const char *client_addr);
/* The state as last published (any thread). */
void	cluster_state(struct cluster *, struct cluster_state *);
/* Like writer_last_commit(): wall µs of the last group applied here. */
int64_t	cluster_last_commit(struct cluster *);
/* Like writer_oldest_write(): the oldest unanswered write's age, µs. */
int64_t	cluster_oldest_write(struct cluster *);
/*
 * Answer every queued and in-flight job UNAVAILABLE (in flight: it may
 * still commit), close libraft and the transport, join the thread, hand
 * the last jobs to done on the calling thread and free the cluster.  NULL
 * is a no-op.
 */
void	cluster_stop(struct cluster *);

#endif
