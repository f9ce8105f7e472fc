/*
 * replica.c - the replicated state machine: groups in Raft's log, decided
 * on every member with the writer's code, one LMDB transaction per group
 * that also records the Raft index (docs/REPLICATION.md).
 *
 * Group encoding (all integers big-endian; REPLICA_GROUP_VERSION 1):
 *   u8 version, i64 recorded_at, u32 njobs (1..REPLICA_GROUP_JOBS_MAX),
 *   then per job: u8 type (MSG_WRITE, MSG_WRITE_BATCH, MSG_COSIGN),
 *   u8 role bits, u16 protocol version, u32 reqid, u32 max_frame
 *   (FRAME_MIN_MAX..FRAME_MAX_MAX), u8 actor length (1..LD_ACTOR_MAX) and
 *   the actor's bytes (no NUL), u32 payload length (<= FRAME_MAX_MAX) and
 *   the payload.  Then 0 to 7 zero bytes, so that the whole is a multiple
 *   of 8 bytes: raft_uv lays entries out 8-byte aligned on disk but loads
 *   them back by their stated length, so an entry whose length is not a
 *   multiple of 8 corrupts the closed segment it lands in (seen with
 *   libraft 0.15: the segment is renamed "corrupt-..." at the next start
 *   and its entries are gone).  Nothing else may follow the last job.
 * The role and the actor are decision inputs: the leader authenticated the
 * connection (TLS CN, [roles]) and every member must judge the request as
 * the leader's configuration did, whatever its own [roles] says.  Version,
 * reqid and max_frame only shape the answer frames.
 *
 * Determinism.  apply() decides a group against the ledger as it stands
 * at the group's index, with time max(recorded_at, newest entry's
 * recorded_at): the proposer's clock may be behind the previous leader's,
 * and this clamp depends only on the ledger, so every member takes it.
 * A group that does not decode is applied as nothing on every member
 * alike (the index is still recorded).  What is not deterministic (no
 * memory, a commit LMDB refuses: a full map on one member only) must not
 * become a refusal that other members would not make: the replica stops
 * (failed hook) and returns an error, so Raft does not count the group as
 * applied and replays it after the restart.
 *
 * Which index: libraft applies entries in order and advances
 * raft_last_applied() after each apply returns, so the index being
 * applied is raft_last_applied() + 1.  Indexes at or below the stored
 * applied index were applied before a restart (Raft replays its log from
 * the last snapshot) and are skipped: their effects are in the ledger.
 *
 * Snapshot descriptor (REPLICA_SNAP_VERSION 1): u8 version, u64 applied
 * index, u64 ledger size, 32-byte Merkle root at that size, u32 count of
 * cosignature records, each: u16 witness length and bytes, u64 ts,
 * u64 size, u32 lineoff, u32 note length and the note.
 * restore() with a descriptor at or below what the ledger holds (a
 * restart) checks the root and keeps the ledger; one above it (a member
 * that was away longer than the trailing log) fetches the missing
 * entries, replays them through the rules (apply_replay, as --verify
 * does), appends them and commits only when the root at the descriptor's
 * size is the descriptor's, in one transaction with the cosignatures and
 * the applied index: all of it or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <raft.h>

#include "apply.h"
#include "config.h"
#include "errors.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "msg_audit.h"
#include "replica.h"
#include "wire.h"

#define JOB_HDR_LEN	(1 + 1 + 2 + 4 + 4 + 1)	/* type .. actor length */
#define GROUP_HDR_LEN	(1 + 8 + 4)

struct replica {
	struct store		*rp_store;
	struct raft		*rp_raft;
	struct ckpt_verifier	 rp_logkey;
	struct replica_hooks	 rp_hooks;
	uint64_t		 rp_applied;	/* stored applied index */
	int64_t			 rp_last_time;	/* newest entry's recorded_at */
	int			 rp_failed;
	struct replica_result	*rp_unclaimed;	/* last apply's, until taken */
	struct replica_stats	 rp_stats;
};

static int
job_carried(const struct wjob *j)
{
	size_t alen = strnlen(j->actor, sizeof(j->actor));

	if (j->type != MSG_WRITE && j->type != MSG_WRITE_BATCH &&
	    j->type != MSG_COSIGN)
		return 0;
	if (alen == 0 || alen > LD_ACTOR_MAX || j->role < 0 ||
	    j->role > ROLE_ALL)
		return 0;
	if (j->len > FRAME_MAX_MAX || (j->len > 0 && j->payload == NULL))
		return 0;
	return j->max_frame >= FRAME_MIN_MAX && j->max_frame <= FRAME_MAX_MAX;
}

