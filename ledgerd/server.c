/*
 * server.c - connections: accept, TLS, framing, dispatch, answer, close.
 *
 * Everything here runs on the event loop's thread.  A connection is a
 * bufferevent over OpenSSL (BEV_OPT_CLOSE_ON_FREE: freeing it frees the SSL
 * and closes the fd, so the SSL is never freed here).  The peer's CN is read
 * once, when the handshake completes; its role is looked up per request, so
 * a role removed by SIGHUP takes effect at once.
 *
 * Framing follows memcached: nothing is consumed until a whole header is
 * there, and the header's magic, version and length cap are checked before
 * waiting for a body.  A protocol violation gets one ERROR frame and the
 * connection is closed once it is flushed (clt_closing).
 *
 * Back-pressure: above CONN_OUT_CAP bytes of unsent output the connection's
 * requests are no longer read (EV_READ off) until the peer drains it; a
 * stream (LIST) pauses the same way.  The idle timer is our own evtimer,
 * since bufferevent timeouts stop counting while reading is disabled: a
 * connection without a complete request for idle_timeout_s is closed,
 * unless it is waiting for answers.
 *
 * Before authentication (contract 2.10) a peer is nobody, so what it may
 * cost is bounded separately from what an authenticated client may:
 *   - its TLS handshake must finish within handshake_timeout_s (the same
 *     timer; idle_timeout_s applies from the end of the handshake).  The
 *     handshake is the authentication (the client certificate is verified
 *     in it), so HELLO is not part of it: an authenticated peer that says
 *     nothing is idle like any other.
 *   - connections still in their handshake are on srv_unauth, oldest first.
 *     A new connection from an address that already has
 *     max_unauthenticated_per_ip of them closes the oldest of those; one
 *     that arrives at max_connections closes the oldest of all of them.  So
 *     accepting pauses only when every slot is held by an authenticated
 *     client, and silent sockets cannot lock out a client with a
 *     certificate.  Each accept scans srv_unauth: O(connections in their
 *     handshake), which are few (each lives at most handshake_timeout_s).
 *   - the log lines they cause (refused, timed out, evicted) are rate
 *     limited per kind (logrl_allow()), so a flood cannot fill the disk.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>

#include "audit.h"
#include "cluster.h"
#include "errors.h"
#include "frame.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "scrub.h"
#include "server.h"
#include "wire.h"
#include "writer.h"

#define STREAM_TURN_STEPS 8	/* stream steps before yielding to others */

/* A request the writer will answer: counted when its job comes back. */
#define DEFERRED	(-1)

/*
 * The one routing table.  A request passes, in this order: its type's
 * route; the decoder (decode.c), which parses and checks the payload into
 * a union read_req (malformed: BAD_REQUEST naming the type); the
 * authorization (route_authorize(): every role may read, a CN without a
 * role may do nothing); the handler (query.c, audit.c), which appends its
 * answer to a buffer that conn_send() sends.
 *
 * A write (decode NULL) takes the same first steps, then is queued to the
 * writer thread, which decodes it there, one request at a time (a batch
 * holds up to 100,000), and authorizes each by its kind and, for a
 * reversal, by its target's kind, which only the ledger knows (apply.c).
 * HELLO is handled before the table.
 */
#define R_ANY		ROLE_ALL

static const struct route {
	uint8_t		 type;
	const char	*name;		/* for "malformed GET" */
	read_decoder	 decode;	/* NULL: a write */
	int		 roles;		/* enum role bits that may send it */
	read_handler	 handle;
} routes[] = {
	{ MSG_WRITE,		"WRITE",	NULL,		R_ANY,	NULL },
	{ MSG_WRITE_BATCH,	"BATCH",	NULL,		R_ANY,	NULL },
	{ MSG_GET,		"GET",		decode_get,	R_ANY,	query_get },
	{ MSG_FIND,		"FIND",		decode_find,	R_ANY,	query_find },
	{ MSG_APPROVALS,	"APPROVALS",	decode_approvals, R_ANY,
	    query_approvals },
	{ MSG_LIST,		"LIST",		decode_list,	R_ANY,	query_list },
	{ MSG_REGION_LIST,	"REGION_LIST",	decode_empty,	R_ANY,
	    query_regions },
	{ MSG_BALANCE,		"BALANCE",	decode_balance,	R_ANY,
	    query_balance },
	{ MSG_STATUS,		"STATUS",	decode_empty,	R_ANY,
	    query_status },
	{ MSG_TERMS,		"TERMS",	decode_terms,	R_ANY,	query_terms },
	{ MSG_RECEIVABLES,	"RECEIVABLES",	decode_receivables, R_ANY,
	    query_receivables },
	{ MSG_SCRUB,		"SCRUB",	decode_empty,
	    ROLE_ADMIN | ROLE_AUDITOR, query_scrub },
	{ MSG_CHECKPOINT,	"CHECKPOINT",	decode_checkpoint, R_ANY,
	    audit_checkpoint },
	{ MSG_PROVE,		"PROVE",	decode_prove,	R_ANY,	audit_prove },
	{ MSG_CONSISTENCY,	"CONSISTENCY",	decode_consistency, R_ANY,
	    audit_consistency },
	/* A witness's cosignature writes a record: the writer decides it. */
	{ MSG_COSIGN,		"COSIGN",	NULL,		R_ANY,	NULL },
	/* Everyone may see the cluster; a change is the admin's (route_roles). */
	{ MSG_CLUSTER,		"CLUSTER",	decode_cluster,	R_ANY,
	    query_cluster },
};

/*
 * The roles that may send request req of route r: the route's, except
 * where the decoded request says more (contract 2.6: CLUSTER add, remove
 * and transfer are the admin's).  req is read only for a route with a
 * decoder.
 */
static int
route_roles(const struct route *r, const union read_req *req)
{
	if (r->type == MSG_CLUSTER && req->cluster.op != MSG_CLUSTER_STATUS)
		return ROLE_ADMIN;
	return r->roles;
}

