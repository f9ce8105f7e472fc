/*
 * test_verify.c - `ledgerd --verify` finds every kind of damage.
 *
 * Each test writes a real ledger through apply_write(), the writer's one
 * path from a request to an entry and its derived state (no step of it is
 * repeated here), damages it the way a disk, a bug or an operator could
 * (store_debug_put_raw, or store_append of an entry the rules would not
 * have written), and checks that the verification names the first bad seq
 * or the damaged database and what is wrong.
 *
 * Every verification runs with TMPDIR set to a directory of its own, which
 * must be empty again afterwards: the scratch store of the replay is
 * removed whatever the verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "apply.h"
#include "config.h"
#include "errors.h"
#include "merkle.h"
#include "receivable.h"
#include "store.h"
#include "store_debug.h"
#include "verify.h"
#include "wire.h"

#define OKU	INT64_C(100000000)
#define MAN	INT64_C(10000)
#define MAP_MB	64

struct fixture {
	char		 dir[64];
	char		 tmp[64];	/* TMPDIR of the verifications */
	struct store	*st;
};

/* 09:00 in Japan (00:00 UTC) of date d, as a recorded_at. */
static int64_t
at(uint32_t d)
{
	return rcv_day_number(d) * INT64_C(86400000000);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_verify.XXXXXX");
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_verify_tmp.XXXXXX");
	if (mkdtemp(f->dir) == NULL || mkdtemp(f->tmp) == NULL)
		return -1;
	if (setenv("TMPDIR", f->tmp, 1) != 0)
		return -1;
	if (store_open(&f->st, f->dir, MAP_MB, 0, err, sizeof(err)) != 0) {
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
	char p[128];

	store_close(f->st);
	snprintf(p, sizeof(p), "%s/data.mdb", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", f->dir);
	unlink(p);
	rmdir(f->dir);
	rmdir(f->tmp);
	unsetenv("TMPDIR");
	free(f);
	return 0;
}

/* Entries of directory dir other than "." and "..". */
static int
dir_entries(const char *dir)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	dp = opendir(dir);
	assert_non_null(dp);
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/* ---- requests, written by apply_write ---- */

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
r_terms(uint16_t fy, int grant, int64_t min, int64_t max, uint32_t deadline,
    const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_TERMS;
	e.fy = fy;
	e.grant_type = (uint8_t)grant;
	e.min = min;
	e.max = max;
	e.deadline = deadline;		/* 0: (fy+1)-04-30 */
	e.interest_bp = 1095;
	e.late_bp = 1460;
	snprintf(e.ref, sizeof(e.ref), "T-%u-%d", fy, grant);
	snprintf(e.id, sizeof(e.id), "%s", id);
	return e;
}

static unsigned vouchers;	/* refs of requests written without an id */

/* Appropriation (account), award, disbursement or refund (region). */
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
	/* A voucher per payment (DUPLICATE_REF); a retry keeps its id's. */
	if (id[0] != '\0')
		snprintf(e.ref, sizeof(e.ref), "REF-%s", id);
	else
		snprintf(e.ref, sizeof(e.ref), "REF-%u", ++vouchers);
	snprintf(e.id, sizeof(e.id), "%s", id);
	if (kind == LD_K_DISBURSEMENT || kind == LD_K_REFUND)
		e.date = 20130701;
	if (kind == LD_K_AWARD)
		e.date = 20130401;
	return e;
}

/* r_money with a value date. */
static struct ld_entry
r_dated(int kind, const char *region, uint16_t fy, int64_t amount,
    uint32_t date, const char *id)
{
	struct ld_entry e = r_money(kind, region, 0, amount, id);

	e.fy = fy;
	e.date = date;
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

static struct ld_entry
r_close(int account, uint16_t fy)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_YEAR_CLOSE;
	e.account = (uint8_t)account;
	e.fy = fy;
	return e;
}

static struct ld_entry
r_cancel(const char *region, uint16_t fy, uint32_t date, uint32_t repay_by)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_AWARD_CANCEL;
	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = fy;
	e.date = date;
	e.repay_by = repay_by;
	snprintf(e.reason, sizeof(e.reason), "補助事業の中止");
	snprintf(e.ref, sizeof(e.ref), "CX-%s", region);
	return e;
}

static struct ld_entry
r_settle(const char *region, uint16_t fy, int64_t amount, uint32_t date,
    uint32_t repay_by)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_SETTLEMENT;
	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = fy;
	e.amount = amount;
	e.date = date;
	e.repay_by = repay_by;
	snprintf(e.ref, sizeof(e.ref), "ST-%s", region);
	return e;
}

static struct ld_entry
r_receipt(const char *region, uint16_t fy, int64_t amount, uint32_t date,
    const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_RECEIPT;
	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = fy;
	e.amount = amount;
	e.date = date;
	snprintf(e.ref, sizeof(e.ref), "RC-%u", date);
	snprintf(e.id, sizeof(e.id), "%s", id);
	return e;
}

static struct ld_entry
r_carry(const char *region, uint16_t fy, int64_t amount, int kind,
    uint32_t date)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_CARRY_OVER;
	snprintf(e.region, sizeof(e.region), "%s", region);
	e.fy = fy;
	e.amount = amount;
	e.carry_kind = (uint8_t)kind;
	e.date = date;
	snprintf(e.ref, sizeof(e.ref), "CO-%s", region);
	return e;
}

/* apply_write as role at now; the code, and the entry in *out if written. */
static int
wr_at(struct store_txn *t, int role, int64_t now, struct ld_entry e,
    struct ld_entry *out)
{
	const uint8_t *enc;
	size_t len;
	int dup, rc;

	rc = apply_write(t, role, role == ROLE_ADMIN ? "admin01" : "clerk01",
	    now, &e, &dup, &enc, &len, NULL);
	if (rc == LD_OK && out != NULL)
		assert_int_equal(entry_decode(out, enc, len), 0);
	return rc;
}

/* The standard ledger's time: after every FY2013 settlement deadline. */
#define T_STD	at(20140601)

/* Written as a new entry; returns its seq. */
static uint64_t
must_at(struct store_txn *t, int role, int64_t now, struct ld_entry e)
{
	const uint8_t *enc;
	size_t len;
	int dup = -1, rc;

	rc = apply_write(t, role, role == ROLE_ADMIN ? "admin01" : "clerk01",
	    now, &e, &dup, &enc, &len, NULL);
	if (rc != LD_OK)
		fail_msg("%s refused: %s", ld_kind_name(e.kind), ld_err_name(rc));
	assert_int_equal(dup, 0);
	return e.seq;
}

static void
must_write(struct store_txn *t, int role, struct ld_entry e)
{
	(void)must_at(t, role, T_STD, e);
}

/*
 * The standard ledger, 16 entries, written at 2014-06-01:
 *  1 region hakodate (continuing)       2 region miyagi (reconstruction)
 *  3 terms 2013 continuing (no range)   4 terms 2013 reconstruction (t-4)
 *  5 appropriation general 10億         6 appropriation reconstruction 15億 (a-6)
 *  7 award hakodate 3億                 8 award miyagi 4億 (w-8)
 *  9 disbursement hakodate 1億 (d-9)   10 refund hakodate 2000 (f-10)
 * 11 disbursement miyagi 5000 (d-11)   12 reversal of 11 (r-12)
 * 13 award hakodate 2億, replacing 7 (w-13)
 * 14 appropriation general 1 (a-14)    15 reversal of 14
 * 16 year_close reconstruction 2013
 */
#define STD_SIZE	16

