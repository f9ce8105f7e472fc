/*
 * entry.h - a ledger entry and its canonical encoding.
 *
 * The canonical encoding (proto/PROTOCOL.md, "Canonical entry encoding") is
 * the exact byte string that the Merkle tree hashes: leaf hash =
 * SHA-256(0x00 || encoding).  It is frozen at format version 1; changing it
 * would invalidate every ledger ever written.  The same bytes are stored in
 * LMDB and sent on the wire, so the client can recompute every leaf hash.
 *
 * struct ld_entry doubles as the body of a write request: the daemon fills
 * seq, actor, recorded_at and the derived fields (an award's account, a
 * reversal's copy of its target, a year_close's totals) before appending.
 *
 * Strings are held in fixed arrays, NUL-terminated; the validators below
 * guarantee that no stored string contains a NUL or a control character.
 */
#ifndef LD_ENTRY_H
#define LD_ENTRY_H

#include <stddef.h>
#include <stdint.h>

struct wbuf;

#define LD_ENTRY_FORMAT		4	/* first byte of every new encoding */
#define LD_ENTRY_FORMAT_V3	3	/* entries written before approvals */
#define LD_ENTRY_FORMAT_V2	2	/* entries written before DUPLICATE_REF */
#define LD_ENTRY_FORMAT_V1	1	/* entries of version 1 ledgers */

/* ld_entry.flags (format 3, disbursement and refund) */
#define LD_EF_DUP_REF_OK	0x01	/* --allow-duplicate-ref: the writer
					   was told the ref is used already */
#define LD_EF_ALL		LD_EF_DUP_REF_OK

#define LD_CODE_MAX		64	/* region code [a-z0-9-]{1,64} */
#define LD_REF_MAX		64	/* ref and id: 1-64 printable ASCII */
#define LD_ID_MAX		64
#define LD_TEXT_MAX		512	/* name, memo, reason, category: bytes */
#define LD_ACTOR_MAX		64	/* X.509 ub-common-name */
#define LD_AMOUNT_MAX		INT64_C(10000000000000)	/* 10^13 yen */
#define LD_FY_MIN		1900
#define LD_FY_MAX		9999
#define LD_ENTRY_ENC_MAX	4096	/* no valid encoding is longer */
#define LD_RATE_MAX		10000	/* 100.00 % a year, in basis points */

enum ld_kind {
	LD_K_REGION = 1,
	LD_K_APPROPRIATION = 2,
	LD_K_AWARD = 3,
	LD_K_DISBURSEMENT = 4,
	LD_K_REFUND = 5,
	LD_K_REVERSAL = 6,
	LD_K_YEAR_CLOSE = 7,
	LD_K_TERMS = 8,		/* format 2 and later */
	LD_K_AWARD_CANCEL = 9,
	LD_K_SETTLEMENT = 10,
	LD_K_RECEIPT = 11,
	LD_K_CARRY_OVER = 12,
	LD_K_POLICY = 13,	/* format 4 and later */
	LD_K_REQUEST = 14,
	LD_K_APPROVAL = 15,
	LD_K_MAX = 15
};

/*
 * Two-person approval (format 4).  A policy names the actions that need a
 * second person as a mask of their kinds (LD_APPROVABLE bits); a write the
 * policy names becomes a `request` entry carrying the action's kind and
 * its request fields; an `approval` entry decides it.  The action's own
 * entry, written beside an approval, names both (approved_by, request).
 */
#define LD_KIND_BIT(k)		(1u << (k))
#define LD_APPROVABLE	(LD_KIND_BIT(LD_K_REVERSAL) | \
	LD_KIND_BIT(LD_K_AWARD_CANCEL) | LD_KIND_BIT(LD_K_SETTLEMENT) | \
	LD_KIND_BIT(LD_K_TERMS) | LD_KIND_BIT(LD_K_YEAR_CLOSE) | \
	LD_KIND_BIT(LD_K_DISBURSEMENT))
