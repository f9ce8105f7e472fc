/*
 * rules.h - every grant rule of the contract, as pure functions.
 *
 * Nothing here touches the network, the disk or the clock: apply.c looks
 * up the state a request needs (struct rules_view), asks rules_apply() for
 * a decision, and stores what it returns.  The writer and `ledgerd
 * --verify` both go through apply.c, so both run exactly these rules;
 * unit tests call them directly.
 *
 * Every rule comes from the ledger: the award ranges, the settlement
 * deadline and the rates are the `terms` entries in force (contract 2.1),
 * "today" is the entry's own recorded_at in Japan (2.10), and an entry of
 * format 1 is judged by the version 1 rules with the version 1 defaults.
 * Whoever replays the ledger, with whatever config, reaches the same
 * verdict.
 *
 * A write passes, in this order:
 *   rules_validate   BAD_REQUEST   the request's own fields (contract limits)
 *   rules_authorize  FORBIDDEN     the caller's role may write this kind
 *   (approve/reject: rules_decide_approval, NOT_FOUND, NOT_PENDING,
 *                    FORBIDDEN, SELF_APPROVAL)
 *   (apply.c)        ID_CONFLICT   id reuse, via rules_same_request()
 *   rules_apply      the rest, in the contract's order: (BAD_REQUEST that
 *                    depends on the state), UNKNOWN_REGION, DUPLICATE_REGION,
 *                    NO_TERMS, NOT_FOUND, DATE_OUTSIDE_FY, DATE_BEFORE_AWARD,
 *                    YEAR_CLOSED, TOO_EARLY, SETTLED, NOT_REVERSIBLE,
 *                    ALREADY_REVERSED, NO_AWARD, NO_RECEIVABLE, OUT_OF_RANGE,
 *                    OVER_APPROPRIATION, AWARD_BELOW_DISBURSED, OVER_AWARD,
 *                    OVER_REFUND, OVER_RECEIPT, DUPLICATE_REF
 * so that a request breaking several rules reports the first.  OUT_OF_RANGE
 * is also any running total that would leave int64.  INTERNAL is not a
 * rule: it says that the looked-up state contradicts itself.
 *
 * Pure functions of their arguments: any thread.
 */
#ifndef LD_RULES_H
#define LD_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "balance.h"
#include "entry.h"
#include "msg.h"
#include "receivable.h"

/* Version 1's award ranges (ranges of format 1 entries). */
#define RULES_V1_GENERAL_MIN		INT64_C(100000000)
#define RULES_V1_GENERAL_MAX		INT64_C(200000000)
#define RULES_V1_RECONSTRUCTION_MIN	INT64_C(250000000)
#define RULES_V1_RECONSTRUCTION_MAX	INT64_C(500000000)
#define RULES_DEFAULT_RATE_BP		1095	/* 10.95 % (Subsidy Act art. 19) */

/* The default settlement deadline of fy: (fy+1)-04-30 (national). */
uint32_t	rules_default_deadline(uint16_t fy);
/* The fiscal year a date falls in (April to March); the date is not checked. */
uint16_t	rules_fy_of(uint32_t yyyymmdd);
/* The date (YYYYMMDD) in Japan (UTC+9, no DST) at t_us us since the epoch. */
uint32_t	rules_jst_date(int64_t t_us);

/*
 * BAD_REQUEST unless every field the kind takes is present and within the
 * contract's limits, and no field it does not take (nor any derived field)
 * is set.  Strings must end inside their arrays; id is "" or a valid ref;
 * repay_by, optional, is a date not before date.  A terms request must
 * carry a range (min <= max) for general and reconstruction, may omit it
 * (0/0) only for continuing, needs fy below LD_FY_MAX, rates at most
 * LD_RATE_MAX and a deadline (0 = default) within [(fy+1)-04-01,
 * (fy+1)-05-31].  format selects the kinds and fields: format 1 takes only
 * version 1's kinds, and an award without a date.  seq, actor and
 * recorded_at are the daemon's and are not looked at.  Returns LD_OK or
 * LD_E_BAD_REQUEST.
 */
