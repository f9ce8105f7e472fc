/*
 * merkle.h - RFC 6962 / RFC 9162 Merkle tree over the ledger's entries.
 *
 * Leaf hash = SHA-256(0x00 || leaf data), node hash = SHA-256(0x01 || l || r);
 * leaf index = seq - 1.  The daemon stores only perfect subtrees: node
 * (level L, index i) is the hash of leaves [i * 2^L, (i + 1) * 2^L), level 0
 * being the leaf hashes.  Appending leaf n completes at most log2(n) such
 * nodes (amortised one), and any root or proof is assembled from O(log n)
 * of them, so neither start-up nor a proof ever walks the tree.
 *
 * Storage is abstracted by two callbacks so that these functions stay pure:
 * the daemon passes LMDB lookups, the tests an array.
 *
 * Hashing is OpenSSL's SHA-256 with one digest context per thread, so any
 * thread may call any function.  A hashing failure (memory exhaustion)
 * fails closed: a function that returns int returns -1, a void one writes
 * an all-zero hash, which matches nothing.
 */
#ifndef LD_MERKLE_H
#define LD_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN		32
#define MERKLE_PATH_MAX		128	/* longest inclusion or consistency path */

/*
 * Return 0 and the hash of stored node (level, index) in out, -1 on failure
 * (the calling function then fails).  Level 0 is the leaf hashes, index
 * 0-based (seq - 1).  Only nodes of the tree size the caller named are
 * asked for, so a missing one means the store is short or damaged.
 */
typedef int	(*merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
		    uint8_t out[MERKLE_HASH_LEN]);
/* Store node (level >= 1, index), never asked twice for one node; 0 or -1. */
typedef int	(*merkle_put_fn)(void *ctx, unsigned level, uint64_t index,
		    const uint8_t hash[MERKLE_HASH_LEN]);

/* SHA-256(prefix || data): 0, or -1 (out zeroed) when OpenSSL fails. */
int	merkle_hash_prefixed(uint8_t prefix, const uint8_t *data, size_t len,
	    uint8_t out[MERKLE_HASH_LEN]);

/* SHA-256(0x00 || data), RFC 9162's leaf hash (entry_leaf_hash() uses it). */
void	merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[MERKLE_HASH_LEN]);
/* SHA-256(0x01 || l || r); out may alias l or r. */
void	merkle_node_hash(const uint8_t l[MERKLE_HASH_LEN],
	    const uint8_t r[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN]);

/*
 * Leaf n (0-based) with hash leaf has just been stored at (0, n): put every
 * node of level >= 1 that it completes (one per trailing 1 bit of n).  get
 * reads their left siblings; leaf itself is taken from the argument.  0, or
 * -1 when get, put or hashing failed.
 *
 * Caveat: nodes put before a failure stay put; the caller must discard
 * them (the daemon's transaction aborts), or the next append builds on a
 * wrong tree.
 */
int	merkle_append(uint64_t n, const uint8_t leaf[MERKLE_HASH_LEN],
	    merkle_get_fn get, merkle_put_fn put, void *ctx);

/*
 * Root of the first size leaves (size 0: SHA-256 of the empty string), from
 * at most popcount(size) stored nodes.  0, or -1 when a node cannot be read
 * or hashing failed; out is then not a root.
 */
int	merkle_root(uint64_t size, merkle_get_fn get, void *ctx,
	    uint8_t out[MERKLE_HASH_LEN]);

/*
 * RFC 9162 2.1.3 inclusion path of leaf index in a tree of size leaves,
 * deepest element first, into path (room for MERKLE_PATH_MAX hashes) and
 * its length into *npath.  0, or -1 (*npath 0) when index >= size, a node
 * cannot be read or hashing failed.
 */
int	merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_get_fn get,
	    void *ctx, uint8_t path[][MERKLE_HASH_LEN], size_t *npath);
/*
 * RFC 9162 2.1.4 consistency path from old size m to new size n, as
 * merkle_inclusion_proof() fills path.  m == n and m == 0 give an empty
 * path (the RFC defines proofs for 0 < m < n; merkle_verify_consistency()
 * accepts both).  -1 (*npath 0) when m > n, a node cannot be read or
 * hashing failed.
 */
int	merkle_consistency_proof(uint64_t m, uint64_t n, merkle_get_fn get,
	    void *ctx, uint8_t path[][MERKLE_HASH_LEN], size_t *npath);

/*
 * Verifiers (RFC 9162 2.1.3.2, 2.1.4.2): 0 when the proof holds, -1 otherwise,
 * including index >= size, m > n, npath > MERKLE_PATH_MAX and a hashing
 * failure.  For m == 0 a consistency proof holds when the path is empty and
 * old_root is the empty tree's root (new_root is not looked at); for m == n
 * when the path is empty and the roots are equal.  They read only their
 * arguments: the proof is checked against roots the caller trusts.
 */
int	merkle_verify_inclusion(uint64_t index, uint64_t size,
	    const uint8_t leaf[MERKLE_HASH_LEN], const uint8_t path[][MERKLE_HASH_LEN],
	    size_t npath, const uint8_t root[MERKLE_HASH_LEN]);
int	merkle_verify_consistency(uint64_t m, uint64_t n,
	    const uint8_t old_root[MERKLE_HASH_LEN], const uint8_t new_root[MERKLE_HASH_LEN],
	    const uint8_t path[][MERKLE_HASH_LEN], size_t npath);

/*
 * Streaming root for offline checks (verify-export, --verify): push leaf
 * hashes in order, read the root of everything pushed so far.  Holds at most
 * 64 pending subtree hashes; no allocation.  init makes it empty; push
 * takes the next leaf's hash (not its data); root leaves s unchanged, so
 * pushing may go on.  A hashing failure yields an all-zero root.
 */
struct merkle_stream {
	uint8_t		stack[64][MERKLE_HASH_LEN];
	uint64_t	size;
};
void	merkle_stream_init(struct merkle_stream *);
void	merkle_stream_push(struct merkle_stream *, const uint8_t leaf[MERKLE_HASH_LEN]);
void	merkle_stream_root(const struct merkle_stream *, uint8_t out[MERKLE_HASH_LEN]);

#endif
