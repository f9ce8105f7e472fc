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
#include "values.h"

int
arg_fy(const struct ctl_args *a, const char *opt, uint16_t *out, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, opt);
	char		 why[160] = "";

	if (s == NULL) {
		snprintf(err, errlen, "missing --%s", opt);
		return -1;
	}
	if (parse_fy(s, out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "--%s: %s", opt,
		    why[0] != '\0' ? why : "not a fiscal year");
		return -1;
	}
	return 0;
}

int
arg_amount(const struct ctl_args *a, const char *opt, int64_t *out, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, opt);
	char		 why[160] = "";

	if (s == NULL) {
		snprintf(err, errlen, "missing --%s", opt);
		return -1;
	}
	if (parse_amount(s, out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "--%s: %s", opt,
		    why[0] != '\0' ? why : "not an amount");
		return -1;
	}
	return 0;
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

int
arg_code(const char *what, const char *s, char *out, size_t outsz, char *err,
    size_t errlen)
{
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
	if (!ld_valid_text(s, allow_empty)) {
		snprintf(err, errlen, "%s: must be %svalid UTF-8 without control "
		    "characters, at most %d bytes", what,
		    allow_empty ? "" : "non-empty ", LD_TEXT_MAX);
		return -1;
	}
	return copy_field(what, s, out, outsz, err, errlen);
}
