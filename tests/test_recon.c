/*
 * test_recon.c - the arithmetic of `report` and `reconcile` (client/recon.h)
 * and the row parsers of statements and imports (client/statement.h,
 * client/import.h) over plain arrays, and their usage errors through
 * ctl_main(): a bad statement or import line is refused before any
 * connection, naming its line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "csvread.h"
#include "ctl.h"
#include "entry.h"
#include "import.h"
#include "recon.h"
#include "session.h"
#include "statement.h"

/* ---- entries ---------------------------------------------------- */

static struct recon_entry
ent(uint64_t seq, int kind, const char *region, int account, int64_t amount,
    const char *ref, uint32_t date)
{
	struct recon_entry	 e;

	memset(&e, 0, sizeof(e));
	e.seq = seq;
	e.kind = (uint8_t)kind;
	e.fy = 2013;
	e.account = (uint8_t)account;
	e.amount = amount;
	e.date = date;
	snprintf(e.region, sizeof(e.region), "%s", region);
	snprintf(e.ref, sizeof(e.ref), "%s", ref);
	return e;
}

static struct recon_entry
rev(uint64_t seq, uint64_t target, int target_kind)
{
	struct recon_entry	 e = ent(seq, LD_K_REVERSAL, "", 1, 1, "", 0);

	e.reverses = target;
	e.target_kind = (uint8_t)target_kind;
	return e;
}

#define GEN	LD_A_GENERAL
#define REC	LD_A_RECONSTRUCTION

/* A year: appropriations, awards replaced, payments, reversals, a close. */
static size_t
sample_year(struct recon_entry *e)
{
	size_t	 n = 0;

	e[n++] = ent(1, LD_K_APPROPRIATION, "", GEN, 500000000, "AP-1", 0);
	e[n++] = ent(2, LD_K_APPROPRIATION, "", GEN, 7000, "AP-2", 0);
	e[n++] = ent(3, LD_K_APPROPRIATION, "", REC, 900000000, "AP-3", 0);
	e[n++] = ent(4, LD_K_AWARD, "hakodate", GEN, 150000000, "AW-1", 0);
	e[n++] = ent(5, LD_K_AWARD, "sendai", REC, 300000000, "AW-2", 0);
	e[n++] = ent(6, LD_K_DISBURSEMENT, "hakodate", GEN, 50000000, "V-1", 20130630);
	e[n++] = ent(7, LD_K_DISBURSEMENT, "hakodate", GEN, 1000, "V-2", 20130701);
	e[n++] = ent(8, LD_K_REFUND, "hakodate", GEN, 200, "V-1", 20130801);
	/* 変更交付決定: the later award replaces the earlier. */
	e[n++] = ent(9, LD_K_AWARD, "hakodate", GEN, 120000000, "AW-3", 0);
	e[n++] = ent(10, LD_K_DISBURSEMENT, "sendai", REC, 5000, "V-3", 20130702);
	e[n++] = rev(11, 7, LD_K_DISBURSEMENT);
	e[n++] = rev(12, 2, LD_K_APPROPRIATION);
	e[n++] = ent(13, LD_K_YEAR_CLOSE, "", REC, 0, "", 0);
	return n;
}

static void
test_report_compute(void **state)
{
	struct recon_entry	 e[16];
	struct report		 r;
	char			 why[256];
	size_t			 n = sample_year(e);

	(void)state;
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), 0);
	assert_int_equal(r.nentries, n);
	assert_int_equal(r.nregion, 2);
	/* Sorted by code. */
	assert_string_equal(r.region[0].region, "hakodate");
	assert_int_equal(r.region[0].award, 120000000);
	assert_int_equal(r.region[0].award_seq, 9);
	assert_int_equal(r.region[0].disbursed, 50000000);	/* seq 7 reversed */
	assert_int_equal(r.region[0].refunded, 200);
	assert_string_equal(r.region[1].region, "sendai");
	assert_int_equal(r.region[1].account, REC);
	assert_int_equal(r.acct[0].appropriated, 500000000);	/* AP-2 reversed */
	assert_int_equal(r.acct[0].awarded, 120000000);
	assert_int_equal(r.acct[0].disbursed, 50000000);
	assert_int_equal(r.acct[0].refunded, 200);
	assert_int_equal(r.acct[0].closed, 0);
	assert_int_equal(r.acct[1].appropriated, 900000000);
	assert_int_equal(r.acct[1].awarded, 300000000);
	assert_int_equal(r.acct[1].disbursed, 5000);
	assert_int_equal(r.acct[1].closed, 1);
	report_free(&r);
}

