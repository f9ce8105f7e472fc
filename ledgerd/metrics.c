/*
 * metrics.c - operator figures, and the Prometheus endpoint that shows them.
 *
 * Counters (requests, commits, handshake failures, checkpoints) are
 * accumulated by hooks called from server.c, audit.c and (through struct
 * writer_hooks, wired in ledgerd.c) the writer; gauges (tree size,
 * connections, map use, checkpoint age) come from the callback given to
 * metrics_listen() when scraped.  Nothing here reads another module's
 * structs, so metrics is a leaf of the daemon's call graph.
 * The endpoint is evhttp on the daemon's event loop: a scrape costs one
 * short read transaction and never touches the writer, so a slow fsync
 * cannot stall it.  It speaks plain HTTP with no authentication, which is
 * why it is off unless [metrics] listen is set, and why the sample binds it
 * to loopback.
 *
 * One mutex covers every counter: the commit hook runs on the writer
 * thread, everything else on the loop's thread, and a scrape copies the
 * figures out under the lock before formatting them.  Durations and
 * percentages are integers formatted with a decimal point, so there is no
 * floating point anywhere here.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "errors.h"
#include "frame.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "wire.h"

/* Request types as labels; the last row catches anything else. */
static const struct {
	uint8_t		 type;
	const char	*name;
} mtypes[] = {
	{ MSG_HELLO, "hello" },
	{ MSG_WRITE, "write" },
	{ MSG_WRITE_BATCH, "batch" },
	{ MSG_GET, "get" },
	{ MSG_LIST, "list" },
	{ MSG_REGION_LIST, "region_list" },
	{ MSG_BALANCE, "balance" },
	{ MSG_STATUS, "status" },
	{ MSG_CHECKPOINT, "checkpoint" },
	{ MSG_PROVE, "prove" },
	{ MSG_CONSISTENCY, "consistency" },
	{ 0, "other" }
};
#define NTYPES	(sizeof(mtypes) / sizeof(mtypes[0]))

static const char *const tls_reasons[MTLS_NREASONS] = {
	[MTLS_NO_CERTIFICATE] = "no_certificate",
	[MTLS_UNKNOWN_CA] = "unknown_ca",
	[MTLS_REVOKED] = "revoked",
	[MTLS_EXPIRED] = "expired",
	[MTLS_CRL] = "crl",
	[MTLS_BAD_CERTIFICATE] = "bad_certificate",
	[MTLS_NO_CN] = "no_cn",
	[MTLS_PEER_ALERT] = "peer_alert",
	[MTLS_PROTOCOL] = "protocol",
	[MTLS_CLOSED] = "closed",
	[MTLS_TIMEOUT] = "timeout",
	[MTLS_OTHER] = "other"
};

/* Requests per group commit: powers of two up to WRITER_GROUP_MAX. */
static const uint64_t batch_bounds[] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192
};
#define NBATCH	(sizeof(batch_bounds) / sizeof(batch_bounds[0]))

/* Commit latency bounds in microseconds: 250 us to 10 s. */
static const uint64_t latency_bounds[] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 2500000, 5000000, 10000000
};
#define NLATENCY (sizeof(latency_bounds) / sizeof(latency_bounds[0]))

struct figures {
	uint64_t	requests[NTYPES][LD_E_MAX + 1];
	uint64_t	batch_buckets[NBATCH + 1];	/* last: +Inf */
	uint64_t	batch_sum, batch_count;
	uint64_t	latency_buckets[NLATENCY + 1];
	uint64_t	latency_sum_us, latency_count;
	uint64_t	entries_appended;
	uint64_t	tls_failures[MTLS_NREASONS];
	uint64_t	checkpoints_signed;
	int64_t		checkpoint_signed_at;	/* us since the epoch, 0 = never */
	uint64_t	slow_commits;
};

static struct {
	pthread_mutex_t		 mtx;
	struct figures		 f;		/* under mtx */
	struct evhttp		*http;
	metrics_gauge_fn	 gauge_fn;	/* the server's, at each scrape */
	void			*gauge_arg;
} M = { .mtx = PTHREAD_MUTEX_INITIALIZER };

