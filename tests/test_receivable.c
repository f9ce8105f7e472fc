/*
 * test_receivable.c - 加算金 and 延滞金 on a repayment order (receivable.h).
 *
 * Every expected figure is worked out by hand in the comment next to it,
 * from day counts and the formula floor(amount * bp * days / 3,650,000);
 * nothing is computed with the code under test.  Most cases use 10.95 %
 * (1095 bp), which is exactly 0.03 % a day: interest = amount * days * 3 /
 * 10,000, easy to check on paper.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "entry.h"
#include "receivable.h"

/* An order of one part, received on `received`. */
static void
order1(struct rcv_order *o, uint32_t received, int64_t amount,
    uint32_t order_date, uint32_t repay_by, uint32_t ibp, uint32_t lbp)
{
	memset(o, 0, sizeof(*o));
	o->principal = amount;
	o->order_date = order_date;
	o->repay_by = repay_by;
	o->interest_bp = ibp;
	o->late_bp = lbp;
	o->nparts = 1;
	o->parts[0].date = received;
	o->parts[0].amount = amount;
}

static void
test_day_number_known(void **state)
{
	(void)state;
	assert_int_equal(rcv_day_number(19700101), 0);
	assert_int_equal(rcv_day_number(19700102), 1);
	/* 1969-12-31 is a real date one day before the epoch. */
	assert_int_equal(rcv_day_number(19691231), -1);
	/* 2000-01-01 = 30 * 365 + 7 leap days (72..96) = 10957; + 31 + 29. */
	assert_int_equal(rcv_day_number(20000301), 11017);
	/* 2000 is a leap year (divisible by 400). */
	assert_int_equal(rcv_day_number(20000229), 11016);
	/* 2013-01-01 = 43 * 365 + 11 leap days (72..2012) = 15706; + 31+28+31. */
	assert_int_equal(rcv_day_number(20130401), 15796);
	/* 1900-01-01: 70 * 365 + 17 leap days (1904..1968) = 25567 before. */
	assert_int_equal(rcv_day_number(19000101), -25567);
	/* 10000-01-01T00:00:00Z is 253402300800 s = 2932897 days. */
	assert_int_equal(rcv_day_number(99991231), 2932896);
	/* The leap day sits between Feb 28 and Mar 1. */
	assert_int_equal(rcv_day_number(20160301) - rcv_day_number(20160228), 2);
	assert_int_equal(rcv_day_number(20150301) - rcv_day_number(20150228), 1);
}

static void
test_day_number_invalid(void **state)
{
	(void)state;
	assert_int_equal(rcv_day_number(20150229), -1);	/* 2015 not leap */
	assert_int_equal(rcv_day_number(19000229), -1);	/* 1900 not leap */
	assert_int_equal(rcv_day_number(21000229), -1);	/* 2100 not leap */
	assert_int_equal(rcv_day_number(20160230), -1);
	assert_int_equal(rcv_day_number(20130431), -1);
	assert_int_equal(rcv_day_number(20131301), -1);
	assert_int_equal(rcv_day_number(20130100), -1);
	assert_int_equal(rcv_day_number(20130001), -1);
	assert_int_equal(rcv_day_number(18991231), -1);	/* before 1900 */
	assert_int_equal(rcv_day_number(100000101), -1);	/* after 9999 */
	assert_int_equal(rcv_day_number(0), -1);
}

/*
 * One part of 1,000,000 received 2013-04-01, due 2013-10-31.
 * 2013-04-01..2013-10-31 inclusive: 30+31+30+31+31+30+31 = 214 days,
 * interest 1,000,000 * 214 * 3 / 10,000 = 64,200, no late charge.
 */
static void
test_paid_on_due_date(void **state)
{
	struct rcv_order	o;
	struct rcv_receipt	r = { 20131031, 1064200 };
	struct rcv_applied	a;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000000, 20131001, 20131031, 1095, 1095);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), 0);
	assert_int_equal(st.interest, 64200);
	assert_int_equal(st.late_charge, 0);
	assert_int_equal(st.outstanding, 1064200);

	assert_int_equal(rcv_status(&o, &r, 1, 20131031, &st, &a), 0);
	assert_int_equal(a.principal, 1000000);
	assert_int_equal(a.interest, 64200);
	assert_int_equal(a.late, 0);
	assert_int_equal(st.principal_paid, 1000000);
	assert_int_equal(st.interest_paid, 64200);
	assert_int_equal(st.paid_charges, 64200);
	assert_int_equal(st.outstanding, 0);
}

