/*
 * test_checkpoint.c - signed checkpoints (proto/checkpoint.c).
 *
 * What an auditor relies on: a note signed by the published Go example key
 * verifies with our code byte for byte, any altered byte does not, a note
 * by another key does not, and nothing a hostile server sends can crash the
 * parser.  Keys are made inside the test, in a mkdtemp() directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "checkpoint.h"

/*
 * The private key of Go's golang.org/x/mod/sumdb/note documentation example
 * ("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"):
 * the Ed25519 seed after the 0x01 algorithm byte.  Ed25519 signatures are
 * deterministic, so signing the example text with it must reproduce the
 * published note exactly.
 */
static const char go_private_b64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

static char	tmpdir[64];
static char	go_verifier[512];
static char	go_note[1024];
static size_t	go_note_len;
static char	go_text[1024];
static size_t	go_text_len;

/* --- helpers --- */

static void
path_in_tmp(char *out, size_t outsz, const char *name)
{
	snprintf(out, outsz, "%s/%s", tmpdir, name);
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char	 path[256];
	FILE	*fp;

	path_in_tmp(path, sizeof(path), name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Write pkey as PEM (PKCS#8), encrypted with "secret" when enc. */
static void
write_key(const char *name, EVP_PKEY *pkey, int enc)
{
	char	 path[256];
	FILE	*fp;

	path_in_tmp(path, sizeof(path), name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	if (enc)
		assert_int_equal(PEM_write_PKCS8PrivateKey(fp, pkey,
		    EVP_aes_256_cbc(), "secret", 6, NULL, NULL), 1);
	else
		assert_int_equal(PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0,
		    NULL, NULL), 1);
	assert_int_equal(fclose(fp), 0);
}

static struct ckpt_signer *
load_signer(const char *file, const char *name)
{
	struct ckpt_signer	*s = NULL;
	char			 path[256], err[512] = "";

	path_in_tmp(path, sizeof(path), file);
	if (ckpt_signer_load(&s, path, name, err, sizeof(err)) != CKPT_OK)
		fail_msg("load %s: %s", path, err);
	return s;
}

static size_t
b64dec(const char *in, uint8_t *out, size_t max)
{
	EVP_ENCODE_CTX	*ctx = EVP_ENCODE_CTX_new();
	int		 n = 0, m = 0;

	assert_non_null(ctx);
	assert_true(strlen(in) / 4 * 3 <= max + 2);
	EVP_DecodeInit(ctx);
	assert_true(EVP_DecodeUpdate(ctx, out, &n, (const unsigned char *)in,
	    (int)strlen(in)) >= 0);
	assert_int_equal(EVP_DecodeFinal(ctx, out + n, &m), 1);
	EVP_ENCODE_CTX_free(ctx);
	return (size_t)(n + m);
}

/*
 * Read the Go example from the shared vectors: the verifier line and the
 * commented signed note after "# Signed note".
 */
static int
setup(void **state)
{
	const char	*dir = getenv("LD_TEST_VECTORS");
	char		 path[4096], line[512];
	int		 in_note = 0;
	size_t		 n;
	FILE		*fp;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_checkpoint.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/rfc6962.txt", dir ? dir : "tests/vectors");
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s: %s (set LD_TEST_VECTORS)\n",
		    path, strerror(errno));
		return -1;
	}
	go_note_len = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "verifier ", 9) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(go_verifier, sizeof(go_verifier), "%s", line + 9);
		} else if (strncmp(line, "# Signed note", 13) == 0) {
			in_note = 1;
		} else if (in_note && line[0] == '#') {
			/* "# text" or a bare "#" for the blank line */
			const char *t = line[1] == ' ' ? line + 2 : line + 1;

			n = strlen(t);
			if (go_note_len + n >= sizeof(go_note))
				break;
			memcpy(go_note + go_note_len, t, n);
			go_note_len += n;
		}
	}
	fclose(fp);
	go_note[go_note_len] = '\0';
	if (go_verifier[0] == '\0' || go_note_len == 0)
		return -1;
	/* The text is everything before the blank line. */
	go_text_len = (size_t)(strstr(go_note, "\n\n") - go_note) + 1;
	memcpy(go_text, go_note, go_text_len);
	go_text[go_text_len] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- the published Go example --- */

