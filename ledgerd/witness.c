/*
 * witness.c - COSIGN on the writer thread (see witness.h for why there).
 *
 * The contract's "a checkpoint the daemon never signed" (2.10) is checked
 * from what the daemon holds, not from what the request says: the note
 * must verify under the daemon's own key, and its root must be the root
 * this tree had at that size.  A note signed with the same key by another
 * daemon that shows a different history (a split view) therefore fails the
 * second test.  The record kept is rebuilt from the note: the log's own
 * signature lines only (other witnesses' lines in the submitted note are
 * dropped), then the submitting witness's line, so that CHECKPOINT can
 * append it to the current note byte for byte.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cosign.h"
#include "errors.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "msg_audit.h"
#include "witness.h"

/* The witness's record key: its verifier string, as cosign.h formats it. */
static const char *
witness_str(const struct ckpt_verifier *w, char *buf, size_t bufsz)
{
	if (cosign_verifier_format(w, buf, bufsz) != CKPT_OK)
		buf[0] = '\0';	/* STORE_WITNESS_MAX holds any: not reached */
	return buf;
}

/* A STALE_COSIGNATURE with the witness's last accepted size and time. */
static int
stale(struct wbuf *out, uint32_t reqid, const struct store_cosig *old)
{
	struct msg_fields f;
	char msg[160];

	memset(&f, 0, sizeof(f));
	f.n = 2;
	snprintf(f.f[0].name, sizeof(f.f[0].name), "size");
	f.f[0].type = MSG_FIELD_INT;
	f.f[0].value = old->size > INT64_MAX ? INT64_MAX : (int64_t)old->size;
	snprintf(f.f[1].name, sizeof(f.f[1].name), "time");
	f.f[1].type = MSG_FIELD_INT;
	f.f[1].value = old->ts > INT64_MAX ? INT64_MAX : (int64_t)old->ts;
	snprintf(msg, sizeof(msg), "this witness's last accepted cosignature "
	    "is of size %" PRIu64 " at time %" PRIu64 "; a new one must not "
	    "be smaller and must be later", old->size, old->ts);
	return msg_put_refusal(out, reqid, LD_E_STALE_COSIGNATURE, msg, &f);
}

int
witness_cosign(struct store_txn *t, const struct ckpt_verifier *logkey,
    int role, uint32_t reqid, const uint8_t *payload, size_t len,
    struct wbuf *out)
{
	struct ckpt_verifier wkey;
	struct store_cosig *rec = NULL, *old = NULL;
	struct ckpt ck;
	struct wbuf p;
	const char *witness, *note;
	uint8_t root[CKPT_ROOT_LEN];
	uint64_t ts = 0, nwit;
	size_t wlen, nlen, lineoff = 0, linelen = 0, canon;
	int rc, have_old = 0;
	char msg[160];

