/*
 * test_msg.c - message payloads: every message round-trips, and every
 * decoder refuses each strict prefix of a valid payload, a trailing byte,
 * counts and lengths larger than the bytes present, and strings that a
 * terminal should not print.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "wire.h"

typedef int	(*decode_fn)(const uint8_t *, size_t);

/*
 * The decoder accepts buf whole, refuses every strict prefix and refuses
 * buf followed by one more byte.
 */
static void
check_exact(decode_fn dec, const uint8_t *buf, size_t len, const char *what)
{
	uint8_t	*copy;
	size_t	 n;

	copy = malloc(len + 1);
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, buf, len);
	if (dec(copy, len) != 0)
		fail_msg("%s: valid payload refused", what);
	for (n = 0; n < len; n++) {
		/* a fresh allocation of exactly n bytes so ASan sees overreads */
		uint8_t	*p = malloc(n ? n : 1);

		assert_non_null(p);
		memcpy(p, buf, n);
		if (dec(p, n) == 0)
			fail_msg("%s: prefix %zu of %zu accepted", what, n, len);
		free(p);
	}
	copy[len] = 0;
	if (dec(copy, len + 1) == 0)
		fail_msg("%s: trailing byte accepted", what);
	free(copy);
}

static void
sample(int kind, struct ld_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	snprintf(e->id, sizeof(e->id), "req-%d", kind);
	switch (kind) {
	case LD_K_REGION:
		strcpy(e->region, "rikuzentakata");
		strcpy(e->name, "陸前高田市");
		e->grant_type = LD_G_RECONSTRUCTION;
		strcpy(e->category, "");
		break;
	case LD_K_APPROPRIATION:
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 900000000;
		strcpy(e->ref, "APP-1");
		break;
	case LD_K_AWARD:
		strcpy(e->region, "rikuzentakata");
		e->fy = 2013;
		e->amount = 300000000;
		strcpy(e->ref, "AW 1");
		e->date = 20130520;
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		strcpy(e->region, "rikuzentakata");
		e->fy = 2013;
		e->amount = 12345;
		strcpy(e->ref, "V-7");
		e->date = 20140401;
		strcpy(e->memo, "仮設住宅 第2期");
		break;
	case LD_K_REVERSAL:
		e->reverses = 9;
		strcpy(e->reason, "金額誤り");
		break;
	case LD_K_YEAR_CLOSE:
		e->account = LD_A_RECONSTRUCTION;
		e->fy = 2013;
		break;
	case LD_K_TERMS:
		e->fy = 2013;
		e->grant_type = LD_G_RECONSTRUCTION;
		e->min = 250000000;
		e->max = 500000000;
		e->deadline = 20140531;
		e->interest_bp = 1095;
		e->late_bp = 1460;
		strcpy(e->ref, "T-2013/R");
		break;
	case LD_K_AWARD_CANCEL:
		strcpy(e->region, "rikuzentakata");
		e->fy = 2013;
		e->date = 20140415;
		e->repay_by = 20140630;
		strcpy(e->reason, "事業中止による交付決定の取消");
		strcpy(e->ref, "CX-1");
		break;
	case LD_K_SETTLEMENT:
		strcpy(e->region, "rikuzentakata");
		e->fy = 2013;
		e->amount = 280000000;
		e->date = 20140610;
		e->repay_by = 20140731;
		strcpy(e->ref, "ST-1");
		break;
	case LD_K_RECEIPT:
		strcpy(e->region, "rikuzentakata");
		e->fy = 2013;
		e->amount = 7654321;
		e->date = 20140701;
		strcpy(e->ref, "RC-1");
		break;
	case LD_K_CARRY_OVER:
		strcpy(e->region, "rikuzentakata");
		e->fy = 2013;
		e->amount = 20000000;
		e->carry_kind = LD_C_EXPLICIT;
		e->date = 20140320;
		strcpy(e->ref, "CO-1");
		break;
	case LD_K_POLICY:
		e->require = LD_KIND_BIT(LD_K_REVERSAL) |
		    LD_KIND_BIT(LD_K_YEAR_CLOSE);
		e->disburse_over = 100000000;
		e->expire_days = 14;
		strcpy(e->ref, "POL-1");
		break;
	case LD_K_REQUEST:
		/* the daemon's to write: the sample of the action instead */
		sample(LD_K_DISBURSEMENT, e);
		break;
	case LD_K_APPROVAL:
		e->request = 41;
		e->decision = LD_D_REJECTED;
		strcpy(e->reason, "予算の範囲外");
		break;
	}
}

/* A complete, valid stored entry's encoding. */
static void
stored_entry(struct wbuf *b, uint64_t seq)
{
	struct ld_entry	 e;

	sample(LD_K_DISBURSEMENT, &e);
	e.seq = seq;
	e.account = LD_A_GENERAL;
	strcpy(e.actor, "clerk01");
	e.recorded_at = 1;
	assert_int_equal(entry_encode(b, &e), 0);
}

/* ERROR */

static int
dec_error(const uint8_t *p, size_t n)
{
	char	 m[MSG_TEXT_MAX + 1];
	int	 code;

	return msg_decode_error(p, n, &code, m, sizeof(m));
}

static void
test_error(void **state)
{
	struct wbuf	 b;
	char		 m[MSG_TEXT_MAX + 1];
	int		 code = 0;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_error(&b, LD_E_OVER_AWARD,
	    "交付額を超えます: hakodate"), 0);
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), 0);
	assert_int_equal(code, LD_E_OVER_AWARD);
	assert_string_equal(m, "交付額を超えます: hakodate");
	check_exact(dec_error, b.data, b.len, "error");

	/* codes beyond today's table still travel (append-only codes) */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_error(&b, 300, NULL), 0);
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), 0);
	assert_int_equal(code, 300);
	assert_string_equal(m, "");

	/* an ERROR never carries OK */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_error(&b, 0, "x"), -1);
	assert_int_equal(msg_encode_error(&b, 65536, "x"), -1);
	wbuf_u16(&b, 0);
	wbuf_str(&b, "x");
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), -1);
	wbuf_free(&b);
}

static void
test_error_text_is_sanitized(void **state)
{
	struct wbuf	 b;
	char		 m[MSG_TEXT_MAX + 1], big[3000];
	int		 code;
	size_t		 i;

	(void)state;
	wbuf_init(&b);
	/* control, bad UTF-8 and C1 bytes become '?'; good text is kept */
	assert_int_equal(msg_encode_error(&b, LD_E_BAD_REQUEST,
	    "a\nb\x1b[0m\xff函\xc2\x85z\xe5\x87"), 0);
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), 0);
	assert_string_equal(m, "a?b?[0m?函??z??");

	/* a long message is cut to the cap at a character boundary */
	for (i = 0; i + 3 < sizeof(big); i += 3)
		memcpy(big + i, "館", 3);
	big[i] = '\0';
	wbuf_reset(&b);
	assert_int_equal(msg_encode_error(&b, LD_E_INTERNAL, big), 0);
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), 0);
	assert_int_equal(strlen(m), 1023);	/* 341 characters of 3 bytes */
	assert_memory_equal(m, big, 1023);

	/* a caller's small buffer gets whole characters only */
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, 8), 0);
	assert_string_equal(m, "館館");
	wbuf_free(&b);
}

static void
test_error_decoder_refuses_bad_text(void **state)
{
	struct wbuf	 b;
	char		 m[MSG_TEXT_MAX + 1], big[MSG_TEXT_MAX + 2];
	int		 code;

	(void)state;
	wbuf_init(&b);
	wbuf_u16(&b, 1);
	wbuf_str(&b, "bell\a");
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, 1);
	wbuf_str(&b, "\xc0\xaf");
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), -1);
	/* over the 1024-byte cap, though present and well-formed */
	memset(big, 'e', MSG_TEXT_MAX + 1);
	big[MSG_TEXT_MAX + 1] = '\0';
	wbuf_reset(&b);
	wbuf_u16(&b, 1);
	wbuf_str(&b, big);
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), -1);
	big[MSG_TEXT_MAX] = '\0';
	wbuf_reset(&b);
	wbuf_u16(&b, 1);
	wbuf_str(&b, big);
	assert_int_equal(msg_decode_error(b.data, b.len, &code, m, sizeof(m)), 0);
	wbuf_free(&b);
}

/* HELLO, HELLO_OK */

static int
dec_hello(const uint8_t *p, size_t n)
{
	uint16_t	 a, b;

	return msg_decode_hello(p, n, &a, &b);
}

static int
dec_hello_ok(const uint8_t *p, size_t n)
{
	struct msg_hello_ok	 h;

	return msg_decode_hello_ok(p, n, &h);
}

