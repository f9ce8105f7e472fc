/*
 * cosign.h - witness cosignatures of checkpoints: C2SP tlog-cosignature/v1,
 * Ed25519 (signature type 0x04).
 *
 * A witness (an auditor's key, not the log's) that has verified a
 * checkpoint and its consistency with the last one it saw signs a
 * statement "as of time T, this is the largest consistent tree I have
 * seen".  A client that requires K witnesses' cosignatures cannot be shown
 * a private fork (a split view) unless K witnesses were shown it too.
 * Formats (proto/PROTOCOL.md, "Cosignatures"):
 *
 *   key id     first 4 bytes of SHA-256(name || "\n" || 0x04 || public key)
 *   verifier   "<name>+<8 hex key id>+<base64(0x04 || public key)>"
 *   message    "cosignature/v1\n" "time <decimal T>\n" then the checkpoint
 *              body (the note's text, extension lines included)
 *   line       "\u2014 <name> <base64(key id || u64be T || 64-byte sig)>\n",
 *              one more signature line of the checkpoint's note
 *
 * The witness key is an Ed25519 key like the log's (struct ckpt_signer,
 * ckpt_verifier from checkpoint.h); only its key id and verifier string
 * differ, by the type byte.  A struct ckpt_verifier filled by a function
 * here is a witness key: never hand it to ckpt_note_verify().
 *
 * Like checkpoint.c, everything but the signer is pure functions over
 * untrusted, bounded bytes that need no NUL terminator.
 *
 * Caveats:
 *  - The Ed25519 message does not commit to the witness's name: one key
 *    must serve one witness name only (the specification's rule).
 *  - cosign_find() says the witness signed the note's text; it does not
 *    say the log did.  Check the log's signature (ckpt_open() with the
 *    log's verifier) before trusting the body.
 */
#ifndef LD_COSIGN_H
#define LD_COSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"

#define COSIGN_ALG		0x04
#define COSIGN_TIME_MAX		INT64_MAX	/* the specification's 2^63 - 1 */
/* "cosignature/v1\ntime " 20 digits "\n" */
#define COSIGN_HEADER_MAX	(15 + 5 + 20 + 1)
/* U+2014, space, name, space, base64 of 76 bytes (104), newline, NUL */
#define COSIGN_LINE_MAX		(3 + 1 + CKPT_NAME_MAX + 1 + 104 + 1 + 1)

/*
 * Key id of a witness key: SHA-256(name || "\n" || 0x04 || pubkey)[:4].
 * @return CKPT_OK, CKPT_E_MALFORMED (name too long), CKPT_E_INTERNAL.
 */
int	cosign_key_id(const char *name, const uint8_t pubkey[CKPT_PUBKEY_LEN],
	    uint8_t out[CKPT_KEYID_LEN]);

/*
 * Load a witness's Ed25519 private key (as ckpt_signer_load(); name must
 * be a valid key name) and fill *wkey with its witness verifier (type
 * 0x04 key id).  The signer's own ckpt_signer_verifier() is its type 0x01
 * view: use *wkey.
 * @return as ckpt_signer_load().
 */
int	cosign_signer_load(struct ckpt_signer **out, struct ckpt_verifier *wkey,
	    const char *path, const char *name, char *err, size_t errsz);

/*
 * Format a witness verifier "<name>+<8 hex>+<base64(0x04 || key)>",
 * NUL-terminated, no newline.
 * @return CKPT_OK or CKPT_E_SPACE (outsz below CKPT_VERIFIER_MAX will not do).
 */
int	cosign_verifier_format(const struct ckpt_verifier *, char *out,
	    size_t outsz);
/*
 * Parse a witness verifier of len bytes (no NUL, no surrounding white
 * space): type byte 0x04, and the key id must match name and key.
 * @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	cosign_verifier_parse(struct ckpt_verifier *, const char *s, size_t len);
/*
 * Read a file holding one witness verifier (what `ledgerctl cosigner-key`
 * prints; trailing white space ignored).
 * @param[out] err	on failure, a reason naming the file (may be NULL)
 * @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	cosign_verifier_load(struct ckpt_verifier *, const char *path,
	    char *err, size_t errsz);

/*
 * The signed message for time ts over a checkpoint body (a note's text,
 * ending in "\n"): header, time line, body.  ts above COSIGN_TIME_MAX is
 * CKPT_E_MALFORMED.
 * @param[out] out	the message, NUL-terminated; *outlen excludes the NUL
 * @return CKPT_OK, CKPT_E_MALFORMED, CKPT_E_SPACE.
 */
int	cosign_message(uint64_t ts, const char *body, size_t blen, char *out,
	    size_t outsz, size_t *outlen);

/*
 * Cosign a checkpoint body at time ts with witness key s (described by
 * wkey, from cosign_signer_load()): write its signature line (with its
 * newline, NUL-terminated) into line (COSIGN_LINE_MAX bytes will do).
 * @return CKPT_OK, CKPT_E_MALFORMED (bad body or ts), CKPT_E_SPACE,
 *	CKPT_E_INTERNAL.
 */
int	cosign_line(const struct ckpt_signer *s, const struct ckpt_verifier *wkey,
	    uint64_t ts, const char *body, size_t blen, char *line,
	    size_t linesz, size_t *linelen);

/*
 * Find and check witness wkey's cosignature in a note: the note must be
 * well formed (ckpt_note_split()); every signature line with wkey's name
 * and key id must be a 76-byte timestamped signature, with a timestamp of
 * at most COSIGN_TIME_MAX, that verifies over the note's text.  The first
 * such line is reported: *ts its timestamp, *lineoff and *linelen its
 * bytes in note (newline included).  Any out pointer may be NULL.
 * @return CKPT_OK; CKPT_E_MALFORMED; CKPT_E_UNSIGNED (no line by wkey);
 *	CKPT_E_BAD_SIG; CKPT_E_INTERNAL.
 */
int	cosign_find(const struct ckpt_verifier *wkey, const char *note,
	    size_t len, uint64_t *ts, size_t *lineoff, size_t *linelen);

/*
 * Copy note into out keeping only the signature lines by logkey (a type
 * 0x01 checkpoint verifier, matched by name and key id): the log's note
 * as the log signed it, without anyone's cosignatures.  The signatures
 * are not checked here.
 * @return CKPT_OK; CKPT_E_MALFORMED; CKPT_E_UNSIGNED (no line by logkey);
 *	CKPT_E_SPACE.
 */
int	cosign_note_strip(const struct ckpt_verifier *logkey, const char *note,
	    size_t len, char *out, size_t outsz, size_t *outlen);

#endif