	if (msg_decode_cosign(payload, len, &witness, &wlen, &note, &nlen) != 0)
		return msg_put_error(out, reqid, LD_E_BAD_REQUEST,
		    "malformed COSIGN");
	if (role != ROLE_AUDITOR)
		return msg_put_error(out, reqid, LD_E_FORBIDDEN,
		    "only an auditor may cosign checkpoints");
	if (cosign_verifier_parse(&wkey, witness, wlen) != CKPT_OK)
		return msg_put_error(out, reqid, LD_E_BAD_REQUEST,
		    "not a witness key (name+keyid+base64, type 0x04)");
	if (logkey->name[0] == '\0')
		return msg_put_error(out, reqid, LD_E_UNAVAILABLE,
		    "no checkpoint key");
	if (ckpt_open(&ck, logkey, note, nlen) != CKPT_OK)
		return msg_put_error(out, reqid, LD_E_BAD_COSIGNATURE,
		    "the cosigned checkpoint does not verify under this log's "
		    "key");
	if (ck.size > store_size(t)) {
		snprintf(msg, sizeof(msg), "the cosigned checkpoint has %" PRIu64
		    " entries; this ledger has %" PRIu64, ck.size,
		    store_size(t));
		return msg_put_error(out, reqid, LD_E_BAD_COSIGNATURE, msg);
	}
	if ((rc = store_tree_root(t, ck.size, root)) != LD_OK)
		return msg_put_error(out, reqid, rc, NULL);
	if (memcmp(root, ck.root, CKPT_ROOT_LEN) != 0) {
		snprintf(msg, sizeof(msg), "the cosigned checkpoint's root is "
		    "not this ledger's root at size %" PRIu64, ck.size);
		return msg_put_error(out, reqid, LD_E_BAD_COSIGNATURE, msg);
	}
	switch (cosign_find(&wkey, note, nlen, &ts, &lineoff, &linelen)) {
	case CKPT_OK:
		break;
	case CKPT_E_UNSIGNED:
		return msg_put_error(out, reqid, LD_E_BAD_COSIGNATURE,
		    "the note carries no cosignature by the witness key");
	case CKPT_E_INTERNAL:
		return msg_put_error(out, reqid, LD_E_INTERNAL, NULL);
	default:
		return msg_put_error(out, reqid, LD_E_BAD_COSIGNATURE,
		    "the cosignature does not verify under the witness key");
	}
	if ((rec = calloc(1, sizeof(*rec))) == NULL ||
	    (old = calloc(1, sizeof(*old))) == NULL) {
		rc = msg_put_error(out, reqid, LD_E_BUSY, "out of memory");
		goto out;
	}
	rc = store_cosig_get(t, witness_str(&wkey, rec->witness,
	    sizeof(rec->witness)), old);
	if (rc == LD_OK)
		have_old = 1;
	else if (rc != LD_E_NOT_FOUND) {
		rc = msg_put_error(out, reqid, rc, NULL);
		goto out;
	}
	if (have_old && (ck.size < old->size || ts <= old->ts)) {
		rc = stale(out, reqid, old);
		goto out;
	}
	if (!have_old) {
		if ((rc = store_count(t, STORE_DB_COSIGS, &nwit)) != LD_OK) {
			rc = msg_put_error(out, reqid, rc, NULL);
			goto out;
		}
		if (nwit >= MSG_COSIGNED_MAX) {
			snprintf(msg, sizeof(msg), "this daemon keeps the "
			    "cosignatures of at most %d witnesses",
			    MSG_COSIGNED_MAX);
			rc = msg_put_error(out, reqid, LD_E_BAD_REQUEST, msg);
			goto out;
		}
	}
	/* The log's note as signed, then this witness's line. */
	if (cosign_note_strip(logkey, note, nlen, rec->note,
	    sizeof(rec->note), &canon) != CKPT_OK ||
	    canon + linelen > STORE_COSIG_NOTE_MAX) {
		rc = msg_put_error(out, reqid, LD_E_BAD_COSIGNATURE,
		    "the cosigned note is too large to keep");
		goto out;
	}
	memcpy(rec->note + canon, note + lineoff, linelen);
	rec->note_len = canon + linelen;
	rec->note[rec->note_len] = '\0';
	rec->lineoff = canon;
	rec->ts = ts;
	rec->size = ck.size;
	if ((rc = store_cosig_put(t, rec)) != LD_OK) {
		rc = msg_put_error(out, reqid, rc, NULL);
		goto out;
	}
	log_info("cosignature by witness %s accepted: size %" PRIu64
	    ", time %" PRIu64, wkey.name, ck.size, ts);
	wbuf_init(&p);
	msg_encode_cosign_ok(&p, ck.size, ts);
	if (p.err)
		out->err = 1;
	else
		frame_put(out, MSG_COSIGN_OK, 0, reqid, p.data, p.len);
	wbuf_free(&p);
	rc = LD_OK;
out:
	free(rec);
	free(old);
	return rc;
}
