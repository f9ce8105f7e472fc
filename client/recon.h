/*
 * recon.h - the arithmetic of `report` and `reconcile` (recon.c): what they
 * compute from entries and statement lines, separated from the connection,
 * the files and the printing so that the unit tests (tests/test_recon.c)
 * drive it over plain arrays.  The commands are cmd_recon.c; reading a
 * statement is statement.c and printing the results report.c.
 *
 * Both `report` and `reconcile` read the entries of one fiscal year (LIST
 * with the fy filter: appropriations, awards, payments, reversals and
 * year_close entries of that year; a reversal carries its target's fy) into
 * struct recon_entry, a compact copy that keeps what the sums need and not
 * the 2 KB of text fields of a struct ld_entry.
 */
#ifndef LD_RECON_H
#define LD_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "balance.h"
#include "entry.h"

/* The fields of an entry that totals and reconciliation look at. */
struct recon_entry {
	uint64_t	seq;
	uint64_t	reverses;	/* reversal: its target */
	int64_t		amount;		/* positive, as in the entry */
	uint32_t	date;		/* payments: YYYYMMDD */
	uint16_t	fy;
	uint8_t		kind;
	uint8_t		account;
	uint8_t		target_kind;	/* reversal */
	char		region[LD_CODE_MAX + 1];
	char		ref[LD_REF_MAX + 1];
};

/* Copy what recon_entry keeps from a decoded entry. */
void	recon_entry_from(struct recon_entry *, const struct ld_entry *);

/*
 * report: the balances of one fiscal year recomputed from its entries, in
 * the shapes the daemon answers BALANCE with (proto/balance.h), so that the
 * two can be compared field by field.
 *
 *   - an award replaces the region's earlier award of the year (the one
 *     with the highest seq is current; awards are never reversed); an
 *     award_cancel after it makes it 0;
 *   - appropriations, disbursements and refunds count unless a reversal
 *     of that year names their seq;
 *   - an account's awarded is the sum of its regions' current awards, its
 *     disbursed and refunded the sums over its regions; closed when a
 *     year_close of (account, fy) exists.
 *
 * Region rows hold only the regions with a current award (as BALANCE does;
 * no payment exists without one), sorted by code; grant_type is left 0:
 * entries of a year do not carry it, the caller takes it from the daemon.
 */
struct report {
	uint16_t		 fy;
	struct ld_acct_bal	 acct[LD_A_MAX];	/* by account - 1 */
	struct ld_region_bal	*region;		/* owned */
	size_t			 nregion;
	size_t			 nentries;		/* entries of the year read */
};

/*
 * Compute r from the n entries of fiscal year fy (any order).  Returns 0, or
 * -1 when memory ran out, a sum overflowed or an entry is inconsistent (a
 * payment without a current award, an entry of another year): the ledger
 * never holds such entries, so they mean a broken answer.  why names it.
 */
int	report_compute(struct report *r, uint16_t fy, const struct recon_entry *e,
	    size_t n, char *why, size_t whylen);
void	report_free(struct report *);

/*
 * Cross-check r against the daemon's BALANCE answer for its year (accounts
 * a[0..na-1], regions g[0..ng-1]): every figure must agree, and the
 * daemon's region balances must add up to its account balances.  Copies
 * the daemon's grant types into r.  Returns 0 when everything agrees, or -1
 * with the first disagreement in why.
 */
int	report_check(struct report *r, const struct ld_acct_bal *a, size_t na,
	    const struct ld_region_bal *g, size_t ng, char *why, size_t whylen);

/*
 * reconcile: one side of the comparison, a payment with a signed amount
 * (disbursements positive, refunds negative).  where is the entry's seq on
 * the ledger side and the line number on the statement side; memo is the
 * statement line's memo column (owned by the statement, statement.h),
 * NULL on the ledger side and when the statement has none.
 */
struct recon_item {
	char		ref[LD_REF_MAX + 1];
	uint32_t	date;
	int64_t		amount;
	uint64_t	where;
	char		*memo;
};

/*
 * The ledger side from the entries of the year: every disbursement and
 * refund whose seq no reversal names.  *out is allocated (caller frees;
 * NULL when there are none).  0, or -1 when memory ran out.
 */
int	recon_ledger_items(const struct recon_entry *e, size_t n,
	    struct recon_item **out, size_t *nout);

enum recon_diff_type {
	RECON_MISSING_IN_STATEMENT = 0,	/* ref in the ledger only */
	RECON_MISSING_IN_LEDGER,	/* ref on the statement only */
	RECON_AMOUNT_MISMATCH,		/* both; the net amounts differ */
	RECON_DATE_MISMATCH,		/* a statement date no ledger entry of the ref has */
	RECON_NTYPES
};

/* The contract's names: "missing_in_statement", ... */
const char	*recon_diff_name(int type);

/*
 * One difference.  ledger[lfirst .. lfirst + lcount - 1] and
 * stmt[sfirst .. sfirst + scount - 1] are the items of ref in the (sorted)
 * arrays given to recon_match(); a date_mismatch names the statement item
 * sitem whose date the ledger lacks.
 */
struct recon_diff {
	int		type;
	const char	*ref;		/* borrowed from the items */
	int64_t		ledger_amount;	/* net of the ledger's items of ref */
	int64_t		statement_amount;
	size_t		lfirst, lcount;
	size_t		sfirst, scount;
	size_t		sitem;		/* date_mismatch */
};

struct recon_result {
	struct recon_diff *diff;	/* owned; sorted by ref, then type */
	size_t		 ndiff;
	size_t		 count[RECON_NTYPES];
	size_t		 ledger_refs;
	size_t		 statement_refs;
	size_t		 matched;	/* refs in both, equal amounts, every date known */
};

/*
 * Compare the two sides.  Sorts ledger and stmt in place by (ref, date,
 * where), groups each by ref and compares the groups' sums; every
 * difference is listed (a ref may have an amount_mismatch and date
 * mismatches at once).  Returns 0, or -1 when memory ran out or a sum
 * overflowed (not with amounts of at most 10^13 and fewer than 900,000
 * items).  Free the result with recon_result_free().
 */
int	recon_match(struct recon_item *ledger, size_t nl, struct recon_item *stmt,
	    size_t ns, struct recon_result *res);
void	recon_result_free(struct recon_result *);

#endif
