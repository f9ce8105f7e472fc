/*
 * test_client_audit.c - the auditor's and exporter's client code without a
 * daemon: the CSV writer's quoting, the two export line formats, the export
 * command line, and `verify-export` on synthetic exports.
 *
 * verify-export is offline, so it is driven through ctl_main() exactly as a
 * user runs it.  Its inputs are made here from scratch: entries built and
 * encoded with entry_encode(), a JSONL written with the same function the
 * export uses, a checkpoint signed with an Ed25519 key generated in the test
 * and its verifier string, all in a mkdtemp() directory.  Each tampering
 * case changes one thing of a good export and expects exit 4.
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

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "checkpoint.h"
#include "csvwrite.h"
#include "ctl.h"
#include "ctl_run.h"
#include "entry.h"
#include "export.h"
#include "merkle.h"
#include "msg.h"
#include "output.h"
#include "wire.h"

/* ---- helpers ---------------------------------------------------------- */

/* What f wrote, via a memory stream; caller frees. */
typedef int	(*writer_fn)(FILE *, const void *);

static char *
capture(writer_fn fn, const void *arg, int *rc)
{
	char	*buf;
	size_t	 len;
	FILE	*f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = fn(f, arg);
	fclose(f);
	return buf;
}

static int
write_one_field(FILE *f, const void *s)
{
	return csv_write_field(f, s, strlen(s));
}

/* ---- the CSV writer ------------------------------------------------------ */

static void
test_csv_field_quoting(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ " spaces kept ", " spaces kept " },
		{ "愛知県", "愛知県" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "line\nbreak", "\"line\nbreak\"" },
		{ "cr\rhere", "\"cr\rhere\"" },
		{ "semi;colon", "semi;colon" },
	};
	size_t	 i;
	char	*got;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = capture(write_one_field, cases[i].in, &rc);
		assert_int_equal(rc, 0);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static int
write_row(FILE *f, const void *arg)
{
	(void)arg;
	static const char *const row[] = { "1", NULL, "a,\"b\"", "", "x" };

	return csv_write_row(f, row, 5);
}

static void
test_csv_row(void **state)
{
	char	*got;
	int	 rc;

	(void)state;
	got = capture(write_row, NULL, &rc);
	assert_int_equal(rc, 0);
	/* NULL and "" are both empty; LF, never CRLF. */
	assert_string_equal(got, "1,,\"a,\"\"b\"\"\",,x\n");
	free(got);
}

/* ---- entries ---------------------------------------------------------------- */

static void
entry_make(struct ld_entry *e, uint64_t seq, int kind)
{
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->kind = (uint8_t)kind;
	snprintf(e->actor, sizeof(e->actor), "%s", kind == LD_K_DISBURSEMENT ||
	    kind == LD_K_REFUND ? "clerk01" : "admin01");
	e->recorded_at = INT64_C(1795905756000000) + (int64_t)seq * 1000;
	switch (kind) {
	case LD_K_REGION:
		snprintf(e->region, sizeof(e->region), "aichi-nanotech");
		snprintf(e->name, sizeof(e->name), "愛知県");
		e->grant_type = LD_G_GENERAL;
		snprintf(e->category, sizeof(e->category), "国際競争力強化地域");
		break;
	case LD_K_APPROPRIATION:
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = INT64_C(16221000000);
		snprintf(e->ref, sizeof(e->ref), "MEXT-H25");
		break;
	case LD_K_AWARD:
		snprintf(e->region, sizeof(e->region), "aichi-nanotech");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 150000000;
		snprintf(e->ref, sizeof(e->ref), "AW-1");
		e->date = 20130515;	/* the decision date, from format 2 */
		break;
	case LD_K_DISBURSEMENT:
		snprintf(e->region, sizeof(e->region), "aichi-nanotech");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 50000000 + (int64_t)seq;
		snprintf(e->ref, sizeof(e->ref), "V-%04u", (unsigned)seq);
		e->date = 20130630;
		snprintf(e->memo, sizeof(e->memo), "概算払, \"first\" part");
		snprintf(e->id, sizeof(e->id), "pay-%u", (unsigned)seq);
		break;
	case LD_K_REVERSAL:
		e->reverses = 4;
		e->target_kind = LD_K_DISBURSEMENT;
		snprintf(e->region, sizeof(e->region), "aichi-nanotech");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 50000004;
		snprintf(e->reason, sizeof(e->reason), "二重計上");
		break;
	case LD_K_YEAR_CLOSE:
		e->account = LD_A_RECONSTRUCTION;
		e->fy = 2013;
		break;
	case LD_K_TERMS:
		/* No range: min and max are JSON nulls. */
		e->grant_type = LD_G_CONTINUING;
		e->account = LD_A_GENERAL;
		e->fy = 2014;
		e->deadline = 20150430;
		e->interest_bp = 1095;
		e->late_bp = 50;
		snprintf(e->ref, sizeof(e->ref), "T-1");
		break;
	case LD_K_AWARD_CANCEL:
		snprintf(e->region, sizeof(e->region), "aichi-nanotech");
		e->account = LD_A_GENERAL;
		e->fy = 2013;
		e->amount = 150000000;
		e->date = 20140110;
		e->repay_by = 20140228;
		e->principal = 50000005;
		snprintf(e->reason, sizeof(e->reason), "目的外使用");
		snprintf(e->ref, sizeof(e->ref), "C-1");
		break;
	}
}

