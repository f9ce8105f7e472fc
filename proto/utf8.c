/*
 * utf8.c - decode one UTF-8 character, strictly (utf8.h).
 *
 * One decoder, so that "valid UTF-8" means the same thing in the entry
 * validators, the message decoders, the checkpoint parser, the amount lexer
 * and the client's tables.  The lead byte gives the length and the bits it
 * carries; each continuation byte must be 10xxxxxx; the result must need
 * that many bytes (no overlong forms, which would let one character be
 * spelt several ways), must not be a UTF-16 surrogate and must not exceed
 * U+10FFFF.  This is exactly the set of well-formed sequences of Unicode 15,
 * table 3-7 (C0, C1 and F5..FF can never start one).  It is a pure function
 * over untrusted bytes and reads nothing beyond p[left - 1].
 */
#include "utf8.h"

size_t
utf8_decode(const uint8_t *p, size_t left, uint32_t *cp)
{
	uint32_t	 c, min;
	size_t		 n, i;

	if (left == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;	/* a continuation byte, or F8..FF */
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}
