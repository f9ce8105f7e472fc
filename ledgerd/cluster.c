/*
 * cluster.c - libraft on its own thread, fed by the event loop (see
 * cluster.h and docs/REPLICATION.md).
 *
 * The raft thread owns a libuv loop with: libraft (struct raft) over
 * raft_guard (raft_guard.h: it corrects two libraft 0.15 defects) over
 * raft_uv (its log and metadata in raft_dir) and a peer transport; the
 * state machine of replica.c, which holds the only LMDB write transaction;
 * a uv_async_t the event loop signals when it queued jobs or wants to
 * stop; and a 100 ms timer that publishes the state and answers proposals
 * older than commit_timeout_s.
 *
 * A write's life on the leader: cluster_submit() queues the job (mutex)
 * and signals the async handle; the raft thread takes the queue, cuts it
 * into groups (replica_group_encode: at most REPLICA_GROUP_JOBS_MAX jobs
 * and CLUSTER_GROUP_BYTES of payload, so that a proposal stays small next
 * to libraft's in-memory log), stamps each group's time (never below the
 * previous group's), and raft_apply()s it with a struct proposal that
 * keeps the jobs.  libraft replicates it, and once a majority stored it,
 * applies it here like everywhere: the apply callback hands the decided
 * group back (replica_result_take), whose answers are moved into the
 * waiting jobs, which go to the done list and, through an event of the
 * libevent base, back to their connections.
 *
 * Member addresses: libraft keeps one opaque address per member, which it
 * replicates with the configuration.  Here it is "raft_addr@client_addr",
 * so that every member learns where a member added later serves clients
 * (NOT_LEADER names the leader's client address); the transport wrapper
 * below hands the inner transport the raft part only.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <raft.h>
#include <raft/uv.h>
#include <uv.h>

#include "clock.h"
#include "cluster.h"
#include "errors.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "peer_tls.h"
#include "raft_guard.h"
#include "replica.h"

#define CLUSTER_TICK_MS		100
#define CLUSTER_GROUP_BYTES	(1u << 20)	/* payload per proposal */
#define CLUSTER_DEF_COMMIT_S	10
#define CLUSTER_DEF_ELECTION_MS	1000
#define CLUSTER_DEF_HEARTBEAT_MS 100
#define CLUSTER_SNAP_THRESHOLD	1024	/* groups between snapshots */
#define CLUSTER_SNAP_TRAILING	8192	/* groups kept behind one */
#define CLUSTER_RETRY_MS	100	/* reconnecting to a member */

/* One raft_apply() in flight, with the jobs it answers. */
struct proposal {
	struct raft_apply	 req;		/* req.data = this */
	struct cluster		*cl;
	struct wjob		*jobs;		/* NULL once answered early */
	int64_t			 since_us;	/* CLOCK_MONOTONIC */
	struct proposal		*prev, *next;
};

/* A membership change waiting for libraft. */
struct change {
	union {
		struct raft_change	 change;
		struct raft_transfer	 transfer;
	}			 u;
	struct cluster		*cl;
	struct wjob		*job;
	int			 op;
	uint64_t		 id;
	char			 raft_addr[CLUSTER_ADDR_MAX];	/* ADD */
	char			 client_addr[CLUSTER_ADDR_MAX];
	int			 assigned;	/* ADD: raft_assign() done */
};

struct cluster {
	struct cluster_conf	 cl_conf;
	struct store		*cl_store;
	struct ckpt_verifier	 cl_logkey;
	struct cluster_hooks	 cl_hooks;
	pthread_t		 cl_thread;

	/* raft thread only */
	uv_loop_t		 cl_loop;
	uv_async_t		 cl_wake;
	uv_timer_t		 cl_tick;
	struct raft_uv_transport cl_inner;	/* raft_uv_tcp or peer TLS */
	struct raft_uv_transport cl_transport;	/* address-splitting wrapper */
	raft_uv_accept_cb	 cl_accept_cb;
	raft_uv_transport_close_cb cl_close_cb;
	struct raft_io		 cl_io;		/* raft_uv */
	struct raft_guard	*cl_guard;	/* over cl_io: what libraft uses */
	struct raft		 cl_raft;
	struct raft_fsm		 cl_fsm;
	struct replica		*cl_replica;
	struct proposal		*cl_inflight;
	struct peer_tls_peer	 cl_peers[CLUSTER_MEMBERS_MAX];	/* the TLS
						   transport's table */
	size_t			 cl_npeers;
	int64_t			 cl_last_time;	/* newest group time proposed */
	int			 cl_closing;
	int			 cl_handles;	/* libuv handles still open */

