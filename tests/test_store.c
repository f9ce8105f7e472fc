/*
 * test_store.c - the LMDB store on a real environment with a tiny map.
 *
 * In the manner of Knot DNS's tests: no mock, a 1 MiB map in a mkdtemp()
 * directory; append every kind of entry, read everything back, reopen and
 * read it again; fill the map until STORAGE_FULL and check that nothing of
 * the failed transaction exists; grow the map and carry on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "errors.h"
#include "merkle.h"
#include "store.h"
#include "wire.h"

struct fixture {
	char		 dir[64];
	struct store	*st;
};

static void
rm_env(const char *dir)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
}

static void
reopen(struct fixture *f, uint64_t mb, int readonly)
{
	char err[256];

	store_close(f->st);
	f->st = NULL;
	if (store_open(&f->st, f->dir, mb, readonly, err, sizeof(err)) != 0)
		fail_msg("store_open: %s", err);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (store_open(&f->st, f->dir, 1, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	rm_env(f->dir);
	free(f);
	return 0;
}

/* A valid entry of kind k, as the writer would hand it to store_append. */
static struct ld_entry
mk(int kind, const char *region, int64_t amount, const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = (uint8_t)kind;
	snprintf(e.actor, sizeof(e.actor), "clerk01");
	snprintf(e.id, sizeof(e.id), "%s", id);
	e.recorded_at = INT64_C(1764338400000000);
	switch (kind) {
	case LD_K_REGION:
		snprintf(e.region, sizeof(e.region), "%s", region);
		snprintf(e.name, sizeof(e.name), "函館地域");
		e.grant_type = LD_G_CONTINUING;
		break;
	case LD_K_APPROPRIATION:
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		e.amount = amount;
		snprintf(e.ref, sizeof(e.ref), "BUDGET");
		break;
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		snprintf(e.region, sizeof(e.region), "%s", region);
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		e.amount = amount;
		snprintf(e.ref, sizeof(e.ref), "V-1");
		if (kind != LD_K_AWARD)
			e.date = 20130630;
		break;
	case LD_K_REVERSAL:
		e.target_kind = LD_K_DISBURSEMENT;
		snprintf(e.region, sizeof(e.region), "%s", region);
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		e.amount = amount;
		snprintf(e.reason, sizeof(e.reason), "twice");
		break;
	case LD_K_YEAR_CLOSE:
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		break;
	}
	return e;
}

static void
append_ok(struct store_txn *t, struct ld_entry *e,
    const struct ld_acct_bal *a, const struct ld_region_bal *r)
{
	assert_int_equal(store_append(t, e, a, r, NULL, NULL), LD_OK);
}

static void
test_open_empty_and_format(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	uint8_t root[32], empty[32], fmt[4];
	uint64_t used, map, seq;
	char err[256];
	struct store *st2;

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 0);
	assert_int_equal(store_get(t, 1, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "x", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_tree_root(t, 0, root), LD_OK);
	merkle_root(0, NULL, NULL, empty);
	assert_memory_equal(root, empty, 32);
	assert_int_equal(store_error(t), LD_OK);
	store_abort(t);

	assert_int_equal(store_usage(f->st, &used, &map), LD_OK);
	assert_int_equal(map, 1 << 20);
	assert_true(used > 0 && used < map);

	/* read-only open of the same ledger; a write txn is refused */
	reopen(f, 1, 1);
	assert_int_equal(store_begin(f->st, 1, &t), LD_E_INTERNAL);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 0);
	store_abort(t);

	/* a store of another format is refused */
	reopen(f, 1, 0);
	be32_put(fmt, STORE_FORMAT + 1);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_META, "format", 6,
	    fmt, 4), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(&f->st, f->dir, 1, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "format 2"));
	assert_int_equal(store_open(&f->st, f->dir, 1, 1, err, sizeof(err)), -1);

	/* read-only open of a directory that is not a ledger */
	assert_int_equal(store_open(&st2, "/nonexistent/ledger", 1, 1, err,
	    sizeof(err)), -1);
	/* a fresh ledger for teardown to close */
	rm_env(f->dir);
	assert_int_equal(store_open(&f->st, f->dir, 1, 0, err, sizeof(err)), 0);
}

