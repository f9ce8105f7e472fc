/*
 * session.h - what every ledgerctl command does with the daemon, and how it
 * says that something failed: one invocation's state (struct ctl), its
 * connection settings from the options or the environment, connecting, a
 * request and its answer, a streamed listing, and the printing of each kind
 * of failure with the exit status it means.
 *
 * The client's files call downwards only:
 *
 *   main.c -> ledgerctl.c (dispatch) -> cmd_*.c (commands) -> session.c
 *       -> ctlconn.c (TLS, frames), output.c (printing)
 *
 * session.c calls no command and not the driver; the driver reaches the
 * commands through their tables only.  Whatever two commands both need
 * from the daemon belongs here, not in one of them, so that no command
 * depends on another and none on the driver.
 *
 * Every failure goes through ctl_usage(), ctl_refusal() or ctl_conn_fail(),
 * which print the line the contract fixes and return the matching exit
 * status, so that a command reports any failure with `return ctl_...()`
 * and a status means one thing:
 *
 *   bad command line or value, nothing sent     CTL_USAGE   (2)
 *   the daemon answered with an error code      CTL_REFUSED (1)
 *   connection, TLS or protocol failure         CTL_CONN    (3)
 *
 * A cluster (contract 2.6, 2.8): --server and LEDGER_SERVER take a
 * comma-separated list.  ctl_connect() tries the servers in the order
 * given and stays with the first that answers HELLO; a server that fails
 * (refused, timed out, TLS, protocol) is named on stderr and the next is
 * tried, so exit 3 means that none answered.  A failure that is ours (an
 * unreadable CA, certificate, key or CRL) ends the attempt at once.  Every
 * request then goes to that server, and ctl_call() follows NOT_LEADER once:
 * a refusal that names the leader's client address (protocol 4's figure
 * "leader") closes the connection, connects to the leader and sends the
 * very same request bytes there (a write keeps its id, so a write the
 * first node did store after all is answered as a duplicate, never
 * stored twice).  NOT_LEADER without a leader, naming the server itself,
 * or from the leader too is printed like any refusal (exit 1).  A leader
 * that cannot be reached is a connection failure (exit 3).
 */
#ifndef LD_SESSION_H
#define LD_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ctl.h"
#include "ctlconn.h"

struct msg_fields;

struct ld_entry;
struct msg_list;

#define CTL_SERVERS_MAX	16	/* addresses in one --server list */
#define CTL_ADDR_MAX	(CTLCONN_HOST_MAX + CTLCONN_PORT_MAX + 3)

/* One invocation's state.  Streams are borrowed; conn is owned. */
struct ctl {
	FILE		*out;
	FILE		*err;
	int		 json;
	/*
	 * server is the --server list after the environment fallback until
	 * a connection is open, then the one address connected to (named
	 * in failures); servers[] is the list split, into list.
	 */
	const char	*server;
	char		 list[CTL_SERVERS_MAX * CTL_ADDR_MAX];
	const char	*servers[CTL_SERVERS_MAX];
	int		 nservers;	/* 0 until ctl_connect() split it */
	char		 leader[CTL_ADDR_MAX];	/* the NOT_LEADER followed */
	const char	*cert;
	const char	*key;
	const char	*ca;
	const char	*crl;		/* NULL: no revocation check */
	struct ctl_conn	 conn;
	int		 connected;
	/*
	 * The last refusal the daemon answered, for a command that judges
	 * it itself (verify --full turns DAMAGED into a verification
	 * failure); with quiet set, ctl_refusal_fields() records without
	 * printing.
	 */
	int		 quiet;
	int		 refusal;		/* its code; 0 = none */
	int64_t		 refusal_seq;		/* its "seq" figure; 0 = none */
	char		 refusal_msg[1025];
};

/* An invocation printing on out and err, with nothing chosen yet. */
void	ctl_init(struct ctl *, FILE *out, FILE *err);
/*
 * Take --json and the connection options from a parsed line; an option
 * not given falls back on LEDGER_SERVER, LEDGER_CERT, LEDGER_KEY,
 * LEDGER_CA or LEDGER_CRL ("" counting as unset).  Nothing is checked until
 * ctl_connect(), so that commands that never connect never complain.
 */
void	ctl_settings(struct ctl *, const struct ctl_args *);
/*
 * End the invocation whose command returned rc: close the connection and
 * flush the output.  Output that could not be written turns success into
 * CTL_CONN, so that a full disk is never exit 0.  Returns the exit status.
 */
int	ctl_finish(struct ctl *, int rc);

/*
 * "ledgerctl: usage: <fmt>" and the command's synopsis on stderr; returns
 * CTL_USAGE so that a build step can `return ctl_usage(...)`.
 */
