/*
 * msg.h - payloads of the messages carried in frames (proto/PROTOCOL.md).
 *
 * Each message has an encoder that appends its payload to a wbuf and a
 * decoder that parses exactly one payload and rejects trailing bytes (long
 * lists are built with begin/add/finish and read with open/next instead).
 * Decoders are pure functions over untrusted bytes: every count and length
 * is checked against the bytes present and against the caps below before
 * anything is allocated.  Where cheap an encoder refuses what its decoder
 * would refuse, so that a bug shows up on the side that has it.
 *
 * Encoders return 0 or -1.  -1 is either invalid input, refused before
 * anything is appended, or the wbuf's sticky error (an allocation failed,
 * in this call or an earlier one): the buffer may then hold part of a
 * payload and is good only for wbuf_free() or wbuf_reset().
 * Decoders return 0 or -1.  They borrow their input for the call only,
 * except the iterators (and struct msg_bresult's enc), which point into it:
 * those bytes must outlive them.  What a decoder leaves in its outputs on -1
 * is said at each; never use them.  A write request is checked only for
 * its structure: whether its fields are acceptable is rules_validate()'s
 * decision, so that every refusal of a field has one home.
 *
 * Entries travel in their canonical encoding (entry.h), never re-encoded.
 * Thread-safe: no function keeps state.
 */
#ifndef LD_MSG_H
#define LD_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "balance.h"
#include "entry.h"

struct wbuf;

#define PROTO_VERSION		4	/* the newest this side speaks */
#define PROTO_VERSION_MIN	2	/* the oldest it still speaks */
#define MSG_TEXT_MAX		1024	/* error messages, version strings */
#define MSG_BATCH_MAX		100000	/* writes in one batch frame */

enum msg_type {
	/* requests: client -> daemon */
	MSG_HELLO = 0x01,
	MSG_WRITE = 0x10,
	MSG_WRITE_BATCH = 0x11,
	MSG_GET = 0x20,
	MSG_LIST = 0x21,
	MSG_REGION_LIST = 0x22,
	MSG_BALANCE = 0x23,
	MSG_STATUS = 0x24,
	MSG_TERMS = 0x25,
	MSG_RECEIVABLES = 0x26,
	MSG_FIND = 0x27,
	MSG_SCRUB = 0x28,
	MSG_CLUSTER = 0x29,		/* protocol 4: cluster status and changes */
	MSG_APPROVALS = 0x2c,	/* protocol 4: requests, approvals, policy */
	MSG_CHECKPOINT = 0x30,
	MSG_PROVE = 0x31,
	MSG_CONSISTENCY = 0x32,
	MSG_COSIGN = 0x33,		/* protocol 3: a witness's cosignature */
	/* answers: daemon -> client */
	MSG_ERROR = 0x80,
	MSG_HELLO_OK = 0x81,
	MSG_ENTRY = 0x90,
	MSG_ENTRIES = 0x91,
	MSG_BATCH_RESULT = 0x92,
	MSG_BALANCES = 0x93,
	MSG_STATUS_OK = 0x94,
	MSG_RECEIVABLES_OK = 0x95,
	MSG_SCRUB_OK = 0x96,
	MSG_CLUSTER_OK = 0x97,		/* protocol 4 */
	MSG_CHECKPOINT_OK = 0xa0,
	MSG_PROOF = 0xa1,
	MSG_COSIGN_OK = 0xa2
};

/*
 * An address as a cluster names it ("host:port", "[v6]:port"): 3..255
 * bytes of letters, digits and ". - _ : % [ ]", ending in ':' and a port
 * of 1..5 digits.  Both sides check that much; whether it resolves is the
 * dialer's business.
 */
#define MSG_ADDR_MAX		255

