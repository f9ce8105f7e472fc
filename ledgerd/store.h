/*
 * store.h - the append-only LMDB ledger.
 *
 * One LMDB environment (a directory) holds these named databases:
 *   meta      "format" -> u32 store format version (STORE_FORMAT),
 *             "size" -> u64 number of entries (= last seq),
 *             "head" -> u64 size || 32-byte root, sealed by each commit
 *             that appended,
 *             "applied" -> u64 the last Raft index applied (a cluster
 *             member only; replica.h)
 *   entries   u64be seq -> canonical entry encoding (entry.h)
 *   leaves    u64be seq -> 32-byte leaf hash
 *   nodes     u8 level || u64be index -> 32-byte perfect-subtree hash (merkle.h)
 *   ids       id -> u64be seq
 *   regions   code -> u64be seq of its region entry || u8 grant type
 *             (format 1: the bare seq)
 *   reversed  u64be seq -> u64be seq of the reversal
 *   acctbal   u16be fy || u8 account -> struct ld_acct_bal (fixed encoding)
 *   regbal    u16be fy || code -> struct ld_region_bal (fixed encoding)
 *   terms     u16be fy || u8 grant type -> struct ld_terms in force
 *   payments  u16be fy || u64be seq -> u32 date || i64 amount || code:
 *             the unreversed disbursements, which a repayment order is
 *             attributed to (year then seq: new ones land at the end)
 *   orders    u16be fy || code -> struct ld_order (variable length)
 *   refs      ref || 0x00 || u64be seq -> (empty): every entry with a ref,
 *             for lookups by voucher and the DUPLICATE_REF rule (a ref
 *             holds no NUL, so a prefix scan finds one ref's entries)
 * No code path updates or deletes an entry, a leaf or a node: they are
 * written once, by store_append() (entries and leaves with MDB_APPEND,
 * nodes with MDB_NOOVERWRITE); only the tests' raw writer
 * (tests/store_debug.h) can.  Everything else is the derived state
 * (apply.h writes it, in the same transaction): `ledgerd --verify`
 * rebuilds it from the entries and compares it record by record.
 *
 * Transactions carry a sticky error (after Knot's knot_lmdb.c): after the
 * first failure every operation is a no-op that returns it and
 * store_commit() aborts, so a caller performs a whole request and checks
 * once.  MDB_MAP_FULL, ENOSPC and EDQUOT map to LD_E_STORAGE_FULL; an I/O
 * error (EIO and every other errno from the file), MDB_PANIC (LMDB's
 * environment is dead after a failed meta-page write), MDB_CORRUPTED and
 * MDB_PAGE_NOTFOUND to LD_E_STORAGE_ERROR; other LMDB failures (misuse,
 * tables full), and a stored record that does not decode, to
 * LD_E_INTERNAL.  The LMDB code or errno and the call that returned it
 * are kept with the sticky error (store_error_text()) and, for the last
 * failure, in the store (store_last_error()).  LD_E_NOT_FOUND
 * is an answer, not a failure, and never sticks; nor does LD_E_INTERNAL
 * for a misuse refused before LMDB is called (a write through a read
 * transaction, a db number out of range, an append with the wrong seq).
 * So a lookup returns LD_OK, LD_E_NOT_FOUND where that is said, the sticky
 * error, or LD_E_INTERNAL (sticky) for a malformed record or no memory.
 *
 * Memory: what a read returns is copied out, except raw entry bytes: in a
 * read transaction they point into LMDB's map, valid until it ends; in a
 * write transaction, whose pointers would not survive the next put, they
 * are copied into an arena of the outermost transaction and stay valid
 * until that one ends (its nested transactions share it).
 *
 * Threads: a struct store is shared by every thread; a transaction belongs
 * to the thread that began it.  One write transaction at a time (the
 * writer thread; another store_begin(write) waits for it, across processes
 * too); read transactions from any thread, one per thread at a time.
 */
#ifndef LD_STORE_H
#define LD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "balance.h"
#include "entry.h"
#include "receivable.h"

