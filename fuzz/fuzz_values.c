/*
 * fuzz_values.c - the value parsers of proto/values.h.
 *
 * ledgerctl and the CSV importer pass every amount, fiscal year, date and
 * number a person typed through these parsers, so they see arbitrary text.
 * The input (up to its first NUL, as a C string would end) goes to all
 * four parsers.  An accepted value must be in its documented range and
 * survive the round trip through its formatter (the formatted amount
 * "1,500,000" must parse back to the same yen, a fiscal year printed as
 * "2013" and "2013年度" back to the same year, any accepted date, era and
 * full-width forms included, must format to a YYYY-MM-DD that parses back
 * to it, and a date given as YYYY-MM-DD must format to the very text that
 * was accepted); a refusal must come with a reason.  The
 * first eight bytes, read as an int64, also drive format_amount() and
 * format_time_us(), which print whatever a stored entry holds.
 */
#include <inttypes.h>
#include <string.h>

#include "entry.h"
#include "fuzz.h"
#include "values.h"

#define IN_MAX	1024	/* longer inputs are cut: every parser caps far below */

static void
check_refused(int rc, const char *err)
{
	if (rc == 0)
		return;
	FUZZ_CHECK(rc == -1);
	FUZZ_CHECK(memchr(err, '\0', 128) != NULL && err[0] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 s[IN_MAX + 1], err[128], out[64];
	int64_t		 amount, amount2, raw;
	uint64_t	 u, u2;
	uint32_t	 date, date2;
	uint16_t	 fy, fy2;
	size_t		 n;
	int		 rc_amount, rc_fy, rc_date, rc;

	n = size < IN_MAX ? size : IN_MAX;
	memcpy(s, data, n);
	s[n] = '\0';

	err[0] = '\0';
	rc_amount = parse_amount(s, &amount, err, sizeof(err));
	check_refused(rc_amount, err);
	if (rc_amount == 0) {
		FUZZ_CHECK(amount >= 1 && amount <= LD_AMOUNT_MAX);
		format_amount(amount, out, sizeof(out));
		FUZZ_CHECK(parse_amount(out, &amount2, err, sizeof(err)) == 0);
		FUZZ_CHECK(amount2 == amount);
	}

	err[0] = '\0';
	rc_fy = parse_fy(s, &fy, err, sizeof(err));
	check_refused(rc_fy, err);
	if (rc_fy == 0) {
		FUZZ_CHECK(fy >= LD_FY_MIN && fy <= LD_FY_MAX);
		snprintf(out, sizeof(out), "%u", (unsigned)fy);
		FUZZ_CHECK(parse_fy(out, &fy2, err, sizeof(err)) == 0 && fy2 == fy);
		snprintf(out, sizeof(out), "%u年度", (unsigned)fy);
		FUZZ_CHECK(parse_fy(out, &fy2, err, sizeof(err)) == 0 && fy2 == fy);
	}

	err[0] = '\0';
	rc_date = parse_date(s, &date, err, sizeof(err));
	check_refused(rc_date, err);
	if (rc_date == 0) {
		FUZZ_CHECK(ld_valid_date(date));
		format_date(date, out, sizeof(out));
		/* The version 1 form is the canonical one: it comes back. */
		if (strlen(s) == 10 && s[4] == '-')
			FUZZ_CHECK(strcmp(out, s) == 0);
		FUZZ_CHECK(parse_date(out, &date2, err, sizeof(err)) == 0 &&
		    date2 == date);
		if (rc_fy == 0)
			(void)date_in_fy(date, fy);
	}

	err[0] = '\0';
	rc = parse_u64(s, &u, err, sizeof(err));
	check_refused(rc, err);
	if (rc == 0) {
		snprintf(out, sizeof(out), "%" PRIu64, u);
		FUZZ_CHECK(parse_u64(out, &u2, err, sizeof(err)) == 0 && u2 == u);
	}

	if (size >= 8) {
		memcpy(&raw, data, sizeof(raw));
		format_amount(raw, out, sizeof(out));
		FUZZ_CHECK(out[0] != '\0' && strlen(out) <= 27);
		if (raw >= 1 && raw <= LD_AMOUNT_MAX)
			FUZZ_CHECK(parse_amount(out, &amount2, err,
			    sizeof(err)) == 0 && amount2 == raw);
		format_time_us(raw, out, sizeof(out));
		FUZZ_CHECK(out[0] != '\0');
	}
	return 0;
}
