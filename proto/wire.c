/*
 * wire.c - bounds-checked big-endian byte buffers (see wire.h).
 *
 * Every encoder and decoder in proto/ is a straight sequence of puts or gets
 * on these buffers.  Errors are sticky so that a sequence is checked once at
 * its end; a reader that fails returns zeros from then on and never reads
 * past the bytes it was given, whatever a length field claims.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

void
wbuf_init(struct wbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
}

void
wbuf_free(struct wbuf *b)
{
	free(b->data);
	wbuf_init(b);
}

void
wbuf_reset(struct wbuf *b)
{
	b->len = 0;
	b->err = 0;
}

int
wbuf_reserve(struct wbuf *b, size_t n)
{
	size_t	 ncap;
	uint8_t	*nd;

	if (b->err)
		return -1;
	if (n <= b->cap - b->len)
		return 0;
	if (n > SIZE_MAX - b->len)
		goto fail;
	ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + n) {
		if (ncap > SIZE_MAX / 2) {
			ncap = b->len + n;
			break;
		}
		ncap *= 2;
	}
	if ((nd = realloc(b->data, ncap)) == NULL)
		goto fail;
	b->data = nd;
	b->cap = ncap;
	return 0;
fail:
	b->err = 1;
	return -1;
}

void
wbuf_put(struct wbuf *b, const void *p, size_t n)
{
	if (n == 0 || wbuf_reserve(b, n) == -1)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
wbuf_u8(struct wbuf *b, uint8_t v)
{
	wbuf_put(b, &v, 1);
}

void
wbuf_u16(struct wbuf *b, uint16_t v)
{
	uint8_t	 t[2];

	be16_put(t, v);
	wbuf_put(b, t, sizeof(t));
}

void
wbuf_u32(struct wbuf *b, uint32_t v)
{
	uint8_t	 t[4];

	be32_put(t, v);
	wbuf_put(b, t, sizeof(t));
}

void
wbuf_u64(struct wbuf *b, uint64_t v)
{
	uint8_t	 t[8];

	be64_put(t, v);
	wbuf_put(b, t, sizeof(t));
}

void
wbuf_i64(struct wbuf *b, int64_t v)
{
	/* Two's complement by definition of the conversion to unsigned. */
	wbuf_u64(b, (uint64_t)v);
}

void
wbuf_str(struct wbuf *b, const char *s)
{
	size_t	 n = strlen(s);

	if (n > UINT16_MAX) {
		b->err = 1;
		return;
	}
	wbuf_u16(b, (uint16_t)n);
	wbuf_put(b, s, n);
}

void
wbuf_patch_u32(struct wbuf *b, size_t off, uint32_t v)
{
	if (b->err)
		return;
	if (off > b->len || b->len - off < 4) {
		b->err = 1;
		return;
	}
	be32_put(b->data + off, v);
}

void
rbuf_init(struct rbuf *r, const void *p, size_t n)
{
	r->p = p;
	r->left = n;
	r->err = 0;
}

const uint8_t *
rbuf_take(struct rbuf *r, size_t n)
{
	const uint8_t	*p;

	if (r->err || n > r->left) {
		r->err = 1;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

void
rbuf_get(struct rbuf *r, void *out, size_t n)
{
	const uint8_t	*p;

	if (n == 0)
		return;
	if ((p = rbuf_take(r, n)) == NULL) {
		memset(out, 0, n);
		return;
	}
	memcpy(out, p, n);
}

uint8_t
rbuf_u8(struct rbuf *r)
{
	const uint8_t	*p = rbuf_take(r, 1);

	return p ? p[0] : 0;
}

uint16_t
rbuf_u16(struct rbuf *r)
{
	const uint8_t	*p = rbuf_take(r, 2);

	return p ? be16_get(p) : 0;
}

uint32_t
rbuf_u32(struct rbuf *r)
{
	const uint8_t	*p = rbuf_take(r, 4);

	return p ? be32_get(p) : 0;
}

uint64_t
rbuf_u64(struct rbuf *r)
{
	const uint8_t	*p = rbuf_take(r, 8);

	return p ? be64_get(p) : 0;
}

int64_t
rbuf_i64(struct rbuf *r)
{
	uint64_t	 u = rbuf_u64(r);

	/* Avoid the implementation-defined unsigned-to-signed conversion. */
	if (u <= (uint64_t)INT64_MAX)
		return (int64_t)u;
	return -(int64_t)(UINT64_MAX - u) - 1;
}

void
rbuf_str(struct rbuf *r, char *out, size_t outsz, size_t max)
{
	const uint8_t	*p;
	uint16_t	 n;

	if (outsz > 0)
		out[0] = '\0';
	n = rbuf_u16(r);
	if (r->err)
		return;
	if (n > max || outsz == 0 || n > outsz - 1 || n > r->left) {
		r->err = 1;
		return;
	}
	p = rbuf_take(r, n);
	if (n > 0 && memchr(p, '\0', n) != NULL) {
		r->err = 1;
		return;
	}
	if (n > 0)
		memcpy(out, p, n);
	out[n] = '\0';
}

int
rbuf_done(const struct rbuf *r)
{
	return (r->err || r->left != 0) ? -1 : 0;
}

void
be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
be64_put(uint8_t *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put(p + 4, (uint32_t)v);
}

uint16_t
be16_get(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
be32_get(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

uint64_t
be64_get(const uint8_t *p)
{
	return ((uint64_t)be32_get(p) << 32) | be32_get(p + 4);
}

void
hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *s, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
	size_t i;
	int hi, lo;

	if (len % 2 != 0 || len / 2 > outsz)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if ((hi = hex_digit(s[2 * i])) < 0 ||
		    (lo = hex_digit(s[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = len / 2;
	return 0;
}
