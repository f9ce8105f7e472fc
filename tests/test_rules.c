/*
 * test_rules.c - the contract's ledger rules, decided by rules.c alone.
 *
 * Each test builds the state a writer would have looked up (struct
 * rules_view) and checks the decision and its effects: one test per error
 * code, the precedence when a request breaks several rules, the role table,
 * award replacement, reversals, year_close totals and overflow.
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

static struct rules_limits lim;

static struct ld_entry
req_region(const char *code, int grant)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_REGION;
	snprintf(e.region, sizeof(e.region), "%s", code);
	snprintf(e.name, sizeof(e.name), "函館地域");
	e.grant_type = (uint8_t)grant;
	return e;
}

static struct ld_entry
req_appr(int account, int fy, int64_t amount)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_APPROPRIATION;
	e.account = (uint8_t)account;
	e.fy = (uint16_t)fy;
	e.amount = amount;
	snprintf(e.ref, sizeof(e.ref), "BUDGET-%d", fy);
	return e;
}

static struct ld_entry
req_award(const char *region, int fy, int64_t amount)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_AWARD;
	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = (uint16_t)fy;
	e.amount = amount;
	snprintf(e.ref, sizeof(e.ref), "DEC-1");
	return e;
}

static struct ld_entry
req_pay(int kind, const char *region, int fy, int64_t amount, uint32_t date)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = (uint8_t)kind;
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
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_REVERSAL;
	e.reverses = seq;
	snprintf(e.reason, sizeof(e.reason), "entered twice");
	return e;
}

static struct ld_entry
req_close(int account, int fy)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_YEAR_CLOSE;
	e.account = (uint8_t)account;
	e.fy = (uint16_t)fy;
	return e;
}

/* A stored entry: the request plus what the daemon derived. */
static struct ld_entry
stored(struct ld_entry e, uint64_t seq, int account)
{
	e.seq = seq;
	if (account != 0)
		e.account = (uint8_t)account;
	snprintf(e.actor, sizeof(e.actor), "clerk01");
	return e;
}

/* The view of a known general region in fy 2013 with the given state. */
static struct rules_view
view_general(int64_t appropriated, int64_t awarded, int64_t award,
    int64_t disbursed, int64_t refunded)
{
	struct rules_view v;

	memset(&v, 0, sizeof(v));
	v.region_known = 1;
	v.region_grant = LD_G_GENERAL;
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
	v.rbal.disbursed = disbursed;
	v.rbal.refunded = refunded;
	return v;
}

/* rules_apply must leave request and view untouched when it refuses. */
static int
apply_unchanged(struct ld_entry *req, struct rules_view *v)
{
	struct ld_entry r0 = *req;
	struct rules_view v0 = *v;
	int rc;

	rc = rules_apply(&lim, req, v);
	if (rc != LD_OK) {
		assert_memory_equal(&r0, req, sizeof(r0));
		assert_memory_equal(&v0.acct, &v->acct, sizeof(v0.acct));
		assert_memory_equal(&v0.rbal, &v->rbal, sizeof(v0.rbal));
	}
	return rc;
}

/* ---- rules_validate ---- */

static void
test_validate_accepts_every_kind(void **state)
{
	struct ld_entry e;

	(void)state;
	e = req_region("hakodate", LD_G_CONTINUING);
	assert_int_equal(rules_validate(&e), LD_OK);
	snprintf(e.category, sizeof(e.category), "国際競争力強化地域");
	assert_int_equal(rules_validate(&e), LD_OK);
	e = req_appr(LD_A_RECONSTRUCTION, 2013, 15 * OKU);
	assert_int_equal(rules_validate(&e), LD_OK);
	e = req_award("hakodate", 2013, OKU);
	snprintf(e.id, sizeof(e.id), "award-2013-hakodate");
	assert_int_equal(rules_validate(&e), LD_OK);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	assert_int_equal(rules_validate(&e), LD_OK);
	snprintf(e.memo, sizeof(e.memo), "概算払");
	assert_int_equal(rules_validate(&e), LD_OK);
	e = req_pay(LD_K_REFUND, "hakodate", 2013, LD_AMOUNT_MAX, 20140531);
	assert_int_equal(rules_validate(&e), LD_OK);
	e = req_rev(7);
	assert_int_equal(rules_validate(&e), LD_OK);
	e = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(rules_validate(&e), LD_OK);
	/* seq, actor and recorded_at are the daemon's: not looked at */
	e.seq = 99;
	e.recorded_at = 12345;
	snprintf(e.actor, sizeof(e.actor), "admin01");
	assert_int_equal(rules_validate(&e), LD_OK);
}

