/*
 * cosign.c - C2SP tlog-cosignature/v1 (Ed25519, type 0x04) over the notes
 * of checkpoint.c (see cosign.h for the formats and the API).
 *
 * Both ends run this code: ledgerctl signs as a witness and checks the
 * cosignatures a server hands it for --quorum; the daemon checks a
 * cosignature before it stores it.  Neither end trusts the other's bytes,
 * so every parse reuses checkpoint.c's strict note parser (UTF-8, caps,
 * canonical base64) and checks lengths before it copies.
 *
 * The key handling follows the log's own: a witness key is an Ed25519 key
 * loaded by ckpt_signer_load(), whose identity differs only in the type
 * byte (0x04 instead of 0x01) hashed into its key id and prefixed to its
 * public key in the verifier string.  Keeping the two types apart matters:
 * a verifier string of one type is refused where the other is expected,
 * so a witness key can never be mistaken for the log's key.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "cosign.h"
#include "wire.h"

#define HEADER		"cosignature/v1\n"
#define HEADER_LEN	15
#define SIG_PREFIX	"\xe2\x80\x94 "		/* U+2014 EM DASH, space */
#define BLOB_LEN	(CKPT_KEYID_LEN + 8 + CKPT_SIG_LEN)	/* 76 */
#define BLOB_B64_LEN	104

static void
set_err(char *err, size_t errsz, const char *path, const char *why)
{
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "%s: %s", path, why);
}

int
cosign_key_id(const char *name, const uint8_t pubkey[CKPT_PUBKEY_LEN],
    uint8_t out[CKPT_KEYID_LEN])
{
	return ckpt_key_id_typed(name, COSIGN_ALG, pubkey, out);
}

int
cosign_signer_load(struct ckpt_signer **out, struct ckpt_verifier *wkey,
    const char *path, const char *name, char *err, size_t errsz)
{
	const struct ckpt_verifier	*v;
	int				 rc;

	if ((rc = ckpt_signer_load(out, path, name, err, errsz)) != CKPT_OK)
		return rc;
	v = ckpt_signer_verifier(*out);
	memset(wkey, 0, sizeof(*wkey));
	memcpy(wkey->name, v->name, sizeof(wkey->name));
	memcpy(wkey->pubkey, v->pubkey, CKPT_PUBKEY_LEN);
	if ((rc = cosign_key_id(wkey->name, wkey->pubkey, wkey->keyid)) !=
	    CKPT_OK) {
		set_err(err, errsz, path, "cannot compute the key id");
		ckpt_signer_free(*out);
		*out = NULL;
	}
	return rc;
}

int
cosign_verifier_format(const struct ckpt_verifier *v, char *out, size_t outsz)
{
	return ckpt_verifier_format_typed(v, COSIGN_ALG, out, outsz);
}

int
cosign_verifier_parse(struct ckpt_verifier *v, const char *s, size_t len)
{
	return ckpt_verifier_parse_typed(v, COSIGN_ALG, s, len);
}

int
cosign_verifier_load(struct ckpt_verifier *v, const char *path, char *err,
    size_t errsz)
{
	return ckpt_verifier_load_typed(v, COSIGN_ALG, path, "not a witness "
	    "key (expected name+keyid+base64 of type 0x04, as ledgerctl "
	    "cosigner-key prints)", err, errsz);
}

int
cosign_message(uint64_t ts, const char *body, size_t blen, char *out,
    size_t outsz, size_t *outlen)
{
	int	n;

	if (ts > (uint64_t)COSIGN_TIME_MAX || blen == 0 ||
	    body[blen - 1] != '\n')
		return CKPT_E_MALFORMED;
	n = snprintf(out, outsz, HEADER "time %" PRIu64 "\n", ts);
	if (n < 0 || (size_t)n >= outsz || outsz - (size_t)n <= blen)
		return CKPT_E_SPACE;
	memcpy(out + n, body, blen);
	out[(size_t)n + blen] = '\0';
	*outlen = (size_t)n + blen;
	return CKPT_OK;
}

