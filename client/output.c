/*
 * output.c - JSON and text forms of entries, regions, balances and status.
 *
 * JSON is built with jansson, whose objects keep insertion order (2.8 and
 * later), so the order of the json_object_set_new() calls below is the
 * order of the keys on the line: it follows the contract.  Lines are dumped
 * with JSON_COMPACT and without JSON_ENSURE_ASCII, so Japanese names stay
 * readable UTF-8.
 *
 * Text output for people: a single object as "key: value" lines (printed
 * from the same JSON object, so both forms carry the same fields), lists
 * as tables sized to their contents (struct out_table, also what `report`
 * and `reconcile` print with, so that the client has one table printer and
 * one alignment rule).  `list` streams: it holds its first OUT_LIST_HOLD
 * rows to size the columns, then prints later rows at those widths, with
 * the free text last.  Widths count terminal columns after East Asian
 * Width (display.c), not bytes, so a table with Japanese region names
 * still lines up.  Tables take a struct disp: headers and words in its
 * language, amounts in its unit; JSON and key: value output never do.  Contract 2.2: recorded_at stays UTC in JSON and is shown
 * in JST (+09:00) in text, computed from the instant, never from TZ.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "output.h"
#include "values.h"
#include "wire.h"


/*
 * Sticky-error object building: after a failed set every later call is a
 * no-op and the caller checks once.
 */
struct jb {
	json_t	*o;
	int	 err;
};

static void
jb_set(struct jb *b, const char *key, json_t *v)
{
	if (v == NULL) {
		b->err = 1;
		return;
	}
	if (b->err || json_object_set_new(b->o, key, v) == -1)
		b->err = 1;
}

static void
jb_int(struct jb *b, const char *key, int64_t v)
{
	jb_set(b, key, json_integer((json_int_t)v));
}

static void
jb_str(struct jb *b, const char *key, const char *s)
{
	jb_set(b, key, json_string(s != NULL ? s : ""));
}

/* A date as "YYYY-MM-DD". */
static void
jb_date(struct jb *b, const char *key, uint32_t yyyymmdd)
{
	char	 d[16];

	format_date(yyyymmdd, d, sizeof(d));
	jb_str(b, key, d);
}

/* A rate in basis points; -1 (a divisor of 0) is null, as 2.9 says. */
static void
jb_bp(struct jb *b, const char *key, int64_t bp)
{
	if (bp < 0)
		jb_set(b, key, json_null());
	else
		jb_int(b, key, bp);
}

static json_t *
jb_finish(struct jb *b)
{
	if (b->err || b->o == NULL) {
		json_decref(b->o);
		return NULL;
	}
	return b->o;
}

static void
jb_init(struct jb *b)
{
	b->o = json_object();
	b->err = b->o == NULL;
}

/* Kinds that carry a value date (an award's is its decision date). */
static int
dated_kind(int kind)
{
	switch (kind) {
	case LD_K_AWARD:
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
	case LD_K_RECEIPT:
	case LD_K_CARRY_OVER:
		return 1;
	default:
		return 0;
	}
}

/* A terms entry's range: null and null when it has none. */
static void
jb_range(struct jb *b, int64_t min, int64_t max)
{
	if (min == 0 && max == 0) {
		jb_set(b, "min", json_null());
		jb_set(b, "max", json_null());
	} else {
		jb_int(b, "min", min);
		jb_int(b, "max", max);
	}
}

/* The envelope every entry ends its common part with. */
static void
jb_envelope(struct jb *b, const struct ld_entry *e, const uint8_t *enc,
    size_t len)
{
	uint8_t		 leaf[32];
	char		 hex[65], ts[40];

	if (e->id[0] != '\0')
		jb_str(b, "id", e->id);
	jb_str(b, "actor", e->actor);
	format_time_us(e->recorded_at, ts, sizeof(ts));
	jb_str(b, "recorded_at", ts);
	entry_leaf_hash(enc, len, leaf);
	hex_encode(leaf, sizeof(leaf), hex);
	jb_str(b, "leaf_hash", hex);
}

/* The actions a policy may name, in the order of a grant's life. */
static const char *const require_order[] = {
	"reverse", "cancel-award", "settle", "terms", "close-year", NULL
};

json_t *
out_policy_require_json(unsigned require)
{
	json_t		*v = json_array();
	size_t		 i;
	int		 k;

	/* In one fixed order, so that a policy reads the same whoever set
	   it and however they listed it. */
	for (i = 0; v != NULL && require_order[i] != NULL; i++) {
		k = ld_action_from_name(require_order[i]);
		if (!(require & LD_KIND_BIT(k)))
			continue;
		if (json_array_append_new(v, json_string(require_order[i])) ==
		    -1) {
			json_decref(v);
			return NULL;
		}
	}
	return v;
}

json_t *
out_request_fields_json(const struct ld_entry *e)
{
	struct jb	 b;

	jb_init(&b);
	switch (e->action) {
	case LD_K_DISBURSEMENT:
		jb_str(&b, "region", e->region);
		jb_int(&b, "fy", e->fy);
		jb_int(&b, "amount", e->amount);
		jb_str(&b, "ref", e->ref);
		jb_date(&b, "date", e->date);
		if (e->memo[0] != '\0')
			jb_str(&b, "memo", e->memo);
		if (e->flags & LD_EF_DUP_REF_OK)
			jb_set(&b, "allow_duplicate_ref", json_true());
		break;
	case LD_K_REVERSAL:
		jb_int(&b, "reverses", (int64_t)e->reverses);
		jb_str(&b, "reason", e->reason);
		break;
	case LD_K_AWARD_CANCEL:
		jb_str(&b, "region", e->region);
		jb_int(&b, "fy", e->fy);
		jb_str(&b, "ref", e->ref);
		jb_date(&b, "date", e->date);
		if (e->repay_by != 0)
			jb_date(&b, "repay_by", e->repay_by);
		jb_str(&b, "reason", e->reason);
		break;
	case LD_K_SETTLEMENT:
		jb_str(&b, "region", e->region);
		jb_int(&b, "fy", e->fy);
		jb_int(&b, "amount", e->amount);
		jb_str(&b, "ref", e->ref);
		jb_date(&b, "date", e->date);
		if (e->repay_by != 0)
			jb_date(&b, "repay_by", e->repay_by);
		break;
	case LD_K_TERMS:
		jb_int(&b, "fy", e->fy);
		jb_str(&b, "ref", e->ref);
		jb_str(&b, "grant_type", ld_grant_name(e->grant_type));
		jb_range(&b, e->min, e->max);
		/* The daemon fixed an omitted deadline when it wrote this. */
		jb_date(&b, "settlement_deadline", e->deadline);
		jb_int(&b, "interest_rate_bp", e->interest_bp);
		jb_int(&b, "late_rate_bp", e->late_bp);
		break;
	case LD_K_YEAR_CLOSE:
		jb_int(&b, "fy", e->fy);
		jb_str(&b, "account", ld_account_name(e->account));
		break;
	default:
		b.err = 1;
	}
	return jb_finish(&b);
}

/*
 * The kinds of two-person approval (format 4) share nothing with the
 * grant's entries but the envelope: a policy, a request carrying its
 * action's fields as an object, an approval naming its request.
 */