static void	server_close(struct conn *, const char *why);
static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	conn_timer_cb(evutil_socket_t, short, void *);
static void	conn_process(struct conn *);
static void	accept_check_pause(struct server *);

static int64_t
mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Log how many lines of each kind were left out, and start counting anew. */
static void
logrl_flush(struct server *srv)
{
	static const char *const what[LOGRL_N] = {
		"refused TLS handshakes", "TLS handshake timeouts",
		"connections closed in their handshake to admit others"
	};
	int i;

	for (i = 0; i < LOGRL_N; i++) {
		struct logrl *rl = &srv->srv_logrl[i];

		if (rl->rl_suppressed > 0)
			log_info("%u similar messages suppressed (%s)",
			    rl->rl_suppressed, what[i]);
		rl->rl_suppressed = 0;
	}
}

static void
logrl_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	logrl_flush(arg);
}

/*
 * Whether a line of kind may be logged now: LOGRL_PER_S a second; past
 * that it is counted, and the count is logged a second after the first
 * line left out (srv_logrl_timer).
 */
static int
logrl_allow(struct server *srv, int kind)
{
	struct logrl *rl = &srv->srv_logrl[kind];
	struct timeval tv = { 1, 0 };
	int64_t now = mono_seconds();

	if (rl->rl_second != now) {
		rl->rl_second = now;
		rl->rl_count = 0;
	}
	if (rl->rl_count < LOGRL_PER_S) {
		rl->rl_count++;
		return 1;
	}
	rl->rl_suppressed++;
	if (srv->srv_logrl_timer != NULL &&
	    !evtimer_pending(srv->srv_logrl_timer, NULL))
		evtimer_add(srv->srv_logrl_timer, &tv);
	return 0;
}

/* The handshake deadline, armed at accept. */
static void
conn_arm_handshake_timer(struct conn *c)
{
	struct timeval tv = { c->clt_srv->srv_conf->handshake_timeout_s, 0 };

	evtimer_add(c->clt_timer, &tv);
}

/* c has finished its handshake (or is closing): off srv_unauth. */
static void
conn_authenticated(struct conn *c)
{
	if (!c->clt_unauth)
		return;
	TAILQ_REMOVE(&c->clt_srv->srv_unauth, c, clt_unauth_entry);
	c->clt_srv->srv_nunauth--;
	c->clt_unauth = 0;
}

static void
conn_arm_timer(struct conn *c)
{
	struct timeval tv = { c->clt_srv->srv_conf->idle_timeout_s, 0 };

	c->clt_out_mark = SIZE_MAX;	/* a new period: any output is progress */
	evtimer_add(c->clt_timer, &tv);
}

/* Bytes waiting in c's output buffer. */
static size_t
conn_outlen(struct conn *c)
{
	if (c->clt_dead)
		return 0;
	return evbuffer_get_length(bufferevent_get_output(c->clt_bev));
}

/*
 * Send the frames a handler or the writer assembled (no-op on a dead
 * connection).  A buffer that could not be built is answered INTERNAL.
 */
static void
conn_send(struct conn *c, const struct wbuf *out, uint32_t reqid)
{
	struct wbuf e;
	struct evbuffer *o;

	if (c->clt_dead)
		return;
	o = bufferevent_get_output(c->clt_bev);
	if (out->err) {
		wbuf_init(&e);
		msg_put_error(&e, reqid, LD_E_INTERNAL, "out of memory");
		if (e.err || evbuffer_add(o, e.data, e.len) != 0)
			c->clt_closing = 1;
		wbuf_free(&e);
		return;
	}
	if (out->len > 0 && evbuffer_add(o, out->data, out->len) != 0)
		c->clt_closing = 1;
}

/* One ERROR frame; returns code. */
static int
conn_error(struct conn *c, uint32_t reqid, int code, const char *msg)
{
	struct wbuf p;

	wbuf_init(&p);
	msg_put_error(&p, reqid, code, msg);
	conn_send(c, &p, reqid);
	wbuf_free(&p);
	return code;
}

/* Refuse the connection's traffic: one ERROR, then close after flushing. */
static int
conn_violation(struct conn *c, uint32_t reqid, const char *why)
{
	log_info("%s (%s): protocol error: %s", c->clt_peer,
	    c->clt_cn[0] ? c->clt_cn : "-", why);
	conn_error(c, reqid, LD_E_BAD_REQUEST, why);
	c->clt_closing = 1;
	bufferevent_disable(c->clt_bev, EV_READ);
	if (conn_outlen(c) == 0)
		server_close(c, NULL);
	return LD_E_BAD_REQUEST;
}

/*
 * The one place a connection ends.  The bufferevent (SSL, fd) and timer go
 * at once; the struct stays while the writer still holds jobs of it.
 */
static void
server_close(struct conn *c, const char *why)
{
	struct server *srv = c->clt_srv;

	if (c->clt_dead)
		return;
	if (why != NULL)
		log_debug("%s (%s): closed: %s", c->clt_peer,
		    c->clt_cn[0] ? c->clt_cn : "-", why);
	c->clt_dead = 1;
	conn_authenticated(c);
	bufferevent_free(c->clt_bev);
	c->clt_bev = NULL;
	event_free(c->clt_timer);
	c->clt_timer = NULL;
	event_free(c->clt_stream_ev);
	c->clt_stream_ev = NULL;
	query_stream_free(&c->clt_stream);
	TAILQ_REMOVE(&srv->srv_conns, c, clt_entry);
	srv->srv_nconns--;
	/* Callers up the stack may still look at c->clt_dead: free it later. */
	TAILQ_INSERT_TAIL(&srv->srv_dead, c, clt_entry);
	event_active(srv->srv_reaper, EV_TIMEOUT, 0);
	if (!srv->srv_stopping && srv->srv_listener != NULL &&
	    !srv->srv_listening && srv->srv_nconns < srv->srv_conf->max_connections &&
	    srv->srv_accept_pause != NULL &&
	    !evtimer_pending(srv->srv_accept_pause, NULL)) {
		evconnlistener_enable(srv->srv_listener);
		srv->srv_listening = 1;
	}
	if (srv->srv_stopping && srv->srv_nconns == 0)
		event_base_loopbreak(srv->srv_base);
}

