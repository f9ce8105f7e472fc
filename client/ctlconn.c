/*
 * ctlconn.c - the client end of a ledgerd connection: TCP, TLS 1.3, frames.
 *
 * Deliberately simple: one blocking socket with send and receive timeouts,
 * one request in flight at a time.  ledgerctl runs one command per process,
 * so there is nothing to multiplex; a stream (LIST) is read frame by frame
 * and printed as it arrives, so memory stays at one frame.
 *
 * Trust: the server certificate must chain to the --ca file and nothing
 * else, and must name the host (SSL_set1_host) or the IP address
 * (X509_VERIFY_PARAM_set1_ip_asc) the user typed.  With --crl it must also
 * not be revoked: the CRLs in that file are added to the store with
 * X509_V_FLAG_CRL_CHECK, which checks the server's own certificate.  SNI is sent for names
 * only; RFC 6066 forbids an IP literal there.
 *
 * TLS 1.3 moves client authentication after the client's handshake: the
 * client's SSL_connect() returns before the server has looked at the
 * client certificate, and a refusal arrives as an alert on the first read.
 * That read is the HELLO_OK, still inside ctlconn_open(), so a refused
 * certificate is reported as a connection failure with the alert's name,
 * never as a protocol error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ctlconn.h"
#include "errors.h"
#include "frame.h"

static void	sigpipe_block(sigset_t *);
static void	sigpipe_restore(const sigset_t *);

static const uint8_t	 empty_payload[1];

static int	write_blocked(struct ctl_conn *, const uint8_t *, size_t, char *,
		    size_t);

int
ctlconn_split_server(const char *server, char *host, size_t hostsz, char *port,
    size_t portsz)
{
	const char	*h, *p, *end;
	size_t		 hl, i;
	unsigned long	 v = 0;

	if (server == NULL)
		return -1;
	if (server[0] == '[') {
		h = server + 1;
		end = strchr(h, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		hl = (size_t)(end - h);
		p = end + 2;
	} else {
		end = strrchr(server, ':');
		if (end == NULL)
			return -1;
		h = server;
		hl = (size_t)(end - h);
		/* A bare IPv6 address is ambiguous: require brackets. */
		if (memchr(h, ':', hl) != NULL)
			return -1;
		p = end + 1;
	}
	if (hl == 0 || hl >= hostsz)
		return -1;
	for (i = 0; i < hl; i++)
		if (h[i] <= ' ' || h[i] == 0x7f || h[i] == '[' || h[i] == ']' ||
		    h[i] == '/')
			return -1;
	if (p[0] == '\0' || strlen(p) > 5 || strlen(p) >= portsz)
		return -1;
	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memcpy(port, p, strlen(p) + 1);
	return 0;
}

void
ctlconn_init(struct ctl_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->max_frame = FRAME_MAX_MAX;
	c->next_reqid = 1;
}

/* The reason of the most recent OpenSSL error, or fallback. */
static const char *
ssl_errstr(const char *fallback)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*s = e != 0 ? ERR_reason_error_string(e) : NULL;

	return s != NULL ? s : fallback;
}

/* Alerts by which a server says it does not accept our certificate. */
static int
cert_alert(int reason)
{
	switch (reason) {
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
	case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
	case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/*
 * Describe why an SSL_connect/read/write that returned ret failed.  saved
 * is errno as it was right after the call.
 */
static void
ssl_describe(struct ctl_conn *c, int ret, int saved, char *err, size_t errlen)
{
	unsigned long	 e;
	long		 vr;
	int		 reason, kind;

	kind = SSL_get_error(c->ssl, ret);

	if (kind == SSL_ERROR_SYSCALL || kind == SSL_ERROR_SSL)
		c->broken = 1;
	switch (kind) {
	case SSL_ERROR_ZERO_RETURN:
		snprintf(err, errlen, "connection closed by server");
		break;
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		snprintf(err, errlen, "timed out waiting for the server");
		break;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_last_error() == 0 && saved != 0)
			snprintf(err, errlen, "%s", strerror(saved));
		else if (ERR_peek_last_error() != 0)
			snprintf(err, errlen, "%s", ssl_errstr("TLS error"));
		else
			snprintf(err, errlen, "connection closed by server");
		break;
	case SSL_ERROR_SSL:
		e = ERR_peek_last_error();
		reason = ERR_GET_REASON(e);
		if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
			vr = SSL_get_verify_result(c->ssl);
			if (vr == X509_V_ERR_CERT_REVOKED)
				snprintf(err, errlen, "server certificate is "
				    "revoked (listed in the CRL)");
			else
				snprintf(err, errlen, "server certificate "
				    "verify failed: %s",
				    X509_verify_cert_error_string(vr));
		} else if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			snprintf(err, errlen, "connection closed by server");
		else if (cert_alert(reason)) {
			c->alert = 1;
			snprintf(err, errlen, "server refused the client "
			    "certificate (TLS alert: %s)", ssl_errstr("unknown"));
		} else {
			if (reason >= SSL_AD_REASON_OFFSET)
				c->alert = 1;
			snprintf(err, errlen, "TLS error: %s", ssl_errstr("unknown"));
		}
		break;
	default:
		snprintf(err, errlen, "TLS error: %s", ssl_errstr("unknown"));
		break;
	}
	ERR_clear_error();
}

