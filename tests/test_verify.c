/*
 * test_verify.c - `ledgerd --verify` finds every kind of damage.
 *
 * Each test writes a real ledger through the rules and the store (the
 * writer's steps, inlined below), damages it the way a disk, a bug or an
 * operator could (store_debug_put_raw, tests only), and checks that the
 * verification names the first bad seq and what is wrong.
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

#include "config.h"
#include "errors.h"
#include "merkle.h"
#include "rules.h"
#include "store.h"
#include "verify.h"
#include "wire.h"

#define OKU	INT64_C(100000000)

struct fixture {
	char		 dir[64];
	struct store	*st;
	struct rules_limits lim;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_verify.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (store_open(&f->st, f->dir, 64, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	rules_limits_default(&f->lim);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[128];

	store_close(f->st);
	snprintf(p, sizeof(p), "%s/data.mdb", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The writer's steps for one request (see writer_apply), without ids. */
static int
write_req(struct fixture *f, struct store_txn *t, struct ld_entry *req)
{
	struct ld_entry target, reg;
	struct rules_view v;
	const char *region;
	uint64_t seq, by;
	uint8_t account;
	uint16_t fy;
	int rc, grant = 0;

	memset(&v, 0, sizeof(v));
	if ((rc = rules_validate(req)) != LD_OK)
		return rc;
	if (req->kind == LD_K_REVERSAL &&
	    store_get(t, req->reverses, &target) == LD_OK) {
		v.target = &target;
		v.target_reversed = store_reversed_by(t, target.seq, &by) == LD_OK;
	}
	region = v.target != NULL ? target.region : req->region;
	if (region[0] != '\0' && store_find_region(t, region, &seq) == LD_OK &&
	    store_get(t, seq, &reg) == LD_OK) {
		grant = reg.grant_type;
		if (v.target == NULL)
			v.region_known = 1;
	}
	if (req->kind != LD_K_REGION && v.target == NULL)
		v.region_grant = (uint8_t)grant;
	rules_scope(req, grant, v.target, &account, &fy, &region);
	if (account != 0 && fy != 0)
		store_acct_bal(t, account, fy, &v.acct);
	if (region[0] != '\0' && fy != 0)
		store_region_bal(t, region, fy, &v.rbal);
	if ((rc = rules_apply(&f->lim, req, &v)) != LD_OK)
		return rc;
	snprintf(req->actor, sizeof(req->actor), "admin01");
	req->recorded_at = INT64_C(1764338400000000);
	return store_append(t, req, account != 0 && fy != 0 ? &v.acct : NULL,
	    region[0] != '\0' && fy != 0 ? &v.rbal : NULL, NULL, NULL);
}

static struct ld_entry
r_region(const char *code, int grant)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_REGION;
	snprintf(e.region, sizeof(e.region), "%s", code);
	snprintf(e.name, sizeof(e.name), "地域 %s", code);
	e.grant_type = (uint8_t)grant;
	return e;
}

static struct ld_entry
r_money(int kind, const char *region, int account, int64_t amount,
    const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = (uint8_t)kind;
	snprintf(e.region, sizeof(e.region), "%s", region);
	e.account = (uint8_t)account;
	e.fy = 2013;
	e.amount = amount;
	snprintf(e.ref, sizeof(e.ref), "REF");
	snprintf(e.id, sizeof(e.id), "%s", id);
	if (kind == LD_K_DISBURSEMENT || kind == LD_K_REFUND)
		e.date = 20130701;
	return e;
}

static struct ld_entry
r_rev(uint64_t seq, const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_REVERSAL;
	e.reverses = seq;
	snprintf(e.reason, sizeof(e.reason), "mistake");
	snprintf(e.id, sizeof(e.id), "%s", id);
	return e;
}

static void
must_write(struct fixture *f, struct store_txn *t, struct ld_entry e)
{
	assert_int_equal(write_req(f, t, &e), LD_OK);
}