static void
test_hello(void **state)
{
	struct wbuf		 b;
	uint16_t		 lo, hi;
	struct msg_hello_ok	 h, g;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_hello(&b, 1, 3), 0);
	assert_int_equal(msg_decode_hello(b.data, b.len, &lo, &hi), 0);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 3);
	check_exact(dec_hello, b.data, b.len, "hello");

	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.max_frame = 1u << 20;
	strcpy(h.role, "clerk");
	strcpy(h.cn, "経理担当01");
	strcpy(h.server, "ledgerd 0.1.0");
	wbuf_reset(&b);
	assert_int_equal(msg_encode_hello_ok(&b, &h), 0);
	assert_int_equal(msg_decode_hello_ok(b.data, b.len, &g), 0);
	assert_int_equal(g.version, PROTO_VERSION);
	assert_int_equal(g.max_frame, 1u << 20);
	assert_string_equal(g.role, "clerk");
	assert_string_equal(g.cn, "経理担当01");
	assert_string_equal(g.server, "ledgerd 0.1.0");
	check_exact(dec_hello_ok, b.data, b.len, "hello_ok");

	h.role[0] = '\0';	/* a CN without a role */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_hello_ok(&b, &h), 0);
	assert_int_equal(msg_decode_hello_ok(b.data, b.len, &g), 0);
	assert_string_equal(g.role, "");

	h.max_frame = FRAME_MIN_MAX - 1;
	assert_int_equal(msg_encode_hello_ok(&b, &h), -1);
	h.max_frame = FRAME_MAX_MAX + 1;
	assert_int_equal(msg_encode_hello_ok(&b, &h), -1);
	h.max_frame = FRAME_MAX_MAX;
	strcpy(h.cn, "evil\x1b]0;pwned\a");
	assert_int_equal(msg_encode_hello_ok(&b, &h), -1);

	/* the decoder checks the same things */
	wbuf_reset(&b);
	wbuf_u16(&b, 1);
	wbuf_u32(&b, 100);
	wbuf_str(&b, "");
	wbuf_str(&b, "cn");
	wbuf_str(&b, "s");
	assert_int_equal(msg_decode_hello_ok(b.data, b.len, &g), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, 1);
	wbuf_u32(&b, FRAME_MIN_MAX);
	wbuf_str(&b, "");
	wbuf_str(&b, "cn");
	wbuf_str(&b, "s");
	assert_int_equal(msg_decode_hello_ok(b.data, b.len, &g), 0);
	wbuf_reset(&b);
	wbuf_u16(&b, 1);
	wbuf_u32(&b, FRAME_MIN_MAX);
	wbuf_str(&b, "");
	wbuf_str(&b, "c\nn");
	wbuf_str(&b, "s");
	assert_int_equal(msg_decode_hello_ok(b.data, b.len, &g), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, 1);
	wbuf_u32(&b, FRAME_MIN_MAX);
	/* roles (comma-separated) over 95 bytes */
	wbuf_str(&b, "admin,clerk,auditor,reconciler,budget,obligating,"
	    "disbursing,revenue,admin,clerk,auditor,reconciler");
	wbuf_str(&b, "cn");
	wbuf_str(&b, "s");
	assert_int_equal(msg_decode_hello_ok(b.data, b.len, &g), -1);
	wbuf_free(&b);
}

/* WRITE */

static int
dec_write(const uint8_t *p, size_t n)
{
	struct ld_entry	 q;

	return msg_decode_write(p, n, &q);
}

static void
assert_request_equal(const struct ld_entry *a, const struct ld_entry *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->region, b->region);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->grant_type, b->grant_type);
	assert_string_equal(a->category, b->category);
	assert_int_equal(a->account, b->account);
	assert_int_equal(a->fy, b->fy);
	assert_true(a->amount == b->amount);
	assert_string_equal(a->ref, b->ref);
	assert_int_equal(a->date, b->date);
	assert_string_equal(a->memo, b->memo);
	assert_true(a->reverses == b->reverses);
	assert_string_equal(a->reason, b->reason);
	assert_true(a->min == b->min);
	assert_true(a->max == b->max);
	assert_int_equal(a->deadline, b->deadline);
	assert_int_equal(a->interest_bp, b->interest_bp);
	assert_int_equal(a->late_bp, b->late_bp);
	assert_int_equal(a->repay_by, b->repay_by);
	assert_int_equal(a->carry_kind, b->carry_kind);
	assert_int_equal(a->require, b->require);
	assert_true(a->disburse_over == b->disburse_over);
	assert_int_equal(a->expire_days, b->expire_days);
	assert_true(a->request == b->request);
	assert_int_equal(a->decision, b->decision);
}

static int
dec_approvals(const uint8_t *p, size_t n)
{
	struct msg_approvals	 q;

	return msg_decode_approvals(p, n, &q);
}

static void
test_approvals(void **state)
{
	struct msg_approvals	 q = { MSG_APPR_ALL, 2025 }, d;
	struct wbuf		 b;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_approvals(&b, &q), 0);
	assert_int_equal(b.len, 3);
	assert_int_equal(msg_decode_approvals(b.data, b.len, &d), 0);
	assert_int_equal(d.what, MSG_APPR_ALL);
	assert_int_equal(d.fy, 2025);
	check_exact(dec_approvals, b.data, b.len, "approvals");
	/* what out of range; a year outside the ledger's; trailing bytes */
	b.data[0] = 4;
	assert_int_equal(msg_decode_approvals(b.data, b.len, &d), -1);
	assert_int_equal(d.what, 0);
	b.data[0] = MSG_APPR_OPEN;
	b.data[1] = 0x00;
	b.data[2] = 0x05;
	assert_int_equal(msg_decode_approvals(b.data, b.len, &d), -1);
	wbuf_u8(&b, 0);
	b.data[1] = 0;
	b.data[2] = 0;
	assert_int_equal(msg_decode_approvals(b.data, b.len, &d), -1);
	assert_int_equal(msg_decode_approvals(b.data, 3, &d), 0);
	q.what = 0;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_approvals(&b, &q), -1);
	wbuf_free(&b);
}

static void
test_write_every_kind(void **state)
{
	struct wbuf	 b;
	struct ld_entry	 q, d;
	int		 k;
	char		 what[32];

	(void)state;
	for (k = 1; k <= LD_K_MAX; k++) {
		sample(k, &q);
		wbuf_init(&b);
		if (k == LD_K_REQUEST) {
			/* a client never writes a request entry itself */
			q.kind = LD_K_REQUEST;
			assert_int_equal(msg_encode_write(&b, &q), -1);
			wbuf_free(&b);
			continue;
		}
		assert_int_equal(msg_encode_write(&b, &q), 0);
		assert_int_equal(b.data[0], k);
		assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
		assert_request_equal(&d, &q);
		snprintf(what, sizeof(what), "write kind %d", k);
		check_exact(dec_write, b.data, b.len, what);
		wbuf_free(&b);
	}
}

static void
test_write_carries_request_fields_only(void **state)
{
	struct wbuf	 b;
	struct ld_entry	 q, d;

	(void)state;
	/* an award's account and the writer's identity are the daemon's to set */
	sample(LD_K_AWARD, &q);
	q.account = LD_A_RECONSTRUCTION;
	q.seq = 99;
	strcpy(q.actor, "mallory");
	q.recorded_at = 12345;
	wbuf_init(&b);
	assert_int_equal(msg_encode_write(&b, &q), 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
	assert_int_equal(d.account, 0);
	assert_true(d.seq == 0);
	assert_string_equal(d.actor, "");
	assert_true(d.recorded_at == 0);

	/* a reversal asks only for its target and reason */
	sample(LD_K_REVERSAL, &q);
	q.amount = 5;
	q.target_kind = LD_K_REFUND;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
	assert_true(d.amount == 0);
	assert_int_equal(d.target_kind, 0);
	assert_true(d.reverses == 9);

	/* a terms request: its account is derived from the grant type */
	sample(LD_K_TERMS, &q);
	q.account = LD_A_GENERAL;
	q.seq = 3;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
	assert_int_equal(d.account, 0);
	assert_true(d.seq == 0);
	q.account = 0;
	assert_request_equal(&d, &q);

	/* a cancellation asks for neither the award nor the principal */
	sample(LD_K_AWARD_CANCEL, &q);
	q.amount = 300000000;
	q.principal = 5;
	q.account = LD_A_RECONSTRUCTION;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
	assert_true(d.amount == 0 && d.principal == 0);
	assert_int_equal(d.account, 0);

	/* a settlement's ordered excess and a receipt's split are derived */
	sample(LD_K_SETTLEMENT, &q);
	q.principal = 7;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
	assert_true(d.principal == 0);
	assert_true(d.amount == 280000000);
	sample(LD_K_RECEIPT, &q);
	q.principal = 1;
	q.interest = 2;
	q.late = 3;
	q.repay_by = 20140731;	/* a receipt takes no due date */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
	assert_true(d.principal == 0 && d.interest == 0 && d.late == 0);
	assert_int_equal(d.repay_by, 0);

	/* a year_close asks for no totals */
	sample(LD_K_YEAR_CLOSE, &q);
	q.appropriated = q.net = q.budget = q.receipts = 9;
	q.execution_rate_bp = 5;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), 0);
	assert_true(d.appropriated == 0 && d.net == 0 && d.budget == 0 &&
	    d.receipts == 0 && d.execution_rate_bp == 0);
	wbuf_free(&b);
}

