/*
 * values.c - the value syntaxes people type: amounts, fiscal years, dates.
 *
 * ledgerctl runs every --amount, --fy and --date through these parsers
 * before it opens a connection, and the CSV importer runs every row through
 * them, so a typo becomes a usage error with a reason instead of a payment.
 * They are pure functions over untrusted strings and are fuzzed: every
 * access is bounds-checked and every multiplication and addition on money is
 * overflow-checked.  There is no floating point here: "1.5億" is the
 * integer 15 scaled by 10^7.
 *
 * Amount grammar (after full-width digits ０-９ and the full-width comma ，
 * are mapped to ASCII):
 *
 *   amount  = plain [円] | units [円]
 *   plain   = int                          no decimal point
 *   units   = num 億 [int 万] | num 万
 *   int     = digits | group1 (sep group3)+  sep is ',' or '_', one kind per amount
 *   num     = int ['.' digits]             the fraction must give whole yen
 *
 * Decisions where the contract leaves the syntax open, each chosen so that
 * a likely typo is refused rather than guessed at:
 *   - Digits after the last unit are refused: "1億5000" may mean 1億5000万
 *     (the usual shorthand) or 100,005,000, so it is ambiguous; "1万5000"
 *     is refused the same way for consistency (write 15000).
 *   - 億 after 万 ("5万1億") and a repeated unit are refused.
 *   - The 万 part after 億 is below 10000 ("1億15000万" is refused) and a
 *     fraction is allowed only on the last unit ("1.5億5000万" is refused).
 *   - A decimal point needs a unit after it: "1.5" and "1.5円" are refused.
 *     "1.23456万" (12345.6 yen) is refused; trailing zeros in the fraction
 *     are harmless ("1.50億" = 150,000,000).
 *   - Leading zeros are refused ("0100", "1億0500万"), except the lone 0 of
 *     a fraction ("0.5億").
 *   - Anything else, including blanks, signs, other full-width characters
 *     (the full-width point and underscore among them) and input longer than
 *     AMOUNT_INPUT_MAX bytes, is refused.
 *
 * Fiscal years: "2013", "FY2013" (FY in any case), "H25"/"h25" (Heisei 1-31,
 * N + 1988) and "R7"/"r7" (Reiwa from 1, N + 2018), ASCII digits only, no
 * sign, no blanks, no leading zero; the result must lie in
 * [LD_FY_MIN, LD_FY_MAX].
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "entry.h"
#include "utf8.h"
#include "values.h"

#define AMOUNT_INPUT_MAX	256	/* bytes; far above any valid amount */

/* Lexer tokens; the ASCII ones stand for themselves. */
#define TOK_MAN		'M'	/* 万 10^4 */
#define TOK_OKU		'O'	/* 億 10^8 */
#define TOK_EN		'Y'	/* 円 */
#define TOK_END		'\0'

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Map s into one token per character: ASCII digits, ',', '_', '.', and the
 * TOK_* letters for the three kanji.  Full-width digits and comma become
 * their ASCII forms here, so the parser never sees UTF-8.  Characters are
 * decoded by utf8_decode(); bytes that are not one are an unexpected
 * character like any other.
 */
static int
amount_lex(const char *s, char *tok, size_t toksz, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, k;
	uint32_t cp;

	while (*p != '\0') {
		char c;

		if (n + 1 >= toksz) {
			seterr(err, errlen, "amount too long");
			return -1;
		}
		k = utf8_decode(p, strnlen((const char *)p, 4), &cp);
		if (k == 0)
			cp = UINT32_MAX;	/* no character: refused below */
		if ((cp >= '0' && cp <= '9') || cp == ',' || cp == '_' ||
		    cp == '.')
			c = (char)cp;
		else if (cp >= 0xff10 && cp <= 0xff19)
			c = (char)('0' + (cp - 0xff10));	/* ０-９ */
		else if (cp == 0xff0c)
			c = ',';				/* ， */
		else if (cp == 0x4e07)
			c = TOK_MAN;				/* 万 */
		else if (cp == 0x5104)
			c = TOK_OKU;				/* 億 */
		else if (cp == 0x5186)
			c = TOK_EN;				/* 円 */
		else if (cp == '-') {
			seterr(err, errlen, "amount must be positive "
			    "(the kind gives the direction)");
			return -1;
		} else if (cp == '+') {
			seterr(err, errlen, "amount must not carry a sign");
			return -1;
		} else if (cp == ' ' || cp == '\t' || cp == '\n' ||
		    cp == '\r' || cp == 0x3000) {		/* 　 */
			seterr(err, errlen, "amount must not contain blanks");
			return -1;
		} else if (cp == 'e' || cp == 'E') {
			seterr(err, errlen, "exponents are not amounts");
			return -1;
		} else if (cp >= 0x21 && cp <= 0x7e) {
			char ch[2] = { (char)cp, '\0' };

			seterr(err, errlen, "unexpected character '%s' in "
			    "amount", ch);
			return -1;
		} else {
			seterr(err, errlen, "unexpected character in amount "
			    "(digits, ',', '_', '.', 万, 億 and 円 only)");
			return -1;
		}
		p += k;
		tok[n++] = c;
	}
	tok[n] = TOK_END;
	return 0;
}

