/*
 * output.c - JSON and text forms of entries, regions, balances and status.
 *
 * JSON is built with jansson, whose objects keep insertion order (2.8 and
 * later), so the order of the json_object_set_new() calls below is the
 * order of the keys on the line: it follows the contract.  Lines are dumped
 * with JSON_COMPACT and without JSON_ENSURE_ASCII, so Japanese names stay
 * readable UTF-8.
 *
 * Text output for people: a single object as "key: value" lines (printed
 * from the same JSON object, so both forms carry the same fields), lists
 * as tables.  `list` streams, so its table has fixed column widths and puts
 * the free text last; the other tables are sized to their contents.  Widths
 * count terminal columns, not bytes, so a table with Japanese region names
 * still lines up.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "output.h"
#include "values.h"
#include "wire.h"


/*
 * Sticky-error object building: after a failed set every later call is a
 * no-op and the caller checks once.
 */
struct jb {
	json_t	*o;
	int	 err;
};

static void
jb_set(struct jb *b, const char *key, json_t *v)
{
	if (v == NULL) {
		b->err = 1;
		return;
	}
	if (b->err || json_object_set_new(b->o, key, v) == -1)
		b->err = 1;
}

static void
jb_int(struct jb *b, const char *key, int64_t v)
{
	jb_set(b, key, json_integer((json_int_t)v));
}

static void
jb_str(struct jb *b, const char *key, const char *s)
{
	jb_set(b, key, json_string(s != NULL ? s : ""));
}

static json_t *
jb_finish(struct jb *b)
{
	if (b->err || b->o == NULL) {
		json_decref(b->o);
		return NULL;
	}
	return b->o;
}

static void
jb_init(struct jb *b)
{
	b->o = json_object();
	b->err = b->o == NULL;
}

json_t *
out_entry_json(const struct ld_entry *e, const uint8_t *enc, size_t len)
{
	struct jb	 b;
	uint8_t		 leaf[32];
	char		 hex[65], date[16], ts[40];
	int		 has_region, has_fy_acct, has_amount, has_ref, has_date;

	has_region = e->region[0] != '\0';
	has_fy_acct = e->kind != LD_K_REGION;
	has_amount = e->kind != LD_K_REGION && e->kind != LD_K_YEAR_CLOSE;
	has_ref = e->kind == LD_K_APPROPRIATION || e->kind == LD_K_AWARD ||
	    e->kind == LD_K_DISBURSEMENT || e->kind == LD_K_REFUND;
	has_date = e->kind == LD_K_DISBURSEMENT || e->kind == LD_K_REFUND;

	jb_init(&b);
	jb_int(&b, "seq", (int64_t)e->seq);
	jb_str(&b, "kind", ld_kind_name(e->kind));
	if (has_region)
		jb_str(&b, "region", e->region);
	if (has_fy_acct)
		jb_int(&b, "fy", e->fy);
	/* A region's account follows from its grant type; showing it saves a lookup. */
	if (e->kind == LD_K_REGION)
		jb_str(&b, "account", ld_account_name(ld_grant_account(e->grant_type)));
	else
		jb_str(&b, "account", ld_account_name(e->account));
	if (has_amount)
		jb_int(&b, "amount", e->amount);
	if (has_ref)
		jb_str(&b, "ref", e->ref);
	if (has_date) {
		format_date(e->date, date, sizeof(date));
		jb_str(&b, "date", date);
	}
	if (has_date && e->memo[0] != '\0')
		jb_str(&b, "memo", e->memo);
	if (e->id[0] != '\0')
		jb_str(&b, "id", e->id);
	jb_str(&b, "actor", e->actor);
	format_time_us(e->recorded_at, ts, sizeof(ts));
	jb_str(&b, "recorded_at", ts);
	entry_leaf_hash(enc, len, leaf);
	hex_encode(leaf, sizeof(leaf), hex);
	jb_str(&b, "leaf_hash", hex);

	switch (e->kind) {
	case LD_K_REGION:
		/* Also named as `region list` names a region's code. */
		jb_str(&b, "code", e->region);
		jb_str(&b, "name", e->name);
		jb_str(&b, "grant_type", ld_grant_name(e->grant_type));
		jb_str(&b, "category", e->category);
		break;
	case LD_K_REVERSAL:
		jb_int(&b, "reverses", (int64_t)e->reverses);
		jb_str(&b, "target_kind", ld_kind_name(e->target_kind));
		jb_str(&b, "reason", e->reason);
		break;
	case LD_K_YEAR_CLOSE:
		jb_int(&b, "appropriated", e->appropriated);
		jb_int(&b, "awarded", e->awarded);
		jb_int(&b, "disbursed", e->disbursed);
		jb_int(&b, "refunded", e->refunded);
		jb_int(&b, "net", e->net);
		break;
	default:
		break;
	}
	return jb_finish(&b);
}

