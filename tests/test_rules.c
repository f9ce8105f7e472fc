/*
 * test_rules.c - the contract's ledger rules, decided by rules.c alone.
 *
 * Pure functions: no disk, no network, no clock.  Each test sets the state
 * a writer would have looked up (struct rules_view, field by field, as the
 * store holds it) and checks the decision and its effects: the field limits
 * of every kind, the role table, idempotency, one test per error code, the
 * precedence when a request breaks several rules, and the version 2 grant
 * life (terms, decision dates, cancellation, settlement, repayment orders and
 * receipts, carry-over, the close of a year).  Requests are format 2 unless
 * built with v1(), which gives a format 1 entry of a version 1 ledger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "errors.h"
#include "rules.h"

#define OKU	INT64_C(100000000)	/* 億 */
#define MAN	INT64_C(10000)		/* 万 */

/* Seconds since the epoch, as microseconds (recorded_at). */
#define US(s)		((int64_t)(s) * INT64_C(1000000))
#define T_0430_15Z	US(1398870000)	/* 2014-04-30T15:00:00Z = 05-01 00:00 JST */
#define T_0601		US(1401580800)	/* 2014-06-01T00:00:00Z */

/* The region-year's repayment order (24 KiB: kept off the stack). */
static struct ld_order ord;

/* Disbursements of hakodate 2013, as the store lists them (seq order). */
static const struct rcv_payment pay1000[] = { { 20130601, 1000 } };
static const struct rcv_payment pay3[] = {
	{ 20130601, 6000 }, { 20130901, 4000 }, { 20131201, 5000 } };
static const struct rcv_payment pay2[] = {
	{ 20130601, OKU }, { 20131001, OKU / 2 } };

/* ---- requests ---- */

static struct ld_entry
blank(int kind)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.format = LD_ENTRY_FORMAT;
	e.kind = (uint8_t)kind;
	return e;
}

static struct ld_entry
req_region(const char *code, int grant)
{
	struct ld_entry e = blank(LD_K_REGION);

	snprintf(e.region, sizeof(e.region), "%s", code);
	snprintf(e.name, sizeof(e.name), "函館地域");
	e.grant_type = (uint8_t)grant;
	return e;
}

static struct ld_entry
req_appr(int account, int fy, int64_t amount)
{
	struct ld_entry e = blank(LD_K_APPROPRIATION);

	e.account = (uint8_t)account;
	e.fy = (uint16_t)fy;
	e.amount = amount;
	snprintf(e.ref, sizeof(e.ref), "BUDGET-%d", fy);
	return e;
}

static struct ld_entry
req_award(const char *region, int fy, int64_t amount, uint32_t date)
{
	struct ld_entry e = blank(LD_K_AWARD);

	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = (uint16_t)fy;
	e.amount = amount;
	snprintf(e.ref, sizeof(e.ref), "DEC-1");
	e.date = date;
	return e;
}

static struct ld_entry
req_pay(int kind, const char *region, int fy, int64_t amount, uint32_t date)
{
	struct ld_entry e = blank(kind);

	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = (uint16_t)fy;
	e.amount = amount;
	snprintf(e.ref, sizeof(e.ref), "V-0042");
	e.date = date;
	return e;
}

static struct ld_entry
req_rev(uint64_t seq)
{
	struct ld_entry e = blank(LD_K_REVERSAL);

	e.reverses = seq;
	snprintf(e.reason, sizeof(e.reason), "entered twice");
	return e;
}

static struct ld_entry
req_close(int account, int fy)
{
	struct ld_entry e = blank(LD_K_YEAR_CLOSE);

	e.account = (uint8_t)account;
	e.fy = (uint16_t)fy;
	return e;
}

/* Terms with the default rates (10.95 %); deadline 0 = the default. */
static struct ld_entry
req_terms(int fy, int grant, int64_t min, int64_t max, uint32_t deadline)
{
	struct ld_entry e = blank(LD_K_TERMS);

	e.fy = (uint16_t)fy;
	e.grant_type = (uint8_t)grant;
	e.min = min;
	e.max = max;
	e.deadline = deadline;
	e.interest_bp = e.late_bp = RULES_DEFAULT_RATE_BP;
	snprintf(e.ref, sizeof(e.ref), "TERMS-%d", fy);
	return e;
}

static struct ld_entry
req_cancel(const char *region, int fy, uint32_t date, uint32_t repay_by)
{
	struct ld_entry e = blank(LD_K_AWARD_CANCEL);

	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = (uint16_t)fy;
	e.date = date;
	e.repay_by = repay_by;
	snprintf(e.reason, sizeof(e.reason), "目的外使用");
	snprintf(e.ref, sizeof(e.ref), "CANCEL-1");
	return e;
}

static struct ld_entry
req_settle(const char *region, int fy, int64_t amount, uint32_t date,
    uint32_t repay_by)
{
	struct ld_entry e = blank(LD_K_SETTLEMENT);

	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = (uint16_t)fy;
	e.amount = amount;
	e.date = date;
	e.repay_by = repay_by;
	snprintf(e.ref, sizeof(e.ref), "SETTLE-1");
	return e;
}

static struct ld_entry
req_receipt(const char *region, int fy, int64_t amount, uint32_t date)
{
	struct ld_entry e = blank(LD_K_RECEIPT);

	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = (uint16_t)fy;
	e.amount = amount;
	e.date = date;
	snprintf(e.ref, sizeof(e.ref), "RCPT-1");
	return e;
}

static struct ld_entry
req_carry(const char *region, int fy, int64_t amount, uint32_t date)
{
	struct ld_entry e = blank(LD_K_CARRY_OVER);

	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = (uint16_t)fy;
	e.amount = amount;
	e.carry_kind = LD_C_EXPLICIT;
	e.date = date;
	snprintf(e.ref, sizeof(e.ref), "CARRY-1");
	return e;
}

/* The same request as an entry of a version 1 ledger. */
static struct ld_entry
v1(struct ld_entry e)
{
	e.format = LD_ENTRY_FORMAT_V1;
	if (e.kind == LD_K_AWARD)
		e.date = 0;	/* version 1 awards carry no decision date */
	return e;
}

/* A stored entry: the request plus what the daemon set. */
static struct ld_entry
stored(struct ld_entry e, uint64_t seq, int account)
{
	e.seq = seq;
	if (account != 0)
		e.account = (uint8_t)account;
	snprintf(e.actor, sizeof(e.actor), "clerk01");
	e.recorded_at = T_0601;
	return e;
}

/* ---- views ---- */

/*
 * A known general region "hakodate" in fy 2013 with the given balances;
 * terms in force 1億-2億, deadline 2014-04-30, 10.95 % interest, 14.6 %
 * late charge; the first award (if any) decided on 2013-05-01.  The entry
 * will get seq 100, recorded on 2014-06-01.
 */
static struct rules_view
view_general(int64_t appropriated, int64_t awarded, int64_t award,
    int64_t disbursed, int64_t refunded)
{
	struct rules_view v;

	memset(&v, 0, sizeof(v));
	v.seq = 100;
	v.now = T_0601;
	v.region_known = 1;
	v.region_grant = LD_G_GENERAL;
	v.has_terms = 1;
	v.terms.seq = 5;
	v.terms.min = OKU;
	v.terms.max = 2 * OKU;
	v.terms.deadline = 20140430;
	v.terms.interest_bp = 1095;
	v.terms.late_bp = 1460;
	v.acct.account = LD_A_GENERAL;
	v.acct.fy = 2013;
	v.acct.appropriated = appropriated;
	v.acct.awarded = awarded;
	v.acct.disbursed = disbursed;
	v.acct.refunded = refunded;
	snprintf(v.rbal.region, sizeof(v.rbal.region), "hakodate");
	v.rbal.fy = 2013;
	v.rbal.grant_type = LD_G_GENERAL;
	v.rbal.account = LD_A_GENERAL;
	v.rbal.award = award;
	v.rbal.award_seq = award ? 3 : 0;
	v.rbal.award_date = award ? 20130501 : 0;
	v.rbal.disbursed = disbursed;
	v.rbal.refunded = refunded;
	memset(&ord, 0, sizeof(ord));
	v.order = &ord;
	return v;
}

/* No terms for the scope's (fy, grant type), as the writer leaves it. */
static void
no_terms(struct rules_view *v)
{
	v->has_terms = 0;
	memset(&v->terms, 0, sizeof(v->terms));
}

/*
 * The order on hakodate 2013 as stored: ordered on 2014-03-10, due
 * 2014-03-31, the whole principal received by the grantee on paid.
 */
static void
set_order(struct rules_view *v, int64_t principal, uint32_t paid,
    uint32_t interest_bp, uint32_t late_bp)
{
	memset(&ord, 0, sizeof(ord));
	ord.seq = 40;
	ord.account = LD_A_GENERAL;
	ord.o.principal = principal;
	ord.o.order_date = 20140310;
	ord.o.repay_by = 20140331;
	ord.o.interest_bp = interest_bp;
	ord.o.late_bp = late_bp;
	ord.o.nparts = 1;
	ord.o.parts[0].date = paid;
	ord.o.parts[0].amount = principal;
	v->order = &ord;
	v->has_order = 1;
	v->rbal.has_order = 1;
}

static void
add_receipt(uint64_t seq, uint32_t date, int64_t amount)
{
	ord.receipts[ord.nreceipts].seq = seq;
	ord.receipts[ord.nreceipts].date = date;
	ord.receipts[ord.nreceipts].amount = amount;
	ord.nreceipts++;
}

/*
 * rules_apply; when it refuses, the request must be byte for byte what it
 * was, and the balances too.
 */
static int
apply_unchanged(struct ld_entry *req, struct rules_view *v)
{
	struct ld_entry r0;
	struct ld_acct_bal a0, a20;
	struct ld_region_bal b0, b20;
	int rc;

	memcpy(&r0, req, sizeof(r0));
	memcpy(&a0, &v->acct, sizeof(a0));
	memcpy(&a20, &v->acct2, sizeof(a20));
	memcpy(&b0, &v->rbal, sizeof(b0));
	memcpy(&b20, &v->rbal2, sizeof(b20));
	rc = rules_apply(req, v);
	if (rc != LD_OK) {
		assert_memory_equal(&r0, req, sizeof(r0));
		assert_memory_equal(&a0, &v->acct, sizeof(a0));
		assert_memory_equal(&a20, &v->acct2, sizeof(a20));
		assert_memory_equal(&b0, &v->rbal, sizeof(b0));
		assert_memory_equal(&b20, &v->rbal2, sizeof(b20));
	}
	return rc;
}

#define VALID(x)	assert_int_equal(rules_validate(&(x)), LD_OK)
#define INVALID(x)	assert_int_equal(rules_validate(&(x)), LD_E_BAD_REQUEST)
/* base with one change is BAD_REQUEST. */
#define REFUSED_WITH(base, change) do {					\
	struct ld_entry e_ = (base);					\
	change;								\
	INVALID(e_);							\
} while (0)

/* ---- time helpers ---- */

static void
test_time_helpers(void **state)
{
	(void)state;
	assert_int_equal(rules_default_deadline(2013), 20140430);
	assert_int_equal(rules_default_deadline(LD_FY_MIN), 19010430);
	assert_int_equal(rules_default_deadline(LD_FY_MAX), 100000430);

	assert_int_equal(rules_fy_of(20130401), 2013);
	assert_int_equal(rules_fy_of(20131231), 2013);
	assert_int_equal(rules_fy_of(20140101), 2013);
	assert_int_equal(rules_fy_of(20140331), 2013);
	assert_int_equal(rules_fy_of(20140401), 2014);
	assert_int_equal(rules_fy_of(20200229), 2019);

	/* Japan is UTC+9: a day starts at 15:00 UTC the day before */
	assert_int_equal(rules_jst_date(0), 19700101);
	assert_int_equal(rules_jst_date(US(15 * 3600) - 1), 19700101);
	assert_int_equal(rules_jst_date(US(15 * 3600)), 19700102);
	assert_int_equal(rules_jst_date(T_0430_15Z - 1), 20140430);
	assert_int_equal(rules_jst_date(T_0430_15Z), 20140501);
	assert_int_equal(rules_jst_date(T_0601), 20140601);
	/* leap days */
	assert_int_equal(rules_jst_date(US(1456671600)), 20160229);
	assert_int_equal(rules_jst_date(US(951750000)), 20000229);
	assert_int_equal(rules_jst_date(US(4107510000)), 21000301);
	/* before the epoch, where the day in Japan is before it too */
	assert_int_equal(rules_jst_date(US(-9 * 3600)), 19700101);
	assert_int_equal(rules_jst_date(US(-9 * 3600 - 1)), 19691231);
	assert_int_equal(rules_jst_date(US(-100000)), 19691231);
}

static void
test_jst_date_before_epoch_subsecond(void **state)
{
	(void)state;
	/*
	 * Before the epoch both divisions must round down: -1 us is already
	 * 1970-01-01 in Japan, 1969-12-31T14:59:59.999999Z is not yet.  No
	 * real recorded_at is that old; a crafted ledger must still replay
	 * deterministically.
	 */
	assert_int_equal(rules_jst_date(-1), 19700101);
	assert_int_equal(rules_jst_date(US(-3600)), 19700101);
	assert_int_equal(rules_jst_date(US(-9 * 3600) + 1), 19700101);
	assert_int_equal(rules_jst_date(US(-9 * 3600) - 1), 19691231);
	assert_int_equal(rules_jst_date(US(-86400 - 9 * 3600) - 1), 19691230);
}

/* ---- rules_validate ---- */