static size_t
type_index(uint8_t type)
{
	size_t i;

	for (i = 0; i < NTYPES - 1; i++)
		if (mtypes[i].type == type)
			return i;
	return NTYPES - 1;
}

static void
count_request(uint8_t type, int code)
{
	if (code < 0 || code > LD_E_MAX)
		code = LD_E_INTERNAL;
	pthread_mutex_lock(&M.mtx);
	M.f.requests[type_index(type)][code]++;
	pthread_mutex_unlock(&M.mtx);
}

void
metrics_request(uint8_t type, int code)
{
	count_request(type, code);
}

static int64_t
realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
metrics_commit(uint32_t requests, uint64_t entries, int64_t usec)
{
	size_t i;

	if (usec < 0)
		usec = 0;
	pthread_mutex_lock(&M.mtx);
	for (i = 0; i < NBATCH && requests > batch_bounds[i]; i++)
		;
	M.f.batch_buckets[i]++;
	M.f.batch_sum += requests;
	M.f.batch_count++;
	for (i = 0; i < NLATENCY && (uint64_t)usec > latency_bounds[i]; i++)
		;
	M.f.latency_buckets[i]++;
	M.f.latency_sum_us += (uint64_t)usec;
	M.f.latency_count++;
	M.f.entries_appended += entries;
	pthread_mutex_unlock(&M.mtx);
}

void
metrics_slow_commit(int64_t usec)
{
	(void)usec;
	pthread_mutex_lock(&M.mtx);
	M.f.slow_commits++;
	pthread_mutex_unlock(&M.mtx);
}

uint64_t
metrics_slow_commits(void)
{
	uint64_t n;

	pthread_mutex_lock(&M.mtx);
	n = M.f.slow_commits;
	pthread_mutex_unlock(&M.mtx);
	return n;
}

void
metrics_handshake_fail(int reason)
{
	if (reason < 0 || reason >= MTLS_NREASONS)
		reason = MTLS_OTHER;
	pthread_mutex_lock(&M.mtx);
	M.f.tls_failures[reason]++;
	pthread_mutex_unlock(&M.mtx);
}

int
metrics_tls_reason(long vr, unsigned long e)
{
	int r;

	switch (vr) {
	case X509_V_OK:
		break;
	case X509_V_ERR_CERT_REVOKED:
		return MTLS_REVOKED;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return MTLS_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return MTLS_UNKNOWN_CA;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
		return MTLS_CRL;
	default:
		return MTLS_BAD_CERTIFICATE;
	}
	if (e == 0)
		return MTLS_CLOSED;
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return MTLS_OTHER;
	r = ERR_GET_REASON(e);
	if (r == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
		return MTLS_NO_CERTIFICATE;
	if (r == SSL_R_CERTIFICATE_VERIFY_FAILED)
		return MTLS_BAD_CERTIFICATE;
	if (r == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return MTLS_CLOSED;
	/* Alerts the peer sent: SSL_AD_REASON_OFFSET + the alert number. */
	if (r >= SSL_AD_REASON_OFFSET && r < SSL_AD_REASON_OFFSET + 256)
		return MTLS_PEER_ALERT;
	return MTLS_PROTOCOL;
}

void
metrics_checkpoint_signed(void)
{
	int64_t now = realtime_us();

	pthread_mutex_lock(&M.mtx);
	M.f.checkpoints_signed++;
	M.f.checkpoint_signed_at = now;
	pthread_mutex_unlock(&M.mtx);
}

/* Microseconds as decimal seconds, trailing zeros dropped: 2500 -> 0.0025. */
static void
fmt_seconds(char *buf, size_t len, int64_t us)
{
	const char *sign = "";
	uint64_t u;
	int n;

	if (us < 0) {
		sign = "-";
		u = (uint64_t)0 - (uint64_t)us;
	} else
		u = (uint64_t)us;
	n = snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, sign, u / 1000000,
	    u % 1000000);
	if (n <= 0 || (size_t)n >= len)
		return;
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

static void
help(struct evbuffer *b, const char *name, const char *type, const char *text)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name,
	    type);
}

