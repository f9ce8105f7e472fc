/*
 * test_msg_audit.c - audit message payloads (proto/msg_audit.c).
 *
 * The PROOF decoder parses what a possibly hostile server sends to an
 * auditor: it must take back exactly what the encoder wrote, refuse every
 * truncation, overlong count and trailing byte, and msg_proof_verify() must
 * accept a real proof tied to its checkpoint and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checkpoint.h"
#include "merkle.h"
#include "msg_audit.h"
#include "wire.h"

typedef const uint8_t	(*const_path)[MERKLE_HASH_LEN];

#define NLEAVES	20

/* A small in-memory tree: leaf hashes and every perfect node. */
static uint8_t	nodes[6][NLEAVES][MERKLE_HASH_LEN];

static int
tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	(void)ctx;
	if (level >= 6 || index >= NLEAVES)
		return -1;
	memcpy(out, nodes[level][index], MERKLE_HASH_LEN);
	return 0;
}

static int
tree_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[MERKLE_HASH_LEN])
{
	(void)ctx;
	if (level >= 6 || index >= NLEAVES)
		return -1;
	memcpy(nodes[level][index], h, MERKLE_HASH_LEN);
	return 0;
}

static int
setup(void **state)
{
	uint8_t		d[2];
	uint64_t	i;

	(void)state;
	for (i = 0; i < NLEAVES; i++) {
		d[0] = (uint8_t)i;
		d[1] = 0x5a;
		merkle_leaf_hash(d, 2, nodes[0][i]);
		if (merkle_append(i, nodes[0][i], tree_get, tree_put, NULL) != 0)
			return -1;
	}
	return 0;
}

/* The checkpoint the daemon would have signed for size n. */
static void
ckpt_of(uint64_t n, struct ckpt *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->origin, "ledgerd.local");
	c->size = n;
	assert_int_equal(merkle_root(n, tree_get, NULL, c->root), 0);
}

/* What the daemon answers to PROVE seq at size b, with its checkpoint at n. */
static void
make_inclusion(uint64_t seq, uint64_t b, uint64_t n, struct msg_proof *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = MSG_PROOF_INCLUSION;
	p->a = seq;
	p->b = b;
	memcpy(p->first, nodes[0][seq - 1], MERKLE_HASH_LEN);
	assert_int_equal(merkle_root(b, tree_get, NULL, p->root), 0);
	assert_int_equal(merkle_inclusion_proof(seq - 1, b, tree_get, NULL, p->path,
	    &p->npath), 0);
	assert_int_equal(merkle_consistency_proof(b, n, tree_get, NULL, p->link,
	    &p->nlink), 0);
	p->note = "note text\n";
	p->note_len = 10;
}

static void
make_consistency(uint64_t m, uint64_t b, uint64_t n, struct msg_proof *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = MSG_PROOF_CONSISTENCY;
	p->a = m;
	p->b = b;
	assert_int_equal(merkle_root(m, tree_get, NULL, p->first), 0);
	assert_int_equal(merkle_root(b, tree_get, NULL, p->root), 0);
	assert_int_equal(merkle_consistency_proof(m, b, tree_get, NULL, p->path,
	    &p->npath), 0);
	assert_int_equal(merkle_consistency_proof(b, n, tree_get, NULL, p->link,
	    &p->nlink), 0);
	p->note = "note text\n";
	p->note_len = 10;
}

static void
assert_proof_equal(const struct msg_proof *a, const struct msg_proof *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_true(a->a == b->a && a->b == b->b);
	assert_memory_equal(a->first, b->first, MERKLE_HASH_LEN);
	assert_memory_equal(a->root, b->root, MERKLE_HASH_LEN);
	assert_int_equal(a->npath, b->npath);
	if (a->npath)
		assert_memory_equal(a->path, b->path, a->npath * MERKLE_HASH_LEN);
	assert_int_equal(a->nlink, b->nlink);
	if (a->nlink)
		assert_memory_equal(a->link, b->link, a->nlink * MERKLE_HASH_LEN);
	assert_int_equal(a->note_len, b->note_len);
	assert_memory_equal(a->note, b->note, a->note_len);
}