#define STORE_DAMAGED_KEEP	64	/* damaged seqs remembered, to log once */
#define STORE_ERRTEXT_MAX	512	/* "DIR/data.mdb: mdb_txn_commit: Input/output error" */
#define STORE_FORMAT	4	/* 1: version 1's layout (regions without the
				   grant type, no terms/payments/orders);
				   2: no refs; 3: no policy, requests */

struct store;
struct store_txn;

/*
 * Open the environment in directory dir with a map of map_size_mb MiB (at
 * least 1).  Unless readonly, dir is created (mode 0700) when absent, so
 * are the databases, and a new environment gets its format record.
 * Formats 1 and STORE_FORMAT open (see store_needs_rebuild()); another
 * format, entries without a format record, or a directory that is not a
 * ledger are refused.  Read-only, a format 1 store lacks terms, payments
 * and orders: their lookups find nothing.  Stale reader slots of dead
 * processes are cleared.  Returns 0 and the store, or -1, the store
 * pointer NULL and a reason in err.
 *
 * Caveat: LMDB forbids opening one environment twice in a process at the
 * same time (its locks would break): close it before opening it again.
 */
int	store_open(struct store **, const char *dir, uint64_t map_size_mb,
	    int readonly, char *err, size_t errlen);
/*
 * A scratch environment for `--verify`'s replay, opened like a new
 * read-write store in dir (created if absent; it should be empty) but never
 * synced (MDB_NOSYNC | MDB_WRITEMAP): it is thrown away, and a crash may
 * leave it corrupt.  0, or -1 with a reason in err.
 */
int	store_open_scratch(struct store **, const char *dir, uint64_t map_size_mb,
	    char *err, size_t errlen);
/*
 * 1 when the store was written by version 1 (store format 1): its derived
 * state must be rebuilt (apply_rebuild) before it is served.  0 once
 * store_set_format() has run, even before its transaction commits.
 */
int	store_needs_rebuild(struct store *);
/*
 * Close the environment and free the store; NULL is a no-op.
 * Caveat: every transaction must have ended, and no thread may use the
 * store afterwards.
 */
void	store_close(struct store *);
/*
 * Clear stale reader slots of crashed processes (mdb_reader_check); returns
 * how many, or -1.  A dead reader's slot pins old pages, so the daemon
 * calls this periodically.
 */
int	store_reader_check(struct store *);
/*
 * Bytes in use ((last page + 1) * page size) and the map size, without a
 * transaction: LD_OK, or LD_E_INTERNAL with both untouched.
 */
int	store_usage(struct store *, uint64_t *used, uint64_t *map_size);
/*
 * A cluster member's store (docs/REPLICATION.md, "Durability"): with
 * meta_nosync on, a commit syncs its data pages but not its meta page
 * (MDB_NOMETASYNC), which the next commit's sync carries; a system crash
 * may then undo the last commit, never half of one, and the member
 * replays that group from the Raft log.  store_sync() forces everything
 * committed to disk (before a snapshot names the applied index).  LD_OK,
 * or LD_E_STORAGE_ERROR with the cause logged.
 */
int	store_set_meta_nosync(struct store *, int on);
int	store_sync(struct store *);
/*
 * A compacted copy (mdb_env_copy2, MDB_CP_COMPACT) into dir, which must
 * exist and be empty: a consistent snapshot, taken in a read transaction
 * of its own, so writes may go on.  0, or -1 with a reason in err.
 * Caveat: the calling thread must not hold a read transaction.
 */
int	store_copy(struct store *, const char *dir, char *err, size_t errlen);
/*
 * The same compacted copy written to fd, an open regular file (the backup's
 * temporary file); the caller fsyncs and closes it.  0, or -1 with a
 * reason in err.
 */
int	store_copy_fd(struct store *, int fd, char *err, size_t errlen);
/*
 * Open the single LMDB data file path (not a directory: a backup's copy
 * under its temporary name) read-only and without a lock file, with the
 * same checks as store_open() (the file's size against its meta pages,
 * the format record).  0, or -1 with a reason in err.
 */
