/*
 * recon.c - the arithmetic of `report` and `reconcile` (recon.h): sums,
 * reversals and the matching of ledger payments against a statement, over
 * plain arrays.
 *
 * Nothing here reads a file, talks to the daemon or prints, so that
 * tests/test_recon.c can drive every rule with a handful of entries, and
 * so that the figures a report prints are the figures tested.  Every sum is
 * checked for overflow: amounts are at most 10^13, but a broken answer
 * from the daemon must fail here, not wrap.
 *
 * A reversal cancels the entry whose seq it names, whatever its kind, so
 * both commands start from the set of reversed seqs (sorted, searched
 * with bsearch) rather than by walking reversals per entry.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "recon.h"

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