/*
 * The same order paid the day after the due date: 215 days of interest,
 * 64,500, and one day of late charge: 1,000,000 * 1 * 3 / 10,000 = 300.
 */
static void
test_paid_day_after_due_date(void **state)
{
	struct rcv_order	o;
	struct rcv_receipt	r = { 20131101, 1064800 };
	struct rcv_applied	a;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000000, 20131001, 20131031, 1095, 1095);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131101, &st, NULL), 0);
	assert_int_equal(st.interest, 64500);
	assert_int_equal(st.late_charge, 300);
	assert_int_equal(st.outstanding, 1064800);

	assert_int_equal(rcv_status(&o, &r, 1, 20131101, &st, &a), 0);
	assert_int_equal(a.principal, 1000000);
	assert_int_equal(a.interest, 64500);
	assert_int_equal(a.late, 300);
	assert_int_equal(st.late_paid, 300);
	assert_int_equal(st.paid_charges, 64800);
	assert_int_equal(st.outstanding, 0);
}

/*
 * A year that holds 2016-02-29 has 366 days, still divided by 365:
 * 1,000,000 at 10 % from 2015-03-01 to 2016-02-29 inclusive (366 days) is
 * 1,000,000 * 1000 * 366 / 3,650,000 = 100,273.97 -> 100,273, not the
 * 100,000 a 366-day divisor would give.  The year before (2014-03-01 ..
 * 2015-02-28, 365 days) gives exactly 100,000.
 */
static void
test_leap_year_divides_by_365(void **state)
{
	struct rcv_order	o;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20150301, 1000000, 20160229, 20160331, 1000, 0);
	assert_int_equal(rcv_status(&o, NULL, 0, 20160229, &st, NULL), 0);
	assert_int_equal(st.interest, 100273);
	assert_int_equal(st.outstanding, 1100273);

	order1(&o, 20140301, 1000000, 20150228, 20150331, 1000, 0);
	assert_int_equal(rcv_status(&o, NULL, 0, 20150228, &st, NULL), 0);
	assert_int_equal(st.interest, 100000);
}

/*
 * 1,000,000 received 2013-04-01, ordered 2013-10-01, due 2013-10-31.
 *  A. 2013-10-11, 400,000: all principal (less than the principal).  The
 *     piece fixes 194 days (30+31+30+31+31+30+11) of interest:
 *     400,000 * 194 * 3 / 10,000 = 23,280.
 *  B. 2013-11-10, 650,000: the other 600,000 of principal, fixing 224 days
 *     (214 + 10) of interest, 600,000 * 224 * 3 / 10,000 = 40,320, and 10
 *     days of late charge, 600,000 * 10 * 3 / 10,000 = 1,800; the 50,000
 *     left pays interest.  Owed after: 63,600 - 50,000 + 1,800 = 15,400.
 *  C. 2013-12-01, 15,400: 13,600 of interest, then 1,800 of late charge.
 */
