/*
 * rules.c - the contract's ledger rules, as pure functions.
 *
 * This is the one place where a grant rule lives.  apply.c calls it for
 * every request inside the writer's transaction and for every stored entry
 * when `ledgerd --verify` replays the ledger; the unit tests call it
 * directly.  Nothing here does I/O or reads the clock ("today" is the
 * entry's recorded_at), so a decision depends only on the request and the
 * state the caller looked up (struct rules_view).
 *
 * rules_apply() checks every rule before it changes the request or the
 * balances: a refusal leaves them as they were.  A repayment order in the
 * view may already have been changed (a receipt's reversal edits it in
 * place), so the caller drops the view on a refusal; apply.c does, and
 * writes nothing.
 *
 * Overflow: amounts are at most 10^13 yen, so a single entry cannot overflow
 * an int64, but a running total (say, an account's appropriations) is a sum
 * of unboundedly many.  Every sum is computed with __builtin_*_overflow, and
 * a sum that would leave int64 is refused as OUT_OF_RANGE: the amount is
 * outside what the ledger can represent.  That check sits at the
 * OUT_OF_RANGE step of the contract's order, after the "not found" and
 * "closed" kinds of refusal and before the balance comparisons.
 *
 * Version 1 entries (format 1) keep the version 1 rules: the award ranges
 * 1億-2億 and 2.5億-5億 without terms entries, value dates up to
 * (fy+1)-05-31, awards without a decision date, no TOO_EARLY.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "errors.h"
#include "msg.h"
#include "rules.h"
#include "values.h"
#include "wire.h"

uint32_t
rules_default_deadline(uint16_t fy)
{
	return ((uint32_t)fy + 1) * 10000 + 430;
}

uint16_t
rules_fy_of(uint32_t d)
{
	return (uint16_t)(d / 100 % 100 >= 4 ? d / 10000 : d / 10000 - 1);
}

uint32_t
rules_jst_date(int64_t t_us)
{
	int64_t secs, z, era, doe, yoe, y, doy, mp, d, m;

	/* Days since 1970-01-01 in Japan, rounded down (H. Hinnant's civil). */
	secs = t_us / 1000000 - (t_us % 1000000 < 0) + 9 * 3600;
	z = secs / 86400 - (secs % 86400 < 0);
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	return (uint32_t)(y * 10000 + m * 100 + d);
}

/* A string field that is NUL-terminated inside its array. */
#define TERMINATED(f)	(memchr((f), '\0', sizeof(f)) != NULL)

/* Which request fields a kind takes (proto/PROTOCOL.md "Write requests"). */
#define F_REGION	0x0001
#define F_NAME		0x0002
#define F_GRANT		0x0004
#define F_CATEGORY	0x0008
#define F_ACCOUNT	0x0010
#define F_FY		0x0020
#define F_AMOUNT	0x0040
#define F_REF		0x0080
#define F_DATE		0x0100
#define F_MEMO		0x0200
#define F_REVERSES	0x0400
#define F_REASON	0x0800
#define F_TERMS		0x1000	/* min, max, deadline, interest_bp, late_bp */
#define F_REPAY_BY	0x2000	/* optional */
#define F_CARRY		0x4000
#define F_FLAGS		0x8000	/* optional; format 3 */
#define F_POLICY	0x10000	/* require, disburse_over, expire_days */
#define F_APPROVAL	0x20000	/* request, decision (and reason) */

static unsigned
request_fields(int kind, int format)
{
	int v1 = format == LD_ENTRY_FORMAT_V1;

	switch (kind) {
	case LD_K_REGION:
		return F_REGION | F_NAME | F_GRANT | F_CATEGORY;
	case LD_K_APPROPRIATION:
		return F_ACCOUNT | F_FY | F_AMOUNT | F_REF;
	case LD_K_AWARD:
		return F_REGION | F_FY | F_AMOUNT | F_REF | (v1 ? 0 : F_DATE);
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		return F_REGION | F_FY | F_AMOUNT | F_REF | F_DATE | F_MEMO |
		    (format == 0 || format >= 3 ? F_FLAGS : 0);
	case LD_K_REVERSAL:
		return F_REVERSES | F_REASON;
	case LD_K_YEAR_CLOSE:
		return F_ACCOUNT | F_FY;
	}
	if (v1)
		return 0;
	switch (kind) {
	case LD_K_TERMS:
		return F_FY | F_GRANT | F_REF | F_TERMS;
	case LD_K_AWARD_CANCEL:
		return F_REGION | F_FY | F_DATE | F_REASON | F_REF | F_REPAY_BY;
	case LD_K_SETTLEMENT:
		return F_REGION | F_FY | F_AMOUNT | F_DATE | F_REF | F_REPAY_BY;
	case LD_K_RECEIPT:
		return F_REGION | F_FY | F_AMOUNT | F_DATE | F_REF;
	case LD_K_CARRY_OVER:
		return F_REGION | F_FY | F_AMOUNT | F_CARRY | F_DATE | F_REF;
	}
	if (format != 0 && format < 4)
		return 0;
	switch (kind) {
	case LD_K_POLICY:
		return F_POLICY | F_REF;
	case LD_K_APPROVAL:
		return F_APPROVAL;
	default:
		return 0;	/* a request entry is the daemon's, never asked for */
	}
}

static int
valid_terms(const struct ld_entry *q)
{
	uint32_t lo = ((uint32_t)q->fy + 1) * 10000 + 401;
	uint32_t hi = ((uint32_t)q->fy + 1) * 10000 + 531;

	if (q->min == 0 && q->max == 0) {
		if (q->grant_type != LD_G_CONTINUING)
			return 0;	/* general and reconstruction need a range */
	} else if (!ld_valid_amount(q->min) || !ld_valid_amount(q->max) ||
	    q->min > q->max)
		return 0;
	if (q->deadline != 0 && (!ld_valid_date(q->deadline) ||
	    q->deadline < lo || q->deadline > hi))
		return 0;
	if (q->fy >= LD_FY_MAX)
		return 0;	/* its deadline would lie beyond the last year */
	return q->interest_bp <= LD_RATE_MAX && q->late_bp <= LD_RATE_MAX;
}

