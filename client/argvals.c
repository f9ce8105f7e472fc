/*
 * argvals.c - option strings to typed request fields, with usage errors.
 *
 * Every value a user types goes through here before any connection is
 * made: proto/values.h parses the syntaxes (amounts, fiscal years, dates,
 * sequence numbers) and proto/entry.h's validators apply the contract's
 * field limits, so that ledgerctl refuses exactly what the daemon would
 * call BAD_REQUEST, but as a usage error (exit 2) that never leaves the
 * machine.  Messages name the option and what was wrong with its value.
 */
#include <string.h>

#include "ctl.h"
#include "entry.h"
#include "output.h"
#include "values.h"

/*
 * The value of --opt run through parse (values.h's signature, with out as
 * void *); "missing --opt" or "--opt: why" in err.  One place for what
 * every typed option says when it is absent or wrong.
 */
typedef int	(*value_parser)(const char *, void *, char *, size_t);

static int
arg_typed(const struct ctl_args *a, const char *opt, value_parser parse,
    void *out, const char *what, char *err, size_t errlen)
{
	const char	*s = args_get(a, opt);
	char		 why[256] = "";

	if (s == NULL) {
		snprintf(err, errlen, "missing --%s", opt);
		return -1;
	}
	if (parse(s, out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "--%s: %s", opt,
		    why[0] != '\0' ? why : what);
		return -1;
	}
	return 0;
}

static int
fy_parser(const char *s, void *out, char *why, size_t n)
{
	return parse_fy(s, out, why, n);
}

static int
amount_parser(const char *s, void *out, char *why, size_t n)
{
	return parse_amount(s, out, why, n);
}

static int
date_parser(const char *s, void *out, char *why, size_t n)
{
	return parse_date(s, out, why, n);
}

int
arg_fy(const struct ctl_args *a, const char *opt, uint16_t *out, char *err,
    size_t errlen)
{
	return arg_typed(a, opt, fy_parser, out, "not a fiscal year", err,
	    errlen);
}

int
arg_amount(const struct ctl_args *a, const char *opt, int64_t *out, char *err,
    size_t errlen)
{
	return arg_typed(a, opt, amount_parser, out, "not an amount", err,
	    errlen);
}

int
arg_date(const struct ctl_args *a, const char *opt, uint32_t *out, char *err,
    size_t errlen)
{
	return arg_typed(a, opt, date_parser, out, "not a date (YYYY-MM-DD)",
	    err, errlen);
}

/*
 * Digit by digit in integers, so that no binary fraction turns "10.95"
 * into 1094 basis points.
 */
int
arg_rate_bp(const char *what, const char *s, uint32_t *out, char *err,
    size_t errlen)
{
	const char	*p;
	uint32_t	 v = 0;
	int		 decimals = -1;		/* -1: no decimal point yet */

	if (s == NULL || s[0] < '0' || s[0] > '9')
		goto bad;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.' && decimals == -1) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || decimals == 2)
			goto bad;
		v = v * 10 + (uint32_t)(*p - '0');
		if (decimals >= 0)
			decimals++;
		/* Scaling only multiplies: above the cap now, above it at the end. */
		if (v > LD_RATE_MAX)
			goto high;
	}
	if (decimals == 0)
		goto bad;		/* "5." */
	v *= decimals == 2 ? 1 : decimals == 1 ? 10 : 100;
	if (v > LD_RATE_MAX)
		goto high;
	*out = v;
	return 0;
high:
	snprintf(err, errlen, "%s: '%.40s' is more than 100 percent", what, s);
	return -1;
bad:
	snprintf(err, errlen, "%s: '%.40s' is not a percentage with at most "
	    "two decimals, like 10.95", what, s != NULL ? s : "");
	return -1;
}

/*
 * The date part of the JST timestamp that output.c prints: one place knows
 * the offset and the calendar, and neither depends on TZ.
 */
uint32_t
ctl_date_jst(int64_t now)
{
	char		 ts[48];
	uint32_t	 d = 0;

	out_time_jst(now * 1000000, ts, sizeof(ts));
	ts[10] = '\0';
	if (parse_date(ts, &d, NULL, 0) == -1)
		return 0;
	return d;
}

int
arg_seq(const char *what, const char *s, uint64_t *out, char *err,
    size_t errlen)
{
	char	 why[160] = "";

	if (parse_u64(s, out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", what,
		    why[0] != '\0' ? why : "not a number");
		return -1;
	}
	if (*out == 0) {
		snprintf(err, errlen, "%s: must be at least 1", what);
		return -1;
	}
	return 0;
}

/* Copy a validated string; the validators bound its length. */
static int
copy_field(const char *what, const char *s, char *out, size_t outsz,
    char *err, size_t errlen)
{
	size_t	 n = strlen(s);

	if (n >= outsz) {
		snprintf(err, errlen, "%s: too long", what);
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

/* A required string the caller looked up that is not there. */
static int
missing(const char *what, const char *s, char *err, size_t errlen)
{
	if (s != NULL)
		return 0;
	snprintf(err, errlen, "missing %s", what);
	return -1;
}

int
arg_code(const char *what, const char *s, char *out, size_t outsz, char *err,
    size_t errlen)
{
	if (missing(what, s, err, errlen) == -1)
		return -1;
	if (!ld_valid_code(s)) {
		snprintf(err, errlen, "%s: '%.80s' is not a region code "
		    "(1-64 of a-z, 0-9 and '-')", what, s);
		return -1;
	}
	return copy_field(what, s, out, outsz, err, errlen);
}

int
arg_ref(const char *what, const char *s, char *out, size_t outsz, char *err,
    size_t errlen)
{
	if (missing(what, s, err, errlen) == -1)
		return -1;
	if (!ld_valid_ref(s)) {
		snprintf(err, errlen, "%s: must be 1-64 printable ASCII "
		    "characters", what);
		return -1;
	}
	return copy_field(what, s, out, outsz, err, errlen);
}

int
arg_text(const char *what, const char *s, int allow_empty, char *out,
    size_t outsz, char *err, size_t errlen)
{
	if (missing(what, s, err, errlen) == -1)
		return -1;
	if (!ld_valid_text(s, allow_empty)) {
		snprintf(err, errlen, "%s: must be %svalid UTF-8 without control "
		    "characters, at most %d bytes", what,
		    allow_empty ? "" : "non-empty ", LD_TEXT_MAX);
		return -1;
	}
	return copy_field(what, s, out, outsz, err, errlen);
}
