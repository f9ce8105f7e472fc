/*
 * test_entry.c - the canonical entry encoding and the field validators.
 *
 * The encoding is frozen: a change to one byte changes every leaf hash and
 * so every checkpoint a user has ever verified.  Format 1 (version 1
 * ledgers) and format 2 (every entry written since) are both pinned with
 * bytes assembled here by hand from PROTOCOL.md; raw_encode() is a second,
 * unchecked writer of the same layouts, used both to cross-check the
 * encoder and to produce invalid entries the real encoder refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/sha.h>

#include "entry.h"
#include "utf8.h"
#include "wire.h"

#define JA_NAME		"函館市（北海道）"
#define JA_MEMO		"第1回 概算払 — 令和7年度"

/* The kinds a format 1 entry may hold. */
#define V1_KIND_MAX	LD_K_YEAR_CLOSE

/* A valid format 2 entry of every kind, every field the kind has set. */
static void
sample(int kind, struct ld_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->format = LD_ENTRY_FORMAT;
	e->seq = 42;
	e->kind = (uint8_t)kind;
	snprintf(e->actor, sizeof(e->actor), "%s", "経理担当01");
	snprintf(e->id, sizeof(e->id), "id-%d", kind);
	e->recorded_at = INT64_C(1795874400123456);
	switch (kind) {
	case LD_K_REGION:
		snprintf(e->region, sizeof(e->region), "%s", "hakodate");
		snprintf(e->name, sizeof(e->name), "%s", JA_NAME);
		e->grant_type = LD_G_RECONSTRUCTION;
		snprintf(e->category, sizeof(e->category), "%s", "市町村");
		break;
	case LD_K_APPROPRIATION:
		e->account = LD_A_RECONSTRUCTION;
		e->fy = 2013;
		e->amount = LD_AMOUNT_MAX;
		snprintf(e->ref, sizeof(e->ref), "%s", "APP 2013/1");
		break;
	case LD_K_AWARD:
		snprintf(e->region, sizeof(e->region), "%s", "ishinomaki-2");
		e->account = LD_A_GENERAL;
		e->fy = 2025;
		e->amount = 150000000;
		snprintf(e->ref, sizeof(e->ref), "%s", "AW-1");
		e->date = 20250601;
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		snprintf(e->region, sizeof(e->region), "%s", "hakodate");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 1;
		snprintf(e->ref, sizeof(e->ref), "%s", "V-0042");
		e->date = 20140531;
		snprintf(e->memo, sizeof(e->memo), "%s", JA_MEMO);
		break;
	case LD_K_REVERSAL:
		e->reverses = 41;
		e->target_kind = LD_K_DISBURSEMENT;
		snprintf(e->region, sizeof(e->region), "%s", "hakodate");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 50000000;
		snprintf(e->reason, sizeof(e->reason), "%s", "二重計上の取消");
		break;
	case LD_K_YEAR_CLOSE:
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->appropriated = INT64_MAX;
		e->awarded = 300000000;
		e->disbursed = 200;
		e->refunded = 200;
		e->net = 0;
		e->carried_in = 5;
		e->budget = INT64_MAX;
		e->carried_out = 7;
		e->unused = 1000;
		e->receipts = 12;
		e->execution_rate_bp = -1;	/* JSON null */
		break;
	case LD_K_TERMS:
		e->fy = 2013;
		e->grant_type = LD_G_GENERAL;
		e->account = LD_A_GENERAL;
		e->min = 100000000;
		e->max = 200000000;
		e->deadline = 20140430;
		e->interest_bp = 1095;
		e->late_bp = 1460;
		snprintf(e->ref, sizeof(e->ref), "%s", "T-2013/general");
		break;
	case LD_K_AWARD_CANCEL:
		snprintf(e->region, sizeof(e->region), "%s", "ishinomaki-2");
		e->account = LD_A_RECONSTRUCTION;
		e->fy = 2013;
		e->date = 20140501;
		e->repay_by = 20140630;
		snprintf(e->reason, sizeof(e->reason), "%s", "補助事業の中止");
		snprintf(e->ref, sizeof(e->ref), "%s", "CX-1");
		e->amount = 300000000;
		e->principal = 120000000;
		break;
	case LD_K_SETTLEMENT:
		snprintf(e->region, sizeof(e->region), "%s", "hakodate");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 60000000;
		e->date = 20140601;
		e->repay_by = 20140731;
		snprintf(e->ref, sizeof(e->ref), "%s", "ST-1");
		e->principal = 10000000;
		break;
	case LD_K_RECEIPT:
		snprintf(e->region, sizeof(e->region), "%s", "hakodate");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 5000000;
		e->date = 20140701;
		snprintf(e->ref, sizeof(e->ref), "%s", "RC-1");
		e->principal = 4000000;
		e->interest = 900000;
		e->late = 100000;
		break;
	case LD_K_CARRY_OVER:
		snprintf(e->region, sizeof(e->region), "%s", "hakodate");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 10000000;
		e->carry_kind = LD_C_ACCIDENT;
		e->date = 20140301;
		snprintf(e->ref, sizeof(e->ref), "%s", "CO-1");
		break;
	case LD_K_POLICY:
		e->require = LD_KIND_BIT(LD_K_REVERSAL) | LD_KIND_BIT(LD_K_TERMS);
		e->disburse_over = 100000000;
		e->expire_days = LD_EXPIRE_DAYS_DEFAULT;
		snprintf(e->ref, sizeof(e->ref), "%s", "POL-1");
		break;
	case LD_K_REQUEST:
		/* a disbursement waiting: its request fields, no account */
		e->action = LD_K_DISBURSEMENT;
		snprintf(e->region, sizeof(e->region), "%s", "hakodate");
		e->fy = 2013;
		e->amount = 150000000;
		snprintf(e->ref, sizeof(e->ref), "%s", "V-0043");
		e->date = 20140531;
		snprintf(e->memo, sizeof(e->memo), "%s", JA_MEMO);
		e->expires_at = e->recorded_at + INT64_C(14) * 86400 * 1000000;
		break;
	case LD_K_APPROVAL:
		e->request = 40;
		e->decision = LD_D_REFUSED;
		e->refusal = 8;	/* OVER_AWARD */
		break;
	}
}

/* The same entry as version 1 wrote it (kinds 1-7 only). */
static void
sample_v1(int kind, struct ld_entry *e)
{
	sample(kind, e);
	e->format = LD_ENTRY_FORMAT_V1;
	if (kind == LD_K_AWARD)
		e->date = 0;	/* no decision date in format 1 */
	e->carried_in = e->budget = e->carried_out = e->unused = 0;
	e->receipts = e->execution_rate_bp = 0;
}

/* Fill e with format fmt's sample of kind. */
static void
sample_fmt(int fmt, int kind, struct ld_entry *e)
{
	if (fmt == LD_ENTRY_FORMAT_V1)
		sample_v1(kind, e);
	else {
		sample(kind, e);
		e->format = (uint8_t)fmt;
	}
}

/* The highest kind format fmt can hold. */
static int
kind_max(int fmt)
{
	if (fmt == LD_ENTRY_FORMAT_V1)
		return V1_KIND_MAX;
	return fmt < 4 ? LD_K_CARRY_OVER : LD_K_MAX;
}

/* A kind's body as PROTOCOL.md lays it out, without any checks. */
static void
raw_body(struct wbuf *b, const struct ld_entry *e, int kind, uint8_t fmt)
{
	switch (kind) {
	case LD_K_REGION:
		wbuf_str(b, e->region);
		wbuf_str(b, e->name);
		wbuf_u8(b, e->grant_type);
		wbuf_str(b, e->category);
		break;
	case LD_K_APPROPRIATION:
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->amount);
		wbuf_str(b, e->ref);
		break;
	case LD_K_AWARD:
		wbuf_str(b, e->region);
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->amount);
		wbuf_str(b, e->ref);
		if (fmt >= 2)
			wbuf_u32(b, e->date);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		wbuf_str(b, e->region);
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->amount);
		wbuf_str(b, e->ref);
		wbuf_u32(b, e->date);
		wbuf_str(b, e->memo);
		if (fmt >= 3)
			wbuf_u8(b, e->flags);
		break;
	case LD_K_REVERSAL:
		wbuf_u64(b, e->reverses);
		wbuf_u8(b, e->target_kind);
		wbuf_str(b, e->region);
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->amount);
		wbuf_str(b, e->reason);
		break;
	case LD_K_YEAR_CLOSE:
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->appropriated);
		wbuf_i64(b, e->awarded);
		wbuf_i64(b, e->disbursed);
		wbuf_i64(b, e->refunded);
		wbuf_i64(b, e->net);
		if (fmt >= 2) {
			wbuf_i64(b, e->carried_in);
			wbuf_i64(b, e->budget);
			wbuf_i64(b, e->carried_out);
			wbuf_i64(b, e->unused);
			wbuf_i64(b, e->receipts);
			wbuf_i64(b, e->execution_rate_bp);
		}
		break;
	case LD_K_TERMS:
		wbuf_u16(b, e->fy);
		wbuf_u8(b, e->grant_type);
		wbuf_u8(b, e->account);
		wbuf_i64(b, e->min);
		wbuf_i64(b, e->max);
		wbuf_u32(b, e->deadline);
		wbuf_u32(b, e->interest_bp);
		wbuf_u32(b, e->late_bp);
		wbuf_str(b, e->ref);
		break;
	case LD_K_AWARD_CANCEL:
		wbuf_str(b, e->region);
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_u32(b, e->date);
		wbuf_u32(b, e->repay_by);
		wbuf_str(b, e->reason);
		wbuf_str(b, e->ref);
		wbuf_i64(b, e->amount);
		wbuf_i64(b, e->principal);
		break;
	case LD_K_SETTLEMENT:
		wbuf_str(b, e->region);
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->amount);
		wbuf_u32(b, e->date);
		wbuf_u32(b, e->repay_by);
		wbuf_str(b, e->ref);
		wbuf_i64(b, e->principal);
		break;
	case LD_K_RECEIPT:
		wbuf_str(b, e->region);
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->amount);
		wbuf_u32(b, e->date);
		wbuf_str(b, e->ref);
		wbuf_i64(b, e->principal);
		wbuf_i64(b, e->interest);
		wbuf_i64(b, e->late);
		break;
	case LD_K_CARRY_OVER:
		wbuf_str(b, e->region);
		wbuf_u8(b, e->account);
		wbuf_u16(b, e->fy);
		wbuf_i64(b, e->amount);
		wbuf_u8(b, e->carry_kind);
		wbuf_u32(b, e->date);
		wbuf_str(b, e->ref);
		break;
	}
}

