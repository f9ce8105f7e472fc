/*
 * ledgerctl.c - the client's driver: global options, help, dispatch, and
 * the plumbing every command shares (connect, call, refusal, failure).
 *
 * The order of events is fixed so that the exit status means one thing:
 *
 *   parse the line and every value        -> 2 on any mistake, nothing sent
 *   connect, handshake, HELLO             -> 3 on any failure (1 if the
 *                                            daemon answers HELLO with an
 *                                            error code)
 *   request and answer                    -> 1 when the daemon refuses,
 *                                            3 when the connection breaks
 *
 * Commands come from the tables listed in cmd_tables[]; a new group of
 * commands (audit, export) is a new file with its table and one line here.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "entry.h"
#include "errors.h"
#include "output.h"
#include "wire.h"

#ifndef LEDGERD_VERSION
#define LEDGERD_VERSION "unknown"
#endif

/* Seconds allowed to connect, to finish the handshake and for each read. */
#define CTL_TIMEOUT_S	60

static const struct ctl_cmd *const cmd_tables[] = {
	cmd_write_cmds,
	cmd_read_cmds,
	cmd_audit_cmds,
	cmd_export_cmds,
	cmd_recon_cmds,
	NULL
};

static void
help_print(FILE *f, const struct ctl_cmd *only)
{
	const struct ctl_cmd	*c;
	int			 t;

	if (only != NULL) {
		fprintf(f, "usage: ledgerctl %s\n", only->synopsis);
		fprintf(f, "connection: --server HOST:PORT --cert FILE --key FILE "
		    "--ca FILE (or LEDGER_SERVER, LEDGER_CERT, LEDGER_KEY, "
		    "LEDGER_CA); --json for JSON lines\n");
		return;
	}
	fprintf(f,
	    "usage: ledgerctl [--server HOST:PORT] [--cert FILE] [--key FILE] "
	    "[--ca FILE] [--json] COMMAND ...\n"
	    "\n"
	    "commands:\n");
	for (t = 0; cmd_tables[t] != NULL; t++)
		for (c = cmd_tables[t]; c->word != NULL; c++)
			fprintf(f, "  ledgerctl %s\n", c->synopsis);
	fprintf(f,
	    "\n"
	    "connection: --server, --cert, --key, --ca or the environment\n"
	    "  variables LEDGER_SERVER, LEDGER_CERT, LEDGER_KEY, LEDGER_CA.\n"
	    "  The server's certificate must chain to --ca and name HOST.\n"
	    "values: fiscal year 2013, FY2013, H25 or R7; amount in yen: 150000000,\n"
	    "  150,000,000, 1.5億, 1億5000万円; dates YYYY-MM-DD; rates in percent\n"
	    "  with at most two decimals (10.95, the default).\n"
	    "output: a table by default; --json (anywhere) prints one JSON object "
	    "per line.\n"
	    "  Tables show times in JST (+09:00); JSON keeps them in UTC.\n"
	    "exit status: 0 done, 1 refused by the daemon, 2 usage error,\n"
	    "  3 connection, TLS or authentication failure, 4 verification failed\n"
	    "  (signature, proof, root or tamper), 5 reconciliation found differences.\n");
}

int
ctl_usage(struct ctl *ctl, const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(ctl->err, "ledgerctl: usage: ");
	va_start(ap, fmt);
	vfprintf(ctl->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctl->err);
	if (cmd != NULL)
		fprintf(ctl->err, "usage: ledgerctl %s\n", cmd->synopsis);
	else
		fprintf(ctl->err, "run 'ledgerctl help' for the commands\n");
	return CTL_USAGE;
}

int
ctl_refusal(struct ctl *ctl, int code, const char *message)
{
	if (message == NULL || message[0] == '\0')
		message = ld_err_text(code);
	fprintf(ctl->err, "ledgerctl: %s: %s\n", ld_err_name(code), message);
	if (ctl->json)
		out_json_line(ctl->out, out_error_json(code, message));
	return CTL_REFUSED;
}

int
ctl_conn_fail(struct ctl *ctl, const char *why)
{
	fprintf(ctl->err, "ledgerctl: connection to %s failed: %s\n",
	    ctl->server != NULL ? ctl->server : "server", why);
	return CTL_CONN;
}

