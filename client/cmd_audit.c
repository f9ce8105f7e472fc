/*
 * cmd_audit.c - the auditor's commands: checkpoint, prove, consistency,
 * verify and verify-export.  Every role may run them; they write nothing to
 * the ledger.
 *
 * What they are for: an auditor who holds the daemon's verifier key (from
 * `ledgerd --print-verifier`) can convince herself, without trusting the
 * server, that an entry is in the signed ledger (prove), that today's
 * ledger extends the one she saw before (consistency, verify --state), that
 * the entries the server lists are the ones its tree commits to (verify
 * --full), and that an export file is a faithful copy of the signed ledger
 * (verify-export, offline).  Everything is checked here, in the client,
 * with proto/merkle.c's RFC 9162 verifiers and proto/checkpoint.c's note
 * verifier; the daemon only supplies bytes.
 *
 * The rule that makes these checks mean something: a root counts only when
 * it comes from a checkpoint whose signature verified under the verifier,
 * or from a proof tied to such a checkpoint.  Without --verifier, prove and
 * consistency still check the proof against the server's own checkpoint,
 * and say that its signature was not checked.
 *
 * Exit status: 0 verified; 4 any verification failure, with
 * "ledgerctl: verification failed: REASON" on stderr (and, with --json,
 * the result object with "verified":false and "reason"); otherwise as
 * every command (1 refused, 2 usage, 3 connection).
 *
 * The --state file of `verify` holds the last signed note verified, byte for
 * byte as `checkpoint` prints it.  It is replaced atomically (temporary
 * file in the same directory, fsync, rename, fsync of the directory) and
 * only after every check of the run passed, so a failed run can never make
 * a fork look like the trusted past.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "approvals.h"
#include "checkpoint.h"
#include "cosign.h"
#include "ctl.h"
#include "entry.h"
#include "filesave.h"
#include "errors.h"
#include "export.h"
#include "merkle.h"
#include "msg.h"
#include "msg_audit.h"
#include "output.h"
#include "session.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE
#define R	(OPT_VALUE | OPT_REQUIRED)

/* Longest JSONL line verify-export reads; a valid export line is < 40 KiB. */
#define VX_LINE_MAX	65536

static const struct ctl_opt no_opts[] = { { NULL, 0 } };
static const struct ctl_opt prove_opts[] = {
	{ "size", V }, { "verifier", V }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt consistency_opts[] = {
	{ "verifier", V }, { NULL, 0 }
};
static const struct ctl_opt verify_opts[] = {
	{ "verifier", R }, { "state", V }, { "full", 0 }, { "cosign", V },
	{ "name", V }, { "witness", V | OPT_MULTI }, { "quorum", V },
	{ NULL, 0 }
};
/* --key is the global option: here it names the witness's private key. */
static const struct ctl_opt cosigner_key_opts[] = {
	{ "name", R }, { NULL, 0 }
};
static const struct ctl_opt vx_opts[] = {
	{ "checkpoint", R }, { "verifier", R }, { NULL, 0 }
};

static int	checkpoint_run(struct ctl *, const struct ctl_args *);
static int	prove_run(struct ctl *, const struct ctl_args *);
static int	consistency_run(struct ctl *, const struct ctl_args *);
static int	verify_run(struct ctl *, const struct ctl_args *);
static int	vx_run(struct ctl *, const struct ctl_args *);
static int	cosigner_key_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_audit_cmds[] = {
	{ "checkpoint", NULL, { NULL }, 0, 0, no_opts, "checkpoint",
	    checkpoint_run, 0 },
	{ "prove", NULL, { "SEQ" }, 0, 1, prove_opts,
	    "prove SEQ|--id KEY [--size N] [--verifier FILE]", prove_run, 0 },
	{ "consistency", NULL, { "OLD_SIZE", "NEW_SIZE" }, 1, 2,
	    consistency_opts, "consistency OLD_SIZE [NEW_SIZE] [--verifier FILE]",
	    consistency_run, 0 },
	{ "verify", NULL, { NULL }, 0, 0, verify_opts,
	    "verify --verifier FILE [--state FILE] [--full] "
	    "[--cosign KEY --name NAME] [--witness FILE... --quorum K]",
	    verify_run, 0 },
	{ "cosigner-key", NULL, { NULL }, 0, 0, cosigner_key_opts,
	    "cosigner-key --key KEY --name NAME", cosigner_key_run, 0 },
	{ "verify-export", NULL, { "FILE.jsonl" }, 1, 1, vx_opts,
	    "verify-export FILE.jsonl --checkpoint FILE --verifier FILE",
	    vx_run, 0 },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

typedef const uint8_t	(*const_path)[MERKLE_HASH_LEN];

/* ---- output ------------------------------------------------------------ */

static json_t *
hex_json(const uint8_t *p, size_t n)
{
	char	 hex[2 * MERKLE_HASH_LEN + 1];

	if (n > MERKLE_HASH_LEN)
		return NULL;
	hex_encode(p, n, hex);
	return json_string(hex);
}

static json_t *
path_json(const uint8_t path[][MERKLE_HASH_LEN], size_t n)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(arr, hex_json(path[i],
		    MERKLE_HASH_LEN)) == -1) {
			json_decref(arr);
			arr = NULL;
		}
	return arr;
}

/* Set key in obj; a NULL obj or value is tolerated (checked when printing). */
static void
set(json_t *obj, const char *key, json_t *v)
{
	if (obj != NULL)
		json_object_set_new(obj, key, v);
	else
		json_decref(v);
}

/*
 * Print a result object and drop it: JSON, or "key: value" lines for
 * people, a path as one indented hash per line.
 */
