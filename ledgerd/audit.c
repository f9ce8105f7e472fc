/*
 * audit.c - the auditor's requests: signed checkpoints, inclusion and
 * consistency proofs (proto/PROTOCOL.md, "Audit messages and checkpoints").
 *
 * Checkpoints are signed on demand: Ed25519 is deterministic, so the same
 * tree always yields the same note, and nothing needs storing.  The
 * witnesses' cosignatures (stored by witness.c on the writer thread) are
 * appended to the note they cover when it is the current one, and sent
 * whole in CHECKPOINT_OK's protocol 3 section.  A proof,
 * its link to the current tree and the signed note of that tree come from
 * one read transaction, so the three always agree.  Every proof is built
 * from stored perfect subtrees: O(log n) reads, whatever the tree's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "checkpoint.h"
#include "config.h"
#include "errors.h"
#include "frame.h"
#include "log.h"
#include "merkle.h"
#include "metrics.h"
#include "msg_audit.h"
#include "store.h"
#include "wire.h"

/*
 * The signed checkpoint of the tree of size n (the current one); root is
 * its root when the caller has it already, else NULL.
 */
static int
sign_current(const struct readctx *x, struct store_txn *t, uint64_t n,
    const uint8_t *root, char *note, size_t notesz, size_t *notelen)
{
	struct ckpt ck;

	memset(&ck, 0, sizeof(ck));
	snprintf(ck.origin, sizeof(ck.origin), "%s", x->conf->checkpoint_origin);
	ck.size = n;
	if (root != NULL)
		memcpy(ck.root, root, sizeof(ck.root));
	else if (store_tree_root(t, n, ck.root) != LD_OK)
		return LD_E_INTERNAL;
	if (ckpt_sign(x->signer, &ck, note, notesz, notelen) != CKPT_OK) {
		log_warnx("checkpoint signing failed");
		return LD_E_INTERNAL;
	}
	metrics_checkpoint_signed();
	return LD_OK;
}

/*
 * The current note with the cosignature lines over exactly it (a witness
 * whose kept cosignature covers this very note, byte for byte: the log's
 * Ed25519 signature is deterministic, so the same tree gives the same
 * note), and for protocol 3 each witness's newest cosigned checkpoint, as
 * many as the frame holds.  One read transaction for all of it.
 */
