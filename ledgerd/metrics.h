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
 * on the writer thread); the counters sit under one mutex.  The scrape
 * runs on the event loop's thread only.
 *
 * A leaf: metrics.c reads no other module's structs.  The others report
 * plain numbers through the hooks, and the gauges a scrape shows (tree
 * size, connections, map use ...) come from a callback the owner of that
 * state passes to metrics_listen().
 */
#ifndef LD_METRICS_H
#define LD_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

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

/* What a scrape shows besides the counters, as the server knows it. */
struct metrics_gauges {
	uint64_t	size;		/* entries: the tree size */
	int		have_newest;
	int64_t		newest_at;	/* recorded_at of entry seq = size, us */
	uint64_t	map_used, map_size;	/* bytes */
	int64_t		last_commit;	/* us since the epoch; 0 = none */
	uint32_t	connections;
	uint32_t	max_connections;
	uint64_t	accepted;	/* connections accepted since start */
	int64_t		started;	/* seconds since the epoch */
	uint64_t	damaged_entries;	/* distinct damaged entries met */
	int		scrub_result;	/* 0 no pass yet, 1 ok, 2 damaged */
	int64_t		scrub_finished_at;	/* us since the epoch; 0 = none */
	uint64_t	scrub_damaged_seq;	/* 0 = none */
	/* issue 14: the disk under the map, and a failing or stalling store */
	int		have_fs;	/* the two below could be read */
	uint64_t	fs_free, fs_size;	/* bytes, statvfs of the ledger dir */
	int		storage_failed;	/* the store is in its failed state */
	int64_t		oldest_write_us;	/* age of the oldest unanswered
						   write, 0 = none */
};
/* Fill *g; 0, or -1 when the store could not be read (size unknown). */
typedef int	(*metrics_gauge_fn)(void *arg, struct metrics_gauges *g);

/*
 * Serve /metrics on host:port (the [metrics] listen setting; an empty host
 * serves nothing) on base, with gauges from fn(arg) at each scrape.  Bind
 * before privileges are dropped.  0, or -1 (logged).
 */
int	metrics_listen(struct event_base *base, const char *host,
	    const char *port, metrics_gauge_fn fn, void *arg);
/* Close the endpoint; before the event base is freed. */
void	metrics_free(void);

/* One request answered: its message type and result (LD_OK or the code). */
void	metrics_request(uint8_t type, int code);

/*
 * One group commit (writer thread, through struct writer_hooks): requests
 * in it, entries it appended, time it took.
 */
void	metrics_commit(uint32_t requests, uint64_t entries, int64_t usec);
/*
 * A commit slower than slow_commit_warn_ms (writer thread): counted in
 * ledgerd_slow_commits_total.
 */
void	metrics_slow_commit(int64_t usec);
/* Slow commits counted so far (for `status`). */
uint64_t metrics_slow_commits(void);

void	metrics_handshake_fail(int reason);
/* The reason for a failed handshake from the verify result and first error. */
int	metrics_tls_reason(long verify_result, unsigned long ssl_error);
/* A checkpoint was signed (audit.c). */
void	metrics_checkpoint_signed(void);

/* "tree size N, C connection(s)" for systemd's STATUS=. */
void	metrics_status_line(const struct metrics_gauges *, char *buf, size_t len);

#endif