/*
 * The figures a refusal carries (contract 2.3: OVER_AWARD's award, net,
 * remaining and requested ...), so that a client can show them as JSON
 * fields and not only inside the message.  A name is 1..MSG_FIELD_NAME_MAX
 * bytes of [a-z_]; a value is an integer (amounts in yen, seqs) or a date
 * (YYYYMMDD, shown as "YYYY-MM-DD"), or from protocol 4 a text of at most
 * MSG_FIELD_TEXT_MAX bytes (UTF-8 without controls, may be empty): the
 * leader's client address of NOT_LEADER (contract 2.6).
 */
#define MSG_FIELDS_MAX		6
#define MSG_FIELD_NAME_MAX	15
#define MSG_FIELD_TEXT_MAX	MSG_ADDR_MAX
enum { MSG_FIELD_INT = 1, MSG_FIELD_DATE = 2, MSG_FIELD_TEXT = 3 };
struct msg_field {
	char		name[MSG_FIELD_NAME_MAX + 1];
	uint8_t		type;
	int64_t		value;				/* INT, DATE */
	char		text[MSG_FIELD_TEXT_MAX + 1];	/* TEXT */
};
struct msg_fields {
	uint8_t			n;
	struct msg_field	f[MSG_FIELDS_MAX];
};
/*
 * Append field name (a string constant of [a-z_]) to f; a full f is left
 * as it is (the fields are an aid, the message carries the figures too).
 */
void	msg_field_add(struct msg_fields *f, const char *name, int type,
	    int64_t value);
/*
 * Append a MSG_FIELD_TEXT field, text cut at a character boundary to
 * MSG_FIELD_TEXT_MAX bytes; like msg_field_add() otherwise.  text must be
 * UTF-8 without controls, or the encoder refuses the payload.
 */
void	msg_field_add_text(struct msg_fields *f, const char *name,
	    const char *text);

/*
 * ERROR: u16 code, str message, and from protocol version 3 a figures
 * section: u8 n (at most MSG_FIELDS_MAX), n x (str name, u8 type, then
 * i64 value, or for MSG_FIELD_TEXT (protocol 4) str text).  The payload
 * alone (a BATCH_RESULT item reuses it).  code must be
 * 1..65535, else -1 and nothing appended: LD_OK is not an error.  message
 * is sanitized, never refused: NULL is sent as "", a byte that does not
 * start valid text (UTF-8 without controls) becomes '?', and the text is
 * cut at a character boundary to MSG_TEXT_MAX bytes.  Error texts are
 * assembled from many sources; a daemon that could not send an error
 * because of its text would be worse than one that shows a '?'.
 *
 * msg_encode_refusal() adds the section when f is not NULL and has fields
 * (send them only to a peer that speaks version 3: a version 2 peer wants
 * the payload to end after the message); msg_encode_error() never does.
 */
int	msg_encode_error(struct wbuf *, int code, const char *message);
int	msg_encode_refusal(struct wbuf *, int code, const char *message,
	    const struct msg_fields *f);
/*
 * Append a whole ERROR frame for reqid to out: code, and message (NULL:
 * the code's default text, errors.h), sanitized to text a decoder
 * accepts.  Returns code, so that a handler can end with
 * `return msg_put_error(out, reqid, rc, NULL);`.  When the payload cannot
 * be built (code outside 1..65535, or no memory) out->err is set instead:
 * the caller's usual out->err check then answers INTERNAL.
 * msg_put_refusal() is the same with figures (f may be NULL).
 *
 * Caveat: never pass LD_OK; it sets out->err and answers nothing.
 */
int	msg_put_error(struct wbuf *out, uint32_t reqid, int code,
	    const char *message);
int	msg_put_refusal(struct wbuf *out, uint32_t reqid, int code,
	    const char *message, const struct msg_fields *f);
/*
 * msg_put_refusal() for a peer that speaks protocol version: the figures
 * that version can read, and no others (below 3 none, 3 all but the text
 * fields, from 4 all); the message states them in words for every peer.
 */
int	msg_put_refusal_for(struct wbuf *out, uint32_t reqid, uint16_t version,
	    int code, const char *message, const struct msg_fields *f);
