/*
 * test_merkle.c - the Merkle tree that auditors rely on (proto/merkle.c).
 *
 * Roots are checked against the RFC 6962 test vectors and against a
 * straightforward recursive MTH written here from the RFC's definitions;
 * proofs against the RFC's recursive PATH and SUBPROOF.  Every proof of
 * every small tree must verify, and must stop verifying when any bit of it
 * changes: that is what makes a rewrite of history detectable.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "merkle.h"

#define MAXN	70	/* largest tree built from real leaves */
#define SLOTS	128

/* Array-backed node store that refuses to read outside the current tree. */
struct store {
	uint8_t		h[8][SLOTS][MERKLE_HASH_LEN];
	uint8_t		have[8][SLOTS];
	uint64_t	limit;		/* nodes past this many leaves are off limits */
	unsigned long	gets, puts;
};

static int
store_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	struct store	*s = ctx;

	s->gets++;
	if (level >= 8 || index >= SLOTS || !s->have[level][index])
		return -1;
	if (((index + 1) << level) > s->limit)
		return -1;
	memcpy(out, s->h[level][index], MERKLE_HASH_LEN);
	return 0;
}

static int
store_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[MERKLE_HASH_LEN])
{
	struct store	*s = ctx;

	s->puts++;
	if (level >= 8 || index >= SLOTS || s->have[level][index])
		return -1;	/* a node is written once */
	memcpy(s->h[level][index], hash, MERKLE_HASH_LEN);
	s->have[level][index] = 1;
	return 0;
}

/* Leaf hashes of the shared test tree and the store built by appending them. */
static uint8_t		leaves[MAXN][MERKLE_HASH_LEN];
static struct store	tree;

static void
store_add(struct store *s, uint64_t n, const uint8_t leaf[MERKLE_HASH_LEN])
{
	memcpy(s->h[0][n], leaf, MERKLE_HASH_LEN);
	s->have[0][n] = 1;
	s->limit = n + 1;
	assert_int_equal(merkle_append(n, leaf, store_get, store_put, s), 0);
}

static int
setup_tree(void **state)
{
	uint8_t		data[3];
	uint64_t	i;

	(void)state;
	memset(&tree, 0, sizeof(tree));
	for (i = 0; i < MAXN; i++) {
		data[0] = (uint8_t)i;
		data[1] = (uint8_t)(i * 7);
		data[2] = 0xa5;
		merkle_leaf_hash(data, 1 + i % 3, leaves[i]);
		store_add(&tree, i, leaves[i]);
	}
	return 0;
}

/* --- the RFC's definitions, recursively, over leaf hashes --- */

/* SHA-256 of the empty string: the root of the empty tree. */
static const uint8_t empty_sha256[MERKLE_HASH_LEN] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8,
	0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55 };

static uint64_t
ref_split(uint64_t n)
{
	uint64_t	k = 1;

	while (2 * k < n)
		k *= 2;
	return k;
}

static void
ref_mth(const uint8_t (*l)[MERKLE_HASH_LEN], uint64_t n, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t		a[MERKLE_HASH_LEN], b[MERKLE_HASH_LEN];
	uint64_t	k;

	if (n == 0) {
		memcpy(out, empty_sha256, MERKLE_HASH_LEN);
		return;
	}
	if (n == 1) {
		memcpy(out, l[0], MERKLE_HASH_LEN);
		return;
	}
	k = ref_split(n);
	ref_mth(l, k, a);
	ref_mth(l + k, n - k, b);
	merkle_node_hash(a, b, out);
}

static void
ref_path(uint64_t m, const uint8_t (*l)[MERKLE_HASH_LEN], uint64_t n,
    uint8_t path[][MERKLE_HASH_LEN], size_t *np)
{
	uint64_t	k;

	if (n <= 1)
		return;
	k = ref_split(n);
	if (m < k) {
		ref_path(m, l, k, path, np);
		ref_mth(l + k, n - k, path[(*np)++]);
	} else {
		ref_path(m - k, l + k, n - k, path, np);
		ref_mth(l, k, path[(*np)++]);
	}
}

static void
ref_subproof(uint64_t m, const uint8_t (*l)[MERKLE_HASH_LEN], uint64_t n, int b,
    uint8_t path[][MERKLE_HASH_LEN], size_t *np)
{
	uint64_t	k;

	if (m == n) {
		if (!b)
			ref_mth(l, n, path[(*np)++]);
		return;
	}
	k = ref_split(n);
	if (m <= k) {
		ref_subproof(m, l, k, b, path, np);
		ref_mth(l + k, n - k, path[(*np)++]);
	} else {
		ref_subproof(m - k, l + k, n - k, 0, path, np);
		ref_mth(l, k, path[(*np)++]);
	}
}

