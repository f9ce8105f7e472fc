/*
 * test_client_args.c - ledgerctl without a daemon: the command line, the
 * values, the JSON and text forms, and the exit status of everything that
 * must fail before (usage, 2) or at (connection, 3) the connection.
 *
 * ctl_main() is driven in-process with its stdout and stderr captured in
 * memory streams, so each case checks exactly what a user would see.  The
 * connection cases use a real self-signed CA made in a mkdtemp() directory
 * and a loopback port that was just closed, so they need no network and
 * do not depend on timing.
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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ctl.h"
#include "ctl_run.h"
#include "ctlconn.h"
#include "entry.h"
#include "errors.h"
#include "msg.h"
#include "output.h"
#include "session.h"
#include "wire.h"

/* ---- helpers ---------------------------------------------------------- */

/* Parse a word list into *a against the real command tables. */
static int
parse_words(struct ctl_args *a, char *err, size_t errlen, const char *first, ...)
{
	static const struct ctl_cmd *const tables[] = {
		cmd_write_cmds, cmd_read_cmds, cmd_audit_cmds, cmd_cluster_cmds,
		NULL
	};
	char		*argv[64];
	va_list		 ap;
	int		 argc = 0;
	const char	*w;

	argv[argc++] = (char *)"ledgerctl";
	va_start(ap, first);
	for (w = first; w != NULL && argc < 63; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	return args_parse(a, argc, argv, tables, err, errlen);
}

#define PARSE(a, err, ...) \
	parse_words((a), (err), sizeof(err), __VA_ARGS__, (const char *)NULL)

static char	 tmpdir[64];
static char	 ca_path[128];
static char	 closed_server[64];

/* A self-signed EC certificate to serve as --ca. */
static int
make_ca(const char *path)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;
	FILE		*f;
	int		 ok = 0;

	key = EVP_EC_gen("P-256");
	x = X509_new();
	if (key == NULL || x == NULL)
		goto done;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"test ca", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) == 0)
		goto done;
	f = fopen(path, "w");
	if (f == NULL)
		goto done;
	ok = PEM_write_X509(f, x) == 1;
	fclose(f);
done:
	X509_free(x);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

/* "127.0.0.1:PORT" of a port that was bound and closed: nobody listens. */
static int
closed_port(char *out, size_t outsz)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	snprintf(out, outsz, "127.0.0.1:%u", ntohs(sin.sin_port));
	close(fd);
	return 0;
}

static int
setup_all(void **state)
{
	(void)state;
	unsetenv("LEDGER_SERVER");
	unsetenv("LEDGER_CERT");
	unsetenv("LEDGER_KEY");
	unsetenv("LEDGER_CA");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_client_args.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(ca_path, sizeof(ca_path), "%s/ca.crt", tmpdir);
	if (make_ca(ca_path) == -1)
		return -1;
	return closed_port(closed_server, sizeof(closed_server));
}

static int
teardown_all(void **state)
{
	(void)state;
	unlink(ca_path);
	rmdir(tmpdir);
	return 0;
}

/* ---- argument parsing ------------------------------------------------- */

static void
test_parse_value_forms(void **state)
{
	struct ctl_args	 a;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "award", "--region", "hakodate",
	    "--fy=H25", "--amount", "1.5億", "--ref=V-1", "--date",
	    "2013-05-15"), 0);
	assert_string_equal(a.cmd->word, "award");
	assert_string_equal(args_get(&a, "region"), "hakodate");
	assert_string_equal(args_get(&a, "fy"), "H25");
	assert_string_equal(args_get(&a, "amount"), "1.5億");
	assert_string_equal(args_get(&a, "ref"), "V-1");
	assert_null(args_get(&a, "id"));
	assert_int_equal(a.json, 0);

	/* "--memo=" gives an empty value; "--memo -5%" takes the next word. */
	assert_int_equal(PARSE(&a, err, "disburse", "--region", "x", "--fy",
	    "2013", "--amount", "1", "--ref", "r", "--date", "2013-06-30",
	    "--memo", "-5% fix", "--id="), 0);
	assert_string_equal(args_get(&a, "memo"), "-5% fix");
	assert_string_equal(args_get(&a, "id"), "");
}

static void
test_parse_json_anywhere(void **state)
{
	struct ctl_args	 a;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "--json", "status"), 0);
	assert_int_equal(a.json, 1);
	assert_int_equal(PARSE(&a, err, "get", "--json", "7"), 0);
	assert_int_equal(a.json, 1);
	assert_string_equal(a.pos[0], "7");
	assert_int_equal(PARSE(&a, err, "region", "list", "--json"), 0);
	assert_int_equal(a.json, 1);
	assert_string_equal(a.cmd->sub, "list");
	assert_int_equal(PARSE(&a, err, "--json=1", "status"), -1);
	assert_non_null(strstr(err, "takes no value"));
}

/* "--format json" is --json for commands that have --format (export ...). */
static void
test_parse_format_json(void **state)
{
	static const struct ctl_opt fmt_opts[] = {
		{ "format", OPT_VALUE }, { NULL, 0 }
	};
	static const struct ctl_cmd fmt_cmds[] = {
		{ "report", NULL, { NULL }, 0, 0, fmt_opts, "report", NULL, 0 },
		{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
	};
	static const struct ctl_cmd *const tables[] = { fmt_cmds, NULL };
	char		*csv[] = { "ledgerctl", "report", "--format", "csv", NULL };
	char		*json[] = { "ledgerctl", "report", "--format=json", NULL };
	struct ctl_args	 a;
	char		 err[256];

	(void)state;
	assert_int_equal(args_parse(&a, 4, csv, tables, err, sizeof(err)), 0);
	assert_int_equal(a.json, 0);
	assert_string_equal(args_get(&a, "format"), "csv");
	assert_int_equal(args_parse(&a, 3, json, tables, err, sizeof(err)), 0);
	assert_int_equal(a.json, 1);
}

static void
test_parse_globals(void **state)
{
	struct ctl_args	 a;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "--server", "h:1", "--ca=c.pem",
	    "get", "3", "--cert", "x.crt", "--key=x.key"), 0);
	assert_string_equal(a.server, "h:1");
	assert_string_equal(a.ca, "c.pem");
	assert_string_equal(a.cert, "x.crt");
	assert_string_equal(a.key, "x.key");
	/* A command option before the command word is not known yet. */
	assert_int_equal(PARSE(&a, err, "--fy", "2013", "balance"), -1);
	assert_non_null(strstr(err, "unknown option --fy"));
}

/*
 * A mistyped command or option is a usage error that names the one
 * command or option meant; never a guess between two, never run.
 */