/*
 * The write requests of PROTOCOL.md ("Write requests"), assembled by
 * hand: the award with its decision date and every version 2 kind.
 */
static const uint8_t wr_award[] = {
	0x03, 0x00, 0x00,				/* award, no id */
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',
	0x07, 0xdd,					/* fy 2013 */
	0x00, 0x00, 0x00, 0x00, 0x08, 0xf0, 0xd1, 0x80,	/* 150,000,000 */
	0x00, 0x04, 'A', 'W', '-', '1',
	0x01, 0x33, 0x2a, 0xc5,				/* 20130501 */
};
static const uint8_t wr_terms[] = {
	0x08, 0x00, 0x01, 't',				/* terms, id "t" */
	0x07, 0xdd,					/* fy 2013 */
	0x01,						/* general */
	0x00, 0x00, 0x00, 0x00, 0x05, 0xf5, 0xe1, 0x00,	/* min */
	0x00, 0x00, 0x00, 0x00, 0x0b, 0xeb, 0xc2, 0x00,	/* max */
	0x00, 0x00, 0x00, 0x00,				/* deadline: default */
	0x00, 0x00, 0x04, 0x47,				/* 1095 bp */
	0x00, 0x00, 0x05, 0xb4,				/* 1460 bp */
	0x00, 0x01, 'T',
};
static const uint8_t wr_cancel[] = {
	0x09, 0x00, 0x00,
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',
	0x07, 0xdd,
	0x01, 0x33, 0x51, 0x7f,				/* date 20140415 */
	0x01, 0x33, 0x52, 0x56,				/* repay_by 20140630 */
	0x00, 0x04, 's', 't', 'o', 'p',			/* reason */
	0x00, 0x02, 'C', 'X',				/* ref */
};
static const uint8_t wr_settle[] = {
	0x0a, 0x00, 0x00,
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',
	0x07, 0xdd,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x93, 0x87, 0x00,	/* 60,000,000 */
	0x01, 0x33, 0x52, 0x42,				/* date 20140610 */
	0x00, 0x00, 0x00, 0x00,				/* no repay_by */
	0x00, 0x02, 'S', 'T',
};
static const uint8_t wr_receipt[] = {
	0x0b, 0x00, 0x00,
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',
	0x07, 0xdd,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x74, 0xcb, 0xb1,	/* 7,654,321 */
	0x01, 0x33, 0x52, 0x9d,				/* 20140701 */
	0x00, 0x02, 'R', 'C',
};
static const uint8_t wr_carry[] = {
	0x0c, 0x00, 0x00,
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',
	0x07, 0xdd,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x96, 0x80,	/* 10,000,000 */
	0x02,						/* accident */
	0x01, 0x33, 0x51, 0x0d,				/* 20140301 */
	0x00, 0x02, 'C', 'O',
};

static void
check_write_golden(const struct ld_entry *q, const uint8_t *want, size_t len)
{
	struct wbuf	 b;
	struct ld_entry	 d;

	wbuf_init(&b);
	assert_int_equal(msg_encode_write(&b, q), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, want, len);
	assert_int_equal(msg_decode_write(want, len, &d), 0);
	assert_request_equal(&d, q);
	check_exact(dec_write, want, len, ld_kind_name(q->kind));
	wbuf_free(&b);
}

static void
test_write_golden_new_kinds(void **state)
{
	struct ld_entry	 q;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.kind = LD_K_AWARD;
	strcpy(q.region, "hakodate");
	q.fy = 2013;
	q.amount = 150000000;
	strcpy(q.ref, "AW-1");
	q.date = 20130501;
	check_write_golden(&q, wr_award, sizeof(wr_award));

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_TERMS;
	strcpy(q.id, "t");
	q.fy = 2013;
	q.grant_type = LD_G_GENERAL;
	q.min = 100000000;
	q.max = 200000000;
	q.interest_bp = 1095;
	q.late_bp = 1460;
	strcpy(q.ref, "T");
	check_write_golden(&q, wr_terms, sizeof(wr_terms));

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_AWARD_CANCEL;
	strcpy(q.region, "hakodate");
	q.fy = 2013;
	q.date = 20140415;
	q.repay_by = 20140630;
	strcpy(q.reason, "stop");
	strcpy(q.ref, "CX");
	check_write_golden(&q, wr_cancel, sizeof(wr_cancel));

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_SETTLEMENT;
	strcpy(q.region, "hakodate");
	q.fy = 2013;
	q.amount = 60000000;
	q.date = 20140610;
	strcpy(q.ref, "ST");
	check_write_golden(&q, wr_settle, sizeof(wr_settle));

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_RECEIPT;
	strcpy(q.region, "hakodate");
	q.fy = 2013;
	q.amount = 7654321;
	q.date = 20140701;
	strcpy(q.ref, "RC");
	check_write_golden(&q, wr_receipt, sizeof(wr_receipt));

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_CARRY_OVER;
	strcpy(q.region, "hakodate");
	q.fy = 2013;
	q.amount = 10000000;
	q.carry_kind = LD_C_ACCIDENT;
	q.date = 20140301;
	strcpy(q.ref, "CO");
	check_write_golden(&q, wr_carry, sizeof(wr_carry));
}

/* Strings of the new kinds that cannot be stored are refused on decode. */
static void
test_write_new_kinds_bad(void **state)
{
	struct wbuf	 b;
	struct ld_entry	 q, d;
	char		 big[600];

	(void)state;
	wbuf_init(&b);
	/* a reason over 512 bytes */
	memset(big, 'r', 513);
	big[513] = '\0';
	wbuf_u8(&b, LD_K_AWARD_CANCEL);
	wbuf_str(&b, "");
	wbuf_str(&b, "hakodate");
	wbuf_u16(&b, 2013);
	wbuf_u32(&b, 20140415);
	wbuf_u32(&b, 0);
	wbuf_str(&b, big);
	wbuf_str(&b, "CX");
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);
	/* a ref over 64 bytes */
	big[65] = '\0';
	wbuf_reset(&b);
	wbuf_u8(&b, LD_K_RECEIPT);
	wbuf_str(&b, "");
	wbuf_str(&b, "hakodate");
	wbuf_u16(&b, 2013);
	wbuf_i64(&b, 1);
	wbuf_u32(&b, 20140701);
	wbuf_str(&b, big);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);
	/* a region over 64 bytes */
	wbuf_reset(&b);
	wbuf_u8(&b, LD_K_CARRY_OVER);
	wbuf_str(&b, "");
	wbuf_str(&b, big);
	wbuf_u16(&b, 2013);
	wbuf_i64(&b, 1);
	wbuf_u8(&b, 1);
	wbuf_u32(&b, 20140301);
	wbuf_str(&b, "CO");
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);
	/* a terms request cut inside its rates */
	wbuf_reset(&b);
	wbuf_u8(&b, LD_K_TERMS);
	wbuf_str(&b, "");
	wbuf_u16(&b, 2013);
	wbuf_u8(&b, 1);
	wbuf_i64(&b, 1);
	wbuf_i64(&b, 2);
	wbuf_u32(&b, 0);
	wbuf_u16(&b, 0);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);

	/* unterminated fields of the new kinds in the caller's struct */
	sample(LD_K_AWARD_CANCEL, &q);
	memset(q.reason, 'a', sizeof(q.reason));
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), -1);
	sample(LD_K_TERMS, &q);
	memset(q.ref, 'a', sizeof(q.ref));
	assert_int_equal(msg_encode_write(&b, &q), -1);
	sample(LD_K_CARRY_OVER, &q);
	memset(q.region, 'a', sizeof(q.region));
	assert_int_equal(msg_encode_write(&b, &q), -1);
	assert_int_equal(b.len, 0);
	wbuf_free(&b);
}

static void
test_write_bad(void **state)
{
	struct wbuf	 b;
	struct ld_entry	 q, d;
	char		 big[600];

	(void)state;
	wbuf_init(&b);
	sample(LD_K_AWARD, &q);
	q.kind = 0;
	assert_int_equal(msg_encode_write(&b, &q), -1);
	q.kind = LD_K_MAX + 1;
	assert_int_equal(msg_encode_write(&b, &q), -1);
	assert_int_equal(b.len, 0);

	wbuf_u8(&b, LD_K_MAX + 1);
	wbuf_str(&b, "");
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);
	wbuf_reset(&b);
	wbuf_u8(&b, 0);
	wbuf_str(&b, "");
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);

	/* a memo over 512 bytes cannot be stored */
	memset(big, 'm', 513);
	big[513] = '\0';
	wbuf_reset(&b);
	wbuf_u8(&b, LD_K_DISBURSEMENT);
	wbuf_str(&b, "");
	wbuf_str(&b, "hakodate");
	wbuf_u16(&b, 2013);
	wbuf_i64(&b, 1);
	wbuf_str(&b, "V");
	wbuf_u32(&b, 20130630);
	wbuf_str(&b, big);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);
	/* an id over 64 bytes */
	big[65] = '\0';
	wbuf_reset(&b);
	wbuf_u8(&b, LD_K_YEAR_CLOSE);
	wbuf_str(&b, big);
	wbuf_u8(&b, 1);
	wbuf_u16(&b, 2013);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);
	/* a string length far beyond the payload */
	wbuf_reset(&b);
	wbuf_u8(&b, LD_K_REVERSAL);
	wbuf_str(&b, "");
	wbuf_u64(&b, 3);
	wbuf_u16(&b, 0xffff);
	wbuf_put(&b, "abc", 3);
	assert_int_equal(msg_decode_write(b.data, b.len, &d), -1);

	/* unterminated field in the caller's struct */
	sample(LD_K_AWARD, &q);
	memset(q.region, 'a', sizeof(q.region));
	wbuf_reset(&b);
	assert_int_equal(msg_encode_write(&b, &q), -1);
	wbuf_free(&b);
}

