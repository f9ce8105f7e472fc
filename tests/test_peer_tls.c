/*
 * test_peer_tls.c - libraft's TLS transport (ledgerd/peer_tls.c) between
 * three real libraft nodes, and the peers it must turn away.
 *
 * The test makes its own PKI with OpenSSL's API (EC P-256): a cluster CA
 * with node-1..3 and node-9, and a foreign CA with its own node-2.  Three
 * libraft nodes run in this process on one uv loop, each with a durable
 * raft_uv log in a temporary directory and a peer_tls transport on a
 * loopback port found with bind(0).  A group of tests then pokes node 1
 * from raw OpenSSL clients in a thread (the loop keeps running here):
 * wrong CA, unconfigured CN, no certificate, TLS 1.2; each must be refused
 * (the node counts it, nothing reaches raft) and the cluster must still
 * commit afterwards.  A standalone transport (no raft) shows the relay's
 * edges: half-close both ways, a reset, and a peer that does not read
 * (the writer is held back; nothing is lost when it reads).
 *
 * Waits are on conditions, with a deadline only as a guard against a hang
 * (RUN_DEADLINE_S): nothing here depends on the machine's speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <raft.h>
#include <raft/uv.h>
#include <uv.h>

#include "peer_tls.h"

#define NNODES		3
#define RUN_DEADLINE_S	120
#define FIRST_ENTRIES	300
#define MORE_ENTRIES	40
#define ENTRY_BYTES	200

static char	tmpdir[] = "/tmp/test_peer_tls.XXXXXX";
static uv_loop_t loop;

/* The PKI. */

static char *
path(const char *name)
{
	/* Per thread: the raw clients' threads call it too. */
	static _Thread_local char buf[8][PATH_MAX];
	static _Thread_local int next;
	char *p = buf[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	return p;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1)
		abort();
	X509_EXTENSION_free(ext);
}

/*
 * Write NAME.key (0600) and NAME.crt with subject CN, signed by the
 * issuer's key (self-signed when issuer is NULL).  The caller frees what it
 * gets back in *keyp and *certp when it asks for them.
 */
static void
mkcert(const char *name, const char *cn, int ca, X509 *issuer,
    EVP_PKEY *issuer_key, X509 **certp, EVP_PKEY **keyp)
{
	static long serial = 1;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *subj;
	char file[64];
	FILE *f;

	if (key == NULL || x == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	subj = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_ASC,
	    (const unsigned char *)"test_peer_tls", -1, -1, 0);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subj);
	add_ext(x, issuer ? issuer : x, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	if (ca)
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) == 0)
		abort();
	snprintf(file, sizeof(file), "%s.key", name);
	if ((f = fopen(path(file), "w")) == NULL)
		abort();
	fchmod(fileno(f), 0600);
	PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	snprintf(file, sizeof(file), "%s.crt", name);
	if ((f = fopen(path(file), "w")) == NULL)
		abort();
	PEM_write_X509(f, x);
	fclose(f);
	if (certp != NULL)
		*certp = x;
	else
		X509_free(x);
	if (keyp != NULL)
		*keyp = key;
	else
		EVP_PKEY_free(key);
}

static void
mkpki(void)
{
	X509 *ca, *other;
	EVP_PKEY *cakey, *otherkey;

	mkcert("ca", "test cluster CA", 1, NULL, NULL, &ca, &cakey);
	mkcert("node-1", "node-1", 0, ca, cakey, NULL, NULL);
	mkcert("node-2", "node-2", 0, ca, cakey, NULL, NULL);
	mkcert("node-3", "node-3", 0, ca, cakey, NULL, NULL);
	mkcert("node-9", "node-9", 0, ca, cakey, NULL, NULL);
	mkcert("other-ca", "another CA", 1, NULL, NULL, &other, &otherkey);
	mkcert("other-node-2", "node-2", 0, other, otherkey, NULL, NULL);
	X509_free(ca);
	X509_free(other);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(otherkey);
}

/* A loopback port nobody listens on now. */
static unsigned
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		abort();
	close(fd);
	return ntohs(sin.sin_port);
}

/* Running the loop until something holds. */

typedef int (*pred_fn)(void *);

static void
tick_cb(uv_timer_t *h)
{
	(void)h;
}

