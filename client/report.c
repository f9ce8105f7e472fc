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
 *   size: the tree size the figures are taken at).  Issue 12 added, after
 *   those: name (regions whose name is known), settled (regions; null until
 *   settled), carried_in, budget (accounts and total), carried_out, unused
 *   and execution_rate_bp.  --format csv: the version 1 rows under the
 *   header REPORT_CSV_HEADER, empty where a column does not apply, kept as
 *   they were for the scripts that read them.  As a table: the regions
 *   (award, paid, refunded, net, settled, carried out, unused, execution
 *   rate), then the accounts and the total with the columns of a 決算
 *   (予算現額, 支出済額, 翌年度繰越額, 不用額, 執行率), in --lang and --unit.
 *
 *   report --format html: one self-contained page (inline CSS, inline SVG,
 *   no script, no URL) for A4 landscape: the same two tables, a bar chart
 *   of the execution rate per region, and the checkpoint (size, root) and
 *   the time it was made.  Ledger text (names) is escaped; nothing from
 *   the ledger reaches the page unescaped.
 *
 *   The figures of the grant's life (settled, carried in and out) come
 *   from the daemon's BALANCE answer taken at the same tree size as the
 *   entries (cmd_recon.c), whose award and payment figures report_check()
 *   has just proved equal to the ones recomputed here.
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
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "balance.h"
#include "csvwrite.h"
#include "display.h"
#include "entry.h"
#include "output.h"
#include "recon.h"
#include "regnames.h"
#include "filesave.h"
#include "report.h"
#include "values.h"
#include "wire.h"

#define REPORT_CSV_HEADER "type,account,region,fy,grant_type,appropriated," \
	"award,unawarded,disbursed,refunded,net,remaining,closed"

/* One row of the report, whatever its type; NULL/-1 where n/a. */
struct report_row {
	const char	*type;		/* "region", "account", "total" */
	const char	*account;
	const char	*region;
	const char	*name;		/* region: its name, NULL if unknown */
	const char	*grant_type;
	uint16_t	 fy;
	int		 has_approp;	/* account and total rows */
	int64_t		 appropriated, award, disbursed, refunded;
	int		 closed;	/* -1 = n/a */
	/* The grant's life, from the daemon's balances at the same size. */
	int		 settled_set;	/* region rows */
	int64_t		 settled;
	int64_t		 carried_in, carried_out;
};

static int64_t
row_net(const struct report_row *w)
{
	return w->disbursed - w->refunded;
}

/* 予算現額 of an account or total row. */
static int64_t
row_budget(const struct report_row *w)
{
	return w->appropriated + w->carried_in;
}

/*
 * 不用額: an account's budget - net - carried out; a region's settled
 * amount (or award) - net - carried out (contract 2.10).
 */
static int64_t
row_unused(const struct report_row *w)
{
	if (w->has_approp)
		return row_budget(w) - row_net(w) - w->carried_out;
	return (w->settled_set ? w->settled : w->award) - row_net(w) -
	    w->carried_out;
}

/* 執行率 in basis points: net / budget, or net / award for a region. */
static int64_t
row_rate(const struct report_row *w)
{
	return rate_bp(row_net(w), w->has_approp ? row_budget(w) : w->award);
}

