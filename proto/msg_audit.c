/*
 * msg_audit.c - audit message payloads (msg_audit.h, PROTOCOL.md "Audit
 * messages and checkpoints").
 *
 * The PROOF decoder runs in ledgerctl on bytes from a server the auditor
 * does not trust, so it is strict in the manner of msg.c: counts are
 * bounded before the hashes they announce are read, the note length is
 * capped and checked against the bytes present, and trailing bytes are an
 * error.  The decoder does not judge the proof; msg_proof_verify() does,
 * with merkle.h's RFC 9162 verifiers, and it is the only place where a
 * proof and a checkpoint are tied together.
 */
#include <string.h>

#include "merkle.h"
#include "msg_audit.h"
#include "wire.h"

typedef const uint8_t	(*const_path)[MERKLE_HASH_LEN];

static int	encode_pair(struct wbuf *, uint64_t, uint64_t);
static int	decode_pair(const uint8_t *, size_t, uint64_t *, uint64_t *);

static int
note_ok(const char *note, size_t len)
{
	return len >= 1 && len <= MSG_NOTE_MAX && memchr(note, '\0', len) == NULL;
}

int
msg_decode_checkpoint_req(const uint8_t *buf, size_t len)
{
	(void)buf;
	return len == 0 ? 0 : -1;
}

int
msg_encode_checkpoint_ok(struct wbuf *b, const char *note, size_t len)
{
	if (!note_ok(note, len))
		return -1;
	wbuf_u32(b, (uint32_t)len);
	wbuf_put(b, note, len);
	return b->err ? -1 : 0;
}

/* u32 length then a note: borrowed pointer into the payload. */
static void
rbuf_note(struct rbuf *r, const char **note, size_t *len)
{
	uint32_t	 n;
	const uint8_t	*p;

	n = rbuf_u32(r);
	if (r->err || n == 0 || n > MSG_NOTE_MAX) {
		r->err = 1;
		return;
	}
	if ((p = rbuf_take(r, n)) == NULL)
		return;
	if (memchr(p, '\0', n) != NULL) {
		r->err = 1;
		return;
	}
	*note = (const char *)p;
	*len = n;
}

int
msg_decode_checkpoint_ok(const uint8_t *buf, size_t len, const char **note,
    size_t *notelen)
{
	struct rbuf	 r;
	const char	*n = NULL;
	size_t		 nl = 0;

	rbuf_init(&r, buf, len);
	rbuf_note(&r, &n, &nl);
	if (rbuf_done(&r) == -1)
		return -1;
	*note = n;
	*notelen = nl;
	return 0;
}

/* A witness key string: u16 length, 1..CKPT_VERIFIER_MAX - 1, no NUL. */
static void
rbuf_witness(struct rbuf *r, const char **w, size_t *len)
{
	const uint8_t	*p;
	uint16_t	 n;

	n = rbuf_u16(r);
	if (r->err || n == 0 || n >= CKPT_VERIFIER_MAX) {
		r->err = 1;
		return;
	}
	if ((p = rbuf_take(r, n)) == NULL)
		return;
	if (memchr(p, '\0', n) != NULL) {
		r->err = 1;
		return;
	}
	*w = (const char *)p;
	*len = n;
}

static void
wbuf_witness(struct wbuf *b, const char *w, size_t len)
{
	if (len == 0 || len >= CKPT_VERIFIER_MAX ||
	    memchr(w, '\0', len) != NULL) {
		b->err = 1;
		return;
	}
	wbuf_u16(b, (uint16_t)len);
	wbuf_put(b, w, len);
}