int	store_open_file(struct store **, const char *path, uint64_t map_size_mb,
	    char *err, size_t errlen);
/*
 * Check an LMDB data file before it is mapped: the two meta pages are read
 * with pread, and the newer one's last page tells the least size the file
 * must have.  A shorter file (a truncated copy, which LMDB would map past
 * its end and die of SIGBUS on), a file whose meta pages are not LMDB's,
 * or one larger than map_size_mb is refused.  0 (also for an absent or
 * empty file: a new ledger); -1 for a damaged file (short, not LMDB's,
 * unreadable) or -2 for one larger than the map, with the reason in err.
 */
int	store_check_file(const char *path, uint64_t map_size_mb, char *err,
	    size_t errlen);

/*
 * The filesystem holding the ledger (statvfs of its directory): bytes
 * free to the daemon (f_bavail) and its size.  LD_OK, or
 * LD_E_STORAGE_ERROR with both 0.
 */
int	store_fs_space(struct store *, uint64_t *avail, uint64_t *total);
/*
 * The store's fatal state (contract 2.10 "Storage failure"): after
 * store_fail(), store_begin() refuses every transaction, read or write,
 * LD_E_STORAGE_ERROR, and store_failed() returns 1 with the cause copied
 * into why (may be NULL).  Set by the writer when a commit failed in a way
 * that leaves the daemon unable to vouch for the file, and by the store
 * itself when LMDB reports MDB_PANIC.  The first cause is kept; logged
 * once.  Any thread.
 */
void	store_fail(struct store *, const char *why);
int	store_failed(struct store *, char *why, size_t whylen);
/*
 * After a failed commit: 1 when LMDB's environment is still usable (a new
 * write transaction can begin: the failure left the last committed state
 * in place, as a full disk or map does), 0 when LMDB is in its fatal
 * state (MDB_PANIC) or cannot begin a transaction.  Writer thread only
 * (it begins and aborts a write transaction).
 */
int	store_env_usable(struct store *);
/*
 * "DIR/data.mdb: mdb_txn_commit: No space left on device": the last LMDB
 * or system failure any transaction met, "" when none.  Any thread.
 */
void	store_last_error(struct store *, char *buf, size_t len);
/*
 * LD_E_* for an LMDB return code or errno (see "sticky error" above);
 * LD_OK for 0, LD_E_NOT_FOUND for MDB_NOTFOUND.
 */
int	store_map_err(int rc);

/*
 * Begin a read (write = 0) or write transaction, which reads the size.
 * LD_OK and the transaction, or an error and NULL: LD_E_STORAGE_ERROR
 * once the store has failed (store_fail(), MDB_PANIC), LD_E_INTERNAL for a
 * write one on a read-only store, no memory, another LMDB failure (readers
 * table full...) or no size record.  A write transaction first waits for any other writer.
 * End it with store_commit() or store_abort().
 *
 * Caveat: keep read transactions short: the pages a reader sees cannot be
 * reused while it lives, so the map fills.  A thread must end its read
 * transaction before it begins another.
 */
int	store_begin(struct store *, int write, struct store_txn **);
/*
 * A nested write transaction, for an atomic batch inside a group commit:
 * committing it merges its changes into parent, aborting it drops only
 * them.  It starts at parent's size and shares parent's arena.  LD_OK and
 * the child; parent's sticky error; or LD_E_INTERNAL (parent read-only, no
 * memory, LMDB failure); the child pointer is NULL on failure.
 *
 * Caveat: parent must not be used until the child has ended (LMDB).  A
 * child's sticky error does not reach parent unless its commit fails.
 */
int	store_begin_nested(struct store_txn *parent, struct store_txn **);
/*
 * Commit and free the transaction, whatever the result.  An outermost
 * transaction that appended first seals the tree head.  Returns LD_OK
 * (for an outermost transaction: synced to disk, except in a scratch
 * store); the sticky error, after aborting; or LMDB's failure to commit:
 * LD_E_STORAGE_FULL or LD_E_INTERNAL.  A nested commit that fails also
 * fails its parent with the same code: the parent's state can no longer
 * be vouched for.
 */
