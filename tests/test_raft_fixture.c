/*
 * test_raft_fixture.c - the replicated ledger under libraft's deterministic
 * fixture (raft/fixture.h): 3 and 5 members, each with the real state
 * machine (replica.c) over a real tiny LMDB ledger, a fake clock and a
 * fake network and disk that the test breaks.
 *
 * Every scenario runs for many seeds (LD_RAFT_SEEDS, default 50; each seed
 * chooses the timings, the faults, the groups and the moments).  The
 * clients' side is the test: it proposes groups of write requests on
 * whichever member is leader, and an id counts as acknowledged only when
 * the leader's own apply answered it with its entry (the raft_apply
 * callback with status 0).  After the faults are healed, every scenario
 * checks:
 *   - every two ledgers are identical prefixes: the same entries byte for
 *     byte and the same Merkle root at the shorter one's size, and every
 *     member still in service has the leader's whole ledger;
 *   - every acknowledged id is on a majority (in fact on every member in
 *     service), at the seq the leader answered;
 *   - what a cut-off leader accepted is never acknowledged, and absent.
 * A failure prints the scenario and the seed; LD_RAFT_SEED=N runs one.
 *
 * Every member's libraft runs over raft_guard (ledgerd/raft_guard.c), as
 * in the daemon: without it libraft 0.15 fails about one seed in four of
 * leader_crash_5 and a few of leader_crash_3 and loss_latency_3
 * (docs/REPLICATION.md, last section; the first are seeds 7, 33 and 63),
 * and a failure then names the fault.  LD_RAFT_GUARD=off runs without the
 * guard, LD_RAFT_GUARD=0..3 with some of its corrections, to show that.
 * t_guard checks the two corrections on hand-made messages.
 *
 * The ledgers live under /dev/shm when it exists: the fixture tests the
 * logic, not the disk, and an fsync there costs nothing (LD_RAFT_TMP
 * chooses another directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <raft.h>
#include <raft/fixture.h>

#include "config.h"
#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "raft_guard.h"
#include "replica.h"
#include "store.h"
#include "wire.h"
#include "writer.h"

#define NMAX		5
#define IDS_MAX		4096
#define STEP_MS		20000	/* patience of a step_until, fake time */

struct node {
	char		 dir[128];
	struct store	*st;
	struct replica	*rp;
	struct raft_fsm	 fsm;
	struct raft_guard *guard;	/* under libraft, over the fixture's io */
	int64_t		 skew_us;	/* this member's clock, off by this */
	struct cl	*cl;
	unsigned	 idx;
};

struct cl;

/* One proposed group, until libraft calls back. */
struct prop {
	struct raft_apply	 req;
	struct cl		*cl;
	unsigned		 node;
	int			 stale;		/* proposed to a cut-off leader */
	unsigned		 nids;
	unsigned		 ids[4];
	struct prop		*next;
};

struct cl {
	struct raft_fixture	 f;
	unsigned		 n;
	struct node		 nodes[NMAX];
	uint64_t		 seed, rng;
	const char		*name;
	unsigned		 nids;		/* ids handed out */
	int64_t			 amount[IDS_MAX];	/* request of id i */
	uint64_t		 acked[IDS_MAX];	/* answered seq, 0 = not */
	int			 stale[IDS_MAX];	/* only ever sent to a cut-off leader */
	unsigned		 nacked, nstale_acked;
	unsigned		 ngroups_acked;
	raft_index		 want;		/* heal(): applied everywhere */
	struct prop		*props;		/* every prop, freed at the end */
};

static uint64_t
rnd(struct cl *c)
{
	/* splitmix64: the seed alone decides the run */
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned
rndn(struct cl *c, unsigned n)
{
	return (unsigned)(rnd(c) % n);
}

static void	cl_dump(struct cl *);

/*
 * LD_RAFT_GUARD: which of raft_guard's corrections run under every member
 * (RAFT_GUARD_* bits, 0 to 3; unset: all), or "off" for the fixture's io
 * alone.  Anything but the default is there to show what the guard does:
 * the seeds that fail without it.
 */
static int
guard_mode(void)
{
	const char *s = getenv("LD_RAFT_GUARD");

	if (s == NULL || s[0] == '\0')
		return RAFT_GUARD_ALL;
	if (strcmp(s, "off") == 0)
		return -1;
	if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
		return s[0] - '0';
	fail_msg("LD_RAFT_GUARD=%s: 0 to 3 or off", s);
	return -1;
}

#define CHECK(c, cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "FAILED %s seed %llu: ", (c)->name,	\
		    (unsigned long long)(c)->seed);			\
		fprintf(stderr, __VA_ARGS__);				\
		cl_dump(c);						\
		fprintf(stderr, "\n  (rerun: LD_RAFT_SEED=%llu)\n",	\
		    (unsigned long long)(c)->seed);			\
		fail_msg("%s seed %llu: %s", (c)->name,			\
		    (unsigned long long)(c)->seed, #cond);		\
	}								\
} while (0)

/* The term of index x in r's in-memory log, 0 when it is not there. */
static raft_term
term_at(struct raft *r, raft_index x)
{
	if (x <= r->log.offset || r->log.size == 0 ||
	    x > r->log.offset + (r->log.back + r->log.size - r->log.front) %
	    r->log.size)
		return 0;
	return r->log.entries[(r->log.front + (x - r->log.offset - 1)) %
	    r->log.size].term;
}

/*
 * A known libraft 0.15 fault (still in canonical/raft 0.18.1), which
 * raft_guard corrects: a follower answers a heartbeat that matched below
 * its stale, uncommitted tail with last_log_index = its last stored index,
 * and the leader takes that (capped at its own last index) as the
 * follower's match: it counts the stale entry as a copy of its own, and
 * ignores the follower's later rejections as stale.  Say so when a
 * failure is that (without the guard, or if the guard stops working).
 */
static void
libraft_stale_match(struct cl *c)
{
	struct raft *l, *f;
	unsigned li = c->n, i, k;
	raft_index m;

	for (i = 0; i < c->n; i++)
		if (raft_state(raft_fixture_get(&c->f, i)) == RAFT_LEADER)
			li = i;
	if (li == c->n)
		return;
	l = raft_fixture_get(&c->f, li);
	for (k = 0; k < l->configuration.n; k++) {
		for (i = 0; i < c->n && c->f.servers[i].id !=
		    l->configuration.servers[k].id; i++)
			;
		if (i == li || i == c->n)
			continue;
		f = raft_fixture_get(&c->f, i);
		for (m = l->leader_state.progress[k].match_index; m > 0; m--)
			if (term_at(f, m) != 0 && term_at(l, m) != 0 &&
			    term_at(f, m) != term_at(l, m)) {
				fprintf(stderr, "  libraft 0.15: leader %u counts "
				    "member %u's entry %llu (term %llu) as a copy "
				    "of its own (term %llu): match_index %llu\n",
				    li, i, (unsigned long long)m,
				    (unsigned long long)term_at(f, m),
				    (unsigned long long)term_at(l, m),
				    (unsigned long long)
				    l->leader_state.progress[k].match_index);
				break;
			}
	}
}