static void
test_requests(void **state)
{
	static const uint8_t want[16] = { 0, 0, 0, 0, 0, 0, 0, 7,
	    0, 0, 0, 0, 0, 0, 0x01, 0x00 };
	struct wbuf	b;
	uint64_t	x, y;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_prove(&b, 7, 256), 0);
	assert_int_equal(b.len, 16);
	assert_memory_equal(b.data, want, 16);
	assert_int_equal(msg_decode_prove(b.data, b.len, &x, &y), 0);
	assert_true(x == 7 && y == 256);
	assert_int_equal(msg_decode_prove(b.data, 15, &x, &y), -1);
	wbuf_u8(&b, 0);
	assert_int_equal(msg_decode_prove(b.data, b.len, &x, &y), -1);

	wbuf_reset(&b);
	assert_int_equal(msg_encode_consistency(&b, 3, 0), 0);
	assert_int_equal(msg_decode_consistency(b.data, b.len, &x, &y), 0);
	assert_true(x == 3 && y == 0);
	assert_int_equal(msg_decode_consistency(b.data, 8, &x, &y), -1);

	assert_int_equal(msg_decode_checkpoint_req(NULL, 0), 0);
	assert_int_equal(msg_decode_checkpoint_req(want, 1), -1);
	wbuf_free(&b);
}

static void
test_checkpoint_ok(void **state)
{
	static const char	note[] = "ledgerd.local\n1\nX\n\n\xe2\x80\x94 k AAAAAAAA\n";
	struct wbuf		b;
	const char		*got;
	size_t			 len, i;
	char			*big;

	(void)state;
	wbuf_init(&b);
	assert_int_equal(msg_encode_checkpoint_ok(&b, note, strlen(note)), 0);
	assert_int_equal(b.len, 4 + strlen(note));
	assert_int_equal(b.data[3], strlen(note));
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &got, &len), 0);
	assert_int_equal(len, strlen(note));
	assert_memory_equal(got, note, len);
	for (i = 0; i < b.len; i++)
		assert_int_equal(msg_decode_checkpoint_ok(b.data, i, &got, &len), -1);
	wbuf_u8(&b, 'x');
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &got, &len), -1);

	/* Empty, NUL-bearing and oversized notes are refused both ways. */
	wbuf_reset(&b);
	assert_int_equal(msg_encode_checkpoint_ok(&b, "", 0), -1);
	assert_int_equal(msg_encode_checkpoint_ok(&b, "a\0b", 3), -1);
	wbuf_reset(&b);
	wbuf_u32(&b, 0);
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &got, &len), -1);
	wbuf_reset(&b);
	wbuf_u32(&b, 3);
	wbuf_put(&b, "a\0b", 3);
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &got, &len), -1);

	big = malloc(MSG_NOTE_MAX + 1);
	assert_non_null(big);
	memset(big, 'n', MSG_NOTE_MAX + 1);
	wbuf_reset(&b);
	assert_int_equal(msg_encode_checkpoint_ok(&b, big, MSG_NOTE_MAX), 0);
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &got, &len), 0);
	assert_int_equal(len, MSG_NOTE_MAX);
	wbuf_reset(&b);
	assert_int_equal(msg_encode_checkpoint_ok(&b, big, MSG_NOTE_MAX + 1), -1);
	wbuf_reset(&b);
	wbuf_u32(&b, MSG_NOTE_MAX + 1);
	wbuf_put(&b, big, MSG_NOTE_MAX + 1);
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &got, &len), -1);
	/* A length that claims more than is there. */
	wbuf_reset(&b);
	wbuf_u32(&b, 0xffffffffu);
	wbuf_put(&b, "abc", 3);
	assert_int_equal(msg_decode_checkpoint_ok(b.data, b.len, &got, &len), -1);
	free(big);
	wbuf_free(&b);
}

