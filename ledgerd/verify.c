/*
 * verify.c - `ledgerd --verify`: recompute the ledger from its entries and
 * compare every stored derived record with the recomputation (see verify.h
 * for what is checked and in which order).
 *
 * The entries are the only source of truth; everything else in the store
 * (leaves, Merkle nodes, indexes, balances, the size) is derived and must
 * equal what a replay of the entries produces.  The replay runs the very
 * rules the writer ran (rules.c), over state held in memory: open-addressing
 * hash tables for the ids, regions, reversal marks and balances.  The Merkle
 * nodes are recomputed with merkle_append() into an in-memory frontier (the
 * last two nodes of each level, which is all that appending needs) and each
 * node is compared with the stored one as it completes; the root is computed
 * once more, independently, with merkle_stream.
 *
 * Cost: one pass over the entries with a cursor, one leaf and about one
 * node lookup per entry, two SHA-256 per entry for the tree plus one for
 * the stream; then one pass over each index.  Memory is the replay state:
 * about 24 bytes of table per id plus the id itself; entries are not kept.
 *
 * Two threads share the pass, chunk by chunk: a worker reads the chunk in
 * its own read transaction and does the hashing half (leaf hashes, Merkle
 * nodes, the root stream) while the caller decodes and replays the same
 * entries; each keeps its own state and report, and the first damage by seq
 * wins.  On two cores this nearly halves the time of a large ledger.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "merkle.h"
#include "verify.h"
#include "wire.h"

/* Callback results that stop a store_scan(); store errors are positive. */
#define VSTOP_CHUNK	(-1)
#define VSTOP_DAMAGE	(-2)
#define VSTOP_ERROR	(-3)

/* ---- a small open-addressing hash table with byte-string keys ---- */

struct vslot {
	const uint8_t	*key;		/* in the table's key arena; NULL = free */
	uint64_t	 val;
	uint32_t	 hash;
	uint16_t	 klen;
	uint8_t		 aux;
	uint8_t		 mark;
};

struct kchunk {
	struct kchunk	*next;
	size_t		 used, cap;
	uint8_t		 data[];
};

struct vtab {
	struct vslot	*slots;
	size_t		 cap;		/* a power of two, or 0 */
	size_t		 n;
	struct kchunk	*keys;
};

static uint32_t
khash(const uint8_t *k, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= k[i];
		h *= UINT64_C(1099511628211);
	}
	return (uint32_t)(h ^ (h >> 32));
}

static struct vslot *
vtab_find(struct vtab *t, const void *key, size_t klen)
{
	uint32_t h;
	size_t i;

	if (t->cap == 0 || klen > UINT16_MAX)
		return NULL;
	h = khash(key, klen);
	for (i = h & (t->cap - 1); t->slots[i].key != NULL;
	    i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].hash == h && t->slots[i].klen == klen &&
		    memcmp(t->slots[i].key, key, klen) == 0)
			return &t->slots[i];
	}
	return NULL;
}

static struct vslot *
vtab_place(struct vslot *slots, size_t cap, const struct vslot *s)
{
	size_t i;

	for (i = s->hash & (cap - 1); slots[i].key != NULL; i = (i + 1) & (cap - 1))
		;
	slots[i] = *s;
	return &slots[i];
}

static int
vtab_grow(struct vtab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64, i;
	struct vslot *slots;

	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i].key != NULL)
			vtab_place(slots, cap, &t->slots[i]);
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

/*
 * Insert key, or find it: one probe sequence for both, since the ids table
 * of a large ledger is far bigger than the cache and every probe is a miss.
 * *existed tells which; NULL when memory ran out.
 */
