/*
 * test_cosign.c - witness cosignatures (proto/cosign.c) against the C2SP
 * tlog-cosignature/v1 construction, written out again here with nothing
 * but OpenSSL's primitives: SHA-256 for the key id, the message bytes by
 * hand, Ed25519 through EVP, base64 through EVP_EncodeBlock.  If cosign.c
 * and this file disagree about a byte, a witness of another implementation
 * would disagree with us too.
 *
 * Also: what cosign_find() and the daemon rely on (an altered byte, another
 * key, a timestamp over 2^63 - 1 and a missing line are refused), the
 * stripping of cosignature lines, and the COSIGN / CHECKPOINT_OK payloads.
 */
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
#include "cosign.h"
#include "msg_audit.h"
#include "wire.h"

static char		 tmpdir[64];
static EVP_PKEY		*wpkey;		/* the witness key, made here */
static uint8_t		 wpub[32];
static struct ckpt_signer *log_signer, *w_signer;
static struct ckpt_verifier wkey;
static char		 note[2048];	/* the log's signed checkpoint */
static size_t		 note_len, text_len;

static const char BODY[] = "example.com/behind-the-sofa\n20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

static void
key_file(const char *name, EVP_PKEY *k, char *path, size_t pathsz)
{
	FILE *fp;

	snprintf(path, pathsz, "%s/%s", tmpdir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	assert_int_equal(fclose(fp), 0);
}

static int
setup(void **state)
{
	EVP_PKEY *lk = NULL;
	char path[128], err[256];
	size_t n = 32;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_cosign.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	wpkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	lk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (wpkey == NULL || lk == NULL ||
	    EVP_PKEY_get_raw_public_key(wpkey, wpub, &n) != 1)
		return -1;
	key_file("w.key", wpkey, path, sizeof(path));
	if (cosign_signer_load(&w_signer, &wkey, path,
	    "witness.example.com/w1", err, sizeof(err)) != CKPT_OK)
		return -1;
	key_file("log.key", lk, path, sizeof(path));
	EVP_PKEY_free(lk);
	if (ckpt_signer_load(&log_signer, path, "example.com/behind-the-sofa",
	    err, sizeof(err)) != CKPT_OK)
		return -1;
	if (ckpt_note_sign(log_signer, BODY, strlen(BODY), note, sizeof(note),
	    &note_len) != CKPT_OK)
		return -1;
	text_len = strlen(BODY);
	return 0;
}

static int
teardown(void **state)
{
	char path[128];

	(void)state;
	ckpt_signer_free(w_signer);
	ckpt_signer_free(log_signer);
	EVP_PKEY_free(wpkey);
	snprintf(path, sizeof(path), "%s/w.key", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/log.key", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* The specification's key id: SHA-256(name || "\n" || 0x04 || key)[:4]. */
static void
spec_key_id(const char *name, uint8_t out[4])
{
	uint8_t buf[512], h[32];
	size_t n = strlen(name);
	unsigned int hl;

	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = 0x04;
	memcpy(buf + n + 2, wpub, 32);
	assert_int_equal(EVP_Digest(buf, n + 34, h, &hl, EVP_sha256(), NULL), 1);
	memcpy(out, h, 4);
}

static void
test_key_id_and_verifier(void **state)
{
	uint8_t id[4], raw[33];
	char want[512], got[CKPT_VERIFIER_MAX], b64[64];
	struct ckpt_verifier v, logv;

	(void)state;
	spec_key_id("witness.example.com/w1", id);
	assert_memory_equal(wkey.keyid, id, 4);
	raw[0] = 0x04;
	memcpy(raw + 1, wpub, 32);
	EVP_EncodeBlock((unsigned char *)b64, raw, 33);
	snprintf(want, sizeof(want), "witness.example.com/w1+%02x%02x%02x%02x+%s",
	    id[0], id[1], id[2], id[3], b64);
	assert_int_equal(cosign_verifier_format(&wkey, got, sizeof(got)),
	    CKPT_OK);
	assert_string_equal(got, want);
	assert_int_equal(cosign_verifier_parse(&v, got, strlen(got)), CKPT_OK);
	assert_memory_equal(&v, &wkey, sizeof(v));
	/* A witness key is not a log key, and the other way round. */
	assert_int_equal(ckpt_verifier_parse(&logv, got, strlen(got)),
	    CKPT_E_MALFORMED);
	assert_int_equal(ckpt_verifier_format(ckpt_signer_verifier(log_signer),
	    got, sizeof(got)), CKPT_OK);
	assert_int_equal(cosign_verifier_parse(&v, got, strlen(got)),
	    CKPT_E_MALFORMED);
}

/* Our line, taken apart by hand and checked as the specification says. */
static void
test_line_matches_specification(void **state)
{
	char line[COSIGN_LINE_MAX], msg[1024], prefix[300];
	uint8_t blob[128];
	EVP_MD_CTX *ctx;
	size_t llen, mlen, plen;
	int blen;

	(void)state;
	assert_int_equal(cosign_line(w_signer, &wkey, 1679315147, note,
	    text_len, line, sizeof(line), &llen), CKPT_OK);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "\xe2\x80\x94 %s ",
	    "witness.example.com/w1");
	assert_memory_equal(line, prefix, plen);
	assert_int_equal(line[llen - 1], '\n');
	blen = EVP_DecodeBlock(blob, (const unsigned char *)line + plen,
	    (int)(llen - plen - 1));
	assert_int_equal(blen, 78);	/* 76 bytes and the padding's 2 */
	assert_memory_equal(blob, wkey.keyid, 4);
	assert_int_equal(be64_get(blob + 4), 1679315147);
	mlen = (size_t)snprintf(msg, sizeof(msg),
	    "cosignature/v1\ntime 1679315147\n%s", BODY);
	assert_non_null(ctx = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, wpkey), 1);
	assert_int_equal(EVP_DigestVerify(ctx, blob + 12, 64,
	    (const uint8_t *)msg, mlen), 1);
	EVP_MD_CTX_free(ctx);
	assert_int_equal(cosign_message(1679315147, BODY, strlen(BODY), msg,
	    sizeof(msg), &mlen), CKPT_OK);
	assert_int_equal(strncmp(msg, "cosignature/v1\ntime 1679315147\n", 31),
	    0);
}

/* A cosignature made here by hand verifies with cosign_find(). */
static void
test_find_accepts_spec_signature(void **state)
{
	char msg[1024], cn[4096], b64[200];
	uint8_t blob[76];
	EVP_MD_CTX *ctx;
	size_t siglen = 64, mlen, off, len;
	uint64_t ts;

	(void)state;
	mlen = (size_t)snprintf(msg, sizeof(msg), "cosignature/v1\ntime 42\n%s",
	    BODY);
	memcpy(blob, wkey.keyid, 4);
	be64_put(blob + 4, 42);
	assert_non_null(ctx = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, wpkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, blob + 12, &siglen,
	    (const uint8_t *)msg, mlen), 1);
	EVP_MD_CTX_free(ctx);
	EVP_EncodeBlock((unsigned char *)b64, blob, 76);
	len = (size_t)snprintf(cn, sizeof(cn), "%.*s\xe2\x80\x94 %s %s\n",
	    (int)note_len, note, "witness.example.com/w1", b64);
	assert_int_equal(cosign_find(&wkey, cn, len, &ts, &off, NULL), CKPT_OK);
	assert_int_equal(ts, 42);
	assert_int_equal(off, note_len);
	/* The log's signature still verifies: the line is just one more. */
	assert_int_equal(ckpt_note_verify(ckpt_signer_verifier(log_signer), cn,
	    len, &off), CKPT_OK);
}