/* Each member's Raft and ledger state, printed with a failure. */
static void
cl_dump(struct cl *c)
{
	struct raft *r;
	unsigned i;

	libraft_stale_match(c);
	fprintf(stderr, "\n  time %llu ms\n",
	    (unsigned long long)raft_fixture_time(&c->f));
	for (i = 0; i < c->n; i++) {
		r = raft_fixture_get(&c->f, i);
		fprintf(stderr, "  node %u: %s state %d term %llu commit %llu "
		    "applied %llu stored %llu, ledger index %llu\n", i,
		    raft_fixture_alive(&c->f, i) ? "alive" : "dead",
		    raft_state(r), (unsigned long long)r->current_term,
		    (unsigned long long)r->commit_index,
		    (unsigned long long)raft_last_applied(r),
		    (unsigned long long)r->last_stored,
		    (unsigned long long)replica_applied(c->nodes[i].rp));
	}
}

static const char *
tmp_root(void)
{
	const char *d = getenv("LD_RAFT_TMP");

	if (d != NULL && d[0] != '\0')
		return d;
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static void
rm_store(const char *dir)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
}

/* ---- the catch-up source: any other member's ledger ---- */

static int
fetch(void *arg, uint64_t from, uint64_t to, replica_put_fn put, void *ctx)
{
	struct node *self = arg;
	struct cl *c = self->cl;
	struct store_txn *t;
	const uint8_t *enc;
	size_t len;
	uint64_t seq;
	unsigned i;
	int ok;

	for (i = 0; i < c->n; i++) {
		/* not the asking member: it holds its write transaction */
		if (i == self->idx || store_begin(c->nodes[i].st, 0, &t) != LD_OK)
			continue;
		ok = store_size(t) >= to;
		for (seq = from; ok && seq <= to; seq++)
			ok = store_get_raw(t, seq, &enc, &len) == LD_OK &&
			    put(ctx, seq, enc, len) == 0;
		store_abort(t);
		if (ok)
			return 0;
		if (seq > from + 1)
			return -1;	/* put refused: the replica said why */
	}
	return -1;
}

static void
open_node(struct cl *c, unsigned i)
{
	struct node *nd = &c->nodes[i];
	struct replica_hooks hooks = { fetch, NULL, nd };
	char err[256];

	nd->cl = c;
	nd->idx = i;
	if (store_open(&nd->st, nd->dir, 4, 0, err, sizeof(err)) != 0)
		fail_msg("store_open: %s", err);
	if (replica_open(&nd->rp, nd->st, &c->f.servers[i].raft, NULL, &hooks,
	    err, sizeof(err)) != 0)
		fail_msg("replica_open: %s", err);
	replica_fsm(nd->rp, &nd->fsm);
}

/*
 * A member's process died and starts again on the same files: the store
 * and the replica are opened anew (the fixture keeps Raft's own state).
 */
static void
reopen_node(struct cl *c, unsigned i)
{
	struct node *nd = &c->nodes[i];
	uint64_t before = replica_applied(nd->rp);

	replica_close(nd->rp);
	store_close(nd->st);
	open_node(c, i);
	CHECK(c, replica_applied(nd->rp) == before,
	    "node %u reopened at index %llu, had %llu", i,
	    (unsigned long long)replica_applied(nd->rp),
	    (unsigned long long)before);
}

static struct cl *
cl_new(const char *name, uint64_t seed, unsigned n, unsigned threshold,
    unsigned trailing)
{
	struct cl *c = calloc(1, sizeof(*c));
	struct raft_configuration conf;
	unsigned i, k, x, order[NMAX];

	assert_non_null(c);
	c->name = name;
	c->seed = c->rng = seed;
	c->n = n;
	assert_int_equal(raft_fixture_initialize(&c->f), 0);
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		k = rndn(c, i + 1);
		x = order[i];
		order[i] = order[k];
		order[k] = x;
	}
	for (i = 0; i < n; i++) {
		snprintf(c->nodes[i].dir, sizeof(c->nodes[i].dir),
		    "%s/test_raft.XXXXXX", tmp_root());
		assert_non_null(mkdtemp(c->nodes[i].dir));
		open_node(c, i);
		c->nodes[i].skew_us = (int64_t)rndn(c, 10000001) - 5000000;
		assert_int_equal(raft_fixture_grow(&c->f, &c->nodes[i].fsm), 0);
		/* The fixture's "randomized" timeout is fixed per member:
		   200 ms apart (in a shuffled order) so that two candidates
		   cannot split the vote for ever. */
		raft_fixture_set_randomized_election_timeout(&c->f, i,
		    1000 + 200 * order[i] + rndn(c, 50));
		raft_fixture_set_network_latency(&c->f, i, 5 + rndn(c, 30));
		raft_fixture_set_disk_latency(&c->f, i, 2 + rndn(c, 20));
		raft_set_snapshot_threshold(raft_fixture_get(&c->f, i),
		    threshold);
		raft_set_snapshot_trailing(raft_fixture_get(&c->f, i), trailing);
		/*
		 * The fixture calls raft_init() on its own io, so the guard
		 * goes under each member afterwards, before bootstrap and
		 * start: libraft reaches its io only through r->io.
		 */
		if (guard_mode() >= 0) {
			struct raft *r = raft_fixture_get(&c->f, i);

			assert_int_equal(raft_guard_new(&c->nodes[i].guard,
			    r->io, (unsigned)guard_mode()), 0);
			r->io = raft_guard_io(c->nodes[i].guard);
		}
	}
	assert_int_equal(raft_fixture_configuration(&c->f, n, &conf), 0);
	assert_int_equal(raft_fixture_bootstrap(&c->f, &conf), 0);
	raft_configuration_close(&conf);
	assert_int_equal(raft_fixture_start(&c->f), 0);
	return c;
}

static void
cl_free(struct cl *c)
{
	struct prop *p, *next;
	unsigned i;

	raft_fixture_close(&c->f);
	for (i = 0; i < c->n; i++) {
		raft_guard_free(c->nodes[i].guard);
		replica_close(c->nodes[i].rp);
		store_close(c->nodes[i].st);
		rm_store(c->nodes[i].dir);
	}
	for (p = c->props; p != NULL; p = next) {
		next = p->next;
		free(p);
	}
	free(c);
}

