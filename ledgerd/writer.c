/*
 * writer.c - group commit: one thread, one write transaction for many
 * requests, answers only after the commit returned.
 *
 * The event loop queues jobs (one WRITE or one BATCH each) under wr_mtx and
 * signals wr_cond.  The writer thread takes the whole queue, up to
 * WRITER_GROUP_MAX requests, decides them in order inside one transaction
 * and commits.  Each job's answer frames are encoded while it is applied;
 * if the commit then fails, every answer of the group is replaced by the
 * commit's error (STORAGE_FULL, STORAGE_ERROR or INTERNAL): nothing of the
 * group is acknowledged.
 *
 * Storage failure (contract 2.10, docs/DURABILITY.md): a commit that fails
 * with anything but a full map or disk that LMDB rolled back cleanly (its
 * environment still begins a transaction) puts the store in its failed
 * state: this group and every job after it is answered STORAGE_ERROR, and
 * the failed hook tells the daemon to stop, so that systemd restarts it
 * on a freshly checked file.  A commit slower than slow_commit_warn_ms is
 * logged with its duration, and the oldest unanswered write's age is
 * there for `status` (writer_oldest_write()).  Finished jobs go back to
 * the loop through wr_done, a wjob_handoff (writer.h): an event that
 * libevent lets another thread activate once evthread_use_pthreads() has
 * been called.
 *
 * A refused request writes nothing because every rule is checked before the
 * first put.  Only a storage failure can strike half-way through a request;
 * that error is sticky in the transaction, so the whole group fails.  An
 * atomic batch runs in a nested transaction that is aborted when any of its
 * items is refused.
 *
 * Trade-off: while the thread waits for fsync, new requests queue up and
 * form the next group; the loop keeps serving reads meanwhile.
 *
 * The deciding loop (writer_decide) and the answers of a failed group
 * (writer_refuse) are shared with a cluster member's state machine
 * (replica.c), which decides the same groups in its own transaction once
 * Raft has committed them: one code path decides every write, alone or
 * replicated.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "apply.h"
#include "clock.h"
#include "errors.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "witness.h"
#include "writer.h"

#define WRITER_GROUP_MAX	8192	/* requests per transaction */
/* Below this much room, an I/O error from a commit is a full disk. */
#define WRITER_FS_FULL_BYTES	(4u << 20)

struct writer {
	pthread_t		 wr_thread;
	pthread_mutex_t		 wr_mtx;
	pthread_cond_t		 wr_cond;
	struct wjob		*wr_head, *wr_tail;	/* queued, under wr_mtx */
	struct wjob_handoff	 wr_done;	/* finished, under wr_mtx */
	int			 wr_stop;
	struct store		*wr_store;
	int64_t			 wr_last_time;	/* recorded_at of the newest entry */
	struct writer_hooks	 wr_hooks;
	int64_t			 wr_last_commit;	/* under wr_mtx */
	int64_t			 wr_running_since;	/* oldest job of the
						   group in progress, 0 = none;
						   under wr_mtx */
	uint64_t		 wr_group;	/* groups begun; under wr_mtx */
	int			 wr_failed;	/* failed hook called */
};

/* A whole-job refusal: one ERROR answer, and its code for the figures. */
static void
job_error(struct wjob *j, int code, const char *msg)
{
	j->code = code;
	msg_put_error(&j->out, j->reqid, code, msg);
}

/* A refusal with what apply_write() said about it; figures from protocol 3. */
static void
job_refusal(struct wjob *j, int code, const struct apply_why *why)
{
	j->code = code;
	msg_put_refusal(&j->out, j->reqid, code, why->msg[0] != '\0' ?
	    why->msg : NULL, j->version >= 3 ? &why->f : NULL);
}

/* Accumulates BATCH_RESULT items and flushes them as frames <= max_frame. */
struct bresult_out {
	struct wbuf	*out;
	struct wbuf	 chunk;
	size_t		 count_off;
	uint32_t	 first, count, max_frame, reqid;
};

static void
bro_flush(struct bresult_out *b, int more)
{
	msg_bresult_finish(&b->chunk, b->count_off, b->count);
	frame_put(b->out, MSG_BATCH_RESULT, more ? FRAME_F_MORE : 0,
	    b->reqid, b->chunk.data, b->chunk.len);
	b->first += b->count;
	b->count = 0;
	wbuf_reset(&b->chunk);
	msg_bresult_begin(&b->chunk, b->first, &b->count_off);
}