/* The layouts of PROTOCOL.md written without any checks. */
static void
raw_encode(struct wbuf *b, const struct ld_entry *e)
{
	uint8_t	 fmt = e->format == 0 ? LD_ENTRY_FORMAT : e->format;

	wbuf_u8(b, fmt);
	wbuf_u64(b, e->seq);
	wbuf_u8(b, e->kind);
	switch (e->kind) {
	case LD_K_POLICY:
		wbuf_u16(b, e->require);
		wbuf_i64(b, e->disburse_over);
		wbuf_u16(b, e->expire_days);
		wbuf_str(b, e->ref);
		break;
	case LD_K_REQUEST:
		wbuf_u8(b, e->action);
		raw_body(b, e, e->action, fmt);
		wbuf_i64(b, e->expires_at);
		break;
	case LD_K_APPROVAL:
		wbuf_u64(b, e->request);
		wbuf_u8(b, e->decision);
		wbuf_u8(b, e->refusal);
		wbuf_str(b, e->reason);
		break;
	default:
		raw_body(b, e, e->kind, fmt);
		/* the approval trailer of format 4's approvable kinds */
		if (fmt >= 4 && (e->kind == LD_K_DISBURSEMENT ||
		    e->kind == LD_K_REVERSAL || e->kind == LD_K_YEAR_CLOSE ||
		    e->kind == LD_K_TERMS || e->kind == LD_K_AWARD_CANCEL ||
		    e->kind == LD_K_SETTLEMENT)) {
			wbuf_u8(b, e->approved_by != 0);
			if (e->approved_by != 0) {
				wbuf_u64(b, e->approved_by);
				wbuf_u64(b, e->request);
			}
		}
	}
	wbuf_str(b, e->actor);
	wbuf_str(b, e->id);
	wbuf_i64(b, e->recorded_at);
	assert_int_equal(b->err, 0);
}

static void
assert_entries_equal(const struct ld_entry *a, const struct ld_entry *b)
{
	assert_int_equal(a->format, b->format);
	assert_true(a->seq == b->seq);
	assert_int_equal(a->kind, b->kind);
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
	assert_int_equal(a->target_kind, b->target_kind);
	assert_string_equal(a->reason, b->reason);
	assert_true(a->appropriated == b->appropriated);
	assert_true(a->awarded == b->awarded);
	assert_true(a->disbursed == b->disbursed);
	assert_true(a->refunded == b->refunded);
	assert_true(a->net == b->net);
	assert_true(a->carried_in == b->carried_in);
	assert_true(a->budget == b->budget);
	assert_true(a->carried_out == b->carried_out);
	assert_true(a->unused == b->unused);
	assert_true(a->receipts == b->receipts);
	assert_true(a->execution_rate_bp == b->execution_rate_bp);
	assert_true(a->min == b->min);
	assert_true(a->max == b->max);
	assert_int_equal(a->deadline, b->deadline);
	assert_int_equal(a->interest_bp, b->interest_bp);
	assert_int_equal(a->late_bp, b->late_bp);
	assert_int_equal(a->repay_by, b->repay_by);
	assert_true(a->principal == b->principal);
	assert_true(a->interest == b->interest);
	assert_true(a->late == b->late);
	assert_int_equal(a->carry_kind, b->carry_kind);
	assert_int_equal(a->require, b->require);
	assert_true(a->disburse_over == b->disburse_over);
	assert_int_equal(a->expire_days, b->expire_days);
	assert_int_equal(a->action, b->action);
	assert_true(a->expires_at == b->expires_at);
	assert_true(a->request == b->request);
	assert_true(a->approved_by == b->approved_by);
	assert_int_equal(a->decision, b->decision);
	assert_int_equal(a->refusal, b->refusal);
	assert_string_equal(a->actor, b->actor);
	assert_string_equal(a->id, b->id);
	assert_true(a->recorded_at == b->recorded_at);
}

/* Both entry_valid() refuses e and the decoder refuses its raw bytes. */
static void
assert_refused(const struct ld_entry *e)
{
	struct wbuf	 b;
	struct ld_entry	 d;

	wbuf_init(&b);
	assert_int_equal(entry_valid(e), -1);
	raw_encode(&b, e);
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	wbuf_free(&b);
}

static int
decode_raw(const struct ld_entry *e)
{
	struct wbuf	 b;
	struct ld_entry	 d;
	int		 rc;

	wbuf_init(&b);
	raw_encode(&b, e);
	rc = entry_decode(&d, b.data, b.len);
	wbuf_free(&b);
	return rc;
}

/* e encodes, and its raw bytes decode back to e. */
static void
assert_accepted(const struct ld_entry *e)
{
	struct wbuf	 b;
	struct ld_entry	 d;

	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, e), 0);
	wbuf_free(&b);
	assert_int_equal(decode_raw(e), 0);
	wbuf_init(&b);
	raw_encode(&b, e);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_entries_equal(&d, e);
	wbuf_free(&b);
}

static void
test_names(void **state)
{
	static const char *kinds[] = { "region", "appropriation", "award",
	    "disbursement", "refund", "reversal", "year_close", "terms",
	    "award_cancel", "settlement", "receipt", "carry_over", "policy",
	    "request", "approval" };
	int	 i;

	(void)state;
	assert_int_equal(LD_K_MAX, sizeof(kinds) / sizeof(kinds[0]));
	for (i = 1; i <= LD_K_MAX; i++) {
		assert_string_equal(ld_kind_name(i), kinds[i - 1]);
		assert_int_equal(ld_kind_from_name(kinds[i - 1]), i);
	}
	assert_null(ld_kind_name(0));
	assert_null(ld_kind_name(LD_K_MAX + 1));
	assert_null(ld_kind_name(-1));
	assert_int_equal(ld_kind_from_name("Region"), 0);
	assert_int_equal(ld_kind_from_name("award-cancel"), 0);
	assert_int_equal(ld_kind_from_name(""), 0);
	assert_int_equal(ld_kind_from_name(NULL), 0);

	assert_string_equal(ld_carry_name(LD_C_EXPLICIT), "explicit");
	assert_string_equal(ld_carry_name(LD_C_ACCIDENT), "accident");
	assert_null(ld_carry_name(0));
	assert_null(ld_carry_name(3));
	assert_int_equal(ld_carry_from_name("explicit"), LD_C_EXPLICIT);
	assert_int_equal(ld_carry_from_name("accident"), LD_C_ACCIDENT);
	assert_int_equal(ld_carry_from_name("Explicit"), 0);
	assert_int_equal(ld_carry_from_name(NULL), 0);

	assert_string_equal(ld_grant_name(1), "general");
	assert_string_equal(ld_grant_name(2), "reconstruction");
	assert_string_equal(ld_grant_name(3), "continuing");
	assert_null(ld_grant_name(4));
	assert_int_equal(ld_grant_from_name("continuing"), LD_G_CONTINUING);
	assert_int_equal(ld_grant_from_name("special"), 0);

	assert_string_equal(ld_account_name(1), "general");
	assert_string_equal(ld_account_name(2), "reconstruction");
	assert_null(ld_account_name(3));
	assert_null(ld_account_name(0));
	assert_int_equal(ld_account_from_name("reconstruction"), LD_A_RECONSTRUCTION);
	assert_int_equal(ld_account_from_name("continuing"), 0);

	assert_int_equal(ld_grant_account(LD_G_GENERAL), LD_A_GENERAL);
	assert_int_equal(ld_grant_account(LD_G_RECONSTRUCTION), LD_A_RECONSTRUCTION);
	assert_int_equal(ld_grant_account(LD_G_CONTINUING), LD_A_GENERAL);
	assert_int_equal(ld_grant_account(0), 0);
	assert_int_equal(ld_grant_account(4), 0);
}

