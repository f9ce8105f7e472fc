/*
 * store.h - the append-only LMDB ledger.
 *
 * One LMDB environment (a directory) holds these named databases:
 *   meta      "format" -> u32 store format version (STORE_FORMAT),
 *             "size" -> u64 number of entries (= last seq),
 *             "head" -> u64 size || 32-byte root, sealed at each commit
 *   entries   u64be seq -> canonical entry encoding (entry.h)
 *   leaves    u64be seq -> 32-byte leaf hash
 *   nodes     u8 level || u64be index -> 32-byte perfect-subtree hash (merkle.h)
 *   ids       id -> u64be seq
 *   regions   code -> u64be seq of its region entry || u8 grant type
 *   reversed  u64be seq -> u64be seq of the reversal
 *   acctbal   u16be fy || u8 account -> struct ld_acct_bal (fixed encoding)
 *   regbal    u16be fy || code -> struct ld_region_bal (fixed encoding)
 *   terms     u16be fy || u8 grant type -> struct ld_terms in force
 *   payments  u16be fy || code || 0x00 || u64be seq -> u32 date || i64
 *             amount: the region-year's unreversed disbursements, which a
 *             repayment order is attributed to
 *   orders    u16be fy || code -> struct ld_order (variable length)
 * No code path updates or deletes an entry, a leaf or a node: they are
 * written once, by store_append(), with MDB_APPEND.  Everything else is the
 * derived state (apply.h writes it, in the same transaction): `ledgerd
 * --verify` rebuilds it from the entries and compares it record by record.
 *
 * Transactions carry a sticky error (after Knot's knot_lmdb.c): after the
 * first failure every operation is a no-op and store_commit() aborts, so a
 * caller performs a whole request and checks once.  MDB_MAP_FULL maps to
 * LD_E_STORAGE_FULL; other LMDB failures to LD_E_INTERNAL.
 *
 * Threads: one write transaction at a time (the writer thread); read
 * transactions from any thread, one per thread at a time.
 */
#ifndef LD_STORE_H
#define LD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "balance.h"
#include "entry.h"
#include "receivable.h"

#define STORE_FORMAT	2	/* 1: version 1's layout (regions without the
				   grant type, no terms/payments/orders) */

struct store;
struct store_txn;

/*
 * Open (creating if absent, when !readonly) the environment in directory
 * dir with a map of map_size_mb MiB.  A store of another format version is
 * refused.  Returns 0, or -1 with a reason in err.
 */
int	store_open(struct store **, const char *dir, uint64_t map_size_mb,
	    int readonly, char *err, size_t errlen);
/*
 * A scratch environment for `--verify`'s replay: created in the existing
 * empty directory dir, never synced (it is thrown away), one writer.
 */
int	store_open_scratch(struct store **, const char *dir, uint64_t map_size_mb,
	    char *err, size_t errlen);
/*
 * 1 when the store was written by version 1 (store format 1): its derived
 * state must be rebuilt (apply_rebuild) before it is served.
 */
int	store_needs_rebuild(struct store *);
void	store_close(struct store *);
/* Clear stale reader slots of crashed processes; returns how many. */
int	store_reader_check(struct store *);
/* Bytes in use (last page * page size) and the map size. */
int	store_usage(struct store *, uint64_t *used, uint64_t *map_size);
/* mdb_env_copy2 with compaction into an existing empty directory. */
int	store_copy(struct store *, const char *dir, char *err, size_t errlen);

/* Begin a read (write = 0) or write transaction; LD_OK or an error code. */
int	store_begin(struct store *, int write, struct store_txn **);
/* A nested write transaction (for an atomic batch inside a group commit). */
int	store_begin_nested(struct store_txn *parent, struct store_txn **);
/* Commit (frees the txn): LD_OK, LD_E_STORAGE_FULL or LD_E_INTERNAL. */
int	store_commit(struct store_txn *);
void	store_abort(struct store_txn *);
/* The sticky error: LD_OK until something failed. */
int	store_error(const struct store_txn *);

/* Number of entries, which is also the last seq. */
uint64_t store_size(struct store_txn *);

