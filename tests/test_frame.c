/*
 * test_frame.c - frame header parsing: a partial header waits, a bad header
 * is refused after 16 bytes without waiting for a body, and a peer cannot
 * announce a frame larger than max_frame_bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"

#define MAXF	(1u << 20)

static void
test_header_layout(void **state)
{
	struct frame_hdr h = { .type = 0x90, .flags = FRAME_F_MORE,
	    .reqid = 0x01020304, .len = 0x0a0b0c0d };
	static const uint8_t want[FRAME_HDR_LEN] = {
		'L', 'G', 'D', '1', 1, 0x90, 0x00, 0x01,
		0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d
	};
	uint8_t	 out[FRAME_HDR_LEN];

	(void)state;
	frame_hdr_encode(out, &h);
	assert_memory_equal(out, want, sizeof(want));
}

static void
test_round_trip(void **state)
{
	struct frame_hdr h = { .type = 0x21, .flags = 0, .reqid = 0xfffffffe,
	    .len = 100 }, g;
	uint8_t	 buf[FRAME_HDR_LEN + 100];

	(void)state;
	memset(buf, 0x77, sizeof(buf));
	frame_hdr_encode(buf, &h);
	memset(&g, 0, sizeof(g));
	assert_int_equal(frame_hdr_decode(&g, buf, sizeof(buf), MAXF), FRAME_OK);
	assert_int_equal(g.type, 0x21);
	assert_int_equal(g.flags, 0);
	assert_true(g.reqid == 0xfffffffe);
	assert_int_equal(g.len, 100);
	assert_int_equal(frame_peek(&g, buf, sizeof(buf), MAXF), FRAME_OK);
}

static void
test_every_truncation(void **state)
{
	struct frame_hdr h = { .type = 0x10, .reqid = 7, .len = 40 }, g;
	uint8_t	 buf[FRAME_HDR_LEN + 40];
	size_t	 n;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	frame_hdr_encode(buf, &h);
	for (n = 0; n < FRAME_HDR_LEN; n++) {
		assert_int_equal(frame_hdr_decode(&g, buf, n, MAXF),
		    FRAME_NEED_MORE);
		assert_int_equal(frame_peek(&g, buf, n, MAXF), FRAME_NEED_MORE);
	}
	/* header complete but body missing: the header parses, the frame waits */
	for (n = FRAME_HDR_LEN; n < sizeof(buf); n++) {
		assert_int_equal(frame_hdr_decode(&g, buf, n, MAXF), FRAME_OK);
		assert_int_equal(frame_peek(&g, buf, n, MAXF), FRAME_NEED_MORE);
	}
	assert_int_equal(frame_peek(&g, buf, sizeof(buf), MAXF), FRAME_OK);
}

static void
test_bad_magic_and_version(void **state)
{
	struct frame_hdr h = { .type = 0x01, .len = 4 }, g;
	uint8_t	 buf[FRAME_HDR_LEN];

	(void)state;
	frame_hdr_encode(buf, &h);
	buf[0] = 'l';
	assert_int_equal(frame_hdr_decode(&g, buf, sizeof(buf), MAXF),
	    FRAME_BAD_MAGIC);
	/* refused on the header alone, without waiting for the 4-byte body */
	assert_int_equal(frame_peek(&g, buf, sizeof(buf), MAXF), FRAME_BAD_MAGIC);

	frame_hdr_encode(buf, &h);
	buf[4] = 2;
	assert_int_equal(frame_hdr_decode(&g, buf, sizeof(buf), MAXF),
	    FRAME_BAD_VERSION);
	buf[4] = 0;
	assert_int_equal(frame_peek(&g, buf, sizeof(buf), MAXF),
	    FRAME_BAD_VERSION);
}

static void
test_length_cap(void **state)
{
	struct frame_hdr h = { .type = 0x10 }, g;
	uint8_t	 buf[FRAME_HDR_LEN];

	(void)state;
	h.len = FRAME_MIN_MAX - FRAME_HDR_LEN;	/* exactly max_frame */
	frame_hdr_encode(buf, &h);
	assert_int_equal(frame_hdr_decode(&g, buf, sizeof(buf), FRAME_MIN_MAX),
	    FRAME_OK);
	h.len++;
	frame_hdr_encode(buf, &h);
	assert_int_equal(frame_hdr_decode(&g, buf, sizeof(buf), FRAME_MIN_MAX),
	    FRAME_TOO_LARGE);
	assert_int_equal(frame_peek(&g, buf, sizeof(buf), FRAME_MIN_MAX),
	    FRAME_TOO_LARGE);
	/* the largest length field cannot wrap the 16-byte addition */
	h.len = UINT32_MAX;
	frame_hdr_encode(buf, &h);
	assert_int_equal(frame_hdr_decode(&g, buf, sizeof(buf), FRAME_MAX_MAX),
	    FRAME_TOO_LARGE);
	h.len = UINT32_MAX - FRAME_HDR_LEN + 1;
	frame_hdr_encode(buf, &h);
	assert_int_equal(frame_hdr_decode(&g, buf, sizeof(buf), FRAME_MAX_MAX),
	    FRAME_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_bad_magic_and_version),
		cmocka_unit_test(test_length_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
