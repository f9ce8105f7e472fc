/*
 * rules.c - the contract's ledger rules, as pure functions.
 *
 * This is the one place where a grant rule lives.  The writer calls it for
 * every request inside its write transaction; `ledgerd --verify` replays it
 * over every stored entry; the unit tests call it directly.  Nothing here
 * does I/O or reads the clock, so a decision depends only on the request
 * and the state the caller looked up (struct rules_view).
 *
 * rules_apply() checks every rule before it changes anything: a refusal
 * leaves the request and the view exactly as they were, so the writer never
 * has half an update to undo.
 *
 * Overflow: amounts are at most 10^13 yen, so a single entry cannot overflow
 * an int64, but a running total (say, an account's appropriations) is a sum
 * of unboundedly many.  Every sum is computed with __builtin_*_overflow, and
 * a sum that would leave int64 is refused as OUT_OF_RANGE: the amount is
 * outside what the ledger can represent.  That check sits at the
 * OUT_OF_RANGE step of the contract's order, after the "not found" and
 * "closed" kinds of refusal and before the balance comparisons.
 *
 * award_seq: the seq of an entry is assigned by store_append(), after the
 * rules have decided.  rules_apply() sets rbal.award_seq = req->seq for an
 * award (the writer leaves req->seq 0; the replay in verify.c sets it to the
 * stored seq); the writer then sets award_seq to store_size() + 1, and
 * store_append() stores the assigned seq as award_seq of an award in any
 * case.  "Has a current award" is therefore decided on the amount as well:
 * an award is at least 1 yen, so award != 0 means an award exists even
 * while award_seq is not yet known.
 */
#include <string.h>

#include "config.h"
#include "errors.h"
#include "rules.h"
#include "values.h"