int
replica_group_encode(const struct wjob *jobs, int64_t recorded_at,
    struct raft_buffer *buf)
{
	const struct wjob *j;
	uint64_t total = GROUP_HDR_LEN;
	uint32_t n = 0;
	uint8_t *p, *base;
	size_t alen;

	if (recorded_at < 0)
		return -1;
	for (j = jobs; j != NULL; j = j->next) {
		if (!job_carried(j) || ++n > REPLICA_GROUP_JOBS_MAX)
			return -1;
		total += JOB_HDR_LEN + strlen(j->actor) + 4 + j->len;
		if (total > REPLICA_GROUP_BYTES_MAX)
			return -1;
	}
	total = (total + 7) & ~(uint64_t)7;	/* see the padding above */
	if (total > REPLICA_GROUP_BYTES_MAX)
		return -1;
	if (n == 0 || (base = raft_malloc(total)) == NULL)
		return -1;
	memset(base + total - 8, 0, 8);
	p = base;
	*p++ = REPLICA_GROUP_VERSION;
	be64_put(p, (uint64_t)recorded_at);
	p += 8;
	be32_put(p, n);
	p += 4;
	for (j = jobs; j != NULL; j = j->next) {
		alen = strlen(j->actor);
		*p++ = j->type;
		*p++ = (uint8_t)j->role;
		be16_put(p, j->version);
		be32_put(p + 2, j->reqid);
		be32_put(p + 6, j->max_frame);
		p += 10;
		*p++ = (uint8_t)alen;
		memcpy(p, j->actor, alen);
		p += alen;
		be32_put(p, (uint32_t)j->len);
		p += 4;
		if (j->len > 0)
			memcpy(p, j->payload, j->len);
		p += j->len;
	}
	buf->base = base;
	buf->len = (size_t)total;
	return 0;
}

void
replica_group_free(struct replica_group *g)
{
	struct wjob *j, *next;

	if (g == NULL)
		return;
	for (j = g->jobs; j != NULL; j = next) {
		next = j->next;
		wjob_free(j);
	}
	memset(g, 0, sizeof(*g));
}

/* -1: malformed, -2: no memory (which is not the group's fault). */
int
replica_group_decode(const uint8_t *buf, size_t len, struct replica_group *g)
{
	struct rbuf r;
	struct wjob *j, **tail;
	const uint8_t *p;
	uint32_t n, i, plen;
	uint8_t alen;
	int rc = -1;

	memset(g, 0, sizeof(*g));
	if (len > REPLICA_GROUP_BYTES_MAX)
		return -1;
	rbuf_init(&r, buf, len);
	if (rbuf_u8(&r) != REPLICA_GROUP_VERSION)
		return -1;
	g->recorded_at = rbuf_i64(&r);
	n = rbuf_u32(&r);
	if (r.err || g->recorded_at < 0 || n == 0 ||
	    n > REPLICA_GROUP_JOBS_MAX)
		goto fail;
	tail = &g->jobs;
	for (i = 0; i < n; i++) {
		/* Every job takes at least its header: no allocation for a
		   count the bytes cannot back. */
		if (r.left < JOB_HDR_LEN + 1 + 4)
			goto fail;
		if ((j = calloc(1, sizeof(*j))) == NULL) {
			rc = -2;
			goto fail;
		}
		wbuf_init(&j->out);
		*tail = j;
		tail = &j->next;
		g->njobs++;
		j->type = rbuf_u8(&r);
		j->role = rbuf_u8(&r);
		j->version = rbuf_u16(&r);
		j->reqid = rbuf_u32(&r);
		j->max_frame = rbuf_u32(&r);
		alen = rbuf_u8(&r);
		if (alen == 0 || alen > LD_ACTOR_MAX ||
		    (p = rbuf_take(&r, alen)) == NULL ||
		    memchr(p, '\0', alen) != NULL)
			goto fail;
		memcpy(j->actor, p, alen);
		j->actor[alen] = '\0';
		plen = rbuf_u32(&r);
		if (r.err || plen > FRAME_MAX_MAX || plen > r.left)
			goto fail;
		if (!job_carried(j))
			goto fail;
		p = rbuf_take(&r, plen);
		if ((j->payload = malloc(plen ? plen : 1)) == NULL) {
			rc = -2;
			goto fail;
		}
		if (plen > 0)
			memcpy(j->payload, p, plen);
		j->len = plen;
	}
	/* Exactly the padding to a multiple of 8, all zero; nothing else. */
	if (r.err || r.left != (8 - (len - r.left) % 8) % 8)
		goto fail;
	while (r.left > 0)
		if (rbuf_u8(&r) != 0)
			goto fail;
	if (rbuf_done(&r) != 0)
		goto fail;
	return 0;
fail:
	replica_group_free(g);
	return rc;
}

