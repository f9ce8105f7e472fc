/*
 * receivable.c - the arithmetic of a repayment order (see receivable.h for
 * the model; docs/SUBSIDY-ACT.md for where it departs from the statute).
 *
 * Where the words of the contract (2.2, 2.9) and of the Subsidy Act land:
 *
 *  - "受領の日から納付の日までの日数" (art. 19(1)), both days counted:
 *    the "+ 1" in book_status() and receive().
 *  - "納期日の翌日から納付の日までの日数" (art. 19(2)): D - repay_by, no "+ 1".
 *  - "年...パーセントの割合", per 365 days also in leap years: YEAR_BP is
 *    365 * 10000 whatever years the period spans.
 *  - "既納額を控除した額" / "未納付額": a repaid piece stops accruing on the
 *    day it is paid and has its charges fixed then; the rest of its part
 *    keeps accruing.  A part repaid in two pieces is two parts.
 *  - Principal first, the latest part first; then 加算金, then 延滞金:
 *    receive().  Attribution from the latest disbursement backwards, after
 *    same-year refunds: rcv_attribute().
 *  - Whole yen, rounded down per part or piece (contract 2.9), never on a
 *    sum: charge() is the only place that divides.
 *
 * The status is recomputed from the order and every receipt on each call
 * (each receipt touches only the parts it repays), so there is no cached
 * state to disagree with the ledger.
 *
 * amount * rate * days exceeds 64 bits already for 10^13 yen at 100 % over
 * 93 days (and reaches ~2^98 for an int64 amount over 1900-9999), so it
 * is taken in 128 bits.  Every sum of yen is overflow-checked; an overflow
 * is a range error (-1), never a wrapped figure.  For a principal up to
 * LD_AMOUNT_MAX nothing overflows: the largest total, 10^13 yen at 100 %
 * from 1900 to 9999 for both charges, is below 2 * 10^17.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "entry.h"
#include "receivable.h"

__extension__ typedef __int128 i128;

#define YEAR_BP		(365 * 10000)	/* a year of 365 days, in basis points */

/* What receipts have done to an order so far. */
struct book {
	int64_t		rem[RCV_PARTS_MAX];	/* principal unpaid, per part */
	int64_t		day[RCV_PARTS_MAX];	/* day the part was received */
	uint32_t	next;			/* first part not wholly repaid */
	int64_t		due;			/* day number of repay_by */
	int64_t		principal_paid;
	int64_t		interest;		/* fixed on repaid pieces */
	int64_t		late;			/* likewise */
	int64_t		interest_paid;
	int64_t		late_paid;
};

