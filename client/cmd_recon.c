/*
 * cmd_recon.c - the reconciler's and the bulk clerk's commands: report,
 * reconcile and import (CONTRACT.md, "ledgerctl" and "Reconciliation
 * formats").
 *
 * report and reconcile compute in the client from what they read, so any
 * role may run them.  Both read the entries of one fiscal year with LIST
 * (fy filter) into compact struct recon_entry copies; the arithmetic is in
 * the pure functions of recon.h, which tests/test_recon.c drives directly.
 *
 *   report     recomputes every balance of the year from the entries and
 *              prints it only if it agrees with the daemon's BALANCE answer
 *              taken at the same tree size.  A disagreement means the
 *              daemon's running totals and its entries differ: it prints
 *              "ledgerctl: INTERNAL: report totals disagree ..." and exits 1
 *              (the daemon's figures cannot be trusted: the same status as an
 *              INTERNAL answer).  Exit 4 stays reserved for signatures and
 *              proofs.
 *   reconcile  reads and checks the whole statement before connecting (a
 *              bad line is a usage error naming it), then compares; exit 5
 *              when anything differs.
 *   import     parses the whole file before connecting, then sends it as
 *              BATCH requests, several in flight (below).
 *
 * Output formats (docs/RECONCILIATION.md has them in full):
 *
 *   report --format json: one object per line with a "type": "region"
 *   rows (region, fy, grant_type, account, award, disbursed, refunded, net,
 *   remaining), then "account" rows (account, fy, appropriated, award,
 *   unawarded, disbursed, refunded, net, remaining, closed), then one
 *   "total" row (fy, the same sums over both accounts, regions, entries,
 *   size: the tree size the figures are taken at).  --format csv: the same
 *   rows under the header REPORT_CSV_HEADER, empty where a column does not
 *   apply.
 *
 *   reconcile --format json: one object per difference, "type" being the
 *   contract's name, then a "summary" object.
 *
 *   import: refused rows on stderr as "ledgerctl: line N: CODE: message"
 *   (and with --json as {"line","error","message"} on stdout), then the
 *   summary "written W, duplicates D, refused K (R rows)" or its JSON.
 *
 * Pipelining an import over one blocking socket must not deadlock: the
 * daemon stops reading a connection whose unsent output exceeds
 * 4 x max_frame_bytes (ledgerd/server.c), and ledgerctl, blocked in a
 * write, reads nothing.  So the answers of everything in flight are kept
 * below 3 x max_frame_bytes by a worst-case bound per row (an entry, or an
 * error message of MSG_TEXT_MAX bytes); then the daemon always reads on and
 * every write completes.  With the default 1 MiB frames that is about a
 * thousand rows per batch and three batches in flight: each group commit
 * of the daemon takes several batches while the next ones travel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "csvread.h"
#include "ctl.h"
#include "entry.h"
#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "output.h"
#include "recon.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE
#define R	(OPT_VALUE | OPT_REQUIRED)

#define REPORT_CSV_HEADER "type,account,region,fy,grant_type,appropriated," \
	"award,unawarded,disbursed,refunded,net,remaining,closed"

/* Attempts at reading BALANCE and the tree size without a write between. */
#define REPORT_TRIES	10

static const struct ctl_opt report_opts[] = {
	{ "fy", R }, { "format", V }, { NULL, 0 }
};
static const struct ctl_opt reconcile_opts[] = {
	{ "fy", R }, { "statement", R }, { "format", V }, { NULL, 0 }
};
static const struct ctl_opt import_opts[] = {
	{ "atomic", 0 }, { NULL, 0 }
};

static int	report_run(struct ctl *, const struct ctl_args *);
static int	reconcile_run(struct ctl *, const struct ctl_args *);
static int	import_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_recon_cmds[] = {
	{ "report", NULL, { NULL }, 0, 0, report_opts,
	    "report --fy FY [--format table|csv|json]", report_run, 0 },
	{ "reconcile", NULL, { NULL }, 0, 0, reconcile_opts,
	    "reconcile --fy FY --statement FILE.csv [--format table|json]",
	    reconcile_run, 0 },
	{ "import", NULL, { "FILE.csv" }, 1, 1, import_opts,
	    "import FILE.csv [--atomic]", import_run, 0 },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

/* ------------------------------------------------------------------ */
/* pure part: recon.h                                                  */

void
recon_entry_from(struct recon_entry *r, const struct ld_entry *e)
{
	memset(r, 0, sizeof(*r));
	r->seq = e->seq;
	r->reverses = e->reverses;
	r->amount = e->amount;
	r->date = e->date;
	r->fy = e->fy;
	r->kind = e->kind;
	r->account = e->account;
	r->target_kind = e->target_kind;
	memcpy(r->region, e->region, sizeof(r->region));
	memcpy(r->ref, e->ref, sizeof(r->ref));
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The sorted seqs that reversals of these entries name (*out owned). */
static int
reversed_set(const struct recon_entry *e, size_t n, uint64_t **out, size_t *nout)
{
	uint64_t	*v = NULL;
	size_t		 i, k = 0;

	for (i = 0; i < n; i++)
		if (e[i].kind == LD_K_REVERSAL)
			k++;
	if (k > 0 && (v = calloc(k, sizeof(*v))) == NULL)
		return -1;
	for (i = 0, k = 0; i < n; i++)
		if (e[i].kind == LD_K_REVERSAL)
			v[k++] = e[i].reverses;
	if (k > 1)
		qsort(v, k, sizeof(*v), u64_cmp);
	*out = v;
	*nout = k;
	return 0;
}

static int
is_reversed(const uint64_t *set, size_t n, uint64_t seq)
{
	return n > 0 && bsearch(&seq, set, n, sizeof(*set), u64_cmp) != NULL;
}

static int
rbal_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ld_region_bal *)a)->region,
	    ((const struct ld_region_bal *)b)->region);
}

