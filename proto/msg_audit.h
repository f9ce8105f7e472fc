/*
 * msg_audit.h - payloads of the audit messages (PROTOCOL.md, "Audit messages
 * and checkpoints"): CHECKPOINT -> CHECKPOINT_OK, PROVE and CONSISTENCY ->
 * PROOF.
 *
 * One answer type, PROOF, carries both kinds of proof, and every PROOF
 * carries the daemon's current signed checkpoint together with a
 * consistency path from the proven tree to it.  A client can therefore tie
 * any proof, even one against an older tree size, to a signature it checks
 * with the verifier key alone (msg_proof_verify()); without a verifier it
 * can still check the proof against the unsigned note, and must say so.
 *
 * Like msg.h: encoders append to a wbuf and return 0 or -1 (out of memory,
 * or a value the decoder would refuse); decoders parse exactly one payload
 * of untrusted bytes, check every count and length against its cap and the
 * bytes present, reject trailing bytes, and return 0 or -1.  Whether a seq
 * or size exists is the daemon's question (OUT_OF_RANGE), not the decoder's.
 */
#ifndef LD_MSG_AUDIT_H
#define LD_MSG_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"
#include "merkle.h"

struct wbuf;

#define MSG_NOTE_MAX	CKPT_NOTE_MAX	/* signed note text in an answer */

/*
 * CHECKPOINT (0x30): empty payload.
 * @return the decoder: 0 when len is 0, else -1.
 */
int	msg_decode_checkpoint_req(const uint8_t *, size_t len);

/*
 * CHECKPOINT_OK (0xa0): u32 len, then len bytes of signed note text
 * (1 <= len <= MSG_NOTE_MAX, no NUL byte).  The text is sent exactly as
 * signed (with the cosignature lines over exactly that note appended);
 * its structure is checkpoint.h's business, not the decoder's.
 * @param[out] note	borrowed: points into the payload, which the caller
 *			keeps alive; not NUL-terminated
 *
 * Protocol 3 adds an optional trailing section, present only when some
 * witness has cosigned (an older decoder, which refuses trailing bytes,
 * is never sent it: the daemon sends it from protocol 3 on):
 *   u16  n           1..MSG_COSIGNED_MAX
 *   n x  str  witness  its verifier key (cosign.h), 1..CKPT_VERIFIER_MAX-1
 *        u64  size     tree size of the checkpoint it cosigned
 *        u32  len, then the cosigned note (the log's note and the
 *             witness's cosignature line), 1..MSG_NOTE_MAX, no NUL
 * The decoder checks the caps and lengths only, not the signatures.
 */
#define MSG_COSIGNED_MAX	64	/* witnesses a daemon keeps */

/* One witness's newest cosigned checkpoint; pointers borrowed. */
struct msg_cosigned {
	const char	*witness;	/* not NUL-terminated */
	size_t		 witness_len;
	uint64_t	 size;
	const char	*note;		/* not NUL-terminated */
	size_t		 note_len;
};

int	msg_encode_checkpoint_ok(struct wbuf *, const char *note, size_t len);
int	msg_decode_checkpoint_ok(const uint8_t *, size_t, const char **note,
	    size_t *len);
/*
 * The same with the trailing section: n entries of c (n 0: no section).
 * The decoder fills c (room for MSG_COSIGNED_MAX) and *n (0 when absent).
 */
int	msg_encode_checkpoint_ok_cosigned(struct wbuf *, const char *note,
	    size_t len, const struct msg_cosigned *c, size_t n);
int	msg_decode_checkpoint_ok_cosigned(const uint8_t *, size_t,
	    const char **note, size_t *len,
	    struct msg_cosigned c[MSG_COSIGNED_MAX], size_t *n);

/*
 * COSIGN (0x33, protocol 3): a witness's cosignature of a checkpoint.
 *   str  witness   the witness's verifier key (cosign.h), as in
 *                  CHECKPOINT_OK's section
 *   u32  len, then the note: the log's signed checkpoint with the
 *                  witness's cosignature line among its signature lines
 *                  (1..MSG_NOTE_MAX, no NUL)
 * Answered COSIGN_OK (0xa2): u64 size, u64 time: the tree size and the
 * timestamp of the cosignature now kept for that witness.
 */
int	msg_encode_cosign(struct wbuf *, const char *witness, const char *note,
	    size_t len);
int	msg_decode_cosign(const uint8_t *, size_t, const char **witness,
	    size_t *witness_len, const char **note, size_t *len);
int	msg_encode_cosign_ok(struct wbuf *, uint64_t size, uint64_t ts);
int	msg_decode_cosign_ok(const uint8_t *, size_t, uint64_t *size,
	    uint64_t *ts);

/* PROVE (0x31): u64 seq, u64 size (0 = the current tree). */
int	msg_encode_prove(struct wbuf *, uint64_t seq, uint64_t size);
int	msg_decode_prove(const uint8_t *, size_t, uint64_t *seq, uint64_t *size);

/* CONSISTENCY (0x32): u64 old_size, u64 new_size (0 = the current tree). */
int	msg_encode_consistency(struct wbuf *, uint64_t old_size, uint64_t new_size);
int	msg_decode_consistency(const uint8_t *, size_t, uint64_t *old_size,
	    uint64_t *new_size);

/*
 * PROOF (0xa1):
 *   u8   kind        1 inclusion, 2 consistency
 *   u64  a           inclusion: seq (leaf index + 1); consistency: old size
 *   u64  b           tree size the proof is against (new size)
 *   hash first       inclusion: leaf hash; consistency: root of size a
 *   hash root        root of size b
 *   u8   npath       <= MERKLE_PATH_MAX, then npath x hash: the RFC 9162 path
 *   u8   nlink       <= MERKLE_PATH_MAX, then nlink x hash: consistency path
 *                    from size b to the checkpoint's size (empty when equal)
 *   u32  note_len    1..MSG_NOTE_MAX, then the current signed checkpoint note
 * Decoder checks: a known kind; inclusion 1 <= a <= b; consistency a <= b;
 * the caps; no NUL in the note; no trailing bytes.
 */
enum msg_proof_kind {
	MSG_PROOF_INCLUSION = 1,
	MSG_PROOF_CONSISTENCY = 2
};

struct msg_proof {
	uint8_t		 kind;		/* enum msg_proof_kind */
	uint64_t	 a;
	uint64_t	 b;
	uint8_t		 first[MERKLE_HASH_LEN];
	uint8_t		 root[MERKLE_HASH_LEN];
	size_t		 npath;
	uint8_t		 path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	size_t		 nlink;
	uint8_t		 link[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	const char	*note;		/* borrowed, not NUL-terminated */
	size_t		 note_len;
};

int	msg_encode_proof(struct wbuf *, const struct msg_proof *);
int	msg_decode_proof(const uint8_t *, size_t, struct msg_proof *);

/* msg_proof_verify() results. */
enum {
	MSG_PROOF_OK = 0,
	MSG_PROOF_E_PROOF = -1,	/* the inclusion/consistency proof fails */
	MSG_PROOF_E_LINK = -2	/* root of size b is not in checkpoint ck */
};

/*
 * Check a decoded proof against a checkpoint ck, normally the one in
 * p->note opened with ckpt_open() (with a verifier when the user gave
 * one): the proof must hold for (a, b, first, root), and the link path
 * must prove the tree of size b a prefix of ck's tree (b == ck->size:
 * root must equal ck->root).
 * @return MSG_PROOF_OK, MSG_PROOF_E_PROOF or MSG_PROOF_E_LINK.
 */
int	msg_proof_verify(const struct msg_proof *p, const struct ckpt *ck);

#endif