static int
add(int64_t *acc, int64_t v)
{
	return __builtin_add_overflow(*acc, v, acc) ? -1 : 0;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * Days since 1970-01-01 of a date already validated.  The civil-to-days
 * count of a March-based year, so that the leap day is the year's last day
 * and needs no special case; years here are >= 1899, so every division is
 * of a non-negative number and truncation is floor.
 */
static int64_t
civil_days(uint32_t yyyymmdd)
{
	int64_t	 y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100;
	int64_t	 d = yyyymmdd % 100;
	int64_t	 era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = y / 400;
	yoe = y - era * 400;				/* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* 0..365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* 0..146096 */
	return era * 146097 + doe - 719468;	/* 719468: 0000-03-01 .. 1970-01-01 */
}

/*
 * -1 on an invalid date, which is also the day number of 1969-12-31: a
 * caller that can meet that date validates with ld_valid_date() first.
 */
int64_t
rcv_day_number(uint32_t yyyymmdd)
{
	if (!ld_valid_date(yyyymmdd))
		return -1;
	return civil_days(yyyymmdd);
}

/* floor(amount * bp * days / (365 * 10000)); 0 for no days. */
static int
charge(int64_t amount, uint32_t bp, int64_t days, int64_t *out)
{
	i128	 v;

	*out = 0;
	if (days <= 0 || amount <= 0)
		return 0;
	v = (i128)amount * bp * days / YEAR_BP;
	if (v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
rcv_attribute(const struct rcv_payment *pay, size_t n, int64_t refunded,
    int64_t principal, struct rcv_order *o)
{
	int64_t	 total = 0, skip, left, net, take;
	size_t	 i;

	if (pay == NULL || o == NULL || n == 0 || refunded < 0 || principal < 1)
		return -1;
	for (i = 0; i < n; i++) {
		if (!ld_valid_date(pay[i].date) ||
		    !ld_valid_amount(pay[i].amount) ||
		    add(&total, pay[i].amount) == -1)
			return -1;
	}
	if (refunded > total || principal > total - refunded)
		return -1;

	memset(o->parts, 0, sizeof(o->parts));
	o->nparts = 0;
	o->principal = principal;
	skip = refunded;
	left = principal;
	for (i = n; i-- > 0 && left > 0;) {
		net = pay[i].amount;
		take = min64(skip, net);
		skip -= take;
		net -= take;
		if (net == 0)
			continue;
		take = min64(net, left);
		left -= take;
		if (o->nparts < RCV_PARTS_MAX) {
			o->parts[o->nparts].date = pay[i].date;
			o->parts[o->nparts].amount = take;
			o->nparts++;
		} else	/* bounded by principal: cannot overflow */
			o->parts[RCV_PARTS_MAX - 1].amount += take;
	}
	return 0;
}

/* Check the order and start its book with nothing paid. */
static int
book_open(struct book *b, const struct rcv_order *o)
{
	const struct rcv_part	*p;
	int64_t			 sum = 0;
	uint32_t		 k;

	memset(b, 0, sizeof(*b));
	if (o->nparts < 1 || o->nparts > RCV_PARTS_MAX || o->principal < 1 ||
	    !ld_valid_date(o->order_date) || !ld_valid_date(o->repay_by) ||
	    o->repay_by < o->order_date ||
	    o->interest_bp > RCV_RATE_MAX || o->late_bp > RCV_RATE_MAX)
		return -1;
	for (k = 0; k < o->nparts; k++) {
		p = &o->parts[k];
		/* Money received after the order cannot be part of it. */
		if (p->amount < 1 || !ld_valid_date(p->date) ||
		    p->date > o->order_date || add(&sum, p->amount) == -1)
			return -1;
		b->rem[k] = p->amount;
		b->day[k] = civil_days(p->date);
	}
	if (sum != o->principal)
		return -1;
	b->due = civil_days(o->repay_by);
	return 0;
}

/* The order's figures on day d: fixed charges plus what is still accruing. */
static int
book_status(const struct book *b, const struct rcv_order *o, int64_t d,
    struct rcv_status *st)
{
	int64_t		 ai = 0, al = 0, c;
	uint32_t	 k;

	for (k = b->next; k < o->nparts; k++) {
		if (charge(b->rem[k], o->interest_bp, d - b->day[k] + 1, &c) == -1 ||
		    add(&ai, c) == -1 ||
		    charge(b->rem[k], o->late_bp, d - b->due, &c) == -1 ||
		    add(&al, c) == -1)
			return -1;
	}
	memset(st, 0, sizeof(*st));
	st->principal = o->principal;
	st->principal_paid = b->principal_paid;
	st->interest = b->interest;
	st->late_charge = b->late;
	st->interest_paid = b->interest_paid;
	st->late_paid = b->late_paid;
	st->paid_charges = b->interest_paid;
	st->outstanding = o->principal - b->principal_paid;
	if (add(&st->interest, ai) == -1 || add(&st->late_charge, al) == -1 ||
	    add(&st->paid_charges, b->late_paid) == -1 ||
	    add(&st->outstanding, st->interest) == -1 ||
	    add(&st->outstanding, st->late_charge) == -1 ||
	    __builtin_sub_overflow(st->outstanding, st->paid_charges,
	    &st->outstanding))
		return -1;
	return 0;
}

/* Apply one receipt, already checked for its date, on day d. */
static int
receive(struct book *b, const struct rcv_order *o, int64_t amount, int64_t d,
    struct rcv_applied *ap)
{
	int64_t		 left = amount, piece, ci, cl;

	if (amount < 1 || amount > LD_AMOUNT_MAX)
		return -1;
	memset(ap, 0, sizeof(*ap));
	while (left > 0 && b->next < o->nparts) {
		piece = min64(left, b->rem[b->next]);
		if (charge(piece, o->interest_bp, d - b->day[b->next] + 1,
		    &ci) == -1 || add(&b->interest, ci) == -1 ||
		    charge(piece, o->late_bp, d - b->due, &cl) == -1 ||
		    add(&b->late, cl) == -1)
			return -1;
		b->rem[b->next] -= piece;
		if (b->rem[b->next] == 0)
			b->next++;
		left -= piece;
		ap->principal += piece;
	}
	b->principal_paid += ap->principal;	/* <= o->principal */
	/*
	 * Money is left only when every part is repaid, so the interest and
	 * late charge are all fixed by now and the owed amounts are final.
	 */
	ap->interest = min64(left, b->interest - b->interest_paid);
	left -= ap->interest;
	b->interest_paid += ap->interest;
	ap->late = min64(left, b->late - b->late_paid);
	left -= ap->late;
	b->late_paid += ap->late;
	/*
	 * Money left now exceeds everything outstanding on d (a part repaid
	 * whole fixes exactly what book_status() accrues on it): OVER_RECEIPT.
	 */
	return left == 0 ? 0 : -1;
}

int
rcv_status(const struct rcv_order *o, const struct rcv_receipt *r,
    size_t nr, uint32_t as_of, struct rcv_status *st,
    struct rcv_applied *applied)
{
	struct book		 b;
	struct rcv_applied	 scratch;
	uint32_t		 prev;
	size_t			 i;

	if (o == NULL || st == NULL || (r == NULL && nr > 0) ||
	    nr > RCV_RECEIPTS_MAX || book_open(&b, o) == -1)
		return -1;
	prev = o->order_date;
	for (i = 0; i < nr; i++) {
		if (!ld_valid_date(r[i].date) || r[i].date < prev)
			return -1;
		prev = r[i].date;
		if (receive(&b, o, r[i].amount, civil_days(r[i].date),
		    applied != NULL ? &applied[i] : &scratch) == -1)
			return -1;
	}
	if (!ld_valid_date(as_of) || as_of < prev)
		return -1;
	return book_status(&b, o, civil_days(as_of), st);
}