int	store_commit(struct store_txn *);
/*
 * Drop the transaction's changes and free it; NULL is a no-op.  Ends read
 * transactions too.  Pointers it returned, and an outermost transaction's
 * arena, become invalid.
 */
void	store_abort(struct store_txn *);
/*
 * The sticky error: LD_OK until something failed.  For a caller that
 * ignored returns along the way and checks once.
 */
int	store_error(const struct store_txn *);
/*
 * The sticky error as text for the log: "mdb_put: MDB_MAP_FULL: ..." when
 * an LMDB call failed, else the code's name ("INTERNAL"), "" for LD_OK.
 * Points into t: valid until the next call or its end.
 */
const char *store_error_text(struct store_txn *);

/*
 * Number of entries, which is also the last seq, as the transaction sees
 * it: store_append() and a nested commit advance it.
 */
uint64_t store_size(struct store_txn *);

/*
 * Entry seq, decoded into *e (a copy: it outlives the transaction): LD_OK
 * or LD_E_NOT_FOUND; LD_E_INTERNAL also when the bytes carry another seq.
 * Like every read of an entry, the bytes are first checked against the
 * stored leaf hash (contract 2.4): LD_E_DAMAGED (not sticky) when they do
 * not match or the leaf is missing; the store logs the seq once and counts
 * it (store_damaged()).  A damaged entry is never returned.
 */
int	store_get(struct store_txn *, uint64_t seq, struct ld_entry *);
/*
 * Raw canonical bytes of seq, not decoded, checked as store_get() checks
 * them: LD_OK, LD_E_NOT_FOUND or LD_E_DAMAGED.  See "Memory" above for how
 * long *enc lives; never write through it.
 */
int	store_get_raw(struct store_txn *, uint64_t seq, const uint8_t **enc, size_t *len);
/*
 * The number of distinct damaged entries reads have met since the store
 * was opened (ledgerd_damaged_entries), and the last of them (0 = none).
 * Any thread.
 */
uint64_t	store_damaged(struct store *, uint64_t *last_seq);
/*
 * Report entry seq damaged, as a read does (the scrub uses it): logged once
 * per seq, counted.
 */
void	store_damage_seen(struct store *, uint64_t seq);
/* The 32-byte leaf hash of seq: LD_OK or LD_E_NOT_FOUND. */
int	store_get_leaf(struct store_txn *, uint64_t seq, uint8_t leaf[32]);

/*
 * Index lookups: LD_OK and the seq, or LD_E_NOT_FOUND (also for "" or a key
 * over 511 bytes, which LMDB cannot hold).
 */
int	store_find_id(struct store_txn *, const char *id, uint64_t *seq);
int	store_find_region(struct store_txn *, const char *code, uint64_t *seq);
/*
 * The seqs of every entry whose ref is ref, ascending, in *seqs (malloc'd,
 * the caller frees; NULL when *n is 0).  LD_OK (also when there is none),
 * the sticky error, or LD_E_INTERNAL (sticky) when memory runs out.
 */
int	store_ref_seqs(struct store_txn *, const char *ref, uint64_t **seqs,
	    uint32_t *n);
/*
 * The grant type of a registered region (*grant = 0 and NOT_FOUND if none).
 * A format 1 record has none: it is read from the region's entry then.
 */
int	store_region_grant(struct store_txn *, const char *code, int *grant);
/* The seq of the reversal of seq: LD_OK, or LD_E_NOT_FOUND when unreversed. */
int	store_reversed_by(struct store_txn *, uint64_t seq, uint64_t *by);

/*
 * Balances: LD_OK; when none is stored *out is zeroed with its key set.  A
 * region balance not stored yet also carries the region's grant type and
 * account when the region is registered.  Version 1's shorter records read
 * with the newer fields 0.
 */
