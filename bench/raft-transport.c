/*
 * raft-transport.c - what TLS costs libraft: three in-process nodes on
 * loopback committing entries over libraft's stock TCP transport
 * (raft_uv_tcp_init) and over ledgerd's TLS one (ledgerd/peer_tls.c), in
 * the same run.
 *
 * usage: raft-transport [-r RUNS] [-n ENTRIES] [-d DIR]
 *
 * Each node is a thread with its own uv loop (as three processes would
 * be), its durable raft_uv log in a fresh directory under DIR (default
 * $TMPDIR or /var/tmp: a real disk, every append synced), and an FSM that
 * only counts.  Once a leader is elected it proposes ENTRIES entries of
 * 200 bytes (about a ledger request) in raft_apply() batches of 64 and of
 * 1,024 with 8 batches in flight; the clock runs from the first timed
 * proposal to the leader's last apply callback (a majority stored it and
 * the leader applied it), after one untimed batch that opens the
 * connections.  A measurement is one fresh cluster; the four (transport x
 * batch) are interleaved within a run so that they share the machine's
 * state, and the median of RUNS is printed with the TLS overhead.
 *
 * The certificates (EC P-256, CN node-1..3) are made here with OpenSSL.
 * This is a program that prints figures, not a test: it fails only when
 * the cluster cannot be set up.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <raft.h>
#include <raft/uv.h>
#include <uv.h>

#include "peer_tls.h"

#define NNODES		3
#define ENTRY_BYTES	200
#define INFLIGHT	8
#define MAX_RUNS	15

static char	root[1024];	/* short enough for every path under it */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "raft-transport: %s\n", what);
	exit(1);
}

/* The PKI: ca.crt, node-N.crt and node-N.key under root. */

static void
mkcert(const char *name, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    X509 **certp, EVP_PKEY **keyp)
{
	static long serial = 1;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *subj;
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	char path[PATH_MAX];
	FILE *f;

	if (key == NULL || x == NULL)
		die("cannot make a key");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	subj = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subj);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    issuer ? "critical,CA:FALSE" : "critical,CA:TRUE");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1)
		die("cannot make a certificate");
	X509_EXTENSION_free(ext);
	if (X509_sign(x, ikey ? ikey : key, EVP_sha256()) == 0)
		die("cannot sign a certificate");
	snprintf(path, sizeof(path), "%s/%s.key", root, name);
	if ((f = fopen(path, "w")) == NULL)
		die("cannot write a key");
	fchmod(fileno(f), 0600);
	PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.crt", root, name);
	if ((f = fopen(path, "w")) == NULL)
		die("cannot write a certificate");
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
	EVP_PKEY *cakey;
	X509 *ca;
	char name[16];
	int i;

	mkcert("ca", "bench CA", NULL, NULL, &ca, &cakey);
	for (i = 1; i <= NNODES; i++) {
		snprintf(name, sizeof(name), "node-%d", i);
		mkcert(name, name, ca, cakey, NULL, NULL);
	}
	X509_free(ca);
	EVP_PKEY_free(cakey);
}

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
		die("no free port");
	close(fd);
	return ntohs(sin.sin_port);
}

/* One measurement: a cluster, its load, its figure. */

struct run;

struct bnode {
	struct run		*run;
	raft_id			 id;
	char			 dir[PATH_MAX];
	char			 addr[PEER_TLS_ADDR_MAX];
	uv_loop_t		 loop;
	uv_timer_t		 timer;
	struct raft		 raft;
	struct raft_io		 io;
	struct raft_uv_transport tr;
	struct raft_fsm		 fsm;
	pthread_t		 th;
	int			 closing;
};

struct run {
	int			 tls;
	unsigned		 batch;
	uint64_t		 total;
	struct bnode		 nodes[NNODES];
	struct peer_tls_peer	 peers[NNODES];
	atomic_int		 claimed;	/* a leader took the load */
	atomic_int		 done;
	atomic_int		 stop;
	atomic_int		 failed;
	/* The leader's thread only. */
	struct bnode		*leader;
	uint64_t		 submitted;
	uint64_t		 committed;
	unsigned		 inflight;
	uint64_t		 t0, t1;
};

static int
fsm_apply(struct raft_fsm *fsm, const struct raft_buffer *buf, void **result)
{
	(void)fsm;
	(void)buf;
	*result = NULL;
	return 0;
}

static void	submit(struct run *, int timed);