static int
in_service(struct cl *c, unsigned i)
{
	return raft_fixture_alive(&c->f, i) &&
	    raft_state(raft_fixture_get(&c->f, i)) != RAFT_UNAVAILABLE;
}

/* ---- clients ---- */

static void
appropriation(struct ld_entry *e, unsigned id, int64_t amount)
{
	memset(e, 0, sizeof(*e));
	e->kind = LD_K_APPROPRIATION;
	e->account = LD_A_GENERAL;
	e->fy = 2013;
	e->amount = amount;
	snprintf(e->ref, sizeof(e->ref), "AP-%u", id);
	snprintf(e->id, sizeof(e->id), "ap-%u", id);
}

static struct wjob *
write_job(unsigned id, int64_t amount, uint32_t reqid)
{
	struct wjob *j = calloc(1, sizeof(*j));
	struct ld_entry e;
	struct wbuf p;

	assert_non_null(j);
	appropriation(&e, id, amount);
	wbuf_init(&p);
	assert_int_equal(msg_encode_write(&p, &e), 0);
	j->type = MSG_WRITE;
	j->role = ROLE_ADMIN;
	j->version = 3;
	j->reqid = reqid;
	j->max_frame = 1 << 20;
	snprintf(j->actor, sizeof(j->actor), "admin01");
	j->payload = p.data;	/* the job owns the wbuf's bytes now */
	j->len = p.len;
	wbuf_init(&j->out);
	return j;
}

/* The leader's answers: an id is acknowledged by its MSG_ENTRY. */
static void
applied_cb(struct raft_apply *req, int status, void *result)
{
	struct prop *p = req->data;
	struct cl *c = p->cl;
	struct replica_result *res;
	struct frame_hdr h;
	struct ld_entry *e;
	struct wjob *j;
	unsigned k;
	int dup;

	res = replica_result_take(c->nodes[p->node].rp, result);
	if (status != 0 || res == NULL) {
		replica_result_free(res);
		return;
	}
	CHECK(c, res->group.njobs == p->nids, "answers for %u jobs of %u",
	    res->group.njobs, p->nids);
	c->ngroups_acked++;
	assert_non_null(e = malloc(sizeof(*e)));
	for (j = res->group.jobs, k = 0; j != NULL; j = j->next, k++) {
		CHECK(c, frame_peek(&h, j->out.data, j->out.len, 1 << 20) ==
		    FRAME_OK && h.reqid == j->reqid, "answer framing");
		if (h.type != MSG_ENTRY)
			continue;
		CHECK(c, msg_decode_entry(j->out.data + FRAME_HDR_LEN, h.len,
		    &dup, e) == 0, "answer decodes");
		CHECK(c, c->acked[p->ids[k]] == 0 ||
		    c->acked[p->ids[k]] == e->seq,
		    "id ap-%u answered seq %llu, earlier %llu", p->ids[k],
		    (unsigned long long)e->seq,
		    (unsigned long long)c->acked[p->ids[k]]);
		if (c->acked[p->ids[k]] == 0)
			c->nacked++;
		c->acked[p->ids[k]] = e->seq;
		if (p->stale)
			c->nstale_acked++;
	}
	free(e);
	replica_result_free(res);
}

/*
 * Propose one group of 1..4 writes on member i: mostly new ids, some
 * retries of an earlier id (a duplicate, or the write itself when the
 * first try was lost), some with an earlier id and another amount
 * (ID_CONFLICT when the first one is there).  recorded_at is the
 * member's own clock, which may be behind another's.
 */
static void
propose(struct cl *c, unsigned i, int stale)
{
	struct prop *p = calloc(1, sizeof(*p));
	struct wjob *jobs = NULL, **tail = &jobs, *j, *next;
	struct raft_buffer buf;
	unsigned k, id, r;
	int64_t amount, now;

	assert_non_null(p);
	p->cl = c;
	p->node = i;
	p->stale = stale;
	p->nids = 1 + rndn(c, 4);
	for (k = 0; k < p->nids; k++) {
		r = rndn(c, 10);
		if (c->nids == 0 || r < 8 || c->nids >= IDS_MAX) {
			if (c->nids >= IDS_MAX)
				id = rndn(c, c->nids);
			else {
				id = c->nids++;
				c->amount[id] = 1 + rndn(c, 1000000);
				c->stale[id] = stale;
			}
			amount = c->amount[id];
		} else {
			id = rndn(c, c->nids);
			amount = c->amount[id] + (r == 9);
			if (!stale)
				c->stale[id] = 0;
		}
		p->ids[k] = id;
		*tail = write_job(id, amount, 100 + k);
		tail = &(*tail)->next;
	}
	now = 1700000000000000LL + (int64_t)raft_fixture_time(&c->f) * 1000 +
	    c->nodes[i].skew_us;
	assert_int_equal(replica_group_encode(jobs, now, &buf), 0);
	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		wjob_free(j);
	}
	p->req.data = p;
	p->next = c->props;
	c->props = p;
	if (raft_apply(raft_fixture_get(&c->f, i), &p->req, &buf, 1,
	    applied_cb) != 0)
		raft_free(buf.base);	/* not the leader: not taken */
}

/* The member that believes it leads (the fixture's own may lag), or n. */
static unsigned
leader(struct cl *c)
{
	unsigned i, best = c->n;
	raft_term term = 0;

	for (i = 0; i < c->n; i++)
		if (raft_fixture_alive(&c->f, i) &&
		    raft_state(raft_fixture_get(&c->f, i)) == RAFT_LEADER &&
		    raft_fixture_get(&c->f, i)->current_term >= term) {
			term = raft_fixture_get(&c->f, i)->current_term;
			best = i;
		}
	return best;
}

/* Propose on the leader, if any, then let some fake time pass. */
static void
run(struct cl *c, unsigned groups)
{
	unsigned g, l;

	for (g = 0; g < groups; g++) {
		if ((l = leader(c)) < c->n)
			propose(c, l, 0);
		raft_fixture_step_n(&c->f, 1 + rndn(c, 40));
	}
}

/* ---- healing and the checks ---- */


static bool
all_applied(struct raft_fixture *f, void *arg)
{
	struct cl *c = arg;
	unsigned i, l = leader(c);
	raft_index want;

	(void)f;
	if (l == c->n)
		return false;
	want = c->want;
	if (raft_last_applied(raft_fixture_get(&c->f, l)) < want)
		return false;
	for (i = 0; i < c->n; i++)
		if (in_service(c, i) &&
		    raft_last_applied(raft_fixture_get(&c->f, i)) < want)
			return false;
	return true;
}