	/* under cl_mtx */
	pthread_mutex_t		 cl_mtx;
	pthread_cond_t		 cl_cond;	/* start-up result */
	int			 cl_started;	/* 1 running, -1 failed */
	char			 cl_err[4400];
	struct wjob		*cl_head, *cl_tail;	/* to propose */
	struct change		*cl_changes[8];	/* to start */
	size_t			 cl_nchanges;
	struct wjob_handoff	 cl_done;	/* answered, to the loop */
	int			 cl_stop;
	struct cluster_state	 cl_state;
	int64_t			 cl_oldest_us;	/* oldest job in flight */
};

const char *
cluster_role_name(int role)
{
	switch (role) {
	case CLUSTER_FOLLOWER:
		return "follower";
	case CLUSTER_CANDIDATE:
		return "candidate";
	case CLUSTER_LEADER:
		return "leader";
	default:
		return "unknown";
	}
}

/* "raft@client" -> the raft part into out (outlen bytes). */
static void
addr_raft_part(const char *addr, char *out, size_t outlen)
{
	size_t n = strcspn(addr, "@");

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, addr, n);
	out[n] = '\0';
}

static const char *
addr_client_part(const char *addr)
{
	const char *at = strchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

/* ---- the address-splitting transport ---- */

/*
 * raft_uv owns the wrapper's data pointer (it stores itself there), so
 * the wrapper finds its cluster by its place in the struct.
 */
static struct cluster *
tr_cluster(struct raft_uv_transport *t)
{
	return (struct cluster *)(void *)((char *)t -
	    offsetof(struct cluster, cl_transport));
}

static int
tr_init(struct raft_uv_transport *t, raft_id id, const char *address)
{
	struct cluster *cl = tr_cluster(t);
	char raft[CLUSTER_ADDR_MAX];

	addr_raft_part(address, raft, sizeof(raft));
	return cl->cl_inner.init(&cl->cl_inner, id, raft);
}

/*
 * An accepted peer: libraft learns a leader's address from the connection
 * its messages come on, so it is given the member's whole address as the
 * configuration has it (raft@client), not the bare raft address.
 */
static void
tr_accept(struct raft_uv_transport *inner, raft_id id, const char *address,
    struct uv_stream_s *stream)
{
	struct cluster *cl = inner->data;
	const struct raft_configuration *c = &cl->cl_raft.configuration;
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (c->servers[i].id == id) {
			address = c->servers[i].address;
			break;
		}
	cl->cl_accept_cb(&cl->cl_transport, id, address, stream);
}

static int
tr_listen(struct raft_uv_transport *t, raft_uv_accept_cb cb)
{
	struct cluster *cl = tr_cluster(t);

	cl->cl_accept_cb = cb;
	return cl->cl_inner.listen(&cl->cl_inner, tr_accept);
}

static int
tr_connect(struct raft_uv_transport *t, struct raft_uv_connect *req,
    raft_id id, const char *address, raft_uv_connect_cb cb)
{
	struct cluster *cl = tr_cluster(t);
	char raft[CLUSTER_ADDR_MAX];

	addr_raft_part(address, raft, sizeof(raft));
	return cl->cl_inner.connect(&cl->cl_inner, req, id, raft, cb);
}

static void
tr_inner_closed(struct raft_uv_transport *inner)
{
	struct cluster *cl = inner->data;

	cl->cl_close_cb(&cl->cl_transport);
}

static void
tr_close(struct raft_uv_transport *t, raft_uv_transport_close_cb cb)
{
	struct cluster *cl = tr_cluster(t);

	cl->cl_close_cb = cb;
	cl->cl_inner.close(&cl->cl_inner, tr_inner_closed);
}

/* ---- answers ---- */

/* Hand answered jobs to the event loop (raft thread). */
static void
hand_back(struct cluster *cl, struct wjob *jobs)
{
	if (jobs == NULL)
		return;
	pthread_mutex_lock(&cl->cl_mtx);
	wjob_handoff_put(&cl->cl_done, jobs);
	pthread_mutex_unlock(&cl->cl_mtx);
}

/* Replace each job's answer by one ERROR frame. */
static void
refuse_all(struct wjob *jobs, int code, const char *msg)
{
	struct wjob *j;

	for (j = jobs; j != NULL; j = j->next) {
		wbuf_reset(&j->out);
		j->nwritten = 0;
		j->code = code;
		msg_put_error(&j->out, j->reqid, code, msg);
	}
}

/* NOT_LEADER, naming the leader's client address ("" while none). */
static void
refuse_not_leader(struct wjob *jobs, const struct cluster_state *s)
{
	struct wjob *j;

	for (j = jobs; j != NULL; j = j->next) {
		wbuf_reset(&j->out);
		j->nwritten = 0;
		j->code = LD_E_NOT_LEADER;
		msg_put_not_leader(&j->out, j->reqid, j->version, s->leader);
	}
}

/* ---- the peer transport ---- */

/*
 * The peer table the TLS transport judges connections by: the members of
 * the configuration in force (it changes with `cluster add` and
 * `remove`, on every member), or [cluster] peers before libraft started.
 */
static int
peer_table(struct cluster *cl, struct peer_tls_peer *out, size_t *n)
{
	const struct raft_configuration *c = &cl->cl_raft.configuration;
	size_t i;

	*n = 0;
	if (c->n > 0) {
		for (i = 0; i < c->n && i < CLUSTER_MEMBERS_MAX; i++) {
			out[i].id = c->servers[i].id;
			addr_raft_part(c->servers[i].address, out[i].address,
			    sizeof(out[i].address));
		}
		*n = i;
	} else {
		for (i = 0; i < cl->cl_conf.npeers; i++) {
			out[i].id = cl->cl_conf.peers[i].id;
			snprintf(out[i].address, sizeof(out[i].address), "%s",
			    cl->cl_conf.peers[i].raft_addr);
		}
		*n = i;
	}
	return 0;
}

/* Keep the transport's table in step with the configuration (publish). */
static void
peers_follow(struct cluster *cl)
{
	struct peer_tls_peer tab[CLUSTER_MEMBERS_MAX];
	size_t n;

	if (cl->cl_conf.plain_tcp)
		return;
	peer_table(cl, tab, &n);
	if (n == cl->cl_npeers && memcmp(tab, cl->cl_peers,
	    n * sizeof(tab[0])) == 0)
		return;
	if (peer_tls_set_peers(&cl->cl_inner, tab, n) == 0) {
		memcpy(cl->cl_peers, tab, n * sizeof(tab[0]));
		cl->cl_npeers = n;
	}
}

/* The inner transport: TLS 1.3 between members, or (tests) plain TCP. */
static int
transport_setup(struct cluster *cl)
{
	const struct cluster_conf *c = &cl->cl_conf;
	struct peer_tls_conf ptc;
	int rc;

	if (c->plain_tcp) {
		if ((rc = raft_uv_tcp_init(&cl->cl_inner, &cl->cl_loop)) != 0 ||
		    (rc = raft_uv_tcp_set_bind_address(&cl->cl_inner,
		    c->raft_listen)) != 0) {
			snprintf(cl->cl_err, sizeof(cl->cl_err), "transport "
			    "(raft_listen %s): %s", c->raft_listen,
			    raft_strerror(rc));
			return -1;
		}
		return 0;
	}
	memset(&ptc, 0, sizeof(ptc));
	peer_table(cl, cl->cl_peers, &cl->cl_npeers);
	ptc.id = c->id;
	ptc.listen = c->raft_listen;
	ptc.ca_file = c->peer_ca;
	ptc.cert_file = c->peer_cert;
	ptc.key_file = c->peer_key;
	ptc.peers = cl->cl_peers;
	ptc.npeers = cl->cl_npeers;
	if (peer_tls_init(&cl->cl_inner, &cl->cl_loop, &ptc, cl->cl_err,
	    sizeof(cl->cl_err)) != 0)
		return -1;
	return 0;
}

/* ---- the published state ---- */

static void
publish(struct cluster *cl)
{
	struct raft *r = &cl->cl_raft;
	struct cluster_state s;
	struct proposal *p;
	const char *addr = NULL;
	raft_id lid = 0;
	unsigned i;

	memset(&s, 0, sizeof(s));
	s.node = cl->cl_conf.id;
	switch (raft_state(r)) {
	case RAFT_FOLLOWER:
		s.raft_role = CLUSTER_FOLLOWER;
		break;
	case RAFT_CANDIDATE:
		s.raft_role = CLUSTER_CANDIDATE;
		break;
	case RAFT_LEADER:
		s.raft_role = CLUSTER_LEADER;
		break;
	}
	s.term = r->current_term;
	raft_leader(r, &lid, &addr);
	s.leader_id = lid;
	if (lid != 0 && addr != NULL)
		snprintf(s.leader, sizeof(s.leader), "%s",
		    addr_client_part(addr));
	s.commit_index = r->commit_index;
	s.applied_index = raft_last_applied(r);
	for (i = 0; i < r->configuration.n &&
	    s.nmembers < CLUSTER_MEMBERS_MAX; i++) {
		struct cluster_member *m = &s.members[s.nmembers++];
		const struct raft_server *sv = &r->configuration.servers[i];

		m->id = sv->id;
		addr_raft_part(sv->address, m->raft_addr, sizeof(m->raft_addr));
		snprintf(m->client_addr, sizeof(m->client_addr), "%s",
		    addr_client_part(sv->address));
		m->voter = sv->role == RAFT_VOTER;
		m->raft_role = sv->id == cl->cl_conf.id ? s.raft_role :
		    sv->id == lid ? CLUSTER_LEADER : CLUSTER_FOLLOWER;
	}
	peers_follow(cl);
	/* A change of role or leader is an operator's event: say it once. */
	if (s.raft_role != cl->cl_state.raft_role ||
	    s.leader_id != cl->cl_state.leader_id) {
		if (s.raft_role == CLUSTER_LEADER)
			log_info("raft: this node leads, term %llu",
			    (unsigned long long)s.term);
		else if (s.leader_id != 0)
			log_info("raft: %s; the leader is node %llu at %s, term "
			    "%llu", cluster_role_name(s.raft_role),
			    (unsigned long long)s.leader_id, s.leader,
			    (unsigned long long)s.term);
		else
			log_info("raft: %s, no leader known, term %llu",
			    cluster_role_name(s.raft_role),
			    (unsigned long long)s.term);
	}
	pthread_mutex_lock(&cl->cl_mtx);
	s.last_commit = cl->cl_state.last_commit;
	cl->cl_state = s;
	cl->cl_oldest_us = 0;
	for (p = cl->cl_inflight; p != NULL; p = p->next)
		if (p->jobs != NULL && (cl->cl_oldest_us == 0 ||
		    p->since_us < cl->cl_oldest_us))
			cl->cl_oldest_us = p->since_us;
	pthread_mutex_unlock(&cl->cl_mtx);
}

/* ---- proposals ---- */

static void
proposal_unlink(struct cluster *cl, struct proposal *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		cl->cl_inflight = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
}

/*
 * libraft is done with a proposal: applied here after a majority stored
 * it (status 0), or failed (leadership lost, shutting down).
 */
static void
applied_cb(struct raft_apply *req, int status, void *result)
{
	struct proposal *p = req->data;
	struct cluster *cl = p->cl;
	struct replica_result *res = NULL;
	struct wjob *j, *rj;
	struct wbuf tmp;

	proposal_unlink(cl, p);
	if (status == 0)
		res = replica_result_take(cl->cl_replica, result);
	if (p->jobs != NULL) {
		if (res == NULL)
			refuse_all(p->jobs, LD_E_UNAVAILABLE, status ==
			    RAFT_LEADERSHIPLOST ? "leadership was lost before "
			    "the write was committed; it may still be: retry "
			    "with the same --id" : "the write was not "
			    "committed; retry with the same --id");
		else {
			/* The group's jobs, in the order they were proposed. */
			for (j = p->jobs, rj = res->group.jobs;
			    j != NULL && rj != NULL; j = j->next, rj = rj->next) {
				tmp = j->out;
				j->out = rj->out;
				rj->out = tmp;
				j->nwritten = rj->nwritten;
				j->code = rj->code;
			}
			pthread_mutex_lock(&cl->cl_mtx);
			cl->cl_state.last_commit = wall_us();
			pthread_mutex_unlock(&cl->cl_mtx);
		}
		hand_back(cl, p->jobs);
	}
	replica_result_free(res);
	free(p);
	publish(cl);
}

/* Propose jobs (a list) as one group; answer them when that fails. */
static void
propose(struct cluster *cl, struct wjob *jobs)
{
	struct raft_buffer buf;
	struct proposal *p;
	int64_t now = wall_us();
	int rc;

	if (now <= cl->cl_last_time)
		now = cl->cl_last_time + 1;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		refuse_all(jobs, LD_E_INTERNAL, "out of memory");
		hand_back(cl, jobs);
		return;
	}
	if (replica_group_encode(jobs, now, &buf) != 0) {
		free(p);
		refuse_all(jobs, LD_E_INTERNAL, "the group cannot be proposed");
		hand_back(cl, jobs);
		return;
	}
	cl->cl_last_time = now;
	p->req.data = p;
	p->cl = cl;
	p->jobs = jobs;
	p->since_us = jobs->queued_us;
	if ((rc = raft_apply(&cl->cl_raft, &p->req, &buf, 1,
	    applied_cb)) != 0) {
		struct cluster_state s;

		raft_free(buf.base);
		free(p);
		if (rc == RAFT_NOTLEADER) {
			cluster_state(cl, &s);
			refuse_not_leader(jobs, &s);
		} else
			refuse_all(jobs, LD_E_UNAVAILABLE, raft_strerror(rc));
		hand_back(cl, jobs);
		return;
	}
	p->next = cl->cl_inflight;
	if (p->next != NULL)
		p->next->prev = p;
	cl->cl_inflight = p;
}