static void
test_validate_accepts_every_kind(void **state)
{
	struct ld_entry e;

	(void)state;
	e = req_region("hakodate", LD_G_CONTINUING);
	VALID(e);
	snprintf(e.category, sizeof(e.category), "国際競争力強化地域");
	VALID(e);
	e = req_appr(LD_A_RECONSTRUCTION, 2013, 15 * OKU);
	VALID(e);
	e = req_award("hakodate", 2013, OKU, 20130501);
	snprintf(e.id, sizeof(e.id), "award-2013-hakodate");
	VALID(e);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	VALID(e);
	snprintf(e.memo, sizeof(e.memo), "概算払");
	VALID(e);
	e = req_pay(LD_K_REFUND, "hakodate", 2013, LD_AMOUNT_MAX, 20140430);
	VALID(e);
	e = req_rev(7);
	VALID(e);
	e = req_close(LD_A_GENERAL, 2013);
	VALID(e);
	e = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0);
	VALID(e);
	e = req_cancel("hakodate", 2013, 20140310, 20140331);
	VALID(e);
	e = req_settle("hakodate", 2013, OKU, 20140515, 0);
	VALID(e);
	e = req_receipt("hakodate", 2013, 1000, 20140320);
	VALID(e);
	e = req_carry("hakodate", 2013, 1000, 20140310);
	VALID(e);
	/* format 0 in a request means the current format */
	e = req_award("hakodate", 2013, OKU, 20130501);
	e.format = 0;
	VALID(e);
	/* seq, actor, recorded_at and format are the daemon's: not looked at */
	e = req_close(LD_A_GENERAL, 2013);
	e.seq = 99;
	e.recorded_at = 12345;
	snprintf(e.actor, sizeof(e.actor), "admin01");
	VALID(e);
}

static void
test_validate_refuses_bad_fields(void **state)
{
	struct ld_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	INVALID(e);	/* kind 0 */
	e.kind = LD_K_MAX + 1;
	INVALID(e);

	e = req_appr(LD_A_GENERAL, 2013, 0);
	INVALID(e);
	e.amount = -5;
	INVALID(e);
	e.amount = LD_AMOUNT_MAX + 1;
	INVALID(e);
	e = req_appr(LD_A_GENERAL, LD_FY_MIN - 1, 1);
	INVALID(e);
	e = req_appr(LD_A_GENERAL, LD_FY_MAX + 1, 1);
	INVALID(e);
	e = req_appr(0, 2013, 1);
	INVALID(e);
	e = req_appr(LD_A_MAX + 1, 2013, 1);
	INVALID(e);
	e = req_appr(LD_A_GENERAL, 2013, 1);
	e.ref[0] = '\0';
	INVALID(e);
	memset(e.ref, 'x', LD_REF_MAX);	/* 64: the limit */
	VALID(e);
	e.ref[3] = '\t';
	INVALID(e);
	/* a string that fills its array without a NUL */
	e = req_appr(LD_A_GENERAL, 2013, 1);
	memset(e.ref, 'x', sizeof(e.ref));
	INVALID(e);

	e = req_region("Hakodate", LD_G_GENERAL);
	INVALID(e);
	e = req_region("hakodate", 0);
	INVALID(e);
	e = req_region("hakodate", LD_G_MAX + 1);
	INVALID(e);
	e = req_region("hakodate", LD_G_GENERAL);
	e.name[0] = '\0';
	INVALID(e);
	e = req_region("hakodate", LD_G_GENERAL);
	snprintf(e.category, sizeof(e.category), "a\nb");
	INVALID(e);

	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130230);
	INVALID(e);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 0);
	INVALID(e);
	e = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	snprintf(e.memo, sizeof(e.memo), "\xff\xfe");
	INVALID(e);
	e = req_pay(LD_K_REFUND, "", 2013, 1, 20130630);
	INVALID(e);

	e = req_rev(0);
	INVALID(e);
	e = req_rev(3);
	e.reason[0] = '\0';
	INVALID(e);

	e = req_award("hakodate", 2013, OKU, 20130501);
	snprintf(e.id, sizeof(e.id), "id\x01");
	INVALID(e);
	e = req_award("hakodate", 2013, OKU, 20130532);
	INVALID(e);
}

static void
test_validate_refuses_foreign_and_derived_fields(void **state)
{
	struct ld_entry d = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1,
	    20130630);
	struct ld_entry cl = req_close(LD_A_GENERAL, 2013);

	(void)state;
	/* derived from the region, or the daemon's to compute */
	REFUSED_WITH(req_award("hakodate", 2013, OKU, 20130501),
	    e_.account = LD_A_GENERAL);
	REFUSED_WITH(d, e_.account = LD_A_GENERAL);
	REFUSED_WITH(req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0),
	    e_.account = LD_A_GENERAL);
	REFUSED_WITH(req_cancel("hakodate", 2013, 20140310, 0),
	    e_.account = LD_A_GENERAL);
	REFUSED_WITH(req_cancel("hakodate", 2013, 20140310, 0),
	    e_.amount = OKU);		/* the cancelled award */
	REFUSED_WITH(req_cancel("hakodate", 2013, 20140310, 20140331),
	    e_.principal = 1);		/* the ordered principal */
	REFUSED_WITH(req_settle("hakodate", 2013, OKU, 20140515, 20140630),
	    e_.principal = 1);		/* the ordered excess */
	REFUSED_WITH(req_receipt("hakodate", 2013, 1000, 20140320),
	    e_.principal = 1000);	/* the receipt's split */
	REFUSED_WITH(req_receipt("hakodate", 2013, 1000, 20140320),
	    e_.interest = 1);
	REFUSED_WITH(req_receipt("hakodate", 2013, 1000, 20140320),
	    e_.late = 1);
	REFUSED_WITH(req_receipt("hakodate", 2013, 1000, 20140320),
	    e_.account = LD_A_GENERAL);
	REFUSED_WITH(req_carry("hakodate", 2013, 1000, 20140310),
	    e_.account = LD_A_GENERAL);
	REFUSED_WITH(req_rev(3), e_.target_kind = LD_K_DISBURSEMENT);
	REFUSED_WITH(req_rev(3), e_.amount = 1);
	REFUSED_WITH(req_rev(3), e_.fy = 2013);
	/* year_close totals, version 1 and version 2 */
	REFUSED_WITH(cl, e_.appropriated = 1);
	REFUSED_WITH(cl, e_.awarded = 1);
	REFUSED_WITH(cl, e_.disbursed = 1);
	REFUSED_WITH(cl, e_.refunded = 1);
	REFUSED_WITH(cl, e_.net = 1);
	REFUSED_WITH(cl, e_.carried_in = 1);
	REFUSED_WITH(cl, e_.budget = 1);
	REFUSED_WITH(cl, e_.carried_out = 1);
	REFUSED_WITH(cl, e_.unused = 1);
	REFUSED_WITH(cl, e_.receipts = 1);
	REFUSED_WITH(cl, e_.execution_rate_bp = -1);
	REFUSED_WITH(cl, e_.grant_type = LD_G_GENERAL);
	/* fields the kind does not take */
	REFUSED_WITH(d, e_.reverses = 3);
	REFUSED_WITH(d, e_.repay_by = 20140331);
	REFUSED_WITH(d, e_.carry_kind = LD_C_EXPLICIT);
	REFUSED_WITH(d, e_.deadline = 20140430);
	REFUSED_WITH(d, e_.min = 1);
	REFUSED_WITH(req_appr(LD_A_GENERAL, 2013, 1),
	    snprintf(e_.region, sizeof(e_.region), "hakodate"));
	REFUSED_WITH(req_appr(LD_A_GENERAL, 2013, 1), e_.date = 20130630);
	REFUSED_WITH(req_region("hakodate", LD_G_GENERAL), e_.amount = 5);
	REFUSED_WITH(req_award("hakodate", 2013, OKU, 20130501),
	    snprintf(e_.memo, sizeof(e_.memo), "memo"));
	REFUSED_WITH(req_award("hakodate", 2013, OKU, 20130501),
	    e_.repay_by = 20140331);
	REFUSED_WITH(req_close(LD_A_GENERAL, 2013), e_.interest_bp = 1);
}

static void
test_validate_new_kinds(void **state)
{
	struct ld_entry tm = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0);
	struct ld_entry ca = req_cancel("hakodate", 2013, 20140310, 0);
	struct ld_entry se = req_settle("hakodate", 2013, OKU, 20140515, 0);
	struct ld_entry rc = req_receipt("hakodate", 2013, 1000, 20140320);
	struct ld_entry co = req_carry("hakodate", 2013, 1000, 20140310);
	struct ld_entry e;

	(void)state;
	/* terms: fy, grant type, the terms and a ref */
	VALID(tm);
	REFUSED_WITH(tm, e_.fy = 0);
	REFUSED_WITH(tm, e_.grant_type = 0);
	REFUSED_WITH(tm, e_.ref[0] = '\0');
	REFUSED_WITH(tm, snprintf(e_.region, sizeof(e_.region), "hakodate"));
	REFUSED_WITH(tm, e_.amount = 1);
	REFUSED_WITH(tm, e_.date = 20130601);
	REFUSED_WITH(tm, e_.repay_by = 20140331);
	REFUSED_WITH(tm, e_.carry_kind = LD_C_EXPLICIT);
	REFUSED_WITH(tm, snprintf(e_.memo, sizeof(e_.memo), "m"));
	REFUSED_WITH(tm, snprintf(e_.reason, sizeof(e_.reason), "r"));

	/* award_cancel: region, fy, date, reason, ref, optional repay_by */
	VALID(ca);
	e = ca;
	e.repay_by = 20140331;
	VALID(e);
	REFUSED_WITH(ca, e_.region[0] = '\0');
	REFUSED_WITH(ca, e_.fy = 0);
	REFUSED_WITH(ca, e_.date = 0);
	REFUSED_WITH(ca, e_.reason[0] = '\0');
	REFUSED_WITH(ca, e_.ref[0] = '\0');
	REFUSED_WITH(ca, snprintf(e_.memo, sizeof(e_.memo), "m"));
	REFUSED_WITH(ca, e_.carry_kind = LD_C_ACCIDENT);
	REFUSED_WITH(ca, e_.min = OKU);

	/* settlement: region, fy, amount, date, ref, optional repay_by */
	VALID(se);
	e = se;
	e.repay_by = 20140630;
	VALID(e);
	REFUSED_WITH(se, e_.amount = 0);
	REFUSED_WITH(se, e_.amount = LD_AMOUNT_MAX + 1);
	REFUSED_WITH(se, e_.date = 0);
	REFUSED_WITH(se, e_.ref[0] = '\0');
	REFUSED_WITH(se, snprintf(e_.reason, sizeof(e_.reason), "r"));
	REFUSED_WITH(se, snprintf(e_.memo, sizeof(e_.memo), "m"));
	REFUSED_WITH(se, e_.interest_bp = 1095);
	REFUSED_WITH(se, e_.carry_kind = LD_C_EXPLICIT);

	/* receipt: region, fy, amount, date, ref */
	VALID(rc);
	REFUSED_WITH(rc, e_.amount = 0);
	REFUSED_WITH(rc, e_.date = 0);
	REFUSED_WITH(rc, e_.region[0] = '\0');
	REFUSED_WITH(rc, e_.ref[0] = '\0');
	REFUSED_WITH(rc, e_.repay_by = 20140331);
	REFUSED_WITH(rc, snprintf(e_.memo, sizeof(e_.memo), "m"));
	REFUSED_WITH(rc, snprintf(e_.reason, sizeof(e_.reason), "r"));
	REFUSED_WITH(rc, e_.carry_kind = LD_C_EXPLICIT);

	/* carry_over: region, fy, amount, carry kind, date, ref */
	VALID(co);
	e = co;
	e.carry_kind = LD_C_ACCIDENT;
	VALID(e);
	REFUSED_WITH(co, e_.carry_kind = 0);
	REFUSED_WITH(co, e_.carry_kind = LD_C_MAX + 1);
	REFUSED_WITH(co, e_.amount = 0);
	REFUSED_WITH(co, e_.date = 0);
	REFUSED_WITH(co, e_.ref[0] = '\0');
	REFUSED_WITH(co, e_.repay_by = 20140331);
	REFUSED_WITH(co, snprintf(e_.memo, sizeof(e_.memo), "m"));
	REFUSED_WITH(co, snprintf(e_.reason, sizeof(e_.reason), "r"));

	/* none of them exists in a version 1 ledger */
	REFUSED_WITH(tm, e_.format = LD_ENTRY_FORMAT_V1);
	REFUSED_WITH(ca, e_.format = LD_ENTRY_FORMAT_V1);
	REFUSED_WITH(se, e_.format = LD_ENTRY_FORMAT_V1);
	REFUSED_WITH(rc, e_.format = LD_ENTRY_FORMAT_V1);
	REFUSED_WITH(co, e_.format = LD_ENTRY_FORMAT_V1);
}

static void
test_validate_terms(void **state)
{
	struct ld_entry e;

	(void)state;
	/* general and reconstruction need a range; continuing may have none */
	e = req_terms(2013, LD_G_GENERAL, 0, 0, 0);
	INVALID(e);
	e = req_terms(2013, LD_G_RECONSTRUCTION, 0, 0, 0);
	INVALID(e);
	e = req_terms(2013, LD_G_CONTINUING, 0, 0, 0);
	VALID(e);
	e = req_terms(2013, LD_G_CONTINUING, 1, 5 * OKU, 0);
	VALID(e);
	/* both bounds or neither */
	e = req_terms(2013, LD_G_GENERAL, OKU, 0, 0);
	INVALID(e);
	e = req_terms(2013, LD_G_GENERAL, 0, 2 * OKU, 0);
	INVALID(e);
	e = req_terms(2013, LD_G_CONTINUING, OKU, 0, 0);
	INVALID(e);
	e = req_terms(2013, LD_G_CONTINUING, 0, OKU, 0);
	INVALID(e);
	/* amounts: min <= max, each 1..10^13 */
	e = req_terms(2013, LD_G_GENERAL, 2 * OKU, OKU, 0);
	INVALID(e);
	e = req_terms(2013, LD_G_GENERAL, OKU, OKU, 0);
	VALID(e);
	e = req_terms(2013, LD_G_GENERAL, 1, LD_AMOUNT_MAX, 0);
	VALID(e);
	e = req_terms(2013, LD_G_GENERAL, OKU, LD_AMOUNT_MAX + 1, 0);
	INVALID(e);
	e = req_terms(2013, LD_G_GENERAL, -1, OKU, 0);
	INVALID(e);
	/* the deadline: 0 (the default) or in [(fy+1)-04-01, (fy+1)-05-31] */
	e = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140401);
	VALID(e);
	e.deadline = 20140531;
	VALID(e);
	e.deadline = 20140331;
	INVALID(e);
	e.deadline = 20140601;
	INVALID(e);
	e.deadline = 20130430;	/* fy's own April */
	INVALID(e);
	e.deadline = 20140431;	/* no such day */
	INVALID(e);
	e.deadline = 0;
	VALID(e);
	/* rates at most 100 % */
	e.interest_bp = LD_RATE_MAX;
	e.late_bp = LD_RATE_MAX;
	VALID(e);
	e.interest_bp = LD_RATE_MAX + 1;
	INVALID(e);
	e.interest_bp = 0;
	VALID(e);
	e.late_bp = LD_RATE_MAX + 1;
	INVALID(e);
}