/*
 * seq, actor, recorded_at and format are the daemon's to set and are not
 * looked at; every derived field must be zero, like any field the kind
 * does not take.
 */
int
rules_validate(const struct ld_entry *req)
{
	unsigned f;

	if ((f = request_fields(req->kind, req->format)) == 0)
		return LD_E_BAD_REQUEST;
	if (!TERMINATED(req->region) || !TERMINATED(req->name) ||
	    !TERMINATED(req->category) || !TERMINATED(req->ref) ||
	    !TERMINATED(req->memo) || !TERMINATED(req->reason) ||
	    !TERMINATED(req->id))
		return LD_E_BAD_REQUEST;
	if (req->id[0] != '\0' && !ld_valid_ref(req->id))
		return LD_E_BAD_REQUEST;

	if (f & F_REGION ? !ld_valid_code(req->region) : req->region[0] != '\0')
		return LD_E_BAD_REQUEST;
	if (f & F_NAME ? !ld_valid_text(req->name, 0) : req->name[0] != '\0')
		return LD_E_BAD_REQUEST;
	if (f & F_GRANT ? req->grant_type < 1 || req->grant_type > LD_G_MAX :
	    req->grant_type != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_CATEGORY ? !ld_valid_text(req->category, 1) :
	    req->category[0] != '\0')
		return LD_E_BAD_REQUEST;
	if (f & F_ACCOUNT ? !ld_valid_account(req->account) : req->account != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_FY ? !ld_valid_fy(req->fy) : req->fy != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_AMOUNT ? !ld_valid_amount(req->amount) : req->amount != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_REF ? !ld_valid_ref(req->ref) : req->ref[0] != '\0')
		return LD_E_BAD_REQUEST;
	if (f & F_DATE ? !ld_valid_date(req->date) : req->date != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_MEMO ? !ld_valid_text(req->memo, 1) : req->memo[0] != '\0')
		return LD_E_BAD_REQUEST;
	if (f & F_REVERSES ? req->reverses == 0 : req->reverses != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_REASON ? !ld_valid_text(req->reason, 0) :
	    (f & F_APPROVAL) == 0 && req->reason[0] != '\0')
		return LD_E_BAD_REQUEST;
	if (f & F_POLICY ? (req->require & ~LD_REQUIRABLE) != 0 ||
	    (req->disburse_over != 0 && !ld_valid_amount(req->disburse_over)) ||
	    req->expire_days < 1 || req->expire_days > LD_EXPIRE_DAYS_MAX :
	    req->require != 0 || req->disburse_over != 0 ||
	    req->expire_days != 0)
		return LD_E_BAD_REQUEST;
	/* approve takes no reason; reject needs one. */
	if (f & F_APPROVAL ? req->request == 0 ||
	    (req->decision != LD_D_APPROVED &&
	    req->decision != LD_D_REJECTED) ||
	    !ld_valid_text(req->reason, req->decision == LD_D_APPROVED) ||
	    (req->decision == LD_D_APPROVED && req->reason[0] != '\0') :
	    req->request != 0 || req->decision != 0)
		return LD_E_BAD_REQUEST;
	if (req->action != 0 || req->expires_at != 0 ||
	    req->approved_by != 0 || req->refusal != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_TERMS ? !valid_terms(req) : req->min != 0 || req->max != 0 ||
	    req->deadline != 0 || req->interest_bp != 0 || req->late_bp != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_REPAY_BY ? req->repay_by != 0 &&
	    (!ld_valid_date(req->repay_by) || req->repay_by < req->date) :
	    req->repay_by != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_CARRY ? req->carry_kind < 1 || req->carry_kind > LD_C_MAX :
	    req->carry_kind != 0)
		return LD_E_BAD_REQUEST;
	if (f & F_FLAGS ? (req->flags & ~LD_EF_ALL) != 0 : req->flags != 0)
		return LD_E_BAD_REQUEST;
	if (req->target_kind != 0 || req->appropriated != 0 ||
	    req->awarded != 0 || req->disbursed != 0 || req->refunded != 0 ||
	    req->net != 0 || req->carried_in != 0 || req->budget != 0 ||
	    req->carried_out != 0 || req->unused != 0 || req->receipts != 0 ||
	    req->execution_rate_bp != 0 || req->principal != 0 ||
	    req->interest != 0 || req->late != 0)
		return LD_E_BAD_REQUEST;
	return LD_OK;
}

void
rules_normalize(struct ld_entry *req)
{
	if (req->kind == LD_K_TERMS && req->deadline == 0)
		req->deadline = rules_default_deadline(req->fy);
}

int
rules_authorize(int roles, const struct ld_entry *req, int target_kind)
{
	int may;

	switch (req->kind) {
	case LD_K_REGION:
	case LD_K_APPROPRIATION:
	case LD_K_YEAR_CLOSE:
	case LD_K_TERMS:
	case LD_K_POLICY:
		may = ROLE_ADMIN | ROLE_BUDGET;
		break;
	case LD_K_AWARD:
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
	case LD_K_CARRY_OVER:
		may = ROLE_ADMIN | ROLE_OBLIGATING;
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		may = ROLE_CLERK | ROLE_DISBURSING;
		break;
	case LD_K_RECEIPT:
		may = ROLE_CLERK | ROLE_REVENUE;
		break;
	case LD_K_REVERSAL:
		switch (target_kind) {
		case LD_K_APPROPRIATION:
			may = ROLE_ADMIN | ROLE_BUDGET;
			break;
		case LD_K_DISBURSEMENT:
		case LD_K_REFUND:
			may = ROLE_CLERK | ROLE_DISBURSING;
			break;
		case LD_K_RECEIPT:
			may = ROLE_CLERK | ROLE_REVENUE;
			break;
		default:
			/*
			 * No such entry, or one that cannot be reversed: a
			 * writer learns NOT_FOUND / NOT_REVERSIBLE (or
			 * YEAR_CLOSED) from the rules, not FORBIDDEN.
			 */
			may = ROLE_ADMIN | ROLE_CLERK | ROLE_BUDGET |
			    ROLE_DISBURSING | ROLE_REVENUE;
		}
		break;
	case LD_K_APPROVAL:
		/*
		 * Any officer may try: whether its roles allow the action
		 * is rules_decide_approval()'s question, after NOT_FOUND
		 * and NOT_PENDING (2.10).
		 */
		may = ROLE_ADMIN | ROLE_CLERK | ROLE_BUDGET | ROLE_OBLIGATING |
		    ROLE_DISBURSING | ROLE_REVENUE;
		break;
	default:
		may = 0;
	}
	return (roles & may) != 0 ? LD_OK : LD_E_FORBIDDEN;
}