static void
flip(uint8_t h[MERKLE_HASH_LEN], unsigned bit)
{
	h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* --- RFC 6962 vectors --- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t	n = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	while (s[0] && s[1]) {
		assert_true(n < max);
		assert_true(hexval(s[0]) >= 0 && hexval(s[1]) >= 0);
		out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		s += 2;
	}
	assert_int_equal(s[0], '\0');
	return n;
}

static void
test_rfc6962_vectors(void **state)
{
	const char	*dir = getenv("LD_TEST_VECTORS");
	char		 path[4096], line[512], word[16], hex[256];
	uint8_t		 data[8][64], want[9][MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	uint8_t		 lh[8][MERKLE_HASH_LEN];
	size_t		 dlen[8];
	int		 haveleaf[8] = { 0 }, haveroot[9] = { 0 };
	unsigned	 idx;
	struct store	*s;
	struct merkle_stream ms;
	FILE		*fp;
	uint64_t	 n;

	(void)state;
	snprintf(path, sizeof(path), "%s/rfc6962.txt", dir ? dir : "tests/vectors");
	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s: %s (set LD_TEST_VECTORS)", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%15s %u %255s", word, &idx, hex) != 3)
			continue;
		if (strcmp(word, "leaf") == 0) {
			assert_true(idx < 8);
			dlen[idx] = unhex(hex, data[idx], sizeof(data[idx]));
			haveleaf[idx] = 1;
		} else if (strcmp(word, "root") == 0) {
			assert_true(idx < 9);
			assert_int_equal(unhex(hex, want[idx], MERKLE_HASH_LEN),
			    MERKLE_HASH_LEN);
			haveroot[idx] = 1;
		}
	}
	fclose(fp);
	for (idx = 0; idx < 8; idx++)
		assert_true(haveleaf[idx]);
	for (idx = 0; idx < 9; idx++)
		assert_true(haveroot[idx]);

	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	merkle_stream_init(&ms);
	s->limit = 0;
	assert_int_equal(merkle_root(0, store_get, s, got), 0);
	assert_memory_equal(got, want[0], MERKLE_HASH_LEN);
	merkle_stream_root(&ms, got);
	assert_memory_equal(got, want[0], MERKLE_HASH_LEN);
	for (n = 0; n < 8; n++) {
		merkle_leaf_hash(data[n], dlen[n], lh[n]);
		store_add(s, n, lh[n]);
		merkle_stream_push(&ms, lh[n]);
		assert_int_equal(merkle_root(n + 1, store_get, s, got), 0);
		assert_memory_equal(got, want[n + 1], MERKLE_HASH_LEN);
		merkle_stream_root(&ms, got);
		assert_memory_equal(got, want[n + 1], MERKLE_HASH_LEN);
		ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])lh, n + 1, got);
		assert_memory_equal(got, want[n + 1], MERKLE_HASH_LEN);
	}
	free(s);
}

/* The leaf hash is SHA-256(0x00 || data), the node hash SHA-256(0x01 || l || r). */
static void
test_hash_prefixes(void **state)
{
	/* SHA-256 of the single byte 0x00: the RFC vectors' first leaf. */
	static const uint8_t empty_leaf[MERKLE_HASH_LEN] = {
		0x6e, 0x34, 0x0b, 0x9c, 0xff, 0xb3, 0x7a, 0x98, 0x9c, 0xa5,
		0x44, 0xe6, 0xbb, 0x78, 0x0a, 0x2c, 0x78, 0x90, 0x1d, 0x3f,
		0xb3, 0x37, 0x38, 0x76, 0x85, 0x11, 0xa3, 0x06, 0x17, 0xaf,
		0xa0, 0x1d };
	uint8_t	h[MERKLE_HASH_LEN], l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];

	(void)state;
	merkle_leaf_hash(NULL, 0, h);
	assert_memory_equal(h, empty_leaf, MERKLE_HASH_LEN);
	/* A leaf's hash differs from the node hash over the same 64 bytes. */
	memset(l, 1, sizeof(l));
	memset(r, 2, sizeof(r));
	{
		uint8_t	cat[2 * MERKLE_HASH_LEN];

		memcpy(cat, l, MERKLE_HASH_LEN);
		memcpy(cat + MERKLE_HASH_LEN, r, MERKLE_HASH_LEN);
		merkle_leaf_hash(cat, sizeof(cat), h);
	}
	merkle_node_hash(l, r, l);	/* output may alias an input */
	assert_memory_not_equal(h, l, MERKLE_HASH_LEN);
}

