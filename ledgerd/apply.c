/*
 * apply.c - the ledger's state machine (see apply.h): look up, decide,
 * write the effects.
 *
 * The lookups are exactly what rules_scope() names, so a rule can never see
 * state that the replay would not rebuild.  The effects are written only
 * after rules_apply() said yes: a refusal leaves the transactions as they
 * were.  A repayment order (struct ld_order, ~24 KiB) is looked up only for
 * the kinds that need one, into memory owned by this call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "config.h"
#include "errors.h"
#include "rules.h"
#include "wire.h"

/* What decide() looked up and must free. */
struct lookup {
	struct rules_view	 v;
	struct rules_scope	 sc;
	struct ld_entry		*target;
	struct rcv_payment	*pay;
};

static void
lookup_free(struct lookup *l)
{
	free(l->target);
	free(l->pay);
	free(l->v.order);
}

/* The latest settlement deadline of the grant types drawing on account. */
static int
close_deadline(struct store_txn *st, uint8_t account, uint16_t fy,
    uint32_t *out)
{
	struct ld_terms x;
	uint32_t d;
	int g, rc;

	*out = 0;
	for (g = 1; g <= LD_G_MAX; g++) {
		if (ld_grant_account(g) != account)
			continue;
		rc = store_terms(st, fy, (uint8_t)g, &x);
		if (rc != LD_OK && rc != LD_E_NOT_FOUND)
			return rc;
		d = rc == LD_OK ? x.deadline : rules_default_deadline(fy);
		if (d > *out)
			*out = d;
	}
	return LD_OK;
}

/*
 * A reversal's target, read once from et into l (the authorization needs
 * its kind before the rest is looked up).  LD_OK also when there is no
 * such entry: the rules then answer NOT_FOUND.
 */
static int
read_target(struct store_txn *et, const struct ld_entry *req, struct lookup *l)
{
	int rc;

	if (req->kind != LD_K_REVERSAL || req->reverses >= req->seq)
		return LD_OK;
	if ((l->target = malloc(sizeof(*l->target))) == NULL)
		return LD_E_INTERNAL;
	rc = store_get(et, req->reverses, l->target);
	if (rc == LD_OK)
		l->v.target = l->target;
	return rc == LD_E_NOT_FOUND ? LD_OK : rc;
}

/*
 * The first unreversed payment of req's kind, region and fy whose ref is
 * req's (0 when none): the refs index names every entry with that ref,
 * the entries (from et) say which are such payments, and the reversed
 * index (st) which still count.  A ref is rarely reused, so this reads
 * one index record on the common path and a few entries otherwise.
 */
static int
find_dup_ref(struct store_txn *et, struct store_txn *st,
    const struct ld_entry *req, uint64_t *out)
{
	struct ld_entry *e;
	uint64_t *seqs, by;
	uint32_t n, i;
	int rc;

	*out = 0;
	if ((rc = store_ref_seqs(st, req->ref, &seqs, &n)) != LD_OK || n == 0)
		return rc;
	if ((e = malloc(sizeof(*e))) == NULL) {
		free(seqs);
		return LD_E_INTERNAL;
	}
	for (i = 0; i < n && *out == 0; i++) {
		if ((rc = store_get(et, seqs[i], e)) != LD_OK)
			break;
		if (e->kind == req->kind && e->fy == req->fy &&
		    strcmp(e->region, req->region) == 0 &&
		    store_reversed_by(st, e->seq, &by) == LD_E_NOT_FOUND)
			*out = e->seq;
	}
	free(e);
	free(seqs);
	/* The refs index names an entry that must exist. */
	if (rc == LD_E_NOT_FOUND)
		rc = LD_E_INTERNAL;
	if (rc == LD_OK)
		rc = store_error(st);
	return rc;
}

/*
 * Look up the rest of what req needs, after read_target() (l otherwise
 * zeroed).  req->seq is the seq it will get; everything but the target is
 * read from st.
 */