static json_t *
approval_kinds_json(const struct ld_entry *e, const uint8_t *enc, size_t len)
{
	struct jb	 b;
	char		 ts[40];

	jb_init(&b);
	jb_int(&b, "seq", (int64_t)e->seq);
	jb_str(&b, "kind", ld_kind_name(e->kind));
	if (e->kind == LD_K_POLICY)
		jb_str(&b, "ref", e->ref);
	jb_envelope(&b, e, enc, len);
	switch (e->kind) {
	case LD_K_POLICY:
		jb_set(&b, "require", out_policy_require_json(e->require));
		jb_int(&b, "disburse_over", e->disburse_over);
		jb_int(&b, "expire_days", e->expire_days);
		break;
	case LD_K_REQUEST:
		jb_str(&b, "action", ld_action_name(e->action));
		jb_set(&b, "request", out_request_fields_json(e));
		format_time_us(e->expires_at, ts, sizeof(ts));
		jb_str(&b, "expires_at", ts);
		break;
	case LD_K_APPROVAL:
		jb_int(&b, "request", (int64_t)e->request);
		jb_str(&b, "status", ld_decision_name(e->decision));
		if (e->decision == LD_D_REFUSED)
			jb_str(&b, "refusal", ld_err_name(e->refusal));
		jb_str(&b, "reason", e->reason);
		break;
	}
	return jb_finish(&b);
}

json_t *
out_entry_json(const struct ld_entry *e, const uint8_t *enc, size_t len)
{
	struct jb	 b;
	int		 k = e->kind;

	if (k == LD_K_POLICY || k == LD_K_REQUEST || k == LD_K_APPROVAL)
		return approval_kinds_json(e, enc, len);
	jb_init(&b);
	jb_int(&b, "seq", (int64_t)e->seq);
	jb_str(&b, "kind", ld_kind_name(k));
	if (e->region[0] != '\0')
		jb_str(&b, "region", e->region);
	if (k != LD_K_REGION)
		jb_int(&b, "fy", e->fy);
	/* A region's account follows from its grant type; showing it saves a lookup. */
	if (k == LD_K_REGION)
		jb_str(&b, "account", ld_account_name(ld_grant_account(e->grant_type)));
	else
		jb_str(&b, "account", ld_account_name(e->account));
	/* A year_close has totals and terms a range instead of an amount. */
	if (k != LD_K_REGION && k != LD_K_YEAR_CLOSE && k != LD_K_TERMS)
		jb_int(&b, "amount", e->amount);
	if (k != LD_K_REGION && k != LD_K_REVERSAL && k != LD_K_YEAR_CLOSE)
		jb_str(&b, "ref", e->ref);
	/* A format 1 award has no decision date: nothing to show. */
	if (dated_kind(k) && e->date != 0)
		jb_date(&b, "date", e->date);
	if (e->memo[0] != '\0')
		jb_str(&b, "memo", e->memo);
	/* Shown only when set: the clerk said the voucher was used before. */
	if (e->flags & LD_EF_DUP_REF_OK)
		jb_set(&b, "allow_duplicate_ref", json_true());
	jb_envelope(&b, e, enc, len);

	switch (k) {
	case LD_K_REGION:
		/* Also named as `region list` names a region's code. */
		jb_str(&b, "code", e->region);
		jb_str(&b, "name", e->name);
		jb_str(&b, "grant_type", ld_grant_name(e->grant_type));
		jb_str(&b, "category", e->category);
		break;
	case LD_K_REVERSAL:
		jb_int(&b, "reverses", (int64_t)e->reverses);
		jb_str(&b, "target_kind", ld_kind_name(e->target_kind));
		jb_str(&b, "reason", e->reason);
		break;
	case LD_K_YEAR_CLOSE:
		jb_int(&b, "appropriated", e->appropriated);
		jb_int(&b, "awarded", e->awarded);
		jb_int(&b, "disbursed", e->disbursed);
		jb_int(&b, "refunded", e->refunded);
		jb_int(&b, "net", e->net);
		/* Format 1 sealed only the totals above (0 means current). */
		if (e->format == LD_ENTRY_FORMAT_V1)
			break;
		jb_int(&b, "carried_in", e->carried_in);
		jb_int(&b, "budget", e->budget);
		jb_int(&b, "carried_out", e->carried_out);
		jb_int(&b, "unused", e->unused);
		jb_int(&b, "receipts", e->receipts);
		jb_bp(&b, "execution_rate_bp", e->execution_rate_bp);
		break;
	case LD_K_TERMS:
		jb_str(&b, "grant_type", ld_grant_name(e->grant_type));
		jb_range(&b, e->min, e->max);
		jb_date(&b, "settlement_deadline", e->deadline);
		jb_int(&b, "interest_rate_bp", e->interest_bp);
		jb_int(&b, "late_rate_bp", e->late_bp);
		break;
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
		if (e->repay_by != 0)
			jb_date(&b, "repay_by", e->repay_by);
		if (k == LD_K_AWARD_CANCEL)
			jb_str(&b, "reason", e->reason);
		jb_int(&b, "principal", e->principal);
		break;
	case LD_K_RECEIPT:
		jb_int(&b, "principal", e->principal);
		jb_int(&b, "interest", e->interest);
		jb_int(&b, "late_charge", e->late);
		break;
	case LD_K_CARRY_OVER:
		jb_str(&b, "carry_kind", ld_carry_name(e->carry_kind));
		break;
	default:
		break;
	}
	/* An action that took effect by approval names who decided it. */
	if (e->approved_by != 0) {
		jb_int(&b, "approved_by", (int64_t)e->approved_by);
		jb_int(&b, "request", (int64_t)e->request);
	}
	return jb_finish(&b);
}

json_t *
out_region_json(const struct ld_entry *e)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "code", e->region);
	jb_str(&b, "name", e->name);
	jb_str(&b, "grant_type", ld_grant_name(e->grant_type));
	jb_str(&b, "account", ld_account_name(ld_grant_account(e->grant_type)));
	jb_str(&b, "category", e->category);
	jb_int(&b, "seq", (int64_t)e->seq);
	return jb_finish(&b);
}

json_t *
out_acct_bal_json(const struct ld_acct_bal *a)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "account", ld_account_name(a->account));
	jb_int(&b, "fy", a->fy);
	jb_int(&b, "appropriated", a->appropriated);
	jb_int(&b, "awarded", a->awarded);
	jb_int(&b, "disbursed", a->disbursed);
	jb_int(&b, "refunded", a->refunded);
	jb_int(&b, "net", acct_net(a));
	jb_int(&b, "unawarded", acct_unawarded(a));
	jb_set(&b, "closed", json_boolean(a->closed));
	jb_int(&b, "carried_in", a->carried_in);
	jb_int(&b, "budget", acct_budget(a));
	jb_int(&b, "carried_out", a->carried_out);
	jb_int(&b, "unused", acct_unused(a));
	jb_int(&b, "receipts", a->receipts);
	jb_bp(&b, "execution_rate_bp", rate_bp(acct_net(a), acct_budget(a)));
	return jb_finish(&b);
}

json_t *
out_region_bal_json(const struct ld_region_bal *r)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "region", r->region);
	jb_int(&b, "fy", r->fy);
	jb_str(&b, "grant_type", ld_grant_name(r->grant_type));
	jb_str(&b, "account", ld_account_name(r->account));
	jb_int(&b, "award", r->award);
	jb_int(&b, "disbursed", r->disbursed);
	jb_int(&b, "refunded", r->refunded);
	jb_int(&b, "net", region_net(r));
	jb_int(&b, "remaining", region_remaining(r));
	if (r->settled_set)
		jb_int(&b, "settled", r->settled);
	else
		jb_set(&b, "settled", json_null());
	jb_int(&b, "carried_in", r->carried_in);
	jb_int(&b, "carried_out", r->carried_out);
	jb_int(&b, "receivable_outstanding", r->receivable);
	jb_bp(&b, "execution_rate_bp", rate_bp(region_net(r), r->award));
	return jb_finish(&b);
}

