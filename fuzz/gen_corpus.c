/*
 * gen_corpus.c - write the seed corpora of fuzz/corpus/ from the encoders.
 *
 * Seeds are what libFuzzer mutates first, so they should be the real
 * thing: frames, messages and entries made by the project's own encoders,
 * a checkpoint note signed with the fuzz key (fuzz.h) and proofs taken
 * from a real Merkle tree over the sample entries, plus a few malformed
 * inputs of each kind (trailing byte, truncation, a count that lies).
 * Hand-written text seeds (config, values, csv) live here too, so that the
 * corpus can always be regenerated from one place:
 *
 *	cmake --build BUILD --target fuzz_gen_corpus
 *	BUILD/bin/fuzz_gen_corpus fuzz/corpus
 *
 * The output is deterministic (Ed25519 signatures are too), so rerunning
 * it after an encoder change shows up as a reviewable diff.  Not a test:
 * it exits non-zero if any encoder refuses a sample.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "checkpoint.h"
#include "entry.h"
#include "errors.h"
#include "frame.h"
#include "fuzz.h"
#include "merkle.h"
#include "msg.h"
#include "msg_audit.h"
#include "wire.h"

#define NSAMPLES	8
#define BOM_STR		"\xef\xbb\xbf"
#define TREE_LEVELS	5	/* enough for NSAMPLES leaves */

static const char	*outdir;
static int		 failed;

static void
die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s\n", what);
	exit(1);
}

#define MUST(cond) do { if (!(cond)) die("failed: " #cond); } while (0)

/* Write outdir/harness/name: an optional selector byte, then len bytes. */
static void
put(const char *harness, const char *name, int sel, const void *p, size_t len)
{
	char	 path[4096];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", outdir, harness);
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, harness, name);
	if ((fp = fopen(path, "wb")) == NULL)
		die(path);
	if (sel >= 0)
		fputc(sel, fp);
	if (len > 0)
		fwrite(p, 1, len, fp);
	if (fclose(fp) != 0) {
		failed = 1;
		fprintf(stderr, "gen_corpus: %s: write failed\n", path);
	}
}

static void
put_str(const char *harness, const char *name, int sel, const char *s)
{
	put(harness, name, sel, s, strlen(s));
}

static void
put_wbuf(const char *harness, const char *name, int sel, struct wbuf *b)
{
	MUST(!b->err);
	put(harness, name, sel, b->data, b->len);
	wbuf_reset(b);
}

/* --- sample entries: one of each kind, as the daemon would store them --- */

static struct ld_entry	 samples[NSAMPLES];
static struct wbuf	 sample_enc[NSAMPLES];

static void
samples_make(void)
{
	struct ld_entry	*e;
	int		 i;

	memset(samples, 0, sizeof(samples));
	e = &samples[0];
	e->kind = LD_K_REGION;
	snprintf(e->region, sizeof(e->region), "tohoku-01");
	snprintf(e->name, sizeof(e->name), "東北復興第1区");
	e->grant_type = LD_G_RECONSTRUCTION;
	snprintf(e->category, sizeof(e->category), "道路");

	e = &samples[1];
	e->kind = LD_K_APPROPRIATION;
	e->account = LD_A_RECONSTRUCTION;
	e->fy = 2024;
	e->amount = 500000000;
	snprintf(e->ref, sizeof(e->ref), "APP-2024-001");
	snprintf(e->id, sizeof(e->id), "req-0001");

	e = &samples[2];
	e->kind = LD_K_AWARD;
	snprintf(e->region, sizeof(e->region), "tohoku-01");
	e->account = LD_A_RECONSTRUCTION;
	e->fy = 2024;
	e->amount = 300000000;
	snprintf(e->ref, sizeof(e->ref), "AW-2024-17");

	e = &samples[3];
	e->kind = LD_K_DISBURSEMENT;
	snprintf(e->region, sizeof(e->region), "tohoku-01");
	e->account = LD_A_RECONSTRUCTION;
	e->fy = 2024;
	e->amount = 1500000;
	snprintf(e->ref, sizeof(e->ref), "D-0001");
	e->date = 20240615;
	snprintf(e->memo, sizeof(e->memo), "第1回支払 (June)");

	e = &samples[4];
	e->kind = LD_K_REFUND;
	snprintf(e->region, sizeof(e->region), "tohoku-01");
	e->account = LD_A_RECONSTRUCTION;
	e->fy = 2024;
	e->amount = 500000;
	snprintf(e->ref, sizeof(e->ref), "R-0001");
	e->date = 20240701;

	e = &samples[5];
	e->kind = LD_K_REVERSAL;
	e->reverses = 4;
	e->target_kind = LD_K_DISBURSEMENT;
	snprintf(e->region, sizeof(e->region), "tohoku-01");
	e->account = LD_A_RECONSTRUCTION;
	e->fy = 2024;
	e->amount = 1500000;
	snprintf(e->reason, sizeof(e->reason), "二重計上");

	e = &samples[6];
	e->kind = LD_K_REVERSAL;
	e->reverses = 2;
	e->target_kind = LD_K_APPROPRIATION;
	e->account = LD_A_RECONSTRUCTION;
	e->fy = 2024;
	e->amount = 500000000;
	snprintf(e->reason, sizeof(e->reason), "wrong account");

	e = &samples[7];
	e->kind = LD_K_YEAR_CLOSE;
	e->account = LD_A_GENERAL;
	e->fy = 2023;
	e->appropriated = 200000000;
	e->awarded = 150000000;
	e->disbursed = 120000000;
	e->refunded = 1000000;
	e->net = 119000000;

	for (i = 0; i < NSAMPLES; i++) {
		samples[i].seq = (uint64_t)i + 1;
		snprintf(samples[i].actor, sizeof(samples[i].actor), "%s",
		    i == 0 ? "admin01" : "clerk01");
		samples[i].recorded_at = INT64_C(1718000000000000) +
		    (int64_t)i * 1000;
		wbuf_init(&sample_enc[i]);
		if (entry_encode(&sample_enc[i], &samples[i]) == -1) {
			fprintf(stderr, "sample %d\n", i);
			die("entry_encode refused a sample");
		}
	}
}