static void
test_proof_round_trip(void **state)
{
	struct msg_proof	*p, *q;
	struct wbuf		 b;
	size_t			 i;

	(void)state;
	p = calloc(1, sizeof(*p));
	q = calloc(1, sizeof(*q));
	assert_non_null(p);
	assert_non_null(q);
	wbuf_init(&b);
	make_inclusion(5, 13, 20, p);
	assert_int_equal(msg_encode_proof(&b, p), 0);
	assert_int_equal(b.len, 1 + 8 + 8 + 32 + 32 + 1 + 32 * p->npath + 1 +
	    32 * p->nlink + 4 + 10);
	assert_int_equal(msg_decode_proof(b.data, b.len, q), 0);
	assert_proof_equal(p, q);
	/* The note is borrowed from the payload, not copied. */
	assert_ptr_equal(q->note, (const char *)b.data + b.len - 10);
	/* Every truncation and any trailing byte is refused. */
	for (i = 0; i < b.len; i++)
		assert_int_equal(msg_decode_proof(b.data, i, q), -1);
	wbuf_u8(&b, 0);
	assert_int_equal(msg_decode_proof(b.data, b.len, q), -1);

	wbuf_reset(&b);
	make_consistency(4, 17, 20, p);
	assert_int_equal(msg_encode_proof(&b, p), 0);
	assert_int_equal(msg_decode_proof(b.data, b.len, q), 0);
	assert_proof_equal(p, q);
	wbuf_free(&b);
	free(p);
	free(q);
}

/* Build a raw PROOF payload with chosen header, counts and note length. */
static void
raw_proof(struct wbuf *b, uint8_t kind, uint64_t a, uint64_t bb, unsigned npath,
    unsigned nlink, uint32_t note_len, const char *note, size_t have)
{
	static const uint8_t	h[MERKLE_HASH_LEN];
	unsigned		i;

	wbuf_reset(b);
	wbuf_u8(b, kind);
	wbuf_u64(b, a);
	wbuf_u64(b, bb);
	wbuf_put(b, h, sizeof(h));
	wbuf_put(b, h, sizeof(h));
	wbuf_u8(b, (uint8_t)npath);
	for (i = 0; i < npath; i++)
		wbuf_put(b, h, sizeof(h));
	wbuf_u8(b, (uint8_t)nlink);
	for (i = 0; i < nlink; i++)
		wbuf_put(b, h, sizeof(h));
	wbuf_u32(b, note_len);
	wbuf_put(b, note, have);
}