/*
 * NOT_LEADER for reqid (contract 2.6): the message names leader, the
 * leader's client address, or says that no leader is known ("" or NULL),
 * and from protocol 4 the text field "leader" carries it ("" when
 * unknown).  Every node answers a write with this one wording.  Returns
 * LD_E_NOT_LEADER.
 */
int	msg_put_not_leader(struct wbuf *out, uint32_t reqid, uint16_t version,
	    const char *leader);
/*
 * Decode an ERROR payload: *code (1..65535, not checked against LD_E_MAX,
 * so that an older client still shows a newer daemon's codes) and the
 * message copied into msg (msgsz bytes, NUL-terminated, cut at a character
 * boundary; nothing written when msgsz is 0), and its figures into *f
 * (n = 0 when the payload has none; f may be NULL).  -1 for code 0, a
 * message that is not text of at most MSG_TEXT_MAX bytes, a malformed
 * figures section or trailing bytes; *code, msg and f are then untouched.
 */
int	msg_decode_refusal(const uint8_t *, size_t, int *code, char *msg,
	    size_t msgsz, struct msg_fields *f);
/* msg_decode_refusal() for a caller that has no use for the figures. */
int	msg_decode_error(const uint8_t *, size_t, int *code, char *msg, size_t msgsz);

/*
 * HELLO: u16 min_version, u16 max_version, the range the client speaks.
 * Neither side checks the values (nor min <= max): the server refuses a
 * range without PROTO_VERSION.  The decoder wants exactly 4 bytes and
 * leaves *min_v and *max_v untouched on -1.
 */
int	msg_encode_hello(struct wbuf *, uint16_t min_v, uint16_t max_v);
int	msg_decode_hello(const uint8_t *, size_t, uint16_t *min_v, uint16_t *max_v);

struct msg_hello_ok {
	uint16_t	version;
	uint32_t	max_frame;	/* the daemon's max_frame_bytes */
	char		role[96];	/* comma-separated; "" when none */
	char		cn[LD_ACTOR_MAX + 1];
	char		server[64];	/* "ledgerd 0.1.0" */
};
/*
 * HELLO_OK: u16 version, u32 max_frame, str role, str cn, str server.
 * Both sides require max_frame within FRAME_MIN_MAX..FRAME_MAX_MAX, role
 * and server to be text (UTF-8 without controls) that fits its array, and
 * cn to be a valid actor (1..LD_ACTOR_MAX bytes); version is the caller's
 * to check.  The decoder zeroes *h on -1.
 */
int	msg_encode_hello_ok(struct wbuf *, const struct msg_hello_ok *);
int	msg_decode_hello_ok(const uint8_t *, size_t, struct msg_hello_ok *);

/*
 * WRITE: one write request, the request form of an entry (PROTOCOL.md):
 * u8 kind, str id, then the kind's request fields.  Only the fields a kind
 * takes are encoded; the daemon derives the rest.
 *
 * Checked on both sides: a known kind, and every string the kind takes
 * NUL-terminated within its cap (the decoder also refuses a NUL inside a
 * string and trailing bytes).  Nothing else: whether the fields are
 * acceptable is rules_validate()'s decision.  The decoder zeroes *req
 * first, so the fields the kind does not take are 0, and again on -1.
 */
int	msg_encode_write(struct wbuf *, const struct ld_entry *req);
int	msg_decode_write(const uint8_t *, size_t, struct ld_entry *req);

/*
 * BATCH: u8 flags (bit 0 = atomic), u32 count, count x (u32 len, WRITE payload).
 * Decoding is two-step so a large batch is never copied: msg_batch_open()
 * validates the header and every item's framing; msg_batch_next() then
 * decodes the items in order.
 */
#define MSG_BATCH_ATOMIC	0x01
struct msg_batch_iter {
	const uint8_t	*p;
	size_t		 left;
	uint32_t	 count;		/* items announced */
	uint32_t	 index;		/* next item */
	uint8_t		 flags;
};
/*
 * Start a batch payload: flags and a zero count, whose offset goes to
 * *count_off for msg_batch_finish().  -1, with nothing appended and
 * *count_off untouched, for a flag other than MSG_BATCH_ATOMIC.
 */