/* Version 2 entries of the year: what a report's totals make of them. */
static void
test_report_compute_v2(void **state)
{
	struct recon_entry	 e[24];
	struct report		 r;
	char			 why[256];
	size_t			 n = sample_year(e);

	(void)state;
	/* Terms, a settlement, a receipt reversed: no total changes. */
	e[n++] = ent(14, LD_K_TERMS, "", REC, 0, "T-1", 0);
	e[n++] = ent(15, LD_K_SETTLEMENT, "sendai", REC, 4000, "S-1", 20140630);
	e[n++] = ent(16, LD_K_RECEIPT, "sendai", REC, 1000, "R-1", 20140801);
	e[n++] = rev(17, 16, LD_K_RECEIPT);
	/* 交付決定の取消: the award becomes 0, its seq stays. */
	e[n++] = ent(18, LD_K_AWARD_CANCEL, "hakodate", GEN, 120000000, "C-1",
	    20140110);
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), 0);
	assert_string_equal(r.region[0].region, "hakodate");
	assert_int_equal(r.region[0].award, 0);
	assert_int_equal(r.region[0].award_seq, 9);
	assert_int_equal(r.region[0].disbursed, 50000000);
	assert_int_equal(r.acct[0].awarded, 0);
	assert_int_equal(r.region[1].award, 300000000);
	assert_int_equal(r.acct[1].disbursed, 5000);
	report_free(&r);

	/* A cancellation before a later award does not touch it. */
	e[n++] = ent(19, LD_K_AWARD, "hakodate", GEN, 110000000, "AW-4", 20140115);
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), 0);
	assert_int_equal(r.region[0].award, 110000000);
	assert_int_equal(r.region[0].award_seq, 19);
	report_free(&r);

	/* A cancellation of a region without an award cannot be in a ledger. */
	e[n++] = ent(20, LD_K_AWARD_CANCEL, "otaru", GEN, 0, "C-2", 20140110);
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "otaru"));
}

static void
test_report_compute_refuses_broken(void **state)
{
	struct recon_entry	 e[16];
	struct report		 r;
	char			 why[256];
	size_t			 n = sample_year(e);

	(void)state;
	/*
	 * A payment of a region without an award that year is money carried
	 * in from the year before (繰越): the report counts it, with no award,
	 * and report_check() holds it against the daemon's balances.
	 */
	e[n++] = ent(14, LD_K_DISBURSEMENT, "otaru", GEN, 1, "V-9", 20130702);
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), 0);
	{
		size_t i;

		for (i = 0; i < r.nregion &&
		    strcmp(r.region[i].region, "otaru") != 0; i++)
			;
		assert_true(i < r.nregion);
		assert_int_equal(r.region[i].award, 0);
		assert_int_equal(r.region[i].award_seq, 0);
		assert_int_equal(r.region[i].disbursed, 1);
	}
	report_free(&r);

	n = sample_year(e);
	e[3].fy = 2014;
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "fiscal year 2014"));

	/* A reversal whose target is not among the year's entries. */
	n = sample_year(e);
	e[n++] = rev(14, 99, LD_K_DISBURSEMENT);
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), -1);
}

/* The daemon's balances for sample_year(). */
static void
sample_balances(struct ld_acct_bal *a, struct ld_region_bal *g)
{
	memset(a, 0, 2 * sizeof(*a));
	memset(g, 0, 2 * sizeof(*g));
	a[0] = (struct ld_acct_bal){ .account = GEN, .fy = 2013,
	    .appropriated = 500000000, .awarded = 120000000,
	    .disbursed = 50000000, .refunded = 200, .closed = 0 };
	a[1] = (struct ld_acct_bal){ .account = REC, .fy = 2013,
	    .appropriated = 900000000, .awarded = 300000000, .disbursed = 5000,
	    .refunded = 0, .closed = 1 };
	snprintf(g[0].region, sizeof(g[0].region), "sendai");
	g[0].fy = 2013;
	g[0].grant_type = LD_G_RECONSTRUCTION;
	g[0].account = REC;
	g[0].award = 300000000;
	g[0].award_seq = 5;
	g[0].disbursed = 5000;
	snprintf(g[1].region, sizeof(g[1].region), "hakodate");
	g[1].fy = 2013;
	g[1].grant_type = LD_G_CONTINUING;
	g[1].account = GEN;
	g[1].award = 120000000;
	g[1].award_seq = 9;
	g[1].disbursed = 50000000;
	g[1].refunded = 200;
}

static void
test_report_check(void **state)
{
	struct recon_entry	 e[16];
	struct ld_acct_bal	 a[2];
	struct ld_region_bal	 g[2];
	struct report		 r;
	char			 why[256];
	size_t			 n = sample_year(e);

	(void)state;
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), 0);
	sample_balances(a, g);
	assert_int_equal(report_check(&r, a, 2, g, 2, why, sizeof(why)), 0);
	assert_int_equal(r.region[0].grant_type, LD_G_CONTINUING);

	/* One yen off in a region's disbursed is a disagreement. */
	g[1].disbursed++;
	assert_int_equal(report_check(&r, a, 2, g, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "hakodate"));
	assert_non_null(strstr(why, "disbursed"));

	/* An account figure off. */
	sample_balances(a, g);
	a[1].refunded = 1;
	assert_int_equal(report_check(&r, a, 2, g, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "reconstruction"));

	/* A region missing from the daemon's answer. */
	sample_balances(a, g);
	assert_int_equal(report_check(&r, a, 2, g, 1, why, sizeof(why)), -1);

	/* An account missing. */
	assert_int_equal(report_check(&r, a, 1, g, 2, why, sizeof(why)), -1);
	report_free(&r);

	/* The daemon's regions must add up to its accounts, even when the
	 * entries agree with the (wrong) account figures. */
	n = sample_year(e);
	assert_int_equal(report_compute(&r, 2013, e, n, why, sizeof(why)), 0);
	sample_balances(a, g);
	r.acct[0].disbursed = a[0].disbursed = 50000001;
	assert_int_equal(report_check(&r, a, 2, g, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "sum of regions"));
	report_free(&r);
}

