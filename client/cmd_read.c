/*
 * cmd_read.c - the commands that read: region list, terms show, balance,
 * receivables, get, list, status.  Every role may run them.
 *
 * `list`, `region list` and `terms show` are answered in ENTRIES frames.
 * `list` hands each entry to output.c's list table as its frame arrives
 * (the table holds at most OUT_LIST_HOLD rows to size its columns), so a
 * listing of the whole ledger needs bounded memory; `region list` and
 * `terms show` collect their (few) entries to size the table's columns.
 *
 * `list` as a table marks what later entries did to an entry: an award
 * replaced by a later award of the same region-year is "superseded by N",
 * an entry a reversal names is "reversed by N".  The later entry may lie
 * beyond --limit or outside --kind, so before the listing ledgerctl reads
 * the awards and reversals that can matter (LIST by kind, from --since, in
 * --fy and, for awards, --region) into a sorted table of marks.  Both
 * kinds are rare next to payments; JSON lines carry no marks, so they
 * cost nothing there.
 *
 * A request (two-person approval) has a status that later entries and
 * the clock decide (approvals.h): `get` of a request, and `list` whenever
 * it may show requests, first read the requests' decisions with APPROVALS
 * what=ALL, so that the status is printed beside the entry (JSON "status";
 * the table's MARK).  `pending` lists the open requests that have not
 * expired; `policy show` the approval policy in force, or the defaults.
 *
 * Tables are printed in the language and unit of --lang and --unit
 * (display.h); `balance` reads the region list once to show names beside
 * codes.
 * Every entry is decoded and checked on the way (proto/entry.h), and its
 * leaf hash is computed from the bytes received, so what is printed is what
 * the Merkle tree commits to.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <inttypes.h>

#include "approvals.h"
#include "ctl.h"
#include "display.h"
#include "entry.h"
#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "output.h"
#include "regnames.h"
#include "session.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE
#define R	(OPT_VALUE | OPT_REQUIRED)

static const struct ctl_opt no_opts[] = { { NULL, 0 } };
static const struct ctl_opt balance_opts[] = {
	{ "fy", R }, { "region", V }, { "account", V }, { NULL, 0 }
};
static const struct ctl_opt list_opts[] = {
	{ "since", V }, { "limit", V }, { "region", V }, { "fy", V },
	{ "kind", V }, { NULL, 0 }
};
static const struct ctl_opt terms_show_opts[] = {
	{ "fy", V }, { NULL, 0 }
};
static const struct ctl_opt get_opts[] = {
	{ "id", V }, { "ref", V }, { NULL, 0 }
};
static const struct ctl_opt receivables_opts[] = {
	{ "fy", V }, { "region", V }, { "as-of", V }, { NULL, 0 }
};

static int	region_list_run(struct ctl *, const struct ctl_args *);
static int	terms_show_run(struct ctl *, const struct ctl_args *);
static int	balance_run(struct ctl *, const struct ctl_args *);
static int	receivables_run(struct ctl *, const struct ctl_args *);
static int	get_run(struct ctl *, const struct ctl_args *);
static int	list_run(struct ctl *, const struct ctl_args *);
static int	status_run(struct ctl *, const struct ctl_args *);
static int	scrub_run(struct ctl *, const struct ctl_args *);
static int	pending_run(struct ctl *, const struct ctl_args *);
static int	policy_show_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_read_cmds[] = {
	{ "region", "list", { NULL }, 0, 0, no_opts, "region list",
	    region_list_run, 0 },
	{ "terms", "show", { NULL }, 0, 0, terms_show_opts,
	    "terms show [--fy FY]", terms_show_run, 0 },
	{ "balance", NULL, { NULL }, 0, 0, balance_opts,
	    "balance --fy FY [--region CODE | --account ACCOUNT]",
	    balance_run, 0 },
	{ "receivables", NULL, { NULL }, 0, 0, receivables_opts,
	    "receivables [--fy FY] [--region CODE] [--as-of DATE]",
	    receivables_run, 0 },
	{ "get", NULL, { "SEQ" }, 0, 1, get_opts,
	    "get SEQ | get --id KEY | get --ref REF", get_run, 0 },
	{ "list", NULL, { NULL }, 0, 0, list_opts,
	    "list [--since SEQ] [--limit N] [--region CODE] [--fy FY] "
	    "[--kind KIND]", list_run, 0 },
	{ "status", NULL, { NULL }, 0, 0, no_opts, "status", status_run, 0 },
	{ "scrub", NULL, { NULL }, 0, 0, no_opts, "scrub", scrub_run, 0 },
	{ "pending", NULL, { NULL }, 0, 0, no_opts, "pending", pending_run, 0 },
	{ "policy", "show", { NULL }, 0, 0, no_opts, "policy show",
	    policy_show_run, 0 },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

int
cmd_build_get(const struct ctl_args *a, uint64_t *seq, char *err, size_t errlen)
{
	return arg_seq("SEQ", a->pos[0], seq, err, errlen);
}

int
cmd_build_lookup(const struct ctl_args *a, int *by, uint64_t *seq,
    const char **key, char *err, size_t errlen)
{
	const char *id = args_get(a, "id"), *ref = args_get(a, "ref");
	int n = (a->npos > 0) + (id != NULL) + (ref != NULL), takes_ref;

	*by = 0;
	*seq = 0;
	*key = NULL;
	if (n != 1) {
		takes_ref = a->cmd != NULL && strcmp(a->cmd->word, "get") == 0;
		snprintf(err, errlen, "name the entry %sby %s", n == 0 ? "" :
		    "one way only: ", takes_ref ? "SEQ, --id KEY or --ref REF" :
		    "SEQ or --id KEY");
		return -1;
	}
	if (a->npos > 0)
		return arg_seq("SEQ", a->pos[0], seq, err, errlen);
	*by = id != NULL ? MSG_FIND_ID : MSG_FIND_REF;
	*key = id != NULL ? id : ref;
	if (!ld_valid_ref(*key)) {
		snprintf(err, errlen, "%s: '%.80s' is not a%s (1-64 printable "
		    "ASCII characters)", id != NULL ? "--id" : "--ref", *key,
		    id != NULL ? "n id" : " ref");
		return -1;
	}
	return 0;
}

int
cmd_build_list(const struct ctl_args *a, struct msg_list *l, char *err,
    size_t errlen)
{
	const char	*s;
	char		 why[160] = "", kinds[256];
	size_t		 n = 0;
	int		 k;

	memset(l, 0, sizeof(*l));
	if ((s = args_get(a, "since")) != NULL &&
	    parse_u64(s, &l->since, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "--since: %s", why[0] != '\0' ? why :
		    "not a number");
		return -1;
	}
	if ((s = args_get(a, "limit")) != NULL &&
	    arg_seq("--limit", s, &l->limit, err, errlen) == -1)
		return -1;
	if ((s = args_get(a, "region")) != NULL &&
	    arg_code("--region", s, l->region, sizeof(l->region), err,
	    errlen) == -1)
		return -1;
	if (args_get(a, "fy") != NULL && arg_fy(a, "fy", &l->fy, err, errlen) == -1)
		return -1;
	if ((s = args_get(a, "kind")) != NULL &&
	    (l->kind = (uint8_t)ld_kind_from_name(s)) == 0) {
		/* Named from proto's list, so a new kind cannot be forgotten. */
		kinds[0] = '\0';
		for (k = 1; k <= LD_K_MAX && n < sizeof(kinds); k++)
			n += (size_t)snprintf(kinds + n, sizeof(kinds) - n, "%s%s",
			    k > 1 ? ", " : "", ld_kind_name(k));
		snprintf(err, errlen, "--kind: '%.80s' is not a kind (%s)", s,
		    kinds);
		return -1;
	}
	return 0;
}

