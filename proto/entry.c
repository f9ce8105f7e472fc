/*
 * entry.c - ledger entries: names, field validators and the canonical
 * encoding (formats 1 to 4, proto/PROTOCOL.md) that the Merkle tree hashes.
 *
 * Entries of an older format are read exactly as they were written; every
 * new entry is written in format 4.  The formats share the envelope (format
 * byte, seq, kind ... actor, id, recorded_at) and differ in the award (a
 * decision date, 2), the year_close (the version 2 totals, 2), the
 * payments' flags (3), the approval trailer of an approvable kind (4) and
 * the kinds each adds.  A request entry carries its action's body in the
 * action's own layout (body_encode), so one layout per kind serves both.
 *
 * The encoder and the decoder apply one and the same check (entry_check), so
 * the encoder can never produce bytes that a verifier would refuse, and a
 * decoded entry is always one the daemon could have written.  The decoder
 * is a pure function over untrusted bytes (stored records, wire answers,
 * exported leaf_data): it reads every string through rbuf_str(), which checks
 * the claimed length against the field's cap and the bytes present first.
 */
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "merkle.h"
#include "utf8.h"
#include "wire.h"

static const char *const kind_names[LD_K_MAX + 1] = {
	NULL, "region", "appropriation", "award", "disbursement", "refund",
	"reversal", "year_close", "terms", "award_cancel", "settlement",
	"receipt", "carry_over", "policy", "request", "approval"
};
static const char *const decision_names[LD_D_MAX + 1] = {
	NULL, "approved", "refused", "rejected"
};
/* The ledgerctl command that writes each approvable kind. */
static const struct {
	uint8_t		 kind;
	const char	*name;
} action_names[] = {
	{ LD_K_DISBURSEMENT, "disburse" }, { LD_K_REVERSAL, "reverse" },
	{ LD_K_AWARD_CANCEL, "cancel-award" }, { LD_K_SETTLEMENT, "settle" },
	{ LD_K_TERMS, "terms" }, { LD_K_YEAR_CLOSE, "close-year" },
};
static const char *const carry_names[LD_C_MAX + 1] = {
	NULL, "explicit", "accident"
};
static const char *const grant_names[LD_G_MAX + 1] = {
	NULL, "general", "reconstruction", "continuing"
};
static const char *const account_names[LD_A_MAX + 1] = {
	NULL, "general", "reconstruction"
};

static int
name_lookup(const char *const *tab, int max, const char *s)
{
	int	 i;

	if (s == NULL)
		return 0;
	for (i = 1; i <= max; i++)
		if (strcmp(tab[i], s) == 0)
			return i;
	return 0;
}

const char *
ld_kind_name(int kind)
{
	return (kind < 1 || kind > LD_K_MAX) ? NULL : kind_names[kind];
}

const char *
ld_grant_name(int grant)
{
	return (grant < 1 || grant > LD_G_MAX) ? NULL : grant_names[grant];
}

const char *
ld_account_name(int account)
{
	return (account < 1 || account > LD_A_MAX) ? NULL : account_names[account];
}

const char *
ld_carry_name(int carry)
{
	return (carry < 1 || carry > LD_C_MAX) ? NULL : carry_names[carry];
}

const char *
ld_decision_name(int d)
{
	return (d < 1 || d > LD_D_MAX) ? NULL : decision_names[d];
}

const char *
ld_action_name(int kind)
{
	size_t i;

	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (action_names[i].kind == kind)
			return action_names[i].name;
	return NULL;
}

int
ld_action_from_name(const char *s)
{
	size_t i;

	for (i = 0; s != NULL &&
	    i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(action_names[i].name, s) == 0)
			return action_names[i].kind;
	return 0;
}

int
ld_carry_from_name(const char *s)
{
	return name_lookup(carry_names, LD_C_MAX, s);
}

int
ld_kind_from_name(const char *s)
{
	return name_lookup(kind_names, LD_K_MAX, s);
}

int
ld_grant_from_name(const char *s)
{
	return name_lookup(grant_names, LD_G_MAX, s);
}

int
ld_account_from_name(const char *s)
{
	return name_lookup(account_names, LD_A_MAX, s);
}

