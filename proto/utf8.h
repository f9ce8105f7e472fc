/*
 * utf8.h - the one UTF-8 decoder that daemon and client share.
 *
 * Every place that looks inside UTF-8 text goes through utf8_decode(): the
 * text rule of entries and messages (entry.c, msg.c), the signed-note
 * parser (checkpoint.c), the amount lexer (values.c) and ledgerctl's column
 * widths (client/output.c).  It is strict, as Unicode 15 table 3-7 defines
 * well-formed UTF-8: an overlong form, a surrogate, a code point above
 * U+10FFFF, a stray continuation byte or a truncated sequence is not a
 * character.  What a caller does with a byte that is not one (refuse the
 * text, print '?', count a column) is the caller's rule, as is which code
 * points it accepts.
 */
#ifndef LD_UTF8_H
#define LD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the character at p, of which left bytes may be read: its length
 * (1-4) with the code point in *cp, or 0 when the bytes at p do not start a
 * well-formed character (or left is 0); *cp is then untouched.  A NUL byte
 * is U+0000 when first and ends a sequence otherwise (it is no continuation
 * byte), so a C string may be passed with left = strnlen(p, 4).
 */
size_t	utf8_decode(const uint8_t *p, size_t left, uint32_t *cp);

/*
 * 1 for a control character: C0 (U+0000..U+001F), DEL (U+007F) or C1
 * (U+0080..U+009F).  The text rule of entries and messages refuses them;
 * the signed-note rules refuse only C0 (checkpoint.c).
 */
int	utf8_is_control(uint32_t cp);

#endif
