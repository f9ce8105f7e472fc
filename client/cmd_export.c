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
 * A request entry's JSONL line adds its "status" (approvals.h), as `list`
 * does: the decisions are read with APPROVALS before the listing starts,
 * and one whose approval lies beyond --until is not counted, so a line
 * says what the export itself shows.  An approval written while the
 * export runs may follow its request in the file while the request's line
 * still says pending; verify-export accepts that, and nothing else.
 *
 * `--bom` puts a UTF-8 byte order mark before the CSV header: Excel opens
 * a CSV file without one in the locale's code page (CP932 in Japan) and
 * shows every Japanese memo and region name garbled; with it, as UTF-8.
 * It is not the default because every other consumer of CSV (and the
 * contract's header check) expects the header's first byte to be 's'.
 * On a terminal stderr shows "export: N entries" while a long export runs
 * into a file or a pipe (progress.h).
 *
 * `--tiles DIR` publishes the whole ledger instead as a C2SP tlog-tiles
 * directory (proto/tiles.h: hash tiles, entry bundles, checkpoint) that any
 * static web server can serve and any tlog-tiles client can verify.  It
 * never publishes what it has not checked itself:
 *
 *   1. the signed checkpoint (CHECKPOINT; with --verifier its signature
 *      must verify) fixes the size and root to export;
 *   2. entries 1..size are listed (LIST) into a scratch file in DIR while
 *      their leaf hashes are streamed into the RFC 6962 root, which must
 *      be the checkpoint's; when DIR already holds a checkpoint, the new
 *      tree must extend it (same origin, not smaller, the root at its size
 *      equal to its root) - a fork or a rollback is never published;
 *   3. only then are the tiles and bundles written from the scratch file,
 *      each atomically and only when missing (tiledir.h: a file already
 *      there must hold the same bytes), flushed to disk, and the checkpoint
 *      replaced last, so a reader never sees a checkpoint whose files are
 *      missing.
 *
 * A second export therefore writes only the tiles and bundles that are new
 * or have grown (a wider partial tile has a new name) and the checkpoint.
 * Partial tiles of earlier exports are kept: a reader still holding an
 * older checkpoint can fetch what it names (C2SP allows removing them once
 * the full tile exists; keeping them costs at most 255 * 32 bytes per level
 * per export).  Exit status: 4 for every failed check, 3 when DIR cannot
 * be written, 2 when it cannot be created.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "checkpoint.h"
#include "ctl.h"
#include "entry.h"
#include "export.h"
#include "merkle.h"
#include "msg.h"
#include "msg_audit.h"
#include "output.h"
#include "progress.h"
#include "session.h"
#include "tiledir.h"
#include "tiles.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE

static const struct ctl_opt export_opts[] = {
	{ "since", V }, { "until", V }, { "format", V }, { "bom", 0 },
	{ "tiles", V }, { "verifier", V }, { NULL, 0 }
};

static int	export_run(struct ctl *, const struct ctl_args *);
static int	tiles_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_export_cmds[] = {
	{ "export", NULL, { NULL }, 0, 0, export_opts,
	    "export [--since SEQ] [--until SEQ] [--format csv|jsonl] [--bom] | "
	    "--tiles DIR [--verifier FILE]",
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
	struct appr_book book;	/* JSONL: the requests' decisions */
	uint64_t	 until;	/* --until, 0 = none */
	int64_t		 now_us;
};

/* A JSONL line: the entry, and a request's status. */
static json_t *
export_line(const struct export_state *st, const struct ld_entry *e,
    const uint8_t *enc, size_t len)
{
	json_t	*obj = export_entry_json(e, enc, len);

	if (obj != NULL && e->kind == LD_K_REQUEST &&
	    appr_json_status(obj, appr_entry_status(e, &st->book, st->now_us,
	    st->until)) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

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
		rc = out_json_line(ctl->out, export_line(st, &e, enc, len));
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

	if (args_get(a, "tiles") != NULL)
		return tiles_run(ctl, a);
	if (args_get(a, "verifier") != NULL)
		return ctl_usage(ctl, a->cmd, "--verifier is for --tiles DIR (the "
		    "checkpoint a CSV or JSONL export carries is checked by "
		    "verify-export)");
	memset(&st, 0, sizeof(st));
	if (cmd_build_export(a, &l, &st.format, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (bom && st.format != EXPORT_CSV)
		return ctl_usage(ctl, a->cmd, "--bom is for --format csv (a JSON "
		    "line never starts with a byte order mark)");
	st.next = l.since > 0 ? l.since : 1;
	st.until = l.until;
	st.now_us = appr_now_us();
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	if (st.format == EXPORT_JSONL) {
		/* As list does: a refusal leaves the decisions out. */
		ctl->quiet = 1;
		rc = appr_book_read(ctl, 0, &st.book);
		ctl->quiet = 0;
		if (rc != CTL_OK && rc != CTL_REFUSED) {
			appr_book_free(&st.book);
			return rc;
		}
	}
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
	appr_book_free(&st.book);
	return rc;
}

/* ---- export --tiles ------------------------------------------------------ */

struct tiles_state {
	struct ctl		*ctl;
	struct tiledir		 td;
	FILE			*spool;		/* entries as listed, bundle-encoded */
	struct merkle_stream	 ms;		/* root of the entries listed */
	uint64_t		 next;		/* the seq the next entry must have */
	int			 have_old;	/* DIR held a checkpoint */
	uint64_t		 old_size;
	uint8_t			 root_at_old[MERKLE_HASH_LEN];
	struct progress		 prog;
	json_t			*obj;		/* the result so far */
	uint64_t		 tiles_written, bundles_written, unchanged;
};

static int
tiles_fail(struct tiles_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A check failed: "ledgerctl: verification failed: REASON" on stderr and,
 * with --json, the result so far with "verified":false and the reason, as
 * the audit commands print it.  Returns CTL_VERIFY.
 */
static int
tiles_fail(struct tiles_state *st, const char *fmt, ...)
{
	struct ctl	*ctl = st->ctl;
	json_t		*obj = st->obj != NULL ? st->obj : json_object();
	char		 why[768];
	va_list		 ap;

	st->obj = NULL;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	progress_clear(&st->prog);
	fprintf(ctl->err, "ledgerctl: verification failed: %s\n", why);
	if (ctl->json && obj != NULL) {
		json_object_set_new(obj, "verified", json_false());
		json_object_set_new(obj, "reason", json_string(why));
		out_json_line(ctl->out, obj);
	} else
		json_decref(obj);
	return CTL_VERIFY;
}

/* DIR could not be written: not a verdict on the ledger.  CTL_CONN. */
static int
tiles_local_fail(struct tiles_state *st, const char *why)
{
	progress_clear(&st->prog);
	fprintf(st->ctl->err, "ledgerctl: export --tiles: %s\n", why);
	return CTL_CONN;
}

/* LIST callback: check an entry, hash it into the root, spool it. */
static int
tiles_one(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct tiles_state	*st = arg;
	struct ld_entry		 e;
	uint8_t			 hdr[2], leaf[MERKLE_HASH_LEN];

	(void)ctl;
	if (entry_decode(&e, enc, len) == -1 || len > TILES_ENTRY_MAX)
		return tiles_fail(st, "the entry listed as seq %" PRIu64 " is "
		    "not a valid encoding", st->next);
	if (e.seq != st->next)
		return tiles_fail(st, "the listing has entry %" PRIu64 " where %"
		    PRIu64 " was due", e.seq, st->next);
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)(len & 0xff);
	if (fwrite(hdr, 1, 2, st->spool) != 2 ||
	    fwrite(enc, 1, len, st->spool) != len)
		return tiles_local_fail(st, "cannot write the scratch file in "
		    "the directory");
	entry_leaf_hash(enc, len, leaf);
	merkle_stream_push(&st->ms, leaf);
	st->next++;
	if (st->have_old && st->ms.size == st->old_size)
		merkle_stream_root(&st->ms, st->root_at_old);
	progress_update(&st->prog, st->ms.size);
	return CTL_OK;
}

/* Put one immutable file; counts it; a conflict is a verification failure. */
static int
tiles_put(struct tiles_state *st, const char *rel, const uint8_t *data,
    size_t len, uint64_t *written)
{
	switch (tiledir_put(&st->td, rel, data, len)) {
	case TILEDIR_WRITTEN:
		(*written)++;
		return 0;
	case TILEDIR_SAME:
		st->unchanged++;
		return 0;
	case TILEDIR_CONFLICT:
		return tiles_fail(st, "%s: the directory holds another history "
		    "than the signed ledger, or was altered; nothing was "
		    "overwritten and the checkpoint was not changed",
		    st->td.err);
	default:
		return tiles_local_fail(st, st->td.err);
	}
}

/* tiles_emit_fn: a hash tile, to its path. */
static int
tiles_emit(void *ctx, unsigned level, uint64_t index, unsigned width,
    const uint8_t (*hashes)[MERKLE_HASH_LEN])
{
	struct tiles_state	*st = ctx;
	char			 path[TILES_PATH_MAX];

	if (tiles_path((int)level, index, width, path, sizeof(path)) == -1)
		return tiles_local_fail(st, "a tile beyond the layout's range");
	return tiles_put(st, path, (const uint8_t *)hashes,
	    (size_t)width * MERKLE_HASH_LEN, &st->tiles_written);
}

static int
tiles_bundle_flush(struct tiles_state *st, uint64_t index, unsigned width,
    const uint8_t *bundle, size_t len)
{
	char	path[TILES_PATH_MAX];

	if (tiles_path(TILES_ENTRIES, index, width, path, sizeof(path)) == -1)
		return tiles_local_fail(st, "a bundle beyond the layout's range");
	return tiles_put(st, path, bundle, len, &st->bundles_written);
}

/*
 * Second pass, after every check: the tiles and bundles of the size
 * entries in the scratch file, then all of it flushed to disk.  The root
 * is computed again on the way and must still be root: the scratch file
 * is read back, not trusted.
 */
static int
tiles_write(struct tiles_state *st, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN])
{
	struct tiles_builder	*b = malloc(sizeof(*b));
	struct merkle_stream	 ms;
	const size_t		 cap = TILES_WIDTH * (2 + (size_t)LD_ENTRY_ENC_MAX);
	uint8_t			*bundle = malloc(cap), *data = malloc(LD_ENTRY_ENC_MAX);
	uint8_t			 hdr[2], leaf[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	size_t			 blen = 0, n;
	unsigned		 bn = 0;
	uint64_t		 i;
	int			 rc = CTL_OK;

	if (b == NULL || bundle == NULL || data == NULL) {
		rc = tiles_local_fail(st, "out of memory");
		goto out;
	}
	if (fflush(st->spool) == EOF || fseek(st->spool, 0, SEEK_SET) == -1) {
		rc = tiles_local_fail(st, "cannot read back the scratch file");
		goto out;
	}
	tiles_init(b);
	merkle_stream_init(&ms);
	progress_init(&st->prog, st->ctl->err, "tiles", "entries", size, -1);
	for (i = 0; i < size; i++) {
		if (fread(hdr, 1, 2, st->spool) != 2 ||
		    (n = ((size_t)hdr[0] << 8) | hdr[1]) > LD_ENTRY_ENC_MAX ||
		    fread(data, 1, n, st->spool) != n) {
			rc = tiles_local_fail(st, "the scratch file is short");
			goto out;
		}
		entry_leaf_hash(data, n, leaf);
		merkle_stream_push(&ms, leaf);
		if ((rc = tiles_push(b, leaf, tiles_emit, st)) != 0) {
			if (rc == -1)
				rc = tiles_local_fail(st, "hashing failed");
			goto out;
		}
		/* Cannot fail: cap holds 256 of the longest entries. */
		(void)tiles_bundle_put(bundle, cap, &blen, data, n);
		if (++bn == TILES_WIDTH) {
			if ((rc = tiles_bundle_flush(st, i / TILES_WIDTH, bn,
			    bundle, blen)) != 0)
				goto out;
			bn = 0;
			blen = 0;
		}
		progress_update(&st->prog, i + 1);
	}
	if (bn > 0 && (rc = tiles_bundle_flush(st, size / TILES_WIDTH, bn,
	    bundle, blen)) != 0)
		goto out;
	if ((rc = tiles_partial(b, tiles_emit, st)) != 0)
		goto out;
	merkle_stream_root(&ms, got);
	if (memcmp(got, root, MERKLE_HASH_LEN) != 0) {
		rc = tiles_fail(st, "the scratch copy of the entries changed "
		    "while the tiles were written; the checkpoint was not "
		    "changed");
		goto out;
	}
	if (tiledir_sync(&st->td) == -1)
		rc = tiles_local_fail(st, st->td.err);
out:
	progress_clear(&st->prog);
	free(data);
	free(bundle);
	free(b);
	return rc;
}

static json_t *
tiles_hex(const uint8_t *p)
{
	char	hex[2 * MERKLE_HASH_LEN + 1];

	hex_encode(p, MERKLE_HASH_LEN, hex);
	return json_string(hex);
}

static int
tiles_run(struct ctl *ctl, const struct ctl_args *a)
{
	static const char *const other[] = { "format", "bom", "since", "until" };
	const char		*dir = args_get(a, "tiles");
	const char		*vpath = args_get(a, "verifier");
	struct tiles_state	*st = NULL;
	struct ckpt_verifier	 v;
	const struct ckpt_verifier *vp = NULL;
	struct ckpt		 ck, old;
	struct msg_list		 l;
	uint8_t			 root[MERKLE_HASH_LEN];
	char			*note = NULL, *oldnote = NULL, err[512];
	size_t			 i, len = 0, oldlen = 0;
	int			 rc, r, same;

	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (args_get(a, other[i]) != NULL)
			return ctl_usage(ctl, a->cmd, "--tiles exports the whole "
			    "signed ledger: --%s does not apply", other[i]);
	if (dir[0] == '\0')
		return ctl_usage(ctl, a->cmd, "--tiles: the directory name is "
		    "empty");
	if (vpath != NULL) {
		if (ckpt_verifier_load(&v, vpath, err, sizeof(err)) != CKPT_OK)
			return ctl_usage(ctl, a->cmd, "--verifier: %s", err);
		vp = &v;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (note = malloc(CKPT_NOTE_MAX)) == NULL ||
	    (oldnote = malloc(CKPT_NOTE_MAX)) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		rc = CTL_CONN;
		goto out;
	}
	st->ctl = ctl;
	st->td.dfd = -1;
	/* Everything local first: a directory we cannot use is a usage error. */
	if (tiledir_open(&st->td, dir) == -1) {
		rc = ctl_usage(ctl, a->cmd, "--tiles: %s", st->td.err);
		goto out;
	}
	r = tiledir_read(&st->td, "checkpoint", oldnote, CKPT_NOTE_MAX, &oldlen);
	if (r == -1) {
		rc = ctl_usage(ctl, a->cmd, "--tiles: %s", st->td.err);
		goto out;
	}
	if (r == -2) {
		rc = tiles_fail(st, "%s/checkpoint is not a checkpoint: longer "
		    "than %d bytes", dir, CKPT_NOTE_MAX);
		goto out;
	}
	if (r == 0) {
		if ((r = ckpt_open(&old, vp, oldnote, oldlen)) != CKPT_OK) {
			rc = tiles_fail(st, "%s/checkpoint: %s", dir,
			    ckpt_strerror(r));
			goto out;
		}
		st->have_old = 1;
		st->old_size = old.size;
	}
	if ((st->spool = tiledir_spool(&st->td)) == NULL) {
		rc = ctl_usage(ctl, a->cmd, "--tiles: %s", st->td.err);
		goto out;
	}

	if ((rc = ctl_connect(ctl)) != CTL_OK ||
	    (rc = ctl_checkpoint(ctl, note, &len, NULL)) != CTL_OK)
		goto out;
	if ((r = ckpt_open(&ck, vp, note, len)) != CKPT_OK) {
		rc = tiles_fail(st, "the server's checkpoint: %s",
		    ckpt_strerror(r));
		goto out;
	}
	st->obj = json_object();
	json_object_set_new(st->obj, "dir", json_string(dir));
	json_object_set_new(st->obj, "origin", json_string(ck.origin));
	json_object_set_new(st->obj, "size", json_integer((json_int_t)ck.size));
	json_object_set_new(st->obj, "root", tiles_hex(ck.root));
	json_object_set_new(st->obj, "signature", json_string(vp != NULL ?
	    "verified" : "not checked"));
	if (st->have_old) {
		json_object_set_new(st->obj, "previous_size",
		    json_integer((json_int_t)old.size));
		if (strcmp(old.origin, ck.origin) != 0) {
			rc = tiles_fail(st, "%s/checkpoint is of the log '%s', the "
			    "server's of '%s'", dir, old.origin, ck.origin);
			goto out;
		}
		if (ck.size < old.size) {
			rc = tiles_fail(st, "rollback: the signed tree has %" PRIu64
			    " entries, fewer than the %" PRIu64 " of %s/checkpoint",
			    ck.size, old.size, dir);
			goto out;
		}
	}

	/* Entries 1..size of the checkpoint, not of the tree, which may grow. */
	merkle_stream_init(&st->ms);
	if (st->have_old && st->old_size == 0)
		merkle_stream_root(&st->ms, st->root_at_old);
	st->next = 1;
	progress_init(&st->prog, ctl->err, "export", "entries", ck.size, -1);
	if (ck.size > 0) {
		memset(&l, 0, sizeof(l));
		l.since = 1;
		l.until = ck.size;
		if ((rc = ctl_list(ctl, &l, tiles_one, st)) != CTL_OK)
			goto out;
	}
	progress_clear(&st->prog);
	ctl_disconnect(ctl);
	if (st->ms.size != ck.size) {
		rc = tiles_fail(st, "the server listed %" PRIu64 " entries; its "
		    "signed checkpoint has %" PRIu64, st->ms.size, ck.size);
		goto out;
	}
	merkle_stream_root(&st->ms, root);
	if (memcmp(root, ck.root, MERKLE_HASH_LEN) != 0) {
		char	h1[65], h2[65];

		hex_encode(root, MERKLE_HASH_LEN, h1);
		hex_encode(ck.root, MERKLE_HASH_LEN, h2);
		rc = tiles_fail(st, "root mismatch: entries 1..%" PRIu64 " as "
		    "listed hash to root %s, the checkpoint says %s (an entry "
		    "was altered)", ck.size, h1, h2);
		goto out;
	}
	if (st->have_old && memcmp(st->root_at_old, old.root,
	    MERKLE_HASH_LEN) != 0) {
		rc = tiles_fail(st, "fork or rewrite detected: the signed tree "
		    "of size %" PRIu64 " does not extend the one of size %"
		    PRIu64 " in %s/checkpoint", ck.size, old.size, dir);
		goto out;
	}

	/* Verified: now, and only now, write. */
	if ((rc = tiles_write(st, ck.size, ck.root)) != CTL_OK)
		goto out;
	same = st->have_old && oldlen == len && memcmp(oldnote, note, len) == 0;
	if (!same && tiledir_replace(&st->td, "checkpoint", (const uint8_t *)note,
	    len) == -1) {
		rc = tiles_local_fail(st, st->td.err);
		goto out;
	}
	json_object_set_new(st->obj, "tiles_written",
	    json_integer((json_int_t)st->tiles_written));
	json_object_set_new(st->obj, "bundles_written",
	    json_integer((json_int_t)st->bundles_written));
	json_object_set_new(st->obj, "unchanged",
	    json_integer((json_int_t)st->unchanged));
	json_object_set_new(st->obj, "checkpoint", json_string(same ?
	    "unchanged" : "written"));
	json_object_set_new(st->obj, "verified", json_true());
	if (ctl->json)
		r = out_json_line(ctl->out, st->obj);
	else
		r = out_kv(ctl->out, st->obj);
	st->obj = NULL;
	rc = r == 0 ? CTL_OK : CTL_CONN;
	if (rc == CTL_OK && vp == NULL && !ctl->json)
		fprintf(ctl->out, "note: the checkpoint's signature was not "
		    "checked (give --verifier FILE)\n");
out:
	if (st != NULL) {
		progress_clear(&st->prog);
		json_decref(st->obj);
		if (st->spool != NULL)
			fclose(st->spool);
		tiledir_close(&st->td);
	}
	free(st);
	free(note);
	free(oldnote);
	return rc;
}