static int
look_up(struct store_txn *et, struct store_txn *st, const struct ld_entry *req,
    int64_t now, struct lookup *l)
{
	struct rules_view *v = &l->v;
	uint64_t seq, by;
	int rc, grant = 0;

	v->seq = req->seq;
	v->now = now;
	if (req->kind == LD_K_REGION) {
		rc = store_find_region(st, req->region, &seq);
		v->region_known = rc == LD_OK;
	} else if (req->region[0] != '\0') {
		rc = store_region_grant(st, req->region, &grant);
		v->region_known = rc == LD_OK;
		v->region_grant = (uint8_t)grant;
	}
	if (v->target != NULL)
		v->target_reversed = store_reversed_by(st, v->target->seq,
		    &by) == LD_OK;
	if ((rc = store_error(st)) != LD_OK || (rc = store_error(et)) != LD_OK)
		return rc;

	rules_scope(req, grant, v->target, &l->sc);
	if (l->sc.account != 0)
		store_acct_bal(st, l->sc.account, l->sc.fy, &v->acct);
	if (l->sc.region[0] != '\0')
		store_region_bal(st, l->sc.region, l->sc.fy, &v->rbal);
	if (l->sc.account2 != 0)
		store_acct_bal(st, l->sc.account2, l->sc.fy2, &v->acct2);
	if (l->sc.region2[0] != '\0')
		store_region_bal(st, l->sc.region2, l->sc.fy2, &v->rbal2);
	if (l->sc.terms_grant != 0 || req->kind == LD_K_TERMS) {
		rc = store_terms(st, l->sc.fy, req->kind == LD_K_TERMS ?
		    req->grant_type : l->sc.terms_grant, &v->terms);
		v->has_terms = rc == LD_OK;
	}
	if (l->sc.close &&
	    (rc = close_deadline(st, l->sc.account, l->sc.fy,
	    &v->close_deadline)) != LD_OK)
		return rc;
	if (l->sc.payments &&
	    (rc = store_payments(st, l->sc.region, l->sc.fy, &l->pay,
	    &v->npay)) != LD_OK)
		return rc;
	v->pay = l->pay;
	if (l->sc.order) {
		if ((v->order = malloc(sizeof(*v->order))) == NULL)
			return LD_E_INTERNAL;
		rc = store_order(st, l->sc.region, l->sc.fy, v->order);
		v->has_order = rc == LD_OK;
	}
	if (l->sc.dup_ref &&
	    (rc = find_dup_ref(et, st, req, &v->dup_ref_seq)) != LD_OK)
		return rc;
	return store_error(st);
}

/* Write the effects of decided entry e (its seq assigned) into st. */
static int
write_effects(struct store_txn *st, const struct ld_entry *e,
    const struct lookup *l)
{
	const struct rules_view *v = &l->v;
	const struct rules_scope *sc = &l->sc;

	struct ld_reqstate rs;
	struct ld_policy p;
	int rc;

	if (e->id[0] != '\0')
		store_put_id(st, e->id, e->seq);
	if (e->ref[0] != '\0')
		store_put_ref(st, e->ref, e->seq);
	switch (e->kind) {
	case LD_K_POLICY:
		p.seq = e->seq;
		p.require = e->require;
		p.disburse_over = e->disburse_over;
		p.expire_days = e->expire_days;
		store_put_policy(st, &p);
		return store_error(st);
	case LD_K_REQUEST:
		/* No balance moves until it is approved. */
		memset(&rs, 0, sizeof(rs));
		rs.status = LD_REQ_PENDING;
		rs.action = e->action;
		rs.fy = e->fy != 0 ? e->fy : v->target != NULL ? v->target->fy : 0;
		rs.expires_at = e->expires_at;
		store_put_request(st, e->seq, &rs);
		return store_error(st);
	case LD_K_APPROVAL:
		if ((rc = store_request(st, e->request, &rs)) != LD_OK)
			return rc == LD_E_NOT_FOUND ? LD_E_INTERNAL : rc;
		rs.status = e->decision == LD_D_APPROVED ? LD_REQ_APPROVED :
		    e->decision == LD_D_REFUSED ? LD_REQ_REFUSED :
		    LD_REQ_REJECTED;
		rs.decided_by = e->seq;
		store_put_request(st, e->request, &rs);
		return store_error(st);
	case LD_K_REGION:
		store_put_region(st, e->region, e->seq, e->grant_type);
		return store_error(st);
	case LD_K_REVERSAL:
		store_put_reversed(st, e->reverses, e->seq);
		if (e->target_kind == LD_K_DISBURSEMENT)
			store_del_payment(st, e->region, e->fy, e->reverses);
		break;
	case LD_K_DISBURSEMENT:
		store_put_payment(st, e->region, e->fy, e->seq, e->date,
		    e->amount);
		break;
	case LD_K_TERMS:
		store_put_terms(st, e->fy, e->grant_type, &v->terms);
		break;
	}
	if (sc->account != 0)
		store_put_acct_bal(st, &v->acct);
	if (sc->region[0] != '\0')
		store_put_region_bal(st, &v->rbal);
	/* A receipt dated in its own year shares the first record. */
	if (sc->account2 != 0 &&
	    (sc->account2 != sc->account || sc->fy2 != sc->fy))
		store_put_acct_bal(st, &v->acct2);
	if (sc->region2[0] != '\0')
		store_put_region_bal(st, &v->rbal2);
	if (sc->order && v->has_order)
		store_put_order(st, sc->region, sc->fy, v->order);
	return store_error(st);
}

