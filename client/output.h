/*
 * output.h - how ledgerctl prints what the daemon answers.
 *
 * Two forms of everything: JSON (one compact object per line, keys in the
 * contract's order, UTF-8 unescaped, amounts as integers, hashes in hex) and
 * text for people (key: value lines for a single entry or status, aligned
 * tables for lists, amounts grouped by threes).
 *
 * The text form of a single object is printed from its JSON object, so the
 * two forms always show the same fields in the same order.
 *
 * Builders return a new reference (NULL when memory ran out or a string was
 * not UTF-8, which validated entries never are).
 */
#ifndef LD_OUTPUT_H
#define LD_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "balance.h"
#include "display.h"
#include "entry.h"
#include "msg.h"
#include "regnames.h"

/*
 * An entry as the contract shows it: seq, kind, region, fy, account, amount,
 * ref, date, memo, id, actor, recorded_at, leaf_hash, then the kind's own
 * fields:
 *   region        code, name, grant_type, category
 *   reversal      reverses, target_kind, reason
 *   year_close    appropriated, awarded, disbursed, refunded, net, and from
 *                 format 2 carried_in, budget, carried_out, unused,
 *                 receipts, execution_rate_bp (null when its budget is 0)
 *   terms         grant_type, min, max (both null: no range),
 *                 settlement_deadline, interest_rate_bp, late_rate_bp
 *   award_cancel  repay_by (when ordered), reason, principal
 *   settlement    repay_by (when ordered), principal
 *   receipt       principal, interest, late_charge (where it was applied)
 *   carry_over    carry_kind
 * and, for an action that took effect by approval (format 4), approved_by
 * (the approval's seq) and request (the request's).  The kinds of
 * two-person approval carry only seq, kind, the envelope (id, actor,
 * recorded_at, leaf_hash) and their own fields:
 *   policy        ref, require (action names), disburse_over (0 = off),
 *                 expire_days
 *   request       action (the ledgerctl command), request (an object of
 *                 the action's fields: out_request_fields_json), expires_at
 *   approval      request, status (approved|refused|rejected), refusal
 *                 (the rule's code, only when refused), reason
 * A request's own status depends on later entries and on the clock, so it
 * is not here: approvals.h adds it where the caller knows it.
 * Fields a kind does not have are omitted, and so are an empty memo and id
 * and a format 1 award's missing date.  The amount of an award_cancel is
 * the award it cancelled.  leaf_hash is computed over enc, the bytes
 * received.
 */
json_t	*out_entry_json(const struct ld_entry *e, const uint8_t *enc, size_t len);
/*
 * A request entry's action fields, named as that kind's own entries name
 * them (disburse: region, fy, amount, ref, date, memo; reverse: reverses,
 * reason; cancel-award: region, fy, ref, date, repay_by, reason; settle:
 * region, fy, amount, ref, date, repay_by; terms: fy, ref, grant_type,
 * min, max, settlement_deadline, interest_rate_bp,
 * late_rate_bp; close-year: fy, account).  NULL for another kind.
 */
json_t	*out_request_fields_json(const struct ld_entry *e);
/* A policy's require mask as the array of action names it lists. */
json_t	*out_policy_require_json(unsigned require);
/* A region (from its region entry): code, name, grant_type, account, category, seq. */
json_t	*out_region_json(const struct ld_entry *e);
/*
 * account, fy, appropriated, awarded, disbursed, refunded, net, unawarded,
 * closed, carried_in, budget, carried_out, unused, receipts,
 * execution_rate_bp (net / budget; null when the budget is 0)
 */
json_t	*out_acct_bal_json(const struct ld_acct_bal *b);
/*
 * region, fy, grant_type, account, award, disbursed, refunded, net,
 * remaining, settled (null until settled), carried_in, carried_out,
 * receivable_outstanding, execution_rate_bp (net / award; null when the
 * award is 0)
 */
json_t	*out_region_bal_json(const struct ld_region_bal *b);
/*
 * region, fy, account, principal, principal_paid, interest, late_charge,
 * paid_charges, outstanding, repay_by, as_of, order_seq
 */
json_t	*out_receivable_json(const struct msg_receivable *v, uint32_t as_of);
/*
 * server, size, root, last_commit, uptime_s, connections, map_used,
 * map_size, cn, role, roles, the scrub and storage figures, and for a
 * node of a cluster (contract 2.8, 2.10) node, raft_role, term, leader
 * ("" when unknown), commit_index, applied_index and members (each
 * out_member_json() without its raft_role).
 */
json_t	*out_status_json(const struct msg_status *s, const struct msg_hello_ok *h);
/*
 * A cluster member: id, raft_address, client_address, voter, and with
 * with_role its raft_role as the node answering sees it (leader,
 * follower, candidate, or unknown for a member it cannot see).
 */
json_t	*out_member_json(const struct msg_member *m, int with_role);
/*
 * The members of c as an aligned table (id, raft address, client address,
 * voter, raft role), each line indented by indent spaces.  0 or -1.
 */
int	 out_members_text(FILE *f, const struct msg_cluster *c, int indent);
/* {"error":"CODE","message":"..."} */
json_t	*out_error_json(int code, const char *message);

