/*
 * values.h - the value syntaxes people type, parsed strictly.
 *
 * ledgerctl parses every value before it connects, so a typo is a usage
 * error that never reaches the daemon.  These parsers are pure functions over
 * untrusted strings (fuzzed): they accept exactly the contract's syntax and
 * refuse everything else, including overflow.  No floating point: "1.5億" is
 * computed in integers.
 */
#ifndef LD_VALUES_H
#define LD_VALUES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Amount: a positive whole number of yen, at most 10^13, written as
 *   digits with optional grouping by threes (',' or '_'): 1,500,000 1_500_000
 *   or with units 万 (10^4) and 億 (10^8), each at most once, 億 before 万, a
 *   decimal fraction allowed on a unit's number if the result is whole yen
 *   (1.5億, 1億5000万円, 1,500万), and an optional trailing 円;
 * full-width digits ０-９ and full-width comma ， are accepted as their ASCII
 * forms.  Returns 0 and *out, or -1 with a reason in err (may be NULL).
 */
int	parse_amount(const char *s, int64_t *out, char *err, size_t errlen);

/*
 * Fiscal year: "2013", "FY2013", "H25" (Heisei 1-31), "R7" (Reiwa from 1),
 * any case.  The result must lie in [LD_FY_MIN, LD_FY_MAX].
 */
int	parse_fy(const char *s, uint16_t *out, char *err, size_t errlen);

/* Date "YYYY-MM-DD", a real calendar date; *out = YYYYMMDD. */
int	parse_date(const char *s, uint32_t *out, char *err, size_t errlen);

/* Non-negative decimal u64 without sign or grouping (seq, limit, size). */
int	parse_u64(const char *s, uint64_t *out, char *err, size_t errlen);

/* "2013-06-30" into out (>= 11 bytes). */
void	format_date(uint32_t yyyymmdd, char *out, size_t outsz);
/* "1,500,000" (grouped by threes, '-' for negatives) into out (>= 28 bytes). */
void	format_amount(int64_t v, char *out, size_t outsz);
/* RFC 3339 UTC with microseconds: "2026-11-28T14:00:00.123456Z" (>= 28 bytes). */
void	format_time_us(int64_t us, char *out, size_t outsz);
/* Value-date window of fiscal year fy: [fy-04-01, (fy+1)-05-31]. */
int	date_in_fy(uint32_t yyyymmdd, uint16_t fy);

#endif
