/*
 * msg.c - message payloads (msg.h, PROTOCOL.md "Messages").
 *
 * Every decoder here runs on bytes from the network before anyone is
 * authenticated to send them, so each is a pure function that reads through
 * an rbuf (lengths checked against caps and against the bytes present),
 * bounds every count by the bytes that could hold it before allocating, and
 * rejects trailing bytes.  Where cheap, an encoder refuses what its decoder
 * would refuse, so a bug on one side shows up as an error there and not as a
 * mysterious BAD_REQUEST on the other.
 *
 * Write requests are checked only for what struct ld_entry needs (a known
 * kind, strings within their arrays); whether their content is acceptable is
 * rules_validate()'s decision, so that every refusal of a field has one home.
 * Human-readable strings from the peer (error messages, server, role, cn) are
 * checked as UTF-8 without control characters: ledgerctl prints them to a
 * terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "utf8.h"
#include "wire.h"

#define ACCT_BAL_LEN	60	/* u8 + u16 + 4 x i64 + u8 + 3 x i64 */
#define REGION_BAL_MIN	78	/* str of >= 1 byte + u16 + 2 x u8 + 4 x 8,
				   u32 + 3 x u8 + 4 x i64 */

/* A string field that ends inside its array and holds at most cap bytes. */
#define FIELD_FITS(f, cap)	(memchr((f), '\0', sizeof(f)) != NULL && \
				    strlen(f) <= (cap))

/*
 * Copy s into out (outsz bytes, NUL-terminated) as text that the decoders
 * accept: each byte that does not start a character the text rule allows (a
 * well-formed one, utf8_decode(), that is no control) is replaced by '?',
 * and the copy stops before a character that would not fit.  Error messages
 * are assembled from many sources; a daemon that could not send an error
 * because of its text would be worse than one that shows a '?'.
 */
static void
text_sanitize(const char *s, char *out, size_t outsz)
{
	const unsigned char	*p = (const unsigned char *)(s ? s : "");
	size_t			 o = 0, k;
	uint32_t		 c;

	while (*p != '\0') {
		k = utf8_decode(p, strnlen((const char *)p, 4), &c);
		if (k == 0 || utf8_is_control(c)) {
			p++;
			if (o + 1 >= outsz)
				break;
			out[o++] = '?';
			continue;
		}
		if (o + k >= outsz)
			break;
		memcpy(out + o, p, k);
		o += k;
		p += k;
	}
	out[o] = '\0';
}

/*
 * Copy valid text src into out (outsz bytes), cut at a character boundary
 * if it does not fit.
 */
static void
text_copy(char *out, size_t outsz, const char *src)
{
	size_t	 n = strlen(src);

	if (outsz == 0)
		return;
	if (n >= outsz) {
		n = outsz - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, src, n);
	out[n] = '\0';
}

/* Read a str into out and require it to be text of minlen..max bytes. */
static void
rbuf_text(struct rbuf *r, char *out, size_t outsz, size_t minlen, size_t max)
{
	rbuf_str(r, out, outsz, max);
	if (!r->err && !ld_valid_utf8_text(out, minlen, max))
		r->err = 1;
}

static int
code_or_empty(const char *s)
{
	return s[0] == '\0' || ld_valid_code(s);
}

/* ERROR */

static int
field_name_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((s[i] < 'a' || s[i] > 'z') && s[i] != '_')
			return 0;
	return i >= 1 && i <= MSG_FIELD_NAME_MAX;
}

void
msg_field_add(struct msg_fields *f, const char *name, int type, int64_t value)
{
	struct msg_field *x;

	if (f->n == MSG_FIELDS_MAX || strlen(name) > MSG_FIELD_NAME_MAX)
		return;
	x = &f->f[f->n++];
	memset(x, 0, sizeof(*x));
	memcpy(x->name, name, strlen(name) + 1);
	x->type = (uint8_t)type;
	x->value = value;
}

void
msg_field_add_text(struct msg_fields *f, const char *name, const char *text)
{
	uint8_t n = f->n;

	msg_field_add(f, name, MSG_FIELD_TEXT, 0);
	if (f->n > n)
		text_copy(f->f[n].text, sizeof(f->f[n].text),
		    text != NULL ? text : "");
}

static int
field_valid(const struct msg_field *x)
{
	if (!field_name_valid(x->name))
		return 0;
	if (x->type == MSG_FIELD_TEXT)
		return FIELD_FITS(x->text, MSG_FIELD_TEXT_MAX) &&
		    ld_valid_utf8_text(x->text, 0, MSG_FIELD_TEXT_MAX);
	return x->type == MSG_FIELD_INT || x->type == MSG_FIELD_DATE;
}

int
msg_encode_refusal(struct wbuf *b, int code, const char *message,
    const struct msg_fields *f)
{
	char	 text[MSG_TEXT_MAX + 1];
	uint8_t	 i;

	if (code < 1 || code > UINT16_MAX)
		return -1;
	if (f != NULL && f->n > MSG_FIELDS_MAX)
		return -1;
	if (f != NULL)
		for (i = 0; i < f->n; i++)
			if (!field_valid(&f->f[i]))
				return -1;
	text_sanitize(message, text, sizeof(text));
	wbuf_u16(b, (uint16_t)code);
	wbuf_str(b, text);
	if (f != NULL && f->n > 0) {
		wbuf_u8(b, f->n);
		for (i = 0; i < f->n; i++) {
			wbuf_str(b, f->f[i].name);
			wbuf_u8(b, f->f[i].type);
			if (f->f[i].type == MSG_FIELD_TEXT)
				wbuf_str(b, f->f[i].text);
			else
				wbuf_i64(b, f->f[i].value);
		}
	}
	return b->err ? -1 : 0;
}

int
msg_encode_error(struct wbuf *b, int code, const char *message)
{
	return msg_encode_refusal(b, code, message, NULL);
}

int
msg_put_refusal(struct wbuf *out, uint32_t reqid, int code,
    const char *message, const struct msg_fields *f)
{
	struct wbuf	 p;

	wbuf_init(&p);
	if (msg_encode_refusal(&p, code, message ? message : ld_err_text(code),
	    f) == 0)
		frame_put(out, MSG_ERROR, 0, reqid, p.data, p.len);
	else
		out->err = 1;
	wbuf_free(&p);
	return code;
}

int
msg_put_error(struct wbuf *out, uint32_t reqid, int code, const char *message)
{
	return msg_put_refusal(out, reqid, code, message, NULL);
}

int
msg_put_refusal_for(struct wbuf *out, uint32_t reqid, uint16_t version,
    int code, const char *message, const struct msg_fields *f)
{
	struct msg_fields keep;
	uint8_t i;

	if (f == NULL || version < 3)
		return msg_put_refusal(out, reqid, code, message, NULL);
	if (version >= 4)
		return msg_put_refusal(out, reqid, code, message, f);
	memset(&keep, 0, sizeof(keep));
	for (i = 0; i < f->n && i < MSG_FIELDS_MAX; i++)
		if (f->f[i].type != MSG_FIELD_TEXT)
			keep.f[keep.n++] = f->f[i];
	return msg_put_refusal(out, reqid, code, message, &keep);
}

