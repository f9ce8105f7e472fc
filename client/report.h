/*
 * report.h - how `report` and `reconcile` print what they computed
 * (recon.h): the balance report of a fiscal year and the reconciliation
 * report, its differences with a statement, each as a table for people,
 * JSON lines, or for the balance report CSV (docs/RECONCILIATION.md has the
 * formats in full).
 *
 * Printing is apart from the arithmetic so that the figures are tested
 * without parsing text, and apart from the commands so that a command
 * reads as what it asks the daemon and in which order.
 */
#ifndef LD_REPORT_H
#define LD_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "balance.h"
#include "display.h"
#include "recon.h"
#include "regnames.h"

/* --format of report and reconcile. */
enum report_format {
	REPORT_TABLE = 1,
	REPORT_CSV,		/* report only */
	REPORT_JSON,
	REPORT_HTML		/* report only */
};

/* What the balance report shows beside its own figures.  All borrowed. */
struct report_ctx {
	struct disp			 disp;	/* language and unit (text, HTML) */
	uint64_t			 size;	/* the tree size the figures are at */
	uint8_t				 root[32];	/* the root at size */
	int64_t				 now_us;	/* when it was made (HTML) */
	const struct regnames		*names;	/* NULL: codes only */
	const struct ld_region_bal	*g;	/* the daemon's balances at size */
	size_t				 ng;
	const struct ld_acct_bal	*a;
	size_t				 na;
};

/*
 * The balance report r, whose figures were taken at tree size x->size: the
 * regions (by code), then the accounts, then the year's total, in format
 * (report.c has each format in full).  Settlement and carry-over figures
 * are looked up by region and account in x->g and x->a.  Returns 0, or -1
 * with what went wrong in *why ("cannot write the report" or "out of
 * memory").
 */
int	report_print(FILE *, int format, const struct report *r,
	    const struct report_ctx *x, const char **why);

/*
 * Write buf[0..len-1] to path atomically: a temporary file beside it
 * (mode 0666 less the umask), fsync, rename over path, so that a reader
 * sees the old file or the whole new one.  Returns 0, or -1 with the
 * reason in err; on failure path is untouched and the temporary removed.
 */
int	report_save(const char *path, const char *buf, size_t len, char *err,
	    size_t errlen);

/*
 * The differences res of fiscal year fy between the ledger's payments
 * l[0..nl-1] and the statement's lines s[0..ns-1] (the arrays recon_match()
 * sorted): one line per difference and a summary, or a single line saying
 * that everything matched.  Returns 0, or -1 when the output failed.
 */
int	reconcile_print(FILE *, int format, uint16_t fy,
	    const struct recon_result *res, const struct recon_item *l,
	    size_t nl, const struct recon_item *s, size_t ns);

#endif
