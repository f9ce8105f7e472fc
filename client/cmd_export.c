/*
 * cmd_export.c - `ledgerctl export`: the whole ledger, or a seq range of it,
 * as CSV for spreadsheets or as JSONL for anyone who wants to recompute the
 * Merkle tree without this software.
 *
 * The export is a LIST stream (since/until inclusive, no filter) printed as
 * each ENTRIES frame arrives (ctl_list(), session.c), so exporting a million
 * entries needs one frame of memory and starts printing at once.  Every
 * entry is decoded on the way and must follow its predecessor by exactly
 * one seq: an export with a hole would look complete and be wrong, so a
 * daemon that skips or repeats an entry is a protocol failure, not
 * something to print.
 *
 * The line formats are export.c's, shared with `verify-export`: jsonl, each
 * line the entry's JSON as `get --json` prints it plus "leaf_data"; csv,
 * the default since it is what a person opening an export wants, the
 * contract's header and one record per entry.  `--json` alone, like
 * `--format json`, asks for JSONL.
 *
 * `--bom` puts a UTF-8 byte order mark before the CSV header: Excel opens
 * a CSV file without one in the locale's code page (CP932 in Japan) and
 * shows every Japanese memo and region name garbled; with it, as UTF-8.
 * It is not the default because every other consumer of CSV (and the
 * contract's header check) expects the header's first byte to be 's'.
 * On a terminal stderr shows "export: N entries" while a long export runs
 * into a file or a pipe (progress.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "entry.h"
#include "export.h"
#include "msg.h"
#include "output.h"
#include "progress.h"
#include "session.h"
#include "values.h"

#define V	OPT_VALUE

static const struct ctl_opt export_opts[] = {
	{ "since", V }, { "until", V }, { "format", V }, { "bom", 0 },
	{ NULL, 0 }
};

static int	export_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_export_cmds[] = {
	{ "export", NULL, { NULL }, 0, 0, export_opts,
	    "export [--since SEQ] [--until SEQ] [--format csv|jsonl] [--bom]",
	    export_run, 0 },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

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

struct export_state {
	int		 format;
	uint64_t	 next;	/* the seq the next entry must have */
	uint64_t	 count;
	struct progress	 prog;
};

static int
export_one(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct export_state	*st = arg;
	struct ld_entry		 e;
	char			 why[96];
	int			 rc;

	if (entry_decode(&e, enc, len) == -1) {
		progress_clear(&st->prog);
		snprintf(why, sizeof(why), "malformed entry after seq %" PRIu64,
		    st->next - 1);
		return ctl_conn_fail(ctl, why);
	}
	if (e.seq != st->next) {
		progress_clear(&st->prog);
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
		progress_clear(&st->prog);
		fprintf(ctl->err, "ledgerctl: cannot write the export\n");
		return CTL_CONN;
	}
	progress_update(&st->prog, st->count);
	return CTL_OK;
}

static int
export_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_list		 l;
	struct export_state	 st;
	char			 err[256];
	int			 rc, bom = args_get(a, "bom") != NULL;

	memset(&st, 0, sizeof(st));
	if (cmd_build_export(a, &l, &st.format, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (bom && st.format != EXPORT_CSV)
		return ctl_usage(ctl, a->cmd, "--bom is for --format csv (a JSON "
		    "line never starts with a byte order mark)");
	st.next = l.since > 0 ? l.since : 1;
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	/* The header even for an empty range: a CSV consumer wants the columns. */
	if (st.format == EXPORT_CSV && fprintf(ctl->out, "%s%s\n",
	    bom ? "\xef\xbb\xbf" : "", EXPORT_CSV_HEADER) < 0) {
		fprintf(ctl->err, "ledgerctl: cannot write the export\n");
		return CTL_CONN;
	}
	/* No total: --until may lie beyond the end of the log. */
	progress_init(&st.prog, ctl->err, "export", "entries", 0,
	    fileno(ctl->out));
	rc = ctl_list(ctl, &l, export_one, &st);
	progress_clear(&st.prog);
	return rc;
}