/* The replica cannot go on: refuse every later apply and tell the owner. */
static int
replica_fail(struct replica *rp, int code, const char *what)
{
	char why[STORE_ERRTEXT_MAX + 128], cause[STORE_ERRTEXT_MAX];

	if (rp->rp_failed)
		return RAFT_IOERR;
	rp->rp_failed = 1;
	store_last_error(rp->rp_store, cause, sizeof(cause));
	snprintf(why, sizeof(why), "replica: %s: %s%s%s", what,
	    ld_err_name(code), cause[0] != '\0' ? ": " : "", cause);
	log_warnx("%s; the state machine stops before index %llu", why,
	    (unsigned long long)(rp->rp_applied + 1));
	if (code == LD_E_STORAGE_ERROR)
		store_fail(rp->rp_store, why);
	if (rp->rp_hooks.failed != NULL)
		rp->rp_hooks.failed(rp->rp_hooks.arg, why);
	return RAFT_IOERR;
}

/* The newest entry's recorded_at (0 for an empty ledger). */
static int
newest_time(struct store_txn *t, int64_t *out)
{
	struct ld_entry *e;
	int rc = LD_OK;

	*out = 0;
	if (store_size(t) == 0)
		return LD_OK;
	if ((e = malloc(sizeof(*e))) == NULL)
		return LD_E_INTERNAL;
	if ((rc = store_get(t, store_size(t), e)) == LD_OK)
		*out = e->recorded_at;
	free(e);
	return rc;
}

void
replica_result_free(struct replica_result *res)
{
	if (res == NULL)
		return;
	replica_group_free(&res->group);
	free(res);
}

struct replica_result *
replica_result_take(struct replica *rp, void *result)
{
	if (result == NULL || result != rp->rp_unclaimed)
		return NULL;
	rp->rp_unclaimed = NULL;
	return result;
}

static int
fsm_apply(struct raft_fsm *fsm, const struct raft_buffer *buf, void **result)
{
	struct replica *rp = fsm->data;
	struct replica_result *res;
	struct store_txn *t;
	struct wjob *j;
	uint64_t index = raft_last_applied(rp->rp_raft) + 1, before;
	int64_t now;
	int rc, grew;

	*result = NULL;
	replica_result_free(rp->rp_unclaimed);
	rp->rp_unclaimed = NULL;
	if (rp->rp_failed)
		return RAFT_IOERR;
	if (index <= rp->rp_applied) {
		rp->rp_stats.skipped++;
		return 0;
	}
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return replica_fail(rp, LD_E_INTERNAL, "out of memory");
	rc = replica_group_decode(buf->base, buf->len, &res->group);
	if (rc == -2) {
		free(res);
		return replica_fail(rp, LD_E_INTERNAL, "out of memory");
	}
	if (rc == -1) {
		log_warnx("replica: index %llu: the group does not decode "
		    "(%zu bytes); applied as nothing",
		    (unsigned long long)index, buf->len);
		rp->rp_stats.malformed++;
	}
	now = res->group.recorded_at;
	if (now < rp->rp_last_time)
		now = rp->rp_last_time;
	for (j = res->group.jobs; j != NULL; j = j->next)
		j->logkey = rp->rp_logkey;

	if ((rc = store_begin(rp->rp_store, 1, &t)) != LD_OK) {
		replica_result_free(res);
		return replica_fail(rp, rc, "cannot begin a transaction");
	}
	before = store_size(t);
	if ((rc = writer_decide(t, res->group.jobs, now)) != LD_OK) {
		store_abort(t);
		replica_result_free(res);
		return replica_fail(rp, rc, "out of memory");
	}
	store_set_applied(t, index);
	grew = store_size(t) > before;
	if ((rc = store_commit(t)) != LD_OK) {
		replica_result_free(res);
		return replica_fail(rp, rc, "commit failed");
	}
	writer_answers_done(res->group.jobs);
	if (grew)
		rp->rp_last_time = now;
	rp->rp_applied = index;
	rp->rp_stats.groups++;
	res->index = index;
	res->recorded_at = now;
	rp->rp_unclaimed = res;
	*result = res;
	return 0;
}

