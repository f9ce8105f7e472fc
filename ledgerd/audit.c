/*
 * audit.c - the auditor's requests: signed checkpoints, inclusion and
 * consistency proofs (proto/PROTOCOL.md, "Audit messages and checkpoints").
 *
 * Checkpoints are signed on demand: Ed25519 is deterministic, so the same
 * tree always yields the same note, and nothing needs storing.  A proof,
 * its link to the current tree and the signed note of that tree come from
 * one read transaction, so the three always agree.  Every proof is built
 * from stored perfect subtrees: O(log n) reads, whatever the tree's size.
 */
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "errors.h"
#include "log.h"
#include "merkle.h"
#include "metrics.h"
#include "msg_audit.h"
#include "server.h"
#include "wire.h"

/*
 * The signed checkpoint of the tree of size n (the current one); root is
 * its root when the caller has it already, else NULL.
 */
static int
sign_current(struct server *srv, struct store_txn *t, uint64_t n,
    const uint8_t *root, char *note, size_t notesz, size_t *notelen)
{
	struct ckpt ck;

	memset(&ck, 0, sizeof(ck));
	snprintf(ck.origin, sizeof(ck.origin), "%s",
	    srv->srv_conf->checkpoint_origin);
	ck.size = n;
	if (root != NULL)
		memcpy(ck.root, root, sizeof(ck.root));
	else if (store_tree_root(t, n, ck.root) != LD_OK)
		return LD_E_INTERNAL;
	if (ckpt_sign(srv->srv_signer, &ck, note, notesz, notelen) != CKPT_OK) {
		log_warnx("checkpoint signing failed");
		return LD_E_INTERNAL;
	}
	metrics_checkpoint_signed();
	return LD_OK;
}

static void
audit_checkpoint(struct server *srv, struct conn *c, uint32_t reqid,
    const uint8_t *payload, size_t len)
{
	struct store_txn *t;
	struct wbuf p;
	char *note;
	size_t notelen;
	int rc;

	if (msg_decode_checkpoint_req(payload, len) != 0) {
		conn_error(c, reqid, LD_E_BAD_REQUEST, "malformed CHECKPOINT");
		return;
	}
	if ((note = malloc(CKPT_NOTE_MAX + 1)) == NULL) {
		conn_error(c, reqid, LD_E_BUSY, "out of memory");
		return;
	}
	if ((rc = store_begin(srv->srv_store, 0, &t)) == LD_OK) {
		rc = sign_current(srv, t, store_size(t), NULL, note,
		    CKPT_NOTE_MAX + 1, &notelen);
		store_abort(t);
	}
	if (rc == LD_OK) {
		wbuf_init(&p);
		msg_encode_checkpoint_ok(&p, note, notelen);
		if (p.err)
			conn_error(c, reqid, LD_E_INTERNAL, "out of memory");
		else
			conn_send(c, MSG_CHECKPOINT_OK, 0, reqid, p.data, p.len);
		wbuf_free(&p);
	} else
		conn_error(c, reqid, rc, NULL);
	free(note);
}

/* Fill pr (kind, a, b set) for the tree of t; LD_OK or an error code. */
static int
build_proof(struct server *srv, struct store_txn *t, struct msg_proof *pr,
    char *note, size_t notesz)
{
	uint64_t n = store_size(t);

	if (pr->b == 0)
		pr->b = n;
	if (pr->kind == MSG_PROOF_INCLUSION) {
		if (pr->a == 0 || pr->a > n)
			return LD_E_NOT_FOUND;
		if (pr->a > pr->b || pr->b > n)
			return LD_E_OUT_OF_RANGE;
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
	return sign_current(srv, t, n, pr->b == n ? pr->root : NULL, note,
	    notesz, &pr->note_len);
}

static void
audit_proof(struct server *srv, struct conn *c, uint8_t type, uint32_t reqid,
    const uint8_t *payload, size_t len)
{
	struct msg_proof *pr;
	struct store_txn *t;
	struct wbuf p;
	char *note = NULL;
	int rc;

	if ((pr = calloc(1, sizeof(*pr))) == NULL ||
	    (note = malloc(CKPT_NOTE_MAX + 1)) == NULL) {
		free(pr);
		conn_error(c, reqid, LD_E_BUSY, "out of memory");
		return;
	}
	if (type == MSG_PROVE) {
		pr->kind = MSG_PROOF_INCLUSION;
		rc = msg_decode_prove(payload, len, &pr->a, &pr->b);
	} else {
		pr->kind = MSG_PROOF_CONSISTENCY;
		rc = msg_decode_consistency(payload, len, &pr->a, &pr->b);
	}
	if (rc != 0) {
		conn_error(c, reqid, LD_E_BAD_REQUEST, "malformed proof request");
		goto out;
	}
	if ((rc = store_begin(srv->srv_store, 0, &t)) == LD_OK) {
		rc = build_proof(srv, t, pr, note, CKPT_NOTE_MAX + 1);
		store_abort(t);
	}
	if (rc != LD_OK) {
		conn_error(c, reqid, rc, rc == LD_E_OUT_OF_RANGE ?
		    "size outside the tree" : rc == LD_E_NOT_FOUND ?
		    "no entry with that seq" : NULL);
		goto out;
	}
	wbuf_init(&p);
	msg_encode_proof(&p, pr);
	if (p.err)
		conn_error(c, reqid, LD_E_INTERNAL, "cannot encode proof");
	else
		conn_send(c, MSG_PROOF, 0, reqid, p.data, p.len);
	wbuf_free(&p);
out:
	free(note);
	free(pr);
}

void
audit_dispatch(struct server *srv, struct conn *c, uint8_t type,
    uint32_t reqid, const uint8_t *payload, size_t len)
{
	if (type == MSG_CHECKPOINT)
		audit_checkpoint(srv, c, reqid, payload, len);
	else
		audit_proof(srv, c, type, reqid, payload, len);
}
