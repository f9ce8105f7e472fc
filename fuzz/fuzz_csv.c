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
 */
#include <stdlib.h>
#include <string.h>

#include "csvwrite.h"
#include "csvread.h"
#include "fuzz.h"

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct csvr_limits tiny = { 8, 24, 4 };

	if (size == 0)
		return 0;
	check(data, size, NULL);
	check(data, size, &tiny);
	return 0;
}
