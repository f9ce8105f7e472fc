/*
 * approvals.c - requests, their decisions and their status as ledgerctl
 * shows them (approvals.h).
 *
 * The book is filled from one APPROVALS answer in the order the daemon
 * streams it (each request, then the approval that decided it, then an
 * approved action's entry), and checked against that order as it goes: an
 * answer that pairs an approval with the wrong request would otherwise be
 * printed as a decision nobody made.  Requests arrive in seq order, so a
 * lookup by seq is a binary search.
 *
 * Only what the reports show is copied out of each entry: a ledger may
 * hold many requests, and an entry is kilobytes of mostly empty text.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approvals.h"
#include "csvwrite.h"
#include "ctl.h"
#include "errors.h"
#include "output.h"
#include "report.h"
#include "session.h"
#include "values.h"

static const char *const status_names[APPR_MAX + 1] = {
	NULL, "pending", "approved", "refused", "rejected", "expired"
};

const char *
appr_status_name(int status)
{
	return status < 1 || status > APPR_MAX ? NULL : status_names[status];
}

int
appr_status_from_name(const char *s)
{
	int	 i;

	for (i = 1; s != NULL && i <= APPR_MAX; i++)
		if (strcmp(status_names[i], s) == 0)
			return i;
	return 0;
}

void
appr_book_free(struct appr_book *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++)
		free(b->v[i].reason);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static int
row_cmp(const void *k, const void *r)
{
	uint64_t	 seq = *(const uint64_t *)k;
	uint64_t	 rs = ((const struct appr_row *)r)->seq;

	return seq < rs ? -1 : seq > rs;
}

const struct appr_row *
appr_book_find(const struct appr_book *b, uint64_t seq)
{
	if (b == NULL || b->n == 0)
		return NULL;
	return bsearch(&seq, b->v, b->n, sizeof(*b->v), row_cmp);
}

int
appr_book_add(struct appr_book *b, const struct ld_entry *e, char *why,
    size_t whylen)
{
	struct appr_row	*r, *nv;

	switch (e->kind) {
	case LD_K_REQUEST:
		if (b->n > 0 && e->seq <= b->v[b->n - 1].seq) {
			snprintf(why, whylen, "request %" PRIu64 " out of seq "
			    "order", e->seq);
			return -1;
		}
		if (b->n == b->cap) {
			b->cap = b->cap > 0 ? b->cap * 2 : 32;
			if ((nv = reallocarray(b->v, b->cap, sizeof(*nv))) ==
			    NULL) {
				snprintf(why, whylen, "out of memory");
				return -1;
			}
			b->v = nv;
		}
		r = &b->v[b->n++];
		memset(r, 0, sizeof(*r));
		r->seq = e->seq;
		r->action = e->action;
		r->account = e->account;
		r->grant_type = e->grant_type;
		r->fy = e->fy;
		r->amount = e->amount;
		r->reverses = e->reverses;
		memcpy(r->region, e->region, sizeof(r->region));
		memcpy(r->ref, e->ref, sizeof(r->ref));
		memcpy(r->requester, e->actor, sizeof(r->requester));
		r->requested_at = e->recorded_at;
		r->expires_at = e->expires_at;
		return 0;
	case LD_K_APPROVAL:
		r = (struct appr_row *)appr_book_find(b, e->request);
		if (r == NULL || r->approval != 0 || e->seq <= r->seq) {
			snprintf(why, whylen, "approval %" PRIu64 " of request %"
			    PRIu64 " %s", e->seq, e->request, r == NULL ?
			    "that the answer does not hold" :
			    "that was decided already");
			return -1;
		}
		r->approval = e->seq;
		r->decision = e->decision;
		r->refusal = e->refusal;
		memcpy(r->approver, e->actor, sizeof(r->approver));
		r->decided_at = e->recorded_at;
		if (e->reason[0] != '\0' &&
		    (r->reason = strdup(e->reason)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		return 0;
	default:
		r = (struct appr_row *)appr_book_find(b, e->request);
		if (e->approved_by == 0 || r == NULL ||
		    r->approval != e->approved_by ||
		    r->decision != LD_D_APPROVED || r->entry != 0 ||
		    e->kind != r->action) {
			snprintf(why, whylen, "%s %" PRIu64 " does not complete "
			    "an approved request", ld_kind_name(e->kind) != NULL ?
			    ld_kind_name(e->kind) : "entry", e->seq);
			return -1;
		}
		r->entry = e->seq;
		return 0;
	}
}

int
appr_row_status(const struct appr_row *r, int64_t now_us, uint64_t limit)
{
	if (r->approval != 0 && (limit == 0 || r->approval <= limit)) {
		switch (r->decision) {
		case LD_D_APPROVED:
			return APPR_APPROVED;
		case LD_D_REFUSED:
			return APPR_REFUSED;
		default:
			return APPR_REJECTED;
		}
	}
	return now_us >= r->expires_at ? APPR_EXPIRED : APPR_PENDING;
}

int
appr_entry_status(const struct ld_entry *e, const struct appr_book *b,
    int64_t now_us, uint64_t limit)
{
	const struct appr_row	*r = appr_book_find(b, e->seq);

	if (r != NULL)
		return appr_row_status(r, now_us, limit);
	return now_us >= e->expires_at ? APPR_EXPIRED : APPR_PENDING;
}

int64_t
appr_now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct book_ctx {
	struct appr_book	*b;
};

static int
book_one(struct ctl *ctl, const uint8_t *enc, size_t len, void *arg)
{
	struct book_ctx	*bc = arg;
	struct ld_entry	 e;
	char		 why[160], msg[200];

	if (entry_decode(&e, enc, len) == -1)
		return ctl_conn_fail(ctl, "malformed entry in APPROVALS answer");
	if (appr_book_add(bc->b, &e, why, sizeof(why)) == -1) {
		snprintf(msg, sizeof(msg), "APPROVALS answer: %s", why);
		return ctl_conn_fail(ctl, msg);
	}
	return CTL_OK;
}

int
appr_book_read(struct ctl *ctl, uint16_t fy, struct appr_book *b)
{
	struct book_ctx	 bc = { b };

	return ctl_approvals(ctl, MSG_APPR_ALL, fy, book_one, &bc);
}

int
appr_json_status(json_t *obj, int status)
{
	const char	*name = appr_status_name(status);

	if (obj == NULL || name == NULL)
		return -1;
	return json_object_set_new(obj, "status", json_string(name));
}

/* The JST date of an instant: "2026-12-18". */
static void
date_jst(int64_t us, char *out, size_t outsz)
{
	char	 ts[48];

	out_time_jst(us, ts, sizeof(ts));
	snprintf(out, outsz, "%.10s", ts);
}

