/*
 * cmd_recon.c - the reconciler's and the bulk clerk's commands: report,
 * reconcile and import (CONTRACT.md, "ledgerctl" and "Reconciliation
 * formats").  This file is what each command asks the daemon and in which
 * order; what they compute is recon.c, the files they read statement.c and
 * import.c, and what they print report.c.
 *
 * report and reconcile compute in the client from what they read, so any
 * role may run them.  Both read the entries of one fiscal year with LIST
 * (fy filter) into compact struct recon_entry copies.
 *
 *   report     recomputes every balance of the year from the entries and
 *              prints it only if it agrees with the daemon's BALANCE answer
 *              taken at the same tree size; --format html makes a page
 *              for print, --output FILE saves it (any format) atomically.  A disagreement means the
 *              daemon's running totals and its entries differ: it prints
 *              "ledgerctl: INTERNAL: report totals disagree ..." and exits 1
 *              (the daemon's figures cannot be trusted: the same status as an
 *              INTERNAL answer).  Exit 4 stays reserved for signatures and
 *              proofs.
 *              With --approvals it is the auditors' report of two-person
 *              approval instead: every request of the year (APPROVALS
 *              what=ALL) with who asked, who decided, when, and how
 *              (approvals.h prints it).
 *   reconcile  reads and checks the whole statement before connecting (a
 *              bad line is a usage error naming it), then compares; exit 5
 *              when anything differs.  When the statement has a memo
 *              column, the statement lines the differences name are shown
 *              with their memo (statement_lines_print()): the memo is how a
 *              clerk recognises a bank line.
 *   import     parses the whole file before connecting, then sends it as
 *              BATCH requests, several in flight (import.c); it prints
 *              the summary "written W, duplicates D, refused K (R rows)"
 *              (and how many of the written became requests awaiting
 *              approval: "pending_approval" in JSON) or
 *              its JSON, and exits 1 when any row was refused.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "approvals.h"
#include "ctl.h"
#include "display.h"
#include "entry.h"
#include "errors.h"
#include "frame.h"
#include "import.h"
#include "msg.h"
#include "output.h"
#include "recon.h"
#include "regnames.h"
#include "report.h"
#include "session.h"
#include "statement.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE
#define R	(OPT_VALUE | OPT_REQUIRED)

/* Attempts at reading BALANCE and the tree size without a write between. */
#define REPORT_TRIES	10

static const struct ctl_opt report_opts[] = {
	{ "fy", R }, { "format", V }, { "output", V }, { "approvals", 0 },
	{ NULL, 0 }
};
static const struct ctl_opt reconcile_opts[] = {
	{ "fy", R }, { "statement", R }, { "format", V }, { "encoding", V },
	{ NULL, 0 }
};
static const struct ctl_opt import_opts[] = {
	{ "atomic", 0 }, { "allow-duplicate-ref", 0 }, { NULL, 0 }
};

static int	report_run(struct ctl *, const struct ctl_args *);
static int	reconcile_run(struct ctl *, const struct ctl_args *);
static int	import_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_recon_cmds[] = {
	{ "report", NULL, { NULL }, 0, 0, report_opts,
	    "report --fy FY [--format table|csv|json|html] [--output FILE] "
	    "[--approvals]", report_run, 0 },
	{ "reconcile", NULL, { NULL }, 0, 0, reconcile_opts,
	    "reconcile --fy FY --statement FILE.csv [--format table|json] "
	    "[--encoding utf-8|cp932]", reconcile_run, 0 },
	{ "import", NULL, { "FILE.csv" }, 1, 1, import_opts,
	    "import FILE.csv [--atomic] [--allow-duplicate-ref]", import_run, 0 },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

/* ------------------------------------------------------------------ */
/* shared: options, reading a fiscal year                              */

static int
format_arg(const struct ctl_args *a, int csv_ok, int *fmt, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, "format");

	if (s == NULL) {
		*fmt = a->json ? REPORT_JSON : REPORT_TABLE;
		return 0;
	}
	if (strcmp(s, "json") == 0)
		*fmt = REPORT_JSON;
	else if (strcmp(s, "table") == 0)
		*fmt = REPORT_TABLE;
	else if (csv_ok && strcmp(s, "csv") == 0)
		*fmt = REPORT_CSV;
	else {
		snprintf(err, errlen, "--format: '%.40s' is not %s", s,
		    csv_ok ? "table, csv or json" : "table or json");
		return -1;
	}
	if (a->json && *fmt != REPORT_JSON) {
		snprintf(err, errlen, "--json and --format %s contradict each "
		    "other", s);
		return -1;
	}
	return 0;
}