/* The kinds of a synthetic ledger, by seq - 1. */
static const int ledger_kinds[] = {
	LD_K_REGION, LD_K_APPROPRIATION, LD_K_AWARD, LD_K_DISBURSEMENT,
	LD_K_DISBURSEMENT, LD_K_REVERSAL, LD_K_DISBURSEMENT, LD_K_YEAR_CLOSE,
	LD_K_TERMS
};
#define LEDGER_N	(sizeof(ledger_kinds) / sizeof(ledger_kinds[0]))

static void
entry_encoded(struct wbuf *w, uint64_t seq)
{
	struct ld_entry	 e;

	entry_make(&e, seq, ledger_kinds[seq - 1]);
	wbuf_init(w);
	assert_int_equal(entry_encode(w, &e), 0);
}

struct csv_arg {
	const struct ld_entry	*e;
	const struct wbuf	*w;
};

static int
write_csv_row(FILE *f, const void *arg)
{
	const struct csv_arg	*a = arg;

	return export_csv_row(f, a->e, a->w->data, a->w->len);
}

static void
test_export_csv_rows(void **state)
{
	struct ld_entry		 e;
	struct wbuf		 w;
	struct csv_arg		 a = { &e, &w };
	uint8_t			 leaf[32];
	char			 hex[65], want[512], *got;
	int			 rc;

	(void)state;
	entry_make(&e, 4, LD_K_DISBURSEMENT);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	entry_leaf_hash(w.data, w.len, leaf);
	hex_encode(leaf, 32, hex);
	got = capture(write_csv_row, &a, &rc);
	assert_int_equal(rc, 0);
	snprintf(want, sizeof(want), "4,disbursement,aichi-nanotech,2013,general,"
	    "50000004,V-0004,2013-06-30,\"概算払, \"\"first\"\" part\",pay-4,"
	    "clerk01,2026-11-28T22:42:36.004000Z,,,%s\n", hex);
	assert_string_equal(got, want);
	free(got);
	wbuf_free(&w);

	/* A region has no fy, amount, ref or date: those columns are empty. */
	entry_make(&e, 1, LD_K_REGION);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	entry_leaf_hash(w.data, w.len, leaf);
	hex_encode(leaf, 32, hex);
	got = capture(write_csv_row, &a, &rc);
	snprintf(want, sizeof(want), "1,region,aichi-nanotech,,general,,,,,,"
	    "admin01,2026-11-28T22:42:36.001000Z,,,%s\n", hex);
	assert_string_equal(got, want);
	free(got);
	wbuf_free(&w);

	/* A reversal fills reverses and reason. */
	entry_make(&e, 6, LD_K_REVERSAL);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	entry_leaf_hash(w.data, w.len, leaf);
	hex_encode(leaf, 32, hex);
	got = capture(write_csv_row, &a, &rc);
	snprintf(want, sizeof(want), "6,reversal,aichi-nanotech,2013,general,"
	    "50000004,,,,,admin01,2026-11-28T22:42:36.006000Z,4,二重計上,%s\n",
	    hex);
	assert_string_equal(got, want);
	free(got);
	wbuf_free(&w);

	/* Version 2 kinds keep the version 1 columns, empty where they do not apply. */
	entry_make(&e, 9, LD_K_TERMS);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	entry_leaf_hash(w.data, w.len, leaf);
	hex_encode(leaf, 32, hex);
	got = capture(write_csv_row, &a, &rc);
	snprintf(want, sizeof(want), "9,terms,,2014,general,,T-1,,,,admin01,"
	    "2026-11-28T22:42:36.009000Z,,,%s\n", hex);
	assert_string_equal(got, want);
	free(got);
	wbuf_free(&w);
	entry_make(&e, 10, LD_K_AWARD_CANCEL);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	entry_leaf_hash(w.data, w.len, leaf);
	hex_encode(leaf, 32, hex);
	got = capture(write_csv_row, &a, &rc);
	snprintf(want, sizeof(want), "10,award_cancel,aichi-nanotech,2013,"
	    "general,150000000,C-1,2014-01-10,,,admin01,"
	    "2026-11-28T22:42:36.010000Z,,目的外使用,%s\n", hex);
	assert_string_equal(got, want);
	free(got);
	wbuf_free(&w);
}

