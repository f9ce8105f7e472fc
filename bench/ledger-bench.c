/*
 * ledger-bench.c - load generator for ledgerd: many TLS clerks, pipelined
 * or batched disbursements, and afterwards a check that the ledger holds
 * exactly the entries that were acknowledged.
 *
 * Shape of a run:
 *   1. (--setup CN) as an admin: register the seed's regions, appropriate,
 *      record programme terms wide enough for --award, and award each
 *      region enough for the run.  Idempotent.
 *   2. STATUS: the ledger's size before the load.
 *   3. Open C connections (as the --cn clerks, in turn), TLS 1.3 and HELLO,
 *      all before the clock starts.
 *   4. Each connection keeps up to P requests in flight: WRITE frames, or
 *      BATCH frames of B disbursements.  A request's latency runs from the
 *      moment its frame is queued to the socket to its (last) answer frame.
 *      The run stops issuing at the deadline (-d) or quota (-n) and waits
 *      for every answer.
 *   5. STATUS and LIST over the new seqs: every entry must be one that was
 *      acknowledged, with the fields that were sent, and every acknowledged
 *      entry must be there.  A benchmark that loses or invents a write
 *      fails, however fast it was.
 *
 * The client is a small epoll loop per worker thread over nonblocking
 * sockets and OpenSSL; frames queued in one turn of the loop leave in one
 * SSL_write, as a pipelining client would send them.  It shares the machine
 * with the daemon, so it is written to cost little per request: no
 * allocation per request once the buffers have grown, and answers parsed
 * only as far as their seq.  Entries are decoded in full in step 5.
 *
 * The daemon's memory is sampled from /proc/PID/status (--pid): VmHWM
 * (peak RSS, which counts the LMDB pages the daemon touched) and the peak
 * of RssAnon (its own heap, which does not).  --idle N measures RssAnon
 * with N idle connections open.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "entry.h"
#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "wire.h"
#include "workload.h"

#define SLOT_BITS	12
#define SLOT_MAX	(1u << SLOT_BITS)	/* requests in flight per connection */
#define READ_CHUNK	(64 * 1024)
#define HELLO_REQID	1
/*
 * Handshakes a worker runs at once: the daemon closes the oldest handshake
 * from an address beyond its max_unauthenticated_per_ip (default 16), so
 * two workers together stay within it.
 */
#define HS_PARALLEL	8
#define IO_TIMEOUT_MS	60000	/* synchronous requests, handshakes */
#define ERRMSG_MAX	8	/* distinct refusal messages kept per thread */
#define APPROP_MAX	INT64_C(10000000000000)

enum bc_state {
	BC_IDLE,		/* not yet connecting */
	BC_HANDSHAKE,
	BC_HELLO,		/* HELLO sent, waiting for HELLO_OK */
	BC_READY,		/* waiting for the start */
	BC_RUN,
	BC_DONE,		/* quota sent and every answer in */
	BC_FAILED
};

struct slot {
	uint32_t	 reqid;		/* 0 = free */
	uint32_t	 count;		/* entries in the request */
	uint32_t	 got;		/* results received so far (batches) */
	uint64_t	 first;		/* index of its first entry */
	uint64_t	 t0;		/* ns, CLOCK_MONOTONIC */
};

struct worker;

struct bconn {
	uint32_t	 idx;
	int		 fd;
	SSL		*ssl;		/* owned */
	const char	*cn;
	enum bc_state	 state;
	int		 epout;		/* EPOLLOUT is in the interest set */
	struct worker	*w;
	struct wbuf	 out;		/* frames not yet taken by SSL_write */
	size_t		 out_off;
	uint8_t		*in;		/* owned */
	size_t		 in_len, in_cap, in_used;
	uint32_t	 max_frame;
	char		 role[96];
	char		 err[256];	/* why it failed */

	struct slot	*slots;		/* P of them */
	uint32_t	*free_slots;	/* stack */
	uint32_t	 nfree;
	uint32_t	 inflight;
	uint32_t	 gen;
	uint64_t	 next_n;	/* next entry index to send */
	uint64_t	 quota;		/* entries to send */
	uint64_t	*seqs;		/* per entry: seq acknowledged, 0 = none */
	size_t		 seqs_cap;
	uint64_t	 acked, refused, dups;
	uint64_t	 errs[LD_E_MAX + 1];
	uint32_t	 sync_reqid;
};

/* A refusal's message, counted: what the client was told, and how often. */
struct errmsg {
	int		 code;
	uint64_t	 n;		/* entries refused with it */
	char		 text[MSG_TEXT_MAX + 1];
};

struct worker {
	pthread_t	 th;
	struct errmsg	 msgs[ERRMSG_MAX];	/* the first distinct ones */
	size_t		 nmsgs;
	uint64_t	 msgs_other;	/* entries refused with a message not kept */
	int		 epfd;
	struct bconn	**c;
	size_t		 n;
	uint64_t	*lat;		/* ns per request */
	size_t		 nlat, latcap;
	int		 failed;
};

struct opts {
	const char	*server;
	char		 host[256], port[16];
	const char	*pki;
	const char	*ca;
	char		*cns;		/* comma-separated, split in place */
	const char	*regions;
	const char	*setup_cn;
	const char	*verify_cn;
	const char	*label;
	int64_t		 award[LD_A_MAX + 1];	/* per account */
	uint16_t	 fy;
	uint32_t	 conns;
	uint32_t	 inflight;
	uint32_t	 batch;		/* 0 = WRITE frames */
	uint64_t	 total;		/* 0 = by duration */
	double		 duration;
	uint32_t	 threads;
	pid_t		 pid;
	uint32_t	 idle;
	int		 verify;
	int		 shared;	/* others may write meanwhile */
	int		 quiet;
};

static struct opts	 opt;
static struct wl_regions regions;
static char		 tag[WL_TAG_MAX];
static SSL_CTX		**ctxs;		/* one per CN */
static char		**cn_list;
static size_t		 ncn, nclerk;
static struct addrinfo	*server_ai;

static pthread_barrier_t start_barrier;
static atomic_int	 stop_issuing;
static atomic_uint_fast64_t deadline_ns;

/* Daemon memory, sampled by the sampler thread. */
static atomic_int	 sampler_stop;
static uint64_t		 peak_anon_kib, peak_rss_kib;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *s = e ? ERR_reason_error_string(e) : NULL;

	return s ? s : "TLS error";
}

static void
bc_fail(struct bconn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
bc_fail(struct bconn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->state == BC_FAILED)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->state = BC_FAILED;
	if (c->w != NULL && c->fd != -1)
		(void)epoll_ctl(c->w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	ERR_clear_error();
}

/* ---- /proc ---- */

/* Read key's value in kB from /proc/PID/status; 0 when absent. */
static int
proc_status(pid_t pid, uint64_t *hwm, uint64_t *rss, uint64_t *anon)
{
	char path[64], line[256];
	FILE *f;
	unsigned long long v;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	*hwm = *rss = *anon = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmHWM: %llu", &v) == 1)
			*hwm = v;
		else if (sscanf(line, "VmRSS: %llu", &v) == 1)
			*rss = v;
		else if (sscanf(line, "RssAnon: %llu", &v) == 1)
			*anon = v;
	}
	fclose(f);
	return 0;
}

/* utime + stime of pid in clock ticks. */
static int
proc_cpu(pid_t pid, uint64_t *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces: fields count from its ')'. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) != 2)
		return -1;
	*ticks = ut + st;
	return 0;
}

static void *
sampler_main(void *arg)
{
	uint64_t hwm, rss, anon;

	(void)arg;
	while (!atomic_load(&sampler_stop)) {
		if (proc_status(opt.pid, &hwm, &rss, &anon) == 0) {
			if (anon > peak_anon_kib)
				peak_anon_kib = anon;
			if (rss > peak_rss_kib)
				peak_rss_kib = rss;
		}
		usleep(50000);
	}
	return NULL;
}

/* ---- TLS contexts ---- */

