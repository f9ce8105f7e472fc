/*
 * store.c - the append-only ledger in one LMDB environment (see store.h for
 * the layout of the named databases).
 *
 * Entries, leaves and Merkle nodes are written once and never touched
 * again: entries and leaves with MDB_APPEND under 8-byte big-endian seq
 * keys (so that an out-of-order key is an error, never a silent insert),
 * nodes with MDB_NOOVERWRITE.  Everything an append changes (entry, leaf,
 * the nodes it completes, the indexes, the balances and the size) goes into
 * the caller's transaction, so a commit makes all of it durable or none.
 *
 * Transactions carry a sticky error, after Knot DNS's knot_lmdb.c: the
 * first failure is remembered, every later operation returns it without
 * doing anything, and store_commit() aborts.  The writer can therefore run
 * a whole group of requests and check once.  "Not found" is an answer, not
 * a failure, and does not stick.  MDB_MAP_FULL, from a put or from the
 * commit itself, is LD_E_STORAGE_FULL; any other LMDB failure, and a
 * stored record that does not decode, is LD_E_INTERNAL.
 *
 * Memory: LMDB's pointers into a write transaction are valid only until
 * the next update, but the writer keeps the bytes of every entry it
 * appended (or re-read for a duplicate) until its group commits.  Those
 * bytes are copied into an arena owned by the outermost transaction and
 * freed when it ends; nested transactions share their root's arena.
 *
 * Balances are stored in a fixed big-endian encoding so that the file
 * does not depend on the compiler's struct layout:
 *   acctbal value  u8 account, u16 fy, i64 appropriated, i64 awarded,
 *                  i64 disbursed, i64 refunded, u8 closed, i64 carried_in,
 *                  i64 carried_out, i64 receipts                (60 bytes)
 *   regbal value   u8 grant_type, u8 account, i64 award, u64 award_seq,
 *                  i64 disbursed, i64 refunded, u32 award_date,
 *                  u8 cancelled, u8 settled_set, i64 settled,
 *                  i64 carried_in, i64 carried_out, u8 has_order (65 bytes)
 *   terms value    u64 seq, i64 min, i64 max, u32 deadline,
 *                  u32 interest_bp, u32 late_bp                 (36 bytes)
 *   orders value   u64 seq, u8 account, i64 principal, u32 order_date,
 *                  u32 repay_by, u32 interest_bp, u32 late_bp, u32 nparts,
 *                  nparts x (u32 date, i64 amount), u32 nreceipts,
 *                  nreceipts x (u64 seq, u32 date, i64 amount)
 *
 * Format 1 stores (version 1) lack the last three databases and keep a
 * bare seq in regions; store_needs_rebuild() tells the daemon to rebuild
 * their derived state from the entries (apply_rebuild) before serving.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "errors.h"
#include "merkle.h"
#include "store.h"
#include "wire.h"

#define STORE_MAXDBS		16
#define ACCTBAL_LEN		60
#define REGBAL_LEN		65
#define TERMS_LEN		36
#define ORDER_HDR_LEN		41
#define ORDER_MAX_LEN		(ORDER_HDR_LEN + RCV_PARTS_MAX * 12 + 4 + \
				    RCV_RECEIPTS_MAX * 20)
#define ARENA_CHUNK		(64 * 1024)

static const char *const db_names[STORE_DB_COUNT] = {
	"meta", "entries", "leaves", "nodes", "ids", "regions", "reversed",
	"acctbal", "regbal", "terms", "payments", "orders"
};

struct store {
	MDB_env		*st_env;
	MDB_dbi		 st_dbi[STORE_DB_COUNT];
	int		 st_readonly;
	int		 st_format;	/* as found at open */
	uint8_t		 st_missing[STORE_DB_COUNT];	/* absent (format 1, read-only) */
	int		 st_scratch;
};

/* A chunk of copied entry bytes; see "Memory" above. */
struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used, cap;
	uint8_t			 data[];
};

struct store_txn {
	struct store		*t_st;
	MDB_txn			*t_txn;
	struct store_txn	*t_parent;
	struct arena_chunk	**t_arena;	/* the root's t_chunks */
	struct arena_chunk	*t_chunks;	/* owned by a root txn */
	struct wbuf		 t_enc;		/* encoding scratch */
	uint64_t		 t_size;
	uint64_t		 t_size0;	/* size when the txn began */
	int			 t_write;
	int			 t_err;
};

static int
map_err(int rc)
{
	switch (rc) {
	case 0:
		return LD_OK;
	case MDB_NOTFOUND:
		return LD_E_NOT_FOUND;
	case MDB_MAP_FULL:
		return LD_E_STORAGE_FULL;
	default:
		return LD_E_INTERNAL;
	}
}

/* Record a failure; the first one sticks. */
static int
txn_fail(struct store_txn *t, int code)
{
	if (t->t_err == LD_OK)
		t->t_err = code;
	return t->t_err;
}

static uint8_t *
arena_copy(struct store_txn *t, const void *p, size_t len)
{
	struct arena_chunk *c = *t->t_arena;
	size_t cap;
	uint8_t *out;

	if (c == NULL || c->cap - c->used < len) {
		cap = len > ARENA_CHUNK ? len : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = *t->t_arena;
		*t->t_arena = c;
	}
	out = c->data + c->used;
	memcpy(out, p, len);
	c->used += len;
	return out;
}

static void
arena_free(struct arena_chunk *c)
{
	struct arena_chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

/* ---- environment ---- */

static int
open_dbs(struct store *st, MDB_txn *txn, int create, char *err, size_t errlen)
{
	int i, rc;

	for (i = 0; i < STORE_DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], create ? MDB_CREATE : 0,
		    &st->st_dbi[i]);
		if (rc == MDB_NOTFOUND && i >= STORE_DB_TERMS) {
			/* A format 1 store opened read-only: reads find nothing. */
			st->st_missing[i] = 1;
			continue;
		}
		if (rc == MDB_NOTFOUND) {
			snprintf(err, errlen, "not a ledger (no '%s' database)",
			    db_names[i]);
			return -1;
		}
		if (rc != 0) {
			snprintf(err, errlen, "database '%s': %s", db_names[i],
			    mdb_strerror(rc));
			return -1;
		}
	}
	return 0;
}