static void
test_export_jsonl_line(void **state)
{
	struct ld_entry	 e;
	struct wbuf	 w;
	json_t		*line, *plain;
	char		*hex;

	(void)state;
	entry_make(&e, 8, LD_K_YEAR_CLOSE);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	line = export_entry_json(&e, w.data, w.len);
	plain = out_entry_json(&e, w.data, w.len);
	assert_non_null(line);
	assert_non_null(plain);
	hex = malloc(2 * w.len + 1);
	assert_non_null(hex);
	hex_encode(w.data, w.len, hex);
	assert_string_equal(json_string_value(json_object_get(line, "leaf_data")),
	    hex);
	/* Without leaf_data it is exactly what `get --json` prints. */
	assert_int_equal(json_object_del(line, "leaf_data"), 0);
	assert_true(json_equal(line, plain));
	assert_non_null(json_object_get(line, "net"));
	assert_non_null(json_object_get(line, "execution_rate_bp"));
	free(hex);
	json_decref(line);
	json_decref(plain);
	wbuf_free(&w);

	/* A region entry also carries its code under "code". */
	entry_make(&e, 1, LD_K_REGION);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	line = export_entry_json(&e, w.data, w.len);
	assert_non_null(line);
	assert_string_equal(json_string_value(json_object_get(line, "code")),
	    "aichi-nanotech");
	assert_string_equal(json_string_value(json_object_get(line, "region")),
	    "aichi-nanotech");
	json_decref(line);
	wbuf_free(&w);

	/* A terms entry carries all its fields, nulls included. */
	entry_make(&e, 9, LD_K_TERMS);
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	line = export_entry_json(&e, w.data, w.len);
	assert_non_null(line);
	assert_true(json_is_null(json_object_get(line, "min")));
	assert_true(json_is_null(json_object_get(line, "max")));
	assert_string_equal(json_string_value(json_object_get(line,
	    "settlement_deadline")), "2015-04-30");
	assert_int_equal(json_integer_value(json_object_get(line,
	    "late_rate_bp")), 50);
	assert_non_null(json_object_get(line, "leaf_data"));
	json_decref(line);
	wbuf_free(&w);
}

/* ---- the export command line --------------------------------------------------- */

