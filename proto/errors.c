/*
 * errors.c - names and default reasons of the contract's error codes.
 *
 * The daemon sends a code and a reason; ledgerctl prints "CODE: reason" and
 * {"error":"CODE",...}.  Both sides use this one table so that the names a
 * user sees are spelled exactly as the contract spells them.
 */
#include <string.h>

#include "errors.h"

static const struct {
	const char	*name;
	const char	*text;
} err_tab[LD_E_MAX + 1] = {
	[LD_OK] = { "OK", "ok" },
	[LD_E_BAD_REQUEST] = { "BAD_REQUEST", "malformed or invalid request" },
	[LD_E_FORBIDDEN] = { "FORBIDDEN", "not permitted for this certificate's role" },
	[LD_E_UNKNOWN_REGION] = { "UNKNOWN_REGION", "no such region" },
	[LD_E_DUPLICATE_REGION] = { "DUPLICATE_REGION", "region already exists" },
	[LD_E_OUT_OF_RANGE] = { "OUT_OF_RANGE", "award outside the grant type's range" },
	[LD_E_OVER_APPROPRIATION] = { "OVER_APPROPRIATION",
	    "awards would exceed the account's appropriations" },
	[LD_E_NO_AWARD] = { "NO_AWARD", "no current award for the region and year" },
	[LD_E_OVER_AWARD] = { "OVER_AWARD", "net disbursed would exceed the award" },
	[LD_E_AWARD_BELOW_DISBURSED] = { "AWARD_BELOW_DISBURSED",
	    "award would fall below net disbursed" },
	[LD_E_OVER_REFUND] = { "OVER_REFUND", "refund would exceed net disbursed" },
	[LD_E_DATE_OUTSIDE_FY] = { "DATE_OUTSIDE_FY",
	    "value date outside the fiscal year's window" },
	[LD_E_YEAR_CLOSED] = { "YEAR_CLOSED", "fiscal year is closed for the account" },
	[LD_E_NOT_REVERSIBLE] = { "NOT_REVERSIBLE", "entry cannot be reversed" },
	[LD_E_ALREADY_REVERSED] = { "ALREADY_REVERSED", "entry was already reversed" },
	[LD_E_ID_CONFLICT] = { "ID_CONFLICT", "id already used with different content" },
	[LD_E_NOT_FOUND] = { "NOT_FOUND", "no such entry" },
	[LD_E_STORAGE_FULL] = { "STORAGE_FULL", "ledger storage is full" },
	[LD_E_BUSY] = { "BUSY", "server busy, try again" },
	[LD_E_UNAVAILABLE] = { "UNAVAILABLE", "not available" },
	[LD_E_INTERNAL] = { "INTERNAL", "internal error" },
	[LD_E_NO_TERMS] = { "NO_TERMS",
	    "no programme terms for the grant type and fiscal year" },
	[LD_E_DATE_BEFORE_AWARD] = { "DATE_BEFORE_AWARD",
	    "value date before the award's decision date" },
	[LD_E_TOO_EARLY] = { "TOO_EARLY",
	    "the fiscal year's settlement deadline has not passed" },
	[LD_E_SETTLED] = { "SETTLED", "the grant's amount is already settled" },
	[LD_E_NO_RECEIVABLE] = { "NO_RECEIVABLE",
	    "nothing is owed for the region and year" },
	[LD_E_OVER_RECEIPT] = { "OVER_RECEIPT",
	    "receipt exceeds what is owed on its date" },
	[LD_E_DUPLICATE_REF] = { "DUPLICATE_REF",
	    "the ref is already used by a payment of the same kind, region and year" },
	[LD_E_DAMAGED] = { "DAMAGED",
	    "a stored entry does not match its leaf hash" },
	[LD_E_BAD_COSIGNATURE] = { "BAD_COSIGNATURE",
	    "the cosignature does not verify or covers no checkpoint of this log" },
	[LD_E_STALE_COSIGNATURE] = { "STALE_COSIGNATURE",
	    "the witness has cosigned a newer checkpoint" },
	[LD_E_NOT_LEADER] = { "NOT_LEADER", "this node is not the leader" },
	[LD_E_STORAGE_ERROR] = { "STORAGE_ERROR",
	    "the ledger's storage failed; the daemon is stopping" },
	[LD_E_NOT_PENDING] = { "NOT_PENDING",
	    "the request is no longer pending (decided or expired)" },
	[LD_E_SELF_APPROVAL] = { "SELF_APPROVAL",
	    "a request must be approved by another officer than its author" },
};

const char *
ld_err_name(int code)
{
	if (code < 0 || code > LD_E_MAX)
		return "INTERNAL";
	return err_tab[code].name;
}

const char *
ld_err_text(int code)
{
	if (code < 0 || code > LD_E_MAX)
		return "internal error";
	return err_tab[code].text;
}

int
ld_err_from_name(const char *s)
{
	int	 i;

	if (s == NULL)
		return -1;
	for (i = 0; i <= LD_E_MAX; i++)
		if (strcmp(err_tab[i].name, s) == 0)
			return i;
	return -1;
}
