/*
 * peer_tls.c - libraft's transport over TLS 1.3 with mutual authentication:
 * an in-process TLS proxy per peer connection.
 *
 * libraft reads and writes a uv_stream_t, and OpenSSL cannot sit inside a
 * libuv stream.  So each connection is two sockets: libraft gets one end of
 * a unix socketpair as a uv_pipe_t (uv_pipe_open()) and speaks its plain
 * protocol into it; we hold the other end and the TCP socket, and relay
 * between them, encrypting one way and decrypting the other.
 *
 * Where the proxy runs: on raft's own uv loop, with a uv_poll_t on each of
 * our two fds and OpenSSL non-blocking directly on the TCP fd (SSL_set_fd,
 * no memory BIO: one copy fewer).  A thread of our own would take the
 * crypto off raft's loop, but libraft is single-threaded: its accept and
 * connect callbacks, and raft_free() of the streams we hand it, must run on
 * its loop, so a proxy thread needs a queue and a wakeup for every
 * hand-over and a two-thread shutdown handshake for close().  On the loop,
 * none of that exists; the cost is AES-GCM (about a gigabyte a second with
 * AES-NI, against a few tens of megabytes a second of raft traffic) and
 * the socketpair's syscalls, which bench/raft-transport measures against
 * libraft's plain TCP transport: about 2 % fewer entries a second, in
 * batches of 64 and of 1,024 (README).
 *
 * Identity.  One SSL_CTX serves both directions: TLS 1.3 only, key
 * exchange limited to the configured groups, peer_ca the only trust
 * anchor, a certificate required both ways.  The verify callback, at depth
 * 0 once the chain is good, reads the certificate's one CN: outbound it
 * must be node-<the id raft asked for>; inbound node-<a configured peer
 * other than us>, and that id (and the peer's raft address from our
 * table, never anything the peer sends) is what libraft's accept callback
 * gets.  Refusing inside the handshake sends the peer an alert that says
 * why.  libraft's stock TCP transport opens each connection with a
 * handshake carrying the sender's id and address, which its listener reads
 * before handing the stream over; ours carries the identity in the
 * certificate, so no such bytes are sent, and the stream libraft gets
 * starts with its first message, as it expects.
 *
 * Each relay direction has one bounded buffer (PT_BUF).  When the buffer
 * toward the peer is full we stop reading libraft's socket; its writes then
 * wait in libuv's queue as they would behind a slow TCP peer.  When the
 * buffer toward libraft is full we stop reading TLS, and the peer's TCP
 * window closes.  A slow peer therefore costs at most two buffers here.
 * OpenSSL can hold decrypted bytes that poll() cannot see, so the pump
 * retries every direction until none makes progress, instead of waiting for
 * an event that may never come.
 *
 * Ends.  libraft ends a connection with uv_close(): we read EOF, pass on what
 * is buffered, send close_notify and wait (at most the handshake timeout)
 * for the peer's.  The peer's close_notify (or a bare EOF) becomes EOF on
 * libraft's socket after what is buffered (shutdown(SHUT_WR)).  A reset, a
 * TLS error or EPIPE from libraft's side tears the connection down at once;
 * libraft then sees EOF or EPIPE and reconnects.
 *
 * Ownership: the transport (struct pt) owns every struct pt_conn on its
 * list, each conn its fds, SSL and uv handles; pt_conn_close() is the one
 * way a connection ends, and the conn is freed when its last handle's
 * close callback has run.  The uv_pipe_t given to libraft belongs to
 * libraft from the callback on (it uv_close()s and raft_free()s it).  An
 * outbound request's callback fires exactly once: with the stream, or with
 * RAFT_NOCONNECTION, or RAFT_CANCELED when the transport closes.  close()'s
 * callback fires after every handle has closed and every fd is released.
 */
#define _GNU_SOURCE	/* accept4(2): the accepted socket non-blocking in one call */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <uv.h>

#include "log.h"
#include "peer_tls.h"
#include "server.h"		/* tls_check_key_file() (tls.c) */

#define PT_BUF		(64 * 1024)	/* per direction and connection */
#define PT_COMPACT	(16 * 1024)	/* compact when less room is left */
#define PT_HANDSHAKE_MS	10000
#define PT_MAX_HANDSHAKES 16		/* inbound, not yet authenticated */
#define PT_BACKLOG	64
#define PT_ACCEPT_BURST	16		/* accept()s per readable event */
#define PT_LOG_PER_S	10		/* lines per kind and second */
#define PT_CN_MAX	64

enum pt_kind { PT_IN, PT_OUT };
enum pt_state { PT_CONNECTING, PT_HANDSHAKE, PT_RELAY, PT_CLOSING };
enum pt_log { PT_LOG_REFUSED, PT_LOG_TIMEOUT, PT_LOG_EVICTED, PT_LOG_N };

/* Bytes b[off, off + len) are waiting. */
struct pt_buf {
	size_t		 off;
	size_t		 len;
	unsigned char	 b[PT_BUF];
};

struct pt;