/* The JST minute of an instant, for tables: "2026-12-04 19:22". */
static void
minute_jst(int64_t us, char *out, size_t outsz)
{
	char	 ts[48];

	out_time_jst(us, ts, sizeof(ts));
	snprintf(out, outsz, "%.10s %.5s", ts, ts + 11);
}

void
appr_request_line(const struct disp *d, const struct ld_entry *e, char *out,
    size_t outsz)
{
	char	 what[LD_TEXT_MAX + 256], day[16];

	out_request_summary(d, e, what, sizeof(what));
	date_jst(e->expires_at, day, sizeof(day));
	if (d->lang == DISP_JA)
		snprintf(out, outsz, "申請%" PRIu64 "番：%s は他の職員の承認待ち"
		    "です（期限 %s）", e->seq, what, day);
	else
		snprintf(out, outsz, "request %" PRIu64 ": %s is pending approval "
		    "by another officer (expires %s)", e->seq, what, day);
}

int
appr_pending_table(FILE *f, const struct disp *d, const struct ld_entry *v,
    size_t n)
{
	static const char *const heads[] = {
		"SEQ", "ACTION", "REQUESTED_BY", "REQUESTED_AT", "EXPIRES",
		"DETAIL"
	};
	static const int right[] = { 1, 0, 0, 0, 0, 0 };
	struct out_table	 t = { 6, heads, right, NULL, 0, 0, d };
	const char		*row[6];
	char			 seq[24], at[24], exp[24];
	char			 what[LD_TEXT_MAX + 256];
	size_t			 i;
	int			 rc;

	if (n == 0) {
		fprintf(f, "%s\n", d->lang == DISP_JA ?
		    "承認待ちの申請はありません" : "no pending requests");
		return ferror(f) ? -1 : 0;
	}
	for (i = 0; i < n; i++) {
		snprintf(seq, sizeof(seq), "%" PRIu64, v[i].seq);
		minute_jst(v[i].recorded_at, at, sizeof(at));
		date_jst(v[i].expires_at, exp, sizeof(exp));
		out_request_summary(d, &v[i], what, sizeof(what));
		row[0] = seq;
		row[1] = disp_word(d, ld_action_name(v[i].action) != NULL ?
		    ld_action_name(v[i].action) : "?");
		row[2] = v[i].actor;
		row[3] = at;
		row[4] = exp;
		row[5] = what;
		out_table_add(&t, row);
	}
	rc = out_table_print(f, &t);
	out_table_free(&t);
	return rc;
}

