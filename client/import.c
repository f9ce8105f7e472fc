/*
 * import.c - `import` (import.h): a payment list read into BATCH rows, and
 * the pump that sends them over one connection with several batches in
 * flight.
 *
 * Rows are encoded as they are read, each as the write request it will
 * be, so the pump only slices the buffer into batches.  Every row must
 * have an id: the daemon answers a repeated id with the entry it wrote
 * the first time, so an import cut off halfway is simply run again.
 *
 * Pipelining over one blocking socket must not deadlock: the daemon stops
 * reading a connection whose unsent output exceeds 4 x max_frame_bytes
 * (ledgerd/server.c), and ledgerctl, blocked in a write, reads nothing.
 * So the answers of everything in flight are kept below 3 x max_frame_bytes
 * by a worst-case bound per row (an entry, or an error message of
 * MSG_TEXT_MAX bytes); then the daemon always reads on and every write
 * completes.  With the default 1 MiB frames that is about a thousand rows
 * per batch and three batches in flight: each group commit of the daemon
 * takes several batches while the next ones travel.
 *
 * On a terminal the pump keeps a progress line on stderr (progress.h),
 * erased before anything else is printed there: a refused row, a failure.
 *
 * --atomic sends the file as one batch the daemon writes all or nothing;
 * its rows answered UNAVAILABLE are the ones not written because another
 * failed, and are not counted as refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csvread.h"
#include "ctl.h"
#include "ctlconn.h"
#include "entry.h"
#include "errors.h"
#include "frame.h"
#include "import.h"
#include "msg.h"
#include "output.h"
#include "session.h"
#include "values.h"
#include "wire.h"

int
import_parse_row(char *const *field, size_t nfield, struct ld_entry *req,
    char *err, size_t errlen)
{
	char	 why[160] = "";

	memset(req, 0, sizeof(*req));
	if (nfield != IMPORT_NFIELDS) {
		snprintf(err, errlen, "expected %d fields (%s), found %zu",
		    IMPORT_NFIELDS, IMPORT_HEADER, nfield);
		return -1;
	}
	req->kind = (uint8_t)ld_kind_from_name(field[0]);
	if (req->kind != LD_K_DISBURSEMENT && req->kind != LD_K_REFUND) {
		snprintf(err, errlen, "kind: '%.40s' is not disbursement or refund",
		    field[0]);
		return -1;
	}
	if (arg_code("region", field[1], req->region, sizeof(req->region), err,
	    errlen) == -1)
		return -1;
	if (parse_fy(field[2], &req->fy, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "fy: %s", why[0] != '\0' ? why :
		    "not a fiscal year");
		return -1;
	}
	if (parse_amount(field[3], &req->amount, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "amount: %s", why[0] != '\0' ? why :
		    "not an amount");
		return -1;
	}
	if (arg_ref("ref", field[4], req->ref, sizeof(req->ref), err,
	    errlen) == -1)
		return -1;
	if (parse_date(field[5], &req->date, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "date: %s", why[0] != '\0' ? why :
		    "not a date (YYYY-MM-DD)");
		return -1;
	}
	if (arg_text("memo", field[6], 1, req->memo, sizeof(req->memo), err,
	    errlen) == -1)
		return -1;
	if (field[7][0] == '\0') {
		snprintf(err, errlen, "id: required (the key that makes a re-run "
		    "write nothing twice)");
		return -1;
	}
	return arg_ref("id", field[7], req->id, sizeof(req->id), err, errlen);
}

/*
 * What the daemon adds to a request to make its entry (format, seq,
 * account, actor of up to 64 bytes, recorded_at), rounded up: with the
 * 7-byte result header, the most an accepted row's answer can take beyond
 * its request.  A refused row's answer is at most 4 + MSG_TEXT_MAX.
 */
#define IMPORT_ENTRY_EXTRA	96
#define IMPORT_FRAME_EXTRA	(3 * (FRAME_HDR_LEN + 8))
#define IMPORT_WINDOW		3	/* x max_frame of answers in flight */
#define IMPORT_INFLIGHT_MAX	64