struct pt_conn {
	TAILQ_ENTRY(pt_conn)	 c_entry;
	struct pt		*c_t;
	enum pt_kind		 c_kind;
	enum pt_state		 c_state;
	int			 c_fd;		/* TCP */
	int			 c_pfd;		/* our end of the socketpair */
	SSL			*c_ssl;
	uv_poll_t		 c_tcp_poll;
	uv_poll_t		 c_plain_poll;	/* once relaying */
	uv_timer_t		 c_timer;	/* handshake and linger deadline */
	int			 c_handles;	/* initialized, not yet closed */
	int			 c_tcp_ev;	/* events c_tcp_poll waits for */
	int			 c_plain_ev;
	raft_id			 c_id;		/* expected (out), proven (in) */
	char			 c_addr[PEER_TLS_ADDR_MAX]; /* remote, for logs */
	char			 c_why[160];	/* identity refusal, for the log */
	struct raft_uv_connect	*c_req;		/* outbound, until its callback */
	raft_uv_connect_cb	 c_cb;
	int			 c_status;	/* for c_cb when closed */
	int			 c_connect_errno; /* connect() failed at once */
	uint64_t		 c_nread;	/* plaintext bytes from the peer */
	/* Relay state. */
	struct pt_buf		*c_up;		/* raft -> peer, plaintext */
	struct pt_buf		*c_down;	/* peer -> raft, decrypted */
	int			 c_want_tcp;	/* this pass's wishes */
	int			 c_want_plain;
	int			 c_plain_eof;	/* raft closed its side */
	int			 c_tls_eof;	/* the peer closed its side */
	int			 c_plain_shut;	/* raft was told (SHUT_WR) */
	int			 c_notify_sent;
	int			 c_stalled;	/* counted in st.stalled */
	size_t			 c_wretry;	/* SSL_write length to repeat */
};

struct pt_logrl {
	int64_t		 second;
	unsigned	 count;
	unsigned	 suppressed;
};

struct pt {
	struct raft_uv_transport *t_transport;
	uv_loop_t		*t_loop;
	SSL_CTX			*t_ctx;
	raft_id			 t_id;
	char			 t_listen[PEER_TLS_ADDR_MAX];	/* "" until init */
	struct peer_tls_peer	*t_peers;
	size_t			 t_npeers;
	unsigned		 t_hs_ms;
	int			 t_lfd;
	uv_poll_t		 t_lpoll;
	uv_timer_t		 t_accept_timer;	/* EMFILE pause */
	uv_timer_t		 t_log_timer;		/* suppressed counts */
	int			 t_handles;
	int			 t_inited;
	int			 t_closing;
	raft_uv_accept_cb	 t_accept_cb;
	raft_uv_transport_close_cb t_close_cb;
	unsigned		 t_nhandshakes;	/* inbound */
	TAILQ_HEAD(, pt_conn)	 t_conns;
	struct pt_logrl		 t_logrl[PT_LOG_N];
	struct peer_tls_stats	 t_st;
};

static void	pt_pump(struct pt_conn *);
static void	pt_conn_close(struct pt_conn *, int status);
static void	pt_maybe_closed(struct pt *);

/* Logging, rate-limited per kind so that a flood cannot fill the disk. */

static int64_t
pt_mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static void
pt_log_flush(struct pt *t)
{
	static const char *const what[PT_LOG_N] = {
		"refused peer TLS handshakes", "peer TLS handshake timeouts",
		"peer handshakes closed to admit others"
	};
	int i;

	for (i = 0; i < PT_LOG_N; i++) {
		if (t->t_logrl[i].suppressed > 0)
			log_info("%u similar messages suppressed (%s)",
			    t->t_logrl[i].suppressed, what[i]);
		t->t_logrl[i].suppressed = 0;
	}
}

static void
pt_log_timer_cb(uv_timer_t *h)
{
	pt_log_flush(h->data);
}

/*
 * Whether a line of kind may be logged now: PT_LOG_PER_S a second, past
 * that counted and the count logged a second after the first left out.
 */
static int
pt_log_allow(struct pt *t, enum pt_log kind)
{
	struct pt_logrl *rl = &t->t_logrl[kind];
	int64_t now = pt_mono_seconds();

	if (rl->second != now) {
		rl->second = now;
		rl->count = 0;
	}
	if (rl->count < PT_LOG_PER_S) {
		rl->count++;
		return 1;
	}
	rl->suppressed++;
	if (!t->t_closing && !uv_is_active((uv_handle_t *)&t->t_log_timer))
		uv_timer_start(&t->t_log_timer, pt_log_timer_cb, 1000, 0);
	return 0;
}

/* Addresses and identities. */

/*
 * "a.b.c.d:port" or "[v6]:port", numeric only, port 1-65535, into ss.
 * 0 or -1.
 */
static int
pt_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct addrinfo hints, *res = NULL;
	char host[PEER_TLS_ADDR_MAX];
	const char *port, *end;
	size_t hlen, i;

	if (strlen(s) >= sizeof(host))
		return -1;
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':')
			return -1;
		hlen = (size_t)(end - s - 1);
		memcpy(host, s + 1, hlen);
		port = end + 2;
	} else {
		if ((end = strchr(s, ':')) == NULL || strchr(end + 1, ':'))
			return -1;
		hlen = (size_t)(end - s);
		memcpy(host, s, hlen);
		port = end + 1;
	}
	host[hlen] = '\0';
	if (hlen == 0 || port[0] == '\0' || port[0] == '0' || strlen(port) > 5)
		return -1;
	for (i = 0; port[i] != '\0'; i++)
		if (port[i] < '0' || port[i] > '9')
			return -1;
	if (atoi(port) > 65535)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		return -1;
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* The remote address of fd as "ip:port", for log lines. */
static void
pt_remote_name(int fd, char *buf, size_t bufsz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	snprintf(buf, bufsz, "?");
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
		snprintf(buf, bufsz, "%s:%u", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
		snprintf(buf, bufsz, "[%s]:%u", host, port);
	}
}

static const struct peer_tls_peer *
pt_peer_find(const struct pt *t, raft_id id)
{
	size_t i;

	for (i = 0; i < t->t_npeers; i++)
		if (t->t_peers[i].id == id)
			return &t->t_peers[i];
	return NULL;
}

/*
 * The node id a certificate names: its subject has exactly one CN, and it
 * is "node-" and a decimal number from 1 without leading zeros.  The CN,
 * printable, goes to cn for log lines.  0 or -1.
 */
