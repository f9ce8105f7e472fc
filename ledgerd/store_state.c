/*
 * store_state.c - the derived-state records of the store (store.h): the
 * indexes (ids, regions with their grant type, reversed), the balances,
 * the terms in force, the payments a repayment order is attributed to, and
 * the orders.  apply.c writes them in the transaction of the append they
 * follow from; `ledgerd --verify` rebuilds them from the entries and
 * compares them record by record, so their encodings below are part of
 * the store format (STORE_FORMAT).
 *
 * The environment, the transactions and their sticky error, and the
 * append-only records (entries, leaves, nodes) are store.c's.  This file
 * reaches LMDB only through store_impl.h's txn_get/txn_put/txn_del/
 * txn_fail and store_scan(), so every failure here is sticky the same way:
 * a record that does not decode is LD_E_INTERNAL, "not found" is an answer.
 *
 * Values are stored in a fixed big-endian encoding so that the file does
 * not depend on the compiler's struct layout:
 *   ids value      u64 seq
 *   regions value  u64 seq, u8 grant_type   (format 1: the bare seq)
 *   reversed value u64 seq of the reversal
 *   acctbal value  u8 account, u16 fy, i64 appropriated, i64 awarded,
 *                  i64 disbursed, i64 refunded, u8 closed, i64 carried_in,
 *                  i64 carried_out, i64 receipts                (60 bytes)
 *   regbal value   u8 grant_type, u8 account, i64 award, u64 award_seq,
 *                  i64 disbursed, i64 refunded, u32 award_date,
 *                  u8 cancelled, u8 settled_set, i64 settled,
 *                  i64 carried_in, i64 carried_out, u8 has_order (65 bytes)
 *   terms value    u64 seq, i64 min, i64 max, u32 deadline,
 *                  u32 interest_bp, u32 late_bp                 (36 bytes)
 *   payments value u32 date, i64 amount, code (the region)  (12 + code)
 *   orders value   u64 seq, u8 account, i64 principal, u32 order_date,
 *                  u32 repay_by, u32 interest_bp, u32 late_bp, u32 nparts,
 *                  nparts x (u32 date, i64 amount), u32 nreceipts,
 *                  nreceipts x (u64 seq, u32 date, i64 amount)
 * Format 1 balances are shorter (acctbal 36 bytes, up to closed; regbal
 * 34, up to refunded) and decode with the later fields zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "errors.h"
#include "store.h"
#include "store_impl.h"
#include "wire.h"

#define ACCTBAL_LEN		60
#define REGBAL_LEN		65
#define TERMS_LEN		36
#define ORDER_HDR_LEN		41
#define ORDER_MAX_LEN		(ORDER_HDR_LEN + RCV_PARTS_MAX * 12 + 4 + \
				    RCV_RECEIPTS_MAX * 20)

/* ---- indexes: ids, regions (with their grant type), reversed ---- */

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

int
store_put_id(struct store_txn *t, const char *id, uint64_t seq)
{
	uint8_t v[8];

	be64_put(v, seq);
	return txn_put(t, STORE_DB_IDS, id, strlen(id), v, 8, MDB_NOOVERWRITE);
}

/* refs key: ref || 0x00 || u64be seq; 0 or -1 for a ref LMDB cannot hold. */
static int
ref_key(const char *ref, uint64_t seq, uint8_t *k, size_t *klen)
{
	size_t n = strlen(ref);

	if (n == 0 || n > LD_REF_MAX)
		return -1;
	memcpy(k, ref, n);
	k[n] = 0;
	be64_put(k + n + 1, seq);
	*klen = n + 9;
	return 0;
}

int
store_put_ref(struct store_txn *t, const char *ref, uint64_t seq)
{
	uint8_t k[LD_REF_MAX + 9];
	size_t klen;

	if (ref_key(ref, seq, k, &klen) != 0)
		return txn_fail(t, LD_E_INTERNAL);
	return txn_put(t, STORE_DB_REFS, k, klen, "", 0, MDB_NOOVERWRITE);
}

/* A growing array of seqs, as the scans below collect them. */
struct seq_collect {
	uint64_t	*arr;
	uint32_t	 n, cap;
};

/* Append seq to c: 0, or LD_E_INTERNAL (the scan's stop code) without memory. */
static int
seq_push(struct seq_collect *c, uint64_t seq)
{
	uint64_t *p;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		if ((p = realloc(c->arr, c->cap * sizeof(*p))) == NULL)
			return LD_E_INTERNAL;
		c->arr = p;
	}
	c->arr[c->n++] = seq;
	return 0;
}

struct ref_collect {
	const uint8_t		*prefix;
	size_t			 plen;
	struct seq_collect	 seqs;
};

static int
ref_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct ref_collect *c = ctx;

	(void)val;
	(void)vlen;
	if (klen != c->plen + 8 || memcmp(key, c->prefix, c->plen) != 0)
		return 1;	/* past this ref's records */
	return seq_push(&c->seqs, be64_get(key + c->plen));
}