json_t *
out_receivable_json(const struct msg_receivable *v, uint32_t as_of)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "region", v->region);
	jb_int(&b, "fy", v->fy);
	jb_str(&b, "account", ld_account_name(v->account));
	jb_int(&b, "principal", v->principal);
	jb_int(&b, "principal_paid", v->principal_paid);
	jb_int(&b, "interest", v->interest);
	jb_int(&b, "late_charge", v->late_charge);
	jb_int(&b, "paid_charges", v->paid_charges);
	jb_int(&b, "outstanding", v->outstanding);
	if (v->repay_by != 0)
		jb_date(&b, "repay_by", v->repay_by);
	else
		jb_set(&b, "repay_by", json_null());
	jb_date(&b, "as_of", as_of);
	jb_int(&b, "order_seq", (int64_t)v->order_seq);
	return jb_finish(&b);
}

json_t *
out_status_json(const struct msg_status *s, const struct msg_hello_ok *h)
{
	struct jb	 b;
	json_t		*roles;
	const char	*p, *e;
	char		 hex[65], ts[40];

	jb_init(&b);
	jb_str(&b, "server", s->server);
	jb_int(&b, "size", (int64_t)s->size);
	hex_encode(s->root, sizeof(s->root), hex);
	jb_str(&b, "root", hex);
	if (s->last_commit != 0) {
		format_time_us(s->last_commit, ts, sizeof(ts));
		jb_str(&b, "last_commit", ts);
	} else
		jb_set(&b, "last_commit", json_null());
	jb_int(&b, "uptime_s", (int64_t)s->uptime_s);
	jb_int(&b, "connections", s->connections);
	jb_int(&b, "map_used", (int64_t)s->map_used);
	jb_int(&b, "map_size", (int64_t)s->map_size);
	if (h != NULL) {
		jb_str(&b, "cn", h->cn);
		/*
		 * Contract 2.10: "roles" lists every role of the caller (the
		 * daemon sends them comma-separated); v1's "role" stays, the
		 * first of them.
		 */
		roles = json_array();
		for (p = h->role; roles != NULL && *p != '\0'; p = e) {
			e = p + strcspn(p, ",");
			json_array_append_new(roles, json_stringn(p,
			    (size_t)(e - p)));
			if (*e == ',')
				e++;
		}
		jb_str(&b, "role", "");
		if (roles != NULL && json_array_size(roles) > 0)
			jb_set(&b, "role", json_incref(json_array_get(roles,
			    0)));
		jb_set(&b, "roles", roles);
	}
	if (s->has_scrub) {
		json_t *sc = json_object();

		if (sc != NULL && s->scrub_finished_at != 0) {
			format_time_us(s->scrub_finished_at, ts, sizeof(ts));
			json_object_set_new(sc, "finished_at", json_string(ts));
		} else if (sc != NULL)
			json_object_set_new(sc, "finished_at", json_null());
		if (sc != NULL) {
			json_object_set_new(sc, "size", s->scrub_result != 0 ?
			    json_integer((json_int_t)s->scrub_size) :
			    json_null());
			json_object_set_new(sc, "result", s->scrub_result == 0 ?
			    json_null() : json_string(s->scrub_result == 1 ?
			    "ok" : "damaged"));
			json_object_set_new(sc, "damaged_seq",
			    s->scrub_damaged_seq != 0 ? json_integer(
			    (json_int_t)s->scrub_damaged_seq) : json_null());
			json_object_set_new(sc, "running",
			    json_boolean(s->scrub_running));
			json_object_set_new(sc, "progress",
			    json_integer((json_int_t)s->scrub_progress));
		}
		jb_set(&b, "scrub", sc);
		jb_int(&b, "damaged_entries", (int64_t)s->damaged_entries);
	}
	if (s->has_storage) {
		/* Beside map_used/map_size: the disk can fill first. */
		jb_int(&b, "fs_free", (int64_t)s->fs_free);
		jb_int(&b, "fs_size", (int64_t)s->fs_size);
		jb_int(&b, "oldest_write_ms", (int64_t)s->oldest_write_ms);
		jb_int(&b, "slow_commits", (int64_t)s->slow_commits);
	}
	if (s->has_cluster) {
		const struct msg_cluster *c = &s->cluster;
		json_t *members = json_array();
		uint16_t i;

		/* 2.10: the Raft state is raft_role; "role" is the caller's. */
		jb_int(&b, "node", (int64_t)c->node);
		jb_str(&b, "raft_role", msg_raft_role_name(c->raft_role));
		jb_int(&b, "term", (int64_t)c->term);
		jb_str(&b, "leader", c->leader);
		jb_int(&b, "commit_index", (int64_t)c->commit_index);
		jb_int(&b, "applied_index", (int64_t)c->applied_index);
		for (i = 0; members != NULL && i < c->nmembers; i++)
			if (json_array_append_new(members,
			    out_member_json(&c->members[i], 0)) == -1) {
				json_decref(members);
				members = NULL;
			}
		jb_set(&b, "members", members);
	}
	return jb_finish(&b);
}

json_t *
out_member_json(const struct msg_member *m, int with_role)
{
	struct jb	 b;

	jb_init(&b);
	jb_int(&b, "id", (int64_t)m->id);
	jb_str(&b, "raft_address", m->raft_address);
	jb_str(&b, "client_address", m->client_address);
	jb_set(&b, "voter", json_boolean(m->voter));
	if (with_role)
		jb_str(&b, "raft_role", msg_raft_role_name(m->raft_role));
	return jb_finish(&b);
}

int
out_members_text(FILE *f, const struct msg_cluster *c, int indent)
{
	static const char *const head[] = { "id", "raft_address",
	    "client_address", "voter", "raft_role" };
	char id[24];
	int w[5], i, k;

	for (k = 0; k < 5; k++)
		w[k] = (int)strlen(head[k]);
	for (i = 0; i < c->nmembers; i++) {
		const struct msg_member *m = &c->members[i];

		snprintf(id, sizeof(id), "%" PRIu64, m->id);
		if ((int)strlen(id) > w[0])
			w[0] = (int)strlen(id);
		if ((int)strlen(m->raft_address) > w[1])
			w[1] = (int)strlen(m->raft_address);
		if ((int)strlen(m->client_address) > w[2])
			w[2] = (int)strlen(m->client_address);
	}
	fprintf(f, "%*s%-*s  %-*s  %-*s  %-*s  %s\n", indent, "", w[0], head[0],
	    w[1], head[1], w[2], head[2], w[3], head[3], head[4]);
	for (i = 0; i < c->nmembers; i++) {
		const struct msg_member *m = &c->members[i];

		snprintf(id, sizeof(id), "%" PRIu64, m->id);
		fprintf(f, "%*s%-*s  %-*s  %-*s  %-*s  %s\n", indent, "", w[0],
		    id, w[1], m->raft_address, w[2], m->client_address, w[3],
		    m->voter ? "yes" : "no", msg_raft_role_name(m->raft_role));
	}
	return ferror(f) ? -1 : 0;
}

