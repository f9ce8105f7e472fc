/*
 * writer.c - group commit: one thread, one write transaction for many
 * requests, answers only after the commit returned.
 *
 * The event loop queues jobs (one WRITE or one BATCH each) under wr_mtx and
 * signals wr_cond.  The writer thread takes the whole queue, up to
 * WRITER_GROUP_MAX requests, decides them in order inside one transaction
 * and commits.  Each job's answer frames are encoded while it is applied;
 * if the commit then fails, every answer of the group is replaced by the
 * commit's error (STORAGE_FULL or INTERNAL): nothing of the group was
 * written, and nothing is acknowledged.  Finished jobs go back to the loop
 * through wr_done_ev, which libevent lets another thread activate once
 * evthread_use_pthreads() has been called.
 *
 * A refused request writes nothing because every rule is checked before the
 * first put.  Only a storage failure can strike half-way through a request;
 * that error is sticky in the transaction, so the whole group fails.  An
 * atomic batch runs in a nested transaction that is aborted when any of its
 * items is refused.
 *
 * Trade-off: while the thread waits for fsync, new requests queue up and
 * form the next group; the loop keeps serving reads meanwhile.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "errors.h"
#include "frame.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "writer.h"

#define WRITER_GROUP_MAX	8192	/* requests per transaction */

struct writer {
	pthread_t		 wr_thread;
	pthread_mutex_t		 wr_mtx;
	pthread_cond_t		 wr_cond;
	struct wjob		*wr_head, *wr_tail;	/* queued, under wr_mtx */
	struct wjob		*wr_done, *wr_done_tail;	/* finished, under wr_mtx */
	int			 wr_stop;
	struct event		*wr_done_ev;
	struct store		*wr_store;
	struct rules_limits	 wr_limits;
	writer_done_fn		 wr_done_fn;
	void			*wr_arg;
	int64_t			 wr_last_commit;	/* under wr_mtx */
};

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
frame_append(struct wbuf *out, uint8_t type, uint16_t flags, uint32_t reqid,
    const uint8_t *payload, size_t len)
{
	struct frame_hdr h = { type, flags, reqid, (uint32_t)len };
	uint8_t hdr[FRAME_HDR_LEN];

	frame_hdr_encode(hdr, &h);
	wbuf_put(out, hdr, sizeof(hdr));
	wbuf_put(out, payload, len);
}

static void
append_error(struct wbuf *out, uint32_t reqid, int code, const char *msg)
{
	struct wbuf p;

	wbuf_init(&p);
	msg_encode_error(&p, code, msg ? msg : ld_err_text(code));
	frame_append(out, MSG_ERROR, 0, reqid, p.data, p.len);
	wbuf_free(&p);
}

/*
 * Region grant types, cached for the writer thread: a region never changes
 * once registered, and decoding its entry (a Japanese name validated as
 * UTF-8) for every payment was a tenth of the writer's time.  A region seen
 * inside a transaction that is then aborted must not stay cached, so every
 * abort clears the cache (grant_cache_clear); only the writer touches it.
 */
#define GRANT_CACHE_SLOTS	1024	/* power of two; full = uncached */

static struct grant_slot {
	char	code[LD_CODE_MAX + 1];
	uint8_t	grant;
} grant_cache[GRANT_CACHE_SLOTS];

static void
grant_cache_clear(void)
{
	memset(grant_cache, 0, sizeof(grant_cache));
}

