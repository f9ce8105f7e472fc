/*
 * test_client_approvals.c - ledgerctl's side of two-person approval without
 * a daemon: what `policy set`, `approve` and `reject` send (and which lines
 * are usage errors, exit 2, before any connection), how policy, request and
 * approval entries and an approved action print, and how a request's status
 * follows from the approvals read and the clock (client/approvals.h).
 * The daemon's half, and all of it together, is
 * tests/integration/approvals.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "approvals.h"
#include "ctl.h"
#include "ctl_run.h"
#include "entry.h"
#include "errors.h"
#include "msg.h"
#include "output.h"
#include "report.h"
#include "wire.h"

#define DAY_US	(INT64_C(86400) * 1000000)
#define T0	INT64_C(1796000000000000)	/* 2026-11-30T00:53:20Z, µs */

static int
parse(struct ctl_args *a, char *err, size_t errlen, const char *first, ...)
{
	static const struct ctl_cmd *const tables[] = {
		cmd_write_cmds, cmd_read_cmds, cmd_recon_cmds, NULL
	};
	char		*argv[32];
	va_list		 ap;
	int		 argc = 0;
	const char	*w;

	argv[argc++] = (char *)"ledgerctl";
	va_start(ap, first);
	for (w = first; w != NULL && argc < 31; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	return args_parse(a, argc, argv, tables, err, errlen);
}
#define PARSE(a, err, ...) \
	parse((a), (err), sizeof(err), __VA_ARGS__, (const char *)NULL)

/* The entry e as the daemon would send it, and its JSON as ledgerctl prints it. */
static json_t *
entry_json(struct ld_entry *e)
{
	struct wbuf	 w;
	json_t		*o;

	e->format = LD_ENTRY_FORMAT;
	assert_int_equal(entry_valid(e), 0);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, e), 0);
	o = out_entry_json(e, w.data, w.len);
	wbuf_free(&w);
	assert_non_null(o);
	return o;
}

/* The compact JSON of o, compared with want; drops o. */
static void
assert_json(json_t *o, const char *want)
{
	char	*s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
	json_decref(o);
}

static void
request_disburse(struct ld_entry *e, uint64_t seq)
{
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->kind = LD_K_REQUEST;
	e->action = LD_K_DISBURSEMENT;
	snprintf(e->region, sizeof(e->region), "aichi-nanotech");
	e->fy = 2013;
	e->amount = 150000000;
	snprintf(e->ref, sizeof(e->ref), "V-9");
	e->date = 20130805;
	snprintf(e->actor, sizeof(e->actor), "disb01");
	e->recorded_at = T0;
	e->expires_at = T0 + 14 * DAY_US;
}

static void
approval(struct ld_entry *e, uint64_t seq, uint64_t req, int decision,
    int refusal)
{
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->kind = LD_K_APPROVAL;
	e->request = req;
	e->decision = (uint8_t)decision;
	e->refusal = (uint8_t)refusal;
	if (decision == LD_D_REJECTED)
		snprintf(e->reason, sizeof(e->reason), "no voucher");
	snprintf(e->actor, sizeof(e->actor), "disb02");
	e->recorded_at = T0 + DAY_US;
}

/* ---- what the commands send ------------------------------------------- */

