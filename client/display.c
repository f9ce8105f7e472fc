/*
 * display.c - language, units and display width of ledgerctl's text for
 * people (display.h).
 *
 * The Japanese words are those of the national accounts and the Subsidy
 * Act (補助金適正化法): 歳出予算額, 交付決定額, 支出済額, 戻入額, 予算現額,
 * 翌年度繰越額, 不用額, 執行率, 額の確定.  They live in one table keyed by the
 * English word the tables print, so that a table is written once, in
 * English, and translated cell by cell at print time; a word missing from
 * the table stays English rather than failing.
 *
 * The width table is the part of Unicode's EastAsianWidth.txt (W and F)
 * and of the general categories Mn/Me/Cf (zero width) that Japanese text
 * and the ledger's symbols use; a terminal draws the rest one column wide.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "display.h"
#include "utf8.h"

int
disp_resolve(struct disp *d, const char *lang, const char *unit,
    const char *lc_all, const char *lc_messages, const char *lang_env,
    char *err, size_t errlen)
{
	const char	*env = NULL;

	*d = DISP_DEFAULT;
	if (lang != NULL) {
		if (strcmp(lang, "ja") == 0)
			d->lang = DISP_JA;
		else if (strcmp(lang, "en") != 0) {
			snprintf(err, errlen, "--lang: '%.40s' is not ja or en",
			    lang);
			return -1;
		}
	} else {
		/* POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG. */
		if (lc_all != NULL && lc_all[0] != '\0')
			env = lc_all;
		else if (lc_messages != NULL && lc_messages[0] != '\0')
			env = lc_messages;
		else if (lang_env != NULL && lang_env[0] != '\0')
			env = lang_env;
		if (env != NULL && strncmp(env, "ja", 2) == 0)
			d->lang = DISP_JA;
	}
	if (unit == NULL || strcmp(unit, "yen") == 0)
		return 0;
	if (strcmp(unit, "thousand") == 0)
		d->unit = DISP_THOUSAND;
	else if (strcmp(unit, "million") == 0)
		d->unit = DISP_MILLION;
	else {
		snprintf(err, errlen, "--unit: '%.40s' is not yen, thousand or "
		    "million", unit);
		return -1;
	}
	return 0;
}

int
disp_from_args(struct disp *d, const struct ctl_args *a, char *err,
    size_t errlen)
{
	return disp_resolve(d, a->lang, a->unit, getenv("LC_ALL"),
	    getenv("LC_MESSAGES"), getenv("LANG"), err, errlen);
}

/* Digits of m grouped by threes after prefix; out holds outsz bytes. */
static void
grouped(const char *prefix, uint64_t m, char *out, size_t outsz)
{
	char	 digits[24], buf[64];
	size_t	 nd, i, o;

	nd = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, m);
	o = (size_t)snprintf(buf, sizeof(buf), "%s", prefix);
	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	snprintf(out, outsz, "%s", buf);
}

void
disp_amount(const struct disp *d, int64_t yen, char *out, size_t outsz)
{
	uint64_t	 m, div;

	/* The magnitude as unsigned: -INT64_MIN does not fit in int64_t. */
	m = yen < 0 ? (uint64_t)0 - (uint64_t)yen : (uint64_t)yen;
	switch (d->unit) {
	case DISP_THOUSAND:
		div = 1000;
		break;
	case DISP_MILLION:
		div = 1000000;
		break;
	default:
		grouped(yen < 0 ? "-" : "", m, out, outsz);
		return;
	}
	/* Truncating the magnitude truncates toward zero (単位未満切捨て). */
	grouped(yen < 0 ? "\xe2\x96\xb3" : "", m / div, out, outsz);
}

void
disp_rate(const struct disp *d, int64_t bp, char *out, size_t outsz)
{
	if (bp < 0)
		snprintf(out, outsz, "%s", d->lang == DISP_JA ? "\xe2\x80\x94" :
		    "-");
	else
		snprintf(out, outsz, "%" PRId64 ".%02" PRId64 "%%", bp / 100,
		    bp % 100);
}

const char *
disp_unit_line(const struct disp *d)
{
	static const char *const lines[][2] = {
		[DISP_YEN] = { NULL, "単位：円" },
		[DISP_THOUSAND] = {
			"amounts in thousands of yen (truncated toward zero; "
			"negatives as \xe2\x96\xb3)",
			"単位：千円（単位未満切捨て、△は負数）" },
		[DISP_MILLION] = {
			"amounts in millions of yen (truncated toward zero; "
			"negatives as \xe2\x96\xb3)",
			"単位：百万円（単位未満切捨て、△は負数）" }
	};
	int	 u = d->unit >= DISP_YEN && d->unit <= DISP_MILLION ? d->unit :
		    DISP_YEN;

	return lines[u][d->lang == DISP_JA];
}

/*
 * English word -> Japanese.  Headers are upper case, values lower case,
 * so one table serves both without clashes ("AWARD" the column, "award"
 * the kind).
 */
