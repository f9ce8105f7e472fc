/*
 * session.c - the plumbing every command shares (session.h): settings,
 * connect, call, stream, and the three ways of failing.
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
 * ctl_connect() checks the settings before it opens anything, so a missing
 * --ca, a --key without --cert (or a --cert without a key), or a malformed
 * --server is still a usage error (2), never a connection failure: nothing
 * has been sent yet.  A TLS file that is named but cannot be read stays a
 * connection failure (3), as in version 1, and names the file and the
 * system's reason.
 *
 * A server list (session.h) changes none of this: a malformed item is a
 * usage error before anything is tried, and the statuses keep their
 * meaning, 3 only once every server failed.  With more than one server
 * each gets CTL_CONNECT_TIMEOUT_S to accept the connection, so that a
 * machine that is down (no RST, only silence) delays the next server by
 * seconds, not by the minute a single server is given.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cosign.h"
#include "entry.h"
#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "msg_audit.h"
#include "output.h"
#include "regnames.h"
#include "session.h"
#include "values.h"
#include "wire.h"

/* Seconds allowed to connect, to finish the handshake and for each read. */
#define CTL_TIMEOUT_S	60
/* Seconds each server of a list gets to accept the TCP connection. */
#define CTL_CONNECT_TIMEOUT_S	10
/* ctl_answer(): a NOT_LEADER naming a leader, to follow (not a status). */
#define CTL_FOLLOW	(-1)

void
ctl_init(struct ctl *ctl, FILE *out, FILE *err)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->out = out;
	ctl->err = err;
	ctlconn_init(&ctl->conn);
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

void
ctl_settings(struct ctl *ctl, const struct ctl_args *a)
{
	ctl->json = a->json;
	ctl->server = env_or(a->server, "LEDGER_SERVER");
	ctl->cert = env_or(a->cert, "LEDGER_CERT");
	ctl->key = env_or(a->key, "LEDGER_KEY");
	ctl->ca = env_or(a->ca, "LEDGER_CA");
	ctl->crl = env_or(a->crl, "LEDGER_CRL");
}

void
ctl_disconnect(struct ctl *ctl)
{
	if (ctl->connected)
		ctlconn_close(&ctl->conn);
	ctl->connected = 0;
	ctlconn_init(&ctl->conn);
}

int
ctl_finish(struct ctl *ctl, int rc)
{
	if (ctl->connected)
		ctlconn_close(&ctl->conn);
	if (fflush(ctl->out) == EOF && rc == CTL_OK) {
		fprintf(ctl->err, "ledgerctl: cannot write output\n");
		rc = CTL_CONN;
	}
	return rc;
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
	return ctl_refusal_fields(ctl, code, message, NULL);
}

int
ctl_refusal_fields(struct ctl *ctl, int code, const char *message,
    const struct msg_fields *f)
{
	json_t *obj, *v;
	char d[16];
	uint8_t i;

	if (message == NULL || message[0] == '\0')
		message = ld_err_text(code);
	ctl->refusal = code;
	ctl->refusal_seq = 0;
	snprintf(ctl->refusal_msg, sizeof(ctl->refusal_msg), "%s", message);
	for (i = 0; f != NULL && i < f->n; i++)
		if (strcmp(f->f[i].name, "seq") == 0)
			ctl->refusal_seq = f->f[i].value;
	if (ctl->quiet)
		return CTL_REFUSED;
	fprintf(ctl->err, "ledgerctl: %s: %s\n", ld_err_name(code), message);
	if (!ctl->json)
		return CTL_REFUSED;
	/* The figures beside error and message (contract 2.3). */
	obj = out_error_json(code, message);
	for (i = 0; obj != NULL && f != NULL && i < f->n; i++) {
		if (json_object_get(obj, f->f[i].name) != NULL)
			continue;	/* never shadow error or message */
		if (f->f[i].type == MSG_FIELD_DATE) {
			format_date((uint32_t)f->f[i].value, d, sizeof(d));
			v = json_string(d);
		} else if (f->f[i].type == MSG_FIELD_TEXT)
			v = json_string(f->f[i].text);
		else
			v = json_integer((json_int_t)f->f[i].value);
		json_object_set_new(obj, f->f[i].name, v);
	}
	out_json_line(ctl->out, obj);
	return CTL_REFUSED;
}