/*
 * Open path for reading: a FILE, or NULL with "cannot read WHAT file
 * PATH: reason" in err.  Each file is opened here before OpenSSL reads it,
 * so that a missing or unreadable file is named with the system's reason
 * instead of OpenSSL's ("PEM lib", "system lib").
 */
static FILE *
open_pem(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "cannot read %s file %s: %s", what, path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s file %s: %s", what, path,
		    strerror(EISDIR));
		fclose(f);
		return NULL;
	}
	return f;
}

static int
readable(const char *what, const char *path, char *err, size_t errlen)
{
	FILE	*f;

	if ((f = open_pem(what, path, err, errlen)) == NULL)
		return -1;
	fclose(f);
	return 0;
}

int
ctlconn_pem_has_key(const char *path, char *err, size_t errlen)
{
	char	 line[256];
	FILE	*f;
	int	 found = 0;

	if ((f = open_pem("certificate", path, err, errlen)) == NULL)
		return -1;
	/* "-----BEGIN PRIVATE KEY-----", "... EC PRIVATE KEY-----", ... */
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line, "-----BEGIN ", 11) == 0 &&
		    strstr(line, "PRIVATE KEY-----") != NULL;
	fclose(f);
	return found;
}

/*
 * Every CRL in the PEM file path into the context's store, and CRL checking
 * of the server's certificate on.  With the flag set, a server whose CA has
 * no CRL in the file, or whose CRL has expired, fails verification too:
 * the user asked for revocation to be checked, so an unknown answer is no.
 */
static int
load_crl(struct ctl_conn *c, const char *path, char *err, size_t errlen)
{
	X509_STORE	*store = SSL_CTX_get_cert_store(c->ctx);
	X509_CRL	*crl;
	FILE		*f;
	int		 n = 0, rc = -1;

	if ((f = open_pem("CRL", path, err, errlen)) == NULL)
		return -1;
	while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_crl(store, crl) != 1) {
			X509_CRL_free(crl);
			snprintf(err, errlen, "cannot load CRL %s: %s", path,
			    ssl_errstr("unusable CRL"));
			goto fail;
		}
		X509_CRL_free(crl);
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "cannot load CRL %s: no PEM CRL in it",
		    path);
		goto fail;
	}
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	rc = 0;
fail:
	ERR_clear_error();	/* the end of the file reads as an error */
	fclose(f);
	return rc;
}

static int
load_ctx(struct ctl_conn *c, const struct ctlconn_params *p, char *err,
    size_t errlen)
{
	const char	*key = p->key != NULL ? p->key : p->cert;

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL) {
		snprintf(err, errlen, "TLS setup: %s", ssl_errstr("out of memory"));
		return -1;
	}
	if (SSL_CTX_set_min_proto_version(c->ctx, TLS1_3_VERSION) != 1) {
		snprintf(err, errlen, "TLS setup: %s", ssl_errstr("no TLS 1.3"));
		return -1;
	}
	/* Only the given CA: never SSL_CTX_set_default_verify_paths(). */
	if (readable("CA", p->ca, err, errlen) == -1)
		return -1;
	if (SSL_CTX_load_verify_locations(c->ctx, p->ca, NULL) != 1) {
		snprintf(err, errlen, "cannot load CA %s: no PEM certificate "
		    "in it (%s)", p->ca, ssl_errstr("unreadable"));
		return -1;
	}
	if (p->crl != NULL && load_crl(c, p->crl, err, errlen) == -1)
		return -1;
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (p->cert != NULL) {
		if (readable("certificate", p->cert, err, errlen) == -1 ||
		    readable("key", key, err, errlen) == -1)
			return -1;
		if (SSL_CTX_use_certificate_chain_file(c->ctx, p->cert) != 1) {
			snprintf(err, errlen, "cannot load certificate %s: no "
			    "PEM certificate in it (%s)", p->cert,
			    ssl_errstr("unreadable"));
			return -1;
		}
		if (SSL_CTX_use_PrivateKey_file(c->ctx, key, SSL_FILETYPE_PEM) != 1) {
			snprintf(err, errlen, "cannot load key %s: no PEM "
			    "private key in it (%s)", key,
			    ssl_errstr("unreadable"));
			return -1;
		}
		if (SSL_CTX_check_private_key(c->ctx) != 1) {
			snprintf(err, errlen, "key %s does not match certificate %s",
			    key, p->cert);
			return -1;
		}
	}
	return 0;
}

