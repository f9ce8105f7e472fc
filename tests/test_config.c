/*
 * test_config.c - ledgerd.conf as an operator writes it, and as they mistype it.
 *
 * The shipped sample must parse to the contract's values; every class of
 * mistake must name the right line, because that line number is what the
 * operator will look at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "frame.h"

/* Minimal valid body; tests append or prepend to it. */
#define REQ_TLS \
	"[tls]\ncert = c.crt\nkey = c.key\nclient_ca = ca.crt\n"
#define REQ_LEDGER \
	"[ledger]\npath = ledger\ncheckpoint_key = ck.key\n"
#define REQ	REQ_TLS REQ_LEDGER

static struct config conf;	/* large: keep it off the stack */

static int
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return config_parse(text, strlen(text), "t.conf", "/etc/ledgerd",
	    &conf, err, errlen);
}

/* text must be refused with an error that starts with want. */
static void
refused(const char *text, const char *want)
{
	char err[512];

	if (parse(text, err, sizeof(err)) != -1)
		fail_msg("accepted:\n%s", text);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error '%s', want prefix '%s' for:\n%s", err, want,
		    text);
}

/* text must be refused with exactly want (file, line and reason). */
static void
refused_exactly(const char *text, const char *want)
{
	char err[512];

	if (parse(text, err, sizeof(err)) != -1)
		fail_msg("accepted:\n%s", text);
	if (strcmp(err, want) != 0)
		fail_msg("error '%s', want '%s' for:\n%s", err, want, text);
}

static void
accepted(const char *text)
{
	char err[512];

	if (parse(text, err, sizeof(err)) != 0)
		fail_msg("refused (%s):\n%s", err, text);
}

static char *
sample_path(void)
{
	static char path[PATH_MAX];
	const char *src = getenv("LD_SOURCE_DIR");

	if (src != NULL)
		snprintf(path, sizeof(path), "%s/conf/ledgerd.conf", src);
	else
		snprintf(path, sizeof(path), "%s/../conf/ledgerd.conf",
		    __FILE__);
	/* __FILE__ ends in test_config.c: turn ".../tests/test_config.c/.." */
	if (src == NULL) {
		char *t = strstr(path, "/test_config.c/../");

		if (t != NULL)
			memmove(t, t + strlen("/test_config.c"),
			    strlen(t + strlen("/test_config.c")) + 1);
	}
	return path;
}

static void
touch_in(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
}

static void
unlink_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
}

