/*
 * msg.h - payloads of the messages carried in frames (proto/PROTOCOL.md).
 *
 * Each message has an encoder that appends its payload to a wbuf and a
 * decoder that parses exactly one payload and rejects trailing bytes.
 * Decoders are pure functions over untrusted bytes: every count and length
 * is checked against the bytes present and against the caps below before
 * anything is allocated.  Encoders return 0 or -1 (out of memory / invalid).
 *
 * Entries travel in their canonical encoding (entry.h), never re-encoded.
 */
#ifndef LD_MSG_H
#define LD_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "balance.h"
#include "entry.h"

struct wbuf;

#define PROTO_VERSION		2
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
	MSG_CHECKPOINT = 0x30,
	MSG_PROVE = 0x31,
	MSG_CONSISTENCY = 0x32,
	/* answers: daemon -> client */
	MSG_ERROR = 0x80,
	MSG_HELLO_OK = 0x81,
	MSG_ENTRY = 0x90,
	MSG_ENTRIES = 0x91,
	MSG_BATCH_RESULT = 0x92,
	MSG_BALANCES = 0x93,
	MSG_STATUS_OK = 0x94,
	MSG_RECEIVABLES_OK = 0x95,
	MSG_CHECKPOINT_OK = 0xa0,
	MSG_PROOF = 0xa1
};

/* ERROR: u16 code, str message */
int	msg_encode_error(struct wbuf *, int code, const char *message);
/*
 * Append a whole ERROR frame for reqid to out: code, and message (NULL:
 * the code's default text, errors.h), sanitized to text a decoder
 * accepts.  Returns code, so that a handler can end with
 * `return msg_put_error(out, reqid, rc, NULL);`.
 */
int	msg_put_error(struct wbuf *out, uint32_t reqid, int code,
	    const char *message);
int	msg_decode_error(const uint8_t *, size_t, int *code, char *msg, size_t msgsz);

/* HELLO: u16 min_version, u16 max_version */
int	msg_encode_hello(struct wbuf *, uint16_t min_v, uint16_t max_v);
int	msg_decode_hello(const uint8_t *, size_t, uint16_t *min_v, uint16_t *max_v);

struct msg_hello_ok {
	uint16_t	version;
	uint32_t	max_frame;	/* the daemon's max_frame_bytes */
	char		role[32];	/* "" when the CN has no role */
	char		cn[LD_ACTOR_MAX + 1];
	char		server[64];	/* "ledgerd 0.1.0" */
};
int	msg_encode_hello_ok(struct wbuf *, const struct msg_hello_ok *);
int	msg_decode_hello_ok(const uint8_t *, size_t, struct msg_hello_ok *);

/*
 * WRITE: one write request, the request form of an entry (PROTOCOL.md):
 * u8 kind, str id, then the kind's request fields.  Only the fields a kind
 * takes are encoded; the daemon derives the rest.
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
int	msg_batch_begin(struct wbuf *, uint8_t flags, size_t *count_off);
int	msg_batch_add(struct wbuf *, const struct ld_entry *req);
void	msg_batch_finish(struct wbuf *, size_t count_off, uint32_t count);
int	msg_batch_open(struct msg_batch_iter *, const uint8_t *, size_t);
/*
 * 1 = decoded an item into *req, 0 = no more items, -1 = an item that does
 * not decode: it is answered BAD_REQUEST on its own, like a lone WRITE, and
 * the iterator has moved past it (open() checked every item's framing).
 */
int	msg_batch_next(struct msg_batch_iter *, struct ld_entry *req);

/* ENTRY: u8 duplicate, u32 len, canonical entry bytes */
int	msg_encode_entry(struct wbuf *, int duplicate, const uint8_t *enc, size_t len);
int	msg_decode_entry(const uint8_t *, size_t, int *duplicate, struct ld_entry *);

/*
 * ENTRIES: u32 count, count x (u32 len, canonical entry bytes).  Streamed:
 * every frame but the last has FRAME_F_MORE.  Iterated without copying.
 */
int	msg_entries_begin(struct wbuf *, size_t *count_off);
int	msg_entries_add(struct wbuf *, const uint8_t *enc, size_t len);
void	msg_entries_finish(struct wbuf *, size_t count_off, uint32_t count);
struct msg_entries_iter {
	const uint8_t	*p;
	size_t		 left;
	uint32_t	 count;
	uint32_t	 index;
};
int	msg_entries_open(struct msg_entries_iter *, const uint8_t *, size_t);
/* 1 = *enc and *len point at the next entry's bytes, 0 = end, -1 = malformed. */
int	msg_entries_next(struct msg_entries_iter *, const uint8_t **enc, size_t *len);