struct year {
	struct recon_entry *e;		/* owned */
	size_t		 n;
	size_t		 cap;
	uint64_t	 last;		/* seq of the last entry read */
};

static int
year_add(struct ctl *ctl, struct year *y, const struct ld_entry *e, uint16_t fy)
{
	struct recon_entry	*nv;

	if (e->seq <= y->last)
		return ctl_conn_fail(ctl, "entries out of seq order");
	/*
	 * Requests and their decisions move no money (the action's own
	 * entry does, when approved), whatever year a listing files them
	 * under.
	 */
	if (e->kind == LD_K_POLICY || e->kind == LD_K_REQUEST ||
	    e->kind == LD_K_APPROVAL) {
		y->last = e->seq;
		return CTL_OK;
	}
	if (e->fy != fy)
		return ctl_conn_fail(ctl, "LIST answered an entry of another year");
	y->last = e->seq;
	if (y->n == y->cap) {
		y->cap = y->cap > 0 ? y->cap * 2 : 1024;
		if ((nv = reallocarray(y->e, y->cap, sizeof(*nv))) == NULL)
			return ctl_conn_fail(ctl, "out of memory");
		y->e = nv;
	}
	recon_entry_from(&y->e[y->n++], e);
	return CTL_OK;
}

/*
 * Every entry of fiscal year fy up to seq until (0 = all), in seq order,
 * from a LIST stream.  Entries are decoded and checked one frame at a time.
 */