static void
test_find_refuses(void **state)
{
	char line[COSIGN_LINE_MAX], cn[4096], stripped[4096], b64[200];
	struct ckpt_verifier other = wkey;
	uint8_t blob[76];
	size_t llen, len, slen, i, plen;
	int blen;

	(void)state;
	assert_int_equal(cosign_find(&wkey, note, note_len, NULL, NULL, NULL),
	    CKPT_E_UNSIGNED);
	assert_int_equal(cosign_line(w_signer, &wkey, 7, note, text_len, line,
	    sizeof(line), &llen), CKPT_OK);
	len = (size_t)snprintf(cn, sizeof(cn), "%.*s%s", (int)note_len, note,
	    line);
	assert_int_equal(cosign_find(&wkey, cn, len, NULL, NULL, NULL), CKPT_OK);
	/* Every byte of the text matters. */
	for (i = 0; i < text_len; i++) {
		cn[i] ^= 0x01;
		assert_int_not_equal(cosign_find(&wkey, cn, len, NULL, NULL,
		    NULL), CKPT_OK);
		cn[i] ^= 0x01;
	}
	/* Another public key under the same name and key id. */
	other.pubkey[0] ^= 0x80;
	assert_int_equal(cosign_find(&other, cn, len, NULL, NULL, NULL),
	    CKPT_E_BAD_SIG);
	/* The timestamp changed (the signature covers it). */
	plen = strlen("\xe2\x80\x94 witness.example.com/w1 ");
	blen = EVP_DecodeBlock(blob, (const unsigned char *)line + plen,
	    (int)(llen - plen - 1));
	assert_int_equal(blen, 78);
	be64_put(blob + 4, 8);
	EVP_EncodeBlock((unsigned char *)b64, blob, 76);
	len = (size_t)snprintf(cn, sizeof(cn), "%.*s\xe2\x80\x94 "
	    "witness.example.com/w1 %s\n", (int)note_len, note, b64);
	assert_int_equal(cosign_find(&wkey, cn, len, NULL, NULL, NULL),
	    CKPT_E_BAD_SIG);
	/* Above 2^63 - 1: refused before any signature is checked. */
	be64_put(blob + 4, (uint64_t)INT64_MAX + 1);
	EVP_EncodeBlock((unsigned char *)b64, blob, 76);
	len = (size_t)snprintf(cn, sizeof(cn), "%.*s\xe2\x80\x94 "
	    "witness.example.com/w1 %s\n", (int)note_len, note, b64);
	assert_int_equal(cosign_find(&wkey, cn, len, NULL, NULL, NULL),
	    CKPT_E_BAD_SIG);
	assert_int_equal(cosign_line(w_signer, &wkey, (uint64_t)INT64_MAX + 1,
	    note, text_len, line, sizeof(line), &llen), CKPT_E_MALFORMED);
	/* Stripping keeps the log's line only: the note as the log signed it. */
	assert_int_equal(cosign_note_strip(ckpt_signer_verifier(log_signer), cn,
	    len, stripped, sizeof(stripped), &slen), CKPT_OK);
	assert_int_equal(slen, note_len);
	assert_memory_equal(stripped, note, note_len);
	assert_int_equal(cosign_note_strip(&wkey, note, note_len, stripped,
	    sizeof(stripped), &slen), CKPT_E_UNSIGNED);
}

