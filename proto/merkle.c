/*
 * merkle.c - RFC 6962 / RFC 9162 Merkle tree hashing, roots and proofs over
 * stored perfect subtrees (see merkle.h).
 *
 * The tree is never materialised.  A range of leaves that the RFC's MTH
 * recursion visits is either a perfect, aligned subtree, which is one stored
 * node, or a range that ends at the right edge of the tree, whose hash is
 * folded from the perfect subtrees of its binary decomposition: at most 64
 * reads.  An inclusion or consistency path has at most one such right-edge
 * element (once the recursion turns left it never touches the edge again),
 * so a proof costs O(log n) reads and a root O(popcount(n)).
 *
 * Paths are produced in the RFC's order, deepest element first: the RFC
 * defines them recursively with the deeper elements first, so the loops here
 * collect them top-down and reverse the array at the end.
 *
 * Hashing goes through EVP; a failure there (memory exhaustion) is returned
 * as -1 by every function that can return, and makes the void helpers write
 * an all-zero hash, which matches nothing, so that every check fails closed.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "merkle.h"

/*
 * Fetching SHA-256 once instead of implicitly on every EVP_DigestInit_ex()
 * more than halves the cost of a node hash, which dominates --verify --full.
 * The fetched method lives as long as the process.
 */
static pthread_once_t	 sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD		*sha256_md;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *
merkle_sha256(void)
{
	if (pthread_once(&sha256_once, sha256_fetch) != 0 || sha256_md == NULL)
		return EVP_sha256();
	return sha256_md;
}

/*
 * One digest context per thread, reused for every hash: allocating one per
 * hash was a third of a node hash's cost.  The thread's exit frees it.
 */
static pthread_once_t	 ctx_once = PTHREAD_ONCE_INIT;
static pthread_key_t	 ctx_key;
static int		 ctx_key_ok;

