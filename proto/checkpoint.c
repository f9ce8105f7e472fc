/*
 * checkpoint.c - C2SP tlog-checkpoint bodies in C2SP signed notes, Ed25519
 * (see checkpoint.h for the formats and the API).
 *
 * The daemon signs a checkpoint of its current tree; ledgerctl verifies it
 * with nothing but the verifier string an auditor saved.  Because the
 * auditor's side parses bytes from a server it does not trust, every parser
 * here is strict and bounded: the whole note is validated (UTF-8, no
 * control characters, size and signature-count caps, canonical base64)
 * before any signature is checked.  Canonical base64 matters: a decoder that
 * ignored the unused low bits of the last character would accept altered
 * bytes as the same signature.
 *
 * The rules follow Go's golang.org/x/mod/sumdb/note, the reference
 * implementation of signed notes: the text ends at the last blank line,
 * names are non-empty without spaces or '+', a signature line by a key we
 * do not know is ignored, a bad signature by the key we know condemns the
 * note.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "checkpoint.h"
#include "utf8.h"
#include "wire.h"

#define ALG_ED25519	0x01
#define SIG_PREFIX	"\xe2\x80\x94 "		/* U+2014 EM DASH, space */
#define SIG_PREFIX_LEN	4
#define SIG_BLOB_LEN	(CKPT_KEYID_LEN + CKPT_SIG_LEN)
#define SIG_B64_LEN	92			/* base64 of SIG_BLOB_LEN bytes */
#define KEY_FILE_MAX	16384			/* a PEM Ed25519 key is ~120 bytes */
#define VERIFIER_FILE_MAX 4096

struct ckpt_signer {
	EVP_PKEY		*pkey;	/* owned: freed by ckpt_signer_free() */
	struct ckpt_verifier	 pub;
};


const char *
ckpt_strerror(int code)
{
	switch (code) {
	case CKPT_OK:
		return "ok";
	case CKPT_E_MALFORMED:
		return "malformed checkpoint, note or key";
	case CKPT_E_UNSIGNED:
		return "no signature by the verifier's key";
	case CKPT_E_BAD_SIG:
		return "signature does not verify";
	case CKPT_E_ORIGIN:
		return "checkpoint origin does not match the verifier's name";
	case CKPT_E_SPACE:
		return "output buffer too small";
	default:
		return "internal error";
	}
}

/* "path: why" into err. */
static void
set_err(char *err, size_t errsz, const char *path, const char *why)
{
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "%s: %s", path, why);
}

/* --- UTF-8 and names (characters decoded by utf8_decode(), utf8.h) --- */

/* Go's unicode.IsSpace. */
static int
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

/*
 * Valid UTF-8 without C0 control characters (Go's rule: those below U+0020;
 * DEL and C1 pass); newline allowed when nl.
 */
static int
text_valid(const char *s, size_t len, int nl)
{
	const uint8_t	*p = (const uint8_t *)s;
	uint32_t	 c;
	size_t		 n, i;

	for (i = 0; i < len; i += n) {
		if ((n = utf8_decode(p + i, len - i, &c)) == 0)
			return 0;
		if (c < 0x20 && !(nl && c == '\n'))
			return 0;
	}
	return 1;
}

/* A note key name: non-empty UTF-8, no space characters, no '+'. */
static int
name_valid(const char *s, size_t len)
{
	const uint8_t	*p = (const uint8_t *)s;
	uint32_t	 c;
	size_t		 n, i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i += n) {
		if ((n = utf8_decode(p + i, len - i, &c)) == 0)
			return 0;
		if (c < 0x20 || c == '+' || is_space(c))
			return 0;
	}
	return 1;
}

/* --- base64, standard alphabet, padded, canonical --- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encode n bytes into out (4 * ((n + 2) / 3) + 1 bytes); returns the length. */
static size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t		i, o = 0;
	uint32_t	v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64_alphabet[(v >> 6) & 0x3f];
		out[o++] = b64_alphabet[v & 0x3f];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64_alphabet[(v >> 6) & 0x3f];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode n characters of canonical padded base64.  The whole input is
 * validated; only the first outmax bytes are stored (out may be NULL with
 * outmax 0), and *outlen is the full decoded length.  0 or -1.
 */
