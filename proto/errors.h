/*
 * errors.h - the contract's error codes, shared by daemon and client.
 *
 * The numeric values are the wire values (u16 in an ERROR frame and in batch
 * results) and are frozen: append new codes, never renumber.
 */
#ifndef LD_ERRORS_H
#define LD_ERRORS_H

enum ld_err {
	LD_OK = 0,
	LD_E_BAD_REQUEST = 1,
	LD_E_FORBIDDEN = 2,
	LD_E_UNKNOWN_REGION = 3,
	LD_E_DUPLICATE_REGION = 4,
	LD_E_OUT_OF_RANGE = 5,
	LD_E_OVER_APPROPRIATION = 6,
	LD_E_NO_AWARD = 7,
	LD_E_OVER_AWARD = 8,
	LD_E_AWARD_BELOW_DISBURSED = 9,
	LD_E_OVER_REFUND = 10,
	LD_E_DATE_OUTSIDE_FY = 11,
	LD_E_YEAR_CLOSED = 12,
	LD_E_NOT_REVERSIBLE = 13,
	LD_E_ALREADY_REVERSED = 14,
	LD_E_ID_CONFLICT = 15,
	LD_E_NOT_FOUND = 16,
	LD_E_STORAGE_FULL = 17,
	LD_E_BUSY = 18,
	LD_E_UNAVAILABLE = 19,
	LD_E_INTERNAL = 20,
	LD_E_NO_TERMS = 21,		/* version 2 */
	LD_E_DATE_BEFORE_AWARD = 22,
	LD_E_TOO_EARLY = 23,
	LD_E_SETTLED = 24,
	LD_E_NO_RECEIVABLE = 25,
	LD_E_OVER_RECEIPT = 26,
	LD_E_DUPLICATE_REF = 27,	/* contract 2.3 */
	LD_E_DAMAGED = 28,		/* 2.4: an entry failed its leaf hash */
	LD_E_BAD_COSIGNATURE = 29,	/* 2.5 */
	LD_E_STALE_COSIGNATURE = 30,
	LD_E_NOT_LEADER = 31,		/* 2.6 */
	LD_E_STORAGE_ERROR = 32,	/* 2.10: the store failed; the daemon stops */
	LD_E_NOT_PENDING = 33,		/* 2.7: the request is decided or expired */
	LD_E_SELF_APPROVAL = 34,	/* 2.7: the author approving its own request */
	LD_E_MAX = 34
};

/* "BAD_REQUEST" etc.; "INTERNAL" for an unknown value (never NULL). */
const char	*ld_err_name(int code);
/* A default human-readable reason for a code (never NULL). */
const char	*ld_err_text(int code);
/* Parse a code's name; LD_OK ("OK") or a code, -1 when unknown. */
int		 ld_err_from_name(const char *);

#endif
