/*
 * store_debug.h - raw writes into a store, for unit tests only.
 *
 * The tests of `ledgerd --verify` and of the store must damage a ledger the
 * way a disk or an operator would: a record changed, added or removed
 * behind every rule.  The daemon has no such path, and this one is not
 * compiled into it: tests/store_debug.c is linked only into the unit tests
 * that include this header (tests/CMakeLists.txt).
 */
#ifndef LD_STORE_DEBUG_H
#define LD_STORE_DEBUG_H

#include <stddef.h>

struct store_txn;

/*
 * Put (val != NULL) or delete (val == NULL) one raw record of db (enum
 * store_db) in a write transaction, bypassing every rule.  LD_OK,
 * LD_E_NOT_FOUND (delete of a missing key, not sticky) or the sticky error.
 */
int	store_debug_put_raw(struct store_txn *, int db, const void *key,
	    size_t klen, const void *val, size_t vlen);

#endif
