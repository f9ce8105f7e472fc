/*
 * cmd_export.c - `ledgerctl export`: the whole ledger, or a seq range of it,
 * as CSV for spreadsheets or as JSONL for anyone who wants to recompute the
 * Merkle tree without this software.
 *
 * The export is a LIST stream (since/until inclusive, no filter) printed as
 * each ENTRIES frame arrives, so exporting a million entries needs one
 * frame of memory and starts printing at once.  Every entry is decoded on
 * the way and must follow its predecessor by exactly one seq: an export
 * with a hole would look complete and be wrong, so a daemon that skips or
 * repeats an entry is a protocol failure, not something to print.
 *
 * Formats (the contract's "Audit formats"):
 *   jsonl  each line is the entry's JSON exactly as `get --json` prints it,
 *          plus "leaf_data": the hex of its canonical encoding, from which
 *          `verify-export` or a few lines of any language recompute every
 *          leaf hash and the signed root;
 *   csv    the default, since it is what a person opening an export wants:
 *          the contract's header, one record per entry, RFC 4180 quoting
 *          (csv.c), LF line ends.  Each column is the JSON field of the same
 *          name, empty where the entry's JSON omits it; region attributes and
 *          year_close totals are only in the JSONL export, the full record.
 * `--json` alone, like `--format json`, asks for JSONL.
 *
 * export_stream() is also how `verify --full` (cmd_audit.c) reads every
 * entry.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "csv.h"
#include "ctl.h"
#include "entry.h"
#include "frame.h"
#include "msg.h"
#include "output.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE

static const struct ctl_opt export_opts[] = {
	{ "since", V }, { "until", V }, { "format", V }, { NULL, 0 }
};

static int	export_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_export_cmds[] = {
	{ "export", NULL, { NULL }, 0, 0, export_opts,
	    "export [--since SEQ] [--until SEQ] [--format csv|jsonl]",
	    export_run, 0 },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

/* The CSV columns, which are also the JSON keys they are taken from. */
static const char *const csv_cols[] = {
	"seq", "kind", "region", "fy", "account", "amount", "ref", "date",
	"memo", "id", "actor", "recorded_at", "reverses", "reason", "leaf_hash"
};
#define CSV_NCOLS	(sizeof(csv_cols) / sizeof(csv_cols[0]))

int
cmd_build_export(const struct ctl_args *a, struct msg_list *l, int *format,
    char *err, size_t errlen)
{
	const char	*s, *fmt = args_get(a, "format");
	char		 why[160] = "";

	memset(l, 0, sizeof(*l));
	if ((s = args_get(a, "since")) != NULL &&
	    parse_u64(s, &l->since, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "--since: %s", why[0] != '\0' ? why :
		    "not a number");
		return -1;
	}
	/* until 0 would mean "no bound" on the wire: never send it by mistake. */
	if ((s = args_get(a, "until")) != NULL &&
	    arg_seq("--until", s, &l->until, err, errlen) == -1)
		return -1;
	if (l->until != 0 && l->since > l->until) {
		snprintf(err, errlen, "--since %" PRIu64 " is after --until %"
		    PRIu64, l->since, l->until);
		return -1;
	}
	if (fmt == NULL)
		*format = a->json ? EXPORT_JSONL : EXPORT_CSV;
	else if (strcmp(fmt, "csv") == 0)
		*format = EXPORT_CSV;
	else if (strcmp(fmt, "jsonl") == 0 || strcmp(fmt, "json") == 0)
		*format = EXPORT_JSONL;
	else {
		snprintf(err, errlen, "--format: '%.80s' is not csv or jsonl", fmt);
		return -1;
	}
	if (a->json && *format == EXPORT_CSV) {
		snprintf(err, errlen, "--json asks for JSON lines but --format "
		    "asks for csv");
		return -1;
	}
	return 0;
}

