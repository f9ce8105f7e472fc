/*
 * store.c - the append-only ledger in one LMDB environment (see store.h for
 * the layout of the named databases): the environment, transactions and
 * their sticky error, entries, leaves, Merkle nodes, append, the tree head,
 * scans and diff.  The derived-state records (indexes, balances, terms,
 * payments, orders) are store_state.c's; what the two share of the
 * internals (struct store, struct store_txn, txn_get/txn_put/txn_del/
 * txn_fail) is in the private store_impl.h.
 *
 * Entries, leaves and Merkle nodes are written once and never touched
 * again: entries and leaves with MDB_APPEND under 8-byte big-endian seq
 * keys (so that an out-of-order key is an error, never a silent insert),
 * nodes with MDB_NOOVERWRITE.  Everything an append changes (entry, leaf,
 * the nodes it completes, the indexes, the balances and the size) goes into
 * the caller's transaction, so a commit makes all of it durable or none.
 *
 * Transactions carry a sticky error, after Knot DNS's knot_lmdb.c: the
 * first failure is remembered, every later operation returns it without
 * doing anything, and store_commit() aborts.  The writer can therefore run
 * a whole group of requests and check once.  "Not found" is an answer, not
 * a failure, and does not stick.  MDB_MAP_FULL, from a put or from the
 * commit itself, and ENOSPC or EDQUOT from the file, are
 * LD_E_STORAGE_FULL; an I/O error or LMDB's fatal state is
 * LD_E_STORAGE_ERROR; any other LMDB failure, and a stored record that
 * does not decode, is LD_E_INTERNAL (store_map_err()).  The failing call
 * and its code stay with the sticky error, so that the log can name them
 * (store_error_text(), store_last_error()).  store_state.c
 * reaches LMDB only through txn_get, txn_put, txn_del and store_scan(), so
 * that rule is implemented here alone.
 *
 * Memory: LMDB's pointers into a write transaction are valid only until
 * the next update, but the writer keeps the bytes of every entry it
 * appended (or re-read for a duplicate) until its group commits.  Those
 * bytes are copied into an arena owned by the outermost transaction and
 * freed when it ends; nested transactions share their root's arena.
 *
 * Format 1 stores (version 1) lack terms, payments, orders and refs and
 * keep a bare seq in regions; format 2 stores lack refs, format 3 stores
 * the policy and requests.
 * store_needs_rebuild() tells the daemon to rebuild their derived state
 * from the entries (apply_rebuild) before serving.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "entry.h"
#include "errors.h"
#include "log.h"
#include "merkle.h"
#include "store.h"
#include "store_impl.h"
#include "wire.h"

#define STORE_MAXDBS		24
#define ARENA_CHUNK		(64 * 1024)

static const char *const db_names[STORE_DB_COUNT] = {
	"meta", "entries", "leaves", "nodes", "ids", "regions", "reversed",
	"acctbal", "regbal", "terms", "payments", "orders", "refs",
	"policy", "requests", "cosigs"
};

/* A chunk of copied entry bytes; see "Memory" above. */
struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used, cap;
	uint8_t			 data[];
};

int
store_map_err(int rc)
{
	switch (rc) {
	case 0:
		return LD_OK;
	case MDB_NOTFOUND:
		return LD_E_NOT_FOUND;
	case MDB_MAP_FULL:
	case ENOSPC:
	case EDQUOT:
		return LD_E_STORAGE_FULL;
	case MDB_PANIC:
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_VERSION_MISMATCH:
	case MDB_INVALID:
		return LD_E_STORAGE_ERROR;
	case ENOMEM:
		return LD_E_INTERNAL;
	default:
		/* LMDB's own codes are negative; the rest are the file's errno. */
		return rc > 0 ? LD_E_STORAGE_ERROR : LD_E_INTERNAL;
	}
}

#define map_err	store_map_err

/* "DIR/data.mdb: op: LMDB's text" into buf. */
static void
err_text(struct store *st, int rc, const char *op, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s: %s: %s", st->st_path, op,
	    mdb_strerror(rc));

	/* A path too long for the message still names the call and error. */
	if (n >= 0 && (size_t)n >= len)
		snprintf(buf, len, "data.mdb: %s: %s", op, mdb_strerror(rc));
}

/* Remember the last LMDB failure; MDB_PANIC also makes the store failed. */
static void
store_note(struct store *st, int rc, const char *op)
{
	char text[STORE_ERRTEXT_MAX];

	err_text(st, rc, op, text, sizeof(text));
	pthread_mutex_lock(&st->st_dmtx);
	memcpy(st->st_lasterr, text, sizeof(text));
	pthread_mutex_unlock(&st->st_dmtx);
	if (rc == MDB_PANIC)
		store_fail(st, text);
}

/* Record a failure; the first one sticks. */
int
txn_fail(struct store_txn *t, int code)
{
	if (t->t_err == LD_OK)
		t->t_err = code;
	return t->t_err;
}

int
txn_fail_rc(struct store_txn *t, int rc, const char *op)
{
	if (t->t_err == LD_OK) {
		t->t_rc = rc;
		t->t_op = op;
		store_note(t->t_st, rc, op);
	}
	return txn_fail(t, map_err(rc));
}