int	store_acct_bal(struct store_txn *, uint8_t account, uint16_t fy, struct ld_acct_bal *out);
int	store_region_bal(struct store_txn *, const char *region, uint16_t fy, struct ld_region_bal *out);
/*
 * Every stored balance of fiscal year fy, accounts by account, regions by
 * code, in an array the caller frees (NULL when *n is 0; also on failure).
 */
int	store_acct_bals(struct store_txn *, uint16_t fy, struct ld_acct_bal **out, uint32_t *n);
int	store_region_bals(struct store_txn *, uint16_t fy, struct ld_region_bal **out, uint32_t *n);
/* Region entries' seqs in code order (caller frees *seqs; NULL when none). */
int	store_region_seqs(struct store_txn *, uint64_t **seqs, uint32_t *n);

/* Terms in force for (fy, grant): LD_OK, or LD_E_NOT_FOUND (*out zeroed). */
int	store_terms(struct store_txn *, uint16_t fy, uint8_t grant, struct ld_terms *out);
/*
 * Every terms record of fy (0 = all), by fy then grant, as *n elements of
 * three parallel arrays: the terms, their fy and their grant type.  The
 * caller frees all three (each NULL when *n is 0; also on failure).
 */
int	store_terms_all(struct store_txn *, uint16_t fy, struct ld_terms **out,
	    uint16_t **fys, uint8_t **grants, uint32_t *n);
/*
 * The unreversed disbursements of a region-year in seq order (caller
 * frees *out; *n = 0 and *out = NULL when none, and on failure).
 */
int	store_payments(struct store_txn *, const char *region, uint16_t fy,
	    struct rcv_payment **out, size_t *n);
/*
 * The region-year's repayment order: LD_OK, or LD_E_NOT_FOUND (*out
 * untouched).  struct ld_order is about 24 KiB: not for a small stack.
 */
int	store_order(struct store_txn *, const char *region, uint16_t fy,
	    struct ld_order *out);
/*
 * Every order of fy (0 = all) as (region, fy) keys, in key order (fy, then
 * code).  fn's arguments are valid during the call only.  fn returns 0 to
 * go on; anything else stops the walk and is returned, except 1, which is
 * the walk's own end-of-year signal and reads as 0.  Returns 0, fn's value,
 * the sticky error, or LD_E_INTERNAL (not sticky) for no memory or a
 * malformed record.
 */
typedef int	(*store_order_fn)(void *ctx, const char *region, uint16_t fy,
		    const struct ld_order *);
int	store_orders(struct store_txn *, uint16_t fy, store_order_fn, void *ctx);

/*
 * Derived state writers, called by apply.c only.  Each is one put (or
 * delete) in the txn; the sticky error covers them.  They return LD_OK or
 * the sticky error.  Ids, regions, reversals and payments are written
 * once: a put over an existing key, or the delete of a payment that is not
 * there, is a bug, never a retry, and sticks as LD_E_INTERNAL; so does an
 * order over RCV_PARTS_MAX parts or RCV_RECEIPTS_MAX receipts.  Balances,
 * terms and orders are overwritten.
 *
 * Caveat: an empty id or code fails in LMDB (sticky LD_E_INTERNAL): store
 * ids only when there is one.
 */
int	store_put_id(struct store_txn *, const char *id, uint64_t seq);
int	store_put_ref(struct store_txn *, const char *ref, uint64_t seq);
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
 * bytes, in the arena: valid until the outermost transaction ends.
 * Returns LD_OK or the (now sticky) error.  An entry that does not encode
 * (a field invalid for its kind), a wrong seq or a read transaction is
 * LD_E_INTERNAL before anything is written, and is not sticky.  e is not
 * changed; its recorded_at and actor are the caller's to set.
 */
int	store_append(struct store_txn *, struct ld_entry *e,
	    const uint8_t **enc, size_t *enclen);

/*
 * Start-up check: the tree head sealed by the last commit matches the root
 * recomputed from the stored nodes, and the newest tail entries decode and
 * match their leaf hashes.  0, or -1 with what is wrong in err.  The full
 * check is `ledgerd --verify`.  An empty store passes.  Runs in a read
 * transaction of its own.
 */