static void
test_sample(void **state)
{
	char err[512], dir[PATH_MAX], real[PATH_MAX], want[PATH_MAX + 64];
	char *slash;

	static char text[65536];
	size_t len;
	FILE *fp;

	(void)state;
	/* Parsed, not loaded: the sample's pki/ files do not exist here. */
	assert_non_null(realpath(sample_path(), real));
	snprintf(dir, sizeof(dir), "%s", real);
	slash = strrchr(dir, '/');
	assert_non_null(slash);
	*slash = '\0';
	fp = fopen(real, "rb");
	assert_non_null(fp);
	len = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	assert_true(len > 0 && len < sizeof(text));
	if (config_parse(text, len, real, dir, &conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(conf.path, real);

	assert_string_equal(conf.listen_host, "127.0.0.1");
	assert_string_equal(conf.listen_port, "7443");
	assert_int_equal(conf.max_connections, 1024);
	assert_int_equal(conf.idle_timeout_s, 300);
	assert_int_equal(conf.max_frame_bytes, 1048576);
	assert_string_equal(conf.user, "");
	snprintf(want, sizeof(want), "%s/pki/server.crt", dir);
	assert_string_equal(conf.tls_cert, want);
	snprintf(want, sizeof(want), "%s/pki/server.key", dir);
	assert_string_equal(conf.tls_key, want);
	snprintf(want, sizeof(want), "%s/pki/ca.crt", dir);
	assert_string_equal(conf.tls_client_ca, want);
	assert_string_equal(conf.tls_crl, "");
	snprintf(want, sizeof(want), "%s/ledger", dir);
	assert_string_equal(conf.ledger_path, want);
	assert_int_equal(conf.map_size_mb, 1024);
	snprintf(want, sizeof(want), "%s/pki/checkpoint.key", dir);
	assert_string_equal(conf.checkpoint_key, want);
	assert_string_equal(conf.checkpoint_origin, "ledgerd.local");
	assert_string_equal(conf.metrics_host, "127.0.0.1");
	assert_string_equal(conf.metrics_port, "9464");
	assert_int_equal(conf.nroles, 4);
	assert_int_equal(config_role(&conf, "admin01"), ROLE_ADMIN);
	assert_int_equal(config_role(&conf, "clerk01"), ROLE_CLERK);
	assert_int_equal(config_role(&conf, "auditor01"), ROLE_AUDITOR);
	assert_int_equal(config_role(&conf, "recon01"), ROLE_RECONCILER);
}

static void
test_defaults(void **state)
{
	(void)state;
	accepted(REQ);
	assert_string_equal(conf.listen_host, "127.0.0.1");
	assert_string_equal(conf.listen_port, "7443");
	assert_int_equal(conf.max_connections, 1024);
	assert_int_equal(conf.idle_timeout_s, 300);
	assert_int_equal(conf.max_frame_bytes, 1048576);
	assert_int_equal(conf.map_size_mb, 1024);
	assert_string_equal(conf.checkpoint_origin, "ledgerd.local");
	assert_string_equal(conf.metrics_host, "");
	assert_string_equal(conf.tls_crl, "");
	assert_string_equal(conf.user, "");
	assert_int_equal(conf.nroles, 0);
	assert_int_equal(config_role(&conf, "admin01"), ROLE_NONE);
}

static void
test_comment_rules(void **state)
{
	char err[512];

	(void)state;
	accepted("[server]   # trailing on a section\n"
	    "listen = 127.0.0.1:8443 # note\n"
	    "max_connections = 10\t; tab note\n"
	    "user = ledgerd ;note\n"
	    "   # indented\n"
	    "\t; indented with a tab\n"
	    "[ledger] ; x\n"
	    "path = /var/lib/ledgerd   #  spaced note\n"
	    "checkpoint_key = k.key\n"
	    "checkpoint_origin = a#b\n"
	    REQ_TLS);
	assert_string_equal(conf.listen_port, "8443");
	assert_int_equal(conf.max_connections, 10);
	assert_string_equal(conf.user, "ledgerd");
	assert_string_equal(conf.ledger_path, "/var/lib/ledgerd");
	assert_string_equal(conf.checkpoint_origin, "a#b");

	/* '#' or ';' without a blank before it belongs to the value. */
	accepted(REQ_LEDGER "[tls]\ncert = pki/a#b.crt\nkey = k;1\n"
	    "client_ca = ca.crt\n");
	assert_string_equal(conf.tls_cert, "/etc/ledgerd/pki/a#b.crt");
	assert_string_equal(conf.tls_key, "/etc/ledgerd/k;1");
	/* ... so a number followed directly by '#' is a bad number. */
	assert_int_equal(parse("[server]\nidle_timeout_s = 60#x\n" REQ, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:2:"));
	/* "key = # note" is an empty value. */
	accepted(REQ "[server]\nuser = # nobody\n");
	assert_string_equal(conf.user, "");
	refused(REQ "[server]\nmax_connections = # none\n", "t.conf:9:");
	/* A role CN may contain '#' too. */
	accepted(REQ "[roles]\nteam#1 = clerk # the clerk\n");
	assert_int_equal(config_role(&conf, "team#1"), ROLE_CLERK);
	/* Blanks around '=' and at both ends are trimmed. */
	accepted(REQ "[server]\n\t max_connections\t=\t7 \t\n");
	assert_int_equal(conf.max_connections, 7);
}

static void
test_line_numbers(void **state)
{
	(void)state;
	/* REQ is 7 lines, so the next line is line 8. */
	refused(REQ "[bogus]\n", "t.conf:8: unknown section [bogus]");
	refused(REQ "[server]\nlisten_addr = x\n",
	    "t.conf:9: unknown key 'listen_addr' in [server]");
	refused(REQ "[server]\nmax_connections = 1\n\nmax_connections = 2\n",
	    "t.conf:11: duplicate key 'max_connections'");
	refused("max_connections = 1\n" REQ, "t.conf:1: key 'max_connections' "
	    "outside any section");
	refused(REQ "[server]\nlisten\n", "t.conf:9: expected 'key = value'");
	refused(REQ "[server]\n= 5\n", "t.conf:9: missing key");
	refused(REQ "[server\n", "t.conf:8: malformed section header");
	refused(REQ "[server] x\n", "t.conf:8: malformed section header");
	refused(REQ "[ server ]\n", "t.conf:8: unknown section");
	refused(REQ "[tls]\n", "t.conf:8: duplicate section [tls]");
	refused(REQ "[tls]\ncert = again\n", "t.conf:8: duplicate section");
	refused(REQ_TLS "cert = x\n" REQ_LEDGER,
	    "t.conf:5: duplicate key 'cert'");
	refused(REQ "[Server]\n", "t.conf:8: unknown section [Server]");
	refused(REQ "[server]\nMax_connections = 1\n", "t.conf:9: unknown key");
	/* A key of one section is unknown in another. */
	refused(REQ "[server]\ncert = x\n", "t.conf:9: unknown key 'cert'");
	refused(REQ "[metrics]\nmax_connections = 1\n", "t.conf:9: unknown key");
}

static void
test_numbers(void **state)
{
	static const char *bad[] = {
		"-1", "+1", "1x", "0x10", "1 000", "1,000", "1_000", "1.0", "",
		"99999999999999999999999", "4294967297", "0", "1000001",
		"１０",
	};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), REQ "[server]\n"
		    "max_connections = %s\n", bad[i]);
		refused(text, "t.conf:9: max_connections");
	}
	accepted(REQ "[server]\nmax_connections = 1\nidle_timeout_s = 86400\n");
	assert_int_equal(conf.max_connections, 1);
	assert_int_equal(conf.idle_timeout_s, 86400);
	accepted(REQ "[server]\nmax_connections = 1000000\n");
	assert_int_equal(conf.max_connections, 1000000);
	/* max_frame_bytes: exactly the frame layer's limits. */
	snprintf(text, sizeof(text), REQ "[server]\nmax_frame_bytes = %u\n",
	    (unsigned)FRAME_MIN_MAX);
	accepted(text);
	assert_int_equal(conf.max_frame_bytes, FRAME_MIN_MAX);
	snprintf(text, sizeof(text), REQ "[server]\nmax_frame_bytes = %u\n",
	    (unsigned)FRAME_MAX_MAX);
	accepted(text);
	assert_int_equal(conf.max_frame_bytes, FRAME_MAX_MAX);
	snprintf(text, sizeof(text), REQ "[server]\nmax_frame_bytes = %u\n",
	    (unsigned)FRAME_MIN_MAX - 1);
	refused(text, "t.conf:9: max_frame_bytes");
	snprintf(text, sizeof(text), REQ "[server]\nmax_frame_bytes = %u\n",
	    (unsigned)FRAME_MAX_MAX + 1);
	refused(text, "t.conf:9: max_frame_bytes");
	refused(REQ "[server]\nidle_timeout_s = 0\n", "t.conf:9:");
	refused(REQ "[server]\nidle_timeout_s = 86401\n", "t.conf:9:");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "map_size_mb = 0\n", "t.conf:8: map_size_mb");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "map_size_mb = 18446744073709551616\n", "t.conf:8: map_size_mb");
	accepted(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "map_size_mb = 1\n");
	assert_int_equal(conf.map_size_mb, 1);
}

static void
test_listen(void **state)
{
	static const char *bad[] = {
		"127.0.0.1", "127.0.0.1:", ":7443", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:99999999", "127.0.0.1:-1",
		"127.0.0.1:+80", "127.0.0.1:http", "::1:7443", "[::1]",
		"[::1]7443", "[]:7443", "[127.0.0.1]:7443", "[::1:7443",
		"[::g]:7443", "host name:7443", "a/b:7443", "127.0.0.1:74 43",
	};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), REQ "[server]\nlisten = %s\n",
		    bad[i]);
		refused(text, "t.conf:9: listen");
	}
	accepted(REQ "[server]\nlisten = [::1]:7443\n");
	assert_string_equal(conf.listen_host, "::1");
	assert_string_equal(conf.listen_port, "7443");
	accepted(REQ "[server]\nlisten = localhost:1\n");
	assert_string_equal(conf.listen_host, "localhost");
	assert_string_equal(conf.listen_port, "1");
	accepted(REQ "[server]\nlisten = 0.0.0.0:65535\n");
	assert_string_equal(conf.listen_port, "65535");
	accepted(REQ "[server]\nlisten = [fe80::1%eth0]:7443\n");
	assert_string_equal(conf.listen_host, "fe80::1%eth0");
	refused(REQ "[server]\nlisten =\n", "t.conf:9: listen: empty value");
	/* Metrics may be switched off with an empty value. */
	accepted(REQ "[metrics]\nlisten =\n");
	assert_string_equal(conf.metrics_host, "");
	accepted(REQ "[metrics]\nlisten = [::]:9464\n");
	assert_string_equal(conf.metrics_host, "::");
	assert_string_equal(conf.metrics_port, "9464");
	refused(REQ "[metrics]\nlisten = 9464\n", "t.conf:9: listen");
}