/* Check, or on a new environment write, the format record. */
static int
check_format(struct store *st, MDB_txn *txn, char *err, size_t errlen)
{
	MDB_val k = { 6, "format" }, v;
	MDB_stat ms;
	uint8_t buf[8];
	int rc;

	rc = mdb_get(txn, st->st_dbi[STORE_DB_META], &k, &v);
	if (rc == 0) {
		if (v.mv_size != 4 || (be32_get(v.mv_data) != STORE_FORMAT &&
		    be32_get(v.mv_data) != 1)) {
			snprintf(err, errlen, "store format %u, this ledgerd "
			    "reads formats 1 and %u", v.mv_size == 4 ?
			    be32_get(v.mv_data) : 0, STORE_FORMAT);
			return -1;
		}
		st->st_format = (int)be32_get(v.mv_data);
		return 0;
	}
	if (rc != MDB_NOTFOUND) {
		snprintf(err, errlen, "meta: %s", mdb_strerror(rc));
		return -1;
	}
	if (st->st_readonly) {
		snprintf(err, errlen, "not a ledger (no format record)");
		return -1;
	}
	if ((rc = mdb_stat(txn, st->st_dbi[STORE_DB_ENTRIES], &ms)) != 0 ||
	    ms.ms_entries != 0) {
		snprintf(err, errlen, "entries without a format record");
		return -1;
	}
	be32_put(buf, STORE_FORMAT);
	v.mv_size = 4;
	v.mv_data = buf;
	if ((rc = mdb_put(txn, st->st_dbi[STORE_DB_META], &k, &v, 0)) != 0)
		goto fail;
	st->st_format = STORE_FORMAT;
	k.mv_size = 4;
	k.mv_data = "size";
	be64_put(buf, 0);
	v.mv_size = 8;
	v.mv_data = buf;
	if ((rc = mdb_put(txn, st->st_dbi[STORE_DB_META], &k, &v, 0)) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "creating the ledger: %s", mdb_strerror(rc));
	return -1;
}

static int
open_env(struct store **out, const char *dir, uint64_t map_size_mb,
    int readonly, int scratch, char *err, size_t errlen)
{
	struct store *st;
	MDB_txn *txn = NULL;
	int rc, dead;

	*out = NULL;
	if (map_size_mb == 0 || map_size_mb > (SIZE_MAX >> 20)) {
		snprintf(err, errlen, "bad map size %llu MiB",
		    (unsigned long long)map_size_mb);
		return -1;
	}
	if (!readonly && mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->st_readonly = readonly;
	st->st_scratch = scratch;
	if ((rc = mdb_env_create(&st->st_env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->st_env, STORE_MAXDBS)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->st_env,
	    (size_t)map_size_mb << 20)) != 0) {
		snprintf(err, errlen, "lmdb: %s", mdb_strerror(rc));
		goto fail;
	}
	if ((rc = mdb_env_open(st->st_env, dir, readonly ? MDB_RDONLY :
	    scratch ? MDB_NOSYNC | MDB_WRITEMAP : 0, 0600)) != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	(void)mdb_reader_check(st->st_env, &dead);
	if ((rc = mdb_txn_begin(st->st_env, NULL, readonly ? MDB_RDONLY : 0,
	    &txn)) != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	if (open_dbs(st, txn, !readonly, err, errlen) == -1 ||
	    check_format(st, txn, err, errlen) == -1)
		goto fail;
	/* Committing makes the database handles usable by later txns. */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	*out = st;
	return 0;
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (st->st_env != NULL)
		mdb_env_close(st->st_env);
	free(st);
	return -1;
}

int
store_open(struct store **out, const char *dir, uint64_t map_size_mb,
    int readonly, char *err, size_t errlen)
{
	return open_env(out, dir, map_size_mb, readonly, 0, err, errlen);
}

int
store_open_scratch(struct store **out, const char *dir, uint64_t map_size_mb,
    char *err, size_t errlen)
{
	return open_env(out, dir, map_size_mb, 0, 1, err, errlen);
}

int
store_needs_rebuild(struct store *st)
{
	return st->st_format != STORE_FORMAT;
}

const char *
store_db_name(int db)
{
	return db >= 0 && db < STORE_DB_COUNT ? db_names[db] : "?";
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	mdb_env_close(st->st_env);
	free(st);
}

int
store_reader_check(struct store *st)
{
	int dead = 0;

	if (mdb_reader_check(st->st_env, &dead) != 0)
		return -1;
	return dead;
}

int
store_usage(struct store *st, uint64_t *used, uint64_t *map_size)
{
	MDB_envinfo info;
	MDB_stat ms;

	if (mdb_env_info(st->st_env, &info) != 0 ||
	    mdb_env_stat(st->st_env, &ms) != 0)
		return LD_E_INTERNAL;
	*used = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	*map_size = info.me_mapsize;
	return LD_OK;
}

int
store_copy(struct store *st, const char *dir, char *err, size_t errlen)
{
	int rc;

	if ((rc = mdb_env_copy2(st->st_env, dir, MDB_CP_COMPACT)) != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		return -1;
	}
	return 0;
}

/* ---- transactions ---- */

static int
read_size(struct store_txn *t)
{
	MDB_val k = { 4, "size" }, v;
	int rc;

	rc = mdb_get(t->t_txn, t->t_st->st_dbi[STORE_DB_META], &k, &v);
	if (rc != 0 || v.mv_size != 8)
		return LD_E_INTERNAL;
	t->t_size = be64_get(v.mv_data);
	return LD_OK;
}

static void
txn_free(struct store_txn *t)
{
	if (t->t_parent == NULL)
		arena_free(t->t_chunks);
	wbuf_free(&t->t_enc);
	free(t);
}

int
store_begin(struct store *st, int write, struct store_txn **out)
{
	struct store_txn *t;
	int rc;

	*out = NULL;
	if (write && st->st_readonly)
		return LD_E_INTERNAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return LD_E_INTERNAL;
	t->t_st = st;
	t->t_write = write;
	t->t_arena = &t->t_chunks;
	wbuf_init(&t->t_enc);
	if ((rc = mdb_txn_begin(st->st_env, NULL, write ? 0 : MDB_RDONLY,
	    &t->t_txn)) != 0) {
		txn_free(t);
		return map_err(rc) == LD_E_NOT_FOUND ? LD_E_INTERNAL : map_err(rc);
	}
	if ((rc = read_size(t)) != LD_OK) {
		mdb_txn_abort(t->t_txn);
		txn_free(t);
		return rc;
	}
	t->t_size0 = t->t_size;
	*out = t;
	return LD_OK;
}

int
store_begin_nested(struct store_txn *parent, struct store_txn **out)
{
	struct store_txn *t;
	int rc;

	*out = NULL;
	if (parent->t_err != LD_OK)
		return parent->t_err;
	if (!parent->t_write)
		return LD_E_INTERNAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return LD_E_INTERNAL;
	t->t_st = parent->t_st;
	t->t_parent = parent;
	t->t_write = 1;
	t->t_arena = parent->t_arena;
	t->t_size = parent->t_size;
	wbuf_init(&t->t_enc);
	if ((rc = mdb_txn_begin(parent->t_st->st_env, parent->t_txn, 0,
	    &t->t_txn)) != 0) {
		txn_free(t);
		return map_err(rc) == LD_E_NOT_FOUND ? LD_E_INTERNAL : map_err(rc);
	}
	*out = t;
	return LD_OK;
}

/*
 * The tree head (size, root) sealed with each commit that appended: at
 * start the daemon recomputes it from the stored nodes and the newest
 * entries (store_check_head) and refuses a ledger that disagrees.
 */
static void put_head(struct store_txn *);

int
store_commit(struct store_txn *t)
{
	int rc;

	if (t->t_err == LD_OK && t->t_parent == NULL && t->t_size != t->t_size0)
		put_head(t);
	if (t->t_err != LD_OK) {
		rc = t->t_err;
		store_abort(t);
		return rc;
	}
	rc = map_err(mdb_txn_commit(t->t_txn));
	if (rc == LD_E_NOT_FOUND)
		rc = LD_E_INTERNAL;
	if (t->t_parent != NULL) {
		/*
		 * A child that fails to merge leaves its parent in a state
		 * we cannot vouch for: fail the whole outer transaction.
		 */
		if (rc == LD_OK)
			t->t_parent->t_size = t->t_size;
		else
			txn_fail(t->t_parent, rc);
	}
	txn_free(t);
	return rc;
}

void
store_abort(struct store_txn *t)
{
	if (t == NULL)
		return;
	mdb_txn_abort(t->t_txn);
	txn_free(t);
}

int
store_error(const struct store_txn *t)
{
	return t->t_err;
}

uint64_t
store_size(struct store_txn *t)
{
	return t->t_size;
}

/* ---- reads ---- */

/*
 * mdb_get with the sticky error: LD_OK, LD_E_NOT_FOUND (not sticky), or
 * the sticky error.
 */
static int
txn_get(struct store_txn *t, int db, const void *key, size_t klen, MDB_val *v)
{
	MDB_val k;
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (klen == 0 || klen > 511 || t->t_st->st_missing[db])
		return LD_E_NOT_FOUND;	/* no such key can be stored */
	k.mv_size = klen;
	k.mv_data = (void *)(uintptr_t)key;
	rc = map_err(mdb_get(t->t_txn, t->t_st->st_dbi[db], &k, v));
	if (rc == LD_OK || rc == LD_E_NOT_FOUND)
		return rc;
	return txn_fail(t, rc);
}

static int
txn_put(struct store_txn *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags)
{
	MDB_val k, v;
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	k.mv_size = klen;
	k.mv_data = (void *)(uintptr_t)key;
	v.mv_size = vlen;
	v.mv_data = (void *)(uintptr_t)val;
	rc = mdb_put(t->t_txn, t->t_st->st_dbi[db], &k, &v, flags);
	if (rc == 0)
		return LD_OK;
	/* A seq or an index key written twice is a bug, never a retry. */
	return txn_fail(t, rc == MDB_KEYEXIST ? LD_E_INTERNAL : map_err(rc));
}

int
store_get_raw(struct store_txn *t, uint64_t seq, const uint8_t **enc,
    size_t *len)
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	be64_put(key, seq);
	if ((rc = txn_get(t, STORE_DB_ENTRIES, key, 8, &v)) != LD_OK)
		return rc;
	*enc = v.mv_data;
	*len = v.mv_size;
	if (t->t_write) {
		/* LMDB's pointer would not survive the next put. */
		if ((*enc = arena_copy(t, v.mv_data, v.mv_size)) == NULL)
			return txn_fail(t, LD_E_INTERNAL);
	}
	return LD_OK;
}

int
store_get(struct store_txn *t, uint64_t seq, struct ld_entry *e)
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	be64_put(key, seq);
	if ((rc = txn_get(t, STORE_DB_ENTRIES, key, 8, &v)) != LD_OK)
		return rc;
	if (entry_decode(e, v.mv_data, v.mv_size) == -1 || e->seq != seq)
		return txn_fail(t, LD_E_INTERNAL);
	return LD_OK;
}

