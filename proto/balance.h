/*
 * balance.h - running totals kept per (account, fy) and per (region, fy).
 *
 * The daemon keeps these in LMDB and updates them in the same transaction as
 * the entry that changes them; `ledgerd --verify` recomputes them from the
 * entries; the client derives net/remaining/unawarded from them.  Every
 * figure excludes reversed entries.  All amounts are int64 yen and every
 * update is overflow-checked by the rules module.
 */
#ifndef LD_BALANCE_H
#define LD_BALANCE_H

#include <stdint.h>

#include "entry.h"
#include "receivable.h"

/*
 * Two-person approval's derived state (contract 2.7): the policy entry in
 * force, and what became of each request.  seq 0: no policy entry, so the
 * defaults (nothing required, 14 days).
 */
struct ld_policy {
	uint64_t	seq;
	uint16_t	require;	/* LD_KIND_BIT mask */
	int64_t		disburse_over;	/* 0 = off */
	uint16_t	expire_days;
};
enum ld_req_status {
	LD_REQ_PENDING = 1,
	LD_REQ_APPROVED = 2,
	LD_REQ_REFUSED = 3,
	LD_REQ_REJECTED = 4
};
struct ld_reqstate {
	uint8_t		status;		/* enum ld_req_status */
	uint8_t		action;		/* the action's kind */
	uint16_t	fy;		/* the action's fiscal year */
	uint64_t	decided_by;	/* the approval's seq; 0 while open */
	int64_t		expires_at;
};

struct ld_acct_bal {
	uint8_t		account;	/* enum ld_account */
	uint16_t	fy;
	int64_t		appropriated;	/* sum of unreversed appropriations */
	int64_t		awarded;	/* sum of current awards of the account's regions */
	int64_t		disbursed;
	int64_t		refunded;
	uint8_t		closed;		/* a year_close exists */
	int64_t		carried_in;	/* carry-overs from fy - 1 into fy */
	int64_t		carried_out;	/* carry-overs from fy into fy + 1 */
	int64_t		receipts;	/* receipts dated in fy (revenue) */
};

struct ld_region_bal {
	char		region[LD_CODE_MAX + 1];
	uint16_t	fy;
	uint8_t		grant_type;
	uint8_t		account;
	int64_t		award;		/* current award; 0 = none */
	uint64_t	award_seq;	/* seq of the current award; 0 = none */
	int64_t		disbursed;
	int64_t		refunded;
	uint32_t	award_date;	/* first award's decision date; 0 = none
					   (no award, or a version 1 award) */
	uint8_t		cancelled;	/* the award was cancelled (交付決定の取消) */
	uint8_t		settled_set;	/* 額の確定 recorded */
	int64_t		settled;	/* the settled amount when settled_set */
	int64_t		carried_in;	/* carried from fy - 1: payable in fy */
	int64_t		carried_out;	/* carried into fy + 1 */
	uint8_t		has_order;	/* a repayment order exists */
	/* Computed by the reader when it answers, never stored: */
	int64_t		receivable;	/* outstanding on the order as of today */
};

/*
 * The programme terms in force for (fy, grant type): the latest terms
 * entry's figures (2.1), kept by the state so that a rule needs no scan.
 */
struct ld_terms {
	uint64_t	seq;		/* the terms entry; 0 = no terms */
	int64_t		min, max;	/* 0/0 = no range */
	uint32_t	deadline;	/* 出納整理期限 */
	uint32_t	interest_bp;
	uint32_t	late_bp;
};

/* A receipt recorded against an order, kept until it is reversed. */
struct ld_order_receipt {
	uint64_t	seq;
	uint32_t	date;
	int64_t		amount;
};

/*
 * A repayment order (返還命令) on a region-year, created by a cancellation
 * or a settlement with an excess: what it fixed (receivable.h) and the
 * receipts recorded against it.  At most one per region-year: after a
 * settlement or a cancellation the rules allow neither again.
 */
struct ld_order {
	uint64_t		seq;		/* the ordering entry */
	uint8_t			account;
	struct rcv_order	o;
	uint32_t		nreceipts;
	struct ld_order_receipt	receipts[RCV_RECEIPTS_MAX];
};

/* Derived figures.  Inputs within the rules' invariants cannot overflow. */
static inline int64_t acct_net(const struct ld_acct_bal *a) { return a->disbursed - a->refunded; }
static inline int64_t acct_unawarded(const struct ld_acct_bal *a) { return a->appropriated - a->awarded; }
static inline int64_t region_net(const struct ld_region_bal *r) { return r->disbursed - r->refunded; }
static inline int64_t acct_budget(const struct ld_acct_bal *a) { return a->appropriated + a->carried_in; }
static inline int64_t acct_unused(const struct ld_acct_bal *a) { return acct_budget(a) - acct_net(a) - a->carried_out; }
/*
 * What the region-year may still be paid: the settled amount once settled,
 * else the award plus what was carried in, less what was carried out.
 */
static inline int64_t region_cap(const struct ld_region_bal *r) { return (r->settled_set ? r->settled : r->award + r->carried_in) - r->carried_out; }
static inline int64_t region_remaining(const struct ld_region_bal *r) { return region_cap(r) - (r->disbursed - r->refunded); }
/* part / whole in basis points, rounded down; -1 (JSON null) when whole <= 0. */
__extension__ typedef __int128 ld_i128;
static inline int64_t rate_bp(int64_t part, int64_t whole) { return whole <= 0 ? -1 : (int64_t)(((ld_i128)part * 10000) / whole); }

#endif
