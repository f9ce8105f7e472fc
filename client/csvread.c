/*
 * csvread.c - the strict RFC 4180 reader behind `reconcile --statement` and
 * `import` (the rules are in csvread.h).
 *
 * A byte-at-a-time state machine over a FILE: a record is read whole into
 * one buffer, its values separated by NULs, before the caller sees any of
 * it, so that a record is either complete and well-formed or an error with
 * its line number.  getc() is buffered by stdio; a 100,000-row import file
 * reads in a few tens of milliseconds, far below what sending it costs.
 *
 * Conversion from Shift_JIS is glibc's iconv over the whole file in
 * memory, before the reader sees a byte, so that everything after it (the
 * callers' UTF-8 checks, ref comparison, output) knows one encoding.  A
 * CP932 trail byte may be ASCII (0x5C '\' is the second byte of ソ)
 * but never one of CSV's structural bytes (',', '"', CR, LF are below
 * 0x40), so lines and fields are where they were and an error's line
 * number is the line in the file the user has.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "csvread.h"

void
csvr_init(struct csvr *r, FILE *f, const struct csvr_limits *lim)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->line = 1;
	r->lim.field_max = CSVR_FIELD_MAX;
	r->lim.record_max = CSVR_RECORD_MAX;
	r->lim.fields_max = CSVR_FIELDS_MAX;
	if (lim != NULL) {
		if (lim->field_max > 0)
			r->lim.field_max = lim->field_max;
		if (lim->record_max > 0)
			r->lim.record_max = lim->record_max;
		if (lim->fields_max > 0)
			r->lim.fields_max = lim->fields_max;
	}
}

void
csvr_free(struct csvr *r)
{
	free(r->buf);
	free(r->off);
	free(r->field);
	r->buf = NULL;
	r->off = NULL;
	r->field = NULL;
	r->cap = r->len = r->nfield = 0;
}

static int
csvr_fail(struct csvr *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
csvr_fail(struct csvr *r, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(r->err, sizeof(r->err), "line %lu: ", r->line);
	if (n < 0 || (size_t)n >= sizeof(r->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->state = -1;
	return -1;
}

static int
csvr_getc(struct csvr *r)
{
	if (r->nback > 0)
		return r->back[--r->nback];
	return getc(r->f);
}

/*
 * Skip a UTF-8 byte order mark at the start of the file, and only there.
 * Bytes that turn out not to be one (EF BC 91 is a full-width digit) are
 * given back in order.
 */
static void
csvr_bom(struct csvr *r)
{
	static const int	 bom[3] = { 0xef, 0xbb, 0xbf };
	int			 got[3];
	int			 n;

	r->started = 1;
	for (n = 0; n < 3; n++) {
		got[n] = getc(r->f);
		if (got[n] != bom[n])
			break;
	}
	if (n == 3)
		return;
	if (got[n] != EOF)
		r->back[r->nback++] = got[n];
	while (n > 0)
		r->back[r->nback++] = got[--n];
}

/* Append one value byte to the current field, within the caps. */
static int
csvr_put(struct csvr *r, int c, size_t *fieldlen)
{
	size_t	 ncap;
	char	*nb;

	if (c == '\0')
		return csvr_fail(r, "NUL byte in the file");
	if (*fieldlen >= r->lim.field_max)
		return csvr_fail(r, "field %zu is longer than %zu bytes",
		    r->nfield, r->lim.field_max);
	if (r->vbytes >= r->lim.record_max)
		return csvr_fail(r, "record is longer than %zu bytes",
		    r->lim.record_max);
	if (r->len + 1 >= r->cap) {
		ncap = r->cap > 0 ? r->cap * 2 : 256;
		if ((nb = realloc(r->buf, ncap)) == NULL)
			return csvr_fail(r, "out of memory");
		r->buf = nb;
		r->cap = ncap;
	}
	r->buf[r->len++] = (char)c;
	(*fieldlen)++;
	r->vbytes++;
	return 0;
}