static struct ld_region_bal *
rbal_find(struct ld_region_bal *v, size_t n, const char *region)
{
	struct ld_region_bal	 key;

	if (n == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	snprintf(key.region, sizeof(key.region), "%s", region);
	return bsearch(&key, v, n, sizeof(*v), rbal_cmp);
}

static int
add_checked(int64_t *sum, int64_t v)
{
	return __builtin_add_overflow(*sum, v, sum) ? -1 : 0;
}

void
report_free(struct report *r)
{
	free(r->region);
	r->region = NULL;
	r->nregion = 0;
}

int
report_compute(struct report *r, uint16_t fy, const struct recon_entry *e,
    size_t n, char *why, size_t whylen)
{
	struct ld_region_bal	*g, *nv;
	struct ld_acct_bal	*a;
	uint64_t		*rev = NULL;
	size_t			 nrev = 0, i, cap = 0, hit = 0;
	int			 rc = -1;

	memset(r, 0, sizeof(*r));
	r->fy = fy;
	r->nentries = n;
	for (i = 0; i < LD_A_MAX; i++) {
		r->acct[i].account = (uint8_t)(i + 1);
		r->acct[i].fy = fy;
	}
	snprintf(why, whylen, "out of memory");
	if (reversed_set(e, n, &rev, &nrev) == -1)
		goto fail;

	/*
	 * Pass 1: the regions that have an award, with their latest one, and
	 * those paid from money carried in from the year before (繰越) without
	 * an award of their own.
	 */
	for (i = 0; i < n; i++) {
		if (e[i].fy != fy) {
			snprintf(why, whylen, "entry %" PRIu64 " is of fiscal "
			    "year %u, not %u", e[i].seq, e[i].fy, fy);
			goto fail;
		}
		if (e[i].kind != LD_K_AWARD && e[i].kind != LD_K_DISBURSEMENT &&
		    e[i].kind != LD_K_REFUND)
			continue;
		if (e[i].account < 1 || e[i].account > LD_A_MAX) {
			snprintf(why, whylen, "%s %" PRIu64 " has no account",
			    ld_kind_name(e[i].kind), e[i].seq);
			goto fail;
		}
		for (g = r->region; g < r->region + r->nregion; g++)
			if (strcmp(g->region, e[i].region) == 0)
				break;
		if (g == r->region + r->nregion) {
			if (r->nregion == cap) {
				cap = cap > 0 ? cap * 2 : 16;
				nv = reallocarray(r->region, cap, sizeof(*nv));
				if (nv == NULL)
					goto fail;
				r->region = nv;
				g = r->region + r->nregion;
			}
			memset(g, 0, sizeof(*g));
			memcpy(g->region, e[i].region, sizeof(g->region));
			g->fy = fy;
			g->account = e[i].account;
			r->nregion++;
		}
		if (e[i].kind == LD_K_AWARD && e[i].seq > g->award_seq) {
			g->award_seq = e[i].seq;
			g->award = e[i].amount;
			g->account = e[i].account;
		}
	}
	if (r->nregion > 1)
		qsort(r->region, r->nregion, sizeof(*r->region), rbal_cmp);
	/*
	 * A cancellation after the current award makes it 0; the award keeps
	 * its seq, as the daemon's balance does.
	 */
	for (i = 0; i < n; i++) {
		if (e[i].kind != LD_K_AWARD_CANCEL)
			continue;
		if ((g = rbal_find(r->region, r->nregion, e[i].region)) == NULL) {
			snprintf(why, whylen, "award_cancel %" PRIu64 " of region "
			    "%s has no award in %u", e[i].seq, e[i].region, fy);
			goto fail;
		}
		if (e[i].seq > g->award_seq)
			g->award = 0;
	}

	/* Pass 2: payments and appropriations that stand. */
	snprintf(why, whylen, "a sum overflows");
	for (i = 0; i < n; i++) {
		if (e[i].kind == LD_K_REVERSAL || e[i].kind == LD_K_AWARD)
			continue;
		if (e[i].kind == LD_K_YEAR_CLOSE) {
			if (e[i].account >= 1 && e[i].account <= LD_A_MAX)
				r->acct[e[i].account - 1].closed = 1;
			continue;
		}
		if (is_reversed(rev, nrev, e[i].seq)) {
			hit++;
			continue;
		}
		if (e[i].kind == LD_K_APPROPRIATION) {
			if (e[i].account < 1 || e[i].account > LD_A_MAX) {
				snprintf(why, whylen, "appropriation %" PRIu64
				    " has no account", e[i].seq);
				goto fail;
			}
			if (add_checked(&r->acct[e[i].account - 1].appropriated,
			    e[i].amount) == -1)
				goto fail;
			continue;
		}
		if (e[i].kind != LD_K_DISBURSEMENT && e[i].kind != LD_K_REFUND)
			continue;
		if ((g = rbal_find(r->region, r->nregion, e[i].region)) == NULL) {
			snprintf(why, whylen, "%s %" PRIu64 " of region %s has no "
			    "award in %u", ld_kind_name(e[i].kind), e[i].seq,
			    e[i].region, fy);
			goto fail;
		}
		if (add_checked(e[i].kind == LD_K_DISBURSEMENT ? &g->disbursed :
		    &g->refunded, e[i].amount) == -1)
			goto fail;
	}
	if (hit != nrev) {
		snprintf(why, whylen, "%zu reversals of the year name %zu of its "
		    "entries", nrev, hit);
		goto fail;
	}
	for (g = r->region; g < r->region + r->nregion; g++) {
		a = &r->acct[g->account - 1];
		if (add_checked(&a->awarded, g->award) == -1 ||
		    add_checked(&a->disbursed, g->disbursed) == -1 ||
		    add_checked(&a->refunded, g->refunded) == -1)
			goto fail;
	}
	rc = 0;
	why[0] = '\0';
fail:
	free(rev);
	if (rc == -1)
		report_free(r);
	return rc;
}

#define CHECK_FIELD(what, name, field, mine, theirs) do {			\
	if ((mine)->field != (theirs)->field) {				\
		snprintf(why, whylen, "%s %s %s: the entries give %" PRId64	\
		    ", the balance %" PRId64, what, name, #field,		\
		    (int64_t)(mine)->field, (int64_t)(theirs)->field);	\
		return -1;						\
	}								\
} while (0)

int
report_check(struct report *r, const struct ld_acct_bal *a, size_t na,
    const struct ld_region_bal *g, size_t ng, char *why, size_t whylen)
{
	struct ld_acct_bal	 sum[LD_A_MAX];
	struct ld_region_bal	*mine;
	const char		*an;
	size_t			 i;
	int			 seen[LD_A_MAX] = { 0 };

	memset(sum, 0, sizeof(sum));
	for (i = 0; i < na; i++) {
		if (a[i].account < 1 || a[i].account > LD_A_MAX ||
		    a[i].fy != r->fy || seen[a[i].account - 1]) {
			snprintf(why, whylen, "unexpected account balance");
			return -1;
		}
		seen[a[i].account - 1] = 1;
		an = ld_account_name(a[i].account);
		CHECK_FIELD("account", an, appropriated, &r->acct[a[i].account - 1], &a[i]);
		CHECK_FIELD("account", an, awarded, &r->acct[a[i].account - 1], &a[i]);
		CHECK_FIELD("account", an, disbursed, &r->acct[a[i].account - 1], &a[i]);
		CHECK_FIELD("account", an, refunded, &r->acct[a[i].account - 1], &a[i]);
		CHECK_FIELD("account", an, closed, &r->acct[a[i].account - 1], &a[i]);
	}
	for (i = 0; i < LD_A_MAX; i++)
		if (!seen[i]) {
			snprintf(why, whylen, "no balance for account %s",
			    ld_account_name((int)i + 1));
			return -1;
		}
	for (i = 0; i < ng; i++) {
		if (g[i].fy != r->fy || g[i].account < 1 ||
		    g[i].account > LD_A_MAX) {
			snprintf(why, whylen, "unexpected region balance");
			return -1;
		}
		if ((mine = rbal_find(r->region, r->nregion, g[i].region)) == NULL) {
			snprintf(why, whylen, "region %s has a balance but no "
			    "award or payment among the entries", g[i].region);
			return -1;
		}
		CHECK_FIELD("region", g[i].region, account, mine, &g[i]);
		CHECK_FIELD("region", g[i].region, award_seq, mine, &g[i]);
		CHECK_FIELD("region", g[i].region, award, mine, &g[i]);
		CHECK_FIELD("region", g[i].region, disbursed, mine, &g[i]);
		CHECK_FIELD("region", g[i].region, refunded, mine, &g[i]);
		mine->grant_type = g[i].grant_type;
		/* Cannot overflow: each equals a sum report_compute checked. */
		sum[g[i].account - 1].awarded += g[i].award;
		sum[g[i].account - 1].disbursed += g[i].disbursed;
		sum[g[i].account - 1].refunded += g[i].refunded;
	}
	if (ng != r->nregion) {
		snprintf(why, whylen, "the entries give %zu regions with an "
		    "award or a payment, the balance %zu", r->nregion, ng);
		return -1;
	}
	for (i = 0; i < na; i++) {
		an = ld_account_name(a[i].account);
		CHECK_FIELD("sum of regions of account", an, awarded,
		    &sum[a[i].account - 1], &a[i]);
		CHECK_FIELD("sum of regions of account", an, disbursed,
		    &sum[a[i].account - 1], &a[i]);
		CHECK_FIELD("sum of regions of account", an, refunded,
		    &sum[a[i].account - 1], &a[i]);
	}
	why[0] = '\0';
	return 0;
}

int
recon_ledger_items(const struct recon_entry *e, size_t n,
    struct recon_item **out, size_t *nout)
{
	struct recon_item	*v = NULL;
	uint64_t		*rev = NULL;
	size_t			 nrev, i, k = 0;

	*out = NULL;
	*nout = 0;
	if (reversed_set(e, n, &rev, &nrev) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (e[i].kind == LD_K_DISBURSEMENT || e[i].kind == LD_K_REFUND)
			k++;
	if (k > 0 && (v = calloc(k, sizeof(*v))) == NULL) {
		free(rev);
		return -1;
	}
	for (i = 0, k = 0; i < n; i++) {
		if ((e[i].kind != LD_K_DISBURSEMENT && e[i].kind != LD_K_REFUND) ||
		    is_reversed(rev, nrev, e[i].seq))
			continue;
		memcpy(v[k].ref, e[i].ref, sizeof(v[k].ref));
		v[k].date = e[i].date;
		v[k].amount = e[i].kind == LD_K_REFUND ? -e[i].amount : e[i].amount;
		v[k].where = e[i].seq;
		k++;
	}
	free(rev);
	if (k == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*nout = k;
	return 0;
}

const char *
recon_diff_name(int type)
{
	static const char *const names[RECON_NTYPES] = {
		"missing_in_statement", "missing_in_ledger", "amount_mismatch",
		"date_mismatch"
	};

	return type >= 0 && type < RECON_NTYPES ? names[type] : "?";
}

static int
item_cmp(const void *a, const void *b)
{
	const struct recon_item	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->ref, y->ref)) != 0)
		return c;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->where < y->where ? -1 : x->where > y->where;
}

