/*
 * checkpoint.h - signed tree heads: C2SP tlog-checkpoint bodies carried in
 * C2SP signed notes, signed with Ed25519.
 *
 * A checkpoint commits the daemon to the first `size` entries of the ledger
 * through their Merkle root (merkle.h).  Auditors keep the last one they saw
 * and the daemon's verifier key; with a consistency proof they can then show
 * that the ledger they see today extends the one they saw, without trusting
 * the server.  Formats (proto/PROTOCOL.md, "Audit messages and checkpoints"):
 *
 *   body      "<origin>\n<size, decimal>\n<base64 root>\n" [extension lines]
 *   note      body "\n" then signature lines
 *             "\u2014 <name> <base64(4-byte key id || 64-byte signature)>\n"
 *   key id    first 4 bytes of SHA-256(name || "\n" || 0x01 || public key)
 *   verifier  "<name>+<8 hex key id>+<base64(0x01 || public key)>"
 *
 * These are the formats of Go's golang.org/x/mod/sumdb/note, so notes and
 * keys interoperate with that ecosystem; the key name is the checkpoint
 * origin (the daemon's checkpoint_origin).
 *
 * Everything here except the signer is plain data and pure functions over
 * untrusted bytes: parsers check every length before using it, never read
 * past the length they are given, and need no NUL terminator.
 *
 * Caveats:
 *  - A note that parses with a NULL verifier (ckpt_note_split(),
 *    ckpt_open(..., NULL, ...)) is NOT authenticated: anyone could have
 *    written it.  Only CKPT_OK from a call with a verifier means the key
 *    holder signed it.
 *  - Extension lines after the root are accepted and covered by the
 *    signature, but ignored by struct ckpt: never act on them unread.
 */
#ifndef LD_CHECKPOINT_H
#define LD_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#define CKPT_NAME_MAX		255	/* key name / origin, bytes */
#define CKPT_NOTE_MAX		65536	/* a whole signed note, bytes */
#define CKPT_SIGS_MAX		100	/* signature lines in one note */
#define CKPT_KEYID_LEN		4
#define CKPT_PUBKEY_LEN		32	/* Ed25519 public key */
#define CKPT_SIG_LEN		64	/* Ed25519 signature */
#define CKPT_ROOT_LEN		32	/* SHA-256, as MERKLE_HASH_LEN */
/* "<name>+<8 hex>+<44 base64>" and its NUL */
#define CKPT_VERIFIER_MAX	(CKPT_NAME_MAX + 1 + 8 + 1 + 44 + 1)
/* Body without extension lines: origin, 20 digits, 44 base64, 3 newlines, NUL. */
#define CKPT_BODY_MAX		(CKPT_NAME_MAX + 20 + 44 + 3 + 1)

/* Return codes.  Every function below returns CKPT_OK or one of these. */
enum ckpt_status {
	CKPT_OK = 0,
	CKPT_E_MALFORMED = -1,	/* bytes are not a note, body or key as specified */
	CKPT_E_UNSIGNED = -2,	/* well formed, but no signature by the verifier's key */
	CKPT_E_BAD_SIG = -3,	/* a signature line by the verifier's key does not verify */
	CKPT_E_ORIGIN = -4,	/* the checkpoint's origin is not the verifier's name */
	CKPT_E_SPACE = -5,	/* the output buffer is too small */
	CKPT_E_INTERNAL = -6	/* OpenSSL or memory failure */
};

/* A short English reason for a return code; never NULL. */
const char	*ckpt_strerror(int code);

/* A parsed checkpoint body. */
struct ckpt {
	char		origin[CKPT_NAME_MAX + 1];	/* NUL-terminated */
	uint64_t	size;				/* tree size, entries */
	uint8_t		root[CKPT_ROOT_LEN];		/* Merkle root of that tree */
};

/* A public key as a verifier string names it.  Plain data: copy at will. */
struct ckpt_verifier {
	char		name[CKPT_NAME_MAX + 1];	/* NUL-terminated */
	uint8_t		keyid[CKPT_KEYID_LEN];
	uint8_t		pubkey[CKPT_PUBKEY_LEN];
};

/* An Ed25519 private key and its name.  Opaque; owns the key material. */
struct ckpt_signer;