static void
test_validate_dates_of_new_kinds(void **state)
{
	struct ld_entry e;

	(void)state;
	/* a due date before the order's own date */
	e = req_cancel("hakodate", 2013, 20140310, 20140309);
	INVALID(e);
	e.repay_by = 20140310;
	VALID(e);
	e.repay_by = 20140230;
	INVALID(e);
	e = req_settle("hakodate", 2013, OKU, 20140515, 20140514);
	INVALID(e);
	e.repay_by = 20140515;
	VALID(e);
	e = req_receipt("hakodate", 2013, 1, 20140230);
	INVALID(e);
	e = req_carry("hakodate", 2013, 1, 20141301);
	INVALID(e);
}

static void
test_validate_award_date_by_format(void **state)
{
	struct ld_entry e;

	(void)state;
	/* version 2: the decision date is required */
	e = req_award("hakodate", 2013, OKU, 0);
	INVALID(e);
	e.format = 0;
	INVALID(e);
	/* version 1: awards had no date, and may not have one */
	e = v1(req_award("hakodate", 2013, OKU, 20130501));
	VALID(e);
	e.date = 20130501;
	INVALID(e);
	/* version 1 payments still carry their value date */
	e = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630));
	VALID(e);
	e.date = 0;
	INVALID(e);
}

static void
test_normalize(void **state)
{
	struct ld_entry e, before;

	(void)state;
	e = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0);
	rules_normalize(&e);
	assert_int_equal(e.deadline, 20140430);
	VALID(e);
	e = req_terms(2020, LD_G_CONTINUING, 0, 0, 0);
	rules_normalize(&e);
	assert_int_equal(e.deadline, 20210430);
	e = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140515);
	rules_normalize(&e);
	assert_int_equal(e.deadline, 20140515);
	/* nothing else is touched */
	e = req_settle("hakodate", 2013, OKU, 20140515, 0);
	memcpy(&before, &e, sizeof(e));
	rules_normalize(&e);
	assert_memory_equal(&before, &e, sizeof(e));
	e = req_cancel("hakodate", 2013, 20140310, 0);
	memcpy(&before, &e, sizeof(e));
	rules_normalize(&e);
	assert_memory_equal(&before, &e, sizeof(e));
}

/* ---- rules_authorize ---- */

static void
test_authorize_roles(void **state)
{
	struct ld_entry reg = req_region("hakodate", LD_G_GENERAL);
	struct ld_entry appr = req_appr(LD_A_GENERAL, 2013, OKU);
	struct ld_entry aw = req_award("hakodate", 2013, OKU, 20130501);
	struct ld_entry cl = req_close(LD_A_GENERAL, 2013);
	struct ld_entry tm = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0);
	struct ld_entry ca = req_cancel("hakodate", 2013, 20140310, 0);
	struct ld_entry se = req_settle("hakodate", 2013, OKU, 20140515, 0);
	struct ld_entry co = req_carry("hakodate", 2013, 1, 20140310);
	struct ld_entry d = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	struct ld_entry rf = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	struct ld_entry rc = req_receipt("hakodate", 2013, 1, 20140320);
	struct ld_entry rv = req_rev(3);
	const struct ld_entry *admin_only[] = { &reg, &appr, &aw, &cl, &tm,
	    &ca, &se, &co };
	const struct ld_entry *clerk_only[] = { &d, &rf, &rc };
	const int readers[] = { ROLE_AUDITOR, ROLE_RECONCILER, ROLE_NONE,
	    ROLE_AUDITOR | ROLE_RECONCILER };
	const int unreversible[] = { 0, LD_K_REGION, LD_K_AWARD,
	    LD_K_REVERSAL, LD_K_YEAR_CLOSE, LD_K_TERMS, LD_K_AWARD_CANCEL,
	    LD_K_SETTLEMENT, LD_K_CARRY_OVER };
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(admin_only) / sizeof(admin_only[0]); i++) {
		assert_int_equal(rules_authorize(ROLE_ADMIN, admin_only[i], 0), LD_OK);
		assert_int_equal(rules_authorize(ROLE_CLERK, admin_only[i], 0),
		    LD_E_FORBIDDEN);
	}
	for (i = 0; i < sizeof(clerk_only) / sizeof(clerk_only[0]); i++) {
		assert_int_equal(rules_authorize(ROLE_CLERK, clerk_only[i], 0), LD_OK);
		assert_int_equal(rules_authorize(ROLE_ADMIN, clerk_only[i], 0),
		    LD_E_FORBIDDEN);
	}
	/* reversal: by the target's kind */
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, LD_K_APPROPRIATION), LD_OK);
	assert_int_equal(rules_authorize(ROLE_CLERK, &rv, LD_K_APPROPRIATION),
	    LD_E_FORBIDDEN);
	assert_int_equal(rules_authorize(ROLE_CLERK, &rv, LD_K_DISBURSEMENT), LD_OK);
	assert_int_equal(rules_authorize(ROLE_CLERK, &rv, LD_K_REFUND), LD_OK);
	assert_int_equal(rules_authorize(ROLE_CLERK, &rv, LD_K_RECEIPT), LD_OK);
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, LD_K_DISBURSEMENT),
	    LD_E_FORBIDDEN);
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, LD_K_REFUND),
	    LD_E_FORBIDDEN);
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, LD_K_RECEIPT),
	    LD_E_FORBIDDEN);
	/* missing or non-reversible target: writers go on to learn why */
	for (i = 0; i < sizeof(unreversible) / sizeof(unreversible[0]); i++) {
		assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, unreversible[i]),
		    LD_OK);
		assert_int_equal(rules_authorize(ROLE_CLERK, &rv, unreversible[i]),
		    LD_OK);
	}
	/* readers write nothing, whatever the target */
	for (k = 0; k < 4; k++) {
		for (i = 0; i < sizeof(admin_only) / sizeof(admin_only[0]); i++)
			assert_int_equal(rules_authorize(readers[k], admin_only[i], 0),
			    LD_E_FORBIDDEN);
		for (i = 0; i < sizeof(clerk_only) / sizeof(clerk_only[0]); i++)
			assert_int_equal(rules_authorize(readers[k], clerk_only[i], 0),
			    LD_E_FORBIDDEN);
		for (i = 0; i <= LD_K_MAX; i++)
			assert_int_equal(rules_authorize(readers[k], &rv, (int)i),
			    LD_E_FORBIDDEN);
	}
}

/*
 * The officers of 2.7: budget, obligating, disbursing and revenue each
 * write their own kinds and reversals; several roles add up; the version
 * 1 roles keep covering theirs.
 */
static void
test_authorize_duties(void **state)
{
	struct ld_entry reg = req_region("hakodate", LD_G_GENERAL);
	struct ld_entry appr = req_appr(LD_A_GENERAL, 2013, OKU);
	struct ld_entry aw = req_award("hakodate", 2013, OKU, 20130501);
	struct ld_entry cl = req_close(LD_A_GENERAL, 2013);
	struct ld_entry tm = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0);
	struct ld_entry ca = req_cancel("hakodate", 2013, 20140310, 0);
	struct ld_entry se = req_settle("hakodate", 2013, OKU, 20140515, 0);
	struct ld_entry co = req_carry("hakodate", 2013, 1, 20140310);
	struct ld_entry d = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	struct ld_entry rf = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	struct ld_entry rc = req_receipt("hakodate", 2013, 1, 20140320);
	struct ld_entry rv = req_rev(3);
	const struct {
		const struct ld_entry	*req;
		int			 target, owner;
	} w[] = {
		{ &reg, 0, ROLE_BUDGET }, { &appr, 0, ROLE_BUDGET },
		{ &cl, 0, ROLE_BUDGET }, { &tm, 0, ROLE_BUDGET },
		{ &aw, 0, ROLE_OBLIGATING }, { &ca, 0, ROLE_OBLIGATING },
		{ &se, 0, ROLE_OBLIGATING }, { &co, 0, ROLE_OBLIGATING },
		{ &d, 0, ROLE_DISBURSING }, { &rf, 0, ROLE_DISBURSING },
		{ &rc, 0, ROLE_REVENUE },
		{ &rv, LD_K_APPROPRIATION, ROLE_BUDGET },
		{ &rv, LD_K_DISBURSEMENT, ROLE_DISBURSING },
		{ &rv, LD_K_REFUND, ROLE_DISBURSING },
		{ &rv, LD_K_RECEIPT, ROLE_REVENUE },
	};
	const int officers[] = { ROLE_BUDGET, ROLE_OBLIGATING, ROLE_DISBURSING,
	    ROLE_REVENUE };
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		for (k = 0; k < 4; k++)
			assert_int_equal(rules_authorize(officers[k], w[i].req,
			    w[i].target), officers[k] == w[i].owner ? LD_OK :
			    LD_E_FORBIDDEN);
		/* roles add up; v1's cover their officers' kinds */
		assert_int_equal(rules_authorize(w[i].owner | ROLE_AUDITOR,
		    w[i].req, w[i].target), LD_OK);
		assert_int_equal(rules_authorize((w[i].owner & (ROLE_BUDGET |
		    ROLE_OBLIGATING)) ? ROLE_ADMIN : ROLE_CLERK, w[i].req,
		    w[i].target), LD_OK);
	}
}

/* ---- two-person approval ---- */

static struct ld_entry
req_policy(uint16_t require, int64_t over, uint16_t days)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.format = LD_ENTRY_FORMAT;
	e.kind = LD_K_POLICY;
	e.require = require;
	e.disburse_over = over;
	e.expire_days = days;
	snprintf(e.ref, sizeof(e.ref), "POL-1");
	return e;
}

static struct ld_entry
req_decide(uint64_t request, int decision, const char *reason)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.format = LD_ENTRY_FORMAT;
	e.kind = LD_K_APPROVAL;
	e.request = request;
	e.decision = (uint8_t)decision;
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	return e;
}

static void
test_validate_approvals(void **state)
{
	struct ld_entry e;

	(void)state;
	e = req_policy(LD_REQUIRABLE, 0, 1);
	VALID(e);
	e = req_policy(0, LD_AMOUNT_MAX, LD_EXPIRE_DAYS_MAX);
	VALID(e);
	e = req_policy(LD_KIND_BIT(LD_K_DISBURSEMENT), 0, 14);
	INVALID(e);	/* disbursements go by amount */
	e = req_policy(LD_KIND_BIT(LD_K_AWARD), 0, 14);
	INVALID(e);	/* not an approvable action */
	e = req_policy(0, -1, 14);
	INVALID(e);
	e = req_policy(0, 0, 0);
	INVALID(e);
	e = req_policy(0, 0, LD_EXPIRE_DAYS_MAX + 1);
	INVALID(e);
	e = req_policy(0, 0, 14);
	e.ref[0] = '\0';
	INVALID(e);
	e.format = LD_ENTRY_FORMAT_V3;	/* no policy before format 4 */
	snprintf(e.ref, sizeof(e.ref), "P");
	INVALID(e);

	e = req_decide(7, LD_D_APPROVED, "");
	VALID(e);
	e = req_decide(7, LD_D_REJECTED, "予算超過");
	VALID(e);
	e = req_decide(7, LD_D_REJECTED, "");
	INVALID(e);	/* reject needs a reason */
	e = req_decide(7, LD_D_APPROVED, "fine");
	INVALID(e);
	e = req_decide(7, LD_D_REFUSED, "");
	INVALID(e);	/* refused is the daemon's verdict, not a request */
	e = req_decide(0, LD_D_APPROVED, "");
	INVALID(e);
	/* a request entry is never asked for; nor are its fields */
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	e.kind = LD_K_REQUEST;
	INVALID(e);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	e.approved_by = 5;
	INVALID(e);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	e.expires_at = 5;
	INVALID(e);
}

static void
test_needs_approval(void **state)
{
	struct ld_policy p = { 1, LD_KIND_BIT(LD_K_REVERSAL) |
	    LD_KIND_BIT(LD_K_YEAR_CLOSE), 1000, 14 };
	struct ld_policy none = { 0, 0, 0, 14 };
	struct ld_entry d = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1000,
	    20130630);
	struct ld_entry rv = req_rev(3), cl = req_close(LD_A_GENERAL, 2013);
	struct ld_entry aw = req_award("hakodate", 2013, OKU, 20130501);

	(void)state;
	assert_false(rules_needs_approval(&p, &d));	/* at the threshold */
	d.amount = 1001;
	assert_true(rules_needs_approval(&p, &d));	/* strictly above */
	assert_false(rules_needs_approval(&none, &d));	/* 0 = off */
	assert_true(rules_needs_approval(&p, &rv));
	assert_true(rules_needs_approval(&p, &cl));
	assert_false(rules_needs_approval(&p, &aw));
	/* an approved action is not sent back for approval */
	rv.approved_by = 9;
	assert_false(rules_needs_approval(&p, &rv));
	/* nor is an entry of a format without approvals (replay) */
	cl.format = LD_ENTRY_FORMAT_V3;
	assert_false(rules_needs_approval(&p, &cl));
}