/* Make room for an item of about need bytes, flushing a full chunk. */
static void
bro_room(struct bresult_out *b, size_t need)
{
	if (b->count > 0 &&
	    FRAME_HDR_LEN + b->chunk.len + need > b->max_frame)
		bro_flush(b, 1);
}

static void
bro_ok(struct bresult_out *b, int dup, const uint8_t *enc, size_t len)
{
	bro_room(b, 7 + len);
	msg_bresult_add_ok(&b->chunk, dup, enc, len);
	b->count++;
}

static void
bro_err(struct bresult_out *b, int code, const char *msg)
{
	if (msg == NULL)
		msg = ld_err_text(code);
	bro_room(b, 4 + strlen(msg));
	msg_bresult_add_err(&b->chunk, code, msg);
	b->count++;
}

/* One result of an atomic batch, kept until we know whether it commits. */
struct aresult {
	int	 code;
	int	 dup;
	uint8_t	*enc;
	size_t	 len;
	char	*msg;		/* a refusal's message; NULL = the default */
};

static void
run_batch(struct store_txn *t, struct wjob *j,
    struct ld_entry *req, int64_t now)
{
	struct msg_batch_iter it;
	struct bresult_out b;
	struct store_txn *nt = NULL, *use = t;
	struct aresult *ar = NULL;
	struct apply_why why;
	const uint8_t *enc;
	size_t len;
	uint32_t i;
	int rc, dup = 0, atomic, refused = 0, r;

	if (msg_batch_open(&it, j->payload, j->len) != 0) {
		job_error(j, LD_E_BAD_REQUEST, "malformed batch");
		return;
	}
	atomic = (it.flags & MSG_BATCH_ATOMIC) != 0;
	if (atomic) {
		if ((ar = calloc(it.count ? it.count : 1, sizeof(*ar))) == NULL ||
		    store_begin_nested(t, &nt) != LD_OK) {
			free(ar);
			job_error(j, LD_E_INTERNAL, NULL);
			return;
		}
		use = nt;
	}
	memset(&b, 0, sizeof(b));
	b.out = &j->out;
	b.max_frame = j->max_frame;
	b.reqid = j->reqid;
	wbuf_init(&b.chunk);
	msg_bresult_begin(&b.chunk, 0, &b.count_off);

	for (i = 0; i < it.count; i++) {
		r = msg_batch_next(&it, req);
		why.msg[0] = '\0';
		if (r != 1)
			rc = LD_E_BAD_REQUEST;
		else
			rc = apply_write(use, j->role, j->actor, now, req,
			    &dup, &enc, &len, &why);
		if (rc == LD_OK && !dup)
			j->nwritten++;
		if (atomic) {
			ar[i].code = rc;
			ar[i].dup = dup;
			if (rc == LD_OK) {
				if ((ar[i].enc = malloc(len)) == NULL)
					ar[i].code = LD_E_INTERNAL;
				else {
					memcpy(ar[i].enc, enc, len);
					ar[i].len = len;
				}
			}
			if (ar[i].code != LD_OK) {
				refused = 1;
				if (why.msg[0] != '\0')
					ar[i].msg = strdup(why.msg);
			}
			if (store_error(use) != LD_OK)
				break;	/* the nested txn is dead */
		} else if (rc == LD_OK)
			bro_ok(&b, dup, enc, len);
		else
			bro_err(&b, rc, why.msg[0] != '\0' ? why.msg : NULL);
		if (store_error(t) != LD_OK)
			break;	/* the group fails at commit */
	}
	if (atomic) {
		if (i < it.count)
			refused = 1;
		if (refused || store_error(use) != LD_OK) {
			store_abort(nt);
			j->nwritten = 0;
		} else if ((rc = store_commit(nt)) != LD_OK) {
			refused = 1;
			for (i = 0; i < it.count; i++)
				if (ar[i].code == LD_OK)
					ar[i].code = rc;
		}
		for (i = 0; i < it.count; i++) {
			if (ar[i].code != LD_OK)
				bro_err(&b, ar[i].code, ar[i].msg);
			else if (refused)
				bro_err(&b, LD_E_UNAVAILABLE,
				    "atomic batch not written");
			else
				bro_ok(&b, ar[i].dup, ar[i].enc, ar[i].len);
			free(ar[i].enc);
			free(ar[i].msg);
		}
		free(ar);
	} else {
		for (; i < it.count; i++)
			bro_err(&b, store_error(t), NULL);
	}
	bro_flush(&b, 0);
	wbuf_free(&b.chunk);
}