int	msg_batch_begin(struct wbuf *, uint8_t flags, size_t *count_off);
/* Append one item: u32 length, then msg_encode_write()'s payload; -1 likewise. */
int	msg_batch_add(struct wbuf *, const struct ld_entry *req);
/*
 * Write the number of items added at count_off.  The caller counts them.
 *
 * Caveat: nothing here stops at MSG_BATCH_MAX; the daemon refuses a
 * larger batch whole.  A failure lands in the wbuf's sticky error.
 */
void	msg_batch_finish(struct wbuf *, size_t count_off, uint32_t count);
/*
 * Check a BATCH payload without copying it: known flags, count at most
 * MSG_BATCH_MAX and within the bytes, every item's length within the
 * bytes, no trailing bytes.  The items are decoded later, one at a time,
 * by msg_batch_next().  0, or -1 with *it zeroed.  *it points into the
 * payload, which must outlive it.
 */
int	msg_batch_open(struct msg_batch_iter *, const uint8_t *, size_t);
/*
 * 1 = decoded an item into *req, 0 = no more items, -1 = an item that does
 * not decode: it is answered BAD_REQUEST on its own, like a lone WRITE, and
 * the iterator has moved past it (open() checked every item's framing).
 * *req is zeroed on -1, as by msg_decode_write().
 */
int	msg_batch_next(struct msg_batch_iter *, struct ld_entry *req);

/*
 * ENTRY: u8 duplicate, u32 len, canonical entry bytes.  duplicate (sent as
 * 0 or 1) says that a write's id named an earlier entry, which this is.
 * The encoder copies enc as given, 1..LD_ENTRY_ENC_MAX bytes (else -1),
 * without decoding it.  The decoder wants len to cover exactly the rest of
 * the payload and the bytes to decode (entry_decode(), which zeroes *e);
 * *duplicate is set only on success.
 */
int	msg_encode_entry(struct wbuf *, int duplicate, const uint8_t *enc, size_t len);
int	msg_decode_entry(const uint8_t *, size_t, int *duplicate, struct ld_entry *);

/*
 * ENTRIES: u32 count, count x (u32 len, canonical entry bytes).  Streamed:
 * every frame but the last has FRAME_F_MORE.  Iterated without copying.
 */
/* Start a payload: a zero count, whose offset goes to *count_off. */
int	msg_entries_begin(struct wbuf *, size_t *count_off);
/*
 * Append one entry's bytes, 1..LD_ENTRY_ENC_MAX (else -1), as given.  The
 * caller counts them and keeps the frame within max_frame_bytes.
 */
int	msg_entries_add(struct wbuf *, const uint8_t *enc, size_t len);
/* Write the number of entries added at count_off. */
void	msg_entries_finish(struct wbuf *, size_t count_off, uint32_t count);
struct msg_entries_iter {
	const uint8_t	*p;
	size_t		 left;
	uint32_t	 count;
	uint32_t	 index;
};
/*
 * Check an ENTRIES payload: a count the bytes can hold, every item's
 * length 1..LD_ENTRY_ENC_MAX and within the bytes, no trailing bytes.  The
 * entries are not decoded: entry_decode() each one msg_entries_next()
 * returns.  0, or -1 with *it zeroed.  *it points into the payload, which
 * must outlive it.
 */
int	msg_entries_open(struct msg_entries_iter *, const uint8_t *, size_t);
/*
 * 1 = *enc and *len point at the next entry's bytes, 0 = end, -1 = malformed.
 * *enc points into the payload given to msg_entries_open(); after a
 * successful open, -1 cannot happen.
 */
int	msg_entries_next(struct msg_entries_iter *, const uint8_t **enc, size_t *len);

