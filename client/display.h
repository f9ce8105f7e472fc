/*
 * display.h - how ledgerctl shows figures and words to people: the
 * language of table headers and labels (--lang ja|en) and the unit of
 * amounts (--unit yen|thousand|million), contract 2.10.
 *
 * These only change text for people (tables, the HTML report).  JSON, CSV
 * and the "key: value" form of single objects are for programs and stay
 * English and in yen whatever is chosen, so that a script never depends on
 * the user's locale.
 *
 * Units follow Japanese budget and settlement documents (予算書, 決算書):
 * 千円 and 百万円 with the part below the unit cut off (単位未満切捨て,
 * toward zero, per figure) and a negative figure written △ (sankaku)
 * instead of a minus.  A figure is truncated on its own, so a total shown
 * in 千円 may differ by a unit or two from the sum of the rows above it, as
 * it does in those documents; the tables say so in their unit line.  Yen
 * are shown exactly, with "-" for negatives as before.
 *
 * Everything here but disp_from_args() (which reads the environment) is
 * pure: no I/O and no global state, so the unit tests drive it directly
 * (tests/test_display.c).
 */
#ifndef LD_DISPLAY_H
#define LD_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

enum disp_lang {
	DISP_EN = 0,
	DISP_JA
};

enum disp_unit {
	DISP_YEN = 0,
	DISP_THOUSAND,		/* 千円 */
	DISP_MILLION		/* 百万円 */
};

struct disp {
	int	lang;		/* enum disp_lang */
	int	unit;		/* enum disp_unit */
};

/* English and yen: what every table printed before --lang and --unit. */
#define DISP_DEFAULT	((struct disp){ DISP_EN, DISP_YEN })

/*
 * Resolve --lang and --unit (NULL when not given).  Without --lang the
 * language comes from the environment as the C library's message catalogs
 * would choose it: the first non-empty of LC_ALL, LC_MESSAGES and LANG,
 * Japanese when it starts with "ja" (ja_JP.UTF-8, ja), else English.  The
 * three environment values are passed in (NULL = unset) so that this stays
 * pure.  Returns 0, or -1 with "--lang: ..." or "--unit: ..." in err.
 */
int	 disp_resolve(struct disp *d, const char *lang, const char *unit,
	    const char *lc_all, const char *lc_messages, const char *lang_env,
	    char *err, size_t errlen);

struct ctl_args;
/*
 * disp_resolve() for a parsed command line: its --lang and --unit and this
 * process's environment.  0, or -1 with the reason in err.
 */
int	 disp_from_args(struct disp *d, const struct ctl_args *a, char *err,
	    size_t errlen);

/*
 * An amount of yen in d's unit, grouped by threes: "1,234,567" (yen),
 * "1,234" (thousand, from 1,234,567), "△1,234" (thousand, from
 * -1,234,567).  A negative figure smaller than the unit is "△0", so that
 * its sign is not lost.  out should hold 32 bytes; shorter is truncated.
 */
void	 disp_amount(const struct disp *d, int64_t yen, char *out, size_t outsz);

/*
 * A rate in basis points as a percentage with two decimals, "95.30%";
 * a negative bp (the contract's null: its divisor was 0) is "-" in English
 * and "—" in Japanese.  The basis points are already rounded down by the
 * daemon or balance.h's rate_bp(); nothing is rounded here.
 */
void	 disp_rate(const struct disp *d, int64_t bp, char *out, size_t outsz);

/*
 * The unit line printed above tables, or NULL for yen in English (whose
 * tables had none, and scripts may read them):
 *   "amounts in thousands of yen (truncated toward zero; negatives as △)"
 *   "単位：千円（単位未満切捨て、△は負数）"
 */
const char *disp_unit_line(const struct disp *d);

/*
 * A word in d's language.  key is the English word as the tables show it
 * (a column header "AWARD", a kind "award", an account "general", a
 * status "settled", "yes"); the Japanese word when d is Japanese and one
 * is known, else key itself.  Never NULL for a non-NULL key.
 */
const char *disp_word(const struct disp *d, const char *key);

/*
 * Display width of UTF-8 text in terminal columns after Unicode's East
 * Asian Width: Wide and Fullwidth characters take two columns (漢字, かな,
 * full-width digits), combining marks and zero-width characters none,
 * anything else one (Ambiguous characters such as △ count one, as
 * wcwidth() does outside CJK legacy locales).  A byte that does not start
 * a valid character counts one.
 */
size_t	 disp_width(const char *s);

#endif
