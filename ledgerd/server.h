/*
 * server.h - the daemon's shared state and one client connection.
 *
 * Request path (each step in the file named for it; docs/ARCHITECTURE.md):
 *   accept (server.c) -> TLS handshake, CN read once (server.c, tls.c)
 *   -> frame (server.c, proto/frame.c) -> route by message type (the
 *      table in server.c) -> the CN's role (config.c)
 *   -> reads: a handler decodes (proto/msg.c), reads a short read
 *      transaction and appends its answer to a buffer (query.c, audit.c)
 *   -> writes: queued to the single writer thread, which decodes,
 *      validates, authorizes, applies the rules and appends many requests
 *      in one LMDB write transaction (writer.c, apply.c, rules.c, store.c)
 *   -> answers sent by the server (server.c), writes' after the commit.
 * Nothing below server.c calls back into it: handlers and the writer
 * return their answers as bytes.
 *
 * Ownership: the server owns every struct conn on its list.  A connection
 * with writes in the writer's queue (clt_pending > 0) that is closed keeps
 * its struct until the last job returns; server_close() (static in
 * server.c) is the one place a connection ends.
 *
 * Threads: everything here runs on the event loop's thread, which is
 * main()'s; only tls_server_ctx() and tls_check_key_file() are also used
 * before the loop exists.
 */
#ifndef LD_SERVER_H
#define LD_SERVER_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>

#include "config.h"
#include "metrics.h"
#include "msg.h"
#include "query.h"
#include "store.h"

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

struct event_base;
struct event;
struct bufferevent;
struct evconnlistener;
struct writer;
struct wjob;
struct ckpt_signer;

/*
 * One client connection.  It is on srv_conns until server_close(), which
 * frees clt_bev (the SSL and the fd), the timers and the stream and sets
 * clt_dead; then on srv_dead until clt_pending is 0, when it is freed.
 * Anything that may outlive a close (a writer job) checks clt_dead.
 */
struct conn {
	TAILQ_ENTRY(conn)	 clt_entry;
	struct server		*clt_srv;
	uint64_t		 clt_id;
	struct bufferevent	*clt_bev;	/* owns the SSL and the fd */
	struct event		*clt_timer;	/* handshake, then idle deadline */
	struct event		*clt_stream_ev;	/* continue a stream next turn */
	char			 clt_peer[64];	/* "127.0.0.1:5555" */
	char			 clt_addr[48];	/* "127.0.0.1": per-address caps */
	/* On srv_unauth (oldest first) until its TLS handshake is done. */
	TAILQ_ENTRY(conn)	 clt_unauth_entry;
	int			 clt_unauth;
	struct timespec		 clt_accepted;	/* CLOCK_MONOTONIC */
	char			 clt_cn[LD_ACTOR_MAX + 1];
	int			 clt_tls_done;
	int			 clt_hello;	/* HELLO received */
	uint16_t		 clt_version;	/* protocol version chosen at HELLO */
	int			 clt_closing;	/* close once output is flushed */
	int			 clt_dead;	/* closed; waiting for clt_pending */
	size_t			 clt_out_mark;	/* output left at the last idle check */
	uint32_t		 clt_pending;	/* jobs in the writer */
	size_t			 clt_pending_bytes;	/* their payloads */
	struct stream		 clt_stream;
};
TAILQ_HEAD(connlist, conn);

/*
 * Rate limit of one kind of pre-authentication log line (refused
 * handshakes, handshake timeouts, evictions): LOGRL_PER_S lines per second,
 * then a count of those suppressed.
 */
enum { LOGRL_REFUSED, LOGRL_TIMEOUT, LOGRL_EVICTED, LOGRL_N };
#define LOGRL_PER_S	10
struct logrl {
	int64_t		 rl_second;	/* CLOCK_MONOTONIC second counted */
	uint32_t	 rl_count;	/* lines logged in it */
	uint32_t	 rl_suppressed;	/* lines not logged since the last count */
};

/*
 * The daemon's shared state.  main() sets srv_base, srv_signer, srv_ctx,
 * srv_conf, srv_store, srv_writer (alone) or srv_cluster (a cluster
 * member) and srv_scrub and frees them after
 * server_free();
 * the rest is server.c's.
 */
struct server {
	struct event_base	*srv_base;
	struct evconnlistener	*srv_listener;
	struct event		*srv_accept_pause;	/* EMFILE back-off */
	struct ckpt_signer	*srv_signer;	/* checkpoint key */
	SSL_CTX			*srv_ctx;	/* swapped on SIGHUP; SSLs hold refs */
	struct config		*srv_conf;	/* swapped on SIGHUP */
	struct store		*srv_store;
	struct writer		*srv_writer;	/* NULL in a cluster */
	struct cluster		*srv_cluster;	/* [cluster]: writes go here */
	struct scrub		*srv_scrub;	/* NULL: none (tests) */
	struct connlist		 srv_conns;
	struct connlist		 srv_dead;	/* closed, maybe still in the writer */
	struct connlist		 srv_unauth;	/* in the TLS handshake, oldest first
						   (linked by clt_unauth_entry) */
	uint32_t		 srv_nunauth;
	struct logrl		 srv_logrl[LOGRL_N];
	struct event		*srv_logrl_timer;	/* prints the suppressed counts */
	struct event		*srv_reaper;
	uint32_t		 srv_nconns;
	uint64_t		 srv_next_id;
	int			 srv_listening;
	int			 srv_stopping;
	time_t			 srv_started;
	int64_t			 srv_started_mono;	/* CLOCK_MONOTONIC s */
	struct event		*srv_stop_timer;
	int			 srv_failed;	/* storage failure: exiting */
	struct event		*srv_fail_timer;	/* grace, then shutdown */
};

