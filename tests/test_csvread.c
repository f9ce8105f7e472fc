/*
 * test_csvread.c - the strict CSV reader behind `reconcile --statement` and
 * `import` (client/csvread.h): what a spreadsheet writes is read, anything
 * malformed is refused with the line a person must look at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csvread.h"

/* A reader over the bytes of s (n bytes; s may hold NULs). */
struct src {
	FILE		*f;
	struct csvr	 r;
};

static void
src_open(struct src *s, const char *text, size_t n, const struct csvr_limits *lim)
{
	s->f = fmemopen((void *)(uintptr_t)text, n, "r");
	assert_non_null(s->f);
	csvr_init(&s->r, s->f, lim);
}

static void
src_close(struct src *s)
{
	csvr_free(&s->r);
	fclose(s->f);
}

#define OPEN(s, lit)		src_open(s, lit, sizeof(lit) - 1, NULL)

/* The next record must be these fields, starting on line. */
static void
expect_rec(struct src *s, unsigned long line, size_t n, ...)
{
	va_list	 ap;
	size_t	 i;

	assert_int_equal(csvr_next(&s->r), 1);
	assert_int_equal(s->r.rec_line, line);
	assert_int_equal(s->r.nfield, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(s->r.field[i], va_arg(ap, const char *));
	va_end(ap);
}

static void
expect_end(struct src *s)
{
	assert_int_equal(csvr_next(&s->r), 0);
	assert_int_equal(csvr_next(&s->r), 0);
}

/* The next call fails and the reason names line and says what. */
static void
expect_error(struct src *s, const char *line, const char *what)
{
	assert_int_equal(csvr_next(&s->r), -1);
	if (strstr(s->r.err, line) == NULL || strstr(s->r.err, what) == NULL)
		fail_msg("error '%s' lacks '%s' or '%s'", s->r.err, line, what);
	/* Sticky: the reader never resumes after a malformed spot. */
	assert_int_equal(csvr_next(&s->r), -1);
}

static void
test_lf_and_crlf(void **state)
{
	struct src	 s;

	(void)state;
	OPEN(&s, "date,ref,amount\n2013-06-30,V-1,100\r\n2013-07-01,V-2,-5\n");
	expect_rec(&s, 1, 3, "date", "ref", "amount");
	expect_rec(&s, 2, 3, "2013-06-30", "V-1", "100");
	expect_rec(&s, 3, 3, "2013-07-01", "V-2", "-5");
	expect_end(&s);
	src_close(&s);

	/* The last record may lack its line end. */
	OPEN(&s, "a,b\r\nc,d");
	expect_rec(&s, 1, 2, "a", "b");
	expect_rec(&s, 2, 2, "c", "d");
	expect_end(&s);
	src_close(&s);
}

static void
test_bom(void **state)
{
	struct src	 s;

	(void)state;
	OPEN(&s, "\xef\xbb\xbf" "date,ref,amount\n");
	expect_rec(&s, 1, 3, "date", "ref", "amount");
	expect_end(&s);
	src_close(&s);

	/* Only at the start: later it is data. */
	OPEN(&s, "a\n\xef\xbb\xbf" "b\n");
	expect_rec(&s, 1, 1, "a");
	expect_rec(&s, 2, 1, "\xef\xbb\xbf" "b");
	src_close(&s);

	/* A full-width digit shares the BOM's first byte: kept whole. */
	OPEN(&s, "\xef\xbc\x91,\xef\xbb\n");
	expect_rec(&s, 1, 2, "\xef\xbc\x91", "\xef\xbb");
	expect_end(&s);
	src_close(&s);

	/* A BOM alone, or nothing at all, is a file without records. */
	OPEN(&s, "\xef\xbb\xbf");
	expect_end(&s);
	src_close(&s);
	OPEN(&s, "");
	expect_end(&s);
	src_close(&s);
}

static void
test_quoted(void **state)
{
	struct src	 s;

	(void)state;
	OPEN(&s, "kind,memo,id\n"
	    "disbursement,\"概算払, 第1回\",\"a\"\"b\"\n"
	    "refund,\"two\nlines\",\"\"\n"
	    "refund,\"crlf\r\ninside\",x\r\n"
	    "last,\"\",\n");
	expect_rec(&s, 1, 3, "kind", "memo", "id");
	expect_rec(&s, 2, 3, "disbursement", "概算払, 第1回", "a\"b");
	expect_rec(&s, 3, 3, "refund", "two\nlines", "");
	/* The embedded line end moved the next record to line 5. */
	expect_rec(&s, 5, 3, "refund", "crlf\r\ninside", "x");
	expect_rec(&s, 7, 3, "last", "", "");
	expect_end(&s);
	src_close(&s);
}

static void
test_japanese_and_empty_fields(void **state)
{
	struct src	 s;

	(void)state;
	OPEN(&s, "函館市,,１，０００\n,\n\nx\n");
	expect_rec(&s, 1, 3, "函館市", "", "１，０００");
	expect_rec(&s, 2, 2, "", "");
	/* An empty line is one empty field: the caller's count refuses it. */
	expect_rec(&s, 3, 1, "");
	expect_rec(&s, 4, 1, "x");
	expect_end(&s);
	src_close(&s);
}

static void
test_unterminated_quote(void **state)
{
	struct src	 s;

	(void)state;
	OPEN(&s, "a,b\nc,\"open\nstill\nopen");
	expect_rec(&s, 1, 2, "a", "b");
	expect_error(&s, "line 4", "unterminated quoted field (opened on line 2)");
	src_close(&s);
}

static void
test_malformed(void **state)
{
	struct src	 s;

	(void)state;
	OPEN(&s, "ok\nab\"c\n");
	expect_rec(&s, 1, 1, "ok");
	expect_error(&s, "line 2", "quote inside unquoted field 1");
	src_close(&s);

	OPEN(&s, "\"x\"y,z\n");
	expect_error(&s, "line 1", "after the closing quote");
	src_close(&s);

	OPEN(&s, "a\rb\n");
	expect_error(&s, "line 1", "carriage return");
	src_close(&s);

	src_open(&s, "a\nb\0c\n", 6, NULL);
	expect_rec(&s, 1, 1, "a");
	expect_error(&s, "line 2", "NUL");
	src_close(&s);
}

static void
test_caps(void **state)
{
	const struct csvr_limits lim = { 4, 10, 3 };
	struct src	 s;

	(void)state;
	src_open(&s, "abcd,1\nabcde\n", 13, &lim);
	expect_rec(&s, 1, 2, "abcd", "1");
	expect_error(&s, "line 2", "field 1 is longer than 4 bytes");
	src_close(&s);

	/* A quoted field counts its value, and the cap holds across lines. */
	src_open(&s, "\"ab\ncde\"\n", 9, &lim);
	expect_error(&s, "line 2", "longer than 4 bytes");
	src_close(&s);

	src_open(&s, "a,b,c\na,b,c,d\n", 14, &lim);
	expect_rec(&s, 1, 3, "a", "b", "c");
	expect_error(&s, "line 2", "more than 3 fields");
	src_close(&s);

	src_open(&s, "abc,abcd,abcd\n", 14, &lim);
	expect_error(&s, "line 1", "record is longer than 10 bytes");
	src_close(&s);
}

static void
test_many_records(void **state)
{
	struct src	 s;
	char		*buf, want[32];
	size_t		 len = 0, i, n = 20000;

	(void)state;
	buf = malloc(n * 32);
	assert_non_null(buf);
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%zu,\"r%zu\"\r\n", i, i);
	src_open(&s, buf, len, NULL);
	for (i = 0; i < n; i++) {
		assert_int_equal(csvr_next(&s.r), 1);
		assert_int_equal(s.r.rec_line, i + 1);
		snprintf(want, sizeof(want), "r%zu", i);
		assert_string_equal(s.r.field[1], want);
	}
	expect_end(&s);
	src_close(&s);
	free(buf);
}