static int
pt_cert_id(X509 *cert, raft_id *id, char *cn, size_t cnsz)
{
	X509_NAME *subj;
	unsigned char *utf8 = NULL;
	raft_id v = 0;
	int idx, len, i, rc = -1;

	snprintf(cn, cnsz, "(none)");
	if (cert == NULL || (subj = X509_get_subject_name(cert)) == NULL)
		return -1;
	if ((idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1)) < 0)
		return -1;
	if (X509_NAME_get_index_by_NID(subj, NID_commonName, idx) >= 0) {
		snprintf(cn, cnsz, "(several CNs)");
		return -1;
	}
	len = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)));
	if (len <= 0 || len >= PT_CN_MAX) {
		OPENSSL_free(utf8);
		return -1;
	}
	for (i = 0; i < len && (size_t)i + 1 < cnsz; i++)
		cn[i] = (utf8[i] >= 0x20 && utf8[i] < 0x7f) ? (char)utf8[i] : '?';
	cn[i] = '\0';
	if (len < 6 || memcmp(utf8, "node-", 5) != 0 || utf8[5] == '0')
		goto out;
	for (i = 5; i < len; i++) {
		if (utf8[i] < '0' || utf8[i] > '9' || v > (UINT64_MAX - 9) / 10)
			goto out;
		v = v * 10 + (raft_id)(utf8[i] - '0');
	}
	*id = v;
	rc = 0;
out:
	OPENSSL_free(utf8);
	return rc;
}

/*
 * OpenSSL's verify callback: once the chain is good (depth 0, ok), refuse
 * a certificate that does not name the node we want (see the top).
 */
static int
pt_verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl;
	struct pt_conn *c;
	raft_id id = 0;
	char cn[PT_CN_MAX];

	if (!ok || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL || (c = SSL_get_app_data(ssl)) == NULL)
		return 0;
	if (pt_cert_id(X509_STORE_CTX_get_current_cert(xs), &id, cn,
	    sizeof(cn)) != 0) {
		snprintf(c->c_why, sizeof(c->c_why),
		    "certificate CN %s is not node-<id>", cn);
		goto refuse;
	}
	if (c->c_kind == PT_OUT) {
		if (id != c->c_id) {
			snprintf(c->c_why, sizeof(c->c_why), "server is %s, "
			    "not node-%llu", cn, (unsigned long long)c->c_id);
			goto refuse;
		}
		return 1;
	}
	if (id == c->c_t->t_id || pt_peer_find(c->c_t, id) == NULL) {
		snprintf(c->c_why, sizeof(c->c_why),
		    "%s is not a configured peer", cn);
		goto refuse;
	}
	c->c_id = id;
	return 1;
refuse:
	X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
	return 0;
}

/*
 * The one context, both directions (see the top); the key file must not be
 * readable by group or others, and the certificate must name this node.
 */