static void
apply_cb(struct raft_apply *req, int status, void *result)
{
	struct run *run = req->data;

	(void)result;
	free(req);
	if (status != 0) {
		atomic_store(&run->failed, status);
		atomic_store(&run->done, 1);
		return;
	}
	if (run->t0 == 0) {		/* the untimed batch: connections open */
		run->t0 = now_ns();
		while (run->inflight < INFLIGHT && run->submitted < run->total)
			submit(run, 1);
		return;
	}
	run->inflight--;
	run->committed += run->batch;
	if (run->committed >= run->total) {
		run->t1 = now_ns();
		atomic_store(&run->done, 1);
		return;
	}
	while (run->inflight < INFLIGHT && run->submitted < run->total)
		submit(run, 1);
}

static void
submit(struct run *run, int timed)
{
	struct raft_buffer bufs[1024];
	struct raft_apply *req = malloc(sizeof(*req));
	unsigned i;

	if (req == NULL)
		die("out of memory");
	req->data = run;
	for (i = 0; i < run->batch; i++) {
		bufs[i].len = ENTRY_BYTES;
		if ((bufs[i].base = raft_malloc(ENTRY_BYTES)) == NULL)
			die("out of memory");
		memset(bufs[i].base, 'x', ENTRY_BYTES);
		memcpy(bufs[i].base, &run->submitted, sizeof(run->submitted));
	}
	if (raft_apply(&run->leader->raft, req, bufs, run->batch,
	    apply_cb) != 0) {
		for (i = 0; i < run->batch; i++)
			raft_free(bufs[i].base);
		free(req);
		atomic_store(&run->failed, -1);
		atomic_store(&run->done, 1);
		return;
	}
	if (timed) {
		run->submitted += run->batch;
		run->inflight++;
	}
}

static void
node_closed(struct raft *r)
{
	struct bnode *n = r->data;

	uv_close((uv_handle_t *)&n->timer, NULL);
}

/* Every 2 ms on each node's loop: take the load, or stop. */
static void
timer_cb(uv_timer_t *h)
{
	struct bnode *n = h->data;
	struct run *run = n->run;
	int expect = 0;

	if (atomic_load(&run->stop)) {
		if (!n->closing) {
			n->closing = 1;
			uv_timer_stop(&n->timer);
			n->raft.data = n;
			raft_close(&n->raft, node_closed);
		}
		return;
	}
	if (raft_state(&n->raft) == RAFT_LEADER &&
	    atomic_compare_exchange_strong(&run->claimed, &expect, 1)) {
		run->leader = n;
		submit(run, 0);
	}
}

static void *
node_thread(void *arg)
{
	struct bnode *n = arg;
	struct run *run = n->run;
	struct raft_configuration conf;
	struct peer_tls_conf tc;
	char cert[PATH_MAX], key[PATH_MAX], ca[PATH_MAX], err[256];
	int i;

	if (uv_loop_init(&n->loop) != 0)
		die("uv_loop_init");
	if (mkdir(n->dir, 0700) != 0)
		die("cannot make a raft directory");
	if (run->tls) {
		memset(&tc, 0, sizeof(tc));
		snprintf(ca, sizeof(ca), "%s/ca.crt", root);
		snprintf(cert, sizeof(cert), "%s/node-%llu.crt", root,
		    (unsigned long long)n->id);
		snprintf(key, sizeof(key), "%s/node-%llu.key", root,
		    (unsigned long long)n->id);
		tc.id = n->id;
		tc.ca_file = ca;
		tc.cert_file = cert;
		tc.key_file = key;
		tc.peers = run->peers;
		tc.npeers = NNODES;
		if (peer_tls_init(&n->tr, &n->loop, &tc, err, sizeof(err)) != 0)
			die(err);
	} else if (raft_uv_tcp_init(&n->tr, &n->loop) != 0)
		die("raft_uv_tcp_init");
	if (raft_uv_init(&n->io, &n->loop, n->dir, &n->tr) != 0)
		die("raft_uv_init");
	n->fsm.version = 1;
	n->fsm.apply = fsm_apply;
	if (raft_init(&n->raft, &n->io, &n->fsm, n->id, n->addr) != 0)
		die("raft_init");
	raft_set_snapshot_threshold(&n->raft, 1u << 30);
	raft_configuration_init(&conf);
	for (i = 0; i < NNODES; i++)
		if (raft_configuration_add(&conf, run->nodes[i].id,
		    run->nodes[i].addr, RAFT_VOTER) != 0)
			die("raft_configuration_add");
	if (raft_bootstrap(&n->raft, &conf) != 0)
		die("raft_bootstrap");
	raft_configuration_close(&conf);
	if (raft_start(&n->raft) != 0)
		die("raft_start");
	uv_timer_init(&n->loop, &n->timer);
	n->timer.data = n;
	uv_timer_start(&n->timer, timer_cb, 2, 2);
	uv_run(&n->loop, UV_RUN_DEFAULT);
	raft_uv_close(&n->io);
	if (run->tls)
		peer_tls_close(&n->tr);
	else
		raft_uv_tcp_close(&n->tr);
	if (uv_loop_close(&n->loop) != 0)
		die("a handle was left open");
	return NULL;
}