static void
test_proof_decoder_refuses(void **state)
{
	struct msg_proof	*p;
	struct wbuf		 b;

	(void)state;
	p = calloc(1, sizeof(*p));
	assert_non_null(p);
	wbuf_init(&b);
	raw_proof(&b, 1, 1, 1, 0, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), 0);	/* baseline */
	raw_proof(&b, 2, 0, 0, 0, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), 0);	/* empty tree */
	raw_proof(&b, 1, 1, 1, MERKLE_PATH_MAX, MERKLE_PATH_MAX, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), 0);	/* at the caps */

	raw_proof(&b, 0, 1, 1, 0, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* kind */
	raw_proof(&b, 3, 1, 1, 0, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);
	raw_proof(&b, 1, 0, 1, 0, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* seq 0 */
	raw_proof(&b, 1, 2, 1, 0, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* seq > size */
	raw_proof(&b, 2, 5, 4, 0, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* shrinking */
	raw_proof(&b, 1, 1, 1, MERKLE_PATH_MAX + 1, 0, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* npath */
	raw_proof(&b, 1, 1, 1, 0, MERKLE_PATH_MAX + 1, 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* nlink */
	raw_proof(&b, 1, 1, 1, 0, 0, 0, "", 0);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* no note */
	raw_proof(&b, 1, 1, 1, 0, 0, MSG_NOTE_MAX + 1, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* note cap */
	raw_proof(&b, 1, 1, 1, 0, 0, 5, "n", 1);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* short note */
	raw_proof(&b, 1, 1, 1, 0, 0, 3, "a\0b", 3);
	assert_int_equal(msg_decode_proof(b.data, b.len, p), -1);	/* NUL */
	/* A failed decode leaves nothing behind that looks like a proof. */
	assert_int_equal(p->kind, 0);
	assert_null(p->note);

	/* The encoder refuses what the decoder would. */
	memset(p, 0, sizeof(*p));
	p->kind = MSG_PROOF_INCLUSION;
	p->a = 0;
	p->b = 1;
	p->note = "n";
	p->note_len = 1;
	wbuf_reset(&b);
	assert_int_equal(msg_encode_proof(&b, p), -1);
	p->a = 1;
	p->npath = MERKLE_PATH_MAX + 1;
	assert_int_equal(msg_encode_proof(&b, p), -1);
	p->npath = 0;
	p->note_len = 0;
	assert_int_equal(msg_encode_proof(&b, p), -1);
	p->note_len = 1;
	assert_int_equal(msg_encode_proof(&b, p), 0);
	wbuf_free(&b);
	free(p);
}

static void
test_proof_verify(void **state)
{
	struct msg_proof	*p;
	struct ckpt		 ck, other;
	uint64_t		 seq, b, m;

	(void)state;
	p = calloc(1, sizeof(*p));
	assert_non_null(p);
	ckpt_of(NLEAVES, &ck);
	/* Every inclusion proof at every size, tied to the size-20 checkpoint. */
	for (b = 1; b <= NLEAVES; b++)
		for (seq = 1; seq <= b; seq++) {
			make_inclusion(seq, b, NLEAVES, p);
			assert_int_equal(msg_proof_verify(p, &ck), MSG_PROOF_OK);
		}
	for (b = 1; b <= NLEAVES; b++)
		for (m = 0; m <= b; m++) {
			make_consistency(m, b, NLEAVES, p);
			assert_int_equal(msg_proof_verify(p, &ck), MSG_PROOF_OK);
		}

	/* A damaged proof, or a proof of another leaf. */
	make_inclusion(5, 13, NLEAVES, p);
	p->path[0][7] ^= 1;
	assert_int_equal(msg_proof_verify(p, &ck), MSG_PROOF_E_PROOF);
	make_inclusion(5, 13, NLEAVES, p);
	p->first[0] ^= 1;
	assert_int_equal(msg_proof_verify(p, &ck), MSG_PROOF_E_PROOF);
	make_inclusion(5, 13, NLEAVES, p);
	p->a = 6;
	assert_int_equal(msg_proof_verify(p, &ck), MSG_PROOF_E_PROOF);

	/* A sound proof whose tree is not in the checkpoint. */
	make_inclusion(5, 13, NLEAVES, p);
	p->link[0][0] ^= 1;
	assert_int_equal(msg_proof_verify(p, &ck), MSG_PROOF_E_LINK);
	make_inclusion(5, 13, NLEAVES, p);
	other = ck;
	other.root[31] ^= 1;
	assert_int_equal(msg_proof_verify(p, &other), MSG_PROOF_E_LINK);
	ckpt_of(12, &other);
	assert_int_equal(msg_proof_verify(p, &other), MSG_PROOF_E_LINK);
	/* At the checkpoint's own size, the root must be its root. */
	make_consistency(3, NLEAVES, NLEAVES, p);
	assert_int_equal(p->nlink, 0);
	assert_int_equal(msg_proof_verify(p, &ck), MSG_PROOF_OK);
	other = ck;
	other.root[0] ^= 0x80;
	assert_int_equal(msg_proof_verify(p, &other), MSG_PROOF_E_LINK);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_checkpoint_ok),
		cmocka_unit_test(test_proof_round_trip),
		cmocka_unit_test(test_proof_decoder_refuses),
		cmocka_unit_test(test_proof_verify),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