int
store_get_leaf(struct store_txn *t, uint64_t seq, uint8_t leaf[32])
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	be64_put(key, seq);
	if ((rc = txn_get(t, STORE_DB_LEAVES, key, 8, &v)) != LD_OK)
		return rc;
	if (v.mv_size != 32)
		return txn_fail(t, LD_E_INTERNAL);
	memcpy(leaf, v.mv_data, 32);
	return LD_OK;
}

/* A record whose value is one u64be seq. */
static int
get_seq(struct store_txn *t, int db, const void *key, size_t klen,
    uint64_t *seq)
{
	MDB_val v;
	int rc;

	if ((rc = txn_get(t, db, key, klen, &v)) != LD_OK)
		return rc;
	if (v.mv_size != 8)
		return txn_fail(t, LD_E_INTERNAL);
	*seq = be64_get(v.mv_data);
	return LD_OK;
}

int
store_find_id(struct store_txn *t, const char *id, uint64_t *seq)
{
	return get_seq(t, STORE_DB_IDS, id, strlen(id), seq);
}

/* regions value: u64be seq || u8 grant (format 1: the bare seq). */
static int
region_rec(struct store_txn *t, const char *code, uint64_t *seq, int *grant)
{
	MDB_val v;
	int rc;

	*seq = 0;
	*grant = 0;
	if ((rc = txn_get(t, STORE_DB_REGIONS, code, strlen(code), &v)) != LD_OK)
		return rc;
	if (v.mv_size != 9 && v.mv_size != 8)
		return txn_fail(t, LD_E_INTERNAL);
	*seq = be64_get(v.mv_data);
	if (v.mv_size == 9)
		*grant = ((const uint8_t *)v.mv_data)[8];
	return LD_OK;
}

int
store_find_region(struct store_txn *t, const char *code, uint64_t *seq)
{
	int grant;

	return region_rec(t, code, seq, &grant);
}

int
store_region_grant(struct store_txn *t, const char *code, int *grant)
{
	struct ld_entry *e;
	uint64_t seq;
	int rc;

	if ((rc = region_rec(t, code, &seq, grant)) != LD_OK || *grant != 0)
		return rc;
	/* A format 1 record: the grant type is in the region's entry. */
	if ((e = malloc(sizeof(*e))) == NULL)
		return txn_fail(t, LD_E_INTERNAL);
	if ((rc = store_get(t, seq, e)) == LD_OK && e->kind == LD_K_REGION)
		*grant = e->grant_type;
	free(e);
	return rc == LD_E_NOT_FOUND ? txn_fail(t, LD_E_INTERNAL) : rc;
}