static void
run_write(struct store_txn *t, struct wjob *j,
    struct ld_entry *req, int64_t now)
{
	struct apply_why why;
	struct wbuf p;
	const uint8_t *enc;
	size_t len;
	int rc, dup;

	if (msg_decode_write(j->payload, j->len, req) != 0) {
		job_error(j, LD_E_BAD_REQUEST, "malformed write request");
		return;
	}
	rc = apply_write(t, j->role, j->actor, now, req, &dup, &enc, &len, &why);
	if (rc != LD_OK) {
		job_refusal(j, rc, &why);
		return;
	}
	if (!dup)
		j->nwritten++;
	wbuf_init(&p);
	msg_encode_entry(&p, dup, enc, len);
	frame_put(&j->out, MSG_ENTRY, 0, j->reqid, p.data, p.len);
	wbuf_free(&p);
}

/*
 * After a failed group: decide whether LMDB can go on (a full map or disk
 * it rolled back) or the store has failed (docs/DURABILITY.md), and say
 * which in the log, with the call and errno.  Returns the code the group
 * is answered with.
 */
static int
commit_failed(struct writer *w, int rc)
{
	char cause[STORE_ERRTEXT_MAX], why[STORE_ERRTEXT_MAX + 64];
	uint64_t avail, total;

	if (store_failed(w->wr_store, NULL, 0))
		return LD_E_STORAGE_ERROR;	/* said once already */
	store_last_error(w->wr_store, cause, sizeof(cause));
	if (rc == LD_E_STORAGE_FULL && store_env_usable(w->wr_store)) {
		log_warnx("write transaction failed: STORAGE_FULL (%s); every "
		    "request of the group refused, the ledger is unchanged",
		    cause[0] != '\0' ? cause : "map full");
		return rc;
	}
	/*
	 * LMDB turns a short page write into EIO, and a short write is how a
	 * filesystem that runs out of room answers; the meta page was not
	 * written, so the ledger is as it was.  A disk with (next to) no
	 * room left is therefore a full disk, not a failing one.
	 */
	if (rc == LD_E_STORAGE_ERROR && store_env_usable(w->wr_store) &&
	    store_fs_space(w->wr_store, &avail, &total) == LD_OK &&
	    avail < WRITER_FS_FULL_BYTES) {
		log_warnx("write transaction failed: STORAGE_FULL (%s, with %llu "
		    "bytes free on the filesystem); every request of the group "
		    "refused, the ledger is unchanged", cause,
		    (unsigned long long)avail);
		return LD_E_STORAGE_FULL;
	}
	if (rc != LD_E_STORAGE_FULL && rc != LD_E_STORAGE_ERROR &&
	    store_env_usable(w->wr_store)) {
		/* A decision or encoding failure, not the disk's. */
		log_warnx("write transaction failed: %s; every request of the "
		    "group refused", ld_err_name(rc));
		return rc;
	}
	snprintf(why, sizeof(why), "commit failed: %s",
	    cause[0] != '\0' ? cause : ld_err_name(rc));
	store_fail(w->wr_store, why);
	return LD_E_STORAGE_ERROR;
}

int
writer_decide(struct store_txn *t, struct wjob *group, int64_t now)
{
	struct ld_entry *req;
	struct wjob *j;

	if ((req = malloc(sizeof(*req))) == NULL)
		return LD_E_INTERNAL;
	for (j = group; j != NULL; j = j->next) {
		if (j->type == MSG_WRITE_BATCH)
			run_batch(t, j, req, now);
		else if (j->type == MSG_COSIGN)
			j->code = witness_cosign(t, &j->logkey, j->role,
			    j->reqid, j->payload, j->len, &j->out);
		else
			run_write(t, j, req, now);
	}
	free(req);
	return LD_OK;
}

void
writer_refuse(struct wjob *group, int code)
{
	struct wjob *j;

	for (j = group; j != NULL; j = j->next) {
		wbuf_reset(&j->out);
		j->nwritten = 0;
		job_error(j, code, code == LD_E_STORAGE_ERROR ?
		    "the ledger's storage failed: this write was not "
		    "acknowledged; ledgerd restarts, then check with "
		    "get or find, or retry with the same --id" : NULL);
	}
}

