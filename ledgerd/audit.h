/*
 * audit.h - the auditor's requests: CHECKPOINT, PROVE, CONSISTENCY.
 *
 * Read handlers as query.h defines them: they decode, read one snapshot,
 * sign the current checkpoint with the key in the read context, and
 * append one answer frame (or one ERROR frame) to out.
 */
#ifndef LD_AUDIT_H
#define LD_AUDIT_H

#include "query.h"

int	audit_checkpoint(const struct readctx *, uint32_t, const uint8_t *,
	    size_t, struct wbuf *, struct stream *);
/* PROVE (an inclusion proof). */
int	audit_prove(const struct readctx *, uint32_t, const uint8_t *, size_t,
	    struct wbuf *, struct stream *);
/* CONSISTENCY. */
int	audit_consistency(const struct readctx *, uint32_t, const uint8_t *,
	    size_t, struct wbuf *, struct stream *);

#endif
