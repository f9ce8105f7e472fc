/*
 * receivable.h - a repayment order (返還命令) and what the grantee owes on it:
 * principal, 加算金 (interest) and 延滞金 (late charge), as pure integer
 * arithmetic shared by the daemon (rules, balances, `receivables`) and the
 * tests.  Nothing here reads the clock or the disk.
 *
 * The model (contract version 2, 2.2 and 2.9; Subsidy Act arts. 19-21):
 *
 *  - Attribution.  An order for principal P on a region-year is attributed
 *    to the region-year's disbursements.  Same-year refunds (戻入) first
 *    reduce the latest disbursements; P is then attributed to what remains
 *    of the disbursements from the latest backwards (施行令 art. 10).  Each
 *    attributed part keeps the value date on which the grantee received
 *    that money.  rcv_attribute() does this.
 *
 *  - Interest (加算金) on each part, from the day the money was received to
 *    the day that part is paid back, both days counted, at the order's
 *    interest rate, per 365 days also in leap years:
 *        floor(amount * interest_bp * days / (365 * 10000))
 *    computed per part (a part repaid in two pieces is two parts).
 *
 *  - Late charge (延滞金) on principal still unpaid after repay_by, from the
 *    day after repay_by to the day of payment:
 *        floor(amount * late_bp * days / (365 * 10000)), days = D - repay_by
 *    per repaid piece too (0 when paid on or before repay_by).
 *
 *  - A receipt of X yen on date D is applied first to unpaid principal
 *    (施行令 art. 10), repaying the parts from the latest backwards; each
 *    repaid piece fixes its interest and late charge as of D.  Whatever is
 *    left pays interest, then late charges.  A receipt above what is
 *    outstanding on D is refused (OVER_RECEIPT) by the caller.
 *
 * Amounts are int64 yen up to 10^13 per entry; rates are basis points
 * (1095 = 10.95 %) at most RCV_RATE_MAX; intermediate products use 128-bit
 * integers, so nothing here overflows for any valid input.  Every function
 * returns 0, or -1 when an input is outside those limits (a caller bug or
 * a damaged ledger), leaving its outputs unspecified.
 *
 * Dates are YYYYMMDD (u32) as everywhere in the protocol.
 */
#ifndef LD_RECEIVABLE_H
#define LD_RECEIVABLE_H

#include <stddef.h>
#include <stdint.h>

#define RCV_RATE_MAX	10000		/* 100.00 % a year */
#define RCV_PARTS_MAX	256		/* attributed parts kept per order */
#define RCV_RECEIPTS_MAX 1024		/* receipts kept per order */

/* A disbursement of the region-year, as attribution needs it. */
struct rcv_payment {
	uint32_t	date;		/* value date, YYYYMMDD */
	int64_t		amount;		/* > 0 */
};

/* One attributed part of the principal. */
struct rcv_part {
	uint32_t	date;		/* day the grantee received it */
	int64_t		amount;		/* > 0 */
};

/* What an order fixes.  parts[0] is the LATEST received part. */
struct rcv_order {
	int64_t		principal;	/* sum of the parts' amounts */
	uint32_t	order_date;	/* date of the cancellation/settlement */
	uint32_t	repay_by;	/* 納期限 */
	uint32_t	interest_bp;	/* 加算金 rate */
	uint32_t	late_bp;	/* 延滞金 rate */
	uint32_t	nparts;
	struct rcv_part	parts[RCV_PARTS_MAX];
};

/* A receipt applied to an order, in the order they were recorded. */
struct rcv_receipt {
	uint32_t	date;
	int64_t		amount;
};

/* Where one receipt went. */
struct rcv_applied {
	int64_t		principal;
	int64_t		interest;
	int64_t		late;
};

/*
 * The state of an order as of a date: every figure in yen.
 * interest and late_charge are the totals owed so far, fixed (on repaid
 * principal) plus accrued to as_of (on principal still unpaid);
 * paid_charges = interest_paid + late_paid;
 * outstanding = principal - principal_paid + interest + late_charge -
 * paid_charges.
 */
struct rcv_status {
	int64_t		principal;
	int64_t		principal_paid;
	int64_t		interest;
	int64_t		late_charge;
	int64_t		interest_paid;
	int64_t		late_paid;
	int64_t		paid_charges;
	int64_t		outstanding;
};

/* Days since 1970-01-01 of a valid YYYYMMDD date (proleptic Gregorian). */
int64_t	rcv_day_number(uint32_t yyyymmdd);

/*
 * Attribute principal to the region-year's disbursements.  pay[0..n) are the
 * unreversed disbursements in seq (recording) order; refunded is the total
 * of the unreversed same-year refunds, which reduce the latest disbursements
 * first.  Fills o->parts (latest first), o->nparts and o->principal.
 * Parts with the same date stay separate.  When more than RCV_PARTS_MAX
 * parts would be needed, the oldest ones are merged into the last kept part
 * (its date is kept: this can only lower the interest; docs say so).
 * Returns -1 when principal is not in 1..(sum(pay) - refunded), or an
 * amount is out of range.  "Latest" means seq order, not date order: the
 * entries' value dates normally agree, and seq order is what the ledger
 * proves.
 */
int	rcv_attribute(const struct rcv_payment *pay, size_t n, int64_t refunded,
	    int64_t principal, struct rcv_order *o);

/*
 * The order's status as of date as_of after the receipts r[0..nr), applied
 * one after the other on their own dates (each receipt's date must be on or
 * after the previous one's and on or after the order date, and as_of on or
 * after the last receipt's date).  applied (NULL or nr elements) receives
 * where each receipt went.  Returns -1 when a receipt is zero, negative or
 * above what was outstanding on its date, when dates go backwards, or on a
 * range error.
 */
int	rcv_status(const struct rcv_order *o, const struct rcv_receipt *r,
	    size_t nr, uint32_t as_of, struct rcv_status *st,
	    struct rcv_applied *applied);

#endif