static void
test_append_stores_perfect_nodes(void **state)
{
	uint8_t		want[MERKLE_HASH_LEN];
	unsigned	level;
	uint64_t	i, nodes = 0;

	(void)state;
	for (level = 1; level < 8; level++)
		for (i = 0; i < SLOTS; i++) {
			if (((i + 1) << level) <= MAXN) {
				assert_true(tree.have[level][i]);
				ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])
				    leaves + (i << level), (uint64_t)1 << level, want);
				assert_memory_equal(tree.h[level][i], want, MERKLE_HASH_LEN);
				nodes++;
			} else
				assert_false(tree.have[level][i]);
		}
	/* One put per completed node, no more: n - popcount(n) of them. */
	assert_int_equal(tree.puts, nodes);
	assert_int_equal(nodes, MAXN - 3);	/* 70 = 0b1000110 */
}

static void
test_roots_all_sizes(void **state)
{
	struct merkle_stream	ms;
	uint8_t			got[MERKLE_HASH_LEN], ref[MERKLE_HASH_LEN];
	uint8_t			st[MERKLE_HASH_LEN];
	uint64_t		n;

	(void)state;
	merkle_stream_init(&ms);
	for (n = 0; n <= MAXN; n++) {
		if (n > 0)
			merkle_stream_push(&ms, leaves[n - 1]);
		tree.limit = n;
		assert_int_equal(merkle_root(n, store_get, &tree, got), 0);
		ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])leaves, n, ref);
		merkle_stream_root(&ms, st);
		assert_memory_equal(got, ref, MERKLE_HASH_LEN);
		assert_memory_equal(st, ref, MERKLE_HASH_LEN);
	}
	/* The root of a size the store does not hold is an error, not a guess. */
	tree.limit = MAXN;
	assert_int_equal(merkle_root(MAXN + 1, store_get, &tree, got), -1);
}

static void
test_inclusion_all(void **state)
{
	uint8_t		path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint8_t		want[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint8_t		roots[MAXN + 1][MERKLE_HASH_LEN];
	uint8_t		leaf[MERKLE_HASH_LEN], root[MERKLE_HASH_LEN];
	size_t		np, nw, i;
	uint64_t	n, idx, other;
	unsigned	bit;

	(void)state;
	for (n = 0; n <= MAXN; n++)
		ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])leaves, n, roots[n]);
	for (n = 1; n <= MAXN; n++) {
		tree.limit = n;
		for (idx = 0; idx < n; idx++) {
			assert_int_equal(merkle_inclusion_proof(idx, n, store_get,
			    &tree, path, &np), 0);
			nw = 0;
			ref_path(idx, (const uint8_t (*)[MERKLE_HASH_LEN])leaves, n,
			    want, &nw);
			assert_int_equal(np, nw);
			if (np > 0)
				assert_memory_equal(path, want, np * MERKLE_HASH_LEN);
			assert_int_equal(merkle_verify_inclusion(idx, n, leaves[idx],
			    (const uint8_t (*)[MERKLE_HASH_LEN])path, np, roots[n]), 0);

			for (i = 0; i < np; i++)
				for (bit = 0; bit < 256; bit++) {
					flip(path[i], bit);
					assert_int_equal(merkle_verify_inclusion(idx, n,
					    leaves[idx],
					    (const uint8_t (*)[MERKLE_HASH_LEN])path,
					    np, roots[n]), -1);
					flip(path[i], bit);
				}
			memcpy(leaf, leaves[idx], MERKLE_HASH_LEN);
			memcpy(root, roots[n], MERKLE_HASH_LEN);
			for (bit = 0; bit < 256; bit++) {
				flip(leaf, bit);
				assert_int_equal(merkle_verify_inclusion(idx, n, leaf,
				    (const uint8_t (*)[MERKLE_HASH_LEN])path, np,
				    roots[n]), -1);
				flip(leaf, bit);
				flip(root, bit);
				assert_int_equal(merkle_verify_inclusion(idx, n,
				    leaves[idx], (const uint8_t (*)[MERKLE_HASH_LEN])path,
				    np, root), -1);
				flip(root, bit);
			}
			/* Another position, or another tree, does not verify. */
			for (other = 0; other <= n + 1; other++) {
				if (other == idx)
					continue;
				assert_int_equal(merkle_verify_inclusion(other, n,
				    leaves[idx], (const uint8_t (*)[MERKLE_HASH_LEN])path,
				    np, roots[n]), -1);
			}
			for (other = 1; other <= MAXN; other++) {
				if (other == n)
					continue;
				assert_int_equal(merkle_verify_inclusion(idx, other,
				    leaves[idx], (const uint8_t (*)[MERKLE_HASH_LEN])path,
				    np, roots[other]), -1);
			}
			/* A truncated or extended path does not verify. */
			if (np > 0)
				assert_int_equal(merkle_verify_inclusion(idx, n,
				    leaves[idx], (const uint8_t (*)[MERKLE_HASH_LEN])path,
				    np - 1, roots[n]), -1);
			memcpy(path[np], roots[n], MERKLE_HASH_LEN);
			assert_int_equal(merkle_verify_inclusion(idx, n, leaves[idx],
			    (const uint8_t (*)[MERKLE_HASH_LEN])path, np + 1,
			    roots[n]), -1);
		}
	}
	/* Out of range requests are refused. */
	tree.limit = 5;
	assert_int_equal(merkle_inclusion_proof(5, 5, store_get, &tree, path, &np), -1);
	assert_int_equal(merkle_inclusion_proof(0, 0, store_get, &tree, path, &np), -1);
	assert_int_equal(merkle_verify_inclusion(0, 0, leaves[0],
	    (const uint8_t (*)[MERKLE_HASH_LEN])path, 0, roots[0]), -1);
}

