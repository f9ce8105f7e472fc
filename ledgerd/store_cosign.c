/*
 * store_cosign.c - the witnesses' cosignatures in the store (store.h,
 * "Witnesses' cosignatures").
 *
 * Why a database of its own: a cosignature is a statement by someone
 * outside the log about the log, not a ledger entry.  It is not in the
 * Merkle tree, a replay of the entries cannot rebuild it, and `ledgerd
 * --verify` must not expect it in a rebuilt state; so STORE_DB_COSIGS sits
 * after the derived databases.  A backup copies it with the rest of the
 * environment.
 *
 * Record: key = the witness's verifier string (name+keyid+base64, at most
 * 309 bytes, under LMDB's 511-byte key limit); value = u64be timestamp,
 * u64be tree size, u32be offset of the cosignature line in the note, then
 * the note (the log's signed checkpoint followed by that line).  Like
 * store_state.c, this file reaches LMDB only through store_impl.h, so
 * failures are sticky the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "store_impl.h"

#define COSIG_HDR	20

static int
cosig_decode(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    struct store_cosig *c)
{
	if (klen == 0 || klen >= STORE_WITNESS_MAX || vlen <= COSIG_HDR ||
	    vlen - COSIG_HDR > STORE_COSIG_NOTE_MAX)
		return -1;
	memcpy(c->witness, key, klen);
	c->witness[klen] = '\0';
	c->ts = be64_get(val);
	c->size = be64_get(val + 8);
	c->lineoff = be32_get(val + 16);
	c->note_len = vlen - COSIG_HDR;
	if (c->lineoff >= c->note_len)
		return -1;
	memcpy(c->note, val + COSIG_HDR, c->note_len);
	c->note[c->note_len] = '\0';
	return 0;
}

int
store_cosig_get(struct store_txn *t, const char *witness,
    struct store_cosig *out)
{
	MDB_val v;
	size_t klen = strlen(witness);
	int rc;

	if (klen == 0 || klen >= STORE_WITNESS_MAX)
		return LD_E_NOT_FOUND;
	if ((rc = txn_get(t, STORE_DB_COSIGS, witness, klen, &v)) != LD_OK)
		return rc;
	if (cosig_decode((const uint8_t *)witness, klen, v.mv_data, v.mv_size,
	    out) != 0)
		return txn_fail(t, LD_E_INTERNAL);
	return LD_OK;
}

int
store_cosig_put(struct store_txn *t, const struct store_cosig *c)
{
	uint8_t *val;
	size_t klen = strnlen(c->witness, STORE_WITNESS_MAX);
	int rc;

	if (klen == 0 || klen >= STORE_WITNESS_MAX || c->note_len == 0 ||
	    c->note_len > STORE_COSIG_NOTE_MAX || c->lineoff >= c->note_len)
		return txn_fail(t, LD_E_INTERNAL);
	if ((val = malloc(COSIG_HDR + c->note_len)) == NULL)
		return txn_fail(t, LD_E_INTERNAL);
	be64_put(val, c->ts);
	be64_put(val + 8, c->size);
	be32_put(val + 16, (uint32_t)c->lineoff);
	memcpy(val + COSIG_HDR, c->note, c->note_len);
	rc = txn_put(t, STORE_DB_COSIGS, c->witness, klen, val,
	    COSIG_HDR + c->note_len, 0);
	free(val);
	return rc;
}

struct cosig_collect {
	struct store_cosig	*arr;
	size_t			 n, cap;
};

static int
cosig_collect_cb(void *ctx, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen)
{
	struct cosig_collect *c = ctx;
	struct store_cosig *na;
	size_t ncap;

	if (c->n == c->cap) {
		ncap = c->cap ? 2 * c->cap : 4;
		if ((na = realloc(c->arr, ncap * sizeof(*na))) == NULL)
			return LD_E_INTERNAL;
		c->arr = na;
		c->cap = ncap;
	}
	if (cosig_decode(key, klen, val, vlen, &c->arr[c->n]) != 0)
		return LD_E_INTERNAL;
	c->n++;
	return 0;
}

int
store_cosig_all(struct store_txn *t, struct store_cosig **out, size_t *n)
{
	struct cosig_collect c;
	int rc;

	*out = NULL;
	*n = 0;
	if (t->t_st->st_missing[STORE_DB_COSIGS])
		return LD_OK;	/* an older store, opened read-only */
	memset(&c, 0, sizeof(c));
	rc = store_scan(t, STORE_DB_COSIGS, NULL, 0, cosig_collect_cb, &c);
	if (rc != 0) {
		free(c.arr);
		return txn_fail(t, LD_E_INTERNAL);
	}
	*out = c.arr;
	*n = c.n;
	return LD_OK;
}