static void
heal(struct cl *c)
{
	unsigned i, k;

	for (i = 0; i < c->n; i++) {
		raft_fixture_io_fault(&c->f, i, -1, 0);
		/* A member whose Raft gave up (a disk failure it cannot go
		   on from) is a daemon that exited: it stays down. */
		if (raft_state(raft_fixture_get(&c->f, i)) == RAFT_UNAVAILABLE) {
			raft_fixture_kill(&c->f, i);
			continue;
		}
		for (k = 0; k < c->n; k++)
			if (k != i) {
				raft_fixture_reconnect(&c->f, i, k);
				raft_fixture_desaturate(&c->f, i, k);
			}
		if (!raft_fixture_alive(&c->f, i)) {
			reopen_node(c, i);
			raft_fixture_revive(&c->f, i);
		}
	}
	/* A new leader commits the entries of earlier terms only with one
	   of its own: a last group, proposed until one leader took it. */
	CHECK(c, raft_fixture_step_until_has_leader(&c->f, STEP_MS),
	    "no leader after healing");
	for (k = 0; k < 10; k++) {
		unsigned before = c->ngroups_acked;

		struct raft *lr = raft_fixture_get(&c->f, leader(c));

		propose(c, leader(c), 0);
		/* every entry the leader holds, the new group included */
		c->want = lr->log.offset + (lr->log.size == 0 ? 0 :
		    (lr->log.back + lr->log.size - lr->log.front) %
		    lr->log.size);
		CHECK(c, raft_fixture_step_until(&c->f, all_applied, c,
		    STEP_MS), "the cluster did not converge after healing");
		if (c->ngroups_acked > before)
			break;
	}
	CHECK(c, k < 10, "no group acknowledged after healing");
}

static uint64_t
size_of(struct node *nd)
{
	struct store_txn *t;
	uint64_t n;

	assert_int_equal(store_begin(nd->st, 0, &t), LD_OK);
	n = store_size(t);
	store_abort(t);
	return n;
}

static void
check(struct cl *c)
{
	struct store_txn *ta, *tb;
	const uint8_t *ea, *eb;
	uint8_t ra[32], rb[32];
	char id[32];
	size_t la, lb;
	uint64_t m, seq, s;
	unsigned a, b, i, have, l = leader(c);
	uint64_t lsize = size_of(&c->nodes[l]);

	for (a = 0; a < c->n; a++) {
		if (in_service(c, a))
			CHECK(c, size_of(&c->nodes[a]) == lsize,
			    "node %u has %llu entries, the leader %u has %llu",
			    a, (unsigned long long)size_of(&c->nodes[a]), l,
			    (unsigned long long)lsize);
		for (b = a + 1; b < c->n; b++) {
			assert_int_equal(store_begin(c->nodes[a].st, 0, &ta),
			    LD_OK);
			assert_int_equal(store_begin(c->nodes[b].st, 0, &tb),
			    LD_OK);
			m = store_size(ta) < store_size(tb) ? store_size(ta) :
			    store_size(tb);
			for (seq = 1; seq <= m; seq++) {
				CHECK(c, store_get_raw(ta, seq, &ea, &la) ==
				    LD_OK && store_get_raw(tb, seq, &eb, &lb) ==
				    LD_OK, "seq %llu unreadable",
				    (unsigned long long)seq);
				CHECK(c, la == lb && memcmp(ea, eb, la) == 0,
				    "nodes %u and %u differ at seq %llu", a, b,
				    (unsigned long long)seq);
			}
			CHECK(c, store_tree_root(ta, m, ra) == LD_OK &&
			    store_tree_root(tb, m, rb) == LD_OK &&
			    memcmp(ra, rb, 32) == 0,
			    "nodes %u and %u: roots differ at size %llu", a, b,
			    (unsigned long long)m);
			store_abort(ta);
			store_abort(tb);
		}
	}
	for (i = 0; i < c->nids; i++) {
		snprintf(id, sizeof(id), "ap-%u", i);
		for (have = 0, a = 0; a < c->n; a++) {
			assert_int_equal(store_begin(c->nodes[a].st, 0, &ta),
			    LD_OK);
			if (store_find_id(ta, id, &s) == LD_OK) {
				if (c->acked[i] != 0)
					CHECK(c, s == c->acked[i], "%s at seq "
					    "%llu on node %u, answered %llu",
					    id, (unsigned long long)s, a,
					    (unsigned long long)c->acked[i]);
				have++;
			} else if (c->acked[i] != 0)
				CHECK(c, !in_service(c, a), "acknowledged %s "
				    "missing on node %u in service", id, a);
			store_abort(ta);
		}
		if (c->acked[i] != 0)
			CHECK(c, have > c->n / 2, "acknowledged %s on %u of %u",
			    id, have, c->n);
		if (c->stale[i])
			CHECK(c, have == 0, "%s, sent only to a cut-off "
			    "leader, is on %u members", id, have);
	}
	CHECK(c, c->nstale_acked == 0, "%u writes acknowledged by a cut-off "
	    "leader", c->nstale_acked);
}

/* ---- seeds ---- */

static unsigned
nseeds(void)
{
	const char *s = getenv("LD_RAFT_SEEDS");
	long v = s != NULL ? strtol(s, NULL, 10) : 0;

	/* The default keeps this test near 20 s under ASan on CI's two
	   cores (docs/REPLICATION.md); more when hunting. */
	return v > 0 && v < 100000 ? (unsigned)v : 50;
}

typedef void	(*scenario_fn)(struct cl *);

static void
seeds(const char *name, unsigned n, unsigned threshold, unsigned trailing,
    scenario_fn fn)
{
	const char *one = getenv("LD_RAFT_SEED");
	uint64_t first = 1, count = nseeds(), seed;
	struct raft_guard_stats gs, sum;
	struct cl *c;
	unsigned i;

	memset(&sum, 0, sizeof(sum));
	if (one != NULL && one[0] != '\0') {
		first = strtoull(one, NULL, 10);
		count = 1;
	}
	for (seed = first; seed < first + count; seed++) {
		c = cl_new(name, seed * 1000003u + n, n, threshold, trailing);
		c->seed = seed;
		CHECK(c, raft_fixture_step_until_has_leader(&c->f, STEP_MS),
		    "no first leader");
		fn(c);
		heal(c);
		check(c);
		CHECK(c, c->nacked > 0, "nothing was acknowledged");
		for (i = 0; i < c->n && c->nodes[i].guard != NULL; i++) {
			raft_guard_stats(c->nodes[i].guard, &gs);
			sum.commits_lowered += gs.commits_lowered;
			sum.results_lowered += gs.results_lowered;
			sum.results_other_term += gs.results_other_term;
		}
		cl_free(c);
	}
	/* What the guard changed: the evidence that it is in the path. */
	printf("  %s: %llu seeds from %llu, guard %d: %llu leader_commit "
	    "lowered, %llu answers lowered, %llu of another term\n", name,
	    (unsigned long long)count, (unsigned long long)first, guard_mode(),
	    (unsigned long long)sum.commits_lowered,
	    (unsigned long long)sum.results_lowered,
	    (unsigned long long)sum.results_other_term);
}