static void
test_consistency_all(void **state)
{
	uint8_t		path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint8_t		want[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint8_t		roots[MAXN + 1][MERKLE_HASH_LEN];
	uint8_t		r1[MERKLE_HASH_LEN], r2[MERKLE_HASH_LEN];
	size_t		np, nw, i;
	uint64_t	m, n, o;
	unsigned	bit;

	(void)state;
	for (n = 0; n <= MAXN; n++)
		ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])leaves, n, roots[n]);
	for (n = 1; n <= MAXN; n++) {
		tree.limit = n;
		for (m = 1; m <= n; m++) {
			assert_int_equal(merkle_consistency_proof(m, n, store_get,
			    &tree, path, &np), 0);
			nw = 0;
			ref_subproof(m, (const uint8_t (*)[MERKLE_HASH_LEN])leaves, n,
			    1, want, &nw);
			assert_int_equal(np, nw);
			if (np > 0)
				assert_memory_equal(path, want, np * MERKLE_HASH_LEN);
			assert_int_equal(merkle_verify_consistency(m, n, roots[m],
			    roots[n], (const uint8_t (*)[MERKLE_HASH_LEN])path, np), 0);

			for (i = 0; i < np; i++)
				for (bit = 0; bit < 256; bit++) {
					flip(path[i], bit);
					assert_int_equal(merkle_verify_consistency(m, n,
					    roots[m], roots[n],
					    (const uint8_t (*)[MERKLE_HASH_LEN])path,
					    np), -1);
					flip(path[i], bit);
				}
			memcpy(r1, roots[m], MERKLE_HASH_LEN);
			memcpy(r2, roots[n], MERKLE_HASH_LEN);
			for (bit = 0; bit < 256; bit++) {
				flip(r1, bit);
				assert_int_equal(merkle_verify_consistency(m, n, r1,
				    roots[n], (const uint8_t (*)[MERKLE_HASH_LEN])path,
				    np), -1);
				flip(r1, bit);
				flip(r2, bit);
				assert_int_equal(merkle_verify_consistency(m, n,
				    roots[m], r2, (const uint8_t (*)[MERKLE_HASH_LEN])path,
				    np), -1);
				flip(r2, bit);
			}
			/* The proof binds both sizes. */
			for (o = 1; o <= MAXN; o++) {
				if (o != m && o <= n)
					assert_int_equal(merkle_verify_consistency(o, n,
					    roots[o], roots[n],
					    (const uint8_t (*)[MERKLE_HASH_LEN])path,
					    np), -1);
				if (o != n && o >= m)
					assert_int_equal(merkle_verify_consistency(m, o,
					    roots[m], roots[o],
					    (const uint8_t (*)[MERKLE_HASH_LEN])path,
					    np), -1);
			}
			if (np > 0)
				assert_int_equal(merkle_verify_consistency(m, n, roots[m],
				    roots[n], (const uint8_t (*)[MERKLE_HASH_LEN])path,
				    np - 1), -1);
			memcpy(path[np], roots[n], MERKLE_HASH_LEN);
			assert_int_equal(merkle_verify_consistency(m, n, roots[m],
			    roots[n], (const uint8_t (*)[MERKLE_HASH_LEN])path, np + 1),
			    -1);
		}
	}
	/* Old size 0: only the empty tree's root with an empty path. */
	assert_int_equal(merkle_verify_consistency(0, 5, roots[0], roots[5],
	    (const uint8_t (*)[MERKLE_HASH_LEN])path, 0), 0);
	assert_int_equal(merkle_verify_consistency(0, 5, roots[1], roots[5],
	    (const uint8_t (*)[MERKLE_HASH_LEN])path, 0), -1);
	/* A shrinking tree is never consistent. */
	assert_int_equal(merkle_verify_consistency(5, 4, roots[5], roots[4],
	    (const uint8_t (*)[MERKLE_HASH_LEN])path, 0), -1);
	tree.limit = MAXN;
	/* ... which is what the producer gives for old size 0. */
	assert_int_equal(merkle_consistency_proof(0, 5, store_get, &tree, path, &np), 0);
	assert_int_equal(np, 0);
	assert_int_equal(merkle_consistency_proof(6, 5, store_get, &tree, path, &np), -1);
}