int
cmd_build_balance(const struct ctl_args *a, struct msg_balance_req *b,
    char *err, size_t errlen)
{
	const char	*region = args_get(a, "region");
	const char	*account = args_get(a, "account");

	memset(b, 0, sizeof(*b));
	if (arg_fy(a, "fy", &b->fy, err, errlen) == -1)
		return -1;
	if (region != NULL && account != NULL) {
		snprintf(err, errlen, "give --region or --account, not both");
		return -1;
	}
	b->scope = BAL_ALL;
	if (region != NULL) {
		b->scope = BAL_REGION;
		if (arg_code("--region", region, b->region, sizeof(b->region),
		    err, errlen) == -1)
			return -1;
	}
	if (account != NULL) {
		b->scope = BAL_ACCOUNT;
		b->account = (uint8_t)ld_account_from_name(account);
		if (b->account == 0) {
			snprintf(err, errlen, "--account: '%.80s' is not an account "
			    "(general or reconstruction)", account);
			return -1;
		}
	}
	return 0;
}

int
cmd_build_receivables(const struct ctl_args *a, int64_t now,
    struct msg_receivables_req *q, char *err, size_t errlen)
{
	const char	*s;

	memset(q, 0, sizeof(*q));
	if (args_get(a, "fy") != NULL && arg_fy(a, "fy", &q->fy, err, errlen) == -1)
		return -1;
	if ((s = args_get(a, "region")) != NULL &&
	    arg_code("--region", s, q->region, sizeof(q->region), err,
	    errlen) == -1)
		return -1;
	/* Charges accrue per day in Japan, whatever this machine's TZ is. */
	if (args_get(a, "as-of") == NULL)
		q->as_of = ctl_date_jst(now);
	else if (arg_date(a, "as-of", &q->as_of, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * Walk one ENTRIES frame, calling fn for each entry.  Returns CTL_OK or
 * the first failure (a malformed frame is a protocol failure: CTL_CONN).
 */
static int
entries_each(struct ctl *ctl, const struct ctlconn_frame *f,
    int (*fn)(struct ctl *, const struct ld_entry *, const uint8_t *, size_t,
    void *), void *arg)
{
	struct msg_entries_iter	 it;
	struct ld_entry		 e;
	const uint8_t		*enc;
	size_t			 len;
	int			 r, rc;

	if (msg_entries_open(&it, f->payload, f->len) == -1)
		return ctl_conn_fail(ctl, "malformed ENTRIES answer");
	while ((r = msg_entries_next(&it, &enc, &len)) == 1) {
		if (entry_decode(&e, enc, len) == -1)
			return ctl_conn_fail(ctl, "malformed entry in answer");
		if ((rc = fn(ctl, &e, enc, len, arg)) != CTL_OK)
			return rc;
	}
	if (r == -1)
		return ctl_conn_fail(ctl, "malformed ENTRIES answer");
	return CTL_OK;
}

/* Send a stream request and feed every entry of every frame to fn. */
static int
stream(struct ctl *ctl, uint8_t type, const struct wbuf *payload,
    int (*fn)(struct ctl *, const struct ld_entry *, const uint8_t *, size_t,
    void *), void *arg)
{
	struct ctlconn_frame	 f;
	uint32_t		 reqid;
	int			 rc;

	if ((rc = ctl_call(ctl, type, payload, MSG_ENTRIES, &reqid, &f)) != CTL_OK)
		return rc;
	for (;;) {
		if ((rc = entries_each(ctl, &f, fn, arg)) != CTL_OK)
			return rc;
		if (!(f.flags & FRAME_F_MORE))
			return CTL_OK;
		if ((rc = ctl_next(ctl, reqid, MSG_ENTRIES, &f)) != CTL_OK)
			return rc;
	}
}

/*
 * Entries of one kind answered to `region list` or `terms show`: JSON lines
 * go out as they arrive, table rows are kept to size the columns.
 */
struct entry_acc {
	uint8_t		 kind;
	json_t		*(*json)(const struct ld_entry *, const uint8_t *, size_t);
	struct ld_entry	*v;	/* owned */
	size_t		 n;
	size_t		 cap;
};

static int
collect_one(struct ctl *ctl, const struct ld_entry *e, const uint8_t *enc,
    size_t len, void *arg)
{
	struct entry_acc	*acc = arg;
	struct ld_entry		*nv;

	if (e->kind != acc->kind)
		return ctl_conn_fail(ctl, "answer holds an entry of another kind");
	if (ctl->json)
		return out_json_line(ctl->out, acc->json(e, enc, len)) == 0 ?
		    CTL_OK : ctl_conn_fail(ctl, "cannot format an entry");
	if (acc->n == acc->cap) {
		acc->cap = acc->cap > 0 ? acc->cap * 2 : 16;
		nv = reallocarray(acc->v, acc->cap, sizeof(*nv));
		if (nv == NULL)
			return ctl_conn_fail(ctl, "out of memory");
		acc->v = nv;
	}
	acc->v[acc->n++] = *e;
	return CTL_OK;
}

/* Send the request, then print what collect_one kept as a table, or none. */
static int
collect_run(struct ctl *ctl, uint8_t type, const struct wbuf *payload,
    struct entry_acc *acc, const struct disp *d, int (*table)(FILE *,
    const struct disp *, const struct ld_entry *, size_t), const char *none)
{
	int	 rc;

	rc = stream(ctl, type, payload, collect_one, acc);
	if (rc == CTL_OK && !ctl->json) {
		if (acc->n == 0)
			fprintf(ctl->out, "%s\n", none);
		else if (table(ctl->out, d, acc->v, acc->n) == -1)
			rc = ctl_conn_fail(ctl, "cannot format the table");
	}
	free(acc->v);
	acc->v = NULL;
	return rc;
}

/* A region's JSON is its own shape, not its entry's. */
static json_t *
region_json(const struct ld_entry *e, const uint8_t *enc, size_t len)
{
	(void)enc;
	(void)len;
	return out_region_json(e);
}

static int
region_list_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct entry_acc	 acc = { LD_K_REGION, region_json, NULL, 0, 0 };
	struct disp		 d;
	char			 err[256];
	int			 rc;

	if (disp_from_args(&d, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	return collect_run(ctl, MSG_REGION_LIST, NULL, &acc, &d,
	    out_regions_table, "no regions");
}

static int
terms_show_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct entry_acc	 acc = { LD_K_TERMS, out_entry_json, NULL, 0, 0 };
	struct wbuf		 w;
	struct disp		 d;
	uint16_t		 fy = 0;	/* every year */
	char			 err[256];
	int			 rc;

	if (disp_from_args(&d, a, err, sizeof(err)) == -1 ||
	    (args_get(a, "fy") != NULL &&
	    arg_fy(a, "fy", &fy, err, sizeof(err)) == -1))
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	wbuf_init(&w);
	if (msg_encode_terms_req(&w, fy) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, a->cmd, "request cannot be encoded");
	}
	rc = collect_run(ctl, MSG_TERMS, &w, &acc, &d, out_terms_table,
	    "no terms");
	wbuf_free(&w);
	return rc;
}

/* What a later entry did to an earlier one: `list`'s MARK column. */
struct list_mark {
	uint64_t	 seq;		/* the marked entry */
	uint64_t	 by;		/* the later award, or the reversal */
	int		 reversed;	/* 1: reversed; 0: superseded */
};

/* An award as the marks need it: which region-year, in which order. */
struct list_award {
	uint64_t	 seq;
	uint16_t	 fy;
	char		 region[LD_CODE_MAX + 1];
};

struct list_marks {
	struct list_mark  *v;		/* owned; sorted by seq when done */
	size_t		   n, cap;
	struct list_award *aw;		/* owned; the awards read */
	size_t		   naw, capaw;
};

static int
marks_push(struct list_marks *m, uint64_t seq, uint64_t by, int reversed)
{
	struct list_mark	*nv;

	if (m->n == m->cap) {
		m->cap = m->cap > 0 ? m->cap * 2 : 64;
		if ((nv = reallocarray(m->v, m->cap, sizeof(*nv))) == NULL)
			return -1;
		m->v = nv;
	}
	m->v[m->n].seq = seq;
	m->v[m->n].by = by;
	m->v[m->n].reversed = reversed;
	m->n++;
	return 0;
}

static int
marks_one(struct ctl *ctl, const struct ld_entry *e, const uint8_t *enc,
    size_t len, void *arg)
{
	struct list_marks	*m = arg;
	struct list_award	*nv;

	(void)enc;
	(void)len;
	if (e->kind == LD_K_REVERSAL) {
		if (marks_push(m, e->reverses, e->seq, 1) == -1)
			return ctl_conn_fail(ctl, "out of memory");
		return CTL_OK;
	}
	if (e->kind != LD_K_AWARD)
		return ctl_conn_fail(ctl, "answer holds an entry of another kind");
	if (m->naw == m->capaw) {
		m->capaw = m->capaw > 0 ? m->capaw * 2 : 64;
		if ((nv = reallocarray(m->aw, m->capaw, sizeof(*nv))) == NULL)
			return ctl_conn_fail(ctl, "out of memory");
		m->aw = nv;
	}
	m->aw[m->naw].seq = e->seq;
	m->aw[m->naw].fy = e->fy;
	memcpy(m->aw[m->naw].region, e->region, sizeof(e->region));
	m->naw++;
	return CTL_OK;
}

static int
award_cmp(const void *a, const void *b)
{
	const struct list_award	*x = a, *y = b;
	int			 c = strcmp(x->region, y->region);

	if (c != 0)
		return c;
	if (x->fy != y->fy)
		return x->fy < y->fy ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
mark_cmp(const void *a, const void *b)
{
	const struct list_mark	*x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Kinds a reversal may name (contract 2.10). */
static int
reversible_kind(int kind)
{
	return kind == LD_K_APPROPRIATION || kind == LD_K_DISBURSEMENT ||
	    kind == LD_K_REFUND || kind == LD_K_RECEIPT;
}

/*
 * Read the awards and reversals that can mark an entry of listing l:
 * both come after what they mark, so from l->since on, and in l->fy (a
 * reversal carries its target's year).  Awards replace the previous award
 * of their region-year.  Leaves m sorted by marked seq.
 */
static int
marks_read(struct ctl *ctl, const struct msg_list *l, struct list_marks *m)
{
	struct msg_list	 q;
	struct wbuf	 w;
	size_t		 i;
	int		 pass, rc = CTL_OK;

	for (pass = 0; pass < 2 && rc == CTL_OK; pass++) {
		memset(&q, 0, sizeof(q));
		q.since = l->since;
		q.fy = l->fy;
		if (pass == 0) {
			if (l->kind != 0 && l->kind != LD_K_AWARD)
				continue;
			q.kind = LD_K_AWARD;
			memcpy(q.region, l->region, sizeof(q.region));
		} else {
			if (l->kind != 0 && !reversible_kind(l->kind))
				continue;
			q.kind = LD_K_REVERSAL;
		}
		wbuf_init(&w);
		if (msg_encode_list(&w, &q) == -1)
			rc = ctl_conn_fail(ctl, "out of memory");
		else
			rc = stream(ctl, MSG_LIST, &w, marks_one, m);
		wbuf_free(&w);
	}
	if (rc != CTL_OK)
		return rc;
	if (m->naw > 1)
		qsort(m->aw, m->naw, sizeof(*m->aw), award_cmp);
	for (i = 0; i + 1 < m->naw; i++)
		if (strcmp(m->aw[i].region, m->aw[i + 1].region) == 0 &&
		    m->aw[i].fy == m->aw[i + 1].fy &&
		    marks_push(m, m->aw[i].seq, m->aw[i + 1].seq, 0) == -1)
			return ctl_conn_fail(ctl, "out of memory");
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), mark_cmp);
	return CTL_OK;
}

/* The mark of seq in d's language, into buf; "" when it has none. */
static const char *
mark_of(const struct list_marks *m, const struct disp *d, uint64_t seq,
    char *buf, size_t bufsz)
{
	struct list_mark	 key = { seq, 0, 0 };
	const struct list_mark	*hit;

	if (m->n == 0 || (hit = bsearch(&key, m->v, m->n, sizeof(*m->v),
	    mark_cmp)) == NULL)
		return "";
	if (d->lang == DISP_JA)
		snprintf(buf, bufsz, "%" PRIu64 "番で%s", hit->by,
		    hit->reversed ? "取消" : "変更");
	else
		snprintf(buf, bufsz, "%s by %" PRIu64, hit->reversed ?
		    "reversed" : "superseded", hit->by);
	return buf;
}

struct list_state {
	uint64_t		 count;
	uint64_t		 last;	/* seq of the previous entry */
	struct out_list		*tbl;	/* owned; NULL with --json */
	const struct list_marks	*marks;
	const struct disp	*d;
	const struct appr_book	*book;	/* the requests' decisions */
	int64_t			 now_us;
};

/* A request's mark: its status, and the approval that decided it. */
static const char *
request_mark(const struct disp *d, const struct ld_entry *e,
    const struct appr_book *book, int64_t now_us, char *buf, size_t bufsz)
{
	const struct appr_row	*r = appr_book_find(book, e->seq);
	int			 s = appr_entry_status(e, book, now_us, 0);
	const char		*w = disp_word(d, appr_status_name(s));

	if (r == NULL || s == APPR_PENDING || s == APPR_EXPIRED)
		snprintf(buf, bufsz, "%s", w);
	else if (d->lang == DISP_JA)
		snprintf(buf, bufsz, "%" PRIu64 "番で%s", r->approval, w);
	else
		snprintf(buf, bufsz, "%s by %" PRIu64, w, r->approval);
	return buf;
}

static int
list_one(struct ctl *ctl, const struct ld_entry *e, const uint8_t *enc,
    size_t len, void *arg)
{
	struct list_state	*st = arg;
	json_t			*obj;
	char			 mark[64];

	if (e->seq <= st->last)
		return ctl_conn_fail(ctl, "entries out of seq order");
	st->last = e->seq;
	if (ctl->json) {
		obj = out_entry_json(e, enc, len);
		if (obj != NULL && e->kind == LD_K_REQUEST &&
		    appr_json_status(obj, appr_entry_status(e, st->book,
		    st->now_us, 0)) == -1) {
			json_decref(obj);
			obj = NULL;
		}
		if (out_json_line(ctl->out, obj) == -1)
			return ctl_conn_fail(ctl, "cannot format an entry");
	} else if (out_list_add(st->tbl, e, e->kind == LD_K_REQUEST ?
	    request_mark(st->d, e, st->book, st->now_us, mark, sizeof(mark)) :
	    mark_of(st->marks, st->d, e->seq, mark, sizeof(mark))) == -1)
		return ctl_conn_fail(ctl, "cannot format an entry");
	st->count++;
	return CTL_OK;
}

static int
list_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_list		 l;
	struct list_marks	 marks;
	struct list_state	 st;
	struct appr_book	 book;
	struct wbuf		 w;
	struct disp		 d;
	char			 err[256];
	int			 rc;

	memset(&marks, 0, sizeof(marks));
	memset(&st, 0, sizeof(st));
	memset(&book, 0, sizeof(book));
	if (cmd_build_list(a, &l, err, sizeof(err)) == -1 ||
	    disp_from_args(&d, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	st.marks = &marks;
	st.d = &d;
	st.book = &book;
	st.now_us = appr_now_us();
	if (l.kind == 0 || l.kind == LD_K_REQUEST) {
		/*
		 * The requests' decisions, read before the listing, which
		 * cannot be interrupted: a damaged approval leaves them out
		 * (the listing then shows the refusal where it meets it).
		 */
		ctl->quiet = 1;
		rc = appr_book_read(ctl, 0, &book);
		ctl->quiet = 0;
		if (rc != CTL_OK && rc != CTL_REFUSED)
			goto done;
	}
	if (!ctl->json) {
		/*
		 * The marks are an aid: a refusal while reading them (a
		 * damaged entry) leaves them out, and the listing itself then
		 * shows the entries up to the refusal, and the refusal.
		 */
		ctl->quiet = 1;
		rc = marks_read(ctl, &l, &marks);
		ctl->quiet = 0;
		if (rc != CTL_OK && rc != CTL_REFUSED)
			goto done;
		if ((st.tbl = out_list_new(ctl->out, &d)) == NULL) {
			rc = ctl_conn_fail(ctl, "out of memory");
			goto done;
		}
	}
	wbuf_init(&w);
	if (msg_encode_list(&w, &l) == -1) {
		wbuf_free(&w);
		rc = ctl_usage(ctl, a->cmd, "request cannot be encoded");
		goto done;
	}
	rc = stream(ctl, MSG_LIST, &w, list_one, &st);
	wbuf_free(&w);
	/* A refusal mid-stream (DAMAGED) still shows the entries before it. */
	if ((rc == CTL_OK || rc == CTL_REFUSED) && st.tbl != NULL) {
		if (out_list_end(st.tbl) == -1)
			rc = ctl_conn_fail(ctl, "cannot format the list");
		st.tbl = NULL;
	}
done:
	out_list_free(st.tbl);
	free(marks.v);
	free(marks.aw);
	appr_book_free(&book);
	return rc;
}

/*
 * One entry as `get` shows it: JSON line, or key: value lines; a request
 * with its status, decided by book.
 */
static int
print_entry(struct ctl *ctl, const struct ld_entry *e, const uint8_t *enc,
    size_t enclen, const struct appr_book *book)
{
	json_t	*obj = out_entry_json(e, enc, enclen);
	int	 rc;

	if (obj != NULL && e->kind == LD_K_REQUEST &&
	    appr_json_status(obj, appr_entry_status(e, book, appr_now_us(),
	    0)) == -1) {
		json_decref(obj);
		obj = NULL;
	}
	if (ctl->json)
		rc = out_json_line(ctl->out, obj);
	else
		rc = out_entry_kv(ctl->out, e, obj);
	return rc == 0 ? CTL_OK : ctl_conn_fail(ctl, "cannot format the entry");
}

/* get --id / --ref: each entry found, a blank line between them. */
struct found {
	uint32_t		 n;
	const struct appr_book	*book;
};

static int
print_found(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct found *fd = arg;
	struct ld_entry e;

	if (entry_decode(&e, enc, len) == -1)
		return ctl_conn_fail(ctl, "malformed entry in the answer");
	if (fd->n++ > 0 && !ctl->json)
		fputc('\n', ctl->out);
	return print_entry(ctl, &e, enc, len, fd->book);
}

static int
get_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ld_entry		 e;
	struct found		 fd;
	struct appr_book	 book;
	const uint8_t		*enc;
	uint8_t			 copy[LD_ENTRY_ENC_MAX];
	const char		*key;
	size_t			 enclen;
	uint64_t		 seq;
	char			 err[256];
	int			 rc, by;

	memset(&book, 0, sizeof(book));
	if (cmd_build_lookup(a, &by, &seq, &key, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	if (by != 0) {
		/* A stream cannot be interrupted: decisions first. */
		ctl->quiet = 1;
		rc = appr_book_read(ctl, 0, &book);
		ctl->quiet = 0;
		if (rc != CTL_OK && rc != CTL_REFUSED)
			goto out;
		memset(&fd, 0, sizeof(fd));
		fd.book = &book;
		if ((rc = ctl_find(ctl, by, key, print_found, &fd)) != CTL_OK ||
		    fd.n > 0)
			goto out;
		snprintf(err, sizeof(err), "no entry with %s \"%s\"",
		    by == MSG_FIND_ID ? "id" : "ref", key);
		rc = ctl_refusal(ctl, LD_E_NOT_FOUND, err);
		goto out;
	}
	if ((rc = ctl_get(ctl, seq, &e, &enc, &enclen)) != CTL_OK)
		goto out;
	if (e.kind == LD_K_REQUEST) {
		/* The answer's buffer is the connection's: keep the bytes. */
		if (enclen > sizeof(copy)) {
			rc = ctl_conn_fail(ctl, "malformed ENTRY answer");
			goto out;
		}
		memcpy(copy, enc, enclen);
		enc = copy;
		if ((rc = appr_book_read(ctl, 0, &book)) != CTL_OK)
			goto out;
	}
	rc = print_entry(ctl, &e, enc, enclen, &book);
out:
	appr_book_free(&book);
	return rc;
}

/*
 * pending: the open requests that have not expired, by this machine's
 * clock (an expired one can no longer be approved; report --approvals
 * shows it).
 */
struct pending_acc {
	struct ld_entry	*v;	/* owned */
	size_t		 n, cap;
	int64_t		 now_us;
	const struct disp *d;
};

static int
pending_one(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct pending_acc	*acc = arg;
	struct ld_entry		 e, *nv;
	json_t			*obj;

	if (entry_decode(&e, enc, len) == -1 || e.kind != LD_K_REQUEST)
		return ctl_conn_fail(ctl, "malformed request in APPROVALS "
		    "answer");
	if (appr_entry_status(&e, NULL, acc->now_us, 0) != APPR_PENDING)
		return CTL_OK;
	if (ctl->json) {
		obj = out_entry_json(&e, enc, len);
		if (appr_json_status(obj, APPR_PENDING) == -1) {
			json_decref(obj);
			obj = NULL;
		}
		return out_json_line(ctl->out, obj) == 0 ? CTL_OK :
		    ctl_conn_fail(ctl, "cannot format a request");
	}
	if (acc->n == acc->cap) {
		acc->cap = acc->cap > 0 ? acc->cap * 2 : 16;
		if ((nv = reallocarray(acc->v, acc->cap, sizeof(*nv))) == NULL)
			return ctl_conn_fail(ctl, "out of memory");
		acc->v = nv;
	}
	acc->v[acc->n++] = e;
	return CTL_OK;
}

static int
pending_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct pending_acc	 acc;
	struct disp		 d;
	char			 err[256];
	int			 rc;

	memset(&acc, 0, sizeof(acc));
	if (disp_from_args(&d, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	acc.now_us = appr_now_us();
	acc.d = &d;
	rc = ctl_approvals(ctl, MSG_APPR_OPEN, 0, pending_one, &acc);
	if (rc == CTL_OK && !ctl->json &&
	    appr_pending_table(ctl->out, &d, acc.v, acc.n) == -1)
		rc = ctl_conn_fail(ctl, "cannot format the requests");
	free(acc.v);
	return rc;
}

/* policy show: the policy entry in force, or the defaults without one. */
struct policy_acc {
	struct ld_entry	 e;
	uint8_t		 enc[LD_ENTRY_ENC_MAX];
	size_t		 len;
	int		 n;
};

static int
policy_one(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct policy_acc	*acc = arg;

	if (acc->n++ > 0 || len > sizeof(acc->enc) ||
	    entry_decode(&acc->e, enc, len) == -1 ||
	    acc->e.kind != LD_K_POLICY)
		return ctl_conn_fail(ctl, "malformed APPROVALS answer: one "
		    "policy entry expected");
	memcpy(acc->enc, enc, len);
	acc->len = len;
	return CTL_OK;
}

static int
policy_show_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct policy_acc	*acc;
	struct disp		 d;
	json_t			*obj;
	char			 err[256], detail[LD_TEXT_MAX + 256];
	int			 rc;

	if (disp_from_args(&d, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	if ((acc = calloc(1, sizeof(*acc))) == NULL)
		return ctl_conn_fail(ctl, "out of memory");
	if ((rc = ctl_approvals(ctl, MSG_APPR_POLICY, 0, policy_one, acc)) !=
	    CTL_OK)
		goto out;
	if (acc->n > 0)
		obj = out_entry_json(&acc->e, acc->enc, acc->len);
	else {
		/* No policy entry: nothing needs a second officer. */
		acc->e.kind = LD_K_POLICY;
		acc->e.expire_days = LD_EXPIRE_DAYS_DEFAULT;
		obj = json_pack("{s:n, s:s, s:o, s:i, s:i, s:b}", "seq", "kind",
		    "policy", "require", json_array(), "disburse_over", 0,
		    "expire_days", LD_EXPIRE_DAYS_DEFAULT, "default", 1);
	}
	if (ctl->json)
		rc = out_json_line(ctl->out, obj);
	else {
		out_approval_detail(&d, &acc->e, detail, sizeof(detail));
		if (acc->n == 0)
			fprintf(ctl->out, "%s\n", d.lang == DISP_JA ?
			    "承認方針は記録されていません（既定値）" :
			    "no policy recorded: the defaults apply");
		fprintf(ctl->out, "%s\n", detail);
		rc = out_kv(ctl->out, obj);
	}
	rc = rc == 0 ? CTL_OK : ctl_conn_fail(ctl, "cannot format the policy");
out:
	free(acc);
	return rc;
}

static int
balance_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_balance_req	 b;
	struct ld_acct_bal	*accts = NULL;
	struct ld_region_bal	*regions = NULL;
	struct regnames		 names;
	struct ctlconn_frame	 f;
	struct wbuf		 w;
	struct disp		 d;
	uint32_t		 n = 0, m = 0, i;
	char			 err[256];
	int			 rc;

	memset(&names, 0, sizeof(names));
	if (cmd_build_balance(a, &b, err, sizeof(err)) == -1 ||
	    disp_from_args(&d, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	wbuf_init(&w);
	rc = msg_encode_balance_req(&w, &b);
	if (rc == 0)
		rc = ctl_call(ctl, MSG_BALANCE, &w, MSG_BALANCES, NULL, &f);
	else
		rc = ctl_usage(ctl, a->cmd, "request cannot be encoded");
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	if (msg_decode_balances(f.payload, f.len, &accts, &n, &regions, &m) == -1)
		return ctl_conn_fail(ctl, "malformed BALANCES answer");

	if (ctl->json) {
		for (i = 0; i < n && rc == CTL_OK; i++)
			if (out_json_line(ctl->out, out_acct_bal_json(&accts[i])) == -1)
				rc = ctl_conn_fail(ctl, "cannot format a balance");
		for (i = 0; i < m && rc == CTL_OK; i++)
			if (out_json_line(ctl->out,
			    out_region_bal_json(&regions[i])) == -1)
				rc = ctl_conn_fail(ctl, "cannot format a balance");
	} else if (m > 0 && (rc = ctl_region_names(ctl, &names)) != CTL_OK)
		;	/* already printed */
	else if (out_balances_table(ctl->out, &d, accts, n, regions, m,
	    &names) == -1)
		rc = ctl_conn_fail(ctl, "cannot format the balances");
	regnames_free(&names);
	free(accts);
	free(regions);
	return rc;
}

static int
receivables_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_receivables_req	 q;
	struct msg_receivable		*v = NULL;
	struct ctlconn_frame		 f;
	struct wbuf			 w;
	struct disp			 d;
	uint32_t			 n = 0, i;
	char				 err[256];
	int				 rc;

	if (cmd_build_receivables(a, (int64_t)time(NULL), &q, err,
	    sizeof(err)) == -1 || disp_from_args(&d, a, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	wbuf_init(&w);
	if (msg_encode_receivables_req(&w, &q) == 0)
		rc = ctl_call(ctl, MSG_RECEIVABLES, &w, MSG_RECEIVABLES_OK, NULL,
		    &f);
	else
		rc = ctl_usage(ctl, a->cmd, "request cannot be encoded");
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	if (msg_decode_receivables(f.payload, f.len, &v, &n) == -1)
		return ctl_conn_fail(ctl, "malformed RECEIVABLES_OK answer");

	if (ctl->json) {
		for (i = 0; i < n && rc == CTL_OK; i++)
			if (out_json_line(ctl->out,
			    out_receivable_json(&v[i], q.as_of)) == -1)
				rc = ctl_conn_fail(ctl, "cannot format a receivable");
	} else if (out_receivables_table(ctl->out, &d, v, n, q.as_of) == -1)
		rc = ctl_conn_fail(ctl, "cannot format the receivables");
	free(v);
	return rc;
}

static int
status_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct msg_status	 s;
	struct ctlconn_frame	 f;
	json_t			*obj;
	int			 rc;

	(void)a;
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	if ((rc = ctl_call(ctl, MSG_STATUS, NULL, MSG_STATUS_OK, NULL, &f)) != CTL_OK)
		return rc;
	if (msg_decode_status(f.payload, f.len, &s) == -1)
		return ctl_conn_fail(ctl, "malformed STATUS_OK answer");
	obj = out_status_json(&s, &ctl->conn.hello);
	if (ctl->json)
		rc = out_json_line(ctl->out, obj);
	else {
		/* A cluster's members are a table, not "key: value" lines. */
		if (obj != NULL)
			json_object_del(obj, "members");
		rc = out_kv(ctl->out, obj);
		if (rc == 0 && s.has_cluster && fprintf(ctl->out,
		    "members:\n") < 0)
			rc = -1;
		if (rc == 0 && s.has_cluster)
			rc = out_members_text(ctl->out, &s.cluster, 2);
	}
	return rc == 0 ? CTL_OK : ctl_conn_fail(ctl, "cannot format the status");
}

/*
 * scrub: ask the daemon to re-verify every entry and tree node now
 * (admin or auditor); it answers at once, and `status` shows the pass.
 */
static int
scrub_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ctlconn_frame	 f;
	int			 rc, started;

	(void)a;
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;
	if ((rc = ctl_call(ctl, MSG_SCRUB, NULL, MSG_SCRUB_OK, NULL, &f)) !=
	    CTL_OK)
		return rc;
	if (f.len != 1 || f.payload[0] > 1)
		return ctl_conn_fail(ctl, "malformed SCRUB_OK answer");
	started = f.payload[0];
	if (ctl->json)
		rc = out_json_line(ctl->out, json_pack("{s:b}", "started",
		    started));
	else
		rc = fprintf(ctl->out, "%s\n", started ? "scrub started: "
		    "`ledgerctl status` shows its progress and result" :
		    "a scrub is already running") < 0 ? -1 : 0;
	return rc == 0 ? CTL_OK : ctl_conn_fail(ctl, "cannot write the answer");
}
