/*
 * test_tiles.c - the C2SP tlog-tiles layout of `export --tiles`
 * (proto/tiles.c).
 *
 * What a tlog-tiles client would notice if we got it wrong: a tile at a
 * path it does not ask for (the x-prefixed index elements, the .p/<W>
 * suffix), a partial tile of the wrong width, or a hash that is not the
 * RFC 6962 hash of the range the specification assigns to it.  The hashes
 * are checked against a recursive MTH written here from RFC 6962 2.1 with
 * OpenSSL's SHA-256 directly, not merkle.c, over trees whose sizes sit on
 * either side of the tile boundaries: 1, 255, 256, 257 and 65536 + 3 (a
 * full level-1 tile and a level-2 tile of width 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "tiles.h"

/* ---- reference ------------------------------------------------------------ */

static void
ref_leaf(uint64_t i, uint8_t out[32])
{
	uint8_t	buf[1 + 32];
	int	n;

	/* Leaf data "entry <i>", hashed as SHA-256(0x00 || data). */
	buf[0] = 0x00;
	n = snprintf((char *)buf + 1, sizeof(buf) - 1, "entry %llu",
	    (unsigned long long)i);
	SHA256(buf, 1 + (size_t)n, out);
}

/* RFC 6962 MTH(D[lo:hi]) over the leaf hashes in leaves. */
static void
ref_mth(const uint8_t (*leaves)[32], uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t		buf[1 + 64];
	uint64_t	k = 1;

	if (hi - lo == 1) {
		memcpy(out, leaves[lo], 32);
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	buf[0] = 0x01;
	ref_mth(leaves, lo, lo + k, buf + 1);
	ref_mth(leaves, lo + k, hi, buf + 33);
	SHA256(buf, sizeof(buf), out);
}

/* ---- paths and widths ----------------------------------------------------- */

static void
path_is(int level, uint64_t index, unsigned width, const char *want)
{
	char	p[TILES_PATH_MAX];

	assert_int_equal(tiles_path(level, index, width, p, sizeof(p)), 0);
	assert_string_equal(p, want);
}

static void
test_paths(void **state)
{
	char	p[TILES_PATH_MAX];

	(void)state;
	path_is(0, 0, 256, "tile/0/000");
	path_is(0, 7, 256, "tile/0/007");
	path_is(0, 999, 256, "tile/0/999");
	path_is(0, 1000, 256, "tile/0/x001/000");
	path_is(0, 1234067, 256, "tile/0/x001/x234/067");	/* the spec's */
	path_is(1, 5, 7, "tile/1/005.p/7");
	path_is(2, 0, 1, "tile/2/000.p/1");
	path_is(0, 1, 255, "tile/0/001.p/255");
	path_is(TILES_ENTRIES, 0, 256, "tile/entries/000");
	path_is(TILES_ENTRIES, 1234067, 3, "tile/entries/x001/x234/067.p/3");
	/* The largest index a 64-bit tree has at level 0, and beyond. */
	path_is(0, UINT64_MAX >> 8, 256, "tile/0/x072/x057/x594/x037/x927/935");
	path_is(TILES_ENTRIES, UINT64_MAX, 255,
	    "tile/entries/x018/x446/x744/x073/x709/x551/615.p/255");
	path_is(7, 0, 1, "tile/7/000.p/1");

	assert_int_equal(tiles_path(0, 0, 0, p, sizeof(p)), -1);
	assert_string_equal(p, "");
	assert_int_equal(tiles_path(0, 0, 257, p, sizeof(p)), -1);
	assert_int_equal(tiles_path(8, 0, 256, p, sizeof(p)), -1);
	assert_int_equal(tiles_path(-2, 0, 256, p, sizeof(p)), -1);
	assert_int_equal(tiles_path(0, 0, 256, p, TILES_PATH_MAX - 1), -1);
}

static void
test_widths(void **state)
{
	(void)state;
	/* The specification's example: a tree of 70,000 entries. */
	assert_int_equal(tiles_width(70000, 0, 0), 256);
	assert_int_equal(tiles_width(70000, 0, 272), 256);
	assert_int_equal(tiles_width(70000, 0, 273), 112);
	assert_int_equal(tiles_width(70000, 0, 274), 0);
	assert_int_equal(tiles_width(70000, 1, 0), 256);
	assert_int_equal(tiles_width(70000, 1, 1), 17);
	assert_int_equal(tiles_width(70000, 1, 2), 0);
	assert_int_equal(tiles_width(70000, 2, 0), 1);
	assert_int_equal(tiles_width(70000, 3, 0), 0);
	/* 256: one full level-0 tile and a level-1 tile of width 1. */
	assert_int_equal(tiles_width(256, 0, 0), 256);
	assert_int_equal(tiles_width(256, 0, 1), 0);
	assert_int_equal(tiles_width(256, 1, 0), 1);
	assert_int_equal(tiles_width(255, 0, 0), 255);
	assert_int_equal(tiles_width(255, 1, 0), 0);
	assert_int_equal(tiles_width(0, 0, 0), 0);
	assert_int_equal(tiles_width(1, 0, 0), 1);
	assert_int_equal(tiles_width(UINT64_MAX, 7, 0), 255);
	assert_int_equal(tiles_width(UINT64_MAX, 8, 0), 0);
}

/* ---- the builder against the reference ------------------------------------ */

#define MAXTILES	1024

struct got {
	struct {
		unsigned	level, width;
		uint64_t	index;
		uint8_t		first[32], last[32];
	} t[MAXTILES];
	size_t		n;
	const uint8_t	(*leaves)[32];
	uint64_t	checked;	/* hashes compared with ref_mth */
	int		stop_at;	/* return 7 at this tile; -1 never */
};

/* Every hash of the tile against MTH of the range the spec assigns to it. */
static int
collect(void *ctx, unsigned level, uint64_t index, unsigned width,
    const uint8_t (*hashes)[MERKLE_HASH_LEN])
{
	struct got	*g = ctx;
	uint64_t	 span = (uint64_t)1 << (TILES_HEIGHT * level), lo;
	uint8_t		 want[32];
	unsigned	 i;

	assert_true(g->n < MAXTILES);
	if (g->stop_at >= 0 && (size_t)g->stop_at == g->n)
		return 7;
	for (i = 0; i < width; i++) {
		lo = (index * TILES_WIDTH + i) * span;
		ref_mth(g->leaves, lo, lo + span, want);
		assert_memory_equal(hashes[i], want, 32);
		g->checked++;
	}
	g->t[g->n].level = level;
	g->t[g->n].index = index;
	g->t[g->n].width = width;
	memcpy(g->t[g->n].first, hashes[0], 32);
	memcpy(g->t[g->n].last, hashes[width - 1], 32);
	g->n++;
	return 0;
}

/* The tiles a tree of size must have: each (level, index, width) once. */
static void
tiles_are(const struct got *g, uint64_t size)
{
	size_t		 want = 0, i;
	unsigned	 l, w;
	uint64_t	 n;
	int		 found;

	for (l = 0; l < TILES_LEVELS; l++)
		for (n = 0; (w = tiles_width(size, l, n)) != 0; n++) {
			want++;
			found = 0;
			for (i = 0; i < g->n; i++)
				if (g->t[i].level == l && g->t[i].index == n) {
					assert_int_equal(g->t[i].width, w);
					found++;
				}
			assert_int_equal(found, 1);
		}
	assert_int_equal(g->n, want);
}

static void
build(uint64_t size, struct got *g)
{
	struct tiles_builder	*b = malloc(sizeof(*b));
	uint8_t			(*leaves)[32] = malloc(size * 32);
	uint64_t		 i;

	assert_non_null(b);
	assert_non_null(leaves);
	for (i = 0; i < size; i++)
		ref_leaf(i, leaves[i]);
	memset(g, 0, sizeof(*g));
	g->leaves = (const uint8_t (*)[32])leaves;
	g->stop_at = -1;
	tiles_init(b);
	for (i = 0; i < size; i++)
		assert_int_equal(tiles_push(b, leaves[i], collect, g), 0);
	assert_int_equal(b->size, size);
	assert_int_equal(tiles_partial(b, collect, g), 0);
	tiles_are(g, size);
	free(leaves);
	free(b);
}

static void
test_tree_1(void **state)
{
	struct got	*g = malloc(sizeof(*g));

	(void)state;
	build(1, g);
	assert_int_equal(g->n, 1);			/* tile/0/000.p/1 */
	assert_int_equal(g->t[0].width, 1);
	free(g);
}

static void
test_tree_255_256_257(void **state)
{
	struct got	*g = malloc(sizeof(*g));

	(void)state;
	build(255, g);
	assert_int_equal(g->n, 1);			/* tile/0/000.p/255 */
	build(256, g);
	assert_int_equal(g->n, 2);			/* tile/0/000, tile/1/000.p/1 */
	/* The level-1 hash of a 256-leaf tree is the tree's root. */
	assert_int_equal(g->t[1].level, 1);
	assert_int_equal(g->t[1].width, 1);
	build(257, g);
	assert_int_equal(g->n, 3);	/* + tile/0/001.p/1 */
	free(g);
}

static void
test_tree_65539(void **state)
{
	struct got	*g = malloc(sizeof(*g));

	(void)state;
	build(65536 + 3, g);
	/* 256 full level-0 tiles, 0/256.p/3, level 1 full, 2/000.p/1. */
	assert_int_equal(g->n, 256 + 1 + 1 + 1);
	assert_int_equal(g->checked, 65536 + 3 + 256 + 1);
	free(g);
}

/* Partial tiles reported mid-way leave the builder as it was. */
static void
test_partial_midway(void **state)
{
	struct tiles_builder	*b = malloc(sizeof(*b));
	struct got		*g = malloc(sizeof(*g)), *g2 = malloc(sizeof(*g2));
	uint8_t			(*leaves)[32] = malloc(600 * 32);
	uint64_t		 i;

	(void)state;
	for (i = 0; i < 600; i++)
		ref_leaf(i, leaves[i]);
	memset(g, 0, sizeof(*g));
	memset(g2, 0, sizeof(*g2));
	g->leaves = g2->leaves = (const uint8_t (*)[32])leaves;
	g->stop_at = g2->stop_at = -1;
	tiles_init(b);
	for (i = 0; i < 600; i++) {
		assert_int_equal(tiles_push(b, leaves[i], collect, g), 0);
		if (i == 299) {
			/* Size 300: 0/001.p/44 and 1/000.p/1. */
			assert_int_equal(tiles_partial(b, collect, g2), 0);
			assert_int_equal(g2->n, 2);
			assert_int_equal(g2->t[0].level, 0);
			assert_int_equal(g2->t[0].index, 1);
			assert_int_equal(g2->t[0].width, 44);
			assert_int_equal(g2->t[1].level, 1);
			assert_int_equal(g2->t[1].index, 0);
			assert_int_equal(g2->t[1].width, 1);
		}
	}
	assert_int_equal(tiles_partial(b, collect, g), 0);
	tiles_are(g, 600);
	free(leaves);
	free(g2);
	free(g);
	free(b);
}

/* The callback's refusal stops the builder and is returned as it is. */
static void
test_emit_stops(void **state)
{
	struct tiles_builder	*b = malloc(sizeof(*b));
	struct got		*g = malloc(sizeof(*g));
	uint8_t			(*leaves)[32] = malloc(256 * 32);
	uint64_t		 i;

	(void)state;
	for (i = 0; i < 256; i++)
		ref_leaf(i, leaves[i]);
	memset(g, 0, sizeof(*g));
	g->leaves = (const uint8_t (*)[32])leaves;
	g->stop_at = 0;
	tiles_init(b);
	for (i = 0; i < 255; i++)
		assert_int_equal(tiles_push(b, leaves[i], collect, g), 0);
	assert_int_equal(tiles_push(b, leaves[255], collect, g), 7);
	assert_int_equal(tiles_partial(b, collect, g), 7);
	free(leaves);
	free(g);
	free(b);
}

/* ---- entry bundles -------------------------------------------------------- */

static void
test_bundle(void **state)
{
	static uint8_t	 big[TILES_ENTRY_MAX + 1];
	uint8_t		*buf = malloc(2 * 65540);
	const uint8_t	*d;
	size_t		 len = 0, off = 0, dl;

	(void)state;
	memset(big, 'a', sizeof(big));
	assert_int_equal(tiles_bundle_put(buf, 16, &len,
	    (const uint8_t *)"abc", 3), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "\x00\x03" "abc", 5);
	assert_int_equal(tiles_bundle_put(buf, 16, &len, NULL, 0), 0);
	assert_int_equal(len, 7);
	/* 9 bytes left: 2 + 7 fits, 2 + 8 does not. */
	assert_int_equal(tiles_bundle_put(buf, 16, &len, big, 8), -1);
	assert_int_equal(len, 7);
	assert_int_equal(tiles_bundle_put(buf, 16, &len, big, 7), 0);
	assert_int_equal(len, 16);

	assert_int_equal(tiles_bundle_next(buf, len, &off, &d, &dl), 1);
	assert_int_equal(dl, 3);
	assert_memory_equal(d, "abc", 3);
	assert_int_equal(tiles_bundle_next(buf, len, &off, &d, &dl), 1);
	assert_int_equal(dl, 0);
	assert_int_equal(tiles_bundle_next(buf, len, &off, &d, &dl), 1);
	assert_int_equal(dl, 7);
	assert_int_equal(tiles_bundle_next(buf, len, &off, &d, &dl), 0);
	/* Truncated: a length byte alone, or a length beyond the end. */
	off = 0;
	assert_int_equal(tiles_bundle_next(buf, 1, &off, &d, &dl), -1);
	off = 0;
	assert_int_equal(tiles_bundle_next(buf, 4, &off, &d, &dl), -1);

	/* The largest entry a uint16 can announce, and one byte more. */
	len = 0;
	assert_int_equal(tiles_bundle_put(buf, 2 * 65540, &len, big,
	    TILES_ENTRY_MAX), 0);
	assert_memory_equal(buf, "\xff\xff", 2);
	assert_int_equal(tiles_bundle_put(buf, 2 * 65540, &len, big,
	    TILES_ENTRY_MAX + 1), -1);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_tree_1),
		cmocka_unit_test(test_tree_255_256_257),
		cmocka_unit_test(test_tree_65539),
		cmocka_unit_test(test_partial_midway),
		cmocka_unit_test(test_emit_stops),
		cmocka_unit_test(test_bundle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