static void
render_histogram(struct evbuffer *b, const char *name, const uint64_t *bounds,
    size_t nbounds, const uint64_t *buckets, uint64_t sum, uint64_t count,
    int seconds)
{
	uint64_t cum = 0;
	char le[32], s[32];
	size_t i;

	for (i = 0; i <= nbounds; i++) {
		cum += buckets[i];
		if (i == nbounds)
			snprintf(le, sizeof(le), "+Inf");
		else if (seconds)
			fmt_seconds(le, sizeof(le), (int64_t)bounds[i]);
		else
			snprintf(le, sizeof(le), "%" PRIu64, bounds[i]);
		evbuffer_add_printf(b, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", name,
		    le, cum);
	}
	if (seconds)
		fmt_seconds(s, sizeof(s), (int64_t)sum);
	else
		snprintf(s, sizeof(s), "%" PRIu64, sum);
	evbuffer_add_printf(b, "%s_sum %s\n%s_count %" PRIu64 "\n", name, s, name,
	    count);
}

static void
render(struct evbuffer *b)
{
	struct figures *f;
	struct metrics_gauges g;
	char s[32];
	size_t i;
	int code, gauges_ok;

	if ((f = malloc(sizeof(*f))) == NULL)
		return;
	pthread_mutex_lock(&M.mtx);
	memcpy(f, &M.f, sizeof(*f));
	pthread_mutex_unlock(&M.mtx);
	memset(&g, 0, sizeof(g));
	gauges_ok = M.gauge_fn(M.gauge_arg, &g) == 0;

	help(b, "ledgerd_build_info", "gauge", "The running version.");
	evbuffer_add_printf(b, "ledgerd_build_info{version=\"%s\"} 1\n",
	    LEDGERD_VERSION);
	help(b, "ledgerd_start_time_seconds", "gauge",
	    "When the daemon started, seconds since the epoch.");
	evbuffer_add_printf(b, "ledgerd_start_time_seconds %lld\n",
	    (long long)g.started);

	help(b, "ledgerd_damaged_entries", "gauge",
	    "Distinct stored entries found not to match their leaf hash "
	    "(reads and scrubs) since the daemon started; never served.");
	evbuffer_add_printf(b, "ledgerd_damaged_entries %" PRIu64 "\n",
	    g.damaged_entries);
	help(b, "ledgerd_scrub_last_result", "gauge",
	    "The last scrub pass: 0 none yet, 1 intact, 2 damaged.");
	evbuffer_add_printf(b, "ledgerd_scrub_last_result %d\n",
	    g.scrub_result);
	help(b, "ledgerd_scrub_last_finished_seconds", "gauge",
	    "When the last scrub pass finished, seconds since the epoch; 0 "
	    "none.");
	evbuffer_add_printf(b, "ledgerd_scrub_last_finished_seconds %lld\n",
	    (long long)(g.scrub_finished_at / 1000000));
	help(b, "ledgerd_scrub_damaged_seq", "gauge",
	    "The first damaged seq the last scrub pass found; 0 none.");
	evbuffer_add_printf(b, "ledgerd_scrub_damaged_seq %" PRIu64 "\n",
	    g.scrub_damaged_seq);

	help(b, "ledgerd_requests_total", "counter",
	    "Requests answered, by type and result code (OK or the error).");
	for (i = 0; i < NTYPES; i++)
		for (code = 0; code <= LD_E_MAX; code++)
			if (f->requests[i][code] != 0)
				evbuffer_add_printf(b, "ledgerd_requests_total"
				    "{type=\"%s\",code=\"%s\"} %" PRIu64 "\n",
				    mtypes[i].name, code == LD_OK ? "OK" :
				    ld_err_name(code), f->requests[i][code]);

	help(b, "ledgerd_commit_batch_size", "histogram",
	    "Write requests decided in one group commit.");
	render_histogram(b, "ledgerd_commit_batch_size", batch_bounds, NBATCH,
	    f->batch_buckets, f->batch_sum, f->batch_count, 0);
	help(b, "ledgerd_commit_duration_seconds", "histogram",
	    "Time to decide and commit one group, fsync included.");
	render_histogram(b, "ledgerd_commit_duration_seconds", latency_bounds,
	    NLATENCY, f->latency_buckets, f->latency_sum_us, f->latency_count, 1);
	help(b, "ledgerd_entries_appended_total", "counter",
	    "Entries appended to the ledger since the daemon started.");
	evbuffer_add_printf(b, "ledgerd_entries_appended_total %" PRIu64 "\n",
	    f->entries_appended);

	help(b, "ledgerd_connections", "gauge", "Open client connections.");
	evbuffer_add_printf(b, "ledgerd_connections %u\n", g.connections);
	help(b, "ledgerd_connections_max", "gauge",
	    "The max_connections setting.");
	evbuffer_add_printf(b, "ledgerd_connections_max %u\n",
	    g.max_connections);
	help(b, "ledgerd_connections_accepted_total", "counter",
	    "Client connections accepted since the daemon started.");
	evbuffer_add_printf(b, "ledgerd_connections_accepted_total %" PRIu64 "\n",
	    g.accepted);

	help(b, "ledgerd_tls_handshake_failures_total", "counter",
	    "TLS handshakes that failed, by reason.");
	for (i = 0; i < MTLS_NREASONS; i++)
		evbuffer_add_printf(b, "ledgerd_tls_handshake_failures_total"
		    "{reason=\"%s\"} %" PRIu64 "\n", tls_reasons[i],
		    f->tls_failures[i]);

	help(b, "ledgerd_checkpoints_signed_total", "counter",
	    "Checkpoints signed (CHECKPOINT answers and proofs).");
	evbuffer_add_printf(b, "ledgerd_checkpoints_signed_total %" PRIu64 "\n",
	    f->checkpoints_signed);
	if (f->checkpoint_signed_at != 0) {
		help(b, "ledgerd_checkpoint_last_signed_timestamp_seconds",
		    "gauge", "When a checkpoint was last signed.");
		fmt_seconds(s, sizeof(s), f->checkpoint_signed_at);
		evbuffer_add_printf(b,
		    "ledgerd_checkpoint_last_signed_timestamp_seconds %s\n", s);
	}

	if (gauges_ok) {
		help(b, "ledgerd_tree_size", "gauge",
		    "Entries in the ledger: the size of the Merkle tree.");
		evbuffer_add_printf(b, "ledgerd_tree_size %" PRIu64 "\n", g.size);
		if (g.have_newest) {
			help(b, "ledgerd_checkpoint_age_seconds", "gauge",
			    "Age of the newest checkpoint: time since its tree "
			    "head (the newest entry) was recorded.");
			/*
			 * Wall clock against a wall-clock stamp: after the
			 * clock steps back the age would be negative; it is
			 * then 0 (the entry cannot be younger than now).
			 */
			fmt_seconds(s, sizeof(s), realtime_us() > g.newest_at ?
			    realtime_us() - g.newest_at : 0);
			evbuffer_add_printf(b,
			    "ledgerd_checkpoint_age_seconds %s\n", s);
		}
	}
	if (g.last_commit != 0) {
		help(b, "ledgerd_last_commit_timestamp_seconds", "gauge",
		    "When the last write transaction committed.");
		fmt_seconds(s, sizeof(s), g.last_commit);
		evbuffer_add_printf(b, "ledgerd_last_commit_timestamp_seconds %s\n",
		    s);
	}
	help(b, "ledgerd_map_used_bytes", "gauge",
	    "Bytes of the LMDB map in use.");
	evbuffer_add_printf(b, "ledgerd_map_used_bytes %" PRIu64 "\n", g.map_used);
	help(b, "ledgerd_map_size_bytes", "gauge",
	    "The LMDB map size (map_size_mb): the ledger's ceiling.");
	evbuffer_add_printf(b, "ledgerd_map_size_bytes %" PRIu64 "\n", g.map_size);
	help(b, "ledgerd_map_used_percent", "gauge",
	    "Map use as a percentage of the map size; writes fail with "
	    "STORAGE_FULL at 100.");
	if (g.map_size > 0) {
		uint64_t bp;	/* basis points, without overflow */

		if (g.map_used >= g.map_size)
			bp = 10000;
		else if (g.map_used <= UINT64_MAX / 10000)
			bp = g.map_used * 10000 / g.map_size;
		else
			bp = g.map_used / (g.map_size / 10000);
		evbuffer_add_printf(b, "ledgerd_map_used_percent %" PRIu64
		    ".%02" PRIu64 "\n", bp / 100, bp % 100);
	} else
		evbuffer_add_printf(b, "ledgerd_map_used_percent 0\n");
	if (g.have_fs) {
		help(b, "ledgerd_fs_free_bytes", "gauge",
		    "Bytes free to the daemon on the filesystem that holds the "
		    "ledger (statvfs f_bavail); at 0 writes fail STORAGE_FULL "
		    "before the map is full.");
		evbuffer_add_printf(b, "ledgerd_fs_free_bytes %" PRIu64 "\n",
		    g.fs_free);
		help(b, "ledgerd_fs_size_bytes", "gauge",
		    "Size of the filesystem that holds the ledger.");
		evbuffer_add_printf(b, "ledgerd_fs_size_bytes %" PRIu64 "\n",
		    g.fs_size);
	}
	help(b, "ledgerd_storage_failed", "gauge",
	    "1 once a commit failed so that the store cannot go on: every "
	    "request is answered STORAGE_ERROR and the daemon exits 1.");
	evbuffer_add_printf(b, "ledgerd_storage_failed %d\n", g.storage_failed);
	help(b, "ledgerd_slow_commits_total", "counter",
	    "Commits that took longer than slow_commit_warn_ms.");
	evbuffer_add_printf(b, "ledgerd_slow_commits_total %" PRIu64 "\n",
	    f->slow_commits);
	help(b, "ledgerd_oldest_write_seconds", "gauge",
	    "Age of the oldest write not yet answered (queued or being "
	    "committed); 0 when none.");
	fmt_seconds(s, sizeof(s), g.oldest_write_us);
	evbuffer_add_printf(b, "ledgerd_oldest_write_seconds %s\n", s);
	free(f);
}