static SSL_CTX *
pt_ctx_new(const struct peer_tls_conf *conf, char *err, size_t errlen)
{
	STACK_OF(X509_NAME) *names;
	const char *groups = conf->groups ? conf->groups : "X25519:P-256";
	const char *what = "context", *path = "";
	char ebuf[256] = "unknown error", cn[PT_CN_MAX];
	unsigned long e;
	raft_id id = 0;
	SSL_CTX *ctx;

	ERR_clear_error();
	/* libraft frames its messages: a bare EOF cannot cut one short unseen. */
	if ((ctx = tls_ctx_13(TLS_method(), "ledgerd-peer")) == NULL)
		goto ssl_fail;
	what = "groups";
	path = groups;
	if (SSL_CTX_set1_groups_list(ctx, groups) != 1)
		goto ssl_fail;
	if (tls_check_key_file(conf->key_file, err, errlen) != 0)
		goto fail;
	what = "peer_cert";
	path = conf->cert_file;
	if (SSL_CTX_use_certificate_chain_file(ctx, conf->cert_file) != 1)
		goto ssl_fail;
	what = "peer_key";
	path = conf->key_file;
	if (SSL_CTX_use_PrivateKey_file(ctx, conf->key_file,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		goto ssl_fail;
	what = "peer_ca";
	path = conf->ca_file;
	if (SSL_CTX_load_verify_locations(ctx, conf->ca_file, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(conf->ca_file)) == NULL)
		goto ssl_fail;
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	    pt_verify_cb);
	/* A peer would refuse us anyway; say why at start instead. */
	if (pt_cert_id(SSL_CTX_get0_certificate(ctx), &id, cn, sizeof(cn)) != 0 ||
	    id != conf->id) {
		snprintf(err, errlen, "peer_cert %s: CN is %s, not node-%llu",
		    conf->cert_file, cn, (unsigned long long)conf->id);
		goto fail;
	}
	return ctx;
ssl_fail:
	if ((e = ERR_peek_last_error()) != 0)
		ERR_error_string_n(e, ebuf, sizeof(ebuf));
	snprintf(err, errlen, "%s %s: %s", what, path, ebuf);
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/* A copy of the table, checked: 0 or RAFT_INVALID / RAFT_NOMEM. */
static int
pt_peers_copy(const struct peer_tls_peer *peers, size_t n,
    struct peer_tls_peer **out, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	size_t i, j;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (peers[i].id == 0 || memchr(peers[i].address, '\0',
		    sizeof(peers[i].address)) == NULL ||
		    pt_parse_addr(peers[i].address, &ss, &sslen) != 0) {
			snprintf(err, errlen, "peer %zu: id must be 1 or more "
			    "and the address numeric ip:port", i + 1);
			return RAFT_INVALID;
		}
		for (j = 0; j < i; j++)
			if (peers[j].id == peers[i].id) {
				snprintf(err, errlen, "peer id %llu twice",
				    (unsigned long long)peers[i].id);
				return RAFT_INVALID;
			}
	}
	if (n == 0)
		return 0;
	if ((*out = calloc(n, sizeof(**out))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return RAFT_NOMEM;
	}
	memcpy(*out, peers, n * sizeof(**out));
	return 0;
}

/* Connections. */

/*
 * The last handle of c has closed: release the rest, then answer an
 * outbound request still waiting (as libraft's own transport does, from a
 * close callback, never inside connect() or close()).
 */
static void
pt_conn_handle_closed(uv_handle_t *h)
{
	struct pt_conn *c = h->data;
	struct pt *t = c->c_t;
	struct raft_uv_connect *req = c->c_req;
	raft_uv_connect_cb cb = c->c_cb;
	int status = c->c_status;

	if (--c->c_handles > 0)
		return;
	/* libuv no longer watches the fds: now they may go. */
	if (c->c_fd != -1)
		close(c->c_fd);
	if (c->c_pfd != -1)
		close(c->c_pfd);
	SSL_free(c->c_ssl);
	free(c->c_up);
	free(c->c_down);
	TAILQ_REMOVE(&t->t_conns, c, c_entry);
	t->t_st.open--;
	free(c);
	if (req != NULL)
		cb(req, NULL, status);
	pt_maybe_closed(t);
}

/*
 * The one way a connection ends.  An outbound request still waiting is
 * answered with status once the handles have closed.
 */
static void
pt_conn_close(struct pt_conn *c, int status)
{
	struct pt *t = c->c_t;

	if (c->c_state == PT_CLOSING)
		return;
	c->c_status = status;
	if (c->c_kind == PT_IN && c->c_state != PT_RELAY)
		t->t_nhandshakes--;
	if (c->c_stalled)
		t->t_st.stalled--;
	c->c_state = PT_CLOSING;
	uv_close((uv_handle_t *)&c->c_tcp_poll, pt_conn_handle_closed);
	uv_close((uv_handle_t *)&c->c_timer, pt_conn_handle_closed);
	if (c->c_pfd != -1)
		uv_close((uv_handle_t *)&c->c_plain_poll, pt_conn_handle_closed);
}

static void
pt_poll_cb(uv_poll_t *h, int status, int events)
{
	struct pt_conn *c = h->data;

	(void)events;
	pt_pump(c);
	/*
	 * POLLERR: libuv has stopped the handle.  The pump has passed on what
	 * it could and usually met the socket's error itself; if not, the
	 * connection is dead all the same.
	 */
	if (status < 0)
		pt_conn_close(c, RAFT_NOCONNECTION);
}

static void
pt_timer_cb(uv_timer_t *h)
{
	struct pt_conn *c = h->data;
	struct pt *t = c->c_t;

	if (c->c_state == PT_RELAY) {
		log_debug("peer %s: no close_notify in time, closing", c->c_addr);
		pt_conn_close(c, RAFT_NOCONNECTION);
		return;
	}
	t->t_st.timeouts++;
	if (pt_log_allow(t, PT_LOG_TIMEOUT))
		log_warnx("peer %s: TLS handshake not done in %u ms, closed",
		    c->c_addr, t->t_hs_ms);
	pt_conn_close(c, RAFT_NOCONNECTION);
}

/* Set the poll masks to this pass's wishes. */
static void
pt_arm(struct pt_conn *c)
{
	if (c->c_want_tcp != c->c_tcp_ev) {
		c->c_tcp_ev = c->c_want_tcp;
		if (c->c_tcp_ev != 0)
			uv_poll_start(&c->c_tcp_poll, c->c_tcp_ev, pt_poll_cb);
		else
			uv_poll_stop(&c->c_tcp_poll);
	}
	if (c->c_pfd != -1 && c->c_want_plain != c->c_plain_ev) {
		c->c_plain_ev = c->c_want_plain;
		if (c->c_plain_ev != 0)
			uv_poll_start(&c->c_plain_poll, c->c_plain_ev,
			    pt_poll_cb);
		else
			uv_poll_stop(&c->c_plain_poll);
	}
}

static struct pt_conn *
pt_conn_new(struct pt *t, enum pt_kind kind, int fd)
{
	struct pt_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->c_ssl = SSL_new(t->t_ctx)) == NULL ||
	    SSL_set_fd(c->c_ssl, fd) != 1) {
		ERR_clear_error();
		SSL_free(c->c_ssl);
		free(c);
		return NULL;
	}
	SSL_set_app_data(c->c_ssl, c);
	if (kind == PT_IN)
		SSL_set_accept_state(c->c_ssl);
	else
		SSL_set_connect_state(c->c_ssl);
	c->c_t = t;
	c->c_kind = kind;
	c->c_fd = fd;
	c->c_pfd = -1;
	uv_poll_init_socket(t->t_loop, &c->c_tcp_poll, fd);
	uv_timer_init(t->t_loop, &c->c_timer);
	c->c_tcp_poll.data = c;
	c->c_timer.data = c;
	c->c_handles = 2;
	uv_timer_start(&c->c_timer, pt_timer_cb, t->t_hs_ms, 0);
	TAILQ_INSERT_TAIL(&t->t_conns, c, c_entry);
	t->t_st.open++;
	return c;
}