static json_t *
report_row_json(const struct report_row *w, size_t nregions, size_t nentries,
    uint64_t size)
{
	json_t	*o = json_object();
	int64_t	 bp = row_rate(w);
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
	JSET("net", json_integer(row_net(w)));
	JSET("remaining", json_integer(w->award - row_net(w)));
	if (w->closed >= 0)
		JSET("closed", json_boolean(w->closed));
	if (strcmp(w->type, "total") == 0) {
		JSET("regions", json_integer((json_int_t)nregions));
		JSET("entries", json_integer((json_int_t)nentries));
		JSET("size", json_integer((json_int_t)size));
	}
	/* Added by issue 12 after the version 1 fields, which stay as they were. */
	if (w->name != NULL)
		JSET("name", json_string(w->name));
	if (!w->has_approp)
		JSET("settled", w->settled_set ? json_integer(w->settled) :
		    json_null());
	JSET("carried_in", json_integer(w->carried_in));
	if (w->has_approp)
		JSET("budget", json_integer(row_budget(w)));
	JSET("carried_out", json_integer(w->carried_out));
	JSET("unused", json_integer(row_unused(w)));
	JSET("execution_rate_bp", bp < 0 ? json_null() : json_integer(bp));
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
	snprintf(v[5], sizeof(v[5]), "%" PRId64, row_net(w));
	snprintf(v[6], sizeof(v[6]), "%" PRId64, w->award - row_net(w));
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

/* The daemon's balance of region code, or NULL. */
static const struct ld_region_bal *
ctx_region(const struct report_ctx *x, const char *code)
{
	size_t	 i;

	for (i = 0; i < x->ng; i++)
		if (strcmp(x->g[i].region, code) == 0)
			return &x->g[i];
	return NULL;
}

/* The daemon's balance of account, or NULL. */
static const struct ld_acct_bal *
ctx_account(const struct report_ctx *x, int account)
{
	size_t	 i;

	for (i = 0; i < x->na; i++)
		if (x->a[i].account == account)
			return &x->a[i];
	return NULL;
}

/* The rows in print order: regions (by code), accounts, the total. */
static struct report_row *
report_rows(const struct report *r, const struct report_ctx *x, size_t *nrows)
{
	struct report_row		*v, *t;
	const struct ld_region_bal	*g;
	const struct ld_acct_bal	*b;
	size_t				 i, n = r->nregion + LD_A_MAX + 1;

	if ((v = calloc(n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < r->nregion; i++) {
		v[i].type = "region";
		v[i].region = r->region[i].region;
		v[i].name = regnames_get(x->names, r->region[i].region);
		v[i].account = ld_account_name(r->region[i].account);
		v[i].grant_type = ld_grant_name(r->region[i].grant_type);
		v[i].fy = r->fy;
		v[i].award = r->region[i].award;
		v[i].disbursed = r->region[i].disbursed;
		v[i].refunded = r->region[i].refunded;
		v[i].closed = -1;
		if ((g = ctx_region(x, r->region[i].region)) != NULL) {
			v[i].settled_set = g->settled_set;
			v[i].settled = g->settled;
			v[i].carried_in = g->carried_in;
			v[i].carried_out = g->carried_out;
		}
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
		if ((b = ctx_account(x, r->acct[i].account)) != NULL) {
			w->carried_in = b->carried_in;
			w->carried_out = b->carried_out;
		}
		/* Each figure is at most 10^13 times the entries: no overflow. */
		t->appropriated += w->appropriated;
		t->award += w->award;
		t->disbursed += w->disbursed;
		t->refunded += w->refunded;
		t->carried_in += w->carried_in;
		t->carried_out += w->carried_out;
	}
	*nrows = n;
	return v;
}

/*
 * The cells of a region row (REPORT_REGION_COLS) and of an account or
 * total row (REPORT_ACCOUNT_COLS) in d's language and unit; the text and
 * HTML tables are both printed from them.  a holds the formatted figures.
 */
#define REPORT_REGION_COLS	11
#define REPORT_ACCOUNT_COLS	13
static const char *const region_heads[REPORT_REGION_COLS] = {
	"REGION", "NAME", "ACCOUNT", "AWARD", "DISBURSED", "REFUNDED", "NET",
	"SETTLED", "CARRIED_OUT", "UNUSED", "RATE"
};
static const int region_right[REPORT_REGION_COLS] = {
	0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1
};
static const char *const account_heads[REPORT_ACCOUNT_COLS] = {
	"ACCOUNT", "APPROPRIATED", "CARRIED_IN", "BUDGET", "AWARD",
	"UNAWARDED", "DISBURSED", "REFUNDED", "NET", "CARRIED_OUT", "UNUSED",
	"RATE", "CLOSED"
};
static const int account_right[REPORT_ACCOUNT_COLS] = {
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0
};

static void
region_cells(const struct disp *d, const struct report_row *w,
    const char **row, char a[][32])
{
	disp_amount(d, w->award, a[0], sizeof(a[0]));
	disp_amount(d, w->disbursed, a[1], sizeof(a[1]));
	disp_amount(d, w->refunded, a[2], sizeof(a[2]));
	disp_amount(d, row_net(w), a[3], sizeof(a[3]));
	if (w->settled_set)
		disp_amount(d, w->settled, a[4], sizeof(a[4]));
	disp_amount(d, w->carried_out, a[5], sizeof(a[5]));
	disp_amount(d, row_unused(w), a[6], sizeof(a[6]));
	disp_rate(d, row_rate(w), a[7], sizeof(a[7]));
	row[0] = w->region;
	row[1] = w->name != NULL ? w->name : "-";
	row[2] = w->account != NULL ? disp_word(d, w->account) : "?";
	row[3] = a[0];
	row[4] = a[1];
	row[5] = a[2];
	row[6] = a[3];
	row[7] = w->settled_set ? a[4] : "-";
	row[8] = a[5];
	row[9] = a[6];
	row[10] = a[7];
}

static void
account_cells(const struct disp *d, const struct report_row *w,
    const char **row, char a[][32])
{
	disp_amount(d, w->appropriated, a[0], sizeof(a[0]));
	disp_amount(d, w->carried_in, a[1], sizeof(a[1]));
	disp_amount(d, row_budget(w), a[2], sizeof(a[2]));
	disp_amount(d, w->award, a[3], sizeof(a[3]));
	disp_amount(d, w->appropriated - w->award, a[4], sizeof(a[4]));
	disp_amount(d, w->disbursed, a[5], sizeof(a[5]));
	disp_amount(d, w->refunded, a[6], sizeof(a[6]));
	disp_amount(d, row_net(w), a[7], sizeof(a[7]));
	disp_amount(d, w->carried_out, a[8], sizeof(a[8]));
	disp_amount(d, row_unused(w), a[9], sizeof(a[9]));
	disp_rate(d, row_rate(w), a[10], sizeof(a[10]));
	row[0] = disp_word(d, w->account != NULL ? w->account : "total");
	row[1] = a[0];
	row[2] = a[1];
	row[3] = a[2];
	row[4] = a[3];
	row[5] = a[4];
	row[6] = a[5];
	row[7] = a[6];
	row[8] = a[7];
	row[9] = a[8];
	row[10] = a[9];
	row[11] = a[10];
	row[12] = w->closed < 0 ? "-" : disp_word(d, w->closed ? "yes" : "no");
}

static int
report_table(FILE *f, const struct report *r, const struct report_row *v,
    size_t n, const struct report_ctx *x)
{
	const struct disp	*d = &x->disp;
	struct out_table	 tr = { REPORT_REGION_COLS, region_heads,
				    region_right, NULL, 0, 0, d };
	struct out_table	 ta = { REPORT_ACCOUNT_COLS, account_heads,
				    account_right, NULL, 0, 0, d };
	const char		*row[REPORT_ACCOUNT_COLS], *unit;
	char			 a[11][32];
	size_t			 i;
	int			 rc = 0;

	if (d->lang == DISP_JA)
		fprintf(f, "%u年度 報告（ツリーサイズ %" PRIu64 "、当年度の記録 "
		    "%zu 件）：合計はデーモンの残高と一致\n\n", r->fy, x->size,
		    r->nentries);
	else
		fprintf(f, "FY%u report at tree size %" PRIu64 " (%zu entries "
		    "of the year); totals agree with the daemon's balances\n\n",
		    r->fy, x->size, r->nentries);
	if ((unit = disp_unit_line(d)) != NULL)
		fprintf(f, "%s\n", unit);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].type, "region") == 0) {
			region_cells(d, &v[i], row, a);
			out_table_add(&tr, row);
		} else {
			account_cells(d, &v[i], row, a);
			out_table_add(&ta, row);
		}
	}
	if (tr.nrows > 0) {
		if (out_table_print(f, &tr) == -1)
			rc = -1;
		fputc('\n', f);
	} else if (d->lang == DISP_JA)
		fprintf(f, "%u年度に交付決定のある地域はありません\n\n", r->fy);
	else
		fprintf(f, "no region has an award in FY%u\n\n", r->fy);
	if (out_table_print(f, &ta) == -1)
		rc = -1;
	out_table_free(&tr);
	out_table_free(&ta);
	return rc;
}