static uint8_t *
arena_copy(struct store_txn *t, const void *p, size_t len)
{
	struct arena_chunk *c = *t->t_arena;
	size_t cap;
	uint8_t *out;

	if (c == NULL || c->cap - c->used < len) {
		cap = len > ARENA_CHUNK ? len : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = *t->t_arena;
		*t->t_arena = c;
	}
	out = c->data + c->used;
	memcpy(out, p, len);
	c->used += len;
	return out;
}

static void
arena_free(struct arena_chunk *c)
{
	struct arena_chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

/* ---- environment ---- */

static int	open_env_flags(struct store **, const char *, uint64_t, int, int,
		    int, char *, size_t);

static int
open_dbs(struct store *st, MDB_txn *txn, int create, char *err, size_t errlen)
{
	int i, rc;

	for (i = 0; i < STORE_DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], create ? MDB_CREATE : 0,
		    &st->st_dbi[i]);
		if (rc == MDB_NOTFOUND && i >= STORE_DB_TERMS) {
			/* An older store opened read-only: reads find nothing. */
			st->st_missing[i] = 1;
			continue;
		}
		if (rc == MDB_NOTFOUND) {
			snprintf(err, errlen, "not a ledger (no '%s' database)",
			    db_names[i]);
			return -1;
		}
		if (rc != 0) {
			snprintf(err, errlen, "database '%s': %s", db_names[i],
			    mdb_strerror(rc));
			return -1;
		}
	}
	return 0;
}

/* Check, or on a new environment write, the format record. */
static int
check_format(struct store *st, MDB_txn *txn, char *err, size_t errlen)
{
	MDB_val k = { 6, "format" }, v;
	MDB_stat ms;
	uint8_t buf[8];
	int rc;

	rc = mdb_get(txn, st->st_dbi[STORE_DB_META], &k, &v);
	if (rc == 0) {
		if (v.mv_size != 4 || be32_get(v.mv_data) < 1 ||
		    be32_get(v.mv_data) > STORE_FORMAT) {
			snprintf(err, errlen, "store format %u, this ledgerd "
			    "reads formats 1 to %u", v.mv_size == 4 ?
			    be32_get(v.mv_data) : 0, STORE_FORMAT);
			return -1;
		}
		st->st_format = (int)be32_get(v.mv_data);
		return 0;
	}
	if (rc != MDB_NOTFOUND) {
		snprintf(err, errlen, "meta: %s", mdb_strerror(rc));
		return -1;
	}
	if (st->st_readonly) {
		snprintf(err, errlen, "not a ledger (no format record)");
		return -1;
	}
	if ((rc = mdb_stat(txn, st->st_dbi[STORE_DB_ENTRIES], &ms)) != 0 ||
	    ms.ms_entries != 0) {
		snprintf(err, errlen, "entries without a format record");
		return -1;
	}
	be32_put(buf, STORE_FORMAT);
	v.mv_size = 4;
	v.mv_data = buf;
	if ((rc = mdb_put(txn, st->st_dbi[STORE_DB_META], &k, &v, 0)) != 0)
		goto fail;
	st->st_format = STORE_FORMAT;
	k.mv_size = 4;
	k.mv_data = "size";
	be64_put(buf, 0);
	v.mv_size = 8;
	v.mv_data = buf;
	if ((rc = mdb_put(txn, st->st_dbi[STORE_DB_META], &k, &v, 0)) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "creating the ledger: %s", mdb_strerror(rc));
	return -1;
}

/*
 * LMDB's meta page, as its 0.9 file format lays it out on a 64-bit host
 * (mdb.c: MDB_page header, then MDB_meta): read with pread before the map
 * exists, so that a short file is refused instead of mapped.
 */
#define META_OFF	16	/* PAGEHDRSZ */
#define META_LEN	136	/* sizeof(MDB_meta) */
#define META_MAGIC	0xBEEFC0DEu
#define META_VERSION	1u

struct meta_info {
	uint32_t	psize;
	uint64_t	last_pg, txnid;
};

static uint32_t
ne32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t
ne64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* The meta page at off: 0, or -1 when it is not one of LMDB's. */
static int
meta_read(int fd, off_t off, struct meta_info *m)
{
	uint8_t b[META_OFF + META_LEN];

	if (pread(fd, b, sizeof(b), off) != (ssize_t)sizeof(b))
		return -1;
	if (ne32(b + META_OFF) != META_MAGIC ||
	    ne32(b + META_OFF + 4) != META_VERSION)
		return -1;
	m->psize = ne32(b + META_OFF + 24);	/* mm_dbs[FREE_DBI].md_pad */
	m->last_pg = ne64(b + META_OFF + 120);
	m->txnid = ne64(b + META_OFF + 128);
	if (m->psize < 512 || m->psize > 65536 ||
	    (m->psize & (m->psize - 1)) != 0)
		return -1;
	return 0;
}

