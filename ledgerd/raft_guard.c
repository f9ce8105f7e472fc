/*
 * raft_guard.c - a struct raft_io between libraft and its real io that
 * corrects two defects of libraft 0.15 (the same code is in canonical/raft
 * 0.18.1) from outside, through the public interface only.
 *
 * The defects.  Both are in a follower's handling of an AppendEntries
 * that appends nothing new: a heartbeat, or entries it already holds
 * (recvAppendEntries() -> replicationAppend() with n == 0).  Such a
 * follower may hold a stale, uncommitted tail beyond what the request
 * covers: entries of an old leader that crashed, which the current leader
 * has not yet overwritten because it has not yet sent those indexes.
 *
 *  1. The follower answers with last_log_index = r->last_stored, its
 *     whole stored log, stale tail included, and the leader takes
 *     min(last_log_index, its own last index) as the follower's match
 *     index (replicationUpdate(), whose own comment expects
 *     prev_log_index + n_entries).  The leader then counts the follower's
 *     stale entries as copies of its own entries at those indexes, may
 *     commit an entry that a majority does not hold, and ignores the
 *     follower's later rejections as stale (their index is below the
 *     match), so the follower never catches up.  Apache Ratis fixed the
 *     same class in RATIS-2605.
 *  2. The follower sets commit_index = min(leader_commit, last_stored), so
 *     it may apply its own stale entries as committed when the leader's
 *     commit index is past them (scylladb issue 9965 is this class).
 *     Raft's rule is min(leaderCommit, index of the last new entry), that
 *     is prev_log_index + n_entries: only up to there does the follower
 *     know that its log is the leader's.
 *
 * The corrections.
 *  (a) RAFT_GUARD_COMMIT: every incoming AppendEntries has its
 *      leader_commit lowered to at most prev_log_index + n_entries before
 *      libraft sees it.  libraft keeps that value for the asynchronous
 *      path too (appendFollower copies the request), so both places that
 *      advance a follower's commit index get Raft's rule.
 *  (b) RAFT_GUARD_MATCH: a successful AppendEntriesResult (rejected == 0)
 *      that the follower sends in answer to an AppendEntries has its
 *      last_log_index lowered to at most prev_log_index + n_entries of
 *      that request.  libraft answers in one of two places:
 *        - synchronously, from inside the recv callback, when nothing is
 *          appended (the n == 0 path above, and every rejection): the
 *          guard knows the request being processed, since the answer is
 *          sent before the recv callback returns;
 *        - asynchronously, from the append callback (appendFollowerCb)
 *          once the new entries are stored.  libraft truncated the
 *          conflicting tail before that append, so last_stored is the
 *          end of the appended entries, which is the request's
 *          prev_log_index + n_entries; the guard remembers the request
 *          with the append it caused and applies the same bound, which
 *          then changes nothing.  One case is not right there: when the
 *          follower's term changed while the append was on disk, libraft
 *          sends the answer, with the new term, to the new leader, about
 *          entries the old leader sent.  The new leader would read it as
 *          a match of its own entries, which may differ; the guard lowers
 *          such an answer's last_log_index to 0, which the leader ignores.
 *          (The same bound meets libraft's refusal of a request from an
 *          older term with prev_log_index 0: it reads rejected = 0, and
 *          its newer term makes the old leader step down anyway.)
 *      Rejected answers (their last_log_index is a hint for the next
 *      probe) and answers to InstallSnapshot are left alone.
 *
 * Why this is safe.  Both corrections only lower a number.  A leader
 * treats last_log_index as "the follower holds my entries up to here":
 * understated, the leader merely believes the follower is behind and
 * sends it entries again, which the follower finds it already has; the
 * next answer reports them.  A follower may always commit less than it
 * could: the next AppendEntries raises the commit index again, and in a
 * steady state the leader's heartbeats have prev_log_index at the
 * follower's end, so nothing is held back once the follower has caught
 * up.  Neither correction can make libraft believe something that is
 * false; together they give what the Raft paper's Figure 2 specifies.
 *
 * Mechanics.  libraft's raft_init() sets io->data on the io it is given,
 * the guard's, and its callbacks (tick, recv, close) read the raft
 * instance from there, so the guard passes its own trampolines to the
 * inner io, keeps the inner io's data field for itself, and calls
 * libraft's callbacks with the guard's io.  Requests (send, append,
 * snapshot, async work) call back with the request, not the io; appends
 * made while an AppendEntries is being processed, and async work (whose
 * req->data the fixture's stub overwrites), go through a small wrapper
 * request so that the caller's request is handed back untouched.
 * Messages: an incoming one is owned by libraft and changed in place (a
 * scalar only); an outgoing one is const, so a lowered answer is a copy
 * on the stack, which is enough because every io copies or encodes a
 * message before send() returns (libraft itself sends messages that live
 * on its stack).  The guard's io has the inner io's impl, so code that
 * peeks at the backend through raft->io->impl (the fixture's
 * raft_fixture_step_until_delivered()) still finds it; the guard itself
 * is found from its io by its position.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <raft.h>

#include "raft_guard.h"

/* The AppendEntries a follower is answering, while it answers it. */
struct ae_ctx {
	int		active;
	raft_term	term;	/* the request's term */
	raft_index	last;	/* prev_log_index + n_entries */
};