int
ld_grant_account(int grant)
{
	switch (grant) {
	case LD_G_GENERAL:
	case LD_G_CONTINUING:
		return LD_A_GENERAL;
	case LD_G_RECONSTRUCTION:
		return LD_A_RECONSTRUCTION;
	default:
		return 0;
	}
}

int
ld_valid_code(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= LD_CODE_MAX)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	}
	return i > 0;
}

int
ld_valid_ref(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= LD_REF_MAX)
			return 0;
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	}
	return i > 0;
}

/*
 * The text rule (entry.h): every character well-formed (utf8_decode) and
 * none a control character, C1 included.
 */
int
ld_valid_utf8_text(const char *s, size_t minlen, size_t maxlen)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c;
	size_t			 n, i, k;

	n = strnlen(s, maxlen + 1);
	if (n < minlen || n > maxlen)
		return 0;
	for (i = 0; i < n; i += k)
		if ((k = utf8_decode(p + i, n - i, &c)) == 0 ||
		    utf8_is_control(c))
			return 0;
	return 1;
}

int
ld_valid_text(const char *s, int allow_empty)
{
	return ld_valid_utf8_text(s, allow_empty ? 0 : 1, LD_TEXT_MAX);
}

int
ld_valid_actor(const char *s)
{
	return ld_valid_utf8_text(s, 1, LD_ACTOR_MAX);
}

int
ld_valid_date(uint32_t d)
{
	static const uint8_t	 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	uint32_t		 y = d / 10000, m = d / 100 % 100, day = d % 100;
	uint32_t		 last;

	if (y < LD_FY_MIN || y > LD_FY_MAX || m < 1 || m > 12 || day < 1)
		return 0;
	last = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		last = 29;
	return day <= last;
}

/* A string field that is NUL-terminated inside its array. */
#define TERMINATED(f)	(memchr((f), '\0', sizeof(f)) != NULL)

int
ld_valid_amount(int64_t v)
{
	return v >= 1 && v <= LD_AMOUNT_MAX;
}

int
ld_valid_fy(uint16_t fy)
{
	return fy >= LD_FY_MIN && fy <= LD_FY_MAX;
}

int
ld_valid_account(int a)
{
	return a >= 1 && a <= LD_A_MAX;
}

/*
 * Is e a well-formed entry of its kind?  Only the fields the kind encodes
 * are looked at; the others are ignored by the encoder and left zero by the
 * decoder.  The ledger's rules (balances, ranges, dates within the fiscal
 * year) are not checked here: they depend on the ledger, not on the entry.
 */
static int
check_region_fields(const struct ld_entry *e)
{
	return ld_valid_code(e->region) && ld_valid_account(e->account) &&
	    ld_valid_fy(e->fy);
}

/* Does a kind's entry carry the approval trailer (format 4)? */
static int
approvable(int kind)
{
	return kind >= 1 && kind <= LD_K_MAX &&
	    (LD_KIND_BIT(kind) & LD_APPROVABLE) != 0;
}

static int
valid_rate(uint32_t bp)
{
	return bp <= LD_RATE_MAX;
}

/*
 * The fields of a kind's body, as the kind's own entry carries them (v2:
 * format 2 or later).  A request entry's action is checked by
 * check_request_body() instead: its derived fields are not there yet.
 */