int
store_reversed_by(struct store_txn *t, uint64_t seq, uint64_t *by)
{
	uint8_t key[8];

	be64_put(key, seq);
	return get_seq(t, STORE_DB_REVERSED, key, 8, by);
}

/* ---- balances ---- */

static void
acct_key(uint8_t key[3], uint8_t account, uint16_t fy)
{
	be16_put(key, fy);
	key[2] = account;
}

int
store_acct_bal_decode(const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen, struct ld_acct_bal *a)
{
	memset(a, 0, sizeof(*a));
	if (klen != 3 || (vlen != ACCTBAL_LEN && vlen != 36))
		return -1;
	a->account = val[0];
	a->fy = be16_get(val + 1);
	a->appropriated = (int64_t)be64_get(val + 3);
	a->awarded = (int64_t)be64_get(val + 11);
	a->disbursed = (int64_t)be64_get(val + 19);
	a->refunded = (int64_t)be64_get(val + 27);
	a->closed = val[35];
	if (vlen == ACCTBAL_LEN) {
		a->carried_in = (int64_t)be64_get(val + 36);
		a->carried_out = (int64_t)be64_get(val + 44);
		a->receipts = (int64_t)be64_get(val + 52);
	}
	if (a->fy != be16_get(key) || a->account != key[2] || a->closed > 1)
		return -1;
	return 0;
}

static void
acct_bal_encode(uint8_t val[ACCTBAL_LEN], const struct ld_acct_bal *a)
{
	val[0] = a->account;
	be16_put(val + 1, a->fy);
	be64_put(val + 3, (uint64_t)a->appropriated);
	be64_put(val + 11, (uint64_t)a->awarded);
	be64_put(val + 19, (uint64_t)a->disbursed);
	be64_put(val + 27, (uint64_t)a->refunded);
	val[35] = a->closed ? 1 : 0;
	be64_put(val + 36, (uint64_t)a->carried_in);
	be64_put(val + 44, (uint64_t)a->carried_out);
	be64_put(val + 52, (uint64_t)a->receipts);
}

/* regbal key: u16be fy || code; returns its length. */
static size_t
region_key(uint8_t key[2 + LD_CODE_MAX], const char *code, uint16_t fy)
{
	size_t n = strnlen(code, LD_CODE_MAX);

	be16_put(key, fy);
	memcpy(key + 2, code, n);
	return 2 + n;
}

int
store_region_bal_decode(const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen, struct ld_region_bal *r)
{
	memset(r, 0, sizeof(*r));
	if (klen < 3 || klen > 2 + LD_CODE_MAX ||
	    (vlen != REGBAL_LEN && vlen != 34))
		return -1;
	r->fy = be16_get(key);
	memcpy(r->region, key + 2, klen - 2);
	r->region[klen - 2] = '\0';
	if (!ld_valid_code(r->region))
		return -1;
	r->grant_type = val[0];
	r->account = val[1];
	r->award = (int64_t)be64_get(val + 2);
	r->award_seq = be64_get(val + 10);
	r->disbursed = (int64_t)be64_get(val + 18);
	r->refunded = (int64_t)be64_get(val + 26);
	if (vlen == REGBAL_LEN) {
		r->award_date = be32_get(val + 34);
		r->cancelled = val[38];
		r->settled_set = val[39];
		r->settled = (int64_t)be64_get(val + 40);
		r->carried_in = (int64_t)be64_get(val + 48);
		r->carried_out = (int64_t)be64_get(val + 56);
		r->has_order = val[64];
	}
	return 0;
}

static void
region_bal_encode(uint8_t val[REGBAL_LEN], const struct ld_region_bal *r)
{
	val[0] = r->grant_type;
	val[1] = r->account;
	be64_put(val + 2, (uint64_t)r->award);
	be64_put(val + 10, r->award_seq);
	be64_put(val + 18, (uint64_t)r->disbursed);
	be64_put(val + 26, (uint64_t)r->refunded);
	be32_put(val + 34, r->award_date);
	val[38] = r->cancelled;
	val[39] = r->settled_set;
	be64_put(val + 40, (uint64_t)r->settled);
	be64_put(val + 48, (uint64_t)r->carried_in);
	be64_put(val + 56, (uint64_t)r->carried_out);
	val[64] = r->has_order;
}

int
store_acct_bal(struct store_txn *t, uint8_t account, uint16_t fy,
    struct ld_acct_bal *out)
{
	uint8_t key[3];
	MDB_val v;
	int rc;

	acct_key(key, account, fy);
	memset(out, 0, sizeof(*out));
	out->account = account;
	out->fy = fy;
	rc = txn_get(t, STORE_DB_ACCTBAL, key, sizeof(key), &v);
	if (rc == LD_E_NOT_FOUND)
		return LD_OK;
	if (rc != LD_OK)
		return rc;
	if (store_acct_bal_decode(key, sizeof(key), v.mv_data, v.mv_size,
	    out) == -1)
		return txn_fail(t, LD_E_INTERNAL);
	return LD_OK;
}

int
store_region_bal(struct store_txn *t, const char *region, uint16_t fy,
    struct ld_region_bal *out)
{
	uint8_t key[2 + LD_CODE_MAX];
	size_t klen = region_key(key, region, fy);
	MDB_val v;
	int rc, grant;

	memset(out, 0, sizeof(*out));
	snprintf(out->region, sizeof(out->region), "%s", region);
	out->fy = fy;
	rc = txn_get(t, STORE_DB_REGBAL, key, klen, &v);
	if (rc == LD_OK) {
		if (store_region_bal_decode(key, klen, v.mv_data, v.mv_size,
		    out) == -1)
			return txn_fail(t, LD_E_INTERNAL);
		return LD_OK;
	}
	if (rc != LD_E_NOT_FOUND)
		return rc;
	/* None yet: the region's grant type and account still apply. */
	rc = store_region_grant(t, region, &grant);
	if (rc == LD_E_NOT_FOUND)
		return LD_OK;
	if (rc != LD_OK)
		return rc;
	out->grant_type = (uint8_t)grant;
	out->account = (uint8_t)ld_grant_account(grant);
	return LD_OK;
}

/* Collects the records of one fiscal year for store_*_bals(). */
struct bal_collect {
	uint16_t	 fy;
	int		 acct;		/* acctbal (1) or regbal (0) */
	void		*arr;
	uint32_t	 n, cap;
};