/* --- a Merkle tree over the samples, kept in memory --- */

static uint8_t	 tree[TREE_LEVELS][NSAMPLES][MERKLE_HASH_LEN];

static int
tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	(void)ctx;
	if (level >= TREE_LEVELS || index >= NSAMPLES)
		return -1;
	memcpy(out, tree[level][index], MERKLE_HASH_LEN);
	return 0;
}

static int
tree_put(void *ctx, unsigned level, uint64_t index,
    const uint8_t h[MERKLE_HASH_LEN])
{
	(void)ctx;
	if (level >= TREE_LEVELS || index >= NSAMPLES)
		return -1;
	memcpy(tree[level][index], h, MERKLE_HASH_LEN);
	return 0;
}

static void
tree_make(void)
{
	uint64_t	 i;

	for (i = 0; i < NSAMPLES; i++) {
		entry_leaf_hash(sample_enc[i].data, sample_enc[i].len, tree[0][i]);
		MUST(merkle_append(i, tree[0][i], tree_get, tree_put, NULL) == 0);
	}
}

/* --- the fuzz key and a signed checkpoint of the tree --- */

static struct ckpt_signer *
signer_load(const char *tmp, const char *file, const char *seed,
    const char *name)
{
	struct ckpt_signer	*s = NULL;
	EVP_PKEY		*pk;
	char			 path[4096], err[512];
	FILE			*fp;

	snprintf(path, sizeof(path), "%s/%s", tmp, file);
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
	    (const unsigned char *)seed, 32);
	MUST(pk != NULL);
	MUST((fp = fopen(path, "w")) != NULL);
	MUST(PEM_write_PrivateKey(fp, pk, NULL, NULL, 0, NULL, NULL) == 1);
	MUST(fclose(fp) == 0);
	EVP_PKEY_free(pk);
	if (ckpt_signer_load(&s, path, name, err, sizeof(err)) != CKPT_OK)
		die(err);
	unlink(path);
	return s;
}

static char	 note[4096], body[CKPT_BODY_MAX], other_note[4096];
static size_t	 note_len, body_len, other_len;
static char	 verifier[CKPT_VERIFIER_MAX], other_verifier[CKPT_VERIFIER_MAX];