/* BATCH */

static int
dec_batch(const uint8_t *p, size_t n)
{
	struct msg_batch_iter	 it;

	return msg_batch_open(&it, p, n);
}

static void
test_batch(void **state)
{
	struct wbuf		 b;
	struct msg_batch_iter	 it;
	struct ld_entry		 q, d;
	size_t			 off;
	int			 k, got = 0;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_batch_begin(&b, MSG_BATCH_ATOMIC, &off), 0);
	for (k = 1; k <= LD_K_MAX; k++) {
		sample(k, &q);
		assert_int_equal(msg_batch_add(&b, &q), 0);
	}
	msg_batch_finish(&b, off, LD_K_MAX);
	assert_int_equal(b.err, 0);

	assert_int_equal(msg_batch_open(&it, b.data, b.len), 0);
	assert_int_equal(it.flags, MSG_BATCH_ATOMIC);
	assert_int_equal(it.count, LD_K_MAX);
	while ((k = msg_batch_next(&it, &d)) == 1) {
		got++;
		sample(got, &q);
		assert_request_equal(&d, &q);
	}
	assert_int_equal(k, 0);
	assert_int_equal(got, LD_K_MAX);
	check_exact(dec_batch, b.data, b.len, "batch");

	/* an invalid item refuses through the caller's struct, not silently */
	sample(LD_K_AWARD, &q);
	q.kind = 0;
	assert_int_equal(msg_batch_add(&b, &q), -1);

	/* unknown flags */
	assert_int_equal(msg_batch_begin(&b, 0x02, &off), -1);
	b.data[0] = 0x03;
	assert_int_equal(msg_batch_open(&it, b.data, b.len), -1);
	wbuf_free(&b);
}

static void
test_batch_empty_and_counts(void **state)
{
	struct wbuf		 b;
	struct msg_batch_iter	 it;
	struct ld_entry		 d;
	uint8_t			*big;
	size_t			 off, i;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_batch_begin(&b, 0, &off), 0);
	msg_batch_finish(&b, off, 0);
	assert_int_equal(msg_batch_open(&it, b.data, b.len), 0);
	assert_int_equal(msg_batch_next(&it, &d), 0);

	/* a count that the bytes cannot hold */
	wbuf_reset(&b);
	wbuf_u8(&b, 0);
	wbuf_u32(&b, 0xffffffffu);
	wbuf_u32(&b, 0);
	assert_int_equal(msg_batch_open(&it, b.data, b.len), -1);
	/* more than MSG_BATCH_MAX even with enough (empty) items present */
	wbuf_reset(&b);
	wbuf_u8(&b, 0);
	wbuf_u32(&b, MSG_BATCH_MAX + 1);
	for (i = 0; i < MSG_BATCH_MAX + 1; i++)
		wbuf_u32(&b, 0);
	assert_int_equal(msg_batch_open(&it, b.data, b.len), -1);
	/* exactly MSG_BATCH_MAX framed items open; empty items fail on next() */
	wbuf_reset(&b);
	wbuf_u8(&b, 0);
	wbuf_u32(&b, MSG_BATCH_MAX);
	for (i = 0; i < MSG_BATCH_MAX; i++)
		wbuf_u32(&b, 0);
	assert_int_equal(msg_batch_open(&it, b.data, b.len), 0);
	assert_int_equal(msg_batch_next(&it, &d), -1);

	/* an item length running past the end */
	wbuf_reset(&b);
	wbuf_u8(&b, 0);
	wbuf_u32(&b, 1);
	wbuf_u32(&b, 0xfffffff0u);
	wbuf_put(&b, "\x07\x00\x00\x01\x07\xdd", 6);
	assert_int_equal(msg_batch_open(&it, b.data, b.len), -1);
	wbuf_free(&b);

	/* a huge claimed count over few bytes allocates nothing and fails fast */
	big = calloc(1, 9);
	assert_non_null(big);
	big[1] = big[2] = big[3] = big[4] = 0xff;
	assert_int_equal(msg_batch_open(&it, big, 9), -1);
	free(big);
}

/* ENTRY */

static int
dec_entry(const uint8_t *p, size_t n)
{
	struct ld_entry	 e;
	int		 dup;

	return msg_decode_entry(p, n, &dup, &e);
}

static void
test_entry_msg(void **state)
{
	struct wbuf	 enc, b;
	struct ld_entry	 e;
	int		 dup = -1;

	(void)state;
	wbuf_init(&enc);
	wbuf_init(&b);
	stored_entry(&enc, 17);
	assert_int_equal(msg_encode_entry(&b, 1, enc.data, enc.len), 0);
	assert_int_equal(msg_decode_entry(b.data, b.len, &dup, &e), 0);
	assert_int_equal(dup, 1);
	assert_true(e.seq == 17);
	assert_string_equal(e.memo, "仮設住宅 第2期");
	check_exact(dec_entry, b.data, b.len, "entry");

	b.data[0] = 2;	/* duplicate is a boolean */
	assert_int_equal(msg_decode_entry(b.data, b.len, &dup, &e), -1);

	wbuf_reset(&b);
	assert_int_equal(msg_encode_entry(&b, 0, enc.data, 0), -1);
	assert_int_equal(msg_encode_entry(&b, 0, enc.data, LD_ENTRY_ENC_MAX + 1), -1);

	/* the entry bytes are decoded strictly too */
	enc.data[0] = 9;
	assert_int_equal(msg_encode_entry(&b, 0, enc.data, enc.len), 0);
	assert_int_equal(msg_decode_entry(b.data, b.len, &dup, &e), -1);
	wbuf_free(&enc);
	wbuf_free(&b);
}

/* ENTRIES */

static int
dec_entries(const uint8_t *p, size_t n)
{
	struct msg_entries_iter	 it;
	const uint8_t		*enc;
	size_t			 len;
	int			 rc;

	if (msg_entries_open(&it, p, n) == -1)
		return -1;
	while ((rc = msg_entries_next(&it, &enc, &len)) == 1)
		;
	return rc;
}

static void
test_entries(void **state)
{
	struct wbuf		 b, enc;
	struct msg_entries_iter	 it;
	struct ld_entry		 e;
	const uint8_t		*p;
	size_t			 off, len;
	uint64_t		 seq;

	(void)state;
	wbuf_init(&b);
	wbuf_init(&enc);
	assert_int_equal(msg_entries_begin(&b, &off), 0);
	for (seq = 1; seq <= 3; seq++) {
		wbuf_reset(&enc);
		stored_entry(&enc, seq);
		assert_int_equal(msg_entries_add(&b, enc.data, enc.len), 0);
	}
	msg_entries_finish(&b, off, 3);
	assert_int_equal(msg_entries_open(&it, b.data, b.len), 0);
	assert_int_equal(it.count, 3);
	for (seq = 1; seq <= 3; seq++) {
		assert_int_equal(msg_entries_next(&it, &p, &len), 1);
		assert_int_equal(entry_decode(&e, p, len), 0);
		assert_true(e.seq == seq);
	}
	assert_int_equal(msg_entries_next(&it, &p, &len), 0);
	check_exact(dec_entries, b.data, b.len, "entries");

	/* the last frame of a stream may hold no entry */
	wbuf_reset(&b);
	assert_int_equal(msg_entries_begin(&b, &off), 0);
	msg_entries_finish(&b, off, 0);
	check_exact(dec_entries, b.data, b.len, "empty entries");

	/* counts and lengths the payload cannot hold */
	wbuf_reset(&b);
	wbuf_u32(&b, 0xffffffffu);
	wbuf_u32(&b, 1);
	wbuf_u8(&b, 1);
	assert_int_equal(msg_entries_open(&it, b.data, b.len), -1);
	wbuf_reset(&b);
	wbuf_u32(&b, 1);
	wbuf_u32(&b, 0xffffffffu);
	wbuf_u8(&b, 1);
	assert_int_equal(msg_entries_open(&it, b.data, b.len), -1);
	wbuf_reset(&b);
	wbuf_u32(&b, 2);
	wbuf_u32(&b, 0);	/* an empty entry */
	wbuf_u32(&b, 1);
	wbuf_u8(&b, 1);
	assert_int_equal(msg_entries_open(&it, b.data, b.len), -1);
	wbuf_free(&b);
	wbuf_free(&enc);
}