/* Entries a second for one fresh cluster, or -1 when it failed. */
static double
measure(int tls, unsigned batch, uint64_t total, int runno)
{
	struct run *run = calloc(1, sizeof(*run));
	char cmd[PATH_MAX + 16];
	double rate;
	int i;

	if (run == NULL)
		die("out of memory");
	run->tls = tls;
	run->batch = batch;
	run->total = total;
	for (i = 0; i < NNODES; i++) {
		struct bnode *n = &run->nodes[i];

		n->run = run;
		n->id = (raft_id)(i + 1);
		snprintf(n->addr, sizeof(n->addr), "127.0.0.1:%u", free_port());
		snprintf(n->dir, sizeof(n->dir), "%s/r%d-%s-%u-%d", root,
		    runno, tls ? "tls" : "tcp", batch, i + 1);
		run->peers[i].id = n->id;
		snprintf(run->peers[i].address, sizeof(run->peers[i].address),
		    "%s", n->addr);
	}
	for (i = 0; i < NNODES; i++)
		if (pthread_create(&run->nodes[i].th, NULL, node_thread,
		    &run->nodes[i]) != 0)
			die("pthread_create");
	while (!atomic_load(&run->done))
		usleep(2000);
	atomic_store(&run->stop, 1);
	for (i = 0; i < NNODES; i++)
		pthread_join(run->nodes[i].th, NULL);
	rate = atomic_load(&run->failed) ? -1 :
	    (double)run->committed * 1e9 / (double)(run->t1 - run->t0);
	for (i = 0; i < NNODES; i++) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", run->nodes[i].dir);
		if (system(cmd) != 0)
			fprintf(stderr, "raft-transport: cannot remove %s\n",
			    run->nodes[i].dir);
	}
	free(run);
	return rate;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	static const unsigned batches[2] = { 64, 1024 };
	double rates[2][2][MAX_RUNS], med[2][2];
	const char *base = getenv("TMPDIR");
	uint64_t total = 262144;
	char cmd[PATH_MAX + 16];
	int runs = 3, ch, r, b, tls;

	if (base == NULL || *base == '\0')
		base = "/var/tmp";
	while ((ch = getopt(argc, argv, "r:n:d:")) != -1) {
		switch (ch) {
		case 'r':
			runs = atoi(optarg);
			break;
		case 'n':
			total = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			base = optarg;
			break;
		default:
			fprintf(stderr, "usage: raft-transport [-r RUNS] "
			    "[-n ENTRIES] [-d DIR]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS || total < 1024) {
		fprintf(stderr, "raft-transport: 1 to %d runs, 1024 entries "
		    "or more\n", MAX_RUNS);
		return 2;
	}
	total -= total % 1024;		/* whole batches of both sizes */
	signal(SIGPIPE, SIG_IGN);
	if (snprintf(root, sizeof(root), "%s/raft-transport.XXXXXX", base) >=
	    (int)sizeof(root) || mkdtemp(root) == NULL)
		die("cannot make a directory");
	mkpki();
	printf("raft-transport: 3 nodes, one thread each, on loopback; logs "
	    "in %s; %" PRIu64 " entries of %d bytes per measurement, %d "
	    "applies in flight; %d runs\n", base, total, ENTRY_BYTES,
	    INFLIGHT, runs);
	for (r = 0; r < runs; r++) {
		for (b = 0; b < 2; b++) {
			for (tls = 0; tls < 2; tls++) {
				rates[b][tls][r] = measure(tls, batches[b],
				    total, r);
				printf("run %d  batch %4u  %-3s  %9.0f entries/s\n",
				    r + 1, batches[b], tls ? "tls" : "tcp",
				    rates[b][tls][r]);
				fflush(stdout);
			}
		}
	}
	printf("\nmedian of %d runs        tcp entries/s   tls entries/s   "
	    "tls overhead\n", runs);
	for (b = 0; b < 2; b++) {
		med[b][0] = median(rates[b][0], runs);
		med[b][1] = median(rates[b][1], runs);
		printf("batches of %4u         %13.0f   %13.0f   %11.1f %%\n",
		    batches[b], med[b][0], med[b][1],
		    med[b][0] > 0 ? 100.0 * (1 - med[b][1] / med[b][0]) : 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "raft-transport: cannot remove %s\n", root);
	return 0;
}