/* The slot of code: holding it, or empty where it would go; NULL if full. */
static struct grant_slot *
grant_slot(const char *code)
{
	uint32_t h = 2166136261u, i, n;

	for (const char *p = code; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (n = 0; n < GRANT_CACHE_SLOTS; n++) {
		i = (h + n) & (GRANT_CACHE_SLOTS - 1);
		if (grant_cache[i].code[0] == '\0' ||
		    strcmp(grant_cache[i].code, code) == 0)
			return &grant_cache[i];
	}
	return NULL;
}

/* The grant type of a registered region, 0 when the region is unknown. */
static int
region_grant(struct store_txn *t, const char *code, int *grant)
{
	struct grant_slot *s;
	struct ld_entry *r;
	uint64_t seq;
	int rc;

	*grant = 0;
	if (code[0] == '\0')
		return store_error(t);
	if ((s = grant_slot(code)) != NULL && s->code[0] != '\0') {
		*grant = s->grant;
		return LD_OK;
	}
	if (store_find_region(t, code, &seq) != LD_OK)
		return store_error(t);
	if ((r = malloc(sizeof(*r))) == NULL)
		return LD_E_INTERNAL;
	rc = store_get(t, seq, r);
	if (rc == LD_OK) {
		*grant = r->grant_type;
		if (s != NULL) {
			memcpy(s->code, code, strlen(code) + 1);
			s->grant = r->grant_type;
		}
	}
	free(r);
	return rc;
}

int
writer_apply(struct store_txn *t, const struct rules_limits *lim, int role,
    const char *actor, int64_t now, struct ld_entry *req, int *dup,
    const uint8_t **enc, size_t *len)
{
	struct ld_entry *target = NULL, *stored = NULL;
	struct rules_view v;
	const char *region = "";
	uint64_t seq, by;
	uint8_t account = 0;
	uint16_t fy = 0;
	int rc, grant = 0, target_kind = 0;

	*dup = 0;
	memset(&v, 0, sizeof(v));
	if ((rc = rules_validate(req)) != LD_OK)
		return rc;
	if (req->kind == LD_K_REVERSAL) {
		if ((target = malloc(sizeof(*target))) == NULL)
			return LD_E_INTERNAL;
		rc = store_get(t, req->reverses, target);
		if (rc == LD_OK) {
			target_kind = target->kind;
			v.target = target;
		} else if (rc != LD_E_NOT_FOUND)
			goto done;
	}
	if ((rc = rules_authorize(role, req, target_kind)) != LD_OK)
		goto done;

	if (req->id[0] != '\0' && store_find_id(t, req->id, &seq) == LD_OK) {
		if ((stored = malloc(sizeof(*stored))) == NULL) {
			rc = LD_E_INTERNAL;
			goto done;
		}
		if ((rc = store_get(t, seq, stored)) != LD_OK)
			goto done;
		if (!rules_same_request(stored, req)) {
			rc = LD_E_ID_CONFLICT;
			goto done;
		}
		*dup = 1;
		rc = store_get_raw(t, seq, enc, len);
		goto done;
	}
	if ((rc = store_error(t)) != LD_OK)
		goto done;

	if (req->kind == LD_K_REGION) {
		v.region_known = store_find_region(t, req->region, &seq) == LD_OK;
	} else if (req->region[0] != '\0') {
		if ((rc = region_grant(t, req->region, &grant)) != LD_OK)
			goto done;
		v.region_known = grant != 0;
		v.region_grant = (uint8_t)grant;
	}
	if (v.target != NULL) {
		v.target_reversed = store_reversed_by(t, target->seq, &by) == LD_OK;
		if (target->region[0] != '\0' &&
		    (rc = region_grant(t, target->region, &grant)) != LD_OK)
			goto done;
	}
	rules_scope(req, grant, v.target, &account, &fy, &region);
	if (account != 0 && fy != 0)
		store_acct_bal(t, account, fy, &v.acct);
	if (region[0] != '\0' && fy != 0) {
		store_region_bal(t, region, fy, &v.rbal);
		v.rbal.grant_type = (uint8_t)grant;
		v.rbal.account = account;
	}
	if ((rc = store_error(t)) != LD_OK)
		goto done;

	if ((rc = rules_apply(lim, req, &v)) != LD_OK)
		goto done;
	snprintf(req->actor, sizeof(req->actor), "%s", actor);
	req->recorded_at = now;
	if (req->kind == LD_K_AWARD)
		v.rbal.award_seq = store_size(t) + 1;
	rc = store_append(t, req, account != 0 && fy != 0 ? &v.acct : NULL,
	    region[0] != '\0' && fy != 0 ? &v.rbal : NULL, enc, len);
done:
	free(target);
	free(stored);
	return rc;
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
	frame_append(b->out, MSG_BATCH_RESULT, more ? FRAME_F_MORE : 0,
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
};

static void
run_batch(struct writer *w, struct store_txn *t, struct wjob *j,
    struct ld_entry *req, int64_t now)
{
	struct msg_batch_iter it;
	struct bresult_out b;
	struct store_txn *nt = NULL, *use = t;
	struct aresult *ar = NULL;
	const uint8_t *enc;
	size_t len;
	uint32_t i;
	int rc, dup, atomic, refused = 0, r;

	if (msg_batch_open(&it, j->payload, j->len) != 0) {
		append_error(&j->out, j->reqid, LD_E_BAD_REQUEST, "malformed batch");
		return;
	}
	atomic = (it.flags & MSG_BATCH_ATOMIC) != 0;
	if (atomic) {
		if ((ar = calloc(it.count ? it.count : 1, sizeof(*ar))) == NULL ||
		    store_begin_nested(t, &nt) != LD_OK) {
			free(ar);
			append_error(&j->out, j->reqid, LD_E_INTERNAL, NULL);
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
		if (r != 1)
			rc = LD_E_BAD_REQUEST;
		else
			rc = writer_apply(use, &w->wr_limits, j->role, j->actor,
			    now, req, &dup, &enc, &len);
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
			if (ar[i].code != LD_OK)
				refused = 1;
			if (store_error(use) != LD_OK)
				break;	/* the nested txn is dead */
		} else if (rc == LD_OK)
			bro_ok(&b, dup, enc, len);
		else
			bro_err(&b, rc, NULL);
		if (store_error(t) != LD_OK)
			break;	/* the group fails at commit */
	}
	if (atomic) {
		if (i < it.count)
			refused = 1;
		if (refused || store_error(use) != LD_OK) {
			store_abort(nt);
			grant_cache_clear();
			j->nwritten = 0;
		} else if ((rc = store_commit(nt)) != LD_OK) {
			refused = 1;
			for (i = 0; i < it.count; i++)
				if (ar[i].code == LD_OK)
					ar[i].code = rc;
		}
		for (i = 0; i < it.count; i++) {
			if (ar[i].code != LD_OK)
				bro_err(&b, ar[i].code, NULL);
			else if (refused)
				bro_err(&b, LD_E_UNAVAILABLE,
				    "atomic batch not written");
			else
				bro_ok(&b, ar[i].dup, ar[i].enc, ar[i].len);
			free(ar[i].enc);
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
run_write(struct writer *w, struct store_txn *t, struct wjob *j,
    struct ld_entry *req, int64_t now)
{
	struct wbuf p;
	const uint8_t *enc;
	size_t len;
	int rc, dup;

	if (msg_decode_write(j->payload, j->len, req) != 0) {
		append_error(&j->out, j->reqid, LD_E_BAD_REQUEST,
		    "malformed write request");
		return;
	}
	rc = writer_apply(t, &w->wr_limits, j->role, j->actor, now, req, &dup,
	    &enc, &len);
	if (rc != LD_OK) {
		append_error(&j->out, j->reqid, rc, NULL);
		return;
	}
	if (!dup)
		j->nwritten++;
	wbuf_init(&p);
	msg_encode_entry(&p, dup, enc, len);
	frame_append(&j->out, MSG_ENTRY, 0, j->reqid, p.data, p.len);
	wbuf_free(&p);
}

/* Decide a whole group in one transaction; answers are final after this. */
static void
run_group(struct writer *w, struct wjob *group)
{
	struct store_txn *t = NULL;
	struct ld_entry *req;
	struct wjob *j;
	int64_t now = now_us();
	int rc;

	req = malloc(sizeof(*req));
	rc = req == NULL ? LD_E_INTERNAL : store_begin(w->wr_store, 1, &t);
	if (rc == LD_OK) {
		for (j = group; j != NULL; j = j->next) {
			if (j->type == MSG_WRITE_BATCH)
				run_batch(w, t, j, req, now);
			else
				run_write(w, t, j, req, now);
		}
		rc = store_commit(t);
	}
	free(req);
	if (rc != LD_OK) {
		grant_cache_clear();
		log_warnx("write transaction failed: %s; %s", ld_err_name(rc),
		    "every request of the group refused");
		for (j = group; j != NULL; j = j->next) {
			wbuf_reset(&j->out);
			j->nwritten = 0;
			append_error(&j->out, j->reqid, rc, NULL);
		}
	}
	for (j = group; j != NULL; j = j->next)
		if (j->out.err) {
			wbuf_reset(&j->out);
			append_error(&j->out, j->reqid, LD_E_INTERNAL,
			    "out of memory");
		}
	pthread_mutex_lock(&w->wr_mtx);
	if (rc == LD_OK)
		w->wr_last_commit = now_us();
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
	uint32_t weight;
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
		pthread_mutex_unlock(&w->wr_mtx);

		t0 = metrics_clock_us();
		run_group(w, group);
		metrics_commit(group, weight, metrics_clock_us() - t0);

		pthread_mutex_lock(&w->wr_mtx);
		if (w->wr_done_tail != NULL)
			w->wr_done_tail->next = group;
		else
			w->wr_done = group;
		for (j = group; j->next != NULL; j = j->next)
			;
		w->wr_done_tail = j;
		event_active(w->wr_done_ev, EV_READ, 0);
	}
	pthread_mutex_unlock(&w->wr_mtx);
	return NULL;
}

/* On the loop's thread: hand finished jobs back to their connections. */
static void
writer_done_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct writer *w = arg;
	struct wjob *j, *next;

	(void)fd;
	(void)ev;
	pthread_mutex_lock(&w->wr_mtx);
	j = w->wr_done;
	w->wr_done = w->wr_done_tail = NULL;
	pthread_mutex_unlock(&w->wr_mtx);
	for (; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		w->wr_done_fn(j, w->wr_arg);
	}
}

int
writer_start(struct writer **out, struct store *store,
    const struct rules_limits *lim, struct event_base *base,
    writer_done_fn done, void *arg)
{
	struct writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warn("writer");
		return -1;
	}
	w->wr_store = store;
	w->wr_limits = *lim;
	w->wr_done_fn = done;
	w->wr_arg = arg;
	pthread_mutex_init(&w->wr_mtx, NULL);
	pthread_cond_init(&w->wr_cond, NULL);
	if ((w->wr_done_ev = event_new(base, -1, 0, writer_done_cb, w)) == NULL)
		goto fail;
	if ((errno = pthread_create(&w->wr_thread, NULL, writer_main, w)) != 0) {
		log_warn("writer thread");
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w->wr_done_ev != NULL)
		event_free(w->wr_done_ev);
	pthread_cond_destroy(&w->wr_cond);
	pthread_mutex_destroy(&w->wr_mtx);
	free(w);
	return -1;
}

void
writer_submit(struct writer *w, struct wjob *j)
{
	j->next = NULL;
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
	writer_done_cb(-1, 0, w);	/* answers of the last group */
	event_free(w->wr_done_ev);
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

void
wjob_free(struct wjob *j)
{
	if (j == NULL)
		return;
	free(j->payload);
	wbuf_free(&j->out);
	free(j);
}