/* ---- scenarios ---- */

/* The leader dies (its process: the ledger is reopened when it returns),
   possibly with groups in flight; a new leader takes over. */
static void
leader_crash(struct cl *c)
{
	unsigned round, l;

	for (round = 0; round < 3; round++) {
		run(c, 5 + rndn(c, 10));
		if ((l = leader(c)) == c->n)
			continue;
		raft_fixture_kill(&c->f, l);
		CHECK(c, raft_fixture_step_until_has_leader(&c->f, STEP_MS),
		    "no leader after the leader %u died", l);
		run(c, 5 + rndn(c, 10));
		reopen_node(c, l);
		raft_fixture_revive(&c->f, l);
	}
}

/* A leader outside the cut-off members (minority[0..1], the same when
   there are three) has been elected. */
static bool
majority_leads(struct raft_fixture *f, void *arg)
{
	const unsigned *minority = arg;
	unsigned i;

	for (i = 0; i < f->n; i++)
		if (i != minority[0] && i != minority[1] &&
		    raft_state(raft_fixture_get(f, i)) == RAFT_LEADER)
			return true;
	return false;
}

/* The leader and (of five) one follower are cut off from the majority:
   what the cut-off leader accepts is never acknowledged. */
static void
partition(struct cl *c)
{
	unsigned l, i, k, minority[2], nmin;

	run(c, 5 + rndn(c, 10));
	if ((l = leader(c)) == c->n)
		return;
	minority[0] = minority[1] = l;
	nmin = 1;
	if (c->n == 5)
		minority[nmin++] = (l + 1 + rndn(c, 4)) % c->n;
	for (i = 0; i < c->n; i++) {
		int in = 0;

		for (k = 0; k < nmin; k++)
			in |= minority[k] == i;
		if (in)
			continue;
		for (k = 0; k < nmin; k++) {
			raft_fixture_disconnect(&c->f, i, minority[k]);
			raft_fixture_disconnect(&c->f, minority[k], i);
		}
	}
	/* The cut-off leader takes groups until it notices; meanwhile the
	   majority elects another leader and goes on. */
	for (i = 0; i < 20; i++) {
		if (raft_state(raft_fixture_get(&c->f, l)) == RAFT_LEADER)
			propose(c, l, 1);
		for (k = 0; k < c->n; k++)
			if (k != l && k != minority[nmin - 1] &&
			    raft_state(raft_fixture_get(&c->f, k)) ==
			    RAFT_LEADER)
				propose(c, k, 0);
		raft_fixture_step_n(&c->f, 1 + rndn(c, 60));
	}
	CHECK(c, raft_fixture_step_until(&c->f, majority_leads, minority,
	    STEP_MS), "the majority elected no leader");
	run(c, 5 + rndn(c, 5));
	CHECK(c, c->nstale_acked == 0, "the cut-off leader acknowledged %u "
	    "writes", c->nstale_acked);
}

/* Messages lost on random links for random spells, latencies changing. */
static void
loss_latency(struct cl *c)
{
	unsigned round, i, k, x;

	for (round = 0; round < 12; round++) {
		for (x = 0; x < 2; x++) {
			i = rndn(c, c->n);
			k = (i + 1 + rndn(c, c->n - 1)) % c->n;
			if (rndn(c, 2))
				raft_fixture_saturate(&c->f, i, k);
			else
				raft_fixture_desaturate(&c->f, i, k);
		}
		raft_fixture_set_network_latency(&c->f, rndn(c, c->n),
		    1 + rndn(c, 400));
		run(c, 3 + rndn(c, 6));
	}
}

/* One member's disk refuses writes (Raft's log, its term or vote) for a
   while, or for good. */
static void
disk_failure(struct cl *c)
{
	unsigned i = rndn(c, c->n);

	run(c, 3 + rndn(c, 6));
	raft_fixture_io_fault(&c->f, i, (int)rndn(c, 10),
	    rndn(c, 3) == 0 ? -1 : 1 + (int)rndn(c, 5));
	run(c, 25 + rndn(c, 10));
}

/* A follower away for longer than the trailing log comes back: it is
   sent a snapshot descriptor and fetches the entries it lacks. */
static void
far_behind(struct cl *c)
{
	struct replica_stats s;
	unsigned l, k;

	run(c, 3 + rndn(c, 4));
	if ((l = leader(c)) == c->n)
		return;
	k = (l + 1 + rndn(c, c->n - 1)) % c->n;
	raft_fixture_kill(&c->f, k);
	run(c, 60 + rndn(c, 20));
	reopen_node(c, k);
	raft_fixture_revive(&c->f, k);
	heal(c);
	replica_stats(c->nodes[k].rp, &s);
	CHECK(c, s.restores > 0 && s.fetched > 0,
	    "node %u caught up without a snapshot (restores %llu, "
	    "fetched %llu)", k, (unsigned long long)s.restores,
	    (unsigned long long)s.fetched);
}

/* ---- raft_guard on hand-made messages ---- */

/*
 * A stand-in for the inner io (raft_uv, the fixture's stub): it keeps the
 * callbacks it is given, records what is sent, and completes an append
 * when the test says so.  The "libraft" side is lr: the callbacks the
 * guard calls, which answer the way libraft 0.15 does.
 */
struct fake_io {
	struct raft_io		 io;
	raft_io_tick_cb		 tick;
	raft_io_recv_cb		 recv;
	struct raft_message	 sent;		/* the last one */
	unsigned		 nsent;
	struct raft_io_append	*append_req;
	raft_io_append_cb	 append_cb;
};

static struct {
	struct raft_io		*io;		/* what a callback was given */
	unsigned		 ticks, closes, appended;
	raft_index		 commit_seen;	/* leader_commit libraft saw */
	int			 answer_in_recv;
	int			 append_in_recv;
	struct raft_append_entries_result answer;
	struct raft_io_send	 sreq;
	struct raft_io_append	 areq;
} lr;