/*
 * Load the Ed25519 private key in the PEM file path (PKCS#8, as written by
 * `openssl genpkey -algorithm ed25519`) and name it name, which becomes the
 * key name of every signature and must be a valid note key name (non-empty,
 * at most CKPT_NAME_MAX bytes of UTF-8, no space characters, no '+').
 * The file's bytes are wiped from memory once parsed.
 * @param[out] out	the new signer; free it with ckpt_signer_free()
 * @param[out] err	on failure, a reason naming the file (may be NULL)
 * @return CKPT_OK; CKPT_E_MALFORMED when the file is unreadable, not PEM,
 *	encrypted, not Ed25519, or the name is invalid; CKPT_E_INTERNAL.
 */
int	ckpt_signer_load(struct ckpt_signer **out, const char *path,
	    const char *name, char *err, size_t errsz);
/* Free a signer and wipe its key; NULL is a no-op. */
void	ckpt_signer_free(struct ckpt_signer *);
/* The signer's public half (name, key id, public key); owned by the signer. */
const struct ckpt_verifier *ckpt_signer_verifier(const struct ckpt_signer *);

/*
 * Key id of an Ed25519 public key under a name: the first 4 bytes of
 * SHA-256(name || "\n" || 0x01 || pubkey).
 * @return CKPT_OK or CKPT_E_INTERNAL.
 */
int	ckpt_key_id(const char *name, const uint8_t pubkey[CKPT_PUBKEY_LEN],
	    uint8_t out[CKPT_KEYID_LEN]);

/*
 * Format a verifier as its string "<name>+<8 lowercase hex>+<base64>",
 * NUL-terminated, without a newline (what `ledgerd --print-verifier` prints).
 * @return CKPT_OK, or CKPT_E_SPACE when outsz < CKPT_VERIFIER_MAX would not do.
 */
int	ckpt_verifier_format(const struct ckpt_verifier *, char *out, size_t outsz);
/*
 * Parse a verifier string of len bytes (no NUL needed, none allowed, no
 * surrounding white space).  The key id must match the name and key; the
 * algorithm byte must be 0x01 (Ed25519).
 * @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	ckpt_verifier_parse(struct ckpt_verifier *, const char *s, size_t len);
/*
 * Read a verifier file: one verifier string; trailing white space (the
 * newline `--print-verifier > FILE` leaves) is ignored.
 * @param[out] err	on failure, a reason naming the file (may be NULL)
 * @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	ckpt_verifier_load(struct ckpt_verifier *, const char *path, char *err,
	    size_t errsz);
/*
 * The four above for a key of signature type alg instead of 0x01 (a
 * witness's cosigning key is 0x04, cosign.h): the type byte is hashed into
 * the key id and prefixed to the key in the string, and a string of
 * another type is refused, so that one kind of key is never taken for the
 * other.  what is the load's reason when the file holds no such key.
 */
int	ckpt_key_id_typed(const char *name, uint8_t alg,
	    const uint8_t pubkey[CKPT_PUBKEY_LEN], uint8_t out[CKPT_KEYID_LEN]);
int	ckpt_verifier_format_typed(const struct ckpt_verifier *, uint8_t alg,
	    char *out, size_t outsz);
int	ckpt_verifier_parse_typed(struct ckpt_verifier *, uint8_t alg,
	    const char *s, size_t len);
int	ckpt_verifier_load_typed(struct ckpt_verifier *, uint8_t alg,
	    const char *path, const char *what, char *err, size_t errsz);

/*
 * Sign a note: write text, "\n" and one signature line into out.  text must
 * be a valid note text: non-empty, ending in "\n", UTF-8 without control
 * characters other than newline.
 * @param[out] out	the note, NUL-terminated; *outlen excludes the NUL
 * @return CKPT_OK; CKPT_E_MALFORMED (bad text, or the note would exceed
 *	CKPT_NOTE_MAX); CKPT_E_SPACE; CKPT_E_INTERNAL.
 */
int	ckpt_note_sign(const struct ckpt_signer *, const char *text,
	    size_t textlen, char *out, size_t outsz, size_t *outlen);