/* Print obj as one compact line and drop the reference.  0 or -1. */
int	 out_json_line(FILE *f, json_t *obj);
/* Print obj as "key: value" lines (amounts grouped, booleans yes/no); drops it. */
int	 out_kv(FILE *f, json_t *obj);
/* An entry's obj (out_entry_json) as out_kv does it, recorded_at in JST. */
int	 out_entry_kv(FILE *f, const struct ld_entry *e, json_t *obj);

/*
 * The entry table of `list`, sized to its contents in display columns
 * (display.h), in d's language and unit.  Rows are kept until
 * OUT_LIST_HOLD of them are there or the listing ends, then the header and
 * those rows are printed with columns as wide as their widest cell; later
 * rows are printed at once with the same widths (a wider cell there
 * pushes the rest of its row right), so a listing of the whole ledger
 * still needs bounded memory and starts printing early.
 *
 * mark is what later entries say of this one ("superseded by 12",
 * "reversed by 15"; NULL or "" for nothing); it has its own column.
 *
 * out_list_new() returns NULL when memory ran out.  out_list_add() and
 * out_list_end() return 0, or -1 when memory ran out or the output
 * failed.  out_list_end() prints what is held, or "no entries" when
 * nothing was added, and frees the list (NULL is accepted).
 */
#define OUT_LIST_HOLD	1000
struct out_list;
struct out_list	*out_list_new(FILE *f, const struct disp *d);
int	 out_list_add(struct out_list *l, const struct ld_entry *e,
	    const char *mark);
int	 out_list_end(struct out_list *l);
/* Free without printing (after a failed listing).  NULL is accepted. */
void	 out_list_free(struct out_list *l);

/*
 * A table sized to its contents, for answers read whole before printing:
 * rows are copied in and column widths, in terminal columns, computed at
 * print time.  The last column is not padded, so free text may run on.
 * Headers are printed through disp_word() in disp's language (NULL:
 * English); cells are printed as given, so callers translate them.
 * A failed add (no memory) is remembered and makes out_table_print()
 * return -1; out_table_free() is safe after anything.
 */
#define OUT_TABLE_COLS	16
struct out_table {
	size_t		 ncols;
	const char	*const *heads;
	const int	*right;		/* per column: 1 = right-aligned */
	char		**cells;	/* owned: nrows x ncols */
	size_t		 nrows;
	int		 err;
	const struct disp *disp;	/* borrowed; NULL = English */
};
void	 out_table_add(struct out_table *, const char *const *row);
int	 out_table_print(FILE *, struct out_table *);
void	 out_table_free(struct out_table *);

/*
 * The tables of the read commands, in d's language and unit (d must not
 * be NULL; DISP_DEFAULT, English in yen, is what scripts read).
 * Each returns 0, or -1 when memory ran out or the output failed.
 */
int	 out_regions_table(FILE *f, const struct disp *d,
	    const struct ld_entry *regions, size_t n);
/*
 * Balances: the accounts' appropriations and payments, then their budget
 * execution (予算現額, 繰越, 不用額, 残額, 執行率); the regions' awards and
 * payments (with the region's name from names, "-" when unknown or names
 * is NULL), then their grant's life (decision, settlement, carry-overs,
 * receivable).  Two tables each, so that each stays within 120 columns
 * when names are short.  Per account, UNPAID is what the awards (and the
 * amounts carried in) still owe: awarded + carried_in - carried_out - net;
 * REMAINING is the budget not yet spent (予算残額): budget - net.
 */
int	 out_balances_table(FILE *f, const struct disp *d,
	    const struct ld_acct_bal *a, size_t n,
	    const struct ld_region_bal *r, size_t m,
	    const struct regnames *names);
int	 out_terms_table(FILE *f, const struct disp *d,
	    const struct ld_entry *terms, size_t n);
int	 out_receivables_table(FILE *f, const struct disp *d,
	    const struct msg_receivable *v, size_t n, uint32_t as_of);

/*
 * Derived per-account figures shown by the balance table and the report
 * (see out_balances_table).
 */
int64_t	 out_acct_unpaid(const struct ld_acct_bal *a);
int64_t	 out_acct_left(const struct ld_acct_bal *a);
/*
 * A region's 不用額 as contract 2.10 defines it at close: (the settled
 * amount if settled, else the award) - net paid - carried out.
 */
int64_t	 out_region_unused(const struct ld_region_bal *r);

/*
 * Contract 2.2: recorded_at stays UTC in JSON, people see it in JST.
 * "2026-11-28T23:00:00.123456+09:00" (>= 33 bytes), whatever TZ says.
 */
void	 out_time_jst(int64_t us, char *out, size_t outsz);

/*
 * What a request asks, in d's language and unit, as one phrase: "disburse
 * 150,000,000 yen to aichi-nanotech for FY2013 (ref V-0009, 2013-08-01)".
 * The DETAIL of a policy, request or approval in `list`: the request's
 * phrase, "approves request 42", "rejects request 42: REASON", or the
 * actions a policy names.  out should hold LD_TEXT_MAX + 256 bytes;
 * shorter is truncated.
 */
void	 out_request_summary(const struct disp *d, const struct ld_entry *e,
	    char *out, size_t outsz);
void	 out_approval_detail(const struct disp *d, const struct ld_entry *e,
	    char *out, size_t outsz);

/* Display width of UTF-8 text in terminal columns: disp_width(). */
size_t	 out_width(const char *s);

#endif