/* Does the action carry a region and a fiscal year of a grant? */
static int
action_has_region(int action)
{
	return action == LD_K_DISBURSEMENT || action == LD_K_AWARD_CANCEL ||
	    action == LD_K_SETTLEMENT;
}

static int
action_has_amount(int action)
{
	return action == LD_K_DISBURSEMENT || action == LD_K_SETTLEMENT;
}

json_t *
appr_row_json(const struct appr_row *r, int status)
{
	json_t	*o = json_object();
	char	 ts[40];
	int	 err = o == NULL;

#define SET(k, v)	do { if (!err && json_object_set_new(o, (k), (v)) == -1) \
	err = 1; } while (0)
#define INT_OR_NULL(v, present)	((present) ? \
	json_integer((json_int_t)(v)) : json_null())
	SET("request", json_integer((json_int_t)r->seq));
	SET("action", json_string(ld_action_name(r->action) != NULL ?
	    ld_action_name(r->action) : "?"));
	SET("region", action_has_region(r->action) ? json_string(r->region) :
	    json_null());
	SET("fy", INT_OR_NULL(r->fy, r->action != LD_K_REVERSAL));
	SET("amount", INT_OR_NULL(r->amount, action_has_amount(r->action)));
	SET("ref", r->ref[0] != '\0' ? json_string(r->ref) : json_null());
	if (r->action == LD_K_REVERSAL)
		SET("reverses", json_integer((json_int_t)r->reverses));
	SET("requested_by", json_string(r->requester));
	format_time_us(r->requested_at, ts, sizeof(ts));
	SET("requested_at", json_string(ts));
	format_time_us(r->expires_at, ts, sizeof(ts));
	SET("expires_at", json_string(ts));
	SET("status", json_string(appr_status_name(status)));
	/* A decision after the report's end is not shown: status says so. */
	if (status == APPR_PENDING || status == APPR_EXPIRED) {
		SET("decided_by", json_null());
		SET("decided_at", json_null());
		SET("approval", json_null());
	} else {
		SET("decided_by", json_string(r->approver));
		format_time_us(r->decided_at, ts, sizeof(ts));
		SET("decided_at", json_string(ts));
		SET("approval", json_integer((json_int_t)r->approval));
	}
	SET("entry", INT_OR_NULL(r->entry, status == APPR_APPROVED &&
	    r->entry != 0));
	SET("refusal", status == APPR_REFUSED ?
	    json_string(ld_err_name(r->refusal)) : json_null());
	SET("reason", r->reason != NULL && status != APPR_PENDING &&
	    status != APPR_EXPIRED ? json_string(r->reason) : json_null());
#undef SET
#undef INT_OR_NULL
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The columns of report --approvals as a table. */
enum {
	AR_REQUEST, AR_ACTION, AR_REGION, AR_FY, AR_AMOUNT, AR_REQUESTED_BY,
	AR_REQUESTED_AT, AR_STATUS, AR_DECIDED_BY, AR_DECIDED_AT, AR_APPROVAL,
	AR_ENTRY, AR_REFUSAL, AR_REASON, AR_NCOLS
};