/*
 * Run the loop until pred(arg) is true; 0, or -1 when RUN_DEADLINE_S
 * passed first (a hang, never a slow machine).  A 5 ms ticker keeps the
 * loop turning while another thread does the work.
 */
static int
run_until(pred_fn pred, void *arg)
{
	uv_timer_t tick;
	time_t end = time(NULL) + RUN_DEADLINE_S;
	int ok;

	uv_timer_init(&loop, &tick);
	uv_timer_start(&tick, tick_cb, 5, 5);
	while (!(ok = pred(arg)) && time(NULL) < end)
		uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&tick, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
	return ok ? 0 : -1;
}

/* The three nodes. */

struct node {
	raft_id			 id;
	char			 dir[PATH_MAX];
	char			 addr[PEER_TLS_ADDR_MAX];
	struct raft		 raft;
	struct raft_io		 io;
	struct raft_uv_transport tr;
	struct raft_fsm		 fsm;
	uint64_t		 applied;	/* entries the FSM applied */
	uint64_t		 digest;	/* FNV-1a of them, in order */
	int			 closed;
};

static struct node	nodes[NNODES];
static struct peer_tls_peer peers[NNODES];

static int
fsm_apply(struct raft_fsm *fsm, const struct raft_buffer *buf, void **result)
{
	struct node *n = fsm->data;
	const unsigned char *p = buf->base;
	size_t i;

	for (i = 0; i < buf->len; i++)
		n->digest = (n->digest ^ p[i]) * 1099511628211ULL;
	n->applied++;
	*result = NULL;
	return 0;
}

static void
tls_conf(struct peer_tls_conf *c, raft_id id, const char *listen)
{
	static char cert[NNODES + 1][PATH_MAX], key[NNODES + 1][PATH_MAX];
	char name[32];

	memset(c, 0, sizeof(*c));
	snprintf(name, sizeof(name), "node-%llu.crt", (unsigned long long)id);
	snprintf(cert[id % (NNODES + 1)], PATH_MAX, "%s", path(name));
	snprintf(name, sizeof(name), "node-%llu.key", (unsigned long long)id);
	snprintf(key[id % (NNODES + 1)], PATH_MAX, "%s", path(name));
	c->id = id;
	c->listen = listen;
	c->ca_file = path("ca.crt");
	c->cert_file = cert[id % (NNODES + 1)];
	c->key_file = key[id % (NNODES + 1)];
	c->peers = peers;
	c->npeers = NNODES;
}

static void
node_start(struct node *n)
{
	struct raft_configuration conf;
	struct peer_tls_conf tc;
	char err[256];
	int i;

	snprintf(n->dir, sizeof(n->dir), "%s/raft-%llu", tmpdir,
	    (unsigned long long)n->id);
	assert_int_equal(mkdir(n->dir, 0700), 0);
	tls_conf(&tc, n->id, NULL);
	if (peer_tls_init(&n->tr, &loop, &tc, err, sizeof(err)) != 0)
		fail_msg("peer_tls_init: %s", err);
	assert_int_equal(raft_uv_init(&n->io, &loop, n->dir, &n->tr), 0);
	n->fsm.version = 1;
	n->fsm.data = n;
	n->fsm.apply = fsm_apply;
	assert_int_equal(raft_init(&n->raft, &n->io, &n->fsm, n->id, n->addr),
	    0);
	raft_set_snapshot_threshold(&n->raft, 1u << 30);
	raft_configuration_init(&conf);
	for (i = 0; i < NNODES; i++)
		assert_int_equal(raft_configuration_add(&conf, nodes[i].id,
		    nodes[i].addr, RAFT_VOTER), 0);
	assert_int_equal(raft_bootstrap(&n->raft, &conf), 0);
	raft_configuration_close(&conf);
	assert_int_equal(raft_start(&n->raft), 0);
}

static int
have_leader(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NNODES; i++)
		if (raft_state(&nodes[i].raft) == RAFT_LEADER)
			return 1;
	return 0;
}

static struct node *
leader(void)
{
	int i;

	assert_int_equal(run_until(have_leader, NULL), 0);
	for (i = 0; i < NNODES; i++)
		if (raft_state(&nodes[i].raft) == RAFT_LEADER)
			return &nodes[i];
	return NULL;
}