/*
 * Connect one address within connect_s, then give each later read and
 * write io_s; the socket, or -1 with errno set.
 */
static int
connect_addr(const struct addrinfo *ai, int connect_s, int io_s)
{
	struct pollfd	 pfd;
	struct timeval	 tv;
	socklen_t	 len = sizeof(int);
	int		 fd, flags, soerr = 0, one = 1, rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1)
		return -1;
	flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			rc = poll(&pfd, 1, connect_s * 1000);
		while (rc == -1 && errno == EINTR);
		if (rc == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (rc == -1)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, flags) == -1)
		goto fail;
	tv.tv_sec = io_s;
	tv.tv_usec = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		goto fail;
	/* Requests are small and answered at once: do not wait for Nagle. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	rc = errno;
	close(fd);
	errno = rc;
	return -1;
}

static int
tcp_connect(struct ctl_conn *c, int connect_s, int io_s, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	int		 rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(c->host, c->port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", c->host,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		c->fd = connect_addr(ai, connect_s, io_s);
		if (c->fd != -1)
			break;
		saved = errno;
	}
	freeaddrinfo(res);
	if (c->fd == -1) {
		snprintf(err, errlen, "%s", strerror(saved != 0 ? saved : ECONNREFUSED));
		return -1;
	}
	return 0;
}

static int
is_ip_literal(const char *host)
{
	unsigned char	 buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

static int
tls_handshake(struct ctl_conn *c, char *err, size_t errlen)
{
	sigset_t old;
	int	 ret, saved;

	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		snprintf(err, errlen, "TLS setup: %s", ssl_errstr("out of memory"));
		return -1;
	}
	if (is_ip_literal(c->host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		    c->host) != 1) {
			snprintf(err, errlen, "TLS setup: bad IP address %s", c->host);
			return -1;
		}
	} else {
		SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set_tlsext_host_name(c->ssl, c->host) != 1 ||
		    SSL_set1_host(c->ssl, c->host) != 1) {
			snprintf(err, errlen, "TLS setup: bad host name %s", c->host);
			return -1;
		}
	}
	ERR_clear_error();
	errno = 0;
	sigpipe_block(&old);	/* the handshake writes too */
	ret = SSL_connect(c->ssl);
	saved = errno;
	sigpipe_restore(&old);
	if (ret != 1) {
		ssl_describe(c, ret, saved, err, errlen);
		return -1;
	}
	return 0;
}

/*
 * A write to a socket the server has closed raises SIGPIPE.  The process
 * keeps the default action (so `ledgerctl list | head` ends quietly), and
 * the socket writes block the signal instead and consume one they caused,
 * as libcurl does: there is no MSG_NOSIGNAL through OpenSSL's socket BIO.
 */
static void
sigpipe_block(sigset_t *old)
{
	sigset_t	 s;

	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	sigprocmask(SIG_BLOCK, &s, old);
}