static int
fake_start(struct raft_io *io, unsigned msecs, raft_io_tick_cb tick,
    raft_io_recv_cb recv)
{
	struct fake_io *fk = (struct fake_io *)io;

	(void)msecs;
	fk->tick = tick;
	fk->recv = recv;
	return 0;
}

static int
fake_send(struct raft_io *io, struct raft_io_send *req,
    const struct raft_message *m, raft_io_send_cb cb)
{
	struct fake_io *fk = (struct fake_io *)io;

	req->cb = cb;
	fk->sent = *m;
	fk->nsent++;
	return 0;
}

static int
fake_append(struct raft_io *io, struct raft_io_append *req,
    const struct raft_entry entries[], unsigned n, raft_io_append_cb cb)
{
	struct fake_io *fk = (struct fake_io *)io;

	(void)entries;
	(void)n;
	req->cb = cb;
	fk->append_req = req;
	fk->append_cb = cb;
	return 0;
}

static int
fake_set_term(struct raft_io *io, raft_term term)
{
	(void)term;
	snprintf(io->errmsg, sizeof(io->errmsg), "disk on fire");
	return RAFT_IOERR;
}

static raft_time
fake_time(struct raft_io *io)
{
	(void)io;
	return 42;
}

static void
fake_close(struct raft_io *io, raft_io_close_cb cb)
{
	cb(io);
}

static void
fake_init(struct fake_io *fk)
{
	memset(fk, 0, sizeof(*fk));
	fk->io.version = 1;
	fk->io.impl = fk;
	fk->io.start = fake_start;
	fk->io.send = fake_send;
	fk->io.append = fake_append;
	fk->io.set_term = fake_set_term;
	fk->io.time = fake_time;
	fk->io.close = fake_close;
}

static void
lr_answer(struct raft_io *io)
{
	struct raft_message m;

	memset(&m, 0, sizeof(m));
	m.type = RAFT_IO_APPEND_ENTRIES_RESULT;
	m.server_id = 1;
	m.server_address = "1";
	m.append_entries_result = lr.answer;
	assert_int_equal(io->send(io, &lr.sreq, &m, NULL), 0);
}

static void
lr_tick(struct raft_io *io)
{
	lr.io = io;
	lr.ticks++;
}

static void
lr_appended(struct raft_io_append *req, int status)
{
	assert_ptr_equal(req, &lr.areq);
	assert_int_equal(status, 0);
	lr.appended++;
	lr_answer(lr.io);	/* appendFollowerCb answers from here */
}

static void
lr_recv(struct raft_io *io, struct raft_message *m)
{
	lr.io = io;
	if (m->type != RAFT_IO_APPEND_ENTRIES) {
		if (lr.answer_in_recv)
			lr_answer(io);
		return;
	}
	lr.commit_seen = m->append_entries.leader_commit;
	if (lr.append_in_recv)
		assert_int_equal(io->append(io, &lr.areq,
		    m->append_entries.entries, m->append_entries.n_entries,
		    lr_appended), 0);
	if (lr.answer_in_recv)
		lr_answer(io);
}

static void
lr_close(struct raft_io *io)
{
	lr.io = io;
	lr.closes++;
}

/* An AppendEntries from the leader of term 3, as the inner io delivers it. */
static void
deliver_ae(struct fake_io *fk, raft_index prev, unsigned n,
    raft_index commit)
{
	static struct raft_entry ents[4];
	struct raft_message m;

	memset(&m, 0, sizeof(m));
	m.type = RAFT_IO_APPEND_ENTRIES;
	m.server_id = 1;
	m.server_address = "1";
	m.append_entries.term = 3;
	m.append_entries.prev_log_index = prev;
	m.append_entries.prev_log_term = 3;
	m.append_entries.leader_commit = commit;
	m.append_entries.entries = n > 0 ? ents : NULL;
	m.append_entries.n_entries = n;
	fk->recv(&fk->io, &m);
}

static void
set_answer(raft_term term, raft_index rejected, raft_index last)
{
	lr.answer.term = term;
	lr.answer.rejected = rejected;
	lr.answer.last_log_index = last;
}

/*
 * The two corrections, on a follower whose log runs to 10 with a stale
 * tail past 5: a heartbeat at prev_log_index 5 has its leader_commit 9
 * lowered to 5 and libraft's answer "last_log_index 10" lowered to 5; an
 * append at 5 + 2 is answered from the append callback, bounded by 7,
 * and by 0 when the term changed meanwhile.  Rejections, answers outside
 * an AppendEntries and answers to InstallSnapshot go through unchanged;
 * callbacks get the guard's io; errors carry the inner io's message.
 */
