/*
 * verify-bench.c - how long `ledgerd --verify` takes over a large ledger,
 * and how fast proofs come out of one, beside this machine's SHA-256 rate.
 *
 * usage: verify-bench DIR [--entries N] [--ledgerd PATH] [--runs K]
 *            [--proofs P] [--regions TSV] [--pki DIR] [--port PORT]
 *            [--txn T] [--sha-seconds S] [--reuse]
 *
 * 1. Builds an N-entry ledger in DIR/ledger with apply_write(), the very
 *    function by which the daemon's writer decides and appends a request
 *    (validation, roles, idempotency, rules, store_append), T requests per
 *    write transaction.  The mix is what a grant year looks like: regions,
 *    appropriations, awards and one changed award, then disbursements,
 *    refunds and reversals of both with idempotency keys, a year close,
 *    and the next fiscal year the same way.  Every request must be
 *    accepted: a refusal is a bug here and stops the program.
 * 2. Writes DIR/ledgerd.conf (a PKI from --pki, else a throw-away one made
 *    with the openssl CLI) and times `ledgerd -c DIR/ledgerd.conf --verify`
 *    as a child process K times: wall clock and the child's CPU time.
 * 3. Puts the result next to SHA-256: `openssl speed` for 64- and 256-byte
 *    messages (a node hash hashes 65 bytes, a leaf hash ~200) and the
 *    same hashes done here over the ledger's own entries, which bound
 *    what any verifier hashing leaf + tree node + stream node per entry
 *    could reach.
 * 4. Times proofs at size N in-process over a read-only store: P
 *    inclusion and P consistency proofs from store_tree_get() at random
 *    indices, each verified (untimed) against the stored root; then what
 *    the daemon does to answer one PROVE: a read transaction, the leaf,
 *    the path, the root, the link and the Ed25519-signed checkpoint.
 *
 * Speed is only reported; correctness is asserted: the exit status is 0
 * only when every request was accepted, every verify run said "ledger
 * intact" with N entries, and every proof verified.  The last line,
 * "RESULT ...", is for scripts (bench/verify-run, the smoke test).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "checkpoint.h"
#include "config.h"
#include "errors.h"
#include "merkle.h"
#include "rules.h"
#include "store.h"
#include "workload.h"
#include "apply.h"

/* The map: ~560 bytes an entry (docs/BENCHMARKS.md, scale), with room. */
#define VB_MAP_MB(n)	((unsigned)(2048 + (n) / 1000))
#define VB_FY0		2024
#define VB_NFY		2
#define VB_RING		64	/* recent payments a reversal may pick */
#define VB_NCLERKS	16
#define VB_ORIGIN	"ledgerd.verify-bench"
#define VB_MARGIN	INT64_C(1000000000)	/* appropriation over the awards */

struct opts {
	const char	*dir;
	const char	*ledgerd;
	const char	*regions;
	const char	*pki;
	uint64_t	 entries;
	unsigned	 runs;
	unsigned	 proofs;
	unsigned	 txn;
	unsigned	 sha_secs;
	unsigned	 port;
	int		 reuse;
};