struct apply_batch {
	struct raft_apply	 req;
	int			*failed;
};

static void
apply_cb(struct raft_apply *req, int status, void *result)
{
	struct apply_batch *b = req->data;

	(void)result;
	if (status != 0)
		(*b->failed)++;
	free(b);
}

static int
all_applied(void *arg)
{
	uint64_t want = *(uint64_t *)arg;
	int i;

	for (i = 0; i < NNODES; i++)
		if (nodes[i].applied < want)
			return 0;
	return 1;
}

/* Propose count entries in groups of 10 on the leader; wait for all FSMs. */
static void
commit_entries(unsigned count)
{
	static unsigned seq;
	struct node *l = leader();
	struct raft_buffer bufs[10];
	uint64_t want = l->applied + count;
	int failed = 0;
	unsigned i, j;

	assert_non_null(l);
	for (i = 0; i < count; i += 10) {
		struct apply_batch *b = calloc(1, sizeof(*b));

		assert_non_null(b);
		b->failed = &failed;
		b->req.data = b;
		for (j = 0; j < 10; j++) {
			bufs[j].len = ENTRY_BYTES;
			bufs[j].base = raft_malloc(ENTRY_BYTES);
			assert_non_null(bufs[j].base);
			memset(bufs[j].base, 'a' + (int)(seq % 26), ENTRY_BYTES);
			snprintf(bufs[j].base, ENTRY_BYTES, "entry %u", seq++);
		}
		assert_int_equal(raft_apply(&l->raft, &b->req, bufs, 10,
		    apply_cb), 0);
	}
	assert_int_equal(run_until(all_applied, &want), 0);
	assert_int_equal(failed, 0);
	for (i = 1; i < NNODES; i++) {
		assert_int_equal(nodes[i].applied, nodes[0].applied);
		assert_true(nodes[i].digest == nodes[0].digest);
	}
}

static void
node_closed(struct raft *r)
{
	struct node *n = r->data;

	n->closed = 1;
}

static int
all_closed(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NNODES; i++)
		if (!nodes[i].closed)
			return 0;
	return 1;
}

static int
group_setup(void **state)
{
	int i;

	(void)state;
	if (mkdtemp(tmpdir) == NULL || uv_loop_init(&loop) != 0)
		return -1;
	mkpki();
	for (i = 0; i < NNODES; i++) {
		nodes[i].id = (raft_id)(i + 1);
		snprintf(nodes[i].addr, sizeof(nodes[i].addr), "127.0.0.1:%u",
		    free_port());
		peers[i].id = nodes[i].id;
		snprintf(peers[i].address, sizeof(peers[i].address), "%s",
		    nodes[i].addr);
	}
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* Three nodes elect a leader and replicate entries over TLS. */
static void
test_cluster_replicates(void **state)
{
	struct peer_tls_stats st;
	int i;

	(void)state;
	for (i = 0; i < NNODES; i++)
		node_start(&nodes[i]);
	commit_entries(FIRST_ENTRIES);
	assert_true(nodes[0].applied >= FIRST_ENTRIES);
	for (i = 0; i < NNODES; i++) {
		peer_tls_stats(&nodes[i].tr, &st);
		assert_int_equal(st.refused, 0);
		assert_true(st.accepted + st.connected >= 2);
		assert_true(st.bytes_in > 0 && st.bytes_out > 0);
	}
	/* The leader sent every entry to both followers, encrypted. */
	peer_tls_stats(&leader()->tr, &st);
	assert_true(st.bytes_out >= 2ULL * FIRST_ENTRIES * ENTRY_BYTES);
}

/* Raw OpenSSL clients in a thread. */

struct rawclient {
	const char	*cert;		/* NULL: no client certificate */
	const char	*key;
	int		 tls12;		/* offer TLS 1.2 only */
	const char	*addr;		/* "127.0.0.1:port" */
	atomic_int	 done;
	int		 refused;	/* an alert or a failed handshake */
	char		 why[256];
};

static int
tcp_connect(const char *addr)
{
	struct sockaddr_in sin;
	struct timeval tv = { RUN_DEADLINE_S, 0 };
	const char *colon = strchr(addr, ':');
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static SSL_CTX *
client_ctx(const char *cert, const char *key, int tls12)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (tls12) {
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	}
	SSL_CTX_load_verify_locations(ctx, path("ca.crt"), NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (cert != NULL) {
		SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM);
		SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM);
	}
	return ctx;
}