/*
 * Check the structure of a note of len bytes without checking any
 * signature: at most CKPT_NOTE_MAX bytes of UTF-8 without control
 * characters but newline; the text; a blank line; then 1 to CKPT_SIGS_MAX
 * signature lines, each "\u2014 name base64\n" with a valid name and at
 * least 5 decoded bytes.  The text is the first *textlen bytes of note
 * (it ends in "\n").
 * @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	ckpt_note_split(const char *note, size_t len, size_t *textlen);
/*
 * Verify a note against a verifier: the note must be well formed
 * (ckpt_note_split()) and carry at least one signature line with the
 * verifier's name and key id.  Lines by other keys are ignored; a line by
 * this key that does not verify condemns the note.
 * @return CKPT_OK; CKPT_E_MALFORMED; CKPT_E_UNSIGNED; CKPT_E_BAD_SIG;
 *	CKPT_E_INTERNAL.
 */
int	ckpt_note_verify(const struct ckpt_verifier *, const char *note,
	    size_t len, size_t *textlen);

/*
 * Format a checkpoint body "<origin>\n<size>\n<base64 root>\n" into out
 * (NUL-terminated; *outlen excludes the NUL).  origin must be non-empty
 * printable UTF-8 of at most CKPT_NAME_MAX bytes.
 * @return CKPT_OK, CKPT_E_MALFORMED or CKPT_E_SPACE.
 */
int	ckpt_format(const struct ckpt *, char *out, size_t outsz, size_t *outlen);
/*
 * Parse a checkpoint body of len bytes (a note's text): origin line,
 * decimal size without leading zeros, base64 of a 32-byte root, then any
 * number of non-empty extension lines, each line ending in "\n".
 * @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	ckpt_parse(struct ckpt *, const char *text, size_t len);

/*
 * Sign a checkpoint: ckpt_format() then ckpt_note_sign().  The daemon calls
 * this with origin = the signer's name.
 * @return as ckpt_note_sign() and ckpt_format().
 */
int	ckpt_sign(const struct ckpt_signer *, const struct ckpt *, char *out,
	    size_t outsz, size_t *outlen);
/*
 * Open a signed checkpoint: verify the note against v and parse its body;
 * the origin must equal v's name, since the key name is the origin.  With v
 * NULL the signatures are not checked (see Caveats) but the note must still
 * be well formed.
 * @return CKPT_OK, or any error of ckpt_note_verify(), ckpt_parse(), or
 *	CKPT_E_ORIGIN.
 */
int	ckpt_open(struct ckpt *, const struct ckpt_verifier *v, const char *note,
	    size_t len);

/*
 * --- Building blocks for other signature types over the same notes ---
 * (proto/cosign.h builds C2SP tlog-cosignature on them.)
 */

/* One signature line of a note, as offsets into the note. */
struct ckpt_sigline {
	size_t	name, namelen;	/* the key name */
	size_t	b64, b64len;	/* base64 of key id || signature */
};

/*
 * ckpt_note_split(), and the signature lines: lines must hold
 * CKPT_SIGS_MAX; *nlines is set to the number found (at least 1).
 * @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	ckpt_note_lines(const char *note, size_t len, size_t *textlen,
	    struct ckpt_sigline lines[CKPT_SIGS_MAX], size_t *nlines);
/* 1 when s (len bytes) is a valid note key name, else 0. */
int	ckpt_name_valid(const char *s, size_t len);
/*
 * Standard padded base64 of n bytes into out (4 * ((n + 2) / 3) + 1
 * bytes, NUL-terminated); returns the length without the NUL.
 */
size_t	ckpt_b64_encode(const uint8_t *in, size_t n, char *out);
/*
 * Decode n characters of canonical padded base64 (unused low bits must be
 * zero).  Only the first outmax bytes are stored; *outlen is the full
 * decoded length.  @return CKPT_OK or CKPT_E_MALFORMED.
 */
int	ckpt_b64_decode(const char *in, size_t n, uint8_t *out, size_t outmax,
	    size_t *outlen);
/*
 * Ed25519 verification of the CKPT_SIG_LEN bytes at sig over len bytes of
 * msg under pub.  @return CKPT_OK, CKPT_E_BAD_SIG, CKPT_E_INTERNAL.
 */
int	ckpt_ed25519_verify(const uint8_t pub[CKPT_PUBKEY_LEN],
	    const uint8_t *sig, const char *msg, size_t len);
/*
 * Ed25519 signature by s's key over len bytes of msg, whatever they are
 * (the caller owns the domain separation).  @return CKPT_OK or
 * CKPT_E_INTERNAL.
 */
int	ckpt_signer_sign_raw(const struct ckpt_signer *s, const void *msg,
	    size_t len, uint8_t sig[CKPT_SIG_LEN]);

#endif