static int
ctx_load(SSL_CTX **out, const char *cn)
{
	char cert[4096], key[4096];
	SSL_CTX *ctx;

	snprintf(cert, sizeof(cert), "%s/%s.crt", opt.pki, cn);
	snprintf(key, sizeof(key), "%s/%s.key", opt.pki, cn);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, opt.ca, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "ledger-bench: TLS setup for %s (%s, %s): %s\n",
		    cn, cert, opt.ca, ssl_reason());
		SSL_CTX_free(ctx);
		return -1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	*out = ctx;
	return 0;
}

/* ---- connections ---- */

static struct bconn *
bc_new(uint32_t idx, size_t ctxi, uint32_t inflight)
{
	struct bconn *c;
	uint32_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->idx = idx;
	c->fd = -1;
	c->cn = cn_list[ctxi];
	c->max_frame = FRAME_MAX_MAX;
	c->gen = 1;
	wbuf_init(&c->out);
	c->slots = calloc(inflight, sizeof(*c->slots));
	c->free_slots = calloc(inflight, sizeof(*c->free_slots));
	c->in = malloc(READ_CHUNK);
	c->in_cap = READ_CHUNK;
	if (c->slots == NULL || c->free_slots == NULL || c->in == NULL)
		goto fail;
	for (i = 0; i < inflight; i++)
		c->free_slots[i] = inflight - 1 - i;
	c->nfree = inflight;
	if ((c->ssl = SSL_new(ctxs[ctxi])) == NULL)
		goto fail;
	return c;
fail:
	free(c->slots);
	free(c->free_slots);
	free(c->in);
	free(c);
	return NULL;
}

static void
bc_free(struct bconn *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->fd != -1)
		close(c->fd);
	wbuf_free(&c->out);
	free(c->in);
	free(c->slots);
	free(c->free_slots);
	free(c->seqs);
	free(c);
}

/* Start a nonblocking connect and the TLS client state. */
static int
bc_connect(struct bconn *c)
{
	int one = 1;

	c->fd = socket(server_ai->ai_family, server_ai->ai_socktype |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, server_ai->ai_protocol);
	if (c->fd == -1) {
		bc_fail(c, "socket: %s", strerror(errno));
		return -1;
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, server_ai->ai_addr, server_ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		bc_fail(c, "connect: %s", strerror(errno));
		return -1;
	}
	if (SSL_set_fd(c->ssl, c->fd) != 1 ||
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), opt.host) != 1) {
		bc_fail(c, "TLS setup: %s", ssl_reason());
		return -1;
	}
	SSL_set_connect_state(c->ssl);
	c->state = BC_HANDSHAKE;
	return 0;
}

/* Queue a frame header for a payload of len bytes that the caller appends. */
static size_t
bc_frame_begin(struct bconn *c)
{
	size_t off = c->out.len;
	static const uint8_t zero[FRAME_HDR_LEN];

	wbuf_put(&c->out, zero, sizeof(zero));
	return off;
}

static void
bc_frame_end(struct bconn *c, size_t off, uint8_t type, uint32_t reqid)
{
	struct frame_hdr h;

	h.type = type;
	h.flags = 0;
	h.reqid = reqid;
	h.len = (uint32_t)(c->out.len - off - FRAME_HDR_LEN);
	if (!c->out.err)
		frame_hdr_encode(c->out.data + off, &h);
}

/*
 * Hand queued bytes to TLS.  Returns 0 (all written or the socket is full:
 * c->epout says which) or -1 (failed).
 */
static int
bc_flush(struct bconn *c)
{
	int r, e;

	if (c->out.err) {
		bc_fail(c, "out of memory");
		return -1;
	}
	while (c->out_off < c->out.len) {
		ERR_clear_error();
		r = SSL_write(c->ssl, c->out.data + c->out_off,
		    (int)(c->out.len - c->out_off > INT32_MAX ? INT32_MAX :
		    c->out.len - c->out_off));
		if (r > 0) {
			c->out_off += (size_t)r;
			continue;
		}
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return 0;
		bc_fail(c, "write: %s", e == SSL_ERROR_SYSCALL && errno ?
		    strerror(errno) : ssl_reason());
		return -1;
	}
	wbuf_reset(&c->out);
	c->out_off = 0;
	return 0;
}

/* Keep epoll's interest in EPOLLOUT in step with unsent output. */
static void
bc_interest(struct bconn *c)
{
	struct epoll_event ev;
	int want = c->out_off < c->out.len || c->state == BC_HANDSHAKE;

	if (c->w == NULL || c->state == BC_FAILED || want == c->epout)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->epout = want;
}

static void
bc_send_hello(struct bconn *c)
{
	size_t off = bc_frame_begin(c);

	msg_encode_hello(&c->out, PROTO_VERSION, PROTO_VERSION);
	bc_frame_end(c, off, MSG_HELLO, HELLO_REQID);
	c->state = BC_HELLO;
}

/* Step the handshake: 1 done, 0 wants the socket again, -1 failed. */
static int
bc_handshake(struct bconn *c)
{
	int r, e;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		bc_send_hello(c);
		return 1;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_SSL &&
	    ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_CERTIFICATE_VERIFY_FAILED)
		bc_fail(c, "server certificate: %s",
		    X509_verify_cert_error_string(SSL_get_verify_result(c->ssl)));
	else
		bc_fail(c, "TLS handshake: %s", e == SSL_ERROR_SYSCALL && errno ?
		    strerror(errno) : ssl_reason());
	return -1;
}

/* Make room in c->seqs for entry index n. */
static int
bc_seqs_reserve(struct bconn *c, uint64_t n)
{
	uint64_t *ns;
	size_t cap;

	if (n < c->seqs_cap)
		return 0;
	cap = c->seqs_cap ? c->seqs_cap * 2 : 4096;
	while (cap <= n)
		cap *= 2;
	if ((ns = realloc(c->seqs, cap * sizeof(*ns))) == NULL)
		return -1;
	memset(ns + c->seqs_cap, 0, (cap - c->seqs_cap) * sizeof(*ns));
	c->seqs = ns;
	c->seqs_cap = cap;
	return 0;
}

/* Queue one request (a WRITE, or a BATCH of up to opt.batch entries). */
static int
bc_issue(struct bconn *c)
{
	struct ld_entry req;
	struct slot *s;
	size_t off, count_off;
	uint32_t si, count, i;

	count = opt.batch > 0 ? opt.batch : 1;
	if (c->quota - c->next_n < count)
		count = (uint32_t)(c->quota - c->next_n);
	if (bc_seqs_reserve(c, c->next_n + count) == -1) {
		bc_fail(c, "out of memory");
		return -1;
	}
	si = c->free_slots[--c->nfree];
	s = &c->slots[si];
	s->reqid = (c->gen << SLOT_BITS) | si;
	if (++c->gen >= (1u << (32 - SLOT_BITS)))
		c->gen = 1;
	s->first = c->next_n;
	s->count = count;
	s->got = 0;
	off = bc_frame_begin(c);
	if (opt.batch == 0) {
		wl_disbursement(&req, &regions, tag, c->idx, c->next_n, opt.fy);
		if (msg_encode_write(&c->out, &req) == -1)
			goto bad;
	} else {
		if (msg_batch_begin(&c->out, 0, &count_off) == -1)
			goto bad;
		for (i = 0; i < count; i++) {
			wl_disbursement(&req, &regions, tag, c->idx,
			    c->next_n + i, opt.fy);
			if (msg_batch_add(&c->out, &req) == -1)
				goto bad;
		}
		msg_batch_finish(&c->out, count_off, count);
	}
	bc_frame_end(c, off, opt.batch == 0 ? MSG_WRITE : MSG_WRITE_BATCH,
	    s->reqid);
	if (c->out.len - off > c->max_frame) {
		bc_fail(c, "a request exceeds the daemon's max_frame_bytes");
		return -1;
	}
	c->next_n += count;
	c->inflight++;
	s->t0 = now_ns();
	return 0;
bad:
	bc_fail(c, "cannot encode a request");
	return -1;
}

