/*
 * test_store.c - the LMDB store on a real environment with a tiny map.
 *
 * In the manner of Knot DNS's tests: no mock, a 1 MiB map in a mkdtemp()
 * directory.  Realistic ledgers are written through apply_write(), the one
 * path from a request to an entry and its derived state; the store's own
 * operations (append, the derived-state records, diff, transactions) are
 * also exercised directly with hand-made entries and records.  Fill the map
 * until STORAGE_FULL and check that nothing of the failed transaction
 * exists; grow the map and carry on.
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

#include "apply.h"
#include "config.h"
#include "errors.h"
#include "merkle.h"
#include "receivable.h"
#include "store.h"
#include "store_debug.h"
#include "wire.h"

#define OKU	INT64_C(100000000)
/* 2015-01-01T00:00:00Z: after every FY2013 deadline used below. */
#define NOW	INT64_C(1420070400000000)

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

/* ---- requests, decided and appended by apply_write ---- */

static struct ld_entry
q_region(const char *code, int grant, const char *id)
{
	struct ld_entry q;

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_REGION;
	snprintf(q.region, sizeof(q.region), "%s", code);
	snprintf(q.name, sizeof(q.name), "地域 %s", code);
	q.grant_type = (uint8_t)grant;
	snprintf(q.id, sizeof(q.id), "%s", id);
	return q;
}

static struct ld_entry
q_terms(uint16_t fy, int grant, int64_t min, int64_t max)
{
	struct ld_entry q;

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_TERMS;
	q.fy = fy;
	q.grant_type = (uint8_t)grant;
	q.min = min;
	q.max = max;
	q.interest_bp = 1095;
	q.late_bp = 1095;
	snprintf(q.ref, sizeof(q.ref), "T-%u", fy);
	return q;
}

static struct ld_entry
q_approp(int account, uint16_t fy, int64_t amount, const char *id)
{
	struct ld_entry q;

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_APPROPRIATION;
	q.account = (uint8_t)account;
	q.fy = fy;
	q.amount = amount;
	snprintf(q.ref, sizeof(q.ref), "BUDGET");
	snprintf(q.id, sizeof(q.id), "%s", id);
	return q;
}

static unsigned vouchers;	/* refs of payments written without an id */

/* An award, disbursement or refund of region-year (region, fy). */
static struct ld_entry
q_money(int kind, const char *region, uint16_t fy, int64_t amount,
    uint32_t date, const char *id)
{
	struct ld_entry q;

	memset(&q, 0, sizeof(q));
	q.kind = (uint8_t)kind;
	snprintf(q.region, sizeof(q.region), "%s", region);
	q.fy = fy;
	q.amount = amount;
	/* A voucher per payment (DUPLICATE_REF); a retry keeps its id's. */
	if (id[0] != '\0')
		snprintf(q.ref, sizeof(q.ref), "V-%s", id);
	else
		snprintf(q.ref, sizeof(q.ref), "V-%u", ++vouchers);
	q.date = date;
	snprintf(q.id, sizeof(q.id), "%s", id);
	return q;
}

static struct ld_entry
q_rev(uint64_t seq, const char *id)
{
	struct ld_entry q;

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_REVERSAL;
	q.reverses = seq;
	snprintf(q.reason, sizeof(q.reason), "twice");
	snprintf(q.id, sizeof(q.id), "%s", id);
	return q;
}

static struct ld_entry
q_close(int account, uint16_t fy)
{
	struct ld_entry q;

	memset(&q, 0, sizeof(q));
	q.kind = LD_K_YEAR_CLOSE;
	q.account = (uint8_t)account;
	q.fy = fy;
	return q;
}

static int
wr(struct store_txn *t, int role, struct ld_entry q)
{
	const uint8_t *enc;
	size_t len;
	int dup;

	return apply_write(t, role, role == ROLE_ADMIN ? "admin01" : "clerk01",
	    NOW, &q, &dup, &enc, &len, NULL);
}

/* Write q as role; it must be accepted as a new entry with seq want. */
static void
must(struct store_txn *t, int role, struct ld_entry q, uint64_t want)
{
	const uint8_t *enc;
	struct ld_entry back;
	size_t len;
	int dup = -1, rc;

	rc = apply_write(t, role, role == ROLE_ADMIN ? "admin01" : "clerk01",
	    NOW, &q, &dup, &enc, &len, NULL);
	if (rc != LD_OK)
		fail_msg("%s refused: %s", ld_kind_name(q.kind), ld_err_name(rc));
	assert_int_equal(dup, 0);
	assert_int_equal(q.seq, want);
	assert_int_equal(store_size(t), want);
	/* enc is the entry as stored, and q is what it decodes to */
	assert_int_equal(entry_decode(&back, enc, len), 0);
	assert_int_equal(back.seq, want);
	assert_int_equal(back.format, LD_ENTRY_FORMAT);
	assert_true(back.recorded_at == NOW);
}

/* ---- hand-made entries, for the store's own operations ---- */

/* A valid entry of kind k, as a writer would hand it to store_append. */
static struct ld_entry
mk(int kind, const char *region, int64_t amount, const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.format = LD_ENTRY_FORMAT;
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
	case LD_K_DISBURSEMENT:
		snprintf(e.region, sizeof(e.region), "%s", region);
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		e.amount = amount;
		snprintf(e.ref, sizeof(e.ref), "V-1");
		e.date = 20130630;
		break;
	}
	return e;
}

/* store_append of e as the next seq. */
static int
append(struct store_txn *t, struct ld_entry *e, const uint8_t **enc,
    size_t *len)
{
	e->seq = store_size(t) + 1;
	return store_append(t, e, enc, len);
}

static void
append_ok(struct store_txn *t, struct ld_entry *e)
{
	assert_int_equal(append(t, e, NULL, NULL), LD_OK);
}

/* ---- tests ---- */