static void
test_go_example_verifies(void **state)
{
	struct ckpt_verifier	v;
	char			fmt[CKPT_VERIFIER_MAX];
	size_t			tlen = 0;

	(void)state;
	assert_true(strncmp(go_note, "If you think cryptography", 25) == 0);
	assert_int_equal(ckpt_verifier_parse(&v, go_verifier, strlen(go_verifier)),
	    CKPT_OK);
	assert_string_equal(v.name, "PeterNeumann");
	assert_memory_equal(v.keyid, "\xc7\x4f\x20\xa3", 4);
	assert_int_equal(ckpt_verifier_format(&v, fmt, sizeof(fmt)), CKPT_OK);
	assert_string_equal(fmt, go_verifier);
	assert_int_equal(ckpt_note_verify(&v, go_note, go_note_len, &tlen), CKPT_OK);
	assert_int_equal(tlen, go_text_len);
	assert_int_equal(ckpt_note_split(go_note, go_note_len, &tlen), CKPT_OK);
	assert_int_equal(tlen, go_text_len);
	/* Not a checkpoint body: opening it as one fails after the signature. */
	assert_int_equal(ckpt_open(&(struct ckpt){ 0 }, &v, go_note, go_note_len),
	    CKPT_E_MALFORMED);
}

static void
test_go_example_any_altered_bit_fails(void **state)
{
	struct ckpt_verifier	v;
	char			note[1024];
	size_t			i, tlen;
	unsigned		bit;
	unsigned long		checked = 0;

	(void)state;
	assert_int_equal(ckpt_verifier_parse(&v, go_verifier, strlen(go_verifier)),
	    CKPT_OK);
	memcpy(note, go_note, go_note_len);
	for (i = 0; i < go_note_len; i++)
		for (bit = 0; bit < 8; bit++) {
			note[i] ^= (char)(1u << bit);
			assert_int_not_equal(ckpt_note_verify(&v, note, go_note_len,
			    &tlen), CKPT_OK);
			note[i] ^= (char)(1u << bit);
			checked++;
		}
	assert_int_equal(checked, go_note_len * 8);
	/* Every truncation fails too, and so does an appended byte. */
	for (i = 0; i < go_note_len; i++)
		assert_int_not_equal(ckpt_note_verify(&v, note, i, &tlen), CKPT_OK);
	note[go_note_len] = '\n';
	assert_int_not_equal(ckpt_note_verify(&v, note, go_note_len + 1, &tlen),
	    CKPT_OK);
}

static void
test_go_private_key_reproduces_note(void **state)
{
	struct ckpt_signer	*s;
	EVP_PKEY		*pkey;
	uint8_t			 seed[64];
	char			 vs[CKPT_VERIFIER_MAX], out[1024];
	size_t			 outlen;

	(void)state;
	assert_int_equal(b64dec(go_private_b64, seed, sizeof(seed)), 33);
	assert_int_equal(seed[0], 0x01);
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed + 1, 32);
	assert_non_null(pkey);
	write_key("go.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	s = load_signer("go.pem", "PeterNeumann");
	assert_int_equal(ckpt_verifier_format(ckpt_signer_verifier(s), vs,
	    sizeof(vs)), CKPT_OK);
	assert_string_equal(vs, go_verifier);
	assert_int_equal(ckpt_note_sign(s, go_text, go_text_len, out, sizeof(out),
	    &outlen), CKPT_OK);
	assert_int_equal(outlen, go_note_len);
	assert_memory_equal(out, go_note, go_note_len);
	assert_int_equal(out[outlen], '\0');
	ckpt_signer_free(s);
}

/* --- keys --- */

