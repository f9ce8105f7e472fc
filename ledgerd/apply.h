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
 *
 * Every function here needs the write transaction it is given, so it runs
 * on the thread that holds it: the writer thread, or main() before the
 * writer starts (rebuild, --verify).
 */
#ifndef LD_APPLY_H
#define LD_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "msg.h"
#include "store.h"

/* apply_replay()'s result when the rules accept an entry but derive other
   fields than it carries. */
#define APPLY_MISMATCH	(-1)

/*
 * Why a write was refused, for the client: the message ("" = the code's
 * default text) and the figures contract 2.3 names for the code.
 */
struct apply_why {
	char			msg[512];
	struct msg_fields	f;
};

/*
 * Decide and append one write request inside write transaction t:
 * validation, authorization, idempotency, rules, append, effects.  role
 * (enum role) is the caller's; actor, its certificate CN, is recorded in
 * the entry; now is the entry's recorded_at and the rules' "today" (the
 * writer keeps it monotonic).  req is the decoded request and becomes the
 * entry in place (format, seq, normalized and derived fields, actor,
 * recorded_at); a refused req is changed too, so do not reuse it.
 *
 * On LD_OK, *enc and *len point at the entry's bytes, in t's arena (valid
 * until the outermost transaction ends), and *dup is 0; or, when req's
 * non-empty id names an earlier entry of the same request, *dup is 1, the
 * bytes are that entry's and nothing was written.
 *
 * A refusal returns the rule's code and has written nothing:
 * LD_E_BAD_REQUEST (rules_validate), LD_E_FORBIDDEN (rules_authorize; a
 * reversal is judged by its target's kind), LD_E_ID_CONFLICT (the id names
 * a different request) or any code of rules_apply().  LD_E_INTERNAL or
 * LD_E_STORAGE_FULL report a storage failure; once it is sticky in t, the
 * whole transaction is lost.  *why (zeroed first) says what to fix:
 * FORBIDDEN names the CN and its role, ID_CONFLICT and DUPLICATE_REF the
 * seq, and the refusals of rules_explain() carry their figures (why may
 * be NULL).
 */
int	apply_write(struct store_txn *t, int role, const char *actor,
	    int64_t now, struct ld_entry *req, int *dup, const uint8_t **enc,
	    size_t *len, struct apply_why *why);

/*
 * Replay stored entry e, decoded from its enclen stored bytes enc: rebuild
 * the request it was written from, decide it against the state in st
 * (reading entries from et) with e's own seq and recorded_at, compare the
 * entry the rules derive with enc byte for byte, and write its effects
 * into st.  The role is not recorded,
 * so authorization is not replayed.  Returns LD_OK; a rule's code when the
 * rules refuse it (LD_E_BAD_REQUEST from rules_validate(), LD_E_ID_CONFLICT
 * when st already holds e's id, or a code of rules_apply()); APPLY_MISMATCH
 * when the fields derived now differ from the stored ones; or, for a
 * failure of st or et, LD_E_INTERNAL / LD_E_STORAGE_FULL with store_error()
 * set (LD_E_INTERNAL without it when memory ran out).  why (whylen bytes)
 * says what a refusal or a mismatch is about, and is "" otherwise.
 *
 * Caveat: replay every entry, in seq order, into a state that holds the
 * effects of exactly the entries before it; e is not appended to st.
 */
int	apply_replay(struct store_txn *et, struct store_txn *st,
	    const struct ld_entry *e, const uint8_t *enc, size_t enclen,
	    char *why, size_t whylen);

/*
 * Rebuild the derived state of st from its entries (a version 1 store
 * opened by a version 2 daemon), in one write transaction: drop the
 * derived databases, replay every entry (apply_replay() with et = st),
 * store_set_format() and commit.  0, or -1 with the reason in err for an
 * entry that cannot be read or replayed or a failed commit; a failure to
 * drop a database or to set the format returns -1 with err as it was.
 *
 * Caveat: the one transaction must fit the map beside the old derived
 * state until it commits (LMDB copies on write), and the writer must not
 * have started.
 */
int	apply_rebuild(struct store *st, char *err, size_t errlen);

#endif