/* s with the five characters HTML gives a meaning escaped. */
static void
html_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
}

/*
 * The print style: A4 landscape, tables that repeat their header on each
 * page and keep rows whole, figures right-aligned in tabular digits.
 * Fonts are the system's (nothing is fetched): Noto CJK or IPA where
 * installed, for the Japanese names.
 */
static const char html_style[] =
	"@page { size: A4 landscape; margin: 10mm; }\n"
	"body { font-family: \"Noto Sans CJK JP\", \"IPAexGothic\", "
	"\"IPAGothic\", sans-serif; font-size: 9pt; color: #111; margin: 0; }\n"
	"h1 { font-size: 14pt; margin: 0 0 4pt; }\n"
	"h2 { font-size: 11pt; margin: 10pt 0 4pt; }\n"
	"p.meta { margin: 0 0 6pt; color: #333; }\n"
	"code { font-size: 8pt; word-break: break-all; }\n"
	"table { border-collapse: collapse; width: 100%; }\n"
	"th, td { border: 1px solid #999; padding: 1pt 3pt; }\n"
	"th { background: #e8e8e8; font-weight: bold; }\n"
	"td.num { text-align: right; white-space: nowrap; "
	"font-variant-numeric: tabular-nums; }\n"
	"thead { display: table-header-group; }\n"
	"tr { break-inside: avoid; }\n"
	"tr.total td { font-weight: bold; border-top: 2px solid #333; }\n"
	"figure { margin: 8pt 0 0; break-inside: avoid; }\n"
	"figcaption { font-weight: bold; margin-bottom: 2pt; }\n"
	"svg text { font-size: 9px; fill: #111; }\n"
	"rect.bar { fill: #2b6cb0; }\n"
	"line.axis { stroke: #666; stroke-width: 1; }\n"
	"line.full { stroke: #c53030; stroke-dasharray: 3 2; }\n";