void
server_job_done(struct wjob *j, void *arg)
{
	struct conn *c = j->conn;

	(void)arg;
	metrics_request(j->type, j->code);
	c->clt_pending--;
	if (j->type != MSG_CLUSTER)
		c->clt_pending_bytes -= j->len;
	else if (j->code == LD_OK && c->clt_srv->srv_cluster != NULL) {
		struct msg_cluster v;
		struct wbuf p;

		/* A change went through: answer with the view after it. */
		query_cluster_view(c->clt_srv->srv_cluster, &v);
		wbuf_init(&p);
		if (msg_encode_cluster(&p, &v) == 0)
			frame_put(&j->out, MSG_CLUSTER_OK, 0, j->reqid, p.data,
			    p.len);
		else
			msg_put_error(&j->out, j->reqid, LD_E_INTERNAL, NULL);
		wbuf_free(&p);
	}
	if (c->clt_dead) {
		if (c->clt_pending == 0) {
			TAILQ_REMOVE(&c->clt_srv->srv_dead, c, clt_entry);
			free(c);
		}
	} else {
		if (evbuffer_add(bufferevent_get_output(c->clt_bev),
		    j->out.data, j->out.len) != 0)
			c->clt_closing = 1;
		if (c->clt_srv->srv_stopping) {
			if (c->clt_pending == 0 && conn_outlen(c) == 0)
				server_close(c, "shutdown");
		} else
			conn_process(c);	/* reading may have paused for us */
	}
	wjob_free(j);
}

static int
submit_write(struct server *srv, struct conn *c, const struct frame_hdr *h,
    const uint8_t *payload)
{
	struct wjob *j;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (h->len > 0 && (j->payload = malloc(h->len)) == NULL)) {
		free(j);
		return conn_error(c, h->reqid, LD_E_BUSY, "out of memory");
	}
	if (h->len > 0)
		memcpy(j->payload, payload, h->len);
	j->len = h->len;
	j->conn = c;
	j->reqid = h->reqid;
	j->type = h->type;
	j->role = config_role(srv->srv_conf, c->clt_cn);
	j->version = c->clt_version;
	snprintf(j->actor, sizeof(j->actor), "%s", c->clt_cn);
	j->max_frame = srv->srv_conf->max_frame_bytes;
	if (h->type == MSG_COSIGN && srv->srv_signer != NULL)
		j->logkey = *ckpt_signer_verifier(srv->srv_signer);
	wbuf_init(&j->out);
	c->clt_pending++;
	c->clt_pending_bytes += j->len;
	if (srv->srv_cluster != NULL)
		cluster_submit(srv->srv_cluster, j);
	else
		writer_submit(srv->srv_writer, j);
	return DEFERRED;
}

/*
 * A cluster member's `cluster add|remove|transfer` (admin, authorized by
 * route_roles): libraft answers it later, through server_job_done like a
 * write, whose CLUSTER_OK (the view after the change) is encoded there.
 */
static int
submit_cluster_change(struct server *srv, struct conn *c,
    const struct frame_hdr *h, const struct msg_cluster_req *q)
{
	struct wjob *j;
	int op;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return conn_error(c, h->reqid, LD_E_BUSY, "out of memory");
	j->conn = c;
	j->reqid = h->reqid;
	j->type = MSG_CLUSTER;
	j->version = c->clt_version;
	j->max_frame = srv->srv_conf->max_frame_bytes;
	wbuf_init(&j->out);
	c->clt_pending++;
	op = q->op == MSG_CLUSTER_ADD ? CLUSTER_ADD : q->op ==
	    MSG_CLUSTER_REMOVE ? CLUSTER_REMOVE : CLUSTER_TRANSFER;
	cluster_change(srv->srv_cluster, j, op, q->id, q->raft_address,
	    q->client_address);
	return DEFERRED;
}

static int
handle_hello(struct server *srv, struct conn *c, const struct frame_hdr *h,
    const uint8_t *payload)
{
	struct msg_hello_ok ok;
	struct wbuf p, out;
	uint16_t lo, hi;

	if (msg_decode_hello(payload, h->len, &lo, &hi) != 0)
		return conn_violation(c, h->reqid, "malformed HELLO");
	/* The newest version both sides speak. */
	if (hi > PROTO_VERSION)
		hi = PROTO_VERSION;
	if (lo > hi || hi < PROTO_VERSION_MIN)
		return conn_violation(c, h->reqid,
		    "unsupported protocol version");
	c->clt_version = hi;
	memset(&ok, 0, sizeof(ok));
	ok.version = hi;
	ok.max_frame = srv->srv_conf->max_frame_bytes;
	/* Every role, comma-separated (2.7); "" when none. */
	if (config_role(srv->srv_conf, c->clt_cn) != ROLE_NONE)
		roles_text(config_role(srv->srv_conf, c->clt_cn), ok.role,
		    sizeof(ok.role));
	snprintf(ok.cn, sizeof(ok.cn), "%s", c->clt_cn);
	snprintf(ok.server, sizeof(ok.server), "ledgerd %s", LEDGERD_VERSION);
	wbuf_init(&p);
	wbuf_init(&out);
	if (msg_encode_hello_ok(&p, &ok) != 0)
		p.err = 1;
	if (!p.err)
		frame_put(&out, MSG_HELLO_OK, 0, h->reqid, p.data, p.len);
	out.err |= p.err;
	conn_send(c, &out, h->reqid);
	wbuf_free(&out);
	wbuf_free(&p);
	c->clt_hello = 1;
	return LD_OK;
}