static void
test_decide_approval(void **state)
{
	struct ld_policy p = { 1, 0, 1000, 14 };
	struct ld_entry d = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 5000,
	    20130630), r, a;
	struct ld_entry ok = req_decide(20, LD_D_APPROVED, "");
	struct ld_entry no = req_decide(20, LD_D_REJECTED, "wrong");
	struct ld_reqstate rs = { LD_REQ_PENDING, LD_K_DISBURSEMENT, 2013, 0, 0 };
	int64_t t0 = INT64_C(1400000000000000);

	(void)state;
	d.seq = 20;
	rules_request_entry(&d, &p, t0, &r);
	snprintf(r.actor, sizeof(r.actor), "clerk01");
	assert_int_equal(r.kind, LD_K_REQUEST);
	assert_int_equal(r.action, LD_K_DISBURSEMENT);
	assert_true(r.expires_at == t0 + INT64_C(14) * 86400 * 1000000);
	assert_true(r.recorded_at == t0);
	assert_int_equal(entry_valid(&r), 0);	/* the decoder would take it */
	rules_action_of(&r, &a);
	assert_true(rules_same_request(&a, &d));
	rs.expires_at = r.expires_at;

	/* 2.10's order: NOT_FOUND, NOT_PENDING, FORBIDDEN, SELF_APPROVAL */
	assert_int_equal(rules_decide_approval(&ok, NULL, NULL, ROLE_CLERK,
	    "clerk02", 0, t0), LD_E_NOT_FOUND);
	rs.status = LD_REQ_APPROVED;
	assert_int_equal(rules_decide_approval(&ok, &r, &rs, ROLE_AUDITOR,
	    "clerk01", 0, t0), LD_E_NOT_PENDING);
	rs.status = LD_REQ_PENDING;
	assert_int_equal(rules_decide_approval(&ok, &r, &rs, ROLE_CLERK,
	    "clerk02", 0, r.expires_at + 1), LD_E_NOT_PENDING);
	assert_int_equal(rules_decide_approval(&ok, &r, &rs, ROLE_CLERK,
	    "clerk02", 0, r.expires_at), LD_OK);	/* the last moment */
	assert_int_equal(rules_decide_approval(&ok, &r, &rs, ROLE_REVENUE,
	    "clerk01", 0, t0), LD_E_FORBIDDEN);
	assert_int_equal(rules_decide_approval(&ok, &r, &rs, ROLE_DISBURSING,
	    "clerk01", 0, t0), LD_E_SELF_APPROVAL);
	assert_int_equal(rules_decide_approval(&ok, &r, &rs, ROLE_DISBURSING,
	    "disb02", 0, t0), LD_OK);
	/* the author may withdraw; another needs the action's roles */
	assert_int_equal(rules_decide_approval(&no, &r, &rs, ROLE_AUDITOR,
	    "clerk01", 0, t0), LD_OK);
	assert_int_equal(rules_decide_approval(&no, &r, &rs, ROLE_BUDGET,
	    "budget01", 0, t0), LD_E_FORBIDDEN);
	assert_int_equal(rules_decide_approval(&no, &r, &rs, ROLE_CLERK,
	    "clerk02", 0, t0), LD_OK);
	/* a seq that is no request */
	assert_int_equal(rules_decide_approval(&ok, &d, &rs, ROLE_CLERK,
	    "clerk02", 0, t0), LD_E_NOT_FOUND);
}

/* ---- rules_same_request ---- */

static void
test_same_request(void **state)
{
	struct ld_entry a, b;

	(void)state;
	a = stored(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 5, 20130630), 9,
	    LD_A_GENERAL);
	b = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 5, 20130630);
	snprintf(b.actor, sizeof(b.actor), "clerk02");	/* actor does not count */
	assert_true(rules_same_request(&a, &b));
	b.amount = 6;
	assert_false(rules_same_request(&a, &b));
	b.amount = 5;
	snprintf(b.memo, sizeof(b.memo), "x");
	assert_false(rules_same_request(&a, &b));
	b.memo[0] = '\0';
	b.date = 20130701;
	assert_false(rules_same_request(&a, &b));
	b.date = 20130630;
	b.kind = LD_K_REFUND;
	assert_false(rules_same_request(&a, &b));

	a = stored(req_award("hakodate", 2013, OKU, 20130501), 4, LD_A_GENERAL);
	b = req_award("hakodate", 2013, OKU, 20130501);
	assert_true(rules_same_request(&a, &b));
	snprintf(b.ref, sizeof(b.ref), "DEC-2");
	assert_false(rules_same_request(&a, &b));
	b = req_award("hakodate", 2013, OKU, 20130502);
	assert_false(rules_same_request(&a, &b));

	a = stored(req_rev(3), 10, 0);
	a.target_kind = LD_K_DISBURSEMENT;
	snprintf(a.region, sizeof(a.region), "hakodate");
	a.fy = 2013;
	a.amount = 5;
	b = req_rev(3);
	assert_true(rules_same_request(&a, &b));
	b.reverses = 4;
	assert_false(rules_same_request(&a, &b));

	a = stored(req_region("hakodate", LD_G_CONTINUING), 1, 0);
	b = req_region("hakodate", LD_G_CONTINUING);
	assert_true(rules_same_request(&a, &b));
	b.grant_type = LD_G_GENERAL;
	assert_false(rules_same_request(&a, &b));

	a = stored(req_appr(LD_A_GENERAL, 2013, OKU), 2, 0);
	b = req_appr(LD_A_GENERAL, 2013, OKU);
	assert_true(rules_same_request(&a, &b));
	b.account = LD_A_RECONSTRUCTION;
	assert_false(rules_same_request(&a, &b));

	a = stored(req_close(LD_A_GENERAL, 2013), 20, 0);
	a.appropriated = 5;
	a.budget = 5;
	a.execution_rate_bp = -1;
	b = req_close(LD_A_GENERAL, 2013);
	assert_true(rules_same_request(&a, &b));
	b.fy = 2014;
	assert_false(rules_same_request(&a, &b));

	/* a version 1 entry and the same request: the format does not count */
	a = stored(v1(req_award("hakodate", 2013, OKU, 0)), 4, LD_A_GENERAL);
	b = v1(req_award("hakodate", 2013, OKU, 0));
	b.format = 0;
	assert_true(rules_same_request(&a, &b));
}

static void
test_same_request_new_kinds(void **state)
{
	struct ld_entry a, b;

	(void)state;
	/* terms: a stored entry holds the resolved deadline and its account */
	a = stored(req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140430), 6,
	    LD_A_GENERAL);
	b = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0);
	assert_false(rules_same_request(&a, &b));	/* not yet normalized */
	rules_normalize(&b);
	assert_true(rules_same_request(&a, &b));
	b = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140430);
	assert_true(rules_same_request(&a, &b));
	b.deadline = 20140515;
	assert_false(rules_same_request(&a, &b));
	b = req_terms(2013, LD_G_GENERAL, OKU + 1, 2 * OKU, 20140430);
	assert_false(rules_same_request(&a, &b));
	b = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU - 1, 20140430);
	assert_false(rules_same_request(&a, &b));
	b = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140430);
	b.interest_bp = 1000;
	assert_false(rules_same_request(&a, &b));
	b = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140430);
	b.late_bp = 1000;
	assert_false(rules_same_request(&a, &b));
	b = req_terms(2013, LD_G_CONTINUING, OKU, 2 * OKU, 20140430);
	assert_false(rules_same_request(&a, &b));
	b = req_terms(2014, LD_G_GENERAL, OKU, 2 * OKU, 20140430);
	assert_false(rules_same_request(&a, &b));

	/* cancellation: amount and principal are derived */
	a = stored(req_cancel("hakodate", 2013, 20140310, 20140331), 30,
	    LD_A_GENERAL);
	a.amount = 2 * OKU;
	a.principal = 12000;
	b = req_cancel("hakodate", 2013, 20140310, 20140331);
	assert_true(rules_same_request(&a, &b));
	b.repay_by = 20140401;
	assert_false(rules_same_request(&a, &b));
	b = req_cancel("hakodate", 2013, 20140311, 20140331);
	assert_false(rules_same_request(&a, &b));
	b = req_cancel("hakodate", 2013, 20140310, 20140331);
	snprintf(b.reason, sizeof(b.reason), "other");
	assert_false(rules_same_request(&a, &b));

	/* settlement: principal derived */
	a = stored(req_settle("hakodate", 2013, OKU, 20140515, 20140630), 31,
	    LD_A_GENERAL);
	a.principal = 500;
	b = req_settle("hakodate", 2013, OKU, 20140515, 20140630);
	assert_true(rules_same_request(&a, &b));
	b.amount = OKU - 1;
	assert_false(rules_same_request(&a, &b));
	b = req_settle("hakodate", 2013, OKU, 20140515, 0);
	assert_false(rules_same_request(&a, &b));

	/* receipt: the split is derived */
	a = stored(req_receipt("hakodate", 2013, 1000, 20140320), 32,
	    LD_A_GENERAL);
	a.principal = 900;
	a.interest = 60;
	a.late = 40;
	b = req_receipt("hakodate", 2013, 1000, 20140320);
	assert_true(rules_same_request(&a, &b));
	b.date = 20140321;
	assert_false(rules_same_request(&a, &b));
	b = req_receipt("hakodate", 2013, 1001, 20140320);
	assert_false(rules_same_request(&a, &b));
	b = req_receipt("sapporo", 2013, 1000, 20140320);
	assert_false(rules_same_request(&a, &b));

	/* carry-over */
	a = stored(req_carry("hakodate", 2013, 1000, 20140310), 33, LD_A_GENERAL);
	b = req_carry("hakodate", 2013, 1000, 20140310);
	assert_true(rules_same_request(&a, &b));
	b.carry_kind = LD_C_ACCIDENT;
	assert_false(rules_same_request(&a, &b));
	b = req_carry("hakodate", 2013, 999, 20140310);
	assert_false(rules_same_request(&a, &b));

	/* same fields, other kind */
	a = stored(req_receipt("hakodate", 2013, 1000, 20140320), 32,
	    LD_A_GENERAL);
	b = req_settle("hakodate", 2013, 1000, 20140320, 0);
	snprintf(b.ref, sizeof(b.ref), "RCPT-1");
	assert_false(rules_same_request(&a, &b));
}

/* ---- rules_scope ---- */

static void
test_scope(void **state)
{
	struct rules_scope sc;
	struct ld_entry r, t;

	(void)state;
	r = req_award("miyagi", 2013, 3 * OKU, 20130501);
	rules_scope(&r, LD_G_RECONSTRUCTION, NULL, &sc);
	assert_int_equal(sc.account, LD_A_RECONSTRUCTION);
	assert_int_equal(sc.fy, 2013);
	assert_string_equal(sc.region, "miyagi");
	assert_int_equal(sc.terms_grant, LD_G_RECONSTRUCTION);
	assert_int_equal(sc.account2, 0);
	assert_string_equal(sc.region2, "");
	assert_false(sc.payments || sc.order || sc.close);
	rules_scope(&r, LD_G_CONTINUING, NULL, &sc);
	assert_int_equal(sc.account, LD_A_GENERAL);
	assert_int_equal(sc.terms_grant, LD_G_CONTINUING);
	rules_scope(&r, 0, NULL, &sc);
	assert_int_equal(sc.account, 0);
	assert_string_equal(sc.region, "");
	assert_int_equal(sc.terms_grant, 0);

	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 1, 20140601);
	rules_scope(&r, LD_G_GENERAL, NULL, &sc);
	assert_int_equal(sc.account, LD_A_GENERAL);
	assert_int_equal(sc.fy, 2014);
	assert_int_equal(sc.terms_grant, LD_G_GENERAL);
	assert_false(sc.payments || sc.order);

	r = req_appr(LD_A_RECONSTRUCTION, 2014, 1);
	rules_scope(&r, 0, NULL, &sc);
	assert_int_equal(sc.account, LD_A_RECONSTRUCTION);
	assert_int_equal(sc.fy, 2014);
	assert_string_equal(sc.region, "");
	assert_int_equal(sc.close, 0);

	r = req_close(LD_A_GENERAL, 2013);
	rules_scope(&r, 0, NULL, &sc);
	assert_int_equal(sc.account, LD_A_GENERAL);
	assert_int_equal(sc.close, 1);

	r = req_terms(2013, LD_G_RECONSTRUCTION, 1, 2, 0);
	rules_scope(&r, 0, NULL, &sc);
	assert_int_equal(sc.account, LD_A_RECONSTRUCTION);
	assert_int_equal(sc.fy, 2013);
	assert_string_equal(sc.region, "");
	r = req_terms(2013, LD_G_CONTINUING, 0, 0, 0);
	rules_scope(&r, 0, NULL, &sc);
	assert_int_equal(sc.account, LD_A_GENERAL);

	r = req_region("hakodate", LD_G_GENERAL);
	rules_scope(&r, 0, NULL, &sc);
	assert_int_equal(sc.account, 0);
	assert_int_equal(sc.fy, 0);
	assert_string_equal(sc.region, "");

	/* cancellation and settlement read the payments and the order */
	r = req_cancel("hakodate", 2013, 20140310, 0);
	rules_scope(&r, LD_G_GENERAL, NULL, &sc);
	assert_string_equal(sc.region, "hakodate");
	assert_true(sc.payments && sc.order);
	r = req_settle("hakodate", 2013, 1, 20140515, 0);
	rules_scope(&r, LD_G_GENERAL, NULL, &sc);
	assert_true(sc.payments && sc.order);
	assert_int_equal(sc.terms_grant, LD_G_GENERAL);

	/* a receipt: the order, and the account of its date's fiscal year */
	r = req_receipt("hakodate", 2013, 1, 20150610);
	rules_scope(&r, LD_G_GENERAL, NULL, &sc);
	assert_int_equal(sc.fy, 2013);
	assert_true(sc.order);
	assert_false(sc.payments);
	assert_int_equal(sc.account2, LD_A_GENERAL);
	assert_int_equal(sc.fy2, 2015);
	assert_string_equal(sc.region2, "");

	/* a carry-over: the region-year and account of fy + 1 */
	r = req_carry("miyagi", 2013, 1, 20140310);
	rules_scope(&r, LD_G_RECONSTRUCTION, NULL, &sc);
	assert_int_equal(sc.account, LD_A_RECONSTRUCTION);
	assert_int_equal(sc.account2, LD_A_RECONSTRUCTION);
	assert_int_equal(sc.fy2, 2014);
	assert_string_equal(sc.region2, "miyagi");
	assert_int_equal(sc.terms_grant, LD_G_RECONSTRUCTION);

	/* reversals: scoped by the target */
	r = req_rev(5);
	t = stored(req_pay(LD_K_REFUND, "miyagi", 2012, 1, 20120630), 5,
	    LD_A_RECONSTRUCTION);
	rules_scope(&r, 0, &t, &sc);
	assert_int_equal(sc.account, LD_A_RECONSTRUCTION);
	assert_int_equal(sc.fy, 2012);
	assert_string_equal(sc.region, "miyagi");
	assert_false(sc.order);
	t = stored(req_appr(LD_A_GENERAL, 2012, 1), 5, 0);
	rules_scope(&r, 0, &t, &sc);
	assert_int_equal(sc.account, LD_A_GENERAL);
	assert_string_equal(sc.region, "");
	t = stored(req_receipt("hakodate", 2013, 1, 20140402), 5, LD_A_GENERAL);
	rules_scope(&r, 0, &t, &sc);
	assert_string_equal(sc.region, "hakodate");
	assert_int_equal(sc.fy, 2013);
	assert_true(sc.order);
	assert_int_equal(sc.account2, LD_A_GENERAL);
	assert_int_equal(sc.fy2, 2014);
	rules_scope(&r, 0, NULL, &sc);
	assert_int_equal(sc.account, 0);
	assert_string_equal(sc.region, "");
}