struct batch {
	uint32_t	 reqid;
	size_t		 first;		/* row */
	size_t		 count;
	size_t		 answered;
	size_t		 bound;		/* bytes its answer can take at most */
};

void
import_init(struct import *im, int atomic)
{
	memset(im, 0, sizeof(*im));
	wbuf_init(&im->items);
	im->atomic = atomic;
}

void
import_free(struct import *im)
{
	wbuf_free(&im->items);
	free(im->off);
	free(im->line);
}

static size_t
row_len(const struct import *im, size_t i)
{
	return im->off[i + 1] - im->off[i];
}

static size_t
row_bound(const struct import *im, size_t i)
{
	size_t	 ok = 7 + row_len(im, i) + IMPORT_ENTRY_EXTRA;

	return ok > 4 + MSG_TEXT_MAX ? ok : 4 + MSG_TEXT_MAX;
}

/* The whole file into im->items; any bad row is a usage error, nothing sent. */
int
import_read(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    struct import *im)
{
	static const struct csvr_limits lim = { 2048, 8192, 16 };
	struct ld_entry		 req;
	struct csvr		 r;
	FILE			*f;
	size_t			 ncap;
	void			*p;
	char			 err[300];
	int			 rc = CTL_OK, k;

	if ((f = fopen(path, "r")) == NULL)
		return ctl_usage(ctl, cmd, "cannot open %s: %s", path,
		    strerror(errno));
	csvr_init(&r, f, &lim);
	if (csvr_header(&r, IMPORT_HEADER, IMPORT_NFIELDS) == -1)
		rc = ctl_usage(ctl, cmd, "%s: %s", path, r.err);
	if (rc == CTL_OK && (im->off = calloc(1, sizeof(*im->off))) == NULL)
		rc = CTL_CONN;
	while (rc == CTL_OK && (k = csvr_next(&r)) != 0) {
		if (k == -1) {
			rc = ctl_usage(ctl, cmd, "%s: %s", path, r.err);
			break;
		}
		/* A blank line or spreadsheet row (",,,") holds no payment. */
		if (csvr_blank(&r))
			continue;
		if (import_parse_row(r.field, r.nfield, &req, err,
		    sizeof(err)) == -1) {
			rc = ctl_usage(ctl, cmd, "%s: line %lu: %s", path,
			    r.rec_line, err);
			break;
		}
		if (im->atomic && im->nrows == MSG_BATCH_MAX) {
			rc = ctl_usage(ctl, cmd, "%s: line %lu: --atomic takes "
			    "at most %d rows (one batch)", path, r.rec_line,
			    MSG_BATCH_MAX);
			break;
		}
		if (im->nrows == im->cap) {
			ncap = im->cap > 0 ? im->cap * 2 : 1024;
			if ((p = reallocarray(im->off, ncap + 1,
			    sizeof(*im->off))) == NULL) {
				rc = CTL_CONN;
				break;
			}
			im->off = p;
			if ((p = reallocarray(im->line, ncap,
			    sizeof(*im->line))) == NULL) {
				rc = CTL_CONN;
				break;
			}
			im->line = p;
			im->cap = ncap;
		}
		/* A file with one voucher on several rows, on purpose (2.3). */
		if (im->allow_dup_ref)
			req.flags |= LD_EF_DUP_REF_OK;
		if (msg_batch_add(&im->items, &req) == -1) {
			/* The row passed every check above: only memory is left. */
			rc = CTL_CONN;
			break;
		}
		im->line[im->nrows] = r.rec_line;
		im->off[++im->nrows] = im->items.len;
	}
	if (rc == CTL_CONN)
		fprintf(ctl->err, "ledgerctl: out of memory reading %s\n", path);
	csvr_free(&r);
	fclose(f);
	return rc;
}