/* Why a handshake failed, for its log line. */
static void
pt_handshake_reason(struct pt_conn *c, int sslerr, int saved_errno,
    char *buf, size_t bufsz)
{
	long vr = SSL_get_verify_result(c->c_ssl);
	unsigned long e = ERR_peek_last_error();

	if (c->c_why[0] != '\0')
		snprintf(buf, bufsz, "%s", c->c_why);
	else if (vr != X509_V_OK)
		snprintf(buf, bufsz, "certificate: %s",
		    X509_verify_cert_error_string(vr));
	else if (e != 0)
		ERR_error_string_n(e, buf, bufsz);
	else if (sslerr == SSL_ERROR_SYSCALL && saved_errno != 0)
		snprintf(buf, bufsz, "%s", strerror(saved_errno));
	else
		snprintf(buf, bufsz, "connection closed in the handshake");
	ERR_clear_error();
}

/*
 * The handshake succeeded: make the socketpair, give libraft its end, and
 * start relaying.  -1 when the pair cannot be made (the conn is closed).
 */
static int
pt_start_relay(struct pt_conn *c)
{
	struct pt *t = c->c_t;
	struct raft_uv_connect *req;
	uv_pipe_t *pipe = NULL;
	int sv[2] = { -1, -1 };

	/* Its raft address, below, comes from the table, never from the peer. */
	if (c->c_kind == PT_IN && pt_peer_find(t, c->c_id) == NULL)
		goto fail;
	if ((c->c_up = malloc(sizeof(*c->c_up))) == NULL ||
	    (c->c_down = malloc(sizeof(*c->c_down))) == NULL)
		goto fail;
	c->c_up->off = c->c_up->len = 0;
	c->c_down->off = c->c_down->len = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) != 0) {
		log_warn("peer %s: socketpair", c->c_addr);
		goto fail;
	}
	/* libraft uv_close()s and raft_free()s it (see the top). */
	if ((pipe = raft_malloc(sizeof(*pipe))) == NULL)
		goto fail;
	if (uv_pipe_init(t->t_loop, pipe, 0) != 0) {
		raft_free(pipe);
		goto fail;
	}
	if (uv_pipe_open(pipe, sv[0]) != 0) {
		uv_close((uv_handle_t *)pipe, (uv_close_cb)raft_free);
		goto fail;
	}
	sv[0] = -1;		/* the pipe's now */
	c->c_pfd = sv[1];
	uv_poll_init_socket(t->t_loop, &c->c_plain_poll, c->c_pfd);
	c->c_plain_poll.data = c;
	c->c_handles++;
	uv_timer_stop(&c->c_timer);
	if (c->c_kind == PT_IN)
		t->t_nhandshakes--;
	c->c_state = PT_RELAY;
	if (c->c_kind == PT_IN) {
		const struct peer_tls_peer *p = pt_peer_find(t, c->c_id);

		t->t_st.accepted++;
		log_debug("peer node-%llu connected from %s",
		    (unsigned long long)c->c_id, c->c_addr);
		t->t_accept_cb(t->t_transport, c->c_id, p->address,
		    (uv_stream_t *)pipe);
	} else {
		t->t_st.connected++;
		req = c->c_req;
		c->c_req = NULL;
		c->c_cb(req, (uv_stream_t *)pipe, 0);
	}
	return 0;
fail:
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	pt_conn_close(c, RAFT_NOCONNECTION);
	return -1;
}

/*
 * Move the handshake on.  1 when it is done and relaying started, 0 while
 * it waits for the socket, -1 when the conn was closed.
 */
static int
pt_handshake(struct pt_conn *c)
{
	struct pt *t = c->c_t;
	char why[256];
	int n, e, saved;

	if (c->c_state == PT_CONNECTING) {
		socklen_t len = sizeof(e);

		if (c->c_connect_errno != 0)
			e = c->c_connect_errno;
		else if (getsockopt(c->c_fd, SOL_SOCKET, SO_ERROR, &e,
		    &len) != 0)
			e = errno;
		if (e == EINPROGRESS || e == EALREADY) {
			c->c_want_tcp = UV_WRITABLE;
			return 0;
		}
		if (e != 0) {
			log_debug("peer node-%llu at %s: connect: %s",
			    (unsigned long long)c->c_id, c->c_addr,
			    strerror(e));
			pt_conn_close(c, RAFT_NOCONNECTION);
			return -1;
		}
		c->c_state = PT_HANDSHAKE;
	}
	ERR_clear_error();
	errno = 0;
	n = SSL_do_handshake(c->c_ssl);
	if (n == 1)
		return pt_start_relay(c) == 0 ? 1 : -1;
	saved = errno;
	switch (e = SSL_get_error(c->c_ssl, n)) {
	case SSL_ERROR_WANT_READ:
		c->c_want_tcp = UV_READABLE;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->c_want_tcp = UV_WRITABLE;
		return 0;
	default:
		break;
	}
	pt_handshake_reason(c, e, saved, why, sizeof(why));
	t->t_st.refused++;
	if (c->c_kind == PT_OUT) {
		if (pt_log_allow(t, PT_LOG_REFUSED))
			log_warnx("peer node-%llu at %s: TLS handshake "
			    "refused: %s", (unsigned long long)c->c_id,
			    c->c_addr, why);
	} else if (pt_log_allow(t, PT_LOG_REFUSED))
		log_warnx("peer %s: TLS handshake refused: %s", c->c_addr,
		    why);
	pt_conn_close(c, RAFT_NOCONNECTION);
	return -1;
}

/* Make room at the end of b by moving its bytes to the front. */
static size_t
pt_room(struct pt_buf *b)
{
	if (b->len == 0)
		b->off = 0;
	else if (b->off > 0 && PT_BUF - b->off - b->len < PT_COMPACT) {
		memmove(b->b, b->b + b->off, b->len);
		b->off = 0;
	}
	return PT_BUF - b->off - b->len;
}

/* Relay steps: 1 progress, 0 blocked or nothing to do, -1 conn over. */