/* ---- snapshots ---- */

static int
fsm_snapshot(struct raft_fsm *fsm, struct raft_buffer *bufs[], unsigned *n)
{
	struct replica *rp = fsm->data;
	struct store_txn *t = NULL;
	struct store_cosig *cs = NULL;
	struct raft_buffer *b = NULL;
	struct wbuf w;
	uint8_t root[32];
	uint64_t applied, size;
	size_t nc = 0, i;
	int rc;

	wbuf_init(&w);
	if (rp->rp_failed)
		return RAFT_IOERR;
	/*
	 * The descriptor names the applied index, and libraft will drop the
	 * log before it: what it names must be on disk first (a member's
	 * commits skip the meta page's own sync, store_set_meta_nosync()).
	 */
	if (store_sync(rp->rp_store) != LD_OK)
		return RAFT_IOERR;
	if ((rc = store_begin(rp->rp_store, 0, &t)) != LD_OK)
		goto fail;
	size = store_size(t);
	if ((rc = store_applied(t, &applied)) != LD_OK ||
	    (rc = store_tree_root(t, size, root)) != LD_OK ||
	    (rc = store_cosig_all(t, &cs, &nc)) != LD_OK)
		goto fail;
	store_abort(t);
	t = NULL;
	wbuf_u8(&w, REPLICA_SNAP_VERSION);
	wbuf_u64(&w, applied);
	wbuf_u64(&w, size);
	wbuf_put(&w, root, 32);
	wbuf_u32(&w, (uint32_t)nc);
	for (i = 0; i < nc; i++) {
		wbuf_str(&w, cs[i].witness);
		wbuf_u64(&w, cs[i].ts);
		wbuf_u64(&w, cs[i].size);
		wbuf_u32(&w, (uint32_t)cs[i].lineoff);
		wbuf_u32(&w, (uint32_t)cs[i].note_len);
		wbuf_put(&w, cs[i].note, cs[i].note_len);
	}
	rc = LD_E_INTERNAL;
	if (w.err || (b = raft_malloc(sizeof(*b))) == NULL ||
	    (b->base = raft_malloc(w.len)) == NULL)
		goto fail;
	memcpy(b->base, w.data, w.len);
	b->len = w.len;
	*bufs = b;
	*n = 1;
	free(cs);
	wbuf_free(&w);
	rp->rp_stats.snapshots++;
	return 0;
fail:
	log_warnx("replica: cannot take a snapshot: %s", ld_err_name(rc));
	store_abort(t);
	free(cs);
	raft_free(b);
	wbuf_free(&w);
	return RAFT_IOERR;
}

struct snapdesc {
	uint64_t		 applied, size;
	uint8_t			 root[32];
	uint32_t		 ncosig;
	struct store_cosig	*cosig;
};

static int
snap_decode(const uint8_t *buf, size_t len, struct snapdesc *d)
{
	struct rbuf r;
	struct store_cosig *c;
	uint32_t i;

	memset(d, 0, sizeof(*d));
	rbuf_init(&r, buf, len);
	if (rbuf_u8(&r) != REPLICA_SNAP_VERSION)
		return -1;
	d->applied = rbuf_u64(&r);
	d->size = rbuf_u64(&r);
	rbuf_get(&r, d->root, 32);
	d->ncosig = rbuf_u32(&r);
	if (r.err || d->ncosig > MSG_COSIGNED_MAX)
		return -1;
	if (d->ncosig > 0 &&
	    (d->cosig = calloc(d->ncosig, sizeof(*d->cosig))) == NULL)
		return -1;
	for (i = 0; i < d->ncosig; i++) {
		c = &d->cosig[i];
		rbuf_str(&r, c->witness, sizeof(c->witness),
		    STORE_WITNESS_MAX - 1);
		c->ts = rbuf_u64(&r);
		c->size = rbuf_u64(&r);
		c->lineoff = rbuf_u32(&r);
		c->note_len = rbuf_u32(&r);
		if (r.err || c->witness[0] == '\0' ||
		    c->note_len > STORE_COSIG_NOTE_MAX ||
		    c->lineoff >= c->note_len)
			goto fail;
		rbuf_get(&r, c->note, c->note_len);
		c->note[c->note_len] = '\0';
	}
	if (rbuf_done(&r) != 0)
		goto fail;
	return 0;
fail:
	free(d->cosig);
	d->cosig = NULL;
	return -1;
}