/* The end of the group of items with the same ref as v[i]. */
static size_t
group_end(const struct recon_item *v, size_t n, size_t i)
{
	size_t	 j = i + 1;

	while (j < n && strcmp(v[j].ref, v[i].ref) == 0)
		j++;
	return j;
}

static int
group_sum(const struct recon_item *v, size_t i, size_t j, int64_t *sum)
{
	*sum = 0;
	for (; i < j; i++)
		if (add_checked(sum, v[i].amount) == -1)
			return -1;
	return 0;
}

static struct recon_diff *
diff_add(struct recon_result *res, size_t *cap, int type, const char *ref)
{
	struct recon_diff	*nv, *d;

	if (res->ndiff == *cap) {
		*cap = *cap > 0 ? *cap * 2 : 16;
		if ((nv = reallocarray(res->diff, *cap, sizeof(*nv))) == NULL)
			return NULL;
		res->diff = nv;
	}
	d = &res->diff[res->ndiff++];
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->ref = ref;
	res->count[type]++;
	return d;
}

void
recon_result_free(struct recon_result *res)
{
	free(res->diff);
	memset(res, 0, sizeof(*res));
}

int
recon_match(struct recon_item *l, size_t nl, struct recon_item *s, size_t ns,
    struct recon_result *res)
{
	struct recon_diff	*d;
	size_t			 li = 0, si = 0, lj, sj, k, m, cap = 0, first;
	int64_t			 lsum, ssum;
	int			 c, clean;

	memset(res, 0, sizeof(*res));
	if (nl > 1)
		qsort(l, nl, sizeof(*l), item_cmp);
	if (ns > 1)
		qsort(s, ns, sizeof(*s), item_cmp);
	while (li < nl || si < ns) {
		if (li == nl)
			c = 1;
		else if (si == ns)
			c = -1;
		else
			c = strcmp(l[li].ref, s[si].ref);
		lsum = ssum = 0;
		lj = c <= 0 ? group_end(l, nl, li) : li;
		sj = c >= 0 ? group_end(s, ns, si) : si;
		if ((lj > li && group_sum(l, li, lj, &lsum) == -1) ||
		    (sj > si && group_sum(s, si, sj, &ssum) == -1))
			goto fail;
		if (lj > li)
			res->ledger_refs++;
		if (sj > si)
			res->statement_refs++;
		clean = 1;
		first = res->ndiff;
		if (c != 0) {
			d = diff_add(res, &cap, c < 0 ? RECON_MISSING_IN_STATEMENT :
			    RECON_MISSING_IN_LEDGER, c < 0 ? l[li].ref : s[si].ref);
			if (d == NULL)
				goto fail;
			if (c < 0)
				d->ledger_amount = lsum;
			else
				d->statement_amount = ssum;
			clean = 0;
		} else if (lsum != ssum) {
			if ((d = diff_add(res, &cap, RECON_AMOUNT_MISMATCH,
			    l[li].ref)) == NULL)
				goto fail;
			d->ledger_amount = lsum;
			d->statement_amount = ssum;
			clean = 0;
		}
		if (c == 0) {
			/* Both groups are sorted by date: one merge pass. */
			for (k = si, m = li; k < sj; k++) {
				while (m < lj && l[m].date < s[k].date)
					m++;
				if (m < lj && l[m].date == s[k].date)
					continue;
				if ((d = diff_add(res, &cap, RECON_DATE_MISMATCH,
				    s[k].ref)) == NULL)
					goto fail;
				d->ledger_amount = lsum;
				d->statement_amount = ssum;
				d->sitem = k;
				clean = 0;
			}
		}
		/* Every difference of this ref gets the two groups' bounds. */
		for (k = first; k < res->ndiff; k++) {
			res->diff[k].lfirst = li;
			res->diff[k].lcount = lj - li;
			res->diff[k].sfirst = si;
			res->diff[k].scount = sj - si;
		}
		if (clean)
			res->matched++;
		li = lj;
		si = sj;
	}
	return 0;
fail:
	recon_result_free(res);
	return -1;
}