/* FORBIDDEN's message: who asked, with which roles, for what (2.3). */
static void
explain_forbidden(struct apply_why *why, int role, const char *actor,
    const struct ld_entry *req, const struct ld_entry *target)
{
	/* A reversal is judged by what it reverses: name that. */
	int reverse = req->kind == LD_K_REVERSAL && target != NULL;
	const char *kind = ld_kind_name(reverse ? target->kind : req->kind);
	char held[160];

	roles_held(role, held, sizeof(held));
	snprintf(why->msg, sizeof(why->msg), "certificate CN \"%s\" has %s, "
	    "which may not %s a%s %s", actor, held, reverse ? "reverse" :
	    "write", kind[0] == 'a' ? "n" : "", kind);
}

/*
 * Is stored entry s the entry request req was written as?  A request
 * entry stands for its action: a retry of a write that became a request
 * is that request.
 */
static int
same_request(const struct ld_entry *s, const struct ld_entry *req)
{
	struct ld_entry a;

	if (s->kind != LD_K_REQUEST || req->kind == LD_K_REQUEST)
		return rules_same_request(s, req);
	rules_action_of(s, &a);
	memcpy(a.id, s->id, sizeof(a.id));
	a.seq = s->seq;
	return rules_same_request(&a, req);
}

/*
 * The answer to a retried request (its id names stored entry s): s's
 * bytes, or for an approval what the first attempt answered: the action's
 * entry (approved), or the rule's refusal again (refused).
 */
static int
answer_again(struct store_txn *t, const struct ld_entry *s, int *dup,
    const uint8_t **enc, size_t *len, struct apply_why *why)
{
	if (s->kind == LD_K_APPROVAL && s->decision == LD_D_REFUSED) {
		msg_field_add(&why->f, "seq", MSG_FIELD_INT, (int64_t)s->seq);
		snprintf(why->msg, sizeof(why->msg), "approval recorded as seq "
		    "%llu with status refused: the rules refused the action "
		    "(%s)", (unsigned long long)s->seq, ld_err_name(s->refusal));
		return s->refusal;
	}
	*dup = 1;
	return store_get_raw(t, s->kind == LD_K_APPROVAL &&
	    s->decision == LD_D_APPROVED ? s->seq + 1 : s->seq, enc, len);
}