static struct vslot *
vtab_add(struct vtab *t, const void *key, size_t klen, uint64_t val,
    uint8_t aux, int *existed)
{
	struct kchunk *c;
	struct vslot s;
	uint32_t h;
	size_t cap, i;

	*existed = 0;
	if (klen > UINT16_MAX)
		return NULL;
	if ((t->n + 1) * 10 > t->cap * 7 && vtab_grow(t) == -1)
		return NULL;
	h = khash(key, klen);
	for (i = h & (t->cap - 1); t->slots[i].key != NULL;
	    i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].hash == h && t->slots[i].klen == klen &&
		    memcmp(t->slots[i].key, key, klen) == 0) {
			*existed = 1;
			return &t->slots[i];
		}
	}
	c = t->keys;
	if (c == NULL || c->cap - c->used < klen) {
		cap = klen > 65536 ? klen : 65536;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = t->keys;
		t->keys = c;
	}
	memcpy(c->data + c->used, key, klen);
	s.key = c->data + c->used;
	c->used += klen;
	s.val = val;
	s.hash = h;
	s.klen = (uint16_t)klen;
	s.aux = aux;
	s.mark = 0;
	t->slots[i] = s;
	t->n++;
	return &t->slots[i];
}

/* Insert a key known to be absent; NULL when memory ran out. */
static struct vslot *
vtab_insert(struct vtab *t, const void *key, size_t klen, uint64_t val,
    uint8_t aux)
{
	int existed;

	return vtab_add(t, key, klen, val, aux, &existed);
}