static void
test_partial_payments(void **state)
{
	struct rcv_order	o;
	struct rcv_receipt	r[3] = {
		{ 20131011, 400000 }, { 20131110, 650000 }, { 20131201, 15400 }
	};
	struct rcv_applied	a[3];
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000000, 20131001, 20131031, 1095, 1095);

	/*
	 * After A, on its day: 23,280 fixed plus 600,000 * 194 * 3 / 10,000 =
	 * 34,920 accruing = 58,200; owed 600,000 + 58,200.
	 */
	assert_int_equal(rcv_status(&o, r, 1, 20131011, &st, a), 0);
	assert_int_equal(a[0].principal, 400000);
	assert_int_equal(a[0].interest, 0);
	assert_int_equal(a[0].late, 0);
	assert_int_equal(st.principal_paid, 400000);
	assert_int_equal(st.interest, 58200);
	assert_int_equal(st.interest_paid, 0);
	assert_int_equal(st.outstanding, 658200);

	assert_int_equal(rcv_status(&o, r, 2, 20131110, &st, a), 0);
	assert_int_equal(a[1].principal, 600000);
	assert_int_equal(a[1].interest, 50000);
	assert_int_equal(a[1].late, 0);
	assert_int_equal(st.interest, 63600);
	assert_int_equal(st.late_charge, 1800);
	assert_int_equal(st.outstanding, 15400);

	/* Nothing accrues once the principal is repaid: as of months later. */
	assert_int_equal(rcv_status(&o, r, 3, 20140331, &st, a), 0);
	assert_int_equal(a[2].principal, 0);
	assert_int_equal(a[2].interest, 13600);
	assert_int_equal(a[2].late, 1800);
	assert_int_equal(st.principal, 1000000);
	assert_int_equal(st.principal_paid, 1000000);
	assert_int_equal(st.interest, 63600);
	assert_int_equal(st.late_charge, 1800);
	assert_int_equal(st.interest_paid, 63600);
	assert_int_equal(st.late_paid, 1800);
	assert_int_equal(st.paid_charges, 65400);
	assert_int_equal(st.outstanding, 0);
}

/*
 * A receipt smaller than the interest owed still goes to principal while
 * principal is unpaid (contract 2.2): 100 yen on the due date repays
 * 100 yen of principal and no interest.
 */
static void
test_principal_before_interest(void **state)
{
	struct rcv_order	o;
	struct rcv_receipt	r = { 20131031, 100 };
	struct rcv_applied	a;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000000, 20131001, 20131031, 1095, 1095);
	assert_int_equal(rcv_status(&o, &r, 1, 20131031, &st, &a), 0);
	assert_int_equal(a.principal, 100);
	assert_int_equal(a.interest, 0);
	/* 100 * 214 * 3 / 10,000 = 6.42 -> 6 fixed; 999,900 * 214 * 3 /
	 * 10,000 = 64,193.58 -> 64,193 accruing: 64,199 (one yen lost to the
	 * split, which the contract wants). */
	assert_int_equal(st.interest, 64199);
	assert_int_equal(st.outstanding, 999900 + 64199);
}

/*
 * Disbursements 2013-05-01 3,000,000; 2013-08-01 2,000,000; 2013-11-01
 * 1,000,000 (in seq order).  A same-year refund of 400,000 eats into the
 * latest, leaving 600,000 of it; principal 1,500,000 is then 600,000 of
 * the 2013-11-01 money and 900,000 of the 2013-08-01 money.
 * Paid in full on 2014-06-30 (the due date):
 *   600,000 from 2013-11-01: 30+31+31+28+31+30+31+30 = 242 days, 43,560;
 *   900,000 from 2013-08-01: 31+30+31 + 242 = 334 days, 90,180.
 */
static void
test_attribute_latest_first(void **state)
{
	struct rcv_payment	pay[3] = {
		{ 20130501, 3000000 }, { 20130801, 2000000 }, { 20131101, 1000000 }
	};
	struct rcv_order	o;
	struct rcv_status	st;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(rcv_attribute(pay, 3, 400000, 1500000, &o), 0);
	assert_int_equal(o.principal, 1500000);
	assert_int_equal(o.nparts, 2);
	assert_int_equal(o.parts[0].date, 20131101);
	assert_int_equal(o.parts[0].amount, 600000);
	assert_int_equal(o.parts[1].date, 20130801);
	assert_int_equal(o.parts[1].amount, 900000);

	o.order_date = 20140601;
	o.repay_by = 20140630;
	o.interest_bp = 1095;
	o.late_bp = 1095;
	assert_int_equal(rcv_status(&o, NULL, 0, 20140630, &st, NULL), 0);
	assert_int_equal(st.interest, 43560 + 90180);
	assert_int_equal(st.late_charge, 0);
	assert_int_equal(st.outstanding, 1500000 + 133740);
}

/*
 * The order above, 700,000 received on the due date: it repays the latest
 * part (600,000: 43,560 fixed) and 100,000 of the next (100,000 * 334 * 3 /
 * 10,000 = 10,020 fixed).  As of 2014-07-10 the remaining 800,000 of the
 * 2013-08-01 part accrues 344 days, 82,560, and 10 days late, 2,400.
 */