static void
test_parse_suggestions(void **state)
{
	struct ctl_args	 a;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "disburs", "--region", "x"), -1);
	assert_string_equal(err, "unknown command \"disburs\"; did you mean "
	    "\"disburse\"?");
	/* A swap of neighbours is one edit; a word cut short is a prefix. */
	assert_int_equal(PARSE(&a, err, "disbrues"), -1);
	assert_non_null(strstr(err, "did you mean \"disburse\"?"));
	assert_int_equal(PARSE(&a, err, "disb"), -1);
	assert_non_null(strstr(err, "did you mean \"disburse\"?"));
	assert_int_equal(PARSE(&a, err, "blance", "--fy", "2013"), -1);
	assert_non_null(strstr(err, "did you mean \"balance\"?"));
	assert_int_equal(PARSE(&a, err, "hlep"), -1);
	assert_non_null(strstr(err, "did you mean \"help\"?"));
	assert_int_equal(PARSE(&a, err, "help", "awrad"), -1);
	assert_non_null(strstr(err, "did you mean \"award\"?"));
	assert_int_equal(PARSE(&a, err, "region", "ad", "x"), -1);
	assert_string_equal(err, "unknown command \"region ad\"; did you "
	    "mean \"region add\"?");
	/* Nothing near, or two as near: no suggestion. */
	assert_int_equal(PARSE(&a, err, "frobnicate"), -1);
	assert_string_equal(err, "unknown command \"frobnicate\"");
	assert_int_equal(PARSE(&a, err, "re"), -1);
	assert_null(strstr(err, "did you mean"));
	assert_int_equal(PARSE(&a, err, "x"), -1);
	assert_null(strstr(err, "did you mean"));
	assert_int_equal(PARSE(&a, err, "disburseeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	    "eeeeeeeeeeeeeeeeeeeeeeee"), -1);
	assert_null(strstr(err, "did you mean"));

	/* Options: the command's own and the global ones. */
	assert_int_equal(PARSE(&a, err, "disburse", "--region", "x",
	    "--ammount", "5"), -1);
	assert_string_equal(err, "unknown option --ammount for 'disburse'; "
	    "did you mean --amount?");
	assert_int_equal(PARSE(&a, err, "disburse", "--ammount=5"), -1);
	assert_non_null(strstr(err, "did you mean --amount?"));
	assert_int_equal(PARSE(&a, err, "balance", "--fy", "2013", "--regoin",
	    "x"), -1);
	assert_non_null(strstr(err, "did you mean --region?"));
	assert_int_equal(PARSE(&a, err, "--sever", "h:1", "status"), -1);
	assert_string_equal(err, "unknown option --sever; did you mean "
	    "--server?");
	assert_int_equal(PARSE(&a, err, "status", "--jsno"), -1);
	assert_non_null(strstr(err, "did you mean --json?"));
	/* An option of another command is not offered. */
	assert_int_equal(PARSE(&a, err, "status", "--amont", "5"), -1);
	assert_null(strstr(err, "did you mean"));
}

/* get and prove name their entry one way: SEQ, --id or (get) --ref. */
static void
test_build_lookup(void **state)
{
	struct ctl_args	 a;
	const char	*key;
	uint64_t	 seq;
	char		 err[256];
	int		 by;

	(void)state;
	assert_int_equal(PARSE(&a, err, "get", "7"), 0);
	assert_int_equal(cmd_build_lookup(&a, &by, &seq, &key, err,
	    sizeof(err)), 0);
	assert_int_equal(by, 0);
	assert_int_equal(seq, 7);
	assert_int_equal(PARSE(&a, err, "get", "--ref", "V-0007"), 0);
	assert_int_equal(cmd_build_lookup(&a, &by, &seq, &key, err,
	    sizeof(err)), 0);
	assert_int_equal(by, MSG_FIND_REF);
	assert_string_equal(key, "V-0007");
	assert_int_equal(PARSE(&a, err, "prove", "--id", "pay-4"), 0);
	assert_int_equal(cmd_build_lookup(&a, &by, &seq, &key, err,
	    sizeof(err)), 0);
	assert_int_equal(by, MSG_FIND_ID);
	assert_int_equal(PARSE(&a, err, "get"), 0);
	assert_int_equal(cmd_build_lookup(&a, &by, &seq, &key, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "name the entry by SEQ, --id KEY or --ref REF");
	assert_int_equal(PARSE(&a, err, "get", "3", "--id", "x"), 0);
	assert_int_equal(cmd_build_lookup(&a, &by, &seq, &key, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "one way only"));
	assert_int_equal(PARSE(&a, err, "prove"), 0);
	assert_int_equal(cmd_build_lookup(&a, &by, &seq, &key, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "name the entry by SEQ or --id KEY");
	/* a key that is not a ref: non-ASCII, or too long */
	assert_int_equal(PARSE(&a, err, "get", "--ref", "振込-0007"), 0);
	assert_int_equal(cmd_build_lookup(&a, &by, &seq, &key, err,
	    sizeof(err)), -1);
	/* prove takes no --ref */
	assert_int_equal(PARSE(&a, err, "prove", "--ref", "V-1"), -1);
}

static void
test_parse_errors(void **state)
{
	struct ctl_args	 a;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "award", "--region", "x", "--fy",
	    "2013", "--amount", "1"), -1);
	assert_string_equal(err, "missing --ref");
	assert_int_equal(PARSE(&a, err, "reverse", "--reason", "x"), -1);
	assert_string_equal(err, "missing SEQ");
	assert_int_equal(PARSE(&a, err, "get", "1", "2"), -1);
	assert_non_null(strstr(err, "unexpected argument '2'"));
	assert_int_equal(PARSE(&a, err, "status", "--frob"), -1);
	assert_non_null(strstr(err, "unknown option --frob"));
	assert_int_equal(PARSE(&a, err, "status", "-x"), -1);
	assert_int_equal(PARSE(&a, err, "balance", "--fy", "2013", "--fy",
	    "2014"), -1);
	assert_non_null(strstr(err, "given twice"));
	/* OPT_MULTI: verify --witness collects every value, in order. */
	{
		const char *const *w;

		assert_int_equal(PARSE(&a, err, "verify", "--verifier", "v",
		    "--witness", "a", "--quorum", "2", "--witness=b"), 0);
		assert_int_equal(args_multi(&a, "witness", &w), 2);
		assert_string_equal(w[0], "a");
		assert_string_equal(w[1], "b");
		assert_int_equal(args_multi(&a, "quorum", &w), 0);
		assert_int_equal(PARSE(&a, err, "verify", "--verifier", "v",
		    "--quorum", "1", "--quorum", "2"), -1);
		assert_non_null(strstr(err, "given twice"));
	}
	assert_int_equal(PARSE(&a, err, "balance", "--fy"), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(PARSE(&a, err, "frobnicate"), -1);
	assert_non_null(strstr(err, "unknown command"));
	assert_int_equal(PARSE(&a, err, "region"), -1);
	assert_int_equal(PARSE(&a, err, "region", "delete", "x"), -1);
	/* Commands that do not exist are not accepted silently. */
	assert_int_equal(PARSE(&a, err, "checkpoints"), -1);
	/* An option of another command is unknown here. */
	assert_int_equal(PARSE(&a, err, "get", "1", "--fy", "2013"), -1);
}

static void
test_parse_dashdash_and_help(void **state)
{
	struct ctl_args	 a;
	char		 err[256];

	(void)state;
	/* After "--" a word starting with '-' is a positional. */
	assert_int_equal(PARSE(&a, err, "get", "--", "-1"), 0);
	assert_string_equal(a.pos[0], "-1");
	assert_int_equal(PARSE(&a, err, "award", "--help"), 0);
	assert_int_equal(a.help, 1);
	assert_string_equal(a.cmd->word, "award");
	assert_int_equal(PARSE(&a, err, "help", "region", "add"), 0);
	assert_int_equal(a.help, 1);
	assert_string_equal(a.cmd->sub, "add");
	assert_int_equal(PARSE(&a, err, "-h"), 0);
	assert_int_equal(a.help, 1);
	assert_null(a.cmd);
}

/* ---- builders: values and field limits -------------------------------- */

static void
test_build_award_values(void **state)
{
	struct ctl_args	 a;
	struct ld_entry	 req;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "award", "--region", "hakodate",
	    "--fy", "H25", "--amount", "1億5000万円", "--ref", "K-1", "--id",
	    "key-1", "--date", "2013-05-15"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_AWARD);
	assert_int_equal(req.date, 20130515);
	assert_string_equal(req.region, "hakodate");
	assert_int_equal(req.fy, 2013);
	assert_int_equal(req.amount, 150000000);
	assert_string_equal(req.ref, "K-1");
	assert_string_equal(req.id, "key-1");
	assert_int_equal(req.account, 0);	/* derived by the daemon */

	assert_int_equal(PARSE(&a, err, "award", "--region", "hakodate",
	    "--fy", "fy2013", "--amount", "１，０００", "--ref", "K", "--date",
	    "2014-03-31"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.amount, 1000);
	assert_int_equal(req.fy, 2013);
}

static void
test_build_payment(void **state)
{
	struct ctl_args	 a;
	struct ld_entry	 req;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "refund", "--region", "iwate-1",
	    "--fy", "R7", "--amount", "1_000", "--ref", "V 9", "--date",
	    "2026-05-31", "--memo", "返還 分"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_REFUND);
	assert_int_equal(req.fy, 2025);
	assert_int_equal(req.amount, 1000);
	assert_int_equal(req.date, 20260531);
	assert_string_equal(req.memo, "返還 分");
	/* A date outside the fiscal year is the daemon's DATE_OUTSIDE_FY. */
	assert_int_equal(PARSE(&a, err, "disburse", "--region", "x", "--fy",
	    "2013", "--amount", "5", "--ref", "r", "--date", "2020-01-01"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	/* Not a calendar date. */
	assert_int_equal(PARSE(&a, err, "disburse", "--region", "x", "--fy",
	    "2013", "--amount", "5", "--ref", "r", "--date", "2013-02-30"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--date"));
}

/* Build "award ... --OPT VALUE" (or the given command) and expect refusal. */
static void
expect_bad(const char *what, const char *cmd, const char *opt,
    const char *value)
{
	struct ctl_args	 a;
	struct ld_entry	 req;
	char		 err[256];
	int		 rc;

	if (strcmp(cmd, "region") == 0)
		rc = PARSE(&a, err, "region", "add",
		    strcmp(opt, "CODE") == 0 ? value : "ok", "--name",
		    strcmp(opt, "--name") == 0 ? value : "N", "--grant-type",
		    strcmp(opt, "--grant-type") == 0 ? value : "general",
		    "--category",
		    strcmp(opt, "--category") == 0 ? value : "");
	else
		rc = PARSE(&a, err, "disburse",
		    "--region", strcmp(opt, "--region") == 0 ? value : "x",
		    "--fy", strcmp(opt, "--fy") == 0 ? value : "2013",
		    "--amount", strcmp(opt, "--amount") == 0 ? value : "1",
		    "--ref", strcmp(opt, "--ref") == 0 ? value : "r",
		    "--date", "2013-06-30",
		    "--memo", strcmp(opt, "--memo") == 0 ? value : "",
		    "--id", strcmp(opt, "--id") == 0 ? value : "i");
	assert_int_equal(rc, 0);
	if (cmd_build_write(&a, &req, err, sizeof(err)) != -1)
		fail_msg("%s: accepted %s '%s'", what, opt, value);
	if (strstr(err, opt) == NULL)
		fail_msg("%s: message '%s' does not name %s", what, err, opt);
}

static void
test_build_field_limits(void **state)
{
	char	 long65[66], text513[514], ok512[513];
	struct ctl_args	 a;
	struct ld_entry	 req;
	char		 err[256];

	(void)state;
	memset(long65, 'a', 65);
	long65[65] = '\0';
	memset(text513, 'x', 513);
	text513[513] = '\0';
	memset(ok512, 'x', 512);
	ok512[512] = '\0';

	expect_bad("upper case code", "region", "CODE", "Hakodate");
	expect_bad("code with _", "region", "CODE", "a_b");
	expect_bad("code too long", "region", "CODE", long65);
	expect_bad("empty name", "region", "--name", "");
	expect_bad("name with newline", "region", "--name", "a\nb");
	expect_bad("category too long", "region", "--category", text513);
	expect_bad("bad grant type", "region", "--grant-type", "General");
	expect_bad("region code", "disburse", "--region", "x y");
	expect_bad("ref too long", "disburse", "--ref", long65);
	expect_bad("ref not ASCII", "disburse", "--ref", "伝票1");
	expect_bad("empty ref", "disburse", "--ref", "");
	expect_bad("id with tab", "disburse", "--id", "a\tb");
	expect_bad("memo control", "disburse", "--memo", "a\x7f");
	expect_bad("memo C1 control", "disburse", "--memo", "a\xc2\x85");
	expect_bad("memo not UTF-8", "disburse", "--memo", "\xff\xfe");
	expect_bad("memo too long", "disburse", "--memo", text513);
	expect_bad("zero amount", "disburse", "--amount", "0");
	expect_bad("negative amount", "disburse", "--amount", "-5");
	expect_bad("amount over 10^13", "disburse", "--amount", "10000000000001");
	expect_bad("fractional yen", "disburse", "--amount", "1.5");
	expect_bad("bad grouping", "disburse", "--amount", "1,00,000");
	expect_bad("Heisei 32", "disburse", "--fy", "H32");
	expect_bad("not a year", "disburse", "--fy", "last");

	/* The limits themselves are accepted. */
	assert_int_equal(PARSE(&a, err, "region", "add", long65 + 1, "--name",
	    ok512, "--grant-type", "continuing", "--category", ok512), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.grant_type, LD_G_CONTINUING);
	assert_int_equal(strlen(req.category), 512);
	assert_int_equal(PARSE(&a, err, "appropriate", "--account",
	    "reconstruction", "--fy", "2013", "--amount", "10,000,000,000,000",
	    "--ref", long65 + 1), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.account, LD_A_RECONSTRUCTION);
	assert_int_equal(req.amount, INT64_C(10000000000000));
}

static void
test_build_reverse_close(void **state)
{
	struct ctl_args	 a;
	struct ld_entry	 req;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "reverse", "12", "--reason",
	    "二重計上"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_REVERSAL);
	assert_int_equal(req.reverses, 12);
	assert_string_equal(req.reason, "二重計上");
	assert_int_equal(PARSE(&a, err, "reverse", "0", "--reason", "x"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "reverse", "+3", "--reason", "x"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "reverse", "3", "--reason", ""), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), -1);

	assert_int_equal(PARSE(&a, err, "close-year", "--account", "general",
	    "--fy", "H25"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_YEAR_CLOSE);
	assert_int_equal(req.account, LD_A_GENERAL);
	assert_int_equal(req.fy, 2013);
	assert_int_equal(PARSE(&a, err, "close-year", "--account", "special",
	    "--fy", "2013"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), -1);
}

static void
test_build_reads(void **state)
{
	struct ctl_args		 a;
	struct msg_list		 l;
	struct msg_balance_req	 b;
	uint64_t		 seq;
	char			 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "list", "--since", "5", "--limit=10",
	    "--region", "hakodate", "--fy", "R1", "--kind", "year_close"), 0);
	assert_int_equal(cmd_build_list(&a, &l, err, sizeof(err)), 0);
	assert_int_equal(l.since, 5);
	assert_int_equal(l.until, 0);
	assert_int_equal(l.limit, 10);
	assert_string_equal(l.region, "hakodate");
	assert_int_equal(l.fy, 2019);
	assert_int_equal(l.kind, LD_K_YEAR_CLOSE);
	assert_int_equal(PARSE(&a, err, "list"), 0);
	assert_int_equal(cmd_build_list(&a, &l, err, sizeof(err)), 0);
	assert_int_equal(l.limit, 0);
	assert_int_equal(l.kind, 0);
	assert_int_equal(PARSE(&a, err, "list", "--kind", "payment"), 0);
	assert_int_equal(cmd_build_list(&a, &l, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "list", "--limit", "0"), 0);
	assert_int_equal(cmd_build_list(&a, &l, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "list", "--since", "1e3"), 0);
	assert_int_equal(cmd_build_list(&a, &l, err, sizeof(err)), -1);

	assert_int_equal(PARSE(&a, err, "balance", "--fy", "2013"), 0);
	assert_int_equal(cmd_build_balance(&a, &b, err, sizeof(err)), 0);
	assert_int_equal(b.scope, BAL_ALL);
	assert_int_equal(PARSE(&a, err, "balance", "--fy", "2013", "--region",
	    "sendai"), 0);
	assert_int_equal(cmd_build_balance(&a, &b, err, sizeof(err)), 0);
	assert_int_equal(b.scope, BAL_REGION);
	assert_string_equal(b.region, "sendai");
	assert_int_equal(PARSE(&a, err, "balance", "--fy", "2013", "--account",
	    "reconstruction"), 0);
	assert_int_equal(cmd_build_balance(&a, &b, err, sizeof(err)), 0);
	assert_int_equal(b.scope, BAL_ACCOUNT);
	assert_int_equal(b.account, LD_A_RECONSTRUCTION);
	assert_int_equal(PARSE(&a, err, "balance", "--fy", "2013", "--account",
	    "general", "--region", "x"), 0);
	assert_int_equal(cmd_build_balance(&a, &b, err, sizeof(err)), -1);

	assert_int_equal(PARSE(&a, err, "get", "18446744073709551615"), 0);
	assert_int_equal(cmd_build_get(&a, &seq, err, sizeof(err)), 0);
	assert_true(seq == UINT64_MAX);
	assert_int_equal(PARSE(&a, err, "get", "18446744073709551616"), 0);
	assert_int_equal(cmd_build_get(&a, &seq, err, sizeof(err)), -1);
}

/* ---- ctl_main: exit status before and at the connection --------------- */

static void
test_main_help_version(void **state)
{
	struct run	 r;

	(void)state;
	r = RUN("--help");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "ledgerctl disburse --region CODE"));
	assert_string_equal(r.err, "");
	run_free(&r);
	r = RUN("help");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "usage: ledgerctl"));
	run_free(&r);
	r = RUN("help", "reverse");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "reverse SEQ --reason TEXT"));
	run_free(&r);
	r = RUN("--version");
	assert_int_equal(r.rc, 0);
	assert_int_equal(strncmp(r.out, "ledgerctl ", 10), 0);
	run_free(&r);
}