/*
 * BATCH_RESULT: u32 first, u32 count, count x result; a result is u16 code,
 * then for code 0: u8 duplicate, u32 len, entry bytes; else str message.
 * Streamed like ENTRIES; items are numbered from 0 in request order.
 */
/*
 * Start a payload whose first result is item first of the batch (below
 * MSG_BATCH_MAX, else -1 and nothing appended); the count's offset goes
 * to *count_off.
 */
int	msg_bresult_begin(struct wbuf *, uint32_t first, size_t *count_off);
/* An item written (or a duplicate): its entry bytes as msg_encode_entry(). */
int	msg_bresult_add_ok(struct wbuf *, int duplicate, const uint8_t *enc, size_t len);
/*
 * A refused item: exactly msg_encode_error() (code 1..65535; NULL message
 * is sent as "", so pass ld_err_text(code) for the default text).
 */
int	msg_bresult_add_err(struct wbuf *, int code, const char *message);
/* Write the number of results added at count_off. */
void	msg_bresult_finish(struct wbuf *, size_t count_off, uint32_t count);
struct msg_bresult_iter {
	const uint8_t	*p;
	size_t		 left;
	uint32_t	 first;
	uint32_t	 count;
	uint32_t	 index;
};
struct msg_bresult {
	uint32_t	 index;		/* position in the batch */
	int		 code;		/* LD_OK or an error */
	int		 duplicate;
	const uint8_t	*enc;		/* code 0: entry bytes (borrowed) */
	size_t		 len;
	char		 message[MSG_TEXT_MAX + 1];
};
/*
 * Check a BATCH_RESULT payload: first + count at most MSG_BATCH_MAX, every
 * result well-formed (an error's message text of at most MSG_TEXT_MAX
 * bytes; an entry's duplicate 0 or 1 and its bytes 1..LD_ENTRY_ENC_MAX,
 * not decoded), no trailing bytes.  A non-zero code is not checked
 * against LD_E_MAX.  0, or -1 with *it zeroed.  *it points into the
 * payload, which must outlive it.
 */
int	msg_bresult_open(struct msg_bresult_iter *, const uint8_t *, size_t);
/*
 * 1 = *res holds the next result (res->index = first + its position;
 * res->enc points into the payload given to msg_bresult_open()), 0 = end,
 * -1 = malformed, which cannot happen after a successful open.
 */
int	msg_bresult_next(struct msg_bresult_iter *, struct msg_bresult *);

/*
 * GET: u64 seq.  Any value passes (0 or one past the end is answered
 * NOT_FOUND).  The decoder wants exactly 8 bytes; *seq untouched on -1.
 */
int	msg_encode_get(struct wbuf *, uint64_t seq);
int	msg_decode_get(const uint8_t *, size_t, uint64_t *seq);

/*
 * FIND (protocol 3): u8 by, str key.  by MSG_FIND_ID: the entry whose
 * idempotency id is key; MSG_FIND_REF: every entry whose ref is key, in seq
 * order.  key is a valid ref or id (1..64 bytes of 0x20..0x7e); both sides
 * refuse anything else, and the decoder zeroes *q on -1.  The answer is
 * ENTRIES frames, as for LIST (none found: one frame with no entry).
 */
enum { MSG_FIND_ID = 1, MSG_FIND_REF = 2 };
struct msg_find {
	uint8_t		by;
	char		key[LD_REF_MAX + 1];
};
int	msg_encode_find(struct wbuf *, const struct msg_find *);
int	msg_decode_find(const uint8_t *, size_t, struct msg_find *);

/*
 * APPROVALS (protocol 4): u8 what, u16 fy (0 = every year).  The answer is
 * ENTRIES frames, as for LIST, in seq order:
 *   MSG_APPR_OPEN    every request still open (not decided; an expired
 *                    one too, the client tells it by its expires_at);
 *   MSG_APPR_ALL     every request of fy (the action's fiscal year), open
 *                    or decided, each followed by the approval entry that
 *                    decided it, and an approved one's action entry;
 *   MSG_APPR_POLICY  the policy entry in force (none: no entry).
 * fy is 0 or a valid fiscal year; the decoder zeroes *q on -1.
 */
