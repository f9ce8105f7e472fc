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

#include "recon.h"

/* --format of report and reconcile. */
enum report_format {
	REPORT_TABLE = 1,
	REPORT_CSV,		/* report only */
	REPORT_JSON
};

/*
 * The balance report r, whose figures were taken at tree size size: the
 * regions (by code), then the accounts, then the year's total.  Returns 0,
 * or -1 with what went wrong in *why ("cannot write the report" or "out
 * of memory").
 */
int	report_print(FILE *, int format, const struct report *r,
	    uint64_t size, const char **why);

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