/* ---- small helpers ---- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* splitmix64: a fixed seed, so two runs build the same ledger. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "1,234,567": figures a reader takes in at a glance. */
static const char *
grouped(uint64_t v, char *buf, size_t len)
{
	char tmp[32];
	size_t n, i, o = 0;

	n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Run argv with stdout to out (NULL: /dev/null) and stderr to err (NULL:
 * /dev/null).  Returns the exit status (-1 when it could not run or was
 * killed); *ru gets the child's resource use when non-NULL.
 */
static int
spawn(char *const argv[], const char *out, const char *err, struct rusage *ru)
{
	struct rusage r;
	pid_t pid;
	int st, fd;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((fd = open(out ? out : "/dev/null",
		    O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
		    dup2(fd, 1) == -1)
			_exit(127);
		close(fd);
		if ((fd = open(err ? err : "/dev/null",
		    O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
		    dup2(fd, 2) == -1)
			_exit(127);
		close(fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &st, 0, &r) == -1)
		if (errno != EINTR)
			return -1;
	if (ru != NULL)
		*ru = r;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* dir/name into buf; -1 when it does not fit. */
static int
mkpath(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* ---- the ledger's mix ---- */

struct payment {
	uint64_t	seq;
	uint32_t	region;
	uint8_t		kind;
	int64_t		amount;
};

struct gen {
	struct store_txn	*t;
	struct wl_regions	 rs;
	int64_t			*net;	/* per region, this FY: disbursed - refunded */
	struct payment		 ring[VB_RING];	/* recent unreversed payments */
	unsigned		 nring;
	uint64_t		 rng;
	uint64_t		 seq;	/* entries so far */
	uint64_t		 kinds[LD_K_MAX + 1];
	uint64_t		 req;	/* requests, for ids and refs */
};

static const char *const memos[] = {
	"bench: equipment, staff and travel of the regional innovation "
	    "programme, invoice on file",
	"第3四半期 研究開発費（人件費・設備費）の支払い、請求書番号は備考欄のとおり",
	"quarterly instalment: prototype materials and test-bench rental",
	"専門家招へい旅費および会議開催費、精算書添付済み",
};

static int
apply(struct gen *g, int role, const char *actor, struct ld_entry *e)
{
	const uint8_t *enc;
	size_t len;
	int dup, rc;

	rc = apply_write(g->t, role, actor, wall_us(), e, &dup, &enc, &len, NULL);
	if (rc != LD_OK || dup) {
		fprintf(stderr, "verify-bench: request %" PRIu64 " (%s) refused: "
		    "%s\n", g->req, ld_kind_name(e->kind),
		    dup ? "duplicate" : ld_err_name(rc));
		return -1;
	}
	g->seq = e->seq;
	g->kinds[e->kind]++;
	g->req++;
	return 0;
}

/* Synthetic regions when no regions.tsv is given: ASCII, all grant types. */
static int
regions_synthetic(struct wl_regions *rs)
{
	static const uint8_t grants[] = { LD_G_GENERAL, LD_G_GENERAL,
	    LD_G_RECONSTRUCTION, LD_G_CONTINUING };
	size_t i;

	rs->n = 16;
	if ((rs->r = calloc(rs->n, sizeof(*rs->r))) == NULL)
		return -1;
	for (i = 0; i < rs->n; i++) {
		snprintf(rs->r[i].code, sizeof(rs->r[i].code), "vb-region-%02zu", i);
		snprintf(rs->r[i].name, sizeof(rs->r[i].name),
		    "Verify bench region %zu", i);
		rs->r[i].grant_type = grants[i % 4];
	}
	return 0;
}

static int64_t
award_amount(int grant, int changed)
{
	switch (grant) {
	case LD_G_GENERAL:
		return changed ? INT64_C(160000000) : INT64_C(150000000);
	case LD_G_RECONSTRUCTION:
		return changed ? INT64_C(450000000) : INT64_C(400000000);
	default:
		return changed ? INT64_C(320000000) : INT64_C(300000000);
	}
}

/* The admin's part of a fiscal year: terms, appropriations, an award each. */
static int
gen_year_setup(struct gen *g, uint16_t fy)
{
	struct ld_entry e;
	int64_t total[LD_A_MAX + 1] = { 0 };
	size_t i;
	int a;

	for (i = 0; i < g->rs.n; i++)
		total[ld_grant_account(g->rs.r[i].grant_type)] +=
		    award_amount(g->rs.r[i].grant_type, 1);
	for (a = 1; a <= LD_G_MAX; a++) {
		memset(&e, 0, sizeof(e));
		e.kind = LD_K_TERMS;
		e.fy = fy;
		e.grant_type = (uint8_t)a;
		if (a != LD_G_CONTINUING) {
			e.min = award_amount(a, 0) / 2;
			e.max = award_amount(a, 1);
		}
		e.interest_bp = e.late_bp = 1095;
		snprintf(e.ref, sizeof(e.ref), "TERMS-%u-%d", fy, a);
		if (apply(g, ROLE_ADMIN, "admin01", &e) == -1)
			return -1;
	}
	for (a = 1; a <= LD_A_MAX; a++) {
		memset(&e, 0, sizeof(e));
		e.kind = LD_K_APPROPRIATION;
		e.account = (uint8_t)a;
		e.fy = fy;
		e.amount = total[a] + VB_MARGIN;
		snprintf(e.ref, sizeof(e.ref), "APPR-%u-%d", fy, a);
		if (apply(g, ROLE_ADMIN, "admin01", &e) == -1)
			return -1;
	}
	for (i = 0; i < g->rs.n; i++) {
		memset(&e, 0, sizeof(e));
		e.kind = LD_K_AWARD;
		snprintf(e.region, sizeof(e.region), "%s", g->rs.r[i].code);
		e.fy = fy;
		e.amount = award_amount(g->rs.r[i].grant_type, 0);
		e.date = (uint32_t)fy * 10000 + 401;
		snprintf(e.ref, sizeof(e.ref), "AWD-%u-%zu", fy, i);
		if (apply(g, ROLE_ADMIN, "admin01", &e) == -1)
			return -1;
		g->net[i] = 0;
	}
	g->nring = 0;
	return 0;
}

/* 変更交付決定: region 0's award raised mid-year. */
static int
gen_award_change(struct gen *g, uint16_t fy)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_AWARD;
	snprintf(e.region, sizeof(e.region), "%s", g->rs.r[0].code);
	e.fy = fy;
	e.amount = award_amount(g->rs.r[0].grant_type, 1);
	e.date = (uint32_t)fy * 10000 + 1001;
	snprintf(e.ref, sizeof(e.ref), "AWD-%u-0-change", fy);
	return apply(g, ROLE_ADMIN, "admin01", &e);
}

static int
gen_year_close(struct gen *g, uint16_t fy)
{
	struct ld_entry e;
	int a;

	for (a = 1; a <= LD_A_MAX; a++) {
		memset(&e, 0, sizeof(e));
		e.kind = LD_K_YEAR_CLOSE;
		e.account = (uint8_t)a;
		e.fy = fy;
		if (apply(g, ROLE_ADMIN, "admin01", &e) == -1)
			return -1;
	}
	return 0;
}

static void
ring_push(struct gen *g, const struct payment *p)
{
	if (g->nring == VB_RING) {
		memmove(&g->ring[0], &g->ring[1], (VB_RING - 1) * sizeof(g->ring[0]));
		g->nring--;
	}
	g->ring[g->nring++] = *p;
}

/*
 * One clerk request: mostly disbursements, some refunds (never more than
 * the region's net), some reversals of a recent payment (never one that
 * would leave the region's refunds above its payments).  The amounts are
 * far below the awards, so OVER_AWARD cannot happen.
 */
static int
gen_payment(struct gen *g, uint16_t fy)
{
	struct ld_entry e;
	struct payment p;
	char actor[16];
	uint64_t r = rnd(&g->rng);
	uint32_t ri = (uint32_t)(r % g->rs.n);
	unsigned pick = (unsigned)((r >> 20) % 100), k;

	memset(&e, 0, sizeof(e));
	snprintf(actor, sizeof(actor), "clerk%02u",
	    (unsigned)(g->req % VB_NCLERKS) + 1);
	snprintf(e.id, sizeof(e.id), "vb-%u-%s-%" PRIu64, fy, actor, g->req);

	if (pick < 3 && g->nring > 0) {
		k = (unsigned)((r >> 40) % g->nring);
		p = g->ring[k];
		if (p.kind == LD_K_REFUND || g->net[p.region] >= p.amount) {
			memmove(&g->ring[k], &g->ring[k + 1],
			    (g->nring - k - 1) * sizeof(g->ring[0]));
			g->nring--;
			e.kind = LD_K_REVERSAL;
			e.reverses = p.seq;
			snprintf(e.reason, sizeof(e.reason), "%s",
			    p.kind == LD_K_REFUND ? "refund entered twice" :
			    "paid to the wrong account; reissued");
			if (apply(g, ROLE_CLERK, actor, &e) == -1)
				return -1;
			g->net[p.region] += p.kind == LD_K_REFUND ? p.amount :
			    -p.amount;
			return 0;
		}
	}
	e.kind = pick < 10 && g->net[ri] > 0 ? LD_K_REFUND : LD_K_DISBURSEMENT;
	snprintf(e.region, sizeof(e.region), "%s", g->rs.r[ri].code);
	e.fy = fy;
	e.amount = 1 + (int64_t)((r >> 8) % 997);
	if (e.kind == LD_K_REFUND && e.amount > g->net[ri])
		e.amount = g->net[ri];
	snprintf(e.ref, sizeof(e.ref), "%s-%u-%" PRIu64,
	    e.kind == LD_K_REFUND ? "RF" : "PV", fy, g->req);
	e.date = (uint32_t)fy * 10000 + (uint32_t)(4 + (r >> 32) % 9) * 100 +
	    (uint32_t)(1 + (r >> 48) % 28);
	snprintf(e.memo, sizeof(e.memo), "%s",
	    memos[(r >> 56) % (sizeof(memos) / sizeof(memos[0]))]);
	if (apply(g, ROLE_CLERK, actor, &e) == -1)
		return -1;
	g->net[ri] += e.kind == LD_K_REFUND ? -e.amount : e.amount;
	p.seq = e.seq;
	p.region = ri;
	p.kind = e.kind;
	p.amount = e.amount;
	ring_push(g, &p);
	return 0;
}

/* Commit every o->txn requests, as a writer's group commits would. */
static int
gen_step(struct gen *g, struct store *st, const struct opts *o)
{
	int rc;

	if (g->req % o->txn != 0)
		return 0;
	if ((rc = store_commit(g->t)) != LD_OK) {
		g->t = NULL;
		fprintf(stderr, "verify-bench: commit: %s\n", ld_err_name(rc));
		return -1;
	}
	if ((rc = store_begin(st, 1, &g->t)) != LD_OK) {
		g->t = NULL;
		fprintf(stderr, "verify-bench: begin: %s\n", ld_err_name(rc));
		return -1;
	}
	return 0;
}

static int
build_ledger(const struct opts *o, const char *ledger, double *secs)
{
	struct gen g;
	struct store *st = NULL;
	struct ld_entry e;
	char err[512], b1[32], b2[32];
	uint64_t setup, pay, t0, i, per_fy;
	uint16_t fy;
	size_t ri;
	int rc = -1;

	memset(&g, 0, sizeof(g));
	g.rng = UINT64_C(20240401);
	if (o->regions != NULL) {
		if (wl_regions_load(&g.rs, o->regions, err, sizeof(err)) == -1) {
			fprintf(stderr, "verify-bench: %s\n", err);
			return -1;
		}
	} else if (regions_synthetic(&g.rs) == -1) {
		fprintf(stderr, "verify-bench: out of memory\n");
		return -1;
	}
	/* regions, then per FY 3 terms, 2 appropriations, the awards, one
	   change; closes */
	setup = g.rs.n + VB_NFY * (LD_G_MAX + LD_A_MAX + g.rs.n + 1) + LD_A_MAX;
	if (o->entries < setup + VB_NFY) {
		fprintf(stderr, "verify-bench: --entries must be at least %" PRIu64
		    " with %zu regions\n", setup + VB_NFY, g.rs.n);
		goto out;
	}
	pay = o->entries - setup;
	if ((g.net = calloc(g.rs.n, sizeof(*g.net))) == NULL) {
		fprintf(stderr, "verify-bench: out of memory\n");
		goto out;
	}
	if (store_open(&st, ledger, VB_MAP_MB(o->entries), 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "verify-bench: %s\n", err);
		goto out;
	}
	t0 = now_ns();
	if (store_begin(st, 1, &g.t) != LD_OK) {
		fprintf(stderr, "verify-bench: cannot begin a write transaction\n");
		goto out;
	}
	for (ri = 0; ri < g.rs.n; ri++) {
		memset(&e, 0, sizeof(e));
		e.kind = LD_K_REGION;
		snprintf(e.region, sizeof(e.region), "%s", g.rs.r[ri].code);
		snprintf(e.name, sizeof(e.name), "%s", g.rs.r[ri].name);
		snprintf(e.category, sizeof(e.category), "%s",
		    g.rs.r[ri].category);
		e.grant_type = g.rs.r[ri].grant_type;
		if (apply(&g, ROLE_ADMIN, "admin01", &e) == -1 ||
		    gen_step(&g, st, o) == -1)
			goto out;
	}
	for (fy = VB_FY0; fy < VB_FY0 + VB_NFY; fy++) {
		per_fy = fy == VB_FY0 + VB_NFY - 1 ? pay - pay / VB_NFY *
		    (VB_NFY - 1) : pay / VB_NFY;
		if (gen_year_setup(&g, fy) == -1)
			goto out;
		for (i = 0; i < per_fy; i++) {
			if (i == per_fy / 4 && gen_award_change(&g, fy) == -1)
				goto out;
			if (gen_payment(&g, fy) == -1 || gen_step(&g, st, o) == -1)
				goto out;
		}
		if (fy == VB_FY0 && gen_year_close(&g, fy) == -1)
			goto out;
	}
	if ((rc = store_commit(g.t)) != LD_OK) {
		g.t = NULL;
		fprintf(stderr, "verify-bench: commit: %s\n", ld_err_name(rc));
		rc = -1;
		goto out;
	}
	g.t = NULL;
	*secs = (double)(now_ns() - t0) / 1e9;
	if (g.seq != o->entries) {
		fprintf(stderr, "verify-bench: built %" PRIu64 " entries, not %"
		    PRIu64 "\n", g.seq, o->entries);
		rc = -1;
		goto out;
	}
	printf("build: %s entries in %.2f s (%s entries/s), %u requests per "
	    "write transaction, through apply_write()\n",
	    grouped(g.seq, b1, sizeof(b1)), *secs,
	    grouped((uint64_t)((double)g.seq / *secs), b2, sizeof(b2)), o->txn);
	printf("  mix: %" PRIu64 " regions, %" PRIu64 " appropriations, %"
	    PRIu64 " awards, %" PRIu64 " disbursements, %" PRIu64 " refunds, %"
	    PRIu64 " reversals, %" PRIu64 " year closes; FY%u-FY%u\n",
	    g.kinds[LD_K_REGION], g.kinds[LD_K_APPROPRIATION],
	    g.kinds[LD_K_AWARD], g.kinds[LD_K_DISBURSEMENT],
	    g.kinds[LD_K_REFUND], g.kinds[LD_K_REVERSAL],
	    g.kinds[LD_K_YEAR_CLOSE], VB_FY0, VB_FY0 + VB_NFY - 1);
	rc = 0;
out:
	if (g.t != NULL)
		store_abort(g.t);
	store_close(st);
	free(g.net);
	wl_regions_free(&g.rs);
	return rc;
}

/* ---- configuration and PKI ---- */

static int
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/*
 * A throw-away PKI: one self-signed P-256 certificate serves as server
 * certificate and client CA (`--verify` only needs the files to exist),
 * and a real Ed25519 checkpoint key, which the PROVE timing signs with.
 */
static int
make_pki(const char *dir)
{
	char key[1024], crt[1024], ck[1024];
	int n1, n2, n3;

	n1 = snprintf(key, sizeof(key), "%s/server.key", dir);
	n2 = snprintf(crt, sizeof(crt), "%s/server.crt", dir);
	n3 = snprintf(ck, sizeof(ck), "%s/checkpoint.key", dir);
	if (n1 < 0 || (size_t)n1 >= sizeof(key) || n2 < 0 ||
	    (size_t)n2 >= sizeof(crt) || n3 < 0 || (size_t)n3 >= sizeof(ck))
		return -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if (!file_exists(crt)) {
		char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
		    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
		    key, "-out", crt, "-subj", "/CN=localhost", "-days", "30",
		    NULL };
		if (spawn(argv, NULL, NULL, NULL) != 0)
			return -1;
	}
	if (!file_exists(ck)) {
		char *argv[] = { "openssl", "genpkey", "-algorithm", "ed25519",
		    "-out", ck, NULL };
		if (spawn(argv, NULL, NULL, NULL) != 0)
			return -1;
	}
	return 0;
}

static int
write_config(const struct opts *o, const char *conf, const char *pki,
    char *ckey, size_t ckeylen)
{
	const char *ca = o->pki != NULL ? "ca.crt" : "server.crt";
	FILE *f;
	int n;

	n = snprintf(ckey, ckeylen, "%s/checkpoint.key", pki);
	if (n < 0 || (size_t)n >= ckeylen)
		return -1;
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	fprintf(f, "# Written by verify-bench: the ledger it built, for "
	    "`ledgerd --verify`.\n"
	    "[server]\nlisten = 127.0.0.1:%u\n\n"
	    "[tls]\ncert = %s/server.crt\nkey = %s/server.key\n"
	    "client_ca = %s/%s\n\n"
	    "[ledger]\npath = %s/ledger\nmap_size_mb = %u\n"
	    "checkpoint_key = %s\ncheckpoint_origin = %s\n\n"
	    "[roles]\nadmin01 = admin\nclerk01 = clerk\nauditor01 = auditor\n",
	    o->port, pki, pki, pki, ca, o->dir, VB_MAP_MB(o->entries), ckey, VB_ORIGIN);
	return fclose(f) == 0 ? 0 : -1;
}

/* ---- ledgerd --verify ---- */

static int
time_verify(const struct opts *o, const char *conf, double *best,
    double *median)
{
	double *wall;
	char out[1024], errf[1024], line[256], want[64], b1[32];
	char *argv[] = { (char *)o->ledgerd, "-c", (char *)conf, "--verify", NULL };
	struct rusage ru;
	unsigned i;
	uint64_t t0;
	FILE *f;
	int st, rc = -1;

	if ((wall = calloc(o->runs, sizeof(*wall))) == NULL)
		return -1;
	if (mkpath(out, sizeof(out), o->dir, "verify.out") == -1 ||
	    mkpath(errf, sizeof(errf), o->dir, "verify.err") == -1)
		goto out;
	snprintf(want, sizeof(want), "ledger intact: %" PRIu64 " entries;",
	    o->entries);
	printf("verify: %s -c %s --verify, %u runs (page cache warm)\n",
	    o->ledgerd, conf, o->runs);
	for (i = 0; i < o->runs; i++) {
		t0 = now_ns();
		st = spawn(argv, out, errf, &ru);
		wall[i] = (double)(now_ns() - t0) / 1e9;
		line[0] = '\0';
		if ((f = fopen(out, "r")) != NULL) {
			if (fgets(line, sizeof(line), f) == NULL)
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		if (st != 0 || strncmp(line, want, strlen(want)) != 0) {
			fprintf(stderr, "verify-bench: run %u: exit %d, stdout "
			    "\"%s\" (stderr in %s)\n", i + 1, st, line, errf);
			goto out;
		}
		printf("  run %u: %.3f s wall, %.3f s user, %.3f s sys, max RSS "
		    "%ld MiB: %s entries/s\n", i + 1, wall[i], tv_s(ru.ru_utime),
		    tv_s(ru.ru_stime), ru.ru_maxrss / 1024,
		    grouped((uint64_t)((double)o->entries / wall[i]), b1,
		    sizeof(b1)));
	}
	printf("  ledgerd says: %s\n", line);
	qsort(wall, o->runs, sizeof(*wall), cmp_double);
	*best = wall[0];
	*median = o->runs % 2 ? wall[o->runs / 2] :
	    (wall[o->runs / 2 - 1] + wall[o->runs / 2]) / 2;
	rc = 0;
out:
	free(wall);
	return rc;
}

/* ---- SHA-256 ---- */

/* `openssl speed -mr -bytes B sha256`: hashes of B bytes per CPU second. */
static double
openssl_rate(const struct opts *o, unsigned bytes)
{
	char secs[16], nb[16], out[1024], line[256];
	char *argv[] = { "openssl", "speed", "-mr", "-seconds", secs, "-bytes",
	    nb, "sha256", NULL };
	double rate = -1;
	FILE *f;

	snprintf(secs, sizeof(secs), "%u", o->sha_secs);
	snprintf(nb, sizeof(nb), "%u", bytes);
	snprintf(line, sizeof(line), "openssl-speed-%u.out", bytes);
	if (mkpath(out, sizeof(out), o->dir, line) == -1)
		return -1;
	if (spawn(argv, out, NULL, NULL) != 0 || (f = fopen(out, "r")) == NULL)
		return -1;
	/* "+F:<alg id>:sha256:<bytes per second>" */
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, ":sha256:");

		if (strncmp(line, "+F:", 3) == 0 && p != NULL)
			rate = strtod(p + 8, NULL) / bytes;
	}
	fclose(f);
	return rate;
}

/*
 * The hashes a verifier cannot avoid, done here on one core: a leaf hash
 * of each of the first (up to 100,000) entries, copied out of LMDB first
 * so that only hashing is timed, and as many node hashes.  Fills the time
 * per leaf and per node hash and the entries' mean size.
 */
#define HASH_SAMPLE	100000

static int
hash_cost(struct store *st, uint64_t n, double *leaf_ns, double *node_ns,
    double *enc_bytes)
{
	struct store_txn *t = NULL;
	const uint8_t *enc;
	uint8_t h[32], l[32] = { 0 }, r[32] = { 1 }, *buf = NULL;
	size_t *off = NULL, len, used = 0, i;
	uint64_t t0, nodes = 200000;
	int rc = -1;

	if (n > HASH_SAMPLE)
		n = HASH_SAMPLE;
	if ((buf = malloc(n * LD_ENTRY_ENC_MAX)) == NULL ||
	    (off = calloc(n + 1, sizeof(*off))) == NULL ||
	    store_begin(st, 0, &t) != LD_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (store_get_raw(t, i + 1, &enc, &len) != LD_OK ||
		    len > LD_ENTRY_ENC_MAX)
			goto out;
		memcpy(buf + used, enc, len);
		off[i] = used;
		used += len;
	}
	off[n] = used;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		merkle_leaf_hash(buf + off[i], off[i + 1] - off[i], h);
		l[i & 31] ^= h[0];
	}
	*leaf_ns = (double)(now_ns() - t0) / (double)n;
	*enc_bytes = (double)used / (double)n;
	t0 = now_ns();
	for (i = 0; i < nodes; i++) {
		merkle_node_hash(l, r, h);
		memcpy(l, h, 32);
	}
	*node_ns = (double)(now_ns() - t0) / (double)nodes;
	rc = 0;
out:
	if (t != NULL)
		store_abort(t);
	free(buf);
	free(off);
	return rc;
}

/* ---- proofs ---- */

struct lat {
	uint64_t	*ns;
	unsigned	 n;
};

static void
lat_print(const char *what, struct lat *l)
{
	uint64_t sum = 0;
	unsigned i, p99;

	qsort(l->ns, l->n, sizeof(*l->ns), cmp_u64);
	for (i = 0; i < l->n; i++)
		sum += l->ns[i];
	p99 = l->n * 99 / 100;
	if (p99 >= l->n)
		p99 = l->n - 1;
	printf("  %-30s mean %7.2f us  p50 %7.2f  p99 %7.2f  max %8.2f  (%u)\n",
	    what, (double)sum / l->n / 1e3, (double)l->ns[l->n / 2] / 1e3,
	    (double)l->ns[p99] / 1e3, (double)l->ns[l->n - 1] / 1e3, l->n);
}

static double
lat_mean_us(const struct lat *l)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < l->n; i++)
		sum += l->ns[i];
	return (double)sum / l->n / 1e3;
}