static int
check_body(const struct ld_entry *e, int kind, int v2)
{
	switch (kind) {
	case LD_K_REGION:
		if (!ld_valid_code(e->region) || !ld_valid_text(e->name, 0) ||
		    e->grant_type < 1 || e->grant_type > LD_G_MAX ||
		    !ld_valid_text(e->category, 1))
			return -1;
		return 0;
	case LD_K_APPROPRIATION:
		if (!ld_valid_account(e->account) || !ld_valid_fy(e->fy) ||
		    !ld_valid_amount(e->amount) || !ld_valid_ref(e->ref))
			return -1;
		return 0;
	case LD_K_AWARD:
		if (!check_region_fields(e) || !ld_valid_amount(e->amount) ||
		    !ld_valid_ref(e->ref) || (v2 && !ld_valid_date(e->date)))
			return -1;
		return 0;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		if (!check_region_fields(e) || !ld_valid_amount(e->amount) ||
		    !ld_valid_ref(e->ref) || !ld_valid_date(e->date) ||
		    !ld_valid_text(e->memo, 1))
			return -1;
		return 0;
	case LD_K_REVERSAL:
		if (e->reverses == 0 || e->reverses >= e->seq)
			return -1;
		switch (e->target_kind) {
		case LD_K_APPROPRIATION:
			if (e->region[0] != '\0')
				return -1;
			break;
		case LD_K_DISBURSEMENT:
		case LD_K_REFUND:
			if (!ld_valid_code(e->region))
				return -1;
			break;
		case LD_K_RECEIPT:
			if (!v2 || !ld_valid_code(e->region))
				return -1;
			break;
		default:
			return -1;
		}
		if (!ld_valid_account(e->account) || !ld_valid_fy(e->fy) ||
		    !ld_valid_amount(e->amount) || !ld_valid_text(e->reason, 0))
			return -1;
		return 0;
	case LD_K_YEAR_CLOSE:
		if (!ld_valid_account(e->account) || !ld_valid_fy(e->fy) ||
		    e->appropriated < 0 || e->awarded < 0 || e->disbursed < 0 ||
		    e->refunded < 0 || e->net < 0)
			return -1;
		if (v2 && (e->carried_in < 0 || e->budget < 0 ||
		    e->carried_out < 0 || e->receipts < 0 ||
		    e->execution_rate_bp < -1))
			return -1;
		return 0;
	case LD_K_TERMS:
		if (!ld_valid_fy(e->fy) || e->grant_type < 1 ||
		    e->grant_type > LD_G_MAX || !ld_valid_account(e->account) ||
		    !ld_valid_ref(e->ref) || !ld_valid_date(e->deadline) ||
		    !valid_rate(e->interest_bp) || !valid_rate(e->late_bp))
			return -1;
		if (!((e->min == 0 && e->max == 0) ||
		    (ld_valid_amount(e->min) && ld_valid_amount(e->max) &&
		    e->min <= e->max)))
			return -1;
		return 0;
	case LD_K_AWARD_CANCEL:
		if (!check_region_fields(e) || !ld_valid_date(e->date) ||
		    (e->repay_by != 0 && !ld_valid_date(e->repay_by)) ||
		    !ld_valid_text(e->reason, 0) || !ld_valid_ref(e->ref) ||
		    e->amount < 0 || e->amount > LD_AMOUNT_MAX ||
		    e->principal < 0)
			return -1;
		return 0;
	case LD_K_SETTLEMENT:
		if (!check_region_fields(e) || !ld_valid_amount(e->amount) ||
		    !ld_valid_date(e->date) ||
		    (e->repay_by != 0 && !ld_valid_date(e->repay_by)) ||
		    !ld_valid_ref(e->ref) || e->principal < 0)
			return -1;
		return 0;
	case LD_K_RECEIPT:
		if (!check_region_fields(e) || !ld_valid_amount(e->amount) ||
		    !ld_valid_date(e->date) || !ld_valid_ref(e->ref) ||
		    e->principal < 0 || e->interest < 0 || e->late < 0)
			return -1;
		return 0;
	case LD_K_CARRY_OVER:
		if (!check_region_fields(e) || !ld_valid_amount(e->amount) ||
		    e->carry_kind < 1 || e->carry_kind > LD_C_MAX ||
		    !ld_valid_date(e->date) || !ld_valid_ref(e->ref))
			return -1;
		return 0;
	default:
		return -1;
	}
}