static void
build_ledger(struct fixture *f)
{
	struct store_txn *t;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must_write(t, ROLE_ADMIN, r_region("hakodate", LD_G_CONTINUING));
	must_write(t, ROLE_ADMIN, r_region("miyagi", LD_G_RECONSTRUCTION));
	must_write(t, ROLE_ADMIN, r_terms(2013, LD_G_CONTINUING, 0, 0, 0, ""));
	must_write(t, ROLE_ADMIN, r_terms(2013, LD_G_RECONSTRUCTION,
	    25 * OKU / 10, 5 * OKU, 0, "t-4"));
	must_write(t, ROLE_ADMIN, r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL,
	    10 * OKU, ""));
	must_write(t, ROLE_ADMIN, r_money(LD_K_APPROPRIATION, "",
	    LD_A_RECONSTRUCTION, 15 * OKU, "a-6"));
	must_write(t, ROLE_ADMIN, r_money(LD_K_AWARD, "hakodate", 0, 3 * OKU, ""));
	must_write(t, ROLE_ADMIN, r_money(LD_K_AWARD, "miyagi", 0, 4 * OKU,
	    "w-8"));
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must_write(t, ROLE_CLERK, r_money(LD_K_DISBURSEMENT, "hakodate", 0, OKU,
	    "d-9"));
	must_write(t, ROLE_CLERK, r_money(LD_K_REFUND, "hakodate", 0, 2000,
	    "f-10"));
	must_write(t, ROLE_CLERK, r_money(LD_K_DISBURSEMENT, "miyagi", 0, 5000,
	    "d-11"));
	must_write(t, ROLE_CLERK, r_rev(11, "r-12"));
	must_write(t, ROLE_ADMIN, r_dated(LD_K_AWARD, "hakodate", 2013, 2 * OKU,
	    20130801, "w-13"));
	must_write(t, ROLE_ADMIN, r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL,
	    1, "a-14"));
	must_write(t, ROLE_ADMIN, r_rev(14, ""));
	must_write(t, ROLE_ADMIN, r_close(LD_A_RECONSTRUCTION, 2013));
	assert_int_equal(store_size(t), STD_SIZE);
	assert_int_equal(store_commit(t), LD_OK);
}

/*
 * A grant's whole life under version 2 (contract 2.1, 2.2), 32 entries,
 * with recorded_at advancing with the events:
 *  1-3   regions hakodate (general), miyagi (reconstruction),
 *        kushiro (continuing)
 *  4-6   terms 2013: general 1億-2億, reconstruction 2.5億-5億 (deadline
 *        2014-05-31), continuing without a range
 *  7-8   appropriations general 10億, reconstruction 15億
 *  9-11  awards hakodate 1.5億 (05-01), miyagi 3億 (05-10), kushiro 5000万
 *  12-16 hakodate: disbursements 5000万, 3000万, 100万 (reversed by 15),
 *        refund 1000万
 *  17-18 disbursements miyagi 1億, kushiro 2000万
 *  19-20 appropriation general 2億, reversed
 *  21    cancellation of miyagi's award (2014-03-01, repay by 04-30):
 *        a repayment order of 1億
 *  22-24 receipts on it: 2000万 (03-10), 1000万 (03-12) reversed by 24
 *  25    carry-over kushiro 1000万 (explicit) into 2014
 *  26    disbursement kushiro FY2014 500万 (the carried amount)
 *  27    year_close general 2013, recorded 2014-05-15 (after its deadline)
 *  28    receipt miyagi 3000万 (05-20, after repay_by: late charge)
 *  29    settlement hakodate 6000万 with 7000万 paid: order of 1000万
 *  30    receipt hakodate 500万
 *  31    terms 2014 general
 *  32    year_close reconstruction 2013, recorded 2014-07-01
 */
#define LIFE_SIZE	32

static void
build_lifecycle(struct fixture *f)
{
	struct store_txn *t;
	uint64_t seq;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must_at(t, ROLE_ADMIN, at(20130401), r_region("hakodate", LD_G_GENERAL));
	must_at(t, ROLE_ADMIN, at(20130401), r_region("miyagi",
	    LD_G_RECONSTRUCTION));
	must_at(t, ROLE_ADMIN, at(20130401), r_region("kushiro",
	    LD_G_CONTINUING));
	must_at(t, ROLE_ADMIN, at(20130401), r_terms(2013, LD_G_GENERAL, OKU,
	    2 * OKU, 0, "terms-g"));
	must_at(t, ROLE_ADMIN, at(20130401), r_terms(2013, LD_G_RECONSTRUCTION,
	    25 * OKU / 10, 5 * OKU, 20140531, "terms-r"));
	must_at(t, ROLE_ADMIN, at(20130401), r_terms(2013, LD_G_CONTINUING, 0, 0,
	    0, "terms-c"));
	must_at(t, ROLE_ADMIN, at(20130401), r_money(LD_K_APPROPRIATION, "",
	    LD_A_GENERAL, 10 * OKU, "ap-g"));
	must_at(t, ROLE_ADMIN, at(20130401), r_money(LD_K_APPROPRIATION, "",
	    LD_A_RECONSTRUCTION, 15 * OKU, "ap-r"));
	must_at(t, ROLE_ADMIN, at(20130501), r_dated(LD_K_AWARD, "hakodate",
	    2013, 15000 * MAN, 20130501, "aw-h"));
	must_at(t, ROLE_ADMIN, at(20130510), r_dated(LD_K_AWARD, "miyagi", 2013,
	    3 * OKU, 20130510, "aw-m"));
	must_at(t, ROLE_ADMIN, at(20130515), r_dated(LD_K_AWARD, "kushiro", 2013,
	    5000 * MAN, 20130515, "aw-k"));
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must_at(t, ROLE_CLERK, at(20130601), r_dated(LD_K_DISBURSEMENT,
	    "hakodate", 2013, 5000 * MAN, 20130601, "d-h1"));
	must_at(t, ROLE_CLERK, at(20130801), r_dated(LD_K_DISBURSEMENT,
	    "hakodate", 2013, 3000 * MAN, 20130801, "d-h2"));
	seq = must_at(t, ROLE_CLERK, at(20130901), r_dated(LD_K_DISBURSEMENT,
	    "hakodate", 2013, 100 * MAN, 20130901, "d-h3"));
	assert_int_equal(seq, 14);
	must_at(t, ROLE_CLERK, at(20130902), r_rev(14, "rev-d-h3"));
	must_at(t, ROLE_CLERK, at(20131001), r_dated(LD_K_REFUND, "hakodate",
	    2013, 1000 * MAN, 20131001, "f-h1"));
	must_at(t, ROLE_CLERK, at(20131001), r_dated(LD_K_DISBURSEMENT,
	    "miyagi", 2013, OKU, 20130701, "d-m1"));
	must_at(t, ROLE_CLERK, at(20131001), r_dated(LD_K_DISBURSEMENT,
	    "kushiro", 2013, 2000 * MAN, 20130610, "d-k1"));
	seq = must_at(t, ROLE_ADMIN, at(20131101), r_money(LD_K_APPROPRIATION,
	    "", LD_A_GENERAL, 2 * OKU, "ap-g2"));
	assert_int_equal(seq, 19);
	must_at(t, ROLE_ADMIN, at(20131102), r_rev(19, "rev-ap-g2"));
	assert_int_equal(store_commit(t), LD_OK);

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	/* 交付決定の取消 with money paid: an order needs its due date */
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140301), r_cancel("miyagi",
	    2013, 20140301, 0), NULL), LD_E_BAD_REQUEST);
	must_at(t, ROLE_ADMIN, at(20140301), r_cancel("miyagi", 2013, 20140301,
	    20140430));
	/* a cancelled award pays no more */
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140301), r_dated(
	    LD_K_DISBURSEMENT, "miyagi", 2013, 1, 20140301, ""), NULL),
	    LD_E_NO_AWARD);
	must_at(t, ROLE_CLERK, at(20140310), r_receipt("miyagi", 2013,
	    2000 * MAN, 20140310, "rc-m1"));
	seq = must_at(t, ROLE_CLERK, at(20140312), r_receipt("miyagi", 2013,
	    1000 * MAN, 20140312, "rc-m2"));
	assert_int_equal(seq, 23);
	must_at(t, ROLE_CLERK, at(20140313), r_rev(23, "rev-rc-m2"));
	/* nothing ordered from kushiro */
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140313), r_receipt("kushiro",
	    2013, 1, 20140313, ""), NULL), LD_E_NO_RECEIVABLE);
	/* 繰越: 1000万 of kushiro's unpaid 3000万 into FY2014 */
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140320), r_carry("kushiro",
	    2013, 3001 * MAN, LD_C_EXPLICIT, 20140320), NULL), LD_E_OVER_AWARD);
	must_at(t, ROLE_ADMIN, at(20140320), r_carry("kushiro", 2013, 1000 * MAN,
	    LD_C_EXPLICIT, 20140320));
	/* paid in FY2014 without a new award */
	must_at(t, ROLE_CLERK, at(20140501), r_dated(LD_K_DISBURSEMENT,
	    "kushiro", 2014, 500 * MAN, 20140501, "d-k2014"));
	/* the close waits for the deadline (2014-04-30 in Japan) */
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140430),
	    r_close(LD_A_GENERAL, 2013), NULL), LD_E_TOO_EARLY);
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140430) +
	    INT64_C(15) * 3600 * 1000000 - 1, r_close(LD_A_GENERAL, 2013), NULL),
	    LD_E_TOO_EARLY);
	seq = must_at(t, ROLE_ADMIN, at(20140515), r_close(LD_A_GENERAL, 2013));
	assert_int_equal(seq, 27);
	/* closed: no more payments, carry-overs or terms for it */
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140515), r_dated(
	    LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140401, ""), NULL),
	    LD_E_YEAR_CLOSED);
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140515), r_carry("kushiro",
	    2013, 1, LD_C_ACCIDENT, 20140320), NULL), LD_E_YEAR_CLOSED);
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140515), r_terms(2013,
	    LD_G_GENERAL, OKU, 2 * OKU, 0, ""), NULL), LD_E_YEAR_CLOSED);
	/* receipts, settlements come later by nature */
	must_at(t, ROLE_CLERK, at(20140520), r_receipt("miyagi", 2013,
	    3000 * MAN, 20140520, "rc-m3"));
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140601), r_settle("hakodate",
	    2013, 6000 * MAN, 20140601, 0), NULL), LD_E_BAD_REQUEST);
	must_at(t, ROLE_ADMIN, at(20140601), r_settle("hakodate", 2013,
	    6000 * MAN, 20140601, 20140731));
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140602), r_settle("hakodate",
	    2013, 6000 * MAN, 20140602, 20140731), NULL), LD_E_SETTLED);
	must_at(t, ROLE_CLERK, at(20140701), r_receipt("hakodate", 2013,
	    500 * MAN, 20140701, "rc-h1"));
	must_at(t, ROLE_ADMIN, at(20140701), r_terms(2014, LD_G_GENERAL, OKU,
	    2 * OKU, 20150515, "terms-g-2014"));
	must_at(t, ROLE_ADMIN, at(20140701), r_close(LD_A_RECONSTRUCTION, 2013));
	assert_int_equal(store_size(t), LIFE_SIZE);
	assert_int_equal(store_error(t), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
}