/*
 * The standard ledger, 14 entries of every kind:
 *  1 region hakodate (continuing)      2 region miyagi (reconstruction)
 *  3 appropriation general 10億        4 appropriation reconstruction 15億
 *  5 award hakodate 3億                6 award miyagi 4億
 *  7 disbursement hakodate 1億 (d-7)   8 refund hakodate 2000 (f-8)
 *  9 disbursement miyagi 5000 (d-9)   10 reversal of 9 (r-10)
 * 11 award hakodate 2億, replacing 5  12 appropriation general 1 (a-12)
 * 13 reversal of 12                   14 year_close reconstruction 2013
 */
static void
build_ledger(struct fixture *f)
{
	struct store_txn *t;
	struct ld_entry e;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must_write(f, t, r_region("hakodate", LD_G_CONTINUING));
	must_write(f, t, r_region("miyagi", LD_G_RECONSTRUCTION));
	must_write(f, t, r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL, 10 * OKU, ""));
	must_write(f, t, r_money(LD_K_APPROPRIATION, "", LD_A_RECONSTRUCTION,
	    15 * OKU, "a-4"));
	must_write(f, t, r_money(LD_K_AWARD, "hakodate", 0, 3 * OKU, ""));
	must_write(f, t, r_money(LD_K_AWARD, "miyagi", 0, 4 * OKU, "w-6"));
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must_write(f, t, r_money(LD_K_DISBURSEMENT, "hakodate", 0, OKU, "d-7"));
	must_write(f, t, r_money(LD_K_REFUND, "hakodate", 0, 2000, "f-8"));
	must_write(f, t, r_money(LD_K_DISBURSEMENT, "miyagi", 0, 5000, "d-9"));
	must_write(f, t, r_rev(9, "r-10"));
	must_write(f, t, r_money(LD_K_AWARD, "hakodate", 0, 2 * OKU, "w-11"));
	must_write(f, t, r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL, 1, "a-12"));
	must_write(f, t, r_rev(12, ""));
	memset(&e, 0, sizeof(e));
	e.kind = LD_K_YEAR_CLOSE;
	e.account = LD_A_RECONSTRUCTION;
	e.fy = 2013;
	must_write(f, t, e);
	assert_int_equal(store_commit(t), LD_OK);
}

static int
run_verify(struct fixture *f, struct verify_report *rep)
{
	int rc = verify_ledger(f->st, &f->lim, rep);

	if (rc != VERIFY_INTACT)
		printf("  verify: %d bad_seq %llu: %s\n", rc,
		    (unsigned long long)rep->bad_seq, rep->reason);
	return rc;
}

static void
expect_damage(struct fixture *f, uint64_t seq, const char *reason)
{
	struct verify_report rep;

	assert_int_equal(run_verify(f, &rep), VERIFY_DAMAGED);
	assert_int_equal(rep.bad_seq, seq);
	if (strstr(rep.reason, reason) == NULL)
		fail_msg("reason '%s' lacks '%s'", rep.reason, reason);
}

/* Tests only: put (val != NULL) or delete one raw record. */
static void
raw(struct fixture *f, int db, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	struct store_txn *t;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_debug_put_raw(t, db, key, klen, val, vlen), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
}

static void
seqkey(uint8_t key[8], uint64_t seq)
{
	be64_put(key, seq);
}

/* The stored bytes of seq, copied. */
static size_t
get_entry_bytes(struct fixture *f, uint64_t seq, uint8_t *buf)
{
	struct store_txn *t;
	const uint8_t *p;
	size_t len;

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_get_raw(t, seq, &p, &len), LD_OK);
	memcpy(buf, p, len);
	store_abort(t);
	return len;
}

static void
test_intact(void **state)
{
	struct fixture *f = *state;
	struct verify_report rep;
	struct store_txn *t;
	uint8_t root[32];

	/* an empty ledger is intact */
	assert_int_equal(run_verify(f, &rep), VERIFY_INTACT);
	assert_int_equal(rep.size, 0);

	build_ledger(f);
	assert_int_equal(run_verify(f, &rep), VERIFY_INTACT);
	assert_int_equal(rep.size, 14);
	assert_int_equal(rep.bad_seq, 0);
	assert_string_equal(rep.reason, "");
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_tree_root(t, 14, root), LD_OK);
	store_abort(t);
	assert_memory_equal(rep.root, root, 32);
}

