/*
 * fuzz_csv.c - ledgerctl's CSV reader (client/csvread.h) and its writer.
 *
 * Statement and import files come from spreadsheets and banks, so the
 * reader sees whatever a damaged or hostile file holds.  The input is read
 * twice, with the default limits and with tiny ones (so that every cap is
 * hit), and the harness checks what csvread.h promises: fields within the
 * caps, records numbered by increasing lines, an error that names its
 * line, and an end or error that sticks.  Then every record read is
 * written back with csvwrite.h's writer (what `export --format csv` uses) and
 * the result read again: it must give the same records, so that what
 * ledgerctl writes it can read.  One exception is skipped on purpose: a
 * first field that itself starts with a byte order mark is written bare
 * and then taken for one (csvread.h strips a BOM at the start of a file).
 *
 * The same input is also read as reconcile reads a statement: its header
 * looked up by column name (csvr_columns()), and as a Shift_JIS file
 * converted to UTF-8 (csvr_to_utf8()) and then read again.
 */
#include <stdlib.h>
#include <string.h>

#include "csvwrite.h"
#include "csvread.h"
#include "fuzz.h"
#include "utf8.h"

#define BOM	"\xef\xbb\xbf"

/* A growable record log: nfield, then each field's length and bytes. */
struct dump {
	FILE	*f;
	char	*buf;
	size_t	 len;
};

static void
dump_open(struct dump *d)
{
	d->buf = NULL;
	d->len = 0;
	FUZZ_CHECK((d->f = open_memstream(&d->buf, &d->len)) != NULL);
}

static void
dump_close(struct dump *d)
{
	FUZZ_CHECK(fclose(d->f) == 0);
}

/*
 * Read all of f with limits lim: log each record into *log and, when out
 * is not NULL, write it back as CSV.  Returns the final csvr_next() result
 * (0 end, -1 error) and whether the first field began with a BOM.
 */
static int
read_all(FILE *f, const struct csvr_limits *lim, struct dump *log, FILE *out,
    int *bom_field)
{
	struct csvr	 r;
	unsigned long	 last_line = 0;
	size_t		 i, len, total;
	int		 rc, first = 1;

	*bom_field = 0;
	csvr_init(&r, f, lim);
	while ((rc = csvr_next(&r)) == 1) {
		FUZZ_CHECK(r.nfield >= 1 && r.nfield <= r.lim.fields_max);
		FUZZ_CHECK(r.rec_line > last_line);
		last_line = r.rec_line;
		fwrite(&r.nfield, sizeof(r.nfield), 1, log->f);
		for (i = 0, total = 0; i < r.nfield; i++) {
			len = strlen(r.field[i]);
			FUZZ_CHECK(len <= r.lim.field_max);
			total += len;
			fwrite(&len, sizeof(len), 1, log->f);
			fwrite(r.field[i], 1, len, log->f);
		}
		FUZZ_CHECK(total <= r.lim.record_max);
		if (first && strncmp(r.field[0], BOM, 3) == 0)
			*bom_field = 1;
		first = 0;
		if (out != NULL)
			FUZZ_CHECK(csv_write_row(out,
			    (const char *const *)r.field, r.nfield) == 0);
	}
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1)
		FUZZ_CHECK(strncmp(r.err, "line ", 5) == 0 &&
		    memchr(r.err, '\0', sizeof(r.err)) != NULL);
	FUZZ_CHECK(csvr_next(&r) == rc);
	csvr_free(&r);
	return rc;
}

static void
check(const uint8_t *data, size_t size, const struct csvr_limits *lim)
{
	struct dump	 log1, log2, w;
	FILE		*in;
	int		 bom, bom2;

	/* fmemopen() refuses a zero size; an empty file is simply at EOF. */
	if ((in = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return;
	dump_open(&log1);
	dump_open(&w);
	(void)read_all(in, lim, &log1, w.f, &bom);
	fclose(in);
	dump_close(&log1);
	dump_close(&w);

	if (!bom && w.len > 0) {
		FUZZ_CHECK((in = fmemopen(w.buf, w.len, "r")) != NULL);
		dump_open(&log2);
		FUZZ_CHECK(read_all(in, lim, &log2, NULL, &bom2) == 0);
		fclose(in);
		dump_close(&log2);
		FUZZ_CHECK(log1.len == log2.len &&
		    memcmp(log1.buf, log2.buf, log1.len) == 0);
		free(log2.buf);
	}
	free(log1.buf);
	free(w.buf);
}

/*
 * The header of a statement found by name (csvr_columns()): on success
 * every required column was found, the columns found are distinct fields
 * of the header, and each later record's blank test agrees with its
 * fields; on failure the reason is a terminated string.
 */
static void
check_columns(const uint8_t *data, size_t size)
{
	struct csvr_col	 c[4] = {
		{ "date", 1, 0 }, { "ref", 1, 0 }, { "amount", 1, 0 },
		{ "memo", 0, 0 }
	};
	struct csvr	 r;
	FILE		*in;
	size_t		 i, j, empty;
	long		 nf;

	if ((in = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return;
	csvr_init(&r, in, NULL);
	nf = csvr_columns(&r, c, 4);
	if (nf == -1)
		FUZZ_CHECK(memchr(r.err, '\0', sizeof(r.err)) != NULL &&
		    r.err[0] != '\0');
	else {
		FUZZ_CHECK(nf > 0 && (size_t)nf == r.nfield);
		for (i = 0; i < 4; i++) {
			FUZZ_CHECK(c[i].index == CSVR_ABSENT ||
			    c[i].index < (size_t)nf);
			FUZZ_CHECK(!c[i].required || c[i].index != CSVR_ABSENT);
			for (j = 0; j < i; j++)
				FUZZ_CHECK(c[i].index == CSVR_ABSENT ||
				    c[i].index != c[j].index);
		}
		while (csvr_next(&r) == 1) {
			for (i = 0, empty = 0; i < r.nfield; i++)
				empty += r.field[i][0] == '\0';
			FUZZ_CHECK(csvr_blank(&r) == (empty == r.nfield));
		}
	}
	csvr_free(&r);
	fclose(in);
}

/*
 * A Shift_JIS statement (reconcile --encoding cp932): the conversion is
 * well-formed UTF-8 with exactly the input's line feeds, so that every
 * line number after it is the line in the user's file; a refusal names a
 * line that exists.  The converted text is then read like any file.
 */
static void
check_cp932(const uint8_t *data, size_t size)
{
	char		*out = NULL, err[256];
	size_t		 len, i, k, lf_in = 0, lf_out = 0;
	uint32_t	 cp;
	unsigned long	 line;

	for (i = 0; i < size; i++)
		lf_in += data[i] == '\n';
	if (csvr_to_utf8((const char *)data, size, "CP932", &out, &len, err,
	    sizeof(err)) == -1) {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(sscanf(err, "line %lu:", &line) == 1);
		FUZZ_CHECK(line >= 1 && line <= lf_in + 1);
		return;
	}
	FUZZ_CHECK(out != NULL && out[len] == '\0');
	for (i = 0; i < len; i += k) {
		FUZZ_CHECK((k = utf8_decode((const uint8_t *)out + i, len - i,
		    &cp)) > 0);
		lf_out += cp == '\n';
	}
	FUZZ_CHECK(lf_out == lf_in);
	if (len > 0)
		check((const uint8_t *)out, len, NULL);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct csvr_limits tiny = { 8, 24, 4 };

	if (size == 0)
		return 0;
	check(data, size, NULL);
	check(data, size, &tiny);
	check_columns(data, size);
	check_cp932(data, size);
	return 0;
}