static void
test_open_empty_and_format(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	struct ld_terms x;
	struct ld_order *o;
	struct rcv_payment *pay;
	size_t npay;
	uint8_t root[32], empty[32], fmt[4];
	uint64_t used, map, seq, n;
	char err[256];
	struct store *st2;
	int db;

	/* a fresh store is current: nothing to rebuild */
	assert_int_equal(store_needs_rebuild(f->st), 0);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 0);
	assert_int_equal(store_get(t, 1, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "x", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_tree_root(t, 0, root), LD_OK);
	merkle_root(0, NULL, NULL, empty);
	assert_memory_equal(root, empty, 32);
	for (db = STORE_DB_ENTRIES; db < STORE_DB_COUNT; db++) {
		assert_int_equal(store_count(t, db, &n), LD_OK);
		assert_int_equal(n, 0);
	}
	assert_int_equal(store_terms(t, 2013, LD_G_GENERAL, &x), LD_E_NOT_FOUND);
	assert_int_equal(x.seq, 0);
	assert_int_equal(store_payments(t, "hakodate", 2013, &pay, &npay), LD_OK);
	assert_null(pay);
	assert_int_equal(npay, 0);
	o = malloc(sizeof(*o));
	assert_non_null(o);
	assert_int_equal(store_order(t, "hakodate", 2013, o), LD_E_NOT_FOUND);
	free(o);
	assert_int_equal(store_error(t), LD_OK);
	store_abort(t);

	assert_int_equal(store_usage(f->st, &used, &map), LD_OK);
	assert_int_equal(map, 1 << 20);
	assert_true(used > 0 && used < map);

	/* read-only open of the same ledger; a write txn is refused */
	reopen(f, 1, 1);
	assert_int_equal(store_needs_rebuild(f->st), 0);
	assert_int_equal(store_begin(f->st, 1, &t), LD_E_INTERNAL);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 0);
	store_abort(t);

	/*
	 * A version 1 store (format record 1) opens, says it must be
	 * rebuilt, and is current once apply_rebuild() ran.
	 */
	reopen(f, 1, 0);
	be32_put(fmt, 1);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_META, "format", 6,
	    fmt, 4), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	reopen(f, 1, 0);
	assert_int_equal(store_needs_rebuild(f->st), 1);
	reopen(f, 1, 1);
	assert_int_equal(store_needs_rebuild(f->st), 1);
	reopen(f, 1, 0);
	assert_int_equal(apply_rebuild(f->st, err, sizeof(err)), 0);
	assert_int_equal(store_needs_rebuild(f->st), 0);
	reopen(f, 1, 0);
	assert_int_equal(store_needs_rebuild(f->st), 0);

	/* a store of another format is refused */
	be32_put(fmt, STORE_FORMAT + 1);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_META, "format", 6,
	    fmt, 4), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(&f->st, f->dir, 1, 0, err, sizeof(err)), -1);
	{
		char want[32];

		snprintf(want, sizeof(want), "format %u", STORE_FORMAT + 1);
		assert_non_null(strstr(err, want));
	}
	assert_int_equal(store_open(&f->st, f->dir, 1, 1, err, sizeof(err)), -1);

	/* read-only open of a directory that is not a ledger */
	assert_int_equal(store_open(&st2, "/nonexistent/ledger", 1, 1, err,
	    sizeof(err)), -1);
	/* a fresh ledger for teardown to close */
	rm_env(f->dir);
	assert_int_equal(store_open(&f->st, f->dir, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(store_needs_rebuild(f->st), 0);
}

/*
 * The ledger of test_every_kind_read_back_and_reopen, written through
 * apply_write:
 *  1 region hakodate (continuing)     2 region aomori (general)
 *  3 terms 2013 continuing             4 appropriation general 2013 10億
 *  5 award hakodate 2013 1.5億         6 disbursement hakodate 7000 (disb-1)
 *  7 refund hakodate 1000 (refund-1)   8 terms 2014 continuing
 *  9 appropriation general 2014 500   10 award hakodate 2014 123
 * 11 disbursement hakodate 3000       12 reversal of 11 (rev-11)
 * 13 year_close general 2013
 */
static void
check_ledger(struct store *st)
{
	struct store_txn *t;
	struct ld_entry e;
	struct ld_acct_bal a, *as;
	struct ld_region_bal r, *rs;
	struct ld_terms x, *xs;
	struct rcv_payment *pay;
	const uint8_t *enc;
	size_t len, npay;
	uint8_t leaf[32], h[32];
	uint64_t seq, *seqs, i;
	uint16_t *fys;
	uint8_t *grants;
	uint32_t n;
	struct wbuf w;

	assert_int_equal(store_begin(st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 13);
	for (i = 1; i <= 13; i++) {
		assert_int_equal(store_get(t, i, &e), LD_OK);
		assert_int_equal(e.seq, i);
		assert_int_equal(e.format, LD_ENTRY_FORMAT);
		assert_int_equal(store_get_raw(t, i, &enc, &len), LD_OK);
		assert_int_equal(store_get_leaf(t, i, leaf), LD_OK);
		entry_leaf_hash(enc, len, h);
		assert_memory_equal(leaf, h, 32);
		/* the stored bytes are the canonical encoding */
		wbuf_init(&w);
		assert_int_equal(entry_encode(&w, &e), 0);
		assert_int_equal(w.len, len);
		assert_memory_equal(w.data, enc, len);
		wbuf_free(&w);
	}
	assert_int_equal(store_get(t, 14, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_get(t, 0, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_get(t, 6, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_DISBURSEMENT);
	assert_string_equal(e.region, "hakodate");
	assert_int_equal(e.account, LD_A_GENERAL);	/* derived */
	assert_int_equal(e.amount, 7000);
	assert_string_equal(e.memo, "概算払");
	assert_string_equal(e.actor, "clerk01");
	assert_int_equal(store_get(t, 5, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_AWARD);
	assert_int_equal(e.date, 20130401);
	assert_string_equal(e.actor, "admin01");
	assert_int_equal(store_get(t, 12, &e), LD_OK);
	assert_int_equal(e.target_kind, LD_K_DISBURSEMENT);
	assert_int_equal(e.amount, 3000);
	assert_int_equal(store_get(t, 13, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_YEAR_CLOSE);
	assert_true(e.appropriated == 10 * OKU);
	assert_true(e.awarded == 150000000);
	assert_true(e.disbursed == 7000 && e.refunded == 1000 && e.net == 6000);
	assert_true(e.budget == 10 * OKU && e.carried_in == 0 &&
	    e.carried_out == 0 && e.receipts == 0);
	assert_true(e.unused == 10 * OKU - 6000);
	assert_true(e.execution_rate_bp == 0);

	assert_int_equal(store_find_id(t, "disb-1", &seq), LD_OK);
	assert_int_equal(seq, 6);
	assert_int_equal(store_find_id(t, "refund-1", &seq), LD_OK);
	assert_int_equal(seq, 7);
	assert_int_equal(store_find_id(t, "rev-11", &seq), LD_OK);
	assert_int_equal(seq, 12);
	assert_int_equal(store_find_id(t, "nope", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_region(t, "hakodate", &seq), LD_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(store_find_region(t, "aomori", &seq), LD_OK);
	assert_int_equal(seq, 2);
	assert_int_equal(store_find_region(t, "kurume", &seq), LD_E_NOT_FOUND);
	{
		int grant;

		assert_int_equal(store_region_grant(t, "aomori", &grant), LD_OK);
		assert_int_equal(grant, LD_G_GENERAL);
		assert_int_equal(store_region_grant(t, "hakodate", &grant),
		    LD_OK);
		assert_int_equal(grant, LD_G_CONTINUING);
		assert_int_equal(store_region_grant(t, "kurume", &grant),
		    LD_E_NOT_FOUND);
		assert_int_equal(grant, 0);
	}
	assert_int_equal(store_reversed_by(t, 11, &seq), LD_OK);
	assert_int_equal(seq, 12);
	assert_int_equal(store_reversed_by(t, 6, &seq), LD_E_NOT_FOUND);

	assert_int_equal(store_acct_bal(t, LD_A_GENERAL, 2013, &a), LD_OK);
	assert_int_equal(a.appropriated, 10 * OKU);
	assert_int_equal(a.awarded, 150000000);
	assert_int_equal(a.disbursed, 7000);
	assert_int_equal(a.refunded, 1000);
	assert_int_equal(a.closed, 1);
	assert_true(a.carried_in == 0 && a.carried_out == 0 && a.receipts == 0);
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
	assert_int_equal(r.award_seq, 5);	/* the assigned seq */
	assert_int_equal(r.award_date, 20130401);
	assert_int_equal(r.disbursed, 7000);
	assert_int_equal(r.refunded, 1000);
	assert_true(!r.cancelled && !r.settled_set && !r.has_order);
	/* none stored: zero, but the region's grant type still shows */
	assert_int_equal(store_region_bal(t, "hakodate", 2015, &r), LD_OK);
	assert_int_equal(r.fy, 2015);
	assert_int_equal(r.award, 0);
	assert_int_equal(r.grant_type, LD_G_CONTINUING);
	assert_int_equal(r.account, LD_A_GENERAL);
	assert_int_equal(store_region_bal(t, "aomori", 2013, &r), LD_OK);
	assert_int_equal(r.grant_type, LD_G_GENERAL);
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
	assert_int_equal(store_acct_bals(t, 2014, &as, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(as[0].appropriated, 500);
	assert_int_equal(as[0].awarded, 123);
	assert_int_equal(as[0].closed, 0);
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
	assert_int_equal(rs[0].award_seq, 10);
	assert_int_equal(rs[0].disbursed, 0);
	free(rs);

	/* the terms in force, as the terms entries left them */
	assert_int_equal(store_terms(t, 2013, LD_G_CONTINUING, &x), LD_OK);
	assert_int_equal(x.seq, 3);
	assert_true(x.min == 0 && x.max == 0);
	assert_int_equal(x.deadline, 20140430);	/* the default, resolved */
	assert_int_equal(x.interest_bp, 1095);
	assert_int_equal(x.late_bp, 1095);
	assert_int_equal(store_terms(t, 2013, LD_G_GENERAL, &x), LD_E_NOT_FOUND);
	assert_int_equal(store_terms_all(t, 0, &xs, &fys, &grants, &n), LD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(fys[0], 2013);
	assert_int_equal(fys[1], 2014);
	assert_int_equal(grants[0], LD_G_CONTINUING);
	assert_int_equal(xs[1].seq, 8);
	assert_int_equal(xs[1].deadline, 20150430);
	free(xs);
	free(fys);
	free(grants);

	/* the unreversed disbursements: 11 was reversed by 12 */
	assert_int_equal(store_payments(t, "hakodate", 2013, &pay, &npay), LD_OK);
	assert_int_equal(npay, 1);
	assert_int_equal(pay[0].date, 20130630);
	assert_int_equal(pay[0].amount, 7000);
	free(pay);

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
	struct ld_entry e, q;
	struct ld_region_bal r;
	const uint8_t *enc, *raw;
	size_t len, rawlen;
	int dup;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must(t, ROLE_ADMIN, q_region("hakodate", LD_G_CONTINUING, ""), 1);
	must(t, ROLE_ADMIN, q_region("aomori", LD_G_GENERAL, ""), 2);
	must(t, ROLE_ADMIN, q_terms(2013, LD_G_CONTINUING, 0, 0), 3);
	must(t, ROLE_ADMIN, q_approp(LD_A_GENERAL, 2013, 10 * OKU, "appr-1"), 4);
	must(t, ROLE_ADMIN, q_money(LD_K_AWARD, "hakodate", 2013, 150000000,
	    20130401, ""), 5);
	q = q_money(LD_K_DISBURSEMENT, "hakodate", 2013, 7000, 20130630,
	    "disb-1");
	snprintf(q.memo, sizeof(q.memo), "概算払");
	must(t, ROLE_CLERK, q, 6);
	must(t, ROLE_CLERK, q_money(LD_K_REFUND, "hakodate", 2013, 1000,
	    20130701, "refund-1"), 7);
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_size(t), 7);
	/* a region balance of another year */
	must(t, ROLE_ADMIN, q_terms(2014, LD_G_CONTINUING, 0, 0), 8);
	must(t, ROLE_ADMIN, q_approp(LD_A_GENERAL, 2014, 500, ""), 9);
	must(t, ROLE_ADMIN, q_money(LD_K_AWARD, "hakodate", 2014, 123,
	    20140401, ""), 10);
	must(t, ROLE_CLERK, q_money(LD_K_DISBURSEMENT, "hakodate", 2013, 3000,
	    20130801, ""), 11);
	must(t, ROLE_CLERK, q_rev(11, "rev-11"), 12);
	must(t, ROLE_ADMIN, q_close(LD_A_GENERAL, 2013), 13);
	/* a refusal appends nothing */
	assert_int_equal(wr(t, ROLE_ADMIN, q_region("hakodate",
	    LD_G_GENERAL, "")), LD_E_DUPLICATE_REGION);
	assert_int_equal(wr(t, ROLE_CLERK, q_money(LD_K_DISBURSEMENT,
	    "hakodate", 2013, 1, 20130801, "")), LD_E_YEAR_CLOSED);
	assert_int_equal(store_size(t), 13);
	assert_int_equal(store_error(t), LD_OK);
	/* aomori has no balance, but its grant type shows */
	assert_int_equal(store_region_bal(t, "aomori", 2013, &r), LD_OK);
	assert_int_equal(r.grant_type, LD_G_GENERAL);
	assert_int_equal(r.account, LD_A_GENERAL);
	/* bytes of this txn's appends stay readable until it ends */
	assert_int_equal(store_get(t, 12, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_REVERSAL);
	assert_int_equal(e.reverses, 11);
	/* a repeated id is the stored entry, not a new one */
	q = q_money(LD_K_REFUND, "hakodate", 2013, 1000, 20130701, "refund-1");
	dup = 0;
	assert_int_equal(apply_write(t, ROLE_CLERK, "clerk02", NOW, &q, &dup,
	    &enc, &len, NULL), LD_OK);
	assert_int_equal(dup, 1);
	assert_int_equal(store_get_raw(t, 7, &raw, &rawlen), LD_OK);
	assert_int_equal(len, rawlen);
	assert_memory_equal(enc, raw, len);
	assert_int_equal(store_size(t), 13);
	assert_int_equal(store_commit(t), LD_OK);

	check_ledger(f->st);
	reopen(f, 1, 0);
	check_ledger(f->st);
	reopen(f, 1, 1);
	check_ledger(f->st);
}

/* ---- terms, payments, orders, directly ---- */

static void
test_terms_records(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_terms a, b, c, x, *xs;
	uint16_t *fys;
	uint8_t *grants;
	uint32_t n;

	memset(&a, 0, sizeof(a));
	a.seq = 3;
	a.min = 100000000;
	a.max = 200000000;
	a.deadline = 20140430;
	a.interest_bp = 1095;
	a.late_bp = 1460;
	b = a;
	b.seq = 4;
	b.min = 250000000;
	b.max = LD_AMOUNT_MAX;
	b.deadline = 20140531;
	b.interest_bp = LD_RATE_MAX;
	b.late_bp = 0;
	memset(&c, 0, sizeof(c));
	c.seq = UINT64_MAX;
	c.deadline = 20150430;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_put_terms(t, 2013, LD_G_RECONSTRUCTION, &b), LD_OK);
	assert_int_equal(store_put_terms(t, 2014, LD_G_CONTINUING, &c), LD_OK);
	assert_int_equal(store_put_terms(t, 2013, LD_G_GENERAL, &a), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_terms(t, 2013, LD_G_GENERAL, &x), LD_OK);
	assert_memory_equal(&x, &a, sizeof(x));
	assert_int_equal(store_terms(t, 2013, LD_G_RECONSTRUCTION, &x), LD_OK);
	assert_true(x.seq == 4 && x.min == 250000000 && x.max == LD_AMOUNT_MAX);
	assert_int_equal(x.deadline, 20140531);
	assert_int_equal(x.interest_bp, LD_RATE_MAX);
	assert_int_equal(x.late_bp, 0);
	assert_int_equal(store_terms(t, 2014, LD_G_CONTINUING, &x), LD_OK);
	assert_true(x.seq == UINT64_MAX && x.min == 0 && x.max == 0);
	/* other keys: not found, *out zeroed */
	memset(&x, 0x55, sizeof(x));
	assert_int_equal(store_terms(t, 2013, LD_G_CONTINUING, &x), LD_E_NOT_FOUND);
	assert_true(x.seq == 0 && x.deadline == 0);
	assert_int_equal(store_terms(t, 2014, LD_G_GENERAL, &x), LD_E_NOT_FOUND);

	/* all of one year by grant, or of every year by fy then grant */
	assert_int_equal(store_terms_all(t, 2013, &xs, &fys, &grants, &n), LD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(grants[0], LD_G_GENERAL);
	assert_int_equal(grants[1], LD_G_RECONSTRUCTION);
	assert_int_equal(fys[0], 2013);
	assert_int_equal(fys[1], 2013);
	assert_int_equal(xs[0].seq, 3);
	assert_int_equal(xs[1].seq, 4);
	free(xs);
	free(fys);
	free(grants);
	assert_int_equal(store_terms_all(t, 0, &xs, &fys, &grants, &n), LD_OK);
	assert_int_equal(n, 3);
	assert_int_equal(fys[2], 2014);
	assert_int_equal(grants[2], LD_G_CONTINUING);
	free(xs);
	free(fys);
	free(grants);
	assert_int_equal(store_terms_all(t, 2012, &xs, &fys, &grants, &n), LD_OK);
	assert_int_equal(n, 0);
	free(xs);
	free(fys);
	free(grants);
	assert_int_equal(store_terms_all(t, 2015, &xs, &fys, &grants, &n), LD_OK);
	assert_int_equal(n, 0);
	free(xs);
	free(fys);
	free(grants);
	assert_int_equal(store_error(t), LD_OK);
	store_abort(t);

	/* a later terms entry replaces the record in force */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	b.seq = 9;
	b.max = 400000000;
	assert_int_equal(store_put_terms(t, 2013, LD_G_RECONSTRUCTION, &b), LD_OK);
	assert_int_equal(store_terms(t, 2013, LD_G_RECONSTRUCTION, &x), LD_OK);
	assert_int_equal(x.seq, 9);
	assert_true(x.max == 400000000);
	assert_int_equal(store_commit(t), LD_OK);

	/* a malformed record is INTERNAL, and it sticks */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	{
		uint8_t key[3] = { 0x07, 0xdd, LD_G_GENERAL };

		assert_int_equal(store_debug_put_raw(t, STORE_DB_TERMS, key, 3,
		    "short", 5), LD_OK);
	}
	assert_int_equal(store_terms(t, 2013, LD_G_GENERAL, &x), LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	assert_int_equal(store_terms(t, 2014, LD_G_CONTINUING, &x), LD_E_INTERNAL);
	assert_int_equal(store_commit(t), LD_E_INTERNAL);
}

static void
test_payments(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct rcv_payment *pay;
	size_t n;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	/* put out of seq order: read back in seq order */
	assert_int_equal(store_put_payment(t, "hakodate", 2013, 900, 20130901,
	    9000), LD_OK);
	assert_int_equal(store_put_payment(t, "hakodate", 2013, 3, 20130601,
	    300), LD_OK);
	assert_int_equal(store_put_payment(t, "hakodate", 2013, 256, 20130701,
	    2560), LD_OK);
	assert_int_equal(store_put_payment(t, "hakodate", 2013, 5, 20130630,
	    LD_AMOUNT_MAX), LD_OK);
	/* neighbours: a code that is a prefix, and other years */
	assert_int_equal(store_put_payment(t, "hako", 2013, 4, 20130605, 44),
	    LD_OK);
	assert_int_equal(store_put_payment(t, "hakodate-2", 2013, 6, 20130606,
	    66), LD_OK);
	assert_int_equal(store_put_payment(t, "hakodate", 2014, 7, 20140707,
	    77), LD_OK);
	assert_int_equal(store_put_payment(t, "hakodate", 2012, 2, 20120707,
	    22), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_payments(t, "hakodate", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 4);
	assert_int_equal(pay[0].date, 20130601);
	assert_int_equal(pay[0].amount, 300);
	assert_int_equal(pay[1].date, 20130630);
	assert_true(pay[1].amount == LD_AMOUNT_MAX);
	assert_int_equal(pay[2].date, 20130701);	/* seq 256 after 5 */
	assert_int_equal(pay[2].amount, 2560);
	assert_int_equal(pay[3].date, 20130901);
	assert_int_equal(pay[3].amount, 9000);
	free(pay);
	assert_int_equal(store_payments(t, "hako", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pay[0].amount, 44);
	free(pay);
	assert_int_equal(store_payments(t, "hakodate-2", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pay[0].amount, 66);
	free(pay);
	assert_int_equal(store_payments(t, "hakodate", 2014, &pay, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pay[0].amount, 77);
	free(pay);
	assert_int_equal(store_payments(t, "hakodat", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 0);
	assert_null(pay);
	assert_int_equal(store_payments(t, "hakodate", 2015, &pay, &n), LD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_error(t), LD_OK);
	store_abort(t);

	/* a deleted payment (a reversed disbursement) is gone, the rest stay */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_del_payment(t, "hakodate", 2013, 5), LD_OK);
	assert_int_equal(store_payments(t, "hakodate", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 3);
	assert_int_equal(pay[0].amount, 300);
	assert_int_equal(pay[1].amount, 2560);
	assert_int_equal(pay[2].amount, 9000);
	free(pay);
	assert_int_equal(store_del_payment(t, "hakodate", 2013, 900), LD_OK);
	assert_int_equal(store_del_payment(t, "hakodate", 2013, 3), LD_OK);
	assert_int_equal(store_payments(t, "hakodate", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pay[0].amount, 2560);
	free(pay);
	assert_int_equal(store_payments(t, "hako", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 1);
	free(pay);
	assert_int_equal(store_commit(t), LD_OK);

	/* deleting a payment the state does not hold is a bug: it sticks */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_del_payment(t, "hakodate", 2013, 5),
	    LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	assert_int_equal(store_commit(t), LD_E_INTERNAL);
	/* and so is a payment written twice */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_put_payment(t, "hakodate", 2013, 256, 20130701,
	    1), LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	store_abort(t);

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_payments(t, "hakodate", 2013, &pay, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pay[0].amount, 2560);
	free(pay);
	store_abort(t);
}

static void
fill_order(struct ld_order *o, uint64_t seq, uint32_t nparts,
    uint32_t nreceipts)
{
	uint32_t i;

	memset(o, 0, sizeof(*o));
	o->seq = seq;
	o->account = LD_A_RECONSTRUCTION;
	o->o.order_date = 20140601;
	o->o.repay_by = 20140731;
	o->o.interest_bp = 1095;
	o->o.late_bp = 1460;
	o->o.nparts = nparts;
	for (i = 0; i < nparts; i++) {
		o->o.parts[i].date = 20130401 + i % 28;
		o->o.parts[i].amount = 1000 + i;
		o->o.principal += 1000 + i;
	}
	o->nreceipts = nreceipts;
	for (i = 0; i < nreceipts; i++) {
		o->receipts[i].seq = seq + 1 + i;
		o->receipts[i].date = 20140601 + i % 28;
		o->receipts[i].amount = 1 + i;
	}
}

static void
assert_orders_equal(const struct ld_order *a, const struct ld_order *b)
{
	uint32_t i;

	assert_true(a->seq == b->seq);
	assert_int_equal(a->account, b->account);
	assert_true(a->o.principal == b->o.principal);
	assert_int_equal(a->o.order_date, b->o.order_date);
	assert_int_equal(a->o.repay_by, b->o.repay_by);
	assert_int_equal(a->o.interest_bp, b->o.interest_bp);
	assert_int_equal(a->o.late_bp, b->o.late_bp);
	assert_int_equal(a->o.nparts, b->o.nparts);
	for (i = 0; i < a->o.nparts; i++) {
		assert_int_equal(a->o.parts[i].date, b->o.parts[i].date);
		assert_true(a->o.parts[i].amount == b->o.parts[i].amount);
	}
	assert_int_equal(a->nreceipts, b->nreceipts);
	for (i = 0; i < a->nreceipts; i++) {
		assert_true(a->receipts[i].seq == b->receipts[i].seq);
		assert_int_equal(a->receipts[i].date, b->receipts[i].date);
		assert_true(a->receipts[i].amount == b->receipts[i].amount);
	}
}

struct order_seen {
	char		 region[4][LD_CODE_MAX + 1];
	uint16_t	 fy[4];
	uint64_t	 seq[4];
	int		 n;
	int		 stop_after;
};

static int
order_cb(void *ctx, const char *region, uint16_t fy, const struct ld_order *o)
{
	struct order_seen *s = ctx;

	assert_true(s->n < 4);
	snprintf(s->region[s->n], sizeof(s->region[0]), "%s", region);
	s->fy[s->n] = fy;
	s->seq[s->n] = o->seq;
	s->n++;
	return s->n == s->stop_after ? 7 : 0;
}

static void
test_orders(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_order *a, *b, *c, *got;
	struct order_seen seen;

	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	c = malloc(sizeof(*c));
	got = malloc(sizeof(*got));
	assert_true(a && b && c && got);
	fill_order(a, 40, 3, 2);	/* parts and receipts */
	fill_order(b, 50, RCV_PARTS_MAX, RCV_RECEIPTS_MAX);	/* the most */
	fill_order(c, 60, 1, 0);	/* nothing received yet */

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_put_order(t, "miyagi", 2013, a), LD_OK);
	assert_int_equal(store_put_order(t, "hakodate", 2013, c), LD_OK);
	assert_int_equal(store_put_order(t, "hakodate", 2014, b), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);

	reopen(f, 1, 1);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_order(t, "miyagi", 2013, got), LD_OK);
	assert_orders_equal(got, a);
	assert_int_equal(store_order(t, "hakodate", 2014, got), LD_OK);
	assert_orders_equal(got, b);
	assert_int_equal(store_order(t, "hakodate", 2013, got), LD_OK);
	assert_orders_equal(got, c);
	assert_int_equal(store_order(t, "hakodate", 2012, got), LD_E_NOT_FOUND);
	assert_int_equal(store_order(t, "hakodat", 2013, got), LD_E_NOT_FOUND);

	/* every order of a year in key order, or of every year */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_orders(t, 2013, order_cb, &seen), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.region[0], "hakodate");
	assert_string_equal(seen.region[1], "miyagi");
	assert_int_equal(seen.seq[0], 60);
	assert_int_equal(seen.seq[1], 40);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_orders(t, 0, order_cb, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.fy[2], 2014);
	assert_int_equal(seen.seq[2], 50);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_orders(t, 2015, order_cb, &seen), 0);
	assert_int_equal(seen.n, 0);
	/* the callback stops the walk with its own value */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 1;
	assert_int_equal(store_orders(t, 0, order_cb, &seen), 7);
	assert_int_equal(seen.n, 1);
	assert_int_equal(store_error(t), LD_OK);
	store_abort(t);

	/* an order changes as receipts come and go: the record is replaced */
	reopen(f, 1, 0);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	a->nreceipts = 1;
	assert_int_equal(store_put_order(t, "miyagi", 2013, a), LD_OK);
	assert_int_equal(store_order(t, "miyagi", 2013, got), LD_OK);
	assert_orders_equal(got, a);
	/* more parts or receipts than an order holds is refused, and sticks */
	a->o.nparts = RCV_PARTS_MAX + 1;
	assert_int_equal(store_put_order(t, "miyagi", 2013, a), LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	store_abort(t);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	a->o.nparts = 3;
	a->nreceipts = RCV_RECEIPTS_MAX + 1;
	assert_int_equal(store_put_order(t, "miyagi", 2013, a), LD_E_INTERNAL);
	store_abort(t);

	/* a malformed record is INTERNAL */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	{
		uint8_t key[8] = { 0x07, 0xdd, 'm', 'i', 'y', 'a', 'g', 'i' };

		assert_int_equal(store_debug_put_raw(t, STORE_DB_ORDERS, key, 8,
		    "junk", 4), LD_OK);
	}
	assert_int_equal(store_order(t, "miyagi", 2013, got), LD_E_INTERNAL);
	store_abort(t);
	free(a);
	free(b);
	free(c);
	free(got);
}

/* ---- store_diff, store_drop ---- */

static void
diff_expect(struct store_txn *a, struct store_txn *b, int db, int want_rc,
    int want_where, const void *want_key, size_t want_klen)
{
	uint8_t key[511];
	size_t klen = 99;
	int where = 99;

	assert_int_equal(store_diff(a, b, db, key, &klen, &where), want_rc);
	if (want_rc == 0) {
		assert_int_equal(klen, 0);
		assert_int_equal(where, 0);
		return;
	}
	assert_int_equal(where, want_where);
	assert_int_equal(klen, want_klen);
	assert_memory_equal(key, want_key, klen);
}

static void
put_raw(struct store *st, int db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	struct store_txn *t;

	assert_int_equal(store_begin(st, 1, &t), LD_OK);
	/* a put, or the delete of a record that is there */
	assert_int_equal(store_debug_put_raw(t, db, key, klen, val, vlen),
	    LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
}

static void
test_diff(void **state)
{
	struct fixture *f = *state;
	struct store *st2;
	struct store_txn *a, *b;
	char dir2[64], err[256];
	uint8_t v1[8], v2[8], tk[3] = { 0x07, 0xdd, 0x01 }, tv[36];
	uint64_t n;
	int db;

	snprintf(dir2, sizeof(dir2), "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(dir2));
	assert_int_equal(store_open(&st2, dir2, 1, 0, err, sizeof(err)), 0);
	be64_put(v1, 1);
	be64_put(v2, 2);
	memset(tv, 0, sizeof(tv));

	/* empty and empty: equal, in every derived database */
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	for (db = STORE_DB_DERIVED_FIRST; db <= STORE_DB_DERIVED_LAST; db++)
		diff_expect(a, b, db, 0, 0, NULL, 0);
	store_abort(a);
	store_abort(b);

	/* the same records: equal */
	put_raw(f->st, STORE_DB_IDS, "a", 1, v1, 8);
	put_raw(st2, STORE_DB_IDS, "a", 1, v1, 8);
	put_raw(f->st, STORE_DB_IDS, "c", 1, v2, 8);
	put_raw(st2, STORE_DB_IDS, "c", 1, v2, 8);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 0, 0, NULL, 0);
	diff_expect(a, b, STORE_DB_REGIONS, 0, 0, NULL, 0);
	store_abort(a);
	store_abort(b);

	/* a record only in a: -1 and its key */
	put_raw(f->st, STORE_DB_IDS, "b", 1, v1, 8);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 1, -1, "b", 1);
	/* the same difference seen from the other side: only in b */
	diff_expect(b, a, STORE_DB_IDS, 1, 1, "b", 1);
	/* other databases are unaffected */
	diff_expect(a, b, STORE_DB_TERMS, 0, 0, NULL, 0);
	store_abort(a);
	store_abort(b);

	/* only in b, after the last key of a */
	put_raw(f->st, STORE_DB_IDS, "b", 1, NULL, 0);
	put_raw(st2, STORE_DB_IDS, "d", 1, v2, 8);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 1, 1, "d", 1);
	store_abort(a);
	store_abort(b);
	put_raw(st2, STORE_DB_IDS, "d", 1, NULL, 0);

	/*
	 * A key that extends the other's is a different key ("ab" only in b,
	 * met while a is at "c").  Only the sign of where is asserted here
	 * (what verify.c reads); its exact value: test_diff_where_is_one.
	 */
	put_raw(st2, STORE_DB_IDS, "ab", 2, v1, 8);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	{
		uint8_t key[511];
		size_t klen;
		int where;

		assert_int_equal(store_diff(a, b, STORE_DB_IDS, key, &klen,
		    &where), 1);
		assert_true(where > 0);
		assert_int_equal(klen, 2);
		assert_memory_equal(key, "ab", 2);
		assert_int_equal(store_diff(b, a, STORE_DB_IDS, key, &klen,
		    &where), 1);
		assert_true(where < 0);
		assert_memory_equal(key, "ab", 2);
	}
	store_abort(a);
	store_abort(b);
	put_raw(st2, STORE_DB_IDS, "ab", 2, NULL, 0);

	/* in both with different values: 0 and the key */
	put_raw(st2, STORE_DB_IDS, "c", 1, v1, 8);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 1, 0, "c", 1);
	store_abort(a);
	store_abort(b);
	/* ... or of different lengths */
	put_raw(st2, STORE_DB_IDS, "c", 1, v2, 7);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 1, 0, "c", 1);
	store_abort(a);
	store_abort(b);
	put_raw(st2, STORE_DB_IDS, "c", 1, v2, 8);

	/* binary keys, in the new databases */
	put_raw(f->st, STORE_DB_TERMS, tk, 3, tv, 36);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 0, 0, NULL, 0);
	diff_expect(a, b, STORE_DB_TERMS, 1, -1, tk, 3);
	store_abort(a);
	store_abort(b);
	put_raw(st2, STORE_DB_TERMS, tk, 3, tv, 36);
	tv[35] = 1;
	put_raw(f->st, STORE_DB_TERMS, tk, 3, tv, 36);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_TERMS, 1, 0, tk, 3);
	diff_expect(a, b, STORE_DB_PAYMENTS, 0, 0, NULL, 0);
	diff_expect(a, b, STORE_DB_ORDERS, 0, 0, NULL, 0);
	store_abort(a);
	store_abort(b);

	/* store_drop empties a derived database, and only those */
	assert_int_equal(store_begin(f->st, 1, &a), LD_OK);
	assert_int_equal(store_drop(a, STORE_DB_IDS), LD_OK);
	assert_int_equal(store_count(a, STORE_DB_IDS, &n), LD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_count(a, STORE_DB_TERMS, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_drop(a, STORE_DB_ENTRIES), LD_E_INTERNAL);
	assert_int_equal(store_drop(a, STORE_DB_META), LD_E_INTERNAL);
	assert_int_equal(store_error(a), LD_OK);
	assert_int_equal(store_commit(a), LD_OK);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_drop(a, STORE_DB_IDS), LD_E_INTERNAL);	/* read txn */
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 1, 1, "a", 1);
	store_abort(a);
	store_abort(b);

	store_close(st2);
	rm_env(dir2);
}

/*
 * store_diff()'s *where is exactly -1 (only in a), 1 (only in b) or 0
 * (different values), as store.h documents, whatever memcmp() returned
 * for the keys it compared ("c" against "ab", "a" against "z").
 */
static void
test_diff_where_is_one(void **state)
{
	struct fixture *f = *state;
	struct store *st2;
	struct store_txn *a, *b;
	char dir2[64], err[256];
	uint8_t v[8];

	snprintf(dir2, sizeof(dir2), "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(dir2));
	assert_int_equal(store_open(&st2, dir2, 1, 0, err, sizeof(err)), 0);
	be64_put(v, 1);
	put_raw(f->st, STORE_DB_IDS, "a", 1, v, 8);
	put_raw(f->st, STORE_DB_IDS, "c", 1, v, 8);
	put_raw(st2, STORE_DB_IDS, "a", 1, v, 8);
	put_raw(st2, STORE_DB_IDS, "ab", 2, v, 8);
	put_raw(st2, STORE_DB_IDS, "c", 1, v, 8);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_IDS, 1, 1, "ab", 2);
	diff_expect(b, a, STORE_DB_IDS, 1, -1, "ab", 2);
	store_abort(a);
	store_abort(b);
	put_raw(f->st, STORE_DB_REGIONS, "a", 1, v, 8);
	put_raw(st2, STORE_DB_REGIONS, "z", 1, v, 8);
	assert_int_equal(store_begin(f->st, 0, &a), LD_OK);
	assert_int_equal(store_begin(st2, 0, &b), LD_OK);
	diff_expect(a, b, STORE_DB_REGIONS, 1, -1, "a", 1);
	diff_expect(b, a, STORE_DB_REGIONS, 1, 1, "a", 1);
	store_abort(a);
	store_abort(b);
	store_close(st2);
	rm_env(dir2);
}

/* ---- transactions and the map ---- */

/* A disbursement request with a long memo, so that a 1 MiB map fills quickly. */
static struct ld_entry
big_req(unsigned i)
{
	struct ld_entry q;
	char id[32];

	snprintf(id, sizeof(id), "id-%u", i);
	q = q_money(LD_K_DISBURSEMENT, "hakodate", 2013, 1 + i, 20130630, id);
	memset(q.memo, 'm', 400);
	q.memo[400] = '\0';
	return q;
}

/* A hand-made disbursement entry of the same size. */
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
	struct rcv_payment *pay;
	uint64_t committed, used_ok = 0, map, used, seq, n, paid;
	uint8_t a[32], b[32];
	unsigned i = 0, k;
	size_t npay;
	int rc = LD_OK, full = 0;
	char id[32];

	/* what the disbursements need: a region, terms, budget and award */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must(t, ROLE_ADMIN, q_region("hakodate", LD_G_CONTINUING, ""), 1);
	must(t, ROLE_ADMIN, q_terms(2013, LD_G_CONTINUING, 0, 0), 2);
	must(t, ROLE_ADMIN, q_approp(LD_A_GENERAL, 2013, 10 * OKU, ""), 3);
	must(t, ROLE_ADMIN, q_money(LD_K_AWARD, "hakodate", 2013, OKU,
	    20130401, ""), 4);
	assert_int_equal(store_commit(t), LD_OK);
	committed = 4;

	/* transactions of 20 writes until the map is full */
	while (!full && i < 100000) {
		assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
		for (k = 0; k < 20; k++) {
			rc = wr(t, ROLE_CLERK, big_req(i++));
			if (rc != LD_OK)
				break;
		}
		if (rc == LD_OK) {
			/* the sticky error leaves everything else a no-op */
			assert_int_equal(store_error(t), LD_OK);
			rc = store_commit(t);
		} else {
			assert_int_equal(store_error(t), rc);
			assert_int_equal(wr(t, ROLE_CLERK, big_req(i)), rc);
			e = big(i);
			assert_int_equal(append(t, &e, NULL, NULL), rc);
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
	assert_true(committed > 4);
	n = committed - 4;	/* disbursements 1 .. n yen */
	paid = n * (n + 1) / 2;

	/* nothing of the failed transaction exists */
	assert_int_equal(store_usage(f->st, &used, &map), LD_OK);
	assert_int_equal(used, used_ok);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), committed);
	assert_int_equal(store_get(t, committed, &e), LD_OK);
	assert_int_equal(store_get(t, committed + 1, &e), LD_E_NOT_FOUND);
	assert_int_equal(store_get_leaf(t, committed + 1, a), LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "id-0", &seq), LD_OK);
	assert_int_equal(seq, 5);
	snprintf(id, sizeof(id), "id-%u", (unsigned)(n - 1));
	assert_int_equal(store_find_id(t, id, &seq), LD_OK);
	assert_int_equal(seq, committed);
	snprintf(id, sizeof(id), "id-%u", (unsigned)n);
	assert_int_equal(store_find_id(t, id, &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_count(t, STORE_DB_ENTRIES, &seq), LD_OK);
	assert_int_equal(seq, committed);
	assert_int_equal(store_count(t, STORE_DB_IDS, &seq), LD_OK);
	assert_int_equal(seq, n);
	assert_int_equal(store_count(t, STORE_DB_NODES, &seq), LD_OK);
	assert_int_equal(seq, committed - (uint64_t)__builtin_popcountll(committed));
	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_int_equal(r.disbursed, (int64_t)paid);
	assert_int_equal(store_payments(t, "hakodate", 2013, &pay, &npay), LD_OK);
	assert_int_equal(npay, n);
	assert_int_equal(pay[npay - 1].amount, (int64_t)n);
	free(pay);
	assert_int_equal(store_tree_root(t, committed, a), LD_OK);
	stream_root(t, committed, b);
	assert_memory_equal(a, b, 32);
	store_abort(t);

	/* a bigger map: carry on where the ledger stopped */
	reopen(f, 4, 0);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_size(t), committed);
	for (k = 0; k < 100; k++)
		must(t, ROLE_CLERK, big_req((unsigned)n + k), committed + k + 1);
	assert_int_equal(store_commit(t), LD_OK);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), committed + 100);
	assert_int_equal(store_tree_root(t, committed + 100, a), LD_OK);
	stream_root(t, committed + 100, b);
	assert_memory_equal(a, b, 32);
	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_int_equal(r.disbursed, (int64_t)((n + 100) * (n + 101) / 2));
	store_abort(t);
}

static void
test_nested(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t, *c;
	struct ld_entry e, q;
	const uint8_t *enc1, *enc2;
	size_t len1, len2;
	uint64_t seq;
	int dup;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	q = q_region("hakodate", LD_G_CONTINUING, "r1");
	assert_int_equal(apply_write(t, ROLE_ADMIN, "admin01", NOW, &q, &dup,
	    &enc1, &len1, NULL), LD_OK);

	/* an aborted child leaves the parent as it was */
	assert_int_equal(store_begin_nested(t, &c), LD_OK);
	assert_int_equal(store_size(c), 1);
	must(c, ROLE_ADMIN, q_region("aomori", LD_G_GENERAL, "r2"), 2);
	assert_int_equal(store_size(c), 2);
	store_abort(c);
	assert_int_equal(store_size(t), 1);
	assert_int_equal(store_find_id(t, "r2", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_region(t, "aomori", &seq), LD_E_NOT_FOUND);

	/* a committed child's appends belong to the parent */
	assert_int_equal(store_begin_nested(t, &c), LD_OK);
	q = q_region("kurume", LD_G_GENERAL, "r3");
	assert_int_equal(apply_write(c, ROLE_ADMIN, "admin01", NOW, &q, &dup,
	    &enc2, &len2, NULL), LD_OK);
	assert_int_equal(q.seq, 2);
	assert_int_equal(store_commit(c), LD_OK);
	assert_int_equal(store_size(t), 2);
	must(t, ROLE_ADMIN, q_region("tokachi", LD_G_GENERAL, "r4"), 3);
	/* enc of the child's append is still valid in the parent */
	assert_int_equal(entry_decode(&e, enc2, len2), 0);
	assert_string_equal(e.region, "kurume");
	assert_int_equal(entry_decode(&e, enc1, len1), 0);
	assert_string_equal(e.region, "hakodate");
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 3);
	assert_int_equal(store_find_id(t, "r3", &seq), LD_OK);
	assert_int_equal(seq, 2);
	assert_int_equal(store_find_region(t, "kurume", &seq), LD_OK);
	assert_int_equal(seq, 2);
	assert_int_equal(store_find_id(t, "r2", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_region(t, "aomori", &seq), LD_E_NOT_FOUND);
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
			append_ok(t, &e);
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
	/* store_append writes the tree only: no derived record */
	assert_int_equal(store_count(t, STORE_DB_ACCTBAL, &n), LD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_count(t, STORE_DB_IDS, &n), LD_OK);
	assert_int_equal(n, 0);
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
		assert_int_equal(append(t, &e, &enc[i], &len[i]), LD_OK);
	}
	assert_int_equal(store_get_raw(t, 7, &raw, &rawlen), LD_OK);
	for (i = 0; i < 300; i++) {
		e = big(i + 1000);	/* more puts after the pointer was taken */
		e.id[0] = '\0';
		append_ok(t, &e);
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

	/* an entry the encoder cannot read: refused, nothing written, not sticky */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = mk(LD_K_REGION, "hakodate", 0, "");
	e.format = 0xee;
	assert_int_equal(append(t, &e, NULL, NULL), LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_OK);
	assert_int_equal(store_size(t), 0);
	/* a seq other than size + 1: refused, not sticky */
	e = mk(LD_K_REGION, "hakodate", 0, "x");
	e.seq = 0;
	assert_int_equal(store_append(t, &e, NULL, NULL), LD_E_INTERNAL);
	e.seq = 2;
	assert_int_equal(store_append(t, &e, NULL, NULL), LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_OK);
	assert_int_equal(store_size(t), 0);
	append_ok(t, &e);
	assert_int_equal(e.seq, 1);
	assert_int_equal(store_size(t), 1);
	assert_int_equal(store_put_id(t, "x", 1), LD_OK);
	assert_int_equal(store_put_region(t, "hakodate", 1, LD_G_CONTINUING),
	    LD_OK);
	assert_int_equal(store_commit(t), LD_OK);

	/* an append in a read transaction */
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	e = mk(LD_K_REGION, "aomori", 0, "");
	assert_int_equal(append(t, &e, NULL, NULL), LD_E_INTERNAL);
	store_abort(t);

	/* an id written twice is a bug: it sticks and the commit aborts */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = mk(LD_K_REGION, "aomori", 0, "x");
	append_ok(t, &e);
	assert_int_equal(store_put_id(t, "x", 2), LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	assert_int_equal(store_find_region(t, "hakodate", &seq), LD_E_INTERNAL);
	assert_int_equal(store_put_region(t, "aomori", 2, LD_G_CONTINUING),
	    LD_E_INTERNAL);
	assert_int_equal(store_commit(t), LD_E_INTERNAL);

	/* so is a region or a reversal written twice */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_put_region(t, "hakodate", 5, LD_G_GENERAL),
	    LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	store_abort(t);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_put_reversed(t, 1, 2), LD_OK);
	assert_int_equal(store_put_reversed(t, 1, 3), LD_E_INTERNAL);
	store_abort(t);

	/* a seq key that already exists (MDB_APPEND): fatal too */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	be64_put(key, 2);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_ENTRIES, key, 8, "junk",
	    4), LD_OK);
	e = mk(LD_K_REGION, "aomori", 0, "");
	assert_int_equal(append(t, &e, NULL, NULL), LD_E_INTERNAL);
	assert_int_equal(store_error(t), LD_E_INTERNAL);
	store_abort(t);

	/* nothing of the failed transactions is there */
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_size(t), 1);
	assert_int_equal(store_find_region(t, "aomori", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "x", &seq), LD_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(store_reversed_by(t, 1, &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_get(t, 2, &e), LD_E_NOT_FOUND);
	store_abort(t);

	/* an undecodable stored entry cannot match its leaf: DAMAGED */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	be64_put(key, 1);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_ENTRIES, key, 8, "junk",
	    4), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_get(t, 1, &e), LD_E_DAMAGED);
	assert_int_equal(store_error(t), LD_OK);	/* not sticky */
	store_abort(t);
}

/*
 * An entry stored under another seq than its own does not match that
 * seq's leaf: DAMAGED, and counted once however often it is read.
 */
static void
test_entry_under_wrong_key(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	const uint8_t *enc;
	uint8_t key[8], buf[LD_ENTRY_ENC_MAX];
	uint64_t seq;
	size_t len;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = mk(LD_K_APPROPRIATION, "", 5, "");
	assert_int_equal(append(t, &e, &enc, &len), LD_OK);
	memcpy(buf, enc, len);
	e = mk(LD_K_APPROPRIATION, "", 6, "");
	append_ok(t, &e);
	be64_put(key, 2);
	assert_int_equal(store_debug_put_raw(t, STORE_DB_ENTRIES, key, 8, buf,
	    len), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_get(t, 1, &e), LD_OK);
	assert_int_equal(store_get(t, 2, &e), LD_E_DAMAGED);
	assert_int_equal(store_get_raw(t, 2, &enc, &len), LD_E_DAMAGED);
	assert_int_equal(store_damaged(f->st, &seq), 1);
	assert_int_equal(seq, 2);
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
		cmocka_unit_test_setup_teardown(test_terms_records, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_payments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_where_is_one, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_storage_full_then_grow,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_root_matches_stream,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_enc_valid_until_txn_ends,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_sticky_and_not,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_under_wrong_key,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