/* An environment variable, with "" counting as unset. */
static const char *
env_or(const char *given, const char *name)
{
	const char	*v;

	if (given != NULL)
		return given;
	v = getenv(name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

int
ctl_connect(struct ctl *ctl)
{
	struct conn_params	 p;
	char			 host[CONN_HOST_MAX], port[CONN_PORT_MAX];
	char			 err[512];
	int			 code, rc;

	if (ctl->server == NULL)
		return ctl_usage(ctl, NULL, "no server: give --server HOST:PORT "
		    "or set LEDGER_SERVER");
	if (conn_split_server(ctl->server, host, sizeof(host), port,
	    sizeof(port)) == -1)
		return ctl_usage(ctl, NULL, "--server: '%.200s' is not HOST:PORT "
		    "(an IPv6 address as [ADDR]:PORT)", ctl->server);
	if (ctl->ca == NULL)
		return ctl_usage(ctl, NULL, "no CA: give --ca FILE or set "
		    "LEDGER_CA (the server's certificate is checked against it)");
	if (ctl->key != NULL && ctl->cert == NULL)
		return ctl_usage(ctl, NULL, "--key without --cert");

	p.server = ctl->server;
	p.cert = ctl->cert;
	p.key = ctl->key;
	p.ca = ctl->ca;
	p.timeout_s = CTL_TIMEOUT_S;
	ctl->connected = 1;	/* conn_close() is safe whatever conn_open() did */
	rc = conn_open(&ctl->conn, &p, &code, err, sizeof(err));
	if (rc == CONN_OK)
		return CTL_OK;
	if (rc == CONN_REFUSED)
		return ctl_refusal(ctl, code, err);
	fprintf(ctl->err, "ledgerctl: cannot connect to %s: %s\n", ctl->server,
	    err);
	return CTL_CONN;
}

/* Read the next frame of reqid and sort it into answer, refusal or failure. */
static int
ctl_answer(struct ctl *ctl, uint32_t reqid, uint8_t expect, struct conn_frame *f)
{
	char	 err[MSG_TEXT_MAX + 64];
	int	 code;

	if (conn_recv(&ctl->conn, f, err, sizeof(err)) != CONN_OK)
		return ctl_conn_fail(ctl, err);
	/* reqid 0: the daemon could not read our frame header at all. */
	if (f->type == MSG_ERROR && (f->reqid == reqid || f->reqid == 0)) {
		if (msg_decode_error(f->payload, f->len, &code, err,
		    sizeof(err)) == -1)
			return ctl_conn_fail(ctl, "malformed ERROR answer");
		return ctl_refusal(ctl, code, err);
	}
	if (f->reqid != reqid)
		return ctl_conn_fail(ctl, "answer for another request");
	if (f->type != expect) {
		snprintf(err, sizeof(err), "unexpected answer type 0x%02x",
		    f->type);
		return ctl_conn_fail(ctl, err);
	}
	return CTL_OK;
}

int
ctl_call(struct ctl *ctl, uint8_t type, const struct wbuf *payload,
    uint8_t expect, uint32_t *reqidp, struct conn_frame *f)
{
	char		 err[256];
	uint32_t	 reqid;
	int		 rc;

	rc = conn_send(&ctl->conn, type, payload, &reqid, err, sizeof(err));
	if (rc == CONN_PROTO)
		return ctl_usage(ctl, NULL, "%s", err);
	if (rc != CONN_OK)
		return ctl_conn_fail(ctl, err);
	if (reqidp != NULL)
		*reqidp = reqid;
	return ctl_answer(ctl, reqid, expect, f);
}

int
ctl_next(struct ctl *ctl, uint32_t reqid, uint8_t expect, struct conn_frame *f)
{
	return ctl_answer(ctl, reqid, expect, f);
}

int
ctl_entry_answer(const uint8_t *p, size_t len, int *dup, struct ld_entry *e,
    const uint8_t **enc, size_t *enclen)
{
	struct rbuf	 r;
	uint8_t		 d;
	uint32_t	 n;

	rbuf_init(&r, p, len);
	d = rbuf_u8(&r);
	n = rbuf_u32(&r);
	*enc = rbuf_take(&r, n);
	if (rbuf_done(&r) == -1 || d > 1 || n > LD_ENTRY_ENC_MAX ||
	    entry_decode(e, *enc, n) == -1)
		return -1;
	*dup = d;
	*enclen = n;
	return 0;
}

int
ctl_get(struct ctl *ctl, uint64_t seq, struct ld_entry *e,
    const uint8_t **enc, size_t *enclen)
{
	struct conn_frame	 f;
	struct wbuf		 w;
	int			 rc, dup;

	wbuf_init(&w);
	if (msg_encode_get(&w, seq) == 0)
		rc = ctl_call(ctl, MSG_GET, &w, MSG_ENTRY, NULL, &f);
	else
		rc = ctl_conn_fail(ctl, "GET request cannot be encoded");
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	if (ctl_entry_answer(f.payload, f.len, &dup, e, enc, enclen) == -1 ||
	    e->seq != seq)
		return ctl_conn_fail(ctl, "malformed ENTRY answer");
	return CTL_OK;
}

int
ctl_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct ctl_args	 a;
	struct ctl	 ctl;
	char		 msg[512];
	int		 rc;

	memset(&ctl, 0, sizeof(ctl));
	ctl.out = out;
	ctl.err = err;
	conn_init(&ctl.conn);

	if (args_parse(&a, argc, argv, cmd_tables, msg, sizeof(msg)) == -1)
		return ctl_usage(&ctl, a.cmd, "%s", msg);
	if (a.help) {
		help_print(out, a.cmd);
		return CTL_OK;
	}
	if (a.version) {
		fprintf(out, "ledgerctl %s\n", LEDGERD_VERSION);
		return CTL_OK;
	}
	ctl.json = a.json;
	ctl.server = env_or(a.server, "LEDGER_SERVER");
	ctl.cert = env_or(a.cert, "LEDGER_CERT");
	ctl.key = env_or(a.key, "LEDGER_KEY");
	ctl.ca = env_or(a.ca, "LEDGER_CA");

	rc = a.cmd->run(&ctl, &a);
	if (ctl.connected)
		conn_close(&ctl.conn);
	if (fflush(out) == EOF && rc == CTL_OK) {
		fprintf(err, "ledgerctl: cannot write output\n");
		rc = CTL_CONN;
	}
	return rc;
}