/* ---- verification ---- */

static int
run_verify(struct fixture *f, struct verify_report *rep)
{
	int rc;

	assert_int_equal(dir_entries(f->tmp), 0);
	rc = verify_ledger(f->st, MAP_MB, rep);
	if (rc != VERIFY_INTACT)
		printf("  verify: %d bad_seq %llu: %s\n", rc,
		    (unsigned long long)rep->bad_seq, rep->reason);
	/* the scratch store is gone, whatever the verdict */
	assert_int_equal(dir_entries(f->tmp), 0);
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

/*
 * Damage in derived database db, named with the record's key as a reader
 * knows it; tied to a seq only where the key is one (reversed, payments).
 */
static void
expect_db_damage(struct fixture *f, int db, const char *what)
{
	struct verify_report rep;
	char want[64];

	assert_int_equal(run_verify(f, &rep), VERIFY_DAMAGED);
	if (db != STORE_DB_REVERSED && db != STORE_DB_PAYMENTS)
		assert_int_equal(rep.bad_seq, 0);
	else
		assert_true(rep.bad_seq != 0);
	snprintf(want, sizeof(want), "%s: record ", store_db_name(db));
	if (strncmp(rep.reason, want, strlen(want)) != 0)
		fail_msg("reason '%s' does not start with '%s'", rep.reason,
		    want);
	if (strstr(rep.reason, what) == NULL)
		fail_msg("reason '%s' lacks '%s'", rep.reason, what);
}

#define MISSING		"missing"
#define EXTRA		"stored, but no entry makes it"
#define DIFFERS		"differs from what the entries give"

static void
expect_intact(struct fixture *f, uint64_t size)
{
	struct verify_report rep;

	assert_int_equal(run_verify(f, &rep), VERIFY_INTACT);
	assert_int_equal(rep.size, size);
	assert_int_equal(rep.bad_seq, 0);
	assert_string_equal(rep.reason, "");
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

struct rawrec {
	const uint8_t	*key;
	size_t		 klen;
	uint8_t		 val[32768];
	size_t		 vlen;
	int		 found;
};

static int
rawrec_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct rawrec *r = ctx;

	if (klen == r->klen && memcmp(key, r->key, klen) == 0 &&
	    vlen <= sizeof(r->val)) {
		memcpy(r->val, val, vlen);
		r->vlen = vlen;
		r->found = 1;
	}
	return 1;
}

/* The stored value of one derived record, copied into *r. */
static void
get_raw(struct fixture *f, int db, const void *key, size_t klen,
    struct rawrec *r)
{
	struct store_txn *t;

	memset(r, 0, sizeof(*r));
	r->key = key;
	r->klen = klen;
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	(void)store_scan(t, db, key, klen, rawrec_cb, r);
	store_abort(t);
	assert_true(r->found);
}

static void
seqkey(uint8_t key[8], uint64_t seq)
{
	be64_put(key, seq);
}

/* u16be fy || code: the key of regbal, orders. */
static size_t
regkey(uint8_t *key, uint16_t fy, const char *code)
{
	be16_put(key, fy);
	memcpy(key + 2, code, strlen(code));
	return 2 + strlen(code);
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

/* Append e as the next seq, past every rule (as a bug or an attacker could). */
static uint64_t
append_raw(struct fixture *f, struct ld_entry *e)
{
	struct store_txn *t;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	e->format = LD_ENTRY_FORMAT;
	e->seq = store_size(t) + 1;
	assert_int_equal(store_append(t, e, NULL, NULL), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	return e->seq;
}

/*
 * The entry the writer would append for req at now, in a transaction that
 * is then thrown away: what a tampered copy is made from.
 */
static void
would_write(struct fixture *f, int role, int64_t now, struct ld_entry req,
    struct ld_entry *out)
{
	struct store_txn *t;

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(wr_at(t, role, now, req, out), LD_OK);
	store_abort(t);
}

/* ---- the tests ---- */

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
	assert_int_equal(rep.size, STD_SIZE);
	assert_int_equal(rep.bad_seq, 0);
	assert_string_equal(rep.reason, "");
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_tree_root(t, STD_SIZE, root), LD_OK);
	store_abort(t);
	assert_memory_equal(rep.root, root, 32);

	/* a read-only ledger, as `ledgerd --verify` opens it */
	store_close(f->st);
	{
		char err[256];

		assert_int_equal(store_open(&f->st, f->dir, MAP_MB, 1, err,
		    sizeof(err)), 0);
	}
	expect_intact(f, STD_SIZE);
}

/* A grant's life, written by the rules, is intact. */
static void
test_lifecycle_intact(void **state)
{
	struct fixture *f = *state;
	struct verify_report rep;
	struct store_txn *t;
	struct ld_entry e;
	struct ld_acct_bal a;
	struct ld_region_bal r;
	struct ld_order *o;
	struct ld_terms x;
	uint8_t root[32];

	build_lifecycle(f);
	assert_int_equal(run_verify(f, &rep), VERIFY_INTACT);
	assert_int_equal(rep.size, LIFE_SIZE);
	assert_string_equal(rep.reason, "");
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_tree_root(t, LIFE_SIZE, root), LD_OK);
	assert_memory_equal(rep.root, root, 32);

	/* the ledger is the one the comment describes */
	assert_int_equal(store_get(t, 27, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_YEAR_CLOSE);
	assert_true(e.appropriated == 10 * OKU);
	assert_true(e.awarded == 2 * OKU);
	assert_true(e.disbursed == OKU && e.refunded == 1000 * MAN);
	assert_true(e.net == 9000 * MAN);
	assert_true(e.carried_out == 1000 * MAN && e.carried_in == 0);
	assert_true(e.budget == 10 * OKU);
	assert_true(e.unused == 9 * OKU);
	assert_true(e.execution_rate_bp == 900);
	assert_int_equal(store_get(t, 21, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_AWARD_CANCEL);
	assert_true(e.amount == 3 * OKU && e.principal == OKU);
	assert_int_equal(store_get(t, 29, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_SETTLEMENT);
	assert_true(e.principal == 1000 * MAN);
	assert_int_equal(store_get(t, 28, &e), LD_OK);
	assert_int_equal(e.kind, LD_K_RECEIPT);
	assert_true(e.principal + e.interest + e.late == 3000 * MAN);
	assert_int_equal(store_get(t, 32, &e), LD_OK);
	assert_true(e.awarded == 0 && e.net == OKU);
	assert_true(e.receipts == 2000 * MAN);	/* dated in FY2013 */
	assert_true(e.execution_rate_bp == OKU * 10000 / (15 * OKU));

	assert_int_equal(store_acct_bal(t, LD_A_RECONSTRUCTION, 2014, &a), LD_OK);
	assert_true(a.receipts == 3000 * MAN);	/* dated in FY2014 */
	assert_int_equal(store_acct_bal(t, LD_A_GENERAL, 2014, &a), LD_OK);
	assert_true(a.carried_in == 1000 * MAN && a.disbursed == 500 * MAN);
	assert_true(a.receipts == 500 * MAN);
	assert_int_equal(store_region_bal(t, "kushiro", 2014, &r), LD_OK);
	assert_true(r.carried_in == 1000 * MAN && r.award == 0);
	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_true(r.settled_set && r.settled == 6000 * MAN && r.has_order);
	assert_int_equal(r.award_date, 20130501);
	assert_int_equal(store_region_bal(t, "miyagi", 2013, &r), LD_OK);
	assert_true(r.cancelled && r.award == 0 && r.has_order);
	o = malloc(sizeof(*o));
	assert_non_null(o);
	assert_int_equal(store_order(t, "miyagi", 2013, o), LD_OK);
	assert_int_equal(o->seq, 21);
	assert_true(o->o.principal == OKU);
	assert_int_equal(o->nreceipts, 2);	/* 22 and 28; 23 reversed */
	assert_int_equal(o->receipts[0].seq, 22);
	assert_int_equal(o->receipts[1].seq, 28);
	assert_int_equal(store_order(t, "hakodate", 2013, o), LD_OK);
	assert_int_equal(o->seq, 29);
	assert_int_equal(o->o.nparts, 1);	/* the latest payment left */
	assert_int_equal(o->o.parts[0].date, 20130801);
	free(o);
	assert_int_equal(store_terms(t, 2014, LD_G_GENERAL, &x), LD_OK);
	assert_int_equal(x.seq, 31);
	assert_int_equal(x.deadline, 20150515);
	store_abort(t);
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
	assert_int_equal(setup(state), 0);
	f = *state;
	build_ledger(f);
	len = get_entry_bytes(f, STD_SIZE, buf);
	seqkey(key, STD_SIZE);
	raw(f, STORE_DB_ENTRIES, key, 8, NULL, 0);
	expect_damage(f, STD_SIZE, "seq 16: entry missing");

	/* an entry beyond the size */
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len);
	be64_put(sz, STD_SIZE - 1);
	raw(f, STORE_DB_META, "size", 4, sz, 8);
	expect_damage(f, 0,
	    "entries: a record for seq 16, beyond the ledger's size 15");
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
	assert_int_equal(setup(state), 0);
	f = *state;
	build_ledger(f);
	key[0] = 1;
	be64_put(key + 1, 8);	/* leaves 16 and 17: 17 does not exist */
	raw(f, STORE_DB_NODES, key, 9, h, 32);
	expect_damage(f, 0, "Merkle nodes: 16 records, 15 expected for 16 "
	    "entries");
}

static void
test_wrong_balance(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_region_bal r;
	struct ld_acct_bal a;
	struct rawrec rec;
	uint8_t key[2 + LD_CODE_MAX];
	size_t klen;

	build_ledger(f);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_int_equal(store_acct_bal(t, LD_A_GENERAL, 2013, &a), LD_OK);
	store_abort(t);
	assert_int_equal(r.disbursed, OKU);
	assert_int_equal(r.refunded, 2000);
	assert_int_equal(r.award, 2 * OKU);
	assert_int_equal(r.award_seq, 13);
	assert_int_equal(r.award_date, 20130401);	/* the first award's */
	assert_int_equal(a.awarded, 2 * OKU);
	assert_int_equal(a.appropriated, 10 * OKU);

	/* regbal hakodate 2013, as stored, with disbursed + 1 */
	klen = regkey(key, 2013, "hakodate");
	get_raw(f, STORE_DB_REGBAL, key, klen, &rec);
	assert_int_equal(be64_get(rec.val + 18), (uint64_t)OKU);
	be64_put(rec.val + 18, (uint64_t)OKU + 1);
	raw(f, STORE_DB_REGBAL, key, klen, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_REGBAL, "'hakodate' FY2013 " DIFFERS);
	/* the first award's date changed */
	be64_put(rec.val + 18, (uint64_t)OKU);
	be32_put(rec.val + 34, 20130801);
	raw(f, STORE_DB_REGBAL, key, klen, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_REGBAL, DIFFERS);
	be32_put(rec.val + 34, 20130401);
	raw(f, STORE_DB_REGBAL, key, klen, rec.val, rec.vlen);
	expect_intact(f, STD_SIZE);

	/* the record gone */
	raw(f, STORE_DB_REGBAL, key, klen, NULL, 0);
	expect_db_damage(f, STORE_DB_REGBAL, "'hakodate' FY2013 " MISSING);
	raw(f, STORE_DB_REGBAL, key, klen, rec.val, rec.vlen);

	/* one that no entry touches */
	klen = regkey(key, 2014, "hakodate");
	raw(f, STORE_DB_REGBAL, key, klen, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_REGBAL, "'hakodate' FY2014 " EXTRA);
}

static void
test_wrong_account_balance(void **state)
{
	struct fixture *f = *state;
	struct rawrec rec;
	uint8_t key[3];

	build_ledger(f);
	/* reconstruction 2013: closed */
	be16_put(key, 2013);
	key[2] = LD_A_RECONSTRUCTION;
	get_raw(f, STORE_DB_ACCTBAL, key, 3, &rec);
	assert_int_equal(rec.val[35], 1);
	/* written again as it is: still intact */
	raw(f, STORE_DB_ACCTBAL, key, 3, rec.val, rec.vlen);
	expect_intact(f, STD_SIZE);
	rec.val[35] = 0;
	raw(f, STORE_DB_ACCTBAL, key, 3, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_ACCTBAL, "reconstruction FY2013 " DIFFERS);
	/* a malformed record (version 1's 36 bytes) */
	rec.val[35] = 1;
	raw(f, STORE_DB_ACCTBAL, key, 3, rec.val, 36);
	expect_db_damage(f, STORE_DB_ACCTBAL, DIFFERS);
	raw(f, STORE_DB_ACCTBAL, key, 3, rec.val, 35);
	expect_db_damage(f, STORE_DB_ACCTBAL, DIFFERS);
	/* receipts are a balance too */
	be64_put(rec.val + 52, 1);
	raw(f, STORE_DB_ACCTBAL, key, 3, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_ACCTBAL, DIFFERS);
}

static void
test_index_damage(void **state)
{
	struct fixture *f = *state;
	struct rawrec rec;
	uint8_t v[8], key[8];

	build_ledger(f);
	/* ids: removed, changed, added */
	raw(f, STORE_DB_IDS, "d-11", 4, NULL, 0);
	expect_db_damage(f, STORE_DB_IDS, "'d-11' " MISSING);
	be64_put(v, 9);
	raw(f, STORE_DB_IDS, "d-11", 4, v, 8);
	expect_db_damage(f, STORE_DB_IDS, "'d-11' " DIFFERS);
	be64_put(v, 11);
	raw(f, STORE_DB_IDS, "d-11", 4, v, 8);
	expect_intact(f, STD_SIZE);
	raw(f, STORE_DB_IDS, "ghost", 5, v, 8);
	expect_db_damage(f, STORE_DB_IDS, "'ghost' " EXTRA);
	raw(f, STORE_DB_IDS, "ghost", 5, NULL, 0);

	/* regions: removed, its grant type changed */
	get_raw(f, STORE_DB_REGIONS, "miyagi", 6, &rec);
	assert_int_equal(rec.vlen, 9);
	assert_int_equal(be64_get(rec.val), 2);
	assert_int_equal(rec.val[8], LD_G_RECONSTRUCTION);
	raw(f, STORE_DB_REGIONS, "miyagi", 6, NULL, 0);
	expect_db_damage(f, STORE_DB_REGIONS, "'miyagi' " MISSING);
	rec.val[8] = LD_G_GENERAL;
	raw(f, STORE_DB_REGIONS, "miyagi", 6, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_REGIONS, "'miyagi' " DIFFERS);
	rec.val[8] = LD_G_RECONSTRUCTION;
	raw(f, STORE_DB_REGIONS, "miyagi", 6, rec.val, rec.vlen);

	/* reversed: removed, added */
	seqkey(key, 14);
	raw(f, STORE_DB_REVERSED, key, 8, NULL, 0);
	expect_db_damage(f, STORE_DB_REVERSED, "seq 14 " MISSING);
	be64_put(v, 15);
	raw(f, STORE_DB_REVERSED, key, 8, v, 8);
	expect_intact(f, STD_SIZE);
	seqkey(key, 9);
	raw(f, STORE_DB_REVERSED, key, 8, v, 8);
	expect_db_damage(f, STORE_DB_REVERSED, EXTRA);
	raw(f, STORE_DB_REVERSED, key, 8, NULL, 0);
	/* ... or naming another reversal */
	seqkey(key, 11);
	be64_put(v, 15);
	raw(f, STORE_DB_REVERSED, key, 8, v, 8);
	expect_db_damage(f, STORE_DB_REVERSED, DIFFERS);
}

/* The version 2 databases: terms, payments, orders. */
static void
test_new_db_damage(void **state)
{
	struct fixture *f = *state;
	struct rawrec rec, rec2;
	uint8_t key[2 + LD_CODE_MAX + 9];
	size_t klen;

	build_lifecycle(f);
	expect_intact(f, LIFE_SIZE);

	/* terms: the general range of 2013 widened */
	key[0] = 0x07;
	key[1] = 0xdd;
	key[2] = LD_G_GENERAL;
	get_raw(f, STORE_DB_TERMS, key, 3, &rec);
	assert_int_equal(rec.vlen, 36);
	assert_int_equal(be64_get(rec.val), 4);		/* the terms entry */
	assert_int_equal(be64_get(rec.val + 16), (uint64_t)(2 * OKU));
	be64_put(rec.val + 16, (uint64_t)(3 * OKU));
	raw(f, STORE_DB_TERMS, key, 3, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_TERMS, "general FY2013 " DIFFERS);
	be64_put(rec.val + 16, (uint64_t)(2 * OKU));
	raw(f, STORE_DB_TERMS, key, 3, rec.val, rec.vlen);
	expect_intact(f, LIFE_SIZE);
	/* removed; and some for a year without terms entries */
	raw(f, STORE_DB_TERMS, key, 3, NULL, 0);
	expect_db_damage(f, STORE_DB_TERMS, MISSING);
	raw(f, STORE_DB_TERMS, key, 3, rec.val, rec.vlen);
	key[1] = 0xdf;		/* 2015 */
	raw(f, STORE_DB_TERMS, key, 3, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_TERMS, EXTRA);
	raw(f, STORE_DB_TERMS, key, 3, NULL, 0);

	/* payments (fy || seq): hakodate's first disbursement (seq 12) gone */
	be16_put(key, 2013);
	be64_put(key + 2, 12);
	klen = 10;
	get_raw(f, STORE_DB_PAYMENTS, key, klen, &rec);
	assert_int_equal(rec.vlen, 12 + strlen("hakodate"));
	assert_memory_equal(rec.val + 12, "hakodate", strlen("hakodate"));
	assert_int_equal(be32_get(rec.val), 20130601);
	raw(f, STORE_DB_PAYMENTS, key, klen, NULL, 0);
	expect_db_damage(f, STORE_DB_PAYMENTS, MISSING);
	/* its amount changed */
	be64_put(rec.val + 4, (uint64_t)(4000 * MAN));
	raw(f, STORE_DB_PAYMENTS, key, klen, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_PAYMENTS, DIFFERS);
	be64_put(rec.val + 4, (uint64_t)(5000 * MAN));
	raw(f, STORE_DB_PAYMENTS, key, klen, rec.val, rec.vlen);
	expect_intact(f, LIFE_SIZE);
	/* the reversed disbursement (seq 14) still listed */
	be64_put(key + klen - 8, 14);
	raw(f, STORE_DB_PAYMENTS, key, klen, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_PAYMENTS, EXTRA);
	raw(f, STORE_DB_PAYMENTS, key, klen, NULL, 0);

	/* orders: a receipt of miyagi's order changed */
	klen = regkey(key, 2013, "miyagi");
	get_raw(f, STORE_DB_ORDERS, key, klen, &rec);
	assert_int_equal(be64_get(rec.val), 21);	/* the cancellation */
	/* the last receipt's amount is the record's last 8 bytes */
	assert_int_equal(be64_get(rec.val + rec.vlen - 8),
	    (uint64_t)(3000 * MAN));
	be64_put(rec.val + rec.vlen - 8, (uint64_t)(3001 * MAN));
	raw(f, STORE_DB_ORDERS, key, klen, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_ORDERS, "'miyagi' FY2013 " DIFFERS);
	be64_put(rec.val + rec.vlen - 8, (uint64_t)(3000 * MAN));
	raw(f, STORE_DB_ORDERS, key, klen, rec.val, rec.vlen);
	expect_intact(f, LIFE_SIZE);
	/* hakodate's order gone */
	klen = regkey(key, 2013, "hakodate");
	get_raw(f, STORE_DB_ORDERS, key, klen, &rec2);
	raw(f, STORE_DB_ORDERS, key, klen, NULL, 0);
	expect_db_damage(f, STORE_DB_ORDERS, "'hakodate' FY2013 " MISSING);
	raw(f, STORE_DB_ORDERS, key, klen, rec2.val, rec2.vlen);
	/* an order for kushiro, which was never ordered to repay */
	klen = regkey(key, 2013, "kushiro");
	raw(f, STORE_DB_ORDERS, key, klen, rec.val, rec.vlen);
	expect_db_damage(f, STORE_DB_ORDERS, "'kushiro' FY2013 " EXTRA);
}

/* Entries that the rules would never have accepted, stored consistently. */
/* ---- two-person approval (contract 2.7, 2.10) ---- */

static int
wr_as(struct store_txn *t, int role, const char *actor, int64_t now,
    struct ld_entry e, struct ld_entry *out, struct apply_why *why)
{
	const uint8_t *enc;
	size_t len;
	int dup, rc;

	rc = apply_write(t, role, actor, now, &e, &dup, &enc, &len, why);
	if (rc == LD_OK && out != NULL)
		assert_int_equal(entry_decode(out, enc, len), 0);
	return rc;
}

static struct ld_entry
r_policy(uint16_t require, int64_t over, uint16_t days)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_POLICY;
	e.require = require;
	e.disburse_over = over;
	e.expire_days = days;
	snprintf(e.ref, sizeof(e.ref), "POLICY-1");
	return e;
}

static struct ld_entry
r_decide(uint64_t request, int decision, const char *reason)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_APPROVAL;
	e.request = request;
	e.decision = (uint8_t)decision;
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	return e;
}