int
store_check_file(const char *path, uint64_t map_size_mb, char *err,
    size_t errlen)
{
	struct meta_info m0, m1, *m;
	struct stat sb;
	uint64_t need, map = map_size_mb << 20;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (sb.st_size == 0) {
		rc = 0;
		goto done;
	}
	if (meta_read(fd, 0, &m0) != 0) {
		snprintf(err, errlen, "%s: not an LMDB data file, or its first "
		    "meta page is damaged (%lld bytes)", path,
		    (long long)sb.st_size);
		goto done;
	}
	if ((uint64_t)sb.st_size < 2 * (uint64_t)m0.psize ||
	    meta_read(fd, m0.psize, &m1) != 0) {
		snprintf(err, errlen, "%s: truncated or damaged: %lld bytes, "
		    "its second meta page is missing", path,
		    (long long)sb.st_size);
		goto done;
	}
	m = m1.txnid > m0.txnid ? &m1 : &m0;	/* the one LMDB would use */
	if (m->last_pg >= UINT64_MAX / m->psize) {
		snprintf(err, errlen, "%s: meta page claims %llu pages", path,
		    (unsigned long long)m->last_pg);
		goto done;
	}
	need = (m->last_pg + 1) * m->psize;
	if ((uint64_t)sb.st_size < need) {
		snprintf(err, errlen, "%s is truncated: %lld bytes, but its "
		    "meta page (transaction %llu) needs %llu; restore it from "
		    "a backup", path, (long long)sb.st_size,
		    (unsigned long long)m->txnid, (unsigned long long)need);
		goto done;
	}
	if (map != 0 && ((uint64_t)sb.st_size > map || need > map)) {
		snprintf(err, errlen, "%s is %lld bytes, more than map_size_mb "
		    "= %llu allows: raise map_size_mb in [ledger]", path,
		    (long long)sb.st_size, (unsigned long long)map_size_mb);
		rc = -2;
		goto done;
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

static int
open_env(struct store **out, const char *dir, uint64_t map_size_mb,
    int readonly, int scratch, char *err, size_t errlen)
{
	return open_env_flags(out, dir, map_size_mb, readonly, scratch, 0, err,
	    errlen);
}

/*
 * nosubdir: dir is the data file itself, opened without a lock file
 * (read-only only: a backup's temporary copy that nothing else opens).
 */
static int
open_env_flags(struct store **out, const char *dir, uint64_t map_size_mb,
    int readonly, int scratch, int nosubdir, char *err, size_t errlen)
{
	struct store *st;
	MDB_txn *txn = NULL;
	unsigned flags;
	int rc, dead;

	*out = NULL;
	if (map_size_mb == 0 || map_size_mb > (SIZE_MAX >> 20)) {
		snprintf(err, errlen, "bad map size %llu MiB",
		    (unsigned long long)map_size_mb);
		return -1;
	}
	if (!readonly && mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->st_readonly = readonly;
	st->st_scratch = scratch;
	pthread_mutex_init(&st->st_dmtx, NULL);
	snprintf(st->st_path, sizeof(st->st_path), nosubdir ? "%s" :
	    "%s/data.mdb", dir);
	if (!scratch &&
	    store_check_file(st->st_path, map_size_mb, err, errlen) != 0)
		goto fail;
	if ((rc = mdb_env_create(&st->st_env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->st_env, STORE_MAXDBS)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->st_env,
	    (size_t)map_size_mb << 20)) != 0) {
		snprintf(err, errlen, "lmdb: %s", mdb_strerror(rc));
		goto fail;
	}
	flags = readonly ? MDB_RDONLY : scratch ? MDB_NOSYNC | MDB_WRITEMAP : 0;
	if (nosubdir)
		flags |= MDB_NOSUBDIR | MDB_NOLOCK;
	if ((rc = mdb_env_open(st->st_env, dir, flags, 0600)) != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	(void)mdb_reader_check(st->st_env, &dead);
	if ((rc = mdb_txn_begin(st->st_env, NULL, readonly ? MDB_RDONLY : 0,
	    &txn)) != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	if (open_dbs(st, txn, !readonly, err, errlen) == -1 ||
	    check_format(st, txn, err, errlen) == -1)
		goto fail;
	/* Committing makes the database handles usable by later txns. */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	*out = st;
	return 0;
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (st->st_env != NULL)
		mdb_env_close(st->st_env);
	free(st);
	return -1;
}

int
store_open(struct store **out, const char *dir, uint64_t map_size_mb,
    int readonly, char *err, size_t errlen)
{
	return open_env(out, dir, map_size_mb, readonly, 0, err, errlen);
}

int
store_open_file(struct store **out, const char *path, uint64_t map_size_mb,
    char *err, size_t errlen)
{
	return open_env_flags(out, path, map_size_mb, 1, 0, 1, err, errlen);
}

int
store_open_scratch(struct store **out, const char *dir, uint64_t map_size_mb,
    char *err, size_t errlen)
{
	return open_env(out, dir, map_size_mb, 0, 1, err, errlen);
}

int
store_needs_rebuild(struct store *st)
{
	return st->st_format != STORE_FORMAT;
}

const char *
store_db_name(int db)
{
	return db >= 0 && db < STORE_DB_COUNT ? db_names[db] : "?";
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	mdb_env_close(st->st_env);
	pthread_mutex_destroy(&st->st_dmtx);
	free(st);
}

void
store_damage_seen(struct store *st, uint64_t seq)
{
	uint64_t i, n;
	int known = 0;

	pthread_mutex_lock(&st->st_dmtx);
	n = st->st_ndamaged < STORE_DAMAGED_KEEP ? st->st_ndamaged :
	    STORE_DAMAGED_KEEP;
	for (i = 0; i < n && !known; i++)
		known = st->st_damaged[i] == seq;
	if (!known) {
		if (st->st_ndamaged < STORE_DAMAGED_KEEP)
			st->st_damaged[st->st_ndamaged] = seq;
		st->st_ndamaged++;
	}
	pthread_mutex_unlock(&st->st_dmtx);
	if (!known)
		log_warnx("seq %llu: the stored entry does not match its leaf "
		    "hash: it is damaged and will not be served",
		    (unsigned long long)seq);
}

uint64_t
store_damaged(struct store *st, uint64_t *last_seq)
{
	uint64_t n;

	pthread_mutex_lock(&st->st_dmtx);
	n = st->st_ndamaged;
	*last_seq = n == 0 ? 0 : st->st_damaged[(n < STORE_DAMAGED_KEEP ?
	    n : STORE_DAMAGED_KEEP) - 1];
	pthread_mutex_unlock(&st->st_dmtx);
	return n;
}

int
store_reader_check(struct store *st)
{
	int dead = 0;

	if (mdb_reader_check(st->st_env, &dead) != 0)
		return -1;
	return dead;
}

int
store_set_meta_nosync(struct store *st, int on)
{
	int rc;

	if ((rc = mdb_env_set_flags(st->st_env, MDB_NOMETASYNC, on)) != 0) {
		log_warnx("mdb_env_set_flags: %s", mdb_strerror(rc));
		return LD_E_STORAGE_ERROR;
	}
	return LD_OK;
}

int
store_sync(struct store *st)
{
	int rc;

	if ((rc = mdb_env_sync(st->st_env, 1)) != 0) {
		log_warnx("mdb_env_sync: %s", mdb_strerror(rc));
		return LD_E_STORAGE_ERROR;
	}
	return LD_OK;
}

int
store_usage(struct store *st, uint64_t *used, uint64_t *map_size)
{
	MDB_envinfo info;
	MDB_stat ms;

	if (mdb_env_info(st->st_env, &info) != 0 ||
	    mdb_env_stat(st->st_env, &ms) != 0)
		return LD_E_INTERNAL;
	*used = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	*map_size = info.me_mapsize;
	return LD_OK;
}

int
store_copy(struct store *st, const char *dir, char *err, size_t errlen)
{
	int rc;

	if ((rc = mdb_env_copy2(st->st_env, dir, MDB_CP_COMPACT)) != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		return -1;
	}
	return 0;
}

int
store_copy_fd(struct store *st, int fd, char *err, size_t errlen)
{
	int rc;

	if ((rc = mdb_env_copyfd2(st->st_env, fd, MDB_CP_COMPACT)) != 0) {
		snprintf(err, errlen, "copy: %s", mdb_strerror(rc));
		return -1;
	}
	return 0;
}

int
store_fs_space(struct store *st, uint64_t *avail, uint64_t *total)
{
	struct statvfs vfs;
	const char *dir;

	*avail = *total = 0;
	if (mdb_env_get_path(st->st_env, &dir) != 0 || statvfs(dir, &vfs) != 0)
		return LD_E_STORAGE_ERROR;
	*avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	*total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	return LD_OK;
}

void
store_fail(struct store *st, const char *why)
{
	int first;

	pthread_mutex_lock(&st->st_dmtx);
	first = st->st_failed[0] == '\0';
	if (first)
		snprintf(st->st_failed, sizeof(st->st_failed), "%s",
		    why != NULL && why[0] != '\0' ? why : "storage failure");
	__atomic_store_n(&st->st_isfailed, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&st->st_dmtx);
	if (first)
		log_warnx("storage failure: %s: no more writes are acknowledged; "
		    "every request is answered STORAGE_ERROR", why);
}

int
store_failed(struct store *st, char *why, size_t whylen)
{
	if (!__atomic_load_n(&st->st_isfailed, __ATOMIC_ACQUIRE))
		return 0;
	if (why != NULL && whylen > 0) {
		pthread_mutex_lock(&st->st_dmtx);
		snprintf(why, whylen, "%s", st->st_failed);
		pthread_mutex_unlock(&st->st_dmtx);
	}
	return 1;
}

int
store_env_usable(struct store *st)
{
	MDB_txn *txn;
	int rc;

	/* Not noted: the caller names the commit's failure, not this probe's. */
	if ((rc = mdb_txn_begin(st->st_env, NULL, 0, &txn)) != 0)
		return 0;
	mdb_txn_abort(txn);
	return 1;
}

void
store_last_error(struct store *st, char *buf, size_t len)
{
	pthread_mutex_lock(&st->st_dmtx);
	snprintf(buf, len, "%s", st->st_lasterr);
	pthread_mutex_unlock(&st->st_dmtx);
}

/* ---- transactions ---- */

static int
read_size(struct store_txn *t)
{
	MDB_val k = { 4, "size" }, v;
	int rc;

	rc = mdb_get(t->t_txn, t->t_st->st_dbi[STORE_DB_META], &k, &v);
	if (rc != 0 || v.mv_size != 8)
		return LD_E_INTERNAL;
	t->t_size = be64_get(v.mv_data);
	return LD_OK;
}

static void
txn_free(struct store_txn *t)
{
	if (t->t_parent == NULL)
		arena_free(t->t_chunks);
	wbuf_free(&t->t_enc);
	free(t);
}

int
store_begin(struct store *st, int write, struct store_txn **out)
{
	struct store_txn *t;
	int rc;

	*out = NULL;
	if (__atomic_load_n(&st->st_isfailed, __ATOMIC_ACQUIRE))
		return LD_E_STORAGE_ERROR;
	if (write && st->st_readonly)
		return LD_E_INTERNAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return LD_E_INTERNAL;
	t->t_st = st;
	t->t_write = write;
	t->t_arena = &t->t_chunks;
	wbuf_init(&t->t_enc);
	if ((rc = mdb_txn_begin(st->st_env, NULL, write ? 0 : MDB_RDONLY,
	    &t->t_txn)) != 0) {
		txn_free(t);
		store_note(st, rc, "mdb_txn_begin");
		return map_err(rc) == LD_E_NOT_FOUND ? LD_E_INTERNAL : map_err(rc);
	}
	if ((rc = read_size(t)) != LD_OK) {
		mdb_txn_abort(t->t_txn);
		txn_free(t);
		return rc;
	}
	t->t_size0 = t->t_size;
	*out = t;
	return LD_OK;
}

int
store_begin_nested(struct store_txn *parent, struct store_txn **out)
{
	struct store_txn *t;
	int rc;

	*out = NULL;
	if (parent->t_err != LD_OK)
		return parent->t_err;
	if (!parent->t_write)
		return LD_E_INTERNAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return LD_E_INTERNAL;
	t->t_st = parent->t_st;
	t->t_parent = parent;
	t->t_write = 1;
	t->t_arena = parent->t_arena;
	t->t_size = parent->t_size;
	wbuf_init(&t->t_enc);
	if ((rc = mdb_txn_begin(parent->t_st->st_env, parent->t_txn, 0,
	    &t->t_txn)) != 0) {
		txn_free(t);
		store_note(parent->t_st, rc, "mdb_txn_begin");
		return map_err(rc) == LD_E_NOT_FOUND ? LD_E_INTERNAL : map_err(rc);
	}
	*out = t;
	return LD_OK;
}

/*
 * The tree head (size, root) sealed with each commit that appended: at
 * start the daemon recomputes it from the stored nodes and the newest
 * entries (store_check_head) and refuses a ledger that disagrees.
 */
static void put_head(struct store_txn *);

int
store_commit(struct store_txn *t)
{
	int rc;

	if (t->t_err == LD_OK && t->t_parent == NULL && t->t_size != t->t_size0)
		put_head(t);
	if (t->t_err != LD_OK) {
		rc = t->t_err;
		store_abort(t);
		return rc;
	}
	if ((rc = mdb_txn_commit(t->t_txn)) != 0)
		store_note(t->t_st, rc, "mdb_txn_commit");
	rc = map_err(rc);
	if (rc == LD_E_NOT_FOUND)
		rc = LD_E_INTERNAL;
	if (rc == LD_OK && t->t_set_format && t->t_parent == NULL)
		t->t_st->st_format = STORE_FORMAT;
	if (t->t_parent != NULL) {
		/*
		 * A child that fails to merge leaves its parent in a state
		 * we cannot vouch for: fail the whole outer transaction.
		 */
		if (rc == LD_OK)
			t->t_parent->t_size = t->t_size;
		else
			txn_fail(t->t_parent, rc);
	}
	txn_free(t);
	return rc;
}

void
store_abort(struct store_txn *t)
{
	if (t == NULL)
		return;
	mdb_txn_abort(t->t_txn);
	txn_free(t);
}

int
store_error(const struct store_txn *t)
{
	return t->t_err;
}

const char *
store_error_text(struct store_txn *t)
{
	if (t->t_err == LD_OK)
		return "";
	if (t->t_op == NULL)
		return ld_err_name(t->t_err);
	err_text(t->t_st, t->t_rc, t->t_op, t->t_errtext,
	    sizeof(t->t_errtext));
	return t->t_errtext;
}

uint64_t
store_size(struct store_txn *t)
{
	return t->t_size;
}

/* ---- records: sticky get, put, delete; entries and leaves ---- */

/* The three below are store_impl.h's, for store_state.c too. */

/*
 * mdb_get with the sticky error: LD_OK, LD_E_NOT_FOUND (not sticky), or
 * the sticky error.
 */
int
txn_get(struct store_txn *t, int db, const void *key, size_t klen, MDB_val *v)
{
	MDB_val k;
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (klen == 0 || klen > 511 || t->t_st->st_missing[db])
		return LD_E_NOT_FOUND;	/* no such key can be stored */
	k.mv_size = klen;
	k.mv_data = (void *)(uintptr_t)key;
	rc = mdb_get(t->t_txn, t->t_st->st_dbi[db], &k, v);
	if (rc == 0 || rc == MDB_NOTFOUND)
		return map_err(rc);
	return txn_fail_rc(t, rc, "mdb_get");
}

int
txn_put(struct store_txn *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags)
{
	MDB_val k, v;
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	k.mv_size = klen;
	k.mv_data = (void *)(uintptr_t)key;
	v.mv_size = vlen;
	v.mv_data = (void *)(uintptr_t)val;
	rc = mdb_put(t->t_txn, t->t_st->st_dbi[db], &k, &v, flags);
	if (rc == 0)
		return LD_OK;
	/* A seq or an index key written twice is a bug, never a retry. */
	if (rc == MDB_KEYEXIST)
		return txn_fail(t, LD_E_INTERNAL);
	return txn_fail_rc(t, rc, "mdb_put");
}

int
txn_del(struct store_txn *t, int db, const void *key, size_t klen)
{
	MDB_val k;
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	k.mv_size = klen;
	k.mv_data = (void *)(uintptr_t)key;
	rc = mdb_del(t->t_txn, t->t_st->st_dbi[db], &k, NULL);
	if (rc == 0 || rc == MDB_NOTFOUND)
		return map_err(rc);
	return txn_fail_rc(t, rc, "mdb_del");
}

/*
 * Check the bytes of entry seq against its stored leaf hash (2.4): LD_OK,
 * LD_E_DAMAGED (reported, not sticky) or the sticky error.  One lookup and
 * one SHA-256 of at most 4 KiB per entry read; docs/BENCHMARKS.md has the
 * cost.
 */
static int
check_leaf(struct store_txn *t, uint64_t seq, const void *enc, size_t len)
{
	uint8_t key[8], got[32];
	MDB_val v;
	int rc;

	be64_put(key, seq);
	rc = txn_get(t, STORE_DB_LEAVES, key, 8, &v);
	if (rc == LD_OK && v.mv_size == 32) {
		entry_leaf_hash(enc, len, got);
		if (memcmp(got, v.mv_data, 32) == 0)
			return LD_OK;
	} else if (rc != LD_OK && rc != LD_E_NOT_FOUND)
		return rc;
	store_damage_seen(t->t_st, seq);
	return LD_E_DAMAGED;
}

int
store_get_raw(struct store_txn *t, uint64_t seq, const uint8_t **enc,
    size_t *len)
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	be64_put(key, seq);
	if ((rc = txn_get(t, STORE_DB_ENTRIES, key, 8, &v)) != LD_OK ||
	    (rc = check_leaf(t, seq, v.mv_data, v.mv_size)) != LD_OK)
		return rc;
	*enc = v.mv_data;
	*len = v.mv_size;
	if (t->t_write) {
		/* LMDB's pointer would not survive the next put. */
		if ((*enc = arena_copy(t, v.mv_data, v.mv_size)) == NULL)
			return txn_fail(t, LD_E_INTERNAL);
	}
	return LD_OK;
}

int
store_get(struct store_txn *t, uint64_t seq, struct ld_entry *e)
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	be64_put(key, seq);
	if ((rc = txn_get(t, STORE_DB_ENTRIES, key, 8, &v)) != LD_OK ||
	    (rc = check_leaf(t, seq, v.mv_data, v.mv_size)) != LD_OK)
		return rc;
	if (entry_decode(e, v.mv_data, v.mv_size) == -1 || e->seq != seq)
		return txn_fail(t, LD_E_INTERNAL);
	return LD_OK;
}

int
store_get_leaf(struct store_txn *t, uint64_t seq, uint8_t leaf[32])
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	be64_put(key, seq);
	if ((rc = txn_get(t, STORE_DB_LEAVES, key, 8, &v)) != LD_OK)
		return rc;
	if (v.mv_size != 32)
		return txn_fail(t, LD_E_INTERNAL);
	memcpy(leaf, v.mv_data, 32);
	return LD_OK;
}

/* ---- Merkle nodes and append ---- */

static int
node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
	struct store_txn *t = ctx;
	uint8_t key[9];

	key[0] = (uint8_t)level;
	be64_put(key + 1, index);
	return txn_put(t, STORE_DB_NODES, key, sizeof(key), hash, 32,
	    MDB_NOOVERWRITE) == LD_OK ? 0 : -1;
}

