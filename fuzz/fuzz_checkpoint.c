/*
 * fuzz_checkpoint.c - the signed-note and checkpoint parsers of
 * proto/checkpoint.h.
 *
 * These run in ledgerctl on text from a server an auditor does not trust
 * (every PROOF and CHECKPOINT_OK carries a note) and on verifier strings
 * users paste.  The first input byte picks the entry point, the rest is
 * its input, passed without a NUL terminator as the headers allow:
 *
 *   's'  ckpt_note_split, then ckpt_parse of the text it found
 *   'p'  ckpt_parse of a checkpoint body
 *   'v'  ckpt_verifier_parse
 *   'o'  ckpt_open without a verifier
 *   'V'  ckpt_note_verify and ckpt_open with the fuzz key (fuzz.h), so
 *        the signature path runs on the seeds that gen_corpus signed
 *
 * Properties: an accepted body formats back to the bytes it was parsed
 * from (followed only by extension lines); an accepted verifier string
 * formats back to itself but for the case of its hex key id, which Go's
 * parser also takes in either case (base64 is canonical: no other
 * difference is allowed); a note that verifies is also well formed, and
 * its checkpoint's origin is the key's name.
 */
#include <string.h>

#include <openssl/evp.h>

#include "checkpoint.h"
#include "fuzz.h"

/* The fuzz key's verifier, derived once from the fixed seed. */
static const struct ckpt_verifier *
fuzz_verifier(void)
{
	static struct ckpt_verifier	 v;
	static int			 done;
	EVP_PKEY			*pk;
	size_t				 publen = CKPT_PUBKEY_LEN;

	if (done)
		return &v;
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
	    (const unsigned char *)FUZZ_KEY_SEED, 32);
	FUZZ_CHECK(pk != NULL);
	FUZZ_CHECK(EVP_PKEY_get_raw_public_key(pk, v.pubkey, &publen) == 1);
	EVP_PKEY_free(pk);
	snprintf(v.name, sizeof(v.name), "%s", FUZZ_KEY_NAME);
	FUZZ_CHECK(ckpt_key_id(v.name, v.pubkey, v.keyid) == CKPT_OK);
	done = 1;
	return &v;
}

/* An accepted body is its formatted checkpoint plus extension lines. */
static void
check_body(const char *text, size_t len)
{
	struct ckpt	 ck;
	char		 out[CKPT_BODY_MAX];
	size_t		 outlen;

	if (ckpt_parse(&ck, text, len) != CKPT_OK)
		return;
	FUZZ_CHECK(memchr(ck.origin, '\0', sizeof(ck.origin)) != NULL);
	FUZZ_CHECK(ckpt_format(&ck, out, sizeof(out), &outlen) == CKPT_OK);
	FUZZ_CHECK(outlen <= len && memcmp(out, text, outlen) == 0);
}

static void
do_split(const char *note, size_t len)
{
	size_t	 tl = 0;

	if (ckpt_note_split(note, len, &tl) != CKPT_OK)
		return;
	FUZZ_CHECK(len <= CKPT_NOTE_MAX);
	FUZZ_CHECK(tl >= 1 && tl < len);
	FUZZ_CHECK(note[tl - 1] == '\n' && note[tl] == '\n');
	check_body(note, tl);
}

static void
do_verifier(const char *s, size_t len)
{
	struct ckpt_verifier	 v;
	char			 out[CKPT_VERIFIER_MAX], in[CKPT_VERIFIER_MAX];
	size_t			 i, namelen;

	if (ckpt_verifier_parse(&v, s, len) != CKPT_OK)
		return;
	FUZZ_CHECK(memchr(v.name, '\0', sizeof(v.name)) != NULL);
	FUZZ_CHECK(ckpt_verifier_format(&v, out, sizeof(out)) == CKPT_OK);
	FUZZ_CHECK(len < sizeof(in));
	memcpy(in, s, len);
	in[len] = '\0';
	/* The key id may be typed in either case, as Go's parser allows. */
	namelen = strlen(v.name);
	FUZZ_CHECK(len > namelen + 1 + 2 * CKPT_KEYID_LEN);
	for (i = namelen + 1; i < namelen + 1 + 2 * CKPT_KEYID_LEN; i++)
		if (in[i] >= 'A' && in[i] <= 'F')
			in[i] = (char)(in[i] - 'A' + 'a');
	FUZZ_CHECK(strcmp(out, in) == 0);
}

static void
do_open(const char *note, size_t len)
{
	struct ckpt	 ck;
	size_t		 tl = 0;

	if (ckpt_open(&ck, NULL, note, len) != CKPT_OK)
		return;
	FUZZ_CHECK(ckpt_note_split(note, len, &tl) == CKPT_OK);
	FUZZ_CHECK(ckpt_parse(&ck, note, tl) == CKPT_OK);
}

static void
do_verify(const char *note, size_t len)
{
	const struct ckpt_verifier	*v = fuzz_verifier();
	struct ckpt			 ck;
	size_t				 tl = 0, tl2 = 0;
	int				 rc;

	rc = ckpt_note_verify(v, note, len, &tl);
	FUZZ_CHECK(rc == CKPT_OK || rc == CKPT_E_MALFORMED ||
	    rc == CKPT_E_UNSIGNED || rc == CKPT_E_BAD_SIG);
	if (rc == CKPT_OK) {
		FUZZ_CHECK(ckpt_note_split(note, len, &tl2) == CKPT_OK);
		FUZZ_CHECK(tl == tl2);
	}
	rc = ckpt_open(&ck, v, note, len);
	if (rc == CKPT_OK)
		FUZZ_CHECK(strcmp(ck.origin, v->name) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;
	size_t		 n;

	if (size < 1)
		return 0;
	n = size - 1;
	switch (data[0]) {
	case 's':
		do_split(s, n);
		break;
	case 'p':
		check_body(s, n);
		break;
	case 'v':
		do_verifier(s, n);
		break;
	case 'o':
		do_open(s, n);
		break;
	case 'V':
		do_verify(s, n);
		break;
	default:
		break;
	}
	return 0;
}
