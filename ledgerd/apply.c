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

	if (e->id[0] != '\0')
		store_put_id(st, e->id, e->seq);
	if (e->ref[0] != '\0')
		store_put_ref(st, e->ref, e->seq);
	switch (e->kind) {
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

int
apply_write(struct store_txn *t, int role, const char *actor, int64_t now,
    struct ld_entry *req, int *dup, const uint8_t **enc, size_t *len,
    struct apply_why *why)
{
	struct ld_entry *stored = NULL;
	struct apply_why ignored;
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

	if (req->id[0] != '\0' && store_find_id(t, req->id, &seq) == LD_OK) {
		if ((stored = malloc(sizeof(*stored))) == NULL) {
			rc = LD_E_INTERNAL;
			goto done;
		}
		/* The id index names an entry that must exist. */
		if ((rc = store_get(t, seq, stored)) == LD_E_NOT_FOUND)
			rc = LD_E_INTERNAL;
		if (rc == LD_OK) {
			if (!rules_same_request(stored, req)) {
				rc = LD_E_ID_CONFLICT;
				msg_field_add(&why->f, "seq", MSG_FIELD_INT,
				    (int64_t)seq);
				rules_explain(rc, req, &why->f, why->msg,
				    sizeof(why->msg));
			} else {
				*dup = 1;
				rc = store_get_raw(t, seq, enc, len);
			}
		}
		free(stored);
		goto done;
	}
	if ((rc = store_error(t)) != LD_OK)
		goto done;

	if ((rc = look_up(t, t, req, now, &l)) == LD_OK &&
	    (rc = rules_apply(req, &l.v)) != LD_OK && l.v.why.n > 0) {
		why->f = l.v.why;
		rules_explain(rc, req, &why->f, why->msg, sizeof(why->msg));
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

int
apply_replay(struct store_txn *et, struct store_txn *st,
    const struct ld_entry *e, const uint8_t *enc, size_t enclen, char *why,
    size_t whylen)
{
	struct ld_entry *req;
	struct wbuf b;
	struct lookup l;
	uint64_t seq;
	int rc;

	why[0] = '\0';
	memset(&l, 0, sizeof(l));
	if ((req = malloc(sizeof(*req))) == NULL)
		return LD_E_INTERNAL;
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
	if ((rc = read_target(et, req, &l)) != LD_OK ||
	    (rc = look_up(et, st, req, e->recorded_at, &l)) != LD_OK)
		goto done;
	if ((rc = rules_apply(req, &l.v)) != LD_OK) {
		snprintf(why, whylen, "the rules refuse this %s: %s",
		    ld_kind_name(e->kind), ld_err_name(rc));
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