json_t *
out_region_json(const struct ld_entry *e)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "code", e->region);
	jb_str(&b, "name", e->name);
	jb_str(&b, "grant_type", ld_grant_name(e->grant_type));
	jb_str(&b, "account", ld_account_name(ld_grant_account(e->grant_type)));
	jb_str(&b, "category", e->category);
	jb_int(&b, "seq", (int64_t)e->seq);
	return jb_finish(&b);
}

json_t *
out_acct_bal_json(const struct ld_acct_bal *a)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "account", ld_account_name(a->account));
	jb_int(&b, "fy", a->fy);
	jb_int(&b, "appropriated", a->appropriated);
	jb_int(&b, "awarded", a->awarded);
	jb_int(&b, "disbursed", a->disbursed);
	jb_int(&b, "refunded", a->refunded);
	jb_int(&b, "net", acct_net(a));
	jb_int(&b, "unawarded", acct_unawarded(a));
	jb_set(&b, "closed", json_boolean(a->closed));
	return jb_finish(&b);
}

json_t *
out_region_bal_json(const struct ld_region_bal *r)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "region", r->region);
	jb_int(&b, "fy", r->fy);
	jb_str(&b, "grant_type", ld_grant_name(r->grant_type));
	jb_str(&b, "account", ld_account_name(r->account));
	jb_int(&b, "award", r->award);
	jb_int(&b, "disbursed", r->disbursed);
	jb_int(&b, "refunded", r->refunded);
	jb_int(&b, "net", region_net(r));
	jb_int(&b, "remaining", region_remaining(r));
	return jb_finish(&b);
}

json_t *
out_status_json(const struct msg_status *s, const struct msg_hello_ok *h)
{
	struct jb	 b;
	char		 hex[65], ts[40];

	jb_init(&b);
	jb_str(&b, "server", s->server);
	jb_int(&b, "size", (int64_t)s->size);
	hex_encode(s->root, sizeof(s->root), hex);
	jb_str(&b, "root", hex);
	if (s->last_commit != 0) {
		format_time_us(s->last_commit, ts, sizeof(ts));
		jb_str(&b, "last_commit", ts);
	} else
		jb_set(&b, "last_commit", json_null());
	jb_int(&b, "uptime_s", (int64_t)s->uptime_s);
	jb_int(&b, "connections", s->connections);
	jb_int(&b, "map_used", (int64_t)s->map_used);
	jb_int(&b, "map_size", (int64_t)s->map_size);
	if (h != NULL) {
		jb_str(&b, "cn", h->cn);
		jb_str(&b, "role", h->role);
	}
	return jb_finish(&b);
}

json_t *
out_error_json(int code, const char *message)
{
	struct jb	 b;

	jb_init(&b);
	jb_str(&b, "error", ld_err_name(code));
	jb_str(&b, "message", message);
	return jb_finish(&b);
}

int
out_json_line(FILE *f, json_t *obj)
{
	char	*s;
	int	 rc = -1;

	if (obj == NULL)
		return -1;
	s = json_dumps(obj, JSON_COMPACT);
	if (s != NULL && fprintf(f, "%s\n", s) >= 0)
		rc = 0;
	free(s);
	json_decref(obj);
	return rc;
}