/* ---- rules_apply: each refusal ---- */

static void
test_unknown_region(void **state)
{
	struct ld_entry r;
	struct rules_view v;

	(void)state;
	memset(&v, 0, sizeof(v));
	r = req_award("nowhere", 2013, OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = v1(req_award("nowhere", 2013, OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_pay(LD_K_DISBURSEMENT, "nowhere", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_pay(LD_K_REFUND, "nowhere", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_cancel("nowhere", 2013, 20140310, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_settle("nowhere", 2013, OKU, 20140515, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_receipt("nowhere", 2013, 1, 20140320);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_carry("nowhere", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
}

static void
test_duplicate_region(void **state)
{
	struct ld_entry r = req_region("hakodate", LD_G_CONTINUING);
	struct rules_view v;

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	v.region_known = 1;
	v.region_grant = LD_G_CONTINUING;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DUPLICATE_REGION);
}

static void
test_not_found(void **state)
{
	struct ld_entry r = req_rev(42);
	struct rules_view v;

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_FOUND);
	r = v1(req_rev(42));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_FOUND);
}

static void
test_date_outside_fy_v1(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r;

	(void)state;
	/* format 1: [2013-04-01, 2014-05-31], whatever the terms say */
	r = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130331));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140601));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	/* and no decision date to come after (the view has 2013-05-01) */
	r = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130401));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = v1(req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20140531));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = v1(req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20120531));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
}

static void
test_payment_window_v2(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r;

	(void)state;
	/* up to the terms' deadline, 2014-04-30 */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 10, 20140430);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20140501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20140430);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	/* terms with another deadline */
	v.terms.deadline = 20140531;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140531);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140601);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	v.terms.deadline = 20140401;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140402);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140401);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	/* a payment needs no terms; without them the default 2014-04-30 */
	no_terms(&v);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140430);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	/* format 1: 2014-05-31, whatever the terms */
	v.has_terms = 1;
	v.terms.deadline = 20140415;
	r = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140531));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140601));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	assert_int_equal(v.rbal.disbursed, 10 + 1 + 1 + 1 + 1);
}

static void
test_year_closed(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 1000, 0), w;
	struct ld_entry r, t;

	(void)state;
	v.acct.closed = 1;
	r = req_appr(LD_A_GENERAL, 2013, 1);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_award("hakodate", 2013, OKU, 20130601);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = v1(req_award("hakodate", 2013, OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140430);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_carry("hakodate", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* a repeated close-year */
	r = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = v1(req_close(LD_A_GENERAL, 2013));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* a reversal of an entry of the closed year */
	t = stored(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1000, 20130630),
	    5, LD_A_GENERAL);
	r = req_rev(5);
	v.target = &t;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	v.target = NULL;

	/* what comes later by nature is still accepted (2.10) */
	w = v;
	r = req_settle("hakodate", 2013, OKU, 20140515, 0);
	assert_int_equal(apply_unchanged(&r, &w), LD_OK);
	w = v;
	w.pay = pay1000;
	w.npay = 1;
	r = req_cancel("hakodate", 2013, 20140610, 20140630);
	assert_int_equal(apply_unchanged(&r, &w), LD_OK);
	assert_int_equal(r.principal, 1000);
	assert_int_equal(w.acct.closed, 1);
}

static void
test_not_reversible(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r = req_rev(4), t;

	(void)state;
	v.target = &t;
	t = stored(req_award("hakodate", 2013, OKU, 20130501), 4, LD_A_GENERAL);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_region("hakodate", LD_G_GENERAL), 4, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_rev(2), 4, LD_A_GENERAL);
	t.target_kind = LD_K_APPROPRIATION;
	t.fy = 2013;
	t.amount = 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_close(LD_A_GENERAL, 2012), 4, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	/* corrected by a later entry, never reversed (2.10) */
	t = stored(req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 20140430), 4,
	    LD_A_GENERAL);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_cancel("hakodate", 2013, 20140310, 0), 4, LD_A_GENERAL);
	t.amount = OKU;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_settle("hakodate", 2013, OKU, 20140515, 0), 4,
	    LD_A_GENERAL);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_carry("hakodate", 2013, 1, 20140310), 4, LD_A_GENERAL);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	/* a receipt is reversible from format 2 on only */
	t = stored(req_receipt("hakodate", 2013, 1, 20140320), 4, LD_A_GENERAL);
	r = v1(req_rev(4));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
}

static void
test_already_reversed(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 1000, 0);
	struct ld_entry r = req_rev(5), t;

	(void)state;
	t = stored(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1000, 20130630),
	    5, LD_A_GENERAL);
	v.target = &t;
	v.target_reversed = 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_ALREADY_REVERSED);
	t = stored(req_receipt("hakodate", 2013, 1000, 20140320), 5,
	    LD_A_GENERAL);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_ALREADY_REVERSED);
}

static void
test_no_award(void **state)
{
	struct rules_view v = view_general(2 * OKU, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
	r = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
	r = v1(req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
	r = req_cancel("hakodate", 2013, 20140310, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
	r = req_settle("hakodate", 2013, OKU, 20140515, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
	r = req_carry("hakodate", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
}

static void
test_out_of_range_v1(void **state)
{
	struct rules_view v = view_general(100 * OKU, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	/* format 1: version 1's ranges, whatever terms are in force */
	v.terms.min = 10;
	v.terms.max = 20;
	r = v1(req_award("hakodate", 2013, OKU - 1, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = v1(req_award("hakodate", 2013, 2 * OKU + 1, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = v1(req_award("hakodate", 2013, OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal.award_date, 0);	/* no decision date */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	no_terms(&v);	/* and no terms needed */
	r = v1(req_award("hakodate", 2013, 2 * OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);

	/* reconstruction: 2.5億-5億 from the reconstruction account */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	no_terms(&v);
	v.region_grant = LD_G_RECONSTRUCTION;
	r = v1(req_award("miyagi", 2013, 2 * OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = v1(req_award("miyagi", 2013, 5 * OKU + 1, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = v1(req_award("miyagi", 2013, 5 * OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_RECONSTRUCTION);
	assert_int_equal(v.acct.account, LD_A_RECONSTRUCTION);
	assert_int_equal(v.rbal.grant_type, LD_G_RECONSTRUCTION);

	/* continuing: no range */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	no_terms(&v);
	v.region_grant = LD_G_CONTINUING;
	r = v1(req_award("hakodate", 2013, 1, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = v1(req_award("hakodate", 2013, 50 * OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);

	/* the same view judges a format 2 award by the terms */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	v.terms.min = 10;
	v.terms.max = 20;
	r = req_award("hakodate", 2013, 21, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, 9, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, 20, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
}

static void
test_award_terms_range(void **state)
{
	struct rules_view v = view_general(100 * OKU, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	/* the first award lies in the terms' range */
	r = req_award("hakodate", 2013, OKU - 1, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, 2 * OKU + 1, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal.award, OKU);
	assert_int_equal(v.rbal.award_seq, 100);
	/* a change may go below the minimum, never above the maximum */
	v.seq = 101;
	r = req_award("hakodate", 2013, OKU / 2, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal.award, OKU / 2);
	r = req_award("hakodate", 2013, 2 * OKU + 1, 20131001);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, 2 * OKU, 20131001);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 2 * OKU);

	/* reconstruction terms */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	v.region_grant = LD_G_RECONSTRUCTION;
	v.terms.min = 25 * OKU / 10;
	v.terms.max = 5 * OKU;
	r = req_award("miyagi", 2013, 2 * OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("miyagi", 2013, 5 * OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_RECONSTRUCTION);

	/* continuing: terms without a range */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	v.region_grant = LD_G_CONTINUING;
	v.terms.min = v.terms.max = 0;
	r = req_award("hakodate", 2013, 1, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	v = view_general(100 * OKU, 0, 0, 0, 0);
	v.region_grant = LD_G_CONTINUING;
	v.terms.min = v.terms.max = 0;
	r = req_award("hakodate", 2013, 50 * OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
}

static void
test_over_appropriation(void **state)
{
	struct rules_view v = view_general(3 * OKU, 2 * OKU, 0, 0, 0);
	struct ld_entry r, t;

	(void)state;
	/* another region holds 2億 of the 3億 appropriated */
	r = req_award("hakodate", 2013, OKU + 1, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_APPROPRIATION);
	r = req_award("hakodate", 2013, OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 3 * OKU);

	/*
	 * Money carried in counts in the budget and in the awards alike
	 * (2.9): awards + carried in <= appropriated + carried in.
	 */
	v = view_general(3 * OKU, 2 * OKU, 0, 0, 0);
	v.acct.carried_in = OKU / 2;
	r = req_award("hakodate", 2013, OKU + 1, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_APPROPRIATION);
	r = req_award("hakodate", 2013, OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 3 * OKU);
	assert_int_equal(v.acct.carried_in, OKU / 2);

	/* reversing an appropriation that the awards still need */
	v = view_general(3 * OKU, 2 * OKU, 0, 0, 0);
	t = stored(req_appr(LD_A_GENERAL, 2013, OKU + 1), 2, 0);
	v.target = &t;
	r = req_rev(2);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_APPROPRIATION);
	t.amount = OKU;
	r = req_rev(2);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.acct.appropriated, 2 * OKU);
}

static void
test_award_below_disbursed(void **state)
{
	struct rules_view v = view_general(10 * OKU, 2 * OKU, 2 * OKU,
	    OKU + 500, 400);
	struct ld_entry r;

	(void)state;
	/* net disbursed is 1億 + 100 */
	r = req_award("hakodate", 2013, OKU + 99, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_AWARD_BELOW_DISBURSED);
	r = req_award("hakodate", 2013, OKU + 100, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
}

static void
test_over_award(void **state)
{
	struct rules_view v = view_general(10 * OKU, OKU, OKU, OKU - 10, 0);
	struct ld_entry r, t;

	(void)state;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 11, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 10, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal.disbursed, OKU);
	assert_int_equal(region_remaining(&v.rbal), 0);

	/* a refund of 5 makes room; reversing that refund takes it back */
	v = view_general(10 * OKU, OKU, OKU, OKU, 5);
	t = stored(req_pay(LD_K_REFUND, "hakodate", 2013, 5, 20130701), 8,
	    LD_A_GENERAL);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 5, 20130702);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	v.target = &t;
	r = req_rev(8);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
}

static void
test_over_refund(void **state)
{
	struct rules_view v = view_general(10 * OKU, OKU, OKU, 1000, 300);
	struct ld_entry r, t;

	(void)state;
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 701, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_REFUND);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 700, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(region_net(&v.rbal), 0);

	/* reversing a disbursement whose money was partly refunded */
	v = view_general(10 * OKU, OKU, OKU, 1000, 300);
	t = stored(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 800, 20130630),
	    6, LD_A_GENERAL);
	v.target = &t;
	r = req_rev(6);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_REFUND);
	t.amount = 700;
	r = req_rev(6);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(region_net(&v.rbal), 0);
}

/* ---- precedence ---- */

static void
test_precedence(void **state)
{
	struct rules_view v;
	struct ld_entry r, t;

	(void)state;
	/* unknown region beats a bad date and a closed year */
	memset(&v, 0, sizeof(v));
	v.acct.closed = 1;
	r = req_pay(LD_K_DISBURSEMENT, "nowhere", 2013, 1, 20200101);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);

	/* a bad date beats a closed year, no award and over award */
	v = view_general(0, 0, 0, 0, 0);
	v.acct.closed = 1;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 5, 20200101);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	/* a closed year beats no award */
	r.date = 20130630;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	v.acct.closed = 0;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);

	/* award: range beats appropriation beats below-disbursed */
	v = view_general(OKU, 0, 3 * OKU, 3 * OKU, 0);
	r = req_award("hakodate", 2013, 3 * OKU, 20130601);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, 2 * OKU, 20130601);
	v.acct.awarded = 3 * OKU;
	v.acct.appropriated = OKU;	/* 3 - 3 + 2 > 1 */
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_APPROPRIATION);
	v.acct.appropriated = 10 * OKU;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_AWARD_BELOW_DISBURSED);

	/* reversal: not found first; closed year before not reversible */
	memset(&v, 0, sizeof(v));
	v.acct.closed = 1;
	r = req_rev(9);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_FOUND);
	t = stored(req_award("hakodate", 2013, OKU, 20130501), 9, LD_A_GENERAL);
	v.target = &t;
	v.target_reversed = 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	v.acct.closed = 0;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	/* already reversed before the balance rules */
	v = view_general(OKU, OKU, OKU, 0, 0);
	t = stored(req_appr(LD_A_GENERAL, 2013, OKU), 9, 0);
	v.target = &t;
	v.target_reversed = 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_ALREADY_REVERSED);
	v.target_reversed = 0;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_APPROPRIATION);
}

static void
test_precedence_no_terms(void **state)
{
	struct rules_view v, w;
	struct ld_entry r;

	(void)state;
	/* UNKNOWN_REGION comes before it */
	memset(&v, 0, sizeof(v));
	r = req_award("nowhere", 2013, OKU, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);

	/* NO_TERMS before DATE_OUTSIDE_FY and every later rule */
	v = view_general(OKU, 0, 0, 0, 0);
	no_terms(&v);
	v.acct.closed = 1;
	r = req_award("hakodate", 2013, 3 * OKU, 20120101);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_TERMS);
	r = req_settle("hakodate", 2013, OKU, 20120101, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_TERMS);
	r = req_carry("hakodate", 2013, OKU, 20120101);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_TERMS);
	/* with terms, the date is next */
	w = view_general(OKU, 0, 0, 0, 0);
	w.acct.closed = 1;
	r = req_award("hakodate", 2013, 3 * OKU, 20120101);
	assert_int_equal(apply_unchanged(&r, &w), LD_E_DATE_OUTSIDE_FY);

	/* NO_TERMS alone */
	v = view_general(5 * OKU, OKU, OKU, 0, 0);
	no_terms(&v);
	r = req_award("hakodate", 2013, OKU, 20130601);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_TERMS);
	r = req_settle("hakodate", 2013, OKU, 20140515, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_TERMS);
	r = req_carry("hakodate", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_TERMS);

	/* what needs no terms */
	w = v;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130601);
	assert_int_equal(apply_unchanged(&r, &w), LD_OK);
	w = v;
	r = req_cancel("hakodate", 2013, 20140310, 0);
	assert_int_equal(apply_unchanged(&r, &w), LD_OK);
	w = v;
	r = v1(req_award("hakodate", 2013, OKU, 0));
	assert_int_equal(apply_unchanged(&r, &w), LD_OK);
	w = v;
	r = req_appr(LD_A_GENERAL, 2013, 1);
	assert_int_equal(apply_unchanged(&r, &w), LD_OK);
}

static void
test_precedence_date_before_award(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r;

	(void)state;
	/* the first award was decided on 2013-05-01 */
	/* DATE_OUTSIDE_FY comes before it */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	/* DATE_BEFORE_AWARD before YEAR_CLOSED and every later rule */
	v.acct.closed = 1;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 2 * OKU, 20130430);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_BEFORE_AWARD);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130430);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_BEFORE_AWARD);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* DATE_BEFORE_AWARD alone; the decision day itself is fine */
	v.acct.closed = 0;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130401);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_BEFORE_AWARD);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130501);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	/* a format 1 disbursement has no such rule */
	r = v1(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130415));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
}