static void
vtab_free(struct vtab *t)
{
	struct kchunk *c, *next;

	for (c = t->keys; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ---- the replay state ---- */

struct vctx {
	struct store		*st;
	struct vctx		*h;		/* the hashing half's context */
	int			(*check)(struct vctx *, uint64_t,
				    const uint8_t *, size_t);
	const struct rules_limits *lim;
	struct verify_report	*rep;
	struct store_txn	*t;
	int			 result;
	uint64_t		 next;		/* next seq expected */
	uint64_t		 end;		/* last seq of this chunk */
	struct ld_entry		*e, *req, *target;
	struct vtab		 ids, regions, reversed, acct, rbal;
	struct ld_acct_bal	*accts;
	struct ld_region_bal	*rbals;
	size_t			 naccts, caccts, nrbals, crbals;
	struct merkle_stream	 ms;
	struct vnode {
		uint64_t	 index;
		uint8_t		 hash[32];
		int		 set;
	}			 last[64][2];	/* latest two nodes per level */
	uint64_t		 cur;		/* seq being checked */
};

static int
damage(struct vctx *c, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
damage(struct vctx *c, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	c->result = VERIFY_DAMAGED;
	c->rep->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(c->rep->reason, sizeof(c->rep->reason), fmt, ap);
	va_end(ap);
	return VSTOP_DAMAGE;
}

static int
cannot(struct vctx *c, const char *what)
{
	c->result = VERIFY_ERROR;
	snprintf(c->rep->reason, sizeof(c->rep->reason), "%s", what);
	return VSTOP_ERROR;
}

/* Key bytes of an untrusted record, printable, for a message. */
static const char *
printable(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 1 < outsz; i++)
		out[j++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[j] = '\0';
	return out;
}

static const char *
acct_name(int a)
{
	const char *s = ld_account_name(a);

	return s ? s : "?";
}

static void
acct_tkey(uint8_t key[3], uint8_t account, uint16_t fy)
{
	be16_put(key, fy);
	key[2] = account;
}

static size_t
rbal_tkey(uint8_t key[2 + LD_CODE_MAX], const char *code, uint16_t fy)
{
	size_t n = strnlen(code, LD_CODE_MAX);

	be16_put(key, fy);
	memcpy(key + 2, code, n);
	return 2 + n;
}

/* ---- Merkle nodes, recomputed in memory and compared as they complete ---- */

static int
mem_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct vctx *c = ctx;

	int i;

	if (level >= 64)
		return -1;
	for (i = 0; i < 2; i++)
		if (c->last[level][i].set && c->last[level][i].index == index) {
			memcpy(out, c->last[level][i].hash, 32);
			return 0;
		}
	return -1;
}

/*
 * Appending leaf n reads the left sibling at each level it climbs, which
 * is the latest node of that level, or the one before it when the level's
 * node was itself just completed by this append.
 */
static void
mem_keep(struct vctx *c, unsigned level, uint64_t index, const uint8_t hash[32])
{
	c->last[level][1] = c->last[level][0];
	c->last[level][0].index = index;
	memcpy(c->last[level][0].hash, hash, 32);
	c->last[level][0].set = 1;
}

static int
mem_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
	struct vctx *c = ctx;
	uint8_t stored[32];

	if (level >= 64)
		return -1;
	if (store_tree_get(c->t, level, index, stored) != 0) {
		if (store_error(c->t) != LD_OK)
			cannot(c, "cannot read the Merkle nodes");
		else
			damage(c, c->cur, "seq %llu: Merkle node (level %u, "
			    "index %llu) missing", (unsigned long long)c->cur,
			    level, (unsigned long long)index);
		return -1;
	}
	if (memcmp(stored, hash, 32) != 0) {
		damage(c, c->cur, "seq %llu: Merkle node (level %u, index %llu) "
		    "does not match the leaves", (unsigned long long)c->cur,
		    level, (unsigned long long)index);
		return -1;
	}
	mem_keep(c, level, index, hash);
	return 0;
}

/* ---- the rules, replayed ---- */

/* The request that produced stored entry e: e without daemon-set fields. */
static void
request_of(const struct ld_entry *e, struct ld_entry *req)
{
	*req = *e;
	req->seq = 0;
	req->actor[0] = '\0';
	req->recorded_at = 0;
	switch (e->kind) {
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		req->account = 0;
		break;
	case LD_K_REVERSAL:
		req->target_kind = 0;
		memset(req->region, 0, sizeof(req->region));
		req->account = 0;
		req->fy = 0;
		req->amount = 0;
		break;
	case LD_K_YEAR_CLOSE:
		req->appropriated = req->awarded = req->disbursed = 0;
		req->refunded = req->net = 0;
		break;
	}
}

/* Compare what the replay derived with what the entry carries. */
static int
compare_derived(struct vctx *c, uint64_t seq, const struct ld_entry *e,
    const struct ld_entry *r)
{
#define CMP_INT(f)							\
	if (e->f != r->f)						\
		return damage(c, seq, "seq %llu: stored " #f " %lld, the "	\
		    "rules derive %lld", (unsigned long long)seq,	\
		    (long long)e->f, (long long)r->f)
	CMP_INT(account);
	CMP_INT(target_kind);
	CMP_INT(fy);
	CMP_INT(amount);
	CMP_INT(appropriated);
	CMP_INT(awarded);
	CMP_INT(disbursed);
	CMP_INT(refunded);
	CMP_INT(net);
#undef CMP_INT
	if (strcmp(e->region, r->region) != 0)
		return damage(c, seq, "seq %llu: stored region '%s', the rules "
		    "derive '%s'", (unsigned long long)seq, e->region, r->region);
	return 0;
}

static int
upsert_acct(struct vctx *c, const struct ld_acct_bal *a)
{
	uint8_t key[3];
	struct vslot *s;
	void *p;

	acct_tkey(key, a->account, a->fy);
	if ((s = vtab_find(&c->acct, key, sizeof(key))) != NULL) {
		c->accts[s->val] = *a;
		return 0;
	}
	if (c->naccts == c->caccts) {
		c->caccts = c->caccts ? c->caccts * 2 : 16;
		if ((p = realloc(c->accts, c->caccts * sizeof(*c->accts))) == NULL)
			return -1;
		c->accts = p;
	}
	c->accts[c->naccts] = *a;
	if (vtab_insert(&c->acct, key, sizeof(key), c->naccts, 0) == NULL)
		return -1;
	c->naccts++;
	return 0;
}

static int
upsert_rbal(struct vctx *c, const struct ld_region_bal *r)
{
	uint8_t key[2 + LD_CODE_MAX];
	size_t klen = rbal_tkey(key, r->region, r->fy);
	struct vslot *s;
	void *p;

	if ((s = vtab_find(&c->rbal, key, klen)) != NULL) {
		c->rbals[s->val] = *r;
		return 0;
	}
	if (c->nrbals == c->crbals) {
		c->crbals = c->crbals ? c->crbals * 2 : 64;
		if ((p = realloc(c->rbals, c->crbals * sizeof(*c->rbals))) == NULL)
			return -1;
		c->rbals = p;
	}
	c->rbals[c->nrbals] = *r;
	if (vtab_insert(&c->rbal, key, klen, c->nrbals, 0) == NULL)
		return -1;
	c->nrbals++;
	return 0;
}

static int
replay(struct vctx *c, uint64_t seq)
{
	struct ld_entry *e = c->e, *req = c->req;
	struct rules_view v;
	struct vslot *s;
	const char *region;
	uint8_t key[2 + LD_CODE_MAX], account;
	uint16_t fy;
	int grant = 0, rc, existed;

	request_of(e, req);
	if (rules_validate(req) != LD_OK)
		return damage(c, seq, "seq %llu: fields not valid for a %s "
		    "request", (unsigned long long)seq, ld_kind_name(e->kind));
	if (e->id[0] != '\0') {
		/* Recorded now: a later failure ends the check anyway. */
		if ((s = vtab_add(&c->ids, e->id, strlen(e->id), seq, 0,
		    &existed)) == NULL)
			return cannot(c, "out of memory");
		if (existed)
			return damage(c, seq, "seq %llu: id '%s' already used "
			    "by seq %llu", (unsigned long long)seq, e->id,
			    (unsigned long long)s->val);
	}

	memset(&v, 0, sizeof(v));
	if (req->region[0] != '\0' &&
	    (s = vtab_find(&c->regions, req->region, strlen(req->region))) != NULL) {
		v.region_known = 1;
		grant = s->aux;
	}
	if (e->kind != LD_K_REGION)
		v.region_grant = (uint8_t)grant;
	if (e->kind == LD_K_REVERSAL) {
		if (e->reverses < seq) {
			rc = store_get(c->t, e->reverses, c->target);
			if (rc == LD_OK)
				v.target = c->target;
			else if (rc != LD_E_NOT_FOUND)
				return cannot(c, "cannot read a reversal's target");
		}
		be64_put(key, e->reverses);
		v.target_reversed = vtab_find(&c->reversed, key, 8) != NULL;
		if (v.target != NULL && v.target->region[0] != '\0' &&
		    (s = vtab_find(&c->regions, v.target->region,
		    strlen(v.target->region))) != NULL)
			grant = s->aux;
	}
	rules_scope(req, grant, v.target, &account, &fy, &region);
	if (account != 0 && fy != 0) {
		acct_tkey(key, account, fy);
		if ((s = vtab_find(&c->acct, key, 3)) != NULL)
			v.acct = c->accts[s->val];
		else {
			v.acct.account = account;
			v.acct.fy = fy;
		}
	}
	if (region[0] != '\0' && fy != 0) {
		if ((s = vtab_find(&c->rbal, key, rbal_tkey(key, region, fy))) != NULL)
			v.rbal = c->rbals[s->val];
		else {
			snprintf(v.rbal.region, sizeof(v.rbal.region), "%s", region);
			v.rbal.fy = fy;
			v.rbal.grant_type = (uint8_t)grant;
			v.rbal.account = account;
		}
	}

	req->seq = seq;
	if ((rc = rules_apply(c->lim, req, &v)) != LD_OK)
		return damage(c, seq, "seq %llu: the rules refuse this %s: %s",
		    (unsigned long long)seq, ld_kind_name(e->kind),
		    ld_err_name(rc));
	if ((rc = compare_derived(c, seq, e, req)) != 0)
		return rc;

	if (e->kind == LD_K_REGION &&
	    vtab_insert(&c->regions, e->region, strlen(e->region), seq,
	    e->grant_type) == NULL)
		return cannot(c, "out of memory");
	if (e->kind == LD_K_REVERSAL) {
		be64_put(key, e->reverses);
		if (vtab_insert(&c->reversed, key, 8, seq, 0) == NULL)
			return cannot(c, "out of memory");
	}
	if (account != 0 && fy != 0 && upsert_acct(c, &v.acct) == -1)
		return cannot(c, "out of memory");
	if (region[0] != '\0' && fy != 0 && upsert_rbal(c, &v.rbal) == -1)
		return cannot(c, "out of memory");
	return 0;
}

/* ---- one entry ---- */

/* The caller's half: the entry decodes, carries its seq, obeys the rules. */
static int
check_body(struct vctx *c, uint64_t seq, const uint8_t *enc, size_t len)
{
	c->cur = seq;
	if (entry_decode(c->e, enc, len) == -1)
		return damage(c, seq, "seq %llu: entry does not decode",
		    (unsigned long long)seq);
	if (c->e->seq != seq)
		return damage(c, seq, "seq %llu: entry carries seq %llu",
		    (unsigned long long)seq, (unsigned long long)c->e->seq);
	return replay(c, seq);
}

/* The worker's half: the leaf hash, the Merkle nodes, the root stream. */
static int
check_hash(struct vctx *c, uint64_t seq, const uint8_t *enc, size_t len)
{
	uint8_t leaf[32], stored[32];
	int rc;

	c->cur = seq;
	merkle_leaf_hash(enc, len, leaf);
	rc = store_get_leaf(c->t, seq, stored);
	if (rc == LD_E_NOT_FOUND)
		return damage(c, seq, "seq %llu: leaf hash missing",
		    (unsigned long long)seq);
	if (rc != LD_OK)
		return damage(c, seq, "seq %llu: leaf hash unreadable",
		    (unsigned long long)seq);
	if (memcmp(leaf, stored, 32) != 0)
		return damage(c, seq, "seq %llu: leaf hash mismatch",
		    (unsigned long long)seq);
	merkle_stream_push(&c->ms, leaf);
	if (merkle_append(seq - 1, leaf, mem_get, mem_put, c) != 0) {
		if (c->result != VERIFY_INTACT)
			return c->result == VERIFY_DAMAGED ? VSTOP_DAMAGE :
			    VSTOP_ERROR;
		return cannot(c, "Merkle recomputation failed");
	}
	mem_keep(c, 0, seq - 1, leaf);
	return 0;
}

static int
entry_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct vctx *c = ctx;
	uint64_t seq;
	int rc;

	if (klen != 8)
		return damage(c, c->next, "entries: a record with a %zu-byte "
		    "key", klen);
	seq = be64_get(key);
	if (seq != c->next)
		return damage(c, c->next, "seq %llu: entry missing",
		    (unsigned long long)c->next);
	if ((rc = c->check(c, seq, val, vlen)) != 0)
		return rc;
	c->next++;
	return seq >= c->end ? VSTOP_CHUNK : 0;
}