static int
b64_decode(const char *in, size_t n, uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t		i, j, o = 0, pad = 0;
	uint32_t	v;
	int		d;

	if (n % 4 != 0)
		return -1;
	if (n > 0 && in[n - 1] == '=')
		pad = (in[n - 2] == '=') ? 2 : 1;
	for (i = 0; i < n; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (i + j >= n - pad) {
				v <<= 6;
				continue;
			}
			if ((d = b64_value(in[i + j])) < 0)
				return -1;
			v = (v << 6) | (uint32_t)d;
		}
		if (i + 4 == n && pad == 2 && (v & 0xffff) != 0)
			return -1;	/* unused bits of the last character */
		if (i + 4 == n && pad == 1 && (v & 0xff) != 0)
			return -1;
		for (j = 0; j < 3 - (i + 4 == n ? pad : 0); j++, o++)
			if (o < outmax)
				out[o] = (uint8_t)(v >> (16 - 8 * j));
	}
	*outlen = o;
	return 0;
}

/* --- keys --- */

int
ckpt_key_id(const char *name, const uint8_t pubkey[CKPT_PUBKEY_LEN],
    uint8_t out[CKPT_KEYID_LEN])
{
	return ckpt_key_id_typed(name, ALG_ED25519, pubkey, out);
}

int
ckpt_key_id_typed(const char *name, uint8_t alg,
    const uint8_t pubkey[CKPT_PUBKEY_LEN], uint8_t out[CKPT_KEYID_LEN])
{
	uint8_t		buf[CKPT_NAME_MAX + 2 + CKPT_PUBKEY_LEN];
	uint8_t		h[EVP_MAX_MD_SIZE];
	size_t		nlen = strlen(name), n = 0;
	unsigned int	hlen = 0;

	if (nlen > CKPT_NAME_MAX)
		return CKPT_E_MALFORMED;
	memcpy(buf, name, nlen);
	n = nlen;
	buf[n++] = '\n';
	buf[n++] = alg;
	memcpy(buf + n, pubkey, CKPT_PUBKEY_LEN);
	n += CKPT_PUBKEY_LEN;
	if (EVP_Digest(buf, n, h, &hlen, EVP_sha256(), NULL) != 1 || hlen < 4) {
		ERR_clear_error();
		return CKPT_E_INTERNAL;
	}
	memcpy(out, h, CKPT_KEYID_LEN);
	return CKPT_OK;
}

int
ckpt_verifier_format(const struct ckpt_verifier *v, char *out, size_t outsz)
{
	return ckpt_verifier_format_typed(v, ALG_ED25519, out, outsz);
}

int
ckpt_verifier_format_typed(const struct ckpt_verifier *v, uint8_t alg,
    char *out, size_t outsz)
{
	uint8_t		key[1 + CKPT_PUBKEY_LEN];
	char		b64[4 * ((sizeof(key) + 2) / 3) + 1];
	int		n;

	key[0] = alg;
	memcpy(key + 1, v->pubkey, CKPT_PUBKEY_LEN);
	b64_encode(key, sizeof(key), b64);
	n = snprintf(out, outsz, "%s+%02x%02x%02x%02x+%s", v->name, v->keyid[0],
	    v->keyid[1], v->keyid[2], v->keyid[3], b64);
	if (n < 0 || (size_t)n >= outsz)
		return CKPT_E_SPACE;
	return CKPT_OK;
}

int
ckpt_verifier_parse(struct ckpt_verifier *v, const char *s, size_t len)
{
	return ckpt_verifier_parse_typed(v, ALG_ED25519, s, len);
}