enum { MSG_APPR_OPEN = 1, MSG_APPR_ALL = 2, MSG_APPR_POLICY = 3 };
struct msg_approvals {
	uint8_t		what;
	uint16_t	fy;
};
int	msg_encode_approvals(struct wbuf *, const struct msg_approvals *);
int	msg_decode_approvals(const uint8_t *, size_t, struct msg_approvals *);

/* LIST: u64 since, u64 until, u64 limit, str region, u16 fy, u8 kind; 0/"" = any */
struct msg_list {
	uint64_t	since;		/* first seq (inclusive); 0 = 1 */
	uint64_t	until;		/* last seq (inclusive); 0 = no bound */
	uint64_t	limit;		/* at most this many entries; 0 = all */
	char		region[LD_CODE_MAX + 1];
	uint16_t	fy;
	uint8_t		kind;
};
/*
 * Both sides refuse a region that is neither "" nor a valid code and a
 * kind above LD_K_MAX; fy is not checked (a year without entries matches
 * nothing).  The decoder zeroes *l on -1.
 */
int	msg_encode_list(struct wbuf *, const struct msg_list *);
int	msg_decode_list(const uint8_t *, size_t, struct msg_list *);

/*
 * REGION_LIST, STATUS, CHECKPOINT: empty payload, so no codec here: the
 * handlers refuse any other length (CHECKPOINT's is msg_audit.h's).
 */

/* BALANCE: u16 fy, u8 scope, str region, u8 account */
enum { BAL_ALL = 0, BAL_REGION = 1, BAL_ACCOUNT = 2 };
struct msg_balance_req {
	uint16_t	fy;
	uint8_t		scope;
	char		region[LD_CODE_MAX + 1];	/* scope BAL_REGION */
	uint8_t		account;			/* scope BAL_ACCOUNT */
};
/*
 * Both sides refuse an unknown scope, a region that is neither "" nor a
 * valid code, an account above LD_A_MAX, BAL_REGION without a region and
 * BAL_ACCOUNT without an account; BAL_ALL ignores both.  fy is the
 * handler's to check.  The decoder zeroes *q on -1.
 */
int	msg_encode_balance_req(struct wbuf *, const struct msg_balance_req *);
int	msg_decode_balance_req(const uint8_t *, size_t, struct msg_balance_req *);

/*
 * BALANCES: u32 n, n x account balance, u32 m, m x region balance.
 * account: u8 account, u16 fy, i64 appropriated, awarded, disbursed, refunded, u8 closed,
 *          i64 carried_in, carried_out, receipts
 * region:  str region, u16 fy, u8 grant_type, u8 account, i64 award, u64 award_seq,
 *          i64 disbursed, refunded, u32 award_date, u8 cancelled, u8 settled_set,
 *          i64 settled, carried_in, carried_out, u8 has_order, i64 receivable
 * Both sides check each record's enums and flags (account and grant type
 * in range, booleans 0 or 1, carried_in/out, receipts and receivable not
 * negative), not whether the figures agree.  The encoder does not bound
 * the payload by max_frame_bytes: the caller must.  The decoder allocates
 * the arrays (caller frees *accts and *regions; NULL when the count is 0);
 * on -1 both are NULL and both counts 0.
 */
int	msg_encode_balances(struct wbuf *, const struct ld_acct_bal *, uint32_t n,
	    const struct ld_region_bal *, uint32_t m);
int	msg_decode_balances(const uint8_t *, size_t, struct ld_acct_bal **, uint32_t *n,
	    struct ld_region_bal **, uint32_t *m);

/*
 * TERMS: u16 fy (0 = every year).  Answered with one ENTRIES frame: the
 * terms entries in force, by fy then grant type.  fy must be 0 or a valid
 * fiscal year on both sides; the decoder sets *fy to 0 on -1.
 */