static void *
rawclient_run(void *arg)
{
	struct rawclient *rc = arg;
	SSL_CTX *ctx = client_ctx(rc->cert, rc->key, rc->tls12);
	SSL *ssl = SSL_new(ctx);
	char buf[64];
	int fd = tcp_connect(rc->addr), n;

	SSL_set_fd(ssl, fd);
	if ((n = SSL_connect(ssl)) != 1) {
		rc->refused = 1;
		ERR_error_string_n(ERR_peek_last_error(), rc->why,
		    sizeof(rc->why));
		goto out;
	}
	/* TLS 1.3: the server's verdict on our certificate comes now. */
	n = SSL_read(ssl, buf, sizeof(buf));
	if (n <= 0 && SSL_get_error(ssl, n) == SSL_ERROR_SSL) {
		rc->refused = 1;
		ERR_error_string_n(ERR_peek_last_error(), rc->why,
		    sizeof(rc->why));
	} else
		snprintf(rc->why, sizeof(rc->why), "read %d, error %d", n,
		    SSL_get_error(ssl, n));
out:
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	atomic_store(&rc->done, 1);
	return NULL;
}

static int
rawclient_done(void *arg)
{
	return atomic_load(&((struct rawclient *)arg)->done);
}

/*
 * rc connects to node 1: it must be refused (rc sees an alert or a failed
 * handshake, node 1 counts a refusal and gives nothing to raft), and the
 * cluster must still commit.
 */
static void
expect_refused(struct rawclient *rc)
{
	struct peer_tls_stats before, after;
	pthread_t th;

	peer_tls_stats(&nodes[0].tr, &before);
	rc->addr = nodes[0].addr;
	assert_int_equal(pthread_create(&th, NULL, rawclient_run, rc), 0);
	assert_int_equal(run_until(rawclient_done, rc), 0);
	pthread_join(th, NULL);
	peer_tls_stats(&nodes[0].tr, &after);
	if (!rc->refused)
		fail_msg("not refused: %s", rc->why);
	assert_int_equal(after.refused, before.refused + 1);
	assert_int_equal(after.accepted, before.accepted);
	commit_entries(MORE_ENTRIES);
}

static void
test_foreign_ca_refused(void **state)
{
	struct rawclient rc = { .cert = path("other-node-2.crt"),
	    .key = path("other-node-2.key") };

	(void)state;
	expect_refused(&rc);
	assert_non_null(strstr(rc.why, "alert"));
}

static void
test_unconfigured_cn_refused(void **state)
{
	struct rawclient rc = { .cert = path("node-9.crt"),
	    .key = path("node-9.key") };

	(void)state;
	expect_refused(&rc);
}

static void
test_no_client_cert_refused(void **state)
{
	struct rawclient rc = { .cert = NULL };

	(void)state;
	expect_refused(&rc);
	assert_non_null(strstr(rc.why, "certificate required"));
}

static void
test_tls12_refused(void **state)
{
	struct rawclient rc = { .cert = path("node-2.crt"),
	    .key = path("node-2.key"), .tls12 = 1 };

	(void)state;
	expect_refused(&rc);
	assert_non_null(strstr(rc.why, "protocol version"));
}

/* A server that answers for node 2 with node-3's certificate. */

struct impostor {
	int		 lfd;
	atomic_int	 done;
};

static void *
impostor_run(void *arg)
{
	struct impostor *im = arg;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL *ssl;
	int fd;

	SSL_CTX_use_certificate_file(ctx, path("node-3.crt"), SSL_FILETYPE_PEM);
	SSL_CTX_use_PrivateKey_file(ctx, path("node-3.key"), SSL_FILETYPE_PEM);
	if ((fd = accept(im->lfd, NULL, NULL)) != -1) {
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		SSL_accept(ssl);
		SSL_free(ssl);
		close(fd);
	}
	ERR_clear_error();
	SSL_CTX_free(ctx);
	atomic_store(&im->done, 1);
	return NULL;
}

struct connect_result {
	struct raft_uv_connect	 req;
	int			 fired;
	int			 status;
};