static void
test_required(void **state)
{
	(void)state;
	refused(REQ_LEDGER, "t.conf: missing required key 'cert' in [tls]");
	refused(REQ_LEDGER "[tls]\ncert = a\nkey = b\n",
	    "t.conf: missing required key 'client_ca' in [tls]");
	refused(REQ_TLS "[ledger]\npath = l\n",
	    "t.conf: missing required key 'checkpoint_key' in [ledger]");
	refused(REQ_TLS "[ledger]\ncheckpoint_key = k\n",
	    "t.conf: missing required key 'path' in [ledger]");
	refused("", "t.conf: missing required key");
	/* Required keys may not be empty; optional ones may. */
	refused(REQ_LEDGER "[tls]\ncert =\nkey = b\nclient_ca = c\n",
	    "t.conf:5: cert: empty value");
	accepted(REQ_LEDGER "[tls]\ncert = a\nkey = b\nclient_ca = c\ncrl =\n");
	assert_string_equal(conf.tls_crl, "");
	accepted(REQ_LEDGER "[tls]\ncert = a\nkey = b\nclient_ca = c\n"
	    "crl = pki/ca.crl\n");
	assert_string_equal(conf.tls_crl, "/etc/ledgerd/pki/ca.crl");
}

static void
test_paths(void **state)
{
	char err[512];
	const char *text = "[tls]\ncert = /abs/c.crt\nkey = rel/c.key\n"
	    "client_ca = ./ca.crt\n[ledger]\npath = ../data/ledger\n"
	    "checkpoint_key = ck.key\n";

	(void)state;
	assert_int_equal(config_parse(text, strlen(text), "t.conf",
	    "/etc/ledgerd", &conf, err, sizeof(err)), 0);
	assert_string_equal(conf.tls_cert, "/abs/c.crt");
	assert_string_equal(conf.tls_key, "/etc/ledgerd/rel/c.key");
	assert_string_equal(conf.tls_client_ca, "/etc/ledgerd/./ca.crt");
	assert_string_equal(conf.ledger_path, "/etc/ledgerd/../data/ledger");
	assert_string_equal(conf.checkpoint_key, "/etc/ledgerd/ck.key");
	/* A config file in "/" does not produce "//". */
	assert_int_equal(config_parse(text, strlen(text), "t.conf", "/",
	    &conf, err, sizeof(err)), 0);
	assert_string_equal(conf.tls_key, "/rel/c.key");
	/* Without a directory, relative paths stay as written. */
	assert_int_equal(config_parse(text, strlen(text), "t.conf", NULL,
	    &conf, err, sizeof(err)), 0);
	assert_string_equal(conf.tls_key, "rel/c.key");
	assert_string_equal(conf.tls_cert, "/abs/c.crt");
}

static void
test_values(void **state)
{
	(void)state;
	/* checkpoint_origin is a note key name. */
	accepted(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "checkpoint_origin = example.com/ledger\n");
	assert_string_equal(conf.checkpoint_origin, "example.com/ledger");
	accepted(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "checkpoint_origin = 台帳.example\n");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "checkpoint_origin = a+b\n", "t.conf:8: checkpoint_origin");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "checkpoint_origin = a b\n", "t.conf:8: checkpoint_origin");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "checkpoint_origin = a\xe3\x80\x80" "b\n",
	    "t.conf:8: checkpoint_origin");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "checkpoint_origin = a\xff\n", "t.conf:8: checkpoint_origin");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "checkpoint_origin =\n", "t.conf:8: checkpoint_origin");

	/* user */
	accepted(REQ "[server]\nuser = _ledgerd\n");
	assert_string_equal(conf.user, "_ledgerd");
	refused(REQ "[server]\nuser = root:root\n", "t.conf:9: user");
	refused(REQ "[server]\nuser = -x\n", "t.conf:9: user");
	refused(REQ "[server]\nuser = a b\n", "t.conf:9: user");
}

/*
 * Version 2 (contract 2.1): the programme terms are ledger entries, and a
 * config that still carries [rules] is refused at start with the exact
 * reason and the line of the section header, whether or not it has keys.
 */
#define RULES_GONE	"[rules] was removed: programme terms are ledger " \
	"entries (ledgerctl terms set)"