static void
test_payloads(void **state)
{
	struct msg_cosigned c[MSG_COSIGNED_MAX], in[2];
	struct wbuf b;
	const char *w, *n;
	size_t wl, nl, cnt;
	uint64_t size, ts;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_cosign(&b, "w+01020304+AAAA", note,
	    note_len), 0);
	assert_int_equal(msg_decode_cosign(b.data, b.len, &w, &wl, &n, &nl), 0);
	assert_int_equal(wl, 15);
	assert_memory_equal(w, "w+01020304+AAAA", 15);
	assert_int_equal(nl, note_len);
	assert_int_equal(msg_decode_cosign(b.data, b.len - 1, &w, &wl, &n, &nl),
	    -1);
	wbuf_reset(&b);
	/* Without the section: what a protocol 2 decoder reads. */
	assert_int_equal(msg_encode_checkpoint_ok_cosigned(&b, note, note_len,
	    NULL, 0), 0);
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &n, &nl), 0);
	assert_int_equal(msg_decode_checkpoint_ok_cosigned(b.data, b.len, &n,
	    &nl, c, &cnt), 0);
	assert_int_equal(cnt, 0);
	wbuf_reset(&b);
	memset(in, 0, sizeof(in));
	in[0].witness = "a";
	in[0].witness_len = 1;
	in[0].size = 5;
	in[0].note = note;
	in[0].note_len = note_len;
	in[1] = in[0];
	in[1].witness = "bb";
	in[1].witness_len = 2;
	in[1].size = 9;
	assert_int_equal(msg_encode_checkpoint_ok_cosigned(&b, note, note_len,
	    in, 2), 0);
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &n, &nl), -1);
	assert_int_equal(msg_decode_checkpoint_ok_cosigned(b.data, b.len, &n,
	    &nl, c, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_int_equal(c[1].size, 9);
	assert_memory_equal(c[1].witness, "bb", 2);
	assert_int_equal(c[1].note_len, note_len);
	assert_int_equal(msg_decode_checkpoint_ok_cosigned(b.data, b.len - 1,
	    &n, &nl, c, &cnt), -1);
	wbuf_reset(&b);
	assert_int_equal(msg_encode_cosign_ok(&b, 12, 34), 0);
	assert_int_equal(msg_decode_cosign_ok(b.data, b.len, &size, &ts), 0);
	assert_int_equal(size, 12);
	assert_int_equal(ts, 34);
	wbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_id_and_verifier),
		cmocka_unit_test(test_line_matches_specification),
		cmocka_unit_test(test_find_accepts_spec_signature),
		cmocka_unit_test(test_find_refuses),
		cmocka_unit_test(test_payloads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