static void
ctx_destroy(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void
ctx_key_create(void)
{
	ctx_key_ok = pthread_key_create(&ctx_key, ctx_destroy) == 0;
}

/* The calling thread's context; NULL when none can be had. */
static EVP_MD_CTX *
thread_ctx(void)
{
	EVP_MD_CTX *ctx;

	if (pthread_once(&ctx_once, ctx_key_create) != 0 || !ctx_key_ok)
		return NULL;
	if ((ctx = pthread_getspecific(ctx_key)) != NULL)
		return ctx;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (pthread_setspecific(ctx_key, ctx) != 0) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* SHA-256(prefix || a || b), prefix omitted when negative. */
static int
sha256_parts(int prefix, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen, uint8_t out[MERKLE_HASH_LEN])
{
	EVP_MD_CTX	*ctx;
	uint8_t		 pb;
	unsigned int	 olen = 0;
	int		 rc = -1;

	if ((ctx = thread_ctx()) == NULL)
		goto fail;
	if (EVP_DigestInit_ex(ctx, merkle_sha256(), NULL) != 1)
		goto fail;
	if (prefix >= 0) {
		pb = (uint8_t)prefix;
		if (EVP_DigestUpdate(ctx, &pb, 1) != 1)
			goto fail;
	}
	if (alen > 0 && EVP_DigestUpdate(ctx, a, alen) != 1)
		goto fail;
	if (blen > 0 && EVP_DigestUpdate(ctx, b, blen) != 1)
		goto fail;
	if (EVP_DigestFinal_ex(ctx, out, &olen) != 1 || olen != MERKLE_HASH_LEN)
		goto fail;
	rc = 0;
fail:
	if (rc != 0)
		memset(out, 0, MERKLE_HASH_LEN);
	return rc;
}

int
merkle_hash_prefixed(uint8_t prefix, const uint8_t *data, size_t len,
    uint8_t out[MERKLE_HASH_LEN])
{
	return sha256_parts(prefix, data, len, NULL, 0, out);
}

static int
node_hash(const uint8_t l[MERKLE_HASH_LEN], const uint8_t r[MERKLE_HASH_LEN],
    uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t	tmp[MERKLE_HASH_LEN];

	/* out may alias l or r. */
	if (sha256_parts(0x01, l, MERKLE_HASH_LEN, r, MERKLE_HASH_LEN, tmp) != 0)
		return -1;
	memcpy(out, tmp, MERKLE_HASH_LEN);
	return 0;
}

void
merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
	(void)sha256_parts(0x00, data, len, NULL, 0, out);
}

void
merkle_node_hash(const uint8_t l[MERKLE_HASH_LEN],
    const uint8_t r[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN])
{
	if (node_hash(l, r, out) != 0)
		memset(out, 0, MERKLE_HASH_LEN);
}

static int
empty_root(uint8_t out[MERKLE_HASH_LEN])
{
	return sha256_parts(-1, NULL, 0, NULL, 0, out);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t	k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

/*
 * Hash of leaves [start, end) for a range the MTH recursion visits: start
 * is a multiple of the largest power of two not above end - start, so the
 * range decomposes into perfect, aligned subtrees of decreasing size.  Fold
 * them right to left, as the recursion does.
 */
static int
range_hash(uint64_t start, uint64_t end, merkle_get_fn get, void *ctx,
    uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t		stack[64][MERKLE_HASH_LEN];
	unsigned	n = 0, level;
	uint64_t	pos = start, left, size;

	if (end <= start)
		return -1;
	while (pos < end) {
		left = end - pos;
		level = 63;
		while (((uint64_t)1 << level) > left)
			level--;
		size = (uint64_t)1 << level;
		if ((pos & (size - 1)) != 0 || n >= 64)
			return -1;	/* not a range of the recursion */
		if (get(ctx, level, pos >> level, stack[n]) != 0)
			return -1;
		n++;
		pos += size;
	}
	memcpy(out, stack[n - 1], MERKLE_HASH_LEN);
	while (n-- > 1)
		if (node_hash(stack[n - 1], out, out) != 0)
			return -1;
	return 0;
}

static void
path_reverse(uint8_t path[][MERKLE_HASH_LEN], size_t n)
{
	uint8_t	tmp[MERKLE_HASH_LEN];
	size_t	i;

	for (i = 0; i < n / 2; i++) {
		memcpy(tmp, path[i], MERKLE_HASH_LEN);
		memcpy(path[i], path[n - 1 - i], MERKLE_HASH_LEN);
		memcpy(path[n - 1 - i], tmp, MERKLE_HASH_LEN);
	}
}

int
merkle_append(uint64_t n, const uint8_t leaf[MERKLE_HASH_LEN],
    merkle_get_fn get, merkle_put_fn put, void *ctx)
{
	uint8_t		h[MERKLE_HASH_LEN], left[MERKLE_HASH_LEN];
	uint64_t	idx = n;
	unsigned	level = 0;

	memcpy(h, leaf, MERKLE_HASH_LEN);
	/* Each odd index closes its pair: climb while we are a right child. */
	while (idx & 1) {
		if (get(ctx, level, idx - 1, left) != 0)
			return -1;
		if (node_hash(left, h, h) != 0)
			return -1;
		idx >>= 1;
		level++;
		if (put(ctx, level, idx, h) != 0)
			return -1;
	}
	return 0;
}

int
merkle_root(uint64_t size, merkle_get_fn get, void *ctx,
    uint8_t out[MERKLE_HASH_LEN])
{
	if (size == 0)
		return empty_root(out);
	return range_hash(0, size, get, ctx, out);
}

int
merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_get_fn get,
    void *ctx, uint8_t path[][MERKLE_HASH_LEN], size_t *npath)
{
	uint64_t	a = 0, b = size, k;
	size_t		n = 0;

	*npath = 0;
	if (index >= size)
		return -1;
	while (b - a > 1) {
		if (n >= MERKLE_PATH_MAX)
			return -1;
		k = split_point(b - a);
		if (index < a + k) {
			if (range_hash(a + k, b, get, ctx, path[n]) != 0)
				return -1;
			b = a + k;
		} else {
			if (range_hash(a, a + k, get, ctx, path[n]) != 0)
				return -1;
			a += k;
		}
		n++;
	}
	path_reverse(path, n);
	*npath = n;
	return 0;
}

int
merkle_consistency_proof(uint64_t m, uint64_t n, merkle_get_fn get,
    void *ctx, uint8_t path[][MERKLE_HASH_LEN], size_t *npath)
{
	uint64_t	a = 0, end = n, mm = m, k;
	size_t		cnt = 0;
	int		whole = 1;	/* the RFC's b: still the old tree's own root */

	*npath = 0;
	if (m > n)
		return -1;
	if (m == 0)
		return 0;	/* the empty tree: nothing to prove (see verifier) */
	/* SUBPROOF(mm, D[a:end], whole), unrolled. */
	while (mm != end - a) {
		if (cnt >= MERKLE_PATH_MAX)
			return -1;
		k = split_point(end - a);
		if (mm <= k) {
			if (range_hash(a + k, end, get, ctx, path[cnt]) != 0)
				return -1;
			end = a + k;
		} else {
			if (range_hash(a, a + k, get, ctx, path[cnt]) != 0)
				return -1;
			a += k;
			mm -= k;
			whole = 0;
		}
		cnt++;
	}
	if (!whole) {
		if (cnt >= MERKLE_PATH_MAX)
			return -1;
		if (range_hash(a, end, get, ctx, path[cnt]) != 0)
			return -1;
		cnt++;
	}
	path_reverse(path, cnt);
	*npath = cnt;
	return 0;
}

int
merkle_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t leaf[MERKLE_HASH_LEN], const uint8_t path[][MERKLE_HASH_LEN],
    size_t npath, const uint8_t root[MERKLE_HASH_LEN])
{
	uint8_t		r[MERKLE_HASH_LEN];
	uint64_t	fn, sn;
	size_t		i;

	if (index >= size || npath > MERKLE_PATH_MAX)
		return -1;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, MERKLE_HASH_LEN);
	for (i = 0; i < npath; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			if (node_hash(path[i], r, r) != 0)
				return -1;
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			if (node_hash(r, path[i], r) != 0)
				return -1;
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(r, root, MERKLE_HASH_LEN) != 0)
		return -1;
	return 0;
}