static void
test_validate_refuses_bad_fields(void **state)
{
	struct ld_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);	/* kind 0 */
	e.kind = 8;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);

	e = req_appr(LD_A_GENERAL, 2013, 0);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e.amount = -5;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e.amount = LD_AMOUNT_MAX + 1;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_appr(LD_A_GENERAL, LD_FY_MIN - 1, 1);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_appr(LD_A_GENERAL, LD_FY_MAX + 1, 1);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_appr(0, 2013, 1);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_appr(3, 2013, 1);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_appr(LD_A_GENERAL, 2013, 1);
	e.ref[0] = '\0';
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	memset(e.ref, 'x', LD_REF_MAX);	/* 64: the limit */
	assert_int_equal(rules_validate(&e), LD_OK);
	e.ref[3] = '\t';
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);

	e = req_region("Hakodate", LD_G_GENERAL);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_region("hakodate", 0);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_region("hakodate", LD_G_MAX + 1);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_region("hakodate", LD_G_GENERAL);
	e.name[0] = '\0';
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_region("hakodate", LD_G_GENERAL);
	snprintf(e.category, sizeof(e.category), "a\nb");
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);

	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130230);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 0);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	snprintf(e.memo, sizeof(e.memo), "\xff\xfe");
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_pay(LD_K_REFUND, "", 2013, 1, 20130630);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);

	e = req_rev(0);
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_rev(3);
	e.reason[0] = '\0';
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);

	e = req_award("hakodate", 2013, OKU);
	snprintf(e.id, sizeof(e.id), "id\x01");
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
}

static void
test_validate_refuses_foreign_and_derived_fields(void **state)
{
	struct ld_entry e;

	(void)state;
	e = req_award("hakodate", 2013, OKU);
	e.account = LD_A_GENERAL;	/* derived from the region */
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	e.account = LD_A_GENERAL;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	e.reverses = 3;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_appr(LD_A_GENERAL, 2013, 1);
	snprintf(e.region, sizeof(e.region), "hakodate");
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_appr(LD_A_GENERAL, 2013, 1);
	e.date = 20130630;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_region("hakodate", LD_G_GENERAL);
	e.amount = 5;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_award("hakodate", 2013, OKU);
	snprintf(e.memo, sizeof(e.memo), "memo");
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_rev(3);
	e.fy = 2013;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_rev(3);
	e.target_kind = LD_K_DISBURSEMENT;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_rev(3);
	e.amount = 1;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_close(LD_A_GENERAL, 2013);
	e.net = 1;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_close(LD_A_GENERAL, 2013);
	e.appropriated = 1;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
	e = req_close(LD_A_GENERAL, 2013);
	e.grant_type = LD_G_GENERAL;
	assert_int_equal(rules_validate(&e), LD_E_BAD_REQUEST);
}

/* ---- rules_authorize ---- */