void
rules_request_of(const struct ld_entry *e, struct ld_entry *req)
{
	*req = *e;
	req->seq = 0;
	req->actor[0] = '\0';
	req->recorded_at = 0;
	req->target_kind = 0;
	req->appropriated = req->awarded = req->disbursed = 0;
	req->refunded = req->net = req->carried_in = req->budget = 0;
	req->carried_out = req->unused = req->receipts = 0;
	req->execution_rate_bp = req->principal = req->interest = 0;
	req->late = 0;
	req->expires_at = 0;
	req->approved_by = 0;
	req->refusal = 0;
	if (e->kind != LD_K_APPROVAL)
		req->request = 0;
	else if (e->decision == LD_D_REFUSED)
		req->decision = LD_D_APPROVED;	/* what was asked */
	switch (e->kind) {
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
	case LD_K_TERMS:
	case LD_K_SETTLEMENT:
	case LD_K_RECEIPT:
	case LD_K_CARRY_OVER:
		req->account = 0;
		break;
	case LD_K_AWARD_CANCEL:
		req->account = 0;
		req->amount = 0;
		break;
	case LD_K_REVERSAL:
		memset(req->region, 0, sizeof(req->region));
		req->account = 0;
		req->fy = 0;
		req->amount = 0;
		break;
	}
}

/*
 * Two requests are the same when their wire encodings are, but for the
 * permission flags: that is the whole of what a client can say, so
 * nothing can be forgotten here when a kind gains a field.
 */
int
rules_same_request(const struct ld_entry *s, const struct ld_entry *r)
{
	struct ld_entry a, b;
	struct wbuf wa, wb;
	int same;

	if (s->kind != r->kind)
		return 0;
	rules_request_of(s, &a);
	rules_request_of(r, &b);
	a.format = b.format = 0;
	/*
	 * --allow-duplicate-ref is a permission, not part of the payment:
	 * a retry that adds or drops it is the same request.
	 */
	a.flags = b.flags = 0;
	wbuf_init(&wa);
	wbuf_init(&wb);
	same = msg_encode_write(&wa, &a) == 0 && msg_encode_write(&wb, &b) == 0 &&
	    wa.len == wb.len && memcmp(wa.data, wb.data, wa.len) == 0;
	wbuf_free(&wa);
	wbuf_free(&wb);
	return same;
}

int
rules_needs_approval(const struct ld_policy *p, const struct ld_entry *req)
{
	if (req->kind < 1 || req->kind > LD_K_MAX ||
	    (LD_KIND_BIT(req->kind) & LD_APPROVABLE) == 0 ||
	    req->approved_by != 0 || req->format < 4)
		return 0;
	if (req->kind == LD_K_DISBURSEMENT)
		return p->disburse_over != 0 && req->amount > p->disburse_over;
	return (p->require & LD_KIND_BIT(req->kind)) != 0;
}

void
rules_request_entry(const struct ld_entry *action, const struct ld_policy *p,
    int64_t now, struct ld_entry *out)
{
	/* out may be action itself: read what is kept first. */
	uint8_t format = action->format, kind = action->kind;
	uint64_t seq = action->seq;

	rules_request_of(action, out);
	out->format = format;
	out->seq = seq;
	out->action = kind;
	out->kind = LD_K_REQUEST;
	out->recorded_at = now;
	out->expires_at = now + (int64_t)p->expire_days * 86400 * 1000000;
}

void
rules_action_of(const struct ld_entry *r, struct ld_entry *a)
{
	*a = *r;
	a->kind = r->action;
	a->action = 0;
	a->expires_at = 0;
	a->seq = 0;
	a->actor[0] = '\0';
	a->id[0] = '\0';
	a->recorded_at = 0;
}

int
rules_decide_approval(const struct ld_entry *appr, const struct ld_entry *r,
    const struct ld_reqstate *rs, int roles, const char *actor,
    int target_kind, int64_t now)
{
	struct ld_entry a;
	int own;

	if (r == NULL || r->kind != LD_K_REQUEST || rs == NULL)
		return LD_E_NOT_FOUND;
	if (rs->status != LD_REQ_PENDING || now > r->expires_at)
		return LD_E_NOT_PENDING;
	rules_action_of(r, &a);
	own = strcmp(actor, r->actor) == 0;
	/* The author may withdraw its request; anyone else needs the roles. */
	if (!(appr->decision == LD_D_REJECTED && own) &&
	    rules_authorize(roles, &a, target_kind) != LD_OK)
		return LD_E_FORBIDDEN;
	if (appr->decision != LD_D_REJECTED && own)
		return LD_E_SELF_APPROVAL;
	return LD_OK;
}

/*
 * A reversal is scoped by its target whatever the target's kind, so that a
 * reversal naming an entry of a closed year reports YEAR_CLOSED, which the
 * contract ranks before NOT_REVERSIBLE.
 */
