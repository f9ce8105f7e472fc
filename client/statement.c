/*
 * statement.c - reading the bank statement of `reconcile` (statement.h).
 *
 * A statement is the bank's account of what left and came back, so its
 * lines are held to the same field rules as the ledger's payments: a date
 * the ledger could hold, a ref that could be an entry's, an amount a
 * payment could have.  A line that breaks them could never match, and
 * reporting it as a difference would bury the real differences under a
 * file problem; it is a usage error instead, with its line number.
 *
 * The amounts are signed (refunds negative) and plain: the file comes
 * from a bank, so ledgerctl's human syntaxes (1.5億, FY2013) do not apply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "ctl.h"
#include "entry.h"
#include "session.h"
#include "statement.h"
#include "values.h"

int
statement_parse_amount(const char *s, int64_t *out)
{
	int64_t		 v = 0;
	size_t		 digits = 0, group = 0;
	int		 neg = 0, grouped = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s != '\0'; s++) {
		if (*s == ',') {
			/* 1,000,000: one to three digits first, then threes. */
			if (digits == 0 || (grouped && group != 3) ||
			    (!grouped && digits > 3))
				return -1;
			grouped = 1;
			group = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (LD_AMOUNT_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		digits++;
		group++;
	}
	if (digits == 0 || (grouped && group != 3) || v == 0)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

int
statement_parse_row(char *const *field, size_t nfield, unsigned long line,
    struct recon_item *it, char *err, size_t errlen)
{
	char	 why[160] = "";

	memset(it, 0, sizeof(*it));
	if (nfield != STATEMENT_NFIELDS) {
		snprintf(err, errlen, "expected %d fields (%s), found %zu",
		    STATEMENT_NFIELDS, STATEMENT_HEADER, nfield);
		return -1;
	}
	if (parse_date(field[0], &it->date, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "date: %s", why[0] != '\0' ? why :
		    "not a date (YYYY-MM-DD)");
		return -1;
	}
	if (!ld_valid_ref(field[1])) {
		snprintf(err, errlen, "ref: must be 1-64 printable ASCII "
		    "characters");
		return -1;
	}
	memcpy(it->ref, field[1], strlen(field[1]) + 1);
	if (statement_parse_amount(field[2], &it->amount) == -1) {
		snprintf(err, errlen, "amount: '%.40s' is not a non-zero whole "
		    "number of yen (an optional '-', digits, optional ',' "
		    "grouping; at most 10,000,000,000,000)", field[2]);
		return -1;
	}
	it->where = line;
	return 0;
}

/* The whole statement, checked line by line before any connection. */
int
statement_read(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    struct recon_item **items, size_t *nitems)
{
	static const struct csvr_limits lim = { 1024, 4096, 16 };
	struct recon_item	 x, *v = NULL, *nv;
	struct csvr		 r;
	FILE			*f;
	size_t			 n = 0, cap = 0;
	char			 err[300];
	int			 rc = CTL_OK, k;

	*items = NULL;
	*nitems = 0;
	if ((f = fopen(path, "r")) == NULL)
		return ctl_usage(ctl, cmd, "cannot open %s: %s", path,
		    strerror(errno));
	csvr_init(&r, f, &lim);
	if (csvr_header(&r, STATEMENT_HEADER, STATEMENT_NFIELDS) == -1)
		rc = ctl_usage(ctl, cmd, "%s: %s", path, r.err);
	while (rc == CTL_OK && (k = csvr_next(&r)) != 0) {
		if (k == -1) {
			rc = ctl_usage(ctl, cmd, "%s: %s", path, r.err);
			break;
		}
		if (statement_parse_row(r.field, r.nfield, r.rec_line, &x, err,
		    sizeof(err)) == -1) {
			rc = ctl_usage(ctl, cmd, "%s: line %lu: %s", path,
			    r.rec_line, err);
			break;
		}
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 256;
			if ((nv = reallocarray(v, cap, sizeof(*nv))) == NULL) {
				fprintf(ctl->err, "ledgerctl: out of memory\n");
				rc = CTL_CONN;
				break;
			}
			v = nv;
		}
		v[n++] = x;
	}
	csvr_free(&r);
	fclose(f);
	if (rc != CTL_OK) {
		free(v);
		return rc;
	}
	*items = v;
	*nitems = n;
	return CTL_OK;
}