static void
t_guard(void **st)
{
	struct fake_io fk;
	struct raft_guard *g;
	struct raft_guard_stats gs;
	struct raft_message m;
	struct raft_io *io;

	(void)st;
	memset(&lr, 0, sizeof(lr));
	fake_init(&fk);
	assert_int_equal(raft_guard_new(&g, &fk.io, RAFT_GUARD_ALL), 0);
	io = raft_guard_io(g);
	assert_ptr_not_equal(io, &fk.io);
	assert_ptr_equal(io->impl, fk.io.impl);
	assert_null(io->async_work);	/* a version 1 io has none */
	io->data = &lr;			/* as raft_init() does */
	assert_int_equal(io->start(io, 100, lr_tick, lr_recv), 0);
	assert_ptr_not_equal(fk.tick, lr_tick);
	fk.tick(&fk.io);
	assert_ptr_equal(lr.io, io);
	assert_int_equal(lr.ticks, 1);
	assert_int_equal(io->time(io), 42);

	/* the no-new-entries path: answered inside the recv callback */
	lr.answer_in_recv = 1;
	set_answer(3, 0, 10);
	lr.io = NULL;
	deliver_ae(&fk, 5, 0, 9);
	assert_ptr_equal(lr.io, io);
	assert_int_equal(lr.commit_seen, 5);
	assert_int_equal(fk.nsent, 1);
	assert_int_equal(fk.sent.type, RAFT_IO_APPEND_ENTRIES_RESULT);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 5);
	assert_int_equal(fk.sent.append_entries_result.term, 3);
	assert_int_equal(fk.sent.append_entries_result.rejected, 0);
	assert_int_equal(lr.answer.last_log_index, 10);	/* caller's copy */

	/* within the bound: unchanged, and not counted */
	set_answer(3, 0, 4);
	deliver_ae(&fk, 5, 0, 4);
	assert_int_equal(lr.commit_seen, 4);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 4);

	/* a rejection's last_log_index is the leader's hint: unchanged */
	set_answer(3, 5, 10);
	deliver_ae(&fk, 5, 0, 9);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 10);
	assert_int_equal(fk.sent.append_entries_result.rejected, 5);

	/* an answer to InstallSnapshot, and one outside any recv */
	set_answer(3, 0, 10);
	memset(&m, 0, sizeof(m));
	m.type = RAFT_IO_INSTALL_SNAPSHOT;
	m.server_id = 1;
	m.server_address = "1";
	fk.recv(&fk.io, &m);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 10);
	lr_answer(io);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 10);
	assert_int_equal(fk.nsent, 5);

	/* new entries: appended, answered from the append callback */
	lr.answer_in_recv = 0;
	lr.append_in_recv = 1;
	deliver_ae(&fk, 5, 2, 9);
	assert_int_equal(lr.commit_seen, 7);
	assert_non_null(fk.append_req);
	assert_ptr_not_equal(fk.append_req, &lr.areq);
	assert_ptr_equal(lr.areq.cb, lr_appended);
	assert_int_equal(fk.nsent, 5);
	set_answer(3, 0, 12);
	fk.append_cb(fk.append_req, 0);
	assert_int_equal(lr.appended, 1);
	assert_int_equal(fk.nsent, 6);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 7);

	/* the term changed while the entries were on disk */
	deliver_ae(&fk, 5, 2, 9);
	set_answer(4, 0, 7);
	fk.append_cb(fk.append_req, 0);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 0);
	assert_int_equal(fk.sent.append_entries_result.term, 4);
	lr.append_in_recv = 0;

	raft_guard_stats(g, &gs);
	assert_int_equal(gs.commits_lowered, 4);
	assert_int_equal(gs.results_lowered, 2);
	assert_int_equal(gs.results_other_term, 1);

	/* a failure carries the inner io's message; close comes back to
	   the guard's io */
	assert_int_equal(io->set_term(io, 4), RAFT_IOERR);
	assert_string_equal(io->errmsg, "disk on fire");
	lr.io = NULL;
	io->close(io, lr_close);
	assert_ptr_equal(lr.io, io);
	assert_int_equal(lr.closes, 1);
	raft_guard_free(g);

	/* flags 0: forwarding only */
	fake_init(&fk);
	assert_int_equal(raft_guard_new(&g, &fk.io, 0), 0);
	io = raft_guard_io(g);
	io->data = &lr;
	assert_int_equal(io->start(io, 100, lr_tick, lr_recv), 0);
	lr.answer_in_recv = 1;
	set_answer(3, 0, 10);
	deliver_ae(&fk, 5, 0, 9);
	assert_int_equal(lr.commit_seen, 9);
	assert_int_equal(fk.sent.append_entries_result.last_log_index, 10);
	raft_guard_stats(g, &gs);
	assert_int_equal(gs.commits_lowered + gs.results_lowered +
	    gs.results_other_term, 0);
	raft_guard_free(g);
}

/* ---- the codec and the apply path without a cluster ---- */

static struct wjob *
codec_jobs(void)
{
	struct wjob *a = write_job(1, 500, 7), *b = write_job(2, 600, 8);
	struct wjob *c = write_job(3, 700, 9);

	b->type = MSG_WRITE_BATCH;	/* the codec carries any payload */
	b->role = ROLE_CLERK | ROLE_AUDITOR;
	c->type = MSG_COSIGN;
	snprintf(c->actor, sizeof(c->actor), "witness-%s", "x");
	a->next = b;
	b->next = c;
	return a;
}

static void
free_jobs(struct wjob *j)
{
	struct wjob *next;

	for (; j != NULL; j = next) {
		next = j->next;
		wjob_free(j);
	}
}

/* A group decodes to what was encoded; every truncation and every
   trailing byte is refused; a flipped byte is refused or decodes to a
   group that encodes back to exactly those bytes. */
static void
t_group_codec(void **st)
{
	struct wjob *jobs = codec_jobs(), *a, *b;
	struct replica_group g;
	struct raft_buffer buf, again;
	uint8_t *m;
	size_t i;
	int bit, rc;

	(void)st;
	assert_int_equal(replica_group_encode(jobs, 1234567, &buf), 0);
	assert_int_equal(replica_group_decode(buf.base, buf.len, &g), 0);
	assert_int_equal(g.recorded_at, 1234567);
	assert_int_equal(g.njobs, 3);
	for (a = jobs, b = g.jobs; a != NULL; a = a->next, b = b->next) {
		assert_non_null(b);
		assert_int_equal(a->type, b->type);
		assert_int_equal(a->role, b->role);
		assert_int_equal(a->version, b->version);
		assert_int_equal(a->reqid, b->reqid);
		assert_int_equal(a->max_frame, b->max_frame);
		assert_string_equal(a->actor, b->actor);
		assert_int_equal(a->len, b->len);
		assert_memory_equal(a->payload, b->payload, a->len);
	}
	assert_null(b);
	replica_group_free(&g);

	for (i = 0; i < buf.len; i++)
		assert_int_equal(replica_group_decode(buf.base, i, &g), -1);
	assert_non_null(m = malloc(buf.len + 1));
	memcpy(m, buf.base, buf.len);
	m[buf.len] = 0;
	assert_int_equal(replica_group_decode(m, buf.len + 1, &g), -1);
	for (i = 0; i < buf.len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(m, buf.base, buf.len);
			m[i] ^= (uint8_t)(1u << bit);
			if ((rc = replica_group_decode(m, buf.len, &g)) != 0) {
				assert_int_equal(rc, -1);
				continue;
			}
			assert_int_equal(replica_group_encode(g.jobs,
			    g.recorded_at, &again), 0);
			assert_int_equal(again.len, buf.len);
			assert_memory_equal(again.base, m, buf.len);
			raft_free(again.base);
			replica_group_free(&g);
		}
	free(m);
	raft_free(buf.base);

	/* What the encoder refuses to carry. */
	jobs->type = MSG_GET;
	assert_int_equal(replica_group_encode(jobs, 1, &buf), -1);
	jobs->type = MSG_WRITE;
	jobs->actor[0] = '\0';
	assert_int_equal(replica_group_encode(jobs, 1, &buf), -1);
	snprintf(jobs->actor, sizeof(jobs->actor), "admin01");
	assert_int_equal(replica_group_encode(jobs, -1, &buf), -1);
	assert_int_equal(replica_group_encode(NULL, 1, &buf), -1);
	free_jobs(jobs);
}

/* Counts the decoder must not believe: more jobs than bytes, a length
   past the end, a count over the cap. */
