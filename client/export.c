/*
 * export.c - an entry as a line of an export (export.h): JSONL for anyone
 * who wants to recompute the Merkle tree without this software, CSV for a
 * spreadsheet.
 *
 * Both are derived from the entry's JSON (output.c), never built field by
 * field here: the JSONL line is `get --json` plus "leaf_data", and each CSV
 * column is the JSON value of the same name, empty where the JSON omits
 * it.  So an export can never disagree with what every other command shows
 * of the same entry, and `verify-export` can rebuild the expected line
 * from leaf_data and compare it whole.  Region attributes and year_close
 * totals are only in the JSONL export, the full record; CSV is quoted as
 * RFC 4180 says (csvwrite.c), lines end in LF.
 */
#include <stdio.h>
#include <stdlib.h>

#include "csvwrite.h"
#include "entry.h"
#include "export.h"
#include "output.h"
#include "wire.h"

/* The CSV columns, which are also the JSON keys they are taken from. */
static const char *const csv_cols[] = {
	"seq", "kind", "region", "fy", "account", "amount", "ref", "date",
	"memo", "id", "actor", "recorded_at", "reverses", "reason", "leaf_hash"
};
#define CSV_NCOLS	(sizeof(csv_cols) / sizeof(csv_cols[0]))

json_t *
export_entry_json(const struct ld_entry *e, const uint8_t *enc, size_t len)
{
	json_t	*obj;
	char	*hex;

	if ((obj = out_entry_json(e, enc, len)) == NULL)
		return NULL;
	if ((hex = malloc(2 * len + 1)) == NULL) {
		json_decref(obj);
		return NULL;
	}
	hex_encode(enc, len, hex);
	if (json_object_set_new(obj, "leaf_data", json_string(hex)) == -1) {
		json_decref(obj);
		obj = NULL;
	}
	free(hex);
	return obj;
}

int
export_csv_row(FILE *f, const struct ld_entry *e, const uint8_t *enc,
    size_t len)
{
	const char	*cells[CSV_NCOLS];
	char		 nums[CSV_NCOLS][24];
	json_t		*obj, *v;
	size_t		 i;
	int		 rc;

	if ((obj = out_entry_json(e, enc, len)) == NULL)
		return -1;
	for (i = 0; i < CSV_NCOLS; i++) {
		cells[i] = NULL;
		v = json_object_get(obj, csv_cols[i]);
		if (json_is_string(v))
			cells[i] = json_string_value(v);
		else if (json_is_integer(v)) {
			snprintf(nums[i], sizeof(nums[i]), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			cells[i] = nums[i];
		}
	}
	rc = csv_write_row(f, cells, CSV_NCOLS);
	json_decref(obj);
	return rc;
}