/* ---- the stored indexes and balances, both directions ---- */

struct icheck {
	struct vctx	*c;
	int		 db;
};

static int
index_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct icheck *ic = ctx;
	struct vctx *c = ic->c;
	struct vtab *tab;
	struct vslot *s;
	const char *name;
	char k[80];
	uint64_t seq;

	switch (ic->db) {
	case STORE_DB_IDS:
		tab = &c->ids;
		name = "ids";
		break;
	case STORE_DB_REGIONS:
		tab = &c->regions;
		name = "regions";
		break;
	default:
		tab = &c->reversed;
		name = "reversed";
		break;
	}
	if (vlen != 8 || (ic->db == STORE_DB_REVERSED && klen != 8))
		return damage(c, 0, "%s index: a malformed record", name);
	seq = be64_get(val);
	s = vtab_find(tab, key, klen);
	if (ic->db == STORE_DB_REVERSED) {
		if (s == NULL)
			return damage(c, 0, "reversed index: seq %llu marked "
			    "reversed by %llu, but no reversal names it",
			    (unsigned long long)be64_get(key),
			    (unsigned long long)seq);
		if (s->val != seq)
			return damage(c, s->val, "reversed index: seq %llu "
			    "marked reversed by %llu, expected %llu",
			    (unsigned long long)be64_get(key),
			    (unsigned long long)seq, (unsigned long long)s->val);
	} else {
		printable(k, sizeof(k), key, klen);
		if (s == NULL)
			return damage(c, 0, "%s index: '%s' maps to %llu, but "
			    "no entry has it", name, k, (unsigned long long)seq);
		if (s->val != seq)
			return damage(c, s->val, "%s index: '%s' maps to %llu, "
			    "expected %llu", name, k, (unsigned long long)seq,
			    (unsigned long long)s->val);
	}
	s->mark = 1;
	return 0;
}