static void
test_valid_code(void **state)
{
	char	 s[80];

	(void)state;
	assert_true(ld_valid_code("hakodate"));
	assert_true(ld_valid_code("a"));
	assert_true(ld_valid_code("ishinomaki-2"));
	assert_true(ld_valid_code("-"));
	assert_false(ld_valid_code(""));
	assert_false(ld_valid_code("Hakodate"));
	assert_false(ld_valid_code("hako date"));
	assert_false(ld_valid_code("hako_date"));
	assert_false(ld_valid_code("函館"));
	assert_false(ld_valid_code("a\n"));
	memset(s, 'z', 64);
	s[64] = '\0';
	assert_true(ld_valid_code(s));
	s[64] = 'z';
	s[65] = '\0';
	assert_false(ld_valid_code(s));
}

static void
test_valid_ref(void **state)
{
	char	 s[80];

	(void)state;
	assert_true(ld_valid_ref("V-0042"));
	assert_true(ld_valid_ref(" "));
	assert_true(ld_valid_ref("~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"));
	assert_false(ld_valid_ref(""));
	assert_false(ld_valid_ref("V\t1"));
	assert_false(ld_valid_ref("V\x7f"));
	assert_false(ld_valid_ref("伝票1"));
	assert_false(ld_valid_ref("\x80"));
	memset(s, 'R', 64);
	s[64] = '\0';
	assert_true(ld_valid_ref(s));
	s[64] = 'R';
	s[65] = '\0';
	assert_false(ld_valid_ref(s));
}

/*
 * Length of the well-formed sequence at p by Unicode 15 table 3-7 read
 * literally (the ranges of each byte), or 0: the reference for
 * utf8_decode().
 */
static size_t
table_3_7(const uint8_t *p, size_t left)
{
	static const struct {
		uint8_t lead_lo, lead_hi, lo, hi;
		size_t	len;
	} rows[] = {
		{ 0x00, 0x7f, 0, 0, 1 },
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};
	size_t	 r, i;

	if (left == 0)
		return 0;
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		if (p[0] < rows[r].lead_lo || p[0] > rows[r].lead_hi)
			continue;
		if (rows[r].len == 1)
			return 1;
		if (left < rows[r].len || p[1] < rows[r].lo ||
		    p[1] > rows[r].hi)
			return 0;
		for (i = 2; i < rows[r].len; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return 0;
		return rows[r].len;
	}
	return 0;
}

static void
test_utf8_decode(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
		uint32_t	 cp;
	} good[] = {
		{ "\x00", 1, 0 }, { "A", 1, 'A' }, { "\x7f", 1, 0x7f },
		{ "\xc2\x80", 2, 0x80 }, { "\xdf\xbf", 2, 0x7ff },
		{ "\xe0\xa0\x80", 3, 0x800 }, { "\xed\x9f\xbf", 3, 0xd7ff },
		{ "\xee\x80\x80", 3, 0xe000 }, { "\xe5\x87\xbd", 3, 0x51fd },
		{ "\xef\xbf\xbf", 3, 0xffff },
		{ "\xf0\x90\x80\x80", 4, 0x10000 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	static const uint8_t	 conts[] = { 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
	    0xa0, 0xbf, 0xc0, 0xff };
	uint8_t			 b[4];
	uint32_t		 cp, v;
	size_t			 i, n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = good[i].len;
		cp = UINT32_MAX;
		assert_int_equal(utf8_decode((const uint8_t *)good[i].s, n,
		    &cp), n);
		assert_int_equal(cp, good[i].cp);
		/* One byte short is no character, and *cp is left alone. */
		cp = 7;
		assert_int_equal(utf8_decode((const uint8_t *)good[i].s,
		    n - 1, &cp), 0);
		assert_int_equal(cp, 7);
	}
	/* Every sequence of up to three bytes, as table 3-7 says. */
	for (v = 0; v < (1u << 24); v++) {
		b[0] = v >> 16;
		b[1] = (v >> 8) & 0xff;
		b[2] = v & 0xff;
		for (n = 1; n <= 3; n++)
			if (utf8_decode(b, n, &cp) != table_3_7(b, n))
				fail_msg("%02x %02x %02x (%zu bytes)", b[0],
				    b[1], b[2], n);
	}
	/* Four-byte leads with the edges of each continuation range. */
	for (v = 0; v < 256 * 1000; v++) {
		b[0] = v / 1000;
		b[1] = conts[v / 100 % 10];
		b[2] = conts[v / 10 % 10];
		b[3] = conts[v % 10];
		if (utf8_decode(b, 4, &cp) != table_3_7(b, 4))
			fail_msg("%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
	}
	assert_int_equal(utf8_decode(b, 0, &cp), 0);
	/* The text rule's controls: C0, DEL, C1; nothing else. */
	assert_true(utf8_is_control(0) && utf8_is_control(0x1f));
	assert_true(utf8_is_control(0x7f) && utf8_is_control(0x80) &&
	    utf8_is_control(0x9f));
	assert_false(utf8_is_control(' ') || utf8_is_control('~') ||
	    utf8_is_control(0xa0) || utf8_is_control(0x2028));
}

static void
test_valid_text(void **state)
{
	static const char *good[] = {
		"plain", "函館 第1回", "tab-free café", "\xc2\xa0nbsp",
		"\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xef\xbf\xbd", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
		"emoji \xf0\x9f\x8e\x8c", "~",
	};
	static const char *bad[] = {
		"\xc0\xaf",		/* overlong '/' */
		"\xc1\xbf",		/* overlong */
		"\xe0\x80\xaf",		/* overlong 3-byte */
		"\xe0\x9f\xbf",		/* overlong 3-byte, top */
		"\xf0\x80\x80\xaf",	/* overlong 4-byte */
		"\xf0\x8f\xbf\xbf",	/* overlong 4-byte, top */
		"\xed\xa0\x80",		/* surrogate D800 */
		"\xed\xbf\xbf",		/* surrogate DFFF */
		"\xf4\x90\x80\x80",	/* U+110000 */
		"\xf5\x80\x80\x80",
		"\xff",
		"\x80",			/* lone continuation */
		"a\xbf",
		"\xe5\x87",		/* truncated 函 */
		"\xe5\x87z",
		"\xf0\x9f\x8e",		/* truncated emoji */
		"\xc2\x80",		/* C1 U+0080 */
		"\xc2\x85",		/* NEL */
		"\xc2\x9f",		/* C1 U+009F */
		"\x7f",			/* DEL */
		"line\nbreak",
		"tab\there",
		"\r",
		"\x1b[31m",
	};
	char	 s[600];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(ld_valid_text(good[i], 0));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ld_valid_text(bad[i], 1))
			fail_msg("accepted bad text #%zu", i);
	}
	assert_true(ld_valid_text("", 1));
	assert_false(ld_valid_text("", 0));

	/* 512 bytes is the cap, counted in bytes not characters */
	memset(s, 'a', 512);
	s[512] = '\0';
	assert_true(ld_valid_text(s, 0));
	s[512] = 'a';
	s[513] = '\0';
	assert_false(ld_valid_text(s, 0));
	for (i = 0; i + 3 <= 510; i += 3)
		memcpy(s + i, "函", 3);
	memcpy(s + 510, "ab", 3);
	assert_int_equal(strlen(s), 512);
	assert_true(ld_valid_text(s, 0));
	memcpy(s + 510, "函", 4);	/* 513 bytes */
	assert_false(ld_valid_text(s, 0));
}

static void
test_valid_actor(void **state)
{
	char	 s[80];

	(void)state;
	assert_true(ld_valid_actor("clerk01"));
	assert_true(ld_valid_actor("経理 担当"));
	assert_false(ld_valid_actor(""));
	assert_false(ld_valid_actor("clerk\n"));
	assert_false(ld_valid_actor("\xc3("));
	memset(s, 'c', 64);
	s[64] = '\0';
	assert_true(ld_valid_actor(s));
	s[64] = 'c';
	s[65] = '\0';
	assert_false(ld_valid_actor(s));
}

static void
test_valid_date(void **state)
{
	(void)state;
	assert_true(ld_valid_date(20130630));
	assert_true(ld_valid_date(20120229));	/* leap year */
	assert_true(ld_valid_date(20000229));	/* divisible by 400 */
	assert_true(ld_valid_date(19000101));
	assert_true(ld_valid_date(99991231));
	assert_true(ld_valid_date(20131231));
	assert_false(ld_valid_date(20130229));
	assert_false(ld_valid_date(19000229));	/* divisible by 100 */
	assert_false(ld_valid_date(21000229));
	assert_false(ld_valid_date(18991231));
	assert_false(ld_valid_date(100000101));
	assert_false(ld_valid_date(20131301));
	assert_false(ld_valid_date(20130001));
	assert_false(ld_valid_date(20130100));
	assert_false(ld_valid_date(20130431));
	assert_false(ld_valid_date(20130132));
	assert_false(ld_valid_date(0));
}

/*
 * Encode e, compare with golden, check the leaf hash against SHA-256
 * computed here, and decode the golden bytes back to e and to the same
 * bytes again.
 */
