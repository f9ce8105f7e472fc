/*
 * audit.h - the auditor's requests: CHECKPOINT, PROVE, CONSISTENCY.
 * (COSIGN writes, so the writer decides it: witness.h.)
 *
 * Read handlers as query.h defines them: they read one snapshot,
 * sign the current checkpoint with the key in the read context, and
 * append one answer frame (or one ERROR frame) to out.
 */
#ifndef LD_AUDIT_H
#define LD_AUDIT_H

#include "query.h"

/*
 * CHECKPOINT: the current signed note with the cosignature lines over
 * exactly that note appended; from protocol 3 each witness's newest
 * cosigned checkpoint too (msg_audit.h), as many as max_frame_bytes holds.
 */
int	audit_checkpoint(const struct readctx *, uint32_t,
	    const union read_req *, struct wbuf *, struct stream *);
/*
 * PROVE (an inclusion proof of seq req->proof.a in the tree of size
 * req->proof.b, 0 = current): NOT_FOUND for a seq the tree does not hold,
 * OUT_OF_RANGE for a size outside it.
 */
int	audit_prove(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/* CONSISTENCY from size req->proof.a to req->proof.b (0 = current). */
int	audit_consistency(const struct readctx *, uint32_t,
	    const union read_req *, struct wbuf *, struct stream *);

#endif