/* A request's action, in request form: what the client gave, nothing derived. */
static int
check_request_body(const struct ld_entry *e)
{
	switch (e->action) {
	case LD_K_DISBURSEMENT: {
		struct ld_entry t;

		/* The account is derived from the region. */
		if (e->account != 0)
			return -1;
		t = *e;
		t.account = LD_A_GENERAL;
		return check_body(&t, LD_K_DISBURSEMENT, 1);
	}
	case LD_K_REVERSAL:
		if (e->reverses == 0 || e->reverses >= e->seq ||
		    e->target_kind != 0 || e->region[0] != '\0' ||
		    e->account != 0 || e->fy != 0 || e->amount != 0 ||
		    !ld_valid_text(e->reason, 0))
			return -1;
		return 0;
	case LD_K_AWARD_CANCEL:
		if (!ld_valid_code(e->region) || e->account != 0 ||
		    !ld_valid_fy(e->fy) || !ld_valid_date(e->date) ||
		    (e->repay_by != 0 && !ld_valid_date(e->repay_by)) ||
		    !ld_valid_text(e->reason, 0) || !ld_valid_ref(e->ref) ||
		    e->amount != 0 || e->principal != 0)
			return -1;
		return 0;
	case LD_K_SETTLEMENT:
		if (!ld_valid_code(e->region) || e->account != 0 ||
		    !ld_valid_fy(e->fy) || !ld_valid_amount(e->amount) ||
		    !ld_valid_date(e->date) ||
		    (e->repay_by != 0 && !ld_valid_date(e->repay_by)) ||
		    !ld_valid_ref(e->ref) || e->principal != 0)
			return -1;
		return 0;
	case LD_K_TERMS: {
		struct ld_entry t;

		/* The account is derived from the grant type. */
		if (e->account != 0 || e->grant_type < 1 ||
		    e->grant_type > LD_G_MAX)
			return -1;
		t = *e;
		t.account = (uint8_t)ld_grant_account(e->grant_type);
		return check_body(&t, LD_K_TERMS, 1);
	}
	case LD_K_YEAR_CLOSE:
		if (!ld_valid_account(e->account) || !ld_valid_fy(e->fy) ||
		    e->appropriated != 0 || e->awarded != 0 ||
		    e->disbursed != 0 || e->refunded != 0 || e->net != 0 ||
		    e->carried_in != 0 || e->budget != 0 ||
		    e->carried_out != 0 || e->unused != 0 ||
		    e->receipts != 0 || e->execution_rate_bp != 0)
			return -1;
		return 0;
	default:
		return -1;
	}
}

static int
entry_check(const struct ld_entry *e)
{
	int v2 = e->format >= LD_ENTRY_FORMAT_V2;

	if (e->format < LD_ENTRY_FORMAT_V1 || e->format > LD_ENTRY_FORMAT)
		return -1;
	/* Flags exist from format 3, on payments only. */
	if ((e->flags & ~LD_EF_ALL) != 0 || (e->flags != 0 &&
	    (e->format < 3 || (e->kind != LD_K_DISBURSEMENT &&
	    e->kind != LD_K_REFUND && !(e->kind == LD_K_REQUEST &&
	    e->action == LD_K_DISBURSEMENT)))))
		return -1;
	if (!TERMINATED(e->region) || !TERMINATED(e->name) ||
	    !TERMINATED(e->category) || !TERMINATED(e->ref) ||
	    !TERMINATED(e->memo) || !TERMINATED(e->reason) ||
	    !TERMINATED(e->actor) || !TERMINATED(e->id))
		return -1;
	if (e->seq == 0 || !ld_valid_actor(e->actor))
		return -1;
	if (e->id[0] != '\0' && !ld_valid_ref(e->id))
		return -1;
	if (!v2 && e->kind > LD_K_YEAR_CLOSE)
		return -1;

	switch (e->kind) {
	case LD_K_POLICY:
		if (e->format < 4 || (e->require & ~LD_REQUIRABLE) != 0 ||
		    (e->disburse_over != 0 &&
		    !ld_valid_amount(e->disburse_over)) ||
		    e->expire_days < 1 ||
		    e->expire_days > LD_EXPIRE_DAYS_MAX || !ld_valid_ref(e->ref))
			return -1;
		return 0;
	case LD_K_REQUEST:
		if (e->format < 4 || e->expires_at <= e->recorded_at ||
		    (LD_KIND_BIT(e->action) & LD_APPROVABLE) == 0 ||
		    e->action > LD_K_MAX)
			return -1;
		return check_request_body(e);
	case LD_K_APPROVAL:
		if (e->format < 4 || e->request == 0 || e->request >= e->seq ||
		    e->decision < 1 || e->decision > LD_D_MAX ||
		    (e->decision == LD_D_REFUSED) != (e->refusal != 0) ||
		    !ld_valid_text(e->reason, e->decision != LD_D_REJECTED))
			return -1;
		return 0;
	}
	/* An approved action names its approval, which follows its request. */
	if ((e->approved_by != 0 || e->request != 0) && (e->format < 4 ||
	    !approvable(e->kind) || e->approved_by == 0 || e->request == 0 ||
	    e->approved_by >= e->seq || e->request >= e->approved_by))
		return -1;
	return check_body(e, e->kind, v2);
}