static void
sigpipe_restore(const sigset_t *old)
{
	const struct timespec	 zero = { 0, 0 };
	sigset_t		 s, pending;

	if (!sigismember(old, SIGPIPE) && sigpending(&pending) == 0 &&
	    sigismember(&pending, SIGPIPE)) {
		sigemptyset(&s);
		sigaddset(&s, SIGPIPE);
		while (sigtimedwait(&s, NULL, &zero) == -1 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, old, NULL);
}

/* Write all of buf; 0 or -1 with err. */
static int
write_all(struct ctl_conn *c, const uint8_t *buf, size_t len, char *err,
    size_t errlen)
{
	sigset_t	 old;
	int		 rc;

	sigpipe_block(&old);
	rc = write_blocked(c, buf, len, err, errlen);
	sigpipe_restore(&old);
	return rc;
}

static int
write_blocked(struct ctl_conn *c, const uint8_t *buf, size_t len, char *err,
    size_t errlen)
{
	int	 ret, saved;

	while (len > 0) {
		ERR_clear_error();
		errno = 0;
		ret = SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
		saved = errno;
		if (ret <= 0) {
			ssl_describe(c, ret, saved, err, errlen);
			return -1;
		}
		buf += ret;
		len -= (size_t)ret;
	}
	return 0;
}

static int
read_all(struct ctl_conn *c, uint8_t *buf, size_t len, char *err, size_t errlen)
{
	sigset_t old;
	int	 ret, saved;

	while (len > 0) {
		ERR_clear_error();
		errno = 0;
		/* A read may write: alerts, key updates. */
		sigpipe_block(&old);
		ret = SSL_read(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
		saved = errno;
		sigpipe_restore(&old);
		if (ret <= 0) {
			ssl_describe(c, ret, saved, err, errlen);
			return -1;
		}
		buf += ret;
		len -= (size_t)ret;
	}
	return 0;
}

int
ctlconn_send(struct ctl_conn *c, uint8_t type, const struct wbuf *payload,
    uint32_t *reqid, char *err, size_t errlen)
{
	struct frame_hdr	 h;
	uint8_t			*buf;
	size_t			 len = payload != NULL ? payload->len : 0;
	int			 rc;

	if (payload != NULL && payload->err) {
		snprintf(err, errlen, "out of memory building the request");
		return CTLCONN_PROTO;
	}
	if (len > c->max_frame - FRAME_HDR_LEN) {
		snprintf(err, errlen, "request of %zu bytes exceeds the server's "
		    "max_frame_bytes (%u)", len + FRAME_HDR_LEN, c->max_frame);
		return CTLCONN_PROTO;
	}
	buf = malloc(FRAME_HDR_LEN + len);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return CTLCONN_FAIL;
	}
	h.type = type;
	h.flags = 0;
	h.reqid = c->next_reqid++;
	if (c->next_reqid == 0)
		c->next_reqid = 1;
	h.len = (uint32_t)len;
	frame_hdr_encode(buf, &h);
	if (len > 0)
		memcpy(buf + FRAME_HDR_LEN, payload->data, len);
	rc = write_all(c, buf, FRAME_HDR_LEN + len, err, errlen);
	free(buf);
	if (rc == -1)
		return CTLCONN_FAIL;
	if (reqid != NULL)
		*reqid = h.reqid;
	return CTLCONN_OK;
}

int
ctlconn_recv(struct ctl_conn *c, struct ctlconn_frame *f, char *err,
    size_t errlen)
{
	struct frame_hdr	 h;
	uint8_t			 hdr[FRAME_HDR_LEN];
	uint8_t			*nb;
	int			 st;

	if (read_all(c, hdr, sizeof(hdr), err, errlen) == -1)
		return CTLCONN_FAIL;
	st = frame_hdr_decode(&h, hdr, sizeof(hdr), c->max_frame);
	if (st != FRAME_OK) {
		snprintf(err, errlen, "bad frame from server (%s)",
		    st == FRAME_BAD_MAGIC ? "bad magic, not a ledgerd server?" :
		    st == FRAME_BAD_VERSION ? "unsupported frame version" :
		    st == FRAME_TOO_LARGE ? "frame exceeds max_frame_bytes" :
		    "truncated header");
		return CTLCONN_PROTO;
	}
	if (h.len > c->bufcap) {
		nb = realloc(c->buf, h.len);
		if (nb == NULL) {
			snprintf(err, errlen, "out of memory for a %u-byte frame",
			    h.len);
			return CTLCONN_FAIL;
		}
		c->buf = nb;
		c->bufcap = h.len;
	}
	if (h.len > 0 && read_all(c, c->buf, h.len, err, errlen) == -1)
		return CTLCONN_FAIL;
	f->type = h.type;
	f->flags = h.flags;
	f->reqid = h.reqid;
	f->payload = h.len > 0 ? c->buf : empty_payload;
	f->len = h.len;
	return CTLCONN_OK;
}

/* HELLO, then HELLO_OK or ERROR. */
static int
say_hello(struct ctl_conn *c, int *code, char *err, size_t errlen)
{
	struct ctlconn_frame	 f;
	struct wbuf		 w;
	uint32_t		 reqid;
	char			 alerted[256];
	int			 rc;

	wbuf_init(&w);
	if (msg_encode_hello(&w, PROTO_VERSION_MIN, PROTO_VERSION) == -1) {
		wbuf_free(&w);
		snprintf(err, errlen, "out of memory");
		return CTLCONN_FAIL;
	}
	rc = ctlconn_send(c, MSG_HELLO, &w, &reqid, err, errlen);
	wbuf_free(&w);
	if (rc != CTLCONN_OK) {
		/*
		 * A server that refused our certificate may already have sent
		 * its alert and closed; reading picks the alert up and names it.
		 */
		if (rc == CTLCONN_FAIL && ctlconn_recv(c, &f, alerted,
		    sizeof(alerted)) != CTLCONN_OK && c->alert)
			snprintf(err, errlen, "%s", alerted);
		return CTLCONN_FAIL;
	}
	rc = ctlconn_recv(c, &f, err, errlen);
	if (rc != CTLCONN_OK)
		return rc;
	if (f.type == MSG_ERROR && (f.reqid == reqid || f.reqid == 0)) {
		if (msg_decode_error(f.payload, f.len, code, err, errlen) == -1) {
			snprintf(err, errlen, "malformed ERROR answer to HELLO");
			return CTLCONN_PROTO;
		}
		if (err[0] == '\0')
			snprintf(err, errlen, "%s", ld_err_text(*code));
		return CTLCONN_REFUSED;
	}
	if (f.type != MSG_HELLO_OK || f.reqid != reqid ||
	    msg_decode_hello_ok(f.payload, f.len, &c->hello) == -1) {
		snprintf(err, errlen, "unexpected answer to HELLO (type 0x%02x)",
		    f.type);
		return CTLCONN_PROTO;
	}
	if (c->hello.version < PROTO_VERSION_MIN ||
	    c->hello.version > PROTO_VERSION) {
		snprintf(err, errlen, "server chose protocol version %u, "
		    "this client speaks %u", c->hello.version, PROTO_VERSION);
		return CTLCONN_PROTO;
	}
	if (c->hello.max_frame < FRAME_MIN_MAX ||
	    c->hello.max_frame > FRAME_MAX_MAX) {
		snprintf(err, errlen, "server announced an invalid "
		    "max_frame_bytes (%u)", c->hello.max_frame);
		return CTLCONN_PROTO;
	}
	c->max_frame = c->hello.max_frame;
	return CTLCONN_OK;
}

int
ctlconn_open(struct ctl_conn *c, const struct ctlconn_params *p, int *code,
    char *err, size_t errlen)
{
	int	 timeout_s = p->timeout_s > 0 ? p->timeout_s : 30;
	int	 connect_s = p->connect_timeout_s > 0 ? p->connect_timeout_s :
		    timeout_s;

	*code = 0;
	err[0] = '\0';
	if (ctlconn_split_server(p->server, c->host, sizeof(c->host), c->port,
	    sizeof(c->port)) == -1) {
		snprintf(err, errlen, "bad server address (expected HOST:PORT)");
		return CTLCONN_FAIL;
	}
	if (load_ctx(c, p, err, errlen) == -1)
		return CTLCONN_SETUP;
	if (tcp_connect(c, connect_s, timeout_s, err, errlen) == -1)
		return CTLCONN_FAIL;
	if (tls_handshake(c, err, errlen) == -1)
		return CTLCONN_FAIL;
	return say_hello(c, code, err, errlen);
}

void
ctlconn_close(struct ctl_conn *c)
{
	if (c->ssl != NULL) {
		/* close_notify only on a healthy session; a failed one may block. */
		if (!c->broken && SSL_is_init_finished(c->ssl) &&
		    !(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN)) {
			sigset_t	 old;

			sigpipe_block(&old);
			(void)SSL_shutdown(c->ssl);
			sigpipe_restore(&old);
		}
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	SSL_CTX_free(c->ctx);
	c->ctx = NULL;
	free(c->buf);
	c->buf = NULL;
	c->bufcap = 0;
	ERR_clear_error();
}