/* What a read handler of connection c may see, as of now. */
static void
read_context(struct server *srv, struct conn *c, struct readctx *x)
{
	memset(x, 0, sizeof(*x));
	x->store = srv->srv_store;
	x->conf = srv->srv_conf;
	x->signer = srv->srv_signer;
	x->version = c != NULL ? c->clt_version : PROTO_VERSION;
	x->scrub = srv->srv_scrub;
	x->connections = srv->srv_nconns;
	x->started = srv->srv_started;
	x->started_mono = srv->srv_started_mono;
	x->last_commit = srv->srv_writer != NULL ?
	    writer_last_commit(srv->srv_writer) : 0;
	x->oldest_write_us = srv->srv_writer != NULL ?
	    writer_oldest_write(srv->srv_writer, NULL) : 0;
	x->cluster = srv->srv_cluster;
	if (srv->srv_cluster != NULL) {
		x->last_commit = cluster_last_commit(srv->srv_cluster);
		x->oldest_write_us = cluster_oldest_write(srv->srv_cluster);
	}
	x->slow_commits = metrics_slow_commits();
}

/*
 * Answer c's stream a step at a time, a few steps per turn of the event
 * loop, so that a long listing (or a filter that matches little of a large
 * ledger) never holds the loop.  Above the output cap the write callback
 * continues the stream once the peer has read; below it, the stream's own
 * event does, next turn.
 */
static void
conn_stream_continue(struct conn *c)
{
	struct server *srv = c->clt_srv;
	struct stream *s = &c->clt_stream;
	size_t cap = CONN_OUT_CAP(srv->srv_conf->max_frame_bytes);
	struct readctx x;
	struct wbuf out;
	int steps = 0, more;

	read_context(srv, c, &x);
	while (s->active && !c->clt_dead && conn_outlen(c) <= cap) {
		if (steps++ == STREAM_TURN_STEPS) {
			event_active(c->clt_stream_ev, EV_TIMEOUT, 0);
			return;
		}
		wbuf_init(&out);
		more = query_stream_step(&x, s, &out);
		conn_send(c, &out, s->reqid);
		wbuf_free(&out);
		if (!more)
			query_stream_free(s);
	}
}

/*
 * Authorization of a route: LD_OK, or FORBIDDEN with its message in why.
 * The route names the roles that may send it: every role may read and may
 * send a write (the writer judges its kind); a scrub is the admin's or the
 * auditor's; a cluster change the admin's (route_roles()); a CN the config
 * maps to no role may do nothing.
 */
static int
route_authorize(struct server *srv, struct conn *c, const struct route *r,
    const union read_req *req, char *why, size_t whylen)
{
	int role = config_role(srv->srv_conf, c->clt_cn);
	int need = route_roles(r, req);
	char held[160];

	if ((role & need) != 0)
		return LD_OK;
	roles_held(role, held, sizeof(held));
	if (role == ROLE_NONE)
		snprintf(why, whylen, "certificate CN \"%s\" has %s", c->clt_cn,
		    held);
	else
		snprintf(why, whylen, "certificate CN \"%s\" has %s, which may "
		    "not send %s", c->clt_cn, held, r->name);
	return LD_E_FORBIDDEN;
}

/* A read: its handler's answer sent, its stream (if it started one) begun. */
static int
handle_read(struct server *srv, struct conn *c, const struct route *r,
    const struct frame_hdr *h, const union read_req *req)
{
	struct readctx x;
	struct wbuf out;
	int code;

	read_context(srv, c, &x);
	wbuf_init(&out);
	code = r->handle(&x, h->reqid, req, &out, &c->clt_stream);
	if (out.err)
		code = LD_E_INTERNAL;
	conn_send(c, &out, h->reqid);
	wbuf_free(&out);
	if (c->clt_stream.active)
		conn_stream_continue(c);
	return code;
}

/*
 * Contract 2.10 "Storage failure": once the store has failed, every request,
 * read or write, is answered STORAGE_ERROR naming the cause, until the
 * daemon has exited (server_fail()).
 */
static int
storage_failed_answer(struct conn *c, uint32_t reqid)
{
	char why[STORE_ERRTEXT_MAX], msg[STORE_ERRTEXT_MAX + 96];

	store_failed(c->clt_srv->srv_store, why, sizeof(why));
	snprintf(msg, sizeof(msg), "the ledger's storage failed (%s); ledgerd "
	    "is restarting", why);
	return conn_error(c, reqid, LD_E_STORAGE_ERROR, msg);
}

/*
 * Route one complete frame: HELLO first, then the table's steps (see
 * routes[]).  The payload is valid only during the call.  Returns the
 * answer's code for the request figures, or DEFERRED for a write.
 */
static int
conn_dispatch(struct conn *c, const struct frame_hdr *h, const uint8_t *payload)
{
	struct server *srv = c->clt_srv;
	const struct route *r = NULL;
	union read_req req;
	char why[320];
	size_t i;
	int rc;

	if (!c->clt_hello) {
		if (h->type != MSG_HELLO)
			return conn_violation(c, h->reqid, "expected HELLO");
		return handle_hello(srv, c, h, payload);
	}
	if (h->type == MSG_HELLO)
		return conn_violation(c, h->reqid, "HELLO repeated");
	if (store_failed(srv->srv_store, NULL, 0))
		return storage_failed_answer(c, h->reqid);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].type == h->type)
			r = &routes[i];
	if (r == NULL)
		return conn_error(c, h->reqid, LD_E_BAD_REQUEST,
		    "unknown message type");
	if (r->decode != NULL && r->decode(payload, h->len, &req) != 0) {
		snprintf(why, sizeof(why), "malformed %s", r->name);
		return conn_error(c, h->reqid, LD_E_BAD_REQUEST, why);
	}
	if ((rc = route_authorize(srv, c, r, &req, why, sizeof(why))) != LD_OK) {
		log_info("%s: %s: request refused", c->clt_peer, why);
		return conn_error(c, h->reqid, rc, why);
	}
	if (r->type == MSG_CLUSTER && req.cluster.op != MSG_CLUSTER_STATUS &&
	    srv->srv_cluster != NULL && !srv->srv_stopping)
		return submit_cluster_change(srv, c, h, &req.cluster);
	if (r->decode != NULL)
		return handle_read(srv, c, r, h, &req);
	if (srv->srv_stopping)
		return conn_error(c, h->reqid, LD_E_UNAVAILABLE,
		    "daemon is shutting down");
	return submit_write(srv, c, h, payload);
}