static void
connect_cb(struct raft_uv_connect *req, struct uv_stream_s *stream,
    int status)
{
	struct connect_result *r = req->data;

	r->fired = 1;
	r->status = status;
	if (stream != NULL)
		uv_close((uv_handle_t *)stream, (uv_close_cb)raft_free);
}

static int
connect_fired(void *arg)
{
	struct connect_result *r = arg;

	return r->fired;
}

/* Node 1 asked to reach node 2 finds a server that is not node 2. */
static void
test_impostor_server_refused(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct impostor im = { .lfd = socket(AF_INET, SOCK_STREAM, 0) };
	struct connect_result r = { .fired = 0 };
	struct peer_tls_stats before, after;
	char addr[PEER_TLS_ADDR_MAX];
	pthread_t th;

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(im.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(im.lfd, 1), 0);
	getsockname(im.lfd, (struct sockaddr *)&sin, &len);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sin.sin_port));
	assert_int_equal(pthread_create(&th, NULL, impostor_run, &im), 0);

	peer_tls_stats(&nodes[0].tr, &before);
	r.req.data = &r;
	assert_int_equal(nodes[0].tr.connect(&nodes[0].tr, &r.req, 2, addr,
	    connect_cb), 0);
	assert_int_equal(run_until(connect_fired, &r), 0);
	assert_int_equal(r.status, RAFT_NOCONNECTION);
	peer_tls_stats(&nodes[0].tr, &after);
	assert_int_equal(after.refused, before.refused + 1);
	assert_int_equal(after.connected, before.connected);
	pthread_join(th, NULL);
	close(im.lfd);
	commit_entries(MORE_ENTRIES);
}

/* Closing raft closes the transports; every handle is gone from the loop. */
static void
test_cluster_close(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < NNODES; i++) {
		nodes[i].raft.data = &nodes[i];
		raft_close(&nodes[i].raft, node_closed);
	}
	assert_int_equal(run_until(all_closed, NULL), 0);
	for (i = 0; i < NNODES; i++) {
		raft_uv_close(&nodes[i].io);
		peer_tls_close(&nodes[i].tr);
	}
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_int_equal(uv_loop_init(&loop), 0);
}

/*
 * The relay's edges, on a standalone transport for node 3 (no raft): a
 * raw client with node-2's certificate is the peer.
 */

struct edge {
	struct raft_uv_transport tr;
	uv_stream_t		*stream;	/* the accepted one */
	raft_id			 id;
	char			 address[PEER_TLS_ADDR_MAX];
	char			 got[64];
	size_t			 ngot;
	int			 eof;
	int			 readerr;
	atomic_int		 wrote;		/* write callback fired */
	int			 wstatus;
	atomic_int		 closed;
};

static struct edge edge;

static void
edge_accept(struct raft_uv_transport *t, raft_id id, const char *address,
    struct uv_stream_s *stream)
{
	(void)t;
	edge.id = id;
	snprintf(edge.address, sizeof(edge.address), "%s", address);
	edge.stream = stream;
}

static void
edge_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)h;
	(void)hint;
	buf->base = edge.got + edge.ngot;
	buf->len = sizeof(edge.got) - edge.ngot;
}

static void
edge_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	(void)s;
	(void)buf;
	if (n > 0)
		edge.ngot += (size_t)n;
	else if (n == UV_EOF)
		edge.eof = 1;
	else if (n < 0)
		edge.readerr = 1;
}

static void
edge_write_cb(uv_write_t *w, int status)
{
	edge.wrote = 1;
	edge.wstatus = status;
	free(w);
}

static void
edge_stream_write(const void *data, size_t len)
{
	uv_write_t *w = malloc(sizeof(*w));
	uv_buf_t b = uv_buf_init((char *)(uintptr_t)data, (unsigned)len);

	assert_non_null(w);
	edge.wrote = 0;
	assert_int_equal(uv_write(w, edge.stream, &b, 1, edge_write_cb), 0);
}

static void
edge_stream_closed(uv_handle_t *h)
{
	raft_free(h);
	edge.stream = NULL;
}

static int
edge_accepted(void *arg)
{
	(void)arg;
	return edge.stream != NULL;
}

static int
edge_flag(void *arg)
{
	return atomic_load((atomic_int *)arg);
}

