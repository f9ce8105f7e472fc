/*
 * values.h - the value syntaxes people type, parsed strictly.
 *
 * ledgerctl parses every value before it connects, so a typo is a usage
 * error that never reaches the daemon.  These parsers are pure functions over
 * untrusted strings (fuzzed): they accept exactly the contract's syntax and
 * refuse everything else, including overflow.  No floating point: "1.5億" is
 * computed in integers.  ledgerctl's options, the import CSV and the bank
 * statement all read values through these, so one spelling means one
 * thing everywhere.
 */
#ifndef LD_VALUES_H
#define LD_VALUES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every parser below returns 0 and sets *out, or returns -1, leaves *out
 * untouched and writes into err (when err is not NULL and errlen > 0) one
 * line that quotes the value (at most 40 bytes of it, control characters
 * and bytes that are no UTF-8 character shown as '?'), says what is wrong
 * with it and lists the accepted forms, e.g.
 *   '12abc': unexpected character 'a' in amount (amounts in yen: ...)
 * A message cut short by errlen never ends in half a UTF-8 character.
 * None of them allocates, keeps state or reads beyond the string's NUL.
 */

/*
 * Amount: a positive whole number of yen, at most LD_AMOUNT_MAX (10^13),
 * written as
 *   - digits with optional grouping by threes (',' or '_'): 1,500,000;
 *   - with the units 万 (10^4) and 億 (10^8), each at most once, 億 before
 *     万, a decimal fraction allowed on the last unit's number if the
 *     result is whole yen (1.5億, 1億5000万円, 1,500万);
 *   - with the unit 千円 (10^3) or 百万円 (10^6) of budget documents, alone
 *     and last (500千円, 16,221百万円, 1.5百万円);
 * and an optional trailing 円.  Full-width digits ０-９ and the full-width
 * comma ， are read as their ASCII forms.  Overflow is refused, never
 * wrapped; there is no floating point.
 */
int	parse_amount(const char *s, int64_t *out, char *err, size_t errlen);

/*
 * Fiscal year: "2013", "FY2013" (FY in any case), "2013年度", "H25" or
 * "平成25" (Heisei 1-31), "R7" or "令和7" (Reiwa from 1), an era's first year
 * also as 元 ("R元", "平成元"), an era year also followed by 年度
 * ("平成25年度", "令和元年度"); full-width letters and digits ("Ｈ２５",
 * "２０１３") as their ASCII forms.  "2013年" (a calendar year) is refused.
 * *out lies in [LD_FY_MIN, LD_FY_MAX].  Input longer than 64 bytes is
 * refused.
 */
int	parse_fy(const char *s, uint16_t *out, char *err, size_t errlen);

/*
 * Date, a real calendar date in 1900-9999; *out = YYYYMMDD.  Forms:
 * "2013-06-30" (exactly two digits for month and day), "2013/6/30" and
 * "2013/06/30" (as Excel writes it back), "2013年6月30日", and in the
 * Japanese eras "H25.6.30", "H25/6/30", "平成25年6月30日", "令和元年5月1日",
 * "R1.5.1" (era names as parse_fy takes them); full-width digits, letters,
 * '／' and '．' as their ASCII forms.  An era date must lie in its era:
 * Heisei from 1989-01-08 to 2019-04-30, Reiwa from 2019-05-01 (so
 * "H31.5.1" and "R1.4.30" are refused).  Input longer than 64 bytes is
 * refused.
 */
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
