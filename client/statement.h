/*
 * statement.h - the bank statement that `reconcile --statement` compares
 * the ledger with: a CSV file of the contract's "Reconciliation formats",
 * read into recon.h's items.
 *
 * Statements come from banks and are opened and saved again in Excel
 * before they reach ledgerctl, so the reader takes what Excel writes
 * (docs/RECONCILIATION.md, "CSV files read"):
 *
 *   - columns found by their header name, in any order: date, ref and
 *     amount are required, memo is kept when present, any other column
 *     is ignored;
 *   - dates as YYYY-MM-DD, or as Excel writes them back: 2013/6/30,
 *     2013/06/30 (and whatever else proto/values.h's parse_date() takes);
 *   - amounts with ',' grouping and an optional yen sign (¥, ￥, or '\',
 *     which is how Shift_JIS writes ¥), the '-' before or after it;
 *   - refs of any UTF-8 text; full-width ASCII (Ｖ－０００７) is folded to
 *     ASCII so that it matches the ledger's ref, which the contract keeps
 *     printable ASCII;
 *   - blank lines and blank rows (",,,") skipped;
 *   - UTF-8, with or without a byte order mark, or CP932 (Shift_JIS) with
 *     --encoding cp932, converted by glibc's iconv before parsing.
 *
 * The row parsers are pure, so that tests/test_recon.c checks every rule
 * without a file; statement_read() applies them to a whole file before any
 * connection, so that a bad line is a usage error naming the file, the
 * line and the column, and nothing is ever compared against half a
 * statement.
 */
#ifndef LD_STATEMENT_H
#define LD_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "recon.h"

struct ctl;
struct ctl_cmd;

/* The columns a statement must have (any order; memo optional). */
#define STATEMENT_COLUMNS	"date, ref and amount"

/* reconcile --encoding */
enum statement_encoding {
	STATEMENT_UTF8 = 0,
	STATEMENT_CP932
};

/*
 * --encoding's value: "utf-8" (or "utf8"), "cp932" (or "shift_jis",
 * "sjis"), any case.  Returns 0 with *enc set, or -1.
 */
int	statement_encoding(const char *name, int *enc);

/*
 * A statement amount: optional spaces, an optional '-', an optional yen
 * sign (U+00A5, U+FFE5 or '\'), an optional '-' when none came before it,
 * then digits, plain or grouped by threes with ','; optional spaces.  Not
 * zero, magnitude at most 10^13.  No units and no full-width digits: the
 * amount column of a bank's file is never typed by hand.
 * Returns 0 with *out set (refunds negative), or -1.
 */
int	statement_parse_amount(const char *s, int64_t *out);

/*
 * A statement date into *out (YYYYMMDD): what parse_date() takes, and
 * Excel's YYYY/M/D with one- or two-digit month and day.  Returns 0, or
 * -1 with the reason in err.
 */
int	statement_parse_date(const char *s, uint32_t *out, char *err,
	    size_t errlen);

/*
 * A statement ref into out (outsz >= LD_REF_MAX + 1): well-formed UTF-8
 * without control characters, full-width ASCII forms (U+FF01..U+FF5E)
 * and the ideographic space folded to ASCII, then 1-64 bytes.  Returns 0,
 * or -1 with the reason in err.
 */
int	statement_parse_ref(const char *s, char *out, size_t outsz, char *err,
	    size_t errlen);

/* Where each column is in a record (CSVR_ABSENT for an absent memo). */
struct statement_cols {
	size_t		 date, ref, amount, memo;
	size_t		 nfield;	/* fields of the header, and of each record */
};

/*
 * One statement record into *it (where = line).  it->memo points into
 * field[] (borrowed: statement_read() copies it), NULL without a memo
 * column.  Returns 0, or -1 with "amount (column 3): ..." in err.
 */
int	statement_parse_row(char *const *field, size_t nfield,
	    const struct statement_cols *c, unsigned long line,
	    struct recon_item *it, char *err, size_t errlen);

/* A statement read whole. */
struct statement {
	struct recon_item *items;	/* owned, with each item's memo */
	size_t		 n;
	int		 has_memo;	/* the file has a memo column */
};

/*
 * The whole statement at path, in encoding enc, into *st.  CTL_OK, or the
 * status of a failure already printed: a file that cannot be read or a bad
 * line is a usage error of cmd naming the file and the line (CTL_USAGE),
 * memory running out CTL_CONN.  Free with statement_free() either way.
 */
int	statement_read(struct ctl *, const struct ctl_cmd *cmd,
	    const char *path, int enc, struct statement *st);
void	statement_free(struct statement *);

#endif
