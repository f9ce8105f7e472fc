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

struct ld_acct_bal {
	uint8_t		account;	/* enum ld_account */
	uint16_t	fy;
	int64_t		appropriated;	/* sum of unreversed appropriations */
	int64_t		awarded;	/* sum of current awards of the account's regions */
	int64_t		disbursed;
	int64_t		refunded;
	uint8_t		closed;		/* a year_close exists */
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
};

/* Derived figures.  Inputs within the rules' invariants cannot overflow. */
static inline int64_t acct_net(const struct ld_acct_bal *a) { return a->disbursed - a->refunded; }
static inline int64_t acct_unawarded(const struct ld_acct_bal *a) { return a->appropriated - a->awarded; }
static inline int64_t region_net(const struct ld_region_bal *r) { return r->disbursed - r->refunded; }
static inline int64_t region_remaining(const struct ld_region_bal *r) { return r->award - (r->disbursed - r->refunded); }

#endif