static int
bal_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct bal_collect *c = ctx;
	size_t sz = c->acct ? sizeof(struct ld_acct_bal) :
	    sizeof(struct ld_region_bal);
	void *p;
	int rc;

	if (klen < 2 || be16_get(key) != c->fy)
		return 1;	/* past the year */
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		if ((p = realloc(c->arr, c->cap * sz)) == NULL)
			return LD_E_INTERNAL;
		c->arr = p;
	}
	p = (uint8_t *)c->arr + c->n * sz;
	rc = c->acct ? store_acct_bal_decode(key, klen, val, vlen, p) :
	    store_region_bal_decode(key, klen, val, vlen, p);
	if (rc == -1)
		return LD_E_INTERNAL;
	c->n++;
	return 0;
}

static int
bals_of_year(struct store_txn *t, int db, uint16_t fy, void **out, uint32_t *n)
{
	struct bal_collect c;
	uint8_t from[2];
	int rc;

	memset(&c, 0, sizeof(c));
	c.fy = fy;
	c.acct = db == STORE_DB_ACCTBAL;
	be16_put(from, fy);
	rc = store_scan(t, db, from, sizeof(from), bal_collect_cb, &c);
	if (rc != 0 && rc != 1) {
		free(c.arr);
		*out = NULL;
		*n = 0;
		return txn_fail(t, LD_E_INTERNAL);
	}
	*out = c.arr;
	*n = c.n;
	return LD_OK;
}

int
store_acct_bals(struct store_txn *t, uint16_t fy, struct ld_acct_bal **out,
    uint32_t *n)
{
	return bals_of_year(t, STORE_DB_ACCTBAL, fy, (void **)out, n);
}

int
store_region_bals(struct store_txn *t, uint16_t fy, struct ld_region_bal **out,
    uint32_t *n)
{
	return bals_of_year(t, STORE_DB_REGBAL, fy, (void **)out, n);
}

struct seq_collect {
	uint64_t	*arr;
	uint32_t	 n, cap;
};

static int
seq_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct seq_collect *c = ctx;
	uint64_t *p;

	(void)key;
	(void)klen;
	if (vlen != 8 && vlen != 9)	/* regions: seq, and the grant type */
		return LD_E_INTERNAL;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		if ((p = realloc(c->arr, c->cap * sizeof(*p))) == NULL)
			return LD_E_INTERNAL;
		c->arr = p;
	}
	c->arr[c->n++] = be64_get(val);
	return 0;
}

int
store_region_seqs(struct store_txn *t, uint64_t **seqs, uint32_t *n)
{
	struct seq_collect c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = store_scan(t, STORE_DB_REGIONS, NULL, 0, seq_collect_cb,
	    &c)) != 0) {
		free(c.arr);
		*seqs = NULL;
		*n = 0;
		return txn_fail(t, LD_E_INTERNAL);
	}
	*seqs = c.arr;
	*n = c.n;
	return LD_OK;
}

/* ---- append ---- */

static int
node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
	struct store_txn *t = ctx;
	uint8_t key[9];

	key[0] = (uint8_t)level;
	be64_put(key + 1, index);
	return txn_put(t, STORE_DB_NODES, key, sizeof(key), hash, 32,
	    MDB_NOOVERWRITE) == LD_OK ? 0 : -1;
}

int
store_tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct store_txn *t = ctx;
	uint8_t key[9];
	MDB_val v;

	if (level == 0) {
		if (index == UINT64_MAX)
			return -1;
		return store_get_leaf(t, index + 1, out) == LD_OK ? 0 : -1;
	}
	if (level > 63)
		return -1;
	key[0] = (uint8_t)level;
	be64_put(key + 1, index);
	if (txn_get(t, STORE_DB_NODES, key, sizeof(key), &v) != LD_OK)
		return -1;
	if (v.mv_size != 32) {
		txn_fail(t, LD_E_INTERNAL);
		return -1;
	}
	memcpy(out, v.mv_data, 32);
	return 0;
}

int
store_tree_root(struct store_txn *t, uint64_t size, uint8_t root[32])
{
	if (t->t_err != LD_OK)
		return t->t_err;
	if (merkle_root(size, store_tree_get, t, root) != 0)
		return t->t_err != LD_OK ? t->t_err : LD_E_INTERNAL;
	return LD_OK;
}

int
store_append(struct store_txn *t, struct ld_entry *e, const uint8_t **enc,
    size_t *enclen)
{
	uint8_t key[8], leaf[32];
	const uint8_t *copy = NULL;
	uint64_t seq;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (!t->t_write || e->seq != t->t_size + 1)
		return LD_E_INTERNAL;
	seq = e->seq;
	wbuf_reset(&t->t_enc);
	if (entry_encode(&t->t_enc, e) == -1)
		return LD_E_INTERNAL;
	be64_put(key, seq);
	txn_put(t, STORE_DB_ENTRIES, key, 8, t->t_enc.data, t->t_enc.len,
	    MDB_APPEND);
	entry_leaf_hash(t->t_enc.data, t->t_enc.len, leaf);
	txn_put(t, STORE_DB_LEAVES, key, 8, leaf, 32, MDB_APPEND);
	if (t->t_err == LD_OK &&
	    merkle_append(seq - 1, leaf, store_tree_get, node_put, t) != 0)
		txn_fail(t, LD_E_INTERNAL);
	txn_put(t, STORE_DB_META, "size", 4, key, 8, 0);
	if (t->t_err == LD_OK && enc != NULL &&
	    (copy = arena_copy(t, t->t_enc.data, t->t_enc.len)) == NULL)
		txn_fail(t, LD_E_INTERNAL);
	if (t->t_err != LD_OK)
		return t->t_err;
	t->t_size = seq;
	if (enc != NULL)
		*enc = copy;
	if (enclen != NULL)
		*enclen = t->t_enc.len;
	return LD_OK;
}

/* ---- derived state ---- */

int
store_put_id(struct store_txn *t, const char *id, uint64_t seq)
{
	uint8_t v[8];

	be64_put(v, seq);
	return txn_put(t, STORE_DB_IDS, id, strlen(id), v, 8, MDB_NOOVERWRITE);
}

int
store_put_region(struct store_txn *t, const char *code, uint64_t seq, int grant)
{
	uint8_t v[9];

	be64_put(v, seq);
	v[8] = (uint8_t)grant;
	return txn_put(t, STORE_DB_REGIONS, code, strlen(code), v, 9,
	    MDB_NOOVERWRITE);
}

int
store_put_reversed(struct store_txn *t, uint64_t seq, uint64_t by)
{
	uint8_t k[8], v[8];

	be64_put(k, seq);
	be64_put(v, by);
	return txn_put(t, STORE_DB_REVERSED, k, 8, v, 8, MDB_NOOVERWRITE);
}

