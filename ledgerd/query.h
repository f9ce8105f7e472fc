/*
 * query.h - the read requests, and the state a read handler may see.
 *
 * A read handler decodes its payload, reads from a short LMDB read
 * transaction and appends its answer to a buffer: one answer frame, or
 * one ERROR frame (proto's frame_put / msg_put_error).  It never touches a
 * connection; server.c sends the buffer.  So the request path goes down
 * the files and never back: server.c -> query.c / audit.c -> store.c.
 *
 * Streams (LIST, REGION_LIST) are answered a frame at a time: the start
 * handler fills a struct stream, and the server calls query_stream_step()
 * while the connection's output is below its cap.
 *
 * Threads: everything here runs on the event loop's thread and reads the
 * last committed state; nothing waits for the writer.  Each call opens and
 * ends its own read transaction, and LMDB allows one per thread: the
 * caller must not hold one.
 */
#ifndef LD_QUERY_H
#define LD_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "msg.h"

struct ckpt_signer;
struct config;
struct scrub;
struct store;
struct wbuf;

/*
 * What a read may use, filled by the server for each request: the store,
 * the config in force and the checkpoint key, and the figures only the
 * server knows (for STATUS), as plain values.  Valid for one call only:
 * SIGHUP replaces the config between calls, so neither a handler nor a
 * stream keeps conf.
 */
struct readctx {
	struct store		*store;
	const struct config	*conf;
	struct ckpt_signer	*signer;
	uint16_t		 version;	/* the connection's protocol version */
	struct scrub		*scrub;		/* NULL: none */
	uint32_t		 connections;
	time_t			 started;
	int64_t			 started_mono;	/* CLOCK_MONOTONIC s at start */
	int64_t			 last_commit;	/* us since the epoch; 0 = never */
	int64_t			 oldest_write_us;	/* writer_oldest_write() */
	uint64_t		 slow_commits;	/* metrics_slow_commits() */
};

/* A LIST or REGION_LIST answer in progress; continued as output drains. */
struct stream {
	int		 active;
	int		 byseq;		/* REGION_LIST, FIND: send s->seqs */
	uint32_t	 reqid;
	struct msg_list	 q;		/* LIST filters; q.since is the cursor */
	uint64_t	 sent;		/* entries sent (for q.limit) */
	uint64_t	*seqs;		/* REGION_LIST, FIND: the seqs, owned */
	uint32_t	 nseqs;
	uint32_t	 next;
};

/*
 * A read request as its route's decoder (decode.c) left it: every check a
 * value needs is made there, once, so a handler trusts what it is given.
 */
union read_req {
	uint64_t			 seq;		/* GET */
	struct msg_list			 list;		/* LIST */
	struct msg_balance_req		 balance;	/* BALANCE */
	uint16_t			 fy;		/* TERMS (0 = every year) */
	struct msg_receivables_req	 receivables;	/* RECEIVABLES */
	struct {
		uint64_t		 a, b;
	}				 proof;		/* PROVE seq, size; CONSISTENCY old, new */
	struct msg_find			 find;		/* FIND */
	struct msg_approvals		 approvals;	/* APPROVALS */
};

/*
 * A read decoder: parse payload (len bytes, untrusted) into *req.  0, or
 * -1 for a payload the message type does not allow (answered BAD_REQUEST
 * by the server, naming the type).  Pure: no store, no connection.
 */
typedef int	(*read_decoder)(const uint8_t *payload, size_t len,
		    union read_req *req);

int	decode_empty(const uint8_t *, size_t, union read_req *);
int	decode_get(const uint8_t *, size_t, union read_req *);
int	decode_find(const uint8_t *, size_t, union read_req *);
int	decode_approvals(const uint8_t *, size_t, union read_req *);
int	decode_list(const uint8_t *, size_t, union read_req *);
int	decode_balance(const uint8_t *, size_t, union read_req *);
int	decode_terms(const uint8_t *, size_t, union read_req *);
int	decode_receivables(const uint8_t *, size_t, union read_req *);
int	decode_checkpoint(const uint8_t *, size_t, union read_req *);
int	decode_prove(const uint8_t *, size_t, union read_req *);
int	decode_consistency(const uint8_t *, size_t, union read_req *);