/* Keys whose integers are money or bytes: grouped by threes in text. */
static int
grouped_key(const char *key)
{
	static const char *const keys[] = {
		"amount", "appropriated", "awarded", "disbursed", "refunded",
		"net", "award", "remaining", "unawarded", "map_used", "map_size",
		NULL
	};
	int	 i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

int
out_kv(FILE *f, json_t *obj)
{
	const char	*key;
	json_t		*v;
	char		 num[32];

	if (obj == NULL)
		return -1;
	json_object_foreach(obj, key, v) {
		switch (json_typeof(v)) {
		case JSON_STRING:
			fprintf(f, "%s: %s\n", key, json_string_value(v));
			break;
		case JSON_INTEGER:
			if (grouped_key(key)) {
				format_amount((int64_t)json_integer_value(v), num,
				    sizeof(num));
				fprintf(f, "%s: %s\n", key, num);
			} else
				fprintf(f, "%s: %" JSON_INTEGER_FORMAT "\n", key,
				    json_integer_value(v));
			break;
		case JSON_TRUE:
			fprintf(f, "%s: yes\n", key);
			break;
		case JSON_FALSE:
			fprintf(f, "%s: no\n", key);
			break;
		case JSON_NULL:
			fprintf(f, "%s: none\n", key);
			break;
		default:
			break;
		}
	}
	json_decref(obj);
	return ferror(f) ? -1 : 0;
}

/*
 * Terminal columns of one code point: East Asian wide and full-width forms
 * take two.  The ranges are the common CJK blocks, enough for region names
 * and memos; anything else counts one.
 */
static int
cp_width(uint32_t cp)
{
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
	    (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

size_t
out_width(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 w = 0;
	uint32_t		 cp;
	int			 n;

	while (*p != '\0') {
		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			n = 2;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			n = 3;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			n = 4;
		} else {
			w++;
			p++;
			continue;
		}
		p++;
		while (--n > 0 && (*p & 0xc0) == 0x80)
			cp = (cp << 6) | (*p++ & 0x3f);
		w += (size_t)cp_width(cp);
	}
	return w;
}

/* s padded to width columns, left- or right-aligned, then sep. */
static void
pad(FILE *f, const char *s, size_t width, int right, const char *sep)
{
	size_t	 w = out_width(s);

	if (right)
		for (; w < width; w++)
			fputc(' ', f);
	fputs(s, f);
	if (!right)
		for (; w < width; w++)
			fputc(' ', f);
	fputs(sep, f);
}

/* Columns of the streamed `list` table; DETAIL (free text) comes last. */
static const struct {
	const char	*head;
	size_t		 width;
	int		 right;
} list_cols[] = {
	{ "SEQ", 6, 1 }, { "KIND", 13, 0 }, { "REGION", 16, 0 },
	{ "FY", 4, 0 }, { "ACCOUNT", 14, 0 }, { "AMOUNT", 18, 1 },
	{ "REF", 16, 0 }, { "DATE", 10, 0 }, { "ACTOR", 12, 0 },
	{ "DETAIL", 0, 0 }
};
#define LIST_NCOLS	(sizeof(list_cols) / sizeof(list_cols[0]))

static void
list_print(FILE *f, const char *const cells[LIST_NCOLS])
{
	size_t	 i;

	for (i = 0; i < LIST_NCOLS - 1; i++)
		pad(f, cells[i], list_cols[i].width, list_cols[i].right, "  ");
	fprintf(f, "%s\n", cells[LIST_NCOLS - 1]);
}

void
out_list_header(FILE *f)
{
	const char	*cells[LIST_NCOLS];
	size_t		 i;

	for (i = 0; i < LIST_NCOLS; i++)
		cells[i] = list_cols[i].head;
	list_print(f, cells);
}

void
out_list_row(FILE *f, const struct ld_entry *e)
{
	const char	*cells[LIST_NCOLS];
	char		 seq[24], fy[8], amount[32], date[16];
	char		 detail[LD_TEXT_MAX * 2 + 256];
	char		 a1[32], a2[32], a3[32], a4[32], a5[32];
	size_t		 i;

	for (i = 0; i < LIST_NCOLS; i++)
		cells[i] = "-";
	snprintf(seq, sizeof(seq), "%" PRIu64, e->seq);
	cells[0] = seq;
	cells[1] = ld_kind_name(e->kind) != NULL ? ld_kind_name(e->kind) : "?";
	if (e->region[0] != '\0')
		cells[2] = e->region;
	if (e->kind != LD_K_REGION) {
		snprintf(fy, sizeof(fy), "%u", (unsigned)e->fy);
		cells[3] = fy;
		cells[4] = ld_account_name(e->account);
	} else
		cells[4] = ld_account_name(ld_grant_account(e->grant_type));
	if (cells[4] == NULL)
		cells[4] = "-";
	if (e->kind != LD_K_REGION && e->kind != LD_K_YEAR_CLOSE) {
		format_amount(e->amount, amount, sizeof(amount));
		cells[5] = amount;
	}
	if (e->ref[0] != '\0')
		cells[6] = e->ref;
	if (e->date != 0) {
		format_date(e->date, date, sizeof(date));
		cells[7] = date;
	}
	cells[8] = e->actor;

	detail[0] = '\0';
	switch (e->kind) {
	case LD_K_REGION:
		snprintf(detail, sizeof(detail), "%s (%s%s%s)", e->name,
		    ld_grant_name(e->grant_type), e->category[0] != '\0' ? "; " : "",
		    e->category);
		break;
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		snprintf(detail, sizeof(detail), "%s", e->memo);
		break;
	case LD_K_REVERSAL:
		snprintf(detail, sizeof(detail), "reverses %" PRIu64 " (%s): %s",
		    e->reverses, ld_kind_name(e->target_kind) != NULL ?
		    ld_kind_name(e->target_kind) : "?", e->reason);
		break;
	case LD_K_YEAR_CLOSE:
		format_amount(e->appropriated, a1, sizeof(a1));
		format_amount(e->awarded, a2, sizeof(a2));
		format_amount(e->disbursed, a3, sizeof(a3));
		format_amount(e->refunded, a4, sizeof(a4));
		format_amount(e->net, a5, sizeof(a5));
		snprintf(detail, sizeof(detail), "appropriated %s, awarded %s, "
		    "disbursed %s, refunded %s, net %s", a1, a2, a3, a4, a5);
		break;
	default:
		break;
	}
	cells[9] = detail[0] != '\0' ? detail : "-";
	list_print(f, cells);
}

/*
 * A table sized to its contents: cells are copied in, widths computed at
 * print time.  Used for the short, non-streamed answers.
 */
struct table {
	size_t		 ncols;
	const char	*const *heads;
	const int	*right;
	char		**cells;	/* nrows x ncols, owned */
	size_t		 nrows;
	int		 err;
};

static void
table_add(struct table *t, const char *const *row)
{
	char	**cells;
	size_t	 i;

	if (t->err)
		return;
	cells = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*cells));
	if (cells == NULL) {
		t->err = 1;
		return;
	}
	t->cells = cells;
	for (i = 0; i < t->ncols; i++) {
		cells[t->nrows * t->ncols + i] = strdup(row[i]);
		if (cells[t->nrows * t->ncols + i] == NULL)
			t->err = 1;
	}
	t->nrows++;
}