json_t *
out_error_json(int code, const char *message)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "error", ld_err_name(code));
	jb_str(&b, "message", message);
	return jb_finish(&b);
}

int
out_json_line(FILE *f, json_t *obj)
{
	char	*s;
	int	 rc = -1;

	if (obj == NULL)
		return -1;
	s = json_dumps(obj, JSON_COMPACT);
	if (s != NULL && fprintf(f, "%s\n", s) >= 0)
		rc = 0;
	free(s);
	json_decref(obj);
	return rc;
}

/* Keys whose integers are money or bytes: grouped by threes in text. */
static int
grouped_key(const char *key)
{
	static const char *const keys[] = {
		"amount", "appropriated", "awarded", "disbursed", "refunded",
		"net", "award", "remaining", "unawarded", "map_used", "map_size",
		"min", "max", "principal", "interest", "late_charge",
		"carried_in", "budget", "carried_out", "unused", "receipts",
		"settled", "receivable_outstanding", "principal_paid",
		"paid_charges", "outstanding", "disburse_over", NULL
	};
	int	 i;

	/* A request's fields, one level down ("request_amount"). */
	if (strncmp(key, "request_", 8) == 0)
		key += 8;
	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

/* "10.95%" for 1095 basis points; "-" for -1 (no divisor). */
static void
format_rate(int64_t bp, char *out, size_t outsz)
{
	if (bp < 0)
		snprintf(out, outsz, "-");
	else
		snprintf(out, outsz, "%" PRId64 ".%02" PRId64 "%%", bp / 100,
		    bp % 100);
}

/* Keys in basis points: shown with their percentage in text. */
static int
bp_key(const char *key)
{
	size_t	 n = strlen(key);

	return n > 3 && strcmp(key + n - 3, "_bp") == 0;
}

int
out_kv(FILE *f, json_t *obj)
{
	const char	*key, *sub;
	json_t		*v, *w, *inner;
	char		 num[32], name[128];
	size_t		 i;

	if (obj == NULL)
		return -1;
	json_object_foreach(obj, key, v) {
		switch (json_typeof(v)) {
		case JSON_STRING:
			fprintf(f, "%s: %s\n", key, json_string_value(v));
			break;
		case JSON_INTEGER:
			if (grouped_key(key)) {
				format_amount((int64_t)json_integer_value(v), num,
				    sizeof(num));
				fprintf(f, "%s: %s\n", key, num);
			} else if (bp_key(key)) {
				format_rate((int64_t)json_integer_value(v), num,
				    sizeof(num));
				fprintf(f, "%s: %" JSON_INTEGER_FORMAT " (%s)\n",
				    key, json_integer_value(v), num);
			} else
				fprintf(f, "%s: %" JSON_INTEGER_FORMAT "\n", key,
				    json_integer_value(v));
			break;
		case JSON_TRUE:
			fprintf(f, "%s: yes\n", key);
			break;
		case JSON_FALSE:
			fprintf(f, "%s: no\n", key);
			break;
		case JSON_NULL:
			fprintf(f, "%s: none\n", key);
			break;
		case JSON_ARRAY:
			/* a list of words: "roles: admin, auditor" */
			fprintf(f, "%s:", key);
			for (i = 0; i < json_array_size(v); i++)
				if (json_is_string(json_array_get(v, i)))
					fprintf(f, "%s %s", i > 0 ? "," : "",
					    json_string_value(
					    json_array_get(v, i)));
			fputc('\n', f);
			break;
		case JSON_OBJECT:
			/* one level down, as "scrub_result: ok" */
			json_object_foreach(v, sub, w) {
				snprintf(name, sizeof(name), "%s_%s", key, sub);
				inner = json_object();
				if (inner != NULL) {
					json_object_set(inner, name, w);
					out_kv(f, inner);
				}
			}
			break;
		default:
			break;
		}
	}
	json_decref(obj);
	return ferror(f) ? -1 : 0;
}

/*
 * JST has no daylight saving time, so it is UTC + 9 h exactly: shift the
 * instant and let format_time_us() (proto/values.c) do the calendar, then
 * name the offset instead of "Z".
 */
#define JST_OFFSET_US	(INT64_C(9) * 3600 * 1000000)

void
out_time_jst(int64_t us, char *out, size_t outsz)
{
	char	 ts[40];
	size_t	 n;

	format_time_us(us + JST_OFFSET_US, ts, sizeof(ts));
	n = strlen(ts);
	if (n > 0 && ts[n - 1] == 'Z')
		ts[n - 1] = '\0';
	snprintf(out, outsz, "%s+09:00", ts);
}

int
out_entry_kv(FILE *f, const struct ld_entry *e, json_t *obj)
{
	char	 ts[48];

	if (obj == NULL)
		return -1;
	out_time_jst(e->recorded_at, ts, sizeof(ts));
	/* Replacing a key's value keeps its place in the object. */
	if (json_object_set_new(obj, "recorded_at", json_string(ts)) == -1) {
		json_decref(obj);
		return -1;
	}
	return out_kv(f, obj);
}

size_t
out_width(const char *s)
{
	return disp_width(s);
}

/* An amount in d's unit with the unit's word: "150,000,000 yen", "15億"
   is not attempted: tables and sentences show the same figures. */
static void
amount_words(const struct disp *d, int64_t yen, char *out, size_t outsz)
{
	static const char *const en[] = { " yen", " thousand yen",
	    " million yen" };
	static const char *const ja[] = { "円", "千円", "百万円" };
	char	 num[32];
	int	 u = d->unit >= DISP_YEN && d->unit <= DISP_MILLION ? d->unit :
		    DISP_YEN;

	disp_amount(d, yen, num, sizeof(num));
	snprintf(out, outsz, "%s%s", num, d->lang == DISP_JA ? ja[u] : en[u]);
}

void
out_request_summary(const struct disp *d, const struct ld_entry *e,
    char *out, size_t outsz)
{
	const char	*g = ld_grant_name(e->grant_type);
	const char	*acct = ld_account_name(e->account);
	char		 amt[64], date[16], lo[80], a1[32], a2[32];
	int		 ja = d->lang == DISP_JA;

	amount_words(d, e->amount, amt, sizeof(amt));
	format_date(e->date, date, sizeof(date));
	switch (e->action) {
	case LD_K_DISBURSEMENT:
		if (ja)
			snprintf(out, outsz, "%s %u年度へ%sを支出（%s、%s）",
			    e->region, (unsigned)e->fy, amt, e->ref, date);
		else
			snprintf(out, outsz, "disburse %s to %s for FY%u (ref %s, "
			    "%s)", amt, e->region, (unsigned)e->fy, e->ref, date);
		break;
	case LD_K_REVERSAL:
		if (ja)
			snprintf(out, outsz, "%" PRIu64 "番の取消：%s", e->reverses,
			    e->reason);
		else
			snprintf(out, outsz, "reverse entry %" PRIu64 ": %s",
			    e->reverses, e->reason);
		break;
	case LD_K_AWARD_CANCEL:
		if (ja)
			snprintf(out, outsz, "%s %u年度の交付決定を取消（%s、%s）：%s",
			    e->region, (unsigned)e->fy, e->ref, date, e->reason);
		else
			snprintf(out, outsz, "cancel the award of %s for FY%u "
			    "(ref %s, %s): %s", e->region, (unsigned)e->fy, e->ref,
			    date, e->reason);
		break;
	case LD_K_SETTLEMENT:
		if (ja)
			snprintf(out, outsz, "%s %u年度の額を%sに確定（%s、%s）",
			    e->region, (unsigned)e->fy, amt, e->ref, date);
		else
			snprintf(out, outsz, "settle %s for FY%u at %s (ref %s, %s)",
			    e->region, (unsigned)e->fy, amt, e->ref, date);
		break;
	case LD_K_TERMS:
		if (e->min == 0 && e->max == 0)
			snprintf(lo, sizeof(lo), "%s", ja ? "範囲なし" : "no range");
		else {
			disp_amount(d, e->min, a1, sizeof(a1));
			disp_amount(d, e->max, a2, sizeof(a2));
			snprintf(lo, sizeof(lo), "%s-%s", a1, a2);
		}
		if (ja)
			snprintf(out, outsz, "%u年度 %sの交付条件（%s、%s）",
			    (unsigned)e->fy, disp_word(d, g != NULL ? g : "?"), lo,
			    e->ref);
		else
			snprintf(out, outsz, "set the FY%u %s terms (%s, ref %s)",
			    (unsigned)e->fy, g != NULL ? g : "?", lo, e->ref);
		break;
	case LD_K_YEAR_CLOSE:
		if (ja)
			snprintf(out, outsz, "%s %u年度の締め",
			    disp_word(d, acct != NULL ? acct : "?"), (unsigned)e->fy);
		else
			snprintf(out, outsz, "close the %s account for FY%u",
			    acct != NULL ? acct : "?", (unsigned)e->fy);
		break;
	default:
		snprintf(out, outsz, "?");
	}
}

void
out_approval_detail(const struct disp *d, const struct ld_entry *e,
    char *out, size_t outsz)
{
	char	 amt[64], names[256];
	size_t	 n = 0, i;
	int	 ja = d->lang == DISP_JA;

	switch (e->kind) {
	case LD_K_REQUEST:
		out_request_summary(d, e, out, outsz);
		break;
	case LD_K_APPROVAL:
		if (e->decision == LD_D_APPROVED)
			snprintf(out, outsz, ja ? "%" PRIu64 "番の申請を承認%s%s" :
			    "approves request %" PRIu64 "%s%s", e->request,
			    e->reason[0] != '\0' ? (ja ? "：" : ": ") : "",
			    e->reason);
		else if (e->decision == LD_D_REFUSED)
			snprintf(out, outsz, ja ? "%" PRIu64 "番の申請を承認、規則に"
			    "より不成立：%s" : "approved request %" PRIu64 ", "
			    "refused by the rules: %s", e->request,
			    ld_err_name(e->refusal));
		else
			snprintf(out, outsz, ja ? "%" PRIu64 "番の申請を否認：%s" :
			    "rejects request %" PRIu64 ": %s", e->request, e->reason);
		break;
	case LD_K_POLICY:
		names[0] = '\0';
		for (i = 0; require_order[i] != NULL && n < sizeof(names); i++)
			if (e->require & LD_KIND_BIT(ld_action_from_name(
			    require_order[i])))
				n += (size_t)snprintf(names + n, sizeof(names) - n,
				    "%s%s", n > 0 ? (ja ? "、" : ", ") : "",
				    disp_word(d, require_order[i]));
		if (e->disburse_over != 0)
			amount_words(d, e->disburse_over, amt, sizeof(amt));
		if (ja)
			snprintf(out, outsz, "承認を要する処理：%s；支出：%s%s；"
			    "申請の有効期間%u日", n > 0 ? names : "なし",
			    e->disburse_over != 0 ? amt : "金額によらず不要",
			    e->disburse_over != 0 ? "を超えるもの" : "",
			    (unsigned)e->expire_days);
		else
			snprintf(out, outsz, "requires approval for %s; "
			    "disbursements %s%s; requests expire after %u days",
			    n > 0 ? names : "nothing else",
			    e->disburse_over != 0 ? "over " : "never",
			    e->disburse_over != 0 ? amt : "",
			    (unsigned)e->expire_days);
		break;
	default:
		snprintf(out, outsz, "-");
	}
}

/* s padded to width columns, left- or right-aligned, then sep. */
static void
pad(FILE *f, const char *s, size_t width, int right, const char *sep)
{
	size_t	 w = out_width(s);

	if (right)
		for (; w < width; w++)
			fputc(' ', f);
	fputs(s, f);
	if (!right)
		for (; w < width; w++)
			fputc(' ', f);
	fputs(sep, f);
}

/*
 * Columns of `list`.  MARK says what later entries did to this one;
 * DETAIL (free text) comes last and is not padded.
 */
enum {
	L_SEQ, L_KIND, L_MARK, L_REGION, L_FY, L_ACCOUNT, L_AMOUNT, L_REF,
	L_DATE, L_ACTOR, L_DETAIL, L_NCOLS
};
static const char *const list_heads[L_NCOLS] = {
	"SEQ", "KIND", "MARK", "REGION", "FY", "ACCOUNT", "AMOUNT", "REF",
	"DATE", "ACTOR", "DETAIL"
};
static const int list_right[L_NCOLS] = { 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };

struct out_list {
	FILE		*f;
	const struct disp *d;		/* borrowed */
	struct out_table t;		/* the rows held before printing */
	size_t		 w[L_NCOLS];	/* widths, once the header is out */
	int		 streaming;	/* header printed: rows go out at once */
};

/* Each column as wide as its header and its widest cell. */
static void
table_widths(const struct out_table *t, const char *const *heads, size_t *w)
{
	size_t	 i, r, cw;

	for (i = 0; i < t->ncols; i++)
		w[i] = out_width(heads[i]);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			cw = out_width(t->cells[r * t->ncols + i]);
			if (cw > w[i])
				w[i] = cw;
		}
}