static int
pt_tls_read(struct pt_conn *c)
{
	struct pt_buf *b = c->c_down;
	size_t room;
	int n, e;

	if (c->c_tls_eof || (room = pt_room(b)) == 0)
		return 0;
	ERR_clear_error();
	n = SSL_read(c->c_ssl, b->b + b->off + b->len,
	    room > INT_MAX ? INT_MAX : (int)room);
	if (n > 0) {
		b->len += (size_t)n;
		c->c_nread += (uint64_t)n;
		c->c_t->t_st.bytes_in += (uint64_t)n;
		return 1;
	}
	switch (e = SSL_get_error(c->c_ssl, n)) {
	case SSL_ERROR_WANT_READ:
		c->c_want_tcp |= UV_READABLE;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->c_want_tcp |= UV_WRITABLE;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		c->c_tls_eof = 1;
		return 1;
	default:
		break;
	}
	/*
	 * In TLS 1.3 our handshake ends before the server has judged our
	 * certificate: its refusal is an alert on the first read.
	 */
	if (e == SSL_ERROR_SSL && c->c_kind == PT_OUT && c->c_nread == 0) {
		c->c_t->t_st.refused++;
		if (pt_log_allow(c->c_t, PT_LOG_REFUSED))
			log_warnx("peer node-%llu at %s refused us: %s",
			    (unsigned long long)c->c_id, c->c_addr,
			    ERR_reason_error_string(ERR_peek_last_error()));
	} else
		log_debug("peer %s: TLS read: %s", c->c_addr,
		    e == SSL_ERROR_SYSCALL ? strerror(errno) :
		    ERR_reason_error_string(ERR_peek_last_error()));
	ERR_clear_error();
	return -1;
}

static int
pt_plain_write(struct pt_conn *c)
{
	struct pt_buf *b = c->c_down;
	int progress = 0;
	ssize_t n;

	while (b->len > 0) {
		n = send(c->c_pfd, b->b + b->off, b->len, MSG_NOSIGNAL);
		if (n > 0) {
			b->off += (size_t)n;
			b->len -= (size_t)n;
			progress = 1;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->c_want_plain |= UV_WRITABLE;
			break;
		} else {
			/* libraft closed its stream: nothing can be delivered. */
			return -1;
		}
	}
	if (c->c_tls_eof && b->len == 0 && !c->c_plain_shut) {
		shutdown(c->c_pfd, SHUT_WR);
		c->c_plain_shut = 1;
		progress = 1;
	}
	return progress;
}

static int
pt_plain_read(struct pt_conn *c)
{
	struct pt_buf *b = c->c_up;
	size_t room;
	ssize_t n;

	if (c->c_plain_eof || (room = pt_room(b)) == 0)
		return 0;
	n = recv(c->c_pfd, b->b + b->off + b->len, room, 0);
	if (n > 0) {
		b->len += (size_t)n;
		return 1;
	}
	if (n == 0) {
		c->c_plain_eof = 1;
		/* Bounded wait for the peer's close_notify. */
		uv_timer_start(&c->c_timer, pt_timer_cb, c->c_t->t_hs_ms, 0);
		return 1;
	}
	if (errno == EINTR)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		c->c_want_plain |= UV_READABLE;
		return 0;
	}
	return -1;
}

static int
pt_tls_write(struct pt_conn *c)
{
	struct pt_buf *b = c->c_up;
	int progress = 0, n, e, len;

	while (b->len > 0) {
		/* After WANT_*, OpenSSL wants the same length again. */
		len = c->c_wretry ? (int)c->c_wretry :
		    b->len > INT_MAX ? INT_MAX : (int)b->len;
		ERR_clear_error();
		n = SSL_write(c->c_ssl, b->b + b->off, len);
		if (n > 0) {
			c->c_wretry = 0;
			b->off += (size_t)n;
			b->len -= (size_t)n;
			c->c_t->t_st.bytes_out += (uint64_t)n;
			progress = 1;
			continue;
		}
		switch (e = SSL_get_error(c->c_ssl, n)) {
		case SSL_ERROR_WANT_WRITE:
			c->c_want_tcp |= UV_WRITABLE;
			c->c_wretry = (size_t)len;
			return progress;
		case SSL_ERROR_WANT_READ:
			c->c_want_tcp |= UV_READABLE;
			c->c_wretry = (size_t)len;
			return progress;
		default:
			log_debug("peer %s: TLS write: %s", c->c_addr,
			    e == SSL_ERROR_SYSCALL ? strerror(errno) :
			    ERR_reason_error_string(ERR_peek_last_error()));
			ERR_clear_error();
			return -1;
		}
	}
	if (c->c_plain_eof && !c->c_notify_sent) {
		ERR_clear_error();
		if ((n = SSL_shutdown(c->c_ssl)) >= 0) {
			c->c_notify_sent = 1;
			return 1;
		}
		switch (SSL_get_error(c->c_ssl, n)) {
		case SSL_ERROR_WANT_WRITE:
			c->c_want_tcp |= UV_WRITABLE;
			break;
		case SSL_ERROR_WANT_READ:
			c->c_want_tcp |= UV_READABLE;
			break;
		default:
			ERR_clear_error();
			return -1;
		}
	}
	return progress;
}

/*
 * Move every byte that can move, until nothing does (OpenSSL may hold
 * bytes poll() cannot see), then wait for what blocked.
 */