int
ctl_conn_fail(struct ctl *ctl, const char *why)
{
	fprintf(ctl->err, "ledgerctl: connection to %s failed: %s\n",
	    ctl->server != NULL ? ctl->server : "server", why);
	return CTL_CONN;
}

int
ctl_split_servers(const char *s, char *buf, size_t bufsz, const char **out,
    int max, char *err, size_t errlen)
{
	char		 host[CTLCONN_HOST_MAX], port[CTLCONN_PORT_MAX];
	const char	*p = s, *e;
	size_t		 len, used = 0;
	int		 n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ",");
		len = (size_t)(e - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			snprintf(err, errlen, "empty address in '%.200s'", s);
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "more than %d addresses", max);
			return -1;
		}
		if (len < CTL_ADDR_MAX && used + len + 1 <= bufsz) {
			memcpy(buf + used, p, len);
			buf[used + len] = '\0';
		}
		if (len >= CTL_ADDR_MAX || used + len + 1 > bufsz ||
		    ctlconn_split_server(buf + used, host, sizeof(host), port,
		    sizeof(port)) == -1) {
			snprintf(err, errlen, "'%.*s' is not HOST:PORT (an IPv6 "
			    "address as [ADDR]:PORT)", (int)(len < 200 ? len : 200),
			    p);
			return -1;
		}
		out[n++] = buf + used;
		used += len + 1;
		if (*e == '\0')
			return n;
		p = e + 1;
	}
}

/* Open ctl->conn to address; an enum ctlconn_status, as ctlconn_open(). */
static int
connect_one(struct ctl *ctl, const char *address, int *code, char *err,
    size_t errlen)
{
	struct ctlconn_params	 p;

	memset(&p, 0, sizeof(p));
	p.server = address;
	p.cert = ctl->cert;
	p.key = ctl->key;
	p.ca = ctl->ca;
	p.crl = ctl->crl;
	p.timeout_s = CTL_TIMEOUT_S;
	if (ctl->nservers > 1)
		p.connect_timeout_s = CTL_CONNECT_TIMEOUT_S;
	ctl_disconnect(ctl);
	/* ctlconn_close() is safe whatever ctlconn_open() did. */
	ctl->connected = 1;
	return ctlconn_open(&ctl->conn, &p, code, err, errlen);
}

int
ctl_connect(struct ctl *ctl)
{
	char			 err[512];
	int			 code, rc, i, n;

	if (ctl->server == NULL)
		return ctl_usage(ctl, NULL, "no server: give --server HOST:PORT "
		    "or set LEDGER_SERVER");
	if (ctl->nservers == 0) {
		n = ctl_split_servers(ctl->server, ctl->list, sizeof(ctl->list),
		    ctl->servers, CTL_SERVERS_MAX, err, sizeof(err));
		if (n == -1)
			return ctl_usage(ctl, NULL, "--server: %s", err);
		ctl->nservers = n;
	}
	if (ctl->ca == NULL)
		return ctl_usage(ctl, NULL, "no CA: give --ca FILE or set "
		    "LEDGER_CA (the server's certificate is checked against it)");
	if (ctl->key != NULL && ctl->cert == NULL)
		return ctl_usage(ctl, NULL, "no client certificate: give --cert "
		    "FILE or set LEDGER_CERT (--key without --cert)");
	/*
	 * --cert without --key works only when the certificate file holds
	 * the key as well; otherwise say which option is missing rather
	 * than let OpenSSL fail to read a key from a certificate.  A file
	 * that cannot be read is reported as every unreadable TLS file is,
	 * when the connection is set up.
	 */
	if (ctl->cert != NULL && ctl->key == NULL &&
	    ctlconn_pem_has_key(ctl->cert, err, sizeof(err)) == 0)
		return ctl_usage(ctl, NULL, "no client key: give --key FILE or "
		    "set LEDGER_KEY (%.200s holds no private key)", ctl->cert);

	for (i = 0;; i++) {
		ctl->server = ctl->servers[i];
		rc = connect_one(ctl, ctl->server, &code, err, sizeof(err));
		if (rc == CTLCONN_OK)
			return CTL_OK;
		if (rc == CTLCONN_REFUSED)
			return ctl_refusal(ctl, code, err);
		if (rc == CTLCONN_SETUP || i + 1 == ctl->nservers)
			break;
		fprintf(ctl->err, "ledgerctl: cannot connect to %s: %s; trying "
		    "%s\n", ctl->server, err, ctl->servers[i + 1]);
	}
	fprintf(ctl->err, "ledgerctl: cannot connect to %s: %s\n", ctl->server,
	    err);
	/* Every request needs a role: without a certificate, TLS refuses. */
	if (ctl->cert == NULL && strstr(err, "TLS") != NULL)
		fprintf(ctl->err, "ledgerctl: no client certificate was given "
		    "(--cert FILE --key FILE, or LEDGER_CERT and LEDGER_KEY)\n");
	return CTL_CONN;
}

