/*
 * cmd_write.c - the commands that append an entry: region add, appropriate,
 * terms set, award, cancel-award, settle, disburse, refund, receive,
 * carry-over, reverse, close-year, policy set, approve, reject.
 *
 * Each is one WRITE request built from the request fields of PROTOCOL.md
 * ("Write requests"); the daemon derives the rest (an award's account, a
 * reversal's copy of its target, a year_close's totals, the repayment a
 * cancellation or settlement orders, the split of a receipt) and answers
 * with the stored entry, which is printed whole, plus whether it was a
 * duplicate of an earlier write with the same --id.
 *
 * Every write carries an id (contract 2.3): the user's --id, or one made
 * here from 128 random bits ("ctl-" and 32 hex digits).  When the
 * connection fails after the request went out, so that its fate is
 * unknown, write_run() connects again once and resends the very same
 * request: the daemon answers an entry that was stored with duplicate: yes
 * instead of paying twice.
 *
 * Two-person approval (contract 2.7, 2.10) adds three writes: `policy set`
 * (which actions need a second officer), `approve SEQ` and `reject SEQ`
 * (an approval entry deciding a request).  Any write the policy names is
 * stored by the daemon as a request entry instead of taking effect, so the
 * answer to every write may be a request: it is printed as one ("request
 * 42: ... is pending approval", or with --json the entry and its status),
 * and `approve` is answered with the action's own entry, written then.
 *
 * cmd_build_write() is the pure half: every value is parsed and checked
 * here, so a bad value is a usage error before any connection.  Whether a
 * date lies in the fiscal year, an amount in its grant type's range and
 * the like are ledger rules: the daemon decides those (DATE_OUTSIDE_FY,
 * OUT_OF_RANGE, ...), so that ledgerctl never refuses what the contract
 * says is a daemon refusal.  The exceptions are the terms checks that the
 * contract itself makes usage errors (2.9, 2.10): a range given by half,
 * a general or reconstruction grant without one, a deadline outside its
 * window, a rate that is not a percentage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "approvals.h"
#include "ctl.h"
#include "display.h"
#include "entry.h"
#include "msg.h"
#include "output.h"
#include "session.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE
#define R	(OPT_VALUE | OPT_REQUIRED)

/* Rates a terms entry gets when --interest-rate or --late-rate is omitted. */
#define TERMS_RATE_DEFAULT	1095		/* 10.95 % */