/* Cut the queue into groups and propose each. */
static void
propose_queue(struct cluster *cl, struct wjob *q)
{
	struct wjob *first, *last;
	size_t bytes;
	uint32_t n;

	while (q != NULL) {
		first = last = q;
		bytes = q->len;
		n = 1;
		while (last->next != NULL && n < REPLICA_GROUP_JOBS_MAX &&
		    bytes + last->next->len <= CLUSTER_GROUP_BYTES) {
			last = last->next;
			bytes += last->len;
			n++;
		}
		q = last->next;
		last->next = NULL;
		propose(cl, first);
	}
}

/* ---- membership ---- */

static void
change_done(struct change *c, int code, const char *msg)
{
	struct wjob *j = c->job;

	j->code = code;
	wbuf_reset(&j->out);
	j->next = NULL;
	if (code == LD_E_NOT_LEADER) {
		struct cluster_state s;

		cluster_state(c->cl, &s);
		refuse_not_leader(j, &s);
	} else if (code != LD_OK)
		msg_put_error(&j->out, j->reqid, code, msg);
	hand_back(c->cl, j);
	free(c);
}

static void
change_cb(struct raft_change *req, int status)
{
	struct change *c = req->data;
	int rc;

	if (status == 0 && c->op == CLUSTER_ADD && !c->assigned) {
		/* Added as a spare; now make it a voter (it catches up first). */
		c->assigned = 1;
		rc = raft_assign(&c->cl->cl_raft, &c->u.change, c->id,
		    RAFT_VOTER, change_cb);
		if (rc == 0)
			return;
		status = rc;
	}
	publish(c->cl);
	change_done(c, status == 0 ? LD_OK : status == RAFT_NOTLEADER ?
	    LD_E_NOT_LEADER : LD_E_UNAVAILABLE, status == 0 ? NULL :
	    raft_strerror(status));
}