/* BATCH_RESULT */

static int
dec_bresult(const uint8_t *p, size_t n)
{
	struct msg_bresult_iter	 it;
	struct msg_bresult	 r;
	int			 rc;

	if (msg_bresult_open(&it, p, n) == -1)
		return -1;
	while ((rc = msg_bresult_next(&it, &r)) == 1)
		;
	return rc;
}

static void
test_bresult(void **state)
{
	struct wbuf		 b, enc;
	struct msg_bresult_iter	 it;
	struct msg_bresult	 r;
	struct ld_entry		 e;
	size_t			 off;

	(void)state;
	wbuf_init(&b);
	wbuf_init(&enc);
	stored_entry(&enc, 8);
	assert_int_equal(msg_bresult_begin(&b, 500, &off), 0);
	assert_int_equal(msg_bresult_add_ok(&b, 0, enc.data, enc.len), 0);
	assert_int_equal(msg_bresult_add_err(&b, LD_E_UNAVAILABLE,
	    "atomic batch not written"), 0);
	assert_int_equal(msg_bresult_add_ok(&b, 1, enc.data, enc.len), 0);
	assert_int_equal(msg_bresult_add_err(&b, LD_E_UNKNOWN_REGION, "地域なし"), 0);
	msg_bresult_finish(&b, off, 4);

	assert_int_equal(msg_bresult_open(&it, b.data, b.len), 0);
	assert_int_equal(it.first, 500);
	assert_int_equal(it.count, 4);
	assert_int_equal(msg_bresult_next(&it, &r), 1);
	assert_int_equal(r.index, 500);
	assert_int_equal(r.code, LD_OK);
	assert_int_equal(r.duplicate, 0);
	assert_int_equal(entry_decode(&e, r.enc, r.len), 0);
	assert_true(e.seq == 8);
	assert_int_equal(msg_bresult_next(&it, &r), 1);
	assert_int_equal(r.index, 501);
	assert_int_equal(r.code, LD_E_UNAVAILABLE);
	assert_string_equal(r.message, "atomic batch not written");
	assert_int_equal(msg_bresult_next(&it, &r), 1);
	assert_int_equal(r.index, 502);
	assert_int_equal(r.duplicate, 1);
	assert_int_equal(msg_bresult_next(&it, &r), 1);
	assert_int_equal(r.index, 503);
	assert_int_equal(r.code, LD_E_UNKNOWN_REGION);
	assert_string_equal(r.message, "地域なし");
	assert_int_equal(msg_bresult_next(&it, &r), 0);
	check_exact(dec_bresult, b.data, b.len, "batch result");

	/* results numbered past the largest batch */
	wbuf_reset(&b);
	wbuf_u32(&b, MSG_BATCH_MAX);
	wbuf_u32(&b, 1);
	wbuf_u16(&b, 1);
	wbuf_str(&b, "");
	assert_int_equal(msg_bresult_open(&it, b.data, b.len), -1);
	wbuf_reset(&b);
	wbuf_u32(&b, 0xffffffffu);
	wbuf_u32(&b, 2);
	wbuf_u16(&b, 1);
	wbuf_str(&b, "");
	wbuf_u16(&b, 1);
	wbuf_str(&b, "");
	assert_int_equal(msg_bresult_open(&it, b.data, b.len), -1);
	/* a count the bytes cannot hold */
	wbuf_reset(&b);
	wbuf_u32(&b, 0);
	wbuf_u32(&b, 0xffffffffu);
	wbuf_u16(&b, 1);
	wbuf_str(&b, "");
	assert_int_equal(msg_bresult_open(&it, b.data, b.len), -1);
	/* a duplicate flag that is not a boolean */
	wbuf_reset(&b);
	wbuf_u32(&b, 0);
	wbuf_u32(&b, 1);
	wbuf_u16(&b, 0);
	wbuf_u8(&b, 7);
	wbuf_u32(&b, (uint32_t)enc.len);
	wbuf_put(&b, enc.data, enc.len);
	assert_int_equal(msg_bresult_open(&it, b.data, b.len), -1);
	/* a message that is not text */
	wbuf_reset(&b);
	wbuf_u32(&b, 0);
	wbuf_u32(&b, 1);
	wbuf_u16(&b, 5);
	wbuf_str(&b, "\xed\xa0\x80");
	assert_int_equal(msg_bresult_open(&it, b.data, b.len), -1);
	wbuf_free(&b);
	wbuf_free(&enc);
}

/* GET, LIST, BALANCE */

static int
dec_get(const uint8_t *p, size_t n)
{
	uint64_t	 s;

	return msg_decode_get(p, n, &s);
}

static int
dec_list(const uint8_t *p, size_t n)
{
	struct msg_list	 l;

	return msg_decode_list(p, n, &l);
}

static int
dec_balance_req(const uint8_t *p, size_t n)
{
	struct msg_balance_req	 q;

	return msg_decode_balance_req(p, n, &q);
}

static void
test_get_list(void **state)
{
	struct wbuf	 b;
	struct msg_list	 l, g;
	uint64_t	 seq;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_get(&b, UINT64_C(0x0102030405060708)), 0);
	assert_int_equal(msg_decode_get(b.data, b.len, &seq), 0);
	assert_true(seq == UINT64_C(0x0102030405060708));
	check_exact(dec_get, b.data, b.len, "get");

	memset(&l, 0, sizeof(l));
	l.since = 10;
	l.until = 20;
	l.limit = 5;
	strcpy(l.region, "kesennuma");
	l.fy = 2014;
	l.kind = LD_K_REFUND;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_list(&b, &l), 0);
	assert_int_equal(msg_decode_list(b.data, b.len, &g), 0);
	assert_true(g.since == 10 && g.until == 20 && g.limit == 5);
	assert_string_equal(g.region, "kesennuma");
	assert_int_equal(g.fy, 2014);
	assert_int_equal(g.kind, LD_K_REFUND);
	check_exact(dec_list, b.data, b.len, "list");

	memset(&l, 0, sizeof(l));	/* everything "any" */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_list(&b, &l), 0);
	check_exact(dec_list, b.data, b.len, "list any");

	l.kind = LD_K_MAX;	/* every kind may be listed */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_list(&b, &l), 0);
	assert_int_equal(msg_decode_list(b.data, b.len, &g), 0);
	assert_int_equal(g.kind, LD_K_MAX);
	l.kind = LD_K_MAX + 1;
	assert_int_equal(msg_encode_list(&b, &l), -1);
	l.kind = 0;
	strcpy(l.region, "Bad Code");
	assert_int_equal(msg_encode_list(&b, &l), -1);

	wbuf_reset(&b);
	wbuf_u64(&b, 0);
	wbuf_u64(&b, 0);
	wbuf_u64(&b, 0);
	wbuf_str(&b, "");
	wbuf_u16(&b, 0);
	wbuf_u8(&b, LD_K_MAX + 1);
	assert_int_equal(msg_decode_list(b.data, b.len, &g), -1);
	wbuf_reset(&b);
	wbuf_u64(&b, 0);
	wbuf_u64(&b, 0);
	wbuf_u64(&b, 0);
	wbuf_str(&b, "UPPER");
	wbuf_u16(&b, 0);
	wbuf_u8(&b, 0);
	assert_int_equal(msg_decode_list(b.data, b.len, &g), -1);
	wbuf_free(&b);
}

static void
test_balance_req(void **state)
{
	struct wbuf		 b;
	struct msg_balance_req	 q, g;

	(void)state;
	wbuf_init(&b);
	memset(&q, 0, sizeof(q));
	q.fy = 2013;
	q.scope = BAL_REGION;
	strcpy(q.region, "hakodate");
	assert_int_equal(msg_encode_balance_req(&b, &q), 0);
	assert_int_equal(msg_decode_balance_req(b.data, b.len, &g), 0);
	assert_int_equal(g.fy, 2013);
	assert_int_equal(g.scope, BAL_REGION);
	assert_string_equal(g.region, "hakodate");
	check_exact(dec_balance_req, b.data, b.len, "balance");

	memset(&q, 0, sizeof(q));
	q.fy = 2013;
	q.scope = BAL_ACCOUNT;
	q.account = LD_A_RECONSTRUCTION;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_balance_req(&b, &q), 0);
	assert_int_equal(msg_decode_balance_req(b.data, b.len, &g), 0);
	assert_int_equal(g.account, LD_A_RECONSTRUCTION);

	q.scope = BAL_ALL;
	q.account = 0;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_balance_req(&b, &q), 0);
	assert_int_equal(msg_decode_balance_req(b.data, b.len, &g), 0);

	/* scopes that name nothing, unknown scope and account */
	q.scope = BAL_REGION;
	assert_int_equal(msg_encode_balance_req(&b, &q), -1);
	q.scope = BAL_ACCOUNT;
	assert_int_equal(msg_encode_balance_req(&b, &q), -1);
	q.scope = 3;
	assert_int_equal(msg_encode_balance_req(&b, &q), -1);
	q.scope = BAL_ACCOUNT;
	q.account = 3;
	assert_int_equal(msg_encode_balance_req(&b, &q), -1);

	wbuf_reset(&b);
	wbuf_u16(&b, 2013);
	wbuf_u8(&b, 3);
	wbuf_str(&b, "");
	wbuf_u8(&b, 0);
	assert_int_equal(msg_decode_balance_req(b.data, b.len, &g), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, 2013);
	wbuf_u8(&b, BAL_ACCOUNT);
	wbuf_str(&b, "");
	wbuf_u8(&b, 9);
	assert_int_equal(msg_decode_balance_req(b.data, b.len, &g), -1);
	wbuf_free(&b);
}

