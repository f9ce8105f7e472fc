/*
 * verify.c - `ledgerd --verify`: recompute the ledger from its entries and
 * compare every stored derived record with the recomputation (see verify.h
 * for what is checked and in which order).
 *
 * The entries are the only source of truth; everything else in the store
 * (leaves, Merkle nodes, indexes, balances, terms, payments, orders, the
 * size) is derived and must equal what a replay of the entries produces.
 * The replay is the writer's own path, apply_replay() (apply.c): each entry
 * is decided again by rules.c against a state rebuilt from the entries
 * before it, in a scratch LMDB environment under $TMPDIR that is never
 * synced and is removed afterwards.  The rules come from the ledger itself
 * (terms entries, recorded_at), so the verdict depends on no config.  At
 * the end each derived database of the ledger is compared with the
 * scratch's, record by record in key order (store_diff).
 *
 * The Merkle nodes are recomputed with merkle_append() into an in-memory
 * frontier (the last two nodes of each level, which is all that appending
 * needs) and each node is compared with the stored one as it completes;
 * the root is computed once more, independently, with merkle_stream.
 *
 * Two threads share the pass, chunk by chunk: a worker reads the chunk in
 * its own read transaction and does the hashing half (leaf hashes, Merkle
 * nodes, the root stream) while the caller decodes and replays the same
 * entries; each keeps its own report, and the first damage by seq wins.
 * The scratch transaction is committed (without a sync) after each chunk,
 * so that no single transaction grows with the ledger.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>

#include "apply.h"
#include "errors.h"
#include "merkle.h"
#include "verify.h"
#include "wire.h"

/* Callback results that stop a store_scan(); store errors are positive. */
#define VSTOP_CHUNK	(-1)
#define VSTOP_DAMAGE	(-2)
#define VSTOP_ERROR	(-3)

/* ---- the replay state ---- */