/* Take every complete frame from the input, while output is below its cap. */
static void
conn_process(struct conn *c)
{
	struct server *srv = c->clt_srv;
	struct evbuffer *in;
	struct frame_hdr h;
	const uint8_t *p;
	size_t avail, cap = CONN_OUT_CAP(srv->srv_conf->max_frame_bytes);
	int rc;

	while (!c->clt_dead && !c->clt_closing) {
		if (c->clt_stream.active || conn_outlen(c) > cap ||
		    c->clt_pending_bytes > cap) {
			bufferevent_disable(c->clt_bev, EV_READ);
			return;
		}
		in = bufferevent_get_input(c->clt_bev);
		avail = evbuffer_get_length(in);
		if (avail < FRAME_HDR_LEN)
			break;
		p = evbuffer_pullup(in, FRAME_HDR_LEN);
		rc = frame_hdr_decode(&h, p, avail, srv->srv_conf->max_frame_bytes);
		if (rc != FRAME_OK) {
			conn_violation(c, 0, rc == FRAME_TOO_LARGE ?
			    "frame exceeds max_frame_bytes" : "bad frame header");
			return;
		}
		if (avail < FRAME_HDR_LEN + (size_t)h.len)
			break;
		p = evbuffer_pullup(in, FRAME_HDR_LEN + (size_t)h.len);
		if (p == NULL) {
			conn_violation(c, h.reqid, "out of memory");
			return;
		}
		conn_arm_timer(c);
		if ((rc = conn_dispatch(c, &h, p + FRAME_HDR_LEN)) != DEFERRED)
			metrics_request(h.type, rc);
		if (c->clt_dead)
			return;
		evbuffer_drain(in, FRAME_HDR_LEN + (size_t)h.len);
	}
	if (!c->clt_dead && !c->clt_closing && !srv->srv_stopping)
		bufferevent_enable(c->clt_bev, EV_READ);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct server *srv = c->clt_srv;

	(void)bev;
	if (c->clt_closing && conn_outlen(c) == 0) {
		server_close(c, "closed after error");
		return;
	}
	if (srv->srv_stopping) {
		if (c->clt_pending == 0 && !c->clt_stream.active &&
		    conn_outlen(c) == 0)
			server_close(c, "shutdown");
		else if (c->clt_stream.active)
			conn_stream_continue(c);
		return;
	}
	if (c->clt_stream.active)
		conn_stream_continue(c);
	if (!c->clt_dead && !c->clt_stream.active)
		conn_process(c);
}

/* A stream yielded the loop (conn_stream_continue): take it up again. */
static void
conn_stream_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)ev;
	if (c->clt_dead)
		return;
	conn_stream_continue(c);
	if (!c->clt_dead && !c->clt_stream.active && !c->clt_srv->srv_stopping)
		conn_process(c);
	else if (!c->clt_dead && c->clt_srv->srv_stopping &&
	    !c->clt_stream.active && c->clt_pending == 0 && conn_outlen(c) == 0)
		server_close(c, "shutdown");
}

