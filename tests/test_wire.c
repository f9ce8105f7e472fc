/*
 * test_wire.c - the byte buffers every encoder and decoder is built on.
 *
 * What matters to a user here is that a hostile length field can never make
 * a reader go past its input, and that errors stick so that a decoder which
 * checks once at the end cannot accept a half-read message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wire.h"

static void
test_big_endian_layout(void **state)
{
	struct wbuf	 b;
	static const uint8_t want[] = {
		0xab,
		0x12, 0x34,
		0xde, 0xad, 0xbe, 0xef,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,	/* -2 */
		0x00, 0x03, 'a', 'b', 'c',
	};

	(void)state;
	wbuf_init(&b);
	wbuf_u8(&b, 0xab);
	wbuf_u16(&b, 0x1234);
	wbuf_u32(&b, 0xdeadbeef);
	wbuf_u64(&b, UINT64_C(0x0102030405060708));
	wbuf_i64(&b, -2);
	wbuf_str(&b, "abc");
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	wbuf_free(&b);
}

static void
test_read_back(void **state)
{
	struct wbuf	 b;
	struct rbuf	 r;
	char		 s[16];

	(void)state;
	wbuf_init(&b);
	wbuf_u8(&b, 7);
	wbuf_u16(&b, 65535);
	wbuf_u32(&b, 0x80000000u);
	wbuf_u64(&b, UINT64_MAX);
	wbuf_i64(&b, INT64_MIN);
	wbuf_i64(&b, INT64_MAX);
	wbuf_i64(&b, -1);
	wbuf_str(&b, "函館");
	wbuf_str(&b, "");
	assert_int_equal(b.err, 0);

	rbuf_init(&r, b.data, b.len);
	assert_int_equal(rbuf_u8(&r), 7);
	assert_int_equal(rbuf_u16(&r), 65535);
	assert_true(rbuf_u32(&r) == 0x80000000u);
	assert_true(rbuf_u64(&r) == UINT64_MAX);
	assert_true(rbuf_i64(&r) == INT64_MIN);
	assert_true(rbuf_i64(&r) == INT64_MAX);
	assert_true(rbuf_i64(&r) == -1);
	rbuf_str(&r, s, sizeof(s), 15);
	assert_string_equal(s, "函館");
	rbuf_str(&r, s, sizeof(s), 15);
	assert_string_equal(s, "");
	assert_int_equal(rbuf_done(&r), 0);
	wbuf_free(&b);
}

static void
test_growth_and_reset(void **state)
{
	struct wbuf	 b;
	uint8_t		 chunk[1000];
	size_t		 i;

	(void)state;
	memset(chunk, 0x5a, sizeof(chunk));
	wbuf_init(&b);
	assert_null(b.data);
	for (i = 0; i < 300; i++)
		wbuf_put(&b, chunk, sizeof(chunk));
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 300000);
	assert_true(b.cap >= b.len);
	assert_int_equal(b.data[299999], 0x5a);
	wbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	wbuf_u8(&b, 1);
	assert_int_equal(b.len, 1);
	assert_int_equal(b.data[0], 1);
	wbuf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void
test_str_too_long_sets_err(void **state)
{
	struct wbuf	 b;
	char		*big;

	(void)state;
	big = malloc(70000);
	assert_non_null(big);
	memset(big, 'x', 69999);
	big[69999] = '\0';
	wbuf_init(&b);
	wbuf_str(&b, big);
	assert_int_not_equal(b.err, 0);
	/* sticky: later puts are no-ops */
	wbuf_u8(&b, 1);
	assert_int_equal(b.len, 0);
	assert_int_equal(wbuf_reserve(&b, 1), -1);
	wbuf_reset(&b);
	assert_int_equal(b.err, 0);
	big[65535] = '\0';	/* exactly the largest string */
	wbuf_str(&b, big);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 2 + 65535);
	wbuf_free(&b);
	free(big);
}

static void
test_patch(void **state)
{
	struct wbuf	 b;
	static const uint8_t want[] = { 0x09, 0, 0, 0x01, 0x02, 0xee };

	(void)state;
	wbuf_init(&b);
	wbuf_u8(&b, 0x09);
	wbuf_u32(&b, 0);
	wbuf_u8(&b, 0xee);
	wbuf_patch_u32(&b, 1, 0x0102);
	assert_int_equal(b.err, 0);
	assert_memory_equal(b.data, want, sizeof(want));
	wbuf_patch_u32(&b, 3, 1);	/* would run past the end */
	assert_int_not_equal(b.err, 0);
	wbuf_free(&b);
}