static void
test_key_id(void **state)
{
	struct ckpt_verifier	v;
	uint8_t			buf[64], h[32], id[4];
	unsigned int		hlen;

	(void)state;
	assert_int_equal(ckpt_verifier_parse(&v, go_verifier, strlen(go_verifier)),
	    CKPT_OK);
	/* SHA-256("PeterNeumann" "\n" 0x01 pubkey)[0:4] = c74f20a3 */
	memcpy(buf, "PeterNeumann\n\x01", 14);
	memcpy(buf + 14, v.pubkey, 32);
	assert_int_equal(EVP_Digest(buf, 46, h, &hlen, EVP_sha256(), NULL), 1);
	assert_int_equal(ckpt_key_id("PeterNeumann", v.pubkey, id), CKPT_OK);
	assert_memory_equal(id, h, 4);
	assert_memory_equal(id, "\xc7\x4f\x20\xa3", 4);
	/* The name is part of the id. */
	assert_int_equal(ckpt_key_id("PeterNeumanm", v.pubkey, id), CKPT_OK);
	assert_memory_not_equal(id, "\xc7\x4f\x20\xa3", 4);
}

static void
test_round_trip(void **state)
{
	struct ckpt_signer	*s;
	struct ckpt_verifier	 v, v2;
	struct ckpt		 c, got;
	EVP_PKEY		*pkey;
	char			 vs[CKPT_VERIFIER_MAX], note[CKPT_NOTE_MAX];
	char			 want[512], path[256], err[256];
	size_t			 len, i;

	(void)state;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(pkey);
	write_key("ck.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	s = load_signer("ck.pem", "ledgerd.local");

	/* The verifier string parses back, and loads from a file with a newline. */
	assert_int_equal(ckpt_verifier_format(ckpt_signer_verifier(s), vs,
	    sizeof(vs)), CKPT_OK);
	assert_true(strncmp(vs, "ledgerd.local+", 14) == 0);
	assert_int_equal(strlen(vs), 14 + 8 + 1 + 44);
	assert_int_equal(ckpt_verifier_parse(&v, vs, strlen(vs)), CKPT_OK);
	assert_memory_equal(&v, ckpt_signer_verifier(s), sizeof(v));
	snprintf(want, sizeof(want), "%s\n", vs);
	write_file("ck.pub", want, strlen(want));
	path_in_tmp(path, sizeof(path), "ck.pub");
	assert_int_equal(ckpt_verifier_load(&v2, path, err, sizeof(err)), CKPT_OK);
	assert_memory_equal(&v2, &v, sizeof(v));

	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "ledgerd.local");
	c.size = 12345;
	for (i = 0; i < sizeof(c.root); i++)
		c.root[i] = (uint8_t)(i * 11);
	assert_int_equal(ckpt_sign(s, &c, note, sizeof(note), &len), CKPT_OK);
	assert_int_equal(strlen(note), len);
	/* Body, blank line, one signature line by the origin's name. */
	snprintf(want, sizeof(want), "ledgerd.local\n12345\n"
	    "AAsWISw3Qk1YY255hI+apbC7xtHc5/L9CBMeKTQ/SlU=\n\n"
	    "\xe2\x80\x94 ledgerd.local ");
	assert_true(strncmp(note, want, strlen(want)) == 0);
	assert_int_equal(len, strlen(want) + 92 + 1);	/* base64 of 68 bytes */
	assert_int_equal(note[len - 1], '\n');

	assert_int_equal(ckpt_open(&got, &v, note, len), CKPT_OK);
	assert_string_equal(got.origin, "ledgerd.local");
	assert_true(got.size == 12345);
	assert_memory_equal(got.root, c.root, 32);
	memset(&got, 0, sizeof(got));
	assert_int_equal(ckpt_open(&got, NULL, note, len), CKPT_OK);
	assert_true(got.size == 12345);

	/* Size 0 and the largest size survive the trip. */
	c.size = 0;
	assert_int_equal(ckpt_sign(s, &c, note, sizeof(note), &len), CKPT_OK);
	assert_int_equal(ckpt_open(&got, &v, note, len), CKPT_OK);
	assert_true(got.size == 0);
	c.size = UINT64_MAX;
	assert_int_equal(ckpt_sign(s, &c, note, sizeof(note), &len), CKPT_OK);
	assert_int_equal(ckpt_open(&got, &v, note, len), CKPT_OK);
	assert_true(got.size == UINT64_MAX);

	/* A short output buffer is refused, not overrun. */
	assert_int_equal(ckpt_sign(s, &c, note, len, &len), CKPT_E_SPACE);
	assert_int_equal(ckpt_verifier_format(&v, vs, 20), CKPT_E_SPACE);

	/* A checkpoint whose origin is not the key's name is refused with the key. */
	strcpy(c.origin, "other.example");
	assert_int_equal(ckpt_sign(s, &c, note, sizeof(note), &len), CKPT_OK);
	assert_int_equal(ckpt_open(&got, &v, note, len), CKPT_E_ORIGIN);
	assert_int_equal(ckpt_open(&got, NULL, note, len), CKPT_OK);
	ckpt_signer_free(s);
}