int
recon_parse_signed(const char *s, int64_t *out)
{
	int64_t		 v = 0;
	size_t		 digits = 0, group = 0;
	int		 neg = 0, grouped = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s != '\0'; s++) {
		if (*s == ',') {
			/* 1,000,000: one to three digits first, then threes. */
			if (digits == 0 || (grouped && group != 3) ||
			    (!grouped && digits > 3))
				return -1;
			grouped = 1;
			group = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (LD_AMOUNT_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		digits++;
		group++;
	}
	if (digits == 0 || (grouped && group != 3) || v == 0)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

int
statement_parse_row(char *const *field, size_t nfield, unsigned long line,
    struct recon_item *it, char *err, size_t errlen)
{
	char	 why[160] = "";

	memset(it, 0, sizeof(*it));
	if (nfield != STATEMENT_NFIELDS) {
		snprintf(err, errlen, "expected %d fields (%s), found %zu",
		    STATEMENT_NFIELDS, STATEMENT_HEADER, nfield);
		return -1;
	}
	if (parse_date(field[0], &it->date, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "date: %s", why[0] != '\0' ? why :
		    "not a date (YYYY-MM-DD)");
		return -1;
	}
	if (!ld_valid_ref(field[1])) {
		snprintf(err, errlen, "ref: must be 1-64 printable ASCII "
		    "characters");
		return -1;
	}
	memcpy(it->ref, field[1], strlen(field[1]) + 1);
	if (recon_parse_signed(field[2], &it->amount) == -1) {
		snprintf(err, errlen, "amount: '%.40s' is not a non-zero whole "
		    "number of yen (an optional '-', digits, optional ',' "
		    "grouping; at most 10,000,000,000,000)", field[2]);
		return -1;
	}
	it->where = line;
	return 0;
}

int
import_parse_row(char *const *field, size_t nfield, struct ld_entry *req,
    char *err, size_t errlen)
{
	char	 why[160] = "";

	memset(req, 0, sizeof(*req));
	if (nfield != IMPORT_NFIELDS) {
		snprintf(err, errlen, "expected %d fields (%s), found %zu",
		    IMPORT_NFIELDS, IMPORT_HEADER, nfield);
		return -1;
	}
	req->kind = (uint8_t)ld_kind_from_name(field[0]);
	if (req->kind != LD_K_DISBURSEMENT && req->kind != LD_K_REFUND) {
		snprintf(err, errlen, "kind: '%.40s' is not disbursement or refund",
		    field[0]);
		return -1;
	}
	if (arg_code("region", field[1], req->region, sizeof(req->region), err,
	    errlen) == -1)
		return -1;
	if (parse_fy(field[2], &req->fy, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "fy: %s", why[0] != '\0' ? why :
		    "not a fiscal year");
		return -1;
	}
	if (parse_amount(field[3], &req->amount, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "amount: %s", why[0] != '\0' ? why :
		    "not an amount");
		return -1;
	}
	if (arg_ref("ref", field[4], req->ref, sizeof(req->ref), err,
	    errlen) == -1)
		return -1;
	if (parse_date(field[5], &req->date, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "date: %s", why[0] != '\0' ? why :
		    "not a date (YYYY-MM-DD)");
		return -1;
	}
	if (arg_text("memo", field[6], 1, req->memo, sizeof(req->memo), err,
	    errlen) == -1)
		return -1;
	if (field[7][0] == '\0') {
		snprintf(err, errlen, "id: required (the key that makes a re-run "
		    "write nothing twice)");
		return -1;
	}
	return arg_ref("id", field[7], req->id, sizeof(req->id), err, errlen);
}

/* ------------------------------------------------------------------ */
/* shared: options, reading a fiscal year, tables                      */

enum { FMT_TABLE = 1, FMT_CSV, FMT_JSON };

static int
format_arg(const struct ctl_args *a, int csv_ok, int *fmt, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, "format");

	if (s == NULL) {
		*fmt = a->json ? FMT_JSON : FMT_TABLE;
		return 0;
	}
	if (strcmp(s, "json") == 0)
		*fmt = FMT_JSON;
	else if (strcmp(s, "table") == 0)
		*fmt = FMT_TABLE;
	else if (csv_ok && strcmp(s, "csv") == 0)
		*fmt = FMT_CSV;
	else {
		snprintf(err, errlen, "--format: '%.40s' is not %s", s,
		    csv_ok ? "table, csv or json" : "table or json");
		return -1;
	}
	if (a->json && *fmt != FMT_JSON) {
		snprintf(err, errlen, "--json and --format %s contradict each "
		    "other", s);
		return -1;
	}
	return 0;
}

struct year {
	struct recon_entry *e;		/* owned */
	size_t		 n;
	size_t		 cap;
	uint64_t	 last;		/* seq of the last entry read */
};

static int
year_add(struct ctl *ctl, struct year *y, const struct ld_entry *e, uint16_t fy)
{
	struct recon_entry	*nv;

	if (e->seq <= y->last)
		return ctl_conn_fail(ctl, "entries out of seq order");
	if (e->fy != fy)
		return ctl_conn_fail(ctl, "LIST answered an entry of another year");
	y->last = e->seq;
	if (y->n == y->cap) {
		y->cap = y->cap > 0 ? y->cap * 2 : 1024;
		if ((nv = reallocarray(y->e, y->cap, sizeof(*nv))) == NULL)
			return ctl_conn_fail(ctl, "out of memory");
		y->e = nv;
	}
	recon_entry_from(&y->e[y->n++], e);
	return CTL_OK;
}

/*
 * Every entry of fiscal year fy up to seq until (0 = all), in seq order,
 * from a LIST stream.  Entries are decoded and checked one frame at a time.
 */
static int
year_read(struct ctl *ctl, uint16_t fy, uint64_t until, struct year *y)
{
	struct msg_entries_iter	 it;
	struct msg_list		 l;
	struct conn_frame	 f;
	struct ld_entry		 e;
	struct wbuf		 w;
	const uint8_t		*enc;
	size_t			 len;
	uint32_t		 reqid;
	int			 rc, r;

	memset(&l, 0, sizeof(l));
	l.fy = fy;
	l.until = until;
	wbuf_init(&w);
	if (msg_encode_list(&w, &l) == -1) {
		wbuf_free(&w);
		return ctl_conn_fail(ctl, "out of memory");
	}
	rc = ctl_call(ctl, MSG_LIST, &w, MSG_ENTRIES, &reqid, &f);
	wbuf_free(&w);
	while (rc == CTL_OK) {
		if (msg_entries_open(&it, f.payload, f.len) == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		while ((r = msg_entries_next(&it, &enc, &len)) == 1) {
			if (entry_decode(&e, enc, len) == -1)
				return ctl_conn_fail(ctl, "malformed entry in answer");
			if ((rc = year_add(ctl, y, &e, fy)) != CTL_OK)
				return rc;
		}
		if (r == -1)
			return ctl_conn_fail(ctl, "malformed ENTRIES answer");
		if (!(f.flags & FRAME_F_MORE))
			break;
		rc = ctl_next(ctl, reqid, MSG_ENTRIES, &f);
	}
	return rc;
}

static int
status_size(struct ctl *ctl, uint64_t *size)
{
	struct msg_status	 s;
	struct conn_frame	 f;
	int			 rc;

	if ((rc = ctl_call(ctl, MSG_STATUS, NULL, MSG_STATUS_OK, NULL, &f)) != CTL_OK)
		return rc;
	if (msg_decode_status(f.payload, f.len, &s) == -1)
		return ctl_conn_fail(ctl, "malformed STATUS_OK answer");
	*size = s.size;
	return CTL_OK;
}

/* A small table sized to its contents (widths in terminal columns). */
#define TBL_COLS	13
struct tbl {
	size_t		 ncols;
	const char	*const *heads;
	const int	*right;
	char		**cell;		/* owned: nrows x ncols */
	size_t		 nrows;
	int		 err;
};

static void
tbl_add(struct tbl *t, const char *const *row)
{
	char	**nv;
	size_t	 i;

	if (t->err)
		return;
	if ((nv = reallocarray(t->cell, (t->nrows + 1) * t->ncols,
	    sizeof(*nv))) == NULL) {
		t->err = 1;
		return;
	}
	t->cell = nv;
	for (i = 0; i < t->ncols; i++)
		if ((nv[t->nrows * t->ncols + i] = strdup(row[i])) == NULL)
			t->err = 1;
	t->nrows++;
}

static void
tbl_cell(FILE *f, const char *s, size_t w, int right, int last)
{
	size_t	 n = out_width(s);

	if (right && !last)
		for (; n < w; n++)
			fputc(' ', f);
	fputs(s, f);
	if (last) {
		fputc('\n', f);
		return;
	}
	if (!right)
		for (; n < w; n++)
			fputc(' ', f);
	fputs("  ", f);
}

static int
tbl_print(FILE *f, struct tbl *t)
{
	size_t	 w[TBL_COLS], i, r, n;

	if (t->err || t->ncols > TBL_COLS)
		return -1;
	for (i = 0; i < t->ncols; i++)
		w[i] = out_width(t->heads[i]);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++)
			if ((n = out_width(t->cell[r * t->ncols + i])) > w[i])
				w[i] = n;
	for (i = 0; i < t->ncols; i++)
		tbl_cell(f, t->heads[i], w[i], t->right[i], i + 1 == t->ncols);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++)
			tbl_cell(f, t->cell[r * t->ncols + i], w[i], t->right[i],
			    i + 1 == t->ncols);
	return ferror(f) ? -1 : 0;
}

static void
tbl_free(struct tbl *t)
{
	size_t	 i;

	for (i = 0; t->cell != NULL && i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t->cell);
	t->cell = NULL;
	t->nrows = 0;
}

/* ------------------------------------------------------------------ */
/* report                                                              */

/* One row of the report, whatever its type; NULL/-1 where n/a. */
struct report_row {
	const char	*type;		/* "region", "account", "total" */
	const char	*account;
	const char	*region;
	const char	*grant_type;
	uint16_t	 fy;
	int		 has_approp;	/* account and total rows */
	int64_t		 appropriated, award, disbursed, refunded;
	int		 closed;	/* -1 = n/a */
};