static void
test_authorize_roles(void **state)
{
	struct ld_entry reg = req_region("hakodate", LD_G_GENERAL);
	struct ld_entry appr = req_appr(LD_A_GENERAL, 2013, OKU);
	struct ld_entry aw = req_award("hakodate", 2013, OKU);
	struct ld_entry d = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	struct ld_entry rf = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	struct ld_entry rv = req_rev(3);
	struct ld_entry cl = req_close(LD_A_GENERAL, 2013);
	const struct ld_entry *admin_only[] = { &reg, &appr, &aw, &cl };
	const struct ld_entry *clerk_only[] = { &d, &rf };
	const int readers[] = { ROLE_AUDITOR, ROLE_RECONCILER, ROLE_NONE, 99 };
	size_t i, k;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(rules_authorize(ROLE_ADMIN, admin_only[i], 0), LD_OK);
		assert_int_equal(rules_authorize(ROLE_CLERK, admin_only[i], 0),
		    LD_E_FORBIDDEN);
	}
	for (i = 0; i < 2; i++) {
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
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, LD_K_DISBURSEMENT),
	    LD_E_FORBIDDEN);
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, LD_K_REFUND),
	    LD_E_FORBIDDEN);
	/* missing or non-reversible target: writers go on to learn why */
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, 0), LD_OK);
	assert_int_equal(rules_authorize(ROLE_CLERK, &rv, 0), LD_OK);
	assert_int_equal(rules_authorize(ROLE_ADMIN, &rv, LD_K_AWARD), LD_OK);
	assert_int_equal(rules_authorize(ROLE_CLERK, &rv, LD_K_REGION), LD_OK);
	/* readers write nothing, whatever the target */
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 4; i++)
			assert_int_equal(rules_authorize(readers[k], admin_only[i], 0),
			    LD_E_FORBIDDEN);
		for (i = 0; i < 2; i++)
			assert_int_equal(rules_authorize(readers[k], clerk_only[i], 0),
			    LD_E_FORBIDDEN);
		for (i = 0; i <= LD_K_MAX; i++)
			assert_int_equal(rules_authorize(readers[k], &rv, (int)i),
			    LD_E_FORBIDDEN);
	}
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

	a = stored(req_award("hakodate", 2013, OKU), 4, LD_A_GENERAL);
	b = req_award("hakodate", 2013, OKU);
	assert_true(rules_same_request(&a, &b));
	snprintf(b.ref, sizeof(b.ref), "DEC-2");
	assert_false(rules_same_request(&a, &b));

	a = stored(req_rev(3), 10, 0);
	a.target_kind = LD_K_DISBURSEMENT;
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
	b = req_close(LD_A_GENERAL, 2013);
	assert_true(rules_same_request(&a, &b));
	b.fy = 2014;
	assert_false(rules_same_request(&a, &b));
}

/* ---- rules_scope ---- */

static void
test_scope(void **state)
{
	struct ld_entry r, t;
	const char *region;
	uint8_t account;
	uint16_t fy;

	(void)state;
	r = req_award("miyagi", 2013, 3 * OKU);
	rules_scope(&r, LD_G_RECONSTRUCTION, NULL, &account, &fy, &region);
	assert_int_equal(account, LD_A_RECONSTRUCTION);
	assert_int_equal(fy, 2013);
	assert_string_equal(region, "miyagi");
	rules_scope(&r, LD_G_CONTINUING, NULL, &account, &fy, &region);
	assert_int_equal(account, LD_A_GENERAL);
	rules_scope(&r, 0, NULL, &account, &fy, &region);
	assert_int_equal(account, 0);

	r = req_appr(LD_A_RECONSTRUCTION, 2014, 1);
	rules_scope(&r, 0, NULL, &account, &fy, &region);
	assert_int_equal(account, LD_A_RECONSTRUCTION);
	assert_int_equal(fy, 2014);
	assert_string_equal(region, "");

	r = req_region("hakodate", LD_G_GENERAL);
	rules_scope(&r, 0, NULL, &account, &fy, &region);
	assert_int_equal(account, 0);
	assert_int_equal(fy, 0);
	assert_string_equal(region, "");

	r = req_rev(5);
	t = stored(req_pay(LD_K_REFUND, "miyagi", 2012, 1, 20120630), 5,
	    LD_A_RECONSTRUCTION);
	rules_scope(&r, 0, &t, &account, &fy, &region);
	assert_int_equal(account, LD_A_RECONSTRUCTION);
	assert_int_equal(fy, 2012);
	assert_string_equal(region, "miyagi");
	rules_scope(&r, 0, NULL, &account, &fy, &region);
	assert_int_equal(account, 0);
	assert_string_equal(region, "");
}

/* ---- rules_apply: each refusal ---- */

static void
test_unknown_region(void **state)
{
	struct ld_entry r;
	struct rules_view v;

	(void)state;
	memset(&v, 0, sizeof(v));
	r = req_award("nowhere", 2013, OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_pay(LD_K_DISBURSEMENT, "nowhere", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_UNKNOWN_REGION);
	r = req_pay(LD_K_REFUND, "nowhere", 2013, 1, 20130630);
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
}

static void
test_date_outside_fy(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r;

	(void)state;
	/* the window is [2013-04-01, 2014-05-31] */
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130331);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140601);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130401);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20140531);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20120531);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_DATE_OUTSIDE_FY);
}