static void
test_precedence_too_early(void **state)
{
	struct rules_view v;
	struct ld_entry r;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.seq = 100;
	v.close_deadline = 20140430;
	v.now = T_0430_15Z - 1;		/* 2014-04-30 23:59:59.999999 JST */
	/* YEAR_CLOSED comes before it */
	v.acct.closed = 1;
	r = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* TOO_EARLY before the totals' OUT_OF_RANGE */
	v.acct.closed = 0;
	v.acct.disbursed = INT64_MAX;
	v.acct.refunded = -1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_TOO_EARLY);
	v.now = T_0430_15Z;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	/* TOO_EARLY alone */
	v.acct.disbursed = v.acct.refunded = 0;
	v.now = T_0430_15Z - 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_TOO_EARLY);
}

static void
test_precedence_settled(void **state)
{
	struct rules_view v = view_general(10 * OKU, 2 * OKU, 2 * OKU, OKU, 0);
	struct ld_entry r;

	(void)state;
	v.rbal.settled_set = 1;
	v.rbal.settled = OKU;
	/* YEAR_CLOSED comes before it */
	v.acct.closed = 1;
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_carry("hakodate", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_award("hakodate", 2013, 15 * OKU / 10, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* SETTLED before every later rule */
	v.acct.closed = 0;
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 2 * OKU, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);	/* > net */
	r = req_award("hakodate", 2013, 3 * OKU, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);	/* > max */
	r = req_settle("hakodate", 2013, 3 * OKU, 20140515, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);	/* > award */
	r = req_carry("hakodate", 2013, 2 * OKU, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);	/* > unpaid */
	/* SETTLED alone */
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);
	r = req_award("hakodate", 2013, 15 * OKU / 10, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);
	r = req_settle("hakodate", 2013, OKU, 20140515, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);
	r = req_cancel("hakodate", 2013, 20140610, 20140630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);
	r = req_carry("hakodate", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);
	/* DATE_OUTSIDE_FY still comes first */
	r = req_settle("hakodate", 2013, OKU, 20150401, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
}

static void
test_precedence_no_receivable(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 1000, 0);
	struct ld_entry r;

	(void)state;
	/* no order: NO_RECEIVABLE, before OVER_RECEIPT whatever the amount */
	r = req_receipt("hakodate", 2013, 1, 20140320);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_RECEIVABLE);
	r = req_receipt("hakodate", 2013, LD_AMOUNT_MAX, 20100101);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_RECEIVABLE);
	/* an order paid in full: nothing outstanding */
	set_order(&v, 1000, 20130601, 0, 0);
	add_receipt(50, 20140320, 1000);
	r = req_receipt("hakodate", 2013, 1, 20140325);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_RECEIVABLE);
	r = req_receipt("hakodate", 2013, 5000, 20140325);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_RECEIVABLE);
	/* DATE_OUTSIDE_FY comes before it */
	r = req_receipt("hakodate", 2013, 1, 20140309);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	assert_int_equal(ord.nreceipts, 1);
}

static void
test_precedence_over_receipt(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 1000, 0);
	struct ld_entry r;

	(void)state;
	/* OVER_REFUND and OVER_RECEIPT never meet in one kind */
	set_order(&v, 1000, 20130601, 0, 0);
	/* DATE_OUTSIDE_FY (before the order's date) comes before it */
	r = req_receipt("hakodate", 2013, 1001, 20140309);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	/* OVER_RECEIPT alone */
	r = req_receipt("hakodate", 2013, 1001, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_RECEIPT);
	assert_int_equal(ord.nreceipts, 0);
	r = req_receipt("hakodate", 2013, 1000, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
}

static void
test_precedence_bad_request_first(void **state)
{
	struct rules_view v = view_general(10 * OKU, 2 * OKU, 2 * OKU, 1000, 0);
	struct ld_entry r;

	(void)state;
	/*
	 * The state-dependent BAD_REQUEST (a cancellation with net paid above
	 * 0, or a settlement below net paid, without --repay-by; 2.2) comes
	 * first like every BAD_REQUEST, before SETTLED and NO_AWARD.
	 */
	v.pay = pay1000;
	v.npay = 1;
	v.rbal.settled_set = 1;
	v.rbal.settled = 500;
	r = req_cancel("hakodate", 2013, 20140610, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_BAD_REQUEST);
	r = req_settle("hakodate", 2013, 500, 20140610, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_BAD_REQUEST);
	v.rbal.settled_set = 0;
	v.rbal.settled = 0;
	v.rbal.award = 0;		/* cancelled before */
	v.rbal.cancelled = 1;
	r = req_cancel("hakodate", 2013, 20140610, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_BAD_REQUEST);
}

/* ---- effects ---- */

static void
test_award_replacement(void **state)
{
	struct rules_view v = view_general(5 * OKU, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	v.seq = 4;
	r = req_award("hakodate", 2013, 2 * OKU, 20130501);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(v.acct.awarded, 2 * OKU);
	assert_int_equal(v.rbal.award, 2 * OKU);
	assert_int_equal(v.rbal.award_seq, 4);
	assert_string_equal(v.rbal.region, "hakodate");

	/* 変更交付決定: the later award replaces, the total follows */
	v.seq = 9;
	r = req_award("hakodate", 2013, 15 * OKU / 10, 20130901);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 15 * OKU / 10);
	assert_int_equal(v.rbal.award, 15 * OKU / 10);
	assert_int_equal(v.rbal.award_seq, 9);
	assert_int_equal(acct_unawarded(&v.acct), 35 * OKU / 10);

	/* raising it again may use room freed by the lowering */
	v.acct.awarded += 3 * OKU;	/* other regions */
	r = req_award("hakodate", 2013, 2 * OKU, 20131001);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 5 * OKU);
}

static void
test_award_decision_date(void **state)
{
	struct rules_view v = view_general(5 * OKU, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	/* the decision date lies in [fy-04-01, (fy+1)-03-31] */
	r = req_award("hakodate", 2013, OKU, 20130331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_award("hakodate", 2013, OKU, 20140401);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_award("hakodate", 2013, OKU, 20140331);
	{
		struct rules_view w = v;

		assert_int_equal(apply_unchanged(&r, &w), LD_OK);
	}
	r = req_award("hakodate", 2013, OKU, 20130401);
	{
		struct rules_view w = v;

		assert_int_equal(apply_unchanged(&r, &w), LD_OK);
		assert_int_equal(w.rbal.award_date, 20130401);
	}
	/* the first award's date is recorded, a change does not move it */
	r = req_award("hakodate", 2013, OKU, 20130601);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal.award_date, 20130601);
	v.seq = 101;
	r = req_award("hakodate", 2013, 2 * OKU, 20130901);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal.award_date, 20130601);
	/* DATE_BEFORE_AWARD compares with the first decision */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130715);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130531);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_BEFORE_AWARD);
	/* format 1: no date, nothing recorded */
	v = view_general(5 * OKU, 0, 0, 0, 0);
	r = v1(req_award("hakodate", 2013, OKU, 0));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal.award_date, 0);
	assert_int_equal(r.date, 0);
}

static void
test_payments_and_reversals(void **state)
{
	struct rules_view v = view_general(5 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r, t;

	(void)state;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 6000, 20130630);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1000, 20130930);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(v.rbal.disbursed, 6000);
	assert_int_equal(v.rbal.refunded, 1000);
	assert_int_equal(v.acct.disbursed, 6000);
	assert_int_equal(v.acct.refunded, 1000);

	/* reverse the refund: copies its target, takes the refund back */
	t = stored(req_pay(LD_K_REFUND, "hakodate", 2013, 1000, 20130930), 7,
	    LD_A_GENERAL);
	v.target = &t;
	r = req_rev(7);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(r.target_kind, LD_K_REFUND);
	assert_string_equal(r.region, "hakodate");
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(r.fy, 2013);
	assert_int_equal(r.amount, 1000);
	assert_int_equal(v.rbal.refunded, 0);
	assert_int_equal(v.acct.refunded, 0);

	/* reverse the disbursement */
	t = stored(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 6000, 20130630),
	    6, LD_A_GENERAL);
	r = req_rev(6);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(r.target_kind, LD_K_DISBURSEMENT);
	assert_int_equal(v.rbal.disbursed, 0);
	assert_int_equal(v.acct.disbursed, 0);

	/* reverse an appropriation: no region */
	t = stored(req_appr(LD_A_GENERAL, 2013, OKU), 2, 0);
	r = req_rev(2);
	assert_int_equal(rules_apply(&r, &v), LD_OK);
	assert_int_equal(r.target_kind, LD_K_APPROPRIATION);
	assert_string_equal(r.region, "");
	assert_int_equal(r.amount, OKU);
	assert_int_equal(v.acct.appropriated, 4 * OKU);
}

static void
test_payments_after_settlement(void **state)
{
	struct rules_view v = view_general(10 * OKU, 2 * OKU, 2 * OKU, OKU, 0);
	struct ld_entry r;

	(void)state;
	v.rbal.settled_set = 1;
	v.rbal.settled = OKU + 500;
	/* 精算払: up to the settled amount, not the award */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 501, 20140401);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
	/* and no later than the settlement deadline */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 500, 20140501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 500, 20140430);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(region_remaining(&v.rbal), 0);
	/* same-year refunds are over: money comes back by receipt only */
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20140430);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);
}

static void
test_carried_in_payments(void **state)
{
	struct rules_view v = view_general(0, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	/* hakodate 2014: no award of its own, 300万 carried in from 2013 */
	v.acct.fy = v.rbal.fy = 2014;
	v.acct.carried_in = v.rbal.carried_in = 300 * MAN;
	no_terms(&v);	/* no terms for 2014: deadline 2015-04-30 */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 300 * MAN + 1, 20140601);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 100 * MAN, 20140331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 100 * MAN, 20150501);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 100 * MAN, 20150430);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 200 * MAN, 20140601);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(region_remaining(&v.rbal), 0);
	r = req_pay(LD_K_REFUND, "hakodate", 2014, 50 * MAN, 20140701);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	/* terms of 2014 give its deadline */
	v.has_terms = 1;
	v.terms.seq = 8;
	v.terms.min = OKU;
	v.terms.max = 2 * OKU;
	v.terms.deadline = 20150415;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 1, 20150416);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, 1, 20150415);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	/* an award of 2014 adds to the cap: 1億 + 300万 in all */
	v.rbal.award = OKU;
	v.rbal.award_seq = 90;
	v.rbal.award_date = 20140501;
	v.acct.awarded = OKU;
	assert_int_equal(region_remaining(&v.rbal), OKU + 50 * MAN - 1);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, OKU + 50 * MAN, 20140601);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2014, OKU + 50 * MAN - 1,
	    20140601);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(region_remaining(&v.rbal), 0);
}