/* What `policy set --require` may list: disbursements go by amount. */
#define LD_REQUIRABLE	(LD_APPROVABLE & ~LD_KIND_BIT(LD_K_DISBURSEMENT))
#define LD_EXPIRE_DAYS_DEFAULT	14
#define LD_EXPIRE_DAYS_MAX	3660

/* ld_entry.decision (approval) */
enum ld_decision {
	LD_D_APPROVED = 1,	/* the action's entry follows it */
	LD_D_REFUSED = 2,	/* approved, but the rules refused the action
				   then: refusal holds the code */
	LD_D_REJECTED = 3,	/* `reject`: ended without effect */
	LD_D_MAX = 3
};

/* A carry-over's kind: 明許繰越 or 事故繰越. */
enum ld_carry {
	LD_C_EXPLICIT = 1,
	LD_C_ACCIDENT = 2,
	LD_C_MAX = 2
};

enum ld_grant {
	LD_G_GENERAL = 1,
	LD_G_RECONSTRUCTION = 2,
	LD_G_CONTINUING = 3,
	LD_G_MAX = 3
};

enum ld_account {
	LD_A_GENERAL = 1,
	LD_A_RECONSTRUCTION = 2,
	LD_A_MAX = 2
};

struct ld_entry {
	uint8_t		format;			/* 1, 2 or 3; 0 in a request = current */
	uint64_t	seq;
	uint8_t		kind;			/* enum ld_kind */
	char		region[LD_CODE_MAX + 1];	/* region, award, disb., refund, reversal */
	char		name[LD_TEXT_MAX + 1];		/* region */
	uint8_t		grant_type;			/* region: enum ld_grant */
	char		category[LD_TEXT_MAX + 1];	/* region; may be empty */
	uint8_t		account;		/* enum ld_account; 0 = none */
	uint16_t	fy;			/* 0 = none */
	int64_t		amount;			/* always positive */
	char		ref[LD_REF_MAX + 1];
	uint32_t	date;			/* YYYYMMDD, 0 = none; an award's
						   decision date from format 2 */
	char		memo[LD_TEXT_MAX + 1];	/* may be empty */
	uint8_t		flags;			/* LD_EF_*: disb., refund (format 3) */
	uint64_t	reverses;		/* reversal: target seq */
	uint8_t		target_kind;		/* reversal: kind of the target */
	char		reason[LD_TEXT_MAX + 1];	/* reversal */
	int64_t		appropriated;		/* year_close totals */
	int64_t		awarded;
	int64_t		disbursed;
	int64_t		refunded;
	int64_t		net;
	/* format 2: year_close totals */
	int64_t		carried_in;		/* 前年度繰越額 */
	int64_t		budget;			/* 予算現額 = appropriated + carried_in */
	int64_t		carried_out;		/* 翌年度繰越額 */
	int64_t		unused;			/* 不用額 = budget - net - carried_out */
	int64_t		receipts;		/* revenue: receipts dated in fy */
	int64_t		execution_rate_bp;	/* net / budget; -1 = null (budget 0) */
	/* format 2: terms */
	int64_t		min, max;		/* first award's range; 0/0 = none */
	uint32_t	deadline;		/* 出納整理期限 YYYYMMDD */
	uint32_t	interest_bp;		/* 加算金 rate, basis points */
	uint32_t	late_bp;		/* 延滞金 rate */
	/* format 2: cancellation, settlement, receipt, carry-over */
	uint32_t	repay_by;		/* order's due date; 0 = no order */
	int64_t		principal;		/* ordered (cancel, settle) or applied
						   (receipt) principal */
	int64_t		interest;		/* receipt: applied to 加算金 */
	int64_t		late;			/* receipt: applied to 延滞金 */
	uint8_t		carry_kind;		/* enum ld_carry */
	/* format 4: approvals */
	uint16_t	require;		/* policy: LD_KIND_BIT mask */
	int64_t		disburse_over;		/* policy: 0 = off */
	uint16_t	expire_days;		/* policy: 1..LD_EXPIRE_DAYS_MAX */
	uint8_t		action;			/* request: the action's kind */
	int64_t		expires_at;		/* request: recorded_at + days */
	uint64_t	request;		/* approval; an approved action */
	uint64_t	approved_by;		/* an approved action: its approval */
	uint8_t		decision;		/* approval: enum ld_decision */
	uint8_t		refusal;		/* approval refused: the rule's code */
	char		actor[LD_ACTOR_MAX + 1];	/* certificate CN of the writer */
	char		id[LD_ID_MAX + 1];		/* idempotency key; may be empty */
	int64_t		recorded_at;		/* microseconds since 1970-01-01 UTC */
};

