/*
 * tiles.c - C2SP tlog-tiles layout and the streaming tile builder
 * (tiles.h).
 *
 * The builder is the tree of merkle.h seen eight levels at a time: level L
 * keeps the hashes of the current, not yet full, tile; when a push fills
 * it, the tile is emitted, its root (the RFC 6962 hash of a perfect
 * 256-leaf subtree, computed with merkle_stream) is pushed one level up and
 * the level starts empty again.  So a tile is emitted exactly once, when
 * it becomes full, and a partial tile is only ever reported
 * (tiles_partial()), never folded into the level above, as the
 * specification requires.
 */
#include <stdio.h>
#include <string.h>

#include "tiles.h"

typedef const uint8_t	(*const_hashes)[MERKLE_HASH_LEN];

int
tiles_path(int level, uint64_t index, unsigned width, char *out, size_t outsz)
{
	char		 seg[8][4];	/* 3 digits per element, at most 7 */
	size_t		 nseg = 0, off;
	uint64_t	 n = index;
	int		 r;

	if (outsz > 0)
		out[0] = '\0';
	if (outsz < TILES_PATH_MAX || level < TILES_ENTRIES ||
	    level >= TILES_LEVELS || width == 0 || width > TILES_WIDTH)
		return -1;
	do {
		snprintf(seg[nseg++], sizeof(seg[0]), "%03u",
		    (unsigned)(n % 1000));
		n /= 1000;
	} while (n > 0);
	if (level == TILES_ENTRIES)
		r = snprintf(out, outsz, "tile/entries/");
	else
		r = snprintf(out, outsz, "tile/%d/", level);
	off = (size_t)r;
	/* Most significant element first; all but the last get an 'x'. */
	while (nseg > 1) {
		nseg--;
		off += (size_t)snprintf(out + off, outsz - off, "x%s/", seg[nseg]);
	}
	off += (size_t)snprintf(out + off, outsz - off, "%s", seg[0]);
	if (width < TILES_WIDTH)
		snprintf(out + off, outsz - off, ".p/%u", width);
	return 0;
}

unsigned
tiles_width(uint64_t size, unsigned level, uint64_t index)
{
	uint64_t	n, full;

	if (level >= TILES_LEVELS)
		return 0;
	n = size >> (TILES_HEIGHT * level);	/* hashes at this level */
	full = n >> TILES_HEIGHT;
	if (index < full)
		return TILES_WIDTH;
	if (index == full)
		return (unsigned)(n & (TILES_WIDTH - 1));
	return 0;
}

/* Full tiles at level l of a tree of size leaves (no shift by 64). */
static uint64_t
tiles_full(uint64_t size, unsigned l)
{
	return l + 1 < TILES_LEVELS ? size >> (TILES_HEIGHT * (l + 1)) : 0;
}

void
tiles_init(struct tiles_builder *b)
{
	memset(b, 0, sizeof(*b));
}

/* The RFC 6962 root of a full tile's 256 hashes (a perfect subtree). */
static void
tile_root(const uint8_t (*hashes)[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN])
{
	struct merkle_stream	ms;
	unsigned		i;

	merkle_stream_init(&ms);
	for (i = 0; i < TILES_WIDTH; i++)
		merkle_stream_push(&ms, hashes[i]);
	merkle_stream_root(&ms, out);
}

int
tiles_push(struct tiles_builder *b, const uint8_t leaf[MERKLE_HASH_LEN],
    tiles_emit_fn emit, void *ctx)
{
	static const uint8_t	zero[MERKLE_HASH_LEN];
	uint8_t			h[MERKLE_HASH_LEN];
	unsigned		l;
	int			rc;

	if (b->size == UINT64_MAX)
		return -1;
	b->size++;
	memcpy(h, leaf, MERKLE_HASH_LEN);
	for (l = 0; l < TILES_LEVELS; l++) {
		memcpy(b->hashes[l][b->count[l]++], h, MERKLE_HASH_LEN);
		if (b->count[l] < TILES_WIDTH)
			return 0;
		/*
		 * Full: it is tile (size / 256^(l+1)) - 1.  Level 7 never
		 * fills, since that would take 2^64 leaves.
		 */
		if ((rc = emit(ctx, l, tiles_full(b->size, l) - 1, TILES_WIDTH,
		    (const_hashes)b->hashes[l])) != 0)
			return rc;
		tile_root((const_hashes)b->hashes[l], h);
		/* merkle_stream fails closed with an all-zero root. */
		if (memcmp(h, zero, MERKLE_HASH_LEN) == 0)
			return -1;
		b->count[l] = 0;
	}
	return 0;
}

int
tiles_partial(const struct tiles_builder *b, tiles_emit_fn emit, void *ctx)
{
	unsigned	l;
	int		rc;

	for (l = 0; l < TILES_LEVELS; l++) {
		if (b->count[l] == 0)
			continue;
		if ((rc = emit(ctx, l, tiles_full(b->size, l), b->count[l],
		    (const_hashes)b->hashes[l])) != 0)
			return rc;
	}
	return 0;
}

int
tiles_bundle_put(uint8_t *buf, size_t cap, size_t *len, const uint8_t *data,
    size_t dlen)
{
	if (dlen > TILES_ENTRY_MAX || *len > cap || cap - *len < 2 ||
	    cap - *len - 2 < dlen)
		return -1;
	buf[*len] = (uint8_t)(dlen >> 8);
	buf[*len + 1] = (uint8_t)(dlen & 0xff);
	if (dlen > 0)
		memcpy(buf + *len + 2, data, dlen);
	*len += 2 + dlen;
	return 0;
}

int
tiles_bundle_next(const uint8_t *buf, size_t len, size_t *off,
    const uint8_t **data, size_t *dlen)
{
	size_t	n;

	if (*off >= len)
		return 0;
	if (len - *off < 2)
		return -1;
	n = ((size_t)buf[*off] << 8) | buf[*off + 1];
	if (len - *off - 2 < n)
		return -1;
	*data = buf + *off + 2;
	*dlen = n;
	*off += 2 + n;
	return 1;
}
