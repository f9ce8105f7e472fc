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
 *   amount  = plain [円] | units [円] | num 千円 | num 百万円
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
 *   - 千 and 百 exist only in the budget units 千円 and 百万円, which stand
 *     alone and keep their 円: everyday Japanese writes 50,000,000 as
 *     "5千万", so a bare 千 is refused rather than read as 10^3.
 *   - Anything else, including blanks, signs, other full-width characters
 *     (the full-width point and underscore among them) and input longer than
 *     AMOUNT_INPUT_MAX bytes, is refused.
 *
 * Fiscal years and dates: the grammars are at fy_parse() and date_parse().
 * Both fold full-width ASCII (Ｈ２５, ２０１３/６/３０) first and know the
 * eras people still write: Heisei (1989-01-08 to 2019-04-30, years 1-31)
 * and Reiwa (from 2019-05-01), with 元 for an era's first year.  A date
 * outside its era (H31.5.1, R1.4.30) is refused rather than converted:
 * someone who typed it misread a calendar, and the ledger must not guess.
 *
 * Every refusal quotes the value and lists the accepted forms (refusal()),
 * so the one line a clerk sees says what to type instead.
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
#define TOK_SEN		'S'	/* 千, only in the unit 千円 */
#define TOK_HYAKU	'B'	/* 百, only in the unit 百万円 */
#define TOK_END		'\0'

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t len, i;
	int n;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n < errlen)
		return;
	/* Cut short: never end in half a character. */
	len = strlen(err);
	i = len;
	while (i > 0 && ((unsigned char)err[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)err[i - 1] >= 0xc0) {
		unsigned char lead = (unsigned char)err[i - 1];
		size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

		if (len - (i - 1) < need)
			err[i - 1] = '\0';
	}
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
		else if (cp == 0x5343)
			c = TOK_SEN;				/* 千 */
		else if (cp == 0x767e)
			c = TOK_HYAKU;				/* 百 */
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
			seterr(err, errlen, "unexpected character in amount");
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

/* n * 10^exp, where exp is 3, 4, 6 or 8; refuses fractions of a yen. */
static int
amount_scale(struct amount_parse *ap, const struct amount_num *n, int exp,
    int64_t *out)
{
	int64_t unit = 1, v, f;
	int i;

	for (i = 0; i < exp; i++)
		unit *= 10;

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
	else if (c == TOK_SEN || c == TOK_HYAKU)
		seterr(ap->err, ap->errlen, "千円 and 百万円 are units of "
		    "their own, not combined with 万 or 億");
	else
		seterr(ap->err, ap->errlen, "unexpected '%s' in amount",
		    c == '.' ? "." : c == ',' ? "," : "_");
	return -1;
}

static int
amount_parse(const char *s, int64_t *out, char *err, size_t errlen)
{
	char tok[AMOUNT_INPUT_MAX + 1];
	struct amount_parse ap;
	struct amount_num n1, n2;
	int64_t v, v2;
	int exp;

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
	case TOK_SEN:
	case TOK_HYAKU:
		/*
		 * The units of budget documents, always with their 円:
		 * "5千万" is 50,000,000 in everyday writing, so a bare 千 is
		 * refused rather than read as thousands.
		 */
		exp = tok[ap.i] == TOK_SEN ? 3 : 6;
		ap.i++;
		if (exp == 6 && tok[ap.i] == TOK_MAN)
			ap.i++;
		else if (exp == 6)
			exp = 0;
		if (exp == 0 || tok[ap.i] != TOK_EN ||
		    tok[ap.i + 1] != TOK_END) {
			seterr(err, errlen, "千 and 百 only in the units 千円 "
			    "and 百万円, at the end (500千円, 16,221百万円)");
			return -1;
		}
		if (amount_scale(&ap, &n1, exp, &v) == -1)
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

/*
 * The value as a refusal quotes it: at most VALUE_SHOW_MAX bytes of whole
 * characters, a control character or a byte that is no character shown as
 * '?', so that a message never carries a terminal escape or broken UTF-8.
 */
#define VALUE_SHOW_MAX	40

static void
show_value(const char *s, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, k;
	uint32_t cp;

	while (*p != '\0') {
		k = utf8_decode(p, strnlen((const char *)p, 4), &cp);
		if (o + (k == 0 ? 1 : k) > VALUE_SHOW_MAX ||
		    o + (k == 0 ? 1 : k) + 4 > outsz) {
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (k == 0 || utf8_is_control(cp)) {
			out[o++] = '?';
			p += k == 0 ? 1 : k;
			continue;
		}
		memcpy(out + o, p, k);
		o += k;
		p += k;
	}
	out[o] = '\0';
}

/*
 * The refusal as the caller sees it: the value, the reason, and the forms
 * that are accepted, so that one message says what to type instead.
 */
static void
refusal(char *err, size_t errlen, const char *s, const char *why,
    const char *forms)
{
	char shown[VALUE_SHOW_MAX + 8];

	if (s == NULL || *s == '\0') {
		seterr(err, errlen, "%s (%s)", why, forms);
		return;
	}
	show_value(s, shown, sizeof(shown));
	seterr(err, errlen, "'%s': %s (%s)", shown, why, forms);
}

#define AMOUNT_FORMS	"amounts in yen: 150000000, 150,000,000, 1.5億, " \
			"1億5000万円, 16,221百万円, 500千円"
#define FY_FORMS	"fiscal years: 2013, FY2013, 2013年度, H25, " \
			"平成25年度, R7, 令和元年度"
#define DATE_FORMS	"dates: 2013-06-30, 2013/6/30, 2013年6月30日, " \
			"H25.6.30, 平成25年6月30日"

int
parse_amount(const char *s, int64_t *out, char *err, size_t errlen)
{
	char why[192] = "";

	if (amount_parse(s, out, why, sizeof(why)) == 0)
		return 0;
	refusal(err, errlen, s, why, AMOUNT_FORMS);
	return -1;
}

/*
 * Fiscal years and dates are read from a copy in which the full-width forms
 * of ASCII (U+FF01-U+FF5E: ０-９, Ａ-Ｚ, ａ-ｚ, ／, ．, －) are folded to ASCII;
 * everything else, kanji and bytes that are no character among them, is
 * copied as it is and either matched literally by the grammar or refused.
 * 0, or -1 when the text does not fit in out.
 */
static int
fold_fullwidth(const char *s, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, k;
	uint32_t cp;

	while (*p != '\0') {
		k = utf8_decode(p, strnlen((const char *)p, 4), &cp);
		if (k == 0)
			k = 1;		/* copied; no grammar matches it */
		if (o + k >= outsz)
			return -1;
		if (k == 3 && cp >= 0xff01 && cp <= 0xff5e) {
			out[o++] = (char)(cp - 0xff01 + 0x21);
		} else {
			memcpy(out + o, p, k);
			o += k;
		}
		p += k;
	}
	out[o] = '\0';
	return 0;
}

#define VALUE_INPUT_MAX	64	/* bytes of a fiscal year or a date */

/* Consume lit at *p if it is there. */
static int
eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/*
 * 1 to maxdig ASCII digits at *p into *out; with strict, no leading zero.
 * -1 (nothing consumed) when there is no digit or there are too many.
 */
static int
digits(const char **p, int maxdig, int strict, unsigned *out)
{
	const char *q = *p;
	unsigned v = 0;
	int n = 0;

	while (*q >= '0' && *q <= '9') {
		if (++n > maxdig)
			return -1;
		v = v * 10 + (unsigned)(*q - '0');
		q++;
	}
	if (n == 0 || (strict && n > 1 && **p == '0'))
		return -1;
	*p = q;
	*out = v;
	return 0;
}

enum era { ERA_NONE, ERA_HEISEI, ERA_REIWA };

/*
 * An era name at *p: 平成, 令和, or H/R in any case when a digit or 元
 * follows (so "R" alone or "Rx" is no era).  Consumes it.
 */
static enum era
era_prefix(const char **p)
{
	const char *q = *p;

	if (eat(p, "平成"))
		return ERA_HEISEI;
	if (eat(p, "令和"))
		return ERA_REIWA;
	if (q[0] != 'H' && q[0] != 'h' && q[0] != 'R' && q[0] != 'r')
		return ERA_NONE;
	if (!(q[1] >= '0' && q[1] <= '9') && strncmp(q + 1, "元", 3) != 0)
		return ERA_NONE;
	(*p)++;
	return q[0] == 'H' || q[0] == 'h' ? ERA_HEISEI : ERA_REIWA;
}

/*
 * The year of an era at *p: 元 (the first year) or digits without a leading
 * zero, turned into the Gregorian year.  Heisei runs 1-31 (1989-2019),
 * Reiwa from 1 (2019) to LD_FY_MAX.
 */
static int
era_year(const char **p, enum era era, unsigned *y, char *why, size_t n)
{
	unsigned v;

	if (eat(p, "元"))
		v = 1;
	else if (digits(p, 4, 1, &v) == -1 || v == 0) {
		seterr(why, n, "%s needs its year as 1-%s or 元",
		    era == ERA_HEISEI ? "Heisei" : "Reiwa",
		    era == ERA_HEISEI ? "31" : "7981");
		return -1;
	}
	if (era == ERA_HEISEI && v > 31) {
		seterr(why, n, "Heisei years run from H1 (1989) to H31 "
		    "(2019)");
		return -1;
	}
	if (era == ERA_REIWA && v + 2018 > LD_FY_MAX) {
		seterr(why, n, "Reiwa year beyond 9999");
		return -1;
	}
	*y = v + (era == ERA_HEISEI ? 1988 : 2018);
	return 0;
}

/*
 * Fiscal year grammar, after fold_fullwidth():
 *
 *   fy    = western | era
 *   western = ["FY"] yyyy | yyyy "年度"     FY in any case; not both
 *   era   = ("H" | "平成" | "R" | "令和") (n | "元") ["年度"]
 *
 * A bare "2013年" is refused: it is a calendar year, and the fiscal year
 * that holds most of it is a different one for January to March.
 */
static int
fy_parse(const char *s, uint16_t *out, char *why, size_t n)
{
	char buf[VALUE_INPUT_MAX + 1];
	const char *p = buf;
	enum era era;
	unsigned y;
	int fy_prefix = 0;

	if (s == NULL || *s == '\0') {
		seterr(why, n, "empty fiscal year");
		return -1;
	}
	if (strlen(s) > VALUE_INPUT_MAX ||
	    fold_fullwidth(s, buf, sizeof(buf)) == -1) {
		seterr(why, n, "fiscal year too long");
		return -1;
	}
	era = era_prefix(&p);
	if (era != ERA_NONE) {
		if (era_year(&p, era, &y, why, n) == -1)
			return -1;
	} else {
		if ((p[0] == 'F' || p[0] == 'f') && (p[1] == 'Y' || p[1] == 'y')) {
			p += 2;
			fy_prefix = 1;
		}
		if (digits(&p, 4, 1, &y) == -1 || p - buf - 2 * fy_prefix != 4) {
			seterr(why, n, "not a fiscal year");
			return -1;
		}
	}
	if (!fy_prefix && eat(&p, "年度")) {
		/* nothing more may follow */
	} else if (*p != '\0' && strncmp(p, "年", 3) == 0 && p[3] == '\0') {
		seterr(why, n, "年 is a calendar year: write 年度 for the "
		    "fiscal year");
		return -1;
	}
	if (*p != '\0') {
		seterr(why, n, "not a fiscal year");
		return -1;
	}
	if (y < LD_FY_MIN || y > LD_FY_MAX) {
		seterr(why, n, "out of range (1900-9999)");
		return -1;
	}
	*out = (uint16_t)y;
	return 0;
}

int
parse_fy(const char *s, uint16_t *out, char *err, size_t errlen)
{
	char why[192] = "";

	if (fy_parse(s, out, why, sizeof(why)) == 0)
		return 0;
	refusal(err, errlen, s, why, FY_FORMS);
	return -1;
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

/* The first day of Heisei (Showa 64 ended 1989-01-07) and of Reiwa. */
#define HEISEI_FIRST	19890108u
#define REIWA_FIRST	20190501u

/*
 * Date grammar, after fold_fullwidth() (m and d are 1 or 2 digits):
 *
 *   date  = yyyy "-" mm "-" dd            exactly, as in version 1
 *         | yyyy "/" m "/" d              as Excel writes it back
 *         | yyyy "年" m "月" d "日"
 *         | era year ("." m "." d | "/" m "/" d | "年" m "月" d "日")
 *   era   = "H" | "平成" | "R" | "令和"    H and R in any case
 *   year  = n | "元"
 *
 * An era date must lie in its era: Heisei from 1989-01-08 to 2019-04-30,
 * Reiwa from 2019-05-01, so H31.5.1 and R1.4.30 are no dates.
 */
static int
date_parse(const char *s, uint32_t *out, char *why, size_t n)
{
	char buf[VALUE_INPUT_MAX + 1];
	const char *p = buf, *sep2, *end;
	enum era era;
	unsigned y, m, d;
	uint32_t v;

	if (s == NULL || *s == '\0') {
		seterr(why, n, "empty date");
		return -1;
	}
	if (strlen(s) > VALUE_INPUT_MAX ||
	    fold_fullwidth(s, buf, sizeof(buf)) == -1) {
		seterr(why, n, "date too long");
		return -1;
	}
	era = era_prefix(&p);
	if (era != ERA_NONE) {
		if (era_year(&p, era, &y, why, n) == -1)
			return -1;
	} else if (digits(&p, 4, 0, &y) == -1 || p - buf != 4) {
		seterr(why, n, "not a date");
		return -1;
	}
	if (era == ERA_NONE && *p == '-') {
		/* Version 1's form, exactly: two digits each. */
		if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
		    p[2] <= '9' && p[3] == '-' && p[4] >= '0' && p[4] <= '9' &&
		    p[5] >= '0' && p[5] <= '9' && p[6] == '\0')) {
			seterr(why, n, "not a date");
			return -1;
		}
		m = (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
		d = (unsigned)(p[4] - '0') * 10 + (unsigned)(p[5] - '0');
	} else {
		if (eat(&p, "年")) {
			sep2 = "月";
			end = "日";
		} else if (*p == '/') {
			p++;
			sep2 = "/";
			end = "";
		} else if (era != ERA_NONE && *p == '.') {
			p++;
			sep2 = ".";
			end = "";
		} else {
			seterr(why, n, "not a date");
			return -1;
		}
		if (digits(&p, 2, 0, &m) == -1 || !eat(&p, sep2) ||
		    digits(&p, 2, 0, &d) == -1 || !eat(&p, end) ||
		    *p != '\0') {
			seterr(why, n, "not a date");
			return -1;
		}
	}
	v = (uint32_t)y * 10000 + m * 100 + d;
	if (m < 1 || m > 12 || d < 1 || d > mdays(y, m) || y < 1900) {
		seterr(why, n, "no such date (years 1900-9999)");
		return -1;
	}
	if (era == ERA_HEISEI && (v < HEISEI_FIRST || v >= REIWA_FIRST)) {
		seterr(why, n, "no such Heisei date: Heisei ran from "
		    "1989-01-08 to 2019-04-30 (H31.4.30); 2019-05-01 is R1.5.1");
		return -1;
	}
	if (era == ERA_REIWA && v < REIWA_FIRST) {
		seterr(why, n, "no such Reiwa date: Reiwa began on 2019-05-01 "
		    "(R1.5.1); 2019-04-30 is H31.4.30");
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_date(const char *s, uint32_t *out, char *err, size_t errlen)
{
	char why[192] = "";

	if (date_parse(s, out, why, sizeof(why)) == 0)
		return 0;
	refusal(err, errlen, s, why, DATE_FORMS);
	return -1;
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