static void
transfer_cb(struct raft_transfer *req)
{
	struct change *c = req->data;

	publish(c->cl);
	change_done(c, LD_OK, NULL);
}

static void
start_change(struct cluster *cl, struct change *c)
{
	char addr[2 * CLUSTER_ADDR_MAX + 2];
	int rc;

	c->u.change.data = c;
	switch (c->op) {
	case CLUSTER_ADD:
		snprintf(addr, sizeof(addr), "%s@%s", c->raft_addr,
		    c->client_addr);
		rc = raft_add(&cl->cl_raft, &c->u.change, c->id, addr,
		    change_cb);
		break;
	case CLUSTER_REMOVE:
		rc = raft_remove(&cl->cl_raft, &c->u.change, c->id, change_cb);
		break;
	default:
		/* Leadership handed to the leader itself: nothing to do. */
		if (c->id == cl->cl_conf.id &&
		    raft_state(&cl->cl_raft) == RAFT_LEADER) {
			change_done(c, LD_OK, NULL);
			return;
		}
		c->u.transfer.data = c;
		rc = raft_transfer(&cl->cl_raft, &c->u.transfer, c->id,
		    transfer_cb);
		break;
	}
	if (rc != 0)
		change_done(c, rc == RAFT_NOTLEADER ? LD_E_NOT_LEADER :
		    rc == RAFT_BADID || rc == RAFT_DUPLICATEID ||
		    rc == RAFT_DUPLICATEADDRESS || rc == RAFT_NOTFOUND ?
		    LD_E_BAD_REQUEST : LD_E_UNAVAILABLE, raft_strerror(rc));
}