static int
parse_export(struct msg_list *l, int *format, const char *first, ...)
{
	static const struct ctl_cmd *const tables[] = { cmd_export_cmds, NULL };
	struct ctl_args	 a;
	char		*argv[16], err[256];
	va_list		 ap;
	int		 argc = 0;
	const char	*w;

	argv[argc++] = (char *)"ledgerctl";
	argv[argc++] = (char *)"export";
	va_start(ap, first);
	for (w = first; w != NULL && argc < 15; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	if (args_parse(&a, argc, argv, tables, err, sizeof(err)) == -1)
		return -1;
	return cmd_build_export(&a, l, format, err, sizeof(err));
}

#define PARSE_EXPORT(l, f, ...) \
	parse_export((l), (f), __VA_ARGS__, (const char *)NULL)

static void
test_build_export(void **state)
{
	struct msg_list	 l;
	int		 fmt;

	(void)state;
	assert_int_equal(PARSE_EXPORT(&l, &fmt, (const char *)NULL), 0);
	assert_int_equal(fmt, EXPORT_CSV);
	assert_true(l.since == 0 && l.until == 0 && l.limit == 0);
	assert_true(l.region[0] == '\0' && l.fy == 0 && l.kind == 0);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--json"), 0);
	assert_int_equal(fmt, EXPORT_JSONL);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--format", "json"), 0);
	assert_int_equal(fmt, EXPORT_JSONL);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--format=jsonl", "--since", "2",
	    "--until", "3"), 0);
	assert_int_equal(fmt, EXPORT_JSONL);
	assert_true(l.since == 2 && l.until == 3);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--since", "5", "--until", "5"), 0);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--format", "xml"), -1);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--since", "3", "--until", "2"), -1);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--until", "0"), -1);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--since", "x"), -1);
	assert_int_equal(PARSE_EXPORT(&l, &fmt, "--json", "--format", "csv"), -1);
}

/* ---- verify-export ------------------------------------------------------------ */

static char	 dir[64];
static char	 p_key[128], p_key2[128], p_ver[128], p_ver2[128];
static char	 p_note[128], p_note3[128], p_good[128], p_case[128];
static char	 p_state[128];

static void
key_write(const char *path)
{
	EVP_PKEY	*k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE		*f = fopen(path, "w");

	assert_non_null(k);
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(k);
}

static void
text_write(const char *path, const char *s, size_t len)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	fclose(f);
}

/* Sign the checkpoint of the first size entries with key into path. */
static void
note_write(const char *keypath, const char *verpath, uint64_t size,
    const char *path)
{
	struct ckpt_signer	*s;
	struct merkle_stream	 ms;
	struct ckpt		 ck;
	struct wbuf		 w;
	uint8_t			 leaf[32];
	char			 note[1024], ver[CKPT_VERIFIER_MAX + 1];
	size_t			 len;
	uint64_t		 seq;

	assert_int_equal(ckpt_signer_load(&s, keypath, "ledgerd.test", NULL, 0),
	    CKPT_OK);
	merkle_stream_init(&ms);
	for (seq = 1; seq <= size; seq++) {
		entry_encoded(&w, seq);
		entry_leaf_hash(w.data, w.len, leaf);
		merkle_stream_push(&ms, leaf);
		wbuf_free(&w);
	}
	memset(&ck, 0, sizeof(ck));
	snprintf(ck.origin, sizeof(ck.origin), "ledgerd.test");
	ck.size = size;
	merkle_stream_root(&ms, ck.root);
	assert_int_equal(ckpt_sign(s, &ck, note, sizeof(note), &len), CKPT_OK);
	text_write(path, note, len);
	if (verpath != NULL) {
		assert_int_equal(ckpt_verifier_format(ckpt_signer_verifier(s), ver,
		    sizeof(ver)), CKPT_OK);
		strcat(ver, "\n");
		text_write(verpath, ver, strlen(ver));
	}
	ckpt_signer_free(s);
}