/* BALANCES */

static int
dec_balances(const uint8_t *p, size_t n)
{
	struct ld_acct_bal	*a;
	struct ld_region_bal	*g;
	uint32_t		 na, ng;
	int			 rc;

	rc = msg_decode_balances(p, n, &a, &na, &g, &ng);
	free(a);
	free(g);
	return rc;
}

static void
test_balances(void **state)
{
	static const char *codes[3] = { "hakodate", "ishinomaki",
	    "rikuzentakata" };
	struct ld_acct_bal	 a[2], *da;
	struct ld_region_bal	 g[3], *dg;
	struct wbuf		 b;
	uint32_t		 na, ng, i;

	(void)state;
	memset(a, 0, sizeof(a));
	memset(g, 0, sizeof(g));
	a[0].account = LD_A_GENERAL;
	a[0].fy = 2013;
	a[0].appropriated = LD_AMOUNT_MAX;
	a[0].awarded = 3;
	a[0].disbursed = 2;
	a[0].refunded = 1;
	a[0].carried_in = 40;
	a[0].carried_out = 50;
	a[0].receipts = 60;
	a[1].account = LD_A_RECONSTRUCTION;
	a[1].fy = 2013;
	a[1].closed = 1;
	for (i = 0; i < 3; i++) {
		snprintf(g[i].region, sizeof(g[i].region), "%s", codes[i]);
		g[i].fy = 2013;
		g[i].grant_type = (uint8_t)(i + 1);
		g[i].account = (uint8_t)ld_grant_account(g[i].grant_type);
		g[i].award = 150000000;
		g[i].award_seq = 10 + i;
		g[i].disbursed = 100;
		g[i].refunded = 40;
		g[i].award_date = 20130501 + i;
	}
	/* hakodate: settled with an order and something still owed */
	g[0].settled_set = 1;
	g[0].settled = 50;
	g[0].has_order = 1;
	g[0].receivable = 12;
	/* ishinomaki: cancelled */
	g[1].cancelled = 1;
	g[1].award = 0;
	/* rikuzentakata: carried in and out */
	g[2].carried_in = 1000;
	g[2].carried_out = 300;
	wbuf_init(&b);
	assert_int_equal(msg_encode_balances(&b, a, 2, g, 3), 0);
	assert_int_equal(msg_decode_balances(b.data, b.len, &da, &na, &dg, &ng), 0);
	assert_int_equal(na, 2);
	assert_int_equal(ng, 3);
	assert_true(da[0].appropriated == LD_AMOUNT_MAX);
	assert_true(da[0].awarded == 3 && da[0].disbursed == 2 && da[0].refunded == 1);
	assert_true(da[0].carried_in == 40 && da[0].carried_out == 50 &&
	    da[0].receipts == 60);
	assert_int_equal(da[0].closed, 0);
	assert_true(acct_budget(&da[0]) == LD_AMOUNT_MAX + 40);
	assert_true(acct_unused(&da[0]) == LD_AMOUNT_MAX + 40 - 1 - 50);
	assert_int_equal(da[1].account, LD_A_RECONSTRUCTION);
	assert_int_equal(da[1].closed, 1);
	assert_true(da[1].carried_in == 0 && da[1].receipts == 0);
	for (i = 0; i < 3; i++) {
		assert_string_equal(dg[i].region, g[i].region);
		assert_int_equal(dg[i].fy, 2013);
		assert_int_equal(dg[i].grant_type, i + 1);
		assert_int_equal(dg[i].account, g[i].account);
		assert_true(dg[i].award == g[i].award);
		assert_true(dg[i].award_seq == 10 + i);
		assert_true(dg[i].disbursed == 100 && dg[i].refunded == 40);
		assert_int_equal(dg[i].award_date, 20130501 + i);
		assert_int_equal(dg[i].cancelled, g[i].cancelled);
		assert_int_equal(dg[i].settled_set, g[i].settled_set);
		assert_true(dg[i].settled == g[i].settled);
		assert_true(dg[i].carried_in == g[i].carried_in);
		assert_true(dg[i].carried_out == g[i].carried_out);
		assert_int_equal(dg[i].has_order, g[i].has_order);
		assert_true(dg[i].receivable == g[i].receivable);
	}
	/* what may still be paid follows the new fields */
	assert_true(region_remaining(&dg[0]) == 50 - 60);
	assert_true(region_remaining(&dg[1]) == 0 - 60);
	assert_true(region_remaining(&dg[2]) == 150000000 + 1000 - 300 - 60);
	free(da);
	free(dg);
	check_exact(dec_balances, b.data, b.len, "balances");

	/* nothing at all */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_balances(&b, NULL, 0, NULL, 0), 0);
	assert_int_equal(msg_decode_balances(b.data, b.len, &da, &na, &dg, &ng), 0);
	assert_int_equal(na, 0);
	assert_int_equal(ng, 0);
	free(da);
	free(dg);
	check_exact(dec_balances, b.data, b.len, "empty balances");

	/* accounts only, regions only */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_balances(&b, a, 2, NULL, 0), 0);
	check_exact(dec_balances, b.data, b.len, "account balances");
	wbuf_reset(&b);
	assert_int_equal(msg_encode_balances(&b, NULL, 0, g, 3), 0);
	check_exact(dec_balances, b.data, b.len, "region balances");
	wbuf_free(&b);
}

/* Every flag is a boolean and no carried or owed figure is negative. */
static void
test_balances_bad_values(void **state)
{
	struct ld_acct_bal	 a, x;
	struct ld_region_bal	 g, y;
	struct wbuf		 b;
	size_t			 off;
	int			 i;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.account = LD_A_GENERAL;
	a.fy = 2013;
	memset(&g, 0, sizeof(g));
	strcpy(g.region, "hakodate");
	g.fy = 2013;
	g.grant_type = LD_G_GENERAL;
	g.account = LD_A_GENERAL;
	wbuf_init(&b);
	assert_int_equal(msg_encode_balances(&b, &a, 1, &g, 1), 0);

	/* enum values out of range */
	x = a;
	x.account = 3;
	assert_int_equal(msg_encode_balances(&b, &x, 1, NULL, 0), -1);
	x = a;
	x.closed = 2;
	assert_int_equal(msg_encode_balances(&b, &x, 1, NULL, 0), -1);
	x = a;
	x.carried_in = -1;
	assert_int_equal(msg_encode_balances(&b, &x, 1, NULL, 0), -1);
	x = a;
	x.carried_out = -1;
	assert_int_equal(msg_encode_balances(&b, &x, 1, NULL, 0), -1);
	x = a;
	x.receipts = INT64_MIN;
	assert_int_equal(msg_encode_balances(&b, &x, 1, NULL, 0), -1);
	y = g;
	y.grant_type = 0;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	y.account = 0;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	y.cancelled = 2;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	y.settled_set = 2;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	y.has_order = 2;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	y.carried_in = -1;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	y.carried_out = -1;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	y.receivable = -1;
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);
	y = g;
	strcpy(y.region, "Hakodate");
	assert_int_equal(msg_encode_balances(&b, NULL, 0, &y, 1), -1);

	/* the decoder checks the same, on hand-built records */
	wbuf_reset(&b);
	wbuf_u32(&b, 1);
	wbuf_u8(&b, 0);		/* account 0 */
	wbuf_u16(&b, 2013);
	for (i = 0; i < 4; i++)
		wbuf_i64(&b, 0);
	wbuf_u8(&b, 0);
	for (i = 0; i < 3; i++)
		wbuf_i64(&b, 0);
	wbuf_u32(&b, 0);
	assert_int_equal(dec_balances(b.data, b.len), -1);
	b.data[4] = 1;
	assert_int_equal(dec_balances(b.data, b.len), 0);
	b.data[4 + 35] = 2;	/* closed */
	assert_int_equal(dec_balances(b.data, b.len), -1);
	b.data[4 + 35] = 0;
	b.data[4 + 36] = 0x80;	/* carried_in < 0 */
	assert_int_equal(dec_balances(b.data, b.len), -1);
	b.data[4 + 36] = 0;
	b.data[4 + 52] = 0xff;	/* receipts < 0 */
	assert_int_equal(dec_balances(b.data, b.len), -1);

	wbuf_reset(&b);
	wbuf_u32(&b, 0);
	wbuf_u32(&b, 1);
	wbuf_str(&b, "hakodate");
	wbuf_u16(&b, 2013);
	wbuf_u8(&b, LD_G_GENERAL);
	wbuf_u8(&b, LD_A_GENERAL);
	for (i = 0; i < 4; i++)
		wbuf_i64(&b, 0);
	wbuf_u32(&b, 20130501);
	off = b.len;		/* cancelled, settled_set */
	wbuf_u8(&b, 0);
	wbuf_u8(&b, 0);
	for (i = 0; i < 3; i++)
		wbuf_i64(&b, 0);
	wbuf_u8(&b, 0);		/* has_order at off + 26 */
	wbuf_i64(&b, 0);	/* receivable at off + 27 */
	assert_int_equal(dec_balances(b.data, b.len), 0);
	b.data[off] = 2;
	assert_int_equal(dec_balances(b.data, b.len), -1);
	b.data[off] = 0;
	b.data[off + 1] = 2;
	assert_int_equal(dec_balances(b.data, b.len), -1);
	b.data[off + 1] = 0;
	b.data[off + 26] = 2;
	assert_int_equal(dec_balances(b.data, b.len), -1);
	b.data[off + 26] = 1;
	assert_int_equal(dec_balances(b.data, b.len), 0);
	b.data[off + 27] = 0x80;
	assert_int_equal(dec_balances(b.data, b.len), -1);
	b.data[off + 27] = 0;
	b.data[off + 10] = 0xff;	/* carried_in < 0 */
	assert_int_equal(dec_balances(b.data, b.len), -1);
	wbuf_free(&b);
}