/*
 * Whether a NOT_LEADER's figures name a leader to follow: another address
 * than the one connected to, one ledgerctl can dial.  Copied to
 * ctl->leader when they do.
 */
static int
leader_named(struct ctl *ctl, const struct msg_fields *f)
{
	char	 host[CTLCONN_HOST_MAX], port[CTLCONN_PORT_MAX];
	uint8_t	 i;

	for (i = 0; i < f->n; i++) {
		if (f->f[i].type != MSG_FIELD_TEXT ||
		    strcmp(f->f[i].name, "leader") != 0)
			continue;
		if (f->f[i].text[0] == '\0' ||
		    strcmp(f->f[i].text, ctl->server) == 0 ||
		    strlen(f->f[i].text) >= sizeof(ctl->leader) ||
		    ctlconn_split_server(f->f[i].text, host, sizeof(host), port,
		    sizeof(port)) == -1)
			return 0;
		memcpy(ctl->leader, f->f[i].text, strlen(f->f[i].text) + 1);
		return 1;
	}
	return 0;
}

/*
 * Read the next frame of reqid and sort it into answer, refusal or
 * failure; with follow, a NOT_LEADER that names a leader is CTL_FOLLOW,
 * not printed.
 */
static int
ctl_answer(struct ctl *ctl, uint32_t reqid, uint8_t expect,
    struct ctlconn_frame *f, int follow)
{
	struct msg_fields fields;
	char	 err[MSG_TEXT_MAX + 64];
	int	 code;