/* Entry seq: LD_OK, LD_E_NOT_FOUND, or LD_E_INTERNAL (undecodable). */
int	store_get(struct store_txn *, uint64_t seq, struct ld_entry *);
/* Raw canonical bytes of seq, valid until the txn ends. */
int	store_get_raw(struct store_txn *, uint64_t seq, const uint8_t **enc, size_t *len);
int	store_get_leaf(struct store_txn *, uint64_t seq, uint8_t leaf[32]);

/* Index lookups: LD_OK and the seq, or LD_E_NOT_FOUND. */
int	store_find_id(struct store_txn *, const char *id, uint64_t *seq);
int	store_find_region(struct store_txn *, const char *code, uint64_t *seq);
/* The grant type of a registered region (*grant = 0 and NOT_FOUND if none). */
int	store_region_grant(struct store_txn *, const char *code, int *grant);
int	store_reversed_by(struct store_txn *, uint64_t seq, uint64_t *by);

/* Balances: LD_OK; when none is stored *out is zeroed with its key set. */
int	store_acct_bal(struct store_txn *, uint8_t account, uint16_t fy, struct ld_acct_bal *out);
int	store_region_bal(struct store_txn *, const char *region, uint16_t fy, struct ld_region_bal *out);
/* Every stored balance of fiscal year fy, accounts by account, regions by code. */
int	store_acct_bals(struct store_txn *, uint16_t fy, struct ld_acct_bal **out, uint32_t *n);
int	store_region_bals(struct store_txn *, uint16_t fy, struct ld_region_bal **out, uint32_t *n);
/* Region entries' seqs in code order (caller frees *seqs). */
int	store_region_seqs(struct store_txn *, uint64_t **seqs, uint32_t *n);

/* Terms in force for (fy, grant): LD_OK, or LD_E_NOT_FOUND (*out zeroed). */
int	store_terms(struct store_txn *, uint16_t fy, uint8_t grant, struct ld_terms *out);
/* Every terms record of fy (0 = all), by fy then grant (caller frees). */
int	store_terms_all(struct store_txn *, uint16_t fy, struct ld_terms **out,
	    uint16_t **fys, uint8_t **grants, uint32_t *n);
/*
 * The unreversed disbursements of a region-year in seq order (caller
 * frees *out; *n = 0 and *out = NULL when none).
 */
int	store_payments(struct store_txn *, const char *region, uint16_t fy,
	    struct rcv_payment **out, size_t *n);
/* The region-year's repayment order: LD_OK, or LD_E_NOT_FOUND. */
int	store_order(struct store_txn *, const char *region, uint16_t fy,
	    struct ld_order *out);
/* Every order of fy (0 = all) as (region, fy) keys, in key order. */
typedef int	(*store_order_fn)(void *ctx, const char *region, uint16_t fy,
		    const struct ld_order *);
int	store_orders(struct store_txn *, uint16_t fy, store_order_fn, void *ctx);

/*
 * Derived state writers, called by apply.c only.  Each is one put (or
 * delete) in the txn; the sticky error covers them.
 */
int	store_put_id(struct store_txn *, const char *id, uint64_t seq);
int	store_put_region(struct store_txn *, const char *code, uint64_t seq, int grant);
int	store_put_reversed(struct store_txn *, uint64_t seq, uint64_t by);
int	store_put_acct_bal(struct store_txn *, const struct ld_acct_bal *);
int	store_put_region_bal(struct store_txn *, const struct ld_region_bal *);
int	store_put_terms(struct store_txn *, uint16_t fy, uint8_t grant, const struct ld_terms *);
int	store_put_payment(struct store_txn *, const char *region, uint16_t fy,
	    uint64_t seq, uint32_t date, int64_t amount);
int	store_del_payment(struct store_txn *, const char *region, uint16_t fy, uint64_t seq);
int	store_put_order(struct store_txn *, const char *region, uint16_t fy,
	    const struct ld_order *);

/*
 * Append e, whose e->seq must be size + 1: store the entry, its leaf hash
 * and the Merkle nodes it completes, and the new size.  The derived state
 * is apply.c's.  On success enc/enclen (when non-NULL) point at the stored
 * bytes until the txn ends.  Returns LD_OK or the (now sticky) error.  An
 * entry that does not encode (a field invalid for its kind) is
 * LD_E_INTERNAL before anything is written, and is not sticky.
 */