/* The unmarked record of the lowest seq: in memory but not stored. */
static struct vslot *
first_unmarked(struct vtab *t)
{
	struct vslot *best = NULL;
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slots[i].key != NULL && !t->slots[i].mark &&
		    (best == NULL || t->slots[i].val < best->val))
			best = &t->slots[i];
	return best;
}

static int
check_index(struct vctx *c, int db)
{
	struct icheck ic = { c, db };
	struct vtab *tab;
	struct vslot *s;
	char k[80];
	int rc;

	rc = store_scan(c->t, db, NULL, 0, index_cb, &ic);
	if (rc > 0)
		return cannot(c, "cannot read an index");
	if (rc != 0)
		return rc;
	tab = db == STORE_DB_IDS ? &c->ids : db == STORE_DB_REGIONS ?
	    &c->regions : &c->reversed;
	if ((s = first_unmarked(tab)) == NULL)
		return 0;
	if (db == STORE_DB_REVERSED)
		return damage(c, s->val, "reversed index: seq %llu (reversed "
		    "by %llu) missing", (unsigned long long)be64_get(s->key),
		    (unsigned long long)s->val);
	return damage(c, s->val, "%s index: '%s' (seq %llu) missing",
	    db == STORE_DB_IDS ? "ids" : "regions",
	    printable(k, sizeof(k), s->key, s->klen),
	    (unsigned long long)s->val);
}

