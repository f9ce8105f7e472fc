/*
 * statement.h - the bank statement that `reconcile --statement` compares
 * the ledger with: a CSV file of the contract's "Reconciliation formats",
 * read into recon.h's items.
 *
 * The row parser is pure, so that tests/test_recon.c checks every rule
 * without a file; statement_read() applies it to a whole file before any
 * connection, so that a bad line is a usage error naming it and nothing
 * is ever compared against half a statement.
 */
#ifndef LD_STATEMENT_H
#define LD_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "recon.h"

struct ctl;
struct ctl_cmd;

/* The header line must be exactly this (after an optional byte order mark). */
#define STATEMENT_HEADER	"date,ref,amount"
#define STATEMENT_NFIELDS	3

/*
 * A statement amount: an optional '-', then digits, plain or grouped by
 * threes with ','; not zero, magnitude at most 10^13.  The statement is a
 * bank's file, not something typed, so no units and no full-width forms.
 */
int	statement_parse_amount(const char *s, int64_t *out);

/*
 * One statement record (date, ref, amount) into *it (where = line).
 * Returns 0, or -1 with "ref: ..." or the like in err.
 */
int	statement_parse_row(char *const *field, size_t nfield,
	    unsigned long line, struct recon_item *it, char *err, size_t errlen);

/*
 * The whole statement at path into *items (allocated; NULL when it has no
 * lines) and *nitems.  CTL_OK, or the status of a failure already printed:
 * a file that cannot be read or a bad line is a usage error of cmd naming
 * the file and the line (CTL_USAGE), memory running out CTL_CONN.
 */
int	statement_read(struct ctl *, const struct ctl_cmd *cmd,
	    const char *path, struct recon_item **items, size_t *nitems);

#endif