static void
test_year_closed(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 1000, 0);
	struct ld_entry r, t;

	(void)state;
	v.acct.closed = 1;
	r = req_appr(LD_A_GENERAL, 2013, 1);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_award("hakodate", 2013, OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1, 20130630);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* a repeated close-year */
	r = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
	/* a reversal of an entry of the closed year */
	t = stored(req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 1000, 20130630),
	    5, LD_A_GENERAL);
	r = req_rev(5);
	v.target = &t;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
}

static void
test_not_reversible(void **state)
{
	struct rules_view v = view_general(2 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r = req_rev(4), t;

	(void)state;
	t = stored(req_award("hakodate", 2013, OKU), 4, LD_A_GENERAL);
	v.target = &t;
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_region("hakodate", LD_G_GENERAL), 4, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_NOT_REVERSIBLE);
	t = stored(req_rev(2), 4, LD_A_GENERAL);
	t.target_kind = LD_K_APPROPRIATION;
	t.fy = 2013;
	t.amount = 1;
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
}

static void
test_out_of_range(void **state)
{
	struct rules_view v = view_general(100 * OKU, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	r = req_award("hakodate", 2013, OKU - 1);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, 2 * OKU + 1);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_award("hakodate", 2013, 2 * OKU);
	v = view_general(100 * OKU, 0, 0, 0, 0);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);

	/* reconstruction: 2.5億-5億 from the reconstruction account */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	v.region_grant = LD_G_RECONSTRUCTION;
	r = req_award("miyagi", 2013, 2 * OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("miyagi", 2013, 5 * OKU + 1);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("miyagi", 2013, 5 * OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_RECONSTRUCTION);
	assert_int_equal(v.acct.account, LD_A_RECONSTRUCTION);
	assert_int_equal(v.rbal.grant_type, LD_G_RECONSTRUCTION);

	/* continuing: no range */
	v = view_general(100 * OKU, 0, 0, 0, 0);
	v.region_grant = LD_G_CONTINUING;
	r = req_award("hakodate", 2013, 1);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	r = req_award("hakodate", 2013, 50 * OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);

	/* configured limits replace the defaults */
	{
		struct rules_limits l2 = lim;

		l2.min[LD_G_GENERAL] = 10;
		l2.max[LD_G_GENERAL] = 20;
		v = view_general(100 * OKU, 0, 0, 0, 0);
		r = req_award("hakodate", 2013, 21);
		assert_int_equal(rules_apply(&l2, &r, &v), LD_E_OUT_OF_RANGE);
		r = req_award("hakodate", 2013, 20);
		assert_int_equal(rules_apply(&l2, &r, &v), LD_OK);
	}
}

static void
test_over_appropriation(void **state)
{
	struct rules_view v = view_general(3 * OKU, 2 * OKU, 0, 0, 0);
	struct ld_entry r, t;

	(void)state;
	/* another region holds 2億 of the 3億 appropriated */
	r = req_award("hakodate", 2013, OKU + 1);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OVER_APPROPRIATION);
	r = req_award("hakodate", 2013, OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 3 * OKU);

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
	r = req_award("hakodate", 2013, OKU + 99);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_AWARD_BELOW_DISBURSED);
	r = req_award("hakodate", 2013, OKU + 100);
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
	v.target = &t;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 5, 20130702);
	v.target = NULL;
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
	r = req_award("hakodate", 2013, 3 * OKU);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_OUT_OF_RANGE);
	r = req_award("hakodate", 2013, 2 * OKU);
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
	t = stored(req_award("hakodate", 2013, OKU), 9, LD_A_GENERAL);
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

/* ---- effects ---- */

static void
test_award_replacement(void **state)
{
	struct rules_view v = view_general(5 * OKU, 0, 0, 0, 0);
	struct ld_entry r;

	(void)state;
	r = req_award("hakodate", 2013, 2 * OKU);
	r.seq = 4;
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(v.acct.awarded, 2 * OKU);
	assert_int_equal(v.rbal.award, 2 * OKU);
	assert_int_equal(v.rbal.award_seq, 4);
	assert_string_equal(v.rbal.region, "hakodate");

	/* 変更交付決定: the later award replaces, the total follows */
	r = req_award("hakodate", 2013, 15 * OKU / 10);
	r.seq = 9;
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 15 * OKU / 10);
	assert_int_equal(v.rbal.award, 15 * OKU / 10);
	assert_int_equal(v.rbal.award_seq, 9);
	assert_int_equal(acct_unawarded(&v.acct), 35 * OKU / 10);

	/* raising it again may use room freed by the lowering */
	v.acct.awarded += 3 * OKU;	/* other regions */
	r = req_award("hakodate", 2013, 2 * OKU);
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(v.acct.awarded, 5 * OKU);
}