void
rules_scope(const struct ld_entry *req, int region_grant,
    const struct ld_entry *target, struct rules_scope *sc)
{
	uint8_t account = (uint8_t)ld_grant_account(region_grant);

	memset(sc, 0, sizeof(*sc));
	sc->region = "";
	sc->region2 = "";
	switch (req->kind) {
	case LD_K_APPROPRIATION:
	case LD_K_YEAR_CLOSE:
		sc->account = req->account;
		sc->fy = req->fy;
		sc->close = req->kind == LD_K_YEAR_CLOSE;
		break;
	case LD_K_TERMS:
		sc->account = (uint8_t)ld_grant_account(req->grant_type);
		sc->fy = req->fy;
		break;
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
	case LD_K_RECEIPT:
	case LD_K_CARRY_OVER:
		if (account == 0)
			break;	/* unknown region: nothing to look up */
		sc->account = account;
		sc->fy = req->fy;
		sc->region = req->region;
		sc->terms_grant = (uint8_t)region_grant;
		if (req->kind == LD_K_AWARD_CANCEL ||
		    req->kind == LD_K_SETTLEMENT) {
			sc->payments = 1;
			sc->order = 1;
		}
		if (req->kind == LD_K_RECEIPT) {
			sc->order = 1;
			sc->account2 = account;
			sc->fy2 = rules_fy_of(req->date);
		}
		/* A voucher typed twice (2.3), from format 3 on. */
		if ((req->kind == LD_K_DISBURSEMENT ||
		    req->kind == LD_K_REFUND) && req->format >= 3 &&
		    (req->flags & LD_EF_DUP_REF_OK) == 0)
			sc->dup_ref = 1;
		if (req->kind == LD_K_CARRY_OVER && req->fy < LD_FY_MAX) {
			sc->account2 = account;
			sc->fy2 = (uint16_t)(req->fy + 1);
			sc->region2 = req->region;
		}
		break;
	case LD_K_REVERSAL:
		if (target == NULL)
			break;
		sc->account = target->account;
		sc->fy = target->fy;
		if (target->kind == LD_K_AWARD ||
		    target->kind == LD_K_DISBURSEMENT ||
		    target->kind == LD_K_REFUND ||
		    target->kind == LD_K_RECEIPT)
			sc->region = target->region;
		if (target->kind == LD_K_RECEIPT) {
			sc->order = 1;
			sc->account2 = target->account;
			sc->fy2 = rules_fy_of(target->date);
		}
		break;
	default:
		break;
	}
}

/* a + b into *out; OUT_OF_RANGE when it leaves int64. */
static int
add(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_add_overflow(a, b, out) ? LD_E_OUT_OF_RANGE : LD_OK;
}

static int
sub(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_sub_overflow(a, b, out) ? LD_E_OUT_OF_RANGE : LD_OK;
}

/*
 * Refusals with the figures needed to fix the input (contract 2.3): each
 * fills v->why and returns its code, so that a check reads
 * `return over_award(v, cap, net, amount);`.
 */
static void
why_amounts(struct rules_view *v, const char *const *names,
    const int64_t *vals, int n)
{
	int i;

	memset(&v->why, 0, sizeof(v->why));
	for (i = 0; i < n; i++)
		msg_field_add(&v->why, names[i], MSG_FIELD_INT, vals[i]);
}

/* remaining = a - b, clamped to what int64 holds (the figures are bounded). */
static int64_t
remaining(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_sub_overflow(a, b, &r) ? 0 : r;
}

static int
over_award(struct rules_view *v, int64_t award, int64_t net, int64_t requested)
{
	static const char *const n[] = { "award", "net", "remaining",
	    "requested" };
	int64_t x[] = { award, net, remaining(award, net), requested };

	why_amounts(v, n, x, 4);
	return LD_E_OVER_AWARD;
}

static int
out_of_range(struct rules_view *v, int64_t min, int64_t max, int64_t requested)
{
	static const char *const n[] = { "min", "max", "requested" };
	int64_t x[] = { min, max, requested };

	why_amounts(v, n, x, 3);
	return LD_E_OUT_OF_RANGE;
}

static int
over_appropriation(struct rules_view *v, int64_t budget, int64_t awarded,
    int64_t requested)
{
	static const char *const n[] = { "budget", "awarded", "remaining",
	    "requested" };
	int64_t x[] = { budget, awarded, remaining(budget, awarded), requested };

	why_amounts(v, n, x, 4);
	return LD_E_OVER_APPROPRIATION;
}

static int
over_refund(struct rules_view *v, int64_t net, int64_t requested)
{
	static const char *const n[] = { "net", "requested" };
	int64_t x[] = { net, requested };

	why_amounts(v, n, x, 2);
	return LD_E_OVER_REFUND;
}

/* The window [first, last] the date missed; last 0 = open-ended. */
static int
outside_fy(struct rules_view *v, uint32_t first, uint32_t last)
{
	memset(&v->why, 0, sizeof(v->why));
	msg_field_add(&v->why, "first_date", MSG_FIELD_DATE, first);
	if (last != 0)
		msg_field_add(&v->why, "last_date", MSG_FIELD_DATE, last);
	return LD_E_DATE_OUTSIDE_FY;
}

/*
 * The second account balance is the first one when the keys agree (a
 * receipt dated in its own fiscal year): the rules then update one record.
 */
static struct ld_acct_bal *
second_acct(struct ld_acct_bal *a, struct ld_acct_bal *a2)
{
	return (a2->account == a->account && a2->fy == a->fy) ? a : a2;
}

static uint32_t
fy_start(uint16_t fy)
{
	return (uint32_t)fy * 10000 + 401;
}

/* The last value date of fy's payments: the terms' deadline, or default. */
static uint32_t
payment_deadline(const struct ld_entry *req, const struct rules_view *v)
{
	if (req->format == LD_ENTRY_FORMAT_V1)
		return ((uint32_t)req->fy + 1) * 10000 + 531;
	return v->has_terms ? v->terms.deadline : rules_default_deadline(req->fy);
}

/* The award range: the terms', or version 1's for a format 1 entry. */
static void
award_range(const struct ld_entry *req, const struct rules_view *v,
    int64_t *min, int64_t *max)
{
	*min = *max = 0;
	if (req->format != LD_ENTRY_FORMAT_V1) {
		*min = v->terms.min;
		*max = v->terms.max;
	} else if (v->region_grant == LD_G_GENERAL) {
		*min = RULES_V1_GENERAL_MIN;
		*max = RULES_V1_GENERAL_MAX;
	} else if (v->region_grant == LD_G_RECONSTRUCTION) {
		*min = RULES_V1_RECONSTRUCTION_MIN;
		*max = RULES_V1_RECONSTRUCTION_MAX;
	}
}

static int
apply_award(struct ld_entry *req, struct rules_view *v,
    struct ld_acct_bal *a, struct ld_region_bal *r)
{
	int64_t awarded, net, budget, min, max, total;
	int rc, first = r->award_seq == 0 && r->award == 0;