static int
table_print(FILE *f, struct table *t)
{
	size_t	 w[16], i, r, cw;

	if (t->err || t->ncols > 16)
		return -1;
	for (i = 0; i < t->ncols; i++)
		w[i] = out_width(t->heads[i]);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			cw = out_width(t->cells[r * t->ncols + i]);
			if (cw > w[i])
				w[i] = cw;
		}
	for (i = 0; i < t->ncols; i++)
		pad(f, t->heads[i], i + 1 < t->ncols ? w[i] : 0, t->right[i],
		    i + 1 < t->ncols ? "  " : "\n");
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++)
			pad(f, t->cells[r * t->ncols + i],
			    i + 1 < t->ncols ? w[i] : 0, t->right[i],
			    i + 1 < t->ncols ? "  " : "\n");
	return ferror(f) ? -1 : 0;
}

static void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

int
out_regions_table(FILE *f, const struct ld_entry *regions, size_t n)
{
	static const char *const heads[] = {
		"CODE", "GRANT_TYPE", "ACCOUNT", "SEQ", "NAME", "CATEGORY"
	};
	static const int right[] = { 0, 0, 0, 1, 0, 0 };
	struct table	 t = { 6, heads, right, NULL, 0, 0 };
	const char	*row[6];
	char		 seq[24];
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		snprintf(seq, sizeof(seq), "%" PRIu64, regions[i].seq);
		row[0] = regions[i].region;
		row[1] = ld_grant_name(regions[i].grant_type);
		row[2] = ld_account_name(ld_grant_account(regions[i].grant_type));
		row[3] = seq;
		row[4] = regions[i].name;
		row[5] = regions[i].category[0] != '\0' ? regions[i].category : "-";
		if (row[1] == NULL || row[2] == NULL)
			row[1] = row[2] = "?";
		table_add(&t, row);
	}
	rc = table_print(f, &t);
	table_free(&t);
	return rc;
}