/* Why a handshake failed, for the log: the verify result or the TLS error. */
static void
tls_failure(struct conn *c, char *buf, size_t len)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->clt_bev);
	unsigned long e, first = 0;
	long vr = X509_V_OK;

	buf[0] = '\0';
	if (ssl != NULL && (vr = SSL_get_verify_result(ssl)) != X509_V_OK)
		snprintf(buf, len, "certificate: %s",
		    X509_verify_cert_error_string(vr));
	while ((e = bufferevent_get_openssl_error(c->clt_bev)) != 0) {
		if (first == 0)
			first = e;
		if (buf[0] == '\0')
			ERR_error_string_n(e, buf, len);
	}
	if (!c->clt_tls_done)
		metrics_handshake_fail(metrics_tls_reason(vr, first));
	if (buf[0] == '\0')
		snprintf(buf, len, "%s", evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
	/* Name the certificate that was refused, for the operator. */
	if (ssl != NULL && vr != X509_V_OK) {
		char cn[LD_ACTOR_MAX + 1];
		X509 *cert = SSL_get0_peer_certificate(ssl);
		size_t used = strlen(buf);

		if (cert != NULL && X509_NAME_get_text_by_NID(
		    X509_get_subject_name(cert), NID_commonName, cn,
		    sizeof(cn)) > 0 && used < len) {
			for (char *p = cn; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					*p = '?';	/* no log injection */
			snprintf(buf + used, len - used, " (certificate CN \"%s\")",
			    cn);
		}
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	char why[256];

	if (what & BEV_EVENT_CONNECTED) {
		SSL *ssl = bufferevent_openssl_get_ssl(bev);

		if (tls_peer_cn(ssl, c->clt_cn, sizeof(c->clt_cn)) != 0) {
			if (logrl_allow(c->clt_srv, LOGRL_REFUSED))
				log_info("%s: refused: client certificate has "
				    "no usable CN", c->clt_peer);
			metrics_handshake_fail(MTLS_NO_CN);
			server_close(c, "no CN");
			return;
		}
		c->clt_tls_done = 1;
		conn_authenticated(c);
		conn_arm_timer(c);	/* idle_timeout_s from here on */
		log_debug("%s: TLS established, CN \"%s\"", c->clt_peer,
		    c->clt_cn);
		accept_check_pause(c->clt_srv);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		tls_failure(c, why, sizeof(why));
		if (!c->clt_tls_done) {
			if (logrl_allow(c->clt_srv, LOGRL_REFUSED))
				log_info("%s: TLS handshake refused: %s",
				    c->clt_peer, why);
		} else
			log_debug("%s (%s): connection error: %s", c->clt_peer,
			    c->clt_cn, why);
		server_close(c, why);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		if (!c->clt_tls_done)
			metrics_handshake_fail(MTLS_CLOSED);
		if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
			log_debug("%s: EOF inside a frame; partial frame dropped",
			    c->clt_peer);
		server_close(c, "EOF");
	}
}

static void
conn_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;

	struct timeval tv = { c->clt_srv->srv_conf->idle_timeout_s, 0 };
	size_t out = conn_outlen(c);

	(void)fd;
	(void)ev;
	if (!c->clt_tls_done) {
		metrics_handshake_fail(MTLS_TIMEOUT);
		if (logrl_allow(c->clt_srv, LOGRL_TIMEOUT))
			log_info("%s: TLS handshake not finished within "
			    "handshake_timeout_s (%u s): closed", c->clt_peer,
			    c->clt_srv->srv_conf->handshake_timeout_s);
		server_close(c, "handshake timeout");
		return;
	}
	/*
	 * Not idle while we owe answers (queued writes, a stream still being
	 * read from the ledger), or while the peer is taking the ones we sent.  A peer that has read nothing for a whole period is as
	 * idle as one that sends nothing: otherwise non-readers could hold
	 * every connection slot for ever.
	 */
	if (c->clt_pending > 0 || (out > 0 && out < c->clt_out_mark) ||
	    (c->clt_stream.active && out == 0)) {
		c->clt_out_mark = out;
		evtimer_add(c->clt_timer, &tv);
		return;
	}
	log_info("%s (%s): %s for %u s: closed", c->clt_peer, c->clt_cn,
	    out > 0 ? "not reading its answers" : "idle",
	    c->clt_srv->srv_conf->idle_timeout_s);
	server_close(c, "idle");
}

/* "addr:port" into buf (the log's name), the address alone into addr. */
static void
peer_name(const struct sockaddr *sa, char *buf, size_t len, char *addr,
    size_t addrlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else
		snprintf(buf, len, "?");
	snprintf(addr, addrlen, "%s", host);
}

/*
 * Close c, still in its handshake, to admit a newer connection; cap names
 * the limit that made room necessary.
 */
static void
preauth_evict(struct conn *c, const char *cap, uint32_t value)
{
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = ((int64_t)now.tv_sec - c->clt_accepted.tv_sec) * 1000 +
	    (now.tv_nsec - c->clt_accepted.tv_nsec) / 1000000;
	metrics_handshake_fail(MTLS_OTHER);
	if (logrl_allow(c->clt_srv, LOGRL_EVICTED))
		log_info("%s: TLS handshake not finished after %lld ms: closed "
		    "to admit a new connection (%s %u)", c->clt_peer,
		    (long long)ms, cap, value);
	server_close(c, "evicted in its handshake");
}

/*
 * Make room for a new connection from addr (contract 2.10): the oldest
 * connections from addr still in their handshake beyond
 * max_unauthenticated_per_ip - 1, then, at max_connections, the oldest
 * connection of anyone still in its handshake.  Authenticated clients are
 * never closed for a newcomer: when they hold every slot, accepting pauses
 * instead (accept_check_pause()).
 */
static void
preauth_admit(struct server *srv, const char *addr)
{
	const struct config *conf = srv->srv_conf;
	struct conn *c, *next;
	uint32_t n = 0, excess;

	TAILQ_FOREACH(c, &srv->srv_unauth, clt_unauth_entry)
		if (strcmp(c->clt_addr, addr) == 0)
			n++;
	excess = n >= conf->max_unauth_per_ip ?
	    n - conf->max_unauth_per_ip + 1 : 0;
	for (c = TAILQ_FIRST(&srv->srv_unauth); c != NULL && excess > 0;
	    c = next) {
		next = TAILQ_NEXT(c, clt_unauth_entry);
		if (strcmp(c->clt_addr, addr) == 0) {
			preauth_evict(c, "max_unauthenticated_per_ip",
			    conf->max_unauth_per_ip);
			excess--;
		}
	}
	while (srv->srv_nconns >= conf->max_connections &&
	    (c = TAILQ_FIRST(&srv->srv_unauth)) != NULL)
		preauth_evict(c, "max_connections", conf->max_connections);
}

/*
 * Pause accepting when every one of max_connections slots is held by an
 * authenticated client: nobody could be closed to admit a newcomer, who
 * waits in the kernel's backlog until server_close() resumes accepting.
 */
static void
accept_check_pause(struct server *srv)
{
	if (srv->srv_listening && srv->srv_nunauth == 0 &&
	    srv->srv_nconns >= srv->srv_conf->max_connections) {
		log_info("max_connections (%u) reached: accepting paused",
		    srv->srv_conf->max_connections);
		evconnlistener_disable(srv->srv_listener);
		srv->srv_listening = 0;
	}
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct server *srv = arg;
	struct conn *c;
	char peer[sizeof(c->clt_peer)], addr[sizeof(c->clt_addr)];
	SSL *ssl;

	(void)l;
	(void)salen;
	if (srv->srv_stopping) {
		evutil_closesocket(fd);
		return;
	}
	peer_name(sa, peer, sizeof(peer), addr, sizeof(addr));
	preauth_admit(srv, addr);
	if (srv->srv_nconns >= srv->srv_conf->max_connections) {
		/* Accepted in the same batch as the last free slot's taker. */
		evutil_closesocket(fd);
		accept_check_pause(srv);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (ssl = SSL_new(srv->srv_ctx)) == NULL) {
		log_warnx("accept: out of memory");
		free(c);
		evutil_closesocket(fd);
		return;
	}
	c->clt_srv = srv;
	c->clt_id = ++srv->srv_next_id;
	memcpy(c->clt_peer, peer, sizeof(peer));
	memcpy(c->clt_addr, addr, sizeof(addr));
	clock_gettime(CLOCK_MONOTONIC, &c->clt_accepted);
	c->clt_bev = bufferevent_openssl_socket_new(srv->srv_base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (c->clt_bev == NULL) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->clt_timer = evtimer_new(srv->srv_base, conn_timer_cb, c);
	c->clt_stream_ev = event_new(srv->srv_base, -1, 0, conn_stream_cb, c);
	if (c->clt_timer == NULL || c->clt_stream_ev == NULL) {
		if (c->clt_timer != NULL)
			event_free(c->clt_timer);
		if (c->clt_stream_ev != NULL)
			event_free(c->clt_stream_ev);
		bufferevent_free(c->clt_bev);
		free(c);
		return;
	}
	bufferevent_setcb(c->clt_bev, conn_read_cb, conn_write_cb,
	    conn_event_cb, c);
	/* Read at most a frame ahead; the write callback fires when drained. */
	bufferevent_setwatermark(c->clt_bev, EV_READ, 0,
	    srv->srv_conf->max_frame_bytes);
	bufferevent_enable(c->clt_bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&srv->srv_conns, c, clt_entry);
	srv->srv_nconns++;
	TAILQ_INSERT_TAIL(&srv->srv_unauth, c, clt_unauth_entry);
	srv->srv_nunauth++;
	c->clt_unauth = 1;
	conn_arm_handshake_timer(c);
}

static void
accept_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct server *srv = arg;

	(void)fd;
	(void)ev;
	if (!srv->srv_stopping &&
	    (srv->srv_nconns < srv->srv_conf->max_connections ||
	    srv->srv_nunauth > 0)) {
		evconnlistener_enable(srv->srv_listener);
		srv->srv_listening = 1;
	}
}

/* EMFILE and friends: pause accepting for a second instead of spinning. */
static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct server *srv = arg;
	struct timeval tv = { 1, 0 };
	int err = EVUTIL_SOCKET_ERROR();

	log_warnx("accept: %s; accepting paused for 1 s",
	    evutil_socket_error_to_string(err));
	evconnlistener_disable(l);
	srv->srv_listening = 0;
	evtimer_add(srv->srv_accept_pause, &tv);
}