	if (r->settled_set)
		return LD_E_SETTLED;
	award_range(req, v, &min, &max);
	if (max > 0 && (req->amount > max || (first && req->amount < min)))
		return out_of_range(v, min, max, req->amount);
	/* The new award replaces the region's current one (変更交付決定). */
	if ((rc = sub(a->awarded, r->award, &awarded)) != LD_OK ||
	    (rc = add(awarded, req->amount, &awarded)) != LD_OK ||
	    (rc = add(awarded, a->carried_in, &total)) != LD_OK ||
	    (rc = add(a->appropriated, a->carried_in, &budget)) != LD_OK ||
	    (rc = sub(r->disbursed, r->refunded, &net)) != LD_OK)
		return rc;
	if (total > budget)
		return over_appropriation(v, budget, remaining(total,
		    req->amount), req->amount);
	if (req->amount < net)
		return LD_E_AWARD_BELOW_DISBURSED;
	a->awarded = awarded;
	r->award = req->amount;
	r->award_seq = v->seq;
	r->cancelled = 0;
	if (first && req->format != LD_ENTRY_FORMAT_V1)
		r->award_date = req->date;
	return LD_OK;
}

static int
has_award(const struct ld_region_bal *r, int v1)
{
	if (v1)
		return r->award_seq != 0 || r->award != 0;
	return r->award > 0 || r->carried_in > 0;
}

static int
apply_payment(struct ld_entry *req, struct rules_view *v, struct ld_acct_bal *a,
    struct ld_region_bal *r)
{
	int64_t net, after;
	int rc;

	if (req->kind == LD_K_REFUND && r->settled_set)
		return LD_E_SETTLED;
	if (!has_award(r, req->format == LD_ENTRY_FORMAT_V1))
		return LD_E_NO_AWARD;
	if ((rc = sub(r->disbursed, r->refunded, &net)) != LD_OK)
		return rc;
	if (req->kind == LD_K_DISBURSEMENT) {
		if ((rc = add(net, req->amount, &after)) != LD_OK ||
		    (rc = add(r->disbursed, req->amount, &r->disbursed)) != LD_OK ||
		    (rc = add(a->disbursed, req->amount, &a->disbursed)) != LD_OK)
			return rc;
		if (after > region_cap(r))
			return over_award(v, region_cap(r), net, req->amount);
	} else {
		if ((rc = add(r->refunded, req->amount, &r->refunded)) != LD_OK ||
		    (rc = add(a->refunded, req->amount, &a->refunded)) != LD_OK)
			return rc;
		if (req->amount > net)
			return over_refund(v, net, req->amount);
	}
	return LD_OK;
}

/* The receipts of an order dated up to until, as receivable.h takes them. */
static size_t
order_receipts(const struct ld_order *o, uint32_t until, struct rcv_receipt *out)
{
	uint32_t i;

	for (i = 0; i < o->nreceipts && o->receipts[i].date <= until; i++) {
		out[i].date = o->receipts[i].date;
		out[i].amount = o->receipts[i].amount;
	}
	return i;
}

int
rules_order_status(const struct ld_order *o, uint32_t as_of,
    struct rcv_status *st)
{
	struct rcv_receipt r[RCV_RECEIPTS_MAX];
	size_t n;

	/* Before the order was made, what it orders is all there is to say. */
	if (as_of < o->o.order_date)
		as_of = o->o.order_date;
	n = order_receipts(o, as_of, r);
	return rcv_status(&o->o, r, n, as_of, st, NULL);
}

static int
apply_reversal(struct ld_entry *req, struct rules_view *v,
    struct ld_acct_bal *a, struct ld_region_bal *r, struct ld_acct_bal *a2)
{
	const struct ld_entry *t = v->target;
	struct ld_order *o = v->order;
	int64_t net, after;
	uint32_t i;
	int rc;

	switch (t->kind) {
	case LD_K_APPROPRIATION:
		if ((rc = sub(a->appropriated, t->amount, &a->appropriated)) != LD_OK)
			return rc;
		if (a->appropriated < a->awarded)
			return over_appropriation(v, a->appropriated + t->amount,
			    a->awarded, t->amount);
		break;
	case LD_K_DISBURSEMENT:
		/* Less paid out: the refunds may now exceed what was paid. */
		if ((rc = sub(r->disbursed, t->amount, &r->disbursed)) != LD_OK ||
		    (rc = sub(a->disbursed, t->amount, &a->disbursed)) != LD_OK ||
		    (rc = sub(r->disbursed, r->refunded, &net)) != LD_OK)
			return rc;
		if (net < 0)
			return over_refund(v, net + t->amount, t->amount);
		break;
	case LD_K_REFUND:
		/* The money comes back out: net may now exceed the award. */
		if ((rc = sub(r->disbursed, r->refunded, &net)) != LD_OK ||
		    (rc = add(net, t->amount, &after)) != LD_OK ||
		    (rc = sub(r->refunded, t->amount, &r->refunded)) != LD_OK ||
		    (rc = sub(a->refunded, t->amount, &a->refunded)) != LD_OK)
			return rc;
		if (after > region_cap(r))
			return over_award(v, region_cap(r), net, t->amount);
		break;
	case LD_K_RECEIPT:
		/* The receipt leaves the order: what is owed can only grow. */
		if (!v->has_order)
			return LD_E_INTERNAL;
		for (i = 0; i < o->nreceipts && o->receipts[i].seq != t->seq; i++)
			;
		if (i == o->nreceipts)
			return LD_E_INTERNAL;
		memmove(&o->receipts[i], &o->receipts[i + 1],
		    (o->nreceipts - i - 1) * sizeof(o->receipts[0]));
		o->nreceipts--;
		if ((rc = sub(a2->receipts, t->amount, &a2->receipts)) != LD_OK)
			return rc;
		break;
	}
	req->target_kind = t->kind;
	memcpy(req->region, t->region, sizeof(req->region));
	req->account = t->account;
	req->fy = t->fy;
	req->amount = t->amount;
	return LD_OK;
}