static void
metrics_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b;

	(void)arg;
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	render(b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static void
notfound_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics is served here");
}

int
metrics_listen(struct event_base *base, const char *host, const char *portstr,
    metrics_gauge_fn fn, void *arg)
{
	struct evhttp_bound_socket *bs;
	char *end;
	unsigned long port;

	if (host[0] == '\0')
		return 0;
	M.gauge_fn = fn;
	M.gauge_arg = arg;
	errno = 0;
	port = strtoul(portstr, &end, 10);
	if (errno != 0 || *end != '\0' || port == 0 || port > 65535) {
		log_warnx("[metrics] listen: bad port %s", portstr);
		return -1;
	}
	if ((M.http = evhttp_new(base)) == NULL) {
		log_warnx("metrics: cannot create the HTTP server");
		return -1;
	}
	/* Scrapers send small GETs; anything bigger or slower is dropped. */
	evhttp_set_allowed_methods(M.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(M.http, 10);
	evhttp_set_max_headers_size(M.http, 8192);
	evhttp_set_max_body_size(M.http, 1024);
	if (evhttp_set_cb(M.http, "/metrics", metrics_cb, NULL) != 0)
		goto fail;
	evhttp_set_gencb(M.http, notfound_cb, NULL);
	bs = evhttp_bind_socket_with_handle(M.http, host, (uint16_t)port);
	if (bs == NULL) {
		log_warn("[metrics] listen %s:%s", host, portstr);
		goto fail;
	}
	log_info("metrics at http://%s%s%s:%s/metrics",
	    strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	    portstr);
	return 0;
fail:
	evhttp_free(M.http);
	M.http = NULL;
	return -1;
}

void
metrics_free(void)
{
	if (M.http != NULL)
		evhttp_free(M.http);
	M.http = NULL;
}

void
metrics_status_line(const struct metrics_gauges *g, char *buf, size_t len)
{
	snprintf(buf, len, "tree size %" PRIu64 ", %u connection%s", g->size,
	    g->connections, g->connections == 1 ? "" : "s");
}