/* ---- the raft thread ---- */

static void
handle_closed(uv_handle_t *h)
{
	struct cluster *cl = h->data;

	cl->cl_handles--;
}

static void
raft_closed(struct raft *r)
{
	struct cluster *cl = r->data;

	uv_close((uv_handle_t *)&cl->cl_wake, handle_closed);
	uv_close((uv_handle_t *)&cl->cl_tick, handle_closed);
}

/* Stop: answer what waits, then close libraft (its callbacks fail the rest). */
static void
begin_close(struct cluster *cl, struct wjob *queued)
{
	struct proposal *p;

	cl->cl_closing = 1;
	refuse_all(queued, LD_E_UNAVAILABLE, "ledgerd is stopping; retry "
	    "with the same --id");
	hand_back(cl, queued);
	for (p = cl->cl_inflight; p != NULL; p = p->next)
		if (p->jobs != NULL) {
			refuse_all(p->jobs, LD_E_UNAVAILABLE, "ledgerd is "
			    "stopping before the write was committed; it may "
			    "still be: retry with the same --id");
			hand_back(cl, p->jobs);
			p->jobs = NULL;
		}
	raft_close(&cl->cl_raft, raft_closed);
}

static void
wake_cb(uv_async_t *h)
{
	struct cluster *cl = h->data;
	struct change *changes[8];
	struct cluster_state s;
	struct wjob *q;
	size_t n, i;
	int stop;

	pthread_mutex_lock(&cl->cl_mtx);
	q = cl->cl_head;
	cl->cl_head = cl->cl_tail = NULL;
	n = cl->cl_nchanges;
	memcpy(changes, cl->cl_changes, n * sizeof(changes[0]));
	cl->cl_nchanges = 0;
	stop = cl->cl_stop;
	pthread_mutex_unlock(&cl->cl_mtx);

	if (cl->cl_closing) {
		refuse_all(q, LD_E_UNAVAILABLE, "ledgerd is stopping");
		hand_back(cl, q);
		return;
	}
	if (stop) {
		for (i = 0; i < n; i++)
			change_done(changes[i], LD_E_UNAVAILABLE,
			    "ledgerd is stopping");
		begin_close(cl, q);
		return;
	}
	for (i = 0; i < n; i++)
		start_change(cl, changes[i]);
	if (q == NULL)
		return;
	if (raft_state(&cl->cl_raft) != RAFT_LEADER) {
		publish(cl);
		cluster_state(cl, &s);
		refuse_not_leader(q, &s);
		hand_back(cl, q);
		return;
	}
	propose_queue(cl, q);
}

