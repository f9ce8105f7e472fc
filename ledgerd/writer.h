/*
 * writer.h - the single writer: group commit on its own thread.
 *
 * Every write request of every connection is queued here as a job.  The
 * writer thread takes everything queued, opens ONE LMDB write transaction,
 * decides each request in queue order (so the rules see every earlier
 * request of the same group), commits once, and only then hands the jobs'
 * answers back to the event loop.  One fsync thus covers many requests,
 * and two clerks racing for the same award room are serialised inside the
 * transaction, so neither can overpay.
 *
 * Ownership: writer_submit() takes the job; the writer gives it back
 * through the done callback on the event loop's thread, which frees it.
 */
#ifndef LD_WRITER_H
#define LD_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "store.h"
#include "wire.h"

struct event_base;
struct conn;

struct wjob {
	struct wjob	*next;
	struct conn	*conn;		/* requester; conn->clt_pending keeps it */
	uint32_t	 reqid;
	uint8_t		 type;		/* MSG_WRITE or MSG_WRITE_BATCH */
	int		 role;		/* enum role, looked up at submission */
	char		 actor[LD_ACTOR_MAX + 1];
	uint32_t	 max_frame;
	uint8_t		*payload;	/* owned copy of the request payload */
	size_t		 len;
	struct wbuf	 out;		/* answer frames, written by the writer */
	uint32_t	 nwritten;	/* entries appended (for statistics) */
	int		 code;		/* LD_OK, or the code of a whole-job
					   ERROR answer (for statistics) */
};

struct writer;

typedef void	(*writer_done_fn)(struct wjob *, void *arg);

/*
 * What the writer reports, as plain numbers, to whoever keeps figures
 * (ledgerd.c wires it to metrics.c).  Called on the writer thread after
 * each group commit, successful or not: the requests in the group, the
 * entries it appended (0 when the commit failed) and the time it took.
 * NULL hooks or a NULL commit are allowed.
 */
struct writer_hooks {
	void	(*commit)(void *arg, uint32_t requests, uint64_t entries,
		    int64_t usec);
	void	*arg;
};

/*
 * Start the writer thread.  done is called on base's thread for every
 * finished job.  Returns 0 or -1 (logged).
 */
int	writer_start(struct writer **, struct store *, struct event_base *,
	    writer_done_fn done, void *arg, const struct writer_hooks *);
/* Queue a job (event loop thread). */
void	writer_submit(struct writer *, struct wjob *);
/* Finish every queued job, then stop the thread and free the writer. */
void	writer_stop(struct writer *);
/* Microseconds since the epoch of the last successful commit, 0 = none. */
int64_t	writer_last_commit(struct writer *);
void	wjob_free(struct wjob *);


#endif