int
msg_put_not_leader(struct wbuf *out, uint32_t reqid, uint16_t version,
    const char *leader)
{
	struct msg_fields f;
	char msg[MSG_ADDR_MAX + 96];

	if (leader == NULL)
		leader = "";
	memset(&f, 0, sizeof(f));
	msg_field_add_text(&f, "leader", leader);
	if (leader[0] != '\0')
		snprintf(msg, sizeof(msg), "this node is not the leader; the "
		    "leader is %s", leader);
	else
		snprintf(msg, sizeof(msg), "this node is not the leader and no "
		    "leader is known (an election may be under way): try again "
		    "shortly");
	return msg_put_refusal_for(out, reqid, version, LD_E_NOT_LEADER, msg,
	    &f);
}

int
msg_decode_refusal(const uint8_t *buf, size_t len, int *code, char *msg,
    size_t msgsz, struct msg_fields *f)
{
	struct rbuf	 r;
	char		 text[MSG_TEXT_MAX + 1];
	struct msg_fields fs;
	uint16_t	 c;
	uint8_t		 i;

	memset(&fs, 0, sizeof(fs));
	rbuf_init(&r, buf, len);
	c = rbuf_u16(&r);
	rbuf_text(&r, text, sizeof(text), 0, MSG_TEXT_MAX);
	if (!r.err && r.left > 0) {
		fs.n = rbuf_u8(&r);
		if (fs.n == 0 || fs.n > MSG_FIELDS_MAX)
			return -1;
		for (i = 0; i < fs.n && !r.err; i++) {
			rbuf_str(&r, fs.f[i].name, sizeof(fs.f[i].name),
			    MSG_FIELD_NAME_MAX);
			fs.f[i].type = rbuf_u8(&r);
			if (fs.f[i].type == MSG_FIELD_TEXT)
				rbuf_str(&r, fs.f[i].text, sizeof(fs.f[i].text),
				    MSG_FIELD_TEXT_MAX);
			else
				fs.f[i].value = rbuf_i64(&r);
			if (!r.err && !field_valid(&fs.f[i]))
				return -1;
		}
	}
	if (rbuf_done(&r) == -1 || c == 0)
		return -1;
	*code = c;
	text_copy(msg, msgsz, text);
	if (f != NULL)
		*f = fs;
	return 0;
}

int
msg_decode_error(const uint8_t *buf, size_t len, int *code, char *msg,
    size_t msgsz)
{
	return msg_decode_refusal(buf, len, code, msg, msgsz, NULL);
}

/* HELLO */

int
msg_encode_hello(struct wbuf *b, uint16_t min_v, uint16_t max_v)
{
	wbuf_u16(b, min_v);
	wbuf_u16(b, max_v);
	return b->err ? -1 : 0;
}

int
msg_decode_hello(const uint8_t *buf, size_t len, uint16_t *min_v,
    uint16_t *max_v)
{
	struct rbuf	 r;
	uint16_t	 lo, hi;

	rbuf_init(&r, buf, len);
	lo = rbuf_u16(&r);
	hi = rbuf_u16(&r);
	if (rbuf_done(&r) == -1)
		return -1;
	*min_v = lo;
	*max_v = hi;
	return 0;
}

/* HELLO_OK */

static int
hello_ok_valid(const struct msg_hello_ok *h)
{
	return h->max_frame >= FRAME_MIN_MAX && h->max_frame <= FRAME_MAX_MAX &&
	    FIELD_FITS(h->role, sizeof(h->role) - 1) &&
	    FIELD_FITS(h->cn, LD_ACTOR_MAX) &&
	    FIELD_FITS(h->server, sizeof(h->server) - 1) &&
	    ld_valid_utf8_text(h->role, 0, sizeof(h->role) - 1) &&
	    ld_valid_actor(h->cn) &&
	    ld_valid_utf8_text(h->server, 0, sizeof(h->server) - 1);
}

int
msg_encode_hello_ok(struct wbuf *b, const struct msg_hello_ok *h)
{
	if (!hello_ok_valid(h))
		return -1;
	wbuf_u16(b, h->version);
	wbuf_u32(b, h->max_frame);
	wbuf_str(b, h->role);
	wbuf_str(b, h->cn);
	wbuf_str(b, h->server);
	return b->err ? -1 : 0;
}

int
msg_decode_hello_ok(const uint8_t *buf, size_t len, struct msg_hello_ok *h)
{
	struct rbuf	 r;

	memset(h, 0, sizeof(*h));
	rbuf_init(&r, buf, len);
	h->version = rbuf_u16(&r);
	h->max_frame = rbuf_u32(&r);
	rbuf_str(&r, h->role, sizeof(h->role), sizeof(h->role) - 1);
	rbuf_str(&r, h->cn, sizeof(h->cn), LD_ACTOR_MAX);
	rbuf_str(&r, h->server, sizeof(h->server), sizeof(h->server) - 1);
	if (rbuf_done(&r) == -1 || !hello_ok_valid(h)) {
		memset(h, 0, sizeof(*h));
		return -1;
	}
	return 0;
}

/* WRITE */

static int
write_fits(const struct ld_entry *q)
{
	if (!FIELD_FITS(q->id, LD_ID_MAX))
		return 0;
	switch (q->kind) {
	case LD_K_REGION:
		return FIELD_FITS(q->region, LD_CODE_MAX) &&
		    FIELD_FITS(q->name, LD_TEXT_MAX) &&
		    FIELD_FITS(q->category, LD_TEXT_MAX);
	case LD_K_APPROPRIATION:
		return FIELD_FITS(q->ref, LD_REF_MAX);
	case LD_K_AWARD:
		return FIELD_FITS(q->region, LD_CODE_MAX) &&
		    FIELD_FITS(q->ref, LD_REF_MAX);
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		return FIELD_FITS(q->region, LD_CODE_MAX) &&
		    FIELD_FITS(q->ref, LD_REF_MAX) &&
		    FIELD_FITS(q->memo, LD_TEXT_MAX);
	case LD_K_REVERSAL:
		return FIELD_FITS(q->reason, LD_TEXT_MAX);
	case LD_K_YEAR_CLOSE:
		return 1;
	case LD_K_TERMS:
		return FIELD_FITS(q->ref, LD_REF_MAX);
	case LD_K_AWARD_CANCEL:
		return FIELD_FITS(q->region, LD_CODE_MAX) &&
		    FIELD_FITS(q->reason, LD_TEXT_MAX) &&
		    FIELD_FITS(q->ref, LD_REF_MAX);
	case LD_K_SETTLEMENT:
	case LD_K_RECEIPT:
	case LD_K_CARRY_OVER:
		return FIELD_FITS(q->region, LD_CODE_MAX) &&
		    FIELD_FITS(q->ref, LD_REF_MAX);
	case LD_K_POLICY:
		return FIELD_FITS(q->ref, LD_REF_MAX);
	case LD_K_APPROVAL:
		return FIELD_FITS(q->reason, LD_TEXT_MAX);
	default:
		/* A request entry is the daemon's to write, never a client's. */
		return 0;
	}
}

