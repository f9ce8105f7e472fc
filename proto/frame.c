/*
 * frame.c - the 16-byte frame header (frame.h, PROTOCOL.md "Frames").
 *
 * Reading side of the request path: the daemon's input buffer is handed to
 * frame_hdr_decode() as bytes arrive; nothing is consumed, and magic,
 * version and the length cap are judged on the header alone, so a peer that
 * announces an oversized frame is refused before a byte of its body is
 * buffered.
 */
#include "frame.h"
#include "wire.h"

void
frame_hdr_encode(uint8_t out[FRAME_HDR_LEN], const struct frame_hdr *h)
{
	be32_put(out, FRAME_MAGIC);
	out[4] = FRAME_VERSION;
	out[5] = h->type;
	be16_put(out + 6, h->flags);
	be32_put(out + 8, h->reqid);
	be32_put(out + 12, h->len);
}

int
frame_hdr_decode(struct frame_hdr *h, const uint8_t *buf, size_t avail,
    size_t max_frame)
{
	uint32_t	 len;

	if (avail < FRAME_HDR_LEN)
		return FRAME_NEED_MORE;
	if (be32_get(buf) != FRAME_MAGIC)
		return FRAME_BAD_MAGIC;
	if (buf[4] != FRAME_VERSION)
		return FRAME_BAD_VERSION;
	len = be32_get(buf + 12);
	/* 64-bit sum: len is up to 2^32 - 1 and size_t may be 32 bits. */
	if ((uint64_t)FRAME_HDR_LEN + len > (uint64_t)max_frame)
		return FRAME_TOO_LARGE;
	h->type = buf[5];
	h->flags = be16_get(buf + 6);
	h->reqid = be32_get(buf + 8);
	h->len = len;
	return FRAME_OK;
}

int
frame_peek(struct frame_hdr *h, const uint8_t *buf, size_t avail,
    size_t max_frame)
{
	int	 rc;

	if ((rc = frame_hdr_decode(h, buf, avail, max_frame)) != FRAME_OK)
		return rc;
	if (avail - FRAME_HDR_LEN < h->len)
		return FRAME_NEED_MORE;
	return FRAME_OK;
}

void
frame_put(struct wbuf *out, uint8_t type, uint16_t flags, uint32_t reqid,
    const uint8_t *payload, size_t len)
{
	struct frame_hdr h = { type, flags, reqid, (uint32_t)len };
	uint8_t hdr[FRAME_HDR_LEN];

	frame_hdr_encode(hdr, &h);
	wbuf_put(out, hdr, sizeof(hdr));
	if (len > 0)
		wbuf_put(out, payload, len);
}