/*
 * A read handler: answer the decoded request req (valid during the call)
 * for reqid by appending frames to out.  s is the connection's stream,
 * which only the stream starters use (they leave it active; the others
 * leave it alone).  Returns LD_OK, or the code of the ERROR frame it
 * appended (for the request figures).  out->err set means it could not be
 * built: the caller answers INTERNAL.  A store failure is answered with
 * the store's code (INTERNAL).  The server has decoded and authorized the
 * request before the call.
 */
typedef int	(*read_handler)(const struct readctx *, uint32_t reqid,
		    const union read_req *req, struct wbuf *out,
		    struct stream *s);

/*
 * GET: one ENTRY frame (duplicate 0) with entry seq's bytes as stored, or
 * NOT_FOUND for a seq the ledger does not have.
 */
int	query_get(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * FIND: start a stream of the entries found, in seq order: the one entry
 * whose id is the key, or every entry whose ref is.  Nothing found is one
 * ENTRIES frame with no entry, not an error (the client says NOT_FOUND).
 */
int	query_find(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * APPROVALS: start a stream of what msg.h's APPROVALS names, in seq order:
 * the open requests, the requests of a year with the entries that decided
 * them, or the policy entry in force (none: one empty ENTRIES frame).
 */
int	query_approvals(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * LIST: start the stream at since (0 = 1).  Appends nothing and reads
 * nothing yet: query_stream_step() sends the ENTRIES frames.  LD_OK.
 */
int	query_list(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * REGION_LIST (empty payload): copy every region entry's seq, in code
 * order, into the stream (s->seqs, freed by query_stream_free()) and start
 * it; the entries themselves are read step by step.
 */
int	query_regions(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * BALANCE for fy: one BALANCES frame.  BAL_ACCOUNT: that account (zero
 * when it has no record).  BAL_REGION: that region (UNKNOWN_REGION when not
 * registered).  BAL_ALL: every account, then every region with an award, a
 * carry-in or a repayment order that year.  A region's receivable is what
 * its order has outstanding today in Japan, by the clock, whatever fy.
 */
int	query_balance(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * STATUS (empty payload): one STATUS_OK frame with the tree size and its
 * root (recomputed from the stored nodes), and x's figures.
 */
int	query_status(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * SCRUB (empty payload): ask for a scrub pass now (scrub.h); one SCRUB_OK
 * frame, u8 started: 1, or 0 when a pass is already running.
 */
int	query_scrub(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * TERMS: one ENTRIES frame, without FRAME_F_MORE, holding the terms
 * entries in force for fy (0 = every year), by fy then grant type.
 * INTERNAL when a terms record names a missing entry or the answer would
 * not fit max_frame_bytes.
 */
int	query_terms(const struct readctx *, uint32_t, const union read_req *,
	    struct wbuf *, struct stream *);
/*
 * RECEIVABLES: one RECEIVABLES_OK frame with every repayment order of fy
 * (0 = any) and region ("" = any), by fy then region, as of the request's
 * date (rules_order_status()).  INTERNAL for an order that does not add up
 * or an answer that would not fit max_frame_bytes.
 */
int	query_receivables(const struct readctx *, uint32_t,
	    const union read_req *, struct wbuf *, struct stream *);

/*
 * Append the ERROR frame DAMAGED for entry seq (2.4): the message names
 * the seq, and from protocol 3 a figure "seq" carries it.  Returns
 * LD_E_DAMAGED.
 */
int	query_put_damaged(const struct readctx *, struct wbuf *out,
	    uint32_t reqid, uint64_t seq);

/*
 * Append the next ENTRIES frame of active stream s to out (none when a
 * step matched nothing and more follows).  Returns 1 while the stream has
 * more, 0 when it ended (its last frame, or an ERROR, is in out); the
 * caller then frees it.  A frame holds as many whole entries as fit
 * x->conf->max_frame_bytes; every frame but the last has FRAME_F_MORE.  An
 * entry that cannot be read (the store's code) or decoded (INTERNAL) ends
 * the stream with an ERROR.  Caveat: each step reads up to 4,096 entries
 * in its own read transaction; call it again only when the output has room.
 */
int	query_stream_step(const struct readctx *, struct stream *s,
	    struct wbuf *out);
/*
 * Release s's memory and mark it inactive (*s is zeroed).  Safe on a stream
 * that is inactive or was never used, so a closing connection always calls it.
 */
void	query_stream_free(struct stream *s);

#endif