struct raft_guard {
	struct raft_io		 g_io;		/* the io libraft is given */
	struct raft_io		*g_inner;
	unsigned		 g_flags;
	raft_io_tick_cb		 g_tick;
	raft_io_recv_cb		 g_recv;
	raft_io_close_cb	 g_close;
	struct ae_ctx		 g_ctx;
	struct raft_guard_stats	 g_stats;
};

/* A follower's append, with the request that caused it. */
struct guard_append {
	struct raft_io_append	 ga_req;	/* given to the inner io */
	struct raft_io_append	*ga_orig;
	raft_io_append_cb	 ga_cb;
	struct raft_guard	*ga_guard;
	struct ae_ctx		 ga_ctx;
};

struct guard_work {
	struct raft_io_async_work	 gw_req;	/* given to the inner io */
	struct raft_io_async_work	*gw_orig;
	raft_io_async_work_cb		 gw_cb;
};

#define container_of(p, type, member)					\
	((type *)(void *)((char *)(p) - offsetof(type, member)))

static struct raft_guard *
guard_of(struct raft_io *io)
{
	return container_of(io, struct raft_guard, g_io);
}

/* libraft copies io->errmsg after a failed call: give it the inner's. */
static int
inner_rv(struct raft_guard *g, int rv)
{
	if (rv != 0)
		memcpy(g->g_io.errmsg, g->g_inner->errmsg,
		    sizeof(g->g_io.errmsg));
	return rv;
}

static raft_index
ae_last(const struct raft_append_entries *ae)
{
	/* A peer's numbers: saturate rather than wrap. */
	if (ae->prev_log_index > UINT64_MAX - ae->n_entries)
		return UINT64_MAX;
	return ae->prev_log_index + ae->n_entries;
}

/* ---- callbacks from the inner io, translated to the guard's io ---- */

static void
tick_cb(struct raft_io *inner)
{
	struct raft_guard *g = inner->data;

	g->g_tick(&g->g_io);
}

static void
recv_cb(struct raft_io *inner, struct raft_message *m)
{
	struct raft_guard *g = inner->data;
	struct raft_append_entries *ae = &m->append_entries;
	struct ae_ctx saved = g->g_ctx;

	memset(&g->g_ctx, 0, sizeof(g->g_ctx));
	if (m->type == RAFT_IO_APPEND_ENTRIES) {
		/* Read before libraft takes the message: it frees entries. */
		g->g_ctx.active = 1;
		g->g_ctx.term = ae->term;
		g->g_ctx.last = ae_last(ae);
		if ((g->g_flags & RAFT_GUARD_COMMIT) &&
		    ae->leader_commit > g->g_ctx.last) {
			ae->leader_commit = g->g_ctx.last;
			g->g_stats.commits_lowered++;
		}
	}
	g->g_recv(&g->g_io, m);
	g->g_ctx = saved;
}

static void
close_cb(struct raft_io *inner)
{
	struct raft_guard *g = inner->data;

	if (g->g_close != NULL)
		g->g_close(&g->g_io);
}

