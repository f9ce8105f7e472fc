/*
 * query.c - the read requests: answered on the event loop's thread from
 * short LMDB read transactions, never from the writer (see query.h for
 * the handlers' contract: they append frames to a buffer and return).
 *
 * Reads see the last committed state.  Long answers (LIST, REGION_LIST)
 * are streams: each step opens a read transaction, packs as many whole
 * entries as fit one frame and closes the transaction; the server asks for
 * the next step only while the connection's output is below its cap, so a
 * million-entry listing holds neither a long transaction (which would pin
 * LMDB pages) nor unbounded memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "errors.h"
#include "frame.h"
#include "log.h"
#include "query.h"
#include "scrub.h"
#include "rules.h"
#include "store.h"
#include "wire.h"

#define STREAM_STEP_MAX	4096	/* entries examined per read transaction */

/* Answer with payload p as one frame, or INTERNAL if it could not be built. */
static int
answer(struct wbuf *out, uint8_t type, uint16_t flags, uint32_t reqid,
    const struct wbuf *p)
{
	if (p->err)
		return msg_put_error(out, reqid, LD_E_INTERNAL, "out of memory");
	frame_put(out, type, flags, reqid, p->data, p->len);
	return LD_OK;
}

int
query_get(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	struct store_txn *t;
	const uint8_t *enc;
	size_t elen;
	struct wbuf p;
	uint64_t seq = req->seq;
	int rc;

	(void)s;
	if ((rc = store_begin(x->store, 0, &t)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	rc = store_get_raw(t, seq, &enc, &elen);
	if (rc == LD_OK) {
		wbuf_init(&p);
		msg_encode_entry(&p, 0, enc, elen);
		rc = answer(out, MSG_ENTRY, 0, reqid, &p);
		wbuf_free(&p);
	} else if (rc == LD_E_DAMAGED)
		query_put_damaged(x, out, reqid, seq);
	else
		msg_put_error(out, reqid, rc, rc == LD_E_NOT_FOUND ?
		    "no entry with that seq" : NULL);
	store_abort(t);
	return rc;
}

int
query_put_damaged(const struct readctx *x, struct wbuf *out, uint32_t reqid,
    uint64_t seq)
{
	struct msg_fields f;
	char msg[128];

	memset(&f, 0, sizeof(f));
	msg_field_add(&f, "seq", MSG_FIELD_INT, (int64_t)seq);
	snprintf(msg, sizeof(msg), "seq %llu: the stored entry does not match "
	    "its leaf hash", (unsigned long long)seq);
	return msg_put_refusal(out, reqid, LD_E_DAMAGED, msg,
	    x->version >= 3 ? &f : NULL);
}

/* Does an entry pass a LIST's filters? */
static int
list_match(const struct msg_list *q, const struct ld_entry *e)
{
	if (q->kind != 0 && e->kind != q->kind)
		return 0;
	if (q->fy != 0 && e->fy != q->fy)
		return 0;
	if (q->region[0] != '\0' && strcmp(q->region, e->region) != 0)
		return 0;
	return 1;
}

void
query_stream_free(struct stream *s)
{
	free(s->seqs);
	memset(s, 0, sizeof(*s));
}

int
query_stream_step(const struct readctx *x, struct stream *s, struct wbuf *out)
{
	struct store_txn *t;
	struct ld_entry *e = NULL;
	const uint8_t *enc;
	struct wbuf p;
	size_t elen, count_off, room = x->conf->max_frame_bytes - FRAME_HDR_LEN;
	uint64_t size, seq;
	uint32_t count = 0, examined = 0;
	int rc, more = 1;

	wbuf_init(&p);
	msg_entries_begin(&p, &count_off);
	if ((rc = store_begin(x->store, 0, &t)) != LD_OK)
		goto fail;
	if (!s->byseq && (e = malloc(sizeof(*e))) == NULL) {
		store_abort(t);
		rc = LD_E_INTERNAL;
		goto fail;
	}
	size = store_size(t);
	while (examined < STREAM_STEP_MAX) {
		if (s->byseq) {
			if (s->next >= s->nseqs) {
				more = 0;
				break;
			}
			seq = s->seqs[s->next];
		} else {
			seq = s->q.since;
			if (seq > size || (s->q.until != 0 && seq > s->q.until) ||
			    (s->q.limit != 0 && s->sent >= s->q.limit)) {
				more = 0;
				break;
			}
		}
		if ((rc = store_get_raw(t, seq, &enc, &elen)) != LD_OK) {
			store_abort(t);
			if (rc == LD_E_DAMAGED)
				goto damaged;
			goto fail;
		}
		examined++;
		if (!s->byseq) {
			if (entry_decode(e, enc, elen) != 0) {
				store_abort(t);
				rc = LD_E_INTERNAL;
				log_warnx("seq %llu does not decode",
				    (unsigned long long)seq);
				goto fail;
			}
			if (!list_match(&s->q, e)) {
				s->q.since++;
				continue;
			}
		}
		if (count > 0 && p.len + 4 + elen > room)
			break;	/* frame full; this entry starts the next */
		msg_entries_add(&p, enc, elen);
		count++;
		s->sent++;
		if (s->byseq)
			s->next++;
		else
			s->q.since++;
	}
	store_abort(t);
	free(e);
	msg_entries_finish(&p, count_off, count);
	/* A step that matched nothing sends nothing, unless it is the last. */
	if ((count > 0 || !more) && answer(out, MSG_ENTRIES, more ?
	    FRAME_F_MORE : 0, s->reqid, &p) != LD_OK)
		more = 0;
	wbuf_free(&p);
	return more;
damaged:
	/*
	 * The entries before it are sent, then the stream ends with DAMAGED
	 * naming the seq (2.8): the client prints what it got, then the
	 * refusal.
	 */
	free(e);
	msg_entries_finish(&p, count_off, count);
	if (count > 0)
		answer(out, MSG_ENTRIES, FRAME_F_MORE, s->reqid, &p);
	wbuf_free(&p);
	query_put_damaged(x, out, s->reqid, seq);
	return 0;
fail:
	free(e);
	wbuf_free(&p);
	msg_put_error(out, s->reqid, rc, NULL);
	return 0;
}

int
query_list(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	(void)x;
	(void)out;
	query_stream_free(s);
	s->q = req->list;
	s->reqid = reqid;
	s->active = 1;
	return LD_OK;
}

/*
 * Start a stream of the entries whose seqs collect() finds in one read
 * transaction (REGION_LIST, FIND): the seqs are copied into s, the
 * entries themselves read step by step.
 */
static int
start_seqs(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s,
    int (*collect)(struct store_txn *, const union read_req *, uint64_t **,
    uint32_t *))
{
	struct store_txn *t;
	int rc;

	query_stream_free(s);
	if ((rc = store_begin(x->store, 0, &t)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	rc = collect(t, req, &s->seqs, &s->nseqs);
	store_abort(t);
	if (rc != LD_OK) {
		query_stream_free(s);
		return msg_put_error(out, reqid, rc, NULL);
	}
	s->byseq = 1;
	s->reqid = reqid;
	s->active = 1;
	return LD_OK;
}

static int
collect_regions(struct store_txn *t, const union read_req *req,
    uint64_t **seqs, uint32_t *n)
{
	(void)req;
	return store_region_seqs(t, seqs, n);
}

/* FIND: every entry with the ref, or the one with the id (none: none). */
static int
collect_found(struct store_txn *t, const union read_req *req, uint64_t **seqs,
    uint32_t *n)
{
	uint64_t seq;
	int rc;

	if (req->find.by == MSG_FIND_REF)
		return store_ref_seqs(t, req->find.key, seqs, n);
	if ((rc = store_find_id(t, req->find.key, &seq)) != LD_OK)
		return rc == LD_E_NOT_FOUND ? LD_OK : rc;
	if ((*seqs = malloc(sizeof(**seqs))) == NULL)
		return LD_E_INTERNAL;
	(*seqs)[0] = seq;
	*n = 1;
	return LD_OK;
}

int
query_regions(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	return start_seqs(x, reqid, req, out, s, collect_regions);
}

int
query_find(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	return start_seqs(x, reqid, req, out, s, collect_found);
}

/* APPROVALS: the seqs the approvals' derived state names. */
static int
collect_approvals(struct store_txn *t, const union read_req *req,
    uint64_t **seqs, uint32_t *n)
{
	const struct msg_approvals *q = &req->approvals;
	struct ld_policy p;
	int rc;

	if (q->what != MSG_APPR_POLICY)
		return store_request_seqs(t, q->what == MSG_APPR_OPEN, q->fy,
		    seqs, n);
	if ((rc = store_policy(t, &p)) != LD_OK || p.seq == 0)
		return rc;
	if ((*seqs = malloc(sizeof(**seqs))) == NULL)
		return LD_E_INTERNAL;
	(*seqs)[0] = p.seq;
	*n = 1;
	return LD_OK;
}

int
query_approvals(const struct readctx *x, uint32_t reqid,
    const union read_req *req, struct wbuf *out, struct stream *s)
{
	return start_seqs(x, reqid, req, out, s, collect_approvals);
}

/* Seconds of CLOCK_MONOTONIC: uptime survives a step of the wall clock. */
static int64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

int
query_scrub(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	uint8_t started;

	(void)req;
	(void)s;
	started = (uint8_t)scrub_request(x->scrub);
	frame_put(out, MSG_SCRUB_OK, 0, reqid, &started, 1);
	return out->err ? LD_E_INTERNAL : LD_OK;
}

/* Today's date in Japan: receivables are figures "as of today" (2.9). */
static uint32_t
today_jst(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return rules_jst_date((int64_t)ts.tv_sec * 1000000);
}

/* Fill rb->receivable: what is outstanding on its order as of today. */
static int
region_receivable(struct store_txn *t, struct ld_region_bal *rb, uint32_t as_of)
{
	struct rcv_status st;
	struct ld_order *o;
	int rc;

	rb->receivable = 0;
	if (!rb->has_order)
		return LD_OK;
	if ((o = malloc(sizeof(*o))) == NULL)
		return LD_E_INTERNAL;
	rc = store_order(t, rb->region, rb->fy, o);
	if (rc == LD_OK && rules_order_status(o, as_of, &st) == 0)
		rb->receivable = st.outstanding;
	else if (rc == LD_OK || rc == LD_E_NOT_FOUND)
		rc = LD_E_INTERNAL;
	free(o);
	return rc;
}

/* A region's balance for fy, with its grant type even when it has none. */
static int
region_balance(struct store_txn *t, const char *code, uint16_t fy,
    uint32_t today, struct ld_region_bal *rb)
{
	uint64_t seq;
	int rc;

	if ((rc = store_find_region(t, code, &seq)) != LD_OK)
		return rc == LD_E_NOT_FOUND ? LD_E_UNKNOWN_REGION : rc;
	if ((rc = store_region_bal(t, code, fy, rb)) != LD_OK)
		return rc;
	return region_receivable(t, rb, today);
}

int
query_balance(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	const struct msg_balance_req *q = &req->balance;
	struct store_txn *t;
	struct ld_acct_bal acct[LD_A_MAX];
	struct ld_region_bal one, *rbs = NULL, *keep;
	uint32_t nr = 0, i, k, today = today_jst();
	struct wbuf p;
	int rc;

	(void)s;
	if ((rc = store_begin(x->store, 0, &t)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	wbuf_init(&p);
	switch (q->scope) {
	case BAL_REGION:
		if ((rc = region_balance(t, q->region, q->fy, today, &one)) == LD_OK)
			msg_encode_balances(&p, NULL, 0, &one, 1);
		break;
	case BAL_ACCOUNT:
		if ((rc = store_acct_bal(t, q->account, q->fy, &acct[0])) == LD_OK)
			msg_encode_balances(&p, acct, 1, NULL, 0);
		break;
	default:
		/* Every account, then every region with an award that year. */
		for (i = 0; i < LD_A_MAX && rc == LD_OK; i++)
			rc = store_acct_bal(t, (uint8_t)(i + 1), q->fy, &acct[i]);
		if (rc == LD_OK)
			rc = store_region_bals(t, q->fy, &rbs, &nr);
		if (rc == LD_OK) {
			keep = rbs;
			for (i = k = 0; i < nr && rc == LD_OK; i++)
				if (rbs[i].award_seq != 0 ||
				    rbs[i].carried_in != 0 || rbs[i].has_order) {
					keep[k] = rbs[i];
					rc = region_receivable(t, &keep[k++],
					    today);
				}
			if (rc == LD_OK)
				msg_encode_balances(&p, acct, LD_A_MAX, keep, k);
			/* Every region of a year fits a frame of 16 KiB or
			   more only up to ~120 regions; say so, not garble. */
			if (rc == LD_OK &&
			    FRAME_HDR_LEN + p.len > x->conf->max_frame_bytes)
				rc = LD_E_INTERNAL;
		}
		free(rbs);
		break;
	}
	store_abort(t);
	if (rc == LD_OK)
		rc = answer(out, MSG_BALANCES, 0, reqid, &p);
	else
		msg_put_error(out, reqid, rc, NULL);
	wbuf_free(&p);
	return rc;
}

int
query_status(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	struct msg_status st;
	struct store_txn *t;
	struct wbuf p;
	int rc;

	(void)req;
	(void)s;
	memset(&st, 0, sizeof(st));
	snprintf(st.server, sizeof(st.server), "ledgerd %s", LEDGERD_VERSION);
	st.uptime_s = (uint64_t)(mono_s() - x->started_mono);
	st.connections = x->connections;
	store_usage(x->store, &st.map_used, &st.map_size);
	st.last_commit = x->last_commit;
	if (x->version >= 3) {
		struct scrub_status ss;
		uint64_t last;

		scrub_status(x->scrub, &ss);
		st.has_scrub = 1;
		st.scrub_result = (uint8_t)ss.result;
		st.scrub_running = (uint8_t)ss.running;
		st.scrub_finished_at = ss.finished_at;
		st.scrub_size = ss.size;
		st.scrub_damaged_seq = ss.damaged_seq;
		st.scrub_progress = ss.progress;
		st.damaged_entries = store_damaged(x->store, &last);
		/* Both limits beside each other: the map and the disk. */
		st.has_storage = 1;
		store_fs_space(x->store, &st.fs_free, &st.fs_size);
		st.oldest_write_ms = x->oldest_write_us > 0 ?
		    (uint64_t)x->oldest_write_us / 1000 : 0;
		st.slow_commits = x->slow_commits;
	}
	if ((rc = store_begin(x->store, 0, &t)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	st.size = store_size(t);
	rc = store_tree_root(t, st.size, st.root);
	store_abort(t);
	if (rc != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	wbuf_init(&p);
	msg_encode_status(&p, &st);
	rc = answer(out, MSG_STATUS_OK, 0, reqid, &p);
	wbuf_free(&p);
	return rc;
}

/* TERMS: the terms entries in force, by fy then grant type, in one frame. */
int
query_terms(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	struct store_txn *t;
	struct ld_terms *tx = NULL;
	uint16_t fy, *fys = NULL;
	uint8_t *grants = NULL;
	const uint8_t *enc;
	size_t elen, count_off;
	uint32_t n = 0, i;
	uint64_t damaged = 0;
	struct wbuf p;
	int rc;

	(void)s;
	fy = req->fy;
	if ((rc = store_begin(x->store, 0, &t)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	wbuf_init(&p);
	msg_entries_begin(&p, &count_off);
	rc = store_terms_all(t, fy, &tx, &fys, &grants, &n);
	for (i = 0; i < n && rc == LD_OK; i++)
		if ((rc = store_get_raw(t, tx[i].seq, &enc, &elen)) == LD_OK)
			msg_entries_add(&p, enc, elen);
		else if (rc == LD_E_DAMAGED)
			damaged = tx[i].seq;
	msg_entries_finish(&p, count_off, n);
	store_abort(t);
	if (rc == LD_OK && FRAME_HDR_LEN + p.len > x->conf->max_frame_bytes)
		rc = LD_E_INTERNAL;	/* at most 3 x 8000 years of terms */
	if (rc == LD_OK)
		rc = answer(out, MSG_ENTRIES, 0, reqid, &p);
	else {
		/* A terms record naming no entry: the store disagrees. */
		if (rc == LD_E_NOT_FOUND)
			rc = LD_E_INTERNAL;
		if (rc == LD_E_DAMAGED)
			query_put_damaged(x, out, reqid, damaged);
		else
			msg_put_error(out, reqid, rc, NULL);
	}
	wbuf_free(&p);
	free(tx);
	free(fys);
	free(grants);
	return rc;
}

struct rcv_collect {
	const struct msg_receivables_req *q;
	struct msg_receivable	*arr;
	uint32_t		 n, cap;
};

static int
rcv_collect_cb(void *ctx, const char *region, uint16_t fy,
    const struct ld_order *o)
{
	struct rcv_collect *rc = ctx;
	struct msg_receivable *v;
	struct rcv_status st;
	void *p;

	if (rc->q->region[0] != '\0' && strcmp(rc->q->region, region) != 0)
		return 0;
	if (rc->n == rc->cap) {
		rc->cap = rc->cap ? rc->cap * 2 : 16;
		if ((p = realloc(rc->arr, rc->cap * sizeof(*rc->arr))) == NULL)
			return LD_E_INTERNAL;
		rc->arr = p;
	}
	if (rules_order_status(o, rc->q->as_of, &st) != 0)
		return LD_E_INTERNAL;
	v = &rc->arr[rc->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->region, sizeof(v->region), "%s", region);
	v->fy = fy;
	v->account = o->account;
	v->order_seq = o->seq;
	v->repay_by = o->o.repay_by;
	v->principal = st.principal;
	v->principal_paid = st.principal_paid;
	v->interest = st.interest;
	v->late_charge = st.late_charge;
	v->paid_charges = st.paid_charges;
	v->outstanding = st.outstanding;
	return 0;
}

/* RECEIVABLES: every repayment order's figures as of the asked date. */
int
query_receivables(const struct readctx *x, uint32_t reqid,
    const union read_req *req, struct wbuf *out, struct stream *s)
{
	const struct msg_receivables_req *q = &req->receivables;
	struct rcv_collect col;
	struct store_txn *t;
	struct wbuf p;
	int rc;

	(void)s;
	if ((rc = store_begin(x->store, 0, &t)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	memset(&col, 0, sizeof(col));
	col.q = q;
	rc = store_orders(t, q->fy, rcv_collect_cb, &col);
	store_abort(t);
	wbuf_init(&p);
	if (rc == LD_OK && msg_encode_receivables(&p, col.arr, col.n) != 0)
		rc = LD_E_INTERNAL;
	if (rc == LD_OK && FRAME_HDR_LEN + p.len > x->conf->max_frame_bytes)
		rc = LD_E_INTERNAL;
	if (rc == LD_OK)
		rc = answer(out, MSG_RECEIVABLES_OK, 0, reqid, &p);
	else
		msg_put_error(out, reqid, rc, NULL);
	wbuf_free(&p);
	free(col.arr);
	return rc;
}