static int
edge_open_none(void *arg)
{
	struct peer_tls_stats st;

	(void)arg;
	peer_tls_stats(&edge.tr, &st);
	return st.open == 0;
}

static int
edge_setup(void **state)
{
	static char listen[PEER_TLS_ADDR_MAX];
	struct peer_tls_conf tc;
	char err[256];

	(void)state;
	memset(&edge, 0, sizeof(edge));
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", free_port());
	tls_conf(&tc, 3, listen);
	if (peer_tls_init(&edge.tr, &loop, &tc, err, sizeof(err)) != 0)
		fail_msg("peer_tls_init: %s", err);
	assert_int_equal(edge.tr.init(&edge.tr, 3, listen), 0);
	assert_int_equal(edge.tr.listen(&edge.tr, edge_accept), 0);
	snprintf(edge.address, sizeof(edge.address), "%s", listen);
	*state = listen;
	return 0;
}

static void
edge_closed(struct raft_uv_transport *t)
{
	(void)t;
	edge.closed = 1;
}

static int
edge_teardown(void **state)
{
	edge.tr.close(&edge.tr, edge_closed);
	run_until(edge_flag, &edge.closed);
	peer_tls_close(&edge.tr);
	uv_run(&loop, UV_RUN_NOWAIT);
	(void)state;
	return uv_loop_alive(&loop) ? -1 : 0;
}

/* A connected raw peer as node 2, run step by step from its thread. */
struct peer {
	const char	*addr;
	SSL_CTX		*ctx;
	SSL		*ssl;
	int		 fd;
	int		 step;		/* what to do next, set by the test */
	atomic_int	 want;
	atomic_int	 done;
	size_t		 nread;
	int		 pattern_ok;
	char		 got[64];
	int		 gotlen;
	int		 sawclose;
};

enum { P_HALFCLOSE = 1, P_DRAIN, P_RESET };

#define BIG	(24u * 1024 * 1024)

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 13));
}

static void *
peer_run(void *arg)
{
	struct peer *p = arg;
	unsigned char buf[16384];
	struct linger lg = { 1, 0 };
	size_t i;
	int n;

	p->ctx = client_ctx(path("node-2.crt"), path("node-2.key"), 0);
	p->ssl = SSL_new(p->ctx);
	p->fd = tcp_connect(p->addr);
	SSL_set_fd(p->ssl, p->fd);
	if (SSL_connect(p->ssl) != 1)
		goto out;
	switch (p->step) {
	case P_HALFCLOSE:
		SSL_write(p->ssl, "hello", 5);
		SSL_shutdown(p->ssl);		/* close_notify: our side done */
		while ((n = SSL_read(p->ssl, p->got + p->gotlen,
		    (int)sizeof(p->got) - p->gotlen - 1)) > 0)
			p->gotlen += n;
		p->sawclose = SSL_get_error(p->ssl, n) == SSL_ERROR_ZERO_RETURN;
		break;
	case P_DRAIN:
		SSL_write(p->ssl, "x", 1);	/* lets the server finish */
		while (!atomic_load(&p->want))	/* do not read yet */
			usleep(1000);
		p->pattern_ok = 1;
		while (p->nread < BIG &&
		    (n = SSL_read(p->ssl, buf, sizeof(buf))) > 0) {
			for (i = 0; i < (size_t)n; i++)
				if (buf[i] != pattern(p->nread + i))
					p->pattern_ok = 0;
			p->nread += (size_t)n;
		}
		break;
	case P_RESET:
		SSL_write(p->ssl, "bye", 3);
		while (!atomic_load(&p->want))
			usleep(1000);
		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	}
out:
	ERR_clear_error();
	SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
	close(p->fd);
	atomic_store(&p->done, 1);
	return NULL;
}

static int
peer_done(void *arg)
{
	return atomic_load(&((struct peer *)arg)->done);
}

static void
edge_connect(struct peer *p, pthread_t *th, const char *addr, int step)
{
	memset(p, 0, sizeof(*p));
	p->addr = addr;
	p->step = step;
	assert_int_equal(pthread_create(th, NULL, peer_run, p), 0);
	assert_int_equal(run_until(edge_accepted, NULL), 0);
	/* The proven identity and the table's address, not the peer's claim. */
	assert_int_equal(edge.id, 2);
	assert_string_equal(edge.address, peers[1].address);
	edge.ngot = 0;
	edge.eof = edge.readerr = 0;
	assert_int_equal(uv_read_start(edge.stream, edge_alloc, edge_read), 0);
}