static void
test_short_reads_are_sticky(void **state)
{
	static const uint8_t in[] = { 1, 2, 3 };
	struct rbuf	 r;
	uint8_t		 out[4] = { 9, 9, 9, 9 };

	(void)state;
	rbuf_init(&r, in, sizeof(in));
	assert_int_equal(rbuf_u32(&r), 0);
	assert_int_not_equal(r.err, 0);
	/* after an error even a read that would fit yields zero */
	assert_int_equal(rbuf_u8(&r), 0);
	assert_int_equal(rbuf_done(&r), -1);

	rbuf_init(&r, in, sizeof(in));
	rbuf_get(&r, out, sizeof(out));
	assert_int_not_equal(r.err, 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[3], 0);

	rbuf_init(&r, in, sizeof(in));
	assert_null(rbuf_take(&r, 4));
	assert_int_not_equal(r.err, 0);

	rbuf_init(&r, in, sizeof(in));
	assert_ptr_equal(rbuf_take(&r, 2), in);
	assert_int_equal(rbuf_u8(&r), 3);
	assert_int_equal(rbuf_done(&r), 0);
}

static void
test_trailing_byte(void **state)
{
	static const uint8_t in[] = { 0, 5, 0xff };
	struct rbuf	 r;

	(void)state;
	rbuf_init(&r, in, sizeof(in));
	assert_int_equal(rbuf_u16(&r), 5);
	assert_int_equal(r.err, 0);
	assert_int_equal(rbuf_done(&r), -1);
}

static void
test_str_length_checks(void **state)
{
	static const uint8_t ok[] = { 0, 3, 'a', 'b', 'c' };
	static const uint8_t lying[] = { 0xff, 0xff, 'a', 'b' };
	static const uint8_t nul[] = { 0, 3, 'a', 0, 'c' };
	static const uint8_t half[] = { 0 };
	struct rbuf	 r;
	char		 s[8];

	(void)state;
	/* over the caller's cap */
	rbuf_init(&r, ok, sizeof(ok));
	rbuf_str(&r, s, sizeof(s), 2);
	assert_int_not_equal(r.err, 0);
	assert_string_equal(s, "");
	/* over the output buffer */
	rbuf_init(&r, ok, sizeof(ok));
	rbuf_str(&r, s, 3, 100);
	assert_int_not_equal(r.err, 0);
	/* exactly fits: cap 3, buffer 4 */
	rbuf_init(&r, ok, sizeof(ok));
	rbuf_str(&r, s, 4, 3);
	assert_int_equal(rbuf_done(&r), 0);
	assert_string_equal(s, "abc");
	/* length claims more than is present */
	rbuf_init(&r, lying, sizeof(lying));
	rbuf_str(&r, s, sizeof(s), 65535);
	assert_int_not_equal(r.err, 0);
	/* embedded NUL */
	rbuf_init(&r, nul, sizeof(nul));
	rbuf_str(&r, s, sizeof(s), 7);
	assert_int_not_equal(r.err, 0);
	/* truncated length field */
	rbuf_init(&r, half, sizeof(half));
	rbuf_str(&r, s, sizeof(s), 7);
	assert_int_not_equal(r.err, 0);
}

static void
test_be_helpers(void **state)
{
	uint8_t	 b[8];

	(void)state;
	be16_put(b, 0xbeef);
	assert_int_equal(b[0], 0xbe);
	assert_int_equal(be16_get(b), 0xbeef);
	be32_put(b, 0xcafebabe);
	assert_int_equal(b[0], 0xca);
	assert_true(be32_get(b) == 0xcafebabe);
	be64_put(b, UINT64_C(0x8000000000000001));
	assert_int_equal(b[0], 0x80);
	assert_int_equal(b[7], 0x01);
	assert_true(be64_get(b) == UINT64_C(0x8000000000000001));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_endian_layout),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_growth_and_reset),
		cmocka_unit_test(test_str_too_long_sets_err),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_short_reads_are_sticky),
		cmocka_unit_test(test_trailing_byte),
		cmocka_unit_test(test_str_length_checks),
		cmocka_unit_test(test_be_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