static void
checkpoint_make(void)
{
	struct ckpt_signer	*s, *o;
	struct ckpt		 ck;
	char			 tmp[] = "/tmp/ld_gen_corpus.XXXXXX";

	MUST(mkdtemp(tmp) != NULL);
	s = signer_load(tmp, "fuzz.pem", FUZZ_KEY_SEED, FUZZ_KEY_NAME);
	o = signer_load(tmp, "other.pem", "witness key for the fuzz corpus",
	    "witness.example");
	rmdir(tmp);
	memset(&ck, 0, sizeof(ck));
	snprintf(ck.origin, sizeof(ck.origin), "%s", FUZZ_KEY_NAME);
	ck.size = NSAMPLES;
	MUST(merkle_root(NSAMPLES, tree_get, NULL, ck.root) == 0);
	MUST(ckpt_format(&ck, body, sizeof(body), &body_len) == CKPT_OK);
	MUST(ckpt_sign(s, &ck, note, sizeof(note), &note_len) == CKPT_OK);
	/* The same body cosigned by a witness key: two signature lines. */
	MUST(ckpt_note_sign(o, body, body_len, other_note, sizeof(other_note),
	    &other_len) == CKPT_OK);
	MUST(ckpt_verifier_format(ckpt_signer_verifier(s), verifier,
	    sizeof(verifier)) == CKPT_OK);
	MUST(ckpt_verifier_format(ckpt_signer_verifier(o), other_verifier,
	    sizeof(other_verifier)) == CKPT_OK);
	ckpt_signer_free(s);
	ckpt_signer_free(o);
}

/* --- harness corpora --- */

static void
gen_entry(void)
{
	static const char *const names[NSAMPLES] = {
		"region", "appropriation", "award", "disbursement", "refund",
		"reversal-disbursement", "reversal-appropriation", "year-close"
	};
	uint8_t	 bad[LD_ENTRY_ENC_MAX + 2];
	size_t	 n = sample_enc[3].len;
	int	 i;

	for (i = 0; i < NSAMPLES; i++)
		put("entry", names[i], -1, sample_enc[i].data, sample_enc[i].len);
	memcpy(bad, sample_enc[3].data, n);
	put("entry", "bad-truncated", -1, bad, n - 1);
	bad[n] = 0;
	put("entry", "bad-trailing-byte", -1, bad, n + 1);
	bad[0] = 2;
	put("entry", "bad-format-version", -1, bad, n);
	/* seq 0 */
	memcpy(bad, sample_enc[1].data, sample_enc[1].len);
	memset(bad + 1, 0, 8);
	put("entry", "bad-seq-zero", -1, bad, sample_enc[1].len);
	/* kind 8 */
	memcpy(bad, sample_enc[7].data, sample_enc[7].len);
	bad[9] = 8;
	put("entry", "bad-kind", -1, bad, sample_enc[7].len);
}

static void
frame_add(struct wbuf *b, uint8_t type, uint16_t flags, uint32_t reqid,
    const struct wbuf *payload)
{
	struct frame_hdr	 h = { type, flags, reqid,
				    payload ? (uint32_t)payload->len : 0 };
	uint8_t			 hdr[FRAME_HDR_LEN];

	frame_hdr_encode(hdr, &h);
	wbuf_put(b, hdr, sizeof(hdr));
	if (payload != NULL)
		wbuf_put(b, payload->data, payload->len);
}

static void
gen_frame(void)
{
	struct wbuf	 b, p;
	size_t		 off;

	wbuf_init(&b);
	wbuf_init(&p);
	MUST(msg_encode_hello(&p, 1, 1) == 0);
	frame_add(&b, MSG_HELLO, 0, 1, &p);
	put_wbuf("frame", "hello", -1, &b);

	/* A session's first requests, back to back in one read. */
	frame_add(&b, MSG_HELLO, 0, 1, &p);
	wbuf_reset(&p);
	MUST(msg_encode_get(&p, 3) == 0);
	frame_add(&b, MSG_GET, 0, 2, &p);
	frame_add(&b, MSG_STATUS, 0, 3, NULL);
	wbuf_reset(&p);
	MUST(msg_encode_write(&p, &samples[3]) == 0);
	frame_add(&b, MSG_WRITE, 0, 4, &p);
	put_wbuf("frame", "pipelined-requests", -1, &b);

	/* A streamed answer: ENTRIES with MORE, then the last frame. */
	wbuf_reset(&p);
	MUST(msg_entries_begin(&p, &off) == 0);
	MUST(msg_entries_add(&p, sample_enc[0].data, sample_enc[0].len) == 0);
	msg_entries_finish(&p, off, 1);
	frame_add(&b, MSG_ENTRIES, FRAME_F_MORE, 7, &p);
	frame_add(&b, MSG_ENTRIES, 0, 7, &p);
	put_wbuf("frame", "streamed-entries", -1, &b);

	frame_add(&b, MSG_CHECKPOINT, 0, 0xffffffffu, NULL);
	put_wbuf("frame", "empty-payload", -1, &b);

	/* Malformed: each error the header alone decides, and short input. */
	frame_add(&b, MSG_STATUS, 0, 1, NULL);
	put("frame", "short-header", -1, b.data, 10);
	b.data[0] = 'X';
	put_wbuf("frame", "bad-magic", -1, &b);
	frame_add(&b, MSG_STATUS, 0, 1, NULL);
	b.data[4] = 2;
	put_wbuf("frame", "bad-version", -1, &b);
	frame_add(&b, MSG_STATUS, 0, 1, NULL);
	be32_put(b.data + 12, 0xffffffffu);
	put_wbuf("frame", "too-large", -1, &b);
	frame_add(&b, MSG_STATUS, 0, 1, NULL);
	be32_put(b.data + 12, 100);
	wbuf_put(&b, "0123456789", 10);
	put_wbuf("frame", "body-incomplete", -1, &b);
	wbuf_free(&b);
	wbuf_free(&p);
}