/* One line of a table: every cell padded but the last. */
static void
table_line(FILE *f, const char *const *cells, size_t ncols, const size_t *w,
    const int *right)
{
	size_t	 i;

	for (i = 0; i < ncols; i++)
		pad(f, cells[i], i + 1 < ncols ? w[i] : 0, right[i],
		    i + 1 < ncols ? "  " : "\n");
}

/* The headers of t in its language, into heads. */
static void
table_heads(const struct out_table *t, const char **heads)
{
	size_t	 i;

	for (i = 0; i < t->ncols; i++)
		heads[i] = t->disp != NULL ? disp_word(t->disp, t->heads[i]) :
		    t->heads[i];
}

struct out_list *
out_list_new(FILE *f, const struct disp *d)
{
	struct out_list	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->f = f;
	l->d = d;
	l->t.ncols = L_NCOLS;
	l->t.heads = list_heads;
	l->t.right = list_right;
	l->t.disp = d;
	return l;
}

/* Print the header and the rows held, and fix the widths from them. */
static int
list_flush(struct out_list *l)
{
	const char	*heads[L_NCOLS];
	size_t		 r;

	if (l->t.err)
		return -1;
	table_heads(&l->t, heads);
	table_widths(&l->t, heads, l->w);
	table_line(l->f, heads, L_NCOLS, l->w, list_right);
	for (r = 0; r < l->t.nrows; r++)
		table_line(l->f, (const char *const *)&l->t.cells[r * L_NCOLS],
		    L_NCOLS, l->w, list_right);
	out_table_free(&l->t);
	l->streaming = 1;
	return ferror(l->f) ? -1 : 0;
}

