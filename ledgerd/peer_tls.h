/*
 * peer_tls.h - libraft's network layer over TLS 1.3 with mutual
 * authentication ([cluster] peer_ca, peer_cert, peer_key; CONTRACT 2.6).
 *
 * A struct raft_uv_transport, used in place of raft_uv_tcp_init()'s plain
 * TCP one: raft_uv_init(io, loop, dir, transport) after peer_tls_init().
 * Every connection, in or out, is TLS 1.3 only, with a certificate that
 * chains to peer_ca and whose one subject CN is "node-<id>":
 *   - a connection we accept must present a client certificate naming a
 *     configured peer (not this node); libraft is then told that peer's id
 *     and its raft address from the table, never what the peer claims;
 *   - a connection we open to node <id> must reach a server whose
 *     certificate names node-<id>.
 * Anything else is closed and logged (rate-limited).  Addresses are
 * numeric "IPv4:port" or "[IPv6]:port"; no name is resolved (a lookup would
 * block raft's loop).
 *
 * Threads: everything runs on the uv loop given to peer_tls_init(), the
 * loop raft runs on; no function here may be called from another thread.
 */
#ifndef LD_PEER_TLS_H
#define LD_PEER_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <raft.h>
#include <raft/uv.h>

#define PEER_TLS_ADDR_MAX	64	/* "[v6 address]:port" and its NUL */

/* One member of the cluster, as [cluster] peers lists it. */
struct peer_tls_peer {
	raft_id		 id;				/* 1.. */
	char		 address[PEER_TLS_ADDR_MAX];	/* its raft address */
};

struct peer_tls_conf {
	raft_id		 id;		/* this node */
	const char	*listen;	/* raft_listen; NULL: raft_init's address */
	const char	*ca_file;	/* peer_ca: the only trust anchor */
	const char	*cert_file;	/* peer_cert: CN node-<id>, chain allowed */
	const char	*key_file;	/* peer_key: refused if group/other can read */
	const char	*groups;	/* key exchange; NULL: "X25519:P-256" */
	const struct peer_tls_peer *peers;	/* copied; this node may be in it */
	size_t		 npeers;
	unsigned	 handshake_timeout_ms;	/* 0: 10 s */
};

/* Counters since peer_tls_init(), for tests, benchmarks and status. */
struct peer_tls_stats {
	uint64_t	 accepted;	/* inbound handshakes done, given to raft */
	uint64_t	 connected;	/* outbound handshakes done, given to raft */
	uint64_t	 refused;	/* handshakes failed or identity refused */
	uint64_t	 timeouts;	/* handshakes past their deadline */
	uint64_t	 evicted;	/* handshakes closed to admit newer ones */
	uint64_t	 bytes_in;	/* plaintext received from peers */
	uint64_t	 bytes_out;	/* plaintext sent to peers */
	unsigned	 open;		/* connections (any state) now */
	unsigned	 stalled;	/* relaying ones with a full buffer now */
};

/*
 * Set up t as a TLS transport on loop: load and check the certificate,
 * key and CA (the key file must not be accessible by group or others),
 * copy the peer table.  t->data is kept (raft_uv_init() uses it); the
 * rest of *t is overwritten.  Nothing is bound until raft starts (the
 * transport's listen()).
 *
 * Returns 0, or -1 with the reason in err (a file that cannot be read, a
 * key that does not match the certificate, an unknown group, an address
 * that is not numeric, an id of 0 or twice in the table).  Nothing is left
 * to free on failure.
 *
 * Caveat: after raft_close()'s callback (which waited for the transport's
 * close), release the memory with peer_tls_close(); before that, never.
 */
int	peer_tls_init(struct raft_uv_transport *t, struct uv_loop_s *loop,
	    const struct peer_tls_conf *conf, char *err, size_t errlen);

/*
 * Release what peer_tls_init() allocated.  Only after the transport's
 * close() callback has fired, or when raft never used it.
 */
void	peer_tls_close(struct raft_uv_transport *t);

/*
 * Replace the peer table (a membership change: `cluster add`, `remove`).
 * Open connections are kept: one to a removed peer ends when raft drops
 * it; new ones are judged by the new table.  Returns 0, or RAFT_INVALID
 * (an id of 0 or twice, an address that is not numeric or too long) or
 * RAFT_NOMEM, leaving the old table in place.
 */
int	peer_tls_set_peers(struct raft_uv_transport *t,
	    const struct peer_tls_peer *peers, size_t npeers);

/* Copy the counters into *st. */
void	peer_tls_stats(struct raft_uv_transport *t, struct peer_tls_stats *st);

#endif
