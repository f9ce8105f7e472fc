/*
 * fuzz_msg.c - every message decoder (proto/msg.h, proto/msg_audit.h).
 *
 * Input: one byte naming the message type (enum msg_type, as in the frame
 * header) and then the payload, exactly what the daemon or ledgerctl hands
 * to a decoder after frame_peek().  Types without a payload decoder
 * (REGION_LIST, STATUS) and unknown types are ignored.
 *
 * Beyond memory safety, the harness checks that the decoders and encoders
 * agree: whatever a decoder accepts, its encoder re-encodes to the very same
 * bytes (the decoders are strict, so there is exactly one encoding of each
 * message), and the streaming iterators never fail on an item that open()
 * already validated.  Entry bytes inside ENTRY, ENTRIES and BATCH_RESULT are
 * decoded as the client does; a PROOF's note is opened without a verifier
 * and the proof checked against it, as `ledgerctl prove` does.
 */
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "entry.h"
#include "errors.h"
#include "fuzz.h"
#include "msg.h"
#include "msg_audit.h"
#include "wire.h"

/* b holds exactly the n bytes at p (and no allocation failed). */
static int
same(const struct wbuf *b, const uint8_t *p, size_t n)
{
	return !b->err && b->len == n && (n == 0 || memcmp(b->data, p, n) == 0);
}

/* Decode entry bytes as the client does; if they decode, they re-encode. */
static void
check_entry_bytes(const uint8_t *enc, size_t len)
{
	static struct ld_entry	 e;
	struct wbuf		 b;

	if (entry_decode(&e, enc, len) == -1)
		return;
	wbuf_init(&b);
	FUZZ_CHECK(entry_encode(&b, &e) == 0);
	FUZZ_CHECK(same(&b, enc, len));
	wbuf_free(&b);
}