static void
html_table(FILE *f, const struct disp *d, const char *id, const char *caption,
    const char *const *heads, const int *right, size_t ncols,
    const struct report_row *v, size_t n, int regions)
{
	const char	*row[REPORT_ACCOUNT_COLS];
	char		 a[11][32];
	size_t		 i, c;
	int		 is_region;

	fprintf(f, "<h2>");
	html_text(f, caption);
	fprintf(f, "</h2>\n<table id=\"%s\">\n<thead><tr>", id);
	for (c = 0; c < ncols; c++) {
		fputs("<th>", f);
		html_text(f, disp_word(d, heads[c]));
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (i = 0; i < n; i++) {
		is_region = strcmp(v[i].type, "region") == 0;
		if (is_region != regions)
			continue;
		if (is_region) {
			region_cells(d, &v[i], row, a);
			fputs("<tr class=\"region\" data-region=\"", f);
			html_text(f, v[i].region);
		} else {
			account_cells(d, &v[i], row, a);
			fprintf(f, "<tr class=\"%s\" data-account=\"",
			    strcmp(v[i].type, "total") == 0 ? "total" :
			    "account");
			html_text(f, v[i].account != NULL ? v[i].account :
			    "total");
		}
		fputs("\">", f);
		for (c = 0; c < ncols; c++) {
			fputs(right[c] ? "<td class=\"num\">" : "<td>", f);
			html_text(f, row[c]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

/* Geometry of the chart, in CSS pixels (96 per inch: 1000 fit A4 landscape). */
#define CHART_W		1000
#define CHART_LABEL	300	/* left margin for the region's name */
#define CHART_BAR_W	620	/* the bar area */
#define CHART_ROW	14	/* one region */
#define CHART_BAR_H	10
#define CHART_TOP	16	/* the axis labels */

/*
 * Execution rate per region as horizontal bars: one <rect class="bar">
 * per region row, with data-region and data-rate-bp (empty when the rate
 * is null: a bar of width 0), scaled so that the longest bar, or 100% if
 * none is longer, fills the bar area.  A dashed line marks 100%.
 */
static void
html_chart(FILE *f, const struct disp *d, const struct report_row *v,
    size_t n)
{
	int64_t		 scale = 10000, bp;
	size_t		 i, k = 0, nreg = 0;
	long		 y, wpx, full;
	char		 rate[32];

	for (i = 0; i < n; i++)
		if (strcmp(v[i].type, "region") == 0) {
			nreg++;
			if ((bp = row_rate(&v[i])) > scale)
				scale = bp;
		}
	fprintf(f, "<figure>\n<figcaption>");
	html_text(f, d->lang == DISP_JA ? "地域別執行率（支出済額 ÷ 交付決定額）" :
	    "Execution rate per region (net paid / award)");
	full = (long)(CHART_BAR_W * 10000 / scale);
	fprintf(f, "</figcaption>\n<svg class=\"chart\" id=\"rate-chart\" "
	    "role=\"img\" width=\"%d\" height=\"%ld\" viewBox=\"0 0 %d %ld\">\n",
	    CHART_W, (long)(CHART_TOP + nreg * CHART_ROW + 4), CHART_W,
	    (long)(CHART_TOP + nreg * CHART_ROW + 4));
	fprintf(f, "<text x=\"%d\" y=\"10\">0%%</text>"
	    "<text x=\"%ld\" y=\"10\" text-anchor=\"middle\">100%%</text>\n",
	    CHART_LABEL, CHART_LABEL + full);
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%ld\"/>\n", CHART_LABEL, CHART_TOP - 2, CHART_LABEL,
	    (long)(CHART_TOP + nreg * CHART_ROW));
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].type, "region") != 0)
			continue;
		bp = row_rate(&v[i]);
		y = (long)(CHART_TOP + k++ * CHART_ROW);
		wpx = bp > 0 ? (long)(bp * CHART_BAR_W / scale) : 0;
		disp_rate(d, bp, rate, sizeof(rate));
		fprintf(f, "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\">",
		    CHART_LABEL - 4, y + CHART_BAR_H - 1);
		html_text(f, v[i].name != NULL ? v[i].name : v[i].region);
		fprintf(f, "</text><rect class=\"bar\" data-region=\"");
		html_text(f, v[i].region);
		if (bp >= 0)
			fprintf(f, "\" data-rate-bp=\"%" PRId64 "\"", bp);
		else
			fputs("\" data-rate-bp=\"\"", f);
		fprintf(f, " x=\"%d\" y=\"%ld\" width=\"%ld\" height=\"%d\">"
		    "<title>", CHART_LABEL, y, wpx, CHART_BAR_H);
		html_text(f, v[i].region);
		fprintf(f, " %s</title></rect><text x=\"%ld\" y=\"%ld\">%s"
		    "</text>\n", rate, CHART_LABEL + wpx + 4, y + CHART_BAR_H - 1,
		    rate);
	}
	fprintf(f, "<line class=\"full\" x1=\"%ld\" y1=\"%d\" x2=\"%ld\" "
	    "y2=\"%ld\"/>\n", CHART_LABEL + full, CHART_TOP - 2,
	    CHART_LABEL + full, (long)(CHART_TOP + nreg * CHART_ROW));
	fputs("</svg>\n</figure>\n", f);
}