static double
lat_p99_us(const struct lat *l)	/* l sorted by lat_print() */
{
	unsigned p99 = l->n * 99 / 100;

	return (double)l->ns[p99 < l->n ? p99 : l->n - 1] / 1e3;
}

/*
 * What audit.c's build_proof() and sign_current() do for `prove SEQ`
 * against the current tree, in the daemon's order, in a read transaction
 * of its own: leaf, inclusion path, root, link (empty: b == n), signed
 * checkpoint.  The answer's encoding and TLS are not included.
 */
static int
prove_like_daemon(struct store *st, const struct ckpt_signer *sg,
    uint64_t seq, char *note, size_t notesz)
{
	uint8_t leaf[32], root[32], path[MERKLE_PATH_MAX][32];
	uint8_t link[MERKLE_PATH_MAX][32];
	struct store_txn *t;
	struct ckpt ck;
	size_t np, nl, notelen;
	uint64_t n;
	int rc = -1;

	if (store_begin(st, 0, &t) != LD_OK)
		return -1;
	n = store_size(t);
	if (store_get_leaf(t, seq, leaf) != LD_OK ||
	    merkle_inclusion_proof(seq - 1, n, store_tree_get, t, path, &np) != 0 ||
	    store_tree_root(t, n, root) != LD_OK ||
	    merkle_consistency_proof(n, n, store_tree_get, t, link, &nl) != 0)
		goto out;
	memset(&ck, 0, sizeof(ck));
	snprintf(ck.origin, sizeof(ck.origin), "%s", VB_ORIGIN);
	ck.size = n;
	if (store_tree_root(t, n, ck.root) != LD_OK ||
	    ckpt_sign(sg, &ck, note, notesz, &notelen) != CKPT_OK)
		goto out;
	rc = merkle_verify_inclusion(seq - 1, n, leaf,
	    (const uint8_t (*)[32])path, np, root);
out:
	store_abort(t);
	return rc;
}