/* Free closed connections that no writer job refers to any more. */
static void
reaper_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct server *srv = arg;
	struct conn *c, *next;

	(void)fd;
	(void)ev;
	TAILQ_FOREACH_SAFE(c, &srv->srv_dead, clt_entry, next)
		if (c->clt_pending == 0) {
			TAILQ_REMOVE(&srv->srv_dead, c, clt_entry);
			free(c);
		}
}

int
server_listen(struct server *srv)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	TAILQ_INIT(&srv->srv_conns);
	TAILQ_INIT(&srv->srv_dead);
	TAILQ_INIT(&srv->srv_unauth);
	if ((srv->srv_reaper = event_new(srv->srv_base, -1, 0, reaper_cb,
	    srv)) == NULL)
		return -1;
	if ((srv->srv_logrl_timer = evtimer_new(srv->srv_base, logrl_timer_cb,
	    srv)) == NULL)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(srv->srv_conf->listen_host, srv->srv_conf->listen_port,
	    &hints, &res);
	if (rc != 0) {
		log_warnx("listen %s:%s: %s", srv->srv_conf->listen_host,
		    srv->srv_conf->listen_port, gai_strerror(rc));
		return -1;
	}
	srv->srv_listener = evconnlistener_new_bind(srv->srv_base, accept_cb,
	    srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_DISABLED |
	    LEV_OPT_CLOSE_ON_EXEC, 511, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (srv->srv_listener == NULL) {
		log_warn("listen %s:%s", srv->srv_conf->listen_host,
		    srv->srv_conf->listen_port);
		return -1;
	}
	evconnlistener_set_error_cb(srv->srv_listener, accept_error_cb);
	srv->srv_accept_pause = evtimer_new(srv->srv_base, accept_resume_cb, srv);
	return srv->srv_accept_pause == NULL ? -1 : 0;
}

void
server_start(struct server *srv)
{
	time(&srv->srv_started);
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		srv->srv_started_mono = (int64_t)ts.tv_sec;
	}
	evconnlistener_enable(srv->srv_listener);
	srv->srv_listening = 1;
}

static void
stop_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct server *srv = arg;

	(void)fd;
	(void)ev;
	log_warnx("shutdown: %u connection(s) did not drain in time; closing",
	    srv->srv_nconns);
	event_base_loopbreak(srv->srv_base);
}

void
server_shutdown(struct server *srv)
{
	struct conn *c, *next;
	/* After a storage failure the exit is due within 5 s (2.10). */
	struct timeval tv = { srv->srv_failed ? 3 : 10, 0 };

	if (srv->srv_stopping)
		return;
	srv->srv_stopping = 1;
	log_info("shutting down: answering what is in flight");
	if (srv->srv_listener != NULL) {
		evconnlistener_free(srv->srv_listener);
		srv->srv_listener = NULL;
	}
	TAILQ_FOREACH_SAFE(c, &srv->srv_conns, clt_entry, next) {
		bufferevent_disable(c->clt_bev, EV_READ);
		if (c->clt_pending == 0 && !c->clt_stream.active &&
		    conn_outlen(c) == 0)
			server_close(c, "shutdown");
	}
	if (srv->srv_nconns == 0) {
		event_base_loopbreak(srv->srv_base);
		return;
	}
	srv->srv_stop_timer = evtimer_new(srv->srv_base, stop_timeout_cb, srv);
	if (srv->srv_stop_timer != NULL)
		evtimer_add(srv->srv_stop_timer, &tv);
}

static void
fail_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	server_shutdown(arg);
}