static int
checkpoint_answer(const struct readctx *x, struct store_txn *t, uint32_t reqid,
    char *note, struct wbuf *out)
{
	struct msg_cosigned *cs = NULL;
	struct store_cosig *recs = NULL;
	struct wbuf p;
	size_t notelen, nrec = 0, ncs = 0, i, room, need, add, base;
	int rc;

	if ((rc = sign_current(x, t, store_size(t), NULL, note,
	    CKPT_NOTE_MAX + 1, &notelen)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	if ((rc = store_cosig_all(t, &recs, &nrec)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	if (nrec > MSG_COSIGNED_MAX)
		nrec = MSG_COSIGNED_MAX;
	base = notelen;
	for (i = 0; i < nrec; i++) {
		add = recs[i].note_len - recs[i].lineoff;
		if (recs[i].lineoff != base ||
		    memcmp(recs[i].note, note, base) != 0 ||
		    notelen + add > CKPT_NOTE_MAX)
			continue;
		memcpy(note + notelen, recs[i].note + recs[i].lineoff, add);
		notelen += add;
	}
	note[notelen] = '\0';
	if (x->version >= 3 && nrec > 0 &&
	    (cs = calloc(nrec, sizeof(*cs))) == NULL) {
		free(recs);
		return msg_put_error(out, reqid, LD_E_BUSY, "out of memory");
	}
	/* The note first; then witnesses while the frame has room. */
	room = x->conf->max_frame_bytes - FRAME_HDR_LEN;
	need = 4 + notelen + 2;
	for (i = 0; cs != NULL && i < nrec; i++) {
		add = 2 + strlen(recs[i].witness) + 8 + 4 + recs[i].note_len;
		if (need + add > room)
			break;
		need += add;
		cs[ncs].witness = recs[i].witness;
		cs[ncs].witness_len = strlen(recs[i].witness);
		cs[ncs].size = recs[i].size;
		cs[ncs].note = recs[i].note;
		cs[ncs].note_len = recs[i].note_len;
		ncs++;
	}
	wbuf_init(&p);
	msg_encode_checkpoint_ok_cosigned(&p, note, notelen, cs, ncs);
	if (p.err)
		rc = msg_put_error(out, reqid, LD_E_INTERNAL, "out of memory");
	else
		frame_put(out, MSG_CHECKPOINT_OK, 0, reqid, p.data, p.len);
	wbuf_free(&p);
	free(cs);
	free(recs);
	return rc;
}

int
audit_checkpoint(const struct readctx *x, uint32_t reqid,
    const union read_req *req, struct wbuf *out, struct stream *s)
{
	struct store_txn *t;
	char *note;
	int rc;

	(void)s;
	(void)req;
	if ((note = malloc(CKPT_NOTE_MAX + 1)) == NULL)
		return msg_put_error(out, reqid, LD_E_BUSY, "out of memory");
	if ((rc = store_begin(x->store, 0, &t)) == LD_OK) {
		rc = checkpoint_answer(x, t, reqid, note, out);
		store_abort(t);
	} else
		msg_put_error(out, reqid, rc, NULL);
	free(note);
	return rc;
}

/* Fill pr (kind, a, b set) for the tree of t; LD_OK or an error code. */
static int
build_proof(const struct readctx *x, struct store_txn *t, struct msg_proof *pr,
    char *note, size_t notesz)
{
	uint64_t n = store_size(t);

	if (pr->b == 0)
		pr->b = n;
	const uint8_t *enc;
	size_t len;
	int rc;

	if (pr->kind == MSG_PROOF_INCLUSION) {
		if (pr->a == 0 || pr->a > n)
			return LD_E_NOT_FOUND;
		if (pr->a > pr->b || pr->b > n)
			return LD_E_OUT_OF_RANGE;
		/* A proof for an entry that is not what was logged: never. */
		if ((rc = store_get_raw(t, pr->a, &enc, &len)) != LD_OK)
			return rc;
		if (store_get_leaf(t, pr->a, pr->first) != LD_OK ||
		    merkle_inclusion_proof(pr->a - 1, pr->b, store_tree_get, t,
		    pr->path, &pr->npath) != 0)
			return LD_E_INTERNAL;
	} else {
		if (pr->a > pr->b || pr->b > n)
			return LD_E_OUT_OF_RANGE;
		if (store_tree_root(t, pr->a, pr->first) != LD_OK ||
		    merkle_consistency_proof(pr->a, pr->b, store_tree_get, t,
		    pr->path, &pr->npath) != 0)
			return LD_E_INTERNAL;
	}
	if (store_tree_root(t, pr->b, pr->root) != LD_OK ||
	    merkle_consistency_proof(pr->b, n, store_tree_get, t, pr->link,
	    &pr->nlink) != 0)
		return LD_E_INTERNAL;
	pr->note = note;
	return sign_current(x, t, n, pr->b == n ? pr->root : NULL, note,
	    notesz, &pr->note_len);
}

/* PROVE and CONSISTENCY: one proof, its link and the signed note. */
static int
audit_proof(const struct readctx *x, int kind, uint32_t reqid,
    const union read_req *req, struct wbuf *out)
{
	struct msg_proof *pr;
	struct store_txn *t;
	struct wbuf p;
	char *note = NULL;
	int rc;

	if ((pr = calloc(1, sizeof(*pr))) == NULL ||
	    (note = malloc(CKPT_NOTE_MAX + 1)) == NULL) {
		free(pr);
		return msg_put_error(out, reqid, LD_E_BUSY, "out of memory");
	}
	pr->kind = (uint8_t)kind;
	pr->a = req->proof.a;
	pr->b = req->proof.b;
	if ((rc = store_begin(x->store, 0, &t)) == LD_OK) {
		rc = build_proof(x, t, pr, note, CKPT_NOTE_MAX + 1);
		store_abort(t);
	}
	if (rc == LD_E_DAMAGED) {
		query_put_damaged(x, out, reqid, pr->a);
		goto out;
	}
	if (rc != LD_OK) {
		msg_put_error(out, reqid, rc, rc == LD_E_OUT_OF_RANGE ?
		    "size outside the tree" : rc == LD_E_NOT_FOUND ?
		    "no entry with that seq" : NULL);
		goto out;
	}
	wbuf_init(&p);
	msg_encode_proof(&p, pr);
	if (p.err)
		rc = msg_put_error(out, reqid, LD_E_INTERNAL,
		    "cannot encode proof");
	else
		frame_put(out, MSG_PROOF, 0, reqid, p.data, p.len);
	wbuf_free(&p);
out:
	free(note);
	free(pr);
	return rc;
}

int
audit_prove(const struct readctx *x, uint32_t reqid, const union read_req *req,
    struct wbuf *out, struct stream *s)
{
	(void)s;
	return audit_proof(x, MSG_PROOF_INCLUSION, reqid, req, out);
}

int
audit_consistency(const struct readctx *x, uint32_t reqid,
    const union read_req *req, struct wbuf *out, struct stream *s)
{
	(void)s;
	return audit_proof(x, MSG_PROOF_CONSISTENCY, reqid, req, out);
}
