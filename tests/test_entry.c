/*
 * test_entry.c - the canonical entry encoding and the field validators.
 *
 * The encoding is frozen: a change to one byte changes every leaf hash and
 * so every checkpoint a user has ever verified.  test_golden_disbursement
 * pins it with bytes assembled here by hand from PROTOCOL.md; raw_encode()
 * is a second, unchecked writer of the same layout, used both to cross-check
 * the encoder and to produce invalid entries the real encoder refuses.
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
#include "wire.h"

#define JA_NAME		"函館市（北海道）"
#define JA_MEMO		"第1回 概算払 — 令和7年度"

static void
sample(int kind, struct ld_entry *e)
{
	memset(e, 0, sizeof(*e));
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
		break;
	}
}

/* The layout of PROTOCOL.md written without any checks. */
static void
raw_encode(struct wbuf *b, const struct ld_entry *e)
{
	wbuf_u8(b, 1);
	wbuf_u64(b, e->seq);
	wbuf_u8(b, e->kind);
	switch (e->kind) {
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
		break;
	}
	wbuf_str(b, e->actor);
	wbuf_str(b, e->id);
	wbuf_i64(b, e->recorded_at);
	assert_int_equal(b->err, 0);
}

static void
assert_entries_equal(const struct ld_entry *a, const struct ld_entry *b)
{
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
	assert_string_equal(a->actor, b->actor);
	assert_string_equal(a->id, b->id);
	assert_true(a->recorded_at == b->recorded_at);
}

/* Both the encoder refuses e and the decoder refuses its raw bytes. */
static void
assert_refused(const struct ld_entry *e)
{
	struct wbuf	 b;
	struct ld_entry	 d;

	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, e), -1);
	assert_int_equal(b.len, 0);
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