static void
test_wrong_key_fails(void **state)
{
	struct ckpt_signer	*s, *other;
	struct ckpt_verifier	 v;
	struct ckpt		 c, got;
	EVP_PKEY		*pkey;
	char			 note[CKPT_NOTE_MAX];
	size_t			 len, tlen;

	(void)state;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_key("a.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_key("b.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	s = load_signer("a.pem", "ledgerd.local");
	other = load_signer("b.pem", "ledgerd.local");
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "ledgerd.local");
	c.size = 7;
	assert_int_equal(ckpt_sign(s, &c, note, sizeof(note), &len), CKPT_OK);

	/* Same name, another key: its key id differs, so nothing is signed by it. */
	assert_int_equal(ckpt_open(&got, ckpt_signer_verifier(other), note, len),
	    CKPT_E_UNSIGNED);
	/* The Go example key does not vouch for it either. */
	assert_int_equal(ckpt_verifier_parse(&v, go_verifier, strlen(go_verifier)),
	    CKPT_OK);
	assert_int_equal(ckpt_note_verify(&v, note, len, &tlen), CKPT_E_UNSIGNED);
	/* A key claiming the right name and id but another public key: bad sig. */
	v = *ckpt_signer_verifier(s);
	memcpy(v.pubkey, ckpt_signer_verifier(other)->pubkey, 32);
	assert_int_equal(ckpt_note_verify(&v, note, len, &tlen), CKPT_E_BAD_SIG);
	ckpt_signer_free(s);
	ckpt_signer_free(other);
}

