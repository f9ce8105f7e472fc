/*
 * test_values.c - the value syntaxes of the contract, accepted and refused.
 *
 * Each table row is what a user might type and what ledgerctl must make of
 * it; a refusal must also come with a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "entry.h"
#include "values.h"

struct amount_ok {
	const char	*in;
	int64_t		 want;
};

static void
test_amount_accepted(void **state)
{
	static const struct amount_ok cases[] = {
		{ "1", 1 },
		{ "150000000", 150000000 },
		{ "150000000円", 150000000 },
		{ "1,500,000", 1500000 },
		{ "1_500_000", 1500000 },
		{ "1,500,000円", 1500000 },
		{ "999", 999 },
		{ "12,345", 12345 },
		{ "1.5億", 150000000 },
		{ "1.5億円", 150000000 },
		{ "1億5000万円", 150000000 },
		{ "1億5000万", 150000000 },
		{ "1億5,000万", 150000000 },
		{ "1,500万", 15000000 },
		{ "3億", 300000000 },
		{ "5000万", 50000000 },
		{ "1万", 10000 },
		{ "1万円", 10000 },
		{ "1.2345万", 12345 },
		{ "1.23450万", 12345 },
		{ "1.50億", 150000000 },
		{ "0.5億", 50000000 },
		{ "0.0001万", 1 },
		{ "1.00000001億", 100000001 },
		{ "2億9999.9999万", 299999999 },
		{ "1億1万", 100010000 },
		{ "1億0.5万", 100005000 },
		{ "1,000億", INT64_C(100000000000) },
		{ "1,000,000.5万", INT64_C(10000005000) },
		{ "10,000,000,000,000", INT64_C(10000000000000) },
		{ "10000000000000", INT64_C(10000000000000) },
		{ "100,000億", INT64_C(10000000000000) },
		{ "1000000000万", INT64_C(10000000000000) },
		/* full-width digits and comma */
		{ "１，０００", 1000 },
		{ "１５００万", 15000000 },
		{ "１億５０００万円", 150000000 },
		{ "1,0００", 1000 },
		/* the units of budget documents */
		{ "16,221百万円", INT64_C(16221000000) },
		{ "150百万円", 150000000 },
		{ "500千円", 500000 },
		{ "1千円", 1000 },
		{ "1.5百万円", 1500000 },
		{ "0.001千円", 1 },
		{ "１６，２２１百万円", INT64_C(16221000000) },
		{ "10,000,000百万円", INT64_C(10000000000000) },
		{ "10,000,000,000千円", INT64_C(10000000000000) },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";
		int64_t v = -7;
		int rc;

		rc = parse_amount(cases[i].in, &v, err, sizeof(err));
		if (rc != 0 || v != cases[i].want)
			fail_msg("amount '%s': rc %d v %lld (%s), want %lld",
			    cases[i].in, rc, (long long)v, err,
			    (long long)cases[i].want);
	}
}

static void
test_amount_refused(void **state)
{
	static const char *cases[] = {
		"", "0", "0円", "0万", "0.0億", "-1", "-1,000", "+1", " 1", "1 ",
		"1 000", "1\t", "1\n", "1.5", "1.5円", "1.23456万",
		"1.000000001億", "1.", ".5万", "1.万", "1,5000", "1,50",
		"1,500,00", "1000,000", "1,000_000", "1_000,000", ",100",
		"100,", "1,,000", "10,000,000,000,001", "10000000000001",
		"100,001億", "1000000001万", "99999999999999999999",
		"9223372036854775807", "9223372036854775808",
		"92233720368547758070000億", "1億5000", "1億5000円",
		"1万5000", "5万1億", "1億2億", "1万1万", "1億15000万",
		"1.5億5000万", "億", "万", "円", "万円", "1円円", "1円万",
		"1億万", "0100", "01,000", "1億0500万", "00.5億", "1e6",
		"1E6", "0x10", "abc", "1,000a", "１．５億", "１＿０００",
		"1 万", "1万 円", "1　000", "¥1000", "1.5.5万", "1.5,000万",
		"1_000万1", "1万億", "1万1億円",
		/* 千円 and 百万円: whole units, last, with their 円 */
		"500千", "150百万", "5千万", "5千万円", "1百円", "百万円",
		"千円", "1千円円", "1百万円5", "1億500百万円", "1万500千円",
		"500千円万", "0.0001千円", "1.0000001百万円", "0百万円",
		"10,000,001百万円", "10,000,000,001千円",
		"99999999999999999999百万円", "1百 万円", "1百万 円",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";
		int64_t v = 42;

		if (parse_amount(cases[i], &v, err, sizeof(err)) == 0)
			fail_msg("amount '%s' accepted as %lld", cases[i],
			    (long long)v);
		if (err[0] == '\0')
			fail_msg("amount '%s' refused without a reason",
			    cases[i]);
		assert_int_equal(v, 42);	/* *out untouched on error */
	}
}