/* Why approve or reject was refused before anything was written. */
static void
explain_approval(struct apply_why *why, int rc, const struct ld_entry *appr,
    const struct ld_entry *r, const struct ld_reqstate *rs, int role,
    const char *actor)
{
	static const char *const st[] = { "", "pending", "approved",
	    "refused", "rejected" };
	char held[160];

	msg_field_add(&why->f, "request", MSG_FIELD_INT, (int64_t)appr->request);
	switch (rc) {
	case LD_E_NOT_FOUND:
		snprintf(why->msg, sizeof(why->msg), "seq %llu is not a request",
		    (unsigned long long)appr->request);
		break;
	case LD_E_NOT_PENDING:
		if (rs->status != LD_REQ_PENDING) {
			msg_field_add(&why->f, "seq", MSG_FIELD_INT,
			    (int64_t)rs->decided_by);
			snprintf(why->msg, sizeof(why->msg), "request %llu was "
			    "%s by seq %llu", (unsigned long long)r->seq,
			    st[rs->status], (unsigned long long)rs->decided_by);
		} else
			snprintf(why->msg, sizeof(why->msg), "request %llu "
			    "expired on %u (JST)", (unsigned long long)r->seq,
			    rules_jst_date(r->expires_at));
		break;
	case LD_E_FORBIDDEN:
		roles_held(role, held, sizeof(held));
		snprintf(why->msg, sizeof(why->msg), "certificate CN \"%s\" has "
		    "%s, which may not %s a %s request", actor, held,
		    appr->decision == LD_D_REJECTED ? "reject" : "approve",
		    ld_action_name(r->action));
		break;
	case LD_E_SELF_APPROVAL:
		snprintf(why->msg, sizeof(why->msg), "request %llu was written "
		    "by \"%s\": another officer must approve it",
		    (unsigned long long)r->seq, r->actor);
		break;
	}
}

/*
 * approve or reject (an approval request, validated): decide it, then
 * write the approval and, for an approved request whose action the rules
 * accept now, the action's own entry after it (2.10).  When the rules
 * refuse the action, the approval alone is written, status refused, and
 * the rule's code is returned: the one refusal that leaves a trace, since
 * the decision to approve was taken.
 */
static int
decide_approval(struct store_txn *t, int role, const char *actor,
    int64_t now, struct ld_entry *appr, const uint8_t **enc, size_t *len,
    struct apply_why *why)
{
	struct ld_entry *r, *a, *tgt;
	struct ld_reqstate rs;
	struct lookup l;
	int rc, found, tkind = 0;

	memset(&l, 0, sizeof(l));
	memset(&rs, 0, sizeof(rs));
	r = malloc(sizeof(*r));
	a = malloc(sizeof(*a));
	tgt = malloc(sizeof(*tgt));
	if (r == NULL || a == NULL || tgt == NULL) {
		rc = LD_E_INTERNAL;
		goto done;
	}
	rc = store_get(t, appr->request, r);
	if (rc != LD_OK && rc != LD_E_NOT_FOUND)
		goto done;
	found = rc == LD_OK && r->kind == LD_K_REQUEST;
	if (found && (rc = store_request(t, r->seq, &rs)) != LD_OK) {
		rc = rc == LD_E_NOT_FOUND ? LD_E_INTERNAL : rc;
		goto done;
	}
	if (found && r->action == LD_K_REVERSAL &&
	    store_get(t, r->reverses, tgt) == LD_OK)
		tkind = tgt->kind;
	if ((rc = store_error(t)) != LD_OK)
		goto done;
	if ((rc = rules_decide_approval(appr, found ? r : NULL,
	    found ? &rs : NULL, role, actor, tkind, now)) != LD_OK) {
		explain_approval(why, rc, appr, r, &rs, role, actor);
		goto done;
	}
	snprintf(appr->actor, sizeof(appr->actor), "%s", actor);
	appr->recorded_at = now;
	if (appr->decision == LD_D_REJECTED) {
		if ((rc = store_append(t, appr, enc, len)) == LD_OK)
			rc = write_effects(t, appr, &l);
		goto done;
	}