/* Every tick: publish the state; answer proposals past commit_timeout_s. */
static void
tick_cb(uv_timer_t *h)
{
	struct cluster *cl = h->data;
	int64_t limit = (int64_t)cl->cl_conf.commit_timeout_s * 1000000;
	int64_t now = mono_us();
	struct proposal *p;

	for (p = cl->cl_inflight; p != NULL; p = p->next)
		if (p->jobs != NULL && now - p->since_us > limit) {
			refuse_all(p->jobs, LD_E_UNAVAILABLE, "not committed "
			    "within commit_timeout_s (no majority reached); "
			    "it may still commit: retry with the same --id");
			hand_back(cl, p->jobs);
			p->jobs = NULL;
		}
	publish(cl);
}

static void
replica_failed(void *arg, const char *why)
{
	struct cluster *cl = arg;

	if (cl->cl_hooks.failed != NULL)
		cl->cl_hooks.failed(cl->cl_hooks.arg, why);
}

/* Everything libraft needs, on the raft thread: 0, or -1 with cl_err. */
static int
raft_setup(struct cluster *cl)
{
	const struct cluster_conf *c = &cl->cl_conf;
	struct raft_configuration conf;
	struct replica_hooks rh;
	char self[2 * CLUSTER_ADDR_MAX + 2], addr[2 * CLUSTER_ADDR_MAX + 2];
	size_t i;
	int rc;

	/* raft_uv wants its directory to exist; it is the member's alone. */
	if (mkdir(c->raft_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "%s: %s", c->raft_dir,
		    strerror(errno));
		return -1;
	}
	if (uv_loop_init(&cl->cl_loop) != 0) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "uv_loop_init failed");
		return -1;
	}
	if (transport_setup(cl) != 0)
		return -1;
	cl->cl_inner.data = cl;
	memset(&cl->cl_transport, 0, sizeof(cl->cl_transport));
	cl->cl_transport.data = cl;
	cl->cl_transport.init = tr_init;
	cl->cl_transport.listen = tr_listen;
	cl->cl_transport.connect = tr_connect;
	cl->cl_transport.close = tr_close;
	if ((rc = raft_uv_init(&cl->cl_io, &cl->cl_loop, c->raft_dir,
	    &cl->cl_transport)) != 0) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "%s: %s", c->raft_dir,
		    raft_strerror(rc));
		return -1;
	}
	self[0] = '\0';
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].id == c->id)
			snprintf(self, sizeof(self), "%s@%s",
			    c->peers[i].raft_addr, c->peers[i].client_addr);
	/* libraft 0.15's two defects, corrected beneath it (raft_guard.h). */
	if ((rc = raft_guard_new(&cl->cl_guard, &cl->cl_io,
	    RAFT_GUARD_ALL)) != 0) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "raft_guard_new: %s",
		    raft_strerror(rc));
		return -1;
	}
	if ((rc = raft_init(&cl->cl_raft, raft_guard_io(cl->cl_guard),
	    &cl->cl_fsm, c->id, self)) != 0) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "raft_init: %s",
		    raft_strerror(rc));
		return -1;
	}
	cl->cl_raft.data = cl;
	memset(&rh, 0, sizeof(rh));
	rh.failed = replica_failed;
	rh.arg = cl;
	if (replica_open(&cl->cl_replica, cl->cl_store, &cl->cl_raft,
	    &cl->cl_logkey, &rh, cl->cl_err, sizeof(cl->cl_err)) != 0)
		return -1;
	replica_fsm(cl->cl_replica, &cl->cl_fsm);
	/*
	 * The Raft log is the member's write-ahead log: a commit whose meta
	 * page a system crash loses is replayed from it (docs/REPLICATION.md).
	 */
	if (store_set_meta_nosync(cl->cl_store, 1) != LD_OK) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "cannot set the "
		    "store's sync mode");
		return -1;
	}
	raft_set_election_timeout(&cl->cl_raft, c->election_timeout_ms);
	raft_set_heartbeat_timeout(&cl->cl_raft, c->heartbeat_ms);
	raft_set_snapshot_threshold(&cl->cl_raft, CLUSTER_SNAP_THRESHOLD);
	raft_set_snapshot_trailing(&cl->cl_raft, CLUSTER_SNAP_TRAILING);
	raft_set_pre_vote(&cl->cl_raft, true);
	/*
	 * Followers talk to each other only in an election, over connections
	 * that may have died since (a member restarted): a vote lost on one
	 * waits for the reconnection, which raft_uv delays by a second by
	 * default.  Measured in integ_cluster's traces: elections of up to
	 * 3.6 s, against 1-2 s when the connection is there.
	 */
	raft_uv_set_connect_retry_delay(&cl->cl_io, CLUSTER_RETRY_MS);

	/* The initial voters, the same on every member: a no-op once done. */
	raft_configuration_init(&conf);
	for (i = 0, rc = 0; i < c->npeers && rc == 0; i++) {
		snprintf(addr, sizeof(addr), "%s@%s", c->peers[i].raft_addr,
		    c->peers[i].client_addr);
		rc = raft_configuration_add(&conf, c->peers[i].id, addr,
		    RAFT_VOTER);
	}
	if (rc == 0 && !c->join)
		rc = raft_bootstrap(&cl->cl_raft, &conf);
	raft_configuration_close(&conf);
	if (rc != 0 && rc != RAFT_CANTBOOTSTRAP) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "bootstrap: %s",
		    raft_strerror(rc));
		return -1;
	}
	if ((rc = raft_start(&cl->cl_raft)) != 0) {
		snprintf(cl->cl_err, sizeof(cl->cl_err), "raft_start: %s (%s)",
		    raft_strerror(rc), raft_errmsg(&cl->cl_raft));
		return -1;
	}
	cl->cl_wake.data = cl;
	cl->cl_tick.data = cl;
	uv_async_init(&cl->cl_loop, &cl->cl_wake, wake_cb);
	uv_timer_init(&cl->cl_loop, &cl->cl_tick);
	uv_timer_start(&cl->cl_tick, tick_cb, CLUSTER_TICK_MS, CLUSTER_TICK_MS);
	cl->cl_handles = 2;
	publish(cl);
	return 0;
}