int	store_check_head(struct store *, unsigned tail, char *err, size_t errlen);

/*
 * Merkle access over the txn, for proofs and roots (merkle.h callbacks).
 * Root of the tree of the first size entries, from the stored nodes:
 * LD_OK; the sticky error; or LD_E_INTERNAL when a node is missing (size
 * beyond the store, or damage; not sticky).
 */
int	store_tree_root(struct store_txn *, uint64_t size, uint8_t root[32]);
/*
 * merkle_get_fn over a struct store_txn: level 0 is the leaf of seq
 * index + 1, levels 1..63 the nodes database.  0, or -1.
 */
int	store_tree_get(void *txn, unsigned level, uint64_t index, uint8_t out[32]);

/*
 * Two-person approval (contract 2.7, 2.10), derived from the policy,
 * request and approval entries:
 *   policy    "policy" -> the policy entry in force (struct ld_policy)
 *   requests  u64 request seq -> struct ld_reqstate
 * (struct ld_policy, struct ld_reqstate: balance.h.)
 * store_policy() fills *p with the defaults (seq 0: no policy entry,
 * nothing required, expire_days 14) and returns LD_OK when there is none.
 * store_request() returns LD_E_NOT_FOUND for a seq that is no request.
 * store_request_seqs() collects, in seq order, the requests that are open
 * (open_only) or of fiscal year fy (0 = every year), and for the decided
 * ones among them (not open_only) the deciding approval's seq and, for an
 * approved one, its action's (approval + 1): what the APPROVALS read
 * streams.  *seqs is the caller's to free.
 */
int	store_policy(struct store_txn *, struct ld_policy *);
int	store_put_policy(struct store_txn *, const struct ld_policy *);
int	store_request(struct store_txn *, uint64_t seq, struct ld_reqstate *);
int	store_put_request(struct store_txn *, uint64_t seq,
	    const struct ld_reqstate *);
int	store_request_seqs(struct store_txn *, int open_only, uint16_t fy,
	    uint64_t **seqs, uint32_t *n);

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
	STORE_DB_REFS,
	STORE_DB_POLICY,
	STORE_DB_REQUESTS,
	STORE_DB_COSIGS,	/* witnesses' cosignatures: not derived state */
	STORE_DB_COUNT
};
/* The derived databases, which a replay rebuilds and --verify compares. */
#define STORE_DB_DERIVED_FIRST	STORE_DB_IDS
#define STORE_DB_DERIVED_LAST	STORE_DB_REQUESTS
/* The database's LMDB name ("entries"); "?" when db is out of range. */
const char	*store_db_name(int db);

/*
 * Compare db record by record in two transactions (of two stores).  0 when
 * equal; otherwise 1 with the first differing key copied into key/klen
 * (at most 511 bytes) and *where: -1 only in a, 1 only in b, 0 in both
 * with different values.  LMDB failures return the sticky error (> 1), and
 * LD_E_INTERNAL (not sticky) says that a store lacks db (read-only format 1).
 *
 * Caveat: db is not range-checked here: pass an enum store_db value.
 */
int	store_diff(struct store_txn *a, struct store_txn *b, int db,
	    uint8_t key[511], size_t *klen, int *where);
/*
 * Empty db (for a rebuild of the derived state): LD_OK, the sticky error,
 * or LD_E_INTERNAL (not sticky) for a read transaction or a db that is not
 * derived (STORE_DB_DERIVED_FIRST..LAST).
 */
int	store_drop(struct store_txn *, int db);
/*
 * Set the store format record to STORE_FORMAT (after a rebuild): LD_OK or
 * the sticky error.  Caveat: store_needs_rebuild() says 0 from now on, even
 * if the transaction is then aborted.
 */
int	store_set_format(struct store_txn *);
/*
 * The Raft index of the last log entry this ledger applied (replica.h), in
 * the meta database beside the size, so that one commit makes both
 * durable.  store_applied(): LD_OK and *index (0 when none is stored: a
 * single-node ledger, or a member that applied nothing yet), the sticky
 * error, or LD_E_INTERNAL (sticky) for a record that is not 8 bytes.
 * store_set_applied(): LD_OK or the sticky error (write transaction).
 */