/*
 * The shortest region balance (a one-byte code) is 78 bytes; a decoder that
 * bounded the count by a larger minimum would refuse answers about
 * regions with short codes ("oma", "a").
 */
static void
test_balances_short_codes(void **state)
{
	static const char *codes[3] = { "a", "oma", "r-0" };
	struct ld_region_bal	 g[3], *dg;
	struct ld_acct_bal	*da;
	struct wbuf		 b;
	uint32_t		 na, ng, i;

	(void)state;
	memset(g, 0, sizeof(g));
	for (i = 0; i < 3; i++) {
		snprintf(g[i].region, sizeof(g[i].region), "%s", codes[i]);
		g[i].fy = 2013;
		g[i].grant_type = LD_G_GENERAL;
		g[i].account = LD_A_GENERAL;
		g[i].award = 150000000;
	}
	wbuf_init(&b);
	for (i = 1; i <= 3; i++) {
		wbuf_reset(&b);
		assert_int_equal(msg_encode_balances(&b, NULL, 0, g, i), 0);
		assert_int_equal(msg_decode_balances(b.data, b.len, &da, &na,
		    &dg, &ng), 0);
		assert_int_equal(ng, i);
		assert_string_equal(dg[i - 1].region, codes[i - 1]);
		free(da);
		free(dg);
		check_exact(dec_balances, b.data, b.len, "short codes");
	}
	wbuf_free(&b);
}

static void
test_balances_counts_bounded(void **state)
{
	struct ld_acct_bal	*da;
	struct ld_region_bal	*dg;
	uint32_t		 na, ng;
	struct wbuf		 b;
	int			 i;

	(void)state;
	/* n = 2^32 - 1 announced in 40 bytes: refused before any allocation */
	wbuf_init(&b);
	wbuf_u32(&b, 0xffffffffu);
	for (i = 0; i < 9; i++)
		wbuf_u32(&b, 0);
	assert_int_equal(msg_decode_balances(b.data, b.len, &da, &na, &dg, &ng), -1);
	assert_null(da);
	assert_null(dg);
	assert_int_equal(na, 0);
	/* m likewise */
	wbuf_reset(&b);
	wbuf_u32(&b, 0);
	wbuf_u32(&b, 0x10000000u);
	wbuf_u16(&b, 1);
	wbuf_u8(&b, 'a');
	for (i = 0; i < 76; i++)
		wbuf_u8(&b, 1);
	assert_int_equal(msg_decode_balances(b.data, b.len, &da, &na, &dg, &ng), -1);
	assert_null(dg);
	assert_int_equal(ng, 0);
	/* a region string longer than a code */
	wbuf_reset(&b);
	wbuf_u32(&b, 0);
	wbuf_u32(&b, 1);
	wbuf_str(&b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	wbuf_u16(&b, 2013);
	wbuf_u8(&b, 1);
	wbuf_u8(&b, 1);
	for (i = 0; i < 4; i++)
		wbuf_i64(&b, 0);
	wbuf_u32(&b, 0);
	wbuf_u8(&b, 0);
	wbuf_u8(&b, 0);
	for (i = 0; i < 3; i++)
		wbuf_i64(&b, 0);
	wbuf_u8(&b, 0);
	wbuf_i64(&b, 0);
	assert_int_equal(msg_decode_balances(b.data, b.len, &da, &na, &dg, &ng), -1);
	wbuf_free(&b);
}

/* TERMS */

static int
dec_terms_req(const uint8_t *p, size_t n)
{
	uint16_t	 fy;

	return msg_decode_terms_req(p, n, &fy);
}

static void
test_terms_req(void **state)
{
	struct wbuf	 b;
	uint16_t	 fy = 1;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_terms_req(&b, 2013), 0);
	assert_int_equal(b.len, 2);
	assert_int_equal(b.data[0], 0x07);
	assert_int_equal(b.data[1], 0xdd);
	assert_int_equal(msg_decode_terms_req(b.data, b.len, &fy), 0);
	assert_int_equal(fy, 2013);
	check_exact(dec_terms_req, b.data, b.len, "terms");

	/* 0: every year */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_terms_req(&b, 0), 0);
	assert_int_equal(msg_decode_terms_req(b.data, b.len, &fy), 0);
	assert_int_equal(fy, 0);
	check_exact(dec_terms_req, b.data, b.len, "terms any");

	/* a fiscal year outside the limits */
	wbuf_reset(&b);
	wbuf_u16(&b, LD_FY_MIN - 1);
	assert_int_equal(msg_decode_terms_req(b.data, b.len, &fy), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, LD_FY_MAX + 1);
	assert_int_equal(msg_decode_terms_req(b.data, b.len, &fy), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, LD_FY_MAX);
	assert_int_equal(msg_decode_terms_req(b.data, b.len, &fy), 0);
	assert_int_equal(fy, LD_FY_MAX);
	wbuf_free(&b);
}

/*
 * Like every request encoder, msg_encode_terms_req() refuses what its
 * decoder would refuse (a fiscal year outside 1900-9999, 0 meaning all), so
 * a client bug shows on the client's side.
 */
static void
test_terms_req_encoder_refuses(void **state)
{
	struct wbuf	 b;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_terms_req(&b, LD_FY_MIN - 1), -1);
	assert_int_equal(msg_encode_terms_req(&b, LD_FY_MAX + 1), -1);
	assert_int_equal(b.len, 0);
	wbuf_free(&b);
}

/* RECEIVABLES */

static int
dec_receivables_req(const uint8_t *p, size_t n)
{
	struct msg_receivables_req	 q;

	return msg_decode_receivables_req(p, n, &q);
}

static int
dec_receivables(const uint8_t *p, size_t n)
{
	struct msg_receivable	*v;
	uint32_t		 nv;
	int			 rc;

	rc = msg_decode_receivables(p, n, &v, &nv);
	free(v);
	return rc;
}

static void
test_receivables_req(void **state)
{
	static const uint8_t want[] = {
		0x07, 0xdd,				/* fy 2013 */
		0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',
		0x01, 0x33, 0x52, 0xbb,			/* as of 20140731 */
	};
	struct msg_receivables_req	 q, g;
	struct wbuf			 b;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.fy = 2013;
	strcpy(q.region, "hakodate");
	q.as_of = 20140731;
	wbuf_init(&b);
	assert_int_equal(msg_encode_receivables_req(&b, &q), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	assert_int_equal(msg_decode_receivables_req(b.data, b.len, &g), 0);
	assert_int_equal(g.fy, 2013);
	assert_string_equal(g.region, "hakodate");
	assert_int_equal(g.as_of, 20140731);
	check_exact(dec_receivables_req, b.data, b.len, "receivables");

	/* any year, any region */
	memset(&q, 0, sizeof(q));
	q.as_of = 20250101;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_receivables_req(&b, &q), 0);
	assert_int_equal(msg_decode_receivables_req(b.data, b.len, &g), 0);
	assert_int_equal(g.fy, 0);
	assert_string_equal(g.region, "");
	check_exact(dec_receivables_req, b.data, b.len, "receivables any");

	/* as_of is a real date; region and fy within their limits */
	q.as_of = 0;
	assert_int_equal(msg_encode_receivables_req(&b, &q), -1);
	q.as_of = 20140229;
	assert_int_equal(msg_encode_receivables_req(&b, &q), -1);
	q.as_of = 20140228;
	strcpy(q.region, "Hakodate");
	assert_int_equal(msg_encode_receivables_req(&b, &q), -1);
	strcpy(q.region, "hakodate");
	q.fy = LD_FY_MIN - 1;
	assert_int_equal(msg_encode_receivables_req(&b, &q), -1);
	memset(q.region, 'a', sizeof(q.region));	/* unterminated */
	q.fy = 2013;
	assert_int_equal(msg_encode_receivables_req(&b, &q), -1);

	wbuf_reset(&b);
	wbuf_u16(&b, 2013);
	wbuf_str(&b, "hakodate");
	wbuf_u32(&b, 20140230);
	assert_int_equal(msg_decode_receivables_req(b.data, b.len, &g), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, 2013);
	wbuf_str(&b, "函館");
	wbuf_u32(&b, 20140701);
	assert_int_equal(msg_decode_receivables_req(b.data, b.len, &g), -1);
	wbuf_reset(&b);
	wbuf_u16(&b, 10000);
	wbuf_str(&b, "");
	wbuf_u32(&b, 20140701);
	assert_int_equal(msg_decode_receivables_req(b.data, b.len, &g), -1);
	wbuf_free(&b);
}