static void
import_refused(struct ctl *ctl, struct import *im, unsigned long line,
    int code, const char *msg)
{
	if (msg == NULL || msg[0] == '\0')
		msg = ld_err_text(code);
	progress_clear(&im->prog);
	fprintf(ctl->err, "ledgerctl: line %lu: %s: %s\n", line,
	    ld_err_name(code), msg);
	if (ctl->json)
		out_json_line(ctl->out, json_pack("{s:I,s:s,s:s}", "line",
		    (json_int_t)line, "error", ld_err_name(code), "message", msg));
}

/* A broken connection or answer: the progress line goes first. */
static int
import_fail(struct ctl *ctl, struct import *im, const char *why)
{
	progress_clear(&im->prog);
	return ctl_conn_fail(ctl, why);
}

/* Send rows [first, first + count) as one BATCH. */
static int
import_send(struct ctl *ctl, struct import *im, struct batch *b)
{
	struct wbuf	 w;
	size_t		 count_off;
	char		 err[256];
	int		 rc;

	wbuf_init(&w);
	if (msg_batch_begin(&w, im->atomic ? MSG_BATCH_ATOMIC : 0,
	    &count_off) == 0) {
		wbuf_put(&w, im->items.data + im->off[b->first],
		    im->off[b->first + b->count] - im->off[b->first]);
		msg_batch_finish(&w, count_off, (uint32_t)b->count);
	}
	rc = ctlconn_send(&ctl->conn, MSG_WRITE_BATCH, &w, &b->reqid, err,
	    sizeof(err));
	wbuf_free(&w);
	if (rc == CTLCONN_PROTO) {
		progress_clear(&im->prog);
		return ctl_usage(ctl, NULL, "%s", err);
	}
	if (rc != CTLCONN_OK)
		return import_fail(ctl, im, err);
	return CTL_OK;
}

/*
 * One answer frame for a batch in flight.  *finished is set when it was
 * the batch's last frame.
 */
static int
import_frame(struct ctl *ctl, struct import *im, struct batch *b,
    const struct ctlconn_frame *f, int *finished)
{
	struct msg_bresult_iter	 it;
	struct msg_bresult	 res;
	struct ld_entry		 e;
	char			 msg[MSG_TEXT_MAX + 64];
	int			 code, r;

	*finished = 0;
	if (f->type == MSG_ERROR) {
		/* The whole batch was refused (a role, a malformed request). */
		if (msg_decode_error(f->payload, f->len, &code, msg,
		    sizeof(msg)) == -1)
			return import_fail(ctl, im, "malformed ERROR answer");
		progress_clear(&im->prog);
		fprintf(ctl->err, "ledgerctl: lines %lu-%lu: %s: %s\n",
		    im->line[b->first + b->answered],
		    im->line[b->first + b->count - 1], ld_err_name(code),
		    msg[0] != '\0' ? msg : ld_err_text(code));
		if (ctl->json)
			out_json_line(ctl->out, json_pack("{s:I,s:I,s:s,s:s}",
			    "line", (json_int_t)im->line[b->first + b->answered],
			    "last_line", (json_int_t)im->line[b->first +
			    b->count - 1], "error", ld_err_name(code), "message",
			    msg));
		im->refused += b->count - b->answered;
		b->answered = b->count;
		*finished = 1;
		return CTL_OK;
	}
	if (f->type != MSG_BATCH_RESULT)
		return import_fail(ctl, im, "unexpected answer to a BATCH");
	if (msg_bresult_open(&it, f->payload, f->len) == -1 ||
	    it.first != b->answered)
		return import_fail(ctl, im, "malformed BATCH_RESULT answer");
	while ((r = msg_bresult_next(&it, &res)) == 1) {
		if (res.index != b->answered || b->answered >= b->count)
			return import_fail(ctl, im, "BATCH_RESULT out of order");
		if (res.code == LD_OK) {
			if (entry_decode(&e, res.enc, res.len) == -1)
				return import_fail(ctl, im, "malformed entry in "
				    "BATCH_RESULT");
			if (res.duplicate)
				im->dups++;
			else {
				im->written++;
				/* The policy made it a request (決裁 pending). */
				if (e.kind == LD_K_REQUEST)
					im->requested++;
			}
		} else if (im->atomic && res.code == LD_E_UNAVAILABLE)
			im->unwritten++;
		else {
			im->refused++;
			import_refused(ctl, im, im->line[b->first + res.index],
			    res.code, res.message);
		}
		b->answered++;
	}
	if (r == -1)
		return import_fail(ctl, im, "malformed BATCH_RESULT answer");
	if (!(f->flags & FRAME_F_MORE)) {
		if (b->answered != b->count)
			return import_fail(ctl, im, "BATCH_RESULT lacks results");
		*finished = 1;
	}
	return CTL_OK;
}