/* Create the region-year's repayment order for principal (2.2). */
static int
make_order(struct ld_entry *req, struct rules_view *v, struct ld_region_bal *r,
    int64_t principal)
{
	struct ld_order *o = v->order;

	memset(o, 0, offsetof(struct ld_order, receipts));
	if (rcv_attribute(v->pay, v->npay, r->refunded, principal, &o->o) != 0)
		return LD_E_INTERNAL;	/* the state disagrees with itself */
	o->seq = v->seq;
	o->account = r->account;
	o->o.order_date = req->date;
	o->o.repay_by = req->repay_by;
	o->o.interest_bp = v->has_terms ? v->terms.interest_bp :
	    RULES_DEFAULT_RATE_BP;
	o->o.late_bp = v->has_terms ? v->terms.late_bp : RULES_DEFAULT_RATE_BP;
	o->nreceipts = 0;
	v->has_order = 1;
	r->has_order = 1;
	req->principal = principal;
	return LD_OK;
}

static int
apply_cancel(struct ld_entry *req, struct rules_view *v, struct ld_acct_bal *a,
    struct ld_region_bal *r)
{
	int64_t net;
	int rc;

	if ((rc = sub(r->disbursed, r->refunded, &net)) != LD_OK ||
	    (rc = sub(a->awarded, r->award, &a->awarded)) != LD_OK)
		return rc;
	req->amount = r->award;
	r->award = 0;
	r->cancelled = 1;
	return net > 0 ? make_order(req, v, r, net) : LD_OK;
}

static int
apply_settle(struct ld_entry *req, struct rules_view *v, struct ld_region_bal *r)
{
	int64_t net;
	int rc;

	if ((rc = sub(r->disbursed, r->refunded, &net)) != LD_OK)
		return rc;
	if (req->amount > r->award)
		return over_award(v, r->award, net, req->amount);
	r->settled_set = 1;
	r->settled = req->amount;
	return net > req->amount ? make_order(req, v, r, net - req->amount) : LD_OK;
}

static int
apply_receipt(struct ld_entry *req, struct rules_view *v, struct ld_acct_bal *a2)
{
	struct ld_order *o = v->order;
	struct rcv_receipt r[RCV_RECEIPTS_MAX];
	struct rcv_applied ap[RCV_RECEIPTS_MAX];
	struct rcv_status st;
	int rc;

	if (o->nreceipts == RCV_RECEIPTS_MAX)
		return LD_E_INTERNAL;	/* 1,024 receipts on one order */
	if (order_receipts(o, req->date, r) != o->nreceipts ||
	    rcv_status(&o->o, r, o->nreceipts, req->date, &st, NULL) != 0)
		return LD_E_INTERNAL;
	if (st.outstanding == 0)
		return LD_E_NO_RECEIVABLE;
	if (req->amount > st.outstanding)
		return LD_E_OVER_RECEIPT;
	r[o->nreceipts].date = req->date;
	r[o->nreceipts].amount = req->amount;
	if (rcv_status(&o->o, r, o->nreceipts + 1, req->date, &st, ap) != 0)
		return LD_E_INTERNAL;
	if ((rc = add(a2->receipts, req->amount, &a2->receipts)) != LD_OK)
		return rc;
	o->receipts[o->nreceipts].seq = v->seq;
	o->receipts[o->nreceipts].date = req->date;
	o->receipts[o->nreceipts].amount = req->amount;
	req->principal = ap[o->nreceipts].principal;
	req->interest = ap[o->nreceipts].interest;
	req->late = ap[o->nreceipts].late;
	o->nreceipts++;
	return LD_OK;
}

static int
apply_carry(struct ld_entry *req, struct rules_view *v, struct ld_acct_bal *a,
    struct ld_region_bal *r, struct ld_acct_bal *a2, struct ld_region_bal *r2)
{
	int64_t net, unpaid;
	int rc;

	if ((rc = sub(r->disbursed, r->refunded, &net)) != LD_OK ||
	    (rc = sub(r->award, net, &unpaid)) != LD_OK ||
	    (rc = sub(unpaid, r->carried_out, &unpaid)) != LD_OK)
		return rc;
	if (req->amount > unpaid)
		return over_award(v, r->award, remaining(r->award, unpaid),
		    req->amount);
	if ((rc = add(r->carried_out, req->amount, &r->carried_out)) != LD_OK ||
	    (rc = add(a->carried_out, req->amount, &a->carried_out)) != LD_OK ||
	    (rc = add(r2->carried_in, req->amount, &r2->carried_in)) != LD_OK ||
	    (rc = add(a2->carried_in, req->amount, &a2->carried_in)) != LD_OK)
		return rc;
	return LD_OK;
}

static int
apply_close(struct ld_entry *req, const struct ld_acct_bal *a)
{
	int64_t net, budget, unused;
	int rc;

	if ((rc = sub(a->disbursed, a->refunded, &net)) != LD_OK ||
	    (rc = add(a->appropriated, a->carried_in, &budget)) != LD_OK ||
	    (rc = sub(budget, net, &unused)) != LD_OK ||
	    (rc = sub(unused, a->carried_out, &unused)) != LD_OK)
		return rc;
	req->net = net;
	req->appropriated = a->appropriated;
	req->awarded = a->awarded;
	req->disbursed = a->disbursed;
	req->refunded = a->refunded;
	if (req->format != LD_ENTRY_FORMAT_V1) {
		req->carried_in = a->carried_in;
		req->budget = budget;
		req->carried_out = a->carried_out;
		req->unused = unused;
		req->receipts = a->receipts;
		req->execution_rate_bp = rate_bp(net, budget);
	}
	return LD_OK;
}