static void
check_golden(const struct ld_entry *e, const uint8_t *golden, size_t len)
{
	struct ld_entry	 d;
	struct wbuf	 b, again;
	uint8_t		*pre, want[32], got[32];

	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, e), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, golden, len);

	pre = malloc(len + 1);
	assert_non_null(pre);
	pre[0] = 0x00;
	memcpy(pre + 1, golden, len);
	SHA256(pre, len + 1, want);
	entry_leaf_hash(b.data, b.len, got);
	assert_memory_equal(got, want, 32);
	free(pre);

	assert_int_equal(entry_decode(&d, golden, len), 0);
	assert_entries_equal(&d, e);
	wbuf_init(&again);
	assert_int_equal(entry_encode(&again, &d), 0);
	assert_int_equal(again.len, len);
	assert_memory_equal(again.data, golden, len);
	wbuf_free(&again);
	wbuf_free(&b);
}

/*
 * Format 1 (frozen): seq 12, disbursement, region "hakodate", account
 * general, FY2013, 50,000,000 yen, ref "V-0042", date 2013-06-30, memo
 * "函館 第1回", actor "clerk01", id "d-0042", recorded
 * 2026-11-28T14:00:00.123456Z.
 */
static const uint8_t golden[] = {
	0x01,					/* format 1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c,	/* seq 12 */
	0x04,					/* kind disbursement */
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',	/* region */
	0x01,					/* account general */
	0x07, 0xdd,				/* fy 2013 */
	0x00, 0x00, 0x00, 0x00, 0x02, 0xfa, 0xf0, 0x80,	/* 50,000,000 */
	0x00, 0x06, 'V', '-', '0', '0', '4', '2',	/* ref */
	0x01, 0x33, 0x2b, 0x46,			/* date 20130630 */
	0x00, 0x0e,				/* memo, 14 bytes */
	0xe5, 0x87, 0xbd, 0xe9, 0xa4, 0xa8,	/* 函館 */
	0x20,					/* space */
	0xe7, 0xac, 0xac, 0x31, 0xe5, 0x9b, 0x9e,	/* 第1回 */
	0x00, 0x07, 'c', 'l', 'e', 'r', 'k', '0', '1',	/* actor */
	0x00, 0x06, 'd', '-', '0', '0', '4', '2',	/* id */
	0x00, 0x06, 0x61, 0x56, 0x97, 0xae, 0x3a, 0x40,	/* recorded_at µs */
};

static void
golden_disbursement_entry(struct ld_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->format = LD_ENTRY_FORMAT_V1;
	e->seq = 12;
	e->kind = LD_K_DISBURSEMENT;
	strcpy(e->region, "hakodate");
	e->account = LD_A_GENERAL;
	e->fy = 2013;
	e->amount = 50000000;
	strcpy(e->ref, "V-0042");
	e->date = 20130630;
	strcpy(e->memo, "函館 第1回");
	strcpy(e->actor, "clerk01");
	strcpy(e->id, "d-0042");
	e->recorded_at = INT64_C(1795874400123456);
}

static void
test_golden_disbursement(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;
	uint8_t		 v2[sizeof(golden)], v3[sizeof(golden) + 1];
	uint8_t		 v4[sizeof(golden) + 2];
	uint64_t	 golden_seq;
	/* the memo ends where actor (2+7), id (2+6) and recorded_at (8) begin */
	size_t		 memo_end = sizeof(golden) - 25;

	(void)state;
	/* version 1's bytes, exactly as version 1 wrote them */
	golden_disbursement_entry(&e);
	check_golden(&e, golden, sizeof(golden));

	/*
	 * Format 2 keeps the disbursement's layout: the same bytes but the
	 * format byte.
	 */
	memcpy(v2, golden, sizeof(golden));
	v2[0] = 0x02;
	e.format = LD_ENTRY_FORMAT_V2;
	check_golden(&e, v2, sizeof(v2));

	/*
	 * Format 3 adds u8 flags after the memo (bit 0: the duplicate ref
	 * was allowed).
	 */
	v3[0] = 0x03;
	memcpy(v3 + 1, golden + 1, memo_end - 1);
	v3[memo_end] = LD_EF_DUP_REF_OK;
	memcpy(v3 + memo_end + 1, golden + memo_end, sizeof(golden) - memo_end);
	e.format = LD_ENTRY_FORMAT_V3;
	e.flags = LD_EF_DUP_REF_OK;
	check_golden(&e, v3, sizeof(v3));

	/*
	 * Format 4 adds the approval trailer after the flags: u8 0 (no
	 * approval), or u8 1, u64 approved_by, u64 request.  A request
	 * (format 0) is written in format 4.
	 */
	v4[0] = 0x04;
	memcpy(v4 + 1, v3 + 1, memo_end);
	v4[memo_end + 1] = 0;
	memcpy(v4 + memo_end + 2, v3 + memo_end + 1,
	    sizeof(v3) - memo_end - 1);
	e.format = LD_ENTRY_FORMAT;
	check_golden(&e, v4, sizeof(v4));
	e.format = 0;
	e.flags = 0;
	v4[memo_end] = 0;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(b.len, sizeof(v4));
	assert_memory_equal(b.data, v4, sizeof(v4));
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.format, LD_ENTRY_FORMAT);
	wbuf_free(&b);

	/* approved: the trailer names the approval and the request */
	e.format = LD_ENTRY_FORMAT;
	golden_seq = e.seq;
	e.seq = 42;
	e.approved_by = 41;
	e.request = 40;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(b.len, sizeof(v4) + 16);
	assert_int_equal(b.data[memo_end + 1], 1);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_true(d.approved_by == 41 && d.request == 40);
	/* a trailer byte other than 0 or 1 does not decode */
	b.data[memo_end + 1] = 2;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	wbuf_free(&b);
	/* an approval must come before its action, its request before it */
	e.approved_by = 43;
	assert_int_equal(entry_valid(&e), -1);
	e.approved_by = 41;
	e.request = 41;
	assert_int_equal(entry_valid(&e), -1);
	e.approved_by = 0;
	e.request = 0;
	e.seq = golden_seq;

	/* unknown flag bits, and flags before format 3, do not decode */
	v3[memo_end] = 0x02;
	assert_int_equal(entry_decode(&d, v3, sizeof(v3)), -1);
	e.format = LD_ENTRY_FORMAT_V2;
	e.flags = LD_EF_DUP_REF_OK;
	assert_int_equal(entry_valid(&e), -1);
}

/*
 * seq 5, award, region "hakodate", account general, FY2013, 150,000,000
 * yen, ref "AW-1", actor "admin01", no id, recorded as above; format 2
 * adds the decision date 2013-05-01.
 */
static const uint8_t golden_award_v1[] = {
	0x01,					/* format 1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,	/* seq 5 */
	0x03,					/* kind award */
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',	/* region */
	0x01,					/* account general */
	0x07, 0xdd,				/* fy 2013 */
	0x00, 0x00, 0x00, 0x00, 0x08, 0xf0, 0xd1, 0x80,	/* 150,000,000 */
	0x00, 0x04, 'A', 'W', '-', '1',		/* ref */
	0x00, 0x07, 'a', 'd', 'm', 'i', 'n', '0', '1',	/* actor */
	0x00, 0x00,				/* id: none */
	0x00, 0x06, 0x61, 0x56, 0x97, 0xae, 0x3a, 0x40,	/* recorded_at µs */
};

static const uint8_t golden_award_v2[] = {
	0x02,					/* format 2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,	/* seq 5 */
	0x03,					/* kind award */
	0x00, 0x08, 'h', 'a', 'k', 'o', 'd', 'a', 't', 'e',	/* region */
	0x01,					/* account general */
	0x07, 0xdd,				/* fy 2013 */
	0x00, 0x00, 0x00, 0x00, 0x08, 0xf0, 0xd1, 0x80,	/* 150,000,000 */
	0x00, 0x04, 'A', 'W', '-', '1',		/* ref */
	0x01, 0x33, 0x2a, 0xc5,			/* date 20130501 */
	0x00, 0x07, 'a', 'd', 'm', 'i', 'n', '0', '1',	/* actor */
	0x00, 0x00,				/* id: none */
	0x00, 0x06, 0x61, 0x56, 0x97, 0xae, 0x3a, 0x40,	/* recorded_at µs */
};

static void
golden_award_entry(struct ld_entry *e, int format)
{
	memset(e, 0, sizeof(*e));
	e->format = (uint8_t)format;
	e->seq = 5;
	e->kind = LD_K_AWARD;
	strcpy(e->region, "hakodate");
	e->account = LD_A_GENERAL;
	e->fy = 2013;
	e->amount = 150000000;
	strcpy(e->ref, "AW-1");
	if (format >= LD_ENTRY_FORMAT_V2)
		e->date = 20130501;
	strcpy(e->actor, "admin01");
	e->recorded_at = INT64_C(1795874400123456);
}

static void
test_golden_award(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;

	(void)state;
	golden_award_entry(&e, LD_ENTRY_FORMAT_V1);
	check_golden(&e, golden_award_v1, sizeof(golden_award_v1));
	golden_award_entry(&e, LD_ENTRY_FORMAT_V2);
	check_golden(&e, golden_award_v2, sizeof(golden_award_v2));

	/* a format 1 award has no date: one set in memory is not encoded */
	golden_award_entry(&e, LD_ENTRY_FORMAT_V1);
	e.date = 20130501;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(b.len, sizeof(golden_award_v1));
	assert_memory_equal(b.data, golden_award_v1, b.len);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.date, 0);
	wbuf_free(&b);

	/* a format 2 award must carry a real decision date */
	golden_award_entry(&e, LD_ENTRY_FORMAT);
	e.date = 0;
	assert_refused(&e);
	e.date = 20130230;
	assert_refused(&e);
}