	/* The action, as the rules judge it now, after its approval. */
	rules_action_of(r, a);
	a->format = LD_ENTRY_FORMAT;
	a->seq = appr->seq + 1;
	if ((rc = rules_validate(a)) != LD_OK) {
		rc = LD_E_INTERNAL;	/* a stored request always validates */
		goto done;
	}
	if ((rc = read_target(t, a, &l)) != LD_OK ||
	    (rc = look_up(t, t, a, now, &l)) != LD_OK)
		goto done;
	a->approved_by = appr->seq;
	a->request = r->seq;
	if ((rc = rules_apply(a, &l.v)) != LD_OK) {
		int refusal = rc;

		appr->decision = LD_D_REFUSED;
		appr->refusal = (uint8_t)refusal;
		if ((rc = store_append(t, appr, enc, len)) != LD_OK ||
		    (rc = write_effects(t, appr, &l)) != LD_OK)
			goto done;
		why->f = l.v.why;
		rules_explain(refusal, a, &why->f, why->msg, sizeof(why->msg));
		{
			char rule[sizeof(why->msg)];

			memcpy(rule, why->msg, sizeof(rule));
			snprintf(why->msg, sizeof(why->msg), "approval recorded "
			    "as seq %llu with status refused: %s",
			    (unsigned long long)appr->seq, rule[0] != '\0' ?
			    rule : ld_err_text(refusal));
		}
		msg_field_add(&why->f, "seq", MSG_FIELD_INT, (int64_t)appr->seq);
		rc = refusal;
		goto done;
	}
	memcpy(a->actor, r->actor, sizeof(a->actor));
	a->recorded_at = now;
	if ((rc = store_append(t, appr, enc, len)) == LD_OK &&
	    (rc = write_effects(t, appr, &l)) == LD_OK &&
	    (rc = store_append(t, a, enc, len)) == LD_OK)
		rc = write_effects(t, a, &l);
done:
	lookup_free(&l);
	free(tgt);
	free(a);
	free(r);
	return rc;
}

/*
 * Append accepted action req as a request entry instead (policy p names
 * it): no balance moves; l is the action's lookup, for a reversal's fy.
 */
static int
write_request(struct store_txn *t, const struct ld_entry *req,
    const struct ld_policy *p, const char *actor, int64_t now,
    const struct lookup *l, const uint8_t **enc, size_t *len)
{
	struct ld_entry *r;
	int rc;

	if ((r = malloc(sizeof(*r))) == NULL)
		return LD_E_INTERNAL;
	rules_request_entry(req, p, now, r);
	snprintf(r->actor, sizeof(r->actor), "%s", actor);
	if ((rc = store_append(t, r, enc, len)) == LD_OK)
		rc = write_effects(t, r, l);
	free(r);
	return rc;
}

int
apply_write(struct store_txn *t, int role, const char *actor, int64_t now,
    struct ld_entry *req, int *dup, const uint8_t **enc, size_t *len,
    struct apply_why *why)
{
	struct ld_entry *stored = NULL;
	struct apply_why ignored;
	struct ld_policy policy;
	struct lookup l;
	uint64_t seq;
	int rc;

	*dup = 0;
	memset(&l, 0, sizeof(l));
	if (why == NULL)
		why = &ignored;
	memset(why, 0, sizeof(*why));
	req->format = LD_ENTRY_FORMAT;
	req->seq = store_size(t) + 1;
	/*
	 * The request is validated once, here: what rules_apply() adds is
	 * derived by code, so entry_encode() does not check again.
	 */
	if ((rc = rules_validate(req)) != LD_OK)
		return rc;
	rules_normalize(req);
	if (req->kind == LD_K_APPROVAL)
		goto idcheck;	/* decide_approval() authorizes */
	if ((rc = read_target(t, req, &l)) != LD_OK) {
		if (rc == LD_E_DAMAGED) {
			msg_field_add(&why->f, "seq", MSG_FIELD_INT,
			    (int64_t)req->reverses);
			snprintf(why->msg, sizeof(why->msg), "seq %llu: the "
			    "stored entry does not match its leaf hash",
			    (unsigned long long)req->reverses);
		}
		goto done;
	}
	if ((rc = rules_authorize(role, req, l.v.target != NULL ?
	    l.v.target->kind : 0)) != LD_OK) {
		explain_forbidden(why, role, actor, req, l.v.target);
		goto done;
	}

idcheck:
	if (req->id[0] != '\0' && store_find_id(t, req->id, &seq) == LD_OK) {
		if ((stored = malloc(sizeof(*stored))) == NULL) {
			rc = LD_E_INTERNAL;
			goto done;
		}
		/* The id index names an entry that must exist. */
		if ((rc = store_get(t, seq, stored)) == LD_E_NOT_FOUND)
			rc = LD_E_INTERNAL;
		if (rc == LD_OK) {
			if (!same_request(stored, req)) {
				rc = LD_E_ID_CONFLICT;
				msg_field_add(&why->f, "seq", MSG_FIELD_INT,
				    (int64_t)seq);
				rules_explain(rc, req, &why->f, why->msg,
				    sizeof(why->msg));
			} else
				rc = answer_again(t, stored, dup, enc, len, why);
		}
		free(stored);
		goto done;
	}
	if ((rc = store_error(t)) != LD_OK)
		goto done;
	if (req->kind == LD_K_APPROVAL) {
		rc = decide_approval(t, role, actor, now, req, enc, len, why);
		goto done;
	}