static int
edge_eof(void *arg)
{
	(void)arg;
	return edge.eof || edge.readerr;
}

/*
 * The peer sends "hello" and closes its side: raft reads it, then EOF, and
 * can still answer; the peer reads the answer, then our close_notify.
 */
static void
test_half_close(void **state)
{
	struct peer p;
	pthread_t th;

	edge_connect(&p, &th, *state, P_HALFCLOSE);
	assert_int_equal(run_until(edge_eof, NULL), 0);
	assert_int_equal(edge.eof, 1);
	assert_int_equal(edge.ngot, 5);
	assert_memory_equal(edge.got, "hello", 5);
	edge_stream_write("world", 5);
	assert_int_equal(run_until(edge_flag, &edge.wrote), 0);
	assert_int_equal(edge.wstatus, 0);
	uv_close((uv_handle_t *)edge.stream, edge_stream_closed);
	assert_int_equal(run_until(peer_done, &p), 0);
	pthread_join(th, NULL);
	assert_int_equal(p.gotlen, 5);
	assert_memory_equal(p.got, "world", 5);
	assert_true(p.sawclose);
	assert_int_equal(run_until(edge_open_none, NULL), 0);
}

static int
edge_stalled(void *arg)
{
	struct peer_tls_stats st;

	(void)arg;
	peer_tls_stats(&edge.tr, &st);
	return st.stalled > 0;
}

/*
 * A peer that does not read: the relay's buffer fills and stops taking
 * from raft, so raft's write waits (in libuv's queue, as behind a slow
 * TCP peer) instead of the proxy buffering 24 MiB; once the peer reads,
 * every byte arrives, in order.
 */
static void
test_slow_peer_backpressure(void **state)
{
	static unsigned char big[BIG];
	struct peer p;
	pthread_t th;
	size_t i;

	for (i = 0; i < BIG; i++)
		big[i] = pattern(i);
	edge_connect(&p, &th, *state, P_DRAIN);
	edge_stream_write(big, BIG);
	assert_int_equal(run_until(edge_stalled, NULL), 0);
	/* Kernel buffers hold a few MiB at most: most of it is still ours. */
	assert_int_equal(edge.wrote, 0);
	assert_true(edge.stream->write_queue_size > BIG / 2);
	atomic_store(&p.want, 1);
	assert_int_equal(run_until(edge_flag, &edge.wrote), 0);
	assert_int_equal(edge.wstatus, 0);
	assert_int_equal(run_until(peer_done, &p), 0);
	pthread_join(th, NULL);
	assert_int_equal(p.nread, BIG);
	assert_true(p.pattern_ok);
	uv_close((uv_handle_t *)edge.stream, edge_stream_closed);
	assert_int_equal(run_until(edge_open_none, NULL), 0);
}

/* A reset peer: raft's stream ends, and the connection is released. */
static void
test_reset(void **state)
{
	struct peer p;
	pthread_t th;

	edge_connect(&p, &th, *state, P_RESET);
	atomic_store(&p.want, 1);
	assert_int_equal(run_until(peer_done, &p), 0);
	pthread_join(th, NULL);
	assert_int_equal(run_until(edge_eof, NULL), 0);
	uv_close((uv_handle_t *)edge.stream, edge_stream_closed);
	assert_int_equal(run_until(edge_open_none, NULL), 0);
}

#define FLOOD		60
#define LOG_PER_S	10	/* PT_LOG_PER_S in peer_tls.c */

static atomic_int flood_done;

static void *
flood_run(void *arg)
{
	struct rawclient rc = { .addr = arg };
	int i;

	for (i = 0; i < FLOOD; i++)
		rawclient_run(&rc);
	atomic_store(&flood_done, 1);
	return NULL;
}

static int64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Refusal lines in the file, and the refusals said to be left out. */
static void
count_refusals(const char *file, unsigned *lines, unsigned *suppressed)
{
	char line[1024];
	unsigned n;
	FILE *f = fopen(file, "r");

	*lines = *suppressed = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "TLS handshake refused") != NULL)
			(*lines)++;
		else if (strstr(line, "(refused peer TLS handshakes)") &&
		    sscanf(strstr(line, "ledgerd: ") ? strstr(line,
		    "ledgerd: ") + 9 : line, "%u similar", &n) == 1)
			*suppressed += n;
	}
	fclose(f);
}