static void
gen_msg_requests(struct wbuf *b)
{
	struct msg_list		 l;
	struct msg_balance_req	 q;
	size_t			 off;
	int			 i;
	char			 name[64];

	MUST(msg_encode_hello(b, 1, 1) == 0);
	put_wbuf("msg", "hello", MSG_HELLO, b);
	for (i = 0; i < NSAMPLES; i++) {
		if (i == 6)
			continue;	/* same request form as 5 */
		MUST(msg_encode_write(b, &samples[i]) == 0);
		snprintf(name, sizeof(name), "write-%s",
		    ld_kind_name(samples[i].kind));
		put_wbuf("msg", name, MSG_WRITE, b);
	}
	MUST(msg_batch_begin(b, MSG_BATCH_ATOMIC, &off) == 0);
	for (i = 1; i <= 4; i++)
		MUST(msg_batch_add(b, &samples[i]) == 0);
	msg_batch_finish(b, off, 4);
	put_wbuf("msg", "batch-atomic", MSG_WRITE_BATCH, b);
	MUST(msg_batch_begin(b, 0, &off) == 0);
	MUST(msg_batch_add(b, &samples[0]) == 0);
	msg_batch_finish(b, off, 1);
	put_wbuf("msg", "batch-one", MSG_WRITE_BATCH, b);
	MUST(msg_batch_begin(b, 0, &off) == 0);
	msg_batch_finish(b, off, 0);
	put_wbuf("msg", "batch-empty", MSG_WRITE_BATCH, b);
	/* A count that claims more items than the payload holds. */
	MUST(msg_batch_begin(b, 0, &off) == 0);
	MUST(msg_batch_add(b, &samples[0]) == 0);
	msg_batch_finish(b, off, 2);
	put_wbuf("msg", "bad-batch-count", MSG_WRITE_BATCH, b);

	MUST(msg_encode_get(b, 42) == 0);
	put_wbuf("msg", "get", MSG_GET, b);
	memset(&l, 0, sizeof(l));
	MUST(msg_encode_list(b, &l) == 0);
	put_wbuf("msg", "list-all", MSG_LIST, b);
	l.since = 10;
	l.until = 100;
	l.limit = 50;
	snprintf(l.region, sizeof(l.region), "tohoku-01");
	l.fy = 2024;
	l.kind = LD_K_DISBURSEMENT;
	MUST(msg_encode_list(b, &l) == 0);
	put_wbuf("msg", "list-filtered", MSG_LIST, b);

	memset(&q, 0, sizeof(q));
	q.fy = 2024;
	q.scope = BAL_ALL;
	MUST(msg_encode_balance_req(b, &q) == 0);
	put_wbuf("msg", "balance-all", MSG_BALANCE, b);
	q.scope = BAL_REGION;
	snprintf(q.region, sizeof(q.region), "tohoku-01");
	MUST(msg_encode_balance_req(b, &q) == 0);
	put_wbuf("msg", "balance-region", MSG_BALANCE, b);
	memset(q.region, 0, sizeof(q.region));
	q.scope = BAL_ACCOUNT;
	q.account = LD_A_GENERAL;
	MUST(msg_encode_balance_req(b, &q) == 0);
	put_wbuf("msg", "balance-account", MSG_BALANCE, b);

	put("msg", "checkpoint", MSG_CHECKPOINT, NULL, 0);
	MUST(msg_encode_prove(b, 3, 0) == 0);
	put_wbuf("msg", "prove", MSG_PROVE, b);
	MUST(msg_encode_consistency(b, 3, 8) == 0);
	put_wbuf("msg", "consistency", MSG_CONSISTENCY, b);

	/* Malformed requests. */
	MUST(msg_encode_write(b, &samples[3]) == 0);
	wbuf_u8(b, 0);
	put_wbuf("msg", "bad-write-trailing", MSG_WRITE, b);
	MUST(msg_encode_write(b, &samples[3]) == 0);
	put("msg", "bad-write-truncated", MSG_WRITE, b->data, b->len - 3);
	wbuf_reset(b);
	wbuf_u8(b, 9);
	wbuf_str(b, "");
	put_wbuf("msg", "bad-write-kind", MSG_WRITE, b);
}