static void
sample_receivable(struct msg_receivable *v, const char *region, uint16_t fy)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->region, sizeof(v->region), "%s", region);
	v->fy = fy;
	v->account = LD_A_GENERAL;
	v->order_seq = 44;
	v->repay_by = 20140731;
	v->principal = 10000000;
	v->principal_paid = 4000000;
	v->interest = 300000;
	v->late_charge = 1234;
	v->paid_charges = 100000;
	v->outstanding = 10000000 - 4000000 + 300000 + 1234 - 100000;
}

static void
test_receivables(void **state)
{
	struct msg_receivable	 v[2], x, *d;
	struct wbuf		 b;
	uint32_t		 n, i;

	(void)state;
	sample_receivable(&v[0], "higashimatsushima", 2013);
	sample_receivable(&v[1], "minamisanriku", 2014);
	v[1].account = LD_A_RECONSTRUCTION;
	v[1].order_seq = UINT64_MAX;
	v[1].repay_by = 0;
	v[1].principal = LD_AMOUNT_MAX;
	v[1].principal_paid = v[1].interest = v[1].late_charge = 0;
	v[1].paid_charges = 0;
	v[1].outstanding = LD_AMOUNT_MAX;
	wbuf_init(&b);
	assert_int_equal(msg_encode_receivables(&b, v, 2), 0);
	assert_int_equal(msg_decode_receivables(b.data, b.len, &d, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(d[i].region, v[i].region);
		assert_int_equal(d[i].fy, v[i].fy);
		assert_int_equal(d[i].account, v[i].account);
		assert_true(d[i].order_seq == v[i].order_seq);
		assert_int_equal(d[i].repay_by, v[i].repay_by);
		assert_true(d[i].principal == v[i].principal);
		assert_true(d[i].principal_paid == v[i].principal_paid);
		assert_true(d[i].interest == v[i].interest);
		assert_true(d[i].late_charge == v[i].late_charge);
		assert_true(d[i].paid_charges == v[i].paid_charges);
		assert_true(d[i].outstanding == v[i].outstanding);
	}
	free(d);
	check_exact(dec_receivables, b.data, b.len, "receivables_ok");

	/* none */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_receivables(&b, NULL, 0), 0);
	assert_int_equal(msg_decode_receivables(b.data, b.len, &d, &n), 0);
	assert_int_equal(n, 0);
	free(d);
	check_exact(dec_receivables, b.data, b.len, "no receivables");

	/* what the encoder refuses */
	x = v[0];
	x.order_seq = 0;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.account = 0;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.account = 3;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.fy = 0;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.repay_by = 20140732;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	strcpy(x.region, "");
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.principal = -1;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.principal_paid = -1;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.interest = -1;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.late_charge = -1;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.paid_charges = -1;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);
	x = v[0];
	x.outstanding = INT64_MIN;
	assert_int_equal(msg_encode_receivables(&b, &x, 1), -1);

	/* ... and the decoder, on the valid bytes changed in one field */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_receivables(&b, v, 1), 0);
	assert_int_equal(dec_receivables(b.data, b.len), 0);
	i = 4 + 2 + (uint32_t)strlen(v[0].region);	/* u16 fy */
	b.data[i] = 0;
	b.data[i + 1] = 0;				/* fy 0 */
	assert_int_equal(dec_receivables(b.data, b.len), -1);
	b.data[i] = 0x07;
	b.data[i + 1] = 0xdd;
	b.data[i + 2] = 9;				/* account */
	assert_int_equal(dec_receivables(b.data, b.len), -1);
	b.data[i + 2] = LD_A_GENERAL;
	memset(b.data + i + 3, 0, 8);			/* order_seq 0 */
	assert_int_equal(dec_receivables(b.data, b.len), -1);
	b.data[i + 10] = 44;
	assert_int_equal(dec_receivables(b.data, b.len), 0);
	b.data[i + 15] = 0xff;				/* repay_by */
	assert_int_equal(dec_receivables(b.data, b.len), -1);
	wbuf_reset(&b);
	assert_int_equal(msg_encode_receivables(&b, v, 1), 0);
	b.data[b.len - 8] = 0x80;			/* outstanding < 0 */
	assert_int_equal(dec_receivables(b.data, b.len), -1);

	/* a count the bytes cannot hold: refused before any allocation */
	wbuf_reset(&b);
	wbuf_u32(&b, 0xffffffffu);
	for (i = 0; i < 30; i++)
		wbuf_u32(&b, 0);
	assert_int_equal(msg_decode_receivables(b.data, b.len, &d, &n), -1);
	assert_null(d);
	assert_int_equal(n, 0);
	wbuf_free(&b);
}

/*
 * A receivable with a one-byte code is 66 bytes, one for "hakodate" 73: a
 * decoder that bounded the count by more would refuse ordinary answers.
 */
static void
test_receivables_short_codes(void **state)
{
	struct msg_receivable	 v[2], *d;
	struct wbuf		 b;
	uint32_t		 n;

	(void)state;
	sample_receivable(&v[0], "hakodate", 2013);
	sample_receivable(&v[1], "oma", 2013);
	wbuf_init(&b);
	assert_int_equal(msg_encode_receivables(&b, v, 1), 0);
	assert_int_equal(msg_decode_receivables(b.data, b.len, &d, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].region, "hakodate");
	free(d);
	check_exact(dec_receivables, b.data, b.len, "hakodate");
	wbuf_reset(&b);
	assert_int_equal(msg_encode_receivables(&b, v, 2), 0);
	assert_int_equal(msg_decode_receivables(b.data, b.len, &d, &n), 0);
	assert_int_equal(n, 2);
	free(d);
	wbuf_free(&b);
}

/* STATUS_OK */

static int
dec_status(const uint8_t *p, size_t n)
{
	struct msg_status	 s;

	return msg_decode_status(p, n, &s);
}

static void
test_status(void **state)
{
	struct msg_status	 s, g;
	struct wbuf		 b;
	int			 i;

	(void)state;
	memset(&s, 0, sizeof(s));
	strcpy(s.server, "ledgerd 0.1.0");
	s.size = 123456789;
	s.uptime_s = 86400;
	s.connections = 17;
	s.map_used = UINT64_C(1) << 33;
	s.map_size = UINT64_C(1) << 34;
	s.last_commit = INT64_C(1795874400123456);
	for (i = 0; i < 32; i++)
		s.root[i] = (uint8_t)(i * 7);
	wbuf_init(&b);
	assert_int_equal(msg_encode_status(&b, &s), 0);
	assert_int_equal(msg_decode_status(b.data, b.len, &g), 0);
	assert_string_equal(g.server, s.server);
	assert_true(g.size == s.size && g.uptime_s == s.uptime_s);
	assert_int_equal(g.connections, 17);
	assert_true(g.map_used == s.map_used && g.map_size == s.map_size);
	assert_true(g.last_commit == s.last_commit);
	assert_memory_equal(g.root, s.root, 32);
	check_exact(dec_status, b.data, b.len, "status");

	strcpy(s.server, "ledgerd\r\n");
	assert_int_equal(msg_encode_status(&b, &s), -1);
	wbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_error_text_is_sanitized),
		cmocka_unit_test(test_error_decoder_refuses_bad_text),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_write_every_kind),
		cmocka_unit_test(test_approvals),
		cmocka_unit_test(test_write_carries_request_fields_only),
		cmocka_unit_test(test_write_bad),
		cmocka_unit_test(test_write_golden_new_kinds),
		cmocka_unit_test(test_write_new_kinds_bad),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_batch_empty_and_counts),
		cmocka_unit_test(test_entry_msg),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_bresult),
		cmocka_unit_test(test_get_list),
		cmocka_unit_test(test_balance_req),
		cmocka_unit_test(test_balances),
		cmocka_unit_test(test_balances_bad_values),
		cmocka_unit_test(test_balances_short_codes),
		cmocka_unit_test(test_balances_counts_bounded),
		cmocka_unit_test(test_terms_req),
		cmocka_unit_test(test_terms_req_encoder_refuses),
		cmocka_unit_test(test_receivables_req),
		cmocka_unit_test(test_receivables),
		cmocka_unit_test(test_receivables_short_codes),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
