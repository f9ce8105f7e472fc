/*
 * cmd_cluster.c - `ledgerctl cluster status|add|remove|transfer` (contract
 * 2.6, 2.8): a replicated ledger's membership, seen from the node that
 * answers, and the admin's changes to it.
 *
 * Each is one CLUSTER request (PROTOCOL.md "Cluster") answered with the
 * cluster view: for a change, the view once the change is committed.  A
 * change is the leader's to make, so it goes through ctl_call() like a
 * write and follows NOT_LEADER once (session.h); status is answered by any
 * node, from its own view: a follower knows its own state and the
 * leader's, and shows the other members' raft_role as "unknown".
 *
 * Output: `cluster status` prints the node's line and the members as a
 * table, or with --json one member object per line, each with its
 * raft_role (contract 2.8, 2.10); the node's own figures are in `status`.
 * A change prints the members after it the same way.
 *
 * cmd_build_cluster() is the pure half: the id is a whole number from 1,
 * the addresses HOST:PORT, so a typo is a usage error before any
 * connection.  A daemon without [cluster] answers BAD_REQUEST ("this node
 * is not in a cluster"), printed as any refusal (exit 1).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ctlconn.h"
#include "msg.h"
#include "output.h"
#include "session.h"
#include "wire.h"

static const struct ctl_opt no_opts[] = { { NULL, 0 } };

static int	cluster_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_cluster_cmds[] = {
	{ "cluster", "status", { NULL }, 0, 0, no_opts, "cluster status",
	    cluster_run, MSG_CLUSTER_STATUS },
	{ "cluster", "add", { "ID", "RAFT_ADDR", "CLIENT_ADDR" }, 3, 3, no_opts,
	    "cluster add ID RAFT_ADDR CLIENT_ADDR", cluster_run,
	    MSG_CLUSTER_ADD },
	{ "cluster", "remove", { "ID" }, 1, 1, no_opts, "cluster remove ID",
	    cluster_run, MSG_CLUSTER_REMOVE },
	{ "cluster", "transfer", { "ID" }, 1, 1, no_opts, "cluster transfer ID",
	    cluster_run, MSG_CLUSTER_TRANSFER },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

/* An address a member is reached at: HOST:PORT, as --server takes it. */
static int
arg_addr(const char *what, const char *s, char *out, size_t outsz, char *err,
    size_t errlen)
{
	char	 host[CTLCONN_HOST_MAX], port[CTLCONN_PORT_MAX];

	if (strlen(s) >= outsz || ctlconn_split_server(s, host, sizeof(host),
	    port, sizeof(port)) == -1 || strspn(s, "0123456789abcdefghijklmno"
	    "pqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_:%[]") != strlen(s)) {
		snprintf(err, errlen, "%s: '%.80s' is not HOST:PORT (an IPv6 "
		    "address as [ADDR]:PORT)", what, s);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int
cmd_build_cluster(const struct ctl_args *a, struct msg_cluster_req *q,
    char *err, size_t errlen)
{
	memset(q, 0, sizeof(*q));
	q->op = (uint8_t)a->cmd->tag;
	if (q->op == MSG_CLUSTER_STATUS)
		return 0;
	if (arg_seq("ID", a->pos[0], &q->id, err, errlen) == -1)
		return -1;
	if (q->op != MSG_CLUSTER_ADD)
		return 0;
	if (arg_addr("RAFT_ADDR", a->pos[1], q->raft_address,
	    sizeof(q->raft_address), err, errlen) == -1 ||
	    arg_addr("CLIENT_ADDR", a->pos[2], q->client_address,
	    sizeof(q->client_address), err, errlen) == -1)
		return -1;
	if (strcmp(q->raft_address, q->client_address) == 0) {
		snprintf(err, errlen, "RAFT_ADDR and CLIENT_ADDR are the same "
		    "address");
		return -1;
	}
	return 0;
}

static int
cluster_run(struct ctl *ctl, const struct ctl_args *a)
{
	static struct msg_cluster c;	/* 8 KiB: off the stack */
	struct msg_cluster_req	 q;
	struct ctlconn_frame	 f;
	struct wbuf		 w;
	char			 err[256];
	uint16_t		 i;
	int			 rc;

	if (cmd_build_cluster(a, &q, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	wbuf_init(&w);
	if (msg_encode_cluster_req(&w, &q) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, a->cmd, "request cannot be encoded");
	}
	rc = ctl_call(ctl, MSG_CLUSTER, &w, MSG_CLUSTER_OK, NULL, &f);
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	if (msg_decode_cluster(f.payload, f.len, &c) == -1)
		return ctl_conn_fail(ctl, "malformed CLUSTER_OK answer");

	if (ctl->json) {
		for (i = 0, rc = 0; i < c.nmembers && rc == 0; i++)
			rc = out_json_line(ctl->out,
			    out_member_json(&c.members[i], 1));
	} else {
		rc = fprintf(ctl->out, "node %" PRIu64 " (%s), term %" PRIu64
		    ", leader %s, commit_index %" PRIu64 ", applied_index %"
		    PRIu64 "\n", c.node, msg_raft_role_name(c.raft_role),
		    c.term, c.leader[0] != '\0' ? c.leader : "unknown",
		    c.commit_index, c.applied_index) < 0 ? -1 : 0;
		if (rc == 0)
			rc = out_members_text(ctl->out, &c, 0);
	}
	return rc == 0 ? CTL_OK : ctl_conn_fail(ctl, "cannot write the answer");
}