/* The good JSONL export of the synthetic ledger, as export writes it. */
static void
export_write(const char *path)
{
	struct ld_entry	 e;
	struct wbuf	 w;
	FILE		*f = fopen(path, "w");
	uint64_t	 seq;

	assert_non_null(f);
	for (seq = 1; seq <= LEDGER_N; seq++) {
		entry_encoded(&w, seq);
		assert_int_equal(entry_decode(&e, w.data, w.len), 0);
		assert_int_equal(out_json_line(f, export_entry_json(&e, w.data,
		    w.len)), 0);
		wbuf_free(&w);
	}
	fclose(f);
}

static int
vx_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_client_audit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(p_key, sizeof(p_key), "%s/ckpt.key", dir);
	snprintf(p_key2, sizeof(p_key2), "%s/other.key", dir);
	snprintf(p_ver, sizeof(p_ver), "%s/v.pub", dir);
	snprintf(p_ver2, sizeof(p_ver2), "%s/other.pub", dir);
	snprintf(p_note, sizeof(p_note), "%s/c.note", dir);
	snprintf(p_note3, sizeof(p_note3), "%s/c3.note", dir);
	snprintf(p_good, sizeof(p_good), "%s/good.jsonl", dir);
	snprintf(p_case, sizeof(p_case), "%s/case.jsonl", dir);
	snprintf(p_state, sizeof(p_state), "%s/state.note", dir);
	key_write(p_key);
	key_write(p_key2);
	note_write(p_key, p_ver, LEDGER_N, p_note);
	note_write(p_key, NULL, 3, p_note3);
	note_write(p_key2, p_ver2, LEDGER_N, p_state);
	export_write(p_good);
	return 0;
}

static int
vx_teardown(void **state)
{
	const char	*files[] = { p_key, p_key2, p_ver, p_ver2, p_note, p_note3,
	    p_good, p_case, p_state };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(dir);
	return 0;
}