static void
gen_msg_answers(struct wbuf *b)
{
	struct msg_hello_ok	 h;
	struct msg_status	 st;
	struct ld_acct_bal	 a[2];
	struct ld_region_bal	 g[2];
	size_t			 off;
	int			 i;

	MUST(msg_encode_error(b, LD_E_OVER_APPROPRIATION,
	    "over appropriation: 残り 1,000円 (FY2024 reconstruction)") == 0);
	put_wbuf("msg", "error", MSG_ERROR, b);
	wbuf_u16(b, LD_E_BAD_REQUEST);
	wbuf_str(b, "bad\x01control");
	put_wbuf("msg", "bad-error-control-char", MSG_ERROR, b);

	memset(&h, 0, sizeof(h));
	h.version = 1;
	h.max_frame = 1048576;
	snprintf(h.role, sizeof(h.role), "clerk");
	snprintf(h.cn, sizeof(h.cn), "clerk01");
	snprintf(h.server, sizeof(h.server), "ledgerd 0.1.0");
	MUST(msg_encode_hello_ok(b, &h) == 0);
	put_wbuf("msg", "hello-ok", MSG_HELLO_OK, b);

	MUST(msg_encode_entry(b, 0, sample_enc[3].data, sample_enc[3].len) == 0);
	put_wbuf("msg", "entry", MSG_ENTRY, b);
	MUST(msg_encode_entry(b, 1, sample_enc[0].data, sample_enc[0].len) == 0);
	put_wbuf("msg", "entry-duplicate", MSG_ENTRY, b);

	MUST(msg_entries_begin(b, &off) == 0);
	for (i = 0; i < NSAMPLES; i++)
		MUST(msg_entries_add(b, sample_enc[i].data, sample_enc[i].len) == 0);
	msg_entries_finish(b, off, NSAMPLES);
	put_wbuf("msg", "entries", MSG_ENTRIES, b);
	MUST(msg_entries_begin(b, &off) == 0);
	msg_entries_finish(b, off, 0);
	put_wbuf("msg", "entries-empty", MSG_ENTRIES, b);

	MUST(msg_bresult_begin(b, 0, &off) == 0);
	MUST(msg_bresult_add_ok(b, 0, sample_enc[1].data, sample_enc[1].len) == 0);
	MUST(msg_bresult_add_err(b, LD_E_OVER_AWARD, "award exceeds the "
	    "appropriation") == 0);
	MUST(msg_bresult_add_ok(b, 1, sample_enc[2].data, sample_enc[2].len) == 0);
	msg_bresult_finish(b, off, 3);
	put_wbuf("msg", "batch-result", MSG_BATCH_RESULT, b);
	MUST(msg_bresult_begin(b, 99998, &off) == 0);
	MUST(msg_bresult_add_err(b, LD_E_BUSY, "") == 0);
	msg_bresult_finish(b, off, 1);
	put_wbuf("msg", "batch-result-last", MSG_BATCH_RESULT, b);

	memset(a, 0, sizeof(a));
	memset(g, 0, sizeof(g));
	a[0].account = LD_A_GENERAL;
	a[0].fy = 2024;
	a[0].appropriated = 200000000;
	a[0].awarded = 150000000;
	a[0].disbursed = 20000000;
	a[1].account = LD_A_RECONSTRUCTION;
	a[1].fy = 2023;
	a[1].closed = 1;
	snprintf(g[0].region, sizeof(g[0].region), "tohoku-01");
	g[0].fy = 2024;
	g[0].grant_type = LD_G_RECONSTRUCTION;
	g[0].account = LD_A_RECONSTRUCTION;
	g[0].award = 300000000;
	g[0].award_seq = 3;
	g[0].disbursed = 1500000;
	g[0].refunded = 500000;
	snprintf(g[1].region, sizeof(g[1].region), "x");
	g[1].fy = 2024;
	g[1].grant_type = LD_G_CONTINUING;
	g[1].account = LD_A_GENERAL;
	MUST(msg_encode_balances(b, a, 2, g, 2) == 0);
	put_wbuf("msg", "balances", MSG_BALANCES, b);
	MUST(msg_encode_balances(b, NULL, 0, NULL, 0) == 0);
	put_wbuf("msg", "balances-empty", MSG_BALANCES, b);

	memset(&st, 0, sizeof(st));
	snprintf(st.server, sizeof(st.server), "ledgerd 0.1.0");
	st.size = NSAMPLES;
	st.uptime_s = 3600;
	st.connections = 2;
	st.map_used = 1 << 20;
	st.map_size = 1 << 30;
	st.last_commit = INT64_C(1718000000000000);
	memcpy(st.root, tree[3][0], sizeof(st.root));
	MUST(msg_encode_status(b, &st) == 0);
	put_wbuf("msg", "status", MSG_STATUS_OK, b);
}