static void
test_partial_repayment_latest_part_first(void **state)
{
	struct rcv_payment	pay[3] = {
		{ 20130501, 3000000 }, { 20130801, 2000000 }, { 20131101, 1000000 }
	};
	struct rcv_receipt	r = { 20140630, 700000 };
	struct rcv_applied	a;
	struct rcv_order	o;
	struct rcv_status	st;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(rcv_attribute(pay, 3, 400000, 1500000, &o), 0);
	o.order_date = 20140601;
	o.repay_by = 20140630;
	o.interest_bp = 1095;
	o.late_bp = 1095;
	assert_int_equal(rcv_status(&o, &r, 1, 20140710, &st, &a), 0);
	assert_int_equal(a.principal, 700000);
	assert_int_equal(a.interest, 0);
	assert_int_equal(st.principal_paid, 700000);
	assert_int_equal(st.interest, 43560 + 10020 + 82560);
	assert_int_equal(st.late_charge, 2400);
	assert_int_equal(st.outstanding, 800000 + 136140 + 2400);
}

/*
 * A refund larger than the latest disbursement eats into the one before:
 * refund 1,200,000 leaves 0 of the 2013-11-01 money and 1,800,000 of the
 * 2013-08-01 money; principal 2,000,000 is 1,800,000 of that and 200,000
 * of the 2013-05-01 money.  Two payments on one date stay two parts.
 */
static void
test_attribute_refund_spans_payments(void **state)
{
	struct rcv_payment	pay[3] = {
		{ 20130501, 3000000 }, { 20130801, 2000000 }, { 20131101, 1000000 }
	};
	struct rcv_payment	same[2] = { { 20130601, 500 }, { 20130601, 700 } };
	struct rcv_order	o;

	(void)state;
	assert_int_equal(rcv_attribute(pay, 3, 1200000, 2000000, &o), 0);
	assert_int_equal(o.nparts, 2);
	assert_int_equal(o.parts[0].date, 20130801);
	assert_int_equal(o.parts[0].amount, 1800000);
	assert_int_equal(o.parts[1].date, 20130501);
	assert_int_equal(o.parts[1].amount, 200000);

	/* The whole net paid: 6,000,000 - 1,200,000. */
	assert_int_equal(rcv_attribute(pay, 3, 1200000, 4800000, &o), 0);
	assert_int_equal(o.nparts, 2);
	assert_int_equal(o.parts[1].amount, 3000000);

	assert_int_equal(rcv_attribute(same, 2, 0, 1000, &o), 0);
	assert_int_equal(o.nparts, 2);
	assert_int_equal(o.parts[0].amount, 700);
	assert_int_equal(o.parts[1].amount, 300);
}

static void
test_attribute_refused(void **state)
{
	struct rcv_payment	pay[2] = { { 20130501, 3000 }, { 20130801, 2000 } };
	struct rcv_payment	bad;
	struct rcv_order	o;

	(void)state;
	assert_int_equal(rcv_attribute(pay, 2, 0, 0, &o), -1);
	assert_int_equal(rcv_attribute(pay, 2, 0, -1, &o), -1);
	assert_int_equal(rcv_attribute(pay, 2, 0, 5001, &o), -1);
	assert_int_equal(rcv_attribute(pay, 2, 1000, 4001, &o), -1);
	assert_int_equal(rcv_attribute(pay, 2, 1000, 4000, &o), 0);
	assert_int_equal(rcv_attribute(pay, 2, 5000, 1, &o), -1);
	assert_int_equal(rcv_attribute(pay, 2, 5001, 1, &o), -1);
	assert_int_equal(rcv_attribute(pay, 2, -1, 1, &o), -1);
	assert_int_equal(rcv_attribute(pay, 0, 0, 1, &o), -1);
	assert_int_equal(rcv_attribute(NULL, 2, 0, 1, &o), -1);
	assert_int_equal(rcv_attribute(pay, 2, 0, 1, NULL), -1);
	bad.date = 20130501;
	bad.amount = 0;
	assert_int_equal(rcv_attribute(&bad, 1, 0, 1, &o), -1);
	bad.amount = LD_AMOUNT_MAX + 1;
	assert_int_equal(rcv_attribute(&bad, 1, 0, 1, &o), -1);
	bad.amount = LD_AMOUNT_MAX;
	assert_int_equal(rcv_attribute(&bad, 1, 0, LD_AMOUNT_MAX, &o), 0);
	bad.date = 20130230;
	assert_int_equal(rcv_attribute(&bad, 1, 0, 1, &o), -1);
}