/* Everything a ledger of every kind holds, checked through the API. */
static void
check_ledger(struct store *st)
{
	struct store_txn *t;
	struct ld_entry e;
	struct ld_acct_bal a, *as;
	struct ld_region_bal r, *rs;
	const uint8_t *enc;
	size_t len;
	uint8_t leaf[32], h[32];
	uint64_t seq, *seqs, i;
	uint32_t n;

	assert_int_equal(store_begin(st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 9);
	for (i = 1; i <= 9; i++) {
		assert_int_equal(store_get(t, i, &e), LD_OK);
		assert_int_equal(e.seq, i);
		assert_int_equal(store_get_raw(t, i, &enc, &len), LD_OK);
		assert_int_equal(store_get_leaf(t, i, leaf), LD_OK);
		entry_leaf_hash(enc, len, h);
		assert_memory_equal(leaf, h, 32);
	}
	assert_int_equal(store_get(t, 10, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_get(t, 0, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_get(t, 5, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_DISBURSEMENT);
	assert_string_equal(e.region, "hakodate");
	assert_int_equal(e.amount, 7000);
	assert_string_equal(e.memo, "概算払");

	assert_int_equal(store_find_id(t, "disb-1", &seq), LD_OK);
	assert_int_equal(seq, 5);
	assert_int_equal(store_find_id(t, "refund-1", &seq), LD_OK);
	assert_int_equal(seq, 6);
	assert_int_equal(store_find_id(t, "nope", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_region(t, "hakodate", &seq), LD_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(store_find_region(t, "aomori", &seq), LD_OK);
	assert_int_equal(seq, 2);
	assert_int_equal(store_find_region(t, "kurume", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_reversed_by(t, 5, &seq), LD_OK);
	assert_int_equal(seq, 8);
	assert_int_equal(store_reversed_by(t, 6, &seq), LD_E_NOT_FOUND);

	assert_int_equal(store_acct_bal(t, LD_A_GENERAL, 2013, &a), LD_OK);
	assert_int_equal(a.appropriated, 1000000000);
	assert_int_equal(a.awarded, 150000000);
	assert_int_equal(a.disbursed, 0);
	assert_int_equal(a.refunded, 1000);
	assert_int_equal(a.closed, 1);
	assert_int_equal(store_acct_bal(t, LD_A_RECONSTRUCTION, 2013, &a), LD_OK);
	assert_int_equal(a.account, LD_A_RECONSTRUCTION);
	assert_int_equal(a.fy, 2013);
	assert_int_equal(a.appropriated, 0);

	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_string_equal(r.region, "hakodate");
	assert_int_equal(r.fy, 2013);
	assert_int_equal(r.grant_type, LD_G_CONTINUING);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(r.award, 150000000);
	assert_int_equal(r.award_seq, 4);	/* the assigned seq */
	assert_int_equal(r.disbursed, 0);
	assert_int_equal(r.refunded, 1000);
	/* none stored: zero, but the region's grant type still shows */
	assert_int_equal(store_region_bal(t, "hakodate", 2015, &r), LD_OK);
	assert_int_equal(r.fy, 2015);
	assert_int_equal(r.award, 0);
	assert_int_equal(r.grant_type, LD_G_CONTINUING);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(store_region_bal(t, "nowhere", 2013, &r), LD_OK);
	assert_int_equal(r.grant_type, 0);

	assert_int_equal(store_acct_bals(t, 2013, &as, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(as[0].account, LD_A_GENERAL);
	free(as);
	assert_int_equal(store_acct_bals(t, 2012, &as, &n), LD_OK);
	assert_int_equal(n, 0);
	free(as);
	assert_int_equal(store_region_bals(t, 2013, &rs, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rs[0].region, "hakodate");
	assert_int_equal(rs[0].award, 150000000);
	free(rs);
	assert_int_equal(store_region_bals(t, 2014, &rs, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rs[0].region, "hakodate");
	assert_int_equal(rs[0].award, 123);
	free(rs);

	assert_int_equal(store_region_seqs(t, &seqs, &n), LD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[0], 2);	/* aomori < hakodate */
	assert_int_equal(seqs[1], 1);
	free(seqs);
	assert_int_equal(store_error(t), LD_OK);
	store_abort(t);
}

static void
test_every_kind_read_back_and_reopen(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e, back;
	struct ld_acct_bal a;
	struct ld_region_bal r;
	const uint8_t *enc;
	size_t len;
	struct wbuf w;

	memset(&a, 0, sizeof(a));
	a.account = LD_A_GENERAL;
	a.fy = 2013;
	memset(&r, 0, sizeof(r));
	snprintf(r.region, sizeof(r.region), "hakodate");
	r.fy = 2013;
	r.grant_type = LD_G_CONTINUING;
	r.account = LD_A_GENERAL;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = mk(LD_K_REGION, "hakodate", 0, "");
	assert_int_equal(store_append(t, &e, NULL, NULL, &enc, &len), LD_OK);
	assert_int_equal(e.seq, 1);
	/* enc is the canonical encoding of the entry as stored */
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	assert_int_equal(w.len, len);
	assert_memory_equal(w.data, enc, len);
	wbuf_free(&w);
	e = mk(LD_K_REGION, "aomori", 0, "");
	e.grant_type = LD_G_GENERAL;
	append_ok(t, &e, NULL, NULL);
	e = mk(LD_K_APPROPRIATION, "", 1000000000, "appr-1");
	a.appropriated = 1000000000;
	append_ok(t, &e, &a, NULL);
	e = mk(LD_K_AWARD, "hakodate", 150000000, "");
	a.awarded = 150000000;
	r.award = 150000000;
	r.award_seq = 0;	/* store_append fills in the seq */
	append_ok(t, &e, &a, &r);
	assert_int_equal(e.seq, 4);
	e = mk(LD_K_DISBURSEMENT, "hakodate", 7000, "disb-1");
	snprintf(e.memo, sizeof(e.memo), "概算払");
	a.disbursed = r.disbursed = 7000;
	append_ok(t, &e, &a, &r);
	e = mk(LD_K_REFUND, "hakodate", 1000, "refund-1");
	a.refunded = r.refunded = 1000;
	append_ok(t, &e, &a, &r);
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_size(t), 6);
	/* a region balance of another year, and one with nothing yet */
	e = mk(LD_K_AWARD, "hakodate", 123, "");
	e.fy = 2014;
	r.fy = 2014;
	r.award = 123;
	r.disbursed = r.refunded = 0;
	append_ok(t, &e, NULL, &r);
	e = mk(LD_K_REVERSAL, "hakodate", 7000, "rev-5");
	e.reverses = 5;
	a.disbursed = 0;
	r.fy = 2013;
	r.award = 150000000;
	r.award_seq = 4;
	r.disbursed = 0;
	r.refunded = 1000;
	append_ok(t, &e, &a, &r);
	e = mk(LD_K_YEAR_CLOSE, "", 0, "");
	e.appropriated = 1000000000;
	e.awarded = 150000000;
	e.refunded = 1000;
	a.closed = 1;
	append_ok(t, &e, &a, NULL);
	/* aomori has no balance, but its grant type shows */
	assert_int_equal(store_region_bal(t, "aomori", 2013, &r), LD_OK);
	assert_int_equal(r.grant_type, LD_G_GENERAL);
	assert_int_equal(r.account, LD_A_GENERAL);
	/* bytes of this txn's appends stay readable until it ends */
	assert_int_equal(store_get(t, 8, &back), LD_OK);
	assert_int_equal(back.kind, LD_K_REVERSAL);
	assert_int_equal(back.reverses, 5);
	assert_int_equal(store_commit(t), LD_OK);

	check_ledger(f->st);
	reopen(f, 1, 0);
	check_ledger(f->st);
	reopen(f, 1, 1);
	check_ledger(f->st);
}

/* A disbursement with a long memo, so that a 1 MiB map fills quickly. */
static struct ld_entry
big(unsigned i)
{
	struct ld_entry e = mk(LD_K_DISBURSEMENT, "hakodate", 1 + i, "");

	snprintf(e.id, sizeof(e.id), "id-%u", i);
	memset(e.memo, 'm', 400);
	e.memo[400] = '\0';
	return e;
}

/* Root of the first n stored leaves, recomputed without the nodes. */
static void
stream_root(struct store_txn *t, uint64_t n, uint8_t root[32])
{
	struct merkle_stream ms;
	uint8_t leaf[32];
	uint64_t i;

	merkle_stream_init(&ms);
	for (i = 1; i <= n; i++) {
		assert_int_equal(store_get_leaf(t, i, leaf), LD_OK);
		merkle_stream_push(&ms, leaf);
	}
	merkle_stream_root(&ms, root);
}

static void
test_storage_full_then_grow(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	struct ld_region_bal r;
	uint64_t committed = 0, used_ok = 0, map, used, seq, n;
	uint8_t a[32], b[32];
	unsigned i = 0, k;
	int rc = LD_OK, full = 0;

	memset(&r, 0, sizeof(r));
	snprintf(r.region, sizeof(r.region), "hakodate");
	r.fy = 2013;
	/* transactions of 20 appends until the map is full */
	while (!full && i < 100000) {
		assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
		for (k = 0; k < 20; k++) {
			e = big(i++);
			r.disbursed += e.amount;
			rc = store_append(t, &e, NULL, &r, NULL, NULL);
			if (rc != LD_OK)
				break;
		}
		if (rc == LD_OK) {
			/* the sticky error leaves everything else a no-op */
			assert_int_equal(store_error(t), LD_OK);
			rc = store_commit(t);
		} else {
			assert_int_equal(store_error(t), rc);
			e = big(i);
			assert_int_equal(store_append(t, &e, NULL, NULL, NULL,
			    NULL), rc);
			assert_int_equal(store_get(t, 1, &e), rc);
			assert_int_equal(store_commit(t), rc);
		}
		if (rc == LD_OK) {
			committed += 20;
			assert_int_equal(store_usage(f->st, &used_ok, &map), LD_OK);
		} else {
			assert_int_equal(rc, LD_E_STORAGE_FULL);
			full = 1;
		}
	}
	assert_true(full);
	assert_true(committed > 0);

	/* nothing of the failed transaction exists */
	assert_int_equal(store_usage(f->st, &used, &map), LD_OK);
	assert_int_equal(used, used_ok);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), committed);
	assert_int_equal(store_get(t, committed, &e), LD_OK);
	assert_int_equal(store_get(t, committed + 1, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_get_leaf(t, committed + 1, a), LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "id-0", &seq), LD_OK);
	assert_int_equal(store_find_id(t, e.id, &seq), LD_OK);
	assert_int_equal(seq, committed);
	snprintf(e.id, sizeof(e.id), "id-%u", (unsigned)committed);
	assert_int_equal(store_find_id(t, e.id, &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_count(t, STORE_DB_ENTRIES, &n), LD_OK);
	assert_int_equal(n, committed);
	assert_int_equal(store_count(t, STORE_DB_NODES, &n), LD_OK);
	assert_int_equal(n, committed - (uint64_t)__builtin_popcountll(committed));
	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_int_equal(r.disbursed, (int64_t)(committed * (committed + 1) / 2));
	assert_int_equal(store_tree_root(t, committed, a), LD_OK);
	stream_root(t, committed, b);
	assert_memory_equal(a, b, 32);
	store_abort(t);

	/* a bigger map: carry on where the ledger stopped */
	reopen(f, 4, 0);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_size(t), committed);
	for (k = 0; k < 100; k++) {
		e = big((unsigned)committed + k);
		assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL), LD_OK);
		assert_int_equal(e.seq, committed + k + 1);
	}
	assert_int_equal(store_commit(t), LD_OK);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), committed + 100);
	assert_int_equal(store_tree_root(t, committed + 100, a), LD_OK);
	stream_root(t, committed + 100, b);
	assert_memory_equal(a, b, 32);
	store_abort(t);
}

static void
test_nested(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t, *c;
	struct ld_entry e;
	const uint8_t *enc1, *enc2;
	size_t len1, len2;
	uint64_t seq;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = mk(LD_K_REGION, "hakodate", 0, "r1");
	assert_int_equal(store_append(t, &e, NULL, NULL, &enc1, &len1), LD_OK);

	/* an aborted child leaves the parent as it was */
	assert_int_equal(store_begin_nested(t, &c), LD_OK);
	assert_int_equal(store_size(c), 1);
	e = mk(LD_K_REGION, "aomori", 0, "r2");
	assert_int_equal(store_append(c, &e, NULL, NULL, NULL, NULL), LD_OK);
	assert_int_equal(store_size(c), 2);
	store_abort(c);
	assert_int_equal(store_size(t), 1);
	assert_int_equal(store_find_id(t, "r2", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_region(t, "aomori", &seq), LD_E_NOT_FOUND);

	/* a committed child's appends belong to the parent */
	assert_int_equal(store_begin_nested(t, &c), LD_OK);
	e = mk(LD_K_REGION, "kurume", 0, "r3");
	assert_int_equal(store_append(c, &e, NULL, NULL, &enc2, &len2), LD_OK);
	assert_int_equal(e.seq, 2);
	assert_int_equal(store_commit(c), LD_OK);
	assert_int_equal(store_size(t), 2);
	e = mk(LD_K_REGION, "tokachi", 0, "r4");
	append_ok(t, &e, NULL, NULL);
	assert_int_equal(e.seq, 3);
	/* enc of the child's append is still valid in the parent */
	assert_int_equal(entry_decode(&e, enc2, len2), 0);
	assert_string_equal(e.region, "kurume");
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 3);
	assert_int_equal(store_find_id(t, "r3", &seq), LD_OK);
	assert_int_equal(seq, 2);
	assert_int_equal(store_find_id(t, "r2", &seq), LD_E_NOT_FOUND);
	store_abort(t);
}

static void
test_tree_root_matches_stream(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	uint8_t a[32], b[32];
	uint64_t n, size;
	unsigned i, k;

	/* irregular transaction sizes, so nodes span commits */
	for (i = 0, k = 1; i < 77; k = k % 5 + 1) {
		assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
		for (unsigned j = 0; j < k && i < 77; j++, i++) {
			e = mk(LD_K_APPROPRIATION, "", 1 + i, "");
			append_ok(t, &e, NULL, NULL);
		}
		assert_int_equal(store_commit(t), LD_OK);
	}
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	for (size = 0; size <= 77; size++) {
		assert_int_equal(store_tree_root(t, size, a), LD_OK);
		stream_root(t, size, b);
		assert_memory_equal(a, b, 32);
	}
	assert_int_equal(store_count(t, STORE_DB_NODES, &n), LD_OK);
	assert_int_equal(n, 77 - __builtin_popcount(77));
	store_abort(t);
}

static void
test_enc_valid_until_txn_ends(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	const uint8_t *enc[300], *raw;
	size_t len[300], rawlen;
	unsigned i;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	for (i = 0; i < 300; i++) {
		e = big(i);
		assert_int_equal(store_append(t, &e, NULL, NULL, &enc[i], &len[i]),
		    LD_OK);
	}
	assert_int_equal(store_get_raw(t, 7, &raw, &rawlen), LD_OK);
	for (i = 0; i < 300; i++) {
		e = big(i + 1000);	/* more puts after the pointer was taken */
		e.id[0] = '\0';
		append_ok(t, &e, NULL, NULL);
	}
	for (i = 0; i < 300; i++) {
		assert_int_equal(entry_decode(&e, enc[i], len[i]), 0);
		assert_int_equal(e.seq, i + 1);
	}
	assert_int_equal(rawlen, len[6]);
	assert_memory_equal(raw, enc[6], rawlen);
	assert_int_equal(store_commit(t), LD_OK);
}

static void
test_errors_sticky_and_not(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	uint8_t key[8];
	uint64_t seq;

	/* an entry that does not encode: refused, nothing written, not sticky */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = mk(LD_K_REGION, "hakodate", 0, "");
	e.actor[0] = '\0';
	assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL),
	    LD_E_INTERNAL);
	assert_int_equal(e.seq, 0);
	assert_int_equal(store_error(t), LD_OK);
	assert_int_equal(store_size(t), 0);
	e = mk(LD_K_REGION, "hakodate", 0, "x");
	append_ok(t, &e, NULL, NULL);
	assert_int_equal(store_commit(t), LD_OK);

	/* an id written twice is a bug: it sticks and the commit aborts */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = mk(LD_K_REGION, "aomori", 0, "x");
	assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL),
	    LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	assert_int_equal(store_find_region(t, "hakodate", &seq), LD_E_INTERNAL);
	assert_int_equal(store_commit(t), LD_E_INTERNAL);

	/* a seq key that already exists (MDB_APPEND): fatal too */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	be64_put(key, 2);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_ENTRIES, key, 8, "junk",
	    4), LD_OK);
	e = mk(LD_K_REGION, "aomori", 0, "");
	assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL),
	    LD_E_INTERNAL);
	store_abort(t);

	/* nothing of either failed transaction is there */
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 1);
	assert_int_equal(store_find_region(t, "aomori", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_get(t, 2, &e), LD_E_NOT_FOUND);
	store_abort(t);

	/* an undecodable stored entry is INTERNAL */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	be64_put(key, 1);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_ENTRIES, key, 8, "junk",
	    4), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_get(t, 1, &e), LD_E_INTERNAL);
	store_abort(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_empty_and_format,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_every_kind_read_back_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_full_then_grow,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_root_matches_stream,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_enc_valid_until_txn_ends,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_sticky_and_not,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