int
out_balances_table(FILE *f, const struct ld_acct_bal *a, size_t n,
    const struct ld_region_bal *r, size_t m)
{
	static const char *const aheads[] = {
		"ACCOUNT", "FY", "APPROPRIATED", "AWARDED", "UNAWARDED",
		"DISBURSED", "REFUNDED", "NET", "CLOSED"
	};
	static const int aright[] = { 0, 0, 1, 1, 1, 1, 1, 1, 0 };
	static const char *const rheads[] = {
		"REGION", "FY", "GRANT_TYPE", "ACCOUNT", "AWARD", "DISBURSED",
		"REFUNDED", "NET", "REMAINING"
	};
	static const int rright[] = { 0, 0, 0, 0, 1, 1, 1, 1, 1 };
	struct table	 ta = { 9, aheads, aright, NULL, 0, 0 };
	struct table	 tr = { 9, rheads, rright, NULL, 0, 0 };
	char		 fy[8], v[6][32];
	const char	*row[9];
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < n; i++) {
		snprintf(fy, sizeof(fy), "%u", (unsigned)a[i].fy);
		format_amount(a[i].appropriated, v[0], sizeof(v[0]));
		format_amount(a[i].awarded, v[1], sizeof(v[1]));
		format_amount(acct_unawarded(&a[i]), v[2], sizeof(v[2]));
		format_amount(a[i].disbursed, v[3], sizeof(v[3]));
		format_amount(a[i].refunded, v[4], sizeof(v[4]));
		format_amount(acct_net(&a[i]), v[5], sizeof(v[5]));
		row[0] = ld_account_name(a[i].account) != NULL ?
		    ld_account_name(a[i].account) : "?";
		row[1] = fy;
		row[2] = v[0];
		row[3] = v[1];
		row[4] = v[2];
		row[5] = v[3];
		row[6] = v[4];
		row[7] = v[5];
		row[8] = a[i].closed ? "yes" : "no";
		table_add(&ta, row);
	}
	for (i = 0; i < m; i++) {
		snprintf(fy, sizeof(fy), "%u", (unsigned)r[i].fy);
		format_amount(r[i].award, v[0], sizeof(v[0]));
		format_amount(r[i].disbursed, v[1], sizeof(v[1]));
		format_amount(r[i].refunded, v[2], sizeof(v[2]));
		format_amount(region_net(&r[i]), v[3], sizeof(v[3]));
		format_amount(region_remaining(&r[i]), v[4], sizeof(v[4]));
		row[0] = r[i].region;
		row[1] = fy;
		row[2] = ld_grant_name(r[i].grant_type) != NULL ?
		    ld_grant_name(r[i].grant_type) : "?";
		row[3] = ld_account_name(r[i].account) != NULL ?
		    ld_account_name(r[i].account) : "?";
		row[4] = v[0];
		row[5] = v[1];
		row[6] = v[2];
		row[7] = v[3];
		row[8] = v[4];
		table_add(&tr, row);
	}
	if (n > 0 && table_print(f, &ta) == -1)
		rc = -1;
	if (n > 0 && m > 0)
		fputc('\n', f);
	if (m > 0 && table_print(f, &tr) == -1)
		rc = -1;
	if (n == 0 && m == 0)
		fprintf(f, "no balances\n");
	if (ta.err || tr.err)
		rc = -1;
	table_free(&ta);
	table_free(&tr);
	return rc;
}