static void
test_ledger_items(void **state)
{
	struct recon_entry	 e[16];
	struct recon_item	*v;
	size_t			 n = sample_year(e), nv;

	(void)state;
	assert_int_equal(recon_ledger_items(e, n, &v, &nv), 0);
	/* seq 6, 8 (refund: negative), 10; seq 7 is reversed. */
	assert_int_equal(nv, 3);
	assert_string_equal(v[0].ref, "V-1");
	assert_int_equal(v[0].amount, 50000000);
	assert_int_equal(v[0].where, 6);
	assert_int_equal(v[1].amount, -200);
	assert_int_equal(v[1].date, 20130801);
	assert_int_equal(v[2].where, 10);
	free(v);

	assert_int_equal(recon_ledger_items(e, 0, &v, &nv), 0);
	assert_int_equal(nv, 0);
	assert_null(v);
}

/* ---- reconcile --------------------------------------------------- */

static struct recon_item
item(const char *ref, uint32_t date, int64_t amount, uint64_t where)
{
	struct recon_item	 it;

	memset(&it, 0, sizeof(it));
	snprintf(it.ref, sizeof(it.ref), "%s", ref);
	it.date = date;
	it.amount = amount;
	it.where = where;
	return it;
}

static void
test_match_clean(void **state)
{
	struct recon_item	 l[4], s[4];
	struct recon_result	 res;

	(void)state;
	/* A ref paid twice and refunded once; the statement in another order. */
	l[0] = item("V-1", 20130630, 1000, 6);
	l[1] = item("V-1", 20130801, -200, 8);
	l[2] = item("V-2", 20130701, 5, 9);
	l[3] = item("V-1", 20130701, 300, 10);
	s[0] = item("V-2", 20130701, 5, 2);
	s[1] = item("V-1", 20130801, -200, 3);
	s[2] = item("V-1", 20130630, 1300, 4);
	assert_int_equal(recon_match(l, 4, s, 3, &res), 0);
	assert_int_equal(res.ndiff, 0);
	assert_int_equal(res.matched, 2);
	assert_int_equal(res.ledger_refs, 2);
	assert_int_equal(res.statement_refs, 2);
	recon_result_free(&res);

	assert_int_equal(recon_match(NULL, 0, NULL, 0, &res), 0);
	assert_int_equal(res.ndiff, 0);
	recon_result_free(&res);
}

static void
test_match_each_difference(void **state)
{
	struct recon_item	 l[6], s[6];
	struct recon_result	 res;
	const struct recon_diff	*d;

	(void)state;
	l[0] = item("A-missing-stmt", 20130630, 700, 5);
	l[1] = item("B-amount", 20130701, 1000, 6);
	l[2] = item("C-date", 20130702, 50, 7);
	l[3] = item("E-ok", 20130703, 1, 8);
	s[0] = item("E-ok", 20130703, 1, 2);
	s[1] = item("D-missing-ledger", 20130704, -30, 3);
	s[2] = item("C-date", 20130705, 50, 4);
	s[3] = item("B-amount", 20130701, 999, 5);
	assert_int_equal(recon_match(l, 4, s, 4, &res), 0);
	assert_int_equal(res.ndiff, 4);
	assert_int_equal(res.count[RECON_MISSING_IN_STATEMENT], 1);
	assert_int_equal(res.count[RECON_MISSING_IN_LEDGER], 1);
	assert_int_equal(res.count[RECON_AMOUNT_MISMATCH], 1);
	assert_int_equal(res.count[RECON_DATE_MISMATCH], 1);
	assert_int_equal(res.matched, 1);
	assert_int_equal(res.ledger_refs, 4);
	assert_int_equal(res.statement_refs, 4);

	/* Sorted by ref. */
	d = &res.diff[0];
	assert_int_equal(d->type, RECON_MISSING_IN_STATEMENT);
	assert_string_equal(d->ref, "A-missing-stmt");
	assert_int_equal(d->ledger_amount, 700);
	assert_int_equal(d->lcount, 1);
	assert_int_equal(l[d->lfirst].where, 5);

	d = &res.diff[1];
	assert_int_equal(d->type, RECON_AMOUNT_MISMATCH);
	assert_string_equal(d->ref, "B-amount");
	assert_int_equal(d->ledger_amount, 1000);
	assert_int_equal(d->statement_amount, 999);

	d = &res.diff[2];
	assert_int_equal(d->type, RECON_DATE_MISMATCH);
	assert_string_equal(d->ref, "C-date");
	assert_int_equal(s[d->sitem].date, 20130705);
	assert_int_equal(s[d->sitem].where, 4);
	assert_int_equal(l[d->lfirst].date, 20130702);

	d = &res.diff[3];
	assert_int_equal(d->type, RECON_MISSING_IN_LEDGER);
	assert_string_equal(d->ref, "D-missing-ledger");
	assert_int_equal(d->statement_amount, -30);
	assert_int_equal(s[d->sfirst].where, 3);
	assert_string_equal(recon_diff_name(d->type), "missing_in_ledger");
	recon_result_free(&res);
}