int	rules_validate(const struct ld_entry *req);

/*
 * Fill in what an omitted option means (a terms request's deadline 0 ->
 * the default), so that a request and the entry it became compare equal.
 */
void	rules_normalize(struct ld_entry *req);

/*
 * May a caller holding roles (enum role bits of config.h) write req?
 * Contract 2.7's duties: budget (or admin) writes regions,
 * appropriations, terms and year closes; obligating (or admin) awards,
 * cancellations, settlements and carry-overs; disbursing (or clerk)
 * disbursements and refunds; revenue (or clerk) receipts; a reversal
 * belongs to whoever writes its target's kind.  target_kind is the kind
 * of a reversal's target, 0 when it does not exist; then, as for a target
 * that cannot be reversed, every writing role passes, so that it learns
 * NOT_FOUND or NOT_REVERSIBLE from the rules.  auditor and reconciler
 * write nothing.  Returns LD_OK or LD_E_FORBIDDEN.
 */
int	rules_authorize(int roles, const struct ld_entry *req, int target_kind);

/*
 * The request a stored entry was written from: e without the daemon's
 * fields (seq, actor, recorded_at) and without the derived ones.  format
 * and id are kept.
 */
void	rules_request_of(const struct ld_entry *e, struct ld_entry *req);

/*
 * 1 when stored entry s carries the same request as the (validated,
 * normalized) req: same kind and request fields, ignoring actor, seq,
 * recorded_at, format and derived fields.  Decides "duplicate" vs
 * ID_CONFLICT.  The two are compared as wire requests (msg_encode_write()),
 * so a field a kind gains is compared without a change here; 0 also when
 * either does not encode.
 */
int	rules_same_request(const struct ld_entry *s, const struct ld_entry *req);

/*
 * Two-person approval (contract 2.7, 2.10).  rules_needs_approval(): 1
 * when policy p sends the (validated, format 4) action request req to a
 * second officer: its kind is in p->require, or it is a disbursement
 * strictly above p->disburse_over; an action that carries its approval
 * (approved_by) never.  rules_request_entry(): the request entry that
 * stands for action (seq assigned, accepted by the rules) under p at time
 * now: the action's request fields, kind request, expires_at = now +
 * expire_days.  rules_action_of(): the action a request entry asks for,
 * in request form (no seq, actor, id or time).
 *
 * rules_decide_approval(): may the caller (roles, actor) decide request r,
 * whose derived state is rs (r and rs NULL when SEQ is no request), with
 * approval appr at time now?  In 2.10's order: NOT_FOUND, NOT_PENDING
 * (decided, or now past its expires_at), FORBIDDEN (roles may not do the
 * action; target_kind is a reversal's target's; the author may still
 * reject, i.e. withdraw), SELF_APPROVAL (the author approving).  LD_OK
 * otherwise.
 */
int	rules_needs_approval(const struct ld_policy *p, const struct ld_entry *req);
void	rules_request_entry(const struct ld_entry *action,
	    const struct ld_policy *p, int64_t now, struct ld_entry *out);
void	rules_action_of(const struct ld_entry *r, struct ld_entry *a);
int	rules_decide_approval(const struct ld_entry *appr,
	    const struct ld_entry *r, const struct ld_reqstate *rs, int roles,
	    const char *actor, int target_kind, int64_t now);

/*
 * Which state a request reads and writes.  region_grant is the grant type
 * of the request's region (0 when unknown or none); target is a
 * reversal's target (NULL when none).  A region-year kind of an unknown
 * region scopes nothing (the rules then say UNKNOWN_REGION); a reversal
 * is scoped by its target, whatever the target's kind.  sc->region and
 * region2 point into req or target, which must outlive sc.
 */