int
entry_valid(const struct ld_entry *e)
{
	return entry_check(e);
}

/*
 * What the encoder needs to read e at all: a format and kind it knows,
 * strings that end inside their arrays.  Memory safety, not validation.
 */
static int
entry_readable(const struct ld_entry *e)
{
	return e->format >= LD_ENTRY_FORMAT_V1 &&
	    e->format <= LD_ENTRY_FORMAT && e->kind >= 1 &&
	    e->kind <= LD_K_MAX && (e->kind != LD_K_REQUEST ||
	    approvable(e->action)) && TERMINATED(e->region) &&
	    TERMINATED(e->name) && TERMINATED(e->category) &&
	    TERMINATED(e->ref) && TERMINATED(e->memo) &&
	    TERMINATED(e->reason) && TERMINATED(e->actor) && TERMINATED(e->id);
}

/* The fields of a kind's body, in its canonical order (the kind's own or a
   request's action). */
static void
body_encode(struct wbuf *out, const struct ld_entry *e, int kind)
{
	switch (kind) {
	case LD_K_REGION:
		wbuf_str(out, e->region);
		wbuf_str(out, e->name);
		wbuf_u8(out, e->grant_type);
		wbuf_str(out, e->category);
		break;
	case LD_K_APPROPRIATION:
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->amount);
		wbuf_str(out, e->ref);
		break;
	case LD_K_AWARD:
		wbuf_str(out, e->region);
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->amount);
		wbuf_str(out, e->ref);
		if (e->format >= 2)
			wbuf_u32(out, e->date);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		wbuf_str(out, e->region);
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->amount);
		wbuf_str(out, e->ref);
		wbuf_u32(out, e->date);
		wbuf_str(out, e->memo);
		if (e->format >= 3)
			wbuf_u8(out, e->flags);
		break;
	case LD_K_REVERSAL:
		wbuf_u64(out, e->reverses);
		wbuf_u8(out, e->target_kind);
		wbuf_str(out, e->region);
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->amount);
		wbuf_str(out, e->reason);
		break;
	case LD_K_YEAR_CLOSE:
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->appropriated);
		wbuf_i64(out, e->awarded);
		wbuf_i64(out, e->disbursed);
		wbuf_i64(out, e->refunded);
		wbuf_i64(out, e->net);
		if (e->format >= 2) {
			wbuf_i64(out, e->carried_in);
			wbuf_i64(out, e->budget);
			wbuf_i64(out, e->carried_out);
			wbuf_i64(out, e->unused);
			wbuf_i64(out, e->receipts);
			wbuf_i64(out, e->execution_rate_bp);
		}
		break;
	case LD_K_TERMS:
		wbuf_u16(out, e->fy);
		wbuf_u8(out, e->grant_type);
		wbuf_u8(out, e->account);
		wbuf_i64(out, e->min);
		wbuf_i64(out, e->max);
		wbuf_u32(out, e->deadline);
		wbuf_u32(out, e->interest_bp);
		wbuf_u32(out, e->late_bp);
		wbuf_str(out, e->ref);
		break;
	case LD_K_AWARD_CANCEL:
		wbuf_str(out, e->region);
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_u32(out, e->date);
		wbuf_u32(out, e->repay_by);
		wbuf_str(out, e->reason);
		wbuf_str(out, e->ref);
		wbuf_i64(out, e->amount);
		wbuf_i64(out, e->principal);
		break;
	case LD_K_SETTLEMENT:
		wbuf_str(out, e->region);
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->amount);
		wbuf_u32(out, e->date);
		wbuf_u32(out, e->repay_by);
		wbuf_str(out, e->ref);
		wbuf_i64(out, e->principal);
		break;
	case LD_K_RECEIPT:
		wbuf_str(out, e->region);
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->amount);
		wbuf_u32(out, e->date);
		wbuf_str(out, e->ref);
		wbuf_i64(out, e->principal);
		wbuf_i64(out, e->interest);
		wbuf_i64(out, e->late);
		break;
	case LD_K_CARRY_OVER:
		wbuf_str(out, e->region);
		wbuf_u8(out, e->account);
		wbuf_u16(out, e->fy);
		wbuf_i64(out, e->amount);
		wbuf_u8(out, e->carry_kind);
		wbuf_u32(out, e->date);
		wbuf_str(out, e->ref);
		break;
	}
}