/* Catching up: each fetched entry checked, replayed and appended. */
struct catchup {
	struct store_txn	*t;
	struct ld_entry		*e;
	uint64_t		 next;	/* seq expected */
	uint64_t		 to;
	char			 why[256];
};

static int
catchup_put(void *ctx, uint64_t seq, const uint8_t *enc, size_t len)
{
	struct catchup *c = ctx;
	int rc;

	if (seq != c->next || seq > c->to) {
		snprintf(c->why, sizeof(c->why), "seq %llu out of order",
		    (unsigned long long)seq);
		return -1;
	}
	if (entry_decode(c->e, enc, len) != 0 || c->e->seq != seq) {
		snprintf(c->why, sizeof(c->why), "seq %llu does not decode",
		    (unsigned long long)seq);
		return -1;
	}
	rc = apply_replay(c->t, c->t, c->e, enc, len, c->why, sizeof(c->why));
	if (rc != LD_OK) {
		if (c->why[0] == '\0')
			snprintf(c->why, sizeof(c->why), "%s", ld_err_name(rc));
		return -1;
	}
	if (store_append(c->t, c->e, NULL, NULL) != LD_OK) {
		snprintf(c->why, sizeof(c->why), "seq %llu: append: %s",
		    (unsigned long long)seq, store_error_text(c->t));
		return -1;
	}
	c->next++;
	return 0;
}

/*
 * Bring the ledger from its size to d->size with fetched entries, and the
 * applied index and cosignatures to the descriptor's, in one transaction.
 */
static int
catch_up(struct replica *rp, const struct snapdesc *d, uint64_t have)
{
	struct catchup c;
	uint8_t root[32];
	uint32_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	if (rp->rp_hooks.fetch == NULL) {
		log_warnx("replica: a snapshot at index %llu needs entries %llu.."
		    "%llu and no source is configured",
		    (unsigned long long)d->applied,
		    (unsigned long long)have + 1, (unsigned long long)d->size);
		return RAFT_IOERR;
	}
	if ((c.e = malloc(sizeof(*c.e))) == NULL)
		return RAFT_NOMEM;
	if ((rc = store_begin(rp->rp_store, 1, &c.t)) != LD_OK) {
		free(c.e);
		return replica_fail(rp, rc, "cannot begin a transaction");
	}
	c.next = have + 1;
	c.to = d->size;
	if (have < d->size && (rp->rp_hooks.fetch(rp->rp_hooks.arg, have + 1,
	    d->size, catchup_put, &c) != 0 || c.next != d->size + 1)) {
		log_warnx("replica: catching up to %llu stopped at seq %llu%s%s",
		    (unsigned long long)d->size, (unsigned long long)c.next,
		    c.why[0] != '\0' ? ": " : "", c.why);
		rc = RAFT_IOERR;
		goto fail;
	}
	if (store_tree_root(c.t, d->size, root) != LD_OK ||
	    memcmp(root, d->root, 32) != 0) {
		log_warnx("replica: the entries fetched up to %llu do not give "
		    "the snapshot's root; nothing kept",
		    (unsigned long long)d->size);
		rc = RAFT_CORRUPT;
		goto fail;
	}
	for (i = 0; i < d->ncosig; i++)
		store_cosig_put(c.t, &d->cosig[i]);
	store_set_applied(c.t, d->applied);
	if ((rc = store_commit(c.t)) != LD_OK) {
		c.t = NULL;
		free(c.e);
		return replica_fail(rp, rc, "commit of a catch-up failed");
	}
	rp->rp_stats.fetched += d->size - have;
	free(c.e);
	return 0;
fail:
	store_abort(c.t);
	free(c.e);
	return rc;
}