/*
 * BATCH_RESULT: u32 first, u32 count, count x result; a result is u16 code,
 * then for code 0: u8 duplicate, u32 len, entry bytes; else str message.
 * Streamed like ENTRIES; items are numbered from 0 in request order.
 */
int	msg_bresult_begin(struct wbuf *, uint32_t first, size_t *count_off);
int	msg_bresult_add_ok(struct wbuf *, int duplicate, const uint8_t *enc, size_t len);
int	msg_bresult_add_err(struct wbuf *, int code, const char *message);
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
int	msg_bresult_open(struct msg_bresult_iter *, const uint8_t *, size_t);
int	msg_bresult_next(struct msg_bresult_iter *, struct msg_bresult *);

/* GET: u64 seq */
int	msg_encode_get(struct wbuf *, uint64_t seq);
int	msg_decode_get(const uint8_t *, size_t, uint64_t *seq);

/* LIST: u64 since, u64 until, u64 limit, str region, u16 fy, u8 kind; 0/"" = any */
struct msg_list {
	uint64_t	since;		/* first seq (inclusive); 0 = 1 */
	uint64_t	until;		/* last seq (inclusive); 0 = no bound */
	uint64_t	limit;		/* at most this many entries; 0 = all */
	char		region[LD_CODE_MAX + 1];
	uint16_t	fy;
	uint8_t		kind;
};
int	msg_encode_list(struct wbuf *, const struct msg_list *);
int	msg_decode_list(const uint8_t *, size_t, struct msg_list *);

/* REGION_LIST, STATUS, CHECKPOINT: empty payload. */

/* BALANCE: u16 fy, u8 scope, str region, u8 account */
enum { BAL_ALL = 0, BAL_REGION = 1, BAL_ACCOUNT = 2 };
struct msg_balance_req {
	uint16_t	fy;
	uint8_t		scope;
	char		region[LD_CODE_MAX + 1];	/* scope BAL_REGION */
	uint8_t		account;			/* scope BAL_ACCOUNT */
};
int	msg_encode_balance_req(struct wbuf *, const struct msg_balance_req *);
int	msg_decode_balance_req(const uint8_t *, size_t, struct msg_balance_req *);

/*
 * BALANCES: u32 n, n x account balance, u32 m, m x region balance.
 * account: u8 account, u16 fy, i64 appropriated, awarded, disbursed, refunded, u8 closed,
 *          i64 carried_in, carried_out, receipts
 * region:  str region, u16 fy, u8 grant_type, u8 account, i64 award, u64 award_seq,
 *          i64 disbursed, refunded, u32 award_date, u8 cancelled, u8 settled_set,
 *          i64 settled, carried_in, carried_out, u8 has_order, i64 receivable
 * The decoder allocates the arrays (caller frees *accts and *regions).
 */
int	msg_encode_balances(struct wbuf *, const struct ld_acct_bal *, uint32_t n,
	    const struct ld_region_bal *, uint32_t m);
int	msg_decode_balances(const uint8_t *, size_t, struct ld_acct_bal **, uint32_t *n,
	    struct ld_region_bal **, uint32_t *m);

/*
 * TERMS: u16 fy (0 = every year).  Answered with one ENTRIES frame: the
 * terms entries in force, by fy then grant type.
 */
int	msg_encode_terms_req(struct wbuf *, uint16_t fy);
int	msg_decode_terms_req(const uint8_t *, size_t, uint16_t *fy);

/*
 * RECEIVABLES: u16 fy (0 = any), str region ("" = any), u32 as_of (a date).
 * RECEIVABLES_OK: u32 n, n x (str region, u16 fy, u8 account, u64 order_seq,
 * u32 repay_by, i64 principal, principal_paid, interest, late_charge,
 * paid_charges, outstanding), by fy then region.  Figures as of as_of
 * (receivable.h); the decoder allocates *out (caller frees).
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
};
int	msg_encode_status(struct wbuf *, const struct msg_status *);
int	msg_decode_status(const uint8_t *, size_t, struct msg_status *);

#endif