static void
pt_pump(struct pt_conn *c)
{
	struct pt *t = c->c_t;
	int progress, r, stalled;

	if (c->c_state == PT_CLOSING)
		return;
	if (c->c_state != PT_RELAY) {
		c->c_want_tcp = 0;
		if ((r = pt_handshake(c)) < 0)
			return;
		if (r == 0) {
			pt_arm(c);
			return;
		}
	}
	do {
		c->c_want_tcp = c->c_want_plain = 0;
		progress = 0;
		if ((r = pt_tls_read(c)) < 0 ||
		    (progress |= r, r = pt_plain_write(c)) < 0 ||
		    (progress |= r, r = pt_plain_read(c)) < 0 ||
		    (progress |= r, r = pt_tls_write(c)) < 0) {
			pt_conn_close(c, RAFT_NOCONNECTION);
			return;
		}
		progress |= r;
	} while (progress);
	if (c->c_plain_eof && c->c_notify_sent && c->c_up->len == 0 &&
	    c->c_tls_eof && c->c_plain_shut) {
		pt_conn_close(c, 0);
		return;
	}
	stalled = pt_room(c->c_up) == 0 || pt_room(c->c_down) == 0;
	if (stalled != c->c_stalled) {
		c->c_stalled = stalled;
		if (stalled)
			t->t_st.stalled++;
		else
			t->t_st.stalled--;
	}
	pt_arm(c);
}

/* The listener. */

static void pt_listen_cb(uv_poll_t *, int, int);

static void
pt_accept_timer_cb(uv_timer_t *h)
{
	struct pt *t = h->data;

	if (!t->t_closing)
		uv_poll_start(&t->t_lpoll, UV_READABLE, pt_listen_cb);
}

/* Make room for one more unauthenticated peer: close the oldest. */
static void
pt_evict_oldest(struct pt *t)
{
	struct pt_conn *c;

	TAILQ_FOREACH(c, &t->t_conns, c_entry) {
		if (c->c_kind == PT_IN && c->c_state == PT_HANDSHAKE) {
			t->t_st.evicted++;
			if (pt_log_allow(t, PT_LOG_EVICTED))
				log_warnx("peer %s: %u handshakes in progress, "
				    "closing the oldest", c->c_addr,
				    PT_MAX_HANDSHAKES);
			pt_conn_close(c, RAFT_NOCONNECTION);
			return;
		}
	}
}

static void
pt_set_sockopts(int fd)
{
	int one = 1, idle = 15, intvl = 5, cnt = 3;

	/* Raft's messages are latency-bound: no Nagle delay on the last record. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* A peer that vanished without FIN or RST is noticed in about 30 s. */
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void
pt_listen_cb(uv_poll_t *h, int status, int events)
{
	struct pt *t = h->data;
	struct pt_conn *c;
	int fd, i;

	(void)events;
	if (status < 0) {
		/* libuv stopped the handle; try again in a second. */
		log_warnx("peer listener: %s, pausing 1 s", uv_strerror(status));
		uv_timer_start(&t->t_accept_timer, pt_accept_timer_cb, 1000, 0);
		return;
	}
	for (i = 0; i < PT_ACCEPT_BURST && !t->t_closing; i++) {
		fd = accept4(t->t_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Pause rather than spin on a full fd table. */
				log_warn("peer listener: accept, pausing 1 s");
				uv_poll_stop(&t->t_lpoll);
				uv_timer_start(&t->t_accept_timer,
				    pt_accept_timer_cb, 1000, 0);
			}
			return;
		}
		if (t->t_nhandshakes >= PT_MAX_HANDSHAKES)
			pt_evict_oldest(t);
		pt_set_sockopts(fd);
		if ((c = pt_conn_new(t, PT_IN, fd)) == NULL) {
			log_warnx("peer listener: out of memory");
			close(fd);
			continue;
		}
		t->t_nhandshakes++;
		c->c_state = PT_HANDSHAKE;
		pt_remote_name(fd, c->c_addr, sizeof(c->c_addr));
		pt_pump(c);
	}
}

/* struct raft_uv_transport's methods. */

static int
pt_init(struct raft_uv_transport *transport, raft_id id, const char *address)
{
	struct pt *t = transport->impl;

	if (id != t->t_id) {
		snprintf(transport->errmsg, sizeof(transport->errmsg),
		    "raft id %llu, but peer_cert is node-%llu",
		    (unsigned long long)id, (unsigned long long)t->t_id);
		return RAFT_INVALID;
	}
	if (t->t_listen[0] == '\0') {
		if (strlen(address) >= sizeof(t->t_listen)) {
			snprintf(transport->errmsg, sizeof(transport->errmsg),
			    "address too long: %s", address);
			return RAFT_INVALID;
		}
		snprintf(t->t_listen, sizeof(t->t_listen), "%s", address);
	}
	uv_timer_init(t->t_loop, &t->t_accept_timer);
	uv_timer_init(t->t_loop, &t->t_log_timer);
	t->t_accept_timer.data = t;
	t->t_log_timer.data = t;
	t->t_handles = 2;
	t->t_inited = 1;
	return 0;
}

static int
pt_listen(struct raft_uv_transport *transport, raft_uv_accept_cb cb)
{
	struct pt *t = transport->impl;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd = -1, one = 1;

	if (pt_parse_addr(t->t_listen, &ss, &sslen) != 0) {
		snprintf(transport->errmsg, sizeof(transport->errmsg),
		    "raft_listen %s: not a numeric ip:port", t->t_listen);
		return RAFT_INVALID;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sslen) != 0 ||
	    listen(fd, PT_BACKLOG) != 0)
		goto fail;
	t->t_lfd = fd;
	uv_poll_init_socket(t->t_loop, &t->t_lpoll, fd);
	t->t_lpoll.data = t;
	t->t_handles++;
	t->t_accept_cb = cb;
	uv_poll_start(&t->t_lpoll, UV_READABLE, pt_listen_cb);
	return 0;
fail:
	snprintf(transport->errmsg, sizeof(transport->errmsg),
	    "raft_listen %s: %s", t->t_listen, strerror(errno));
	if (fd != -1)
		close(fd);
	return RAFT_IOERR;
}