int	msg_encode_terms_req(struct wbuf *, uint16_t fy);
int	msg_decode_terms_req(const uint8_t *, size_t, uint16_t *fy);

/*
 * RECEIVABLES: u16 fy (0 = any), str region ("" = any), u32 as_of (a date).
 * RECEIVABLES_OK: u32 n, n x (str region, u16 fy, u8 account, u64 order_seq,
 * u32 repay_by, i64 principal, principal_paid, interest, late_charge,
 * paid_charges, outstanding), by fy then region.  Figures as of as_of
 * (receivable.h); the decoder allocates *out (caller frees).
 *
 * The request needs fy 0 or valid, region "" or a valid code, and as_of a
 * valid date (0 is refused: there is no "today" default).
 * Each record needs a valid region, fy and account, order_seq non-zero,
 * repay_by 0 or a date, and figures that are not negative.  On -1 the
 * request decoder zeroes *q, and the list decoder sets *out NULL and *n 0
 * (*out is also NULL when n is 0).
 */
struct msg_receivables_req {
	uint16_t	fy;
	char		region[LD_CODE_MAX + 1];
	uint32_t	as_of;
};
struct msg_receivable {
	char		region[LD_CODE_MAX + 1];
	uint16_t	fy;
	uint8_t		account;
	uint64_t	order_seq;
	uint32_t	repay_by;
	int64_t		principal;
	int64_t		principal_paid;
	int64_t		interest;
	int64_t		late_charge;
	int64_t		paid_charges;
	int64_t		outstanding;
};
int	msg_encode_receivables_req(struct wbuf *, const struct msg_receivables_req *);
int	msg_decode_receivables_req(const uint8_t *, size_t, struct msg_receivables_req *);
int	msg_encode_receivables(struct wbuf *, const struct msg_receivable *, uint32_t n);
int	msg_decode_receivables(const uint8_t *, size_t, struct msg_receivable **, uint32_t *n);

/*
 * A node's view of its cluster (contract 2.6, 2.8): in STATUS_OK's cluster
 * section and in CLUSTER_OK.  Wire: u64 node, u8 raft_role, u64 term, str
 * leader, u64 commit_index, u64 applied_index, u16 n, n x (u64 id, str
 * raft_address, str client_address, u8 voter, u8 raft_role).
 *
 * Checked on both sides: node and every member id non-zero, member ids
 * distinct, roles at most MSG_RAFT_CANDIDATE, voter 0 or 1, leader "" or
 * an address, every member address an address (MSG_ADDR_MAX), n at most
 * MSG_MEMBERS_MAX.  The figures are the node's own, not judged.
 */
#define MSG_MEMBERS_MAX		16
enum msg_raft_role {
	MSG_RAFT_UNKNOWN = 0,	/* a member whose state this node cannot see */
	MSG_RAFT_LEADER = 1,
	MSG_RAFT_FOLLOWER = 2,
	MSG_RAFT_CANDIDATE = 3
};
struct msg_member {
	uint64_t	id;
	char		raft_address[MSG_ADDR_MAX + 1];
	char		client_address[MSG_ADDR_MAX + 1];
	uint8_t		voter;		/* 1: counts towards the majority */
	uint8_t		raft_role;	/* enum msg_raft_role, as this node sees it */
};
struct msg_cluster {
	uint64_t	node;		/* this node's id */
	uint8_t		raft_role;	/* enum msg_raft_role */
	uint64_t	term;
	char		leader[MSG_ADDR_MAX + 1];	/* its client address;
							   "" = unknown */
	uint64_t	commit_index;
	uint64_t	applied_index;
	uint16_t	nmembers;
	struct msg_member members[MSG_MEMBERS_MAX];
};
/* "leader", "follower", "candidate", or "unknown" for anything else. */
const char *msg_raft_role_name(int role);