static void *
cluster_main(void *arg)
{
	struct cluster *cl = arg;
	int rc;

	rc = raft_setup(cl);
	pthread_mutex_lock(&cl->cl_mtx);
	cl->cl_started = rc == 0 ? 1 : -1;
	pthread_cond_signal(&cl->cl_cond);
	pthread_mutex_unlock(&cl->cl_mtx);
	if (rc != 0)
		return NULL;
	uv_run(&cl->cl_loop, UV_RUN_DEFAULT);
	replica_close(cl->cl_replica);
	cl->cl_replica = NULL;
	raft_guard_free(cl->cl_guard);
	cl->cl_guard = NULL;
	raft_uv_close(&cl->cl_io);
	if (cl->cl_conf.plain_tcp)
		raft_uv_tcp_close(&cl->cl_inner);
	else
		peer_tls_close(&cl->cl_inner);
	uv_loop_close(&cl->cl_loop);
	return NULL;
}

/* ---- the event loop's side ---- */

int
cluster_start(struct cluster **out, const struct cluster_conf *conf,
    struct store *store, struct event_base *base,
    const struct ckpt_verifier *logkey, writer_done_fn done, void *arg,
    const struct cluster_hooks *hooks, char *err, size_t errlen)
{
	struct cluster *cl;

	*out = NULL;
	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cl->cl_conf = *conf;
	if (cl->cl_conf.commit_timeout_s == 0)
		cl->cl_conf.commit_timeout_s = CLUSTER_DEF_COMMIT_S;
	if (cl->cl_conf.election_timeout_ms == 0)
		cl->cl_conf.election_timeout_ms = CLUSTER_DEF_ELECTION_MS;
	if (cl->cl_conf.heartbeat_ms == 0)
		cl->cl_conf.heartbeat_ms = CLUSTER_DEF_HEARTBEAT_MS;
	cl->cl_store = store;
	if (logkey != NULL)
		cl->cl_logkey = *logkey;
	if (hooks != NULL)
		cl->cl_hooks = *hooks;
	cl->cl_done.mtx = &cl->cl_mtx;
	cl->cl_done.done = done;
	cl->cl_done.arg = arg;
	pthread_mutex_init(&cl->cl_mtx, NULL);
	pthread_cond_init(&cl->cl_cond, NULL);
	if ((cl->cl_done.ev = event_new(base, -1, 0, wjob_handoff_cb,
	    &cl->cl_done)) == NULL) {
		snprintf(err, errlen, "event_new failed");
		goto fail;
	}
	if (pthread_create(&cl->cl_thread, NULL, cluster_main, cl) != 0) {
		snprintf(err, errlen, "cannot start the raft thread: %s",
		    strerror(errno));
		goto fail;
	}
	pthread_mutex_lock(&cl->cl_mtx);
	while (cl->cl_started == 0)
		pthread_cond_wait(&cl->cl_cond, &cl->cl_mtx);
	pthread_mutex_unlock(&cl->cl_mtx);
	if (cl->cl_started < 0) {
		snprintf(err, errlen, "%s", cl->cl_err);
		pthread_join(cl->cl_thread, NULL);
		goto fail;
	}
	*out = cl;
	return 0;
fail:
	if (cl->cl_done.ev != NULL)
		event_free(cl->cl_done.ev);
	pthread_mutex_destroy(&cl->cl_mtx);
	pthread_cond_destroy(&cl->cl_cond);
	free(cl);
	return -1;
}

