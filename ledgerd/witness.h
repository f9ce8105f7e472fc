/*
 * witness.h - the daemon's side of COSIGN: check a witness's cosignature
 * and keep it (contract 2.5, 2.8; proto/PROTOCOL.md "Cosignatures").
 *
 * A COSIGN request is routed like a write (server.c) and decided on the
 * writer thread, inside the group's write transaction (writer.c): the
 * record it writes is small, and LMDB allows one write transaction at a
 * time, so a separate transaction from the event loop would wait behind a
 * group commit and stall every connection meanwhile.  The price is that
 * the cosignature shares the group's fsync, which is what the writer is for.
 */
#ifndef LD_WITNESS_H
#define LD_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"
#include "store.h"
#include "wire.h"

/*
 * Decide one COSIGN payload (len bytes, untrusted) in write transaction t
 * and append its answer for reqid to out: COSIGN_OK (the size and time now
 * kept), or one ERROR.  logkey is the log's own verifier (the daemon's
 * checkpoint key); role the requester's (enum role).  Checks, in order:
 *   BAD_REQUEST        malformed payload, or a witness string that is not
 *                      a type 0x04 verifier key, or a new witness when
 *                      MSG_COSIGNED_MAX are kept already
 *   FORBIDDEN          the role is not auditor
 *   BAD_COSIGNATURE    the note does not verify under logkey, its tree
 *                      size is beyond the tree or its root is not the
 *                      tree's root at that size (a checkpoint the daemon
 *                      never signed), or it carries no cosignature by the
 *                      witness key that verifies
 *   STALE_COSIGNATURE  its tree size is smaller than, or its timestamp not
 *                      after, the witness's last accepted one
 * On success the witness's record is replaced (store_cosig_put()) by the
 * log's note as the log signed it plus this cosignature line.
 * @return LD_OK, the refusal's code, or the store's sticky error (the
 *	group then fails as a whole).
 */
int	witness_cosign(struct store_txn *t, const struct ckpt_verifier *logkey,
	    int role, uint32_t reqid, const uint8_t *payload, size_t len,
	    struct wbuf *out);

#endif