static void
bc_fill(struct bconn *c)
{
	if (c->state != BC_RUN)
		return;
	if (atomic_load_explicit(&stop_issuing, memory_order_relaxed))
		c->quota = c->next_n;
	while (c->nfree > 0 && c->next_n < c->quota)
		if (bc_issue(c) == -1)
			return;
	if (c->inflight == 0 && c->next_n >= c->quota)
		c->state = BC_DONE;
}

static void
lat_push(struct worker *w, uint64_t ns)
{
	uint64_t *nl;
	size_t cap;

	if (w->nlat == w->latcap) {
		cap = w->latcap ? w->latcap * 2 : 65536;
		if ((nl = realloc(w->lat, cap * sizeof(*nl))) == NULL)
			return;	/* the percentile loses a sample, not the run */
		w->lat = nl;
		w->latcap = cap;
	}
	w->lat[w->nlat++] = ns;
}

static void
slot_done(struct bconn *c, struct slot *s, uint32_t si)
{
	if (c->w != NULL)
		lat_push(c->w, now_ns() - s->t0);
	s->reqid = 0;
	c->free_slots[c->nfree++] = si;
	c->inflight--;
}

static void
note_error(struct bconn *c, int code, uint64_t n, const char *msg)
{
	struct worker *w = c->w;
	size_t i;

	c->refused += n;
	c->errs[code >= 0 && code <= LD_E_MAX ? code : LD_E_INTERNAL] += n;
	if (w == NULL)
		return;
	for (i = 0; i < w->nmsgs; i++)
		if (w->msgs[i].code == code &&
		    strcmp(w->msgs[i].text, msg) == 0) {
			w->msgs[i].n += n;
			return;
		}
	if (w->nmsgs == ERRMSG_MAX) {
		w->msgs_other += n;
		return;
	}
	w->msgs[w->nmsgs].code = code;
	w->msgs[w->nmsgs].n = n;
	snprintf(w->msgs[w->nmsgs].text, sizeof(w->msgs[0].text), "%s", msg);
	w->nmsgs++;
}

/* An acknowledged entry: its bytes start with the format and the seq. */
static int
note_ack(struct bconn *c, uint64_t n, int dup, const uint8_t *enc, size_t len)
{
	if (len < 10 ||
	    (enc[0] != LD_ENTRY_FORMAT && enc[0] != LD_ENTRY_FORMAT_V1) ||
	    enc[9] != LD_K_DISBURSEMENT)
		return -1;
	c->seqs[n] = be64_get(enc + 1);
	c->acked++;
	if (dup)
		c->dups++;
	return 0;
}

/* One whole answer frame of the run. */
static int
bc_answer(struct bconn *c, const struct frame_hdr *h, const uint8_t *p)
{
	struct msg_bresult_iter it;
	struct msg_bresult res;
	struct slot *s;
	uint32_t si = h->reqid & (SLOT_MAX - 1), len;
	char msg[MSG_TEXT_MAX + 1];
	int code, r;

	if (si >= opt.inflight || (s = &c->slots[si])->reqid != h->reqid ||
	    h->reqid == 0) {
		if (h->type == MSG_ERROR &&
		    msg_decode_error(p, h->len, &code, msg, sizeof(msg)) == 0) {
			snprintf(c->err, sizeof(c->err), "connection refused: "
			    "%s: %.200s", ld_err_name(code), msg);
			c->state = BC_FAILED;
			return -1;
		}
		bc_fail(c, "answer to no request in flight");
		return -1;
	}
	switch (h->type) {
	case MSG_ENTRY:
		if (h->len < 5 || p[0] > 1 ||
		    (len = be32_get(p + 1)) != h->len - 5 || s->count != 1 ||
		    note_ack(c, s->first, p[0], p + 5, len) == -1)
			goto bad;
		break;
	case MSG_ERROR:
		if (msg_decode_error(p, h->len, &code, msg, sizeof(msg)) == -1)
			goto bad;
		note_error(c, code, s->count - s->got, msg);
		break;
	case MSG_BATCH_RESULT:
		if (msg_bresult_open(&it, p, h->len) == -1)
			goto bad;
		while ((r = msg_bresult_next(&it, &res)) == 1) {
			if (res.index >= s->count)
				goto bad;
			if (res.code != LD_OK)
				note_error(c, res.code, 1, res.message);
			else if (note_ack(c, s->first + res.index, res.duplicate,
			    res.enc, res.len) == -1)
				goto bad;
			s->got++;
		}
		if (r == -1)
			goto bad;
		if (h->flags & FRAME_F_MORE)
			return 0;
		if (s->got != s->count)
			goto bad;
		break;
	default:
		goto bad;
	}
	slot_done(c, s, si);
	return 0;
bad:
	bc_fail(c, "malformed answer from the daemon");
	return -1;
}

static int
bc_hello_ok(struct bconn *c, const struct frame_hdr *h, const uint8_t *p)
{
	struct msg_hello_ok ok;
	char msg[MSG_TEXT_MAX + 1];
	int code;

	if (h->type == MSG_ERROR &&
	    msg_decode_error(p, h->len, &code, msg, sizeof(msg)) == 0) {
		bc_fail(c, "HELLO refused: %s", msg);
		return -1;
	}
	if (h->type != MSG_HELLO_OK || h->reqid != HELLO_REQID ||
	    msg_decode_hello_ok(p, h->len, &ok) == -1) {
		bc_fail(c, "bad answer to HELLO");
		return -1;
	}
	c->max_frame = ok.max_frame;
	snprintf(c->role, sizeof(c->role), "%s", ok.role);
	c->state = BC_READY;
	return 0;
}

/*
 * Read what TLS has and dispatch every whole frame.  Returns 0, or -1 when
 * the connection failed.
 */
static int
bc_read(struct bconn *c)
{
	struct frame_hdr h;
	uint8_t *nb;
	size_t cap;
	int r, e, st;

	for (;;) {
		if (c->in_cap - c->in_len < READ_CHUNK / 2) {
			if (c->in_used > 0) {
				memmove(c->in, c->in + c->in_used,
				    c->in_len - c->in_used);
				c->in_len -= c->in_used;
				c->in_used = 0;
			}
			if (c->in_cap - c->in_len < READ_CHUNK / 2) {
				cap = c->in_cap * 2;
				if ((nb = realloc(c->in, cap)) == NULL) {
					bc_fail(c, "out of memory");
					return -1;
				}
				c->in = nb;
				c->in_cap = cap;
			}
		}
		ERR_clear_error();
		r = SSL_read(c->ssl, c->in + c->in_len,
		    (int)(c->in_cap - c->in_len));
		if (r <= 0) {
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				break;
			bc_fail(c, "read: %s", e == SSL_ERROR_ZERO_RETURN ||
			    (e == SSL_ERROR_SYSCALL && errno == 0) ?
			    "connection closed by the daemon" :
			    e == SSL_ERROR_SYSCALL ? strerror(errno) : ssl_reason());
			return -1;
		}
		c->in_len += (size_t)r;
		/* Parse as we go so that the buffer stays small. */
		while ((st = frame_peek(&h, c->in + c->in_used,
		    c->in_len - c->in_used, c->max_frame)) == FRAME_OK) {
			const uint8_t *p = c->in + c->in_used + FRAME_HDR_LEN;

			c->in_used += FRAME_HDR_LEN + h.len;
			if (c->state == BC_HELLO)
				r = bc_hello_ok(c, &h, p);
			else
				r = bc_answer(c, &h, p);
			if (r == -1)
				return -1;
		}
		if (st != FRAME_NEED_MORE) {
			bc_fail(c, "bad frame from the daemon");
			return -1;
		}
		if (c->in_used == c->in_len)
			c->in_used = c->in_len = 0;
	}
	return 0;
}

/* Everything a connection does when its socket is ready. */
static void
bc_event(struct bconn *c)
{
	if (c->state == BC_HANDSHAKE && bc_handshake(c) != 1)
		goto out;
	if (c->state == BC_FAILED || bc_read(c) == -1)
		return;
	bc_fill(c);
	if (c->state != BC_FAILED)
		bc_flush(c);
out:
	bc_interest(c);
}

