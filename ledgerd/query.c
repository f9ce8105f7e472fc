/*
 * query.c - the read requests: answered on the event loop's thread from
 * short LMDB read transactions, never from the writer.
 *
 * Reads see the last committed state.  Long answers (LIST, REGION_LIST)
 * are streams: each step opens a read transaction, packs as many whole
 * entries as fit one frame, closes the transaction and sends the frame, and
 * continues only while the connection's output is below its cap, so a
 * million-entry listing holds neither a long transaction (which would pin
 * LMDB pages) nor unbounded memory.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "errors.h"
#include "frame.h"
#include "log.h"
#include "server.h"
#include "wire.h"
#include "writer.h"

#define STREAM_STEP_MAX	4096	/* entries examined per read transaction */
#define STREAM_TURN_STEPS 8	/* steps before yielding to other clients */

static void
send_payload(struct conn *c, uint8_t type, uint16_t flags, uint32_t reqid,
    struct wbuf *p)
{
	if (p->err)
		conn_error(c, reqid, LD_E_INTERNAL, "out of memory");
	else
		conn_send(c, type, flags, reqid, p->data, p->len);
}

static void
query_get(struct server *srv, struct conn *c, uint32_t reqid,
    const uint8_t *payload, size_t len)
{
	struct store_txn *t;
	const uint8_t *enc;
	size_t elen;
	struct wbuf p;
	uint64_t seq;
	int rc;

	if (msg_decode_get(payload, len, &seq) != 0) {
		conn_error(c, reqid, LD_E_BAD_REQUEST, "malformed GET");
		return;
	}
	if ((rc = store_begin(srv->srv_store, 0, &t)) != LD_OK) {
		conn_error(c, reqid, rc, NULL);
		return;
	}
	rc = store_get_raw(t, seq, &enc, &elen);
	if (rc == LD_OK) {
		wbuf_init(&p);
		msg_encode_entry(&p, 0, enc, elen);
		send_payload(c, MSG_ENTRY, 0, reqid, &p);
		wbuf_free(&p);
	} else
		conn_error(c, reqid, rc, rc == LD_E_NOT_FOUND ?
		    "no entry with that seq" : NULL);
	store_abort(t);
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

/*
 * One step of a stream: fill one ENTRIES frame.  Returns 1 when the stream
 * has more to send, 0 when this frame was the last.
 */
static int
stream_step(struct server *srv, struct conn *c, struct stream *s)
{
	struct store_txn *t;
	struct ld_entry *e = NULL;
	const uint8_t *enc;
	struct wbuf p;
	size_t elen, count_off, room = srv->srv_conf->max_frame_bytes - FRAME_HDR_LEN;
	uint64_t size, seq;
	uint32_t count = 0, examined = 0;
	int rc, more = 1;

	wbuf_init(&p);
	msg_entries_begin(&p, &count_off);
	if ((rc = store_begin(srv->srv_store, 0, &t)) != LD_OK)
		goto fail;
	if (!s->regions && (e = malloc(sizeof(*e))) == NULL) {
		store_abort(t);
		rc = LD_E_INTERNAL;
		goto fail;
	}
	size = store_size(t);
	while (examined < STREAM_STEP_MAX) {
		if (s->regions) {
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
			goto fail;
		}
		examined++;
		if (!s->regions) {
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
		if (s->regions)
			s->next++;
		else
			s->q.since++;
	}
	store_abort(t);
	free(e);
	msg_entries_finish(&p, count_off, count);
	/* A step that matched nothing sends nothing, unless it is the last. */
	if (count > 0 || !more)
		send_payload(c, MSG_ENTRIES, more ? FRAME_F_MORE : 0, s->reqid,
		    &p);
	wbuf_free(&p);
	return more;
fail:
	free(e);
	wbuf_free(&p);
	conn_error(c, s->reqid, rc, NULL);
	return 0;
}

/*
 * A few steps per turn of the event loop, so that a long listing (or a
 * filter that matches little of a large ledger) never holds the loop.
 * Above the output cap the write callback continues the stream once the
 * peer has read; below it, the stream's own event does, next turn.
 */
void
query_stream_continue(struct server *srv, struct conn *c)
{
	struct stream *s = &c->clt_stream;
	size_t cap = CONN_OUT_CAP(srv->srv_conf->max_frame_bytes);
	int steps = 0;

	while (s->active && !c->clt_dead && conn_outlen(c) <= cap) {
		if (steps++ == STREAM_TURN_STEPS) {
			event_active(c->clt_stream_ev, EV_TIMEOUT, 0);
			return;
		}
		if (!stream_step(srv, c, s))
			query_stream_free(s);
	}
}

static void
query_list(struct server *srv, struct conn *c, uint32_t reqid,
    const uint8_t *payload, size_t len)
{
	struct stream *s = &c->clt_stream;

	query_stream_free(s);
	if (msg_decode_list(payload, len, &s->q) != 0 ||
	    (s->q.region[0] != '\0' && !ld_valid_code(s->q.region)) ||
	    s->q.kind > LD_K_MAX) {
		memset(s, 0, sizeof(*s));
		conn_error(c, reqid, LD_E_BAD_REQUEST, "malformed LIST");
		return;
	}
	if (s->q.since == 0)
		s->q.since = 1;
	s->reqid = reqid;
	s->active = 1;
	query_stream_continue(srv, c);
}

static void
query_regions(struct server *srv, struct conn *c, uint32_t reqid, size_t len)
{
	struct stream *s = &c->clt_stream;
	struct store_txn *t;
	int rc;

	query_stream_free(s);
	if (len != 0) {
		conn_error(c, reqid, LD_E_BAD_REQUEST, "malformed REGION_LIST");
		return;
	}
	if ((rc = store_begin(srv->srv_store, 0, &t)) != LD_OK) {
		conn_error(c, reqid, rc, NULL);
		return;
	}
	rc = store_region_seqs(t, &s->seqs, &s->nseqs);
	store_abort(t);
	if (rc != LD_OK) {
		query_stream_free(s);
		conn_error(c, reqid, rc, NULL);
		return;
	}
	s->regions = 1;
	s->reqid = reqid;
	s->active = 1;
	query_stream_continue(srv, c);
}

/* A region's balance for fy, with its grant type even when it has none. */
static int
region_balance(struct store_txn *t, const char *code, uint16_t fy,
    struct ld_region_bal *rb)
{
	struct ld_entry *r;
	uint64_t seq;
	int rc;

	if (store_find_region(t, code, &seq) != LD_OK)
		return LD_E_UNKNOWN_REGION;
	if ((r = malloc(sizeof(*r))) == NULL)
		return LD_E_INTERNAL;
	rc = store_get(t, seq, r);
	if (rc == LD_OK)
		rc = store_region_bal(t, code, fy, rb);
	if (rc == LD_OK) {
		rb->grant_type = r->grant_type;
		rb->account = (uint8_t)ld_grant_account(r->grant_type);
	}
	free(r);
	return rc;
}

static void
query_balance(struct server *srv, struct conn *c, uint32_t reqid,
    const uint8_t *payload, size_t len)
{
	struct msg_balance_req q;
	struct store_txn *t;
	struct ld_acct_bal acct[LD_A_MAX];
	struct ld_region_bal one, *rbs = NULL, *keep;
	uint32_t nr = 0, i, k;
	struct wbuf p;
	int rc;

	if (msg_decode_balance_req(payload, len, &q) != 0 ||
	    q.fy < LD_FY_MIN || q.fy > LD_FY_MAX || q.scope > BAL_ACCOUNT ||
	    (q.scope == BAL_REGION && !ld_valid_code(q.region)) ||
	    (q.scope == BAL_ACCOUNT && (q.account < 1 || q.account > LD_A_MAX))) {
		conn_error(c, reqid, LD_E_BAD_REQUEST, "malformed BALANCE");
		return;
	}
	if ((rc = store_begin(srv->srv_store, 0, &t)) != LD_OK) {
		conn_error(c, reqid, rc, NULL);
		return;
	}
	wbuf_init(&p);
	switch (q.scope) {
	case BAL_REGION:
		if ((rc = region_balance(t, q.region, q.fy, &one)) == LD_OK)
			msg_encode_balances(&p, NULL, 0, &one, 1);
		break;
	case BAL_ACCOUNT:
		if ((rc = store_acct_bal(t, q.account, q.fy, &acct[0])) == LD_OK)
			msg_encode_balances(&p, acct, 1, NULL, 0);
		break;
	default:
		/* Every account, then every region with an award that year. */
		for (i = 0; i < LD_A_MAX && rc == LD_OK; i++)
			rc = store_acct_bal(t, (uint8_t)(i + 1), q.fy, &acct[i]);
		if (rc == LD_OK)
			rc = store_region_bals(t, q.fy, &rbs, &nr);
		if (rc == LD_OK) {
			keep = rbs;
			for (i = k = 0; i < nr; i++)
				if (rbs[i].award_seq != 0)
					keep[k++] = rbs[i];
			msg_encode_balances(&p, acct, LD_A_MAX, keep, k);
		}
		free(rbs);
		break;
	}
	store_abort(t);
	if (rc == LD_OK)
		send_payload(c, MSG_BALANCES, 0, reqid, &p);
	else
		conn_error(c, reqid, rc, NULL);
	wbuf_free(&p);
}

static void
query_status(struct server *srv, struct conn *c, uint32_t reqid, size_t len)
{
	struct msg_status st;
	struct store_txn *t;
	struct wbuf p;
	int rc;

	if (len != 0) {
		conn_error(c, reqid, LD_E_BAD_REQUEST, "malformed STATUS");
		return;
	}
	memset(&st, 0, sizeof(st));
	snprintf(st.server, sizeof(st.server), "ledgerd %s", LEDGERD_VERSION);
	st.uptime_s = (uint64_t)(time(NULL) - srv->srv_started);
	st.connections = srv->srv_nconns;
	store_usage(srv->srv_store, &st.map_used, &st.map_size);
	st.last_commit = writer_last_commit(srv->srv_writer);
	if ((rc = store_begin(srv->srv_store, 0, &t)) != LD_OK) {
		conn_error(c, reqid, rc, NULL);
		return;
	}
	st.size = store_size(t);
	rc = store_tree_root(t, st.size, st.root);
	store_abort(t);
	if (rc != LD_OK) {
		conn_error(c, reqid, rc, NULL);
		return;
	}
	wbuf_init(&p);
	msg_encode_status(&p, &st);
	send_payload(c, MSG_STATUS_OK, 0, reqid, &p);
	wbuf_free(&p);
}

void
query_dispatch(struct server *srv, struct conn *c, uint8_t type,
    uint32_t reqid, const uint8_t *payload, size_t len)
{
	switch (type) {
	case MSG_GET:
		query_get(srv, c, reqid, payload, len);
		break;
	case MSG_LIST:
		query_list(srv, c, reqid, payload, len);
		break;
	case MSG_REGION_LIST:
		query_regions(srv, c, reqid, len);
		break;
	case MSG_BALANCE:
		query_balance(srv, c, reqid, payload, len);
		break;
	case MSG_STATUS:
		query_status(srv, c, reqid, len);
		break;
	case MSG_CHECKPOINT:
	case MSG_PROVE:
	case MSG_CONSISTENCY:
		audit_dispatch(srv, c, type, reqid, payload, len);
		break;
	default:
		conn_error(c, reqid, LD_E_BAD_REQUEST, "unknown message type");
		break;
	}
}
