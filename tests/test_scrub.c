/*
 * test_scrub.c - the background scrub (ledgerd/scrub.c) on a real tiny
 * LMDB: an intact ledger passes; an entry whose bytes changed, a missing
 * leaf and a Merkle node that is not the hash of its children are each
 * found, with the first seq they concern; a pass requested while one runs
 * is not started twice; the rate bounds a pass's duration from below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "entry.h"
#include "errors.h"
#include "scrub.h"
#include "store.h"
#include "store_debug.h"
#include "wire.h"

#define NENTRIES	300	/* a few chunks of nodes at levels 1..8 */

struct fixture {
	char		 dir[64];
	struct store	*st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct store_txn *t;
	struct ld_entry e;
	char err[256];
	int i;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_scrub.XXXXXX");
	if (mkdtemp(f->dir) == NULL ||
	    store_open(&f->st, f->dir, 16, 0, err, sizeof(err)) != 0 ||
	    store_begin(f->st, 1, &t) != LD_OK)
		return -1;
	for (i = 0; i < NENTRIES; i++) {
		memset(&e, 0, sizeof(e));
		e.format = LD_ENTRY_FORMAT;
		e.kind = LD_K_APPROPRIATION;
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		e.amount = 1000 + i;
		snprintf(e.ref, sizeof(e.ref), "B-%d", i);
		snprintf(e.actor, sizeof(e.actor), "admin01");
		e.recorded_at = INT64_C(1764338400000000) + i;
		e.seq = (uint64_t)i + 1;
		if (store_append(t, &e, NULL, NULL) != LD_OK)
			return -1;
	}
	if (store_commit(t) != LD_OK)
		return -1;
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

/* Start a scrub (on request only), run one pass, return its status. */
static void
one_pass(struct fixture *f, uint32_t rate, struct scrub_status *ss)
{
	struct scrub *s;
	int i;

	assert_int_equal(scrub_start(f->st, 0, rate, &s), 0);
	assert_int_equal(scrub_request(s), 1);
	/* already running (or about to): not started twice */
	assert_int_equal(scrub_request(s), 0);
	for (i = 0; i < 3000; i++) {
		scrub_status(s, ss);
		if (!ss->running && ss->passes == 1)
			break;
		usleep(10000);
	}
	scrub_stop(s);
	assert_int_equal(ss->passes, 1);
}

static void
raw(struct fixture *f, int db, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	struct store_txn *t;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_debug_put_raw(t, db, key, klen, val, vlen),
	    LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
}

static void
test_intact(void **state)
{
	struct fixture *f = *state;
	struct scrub_status ss;
	uint64_t last;

	one_pass(f, 1000000, &ss);
	assert_int_equal(ss.result, SCRUB_OK);
	assert_int_equal(ss.size, NENTRIES);
	assert_int_equal(ss.damaged_seq, 0);
	assert_true(ss.finished_at > 0);
	/* entries and nodes: 300 + 150 + 75 + 37 + 18 + 9 + 4 + 2 + 1 = 596 */
	assert_int_equal(ss.progress, 300 + 150 + 75 + 37 + 18 + 9 + 4 + 2 + 1);
	assert_int_equal(store_damaged(f->st, &last), 0);
}

/* An entry's bytes changed: its seq, and the store counts it. */
static void
test_entry_changed(void **state)
{
	struct fixture *f = *state;
	struct scrub_status ss;
	struct store_txn *t;
	const uint8_t *enc;
	uint8_t key[8], buf[LD_ENTRY_ENC_MAX];
	uint64_t last;
	size_t len;

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_get_raw(t, 123, &enc, &len), LD_OK);
	memcpy(buf, enc, len);
	store_abort(t);
	buf[len - 20] ^= 1;	/* inside the actor: still decodes */
	be64_put(key, 123);
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len);
	one_pass(f, 1000000, &ss);
	assert_int_equal(ss.result, SCRUB_DAMAGED);
	assert_int_equal(ss.damaged_seq, 123);
	assert_int_equal(store_damaged(f->st, &last), 1);
	assert_int_equal(last, 123);
}

/* A missing leaf is damage of its entry. */
static void
test_leaf_missing(void **state)
{
	struct fixture *f = *state;
	struct scrub_status ss;
	uint8_t key[8];

	be64_put(key, 7);
	raw(f, STORE_DB_LEAVES, key, 8, NULL, 0);
	one_pass(f, 1000000, &ss);
	assert_int_equal(ss.result, SCRUB_DAMAGED);
	assert_int_equal(ss.damaged_seq, 7);
}

/* A node that is not the hash of its children: the first seq under it. */
static void
test_node_changed(void **state)
{
	struct fixture *f = *state;
	struct scrub_status ss;
	uint8_t key[9], h[32];

	memset(h, 0x5a, sizeof(h));
	key[0] = 3;
	be64_put(key + 1, 4);	/* leaves 32..39: seqs 33..40 */
	raw(f, STORE_DB_NODES, key, 9, h, 32);
	one_pass(f, 1000000, &ss);
	assert_int_equal(ss.result, SCRUB_DAMAGED);
	assert_int_equal(ss.damaged_seq, 33);
}

/*
 * The rate is a ceiling: 596 items (300 entries, 296 nodes) at 4,000 a
 * second cannot take less than 0.149 s (the floor is what is asserted,
 * never a ceiling: the test does not depend on the machine's speed).
 */
static void
test_rate_bounds(void **state)
{
	struct fixture *f = *state;
	struct scrub_status ss;
	struct timespec a, b;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	one_pass(f, 4000, &ss);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	assert_int_equal(ss.result, SCRUB_OK);
	if (secs < 0.14)
		fail_msg("a pass of 596 items at 4,000/s took %.3f s", secs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_changed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_leaf_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_node_changed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rate_bounds, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
