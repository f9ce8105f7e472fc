/*
 * approvals.h - two-person approval (決裁) as ledgerctl sees it: what
 * became of each request, and how requests are shown to people.
 *
 * The daemon stores a write that the policy names as a `request` entry and
 * decides it later with an `approval` entry (and, when approved, the
 * action's own entry); contract 2.7, 2.8 and 2.10.  A request's status is
 * therefore not in its entry: it follows from a later approval, or, while
 * none has come, from the clock (a request whose expires_at has passed is
 * expired, judged here with this machine's clock, as the daemon judges it
 * with the recorded_at of the approval it would write).  The book below
 * holds, per request, the approval that decided it and the entry that
 * took effect, read from one APPROVALS what=ALL answer; every command that
 * prints a request (get, list, export, pending, report --approvals, the
 * answer to a write) asks it for the status.
 *
 * Everything but appr_book_read() is pure over its arguments (the clock is
 * passed in), so tests/test_client_approvals.c drives it without a daemon.
 */
#ifndef LD_APPROVALS_H
#define LD_APPROVALS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "display.h"
#include "entry.h"

struct ctl;

/* A request's status (contract 2.8 "Approvals"). */
enum appr_status {
	APPR_PENDING = 1,	/* open, not yet expired */
	APPR_APPROVED,		/* approved: the action's entry was written */
	APPR_REFUSED,		/* approved, but the rules refused the action */
	APPR_REJECTED,		/* rejected, or withdrawn by its author */
	APPR_EXPIRED,		/* open past expires_at: can no longer be approved */
	APPR_MAX = APPR_EXPIRED
};

/* "pending", "approved", "refused", "rejected", "expired"; NULL otherwise. */
const char	*appr_status_name(int status);
/* The reverse; 0 when s names no status. */
int		 appr_status_from_name(const char *s);

/* One request and what decided it. */
struct appr_row {
	uint64_t	 seq;			/* the request entry */
	uint8_t		 action;		/* the action's kind */
	uint8_t		 account;		/* close-year */
	uint8_t		 grant_type;		/* terms */
	uint16_t	 fy;
	int64_t		 amount;		/* disburse, settle; else 0 */
	uint64_t	 reverses;		/* reverse */
	char		 region[LD_CODE_MAX + 1];
	char		 ref[LD_REF_MAX + 1];
	char		 requester[LD_ACTOR_MAX + 1];
	int64_t		 requested_at;		/* its recorded_at, µs UTC */
	int64_t		 expires_at;
	/* the approval entry; 0 and empty while none */
	uint64_t	 approval;
	uint8_t		 decision;		/* enum ld_decision */
	uint8_t		 refusal;		/* the rule's code when refused */
	char		 approver[LD_ACTOR_MAX + 1];
	int64_t		 decided_at;
	char		*reason;		/* owned; NULL when empty */
	uint64_t	 entry;			/* the action's entry, when approved */
};

/* Requests in seq order, as an APPROVALS what=ALL answer gives them. */
struct appr_book {
	struct appr_row	*v;			/* owned */
	size_t		 n, cap;
};

void	appr_book_free(struct appr_book *);
/*
 * Take the next entry of an APPROVALS what=ALL (or what=OPEN) answer: a
 * request opens a row, an approval decides the row of its request, an
 * approved action's entry completes it.  Returns 0, or -1 with the reason
 * in why when the answer breaks that order (a request not after the
 * previous one, an approval of an unknown or decided request, an action
 * that names another approval, any other kind) or memory ran out.
 */
int	appr_book_add(struct appr_book *, const struct ld_entry *e, char *why,
	    size_t whylen);
/* The row of request seq, or NULL. */
const struct appr_row *appr_book_find(const struct appr_book *, uint64_t seq);
/*
 * The status of r at now_us (µs since the epoch, UTC), counting only a
 * decision whose approval seq is at most limit (0 = any): what a listing
 * that ends at limit can show.
 */
int	appr_row_status(const struct appr_row *r, int64_t now_us, uint64_t limit);
/*
 * The status of request entry e, decided by its row in b (b may be NULL:
 * no decision known), as appr_row_status().
 */
int	appr_entry_status(const struct ld_entry *e, const struct appr_book *b,
	    int64_t now_us, uint64_t limit);
/* Now, µs since the epoch (UTC), by this machine's clock. */
int64_t	appr_now_us(void);

/*
 * APPROVALS what=ALL of fiscal year fy (0 = every year) on ctl's open
 * connection, into b (zeroed by the caller; free it either way).  CTL_OK,
 * or the status of a failure already printed.
 */
int	appr_book_read(struct ctl *ctl, uint16_t fy, struct appr_book *b);

/* Add "status" to an entry's JSON object; 0, or -1 (obj unchanged). */
int	appr_json_status(json_t *obj, int status);

/*
 * The line a write that became a request answers with, in d's language:
 * "request 42: disburse 150,000,000 yen to aichi-nanotech for FY2013 (ref
 * V-9, 2013-08-01) is pending approval by another officer (expires
 * 2026-12-18)" (the expiry date in JST).
 */
void	appr_request_line(const struct disp *d, const struct ld_entry *e,
	    char *out, size_t outsz);

/*
 * The open requests v[0..n-1] that are still pending, as a table for
 * people (`pending`): seq, action, requester, when, expiry, what it asks.
 * 0, or -1 when memory ran out or the output failed.
 */
int	appr_pending_table(FILE *f, const struct disp *d,
	    const struct ld_entry *v, size_t n);

/* report --approvals formats (values of report.h's enum report_format). */
/*
 * Every request of b (fiscal year fy) with its status at now_us: who asked
 * and when, who decided and when, the approval's and the action entry's
 * seqs, the refusal's code and the reason; then, in a table, a count per
 * status.  format is REPORT_TABLE, REPORT_CSV or REPORT_JSON (one object
 * per request: appr_row_json()).  0, or -1 when memory ran out or the
 * output failed.
 */
int	appr_report_print(FILE *f, int format, const struct disp *d,
	    const struct appr_book *b, uint16_t fy, int64_t now_us);
/*
 * One request as report --approvals --json shows it: request, action,
 * region, fy, amount, ref, reverses (reverse only), requested_by,
 * requested_at, expires_at, status, decided_by, decided_at, approval,
 * entry, refusal, reason; null where a field has no value.
 */
json_t	*appr_row_json(const struct appr_row *r, int status);

#endif
