/*
 * test_display.c - what people read in ledgerctl's tables (client/display.c):
 * the width a terminal gives Japanese text, amounts in 千円 and 百万円 with
 * △ for negatives and the part below the unit cut off, rates with their
 * null, the language chosen from --lang or the environment, and the words
 * of the Japanese tables.  Also the list table's alignment with Japanese
 * text, and the report's HTML through report_print(), without a daemon.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "display.h"
#include "output.h"
#include "recon.h"
#include "regnames.h"
#include "report.h"

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(disp_width(""), 0);
	assert_int_equal(disp_width("hakodate"), 8);
	assert_int_equal(disp_width("函館市"), 6);
	assert_int_equal(disp_width("ｶﾀｶﾅ"), 4);	/* half-width kana: one */
	assert_int_equal(disp_width("２０１３"), 8);	/* full-width digits */
	assert_int_equal(disp_width("くまもと有機"), 12);
	assert_int_equal(disp_width("「知の拠点」"), 12);
	assert_int_equal(disp_width("△1,234"), 6);	/* ambiguous: one */
	assert_int_equal(disp_width("か\xe3\x82\x99"), 2);	/* combining mark */
	assert_int_equal(disp_width("QOL技術"), 7);
	assert_int_equal(disp_width("\xff" "a"), 2);	/* a stray byte: one */
	assert_int_equal(out_width("仙台"), 4);
}

static void
test_amount_units(void **state)
{
	struct disp	 y = { DISP_EN, DISP_YEN }, k = { DISP_JA, DISP_THOUSAND };
	struct disp	 m = { DISP_EN, DISP_MILLION };
	char		 b[32];

	(void)state;
	disp_amount(&y, 1234567, b, sizeof(b));
	assert_string_equal(b, "1,234,567");
	disp_amount(&y, -1500, b, sizeof(b));
	assert_string_equal(b, "-1,500");
	disp_amount(&k, 1234567, b, sizeof(b));
	assert_string_equal(b, "1,234");
	disp_amount(&k, 999, b, sizeof(b));
	assert_string_equal(b, "0");
	disp_amount(&k, -1234567, b, sizeof(b));
	assert_string_equal(b, "△1,234");
	disp_amount(&k, -999, b, sizeof(b));	/* the sign survives */
	assert_string_equal(b, "△0");
	disp_amount(&m, 16221000000, b, sizeof(b));
	assert_string_equal(b, "16,221");
	disp_amount(&m, 16221999999, b, sizeof(b));	/* truncated, not rounded */
	assert_string_equal(b, "16,221");
	disp_amount(&m, -1999999, b, sizeof(b));
	assert_string_equal(b, "△1");
	disp_amount(&m, INT64_MIN, b, sizeof(b));
	assert_string_equal(b, "△9,223,372,036,854");
	disp_amount(&y, 0, b, sizeof(b));
	assert_string_equal(b, "0");
	assert_null(disp_unit_line(&y));
	assert_non_null(strstr(disp_unit_line(&k), "千円"));
	assert_non_null(strstr(disp_unit_line(&k), "切捨て"));
	assert_non_null(strstr(disp_unit_line(&m), "millions of yen"));
}

static void
test_rate(void **state)
{
	struct disp	 en = DISP_DEFAULT, ja = { DISP_JA, DISP_YEN };
	char		 b[32];

	(void)state;
	disp_rate(&en, 9530, b, sizeof(b));
	assert_string_equal(b, "95.30%");
	disp_rate(&en, 0, b, sizeof(b));
	assert_string_equal(b, "0.00%");
	disp_rate(&en, 10000, b, sizeof(b));
	assert_string_equal(b, "100.00%");
	disp_rate(&en, 12345, b, sizeof(b));	/* carried-in money: above 100 */
	assert_string_equal(b, "123.45%");
	disp_rate(&en, -1, b, sizeof(b));	/* null: divisor 0 */
	assert_string_equal(b, "-");
	disp_rate(&ja, -1, b, sizeof(b));
	assert_string_equal(b, "—");
	/* rate_bp rounds down and is null without a divisor. */
	assert_int_equal(rate_bp(2, 3), 6666);
	assert_int_equal(rate_bp(5, 0), -1);
}

