/*
 * writer.h - the single writer: group commit on its own thread.
 *
 * Every write request of every connection is queued here as a job, and
 * so is a witness's COSIGN (witness.h): it writes a record too, and LMDB
 * has one writer.  The
 * writer thread takes everything queued, opens ONE LMDB write transaction,
 * decides each request in queue order (so the rules see every earlier
 * request of the same group), commits once, and only then hands the jobs'
 * answers back to the event loop.  One fsync thus covers many requests,
 * and two clerks racing for the same award room are serialised inside the
 * transaction, so neither can overpay.
 *
 * Ownership: writer_submit() takes the job; the writer gives it back
 * through the done callback on the event loop's thread, which frees it.
 *
 * Threads: writer_start(), writer_submit() and writer_stop() are called on
 * the event loop's thread, and the done callback runs there; only the
 * decisions and the commit run on the writer thread.  The writer thread
 * wakes the loop through an event of its base, so libevent must have been
 * made thread-aware (evthread_use_pthreads()) before the base was created.
 */
#ifndef LD_WRITER_H
#define LD_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include <event2/util.h>

#include "checkpoint.h"
#include "entry.h"
#include "store.h"
#include "wire.h"

struct event_base;
struct conn;

/*
 * One write request.  The submitter allocates it zeroed, fills conn, reqid,
 * type, role, actor, max_frame, payload and len, and wbuf_init()s out; the
 * writer fills out, nwritten and code, and no one else touches it while it
 * is queued.  next belongs to the queue.
 */
struct wjob {
	struct wjob	*next;
	struct conn	*conn;		/* requester; conn->clt_pending keeps it */
	uint32_t	 reqid;
	uint8_t		 type;		/* MSG_WRITE, MSG_WRITE_BATCH or
					   MSG_COSIGN */
	int		 role;		/* enum role, looked up at submission */
	uint16_t	 version;	/* the connection's protocol version */
	char		 actor[LD_ACTOR_MAX + 1];
	uint32_t	 max_frame;
	uint8_t		*payload;	/* owned copy of the request payload */
	size_t		 len;
	struct wbuf	 out;		/* answer frames, written by the writer */
	uint32_t	 nwritten;	/* entries appended (for statistics) */
	int		 code;		/* LD_OK, or the code of a whole-job
					   ERROR answer (for statistics) */
	struct ckpt_verifier logkey;	/* MSG_COSIGN: the log's own key */
	int64_t		 queued_us;	/* CLOCK_MONOTONIC at writer_submit() */
};

struct writer;

typedef void	(*writer_done_fn)(struct wjob *, void *arg);

/*
 * What the writer reports, as plain numbers, to whoever keeps figures
 * (ledgerd.c wires it to metrics.c).  Called on the writer thread after
 * each group commit, successful or not: the requests in the group (a batch
 * counts as the number of items its header announces), the entries it
 * appended (0 when the commit failed) and the microseconds the group took,
 * decisions and commit.  NULL hooks or a NULL commit are allowed; the
 * struct is copied, and arg must outlive the writer.
 */
struct writer_hooks {
	void	(*commit)(void *arg, uint32_t requests, uint64_t entries,
		    int64_t usec);
	void	*arg;
	/*
	 * Storage failure (contract 2.10): a commit failed in a way that
	 * leaves LMDB unable to go on (anything but a full map or disk that
	 * LMDB rolled back cleanly; docs/DURABILITY.md).  The writer has
	 * called store_fail(), refuses every later job STORAGE_ERROR, and
	 * calls this once, on its own thread, with the cause; the owner
	 * wakes its loop to stop the daemon.  NULL: not told.
	 */
	void	(*failed)(void *arg, const char *why);
	/*
	 * A commit (mdb_txn_commit, which writes and syncs) that took at
	 * least this many milliseconds is logged with its duration and
	 * reported through slow; 0 = never.
	 */
	uint32_t slow_commit_warn_ms;
	void	(*slow)(void *arg, int64_t usec);
};