int
store_put_acct_bal(struct store_txn *t, const struct ld_acct_bal *a)
{
	uint8_t key[3], val[ACCTBAL_LEN];

	acct_key(key, a->account, a->fy);
	acct_bal_encode(val, a);
	return txn_put(t, STORE_DB_ACCTBAL, key, sizeof(key), val, sizeof(val), 0);
}

int
store_put_region_bal(struct store_txn *t, const struct ld_region_bal *r)
{
	uint8_t key[2 + LD_CODE_MAX], val[REGBAL_LEN];

	region_bal_encode(val, r);
	return txn_put(t, STORE_DB_REGBAL, key, region_key(key, r->region, r->fy),
	    val, sizeof(val), 0);
}

static void
terms_key(uint8_t key[3], uint16_t fy, uint8_t grant)
{
	be16_put(key, fy);
	key[2] = grant;
}

static int
terms_decode(const uint8_t *val, size_t vlen, struct ld_terms *out)
{
	if (vlen != TERMS_LEN)
		return -1;
	out->seq = be64_get(val);
	out->min = (int64_t)be64_get(val + 8);
	out->max = (int64_t)be64_get(val + 16);
	out->deadline = be32_get(val + 24);
	out->interest_bp = be32_get(val + 28);
	out->late_bp = be32_get(val + 32);
	return 0;
}

int
store_terms(struct store_txn *t, uint16_t fy, uint8_t grant,
    struct ld_terms *out)
{
	uint8_t key[3];
	MDB_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	terms_key(key, fy, grant);
	if ((rc = txn_get(t, STORE_DB_TERMS, key, 3, &v)) != LD_OK)
		return rc;
	if (terms_decode(v.mv_data, v.mv_size, out) == -1)
		return txn_fail(t, LD_E_INTERNAL);
	return LD_OK;
}

int
store_put_terms(struct store_txn *t, uint16_t fy, uint8_t grant,
    const struct ld_terms *x)
{
	uint8_t key[3], val[TERMS_LEN];

	terms_key(key, fy, grant);
	be64_put(val, x->seq);
	be64_put(val + 8, (uint64_t)x->min);
	be64_put(val + 16, (uint64_t)x->max);
	be32_put(val + 24, x->deadline);
	be32_put(val + 28, x->interest_bp);
	be32_put(val + 32, x->late_bp);
	return txn_put(t, STORE_DB_TERMS, key, 3, val, sizeof(val), 0);
}

struct terms_collect {
	uint16_t	 fy;
	struct ld_terms	*arr;
	uint16_t	*fys;
	uint8_t		*grants;
	uint32_t	 n, cap;
};

static int
terms_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct terms_collect *c = ctx;
	void *p;

	if (klen != 3)
		return LD_E_INTERNAL;
	if (c->fy != 0 && be16_get(key) != c->fy)
		return 1;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		if ((p = realloc(c->arr, c->cap * sizeof(*c->arr))) == NULL)
			return LD_E_INTERNAL;
		c->arr = p;
		if ((p = realloc(c->fys, c->cap * sizeof(*c->fys))) == NULL)
			return LD_E_INTERNAL;
		c->fys = p;
		if ((p = realloc(c->grants, c->cap)) == NULL)
			return LD_E_INTERNAL;
		c->grants = p;
	}
	if (terms_decode(val, vlen, &c->arr[c->n]) == -1)
		return LD_E_INTERNAL;
	c->fys[c->n] = be16_get(key);
	c->grants[c->n] = key[2];
	c->n++;
	return 0;
}

int
store_terms_all(struct store_txn *t, uint16_t fy, struct ld_terms **out,
    uint16_t **fys, uint8_t **grants, uint32_t *n)
{
	struct terms_collect c;
	uint8_t from[2];
	int rc;

	memset(&c, 0, sizeof(c));
	c.fy = fy;
	be16_put(from, fy);
	rc = store_scan(t, STORE_DB_TERMS, from, fy ? 2 : 0, terms_collect_cb, &c);
	if (rc != 0 && rc != 1) {
		free(c.arr);
		free(c.fys);
		free(c.grants);
		*out = NULL;
		*fys = NULL;
		*grants = NULL;
		*n = 0;
		return txn_fail(t, LD_E_INTERNAL);
	}
	*out = c.arr;
	*fys = c.fys;
	*grants = c.grants;
	*n = c.n;
	return LD_OK;
}

/* payments key: regbal key || 0x00 || u64be seq; returns its length. */
static size_t
payment_key(uint8_t key[2 + LD_CODE_MAX + 9], const char *region, uint16_t fy,
    uint64_t seq)
{
	size_t n = region_key(key, region, fy);

	key[n] = 0;
	be64_put(key + n + 1, seq);
	return n + 9;
}

int
store_put_payment(struct store_txn *t, const char *region, uint16_t fy,
    uint64_t seq, uint32_t date, int64_t amount)
{
	uint8_t key[2 + LD_CODE_MAX + 9], val[12];

	be32_put(val, date);
	be64_put(val + 4, (uint64_t)amount);
	return txn_put(t, STORE_DB_PAYMENTS, key,
	    payment_key(key, region, fy, seq), val, sizeof(val), MDB_NOOVERWRITE);
}

int
store_del_payment(struct store_txn *t, const char *region, uint16_t fy,
    uint64_t seq)
{
	uint8_t key[2 + LD_CODE_MAX + 9];
	MDB_val k;
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	k.mv_size = payment_key(key, region, fy, seq);
	k.mv_data = key;
	rc = mdb_del(t->t_txn, t->t_st->st_dbi[STORE_DB_PAYMENTS], &k, NULL);
	/* A payment the state does not hold is a bug, never a retry. */
	return rc == 0 ? LD_OK : txn_fail(t, rc == MDB_NOTFOUND ?
	    LD_E_INTERNAL : map_err(rc));
}

struct pay_collect {
	uint8_t			 prefix[2 + LD_CODE_MAX + 1];
	size_t			 plen;
	struct rcv_payment	*arr;
	size_t			 n, cap;
};

static int
pay_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct pay_collect *c = ctx;
	void *p;

	if (klen != c->plen + 8 || memcmp(key, c->prefix, c->plen) != 0)
		return 1;
	if (vlen != 12)
		return LD_E_INTERNAL;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		if ((p = realloc(c->arr, c->cap * sizeof(*c->arr))) == NULL)
			return LD_E_INTERNAL;
		c->arr = p;
	}
	c->arr[c->n].date = be32_get(val);
	c->arr[c->n].amount = (int64_t)be64_get(val + 4);
	c->n++;
	return 0;
}