void
server_fail(struct server *srv, const char *why)
{
	struct timeval tv = { 1, 0 };

	if (srv->srv_failed)
		return;
	srv->srv_failed = 1;
	log_warnx("storage failure (%s): answering STORAGE_ERROR, exiting with "
	    "status 1 for systemd to restart ledgerd", why);
	if (srv->srv_stopping)
		return;	/* already draining */
	srv->srv_fail_timer = evtimer_new(srv->srv_base, fail_timer_cb, srv);
	if (srv->srv_fail_timer == NULL || evtimer_add(srv->srv_fail_timer,
	    &tv) != 0)
		server_shutdown(srv);
}

void
server_free(struct server *srv)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&srv->srv_conns)) != NULL)
		server_close(c, NULL);
	while ((c = TAILQ_FIRST(&srv->srv_dead)) != NULL) {
		TAILQ_REMOVE(&srv->srv_dead, c, clt_entry);
		free(c);	/* the writer has stopped: no job refers to it */
	}
	if (srv->srv_reaper != NULL)
		event_free(srv->srv_reaper);
	if (srv->srv_logrl_timer != NULL)
		event_free(srv->srv_logrl_timer);
	if (srv->srv_listener != NULL)
		evconnlistener_free(srv->srv_listener);
	if (srv->srv_accept_pause != NULL)
		event_free(srv->srv_accept_pause);
	if (srv->srv_stop_timer != NULL)
		event_free(srv->srv_stop_timer);
	if (srv->srv_fail_timer != NULL)
		event_free(srv->srv_fail_timer);
	if (srv->srv_ctx != NULL)
		SSL_CTX_free(srv->srv_ctx);
}

void
server_reload(struct server *srv)
{
	struct config *nc;
	SSL_CTX *ctx;
	char err[512];

	if ((nc = malloc(sizeof(*nc))) == NULL) {
		log_warn("reload");
		return;
	}
	if (config_load(srv->srv_conf->path, nc, err, sizeof(err)) != 0) {
		log_warnx("reload refused, old configuration kept: %s", err);
		free(nc);
		return;
	}
	if ((ctx = tls_server_ctx(nc, err, sizeof(err))) == NULL) {
		log_warnx("reload refused, old certificates kept: %s", err);
		free(nc);
		return;
	}
	if (strcmp(nc->listen_host, srv->srv_conf->listen_host) != 0 ||
	    strcmp(nc->listen_port, srv->srv_conf->listen_port) != 0 ||
	    strcmp(nc->ledger_path, srv->srv_conf->ledger_path) != 0 ||
	    strcmp(nc->checkpoint_key, srv->srv_conf->checkpoint_key) != 0 ||
	    strcmp(nc->checkpoint_origin, srv->srv_conf->checkpoint_origin) != 0 ||
	    nc->max_frame_bytes != srv->srv_conf->max_frame_bytes)
		log_warnx("reload: listen, ledger, checkpoint key and origin and "
		    "max_frame_bytes changes take effect only at restart");
	/*
	 * Keep what only a restart can change; take certificates and roles.
	 * The checkpoint key was loaded at start: its origin (the key name)
	 * must stay the one it signs with.
	 */
	memcpy(nc->listen_host, srv->srv_conf->listen_host, sizeof(nc->listen_host));
	memcpy(nc->listen_port, srv->srv_conf->listen_port, sizeof(nc->listen_port));
	memcpy(nc->ledger_path, srv->srv_conf->ledger_path, sizeof(nc->ledger_path));
	memcpy(nc->checkpoint_key, srv->srv_conf->checkpoint_key,
	    sizeof(nc->checkpoint_key));
	memcpy(nc->checkpoint_origin, srv->srv_conf->checkpoint_origin,
	    sizeof(nc->checkpoint_origin));
	nc->max_frame_bytes = srv->srv_conf->max_frame_bytes;
	SSL_CTX_free(srv->srv_ctx);
	srv->srv_ctx = ctx;
	free(srv->srv_conf);
	srv->srv_conf = nc;
	log_info("reloaded certificates, CA, CRL and %zu role(s)", nc->nroles);
}

int
server_gauges(void *arg, struct metrics_gauges *g)
{
	struct server *srv = arg;
	struct scrub_status ss;
	struct store_txn *t;
	struct ld_entry *e;
	uint64_t last;
	int rc;

	memset(g, 0, sizeof(*g));
	g->connections = srv->srv_nconns;
	g->max_connections = srv->srv_conf->max_connections;
	g->accepted = srv->srv_next_id;
	g->started = (int64_t)srv->srv_started;
	store_usage(srv->srv_store, &g->map_used, &g->map_size);
	g->have_fs = store_fs_space(srv->srv_store, &g->fs_free,
	    &g->fs_size) == LD_OK;
	g->storage_failed = store_failed(srv->srv_store, NULL, 0);
	if (srv->srv_writer != NULL)
		g->oldest_write_us = writer_oldest_write(srv->srv_writer, NULL);
	if (srv->srv_cluster != NULL)
		g->oldest_write_us = cluster_oldest_write(srv->srv_cluster);
	g->damaged_entries = store_damaged(srv->srv_store, &last);
	scrub_status(srv->srv_scrub, &ss);
	g->scrub_result = ss.result;
	g->scrub_finished_at = ss.finished_at;
	g->scrub_damaged_seq = ss.damaged_seq;
	if (srv->srv_writer != NULL)
		g->last_commit = writer_last_commit(srv->srv_writer);
	if (srv->srv_cluster != NULL)
		g->last_commit = cluster_last_commit(srv->srv_cluster);
	if ((rc = store_begin(srv->srv_store, 0, &t)) != LD_OK)
		return -1;
	g->size = store_size(t);
	if (g->size > 0 && (e = malloc(sizeof(*e))) != NULL) {
		if (store_get(t, g->size, e) == LD_OK) {
			g->have_newest = 1;
			g->newest_at = e->recorded_at;
		}
		free(e);
	}
	store_abort(t);
	return 0;
}