static int
acctbal_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct vctx *c = ctx;
	struct ld_acct_bal a;
	const struct ld_acct_bal *x;
	struct vslot *s;

	if (store_acct_bal_decode(key, klen, val, vlen, &a) == -1)
		return damage(c, 0, "acctbal: a malformed record");
	if ((s = vtab_find(&c->acct, key, klen)) == NULL)
		return damage(c, 0, "acctbal %s FY%u: stored, but no entry "
		    "touches it", acct_name(a.account), a.fy);
	x = &c->accts[s->val];
#define CMP_BAL(f)							\
	if (a.f != x->f)						\
		return damage(c, 0, "acctbal %s FY%u: " #f " is %lld, the "	\
		    "entries give %lld", acct_name(a.account), a.fy,	\
		    (long long)a.f, (long long)x->f)
	CMP_BAL(appropriated);
	CMP_BAL(awarded);
	CMP_BAL(disbursed);
	CMP_BAL(refunded);
	CMP_BAL(closed);
#undef CMP_BAL
	s->mark = 1;
	return 0;
}

static int
regbal_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct vctx *c = ctx;
	struct ld_region_bal r;
	const struct ld_region_bal *x;
	struct vslot *s;

	if (store_region_bal_decode(key, klen, val, vlen, &r) == -1)
		return damage(c, 0, "regbal: a malformed record");
	if ((s = vtab_find(&c->rbal, key, klen)) == NULL)
		return damage(c, 0, "regbal %s FY%u: stored, but no entry "
		    "touches it", r.region, r.fy);
	x = &c->rbals[s->val];
#define CMP_BAL(f)							\
	if ((long long)r.f != (long long)x->f)				\
		return damage(c, 0, "regbal %s FY%u: " #f " is %lld, the "	\
		    "entries give %lld", r.region, r.fy,		\
		    (long long)r.f, (long long)x->f)
	CMP_BAL(grant_type);
	CMP_BAL(account);
	CMP_BAL(award);
	CMP_BAL(award_seq);
	CMP_BAL(disbursed);
	CMP_BAL(refunded);