#define DAY_US	(INT64_C(86400) * 1000000)

/*
 * A policy, then every way a request ends, through apply_write as the
 * writer calls it; the balances move only with an approved action, and
 * --verify's replay reaches the same verdicts.
 */
static void
test_approvals(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_region_bal before, after;
	struct ld_reqstate rs;
	struct apply_why why;
	struct verify_report rep;
	struct ld_entry e;
	int64_t now = T_STD;

	build_ledger(f);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	/* the policy is budget's (admin's) to write */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_policy(
	    LD_KIND_BIT(LD_K_REVERSAL), 1000 * MAN, 14), NULL, NULL),
	    LD_E_FORBIDDEN);
	assert_int_equal(wr_as(t, ROLE_BUDGET, "budget01", now, r_policy(
	    LD_KIND_BIT(LD_K_DISBURSEMENT), 1000 * MAN, 14), NULL, NULL),
	    LD_E_BAD_REQUEST);	/* disbursements go by amount */
	assert_int_equal(must_at(t, ROLE_BUDGET, now, r_policy(
	    LD_KIND_BIT(LD_K_REVERSAL), 1000 * MAN, 14)), 17);

	/* at or below the threshold: paid at once */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_money(
	    LD_K_DISBURSEMENT, "hakodate", 0, 1000 * MAN, "p-small"), &e, NULL),
	    LD_OK);
	assert_int_equal(e.kind, LD_K_DISBURSEMENT);
	assert_int_equal(e.seq, 18);

	/* above: a request, and no balance moves */
	store_region_bal(t, "hakodate", 2013, &before);
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_money(
	    LD_K_DISBURSEMENT, "hakodate", 0, 2000 * MAN, "p-big"), &e, NULL),
	    LD_OK);
	assert_int_equal(e.kind, LD_K_REQUEST);
	assert_int_equal(e.action, LD_K_DISBURSEMENT);
	assert_int_equal(e.seq, 19);
	assert_true(e.amount == 2000 * MAN);
	assert_int_equal(e.account, 0);
	assert_true(e.expires_at == now + 14 * DAY_US);
	store_region_bal(t, "hakodate", 2013, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(store_request(t, 19, &rs), LD_OK);
	assert_int_equal(rs.status, LD_REQ_PENDING);
	assert_int_equal(rs.fy, 2013);
	/* a retry is the same request, not a second one */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_money(
	    LD_K_DISBURSEMENT, "hakodate", 0, 2000 * MAN, "p-big"), &e, NULL),
	    LD_OK);
	assert_int_equal(e.seq, 19);
	/* a request the rules refuse is refused at once, as the write was */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_money(
	    LD_K_DISBURSEMENT, "hakodate", 0, 5 * OKU, ""), NULL, NULL),
	    LD_E_OVER_AWARD);

	/* approve's order: NOT_FOUND, NOT_PENDING, FORBIDDEN, SELF_APPROVAL */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk02", now,
	    r_decide(18, LD_D_APPROVED, ""), NULL, NULL), LD_E_NOT_FOUND);
	assert_int_equal(wr_as(t, ROLE_REVENUE, "rev01", now,
	    r_decide(19, LD_D_APPROVED, ""), NULL, &why), LD_E_FORBIDDEN);
	assert_non_null(strstr(why.msg, "may not approve a disburse request"));
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now,
	    r_decide(19, LD_D_APPROVED, ""), NULL, &why), LD_E_SELF_APPROVAL);
	assert_non_null(strstr(why.msg, "\"clerk01\""));
	/* a reason is reject's, not approve's */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk02", now,
	    r_decide(19, LD_D_APPROVED, "ok"), NULL, NULL), LD_E_BAD_REQUEST);
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk02", now,
	    r_decide(19, LD_D_REJECTED, ""), NULL, NULL), LD_E_BAD_REQUEST);

	/* approved: the approval (20), then the action (21) by the requester */
	assert_int_equal(wr_as(t, ROLE_DISBURSING, "clerk02", now + 1,
	    r_decide(19, LD_D_APPROVED, ""), &e, NULL), LD_OK);
	assert_int_equal(e.kind, LD_K_DISBURSEMENT);
	assert_int_equal(e.seq, 21);
	assert_true(e.approved_by == 20 && e.request == 19);
	assert_string_equal(e.actor, "clerk01");
	assert_int_equal(e.account, LD_A_GENERAL);
	store_region_bal(t, "hakodate", 2013, &after);
	assert_true(after.disbursed == before.disbursed + 2000 * MAN);
	assert_int_equal(store_request(t, 19, &rs), LD_OK);
	assert_int_equal(rs.status, LD_REQ_APPROVED);
	assert_int_equal(rs.decided_by, 20);
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk03", now + 2,
	    r_decide(19, LD_D_APPROVED, ""), NULL, &why), LD_E_NOT_PENDING);
	assert_non_null(strstr(why.msg, "approved by seq 20"));

	/* a reversal the policy names; withdrawn by its author */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_rev(18, "rv"),
	    &e, NULL), LD_OK);
	assert_int_equal(e.kind, LD_K_REQUEST);
	assert_int_equal(e.action, LD_K_REVERSAL);
	assert_int_equal(e.seq, 22);
	assert_int_equal(store_request(t, 22, &rs), LD_OK);
	assert_int_equal(rs.fy, 2013);	/* the target's */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now,
	    r_decide(22, LD_D_REJECTED, "wrong voucher"), &e, NULL), LD_OK);
	assert_int_equal(e.kind, LD_K_APPROVAL);
	assert_int_equal(e.decision, LD_D_REJECTED);
	assert_int_equal(e.seq, 23);
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk02", now,
	    r_decide(22, LD_D_APPROVED, ""), NULL, NULL), LD_E_NOT_PENDING);

	/* the rules changed between request and approval: refused, recorded */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_money(
	    LD_K_DISBURSEMENT, "hakodate", 0, 7000 * MAN, "p-late"), &e, NULL),
	    LD_OK);
	assert_int_equal(e.seq, 24);
	must_at(t, ROLE_ADMIN, now, r_dated(LD_K_AWARD, "hakodate", 2013,
	    15 * OKU / 10, 20130801, "w-25"));
	store_region_bal(t, "hakodate", 2013, &before);
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk02", now,
	    r_decide(24, LD_D_APPROVED, ""), NULL, &why), LD_E_OVER_AWARD);
	assert_non_null(strstr(why.msg, "approval recorded as seq 26"));
	assert_int_equal(store_size(t), 26);
	assert_int_equal(store_get(t, 26, &e), LD_OK);
	assert_int_equal(e.decision, LD_D_REFUSED);
	assert_int_equal(e.refusal, LD_E_OVER_AWARD);
	store_region_bal(t, "hakodate", 2013, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(store_request(t, 24, &rs), LD_OK);
	assert_int_equal(rs.status, LD_REQ_REFUSED);
	/* its retry (same id) is answered the same refusal, nothing written */
	{
		struct ld_entry a = r_decide(24, LD_D_APPROVED, "");

		snprintf(a.id, sizeof(a.id), "ap-24");
		assert_int_equal(wr_as(t, ROLE_CLERK, "clerk02", now, a, NULL,
		    NULL), LD_E_NOT_PENDING);
	}

	/* expiry, by the approval's recorded_at */
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk01", now, r_money(
	    LD_K_DISBURSEMENT, "hakodate", 0, 1500 * MAN, "p-old"), &e, NULL),
	    LD_OK);
	assert_int_equal(e.seq, 27);
	assert_int_equal(wr_as(t, ROLE_CLERK, "clerk02", now + 14 * DAY_US + 1,
	    r_decide(27, LD_D_APPROVED, ""), NULL, &why), LD_E_NOT_PENDING);
	assert_non_null(strstr(why.msg, "expired"));
	assert_int_equal(store_size(t), 27);
	assert_int_equal(store_error(t), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);

	/* --verify replays requests and approvals to the same verdicts */
	assert_int_equal(run_verify(f, &rep), VERIFY_INTACT);

	/* a payment above the threshold that skipped its approval is caught */
	e = r_money(LD_K_DISBURSEMENT, "hakodate", LD_A_GENERAL, 1500 * MAN, "");
	snprintf(e.actor, sizeof(e.actor), "clerk01");
	e.recorded_at = now;
	assert_int_equal(append_raw(f, &e), 28);
	expect_damage(f, 28, "written without the approval the policy in force "
	    "(seq 17) requires");
}