json_t *
export_entry_json(const struct ld_entry *e, const uint8_t *enc, size_t len)
{
	json_t	*obj;
	char	*hex;

	if ((obj = out_entry_json(e, enc, len)) == NULL)
		return NULL;
	if ((hex = malloc(2 * len + 1)) == NULL) {
		json_decref(obj);
		return NULL;
	}
	hex_encode(enc, len, hex);
	if (json_object_set_new(obj, "leaf_data", json_string(hex)) == -1) {
		json_decref(obj);
		obj = NULL;
	}
	free(hex);
	return obj;
}

int
export_csv_row(FILE *f, const struct ld_entry *e, const uint8_t *enc,
    size_t len)
{
	const char	*cells[CSV_NCOLS];
	char		 nums[CSV_NCOLS][24];
	json_t		*obj, *v;
	size_t		 i;
	int		 rc;

	if ((obj = out_entry_json(e, enc, len)) == NULL)
		return -1;
	for (i = 0; i < CSV_NCOLS; i++) {
		cells[i] = NULL;
		v = json_object_get(obj, csv_cols[i]);
		if (json_is_string(v))
			cells[i] = json_string_value(v);
		else if (json_is_integer(v)) {
			snprintf(nums[i], sizeof(nums[i]), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			cells[i] = nums[i];
		}
	}
	rc = csv_write_row(f, cells, CSV_NCOLS);
	json_decref(obj);
	return rc;
}

int
export_stream(struct ctl *ctl, const struct msg_list *l, export_entry_fn fn,
    void *arg)
{
	struct msg_entries_iter	 it;
	struct conn_frame	 f;
	struct wbuf		 w;
	const uint8_t		*enc;
	size_t			 len;
	uint32_t		 reqid;
	int			 r, rc;

	wbuf_init(&w);
	if (msg_encode_list(&w, l) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, NULL, "LIST request cannot be encoded");
	}
	rc = ctl_call(ctl, MSG_LIST, &w, MSG_ENTRIES, &reqid, &f);
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	for (;;) {
		if (msg_entries_open(&it, f.payload, f.len) == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		while ((r = msg_entries_next(&it, &enc, &len)) == 1)
			if ((rc = fn(ctl, enc, len, arg)) != CTL_OK)
				return rc;
		if (r == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		if (!(f.flags & FRAME_F_MORE))
			return CTL_OK;
		if ((rc = ctl_next(ctl, reqid, MSG_ENTRIES, &f)) != CTL_OK)
			return rc;
	}
}

struct export_state {
	int		 format;
	uint64_t	 next;	/* the seq the next entry must have */
	uint64_t	 count;
};

static int
export_one(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct export_state	*st = arg;
	struct ld_entry		 e;
	char			 why[96];
	int			 rc;

	if (entry_decode(&e, enc, len) == -1) {
		snprintf(why, sizeof(why), "malformed entry after seq %" PRIu64,
		    st->next - 1);
		return ctl_conn_fail(ctl, why);
	}
	if (e.seq != st->next) {
		snprintf(why, sizeof(why), "entry %" PRIu64 " where %" PRIu64
		    " was due: the listing has a hole", e.seq, st->next);
		return ctl_conn_fail(ctl, why);
	}
	st->next++;
	st->count++;
	if (st->format == EXPORT_JSONL)
		rc = out_json_line(ctl->out, export_entry_json(&e, enc, len));
	else
		rc = export_csv_row(ctl->out, &e, enc, len);
	if (rc == -1) {
		fprintf(ctl->err, "ledgerctl: cannot write the export\n");
		return CTL_CONN;
	}
	return CTL_OK;
}

static int
export_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_list		 l;
	struct export_state	 st;
	char			 err[256];
	int			 rc;

	memset(&st, 0, sizeof(st));
	if (cmd_build_export(a, &l, &st.format, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	st.next = l.since > 0 ? l.since : 1;
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	/* The header even for an empty range: a CSV consumer wants the columns. */
	if (st.format == EXPORT_CSV && fprintf(ctl->out, "%s\n",
	    EXPORT_CSV_HEADER) < 0) {
		fprintf(ctl->err, "ledgerctl: cannot write the export\n");
		return CTL_CONN;
	}
	return export_stream(ctl, &l, export_one, &st);
}