void
rules_limits_default(struct rules_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->min[LD_G_GENERAL] = INT64_C(100000000);
	lim->max[LD_G_GENERAL] = INT64_C(200000000);
	lim->min[LD_G_RECONSTRUCTION] = INT64_C(250000000);
	lim->max[LD_G_RECONSTRUCTION] = INT64_C(500000000);
	/* continuing: 0/0, no range */
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

static unsigned
request_fields(int kind)
{
	switch (kind) {
	case LD_K_REGION:
		return F_REGION | F_NAME | F_GRANT | F_CATEGORY;
	case LD_K_APPROPRIATION:
		return F_ACCOUNT | F_FY | F_AMOUNT | F_REF;
	case LD_K_AWARD:
		return F_REGION | F_FY | F_AMOUNT | F_REF;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		return F_REGION | F_FY | F_AMOUNT | F_REF | F_DATE | F_MEMO;
	case LD_K_REVERSAL:
		return F_REVERSES | F_REASON;
	case LD_K_YEAR_CLOSE:
		return F_ACCOUNT | F_FY;
	default:
		return 0;
	}
}

/*
 * seq, actor and recorded_at are the daemon's to set and are not looked
 * at; every derived field (target_kind, year_close totals, and the account
 * of an award, disbursement or refund, which is absent from the table)
 * must be zero, like any field the kind does not take.
 */
int
rules_validate(const struct ld_entry *req)
{
	unsigned f;

	if ((f = request_fields(req->kind)) == 0)
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
	if (f & F_REASON ? !ld_valid_text(req->reason, 0) : req->reason[0] != '\0')
		return LD_E_BAD_REQUEST;
	if (req->target_kind != 0 || req->appropriated != 0 ||
	    req->awarded != 0 || req->disbursed != 0 || req->refunded != 0 ||
	    req->net != 0)
		return LD_E_BAD_REQUEST;
	return LD_OK;
}

int
rules_authorize(int role, const struct ld_entry *req, int target_kind)
{
	switch (req->kind) {
	case LD_K_REGION:
	case LD_K_APPROPRIATION:
	case LD_K_AWARD:
	case LD_K_YEAR_CLOSE:
		return role == ROLE_ADMIN ? LD_OK : LD_E_FORBIDDEN;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		return role == ROLE_CLERK ? LD_OK : LD_E_FORBIDDEN;
	case LD_K_REVERSAL:
		switch (target_kind) {
		case LD_K_APPROPRIATION:
			return role == ROLE_ADMIN ? LD_OK : LD_E_FORBIDDEN;
		case LD_K_DISBURSEMENT:
		case LD_K_REFUND:
			return role == ROLE_CLERK ? LD_OK : LD_E_FORBIDDEN;
		default:
			/*
			 * No such entry, or one that cannot be reversed: a
			 * writer learns NOT_FOUND / NOT_REVERSIBLE (or
			 * YEAR_CLOSED) from the rules, not FORBIDDEN.
			 */
			return (role == ROLE_ADMIN || role == ROLE_CLERK) ?
			    LD_OK : LD_E_FORBIDDEN;
		}
	default:
		return LD_E_FORBIDDEN;
	}
}

int
rules_same_request(const struct ld_entry *s, const struct ld_entry *r)
{
	if (s->kind != r->kind)
		return 0;
	switch (s->kind) {
	case LD_K_REGION:
		return strcmp(s->region, r->region) == 0 &&
		    strcmp(s->name, r->name) == 0 &&
		    s->grant_type == r->grant_type &&
		    strcmp(s->category, r->category) == 0;
	case LD_K_APPROPRIATION:
		return s->account == r->account && s->fy == r->fy &&
		    s->amount == r->amount && strcmp(s->ref, r->ref) == 0;
	case LD_K_AWARD:
		return strcmp(s->region, r->region) == 0 && s->fy == r->fy &&
		    s->amount == r->amount && strcmp(s->ref, r->ref) == 0;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		return strcmp(s->region, r->region) == 0 && s->fy == r->fy &&
		    s->amount == r->amount && strcmp(s->ref, r->ref) == 0 &&
		    s->date == r->date && strcmp(s->memo, r->memo) == 0;
	case LD_K_REVERSAL:
		return s->reverses == r->reverses &&
		    strcmp(s->reason, r->reason) == 0;
	case LD_K_YEAR_CLOSE:
		return s->account == r->account && s->fy == r->fy;
	default:
		return 0;
	}
}

/*
 * A reversal is scoped by its target whatever the target's kind, so that a
 * reversal naming an entry of a closed year reports YEAR_CLOSED, which the
 * contract ranks before NOT_REVERSIBLE.  Only an award, a disbursement or a
 * refund names a region balance.
 */
void
rules_scope(const struct ld_entry *req, int region_grant,
    const struct ld_entry *target, uint8_t *account, uint16_t *fy,
    const char **region)
{
	*account = 0;
	*fy = 0;
	*region = "";
	switch (req->kind) {
	case LD_K_APPROPRIATION:
	case LD_K_YEAR_CLOSE:
		*account = req->account;
		*fy = req->fy;
		break;
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		*account = (uint8_t)ld_grant_account(region_grant);
		*fy = req->fy;
		*region = req->region;
		break;
	case LD_K_REVERSAL:
		if (target == NULL)
			break;
		*account = target->account;
		*fy = target->fy;
		if (target->kind == LD_K_AWARD ||
		    target->kind == LD_K_DISBURSEMENT ||
		    target->kind == LD_K_REFUND)
			*region = target->region;
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

static int
has_award(const struct ld_region_bal *r)
{
	return r->award_seq != 0 || r->award != 0;
}

static int
apply_award(const struct rules_limits *lim, struct ld_entry *req,
    struct rules_view *v, struct ld_acct_bal *a, struct ld_region_bal *r)
{
	int64_t awarded, net;
	int g = v->region_grant, rc;

	if (g >= 1 && g <= LD_G_MAX && lim->max[g] > 0 &&
	    (req->amount < lim->min[g] || req->amount > lim->max[g]))
		return LD_E_OUT_OF_RANGE;
	/* The new award replaces the region's current one (変更交付決定). */
	if ((rc = sub(a->awarded, r->award, &awarded)) != LD_OK ||
	    (rc = add(awarded, req->amount, &awarded)) != LD_OK ||
	    (rc = sub(r->disbursed, r->refunded, &net)) != LD_OK)
		return rc;
	if (awarded > a->appropriated)
		return LD_E_OVER_APPROPRIATION;
	if (req->amount < net)
		return LD_E_AWARD_BELOW_DISBURSED;
	a->awarded = awarded;
	r->award = req->amount;
	r->award_seq = req->seq;
	return LD_OK;
}

static int
apply_payment(struct ld_entry *req, struct ld_acct_bal *a,
    struct ld_region_bal *r)
{
	int64_t net, after;
	int rc;

	if (!has_award(r))
		return LD_E_NO_AWARD;
	if ((rc = sub(r->disbursed, r->refunded, &net)) != LD_OK)
		return rc;
	if (req->kind == LD_K_DISBURSEMENT) {
		if ((rc = add(net, req->amount, &after)) != LD_OK ||
		    (rc = add(r->disbursed, req->amount, &r->disbursed)) != LD_OK ||
		    (rc = add(a->disbursed, req->amount, &a->disbursed)) != LD_OK)
			return rc;
		if (after > r->award)
			return LD_E_OVER_AWARD;
	} else {
		if ((rc = add(r->refunded, req->amount, &r->refunded)) != LD_OK ||
		    (rc = add(a->refunded, req->amount, &a->refunded)) != LD_OK)
			return rc;
		if (req->amount > net)
			return LD_E_OVER_REFUND;
	}
	return LD_OK;
}

/* The reversal's rule checks and effects, after the common ones. */
static int
apply_reversal(struct ld_entry *req, const struct ld_entry *t,
    struct ld_acct_bal *a, struct ld_region_bal *r)
{
	int64_t net, after;
	int rc;

	switch (t->kind) {
	case LD_K_APPROPRIATION:
		if ((rc = sub(a->appropriated, t->amount, &a->appropriated)) != LD_OK)
			return rc;
		if (a->appropriated < a->awarded)
			return LD_E_OVER_APPROPRIATION;
		break;
	case LD_K_DISBURSEMENT:
		/* Less paid out: the refunds may now exceed what was paid. */
		if ((rc = sub(r->disbursed, t->amount, &r->disbursed)) != LD_OK ||
		    (rc = sub(a->disbursed, t->amount, &a->disbursed)) != LD_OK ||
		    (rc = sub(r->disbursed, r->refunded, &net)) != LD_OK)
			return rc;
		if (net < 0)
			return LD_E_OVER_REFUND;
		break;
	case LD_K_REFUND:
		/* The money comes back out: net may now exceed the award. */
		if ((rc = sub(r->disbursed, r->refunded, &net)) != LD_OK ||
		    (rc = add(net, t->amount, &after)) != LD_OK ||
		    (rc = sub(r->refunded, t->amount, &r->refunded)) != LD_OK ||
		    (rc = sub(a->refunded, t->amount, &a->refunded)) != LD_OK)
			return rc;
		if (after > r->award)
			return LD_E_OVER_AWARD;
		break;
	}
	req->target_kind = t->kind;
	memcpy(req->region, t->region, sizeof(req->region));
	req->account = t->account;
	req->fy = t->fy;
	req->amount = t->amount;
	return LD_OK;
}

/*
 * Works on copies of the balances (a, r) and publishes them only on LD_OK;
 * the request's derived fields are written only once every check passed.
 */
int
rules_apply(const struct rules_limits *lim, struct ld_entry *req,
    struct rules_view *v)
{
	struct ld_acct_bal a = v->acct;
	struct ld_region_bal r = v->rbal;
	const struct ld_entry *t = v->target;
	uint8_t account;
	uint16_t fy;
	const char *region;
	int64_t net;
	int rc;

	rules_scope(req, v->region_grant, t, &account, &fy, &region);
	a.account = account;
	a.fy = fy;
	if (region[0] != '\0') {
		memcpy(r.region, region, strlen(region) + 1);
		r.fy = fy;
		r.account = account;
		if (req->kind != LD_K_REVERSAL)
			r.grant_type = v->region_grant;
	}

	/* UNKNOWN_REGION, DUPLICATE_REGION, NOT_FOUND */
	switch (req->kind) {
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		if (!v->region_known || account == 0)
			return LD_E_UNKNOWN_REGION;
		break;
	case LD_K_REGION:
		if (v->region_known)
			return LD_E_DUPLICATE_REGION;
		return LD_OK;	/* a region touches no balance */
	case LD_K_REVERSAL:
		if (t == NULL)
			return LD_E_NOT_FOUND;
		break;
	}
	/* DATE_OUTSIDE_FY */
	if ((req->kind == LD_K_DISBURSEMENT || req->kind == LD_K_REFUND) &&
	    !date_in_fy(req->date, req->fy))
		return LD_E_DATE_OUTSIDE_FY;
	/* YEAR_CLOSED */
	if (account != 0 && a.closed)
		return LD_E_YEAR_CLOSED;
	/* NOT_REVERSIBLE, ALREADY_REVERSED */
	if (req->kind == LD_K_REVERSAL) {
		if (t->kind != LD_K_APPROPRIATION &&
		    t->kind != LD_K_DISBURSEMENT && t->kind != LD_K_REFUND)
			return LD_E_NOT_REVERSIBLE;
		if (v->target_reversed)
			return LD_E_ALREADY_REVERSED;
	}

	switch (req->kind) {
	case LD_K_APPROPRIATION:
		if ((rc = add(a.appropriated, req->amount, &a.appropriated)) != LD_OK)
			return rc;
		break;
	case LD_K_AWARD:
		if ((rc = apply_award(lim, req, v, &a, &r)) != LD_OK)
			return rc;
		req->account = account;
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		if ((rc = apply_payment(req, &a, &r)) != LD_OK)
			return rc;
		req->account = account;
		break;
	case LD_K_REVERSAL:
		/* apply_reversal() writes req only after its checks passed. */
		if ((rc = apply_reversal(req, t, &a, &r)) != LD_OK)
			return rc;
		break;
	case LD_K_YEAR_CLOSE:
		if ((rc = sub(a.disbursed, a.refunded, &net)) != LD_OK)
			return rc;
		req->net = net;
		req->appropriated = a.appropriated;
		req->awarded = a.awarded;
		req->disbursed = a.disbursed;
		req->refunded = a.refunded;
		a.closed = 1;
		break;
	default:
		return LD_E_BAD_REQUEST;
	}
	v->acct = a;
	if (region[0] != '\0')
		v->rbal = r;
	return LD_OK;
}