/*
 * Start the writer thread over store.  It first reads the newest entry's
 * recorded_at, below which it never stamps an entry, even if the clock
 * goes back.  done(job, arg) is called on base's thread for every finished
 * job, in submission order, only after the job's group has committed (or
 * failed).  Returns 0 and the writer, or -1 (logged) when the newest
 * entry cannot be read or memory, the event or the thread cannot be had.
 *
 * Caveat: store, base and arg must outlive the writer, and nothing else
 * may hold a write transaction on store: the writer would wait for it.
 */
int	writer_start(struct writer **, struct store *, struct event_base *,
	    writer_done_fn done, void *arg, const struct writer_hooks *);
/*
 * Queue job j for the writer and wake it (event loop thread).  Takes
 * ownership of j, which comes back through done; j->next is overwritten.
 * Never fails and never waits for the writer's work, only for its queue.
 *
 * Caveat: not after writer_stop() has begun.
 */
void	writer_submit(struct writer *, struct wjob *);
/*
 * Finish every queued job (each is decided and committed as usual), stop
 * and join the thread, hand the last finished jobs to done on the calling
 * thread, and free the writer.  NULL is a no-op.  Call it on the loop's
 * thread once nothing submits any more, before the event base is freed.
 */
void	writer_stop(struct writer *);
/*
 * Wall-clock microseconds since the epoch at which the last successful
 * group commit ended, 0 = none since start.  Any thread (it takes the
 * writer's mutex).
 */
int64_t	writer_last_commit(struct writer *);
/*
 * The oldest write not yet answered: the age in microseconds
 * (CLOCK_MONOTONIC) of the oldest job queued or in the group being
 * committed, 0 when there is none; *group (may be NULL) is the number of
 * the group in progress (0 = none), so that a watcher warns once per
 * stalled group.  Any thread.
 */
int64_t	writer_oldest_write(struct writer *, uint64_t *group);
/*
 * The decisions of a group, shared by the writer thread and a cluster
 * member's state machine (replica.h), which differ only in where the
 * transaction and the time come from.
 *
 * writer_decide(): decide every job of group, in list order, inside write
 * transaction t (apply_write for each WRITE and each BATCH item, with an
 * atomic batch in a nested transaction; witness_cosign for a COSIGN with
 * the job's logkey); now is every entry's recorded_at.  Each job's answer
 * frames go to j->out, its entries to j->nwritten, a whole-job refusal's
 * code to j->code.  The result depends only on t's state, the jobs'
 * type, role, actor, payload and logkey, and now; version, reqid and
 * max_frame shape the answers only.  Returns LD_OK, or LD_E_INTERNAL
 * when memory ran out before anything was decided.  A storage failure is
 * t's sticky error: the caller's commit then fails.
 *
 * writer_refuse(): after a failed commit, replace every job's answer by
 * one ERROR with code (STORAGE_ERROR says the write was not acknowledged
 * and how to check); nothing of the group counts as written.
 *
 * writer_answers_done(): after the commit, a job whose answer buffer ran
 * out of memory is answered INTERNAL instead.
 */
int	writer_decide(struct store_txn *t, struct wjob *group, int64_t now);
void	writer_refuse(struct wjob *group, int code);
void	writer_answers_done(struct wjob *group);
/*
 * Answered jobs on their way back to the event loop, for the writer and a
 * cluster member alike.  The owner sets mtx (its own mutex, which guards
 * head and tail), ev (an event of the loop's base whose callback is
 * wjob_handoff_cb and whose argument is this struct), done and arg.  The
 * worker thread, holding *mtx, appends a list of jobs with
 * wjob_handoff_put(), which activates ev; on the loop's thread the
 * callback takes the whole list under *mtx and hands each job, unlinked,
 * to done.  Called directly (fd -1), it delivers what is left at stop.
 */
struct wjob_handoff {
	pthread_mutex_t	*mtx;
	struct wjob	*head, *tail;
	struct event	*ev;
	writer_done_fn	 done;
	void		*arg;
};
void	wjob_handoff_put(struct wjob_handoff *, struct wjob *jobs);
void	wjob_handoff_cb(evutil_socket_t fd, short what, void *handoff);
/* Free j, its payload and its answer buffer (not j->conn); NULL is a no-op. */
void	wjob_free(struct wjob *);


#endif