/* A usage error: exit 2, nothing on stdout, "ledgerctl: usage:" on stderr. */
static void
expect_usage(struct run r, const char *needle)
{
	if (r.rc != 2 || strncmp(r.err, "ledgerctl: usage: ", 18) != 0 ||
	    r.out[0] != '\0' || strstr(r.err, needle) == NULL)
		fail_msg("expected a usage error naming '%s', got %d:\n%s%s",
		    needle, r.rc, r.err, r.out);
	run_free(&r);
}

static void
test_main_usage_before_connect(void **state)
{
	const char	*s = closed_server;

	(void)state;
	expect_usage(run_words(NULL), "no command");
	expect_usage(RUN("frob"), "unknown command \"frob\"");
	expect_usage(RUN("disburs", "--server", s, "--ca", ca_path),
	    "unknown command \"disburs\"; did you mean \"disburse\"?");
	expect_usage(RUN("verify", "--server", s, "--ca", ca_path),
	    "missing --verifier");
	/* Bad values with a server that would refuse: still 2, not 3. */
	expect_usage(RUN("--json", "--server", s, "--ca", ca_path, "award",
	    "--region", "hakodate", "--fy", "2013", "--amount", "12abc",
	    "--ref", "r"), "--amount");
	expect_usage(RUN("award", "--server", s, "--ca", ca_path, "--region",
	    "hakodate", "--fy", "H99", "--amount", "1", "--ref", "r"), "--fy");
	expect_usage(RUN("disburse", "--server", s, "--ca", ca_path, "--region",
	    "x", "--fy", "2013", "--amount", "1", "--ref", "r", "--date",
	    "2013/02/30"), "--date");
	expect_usage(RUN("get", "abc", "--server", s, "--ca", ca_path), "SEQ");
	expect_usage(RUN("list", "--kind", "foo", "--server", s, "--ca",
	    ca_path), "--kind");
	expect_usage(RUN("region", "add", "Bad", "--name", "n", "--grant-type",
	    "general", "--server", s, "--ca", ca_path), "CODE");
	expect_usage(RUN("balance", "--server", s, "--ca", ca_path), "--fy");
	/* Connection options: no server, a malformed one, no CA. */
	expect_usage(RUN("status", "--ca", ca_path), "no server");
	expect_usage(RUN("status", "--server", "localhost", "--ca", ca_path),
	    "HOST:PORT");
	expect_usage(RUN("status", "--server", "::1:7443", "--ca", ca_path),
	    "HOST:PORT");
	expect_usage(RUN("status", "--server", s), "no CA");
}

static void
test_main_closed_port(void **state)
{
	struct run	 r;
	char		 want[128];

	(void)state;
	snprintf(want, sizeof(want), "ledgerctl: cannot connect to %s: ",
	    closed_server);
	r = RUN("status", "--server", closed_server, "--ca", ca_path);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "refused"));
	assert_string_equal(r.out, "");
	run_free(&r);

	/* The same through the environment, with a valid write and --json. */
	setenv("LEDGER_SERVER", closed_server, 1);
	setenv("LEDGER_CA", ca_path, 1);
	r = RUN("appropriate", "--account", "general", "--fy", "2013",
	    "--amount", "1,505,000,000", "--ref", "budget", "--json");
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, want));
	assert_string_equal(r.out, "");
	run_free(&r);
	/* An explicit option wins over the environment. */
	r = RUN("status", "--server", "127.0.0.1:bad");
	assert_int_equal(r.rc, 2);
	run_free(&r);
	unsetenv("LEDGER_SERVER");
	unsetenv("LEDGER_CA");

	/* An unreadable CA file is a TLS setup failure. */
	r = RUN("status", "--server", closed_server, "--ca", "/nonexistent/ca");
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "cannot read CA file /nonexistent/ca: "
	    "No such file or directory"));
	run_free(&r);

	/*
	 * The client key: a missing option is named as a usage error; a
	 * named file that cannot be read is named with the system's reason
	 * (exit 3, like the CA), never as OpenSSL's "PEM lib".
	 */
	expect_usage(RUN("status", "--server", closed_server, "--ca", ca_path,
	    "--cert", ca_path), "no client key: give --key FILE or set "
	    "LEDGER_KEY");
	setenv("LEDGER_CERT", ca_path, 1);
	expect_usage(RUN("status", "--server", closed_server, "--ca", ca_path),
	    "no client key");
	setenv("LEDGER_KEY", "/nonexistent/clerk01.key", 1);
	r = RUN("status", "--server", closed_server, "--ca", ca_path);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "cannot read key file "
	    "/nonexistent/clerk01.key: No such file or directory"));
	assert_null(strstr(r.err, "PEM"));
	run_free(&r);
	unsetenv("LEDGER_CERT");
	unsetenv("LEDGER_KEY");
	expect_usage(RUN("status", "--server", closed_server, "--ca", ca_path,
	    "--key", ca_path), "no client certificate: give --cert FILE");
	r = RUN("status", "--server", closed_server, "--ca", ca_path,
	    "--cert", "/nonexistent/clerk01.crt", "--key", ca_path);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "cannot read certificate file "
	    "/nonexistent/clerk01.crt: No such file or directory"));
	run_free(&r);
	r = RUN("status", "--server", closed_server, "--ca", ca_path,
	    "--cert", ca_path, "--key", tmpdir);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "cannot read key file"));
	assert_non_null(strstr(r.err, "Is a directory"));
	run_free(&r);
}

/* ---- a cluster: server lists and cluster commands (contract 2.6) ------ */