struct amount_parse {
	const char	*t;		/* tokens */
	size_t		 i;		/* cursor */
	char		 sep;		/* ',' or '_' once one was seen */
	char		*err;
	size_t		 errlen;
};

struct amount_num {
	int64_t		 ip;		/* integer part */
	int		 hasfrac;
	int64_t		 frac;		/* significant fraction digits ... */
	int		 fracdigits;	/* ... and how many */
};

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

static int
amount_overflow(struct amount_parse *ap)
{
	seterr(ap->err, ap->errlen,
	    "amount exceeds 10,000,000,000,000 yen");
	return -1;
}

/* Append digits to *v; refuses overflow. */
static int
amount_digit(struct amount_parse *ap, int64_t *v, char c)
{
	if (__builtin_mul_overflow(*v, 10, v) ||
	    __builtin_add_overflow(*v, c - '0', v))
		return amount_overflow(ap);
	return 0;
}

/* int ['.' digits]; the fraction is only recorded, the caller judges it. */
static int
amount_num(struct amount_parse *ap, struct amount_num *n)
{
	const char *t = ap->t;
	size_t start = ap->i, ndig = 0, zeros;

	memset(n, 0, sizeof(*n));
	if (!isdig(t[ap->i])) {
		if (t[ap->i] == ',' || t[ap->i] == '_' || t[ap->i] == '.')
			seterr(ap->err, ap->errlen,
			    "amount must start with a digit");
		else if (t[ap->i] == TOK_END && ap->i == 0)
			seterr(ap->err, ap->errlen, "empty amount");
		else
			seterr(ap->err, ap->errlen,
			    "a unit needs a number before it");
		return -1;
	}
	while (isdig(t[ap->i])) {
		if (amount_digit(ap, &n->ip, t[ap->i]) == -1)
			return -1;
		ap->i++;
		ndig++;
	}
	if (t[start] == '0' && ndig > 1) {
		seterr(ap->err, ap->errlen, "leading zero in amount");
		return -1;
	}
	if (t[ap->i] == ',' || t[ap->i] == '_') {
		if (ndig > 3) {
			seterr(ap->err, ap->errlen, "digit groups must be "
			    "of three (1,500,000)");
			return -1;
		}
		if (t[start] == '0') {
			seterr(ap->err, ap->errlen, "leading zero in amount");
			return -1;
		}
	}
	while (t[ap->i] == ',' || t[ap->i] == '_') {
		size_t g = 0;

		if (ap->sep != 0 && ap->sep != t[ap->i]) {
			seterr(ap->err, ap->errlen, "mixed ',' and '_' "
			    "separators in amount");
			return -1;
		}
		ap->sep = t[ap->i];
		ap->i++;
		while (isdig(t[ap->i])) {
			if (amount_digit(ap, &n->ip, t[ap->i]) == -1)
				return -1;
			ap->i++;
			g++;
		}
		if (g != 3) {
			seterr(ap->err, ap->errlen, "digit groups must be "
			    "of three (1,500,000)");
			return -1;
		}
	}
	if (t[ap->i] != '.')
		return 0;
	ap->i++;
	n->hasfrac = 1;
	if (!isdig(t[ap->i])) {
		seterr(ap->err, ap->errlen,
		    "a decimal point needs digits after it");
		return -1;
	}
	/*
	 * Trailing zeros do not change the value, so they are counted and
	 * folded in only when a non-zero digit follows them; at most 8
	 * significant digits can make whole yen, so anything longer is
	 * refused without being accumulated.
	 */
	zeros = 0;
	while (isdig(t[ap->i])) {
		if (t[ap->i] == '0') {
			zeros++;
		} else {
			if ((size_t)n->fracdigits + zeros + 1 > 8) {
				n->fracdigits = 9;	/* too fine */
			} else {
				for (; zeros > 0; zeros--) {
					n->frac *= 10;
					n->fracdigits++;
				}
				n->frac = n->frac * 10 + (t[ap->i] - '0');
				n->fracdigits++;
			}
			zeros = 0;
		}
		ap->i++;
	}
	return 0;
}