struct rules_scope {
	uint8_t		 account;	/* the (account, fy) balance; 0 = none */
	uint16_t	 fy;
	const char	*region;	/* the (region, fy) balance; "" = none */
	uint8_t		 account2;	/* a second account balance; 0 = none */
	uint16_t	 fy2;
	const char	*region2;	/* a second region balance, at fy2 */
	uint8_t		 terms_grant;	/* terms of (fy, terms_grant); 0 = none */
	int		 close;		/* year_close: needs the close deadline */
	int		 payments;	/* needs the region-year's payments */
	int		 order;		/* reads or writes the region-year's order */
	int		 dup_ref;	/* needs the first unreversed payment of
					   the same kind, region, fy and ref */
};
void	rules_scope(const struct ld_entry *req, int region_grant,
	    const struct ld_entry *target, struct rules_scope *sc);

/* What apply.c looked up for one request, and what rules_apply() changes. */
struct rules_view {
	uint64_t		 seq;		/* the seq the entry will get */
	int64_t			 now;		/* its recorded_at, microseconds */
	int			 region_known;	/* the request's region exists */
	uint8_t			 region_grant;	/* its grant type */
	const struct ld_entry	*target;	/* reversal target; NULL = no such seq */
	int			 target_reversed;
	int			 has_terms;	/* terms of scope (fy, terms_grant) */
	struct ld_terms		 terms;
	uint32_t		 close_deadline;	/* year_close: the latest
						   deadline of the account's
						   grant types that fy */
	struct ld_acct_bal	 acct;		/* zeroed with its key if new */
	struct ld_region_bal	 rbal;
	struct ld_acct_bal	 acct2;		/* the scope's second balances */
	struct ld_region_bal	 rbal2;
	const struct rcv_payment *pay;		/* unreversed disbursements */
	size_t			 npay;
	int			 has_order;	/* *order holds the region-year's */
	struct ld_order		*order;		/* never NULL when scope.order */
	uint64_t		 dup_ref_seq;	/* scope.dup_ref: that payment's
						   seq; 0 = none */
	struct msg_fields	 why;		/* out: a refusal's figures */
};

/*
 * Decide a validated, authorized, non-duplicate request (req->format says
 * which version's rules apply; req->seq and v->seq are the seq it gets).
 * On LD_OK the request's derived fields are filled in (the account of an
 * award, payment, cancellation, settlement, receipt or carry-over, from
 * the region's grant type; a reversal's copy of its target; a year_close's
 * totals; a terms entry's account; a cancellation's award and ordered
 * principal; a settlement's ordered excess; a receipt's split) and the
 * view holds the state to store after it: the balances in scope, terms
 * for a terms entry, and *order (has_order set when an order was created
 * or changed).  A terms request's deadline must already be normalized.
 * Otherwise returns the first broken rule's code (see the order above;
 * LD_E_INTERNAL when the state contradicts itself, such as an order that
 * lacks the receipt being reversed; LD_E_BAD_REQUEST for an unknown kind)
 * and leaves req untouched; the view may have been changed: the caller
 * drops it.  Every sum is overflow-checked: a sum that leaves int64 is
 * OUT_OF_RANGE.  The refusals contract 2.3 gives figures to (OUT_OF_RANGE
 * of a range, OVER_APPROPRIATION, OVER_AWARD, OVER_REFUND,
 * DATE_OUTSIDE_FY, DUPLICATE_REF) leave them in v->why; rules_explain()
 * turns them into the message.
 */
int	rules_apply(struct ld_entry *req, struct rules_view *v);

/*
 * The message of refusal code for req, with the figures of why (as
 * rules_apply() left them; may be empty) written in yen with separators,
 * into buf (len bytes, NUL-terminated, cut if short).  A wrong fiscal year
 * is called that: a DATE_OUTSIDE_FY whose date lies in another year's
 * window names both years.
 */
void	rules_explain(int code, const struct ld_entry *req,
	    const struct msg_fields *why, char *buf, size_t len);

/*
 * What is owed on order o as of date as_of (the order's own date when
 * as_of is earlier), counting the receipts dated on or before it (they are
 * kept in date order).  0, or -1 when the order is inconsistent.
 */
int	rules_order_status(const struct ld_order *o, uint32_t as_of,
	    struct rcv_status *st);

#endif