int	ctl_usage(struct ctl *, const struct ctl_cmd *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Print a refusal: stderr line and, with --json, the error object. */
int	ctl_refusal(struct ctl *, int code, const char *message);
/*
 * The same with the figures the daemon sent (f may be NULL): with --json
 * each is a field of the error object, an amount or seq as a number, a
 * date as "YYYY-MM-DD".  The message already states them in words.
 */
int	ctl_refusal_fields(struct ctl *, int code, const char *message,
	    const struct msg_fields *f);
/* A transport or protocol failure on an open connection; CTL_CONN. */
int	ctl_conn_fail(struct ctl *, const char *why);

/*
 * Connect to the first server of the list that answers, and say HELLO; on
 * failure print why and return CTL_USAGE (a malformed list, nothing
 * tried), CTL_CONN (none answered) or CTL_REFUSED (HELLO refused).
 */
int	ctl_connect(struct ctl *);
/*
 * Split a --server list (the whole string s) into at most max addresses
 * in buf (bufsz bytes), blanks around each removed: the count, or -1 with
 * the reason in err for an empty item, an item that is not HOST:PORT or
 * too many items.  Exposed for the unit tests.
 */
int	ctl_split_servers(const char *s, char *buf, size_t bufsz,
	    const char **out, int max, char *err, size_t errlen);
/* Close the connection, if any, so that ctl_connect() may open another. */
void	ctl_disconnect(struct ctl *);
/*
 * Send one request and read the first answer frame into *f.  An ERROR
 * answer is printed as a refusal (CTL_REFUSED), except a NOT_LEADER that
 * names a leader, which is followed once (above); a frame of another type
 * than expect, or a transport failure, is CTL_CONN.  0 on success.
 */
int	ctl_call(struct ctl *, uint8_t type, const struct wbuf *payload,
	    uint8_t expect, uint32_t *reqid, struct ctlconn_frame *f);
/* Read the next frame of the stream reqid (after a frame with MORE). */
int	ctl_next(struct ctl *, uint32_t reqid, uint8_t expect,
	    struct ctlconn_frame *f);

/*
 * Parse an ENTRY payload (u8 duplicate, u32 len, encoding) into *e with
 * msg_decode_entry(), and point *enc and *enclen at the encoding inside p
 * for the leaf hash.  0 or -1 when the payload or the entry is malformed.
 */
int	ctl_entry_answer(const uint8_t *p, size_t len, int *dup,
	    struct ld_entry *e, const uint8_t **enc, size_t *enclen);

/*
 * GET seq on the open connection: *e decoded, *enc and *enclen its encoding
 * (borrowed from the connection's buffer until the next answer).  CTL_OK,
 * or the status of a refusal or transport failure, already printed.
 */
int	ctl_get(struct ctl *, uint64_t seq, struct ld_entry *e,
	    const uint8_t **enc, size_t *enclen);

/*
 * Send LIST l and hand the bytes of every entry of every ENTRIES frame, in
 * the order received, to fn (enc borrowed until fn returns).  Stops at the
 * first fn result other than CTL_OK and returns it.  Only one frame is held
 * at a time, so `export` and `verify --full` read a ledger of any size in
 * one frame of memory.  A malformed frame is a protocol failure (CTL_CONN);
 * a refusal is printed and returns CTL_REFUSED.
 */
typedef int	(*ctl_entry_fn)(struct ctl *, const uint8_t *enc, size_t len,
		    void *arg);
int	ctl_list(struct ctl *, const struct msg_list *l, ctl_entry_fn fn,
	    void *arg);
/*
 * FIND by MSG_FIND_ID or MSG_FIND_REF: the entries found, in seq order,
 * to fn as ctl_list() does (none found: fn is never called, CTL_OK).  A
 * key that is not a valid ref or id is a usage error (CTL_USAGE).
 */
int	ctl_find(struct ctl *, int by, const char *key, ctl_entry_fn fn,
	    void *arg);
/*
 * APPROVALS what (MSG_APPR_OPEN, MSG_APPR_ALL or MSG_APPR_POLICY) of
 * fiscal year fy (0 = every year): the entries answered, to fn as
 * ctl_list() does.
 */
int	ctl_approvals(struct ctl *, int what, uint16_t fy, ctl_entry_fn fn,
	    void *arg);
/*
 * CHECKPOINT: the current signed checkpoint's note copied into note
 * (CKPT_NOTE_MAX bytes; only checked to be a note here) and its length.
 * With cosigned non-NULL, *cosigned becomes the JSON array of the
 * witnesses' newest cosigned checkpoints (contract 2.8 `cosigned`):
 * {"witness": name, "key": verifier, "size", "note"}, unchecked; an entry
 * whose key is not a witness key is left out.  CTL_OK, or the status of a
 * refusal or failure, already printed.
 */
int	ctl_checkpoint(struct ctl *, char *note, size_t *len,
	    json_t **cosigned);
/*
 * REGION_LIST on the open connection into rn (zeroed by the caller), sorted
 * for regnames_get().  CTL_OK, or the status of a failure already printed
 * (a refusal, a malformed answer, no memory); rn holds what was read so
 * far: free it with regnames_free() either way.
 */
struct regnames;
int	ctl_region_names(struct ctl *, struct regnames *rn);

#endif