int
msg_encode_checkpoint_ok_cosigned(struct wbuf *b, const char *note,
    size_t len, const struct msg_cosigned *c, size_t n)
{
	size_t	i;

	if (msg_encode_checkpoint_ok(b, note, len) != 0 ||
	    n > MSG_COSIGNED_MAX)
		return -1;
	if (n == 0)
		return 0;
	wbuf_u16(b, (uint16_t)n);
	for (i = 0; i < n; i++) {
		if (!note_ok(c[i].note, c[i].note_len))
			return -1;
		wbuf_witness(b, c[i].witness, c[i].witness_len);
		wbuf_u64(b, c[i].size);
		wbuf_u32(b, (uint32_t)c[i].note_len);
		wbuf_put(b, c[i].note, c[i].note_len);
	}
	return b->err ? -1 : 0;
}

int
msg_decode_checkpoint_ok_cosigned(const uint8_t *buf, size_t len,
    const char **note, size_t *notelen, struct msg_cosigned c[MSG_COSIGNED_MAX],
    size_t *n)
{
	struct rbuf	 r;
	const char	*nt = NULL;
	size_t		 nl = 0, i, cnt = 0;

	rbuf_init(&r, buf, len);
	rbuf_note(&r, &nt, &nl);
	if (!r.err && r.left > 0) {
		cnt = rbuf_u16(&r);
		if (cnt == 0 || cnt > MSG_COSIGNED_MAX)
			return -1;
		for (i = 0; i < cnt && !r.err; i++) {
			memset(&c[i], 0, sizeof(c[i]));
			rbuf_witness(&r, &c[i].witness, &c[i].witness_len);
			c[i].size = rbuf_u64(&r);
			rbuf_note(&r, &c[i].note, &c[i].note_len);
		}
	}
	if (rbuf_done(&r) == -1)
		return -1;
	*note = nt;
	*notelen = nl;
	*n = cnt;
	return 0;
}

int
msg_encode_cosign(struct wbuf *b, const char *witness, const char *note,
    size_t len)
{
	if (!note_ok(note, len))
		return -1;
	wbuf_witness(b, witness, strlen(witness));
	wbuf_u32(b, (uint32_t)len);
	wbuf_put(b, note, len);
	return b->err ? -1 : 0;
}

int
msg_decode_cosign(const uint8_t *buf, size_t len, const char **witness,
    size_t *witness_len, const char **note, size_t *notelen)
{
	struct rbuf	 r;
	const char	*w = NULL, *nt = NULL;
	size_t		 wl = 0, nl = 0;

	rbuf_init(&r, buf, len);
	rbuf_witness(&r, &w, &wl);
	rbuf_note(&r, &nt, &nl);
	if (rbuf_done(&r) == -1)
		return -1;
	*witness = w;
	*witness_len = wl;
	*note = nt;
	*notelen = nl;
	return 0;
}

int
msg_encode_cosign_ok(struct wbuf *b, uint64_t size, uint64_t ts)
{
	return encode_pair(b, size, ts);
}

int
msg_decode_cosign_ok(const uint8_t *buf, size_t len, uint64_t *size,
    uint64_t *ts)
{
	return decode_pair(buf, len, size, ts);
}

static int
encode_pair(struct wbuf *b, uint64_t x, uint64_t y)
{
	wbuf_u64(b, x);
	wbuf_u64(b, y);
	return b->err ? -1 : 0;
}

static int
decode_pair(const uint8_t *buf, size_t len, uint64_t *x, uint64_t *y)
{
	struct rbuf	r;
	uint64_t	vx, vy;

	rbuf_init(&r, buf, len);
	vx = rbuf_u64(&r);
	vy = rbuf_u64(&r);
	if (rbuf_done(&r) == -1)
		return -1;
	*x = vx;
	*y = vy;
	return 0;
}

int
msg_encode_prove(struct wbuf *b, uint64_t seq, uint64_t size)
{
	return encode_pair(b, seq, size);
}

int
msg_decode_prove(const uint8_t *buf, size_t len, uint64_t *seq, uint64_t *size)
{
	return decode_pair(buf, len, seq, size);
}

int
msg_encode_consistency(struct wbuf *b, uint64_t old_size, uint64_t new_size)
{
	return encode_pair(b, old_size, new_size);
}

