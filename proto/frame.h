/*
 * frame.h - the frame header every message travels in.
 *
 *   0      4   5    6       8        12        16
 *   +------+---+----+-------+--------+---------+--------------
 *   |magic |ver|type| flags | req id | length  | payload ...
 *   +------+---+----+-------+--------+---------+--------------
 *
 * All integers big-endian.  As in memcached's binary protocol, nothing is
 * consumed until a whole header is there; the magic, version and length cap
 * are validated before anyone waits for a body, so a peer that claims an
 * enormous length is refused after 16 bytes.
 */
#ifndef LD_FRAME_H
#define LD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAGIC		0x4c474431u	/* "LGD1" */
#define FRAME_VERSION		1
#define FRAME_HDR_LEN		16
#define FRAME_MIN_MAX		16384		/* smallest max_frame_bytes allowed:
					   any one entry fits a frame */
#define FRAME_MAX_MAX		(64u << 20)	/* largest max_frame_bytes allowed */

#define FRAME_F_MORE		0x0001	/* a streamed answer continues */

struct wbuf;

struct frame_hdr {
	uint8_t		type;	/* enum msg_type */
	uint16_t	flags;
	uint32_t	reqid;
	uint32_t	len;	/* payload bytes after the header */
};

enum frame_status {
	FRAME_OK = 0,		/* header parsed; payload of h->len follows */
	FRAME_NEED_MORE = 1,	/* fewer than FRAME_HDR_LEN bytes available */
	FRAME_BAD_MAGIC = -1,
	FRAME_BAD_VERSION = -2,
	FRAME_TOO_LARGE = -3	/* FRAME_HDR_LEN + len > max_frame */
};

/* Write the 16 header bytes into out. */
void	frame_hdr_encode(uint8_t out[FRAME_HDR_LEN], const struct frame_hdr *);
/*
 * Append one whole frame (header, then len payload bytes) to out.  The
 * one frame encoder of the daemon: every answer, from the writer and from
 * the read handlers alike, is assembled with it in a wbuf before the
 * server sends the bytes.  A failed allocation sets out->err (wire.h).
 */
void	frame_put(struct wbuf *out, uint8_t type, uint16_t flags, uint32_t reqid,
	    const uint8_t *payload, size_t len);
/*
 * Parse a header from the first avail bytes of buf.  Consumes nothing.
 * max_frame caps header + payload.  Returns an enum frame_status.
 */
int	frame_hdr_decode(struct frame_hdr *, const uint8_t *buf, size_t avail,
	    size_t max_frame);
/*
 * As frame_hdr_decode(), but FRAME_NEED_MORE until the whole frame (header
 * and h->len payload bytes) is in buf; FRAME_OK means buf + FRAME_HDR_LEN
 * holds the complete payload.  Errors are reported as soon as the header is
 * there, never after waiting for a body.
 */
int	frame_peek(struct frame_hdr *, const uint8_t *buf, size_t avail,
	    size_t max_frame);

#endif