int
store_payments(struct store_txn *t, const char *region, uint16_t fy,
    struct rcv_payment **out, size_t *n)
{
	struct pay_collect c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.plen = region_key(c.prefix, region, fy);
	c.prefix[c.plen++] = 0;
	rc = store_scan(t, STORE_DB_PAYMENTS, c.prefix, c.plen, pay_collect_cb, &c);
	if (rc != 0 && rc != 1) {
		free(c.arr);
		*out = NULL;
		*n = 0;
		return txn_fail(t, LD_E_INTERNAL);
	}
	*out = c.arr;
	*n = c.n;
	return LD_OK;
}

static int
order_decode(const uint8_t *v, size_t vlen, struct ld_order *o)
{
	struct rbuf r;
	uint32_t i;

	memset(o, 0, sizeof(*o));
	rbuf_init(&r, v, vlen);
	o->seq = rbuf_u64(&r);
	o->account = rbuf_u8(&r);
	o->o.principal = rbuf_i64(&r);
	o->o.order_date = rbuf_u32(&r);
	o->o.repay_by = rbuf_u32(&r);
	o->o.interest_bp = rbuf_u32(&r);
	o->o.late_bp = rbuf_u32(&r);
	o->o.nparts = rbuf_u32(&r);
	if (r.err || o->o.nparts > RCV_PARTS_MAX)
		return -1;
	for (i = 0; i < o->o.nparts; i++) {
		o->o.parts[i].date = rbuf_u32(&r);
		o->o.parts[i].amount = rbuf_i64(&r);
	}
	o->nreceipts = rbuf_u32(&r);
	if (r.err || o->nreceipts > RCV_RECEIPTS_MAX)
		return -1;
	for (i = 0; i < o->nreceipts; i++) {
		o->receipts[i].seq = rbuf_u64(&r);
		o->receipts[i].date = rbuf_u32(&r);
		o->receipts[i].amount = rbuf_i64(&r);
	}
	return rbuf_done(&r);
}

int
store_order(struct store_txn *t, const char *region, uint16_t fy,
    struct ld_order *out)
{
	uint8_t key[2 + LD_CODE_MAX];
	MDB_val v;
	int rc;

	rc = txn_get(t, STORE_DB_ORDERS, key, region_key(key, region, fy), &v);
	if (rc != LD_OK)
		return rc;
	if (order_decode(v.mv_data, v.mv_size, out) == -1)
		return txn_fail(t, LD_E_INTERNAL);
	return LD_OK;
}

int
store_put_order(struct store_txn *t, const char *region, uint16_t fy,
    const struct ld_order *o)
{
	uint8_t key[2 + LD_CODE_MAX];
	struct wbuf b;
	uint32_t i;
	int rc;

	if (o->o.nparts > RCV_PARTS_MAX || o->nreceipts > RCV_RECEIPTS_MAX)
		return txn_fail(t, LD_E_INTERNAL);
	wbuf_init(&b);
	wbuf_u64(&b, o->seq);
	wbuf_u8(&b, o->account);
	wbuf_i64(&b, o->o.principal);
	wbuf_u32(&b, o->o.order_date);
	wbuf_u32(&b, o->o.repay_by);
	wbuf_u32(&b, o->o.interest_bp);
	wbuf_u32(&b, o->o.late_bp);
	wbuf_u32(&b, o->o.nparts);
	for (i = 0; i < o->o.nparts; i++) {
		wbuf_u32(&b, o->o.parts[i].date);
		wbuf_i64(&b, o->o.parts[i].amount);
	}
	wbuf_u32(&b, o->nreceipts);
	for (i = 0; i < o->nreceipts; i++) {
		wbuf_u64(&b, o->receipts[i].seq);
		wbuf_u32(&b, o->receipts[i].date);
		wbuf_i64(&b, o->receipts[i].amount);
	}
	rc = b.err ? txn_fail(t, LD_E_INTERNAL) : txn_put(t, STORE_DB_ORDERS,
	    key, region_key(key, region, fy), b.data, b.len, 0);
	wbuf_free(&b);
	return rc;
}

struct order_walk {
	uint16_t	 fy;
	struct ld_order	*o;
	store_order_fn	 fn;
	void		*ctx;
};

static int
order_walk_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct order_walk *w = ctx;
	char region[LD_CODE_MAX + 1];
	uint16_t fy;

	if (klen < 3 || klen > 2 + LD_CODE_MAX)
		return LD_E_INTERNAL;
	fy = be16_get(key);
	if (w->fy != 0 && fy != w->fy)
		return 1;
	memcpy(region, key + 2, klen - 2);
	region[klen - 2] = '\0';
	if (order_decode(val, vlen, w->o) == -1)
		return LD_E_INTERNAL;
	return w->fn(w->ctx, region, fy, w->o);
}

int
store_orders(struct store_txn *t, uint16_t fy, store_order_fn fn, void *ctx)
{
	struct order_walk w = { fy, NULL, fn, ctx };
	uint8_t from[2];
	int rc;

	if ((w.o = malloc(sizeof(*w.o))) == NULL)
		return LD_E_INTERNAL;
	be16_put(from, fy);
	rc = store_scan(t, STORE_DB_ORDERS, from, fy ? 2 : 0, order_walk_cb, &w);
	free(w.o);
	if (rc == 1)
		rc = 0;
	return rc;
}

/* ---- raw access ---- */