/* Open a new field at the current end of the buffer. */
static int
csvr_field_begin(struct csvr *r)
{
	if (r->nfield >= r->lim.fields_max)
		return csvr_fail(r, "more than %zu fields", r->lim.fields_max);
	if (r->off == NULL) {
		r->off = calloc(r->lim.fields_max, sizeof(*r->off));
		r->field = calloc(r->lim.fields_max, sizeof(*r->field));
		if (r->off == NULL || r->field == NULL)
			return csvr_fail(r, "out of memory");
	}
	r->off[r->nfield++] = r->len;
	return 0;
}

/* NUL-terminate the current field (the buffer always has room for it). */
static int
csvr_field_end(struct csvr *r)
{
	char	*nb;

	if (r->len + 1 > r->cap) {
		if ((nb = realloc(r->buf, r->cap + 256)) == NULL)
			return csvr_fail(r, "out of memory");
		r->buf = nb;
		r->cap += 256;
	}
	r->buf[r->len++] = '\0';
	return 0;
}

int
csvr_next(struct csvr *r)
{
	unsigned long	 qline;
	size_t		 fieldlen, i;
	int		 c, c2;

	if (r->state != 0)
		return r->state == 1 ? 0 : -1;
	if (!r->started)
		csvr_bom(r);
	r->len = r->nfield = r->vbytes = 0;

	if ((c = csvr_getc(r)) == EOF) {
		if (ferror(r->f))
			return csvr_fail(r, "read error");
		r->state = 1;
		return 0;
	}
	r->rec_line = r->line;
	for (;;) {
		if (csvr_field_begin(r) == -1)
			return -1;
		fieldlen = 0;
		if (c == '"') {
			qline = r->line;
			for (;;) {
				if ((c = csvr_getc(r)) == EOF) {
					if (ferror(r->f))
						return csvr_fail(r, "read error");
					return csvr_fail(r, "unterminated quoted "
					    "field (opened on line %lu)", qline);
				}
				if (c == '"') {
					if ((c2 = csvr_getc(r)) != '"') {
						c = c2;
						break;
					}
				} else if (c == '\n')
					r->line++;
				if (csvr_put(r, c, &fieldlen) == -1)
					return -1;
			}
			if (c != ',' && c != '\n' && c != '\r' && c != EOF)
				return csvr_fail(r, "unexpected character after "
				    "the closing quote of field %zu", r->nfield);
		} else {
			while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
				if (c == '"')
					return csvr_fail(r, "quote inside unquoted "
					    "field %zu (quote the whole field and "
					    "double the quote)", r->nfield);
				if (csvr_put(r, c, &fieldlen) == -1)
					return -1;
				c = csvr_getc(r);
			}
		}
		if (csvr_field_end(r) == -1)
			return -1;
		if (c == ',') {
			c = csvr_getc(r);
			continue;
		}
		if (c == '\r' && (c2 = csvr_getc(r)) != '\n')
			return csvr_fail(r, "carriage return without a line feed");
		if (c == EOF && ferror(r->f))
			return csvr_fail(r, "read error");
		/* At EOF the next call reads EOF again and ends the file. */
		if (c != EOF)
			r->line++;
		break;
	}
	for (i = 0; i < r->nfield; i++)
		r->field[i] = r->buf + r->off[i];
	return 1;
}

int
csvr_header(struct csvr *r, const char *header, size_t nfields)
{
	char	 got[256];
	size_t	 i, n = 0;

	switch (csvr_next(r)) {
	case -1:
		return -1;
	case 0:
		snprintf(r->err, sizeof(r->err), "empty file (expected the "
		    "header line %s)", header);
		return -1;
	default:
		break;
	}
	got[0] = '\0';
	for (i = 0; i < r->nfield && n < sizeof(got); i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
		    i > 0 ? "," : "", r->field[i]);
	if (r->nfield != nfields || strcmp(got, header) != 0) {
		snprintf(r->err, sizeof(r->err), "line %lu: the header must be "
		    "'%s'", r->rec_line, header);
		return -1;
	}
	return 0;
}

int
csvr_blank(const struct csvr *r)
{
	size_t	 i;

	for (i = 0; i < r->nfield; i++)
		if (r->field[i][0] != '\0')
			return 0;
	return 1;
}