static void
test_rules_replayed(void **state)
{
	struct fixture *f = *state;
	struct ld_entry e;
	uint64_t seq;

	build_ledger(f);
	/* a disbursement beyond the award, appended past the rules */
	e = r_money(LD_K_DISBURSEMENT, "hakodate", LD_A_GENERAL, 2 * OKU, "");
	snprintf(e.actor, sizeof(e.actor), "clerk01");
	e.recorded_at = T_STD;
	seq = append_raw(f, &e);
	assert_int_equal(seq, STD_SIZE + 1);
	expect_damage(f, seq, "seq 17: the rules refuse this disbursement: "
	    "OVER_AWARD");

	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	build_ledger(f);
	/* a year_close recorded before the deadline, with the right totals */
	would_write(f, ROLE_ADMIN, T_STD, r_close(LD_A_GENERAL, 2013), &e);
	e.recorded_at = at(20140420);
	seq = append_raw(f, &e);
	expect_damage(f, seq, "seq 17: the rules refuse this year_close: "
	    "TOO_EARLY");

	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	build_ledger(f);
	/* an id used twice */
	e = r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL, 5, "x");
	snprintf(e.actor, sizeof(e.actor), "admin01");
	e.recorded_at = T_STD;
	assert_int_equal(append_raw(f, &e), 17);
	e = r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL, 6, "x");
	snprintf(e.actor, sizeof(e.actor), "admin01");
	e.recorded_at = T_STD;
	assert_int_equal(append_raw(f, &e), 18);
	expect_damage(f, 18, "seq 18: id 'x' already used by seq 17");

	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	build_ledger(f);
	/* a terms entry whose deadline is outside its window */
	would_write(f, ROLE_ADMIN, T_STD, r_terms(2014, LD_G_CONTINUING, 0, 0,
	    0, ""), &e);
	e.deadline = 20150601;
	seq = append_raw(f, &e);
	expect_damage(f, seq, "seq 17: fields not valid for a terms request");
}