static void
append_cb(struct raft_io_append *req, int status)
{
	struct guard_append *ga = container_of(req, struct guard_append,
	    ga_req);
	struct raft_guard *g = ga->ga_guard;
	struct raft_io_append *orig = ga->ga_orig;
	raft_io_append_cb cb = ga->ga_cb;
	struct ae_ctx saved = g->g_ctx;

	/* libraft answers the request from inside this callback. */
	g->g_ctx = ga->ga_ctx;
	free(ga);
	cb(orig, status);
	g->g_ctx = saved;
}

static int
work_fn(struct raft_io_async_work *req)
{
	struct guard_work *gw = container_of(req, struct guard_work, gw_req);

	return gw->gw_orig->work(gw->gw_orig);
}

static void
work_cb(struct raft_io_async_work *req, int status)
{
	struct guard_work *gw = container_of(req, struct guard_work, gw_req);
	struct raft_io_async_work *orig = gw->gw_orig;
	raft_io_async_work_cb cb = gw->gw_cb;

	free(gw);
	cb(orig, status);
}

/* ---- the io libraft calls ---- */

static int
g_init(struct raft_io *io, raft_id id, const char *address)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->init(g->g_inner, id, address));
}

static void
g_close(struct raft_io *io, raft_io_close_cb cb)
{
	struct raft_guard *g = guard_of(io);

	g->g_close = cb;
	g->g_inner->close(g->g_inner, close_cb);
}

static int
g_load(struct raft_io *io, raft_term *term, raft_id *voted_for,
    struct raft_snapshot **snapshot, raft_index *start_index,
    struct raft_entry *entries[], size_t *n_entries)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->load(g->g_inner, term, voted_for,
	    snapshot, start_index, entries, n_entries));
}

static int
g_start(struct raft_io *io, unsigned msecs, raft_io_tick_cb tick,
    raft_io_recv_cb recv)
{
	struct raft_guard *g = guard_of(io);

	g->g_tick = tick;
	g->g_recv = recv;
	return inner_rv(g, g->g_inner->start(g->g_inner, msecs, tick_cb,
	    recv_cb));
}

static int
g_bootstrap(struct raft_io *io, const struct raft_configuration *conf)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->bootstrap(g->g_inner, conf));
}

static int
g_recover(struct raft_io *io, const struct raft_configuration *conf)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->recover(g->g_inner, conf));
}

static int
g_set_term(struct raft_io *io, raft_term term)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->set_term(g->g_inner, term));
}

static int
g_set_vote(struct raft_io *io, raft_id server_id)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->set_vote(g->g_inner, server_id));
}

static int
g_send(struct raft_io *io, struct raft_io_send *req,
    const struct raft_message *m, raft_io_send_cb cb)
{
	struct raft_guard *g = guard_of(io);
	const struct raft_append_entries_result *res;
	struct raft_message copy;
	raft_index bound;

	if (m->type == RAFT_IO_APPEND_ENTRIES_RESULT && g->g_ctx.active &&
	    (g->g_flags & RAFT_GUARD_MATCH)) {
		res = &m->append_entries_result;
		/*
		 * A different term: the answer goes to another leader than
		 * the one whose entries it reports (the asynchronous path),
		 * or it is libraft's refusal of a request from an older
		 * term, which carries rejected = prev_log_index and so looks
		 * like a success when that is 0; its term makes that leader
		 * step down, and 0 changes nothing there.
		 */
		bound = res->term == g->g_ctx.term ? g->g_ctx.last : 0;
		if (res->rejected == 0 && res->last_log_index > bound) {
			copy = *m;
			copy.append_entries_result.last_log_index = bound;
			m = &copy;
			if (bound == 0)
				g->g_stats.results_other_term++;
			else
				g->g_stats.results_lowered++;
		}
	}
	return inner_rv(g, g->g_inner->send(g->g_inner, req, m, cb));
}

