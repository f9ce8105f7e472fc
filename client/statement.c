/*
 * statement.c - reading the bank statement of `reconcile` (statement.h).
 *
 * A statement is the bank's account of what left and came back.  Its lines
 * are held to rules that let them match the ledger's payments (a date the
 * ledger could hold, an amount a payment could have), but in the forms a
 * bank's file takes after Excel has opened and saved it: columns in the
 * bank's order with a memo beside them, 2013/6/30 dates, "¥1,500,000",
 * Shift_JIS, blank rows at the end.  A line that breaks the rules could
 * never match, and reporting it as a difference would bury the real
 * differences under a file problem; it is a usage error instead, naming
 * the file, the line and the column.
 *
 * A ref is any UTF-8 text: a Japanese ref is read and, since the ledger's
 * refs are printable ASCII (CONTRACT.md, field limits), reported as
 * missing_in_ledger rather than aborting the whole comparison.  Full-width
 * ASCII, which Japanese input methods produce for a voucher number typed
 * in a Japanese sentence, is folded so that Ｖ－０００７ matches V-0007.
 *
 * Dates go through parse_date() first, so that every form proto/values.c
 * takes is taken here too; statement_slash_date() handles Excel's
 * 2013/6/30 for as long as parse_date() does not, and can go once it does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvread.h"
#include "ctl.h"
#include "entry.h"
#include "session.h"
#include "statement.h"
#include "utf8.h"
#include "values.h"

/* A statement larger than this is refused rather than read into memory. */
#define STATEMENT_FILE_MAX	(256UL * 1024 * 1024)

int
statement_encoding(const char *name, int *enc)
{
	if (strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0)
		*enc = STATEMENT_UTF8;
	else if (strcasecmp(name, "cp932") == 0 ||
	    strcasecmp(name, "shift_jis") == 0 || strcasecmp(name, "sjis") == 0)
		*enc = STATEMENT_CP932;
	else
		return -1;
	return 0;
}

/* A yen sign at s: its length in bytes, or 0. */
static size_t
yen_sign(const char *s)
{
	if (strncmp(s, "\xc2\xa5", 2) == 0)		/* U+00A5 ¥ */
		return 2;
	if (strncmp(s, "\xef\xbf\xa5", 3) == 0)	/* U+FFE5 ￥ */
		return 3;
	return *s == '\\' ? 1 : 0;	/* ¥ as Shift_JIS 0x5C converts */
}