/* ---- synchronous use of one connection (setup, status, verify) ---- */

static int
sync_wait(struct bconn *c, short events)
{
	struct pollfd pfd = { c->fd, events, 0 };
	int r;

	do
		r = poll(&pfd, 1, IO_TIMEOUT_MS);
	while (r == -1 && errno == EINTR);
	if (r <= 0) {
		bc_fail(c, "%s", r == 0 ? "timed out" : strerror(errno));
		return -1;
	}
	return 0;
}

/* Drive c until it leaves states below `until` or fails. */
static int
sync_drive(struct bconn *c, enum bc_state until)
{
	while (c->state != BC_FAILED && c->state < until) {
		if (c->state == BC_HANDSHAKE && bc_handshake(c) == 0) {
			if (sync_wait(c, SSL_want_write(c->ssl) ? POLLOUT : POLLIN))
				return -1;
			continue;
		}
		if (c->state == BC_FAILED || bc_flush(c) == -1)
			break;
		if (c->out_off < c->out.len) {
			if (sync_wait(c, POLLOUT) == -1)
				return -1;
			continue;
		}
		if (bc_read(c) == -1 || c->state >= until)
			break;
		if (sync_wait(c, POLLIN) == -1)
			return -1;
	}
	return c->state == BC_FAILED ? -1 : 0;
}

static struct bconn *
sync_open(const char *cn)
{
	struct bconn *c;
	size_t i;

	for (i = 0; i < ncn; i++)
		if (strcmp(cn_list[i], cn) == 0)
			break;
	if (i == ncn) {
		fprintf(stderr, "ledger-bench: internal: no TLS context for %s\n", cn);
		return NULL;
	}
	if ((c = bc_new(UINT32_MAX, i, 1)) == NULL) {
		fprintf(stderr, "ledger-bench: out of memory\n");
		return NULL;
	}
	if (bc_connect(c) == -1 || sync_drive(c, BC_READY) == -1) {
		fprintf(stderr, "ledger-bench: %s: %s\n", cn, c->err);
		bc_free(c);
		return NULL;
	}
	return c;
}

/* Send one request frame with payload; its reqid is kept for sync_recv. */
static int
sync_send(struct bconn *c, uint8_t type, const struct wbuf *payload)
{
	size_t off = bc_frame_begin(c);

	if (payload != NULL)
		wbuf_put(&c->out, payload->data, payload->len);
	c->sync_reqid = 1000 + c->gen++;	/* never HELLO_REQID */
	bc_frame_end(c, off, type, c->sync_reqid);
	while (c->out_off < c->out.len) {
		if (bc_flush(c) == -1)
			return -1;
		if (c->out_off < c->out.len && sync_wait(c, POLLOUT) == -1)
			return -1;
	}
	return 0;
}

/*
 * The next frame answering the last sync_send(); *p stays valid until the
 * next call.  Returns 0 or -1.
 */
static int
sync_recv(struct bconn *c, struct frame_hdr *h, const uint8_t **p)
{
	uint8_t *nb;
	int r, e, st;

	for (;;) {
		st = frame_peek(h, c->in + c->in_used, c->in_len - c->in_used,
		    c->max_frame);
		if (st == FRAME_OK) {
			*p = c->in + c->in_used + FRAME_HDR_LEN;
			c->in_used += FRAME_HDR_LEN + h->len;
			if (h->reqid != c->sync_reqid) {
				bc_fail(c, "answer to another request");
				return -1;
			}
			return 0;
		}
		if (st != FRAME_NEED_MORE) {
			bc_fail(c, "bad frame from the daemon");
			return -1;
		}
		if (c->in_used > 0) {
			memmove(c->in, c->in + c->in_used, c->in_len - c->in_used);
			c->in_len -= c->in_used;
			c->in_used = 0;
		}
		if (c->in_cap - c->in_len < READ_CHUNK / 2) {
			if ((nb = realloc(c->in, c->in_cap * 2)) == NULL) {
				bc_fail(c, "out of memory");
				return -1;
			}
			c->in = nb;
			c->in_cap *= 2;
		}
		ERR_clear_error();
		r = SSL_read(c->ssl, c->in + c->in_len,
		    (int)(c->in_cap - c->in_len));
		if (r > 0) {
			c->in_len += (size_t)r;
			continue;
		}
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			if (sync_wait(c, POLLIN) == -1)
				return -1;
			continue;
		}
		if (e == SSL_ERROR_WANT_WRITE) {
			if (sync_wait(c, POLLOUT) == -1)
				return -1;
			continue;
		}
		bc_fail(c, "read: %s", e == SSL_ERROR_SYSCALL && errno ?
		    strerror(errno) : e == SSL_ERROR_SYSCALL ||
		    e == SSL_ERROR_ZERO_RETURN ? "connection closed" : ssl_reason());
		return -1;
	}
}

static int
sync_status(struct bconn *c, struct msg_status *st)
{
	struct frame_hdr h;
	const uint8_t *p;

	if (sync_send(c, MSG_STATUS, NULL) == -1 || sync_recv(c, &h, &p) == -1)
		return -1;
	if (h.type != MSG_STATUS_OK || msg_decode_status(p, h.len, st) == -1) {
		bc_fail(c, "bad answer to STATUS");
		return -1;
	}
	return 0;
}

/*
 * Send a non-atomic batch of reqs and check each result: OK, or one of the
 * codes in ok_codes (0-terminated).  Returns the number refused otherwise,
 * -1 on a failed connection.
 */
static int
sync_batch(struct bconn *c, const struct ld_entry *reqs, uint32_t n,
    const int *ok_codes, const char *what, uint32_t *written)
{
	struct msg_bresult_iter it;
	struct msg_bresult res;
	struct frame_hdr h;
	struct wbuf w;
	const uint8_t *p;
	size_t count_off;
	uint32_t i, got = 0;
	int bad = 0, r, k, fine;
	char msg[MSG_TEXT_MAX + 1];

	wbuf_init(&w);
	msg_batch_begin(&w, 0, &count_off);
	for (i = 0; i < n; i++)
		if (msg_batch_add(&w, &reqs[i]) == -1) {
			fprintf(stderr, "ledger-bench: %s: cannot encode item %u\n",
			    what, i);
			wbuf_free(&w);
			return -1;
		}
	msg_batch_finish(&w, count_off, n);
	r = sync_send(c, MSG_WRITE_BATCH, &w);
	wbuf_free(&w);
	if (r == -1)
		return -1;
	do {
		if (sync_recv(c, &h, &p) == -1)
			return -1;
		if (h.type == MSG_ERROR) {
			msg_decode_error(p, h.len, &r, msg, sizeof(msg));
			fprintf(stderr, "ledger-bench: %s: %s: %s\n", what,
			    ld_err_name(r), msg);
			return (int)n;
		}
		if (h.type != MSG_BATCH_RESULT || msg_bresult_open(&it, p,
		    h.len) == -1) {
			bc_fail(c, "bad answer to a batch");
			return -1;
		}
		while ((r = msg_bresult_next(&it, &res)) == 1) {
			got++;
			if (res.code == LD_OK && !res.duplicate)
				(*written)++;
			fine = res.code == LD_OK;
			for (k = 0; ok_codes[k] != 0 && !fine; k++)
				fine = res.code == ok_codes[k];
			if (!fine) {
				if (bad++ < 5)
					fprintf(stderr, "ledger-bench: %s, item %u: "
					    "%s: %s\n", what, res.index,
					    ld_err_name(res.code), res.message);
			}
		}
	} while (h.flags & FRAME_F_MORE);
	if (got != n) {
		bc_fail(c, "short batch answer");
		return -1;
	}
	return bad;
}

/*
 * Register the regions, appropriate what the awards need, record terms
 * that allow them and award each region opt.award[its account].  Every write carries an id (regions excepted, refused as
 * duplicates instead), so running it again writes nothing.
 */
