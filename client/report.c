/*
 * report.c - printing the results of `report` and `reconcile` (report.h).
 *
 * Formats:
 *
 *   report --format json: one object per line with a "type": "region"
 *   rows (region, fy, grant_type, account, award, disbursed, refunded, net,
 *   remaining), then "account" rows (account, fy, appropriated, award,
 *   unawarded, disbursed, refunded, net, remaining, closed), then one
 *   "total" row (fy, the same sums over both accounts, regions, entries,
 *   size: the tree size the figures are taken at).  --format csv: the same
 *   rows under the header REPORT_CSV_HEADER, empty where a column does not
 *   apply.  As a table: the regions, then the accounts and the total,
 *   two tables since their columns differ.
 *
 *   reconcile --format json: one object per difference, "type" being the
 *   contract's name, then a "summary" object.  The table has one row per
 *   difference with a DETAIL column that says where to look (seqs, lines,
 *   dates), then the counts.
 *
 * All three forms of the balance report are printed from the same struct
 * report_row, so they cannot disagree on a figure; the tables go through
 * output.c's table printer like every other table of the client.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "balance.h"
#include "csvwrite.h"
#include "entry.h"
#include "output.h"
#include "recon.h"
#include "report.h"
#include "values.h"

#define REPORT_CSV_HEADER "type,account,region,fy,grant_type,appropriated," \
	"award,unawarded,disbursed,refunded,net,remaining,closed"

/* One row of the report, whatever its type; NULL/-1 where n/a. */
struct report_row {
	const char	*type;		/* "region", "account", "total" */
	const char	*account;
	const char	*region;
	const char	*grant_type;
	uint16_t	 fy;
	int		 has_approp;	/* account and total rows */
	int64_t		 appropriated, award, disbursed, refunded;
	int		 closed;	/* -1 = n/a */
};