int
statement_parse_amount(const char *s, int64_t *out)
{
	const char	*end;
	int64_t		 v = 0;
	size_t		 digits = 0, group = 0, k;
	int		 neg = 0, grouped = 0;

	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		end--;
	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	if ((k = yen_sign(s)) > 0) {
		s += k;
		if (!neg && s < end && *s == '-') {
			neg = 1;
			s++;
		}
	}
	for (; s < end; s++) {
		if (*s == ',') {
			/* 1,000,000: one to three digits first, then threes. */
			if (digits == 0 || (grouped && group != 3) ||
			    (!grouped && digits > 3))
				return -1;
			grouped = 1;
			group = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (LD_AMOUNT_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		digits++;
		group++;
	}
	if (digits == 0 || (grouped && group != 3) || v == 0)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/*
 * Excel's YYYY/M/D (month and day of one or two digits) as YYYY-MM-DD,
 * checked by parse_date().  Returns 0, 1 when s is not of that form, or
 * -1 when it is but names no date (err set).
 */
static int
statement_slash_date(const char *s, uint32_t *out, char *err, size_t errlen)
{
	unsigned	 part[3] = { 0, 0, 0 };
	size_t		 len[3] = { 0, 0, 0 }, i = 0;
	char		 iso[16];

	for (; *s != '\0'; s++) {
		if (*s == '/') {
			if (++i == 3)
				return 1;
			continue;
		}
		if (*s < '0' || *s > '9' || len[i] == 4)
			return 1;
		part[i] = part[i] * 10 + (unsigned)(*s - '0');
		len[i]++;
	}
	if (i != 2 || len[0] != 4 || len[1] < 1 || len[1] > 2 || len[2] < 1 ||
	    len[2] > 2)
		return 1;
	snprintf(iso, sizeof(iso), "%04u-%02u-%02u", part[0], part[1], part[2]);
	return parse_date(iso, out, err, errlen) == 0 ? 0 : -1;
}

int
statement_parse_date(const char *s, uint32_t *out, char *err, size_t errlen)
{
	char	 why[160] = "";
	int	 k;

	if (parse_date(s, out, why, sizeof(why)) == 0)
		return 0;
	if ((k = statement_slash_date(s, out, why, sizeof(why))) == 0)
		return 0;
	if (k == 1)
		snprintf(err, errlen, "'%.40s' is not a date (YYYY-MM-DD or "
		    "YYYY/M/D)", s);
	else
		snprintf(err, errlen, "%s", why);
	return -1;
}

/*
 * s is well-formed UTF-8 without control characters: 0, or -1 with which
 * byte or character is not in err (the caller suggests --encoding cp932
 * for the first kind only).
 */
static int
text_check(const char *s, char *err, size_t errlen)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 n = strlen(s), i, k;
	uint32_t	 c;

	for (i = 0; i < n; i += k) {
		if ((k = utf8_decode(p + i, n - i, &c)) == 0) {
			snprintf(err, errlen, "not UTF-8 text (byte 0x%02x at "
			    "byte %zu)", p[i], i + 1);
			return -1;
		}
		if (utf8_is_control(c)) {
			snprintf(err, errlen, "control character U+%04X", c);
			return -1;
		}
	}
	return 0;
}

int
statement_parse_ref(const char *s, char *out, size_t outsz, char *err,
    size_t errlen)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 n = strlen(s), i, k, o = 0;
	uint32_t	 c;
	int		 fold;

	if (text_check(s, err, errlen) == -1)
		return -1;
	for (i = 0; i < n; i += k) {
		/* Cannot fail: text_check() decoded every character. */
		k = utf8_decode(p + i, n - i, &c);
		fold = (c >= 0xff01 && c <= 0xff5e) || c == 0x3000;
		if (o + (fold ? 1 : k) > LD_REF_MAX ||
		    o + (fold ? 1 : k) >= outsz) {
			snprintf(err, errlen, "longer than %d bytes", LD_REF_MAX);
			return -1;
		}
		if (c == 0x3000)			/* ideographic space */
			out[o++] = ' ';
		else if (fold)				/* Ｖ－０ -> V-0 */
			out[o++] = (char)(c - 0xfee0);
		else {
			memcpy(out + o, p + i, k);
			o += k;
		}
	}
	if (o == 0) {
		snprintf(err, errlen, "empty");
		return -1;
	}
	out[o] = '\0';
	return 0;
}

int
statement_parse_row(char *const *field, size_t nfield,
    const struct statement_cols *c, unsigned long line, struct recon_item *it,
    char *err, size_t errlen)
{
	char	 why[200] = "";

	memset(it, 0, sizeof(*it));
	if (nfield != c->nfield) {
		snprintf(err, errlen, "expected %zu fields as the header has, "
		    "found %zu", c->nfield, nfield);
		return -1;
	}
	if (statement_parse_date(field[c->date], &it->date, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "date (column %zu): %s", c->date + 1, why);
		return -1;
	}
	if (statement_parse_ref(field[c->ref], it->ref, sizeof(it->ref), why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "ref (column %zu): %s", c->ref + 1, why);
		return -1;
	}
	if (statement_parse_amount(field[c->amount], &it->amount) == -1) {
		snprintf(err, errlen, "amount (column %zu): '%.40s' is not a "
		    "non-zero whole number of yen (an optional '-' and yen "
		    "sign, digits, optional ',' grouping; at most "
		    "10,000,000,000,000)", c->amount + 1, field[c->amount]);
		return -1;
	}
	if (c->memo != CSVR_ABSENT) {
		if (text_check(field[c->memo], why, sizeof(why)) == -1) {
			snprintf(err, errlen, "memo (column %zu): %s", c->memo + 1,
			    why);
			return -1;
		}
		it->memo = field[c->memo];
	}
	it->where = line;
	return 0;
}

void
statement_free(struct statement *st)
{
	size_t	 i;

	for (i = 0; i < st->n; i++)
		free(st->items[i].memo);
	free(st->items);
	memset(st, 0, sizeof(*st));
}

/*
 * All of f into *buf (allocated, *len bytes).  0, or -1 with errno set
 * (EFBIG past STATEMENT_FILE_MAX).
 */
static int
slurp(FILE *f, char **buf, size_t *len)
{
	char	*b = NULL, *nb;
	size_t	 cap = 0, n = 0, got;

	for (;;) {
		if (n == cap) {
			if (cap >= STATEMENT_FILE_MAX) {
				free(b);
				errno = EFBIG;
				return -1;
			}
			cap = cap > 0 ? cap * 2 : 65536;
			if ((nb = realloc(b, cap)) == NULL) {
				free(b);
				return -1;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		errno = EIO;
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

/*
 * The statement at path as a stream of UTF-8: the file itself, or with
 * --encoding cp932 its conversion in memory (*conv, freed by the caller).
 */
static int
statement_open(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    int enc, FILE **fp, char **conv)
{
	FILE	*f;
	char	*raw = NULL, err[300];
	size_t	 len, clen;

	*conv = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return ctl_usage(ctl, cmd, "cannot open %s: %s", path,
		    strerror(errno));
	if (enc == STATEMENT_UTF8) {
		*fp = f;
		return CTL_OK;
	}
	if (slurp(f, &raw, &len) == -1) {
		fclose(f);
		return ctl_usage(ctl, cmd, "cannot read %s: %s", path,
		    strerror(errno));
	}
	fclose(f);
	if (len >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0) {
		free(raw);
		return ctl_usage(ctl, cmd, "%s: starts with a UTF-8 byte order "
		    "mark: it is UTF-8, not cp932 (leave out --encoding cp932)",
		    path);
	}
	if (csvr_to_utf8(raw, len, "CP932", conv, &clen, err,
	    sizeof(err)) == -1) {
		free(raw);
		return ctl_usage(ctl, cmd, "%s: %s", path, err);
	}
	free(raw);
	/* fmemopen() of 0 bytes is not portable; the header check needs a line. */
	if (clen == 0)
		return ctl_usage(ctl, cmd, "%s: empty file (no header line)", path);
	if ((*fp = fmemopen(*conv, clen, "r")) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory reading %s\n", path);
		return CTL_CONN;
	}
	return CTL_OK;
}

/* The whole statement, checked line by line before any connection. */
int
statement_read(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    int enc, struct statement *st)
{
	static const struct csvr_limits lim = { 1024, 8192, 64 };
	struct csvr_col		 cols[4] = {
		{ "date", 1, 0 }, { "ref", 1, 0 }, { "amount", 1, 0 },
		{ "memo", 0, 0 }
	};
	struct statement_cols	 c;
	struct recon_item	 x, *nv;
	struct csvr		 r;
	FILE			*f = NULL;
	size_t			 cap = 0;
	long			 nf;
	char			 err[400], *conv = NULL;
	const char		*hint;
	int			 rc, k;

	memset(st, 0, sizeof(*st));
	if ((rc = statement_open(ctl, cmd, path, enc, &f, &conv)) != CTL_OK) {
		free(conv);
		return rc;
	}
	csvr_init(&r, f, &lim);
	if ((nf = csvr_columns(&r, cols, 4)) == -1) {
		rc = ctl_usage(ctl, cmd, "%s: %s (a statement needs the columns "
		    "%s; memo and others are optional)", path, r.err,
		    STATEMENT_COLUMNS);
		goto done;
	}
	c.date = cols[0].index;
	c.ref = cols[1].index;
	c.amount = cols[2].index;
	c.memo = cols[3].index;
	c.nfield = (size_t)nf;
	st->has_memo = c.memo != CSVR_ABSENT;
	while ((k = csvr_next(&r)) != 0) {
		if (k == -1) {
			rc = ctl_usage(ctl, cmd, "%s: %s", path, r.err);
			goto done;
		}
		if (csvr_blank(&r))
			continue;
		if (statement_parse_row(r.field, r.nfield, &c, r.rec_line, &x,
		    err, sizeof(err)) == -1) {
			hint = enc == STATEMENT_UTF8 && strstr(err, "not UTF-8") !=
			    NULL ? " (a Shift_JIS file? try --encoding cp932)" : "";
			rc = ctl_usage(ctl, cmd, "%s: line %lu: %s%s", path,
			    r.rec_line, err, hint);
			goto done;
		}
		if (st->n == cap) {
			cap = cap > 0 ? cap * 2 : 256;
			if ((nv = reallocarray(st->items, cap,
			    sizeof(*nv))) == NULL)
				goto nomem;
			st->items = nv;
		}
		if (x.memo != NULL && (x.memo = strdup(x.memo)) == NULL)
			goto nomem;
		st->items[st->n++] = x;
	}
	rc = CTL_OK;
	goto done;
nomem:
	fprintf(ctl->err, "ledgerctl: out of memory reading %s\n", path);
	rc = CTL_CONN;
done:
	csvr_free(&r);
	fclose(f);
	free(conv);
	if (rc != CTL_OK)
		statement_free(st);
	return rc;
}