static void
test_match_amount_and_dates(void **state)
{
	struct recon_item	 l[3], s[3];
	struct recon_result	 res;

	(void)state;
	/* One ref wrong in amount and in two of its three dates. */
	l[0] = item("V-1", 20130601, 100, 1);
	l[1] = item("V-1", 20130602, 100, 2);
	s[0] = item("V-1", 20130601, 100, 10);
	s[1] = item("V-1", 20130603, 100, 11);
	s[2] = item("V-1", 20130604, 1, 12);
	assert_int_equal(recon_match(l, 2, s, 3, &res), 0);
	assert_int_equal(res.ndiff, 3);
	assert_int_equal(res.diff[0].type, RECON_AMOUNT_MISMATCH);
	assert_int_equal(res.diff[0].statement_amount, 201);
	assert_int_equal(res.diff[1].type, RECON_DATE_MISMATCH);
	assert_int_equal(s[res.diff[1].sitem].where, 11);
	assert_int_equal(res.diff[2].type, RECON_DATE_MISMATCH);
	assert_int_equal(s[res.diff[2].sitem].where, 12);
	assert_int_equal(res.matched, 0);
	recon_result_free(&res);

	/* Only a statement with nothing in the ledger, and the reverse. */
	s[0] = item("X", 20130601, 5, 2);
	assert_int_equal(recon_match(NULL, 0, s, 1, &res), 0);
	assert_int_equal(res.ndiff, 1);
	assert_int_equal(res.diff[0].type, RECON_MISSING_IN_LEDGER);
	recon_result_free(&res);
	l[0] = item("X", 20130601, 5, 2);
	assert_int_equal(recon_match(l, 1, NULL, 0, &res), 0);
	assert_int_equal(res.ndiff, 1);
	assert_int_equal(res.diff[0].type, RECON_MISSING_IN_STATEMENT);
	recon_result_free(&res);
}