int
cosign_line(const struct ckpt_signer *s, const struct ckpt_verifier *wkey,
    uint64_t ts, const char *body, size_t blen, char *line, size_t linesz,
    size_t *linelen)
{
	char	msg[COSIGN_HEADER_MAX + CKPT_NOTE_MAX + 1];
	char	b64[BLOB_B64_LEN + 1];
	uint8_t	blob[BLOB_LEN];
	size_t	mlen;
	int	rc, n;

	if (blen > CKPT_NOTE_MAX)
		return CKPT_E_MALFORMED;
	if ((rc = cosign_message(ts, body, blen, msg, sizeof(msg), &mlen)) !=
	    CKPT_OK)
		return rc == CKPT_E_SPACE ? CKPT_E_MALFORMED : rc;
	memcpy(blob, wkey->keyid, CKPT_KEYID_LEN);
	be64_put(blob + CKPT_KEYID_LEN, ts);
	if ((rc = ckpt_signer_sign_raw(s, msg, mlen,
	    blob + CKPT_KEYID_LEN + 8)) != CKPT_OK)
		return rc;
	ckpt_b64_encode(blob, sizeof(blob), b64);
	n = snprintf(line, linesz, SIG_PREFIX "%s %s\n", wkey->name, b64);
	if (n < 0 || (size_t)n >= linesz)
		return CKPT_E_SPACE;
	*linelen = (size_t)n;
	return CKPT_OK;
}

int
cosign_find(const struct ckpt_verifier *wkey, const char *note, size_t len,
    uint64_t *ts, size_t *lineoff, size_t *linelen)
{
	struct ckpt_sigline	 lines[CKPT_SIGS_MAX];
	char			*msg = NULL;
	uint8_t			 blob[BLOB_LEN];
	size_t			 n, i, tlen, blen, mlen, vlen = strlen(wkey->name);
	uint64_t		 t;
	int			 rc, found = 0;

	if ((rc = ckpt_note_lines(note, len, &tlen, lines, &n)) != CKPT_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (lines[i].namelen != vlen ||
		    memcmp(note + lines[i].name, wkey->name, vlen) != 0)
			continue;
		(void)ckpt_b64_decode(note + lines[i].b64, lines[i].b64len,
		    blob, sizeof(blob), &blen);
		if (memcmp(blob, wkey->keyid, CKPT_KEYID_LEN) != 0)
			continue;	/* same name, another key */
		if (blen != BLOB_LEN) {
			rc = CKPT_E_BAD_SIG;
			goto out;
		}
		t = be64_get(blob + CKPT_KEYID_LEN);
		if (msg == NULL &&
		    (msg = malloc(COSIGN_HEADER_MAX + CKPT_NOTE_MAX + 1)) == NULL) {
			rc = CKPT_E_INTERNAL;
			goto out;
		}
		if (cosign_message(t, note, tlen, msg,
		    COSIGN_HEADER_MAX + CKPT_NOTE_MAX + 1, &mlen) != CKPT_OK) {
			rc = CKPT_E_BAD_SIG;	/* a timestamp above 2^63 - 1 */
			goto out;
		}
		rc = ckpt_ed25519_verify(wkey->pubkey, blob + CKPT_KEYID_LEN + 8,
		    msg, mlen);
		if (rc != CKPT_OK)
			goto out;
		if (!found) {
			if (ts != NULL)
				*ts = t;
			/* The line starts at its prefix, 4 bytes before the name. */
			if (lineoff != NULL)
				*lineoff = lines[i].name - 4;
			if (linelen != NULL)
				*linelen = lines[i].b64 + lines[i].b64len + 1 -
				    (lines[i].name - 4);
		}
		found = 1;
	}
	rc = found ? CKPT_OK : CKPT_E_UNSIGNED;
out:
	free(msg);
	return rc;
}

int
cosign_note_strip(const struct ckpt_verifier *logkey, const char *note,
    size_t len, char *out, size_t outsz, size_t *outlen)
{
	struct ckpt_sigline	 lines[CKPT_SIGS_MAX];
	uint8_t			 id[CKPT_SIG_LEN + CKPT_KEYID_LEN];
	size_t			 n, i, tlen, dlen, o, start, end;
	size_t			 vlen = strlen(logkey->name);
	int			 rc, kept = 0;

	if ((rc = ckpt_note_lines(note, len, &tlen, lines, &n)) != CKPT_OK)
		return rc;
	if (tlen + 1 >= outsz)
		return CKPT_E_SPACE;
	memcpy(out, note, tlen + 1);	/* the text and the blank line */
	o = tlen + 1;
	for (i = 0; i < n; i++) {
		if (lines[i].namelen != vlen ||
		    memcmp(note + lines[i].name, logkey->name, vlen) != 0)
			continue;
		(void)ckpt_b64_decode(note + lines[i].b64, lines[i].b64len, id,
		    sizeof(id), &dlen);
		if (memcmp(id, logkey->keyid, CKPT_KEYID_LEN) != 0)
			continue;
		start = lines[i].name - 4;
		end = lines[i].b64 + lines[i].b64len + 1;
		if (o + (end - start) >= outsz)
			return CKPT_E_SPACE;
		memcpy(out + o, note + start, end - start);
		o += end - start;
		kept++;
	}
	if (kept == 0)
		return CKPT_E_UNSIGNED;
	out[o] = '\0';
	*outlen = o;
	return CKPT_OK;
}