int	store_append(struct store_txn *, struct ld_entry *e,
	    const uint8_t **enc, size_t *enclen);

/*
 * Start-up check: the tree head sealed by the last commit matches the root
 * recomputed from the stored nodes, and the newest tail entries decode and
 * match their leaf hashes.  0, or -1 with what is wrong in err.  The full
 * check is `ledgerd --verify`.
 */
int	store_check_head(struct store *, unsigned tail, char *err, size_t errlen);

/* Merkle access over the txn, for proofs and roots (merkle.h callbacks). */
int	store_tree_root(struct store_txn *, uint64_t size, uint8_t root[32]);
int	store_tree_get(void *txn, unsigned level, uint64_t index, uint8_t out[32]);

/*
 * Raw access, for `ledgerd --verify` (which recomputes every derived record
 * and must see exactly what is stored) and for tests.
 */
enum store_db {
	STORE_DB_META = 0,
	STORE_DB_ENTRIES,
	STORE_DB_LEAVES,
	STORE_DB_NODES,
	STORE_DB_IDS,
	STORE_DB_REGIONS,
	STORE_DB_REVERSED,
	STORE_DB_ACCTBAL,
	STORE_DB_REGBAL,
	STORE_DB_TERMS,
	STORE_DB_PAYMENTS,
	STORE_DB_ORDERS,
	STORE_DB_COUNT
};
/* The derived databases, which a replay rebuilds and --verify compares. */
#define STORE_DB_DERIVED_FIRST	STORE_DB_IDS
#define STORE_DB_DERIVED_LAST	STORE_DB_ORDERS
const char	*store_db_name(int db);

/*
 * Compare db record by record in two transactions (of two stores).  0 when
 * equal; otherwise 1 with the first differing key copied into key/klen
 * (at most 511 bytes) and *where: -1 only in a, 1 only in b, 0 in both
 * with different values.  LMDB failures return the sticky error (> 1).
 */
int	store_diff(struct store_txn *a, struct store_txn *b, int db,
	    uint8_t key[511], size_t *klen, int *where);
/* Empty db (for a rebuild of the derived state). */
int	store_drop(struct store_txn *, int db);
/* Set the store format record to STORE_FORMAT (after a rebuild). */
int	store_set_format(struct store_txn *);

/*
 * Call fn for every record of db (enum store_db) whose key is >= from
 * (fromlen 0: from the first), in key order, until fn returns non-zero.
 * Key and value are valid during the call only.  Returns 0 when the records
 * ran out, fn's non-zero value when it stopped the scan, or the sticky
 * error (LD_E_INTERNAL) when LMDB failed.
 */
typedef int	(*store_scan_fn)(void *ctx, const uint8_t *key, size_t klen,
		    const uint8_t *val, size_t vlen);
int	store_scan(struct store_txn *, int db, const void *from, size_t fromlen,
	    store_scan_fn fn, void *ctx);
/* Number of records in db: LD_OK or the sticky error. */
int	store_count(struct store_txn *, int db, uint64_t *n);
/*
 * Decode a stored acctbal / regbal record (key and value as store_scan()
 * passes them).  0, or -1 when the record is malformed.
 */
int	store_acct_bal_decode(const uint8_t *key, size_t klen, const uint8_t *val,
	    size_t vlen, struct ld_acct_bal *out);
int	store_region_bal_decode(const uint8_t *key, size_t klen, const uint8_t *val,
	    size_t vlen, struct ld_region_bal *out);

/*
 * TESTS ONLY: put (val != NULL) or delete (val == NULL)
 * one raw record in a write transaction, bypassing every rule, so that the
 * tests of `ledgerd --verify` can damage a ledger the way a disk or an
 * operator would.  The daemon never calls these.  LD_OK, LD_E_NOT_FOUND
 * (delete of a missing key) or the sticky error.
 */
int	store_debug_put_raw(struct store_txn *, int db, const void *key, size_t klen,
	    const void *val, size_t vlen);

#endif
