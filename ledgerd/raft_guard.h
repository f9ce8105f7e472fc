/*
 * raft_guard.h - a struct raft_io that wraps another one (raft_uv in the
 * daemon, the fixture's stub in the tests) and corrects two libraft 0.15
 * defects on the way through: a follower's commit index and a follower's
 * success answer are bounded by the entries the leader's AppendEntries
 * actually covered (raft_guard.c says why, docs/REPLICATION.md what the
 * tests show).  Everything else is forwarded unchanged.
 *
 * Use: create the inner io (raft_uv_init), wrap it with raft_guard_new()
 * and hand raft_guard_io() to raft_init().  The guard takes over the
 * inner io's data field (the inner io's callbacks find the guard there);
 * configure the inner io (raft_uv_set_*) through its own pointer as
 * before.  Where raft_init() already ran on the inner io (raft/fixture.h
 * initialises its servers itself), wrap it before raft_bootstrap() and
 * raft_start() and point the raft instance's io field at raft_guard_io():
 * the guard copies the inner io's data (the raft instance) to its own.
 *
 * Threads: none of its own; it runs on the thread that drives libraft.
 */
#ifndef LD_RAFT_GUARD_H
#define LD_RAFT_GUARD_H

#include <stdint.h>

struct raft_io;
struct raft_guard;

/* Which corrections are on; RAFT_GUARD_ALL in production. */
#define RAFT_GUARD_COMMIT	0x1	/* incoming leader_commit */
#define RAFT_GUARD_MATCH	0x2	/* outgoing last_log_index */
#define RAFT_GUARD_ALL		(RAFT_GUARD_COMMIT | RAFT_GUARD_MATCH)

/* What the guard changed, for tests and figures. */
struct raft_guard_stats {
	uint64_t	commits_lowered;	/* AppendEntries leader_commit */
	uint64_t	results_lowered;	/* to prev_log_index + n_entries */
	uint64_t	results_other_term;	/* to 0: the term changed */
};

/*
 * Wrap inner (initialised, not started) with the corrections in flags
 * (0: forward only).  Returns 0, or RAFT_NOMEM with *out NULL.
 */
int	raft_guard_new(struct raft_guard **out, struct raft_io *inner,
	    unsigned flags);
/* The io to give libraft; it lives as long as the guard. */
struct raft_io *raft_guard_io(struct raft_guard *);
void	raft_guard_stats(const struct raft_guard *, struct raft_guard_stats *);
/*
 * Free the guard (not the inner io).  Only after raft_close()'s callback
 * ran and the inner io completed every request it was given (raft_uv
 * does both before its close callback; the fixture when
 * raft_fixture_close() returns).  NULL is a no-op.
 */
void	raft_guard_free(struct raft_guard *);

#endif