/* n * 10^exp, where exp is 4 or 8; refuses fractions of a yen. */
static int
amount_scale(struct amount_parse *ap, const struct amount_num *n, int exp,
    int64_t *out)
{
	int64_t unit = exp == 8 ? INT64_C(100000000) : INT64_C(10000);
	int64_t v, f;
	int i;

	if (__builtin_mul_overflow(n->ip, unit, &v))
		return amount_overflow(ap);
	if (n->hasfrac) {
		if (n->fracdigits > exp) {
			seterr(ap->err, ap->errlen, "amount is not a whole "
			    "number of yen");
			return -1;
		}
		f = n->frac;
		for (i = n->fracdigits; i < exp; i++)
			f *= 10;	/* < 10^8: cannot overflow */
		if (__builtin_add_overflow(v, f, &v))
			return amount_overflow(ap);
	}
	*out = v;
	return 0;
}

/*
 * At the end of the amount: an optional 円, then nothing.  after names the
 * unit just read (NULL for a plain number) so that the refusal can say why.
 */
static int
amount_end(struct amount_parse *ap, const char *after)
{
	char c = ap->t[ap->i];
	size_t j = ap->i;

	/* Look past a number to the unit after it, for a better reason. */
	while (isdig(ap->t[j]) || ap->t[j] == ',' || ap->t[j] == '_' ||
	    ap->t[j] == '.')
		j++;
	if (ap->t[j] == TOK_OKU && after != NULL && strcmp(after, "万") == 0)
		c = TOK_OKU;
	if (c == TOK_EN) {
		if (ap->t[ap->i + 1] == TOK_END)
			return 0;
		seterr(ap->err, ap->errlen, "円 must come last");
		return -1;
	}
	if (c == TOK_END)
		return 0;
	if (isdig(c))
		seterr(ap->err, ap->errlen, "digits after 万 are ambiguous: "
		    "write the whole number (15000, not 1万5000)");
	else if (c == TOK_OKU && after != NULL && strcmp(after, "万") == 0)
		seterr(ap->err, ap->errlen, "億 must come before 万");
	else if (c == TOK_OKU || c == TOK_MAN)
		seterr(ap->err, ap->errlen, "a unit appears twice");
	else
		seterr(ap->err, ap->errlen, "unexpected '%s' in amount",
		    c == '.' ? "." : c == ',' ? "," : "_");
	return -1;
}

int
parse_amount(const char *s, int64_t *out, char *err, size_t errlen)
{
	char tok[AMOUNT_INPUT_MAX + 1];
	struct amount_parse ap;
	struct amount_num n1, n2;
	int64_t v, v2;

	if (s == NULL || *s == '\0') {
		seterr(err, errlen, "empty amount");
		return -1;
	}
	if (strlen(s) > AMOUNT_INPUT_MAX) {
		seterr(err, errlen, "amount too long");
		return -1;
	}
	if (amount_lex(s, tok, sizeof(tok), err, errlen) == -1)
		return -1;
	memset(&ap, 0, sizeof(ap));
	ap.t = tok;
	ap.err = err;
	ap.errlen = errlen;

	if (amount_num(&ap, &n1) == -1)
		return -1;
	switch (tok[ap.i]) {
	case TOK_OKU:
		ap.i++;
		if (amount_scale(&ap, &n1, 8, &v) == -1)
			return -1;
		if (!isdig(tok[ap.i])) {
			if (amount_end(&ap, "億") == -1)
				return -1;
			break;
		}
		if (amount_num(&ap, &n2) == -1)
			return -1;
		if (tok[ap.i] != TOK_MAN) {
			if (tok[ap.i] == TOK_OKU)
				seterr(err, errlen, "a unit appears twice");
			else
				seterr(err, errlen, "digits after 億 without "
				    "万 are ambiguous: write 1億5000万 or "
				    "100005000");
			return -1;
		}
		ap.i++;
		if (n1.hasfrac) {
			seterr(err, errlen, "a fraction is allowed only on "
			    "the last unit (write 1億5000万, not 1.5億"
			    "5000万)");
			return -1;
		}
		if (n2.ip >= 10000) {
			seterr(err, errlen, "the 万 part after 億 must be "
			    "below 10000");
			return -1;
		}
		if (amount_scale(&ap, &n2, 4, &v2) == -1)
			return -1;
		if (__builtin_add_overflow(v, v2, &v))
			return amount_overflow(&ap);
		if (amount_end(&ap, "万") == -1)
			return -1;
		break;
	case TOK_MAN:
		ap.i++;
		if (amount_scale(&ap, &n1, 4, &v) == -1)
			return -1;
		if (amount_end(&ap, "万") == -1)
			return -1;
		break;
	default:
		if (n1.hasfrac) {
			seterr(err, errlen, "a decimal point is allowed only "
			    "before 万 or 億 (amounts are whole yen)");
			return -1;
		}
		v = n1.ip;
		if (amount_end(&ap, NULL) == -1)
			return -1;
		break;
	}
	if (v <= 0) {
		seterr(err, errlen, "amount must be positive");
		return -1;
	}
	if (v > LD_AMOUNT_MAX)
		return amount_overflow(&ap);
	*out = v;
	return 0;
}

