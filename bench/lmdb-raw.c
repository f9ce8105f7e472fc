/*
 * lmdb-raw.c - the raw LMDB limit: ledger-bench's disbursements appended
 * straight into LMDB, B per transaction, every commit synced.
 *
 * It writes what ledgerd's store_append() writes for a disbursement, in
 * the same layout (named databases, keys and value sizes): the entry's
 * canonical encoding under its 8-byte seq (MDB_APPEND), its leaf hash
 * (MDB_APPEND), the Merkle nodes the leaf completes (merkle_append(), the
 * daemon's own code), the idempotency key, the account and region
 * balances, the region-year's payment record (which a repayment order is
 * attributed to), and the size.  What it leaves out is everything ledgerd does
 * besides storing: TLS, framing, the reads the rules need (id, region,
 * balances), the rules themselves and the answers.  ledgerd can approach
 * this figure, never pass it, at the same entries per commit.
 *
 * One process, one thread, the environment opened with LMDB's defaults
 * (neither MDB_NOSYNC nor MDB_NOMETASYNC), as ledgerd opens it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "entry.h"
#include "merkle.h"
#include "wire.h"
#include "workload.h"

enum { DB_META, DB_ENTRIES, DB_LEAVES, DB_NODES, DB_IDS, DB_ACCTBAL,
	DB_REGBAL, DB_PAYMENTS, DB_COUNT };
static const char *const db_names[DB_COUNT] = {
	"meta", "entries", "leaves", "nodes", "ids", "acctbal", "regbal",
	"payments"
};

struct raw {
	MDB_env		*env;
	MDB_dbi		 dbi[DB_COUNT];
	MDB_txn		*txn;
	int		 rc;	/* first LMDB failure in txn */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
put(struct raw *r, int db, const void *k, size_t kl, const void *v,
    size_t vl, unsigned flags)
{
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };
	int rc;

	if (r->rc == 0 && (rc = mdb_put(r->txn, r->dbi[db], &key, &val,
	    flags)) != 0)
		r->rc = rc;
}

static int
node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct raw *r = ctx;
	uint8_t key[9];
	MDB_val k, v;

	if (level == 0) {
		be64_put(key, index + 1);
		k.mv_size = 8;
		k.mv_data = key;
		if (mdb_get(r->txn, r->dbi[DB_LEAVES], &k, &v) != 0)
			return -1;
	} else {
		key[0] = (uint8_t)level;
		be64_put(key + 1, index);
		k.mv_size = 9;
		k.mv_data = key;
		if (mdb_get(r->txn, r->dbi[DB_NODES], &k, &v) != 0)
			return -1;
	}
	if (v.mv_size != 32)
		return -1;
	memcpy(out, v.mv_data, 32);
	return 0;
}

static int
node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
	struct raw *r = ctx;
	uint8_t key[9];

	key[0] = (uint8_t)level;
	be64_put(key + 1, index);
	put(r, DB_NODES, key, sizeof(key), hash, 32, MDB_NOOVERWRITE);
	return r->rc == 0 ? 0 : -1;
}

/* The balances and the payment as store_state.c lays them out (60, 65, 12 bytes). */
static void
put_balances(struct raw *r, const struct ld_entry *e, int64_t acct_disbursed,
    int64_t reg_disbursed)
{
	uint8_t key[2 + LD_CODE_MAX + 9], val[65];
	size_t n = strlen(e->region);

	be16_put(key, e->fy);
	key[2] = e->account;
	memset(val, 0, sizeof(val));
	val[0] = e->account;
	be16_put(val + 1, e->fy);
	be64_put(val + 19, (uint64_t)acct_disbursed);
	put(r, DB_ACCTBAL, key, 3, val, 60, 0);
	memcpy(key + 2, e->region, n);
	memset(val, 0, sizeof(val));
	val[0] = LD_G_GENERAL;
	val[1] = e->account;
	be64_put(val + 18, (uint64_t)reg_disbursed);
	put(r, DB_REGBAL, key, 2 + n, val, 65, 0);
	key[2 + n] = 0;
	be64_put(key + 3 + n, e->seq);
	be32_put(val, e->date);
	be64_put(val + 4, (uint64_t)e->amount);
	put(r, DB_PAYMENTS, key, 2 + n + 9, val, 12, MDB_NOOVERWRITE);
}