int
out_list_add(struct out_list *l, const struct ld_entry *e, const char *mark)
{
	const struct disp *d = l->d;
	const char	*cells[L_NCOLS], *k;
	char		 seq[24], fy[8], amount[32], date[16];
	char		 detail[LD_TEXT_MAX * 2 + 256];
	char		 a1[32], a2[32], a3[32], a4[32], a5[32], range[72];
	size_t		 i;
	int		 n;

	for (i = 0; i < L_NCOLS; i++)
		cells[i] = "-";
	snprintf(seq, sizeof(seq), "%" PRIu64, e->seq);
	cells[L_SEQ] = seq;
	k = ld_kind_name(e->kind);
	cells[L_KIND] = k != NULL ? disp_word(d, k) : "?";
	cells[L_MARK] = mark != NULL ? mark : "";
	if (e->region[0] != '\0')
		cells[L_REGION] = e->region;
	if (e->kind != LD_K_REGION) {
		snprintf(fy, sizeof(fy), "%u", (unsigned)e->fy);
		if (e->fy != 0)		/* a policy or approval has none */
			cells[L_FY] = fy;
		k = ld_account_name(e->account);
	} else
		k = ld_account_name(ld_grant_account(e->grant_type));
	cells[L_ACCOUNT] = k != NULL ? disp_word(d, k) : "-";
	if (e->kind != LD_K_REGION && e->kind != LD_K_YEAR_CLOSE &&
	    e->kind != LD_K_TERMS && (e->amount != 0 ||
	    (e->kind != LD_K_POLICY && e->kind != LD_K_REQUEST &&
	    e->kind != LD_K_APPROVAL))) {
		disp_amount(d, e->amount, amount, sizeof(amount));
		cells[L_AMOUNT] = amount;
	}
	if (e->ref[0] != '\0')
		cells[L_REF] = e->ref;
	if (e->date != 0) {
		format_date(e->date, date, sizeof(date));
		cells[L_DATE] = date;
	}
	cells[L_ACTOR] = e->actor;

	detail[0] = '\0';
	switch (e->kind) {
	case LD_K_REGION:
		snprintf(detail, sizeof(detail), "%s (%s%s%s)", e->name,
		    disp_word(d, ld_grant_name(e->grant_type)), e->category[0] != '\0' ? "; " : "",
		    e->category);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		snprintf(detail, sizeof(detail), "%s", e->memo);
		break;
	case LD_K_REVERSAL:
		k = ld_kind_name(e->target_kind) != NULL ?
		    ld_kind_name(e->target_kind) : "?";
		if (d->lang == DISP_JA)
			snprintf(detail, sizeof(detail), "%" PRIu64 "番（%s）を"
			    "取消：%s", e->reverses, disp_word(d, k), e->reason);
		else
			snprintf(detail, sizeof(detail), "reverses %" PRIu64
			    " (%s): %s", e->reverses, k, e->reason);
		break;
	case LD_K_YEAR_CLOSE:
		disp_amount(d, e->appropriated, a1, sizeof(a1));
		disp_amount(d, e->awarded, a2, sizeof(a2));
		disp_amount(d, e->disbursed, a3, sizeof(a3));
		disp_amount(d, e->refunded, a4, sizeof(a4));
		disp_amount(d, e->net, a5, sizeof(a5));
		n = snprintf(detail, sizeof(detail), "appropriated %s, awarded %s, "
		    "disbursed %s, refunded %s, net %s", a1, a2, a3, a4, a5);
		if (e->format == LD_ENTRY_FORMAT_V1 || n < 0 ||
		    (size_t)n >= sizeof(detail))
			break;
		disp_amount(d, e->budget, a1, sizeof(a1));
		disp_amount(d, e->carried_out, a2, sizeof(a2));
		disp_amount(d, e->unused, a3, sizeof(a3));
		disp_amount(d, e->receipts, a4, sizeof(a4));
		disp_rate(d, e->execution_rate_bp, a5, sizeof(a5));
		snprintf(detail + n, sizeof(detail) - (size_t)n, ", budget %s, "
		    "carried out %s, unused %s, receipts %s, rate %s", a1, a2,
		    a3, a4, a5);
		break;
	case LD_K_TERMS:
		if (e->min == 0 && e->max == 0)
			snprintf(range, sizeof(range), "no range");
		else {
			disp_amount(d, e->min, a1, sizeof(a1));
			disp_amount(d, e->max, a2, sizeof(a2));
			snprintf(range, sizeof(range), "%s-%s", a1, a2);
		}
		format_date(e->deadline, a3, sizeof(a3));
		format_rate(e->interest_bp, a4, sizeof(a4));
		format_rate(e->late_bp, a5, sizeof(a5));
		snprintf(detail, sizeof(detail), "%s %s, deadline %s, interest "
		    "%s, late %s", ld_grant_name(e->grant_type), range, a3, a4,
		    a5);
		break;
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
		n = 0;
		if (e->repay_by != 0) {
			disp_amount(d, e->principal, a1, sizeof(a1));
			format_date(e->repay_by, a2, sizeof(a2));
			n = snprintf(detail, sizeof(detail), "repay %s by %s", a1,
			    a2);
		}
		if (e->kind == LD_K_AWARD_CANCEL && n >= 0 &&
		    (size_t)n < sizeof(detail))
			snprintf(detail + n, sizeof(detail) - (size_t)n, "%s%s",
			    n > 0 ? ": " : "", e->reason);
		break;
	case LD_K_RECEIPT:
		disp_amount(d, e->principal, a1, sizeof(a1));
		disp_amount(d, e->interest, a2, sizeof(a2));
		disp_amount(d, e->late, a3, sizeof(a3));
		snprintf(detail, sizeof(detail), "principal %s, interest %s, "
		    "late charge %s", a1, a2, a3);
		break;
	case LD_K_CARRY_OVER:
		snprintf(detail, sizeof(detail), "%s", ld_carry_name(e->carry_kind));
		break;
	case LD_K_POLICY:
	case LD_K_REQUEST:
	case LD_K_APPROVAL:
		out_approval_detail(d, e, detail, sizeof(detail));
		break;
	default:
		break;
	}
	if (e->approved_by != 0) {
		n = (int)strlen(detail);
		if (d->lang == DISP_JA)
			snprintf(detail + n, sizeof(detail) - (size_t)n, "%s［%"
			    PRIu64 "番の申請、%" PRIu64 "番で承認］", n > 0 ?
			    " " : "", e->request, e->approved_by);
		else
			snprintf(detail + n, sizeof(detail) - (size_t)n, "%s[request %"
			    PRIu64 ", approval %" PRIu64 "]", n > 0 ? " " : "",
			    e->request, e->approved_by);
	}
	cells[L_DETAIL] = detail[0] != '\0' ? detail : "-";
	if (l->streaming) {
		table_line(l->f, cells, L_NCOLS, l->w, list_right);
		return ferror(l->f) ? -1 : 0;
	}
	out_table_add(&l->t, cells);
	if (l->t.nrows >= OUT_LIST_HOLD)
		return list_flush(l);
	return l->t.err ? -1 : 0;
}

int
out_list_end(struct out_list *l)
{
	int	 rc = 0;

	if (l == NULL)
		return -1;
	if (!l->streaming && l->t.nrows == 0)
		fprintf(l->f, "%s\n", l->d->lang == DISP_JA ? "記録はありません" :
		    "no entries");
	else if (!l->streaming)
		rc = list_flush(l);
	if (ferror(l->f))
		rc = -1;
	out_list_free(l);
	return rc;
}

void
out_list_free(struct out_list *l)
{
	if (l == NULL)
		return;
	out_table_free(&l->t);
	free(l);
}