static void
test_payments_and_reversals(void **state)
{
	struct rules_view v = view_general(5 * OKU, OKU, OKU, 0, 0);
	struct ld_entry r, t;

	(void)state;
	r = req_pay(LD_K_DISBURSEMENT, "hakodate", 2013, 6000, 20130630);
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(r.account, LD_A_GENERAL);
	r = req_pay(LD_K_REFUND, "hakodate", 2013, 1000, 20130930);
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(v.rbal.disbursed, 6000);
	assert_int_equal(v.rbal.refunded, 1000);
	assert_int_equal(v.acct.disbursed, 6000);
	assert_int_equal(v.acct.refunded, 1000);

	/* reverse the refund: copies its target, takes the refund back */
	t = stored(req_pay(LD_K_REFUND, "hakodate", 2013, 1000, 20130930), 7,
	    LD_A_GENERAL);
	v.target = &t;
	r = req_rev(7);
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
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
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(r.target_kind, LD_K_DISBURSEMENT);
	assert_int_equal(v.rbal.disbursed, 0);
	assert_int_equal(v.acct.disbursed, 0);

	/* reverse an appropriation: no region */
	t = stored(req_appr(LD_A_GENERAL, 2013, OKU), 2, 0);
	r = req_rev(2);
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(r.target_kind, LD_K_APPROPRIATION);
	assert_string_equal(r.region, "");
	assert_int_equal(r.amount, OKU);
	assert_int_equal(v.acct.appropriated, 4 * OKU);
}

static void
test_year_close_totals(void **state)
{
	struct rules_view v;
	struct ld_entry r;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.acct.appropriated = 5 * OKU;
	v.acct.awarded = 3 * OKU;
	v.acct.disbursed = 2 * OKU;
	v.acct.refunded = 1234;
	r = req_close(LD_A_GENERAL, 2013);
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(r.appropriated, 5 * OKU);
	assert_int_equal(r.awarded, 3 * OKU);
	assert_int_equal(r.disbursed, 2 * OKU);
	assert_int_equal(r.refunded, 1234);
	assert_int_equal(r.net, 2 * OKU - 1234);
	assert_int_equal(v.acct.closed, 1);
	assert_int_equal(v.acct.account, LD_A_GENERAL);
	assert_int_equal(v.acct.fy, 2013);

	/* an empty year closes with zeros */
	memset(&v, 0, sizeof(v));
	r = req_close(LD_A_RECONSTRUCTION, 2020);
	assert_int_equal(rules_apply(&lim, &r, &v), LD_OK);
	assert_int_equal(r.appropriated, 0);
	assert_int_equal(r.net, 0);
	assert_int_equal(v.acct.closed, 1);
	r = req_close(LD_A_RECONSTRUCTION, 2020);
	assert_int_equal(apply_unchanged(&r, &v), LD_E_YEAR_CLOSED);
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
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_accepts_every_kind),
		cmocka_unit_test(test_validate_refuses_bad_fields),
		cmocka_unit_test(test_validate_refuses_foreign_and_derived_fields),
		cmocka_unit_test(test_authorize_roles),
		cmocka_unit_test(test_same_request),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_unknown_region),
		cmocka_unit_test(test_duplicate_region),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_date_outside_fy),
		cmocka_unit_test(test_year_closed),
		cmocka_unit_test(test_not_reversible),
		cmocka_unit_test(test_already_reversed),
		cmocka_unit_test(test_no_award),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_over_appropriation),
		cmocka_unit_test(test_award_below_disbursed),
		cmocka_unit_test(test_over_award),
		cmocka_unit_test(test_over_refund),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_award_replacement),
		cmocka_unit_test(test_payments_and_reversals),
		cmocka_unit_test(test_year_close_totals),
		cmocka_unit_test(test_overflow),
	};

	rules_limits_default(&lim);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