int
msg_encode_write(struct wbuf *b, const struct ld_entry *q)
{
	if (!write_fits(q))
		return -1;
	wbuf_u8(b, q->kind);
	wbuf_str(b, q->id);
	switch (q->kind) {
	case LD_K_REGION:
		wbuf_str(b, q->region);
		wbuf_str(b, q->name);
		wbuf_u8(b, q->grant_type);
		wbuf_str(b, q->category);
		break;
	case LD_K_APPROPRIATION:
		wbuf_u8(b, q->account);
		wbuf_u16(b, q->fy);
		wbuf_i64(b, q->amount);
		wbuf_str(b, q->ref);
		break;
	case LD_K_AWARD:
		wbuf_str(b, q->region);
		wbuf_u16(b, q->fy);
		wbuf_i64(b, q->amount);
		wbuf_str(b, q->ref);
		wbuf_u32(b, q->date);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		wbuf_str(b, q->region);
		wbuf_u16(b, q->fy);
		wbuf_i64(b, q->amount);
		wbuf_str(b, q->ref);
		wbuf_u32(b, q->date);
		wbuf_str(b, q->memo);
		if (q->flags != 0)
			wbuf_u8(b, q->flags);	/* protocol 3; absent = 0 */
		break;
	case LD_K_REVERSAL:
		wbuf_u64(b, q->reverses);
		wbuf_str(b, q->reason);
		break;
	case LD_K_YEAR_CLOSE:
		wbuf_u8(b, q->account);
		wbuf_u16(b, q->fy);
		break;
	case LD_K_TERMS:
		wbuf_u16(b, q->fy);
		wbuf_u8(b, q->grant_type);
		wbuf_i64(b, q->min);
		wbuf_i64(b, q->max);
		wbuf_u32(b, q->deadline);
		wbuf_u32(b, q->interest_bp);
		wbuf_u32(b, q->late_bp);
		wbuf_str(b, q->ref);
		break;
	case LD_K_AWARD_CANCEL:
		wbuf_str(b, q->region);
		wbuf_u16(b, q->fy);
		wbuf_u32(b, q->date);
		wbuf_u32(b, q->repay_by);
		wbuf_str(b, q->reason);
		wbuf_str(b, q->ref);
		break;
	case LD_K_SETTLEMENT:
		wbuf_str(b, q->region);
		wbuf_u16(b, q->fy);
		wbuf_i64(b, q->amount);
		wbuf_u32(b, q->date);
		wbuf_u32(b, q->repay_by);
		wbuf_str(b, q->ref);
		break;
	case LD_K_RECEIPT:
		wbuf_str(b, q->region);
		wbuf_u16(b, q->fy);
		wbuf_i64(b, q->amount);
		wbuf_u32(b, q->date);
		wbuf_str(b, q->ref);
		break;
	case LD_K_CARRY_OVER:
		wbuf_str(b, q->region);
		wbuf_u16(b, q->fy);
		wbuf_i64(b, q->amount);
		wbuf_u8(b, q->carry_kind);
		wbuf_u32(b, q->date);
		wbuf_str(b, q->ref);
		break;
	case LD_K_POLICY:
		wbuf_u16(b, q->require);
		wbuf_i64(b, q->disburse_over);
		wbuf_u16(b, q->expire_days);
		wbuf_str(b, q->ref);
		break;
	case LD_K_APPROVAL:
		wbuf_u64(b, q->request);
		wbuf_u8(b, q->decision);
		wbuf_str(b, q->reason);
		break;
	}
	return b->err ? -1 : 0;
}