struct vctx {
	struct store		*st;
	struct vctx		*h;		/* the hashing half's context */
	int			(*check)(struct vctx *, uint64_t,
				    const uint8_t *, size_t);
	struct store		*scratch;	/* the replayed state */
	struct store_txn	*sx;		/* its write transaction */
	struct verify_report	*rep;
	struct store_txn	*t;
	int			 result;
	uint64_t		 next;		/* next seq expected */
	uint64_t		 end;		/* last seq of this chunk */
	struct ld_entry		*e;
	struct merkle_stream	 ms;
	struct vnode {
		uint64_t	 index;
		uint8_t		 hash[32];
		int		 set;
	}			 last[64][2];	/* latest two nodes per level */
	uint64_t		 cur;		/* seq being checked */
	int			 by_read;	/* damage met reading another entry */
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

static int
replay(struct vctx *c, uint64_t seq, const uint8_t *enc, size_t len)
{
	char why[256];
	uint64_t bad;
	int rc;

	rc = apply_replay(c->t, c->sx, c->e, enc, len, why, sizeof(why));
	if (rc == LD_OK)
		return 0;
	/* An earlier entry this one reads (a reversal's target) is damaged. */
	if (rc == LD_E_DAMAGED && store_damaged(c->st, &bad) > 0) {
		c->by_read = 1;
		return damage(c, bad, "seq %llu: the stored entry does not match "
		    "its leaf hash", (unsigned long long)bad);
	}
	if (why[0] != '\0')
		return damage(c, seq, "seq %llu: %s", (unsigned long long)seq,
		    why);
	if (store_error(c->t) != LD_OK)
		return cannot(c, "cannot read the entries");
	return cannot(c, rc == LD_E_STORAGE_FULL ? "the scratch store is "
	    "full (TMPDIR too small?)" : "cannot write the scratch store");
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
	return replay(c, seq, enc, len);
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

/* ---- the derived state, database by database ---- */

/*
 * A derived record's key as a reader knows it (store.h's layouts): "seq
 * 12", "'hakodate' FY2013", "general FY2013", "'hakodate' FY2013 seq 40".
 */
static const char *
describe_key(int db, const uint8_t *key, size_t klen, char *out, size_t outsz)
{
	char code[LD_CODE_MAX + 1];	/* a longer key is damaged: cut */
	const char *name;

	switch (db) {
	case STORE_DB_REVERSED:
		if (klen == 8) {
			snprintf(out, outsz, "seq %llu",
			    (unsigned long long)be64_get(key));
			return out;
		}
		break;
	case STORE_DB_ACCTBAL:
	case STORE_DB_TERMS:
		if (klen == 3) {
			name = db == STORE_DB_ACCTBAL ? ld_account_name(key[2]) :
			    ld_grant_name(key[2]);
			snprintf(out, outsz, "%s FY%u", name ? name : "?",
			    be16_get(key));
			return out;
		}
		break;
	case STORE_DB_PAYMENTS:
		if (klen == 10) {
			snprintf(out, outsz, "FY%u seq %llu", be16_get(key),
			    (unsigned long long)be64_get(key + 2));
			return out;
		}
		break;
	case STORE_DB_REGBAL:
	case STORE_DB_ORDERS:
		if (klen < 3)
			break;
		printable(code, sizeof(code), key + 2, klen - 2);
		snprintf(out, outsz, "'%s' FY%u", code, be16_get(key));
		return out;
	}
	printable(code, sizeof(code), key, klen);
	snprintf(out, outsz, "'%s'", code);
	return out;
}

/* The seq a derived record names, when its key is one (0 otherwise). */
static uint64_t
key_seq(int db, const uint8_t *key, size_t klen)
{
	if (db == STORE_DB_REVERSED && klen == 8)
		return be64_get(key);
	if (db == STORE_DB_PAYMENTS && klen == 10)
		return be64_get(key + 2);
	return 0;
}

static int
check_derived(struct vctx *c)
{
	struct store_txn *sr;
	uint8_t key[511];
	char k[160];
	size_t klen;
	int db, where, rc = 0;

	if (store_needs_rebuild(c->st))
		return 0;	/* version 1 layout: rebuilt when the daemon starts */
	if (store_commit(c->sx) != LD_OK) {
		c->sx = NULL;
		return cannot(c, "cannot write the scratch store");
	}
	c->sx = NULL;
	if (store_begin(c->scratch, 0, &sr) != LD_OK)
		return cannot(c, "cannot read the scratch store");
	for (db = STORE_DB_DERIVED_FIRST; db <= STORE_DB_DERIVED_LAST; db++) {
		rc = store_diff(c->t, sr, db, key, &klen, &where);
		if (rc == 0)
			continue;
		if (rc != 1) {
			rc = cannot(c, "cannot read the derived state");
			break;
		}
		rc = damage(c, key_seq(db, key, klen), "%s: record %s %s",
		    store_db_name(db), describe_key(db, key, klen, k, sizeof(k)),
		    where < 0 ? "stored, but no entry makes it" : where > 0 ?
		    "missing" : "differs from what the entries give");
		break;
	}
	store_abort(sr);
	return rc;
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

/*
 * Keep the first damage by seq; an error beats damage.  At the same seq the
 * rules half's reason wins (it decoded the entry), unless it only learnt of
 * the damage by reading the entry for a later one (by_read): then the
 * hashing half says better what is wrong with the bytes.
 */
static void
merge(struct vctx *c, const struct vctx *h)
{
	uint64_t cs = c->rep->bad_seq, hs = h->rep->bad_seq;

	if (h->result == VERIFY_INTACT || c->result == VERIFY_ERROR)
		return;
	if (h->result == VERIFY_ERROR || c->result == VERIFY_INTACT ||
	    (hs != 0 && (cs == 0 || hs < cs || (hs == cs && c->by_read)))) {
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
	    (rc = check_derived(c)) != 0)
		return rc;
	return 0;
}

/* Remove the scratch environment: LMDB's two files and the directory. */
static void
scratch_remove(const char *dir)
{
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	char path[600];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

/* A fresh scratch store in a new directory under $TMPDIR (or /tmp). */
static int
scratch_open(struct vctx *c, uint64_t map_size_mb, char *dir, size_t dirsz)
{
	const char *tmp = getenv("TMPDIR");
	char err[256];

	snprintf(dir, dirsz, "%s/ledgerd-verify.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		snprintf(c->rep->reason, sizeof(c->rep->reason), "scratch "
		    "directory %s: %s", dir, strerror(errno));
		dir[0] = '\0';
		return -1;
	}
	if (store_open_scratch(&c->scratch, dir, map_size_mb, err,
	    sizeof(err)) == -1) {
		snprintf(c->rep->reason, sizeof(c->rep->reason), "scratch "
		    "store: %s", err);
		return -1;
	}
	return 0;
}

int
verify_ledger(struct store *st, uint64_t map_size_mb, struct verify_report *rep)
{
	struct verify_report hrep;
	struct vctx *c, *h = NULL;
	char dir[512] = "";
	pthread_t tid;
	uint64_t size;
	int result, done = 0, threaded;

	memset(rep, 0, sizeof(*rep));
	memset(&hrep, 0, sizeof(hrep));
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (h = calloc(1, sizeof(*h))) == NULL ||
	    (c->e = malloc(sizeof(*c->e))) == NULL) {
		snprintf(rep->reason, sizeof(rep->reason), "out of memory");
		result = VERIFY_ERROR;
		goto fail;
	}
	c->st = h->st = st;
	c->h = h;
	c->check = check_body;
	h->check = check_hash;
	c->rep = rep;
	h->rep = &hrep;
	c->next = 1;
	merkle_stream_init(&h->ms);
	if (scratch_open(c, map_size_mb, dir, sizeof(dir)) == -1) {
		result = VERIFY_ERROR;
		goto fail;
	}

	while (!done && c->result == VERIFY_INTACT) {
		if (c->sx == NULL && store_begin(c->scratch, 1, &c->sx) != LD_OK) {
			cannot(c, "cannot write the scratch store");
			break;
		}
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
		} else if (c->result == VERIFY_INTACT) {
			if (store_commit(c->sx) != LD_OK)
				cannot(c, "cannot write the scratch store");
			c->sx = NULL;
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
		if (c->sx != NULL)
			store_abort(c->sx);
		if (c->scratch != NULL)
			store_close(c->scratch);
		free(c->e);
		free(c);
	}
	if (dir[0] != '\0')
		scratch_remove(dir);
	return result;
}