#undef CMP_BAL
	s->mark = 1;
	return 0;
}

static int
check_balances(struct vctx *c)
{
	struct vslot *s;
	int rc;

	rc = store_scan(c->t, STORE_DB_ACCTBAL, NULL, 0, acctbal_cb, c);
	if (rc > 0)
		return cannot(c, "cannot read the account balances");
	if (rc != 0)
		return rc;
	if ((s = first_unmarked(&c->acct)) != NULL)
		return damage(c, 0, "acctbal %s FY%u: missing",
		    acct_name(c->accts[s->val].account), c->accts[s->val].fy);
	rc = store_scan(c->t, STORE_DB_REGBAL, NULL, 0, regbal_cb, c);
	if (rc > 0)
		return cannot(c, "cannot read the region balances");
	if (rc != 0)
		return rc;
	if ((s = first_unmarked(&c->rbal)) != NULL)
		return damage(c, 0, "regbal %s FY%u: missing",
		    c->rbals[s->val].region, c->rbals[s->val].fy);
	return 0;
}

static int
first_key_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	uint64_t *seq = ctx;

	(void)val;
	(void)vlen;
	*seq = klen == 8 ? be64_get(key) : 0;
	return 1;
}

/* Counts of entries, leaves and nodes for size entries, and the root. */
static int
check_tree(struct vctx *c, uint64_t size)
{
	static const struct {
		int		 db;
		const char	*name;
	} dbs[] = {
		{ STORE_DB_ENTRIES, "entries" },
		{ STORE_DB_LEAVES, "leaves" },
		{ STORE_DB_NODES, "Merkle nodes" },
	};
	uint64_t n, want, extra = 0;
	uint8_t key[8], root[32];
	size_t i;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		if (store_count(c->t, dbs[i].db, &n) != LD_OK)
			return cannot(c, "cannot count the records");
		want = dbs[i].db == STORE_DB_NODES ?
		    size - (uint64_t)__builtin_popcountll(size) : size;
		if (n == want)
			continue;
		if (dbs[i].db != STORE_DB_NODES) {
			be64_put(key, size + 1);
			(void)store_scan(c->t, dbs[i].db, key, 8, first_key_cb,
			    &extra);
		}
		if (extra != 0)
			return damage(c, 0, "%s: a record for seq %llu, beyond "
			    "the ledger's size %llu", dbs[i].name,
			    (unsigned long long)extra, (unsigned long long)size);
		return damage(c, 0, "%s: %llu records, %llu expected for %llu "
		    "entries", dbs[i].name, (unsigned long long)n,
		    (unsigned long long)want, (unsigned long long)size);
	}
	merkle_stream_root(&c->h->ms, c->rep->root);
	if (store_tree_root(c->t, size, root) != LD_OK)
		return damage(c, 0, "tree root: the stored nodes do not give "
		    "a root for size %llu", (unsigned long long)size);
	if (memcmp(root, c->rep->root, 32) != 0)
		return damage(c, 0, "tree root: the stored nodes and the "
		    "entries give different roots");
	return 0;
}

/*
 * Scan entries c->next..c->end of the snapshot c->t with c->check; damage
 * or an error is left in c->result.
 */
static void
scan_chunk(struct vctx *c)
{
	uint8_t from[8];
	int rc;

	be64_put(from, c->next);
	rc = store_scan(c->t, STORE_DB_ENTRIES, from, 8, entry_cb, c);
	if (rc > 0)
		cannot(c, "cannot read the entries");
	else if (rc == 0 && c->result == VERIFY_INTACT)
		damage(c, c->next, "seq %llu: entry missing",
		    (unsigned long long)c->next);
}