	if ((rc = look_up(t, t, req, now, &l)) == LD_OK &&
	    (rc = rules_apply(req, &l.v)) != LD_OK && l.v.why.n > 0) {
		why->f = l.v.why;
		rules_explain(rc, req, &why->f, why->msg, sizeof(why->msg));
	}
	if (rc == LD_OK && (rc = store_policy(t, &policy)) == LD_OK &&
	    rules_needs_approval(&policy, req)) {
		rc = write_request(t, req, &policy, actor, now, &l, enc, len);
		goto done;
	}
	if (rc == LD_OK) {
		snprintf(req->actor, sizeof(req->actor), "%s", actor);
		req->recorded_at = now;
		/*
		 * The entry first: an entry that does not encode is refused
		 * before anything is written; after it, only a storage
		 * failure can stop the effects, and that one is sticky.
		 */
		if ((rc = store_append(t, req, enc, len)) == LD_OK)
			rc = write_effects(t, req, &l);
	}
done:
	if (rc == LD_E_DAMAGED && why->msg[0] == '\0')
		snprintf(why->msg, sizeof(why->msg), "an entry this request "
		    "needs does not match its leaf hash (the daemon's log "
		    "names it)");
	lookup_free(&l);
	return rc;
}

/*
 * Replay's check of an approved action e: its approval is the entry just
 * before it, approved, for e->request, a request by e's actor for exactly
 * this action.  0, or -1 with why set.
 */