int
store_tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct store_txn *t = ctx;
	uint8_t key[9];
	MDB_val v;

	if (level == 0) {
		if (index == UINT64_MAX)
			return -1;
		return store_get_leaf(t, index + 1, out) == LD_OK ? 0 : -1;
	}
	if (level > 63)
		return -1;
	key[0] = (uint8_t)level;
	be64_put(key + 1, index);
	if (txn_get(t, STORE_DB_NODES, key, sizeof(key), &v) != LD_OK)
		return -1;
	if (v.mv_size != 32) {
		txn_fail(t, LD_E_INTERNAL);
		return -1;
	}
	memcpy(out, v.mv_data, 32);
	return 0;
}

int
store_tree_root(struct store_txn *t, uint64_t size, uint8_t root[32])
{
	if (t->t_err != LD_OK)
		return t->t_err;
	if (merkle_root(size, store_tree_get, t, root) != 0)
		return t->t_err != LD_OK ? t->t_err : LD_E_INTERNAL;
	return LD_OK;
}

int
store_append(struct store_txn *t, struct ld_entry *e, const uint8_t **enc,
    size_t *enclen)
{
	uint8_t key[8], leaf[32];
	const uint8_t *copy = NULL;
	uint64_t seq;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (!t->t_write || e->seq != t->t_size + 1)
		return LD_E_INTERNAL;
	seq = e->seq;
	wbuf_reset(&t->t_enc);
	if (entry_encode(&t->t_enc, e) == -1)
		return LD_E_INTERNAL;
	be64_put(key, seq);
	txn_put(t, STORE_DB_ENTRIES, key, 8, t->t_enc.data, t->t_enc.len,
	    MDB_APPEND);
	entry_leaf_hash(t->t_enc.data, t->t_enc.len, leaf);
	txn_put(t, STORE_DB_LEAVES, key, 8, leaf, 32, MDB_APPEND);
	if (t->t_err == LD_OK &&
	    merkle_append(seq - 1, leaf, store_tree_get, node_put, t) != 0)
		txn_fail(t, LD_E_INTERNAL);
	txn_put(t, STORE_DB_META, "size", 4, key, 8, 0);
	if (t->t_err == LD_OK && enc != NULL &&
	    (copy = arena_copy(t, t->t_enc.data, t->t_enc.len)) == NULL)
		txn_fail(t, LD_E_INTERNAL);
	if (t->t_err != LD_OK)
		return t->t_err;
	t->t_size = seq;
	if (enc != NULL)
		*enc = copy;
	if (enclen != NULL)
		*enclen = t->t_enc.len;
	return LD_OK;
}

