/*
 * tiles.h - the ledger's Merkle tree as C2SP tlog-tiles: hash tiles of
 * height 8, entry bundles, and their paths (`ledgerctl export --tiles`).
 *
 * tlog-tiles publishes a transparency log as static files, so that any web
 * server can serve it and any tlog-tiles client (Go's sumdb/tlog, Sigsum,
 * the static CT logs' tooling) can compute any inclusion or consistency
 * proof from them without a live server:
 *
 *   tile/<L>/<N>[.p/<W>]       hash tile: W (1..256) consecutive hashes of
 *                              tree level 8L, 32 bytes each
 *   tile/entries/<N>[.p/<W>]   entry bundle: W entries, each a big-endian
 *                              uint16 length and the entry's leaf data
 *   checkpoint                 the signed note (checkpoint.h)
 *
 * Hash i of tile N at level L is MTH(D[(N*256 + i) * 256^L :
 * (N*256 + i + 1) * 256^L]) (RFC 6962 2.1, merkle.h): level 0 holds the
 * leaf hashes, level 1 the roots of full level-0 tiles, and so on.  <N> is
 * written in zero-padded 3-digit path elements, all but the last prefixed
 * with 'x' (1234067 -> x001/x234/067), so that no directory holds more
 * than 3000 names.  A tree of size s has, at each level L, floor(s /
 * 256^(L+1)) full tiles and one partial tile of width floor(s / 256^L) mod
 * 256 when that is not 0; a partial tile is never hashed into the level
 * above.  A tree of size 256 is one full level-0 tile and a level-1 tile of
 * width 1.
 *
 * Everything here is pure: paths and widths are arithmetic, and the builder
 * turns leaf hashes pushed in order into tiles handed to a callback, so
 * that the caller decides where the bytes go (files in cmd_export.c, arrays
 * in the tests).  The builder holds one tile per level (64 KiB), never the
 * tree.
 */
#ifndef LD_TILES_H
#define LD_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

#define TILES_HEIGHT	8			/* tree levels per tile */
#define TILES_WIDTH	(1u << TILES_HEIGHT)	/* hashes in a full tile */
#define TILES_LEVELS	8			/* 256^8 = 2^64 leaves */
#define TILES_ENTRIES	(-1)			/* "level" of an entry bundle */
/* Longest path tiles_path() writes, NUL included (18 digits of an index). */
#define TILES_PATH_MAX	64
/* Longest entry a bundle can carry: its length is a uint16. */
#define TILES_ENTRY_MAX	65535u

/*
 * The path of tile index at level (0..TILES_LEVELS-1), or of entry bundle
 * index when level is TILES_ENTRIES, with width hashes or entries
 * (TILES_WIDTH for a full one, "tile/0/x001/234"; 1..255 for a partial
 * one, "tile/0/x001/234.p/7"), relative to the log's prefix, '/'-separated,
 * NUL-terminated.
 * @return 0; -1 when level or width is out of range or outsz is below
 *	TILES_PATH_MAX would allow (out is then "").
 */
int		tiles_path(int level, uint64_t index, unsigned width, char *out,
		    size_t outsz);

/*
 * The width of tile index at level in a tree of size leaves: TILES_WIDTH
 * for a full tile, 1..255 for the partial one, 0 when the tree has no such
 * tile.  Entry bundles have the widths of level 0.
 */
unsigned	tiles_width(uint64_t size, unsigned level, uint64_t index);

/*
 * A tile handed over by the builder: width hashes (32 bytes each) of tile
 * index at level, borrowed until the call returns.  Return 0 to go on, any
 * other value to stop the builder, which then returns that value.
 */
typedef int	(*tiles_emit_fn)(void *ctx, unsigned level, uint64_t index,
		    unsigned width, const uint8_t (*hashes)[MERKLE_HASH_LEN]);

/* Streaming tile builder.  Plain data (64 KiB): tiles_init() it, then push. */
struct tiles_builder {
	uint8_t		hashes[TILES_LEVELS][TILES_WIDTH][MERKLE_HASH_LEN];
	unsigned	count[TILES_LEVELS];	/* hashes held at each level */
	uint64_t	size;			/* leaves pushed */
};

/* Make b empty (a tree of size 0). */
void	tiles_init(struct tiles_builder *b);
/*
 * Push the next leaf hash (of leaf b->size, 0-based).  Every tile it
 * completes is emitted, level 0 first, each full tile's root then being
 * pushed into the level above.
 * @return 0; the emit callback's non-zero value; -1 when the tree would
 *	exceed UINT64_MAX leaves or hashing failed.
 *
 * Caveat: after a non-zero return b is left mid-push (a level may hold a
 * full tile not yet folded up): tiles_init() it before any further use.
 */
int	tiles_push(struct tiles_builder *b, const uint8_t leaf[MERKLE_HASH_LEN],
	    tiles_emit_fn emit, void *ctx);
/*
 * Emit the partial tiles of the tree pushed so far, level 0 first: at each
 * level that holds 1..255 hashes, tile floor(size / 256^(L+1)) with that
 * width.  b is not changed, so pushing may go on.
 * @return 0, or the emit callback's non-zero value.
 */
int	tiles_partial(const struct tiles_builder *b, tiles_emit_fn emit,
	    void *ctx);

/*
 * Entry bundles.  put appends one entry (uint16 big-endian length, then
 * data) at buf + *len; buf has cap bytes.  Returns 0 and advances *len, or
 * -1 (nothing written) when dlen > TILES_ENTRY_MAX or it does not fit.
 * next reads the entry at buf + *off of a bundle of len bytes: 1 with
 * *data (borrowed from buf) and *dlen, *off advanced; 0 at the end; -1
 * when the bytes left are a truncated entry.
 */
int	tiles_bundle_put(uint8_t *buf, size_t cap, size_t *len,
	    const uint8_t *data, size_t dlen);
int	tiles_bundle_next(const uint8_t *buf, size_t len, size_t *off,
	    const uint8_t **data, size_t *dlen);

#endif