static int
report_table(FILE *f, const struct disp *d, const struct appr_book *b,
    uint16_t fy, int64_t now_us)
{
	static const char *const heads[AR_NCOLS] = {
		"REQUEST", "ACTION", "REGION", "FY", "AMOUNT", "REQUESTED_BY",
		"REQUESTED_AT", "STATUS", "DECIDED_BY", "DECIDED_AT", "APPROVAL",
		"ENTRY", "REFUSAL", "REASON"
	};
	static const int right[AR_NCOLS] = {
		1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0
	};
	struct out_table	 t = { AR_NCOLS, heads, right, NULL, 0, 0, d };
	const struct appr_row	*r;
	const char		*row[AR_NCOLS], *unit;
	char			 seq[24], fys[8], amt[32], at[24], dat[24];
	char			 ap[24], en[24];
	size_t			 i, c, count[APPR_MAX + 1];
	int			 s, rc;

	memset(count, 0, sizeof(count));
	for (i = 0; i < b->n; i++) {
		r = &b->v[i];
		s = appr_row_status(r, now_us, 0);
		count[s]++;
		for (c = 0; c < AR_NCOLS; c++)
			row[c] = "-";
		snprintf(seq, sizeof(seq), "%" PRIu64, r->seq);
		snprintf(fys, sizeof(fys), "%u", (unsigned)r->fy);
		disp_amount(d, r->amount, amt, sizeof(amt));
		minute_jst(r->requested_at, at, sizeof(at));
		minute_jst(r->decided_at, dat, sizeof(dat));
		snprintf(ap, sizeof(ap), "%" PRIu64, r->approval);
		snprintf(en, sizeof(en), "%" PRIu64, r->entry);
		row[AR_REQUEST] = seq;
		row[AR_ACTION] = disp_word(d, ld_action_name(r->action) != NULL ?
		    ld_action_name(r->action) : "?");
		if (action_has_region(r->action))
			row[AR_REGION] = r->region;
		if (r->action != LD_K_REVERSAL)
			row[AR_FY] = fys;
		if (action_has_amount(r->action))
			row[AR_AMOUNT] = amt;
		row[AR_REQUESTED_BY] = r->requester;
		row[AR_REQUESTED_AT] = at;
		row[AR_STATUS] = disp_word(d, appr_status_name(s));
		if (s != APPR_PENDING && s != APPR_EXPIRED) {
			row[AR_DECIDED_BY] = r->approver;
			row[AR_DECIDED_AT] = dat;
			row[AR_APPROVAL] = ap;
			if (r->reason != NULL)
				row[AR_REASON] = r->reason;
		}
		if (s == APPR_APPROVED && r->entry != 0)
			row[AR_ENTRY] = en;
		if (s == APPR_REFUSED)
			row[AR_REFUSAL] = ld_err_name(r->refusal);
		out_table_add(&t, row);
	}
	if (d->lang == DISP_JA)
		fprintf(f, "%u年度の承認申請 %zu件：承認 %zu、不成立 %zu、否認 %zu、"
		    "期限切れ %zu、承認待ち %zu（時刻は日本時間）\n", (unsigned)fy,
		    b->n, count[APPR_APPROVED], count[APPR_REFUSED],
		    count[APPR_REJECTED], count[APPR_EXPIRED],
		    count[APPR_PENDING]);
	else
		fprintf(f, "FY%u: %zu request%s: %zu approved, %zu refused, %zu "
		    "rejected, %zu expired, %zu pending (times in JST)\n",
		    (unsigned)fy, b->n, b->n == 1 ? "" : "s",
		    count[APPR_APPROVED], count[APPR_REFUSED],
		    count[APPR_REJECTED], count[APPR_EXPIRED],
		    count[APPR_PENDING]);
	rc = 0;
	if (b->n > 0) {
		if ((unit = disp_unit_line(d)) != NULL)
			fprintf(f, "%s\n", unit);
		rc = out_table_print(f, &t);
	}
	out_table_free(&t);
	return rc == 0 && !ferror(f) ? 0 : -1;
}

/* CSV: the JSON object's keys as the header, its values as the cells. */
static int
report_csv(FILE *f, const struct appr_book *b, int64_t now_us)
{
	static const char *const cols[] = {
		"request", "action", "region", "fy", "amount", "ref", "reverses",
		"requested_by", "requested_at", "expires_at", "status",
		"decided_by", "decided_at", "approval", "entry", "refusal",
		"reason"
	};
	enum { NC = sizeof(cols) / sizeof(cols[0]) };
	const char	*cells[NC];
	char		 nums[NC][24];
	json_t		*o, *v;
	size_t		 i, c;
	int		 rc = csv_write_row(f, cols, NC);

	for (i = 0; i < b->n && rc == 0; i++) {
		if ((o = appr_row_json(&b->v[i], appr_row_status(&b->v[i],
		    now_us, 0))) == NULL)
			return -1;
		for (c = 0; c < NC; c++) {
			v = json_object_get(o, cols[c]);
			cells[c] = NULL;
			if (json_is_string(v))
				cells[c] = json_string_value(v);
			else if (json_is_integer(v)) {
				snprintf(nums[c], sizeof(nums[c]), "%"
				    JSON_INTEGER_FORMAT, json_integer_value(v));
				cells[c] = nums[c];
			}
		}
		rc = csv_write_row(f, cells, NC);
		json_decref(o);
	}
	return rc;
}

int
appr_report_print(FILE *f, int format, const struct disp *d,
    const struct appr_book *b, uint16_t fy, int64_t now_us)
{
	size_t	 i;

	switch (format) {
	case REPORT_JSON:
		for (i = 0; i < b->n; i++)
			if (out_json_line(f, appr_row_json(&b->v[i],
			    appr_row_status(&b->v[i], now_us, 0))) == -1)
				return -1;
		return ferror(f) ? -1 : 0;
	case REPORT_CSV:
		return report_csv(f, b, now_us);
	default:
		return report_table(f, d, b, fy, now_us);
	}
}