static void
test_rules_removed(void **state)
{
	char tmpl[] = "/tmp/test_config.XXXXXX", *dir;
	char file[PATH_MAX], err[512], want[PATH_MAX + 128];
	FILE *fp;

	(void)state;
	/* REQ is 7 lines, so a section after it is on line 8. */
	refused_exactly(REQ "[rules]\n", "t.conf:8: " RULES_GONE);
	refused_exactly(REQ "[rules]\ngeneral_min = 1億\ngeneral_max = 2億円\n"
	    "reconstruction_min = 250,000,000\nreconstruction_max = 5億\n",
	    "t.conf:8: " RULES_GONE);
	/* Its keys, even valid version 1 amounts, are not what is reported. */
	refused_exactly(REQ "[rules]\ngeneral_min = 0\n",
	    "t.conf:8: " RULES_GONE);
	/* Before the required sections: the first thing wrong is the section. */
	refused_exactly("[rules]\n" REQ, "t.conf:1: " RULES_GONE);
	refused_exactly("# version 1 config\n\n[rules]   # ranges\n"
	    "general_min = 100000000\n" REQ, "t.conf:3: " RULES_GONE);
	/* Blanks around the header and CRLF line ends change nothing. */
	refused_exactly("  \t[rules]\t \r\n" REQ, "t.conf:1: " RULES_GONE);
	refused_exactly(REQ "[metrics]\nlisten = 127.0.0.1:9464\n\n[rules]\n"
	    "[roles]\nadmin01 = admin\n", "t.conf:11: " RULES_GONE);
	/* Only the exact name: others are unknown sections as before. */
	refused(REQ "[Rules]\n", "t.conf:8: unknown section [Rules]");
	refused(REQ "[rules2]\n", "t.conf:8: unknown section [rules2]");
	/* A config without it is fine, and the keys are unknown elsewhere. */
	accepted(REQ);
	refused(REQ "[ledger]\n", "t.conf:8: duplicate section [ledger]");
	refused(REQ_TLS "[ledger]\npath = l\ncheckpoint_key = k\n"
	    "general_min = 1\n", "t.conf:8: unknown key 'general_min' in "
	    "[ledger]");

	/* From a file: the file as given, the line, the same reason. */
	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	snprintf(file, sizeof(file), "%s/ledgerd.conf", dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs(REQ "\n[rules]\ngeneral_min = 100000000\n", fp);
	fclose(fp);
	/* every file the config names exists, so only [rules] is wrong */
	touch_in(dir, "c.crt");
	touch_in(dir, "c.key");
	touch_in(dir, "ca.crt");
	touch_in(dir, "ck.key");
	assert_int_equal(config_load(file, &conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:9: %s", file, RULES_GONE);
	assert_string_equal(err, want);
	assert_int_equal(unlink(file), 0);
	unlink_in(dir, "c.crt");
	unlink_in(dir, "c.key");
	unlink_in(dir, "ca.crt");
	unlink_in(dir, "ck.key");
	assert_int_equal(rmdir(dir), 0);
}

/*
 * The officers of 2.7, several roles to a CN, and [duties]: obligating,
 * disbursing and revenue kept apart unless allow_combined = true.
 */
static void
test_duties(void **state)
{
	char buf[64];

	(void)state;
	accepted(REQ "[roles]\nboss = budget, obligating\npay = disbursing\n"
	    "rev = revenue,auditor\nall = admin, clerk\n");
	assert_int_equal(config_role(&conf, "boss"), ROLE_BUDGET |
	    ROLE_OBLIGATING);
	assert_int_equal(config_role(&conf, "pay"), ROLE_DISBURSING);
	assert_int_equal(config_role(&conf, "rev"), ROLE_REVENUE | ROLE_AUDITOR);
	assert_int_equal(config_role(&conf, "all"), ROLE_ADMIN | ROLE_CLERK);
	assert_int_equal(conf.duties_allow_combined, 0);
	roles_text(config_role(&conf, "boss"), buf, sizeof(buf));
	assert_string_equal(buf, "budget,obligating");
	roles_text(ROLE_NONE, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	assert_string_equal(role_name(ROLE_REVENUE), "revenue");
	assert_string_equal(role_name(ROLE_BUDGET | ROLE_REVENUE), "none");

	refused(REQ "[roles]\nx = disbursing, revenue\n",
	    "t.conf:9: x holds two of obligating, disbursing and revenue");
	refused(REQ "[roles]\na = budget\nx = obligating,disbursing\n",
	    "t.conf:10: x holds two of");
	refused(REQ "[roles]\nx = clerk, clerk\n",
	    "t.conf:9: role 'clerk' given twice for x");
	refused(REQ "[roles]\nx = clerk,\n", "t.conf:9: unknown role");
	refused(REQ "[roles]\nx = budget, cashier\n",
	    "t.conf:9: unknown role 'cashier'");
	/* allowed when [duties] says so, before or after [roles] */
	accepted(REQ "[roles]\nx = disbursing, revenue\n[duties]\n"
	    "allow_combined = true\n");
	assert_int_equal(conf.duties_allow_combined, 1);
	assert_int_equal(config_role(&conf, "x"), ROLE_DISBURSING |
	    ROLE_REVENUE);
	accepted(REQ "[duties]\nallow_combined = true\n[roles]\n"
	    "x = obligating, revenue\n");
	refused(REQ "[duties]\nallow_combined = false\n[roles]\n"
	    "x = obligating, revenue\n", "t.conf:11: x holds two of");
	refused(REQ "[duties]\nallow_combined = yes\n",
	    "t.conf:9: allow_combined: 'yes' is not true or false");
	/* the version 1 clerk keeps both meanings */
	accepted(REQ "[roles]\nx = clerk\n");
}

static void
test_roles(void **state)
{
	char text[256 * 40 + 512];
	size_t i, n;

	(void)state;
	accepted(REQ "[roles]\nadmin01 = admin\nclerk01 = clerk\n"
	    "Jane Doe = auditor\nrecon01 = reconciler\n");
	assert_int_equal(conf.nroles, 4);
	assert_int_equal(config_role(&conf, "admin01"), ROLE_ADMIN);
	assert_int_equal(config_role(&conf, "clerk01"), ROLE_CLERK);
	assert_int_equal(config_role(&conf, "Jane Doe"), ROLE_AUDITOR);
	assert_int_equal(config_role(&conf, "recon01"), ROLE_RECONCILER);
	assert_int_equal(config_role(&conf, "ADMIN01"), ROLE_NONE);
	assert_int_equal(config_role(&conf, "admin0"), ROLE_NONE);
	assert_int_equal(config_role(&conf, ""), ROLE_NONE);
	assert_int_equal(config_role(&conf, NULL), ROLE_NONE);
	assert_string_equal(role_name(ROLE_NONE), "none");
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_string_equal(role_name(ROLE_CLERK), "clerk");
	assert_string_equal(role_name(ROLE_AUDITOR), "auditor");
	assert_string_equal(role_name(ROLE_RECONCILER), "reconciler");
	assert_string_equal(role_name(99), "none");
	assert_string_equal(role_name(-1), "none");

	refused(REQ "[roles]\nx = root\n", "t.conf:9: unknown role 'root'");
	refused(REQ "[roles]\nx = Admin\n", "t.conf:9: unknown role");
	refused(REQ "[roles]\nx =\n", "t.conf:9: unknown role");
	refused(REQ "[roles]\nx = admin\nx = clerk\n",
	    "t.conf:10: duplicate role for CN 'x'");
	refused(REQ "[roles]\n"
	    "a123456789a123456789a123456789a123456789a123456789a123456789abcde"
	    " = admin\n", "t.conf:9: certificate CN");
	accepted(REQ "[roles]\n"
	    "a123456789a123456789a123456789a123456789a123456789a123456789abcd"
	    " = admin\n");

	/* CONF_ROLE_MAX roles fit; one more is refused. */
	n = (size_t)snprintf(text, sizeof(text), "%s[roles]\n", REQ);
	for (i = 0; i < CONF_ROLE_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "cn%zu = clerk\n", i);
	accepted(text);
	assert_int_equal(conf.nroles, CONF_ROLE_MAX);
	assert_int_equal(config_role(&conf, "cn255"), ROLE_CLERK);
	snprintf(text + n, sizeof(text) - n, "one-more = clerk\n");
	refused(text, "t.conf:265: more than 256 roles");
}

static void
test_bytes(void **state)
{
	char err[512];
	static const char crlf[] = "[tls]\r\ncert = c.crt # x\r\nkey = k\r\n"
	    "client_ca = ca\r\n\r\n[ledger]\r\npath = l\r\n"
	    "checkpoint_key = k\r\n";
	static const char nul[] = REQ "[server]\nuser = a\0b\n";
	static const char bom[] = "\xef\xbb\xbf" REQ;

	(void)state;
	assert_int_equal(config_parse(crlf, strlen(crlf), "t.conf", "/d",
	    &conf, err, sizeof(err)), 0);
	assert_string_equal(conf.tls_cert, "/d/c.crt");
	assert_string_equal(conf.tls_key, "/d/k");
	assert_string_equal(conf.checkpoint_key, "/d/k");
	/* A NUL byte is refused with its line, not silently truncated. */
	assert_int_equal(config_parse(nul, sizeof(nul) - 1, "t.conf", "/d",
	    &conf, err, sizeof(err)), -1);
	assert_string_equal(err, "t.conf:9: NUL byte in file");
	assert_int_equal(config_parse(bom, sizeof(bom) - 1, "t.conf", "/d",
	    &conf, err, sizeof(err)), 0);
	refused(REQ "[server]\nuser = a\rb\n", "t.conf:9: control character");
	refused(REQ "[server]\nuser = a\x1b\n", "t.conf:9: control character");
	/* No final newline is fine. */
	accepted(REQ "[server]\nmax_connections = 3");
	assert_int_equal(conf.max_connections, 3);
	/* Parsing stops at len, not at the string's end. */
	assert_int_equal(config_parse(REQ "[bogus]\n", strlen(REQ), "t.conf",
	    "/d", &conf, err, sizeof(err)), 0);
	/* err may be NULL. */
	assert_int_equal(config_parse("[x]\n", 4, "t.conf", "/d", &conf, NULL,
	    0), -1);
}

/*
 * Deterministic byte mutations of a full config: under ASan/UBSan this
 * checks the parser never reads or writes out of bounds, and that every
 * refusal names the file.
 */
static void
test_mutations(void **state)
{
	static const char base[] = "[server]\nlisten = [::1]:7443 # x\n"
	    "max_connections = 10\nuser =\n" REQ
	    "[metrics]\nlisten = a:1\n"
	    "[roles]\nadmin01 = admin\n";
	static const char bytes[] = "[]=#; \t\r\n\0:+-9a,";
	char buf[sizeof(base) + 8], err[512];
	uint32_t rng = 777;
	size_t k, len;

	(void)state;
	for (k = 0; k < 20000; k++) {
		size_t pos;

		memcpy(buf, base, sizeof(base));
		len = sizeof(base) - 1;
		rng = rng * 1103515245u + 12345u;
		pos = (rng >> 8) % len;
		buf[pos] = bytes[(rng >> 20) % (sizeof(bytes) - 1)];
		rng = rng * 1103515245u + 12345u;
		if (rng & 1)
			len = (rng >> 8) % (len + 1);
		err[0] = '\0';
		if (config_parse(buf, len, "m.conf", "/d", &conf, err,
		    sizeof(err)) == 0) {
			assert_true(conf.nroles <= CONF_ROLE_MAX);
			assert_true(strlen(conf.listen_host) <
			    sizeof(conf.listen_host));
		} else if (strncmp(err, "m.conf", 6) != 0)
			fail_msg("error without file name: '%s'", err);
	}
}

/*
 * [cluster] (contract 2.6).  REQ is 7 lines, so a [cluster] appended to it
 * opens at line 8 and CLUSTER's keys sit at lines 9 (id) to 14 (peer_key).
 * Node 1's client address is where the default [server] listen accepts.
 */
#define PEERS3 "1@127.0.0.1:7501@127.0.0.1:7443, " \
	"2@127.0.0.1:7502@127.0.0.1:7444, 3@127.0.0.1:7503@127.0.0.1:7445"
#define CLUSTER_HEAD "[cluster]\nid = 1\nraft_listen = 127.0.0.1:7501\n"
#define CLUSTER_FILES "peer_ca = ca.crt\npeer_cert = n1.crt\npeer_key = n1.key\n"
#define CLUSTER CLUSTER_HEAD "peers = " PEERS3 "\n" CLUSTER_FILES

/* REQ, a [cluster] with peers p and extra lines after it, then tail. */
static void
cluster_text(char *buf, size_t len, const char *p, const char *extra,
    const char *tail)
{
	snprintf(buf, len, REQ CLUSTER_HEAD "peers = %s\n" CLUSTER_FILES "%s%s",
	    p, extra, tail);
}

static void
test_cluster(void **state)
{
	char text[4096];
	size_t i;

	(void)state;
	/* Without the section nothing changes. */
	accepted(REQ);
	assert_int_equal(conf.cluster, 0);
	assert_int_equal(conf.npeers, 0);

	accepted(REQ CLUSTER);
	assert_int_equal(conf.cluster, 1);
	assert_int_equal(conf.cluster_id, 1);
	assert_int_equal(conf.npeers, 3);
	for (i = 0; i < 3; i++) {
		char want[64];

		assert_int_equal(conf.peers[i].id, i + 1);
		snprintf(want, sizeof(want), "127.0.0.1:%zu", 7501 + i);
		assert_string_equal(conf.peers[i].raft_addr, want);
		snprintf(want, sizeof(want), "%zu", 7501 + i);
		assert_string_equal(conf.peers[i].raft_port, want);
		snprintf(want, sizeof(want), "127.0.0.1:%zu", 7443 + i);
		assert_string_equal(conf.peers[i].client_addr, want);
		assert_string_equal(conf.peers[i].client_host, "127.0.0.1");
		assert_int_equal(conf.peers[i].line, 11);
	}
	assert_ptr_equal(config_peer(&conf, 2), &conf.peers[1]);
	assert_null(config_peer(&conf, 4));
	assert_string_equal(conf.raft_listen_host, "127.0.0.1");
	assert_string_equal(conf.raft_listen_port, "7501");
	assert_string_equal(conf.peer_ca, "/etc/ledgerd/ca.crt");
	assert_string_equal(conf.peer_cert, "/etc/ledgerd/n1.crt");
	assert_string_equal(conf.peer_key, "/etc/ledgerd/n1.key");
	/* In the ledger directory /etc/ledgerd/ledger, beside data.mdb. */
	assert_string_equal(conf.raft_dir, "/etc/ledgerd/ledger/raft");
	assert_int_equal(conf.commit_timeout_s, 10);
	assert_int_equal(conf.election_timeout_ms, 1000);
	assert_int_equal(conf.heartbeat_timeout_ms, 100);
	assert_int_equal(conf.cluster_join, 0);

	/* raft_dir follows the ledger, not the config file's directory. */
	accepted(REQ_TLS "[ledger]\npath = /var/lib/ledgerd\n"
	    "checkpoint_key = ck.key\n" CLUSTER);
	assert_string_equal(conf.raft_dir, "/var/lib/ledgerd/raft");
	accepted(REQ_TLS "[ledger]\npath = /var/lib/ledgerd\n"
	    "checkpoint_key = ck.key\n" CLUSTER "raft_dir = log/raft\n");
	assert_string_equal(conf.raft_dir, "/var/lib/ledgerd/log/raft");
	accepted(REQ CLUSTER "raft_dir = /srv/raft\n");
	assert_string_equal(conf.raft_dir, "/srv/raft");
	/* The section may come before [ledger] and [server]. */
	accepted(CLUSTER REQ "[server]\nlisten = 0.0.0.0:7443\n");
	assert_string_equal(conf.raft_dir, "/etc/ledgerd/ledger/raft");
	refused_exactly(REQ CLUSTER "raft_dir = .\n", "t.conf:15: raft_dir: "
	    "'.' is the ledger directory; the Raft log needs its own");
	refused_exactly(REQ CLUSTER "raft_dir = /etc/ledgerd/ledger/\n",
	    "t.conf:15: raft_dir: /etc/ledgerd/ledger/ is the ledger directory; "
	    "the Raft log needs its own");

	/* Tunables: defaults, ranges, and the heartbeat below the election. */
	accepted(REQ CLUSTER "commit_timeout_s = 30\nelection_timeout_ms = 3000\n"
	    "heartbeat_timeout_ms = 300\njoin = false\n");
	assert_int_equal(conf.commit_timeout_s, 30);
	assert_int_equal(conf.election_timeout_ms, 3000);
	assert_int_equal(conf.heartbeat_timeout_ms, 300);
	refused_exactly(REQ CLUSTER "commit_timeout_s = 0\n", "t.conf:15: "
	    "commit_timeout_s: '0' is not a number in 1-3600");
	refused_exactly(REQ CLUSTER "election_timeout_ms = 99\n", "t.conf:15: "
	    "election_timeout_ms: '99' is not a number in 100-60000");
	refused_exactly(REQ CLUSTER "heartbeat_timeout_ms = 1000\n", "t.conf:15: "
	    "heartbeat_timeout_ms (1000) must be below election_timeout_ms "
	    "(1000)");
	refused_exactly(REQ CLUSTER "heartbeat_timeout_ms = 500\n"
	    "election_timeout_ms = 400\n", "t.conf:15: heartbeat_timeout_ms "
	    "(500) must be below election_timeout_ms (400)");
	refused_exactly(REQ CLUSTER "election_timeout_ms = 100\n", "t.conf:15: "
	    "heartbeat_timeout_ms (100) must be below election_timeout_ms (100)");
	refused_exactly(REQ CLUSTER "join = yes\n", "t.conf:15: join: 'yes' "
	    "is not true or false");
	refused_exactly(REQ CLUSTER "role = leader\n", "t.conf:15: unknown key "
	    "'role' in [cluster]");
	refused_exactly(REQ CLUSTER "[cluster]\n", "t.conf:15: duplicate "
	    "section [cluster]");
	refused_exactly(REQ CLUSTER "id = 2\n", "t.conf:15: duplicate key 'id' "
	    "in [cluster]");

	/* Required once the section is there, and only then. */
	refused_exactly(REQ "[cluster]\n", "t.conf: missing required key 'id' "
	    "in [cluster]");
	refused_exactly(REQ CLUSTER_HEAD CLUSTER_FILES, "t.conf: missing "
	    "required key 'peers' in [cluster]");
	refused_exactly(REQ CLUSTER_HEAD "peers = " PEERS3 "\npeer_ca = ca.crt\n"
	    "peer_cert = n1.crt\n", "t.conf: missing required key 'peer_key' in "
	    "[cluster]");

	/* This node among the peers, unless it joins later. */
	refused_exactly(REQ "[cluster]\nid = 4\nraft_listen = 127.0.0.1:7501\n"
	    "peers = " PEERS3 "\n" CLUSTER_FILES, "t.conf:9: id: node 4 is not "
	    "among the peers (give its id@raft_address@client_address, or set "
	    "join = true for a node added with ledgerctl cluster add)");
	accepted(REQ "[cluster]\nid = 4\nraft_listen = 127.0.0.1:7504\n"
	    "peers = " PEERS3 "\n" CLUSTER_FILES "join = true\n");
	assert_int_equal(conf.cluster_join, 1);
	assert_int_equal(conf.cluster_id, 4);
	refused_exactly(REQ "[cluster]\nid = 0\n", "t.conf:9: id: '0' is not "
	    "a number in 1-65535");
	refused_exactly(REQ "[cluster]\nid = 65536\n", "t.conf:9: id: '65536' "
	    "is not a number in 1-65535");

	/* raft_listen must accept this node's raft address. */
	refused_exactly(REQ "[cluster]\nid = 1\nraft_listen = 127.0.0.1:7599\n"
	    "peers = " PEERS3 "\n" CLUSTER_FILES, "t.conf:10: raft_listen: node "
	    "1's raft address in peers is 127.0.0.1:7501, which raft_listen does "
	    "not accept (same port, and same host unless raft_listen is 0.0.0.0 "
	    "or [::])");
	refused(REQ "[cluster]\nid = 1\nraft_listen = 10.0.0.1:7501\n"
	    "peers = " PEERS3 "\n" CLUSTER_FILES, "t.conf:10: raft_listen: node 1");
	accepted(REQ "[cluster]\nid = 1\nraft_listen = 0.0.0.0:7501\n"
	    "peers = " PEERS3 "\n" CLUSTER_FILES);
	refused(REQ "[cluster]\nid = 1\nraft_listen = 127.0.0.1\n",
	    "t.conf:10: raft_listen: expected host:port");
	/* ... and [server] listen its client address, on another port. */
	refused_exactly(REQ CLUSTER "[server]\nlisten = 127.0.0.1:8443\n",
	    "t.conf:11: peers: node 1's client address 127.0.0.1:7443 is not "
	    "where [server] listen accepts (127.0.0.1:8443); clients told "
	    "NOT_LEADER would find nobody there");
	accepted(REQ CLUSTER "[server]\nlisten = 0.0.0.0:7443\n");
	refused_exactly(REQ "[cluster]\nid = 1\nraft_listen = 127.0.0.2:7443\n"
	    "peers = 1@127.0.0.2:7443@127.0.0.1:7443\n" CLUSTER_FILES
	    "[server]\nlisten = 0.0.0.0:7443\n", "t.conf:10: raft_listen: the "
	    "same port as [server] listen (7443)");

	/* peers, item by item, at its line. */
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501", "", "");
	refused_exactly(text, "t.conf:11: peers: '1@127.0.0.1:7501' is not "
	    "id@raft_address@client_address");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443@x",
	    "", "");
	refused(text, "t.conf:11: peers: '1@127.0.0.1:7501@127.0.0.1:7443@x' "
	    "is not id@raft_address@client_address");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443,,"
	    "2@127.0.0.1:7502@127.0.0.1:7444", "", "");
	refused(text, "t.conf:11: peers: empty item");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443,", "",
	    "");
	refused(text, "t.conf:11: peers: empty item");
	cluster_text(text, sizeof(text), "one@127.0.0.1:7501@127.0.0.1:7443",
	    "", "");
	refused_exactly(text, "t.conf:11: peers: id 'one' is not a number in "
	    "1-65535");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443, "
	    "1@127.0.0.1:7502@127.0.0.1:7444", "", "");
	refused_exactly(text, "t.conf:11: peers: id 1 given twice");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443, "
	    "2@127.0.0.1:7501@127.0.0.1:7444", "", "");
	refused_exactly(text, "t.conf:11: peers: nodes 1 and 2 share an address");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443, "
	    "2@127.0.0.1:7443@127.0.0.1:7444", "", "");
	refused_exactly(text, "t.conf:11: peers: nodes 1 and 2 share an address");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443, "
	    "2@127.0.0.1:7502@127.0.0.1:7502", "", "");
	refused_exactly(text, "t.conf:11: peers: node 2's raft and client "
	    "addresses are the same");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443, "
	    "2@127.0.0.1:75020@127.0.0.1:7444", "", "");
	refused_exactly(text, "t.conf:11: peers: node 2's raft address: port "
	    "must be 1-65535");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443, "
	    "2@127.0.0.1:7502@0.0.0.0:7444", "", "");
	refused_exactly(text, "t.conf:11: peers: node 2's client address: "
	    "0.0.0.0:7444 accepts on every address; give one the other nodes "
	    "and clients can connect to");
	cluster_text(text, sizeof(text), "1@127.0.0.1:7501@127.0.0.1:7443, "
	    "2@::1:7502@127.0.0.1:7444", "", "");
	refused_exactly(text, "t.conf:11: peers: node 2's raft address: an "
	    "IPv6 address needs brackets: [::1]:7443");
	/* IPv6 in brackets, host names, blanks around items, port normalized. */
	cluster_text(text, sizeof(text), "  1@127.0.0.1:7501@127.0.0.1:7443 ,"
	    "2@[::1]:07502@[::1]:7444,\t3@node-3.example:7503@node-3.example:7445",
	    "", "");
	accepted(text);
	assert_int_equal(conf.npeers, 3);
	assert_string_equal(conf.peers[1].raft_addr, "[::1]:7502");
	assert_string_equal(conf.peers[1].raft_host, "::1");
	assert_string_equal(conf.peers[1].raft_port, "7502");
	assert_string_equal(conf.peers[2].client_addr, "node-3.example:7445");

	/* At most CONF_PEERS_MAX. */
	{
		char list[3072];
		size_t n = 0;

		for (i = 1; i <= CONF_PEERS_MAX + 1; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
			    "%s%zu@127.0.0.1:%zu@127.0.0.1:%zu", i > 1 ? "," : "",
			    i, 7500 + i, i == 1 ? (size_t)7443 : 8000 + i);
		cluster_text(text, sizeof(text), list, "", "");
		refused_exactly(text, "t.conf:11: peers: more than 16");
	}
}