int
store_ref_seqs(struct store_txn *t, const char *ref, uint64_t **seqs,
    uint32_t *n)
{
	struct ref_collect c;
	uint8_t k[LD_REF_MAX + 9];
	size_t klen;
	int rc;

	*seqs = NULL;
	*n = 0;
	if (ref_key(ref, 0, k, &klen) != 0)
		return store_error(t);
	memset(&c, 0, sizeof(c));
	c.prefix = k;
	c.plen = klen - 8;
	rc = store_scan(t, STORE_DB_REFS, k, klen, ref_collect_cb, &c);
	if (rc != 0 && rc != 1) {
		free(c.seqs.arr);
		return txn_fail(t, LD_E_INTERNAL);
	}
	*seqs = c.seqs.arr;
	*n = c.seqs.n;
	return LD_OK;
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
	rc = store_get(t, seq, e);
	if (rc == LD_OK && e->kind == LD_K_REGION)
		*grant = e->grant_type;
	else if (rc == LD_OK || rc == LD_E_NOT_FOUND)
		rc = txn_fail(t, LD_E_INTERNAL);	/* the index is wrong */
	free(e);
	return rc;
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

static int
seq_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	(void)key;
	(void)klen;
	if (vlen != 8 && vlen != 9)	/* regions: seq, and the grant type */
		return LD_E_INTERNAL;
	return seq_push(ctx, be64_get(val));
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

int
store_reversed_by(struct store_txn *t, uint64_t seq, uint64_t *by)
{
	uint8_t key[8];

	be64_put(key, seq);
	return get_seq(t, STORE_DB_REVERSED, key, 8, by);
}

int
store_put_reversed(struct store_txn *t, uint64_t seq, uint64_t by)
{
	uint8_t k[8], v[8];

	be64_put(k, seq);
	be64_put(v, by);
	return txn_put(t, STORE_DB_REVERSED, k, 8, v, 8, MDB_NOOVERWRITE);
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
store_put_acct_bal(struct store_txn *t, const struct ld_acct_bal *a)
{
	uint8_t key[3], val[ACCTBAL_LEN];

	acct_key(key, a->account, a->fy);
	acct_bal_encode(val, a);
	return txn_put(t, STORE_DB_ACCTBAL, key, sizeof(key), val, sizeof(val), 0);
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

int
store_put_region_bal(struct store_txn *t, const struct ld_region_bal *r)
{
	uint8_t key[2 + LD_CODE_MAX], val[REGBAL_LEN];

	region_bal_encode(val, r);
	return txn_put(t, STORE_DB_REGBAL, key, region_key(key, r->region, r->fy),
	    val, sizeof(val), 0);
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

/* ---- terms ---- */

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

/* ---- payments ---- */

/*
 * payments key: u16be fy || u64be seq.  Seq order within a year makes every
 * new payment land at the end of its year's key range: one or two dirty
 * pages per commit, where a region-first key scattered the inserts over a
 * page per region and doubled the bytes each group commit wrote.  The
 * price is paid by store_payments(), which reads the whole year to pick
 * one region's payments: only a cancellation or a settlement asks for it.
 */
static void
payment_key(uint8_t key[10], uint16_t fy, uint64_t seq)
{
	be16_put(key, fy);
	be64_put(key + 2, seq);
}

int
store_put_payment(struct store_txn *t, const char *region, uint16_t fy,
    uint64_t seq, uint32_t date, int64_t amount)
{
	uint8_t key[10], val[12 + LD_CODE_MAX];
	size_t n = strnlen(region, LD_CODE_MAX);

	payment_key(key, fy, seq);
	be32_put(val, date);
	be64_put(val + 4, (uint64_t)amount);
	memcpy(val + 12, region, n);
	return txn_put(t, STORE_DB_PAYMENTS, key, sizeof(key), val, 12 + n,
	    MDB_NOOVERWRITE);
}

int
store_del_payment(struct store_txn *t, const char *region, uint16_t fy,
    uint64_t seq)
{
	uint8_t key[10];
	int rc;

	(void)region;
	payment_key(key, fy, seq);
	rc = txn_del(t, STORE_DB_PAYMENTS, key, sizeof(key));
	/* A payment the state does not hold is a bug, never a retry. */
	return rc == LD_E_NOT_FOUND ? txn_fail(t, LD_E_INTERNAL) : rc;
}

struct pay_collect {
	uint16_t		 fy;
	const char		*region;
	size_t			 rlen;
	struct rcv_payment	*arr;
	size_t			 n, cap;
};

static int
pay_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct pay_collect *c = ctx;
	void *p;

	if (klen != 10 || be16_get(key) != c->fy)
		return 1;	/* past the year */
	if (vlen < 13 || vlen > 12 + LD_CODE_MAX)
		return LD_E_INTERNAL;
	if (vlen - 12 != c->rlen || memcmp(val + 12, c->region, c->rlen) != 0)
		return 0;	/* another region's */
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
	uint8_t from[2];
	int rc;

	memset(&c, 0, sizeof(c));
	c.fy = fy;
	c.region = region;
	c.rlen = strnlen(region, LD_CODE_MAX);
	be16_put(from, fy);
	rc = store_scan(t, STORE_DB_PAYMENTS, from, sizeof(from), pay_collect_cb,
	    &c);
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

/* ---- orders ---- */

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

/* ---- approvals ---- */

#define POLICY_LEN	20	/* seq, require, disburse_over, expire_days */
#define REQSTATE_LEN	28	/* status, action, fy, decided_by, expires_at */

int
store_policy(struct store_txn *t, struct ld_policy *p)
{
	const uint8_t *v;
	MDB_val val;
	int rc;

	memset(p, 0, sizeof(*p));
	p->expire_days = LD_EXPIRE_DAYS_DEFAULT;
	if ((rc = txn_get(t, STORE_DB_POLICY, "policy", 6, &val)) != LD_OK)
		return rc == LD_E_NOT_FOUND ? LD_OK : rc;
	if (val.mv_size != POLICY_LEN)
		return txn_fail(t, LD_E_INTERNAL);
	v = val.mv_data;
	p->seq = be64_get(v);
	p->require = be16_get(v + 8);
	p->disburse_over = (int64_t)be64_get(v + 10);
	p->expire_days = be16_get(v + 18);
	return LD_OK;
}

int
store_put_policy(struct store_txn *t, const struct ld_policy *p)
{
	uint8_t v[POLICY_LEN];

	be64_put(v, p->seq);
	be16_put(v + 8, p->require);
	be64_put(v + 10, (uint64_t)p->disburse_over);
	be16_put(v + 18, p->expire_days);
	return txn_put(t, STORE_DB_POLICY, "policy", 6, v, sizeof(v), 0);
}

static int
reqstate_decode(const uint8_t *v, size_t len, struct ld_reqstate *r)
{
	if (len != REQSTATE_LEN || v[0] < LD_REQ_PENDING ||
	    v[0] > LD_REQ_REJECTED)
		return -1;
	r->status = v[0];
	r->action = v[1];
	r->fy = be16_get(v + 2);
	r->decided_by = be64_get(v + 4);
	r->expires_at = (int64_t)be64_get(v + 12);
	/* v + 20: reserved, zero */
	return 0;
}

int
store_request(struct store_txn *t, uint64_t seq, struct ld_reqstate *r)
{
	uint8_t key[8];
	MDB_val val;
	int rc;

	memset(r, 0, sizeof(*r));
	be64_put(key, seq);
	if ((rc = txn_get(t, STORE_DB_REQUESTS, key, 8, &val)) != LD_OK)
		return rc;
	if (reqstate_decode(val.mv_data, val.mv_size, r) == -1)
		return txn_fail(t, LD_E_INTERNAL);
	return LD_OK;
}

int
store_put_request(struct store_txn *t, uint64_t seq,
    const struct ld_reqstate *r)
{
	uint8_t key[8], v[REQSTATE_LEN];

	memset(v, 0, sizeof(v));
	be64_put(key, seq);
	v[0] = r->status;
	v[1] = r->action;
	be16_put(v + 2, r->fy);
	be64_put(v + 4, r->decided_by);
	be64_put(v + 12, (uint64_t)r->expires_at);
	return txn_put(t, STORE_DB_REQUESTS, key, 8, v, sizeof(v), 0);
}

struct req_collect {
	int			 open_only;
	uint16_t		 fy;
	struct seq_collect	 seqs;
};

static int
req_collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct req_collect *c = ctx;
	struct ld_reqstate r;
	int rc;

	if (klen != 8 || reqstate_decode(val, vlen, &r) == -1)
		return LD_E_INTERNAL;
	if (c->open_only ? r.status != LD_REQ_PENDING :
	    c->fy != 0 && r.fy != c->fy)
		return 0;
	if ((rc = seq_push(&c->seqs, be64_get(key))) != 0)
		return rc;
	if (c->open_only || r.decided_by == 0)
		return 0;
	if ((rc = seq_push(&c->seqs, r.decided_by)) != 0)
		return rc;
	return r.status == LD_REQ_APPROVED ?
	    seq_push(&c->seqs, r.decided_by + 1) : 0;
}

static int
seq_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
store_request_seqs(struct store_txn *t, int open_only, uint16_t fy,
    uint64_t **seqs, uint32_t *n)
{
	struct req_collect c;

	memset(&c, 0, sizeof(c));
	c.open_only = open_only;
	c.fy = fy;
	*seqs = NULL;
	*n = 0;
	if (store_scan(t, STORE_DB_REQUESTS, NULL, 0, req_collect_cb, &c) != 0) {
		free(c.seqs.arr);
		return txn_fail(t, LD_E_INTERNAL);
	}
	/* Decisions come after later requests' seqs: one order for the stream. */
	if (c.seqs.n > 1)
		qsort(c.seqs.arr, c.seqs.n, sizeof(*c.seqs.arr), seq_cmp);
	*seqs = c.seqs.arr;
	*n = c.seqs.n;
	return LD_OK;
}