/* The largest batch from row first whose request and answer fit a frame. */
static void
import_plan(const struct import *im, size_t first, uint32_t max_frame,
    struct batch *b)
{
	size_t	 payload = 5, bound = IMPORT_FRAME_EXTRA, i, n;

	memset(b, 0, sizeof(*b));
	b->first = first;
	for (i = first; i < im->nrows && b->count < MSG_BATCH_MAX; i++) {
		n = row_len(im, i);
		if (b->count > 0 && (FRAME_HDR_LEN + payload + n > max_frame ||
		    bound + row_bound(im, i) > max_frame))
			break;
		payload += n;
		bound += row_bound(im, i);
		b->count++;
	}
	b->bound = bound;
}

/* Send and read everything (import_pump() without the progress line). */
static int
import_pump_all(struct ctl *ctl, struct import *im)
{
	struct batch		 fly[IMPORT_INFLIGHT_MAX], next;
	struct ctlconn_frame	 f;
	uint32_t		 max_frame = ctl->conn.max_frame;
	size_t			 row = 0, nfly = 0, inflight = 0, i;
	size_t			 budget = (size_t)IMPORT_WINDOW * max_frame;
	char			 err[MSG_TEXT_MAX + 64];
	int			 rc, finished, code;

	if (im->atomic) {
		next.first = 0;
		next.count = im->nrows;
		next.answered = 0;
		next.bound = 0;
		if (FRAME_HDR_LEN + 5 + im->items.len > max_frame)
			return ctl_usage(ctl, NULL, "--atomic: the file makes a "
			    "batch of %zu bytes; the server's max_frame_bytes is "
			    "%u: import it without --atomic or in parts",
			    FRAME_HDR_LEN + 5 + im->items.len, max_frame);
	}
	while (row < im->nrows || nfly > 0) {
		if (row < im->nrows && nfly < IMPORT_INFLIGHT_MAX) {
			if (!im->atomic)
				import_plan(im, row, max_frame, &next);
			if (nfly == 0 || inflight + next.bound <= budget) {
				if ((rc = import_send(ctl, im, &next)) != CTL_OK)
					return rc;
				fly[nfly++] = next;
				inflight += next.bound;
				row += next.count;
				continue;
			}
		}
		if (ctlconn_recv(&ctl->conn, &f, err, sizeof(err)) != CTLCONN_OK)
			return import_fail(ctl, im, err);
		for (i = 0; i < nfly && fly[i].reqid != f.reqid; i++)
			;
		if (i == nfly) {
			progress_clear(&im->prog);
			if (f.type == MSG_ERROR && msg_decode_error(f.payload,
			    f.len, &code, err, sizeof(err)) == 0)
				return ctl_refusal(ctl, code, err);
			return import_fail(ctl, im, "answer for another request");
		}
		if ((rc = import_frame(ctl, im, &fly[i], &f, &finished)) != CTL_OK)
			return rc;
		progress_update(&im->prog, im->written + im->dups + im->refused +
		    im->unwritten);
		if (finished) {
			inflight -= fly[i].bound;
			fly[i] = fly[--nfly];
		}
	}
	return CTL_OK;
}

int
import_pump(struct ctl *ctl, struct import *im)
{
	int	 rc;

	progress_init(&im->prog, ctl->err, "import", "rows", im->nrows, -1);
	rc = import_pump_all(ctl, im);
	progress_clear(&im->prog);
	return rc;
}