/*
 * 300 disbursements of 10 yen on distinct dates of 2013: all the
 * principal (3,000) needs 300 parts; the 256 latest are kept and the 44
 * oldest fold into the last kept one (pay[44]), keeping its date:
 * 10 + 44 * 10 = 450.  With exactly 256 payments nothing is folded.
 */
static void
test_attribute_merges_beyond_max(void **state)
{
	static struct rcv_payment	pay[300];
	struct rcv_order		o;
	int64_t				sum = 0;
	uint32_t			k;
	size_t				i;

	(void)state;
	for (i = 0; i < 300; i++) {
		/* Distinct valid dates: days 1-28 of January to November. */
		pay[i].date = 20130000 + (uint32_t)(i / 28 + 1) * 100 +
		    (uint32_t)(i % 28 + 1);
		pay[i].amount = 10;
	}
	assert_int_equal(rcv_attribute(pay, 300, 0, 3000, &o), 0);
	assert_int_equal(o.nparts, RCV_PARTS_MAX);
	assert_int_equal(o.parts[0].date, pay[299].date);
	assert_int_equal(o.parts[0].amount, 10);
	assert_int_equal(o.parts[RCV_PARTS_MAX - 1].date, pay[44].date);
	assert_int_equal(o.parts[RCV_PARTS_MAX - 1].amount, 450);
	for (k = 0; k < o.nparts; k++)
		sum += o.parts[k].amount;
	assert_int_equal(sum, 3000);

	assert_int_equal(rcv_attribute(pay + 44, 256, 0, 2560, &o), 0);
	assert_int_equal(o.nparts, RCV_PARTS_MAX);
	assert_int_equal(o.parts[RCV_PARTS_MAX - 1].amount, 10);
}

/*
 * 10^13 yen received 2000-01-01 at 100 % a year for both charges, due
 * 2000-01-31, as of 2049-12-31.  amount * 10000 * days is ~1.8 * 10^21,
 * far above 2^63, so this needs the 128-bit product.
 *   Interest: 2000-01-01..2049-12-31 = 50 * 365 + 13 leap days (2000..2048)
 *   = 18,263 days; 10^13 * 18,263 / 365 = 50 * 10^13 + 13 * 10^13 / 365
 *   = 500,000,000,000,000 + 356,164,383,561.6 -> 500,356,164,383,561.
 *   Late: 18,263 - 31 = 18,232 days (after 2000-01-31); 18,232 = 49 * 365 +
 *   347: 490,000,000,000,000 + 347 * 10^13 / 365 (9,506,849,315,068.5)
 *   -> 499,506,849,315,068.
 */
static void
test_ten_trillion_for_decades(void **state)
{
	struct rcv_order	o;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20000101, LD_AMOUNT_MAX, 20000101, 20000131, 10000, 10000);
	assert_int_equal(rcv_status(&o, NULL, 0, 20491231, &st, NULL), 0);
	assert_int_equal(st.interest, INT64_C(500356164383561));
	assert_int_equal(st.late_charge, INT64_C(499506849315068));
	assert_int_equal(st.outstanding, INT64_C(10000000000000) +
	    INT64_C(500356164383561) + INT64_C(499506849315068));

	/*
	 * The widest span: 1900-01-01..9999-12-31 = 25,567 + 2,932,896 + 1 =
	 * 2,958,464 days = 8,105 * 365 + 139: 81,050,000,000,000,000 +
	 * 139 * 10^13 / 365 (3,808,219,178,082.2) = 81,053,808,219,178,082.
	 * Late from 1900-01-02: 2,958,463 days, 138 * 10^13 / 365 =
	 * 3,780,821,917,808.2 -> 81,053,780,821,917,808.
	 */
	order1(&o, 19000101, LD_AMOUNT_MAX, 19000101, 19000101, 10000, 10000);
	assert_int_equal(rcv_status(&o, NULL, 0, 99991231, &st, NULL), 0);
	assert_int_equal(st.interest, INT64_C(81053808219178082));
	assert_int_equal(st.late_charge, INT64_C(81053780821917808));
}