static void
test_server_list(void **state)
{
	const char	*out[CTL_SERVERS_MAX];
	char		 buf[CTL_SERVERS_MAX * CTL_ADDR_MAX], err[256], many[1024];
	struct run	 r;
	size_t		 n = 0;
	int		 i;

	(void)state;
	assert_int_equal(ctl_split_servers("10.0.0.1:7443", buf, sizeof(buf),
	    out, CTL_SERVERS_MAX, err, sizeof(err)), 1);
	assert_string_equal(out[0], "10.0.0.1:7443");
	assert_int_equal(ctl_split_servers(" a.example:1, [::1]:7444 ,\tb:2",
	    buf, sizeof(buf), out, CTL_SERVERS_MAX, err, sizeof(err)), 3);
	assert_string_equal(out[0], "a.example:1");
	assert_string_equal(out[1], "[::1]:7444");
	assert_string_equal(out[2], "b:2");
	assert_int_equal(ctl_split_servers("a:1,,b:2", buf, sizeof(buf), out,
	    CTL_SERVERS_MAX, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty address"));
	assert_int_equal(ctl_split_servers("a:1,", buf, sizeof(buf), out,
	    CTL_SERVERS_MAX, err, sizeof(err)), -1);
	assert_int_equal(ctl_split_servers("a:1,b", buf, sizeof(buf), out,
	    CTL_SERVERS_MAX, err, sizeof(err)), -1);
	assert_string_equal(err, "'b' is not HOST:PORT (an IPv6 address as "
	    "[ADDR]:PORT)");
	assert_int_equal(ctl_split_servers("a:1,::1:2", buf, sizeof(buf), out,
	    CTL_SERVERS_MAX, err, sizeof(err)), -1);
	for (i = 0; i <= CTL_SERVERS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%sh%d:%d",
		    i > 0 ? "," : "", i, 7000 + i);
	assert_int_equal(ctl_split_servers(many, buf, sizeof(buf), out,
	    CTL_SERVERS_MAX, err, sizeof(err)), -1);
	assert_string_equal(err, "more than 16 addresses");
	many[strrchr(many, ',') - many] = '\0';
	assert_int_equal(ctl_split_servers(many, buf, sizeof(buf), out,
	    CTL_SERVERS_MAX, err, sizeof(err)), CTL_SERVERS_MAX);

	/* Through ledgerctl: a usage error, or each server tried. */
	expect_usage(RUN("status", "--server", "127.0.0.1:1,,127.0.0.1:2",
	    "--ca", ca_path), "--server: empty address");
	snprintf(many, sizeof(many), "%s,%s", closed_server, closed_server);
	r = RUN("status", "--server", many, "--ca", ca_path);
	assert_int_equal(r.rc, 3);
	snprintf(err, sizeof(err), "ledgerctl: cannot connect to %s: ",
	    closed_server);
	assert_non_null(strstr(r.err, err));
	snprintf(err, sizeof(err), "; trying %s\n", closed_server);
	assert_non_null(strstr(r.err, err));
	assert_string_equal(r.out, "");
	run_free(&r);
	/* Our own unreadable CA is not the servers' fault: one line. */
	r = RUN("status", "--server", many, "--ca", "/nonexistent/ca");
	assert_int_equal(r.rc, 3);
	assert_null(strstr(r.err, "trying"));
	assert_non_null(strstr(r.err, "cannot read CA file"));
	run_free(&r);
}

static void
test_build_cluster(void **state)
{
	struct msg_cluster_req	 q;
	struct ctl_args		 a;
	char			 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "cluster", "status"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.op, MSG_CLUSTER_STATUS);
	assert_int_equal(PARSE(&a, err, "cluster", "add", "4",
	    "10.0.0.4:7501", "[fd00::4]:7443"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.op, MSG_CLUSTER_ADD);
	assert_int_equal(q.id, 4);
	assert_string_equal(q.raft_address, "10.0.0.4:7501");
	assert_string_equal(q.client_address, "[fd00::4]:7443");
	assert_int_equal(PARSE(&a, err, "cluster", "transfer", "2"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.op, MSG_CLUSTER_TRANSFER);
	assert_int_equal(q.id, 2);
	assert_int_equal(PARSE(&a, err, "cluster", "remove", "3"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), 0);
	assert_int_equal(q.op, MSG_CLUSTER_REMOVE);

	/* Usage errors, before any connection. */
	assert_int_equal(PARSE(&a, err, "cluster", "remove", "0"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "cluster", "transfer", "x"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "cluster", "add", "4", "10.0.0.4",
	    "10.0.0.4:7443"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "RAFT_ADDR: '10.0.0.4' is not HOST:PORT"));
	assert_int_equal(PARSE(&a, err, "cluster", "add", "4", "10.0.0.4:1",
	    "h\xc3\xa9:2"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CLIENT_ADDR"));
	assert_int_equal(PARSE(&a, err, "cluster", "add", "4", "10.0.0.4:1",
	    "10.0.0.4:1"), 0);
	assert_int_equal(cmd_build_cluster(&a, &q, err, sizeof(err)), -1);
	assert_int_equal(PARSE(&a, err, "cluster", "add", "4", "10.0.0.4:1"),
	    -1);
	assert_int_equal(PARSE(&a, err, "cluster", "frob"), -1);
}

/* ---- output ----------------------------------------------------------- */

/* Encode e, decode it as the client would, and render its JSON line. */
static char *
entry_line(const struct ld_entry *e, int dup)
{
	struct ld_entry	 d;
	struct wbuf	 w, ans;
	const uint8_t	*enc;
	size_t		 enclen;
	json_t		*obj;
	char		*s;
	int		 got;

	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, e), 0);
	wbuf_init(&ans);
	assert_int_equal(msg_encode_entry(&ans, dup > 0, w.data, w.len), 0);
	assert_int_equal(ctl_entry_answer(ans.data, ans.len, &got, &d, &enc,
	    &enclen), 0);
	assert_int_equal(got, dup > 0);
	assert_int_equal(enclen, w.len);
	obj = out_entry_json(&d, enc, enclen);
	assert_non_null(obj);
	if (dup >= 0)
		json_object_set_new(obj, "duplicate", json_boolean(dup));
	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	wbuf_free(&w);
	wbuf_free(&ans);
	return s;
}

/* Hex SHA-256(0x00 || encoding of e), computed independently of output.c. */
static void
leaf_hex(const struct ld_entry *e, char out[65])
{
	struct wbuf	 w;
	uint8_t		*buf, md[32];
	unsigned int	 mdlen = 0;
	int		 i;

	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, e), 0);
	buf = malloc(w.len + 1);
	assert_non_null(buf);
	buf[0] = 0x00;
	memcpy(buf + 1, w.data, w.len);
	assert_int_equal(EVP_Digest(buf, w.len + 1, md, &mdlen, EVP_sha256(),
	    NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	free(buf);
	wbuf_free(&w);
}

static void
test_json_disbursement(void **state)
{
	struct ld_entry	 e;
	char		 want[1024], hex[65], *s;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.seq = 12;
	e.kind = LD_K_DISBURSEMENT;
	strcpy(e.region, "hakodate");
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.amount = 50000000;
	strcpy(e.ref, "V-0042");
	e.date = 20130630;
	strcpy(e.memo, "概算払 \"第1回\"");
	strcpy(e.id, "pay-42");
	strcpy(e.actor, "clerk01");
	e.recorded_at = INT64_C(1795874400123456);	/* 2026-11-28T14:00:00.123456Z */
	leaf_hex(&e, hex);
	snprintf(want, sizeof(want),
	    "{\"seq\":12,\"kind\":\"disbursement\",\"region\":\"hakodate\","
	    "\"fy\":2013,\"account\":\"general\",\"amount\":50000000,"
	    "\"ref\":\"V-0042\",\"date\":\"2013-06-30\","
	    "\"memo\":\"概算払 \\\"第1回\\\"\",\"id\":\"pay-42\","
	    "\"actor\":\"clerk01\",\"recorded_at\":\"2026-11-28T14:00:00.123456Z\","
	    "\"leaf_hash\":\"%s\",\"duplicate\":false}", hex);
	s = entry_line(&e, 0);
	assert_string_equal(s, want);
	free(s);

	/* Empty memo and id are omitted; a duplicate says so. */
	e.memo[0] = '\0';
	e.id[0] = '\0';
	leaf_hex(&e, hex);
	snprintf(want, sizeof(want),
	    "{\"seq\":12,\"kind\":\"disbursement\",\"region\":\"hakodate\","
	    "\"fy\":2013,\"account\":\"general\",\"amount\":50000000,"
	    "\"ref\":\"V-0042\",\"date\":\"2013-06-30\","
	    "\"actor\":\"clerk01\",\"recorded_at\":\"2026-11-28T14:00:00.123456Z\","
	    "\"leaf_hash\":\"%s\",\"duplicate\":true}", hex);
	s = entry_line(&e, 1);
	assert_string_equal(s, want);
	free(s);
}

static void
test_json_other_kinds(void **state)
{
	struct ld_entry	 e;
	char		 want[1024], hex[65], *s;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.seq = 1;
	e.kind = LD_K_REGION;
	strcpy(e.region, "iwate");
	strcpy(e.name, "いわて");
	e.grant_type = LD_G_RECONSTRUCTION;
	strcpy(e.actor, "admin01");
	e.recorded_at = 0;
	leaf_hex(&e, hex);
	snprintf(want, sizeof(want),
	    "{\"seq\":1,\"kind\":\"region\",\"region\":\"iwate\","
	    "\"account\":\"reconstruction\",\"actor\":\"admin01\","
	    "\"recorded_at\":\"1970-01-01T00:00:00.000000Z\",\"leaf_hash\":\"%s\","
	    "\"code\":\"iwate\",\"name\":\"いわて\",\"grant_type\":\"reconstruction\","
	    "\"category\":\"\"}", hex);
	s = entry_line(&e, -1);
	assert_string_equal(s, want);
	free(s);

	memset(&e, 0, sizeof(e));
	e.seq = 9;
	e.kind = LD_K_REVERSAL;
	e.reverses = 2;
	e.target_kind = LD_K_APPROPRIATION;
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.amount = 7;
	strcpy(e.reason, "typo");
	strcpy(e.actor, "admin01");
	leaf_hex(&e, hex);
	snprintf(want, sizeof(want),
	    "{\"seq\":9,\"kind\":\"reversal\",\"fy\":2013,\"account\":\"general\","
	    "\"amount\":7,\"actor\":\"admin01\","
	    "\"recorded_at\":\"1970-01-01T00:00:00.000000Z\",\"leaf_hash\":\"%s\","
	    "\"reverses\":2,\"target_kind\":\"appropriation\",\"reason\":\"typo\"}",
	    hex);
	s = entry_line(&e, -1);
	assert_string_equal(s, want);
	free(s);

	memset(&e, 0, sizeof(e));
	e.seq = 30;
	e.kind = LD_K_YEAR_CLOSE;
	e.account = LD_A_RECONSTRUCTION;
	e.fy = 2013;
	e.appropriated = 1505000000;
	e.awarded = 1500000000;
	e.disbursed = 900;
	e.refunded = 100;
	e.net = 800;
	strcpy(e.actor, "admin01");
	/* A version 1 ledger's year_close sealed only the version 1 totals. */
	e.format = LD_ENTRY_FORMAT_V1;
	leaf_hex(&e, hex);
	snprintf(want, sizeof(want),
	    "{\"seq\":30,\"kind\":\"year_close\",\"fy\":2013,"
	    "\"account\":\"reconstruction\",\"actor\":\"admin01\","
	    "\"recorded_at\":\"1970-01-01T00:00:00.000000Z\",\"leaf_hash\":\"%s\","
	    "\"appropriated\":1505000000,\"awarded\":1500000000,"
	    "\"disbursed\":900,\"refunded\":100,\"net\":800}", hex);
	s = entry_line(&e, -1);
	assert_string_equal(s, want);
	free(s);

	/* Format 2 adds the budget execution; a rate over no budget is null. */
	e.format = 0;
	e.carried_in = 0;
	e.budget = 0;
	e.carried_out = 0;
	e.unused = 0;
	e.receipts = 12;
	e.execution_rate_bp = -1;
	leaf_hex(&e, hex);
	snprintf(want, sizeof(want),
	    "{\"seq\":30,\"kind\":\"year_close\",\"fy\":2013,"
	    "\"account\":\"reconstruction\",\"actor\":\"admin01\","
	    "\"recorded_at\":\"1970-01-01T00:00:00.000000Z\",\"leaf_hash\":\"%s\","
	    "\"appropriated\":1505000000,\"awarded\":1500000000,"
	    "\"disbursed\":900,\"refunded\":100,\"net\":800,"
	    "\"carried_in\":0,\"budget\":0,\"carried_out\":0,\"unused\":0,"
	    "\"receipts\":12,\"execution_rate_bp\":null}", hex);
	s = entry_line(&e, -1);
	assert_string_equal(s, want);
	free(s);
	e.appropriated = 1000;
	e.carried_in = 200;
	e.budget = 1200;
	e.carried_out = 100;
	e.unused = 300;
	e.execution_rate_bp = 6666;
	s = entry_line(&e, -1);
	assert_non_null(strstr(s, "\"carried_in\":200,\"budget\":1200,"
	    "\"carried_out\":100,\"unused\":300,\"receipts\":12,"
	    "\"execution_rate_bp\":6666}"));
	free(s);
}

static char *
dump(json_t *obj)
{
	char	*s;

	assert_non_null(obj);
	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	return s;
}

static void
test_json_region_balance_error(void **state)
{
	struct ld_entry		 e;
	struct ld_acct_bal	 ab;
	struct ld_region_bal	 rb;
	char			*s;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.seq = 3;
	e.kind = LD_K_REGION;
	strcpy(e.region, "hakodate");
	strcpy(e.name, "函館");
	e.grant_type = LD_G_CONTINUING;
	strcpy(e.category, "国際競争力強化地域");
	s = dump(out_region_json(&e));
	assert_string_equal(s, "{\"code\":\"hakodate\",\"name\":\"函館\","
	    "\"grant_type\":\"continuing\",\"account\":\"general\","
	    "\"category\":\"国際競争力強化地域\",\"seq\":3}");
	free(s);

	memset(&ab, 0, sizeof(ab));
	ab.account = LD_A_GENERAL;
	ab.fy = 2013;
	ab.appropriated = 1000;
	ab.awarded = 600;
	ab.disbursed = 500;
	ab.refunded = 20;
	ab.closed = 1;
	ab.carried_in = 250;
	ab.carried_out = 30;
	ab.receipts = 7;
	s = dump(out_acct_bal_json(&ab));
	assert_string_equal(s, "{\"account\":\"general\",\"fy\":2013,"
	    "\"appropriated\":1000,\"awarded\":600,\"disbursed\":500,"
	    "\"refunded\":20,\"net\":480,\"unawarded\":400,\"closed\":true,"
	    "\"carried_in\":250,\"budget\":1250,\"carried_out\":30,"
	    "\"unused\":740,\"receipts\":7,\"execution_rate_bp\":3840}");
	free(s);
	/* No budget: no rate. */
	memset(&ab, 0, sizeof(ab));
	ab.account = LD_A_RECONSTRUCTION;
	ab.fy = 2014;
	s = dump(out_acct_bal_json(&ab));
	assert_non_null(strstr(s, "\"budget\":0,\"carried_out\":0,"
	    "\"unused\":0,\"receipts\":0,\"execution_rate_bp\":null}"));
	free(s);

	memset(&rb, 0, sizeof(rb));
	strcpy(rb.region, "sendai");
	rb.fy = 2013;
	rb.grant_type = LD_G_RECONSTRUCTION;
	rb.account = LD_A_RECONSTRUCTION;
	rb.award = 300000000;
	rb.award_seq = 5;
	rb.disbursed = 100000000;
	rb.refunded = 1;
	s = dump(out_region_bal_json(&rb));
	assert_string_equal(s, "{\"region\":\"sendai\",\"fy\":2013,"
	    "\"grant_type\":\"reconstruction\",\"account\":\"reconstruction\","
	    "\"award\":300000000,\"disbursed\":100000000,\"refunded\":1,"
	    "\"net\":99999999,\"remaining\":200000001,\"settled\":null,"
	    "\"carried_in\":0,\"carried_out\":0,\"receivable_outstanding\":0,"
	    "\"execution_rate_bp\":3333}");
	free(s);
	/* Settled below net paid, with a repayment outstanding. */
	rb.settled_set = 1;
	rb.settled = 90000000;
	rb.has_order = 1;
	rb.receivable = 10012345;
	rb.carried_out = 0;
	s = dump(out_region_bal_json(&rb));
	assert_non_null(strstr(s, "\"remaining\":-9999999,\"settled\":90000000,"
	    "\"carried_in\":0,\"carried_out\":0,"
	    "\"receivable_outstanding\":10012345,\"execution_rate_bp\":3333}"));
	free(s);
	/* Cancelled: no award, so no rate. */
	rb.award = 0;
	rb.cancelled = 1;
	s = dump(out_region_bal_json(&rb));
	assert_non_null(strstr(s, "\"execution_rate_bp\":null}"));
	free(s);

	s = dump(out_error_json(LD_E_OVER_AWARD, "net disbursed would exceed"));
	assert_string_equal(s, "{\"error\":\"OVER_AWARD\","
	    "\"message\":\"net disbursed would exceed\"}");
	free(s);
}

static void
test_text_forms(void **state)
{
	struct ld_entry		 e;
	struct ld_acct_bal	 ab;
	struct disp		 en = DISP_DEFAULT;
	struct out_list		*l;
	json_t			*obj;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.seq = 4;
	e.kind = LD_K_AWARD;
	strcpy(e.region, "hakodate");
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.amount = 150000000;
	strcpy(e.ref, "K-1");
	strcpy(e.actor, "admin01");
	obj = out_entry_json(&e, (const uint8_t *)"x", 1);
	assert_non_null(obj);
	json_object_set_new(obj, "duplicate", json_true());
	f = open_memstream(&buf, &len);
	assert_int_equal(out_kv(f, obj), 0);
	memset(&ab, 0, sizeof(ab));
	ab.account = LD_A_RECONSTRUCTION;
	ab.fy = 2013;
	ab.appropriated = 1505000000;
	assert_int_equal(out_balances_table(f, &en, &ab, 1, NULL, 0, NULL), 0);
	l = out_list_new(f, &en);
	assert_non_null(l);
	assert_int_equal(out_list_add(l, &e, NULL), 0);
	assert_int_equal(out_list_end(l), 0);
	fclose(f);
	assert_non_null(strstr(buf, "seq: 4\nkind: award\nregion: hakodate\n"));
	assert_non_null(strstr(buf, "amount: 150,000,000\n"));
	assert_non_null(strstr(buf, "duplicate: yes\n"));
	assert_non_null(strstr(buf, "reconstruction  2013  1,505,000,000"));
	/* list: columns as wide as their contents, the mark column empty. */
	assert_non_null(strstr(buf, "SEQ  KIND   MARK  REGION    FY    ACCOUNT"));
	assert_non_null(strstr(buf, "  4  award        hakodate  2013  general"));
	free(buf);

	assert_int_equal(out_width("hakodate"), 8);
	assert_int_equal(out_width("函館市"), 6);
	assert_int_equal(out_width("ｶﾀｶﾅ"), 4);	/* half-width: one column */
}

/* ---- contract version 2: terms and the grant's life ------------------- */

static void
test_rate_parser(void **state)
{
	static const struct {
		const char	*in;
		uint32_t	 bp;
	} good[] = {
		{ "10.95", 1095 }, { "5", 500 }, { "0.5", 50 }, { "0", 0 },
		{ "0.05", 5 }, { "14.6", 1460 }, { "100", 10000 },
		{ "100.00", 10000 }, { "007.25", 725 }, { "2.60", 260 },
	};
	static const char *const bad[] = {
		"10.955", "-1", "abc", "100.01", "", "5.", ".5", "1e2", "10,95",
		" 5", "5 ", "+5", "10.9.5", "101", "99999999999999999999", "５",
		"10.95%",
	};
	char		 err[256];
	uint32_t	 bp;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		bp = 99999;
		if (arg_rate_bp("--interest-rate", good[i].in, &bp, err,
		    sizeof(err)) != 0 || bp != good[i].bp)
			fail_msg("'%s': want %u bp, got %u (%s)", good[i].in,
			    good[i].bp, bp, err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (arg_rate_bp("--late-rate", bad[i], &bp, err,
		    sizeof(err)) != -1)
			fail_msg("'%s' accepted as %u bp", bad[i], bp);
		if (strstr(err, "--late-rate") == NULL)
			fail_msg("'%s': message '%s' does not name the option",
			    bad[i], err);
	}
	assert_int_equal(arg_rate_bp("--late-rate", NULL, &bp, err,
	    sizeof(err)), -1);
}

static void
test_build_terms(void **state)
{
	struct ctl_args	 a;
	struct ld_entry	 req;
	char		 err[256];

	(void)state;
	/* Defaults: rates 10.95 %, deadline left to the daemon (0). */
	assert_int_equal(PARSE(&a, err, "terms", "set", "--fy", "H25",
	    "--grant-type", "general", "--min", "1億", "--max", "200,000,000",
	    "--ref", "T-1"), 0);
	assert_string_equal(a.cmd->sub, "set");
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_TERMS);
	assert_int_equal(req.fy, 2013);
	assert_int_equal(req.grant_type, LD_G_GENERAL);
	assert_int_equal(req.min, 100000000);
	assert_int_equal(req.max, 200000000);
	assert_int_equal(req.deadline, 0);
	assert_int_equal(req.interest_bp, 1095);
	assert_int_equal(req.late_bp, 1095);
	assert_string_equal(req.ref, "T-1");
	assert_int_equal(req.id[0], '\0');

	/* Everything given; the window's ends are inside it. */
	assert_int_equal(PARSE(&a, err, "terms", "set", "--fy", "2013",
	    "--grant-type", "reconstruction", "--min", "2.5億", "--max", "5億",
	    "--settlement-deadline", "2014-05-31", "--interest-rate", "5",
	    "--late-rate=14.6", "--ref", "T-2", "--id", "t-2"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.grant_type, LD_G_RECONSTRUCTION);
	assert_int_equal(req.min, 250000000);
	assert_int_equal(req.max, 500000000);
	assert_int_equal(req.deadline, 20140531);
	assert_int_equal(req.interest_bp, 500);
	assert_int_equal(req.late_bp, 1460);
	assert_string_equal(req.id, "t-2");
	assert_int_equal(PARSE(&a, err, "terms", "set", "--fy", "2013",
	    "--grant-type", "general", "--min", "1", "--max", "1",
	    "--settlement-deadline", "2014-04-01", "--ref", "T"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.deadline, 20140401);

	/* continuing may go without a range, or have one. */
	assert_int_equal(PARSE(&a, err, "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--interest-rate", "0", "--ref",
	    "T-3"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.min, 0);
	assert_int_equal(req.max, 0);
	assert_int_equal(req.interest_bp, 0);
	assert_int_equal(req.late_bp, 1095);
	assert_int_equal(PARSE(&a, err, "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--min", "5", "--max", "6", "--ref",
	    "T-3"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);

	/* The request encodes. */
	{
		struct wbuf	 w;

		wbuf_init(&w);
		assert_int_equal(msg_encode_write(&w, &req), 0);
		wbuf_free(&w);
	}
}

static void
test_build_lifecycle(void **state)
{
	struct ctl_args	 a;
	struct ld_entry	 req;
	struct wbuf	 w;
	char		 err[256];

	(void)state;
	assert_int_equal(PARSE(&a, err, "cancel-award", "--region", "hakodate",
	    "--fy", "2013", "--date", "2014-02-01", "--reason", "目的外使用",
	    "--repay-by", "2014-03-31", "--ref", "C-1", "--id", "c-1"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_AWARD_CANCEL);
	assert_string_equal(req.region, "hakodate");
	assert_int_equal(req.fy, 2013);
	assert_int_equal(req.date, 20140201);
	assert_int_equal(req.repay_by, 20140331);
	assert_string_equal(req.reason, "目的外使用");
	assert_string_equal(req.ref, "C-1");
	assert_int_equal(req.amount, 0);
	wbuf_init(&w);
	assert_int_equal(msg_encode_write(&w, &req), 0);
	wbuf_free(&w);

	/* Without --repay-by: 0, no order (the daemon decides if one is due). */
	assert_int_equal(PARSE(&a, err, "settle", "--region", "sendai", "--fy",
	    "R1", "--amount", "1億", "--date", "2020-06-30", "--ref", "S-1"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_SETTLEMENT);
	assert_int_equal(req.fy, 2019);
	assert_int_equal(req.amount, 100000000);
	assert_int_equal(req.date, 20200630);
	assert_int_equal(req.repay_by, 0);
	assert_int_equal(PARSE(&a, err, "settle", "--region", "sendai", "--fy",
	    "R1", "--amount", "1億", "--date", "2020-06-30", "--ref", "S-1",
	    "--repay-by", "2020-02-30"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--repay-by"));

	assert_int_equal(PARSE(&a, err, "receive", "--region", "sendai", "--fy",
	    "2019", "--amount", "1,234", "--date", "2020-08-01", "--ref",
	    "R-1"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_RECEIPT);
	assert_int_equal(req.amount, 1234);
	assert_int_equal(req.date, 20200801);
	wbuf_init(&w);
	assert_int_equal(msg_encode_write(&w, &req), 0);
	wbuf_free(&w);

	assert_int_equal(PARSE(&a, err, "carry-over", "--region", "sendai",
	    "--fy", "2013", "--amount", "5000万", "--kind", "accident", "--date",
	    "2014-03-31", "--ref", "K-1"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.kind, LD_K_CARRY_OVER);
	assert_int_equal(req.carry_kind, LD_C_ACCIDENT);
	assert_int_equal(req.amount, 50000000);
	assert_int_equal(PARSE(&a, err, "carry-over", "--region", "sendai",
	    "--fy", "2013", "--amount", "1", "--kind", "explicit", "--date",
	    "2014-03-31", "--ref", "K-1"), 0);
	assert_int_equal(cmd_build_write(&a, &req, err, sizeof(err)), 0);
	assert_int_equal(req.carry_kind, LD_C_EXPLICIT);
	wbuf_init(&w);
	assert_int_equal(msg_encode_write(&w, &req), 0);
	wbuf_free(&w);

	/* Options of one command are unknown to another. */
	assert_int_equal(PARSE(&a, err, "receive", "--region", "x", "--fy",
	    "2013", "--amount", "1", "--date", "2014-01-01", "--ref", "r",
	    "--repay-by", "2014-02-01"), -1);
	assert_non_null(strstr(err, "unknown option --repay-by"));
	assert_int_equal(PARSE(&a, err, "terms", "--fy", "2013"), -1);
	assert_non_null(strstr(err, "'terms' needs a subcommand: set, show"));
}

static void
test_build_reads_v2(void **state)
{
	struct ctl_args			 a;
	struct msg_receivables_req	 q;
	struct msg_list			 l;
	char				 err[256];

	(void)state;
	/* --as-of defaults to the date in Japan: 15:00 UTC is midnight JST. */
	assert_int_equal(PARSE(&a, err, "receivables"), 0);
	assert_int_equal(cmd_build_receivables(&a, 1796223599, &q, err,
	    sizeof(err)), 0);
	assert_int_equal(q.as_of, 20261202);
	assert_int_equal(q.fy, 0);
	assert_string_equal(q.region, "");
	assert_int_equal(cmd_build_receivables(&a, 1796223600, &q, err,
	    sizeof(err)), 0);
	assert_int_equal(q.as_of, 20261203);
	assert_int_equal(PARSE(&a, err, "receivables", "--fy", "H25",
	    "--region", "sendai", "--as-of", "2014-06-30"), 0);
	assert_int_equal(cmd_build_receivables(&a, 0, &q, err, sizeof(err)), 0);
	assert_int_equal(q.fy, 2013);
	assert_string_equal(q.region, "sendai");
	assert_int_equal(q.as_of, 20140630);
	assert_int_equal(PARSE(&a, err, "receivables", "--as-of", "today"), 0);
	assert_int_equal(cmd_build_receivables(&a, 0, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--as-of"));

	/* The new kinds are listable. */
	assert_int_equal(PARSE(&a, err, "list", "--kind", "carry_over"), 0);
	assert_int_equal(cmd_build_list(&a, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kind, LD_K_CARRY_OVER);
	assert_int_equal(PARSE(&a, err, "list", "--kind", "cancel"), 0);
	assert_int_equal(cmd_build_list(&a, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "award_cancel"));
}

/* The JST date and time do not depend on the machine's TZ. */
static void
test_jst(void **state)
{
	char	 ts[48];
	char	*old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

	(void)state;
	setenv("TZ", "America/Los_Angeles", 1);
	out_time_jst(INT64_C(1795874400123456), ts, sizeof(ts));
	assert_string_equal(ts, "2026-11-28T23:00:00.123456+09:00");
	/* Across a month's and a leap day's end. */
	assert_int_equal(ctl_date_jst(1388502000 - 1), 20131231);
	assert_int_equal(ctl_date_jst(1388502000), 20140101);
	assert_int_equal(ctl_date_jst(1709132400), 20240229);
	out_time_jst(0, ts, sizeof(ts));
	assert_string_equal(ts, "1970-01-01T09:00:00.000000+09:00");
	if (old != NULL) {
		setenv("TZ", old, 1);
		free(old);
	} else
		unsetenv("TZ");
}

/* Exit 2 and "ledgerctl: usage:" naming needle, with a server that is down. */
#define V2_USAGE(needle, ...) \
	expect_usage(RUN(__VA_ARGS__, "--server", closed_server, "--ca", \
	    ca_path), (needle))

static void
test_main_v2_usage(void **state)
{
	struct run	 r;

	(void)state;
	/* terms set: both or neither, a range for general/reconstruction. */
	V2_USAGE("--min and --max go together", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--min", "1", "--ref", "T");
	V2_USAGE("--min and --max go together", "terms", "set", "--fy", "2013",
	    "--grant-type", "general", "--max", "2億", "--ref", "T");
	V2_USAGE("general needs a range", "terms", "set", "--fy", "2013",
	    "--grant-type", "general", "--ref", "T");
	V2_USAGE("reconstruction needs a range", "terms", "set", "--fy", "2013",
	    "--grant-type", "reconstruction", "--ref", "T");
	V2_USAGE("--min 2億 is above --max 1億", "terms", "set", "--fy", "2013",
	    "--grant-type", "general", "--min", "2億", "--max", "1億", "--ref",
	    "T");
	V2_USAGE("--min", "terms", "set", "--fy", "2013", "--grant-type",
	    "general", "--min", "0", "--max", "1億", "--ref", "T");
	/* The deadline's window is [(fy+1)-04-01, (fy+1)-05-31]. */
	V2_USAGE("--settlement-deadline", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--settlement-deadline", "2014-03-31",
	    "--ref", "T");
	V2_USAGE("--settlement-deadline", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--settlement-deadline", "2014-06-01",
	    "--ref", "T");
	V2_USAGE("--settlement-deadline", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--settlement-deadline", "2013-04-30",
	    "--ref", "T");
	V2_USAGE("--settlement-deadline", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--settlement-deadline", "2014/02/30",
	    "--ref", "T");
	/* Rates. */
	V2_USAGE("--interest-rate: '10.955'", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--interest-rate", "10.955", "--ref",
	    "T");
	V2_USAGE("--interest-rate: '-1'", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--interest-rate", "-1", "--ref", "T");
	V2_USAGE("--late-rate: 'abc'", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing", "--late-rate", "abc", "--ref", "T");
	V2_USAGE("--late-rate: '100.01' is more than 100", "terms", "set",
	    "--fy", "2013", "--grant-type", "continuing", "--late-rate",
	    "100.01", "--ref", "T");
	V2_USAGE("missing --ref", "terms", "set", "--fy", "2013",
	    "--grant-type", "continuing");
	V2_USAGE("--grant-type", "terms", "set", "--fy", "2013",
	    "--grant-type", "special", "--ref", "T");
	V2_USAGE("--fy", "terms", "show", "--fy", "H99");
	/* The grant's life. */
	V2_USAGE("missing --date", "award", "--region", "hakodate", "--fy",
	    "2013", "--amount", "1億", "--ref", "K");
	V2_USAGE("--date", "award", "--region", "hakodate", "--fy", "2013",
	    "--amount", "1億", "--ref", "K", "--date", "2013-13-01");
	V2_USAGE("--kind: 'explicitly' is not a carry-over kind", "carry-over",
	    "--region", "x", "--fy", "2013", "--amount", "1", "--kind",
	    "explicitly", "--date", "2014-03-01", "--ref", "K");
	V2_USAGE("missing --kind", "carry-over", "--region", "x", "--fy",
	    "2013", "--amount", "1", "--date", "2014-03-01", "--ref", "K");
	V2_USAGE("missing --reason", "cancel-award", "--region", "x", "--fy",
	    "2013", "--date", "2014-01-01", "--ref", "C");
	V2_USAGE("--reason", "cancel-award", "--region", "x", "--fy", "2013",
	    "--date", "2014-01-01", "--reason", "", "--ref", "C");
	V2_USAGE("--repay-by", "cancel-award", "--region", "x", "--fy", "2013",
	    "--date", "2014-01-01", "--reason", "r", "--repay-by", "soon",
	    "--ref", "C");
	V2_USAGE("--amount", "settle", "--region", "x", "--fy", "2013",
	    "--amount", "0", "--date", "2014-06-01", "--ref", "S");
	V2_USAGE("missing --date", "receive", "--region", "x", "--fy", "2013",
	    "--amount", "1", "--ref", "R");
	V2_USAGE("--as-of", "receivables", "--as-of", "2014-02-30");
	V2_USAGE("--region", "receivables", "--region", "Sendai");

	/* Valid lines get as far as the connection: exit 3, not 2. */
	r = RUN("terms", "set", "--fy", "2013", "--grant-type", "general",
	    "--min", "1億", "--max", "2億", "--settlement-deadline",
	    "2014-05-31", "--interest-rate", "10.95", "--late-rate", "100",
	    "--ref", "T", "--server", closed_server, "--ca", ca_path);
	assert_int_equal(r.rc, 3);
	run_free(&r);
	r = RUN("--json", "receivables", "--server", closed_server, "--ca",
	    ca_path);
	assert_int_equal(r.rc, 3);
	run_free(&r);
	r = RUN("terms", "show", "--server", closed_server, "--ca", ca_path);
	assert_int_equal(r.rc, 3);
	run_free(&r);

	/* help lists the new commands. */
	r = RUN("help");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "ledgerctl terms set --fy FY"));
	assert_non_null(strstr(r.out, "ledgerctl terms show [--fy FY]"));
	assert_non_null(strstr(r.out, "ledgerctl cancel-award --region CODE"));
	assert_non_null(strstr(r.out, "ledgerctl settle --region CODE"));
	assert_non_null(strstr(r.out, "ledgerctl receive --region CODE"));
	assert_non_null(strstr(r.out, "ledgerctl carry-over --region CODE"));
	assert_non_null(strstr(r.out, "ledgerctl receivables [--fy FY]"));
	assert_non_null(strstr(r.out, "award --region CODE --fy FY --amount AMT "
	    "--ref REF --date DATE"));
	run_free(&r);
}

/* An entry of e's kind with the fields every entry has. */
static void
v2_entry(struct ld_entry *e, uint64_t seq, int kind)
{
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->kind = (uint8_t)kind;
	if (kind != LD_K_TERMS)
		strcpy(e->region, "sendai");
	e->account = LD_A_RECONSTRUCTION;
	e->fy = 2013;
	strcpy(e->actor, kind == LD_K_RECEIPT ? "clerk01" : "admin01");
	e->recorded_at = INT64_C(1795874400123456);
}

/*
 * entry_line(e) must start with head and end with tail, the kind's own
 * fields after leaf_hash ("}" when there are none).
 */
static void
expect_entry(const struct ld_entry *e, const char *head, const char *tail)
{
	char	*s = entry_line(e, -1), *p;

	if (strncmp(s, head, strlen(head)) != 0)
		fail_msg("want it to start with\n%s\ngot\n%s", head, s);
	p = strstr(s, "\"leaf_hash\":\"");
	assert_non_null(p);
	p += strlen("\"leaf_hash\":\"") + 64 + 1;
	if (*p == ',')
		p++;
	if (strcmp(p, tail) != 0)
		fail_msg("want it to end with\n%s\ngot\n%s", tail, s);
	free(s);
}

static void
test_json_v2_kinds(void **state)
{
	struct ld_entry		 e;
	struct msg_receivable	 v;
	char			*s;

	(void)state;
	v2_entry(&e, 40, LD_K_TERMS);
	e.grant_type = LD_G_RECONSTRUCTION;
	e.min = 250000000;
	e.max = 500000000;
	e.deadline = 20140430;
	e.interest_bp = 1095;
	e.late_bp = 500;
	strcpy(e.ref, "T-1");
	expect_entry(&e, "{\"seq\":40,\"kind\":\"terms\",\"fy\":2013,"
	    "\"account\":\"reconstruction\",\"ref\":\"T-1\",\"actor\":\"admin01\","
	    "\"recorded_at\":\"2026-11-28T14:00:00.123456Z\",",
	    "\"grant_type\":\"reconstruction\",\"min\":250000000,"
	    "\"max\":500000000,\"settlement_deadline\":\"2014-04-30\","
	    "\"interest_rate_bp\":1095,\"late_rate_bp\":500}");
	/* No range: both null. */
	e.min = e.max = 0;
	expect_entry(&e, "{\"seq\":40,\"kind\":\"terms\",",
	    "\"grant_type\":\"reconstruction\",\"min\":null,\"max\":null,"
	    "\"settlement_deadline\":\"2014-04-30\",\"interest_rate_bp\":1095,"
	    "\"late_rate_bp\":500}");

	v2_entry(&e, 41, LD_K_AWARD);
	e.amount = 300000000;
	e.date = 20130515;
	strcpy(e.ref, "K-1");
	expect_entry(&e, "{\"seq\":41,\"kind\":\"award\",\"region\":\"sendai\","
	    "\"fy\":2013,\"account\":\"reconstruction\",\"amount\":300000000,"
	    "\"ref\":\"K-1\",\"date\":\"2013-05-15\",\"actor\":\"admin01\",", "}");
	/* A version 1 award has no decision date. */
	e.format = LD_ENTRY_FORMAT_V1;
	e.date = 0;
	expect_entry(&e, "{\"seq\":41,\"kind\":\"award\",\"region\":\"sendai\","
	    "\"fy\":2013,\"account\":\"reconstruction\",\"amount\":300000000,"
	    "\"ref\":\"K-1\",\"actor\":\"admin01\",", "}");

	v2_entry(&e, 42, LD_K_AWARD_CANCEL);
	e.amount = 300000000;
	e.date = 20140110;
	e.repay_by = 20140228;
	e.principal = 5000;
	strcpy(e.reason, "目的外使用");
	strcpy(e.ref, "C-1");
	strcpy(e.id, "c-1");
	expect_entry(&e, "{\"seq\":42,\"kind\":\"award_cancel\",\"region\":\"sendai\","
	    "\"fy\":2013,\"account\":\"reconstruction\",\"amount\":300000000,"
	    "\"ref\":\"C-1\",\"date\":\"2014-01-10\",\"id\":\"c-1\",",
	    "\"repay_by\":\"2014-02-28\",\"reason\":\"目的外使用\","
	    "\"principal\":5000}");
	/* Nothing paid: no order, no repay_by, principal 0. */
	e.repay_by = 0;
	e.principal = 0;
	expect_entry(&e, "{\"seq\":42,\"kind\":\"award_cancel\",",
	    "\"reason\":\"目的外使用\",\"principal\":0}");

	v2_entry(&e, 43, LD_K_SETTLEMENT);
	e.amount = 280000000;
	e.date = 20140615;
	e.repay_by = 20140731;
	e.principal = 20000000;
	strcpy(e.ref, "S-1");
	expect_entry(&e, "{\"seq\":43,\"kind\":\"settlement\",\"region\":\"sendai\","
	    "\"fy\":2013,\"account\":\"reconstruction\",\"amount\":280000000,"
	    "\"ref\":\"S-1\",\"date\":\"2014-06-15\",\"actor\":\"admin01\",",
	    "\"repay_by\":\"2014-07-31\",\"principal\":20000000}");

	v2_entry(&e, 44, LD_K_RECEIPT);
	e.amount = 20100000;
	e.date = 20140801;
	e.principal = 20000000;
	e.interest = 95000;
	e.late = 5000;
	strcpy(e.ref, "R-1");
	expect_entry(&e, "{\"seq\":44,\"kind\":\"receipt\",\"region\":\"sendai\","
	    "\"fy\":2013,\"account\":\"reconstruction\",\"amount\":20100000,"
	    "\"ref\":\"R-1\",\"date\":\"2014-08-01\",\"actor\":\"clerk01\",",
	    "\"principal\":20000000,\"interest\":95000,\"late_charge\":5000}");

	v2_entry(&e, 45, LD_K_CARRY_OVER);
	e.amount = 40000000;
	e.carry_kind = LD_C_EXPLICIT;
	e.date = 20140325;
	strcpy(e.ref, "CO-1");
	expect_entry(&e, "{\"seq\":45,\"kind\":\"carry_over\",\"region\":\"sendai\","
	    "\"fy\":2013,\"account\":\"reconstruction\",\"amount\":40000000,"
	    "\"ref\":\"CO-1\",\"date\":\"2014-03-25\",\"actor\":\"admin01\",",
	    "\"carry_kind\":\"explicit\"}");

	/* A reversed receipt shows like any reversal. */
	v2_entry(&e, 46, LD_K_REVERSAL);
	e.reverses = 44;
	e.target_kind = LD_K_RECEIPT;
	e.amount = 20100000;
	strcpy(e.reason, "誤入金");
	expect_entry(&e, "{\"seq\":46,\"kind\":\"reversal\",\"region\":\"sendai\","
	    "\"fy\":2013,\"account\":\"reconstruction\",\"amount\":20100000,"
	    "\"actor\":\"admin01\",",
	    "\"reverses\":44,\"target_kind\":\"receipt\",\"reason\":\"誤入金\"}");

	memset(&v, 0, sizeof(v));
	strcpy(v.region, "sendai");
	v.fy = 2013;
	v.account = LD_A_RECONSTRUCTION;
	v.order_seq = 43;
	v.repay_by = 20140731;
	v.principal = 20000000;
	v.principal_paid = 5000000;
	v.interest = 1234;
	v.late_charge = 56;
	v.paid_charges = 0;
	v.outstanding = 15001290;
	s = dump(out_receivable_json(&v, 20141001));
	assert_string_equal(s, "{\"region\":\"sendai\",\"fy\":2013,"
	    "\"account\":\"reconstruction\",\"principal\":20000000,"
	    "\"principal_paid\":5000000,\"interest\":1234,\"late_charge\":56,"
	    "\"paid_charges\":0,\"outstanding\":15001290,"
	    "\"repay_by\":\"2014-07-31\",\"as_of\":\"2014-10-01\","
	    "\"order_seq\":43}");
	free(s);
}

/* What fn printed into a memory stream; caller frees. */
static char *
text_of(void (*fn)(FILE *))
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f);
	fclose(f);
	return buf;
}

static void
print_v2_text(FILE *f)
{
	struct ld_entry		 e, t[2];
	struct ld_acct_bal	 ab;
	struct ld_region_bal	 rb;
	struct disp		 en = DISP_DEFAULT;
	struct out_list		*l;
	struct msg_receivable	 v;

	/* A receipt as `get` prints it, recorded_at in JST. */
	v2_entry(&e, 44, LD_K_RECEIPT);
	e.amount = 20100000;
	e.date = 20140801;
	e.principal = 20000000;
	e.interest = 95000;
	e.late = 5000;
	strcpy(e.ref, "R-1");
	assert_int_equal(out_entry_kv(f, &e, out_entry_json(&e,
	    (const uint8_t *)"x", 1)), 0);
	l = out_list_new(f, &en);
	assert_non_null(l);
	assert_int_equal(out_list_add(l, &e, NULL), 0);
	assert_int_equal(out_list_end(l), 0);

	v2_entry(&t[0], 40, LD_K_TERMS);
	t[0].grant_type = LD_G_GENERAL;
	t[0].account = LD_A_GENERAL;
	t[0].min = 100000000;
	t[0].max = 200000000;
	t[0].deadline = 20140430;
	t[0].interest_bp = 1095;
	t[0].late_bp = 1095;
	strcpy(t[0].ref, "T-1");
	t[1] = t[0];
	t[1].seq = 41;
	t[1].grant_type = LD_G_CONTINUING;
	t[1].min = t[1].max = 0;
	t[1].interest_bp = 50;
	l = out_list_new(f, &en);
	assert_non_null(l);
	assert_int_equal(out_list_add(l, &t[0], NULL), 0);
	assert_int_equal(out_list_end(l), 0);
	assert_int_equal(out_terms_table(f, &en, t, 2), 0);
	assert_int_equal(out_kv(f, out_entry_json(&t[0], (const uint8_t *)"x",
	    1)), 0);

	memset(&ab, 0, sizeof(ab));
	ab.account = LD_A_RECONSTRUCTION;
	ab.fy = 2013;
	ab.appropriated = 1505000000;
	ab.awarded = 300000000;
	ab.disbursed = 120000000;
	ab.carried_in = 5000000;
	ab.carried_out = 40000000;
	memset(&rb, 0, sizeof(rb));
	strcpy(rb.region, "sendai");
	rb.fy = 2013;
	rb.grant_type = LD_G_RECONSTRUCTION;
	rb.account = LD_A_RECONSTRUCTION;
	rb.award = 300000000;
	rb.award_date = 20130515;
	rb.disbursed = 120000000;
	rb.settled_set = 1;
	rb.settled = 100000000;
	rb.has_order = 1;
	rb.receivable = 20012345;
	assert_int_equal(out_balances_table(f, &en, &ab, 1, &rb, 1, NULL), 0);

	memset(&v, 0, sizeof(v));
	strcpy(v.region, "sendai");
	v.fy = 2013;
	v.account = LD_A_RECONSTRUCTION;
	v.order_seq = 43;
	v.repay_by = 20140731;
	v.principal = 20000000;
	v.outstanding = 20012345;
	v.interest = 12345;
	assert_int_equal(out_receivables_table(f, &en, &v, 1, 20141001), 0);
	assert_int_equal(out_receivables_table(f, &en, NULL, 0, 20141001), 0);
}

static void
test_text_v2(void **state)
{
	char	*buf = text_of(print_v2_text), *line;
	size_t	 w;

	(void)state;
	assert_non_null(strstr(buf, "recorded_at: 2026-11-28T23:00:00.123456+09:00\n"));
	assert_non_null(strstr(buf, "principal: 20,000,000\ninterest: 95,000\n"
	    "late_charge: 5,000\n"));
	assert_non_null(strstr(buf, "principal 20,000,000, interest 95,000, "
	    "late charge 5,000"));
	assert_non_null(strstr(buf, "general 100,000,000-200,000,000, deadline "
	    "2014-04-30, interest 10.95%, late 10.95%"));
	/* terms show: a range or dashes, rates in percent. */
	assert_non_null(strstr(buf, "100,000,000  200,000,000  2014-04-30"
	    "    10.95%  10.95%  T-1\n"));
	assert_non_null(strstr(buf, "continuing  general            -"
	    "            -  2014-04-30     0.50%  10.95%  T-1\n"));
	assert_non_null(strstr(buf, "interest_rate_bp: 1095 (10.95%)\n"));
	assert_non_null(strstr(buf, "min: 100,000,000\n"));
	/* Balances: budget = appropriated + carried in; rate = net / budget. */
	assert_non_null(strstr(buf, "1,510,000,000"));
	assert_non_null(strstr(buf, "1,350,000,000"));	/* unused */
	assert_non_null(strstr(buf, "7.94%"));
	assert_non_null(strstr(buf, "2013-05-15  settled  100,000,000"));
	assert_non_null(strstr(buf, "20,012,345  40.00%\n"));
	assert_non_null(strstr(buf, "receivables as of 2014-10-01 (JST)\n"));
	assert_non_null(strstr(buf, "no receivables as of 2014-10-01 (JST)\n"));
	/* Every table line fits in 120 columns. */
	for (line = buf; *line != '\0'; line += w + 1) {
		w = strcspn(line, "\n");
		/* The streamed list has fixed widths and free text last. */
		if (strncmp(line + strspn(line, " "), "44  receipt", 11) != 0 &&
		    strncmp(line + strspn(line, " "), "40  terms", 9) != 0 &&
		    w > 120)
			fail_msg("line wider than 120: %.*s", (int)w, line);
		if (line[w] == '\0')
			break;
	}
	free(buf);
}

static void
test_entry_answer_malformed(void **state)
{
	struct ld_entry	 e, d;
	struct wbuf	 w, ans;
	const uint8_t	*enc;
	size_t		 enclen;
	int		 dup;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.seq = 2;
	e.kind = LD_K_APPROPRIATION;
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.amount = 5;
	strcpy(e.ref, "b");
	strcpy(e.actor, "admin01");
	wbuf_init(&w);
	assert_int_equal(entry_encode(&w, &e), 0);
	wbuf_init(&ans);
	assert_int_equal(msg_encode_entry(&ans, 0, w.data, w.len), 0);
	assert_int_equal(ctl_entry_answer(ans.data, ans.len, &dup, &d, &enc,
	    &enclen), 0);
	/* Truncated, or a byte too many, or duplicate not 0/1. */
	assert_int_equal(ctl_entry_answer(ans.data, ans.len - 1, &dup, &d, &enc,
	    &enclen), -1);
	wbuf_u8(&ans, 0);
	assert_int_equal(ctl_entry_answer(ans.data, ans.len, &dup, &d, &enc,
	    &enclen), -1);
	ans.len--;
	ans.data[0] = 2;
	assert_int_equal(ctl_entry_answer(ans.data, ans.len, &dup, &d, &enc,
	    &enclen), -1);
	/* A length field claiming more than is there. */
	ans.data[0] = 0;
	ans.data[4]++;
	assert_int_equal(ctl_entry_answer(ans.data, ans.len, &dup, &d, &enc,
	    &enclen), -1);
	wbuf_free(&w);
	wbuf_free(&ans);
}

static void
test_split_server(void **state)
{
	char	 host[CTLCONN_HOST_MAX], port[CTLCONN_PORT_MAX];

	(void)state;
	assert_int_equal(ctlconn_split_server("127.0.0.1:7443", host, sizeof(host),
	    port, sizeof(port)), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "7443");
	assert_int_equal(ctlconn_split_server("[::1]:7443", host, sizeof(host),
	    port, sizeof(port)), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(ctlconn_split_server("ledger.example:1", host,
	    sizeof(host), port, sizeof(port)), 0);
	assert_string_equal(host, "ledger.example");
	assert_int_equal(ctlconn_split_server("::1:7443", host, sizeof(host), port,
	    sizeof(port)), -1);
	assert_int_equal(ctlconn_split_server("host", host, sizeof(host), port,
	    sizeof(port)), -1);
	assert_int_equal(ctlconn_split_server(":7443", host, sizeof(host), port,
	    sizeof(port)), -1);
	assert_int_equal(ctlconn_split_server("h:0", host, sizeof(host), port,
	    sizeof(port)), -1);
	assert_int_equal(ctlconn_split_server("h:65536", host, sizeof(host), port,
	    sizeof(port)), -1);
	assert_int_equal(ctlconn_split_server("h:74a", host, sizeof(host), port,
	    sizeof(port)), -1);
	assert_int_equal(ctlconn_split_server("[::1]7443", host, sizeof(host), port,
	    sizeof(port)), -1);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_parse_value_forms),
		cmocka_unit_test(test_parse_json_anywhere),
		cmocka_unit_test(test_parse_format_json),
		cmocka_unit_test(test_parse_globals),
		cmocka_unit_test(test_build_lookup),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_suggestions),
		cmocka_unit_test(test_parse_dashdash_and_help),
		cmocka_unit_test(test_build_award_values),
		cmocka_unit_test(test_build_payment),
		cmocka_unit_test(test_build_field_limits),
		cmocka_unit_test(test_build_reverse_close),
		cmocka_unit_test(test_build_reads),
		cmocka_unit_test(test_main_help_version),
		cmocka_unit_test(test_main_usage_before_connect),
		cmocka_unit_test(test_main_closed_port),
		cmocka_unit_test(test_server_list),
		cmocka_unit_test(test_build_cluster),
		cmocka_unit_test(test_json_disbursement),
		cmocka_unit_test(test_json_other_kinds),
		cmocka_unit_test(test_json_region_balance_error),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_entry_answer_malformed),
		cmocka_unit_test(test_rate_parser),
		cmocka_unit_test(test_build_terms),
		cmocka_unit_test(test_build_lifecycle),
		cmocka_unit_test(test_build_reads_v2),
		cmocka_unit_test(test_jst),
		cmocka_unit_test(test_main_v2_usage),
		cmocka_unit_test(test_json_v2_kinds),
		cmocka_unit_test(test_text_v2),
		cmocka_unit_test(test_split_server),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