static void
test_cancel_award(void **state)
{
	struct rules_view v = view_general(5 * OKU, 3 * OKU, 2 * OKU, 15000,
	    3000);
	struct ld_entry r;

	(void)state;
	v.pay = pay3;
	v.npay = 3;
	/* net paid 12,000: the order needs a due date */
	r = req_cancel("hakodate", 2013, 20140310, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_BAD_REQUEST);
	/* dates in [first decision, (fy+2)-03-31] */
	r = req_cancel("hakodate", 2013, 20130430, 20140331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_cancel("hakodate", 2013, 20150401, 20150430);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	assert_int_equal(v.has_order, 0);

	r = req_cancel("hakodate", 2013, 20140310, 20140331);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.amount, 2 * OKU);	/* the award cancelled */
	assert_int_equal(r.principal, 12000);	/* the whole net paid */
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(r.repay_by, 20140331);
	assert_int_equal(v.rbal.award, 0);
	assert_int_equal(v.rbal.cancelled, 1);
	assert_int_equal(v.rbal.has_order, 1);
	assert_int_equal(v.acct.awarded, OKU);
	assert_int_equal(v.rbal.disbursed, 15000);	/* payments stay */
	/* the order: refunds reduce the latest payment, then latest first */
	assert_int_equal(v.has_order, 1);
	assert_int_equal(ord.seq, 100);
	assert_int_equal(ord.account, LD_A_GENERAL);
	assert_int_equal(ord.o.principal, 12000);
	assert_int_equal(ord.o.order_date, 20140310);
	assert_int_equal(ord.o.repay_by, 20140331);
	assert_int_equal(ord.o.interest_bp, 1095);
	assert_int_equal(ord.o.late_bp, 1460);
	assert_int_equal(ord.nreceipts, 0);
	assert_int_equal(ord.o.nparts, 3);
	assert_int_equal(ord.o.parts[0].date, 20131201);
	assert_int_equal(ord.o.parts[0].amount, 2000);
	assert_int_equal(ord.o.parts[1].date, 20130901);
	assert_int_equal(ord.o.parts[1].amount, 4000);
	assert_int_equal(ord.o.parts[2].date, 20130601);
	assert_int_equal(ord.o.parts[2].amount, 6000);

	/* afterwards: no disbursement, no second cancellation */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140320);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);
	r = req_cancel("hakodate", 2013, 20140320, 20140331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_AWARD);

	/* nothing paid: no order, no due date needed */
	v = view_general(5 * OKU, 3 * OKU, 2 * OKU, 0, 0);
	r = req_cancel("hakodate", 2013, 20140310, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.amount, 2 * OKU);
	assert_int_equal(r.principal, 0);
	assert_int_equal(v.has_order, 0);
	assert_int_equal(v.rbal.has_order, 0);
	assert_int_equal(v.acct.awarded, OKU);
	assert_int_equal(v.rbal.award, 0);

	/* the window's last day; no terms: the default rates */
	v = view_general(5 * OKU, 3 * OKU, 2 * OKU, 15000, 3000);
	v.pay = pay3;
	v.npay = 3;
	no_terms(&v);
	r = req_cancel("hakodate", 2013, 20150331, 20150430);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(ord.o.interest_bp, RULES_DEFAULT_RATE_BP);
	assert_int_equal(ord.o.late_bp, RULES_DEFAULT_RATE_BP);
	assert_int_equal(ord.o.order_date, 20150331);
}

static void
test_settle(void **state)
{
	struct rules_view v = view_general(5 * OKU, 2 * OKU, 2 * OKU,
	    15 * OKU / 10, 0), w;
	struct ld_entry r;

	(void)state;
	v.pay = pay2;
	v.npay = 2;
	r = req_settle("hakodate", 2013, 2 * OKU + 1, 20140515, 20140630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
	/* net paid 1.5億 above 1.2億: the excess is ordered, with a due date */
	r = req_settle("hakodate", 2013, 12 * OKU / 10, 20140515, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_BAD_REQUEST);
	r = req_settle("hakodate", 2013, 12 * OKU / 10, 20130430, 20140630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_settle("hakodate", 2013, 12 * OKU / 10, 20150401, 20150630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	w = v;
	no_terms(&w);
	r = req_settle("hakodate", 2013, 12 * OKU / 10, 20140515, 20140630);
	assert_int_equal(apply_unchanged(&r, &w), LD_E_NO_TERMS);

	r = req_settle("hakodate", 2013, 12 * OKU / 10, 20140515, 20140630);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.principal, 3 * OKU / 10);
	assert_int_equal(r.amount, 12 * OKU / 10);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(v.rbal.settled_set, 1);
	assert_int_equal(v.rbal.settled, 12 * OKU / 10);
	assert_int_equal(v.rbal.award, 2 * OKU);
	assert_int_equal(v.acct.awarded, 2 * OKU);
	assert_int_equal(v.rbal.has_order, 1);
	assert_int_equal(v.has_order, 1);
	assert_int_equal(ord.seq, 100);
	assert_int_equal(ord.o.principal, 3 * OKU / 10);
	assert_int_equal(ord.o.order_date, 20140515);
	assert_int_equal(ord.o.repay_by, 20140630);
	assert_int_equal(ord.o.interest_bp, 1095);
	assert_int_equal(ord.o.late_bp, 1460);
	assert_int_equal(ord.o.nparts, 1);	/* from the latest payment */
	assert_int_equal(ord.o.parts[0].date, 20131001);
	assert_int_equal(ord.o.parts[0].amount, 3 * OKU / 10);
	/* once */
	r = req_settle("hakodate", 2013, OKU, 20140520, 20140630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_SETTLED);

	/* net paid not above the settled amount: no order */
	v = view_general(5 * OKU, 2 * OKU, 2 * OKU, 15 * OKU / 10, 0);
	v.pay = pay2;
	v.npay = 2;
	r = req_settle("hakodate", 2013, 15 * OKU / 10, 20150331, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.principal, 0);
	assert_int_equal(v.has_order, 0);
	assert_int_equal(v.rbal.has_order, 0);
	assert_int_equal(v.rbal.settled, 15 * OKU / 10);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140401);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
}

static void
test_receipt_same_fy(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 100 * MAN, 0);
	struct ld_entry r;

	(void)state;
	/* 100万 received on 2014-03-01, ordered back: 10.95 % = 300 yen a day */
	set_order(&v, 100 * MAN, 20140301, 1095, 1460);
	/* the receipt's fiscal year is the order's: one account record */
	v.acct.receipts = 500;
	memcpy(&v.acct2, &v.acct, sizeof(v.acct));
	/* 2014-03-20: 20 days counted, 6,000 of 加算金, nothing late */
	r = req_receipt("hakodate", 2013, 100 * MAN + 6001, 20140320);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_RECEIPT);
	r = req_receipt("hakodate", 2013, 100 * MAN + 6000, 20140320);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.principal, 100 * MAN);
	assert_int_equal(r.interest, 6000);
	assert_int_equal(r.late, 0);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(r.fy, 2013);
	assert_int_equal(v.acct.receipts, 500 + 100 * MAN + 6000);
	assert_int_equal(v.acct.fy, 2013);
	assert_int_equal(ord.nreceipts, 1);
	assert_int_equal(ord.receipts[0].seq, 100);
	assert_int_equal(ord.receipts[0].date, 20140320);
	assert_int_equal(ord.receipts[0].amount, 100 * MAN + 6000);
	assert_int_equal(v.has_order, 1);
	/* paid up */
	v.seq = 101;
	r = req_receipt("hakodate", 2013, 1, 20140321);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_RECEIVABLE);
}

static void
test_receipt(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, 0, 100 * MAN, 0);
	struct rcv_status st;
	struct ld_entry r;

	(void)state;
	/*
	 * A cancelled award (award 0) in a closed year: receipts come later
	 * by nature.  100万 received on 2014-03-01; 10.95 % is 300 yen a
	 * day, 14.6 % is 400 yen a day; due 2014-03-31.
	 */
	v.rbal.award_seq = 3;
	v.rbal.award_date = 20130501;
	v.rbal.cancelled = 1;
	v.acct.closed = 1;
	set_order(&v, 100 * MAN, 20140301, 1095, 1460);
	/* not before the order's date */
	r = req_receipt("hakodate", 2013, 1, 20140309);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	/* 2014-04-10: 41 days of 加算金 (12,300), 10 days late (4,000) */
	r = req_receipt("hakodate", 2013, 100 * MAN + 16301, 20140410);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_RECEIPT);
	r = req_receipt("hakodate", 2013, 101 * MAN, 20140410);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.principal, 100 * MAN);	/* principal first */
	assert_int_equal(r.interest, 10000);		/* then 加算金 */
	assert_int_equal(r.late, 0);
	/* revenue of 2014, the fiscal year of its date */
	assert_int_equal(v.acct2.account, LD_A_GENERAL);
	assert_int_equal(v.acct2.fy, 2014);
	assert_int_equal(v.acct2.receipts, 101 * MAN);
	assert_int_equal(v.acct.receipts, 0);
	assert_int_equal(v.acct.fy, 2013);
	/* the rest: 2,300 of 加算金 and 4,000 of 延滞金, fixed */
	v.seq = 101;
	r = req_receipt("hakodate", 2013, 6301, 20140415);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_RECEIPT);
	r = req_receipt("hakodate", 2013, 5000, 20140415);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.principal, 0);
	assert_int_equal(r.interest, 2300);
	assert_int_equal(r.late, 2700);
	v.seq = 102;
	r = req_receipt("hakodate", 2013, 1300, 20140415);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.principal, 0);
	assert_int_equal(r.interest, 0);
	assert_int_equal(r.late, 1300);
	assert_int_equal(v.acct2.receipts, 101 * MAN + 6300);
	assert_int_equal(ord.nreceipts, 3);
	assert_int_equal(ord.receipts[2].seq, 102);
	v.seq = 103;
	r = req_receipt("hakodate", 2013, 1, 20140416);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NO_RECEIVABLE);
	/* the order's status agrees */
	assert_int_equal(rules_order_status(&ord, 20140416, &st), 0);
	assert_int_equal(st.principal_paid, 100 * MAN);
	assert_int_equal(st.interest, 12300);
	assert_int_equal(st.late_charge, 4000);
	assert_int_equal(st.outstanding, 0);
}

static void
test_receipt_backdated(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, 0, 100 * MAN, 0);
	struct ld_entry r;

	(void)state;
	/*
	 * Receipts are recorded in date order (docs/GRANT-LIFECYCLE.md): each
	 * one's split fixes charges as of its date, so a receipt dated before
	 * the latest one would change splits already in the signed ledger.
	 * One entered late is refused as DATE_OUTSIDE_FY; the office reverses
	 * the later receipts and enters them again in order.
	 */
	set_order(&v, 100 * MAN, 20140301, 0, 0);
	add_receipt(50, 20140325, 1000);
	r = req_receipt("hakodate", 2013, 1000, 20140320);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	assert_int_equal(ord.nreceipts, 1);
	r = req_receipt("hakodate", 2013, 1000, 20140325);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
}

static void
test_receipt_reversal(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, 0, 100 * MAN, 0);
	struct ld_entry r, t;

	(void)state;
	set_order(&v, 100 * MAN, 20140301, 0, 0);
	add_receipt(50, 20140320, 1000);
	add_receipt(60, 20140325, 2000);
	add_receipt(70, 20140401, 3000);
	v.acct.receipts = 3000;		/* 50 and 60, dated in 2013 */
	memcpy(&v.acct2, &v.acct, sizeof(v.acct));
	v.acct.closed = 1;		/* a receipt's reversal is not refused */
	t = stored(req_receipt("hakodate", 2013, 2000, 20140325), 60,
	    LD_A_GENERAL);
	t.principal = 2000;
	v.target = &t;
	r = req_rev(60);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.target_kind, LD_K_RECEIPT);
	assert_string_equal(r.region, "hakodate");
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(r.fy, 2013);
	assert_int_equal(r.amount, 2000);
	/* it leaves the order; the others stay in their order */
	assert_int_equal(ord.nreceipts, 2);
	assert_int_equal(ord.receipts[0].seq, 50);
	assert_int_equal(ord.receipts[1].seq, 70);
	assert_int_equal(ord.receipts[1].amount, 3000);
	assert_int_equal(v.acct.receipts, 1000);
	assert_int_equal(v.rbal.has_order, 1);

	/* one dated in 2014 is 2014's revenue */
	v.acct2.account = LD_A_GENERAL;
	v.acct2.fy = 2014;
	v.acct2.receipts = 3000;
	v.acct2.closed = 0;
	t = stored(req_receipt("hakodate", 2013, 3000, 20140401), 70,
	    LD_A_GENERAL);
	r = req_rev(70);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(ord.nreceipts, 1);
	assert_int_equal(ord.receipts[0].seq, 50);
	assert_int_equal(v.acct2.receipts, 0);
	assert_int_equal(v.acct.receipts, 1000);
}