static int
time_proofs(const struct opts *o, struct store *st, const char *ckey,
    double res[6])
{
	uint8_t root[32], old[32], leaf[32], path[MERKLE_PATH_MAX][32];
	struct ckpt_signer *sg = NULL;
	struct store_txn *t = NULL;
	struct lat inc = { NULL, 0 }, con = { NULL, 0 }, prv = { NULL, 0 };
	uint64_t rng = 42, n, idx, m, t0;
	unsigned i, nprove = o->proofs / 10 ? o->proofs / 10 : 1;
	char err[256], *note = NULL;
	size_t np;
	int rc = -1;

	if ((inc.ns = calloc(o->proofs, sizeof(uint64_t))) == NULL ||
	    (con.ns = calloc(o->proofs, sizeof(uint64_t))) == NULL ||
	    (prv.ns = calloc(nprove, sizeof(uint64_t))) == NULL ||
	    (note = malloc(CKPT_NOTE_MAX + 1)) == NULL)
		goto out;
	if (store_begin(st, 0, &t) != LD_OK)
		goto out;
	n = store_size(t);
	if (store_tree_root(t, n, root) != LD_OK)
		goto out;
	printf("proofs: tree of %" PRIu64 " entries, random leaves and old "
	    "sizes, each proof verified (untimed)\n", n);
	for (i = 0; i < o->proofs; i++) {
		idx = rnd(&rng) % n;
		t0 = now_ns();
		if (merkle_inclusion_proof(idx, n, store_tree_get, t, path,
		    &np) != 0)
			goto bad;
		inc.ns[inc.n++] = now_ns() - t0;
		if (store_get_leaf(t, idx + 1, leaf) != LD_OK ||
		    merkle_verify_inclusion(idx, n, leaf,
		    (const uint8_t (*)[32])path, np, root) != 0)
			goto bad;
	}
	for (i = 0; i < o->proofs; i++) {
		m = 1 + rnd(&rng) % n;
		t0 = now_ns();
		if (merkle_consistency_proof(m, n, store_tree_get, t, path,
		    &np) != 0)
			goto bad;
		con.ns[con.n++] = now_ns() - t0;
		if (store_tree_root(t, m, old) != LD_OK ||
		    merkle_verify_consistency(m, n, old, root,
		    (const uint8_t (*)[32])path, np) != 0)
			goto bad;
	}
	store_abort(t);
	t = NULL;
	if (ckpt_signer_load(&sg, ckey, VB_ORIGIN, err, sizeof(err)) != CKPT_OK) {
		fprintf(stderr, "verify-bench: %s\n", err);
		goto out;
	}
	for (i = 0; i < nprove; i++) {
		idx = 1 + rnd(&rng) % n;
		t0 = now_ns();
		if (prove_like_daemon(st, sg, idx, note, CKPT_NOTE_MAX + 1) != 0)
			goto bad;
		prv.ns[prv.n++] = now_ns() - t0;
	}
	lat_print("inclusion proof, path only", &inc);
	lat_print("consistency proof, path only", &con);
	lat_print("PROVE answer, daemon's work", &prv);
	printf("  (PROVE answer: its own read txn, leaf, path, root, link and "
	    "Ed25519-signed checkpoint, as audit.c builds it; no TLS)\n");
	res[0] = lat_mean_us(&inc);
	res[1] = lat_p99_us(&inc);
	res[2] = lat_mean_us(&con);
	res[3] = lat_p99_us(&con);
	res[4] = lat_mean_us(&prv);
	res[5] = lat_p99_us(&prv);
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "verify-bench: a proof failed to build or verify\n");
out:
	if (t != NULL)
		store_abort(t);
	ckpt_signer_free(sg);
	free(note);
	free(inc.ns);
	free(con.ns);
	free(prv.ns);
	return rc;
}