static void
test_entry_bytes_corrupt(void **state)
{
	struct fixture *f = *state;
	uint8_t key[8], buf[LD_ENTRY_ENC_MAX];
	size_t len;

	build_ledger(f);
	len = get_entry_bytes(f, 7, buf);
	buf[len - 3] ^= 0x01;	/* inside recorded_at: still decodes */
	seqkey(key, 7);
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len);
	expect_damage(f, 7, "seq 7: leaf hash mismatch");
}

static void
test_entry_undecodable(void **state)
{
	struct fixture *f = *state;
	uint8_t key[8], buf[LD_ENTRY_ENC_MAX];
	size_t len;

	build_ledger(f);
	len = get_entry_bytes(f, 5, buf);
	seqkey(key, 5);
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len - 1);	/* truncated */
	expect_damage(f, 5, "seq 5: entry does not decode");
}

static void
test_entry_and_leaf_rewritten(void **state)
{
	struct fixture *f = *state;
	uint8_t key[8], buf[LD_ENTRY_ENC_MAX], leaf[32];
	size_t len;

	/* a consistent rewrite of an entry and its leaf breaks the nodes */
	build_ledger(f);
	len = get_entry_bytes(f, 3, buf);
	buf[len - 3] ^= 0x01;
	seqkey(key, 3);
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len);
	entry_leaf_hash(buf, len, leaf);
	raw(f, STORE_DB_LEAVES, key, 8, leaf, 32);
	expect_damage(f, 4, "seq 4: Merkle node (level 1, index 1) does not match");
}

static void
test_entry_missing_or_extra(void **state)
{
	struct fixture *f = *state;
	uint8_t key[8], buf[LD_ENTRY_ENC_MAX], sz[8];
	size_t len;

	build_ledger(f);
	seqkey(key, 9);
	raw(f, STORE_DB_ENTRIES, key, 8, NULL, 0);
	expect_damage(f, 9, "seq 9: entry missing");

	/* the last entry gone, the size still counting it */
	teardown(state);
	setup(state);
	f = *state;
	build_ledger(f);
	len = get_entry_bytes(f, 14, buf);
	seqkey(key, 14);
	raw(f, STORE_DB_ENTRIES, key, 8, NULL, 0);
	expect_damage(f, 14, "seq 14: entry missing");

	/* an entry beyond the size */
	seqkey(key, 14);
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len);
	be64_put(sz, 13);
	raw(f, STORE_DB_META, "size", 4, sz, 8);
	expect_damage(f, 0,
	    "entries: a record for seq 14, beyond the ledger's size 13");
}

static void
test_leaf_missing(void **state)
{
	struct fixture *f = *state;
	uint8_t key[8];

	build_ledger(f);
	seqkey(key, 11);
	raw(f, STORE_DB_LEAVES, key, 8, NULL, 0);
	expect_damage(f, 11, "seq 11: leaf hash missing");
}

static void
test_node_missing_or_extra(void **state)
{
	struct fixture *f = *state;
	uint8_t key[9], h[32];

	build_ledger(f);
	key[0] = 2;
	be64_put(key + 1, 1);	/* leaves 4..7, completed by seq 8 */
	raw(f, STORE_DB_NODES, key, 9, NULL, 0);
	expect_damage(f, 8, "seq 8: Merkle node (level 2, index 1) missing");

	memset(h, 7, sizeof(h));
	raw(f, STORE_DB_NODES, key, 9, h, 32);
	expect_damage(f, 8, "does not match");

	teardown(state);
	setup(state);
	f = *state;
	build_ledger(f);
	key[0] = 1;
	be64_put(key + 1, 7);	/* leaves 14 and 15: 15 does not exist */
	raw(f, STORE_DB_NODES, key, 9, h, 32);
	expect_damage(f, 0, "Merkle nodes: 12 records, 11 expected");
}