static void
t_group_caps(void **st)
{
	struct replica_group g;
	uint8_t b[64];

	(void)st;
	memset(b, 0, sizeof(b));
	b[0] = REPLICA_GROUP_VERSION;
	be32_put(b + 9, 0xffffffffu);	/* njobs */
	assert_int_equal(replica_group_decode(b, sizeof(b), &g), -1);
	be32_put(b + 9, REPLICA_GROUP_JOBS_MAX + 1);
	assert_int_equal(replica_group_decode(b, sizeof(b), &g), -1);
	be32_put(b + 9, 1);
	b[13] = MSG_WRITE;
	be32_put(b + 21, FRAME_MIN_MAX);	/* max_frame */
	b[25] = 1;				/* actor length */
	b[26] = 'a';
	be32_put(b + 27, 1000);			/* payload past the end */
	assert_int_equal(replica_group_decode(b, sizeof(b), &g), -1);
	be32_put(b + 27, (uint32_t)(sizeof(b) - 31));
	assert_int_equal(replica_group_decode(b, sizeof(b), &g), 0);
	assert_int_equal(g.njobs, 1);
	replica_group_free(&g);
	b[0] = REPLICA_GROUP_VERSION + 1;
	assert_int_equal(replica_group_decode(b, sizeof(b), &g), -1);
}

/*
 * A restart: Raft replays groups the ledger already holds; the replica
 * skips every index at or below the stored one, and decides the next.
 * The index comes from raft_last_applied(), so a bare struct raft with
 * last_applied set stands in for libraft here.
 */
static void
t_apply_after_restart(void **st)
{
	struct cl c;
	struct raft r;
	struct raft_buffer buf;
	struct replica_stats s;
	struct wjob *j;
	void *result;

	(void)st;
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.n = 1;
	c.name = "apply_after_restart";
	snprintf(c.nodes[0].dir, sizeof(c.nodes[0].dir), "%s/test_raft.XXXXXX",
	    tmp_root());
	assert_non_null(mkdtemp(c.nodes[0].dir));
	open_node(&c, 0);
	replica_close(c.nodes[0].rp);
	assert_int_equal(replica_open(&c.nodes[0].rp, c.nodes[0].st, &r, NULL,
	    NULL, (char[64]){0}, 64), 0);
	replica_fsm(c.nodes[0].rp, &c.nodes[0].fsm);

	j = write_job(1, 100, 1);
	j->next = write_job(2, 200, 2);
	assert_int_equal(replica_group_encode(j, 1000, &buf), 0);
	free_jobs(j);
	r.last_applied = 4;
	assert_int_equal(c.nodes[0].fsm.apply(&c.nodes[0].fsm, &buf, &result), 0);
	assert_non_null(result);
	replica_result_free(replica_result_take(c.nodes[0].rp, result));
	assert_int_equal(replica_applied(c.nodes[0].rp), 5);
	assert_int_equal(size_of(&c.nodes[0]), 2);

	/* the process restarts: the same group at the same index again */
	replica_close(c.nodes[0].rp);
	store_close(c.nodes[0].st);
	assert_int_equal(store_open(&c.nodes[0].st, c.nodes[0].dir, 4, 0,
	    (char[64]){0}, 64), 0);
	assert_int_equal(replica_open(&c.nodes[0].rp, c.nodes[0].st, &r, NULL,
	    NULL, (char[64]){0}, 64), 0);
	replica_fsm(c.nodes[0].rp, &c.nodes[0].fsm);
	assert_int_equal(replica_applied(c.nodes[0].rp), 5);
	assert_int_equal(c.nodes[0].fsm.apply(&c.nodes[0].fsm, &buf, &result), 0);
	assert_null(result);
	assert_int_equal(size_of(&c.nodes[0]), 2);

	/* the next index is decided: the same ids are duplicates now, and a
	   group time behind the ledger's is raised to the newest entry's */
	r.last_applied = 5;
	assert_int_equal(c.nodes[0].fsm.apply(&c.nodes[0].fsm, &buf, &result), 0);
	assert_non_null(result);
	{
		struct replica_result *res =
		    replica_result_take(c.nodes[0].rp, result);

		assert_non_null(res);
		assert_int_equal(res->index, 6);
		assert_int_equal(res->recorded_at, 1000);
		replica_result_free(res);
	}
	assert_int_equal(size_of(&c.nodes[0]), 2);
	assert_int_equal(replica_applied(c.nodes[0].rp), 6);
	replica_stats(c.nodes[0].rp, &s);
	assert_int_equal(s.groups, 1);
	assert_int_equal(s.skipped, 1);

	/* a group that does not decode is applied as nothing, index kept */
	((uint8_t *)buf.base)[0] = 0x7f;
	r.last_applied = 6;
	assert_int_equal(c.nodes[0].fsm.apply(&c.nodes[0].fsm, &buf, &result), 0);
	replica_result_free(replica_result_take(c.nodes[0].rp, result));
	assert_int_equal(replica_applied(c.nodes[0].rp), 7);
	assert_int_equal(size_of(&c.nodes[0]), 2);
	raft_free(buf.base);
	replica_close(c.nodes[0].rp);
	store_close(c.nodes[0].st);
	rm_store(c.nodes[0].dir);
}

static void
t_leader_crash_3(void **st)
{
	(void)st;
	seeds("leader_crash_3", 3, 64, 32, leader_crash);
}

static void
t_leader_crash_5(void **st)
{
	(void)st;
	seeds("leader_crash_5", 5, 64, 32, leader_crash);
}

static void
t_partition_3(void **st)
{
	(void)st;
	seeds("partition_3", 3, 64, 32, partition);
}

static void
t_partition_5(void **st)
{
	(void)st;
	seeds("partition_5", 5, 64, 32, partition);
}

static void
t_loss_latency_3(void **st)
{
	(void)st;
	seeds("loss_latency_3", 3, 64, 32, loss_latency);
}

static void
t_disk_failure_3(void **st)
{
	(void)st;
	seeds("disk_failure_3", 3, 64, 32, disk_failure);
}

static void
t_far_behind_3(void **st)
{
	(void)st;
	seeds("far_behind_3", 3, 8, 4, far_behind);
}

static void
t_far_behind_5(void **st)
{
	(void)st;
	seeds("far_behind_5", 5, 8, 4, far_behind);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_group_codec),
		cmocka_unit_test(t_group_caps),
		cmocka_unit_test(t_apply_after_restart),
		cmocka_unit_test(t_guard),
		cmocka_unit_test(t_leader_crash_3),
		cmocka_unit_test(t_leader_crash_5),
		cmocka_unit_test(t_partition_3),
		cmocka_unit_test(t_partition_5),
		cmocka_unit_test(t_loss_latency_3),
		cmocka_unit_test(t_disk_failure_3),
		cmocka_unit_test(t_far_behind_3),
		cmocka_unit_test(t_far_behind_5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