/* Blank lines and spreadsheet rows are records a caller can recognise. */
static void
test_blank(void **state)
{
	struct src	 s;

	(void)state;
	OPEN(&s, "a,b\r\n\r\n,\r\nc,\r\n\r\n");
	expect_rec(&s, 1, 2, "a", "b");
	assert_false(csvr_blank(&s.r));
	expect_rec(&s, 2, 1, "");
	assert_true(csvr_blank(&s.r));
	expect_rec(&s, 3, 2, "", "");
	assert_true(csvr_blank(&s.r));
	expect_rec(&s, 4, 2, "c", "");
	assert_false(csvr_blank(&s.r));
	expect_rec(&s, 5, 1, "");
	assert_true(csvr_blank(&s.r));
	expect_end(&s);
	src_close(&s);
}

static struct csvr_col *
stmt_cols(struct csvr_col *c)
{
	c[0] = (struct csvr_col){ "date", 1, 0 };
	c[1] = (struct csvr_col){ "ref", 1, 0 };
	c[2] = (struct csvr_col){ "amount", 1, 0 };
	c[3] = (struct csvr_col){ "memo", 0, 0 };
	return c;
}

/* Columns by name: any order, any case, spaces around, others ignored. */
static void
test_columns(void **state)
{
	struct csvr_col	 c[4];
	struct src	 s;

	(void)state;
	OPEN(&s, "\xef\xbb\xbf\r\n,,\r\n No ,AMOUNT,取引先, Date ,Ref\r\n1,2,x,3,4\r\n");
	assert_int_equal(csvr_columns(&s.r, stmt_cols(c), 4), 5);
	assert_int_equal(s.r.rec_line, 3);
	assert_int_equal(c[0].index, 3);
	assert_int_equal(c[1].index, 4);
	assert_int_equal(c[2].index, 1);
	assert_int_equal(c[3].index, CSVR_ABSENT);
	expect_rec(&s, 4, 5, "1", "2", "x", "3", "4");
	src_close(&s);

	OPEN(&s, "memo,amount,ref,date\n");
	assert_int_equal(csvr_columns(&s.r, stmt_cols(c), 4), 4);
	assert_int_equal(c[3].index, 0);
	assert_int_equal(c[0].index, 3);
	src_close(&s);

	OPEN(&s, "date,memo\n");
	assert_int_equal(csvr_columns(&s.r, stmt_cols(c), 4), -1);
	assert_non_null(strstr(s.r.err, "line 1: the header lacks the columns "
	    "ref, amount (found 'date', 'memo')"));
	src_close(&s);

	OPEN(&s, "date,ref,amount,DATE\n");
	assert_int_equal(csvr_columns(&s.r, stmt_cols(c), 4), -1);
	assert_non_null(strstr(s.r.err, "column 'date' appears twice "
	    "(fields 1 and 4)"));
	src_close(&s);

	OPEN(&s, "\n\n,,,\n");
	assert_int_equal(csvr_columns(&s.r, stmt_cols(c), 4), -1);
	assert_non_null(strstr(s.r.err, "empty file"));
	src_close(&s);

	OPEN(&s, "date,\"ref\n");
	assert_int_equal(csvr_columns(&s.r, stmt_cols(c), 4), -1);
	assert_non_null(strstr(s.r.err, "unterminated"));
	src_close(&s);
}

