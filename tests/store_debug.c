/*
 * store_debug.c - raw writes into a store, for unit tests only
 * (store_debug.h).
 *
 * It sits beside the tests, not in ledgerd/, so that the daemon cannot
 * call it and does not carry it: only test_store and test_verify link it.
 * It uses the store's private header (store_impl.h) and its sticky-error
 * primitives, so a damaged write fails the way any other write would.
 */
#include "errors.h"
#include "store.h"
#include "store_debug.h"
#include "store_impl.h"

int
store_debug_put_raw(struct store_txn *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	if (t->t_err != LD_OK)
		return t->t_err;
	if (!t->t_write || db < 0 || db >= STORE_DB_COUNT)
		return LD_E_INTERNAL;
	if (val != NULL)
		return txn_put(t, db, key, klen, val, vlen, 0);
	return txn_del(t, db, key, klen);
}