static void
gen_msg_audit(struct wbuf *b)
{
	static struct msg_proof	 p;

	MUST(msg_encode_checkpoint_ok(b, note, note_len) == 0);
	put_wbuf("msg", "checkpoint-ok", MSG_CHECKPOINT_OK, b);

	/* Inclusion of seq 3 in the checkpointed tree: no link needed. */
	memset(&p, 0, sizeof(p));
	p.kind = MSG_PROOF_INCLUSION;
	p.a = 3;
	p.b = NSAMPLES;
	memcpy(p.first, tree[0][2], MERKLE_HASH_LEN);
	MUST(merkle_root(NSAMPLES, tree_get, NULL, p.root) == 0);
	MUST(merkle_inclusion_proof(2, NSAMPLES, tree_get, NULL, p.path,
	    &p.npath) == 0);
	p.note = note;
	p.note_len = note_len;
	MUST(msg_encode_proof(b, &p) == 0);
	put_wbuf("msg", "proof-inclusion", MSG_PROOF, b);

	/* Inclusion of seq 4 in the tree of size 5, linked to size 8. */
	p.a = 4;
	p.b = 5;
	memcpy(p.first, tree[0][3], MERKLE_HASH_LEN);
	MUST(merkle_root(5, tree_get, NULL, p.root) == 0);
	MUST(merkle_inclusion_proof(3, 5, tree_get, NULL, p.path, &p.npath) == 0);
	MUST(merkle_consistency_proof(5, NSAMPLES, tree_get, NULL, p.link,
	    &p.nlink) == 0);
	MUST(msg_encode_proof(b, &p) == 0);
	put_wbuf("msg", "proof-inclusion-linked", MSG_PROOF, b);

	/* Consistency 3 -> 8. */
	p.kind = MSG_PROOF_CONSISTENCY;
	p.a = 3;
	p.b = NSAMPLES;
	MUST(merkle_root(3, tree_get, NULL, p.first) == 0);
	MUST(merkle_root(NSAMPLES, tree_get, NULL, p.root) == 0);
	MUST(merkle_consistency_proof(3, NSAMPLES, tree_get, NULL, p.path,
	    &p.npath) == 0);
	p.nlink = 0;
	MUST(msg_encode_proof(b, &p) == 0);
	put_wbuf("msg", "proof-consistency", MSG_PROOF, b);

	/* A path count over MERKLE_PATH_MAX. */
	MUST(msg_encode_proof(b, &p) == 0);
	b->data[1 + 8 + 8 + 32 + 32] = MERKLE_PATH_MAX + 1;
	put_wbuf("msg", "bad-proof-npath", MSG_PROOF, b);
}