static int
fsm_restore(struct raft_fsm *fsm, struct raft_buffer *buf)
{
	struct replica *rp = fsm->data;
	struct store_txn *t;
	struct snapdesc d;
	uint8_t root[32];
	uint64_t applied = 0, size = 0;
	int64_t last;
	int rc;

	if (rp->rp_failed)
		return RAFT_IOERR;
	if (snap_decode(buf->base, buf->len, &d) != 0) {
		log_warnx("replica: a snapshot that does not decode (%zu bytes)",
		    buf->len);
		return RAFT_MALFORMED;
	}
	if ((rc = store_begin(rp->rp_store, 0, &t)) != LD_OK) {
		free(d.cosig);
		return RAFT_IOERR;
	}
	size = store_size(t);
	rc = store_applied(t, &applied);
	if (rc == LD_OK && size >= d.size)
		rc = store_tree_root(t, d.size, root);
	store_abort(t);
	if (rc != LD_OK) {
		free(d.cosig);
		return RAFT_IOERR;
	}
	if (applied >= d.applied) {
		/*
		 * A restart: the ledger already holds the snapshot's state.
		 * The groups applied since are skipped when Raft replays them.
		 */
		free(d.cosig);
		if (size < d.size || memcmp(root, d.root, 32) != 0) {
			log_warnx("replica: the ledger (size %llu, index %llu) "
			    "is not the snapshot's (size %llu, index %llu)",
			    (unsigned long long)size,
			    (unsigned long long)applied,
			    (unsigned long long)d.size,
			    (unsigned long long)d.applied);
			return RAFT_CORRUPT;
		}
		raft_free(buf->base);
		rp->rp_stats.restores++;
		return 0;
	}
	if (size > d.size) {
		log_warnx("replica: the ledger (size %llu) is longer than a "
		    "snapshot of a later index (size %llu)",
		    (unsigned long long)size, (unsigned long long)d.size);
		free(d.cosig);
		return RAFT_CORRUPT;
	}
	rc = catch_up(rp, &d, size);
	free(d.cosig);
	if (rc != 0)
		return rc;
	if ((rc = store_begin(rp->rp_store, 0, &t)) != LD_OK)
		return replica_fail(rp, rc, "cannot begin a transaction");
	rc = newest_time(t, &last);
	store_abort(t);
	if (rc != LD_OK)
		return replica_fail(rp, rc, "cannot read the newest entry");
	rp->rp_applied = d.applied;
	rp->rp_last_time = last;
	rp->rp_stats.restores++;
	raft_free(buf->base);
	return 0;
}

/* ---- the replica ---- */

int
replica_open(struct replica **out, struct store *st, struct raft *r,
    const struct ckpt_verifier *logkey, const struct replica_hooks *hooks,
    char *err, size_t errlen)
{
	struct replica *rp;
	struct store_txn *t;
	int rc;

	*out = NULL;
	if ((rp = calloc(1, sizeof(*rp))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rp->rp_store = st;
	rp->rp_raft = r;
	if (logkey != NULL)
		rp->rp_logkey = *logkey;
	if (hooks != NULL)
		rp->rp_hooks = *hooks;
	if ((rc = store_begin(st, 0, &t)) == LD_OK) {
		if ((rc = store_applied(t, &rp->rp_applied)) == LD_OK)
			rc = newest_time(t, &rp->rp_last_time);
		store_abort(t);
	}
	if (rc != LD_OK) {
		snprintf(err, errlen, "cannot read the applied index and the "
		    "newest entry: %s", ld_err_name(rc));
		free(rp);
		return -1;
	}
	*out = rp;
	return 0;
}

void
replica_close(struct replica *rp)
{
	if (rp == NULL)
		return;
	replica_result_free(rp->rp_unclaimed);
	free(rp);
}

void
replica_fsm(struct replica *rp, struct raft_fsm *fsm)
{
	memset(fsm, 0, sizeof(*fsm));
	fsm->version = 1;
	fsm->data = rp;
	fsm->apply = fsm_apply;
	fsm->snapshot = fsm_snapshot;
	fsm->restore = fsm_restore;
}

uint64_t
replica_applied(const struct replica *rp)
{
	return rp->rp_applied;
}

void
replica_stats(const struct replica *rp, struct replica_stats *s)
{
	*s = rp->rp_stats;
}