/*
 * An entry whose derived fields were altered, its leaf and the tree
 * computed over the altered bytes: nothing but the rules can tell.
 */
static void
test_derived_field_altered(void **state)
{
	struct fixture *f = *state;
	struct ld_entry e;
	uint64_t seq;

	/* a year_close whose totals are not the account's */
	build_ledger(f);
	would_write(f, ROLE_ADMIN, T_STD, r_close(LD_A_GENERAL, 2013), &e);
	assert_true(e.refunded == 2000 && e.net == OKU - 2000);
	e.refunded = 0;
	e.net = OKU;
	seq = append_raw(f, &e);
	assert_int_equal(seq, STD_SIZE + 1);
	expect_damage(f, seq, "seq 17: the rules derive other fields for this "
	    "year_close than it carries");

	/* the same, in one of the version 2 totals only, after a lifecycle */
	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	build_lifecycle(f);
	would_write(f, ROLE_ADMIN, at(20150601), r_close(LD_A_GENERAL, 2014),
	    &e);
	assert_true(e.carried_in == 1000 * MAN && e.receipts == 500 * MAN);
	e.receipts = 0;
	seq = append_raw(f, &e);
	assert_int_equal(seq, LIFE_SIZE + 1);
	expect_damage(f, seq, "derive");
	expect_damage(f, LIFE_SIZE + 1, "seq 33: ");

	/* a receipt whose split moves a yen from principal to interest */
	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	build_lifecycle(f);
	would_write(f, ROLE_CLERK, at(20140801), r_receipt("hakodate", 2013,
	    100 * MAN, 20140801, "rc-h2"), &e);
	assert_true(e.principal == 100 * MAN && e.interest == 0);
	e.principal -= 1;
	e.interest += 1;
	seq = append_raw(f, &e);
	expect_damage(f, seq, "seq 33: the rules derive other fields for this "
	    "receipt");

	/* a cancellation that orders less than was paid */
	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	build_lifecycle(f);
	would_write(f, ROLE_ADMIN, at(20140801), r_cancel("kushiro", 2013,
	    20140801, 20140930), &e);
	assert_true(e.principal == 2000 * MAN && e.amount == 5000 * MAN);
	e.principal = 1000 * MAN;
	seq = append_raw(f, &e);
	expect_damage(f, seq, "derive");

	/* an award in another account than its region's */
	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	build_ledger(f);
	would_write(f, ROLE_ADMIN, T_STD, r_dated(LD_K_AWARD, "hakodate", 2013,
	    OKU, 20130901, ""), &e);
	assert_int_equal(e.account, LD_A_GENERAL);
	e.account = LD_A_RECONSTRUCTION;
	seq = append_raw(f, &e);
	expect_damage(f, seq, "seq 17: the rules derive other fields for this "
	    "award");
}