static int
report_html(FILE *f, const struct report *r, const struct report_row *v,
    size_t n, const struct report_ctx *x)
{
	const struct disp	*d = &x->disp;
	const char		*unit = disp_unit_line(d);
	char			 root[65], when[48], title[96];

	hex_encode(x->root, sizeof(x->root), root);
	out_time_jst(x->now_us, when, sizeof(when));
	/* To the second is enough for a printed date. */
	when[19] = '\0';
	if (d->lang == DISP_JA)
		snprintf(title, sizeof(title), "%u年度 補助金執行報告", r->fy);
	else
		snprintf(title, sizeof(title), "FY%u grant report", r->fy);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>", d->lang == DISP_JA ? "ja" :
	    "en");
	html_text(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>",
	    html_style);
	html_text(f, title);
	fputs("</h1>\n<p class=\"meta\">", f);
	if (d->lang == DISP_JA)
		fprintf(f, "チェックポイント：ツリーサイズ <span id=\"size\">%"
		    PRIu64 "</span>、ルート <code id=\"root\">%s</code><br>"
		    "作成日時：<span id=\"date\">%s</span>（日本時間）、当年度の記録 "
		    "%zu 件；合計はデーモンの残高と一致", x->size, root, when,
		    r->nentries);
	else
		fprintf(f, "Checkpoint: tree size <span id=\"size\">%" PRIu64
		    "</span>, root <code id=\"root\">%s</code><br>Made <span "
		    "id=\"date\">%s</span> (JST) from %zu entries of the year; "
		    "totals agree with the daemon's balances", x->size, root,
		    when, r->nentries);
	if (unit != NULL) {
		fputs("<br>", f);
		html_text(f, unit);
	}
	fputs("</p>\n", f);
	html_table(f, d, "regions", d->lang == DISP_JA ? "地域別" :
	    "Regions", region_heads, region_right, REPORT_REGION_COLS, v, n, 1);
	html_table(f, d, "accounts", d->lang == DISP_JA ? "会計別（決算）" :
	    "Accounts (settlement of accounts)", account_heads, account_right,
	    REPORT_ACCOUNT_COLS, v, n, 0);
	html_chart(f, d, v, n);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int