/* The shipped three-node sample: each file parses, and they agree. */
static void
test_cluster_sample(void **state)
{
	char err[512], path[PATH_MAX], real[PATH_MAX], *slash, want[PATH_MAX + 32];
	char peers[3][CONF_PEERS_MAX * 2 * (CONF_ADDR_MAX + 1)];
	static char text[65536];
	size_t len, i, n;
	FILE *fp;

	(void)state;
	for (n = 1; n <= 3; n++) {
		snprintf(path, sizeof(path), "%s", sample_path());
		slash = strrchr(path, '/');
		assert_non_null(slash);
		snprintf(slash, sizeof(path) - (size_t)(slash - path),
		    "/cluster/node-%zu.conf", n);
		assert_non_null(realpath(path, real));
		fp = fopen(real, "rb");
		assert_non_null(fp);
		len = fread(text, 1, sizeof(text), fp);
		fclose(fp);
		*strrchr(real, '/') = '\0';
		if (config_parse(text, len, path, real, &conf, err,
		    sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(conf.cluster, 1);
		assert_int_equal(conf.cluster_id, n);
		assert_int_equal(conf.npeers, 3);
		snprintf(want, sizeof(want), "%s/node-%zu/ledger/raft", real, n);
		assert_string_equal(conf.raft_dir, want);
		snprintf(want, sizeof(want), "%s/pki/node-%zu.crt", real, n);
		assert_string_equal(conf.peer_cert, want);
		peers[n - 1][0] = '\0';
		for (i = 0; i < conf.npeers; i++) {
			strcat(peers[n - 1], conf.peers[i].raft_addr);
			strcat(peers[n - 1], conf.peers[i].client_addr);
		}
		if (n > 1)
			assert_string_equal(peers[n - 1], peers[0]);
	}
}

static void
test_load(void **state)
{
	char tmpl[] = "/tmp/test_config.XXXXXX", *dir;
	char file[PATH_MAX], real[PATH_MAX], want[2 * PATH_MAX + 64];
	char err[512];
	FILE *fp;

	(void)state;
	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	assert_non_null(realpath(dir, real));
	snprintf(file, sizeof(file), "%s/ledgerd.conf", dir);

	/* A missing file names the file. */
	assert_int_equal(config_load(file, &conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ledgerd.conf"));

	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs(REQ, fp);
	fclose(fp);
	/* Every file the config names must exist: reported with its line. */
	assert_int_equal(config_load(file, &conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: cert: %s/c.crt: No such file",
	    file, real);
	assert_memory_equal(err, want, strlen(want));
	touch_in(dir, "c.crt");
	touch_in(dir, "c.key");
	touch_in(dir, "ca.crt");
	assert_int_equal(config_load(file, &conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:7: checkpoint_key: %s/ck.key: No such "
	    "file", file, real);
	assert_memory_equal(err, want, strlen(want));
	touch_in(dir, "ck.key");
	assert_int_equal(config_load(file, &conf, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/ledgerd.conf", real);
	assert_string_equal(conf.path, want);
	snprintf(want, sizeof(want), "%s/ledger", real);
	assert_string_equal(conf.ledger_path, want);
	snprintf(want, sizeof(want), "%s/c.crt", real);
	assert_string_equal(conf.tls_cert, want);

	/* Resolved against the file's directory, not the cwd. */
	{
		char cwd[PATH_MAX];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(dir), 0);
		assert_int_equal(config_load("ledgerd.conf", &conf, err,
		    sizeof(err)), 0);
		assert_string_equal(conf.tls_cert, want);
		assert_int_equal(chdir(cwd), 0);
	}

	/* An error names the file as given and the line. */
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs(REQ "\n[server]\nlisten = nowhere\n", fp);
	fclose(fp);
	assert_int_equal(config_load(file, &conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:10: listen", file);
	assert_memory_equal(err, want, strlen(want));

	assert_int_equal(unlink(file), 0);
	unlink_in(dir, "c.crt");
	unlink_in(dir, "c.key");
	unlink_in(dir, "ca.crt");
	unlink_in(dir, "ck.key");
	assert_int_equal(rmdir(dir), 0);
}

/*
 * Contract 2.10's pre-authentication limits: their defaults, their ranges,
 * and [tls] groups checked against what OpenSSL knows, so that a typo is a
 * config error naming the line and not a daemon offering nothing.
 */
static void
test_preauth_keys(void **state)
{
	static const char *bad_groups[] = {
		"X25519:bogus", "nosuchgroup", "X25519::P-256", ":X25519",
		"X25519:", "X25519 P-256", "X25519,P-256", "X25519;P-256",
	};
	char text[512];
	size_t i;

	(void)state;
	accepted(REQ);
	assert_int_equal(conf.handshake_timeout_s, 10);
	assert_int_equal(conf.max_unauth_per_ip, 16);
	assert_string_equal(conf.tls_groups, "X25519:P-256");

	accepted(REQ "[server]\nhandshake_timeout_s = 2\n"
	    "max_unauthenticated_per_ip = 4\n");
	assert_int_equal(conf.handshake_timeout_s, 2);
	assert_int_equal(conf.max_unauth_per_ip, 4);
	/* Independent of idle_timeout_s, which keeps its own value. */
	assert_int_equal(conf.idle_timeout_s, 300);
	accepted(REQ "[server]\nhandshake_timeout_s = 3600\n"
	    "max_unauthenticated_per_ip = 1000000\n");
	assert_int_equal(conf.handshake_timeout_s, 3600);
	assert_int_equal(conf.max_unauth_per_ip, 1000000);
	refused(REQ "[server]\nhandshake_timeout_s = 0\n",
	    "t.conf:9: handshake_timeout_s");
	refused(REQ "[server]\nhandshake_timeout_s = 3601\n",
	    "t.conf:9: handshake_timeout_s");
	refused(REQ "[server]\nhandshake_timeout_s = 1s\n",
	    "t.conf:9: handshake_timeout_s");
	refused(REQ "[server]\nmax_unauthenticated_per_ip = 0\n",
	    "t.conf:9: max_unauthenticated_per_ip");
	refused(REQ "[server]\nmax_unauthenticated_per_ip = -1\n",
	    "t.conf:9: max_unauthenticated_per_ip");
	refused(REQ "[server]\nmax_unauthenticated_per_ip =\n",
	    "t.conf:9: max_unauthenticated_per_ip: empty value");
	/* Misplaced: they are [server] keys, groups a [tls] key. */
	refused(REQ "[metrics]\nhandshake_timeout_s = 5\n",
	    "t.conf:9: unknown key 'handshake_timeout_s' in [metrics]");
	refused("[server]\ngroups = X25519\n" REQ,
	    "t.conf:2: unknown key 'groups' in [server]");

	accepted(REQ_TLS "groups = X25519\n" REQ_LEDGER);
	assert_string_equal(conf.tls_groups, "X25519");
	accepted(REQ_TLS "groups = P-256:X25519  # P-256 first\n" REQ_LEDGER);
	assert_string_equal(conf.tls_groups, "P-256:X25519");
	/* The operator may choose a finite-field group; it must exist. */
	accepted(REQ_TLS "groups = X25519:ffdhe2048\n" REQ_LEDGER);
	assert_string_equal(conf.tls_groups, "X25519:ffdhe2048");
	for (i = 0; i < sizeof(bad_groups) / sizeof(bad_groups[0]); i++) {
		snprintf(text, sizeof(text), REQ_TLS "groups = %s\n" REQ_LEDGER,
		    bad_groups[i]);
		refused(text, "t.conf:5: groups: ");
	}
	refused_exactly(REQ_TLS "groups = X25519:bogus\n" REQ_LEDGER,
	    "t.conf:5: groups: unknown group in 'X25519:bogus' (OpenSSL "
	    "names, e.g. X25519:P-256)");
	refused(REQ_TLS "groups =\n" REQ_LEDGER, "t.conf:5: groups: empty value");
	memset(text, 0, sizeof(text));
	snprintf(text, sizeof(text), REQ_TLS "groups = ");
	for (i = strlen(text); i < strlen(REQ_TLS) + 9 + CONF_GROUPS_MAX; i += 7)
		memcpy(text + i, "X25519:", 7);
	snprintf(text + i, sizeof(text) - i, "X25519\n" REQ_LEDGER);
	refused(text, "t.conf:5: groups: longer than");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_comment_rules),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_rules_removed),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_duties),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_preauth_keys),
		cmocka_unit_test(test_cluster),
		cmocka_unit_test(test_cluster_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