/* Strict unsigned decimal of at most maxdig digits, no leading zero. */
static int
small_uint(const char *s, int maxdig, unsigned *out)
{
	unsigned v = 0;
	int n = 0;

	if (s[0] == '0' && s[1] != '\0')
		return -1;
	for (; *s != '\0'; s++, n++) {
		if (*s < '0' || *s > '9' || n >= maxdig)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (n == 0)
		return -1;
	*out = v;
	return 0;
}

int
parse_fy(const char *s, uint16_t *out, char *err, size_t errlen)
{
	unsigned n, y;

	if (s == NULL || *s == '\0') {
		seterr(err, errlen, "empty fiscal year");
		return -1;
	}
	if ((s[0] == 'H' || s[0] == 'h') && s[1] != '\0') {
		if (small_uint(s + 1, 2, &n) == -1 || n < 1 || n > 31) {
			seterr(err, errlen, "Heisei years run from H1 to H31: "
			    "'%s'", s);
			return -1;
		}
		y = n + 1988;
	} else if ((s[0] == 'R' || s[0] == 'r') && s[1] != '\0') {
		if (small_uint(s + 1, 4, &n) == -1 || n < 1 ||
		    n + 2018 > LD_FY_MAX) {
			seterr(err, errlen, "bad Reiwa year '%s' (R1 = 2019)",
			    s);
			return -1;
		}
		y = n + 2018;
	} else {
		const char *d = s;

		if ((s[0] == 'F' || s[0] == 'f') &&
		    (s[1] == 'Y' || s[1] == 'y'))
			d = s + 2;
		if (small_uint(d, 4, &y) == -1) {
			seterr(err, errlen, "bad fiscal year '%s' "
			    "(2013, FY2013, H25 or R7)", s);
			return -1;
		}
	}
	if (y < LD_FY_MIN || y > LD_FY_MAX) {
		seterr(err, errlen, "fiscal year '%s' out of range "
		    "(1900-9999)", s);
		return -1;
	}
	*out = (uint16_t)y;
	return 0;
}

static int
leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
mdays(unsigned y, unsigned m)
{
	static const unsigned char d[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && leap(y))
		return 29;
	return d[m - 1];
}

static int
date_valid(uint32_t v)
{
	unsigned y = v / 10000, m = v / 100 % 100, d = v % 100;

	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= mdays(y, m);
}

int
parse_date(const char *s, uint32_t *out, char *err, size_t errlen)
{
	uint32_t v = 0;
	int i;

	if (s == NULL || *s == '\0') {
		seterr(err, errlen, "empty date");
		return -1;
	}
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				break;
		} else if (s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (uint32_t)(s[i] - '0');
		} else
			break;
	}
	if (i != 10 || s[10] != '\0') {
		seterr(err, errlen, "bad date '%s' (YYYY-MM-DD)", s);
		return -1;
	}
	if (!date_valid(v)) {
		seterr(err, errlen, "no such date '%s' (years 1900-9999)", s);
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_u64(const char *s, uint64_t *out, char *err, size_t errlen)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0') {
		seterr(err, errlen, "empty number");
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			seterr(err, errlen, "not a number: '%s'", s);
			return -1;
		}
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v)) {
			seterr(err, errlen, "number too large");
			return -1;
		}
	}
	*out = v;
	return 0;
}

void
format_date(uint32_t v, char *out, size_t outsz)
{
	snprintf(out, outsz, "%04" PRIu32 "-%02" PRIu32 "-%02" PRIu32,
	    v / 10000, v / 100 % 100, v % 100);
}

void
format_amount(int64_t v, char *out, size_t outsz)
{
	char digits[24], buf[32];
	uint64_t m;
	size_t nd, i, o = 0;

	/* The magnitude as unsigned: -INT64_MIN does not fit in int64_t. */
	m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	nd = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, m);
	if (v < 0)
		buf[o++] = '-';
	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	snprintf(out, outsz, "%s", buf);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void
format_time_us(int64_t us, char *out, size_t outsz)
{
	int64_t secs, days, sod, frac, y;
	unsigned m, d;

	/* Floor division, so instants before 1970 still format correctly. */
	secs = us / 1000000;
	frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, outsz, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06uZ",
	    y, m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
	    (unsigned)(sod % 60), (unsigned)frac);
}

int
date_in_fy(uint32_t v, uint16_t fy)
{
	uint32_t lo = (uint32_t)fy * 10000 + 401;
	uint32_t hi = ((uint32_t)fy + 1) * 10000 + 531;

	return date_valid(v) && v >= lo && v <= hi;
}