static json_t *
report_row_json(const struct report_row *w, size_t nregions, size_t nentries,
    uint64_t size)
{
	json_t	*o = json_object();
	int	 bad = o == NULL;

#define JSET(k, v) do { if (!bad && json_object_set_new(o, k, v) == -1) bad = 1; } while (0)
	JSET("type", json_string(w->type));
	if (w->account != NULL)
		JSET("account", json_string(w->account));
	if (w->region != NULL)
		JSET("region", json_string(w->region));
	JSET("fy", json_integer(w->fy));
	if (w->grant_type != NULL)
		JSET("grant_type", json_string(w->grant_type));
	if (w->has_approp)
		JSET("appropriated", json_integer(w->appropriated));
	JSET("award", json_integer(w->award));
	if (w->has_approp)
		JSET("unawarded", json_integer(w->appropriated - w->award));
	JSET("disbursed", json_integer(w->disbursed));
	JSET("refunded", json_integer(w->refunded));
	JSET("net", json_integer(w->disbursed - w->refunded));
	JSET("remaining", json_integer(w->award - (w->disbursed - w->refunded)));
	if (w->closed >= 0)
		JSET("closed", json_boolean(w->closed));
	if (strcmp(w->type, "total") == 0) {
		JSET("regions", json_integer((json_int_t)nregions));
		JSET("entries", json_integer((json_int_t)nentries));
		JSET("size", json_integer((json_int_t)size));
	}
#undef JSET
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
report_row_csv(FILE *f, const struct report_row *w)
{
	char		 v[8][32], fy[8];
	const char	*cells[13];

	snprintf(fy, sizeof(fy), "%u", w->fy);
	snprintf(v[0], sizeof(v[0]), "%" PRId64, w->appropriated);
	snprintf(v[1], sizeof(v[1]), "%" PRId64, w->award);
	snprintf(v[2], sizeof(v[2]), "%" PRId64, w->appropriated - w->award);
	snprintf(v[3], sizeof(v[3]), "%" PRId64, w->disbursed);
	snprintf(v[4], sizeof(v[4]), "%" PRId64, w->refunded);
	snprintf(v[5], sizeof(v[5]), "%" PRId64, w->disbursed - w->refunded);
	snprintf(v[6], sizeof(v[6]), "%" PRId64,
	    w->award - (w->disbursed - w->refunded));
	cells[0] = w->type;
	cells[1] = w->account;
	cells[2] = w->region;
	cells[3] = fy;
	cells[4] = w->grant_type;
	cells[5] = w->has_approp ? v[0] : NULL;
	cells[6] = v[1];
	cells[7] = w->has_approp ? v[2] : NULL;
	cells[8] = v[3];
	cells[9] = v[4];
	cells[10] = v[5];
	cells[11] = v[6];
	cells[12] = w->closed < 0 ? NULL : w->closed ? "true" : "false";
	return csv_write_row(f, cells, 13);
}

/* The rows in print order: regions (by code), accounts, the total. */
static struct report_row *
report_rows(const struct report *r, size_t *nrows)
{
	struct report_row	*v, *t;
	size_t			 i, n = r->nregion + LD_A_MAX + 1;

	if ((v = calloc(n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < r->nregion; i++) {
		v[i].type = "region";
		v[i].region = r->region[i].region;
		v[i].account = ld_account_name(r->region[i].account);
		v[i].grant_type = ld_grant_name(r->region[i].grant_type);
		v[i].fy = r->fy;
		v[i].award = r->region[i].award;
		v[i].disbursed = r->region[i].disbursed;
		v[i].refunded = r->region[i].refunded;
		v[i].closed = -1;
	}
	t = &v[n - 1];
	t->type = "total";
	t->fy = r->fy;
	t->has_approp = 1;
	t->closed = -1;
	for (i = 0; i < LD_A_MAX; i++) {
		struct report_row	*w = &v[r->nregion + i];

		w->type = "account";
		w->account = ld_account_name(r->acct[i].account);
		w->fy = r->fy;
		w->has_approp = 1;
		w->appropriated = r->acct[i].appropriated;
		w->award = r->acct[i].awarded;
		w->disbursed = r->acct[i].disbursed;
		w->refunded = r->acct[i].refunded;
		w->closed = r->acct[i].closed;
		/* Each figure is at most 10^13 times the entries: no overflow. */
		t->appropriated += w->appropriated;
		t->award += w->award;
		t->disbursed += w->disbursed;
		t->refunded += w->refunded;
	}
	*nrows = n;
	return v;
}

static int
report_table(FILE *f, const struct report *r, const struct report_row *v,
    size_t n, uint64_t size)
{
	static const char *const rheads[] = {
		"REGION", "GRANT_TYPE", "ACCOUNT", "AWARD", "DISBURSED",
		"REFUNDED", "NET", "REMAINING"
	};
	static const int rright[] = { 0, 0, 0, 1, 1, 1, 1, 1 };
	static const char *const aheads[] = {
		"ACCOUNT", "APPROPRIATED", "AWARD", "UNAWARDED", "DISBURSED",
		"REFUNDED", "NET", "REMAINING", "CLOSED"
	};
	static const int aright[] = { 0, 1, 1, 1, 1, 1, 1, 1, 0 };
	struct out_table	 tr = { 8, rheads, rright, NULL, 0, 0 };
	struct out_table	 ta = { 9, aheads, aright, NULL, 0, 0 };
	const char		*row[9];
	char			 a[7][32];
	size_t			 i;
	int			 rc = 0;

	fprintf(f, "FY%u report at tree size %" PRIu64 " (%zu entries of the "
	    "year); totals agree with the daemon's balances\n\n", r->fy, size,
	    r->nentries);
	for (i = 0; i < n; i++) {
		format_amount(v[i].appropriated, a[0], sizeof(a[0]));
		format_amount(v[i].award, a[1], sizeof(a[1]));
		format_amount(v[i].appropriated - v[i].award, a[2], sizeof(a[2]));
		format_amount(v[i].disbursed, a[3], sizeof(a[3]));
		format_amount(v[i].refunded, a[4], sizeof(a[4]));
		format_amount(v[i].disbursed - v[i].refunded, a[5], sizeof(a[5]));
		format_amount(v[i].award - (v[i].disbursed - v[i].refunded),
		    a[6], sizeof(a[6]));
		if (strcmp(v[i].type, "region") == 0) {
			row[0] = v[i].region;
			row[1] = v[i].grant_type != NULL ? v[i].grant_type : "?";
			row[2] = v[i].account != NULL ? v[i].account : "?";
			row[3] = a[1];
			row[4] = a[3];
			row[5] = a[4];
			row[6] = a[5];
			row[7] = a[6];
			out_table_add(&tr, row);
			continue;
		}
		row[0] = v[i].account != NULL ? v[i].account : "total";
		row[1] = a[0];
		row[2] = a[1];
		row[3] = a[2];
		row[4] = a[3];
		row[5] = a[4];
		row[6] = a[5];
		row[7] = a[6];
		row[8] = v[i].closed < 0 ? "-" : v[i].closed ? "yes" : "no";
		out_table_add(&ta, row);
	}
	if (tr.nrows > 0) {
		if (out_table_print(f, &tr) == -1)
			rc = -1;
		fputc('\n', f);
	} else
		fprintf(f, "no region has an award in FY%u\n\n", r->fy);
	if (out_table_print(f, &ta) == -1)
		rc = -1;
	out_table_free(&tr);
	out_table_free(&ta);
	return rc;
}

int
report_print(FILE *f, int fmt, const struct report *r, uint64_t size,
    const char **why)
{
	struct report_row	*rows;
	size_t			 nrows = 0, i;
	int			 rc = 0;

	if ((rows = report_rows(r, &nrows)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	switch (fmt) {
	case REPORT_JSON:
		for (i = 0; i < nrows && rc == 0; i++)
			rc = out_json_line(f, report_row_json(&rows[i],
			    r->nregion, r->nentries, size));
		break;
	case REPORT_CSV:
		fprintf(f, "%s\n", REPORT_CSV_HEADER);
		for (i = 0; i < nrows && rc == 0; i++)
			rc = report_row_csv(f, &rows[i]);
		break;
	default:
		rc = report_table(f, r, rows, nrows, size);
		break;
	}
	free(rows);
	*why = "cannot write the report";
	return rc == 0 ? 0 : -1;
}

/* JSON array of the distinct dates (sorted input) or the wheres of v. */
static json_t *
items_array(const struct recon_item *v, size_t n, int dates)
{
	json_t		*a = json_array();
	char		 d[16];
	size_t		 i;

	for (i = 0; a != NULL && i < n; i++) {
		if (dates) {
			if (i > 0 && v[i].date == v[i - 1].date)
				continue;
			format_date(v[i].date, d, sizeof(d));
			if (json_array_append_new(a, json_string(d)) == -1)
				goto fail;
		} else if (json_array_append_new(a,
		    json_integer((json_int_t)v[i].where)) == -1)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* "2013-06-30, 2013-07-01" (distinct, at most five, then "..."). */
static void
items_dates(const struct recon_item *v, size_t n, char *out, size_t outsz)
{
	char	 d[16];
	size_t	 i, len = 0, shown = 0;

	out[0] = '\0';
	for (i = 0; i < n && len < outsz; i++) {
		if (i > 0 && v[i].date == v[i - 1].date)
			continue;
		if (shown++ == 5) {
			snprintf(out + len, outsz - len, ", ...");
			return;
		}
		format_date(v[i].date, d, sizeof(d));
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
		    len > 0 ? ", " : "", d);
	}
}

static json_t *
diff_json(const struct recon_diff *d, const struct recon_item *l,
    const struct recon_item *s)
{
	json_t		*o = json_object();
	char		 date[16];
	int64_t		 delta;
	int		 bad = o == NULL;

#define JSET(k, v) do { if (!bad && json_object_set_new(o, k, v) == -1) bad = 1; } while (0)
	JSET("type", json_string(recon_diff_name(d->type)));
	JSET("ref", json_string(d->ref));
	switch (d->type) {
	case RECON_MISSING_IN_STATEMENT:
		JSET("ledger_amount", json_integer(d->ledger_amount));
		JSET("seqs", items_array(l + d->lfirst, d->lcount, 0));
		JSET("dates", items_array(l + d->lfirst, d->lcount, 1));
		break;
	case RECON_MISSING_IN_LEDGER:
		JSET("statement_amount", json_integer(d->statement_amount));
		JSET("lines", items_array(s + d->sfirst, d->scount, 0));
		JSET("dates", items_array(s + d->sfirst, d->scount, 1));
		break;
	case RECON_AMOUNT_MISMATCH:
		JSET("ledger_amount", json_integer(d->ledger_amount));
		JSET("statement_amount", json_integer(d->statement_amount));
		if (!__builtin_sub_overflow(d->statement_amount,
		    d->ledger_amount, &delta))
			JSET("difference", json_integer(delta));
		JSET("seqs", items_array(l + d->lfirst, d->lcount, 0));
		JSET("lines", items_array(s + d->sfirst, d->scount, 0));
		break;
	default:
		format_date(s[d->sitem].date, date, sizeof(date));
		JSET("date", json_string(date));
		JSET("line", json_integer((json_int_t)s[d->sitem].where));
		JSET("amount", json_integer(s[d->sitem].amount));
		JSET("ledger_dates", items_array(l + d->lfirst, d->lcount, 1));
		break;
	}
#undef JSET
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void
diff_row(const struct recon_diff *d, const struct recon_item *l,
    const struct recon_item *s, struct out_table *t)
{
	const char	*row[5];
	char		 la[32], sa[32], dates[96], detail[256], d1[16];
	int64_t		 delta;

	format_amount(d->ledger_amount, la, sizeof(la));
	format_amount(d->statement_amount, sa, sizeof(sa));
	row[0] = recon_diff_name(d->type);
	row[1] = d->ref;
	row[2] = la;
	row[3] = sa;
	row[4] = detail;
	switch (d->type) {
	case RECON_MISSING_IN_STATEMENT:
		row[3] = "-";
		items_dates(l + d->lfirst, d->lcount, dates, sizeof(dates));
		snprintf(detail, sizeof(detail), "%zu ledger payment%s (seq %"
		    PRIu64 "%s) dated %s", d->lcount, d->lcount == 1 ? "" : "s",
		    l[d->lfirst].where, d->lcount > 1 ? ", ..." : "", dates);
		break;
	case RECON_MISSING_IN_LEDGER:
		row[2] = "-";
		items_dates(s + d->sfirst, d->scount, dates, sizeof(dates));
		snprintf(detail, sizeof(detail), "statement line %" PRIu64 "%s "
		    "dated %s", s[d->sfirst].where, d->scount > 1 ? ", ..." : "",
		    dates);
		break;
	case RECON_AMOUNT_MISMATCH:
		if (__builtin_sub_overflow(d->statement_amount, d->ledger_amount,
		    &delta))
			snprintf(detail, sizeof(detail), "-");
		else {
			format_amount(delta, dates, sizeof(dates));
			snprintf(detail, sizeof(detail), "statement minus ledger: "
			    "%s%s", delta > 0 ? "+" : "", dates);
		}
		break;
	default:
		format_date(s[d->sitem].date, d1, sizeof(d1));
		items_dates(l + d->lfirst, d->lcount, dates, sizeof(dates));
		snprintf(detail, sizeof(detail), "statement line %" PRIu64
		    " dated %s; ledger dates %s", s[d->sitem].where, d1, dates);
		break;
	}
	out_table_add(t, row);
}

int
reconcile_print(FILE *f, int fmt, uint16_t fy,
    const struct recon_result *res, const struct recon_item *l, size_t nl,
    const struct recon_item *s, size_t ns)
{
	static const char *const heads[] = {
		"DIFFERENCE", "REF", "LEDGER", "STATEMENT", "DETAIL"
	};
	static const int right[] = { 0, 0, 1, 1, 0 };
	struct out_table	 t = { 5, heads, right, NULL, 0, 0 };
	json_t			*o;
	size_t			 i;
	int			 rc = 0, k;

	if (fmt == REPORT_JSON) {
		for (i = 0; i < res->ndiff && rc == 0; i++)
			rc = out_json_line(f, diff_json(&res->diff[i], l, s));
		if (rc == 0) {
			o = json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
			    "s:I,s:I}",
			    "type", "summary", "fy", (int)fy,
			    "differences", (json_int_t)res->ndiff,
			    "missing_in_statement",
			    (json_int_t)res->count[RECON_MISSING_IN_STATEMENT],
			    "missing_in_ledger",
			    (json_int_t)res->count[RECON_MISSING_IN_LEDGER],
			    "amount_mismatch",
			    (json_int_t)res->count[RECON_AMOUNT_MISMATCH],
			    "date_mismatch",
			    (json_int_t)res->count[RECON_DATE_MISMATCH],
			    "ledger_refs", (json_int_t)res->ledger_refs,
			    "statement_refs", (json_int_t)res->statement_refs,
			    "matched", (json_int_t)res->matched,
			    "ledger_payments", (json_int_t)nl,
			    "statement_lines", (json_int_t)ns);
			rc = out_json_line(f, o);
		}
		return rc;
	}
	if (res->ndiff == 0) {
		fprintf(f, "FY%u reconciled: all %zu refs match (%zu ledger "
		    "payments, %zu statement lines)\n", fy, res->matched, nl, ns);
		return ferror(f) ? -1 : 0;
	}
	for (i = 0; i < res->ndiff; i++)
		diff_row(&res->diff[i], l, s, &t);
	rc = out_table_print(f, &t);
	out_table_free(&t);
	fprintf(f, "\nFY%u: %zu difference%s (", fy, res->ndiff,
	    res->ndiff == 1 ? "" : "s");
	for (k = 0; k < RECON_NTYPES; k++)
		fprintf(f, "%s%s %zu", k > 0 ? ", " : "",
		    recon_diff_name(k), res->count[k]);
	fprintf(f, "); ledger %zu refs, statement %zu refs, %zu match\n",
	    res->ledger_refs, res->statement_refs, res->matched);
	return rc == 0 && !ferror(f) ? 0 : -1;
}