int
ckpt_verifier_parse_typed(struct ckpt_verifier *v, uint8_t alg, const char *s,
    size_t len)
{
	struct ckpt_verifier	 nv;
	const char		*p1, *p2, *hex;
	uint8_t			 key[1 + CKPT_PUBKEY_LEN], id[CKPT_KEYID_LEN];
	size_t			 namelen, keylen;

	memset(&nv, 0, sizeof(nv));	/* comparable with memcmp() */
	if (memchr(s, '\0', len) != NULL)
		return CKPT_E_MALFORMED;
	if ((p1 = memchr(s, '+', len)) == NULL)
		return CKPT_E_MALFORMED;
	namelen = (size_t)(p1 - s);
	hex = p1 + 1;
	p2 = memchr(hex, '+', len - namelen - 1);
	if (p2 == NULL || p2 - hex != 2 * CKPT_KEYID_LEN)
		return CKPT_E_MALFORMED;
	if (namelen > CKPT_NAME_MAX || !name_valid(s, namelen))
		return CKPT_E_MALFORMED;
	if (hex_decode(hex, 2 * CKPT_KEYID_LEN, nv.keyid, sizeof(nv.keyid),
	    &keylen) != 0)
		return CKPT_E_MALFORMED;
	if (b64_decode(p2 + 1, len - (size_t)(p2 + 1 - s), key, sizeof(key),
	    &keylen) != 0 || keylen != sizeof(key) || key[0] != alg)
		return CKPT_E_MALFORMED;
	memcpy(nv.name, s, namelen);
	nv.name[namelen] = '\0';
	memcpy(nv.pubkey, key + 1, CKPT_PUBKEY_LEN);
	if (ckpt_key_id_typed(nv.name, alg, nv.pubkey, id) != CKPT_OK ||
	    memcmp(id, nv.keyid, CKPT_KEYID_LEN) != 0)
		return CKPT_E_MALFORMED;
	*v = nv;
	return CKPT_OK;
}

/*
 * Read a whole small file into buf; -1 with err set when it cannot be read
 * or holds cap bytes or more.
 */
static int
read_small(const char *path, uint8_t *buf, size_t cap, size_t *len, char *err,
    size_t errsz)
{
	ssize_t	r;
	size_t	n = 0;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		set_err(err, errsz, path, strerror(errno));
		return -1;
	}
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			set_err(err, errsz, path, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n >= cap) {
		set_err(err, errsz, path, "file too large");
		return -1;
	}
	*len = n;
	return 0;
}

int
ckpt_verifier_load(struct ckpt_verifier *v, const char *path, char *err,
    size_t errsz)
{
	return ckpt_verifier_load_typed(v, ALG_ED25519, path, "not a verifier "
	    "key (expected name+keyid+base64 of an Ed25519 key)", err, errsz);
}

int
ckpt_verifier_load_typed(struct ckpt_verifier *v, uint8_t alg,
    const char *path, const char *what, char *err, size_t errsz)
{
	uint8_t	buf[VERIFIER_FILE_MAX];
	size_t	len;

	if (read_small(path, buf, sizeof(buf), &len, err, errsz) != 0)
		return CKPT_E_MALFORMED;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (ckpt_verifier_parse_typed(v, alg, (const char *)buf, len) !=
	    CKPT_OK) {
		set_err(err, errsz, path, what);
		return CKPT_E_MALFORMED;
	}
	return CKPT_OK;
}

/* Refuse to prompt for a passphrase: an encrypted key is an error. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int
ckpt_signer_load(struct ckpt_signer **out, const char *path, const char *name,
    char *err, size_t errsz)
{
	struct ckpt_signer	*s = NULL;
	uint8_t			 buf[KEY_FILE_MAX];
	size_t			 len = 0, publen = CKPT_PUBKEY_LEN, nlen = strlen(name);
	BIO			*bio = NULL;
	int			 rc = CKPT_E_MALFORMED;

	*out = NULL;
	if (nlen > CKPT_NAME_MAX || !name_valid(name, nlen)) {
		set_err(err, errsz, name, "invalid checkpoint key name "
		    "(no spaces or '+', at most 255 bytes)");
		return CKPT_E_MALFORMED;
	}
	if (read_small(path, buf, sizeof(buf), &len, err, errsz) != 0)
		goto fail;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		set_err(err, errsz, path, strerror(errno));
		rc = CKPT_E_INTERNAL;
		goto fail;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		set_err(err, errsz, path, "out of memory");
		rc = CKPT_E_INTERNAL;
		goto fail;
	}
	s->pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (s->pkey == NULL) {
		set_err(err, errsz, path,
		    "not an unencrypted PEM private key");
		goto fail;
	}
	if (!EVP_PKEY_is_a(s->pkey, "ED25519")) {
		set_err(err, errsz, path, "not an Ed25519 key "
		    "(make one with: openssl genpkey -algorithm ed25519)");
		goto fail;
	}
	if (EVP_PKEY_get_raw_public_key(s->pkey, s->pub.pubkey, &publen) != 1 ||
	    publen != CKPT_PUBKEY_LEN) {
		set_err(err, errsz, path, "cannot read the public key");
		rc = CKPT_E_INTERNAL;
		goto fail;
	}
	memcpy(s->pub.name, name, nlen + 1);
	if ((rc = ckpt_key_id(name, s->pub.pubkey, s->pub.keyid)) != CKPT_OK) {
		set_err(err, errsz, path, "cannot compute the key id");
		goto fail;
	}
	BIO_free(bio);
	OPENSSL_cleanse(buf, sizeof(buf));
	*out = s;
	return CKPT_OK;
fail:
	BIO_free(bio);
	OPENSSL_cleanse(buf, sizeof(buf));
	ckpt_signer_free(s);
	ERR_clear_error();
	return rc;
}

void
ckpt_signer_free(struct ckpt_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pkey);		/* wipes the private key */
	free(s);
}

