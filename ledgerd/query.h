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
 */
#ifndef LD_QUERY_H
#define LD_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "msg.h"

struct ckpt_signer;
struct config;
struct store;
struct wbuf;

/*
 * What a read may use, filled by the server for each request: the store,
 * the config in force and the checkpoint key, and the figures only the
 * server knows (for STATUS), as plain values.
 */
struct readctx {
	struct store		*store;
	const struct config	*conf;
	struct ckpt_signer	*signer;
	uint32_t		 connections;
	time_t			 started;
	int64_t			 last_commit;	/* us since the epoch; 0 = never */
};

/* A LIST or REGION_LIST answer in progress; continued as output drains. */
struct stream {
	int		 active;
	int		 regions;	/* REGION_LIST: walk region seqs */
	uint32_t	 reqid;
	struct msg_list	 q;		/* LIST filters; q.since is the cursor */
	uint64_t	 sent;		/* entries sent (for q.limit) */
	uint64_t	*seqs;		/* REGION_LIST: region seqs, owned */
	uint32_t	 nseqs;
	uint32_t	 next;
};

/*
 * A read handler: answer the request reqid with payload (len bytes, valid
 * during the call) by appending frames to out.  s is the connection's
 * stream, which only the stream starters use (they leave it active; the
 * others leave it alone).  Returns LD_OK, or the code of the ERROR frame it
 * appended (for the request figures).  out->err set means it could not be
 * built: the caller answers INTERNAL.
 */
typedef int	(*read_handler)(const struct readctx *, uint32_t reqid,
		    const uint8_t *payload, size_t len, struct wbuf *out,
		    struct stream *s);

int	query_get(const struct readctx *, uint32_t, const uint8_t *, size_t,
	    struct wbuf *, struct stream *);
int	query_list(const struct readctx *, uint32_t, const uint8_t *, size_t,
	    struct wbuf *, struct stream *);
int	query_regions(const struct readctx *, uint32_t, const uint8_t *, size_t,
	    struct wbuf *, struct stream *);
int	query_balance(const struct readctx *, uint32_t, const uint8_t *, size_t,
	    struct wbuf *, struct stream *);
int	query_status(const struct readctx *, uint32_t, const uint8_t *, size_t,
	    struct wbuf *, struct stream *);
int	query_terms(const struct readctx *, uint32_t, const uint8_t *, size_t,
	    struct wbuf *, struct stream *);
int	query_receivables(const struct readctx *, uint32_t, const uint8_t *,
	    size_t, struct wbuf *, struct stream *);

/*
 * Append the next ENTRIES frame of active stream s to out (none when a
 * step matched nothing and more follows).  Returns 1 while the stream has
 * more, 0 when it ended (its last frame, or an ERROR, is in out); the
 * caller then frees it.  Caveat: each step reads up to 4,096 entries in
 * its own read transaction; call it again only when the output has room.
 */
int	query_stream_step(const struct readctx *, struct stream *s,
	    struct wbuf *out);
/* Release s's memory and mark it inactive. */
void	query_stream_free(struct stream *s);

#endif