void
cluster_submit(struct cluster *cl, struct wjob *j)
{
	struct cluster_state s;

	j->next = NULL;
	j->queued_us = mono_us();	/* commit_timeout_s counts from here */
	pthread_mutex_lock(&cl->cl_mtx);
	s = cl->cl_state;
	if (s.raft_role != CLUSTER_LEADER) {
		/* Decided before anything else on a follower (2.10). */
		pthread_mutex_unlock(&cl->cl_mtx);
		refuse_not_leader(j, &s);
		/* Answered from the loop's next turn, never from inside it. */
		hand_back(cl, j);
		return;
	}
	if (cl->cl_tail != NULL)
		cl->cl_tail->next = j;
	else
		cl->cl_head = j;
	cl->cl_tail = j;
	pthread_mutex_unlock(&cl->cl_mtx);
	uv_async_send(&cl->cl_wake);
}

void
cluster_change(struct cluster *cl, struct wjob *j, int op, uint64_t id,
    const char *raft_addr, const char *client_addr)
{
	struct change *c;
	size_t a = strlen(raft_addr), b = strlen(client_addr);

	j->next = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    a >= sizeof(c->raft_addr) || b >= sizeof(c->client_addr)) {
		refuse_all(j, c == NULL ? LD_E_INTERNAL : LD_E_BAD_REQUEST,
		    c == NULL ? "out of memory" : "address too long");
		free(c);
		hand_back(cl, j);
		return;
	}
	memcpy(c->raft_addr, raft_addr, a + 1);
	memcpy(c->client_addr, client_addr, b + 1);
	c->cl = cl;
	c->job = j;
	c->op = op;
	c->id = id;
	pthread_mutex_lock(&cl->cl_mtx);
	if (cl->cl_nchanges == sizeof(cl->cl_changes) /
	    sizeof(cl->cl_changes[0])) {
		pthread_mutex_unlock(&cl->cl_mtx);
		free(c);
		refuse_all(j, LD_E_BUSY, "membership changes already pending");
		hand_back(cl, j);
		return;
	}
	cl->cl_changes[cl->cl_nchanges++] = c;
	pthread_mutex_unlock(&cl->cl_mtx);
	uv_async_send(&cl->cl_wake);
}

void
cluster_state(struct cluster *cl, struct cluster_state *out)
{
	pthread_mutex_lock(&cl->cl_mtx);
	*out = cl->cl_state;
	pthread_mutex_unlock(&cl->cl_mtx);
}

int64_t
cluster_last_commit(struct cluster *cl)
{
	int64_t t;

	pthread_mutex_lock(&cl->cl_mtx);
	t = cl->cl_state.last_commit;
	pthread_mutex_unlock(&cl->cl_mtx);
	return t;
}

int64_t
cluster_oldest_write(struct cluster *cl)
{
	int64_t since;

	pthread_mutex_lock(&cl->cl_mtx);
	since = cl->cl_oldest_us;
	pthread_mutex_unlock(&cl->cl_mtx);
	return since == 0 ? 0 : mono_us() - since;
}

void
cluster_stop(struct cluster *cl)
{
	if (cl == NULL)
		return;
	pthread_mutex_lock(&cl->cl_mtx);
	cl->cl_stop = 1;
	pthread_mutex_unlock(&cl->cl_mtx);
	uv_async_send(&cl->cl_wake);
	pthread_join(cl->cl_thread, NULL);
	wjob_handoff_cb(-1, 0, &cl->cl_done);	/* the last answers, here */
	event_free(cl->cl_done.ev);
	pthread_mutex_destroy(&cl->cl_mtx);
	pthread_cond_destroy(&cl->cl_cond);
	free(cl);
}