/* UNKNOWN_REGION ... SETTLED: the refusals that come before the balances. */
static int
check_state(struct ld_entry *req, struct rules_view *v,
    const struct rules_scope *sc, const struct ld_acct_bal *a,
    const struct ld_region_bal *r, const struct ld_acct_bal *a2)
{
	int v1 = req->format == LD_ENTRY_FORMAT_V1;
	const struct ld_entry *t = v->target;
	int64_t net = r->disbursed - r->refunded;
	uint32_t lo;

	/*
	 * BAD_REQUEST that depends on the state, first like every
	 * BAD_REQUEST: a cancellation or settlement that would order money
	 * back needs its due date.
	 */
	if (req->repay_by == 0 &&
	    ((req->kind == LD_K_AWARD_CANCEL && net > 0) ||
	    (req->kind == LD_K_SETTLEMENT && net > req->amount)))
		return LD_E_BAD_REQUEST;

	switch (req->kind) {
	case LD_K_REGION:
		return v->region_known ? LD_E_DUPLICATE_REGION : LD_OK;
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
	case LD_K_RECEIPT:
	case LD_K_CARRY_OVER:
		if (!v->region_known || sc->account == 0)
			return LD_E_UNKNOWN_REGION;
		break;
	case LD_K_REVERSAL:
		if (t == NULL)
			return LD_E_NOT_FOUND;
		break;
	}
	/* NO_TERMS */
	if (!v1 && !v->has_terms && (req->kind == LD_K_AWARD ||
	    req->kind == LD_K_SETTLEMENT || req->kind == LD_K_CARRY_OVER))
		return LD_E_NO_TERMS;
	/* DATE_OUTSIDE_FY, DATE_BEFORE_AWARD */
	switch (req->kind) {
	case LD_K_AWARD:
	case LD_K_CARRY_OVER:
		if (!v1 && (req->date < fy_start(req->fy) ||
		    req->date > ((uint32_t)req->fy + 1) * 10000 + 331))
			return outside_fy(v, fy_start(req->fy),
			    ((uint32_t)req->fy + 1) * 10000 + 331);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		if (req->date < fy_start(req->fy) ||
		    req->date > payment_deadline(req, v))
			return outside_fy(v, fy_start(req->fy),
			    payment_deadline(req, v));
		if (!v1 && req->kind == LD_K_DISBURSEMENT && r->award_date != 0 &&
		    req->date < r->award_date)
			return LD_E_DATE_BEFORE_AWARD;
		break;
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
		lo = r->award_date != 0 ? r->award_date : fy_start(req->fy);
		if (req->date < lo ||
		    req->date > ((uint32_t)req->fy + 2) * 10000 + 331)
			return outside_fy(v, lo,
			    ((uint32_t)req->fy + 2) * 10000 + 331);
		break;
	case LD_K_RECEIPT:
		if (v->has_order && (req->date < v->order->o.order_date ||
		    (v->order->nreceipts > 0 && req->date <
		    v->order->receipts[v->order->nreceipts - 1].date)))
			return outside_fy(v, v->order->nreceipts > 0 ?
			    v->order->receipts[v->order->nreceipts - 1].date :
			    v->order->o.order_date, 0);
		break;
	}
	/*
	 * YEAR_CLOSED.  Settlements, cancellations and receipts (and their
	 * reversals) come after a year's close by nature (2.10).
	 */
	switch (req->kind) {
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
	case LD_K_RECEIPT:
		break;
	case LD_K_REVERSAL:
		if (t->kind != LD_K_RECEIPT && sc->account != 0 && a->closed)
			return LD_E_YEAR_CLOSED;
		break;
	case LD_K_CARRY_OVER:
		if (a->closed || a2->closed)
			return LD_E_YEAR_CLOSED;
		break;
	default:
		if (sc->account != 0 && a->closed)
			return LD_E_YEAR_CLOSED;
	}
	/* TOO_EARLY */
	if (!v1 && req->kind == LD_K_YEAR_CLOSE &&
	    rules_jst_date(v->now) <= v->close_deadline)
		return LD_E_TOO_EARLY;
	/*
	 * SETTLED.  Once settled, the payments that determined an excess are
	 * final too: reversing one would change an order already made.
	 */
	if ((req->kind == LD_K_AWARD || req->kind == LD_K_AWARD_CANCEL ||
	    req->kind == LD_K_SETTLEMENT || req->kind == LD_K_CARRY_OVER ||
	    (req->kind == LD_K_REFUND && !v1) ||
	    (req->kind == LD_K_REVERSAL && (t->kind == LD_K_DISBURSEMENT ||
	    t->kind == LD_K_REFUND))) && r->settled_set)
		return LD_E_SETTLED;
	/* NOT_REVERSIBLE, ALREADY_REVERSED */
	if (req->kind == LD_K_REVERSAL) {
		if (t->kind != LD_K_APPROPRIATION &&
		    t->kind != LD_K_DISBURSEMENT && t->kind != LD_K_REFUND &&
		    (t->kind != LD_K_RECEIPT || v1))
			return LD_E_NOT_REVERSIBLE;
		/* A cancellation's order was made from these payments. */
		if ((t->kind == LD_K_DISBURSEMENT || t->kind == LD_K_REFUND) &&
		    r->cancelled && r->has_order)
			return LD_E_NOT_REVERSIBLE;
		if (v->target_reversed)
			return LD_E_ALREADY_REVERSED;
	}
	/* NO_AWARD, NO_RECEIVABLE */
	if ((req->kind == LD_K_AWARD_CANCEL || req->kind == LD_K_SETTLEMENT ||
	    req->kind == LD_K_CARRY_OVER) && r->award <= 0)
		return LD_E_NO_AWARD;
	if (req->kind == LD_K_RECEIPT && !v->has_order)
		return LD_E_NO_RECEIVABLE;
	return LD_OK;
}

/*
 * Works on copies of the balances and publishes them only on LD_OK; the
 * request's derived fields are written only once every check passed.
 */