	if (ctlconn_recv(&ctl->conn, f, err, sizeof(err)) != CTLCONN_OK)
		return ctl_conn_fail(ctl, err);
	/* reqid 0: the daemon could not read our frame header at all. */
	if (f->type == MSG_ERROR && (f->reqid == reqid || f->reqid == 0)) {
		if (msg_decode_refusal(f->payload, f->len, &code, err,
		    sizeof(err), &fields) == -1)
			return ctl_conn_fail(ctl, "malformed ERROR answer");
		if (follow && code == LD_E_NOT_LEADER &&
		    leader_named(ctl, &fields))
			return CTL_FOLLOW;
		return ctl_refusal_fields(ctl, code, err, &fields);
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

/* ctl_call() on the open connection, following NOT_LEADER if follow. */
static int
call_once(struct ctl *ctl, uint8_t type, const struct wbuf *payload,
    uint8_t expect, uint32_t *reqidp, struct ctlconn_frame *f, int follow)
{
	char		 err[256];
	uint32_t	 reqid;
	int		 rc;

	rc = ctlconn_send(&ctl->conn, type, payload, &reqid, err, sizeof(err));
	if (rc == CTLCONN_PROTO)
		return ctl_usage(ctl, NULL, "%s", err);
	if (rc != CTLCONN_OK)
		return ctl_conn_fail(ctl, err);
	if (reqidp != NULL)
		*reqidp = reqid;
	return ctl_answer(ctl, reqid, expect, f, follow);
}

int
ctl_call(struct ctl *ctl, uint8_t type, const struct wbuf *payload,
    uint8_t expect, uint32_t *reqidp, struct ctlconn_frame *f)
{
	char	 err[512], from[CTL_ADDR_MAX];
	int	 rc, code;

	rc = call_once(ctl, type, payload, expect, reqidp, f, 1);
	if (rc != CTL_FOLLOW)
		return rc;
	/* Once: what the leader answers, NOT_LEADER included, is final. */
	snprintf(from, sizeof(from), "%s", ctl->server);
	ctl->server = ctl->leader;
	rc = connect_one(ctl, ctl->leader, &code, err, sizeof(err));
	if (rc == CTLCONN_REFUSED)
		return ctl_refusal(ctl, code, err);
	if (rc != CTLCONN_OK) {
		fprintf(ctl->err, "ledgerctl: cannot connect to %s, the leader "
		    "named by %s: %s\n", ctl->leader, from, err);
		return CTL_CONN;
	}
	return call_once(ctl, type, payload, expect, reqidp, f, 0);
}

int
ctl_next(struct ctl *ctl, uint32_t reqid, uint8_t expect,
    struct ctlconn_frame *f)
{
	return ctl_answer(ctl, reqid, expect, f, 0);
}

/* What precedes the encoding in an ENTRY payload: u8 duplicate, u32 len. */
#define ENTRY_ANSWER_HDR	5

int
ctl_entry_answer(const uint8_t *p, size_t len, int *dup, struct ld_entry *e,
    const uint8_t **enc, size_t *enclen)
{
	/*
	 * proto's decoder judges the payload; it requires the encoding to
	 * run from the header to the end, so that is where it lies.
	 */
	if (msg_decode_entry(p, len, dup, e) == -1)
		return -1;
	*enc = p + ENTRY_ANSWER_HDR;
	*enclen = len - ENTRY_ANSWER_HDR;
	return 0;
}

int
ctl_get(struct ctl *ctl, uint64_t seq, struct ld_entry *e,
    const uint8_t **enc, size_t *enclen)
{
	struct ctlconn_frame	 f;
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


/* Send request type (payload w, freed here) and stream its ENTRIES to fn. */
static int
ctl_entries(struct ctl *ctl, uint8_t type, struct wbuf *w, ctl_entry_fn fn,
    void *arg)
{
	struct msg_entries_iter	 it;
	struct ctlconn_frame	 f;
	const uint8_t		*enc;
	size_t			 len;
	uint32_t		 reqid;
	int			 r, rc;

	rc = ctl_call(ctl, type, w, MSG_ENTRIES, &reqid, &f);
	wbuf_free(w);
	if (rc != CTL_OK)
		return rc;
	for (;;) {
		if (msg_entries_open(&it, f.payload, f.len) == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		while ((r = msg_entries_next(&it, &enc, &len)) == 1)
			if ((rc = fn(ctl, enc, len, arg)) != CTL_OK)
				return rc;
		if (r == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		if (!(f.flags & FRAME_F_MORE))
			return CTL_OK;
		if ((rc = ctl_next(ctl, reqid, MSG_ENTRIES, &f)) != CTL_OK)
			return rc;
	}
}

int
ctl_list(struct ctl *ctl, const struct msg_list *l, ctl_entry_fn fn, void *arg)
{
	struct wbuf w;

	wbuf_init(&w);
	if (msg_encode_list(&w, l) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, NULL, "LIST request cannot be encoded");
	}
	return ctl_entries(ctl, MSG_LIST, &w, fn, arg);
}

int
ctl_find(struct ctl *ctl, int by, const char *key, ctl_entry_fn fn, void *arg)
{
	struct msg_find q;
	struct wbuf w;

	memset(&q, 0, sizeof(q));
	q.by = (uint8_t)by;
	snprintf(q.key, sizeof(q.key), "%s", key);
	wbuf_init(&w);
	if (msg_encode_find(&w, &q) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, NULL, "'%.80s' is not a ref or id (1-64 "
		    "printable ASCII characters)", key);
	}
	return ctl_entries(ctl, MSG_FIND, &w, fn, arg);
}

int
ctl_approvals(struct ctl *ctl, int what, uint16_t fy, ctl_entry_fn fn,
    void *arg)
{
	struct msg_approvals q;
	struct wbuf w;

	q.what = (uint8_t)what;
	q.fy = fy;
	wbuf_init(&w);
	if (msg_encode_approvals(&w, &q) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, NULL, "APPROVALS request cannot be "
		    "encoded");
	}
	return ctl_entries(ctl, MSG_APPROVALS, &w, fn, arg);
}

int
ctl_checkpoint(struct ctl *ctl, char *note, size_t *len, json_t **cosigned)
{
	struct ctlconn_frame	 f;
	struct msg_cosigned	*cs;
	struct ckpt_verifier	 w;
	const char		*n;
	json_t			*arr, *o;
	char			 key[CKPT_VERIFIER_MAX];
	size_t			 nlen, ncs, i;
	int			 rc;

	if (cosigned != NULL)
		*cosigned = NULL;
	if ((cs = calloc(MSG_COSIGNED_MAX, sizeof(*cs))) == NULL) {
		fprintf(ctl->err, "ledgerctl: out of memory\n");
		return CTL_CONN;
	}
	if ((rc = ctl_call(ctl, MSG_CHECKPOINT, NULL, MSG_CHECKPOINT_OK, NULL,
	    &f)) != CTL_OK)
		goto out;
	if (msg_decode_checkpoint_ok_cosigned(f.payload, f.len, &n, &nlen, cs,
	    &ncs) == -1 || nlen > CKPT_NOTE_MAX) {
		rc = ctl_conn_fail(ctl, "malformed CHECKPOINT_OK answer");
		goto out;
	}
	memcpy(note, n, nlen);
	*len = nlen;
	if (cosigned != NULL) {
		arr = json_array();
		for (i = 0; i < ncs; i++) {
			if (cosign_verifier_parse(&w, cs[i].witness,
			    cs[i].witness_len) != CKPT_OK)
				continue;
			cosign_verifier_format(&w, key, sizeof(key));
			o = json_pack("{s:s, s:s, s:I, s:s%}", "witness",
			    w.name, "key", key, "size", (json_int_t)(cs[i].size >
			    INT64_MAX ? INT64_MAX : cs[i].size), "note",
			    cs[i].note, cs[i].note_len);
			if (o != NULL)
				json_array_append_new(arr, o);
		}
		*cosigned = arr;
	}
out:
	free(cs);
	return rc;
}

int
ctl_region_names(struct ctl *ctl, struct regnames *rn)
{
	struct msg_entries_iter	 it;
	struct ctlconn_frame	 f;
	struct ld_entry		 e;
	const uint8_t		*enc;
	size_t			 len;
	uint32_t		 reqid;
	int			 rc, r;

	rc = ctl_call(ctl, MSG_REGION_LIST, NULL, MSG_ENTRIES, &reqid, &f);
	while (rc == CTL_OK) {
		if (msg_entries_open(&it, f.payload, f.len) == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		while ((r = msg_entries_next(&it, &enc, &len)) == 1) {
			if (entry_decode(&e, enc, len) == -1 ||
			    e.kind != LD_K_REGION)
				return ctl_conn_fail(ctl, "malformed region in "
				    "answer");
			if (regnames_add(rn, e.region, e.name) == -1)
				return ctl_conn_fail(ctl, "out of memory");
		}
		if (r == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		if (!(f.flags & FRAME_F_MORE))
			break;
		rc = ctl_next(ctl, reqid, MSG_ENTRIES, &f);
	}
	regnames_sort(rn);
	return rc;
}