static int
g_append(struct raft_io *io, struct raft_io_append *req,
    const struct raft_entry entries[], unsigned n, raft_io_append_cb cb)
{
	struct raft_guard *g = guard_of(io);
	struct guard_append *ga;
	int rv;

	/* A leader's own append, or nothing to correct: as it is. */
	if (!g->g_ctx.active || !(g->g_flags & RAFT_GUARD_MATCH))
		return inner_rv(g, g->g_inner->append(g->g_inner, req,
		    entries, n, cb));
	if ((ga = calloc(1, sizeof(*ga))) == NULL) {
		/* libraft stops the server: the same as a failed write. */
		snprintf(g->g_io.errmsg, sizeof(g->g_io.errmsg),
		    "raft_guard: out of memory");
		return RAFT_NOMEM;
	}
	ga->ga_req.data = ga;
	ga->ga_orig = req;
	ga->ga_cb = cb;
	ga->ga_guard = g;
	ga->ga_ctx = g->g_ctx;
	req->cb = cb;		/* as an io would */
	rv = g->g_inner->append(g->g_inner, &ga->ga_req, entries, n,
	    append_cb);
	if (rv != 0)
		free(ga);
	return inner_rv(g, rv);
}

static int
g_truncate(struct raft_io *io, raft_index index)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->truncate(g->g_inner, index));
}

static int
g_snapshot_put(struct raft_io *io, unsigned trailing,
    struct raft_io_snapshot_put *req, const struct raft_snapshot *snapshot,
    raft_io_snapshot_put_cb cb)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->snapshot_put(g->g_inner, trailing, req,
	    snapshot, cb));
}

static int
g_snapshot_get(struct raft_io *io, struct raft_io_snapshot_get *req,
    raft_io_snapshot_get_cb cb)
{
	struct raft_guard *g = guard_of(io);

	return inner_rv(g, g->g_inner->snapshot_get(g->g_inner, req, cb));
}

static raft_time
g_time(struct raft_io *io)
{
	struct raft_guard *g = guard_of(io);

	return g->g_inner->time(g->g_inner);
}

static int
g_random(struct raft_io *io, int min, int max)
{
	struct raft_guard *g = guard_of(io);

	return g->g_inner->random(g->g_inner, min, max);
}

/*
 * The fixture's stub sets req->data to its io's data, which is the guard's
 * now: libraft's request goes through a wrapper and keeps its own data.
 */
static int
g_async_work(struct raft_io *io, struct raft_io_async_work *req,
    raft_io_async_work_cb cb)
{
	struct raft_guard *g = guard_of(io);
	struct guard_work *gw;
	int rv;

	if ((gw = calloc(1, sizeof(*gw))) == NULL) {
		snprintf(g->g_io.errmsg, sizeof(g->g_io.errmsg),
		    "raft_guard: out of memory");
		return RAFT_NOMEM;
	}
	gw->gw_req.data = gw;
	gw->gw_req.work = work_fn;
	gw->gw_orig = req;
	gw->gw_cb = cb;
	req->cb = cb;
	rv = g->g_inner->async_work(g->g_inner, &gw->gw_req, work_cb);
	if (rv != 0)
		free(gw);
	return inner_rv(g, rv);
}

/* ---- the guard ---- */

int
raft_guard_new(struct raft_guard **out, struct raft_io *inner,
    unsigned flags)
{
	struct raft_guard *g;
	struct raft_io *io;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return RAFT_NOMEM;
	g->g_inner = inner;
	g->g_flags = flags & RAFT_GUARD_ALL;
	io = &g->g_io;
	io->version = inner->version;
	io->data = inner->data;		/* raft_init() may have run on inner */
	io->impl = inner->impl;
	io->init = g_init;
	io->close = g_close;
	io->load = g_load;
	io->start = g_start;
	io->bootstrap = g_bootstrap;
	io->recover = g_recover;
	io->set_term = g_set_term;
	io->set_vote = g_set_vote;
	io->send = g_send;
	io->append = g_append;
	io->truncate = g_truncate;
	io->snapshot_put = g_snapshot_put;
	io->snapshot_get = g_snapshot_get;
	io->time = g_time;
	io->random = g_random;
	if (inner->version >= 2 && inner->async_work != NULL)
		io->async_work = g_async_work;
	inner->data = g;
	*out = g;
	return 0;
}

struct raft_io *
raft_guard_io(struct raft_guard *g)
{
	return &g->g_io;
}

void
raft_guard_stats(const struct raft_guard *g, struct raft_guard_stats *s)
{
	*s = g->g_stats;
}

void
raft_guard_free(struct raft_guard *g)
{
	free(g);
}
