/*
 * verify.h - `ledgerd --verify`: the whole ledger recomputed from its
 * entries and compared with everything stored beside them.
 *
 * Checked, in this order, stopping at the first damage:
 *   each entry, in seq order: stored under its seq, decodable, carrying its
 *     own seq; its stored leaf hash; the Merkle nodes it completes; the
 *     writer's path replayed over it (apply_replay: valid request fields,
 *     the id not used before, the rules accept it with the terms in force
 *     in the ledger at that seq and derive the same bytes);
 *   then, against the last state: no entry, leaf or node beyond the size;
 *     the tree root; every derived database (ids, regions, reversed,
 *     balances, terms, payments, orders), record by record in both
 *     directions (missing, extra, different).  A version 1 store's derived
 *     state has another layout and is rebuilt when the daemon starts, so
 *     it is not compared.
 * Nothing is read from the config but the map size: the verdict on the
 * same bytes is the same under any config.
 * Roles are not replayed: who held which role when an entry was written is
 * not recorded (the entry names its actor, not the actor's role).
 *
 * Entries are read in chunks, each in its own short read transaction, so
 * that a large ledger does not pin old pages for the whole run.  The final
 * comparisons run in the transaction that reads the last chunk: should a
 * daemon append meanwhile, the check simply reads on until it reaches the
 * size of one snapshot and compares against that same snapshot.
 */
#ifndef LD_VERIFY_H
#define LD_VERIFY_H

#include <stdint.h>

#include "store.h"

/* verify_ledger()'s results; also `ledgerd --verify`'s exit status. */
#define VERIFY_INTACT	0
#define VERIFY_DAMAGED	1
#define VERIFY_ERROR	2	/* could not check: unreadable, out of memory */

/* Entries per read transaction. */
#define VERIFY_CHUNK	10000

struct verify_report {
	uint64_t	size;		/* entries checked */
	uint64_t	bad_seq;	/* first bad seq; 0 when the damage is not
					   tied to one entry (a balance, an extra
					   record, the root) or none */
	uint8_t		root[32];	/* the recomputed tree root */
	char		reason[512];	/* "seq 12: leaf hash mismatch"; "" if intact */
};

/*
 * Check the ledger of st (opened read-only or not), replaying into a
 * scratch store of map_size_mb under $TMPDIR.  Fills *rep
 * and returns VERIFY_INTACT, VERIFY_DAMAGED (rep->reason says what and
 * rep->bad_seq where) or VERIFY_ERROR (rep->reason says why).
 */
int	verify_ledger(struct store *st, uint64_t map_size_mb,
	    struct verify_report *rep);

#endif