static const struct ctl_opt region_add_opts[] = {
	{ "name", R }, { "grant-type", R }, { "category", V }, { NULL, 0 }
};
static const struct ctl_opt appropriate_opts[] = {
	{ "account", R }, { "fy", R }, { "amount", R }, { "ref", R },
	{ "id", V }, { NULL, 0 }
};
static const struct ctl_opt terms_opts[] = {
	{ "fy", R }, { "grant-type", R }, { "min", V }, { "max", V },
	{ "settlement-deadline", V }, { "interest-rate", V },
	{ "late-rate", V }, { "ref", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt award_opts[] = {
	{ "region", R }, { "fy", R }, { "amount", R }, { "ref", R },
	{ "date", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt cancel_opts[] = {
	{ "region", R }, { "fy", R }, { "date", R }, { "reason", R },
	{ "repay-by", V }, { "ref", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt settle_opts[] = {
	{ "region", R }, { "fy", R }, { "amount", R }, { "date", R },
	{ "repay-by", V }, { "ref", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt payment_opts[] = {
	{ "region", R }, { "fy", R }, { "amount", R }, { "ref", R },
	{ "date", R }, { "memo", V }, { "id", V }, { "allow-duplicate-ref", 0 },
	{ NULL, 0 }
};
static const struct ctl_opt receive_opts[] = {
	{ "region", R }, { "fy", R }, { "amount", R }, { "date", R },
	{ "ref", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt carry_opts[] = {
	{ "region", R }, { "fy", R }, { "amount", R }, { "kind", R },
	{ "date", R }, { "ref", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt reverse_opts[] = {
	{ "reason", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt close_year_opts[] = {
	{ "account", R }, { "fy", R }, { NULL, 0 }
};
static const struct ctl_opt policy_opts[] = {
	{ "require", V }, { "disburse-over", V }, { "expire-days", V },
	{ "ref", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt approve_opts[] = {
	{ "id", V }, { NULL, 0 }
};
static const struct ctl_opt reject_opts[] = {
	{ "reason", R }, { "id", V }, { NULL, 0 }
};

static int	write_run(struct ctl *, const struct ctl_args *);
static int	request_print(struct ctl *, const struct ctl_args *,
		    const struct ld_entry *, const uint8_t *, size_t, int);

/* "ctl-" and 128 random bits in hex: an id no one else will draw. */
static int
make_id(char *out, size_t outsz)
{
	uint8_t r[16];
	size_t i;

	if (outsz < 4 + 2 * sizeof(r) + 1 ||
	    getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	memcpy(out, "ctl-", 4);
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + 4 + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/* In the order of a grant's life, which is also the order of `help`. */
const struct ctl_cmd cmd_write_cmds[] = {
	{ "region", "add", { "CODE" }, 1, 1, region_add_opts,
	    "region add CODE --name NAME --grant-type general|reconstruction|"
	    "continuing [--category TEXT]", write_run, LD_K_REGION },
	{ "appropriate", NULL, { NULL }, 0, 0, appropriate_opts,
	    "appropriate --account general|reconstruction --fy FY --amount AMT "
	    "--ref REF [--id KEY]", write_run, LD_K_APPROPRIATION },
	{ "terms", "set", { NULL }, 0, 0, terms_opts,
	    "terms set --fy FY --grant-type general|reconstruction|continuing "
	    "[--min AMT] [--max AMT] [--settlement-deadline DATE] "
	    "[--interest-rate PCT] [--late-rate PCT] --ref REF [--id KEY]",
	    write_run, LD_K_TERMS },
	{ "award", NULL, { NULL }, 0, 0, award_opts,
	    "award --region CODE --fy FY --amount AMT --ref REF --date DATE "
	    "[--id KEY]", write_run, LD_K_AWARD },
	{ "cancel-award", NULL, { NULL }, 0, 0, cancel_opts,
	    "cancel-award --region CODE --fy FY --date DATE --reason TEXT "
	    "[--repay-by DATE] --ref REF [--id KEY]", write_run,
	    LD_K_AWARD_CANCEL },
	{ "settle", NULL, { NULL }, 0, 0, settle_opts,
	    "settle --region CODE --fy FY --amount AMT --date DATE "
	    "[--repay-by DATE] --ref REF [--id KEY]", write_run,
	    LD_K_SETTLEMENT },
	{ "disburse", NULL, { NULL }, 0, 0, payment_opts,
	    "disburse --region CODE --fy FY --amount AMT --ref REF --date DATE "
	    "[--memo TEXT] [--id KEY] [--allow-duplicate-ref]", write_run,
	    LD_K_DISBURSEMENT },
	{ "refund", NULL, { NULL }, 0, 0, payment_opts,
	    "refund --region CODE --fy FY --amount AMT --ref REF --date DATE "
	    "[--memo TEXT] [--id KEY] [--allow-duplicate-ref]", write_run,
	    LD_K_REFUND },
	{ "receive", NULL, { NULL }, 0, 0, receive_opts,
	    "receive --region CODE --fy FY --amount AMT --date DATE --ref REF "
	    "[--id KEY]", write_run, LD_K_RECEIPT },
	{ "carry-over", NULL, { NULL }, 0, 0, carry_opts,
	    "carry-over --region CODE --fy FY --amount AMT --kind "
	    "explicit|accident --date DATE --ref REF [--id KEY]", write_run,
	    LD_K_CARRY_OVER },
	{ "reverse", NULL, { "SEQ" }, 1, 1, reverse_opts,
	    "reverse SEQ --reason TEXT [--id KEY]", write_run, LD_K_REVERSAL },
	{ "close-year", NULL, { NULL }, 0, 0, close_year_opts,
	    "close-year --account ACCOUNT --fy FY", write_run, LD_K_YEAR_CLOSE },
	/* Two-person approval (決裁). */
	{ "policy", "set", { NULL }, 0, 0, policy_opts,
	    "policy set [--require reverse,cancel-award,settle,terms,close-year] "
	    "[--disburse-over AMT] [--expire-days N] --ref REF [--id KEY]",
	    write_run, LD_K_POLICY },
	{ "approve", NULL, { "SEQ" }, 1, 1, approve_opts,
	    "approve SEQ [--id KEY]", write_run, LD_K_APPROVAL },
	{ "reject", NULL, { "SEQ" }, 1, 1, reject_opts,
	    "reject SEQ --reason TEXT [--id KEY]", write_run, LD_K_APPROVAL },
	{ NULL, NULL, { NULL }, 0, 0, NULL, NULL, NULL, 0 }
};

static int
build_account(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, "account");

	if (s == NULL || (req->account = (uint8_t)ld_account_from_name(s)) == 0) {
		snprintf(err, errlen, "--account: '%.80s' is not an account "
		    "(general or reconstruction)", s != NULL ? s : "");
		return -1;
	}
	return 0;
}

static int
build_grant_type(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, "grant-type");

	if ((req->grant_type = (uint8_t)ld_grant_from_name(s)) == 0) {
		snprintf(err, errlen, "--grant-type: '%.80s' is not a grant type "
		    "(general, reconstruction or continuing)", s != NULL ? s : "");
		return -1;
	}
	return 0;
}

static int
build_carry_kind(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, "kind");

	if ((req->carry_kind = (uint8_t)ld_carry_from_name(s)) == 0) {
		snprintf(err, errlen, "--kind: '%.80s' is not a carry-over kind "
		    "(explicit or accident)", s != NULL ? s : "");
		return -1;
	}
	return 0;
}

/*
 * terms set, after --fy: the range, the deadline's window and the rates.
 * An omitted deadline stays 0, which the daemon resolves to (fy+1)-04-30,
 * so that the default lives in one place.
 */
static int
build_terms(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*min = args_get(a, "min"), *max = args_get(a, "max");
	const char	*s;
	uint32_t	 lo, hi;

	if (build_grant_type(a, req, err, errlen) == -1)
		return -1;
	if ((min == NULL) != (max == NULL)) {
		snprintf(err, errlen, "--min and --max go together: give both "
		    "or neither");
		return -1;
	}
	if (min == NULL && req->grant_type != LD_G_CONTINUING) {
		snprintf(err, errlen, "--grant-type %s needs a range: give "
		    "--min and --max", ld_grant_name(req->grant_type));
		return -1;
	}
	if (min != NULL) {
		if (arg_amount(a, "min", &req->min, err, errlen) == -1 ||
		    arg_amount(a, "max", &req->max, err, errlen) == -1)
			return -1;
		if (req->min > req->max) {
			snprintf(err, errlen, "--min %s is above --max %s", min,
			    max);
			return -1;
		}
	}
	if (args_get(a, "settlement-deadline") != NULL) {
		if (arg_date(a, "settlement-deadline", &req->deadline, err,
		    errlen) == -1)
			return -1;
		lo = ((uint32_t)req->fy + 1) * 10000 + 401;
		hi = ((uint32_t)req->fy + 1) * 10000 + 531;
		if (req->deadline < lo || req->deadline > hi) {
			snprintf(err, errlen, "--settlement-deadline: must lie "
			    "from %u-04-01 to %u-05-31 for fiscal year %u",
			    req->fy + 1U, req->fy + 1U, (unsigned)req->fy);
			return -1;
		}
	}
	req->interest_bp = req->late_bp = TERMS_RATE_DEFAULT;
	if ((s = args_get(a, "interest-rate")) != NULL &&
	    arg_rate_bp("--interest-rate", s, &req->interest_bp, err,
	    errlen) == -1)
		return -1;
	if ((s = args_get(a, "late-rate")) != NULL &&
	    arg_rate_bp("--late-rate", s, &req->late_bp, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * policy set --require: comma-separated action names (blanks around them
 * allowed) into a mask of their kinds; "none" or "" is the empty mask.
 * A disbursement needs approval by its amount, never by name.
 */
static int
build_require(const char *s, uint16_t *mask, char *err, size_t errlen)
{
	static const char *const names[] = {
		"reverse", "cancel-award", "settle", "terms", "close-year", NULL
	};
	const char	*p, *end, *hint;
	char		 word[32];
	size_t		 n;
	int		 k;

	*mask = 0;
	if (strcmp(s, "none") == 0)
		return 0;
	for (p = s; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 && *end == '\0' && p == s)
			break;
		if (n == 0 || n >= sizeof(word)) {
			snprintf(err, errlen, "--require: an empty or overlong "
			    "name in '%.80s' (a comma-separated list of %s)", s,
			    "reverse, cancel-award, settle, terms, close-year");
			return -1;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		k = ld_action_from_name(word);
		if (k == LD_K_DISBURSEMENT) {
			snprintf(err, errlen, "--require: a disbursement needs "
			    "approval by its amount: give --disburse-over AMT");
			return -1;
		}
		if (k == 0 || !(LD_KIND_BIT(k) & LD_REQUIRABLE)) {
			hint = args_suggest(word, names);
			snprintf(err, errlen, "--require: '%s' is not an action "
			    "that can require approval (reverse, cancel-award, "
			    "settle, terms, close-year)%s%s%s", word,
			    hint != NULL ? "; did you mean \"" : "",
			    hint != NULL ? hint : "", hint != NULL ? "\"?" : "");
			return -1;
		}
		*mask |= (uint16_t)LD_KIND_BIT(k);
	}
	return 0;
}

/* policy set: the whole policy; what is omitted takes its default. */
static int
build_policy(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*s;
	uint64_t	 days;
	char		 why[160] = "";

	if ((s = args_get(a, "require")) != NULL &&
	    build_require(s, &req->require, err, errlen) == -1)
		return -1;
	if (args_get(a, "disburse-over") != NULL &&
	    arg_amount(a, "disburse-over", &req->disburse_over, err,
	    errlen) == -1)
		return -1;
	req->expire_days = LD_EXPIRE_DAYS_DEFAULT;
	if ((s = args_get(a, "expire-days")) != NULL) {
		if (parse_u64(s, &days, why, sizeof(why)) == -1 || days < 1 ||
		    days > LD_EXPIRE_DAYS_MAX) {
			snprintf(err, errlen, "--expire-days: '%.40s' is not a "
			    "number of days from 1 to %d", s, LD_EXPIRE_DAYS_MAX);
			return -1;
		}
		req->expire_days = (uint16_t)days;
	}
	return arg_ref("--ref", args_get(a, "ref"), req->ref, sizeof(req->ref),
	    err, errlen);
}

/* approve and reject: the request named, the decision, the reason. */
static int
build_approval(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*s = args_get(a, "reason");
	int		 reject = strcmp(a->cmd->word, "reject") == 0;

	req->decision = reject ? LD_D_REJECTED : LD_D_APPROVED;
	if (arg_seq("SEQ", a->pos[0], &req->request, err, errlen) == -1)
		return -1;
	/* A rejection says why (the option is required); an approval is
	   the action itself, which carries its own reason if it has one. */
	if (reject && arg_text("--reason", s, 0, req->reason,
	    sizeof(req->reason), err, errlen) == -1)
		return -1;
	return 0;
}

int
cmd_build_write(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*s;

	memset(req, 0, sizeof(*req));
	req->kind = (uint8_t)a->cmd->tag;

	if ((s = args_get(a, "id")) != NULL &&
	    arg_ref("--id", s, req->id, sizeof(req->id), err, errlen) == -1)
		return -1;

	switch (req->kind) {
	case LD_K_REGION:
		if (arg_code("CODE", a->pos[0], req->region, sizeof(req->region),
		    err, errlen) == -1 ||
		    arg_text("--name", args_get(a, "name"), 0, req->name,
		    sizeof(req->name), err, errlen) == -1 ||
		    build_grant_type(a, req, err, errlen) == -1)
			return -1;
		if ((s = args_get(a, "category")) != NULL &&
		    arg_text("--category", s, 1, req->category,
		    sizeof(req->category), err, errlen) == -1)
			return -1;
		return 0;
	case LD_K_REVERSAL:
		if (arg_seq("SEQ", a->pos[0], &req->reverses, err, errlen) == -1 ||
		    arg_text("--reason", args_get(a, "reason"), 0, req->reason,
		    sizeof(req->reason), err, errlen) == -1)
			return -1;
		return 0;
	case LD_K_YEAR_CLOSE:
		if (build_account(a, req, err, errlen) == -1 ||
		    arg_fy(a, "fy", &req->fy, err, errlen) == -1)
			return -1;
		return 0;
	case LD_K_POLICY:
		return build_policy(a, req, err, errlen);
	case LD_K_APPROVAL:
		return build_approval(a, req, err, errlen);
	case LD_K_APPROPRIATION:
		if (build_account(a, req, err, errlen) == -1)
			return -1;
		break;
	case LD_K_TERMS:
		break;
	case LD_K_AWARD:
	case LD_K_AWARD_CANCEL:
	case LD_K_SETTLEMENT:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
	case LD_K_RECEIPT:
	case LD_K_CARRY_OVER:
		if (arg_code("--region", args_get(a, "region"), req->region,
		    sizeof(req->region), err, errlen) == -1)
			return -1;
		break;
	default:
		snprintf(err, errlen, "not a write command");
		return -1;
	}

	/*
	 * The fields the remaining commands share, each parsed when the
	 * command takes its option; the parser has already insisted on the
	 * required ones.
	 */
	if (arg_fy(a, "fy", &req->fy, err, errlen) == -1 ||
	    (args_has(a, "amount") &&
	    arg_amount(a, "amount", &req->amount, err, errlen) == -1) ||
	    arg_ref("--ref", args_get(a, "ref"), req->ref, sizeof(req->ref),
	    err, errlen) == -1 ||
	    (args_has(a, "date") &&
	    arg_date(a, "date", &req->date, err, errlen) == -1) ||
	    (args_get(a, "repay-by") != NULL &&
	    arg_date(a, "repay-by", &req->repay_by, err, errlen) == -1) ||
	    (args_has(a, "reason") &&
	    arg_text("--reason", args_get(a, "reason"), 0, req->reason,
	    sizeof(req->reason), err, errlen) == -1) ||
	    ((s = args_get(a, "memo")) != NULL &&
	    arg_text("--memo", s, 1, req->memo, sizeof(req->memo), err,
	    errlen) == -1))
		return -1;
	if (args_get(a, "allow-duplicate-ref") != NULL)
		req->flags |= LD_EF_DUP_REF_OK;
	if (req->kind == LD_K_CARRY_OVER)
		return build_carry_kind(a, req, err, errlen);
	if (req->kind == LD_K_TERMS)
		return build_terms(a, req, err, errlen);
	return 0;
}

static int
write_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ld_entry		 req, e;
	struct ctlconn_frame	 f;
	struct wbuf		 w;
	const uint8_t		*enc;
	size_t			 enclen;
	json_t			*obj;
	char			 err[256];
	int			 rc, dup;

	if (cmd_build_write(a, &req, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if (req.id[0] == '\0' && make_id(req.id, sizeof(req.id)) == -1)
		return ctl_usage(ctl, a->cmd, "cannot draw a random id: give --id");
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;

	wbuf_init(&w);
	if (msg_encode_write(&w, &req) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, a->cmd, "request cannot be encoded");
	}
	rc = ctl_call(ctl, MSG_WRITE, &w, MSG_ENTRY, NULL, &f);
	if (rc == CTL_CONN) {
		/* Stored or not?  The same id again tells, never twice. */
		fprintf(ctl->err, "ledgerctl: sending the write again with id "
		    "%s\n", req.id);
		ctl_disconnect(ctl);
		if ((rc = ctl_connect(ctl)) == CTL_OK)
			rc = ctl_call(ctl, MSG_WRITE, &w, MSG_ENTRY, NULL, &f);
	}
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	if (ctl_entry_answer(f.payload, f.len, &dup, &e, &enc, &enclen) == -1)
		return ctl_conn_fail(ctl, "malformed ENTRY answer");
	if (e.kind == LD_K_REQUEST)
		return request_print(ctl, a, &e, enc, enclen, dup);

	obj = out_entry_json(&e, enc, enclen);
	if (obj == NULL || json_object_set_new(obj, "duplicate",
	    json_boolean(dup)) == -1) {
		json_decref(obj);
		return ctl_conn_fail(ctl, "cannot format the entry");
	}
	if (ctl->json)
		out_json_line(ctl->out, obj);
	else
		out_entry_kv(ctl->out, &e, obj);
	return CTL_OK;
}

/*
 * A write that the policy stored as a request.  A new one is pending; a
 * duplicate (the same --id again) may have been decided since, which only
 * the approvals tell.
 */
static int
request_print(struct ctl *ctl, const struct ctl_args *a,
    const struct ld_entry *e, const uint8_t *enc, size_t enclen, int dup)
{
	struct appr_book	 book;
	struct disp		 d;
	json_t			*obj;
	uint8_t			 copy[LD_ENTRY_ENC_MAX];
	char			 line[LD_TEXT_MAX + 512], what[LD_TEXT_MAX + 256];
	int			 rc = CTL_OK, status;

	memset(&book, 0, sizeof(book));
	if (disp_from_args(&d, a, line, sizeof(line)) == -1)
		d = DISP_DEFAULT;	/* checked by ctl_main() already */
	if (dup) {
		/* The answer lies in the connection's buffer, which the next
		   read reuses: keep its bytes for the leaf hash. */
		if (enclen > sizeof(copy))
			return ctl_conn_fail(ctl, "malformed ENTRY answer");
		memcpy(copy, enc, enclen);
		enc = copy;
		if ((rc = appr_book_read(ctl, 0, &book)) != CTL_OK)
			goto out;
	}
	status = appr_entry_status(e, &book, appr_now_us(), 0);
	if (ctl->json) {
		obj = out_entry_json(e, enc, enclen);
		if (appr_json_status(obj, status) == -1 ||
		    json_object_set_new(obj, "duplicate",
		    json_boolean(dup)) == -1 || out_json_line(ctl->out, obj) == -1) {
			json_decref(obj);
			rc = ctl_conn_fail(ctl, "cannot format the entry");
		}
		goto out;
	}
	if (status == APPR_PENDING) {
		appr_request_line(&d, e, line, sizeof(line));
		fprintf(ctl->out, "%s\n", line);
		if (d.lang == DISP_JA)
			fprintf(ctl->out, "承認：ledgerctl approve %" PRIu64
			    "（別の職員）　取下げ・否認：ledgerctl reject %" PRIu64
			    " --reason 理由\n", e->seq, e->seq);
		else
			fprintf(ctl->out, "another officer approves it with "
			    "`ledgerctl approve %" PRIu64 "`; `ledgerctl reject %"
			    PRIu64 " --reason TEXT` withdraws or rejects it\n",
			    e->seq, e->seq);
	} else {
		out_request_summary(&d, e, what, sizeof(what));
		fprintf(ctl->out, "request %" PRIu64 " (written before with this "
		    "id): %s: %s\n", e->seq, what,
		    disp_word(&d, appr_status_name(status)));
	}
out:
	appr_book_free(&book);
	return rc;
}