const struct ckpt_verifier *
ckpt_signer_verifier(const struct ckpt_signer *s)
{
	return &s->pub;
}

/* --- notes --- */

/*
 * Split and validate a note; fill lines[] with its signature lines.
 * CKPT_OK or CKPT_E_MALFORMED.
 */
static int
note_parse(const char *note, size_t len, size_t *textlen,
    struct ckpt_sigline lines[CKPT_SIGS_MAX], size_t *nlines)
{
	const char	*nl, *sp;
	size_t		 split, pos, end, n = 0, dlen;

	if (len == 0 || len > CKPT_NOTE_MAX || !text_valid(note, len, 1))
		return CKPT_E_MALFORMED;
	/* The text ends at the last blank line: signature lines are never empty. */
	for (split = len - 1; split > 0; split--)
		if (note[split - 1] == '\n' && note[split] == '\n')
			break;
	if (split == 0)
		return CKPT_E_MALFORMED;
	split--;	/* index of the first of the two newlines */
	pos = split + 2;
	if (pos >= len || note[len - 1] != '\n')
		return CKPT_E_MALFORMED;
	while (pos < len) {
		nl = memchr(note + pos, '\n', len - pos);
		end = (size_t)(nl - note);
		if (n == CKPT_SIGS_MAX)
			return CKPT_E_MALFORMED;
		if (end - pos < SIG_PREFIX_LEN ||
		    memcmp(note + pos, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
			return CKPT_E_MALFORMED;
		pos += SIG_PREFIX_LEN;
		if ((sp = memchr(note + pos, ' ', end - pos)) == NULL)
			return CKPT_E_MALFORMED;
		lines[n].name = pos;
		lines[n].namelen = (size_t)(sp - note) - pos;
		lines[n].b64 = (size_t)(sp - note) + 1;
		lines[n].b64len = end - lines[n].b64;
		if (!name_valid(note + lines[n].name, lines[n].namelen) ||
		    lines[n].b64len == 0 ||
		    b64_decode(note + lines[n].b64, lines[n].b64len, NULL, 0,
		    &dlen) != 0 || dlen < CKPT_KEYID_LEN + 1)
			return CKPT_E_MALFORMED;
		n++;
		pos = end + 1;
	}
	*textlen = split + 1;
	*nlines = n;
	return CKPT_OK;
}

int
ckpt_note_lines(const char *note, size_t len, size_t *textlen,
    struct ckpt_sigline lines[CKPT_SIGS_MAX], size_t *nlines)
{
	return note_parse(note, len, textlen, lines, nlines);
}

int
ckpt_note_split(const char *note, size_t len, size_t *textlen)
{
	struct ckpt_sigline	lines[CKPT_SIGS_MAX];
	size_t		n;

	return note_parse(note, len, textlen, lines, &n);
}

int
ckpt_ed25519_verify(const uint8_t pub[CKPT_PUBKEY_LEN], const uint8_t *sig,
    const char *msg, size_t len)
{
	EVP_PKEY	*pkey = NULL;
	EVP_MD_CTX	*ctx = NULL;
	int		 rc = CKPT_E_INTERNAL, r;

	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    CKPT_PUBKEY_LEN);
	if (pkey == NULL) {
		rc = CKPT_E_BAD_SIG;	/* not a usable public key */
		goto fail;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1)
		goto fail;
	r = EVP_DigestVerify(ctx, sig, CKPT_SIG_LEN, (const uint8_t *)msg, len);
	rc = (r == 1) ? CKPT_OK : CKPT_E_BAD_SIG;
fail:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

int
ckpt_note_verify(const struct ckpt_verifier *v, const char *note, size_t len,
    size_t *textlen)
{
	struct ckpt_sigline	lines[CKPT_SIGS_MAX];
	uint8_t		blob[SIG_BLOB_LEN];
	size_t		n, i, tlen, blen, vlen = strlen(v->name);
	int		rc, found = 0;

	if ((rc = note_parse(note, len, &tlen, lines, &n)) != CKPT_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (lines[i].namelen != vlen ||
		    memcmp(note + lines[i].name, v->name, vlen) != 0)
			continue;
		(void)b64_decode(note + lines[i].b64, lines[i].b64len, blob,
		    sizeof(blob), &blen);
		if (memcmp(blob, v->keyid, CKPT_KEYID_LEN) != 0)
			continue;	/* same name, another key */
		if (blen != SIG_BLOB_LEN)
			return CKPT_E_BAD_SIG;
		rc = ckpt_ed25519_verify(v->pubkey, blob + CKPT_KEYID_LEN, note, tlen);
		if (rc != CKPT_OK)
			return rc;
		found = 1;
	}
	if (!found)
		return CKPT_E_UNSIGNED;
	*textlen = tlen;
	return CKPT_OK;
}

int
ckpt_note_sign(const struct ckpt_signer *s, const char *text, size_t textlen,
    char *out, size_t outsz, size_t *outlen)
{
	EVP_MD_CTX	*ctx = NULL;
	uint8_t		 blob[SIG_BLOB_LEN];
	char		 b64[SIG_B64_LEN + 1];
	size_t		 siglen = CKPT_SIG_LEN, nlen = strlen(s->pub.name), total;
	int		 rc = CKPT_E_INTERNAL;

	if (textlen == 0 || text[textlen - 1] != '\n' ||
	    !text_valid(text, textlen, 1))
		return CKPT_E_MALFORMED;
	total = textlen + 1 + SIG_PREFIX_LEN + nlen + 1 + SIG_B64_LEN + 1;
	if (total > CKPT_NOTE_MAX)
		return CKPT_E_MALFORMED;
	if (total >= outsz)
		return CKPT_E_SPACE;
	memcpy(blob, s->pub.keyid, CKPT_KEYID_LEN);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1)
		goto fail;
	if (EVP_DigestSign(ctx, blob + CKPT_KEYID_LEN, &siglen,
	    (const uint8_t *)text, textlen) != 1 || siglen != CKPT_SIG_LEN)
		goto fail;
	b64_encode(blob, sizeof(blob), b64);
	memcpy(out, text, textlen);
	snprintf(out + textlen, outsz - textlen, "\n%s%s %s\n", SIG_PREFIX,
	    s->pub.name, b64);
	*outlen = total;
	rc = CKPT_OK;
fail:
	EVP_MD_CTX_free(ctx);
	if (rc != CKPT_OK)
		ERR_clear_error();
	return rc;
}

/* --- checkpoint bodies --- */

int
ckpt_format(const struct ckpt *c, char *out, size_t outsz, size_t *outlen)
{
	char	b64[4 * ((CKPT_ROOT_LEN + 2) / 3) + 1];
	size_t	olen = strnlen(c->origin, sizeof(c->origin));
	int	n;

	if (olen == 0 || olen > CKPT_NAME_MAX || !text_valid(c->origin, olen, 0))
		return CKPT_E_MALFORMED;
	b64_encode(c->root, CKPT_ROOT_LEN, b64);
	n = snprintf(out, outsz, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
	if (n < 0 || (size_t)n >= outsz)
		return CKPT_E_SPACE;
	*outlen = (size_t)n;
	return CKPT_OK;
}

int
ckpt_parse(struct ckpt *c, const char *text, size_t len)
{
	struct ckpt	 nc;
	const char	*nl;
	size_t		 pos = 0, end, line = 0, i, rlen;
	uint64_t	 v, d;

	memset(&nc, 0, sizeof(nc));
	while (pos < len) {
		if ((nl = memchr(text + pos, '\n', len - pos)) == NULL)
			return CKPT_E_MALFORMED;	/* unterminated line */
		end = (size_t)(nl - text);
		if (end == pos || !text_valid(text + pos, end - pos, 0))
			return CKPT_E_MALFORMED;	/* empty or unprintable line */
		switch (line) {
		case 0:
			if (end - pos > CKPT_NAME_MAX)
				return CKPT_E_MALFORMED;
			memcpy(nc.origin, text + pos, end - pos);
			nc.origin[end - pos] = '\0';
			break;
		case 1:
			if (end - pos > 20 || (text[pos] == '0' && end - pos > 1))
				return CKPT_E_MALFORMED;
			for (v = 0, i = pos; i < end; i++) {
				if (text[i] < '0' || text[i] > '9')
					return CKPT_E_MALFORMED;
				d = (uint64_t)(text[i] - '0');
				if (v > (UINT64_MAX - d) / 10)
					return CKPT_E_MALFORMED;
				v = v * 10 + d;
			}
			nc.size = v;
			break;
		case 2:
			if (b64_decode(text + pos, end - pos, nc.root,
			    sizeof(nc.root), &rlen) != 0 || rlen != CKPT_ROOT_LEN)
				return CKPT_E_MALFORMED;
			break;
		default:
			break;	/* extension line: signed, otherwise ignored */
		}
		line++;
		pos = end + 1;
	}
	if (line < 3)
		return CKPT_E_MALFORMED;
	*c = nc;
	return CKPT_OK;
}

int
ckpt_sign(const struct ckpt_signer *s, const struct ckpt *c, char *out,
    size_t outsz, size_t *outlen)
{
	char	body[CKPT_BODY_MAX];
	size_t	blen;
	int	rc;

	if ((rc = ckpt_format(c, body, sizeof(body), &blen)) != CKPT_OK)
		return rc == CKPT_E_SPACE ? CKPT_E_INTERNAL : rc;
	return ckpt_note_sign(s, body, blen, out, outsz, outlen);
}

int
ckpt_open(struct ckpt *c, const struct ckpt_verifier *v, const char *note,
    size_t len)
{
	struct ckpt	nc;
	size_t		tlen;
	int		rc;

	if (v != NULL)
		rc = ckpt_note_verify(v, note, len, &tlen);
	else
		rc = ckpt_note_split(note, len, &tlen);
	if (rc != CKPT_OK)
		return rc;
	if ((rc = ckpt_parse(&nc, note, tlen)) != CKPT_OK)
		return rc;
	if (v != NULL && strcmp(nc.origin, v->name) != 0)
		return CKPT_E_ORIGIN;
	*c = nc;
	return CKPT_OK;
}

/* --- building blocks for other note signature types (cosign.c) --- */

int
ckpt_name_valid(const char *s, size_t len)
{
	return len <= CKPT_NAME_MAX && name_valid(s, len);
}

size_t
ckpt_b64_encode(const uint8_t *in, size_t n, char *out)
{
	return b64_encode(in, n, out);
}

int
ckpt_b64_decode(const char *in, size_t n, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	return b64_decode(in, n, out, outmax, outlen) == 0 ? CKPT_OK :
	    CKPT_E_MALFORMED;
}

int
ckpt_signer_sign_raw(const struct ckpt_signer *s, const void *msg, size_t len,
    uint8_t sig[CKPT_SIG_LEN])
{
	EVP_MD_CTX	*ctx = NULL;
	size_t		 siglen = CKPT_SIG_LEN;
	int		 rc = CKPT_E_INTERNAL;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1)
		goto fail;
	if (EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 ||
	    siglen != CKPT_SIG_LEN)
		goto fail;
	rc = CKPT_OK;
fail:
	EVP_MD_CTX_free(ctx);
	if (rc != CKPT_OK)
		ERR_clear_error();
	return rc;
}