/* s equals name, ASCII case ignored, spaces and tabs around s ignored. */
static int
col_name_eq(const char *s, const char *name)
{
	size_t	 n = strlen(s), k = strlen(name);

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == k && strncasecmp(s, name, k) == 0;
}

long
csvr_columns(struct csvr *r, struct csvr_col *cols, size_t ncols)
{
	char	 missing[128], found[128];
	size_t	 i, j, nm = 0, nf = 0;
	int	 k;

	for (j = 0; j < ncols; j++)
		cols[j].index = CSVR_ABSENT;
	while ((k = csvr_next(r)) == 1 && csvr_blank(r))
		;
	if (k == -1)
		return -1;
	if (k == 0) {
		snprintf(r->err, sizeof(r->err), "empty file (no header line)");
		return -1;
	}
	for (i = 0; i < r->nfield; i++)
		for (j = 0; j < ncols; j++) {
			if (!col_name_eq(r->field[i], cols[j].name))
				continue;
			if (cols[j].index != CSVR_ABSENT) {
				snprintf(r->err, sizeof(r->err), "line %lu: column "
				    "'%s' appears twice (fields %zu and %zu)",
				    r->rec_line, cols[j].name, cols[j].index + 1,
				    i + 1);
				return -1;
			}
			cols[j].index = i;
		}
	missing[0] = found[0] = '\0';
	for (j = 0; j < ncols; j++)
		if (cols[j].required && cols[j].index == CSVR_ABSENT &&
		    nm < sizeof(missing))
			nm += (size_t)snprintf(missing + nm, sizeof(missing) - nm,
			    "%s%s", nm > 0 ? ", " : "", cols[j].name);
	if (nm == 0)
		return (long)r->nfield;
	for (i = 0; i < r->nfield && nf < sizeof(found); i++)
		nf += (size_t)snprintf(found + nf, sizeof(found) - nf, "%s'%.40s'",
		    i > 0 ? ", " : "", r->field[i]);
	snprintf(r->err, sizeof(r->err), "line %lu: the header lacks the "
	    "column%s %s (found %s)", r->rec_line, strchr(missing, ',') != NULL ?
	    "s" : "", missing, found);
	return -1;
}

int
csvr_to_utf8(const char *in, size_t len, const char *from, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	iconv_t		 cd;
	char		*buf = NULL, *nb, *ip = (char *)(uintptr_t)in, *op;
	size_t		 cap, il = len, ol, used, i;
	unsigned long	 line = 1;
	int		 rc = -1;

	*out = NULL;
	*outlen = 0;
	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1) {
		snprintf(err, errlen, "cannot convert from %s: %s", from,
		    strerror(errno));
		return -1;
	}
	/* Two CP932 bytes make at most three UTF-8 bytes; grow if another set does more. */
	cap = len / 2 * 3 + 64;
	if ((buf = malloc(cap)) == NULL)
		goto nomem;
	op = buf;
	ol = cap - 1;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			used = (size_t)(op - buf);
			if (cap > SIZE_MAX / 2)
				goto nomem;
			if ((nb = realloc(buf, cap * 2)) == NULL)
				goto nomem;
			buf = nb;
			cap *= 2;
			op = buf + used;
			ol = cap - 1 - used;
			continue;
		}
		for (i = 0; i < (size_t)(ip - in); i++)
			if (in[i] == '\n')
				line++;
		if (errno == EINVAL)
			snprintf(err, errlen, "line %lu: the file ends inside a "
			    "character (byte 0x%02x is not whole %s text)", line,
			    (unsigned char)ip[0], from);
		else if (il > 1)
			snprintf(err, errlen, "line %lu: bytes 0x%02x 0x%02x are "
			    "not %s text", line, (unsigned char)ip[0],
			    (unsigned char)ip[1], from);
		else
			snprintf(err, errlen, "line %lu: byte 0x%02x is not %s "
			    "text", line, (unsigned char)ip[0], from);
		goto fail;
	}
	*op = '\0';
	*out = buf;
	*outlen = (size_t)(op - buf);
	buf = NULL;
	rc = 0;
	goto fail;
nomem:
	snprintf(err, errlen, "out of memory converting from %s", from);
fail:
	free(buf);
	iconv_close(cd);
	return rc;
}