int
msg_decode_write(const uint8_t *buf, size_t len, struct ld_entry *q)
{
	struct rbuf	 r;

	memset(q, 0, sizeof(*q));
	rbuf_init(&r, buf, len);
	q->kind = rbuf_u8(&r);
	rbuf_str(&r, q->id, sizeof(q->id), LD_ID_MAX);
	switch (q->kind) {
	case LD_K_REGION:
		rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
		rbuf_str(&r, q->name, sizeof(q->name), LD_TEXT_MAX);
		q->grant_type = rbuf_u8(&r);
		rbuf_str(&r, q->category, sizeof(q->category), LD_TEXT_MAX);
		break;
	case LD_K_APPROPRIATION:
		q->account = rbuf_u8(&r);
		q->fy = rbuf_u16(&r);
		q->amount = rbuf_i64(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		break;
	case LD_K_AWARD:
		rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
		q->fy = rbuf_u16(&r);
		q->amount = rbuf_i64(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		q->date = rbuf_u32(&r);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
		q->fy = rbuf_u16(&r);
		q->amount = rbuf_i64(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		q->date = rbuf_u32(&r);
		rbuf_str(&r, q->memo, sizeof(q->memo), LD_TEXT_MAX);
		/* Flags are sent only when set: one encoding per request. */
		if (!r.err && r.left > 0 && (q->flags = rbuf_u8(&r)) == 0)
			r.err = 1;
		break;
	case LD_K_REVERSAL:
		q->reverses = rbuf_u64(&r);
		rbuf_str(&r, q->reason, sizeof(q->reason), LD_TEXT_MAX);
		break;
	case LD_K_YEAR_CLOSE:
		q->account = rbuf_u8(&r);
		q->fy = rbuf_u16(&r);
		break;
	case LD_K_TERMS:
		q->fy = rbuf_u16(&r);
		q->grant_type = rbuf_u8(&r);
		q->min = rbuf_i64(&r);
		q->max = rbuf_i64(&r);
		q->deadline = rbuf_u32(&r);
		q->interest_bp = rbuf_u32(&r);
		q->late_bp = rbuf_u32(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		break;
	case LD_K_AWARD_CANCEL:
		rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
		q->fy = rbuf_u16(&r);
		q->date = rbuf_u32(&r);
		q->repay_by = rbuf_u32(&r);
		rbuf_str(&r, q->reason, sizeof(q->reason), LD_TEXT_MAX);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		break;
	case LD_K_SETTLEMENT:
		rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
		q->fy = rbuf_u16(&r);
		q->amount = rbuf_i64(&r);
		q->date = rbuf_u32(&r);
		q->repay_by = rbuf_u32(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		break;
	case LD_K_RECEIPT:
		rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
		q->fy = rbuf_u16(&r);
		q->amount = rbuf_i64(&r);
		q->date = rbuf_u32(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		break;
	case LD_K_CARRY_OVER:
		rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
		q->fy = rbuf_u16(&r);
		q->amount = rbuf_i64(&r);
		q->carry_kind = rbuf_u8(&r);
		q->date = rbuf_u32(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		break;
	case LD_K_POLICY:
		q->require = rbuf_u16(&r);
		q->disburse_over = rbuf_i64(&r);
		q->expire_days = rbuf_u16(&r);
		rbuf_str(&r, q->ref, sizeof(q->ref), LD_REF_MAX);
		break;
	case LD_K_APPROVAL:
		q->request = rbuf_u64(&r);
		q->decision = rbuf_u8(&r);
		rbuf_str(&r, q->reason, sizeof(q->reason), LD_TEXT_MAX);
		break;
	default:
		goto fail;
	}
	if (rbuf_done(&r) == -1)
		goto fail;
	return 0;
fail:
	memset(q, 0, sizeof(*q));
	return -1;
}

/* BATCH */

int
msg_batch_begin(struct wbuf *b, uint8_t flags, size_t *count_off)
{
	if (flags & ~MSG_BATCH_ATOMIC)
		return -1;
	wbuf_u8(b, flags);
	*count_off = b->len;
	wbuf_u32(b, 0);
	return b->err ? -1 : 0;
}

int
msg_batch_add(struct wbuf *b, const struct ld_entry *q)
{
	size_t	 off = b->len;

	if (!write_fits(q))
		return -1;
	wbuf_u32(b, 0);
	if (msg_encode_write(b, q) == -1)
		return -1;
	wbuf_patch_u32(b, off, (uint32_t)(b->len - off - 4));
	return b->err ? -1 : 0;
}

void
msg_batch_finish(struct wbuf *b, size_t count_off, uint32_t count)
{
	wbuf_patch_u32(b, count_off, count);
}

int
msg_batch_open(struct msg_batch_iter *it, const uint8_t *buf, size_t len)
{
	struct rbuf	 r;
	uint32_t	 i, n;

	memset(it, 0, sizeof(*it));
	rbuf_init(&r, buf, len);
	it->flags = rbuf_u8(&r);
	it->count = rbuf_u32(&r);
	if (r.err || (it->flags & ~MSG_BATCH_ATOMIC) ||
	    it->count > MSG_BATCH_MAX || it->count > r.left / 4)
		goto fail;
	it->p = r.p;
	it->left = r.left;
	for (i = 0; i < it->count; i++) {
		n = rbuf_u32(&r);
		rbuf_take(&r, n);
	}
	if (rbuf_done(&r) == -1)
		goto fail;
	return 0;
fail:
	memset(it, 0, sizeof(*it));
	return -1;
}

int
msg_batch_next(struct msg_batch_iter *it, struct ld_entry *q)
{
	struct rbuf	 r;
	const uint8_t	*item;
	uint32_t	 n;

	if (it->index >= it->count)
		return 0;
	rbuf_init(&r, it->p, it->left);
	n = rbuf_u32(&r);
	if ((item = rbuf_take(&r, n)) == NULL)
		return -1;
	it->p = r.p;
	it->left = r.left;
	it->index++;
	return msg_decode_write(item, n, q) == 0 ? 1 : -1;
}

/* ENTRY */

int
msg_encode_entry(struct wbuf *b, int duplicate, const uint8_t *enc, size_t len)
{
	if (len == 0 || len > LD_ENTRY_ENC_MAX)
		return -1;
	wbuf_u8(b, duplicate ? 1 : 0);
	wbuf_u32(b, (uint32_t)len);
	wbuf_put(b, enc, len);
	return b->err ? -1 : 0;
}

int
msg_decode_entry(const uint8_t *buf, size_t len, int *duplicate,
    struct ld_entry *e)
{
	struct rbuf	 r;
	const uint8_t	*enc;
	uint8_t		 dup;
	uint32_t	 n;

	rbuf_init(&r, buf, len);
	dup = rbuf_u8(&r);
	n = rbuf_u32(&r);
	if (r.err || dup > 1 || n != r.left)
		return -1;
	enc = rbuf_take(&r, n);
	if (rbuf_done(&r) == -1 || entry_decode(e, enc, n) == -1)
		return -1;
	*duplicate = dup;
	return 0;
}

/* ENTRIES */

int
msg_entries_begin(struct wbuf *b, size_t *count_off)
{
	*count_off = b->len;
	wbuf_u32(b, 0);
	return b->err ? -1 : 0;
}

int
msg_entries_add(struct wbuf *b, const uint8_t *enc, size_t len)
{
	if (len == 0 || len > LD_ENTRY_ENC_MAX)
		return -1;
	wbuf_u32(b, (uint32_t)len);
	wbuf_put(b, enc, len);
	return b->err ? -1 : 0;
}

void
msg_entries_finish(struct wbuf *b, size_t count_off, uint32_t count)
{
	wbuf_patch_u32(b, count_off, count);
}

/* One (u32 len, entry bytes) item; the bytes are not decoded here. */
static const uint8_t *
entries_item(struct rbuf *r, size_t *len)
{
	uint32_t	 n = rbuf_u32(r);

	if (!r->err && (n == 0 || n > LD_ENTRY_ENC_MAX))
		r->err = 1;
	*len = n;
	return rbuf_take(r, n);
}

int
msg_entries_open(struct msg_entries_iter *it, const uint8_t *buf, size_t len)
{
	struct rbuf	 r;
	uint32_t	 i;
	size_t		 n;

	memset(it, 0, sizeof(*it));
	rbuf_init(&r, buf, len);
	it->count = rbuf_u32(&r);
	if (r.err || it->count > r.left / 5)
		goto fail;
	it->p = r.p;
	it->left = r.left;
	for (i = 0; i < it->count; i++)
		entries_item(&r, &n);
	if (rbuf_done(&r) == -1)
		goto fail;
	return 0;
fail:
	memset(it, 0, sizeof(*it));
	return -1;
}

int
msg_entries_next(struct msg_entries_iter *it, const uint8_t **enc, size_t *len)
{
	struct rbuf	 r;
	const uint8_t	*p;

	if (it->index >= it->count)
		return 0;
	rbuf_init(&r, it->p, it->left);
	if ((p = entries_item(&r, len)) == NULL || r.err)
		return -1;
	it->p = r.p;
	it->left = r.left;
	it->index++;
	*enc = p;
	return 1;
}

/* BATCH_RESULT */

int
msg_bresult_begin(struct wbuf *b, uint32_t first, size_t *count_off)
{
	if (first >= MSG_BATCH_MAX)
		return -1;
	wbuf_u32(b, first);
	*count_off = b->len;
	wbuf_u32(b, 0);
	return b->err ? -1 : 0;
}

int
msg_bresult_add_ok(struct wbuf *b, int duplicate, const uint8_t *enc, size_t len)
{
	if (len == 0 || len > LD_ENTRY_ENC_MAX)
		return -1;
	wbuf_u16(b, LD_OK);
	wbuf_u8(b, duplicate ? 1 : 0);
	wbuf_u32(b, (uint32_t)len);
	wbuf_put(b, enc, len);
	return b->err ? -1 : 0;
}

int
msg_bresult_add_err(struct wbuf *b, int code, const char *message)
{
	return msg_encode_error(b, code, message);
}

void
msg_bresult_finish(struct wbuf *b, size_t count_off, uint32_t count)
{
	wbuf_patch_u32(b, count_off, count);
}

static void
bresult_item(struct rbuf *r, struct msg_bresult *res)
{
	uint8_t	 dup;

	res->code = rbuf_u16(r);
	res->duplicate = 0;
	res->enc = NULL;
	res->len = 0;
	res->message[0] = '\0';
	if (r->err)
		return;
	if (res->code != LD_OK) {
		rbuf_text(r, res->message, sizeof(res->message), 0, MSG_TEXT_MAX);
		return;
	}
	dup = rbuf_u8(r);
	if (dup > 1)
		r->err = 1;
	res->duplicate = dup;
	res->enc = entries_item(r, &res->len);
}

int
msg_bresult_open(struct msg_bresult_iter *it, const uint8_t *buf, size_t len)
{
	struct msg_bresult	 scratch;
	struct rbuf		 r;
	uint32_t		 i;

	memset(it, 0, sizeof(*it));
	rbuf_init(&r, buf, len);
	it->first = rbuf_u32(&r);
	it->count = rbuf_u32(&r);
	/* The shortest result is an error with an empty message: 4 bytes. */
	if (r.err || (uint64_t)it->first + it->count > MSG_BATCH_MAX ||
	    it->count > r.left / 4)
		goto fail;
	it->p = r.p;
	it->left = r.left;
	for (i = 0; i < it->count && !r.err; i++)
		bresult_item(&r, &scratch);
	if (rbuf_done(&r) == -1)
		goto fail;
	return 0;
fail:
	memset(it, 0, sizeof(*it));
	return -1;
}

int
msg_bresult_next(struct msg_bresult_iter *it, struct msg_bresult *res)
{
	struct rbuf	 r;

	if (it->index >= it->count)
		return 0;
	rbuf_init(&r, it->p, it->left);
	bresult_item(&r, res);
	if (r.err)
		return -1;
	res->index = it->first + it->index;
	it->p = r.p;
	it->left = r.left;
	it->index++;
	return 1;
}

/* GET */

int
msg_encode_get(struct wbuf *b, uint64_t seq)
{
	wbuf_u64(b, seq);
	return b->err ? -1 : 0;
}

int
msg_decode_get(const uint8_t *buf, size_t len, uint64_t *seq)
{
	struct rbuf	 r;
	uint64_t	 v;

	rbuf_init(&r, buf, len);
	v = rbuf_u64(&r);
	if (rbuf_done(&r) == -1)
		return -1;
	*seq = v;
	return 0;
}

/* FIND */

static int
find_valid(const struct msg_find *q)
{
	return (q->by == MSG_FIND_ID || q->by == MSG_FIND_REF) &&
	    FIELD_FITS(q->key, LD_REF_MAX) && ld_valid_ref(q->key);
}

int
msg_encode_find(struct wbuf *b, const struct msg_find *q)
{
	if (!find_valid(q))
		return -1;
	wbuf_u8(b, q->by);
	wbuf_str(b, q->key);
	return b->err ? -1 : 0;
}

int
msg_decode_find(const uint8_t *buf, size_t len, struct msg_find *q)
{
	struct rbuf	 r;

	rbuf_init(&r, buf, len);
	q->by = rbuf_u8(&r);
	rbuf_str(&r, q->key, sizeof(q->key), LD_REF_MAX);
	if (rbuf_done(&r) == -1 || !find_valid(q)) {
		memset(q, 0, sizeof(*q));
		return -1;
	}
	return 0;
}

/* APPROVALS */

int
msg_encode_approvals(struct wbuf *b, const struct msg_approvals *q)
{
	if (q->what < MSG_APPR_OPEN || q->what > MSG_APPR_POLICY)
		return -1;
	wbuf_u8(b, q->what);
	wbuf_u16(b, q->fy);
	return b->err ? -1 : 0;
}

int
msg_decode_approvals(const uint8_t *buf, size_t len, struct msg_approvals *q)
{
	struct rbuf	 r;

	rbuf_init(&r, buf, len);
	q->what = rbuf_u8(&r);
	q->fy = rbuf_u16(&r);
	if (rbuf_done(&r) == -1 || q->what < MSG_APPR_OPEN ||
	    q->what > MSG_APPR_POLICY || (q->fy != 0 && !ld_valid_fy(q->fy))) {
		memset(q, 0, sizeof(*q));
		return -1;
	}
	return 0;
}

/* LIST */

static int
list_valid(const struct msg_list *l)
{
	return FIELD_FITS(l->region, LD_CODE_MAX) && code_or_empty(l->region) &&
	    l->kind <= LD_K_MAX;
}

int
msg_encode_list(struct wbuf *b, const struct msg_list *l)
{
	if (!list_valid(l))
		return -1;
	wbuf_u64(b, l->since);
	wbuf_u64(b, l->until);
	wbuf_u64(b, l->limit);
	wbuf_str(b, l->region);
	wbuf_u16(b, l->fy);
	wbuf_u8(b, l->kind);
	return b->err ? -1 : 0;
}

int
msg_decode_list(const uint8_t *buf, size_t len, struct msg_list *l)
{
	struct rbuf	 r;

	memset(l, 0, sizeof(*l));
	rbuf_init(&r, buf, len);
	l->since = rbuf_u64(&r);
	l->until = rbuf_u64(&r);
	l->limit = rbuf_u64(&r);
	rbuf_str(&r, l->region, sizeof(l->region), LD_CODE_MAX);
	l->fy = rbuf_u16(&r);
	l->kind = rbuf_u8(&r);
	if (rbuf_done(&r) == -1 || !list_valid(l)) {
		memset(l, 0, sizeof(*l));
		return -1;
	}
	return 0;
}

/* BALANCE */

static int
balance_req_valid(const struct msg_balance_req *q)
{
	if (!FIELD_FITS(q->region, LD_CODE_MAX) || !code_or_empty(q->region) ||
	    q->account > LD_A_MAX)
		return 0;
	switch (q->scope) {
	case BAL_ALL:
		return 1;
	case BAL_REGION:
		return q->region[0] != '\0';
	case BAL_ACCOUNT:
		return q->account != 0;
	default:
		return 0;
	}
}

int
msg_encode_balance_req(struct wbuf *b, const struct msg_balance_req *q)
{
	if (!balance_req_valid(q))
		return -1;
	wbuf_u16(b, q->fy);
	wbuf_u8(b, q->scope);
	wbuf_str(b, q->region);
	wbuf_u8(b, q->account);
	return b->err ? -1 : 0;
}

int
msg_decode_balance_req(const uint8_t *buf, size_t len,
    struct msg_balance_req *q)
{
	struct rbuf	 r;

	memset(q, 0, sizeof(*q));
	rbuf_init(&r, buf, len);
	q->fy = rbuf_u16(&r);
	q->scope = rbuf_u8(&r);
	rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
	q->account = rbuf_u8(&r);
	if (rbuf_done(&r) == -1 || !balance_req_valid(q)) {
		memset(q, 0, sizeof(*q));
		return -1;
	}
	return 0;
}

/* BALANCES */

static int
acct_bal_valid(const struct ld_acct_bal *a)
{
	return a->account >= 1 && a->account <= LD_A_MAX && a->closed <= 1 &&
	    a->carried_in >= 0 && a->carried_out >= 0 && a->receipts >= 0;
}

static int
region_bal_valid(const struct ld_region_bal *g)
{
	return FIELD_FITS(g->region, LD_CODE_MAX) && ld_valid_code(g->region) &&
	    g->grant_type >= 1 && g->grant_type <= LD_G_MAX &&
	    g->account >= 1 && g->account <= LD_A_MAX && g->cancelled <= 1 &&
	    g->settled_set <= 1 && g->has_order <= 1 && g->carried_in >= 0 &&
	    g->carried_out >= 0 && g->receivable >= 0;
}

int
msg_encode_balances(struct wbuf *b, const struct ld_acct_bal *a, uint32_t n,
    const struct ld_region_bal *g, uint32_t m)
{
	uint32_t	 i;

	for (i = 0; i < n; i++)
		if (!acct_bal_valid(&a[i]))
			return -1;
	for (i = 0; i < m; i++)
		if (!region_bal_valid(&g[i]))
			return -1;
	wbuf_u32(b, n);
	for (i = 0; i < n; i++) {
		wbuf_u8(b, a[i].account);
		wbuf_u16(b, a[i].fy);
		wbuf_i64(b, a[i].appropriated);
		wbuf_i64(b, a[i].awarded);
		wbuf_i64(b, a[i].disbursed);
		wbuf_i64(b, a[i].refunded);
		wbuf_u8(b, a[i].closed);
		wbuf_i64(b, a[i].carried_in);
		wbuf_i64(b, a[i].carried_out);
		wbuf_i64(b, a[i].receipts);
	}
	wbuf_u32(b, m);
	for (i = 0; i < m; i++) {
		wbuf_str(b, g[i].region);
		wbuf_u16(b, g[i].fy);
		wbuf_u8(b, g[i].grant_type);
		wbuf_u8(b, g[i].account);
		wbuf_i64(b, g[i].award);
		wbuf_u64(b, g[i].award_seq);
		wbuf_i64(b, g[i].disbursed);
		wbuf_i64(b, g[i].refunded);
		wbuf_u32(b, g[i].award_date);
		wbuf_u8(b, g[i].cancelled);
		wbuf_u8(b, g[i].settled_set);
		wbuf_i64(b, g[i].settled);
		wbuf_i64(b, g[i].carried_in);
		wbuf_i64(b, g[i].carried_out);
		wbuf_u8(b, g[i].has_order);
		wbuf_i64(b, g[i].receivable);
	}
	return b->err ? -1 : 0;
}

int
msg_decode_balances(const uint8_t *buf, size_t len, struct ld_acct_bal **accts,
    uint32_t *n, struct ld_region_bal **regions, uint32_t *m)
{
	struct rbuf		 r;
	struct ld_acct_bal	*a = NULL;
	struct ld_region_bal	*g = NULL;
	uint32_t		 na, ng, i;

	rbuf_init(&r, buf, len);
	na = rbuf_u32(&r);
	if (r.err || na > r.left / ACCT_BAL_LEN)
		goto fail;
	if (na > 0 && (a = calloc(na, sizeof(*a))) == NULL)
		goto fail;
	for (i = 0; i < na; i++) {
		a[i].account = rbuf_u8(&r);
		a[i].fy = rbuf_u16(&r);
		a[i].appropriated = rbuf_i64(&r);
		a[i].awarded = rbuf_i64(&r);
		a[i].disbursed = rbuf_i64(&r);
		a[i].refunded = rbuf_i64(&r);
		a[i].closed = rbuf_u8(&r);
		a[i].carried_in = rbuf_i64(&r);
		a[i].carried_out = rbuf_i64(&r);
		a[i].receipts = rbuf_i64(&r);
		if (r.err || !acct_bal_valid(&a[i]))
			goto fail;
	}
	ng = rbuf_u32(&r);
	if (r.err || ng > r.left / REGION_BAL_MIN)
		goto fail;
	if (ng > 0 && (g = calloc(ng, sizeof(*g))) == NULL)
		goto fail;
	for (i = 0; i < ng; i++) {
		rbuf_str(&r, g[i].region, sizeof(g[i].region), LD_CODE_MAX);
		g[i].fy = rbuf_u16(&r);
		g[i].grant_type = rbuf_u8(&r);
		g[i].account = rbuf_u8(&r);
		g[i].award = rbuf_i64(&r);
		g[i].award_seq = rbuf_u64(&r);
		g[i].disbursed = rbuf_i64(&r);
		g[i].refunded = rbuf_i64(&r);
		g[i].award_date = rbuf_u32(&r);
		g[i].cancelled = rbuf_u8(&r);
		g[i].settled_set = rbuf_u8(&r);
		g[i].settled = rbuf_i64(&r);
		g[i].carried_in = rbuf_i64(&r);
		g[i].carried_out = rbuf_i64(&r);
		g[i].has_order = rbuf_u8(&r);
		g[i].receivable = rbuf_i64(&r);
		if (r.err || !region_bal_valid(&g[i]))
			goto fail;
	}
	if (rbuf_done(&r) == -1)
		goto fail;
	*accts = a;
	*n = na;
	*regions = g;
	*m = ng;
	return 0;
fail:
	free(a);
	free(g);
	*accts = NULL;
	*n = 0;
	*regions = NULL;
	*m = 0;
	return -1;
}

/* TERMS */

int
msg_encode_terms_req(struct wbuf *b, uint16_t fy)
{
	if (fy != 0 && !ld_valid_fy(fy))
		return -1;
	wbuf_u16(b, fy);
	return b->err ? -1 : 0;
}

int
msg_decode_terms_req(const uint8_t *buf, size_t len, uint16_t *fy)
{
	struct rbuf	 r;

	rbuf_init(&r, buf, len);
	*fy = rbuf_u16(&r);
	if (rbuf_done(&r) == -1 || (*fy != 0 && !ld_valid_fy(*fy))) {
		*fy = 0;
		return -1;
	}
	return 0;
}

/* RECEIVABLES */

#define RECEIVABLE_MIN	66	/* str >= 1 + u16 + u8 + u64 + u32 + 6 x i64 */

static int
receivables_req_valid(const struct msg_receivables_req *q)
{
	return (q->fy == 0 || ld_valid_fy(q->fy)) &&
	    FIELD_FITS(q->region, LD_CODE_MAX) &&
	    (q->region[0] == '\0' || ld_valid_code(q->region)) &&
	    ld_valid_date(q->as_of);
}

int
msg_encode_receivables_req(struct wbuf *b, const struct msg_receivables_req *q)
{
	if (!receivables_req_valid(q))
		return -1;
	wbuf_u16(b, q->fy);
	wbuf_str(b, q->region);
	wbuf_u32(b, q->as_of);
	return b->err ? -1 : 0;
}

int
msg_decode_receivables_req(const uint8_t *buf, size_t len,
    struct msg_receivables_req *q)
{
	struct rbuf	 r;

	memset(q, 0, sizeof(*q));
	rbuf_init(&r, buf, len);
	q->fy = rbuf_u16(&r);
	rbuf_str(&r, q->region, sizeof(q->region), LD_CODE_MAX);
	q->as_of = rbuf_u32(&r);
	if (rbuf_done(&r) == -1 || !receivables_req_valid(q)) {
		memset(q, 0, sizeof(*q));
		return -1;
	}
	return 0;
}

static int
receivable_valid(const struct msg_receivable *v)
{
	return FIELD_FITS(v->region, LD_CODE_MAX) && ld_valid_code(v->region) &&
	    ld_valid_fy(v->fy) && ld_valid_account(v->account) &&
	    v->order_seq != 0 && (v->repay_by == 0 || ld_valid_date(v->repay_by)) &&
	    v->principal >= 0 && v->principal_paid >= 0 && v->interest >= 0 &&
	    v->late_charge >= 0 && v->paid_charges >= 0 && v->outstanding >= 0;
}

int
msg_encode_receivables(struct wbuf *b, const struct msg_receivable *v,
    uint32_t n)
{
	uint32_t	 i;

	for (i = 0; i < n; i++)
		if (!receivable_valid(&v[i]))
			return -1;
	wbuf_u32(b, n);
	for (i = 0; i < n; i++) {
		wbuf_str(b, v[i].region);
		wbuf_u16(b, v[i].fy);
		wbuf_u8(b, v[i].account);
		wbuf_u64(b, v[i].order_seq);
		wbuf_u32(b, v[i].repay_by);
		wbuf_i64(b, v[i].principal);
		wbuf_i64(b, v[i].principal_paid);
		wbuf_i64(b, v[i].interest);
		wbuf_i64(b, v[i].late_charge);
		wbuf_i64(b, v[i].paid_charges);
		wbuf_i64(b, v[i].outstanding);
	}
	return b->err ? -1 : 0;
}

int
msg_decode_receivables(const uint8_t *buf, size_t len,
    struct msg_receivable **out, uint32_t *n)
{
	struct rbuf		 r;
	struct msg_receivable	*v = NULL;
	uint32_t		 nv, i;

	rbuf_init(&r, buf, len);
	nv = rbuf_u32(&r);
	if (r.err || nv > r.left / RECEIVABLE_MIN)
		goto fail;
	if (nv > 0 && (v = calloc(nv, sizeof(*v))) == NULL)
		goto fail;
	for (i = 0; i < nv; i++) {
		rbuf_str(&r, v[i].region, sizeof(v[i].region), LD_CODE_MAX);
		v[i].fy = rbuf_u16(&r);
		v[i].account = rbuf_u8(&r);
		v[i].order_seq = rbuf_u64(&r);
		v[i].repay_by = rbuf_u32(&r);
		v[i].principal = rbuf_i64(&r);
		v[i].principal_paid = rbuf_i64(&r);
		v[i].interest = rbuf_i64(&r);
		v[i].late_charge = rbuf_i64(&r);
		v[i].paid_charges = rbuf_i64(&r);
		v[i].outstanding = rbuf_i64(&r);
		if (r.err || !receivable_valid(&v[i]))
			goto fail;
	}
	if (rbuf_done(&r) == -1)
		goto fail;
	*out = v;
	*n = nv;
	return 0;
fail:
	free(v);
	*out = NULL;
	*n = 0;
	return -1;
}

/* CLUSTER, CLUSTER_OK and STATUS_OK's cluster section */

/* An address (msg.h, MSG_ADDR_MAX): "host:port" in a safe alphabet. */
static int
addr_valid(const char *s)
{
	const char *colon;
	size_t n, i;

	if (memchr(s, '\0', MSG_ADDR_MAX + 1) == NULL ||
	    (n = strlen(s)) < 3 || (colon = strrchr(s, ':')) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    strchr(".-_:%[]", s[i]) != NULL))
			return 0;
	n = strlen(colon + 1);
	return colon > s && n >= 1 && n <= 5 &&
	    strspn(colon + 1, "0123456789") == n;
}

const char *
msg_raft_role_name(int role)
{
	switch (role) {
	case MSG_RAFT_LEADER:
		return "leader";
	case MSG_RAFT_FOLLOWER:
		return "follower";
	case MSG_RAFT_CANDIDATE:
		return "candidate";
	default:
		return "unknown";
	}
}

static int
cluster_valid(const struct msg_cluster *c)
{
	const struct msg_member *m;
	uint16_t i, j;

	if (c->node == 0 || c->raft_role > MSG_RAFT_CANDIDATE ||
	    c->nmembers > MSG_MEMBERS_MAX ||
	    memchr(c->leader, '\0', sizeof(c->leader)) == NULL ||
	    (c->leader[0] != '\0' && !addr_valid(c->leader)))
		return 0;
	for (i = 0; i < c->nmembers; i++) {
		m = &c->members[i];
		if (m->id == 0 || m->voter > 1 ||
		    m->raft_role > MSG_RAFT_CANDIDATE ||
		    !addr_valid(m->raft_address) ||
		    !addr_valid(m->client_address))
			return 0;
		for (j = 0; j < i; j++)
			if (c->members[j].id == m->id)
				return 0;
	}
	return 1;
}

static void
cluster_put(struct wbuf *b, const struct msg_cluster *c)
{
	const struct msg_member *m;
	uint16_t i;

	wbuf_u64(b, c->node);
	wbuf_u8(b, c->raft_role);
	wbuf_u64(b, c->term);
	wbuf_str(b, c->leader);
	wbuf_u64(b, c->commit_index);
	wbuf_u64(b, c->applied_index);
	wbuf_u16(b, c->nmembers);
	for (i = 0; i < c->nmembers; i++) {
		m = &c->members[i];
		wbuf_u64(b, m->id);
		wbuf_str(b, m->raft_address);
		wbuf_str(b, m->client_address);
		wbuf_u8(b, m->voter);
		wbuf_u8(b, m->raft_role);
	}
}

/* Read a view; its validity is the caller's cluster_valid() check. */
static void
cluster_get(struct rbuf *r, struct msg_cluster *c)
{
	struct msg_member *m;
	uint16_t i;

	c->node = rbuf_u64(r);
	c->raft_role = rbuf_u8(r);
	c->term = rbuf_u64(r);
	rbuf_str(r, c->leader, sizeof(c->leader), MSG_ADDR_MAX);
	c->commit_index = rbuf_u64(r);
	c->applied_index = rbuf_u64(r);
	c->nmembers = rbuf_u16(r);
	if (c->nmembers > MSG_MEMBERS_MAX) {
		r->err = 1;
		return;
	}
	for (i = 0; i < c->nmembers && !r->err; i++) {
		m = &c->members[i];
		m->id = rbuf_u64(r);
		rbuf_str(r, m->raft_address, sizeof(m->raft_address),
		    MSG_ADDR_MAX);
		rbuf_str(r, m->client_address, sizeof(m->client_address),
		    MSG_ADDR_MAX);
		m->voter = rbuf_u8(r);
		m->raft_role = rbuf_u8(r);
	}
}

int
msg_encode_cluster(struct wbuf *b, const struct msg_cluster *c)
{
	if (!cluster_valid(c))
		return -1;
	cluster_put(b, c);
	return b->err ? -1 : 0;
}

int
msg_decode_cluster(const uint8_t *buf, size_t len, struct msg_cluster *c)
{
	struct rbuf r;

	memset(c, 0, sizeof(*c));
	rbuf_init(&r, buf, len);
	cluster_get(&r, c);
	if (rbuf_done(&r) == -1 || !cluster_valid(c)) {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	return 0;
}

static int
cluster_req_valid(const struct msg_cluster_req *q)
{
	if (memchr(q->raft_address, '\0', sizeof(q->raft_address)) == NULL ||
	    memchr(q->client_address, '\0', sizeof(q->client_address)) == NULL)
		return 0;
	switch (q->op) {
	case MSG_CLUSTER_STATUS:
		return q->id == 0 && q->raft_address[0] == '\0' &&
		    q->client_address[0] == '\0';
	case MSG_CLUSTER_ADD:
		return q->id != 0 && addr_valid(q->raft_address) &&
		    addr_valid(q->client_address);
	case MSG_CLUSTER_REMOVE:
	case MSG_CLUSTER_TRANSFER:
		return q->id != 0 && q->raft_address[0] == '\0' &&
		    q->client_address[0] == '\0';
	default:
		return 0;
	}
}

int
msg_encode_cluster_req(struct wbuf *b, const struct msg_cluster_req *q)
{
	if (!cluster_req_valid(q))
		return -1;
	wbuf_u8(b, q->op);
	wbuf_u64(b, q->id);
	wbuf_str(b, q->raft_address);
	wbuf_str(b, q->client_address);
	return b->err ? -1 : 0;
}

int
msg_decode_cluster_req(const uint8_t *buf, size_t len,
    struct msg_cluster_req *q)
{
	struct rbuf r;

	memset(q, 0, sizeof(*q));
	rbuf_init(&r, buf, len);
	q->op = rbuf_u8(&r);
	q->id = rbuf_u64(&r);
	rbuf_str(&r, q->raft_address, sizeof(q->raft_address), MSG_ADDR_MAX);
	rbuf_str(&r, q->client_address, sizeof(q->client_address),
	    MSG_ADDR_MAX);
	if (rbuf_done(&r) == -1 || !cluster_req_valid(q)) {
		memset(q, 0, sizeof(*q));
		return -1;
	}
	return 0;
}

/* STATUS_OK */

static int
status_valid(const struct msg_status *s)
{
	return FIELD_FITS(s->server, sizeof(s->server) - 1) &&
	    ld_valid_utf8_text(s->server, 0, sizeof(s->server) - 1) &&
	    s->scrub_result <= 2 && s->scrub_running <= 1 &&
	    (!s->has_cluster || (s->has_storage && cluster_valid(&s->cluster)));
}

int
msg_encode_status(struct wbuf *b, const struct msg_status *s)
{
	if (!status_valid(s))
		return -1;
	wbuf_str(b, s->server);
	wbuf_u64(b, s->size);
	wbuf_u64(b, s->uptime_s);
	wbuf_u32(b, s->connections);
	wbuf_u64(b, s->map_used);
	wbuf_u64(b, s->map_size);
	wbuf_i64(b, s->last_commit);
	wbuf_put(b, s->root, sizeof(s->root));
	if (s->has_scrub) {
		wbuf_u8(b, s->scrub_result);
		wbuf_u8(b, s->scrub_running);
		wbuf_i64(b, s->scrub_finished_at);
		wbuf_u64(b, s->scrub_size);
		wbuf_u64(b, s->scrub_damaged_seq);
		wbuf_u64(b, s->scrub_progress);
		wbuf_u64(b, s->damaged_entries);
		if (s->has_storage) {
			wbuf_u64(b, s->fs_free);
			wbuf_u64(b, s->fs_size);
			wbuf_u64(b, s->oldest_write_ms);
			wbuf_u64(b, s->slow_commits);
			if (s->has_cluster)
				cluster_put(b, &s->cluster);
		}
	}
	return b->err ? -1 : 0;
}

int
msg_decode_status(const uint8_t *buf, size_t len, struct msg_status *s)
{
	struct rbuf	 r;

	memset(s, 0, sizeof(*s));
	rbuf_init(&r, buf, len);
	rbuf_str(&r, s->server, sizeof(s->server), sizeof(s->server) - 1);
	s->size = rbuf_u64(&r);
	s->uptime_s = rbuf_u64(&r);
	s->connections = rbuf_u32(&r);
	s->map_used = rbuf_u64(&r);
	s->map_size = rbuf_u64(&r);
	s->last_commit = rbuf_i64(&r);
	rbuf_get(&r, s->root, sizeof(s->root));
	if (!r.err && r.left > 0) {
		s->has_scrub = 1;
		s->scrub_result = rbuf_u8(&r);
		s->scrub_running = rbuf_u8(&r);
		s->scrub_finished_at = rbuf_i64(&r);
		s->scrub_size = rbuf_u64(&r);
		s->scrub_damaged_seq = rbuf_u64(&r);
		s->scrub_progress = rbuf_u64(&r);
		s->damaged_entries = rbuf_u64(&r);
		if (!r.err && r.left > 0) {
			s->has_storage = 1;
			s->fs_free = rbuf_u64(&r);
			s->fs_size = rbuf_u64(&r);
			s->oldest_write_ms = rbuf_u64(&r);
			s->slow_commits = rbuf_u64(&r);
			if (!r.err && r.left > 0) {
				s->has_cluster = 1;
				cluster_get(&r, &s->cluster);
			}
		}
	}
	if (rbuf_done(&r) == -1 || !status_valid(s)) {
		memset(s, 0, sizeof(*s));
		return -1;
	}
	return 0;
}