static json_t *
report_row_json(const struct report_row *w, size_t nregions, size_t nentries,
    uint64_t size)
{
	json_t	*o = json_object();
	int	 bad = o == NULL;

#define JSET(k, v) do { if (!bad && json_object_set_new(o, k, v) == -1) bad = 1; } while (0)
	JSET("type", json_string(w->type));
	if (w->account != NULL)
		JSET("account", json_string(w->account));
	if (w->region != NULL)
		JSET("region", json_string(w->region));
	JSET("fy", json_integer(w->fy));
	if (w->grant_type != NULL)
		JSET("grant_type", json_string(w->grant_type));
	if (w->has_approp)
		JSET("appropriated", json_integer(w->appropriated));
	JSET("award", json_integer(w->award));
	if (w->has_approp)
		JSET("unawarded", json_integer(w->appropriated - w->award));
	JSET("disbursed", json_integer(w->disbursed));
	JSET("refunded", json_integer(w->refunded));
	JSET("net", json_integer(w->disbursed - w->refunded));
	JSET("remaining", json_integer(w->award - (w->disbursed - w->refunded)));
	if (w->closed >= 0)
		JSET("closed", json_boolean(w->closed));
	if (strcmp(w->type, "total") == 0) {
		JSET("regions", json_integer((json_int_t)nregions));
		JSET("entries", json_integer((json_int_t)nentries));
		JSET("size", json_integer((json_int_t)size));
	}
#undef JSET
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
report_row_csv(FILE *f, const struct report_row *w)
{
	char		 v[8][32], fy[8];
	const char	*cells[13];

	snprintf(fy, sizeof(fy), "%u", w->fy);
	snprintf(v[0], sizeof(v[0]), "%" PRId64, w->appropriated);
	snprintf(v[1], sizeof(v[1]), "%" PRId64, w->award);
	snprintf(v[2], sizeof(v[2]), "%" PRId64, w->appropriated - w->award);
	snprintf(v[3], sizeof(v[3]), "%" PRId64, w->disbursed);
	snprintf(v[4], sizeof(v[4]), "%" PRId64, w->refunded);
	snprintf(v[5], sizeof(v[5]), "%" PRId64, w->disbursed - w->refunded);
	snprintf(v[6], sizeof(v[6]), "%" PRId64,
	    w->award - (w->disbursed - w->refunded));
	cells[0] = w->type;
	cells[1] = w->account;
	cells[2] = w->region;
	cells[3] = fy;
	cells[4] = w->grant_type;
	cells[5] = w->has_approp ? v[0] : NULL;
	cells[6] = v[1];
	cells[7] = w->has_approp ? v[2] : NULL;
	cells[8] = v[3];
	cells[9] = v[4];
	cells[10] = v[5];
	cells[11] = v[6];
	cells[12] = w->closed < 0 ? NULL : w->closed ? "true" : "false";
	return csv_write_row(f, cells, 13);
}

/* The rows in print order: regions (by code), accounts, the total. */
static struct report_row *
report_rows(const struct report *r, size_t *nrows)
{
	struct report_row	*v, *t;
	size_t			 i, n = r->nregion + LD_A_MAX + 1;

	if ((v = calloc(n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < r->nregion; i++) {
		v[i].type = "region";
		v[i].region = r->region[i].region;
		v[i].account = ld_account_name(r->region[i].account);
		v[i].grant_type = ld_grant_name(r->region[i].grant_type);
		v[i].fy = r->fy;
		v[i].award = r->region[i].award;
		v[i].disbursed = r->region[i].disbursed;
		v[i].refunded = r->region[i].refunded;
		v[i].closed = -1;
	}
	t = &v[n - 1];
	t->type = "total";
	t->fy = r->fy;
	t->has_approp = 1;
	t->closed = -1;
	for (i = 0; i < LD_A_MAX; i++) {
		struct report_row	*w = &v[r->nregion + i];

		w->type = "account";
		w->account = ld_account_name(r->acct[i].account);
		w->fy = r->fy;
		w->has_approp = 1;
		w->appropriated = r->acct[i].appropriated;
		w->award = r->acct[i].awarded;
		w->disbursed = r->acct[i].disbursed;
		w->refunded = r->acct[i].refunded;
		w->closed = r->acct[i].closed;
		/* Each figure is at most 10^13 times the entries: no overflow. */
		t->appropriated += w->appropriated;
		t->award += w->award;
		t->disbursed += w->disbursed;
		t->refunded += w->refunded;
	}
	*nrows = n;
	return v;
}

static int
report_table(FILE *f, const struct report *r, const struct report_row *v,
    size_t n, uint64_t size)
{
	static const char *const rheads[] = {
		"REGION", "GRANT_TYPE", "ACCOUNT", "AWARD", "DISBURSED",
		"REFUNDED", "NET", "REMAINING"
	};
	static const int rright[] = { 0, 0, 0, 1, 1, 1, 1, 1 };
	static const char *const aheads[] = {
		"ACCOUNT", "APPROPRIATED", "AWARD", "UNAWARDED", "DISBURSED",
		"REFUNDED", "NET", "REMAINING", "CLOSED"
	};
	static const int aright[] = { 0, 1, 1, 1, 1, 1, 1, 1, 0 };
	struct tbl	 tr = { 8, rheads, rright, NULL, 0, 0 };
	struct tbl	 ta = { 9, aheads, aright, NULL, 0, 0 };
	const char	*row[9];
	char		 a[7][32];
	size_t		 i;
	int		 rc = 0;

	fprintf(f, "FY%u report at tree size %" PRIu64 " (%zu entries of the "
	    "year); totals agree with the daemon's balances\n\n", r->fy, size,
	    r->nentries);
	for (i = 0; i < n; i++) {
		format_amount(v[i].appropriated, a[0], sizeof(a[0]));
		format_amount(v[i].award, a[1], sizeof(a[1]));
		format_amount(v[i].appropriated - v[i].award, a[2], sizeof(a[2]));
		format_amount(v[i].disbursed, a[3], sizeof(a[3]));
		format_amount(v[i].refunded, a[4], sizeof(a[4]));
		format_amount(v[i].disbursed - v[i].refunded, a[5], sizeof(a[5]));
		format_amount(v[i].award - (v[i].disbursed - v[i].refunded),
		    a[6], sizeof(a[6]));
		if (strcmp(v[i].type, "region") == 0) {
			row[0] = v[i].region;
			row[1] = v[i].grant_type != NULL ? v[i].grant_type : "?";
			row[2] = v[i].account != NULL ? v[i].account : "?";
			row[3] = a[1];
			row[4] = a[3];
			row[5] = a[4];
			row[6] = a[5];
			row[7] = a[6];
			tbl_add(&tr, row);
			continue;
		}
		row[0] = v[i].account != NULL ? v[i].account : "total";
		row[1] = a[0];
		row[2] = a[1];
		row[3] = a[2];
		row[4] = a[3];
		row[5] = a[4];
		row[6] = a[5];
		row[7] = a[6];
		row[8] = v[i].closed < 0 ? "-" : v[i].closed ? "yes" : "no";
		tbl_add(&ta, row);
	}
	if (tr.nrows > 0) {
		if (tbl_print(f, &tr) == -1)
			rc = -1;
		fputc('\n', f);
	} else
		fprintf(f, "no region has an award in FY%u\n\n", r->fy);
	if (tbl_print(f, &ta) == -1)
		rc = -1;
	tbl_free(&tr);
	tbl_free(&ta);
	return rc;
}

static int
report_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_balance_req	 b;
	struct ld_acct_bal	*accts = NULL;
	struct ld_region_bal	*regions = NULL;
	struct report		 r;
	struct report_row	*rows = NULL;
	struct year		 y;
	struct conn_frame	 f;
	struct wbuf		 w;
	uint64_t		 s1 = 0, s2 = 1;
	uint32_t		 na = 0, ng = 0;
	size_t			 nrows = 0, i;
	uint16_t		 fy;
	char			 err[512];
	int			 fmt, rc, tries, computed = 0;

	memset(&y, 0, sizeof(y));
	memset(&r, 0, sizeof(r));
	if (arg_fy(a, "fy", &fy, err, sizeof(err)) == -1 ||
	    format_arg(a, 1, &fmt, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;

	/*
	 * BALANCE and LIST are separate reads.  A tree size taken before and
	 * after BALANCE that did not move pins the balances to that size; the
	 * entries are then listed up to it, so a concurrent write cannot make
	 * the two disagree.
	 */
	memset(&b, 0, sizeof(b));
	b.fy = fy;
	b.scope = BAL_ALL;
	wbuf_init(&w);
	if (msg_encode_balance_req(&w, &b) == -1) {
		wbuf_free(&w);
		return ctl_conn_fail(ctl, "out of memory");
	}
	for (tries = 0; tries < REPORT_TRIES && s1 != s2; tries++) {
		free(accts);
		free(regions);
		accts = NULL;
		regions = NULL;
		if ((rc = status_size(ctl, &s1)) != CTL_OK ||
		    (rc = ctl_call(ctl, MSG_BALANCE, &w, MSG_BALANCES, NULL,
		    &f)) != CTL_OK)
			goto done;
		if (msg_decode_balances(f.payload, f.len, &accts, &na, &regions,
		    &ng) == -1) {
			rc = ctl_conn_fail(ctl, "malformed BALANCES answer");
			goto done;
		}
		if ((rc = status_size(ctl, &s2)) != CTL_OK)
			goto done;
	}
	if (s1 != s2) {
		rc = ctl_refusal(ctl, LD_E_BUSY, "the ledger kept changing while "
		    "the report was read; try again");
		goto done;
	}
	if (s1 > 0 && (rc = year_read(ctl, fy, s1, &y)) != CTL_OK)
		goto done;
	if (report_compute(&r, fy, y.e, y.n, err, sizeof(err)) == -1) {
		rc = ctl_refusal(ctl, LD_E_INTERNAL, err);
		goto done;
	}
	computed = 1;
	if (report_check(&r, accts, na, regions, ng, err, sizeof(err)) == -1) {
		char	 msg[600];

		snprintf(msg, sizeof(msg), "report totals disagree with the "
		    "daemon's balances at tree size %" PRIu64 ": %s", s1, err);
		rc = ctl_refusal(ctl, LD_E_INTERNAL, msg);
		goto done;
	}
	if ((rows = report_rows(&r, &nrows)) == NULL) {
		rc = ctl_conn_fail(ctl, "out of memory");
		goto done;
	}
	rc = 0;
	switch (fmt) {
	case FMT_JSON:
		for (i = 0; i < nrows && rc == 0; i++)
			rc = out_json_line(ctl->out, report_row_json(&rows[i],
			    r.nregion, r.nentries, s1));
		break;
	case FMT_CSV:
		fprintf(ctl->out, "%s\n", REPORT_CSV_HEADER);
		for (i = 0; i < nrows && rc == 0; i++)
			rc = report_row_csv(ctl->out, &rows[i]);
		break;
	default:
		rc = report_table(ctl->out, &r, rows, nrows, s1);
		break;
	}
	rc = rc == 0 ? CTL_OK : ctl_conn_fail(ctl, "cannot write the report");
done:
	wbuf_free(&w);
	free(rows);
	if (computed)
		report_free(&r);
	free(y.e);
	free(accts);
	free(regions);
	return rc;
}

/* ------------------------------------------------------------------ */
/* reconcile                                                           */

/* Open a CSV file and check its header; a usage error names what is wrong. */
static int
csv_open_checked(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    FILE **fp, struct csvr *r, const struct csvr_limits *lim,
    const char *header, size_t nfields)
{
	char	 got[256];
	size_t	 i, n = 0;

	csvr_init(r, NULL, lim);	/* csvr_free() is safe from here on */
	if ((*fp = fopen(path, "r")) == NULL)
		return ctl_usage(ctl, cmd, "cannot open %s: %s", path,
		    strerror(errno));
	r->f = *fp;
	switch (csvr_next(r)) {
	case -1:
		return ctl_usage(ctl, cmd, "%s: %s", path, r->err);
	case 0:
		return ctl_usage(ctl, cmd, "%s: empty file (expected the header "
		    "line %s)", path, header);
	default:
		break;
	}
	got[0] = '\0';
	for (i = 0; i < r->nfield && n < sizeof(got); i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
		    i > 0 ? "," : "", r->field[i]);
	if (r->nfield != nfields || strcmp(got, header) != 0)
		return ctl_usage(ctl, cmd, "%s: line %lu: the header must be "
		    "'%s'", path, r->rec_line, header);
	return CTL_OK;
}

struct items {
	struct recon_item *v;		/* owned */
	size_t		 n;
	size_t		 cap;
};

static int
items_add(struct items *it, const struct recon_item *x)
{
	struct recon_item	*nv;

	if (it->n == it->cap) {
		it->cap = it->cap > 0 ? it->cap * 2 : 256;
		if ((nv = reallocarray(it->v, it->cap, sizeof(*nv))) == NULL)
			return -1;
		it->v = nv;
	}
	it->v[it->n++] = *x;
	return 0;
}

/* The whole statement, checked line by line before any connection. */
static int
statement_read(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    struct items *st)
{
	static const struct csvr_limits lim = { 1024, 4096, 16 };
	struct recon_item	 x;
	struct csvr		 r;
	FILE			*f = NULL;
	char			 err[300];
	int			 rc, k;

	rc = csv_open_checked(ctl, cmd, path, &f, &r, &lim, STATEMENT_HEADER,
	    STATEMENT_NFIELDS);
	while (rc == CTL_OK && (k = csvr_next(&r)) != 0) {
		if (k == -1) {
			rc = ctl_usage(ctl, cmd, "%s: %s", path, r.err);
			break;
		}
		if (statement_parse_row(r.field, r.nfield, r.rec_line, &x, err,
		    sizeof(err)) == -1) {
			rc = ctl_usage(ctl, cmd, "%s: line %lu: %s", path,
			    r.rec_line, err);
			break;
		}
		if (items_add(st, &x) == -1) {
			fprintf(ctl->err, "ledgerctl: out of memory\n");
			rc = CTL_CONN;
		}
	}
	csvr_free(&r);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* JSON array of the distinct dates (sorted input) or the wheres of v. */
static json_t *
items_array(const struct recon_item *v, size_t n, int dates)
{
	json_t		*a = json_array();
	char		 d[16];
	size_t		 i;

	for (i = 0; a != NULL && i < n; i++) {
		if (dates) {
			if (i > 0 && v[i].date == v[i - 1].date)
				continue;
			format_date(v[i].date, d, sizeof(d));
			if (json_array_append_new(a, json_string(d)) == -1)
				goto fail;
		} else if (json_array_append_new(a,
		    json_integer((json_int_t)v[i].where)) == -1)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* "2013-06-30, 2013-07-01" (distinct, at most five, then "..."). */
static void
items_dates(const struct recon_item *v, size_t n, char *out, size_t outsz)
{
	char	 d[16];
	size_t	 i, len = 0, shown = 0;

	out[0] = '\0';
	for (i = 0; i < n && len < outsz; i++) {
		if (i > 0 && v[i].date == v[i - 1].date)
			continue;
		if (shown++ == 5) {
			snprintf(out + len, outsz - len, ", ...");
			return;
		}
		format_date(v[i].date, d, sizeof(d));
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
		    len > 0 ? ", " : "", d);
	}
}

static json_t *
diff_json(const struct recon_diff *d, const struct recon_item *l,
    const struct recon_item *s)
{
	json_t		*o = json_object();
	char		 date[16];
	int64_t		 delta;
	int		 bad = o == NULL;

#define JSET(k, v) do { if (!bad && json_object_set_new(o, k, v) == -1) bad = 1; } while (0)
	JSET("type", json_string(recon_diff_name(d->type)));
	JSET("ref", json_string(d->ref));
	switch (d->type) {
	case RECON_MISSING_IN_STATEMENT:
		JSET("ledger_amount", json_integer(d->ledger_amount));
		JSET("seqs", items_array(l + d->lfirst, d->lcount, 0));
		JSET("dates", items_array(l + d->lfirst, d->lcount, 1));
		break;
	case RECON_MISSING_IN_LEDGER:
		JSET("statement_amount", json_integer(d->statement_amount));
		JSET("lines", items_array(s + d->sfirst, d->scount, 0));
		JSET("dates", items_array(s + d->sfirst, d->scount, 1));
		break;
	case RECON_AMOUNT_MISMATCH:
		JSET("ledger_amount", json_integer(d->ledger_amount));
		JSET("statement_amount", json_integer(d->statement_amount));
		if (!__builtin_sub_overflow(d->statement_amount,
		    d->ledger_amount, &delta))
			JSET("difference", json_integer(delta));
		JSET("seqs", items_array(l + d->lfirst, d->lcount, 0));
		JSET("lines", items_array(s + d->sfirst, d->scount, 0));
		break;
	default:
		format_date(s[d->sitem].date, date, sizeof(date));
		JSET("date", json_string(date));
		JSET("line", json_integer((json_int_t)s[d->sitem].where));
		JSET("amount", json_integer(s[d->sitem].amount));
		JSET("ledger_dates", items_array(l + d->lfirst, d->lcount, 1));
		break;
	}
#undef JSET
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void
diff_row(const struct recon_diff *d, const struct recon_item *l,
    const struct recon_item *s, struct tbl *t)
{
	const char	*row[5];
	char		 la[32], sa[32], dates[96], detail[256], d1[16];
	int64_t		 delta;

	format_amount(d->ledger_amount, la, sizeof(la));
	format_amount(d->statement_amount, sa, sizeof(sa));
	row[0] = recon_diff_name(d->type);
	row[1] = d->ref;
	row[2] = la;
	row[3] = sa;
	row[4] = detail;
	switch (d->type) {
	case RECON_MISSING_IN_STATEMENT:
		row[3] = "-";
		items_dates(l + d->lfirst, d->lcount, dates, sizeof(dates));
		snprintf(detail, sizeof(detail), "%zu ledger payment%s (seq %"
		    PRIu64 "%s) dated %s", d->lcount, d->lcount == 1 ? "" : "s",
		    l[d->lfirst].where, d->lcount > 1 ? ", ..." : "", dates);
		break;
	case RECON_MISSING_IN_LEDGER:
		row[2] = "-";
		items_dates(s + d->sfirst, d->scount, dates, sizeof(dates));
		snprintf(detail, sizeof(detail), "statement line %" PRIu64 "%s "
		    "dated %s", s[d->sfirst].where, d->scount > 1 ? ", ..." : "",
		    dates);
		break;
	case RECON_AMOUNT_MISMATCH:
		if (__builtin_sub_overflow(d->statement_amount, d->ledger_amount,
		    &delta))
			snprintf(detail, sizeof(detail), "-");
		else {
			format_amount(delta, dates, sizeof(dates));
			snprintf(detail, sizeof(detail), "statement minus ledger: "
			    "%s%s", delta > 0 ? "+" : "", dates);
		}
		break;
	default:
		format_date(s[d->sitem].date, d1, sizeof(d1));
		items_dates(l + d->lfirst, d->lcount, dates, sizeof(dates));
		snprintf(detail, sizeof(detail), "statement line %" PRIu64
		    " dated %s; ledger dates %s", s[d->sitem].where, d1, dates);
		break;
	}
	tbl_add(t, row);
}

static int
reconcile_print(struct ctl *ctl, int fmt, uint16_t fy,
    const struct recon_result *res, const struct recon_item *l, size_t nl,
    const struct recon_item *s, size_t ns)
{
	static const char *const heads[] = {
		"DIFFERENCE", "REF", "LEDGER", "STATEMENT", "DETAIL"
	};
	static const int right[] = { 0, 0, 1, 1, 0 };
	struct tbl	 t = { 5, heads, right, NULL, 0, 0 };
	json_t		*o;
	size_t		 i;
	int		 rc = 0, k;

	if (fmt == FMT_JSON) {
		for (i = 0; i < res->ndiff && rc == 0; i++)
			rc = out_json_line(ctl->out, diff_json(&res->diff[i], l, s));
		if (rc == 0) {
			o = json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
			    "s:I,s:I}",
			    "type", "summary", "fy", (int)fy,
			    "differences", (json_int_t)res->ndiff,
			    "missing_in_statement",
			    (json_int_t)res->count[RECON_MISSING_IN_STATEMENT],
			    "missing_in_ledger",
			    (json_int_t)res->count[RECON_MISSING_IN_LEDGER],
			    "amount_mismatch",
			    (json_int_t)res->count[RECON_AMOUNT_MISMATCH],
			    "date_mismatch",
			    (json_int_t)res->count[RECON_DATE_MISMATCH],
			    "ledger_refs", (json_int_t)res->ledger_refs,
			    "statement_refs", (json_int_t)res->statement_refs,
			    "matched", (json_int_t)res->matched,
			    "ledger_payments", (json_int_t)nl,
			    "statement_lines", (json_int_t)ns);
			rc = out_json_line(ctl->out, o);
		}
		return rc;
	}
	if (res->ndiff == 0) {
		fprintf(ctl->out, "FY%u reconciled: all %zu refs match (%zu ledger "
		    "payments, %zu statement lines)\n", fy, res->matched, nl, ns);
		return ferror(ctl->out) ? -1 : 0;
	}
	for (i = 0; i < res->ndiff; i++)
		diff_row(&res->diff[i], l, s, &t);
	rc = tbl_print(ctl->out, &t);
	tbl_free(&t);
	fprintf(ctl->out, "\nFY%u: %zu difference%s (", fy, res->ndiff,
	    res->ndiff == 1 ? "" : "s");
	for (k = 0; k < RECON_NTYPES; k++)
		fprintf(ctl->out, "%s%s %zu", k > 0 ? ", " : "",
		    recon_diff_name(k), res->count[k]);
	fprintf(ctl->out, "); ledger %zu refs, statement %zu refs, %zu match\n",
	    res->ledger_refs, res->statement_refs, res->matched);
	return rc == 0 && !ferror(ctl->out) ? 0 : -1;
}

static int
reconcile_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct recon_result	 res;
	struct recon_item	*l = NULL;
	struct items		 st = { NULL, 0, 0 };
	struct year		 y;
	size_t			 nl = 0;
	uint16_t		 fy;
	char			 err[256];
	int			 fmt, rc;

	memset(&y, 0, sizeof(y));
	memset(&res, 0, sizeof(res));
	if (arg_fy(a, "fy", &fy, err, sizeof(err)) == -1 ||
	    format_arg(a, 0, &fmt, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = statement_read(ctl, a->cmd, args_get(a, "statement"),
	    &st)) != CTL_OK)
		goto done;
	if ((rc = ctl_connect(ctl)) != CTL_OK ||
	    (rc = year_read(ctl, fy, 0, &y)) != CTL_OK)
		goto done;
	if (recon_ledger_items(y.e, y.n, &l, &nl) == -1 ||
	    recon_match(l, nl, st.v, st.n, &res) == -1) {
		rc = ctl_conn_fail(ctl, "out of memory");
		goto done;
	}
	if (reconcile_print(ctl, fmt, fy, &res, l, nl, st.v, st.n) == -1)
		rc = ctl_conn_fail(ctl, "cannot write the result");
	else
		rc = res.ndiff > 0 ? CTL_DIFF : CTL_OK;
done:
	recon_result_free(&res);
	free(l);
	free(st.v);
	free(y.e);
	return rc;
}

/* ------------------------------------------------------------------ */
/* import                                                              */

/*
 * What the daemon adds to a request to make its entry (format, seq,
 * account, actor of up to 64 bytes, recorded_at), rounded up: with the
 * 7-byte result header, the most an accepted row's answer can take beyond
 * its request.  A refused row's answer is at most 4 + MSG_TEXT_MAX.
 */
#define IMPORT_ENTRY_EXTRA	96
#define IMPORT_FRAME_EXTRA	(3 * (FRAME_HDR_LEN + 8))
#define IMPORT_WINDOW		3	/* x max_frame of answers in flight */
#define IMPORT_INFLIGHT_MAX	64

struct import {
	struct wbuf	 items;		/* per row: u32 len, write request */
	size_t		*off;		/* owned: nrows + 1 offsets into items */
	unsigned long	*line;		/* owned: each row's line in the file */
	size_t		 nrows;
	size_t		 cap;
	int		 atomic;
	size_t		 written, dups, refused, unwritten;
};

struct batch {
	uint32_t	 reqid;
	size_t		 first;		/* row */
	size_t		 count;
	size_t		 answered;
	size_t		 bound;		/* bytes its answer can take at most */
};

static void
import_free(struct import *im)
{
	wbuf_free(&im->items);
	free(im->off);
	free(im->line);
}

static size_t
row_len(const struct import *im, size_t i)
{
	return im->off[i + 1] - im->off[i];
}

static size_t
row_bound(const struct import *im, size_t i)
{
	size_t	 ok = 7 + row_len(im, i) + IMPORT_ENTRY_EXTRA;

	return ok > 4 + MSG_TEXT_MAX ? ok : 4 + MSG_TEXT_MAX;
}

/* The whole file into im->items; any bad row is a usage error, nothing sent. */
static int
import_read(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    struct import *im)
{
	static const struct csvr_limits lim = { 2048, 8192, 16 };
	struct ld_entry		 req;
	struct csvr		 r;
	FILE			*f = NULL;
	size_t			 ncap;
	void			*p;
	char			 err[300];
	int			 rc, k;

	rc = csv_open_checked(ctl, cmd, path, &f, &r, &lim, IMPORT_HEADER,
	    IMPORT_NFIELDS);
	if (rc == CTL_OK && (im->off = calloc(1, sizeof(*im->off))) == NULL)
		rc = CTL_CONN;
	while (rc == CTL_OK && (k = csvr_next(&r)) != 0) {
		if (k == -1) {
			rc = ctl_usage(ctl, cmd, "%s: %s", path, r.err);
			break;
		}
		if (import_parse_row(r.field, r.nfield, &req, err,
		    sizeof(err)) == -1) {
			rc = ctl_usage(ctl, cmd, "%s: line %lu: %s", path,
			    r.rec_line, err);
			break;
		}
		if (im->atomic && im->nrows == MSG_BATCH_MAX) {
			rc = ctl_usage(ctl, cmd, "%s: line %lu: --atomic takes "
			    "at most %d rows (one batch)", path, r.rec_line,
			    MSG_BATCH_MAX);
			break;
		}
		if (im->nrows == im->cap) {
			ncap = im->cap > 0 ? im->cap * 2 : 1024;
			if ((p = reallocarray(im->off, ncap + 1,
			    sizeof(*im->off))) == NULL) {
				rc = CTL_CONN;
				break;
			}
			im->off = p;
			if ((p = reallocarray(im->line, ncap,
			    sizeof(*im->line))) == NULL) {
				rc = CTL_CONN;
				break;
			}
			im->line = p;
			im->cap = ncap;
		}
		if (msg_batch_add(&im->items, &req) == -1) {
			/* The row passed every check above: only memory is left. */
			rc = CTL_CONN;
			break;
		}
		im->line[im->nrows] = r.rec_line;
		im->off[++im->nrows] = im->items.len;
	}
	if (rc == CTL_CONN)
		fprintf(ctl->err, "ledgerctl: out of memory reading %s\n", path);
	csvr_free(&r);
	if (f != NULL)
		fclose(f);
	return rc;
}

static void
import_refused(struct ctl *ctl, unsigned long line, int code, const char *msg)
{
	if (msg == NULL || msg[0] == '\0')
		msg = ld_err_text(code);
	fprintf(ctl->err, "ledgerctl: line %lu: %s: %s\n", line,
	    ld_err_name(code), msg);
	if (ctl->json)
		out_json_line(ctl->out, json_pack("{s:I,s:s,s:s}", "line",
		    (json_int_t)line, "error", ld_err_name(code), "message", msg));
}

/* Send rows [first, first + count) as one BATCH. */
static int
import_send(struct ctl *ctl, struct import *im, struct batch *b)
{
	struct wbuf	 w;
	size_t		 count_off;
	char		 err[256];
	int		 rc;

	wbuf_init(&w);
	if (msg_batch_begin(&w, im->atomic ? MSG_BATCH_ATOMIC : 0,
	    &count_off) == 0) {
		wbuf_put(&w, im->items.data + im->off[b->first],
		    im->off[b->first + b->count] - im->off[b->first]);
		msg_batch_finish(&w, count_off, (uint32_t)b->count);
	}
	rc = conn_send(&ctl->conn, MSG_WRITE_BATCH, &w, &b->reqid, err,
	    sizeof(err));
	wbuf_free(&w);
	if (rc == CONN_PROTO)
		return ctl_usage(ctl, NULL, "%s", err);
	if (rc != CONN_OK)
		return ctl_conn_fail(ctl, err);
	return CTL_OK;
}

/*
 * One answer frame for a batch in flight.  *finished is set when it was
 * the batch's last frame.
 */
static int
import_frame(struct ctl *ctl, struct import *im, struct batch *b,
    const struct conn_frame *f, int *finished)
{
	struct msg_bresult_iter	 it;
	struct msg_bresult	 res;
	struct ld_entry		 e;
	char			 msg[MSG_TEXT_MAX + 64];
	int			 code, r;

	*finished = 0;
	if (f->type == MSG_ERROR) {
		/* The whole batch was refused (a role, a malformed request). */
		if (msg_decode_error(f->payload, f->len, &code, msg,
		    sizeof(msg)) == -1)
			return ctl_conn_fail(ctl, "malformed ERROR answer");
		fprintf(ctl->err, "ledgerctl: lines %lu-%lu: %s: %s\n",
		    im->line[b->first + b->answered],
		    im->line[b->first + b->count - 1], ld_err_name(code),
		    msg[0] != '\0' ? msg : ld_err_text(code));
		if (ctl->json)
			out_json_line(ctl->out, json_pack("{s:I,s:I,s:s,s:s}",
			    "line", (json_int_t)im->line[b->first + b->answered],
			    "last_line", (json_int_t)im->line[b->first +
			    b->count - 1], "error", ld_err_name(code), "message",
			    msg));
		im->refused += b->count - b->answered;
		b->answered = b->count;
		*finished = 1;
		return CTL_OK;
	}
	if (f->type != MSG_BATCH_RESULT)
		return ctl_conn_fail(ctl, "unexpected answer to a BATCH");
	if (msg_bresult_open(&it, f->payload, f->len) == -1 ||
	    it.first != b->answered)
		return ctl_conn_fail(ctl, "malformed BATCH_RESULT answer");
	while ((r = msg_bresult_next(&it, &res)) == 1) {
		if (res.index != b->answered || b->answered >= b->count)
			return ctl_conn_fail(ctl, "BATCH_RESULT out of order");
		if (res.code == LD_OK) {
			if (entry_decode(&e, res.enc, res.len) == -1)
				return ctl_conn_fail(ctl, "malformed entry in "
				    "BATCH_RESULT");
			if (res.duplicate)
				im->dups++;
			else
				im->written++;
		} else if (im->atomic && res.code == LD_E_UNAVAILABLE)
			im->unwritten++;
		else {
			im->refused++;
			import_refused(ctl, im->line[b->first + res.index],
			    res.code, res.message);
		}
		b->answered++;
	}
	if (r == -1)
		return ctl_conn_fail(ctl, "malformed BATCH_RESULT answer");
	if (!(f->flags & FRAME_F_MORE)) {
		if (b->answered != b->count)
			return ctl_conn_fail(ctl, "BATCH_RESULT lacks results");
		*finished = 1;
	}
	return CTL_OK;
}

/* The largest batch from row first whose request and answer fit a frame. */
static void
import_plan(const struct import *im, size_t first, uint32_t max_frame,
    struct batch *b)
{
	size_t	 payload = 5, bound = IMPORT_FRAME_EXTRA, i, n;

	memset(b, 0, sizeof(*b));
	b->first = first;
	for (i = first; i < im->nrows && b->count < MSG_BATCH_MAX; i++) {
		n = row_len(im, i);
		if (b->count > 0 && (FRAME_HDR_LEN + payload + n > max_frame ||
		    bound + row_bound(im, i) > max_frame))
			break;
		payload += n;
		bound += row_bound(im, i);
		b->count++;
	}
	b->bound = bound;
}

static int
import_pump(struct ctl *ctl, struct import *im)
{
	struct batch		 fly[IMPORT_INFLIGHT_MAX], next;
	struct conn_frame	 f;
	uint32_t		 max_frame = ctl->conn.max_frame;
	size_t			 row = 0, nfly = 0, inflight = 0, i;
	size_t			 budget = (size_t)IMPORT_WINDOW * max_frame;
	char			 err[MSG_TEXT_MAX + 64];
	int			 rc, finished, code;

	if (im->atomic) {
		next.first = 0;
		next.count = im->nrows;
		next.answered = 0;
		next.bound = 0;
		if (FRAME_HDR_LEN + 5 + im->items.len > max_frame)
			return ctl_usage(ctl, NULL, "--atomic: the file makes a "
			    "batch of %zu bytes; the server's max_frame_bytes is "
			    "%u: import it without --atomic or in parts",
			    FRAME_HDR_LEN + 5 + im->items.len, max_frame);
	}
	while (row < im->nrows || nfly > 0) {
		if (row < im->nrows && nfly < IMPORT_INFLIGHT_MAX) {
			if (!im->atomic)
				import_plan(im, row, max_frame, &next);
			if (nfly == 0 || inflight + next.bound <= budget) {
				if ((rc = import_send(ctl, im, &next)) != CTL_OK)
					return rc;
				fly[nfly++] = next;
				inflight += next.bound;
				row += next.count;
				continue;
			}
		}
		if (conn_recv(&ctl->conn, &f, err, sizeof(err)) != CONN_OK)
			return ctl_conn_fail(ctl, err);
		for (i = 0; i < nfly && fly[i].reqid != f.reqid; i++)
			;
		if (i == nfly) {
			if (f.type == MSG_ERROR && msg_decode_error(f.payload,
			    f.len, &code, err, sizeof(err)) == 0)
				return ctl_refusal(ctl, code, err);
			return ctl_conn_fail(ctl, "answer for another request");
		}
		if ((rc = import_frame(ctl, im, &fly[i], &f, &finished)) != CTL_OK)
			return rc;
		if (finished) {
			inflight -= fly[i].bound;
			fly[i] = fly[--nfly];
		}
	}
	return CTL_OK;
}

static int
import_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct import	 im;
	json_t		*o;
	int		 rc;

	memset(&im, 0, sizeof(im));
	wbuf_init(&im.items);
	im.atomic = args_get(a, "atomic") != NULL;
	if ((rc = import_read(ctl, a->cmd, a->pos[0], &im)) != CTL_OK)
		goto done;
	if ((rc = ctl_connect(ctl)) != CTL_OK ||
	    (rc = import_pump(ctl, &im)) != CTL_OK)
		goto done;
	if (ctl->json) {
		o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:b}", "type", "summary",
		    "rows", (json_int_t)im.nrows, "written", (json_int_t)im.written,
		    "duplicates", (json_int_t)im.dups,
		    "refused", (json_int_t)im.refused, "atomic", im.atomic);
		out_json_line(ctl->out, o);
	} else
		fprintf(ctl->out, "written %zu, duplicates %zu, refused %zu "
		    "(%zu rows%s)\n", im.written, im.dups, im.refused, im.nrows,
		    im.atomic && im.refused > 0 ? "; atomic: nothing written" : "");
	rc = im.refused > 0 ? CTL_REFUSED : CTL_OK;
done:
	import_free(&im);
	return rc;
}
