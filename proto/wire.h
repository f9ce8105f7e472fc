/*
 * wire.h - bounds-checked big-endian byte buffers.
 *
 * Everything ledgerd puts on the wire or on disk goes through these two types:
 * a growable output buffer (struct wbuf) and a read cursor over untrusted bytes
 * (struct rbuf).  Both use sticky errors, in the manner of Knot's LMDB wrapper:
 * after the first failure every further call is a no-op, so an encoder or a
 * decoder performs its whole sequence of puts/gets and checks once at the end.
 * A failed reader returns zeros and never reads past the bytes it was given.
 *
 * A reader never trusts a length field: rbuf_str() checks the claimed length
 * against both the caller's cap and the bytes that are actually left.
 *
 * Threads: no function here keeps state outside its arguments; a buffer
 * belongs to one thread at a time.
 */
#ifndef LD_WIRE_H
#define LD_WIRE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bytes data[0..len) are the contents; cap is the allocation.  err is also
 * set by wbuf_str() for a string over 65535 bytes, by wbuf_patch_u32() out
 * of range, and by callers that give up on a buffer (msg_put_error()): a
 * buffer with err set must not be sent, whatever len says.
 */
struct wbuf {
	uint8_t	*data;	/* owned: freed by wbuf_free() */
	size_t	 len;
	size_t	 cap;
	int	 err;	/* sticky: set by a failed allocation */
};

/*
 * Empty buffer; data stays NULL until the first put.  A zeroed struct is
 * the same thing.  Never fails.
 */
void	wbuf_init(struct wbuf *);
/* Free data and leave the buffer as wbuf_init() does: reusable. */
void	wbuf_free(struct wbuf *);
/* Forget the contents, keep the allocation and clear the error. */
void	wbuf_reset(struct wbuf *);
/*
 * Make room for n more bytes (the capacity doubles from 256); -1 (and err
 * set) when memory is exhausted, -1 at once when err is already set.
 *
 * Caveat: data may move.  A pointer into data does not survive this or
 * any put; keep an offset instead (wbuf_patch_u32() takes one).
 */
int	wbuf_reserve(struct wbuf *, size_t n);
/* Append n bytes (p may be NULL when n is 0); nothing on failure. */
void	wbuf_put(struct wbuf *, const void *, size_t);
/* Append an integer, big-endian; i64 as two's complement. */
void	wbuf_u8(struct wbuf *, uint8_t);
void	wbuf_u16(struct wbuf *, uint16_t);
void	wbuf_u32(struct wbuf *, uint32_t);
void	wbuf_u64(struct wbuf *, uint64_t);
void	wbuf_i64(struct wbuf *, int64_t);
/* u16 length then the bytes of s (strlen); err set if strlen(s) > 65535. */
void	wbuf_str(struct wbuf *, const char *s);
/*
 * Overwrite 4 bytes at off with v (big-endian): how a count or a length
 * reserved with wbuf_u32(b, 0) is filled in once known.  err is set when
 * off + 4 is past len; a no-op when err is already set.
 */
void	wbuf_patch_u32(struct wbuf *, size_t off, uint32_t v);

struct rbuf {
	const uint8_t	*p;	/* borrowed: the caller keeps the bytes alive */
	size_t		 left;
	int		 err;	/* sticky: set by a read past the end or a bad string */
};

/*
 * Read the n bytes at p (NULL allowed when n is 0).  p is borrowed: the
 * bytes must stay alive and unchanged while r, or a pointer rbuf_take()
 * returned, is in use.
 */
void	rbuf_init(struct rbuf *, const void *, size_t);
/* A big-endian integer; 0 (and err set) when too few bytes are left. */
uint8_t	rbuf_u8(struct rbuf *);
uint16_t rbuf_u16(struct rbuf *);
uint32_t rbuf_u32(struct rbuf *);
uint64_t rbuf_u64(struct rbuf *);
int64_t	rbuf_i64(struct rbuf *);
/* Copy n bytes out; on short input err is set and out is zeroed. */
void	rbuf_get(struct rbuf *, void *out, size_t n);
/*
 * Point at the next n bytes without copying; NULL and err set when short
 * (or err was set).  The pointer is into the caller's bytes (rbuf_init()).
 */
const uint8_t *rbuf_take(struct rbuf *, size_t n);
/*
 * Read a u16-length string into out (size outsz, NUL-terminated).  err is set
 * when the length exceeds max, exceeds outsz - 1, runs past the input, or the
 * bytes contain a NUL; out is then "" (when outsz > 0).  Content rules
 * (UTF-8, charset) are the caller's.
 */
void	rbuf_str(struct rbuf *, char *out, size_t outsz, size_t max);
/*
 * 0 when no error occurred and every byte was consumed, else -1: the one
 * check at the end of a decoder, which also refuses trailing bytes.
 */
int	rbuf_done(const struct rbuf *);

/* Plain big-endian helpers for fixed-size keys; no bounds checks. */
void	be16_put(uint8_t *, uint16_t);
void	be32_put(uint8_t *, uint32_t);
void	be64_put(uint8_t *, uint64_t);
uint16_t be16_get(const uint8_t *);
uint32_t be32_get(const uint8_t *);
uint64_t be64_get(const uint8_t *);

/* Lowercase hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void	hex_encode(const uint8_t *p, size_t n, char *out);
/*
 * Decode len hex digits (either case; s need not be NUL-terminated) into
 * out (outsz bytes); *outlen is len / 2.  -1 on an odd length, a non-hex
 * digit or too little room: *outlen is then untouched and out may hold
 * part of the decode.
 */
int	hex_decode(const char *s, size_t len, uint8_t *out, size_t outsz,
	    size_t *outlen);

#endif