static void
do_error(const uint8_t *p, size_t n, struct wbuf *b)
{
	char	 msg[MSG_TEXT_MAX + 1];
	int	 code;

	if (msg_decode_error(p, n, &code, msg, sizeof(msg)) == -1)
		return;
	FUZZ_CHECK(code >= 1 && code <= UINT16_MAX);
	FUZZ_CHECK(msg_encode_error(b, code, msg) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_hello(const uint8_t *p, size_t n, struct wbuf *b)
{
	uint16_t	 lo, hi;

	if (msg_decode_hello(p, n, &lo, &hi) == -1)
		return;
	FUZZ_CHECK(msg_encode_hello(b, lo, hi) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_hello_ok(const uint8_t *p, size_t n, struct wbuf *b)
{
	struct msg_hello_ok	 h;

	if (msg_decode_hello_ok(p, n, &h) == -1)
		return;
	FUZZ_CHECK(msg_encode_hello_ok(b, &h) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_write(const uint8_t *p, size_t n, struct wbuf *b)
{
	static struct ld_entry	 q;

	if (msg_decode_write(p, n, &q) == -1)
		return;
	FUZZ_CHECK(msg_encode_write(b, &q) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_batch(const uint8_t *p, size_t n, struct wbuf *b)
{
	static struct ld_entry	 q;
	struct msg_batch_iter	 it;
	size_t			 count_off;
	uint32_t		 i;
	int			 rc, all = 1;

	if (msg_batch_open(&it, p, n) == -1)
		return;
	FUZZ_CHECK(it.count <= MSG_BATCH_MAX);
	FUZZ_CHECK(msg_batch_begin(b, it.flags, &count_off) == 0);
	for (i = 0; (rc = msg_batch_next(&it, &q)) != 0; i++) {
		FUZZ_CHECK(i < it.count);
		if (rc == -1) {
			all = 0;
			continue;
		}
		FUZZ_CHECK(msg_batch_add(b, &q) == 0);
	}
	FUZZ_CHECK(i == it.count && it.left == 0);
	if (!all)
		return;
	msg_batch_finish(b, count_off, it.count);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_entry(const uint8_t *p, size_t n, struct wbuf *b)
{
	static struct ld_entry	 e;
	int			 dup;

	if (msg_decode_entry(p, n, &dup, &e) == -1)
		return;
	FUZZ_CHECK(dup == 0 || dup == 1);
	/* The entry bytes follow u8 duplicate and u32 length. */
	FUZZ_CHECK(n > 5);
	check_entry_bytes(p + 5, n - 5);
	FUZZ_CHECK(msg_encode_entry(b, dup, p + 5, n - 5) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_entries(const uint8_t *p, size_t n, struct wbuf *b)
{
	struct msg_entries_iter	 it;
	const uint8_t		*enc;
	size_t			 len, count_off;
	uint32_t		 i;
	int			 rc;

	if (msg_entries_open(&it, p, n) == -1)
		return;
	FUZZ_CHECK(msg_entries_begin(b, &count_off) == 0);
	for (i = 0; (rc = msg_entries_next(&it, &enc, &len)) != 0; i++) {
		FUZZ_CHECK(rc == 1 && i < it.count);
		FUZZ_CHECK(len >= 1 && len <= LD_ENTRY_ENC_MAX);
		FUZZ_CHECK(enc >= p && enc + len <= p + n);
		check_entry_bytes(enc, len);
		FUZZ_CHECK(msg_entries_add(b, enc, len) == 0);
	}
	FUZZ_CHECK(i == it.count && it.left == 0);
	msg_entries_finish(b, count_off, it.count);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_bresult(const uint8_t *p, size_t n, struct wbuf *b)
{
	static struct msg_bresult res;
	struct msg_bresult_iter	 it;
	size_t			 count_off;
	uint32_t		 i;
	int			 rc, encode;

	if (msg_bresult_open(&it, p, n) == -1)
		return;
	FUZZ_CHECK((uint64_t)it.first + it.count <= MSG_BATCH_MAX);
	/* An empty answer may start at MSG_BATCH_MAX; no encoder makes one. */
	encode = msg_bresult_begin(b, it.first, &count_off) == 0;
	FUZZ_CHECK(encode || it.count == 0);
	for (i = 0; (rc = msg_bresult_next(&it, &res)) != 0; i++) {
		FUZZ_CHECK(rc == 1 && i < it.count);
		FUZZ_CHECK(res.index == it.first + i);
		FUZZ_CHECK(memchr(res.message, '\0', sizeof(res.message)));
		if (res.code == LD_OK) {
			FUZZ_CHECK(res.enc >= p && res.enc + res.len <= p + n);
			check_entry_bytes(res.enc, res.len);
			FUZZ_CHECK(msg_bresult_add_ok(b, res.duplicate, res.enc,
			    res.len) == 0);
		} else {
			FUZZ_CHECK(res.message[0] == '\0' ||
			    ld_valid_utf8_text(res.message, 1, MSG_TEXT_MAX));
			FUZZ_CHECK(msg_bresult_add_err(b, res.code,
			    res.message) == 0);
		}
	}
	FUZZ_CHECK(i == it.count && it.left == 0);
	if (!encode)
		return;
	msg_bresult_finish(b, count_off, it.count);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_get(const uint8_t *p, size_t n, struct wbuf *b)
{
	uint64_t	 seq;

	if (msg_decode_get(p, n, &seq) == -1)
		return;
	FUZZ_CHECK(msg_encode_get(b, seq) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_list(const uint8_t *p, size_t n, struct wbuf *b)
{
	struct msg_list	 l;

	if (msg_decode_list(p, n, &l) == -1)
		return;
	FUZZ_CHECK(msg_encode_list(b, &l) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_balance_req(const uint8_t *p, size_t n, struct wbuf *b)
{
	struct msg_balance_req	 q;

	if (msg_decode_balance_req(p, n, &q) == -1)
		return;
	FUZZ_CHECK(msg_encode_balance_req(b, &q) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_balances(const uint8_t *p, size_t n, struct wbuf *b)
{
	struct ld_acct_bal	*a = NULL;
	struct ld_region_bal	*g = NULL;
	uint32_t		 na = 0, ng = 0;

	if (msg_decode_balances(p, n, &a, &na, &g, &ng) == -1) {
		FUZZ_CHECK(a == NULL && g == NULL && na == 0 && ng == 0);
		return;
	}
	FUZZ_CHECK((na == 0) == (a == NULL) && (ng == 0) == (g == NULL));
	FUZZ_CHECK(msg_encode_balances(b, a, na, g, ng) == 0);
	FUZZ_CHECK(same(b, p, n));
	free(a);
	free(g);
}

static void
do_status(const uint8_t *p, size_t n, struct wbuf *b)
{
	struct msg_status	 s;

	if (msg_decode_status(p, n, &s) == -1)
		return;
	FUZZ_CHECK(msg_encode_status(b, &s) == 0);
	FUZZ_CHECK(same(b, p, n));
}

static void
do_checkpoint_ok(const uint8_t *p, size_t n, struct wbuf *b)
{
	struct ckpt	 ck;
	const char	*note;
	size_t		 len;

	if (msg_decode_checkpoint_ok(p, n, &note, &len) == -1)
		return;
	FUZZ_CHECK(len >= 1 && len <= MSG_NOTE_MAX);
	FUZZ_CHECK((const uint8_t *)note >= p &&
	    (const uint8_t *)note + len <= p + n);
	FUZZ_CHECK(msg_encode_checkpoint_ok(b, note, len) == 0);
	FUZZ_CHECK(same(b, p, n));
	(void)ckpt_open(&ck, NULL, note, len);
}

static void
do_pair(const uint8_t *p, size_t n, struct wbuf *b, int prove)
{
	uint64_t	 x, y;

	if (prove) {
		if (msg_decode_prove(p, n, &x, &y) == -1)
			return;
		FUZZ_CHECK(msg_encode_prove(b, x, y) == 0);
	} else {
		if (msg_decode_consistency(p, n, &x, &y) == -1)
			return;
		FUZZ_CHECK(msg_encode_consistency(b, x, y) == 0);
	}
	FUZZ_CHECK(same(b, p, n));
}

static void
do_proof(const uint8_t *p, size_t n, struct wbuf *b)
{
	static struct msg_proof	 pr;
	struct ckpt		 ck;
	int			 rc;

	if (msg_decode_proof(p, n, &pr) == -1)
		return;
	FUZZ_CHECK(pr.npath <= MERKLE_PATH_MAX && pr.nlink <= MERKLE_PATH_MAX);
	FUZZ_CHECK(msg_encode_proof(b, &pr) == 0);
	FUZZ_CHECK(same(b, p, n));
	if (ckpt_open(&ck, NULL, pr.note, pr.note_len) != CKPT_OK)
		return;
	rc = msg_proof_verify(&pr, &ck);
	FUZZ_CHECK(rc == MSG_PROOF_OK || rc == MSG_PROOF_E_PROOF ||
	    rc == MSG_PROOF_E_LINK);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wbuf	 b;
	const uint8_t	*p;
	size_t		 n;

	if (size < 1)
		return 0;
	p = data + 1;
	n = size - 1;
	wbuf_init(&b);
	switch (data[0]) {
	case MSG_ERROR:
		do_error(p, n, &b);
		break;
	case MSG_HELLO:
		do_hello(p, n, &b);
		break;
	case MSG_HELLO_OK:
		do_hello_ok(p, n, &b);
		break;
	case MSG_WRITE:
		do_write(p, n, &b);
		break;
	case MSG_WRITE_BATCH:
		do_batch(p, n, &b);
		break;
	case MSG_ENTRY:
		do_entry(p, n, &b);
		break;
	case MSG_ENTRIES:
		do_entries(p, n, &b);
		break;
	case MSG_BATCH_RESULT:
		do_bresult(p, n, &b);
		break;
	case MSG_GET:
		do_get(p, n, &b);
		break;
	case MSG_LIST:
		do_list(p, n, &b);
		break;
	case MSG_BALANCE:
		do_balance_req(p, n, &b);
		break;
	case MSG_BALANCES:
		do_balances(p, n, &b);
		break;
	case MSG_STATUS_OK:
		do_status(p, n, &b);
		break;
	case MSG_CHECKPOINT:
		FUZZ_CHECK((msg_decode_checkpoint_req(p, n) == 0) == (n == 0));
		break;
	case MSG_CHECKPOINT_OK:
		do_checkpoint_ok(p, n, &b);
		break;
	case MSG_PROVE:
		do_pair(p, n, &b, 1);
		break;
	case MSG_CONSISTENCY:
		do_pair(p, n, &b, 0);
		break;
	case MSG_PROOF:
		do_proof(p, n, &b);
		break;
	default:
		break;
	}
	wbuf_free(&b);
	return 0;
}