/* ---- raw access ---- */

int
store_scan(struct store_txn *t, int db, const void *from, size_t fromlen,
    store_scan_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	MDB_cursor_op op;
	int rc, r = 0;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (db < 0 || db >= STORE_DB_COUNT)
		return LD_E_INTERNAL;
	if (t->t_st->st_missing[db])
		return 0;	/* an older store has none: nothing to scan */
	if ((rc = mdb_cursor_open(t->t_txn, t->t_st->st_dbi[db], &c)) != 0)
		return txn_fail_rc(t, rc, "mdb_cursor_open");
	if (fromlen > 0) {
		k.mv_size = fromlen;
		k.mv_data = (void *)(uintptr_t)from;
		op = MDB_SET_RANGE;
	} else
		op = MDB_FIRST;
	for (;;) {
		if ((rc = mdb_cursor_get(c, &k, &v, op)) != 0)
			break;
		op = MDB_NEXT;
		if ((r = fn(ctx, k.mv_data, k.mv_size, v.mv_data,
		    v.mv_size)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return txn_fail_rc(t, rc, "mdb_cursor_get");
	return r;
}

int
store_count(struct store_txn *t, int db, uint64_t *n)
{
	MDB_stat ms;
	int rc;

	*n = 0;
	if (t->t_err != LD_OK)
		return t->t_err;
	if (db < 0 || db >= STORE_DB_COUNT)
		return LD_E_INTERNAL;
	if (t->t_st->st_missing[db])
		return LD_OK;
	if ((rc = mdb_stat(t->t_txn, t->t_st->st_dbi[db], &ms)) != 0)
		return txn_fail_rc(t, rc, "mdb_stat");
	*n = ms.ms_entries;
	return LD_OK;
}

int
store_diff(struct store_txn *a, struct store_txn *b, int db, uint8_t key[511],
    size_t *klen, int *where)
{
	MDB_cursor *ca = NULL, *cb = NULL;
	MDB_val ka, va, kb, vb;
	int ra, rb, rc = 0, c;
	size_t n;

	*klen = 0;
	*where = 0;
	if (a->t_err != LD_OK)
		return a->t_err;
	if (b->t_err != LD_OK)
		return b->t_err;
	if (a->t_st->st_missing[db] || b->t_st->st_missing[db])
		return LD_E_INTERNAL;
	if ((rc = mdb_cursor_open(a->t_txn, a->t_st->st_dbi[db], &ca)) != 0)
		return txn_fail_rc(a, rc, "mdb_cursor_open");
	if ((rc = mdb_cursor_open(b->t_txn, b->t_st->st_dbi[db], &cb)) != 0) {
		mdb_cursor_close(ca);
		return txn_fail_rc(b, rc, "mdb_cursor_open");
	}
	ra = mdb_cursor_get(ca, &ka, &va, MDB_FIRST);
	rb = mdb_cursor_get(cb, &kb, &vb, MDB_FIRST);
	rc = 0;
	while ((ra == 0 || rb == 0) &&
	    (ra == 0 || ra == MDB_NOTFOUND) && (rb == 0 || rb == MDB_NOTFOUND)) {
		if (ra == 0 && rb == 0) {
			n = ka.mv_size < kb.mv_size ? ka.mv_size : kb.mv_size;
			c = memcmp(ka.mv_data, kb.mv_data, n);
			if (c == 0)
				c = ka.mv_size < kb.mv_size ? -1 :
				    ka.mv_size > kb.mv_size;
		} else
			c = ra == 0 ? -1 : 1;
		if (c != 0 || va.mv_size != vb.mv_size ||
		    memcmp(va.mv_data, vb.mv_data, va.mv_size) != 0) {
			*where = (c > 0) - (c < 0);
			n = c <= 0 ? ka.mv_size : kb.mv_size;
			*klen = n > 511 ? 511 : n;
			memcpy(key, c <= 0 ? ka.mv_data : kb.mv_data, *klen);
			rc = 1;
			break;
		}
		ra = mdb_cursor_get(ca, &ka, &va, MDB_NEXT);
		rb = mdb_cursor_get(cb, &kb, &vb, MDB_NEXT);
	}
	if (rc == 0 && ra != MDB_NOTFOUND && ra != 0)
		rc = txn_fail_rc(a, ra, "mdb_cursor_get");
	if (rc == 0 && rb != MDB_NOTFOUND && rb != 0)
		rc = txn_fail_rc(b, rb, "mdb_cursor_get");
	mdb_cursor_close(ca);
	mdb_cursor_close(cb);
	return rc;
}

int
store_drop(struct store_txn *t, int db)
{
	int rc;

	if (t->t_err != LD_OK)
		return t->t_err;
	if (!t->t_write || db < STORE_DB_DERIVED_FIRST || db > STORE_DB_DERIVED_LAST)
		return LD_E_INTERNAL;
	rc = mdb_drop(t->t_txn, t->t_st->st_dbi[db], 0);
	return rc == 0 ? LD_OK : txn_fail_rc(t, rc, "mdb_drop");
}

int
store_set_format(struct store_txn *t)
{
	uint8_t v[4];

	be32_put(v, STORE_FORMAT);
	if (txn_put(t, STORE_DB_META, "format", 6, v, 4, 0) != LD_OK)
		return t->t_err;
	t->t_set_format = 1;	/* the store is current once this commits */
	return LD_OK;
}

int
store_applied(struct store_txn *t, uint64_t *index)
{
	MDB_val v;
	int rc;

	*index = 0;
	if ((rc = txn_get(t, STORE_DB_META, "applied", 7, &v)) == LD_E_NOT_FOUND)
		return LD_OK;
	if (rc != LD_OK)
		return rc;
	if (v.mv_size != 8)
		return txn_fail(t, LD_E_INTERNAL);
	*index = be64_get(v.mv_data);
	return LD_OK;
}

int
store_set_applied(struct store_txn *t, uint64_t index)
{
	uint8_t v[8];

	be64_put(v, index);
	return txn_put(t, STORE_DB_META, "applied", 7, v, 8, 0);
}

static void
put_head(struct store_txn *t)
{
	uint8_t head[8 + 32];

	be64_put(head, t->t_size);
	if (store_tree_root(t, t->t_size, head + 8) != LD_OK)
		return;
	txn_put(t, STORE_DB_META, "head", 4, head, sizeof(head), 0);
}

int
store_check_head(struct store *st, unsigned tail, char *err, size_t errlen)
{
	struct store_txn *t;
	struct ld_entry *e = NULL;
	const uint8_t *enc;
	uint8_t root[32], leaf[32], stored[32];
	uint64_t size, seq, first;
	size_t len;
	MDB_val v;
	int rc = -1;

	if (store_begin(st, 0, &t) != LD_OK) {
		snprintf(err, errlen, "cannot read the ledger");
		return -1;
	}
	size = store_size(t);
	if (size == 0) {
		rc = 0;
		goto done;
	}
	if (txn_get(t, STORE_DB_META, "head", 4, &v) != LD_OK ||
	    v.mv_size != 8 + 32) {
		snprintf(err, errlen, "tree head missing");
		goto done;
	}
	if (be64_get(v.mv_data) != size) {
		snprintf(err, errlen, "tree head is for size %llu, ledger has "
		    "%llu entries", (unsigned long long)be64_get(v.mv_data),
		    (unsigned long long)size);
		goto done;
	}
	if (store_tree_root(t, size, root) != LD_OK ||
	    memcmp(root, (const uint8_t *)v.mv_data + 8, 32) != 0) {
		snprintf(err, errlen, "Merkle root recomputed from the stored "
		    "nodes differs from the tree head");
		goto done;
	}
	if ((e = malloc(sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	first = size > tail ? size - tail + 1 : 1;
	for (seq = first; seq <= size; seq++) {
		if ((rc = store_get_raw(t, seq, &enc, &len)) == LD_E_DAMAGED) {
			rc = -1;
			snprintf(err, errlen, "seq %llu: entry does not match "
			    "its leaf hash", (unsigned long long)seq);
			goto done;
		}
		rc = -1;
		if (entry_decode(e, enc, len) != 0 || e->seq != seq) {
			snprintf(err, errlen, "seq %llu: entry missing or "
			    "undecodable", (unsigned long long)seq);
			goto done;
		}
		entry_leaf_hash(enc, len, leaf);
		if (store_get_leaf(t, seq, stored) != LD_OK ||
		    memcmp(leaf, stored, 32) != 0) {
			snprintf(err, errlen, "seq %llu: entry does not match "
			    "its leaf hash", (unsigned long long)seq);
			goto done;
		}
	}
	rc = 0;
done:
	free(e);
	store_abort(t);
	return rc;
}