static void
test_build_policy(void **state)
{
	struct ctl_args	 a;
	struct ld_entry	 q;
	char		 err[256];

	(void)state;
	/* Defaults: nothing required, no threshold, 14 days. */
	assert_int_equal(PARSE(&a, err, "policy", "set", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.kind, LD_K_POLICY);
	assert_int_equal(q.require, 0);
	assert_int_equal(q.disburse_over, 0);
	assert_int_equal(q.expire_days, 14);
	assert_string_equal(q.ref, "P");

	/* Names, blanks and the usual amount syntax. */
	assert_int_equal(PARSE(&a, err, "policy", "set", "--require",
	    "settle, reverse,close-year", "--disburse-over", "1.5億",
	    "--expire-days", "3660", "--ref", "P-2", "--id", "p-2"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.require, LD_KIND_BIT(LD_K_SETTLEMENT) |
	    LD_KIND_BIT(LD_K_REVERSAL) | LD_KIND_BIT(LD_K_YEAR_CLOSE));
	assert_int_equal(q.disburse_over, 150000000);
	assert_int_equal(q.expire_days, 3660);
	assert_string_equal(q.id, "p-2");
	{
		struct wbuf	 w;

		wbuf_init(&w);
		assert_int_equal(msg_encode_write(&w, &q), 0);
		wbuf_free(&w);
	}
	assert_int_equal(PARSE(&a, err, "policy", "set", "--require",
	    "reverse,cancel-award,settle,terms,close-year", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.require, LD_REQUIRABLE);
	assert_int_equal(PARSE(&a, err, "policy", "set", "--require", "none",
	    "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.require, 0);

	/* Mistakes, each a usage error that says what to write. */
	assert_int_equal(PARSE(&a, err, "policy", "set", "--require",
	    "disburse", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--disburse-over AMT"));
	assert_int_equal(PARSE(&a, err, "policy", "set", "--require",
	    "reverse,setle", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'setle'"));
	assert_non_null(strstr(err, "did you mean \"settle\"?"));
	assert_int_equal(PARSE(&a, err, "policy", "set", "--require",
	    "award", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'award' is not an action"));
	assert_int_equal(PARSE(&a, err, "policy", "set", "--require",
	    "reverse,,settle", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "policy", "set", "--expire-days", "0",
	    "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--expire-days"));
	assert_int_equal(PARSE(&a, err, "policy", "set", "--expire-days",
	    "3661", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "policy", "set", "--disburse-over",
	    "0", "--ref", "P"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--disburse-over"));
	assert_int_equal(PARSE(&a, err, "policy", "set"), -1);
	assert_non_null(strstr(err, "missing --ref"));
}

static void
test_build_decisions(void **state)
{
	struct ctl_args	 a;
	struct ld_entry	 q;
	struct run	 r;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "approve", "42"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.kind, LD_K_APPROVAL);
	assert_int_equal(q.request, 42);
	assert_int_equal(q.decision, LD_D_APPROVED);
	assert_string_equal(q.reason, "");
	assert_int_equal(PARSE(&a, err, "reject", "42", "--reason",
	    "typed twice"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.decision, LD_D_REJECTED);
	assert_int_equal(q.request, 42);
	assert_string_equal(q.reason, "typed twice");
	/* A rejection says why; an approval takes nothing but the seq. */
	assert_int_equal(PARSE(&a, err, "reject", "42"), -1);
	assert_non_null(strstr(err, "missing --reason"));
	assert_int_equal(PARSE(&a, err, "approve", "42", "--reason", "x"), -1);
	assert_int_equal(PARSE(&a, err, "approve"), -1);
	assert_int_equal(PARSE(&a, err, "approve", "0"), 0);
	assert_int_equal(cmd_build_write(&a, &q, err, sizeof(err)), -1);

	/* The whole line: exit 2 and nothing sent. */
	r = RUN("reject", "42", "--reason", "", "--server", "127.0.0.1:1",
	    "--ca", "/nonexistent");
	assert_int_equal(r.rc, CTL_USAGE);
	assert_non_null(strstr(r.err, "--reason"));
	run_free(&r);
	r = RUN("report", "--approvals", "--fy", "2013", "--format", "html",
	    "--server", "127.0.0.1:1", "--ca", "/nonexistent");
	assert_int_equal(r.rc, CTL_USAGE);
	assert_non_null(strstr(r.err, "with --approvals"));
	run_free(&r);
	r = RUN("help");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "ledgerctl approve SEQ"));
	assert_non_null(strstr(r.out, "ledgerctl reject SEQ --reason TEXT"));
	assert_non_null(strstr(r.out, "ledgerctl pending"));
	assert_non_null(strstr(r.out, "ledgerctl policy show"));
	assert_non_null(strstr(r.out, "[--approvals]"));
	run_free(&r);
}

/* ---- how the entries print -------------------------------------------- */

static void
test_json_kinds(void **state)
{
	struct ld_entry	 e;
	json_t		*o;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.seq = 5;
	e.kind = LD_K_POLICY;
	e.require = LD_KIND_BIT(LD_K_YEAR_CLOSE) | LD_KIND_BIT(LD_K_REVERSAL);
	e.disburse_over = 100000000;
	e.expire_days = 14;
	snprintf(e.ref, sizeof(e.ref), "P-1");
	snprintf(e.actor, sizeof(e.actor), "budget01");
	e.recorded_at = T0;
	o = entry_json(&e);
	json_object_del(o, "leaf_hash");
	assert_json(o, "{\"seq\":5,\"kind\":\"policy\",\"ref\":\"P-1\","
	    "\"actor\":\"budget01\",\"recorded_at\":\"2026-11-30T00:53:20.000000Z\","
	    "\"require\":[\"reverse\",\"close-year\"],\"disburse_over\":100000000,"
	    "\"expire_days\":14}");

	request_disburse(&e, 42);
	o = entry_json(&e);
	json_object_del(o, "leaf_hash");
	json_object_del(o, "recorded_at");
	assert_json(o, "{\"seq\":42,\"kind\":\"request\",\"actor\":\"disb01\","
	    "\"action\":\"disburse\",\"request\":{\"region\":\"aichi-nanotech\","
	    "\"fy\":2013,\"amount\":150000000,\"ref\":\"V-9\",\"date\":"
	    "\"2013-08-05\"},\"expires_at\":\"2026-12-14T00:53:20.000000Z\"}");

	/* A reversal's request: only what the clerk gave. */
	memset(&e, 0, sizeof(e));
	e.seq = 50;
	e.kind = LD_K_REQUEST;
	e.action = LD_K_REVERSAL;
	e.reverses = 17;
	snprintf(e.reason, sizeof(e.reason), "paid twice");
	snprintf(e.actor, sizeof(e.actor), "disb01");
	e.recorded_at = T0;
	e.expires_at = T0 + DAY_US;
	o = entry_json(&e);
	assert_json(json_incref(json_object_get(o, "request")),
	    "{\"reverses\":17,\"reason\":\"paid twice\"}");
	json_decref(o);

	/* Terms: a range of none is null and null, as in a terms entry. */
	memset(&e, 0, sizeof(e));
	e.seq = 51;
	e.kind = LD_K_REQUEST;
	e.action = LD_K_TERMS;
	e.fy = 2014;
	e.grant_type = LD_G_CONTINUING;
	e.interest_bp = e.late_bp = 1095;
	e.deadline = 20150430;
	snprintf(e.ref, sizeof(e.ref), "T");
	snprintf(e.actor, sizeof(e.actor), "budget01");
	e.recorded_at = T0;
	e.expires_at = T0 + DAY_US;
	o = entry_json(&e);
	assert_json(json_incref(json_object_get(o, "request")),
	    "{\"fy\":2014,\"ref\":\"T\",\"grant_type\":\"continuing\","
	    "\"min\":null,\"max\":null,\"settlement_deadline\":\"2015-04-30\","
	    "\"interest_rate_bp\":1095,\"late_rate_bp\":1095}");
	json_decref(o);

	approval(&e, 60, 42, LD_D_REFUSED, LD_E_OVER_AWARD);
	o = entry_json(&e);
	assert_json(json_pack("{s:O,s:O,s:O,s:O}", "request",
	    json_object_get(o, "request"), "status", json_object_get(o,
	    "status"), "refusal", json_object_get(o, "refusal"), "reason",
	    json_object_get(o, "reason")),
	    "{\"request\":42,\"status\":\"refused\",\"refusal\":\"OVER_AWARD\","
	    "\"reason\":\"\"}");
	json_decref(o);
	approval(&e, 61, 42, LD_D_REJECTED, 0);
	o = entry_json(&e);
	assert_null(json_object_get(o, "refusal"));
	assert_string_equal(json_string_value(json_object_get(o, "status")),
	    "rejected");
	json_decref(o);

	/* The approved action names its approval and request; others don't. */
	memset(&e, 0, sizeof(e));
	e.seq = 62;
	e.kind = LD_K_DISBURSEMENT;
	snprintf(e.region, sizeof(e.region), "aichi-nanotech");
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.amount = 150000000;
	snprintf(e.ref, sizeof(e.ref), "V-9");
	e.date = 20130805;
	snprintf(e.actor, sizeof(e.actor), "disb01");
	e.recorded_at = T0;
	o = entry_json(&e);
	assert_null(json_object_get(o, "approved_by"));
	json_decref(o);
	e.approved_by = 61;
	e.request = 42;
	o = entry_json(&e);
	assert_int_equal(json_integer_value(json_object_get(o, "approved_by")),
	    61);
	assert_int_equal(json_integer_value(json_object_get(o, "request")), 42);
	json_decref(o);
}

static void
test_text(void **state)
{
	struct ld_entry	 e;
	struct disp	 en = DISP_DEFAULT, ja = { DISP_JA, DISP_YEN };
	char		 line[1024];

	(void)state;
	request_disburse(&e, 42);
	appr_request_line(&en, &e, line, sizeof(line));
	assert_string_equal(line, "request 42: disburse 150,000,000 yen to "
	    "aichi-nanotech for FY2013 (ref V-9, 2013-08-05) is pending "
	    "approval by another officer (expires 2026-12-14)");
	appr_request_line(&ja, &e, line, sizeof(line));
	assert_non_null(strstr(line, "申請42番"));
	assert_non_null(strstr(line, "150,000,000円を支出"));
	/* The expiry date is JST's: 2026-12-15T23:00Z is the 16th there. */
	e.expires_at = INT64_C(1797375600) * 1000000;	/* 2026-12-15 23:00Z */
	appr_request_line(&en, &e, line, sizeof(line));
	assert_non_null(strstr(line, "(expires 2026-12-16)"));

	approval(&e, 61, 42, LD_D_REJECTED, 0);
	out_approval_detail(&en, &e, line, sizeof(line));
	assert_string_equal(line, "rejects request 42: no voucher");
	out_approval_detail(&ja, &e, line, sizeof(line));
	assert_string_equal(line, "42番の申請を否認：no voucher");
}

/* ---- a request's status ------------------------------------------------- */

static void
test_status(void **state)
{
	struct appr_book	 b;
	struct ld_entry		 e, req;
	char			 why[160];

	(void)state;
	memset(&b, 0, sizeof(b));
	request_disburse(&req, 42);
	/* Open: pending until expires_at, expired from it on. */
	assert_int_equal(appr_entry_status(&req, NULL, T0, 0), APPR_PENDING);
	assert_int_equal(appr_entry_status(&req, NULL, req.expires_at - 1, 0),
	    APPR_PENDING);
	assert_int_equal(appr_entry_status(&req, NULL, req.expires_at, 0),
	    APPR_EXPIRED);

	assert_int_equal(appr_book_add(&b, &req, why, sizeof(why)), 0);
	approval(&e, 43, 42, LD_D_APPROVED, 0);
	assert_int_equal(appr_book_add(&b, &e, why, sizeof(why)), 0);
	memset(&e, 0, sizeof(e));
	e.seq = 44;
	e.kind = LD_K_DISBURSEMENT;
	e.approved_by = 43;
	e.request = 42;
	assert_int_equal(appr_book_add(&b, &e, why, sizeof(why)), 0);
	assert_non_null(appr_book_find(&b, 42));
	assert_int_equal(appr_book_find(&b, 42)->entry, 44);
	/* Decided: whatever the clock says; a listing ending before the
	   approval shows it open. */
	assert_int_equal(appr_entry_status(&req, &b, req.expires_at + DAY_US,
	    0), APPR_APPROVED);
	assert_int_equal(appr_entry_status(&req, &b, T0, 42), APPR_PENDING);

	request_disburse(&req, 50);
	assert_int_equal(appr_book_add(&b, &req, why, sizeof(why)), 0);
	approval(&e, 51, 50, LD_D_REFUSED, LD_E_YEAR_CLOSED);
	assert_int_equal(appr_book_add(&b, &e, why, sizeof(why)), 0);
	assert_int_equal(appr_entry_status(&req, &b, T0, 0), APPR_REFUSED);
	request_disburse(&req, 52);
	assert_int_equal(appr_book_add(&b, &req, why, sizeof(why)), 0);
	approval(&e, 53, 52, LD_D_REJECTED, 0);
	assert_int_equal(appr_book_add(&b, &e, why, sizeof(why)), 0);
	assert_int_equal(appr_entry_status(&req, &b, T0, 0), APPR_REJECTED);

	/* An answer out of order is refused, not printed as a decision. */
	assert_int_equal(appr_book_add(&b, &e, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "decided already"));
	approval(&e, 54, 99, LD_D_APPROVED, 0);
	assert_int_equal(appr_book_add(&b, &e, why, sizeof(why)), -1);
	request_disburse(&req, 30);
	assert_int_equal(appr_book_add(&b, &req, why, sizeof(why)), -1);
	memset(&e, 0, sizeof(e));
	e.seq = 55;
	e.kind = LD_K_DISBURSEMENT;
	e.approved_by = 51;	/* a refused approval wrote no action */
	e.request = 50;
	assert_int_equal(appr_book_add(&b, &e, why, sizeof(why)), -1);

	/* The report's row. */
	{
		json_t	*o = appr_row_json(appr_book_find(&b, 50),
		    APPR_REFUSED);

		json_object_del(o, "requested_at");
		json_object_del(o, "expires_at");
		json_object_del(o, "decided_at");
		assert_json(o, "{\"request\":50,\"action\":\"disburse\","
		    "\"region\":\"aichi-nanotech\",\"fy\":2013,\"amount\":"
		    "150000000,\"ref\":\"V-9\",\"requested_by\":\"disb01\","
		    "\"status\":\"refused\",\"decided_by\":\"disb02\","
		    "\"approval\":51,\"entry\":null,\"refusal\":\"YEAR_CLOSED\","
		    "\"reason\":null}");
	}
	{
		char	*buf = NULL;
		size_t	 len = 0;
		FILE	*f = open_memstream(&buf, &len);
		struct disp d = DISP_DEFAULT;

		assert_non_null(f);
		assert_int_equal(appr_report_print(f, REPORT_TABLE, &d, &b,
		    2013, T0), 0);
		fclose(f);
		assert_non_null(strstr(buf, "FY2013: 3 requests: 1 approved, "
		    "1 refused, 1 rejected, 0 expired, 0 pending"));
		free(buf);
	}
	appr_book_free(&b);
	assert_int_equal(appr_status_from_name("expired"), APPR_EXPIRED);
	assert_int_equal(appr_status_from_name("open"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_policy),
		cmocka_unit_test(test_build_decisions),
		cmocka_unit_test(test_json_kinds),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