static void
test_parse_signed(void **state)
{
	static const char *const bad[] = {
		"", "-", "0", "-0", "+5", "1.0", "1,00", "12,3456", ",100",
		"1,,000", "1000,000", "1 2", "10000000000001", "1万", "１",
		"--1", "1,000,", "¥", "-¥-5", "¥¥5", "5¥", "$5", "1,500円",
		"(1,500)", NULL
	};
	int64_t	 v;
	int	 i;

	(void)state;
	assert_int_equal(statement_parse_amount("1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(statement_parse_amount("-1,000", &v), 0);
	assert_int_equal(v, -1000);
	assert_int_equal(statement_parse_amount("12,345,678", &v), 0);
	assert_int_equal(v, 12345678);
	assert_int_equal(statement_parse_amount("-10000000000000", &v), 0);
	assert_int_equal(v, -INT64_C(10000000000000));
	/* As Excel writes a currency cell back, and Shift_JIS's yen sign. */
	assert_int_equal(statement_parse_amount("¥1,500,000", &v), 0);
	assert_int_equal(v, 1500000);
	assert_int_equal(statement_parse_amount("-¥1,500", &v), 0);
	assert_int_equal(v, -1500);
	assert_int_equal(statement_parse_amount("¥-1,500", &v), 0);
	assert_int_equal(v, -1500);
	assert_int_equal(statement_parse_amount("￥20", &v), 0);
	assert_int_equal(v, 20);
	assert_int_equal(statement_parse_amount("\\3,000", &v), 0);
	assert_int_equal(v, 3000);
	assert_int_equal(statement_parse_amount(" 1,000 ", &v), 0);
	assert_int_equal(v, 1000);
	for (i = 0; bad[i] != NULL; i++)
		if (statement_parse_amount(bad[i], &v) != -1)
			fail_msg("'%s' accepted", bad[i]);
}

static void
test_statement_date(void **state)
{
	static const char *const bad[] = {
		"", "2013/6", "2013/6/31", "2013/13/1", "13/6/30", "2013/006/30",
		"2013/6/30/1", "2013-6-30x", "2013//30", "2013/6/30 ", "30/6/2013",
		NULL
	};
	uint32_t	 d;
	char		 err[256];
	int		 i;

	(void)state;
	assert_int_equal(statement_parse_date("2013-06-30", &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d, 20130630);
	assert_int_equal(statement_parse_date("2013/6/30", &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d, 20130630);
	assert_int_equal(statement_parse_date("2013/06/30", &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d, 20130630);
	assert_int_equal(statement_parse_date("2014/3/1", &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d, 20140301);
	for (i = 0; bad[i] != NULL; i++)
		if (statement_parse_date(bad[i], &d, err, sizeof(err)) != -1)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(statement_parse_date("2013/2/29", &d, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "2013-02-29"));
}

static void
test_statement_ref(void **state)
{
	char	 out[LD_REF_MAX + 1], err[256], big[300];

	(void)state;
	assert_int_equal(statement_parse_ref("V-0042", out, sizeof(out), err,
	    sizeof(err)), 0);
	assert_string_equal(out, "V-0042");
	/* Japanese is kept as it is; full-width ASCII is folded. */
	assert_int_equal(statement_parse_ref("振込-0007", out, sizeof(out), err,
	    sizeof(err)), 0);
	assert_string_equal(out, "振込-0007");
	assert_int_equal(statement_parse_ref("Ｖ－０００７", out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, "V-0007");
	assert_int_equal(statement_parse_ref("A\xe3\x80\x80" "B", out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "A B");
	assert_int_equal(statement_parse_ref("", out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_int_equal(statement_parse_ref("\x90\x55", out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not UTF-8"));
	assert_int_equal(statement_parse_ref("a\tb", out, sizeof(out), err,
	    sizeof(err)), -1);
	/* 64 bytes: 21 kanji fit (63 bytes), 22 do not; 64 full-width fold to 64. */
	big[0] = '\0';
	for (int i = 0; i < 21; i++)
		strcat(big, "振");
	assert_int_equal(statement_parse_ref(big, out, sizeof(out), err,
	    sizeof(err)), 0);
	strcat(big, "振");
	assert_int_equal(statement_parse_ref(big, out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "64 bytes"));
	big[0] = '\0';
	for (int i = 0; i < 64; i++)
		strcat(big, "Ｘ");
	assert_int_equal(statement_parse_ref(big, out, sizeof(out), err,
	    sizeof(err)), 0);
	assert_int_equal(strlen(out), 64);
}

static void
test_statement_row(void **state)
{
	char			 f0[16] = "2013-06-30", f1[80] = "V-0042", f2[32] = "-5,000";
	char			 f3[32] = "函館市 6月分";
	char			*f[4] = { f0, f1, f2, f3 };
	/* The bank's order: amount, memo, date, ref. */
	char			*g[4] = { f2, f3, f0, f1 };
	struct statement_cols	 c = { 0, 1, 2, CSVR_ABSENT, 3 };
	struct statement_cols	 cm = { 2, 3, 0, 1, 4 };
	struct recon_item	 it;
	char			 err[256];

	(void)state;
	assert_int_equal(statement_parse_row(f, 3, &c, 7, &it, err, sizeof(err)), 0);
	assert_string_equal(it.ref, "V-0042");
	assert_int_equal(it.date, 20130630);
	assert_int_equal(it.amount, -5000);
	assert_int_equal(it.where, 7);
	assert_null(it.memo);
	assert_int_equal(statement_parse_row(g, 4, &cm, 8, &it, err, sizeof(err)), 0);
	assert_string_equal(it.ref, "V-0042");
	assert_int_equal(it.amount, -5000);
	assert_string_equal(it.memo, "函館市 6月分");

	assert_int_equal(statement_parse_row(f, 2, &c, 7, &it, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected 3 fields"));
	strcpy(f0, "2013-02-30");
	assert_int_equal(statement_parse_row(f, 3, &c, 7, &it, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "date (column 1)"));
	strcpy(f0, "2013/6/30");
	assert_int_equal(statement_parse_row(f, 3, &c, 7, &it, err, sizeof(err)), 0);
	assert_int_equal(it.date, 20130630);
	strcpy(f1, "");
	assert_int_equal(statement_parse_row(f, 3, &c, 7, &it, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ref (column 2)"));
	strcpy(f1, "V-1");
	strcpy(f2, "1.5億");
	assert_int_equal(statement_parse_row(g, 4, &cm, 7, &it, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "amount (column 1)"));
	strcpy(f2, "1");
	strcpy(f3, "\x1b[2J");
	assert_int_equal(statement_parse_row(g, 4, &cm, 7, &it, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "memo (column 2)"));
}

static void
test_import_row(void **state)
{
	char		 b[8][600] = { "disbursement", "hakodate", "H25", "1.5億",
	    "V-1", "2013-06-30", "概算払, 第1回", "imp-1" };
	char		*f[8];
	struct ld_entry	 q;
	char		 err[256];
	int		 i;

	(void)state;
	for (i = 0; i < 8; i++)
		f[i] = b[i];
	assert_int_equal(import_parse_row(f, 8, &q, err, sizeof(err)), 0);
	assert_int_equal(q.kind, LD_K_DISBURSEMENT);
	assert_string_equal(q.region, "hakodate");
	assert_int_equal(q.fy, 2013);
	assert_int_equal(q.amount, 150000000);
	assert_int_equal(q.date, 20130630);
	assert_string_equal(q.memo, "概算払, 第1回");
	assert_string_equal(q.id, "imp-1");

	strcpy(b[0], "refund");
	strcpy(b[3], "１，０００");
	strcpy(b[6], "");
	assert_int_equal(import_parse_row(f, 8, &q, err, sizeof(err)), 0);
	assert_int_equal(q.kind, LD_K_REFUND);
	assert_int_equal(q.amount, 1000);

#define BAD(k, val, want) do {						\
	char saved[600];						\
	strcpy(saved, b[k]);						\
	strcpy(b[k], val);						\
	assert_int_equal(import_parse_row(f, 8, &q, err, sizeof(err)), -1); \
	if (strstr(err, want) == NULL)					\
		fail_msg("'%s': error '%s' lacks '%s'", val, err, want);	\
	strcpy(b[k], saved);						\
} while (0)
	BAD(0, "award", "kind");
	BAD(1, "Hakodate", "region");
	BAD(2, "2013年", "fy");
	BAD(3, "0", "amount");
	BAD(4, "", "ref");
	BAD(5, "2013-06-31", "date");
	BAD(6, "tab\there", "memo");
	BAD(7, "", "id");
	memset(b[6], 'x', 513);
	b[6][513] = '\0';
	assert_int_equal(import_parse_row(f, 8, &q, err, sizeof(err)), -1);
	b[6][0] = '\0';
	assert_int_equal(import_parse_row(f, 7, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected 8 fields"));
}

/* ---- usage errors through ctl_main ------------------------------- */

static char	 tmpdir[64];

static int
dir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_recon.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
dir_teardown(void **state)
{
	char	 cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
write_file(const char *name, const char *text)
{
	static char	 path[128];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Run ledgerctl with no server anywhere: only pre-connection work can pass. */
static int
run(const char *errwant, int n, ...)
{
	char		*argv[16], *out = NULL, *errs = NULL;
	size_t		 outlen, errlen;
	FILE		*fo, *fe;
	va_list		 ap;
	int		 i, rc;

	argv[0] = (char *)"ledgerctl";
	va_start(ap, n);
	for (i = 0; i < n; i++)
		argv[i + 1] = va_arg(ap, char *);
	va_end(ap);
	argv[n + 1] = NULL;
	unsetenv("LEDGER_SERVER");
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&errs, &errlen);
	rc = ctl_main(n + 1, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	if (errwant != NULL && strstr(errs, errwant) == NULL)
		fail_msg("stderr '%s' lacks '%s'", errs, errwant);
	free(out);
	free(errs);
	return rc;
}

/* write_file() for bytes that may hold NULs or a lone CP932 byte. */
static const char *
write_bytes(const char *name, const char *bytes, size_t n)
{
	static char	 path[128];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	fclose(f);
	return path;
}
#define WRITE_BYTES(name, lit)	write_bytes(name, lit, sizeof(lit) - 1)

/* statement_read() of path; its stderr into errs (caller frees). */
static int
read_stmt(const char *path, int enc, struct statement *st, char **errs)
{
	struct ctl	 ctl;
	size_t		 len;
	FILE		*fe;
	int		 rc;

	fe = open_memstream(errs, &len);
	assert_non_null(fe);
	ctl_init(&ctl, stdout, fe);
	rc = statement_read(&ctl, NULL, path, enc, st);
	fclose(fe);
	return rc;
}

/* The statement must fail to read, saying each of the wanted strings. */
static void
stmt_refused(const char *path, int enc, const char *want1, const char *want2)
{
	struct statement	 st;
	char			*errs = NULL;

	assert_int_equal(read_stmt(path, enc, &st, &errs), CTL_USAGE);
	if (strstr(errs, want1) == NULL || (want2 != NULL &&
	    strstr(errs, want2) == NULL))
		fail_msg("stderr '%s' lacks '%s' or '%s'", errs, want1,
		    want2 != NULL ? want2 : "");
	assert_null(st.items);
	free(errs);
}

/*
 * A statement as Excel saves it: BOM, CRLF, the bank's own column order
 * with columns ledgerctl does not know, a memo, 2013/6/30 dates, quoted
 * grouped amounts with a yen sign, blank lines and rows, trailing blank
 * lines.
 */
static void
test_statement_excel_utf8(void **state)
{
	struct statement	 st;
	const char		*p;
	char			*errs = NULL;

	(void)state;
	p = WRITE_BYTES("excel.csv", "\xef\xbb\xbf"
	    "No, Amount ,取引先,DATE,memo,Ref\r\n"
	    "1,\"1,500,000\",函館市,2013/6/30,6月分 概算払,振込-0007\r\n"
	    "\r\n"
	    "2,\"¥-2,000\",函館市,2013/07/01,\"戻入, 一部\",V-0002\r\n"
	    ",,,,,\r\n"
	    "3,300,仙台市,2013-07-15,,Ｖ－０００３\r\n"
	    "\r\n\r\n");
	assert_int_equal(read_stmt(p, STATEMENT_UTF8, &st, &errs), CTL_OK);
	free(errs);
	assert_int_equal(st.n, 3);
	assert_true(st.has_memo);
	assert_string_equal(st.items[0].ref, "振込-0007");
	assert_int_equal(st.items[0].date, 20130630);
	assert_int_equal(st.items[0].amount, 1500000);
	assert_string_equal(st.items[0].memo, "6月分 概算払");
	assert_int_equal(st.items[0].where, 2);
	assert_string_equal(st.items[1].ref, "V-0002");
	assert_int_equal(st.items[1].amount, -2000);
	assert_int_equal(st.items[1].date, 20130701);
	assert_string_equal(st.items[1].memo, "戻入, 一部");
	assert_int_equal(st.items[1].where, 4);
	assert_string_equal(st.items[2].ref, "V-0003");
	assert_string_equal(st.items[2].memo, "");
	assert_int_equal(st.items[2].where, 6);
	statement_free(&st);

	/* The contract's own header, LF, no memo column. */
	p = WRITE_BYTES("plain.csv", "date,ref,amount\n2013-06-30,V-1,100\n");
	assert_int_equal(read_stmt(p, STATEMENT_UTF8, &st, &errs), CTL_OK);
	free(errs);
	assert_int_equal(st.n, 1);
	assert_false(st.has_memo);
	assert_null(st.items[0].memo);
	statement_free(&st);

	/* Blank lines before the header are skipped too; the lines keep their numbers. */
	p = WRITE_BYTES("late.csv", "\r\n,,\r\nref,amount,date\r\nV-1,100,2013/4/1x\r\n");
	stmt_refused(p, STATEMENT_UTF8, "late.csv: line 4: date (column 3)",
	    "YYYY/M/D");
}

static void
test_statement_bad_files(void **state)
{
	const char	*p;

	(void)state;
	p = WRITE_BYTES("nocols.csv", "date,memo,amount\r\n2013-06-30,x,1\r\n");
	stmt_refused(p, STATEMENT_UTF8, "nocols.csv: line 1: the header lacks "
	    "the column ref", "found 'date', 'memo', 'amount'");
	p = WRITE_BYTES("nocols2.csv", "日付,摘要,金額\n");
	stmt_refused(p, STATEMENT_UTF8, "lacks the columns date, ref, amount",
	    NULL);
	p = WRITE_BYTES("twice.csv", "date,ref,amount,Ref\n");
	stmt_refused(p, STATEMENT_UTF8, "column 'ref' appears twice (fields 2 "
	    "and 4)", NULL);
	p = WRITE_BYTES("empty.csv", "\r\n\r\n");
	stmt_refused(p, STATEMENT_UTF8, "empty file", NULL);
	p = WRITE_BYTES("short.csv", "date,ref,amount,memo\n2013-06-30,V-1,1\n");
	stmt_refused(p, STATEMENT_UTF8, "short.csv: line 2: expected 4 fields",
	    NULL);
	p = WRITE_BYTES("amt.csv", "date,ref,amount\n2013-06-30,V-1,1\n"
	    "2013-06-30,V-1,\"1,5000\"\n");
	stmt_refused(p, STATEMENT_UTF8, "amt.csv: line 3: amount (column 3)",
	    "'1,5000'");
	/* Shift_JIS bytes read as UTF-8: named, with the way out. */
	p = WRITE_BYTES("sjis.csv", "date,ref,amount\n2013-06-30,\x90\x55\x8d\x9e-7,1\n");
	stmt_refused(p, STATEMENT_UTF8, "sjis.csv: line 2: ref (column 2): not "
	    "UTF-8", "try --encoding cp932");
	/* A UTF-8 file said to be cp932. */
	p = WRITE_BYTES("bom.csv", "\xef\xbb\xbf" "date,ref,amount\n");
	stmt_refused(p, STATEMENT_CP932, "byte order mark", "not cp932");
}

/* A statement Japanese Excel saves as "CSV": Shift_JIS (CP932), CRLF. */
static void
test_statement_cp932(void **state)
{
	struct statement	 st;
	const char		*p;
	char			*errs = NULL;

	(void)state;
	/* memo ソ is 0x83 0x5C: its second byte is ASCII '\'. */
	p = WRITE_BYTES("cp932.csv",
	    "date,ref,amount,memo\r\n"
	    "2013/6/30,\x90\x55\x8d\x9e-0007,\"\x81\x8f" "1,500\",\x94\x9f\x8a\xd9\x8e\x73\r\n"
	    "2013/7/1,V-2,\\3000,\x83\x5c\r\n"
	    "\r\n");
	assert_int_equal(read_stmt(p, STATEMENT_CP932, &st, &errs), CTL_OK);
	free(errs);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.items[0].ref, "振込-0007");
	assert_int_equal(st.items[0].amount, 1500);
	assert_string_equal(st.items[0].memo, "函館市");
	assert_int_equal(st.items[1].amount, 3000);
	assert_string_equal(st.items[1].memo, "ソ");
	assert_int_equal(st.items[1].where, 3);
	statement_free(&st);

	/* A byte that is no CP932 character: its line is named. */
	p = WRITE_BYTES("badsjis.csv", "date,ref,amount\r\n2013/6/30,V-1,1\r\n"
	    "2013/6/30,V-\x81\x20,1\r\n");
	stmt_refused(p, STATEMENT_CP932, "badsjis.csv: line 3: bytes 0x81 0x20 "
	    "are not CP932 text", NULL);
	p = WRITE_BYTES("cut.csv", "date,ref,amount\r\n2013/6/30,V-\x90");
	stmt_refused(p, STATEMENT_CP932, "cut.csv: line 2: the file ends inside "
	    "a character", NULL);
}

static void
test_usage_before_connecting(void **state)
{
	const char	*p;

	(void)state;
	p = write_file("stmt.csv", "\xef\xbb\xbf" "date,ref,amount\r\n"
	    "2013-06-30,V-1,100\r\n2013-07-01,V-2,1x\r\n");
	assert_int_equal(run("line 3: amount", 5, "reconcile", "--fy", "2013",
	    "--statement", p), CTL_USAGE);
	p = write_file("hdr.csv", "date,amount\n");
	assert_int_equal(run("lacks the column ref", 5, "reconcile", "--fy", "2013",
	    "--statement", p), CTL_USAGE);
	p = write_file("quote.csv", "date,ref,amount\n2013-06-30,\"V-1,100\n");
	assert_int_equal(run("unterminated quoted field (opened on line 2)", 5,
	    "reconcile", "--fy", "2013", "--statement", p), CTL_USAGE);
	assert_int_equal(run("cannot open", 5, "reconcile", "--fy", "2013",
	    "--statement", "/nonexistent/x.csv"), CTL_USAGE);
	p = write_file("good.csv", "date,ref,amount\n2013-06-30,V-1,100\n");
	assert_int_equal(run("--encoding: 'latin1' is not utf-8 or cp932", 7,
	    "reconcile", "--fy", "2013", "--statement", p, "--encoding",
	    "latin1"), CTL_USAGE);
	assert_int_equal(run("no server", 7, "reconcile", "--fy", "2013",
	    "--statement", p, "--encoding", "CP932"), CTL_USAGE);
	assert_int_equal(run("--format", 7, "reconcile", "--fy", "2013",
	    "--statement", p, "--format", "csv"), CTL_USAGE);
	/* A good statement gets as far as needing a server. */
	assert_int_equal(run("no server", 5, "reconcile", "--fy", "2013",
	    "--statement", p), CTL_USAGE);

	p = write_file("imp.csv", "kind,region,fy,amount,ref,date,memo,id\n"
	    "disbursement,hakodate,2013,1000,V-1,2013-06-30,\"a\nb\",i-1\n"
	    "disbursement,hakodate,2013,1000,V-1,2013-06-30,,i-2\n"
	    "refund,hakodate,2013,-5,V-1,2013-06-30,,i-3\n");
	/* The memo's line break is refused (a control character) ... */
	assert_int_equal(run("line 2: memo", 2, "import", p), CTL_USAGE);
	p = write_file("imp2.csv", "kind,region,fy,amount,ref,date,memo,id\n"
	    "disbursement,hakodate,2013,1000,V-1,2013-06-30,\"x, y\",i-1\n"
	    "refund,hakodate,2013,-5,V-1,2013-06-30,,i-3\n");
	assert_int_equal(run("line 3: amount", 3, "import", p, "--atomic"),
	    CTL_USAGE);
	assert_int_equal(run("format", 5, "report", "--fy", "2013", "--format",
	    "xml"), CTL_USAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_compute),
		cmocka_unit_test(test_report_compute_v2),
		cmocka_unit_test(test_report_compute_refuses_broken),
		cmocka_unit_test(test_report_check),
		cmocka_unit_test(test_ledger_items),
		cmocka_unit_test(test_match_clean),
		cmocka_unit_test(test_match_each_difference),
		cmocka_unit_test(test_match_amount_and_dates),
		cmocka_unit_test(test_parse_signed),
		cmocka_unit_test(test_statement_date),
		cmocka_unit_test(test_statement_ref),
		cmocka_unit_test(test_statement_row),
		cmocka_unit_test(test_statement_excel_utf8),
		cmocka_unit_test(test_statement_bad_files),
		cmocka_unit_test(test_statement_cp932),
		cmocka_unit_test(test_import_row),
		cmocka_unit_test(test_usage_before_connecting),
	};

	return cmocka_run_group_tests(tests, dir_setup, dir_teardown);
}
