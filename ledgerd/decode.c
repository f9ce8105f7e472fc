/*
 * decode.c - every read request's payload, parsed in one place.
 *
 * The server's routing table (server.c) names, for each message type, the
 * decoder here, then the authorization, then the handler (query.c,
 * audit.c).  A decoder turns untrusted bytes into a union read_req and
 * makes every check a value needs (proto's codecs already refuse a bad
 * region code, kind, scope or key), so a handler never parses and never
 * checks twice.  Writes are not decoded here: the writer thread decodes
 * them one request at a time, inside its transaction (writer.c), because a
 * batch of 100,000 requests decoded up front would hold 40 times its wire
 * size in memory.
 */
#include <string.h>

#include "msg_audit.h"
#include "query.h"

int
decode_empty(const uint8_t *payload, size_t len, union read_req *req)
{
	(void)payload;
	memset(req, 0, sizeof(*req));
	return len == 0 ? 0 : -1;
}

int
decode_get(const uint8_t *payload, size_t len, union read_req *req)
{
	return msg_decode_get(payload, len, &req->seq);
}

int
decode_find(const uint8_t *payload, size_t len, union read_req *req)
{
	return msg_decode_find(payload, len, &req->find);
}

int
decode_approvals(const uint8_t *payload, size_t len, union read_req *req)
{
	return msg_decode_approvals(payload, len, &req->approvals);
}

int
decode_list(const uint8_t *payload, size_t len, union read_req *req)
{
	if (msg_decode_list(payload, len, &req->list) != 0)
		return -1;
	if (req->list.since == 0)
		req->list.since = 1;
	return 0;
}

int
decode_balance(const uint8_t *payload, size_t len, union read_req *req)
{
	struct msg_balance_req *q = &req->balance;

	if (msg_decode_balance_req(payload, len, q) != 0)
		return -1;
	/* A year outside the ledger's range is a typo, not an empty year. */
	return ld_valid_fy(q->fy) ? 0 : -1;
}

int
decode_terms(const uint8_t *payload, size_t len, union read_req *req)
{
	return msg_decode_terms_req(payload, len, &req->fy);
}

int
decode_receivables(const uint8_t *payload, size_t len, union read_req *req)
{
	return msg_decode_receivables_req(payload, len, &req->receivables);
}

int
decode_checkpoint(const uint8_t *payload, size_t len, union read_req *req)
{
	memset(req, 0, sizeof(*req));
	return msg_decode_checkpoint_req(payload, len);
}

int
decode_prove(const uint8_t *payload, size_t len, union read_req *req)
{
	return msg_decode_prove(payload, len, &req->proof.a, &req->proof.b);
}

int
decode_consistency(const uint8_t *payload, size_t len, union read_req *req)
{
	return msg_decode_consistency(payload, len, &req->proof.a,
	    &req->proof.b);
}