static int
result_print(struct ctl *ctl, json_t *obj)
{
	const char	*key;
	json_t		*v, *h;
	size_t		 i;

	if (obj == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	if (ctl->json)
		return out_json_line(ctl->out, obj) == 0 ? CTL_OK : CTL_CONN;
	json_object_foreach(obj, key, v) {
		switch (json_typeof(v)) {
		case JSON_STRING:
			fprintf(ctl->out, "%s: %s\n", key, json_string_value(v));
			break;
		case JSON_INTEGER:
			fprintf(ctl->out, "%s: %" JSON_INTEGER_FORMAT "\n", key,
			    json_integer_value(v));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			fprintf(ctl->out, "%s: %s\n", key, json_is_true(v) ?
			    "yes" : "no");
			break;
		case JSON_ARRAY:
			fprintf(ctl->out, "%s: %zu hash%s\n", key,
			    json_array_size(v), json_array_size(v) == 1 ? "" :
			    "es");
			json_array_foreach(v, i, h)
				fprintf(ctl->out, "  %s\n", json_string_value(h));
			break;
		default:
			break;
		}
	}
	json_decref(obj);
	return ferror(ctl->out) ? CTL_CONN : CTL_OK;
}

/*
 * A verification failed: the reason on stderr and, with --json, obj (or a
 * new object) with "verified":false and the reason on stdout.  Consumes
 * obj.  Returns CTL_VERIFY.
 */
static int
audit_fail(struct ctl *ctl, json_t *obj, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
audit_fail(struct ctl *ctl, json_t *obj, const char *fmt, ...)
{
	char	 why[768];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fprintf(ctl->err, "ledgerctl: verification failed: %s\n", why);
	if (ctl->json) {
		if (obj == NULL)
			obj = json_object();
		set(obj, "verified", json_false());
		set(obj, "reason", json_string(why));
		out_json_line(ctl->out, obj);
	} else
		json_decref(obj);
	return CTL_VERIFY;
}

/* ---- local files ------------------------------------------------------- */

/*
 * Read a whole small file into buf (cap bytes).  Returns 0, -1 with errno
 * when it cannot be read, -2 when it is longer than cap.
 */
static int
file_read(const char *path, char *buf, size_t cap, size_t *len)
{
	ssize_t	 r;
	size_t	 n = 0;
	int	 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (n == cap) {
			/* One byte more tells "exactly cap" from "longer". */
			char	 c;

			r = read(fd, &c, 1);
			if (r == -1 && errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return r == 0 ? (*len = n, 0) : r > 0 ? -2 : -1;
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	saved = errno;
	close(fd);
	if (r == -1) {
		errno = saved;
		return -1;
	}
	*len = n;
	return 0;
}

/*
 * Replace the state file atomically (filesave.h): afterwards it holds
 * either the old checkpoint or the new, whatever crashes when.
 */
static int
state_save(const char *path, const char *buf, size_t len, char *err,
    size_t errlen)
{
	return file_replace(path, buf, len, 0644, err, errlen);
}

/*
 * Whether the state file's directory takes a new file, so that a run that
 * could never save its result fails before it connects.  0 or -1 with why.
 */
static int
state_dir_ok(const char *path, char *err, size_t errlen)
{
	char	*dcopy;
	int	 rc = 0;

	if ((dcopy = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (access(dirname(dcopy), W_OK | X_OK) == -1) {
		snprintf(err, errlen, "cannot write in the directory of %s: %s",
		    path, strerror(errno));
		rc = -1;
	}
	free(dcopy);
	return rc;
}

/*
 * The verifier of --verifier, when given: *vp points at v, else NULL.
 * A missing or malformed key file is a usage error: nothing was checked.
 */
static int
verifier_arg(struct ctl *ctl, const struct ctl_args *a, struct ckpt_verifier *v,
    const struct ckpt_verifier **vp)
{
	const char	*path = args_get(a, "verifier");
	char		 err[512];

	*vp = NULL;
	if (path == NULL)
		return CTL_OK;
	if (ckpt_verifier_load(v, path, err, sizeof(err)) != CKPT_OK)
		return ctl_usage(ctl, a->cmd, "--verifier: %s", err);
	*vp = v;
	return CTL_OK;
}

/* ---- checkpoint ---------------------------------------------------------- */

static int
checkpoint_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ckpt	 ck;
	json_t		*obj, *cosigned = NULL;
	char		*note;
	size_t		 len;
	int		 rc;

	(void)a;
	if ((note = malloc(CKPT_NOTE_MAX)) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	if ((rc = ctl_connect(ctl)) != CTL_OK ||
	    (rc = ctl_checkpoint(ctl, note, &len, &cosigned)) != CTL_OK)
		goto out;
	/* Not authenticated (no verifier here): only its form is checked. */
	if ((rc = ckpt_open(&ck, NULL, note, len)) != CKPT_OK) {
		rc = audit_fail(ctl, NULL, "the server's checkpoint: %s",
		    ckpt_strerror(rc));
		goto out;
	}
	if (!ctl->json) {
		fwrite(note, 1, len, ctl->out);
		rc = ferror(ctl->out) ? CTL_CONN : CTL_OK;
		goto out;
	}
	obj = json_object();
	set(obj, "origin", json_string(ck.origin));
	set(obj, "size", json_integer((json_int_t)ck.size));
	set(obj, "root", hex_json(ck.root, sizeof(ck.root)));
	set(obj, "note", json_stringn(note, len));
	set(obj, "cosigned", cosigned);
	cosigned = NULL;
	rc = result_print(ctl, obj);
out:
	json_decref(cosigned);
	free(note);
	return rc;
}

/* ---- prove and consistency ----------------------------------------------- */

/*
 * Check a PROOF the way PROTOCOL.md's client steps say: (1) open its note,
 * with the verifier when there is one; (2) the path for (a, b, first,
 * root); (3) the link from (b, root) to the note's tree.  For an inclusion
 * proof, leaf is the hash the client computed from the entry itself, and
 * must be the leaf proven.  want_b 0: any size (the current tree).
 */
static int
proof_check(struct ctl *ctl, const struct msg_proof *p,
    const struct ckpt_verifier *vp, const uint8_t *leaf, uint8_t kind,
    uint64_t want_a, uint64_t want_b)
{
	struct ckpt	 ck;
	json_t		*obj = json_object();
	char		 h1[65], h2[65];
	int		 rc;

	if (kind == MSG_PROOF_INCLUSION) {
		set(obj, "seq", json_integer((json_int_t)p->a));
		set(obj, "size", json_integer((json_int_t)p->b));
		set(obj, "leaf_hash", hex_json(p->first, MERKLE_HASH_LEN));
		set(obj, "root", hex_json(p->root, MERKLE_HASH_LEN));
	} else {
		set(obj, "old_size", json_integer((json_int_t)p->a));
		set(obj, "new_size", json_integer((json_int_t)p->b));
		set(obj, "old_root", hex_json(p->first, MERKLE_HASH_LEN));
		set(obj, "new_root", hex_json(p->root, MERKLE_HASH_LEN));
	}
	set(obj, "path", path_json((const_path)p->path, p->npath));

	if (p->kind != kind || p->a != want_a || (want_b != 0 && p->b != want_b))
		return audit_fail(ctl, obj, "the daemon answered a proof of "
		    "(%" PRIu64 ", %" PRIu64 "), not of the one asked for",
		    p->a, p->b);
	if ((rc = ckpt_open(&ck, vp, p->note, p->note_len)) != CKPT_OK)
		return audit_fail(ctl, obj, "the checkpoint sent with the "
		    "proof: %s", ckpt_strerror(rc));
	set(obj, "origin", json_string(ck.origin));
	set(obj, "checkpoint_size", json_integer((json_int_t)ck.size));
	set(obj, "checkpoint_root", hex_json(ck.root, sizeof(ck.root)));
	set(obj, "signature_checked", json_boolean(vp != NULL));

	if (leaf != NULL && memcmp(leaf, p->first, MERKLE_HASH_LEN) != 0) {
		hex_encode(leaf, MERKLE_HASH_LEN, h1);
		hex_encode(p->first, MERKLE_HASH_LEN, h2);
		return audit_fail(ctl, obj, "entry %" PRIu64 " hashes to %s, "
		    "but the proof is for the leaf %s", p->a, h1, h2);
	}
	switch (msg_proof_verify(p, &ck)) {
	case MSG_PROOF_OK:
		break;
	case MSG_PROOF_E_PROOF:
		hex_encode(p->root, MERKLE_HASH_LEN, h1);
		if (kind == MSG_PROOF_INCLUSION)
			return audit_fail(ctl, obj, "the inclusion proof of seq %"
			    PRIu64 " does not lead to the root %s of size %" PRIu64,
			    p->a, h1, p->b);
		return audit_fail(ctl, obj, "the consistency proof from size %"
		    PRIu64 " to size %" PRIu64 " (root %s) does not hold",
		    p->a, p->b, h1);
	default:
		return audit_fail(ctl, obj, "the tree of size %" PRIu64 " is not "
		    "a prefix of the %s checkpoint of size %" PRIu64, p->b,
		    vp != NULL ? "signed" : "server's", ck.size);
	}
	set(obj, "verified", json_true());
	rc = result_print(ctl, obj);
	if (rc == CTL_OK && vp == NULL && !ctl->json)
		fprintf(ctl->out, "note: checked against the server's checkpoint; "
		    "its signature was not checked (give --verifier FILE)\n");
	return rc;
}

/* Send a PROVE or CONSISTENCY request and decode the PROOF into *p. */
static int
proof_fetch(struct ctl *ctl, uint8_t type, uint64_t a, uint64_t b,
    struct msg_proof *p)
{
	struct ctlconn_frame	 f;
	struct wbuf		 w;
	int			 rc;

	wbuf_init(&w);
	if (type == MSG_PROVE)
		rc = msg_encode_prove(&w, a, b);
	else
		rc = msg_encode_consistency(&w, a, b);
	if (rc == 0)
		rc = ctl_call(ctl, type, &w, MSG_PROOF, NULL, &f);
	else
		rc = ctl_usage(ctl, NULL, "request cannot be encoded");
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	if (msg_decode_proof(f.payload, f.len, p) == -1)
		return ctl_conn_fail(ctl, "malformed PROOF answer");
	return CTL_OK;
}

/* ctl_find() callback of prove --id: the seq of the entry found. */
static int
found_seq(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	uint64_t *seq = arg;
	struct ld_entry e;

	if (entry_decode(&e, enc, len) == -1)
		return ctl_conn_fail(ctl, "malformed entry in the answer");
	*seq = e.seq;
	return CTL_OK;
}

static int
prove_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ckpt_verifier		 v;
	const struct ckpt_verifier	*vp;
	struct msg_proof		*p = NULL;
	struct ld_entry			 e;
	const uint8_t			*enc;
	const char			*s;
	uint8_t				 leaf[MERKLE_HASH_LEN];
	const char			*key;
	uint64_t			 seq, size = 0;
	size_t				 enclen;
	char				 err[256];
	int				 rc, by;

	if (cmd_build_lookup(a, &by, &seq, &key, err, sizeof(err)) == -1 ||
	    ((s = args_get(a, "size")) != NULL &&
	    arg_seq("--size", s, &size, err, sizeof(err)) == -1))
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (size != 0 && seq > size)
		return ctl_usage(ctl, a->cmd, "SEQ %" PRIu64 " is not in a tree "
		    "of --size %" PRIu64, seq, size);
	if ((rc = verifier_arg(ctl, a, &v, &vp)) != CTL_OK)
		return rc;
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	/* --id: the entry's seq first, then the proof as for SEQ. */
	if (by == MSG_FIND_ID) {
		if ((rc = ctl_find(ctl, by, key, found_seq, &seq)) != CTL_OK)
			return rc;
		if (seq == 0) {
			snprintf(err, sizeof(err), "no entry with id \"%s\"",
			    key);
			return ctl_refusal(ctl, LD_E_NOT_FOUND, err);
		}
		if (size != 0 && seq > size)
			return ctl_usage(ctl, a->cmd, "the entry with id %s is "
			    "seq %" PRIu64 ", not in a tree of --size %" PRIu64,
			    key, seq, size);
	}

	/*
	 * The entry first: its leaf hash is computed here, from its bytes.
	 * The PROOF's note is borrowed from the connection's buffer, which
	 * the next answer would overwrite, so the proof comes last.
	 */
	if ((rc = ctl_get(ctl, seq, &e, &enc, &enclen)) != CTL_OK)
		return rc;
	entry_leaf_hash(enc, enclen, leaf);

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	if ((rc = proof_fetch(ctl, MSG_PROVE, seq, size, p)) == CTL_OK)
		rc = proof_check(ctl, p, vp, leaf, MSG_PROOF_INCLUSION, seq, size);
	free(p);
	return rc;
}

static int
consistency_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ckpt_verifier		 v;
	const struct ckpt_verifier	*vp;
	struct msg_proof		*p;
	uint64_t			 old_size, new_size = 0;
	char				 err[256], why[160] = "";
	int				 rc;

	if (parse_u64(a->pos[0], &old_size, why, sizeof(why)) == -1)
		return ctl_usage(ctl, a->cmd, "OLD_SIZE: %s", why[0] != '\0' ?
		    why : "not a number");
	if (a->npos > 1 && arg_seq("NEW_SIZE", a->pos[1], &new_size, err,
	    sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (new_size != 0 && old_size > new_size)
		return ctl_usage(ctl, a->cmd, "OLD_SIZE %" PRIu64 " is larger "
		    "than NEW_SIZE %" PRIu64, old_size, new_size);
	if ((rc = verifier_arg(ctl, a, &v, &vp)) != CTL_OK)
		return rc;
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	if ((rc = proof_fetch(ctl, MSG_CONSISTENCY, old_size, new_size, p)) ==
	    CTL_OK)
		rc = proof_check(ctl, p, vp, NULL, MSG_PROOF_CONSISTENCY,
		    old_size, new_size);
	free(p);
	return rc;
}

/* ---- verify -------------------------------------------------------------- */

struct full_state {
	struct merkle_stream	 ms;
	uint64_t		 next;	/* seq due next */
	json_t			*obj;	/* the result so far, for a failure */
	uint8_t			(*leaves)[MERKLE_HASH_LEN];	/* to find a bad seq */
	size_t			 cap;
};

static int
full_one(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct full_state	*st = arg;
	struct ld_entry		 e;
	uint8_t			 leaf[MERKLE_HASH_LEN];

	if (entry_decode(&e, enc, len) == -1)
		return audit_fail(ctl, json_incref(st->obj), "the entry listed "
		    "as seq %" PRIu64 " is not a valid encoding", st->next);
	if (e.seq != st->next)
		return audit_fail(ctl, json_incref(st->obj), "the listing has "
		    "entry %" PRIu64 " where %" PRIu64 " was due", e.seq,
		    st->next);
	entry_leaf_hash(enc, len, leaf);
	merkle_stream_push(&st->ms, leaf);
	/* Kept (32 bytes an entry) in case the root disagrees. */
	if (st->leaves != NULL && st->next > st->cap) {
		void *p = realloc(st->leaves, 2 * st->cap * MERKLE_HASH_LEN);

		if (p == NULL) {
			free(st->leaves);
			st->leaves = NULL;	/* the root is still checked */
		} else {
			st->leaves = p;
			st->cap *= 2;
		}
	}
	if (st->leaves != NULL)
		memcpy(st->leaves[st->next - 1], leaf, MERKLE_HASH_LEN);
	st->next++;
	return CTL_OK;
}

/*
 * The root of the first m of the n leaves listed disagrees somewhere with
 * the signed checkpoint: find the first seq that does, by bisection over
 * the prefix sizes m, each tested with the daemon's consistency proof from
 * m to the signed size (verified against the signed root, so the daemon
 * cannot lie about it).  A prefix whose root is consistent holds no bad
 * entry.  0 when it cannot be found (a proof could not be fetched).
 */
static uint64_t
first_bad_seq(struct ctl *ctl, const struct full_state *st,
    const struct ckpt *ck)
{
	struct merkle_stream ms;
	struct msg_proof *p;
	uint8_t root[MERKLE_HASH_LEN];
	uint64_t lo = 1, hi = ck->size, m, i;	/* the answer lies in [lo, hi] */
	int good;

	if (st->leaves == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		return 0;
	ctl->quiet = 1;
	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		merkle_stream_init(&ms);
		for (i = 0; i < m; i++)
			merkle_stream_push(&ms, st->leaves[i]);
		merkle_stream_root(&ms, root);
		if (proof_fetch(ctl, MSG_CONSISTENCY, m, ck->size, p) != CTL_OK) {
			hi = 0;
			break;
		}
		good = p->kind == MSG_PROOF_CONSISTENCY && p->a == m &&
		    p->b == ck->size && merkle_verify_consistency(m, ck->size,
		    root, ck->root, (const_path)p->path, p->npath) == 0;
		if (good)
			lo = m + 1;
		else
			hi = m;
	}
	ctl->quiet = 0;
	free(p);
	return hi;
}

/*
 * verify --full: list entries 1..size (the checkpoint's size, not the
 * tree's: the daemon may have appended since) and recompute the root.
 */
static int
verify_full(struct ctl *ctl, const struct ckpt *ck, json_t *obj)
{
	struct full_state	 st;
	struct msg_list		 l;
	uint8_t			 root[MERKLE_HASH_LEN];
	char			 h1[65], h2[65];
	int			 rc;

	uint64_t		 bad;

	merkle_stream_init(&st.ms);
	st.next = 1;
	st.obj = obj;
	st.cap = 1024;
	st.leaves = malloc(st.cap * MERKLE_HASH_LEN);
	/* until 0 would mean "no bound": an empty tree lists nothing. */
	if (ck->size > 0) {
		memset(&l, 0, sizeof(l));
		l.since = 1;
		l.until = ck->size;
		/* DAMAGED is this command's verdict, not a refusal to print. */
		ctl->quiet = 1;
		rc = ctl_list(ctl, &l, full_one, &st);
		ctl->quiet = 0;
		if (rc == CTL_REFUSED && ctl->refusal == LD_E_DAMAGED) {
			free(st.leaves);
			return audit_fail(ctl, json_incref(obj), "seq %" PRId64
			    " is damaged: the daemon's stored entry does not "
			    "match its leaf hash (%s)", ctl->refusal_seq,
			    ctl->refusal_msg);
		}
		if (rc == CTL_REFUSED)
			ctl_refusal(ctl, ctl->refusal, ctl->refusal_msg);
		if (rc != CTL_OK) {
			free(st.leaves);
			return rc;
		}
	}
	if (st.ms.size != ck->size) {
		free(st.leaves);
		return audit_fail(ctl, json_incref(obj), "the server listed %"
		    PRIu64 " entries; its signed checkpoint has %" PRIu64,
		    st.ms.size, ck->size);
	}
	merkle_stream_root(&st.ms, root);
	if (memcmp(root, ck->root, MERKLE_HASH_LEN) != 0) {
		hex_encode(root, MERKLE_HASH_LEN, h1);
		hex_encode(ck->root, MERKLE_HASH_LEN, h2);
		bad = first_bad_seq(ctl, &st, ck);
		free(st.leaves);
		if (bad != 0)
			return audit_fail(ctl, json_incref(obj), "seq %" PRIu64
			    " was altered: entries 1..%" PRIu64 " as listed hash "
			    "to root %s, the signed checkpoint says %s, and the "
			    "first entry whose prefix is not consistent with it "
			    "is seq %" PRIu64, bad, ck->size, h1, h2, bad);
		return audit_fail(ctl, json_incref(obj), "root mismatch: "
		    "entries 1..%" PRIu64 " as listed hash to root %s, the signed "
		    "checkpoint says %s (an entry was altered)", ck->size, h1, h2);
	}
	free(st.leaves);
	return CTL_OK;
}

/* --state: prove the new checkpoint an extension of the saved one. */
static int
verify_state(struct ctl *ctl, const char *path, const struct ckpt *old,
    const struct ckpt *ck, json_t *obj)
{
	struct msg_proof	*p;
	char			 h1[65], h2[65];
	int			 rc;

	if (ck->size < old->size)
		return audit_fail(ctl, json_incref(obj), "fork or rewrite "
		    "detected: the signed tree has %" PRIu64 " entries, fewer "
		    "than the %" PRIu64 " of the checkpoint saved in %s",
		    ck->size, old->size, path);
	if (ck->size == old->size) {
		if (memcmp(ck->root, old->root, MERKLE_HASH_LEN) == 0)
			return CTL_OK;
		hex_encode(ck->root, MERKLE_HASH_LEN, h1);
		hex_encode(old->root, MERKLE_HASH_LEN, h2);
		return audit_fail(ctl, json_incref(obj), "fork or rewrite "
		    "detected: the signed tree of size %" PRIu64 " has root %s, "
		    "the one saved in %s has %s", ck->size, h1, path, h2);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	rc = proof_fetch(ctl, MSG_CONSISTENCY, old->size, ck->size, p);
	/* Only the two signed roots count, never the ones the server sent. */
	if (rc == CTL_OK && (p->kind != MSG_PROOF_CONSISTENCY ||
	    p->a != old->size || p->b != ck->size ||
	    merkle_verify_consistency(old->size, ck->size, old->root, ck->root,
	    (const_path)p->path, p->npath) != 0))
		rc = audit_fail(ctl, json_incref(obj), "fork or rewrite detected: "
		    "the signed tree of size %" PRIu64 " does not extend the one "
		    "of size %" PRIu64 " saved in %s", ck->size, old->size, path);
	free(p);
	return rc;
}

/* ---- witnesses: quorum and cosigning (contract 2.5, 2.8) ---------------- */

/*
 * Whether the tree of checkpoint a is a prefix of b's or the other way
 * round, by the two signed roots and a CONSISTENCY proof the server gives:
 * CTL_OK with *ok 1 or 0; a failed request is its code.
 */
static int
trees_consistent(struct ctl *ctl, const struct ckpt *a, const struct ckpt *b,
    int *ok)
{
	const struct ckpt	*lo = a->size <= b->size ? a : b;
	const struct ckpt	*hi = a->size <= b->size ? b : a;
	struct msg_proof	*p;
	int			 rc;

	*ok = 0;
	if (lo->size == hi->size) {
		*ok = memcmp(lo->root, hi->root, MERKLE_HASH_LEN) == 0;
		return CTL_OK;
	}
	if (lo->size == 0) {
		*ok = 1;	/* the empty tree is a prefix of every tree */
		return CTL_OK;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	rc = proof_fetch(ctl, MSG_CONSISTENCY, lo->size, hi->size, p);
	/* Only the two signed roots count, never the ones the server sent. */
	if (rc == CTL_OK)
		*ok = p->kind == MSG_PROOF_CONSISTENCY && p->a == lo->size &&
		    p->b == hi->size && merkle_verify_consistency(lo->size,
		    hi->size, lo->root, hi->root, (const_path)p->path,
		    p->npath) == 0;
	free(p);
	return rc;
}

/* The entry of cosigned (ctl_checkpoint()) by witness key w, or NULL. */
static json_t *
cosigned_by(json_t *cosigned, const struct ckpt_verifier *w)
{
	struct ckpt_verifier	 k;
	const char		*s;
	json_t			*o;
	size_t			 i;

	json_array_foreach(cosigned, i, o) {
		s = json_string_value(json_object_get(o, "key"));
		if (s != NULL && cosign_verifier_parse(&k, s, strlen(s)) ==
		    CKPT_OK && memcmp(&k, w, sizeof(k)) == 0)
			return o;
	}
	return NULL;
}

/*
 * --witness ... --quorum K: count the distinct witnesses whose newest
 * cosigned checkpoint (a) is signed by the log (vp), (b) carries their
 * cosignature, which verifies, and (c) is consistent with ck, the
 * checkpoint just verified.  Fewer than K: verification failure.
 */
static int
verify_quorum(struct ctl *ctl, const struct ckpt_verifier *vp,
    const struct ckpt *ck, json_t *cosigned, const struct ckpt_verifier *ws,
    size_t nw, unsigned long k, json_t *obj)
{
	struct ckpt	 cw;
	json_t		*o;
	const char	*note;
	char		 good[1024], bad[1024];
	size_t		 i, j, len, got = 0, distinct = 0, gl = 0, bl = 0;
	int		 rc, ok, dup;
	const char	*why;

	good[0] = bad[0] = '\0';
	for (i = 0; i < nw; i++) {
		for (dup = 0, j = 0; j < i; j++)
			if (memcmp(&ws[j], &ws[i], sizeof(ws[i])) == 0)
				dup = 1;
		if (dup)
			continue;	/* the same key twice counts once */
		distinct++;
		why = NULL;
		o = cosigned_by(cosigned, &ws[i]);
		note = o != NULL ? json_string_value(json_object_get(o,
		    "note")) : NULL;
		len = note != NULL ? json_string_length(json_object_get(o,
		    "note")) : 0;
		if (o == NULL || note == NULL)
			why = "no cosignature";
		else if (ckpt_open(&cw, vp, note, len) != CKPT_OK)
			why = "its checkpoint is not signed by the log";
		else if (cosign_find(&ws[i], note, len, NULL, NULL, NULL) !=
		    CKPT_OK)
			why = "its cosignature does not verify";
		else {
			if ((rc = trees_consistent(ctl, &cw, ck, &ok)) !=
			    CTL_OK)
				return rc;
			if (!ok)
				why = "it cosigned a checkpoint inconsistent "
				    "with this one";
		}
		if (why == NULL) {
			got++;
			gl += (size_t)snprintf(good + gl, sizeof(good) - gl,
			    "%s%s", gl ? ", " : "", ws[i].name);
		} else
			bl += (size_t)snprintf(bad + bl, sizeof(bad) - bl,
			    "%s%s: %s", bl ? "; " : "", ws[i].name, why);
		if (gl >= sizeof(good))
			gl = sizeof(good) - 1;
		if (bl >= sizeof(bad))
			bl = sizeof(bad) - 1;
	}
	if (got < k)
		return audit_fail(ctl, json_incref(obj), "quorum not met: %zu "
		    "of %zu witnesses cosigned a checkpoint consistent with "
		    "this one, %lu required%s%s", got, distinct, k,
		    bl ? " (" : "", bl ? bad : "");
	snprintf(bad, sizeof(bad), "%zu of %zu witnesses cosigned a consistent "
	    "checkpoint (%s), %lu required", got, distinct, good, k);
	set(obj, "quorum", json_string(bad));
	return CTL_OK;
}

/*
 * --cosign KEY --name NAME: cosign ck's body (the note's text, tlen bytes
 * of note) and send it.  The timestamp is now, or one second after this
 * witness's last one when the daemon holds one that is not older (two runs
 * in one second must not make the second stale); a claimed last time far
 * in the future is not followed.
 */
static int
cosign_send(struct ctl *ctl, const struct ckpt_signer *s,
    const struct ckpt_verifier *wkey, const struct ckpt_verifier *vp,
    const char *note, size_t len, json_t *cosigned, json_t *obj)
{
	struct ctlconn_frame	 f;
	struct wbuf		 w;
	json_t			*o;
	const char		*prev;
	char			*buf = NULL, key[CKPT_VERIFIER_MAX];
	char			 line[COSIGN_LINE_MAX], msg[400];
	size_t			 tlen, blen, llen;
	uint64_t		 ts = (uint64_t)time(NULL), last, size, got;
	int			 rc;

	o = cosigned_by(cosigned, wkey);
	prev = o != NULL ? json_string_value(json_object_get(o, "note")) : NULL;
	if (prev != NULL && cosign_find(wkey, prev, strlen(prev), &last, NULL,
	    NULL) == CKPT_OK && last >= ts && last < ts + 3600)
		ts = last + 1;
	if ((buf = malloc(CKPT_NOTE_MAX + COSIGN_LINE_MAX)) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	/* The log's note without anyone's cosignature, then ours. */
	if (ckpt_note_split(note, len, &tlen) != CKPT_OK ||
	    cosign_note_strip(vp, note, len, buf, CKPT_NOTE_MAX, &blen) !=
	    CKPT_OK ||
	    cosign_line(s, wkey, ts, note, tlen, line, sizeof(line), &llen) !=
	    CKPT_OK) {
		free(buf);
		return ctl_conn_fail(ctl, "cannot cosign the checkpoint");
	}
	memcpy(buf + blen, line, llen);
	cosign_verifier_format(wkey, key, sizeof(key));
	wbuf_init(&w);
	if (msg_encode_cosign(&w, key, buf, blen + llen) != 0)
		rc = ctl_usage(ctl, NULL, "request cannot be encoded");
	else
		rc = ctl_call(ctl, MSG_COSIGN, &w, MSG_COSIGN_OK, NULL, &f);
	wbuf_free(&w);
	free(buf);
	if (rc != CTL_OK)
		return rc;
	if (msg_decode_cosign_ok(f.payload, f.len, &size, &got) != 0)
		return ctl_conn_fail(ctl, "malformed COSIGN_OK answer");
	snprintf(msg, sizeof(msg), "sent and kept: %s, size %" PRIu64 ", time %"
	    PRIu64, wkey->name, size, got);
	set(obj, "cosignature", json_string(msg));
	return CTL_OK;
}

/* cosigner-key: the witness verifier key line of --key under --name. */
static int
cosigner_key_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ckpt_signer	*s = NULL;
	struct ckpt_verifier	 w;
	char			 out[CKPT_VERIFIER_MAX], err[512];

	if (a->key == NULL)
		return ctl_usage(ctl, a->cmd, "--key KEY is required (the "
		    "witness's Ed25519 private key in PEM)");
	if (cosign_signer_load(&s, &w, a->key, args_get(a, "name"), err,
	    sizeof(err)) != CKPT_OK)
		return ctl_usage(ctl, a->cmd, "%s", err);
	ckpt_signer_free(s);
	if (cosign_verifier_format(&w, out, sizeof(out)) != CKPT_OK) {
		fprintf(ctl->err, "ledgerctl: cannot format the key\n");
		return CTL_CONN;
	}
	if (ctl->json) {
		json_t	*obj = json_object();

		set(obj, "name", json_string(w.name));
		set(obj, "key", json_string(out));
		return result_print(ctl, obj);
	}
	fprintf(ctl->out, "%s\n", out);
	return ferror(ctl->out) ? CTL_CONN : CTL_OK;
}

static int
verify_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ckpt_verifier		 v;
	const struct ckpt_verifier	*vp;
	struct ckpt			 ck, old;
	const char			*state = args_get(a, "state");
	const char			*cosign = args_get(a, "cosign");
	const char			*cname = args_get(a, "name");
	const char			*quorum = args_get(a, "quorum");
	const char *const		*wpaths;
	int				 full = args_get(a, "full") != NULL;
	int				 nw = args_multi(a, "witness", &wpaths);
	struct ckpt_verifier		 ws[CTL_MULTI_MAX], wkey;
	struct ckpt_signer		*signer = NULL;
	unsigned long			 k = 0;
	char				*end;
	json_t				*obj = NULL, *cosigned = NULL;
	char				*note = NULL, *saved = NULL;
	char				 vstr[CKPT_VERIFIER_MAX], err[512];
	size_t				 len, savedlen = 0;
	int				 rc, have_old = 0, r;

	if ((rc = verifier_arg(ctl, a, &v, &vp)) != CTL_OK)
		return rc;
	if ((cosign == NULL) != (cname == NULL))
		return ctl_usage(ctl, a->cmd, "--cosign KEY and --name NAME go "
		    "together");
	if (nw > 0 && quorum == NULL)
		return ctl_usage(ctl, a->cmd, "--witness needs --quorum K");
	if (quorum != NULL) {
		errno = 0;
		k = strtoul(quorum, &end, 10);
		if (quorum[0] < '1' || quorum[0] > '9' || *end != '\0' ||
		    errno != 0 || k > 1000000)
			return ctl_usage(ctl, a->cmd, "--quorum: %s is not a "
			    "positive whole number", quorum);
	}
	for (r = 0; r < nw; r++)
		if (cosign_verifier_load(&ws[r], wpaths[r], err, sizeof(err)) !=
		    CKPT_OK)
			return ctl_usage(ctl, a->cmd, "--witness: %s", err);
	if (cosign != NULL && cosign_signer_load(&signer, &wkey, cosign, cname,
	    err, sizeof(err)) != CKPT_OK)
		return ctl_usage(ctl, a->cmd, "--cosign: %s", err);
	if ((note = malloc(CKPT_NOTE_MAX)) == NULL ||
	    (saved = malloc(CKPT_NOTE_MAX)) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		rc = CTL_CONN;
		goto out;
	}
	/* Everything local before connecting. */
	if (state != NULL) {
		r = file_read(state, saved, CKPT_NOTE_MAX, &savedlen);
		if (r == -1 && errno != ENOENT) {
			rc = ctl_usage(ctl, a->cmd, "--state: cannot read %s: %s",
			    state, strerror(errno));
			goto out;
		}
		if (r == -2) {
			rc = audit_fail(ctl, NULL, "%s is not a checkpoint: longer "
			    "than %d bytes", state, CKPT_NOTE_MAX);
			goto out;
		}
		if (state_dir_ok(state, err, sizeof(err)) == -1) {
			rc = ctl_usage(ctl, a->cmd, "--state: %s", err);
			goto out;
		}
		if (r == 0) {
			have_old = 1;
			if ((r = ckpt_open(&old, vp, saved, savedlen)) != CKPT_OK) {
				rc = audit_fail(ctl, NULL, "the checkpoint saved in "
				    "%s: %s", state, ckpt_strerror(r));
				goto out;
			}
		}
	}
	if ((rc = ctl_connect(ctl)) != CTL_OK ||
	    (rc = ctl_checkpoint(ctl, note, &len, &cosigned)) != CTL_OK)
		goto out;
	if ((r = ckpt_open(&ck, vp, note, len)) != CKPT_OK) {
		rc = audit_fail(ctl, NULL, "the server's checkpoint: %s",
		    ckpt_strerror(r));
		goto out;
	}
	ckpt_verifier_format(vp, vstr, sizeof(vstr));
	obj = json_object();
	set(obj, "origin", json_string(ck.origin));
	set(obj, "size", json_integer((json_int_t)ck.size));
	set(obj, "root", hex_json(ck.root, sizeof(ck.root)));
	set(obj, "signature", json_string("verified"));
	set(obj, "verifier", json_string(vstr));

	if (have_old) {
		set(obj, "state", json_string(state));
		set(obj, "old_size", json_integer((json_int_t)old.size));
		set(obj, "old_root", hex_json(old.root, sizeof(old.root)));
		if ((rc = verify_state(ctl, state, &old, &ck, obj)) != CTL_OK)
			goto out;
		set(obj, "consistency", json_string(ck.size == old.size ?
		    "same tree as the saved checkpoint" :
		    "extends the saved checkpoint"));
	} else if (state != NULL) {
		set(obj, "state", json_string(state));
		set(obj, "consistency", json_string("no saved checkpoint: "
		    "trusted on first use"));
	}
	if (full) {
		if ((rc = verify_full(ctl, &ck, obj)) != CTL_OK)
			goto out;
		set(obj, "full", json_string("root recomputed from every entry: "
		    "matches"));
	}
	if (quorum != NULL && (rc = verify_quorum(ctl, vp, &ck, cosigned, ws,
	    (size_t)nw, k, obj)) != CTL_OK)
		goto out;
	/* Every check passed: only now may the state move forward. */
	if (state != NULL && state_save(state, note, len, err,
	    sizeof(err)) == -1) {
		/* A local write failure, like a failed write of the output. */
		fprintf(ctl->err, "ledgerctl: cannot save the checkpoint: %s\n",
		    err);
		rc = CTL_CONN;
		goto out;
	}
	if (state != NULL)
		set(obj, "state_saved", json_true());
	/* Verified: only now may this witness vouch for the checkpoint. */
	if (signer != NULL && (rc = cosign_send(ctl, signer, &wkey, vp, note,
	    len, cosigned, obj)) != CTL_OK)
		goto out;
	set(obj, "verified", json_true());
	rc = result_print(ctl, obj);
	obj = NULL;
out:
	ckpt_signer_free(signer);
	json_decref(cosigned);
	json_decref(obj);
	free(note);
	free(saved);
	return rc;
}

/* ---- verify-export ------------------------------------------------------- */

/*
 * Read one line (without its LF) of at most cap bytes into buf (cap + 1).
 * Returns 1 for a line, 0 at the end, -1 when the line is too long or holds
 * a NUL byte, -2 on a read error.
 */
static int
line_read(FILE *f, char *buf, size_t cap, size_t *len)
{
	size_t	 n = 0;
	int	 c, bad = 0;

	flockfile(f);
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n == cap || c == '\0') {
			bad = 1;
			break;
		}
		buf[n++] = (char)c;
	}
	funlockfile(f);
	if (bad)
		return -1;
	if (c == EOF) {
		if (ferror(f))
			return -2;
		if (n == 0)
			return 0;
	}
	buf[n] = '\0';
	*len = n;
	return 1;
}

/* The first key whose value differs between want and got, or NULL. */
static const char *
json_first_diff(json_t *want, json_t *got)
{
	const char	*key;
	json_t		*v;

	json_object_foreach(want, key, v)
		if (!json_equal(v, json_object_get(got, key)))
			return key;
	json_object_foreach(got, key, v)
		if (json_object_get(want, key) == NULL)
			return key;
	return NULL;
}

/*
 * A request line's "status" is ledgerctl's reading when it exported (a
 * later approval, the clock), not a field of the entry: it is checked
 * against the approvals the file itself holds.  A request said approved,
 * refused or rejected must be decided so by an approval in the file; one
 * said pending or expired may still be followed by its approval (written
 * while the export ran), but by nothing else.
 */
struct vx_claim {
	uint64_t	 seq;		/* the request */
	int		 status;	/* enum appr_status, as the line says */
	uint64_t	 line;
	int		 decided;	/* its approval was met */
};

struct vx_state {
	struct merkle_stream	 ms;
	const struct ckpt	*ck;
	uint64_t		 count;		/* entries read */
	uint8_t			 root[MERKLE_HASH_LEN];	/* at ck->size */
	uint8_t			 enc[LD_ENTRY_ENC_MAX];
	struct vx_claim		*claims;	/* owned; in seq order */
	size_t			 nclaims, capclaims;
};

static int
vx_claim_cmp(const void *k, const void *c)
{
	uint64_t	 seq = *(const uint64_t *)k;
	uint64_t	 cs = ((const struct vx_claim *)c)->seq;

	return seq < cs ? -1 : seq > cs;
}

/*
 * Take a request line's status out of obj (so that the rest compares with
 * what export renders) and remember it; or check an approval line against
 * what its request's line said.  NULL, or what is wrong.
 */
static const char *
vx_status(struct vx_state *st, const struct ld_entry *e, json_t *obj,
    size_t lineno)
{
	struct vx_claim	*c, *nv;
	json_t		*v;
	int		 want;

	if (e->kind == LD_K_REQUEST) {
		v = json_object_get(obj, "status");
		if (!json_is_string(v) || appr_status_from_name(
		    json_string_value(v)) == 0)
			return "a request's \"status\" is missing or not a status";
		if (st->nclaims == st->capclaims) {
			st->capclaims = st->capclaims > 0 ? st->capclaims * 2 :
			    64;
			nv = reallocarray(st->claims, st->capclaims,
			    sizeof(*nv));
			if (nv == NULL)
				return "out of memory";
			st->claims = nv;
		}
		c = &st->claims[st->nclaims++];
		c->seq = e->seq;
		c->status = appr_status_from_name(json_string_value(v));
		c->line = lineno;
		c->decided = 0;
		json_object_del(obj, "status");
		return NULL;
	}
	if (e->kind != LD_K_APPROVAL || st->nclaims == 0 ||
	    (c = bsearch(&e->request, st->claims, st->nclaims,
	    sizeof(*c), vx_claim_cmp)) == NULL)
		return NULL;	/* the decoder checked that it names a request */
	want = e->decision == LD_D_APPROVED ? APPR_APPROVED :
	    e->decision == LD_D_REFUSED ? APPR_REFUSED : APPR_REJECTED;
	c->decided = 1;
	if (c->status != want && c->status != APPR_PENDING &&
	    c->status != APPR_EXPIRED)
		return "the request's line gives another status than this "
		    "approval";
	return NULL;
}

/*
 * Check one JSONL line: its leaf_data must decode to the entry due next,
 * and its other fields must be exactly what export renders from those
 * bytes.  CTL_OK, or the failure reported.
 */
static int
vx_line(struct ctl *ctl, struct vx_state *st, const char *line, size_t lineno)
{
	struct ld_entry	 e;
	json_error_t	 jerr;
	json_t		*obj, *want, *res, *ld;
	const char	*key;
	uint8_t		 leaf[MERKLE_HASH_LEN];
	size_t		 n;
	int		 rc = CTL_OK;

	res = json_object();
	set(res, "line", json_integer((json_int_t)lineno));
	if ((obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return audit_fail(ctl, res, "line %zu: not JSON: %s", lineno,
		    jerr.text);
	ld = json_object_get(obj, "leaf_data");
	if (!json_is_object(obj) || !json_is_string(ld)) {
		rc = audit_fail(ctl, res, "line %zu: not an export entry (no "
		    "leaf_data)", lineno);
		goto out;
	}
	if (hex_decode(json_string_value(ld), json_string_length(ld), st->enc,
	    sizeof(st->enc), &n) == -1 || entry_decode(&e, st->enc, n) == -1) {
		rc = audit_fail(ctl, res, "line %zu: leaf_data is not the hex "
		    "of a valid entry encoding", lineno);
		goto out;
	}
	if (e.seq != st->count + 1) {
		rc = audit_fail(ctl, res, "line %zu: entry %" PRIu64 " where %"
		    PRIu64 " was due", lineno, e.seq, st->count + 1);
		goto out;
	}
	if ((key = vx_status(st, &e, obj, lineno)) != NULL) {
		rc = audit_fail(ctl, res, "line %zu (seq %" PRIu64 "): %s",
		    lineno, e.seq, key);
		goto out;
	}
	want = export_entry_json(&e, st->enc, n);
	/* leaf_data was decoded above, whatever the case of its hex digits. */
	json_object_del(obj, "leaf_data");
	json_object_del(want, "leaf_data");
	if (want == NULL || !json_equal(want, obj)) {
		key = want != NULL ? json_first_diff(want, obj) : NULL;
		rc = audit_fail(ctl, res, "line %zu (seq %" PRIu64 "): \"%s\" "
		    "does not match leaf_data", lineno, e.seq,
		    key != NULL ? key : "?");
		json_decref(want);
		goto out;
	}
	json_decref(want);
	st->count++;
	if (st->count <= st->ck->size) {
		entry_leaf_hash(st->enc, n, leaf);
		merkle_stream_push(&st->ms, leaf);
		if (st->count == st->ck->size)
			merkle_stream_root(&st->ms, st->root);
	}
out:
	if (rc == CTL_OK)
		json_decref(res);
	json_decref(obj);
	return rc;
}

static int
vx_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ckpt_verifier		 v;
	const struct ckpt_verifier	*vp;
	struct ckpt			 ck;
	struct vx_state			*st = NULL;
	const char			*path = a->pos[0];
	const char			*ckpath = args_get(a, "checkpoint");
	FILE				*f = NULL;
	json_t				*obj;
	char				*note = NULL, *line = NULL;
	char				 h1[65], h2[65];
	size_t				 len, lineno = 0, i;
	int				 rc, r;

	if ((rc = verifier_arg(ctl, a, &v, &vp)) != CTL_OK)
		return rc;
	if ((note = malloc(CKPT_NOTE_MAX)) == NULL ||
	    (line = malloc(VX_LINE_MAX + 1)) == NULL ||
	    (st = calloc(1, sizeof(*st))) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		rc = CTL_CONN;
		goto out;
	}
	if ((r = file_read(ckpath, note, CKPT_NOTE_MAX, &len)) == -1) {
		rc = ctl_usage(ctl, a->cmd, "--checkpoint: cannot read %s: %s",
		    ckpath, strerror(errno));
		goto out;
	}
	if (r == -2) {
		rc = audit_fail(ctl, NULL, "the checkpoint in %s: longer than a "
		    "note may be", ckpath);
		goto out;
	}
	if ((r = ckpt_open(&ck, vp, note, len)) != CKPT_OK) {
		rc = audit_fail(ctl, NULL, "the checkpoint in %s: %s", ckpath,
		    ckpt_strerror(r));
		goto out;
	}
	if ((f = fopen(path, "r")) == NULL) {
		rc = ctl_usage(ctl, a->cmd, "cannot read %s: %s", path,
		    strerror(errno));
		goto out;
	}
	merkle_stream_init(&st->ms);
	st->ck = &ck;
	if (ck.size == 0)
		merkle_stream_root(&st->ms, st->root);
	while ((r = line_read(f, line, VX_LINE_MAX, &len)) == 1) {
		lineno++;
		/* Blank lines (a trailing one, say) carry nothing. */
		if (strspn(line, " \t\r") == len)
			continue;
		if ((rc = vx_line(ctl, st, line, lineno)) != CTL_OK)
			goto out;
	}
	if (r == -1) {
		rc = audit_fail(ctl, NULL, "line %zu: longer than %d bytes or "
		    "holds a NUL byte", lineno + 1, VX_LINE_MAX);
		goto out;
	}
	if (r == -2) {
		rc = ctl_usage(ctl, a->cmd, "cannot read %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (st->count < ck.size) {
		rc = audit_fail(ctl, NULL, "the export ends after %" PRIu64
		    " entries; the signed checkpoint covers %" PRIu64,
		    st->count, ck.size);
		goto out;
	}
	for (i = 0; i < st->nclaims; i++)
		if (!st->claims[i].decided &&
		    st->claims[i].status != APPR_PENDING &&
		    st->claims[i].status != APPR_EXPIRED) {
			rc = audit_fail(ctl, NULL, "line %" PRIu64 " (seq %"
			    PRIu64 "): the request is said %s, but no approval "
			    "in the export decides it",
			    st->claims[i].line, st->claims[i].seq,
			    appr_status_name(st->claims[i].status));
			goto out;
		}
	if (memcmp(st->root, ck.root, MERKLE_HASH_LEN) != 0) {
		hex_encode(st->root, MERKLE_HASH_LEN, h1);
		hex_encode(ck.root, MERKLE_HASH_LEN, h2);
		rc = audit_fail(ctl, NULL, "root mismatch: entries 1..%" PRIu64
		    " of the export hash to %s, the signed checkpoint says %s",
		    ck.size, h1, h2);
		goto out;
	}
	obj = json_object();
	set(obj, "origin", json_string(ck.origin));
	set(obj, "size", json_integer((json_int_t)ck.size));
	set(obj, "root", hex_json(ck.root, sizeof(ck.root)));
	set(obj, "signature", json_string("verified"));
	set(obj, "entries", json_integer((json_int_t)st->count));
	/* Later entries are checked for form but no signature covers them. */
	set(obj, "beyond_checkpoint",
	    json_integer((json_int_t)(st->count - ck.size)));
	set(obj, "verified", json_true());
	rc = result_print(ctl, obj);
out:
	if (f != NULL)
		fclose(f);
	if (st != NULL)
		free(st->claims);
	free(st);
	free(line);
	free(note);
	return rc;
}