static void
test_amount_reasons(void **state)
{
	char err[160];
	int64_t v;

	(void)state;
	assert_int_equal(parse_amount("1.5", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "万 or 億"));
	assert_int_equal(parse_amount("1億5000", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ambiguous"));
	assert_int_equal(parse_amount("5万1億", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "億 must come before 万"));
	assert_int_equal(parse_amount("1,000_000", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mixed"));
	assert_int_equal(parse_amount("10,000,000,000,001", &v, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "exceeds"));
	assert_int_equal(parse_amount("99999999999999999999", &v, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "exceeds"));
	assert_int_equal(parse_amount("1.23456万", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "whole"));
	assert_int_equal(parse_amount("-5", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "positive"));
	assert_int_equal(parse_amount("0", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "positive"));
	/* err may be NULL or tiny */
	assert_int_equal(parse_amount("x", &v, NULL, 0), -1);
	assert_int_equal(parse_amount("x", &v, err, 1), -1);
	assert_string_equal(err, "");
}

static void
test_amount_long_input(void **state)
{
	char buf[600];
	int64_t v;
	char err[128];

	(void)state;
	/* A long fraction of zeros is fine while the input stays short. */
	strcpy(buf, "1.");
	memset(buf + 2, '0', 200);
	strcpy(buf + 202, "億");
	assert_int_equal(parse_amount(buf, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 100000000);
	memset(buf, '1', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(parse_amount(buf, &v, err, sizeof(err)), -1);
	/* Invalid UTF-8 and lone continuation bytes. */
	assert_int_equal(parse_amount("1\xe4\xb8", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_amount("\xef\xbc", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_amount("\x80", &v, err, sizeof(err)), -1);
}

/*
 * Deterministic mutations of valid amounts: under ASan/UBSan this finds
 * out-of-bounds reads and overflow; every accepted result must still be a
 * valid amount.
 */
static void
test_amount_mutations(void **state)
{
	static const char *seeds[] = {
		"1,500,000", "1.5億", "1億5000万円", "１，０００", "1_000万",
		"10,000,000,000,000", "1.2345万",
	};
	static const char alphabet[][4] = {
		"0", "9", ",", "_", ".", "-", " ", "万", "億", "円", "１", "，",
		"\xe4", "\xef\xbc", "",
	};
	uint32_t rng = 12345;
	size_t s, k;

	(void)state;
	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		for (k = 0; k < 3000; k++) {
			char buf[64], err[128];
			size_t len = strlen(seeds[s]), pos, a;
			int64_t v = 0;

			memcpy(buf, seeds[s], len + 1);
			rng = rng * 1103515245u + 12345u;
			pos = (rng >> 8) % (len + 1);
			a = (rng >> 20) % (sizeof(alphabet) / sizeof(alphabet[0]));
			/* Insert or overwrite one token at pos. */
			if ((rng & 1) && pos < len)
				buf[pos] = alphabet[a][0] != '\0' ?
				    alphabet[a][0] : 'x';
			else if (len + strlen(alphabet[a]) < sizeof(buf)) {
				memmove(buf + pos + strlen(alphabet[a]),
				    buf + pos, len - pos + 1);
				memcpy(buf + pos, alphabet[a],
				    strlen(alphabet[a]));
			}
			if (parse_amount(buf, &v, err, sizeof(err)) == 0) {
				if (v <= 0 || v > LD_AMOUNT_MAX)
					fail_msg("'%s' -> %lld", buf,
					    (long long)v);
			} else if (err[0] == '\0')
				fail_msg("'%s' refused without reason", buf);
		}
	}
}

/*
 * A refusal is one line a clerk can act on: it quotes the value (safely:
 * no control characters, never half a character) and lists what is
 * accepted.
 */
static void
test_refusal_messages(void **state)
{
	char err[256], small[40];
	int64_t v;
	uint16_t fy;
	uint32_t d;
	size_t i, n;

	(void)state;
	assert_int_equal(parse_amount("12abc", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'12abc'"));
	assert_non_null(strstr(err, "16,221百万円"));
	assert_int_equal(parse_amount("500千", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "千円"));
	assert_int_equal(parse_fy("2013年", &fy, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'2013年'"));
	assert_non_null(strstr(err, "年度"));
	assert_int_equal(parse_fy("H32", &fy, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "H31"));
	assert_non_null(strstr(err, "令和元年度"));
	assert_int_equal(parse_date("H31.5.1", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'H31.5.1'"));
	assert_non_null(strstr(err, "2019-04-30"));
	assert_non_null(strstr(err, "R1.5.1"));
	assert_int_equal(parse_date("R1.4.30", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Reiwa began on 2019-05-01"));
	assert_int_equal(parse_date("2013-02-30", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such date"));
	assert_non_null(strstr(err, "2013/6/30"));
	/* No value to quote: still the reason and the forms. */
	assert_int_equal(parse_date("", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty date"));
	assert_non_null(strstr(err, "H25.6.30"));

	/* A terminal escape is not echoed; a long value is cut. */
	assert_int_equal(parse_fy("\x1b[2J2013", &fy, err, sizeof(err)), -1);
	assert_null(strchr(err, '\x1b'));
	assert_non_null(strstr(err, "'?[2J2013'"));
	assert_int_equal(parse_date("平成平成平成平成平成平成平成平成平成", &d, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "..."));
	assert_true(strlen(err) < 200);

	/* Cut short by a small buffer: never half a UTF-8 character. */
	for (n = 1; n <= sizeof(small); n++) {
		assert_int_equal(parse_fy("令和令和", &fy, small, n), -1);
		for (i = 0; small[i] != '\0'; ) {
			uint8_t c = (uint8_t)small[i];
			size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ?
			    3 : 2;

			assert_true(c < 0x80 || c >= 0xc0);
			assert_true(i + k <= strlen(small));
			i += k;
		}
	}
}

struct fy_case {
	const char	*in;
	int		 want;	/* -1 = refused */
};

static void
test_fy(void **state)
{
	static const struct fy_case cases[] = {
		{ "2013", 2013 }, { "FY2013", 2013 }, { "fy2013", 2013 },
		{ "Fy2013", 2013 }, { "fY2013", 2013 }, { "H25", 2013 },
		{ "h25", 2013 }, { "H1", 1989 }, { "H31", 2019 },
		{ "R1", 2019 }, { "R7", 2025 }, { "r7", 2025 },
		{ "1900", 1900 }, { "9999", 9999 }, { "R7981", 9999 },
		{ "H32", -1 }, { "H0", -1 }, { "R0", -1 }, { "R7982", -1 },
		{ "1899", -1 }, { "10000", -1 }, { "", -1 }, { "FY", -1 },
		{ "H", -1 }, { "R", -1 }, { "+2013", -1 }, { " 2013", -1 },
		{ "2013 ", -1 }, { "FY 2013", -1 }, { "H25 ", -1 },
		{ "02013", -1 }, { "H025", -1 }, { "R07", -1 }, { "-1", -1 },
		{ "2013a", -1 }, { "S60", -1 }, { "FYH25", -1 },
		{ "H2.5", -1 }, { "99999999999", -1 },
		{ "0", -1 }, { "213", -1 },
		/* version 2: full width, era names, 元, 年度 */
		{ "２０１３", 2013 }, { "Ｈ２５", 2013 }, { "ｈ２５", 2013 },
		{ "ＦＹ２０１３", 2013 }, { "Ｒ７", 2025 }, { "令和7", 2025 },
		{ "令和７", 2025 }, { "R元", 2019 }, { "r元", 2019 },
		{ "H元", 1989 }, { "平成元", 1989 }, { "令和元", 2019 },
		{ "平成25年度", 2013 }, { "平成２５年度", 2013 },
		{ "2013年度", 2013 }, { "２０１３年度", 2013 },
		{ "令和元年度", 2019 }, { "H25年度", 2013 }, { "R7年度", 2025 },
		{ "平成31年度", 2019 }, { "平成1年度", 1989 },
		{ "平成32年度", -1 }, { "平成0", -1 }, { "令和0年度", -1 },
		{ "2013年", -1 }, { "FY2013年度", -1 }, { "元", -1 },
		{ "元年度", -1 }, { "平成", -1 }, { "令和", -1 },
		{ "平成25年度 ", -1 }, { "平成 25", -1 }, { "H元元", -1 },
		{ "平成元1", -1 }, { "R07年度", -1 }, { "2013年度度", -1 },
		{ "昭和60", -1 }, { "S60年度", -1 }, { "年度", -1 },
		{ "2013ねんど", -1 }, { "２０１３　", -1 }, { "H\xef\xbc", -1 },
		{ "\xef\xbc" "2013", -1 }, { "２013", 2013 }, { "R7982年度", -1 },
		{ "令和7981", 9999 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";
		uint16_t fy = 7;
		int rc = parse_fy(cases[i].in, &fy, err, sizeof(err));

		if (cases[i].want < 0) {
			if (rc != -1 || err[0] == '\0' || fy != 7)
				fail_msg("fy '%s' accepted as %u", cases[i].in,
				    fy);
		} else if (rc != 0 || fy != cases[i].want)
			fail_msg("fy '%s': rc %d fy %u (%s)", cases[i].in, rc,
			    fy, err);
	}
}

static void
test_date(void **state)
{
	static const struct {
		const char	*in;
		long		 want;
	} cases[] = {
		{ "2013-06-30", 20130630 }, { "2012-02-29", 20120229 },
		{ "2000-02-29", 20000229 }, { "2013-12-31", 20131231 },
		{ "1900-01-01", 19000101 }, { "9999-12-31", 99991231 },
		{ "2024-02-29", 20240229 },
		{ "2013-02-29", -1 }, { "1900-02-29", -1 }, { "2100-02-29", -1 },
		{ "2013-04-31", -1 }, { "2013-13-01", -1 }, { "2013-00-10", -1 },
		{ "2013-01-00", -1 }, { "2013-01-32", -1 }, { "1899-12-31", -1 },
		{ "2013-6-30", -1 }, { "20130630", -1 },
		{ "2013-06-30 ", -1 }, { " 2013-06-30", -1 }, { "", -1 },
		{ "2013-06-3", -1 }, { "2013-06-300", -1 }, { "+013-06-30", -1 },
		{ "2013-06-30T00:00", -1 }, { "10000-01-01", -1 },
		/* version 2: Excel's slashes, 年月日, eras, full width */
		{ "２０１３-06-30", 20130630 }, { "2013/06/30", 20130630 },
		{ "2013/6/30", 20130630 }, { "2013/6/3", 20130603 },
		{ "２０１３／６／３０", 20130630 }, { "2013年6月30日", 20130630 },
		{ "H25.6.30", 20130630 }, { "h25.6.30", 20130630 },
		{ "H25/6/30", 20130630 }, { "H25.06.30", 20130630 },
		{ "Ｈ２５．６．３０", 20130630 }, { "平成25年6月30日", 20130630 },
		{ "平成２５年６月３０日", 20130630 }, { "H25年6月30日", 20130630 },
		{ "令和7年4月1日", 20250401 }, { "R7.4.1", 20250401 },
		{ "令和元年5月1日", 20190501 }, { "R元.5.1", 20190501 },
		{ "R1.5.1", 20190501 }, { "H31.4.30", 20190430 },
		{ "平成31年4月30日", 20190430 }, { "H1.1.8", 19890108 },
		{ "平成元年1月8日", 19890108 }, { "H24.2.29", 20120229 },
		{ "R2.2.29", 20200229 }, { "2024/2/29", 20240229 },
		/* era boundaries: Showa 64 until 1989-01-07, Reiwa from 05-01 */
		{ "H31.5.1", -1 }, { "平成31年5月1日", -1 }, { "H31.12.31", -1 },
		{ "R1.4.30", -1 }, { "令和元年4月30日", -1 }, { "R1.1.1", -1 },
		{ "H1.1.7", -1 }, { "H32.1.1", -1 }, { "H0.6.30", -1 },
		{ "R0.6.30", -1 }, { "H25.2.29", -1 }, { "R3.2.29", -1 },
		{ "2023/2/29", -1 }, { "2013/13/1", -1 }, { "2013/0/1", -1 },
		{ "2013/6/0", -1 }, { "2013/6/31", -1 }, { "2013/006/30", -1 },
		{ "2013/6/30/", -1 }, { "2013/6-30", -1 }, { "2013.6.30", -1 },
		{ "H25-6-30", -1 }, { "H25.6/30", -1 }, { "H25.6.30.", -1 },
		{ "平成25年6月30", -1 }, { "平成25年6月", -1 }, { "平成25年", -1 },
		{ "平成25.6.30日", -1 }, { "2013年6月30日 ", -1 },
		{ "13/6/30", -1 }, { "1899/12/31", -1 }, { "H025.6.30", -1 },
		{ "S63.6.30", -1 }, { "昭和63年6月30日", -1 }, { "元.6.30", -1 },
		{ "H25..6.30", -1 }, { "H25.6.", -1 }, { "H.6.30", -1 },
		{ "2013/６/30\xef", -1 }, { "2013/", -1 }, { "H", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";
		uint32_t d = 7;
		int rc = parse_date(cases[i].in, &d, err, sizeof(err));

		if (cases[i].want < 0) {
			if (rc != -1 || err[0] == '\0' || d != 7)
				fail_msg("date '%s' accepted", cases[i].in);
		} else if (rc != 0 || d != (uint32_t)cases[i].want)
			fail_msg("date '%s': rc %d d %u (%s)", cases[i].in, rc,
			    d, err);
	}
}

static void
test_u64(void **state)
{
	uint64_t v;
	char err[128];

	(void)state;
	assert_int_equal(parse_u64("0", &v, err, sizeof(err)), 0);
	assert_true(v == 0);
	assert_int_equal(parse_u64("42", &v, err, sizeof(err)), 0);
	assert_true(v == 42);
	assert_int_equal(parse_u64("18446744073709551615", &v, err,
	    sizeof(err)), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v, err,
	    sizeof(err)), -1);
	assert_int_equal(parse_u64("99999999999999999999", &v, err,
	    sizeof(err)), -1);
	assert_int_equal(parse_u64("", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("-1", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("+1", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("1,000", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64(" 1", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("1 ", &v, err, sizeof(err)), -1);
	assert_int_equal(parse_u64("0x10", &v, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
}

static void
test_format_amount(void **state)
{
	char buf[28];

	(void)state;
	format_amount(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	format_amount(999, buf, sizeof(buf));
	assert_string_equal(buf, "999");
	format_amount(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1,000");
	format_amount(150000000, buf, sizeof(buf));
	assert_string_equal(buf, "150,000,000");
	format_amount(-1500000, buf, sizeof(buf));
	assert_string_equal(buf, "-1,500,000");
	format_amount(-100, buf, sizeof(buf));
	assert_string_equal(buf, "-100");
	format_amount(LD_AMOUNT_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "10,000,000,000,000");
	format_amount(INT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "9,223,372,036,854,775,807");
	format_amount(INT64_MIN, buf, sizeof(buf));
	assert_string_equal(buf, "-9,223,372,036,854,775,808");
	/* Round trip through the parser. */
	{
		int64_t v;

		format_amount(1234567, buf, sizeof(buf));
		assert_int_equal(parse_amount(buf, &v, NULL, 0), 0);
		assert_int_equal(v, 1234567);
	}
	/* A short buffer is truncated, never overrun. */
	{
		char small[5];

		format_amount(1234567, small, sizeof(small));
		assert_string_equal(small, "1,23");
	}
}

static void
test_format_date_time(void **state)
{
	char buf[40];

	(void)state;
	format_date(20130630, buf, sizeof(buf));
	assert_string_equal(buf, "2013-06-30");
	format_date(19000101, buf, sizeof(buf));
	assert_string_equal(buf, "1900-01-01");

	format_time_us(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
	/* 2026-11-28T14:00:00.123456Z */
	format_time_us(INT64_C(1795874400123456), buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T14:00:00.123456Z");
	format_time_us(INT64_C(951782400000001), buf, sizeof(buf));
	assert_string_equal(buf, "2000-02-29T00:00:00.000001Z");
	format_time_us(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
	format_time_us(INT64_C(253402300799999999), buf, sizeof(buf));
	assert_string_equal(buf, "9999-12-31T23:59:59.999999Z");
	assert_int_equal(strlen(buf), 27);
}

static void
test_date_in_fy(void **state)
{
	(void)state;
	assert_true(date_in_fy(20130401, 2013));
	assert_true(date_in_fy(20130630, 2013));
	assert_true(date_in_fy(20140331, 2013));
	assert_true(date_in_fy(20140531, 2013));
	assert_false(date_in_fy(20140601, 2013));
	assert_false(date_in_fy(20130331, 2013));
	assert_false(date_in_fy(20120630, 2013));
	/* The closing period of FY2012 overlaps FY2013's first months. */
	assert_true(date_in_fy(20130515, 2012));
	assert_true(date_in_fy(20130515, 2013));
	assert_true(date_in_fy(20160229, 2015));
	/* Not a date at all. */
	assert_false(date_in_fy(20130431, 2013));
	assert_false(date_in_fy(0, 2013));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_accepted),
		cmocka_unit_test(test_amount_refused),
		cmocka_unit_test(test_amount_reasons),
		cmocka_unit_test(test_amount_long_input),
		cmocka_unit_test(test_amount_mutations),
		cmocka_unit_test(test_refusal_messages),
		cmocka_unit_test(test_fy),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_format_amount),
		cmocka_unit_test(test_format_date_time),
		cmocka_unit_test(test_date_in_fy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