/*
 * Two parts of 5,000 received 2013-04-01, ordered 2013-04-03: 3 days each,
 * 5,000 * 3 * 3 / 10,000 = 4.5 -> 4 per part, 8 in all; one part of 10,000
 * would give exactly 9.  A day after the due date (4 days, 1 late):
 * 6 + 6 interest, and 1.5 -> 1 late per part = 2, where 10,000 gives 3.
 */
static void
test_rounds_down_per_part(void **state)
{
	struct rcv_order	o;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 10000, 20130403, 20130403, 1095, 1095);
	assert_int_equal(rcv_status(&o, NULL, 0, 20130403, &st, NULL), 0);
	assert_int_equal(st.interest, 9);
	assert_int_equal(rcv_status(&o, NULL, 0, 20130404, &st, NULL), 0);
	assert_int_equal(st.late_charge, 3);

	o.nparts = 2;
	o.parts[0].amount = 5000;
	o.parts[1].date = 20130401;
	o.parts[1].amount = 5000;
	assert_int_equal(rcv_status(&o, NULL, 0, 20130403, &st, NULL), 0);
	assert_int_equal(st.interest, 8);
	assert_int_equal(st.outstanding, 10008);
	assert_int_equal(rcv_status(&o, NULL, 0, 20130404, &st, NULL), 0);
	assert_int_equal(st.interest, 12);
	assert_int_equal(st.late_charge, 2);
}

/* Outstanding on 2013-11-01 is 1,064,800 (test_paid_day_after_due_date). */
static void
test_over_receipt_refused(void **state)
{
	struct rcv_order	o;
	struct rcv_receipt	r[2] = { { 20131101, 1064801 }, { 20131102, 1 } };
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000000, 20131001, 20131031, 1095, 1095);
	assert_int_equal(rcv_status(&o, r, 1, 20131101, &st, NULL), -1);
	r[0].amount = 1064800;
	assert_int_equal(rcv_status(&o, r, 1, 20131101, &st, NULL), 0);
	/* Nothing is outstanding after that: even one yen is too much. */
	assert_int_equal(rcv_status(&o, r, 2, 20131102, &st, NULL), -1);
	/* A receipt of 0, negative or above an entry's limit. */
	r[0].amount = 0;
	assert_int_equal(rcv_status(&o, r, 1, 20131101, &st, NULL), -1);
	r[0].amount = -5;
	assert_int_equal(rcv_status(&o, r, 1, 20131101, &st, NULL), -1);
	order1(&o, 20130401, LD_AMOUNT_MAX, 20131001, 20131031, 1095, 1095);
	r[0].amount = LD_AMOUNT_MAX + 1;
	assert_int_equal(rcv_status(&o, r, 1, 20131101, &st, NULL), -1);
}

static void
test_dates_backwards_refused(void **state)
{
	struct rcv_order	o;
	struct rcv_receipt	r[2] = { { 20131020, 1000 }, { 20131010, 1000 } };
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000000, 20131001, 20131031, 1095, 1095);
	/* The second receipt is dated before the first. */
	assert_int_equal(rcv_status(&o, r, 2, 20131031, &st, NULL), -1);
	/* Same day twice is fine. */
	r[1].date = 20131020;
	assert_int_equal(rcv_status(&o, r, 2, 20131031, &st, NULL), 0);
	assert_int_equal(st.principal_paid, 2000);
	/* as_of before the last receipt. */
	assert_int_equal(rcv_status(&o, r, 2, 20131019, &st, NULL), -1);
	/* A receipt before the order. */
	r[0].date = 20130930;
	assert_int_equal(rcv_status(&o, r, 1, 20131031, &st, NULL), -1);
	/* as_of before the order, with no receipt. */
	assert_int_equal(rcv_status(&o, NULL, 0, 20130930, &st, NULL), -1);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131001, &st, NULL), 0);
	/* Invalid dates. */
	r[0].date = 20131032;
	assert_int_equal(rcv_status(&o, r, 1, 20131101, &st, NULL), -1);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131131, &st, NULL), -1);
}