int
entry_encode(struct wbuf *out, const struct ld_entry *e)
{
	size_t	 start = out->len;

	struct ld_entry	 tmp;

	if (e->format == 0) {
		/* A request being appended: it becomes the current format. */
		tmp = *e;
		tmp.format = LD_ENTRY_FORMAT;
		e = &tmp;
	}
	if (out->err || !entry_readable(e))
		return -1;

	wbuf_u8(out, e->format);
	wbuf_u64(out, e->seq);
	wbuf_u8(out, e->kind);
	switch (e->kind) {
	case LD_K_POLICY:
		wbuf_u16(out, e->require);
		wbuf_i64(out, e->disburse_over);
		wbuf_u16(out, e->expire_days);
		wbuf_str(out, e->ref);
		break;
	case LD_K_REQUEST:
		wbuf_u8(out, e->action);
		body_encode(out, e, e->action);
		wbuf_i64(out, e->expires_at);
		break;
	case LD_K_APPROVAL:
		wbuf_u64(out, e->request);
		wbuf_u8(out, e->decision);
		wbuf_u8(out, e->refusal);
		wbuf_str(out, e->reason);
		break;
	default:
		body_encode(out, e, e->kind);
		if (e->format >= 4 && approvable(e->kind)) {
			wbuf_u8(out, e->approved_by != 0);
			if (e->approved_by != 0) {
				wbuf_u64(out, e->approved_by);
				wbuf_u64(out, e->request);
			}
		}
	}
	wbuf_str(out, e->actor);
	wbuf_str(out, e->id);
	wbuf_i64(out, e->recorded_at);
	if (out->err)
		return -1;
	if (out->len - start > LD_ENTRY_ENC_MAX) {
		out->len = start;
		return -1;
	}
	return 0;
}

/* body_encode()'s reverse; an unknown kind sets r->err. */
static void
body_decode(struct rbuf *r, struct ld_entry *e, int kind)
{
	switch (kind) {
	case LD_K_REGION:
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		rbuf_str(r, e->name, sizeof(e->name), LD_TEXT_MAX);
		e->grant_type = rbuf_u8(r);
		rbuf_str(r, e->category, sizeof(e->category), LD_TEXT_MAX);
		break;
	case LD_K_APPROPRIATION:
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->amount = rbuf_i64(r);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		break;
	case LD_K_AWARD:
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->amount = rbuf_i64(r);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		if (e->format >= 2)
			e->date = rbuf_u32(r);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->amount = rbuf_i64(r);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		e->date = rbuf_u32(r);
		rbuf_str(r, e->memo, sizeof(e->memo), LD_TEXT_MAX);
		if (e->format >= 3)
			e->flags = rbuf_u8(r);
		break;
	case LD_K_REVERSAL:
		e->reverses = rbuf_u64(r);
		e->target_kind = rbuf_u8(r);
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->amount = rbuf_i64(r);
		rbuf_str(r, e->reason, sizeof(e->reason), LD_TEXT_MAX);
		break;
	case LD_K_YEAR_CLOSE:
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->appropriated = rbuf_i64(r);
		e->awarded = rbuf_i64(r);
		e->disbursed = rbuf_i64(r);
		e->refunded = rbuf_i64(r);
		e->net = rbuf_i64(r);
		if (e->format >= 2) {
			e->carried_in = rbuf_i64(r);
			e->budget = rbuf_i64(r);
			e->carried_out = rbuf_i64(r);
			e->unused = rbuf_i64(r);
			e->receipts = rbuf_i64(r);
			e->execution_rate_bp = rbuf_i64(r);
		}
		break;
	case LD_K_TERMS:
		e->fy = rbuf_u16(r);
		e->grant_type = rbuf_u8(r);
		e->account = rbuf_u8(r);
		e->min = rbuf_i64(r);
		e->max = rbuf_i64(r);
		e->deadline = rbuf_u32(r);
		e->interest_bp = rbuf_u32(r);
		e->late_bp = rbuf_u32(r);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		break;
	case LD_K_AWARD_CANCEL:
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->date = rbuf_u32(r);
		e->repay_by = rbuf_u32(r);
		rbuf_str(r, e->reason, sizeof(e->reason), LD_TEXT_MAX);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		e->amount = rbuf_i64(r);
		e->principal = rbuf_i64(r);
		break;
	case LD_K_SETTLEMENT:
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->amount = rbuf_i64(r);
		e->date = rbuf_u32(r);
		e->repay_by = rbuf_u32(r);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		e->principal = rbuf_i64(r);
		break;
	case LD_K_RECEIPT:
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->amount = rbuf_i64(r);
		e->date = rbuf_u32(r);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		e->principal = rbuf_i64(r);
		e->interest = rbuf_i64(r);
		e->late = rbuf_i64(r);
		break;
	case LD_K_CARRY_OVER:
		rbuf_str(r, e->region, sizeof(e->region), LD_CODE_MAX);
		e->account = rbuf_u8(r);
		e->fy = rbuf_u16(r);
		e->amount = rbuf_i64(r);
		e->carry_kind = rbuf_u8(r);
		e->date = rbuf_u32(r);
		rbuf_str(r, e->ref, sizeof(e->ref), LD_REF_MAX);
		break;
	default:
		r->err = 1;
	}
}