static int
year_read(struct ctl *ctl, uint16_t fy, uint64_t until, struct year *y)
{
	struct msg_entries_iter	 it;
	struct msg_list		 l;
	struct ctlconn_frame	 f;
	struct ld_entry		 e;
	struct wbuf		 w;
	const uint8_t		*enc;
	size_t			 len;
	uint32_t		 reqid;
	int			 rc, r;

	memset(&l, 0, sizeof(l));
	l.fy = fy;
	l.until = until;
	wbuf_init(&w);
	if (msg_encode_list(&w, &l) == -1) {
		wbuf_free(&w);
		return ctl_conn_fail(ctl, "out of memory");
	}
	rc = ctl_call(ctl, MSG_LIST, &w, MSG_ENTRIES, &reqid, &f);
	wbuf_free(&w);
	while (rc == CTL_OK) {
		if (msg_entries_open(&it, f.payload, f.len) == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		while ((r = msg_entries_next(&it, &enc, &len)) == 1) {
			if (entry_decode(&e, enc, len) == -1)
				return ctl_conn_fail(ctl, "malformed entry in answer");
			if ((rc = year_add(ctl, y, &e, fy)) != CTL_OK)
				return rc;
		}
		if (r == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		if (!(f.flags & FRAME_F_MORE))
			break;
		rc = ctl_next(ctl, reqid, MSG_ENTRIES, &f);
	}
	return rc;
}

/* The tree's size and, when root is not NULL, its root. */
static int
status_size(struct ctl *ctl, uint64_t *size, uint8_t *root)
{
	struct msg_status	 s;
	struct ctlconn_frame	 f;
	int			 rc;

	if ((rc = ctl_call(ctl, MSG_STATUS, NULL, MSG_STATUS_OK, NULL, &f)) != CTL_OK)
		return rc;
	if (msg_decode_status(f.payload, f.len, &s) == -1)
		return ctl_conn_fail(ctl, "malformed STATUS_OK answer");
	*size = s.size;
	if (root != NULL)
		memcpy(root, s.root, sizeof(s.root));
	return CTL_OK;
}

/* ------------------------------------------------------------------ */
/* the commands                                                        */

/*
 * A report made for --output (out: its memory stream over buf) is saved
 * whole, or not at all; rc is what printing it gave, and is returned
 * unless closing or saving fails.  Without --output, nothing to do.
 * *buf (freed by the caller) and *buflen are the stream's.
 */
static int
report_finish(struct ctl *ctl, int rc, const char *output, FILE *out,
    char **buf, size_t *buflen)
{
	char err[512];

	if (output == NULL)
		return rc;
	/* The stream sets *buf and *buflen when it is closed. */
	if (fclose(out) != 0 && rc == CTL_OK)
		rc = ctl_conn_fail(ctl, "out of memory");
	if (rc == CTL_OK && report_save(output, *buf, *buflen, err,
	    sizeof(err)) == -1)
		rc = ctl_conn_fail(ctl, err);
	return rc;
}

/*
 * report --approvals: the requests of the year and their decisions, as
 * the daemon streams them, printed at once or saved whole to --output.
 */
static int
approvals_report_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct appr_book	 book;
	struct disp		 d;
	const char		*output = args_get(a, "output");
	uint16_t		 fy;
	char			 err[512], *buf = NULL;
	size_t			 buflen = 0;
	FILE			*out = ctl->out;
	int			 fmt, rc;

	memset(&book, 0, sizeof(book));
	if (format_arg(a, 1, &fmt, err, sizeof(err)) == -1 ||
	    arg_fy(a, "fy", &fy, err, sizeof(err)) == -1 ||
	    disp_from_args(&d, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s%s", err, strstr(err,
		    "--format") != NULL ? " (with --approvals)" : "");
	if (output != NULL && output[0] == '\0')
		return ctl_usage(ctl, a->cmd, "--output: empty file name");
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	if ((rc = appr_book_read(ctl, fy, &book)) != CTL_OK)
		goto done;
	if (output != NULL && (out = open_memstream(&buf, &buflen)) == NULL) {
		rc = ctl_conn_fail(ctl, "out of memory");
		goto done;
	}
	if (appr_report_print(out, fmt, &d, &book, fy, appr_now_us()) == -1)
		rc = ctl_conn_fail(ctl, "cannot write the report");
	rc = report_finish(ctl, rc, output, out, &buf, &buflen);
done:
	free(buf);
	appr_book_free(&book);
	return rc;
}

static int
report_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_balance_req	 b;
	struct ld_acct_bal	*accts = NULL;
	struct ld_region_bal	*regions = NULL;
	struct report		 r;
	struct report_ctx	 x;
	struct regnames		 names;
	struct year		 y;
	struct ctlconn_frame	 f;
	struct wbuf		 w;
	uint64_t		 s1 = 0, s2 = 1;
	uint32_t		 na = 0, ng = 0;
	const char		*why, *output = args_get(a, "output");
	const char		*fmtname = args_get(a, "format");
	uint16_t		 fy;
	char			 err[512], *buf = NULL;
	size_t			 buflen = 0;
	FILE			*out = ctl->out;
	int			 fmt, rc, tries, computed = 0;

	memset(&y, 0, sizeof(y));
	memset(&r, 0, sizeof(r));
	memset(&x, 0, sizeof(x));
	memset(&names, 0, sizeof(names));
	if (args_get(a, "approvals") != NULL)
		return approvals_report_run(ctl, a);
	/* html is the report's own format; reconcile's format_arg knows not. */
	if (fmtname != NULL && strcmp(fmtname, "html") == 0 && !a->json)
		fmt = REPORT_HTML;
	else if (format_arg(a, 1, &fmt, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (arg_fy(a, "fy", &fy, err, sizeof(err)) == -1 ||
	    disp_from_args(&x.disp, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (output != NULL && output[0] == '\0')
		return ctl_usage(ctl, a->cmd, "--output: empty file name");
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;

	/*
	 * BALANCE and LIST are separate reads.  A tree size taken before and
	 * after BALANCE that did not move pins the balances to that size; the
	 * entries are then listed up to it, so a concurrent write cannot make
	 * the two disagree.
	 */
	memset(&b, 0, sizeof(b));
	b.fy = fy;
	b.scope = BAL_ALL;
	wbuf_init(&w);
	if (msg_encode_balance_req(&w, &b) == -1) {
		wbuf_free(&w);
		return ctl_conn_fail(ctl, "out of memory");
	}
	for (tries = 0; tries < REPORT_TRIES && s1 != s2; tries++) {
		free(accts);
		free(regions);
		accts = NULL;
		regions = NULL;
		if ((rc = status_size(ctl, &s1, x.root)) != CTL_OK ||
		    (rc = ctl_call(ctl, MSG_BALANCE, &w, MSG_BALANCES, NULL,
		    &f)) != CTL_OK)
			goto done;
		if (msg_decode_balances(f.payload, f.len, &accts, &na, &regions,
		    &ng) == -1) {
			rc = ctl_conn_fail(ctl, "malformed BALANCES answer");
			goto done;
		}
		if ((rc = status_size(ctl, &s2, NULL)) != CTL_OK)
			goto done;
	}
	if (s1 != s2) {
		rc = ctl_refusal(ctl, LD_E_BUSY, "the ledger kept changing while "
		    "the report was read; try again");
		goto done;
	}
	if (s1 > 0 && (rc = year_read(ctl, fy, s1, &y)) != CTL_OK)
		goto done;
	if (report_compute(&r, fy, y.e, y.n, err, sizeof(err)) == -1) {
		rc = ctl_refusal(ctl, LD_E_INTERNAL, err);
		goto done;
	}
	computed = 1;
	if (report_check(&r, accts, na, regions, ng, err, sizeof(err)) == -1) {
		char	 msg[600];

		snprintf(msg, sizeof(msg), "report totals disagree with the "
		    "daemon's balances at tree size %" PRIu64 ": %s", s1, err);
		rc = ctl_refusal(ctl, LD_E_INTERNAL, msg);
		goto done;
	}
	/* Names are for people and for JSON readers alike (an added field). */
	if (fmt != REPORT_CSV && (rc = ctl_region_names(ctl, &names)) != CTL_OK)
		goto done;
	x.size = s1;
	x.now_us = (int64_t)time(NULL) * 1000000;
	x.names = &names;
	x.g = regions;
	x.ng = ng;
	x.a = accts;
	x.na = na;
	/* A report for a file is made whole in memory, then saved at once. */
	if (output != NULL && (out = open_memstream(&buf, &buflen)) == NULL) {
		rc = ctl_conn_fail(ctl, "out of memory");
		goto done;
	}
	rc = CTL_OK;
	if (report_print(out, fmt, &r, &x, &why) == -1)
		rc = ctl_conn_fail(ctl, why);
	rc = report_finish(ctl, rc, output, out, &buf, &buflen);
done:
	free(buf);
	regnames_free(&names);
	wbuf_free(&w);
	if (computed)
		report_free(&r);
	free(y.e);
	free(accts);
	free(regions);
	return rc;
}

/*
 * The statement lines that the differences name (amount mismatches,
 * lines missing in the ledger, date mismatches), by line, with their memo:
 * a table after the differences, or in JSON one
 * {"type":"statement_line","line","date","ref","amount","memo"} object per
 * line before them, so that the summary stays the last object.  Nothing
 * when the statement has no memo column, which keeps the output of a plain
 * date,ref,amount statement as it was.
 */
static int
where_cmp(const void *a, const void *b)
{
	const struct recon_item	*x = *(const struct recon_item *const *)a;
	const struct recon_item	*y = *(const struct recon_item *const *)b;

	return x->where < y->where ? -1 : x->where > y->where;
}

static int
statement_lines_print(FILE *f, int fmt, const struct recon_result *res,
    const struct recon_item *s, size_t ns)
{
	static const char *const heads[] = {
		"LINE", "DATE", "REF", "AMOUNT", "MEMO"
	};
	static const int right[] = { 1, 0, 0, 1, 0 };
	struct out_table	 t = { 5, heads, right, NULL, 0, 0, NULL };
	const struct recon_diff	*d;
	const struct recon_item	**v, *it;
	const char		*row[5];
	unsigned char		*named;
	char			 line[24], date[16], amount[32];
	size_t			 i, k, n = 0;
	int			 rc = 0;

	if (ns == 0)
		return 0;
	named = calloc(ns, 1);
	v = calloc(ns, sizeof(*v));
	if (named == NULL || v == NULL) {
		free(named);
		free(v);
		return -1;
	}
	for (i = 0; i < res->ndiff; i++) {
		d = &res->diff[i];
		if (d->type == RECON_DATE_MISMATCH)
			named[d->sitem] = 1;
		else if (d->type != RECON_MISSING_IN_STATEMENT)
			for (k = d->sfirst; k < d->sfirst + d->scount; k++)
				named[k] = 1;
	}
	/* recon_match() sorted s by ref: list the lines in file order. */
	for (k = 0; k < ns; k++)
		if (named[k])
			v[n++] = &s[k];
	if (n > 1)
		qsort(v, n, sizeof(*v), where_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		it = v[i];
		format_date(it->date, date, sizeof(date));
		if (fmt == REPORT_JSON) {
			rc = out_json_line(f, json_pack("{s:s,s:I,s:s,s:s,s:I,s:s}",
			    "type", "statement_line", "line", (json_int_t)it->where,
			    "date", date, "ref", it->ref, "amount",
			    (json_int_t)it->amount, "memo",
			    it->memo != NULL ? it->memo : ""));
			continue;
		}
		snprintf(line, sizeof(line), "%" PRIu64, it->where);
		format_amount(it->amount, amount, sizeof(amount));
		row[0] = line;
		row[1] = date;
		row[2] = it->ref;
		row[3] = amount;
		row[4] = it->memo != NULL ? it->memo : "";
		out_table_add(&t, row);
	}
	if (fmt != REPORT_JSON && n > 0 && rc == 0) {
		fprintf(f, "\nStatement lines named above:\n");
		rc = out_table_print(f, &t);
	}
	out_table_free(&t);
	free(named);
	free(v);
	return rc == 0 && !ferror(f) ? 0 : -1;
}

static int
reconcile_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct recon_result	 res;
	struct recon_item	*l = NULL;
	struct statement	 st;
	struct year		 y;
	const char		*encs = args_get(a, "encoding");
	size_t			 nl = 0;
	uint16_t		 fy;
	char			 err[256];
	int			 fmt, rc, enc = STATEMENT_UTF8;

	memset(&y, 0, sizeof(y));
	memset(&res, 0, sizeof(res));
	memset(&st, 0, sizeof(st));
	if (arg_fy(a, "fy", &fy, err, sizeof(err)) == -1 ||
	    format_arg(a, 0, &fmt, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (encs != NULL && statement_encoding(encs, &enc) == -1)
		return ctl_usage(ctl, a->cmd, "--encoding: '%.40s' is not utf-8 "
		    "or cp932", encs);
	if ((rc = statement_read(ctl, a->cmd, args_get(a, "statement"), enc,
	    &st)) != CTL_OK)
		goto done;
	if ((rc = ctl_connect(ctl)) != CTL_OK ||
	    (rc = year_read(ctl, fy, 0, &y)) != CTL_OK)
		goto done;
	if (recon_ledger_items(y.e, y.n, &l, &nl) == -1 ||
	    recon_match(l, nl, st.items, st.n, &res) == -1) {
		rc = ctl_conn_fail(ctl, "out of memory");
		goto done;
	}
	if ((st.has_memo && fmt == REPORT_JSON && statement_lines_print(ctl->out,
	    fmt, &res, st.items, st.n) == -1) ||
	    reconcile_print(ctl->out, fmt, fy, &res, l, nl, st.items,
	    st.n) == -1 ||
	    (st.has_memo && fmt != REPORT_JSON && statement_lines_print(ctl->out,
	    fmt, &res, st.items, st.n) == -1))
		rc = ctl_conn_fail(ctl, "cannot write the result");
	else
		rc = res.ndiff > 0 ? CTL_DIFF : CTL_OK;
done:
	recon_result_free(&res);
	free(l);
	statement_free(&st);
	free(y.e);
	return rc;
}

static int
import_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct import	 im;
	json_t		*o;
	int		 rc;

	import_init(&im, args_get(a, "atomic") != NULL);
	im.allow_dup_ref = args_get(a, "allow-duplicate-ref") != NULL;
	if ((rc = import_read(ctl, a->cmd, a->pos[0], &im)) != CTL_OK)
		goto done;
	if ((rc = ctl_connect(ctl)) != CTL_OK ||
	    (rc = import_pump(ctl, &im)) != CTL_OK)
		goto done;
	if (ctl->json) {
		o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:b,s:I}", "type", "summary",
		    "rows", (json_int_t)im.nrows, "written", (json_int_t)im.written,
		    "duplicates", (json_int_t)im.dups,
		    "refused", (json_int_t)im.refused, "atomic", im.atomic,
		    "pending_approval", (json_int_t)im.requested);
		out_json_line(ctl->out, o);
	} else {
		fprintf(ctl->out, "written %zu, duplicates %zu, refused %zu "
		    "(%zu rows%s)\n", im.written, im.dups, im.refused, im.nrows,
		    im.atomic && im.refused > 0 ? "; atomic: nothing written" : "");
		/* Written, but as requests: no money has moved yet. */
		if (im.requested > 0)
			fprintf(ctl->out, "%zu of them await approval by another "
			    "officer (ledgerctl pending)\n", im.requested);
	}
	rc = im.refused > 0 ? CTL_REFUSED : CTL_OK;
done:
	import_free(&im);
	return rc;
}
