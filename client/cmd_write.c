/*
 * cmd_write.c - the commands that append an entry: region add, appropriate,
 * award, disburse, refund, reverse, close-year.
 *
 * Each is one WRITE request built from the request fields of PROTOCOL.md
 * ("Write requests"); the daemon derives the rest (an award's account, a
 * reversal's copy of its target, a year_close's totals) and answers with
 * the stored entry, which is printed whole, plus whether it was a
 * duplicate of an earlier write with the same --id.
 *
 * cmd_build_write() is the pure half: every value is parsed and checked
 * here, so a bad value is a usage error before any connection.  Whether a
 * date lies in the fiscal year, an amount in its grant type's range and
 * the like are ledger rules: the daemon decides those (DATE_OUTSIDE_FY,
 * OUT_OF_RANGE, ...), so that ledgerctl never refuses what the contract
 * says is a daemon refusal.
 */
#include <string.h>

#include "ctl.h"
#include "entry.h"
#include "msg.h"
#include "output.h"
#include "values.h"
#include "wire.h"

#define V	OPT_VALUE
#define R	(OPT_VALUE | OPT_REQUIRED)

static const struct ctl_opt region_add_opts[] = {
	{ "name", R }, { "grant-type", R }, { "category", V }, { NULL, 0 }
};
static const struct ctl_opt appropriate_opts[] = {
	{ "account", R }, { "fy", R }, { "amount", R }, { "ref", R },
	{ "id", V }, { NULL, 0 }
};
static const struct ctl_opt award_opts[] = {
	{ "region", R }, { "fy", R }, { "amount", R }, { "ref", R },
	{ "id", V }, { NULL, 0 }
};
static const struct ctl_opt payment_opts[] = {
	{ "region", R }, { "fy", R }, { "amount", R }, { "ref", R },
	{ "date", R }, { "memo", V }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt reverse_opts[] = {
	{ "reason", R }, { "id", V }, { NULL, 0 }
};
static const struct ctl_opt close_year_opts[] = {
	{ "account", R }, { "fy", R }, { NULL, 0 }
};

static int	write_run(struct ctl *, const struct ctl_args *);

const struct ctl_cmd cmd_write_cmds[] = {
	{ "region", "add", { "CODE" }, 1, 1, region_add_opts,
	    "region add CODE --name NAME --grant-type general|reconstruction|"
	    "continuing [--category TEXT]", write_run, LD_K_REGION },
	{ "appropriate", NULL, { NULL }, 0, 0, appropriate_opts,
	    "appropriate --account general|reconstruction --fy FY --amount AMT "
	    "--ref REF [--id KEY]", write_run, LD_K_APPROPRIATION },
	{ "award", NULL, { NULL }, 0, 0, award_opts,
	    "award --region CODE --fy FY --amount AMT --ref REF [--id KEY]",
	    write_run, LD_K_AWARD },
	{ "disburse", NULL, { NULL }, 0, 0, payment_opts,
	    "disburse --region CODE --fy FY --amount AMT --ref REF --date DATE "
	    "[--memo TEXT] [--id KEY]", write_run, LD_K_DISBURSEMENT },
	{ "refund", NULL, { NULL }, 0, 0, payment_opts,
	    "refund --region CODE --fy FY --amount AMT --ref REF --date DATE "
	    "[--memo TEXT] [--id KEY]", write_run, LD_K_REFUND },
	{ "reverse", NULL, { "SEQ" }, 1, 1, reverse_opts,
	    "reverse SEQ --reason TEXT [--id KEY]", write_run, LD_K_REVERSAL },
	{ "close-year", NULL, { NULL }, 0, 0, close_year_opts,
	    "close-year --account ACCOUNT --fy FY", write_run, LD_K_YEAR_CLOSE },
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

int
cmd_build_write(const struct ctl_args *a, struct ld_entry *req, char *err,
    size_t errlen)
{
	const char	*s;
	char		 why[160] = "";

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
		    sizeof(req->name), err, errlen) == -1)
			return -1;
		s = args_get(a, "grant-type");
		req->grant_type = (uint8_t)ld_grant_from_name(s);
		if (req->grant_type == 0) {
			snprintf(err, errlen, "--grant-type: '%.80s' is not a grant "
			    "type (general, reconstruction or continuing)", s);
			return -1;
		}
		if ((s = args_get(a, "category")) != NULL &&
		    arg_text("--category", s, 1, req->category,
		    sizeof(req->category), err, errlen) == -1)
			return -1;
		return 0;
	case LD_K_APPROPRIATION:
	case LD_K_AWARD:
	case LD_K_DISBURSEMENT:
	case LD_K_REFUND:
		if (req->kind == LD_K_APPROPRIATION) {
			if (build_account(a, req, err, errlen) == -1)
				return -1;
		} else if (arg_code("--region", args_get(a, "region"),
		    req->region, sizeof(req->region), err, errlen) == -1)
			return -1;
		if (arg_fy(a, "fy", &req->fy, err, errlen) == -1 ||
		    arg_amount(a, "amount", &req->amount, err, errlen) == -1 ||
		    arg_ref("--ref", args_get(a, "ref"), req->ref,
		    sizeof(req->ref), err, errlen) == -1)
			return -1;
		if (req->kind == LD_K_APPROPRIATION || req->kind == LD_K_AWARD)
			return 0;
		if (parse_date(args_get(a, "date"), &req->date, why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "--date: %s", why[0] != '\0' ? why :
			    "not a date (YYYY-MM-DD)");
			return -1;
		}
		if ((s = args_get(a, "memo")) != NULL &&
		    arg_text("--memo", s, 1, req->memo, sizeof(req->memo), err,
		    errlen) == -1)
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
	default:
		snprintf(err, errlen, "not a write command");
		return -1;
	}
}

static int
write_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ld_entry		 req, e;
	struct conn_frame	 f;
	struct wbuf		 w;
	const uint8_t		*enc;
	size_t			 enclen;
	json_t			*obj;
	char			 err[256];
	int			 rc, dup;

	if (cmd_build_write(a, &req, err, sizeof(err)) == -1)
		return ctl_usage(ctl, a->cmd, "%s", err);
	if ((rc = ctl_connect(ctl)) != CTL_OK)
		return rc;

	wbuf_init(&w);
	if (msg_encode_write(&w, &req) == -1) {
		wbuf_free(&w);
		return ctl_usage(ctl, a->cmd, "request cannot be encoded");
	}
	rc = ctl_call(ctl, MSG_WRITE, &w, MSG_ENTRY, NULL, &f);
	wbuf_free(&w);
	if (rc != CTL_OK)
		return rc;
	if (ctl_entry_answer(f.payload, f.len, &dup, &e, &enc, &enclen) == -1)
		return ctl_conn_fail(ctl, "malformed ENTRY answer");

	obj = out_entry_json(&e, enc, enclen);
	if (obj == NULL || json_object_set_new(obj, "duplicate",
	    json_boolean(dup)) == -1) {
		json_decref(obj);
		return ctl_conn_fail(ctl, "cannot format the entry");
	}
	if (ctl->json)
		out_json_line(ctl->out, obj);
	else
		out_kv(ctl->out, obj);
	return CTL_OK;
}