report_print(FILE *f, int fmt, const struct report *r,
    const struct report_ctx *x, const char **why)
{
	struct report_row	*rows;
	size_t			 nrows = 0, i;
	int			 rc = 0;

	if ((rows = report_rows(r, x, &nrows)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	switch (fmt) {
	case REPORT_JSON:
		for (i = 0; i < nrows && rc == 0; i++)
			rc = out_json_line(f, report_row_json(&rows[i],
			    r->nregion, r->nentries, x->size));
		break;
	case REPORT_CSV:
		fprintf(f, "%s\n", REPORT_CSV_HEADER);
		for (i = 0; i < nrows && rc == 0; i++)
			rc = report_row_csv(f, &rows[i]);
		break;
	case REPORT_HTML:
		rc = report_html(f, r, rows, nrows, x);
		break;
	default:
		rc = report_table(f, r, rows, nrows, x);
		break;
	}
	free(rows);
	*why = "cannot write the report";
	return rc == 0 ? 0 : -1;
}


int
report_save(const char *path, const char *buf, size_t len, char *err,
    size_t errlen)
{
	mode_t mask;

	/* A report is made to be read: the mode umask allows, not 0600. */
	mask = umask(0);
	umask(mask);
	return file_replace(path, buf, len, 0666 & ~mask, err, errlen);
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
	struct out_table	 t = { 5, heads, right, NULL, 0, 0, NULL };
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