/*
 * A proof costs O(log n) node reads, however large the tree: count reads
 * against a store that pretends to hold every perfect node of huge trees.
 */
static int
fake_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	unsigned long	*gets = ctx;

	(*gets)++;
	memset(out, 0, MERKLE_HASH_LEN);
	memcpy(out, &level, sizeof(level));
	memcpy(out + 8, &index, sizeof(index));
	return 0;
}

static void
test_proof_cost_logarithmic(void **state)
{
	static const uint64_t	sizes[] = { 1, 2, 3, 1000, 65535, 65536, 65537,
	    ((uint64_t)1 << 40) + 12345, UINT64_MAX / 2, UINT64_MAX };
	uint8_t		path[MERKLE_PATH_MAX][MERKLE_HASH_LEN], root[MERKLE_HASH_LEN];
	unsigned long	gets;
	size_t		np, i;
	uint64_t	n;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		n = sizes[i];
		gets = 0;
		assert_int_equal(merkle_root(n, fake_get, &gets, root), 0);
		assert_true(gets <= 64);
		gets = 0;
		assert_int_equal(merkle_inclusion_proof(n / 3, n, fake_get, &gets,
		    path, &np), 0);
		assert_true(np <= 64);
		assert_true(gets <= 2 * 64);
		gets = 0;
		assert_int_equal(merkle_inclusion_proof(n - 1, n, fake_get, &gets,
		    path, &np), 0);
		assert_true(gets <= 2 * 64);
		gets = 0;
		assert_int_equal(merkle_consistency_proof(n / 2 + 1, n, fake_get,
		    &gets, path, &np), 0);
		assert_true(np <= 65);
		assert_true(gets <= 2 * 64 + 1);
	}
}

/* A failing store makes every producer fail rather than invent a hash. */
static int
failing_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	(void)ctx;
	(void)level;
	(void)index;
	memset(out, 0, MERKLE_HASH_LEN);
	return -1;
}

static int
failing_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[MERKLE_HASH_LEN])
{
	(void)ctx;
	(void)level;
	(void)index;
	(void)h;
	return -1;
}

static void
test_store_errors(void **state)
{
	uint8_t	path[MERKLE_PATH_MAX][MERKLE_HASH_LEN], h[MERKLE_HASH_LEN];
	size_t	np;

	(void)state;
	assert_int_equal(merkle_root(3, failing_get, NULL, h), -1);
	assert_int_equal(merkle_inclusion_proof(0, 3, failing_get, NULL, path, &np), -1);
	assert_int_equal(merkle_consistency_proof(1, 3, failing_get, NULL, path, &np), -1);
	assert_int_equal(merkle_append(1, leaves[1], failing_get, store_put, &tree), -1);
	assert_int_equal(merkle_append(1, leaves[1], fake_get, failing_put,
	    &(unsigned long){ 0 }), -1);
	/* Leaf 0 completes nothing: no read, no write. */
	assert_int_equal(merkle_append(0, leaves[0], failing_get, failing_put, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6962_vectors),
		cmocka_unit_test(test_hash_prefixes),
		cmocka_unit_test(test_append_stores_perfect_nodes),
		cmocka_unit_test(test_roots_all_sizes),
		cmocka_unit_test(test_inclusion_all),
		cmocka_unit_test(test_consistency_all),
		cmocka_unit_test(test_proof_cost_logarithmic),
		cmocka_unit_test(test_store_errors),
	};

	return cmocka_run_group_tests(tests, setup_tree, NULL);
}