static void
test_inconsistent_order_refused(void **state)
{
	struct rcv_order	o;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000, 20131001, 20131031, 1095, 1095);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), 0);

	o.nparts = 0;
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.nparts = RCV_PARTS_MAX + 1;
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.nparts = 1;
	o.principal = 999;		/* parts sum to 1,000 */
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.principal = 1000;
	o.parts[0].date = 20131002;	/* received after the order */
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.parts[0].date = 20130229;
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.parts[0].date = 20130401;
	o.repay_by = 20130930;		/* due before the order */
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.repay_by = 20131031;
	o.interest_bp = RCV_RATE_MAX + 1;
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.interest_bp = RCV_RATE_MAX;
	o.late_bp = RCV_RATE_MAX + 1;
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.late_bp = 1095;
	o.parts[0].amount = 0;
	o.principal = 0;
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.parts[0].amount = 1000;
	o.principal = 1000;
	o.order_date = 20131000;
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), -1);
	o.order_date = 20131001;
	assert_int_equal(rcv_status(&o, NULL, 1, 20131031, &st, NULL), -1);
	assert_int_equal(rcv_status(NULL, NULL, 0, 20131031, &st, NULL), -1);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, NULL, NULL), -1);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131031, &st, NULL), 0);
}

/* More receipts than an order keeps is a damaged order, refused. */
static void
test_too_many_receipts_refused(void **state)
{
	static struct rcv_receipt	r[RCV_RECEIPTS_MAX + 1];
	struct rcv_order		o;
	struct rcv_status		st;
	size_t				i;

	(void)state;
	order1(&o, 20130401, 10000000, 20131001, 20131031, 0, 0);
	for (i = 0; i < RCV_RECEIPTS_MAX + 1; i++) {
		r[i].date = 20131001;
		r[i].amount = 1;
	}
	assert_int_equal(rcv_status(&o, r, RCV_RECEIPTS_MAX, 20131001, &st,
	    NULL), 0);
	assert_int_equal(st.principal_paid, RCV_RECEIPTS_MAX);
	assert_int_equal(rcv_status(&o, r, RCV_RECEIPTS_MAX + 1, 20131001, &st,
	    NULL), -1);
}

/*
 * Before the due date only interest accrues, on the order date too:
 * 2013-04-01..2013-10-01 = 30+31+30+31+31+30+1 = 184 days, 55,200.  With
 * both rates at 0 the principal alone is owed, however late.
 */
static void
test_before_due_and_zero_rates(void **state)
{
	struct rcv_order	o;
	struct rcv_status	st;

	(void)state;
	order1(&o, 20130401, 1000000, 20131001, 20131031, 1095, 1095);
	assert_int_equal(rcv_status(&o, NULL, 0, 20131001, &st, NULL), 0);
	assert_int_equal(st.interest, 55200);
	assert_int_equal(st.late_charge, 0);
	assert_int_equal(st.outstanding, 1055200);

	order1(&o, 20130401, 1000000, 20131001, 20131031, 0, 0);
	assert_int_equal(rcv_status(&o, NULL, 0, 20231001, &st, NULL), 0);
	assert_int_equal(st.interest, 0);
	assert_int_equal(st.late_charge, 0);
	assert_int_equal(st.outstanding, 1000000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_number_known),
		cmocka_unit_test(test_day_number_invalid),
		cmocka_unit_test(test_paid_on_due_date),
		cmocka_unit_test(test_paid_day_after_due_date),
		cmocka_unit_test(test_leap_year_divides_by_365),
		cmocka_unit_test(test_partial_payments),
		cmocka_unit_test(test_principal_before_interest),
		cmocka_unit_test(test_attribute_latest_first),
		cmocka_unit_test(test_partial_repayment_latest_part_first),
		cmocka_unit_test(test_attribute_refund_spans_payments),
		cmocka_unit_test(test_attribute_refused),
		cmocka_unit_test(test_attribute_merges_beyond_max),
		cmocka_unit_test(test_ten_trillion_for_decades),
		cmocka_unit_test(test_rounds_down_per_part),
		cmocka_unit_test(test_over_receipt_refused),
		cmocka_unit_test(test_dates_backwards_refused),
		cmocka_unit_test(test_inconsistent_order_refused),
		cmocka_unit_test(test_too_many_receipts_refused),
		cmocka_unit_test(test_before_due_and_zero_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