int
merkle_verify_consistency(uint64_t m, uint64_t n,
    const uint8_t old_root[MERKLE_HASH_LEN], const uint8_t new_root[MERKLE_HASH_LEN],
    const uint8_t path[][MERKLE_HASH_LEN], size_t npath)
{
	uint8_t		fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	uint64_t	fn, sn;
	size_t		i;

	if (m > n || npath > MERKLE_PATH_MAX)
		return -1;
	if (m == 0) {
		/* The empty tree is a prefix of every tree; nothing to prove. */
		if (npath != 0 || empty_root(fr) != 0 ||
		    memcmp(fr, old_root, MERKLE_HASH_LEN) != 0)
			return -1;
		return 0;
	}
	if (m == n) {
		if (npath != 0 || memcmp(old_root, new_root, MERKLE_HASH_LEN) != 0)
			return -1;
		return 0;
	}
	if (npath == 0)
		return -1;
	/*
	 * RFC 9162 2.1.4.2.  When m is a power of two the old root is itself
	 * the first element of the path; instead of prepending it we start
	 * from it and walk the whole path.
	 */
	i = 0;
	if ((m & (m - 1)) == 0) {
		memcpy(fr, old_root, MERKLE_HASH_LEN);
	} else {
		memcpy(fr, path[0], MERKLE_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASH_LEN);
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < npath; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			if (node_hash(path[i], fr, fr) != 0 ||
			    node_hash(path[i], sr, sr) != 0)
				return -1;
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			if (node_hash(sr, path[i], sr) != 0)
				return -1;
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(fr, old_root, MERKLE_HASH_LEN) != 0 ||
	    memcmp(sr, new_root, MERKLE_HASH_LEN) != 0)
		return -1;
	return 0;
}

void
merkle_stream_init(struct merkle_stream *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * stack holds one perfect subtree per set bit of size, largest first; a
 * push merges equal-sized subtrees like a binary counter's carries.
 */
static unsigned
stream_depth(uint64_t size)
{
	unsigned	n = 0;

	for (; size != 0; size &= size - 1)
		n++;
	return n;
}

void
merkle_stream_push(struct merkle_stream *s, const uint8_t leaf[MERKLE_HASH_LEN])
{
	uint8_t		h[MERKLE_HASH_LEN];
	unsigned	top = stream_depth(s->size);
	uint64_t	n = s->size;

	memcpy(h, leaf, MERKLE_HASH_LEN);
	while (n & 1) {
		top--;
		merkle_node_hash(s->stack[top], h, h);
		n >>= 1;
	}
	memcpy(s->stack[top], h, MERKLE_HASH_LEN);
	s->size++;
}

void
merkle_stream_root(const struct merkle_stream *s, uint8_t out[MERKLE_HASH_LEN])
{
	unsigned	top = stream_depth(s->size);

	if (top == 0) {
		(void)empty_root(out);
		return;
	}
	memcpy(out, s->stack[top - 1], MERKLE_HASH_LEN);
	while (--top > 0)
		merkle_node_hash(s->stack[top - 1], out, out);
}