static void
gen_checkpoint(void)
{
	char	 buf[8192];
	size_t	 n, i;

	put("checkpoint", "split-note", 's', note, note_len);
	put("checkpoint", "split-cosigned", 's', other_note, other_len);
	put("checkpoint", "body", 'p', body, body_len);
	n = (size_t)snprintf(buf, sizeof(buf), "%sextension line\n", body);
	put("checkpoint", "body-extension", 'p', buf, n);
	put_str("checkpoint", "bad-body-leading-zero", 'p',
	    "ledgerd.local\n08\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	put_str("checkpoint", "verifier", 'v', verifier);
	put_str("checkpoint", "verifier-other", 'v', other_verifier);
	/* The key id in capitals: accepted, as by Go's note package. */
	n = strlen(verifier);
	memcpy(buf, verifier, n);
	for (i = strlen(FUZZ_KEY_NAME) + 1; i < strlen(FUZZ_KEY_NAME) + 9; i++)
		if (buf[i] >= 'a' && buf[i] <= 'f')
			buf[i] = (char)(buf[i] - 'a' + 'A');
	put("checkpoint", "verifier-keyid-capitals", 'v', buf, n);
	put("checkpoint", "open-note", 'o', note, note_len);
	put("checkpoint", "verify-note", 'V', note, note_len);
	/* Cosigned: the witness's line first, then ours. */
	n = (size_t)snprintf(buf, sizeof(buf), "%.*s%s", (int)other_len,
	    other_note, note + body_len + 1);
	put("checkpoint", "verify-cosigned", 'V', buf, n);
	put("checkpoint", "verify-other-key-only", 'V', other_note, other_len);
	memcpy(buf, note, note_len);
	/* Another base64 letter inside the signature: decodes, does not verify. */
	buf[note_len - 20] = buf[note_len - 20] == 'A' ? 'B' : 'A';
	put("checkpoint", "bad-verify-altered-sig", 'V', buf, note_len);
	put("checkpoint", "bad-verify-no-blank-line", 'V', body, body_len);
}

static const char config_full[] =
"# ledgerd.conf - every key\n"
"[server]\n"
"listen = 127.0.0.1:7443        # host:port, or [::1]:7443\n"
"max_connections = 1024\n"
"idle_timeout_s = 300\n"
"max_frame_bytes = 1048576\n"
"user =                         # optional\n"
"\n"
"[tls]\n"
"cert = pki/server.crt\n"
"key = pki/server.key\n"
"client_ca = pki/ca.crt\n"
"crl =\n"
"\n"
"[ledger]\n"
"path = ledger\n"
"map_size_mb = 1024\n"
"checkpoint_key = /etc/ledgerd/checkpoint.key\n"
"checkpoint_origin = ledgerd.local\n"
"\n"
"[rules]\n"
"general_min = 100,000,000\n"
"general_max = 2億\n"
"reconstruction_min = 250000000\n"
"reconstruction_max = 5億円\n"
"\n"
"[metrics]\n"
"listen = [::1]:9464\n"
"\n"
"[roles]\n"
"; CN = role\n"
"admin01 = admin\n"
"clerk01 = clerk\n"
"auditor01 = auditor\n"
"recon01 = reconciler\n";

static const char config_min[] =
"[tls]\ncert=c\nkey=k\nclient_ca=ca\n[ledger]\npath=/var/lib/ledgerd\n"
"checkpoint_key=ck\n";

static void
gen_config(void)
{
	char	 buf[2048];

	put_str("config", "full", -1, config_full);
	put_str("config", "minimal", -1, config_min);
	snprintf(buf, sizeof(buf), "\xef\xbb\xbf[server]\r\nlisten = localhost:1\r\n"
	    "user = ledgerd\r\n%s", config_min);
	put_str("config", "bom-crlf", -1, buf);
	snprintf(buf, sizeof(buf), "%s[server]\nfoo = 1\n", config_min);
	put_str("config", "bad-unknown-key", -1, buf);
	snprintf(buf, sizeof(buf), "%s[tls]\n", config_min);
	put_str("config", "bad-duplicate-section", -1, buf);
	snprintf(buf, sizeof(buf), "%s[server]\nmax_frame_bytes = 100\n",
	    config_min);
	put_str("config", "bad-frame-cap", -1, buf);
	snprintf(buf, sizeof(buf), "%s[rules]\ngeneral_min = 3億\n", config_min);
	put_str("config", "bad-min-above-max", -1, buf);
	snprintf(buf, sizeof(buf), "%s[roles]\nx = root\n", config_min);
	put_str("config", "bad-role", -1, buf);
	put_str("config", "bad-missing-required", -1, "[tls]\ncert = c\n");
}

static void
gen_values(void)
{
	static const char *const seeds[][2] = {
		{ "amount-plain", "150000000" },
		{ "amount-grouped", "1,500,000" },
		{ "amount-underscore", "1_500_000円" },
		{ "amount-oku-fraction", "1.5億" },
		{ "amount-oku-man", "1億5,000万円" },
		{ "amount-fullwidth", "１，５００万" },
		{ "amount-max", "10,000,000,000,000" },
		{ "amount-too-large", "10,000,000,000,001" },
		{ "amount-no-unit-fraction", "1.5" },
		{ "fy-plain", "2024" },
		{ "fy-prefix", "FY2013" },
		{ "fy-heisei", "H25" },
		{ "fy-reiwa", "r7" },
		{ "date", "2024-06-15" },
		{ "date-leap", "2024-02-29" },
		{ "date-not-leap", "2023-02-29" },
		{ "amount-hyakuman", "16,221百万円" },
		{ "amount-sen", "500千円" },
		{ "amount-bare-sen", "5千万" },
		{ "fy-fullwidth", "２０１３" },
		{ "fy-fullwidth-heisei", "Ｈ２５" },
		{ "fy-reiwa-kanji", "令和7" },
		{ "fy-reiwa-gannen", "R元" },
		{ "fy-heisei-nendo", "平成25年度" },
		{ "fy-western-nendo", "2013年度" },
		{ "fy-calendar-year", "2013年" },
		{ "date-slash", "2013/6/30" },
		{ "date-slash-padded", "2013/06/30" },
		{ "date-heisei-dots", "H25.6.30" },
		{ "date-heisei-kanji", "平成25年6月30日" },
		{ "date-reiwa-gannen", "令和元年5月1日" },
		{ "date-heisei-after-end", "H31.5.1" },
		{ "date-reiwa-before-start", "R1.4.30" },
		{ "date-fullwidth", "２０１３／６／３０" },
		{ "u64-max", "18446744073709551615" },
		{ "u64-overflow", "18446744073709551616" },
	};
	static const uint8_t min64[8] = { 0, 0, 0, 0, 0, 0, 0, 0x80 };
	size_t	 i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		put_str("values", seeds[i][0], -1, seeds[i][1]);
	/* Raw int64 for the formatters (little-endian here): INT64_MIN. */
	put("values", "format-int64-min", -1, min64, sizeof(min64));
}

static void
gen_csv(void)
{
	static const char *const seeds[][2] = {
		{ "statement", "date,amount,ref,memo\n"
		    "2024-06-15,\"1,500,000\",D-0001,第1回支払\n"
		    "2024-07-01,500000,R-0001,\n" },
		{ "import-bom-crlf", BOM_STR "kind,region,fy,amount,ref,date,memo\r\n"
		    "disbursement,tohoku-01,2024,1.5億,D-2,2024-06-30,\"say \"\"hi\"\"\"\r\n"
		    "refund,tohoku-01,R6,１，０００,R-2,2024-07-01,\"two\r\nlines\"\r\n" },
		{ "no-final-newline", "a,b,c\n1,2,3" },
		{ "empty-lines", "a\n\n\nb\n" },
		{ "empty-fields", ",,\n\"\",\"\",\"\"\n" },
		{ "bad-unterminated-quote", "a,\"open\nnext line\n" },
		{ "bad-lone-cr", "a,b\rc\n" },
		{ "bad-quote-in-bare-field", "a,b\"c\n" },
		{ "bad-after-closing-quote", "\"a\"b,c\n" },
		{ "bad-too-many-fields", "1,2,3,4,5,6,7,8,9\n" },
		{ "bom-not-bom", "\xef\xbc\x91,2\n" },
		{ "statement-excel", BOM_STR "No,Amount, Date ,memo,Ref,x\r\n"
		    "1,\"\xc2\xa5" "1,500,000\",2013/6/30,6\xe6\x9c\x88,"
		    "\xef\xbc\xb6\xef\xbc\x8d\xef\xbc\x91,y\r\n"
		    ",,,,,\r\n\r\n" },
		{ "statement-cp932", "date,ref,amount,memo\r\n"
		    "2013/6/30,\x90\x55\x8d\x9e-0007,\"\x81\x8f" "1,500\","
		    "\x83\x5c\r\n\r\n" },
		{ "bad-cp932-byte", "date,ref\r\n1,\x81\x20\r\n" },
		{ "bad-cp932-cut", "date,ref\r\n1,\x90" },
		{ "bad-header-twice", "date,ref,amount,REF\n" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		put_str("csv", seeds[i][0], -1, seeds[i][1]);
	put("csv", "bad-nul-byte", -1, "a,b\0c\n", 6);
}

int
main(int argc, char *argv[])
{
	struct wbuf	 b;

	if (argc != 2) {
		fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) == -1 && errno != EEXIST)
		die(outdir);
	samples_make();
	tree_make();
	checkpoint_make();
	wbuf_init(&b);
	gen_entry();
	gen_frame();
	gen_msg_requests(&b);
	gen_msg_answers(&b);
	gen_msg_audit(&b);
	gen_checkpoint();
	gen_config();
	gen_values();
	gen_csv();
	wbuf_free(&b);
	printf("fuzz key verifier: %s\n", verifier);
	return failed;
}