void
out_table_add(struct out_table *t, const char *const *row)
{
	char	**cells;
	size_t	 i;

	if (t->err)
		return;
	cells = reallocarray(t->cells, (t->nrows + 1) * t->ncols, sizeof(*cells));
	if (cells == NULL) {
		t->err = 1;
		return;
	}
	t->cells = cells;
	for (i = 0; i < t->ncols; i++) {
		cells[t->nrows * t->ncols + i] = strdup(row[i]);
		if (cells[t->nrows * t->ncols + i] == NULL)
			t->err = 1;
	}
	t->nrows++;
}

int
out_table_print(FILE *f, struct out_table *t)
{
	const char	*heads[OUT_TABLE_COLS];
	size_t		 w[OUT_TABLE_COLS], r;

	if (t->err || t->ncols > OUT_TABLE_COLS)
		return -1;
	table_heads(t, heads);
	table_widths(t, heads, w);
	table_line(f, heads, t->ncols, w, t->right);
	for (r = 0; r < t->nrows; r++)
		table_line(f, (const char *const *)&t->cells[r * t->ncols],
		    t->ncols, w, t->right);
	return ferror(f) ? -1 : 0;
}

void
out_table_free(struct out_table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}


int
out_regions_table(FILE *f, const struct disp *d, const struct ld_entry *regions,
    size_t n)
{
	static const char *const heads[] = {
		"CODE", "GRANT_TYPE", "ACCOUNT", "SEQ", "NAME", "CATEGORY"
	};
	static const int right[] = { 0, 0, 0, 1, 0, 0 };
	struct out_table	 t = { 6, heads, right, NULL, 0, 0, d };
	const char		*row[6];
	char			 seq[24];
	size_t			 i;
	int			 rc;

	for (i = 0; i < n; i++) {
		snprintf(seq, sizeof(seq), "%" PRIu64, regions[i].seq);
		row[0] = regions[i].region;
		row[1] = disp_word(d, ld_grant_name(regions[i].grant_type));
		row[2] = disp_word(d,
		    ld_account_name(ld_grant_account(regions[i].grant_type)));
		row[3] = seq;
		row[4] = regions[i].name;
		row[5] = regions[i].category[0] != '\0' ? regions[i].category : "-";
		if (row[1] == NULL || row[2] == NULL)
			row[1] = row[2] = "?";
		out_table_add(&t, row);
	}
	rc = out_table_print(f, &t);
	out_table_free(&t);
	return rc;
}

/*
 * Print the tables that have rows, a blank line between two, after d's
 * unit line when it has one; 0 or -1.
 */
static int
tables_print(FILE *f, const struct disp *d, struct out_table *const *t,
    size_t n)
{
	const char	*unit = disp_unit_line(d);
	size_t		 i;
	int		 rc = 0, printed = 0;

	for (i = 0; i < n; i++) {
		if (t[i]->err)
			rc = -1;
		if (t[i]->nrows == 0)
			continue;
		if (printed++ == 0 && unit != NULL)
			fprintf(f, "%s\n", unit);
		else if (printed > 1)
			fputc('\n', f);
		if (out_table_print(f, t[i]) == -1)
			rc = -1;
	}
	for (i = 0; i < n; i++)
		out_table_free(t[i]);
	return rc;
}

/* An amount cell, or "-" when the figure does not exist (yet). */
static const char *
amount_or_dash(const struct disp *d, int64_t v, int present, char *buf,
    size_t bufsz)
{
	if (!present)
		return "-";
	disp_amount(d, v, buf, bufsz);
	return buf;
}

/* Where a region-year stands in its grant's life. */
static const char *
region_status(const struct ld_region_bal *r)
{
	if (r->cancelled)
		return "cancelled";
	if (r->settled_set)
		return "settled";
	if (r->award > 0)
		return "awarded";
	if (r->carried_in > 0)
		return "carried in";
	return "-";
}

int64_t
out_acct_unpaid(const struct ld_acct_bal *a)
{
	return a->awarded + a->carried_in - a->carried_out - acct_net(a);
}

int64_t
out_acct_left(const struct ld_acct_bal *a)
{
	return acct_budget(a) - acct_net(a);
}

int64_t
out_region_unused(const struct ld_region_bal *r)
{
	return (r->settled_set ? r->settled : r->award) - region_net(r) -
	    r->carried_out;
}