/* ---- main ---- */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: verify-bench DIR [--entries N] [--ledgerd PATH] [--runs K]\n"
	    "           [--proofs P] [--regions TSV] [--pki DIR] [--port PORT]\n"
	    "           [--txn T] [--sha-seconds S] [--reuse]\n"
	    "  DIR          scratch directory (ledger, config, outputs)\n"
	    "  --entries    ledger size, setup entries included (1000000)\n"
	    "  --ledgerd    the daemon to time (ledgerd beside this program)\n"
	    "  --runs       timed --verify runs (5)\n"
	    "  --proofs     inclusion and consistency proofs timed (10000)\n"
	    "  --regions    regions.tsv to register (16 synthetic regions)\n"
	    "  --pki        a scripts/mkpki.sh directory (made with openssl)\n"
	    "  --port       listen port written to the config (7443)\n"
	    "  --txn        requests per write transaction (10000)\n"
	    "  --sha-seconds  seconds per openssl speed size; 0 skips (3)\n"
	    "  --reuse      keep an existing ledger of exactly N entries\n");
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_args(int argc, char *argv[], struct opts *o, char *self, size_t selflen)
{
	uint64_t v;
	char *slash;
	int i;

	memset(o, 0, sizeof(*o));
	o->entries = 1000000;
	o->runs = 5;
	o->proofs = 10000;
	o->txn = 10000;
	o->sha_secs = 3;
	o->port = 7443;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--reuse") == 0) {
			o->reuse = 1;
			continue;
		}
		if (a[0] != '-') {
			if (o->dir != NULL)
				return -1;
			o->dir = a;
			continue;
		}
		if (val == NULL)
			return -1;
		i++;
		if (strcmp(a, "--ledgerd") == 0)
			o->ledgerd = val;
		else if (strcmp(a, "--regions") == 0)
			o->regions = val;
		else if (strcmp(a, "--pki") == 0)
			o->pki = val;
		else if (strcmp(a, "--entries") == 0 &&
		    parse_u64(val, 1, UINT64_C(100000000), &v) == 0)
			o->entries = v;
		else if (strcmp(a, "--runs") == 0 &&
		    parse_u64(val, 1, 1000, &v) == 0)
			o->runs = (unsigned)v;
		else if (strcmp(a, "--proofs") == 0 &&
		    parse_u64(val, 1, 10000000, &v) == 0)
			o->proofs = (unsigned)v;
		else if (strcmp(a, "--txn") == 0 &&
		    parse_u64(val, 1, 1000000, &v) == 0)
			o->txn = (unsigned)v;
		else if (strcmp(a, "--sha-seconds") == 0 &&
		    parse_u64(val, 0, 60, &v) == 0)
			o->sha_secs = (unsigned)v;
		else if (strcmp(a, "--port") == 0 &&
		    parse_u64(val, 1, 65535, &v) == 0)
			o->port = (unsigned)v;
		else
			return -1;
	}
	if (o->dir == NULL)
		return -1;
	if (o->ledgerd == NULL) {
		/* ledgerd is built into the same bin/ directory. */
		snprintf(self, selflen, "%s", argv[0]);
		if ((slash = strrchr(self, '/')) != NULL)
			snprintf(slash + 1, selflen - (size_t)(slash + 1 - self),
			    "ledgerd");
		else
			snprintf(self, selflen, "ledgerd");
		o->ledgerd = self;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct store *st = NULL;
	struct store_txn *t;
	char self[1024], ledger[1024], conf[1024], pkidir[1024], ckey[1100];
	char err[512], b1[32], b2[32];
	double build_s = 0, best = 0, median = 0, r64 = -1, r256 = -1;
	double leaf_ns = 0, node_ns = 0, enc_bytes = 0, pr[6] = { 0 };
	uint64_t have = 0;
	char abs[4096], pkiabs[4096];
	int rc = 1;

	if (parse_args(argc, argv, &o, self, sizeof(self)) == -1) {
		usage();
		return 2;
	}
	if (mkdir(o.dir, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "verify-bench: %s: %s\n", o.dir, strerror(errno));
		return 1;
	}
	if (realpath(o.dir, abs) == NULL) {
		fprintf(stderr, "verify-bench: %s: %s\n", o.dir, strerror(errno));
		return 1;
	}
	o.dir = abs;
	if (o.pki != NULL && realpath(o.pki, pkiabs) == NULL) {
		fprintf(stderr, "verify-bench: %s: %s\n", o.pki, strerror(errno));
		return 1;
	}
	if (o.pki != NULL)
		o.pki = pkiabs;
	if (mkpath(ledger, sizeof(ledger), o.dir, "ledger") == -1 ||
	    mkpath(conf, sizeof(conf), o.dir, "ledgerd.conf") == -1 ||
	    mkpath(pkidir, sizeof(pkidir), o.pki ? o.pki : o.dir,
	    o.pki ? "." : "pki") == -1) {
		fprintf(stderr, "verify-bench: %s: path too long\n", o.dir);
		return 1;
	}
	if (o.pki == NULL) {
		if (make_pki(pkidir) == -1) {
			fprintf(stderr, "verify-bench: cannot make a PKI in %s "
			    "with the openssl CLI\n", pkidir);
			return 1;
		}
	}
	if (write_config(&o, conf, pkidir, ckey, sizeof(ckey)) == -1) {
		fprintf(stderr, "verify-bench: cannot write %s\n", conf);
		return 1;
	}

	if (file_exists(ledger)) {
		if (store_open(&st, ledger, VB_MAP_MB(o.entries), 1, err, sizeof(err)) != 0) {
			fprintf(stderr, "verify-bench: %s\n", err);
			return 1;
		}
		if (store_begin(st, 0, &t) == LD_OK) {
			have = store_size(t);
			store_abort(t);
		}
		store_close(st);
		st = NULL;
	}
	if (have != 0 && (!o.reuse || have != o.entries)) {
		fprintf(stderr, "verify-bench: %s already holds %" PRIu64
		    " entries (--reuse keeps a ledger of exactly --entries)\n",
		    ledger, have);
		return 1;
	}
	if (have == 0) {
		if (build_ledger(&o, ledger, &build_s) == -1)
			return 1;
	} else
		printf("build: reusing %s (%s entries)\n", ledger,
		    grouped(have, b1, sizeof(b1)));

	if (time_verify(&o, conf, &best, &median) == -1)
		return 1;
	printf("  best %.3f s = %s entries/s; median %.3f s = %s entries/s\n",
	    best, grouped((uint64_t)((double)o.entries / best), b1, sizeof(b1)),
	    median, grouped((uint64_t)((double)o.entries / median), b2,
	    sizeof(b2)));

	if (store_open(&st, ledger, VB_MAP_MB(o.entries), 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "verify-bench: %s\n", err);
		return 1;
	}
	printf("sha-256:\n");
	if (o.sha_secs > 0) {
		r64 = openssl_rate(&o, 64);
		r256 = openssl_rate(&o, 256);
		if (r64 <= 0 || r256 <= 0) {
			fprintf(stderr, "verify-bench: openssl speed failed\n");
			goto out;
		}
		printf("  openssl speed sha256: %s hashes/s of 256 bytes (%.0f "
		    "MB/s), %s/s of 64 bytes (per CPU second)\n",
		    grouped((uint64_t)r256, b1, sizeof(b1)), r256 * 256 / 1e6,
		    grouped((uint64_t)r64, b2, sizeof(b2)));
	}
	if (hash_cost(st, o.entries, &leaf_ns, &node_ns, &enc_bytes) == -1) {
		fprintf(stderr, "verify-bench: cannot read the entries back\n");
		goto out;
	}
	printf("  here, on the ledger's entries (%.0f bytes on average): leaf "
	    "hash %.0f ns, node hash %.0f ns\n", enc_bytes, leaf_ns, node_ns);
	printf("  --verify hashes per entry: 1 leaf + ~1 tree node + ~1 stream "
	    "node = %.0f ns; hashing alone caps it at %s entries/s\n",
	    leaf_ns + 2 * node_ns, grouped((uint64_t)(1e9 / (leaf_ns +
	    2 * node_ns)), b1, sizeof(b1)));
	printf("  hashing is %.0f %% of the best --verify run\n",
	    100 * (leaf_ns + 2 * node_ns) * (double)o.entries / 1e9 / best);

	if (time_proofs(&o, st, ckey, pr) == -1)
		goto out;
	printf("RESULT entries=%" PRIu64 " build_s=%.2f verify_best_s=%.3f "
	    "verify_median_s=%.3f verify_rate=%.0f sha256_256B_per_s=%.0f "
	    "sha256_64B_per_s=%.0f hash_ceiling_rate=%.0f incl_mean_us=%.2f "
	    "incl_p99_us=%.2f cons_mean_us=%.2f cons_p99_us=%.2f "
	    "prove_mean_us=%.2f prove_p99_us=%.2f verify=intact proofs=ok\n",
	    o.entries, build_s, best, median, (double)o.entries / best, r256,
	    r64, 1e9 / (leaf_ns + 2 * node_ns), pr[0], pr[1], pr[2], pr[3],
	    pr[4], pr[5]);
	rc = 0;
out:
	store_close(st);
	return rc;
}
