/*
 * ctlconn.h - ledgerctl's one connection to ledgerd: TLS 1.3 over a blocking
 * socket, frames in and out.
 *
 * Named ctl_conn, not conn: the daemon's struct conn (ledgerd/server.h) is
 * the server's side of a client and its conn_send() queues an answer, so
 * the two must not read as one thing when both are grepped for.
 *
 * The server's certificate is checked against the CA given with --ca and
 * nothing else (never the system bundle), and against the host name or IP
 * address the user typed, and, when a CRL file is given (--crl), against
 * the CRLs in it: a revoked server certificate, or one whose CA has no
 * current CRL in the file, fails the handshake.  The client certificate is
 * optional here: without
 * one the daemon refuses the handshake, which is reported like any other
 * authentication failure.
 *
 * A request is one frame; its answer is one frame or a stream of frames
 * (FRAME_F_MORE) carrying the request's reqid.  Incoming frames are capped
 * at the max_frame_bytes the daemon announced in HELLO_OK, and at 64 MiB
 * before that, so a hostile or broken peer cannot make the client allocate
 * more than that.
 */
#ifndef LD_CTLCONN_H
#define LD_CTLCONN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "msg.h"
#include "wire.h"

#define CTLCONN_HOST_MAX	256
#define CTLCONN_PORT_MAX	16

struct ctlconn_params {
	const char	*server;	/* "HOST:PORT", "[::1]:7443" */
	const char	*cert;		/* PEM chain; NULL = no client certificate */
	const char	*key;		/* PEM key; NULL = the cert file (see
					   ctlconn_pem_has_key()) */
	const char	*ca;		/* PEM CA the server's chain must lead to */
	const char	*crl;		/* PEM CRL(s) the server's certificate is
					   checked against; NULL = no check */
	int		 timeout_s;	/* handshake and each read */
	int		 connect_timeout_s;	/* the TCP connect; 0 = timeout_s */
};

/* One received frame; payload is borrowed from the conn until the next recv. */
struct ctlconn_frame {
	uint8_t		 type;
	uint16_t	 flags;
	uint32_t	 reqid;
	const uint8_t	*payload;
	size_t		 len;
};

struct ctl_conn {
	SSL_CTX		*ctx;		/* owned */
	SSL		*ssl;		/* owned */
	int		 fd;		/* owned; -1 when closed */
	char		 host[CTLCONN_HOST_MAX];
	char		 port[CTLCONN_PORT_MAX];
	uint32_t	 max_frame;	/* from HELLO_OK; FRAME_MAX_MAX before */
	uint32_t	 next_reqid;
	struct msg_hello_ok hello;
	uint8_t		*buf;		/* owned: the last frame's payload */
	size_t		 bufcap;
	int		 broken;	/* a fatal TLS error: no close_notify */
	int		 alert;		/* the failure was a TLS alert from the server */
};

/* ctlconn_open() results; failures leave a reason in err. */
enum ctlconn_status {
	CTLCONN_OK = 0,
	CTLCONN_FAIL = -1,	/* network, TLS or certificate failure */
	CTLCONN_REFUSED = -2,	/* HELLO answered with an ERROR frame */
	CTLCONN_PROTO = -3,	/* the peer broke the protocol */
	CTLCONN_SETUP = -4	/* our own CA, certificate, key or CRL file:
				   no other server would fare better */
};

/*
 * Split "HOST:PORT" or "[V6]:PORT" into host and port.  The port must be a
 * number 1-65535.  Returns 0, or -1 when the string is malformed.
 */
int	ctlconn_split_server(const char *server, char *host, size_t hostsz,
	    char *port, size_t portsz);

/*
 * Whether the PEM file at path holds a private key (a "-----BEGIN ...
 * PRIVATE KEY-----" line), for a --cert given without --key: 1 yes, 0 no,
 * -1 when it cannot be read ("cannot read certificate file PATH: reason"
 * in err).  Reads only; decides nothing about the key's validity.
 */
int	ctlconn_pem_has_key(const char *path, char *err, size_t errlen);

/* Initialise c so that ctlconn_close() is safe whatever happens next. */
void	ctlconn_init(struct ctl_conn *c);

/*
 * Resolve, connect, handshake, verify the server, send HELLO and read
 * HELLO_OK.  Returns an enum ctlconn_status; with CTLCONN_REFUSED *code
 * holds the daemon's error code and err its message.  A CA, certificate,
 * key or CRL file that cannot be read or holds nothing usable is
 * CTLCONN_SETUP; a server certificate that does not verify (revoked:
 * "server certificate is revoked") is CTLCONN_FAIL.
 */
int	ctlconn_open(struct ctl_conn *c, const struct ctlconn_params *p,
	    int *code, char *err, size_t errlen);

/*
 * Send one request frame of type with payload (may be NULL for an empty
 * one); *reqid receives the id chosen.  Returns CTLCONN_OK, or CTLCONN_FAIL
 * (transport) / CTLCONN_PROTO (the frame exceeds the server's max_frame).
 */
int	ctlconn_send(struct ctl_conn *c, uint8_t type, const struct wbuf *payload,
	    uint32_t *reqid, char *err, size_t errlen);

/*
 * Receive the next frame.  Returns CTLCONN_OK, CTLCONN_FAIL (transport, TLS
 * alert, EOF) or CTLCONN_PROTO (bad magic, version or an oversized length).
 */
int	ctlconn_recv(struct ctl_conn *c, struct ctlconn_frame *f, char *err,
	    size_t errlen);

/* Send close_notify (best effort) and free everything; idempotent. */
void	ctlconn_close(struct ctl_conn *c);

#endif