static int
setup_ledger(void)
{
	static const int region_ok[] = { LD_E_DUPLICATE_REGION, 0 };
	static const int none_ok[] = { 0 };
	struct ld_entry *reqs = NULL;
	struct bconn *c;
	int64_t need[LD_A_MAX + 1] = { 0 }, amt;
	uint32_t i, n = 0, k, written = 0;
	int acct, rc = -1;

	if ((c = sync_open(opt.setup_cn)) == NULL)
		return -1;
	if (strcmp(c->role, "admin") != 0) {
		fprintf(stderr, "ledger-bench: --setup %s: the daemon gives this "
		    "certificate role '%s', not admin\n", opt.setup_cn, c->role);
		goto done;
	}
	if ((reqs = calloc(regions.n + 64, sizeof(*reqs))) == NULL)
		goto done;
	for (i = 0; i < regions.n; i++) {
		struct ld_entry *e = &reqs[i];

		e->kind = LD_K_REGION;
		snprintf(e->region, sizeof(e->region), "%s", regions.r[i].code);
		snprintf(e->name, sizeof(e->name), "%s", regions.r[i].name);
		snprintf(e->category, sizeof(e->category), "%s",
		    regions.r[i].category);
		e->grant_type = regions.r[i].grant_type;
		acct = ld_grant_account(e->grant_type);
		if (need[acct] > INT64_MAX - opt.award[acct]) {
			fprintf(stderr, "ledger-bench: --award too large\n");
			goto done;
		}
		need[acct] += opt.award[acct];
	}
	if (sync_batch(c, reqs, (uint32_t)regions.n, region_ok, "regions", &written) != 0)
		goto done;

	for (acct = 1; acct <= LD_A_MAX; acct++) {
		for (k = 0; need[acct] > 0; k++) {
			struct ld_entry *e = &reqs[n++];

			if (n > regions.n + 64) {
				fprintf(stderr, "ledger-bench: --award too large\n");
				goto done;
			}
			amt = need[acct] > APPROP_MAX ? APPROP_MAX : need[acct];
			memset(e, 0, sizeof(*e));
			e->kind = LD_K_APPROPRIATION;
			e->account = (uint8_t)acct;
			e->fy = opt.fy;
			e->amount = amt;
			snprintf(e->ref, sizeof(e->ref), "BENCH-%u", k);
			snprintf(e->id, sizeof(e->id), "bench-approp-%d-%u-%" PRId64
			    "-%u", acct, opt.fy, opt.award[acct], k);
			need[acct] -= amt;
		}
	}
	if (sync_batch(c, reqs, n, none_ok, "appropriations", &written) != 0)
		goto done;

	/* Programme terms wide enough for any --award (awards need terms). */
	for (i = 0; i < LD_G_MAX; i++) {
		struct ld_entry *e = &reqs[i];

		memset(e, 0, sizeof(*e));
		e->kind = LD_K_TERMS;
		e->fy = opt.fy;
		e->grant_type = (uint8_t)(i + 1);
		if (e->grant_type != LD_G_CONTINUING) {
			e->min = 1;
			e->max = LD_AMOUNT_MAX;
		}
		e->interest_bp = e->late_bp = 1095;
		snprintf(e->ref, sizeof(e->ref), "BENCH-TERMS");
		snprintf(e->id, sizeof(e->id), "bench-terms-%u-%u", opt.fy,
		    (unsigned)e->grant_type);
	}
	if (sync_batch(c, reqs, LD_G_MAX, none_ok, "terms", &written) != 0)
		goto done;

	for (i = 0; i < regions.n; i++) {
		struct ld_entry *e = &reqs[i];

		memset(e, 0, sizeof(*e));
		e->kind = LD_K_AWARD;
		snprintf(e->region, sizeof(e->region), "%s", regions.r[i].code);
		e->fy = opt.fy;
		e->amount = opt.award[ld_grant_account(regions.r[i].grant_type)];
		e->date = (uint32_t)opt.fy * 10000 + 401;
		snprintf(e->ref, sizeof(e->ref), "BENCH-AWARD");
		snprintf(e->id, sizeof(e->id), "bench-award-%.30s-%u-%" PRId64,
		    regions.r[i].code, opt.fy, e->amount);
	}
	if (sync_batch(c, reqs, (uint32_t)regions.n, none_ok, "awards", &written) != 0)
		goto done;
	if (!opt.quiet)
		printf("setup: %zu regions awarded %" PRId64 " yen each "
		    "(reconstruction %" PRId64 ") in FY%u; %u new entries\n",
		    regions.n, opt.award[LD_A_GENERAL],
		    opt.award[LD_A_RECONSTRUCTION], opt.fy, written);
	rc = 0;
done:
	if (rc == -1 && c->state == BC_FAILED)
		fprintf(stderr, "ledger-bench: setup: %s\n", c->err);
	free(reqs);
	bc_free(c);
	return rc;
}

