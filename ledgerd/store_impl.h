/*
 * store_impl.h - the store's internals, shared by its two halves and by
 * the tests' raw access; PRIVATE: included only by store.c, store_state.c
 * and tests/store_debug.c.  Everyone else uses store.h.
 *
 * store.c owns the environment, the transactions and their sticky error,
 * and the append-only half (entries, leaves, Merkle nodes, head, scans,
 * diff); store_state.c owns the derived-state records that apply.c writes
 * (indexes, balances, terms, payments, orders).  store_state.c reaches
 * LMDB only through the txn_* functions below (and store_scan()), so the
 * sticky error has one implementation, in store.c: each returns the sticky
 * error without doing anything once the transaction has failed, and
 * records the first failure.
 */
#ifndef LD_STORE_IMPL_H
#define LD_STORE_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "store.h"
#include "wire.h"

struct store {
	MDB_env		*st_env;
	MDB_dbi		 st_dbi[STORE_DB_COUNT];
	int		 st_readonly;
	int		 st_format;	/* as found at open */
	uint8_t		 st_missing[STORE_DB_COUNT];	/* absent (format 1, read-only) */
	int		 st_scratch;
	/*
	 * Damaged entries met by reads (any thread): the first
	 * STORE_DAMAGED_KEEP distinct seqs, each logged once; st_ndamaged
	 * counts every distinct one (beyond the list, every report).
	 */
	pthread_mutex_t	 st_dmtx;
	uint64_t	 st_damaged[STORE_DAMAGED_KEEP];
	uint64_t	 st_ndamaged;
	/*
	 * Storage failures (under st_dmtx): the last LMDB or system error
	 * with the call that returned it, and the fatal state (store_fail()):
	 * once set, every transaction is refused STORAGE_ERROR.
	 */
	char		 st_path[4096];	/* the data file, for messages */
	char		 st_lasterr[STORE_ERRTEXT_MAX];
	char		 st_failed[STORE_ERRTEXT_MAX];	/* "" = healthy */
	int		 st_isfailed;	/* read without the lock (atomic) */
};

struct arena_chunk;	/* store.c: copied entry bytes ("Memory" there) */

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
	int			 t_rc;		/* LMDB code or errno behind t_err */
	const char		*t_op;		/* the call that returned t_rc */
	char			 t_errtext[STORE_ERRTEXT_MAX];	/* store_error_text() */
	int			 t_set_format;	/* store_set_format() was called */
};

/* Record a failure (an LD_E_* code); the first one sticks.  Returns it. */
int	txn_fail(struct store_txn *, int code);
/*
 * Record the failure of LMDB call op (a static string, "mdb_put") that
 * returned rc: its LD_E_* code (store_map_err()) sticks with rc and op, for
 * store_error_text().  Returns the sticky error.
 */
int	txn_fail_rc(struct store_txn *, int rc, const char *op);
/*
 * mdb_get of key in db (enum store_db): LD_OK with v pointing into the
 * map, LD_E_NOT_FOUND (not sticky; also for a key no record can have and
 * for a database a format 1 store lacks), or the sticky error.
 */
int	txn_get(struct store_txn *, int db, const void *key, size_t klen,
	    MDB_val *v);
/*
 * mdb_put with LMDB's flags: LD_OK or the sticky error.  MDB_KEYEXIST
 * (a seq or an index key written twice) is LD_E_INTERNAL: a bug, never a
 * retry.
 */
int	txn_put(struct store_txn *, int db, const void *key, size_t klen,
	    const void *val, size_t vlen, unsigned flags);
/*
 * mdb_del of key in db: LD_OK, LD_E_NOT_FOUND (not sticky), or the sticky
 * error.
 */
int	txn_del(struct store_txn *, int db, const void *key, size_t klen);

#endif