static void
test_carry_over(void **state)
{
	struct rules_view v = view_general(5 * OKU, 2 * OKU, 2 * OKU,
	    5000 * MAN, 0), w;
	struct ld_entry r;

	(void)state;
	v.rbal.carried_out = v.acct.carried_out = 3000 * MAN;
	v.acct2.account = LD_A_GENERAL;
	v.acct2.fy = 2014;
	v.acct2.carried_in = 3000 * MAN;
	snprintf(v.rbal2.region, sizeof(v.rbal2.region), "hakodate");
	v.rbal2.fy = 2014;
	v.rbal2.account = LD_A_GENERAL;
	v.rbal2.grant_type = LD_G_GENERAL;
	v.rbal2.carried_in = 3000 * MAN;
	w = v;
	/* unpaid: 2億 − 5,000万 paid − 3,000万 already carried = 1.2億 */
	r = req_carry("hakodate", 2013, 12000 * MAN + 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
	/* dates in [fy-04-01, (fy+1)-03-31] */
	r = req_carry("hakodate", 2013, 1, 20130331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_carry("hakodate", 2013, 1, 20140401);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_carry("hakodate", 2013, 12000 * MAN, 20140331);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(r.carry_kind, LD_C_EXPLICIT);
	assert_int_equal(v.rbal.carried_out, 15000 * MAN);
	assert_int_equal(v.acct.carried_out, 15000 * MAN);
	assert_int_equal(v.rbal2.carried_in, 15000 * MAN);
	assert_int_equal(v.acct2.carried_in, 15000 * MAN);
	assert_string_equal(v.rbal2.region, "hakodate");
	assert_int_equal(v.rbal2.fy, 2014);
	assert_int_equal(v.rbal2.account, LD_A_GENERAL);
	assert_int_equal(v.acct2.fy, 2014);
	assert_int_equal(v.rbal.award, 2 * OKU);
	assert_int_equal(region_remaining(&v.rbal), 0);
	/* nothing left to carry, nor to pay in 2013 */
	r = req_carry("hakodate", 2013, 1, 20140331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140401);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_AWARD);

	/* not when the year or the next one is closed */
	v = w;
	v.acct.closed = 1;
	r = req_carry("hakodate", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	v = w;
	v.acct2.closed = 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* an accident carry-over (事故繰越) moves money the same way */
	v = w;
	r = req_carry("hakodate", 2013, 1, 20140310);
	r.carry_kind = LD_C_ACCIDENT;
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.rbal2.carried_in, 3000 * MAN + 1);
}

static void
test_close_year_v2(void **state)
{
	struct rules_view v;
	struct ld_entry r;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.seq = 100;
	v.now = T_0601;
	v.close_deadline = 20140430;
	v.acct.appropriated = 5 * OKU;
	v.acct.carried_in = OKU;
	v.acct.awarded = 4 * OKU;
	v.acct.disbursed = 3 * OKU;
	v.acct.refunded = 1234;
	v.acct.carried_out = OKU / 2;
	v.acct.receipts = 777;
	r = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.appropriated, 5 * OKU);
	assert_int_equal(r.awarded, 4 * OKU);
	assert_int_equal(r.disbursed, 3 * OKU);
	assert_int_equal(r.refunded, 1234);
	assert_int_equal(r.net, 3 * OKU - 1234);
	assert_int_equal(r.carried_in, OKU);
	assert_int_equal(r.budget, 6 * OKU);
	assert_int_equal(r.carried_out, OKU / 2);
	assert_int_equal(r.unused, 6 * OKU - (3 * OKU - 1234) - OKU / 2);
	assert_int_equal(r.receipts, 777);
	assert_int_equal(r.execution_rate_bp, 4999);	/* 4999.97: down */
	assert_int_equal(v.acct.closed, 1);
	assert_int_equal(v.acct.account, LD_A_GENERAL);
	assert_int_equal(v.acct.fy, 2013);

	/* all spent: 100 % */
	memset(&v, 0, sizeof(v));
	v.now = T_0601;
	v.close_deadline = 20140430;
	v.acct.appropriated = 3;
	v.acct.disbursed = 3;
	r = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.execution_rate_bp, 10000);
	assert_int_equal(r.unused, 0);

	/* an empty year: zeros, and no rate (budget 0) */
	memset(&v, 0, sizeof(v));
	v.now = T_0601;
	v.close_deadline = 20210430;
	v.now = US(1619794800);		/* 2021-04-30T15:00:00Z */
	r = req_close(LD_A_RECONSTRUCTION, 2020);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.appropriated, 0);
	assert_int_equal(r.net, 0);
	assert_int_equal(r.budget, 0);
	assert_int_equal(r.unused, 0);
	assert_int_equal(r.execution_rate_bp, -1);
	assert_int_equal(v.acct.closed, 1);
	assert_int_equal(v.acct.account, LD_A_RECONSTRUCTION);
	r = req_close(LD_A_RECONSTRUCTION, 2020);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
}

static void
test_close_year_too_early(void **state)
{
	struct rules_view v;
	struct ld_entry r;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.seq = 100;
	v.close_deadline = 20140430;
	r = req_close(LD_A_GENERAL, 2013);
	/* on the deadline in Japan: too early, to the last microsecond */
	v.now = T_0430_15Z - 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_TOO_EARLY);
	v.now = T_0430_15Z - US(12 * 3600);	/* 2014-04-30 12:00 JST */
	assert_int_equal(apply_unchanged(&r, &v), LD_E_TOO_EARLY);
	v.now = US(1396278000);		/* 2014-03-31T15:00Z, 04-01 JST */
	assert_int_equal(apply_unchanged(&r, &v), LD_E_TOO_EARLY);
	/* 2014-04-30T15:00:00Z is 2014-05-01 in Japan */
	v.now = T_0430_15Z;
	{
		struct rules_view w = v;

		assert_int_equal(apply_unchanged(&r, &w), LD_OK);
		assert_int_equal(w.acct.closed, 1);
	}
	/* the account's latest deadline, 2014-05-31 */
	v.close_deadline = 20140531;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_TOO_EARLY);
	v.now = US(1401548400) - 1;	/* 2014-05-31 23:59:59.999999 JST */
	assert_int_equal(apply_unchanged(&r, &v), LD_E_TOO_EARLY);
	v.now = US(1401548400);		/* 2014-06-01 00:00 JST */
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
}

static void
test_close_year_v1(void **state)
{
	struct rules_view v;
	struct ld_entry r;

	(void)state;
	memset(&v, 0, sizeof(v));
	/* no TOO_EARLY for a format 1 entry, whatever the time */
	v.now = T_0430_15Z - 1;
	v.close_deadline = 20140430;
	v.acct.appropriated = 5 * OKU;
	v.acct.awarded = 3 * OKU;
	v.acct.disbursed = 2 * OKU;
	v.acct.refunded = 1234;
	v.acct.carried_in = OKU;	/* not version 1 figures */
	v.acct.carried_out = 7;
	v.acct.receipts = 9;
	r = v1(req_close(LD_A_GENERAL, 2013));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.appropriated, 5 * OKU);
	assert_int_equal(r.awarded, 3 * OKU);
	assert_int_equal(r.disbursed, 2 * OKU);
	assert_int_equal(r.refunded, 1234);
	assert_int_equal(r.net, 2 * OKU - 1234);
	assert_int_equal(r.carried_in, 0);
	assert_int_equal(r.budget, 0);
	assert_int_equal(r.carried_out, 0);
	assert_int_equal(r.unused, 0);
	assert_int_equal(r.receipts, 0);
	assert_int_equal(r.execution_rate_bp, 0);
	assert_int_equal(v.acct.closed, 1);

	/* an empty year closes with zeros */
	memset(&v, 0, sizeof(v));
	r = v1(req_close(LD_A_RECONSTRUCTION, 2020));
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.appropriated, 0);
	assert_int_equal(r.net, 0);
	assert_int_equal(v.acct.closed, 1);
	r = v1(req_close(LD_A_RECONSTRUCTION, 2020));
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
}

static void
test_terms_apply(void **state)
{
	struct rules_view v;
	struct ld_entry r;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.seq = 7;
	r = req_terms(2013, LD_G_GENERAL, OKU, 2 * OKU, 0);
	rules_normalize(&r);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(r.deadline, 20140430);
	assert_int_equal(v.has_terms, 1);
	assert_int_equal(v.terms.seq, 7);
	assert_int_equal(v.terms.min, OKU);
	assert_int_equal(v.terms.max, 2 * OKU);
	assert_int_equal(v.terms.deadline, 20140430);
	assert_int_equal(v.terms.interest_bp, 1095);
	assert_int_equal(v.terms.late_bp, 1095);
	assert_int_equal(v.acct.account, LD_A_GENERAL);
	assert_int_equal(v.acct.fy, 2013);
	/* a later terms entry replaces the whole terms */
	v.seq = 8;
	r = req_terms(2013, LD_G_GENERAL, 2 * OKU, 3 * OKU, 20140531);
	r.interest_bp = 500;
	r.late_bp = 0;
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.terms.seq, 8);
	assert_int_equal(v.terms.min, 2 * OKU);
	assert_int_equal(v.terms.max, 3 * OKU);
	assert_int_equal(v.terms.deadline, 20140531);
	assert_int_equal(v.terms.interest_bp, 500);
	assert_int_equal(v.terms.late_bp, 0);
	/* each grant type's account */
	memset(&v, 0, sizeof(v));
	r = req_terms(2013, LD_G_RECONSTRUCTION, 25 * OKU / 10, 5 * OKU, 0);
	rules_normalize(&r);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_RECONSTRUCTION);
	memset(&v, 0, sizeof(v));
	r = req_terms(2013, LD_G_CONTINUING, 0, 0, 0);
	rules_normalize(&r);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(v.terms.min, 0);
	assert_int_equal(v.terms.max, 0);
	/* not for a closed year */
	memset(&v, 0, sizeof(v));
	v.acct.closed = 1;
	r = req_terms(2013, LD_G_CONTINUING, 0, 0, 20140430);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	assert_int_equal(v.has_terms, 0);
}

static void
test_overflow(void **state)
{
	struct rules_view v;
	struct ld_entry r;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.acct.appropriated = INT64_MAX - 5;
	r = req_appr(LD_A_GENERAL, 2013, 6);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_appr(LD_A_GENERAL, 2013, 5);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.acct.appropriated, INT64_MAX);

	/* an account-wide disbursed total at the edge */
	v = view_general(10 * OKU, OKU, OKU, 0, 0);
	v.region_grant = LD_G_CONTINUING;
	v.acct.disbursed = INT64_MAX;
	v.acct.refunded = INT64_MAX - 10;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);

	/* year_close net that cannot be represented */
	memset(&v, 0, sizeof(v));
	v.acct.disbursed = INT64_MAX;
	v.acct.refunded = -1;
	r = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	/* a budget that cannot be represented */
	memset(&v, 0, sizeof(v));
	v.acct.appropriated = INT64_MAX;
	v.acct.carried_in = 1;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);

	/* the next year's carried-in total */
	v = view_general(5 * OKU, 2 * OKU, 2 * OKU, 0, 0);
	v.acct2.account = LD_A_GENERAL;
	v.acct2.fy = 2014;
	v.acct2.carried_in = INT64_MAX;
	r = req_carry("hakodate", 2013, 1, 20140310);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);

	/* a year's receipts */
	v = view_general(5 * OKU, 2 * OKU, 0, 1000, 0);
	set_order(&v, 1000, 20130601, 0, 0);
	v.acct2.account = LD_A_GENERAL;
	v.acct2.fy = 2014;
	v.acct2.receipts = INT64_MAX;
	r = req_receipt("hakodate", 2013, 1, 20140410);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	assert_int_equal(ord.nreceipts, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_helpers),
		cmocka_unit_test(test_jst_date_before_epoch_subsecond),
		cmocka_unit_test(test_validate_accepts_every_kind),
		cmocka_unit_test(test_validate_refuses_bad_fields),
		cmocka_unit_test(test_validate_refuses_foreign_and_derived_fields),
		cmocka_unit_test(test_validate_new_kinds),
		cmocka_unit_test(test_validate_terms),
		cmocka_unit_test(test_validate_dates_of_new_kinds),
		cmocka_unit_test(test_validate_award_date_by_format),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_authorize_roles),
		cmocka_unit_test(test_authorize_duties),
		cmocka_unit_test(test_validate_approvals),
		cmocka_unit_test(test_needs_approval),
		cmocka_unit_test(test_decide_approval),
		cmocka_unit_test(test_same_request),
		cmocka_unit_test(test_same_request_new_kinds),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_unknown_region),
		cmocka_unit_test(test_duplicate_region),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_date_outside_fy_v1),
		cmocka_unit_test(test_payment_window_v2),
		cmocka_unit_test(test_year_closed),
		cmocka_unit_test(test_not_reversible),
		cmocka_unit_test(test_already_reversed),
		cmocka_unit_test(test_no_award),
		cmocka_unit_test(test_out_of_range_v1),
		cmocka_unit_test(test_award_terms_range),
		cmocka_unit_test(test_over_appropriation),
		cmocka_unit_test(test_award_below_disbursed),
		cmocka_unit_test(test_over_award),
		cmocka_unit_test(test_over_refund),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_precedence_no_terms),
		cmocka_unit_test(test_precedence_date_before_award),
		cmocka_unit_test(test_precedence_too_early),
		cmocka_unit_test(test_precedence_settled),
		cmocka_unit_test(test_precedence_no_receivable),
		cmocka_unit_test(test_precedence_over_receipt),
		cmocka_unit_test(test_precedence_bad_request_first),
		cmocka_unit_test(test_award_replacement),
		cmocka_unit_test(test_award_decision_date),
		cmocka_unit_test(test_payments_and_reversals),
		cmocka_unit_test(test_payments_after_settlement),
		cmocka_unit_test(test_carried_in_payments),
		cmocka_unit_test(test_cancel_award),
		cmocka_unit_test(test_settle),
		cmocka_unit_test(test_receipt_same_fy),
		cmocka_unit_test(test_receipt),
		cmocka_unit_test(test_receipt_backdated),
		cmocka_unit_test(test_receipt_reversal),
		cmocka_unit_test(test_carry_over),
		cmocka_unit_test(test_close_year_v2),
		cmocka_unit_test(test_close_year_too_early),
		cmocka_unit_test(test_close_year_v1),
		cmocka_unit_test(test_terms_apply),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