/* ---- the run ---- */

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[128], ev;
	size_t i, started = 0, busy, live;
	int n, k, running = 0;

	/* Phase 1: TLS and HELLO, at most HS_PARALLEL at a time. */
	for (;;) {
		busy = live = 0;
		for (i = 0; i < w->n; i++) {
			struct bconn *c = w->c[i];

			if (c->state == BC_HANDSHAKE || c->state == BC_HELLO)
				busy++;
			if (c->state == BC_FAILED)
				w->failed = 1;
		}
		while (started < w->n && busy < HS_PARALLEL && !w->failed) {
			struct bconn *c = w->c[started++];

			if (bc_connect(c) == -1) {
				w->failed = 1;
				break;
			}
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN | EPOLLOUT;
			ev.data.ptr = c;
			if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
				bc_fail(c, "epoll: %s", strerror(errno));
				w->failed = 1;
				break;
			}
			c->epout = 1;
			busy++;
		}
		if (w->failed || (busy == 0 && started == w->n))
			break;
		n = epoll_wait(w->epfd, evs, 128, 1000);
		for (k = 0; k < n; k++)
			bc_event(evs[k].data.ptr);
	}
	pthread_barrier_wait(&start_barrier);
	if (w->failed)
		return NULL;

	/* Phase 2: the load. */
	for (i = 0; i < w->n; i++) {
		w->c[i]->state = BC_RUN;
		bc_fill(w->c[i]);
		bc_flush(w->c[i]);
		bc_interest(w->c[i]);
	}
	for (;;) {
		if (!atomic_load_explicit(&stop_issuing, memory_order_relaxed) &&
		    now_ns() >= atomic_load(&deadline_ns))
			atomic_store(&stop_issuing, 1);
		running = 0;
		for (i = 0; i < w->n; i++) {
			if (w->c[i]->state == BC_RUN)
				running = 1;
			else if (w->c[i]->state == BC_FAILED)
				w->failed = 1;
		}
		if (!running)
			break;
		n = epoll_wait(w->epfd, evs, 128, 10);
		for (k = 0; k < n; k++)
			bc_event(evs[k].data.ptr);
		if (atomic_load_explicit(&stop_issuing, memory_order_relaxed))
			for (i = 0; i < w->n; i++)
				if (w->c[i]->state == BC_RUN)
					bc_fill(w->c[i]);
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(const uint64_t *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

/* The other side of step 5: does the ledger hold exactly what was acked? */
struct vstate {
	struct bconn	**c;
	uint32_t	 nc;
	uint64_t	 matched, foreign, unacked, mismatch, seen;
};

static void
verify_entry(struct vstate *v, const struct ld_entry *e)
{
	struct ld_entry want;
	struct bconn *c;
	uint32_t ci;
	uint64_t n;

	v->seen++;
	if (!wl_parse_id(e->id, tag, &ci, &n)) {
		v->foreign++;
		return;
	}
	if (ci >= v->nc || n >= v->c[ci]->next_n ||
	    (c = v->c[ci])->seqs[n] != e->seq) {
		if (v->unacked++ < 5)
			fprintf(stderr, "ledger-bench: verify: seq %" PRIu64
			    " (id %s) was never acknowledged\n", e->seq, e->id);
		return;
	}
	wl_disbursement(&want, &regions, tag, ci, n, opt.fy);
	if (e->kind != want.kind || strcmp(e->region, want.region) != 0 ||
	    e->amount != want.amount || e->fy != want.fy ||
	    strcmp(e->ref, want.ref) != 0 || e->date != want.date ||
	    strcmp(e->memo, want.memo) != 0 || strcmp(e->actor, c->cn) != 0) {
		if (v->mismatch++ < 5)
			fprintf(stderr, "ledger-bench: verify: seq %" PRIu64
			    " differs from the request sent\n", e->seq);
	}
	c->seqs[n] |= UINT64_C(1) << 63;	/* seen: a second copy is unacked */
	v->matched++;
}

static int
verify_ledger(struct bconn **conns, uint32_t nc, uint64_t before,
    uint64_t acked)
{
	struct msg_entries_iter it;
	struct msg_status st;
	struct msg_list l;
	struct vstate v;
	struct frame_hdr h;
	struct ld_entry *e;
	struct bconn *c;
	struct wbuf w;
	const uint8_t *p, *enc;
	size_t len;
	uint64_t t0 = now_ns();
	int r, rc = -1;

	memset(&v, 0, sizeof(v));
	v.c = conns;
	v.nc = nc;
	if ((e = malloc(sizeof(*e))) == NULL)
		return -1;
	if ((c = sync_open(opt.verify_cn)) == NULL) {
		free(e);
		return -1;
	}
	if (sync_status(c, &st) == -1)
		goto done;
	memset(&l, 0, sizeof(l));
	l.since = before + 1;
	l.until = st.size;
	wbuf_init(&w);
	msg_encode_list(&w, &l);
	r = st.size > before ? sync_send(c, MSG_LIST, &w) : 0;
	wbuf_free(&w);
	if (r == -1)
		goto done;
	while (st.size > before) {
		if (sync_recv(c, &h, &p) == -1)
			goto done;
		if (h.type != MSG_ENTRIES || msg_entries_open(&it, p, h.len)) {
			bc_fail(c, "bad answer to LIST");
			goto done;
		}
		while ((r = msg_entries_next(&it, &enc, &len)) == 1) {
			if (entry_decode(e, enc, len) == -1) {
				bc_fail(c, "an entry does not decode");
				goto done;
			}
			verify_entry(&v, e);
		}
		if (r == -1) {
			bc_fail(c, "bad ENTRIES frame");
			goto done;
		}
		if (!(h.flags & FRAME_F_MORE))
			break;
	}
	rc = 0;
	if (v.seen != st.size - before || v.matched != acked || v.unacked ||
	    v.mismatch || (v.foreign && !opt.shared))
		rc = 1;
	printf("verify: %" PRIu64 " new entries (seq %" PRIu64 "..%" PRIu64
	    "): %" PRIu64 " acknowledged of %" PRIu64 ", %" PRIu64
	    " never acknowledged, %" PRIu64 " differing, %" PRIu64
	    " from other writers; %s (%.1f s)\n", st.size - before, before + 1,
	    st.size, v.matched, acked, v.unacked, v.mismatch, v.foreign,
	    rc == 0 ? "exactly the acknowledged entries" : "MISMATCH",
	    (double)(now_ns() - t0) / 1e9);
done:
	if (rc == -1)
		fprintf(stderr, "ledger-bench: verify: %s\n", c->err);
	bc_free(c);
	free(e);
	return rc;
}

/*
 * The refusal messages of code CODE, summed over the threads; CODE -1: how
 * many refusals had a message beyond the ERRMSG_MAX kept per thread.
 */
static void
print_errmsgs(const struct worker *ws, uint32_t nw, int code)
{
	const struct errmsg *m, *o;
	uint64_t n, other = 0;
	uint32_t j, jj;
	size_t i, ii;
	int seen;

	if (code < 0) {
		for (j = 0; j < nw; j++)
			other += ws[j].msgs_other;
		if (other)
			printf("            (%" PRIu64 " refusals with other "
			    "messages)\n", other);
		return;
	}
	for (j = 0; j < nw; j++)
		for (i = 0; i < ws[j].nmsgs; i++) {
			m = &ws[j].msgs[i];
			if (m->code != code)
				continue;
			seen = 0;
			n = 0;
			for (jj = 0; jj < nw && !seen; jj++)
				for (ii = 0; ii < ws[jj].nmsgs; ii++) {
					o = &ws[jj].msgs[ii];
					if (o->code != code ||
					    strcmp(o->text, m->text) != 0)
						continue;
					if (jj < j || (jj == j && ii < i)) {
						seen = 1;	/* printed */
						break;
					}
					n += o->n;
				}
			if (!seen)
				printf("            %" PRIu64 " with \"%s\"\n", n,
				    m->text);
		}
}

static void
usage(void)
{
	fprintf(stderr,
"usage: ledger-bench --pki DIR [options]\n"
"  -s, --server HOST:PORT  ledgerd (default 127.0.0.1:7443; an IP address)\n"
"      --pki DIR           ca.crt and CN.crt/CN.key of every CN used\n"
"      --ca FILE           CA of the server (default DIR/ca.crt)\n"
"      --cn LIST           clerk CNs, comma-separated, used in turn (clerk01)\n"
"      --regions FILE      regions.tsv whose regions get the writes\n"
"      --setup CN          first register regions, appropriate and award as\n"
"                          this admin (idempotent)\n"
"      --award YEN[,YEN]   each region's award in --setup; the second for\n"
"                          reconstruction regions (100000000000)\n"
"      --fy YEAR           fiscal year (2013)\n"
"  -c, --conns N           connections (1)\n"
"  -p, --inflight N        requests in flight per connection (1, max %u)\n"
"  -b, --batch N           BATCH frames of N entries (0 = WRITE frames)\n"
"  -n, --entries N         stop after N entries in all\n"
"  -d, --duration SEC      or after SEC seconds (10)\n"
"  -t, --threads N         client threads (1)\n"
"      --pid PID           the daemon's pid, for its memory and CPU\n"
"      --idle N            open N idle connections, report the daemon's RssAnon\n"
"      --no-verify         skip the check of the ledger after the run\n"
"      --shared            other clients may write meanwhile\n"
"      --label TEXT        name of this run in the RESULT line\n"
"  -q, --quiet\n"
"Exit 0 when every request was acknowledged and the ledger holds exactly the\n"
"acknowledged entries; 1 otherwise; 2 on usage errors.\n", SLOT_MAX);
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv)
{
	enum { O_PKI = 256, O_CA, O_CN, O_REGIONS, O_SETUP, O_AWARD, O_FY,
	    O_PID, O_IDLE, O_NOVERIFY, O_SHARED, O_LABEL };
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' },
		{ "pki", required_argument, NULL, O_PKI },
		{ "ca", required_argument, NULL, O_CA },
		{ "cn", required_argument, NULL, O_CN },
		{ "regions", required_argument, NULL, O_REGIONS },
		{ "setup", required_argument, NULL, O_SETUP },
		{ "award", required_argument, NULL, O_AWARD },
		{ "fy", required_argument, NULL, O_FY },
		{ "conns", required_argument, NULL, 'c' },
		{ "inflight", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "entries", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, O_PID },
		{ "idle", required_argument, NULL, O_IDLE },
		{ "no-verify", no_argument, NULL, O_NOVERIFY },
		{ "shared", no_argument, NULL, O_SHARED },
		{ "label", required_argument, NULL, O_LABEL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	char *end;
	int ch;

	opt.server = "127.0.0.1:7443";
	opt.conns = 1;
	opt.inflight = 1;
	opt.duration = 10;
	opt.threads = 1;
	opt.fy = 2013;
	opt.award[LD_A_GENERAL] = INT64_C(100000000000);
	opt.award[LD_A_RECONSTRUCTION] = INT64_C(100000000000);
	opt.verify = 1;
	opt.label = "";
	while ((ch = getopt_long(argc, argv, "s:c:p:b:n:d:t:qh", lo, NULL)) != -1) {
		v = 0;
		switch (ch) {
		case 's': opt.server = optarg; break;
		case O_PKI: opt.pki = optarg; break;
		case O_CA: opt.ca = optarg; break;
		case O_CN: opt.cns = optarg; break;
		case O_REGIONS: opt.regions = optarg; break;
		case O_SETUP: opt.setup_cn = optarg; break;
		case O_LABEL: opt.label = optarg; break;
		case O_NOVERIFY: opt.verify = 0; break;
		case O_SHARED: opt.shared = 1; break;
		case 'q': opt.quiet = 1; break;
		case O_AWARD:
			if ((end = strchr(optarg, ',')) != NULL)
				*end++ = '\0';
			if (parse_u64(optarg, (uint64_t)LD_AMOUNT_MAX, &v) || !v)
				goto bad;
			opt.award[LD_A_GENERAL] = opt.award[LD_A_RECONSTRUCTION] =
			    (int64_t)v;
			if (end != NULL && (parse_u64(end, (uint64_t)LD_AMOUNT_MAX,
			    &v) || !v))
				goto bad;
			opt.award[LD_A_RECONSTRUCTION] = (int64_t)v;
			break;
		case O_FY:
			if (parse_u64(optarg, LD_FY_MAX, &v) || v < LD_FY_MIN)
				goto bad;
			opt.fy = (uint16_t)v;
			break;
		case 'c':
			if (parse_u64(optarg, 100000, &v) || !v)
				goto bad;
			opt.conns = (uint32_t)v;
			break;
		case 'p':
			if (parse_u64(optarg, SLOT_MAX, &v) || !v)
				goto bad;
			opt.inflight = (uint32_t)v;
			break;
		case 'b':
			if (parse_u64(optarg, MSG_BATCH_MAX, &v))
				goto bad;
			opt.batch = (uint32_t)v;
			break;
		case 'n':
			if (parse_u64(optarg, UINT64_C(1) << 40, &opt.total))
				goto bad;
			break;
		case 'd':
			opt.duration = strtod(optarg, &end);
			if (*end != '\0' || !(opt.duration > 0 && opt.duration < 1e6))
				goto bad;
			break;
		case 't':
			if (parse_u64(optarg, 64, &v) || !v)
				goto bad;
			opt.threads = (uint32_t)v;
			break;
		case O_PID:
			if (parse_u64(optarg, INT32_MAX, &v) || !v)
				goto bad;
			opt.pid = (pid_t)v;
			break;
		case O_IDLE:
			if (parse_u64(optarg, 100000, &v) || !v)
				goto bad;
			opt.idle = (uint32_t)v;
			break;
		default:
			usage();
			return -1;
		}
		continue;
bad:
		fprintf(stderr, "ledger-bench: bad value for -%c: %s\n",
		    ch < 256 ? ch : '-', optarg);
		return -1;
	}
	if (optind != argc || opt.pki == NULL) {
		usage();
		return -1;
	}
	if (opt.regions == NULL && opt.idle == 0) {
		fprintf(stderr, "ledger-bench: --regions FILE is needed\n");
		return -1;
	}
	return 0;
}

/*
 * One TLS context per CN: the clerks of --cn first (cn_list[0 .. nclerk)),
 * then the --setup admin.  The first clerk also reads STATUS and LIST.
 */
static int
load_cns(void)
{
	static char dflt[] = "clerk01";
	char *p, *save = NULL, **nl;
	size_t cap = 0, i;

	if (opt.cns == NULL)
		opt.cns = dflt;
	for (p = strtok_r(opt.cns, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (ncn + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			if ((nl = realloc(cn_list, cap * sizeof(*nl))) == NULL)
				return -1;
			cn_list = nl;
		}
		cn_list[ncn++] = p;
	}
	if (ncn == 0) {
		fprintf(stderr, "ledger-bench: --cn names no CN\n");
		return -1;
	}
	nclerk = ncn;
	opt.verify_cn = cn_list[0];
	if (opt.setup_cn != NULL)
		cn_list[ncn++] = (char *)opt.setup_cn;
	if ((ctxs = calloc(ncn, sizeof(*ctxs))) == NULL)
		return -1;
	for (i = 0; i < ncn; i++)
		if (ctx_load(&ctxs[i], cn_list[i]) == -1)
			return -1;
	return 0;
}

static int
resolve_server(void)
{
	struct addrinfo hints;
	const char *colon = strrchr(opt.server, ':');
	size_t hl;
	int rc;

	if (colon == NULL || (hl = (size_t)(colon - opt.server)) == 0 ||
	    hl >= sizeof(opt.host) || strlen(colon + 1) >= sizeof(opt.port)) {
		fprintf(stderr, "ledger-bench: --server wants IP:PORT\n");
		return -1;
	}
	memcpy(opt.host, opt.server, hl);
	opt.host[hl] = '\0';
	if (opt.host[0] == '[' && hl > 2 && opt.host[hl - 1] == ']') {
		memmove(opt.host, opt.host + 1, hl - 2);
		opt.host[hl - 2] = '\0';
	}
	snprintf(opt.port, sizeof(opt.port), "%s", colon + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rc = getaddrinfo(opt.host, opt.port, &hints, &server_ai)) != 0) {
		fprintf(stderr, "ledger-bench: --server %s: %s (an IP address "
		    "and port)\n", opt.server, gai_strerror(rc));
		return -1;
	}
	return 0;
}

static void
raise_nofile(uint32_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need + 64) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	struct worker *ws = NULL;
	struct bconn **conns = NULL, *sc;
	struct msg_status st;
	struct rusage ru0, ru1;
	pthread_t sampler;
	uint64_t before = 0, t0, t1, acked = 0, refused = 0, dups = 0, *lat = NULL;
	uint64_t errs[LD_E_MAX + 1] = { 0 }, hwm = 0, rss = 0, anon = 0;
	uint64_t cpu0 = 0, cpu1 = 0, nlat = 0, per, rem, idle_anon = 0;
	uint64_t anon0 = 0;
	uint32_t i, nconn, j;
	double secs, cpu_d = -1, cpu_c;
	char err[256];
	int rc = 1, failed = 0, sampling = 0, vr = 0, k;

	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv) == -1)
		return 2;
	if (opt.ca == NULL) {
		static char ca[4096];

		snprintf(ca, sizeof(ca), "%s/ca.crt", opt.pki);
		opt.ca = ca;
	}
	if (resolve_server() == -1 || load_cns() == -1)
		return 2;
	if (opt.regions != NULL &&
	    wl_regions_load(&regions, opt.regions, err, sizeof(err)) == -1) {
		fprintf(stderr, "ledger-bench: %s\n", err);
		return 2;
	}
	wl_make_tag(tag);
	nconn = opt.idle ? opt.idle : opt.conns;
	if (opt.threads > nconn)
		opt.threads = nconn;
	raise_nofile(nconn);

	if (opt.setup_cn != NULL && setup_ledger() == -1)
		goto out;
	if (opt.verify && opt.idle == 0) {
		if ((sc = sync_open(opt.verify_cn)) == NULL)
			goto out;
		if (sync_status(sc, &st) == -1) {
			fprintf(stderr, "ledger-bench: status: %s\n", sc->err);
			bc_free(sc);
			goto out;
		}
		before = st.size;
		bc_free(sc);
	}

	if ((conns = calloc(nconn, sizeof(*conns))) == NULL ||
	    (ws = calloc(opt.threads, sizeof(*ws))) == NULL)
		goto out;
	per = opt.total / nconn;
	rem = opt.total % nconn;
	for (i = 0; i < nconn; i++) {
		if ((conns[i] = bc_new(i, i % nclerk, opt.inflight)) == NULL)
			goto out;
		conns[i]->quota = opt.idle ? 0 : opt.total ? per + (i < rem) :
		    UINT64_MAX;
	}
	for (j = 0; j < opt.threads; j++)
		ws[j].epfd = -1;
	for (j = 0; j < opt.threads; j++) {
		ws[j].epfd = epoll_create1(EPOLL_CLOEXEC);
		ws[j].c = calloc(nconn / opt.threads + 1, sizeof(*ws[j].c));
		if (ws[j].epfd == -1 || ws[j].c == NULL)
			goto out;
	}
	for (i = 0; i < nconn; i++) {
		struct worker *w = &ws[i % opt.threads];

		conns[i]->w = w;
		w->c[w->n++] = conns[i];
	}

	if (opt.pid != 0) {
		proc_cpu(opt.pid, &cpu0);
		proc_status(opt.pid, &hwm, &rss, &anon0);
		sampling = pthread_create(&sampler, NULL, sampler_main, NULL) == 0;
	}
	atomic_store(&deadline_ns, UINT64_MAX);
	pthread_barrier_init(&start_barrier, NULL, opt.threads + 1);
	for (j = 0; j < opt.threads; j++)
		if (pthread_create(&ws[j].th, NULL, worker_main, &ws[j]) != 0) {
			fprintf(stderr, "ledger-bench: cannot start threads\n");
			return 1;	/* the barrier would wait forever */
		}
	pthread_barrier_wait(&start_barrier);
	getrusage(RUSAGE_SELF, &ru0);
	if (opt.pid != 0)
		proc_cpu(opt.pid, &cpu0);
	t0 = now_ns();
	if (opt.total == 0)
		atomic_store(&deadline_ns, t0 + (uint64_t)(opt.duration * 1e9));
	for (j = 0; j < opt.threads; j++)
		pthread_join(ws[j].th, NULL);
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru1);
	if (opt.pid != 0)
		proc_cpu(opt.pid, &cpu1);
	secs = (double)(t1 - t0) / 1e9;

	for (i = 0; i < nconn; i++) {
		struct bconn *c = conns[i];

		if (c->state == BC_FAILED) {
			if (failed++ < 5)
				fprintf(stderr, "ledger-bench: connection %u (%s): "
				    "%s\n", i, c->cn, c->err);
			continue;
		}
		if (opt.idle == 0 && i < nclerk && strcmp(c->role, "clerk") != 0)
			fprintf(stderr, "ledger-bench: warning: %s has role '%s', "
			    "not clerk\n", c->cn, c->role);
		acked += c->acked;
		refused += c->refused;
		dups += c->dups;
		for (k = 0; k <= LD_E_MAX; k++)
			errs[k] += c->errs[k];
	}
	if (failed > 0)
		fprintf(stderr, "ledger-bench: %d of %u connections failed\n",
		    failed, nconn);

	if (opt.idle) {
		/* Let the daemon settle, then read its own memory. */
		if (failed == 0 && opt.pid != 0) {
			sleep(2);
			proc_status(opt.pid, &hwm, &rss, &idle_anon);
		}
		printf("idle: %u connections open; daemon RssAnon %.1f MiB "
		    "(%.1f MiB before them: %.1f KiB each), VmRSS %.1f MiB\n",
		    nconn - failed, (double)idle_anon / 1024,
		    (double)anon0 / 1024, idle_anon > anon0 ?
		    (double)(idle_anon - anon0) / nconn : 0.0,
		    (double)rss / 1024);
		printf("RESULT label=%s mode=idle conns=%u failed=%d anon_kib=%"
		    PRIu64 " anon_before_kib=%" PRIu64 " rss_kib=%" PRIu64 "\n",
		    opt.label[0] ? opt.label : "-", nconn, failed, idle_anon,
		    anon0, rss);
		rc = failed ? 1 : 0;
		goto out;
	}

	for (j = 0; j < opt.threads; j++)
		nlat += ws[j].nlat;
	if ((lat = malloc((nlat ? nlat : 1) * sizeof(*lat))) == NULL)
		goto out;
	nlat = 0;
	for (j = 0; j < opt.threads; j++) {
		if (ws[j].nlat)
			memcpy(lat + nlat, ws[j].lat, ws[j].nlat * sizeof(*lat));
		nlat += ws[j].nlat;
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	if (sampling) {
		atomic_store(&sampler_stop, 1);
		pthread_join(sampler, NULL);
		sampling = 0;
		proc_status(opt.pid, &hwm, &rss, &anon);
		if (anon > peak_anon_kib)
			peak_anon_kib = anon;
	}
	cpu_c = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec +
	    ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
	    (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
	    ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	if (opt.pid != 0 && cpu1 >= cpu0)
		cpu_d = (double)(cpu1 - cpu0) / (double)sysconf(_SC_CLK_TCK);

	if (!opt.quiet) {
		printf("load: %u connections x %u in flight, %s of %u, %.2f s, "
		    "tag %s\n", nconn, opt.inflight, opt.batch ? "batches" :
		    "writes", opt.batch ? opt.batch : 1, secs, tag);
		printf("  entries   %" PRIu64 " acknowledged (%.0f/s), %" PRIu64
		    " refused, %" PRIu64 " duplicates\n", acked,
		    secs > 0 ? (double)acked / secs : 0, refused, dups);
		for (k = 1; k <= LD_E_MAX; k++)
			if (errs[k]) {
				printf("  refused   %" PRIu64 " x %s\n", errs[k],
				    ld_err_name(k));
				print_errmsgs(ws, opt.threads, (int)k);
			}
		print_errmsgs(ws, opt.threads, -1);
		printf("  latency   %" PRIu64 " requests: p50 %.3f ms, p99 %.3f ms, "
		    "p99.9 %.3f ms, max %.3f ms\n", nlat, pct_ms(lat, nlat, 0.5),
		    pct_ms(lat, nlat, 0.99), pct_ms(lat, nlat, 0.999),
		    pct_ms(lat, nlat, 1.0));
		if (opt.pid != 0)
			printf("  daemon    peak RSS %.1f MiB (VmHWM, counts LMDB "
			    "pages), peak RssAnon %.1f MiB, CPU %.2f s (%.0f%%)\n",
			    (double)hwm / 1024, (double)peak_anon_kib / 1024,
			    cpu_d, secs > 0 ? cpu_d / secs * 100 : 0);
		printf("  client    CPU %.2f s (%.0f%%)\n", cpu_c,
		    secs > 0 ? cpu_c / secs * 100 : 0);
	}
	if (opt.verify && failed == 0)
		vr = verify_ledger(conns, nconn, before, acked);
	printf("RESULT label=%s conns=%u inflight=%u batch=%u entries=%" PRIu64
	    " refused=%" PRIu64 " secs=%.3f rate=%.0f p50_ms=%.3f p99_ms=%.3f "
	    "p999_ms=%.3f hwm_kib=%" PRIu64 " anon_peak_kib=%" PRIu64
	    " daemon_cpu=%.2f client_cpu=%.2f verify=%s\n",
	    opt.label[0] ? opt.label : "-", nconn, opt.inflight, opt.batch,
	    acked, refused, secs, secs > 0 ? (double)acked / secs : 0,
	    pct_ms(lat, nlat, 0.5), pct_ms(lat, nlat, 0.99),
	    pct_ms(lat, nlat, 0.999), hwm, peak_anon_kib, cpu_d, cpu_c,
	    !opt.verify ? "skipped" : failed ? "failed" : vr == 0 ? "ok" :
	    "MISMATCH");
	rc = failed || refused || dups || vr != 0 || acked == 0 ? 1 : 0;
out:
	if (sampling) {
		atomic_store(&sampler_stop, 1);
		pthread_join(sampler, NULL);
	}
	if (conns != NULL)
		for (i = 0; i < nconn; i++)
			bc_free(conns[i]);
	if (ws != NULL)
		for (j = 0; j < opt.threads; j++) {
			if (ws[j].epfd != -1)
				close(ws[j].epfd);
			free(ws[j].c);
			free(ws[j].lat);
		}
	free(ws);
	free(conns);
	free(lat);
	for (i = 0; ctxs != NULL && i < ncn; i++)
		SSL_CTX_free(ctxs[i]);
	free(ctxs);
	free(cn_list);
	wl_regions_free(&regions);
	if (server_ai != NULL)
		freeaddrinfo(server_ai);
	return rc;
}