int
out_balances_table(FILE *f, const struct disp *d, const struct ld_acct_bal *a,
    size_t n, const struct ld_region_bal *r, size_t m,
    const struct regnames *names)
{
	static const char *const aheads[] = {
		"ACCOUNT", "FY", "APPROPRIATED", "AWARDED", "UNAWARDED",
		"DISBURSED", "REFUNDED", "NET", "UNPAID", "CLOSED"
	};
	static const int aright[] = { 0, 0, 1, 1, 1, 1, 1, 1, 1, 0 };
	static const char *const bheads[] = {
		"ACCOUNT", "FY", "CARRIED_IN", "BUDGET", "CARRIED_OUT", "UNUSED",
		"RECEIPTS", "REMAINING", "RATE"
	};
	static const int bright[] = { 0, 0, 1, 1, 1, 1, 1, 1, 1 };
	static const char *const rheads[] = {
		"REGION", "NAME", "FY", "GRANT_TYPE", "ACCOUNT", "AWARD",
		"DISBURSED", "REFUNDED", "NET", "REMAINING"
	};
	static const int rright[] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 };
	static const char *const lheads[] = {
		"REGION", "FY", "DECIDED", "STATUS", "SETTLED", "CARRIED_IN",
		"CARRIED_OUT", "RECEIVABLE", "RATE"
	};
	static const int lright[] = { 0, 0, 0, 0, 1, 1, 1, 1, 1 };
	struct out_table	 ta = { 10, aheads, aright, NULL, 0, 0, d };
	struct out_table	 tb = { 9, bheads, bright, NULL, 0, 0, d };
	struct out_table	 tr = { 10, rheads, rright, NULL, 0, 0, d };
	struct out_table	 tl = { 9, lheads, lright, NULL, 0, 0, d };
	struct out_table	*const all[] = { &ta, &tb, &tr, &tl };
	char			 fy[8], v[7][32];
	const char		*row[10], *name;
	size_t			 i;

	if (n == 0 && m == 0) {
		fprintf(f, "%s\n", d->lang == DISP_JA ? "残高はありません" :
		    "no balances");
		return ferror(f) ? -1 : 0;
	}
	for (i = 0; i < n; i++) {
		snprintf(fy, sizeof(fy), "%u", (unsigned)a[i].fy);
		name = ld_account_name(a[i].account) != NULL ?
		    disp_word(d, ld_account_name(a[i].account)) : "?";
		disp_amount(d, a[i].appropriated, v[0], sizeof(v[0]));
		disp_amount(d, a[i].awarded, v[1], sizeof(v[1]));
		disp_amount(d, acct_unawarded(&a[i]), v[2], sizeof(v[2]));
		disp_amount(d, a[i].disbursed, v[3], sizeof(v[3]));
		disp_amount(d, a[i].refunded, v[4], sizeof(v[4]));
		disp_amount(d, acct_net(&a[i]), v[5], sizeof(v[5]));
		disp_amount(d, out_acct_unpaid(&a[i]), v[6], sizeof(v[6]));
		row[0] = name;
		row[1] = fy;
		row[2] = v[0];
		row[3] = v[1];
		row[4] = v[2];
		row[5] = v[3];
		row[6] = v[4];
		row[7] = v[5];
		row[8] = v[6];
		row[9] = disp_word(d, a[i].closed ? "yes" : "no");
		out_table_add(&ta, row);

		disp_amount(d, a[i].carried_in, v[0], sizeof(v[0]));
		disp_amount(d, acct_budget(&a[i]), v[1], sizeof(v[1]));
		disp_amount(d, a[i].carried_out, v[2], sizeof(v[2]));
		disp_amount(d, acct_unused(&a[i]), v[3], sizeof(v[3]));
		disp_amount(d, a[i].receipts, v[4], sizeof(v[4]));
		disp_amount(d, out_acct_left(&a[i]), v[5], sizeof(v[5]));
		disp_rate(d, rate_bp(acct_net(&a[i]), acct_budget(&a[i])), v[6],
		    sizeof(v[6]));
		row[2] = v[0];
		row[3] = v[1];
		row[4] = v[2];
		row[5] = v[3];
		row[6] = v[4];
		row[7] = v[5];
		row[8] = v[6];
		out_table_add(&tb, row);
	}
	for (i = 0; i < m; i++) {
		snprintf(fy, sizeof(fy), "%u", (unsigned)r[i].fy);
		disp_amount(d, r[i].award, v[0], sizeof(v[0]));
		disp_amount(d, r[i].disbursed, v[1], sizeof(v[1]));
		disp_amount(d, r[i].refunded, v[2], sizeof(v[2]));
		disp_amount(d, region_net(&r[i]), v[3], sizeof(v[3]));
		disp_amount(d, region_remaining(&r[i]), v[4], sizeof(v[4]));
		name = regnames_get(names, r[i].region);
		row[0] = r[i].region;
		row[1] = name != NULL ? name : "-";
		row[2] = fy;
		row[3] = ld_grant_name(r[i].grant_type) != NULL ?
		    disp_word(d, ld_grant_name(r[i].grant_type)) : "?";
		row[4] = ld_account_name(r[i].account) != NULL ?
		    disp_word(d, ld_account_name(r[i].account)) : "?";
		row[5] = v[0];
		row[6] = v[1];
		row[7] = v[2];
		row[8] = v[3];
		row[9] = v[4];
		out_table_add(&tr, row);

		if (r[i].award_date != 0)
			format_date(r[i].award_date, v[0], sizeof(v[0]));
		row[1] = fy;
		row[2] = r[i].award_date != 0 ? v[0] : "-";
		row[3] = disp_word(d, region_status(&r[i]));
		row[4] = amount_or_dash(d, r[i].settled, r[i].settled_set, v[1],
		    sizeof(v[1]));
		disp_amount(d, r[i].carried_in, v[2], sizeof(v[2]));
		disp_amount(d, r[i].carried_out, v[3], sizeof(v[3]));
		row[5] = v[2];
		row[6] = v[3];
		row[7] = amount_or_dash(d, r[i].receivable, r[i].has_order, v[4],
		    sizeof(v[4]));
		disp_rate(d, rate_bp(region_net(&r[i]), r[i].award), v[5],
		    sizeof(v[5]));
		row[8] = v[5];
		out_table_add(&tl, row);
	}
	return tables_print(f, d, all, sizeof(all) / sizeof(all[0]));
}

int
out_terms_table(FILE *f, const struct disp *d, const struct ld_entry *t,
    size_t n)
{
	static const char *const heads[] = {
		"SEQ", "FY", "GRANT_TYPE", "ACCOUNT", "MIN", "MAX", "DEADLINE",
		"INTEREST", "LATE", "REF"
	};
	static const int right[] = { 1, 0, 0, 0, 1, 1, 0, 1, 1, 0 };
	struct out_table	 tt = { 10, heads, right, NULL, 0, 0, d };
	struct out_table	*const all[] = { &tt };
	char			 seq[24], fy[8], v[5][32];
	const char		*row[10];
	size_t			 i;
	int			 range;

	for (i = 0; i < n; i++) {
		range = t[i].min != 0 || t[i].max != 0;
		snprintf(seq, sizeof(seq), "%" PRIu64, t[i].seq);
		snprintf(fy, sizeof(fy), "%u", (unsigned)t[i].fy);
		format_date(t[i].deadline, v[2], sizeof(v[2]));
		disp_rate(d, t[i].interest_bp, v[3], sizeof(v[3]));
		disp_rate(d, t[i].late_bp, v[4], sizeof(v[4]));
		row[0] = seq;
		row[1] = fy;
		row[2] = ld_grant_name(t[i].grant_type) != NULL ?
		    disp_word(d, ld_grant_name(t[i].grant_type)) : "?";
		row[3] = ld_account_name(t[i].account) != NULL ?
		    disp_word(d, ld_account_name(t[i].account)) : "?";
		row[4] = amount_or_dash(d, t[i].min, range, v[0], sizeof(v[0]));
		row[5] = amount_or_dash(d, t[i].max, range, v[1], sizeof(v[1]));
		row[6] = v[2];
		row[7] = v[3];
		row[8] = v[4];
		row[9] = t[i].ref;
		out_table_add(&tt, row);
	}
	return tables_print(f, d, all, 1);
}

int
out_receivables_table(FILE *f, const struct disp *d,
    const struct msg_receivable *v, size_t n, uint32_t as_of)
{
	static const char *const heads[] = {
		"REGION", "FY", "ORDER", "REPAY_BY", "PRINCIPAL", "PAID",
		"INTEREST", "LATE_CHARGE", "PAID_CHARGES", "OUTSTANDING"
	};
	static const int right[] = { 0, 0, 1, 0, 1, 1, 1, 1, 1, 1 };
	struct out_table	 tt = { 10, heads, right, NULL, 0, 0, d };
	struct out_table	*const all[] = { &tt };
	char			 fy[8], seq[24], dt[16], c[6][32];
	const char		*row[10];
	size_t			 i;

	format_date(as_of, dt, sizeof(dt));
	if (d->lang == DISP_JA)
		fprintf(f, "%s（%s 現在、日本時間）\n", n > 0 ? "返還金債権" :
		    "返還金債権はありません", dt);
	else
		fprintf(f, "%s as of %s (JST)\n", n > 0 ? "receivables" :
		    "no receivables", dt);
	for (i = 0; i < n; i++) {
		snprintf(fy, sizeof(fy), "%u", (unsigned)v[i].fy);
		snprintf(seq, sizeof(seq), "%" PRIu64, v[i].order_seq);
		format_date(v[i].repay_by, dt, sizeof(dt));
		disp_amount(d, v[i].principal, c[0], sizeof(c[0]));
		disp_amount(d, v[i].principal_paid, c[1], sizeof(c[1]));
		disp_amount(d, v[i].interest, c[2], sizeof(c[2]));
		disp_amount(d, v[i].late_charge, c[3], sizeof(c[3]));
		disp_amount(d, v[i].paid_charges, c[4], sizeof(c[4]));
		disp_amount(d, v[i].outstanding, c[5], sizeof(c[5]));
		row[0] = v[i].region;
		row[1] = fy;
		row[2] = seq;
		row[3] = v[i].repay_by != 0 ? dt : "-";
		row[4] = c[0];
		row[5] = c[1];
		row[6] = c[2];
		row[7] = c[3];
		row[8] = c[4];
		row[9] = c[5];
		out_table_add(&tt, row);
	}
	return tables_print(f, d, all, 1);
}