/*
 * apply.h: "A refusal returns the rule's code and has written nothing."
 * A terms request for FY9999 without a deadline passes rules_validate()
 * (fy and the options are within the contract's limits), and its default
 * deadline (fy+1)-04-30 is 10000-04-30, which entry_encode() refuses.
 */
static void
test_refused_write_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_terms x;
	uint64_t seq, nterms, nacct;
	int rc;

	/*
	 * A refused write leaves no trace, even one refused late: terms for
	 * FY9999 with the default deadline (which would be 10000-04-30) are
	 * BAD_REQUEST, and the committed transaction holds no id, terms or
	 * balance record for them (`--verify` finds the ledger intact).
	 */
	build_ledger(f);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	assert_int_equal(store_count(t, STORE_DB_TERMS, &nterms), LD_OK);
	assert_int_equal(store_count(t, STORE_DB_ACCTBAL, &nacct), LD_OK);
	rc = wr_at(t, ROLE_ADMIN, T_STD, r_terms(LD_FY_MAX, LD_G_CONTINUING, 0,
	    0, 0, "t-9999"), NULL);
	assert_int_not_equal(rc, LD_OK);
	assert_int_equal(rc, LD_E_BAD_REQUEST);
	assert_int_equal(store_size(t), STD_SIZE);
	assert_int_equal(store_terms(t, LD_FY_MAX, LD_G_CONTINUING, &x),
	    LD_E_NOT_FOUND);
	assert_int_equal(store_find_id(t, "t-9999", &seq), LD_E_NOT_FOUND);
	assert_int_equal(store_count(t, STORE_DB_TERMS, &seq), LD_OK);
	assert_int_equal(seq, nterms);
	assert_int_equal(store_count(t, STORE_DB_ACCTBAL, &seq), LD_OK);
	assert_int_equal(seq, nacct);
	/* the writer commits the group after a refused request */
	assert_int_equal(store_commit(t), LD_OK);
	expect_intact(f, STD_SIZE);
}

/* Refusals by the rules leave the ledger as it was. */
static void
test_refusals_write_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	uint64_t n[STORE_DB_COUNT], m;
	int db;

	build_lifecycle(f);
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	for (db = 0; db < STORE_DB_COUNT; db++)
		assert_int_equal(store_count(t, db, &n[db]), LD_OK);
	/* one of each kind of refusal, with an id each */
	e = r_dated(LD_K_DISBURSEMENT, "hakodate", 2013, 1, 20140401, "z1");
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140801), e, NULL),
	    LD_E_YEAR_CLOSED);
	e = r_dated(LD_K_REFUND, "hakodate", 2014, 1, 20140801, "z2");
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140801), e, NULL),
	    LD_E_NO_AWARD);
	e = r_receipt("hakodate", 2013, 100 * OKU, 20140801, "z3");
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140801), e, NULL),
	    LD_E_OVER_RECEIPT);
	e = r_receipt("hakodate", 2013, 1, 20140601, "z4");	/* before a receipt */
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140801), e, NULL),
	    LD_E_DATE_OUTSIDE_FY);
	e = r_dated(LD_K_AWARD, "hakodate", 2014, OKU, 20140401, "z5");
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_OVER_APPROPRIATION);
	e = r_dated(LD_K_AWARD, "miyagi", 2014, OKU, 20140401, "z6");
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_NO_TERMS);
	e = r_dated(LD_K_AWARD, "hakodate", 2014, 3 * OKU, 20140401, "z7");
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_OUT_OF_RANGE);
	e = r_rev(31, "z8");	/* terms are replaced, not reversed */
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_NOT_REVERSIBLE);
	e = r_rev(23, "z9");
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140801), e, NULL),
	    LD_E_ALREADY_REVERSED);
	e = r_carry("hakodate", 2013, 1, LD_C_ACCIDENT, 20140301);
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140801), e, NULL),
	    LD_E_FORBIDDEN);
	e = r_carry("hakodate", 2013, 1, 3, 20140301);
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_BAD_REQUEST);
	/* the date windows of 2.2 and 2.9 */
	e = r_dated(LD_K_AWARD, "hakodate", 2014, OKU, 20150401, "");
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_DATE_OUTSIDE_FY);
	e = r_settle("kushiro", 2013, 1, 20130514, 20140930);	/* < award */
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_DATE_OUTSIDE_FY);
	e = r_cancel("kushiro", 2013, 20150401, 20150430);	/* > (fy+2)-03-31 */
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_DATE_OUTSIDE_FY);
	e = r_carry("kushiro", 2013, 1, LD_C_ACCIDENT, 20140401);
	assert_int_equal(wr_at(t, ROLE_ADMIN, at(20140801), e, NULL),
	    LD_E_DATE_OUTSIDE_FY);
	e = r_dated(LD_K_DISBURSEMENT, "hakodate", 2014, 1, 20140401, "");
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140801), e, NULL),
	    LD_E_NO_AWARD);
	/* repeats of earlier requests: the stored entry, nothing new */
	{
		const uint8_t *enc;
		size_t len;
		int dup;

		e = r_terms(2013, LD_G_CONTINUING, 0, 0, 0, "terms-c");
		dup = 0;
		assert_int_equal(apply_write(t, ROLE_ADMIN, "admin02",
		    at(20140801), &e, &dup, &enc, &len, NULL), LD_OK);
		assert_int_equal(dup, 1);
		assert_int_equal(entry_decode(&e, enc, len), 0);
		assert_int_equal(e.seq, 6);
		e = r_receipt("miyagi", 2013, 2000 * MAN, 20140310, "rc-m1");
		dup = 0;
		assert_int_equal(apply_write(t, ROLE_CLERK, "clerk01",
		    at(20140801), &e, &dup, &enc, &len, NULL), LD_OK);
		assert_int_equal(dup, 1);
		assert_int_equal(entry_decode(&e, enc, len), 0);
		assert_int_equal(e.seq, 22);
		e = r_receipt("miyagi", 2013, 2001 * MAN, 20140310, "rc-m1");
		assert_int_equal(apply_write(t, ROLE_CLERK, "clerk01",
		    at(20140801), &e, &dup, &enc, &len, NULL), LD_E_ID_CONFLICT);
	}
	for (db = 0; db < STORE_DB_COUNT; db++) {
		assert_int_equal(store_count(t, db, &m), LD_OK);
		if (m != n[db])
			fail_msg("%s: %llu records, %llu before the refusals",
			    store_db_name(db), (unsigned long long)m,
			    (unsigned long long)n[db]);
	}
	assert_int_equal(store_error(t), LD_OK);
	assert_int_equal(store_commit(t), LD_OK);
	expect_intact(f, LIFE_SIZE);
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
		must_write(t, ROLE_CLERK, e);
	}
	assert_int_equal(store_commit(t), LD_OK);
	assert_int_equal(run_verify(f, &rep), VERIFY_INTACT);
	assert_int_equal(rep.size, STD_SIZE + 2 * VERIFY_CHUNK + 500);

	len = get_entry_bytes(f, 2 * VERIFY_CHUNK + 7, buf);
	buf[len - 1] ^= 0x80;
	seqkey(key, 2 * VERIFY_CHUNK + 7);
	raw(f, STORE_DB_ENTRIES, key, 8, buf, len);
	expect_damage(f, 2 * VERIFY_CHUNK + 7, "leaf hash mismatch");
}