void
writer_answers_done(struct wjob *group)
{
	struct wjob *j;

	for (j = group; j != NULL; j = j->next)
		if (j->out.err) {
			wbuf_reset(&j->out);
			job_error(j, LD_E_INTERNAL, "out of memory");
		}
}

/* Decide a whole group in one transaction; answers are final after this. */
static void
run_group(struct writer *w, struct wjob *group)
{
	struct store_txn *t = NULL;
	int64_t now = wall_us(), c0, cus;
	int rc;

	/*
	 * recorded_at never goes back, even when the clock does: the rules
	 * that depend on "today" read it (contract 2.10), and a replay must
	 * see the same order of days as the writer did.
	 */
	if (now < w->wr_last_time)
		now = w->wr_last_time;

	if ((rc = store_begin(w->wr_store, 1, &t)) == LD_OK) {
		if ((rc = writer_decide(t, group, now)) != LD_OK) {
			store_abort(t);
			t = NULL;
		}
	}
	if (rc == LD_OK) {
		c0 = mono_us();
		rc = store_commit(t);
		cus = mono_us() - c0;
		if (w->wr_hooks.slow_commit_warn_ms != 0 &&
		    cus >= (int64_t)w->wr_hooks.slow_commit_warn_ms * 1000) {
			log_warnx("slow commit: %lld ms to write and sync a group "
			    "of %s (slow_commit_warn_ms = %u)",
			    (long long)(cus / 1000), rc == LD_OK ? "writes" :
			    "writes that then failed",
			    w->wr_hooks.slow_commit_warn_ms);
			if (w->wr_hooks.slow != NULL)
				w->wr_hooks.slow(w->wr_hooks.arg, cus);
		}
	}
	if (rc == LD_OK)
		w->wr_last_time = now;
	if (rc != LD_OK) {
		rc = commit_failed(w, rc);
		writer_refuse(group, rc);
		if (rc == LD_E_STORAGE_ERROR && !w->wr_failed) {
			char why[STORE_ERRTEXT_MAX];

			w->wr_failed = 1;
			store_failed(w->wr_store, why, sizeof(why));
			if (w->wr_hooks.failed != NULL)
				w->wr_hooks.failed(w->wr_hooks.arg, why);
		}
	}
	writer_answers_done(group);
	pthread_mutex_lock(&w->wr_mtx);
	if (rc == LD_OK)
		w->wr_last_commit = wall_us();
	pthread_mutex_unlock(&w->wr_mtx);
}

/* Requests a job carries, for sizing groups: a batch's count, else one. */
static uint32_t
job_weight(const struct wjob *j)
{
	if (j->type == MSG_WRITE_BATCH && j->len >= 5)
		return be32_get(j->payload + 1);
	return 1;
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct wjob *group, *last, *j;
	uint64_t entries;
	uint64_t weight;	/* batch counts come from the wire: no wrap */
	int64_t t0;

	pthread_mutex_lock(&w->wr_mtx);
	for (;;) {
		while (w->wr_head == NULL && !w->wr_stop)
			pthread_cond_wait(&w->wr_cond, &w->wr_mtx);
		if (w->wr_head == NULL)
			break;	/* stopping and drained */
		group = last = w->wr_head;
		weight = job_weight(group);
		while (last->next != NULL &&
		    weight + job_weight(last->next) <= WRITER_GROUP_MAX) {
			last = last->next;
			weight += job_weight(last);
		}
		w->wr_head = last->next;
		if (w->wr_head == NULL)
			w->wr_tail = NULL;
		last->next = NULL;
		w->wr_running_since = group->queued_us;
		w->wr_group++;
		pthread_mutex_unlock(&w->wr_mtx);

		t0 = mono_us();
		run_group(w, group);
		if (w->wr_hooks.commit != NULL) {
			for (entries = 0, j = group; j != NULL; j = j->next)
				entries += j->nwritten;
			w->wr_hooks.commit(w->wr_hooks.arg, (uint32_t)weight,
			    entries, mono_us() - t0);
		}

		pthread_mutex_lock(&w->wr_mtx);
		w->wr_running_since = 0;
		wjob_handoff_put(&w->wr_done, group);
	}
	pthread_mutex_unlock(&w->wr_mtx);
	return NULL;
}

