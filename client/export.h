/*
 * export.h - the two line formats of an export (the contract's "Audit
 * formats"), as `export` writes them (cmd_export.c) and `verify-export`
 * (cmd_audit.c) checks a file against them.
 *
 * They live apart from both commands because both depend on them: the
 * format is the contract between the writer and the checker, and neither
 * command should need the other to know it.
 */
#ifndef LD_EXPORT_H
#define LD_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct ld_entry;

/* export --format; CSV is the default, --json alone means JSONL. */
enum export_format {
	EXPORT_CSV = 1,
	EXPORT_JSONL = 2
};

/* The CSV header, exactly as the contract fixes it. */
#define EXPORT_CSV_HEADER "seq,kind,region,fy,account,amount,ref,date,memo," \
	"id,actor,recorded_at,reverses,reason,leaf_hash"

/*
 * An entry as a JSONL export line carries it: the entry's JSON exactly as
 * `get --json` prints it (output.c); for a region entry "code" too, the key
 * a region has everywhere else; then "leaf_data", the hex of enc.
 * @return a new reference, or NULL when memory ran out.
 */
json_t	*export_entry_json(const struct ld_entry *e, const uint8_t *enc,
	    size_t len);
/*
 * One CSV record of an entry, columns as EXPORT_CSV_HEADER; each column
 * holds what the entry's JSON holds under the same key, empty when the JSON
 * omits it.
 * @return 0, or -1 on a stream error or when memory ran out.
 */
int	export_csv_row(FILE *f, const struct ld_entry *e, const uint8_t *enc,
	    size_t len);

#endif