/* Names as the contract spells them ("disbursement", "general", ...). */
const char	*ld_kind_name(int kind);	/* NULL when out of range */
const char	*ld_grant_name(int grant);
const char	*ld_account_name(int account);
const char	*ld_carry_name(int carry);	/* "explicit", "accident" */
const char	*ld_decision_name(int d);	/* "approved", "refused", "rejected" */
/* The ledgerctl command of an approvable kind ("disburse", "reverse", ...). */
const char	*ld_action_name(int kind);
int		 ld_action_from_name(const char *);	/* 0 when unknown */
int		 ld_kind_from_name(const char *);	/* 0 when unknown */
int		 ld_grant_from_name(const char *);
int		 ld_account_from_name(const char *);
int		 ld_carry_from_name(const char *);
/* The account a grant type is paid from: general and continuing -> general. */
int		 ld_grant_account(int grant);

/* Field validators; 1 when valid.  These are the contract's field limits. */
int	ld_valid_code(const char *);	/* [a-z0-9-]{1,64} */
int	ld_valid_ref(const char *);	/* 1-64 bytes 0x20..0x7e (also ids) */
int	ld_valid_text(const char *, int allow_empty);	/* UTF-8, no controls, <= 512 */
int	ld_valid_date(uint32_t yyyymmdd);	/* a real calendar date, 1900-9999 */
int	ld_valid_amount(int64_t);	/* 1..LD_AMOUNT_MAX yen */
int	ld_valid_fy(uint16_t);		/* LD_FY_MIN..LD_FY_MAX */
int	ld_valid_account(int);		/* an enum ld_account */
/* actor: 1-64 bytes of UTF-8 without control characters. */
int	ld_valid_actor(const char *);
/*
 * The text rule shared by every human-readable string: strict UTF-8 (no
 * overlongs, no surrogates, nothing above U+10FFFF) without C0 controls, DEL
 * or C1 controls, between minlen and maxlen bytes.  ld_valid_text() and
 * ld_valid_actor() are this with the contract's limits; msg.c uses it for
 * server strings and error messages.
 */
int	ld_valid_utf8_text(const char *, size_t minlen, size_t maxlen);

/*
 * 0 when e is an entry the decoder accepts: every field the kind takes
 * within the contract's limits, none it does not take, derived fields
 * sound (-1 otherwise).  entry_decode() applies exactly this check.
 */
int	entry_valid(const struct ld_entry *e);
/*
 * Append the canonical encoding of e to out (format 0 is written as
 * LD_ENTRY_FORMAT).  Returns 0, or -1 (out unchanged) when memory ran out or
 * e cannot be read: an unknown format or kind, a string not terminated
 * inside its array.
 *
 * Caveat: the encoder does not validate e: it writes what it is given, so
 * that an entry is validated once (ledgerd checks a request with
 * rules_validate() and derives the rest in rules_apply()).  Give it an
 * entry that entry_valid() accepts, or the bytes will not decode.
 */
int	entry_encode(struct wbuf *out, const struct ld_entry *e);
/*
 * Decode exactly len bytes into *e (zeroed first).  Returns 0, or -1 on any
 * malformation: unknown version or kind, a string over its cap or not valid
 * for its field, an out-of-range enum, a truncated or trailing byte.
 */
int	entry_decode(struct ld_entry *e, const uint8_t *buf, size_t len);
/* SHA-256(0x00 || buf) into out[32]. */
void	entry_leaf_hash(const uint8_t *buf, size_t len, uint8_t out[32]);

#endif
