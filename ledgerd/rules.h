/*
 * rules.h - every grant rule of the contract, as pure functions.
 *
 * Nothing here touches the network, the disk or the clock: the writer looks
 * up the state a request needs (struct rules_view), asks rules_apply() for a
 * decision, and stores what it returns.  Unit tests call these functions
 * directly; `ledgerd --verify` replays them over the whole ledger.
 *
 * A write passes, in this order:
 *   rules_validate   BAD_REQUEST   the request's own fields (contract limits)
 *   rules_authorize  FORBIDDEN     the caller's role may write this kind
 *   (writer)         ID_CONFLICT   id reuse, via rules_same_request()
 *   rules_apply      the rest, in the contract's order: UNKNOWN_REGION,
 *                    DUPLICATE_REGION, NOT_FOUND, DATE_OUTSIDE_FY, YEAR_CLOSED,
 *                    NOT_REVERSIBLE, ALREADY_REVERSED, NO_AWARD, OUT_OF_RANGE,
 *                    OVER_APPROPRIATION, AWARD_BELOW_DISBURSED, OVER_AWARD,
 *                    OVER_REFUND
 * so that a request breaking several rules reports the first.
 */
#ifndef LD_RULES_H
#define LD_RULES_H

#include <stdint.h>

#include "balance.h"
#include "entry.h"

/* Award range per grant type (index enum ld_grant); continuing has none. */
struct rules_limits {
	int64_t	min[LD_G_MAX + 1];
	int64_t	max[LD_G_MAX + 1];
};

/* The contract's defaults: general 1e8-2e8, reconstruction 2.5e8-5e8. */
void	rules_limits_default(struct rules_limits *);

/*
 * BAD_REQUEST unless every field the kind takes is present and within the
 * contract's limits (region code charset, ref/id printable ASCII 1-64,
 * texts valid UTF-8 <= 512 bytes without controls, amount 1..10^13,
 * fy in range, a real date, known enums), and no field it does not take is
 * set.  seq, actor and recorded_at are the daemon's and are not looked at.
 * Returns LD_OK or LD_E_BAD_REQUEST.
 */
int	rules_validate(const struct ld_entry *req);

/*
 * May role (enum role of config.h) write req?  target_kind is the kind of a
 * reversal's target, 0 when it does not exist (then admin and clerk pass,
 * so that they learn NOT_FOUND).  Returns LD_OK or LD_E_FORBIDDEN.
 */
int	rules_authorize(int role, const struct ld_entry *req, int target_kind);

/*
 * 1 when a stored entry carries the same request as req: same kind and the
 * same request fields (for a reversal: reverses and reason), ignoring actor,
 * seq, recorded_at and derived fields.  Decides "duplicate" vs ID_CONFLICT.
 */
int	rules_same_request(const struct ld_entry *stored, const struct ld_entry *req);

/*
 * Which balances a request touches.  region_grant is the grant type of the
 * request's region (0 when unknown or none); target is a reversal's target
 * (NULL when none).  Sets *account and *fy (0 when none) and *region
 * (points into req or target; "" when none).
 */
void	rules_scope(const struct ld_entry *req, int region_grant,
	    const struct ld_entry *target, uint8_t *account, uint16_t *fy,
	    const char **region);

/* What the writer looked up for one request. */
struct rules_view {
	int			 region_known;	/* the request's region exists */
	uint8_t			 region_grant;	/* its grant type */
	const struct ld_entry	*target;	/* reversal target; NULL = no such seq */
	int			 target_reversed;	/* target already reversed */
	struct ld_acct_bal	 acct;	/* (account, fy) from rules_scope; zeroed if new */
	struct ld_region_bal	 rbal;	/* (region, fy) from rules_scope; zeroed if new */
};

/*
 * Decide a validated, authorized, non-duplicate request.  On LD_OK the
 * request's derived fields are filled in (an award's account; a reversal's
 * target_kind, region, account, fy and amount; a year_close's account
 * totals) and v->acct / v->rbal hold the state to store after it.  Otherwise
 * returns the first broken rule's code and leaves req and v as they were.
 * Every sum is overflow-checked (an overflow is OUT_OF_RANGE... see rules.c).
 *
 * award_seq: for an award, v->rbal.award_seq is set to req->seq, which the
 * caller may leave 0 (the seq is assigned at append); the writer then sets
 * it to store_size() + 1, and store_append() stores the assigned seq as the
 * award's award_seq in any case.  A region has a current award when
 * award_seq or award is non-zero.
 */
int	rules_apply(const struct rules_limits *, struct ld_entry *req,
	    struct rules_view *v);

#endif