int
entry_decode(struct ld_entry *e, const uint8_t *buf, size_t len)
{
	struct rbuf	 r;

	memset(e, 0, sizeof(*e));
	if (len > LD_ENTRY_ENC_MAX)
		goto fail;
	rbuf_init(&r, buf, len);
	e->format = rbuf_u8(&r);
	if (e->format < LD_ENTRY_FORMAT_V1 || e->format > LD_ENTRY_FORMAT)
		goto fail;
	e->seq = rbuf_u64(&r);
	e->kind = rbuf_u8(&r);
	switch (e->kind) {
	case LD_K_POLICY:
		e->require = rbuf_u16(&r);
		e->disburse_over = rbuf_i64(&r);
		e->expire_days = rbuf_u16(&r);
		rbuf_str(&r, e->ref, sizeof(e->ref), LD_REF_MAX);
		break;
	case LD_K_REQUEST:
		e->action = rbuf_u8(&r);
		if (!approvable(e->action))
			goto fail;
		body_decode(&r, e, e->action);
		e->expires_at = rbuf_i64(&r);
		break;
	case LD_K_APPROVAL:
		e->request = rbuf_u64(&r);
		e->decision = rbuf_u8(&r);
		e->refusal = rbuf_u8(&r);
		rbuf_str(&r, e->reason, sizeof(e->reason), LD_TEXT_MAX);
		break;
	default:
		body_decode(&r, e, e->kind);
		if (e->format >= 4 && approvable(e->kind)) {
			uint8_t has = rbuf_u8(&r);

			if (has > 1)
				goto fail;	/* one encoding per entry */
			if (has) {
				e->approved_by = rbuf_u64(&r);
				e->request = rbuf_u64(&r);
				if (e->approved_by == 0)
					goto fail;
			}
		}
	}
	rbuf_str(&r, e->actor, sizeof(e->actor), LD_ACTOR_MAX);
	rbuf_str(&r, e->id, sizeof(e->id), LD_ID_MAX);
	e->recorded_at = rbuf_i64(&r);
	if (rbuf_done(&r) == -1 || entry_check(e) == -1)
		goto fail;
	return 0;
fail:
	memset(e, 0, sizeof(*e));
	return -1;
}

void
entry_leaf_hash(const uint8_t *buf, size_t len, uint8_t out[32])
{
	/*
	 * This cannot report failure, and a wrong leaf hash would be sealed
	 * into the tree for good; an allocation failure inside OpenSSL is the
	 * only way to get here, so stopping is the honest answer.
	 */
	if (merkle_hash_prefixed(0x00, buf, len, out) != 0)
		abort();
}
