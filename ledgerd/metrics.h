/*
 * metrics.h - counters for operators, and the optional Prometheus endpoint.
 *
 * The daemon's other files call the hooks below; metrics.c keeps the
 * figures and, when [metrics] listen is set, serves them in the Prometheus
 * text format at /metrics over HTTP (libevent's evhttp on the daemon's own
 * event loop).  Hooks are cheap and always count, so the figures are
 * there for the systemd STATUS= line whether or not the endpoint is on.
 *
 * Threads: every hook may be called from any thread (the commit hook runs
 * on the writer thread); the counters sit under one mutex.  The request
 * window (metrics_request_begin/_end) and the scrape run on the event
 * loop's thread only.
 */
#ifndef LD_METRICS_H
#define LD_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct server;
struct wjob;

/* Why a TLS handshake failed: the label of ledgerd_tls_handshake_failures_total. */
enum metrics_tls_reason {
	MTLS_NO_CERTIFICATE,	/* the client sent no certificate */
	MTLS_UNKNOWN_CA,	/* its chain does not lead to client_ca */
	MTLS_REVOKED,		/* listed in the CRL */
	MTLS_EXPIRED,		/* expired or not yet valid */
	MTLS_CRL,		/* no CRL for the issuer, or the CRL expired */
	MTLS_BAD_CERTIFICATE,	/* any other verification failure */
	MTLS_NO_CN,		/* verified, but no usable subject CN */
	MTLS_PEER_ALERT,	/* the client refused us (e.g. our certificate) */
	MTLS_PROTOCOL,		/* not TLS 1.3, garbage, plain HTTP ... */
	MTLS_CLOSED,		/* the peer went away mid-handshake */
	MTLS_TIMEOUT,		/* idle_timeout_s passed during the handshake */
	MTLS_OTHER,
	MTLS_NREASONS
};

/* Bind [metrics] listen when set (before privileges are dropped). 0 or -1. */
int	metrics_listen(struct server *);
/* Close the endpoint; before the event base is freed. */
void	metrics_free(void);

/*
 * One request, counted by type and result: conn_process() opens a window
 * around dispatching a frame; conn_error() inside it sets the result
 * (first error wins); a write handed to the writer is deferred and counted
 * by metrics_job_done() when its answer comes back.
 */
void	metrics_request_begin(uint8_t type);
void	metrics_request_error(int code);
void	metrics_request_defer(void);
void	metrics_request_end(void);
/* A writer job answered (loop thread): counted from its answer frames. */
void	metrics_job_done(const struct wjob *);

/* One group commit (writer thread): requests in it, time it took. */
void	metrics_commit(const struct wjob *group, uint32_t requests, int64_t usec);
/* CLOCK_MONOTONIC in microseconds, for timing commits. */
int64_t	metrics_clock_us(void);

void	metrics_handshake_fail(int reason);
/* The reason for a failed handshake from the verify result and first error. */
int	metrics_tls_reason(long verify_result, unsigned long ssl_error);
/* A checkpoint was signed (audit.c). */
void	metrics_checkpoint_signed(void);

/* "tree size N, C connection(s)" for systemd's STATUS=. */
void	metrics_status_line(struct server *, char *buf, size_t len);

#endif