void
wjob_handoff_put(struct wjob_handoff *h, struct wjob *jobs)
{
	struct wjob *last;

	if (jobs == NULL)
		return;
	for (last = jobs; last->next != NULL; last = last->next)
		;
	if (h->tail != NULL)
		h->tail->next = jobs;
	else
		h->head = jobs;
	h->tail = last;
	event_active(h->ev, EV_READ, 0);
}

/* On the loop's thread: hand finished jobs back to their connections. */
void
wjob_handoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wjob_handoff *h = arg;
	struct wjob *j, *next;

	(void)fd;
	(void)what;
	pthread_mutex_lock(h->mtx);
	j = h->head;
	h->head = h->tail = NULL;
	pthread_mutex_unlock(h->mtx);
	for (; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		h->done(j, h->arg);
	}
}

/* The newest entry's recorded_at, so that time never goes back. */
static int
last_time(struct store *st, int64_t *out)
{
	struct store_txn *t;
	struct ld_entry *e;
	int rc;

	*out = 0;
	if ((e = malloc(sizeof(*e))) == NULL)
		return -1;
	if ((rc = store_begin(st, 0, &t)) == LD_OK) {
		if (store_size(t) > 0 &&
		    (rc = store_get(t, store_size(t), e)) == LD_OK)
			*out = e->recorded_at;
		store_abort(t);
	}
	free(e);
	return rc == LD_OK ? 0 : -1;
}

int
writer_start(struct writer **out, struct store *store,
    struct event_base *base, writer_done_fn done, void *arg,
    const struct writer_hooks *hooks)
{
	struct writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warn("writer");
		return -1;
	}
	w->wr_store = store;
	if (last_time(store, &w->wr_last_time) == -1) {
		log_warnx("writer: cannot read the newest entry");
		free(w);
		return -1;
	}
	if (hooks != NULL)
		w->wr_hooks = *hooks;
	pthread_mutex_init(&w->wr_mtx, NULL);
	pthread_cond_init(&w->wr_cond, NULL);
	w->wr_done.mtx = &w->wr_mtx;
	w->wr_done.done = done;
	w->wr_done.arg = arg;
	if ((w->wr_done.ev = event_new(base, -1, 0, wjob_handoff_cb,
	    &w->wr_done)) == NULL)
		goto fail;
	if ((errno = pthread_create(&w->wr_thread, NULL, writer_main, w)) != 0) {
		log_warn("writer thread");
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w->wr_done.ev != NULL)
		event_free(w->wr_done.ev);
	pthread_cond_destroy(&w->wr_cond);
	pthread_mutex_destroy(&w->wr_mtx);
	free(w);
	return -1;
}

void
writer_submit(struct writer *w, struct wjob *j)
{
	j->next = NULL;
	j->queued_us = mono_us();
	pthread_mutex_lock(&w->wr_mtx);
	if (w->wr_tail != NULL)
		w->wr_tail->next = j;
	else
		w->wr_head = j;
	w->wr_tail = j;
	pthread_cond_signal(&w->wr_cond);
	pthread_mutex_unlock(&w->wr_mtx);
}

void
writer_stop(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->wr_mtx);
	w->wr_stop = 1;
	pthread_cond_signal(&w->wr_cond);
	pthread_mutex_unlock(&w->wr_mtx);
	pthread_join(w->wr_thread, NULL);
	wjob_handoff_cb(-1, 0, &w->wr_done);	/* answers of the last group */
	event_free(w->wr_done.ev);
	pthread_cond_destroy(&w->wr_cond);
	pthread_mutex_destroy(&w->wr_mtx);
	free(w);
}

int64_t
writer_last_commit(struct writer *w)
{
	int64_t v;

	pthread_mutex_lock(&w->wr_mtx);
	v = w->wr_last_commit;
	pthread_mutex_unlock(&w->wr_mtx);
	return v;
}

int64_t
writer_oldest_write(struct writer *w, uint64_t *group)
{
	int64_t since;

	pthread_mutex_lock(&w->wr_mtx);
	since = w->wr_running_since;
	if (since == 0 && w->wr_head != NULL)
		since = w->wr_head->queued_us;
	if (group != NULL)
		*group = w->wr_running_since != 0 ? w->wr_group : 0;
	pthread_mutex_unlock(&w->wr_mtx);
	return since == 0 ? 0 : mono_us() - since;
}

void
wjob_free(struct wjob *j)
{
	if (j == NULL)
		return;
	free(j->payload);
	wbuf_free(&j->out);
	free(j);
}