static int
flood_accounted(void *arg)
{
	unsigned lines, suppressed;

	fflush(stderr);
	count_refusals(arg, &lines, &suppressed);
	return lines + suppressed == FLOOD;
}

/*
 * A flood of refused handshakes is logged at most LOG_PER_S lines a
 * second; the rest are counted in a "suppressed" line, so every refusal
 * is accounted for and the disk does not fill.
 */
static void
test_refusals_rate_limited(void **state)
{
	struct peer_tls_stats st;
	char file[PATH_MAX];
	unsigned lines, suppressed;
	int64_t start, end;
	pthread_t th;
	int saved, fd;

	snprintf(file, sizeof(file), "%s", path("stderr.log"));
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved != -1 && fd != -1);
	dup2(fd, STDERR_FILENO);
	close(fd);
	start = mono_s();
	assert_int_equal(pthread_create(&th, NULL, flood_run, *state), 0);
	assert_int_equal(run_until(edge_flag, &flood_done), 0);
	end = mono_s();
	pthread_join(th, NULL);
	assert_int_equal(run_until(flood_accounted, file), 0);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	count_refusals(file, &lines, &suppressed);
	peer_tls_stats(&edge.tr, &st);
	assert_int_equal(st.refused, FLOOD);
	assert_true(lines >= 1);
	assert_true(lines <= LOG_PER_S * (unsigned)(end - start + 1));
	assert_int_equal(lines + suppressed, FLOOD);
}

/* Configuration mistakes are caught by peer_tls_init(), with a reason. */
static void
test_init_refuses_bad_conf(void **state)
{
	struct raft_uv_transport tr = { .data = NULL };
	struct peer_tls_conf tc;
	struct peer_tls_peer dup[2] = { { 2, "127.0.0.1:1" },
	    { 2, "127.0.0.1:2" } };
	struct peer_tls_peer name[1] = { { 2, "localhost:7501" } };
	char err[256];

	(void)state;
	tls_conf(&tc, 1, NULL);
	tc.cert_file = path("node-2.crt");
	tc.key_file = path("node-2.key");
	assert_int_equal(peer_tls_init(&tr, &loop, &tc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not node-1"));

	tls_conf(&tc, 1, NULL);
	tc.peers = dup;
	tc.npeers = 2;
	assert_int_equal(peer_tls_init(&tr, &loop, &tc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));

	tls_conf(&tc, 1, NULL);
	tc.peers = name;
	tc.npeers = 1;
	assert_int_equal(peer_tls_init(&tr, &loop, &tc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "numeric"));

	tls_conf(&tc, 1, NULL);
	chmod(tc.key_file, 0644);
	assert_int_equal(peer_tls_init(&tr, &loop, &tc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));
	chmod(tc.key_file, 0600);

	tls_conf(&tc, 1, NULL);
	tc.groups = "ffdhe9999";
	assert_int_equal(peer_tls_init(&tr, &loop, &tc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "groups"));
}

int
main(void)
{
	const struct CMUnitTest cluster[] = {
		cmocka_unit_test(test_cluster_replicates),
		cmocka_unit_test(test_foreign_ca_refused),
		cmocka_unit_test(test_unconfigured_cn_refused),
		cmocka_unit_test(test_no_client_cert_refused),
		cmocka_unit_test(test_tls12_refused),
		cmocka_unit_test(test_impostor_server_refused),
		cmocka_unit_test(test_cluster_close),
		cmocka_unit_test(test_init_refuses_bad_conf),
	};
	const struct CMUnitTest edges[] = {
		cmocka_unit_test(test_half_close),
		cmocka_unit_test(test_slow_peer_backpressure),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_refusals_rate_limited),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (group_setup(NULL) != 0)
		return 1;
	rc = cmocka_run_group_tests_name("cluster", cluster, NULL, NULL);
	rc |= cmocka_run_group_tests_name("relay", edges, edge_setup,
	    edge_teardown);
	uv_loop_close(&loop);
	group_teardown(NULL);
	return rc;
}
