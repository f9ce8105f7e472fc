/*
 * fuzz_frame.c - the frame header decoder (proto/frame.h) on a byte stream.
 *
 * The input is what a peer might send on a connection: the harness walks
 * it frame by frame as the daemon's read callback does, with frame_peek(),
 * and checks the promises frame.h makes: nothing is decided before 16
 * bytes are there; a header error is reported as soon as the header is
 * there, whatever follows; OK means the whole payload is present and the
 * header re-encodes to the very bytes that were read; one byte short of a
 * whole frame is NEED_MORE.  It runs once with the smallest and once with
 * the largest max_frame a config may set.
 */
#include <string.h>

#include "frame.h"
#include "fuzz.h"

static void
walk(const uint8_t *data, size_t size, size_t max_frame)
{
	struct frame_hdr	 h, h2;
	uint8_t			 enc[FRAME_HDR_LEN];
	size_t			 off = 0, left;
	int			 rc;

	for (;;) {
		left = size - off;
		memset(&h, 0, sizeof(h));
		rc = frame_peek(&h, data + off, left, max_frame);
		if (left < FRAME_HDR_LEN) {
			FUZZ_CHECK(rc == FRAME_NEED_MORE);
			return;
		}
		/* The header alone decides every error. */
		memset(&h2, 0, sizeof(h2));
		if (rc != FRAME_NEED_MORE)
			FUZZ_CHECK(frame_hdr_decode(&h2, data + off,
			    FRAME_HDR_LEN, max_frame) == rc);
		if (rc == FRAME_NEED_MORE) {
			FUZZ_CHECK(frame_hdr_decode(&h2, data + off, left,
			    max_frame) == FRAME_OK);
			FUZZ_CHECK(h2.len > left - FRAME_HDR_LEN);
			return;
		}
		if (rc != FRAME_OK) {
			FUZZ_CHECK(rc == FRAME_BAD_MAGIC ||
			    rc == FRAME_BAD_VERSION || rc == FRAME_TOO_LARGE);
			return;
		}
		FUZZ_CHECK((uint64_t)FRAME_HDR_LEN + h.len <= max_frame);
		FUZZ_CHECK(h.len <= left - FRAME_HDR_LEN);
		FUZZ_CHECK(memcmp(&h, &h2, sizeof(h)) == 0);
		frame_hdr_encode(enc, &h);
		FUZZ_CHECK(memcmp(enc, data + off, FRAME_HDR_LEN) == 0);
		FUZZ_CHECK(frame_peek(&h2, data + off, FRAME_HDR_LEN + h.len - 1,
		    max_frame) == FRAME_NEED_MORE);
		off += FRAME_HDR_LEN + h.len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk(data, size, FRAME_MIN_MAX);
	walk(data, size, FRAME_MAX_MAX);
	return 0;
}