static int
pt_connect(struct raft_uv_transport *transport, struct raft_uv_connect *req,
    raft_id id, const char *address, raft_uv_connect_cb cb)
{
	struct pt *t = transport->impl;
	struct sockaddr_storage ss;
	struct pt_conn *c;
	socklen_t sslen;
	int fd, saved = 0;

	if (pt_parse_addr(address, &ss, &sslen) != 0) {
		snprintf(transport->errmsg, sizeof(transport->errmsg),
		    "node-%llu: address %s is not a numeric ip:port",
		    (unsigned long long)id, address);
		return RAFT_NOCONNECTION;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		snprintf(transport->errmsg, sizeof(transport->errmsg),
		    "socket: %s", strerror(errno));
		return RAFT_NOCONNECTION;
	}
	pt_set_sockopts(fd);
	if (connect(fd, (struct sockaddr *)&ss, sslen) != 0 &&
	    errno != EINPROGRESS)
		saved = errno;	/* answered through the loop all the same */
	if ((c = pt_conn_new(t, PT_OUT, fd)) == NULL) {
		close(fd);
		snprintf(transport->errmsg, sizeof(transport->errmsg),
		    "out of memory");
		return RAFT_NOMEM;
	}
	c->c_state = PT_CONNECTING;
	c->c_connect_errno = saved;
	c->c_id = id;
	c->c_req = req;
	c->c_cb = cb;
	req->cb = cb;
	snprintf(c->c_addr, sizeof(c->c_addr), "%s", address);
	/* The result comes through the loop, never inside this call. */
	c->c_want_tcp = UV_WRITABLE;
	pt_arm(c);
	return 0;
}

static void
pt_maybe_closed(struct pt *t)
{
	raft_uv_transport_close_cb cb;

	if (!t->t_closing || t->t_handles > 0 || !TAILQ_EMPTY(&t->t_conns) ||
	    t->t_close_cb == NULL)
		return;
	cb = t->t_close_cb;
	t->t_close_cb = NULL;
	cb(t->t_transport);
}

static void
pt_handle_closed(uv_handle_t *h)
{
	struct pt *t = h->data;

	if (h == (uv_handle_t *)&t->t_lpoll) {
		close(t->t_lfd);
		t->t_lfd = -1;
	}
	t->t_handles--;
	pt_maybe_closed(t);
}

static void
pt_close(struct raft_uv_transport *transport, raft_uv_transport_close_cb cb)
{
	struct pt *t = transport->impl;
	struct pt_conn *c, *next;

	t->t_closing = 1;
	t->t_close_cb = cb;
	for (c = TAILQ_FIRST(&t->t_conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, c_entry);
		pt_conn_close(c, RAFT_CANCELED);
	}
	if (t->t_inited) {
		pt_log_flush(t);
		uv_close((uv_handle_t *)&t->t_accept_timer, pt_handle_closed);
		uv_close((uv_handle_t *)&t->t_log_timer, pt_handle_closed);
		if (t->t_lfd != -1)
			uv_close((uv_handle_t *)&t->t_lpoll, pt_handle_closed);
	}
	pt_maybe_closed(t);
}

/* The API (peer_tls.h). */

int
peer_tls_init(struct raft_uv_transport *transport, struct uv_loop_s *loop,
    const struct peer_tls_conf *conf, char *err, size_t errlen)
{
	void *data = transport->data;
	struct pt *t;

	if (conf->id == 0) {
		snprintf(err, errlen, "node id must be 1 or more");
		return -1;
	}
	if (conf->listen != NULL &&
	    strlen(conf->listen) >= PEER_TLS_ADDR_MAX) {
		snprintf(err, errlen, "raft_listen %s: too long", conf->listen);
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pt_peers_copy(conf->peers, conf->npeers, &t->t_peers, err,
	    errlen) != 0)
		goto fail;
	t->t_npeers = conf->npeers;
	if ((t->t_ctx = pt_ctx_new(conf, err, errlen)) == NULL)
		goto fail;
	t->t_loop = loop;
	t->t_id = conf->id;
	if (conf->listen != NULL)
		snprintf(t->t_listen, sizeof(t->t_listen), "%s", conf->listen);
	t->t_hs_ms = conf->handshake_timeout_ms ? conf->handshake_timeout_ms :
	    PT_HANDSHAKE_MS;
	t->t_lfd = -1;
	TAILQ_INIT(&t->t_conns);
	memset(transport, 0, sizeof(*transport));
	transport->data = data;
	transport->impl = t;
	transport->init = pt_init;
	transport->listen = pt_listen;
	transport->connect = pt_connect;
	transport->close = pt_close;
	t->t_transport = transport;
	return 0;
fail:
	free(t->t_peers);
	free(t);
	return -1;
}

void
peer_tls_close(struct raft_uv_transport *transport)
{
	struct pt *t = transport->impl;

	if (t == NULL)
		return;
	SSL_CTX_free(t->t_ctx);
	free(t->t_peers);
	free(t);
	transport->impl = NULL;
}

int
peer_tls_set_peers(struct raft_uv_transport *transport,
    const struct peer_tls_peer *peers, size_t npeers)
{
	struct pt *t = transport->impl;
	struct peer_tls_peer *copy;
	char err[128];
	int rc;

	if ((rc = pt_peers_copy(peers, npeers, &copy, err, sizeof(err))) != 0) {
		snprintf(transport->errmsg, sizeof(transport->errmsg), "%s",
		    err);
		return rc;
	}
	free(t->t_peers);
	t->t_peers = copy;
	t->t_npeers = npeers;
	return 0;
}

void
peer_tls_stats(struct raft_uv_transport *transport, struct peer_tls_stats *st)
{
	const struct pt *t = transport->impl;

	*st = t->t_st;
}