int	store_applied(struct store_txn *, uint64_t *index);
int	store_set_applied(struct store_txn *, uint64_t index);

/*
 * Call fn for every record of db (enum store_db) whose key is >= from
 * (fromlen 0: from the first), in key order, until fn returns non-zero.
 * Key and value are valid during the call only.  Returns 0 when the records
 * ran out, fn's non-zero value when it stopped the scan, or the sticky
 * error (LD_E_INTERNAL) when LMDB failed; LD_E_INTERNAL, not sticky, for
 * a db out of range.  fn may return an LD_E_* code: the caller cannot
 * tell it from a failure, which is the point.
 *
 * Caveat: on a read-only format 1 store terms, payments and orders are
 * absent; they must not be scanned (nor counted).
 */
typedef int	(*store_scan_fn)(void *ctx, const uint8_t *key, size_t klen,
		    const uint8_t *val, size_t vlen);
int	store_scan(struct store_txn *, int db, const void *from, size_t fromlen,
	    store_scan_fn fn, void *ctx);
/*
 * Number of records in db: LD_OK, the sticky error, or LD_E_INTERNAL (not
 * sticky) for a db out of range; *n is 0 on failure.
 */
int	store_count(struct store_txn *, int db, uint64_t *n);
/*
 * Decode a stored acctbal / regbal record (key and value as store_scan()
 * passes them) into *out, zeroed first.  Version 1's shorter values read
 * with the newer fields 0.  0, or -1 when the record is malformed: a wrong
 * length, a key that disagrees with the value, an invalid region code.
 * The figures themselves are not checked.
 */
int	store_acct_bal_decode(const uint8_t *key, size_t klen, const uint8_t *val,
	    size_t vlen, struct ld_acct_bal *out);
int	store_region_bal_decode(const uint8_t *key, size_t klen, const uint8_t *val,
	    size_t vlen, struct ld_region_bal *out);

/*
 * ---- Witnesses' cosignatures (store_cosign.c) ----
 *
 * One record per witness key, its newest accepted cosignature: not a
 * ledger entry and not derived from the entries (a replay cannot rebuild
 * it, --verify does not compare it), so it lives outside
 * STORE_DB_DERIVED_FIRST..LAST.  Written by the writer thread in its
 * group's transaction, read by CHECKPOINT in a read transaction.
 */
#define STORE_WITNESS_MAX	320	/* a witness verifier string and its NUL */
#define STORE_COSIG_NOTE_MAX	4096	/* a stored cosigned note */

struct store_cosig {
	char		witness[STORE_WITNESS_MAX];	/* verifier, NUL-terminated */
	uint64_t	ts;		/* the cosignature's timestamp */
	uint64_t	size;		/* tree size of the checkpoint */
	size_t		lineoff;	/* the cosignature line's offset in note */
	size_t		note_len;
	char		note[STORE_COSIG_NOTE_MAX + 1];	/* the log's note and
					   the cosignature line; NUL-terminated */
};

/*
 * The record of witness (a verifier string, NUL-terminated).
 * @return LD_OK; LD_E_NOT_FOUND (not sticky; also on a store without the
 *	database); the sticky error; LD_E_INTERNAL for a malformed record.
 */
int	store_cosig_get(struct store_txn *, const char *witness,
	    struct store_cosig *out);
/*
 * Replace witness c->witness's record with c (write transaction).
 * lineoff < note_len <= STORE_COSIG_NOTE_MAX, else LD_E_INTERNAL.
 * @return LD_OK or the sticky error.
 */
int	store_cosig_put(struct store_txn *, const struct store_cosig *c);
/*
 * Every witness's record, in key order, into *out (malloc'd array the
 * caller frees; NULL when none) and *n.
 * @return LD_OK, the sticky error, or LD_E_INTERNAL (a malformed record).
 */
int	store_cosig_all(struct store_txn *, struct store_cosig **out, size_t *n);

#endif