/*
 * Append mb MiB of zeros to DIR/data.mdb and sync them.  LMDB then writes
 * its new pages inside the file's size and already allocated blocks, and
 * fdatasync() has only data to flush, no block allocation or size change
 * to journal: what a pre-zeroed WAL segment gives PostgreSQL.
 */
static int
zero_fill(const char *dir, uint64_t mb)
{
	static const char zero[1 << 16];
	char path[4096];
	struct stat sb;
	uint64_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 || fstat(fd, &sb) == -1)
		goto fail;
	for (i = 0; i < mb * 16; i++)
		if (pwrite(fd, zero, sizeof(zero), sb.st_size +
		    (off_t)(i * sizeof(zero))) != (ssize_t)sizeof(zero))
			goto fail;
	if (fsync(fd) == -1)
		goto fail;
	close(fd);
	return 0;
fail:
	fprintf(stderr, "lmdb-raw: %s: %s\n", path, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr,
"usage: lmdb-raw -D DIR --regions FILE [-b N] [-n N | -d SEC] [-m MB]\n"
"  -D DIR        LMDB directory (made; should be empty)\n"
"  --regions F   regions.tsv, as given to ledger-bench\n"
"  -b N          entries per transaction (1)\n"
"  -n N          stop after N entries\n"
"  -d SEC        or after SEC seconds (10)\n"
"  -m MB         map size (4096)\n"
"  -P MB         first write MB of zeros past the end of the data file, so\n"
"                that commits write into blocks the file already has\n"
"  --label TEXT  name of this run in the RESULT line\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "regions", required_argument, NULL, 'r' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct wl_regions rs;
	struct ld_entry e;
	struct raw r;
	struct wbuf enc;
	const char *dir = NULL, *rpath = NULL, *label = "-";
	uint64_t batch = 1, total = 0, mapmb = 4096, seq = 0, t0, tend, tc;
	uint64_t prealloc = 0;
	uint64_t commits = 0, *lat = NULL, latcap = 0;
	int64_t acct_dis = 0, *reg_dis = NULL;
	double duration = 10, secs;
	uint8_t key[8], leaf[32];
	char err[256], tag[WL_TAG_MAX], *end;
	MDB_txn *txn;
	int ch, rc = 1, i;
	unsigned b;

	memset(&r, 0, sizeof(r));
	while ((ch = getopt_long(argc, argv, "D:b:n:d:m:P:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'D': dir = optarg; break;
		case 'r': rpath = optarg; break;
		case 'l': label = optarg; break;
		case 'b': batch = strtoull(optarg, &end, 10); break;
		case 'n': total = strtoull(optarg, &end, 10); break;
		case 'm': mapmb = strtoull(optarg, &end, 10); break;
		case 'P': prealloc = strtoull(optarg, &end, 10); break;
		case 'd': duration = strtod(optarg, &end); break;
		default: usage(); return 2;
		}
	}
	if (dir == NULL || rpath == NULL || batch == 0 || batch > 1000000 ||
	    mapmb == 0 || !(duration > 0) || optind != argc) {
		usage();
		return 2;
	}
	if (wl_regions_load(&rs, rpath, err, sizeof(err)) == -1) {
		fprintf(stderr, "lmdb-raw: %s\n", err);
		return 2;
	}
	if ((reg_dis = calloc(rs.n, sizeof(*reg_dis))) == NULL)
		return 1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "lmdb-raw: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	wbuf_init(&enc);
	if ((r.rc = mdb_env_create(&r.env)) != 0 ||
	    (r.rc = mdb_env_set_maxdbs(r.env, 16)) != 0 ||
	    (r.rc = mdb_env_set_mapsize(r.env, (size_t)mapmb << 20)) != 0 ||
	    (r.rc = mdb_env_open(r.env, dir, 0, 0600)) != 0 ||
	    (r.rc = mdb_txn_begin(r.env, NULL, 0, &txn)) != 0)
		goto fail;
	for (i = 0; i < DB_COUNT; i++)
		if ((r.rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE,
		    &r.dbi[i])) != 0)
			goto fail;
	if ((r.rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	if (prealloc > 0 && zero_fill(dir, prealloc) == -1)
		goto out;

	wl_make_tag(tag);	/* ids as long as ledger-bench's */
	t0 = now_ns();
	tend = t0 + (uint64_t)(duration * 1e9);
	for (;;) {
		if (total ? seq >= total : now_ns() >= tend)
			break;
		tc = now_ns();
		if ((r.rc = mdb_txn_begin(r.env, NULL, 0, &r.txn)) != 0)
			goto fail;
		for (b = 0; b < batch && (!total || seq < total); b++) {
			size_t ri;

			seq++;
			wl_disbursement(&e, &rs, tag, 0, seq - 1, 2013);
			ri = (size_t)((seq - 1) % rs.n);
			e.seq = seq;
			e.account = (uint8_t)ld_grant_account(rs.r[ri].grant_type);
			snprintf(e.actor, sizeof(e.actor), "clerk01");
			e.recorded_at = (int64_t)time(NULL) * 1000000;
			wbuf_reset(&enc);
			if (entry_encode(&enc, &e) == -1) {
				fprintf(stderr, "lmdb-raw: cannot encode\n");
				goto out;
			}
			be64_put(key, seq);
			put(&r, DB_ENTRIES, key, 8, enc.data, enc.len, MDB_APPEND);
			entry_leaf_hash(enc.data, enc.len, leaf);
			put(&r, DB_LEAVES, key, 8, leaf, 32, MDB_APPEND);
			if (r.rc == 0 && merkle_append(seq - 1, leaf, node_get,
			    node_put, &r) != 0 && r.rc == 0)
				r.rc = MDB_CORRUPTED;
			put(&r, DB_IDS, e.id, strlen(e.id), key, 8,
			    MDB_NOOVERWRITE);
			acct_dis += e.amount;
			reg_dis[ri] += e.amount;
			put_balances(&r, &e, acct_dis, reg_dis[ri]);
			put(&r, DB_META, "size", 4, key, 8, 0);
		}
		if (r.rc != 0) {
			mdb_txn_abort(r.txn);
			goto fail;
		}
		r.rc = mdb_txn_commit(r.txn);
		r.txn = NULL;
		if (r.rc != 0)
			goto fail;
		if (commits == latcap) {
			uint64_t *n2;

			latcap = latcap ? latcap * 2 : 4096;
			if ((n2 = realloc(lat, latcap * sizeof(*n2))) == NULL)
				goto out;
			lat = n2;
		}
		lat[commits++] = now_ns() - tc;
	}
	secs = (double)(now_ns() - t0) / 1e9;
	qsort(lat, commits, sizeof(*lat), cmp_u64);
	tc = commits ? lat[commits / 2] : 0;
	printf("lmdb-raw: %" PRIu64 " entries in %" PRIu64 " commits of %" PRIu64
	    " in %.2f s: %.0f entries/s, median commit %.3f ms\n", seq,
	    commits, batch, secs, (double)seq / secs, (double)tc / 1e6);
	printf("RESULT label=%s batch=%" PRIu64 " prezeroed_mb=%" PRIu64
	    " entries=%" PRIu64 " commits=%" PRIu64 " secs=%.3f rate=%.0f "
	    "commit_p50_ms=%.3f\n", label, batch, prealloc, seq, commits, secs,
	    (double)seq / secs, (double)tc / 1e6);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "lmdb-raw: %s\n", mdb_strerror(r.rc));
out:
	if (r.env != NULL)
		mdb_env_close(r.env);
	wbuf_free(&enc);
	free(lat);
	free(reg_dis);
	wl_regions_free(&rs);
	return rc;
}