static void
test_other_signatures(void **state)
{
	struct ckpt_signer	*s;
	struct ckpt		 c, got;
	EVP_PKEY		*pkey;
	char			 note[CKPT_NOTE_MAX], two[CKPT_NOTE_MAX + 512], sigline[256];
	size_t			 len, tlen, bodylen, i;
	const char		*nl;

	(void)state;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_key("c.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	s = load_signer("c.pem", "ledgerd.local");
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "ledgerd.local");
	c.size = 3;
	assert_int_equal(ckpt_sign(s, &c, note, sizeof(note), &len), CKPT_OK);
	assert_int_equal(ckpt_note_split(note, len, &bodylen), CKPT_OK);
	snprintf(sigline, sizeof(sigline), "%s", note + bodylen + 1);

	/* A witness's cosignature before ours is ignored. */
	snprintf(two, sizeof(two), "%.*s\n\xe2\x80\x94 witness.example AAAAAAAA\n%s",
	    (int)bodylen, note, sigline);
	assert_int_equal(ckpt_open(&got, ckpt_signer_verifier(s), two,
	    strlen(two)), CKPT_OK);
	/* Our name, another key id: ignored, and alone it signs nothing. */
	snprintf(two, sizeof(two), "%.*s\n\xe2\x80\x94 ledgerd.local AAAAAAAA\n",
	    (int)bodylen, note);
	assert_int_equal(ckpt_note_verify(ckpt_signer_verifier(s), two,
	    strlen(two), &tlen), CKPT_E_UNSIGNED);
	/* Our name and key id with a bad signature condemns the note. */
	memcpy(sigline + 4 + strlen("ledgerd.local") + 1 + 8, "AAAA", 4);
	snprintf(two, sizeof(two), "%s%s", note, sigline);
	assert_int_equal(ckpt_note_verify(ckpt_signer_verifier(s), two,
	    strlen(two), &tlen), CKPT_E_BAD_SIG);

	/* Extension lines are signed and kept. */
	snprintf(two, sizeof(two), "%.*sext: 1\n", (int)bodylen, note);
	assert_int_equal(ckpt_note_sign(s, two, strlen(two), note, sizeof(note),
	    &len), CKPT_OK);
	assert_int_equal(ckpt_open(&got, ckpt_signer_verifier(s), note, len), CKPT_OK);
	assert_true(got.size == 3);
	assert_int_equal(ckpt_note_verify(ckpt_signer_verifier(s), note, len, &tlen),
	    CKPT_OK);
	assert_int_equal(tlen, strlen(two));
	nl = strstr(note, "ext: 1");
	assert_non_null(nl);
	note[nl - note + 5] = '2';
	assert_int_equal(ckpt_open(&got, ckpt_signer_verifier(s), note, len),
	    CKPT_E_BAD_SIG);

	/* 100 signature lines are accepted, 101 are not. */
	len = (size_t)snprintf(two, sizeof(two), "%.*s\n", (int)bodylen, note);
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(two + len, sizeof(two) - len,
		    "\xe2\x80\x94 w%zu AAAAAAAA\n", i);
	assert_int_equal(ckpt_note_split(two, len, &tlen), CKPT_OK);
	len += (size_t)snprintf(two + len, sizeof(two) - len,
	    "\xe2\x80\x94 w100 AAAAAAAA\n");
	assert_int_equal(ckpt_note_split(two, len, &tlen), CKPT_E_MALFORMED);
	ckpt_signer_free(s);
}