static int
replay_link(struct store_txn *et, const struct ld_entry *e,
    const struct ld_entry *req, char *why, size_t whylen)
{
	struct ld_entry *x, a;
	int ok = 0;

	if ((x = malloc(sizeof(*x))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (e->approved_by + 1 != e->seq ||
	    store_get(et, e->approved_by, x) != LD_OK ||
	    x->kind != LD_K_APPROVAL || x->decision != LD_D_APPROVED ||
	    x->request != e->request)
		snprintf(why, whylen, "approved_by %llu is not the approval "
		    "of request %llu just before it",
		    (unsigned long long)e->approved_by,
		    (unsigned long long)e->request);
	else if (store_get(et, e->request, x) != LD_OK ||
	    x->kind != LD_K_REQUEST || strcmp(x->actor, e->actor) != 0)
		snprintf(why, whylen, "request %llu is not a request by \"%s\"",
		    (unsigned long long)e->request, e->actor);
	else {
		rules_action_of(x, &a);
		if (!rules_same_request(&a, req))
			snprintf(why, whylen, "request %llu asked for another "
			    "action", (unsigned long long)e->request);
		else
			ok = 1;
	}
	free(x);
	return ok ? 0 : -1;
}

/*
 * Replay's judgement of approval e (request form req): the same checks as
 * approve and reject, by its actor at its time (roles are not recorded),
 * then what followed: an approved one's action is the next entry, a
 * refused one's action is refused again with the same code.
 */
static int
replay_approval(struct store_txn *et, struct store_txn *st,
    const struct ld_entry *e, const struct ld_entry *req, char *why,
    size_t whylen)
{
	struct ld_entry *r, *a;
	struct ld_reqstate rs;
	struct lookup l;
	int rc, found, tkind = 0;

	memset(&l, 0, sizeof(l));
	r = malloc(sizeof(*r));
	a = malloc(sizeof(*a));
	if (r == NULL || a == NULL) {
		rc = LD_E_INTERNAL;
		goto done;
	}
	found = store_get(et, e->request, r) == LD_OK &&
	    r->kind == LD_K_REQUEST &&
	    store_request(st, e->request, &rs) == LD_OK;
	if (found && r->action == LD_K_REVERSAL &&
	    store_get(et, r->reverses, a) == LD_OK)
		tkind = a->kind;
	if ((rc = rules_decide_approval(req, found ? r : NULL, found ? &rs :
	    NULL, ~0, e->actor, tkind, e->recorded_at)) != LD_OK) {
		snprintf(why, whylen, "the rules refuse this approval: %s",
		    ld_err_name(rc));
		goto done;
	}
	if (e->decision == LD_D_APPROVED) {
		if (store_get(et, e->seq + 1, a) != LD_OK ||
		    a->approved_by != e->seq) {
			snprintf(why, whylen, "approved, but its action is not "
			    "the next entry");
			rc = APPLY_MISMATCH;
		}
		goto done;
	}
	if (e->decision != LD_D_REFUSED)
		goto done;
	rules_action_of(r, a);
	a->format = e->format;
	a->seq = e->seq + 1;
	if (rules_validate(a) != LD_OK)
		rc = APPLY_MISMATCH;
	else if ((rc = read_target(et, a, &l)) == LD_OK &&
	    (rc = look_up(et, st, a, e->recorded_at, &l)) == LD_OK &&
	    rules_apply(a, &l.v) != e->refusal)
		rc = APPLY_MISMATCH;
	if (rc == APPLY_MISMATCH)
		snprintf(why, whylen, "recorded as refused with %s, but the "
		    "rules do not refuse the action so", ld_err_name(e->refusal));
done:
	lookup_free(&l);
	free(a);
	free(r);
	return rc;
}

int
apply_replay(struct store_txn *et, struct store_txn *st,
    const struct ld_entry *e, const uint8_t *enc, size_t enclen, char *why,
    size_t whylen)
{
	struct ld_entry *req;
	struct ld_policy policy;
	struct wbuf b;
	struct lookup l;
	uint64_t seq;
	int rc;

	why[0] = '\0';
	memset(&l, 0, sizeof(l));
	if ((req = malloc(sizeof(*req))) == NULL)
		return LD_E_INTERNAL;
	if (e->kind == LD_K_REQUEST) {
		/* A request is judged as the action it stands for. */
		rules_action_of(e, req);
		memcpy(req->id, e->id, sizeof(req->id));
	} else
		rules_request_of(e, req);
	req->format = e->format;
	req->seq = e->seq;
	if ((rc = rules_validate(req)) != LD_OK) {
		snprintf(why, whylen, "fields not valid for a %s request",
		    ld_kind_name(e->kind));
		goto done;
	}
	if (e->id[0] != '\0' && store_find_id(st, e->id, &seq) == LD_OK) {
		snprintf(why, whylen, "id '%s' already used by seq %llu", e->id,
		    (unsigned long long)seq);
		rc = LD_E_ID_CONFLICT;
		goto done;
	}
	if (e->kind == LD_K_APPROVAL) {
		if ((rc = replay_approval(et, st, e, req, why, whylen)) == LD_OK)
			rc = write_effects(st, e, &l);
		goto done;
	}
	if ((rc = read_target(et, req, &l)) != LD_OK ||
	    (rc = look_up(et, st, req, e->recorded_at, &l)) != LD_OK)
		goto done;
	if ((rc = rules_apply(req, &l.v)) != LD_OK) {
		snprintf(why, whylen, "the rules refuse this %s: %s",
		    ld_kind_name(e->kind), ld_err_name(rc));
		goto done;
	}
	if ((rc = store_policy(st, &policy)) != LD_OK)
		goto done;
	/* The policy in force decides which writes wait for a second officer. */
	if (e->kind == LD_K_REQUEST) {
		if (!rules_needs_approval(&policy, req)) {
			snprintf(why, whylen, "a request the policy in force "
			    "does not call for");
			rc = APPLY_MISMATCH;
			goto done;
		}
		rules_request_entry(req, &policy, e->recorded_at, req);
	} else if (e->approved_by != 0) {
		if (replay_link(et, e, req, why, whylen) != 0) {
			rc = APPLY_MISMATCH;
			goto done;
		}
		req->approved_by = e->approved_by;
		req->request = e->request;
	} else if (rules_needs_approval(&policy, req)) {
		snprintf(why, whylen, "written without the approval the policy "
		    "in force (seq %llu) requires",
		    (unsigned long long)policy.seq);
		rc = APPLY_MISMATCH;
		goto done;
	}
	memcpy(req->actor, e->actor, sizeof(req->actor));
	req->recorded_at = e->recorded_at;
	/* The derived fields, compared as the bytes the tree hashes. */
	wbuf_init(&b);
	if (entry_encode(&b, req) != 0 || b.len != enclen ||
	    memcmp(b.data, enc, enclen) != 0) {
		snprintf(why, whylen, "the rules derive other fields for this "
		    "%s than it carries", ld_kind_name(e->kind));
		rc = APPLY_MISMATCH;
	}
	wbuf_free(&b);
	if (rc == LD_OK)
		rc = write_effects(st, e, &l);
done:
	lookup_free(&l);
	free(req);
	return rc;
}

int
apply_rebuild(struct store *s, char *err, size_t errlen)
{
	struct store_txn *t;
	struct ld_entry *e;
	struct wbuf enc;
	uint64_t seq, size;
	char why[256];
	int db, rc;

	if ((e = malloc(sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((rc = store_begin(s, 1, &t)) != LD_OK) {
		snprintf(err, errlen, "cannot begin a write transaction: %s",
		    ld_err_name(rc));
		free(e);
		return -1;
	}
	wbuf_init(&enc);
	for (db = STORE_DB_DERIVED_FIRST; db <= STORE_DB_DERIVED_LAST; db++)
		store_drop(t, db);
	size = store_size(t);
	if ((rc = store_error(t)) != LD_OK)
		snprintf(err, errlen, "cannot empty the derived state: %s",
		    ld_err_name(rc));
	for (seq = 1; seq <= size && rc == LD_OK; seq++) {
		if ((rc = store_get(t, seq, e)) != LD_OK) {
			snprintf(err, errlen, "seq %llu: unreadable",
			    (unsigned long long)seq);
			break;
		}
		/*
		 * Its bytes again, from the decoded entry: store_get_raw()
		 * would copy every entry into the write transaction's arena.
		 */
		wbuf_reset(&enc);
		if (entry_encode(&enc, e) != 0) {
			rc = LD_E_INTERNAL;
			snprintf(err, errlen, "seq %llu: does not encode",
			    (unsigned long long)seq);
			break;
		}
		if ((rc = apply_replay(t, t, e, enc.data, enc.len, why,
		    sizeof(why))) != LD_OK)
			snprintf(err, errlen, "seq %llu: %s",
			    (unsigned long long)seq, why[0] ? why :
			    ld_err_name(rc));
	}
	wbuf_free(&enc);
	if (rc == LD_OK && (rc = store_set_format(t)) != LD_OK)
		snprintf(err, errlen, "cannot mark the store current: %s",
		    ld_err_name(rc));
	if (rc == LD_OK && (rc = store_commit(t)) != LD_OK)
		snprintf(err, errlen, "commit: %s", ld_err_name(rc));
	else if (rc != LD_OK)
		store_abort(t);
	free(e);
	return rc == LD_OK ? 0 : -1;
}