/*
 * CLUSTER (protocol 4): u8 op, u64 id, str raft_address, str
 * client_address.  MSG_CLUSTER_STATUS takes nothing (id 0, both ""); ADD
 * takes all three; REMOVE and TRANSFER an id only.  Ids are non-zero.
 * Both sides refuse anything else; the decoder zeroes *q on -1.  Answered
 * with CLUSTER_OK: the cluster view (after the change, for a change).
 */
enum {
	MSG_CLUSTER_STATUS = 1,
	MSG_CLUSTER_ADD = 2,
	MSG_CLUSTER_REMOVE = 3,
	MSG_CLUSTER_TRANSFER = 4
};
struct msg_cluster_req {
	uint8_t		op;
	uint64_t	id;
	char		raft_address[MSG_ADDR_MAX + 1];
	char		client_address[MSG_ADDR_MAX + 1];
};
int	msg_encode_cluster_req(struct wbuf *, const struct msg_cluster_req *);
int	msg_decode_cluster_req(const uint8_t *, size_t, struct msg_cluster_req *);
/* CLUSTER_OK: the view alone.  The decoder zeroes *c on -1. */
int	msg_encode_cluster(struct wbuf *, const struct msg_cluster *);
int	msg_decode_cluster(const uint8_t *, size_t, struct msg_cluster *);

/* STATUS_OK */
struct msg_status {
	char		server[64];	/* "ledgerd 0.1.0" */
	uint64_t	size;		/* entries = tree size */
	uint64_t	uptime_s;
	uint32_t	connections;
	uint64_t	map_used;	/* bytes */
	uint64_t	map_size;	/* bytes */
	int64_t		last_commit;	/* microseconds since epoch; 0 = never */
	uint8_t		root[32];	/* Merkle root of the current tree */
	/* protocol 3: integrity (contract 2.4) */
	int		has_scrub;	/* the section below was sent */
	uint8_t		scrub_result;	/* 0 no pass yet, 1 ok, 2 damaged */
	uint8_t		scrub_running;
	int64_t		scrub_finished_at;	/* us since epoch; 0 = never */
	uint64_t	scrub_size;	/* tree size the last pass checked */
	uint64_t	scrub_damaged_seq;	/* 0 = none */
	uint64_t	scrub_progress;	/* items of the running pass done */
	uint64_t	damaged_entries;	/* distinct damaged entries met */
	/* protocol 3, optional after the scrub section: storage (issue 14) */
	int		has_storage;	/* the section below was sent */
	uint64_t	fs_free;	/* bytes free on the ledger's filesystem */
	uint64_t	fs_size;	/* that filesystem's size, bytes */
	uint64_t	oldest_write_ms;	/* age of the oldest unanswered
						   write; 0 = none */
	uint64_t	slow_commits;	/* commits above slow_commit_warn_ms */
	/* protocol 4, optional after the storage section: a cluster member's */
	int		has_cluster;	/* the section below was sent */
	struct msg_cluster cluster;
};
/*
 * STATUS_OK: str server, u64 size, u64 uptime_s, u32 connections, u64
 * map_used, u64 map_size, i64 last_commit, 32-byte root; from protocol 3,
 * when has_scrub, u8 scrub_result, u8 scrub_running, i64
 * scrub_finished_at, u64 scrub_size, u64 scrub_damaged_seq, u64
 * scrub_progress, u64 damaged_entries; then, when has_storage (which
 * needs has_scrub), u64 fs_free, u64 fs_size, u64 oldest_write_ms, u64
 * slow_commits; then, when has_cluster (which needs has_storage; a node
 * of a cluster, to a protocol 4 peer), the cluster view as CLUSTER_OK
 * has it.  Checked: server (text that fits its array), scrub_result
 * 0..2, scrub_running 0..1, the view as msg_encode_cluster() checks it.
 * The decoder zeroes *s on -1 and sets has_scrub, has_storage and
 * has_cluster when each section is there; a daemon that predates a
 * section, or runs alone, simply does not send it.
 */
int	msg_encode_status(struct wbuf *, const struct msg_status *);
int	msg_decode_status(const uint8_t *, size_t, struct msg_status *);

#endif