static void
test_wrong_balance(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_region_bal r;
	struct ld_acct_bal a;
	uint8_t key[2 + LD_CODE_MAX], val[64];
	size_t vlen = 0;

	build_ledger(f);
	/* regbal hakodate 2013, as stored, with disbursed + 1 */
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_int_equal(store_acct_bal(t, LD_A_GENERAL, 2013, &a), LD_OK);
	store_abort(t);
	assert_int_equal(r.disbursed, OKU);
	assert_int_equal(r.award, 2 * OKU);
	assert_int_equal(r.award_seq, 11);
	assert_int_equal(a.awarded, 2 * OKU);
	assert_int_equal(a.appropriated, 10 * OKU);
	be16_put(key, 2013);
	memcpy(key + 2, "hakodate", 8);
	val[vlen++] = r.grant_type;
	val[vlen++] = r.account;
	be64_put(val + vlen, (uint64_t)r.award);
	vlen += 8;
	be64_put(val + vlen, r.award_seq);
	vlen += 8;
	be64_put(val + vlen, (uint64_t)r.disbursed + 1);
	vlen += 8;
	be64_put(val + vlen, (uint64_t)r.refunded);
	vlen += 8;
	raw(f, STORE_DB_REGBAL, key, 10, val, vlen);
	expect_damage(f, 0, "regbal hakodate FY2013: disbursed is 100000001, "
	    "the entries give 100000000");

	/* the record gone */
	raw(f, STORE_DB_REGBAL, key, 10, NULL, 0);
	expect_damage(f, 0, "regbal hakodate FY2013: missing");

	/* one that no entry touches */
	be16_put(key, 2014);
	raw(f, STORE_DB_REGBAL, key, 10, val, vlen);
	expect_damage(f, 0, "regbal hakodate FY2014: stored, but no entry touches it");
}

static void
test_wrong_account_balance(void **state)
{
	struct fixture *f = *state;
	uint8_t key[3], val[36];

	build_ledger(f);
	/* reconstruction 2013 not closed; otherwise as the entries say */
	be16_put(key, 2013);
	key[2] = LD_A_RECONSTRUCTION;
	val[0] = LD_A_RECONSTRUCTION;
	be16_put(val + 1, 2013);
	be64_put(val + 3, (uint64_t)(15 * OKU));
	be64_put(val + 11, (uint64_t)(4 * OKU));
	be64_put(val + 19, 0);
	be64_put(val + 27, 0);
	val[35] = 1;
	raw(f, STORE_DB_ACCTBAL, key, 3, val, 36);
	assert_int_equal(verify_ledger(f->st, &f->lim,
	    &(struct verify_report){ 0 }), VERIFY_INTACT);
	val[35] = 0;
	raw(f, STORE_DB_ACCTBAL, key, 3, val, 36);
	expect_damage(f, 0, "acctbal reconstruction FY2013: closed is 0, the "
	    "entries give 1");
	raw(f, STORE_DB_ACCTBAL, key, 3, val, 35);
	expect_damage(f, 0, "acctbal: a malformed record");
}