/* Shift_JIS (CP932) into UTF-8, with the line of a bad byte. */
static void
test_to_utf8(void **state)
{
	static const char	 sjis[] = "date,ref\r\n2013/6/30,\x90\x55\x8d\x9e"
	    "-0007\r\n\x83\x5c,\x81\x8f" "1\r\n";
	char			*out = NULL, err[256];
	size_t			 len;

	(void)state;
	assert_int_equal(csvr_to_utf8(sjis, sizeof(sjis) - 1, "CP932", &out,
	    &len, err, sizeof(err)), 0);
	assert_string_equal(out, "date,ref\r\n2013/6/30,振込-0007\r\nソ,￥1\r\n");
	assert_int_equal(len, strlen(out));
	free(out);
	/* Empty in, empty out. */
	assert_int_equal(csvr_to_utf8("", 0, "CP932", &out, &len, err,
	    sizeof(err)), 0);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
	/* Every line-end count is the file's: the bad bytes are on line 3. */
	assert_int_equal(csvr_to_utf8("a\nb\n\x81\x20\n", 7, "CP932", &out,
	    &len, err, sizeof(err)), -1);
	assert_null(out);
	assert_non_null(strstr(err, "line 3: bytes 0x81 0x20 are not CP932 text"));
	assert_int_equal(csvr_to_utf8("a\n\xff", 3, "CP932", &out, &len, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: byte 0xff is not CP932 text"));
	assert_int_equal(csvr_to_utf8("a\n\x90", 3, "CP932", &out, &len, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: the file ends inside a character"));
	assert_int_equal(csvr_to_utf8("a", 1, "NO-SUCH-CHARSET", &out, &len,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot convert from NO-SUCH-CHARSET"));
}

/* A conversion that grows past the first guess of its size. */
static void
test_to_utf8_large(void **state)
{
	char	*in, *out = NULL, err[256];
	size_t	 i, n = 100000, len;

	(void)state;
	/* Half-width katakana: one CP932 byte, three UTF-8 bytes each. */
	in = malloc(n);
	assert_non_null(in);
	for (i = 0; i < n; i++)
		in[i] = (i % 50 == 49) ? '\n' : (char)0xb1;	/* ｱ */
	assert_int_equal(csvr_to_utf8(in, n, "CP932", &out, &len, err,
	    sizeof(err)), 0);
	assert_int_equal(len, (n - n / 50) * 3 + n / 50);
	assert_memory_equal(out, "\xef\xbd\xb1", 3);
	free(in);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf_and_crlf),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_japanese_and_empty_fields),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_many_records),
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_to_utf8),
		cmocka_unit_test(test_to_utf8_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