static void
test_signer_load_errors(void **state)
{
	struct ckpt_signer	*s = (struct ckpt_signer *)1;
	EVP_PKEY		*pkey;
	char			 path[256], err[512];

	(void)state;
	path_in_tmp(path, sizeof(path), "missing.pem");
	err[0] = '\0';
	assert_int_equal(ckpt_signer_load(&s, path, "x", err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_null(s);
	assert_non_null(strstr(err, "missing.pem"));

	write_file("junk.pem", "not a key\n", 10);
	path_in_tmp(path, sizeof(path), "junk.pem");
	assert_int_equal(ckpt_signer_load(&s, path, "x", err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_non_null(strstr(err, "PEM"));

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(pkey);
	write_key("ec.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	path_in_tmp(path, sizeof(path), "ec.pem");
	assert_int_equal(ckpt_signer_load(&s, path, "x", err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_non_null(strstr(err, "Ed25519"));

	/* An encrypted key is refused, never prompted for. */
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_key("enc.pem", pkey, 1);
	write_key("ok.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	path_in_tmp(path, sizeof(path), "enc.pem");
	assert_int_equal(ckpt_signer_load(&s, path, "x", err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_null(s);

	/* Names that a note could not carry. */
	path_in_tmp(path, sizeof(path), "ok.pem");
	assert_int_equal(ckpt_signer_load(&s, path, "has space", err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_int_equal(ckpt_signer_load(&s, path, "a+b", err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_int_equal(ckpt_signer_load(&s, path, "", err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_int_equal(ckpt_signer_load(&s, path, "ledgerd.local", NULL, 0),
	    CKPT_OK);
	ckpt_signer_free(s);
	ckpt_signer_free(NULL);
}

/* --- malformed input --- */

static void
test_malformed_verifiers(void **state)
{
	static const char *const bad[] = {
		"",
		"PeterNeumann",
		"PeterNeumann+c74f20a3",
		"PeterNeumann+c74f20a3+",
		"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a30+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==",
		"PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
		" PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izW y10TW",
	};
	struct ckpt_verifier	v;
	char			buf[256], path[256], err[256];
	size_t			i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ckpt_verifier_parse(&v, bad[i], strlen(bad[i])) != CKPT_E_MALFORMED)
			fail_msg("accepted verifier %zu: %s", i, bad[i]);
	/* An embedded NUL is refused even if the prefix would parse. */
	n = strlen(go_verifier);
	memcpy(buf, go_verifier, n + 1);
	assert_int_equal(ckpt_verifier_parse(&v, buf, n + 1), CKPT_E_MALFORMED);
	/* Every truncation of a good one is refused. */
	for (i = 0; i < n; i++)
		assert_int_equal(ckpt_verifier_parse(&v, go_verifier, i),
		    CKPT_E_MALFORMED);
	/* Files: missing, or holding something else, say which file. */
	path_in_tmp(path, sizeof(path), "nope.pub");
	assert_int_equal(ckpt_verifier_load(&v, path, err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_non_null(strstr(err, "nope.pub"));
	write_file("bad.pub", "hello\n", 6);
	path_in_tmp(path, sizeof(path), "bad.pub");
	assert_int_equal(ckpt_verifier_load(&v, path, err, sizeof(err)),
	    CKPT_E_MALFORMED);
	assert_non_null(strstr(err, "bad.pub"));
}

static void
test_malformed_notes(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"text\n",
		"text\n\n",
		"text\n\n\xe2\x80\x94 name AAAAAAAA",			/* no final \n */
		"text\n\n\xe2\x80\x94 name AAAAAAAA\n\n",		/* blank after sigs */
		"text\n\n- name AAAAAAAA\n",				/* not an em dash */
		"text\n\n\xe2\x80\x94name AAAAAAAA\n",
		"text\n\n\xe2\x80\x94  AAAAAAAA\n",			/* empty name */
		"text\n\n\xe2\x80\x94 name\n",				/* no signature */
		"text\n\n\xe2\x80\x94 name \n",
		"text\n\n\xe2\x80\x94 name AAAA\n",			/* 3 bytes < 5 */
		"text\n\n\xe2\x80\x94 name AAAAAAA\n",			/* not base64 */
		"text\n\n\xe2\x80\x94 name AAAAAAB=\n",			/* non-canonical */
		"text\n\n\xe2\x80\x94 name AAAAAA==\n",			/* 4 bytes < 5 */
		"text\n\n\xe2\x80\x94 name AAAAAAAA AAAA\n",
		"text\n\n\xe2\x80\x94 na+me AAAAAAAA\n",		/* '+' in name */
		"text\n\n\xe2\x80\x94 na\xc2\xa0me AAAAAAAA\n",	/* NBSP in name */
		"te\rxt\n\n\xe2\x80\x94 name AAAAAAAA\n",		/* control char */
		"te\txt\n\n\xe2\x80\x94 name AAAAAAAA\n",
		"te\xffxt\n\n\xe2\x80\x94 name AAAAAAAA\n",		/* not UTF-8 */
		"te\xc0\xafxt\n\n\xe2\x80\x94 name AAAAAAAA\n",		/* overlong */
		"te\xed\xa0\x80xt\n\n\xe2\x80\x94 name AAAAAAAA\n",	/* surrogate */
		"text\n\n\xe2\x80\x94 name AAAAAAAA\r\n",
	};
	struct ckpt_verifier	v;
	struct ckpt		c;
	char			*big;
	size_t			i, tlen;

	(void)state;
	assert_int_equal(ckpt_verifier_parse(&v, go_verifier, strlen(go_verifier)),
	    CKPT_OK);
	/* The shape of a good one, for contrast. */
	assert_int_equal(ckpt_note_split("text\n\n\xe2\x80\x94 name AAAAAAAA\n",
	    strlen("text\n\n\xe2\x80\x94 name AAAAAAAA\n"), &tlen), CKPT_OK);
	assert_int_equal(tlen, 5);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ckpt_note_split(bad[i], strlen(bad[i]), &tlen) != CKPT_E_MALFORMED)
			fail_msg("accepted note %zu", i);
		assert_int_equal(ckpt_note_verify(&v, bad[i], strlen(bad[i]), &tlen),
		    CKPT_E_MALFORMED);
		assert_int_equal(ckpt_open(&c, NULL, bad[i], strlen(bad[i])),
		    CKPT_E_MALFORMED);
	}
	/* A NUL byte inside. */
	assert_int_equal(ckpt_note_split("te\0xt\n\n\xe2\x80\x94 name AAAAAAAA\n", 25,
	    &tlen), CKPT_E_MALFORMED);
	/* Over the size cap, even if otherwise well formed. */
	big = malloc(CKPT_NOTE_MAX + 64);
	assert_non_null(big);
	memset(big, 'a', CKPT_NOTE_MAX);
	big[CKPT_NOTE_MAX - 30] = '\n';
	memcpy(big + CKPT_NOTE_MAX - 29, "\n\xe2\x80\x94 name AAAAAAAA\n", 19);
	assert_int_equal(ckpt_note_split(big, CKPT_NOTE_MAX - 10, &tlen), CKPT_OK);
	memset(big, 'a', CKPT_NOTE_MAX + 1);
	big[CKPT_NOTE_MAX - 19] = '\n';
	memcpy(big + CKPT_NOTE_MAX - 18, "\n\xe2\x80\x94 name AAAAAAAA\n", 19);
	assert_int_equal(ckpt_note_split(big, CKPT_NOTE_MAX + 1, &tlen),
	    CKPT_E_MALFORMED);
	free(big);
}

/* 42 'A's: with two more characters, base64 of about 32 zero bytes. */
#define A6	"AAAAAA"
#define Z42	A6 A6 A6 A6 A6 A6 A6
#define ZROOT	Z42 "A="	/* 32 zero bytes */

static void
test_checkpoint_bodies(void **state)
{
	static const char *const bad[] = {
		"",
		"origin\n",
		"origin\n5\n",
		"origin\n5\n" ZROOT,				/* no final newline */
		"\n5\n" ZROOT "\n",				/* empty origin */
		"origin\n05\n" ZROOT "\n",
		"origin\n-5\n" ZROOT "\n",
		"origin\n+5\n" ZROOT "\n",
		"origin\n5 \n" ZROOT "\n",
		"origin\n\n" ZROOT "\n",
		"origin\n18446744073709551616\n" ZROOT "\n",
		"origin\n99999999999999999999\n" ZROOT "\n",
		"origin\n5\n" Z42 "==\n",			/* 31 bytes */
		"origin\n5\n" Z42 "AA\n",			/* 33 bytes */
		"origin\n5\n" Z42 "B=\n",			/* non-canonical */
		"origin\n5\n" Z42 "A\n",
		"origin\n5\n" ZROOT "\n\n",			/* empty extension */
		"origin\n5\n" ZROOT "\next",			/* unterminated */
		"ori\tgin\n5\n" ZROOT "\n",
		"origin\r\n5\n" ZROOT "\n",
	};
	static const char good_max[] = "o\n18446744073709551615\n" ZROOT "\nx\ny z\n";
	static const char good_zero[] = "o\n0\n" ZROOT "\n";
	struct ckpt	c;
	char		body[512], longo[300];
	size_t		i, len;

	(void)state;
	assert_int_equal(strlen(ZROOT), 44);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ckpt_parse(&c, bad[i], strlen(bad[i])) != CKPT_E_MALFORMED)
			fail_msg("accepted body %zu", i);
	assert_int_equal(ckpt_parse(&c, good_max, strlen(good_max)), CKPT_OK);
	assert_string_equal(c.origin, "o");
	assert_true(c.size == UINT64_MAX);
	assert_int_equal(ckpt_parse(&c, good_zero, strlen(good_zero)), CKPT_OK);
	assert_true(c.size == 0);
	for (i = 0; i < 32; i++)
		assert_int_equal(c.root[i], 0);
	/* The origin is capped at CKPT_NAME_MAX bytes. */
	memset(longo, 'o', sizeof(longo));
	len = (size_t)snprintf(body, sizeof(body), "%.*s\n1\n" ZROOT "\n",
	    CKPT_NAME_MAX, longo);
	assert_int_equal(ckpt_parse(&c, body, len), CKPT_OK);
	assert_int_equal(strlen(c.origin), CKPT_NAME_MAX);
	len = (size_t)snprintf(body, sizeof(body), "%.*s\n1\n" ZROOT "\n",
	    CKPT_NAME_MAX + 1, longo);
	assert_int_equal(ckpt_parse(&c, body, len), CKPT_E_MALFORMED);
	/* format refuses what parse would refuse. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(ckpt_format(&c, body, sizeof(body), &len), CKPT_E_MALFORMED);
	strcpy(c.origin, "a\nb");
	assert_int_equal(ckpt_format(&c, body, sizeof(body), &len), CKPT_E_MALFORMED);
	strcpy(c.origin, "ok");
	assert_int_equal(ckpt_format(&c, body, 10, &len), CKPT_E_SPACE);
	assert_int_equal(ckpt_format(&c, body, sizeof(body), &len), CKPT_OK);
	assert_string_equal(body, "ok\n0\n" ZROOT "\n");
	assert_int_equal(len, strlen(body));
}

/*
 * Random damage to a signed checkpoint: a deterministic generator edits,
 * inserts and deletes bytes; no result other than the original may verify,
 * and none may crash (this test is most useful under ASan).
 */
static void
test_mutations_never_verify(void **state)
{
	struct ckpt_signer	*s;
	struct ckpt		 c, got;
	EVP_PKEY		*pkey;
	char			 note[512], m[600];
	size_t			 len, mlen, pos, i;
	uint32_t		 x = 2463534242u;
	int			 round, k;

	(void)state;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_key("m.pem", pkey, 0);
	EVP_PKEY_free(pkey);
	s = load_signer("m.pem", "ledgerd.local");
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "ledgerd.local");
	c.size = 42;
	assert_int_equal(ckpt_sign(s, &c, note, sizeof(note), &len), CKPT_OK);
	for (round = 0; round < 5000; round++) {
		memcpy(m, note, len);
		mlen = len;
		for (k = 0; k < 1 + round % 3; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			pos = x % mlen;
			switch ((x >> 16) % 3) {
			case 0:
				m[pos] = (char)(x >> 8);
				break;
			case 1:
				if (mlen + 1 < sizeof(m)) {
					memmove(m + pos + 1, m + pos, mlen - pos);
					m[pos] = (char)(x >> 8);
					mlen++;
				}
				break;
			default:
				if (mlen > 1) {
					memmove(m + pos, m + pos + 1, mlen - pos - 1);
					mlen--;
				}
				break;
			}
		}
		if (mlen == len && memcmp(m, note, len) == 0)
			continue;
		if (ckpt_open(&got, ckpt_signer_verifier(s), m, mlen) == CKPT_OK) {
			for (i = 0; i < mlen; i++)
				if (i >= len || m[i] != note[i])
					break;
			fail_msg("mutated note verified (round %d, first change at %zu)",
			    round, i);
		}
	}
	ckpt_signer_free(s);
}

static void
test_strerror(void **state)
{
	int	code;

	(void)state;
	for (code = CKPT_E_INTERNAL - 1; code <= CKPT_OK; code++)
		assert_non_null(ckpt_strerror(code));
	assert_string_equal(ckpt_strerror(CKPT_E_BAD_SIG), "signature does not verify");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_example_verifies),
		cmocka_unit_test(test_go_example_any_altered_bit_fails),
		cmocka_unit_test(test_go_private_key_reproduces_note),
		cmocka_unit_test(test_key_id),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_key_fails),
		cmocka_unit_test(test_other_signatures),
		cmocka_unit_test(test_signer_load_errors),
		cmocka_unit_test(test_malformed_verifiers),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_checkpoint_bodies),
		cmocka_unit_test(test_mutations_never_verify),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