static void
test_index_damage(void **state)
{
	struct fixture *f = *state;
	uint8_t v[8], key[8];

	build_ledger(f);
	raw(f, STORE_DB_IDS, "d-9", 3, NULL, 0);
	expect_damage(f, 9, "ids index: 'd-9' (seq 9) missing");
	be64_put(v, 7);
	raw(f, STORE_DB_IDS, "d-9", 3, v, 8);
	expect_damage(f, 9, "ids index: 'd-9' maps to 7, expected 9");
	be64_put(v, 9);
	raw(f, STORE_DB_IDS, "d-9", 3, v, 8);
	raw(f, STORE_DB_IDS, "ghost", 5, v, 8);
	expect_damage(f, 0, "ids index: 'ghost' maps to 9, but no entry has it");
	raw(f, STORE_DB_IDS, "ghost", 5, NULL, 0);

	raw(f, STORE_DB_REGIONS, "miyagi", 6, NULL, 0);
	expect_damage(f, 2, "regions index: 'miyagi' (seq 2) missing");
	be64_put(v, 2);
	raw(f, STORE_DB_REGIONS, "miyagi", 6, v, 8);

	seqkey(key, 12);
	raw(f, STORE_DB_REVERSED, key, 8, NULL, 0);
	expect_damage(f, 13, "reversed index: seq 12 (reversed by 13) missing");
	seqkey(key, 7);
	be64_put(v, 13);
	raw(f, STORE_DB_REVERSED, key, 8, v, 8);
	expect_damage(f, 0, "reversed index: seq 7 marked reversed by 13, but "
	    "no reversal names it");
}

/* Entries that the rules would never have accepted, stored consistently. */
static void
test_rules_replayed(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;

	build_ledger(f);
	/* a disbursement beyond the award, appended past the rules */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = r_money(LD_K_DISBURSEMENT, "hakodate", LD_A_GENERAL, 2 * OKU, "");
	snprintf(e.actor, sizeof(e.actor), "clerk01");
	assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	expect_damage(f, 15, "seq 15: the rules refuse this disbursement: "
	    "OVER_AWARD");

	teardown(state);
	setup(state);
	f = *state;
	build_ledger(f);
	/* a year_close whose totals are not the account's */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	memset(&e, 0, sizeof(e));
	e.kind = LD_K_YEAR_CLOSE;
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.appropriated = 10 * OKU;
	e.awarded = 2 * OKU;
	e.disbursed = OKU;
	e.refunded = 0;
	e.net = OKU;
	snprintf(e.actor, sizeof(e.actor), "admin01");
	assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	expect_damage(f, 15, "seq 15: stored refunded 0, the rules derive 2000");

	teardown(state);
	setup(state);
	f = *state;
	build_ledger(f);
	/* an id used twice */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL, 5, "x");
	snprintf(e.actor, sizeof(e.actor), "admin01");
	assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	raw(f, STORE_DB_IDS, "x", 1, NULL, 0);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e = r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL, 6, "x");
	snprintf(e.actor, sizeof(e.actor), "admin01");
	assert_int_equal(store_append(t, &e, NULL, NULL, NULL, NULL), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	expect_damage(f, 16, "seq 16: id 'x' already used by seq 15");
}

/* Enough entries for several read transactions; damage in a late chunk. */
static void
test_chunks(void **state)
{
	struct fixture *f = *state;
	struct verify_report rep;
	struct store_txn *t;
	struct ld_entry e;
	uint8_t key[8], buf[LD_ENTRY_ENC_MAX];
	char id[32];
	size_t len;
	unsigned i;

	build_ledger(f);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	for (i = 0; i < 2 * VERIFY_CHUNK + 500; i++) {
		snprintf(id, sizeof(id), "p-%u", i);
		e = r_money(i % 3 == 2 ? LD_K_REFUND : LD_K_DISBURSEMENT,
		    "hakodate", 0, 1000, id);
		must_write(f, t, e);
	}
	assert_int_equal(store_commit(t), LD_OK);
	assert_int_equal(run_verify(f, &rep), VERIFY_INTACT);
	assert_int_equal(rep.size, 14 + 2 * VERIFY_CHUNK + 500);

	len = get_entry_bytes(f, 2 * VERIFY_CHUNK + 7, buf);
	buf[len - 1] ^= 0x80;
	seqkey(key, 2 * VERIFY_CHUNK + 7);
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len);
	expect_damage(f, 2 * VERIFY_CHUNK + 7, "leaf hash mismatch");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_bytes_corrupt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_entry_undecodable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_entry_and_leaf_rewritten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_missing_or_extra,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_node_missing_or_extra,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_balance, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_account_balance,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_damage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_replayed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_chunks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
