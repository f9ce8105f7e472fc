/*
 * apply.h - the ledger's state machine: how one entry comes to be.
 *
 * There is exactly one path from a request to an entry and its effects on
 * the derived state (indexes, balances, terms in force, payments, repayment
 * orders): look up what the rules need, decide with rules.c, write the
 * effects.  The writer runs it for new requests (apply_write); `ledgerd
 * --verify` runs it again for every stored entry, into a scratch store,
 * and compares what it rebuilt with what is stored (apply_replay); a
 * version 1 store gets its derived state rebuilt the same way
 * (apply_rebuild).  No other code decides a rule or writes derived state.
 *
 * Two transactions: entries are read from `et` (a reversal's target) and the
 * state is read and written in `st`.  For the writer both are its one write
 * transaction; for the replay, `et` reads the ledger being checked and `st`
 * is the scratch store, so a damaged derived record in the ledger can never
 * influence the verdict on an entry.
 */
#ifndef LD_APPLY_H
#define LD_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "store.h"

/* apply_replay()'s result when the rules accept an entry but derive other
   fields than it carries. */
#define APPLY_MISMATCH	(-1)

/*
 * Decide and append one write request inside t: validation,
 * authorization, idempotency, rules, effects, append.  now is the entry's
 * recorded_at (the writer keeps it monotonic).  On LD_OK, *enc and *len
 * point at the entry's bytes (valid until the txn ends) and *dup tells
 * whether it was an earlier entry with the same id.  A refusal returns the
 * rule's code and has written nothing.
 */
int	apply_write(struct store_txn *t, int role, const char *actor,
	    int64_t now, struct ld_entry *req, int *dup, const uint8_t **enc,
	    size_t *len);

/*
 * Replay stored entry e: rebuild the request it was written from, decide it
 * against the state in st (reading entries from et) with e's own seq and
 * recorded_at, and write its effects into st.  Returns LD_OK; a rule's code
 * when the rules refuse it; APPLY_MISMATCH when the fields derived now
 * differ from the stored ones (what differs in why); or, for a failure of
 * st or et, LD_E_INTERNAL / LD_E_STORAGE_FULL with store_error() set.
 */
int	apply_replay(struct store_txn *et, struct store_txn *st,
	    const struct ld_entry *e, char *why, size_t whylen);

/*
 * Rebuild the derived state of st from its entries (a version 1 store
 * opened by a version 2 daemon), in one write transaction, and mark the
 * store as current.  0, or -1 with the reason in err.
 */
int	apply_rebuild(struct store *st, char *err, size_t errlen);

#endif