static void
test_names(void **state)
{
	static const char *kinds[] = { "region", "appropriation", "award",
	    "disbursement", "refund", "reversal", "year_close" };
	int	 i;

	(void)state;
	for (i = 1; i <= LD_K_MAX; i++) {
		assert_string_equal(ld_kind_name(i), kinds[i - 1]);
		assert_int_equal(ld_kind_from_name(kinds[i - 1]), i);
	}
	assert_null(ld_kind_name(0));
	assert_null(ld_kind_name(8));
	assert_int_equal(ld_kind_from_name("Region"), 0);
	assert_int_equal(ld_kind_from_name(""), 0);
	assert_int_equal(ld_kind_from_name(NULL), 0);

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
 * seq 12, disbursement, region "hakodate", account general, FY2013,
 * 50,000,000 yen, ref "V-0042", date 2013-06-30, memo "函館 第1回",
 * actor "clerk01", id "d-0042", recorded 2026-11-28T14:00:00.123456Z.
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
test_golden_disbursement(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;
	uint8_t		 pre[1 + sizeof(golden)], want[32], got[32];

	(void)state;
	memset(&e, 0, sizeof(e));
	e.seq = 12;
	e.kind = LD_K_DISBURSEMENT;
	strcpy(e.region, "hakodate");
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.amount = 50000000;
	strcpy(e.ref, "V-0042");
	e.date = 20130630;
	strcpy(e.memo, "函館 第1回");
	strcpy(e.actor, "clerk01");
	strcpy(e.id, "d-0042");
	e.recorded_at = INT64_C(1795874400123456);

	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(b.len, sizeof(golden));
	assert_memory_equal(b.data, golden, sizeof(golden));

	pre[0] = 0x00;
	memcpy(pre + 1, golden, sizeof(golden));
	SHA256(pre, sizeof(pre), want);
	entry_leaf_hash(b.data, b.len, got);
	assert_memory_equal(got, want, 32);

	assert_int_equal(entry_decode(&d, golden, sizeof(golden)), 0);
	assert_entries_equal(&d, &e);
	wbuf_free(&b);
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

static void
test_round_trip_every_kind(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b, raw, again;
	int		 k;

	(void)state;
	for (k = 1; k <= LD_K_MAX; k++) {
		sample(k, &e);
		wbuf_init(&b);
		wbuf_init(&raw);
		wbuf_init(&again);
		assert_int_equal(entry_encode(&b, &e), 0);
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
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_string_equal(d.memo, "");
	assert_string_equal(d.region, "");
	assert_int_equal(d.date, 0);
	wbuf_free(&b);

	sample(LD_K_REGION, &e);
	e.account = LD_A_RECONSTRUCTION;
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	assert_int_equal(entry_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.account, 0);
	assert_int_equal(d.fy, 0);
	wbuf_free(&b);
}

static void
test_every_truncation(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;
	size_t		 n;
	int		 k;

	(void)state;
	for (k = 1; k <= LD_K_MAX; k++) {
		sample(k, &e);
		wbuf_init(&b);
		assert_int_equal(entry_encode(&b, &e), 0);
		for (n = 0; n < b.len; n++)
			if (entry_decode(&d, b.data, n) != -1)
				fail_msg("kind %d: prefix %zu of %zu decoded", k,
				    n, b.len);
		wbuf_free(&b);
	}
}

static void
test_trailing_byte(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;
	int		 k;

	(void)state;
	for (k = 1; k <= LD_K_MAX; k++) {
		sample(k, &e);
		wbuf_init(&b);
		assert_int_equal(entry_encode(&b, &e), 0);
		wbuf_u8(&b, 0);
		assert_int_equal(entry_decode(&d, b.data, b.len), -1);
		wbuf_free(&b);
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
	size_t		 i;
	int		 k, v;

	(void)state;
	for (k = 1; k <= LD_K_MAX; k++) {
		sample(k, &e);
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
				assert_int_equal(entry_encode(&again, &d), 0);
				assert_int_equal(again.len, b.len);
				assert_memory_equal(again.data, m, b.len);
				wbuf_free(&again);
			}
		}
		free(m);
		wbuf_free(&b);
	}
}

static void
test_bad_header(void **state)
{
	struct ld_entry	 e;

	(void)state;
	sample(LD_K_AWARD, &e);
	e.kind = 0;
	assert_refused(&e);
	e.kind = 8;
	assert_refused(&e);
	e.kind = 255;
	assert_refused(&e);

	sample(LD_K_AWARD, &e);
	e.seq = 0;
	assert_refused(&e);
}

static void
test_bad_format_byte(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 b;

	(void)state;
	sample(LD_K_APPROPRIATION, &e);
	wbuf_init(&b);
	assert_int_equal(entry_encode(&b, &e), 0);
	b.data[0] = 2;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	b.data[0] = 0;
	assert_int_equal(entry_decode(&d, b.data, b.len), -1);
	wbuf_free(&b);
}

static void
test_bad_enums(void **state)
{
	struct ld_entry	 e;
	static const uint8_t bad_targets[] = { 0, LD_K_REGION, LD_K_AWARD,
	    LD_K_REVERSAL, LD_K_YEAR_CLOSE, 8 };
	size_t		 i;
	int		 k;

	(void)state;
	sample(LD_K_REGION, &e);
	e.grant_type = 0;
	assert_refused(&e);
	e.grant_type = 4;
	assert_refused(&e);

	for (k = LD_K_APPROPRIATION; k <= LD_K_YEAR_CLOSE; k++) {
		sample(k, &e);
		e.account = 0;
		assert_refused(&e);
		e.account = 3;
		assert_refused(&e);
	}

	for (i = 0; i < sizeof(bad_targets); i++) {
		sample(LD_K_REVERSAL, &e);
		e.target_kind = bad_targets[i];
		assert_refused(&e);
	}
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
	    LD_K_DISBURSEMENT, LD_K_REFUND, LD_K_REVERSAL };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(with_amount) / sizeof(with_amount[0]); i++) {
		k = with_amount[i];
		sample(k, &e);
		e.amount = 1;
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

	sample(LD_K_YEAR_CLOSE, &e);
	e.appropriated = e.awarded = e.disbursed = e.refunded = e.net = 0;
	assert_int_equal(decode_raw(&e), 0);
	e.net = INT64_MAX;
	assert_int_equal(decode_raw(&e), 0);
	e.net = -1;
	assert_refused(&e);
	sample(LD_K_YEAR_CLOSE, &e);
	e.refunded = INT64_MIN;
	assert_refused(&e);
}

static void
test_fy_and_date(void **state)
{
	struct ld_entry	 e;

	(void)state;
	sample(LD_K_APPROPRIATION, &e);
	e.fy = 0;
	assert_refused(&e);
	e.fy = LD_FY_MIN - 1;
	assert_refused(&e);
	e.fy = LD_FY_MAX + 1;
	assert_refused(&e);
	e.fy = LD_FY_MAX;
	assert_int_equal(decode_raw(&e), 0);

	sample(LD_K_REFUND, &e);
	e.date = 20130229;
	assert_refused(&e);
	e.date = 0;
	assert_refused(&e);
	e.date = 20130631;
	assert_refused(&e);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_valid_code),
		cmocka_unit_test(test_valid_ref),
		cmocka_unit_test(test_valid_text),
		cmocka_unit_test(test_valid_actor),
		cmocka_unit_test(test_valid_date),
		cmocka_unit_test(test_golden_disbursement),
		cmocka_unit_test(test_leaf_hash_empty),
		cmocka_unit_test(test_round_trip_every_kind),
		cmocka_unit_test(test_encode_appends),
		cmocka_unit_test(test_fields_outside_kind),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_trailing_byte),
		cmocka_unit_test(test_mutations_stay_canonical),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_format_byte),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_reversal_shape),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_fy_and_date),
		cmocka_unit_test(test_bad_strings),
		cmocka_unit_test(test_unterminated_field_refused),
		cmocka_unit_test(test_string_caps),
		cmocka_unit_test(test_oversized_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