static void
test_resolve(void **state)
{
	struct disp	 d;
	char		 err[128];

	(void)state;
	assert_int_equal(disp_resolve(&d, NULL, NULL, NULL, NULL, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(d.lang, DISP_EN);
	assert_int_equal(d.unit, DISP_YEN);
	assert_int_equal(disp_resolve(&d, NULL, NULL, NULL, NULL,
	    "ja_JP.UTF-8", err, sizeof(err)), 0);
	assert_int_equal(d.lang, DISP_JA);
	/* LC_ALL wins over LANG, LC_MESSAGES over LANG; "" counts as unset. */
	assert_int_equal(disp_resolve(&d, NULL, NULL, "C.UTF-8", NULL,
	    "ja_JP.UTF-8", err, sizeof(err)), 0);
	assert_int_equal(d.lang, DISP_EN);
	assert_int_equal(disp_resolve(&d, NULL, NULL, "", "ja_JP.UTF-8",
	    "en_US.UTF-8", err, sizeof(err)), 0);
	assert_int_equal(d.lang, DISP_JA);
	/* --lang wins over everything. */
	assert_int_equal(disp_resolve(&d, "en", "million", "ja_JP.UTF-8",
	    NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(d.lang, DISP_EN);
	assert_int_equal(d.unit, DISP_MILLION);
	assert_int_equal(disp_resolve(&d, "ja", "thousand", NULL, NULL, NULL,
	    err, sizeof(err)), 0);
	assert_int_equal(d.lang, DISP_JA);
	assert_int_equal(d.unit, DISP_THOUSAND);
	assert_int_equal(disp_resolve(&d, "fr", NULL, NULL, NULL, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "--lang"));
	assert_int_equal(disp_resolve(&d, NULL, "billion", NULL, NULL, NULL,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--unit"));
}

static void
test_words(void **state)
{
	struct disp	 en = DISP_DEFAULT, ja = { DISP_JA, DISP_YEN };

	(void)state;
	assert_string_equal(disp_word(&en, "AWARD"), "AWARD");
	assert_string_equal(disp_word(&ja, "AWARD"), "交付決定額");
	assert_string_equal(disp_word(&ja, "NET"), "支出済額");
	assert_string_equal(disp_word(&ja, "REFUNDED"), "戻入額");
	assert_string_equal(disp_word(&ja, "BUDGET"), "予算現額");
	assert_string_equal(disp_word(&ja, "CARRIED_OUT"), "翌年度繰越額");
	assert_string_equal(disp_word(&ja, "UNUSED"), "不用額");
	assert_string_equal(disp_word(&ja, "RATE"), "執行率");
	assert_string_equal(disp_word(&ja, "general"), "一般会計");
	assert_string_equal(disp_word(&ja, "no such word"), "no such word");
	assert_null(disp_word(&ja, NULL));
}

/* The list lines up whatever the width of its Japanese text. */
static void
test_list_aligned(void **state)
{
	struct disp	 en = DISP_DEFAULT;
	struct out_list	*l;
	struct ld_entry	 e;
	char		*buf = NULL, *line, *next;
	size_t		 len = 0, w0 = 0, w;
	FILE		*f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	l = out_list_new(f, &en);
	assert_non_null(l);
	memset(&e, 0, sizeof(e));
	e.kind = LD_K_REGION;
	e.seq = 1;
	e.grant_type = LD_G_GENERAL;
	strcpy(e.region, "kumamoto-organic-electronics");
	strcpy(e.name, "くまもと有機エレクトロニクス連携エリア");
	strcpy(e.actor, "admin01");
	assert_int_equal(out_list_add(l, &e, NULL), 0);
	e.seq = 2;
	e.kind = LD_K_DISBURSEMENT;
	e.fy = 2013;
	e.account = LD_A_GENERAL;
	e.amount = 50000000;
	e.date = 20130630;
	strcpy(e.region, "sendai");
	strcpy(e.ref, "V-0001");
	strcpy(e.memo, "第1回");
	assert_int_equal(out_list_add(l, &e, "reversed by 3"), 0);
	assert_int_equal(out_list_end(l), 0);
	fclose(f);
	/* The ACTOR column starts at the same display column on every line. */
	for (line = buf; *line != '\0'; line = next + 1) {
		next = strchr(line, '\n');
		assert_non_null(next);
		*next = '\0';
		if (strstr(line, "ACTOR") != NULL)
			w = disp_width(line) - disp_width(strstr(line, "ACTOR"));
		else
			w = disp_width(line) - disp_width(strstr(line,
			    "admin01"));
		if (w0 == 0)
			w0 = w;
		assert_int_equal(w, w0);
	}
	free(buf);
}

/* A report of two regions, one settled, as HTML and as a Japanese table. */
static void
test_report_forms(void **state)
{
	struct report		 r;
	struct report_ctx	 x;
	struct regnames		 names;
	struct ld_region_bal	 g[2];
	char			*buf = NULL;
	size_t			 len = 0;
	const char		*why, *p;
	FILE			*f;
	int			 bars = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&x, 0, sizeof(x));
	memset(&names, 0, sizeof(names));
	memset(g, 0, sizeof(g));
	r.fy = 2013;
	r.acct[0].account = LD_A_GENERAL;
	r.acct[0].appropriated = 300000000;
	r.acct[0].awarded = 250000000;
	r.acct[0].disbursed = 150000000;
	r.acct[1].account = LD_A_RECONSTRUCTION;
	r.region = g;
	r.nregion = 2;
	strcpy(g[0].region, "hakodate");
	g[0].account = LD_A_GENERAL;
	g[0].award = 150000000;
	g[0].disbursed = 150000000;
	g[0].settled_set = 1;
	g[0].settled = 150000000;
	strcpy(g[1].region, "nagano");
	g[1].account = LD_A_GENERAL;
	g[1].award = 100000000;
	assert_int_equal(regnames_add(&names, "nagano", "長野<県>"), 0);
	regnames_sort(&names);
	x.disp = DISP_DEFAULT;
	x.size = 42;
	x.names = &names;
	x.g = g;
	x.ng = 2;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_print(f, REPORT_HTML, &r, &x, &why), 0);
	fclose(f);
	assert_non_null(strstr(buf, "@page { size: A4 landscape"));
	assert_null(strstr(buf, "<script"));
	assert_null(strstr(buf, "http"));
	assert_non_null(strstr(buf, "長野&lt;県&gt;"));	/* escaped */
	assert_null(strstr(buf, "長野<県>"));
	assert_non_null(strstr(buf, "data-region=\"hakodate\" data-rate-bp=\"10000\""));
	assert_non_null(strstr(buf, "data-region=\"nagano\" data-rate-bp=\"0\""));
	assert_non_null(strstr(buf, "<tr class=\"total\""));
	assert_non_null(strstr(buf, "<span id=\"size\">42</span>"));
	for (p = buf; (p = strstr(p, "<rect class=\"bar\"")) != NULL; p++)
		bars++;
	assert_int_equal(bars, 2);
	free(buf);

	buf = NULL;
	x.disp.lang = DISP_JA;
	x.disp.unit = DISP_MILLION;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_print(f, REPORT_TABLE, &r, &x, &why), 0);
	fclose(f);
	assert_non_null(strstr(buf, "単位：百万円"));
	assert_non_null(strstr(buf, "予算現額"));
	assert_non_null(strstr(buf, "翌年度繰越額"));
	assert_non_null(strstr(buf, "不用額"));
	assert_non_null(strstr(buf, "執行率"));
	/* general: budget 300, net 150 -> 50.00%; unused 150 (百万円). */
	assert_non_null(strstr(buf, "50.00%"));
	assert_non_null(strstr(buf, "長野<県>"));	/* text: as it is */
	free(buf);
	regnames_free(&names);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_amount_units),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_list_aligned),
		cmocka_unit_test(test_report_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
