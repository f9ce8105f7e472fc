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
 * its struct until the last job returns; server_close() is the one place a
 * connection ends.
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

struct conn {
	TAILQ_ENTRY(conn)	 clt_entry;
	struct server		*clt_srv;
	uint64_t		 clt_id;
	struct bufferevent	*clt_bev;	/* owns the SSL and the fd */
	struct event		*clt_timer;	/* idle deadline */
	struct event		*clt_stream_ev;	/* continue a stream next turn */
	char			 clt_peer[64];	/* "127.0.0.1:5555" */
	char			 clt_cn[LD_ACTOR_MAX + 1];
	int			 clt_tls_done;
	int			 clt_hello;	/* HELLO received */
	int			 clt_closing;	/* close once output is flushed */
	int			 clt_dead;	/* closed; waiting for clt_pending */
	size_t			 clt_out_mark;	/* output left at the last idle check */
	uint32_t		 clt_pending;	/* jobs in the writer */
	size_t			 clt_pending_bytes;	/* their payloads */
	struct stream		 clt_stream;
};
TAILQ_HEAD(connlist, conn);

struct server {
	struct event_base	*srv_base;
	struct evconnlistener	*srv_listener;
	struct event		*srv_accept_pause;	/* EMFILE back-off */
	struct ckpt_signer	*srv_signer;	/* checkpoint key */
	SSL_CTX			*srv_ctx;	/* swapped on SIGHUP; SSLs hold refs */
	struct config		*srv_conf;	/* swapped on SIGHUP */
	struct store		*srv_store;
	struct writer		*srv_writer;
	struct connlist		 srv_conns;
	struct connlist		 srv_dead;	/* closed, maybe still in the writer */
	struct event		*srv_reaper;
	uint32_t		 srv_nconns;
	uint64_t		 srv_next_id;
	int			 srv_listening;
	int			 srv_stopping;
	time_t			 srv_started;
	struct event		*srv_stop_timer;
};

/* Bind the listener (before privileges are dropped); 0 or -1 (logged). */
int	server_listen(struct server *);
/* Start accepting; the loop runs in main(). */
void	server_start(struct server *);
/* Stop accepting, answer what is in flight, then break the loop. */
void	server_shutdown(struct server *);
/* After the loop and the writer have stopped: free what is left. */
void	server_free(struct server *);
/* SIGHUP: reload certificates, CA, CRL and roles; keeps the old on error. */
void	server_reload(struct server *);

/* The writer returned a job of a connection: send its answer, release it. */
void	server_job_done(struct wjob *, void *arg);
/*
 * The figures a metrics scrape and systemd's STATUS= show (metrics.h's
 * metrics_gauge_fn; arg is the struct server).  0, or -1 when the store
 * could not be read.
 */
int	server_gauges(void *arg, struct metrics_gauges *);

/* tls.c */
SSL_CTX	*tls_server_ctx(const struct config *, char *err, size_t errlen);
/* The peer certificate's subject CN, read once after the handshake. */
int	tls_peer_cn(SSL *, char *cn, size_t cnsz);
/* Refuse a private key file that group or others may read. */
int	tls_check_key_file(const char *path, char *err, size_t errlen);

/*
 * Output above this, or as many bytes of writes waiting for the writer,
 * stops reading the connection's requests until it drains.
 */
#define CONN_OUT_CAP(maxf)	((size_t)(maxf) * 4)

#endif