int
rules_apply(struct ld_entry *req, struct rules_view *v)
{
	struct ld_acct_bal a = v->acct, a2 = v->acct2, *ap2;
	struct ld_region_bal r = v->rbal, r2 = v->rbal2;
	struct ld_entry out = *req;
	struct rules_scope sc;
	int rc;

	if (req->kind == LD_K_POLICY)
		return LD_OK;	/* data for the approvals, no balance */
	/* A reversal is scoped by its target, not by a region's grant. */
	rules_scope(req, v->region_grant, v->target, &sc);
	a.account = sc.account;
	a.fy = sc.fy;
	a2.account = sc.account2;
	a2.fy = sc.fy2;
	ap2 = second_acct(&a, &a2);
	if (sc.region[0] != '\0') {
		memcpy(r.region, sc.region, strlen(sc.region) + 1);
		r.fy = sc.fy;
		r.account = sc.account;
		if (req->kind != LD_K_REVERSAL)
			r.grant_type = v->region_grant;
	}
	if (sc.region2[0] != '\0') {
		memcpy(r2.region, sc.region2, strlen(sc.region2) + 1);
		r2.fy = sc.fy2;
		r2.account = sc.account2;
		r2.grant_type = v->region_grant;
	}

	if ((rc = check_state(&out, v, &sc, &a, &r, &a2)) != LD_OK)
		return rc;
	switch (req->kind) {
	case LD_K_REGION:
		return LD_OK;	/* a region touches no balance */
	case LD_K_APPROPRIATION:
		if ((rc = add(a.appropriated, req->amount, &a.appropriated)) != LD_OK)
			return rc;
		break;
	case LD_K_AWARD:
		if ((rc = apply_award(&out, v, &a, &r)) != LD_OK)
			return rc;
		out.account = sc.account;
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		if ((rc = apply_payment(&out, v, &a, &r)) != LD_OK)
			return rc;
		out.account = sc.account;
		break;
	case LD_K_REVERSAL:
		if ((rc = apply_reversal(&out, v, &a, &r, ap2)) != LD_OK)
			return rc;
		break;
	case LD_K_YEAR_CLOSE:
		if ((rc = apply_close(&out, &a)) != LD_OK)
			return rc;
		a.closed = 1;
		break;
	case LD_K_TERMS:
		out.account = sc.account;
		v->terms.seq = v->seq;
		v->terms.min = req->min;
		v->terms.max = req->max;
		v->terms.deadline = req->deadline;
		v->terms.interest_bp = req->interest_bp;
		v->terms.late_bp = req->late_bp;
		v->has_terms = 1;
		break;
	case LD_K_AWARD_CANCEL:
		if ((rc = apply_cancel(&out, v, &a, &r)) != LD_OK)
			return rc;
		out.account = sc.account;
		break;
	case LD_K_SETTLEMENT:
		if ((rc = apply_settle(&out, v, &r)) != LD_OK)
			return rc;
		out.account = sc.account;
		break;
	case LD_K_RECEIPT:
		if ((rc = apply_receipt(&out, v, ap2)) != LD_OK)
			return rc;
		out.account = sc.account;
		break;
	case LD_K_CARRY_OVER:
		if ((rc = apply_carry(&out, v, &a, &r, &a2, &r2)) != LD_OK)
			return rc;
		out.account = sc.account;
		break;
	default:
		return LD_E_BAD_REQUEST;
	}
	/* DUPLICATE_REF, last of all (2.9). */
	if (sc.dup_ref && v->dup_ref_seq != 0) {
		memset(&v->why, 0, sizeof(v->why));
		msg_field_add(&v->why, "seq", MSG_FIELD_INT,
		    (int64_t)v->dup_ref_seq);
		return LD_E_DUPLICATE_REF;
	}
	*req = out;
	v->acct = a;
	v->acct2 = a2;
	if (sc.region[0] != '\0')
		v->rbal = r;
	if (sc.region2[0] != '\0')
		v->rbal2 = r2;
	return LD_OK;
}

/* The value of figure name in f; 0 when absent (*found says which). */
static int64_t
why_get(const struct msg_fields *f, const char *name, int *found)
{
	uint8_t i;

	for (i = 0; f != NULL && i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0) {
			*found = 1;
			return f->f[i].value;
		}
	*found = 0;
	return 0;
}

/* Append " name 1,234 yen" (or a date) for each figure of f, comma-joined. */
static void
explain_figures(const struct msg_fields *f, char *buf, size_t len)
{
	char v[32];
	size_t n;
	uint8_t i;

	for (i = 0; f != NULL && i < f->n; i++) {
		n = strlen(buf);
		if (f->f[i].type == MSG_FIELD_DATE)
			format_date((uint32_t)f->f[i].value, v, sizeof(v));
		else if (strcmp(f->f[i].name, "seq") == 0)
			snprintf(v, sizeof(v), "%lld", (long long)f->f[i].value);
		else {
			format_amount(f->f[i].value, v, sizeof(v));
			if (strlen(v) + 5 < sizeof(v))
				strcat(v, " yen");
		}
		snprintf(buf + n, len - n, "%s%s %s", i == 0 ? " (" : ", ",
		    f->f[i].name, v);
	}
	n = strlen(buf);
	if (f != NULL && f->n > 0)
		snprintf(buf + n, len - n, ")");
}

void
rules_explain(int code, const struct ld_entry *req, const struct msg_fields *why,
    char *buf, size_t len)
{
	char d[16], a[16], b[16];
	int64_t first, last;
	int has_first, has_last;
	uint16_t fy;

	if (len == 0)
		return;
	buf[0] = '\0';
	switch (code) {
	case LD_E_DATE_OUTSIDE_FY:
		first = why_get(why, "first_date", &has_first);
		last = why_get(why, "last_date", &has_last);
		if (!has_first)
			break;
		format_date(req->date, d, sizeof(d));
		format_date((uint32_t)first, a, sizeof(a));
		if (has_last) {
			format_date((uint32_t)last, b, sizeof(b));
			snprintf(buf, len, "date %s is outside the window of "
			    "fiscal year %u for this %s: %s to %s", d,
			    (unsigned)req->fy, ld_kind_name(req->kind), a, b);
		} else
			snprintf(buf, len, "date %s is before %s, the date of "
			    "the repayment order or of its last receipt", d, a);
		fy = rules_fy_of(req->date);
		if (has_last && fy != req->fy && ld_valid_date(req->date)) {
			size_t n = strlen(buf);

			snprintf(buf + n, len - n, "; the date lies in fiscal "
			    "year %u: check --fy", (unsigned)fy);
		}
		return;
	case LD_E_DUPLICATE_REF:
		snprintf(buf, len, "ref \"%s\" is already used by seq %lld, a "
		    "%s of region %s in fiscal year %u; if this is another "
		    "payment, send it with --allow-duplicate-ref", req->ref,
		    (long long)why_get(why, "seq", &has_first),
		    ld_kind_name(req->kind), req->region, (unsigned)req->fy);
		return;
	case LD_E_ID_CONFLICT:
		snprintf(buf, len, "id \"%s\" is already used by seq %lld, "
		    "with different content", req->id,
		    (long long)why_get(why, "seq", &has_first));
		return;
	}
	snprintf(buf, len, "%s", ld_err_text(code));
	explain_figures(why, buf, len);
}