static const struct {
	const char	*en;
	const char	*ja;
} words[] = {
	/* column headers */
	{ "SEQ", "番号" }, { "KIND", "種別" }, { "REGION", "地域" },
	{ "NAME", "名称" }, { "CODE", "コード" }, { "FY", "年度" },
	{ "ACCOUNT", "会計" }, { "AMOUNT", "金額" }, { "REF", "整理番号" },
	{ "DATE", "日付" }, { "ACTOR", "記録者" }, { "DETAIL", "摘要" },
	{ "MARK", "状態" }, { "GRANT_TYPE", "区分" }, { "CATEGORY", "分類" },
	{ "APPROPRIATED", "歳出予算額" }, { "AWARDED", "交付決定額" },
	{ "AWARD", "交付決定額" }, { "UNAWARDED", "交付決定残額" },
	{ "DISBURSED", "支出額" }, { "PAID", "支出額" },
	{ "REFUNDED", "戻入額" }, { "NET", "支出済額" },
	{ "UNPAID", "未払額" }, { "REMAINING", "残額" },
	{ "CLOSED", "締め" }, { "CARRIED_IN", "前年度繰越額" },
	{ "BUDGET", "予算現額" }, { "CARRIED_OUT", "翌年度繰越額" },
	{ "UNUSED", "不用額" }, { "RECEIPTS", "収納済額" },
	{ "RATE", "執行率" }, { "DECIDED", "交付決定日" },
	{ "STATUS", "状況" }, { "SETTLED", "確定額" },
	{ "RECEIVABLE", "返還未済額" }, { "MIN", "下限" }, { "MAX", "上限" },
	{ "DEADLINE", "出納整理期限" }, { "INTEREST", "加算金" },
	{ "LATE", "延滞金" }, { "LATE_CHARGE", "延滞金" },
	{ "ORDER", "返還命令" }, { "REPAY_BY", "納期限" },
	{ "PRINCIPAL", "返還額" }, { "PAID_CHARGES", "納付済加算金等" },
	{ "OUTSTANDING", "未納額" },
	/* accounts, grant types, kinds */
	{ "general", "一般会計" }, { "reconstruction", "復興特別会計" },
	{ "continuing", "継続" },
	{ "appropriation", "歳出予算" }, { "award", "交付決定" },
	{ "disbursement", "支出" }, { "refund", "戻入" },
	{ "reversal", "取消記録" }, { "region", "地域登録" },
	{ "year_close", "年度締め" }, { "terms", "交付条件" },
	{ "award_cancel", "交付決定取消" }, { "settlement", "額の確定" },
	{ "receipt", "収納" }, { "carry_over", "繰越" },
	{ "request", "承認申請" }, { "approval", "承認" },
	{ "policy", "承認方針" },
	/* statuses, marks and labels */
	{ "awarded", "交付決定" }, { "settled", "確定" },
	{ "cancelled", "取消" }, { "carried in", "繰越" },
	{ "superseded", "変更済" }, { "reversed", "取消済" },
	{ "yes", "済" }, { "no", "未" }, { "total", "合計" },
	/* two-person approval (決裁): headers, actions, statuses */
	{ "ACTION", "処理" }, { "REQUEST", "申請番号" },
	{ "REQUESTED_BY", "申請者" }, { "REQUESTED_AT", "申請日時" },
	{ "EXPIRES", "期限" }, { "DECIDED_BY", "決裁者" },
	{ "DECIDED_AT", "決裁日時" }, { "APPROVAL", "決裁番号" },
	{ "ENTRY", "記録番号" }, { "REFUSAL", "不成立の理由" },
	{ "REASON", "理由" },
	{ "disburse", "支出" }, { "reverse", "取消" },
	{ "cancel-award", "交付決定取消" }, { "settle", "額の確定" },
	{ "close-year", "年度締め" },
	{ "pending", "承認待ち" }, { "approved", "承認" },
	{ "refused", "不成立" }, { "rejected", "否認" },
	{ "expired", "期限切れ" },
	{ NULL, NULL }
};

const char *
disp_word(const struct disp *d, const char *key)
{
	size_t	 i;

	if (key == NULL || d->lang != DISP_JA)
		return key;
	for (i = 0; words[i].en != NULL; i++)
		if (strcmp(words[i].en, key) == 0)
			return words[i].ja;
	return key;
}

/* Columns of one code point: 0, 1 or 2 (see the file's comment). */
static int
cp_width(uint32_t cp)
{
	static const struct {
		uint32_t	 lo, hi;
	} zero[] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x200b, 0x200f },
		{ 0x202a, 0x202e }, { 0x2060, 0x2064 }, { 0x20d0, 0x20f0 },
		{ 0x302a, 0x302d }, { 0x3099, 0x309a }, { 0xfe00, 0xfe0f },
		{ 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef }
	}, wide[] = {
		{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a },
		{ 0x23e9, 0x23ec }, { 0x23f0, 0x23f0 }, { 0x23f3, 0x23f3 },
		{ 0x25fd, 0x25fe }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
		{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 },
		{ 0x26d4, 0x26d4 }, { 0x26ea, 0x26ea }, { 0x26f2, 0x26f5 },
		{ 0x26fa, 0x26fd }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
		{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x2753, 0x2755 },
		{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27b0, 0x27b0 },
		{ 0x27bf, 0x27bf }, { 0x2b1b, 0x2b1c }, { 0x2b50, 0x2b50 },
		{ 0x2b55, 0x2b55 }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xa960, 0xa97f }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff },
		{ 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
		{ 0xffe0, 0xffe6 }, { 0x16fe0, 0x16fe4 }, { 0x17000, 0x18cff },
		{ 0x1b000, 0x1b2ff }, { 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf },
		{ 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a }, { 0x1f200, 0x1f251 },
		{ 0x1f300, 0x1f64f }, { 0x1f680, 0x1f6ff }, { 0x1f900, 0x1f9ff },
		{ 0x1fa70, 0x1faff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd }
	};
	size_t	 i;

	if (cp == 0)
		return 0;
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (cp >= zero[i].lo && cp <= zero[i].hi)
			return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

size_t
disp_width(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 w = 0, n;
	uint32_t		 cp;

	while (*p != '\0') {
		n = utf8_decode(p, strnlen((const char *)p, 4), &cp);
		if (n == 0) {
			w++;
			p++;
			continue;
		}
		w += (size_t)cp_width(cp);
		p += n;
	}
	return w;
}
