/*
 * audit.h - the auditor's and exporter's commands of ledgerctl
 * (cmd_audit.c: checkpoint, prove, consistency, verify, verify-export;
 * cmd_export.c: export), as far as other files and the unit tests need them.
 *
 * The command tables themselves are declared in ctl.h with the others.
 * What is here is the part of export that is pure (the build step and the
 * two line formats) and the streamed LIST that both export and `verify
 * --full` read the whole ledger with.
 */
#ifndef LD_AUDIT_H
#define LD_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ctl.h"

struct ld_entry;
struct msg_list;

/* export --format; CSV is the default, --json alone means JSONL. */
enum export_format {
	EXPORT_CSV = 1,
	EXPORT_JSONL = 2
};

/* The CSV header, exactly as the contract fixes it. */
#define EXPORT_CSV_HEADER "seq,kind,region,fy,account,amount,ref,date,memo," \
	"id,actor,recorded_at,reverses,reason,leaf_hash"

/*
 * The build step of `export`: --since, --until (inclusive, at least 1, not
 * below --since) and --format into a LIST request and a format.
 * @return 0, or -1 with a usage message in err.
 */
int	cmd_build_export(const struct ctl_args *, struct msg_list *l, int *format,
	    char *err, size_t errlen);

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

/*
 * Send LIST l and hand the bytes of every entry of every ENTRIES frame, in
 * the order received, to fn (enc borrowed until fn returns).  Stops at the
 * first fn result other than CTL_OK and returns it.  Only one frame is held
 * at a time.  A malformed frame is a protocol failure (CTL_CONN); a refusal
 * is printed and returns CTL_REFUSED.
 */
typedef int	(*export_entry_fn)(struct ctl *, const uint8_t *enc, size_t len,
		    void *arg);
int	export_stream(struct ctl *, const struct msg_list *l, export_entry_fn fn,
	    void *arg);

#endif
