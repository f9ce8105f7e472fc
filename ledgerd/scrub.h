/*
 * scrub.h - the background pass that re-verifies the whole ledger.
 *
 * Reads check each entry they serve against its leaf hash (store.h), but
 * an entry nobody reads could rot unseen.  The scrub reads every entry of
 * the tree (through store_get_raw(), so the same check) and recomputes
 * every stored Merkle node from its children, at a bounded rate, in its
 * own thread and its own short read transactions: it never holds the event
 * loop, and LMDB readers never block the writer.  A pass starts at
 * start-up, then every interval, and on request (`ledgerctl scrub`).
 *
 * Threads: scrub_start() and scrub_stop() on the main thread; every other
 * function from any thread.
 */
#ifndef LD_SCRUB_H
#define LD_SCRUB_H

#include <stdint.h>

struct store;
struct scrub;

/* What `status` shows of the scrub (contract 2.4). */
enum { SCRUB_NONE = 0, SCRUB_OK = 1, SCRUB_DAMAGED = 2 };
struct scrub_status {
	int		 running;	/* a pass is under way */
	uint64_t	 progress;	/* its items done (entries, then nodes) */
	uint64_t	 passes;	/* passes finished since start */
	int64_t		 finished_at;	/* the last pass's end, us; 0 = none */
	uint64_t	 size;		/* the tree size it checked */
	int		 result;	/* SCRUB_* of the last pass */
	uint64_t	 damaged_seq;	/* its first damaged seq; 0 = none */
};

/*
 * Start the scrub thread over st: a first pass at once and then one every
 * interval_h hours, or with interval_h 0 passes only on request; at most
 * rate items (an entry or a node) a second.  0, or -1 when the thread
 * cannot start.
 */
int	scrub_start(struct store *st, uint32_t interval_h, uint32_t rate,
	    struct scrub **out);
/*
 * Ask for a pass now: 1 when one starts, 0 when one is already running
 * (it is not restarted).  s may be NULL (no scrub): 0.
 */
int	scrub_request(struct scrub *s);
/* The figures above, consistent with each other.  s may be NULL. */
void	scrub_status(struct scrub *s, struct scrub_status *out);
/* Stop the thread (a pass in progress ends at its next chunk) and free s. */
void	scrub_stop(struct scrub *s);

#endif