int
msg_decode_consistency(const uint8_t *buf, size_t len, uint64_t *old_size,
    uint64_t *new_size)
{
	return decode_pair(buf, len, old_size, new_size);
}

/* The checks the decoder makes on the fixed fields. */
static int
proof_header_ok(uint8_t kind, uint64_t a, uint64_t b)
{
	switch (kind) {
	case MSG_PROOF_INCLUSION:
		return a >= 1 && a <= b;
	case MSG_PROOF_CONSISTENCY:
		return a <= b;
	default:
		return 0;
	}
}

int
msg_encode_proof(struct wbuf *b, const struct msg_proof *p)
{
	size_t	i;

	if (!proof_header_ok(p->kind, p->a, p->b) || p->npath > MERKLE_PATH_MAX ||
	    p->nlink > MERKLE_PATH_MAX || !note_ok(p->note, p->note_len))
		return -1;
	wbuf_u8(b, p->kind);
	wbuf_u64(b, p->a);
	wbuf_u64(b, p->b);
	wbuf_put(b, p->first, MERKLE_HASH_LEN);
	wbuf_put(b, p->root, MERKLE_HASH_LEN);
	wbuf_u8(b, (uint8_t)p->npath);
	for (i = 0; i < p->npath; i++)
		wbuf_put(b, p->path[i], MERKLE_HASH_LEN);
	wbuf_u8(b, (uint8_t)p->nlink);
	for (i = 0; i < p->nlink; i++)
		wbuf_put(b, p->link[i], MERKLE_HASH_LEN);
	wbuf_u32(b, (uint32_t)p->note_len);
	wbuf_put(b, p->note, p->note_len);
	return b->err ? -1 : 0;
}

/* u8 count then count hashes, count <= MERKLE_PATH_MAX. */
static void
rbuf_path(struct rbuf *r, uint8_t path[][MERKLE_HASH_LEN], size_t *n)
{
	uint8_t	cnt;
	size_t	i;

	cnt = rbuf_u8(r);
	if (r->err || cnt > MERKLE_PATH_MAX) {
		r->err = 1;
		return;
	}
	for (i = 0; i < cnt && !r->err; i++)
		rbuf_get(r, path[i], MERKLE_HASH_LEN);
	*n = cnt;
}

int
msg_decode_proof(const uint8_t *buf, size_t len, struct msg_proof *p)
{
	struct rbuf	r;

	memset(p, 0, sizeof(*p));
	rbuf_init(&r, buf, len);
	p->kind = rbuf_u8(&r);
	p->a = rbuf_u64(&r);
	p->b = rbuf_u64(&r);
	if (r.err || !proof_header_ok(p->kind, p->a, p->b))
		goto fail;
	rbuf_get(&r, p->first, MERKLE_HASH_LEN);
	rbuf_get(&r, p->root, MERKLE_HASH_LEN);
	rbuf_path(&r, p->path, &p->npath);
	rbuf_path(&r, p->link, &p->nlink);
	rbuf_note(&r, &p->note, &p->note_len);
	if (rbuf_done(&r) == -1)
		goto fail;
	return 0;
fail:
	memset(p, 0, sizeof(*p));
	return -1;
}

int
msg_proof_verify(const struct msg_proof *p, const struct ckpt *ck)
{
	int	rc;

	if (!proof_header_ok(p->kind, p->a, p->b))
		return MSG_PROOF_E_PROOF;
	if (p->kind == MSG_PROOF_INCLUSION)
		rc = merkle_verify_inclusion(p->a - 1, p->b, p->first,
		    (const_path)p->path, p->npath, p->root);
	else
		rc = merkle_verify_consistency(p->a, p->b, p->first, p->root,
		    (const_path)p->path, p->npath);
	if (rc != 0)
		return MSG_PROOF_E_PROOF;
	if (p->b > ck->size || merkle_verify_consistency(p->b, ck->size,
	    p->root, ck->root, (const_path)p->link, p->nlink) != 0)
		return MSG_PROOF_E_LINK;
	return MSG_PROOF_OK;
}