int
store_scan(struct store_txn *t, int db, const void *from, size_t fromlen,
    store_scan_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	MDB_cursor_op op;
	int rc, r = 0;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (db < 0 || db >= STORE_DB_COUNT)
		return LD_E_INTERNAL;
	if ((rc = mdb_cursor_open(t->t_txn, t->t_st->st_dbi[db], &c)) != 0)
		return txn_fail(t, map_err(rc));
	if (fromlen > 0) {
		k.mv_size = fromlen;
		k.mv_data = (void *)(uintptr_t)from;
		op = MDB_SET_RANGE;
	} else
		op = MDB_FIRST;
	for (;;) {
		if ((rc = mdb_cursor_get(c, &k, &v, op)) != 0)
			break;
		op = MDB_NEXT;
		if ((r = fn(ctx, k.mv_data, k.mv_size, v.mv_data,
		    v.mv_size)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return txn_fail(t, map_err(rc));
	return r;
}

int
store_count(struct store_txn *t, int db, uint64_t *n)
{
	MDB_stat ms;
	int rc;

	*n = 0;
	if (t->t_err != LD_OK)
		return t->t_err;
	if (db < 0 || db >= STORE_DB_COUNT)
		return LD_E_INTERNAL;
	if ((rc = mdb_stat(t->t_txn, t->t_st->st_dbi[db], &ms)) != 0)
		return txn_fail(t, map_err(rc));
	*n = ms.ms_entries;
	return LD_OK;
}

int
store_diff(struct store_txn *a, struct store_txn *b, int db, uint8_t key[511],
    size_t *klen, int *where)
{
	MDB_cursor *ca = NULL, *cb = NULL;
	MDB_val ka, va, kb, vb;
	int ra, rb, rc = 0, c;
	size_t n;

	*klen = 0;
	*where = 0;
	if (a->t_err != LD_OK)
		return a->t_err;
	if (b->t_err != LD_OK)
		return b->t_err;
	if (a->t_st->st_missing[db] || b->t_st->st_missing[db])
		return LD_E_INTERNAL;
	if ((rc = mdb_cursor_open(a->t_txn, a->t_st->st_dbi[db], &ca)) != 0)
		return txn_fail(a, map_err(rc));
	if ((rc = mdb_cursor_open(b->t_txn, b->t_st->st_dbi[db], &cb)) != 0) {
		mdb_cursor_close(ca);
		return txn_fail(b, map_err(rc));
	}
	ra = mdb_cursor_get(ca, &ka, &va, MDB_FIRST);
	rb = mdb_cursor_get(cb, &kb, &vb, MDB_FIRST);
	rc = 0;
	while (ra == 0 || rb == 0) {
		if (ra == 0 && rb == 0) {
			n = ka.mv_size < kb.mv_size ? ka.mv_size : kb.mv_size;
			c = memcmp(ka.mv_data, kb.mv_data, n);
			if (c == 0)
				c = ka.mv_size < kb.mv_size ? -1 :
				    ka.mv_size > kb.mv_size;
		} else
			c = ra == 0 ? -1 : 1;
		if (c != 0 || va.mv_size != vb.mv_size ||
		    memcmp(va.mv_data, vb.mv_data, va.mv_size) != 0) {
			*where = (c > 0) - (c < 0);
			n = c <= 0 ? ka.mv_size : kb.mv_size;
			*klen = n > 511 ? 511 : n;
			memcpy(key, c <= 0 ? ka.mv_data : kb.mv_data, *klen);
			rc = 1;
			break;
		}
		ra = mdb_cursor_get(ca, &ka, &va, MDB_NEXT);
		rb = mdb_cursor_get(cb, &kb, &vb, MDB_NEXT);
	}
	if (rc == 0 && ra != MDB_NOTFOUND && ra != 0)
		rc = txn_fail(a, map_err(ra));
	if (rc == 0 && rb != MDB_NOTFOUND && rb != 0)
		rc = txn_fail(b, map_err(rb));
	mdb_cursor_close(ca);
	mdb_cursor_close(cb);
	return rc;
}

int
store_drop(struct store_txn *t, int db)
{
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (!t->t_write || db < STORE_DB_DERIVED_FIRST || db > STORE_DB_DERIVED_LAST)
		return LD_E_INTERNAL;
	rc = mdb_drop(t->t_txn, t->t_st->st_dbi[db], 0);
	return rc == 0 ? LD_OK : txn_fail(t, map_err(rc));
}

int
store_set_format(struct store_txn *t)
{
	uint8_t v[4];

	be32_put(v, STORE_FORMAT);
	if (txn_put(t, STORE_DB_META, "format", 6, v, 4, 0) != LD_OK)
		return t->t_err;
	t->t_st->st_format = STORE_FORMAT;
	return LD_OK;
}

int
store_debug_put_raw(struct store_txn *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k;
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (!t->t_write || db < 0 || db >= STORE_DB_COUNT)
		return LD_E_INTERNAL;
	if (val != NULL)
		return txn_put(t, db, key, klen, val, vlen, 0);
	k.mv_size = klen;
	k.mv_data = (void *)(uintptr_t)key;
	rc = mdb_del(t->t_txn, t->t_st->st_dbi[db], &k, NULL);
	if (rc == MDB_NOTFOUND)
		return LD_E_NOT_FOUND;
	return rc == 0 ? LD_OK : txn_fail(t, map_err(rc));
}

static void
put_head(struct store_txn *t)
{
	uint8_t head[8 + 32];

	be64_put(head, t->t_size);
	if (store_tree_root(t, t->t_size, head + 8) != LD_OK)
		return;
	txn_put(t, STORE_DB_META, "head", 4, head, sizeof(head), 0);
}

int
store_check_head(struct store *st, unsigned tail, char *err, size_t errlen)
{
	struct store_txn *t;
	struct ld_entry *e = NULL;
	const uint8_t *enc;
	uint8_t root[32], leaf[32], stored[32];
	uint64_t size, seq, first;
	size_t len;
	MDB_val v;
	int rc = -1;

	if (store_begin(st, 0, &t) != LD_OK) {
		snprintf(err, errlen, "cannot read the ledger");
		return -1;
	}
	size = store_size(t);
	if (size == 0) {
		rc = 0;
		goto done;
	}
	if (txn_get(t, STORE_DB_META, "head", 4, &v) != LD_OK ||
	    v.mv_size != 8 + 32) {
		snprintf(err, errlen, "tree head missing");
		goto done;
	}
	if (be64_get(v.mv_data) != size) {
		snprintf(err, errlen, "tree head is for size %llu, ledger has "
		    "%llu entries", (unsigned long long)be64_get(v.mv_data),
		    (unsigned long long)size);
		goto done;
	}
	if (store_tree_root(t, size, root) != LD_OK ||
	    memcmp(root, (const uint8_t *)v.mv_data + 8, 32) != 0) {
		snprintf(err, errlen, "Merkle root recomputed from the stored "
		    "nodes differs from the tree head");
		goto done;
	}
	if ((e = malloc(sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	first = size > tail ? size - tail + 1 : 1;
	for (seq = first; seq <= size; seq++) {
		if (store_get_raw(t, seq, &enc, &len) != LD_OK ||
		    entry_decode(e, enc, len) != 0 || e->seq != seq) {
			snprintf(err, errlen, "seq %llu: entry missing or "
			    "undecodable", (unsigned long long)seq);
			goto done;
		}
		entry_leaf_hash(enc, len, leaf);
		if (store_get_leaf(t, seq, stored) != LD_OK ||
		    memcmp(leaf, stored, 32) != 0) {
			snprintf(err, errlen, "seq %llu: entry does not match "
			    "its leaf hash", (unsigned long long)seq);
			goto done;
		}
	}
	rc = 0;
done:
	free(e);
	store_abort(t);
	return rc;
}