/*
 * Bind the listener on [server] listen's host and port (the first address
 * they resolve to), disabled until server_start(), and set up the
 * connection lists and the server's events.  Needs srv_base and srv_conf.
 * Call it before privileges are dropped: the port may be privileged.  0,
 * or -1 (logged, except an allocation failure).
 */
int	server_listen(struct server *);
/*
 * Record the start time and begin accepting; the loop itself runs in
 * main() (event_base_dispatch).  srv_ctx, srv_store, srv_writer and
 * srv_signer must be set: requests are served from the first accept.
 */
void	server_start(struct server *);
/*
 * Stop accepting (the listener is freed) and reading, then break the loop
 * once every connection has closed, or after 10 s whatever is left.  A
 * connection closes when its queued writes are answered, its stream is
 * done and its output is flushed.  Requests received but not yet taken
 * from the input may go unanswered; a write taken now is refused
 * UNAVAILABLE.  A second call does nothing.
 */
void	server_shutdown(struct server *);
/*
 * The store has failed (contract 2.10): log it, keep answering every
 * request STORAGE_ERROR (conn_dispatch) for a second so that clients
 * connected or connecting learn why, then server_shutdown() with a 3 s
 * drain, so that the loop ends within 5 s; main() then exits 1.  A second
 * call does nothing.
 */
void	server_fail(struct server *, const char *why);
/*
 * After the loop and the writer have stopped: close every connection and
 * free them, the server's events, the listener and the TLS context.  Not
 * srv_conf, srv_store, srv_signer, srv_writer or srv itself (main()'s).
 *
 * Caveat: only after writer_stop(), since a closed connection that still
 * had jobs in the writer is freed here, and before the event base is freed.
 */
void	server_free(struct server *);
/*
 * SIGHUP: parse the config file again and build a new TLS context from it
 * (certificate, key, CA, CRL); when either fails, log why and keep the old
 * ones.  Otherwise new connections get the new context (open ones keep
 * theirs) and the new config replaces the old, except listen host and
 * port, ledger path and max_frame_bytes, which keep their values (with a
 * warning when they changed).  Everything else in the file is taken:
 * roles, idle_timeout_s, handshake_timeout_s, max_unauthenticated_per_ip,
 * max_connections and [tls] groups act at once, and so does
 * checkpoint_origin, which the checkpoint handler reads from the config;
 * the checkpoint key, map size, user and [metrics] stay as started.
 */
void	server_reload(struct server *);

/*
 * writer_done_fn (arg unused): the writer returned job j of a connection.
 * Count it in the metrics, send its answer frames unless the connection
 * has closed meanwhile, and free j; free a closed connection whose last job
 * this was, or let a live one read again (it may have paused for its
 * pending writes).
 */
void	server_job_done(struct wjob *, void *arg);
/*
 * The figures a metrics scrape and systemd's STATUS= show (metrics.h's
 * metrics_gauge_fn; arg is the struct server).  0, or -1 when the store
 * could not be read; map figures the store cannot tell are left 0.  Reads
 * the server's fields without a lock: event loop thread only.
 */
int	server_gauges(void *arg, struct metrics_gauges *);

/* tls.c */
/*
 * A new server context from the config's [tls] files: TLS 1.3 only, key
 * exchange with [tls] groups only, a client certificate that chains to
 * client_ca required, the CRL checked
 * when one is set, no session tickets or cache.  The key file is refused
 * when group or others have access (tls_check_key_file()).  Each CRL's
 * next update is logged, with a warning when it has passed.  Returns the
 * context (free it with SSL_CTX_free(); every SSL holds a reference), or
 * NULL with the reason in err.
 */
SSL_CTX	*tls_server_ctx(const struct config *, char *err, size_t errlen);
/*
 * A context with the settings every TLS endpoint of ledgerd shares
 * (clients' and peers'): TLS 1.3 only, no session tickets or cache (the
 * session id context sid), a bare EOF allowed (frames carry their
 * length), partial writes and a write buffer that may move.  NULL when
 * OpenSSL cannot make it (its error queue says why).
 */
SSL_CTX	*tls_ctx_13(const SSL_METHOD *, const char *sid);
/*
 * The peer certificate's subject CN, read once after the handshake, into
 * cn (cnsz bytes) as UTF-8.  0, or -1 with cn "" when there is no
 * certificate or CN, more than one CN (an ambiguous identity), or the CN
 * is empty, longer than LD_ACTOR_MAX (or cnsz - 1) bytes, holds a NUL or
 * is not valid text (ld_valid_text()).
 */
int	tls_peer_cn(SSL *, char *cn, size_t cnsz);
/*
 * Refuse a private key file that group or others have any access to: 0, or
 * -1 with the reason in err (also when it cannot be stat()ed).
 */
int	tls_check_key_file(const char *path, char *err, size_t errlen);

/*
 * Output above this, or as many bytes of writes waiting for the writer,
 * stops reading the connection's requests until it drains; a stream
 * pauses above it too.
 */
#define CONN_OUT_CAP(maxf)	((size_t)(maxf) * 4)

#endif