/*
 * Format 2 terms: seq 3, FY2013, grant general, account general, range
 * 100,000,000-200,000,000, deadline 2014-04-30, interest and late rate
 * 10.95 %, ref "T-2013", actor "admin01", id "t-1", recorded as above.
 */
static const uint8_t golden_terms[] = {
	0x02,					/* format 2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,	/* seq 3 */
	0x08,					/* kind terms */
	0x07, 0xdd,				/* fy 2013 */
	0x01,					/* grant general */
	0x01,					/* account general */
	0x00, 0x00, 0x00, 0x00, 0x05, 0xf5, 0xe1, 0x00,	/* min 100,000,000 */
	0x00, 0x00, 0x00, 0x00, 0x0b, 0xeb, 0xc2, 0x00,	/* max 200,000,000 */
	0x01, 0x33, 0x51, 0x8e,			/* deadline 20140430 */
	0x00, 0x00, 0x04, 0x47,			/* interest 1095 bp */
	0x00, 0x00, 0x04, 0x47,			/* late 1095 bp */
	0x00, 0x06, 'T', '-', '2', '0', '1', '3',	/* ref */
	0x00, 0x07, 'a', 'd', 'm', 'i', 'n', '0', '1',	/* actor */
	0x00, 0x03, 't', '-', '1',		/* id */
	0x00, 0x06, 0x61, 0x56, 0x97, 0xae, 0x3a, 0x40,	/* recorded_at µs */
};

static void
test_golden_terms(void **state)
{
	struct ld_entry	 e;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.format = LD_ENTRY_FORMAT_V2;
	e.seq = 3;
	e.kind = LD_K_TERMS;
	e.fy = 2013;
	e.grant_type = LD_G_GENERAL;
	e.account = LD_A_GENERAL;
	e.min = 100000000;
	e.max = 200000000;
	e.deadline = 20140430;
	e.interest_bp = 1095;
	e.late_bp = 1095;
	strcpy(e.ref, "T-2013");
	strcpy(e.actor, "admin01");
	strcpy(e.id, "t-1");
	e.recorded_at = INT64_C(1795874400123456);
	check_golden(&e, golden_terms, sizeof(golden_terms));
}

/*
 * Format 2 year_close: seq 30, account general, FY2013, appropriated
 * 1,000,000,000, awarded 150,000,000, disbursed 80,000,000, refunded
 * 10,000,000, net 70,000,000; carried_in 0, budget 1,000,000,000,
 * carried_out 10,000,000, unused 920,000,000, receipts 5,000,000,
 * execution rate 700 bp; actor "admin01", no id.
 */
static const uint8_t golden_close_v2[] = {
	0x02,					/* format 2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e,	/* seq 30 */
	0x07,					/* kind year_close */
	0x01,					/* account general */
	0x07, 0xdd,				/* fy 2013 */
	0x00, 0x00, 0x00, 0x00, 0x3b, 0x9a, 0xca, 0x00,	/* appropriated */
	0x00, 0x00, 0x00, 0x00, 0x08, 0xf0, 0xd1, 0x80,	/* awarded */
	0x00, 0x00, 0x00, 0x00, 0x04, 0xc4, 0xb4, 0x00,	/* disbursed */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x96, 0x80,	/* refunded */
	0x00, 0x00, 0x00, 0x00, 0x04, 0x2c, 0x1d, 0x80,	/* net */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* carried_in */
	0x00, 0x00, 0x00, 0x00, 0x3b, 0x9a, 0xca, 0x00,	/* budget */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x96, 0x80,	/* carried_out */
	0x00, 0x00, 0x00, 0x00, 0x36, 0xd6, 0x16, 0x00,	/* unused */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x4c, 0x4b, 0x40,	/* receipts */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xbc,	/* 700 bp */
	0x00, 0x07, 'a', 'd', 'm', 'i', 'n', '0', '1',	/* actor */
	0x00, 0x00,				/* id: none */
	0x00, 0x06, 0x61, 0x56, 0x97, 0xae, 0x3a, 0x40,	/* recorded_at µs */
};

static const uint8_t golden_close_v1[] = {
	0x01,					/* format 1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e,	/* seq 30 */
	0x07,					/* kind year_close */
	0x01,					/* account general */
	0x07, 0xdd,				/* fy 2013 */
	0x00, 0x00, 0x00, 0x00, 0x3b, 0x9a, 0xca, 0x00,	/* appropriated */
	0x00, 0x00, 0x00, 0x00, 0x08, 0xf0, 0xd1, 0x80,	/* awarded */
	0x00, 0x00, 0x00, 0x00, 0x04, 0xc4, 0xb4, 0x00,	/* disbursed */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x96, 0x80,	/* refunded */
	0x00, 0x00, 0x00, 0x00, 0x04, 0x2c, 0x1d, 0x80,	/* net */
	0x00, 0x07, 'a', 'd', 'm', 'i', 'n', '0', '1',	/* actor */
	0x00, 0x00,				/* id: none */
	0x00, 0x06, 0x61, 0x56, 0x97, 0xae, 0x3a, 0x40,	/* recorded_at µs */
};

static void
test_golden_year_close(void **state)
{
	struct ld_entry	 e;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.format = LD_ENTRY_FORMAT_V2;
	e.seq = 30;
	e.kind = LD_K_YEAR_CLOSE;
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.appropriated = 1000000000;
	e.awarded = 150000000;
	e.disbursed = 80000000;
	e.refunded = 10000000;
	e.net = 70000000;
	e.carried_in = 0;
	e.budget = 1000000000;
	e.carried_out = 10000000;
	e.unused = 920000000;
	e.receipts = 5000000;
	e.execution_rate_bp = 700;
	strcpy(e.actor, "admin01");
	e.recorded_at = INT64_C(1795874400123456);
	check_golden(&e, golden_close_v2, sizeof(golden_close_v2));

	/* format 1: the five version 1 totals only */
	e.format = LD_ENTRY_FORMAT_V1;
	e.carried_in = e.budget = e.carried_out = e.unused = e.receipts = 0;
	e.execution_rate_bp = 0;
	check_golden(&e, golden_close_v1, sizeof(golden_close_v1));
}

static void
test_leaf_hash_empty(void **state)
{
	/* RFC 6962: the hash of an empty leaf, SHA-256(0x00). */
	static const uint8_t want[32] = {
		0x6e, 0x34, 0x0b, 0x9c, 0xff, 0xb3, 0x7a, 0x98,
		0x9c, 0xa5, 0x44, 0xe6, 0xbb, 0x78, 0x0a, 0x2c,
		0x78, 0x90, 0x1d, 0x3f, 0xb3, 0x37, 0x38, 0x76,
		0x85, 0x11, 0xa3, 0x06, 0x17, 0xaf, 0xa0, 0x1d,
	};
	uint8_t	 got[32];

	(void)state;
	entry_leaf_hash(NULL, 0, got);
	assert_memory_equal(got, want, 32);
}

static const int formats[] = { LD_ENTRY_FORMAT_V1, LD_ENTRY_FORMAT_V2,
    LD_ENTRY_FORMAT_V3, LD_ENTRY_FORMAT };
#define NFORMATS	(sizeof(formats) / sizeof(formats[0]))

static void
test_round_trip_every_kind(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b, raw, again;
	size_t		 f;
	int		 k;

	(void)state;
	for (f = 0; f < NFORMATS; f++) {
		for (k = 1; k <= kind_max(formats[f]); k++) {
			sample_fmt(formats[f], k, &e);
			wbuf_init(&b);
			wbuf_init(&raw);
			wbuf_init(&again);
			assert_int_equal(entry_encode(&b, &e), 0);
			assert_int_equal(b.data[0], formats[f]);
			raw_encode(&raw, &e);
			assert_int_equal(b.len, raw.len);
			assert_memory_equal(b.data, raw.data, b.len);
			assert_int_equal(entry_decode(&d, b.data, b.len), 0);
			assert_entries_equal(&d, &e);
			assert_int_equal(entry_encode(&again, &d), 0);
			assert_int_equal(again.len, b.len);
			assert_memory_equal(again.data, b.data, b.len);
			wbuf_free(&b);
			wbuf_free(&raw);
			wbuf_free(&again);
		}
	}
}