/* The hashing half of a chunk, in its own read transaction. */
static void *
hash_chunk(void *arg)
{
	struct vctx *h = arg;

	if (store_begin(h->st, 0, &h->t) != LD_OK) {
		cannot(h, "cannot begin a read transaction");
		return NULL;
	}
	scan_chunk(h);
	store_abort(h->t);
	h->t = NULL;
	return NULL;
}

/* Keep the first damage by seq; an error beats damage. */
static void
merge(struct vctx *c, const struct vctx *h)
{
	uint64_t cs = c->rep->bad_seq, hs = h->rep->bad_seq;

	if (h->result == VERIFY_INTACT || c->result == VERIFY_ERROR)
		return;
	if (h->result == VERIFY_ERROR || c->result == VERIFY_INTACT ||
	    (hs != 0 && (cs == 0 || hs < cs))) {
		c->result = h->result;
		c->rep->bad_seq = hs;
		memcpy(c->rep->reason, h->rep->reason, sizeof(c->rep->reason));
	}
}

static int
final_checks(struct vctx *c, uint64_t size)
{
	int rc;

	if ((rc = check_tree(c, size)) != 0 ||
	    (rc = check_index(c, STORE_DB_IDS)) != 0 ||
	    (rc = check_index(c, STORE_DB_REGIONS)) != 0 ||
	    (rc = check_index(c, STORE_DB_REVERSED)) != 0 ||
	    (rc = check_balances(c)) != 0)
		return rc;
	return 0;
}

int
verify_ledger(struct store *st, const struct rules_limits *lim,
    struct verify_report *rep)
{
	struct verify_report hrep;
	struct vctx *c, *h = NULL;
	pthread_t tid;
	uint64_t size;
	int result, done = 0, threaded;

	memset(rep, 0, sizeof(*rep));
	memset(&hrep, 0, sizeof(hrep));
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (h = calloc(1, sizeof(*h))) == NULL ||
	    (c->e = malloc(sizeof(*c->e))) == NULL ||
	    (c->req = malloc(sizeof(*c->req))) == NULL ||
	    (c->target = malloc(sizeof(*c->target))) == NULL) {
		snprintf(rep->reason, sizeof(rep->reason), "out of memory");
		result = VERIFY_ERROR;
		goto fail;
	}
	c->st = h->st = st;
	c->h = h;
	c->check = check_body;
	h->check = check_hash;
	c->lim = lim;
	c->rep = rep;
	h->rep = &hrep;
	c->next = 1;
	merkle_stream_init(&h->ms);

	while (!done && c->result == VERIFY_INTACT) {
		if (store_begin(st, 0, &c->t) != LD_OK) {
			cannot(c, "cannot begin a read transaction (or the "
			    "size record is unreadable)");
			break;
		}
		size = store_size(c->t);
		if (size + 1 < c->next) {
			damage(c, 0, "the ledger's size went down to %llu",
			    (unsigned long long)size);
			break;
		}
		c->end = size - c->next + 1 > VERIFY_CHUNK ?
		    c->next + VERIFY_CHUNK - 1 : size;
		if (c->next <= c->end) {
			/* Entries are never rewritten: any snapshot will do. */
			h->next = c->next;
			h->end = c->end;
			threaded = pthread_create(&tid, NULL, hash_chunk, h) == 0;
			if (!threaded)
				hash_chunk(h);
			scan_chunk(c);
			if (threaded)
				pthread_join(tid, NULL);
			merge(c, h);
		}
		if (c->result == VERIFY_INTACT && c->end == size) {
			final_checks(c, size);
			done = 1;
		}
		store_abort(c->t);
		c->t = NULL;
	}
	if (c->t != NULL)
		store_abort(c->t);
	rep->size = c->next - 1;
	result = c->result;
fail:
	free(h);
	if (c != NULL) {
		free(c->e);
		free(c->req);
		free(c->target);
		free(c->accts);
		free(c->rbals);
		vtab_free(&c->ids);
		vtab_free(&c->regions);
		vtab_free(&c->reversed);
		vtab_free(&c->acct);
		vtab_free(&c->rbal);
		free(c);
	}
	return result;
}