/*
 * A version 1 ledger: its format 1 entries can only exist as data (every
 * new entry is format 2), so they are stored here as version 1 wrote them
 * and the store is marked as a version 1 store.  They are judged by the
 * version 1 rules (ranges 1億-2億, value dates to (fy+1)-05-31, no
 * decision dates, no TOO_EARLY), before and after the rebuild of the
 * derived state, and version 2 entries written after them verify too.
 */
static struct ld_entry
v1_entry(int kind, int64_t amount, uint32_t date, int64_t now)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.format = LD_ENTRY_FORMAT_V1;
	e.kind = (uint8_t)kind;
	e.recorded_at = now;
	snprintf(e.actor, sizeof(e.actor), "%s", kind == LD_K_DISBURSEMENT ||
	    kind == LD_K_REFUND ? "clerk01" : "admin01");
	switch (kind) {
	case LD_K_REGION:
		snprintf(e.region, sizeof(e.region), "hakodate");
		snprintf(e.name, sizeof(e.name), "函館市");
		e.grant_type = LD_G_GENERAL;
		break;
	case LD_K_APPROPRIATION:
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		e.amount = amount;
		snprintf(e.ref, sizeof(e.ref), "APP");
		break;
	default:
		snprintf(e.region, sizeof(e.region), "hakodate");
		e.account = LD_A_GENERAL;
		e.fy = 2013;
		e.amount = amount;
		snprintf(e.ref, sizeof(e.ref), "V1");
		e.date = date;
		break;
	}
	return e;
}

static void
v1_append(struct store_txn *t, struct ld_entry e)
{
	e.seq = store_size(t) + 1;
	assert_int_equal(store_append(t, &e, NULL, NULL), LD_OK);
}

static void
mark_v1(struct fixture *f)
{
	uint8_t fmt[4];
	char err[256];

	be32_put(fmt, 1);
	raw(f, STORE_DB_META, "format", 6, fmt, 4);
	store_close(f->st);
	assert_int_equal(store_open(&f->st, f->dir, MAP_MB, 0, err,
	    sizeof(err)), 0);
	assert_int_equal(store_needs_rebuild(f->st), 1);
}

static void
test_v1_ledger(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t;
	struct ld_entry e;
	struct ld_region_bal r;
	char err[256];

	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	v1_append(t, v1_entry(LD_K_REGION, 0, 0, at(20130401)));
	v1_append(t, v1_entry(LD_K_APPROPRIATION, 10 * OKU, 0, at(20130401)));
	v1_append(t, v1_entry(LD_K_AWARD, 15000 * MAN, 0, at(20130501)));
	/* after version 2's default deadline, within version 1's window */
	v1_append(t, v1_entry(LD_K_DISBURSEMENT, 5000 * MAN, 20140520,
	    at(20140410)));
	v1_append(t, v1_entry(LD_K_REFUND, 1000 * MAN, 20130901, at(20140410)));
	/* closed before 2014-04-30: version 1 has no TOO_EARLY */
	e = v1_entry(LD_K_YEAR_CLOSE, 0, 0, at(20140415));
	e.region[0] = '\0';
	e.amount = 0;
	e.ref[0] = '\0';
	e.date = 0;
	e.appropriated = 10 * OKU;
	e.awarded = 15000 * MAN;
	e.disbursed = 5000 * MAN;
	e.refunded = 1000 * MAN;
	e.net = 4000 * MAN;
	v1_append(t, e);
	assert_int_equal(store_commit(t), LD_OK);

	/* a version 1 store: the entries are checked, not the derived state */
	mark_v1(f);
	expect_intact(f, 6);
	/* the daemon's start: rebuild, then everything is compared */
	assert_int_equal(apply_rebuild(f->st, err, sizeof(err)), 0);
	assert_int_equal(store_needs_rebuild(f->st), 0);
	expect_intact(f, 6);
	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	assert_int_equal(store_region_bal(t, "hakodate", 2013, &r), LD_OK);
	assert_true(r.award == 15000 * MAN && r.award_seq == 3);
	assert_int_equal(r.award_date, 0);	/* no decision date in v1 */
	assert_true(r.disbursed == 5000 * MAN && r.refunded == 1000 * MAN);
	store_abort(t);

	/* version 2 entries after them */
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	must_at(t, ROLE_ADMIN, at(20140501), r_terms(2014, LD_G_GENERAL, OKU,
	    2 * OKU, 0, ""));
	e = r_money(LD_K_APPROPRIATION, "", LD_A_GENERAL, 5 * OKU, "");
	e.fy = 2014;
	must_at(t, ROLE_ADMIN, at(20140501), e);
	must_at(t, ROLE_ADMIN, at(20140501), r_dated(LD_K_AWARD, "hakodate",
	    2014, OKU, 20140501, ""));
	/* a format 2 payment dated (fy+1)-05-20 is past its deadline */
	assert_int_equal(wr_at(t, ROLE_CLERK, at(20140501), r_dated(
	    LD_K_DISBURSEMENT, "hakodate", 2014, 1, 20150520, ""), NULL),
	    LD_E_DATE_OUTSIDE_FY);
	assert_int_equal(store_commit(t), LD_OK);
	expect_intact(f, 9);

	/* a version 1 award outside version 1's range, stored past the rules */
	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	assert_int_equal(store_begin(f->st, 1, &t), LD_OK);
	v1_append(t, v1_entry(LD_K_REGION, 0, 0, at(20130401)));
	v1_append(t, v1_entry(LD_K_APPROPRIATION, 10 * OKU, 0, at(20130401)));
	v1_append(t, v1_entry(LD_K_AWARD, 25000 * MAN, 0, at(20130501)));
	assert_int_equal(store_commit(t), LD_OK);
	mark_v1(f);
	expect_damage(f, 3, "seq 3: the rules refuse this award: OUT_OF_RANGE");
	assert_int_equal(apply_rebuild(f->st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "seq 3"));
	assert_int_equal(store_needs_rebuild(f->st), 1);
}

/* The scratch store lives under $TMPDIR and is removed afterwards. */
static void
test_scratch_dir(void **state)
{
	struct fixture *f = *state;
	struct verify_report rep;
	char gone[128];
	uint8_t key[8];

	build_lifecycle(f);
	/* run_verify checks the directory before and after */
	assert_int_equal(dir_entries(f->tmp), 0);
	expect_intact(f, LIFE_SIZE);
	expect_intact(f, LIFE_SIZE);
	seqkey(key, 20);
	raw(f, STORE_DB_LEAVES, key, 8, NULL, 0);
	expect_damage(f, 20, "seq 20: leaf hash missing");

	/* a TMPDIR that does not exist: cannot check, says so */
	snprintf(gone, sizeof(gone), "%s/none", f->tmp);
	assert_int_equal(setenv("TMPDIR", gone, 1), 0);
	assert_int_equal(verify_ledger(f->st, MAP_MB, &rep), VERIFY_ERROR);
	assert_non_null(strstr(rep.reason, "scratch"));
	assert_int_equal(dir_entries(f->tmp), 0);
	assert_int_equal(setenv("TMPDIR", f->tmp, 1), 0);
	expect_damage(f, 20, "seq 20: leaf hash missing");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_intact, setup,
		    teardown),
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
		cmocka_unit_test_setup_teardown(test_new_db_damage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_approvals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_replayed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_derived_field_altered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_write_leaves_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_write_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_ledger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch_dir, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