/* Every new kind once more with its other enum values and limits. */
static void
test_round_trip_new_kinds_variants(void **state)
{
	struct ld_entry	 e;

	(void)state;
	/* terms without a range (continuing), rates at the cap and zero */
	sample(LD_K_TERMS, &e);
	e.grant_type = LD_G_CONTINUING;
	e.min = e.max = 0;
	e.interest_bp = LD_RATE_MAX;
	e.late_bp = 0;
	e.id[0] = '\0';
	assert_accepted(&e);
	sample(LD_K_TERMS, &e);
	e.grant_type = LD_G_RECONSTRUCTION;
	e.account = LD_A_RECONSTRUCTION;
	e.min = e.max = LD_AMOUNT_MAX;
	assert_accepted(&e);

	/* a cancellation of a region-year with nothing paid: no order */
	sample(LD_K_AWARD_CANCEL, &e);
	e.repay_by = 0;
	e.principal = 0;
	assert_accepted(&e);
	e.amount = 0;	/* nothing was awarded any more */
	assert_accepted(&e);

	/* a settlement without an excess */
	sample(LD_K_SETTLEMENT, &e);
	e.repay_by = 0;
	e.principal = 0;
	assert_accepted(&e);

	/* a receipt applied wholly to one part */
	sample(LD_K_RECEIPT, &e);
	e.principal = e.amount;
	e.interest = e.late = 0;
	assert_accepted(&e);

	/* both carry-over kinds */
	sample(LD_K_CARRY_OVER, &e);
	e.carry_kind = LD_C_EXPLICIT;
	assert_accepted(&e);
	e.carry_kind = LD_C_ACCIDENT;
	assert_accepted(&e);

	/* a reversal of a receipt (format 2 only) */
	sample(LD_K_REVERSAL, &e);
	e.target_kind = LD_K_RECEIPT;
	assert_accepted(&e);

	/* a year_close whose budget is 0 (rate null), and whose unused is
	 * below zero (an award cancelled after its appropriation went) */
	sample(LD_K_YEAR_CLOSE, &e);
	e.budget = 0;
	e.execution_rate_bp = -1;
	e.unused = -5;
	assert_accepted(&e);
}

static void
test_format_zero_is_current(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 a, b;
	int		 k;

	(void)state;
	for (k = 1; k <= LD_K_MAX; k++) {
		sample(k, &e);
		wbuf_init(&a);
		wbuf_init(&b);
		assert_int_equal(entry_encode(&a, &e), 0);
		e.format = 0;
		assert_int_equal(entry_encode(&b, &e), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		assert_int_equal(b.data[0], LD_ENTRY_FORMAT);
		assert_int_equal(entry_decode(&d, b.data, b.len), 0);
		assert_int_equal(d.format, LD_ENTRY_FORMAT);
		/* the caller's entry is left as it was */
		assert_int_equal(e.format, 0);
		wbuf_free(&a);
		wbuf_free(&b);
	}
}

static void
test_encode_appends(void **state)
{
	struct ld_entry	 e;
	struct wbuf	 b;

	(void)state;
	sample(LD_K_AWARD, &e);
	wbuf_init(&b);
	wbuf_u8(&b, 0xee);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(b.data[0], 0xee);
	assert_int_equal(b.data[1], LD_ENTRY_FORMAT);
	/* a refused entry leaves what was there */
	e.format = 0xee;
	assert_int_equal(entry_encode(&b, &e), -1);
	assert_int_equal(b.data[0], 0xee);
	wbuf_free(&b);
}

static void
test_fields_outside_kind(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;

	(void)state;
	/* the encoder ignores fields a kind does not have; decoding leaves them zero */
	sample(LD_K_APPROPRIATION, &e);
	strcpy(e.memo, "not encoded");
	strcpy(e.region, "ignored");
	e.date = 20130630;
	e.min = 5;
	e.principal = 7;
	e.carry_kind = 9;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_string_equal(d.memo, "");
	assert_string_equal(d.region, "");
	assert_int_equal(d.date, 0);
	assert_true(d.min == 0 && d.principal == 0);
	assert_int_equal(d.carry_kind, 0);
	wbuf_free(&b);

	sample(LD_K_REGION, &e);
	e.account = LD_A_RECONSTRUCTION;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.account, 0);
	assert_int_equal(d.fy, 0);
	wbuf_free(&b);

	/* a format 1 year_close has no version 2 totals */
	sample(LD_K_YEAR_CLOSE, &e);
	e.format = LD_ENTRY_FORMAT_V1;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_true(d.carried_in == 0 && d.budget == 0 && d.carried_out == 0 &&
	    d.unused == 0 && d.receipts == 0 && d.execution_rate_bp == 0);
	assert_true(d.appropriated == INT64_MAX);
	wbuf_free(&b);

	/* a terms entry names no region and has no amount */
	sample(LD_K_TERMS, &e);
	strcpy(e.region, "hakodate");
	e.amount = 5;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_string_equal(d.region, "");
	assert_true(d.amount == 0);
	wbuf_free(&b);
}

static void
test_every_truncation(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;
	size_t		 n, f;
	int		 k;

	(void)state;
	for (f = 0; f < NFORMATS; f++) {
		for (k = 1; k <= kind_max(formats[f]); k++) {
			sample_fmt(formats[f], k, &e);
			wbuf_init(&b);
			assert_int_equal(entry_encode(&b, &e), 0);
			for (n = 0; n < b.len; n++)
				if (entry_decode(&d, b.data, n) != -1)
					fail_msg("format %d kind %d: prefix %zu "
					    "of %zu decoded", formats[f], k, n,
					    b.len);
			wbuf_free(&b);
		}
	}
}

static void
test_trailing_byte(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;
	size_t		 f;
	int		 k;

	(void)state;
	for (f = 0; f < NFORMATS; f++) {
		for (k = 1; k <= kind_max(formats[f]); k++) {
			sample_fmt(formats[f], k, &e);
			wbuf_init(&b);
			assert_int_equal(entry_encode(&b, &e), 0);
			wbuf_u8(&b, 0);
			assert_int_equal(entry_decode(&d, b.data, b.len), -1);
			wbuf_free(&b);
		}
	}
}

/*
 * Change every byte of every kind's encoding to every value: the decoder
 * must not crash, and whatever it accepts must be canonical (re-encoding
 * gives the same bytes), or two encodings could stand for one entry.
 */
static void
test_mutations_stay_canonical(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b, again;
	uint8_t		*m;
	size_t		 i, f;
	int		 k, v;

	(void)state;
	for (f = 0; f < NFORMATS; f++) {
		for (k = 1; k <= kind_max(formats[f]); k++) {
			sample_fmt(formats[f], k, &e);
			wbuf_init(&b);
			assert_int_equal(entry_encode(&b, &e), 0);
			m = malloc(b.len);
			assert_non_null(m);
			for (i = 0; i < b.len; i++) {
				for (v = 0; v < 256; v++) {
					memcpy(m, b.data, b.len);
					m[i] = (uint8_t)v;
					if (entry_decode(&d, m, b.len) == -1)
						continue;
					wbuf_init(&again);
					assert_int_equal(entry_encode(&again,
					    &d), 0);
					assert_int_equal(again.len, b.len);
					assert_memory_equal(again.data, m, b.len);
					wbuf_free(&again);
				}
			}
			free(m);
			wbuf_free(&b);
		}
	}
}

static void
test_bad_header(void **state)
{
	struct ld_entry	 e;
	size_t		 f;

	(void)state;
	for (f = 0; f < NFORMATS; f++) {
		sample_fmt(formats[f], LD_K_APPROPRIATION, &e);
		e.kind = 0;
		assert_refused(&e);
		e.kind = LD_K_MAX + 1;
		assert_refused(&e);
		e.kind = 255;
		assert_refused(&e);

		sample_fmt(formats[f], LD_K_AWARD, &e);
		e.seq = 0;
		assert_refused(&e);
	}
}

static void
test_bad_format_byte(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b, again;

	(void)state;
	sample(LD_K_APPROPRIATION, &e);
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	b.data[0] = 5;		/* no such format */
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	b.data[0] = 0;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	b.data[0] = 0xff;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	/* an appropriation is laid out alike in both: the byte says which */
	b.data[0] = 1;
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.format, LD_ENTRY_FORMAT_V1);
	wbuf_init(&again);
	assert_int_equal(entry_encode(&again, &d), 0);
	assert_memory_equal(again.data, b.data, b.len);
	wbuf_free(&again);
	wbuf_free(&b);

	/* the encoder refuses an unknown format as well */
	sample(LD_K_APPROPRIATION, &e);
	e.format = LD_ENTRY_FORMAT + 1;
	assert_refused(&e);
	e.format = 0xff;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), -1);
	assert_int_equal(b.len, 0);
	wbuf_free(&b);

	/*
	 * The award and the year_close differ between the formats: the other
	 * format byte leaves bytes over (2 -> 1) or runs short (1 -> 2).
	 */
	sample(LD_K_AWARD, &e);
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	b.data[0] = 1;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	wbuf_reset(&b);
	sample_v1(LD_K_AWARD, &e);
	assert_int_equal(entry_encode(&b, &e), 0);
	b.data[0] = 2;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	wbuf_reset(&b);
	sample(LD_K_YEAR_CLOSE, &e);
	assert_int_equal(entry_encode(&b, &e), 0);
	b.data[0] = 1;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	wbuf_reset(&b);
	sample_v1(LD_K_YEAR_CLOSE, &e);
	assert_int_equal(entry_encode(&b, &e), 0);
	b.data[0] = 2;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	wbuf_free(&b);
}