/* The good export's lines, to edit one at a time. */
static char *
good_read(size_t *len)
{
	FILE	*f = fopen(p_good, "r");
	char	*buf;

	assert_non_null(f);
	buf = calloc(1, 65536);
	assert_non_null(buf);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

/* Write the good export with the first `from` replaced by `to` into p_case. */
static void
case_write(const char *from, const char *to)
{
	size_t	 len;
	char	*buf = good_read(&len), *at;
	FILE	*f = fopen(p_case, "w");

	assert_non_null(f);
	at = strstr(buf, from);
	assert_non_null(at);
	fwrite(buf, 1, (size_t)(at - buf), f);
	fputs(to, f);
	fputs(at + strlen(from), f);
	fclose(f);
	free(buf);
}

static struct run
vx(const char *jsonl, const char *note, const char *ver)
{
	return RUN("verify-export", jsonl, "--checkpoint", note, "--verifier",
	    ver);
}

static void
expect_vx_fail(const char *jsonl, const char *note, const char *ver,
    const char *why)
{
	struct run	 r = vx(jsonl, note, ver);

	if (r.rc != CTL_VERIFY || strstr(r.err, why) == NULL)
		fail_msg("want exit 4 and '%s', got %d: %s", why, r.rc, r.err);
	assert_non_null(strstr(r.err, "ledgerctl: verification failed: "));
	run_free(&r);
}

static void
test_vx_good(void **state)
{
	struct run	 r;
	char		 n[32];

	(void)state;
	r = vx(p_good, p_note, p_ver);
	if (r.rc != 0)
		fail_msg("exit %d: %s", r.rc, r.err);
	assert_non_null(strstr(r.out, "verified: yes"));
	run_free(&r);

	r = RUN("verify-export", p_good, "--checkpoint", p_note, "--verifier",
	    p_ver, "--json");
	assert_int_equal(r.rc, 0);
	snprintf(n, sizeof(n), "\"entries\":%zu", LEDGER_N);
	assert_non_null(strstr(r.out, n));
	assert_non_null(strstr(r.out, "\"verified\":true"));
	run_free(&r);

	/* A checkpoint of an older size: its prefix verifies, the rest is extra. */
	r = RUN("verify-export", p_good, "--checkpoint", p_note3, "--verifier",
	    p_ver, "--json");
	assert_int_equal(r.rc, 0);
	snprintf(n, sizeof(n), "\"beyond_checkpoint\":%zu", LEDGER_N - 3);
	assert_non_null(strstr(r.out, n));
	run_free(&r);

	/* A trailing blank line carries nothing. */
	case_write("\"seq\":1,", "\"seq\":1,");
	{
		FILE	*f = fopen(p_case, "a");

		assert_non_null(f);
		fputs("\n", f);
		fclose(f);
	}
	r = vx(p_case, p_note, p_ver);
	assert_int_equal(r.rc, 0);
	run_free(&r);
}

static void
test_vx_tampered(void **state)
{
	size_t	 len;
	char	*buf, *ld, *nl;
	FILE	*f;

	(void)state;
	/* One hex digit of line 4's leaf_data. */
	buf = good_read(&len);
	ld = buf;
	for (int i = 0; i < 3; i++)
		ld = strchr(ld, '\n') + 1;
	nl = strchr(ld, '\n');
	ld = strstr(ld, "\"leaf_data\":\"");
	assert_true(ld != NULL && ld < nl);
	ld += strlen("\"leaf_data\":\"") + 20;
	*ld = *ld == '0' ? '1' : '0';
	f = fopen(p_case, "w");
	assert_non_null(f);
	fwrite(buf, 1, len, f);
	fclose(f);
	free(buf);
	expect_vx_fail(p_case, p_note, p_ver, "line 4");

	/* A field changed, leaf_data intact. */
	case_write("\"amount\":50000005", "\"amount\":50000006");
	expect_vx_fail(p_case, p_note, p_ver, "line 5 (seq 5): \"amount\"");
	case_write("\"memo\":", "\"extra\":1,\"memo\":");
	expect_vx_fail(p_case, p_note, p_ver, "\"extra\"");
	/* A duplicate key could hide a second value. */
	case_write("\"seq\":2,", "\"seq\":2,\"seq\":2,");
	expect_vx_fail(p_case, p_note, p_ver, "line 2: not JSON");
	case_write("{\"seq\":3,", "not json {\"seq\":3,");
	expect_vx_fail(p_case, p_note, p_ver, "line 3: not JSON");
	/* Every new entry's encoding starts with its format byte, 02. */
	case_write("\"leaf_data\":\"0", "\"leaf_data\":\"zz");
	expect_vx_fail(p_case, p_note, p_ver, "line 1: leaf_data");
}

static void
test_vx_order_and_length(void **state)
{
	size_t	 len;
	char	*buf, *l2, *l3, *l4;
	FILE	*f;

	(void)state;
	buf = good_read(&len);
	l2 = strchr(buf, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	l4 = strchr(l3, '\n') + 1;

	/* Lines 2 and 3 swapped. */
	f = fopen(p_case, "w");
	assert_non_null(f);
	fwrite(buf, 1, (size_t)(l2 - buf), f);
	fwrite(l3, 1, (size_t)(l4 - l3), f);
	fwrite(l2, 1, (size_t)(l3 - l2), f);
	fputs(l4, f);
	fclose(f);
	expect_vx_fail(p_case, p_note, p_ver, "line 2: entry 3 where 2 was due");

	/* Line 2 missing. */
	f = fopen(p_case, "w");
	assert_non_null(f);
	fwrite(buf, 1, (size_t)(l2 - buf), f);
	fputs(l3, f);
	fclose(f);
	expect_vx_fail(p_case, p_note, p_ver, "entry 3 where 2 was due");

	/* Only the first three lines against the full checkpoint. */
	f = fopen(p_case, "w");
	assert_non_null(f);
	fwrite(buf, 1, (size_t)(l4 - buf), f);
	fclose(f);
	expect_vx_fail(p_case, p_note, p_ver, "ends after 3 entries");

	/* A line longer than any export line. */
	f = fopen(p_case, "w");
	assert_non_null(f);
	fwrite(buf, 1, (size_t)(l2 - buf), f);
	for (int i = 0; i < 70000; i++)
		fputc(' ', f);
	fputs(l2, f);
	fclose(f);
	expect_vx_fail(p_case, p_note, p_ver, "line 2: longer than");
	free(buf);
}

static void
test_vx_checkpoint(void **state)
{
	struct run	 r;
	size_t		 len;
	char		 note[1024], *p;
	FILE		*f;

	(void)state;
	/* Another key's verifier: the note is not signed by it. */
	expect_vx_fail(p_good, p_note, p_ver2, "no signature by the verifier's key");
	/* The note's size changed: its signature no longer verifies. */
	f = fopen(p_note, "r");
	assert_non_null(f);
	len = fread(note, 1, sizeof(note) - 1, f);
	fclose(f);
	note[len] = '\0';
	p = strchr(note, '\n') + 1;
	assert_int_equal(*p, '0' + (int)LEDGER_N);
	*p = '7';
	text_write(p_case, note, len);
	expect_vx_fail(p_good, p_case, p_ver, "signature does not verify");

	/* Files that cannot be read are usage errors; so is a missing option. */
	r = vx("/nonexistent/x.jsonl", p_note, p_ver);
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = vx(p_good, "/nonexistent/c.note", p_ver);
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = vx(p_good, p_note, "/nonexistent/v.pub");
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = RUN("verify-export", p_good, "--verifier", p_ver);
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
}

/* ---- the other audit commands: what fails before any connection ------------------- */

static void
test_audit_usage(void **state)
{
	struct run	 r;
	char		 before[1024], after[1024];
	size_t		 n1, n2;
	FILE		*f;

	(void)state;
	r = RUN("prove", "0", "--server", "127.0.0.1:1", "--ca", p_ver);
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = RUN("prove", "3", "--size", "2", "--server", "127.0.0.1:1");
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = RUN("prove", "1", "--verifier", p_note, "--server", "127.0.0.1:1");
	assert_int_equal(r.rc, CTL_USAGE);	/* a note is not a verifier */
	run_free(&r);
	r = RUN("consistency", "3", "2", "--server", "127.0.0.1:1");
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = RUN("consistency", "x", "--server", "127.0.0.1:1");
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = RUN("verify", "--server", "127.0.0.1:1");
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	r = RUN("verify", "--verifier", p_ver, "--full=yes");
	assert_int_equal(r.rc, CTL_USAGE);
	run_free(&r);
	/* A state that could never be saved: refused before connecting. */
	r = RUN("verify", "--verifier", p_ver, "--state", "/nonexistent/dir/s",
	    "--server", "127.0.0.1:1");
	assert_int_equal(r.rc, CTL_USAGE);
	assert_non_null(strstr(r.err, "--state"));
	run_free(&r);

	/*
	 * A saved state signed by another key fails before connecting, and
	 * stays as it was.
	 */
	f = fopen(p_state, "r");
	assert_non_null(f);
	n1 = fread(before, 1, sizeof(before), f);
	fclose(f);
	r = RUN("verify", "--verifier", p_ver, "--state", p_state, "--full",
	    "--server", "127.0.0.1:1", "--ca", p_ver, "--json");
	assert_int_equal(r.rc, CTL_VERIFY);
	assert_non_null(strstr(r.err, "verification failed: the checkpoint saved"));
	assert_non_null(strstr(r.out, "\"verified\":false"));
	run_free(&r);
	f = fopen(p_state, "r");
	assert_non_null(f);
	n2 = fread(after, 1, sizeof(after), f);
	fclose(f);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_field_quoting),
		cmocka_unit_test(test_csv_row),
		cmocka_unit_test(test_export_csv_rows),
		cmocka_unit_test(test_export_jsonl_line),
		cmocka_unit_test(test_build_export),
		cmocka_unit_test(test_vx_good),
		cmocka_unit_test(test_vx_tampered),
		cmocka_unit_test(test_vx_order_and_length),
		cmocka_unit_test(test_vx_checkpoint),
		cmocka_unit_test(test_audit_usage),
	};

	return cmocka_run_group_tests(tests, vx_setup, vx_teardown);
}