/* Format 1 holds only the version 1 kinds. */
static void
test_v1_refuses_v2_kinds(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;
	int		 k;

	(void)state;
	for (k = LD_K_TERMS; k <= LD_K_MAX; k++) {
		sample(k, &e);
		assert_accepted(&e);
		e.format = LD_ENTRY_FORMAT_V1;
		assert_refused(&e);
		/* the format 2 bytes with the format byte changed */
		sample(k, &e);
		wbuf_init(&b);
		assert_int_equal(entry_encode(&b, &e), 0);
		b.data[0] = 1;
		assert_int_equal(entry_decode(&d, b.data, b.len), -1);
		wbuf_free(&b);
	}
	/* nor can a format 1 reversal name a receipt */
	sample_v1(LD_K_REVERSAL, &e);
	e.target_kind = LD_K_RECEIPT;
	assert_refused(&e);
	e.format = LD_ENTRY_FORMAT;
	assert_accepted(&e);
}

static void
test_bad_enums(void **state)
{
	struct ld_entry	 e;
	static const uint8_t bad_targets[] = { 0, LD_K_REGION, LD_K_AWARD,
	    LD_K_REVERSAL, LD_K_YEAR_CLOSE, LD_K_TERMS, LD_K_AWARD_CANCEL,
	    LD_K_SETTLEMENT, LD_K_CARRY_OVER, LD_K_MAX + 1 };
	static const int with_account[] = { LD_K_APPROPRIATION, LD_K_AWARD,
	    LD_K_DISBURSEMENT, LD_K_REFUND, LD_K_REVERSAL, LD_K_YEAR_CLOSE,
	    LD_K_TERMS, LD_K_AWARD_CANCEL, LD_K_SETTLEMENT, LD_K_RECEIPT,
	    LD_K_CARRY_OVER };
	size_t		 i, f;

	(void)state;
	sample(LD_K_REGION, &e);
	e.grant_type = 0;
	assert_refused(&e);
	e.grant_type = 4;
	assert_refused(&e);

	sample(LD_K_TERMS, &e);
	e.grant_type = 0;
	assert_refused(&e);
	e.grant_type = LD_G_MAX + 1;
	assert_refused(&e);

	for (f = 0; f < NFORMATS; f++) {
		for (i = 0; i < sizeof(with_account) / sizeof(with_account[0]);
		    i++) {
			if (with_account[i] > kind_max(formats[f]))
				continue;
			sample_fmt(formats[f], with_account[i], &e);
			e.account = 0;
			assert_refused(&e);
			e.account = 3;
			assert_refused(&e);
		}
		for (i = 0; i < sizeof(bad_targets); i++) {
			sample_fmt(formats[f], LD_K_REVERSAL, &e);
			e.target_kind = bad_targets[i];
			assert_refused(&e);
		}
	}
}

static void
test_bad_carry_kind(void **state)
{
	struct ld_entry	 e;

	(void)state;
	sample(LD_K_CARRY_OVER, &e);
	e.carry_kind = 0;
	assert_refused(&e);
	e.carry_kind = LD_C_MAX + 1;
	assert_refused(&e);
	e.carry_kind = 255;
	assert_refused(&e);
	e.carry_kind = LD_C_EXPLICIT;
	assert_accepted(&e);
}

static void
test_terms_shape(void **state)
{
	struct ld_entry	 e;

	(void)state;
	/* min above max */
	sample(LD_K_TERMS, &e);
	e.min = 200000001;
	e.max = 200000000;
	assert_refused(&e);
	e.min = e.max;
	assert_accepted(&e);
	/* half a range */
	sample(LD_K_TERMS, &e);
	e.max = 0;
	assert_refused(&e);
	sample(LD_K_TERMS, &e);
	e.min = 0;
	assert_refused(&e);
	/* bounds outside the amounts */
	sample(LD_K_TERMS, &e);
	e.min = -1;
	assert_refused(&e);
	sample(LD_K_TERMS, &e);
	e.max = LD_AMOUNT_MAX + 1;
	assert_refused(&e);
	sample(LD_K_TERMS, &e);
	e.min = e.max = -1;
	assert_refused(&e);
	/* rates: at most 100.00 % a year */
	sample(LD_K_TERMS, &e);
	e.interest_bp = LD_RATE_MAX + 1;
	assert_refused(&e);
	sample(LD_K_TERMS, &e);
	e.late_bp = LD_RATE_MAX + 1;
	assert_refused(&e);
	sample(LD_K_TERMS, &e);
	e.late_bp = UINT32_MAX;
	assert_refused(&e);
	/* a stored terms entry carries its resolved deadline */
	sample(LD_K_TERMS, &e);
	e.deadline = 0;
	assert_refused(&e);
	e.deadline = 20140431;
	assert_refused(&e);
	/* a ref is required */
	sample(LD_K_TERMS, &e);
	e.ref[0] = '\0';
	assert_refused(&e);
	/* fy within the limits */
	sample(LD_K_TERMS, &e);
	e.fy = LD_FY_MIN - 1;
	assert_refused(&e);
}

static void
test_reversal_shape(void **state)
{
	struct ld_entry	 e;
	struct wbuf	 b;

	(void)state;
	/* an appropriation has no region; a payment must name one */
	sample(LD_K_REVERSAL, &e);
	e.target_kind = LD_K_APPROPRIATION;
	assert_refused(&e);
	e.region[0] = '\0';
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	wbuf_free(&b);

	sample(LD_K_REVERSAL, &e);
	e.target_kind = LD_K_REFUND;
	e.region[0] = '\0';
	assert_refused(&e);

	sample(LD_K_REVERSAL, &e);
	e.target_kind = LD_K_RECEIPT;
	e.region[0] = '\0';
	assert_refused(&e);

	sample(LD_K_REVERSAL, &e);
	e.reverses = 0;
	assert_refused(&e);
	e.reverses = e.seq;	/* must be an earlier entry */
	assert_refused(&e);

	sample(LD_K_REVERSAL, &e);
	e.reason[0] = '\0';
	assert_refused(&e);
}

static void
test_amounts(void **state)
{
	struct ld_entry	 e;
	int		 k;
	static const int with_amount[] = { LD_K_APPROPRIATION, LD_K_AWARD,
	    LD_K_DISBURSEMENT, LD_K_REFUND, LD_K_REVERSAL, LD_K_SETTLEMENT,
	    LD_K_RECEIPT, LD_K_CARRY_OVER };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(with_amount) / sizeof(with_amount[0]); i++) {
		k = with_amount[i];
		sample(k, &e);
		e.amount = 1;
		if (k == LD_K_RECEIPT) {
			e.principal = 1;
			e.interest = e.late = 0;
		}
		assert_int_equal(decode_raw(&e), 0);
		e.amount = LD_AMOUNT_MAX;
		assert_int_equal(decode_raw(&e), 0);
		e.amount = 0;
		assert_refused(&e);
		e.amount = -1;
		assert_refused(&e);
		e.amount = LD_AMOUNT_MAX + 1;
		assert_refused(&e);
		e.amount = INT64_MIN;
		assert_refused(&e);
	}

	/* a cancellation records the award it cancelled, which may be 0 */
	sample(LD_K_AWARD_CANCEL, &e);
	e.amount = 0;
	assert_int_equal(decode_raw(&e), 0);
	e.amount = LD_AMOUNT_MAX;
	assert_int_equal(decode_raw(&e), 0);
	e.amount = -1;
	assert_refused(&e);
	e.amount = LD_AMOUNT_MAX + 1;
	assert_refused(&e);

	/* ordered or applied parts are never negative */
	sample(LD_K_AWARD_CANCEL, &e);
	e.principal = -1;
	assert_refused(&e);
	sample(LD_K_SETTLEMENT, &e);
	e.principal = -1;
	assert_refused(&e);
	sample(LD_K_RECEIPT, &e);
	e.principal = -1;
	assert_refused(&e);
	sample(LD_K_RECEIPT, &e);
	e.interest = -1;
	assert_refused(&e);
	sample(LD_K_RECEIPT, &e);
	e.late = INT64_MIN;
	assert_refused(&e);

	sample_v1(LD_K_YEAR_CLOSE, &e);
	e.appropriated = e.awarded = e.disbursed = e.refunded = e.net = 0;
	assert_int_equal(decode_raw(&e), 0);
	e.net = INT64_MAX;
	assert_int_equal(decode_raw(&e), 0);
	e.net = -1;
	assert_refused(&e);
	sample_v1(LD_K_YEAR_CLOSE, &e);
	e.refunded = INT64_MIN;
	assert_refused(&e);

	/* the version 2 totals */
	sample(LD_K_YEAR_CLOSE, &e);
	e.net = -1;
	assert_refused(&e);
	sample(LD_K_YEAR_CLOSE, &e);
	e.carried_in = -1;
	assert_refused(&e);
	sample(LD_K_YEAR_CLOSE, &e);
	e.budget = -1;
	assert_refused(&e);
	sample(LD_K_YEAR_CLOSE, &e);
	e.carried_out = INT64_MIN;
	assert_refused(&e);
	sample(LD_K_YEAR_CLOSE, &e);
	e.receipts = -1;
	assert_refused(&e);
	sample(LD_K_YEAR_CLOSE, &e);
	e.execution_rate_bp = -2;	/* -1 is null; nothing below */
	assert_refused(&e);
	e.execution_rate_bp = 0;
	assert_int_equal(decode_raw(&e), 0);
	e.execution_rate_bp = 10000;
	assert_int_equal(decode_raw(&e), 0);
}

static void
test_fy_and_date(void **state)
{
	struct ld_entry	 e;
	static const int dated[] = { LD_K_DISBURSEMENT, LD_K_REFUND,
	    LD_K_AWARD, LD_K_AWARD_CANCEL, LD_K_SETTLEMENT, LD_K_RECEIPT,
	    LD_K_CARRY_OVER };
	static const int with_fy[] = { LD_K_APPROPRIATION, LD_K_AWARD,
	    LD_K_YEAR_CLOSE, LD_K_TERMS, LD_K_AWARD_CANCEL, LD_K_SETTLEMENT,
	    LD_K_RECEIPT, LD_K_CARRY_OVER };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(with_fy) / sizeof(with_fy[0]); i++) {
		sample(with_fy[i], &e);
		e.fy = 0;
		assert_refused(&e);
		e.fy = LD_FY_MIN - 1;
		assert_refused(&e);
		e.fy = LD_FY_MAX + 1;
		assert_refused(&e);
		e.fy = LD_FY_MAX;
		assert_int_equal(decode_raw(&e), 0);
	}

	for (i = 0; i < sizeof(dated) / sizeof(dated[0]); i++) {
		sample(dated[i], &e);
		e.date = 20130229;
		assert_refused(&e);
		e.date = 0;
		assert_refused(&e);
		e.date = 20130631;
		assert_refused(&e);
		e.date = 20130630;
		assert_int_equal(decode_raw(&e), 0);
	}

	/* repay_by: none (0), or a real date */
	sample(LD_K_AWARD_CANCEL, &e);
	e.repay_by = 20140631;
	assert_refused(&e);
	sample(LD_K_SETTLEMENT, &e);
	e.repay_by = 20140229;
	assert_refused(&e);
	e.repay_by = 20160229;
	assert_int_equal(decode_raw(&e), 0);
}

static void
test_bad_strings(void **state)
{
	struct ld_entry	 e;

	(void)state;
	sample(LD_K_REGION, &e);
	strcpy(e.region, "Hakodate");
	assert_refused(&e);
	strcpy(e.region, "");
	assert_refused(&e);
	strcpy(e.region, "函館");
	assert_refused(&e);

	sample(LD_K_REGION, &e);
	strcpy(e.name, "");
	assert_refused(&e);
	strcpy(e.name, "two\nlines");
	assert_refused(&e);
	strcpy(e.name, "\xe5\x87");
	assert_refused(&e);

	sample(LD_K_REGION, &e);
	strcpy(e.category, "\xc2\x85");
	assert_refused(&e);

	sample(LD_K_AWARD, &e);
	strcpy(e.region, "has space");
	assert_refused(&e);

	sample(LD_K_AWARD, &e);
	strcpy(e.ref, "");
	assert_refused(&e);
	strcpy(e.ref, "V\t1");
	assert_refused(&e);
	strcpy(e.ref, "V\x7f");
	assert_refused(&e);
	strcpy(e.ref, "伝票");
	assert_refused(&e);

	sample(LD_K_DISBURSEMENT, &e);
	strcpy(e.memo, "\xed\xa0\x80");	/* surrogate */
	assert_refused(&e);
	strcpy(e.memo, "\xc0\xaf");	/* overlong */
	assert_refused(&e);
	strcpy(e.memo, "\x7f");
	assert_refused(&e);
	strcpy(e.memo, "");		/* memo may be empty */
	assert_int_equal(decode_raw(&e), 0);

	sample(LD_K_REVERSAL, &e);
	strcpy(e.reason, "\xf4\x90\x80\x80");
	assert_refused(&e);

	sample(LD_K_APPROPRIATION, &e);
	strcpy(e.actor, "");
	assert_refused(&e);
	strcpy(e.actor, "clerk\x1b");
	assert_refused(&e);

	sample(LD_K_APPROPRIATION, &e);
	strcpy(e.id, "id\twith tab");
	assert_refused(&e);
	strcpy(e.id, "");		/* no id */
	assert_int_equal(decode_raw(&e), 0);
}

static void
test_unterminated_field_refused(void **state)
{
	struct ld_entry	 e;
	struct wbuf	 b;

	(void)state;
	sample(LD_K_AWARD, &e);
	memset(e.ref, 'x', sizeof(e.ref));
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), -1);
	assert_int_equal(b.len, 0);
	wbuf_free(&b);
}

/* Hand-built disbursement with a memo of memolen bytes of 'm'. */
static void
build_with_memo(struct wbuf *b, size_t memolen, uint16_t claimed)
{
	size_t	 i;

	wbuf_u8(b, 1);
	wbuf_u64(b, 5);
	wbuf_u8(b, LD_K_DISBURSEMENT);
	wbuf_str(b, "hakodate");
	wbuf_u8(b, 1);
	wbuf_u16(b, 2013);
	wbuf_i64(b, 1000);
	wbuf_str(b, "V-1");
	wbuf_u32(b, 20130630);
	wbuf_u16(b, claimed);
	for (i = 0; i < memolen; i++)
		wbuf_u8(b, 'm');
	wbuf_str(b, "clerk01");
	wbuf_str(b, "");
	wbuf_i64(b, 0);
	assert_int_equal(b->err, 0);
}

static void
test_string_caps(void **state)
{
	struct ld_entry	 d;
	struct wbuf	 b;

	(void)state;
	wbuf_init(&b);
	build_with_memo(&b, 512, 512);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_int_equal(strlen(d.memo), 512);
	wbuf_reset(&b);
	build_with_memo(&b, 513, 513);
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	/* a length field claiming far more than present */
	wbuf_reset(&b);
	build_with_memo(&b, 10, 0xffff);
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	/* a length field claiming a little more than present */
	wbuf_reset(&b);
	build_with_memo(&b, 10, 11);
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	/* a NUL inside a string */
	wbuf_reset(&b);
	build_with_memo(&b, 3, 3);
	b.data[b.len - 8 - 2 - 9 - 2] = 0;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	b.data[b.len - 8 - 2 - 9 - 2] = 'm';
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	wbuf_free(&b);
}

static void
test_oversized_input(void **state)
{
	struct ld_entry	 d;
	uint8_t		*big;

	(void)state;
	big = calloc(1, LD_ENTRY_ENC_MAX + 1);
	assert_non_null(big);
	big[0] = 1;
	assert_int_equal(entry_decode(&d, big, LD_ENTRY_ENC_MAX + 1), -1);
	assert_int_equal(entry_decode(&d, big, 0), -1);
	free(big);
}


static void
test_bad_strings_new_kinds(void **state)
{
	struct ld_entry	 e;
	static const int with_region[] = { LD_K_AWARD_CANCEL, LD_K_SETTLEMENT,
	    LD_K_RECEIPT, LD_K_CARRY_OVER };
	static const int with_ref[] = { LD_K_TERMS, LD_K_AWARD_CANCEL,
	    LD_K_SETTLEMENT, LD_K_RECEIPT, LD_K_CARRY_OVER };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(with_region) / sizeof(with_region[0]); i++) {
		sample(with_region[i], &e);
		strcpy(e.region, "");
		assert_refused(&e);
		strcpy(e.region, "Hakodate");
		assert_refused(&e);
	}
	for (i = 0; i < sizeof(with_ref) / sizeof(with_ref[0]); i++) {
		sample(with_ref[i], &e);
		strcpy(e.ref, "");
		assert_refused(&e);
		strcpy(e.ref, "伝票");
		assert_refused(&e);
	}
	/* a cancellation states its reason */
	sample(LD_K_AWARD_CANCEL, &e);
	strcpy(e.reason, "");
	assert_refused(&e);
	strcpy(e.reason, "two\nlines");
	assert_refused(&e);
	strcpy(e.reason, "交付決定の取消（補助金適正化法第17条）");
	assert_accepted(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_valid_code),
		cmocka_unit_test(test_valid_ref),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_valid_text),
		cmocka_unit_test(test_valid_actor),
		cmocka_unit_test(test_valid_date),
		cmocka_unit_test(test_golden_disbursement),
		cmocka_unit_test(test_golden_award),
		cmocka_unit_test(test_golden_terms),
		cmocka_unit_test(test_golden_year_close),
		cmocka_unit_test(test_leaf_hash_empty),
		cmocka_unit_test(test_round_trip_every_kind),
		cmocka_unit_test(test_round_trip_new_kinds_variants),
		cmocka_unit_test(test_format_zero_is_current),
		cmocka_unit_test(test_encode_appends),
		cmocka_unit_test(test_fields_outside_kind),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_trailing_byte),
		cmocka_unit_test(test_mutations_stay_canonical),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_format_byte),
		cmocka_unit_test(test_v1_refuses_v2_kinds),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_bad_carry_kind),
		cmocka_unit_test(test_terms_shape),
		cmocka_unit_test(test_reversal_shape),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_fy_and_date),
		cmocka_unit_test(test_bad_strings),
		cmocka_unit_test(test_bad_strings_new_kinds),
		cmocka_unit_test(test_unterminated_field_refused),
		cmocka_unit_test(test_string_caps),
		cmocka_unit_test(test_oversized_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
