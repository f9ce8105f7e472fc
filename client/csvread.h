/*
 * csvread.h - ledgerctl's strict reader of CSV files (RFC 4180).
 *
 * People hand ledgerctl two kinds of CSV file: bank statements for
 * `reconcile` and payment lists for `import`, usually saved from a
 * spreadsheet.  The reader accepts what RFC 4180 allows and what those
 * programs really write, and refuses everything else with the line it is on,
 * so that a damaged file is never half-understood:
 *
 *   - an optional UTF-8 byte order mark at the very start (Excel writes one);
 *   - records end in LF or CRLF; the last one may lack its line end;
 *   - a field is either bare (no '"', CR or LF in it) or quoted, in which
 *     case it may hold commas, CR, LF and '""' for one '"';
 *   - nothing but ',' or a line end may follow a closing quote;
 *   - a lone CR outside quotes, a NUL byte anywhere and a quote left open
 *     at the end of the file are errors;
 *   - a line with no characters at all is a record of one empty field, and
 *     a blank spreadsheet row (",,,") one of empty fields: csvr_blank()
 *     tells the caller, who skips them; a final line end merely ends the
 *     last record.
 *
 * Fields are returned byte for byte, without trimming and without any
 * interpretation of their text: validating UTF-8 and values is the caller's
 * (proto/values.h, proto/entry.h's validators).  Line numbers are physical
 * lines, counting from 1, so a quoted field with a line break in it moves
 * the next record's number on by one; each record carries the line it
 * starts on, which is the number an error message should name.
 *
 * Memory is capped: a field, a record and the number of fields in a record
 * each have a limit, so a file without line ends cannot make the reader
 * allocate without bound.
 *
 * Two helpers serve files saved by people rather than programs: columns
 * found by their header name (csvr_columns(): any order, other columns
 * ignored), and csvr_to_utf8(), which turns a Shift_JIS (CP932) file, what
 * Japanese Excel saves as "CSV", into the UTF-8 the reader's callers
 * expect, before any of it is parsed.
 */
#ifndef LD_CSVREAD_H
#define LD_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#define CSVR_FIELD_MAX		4096	/* default bytes in one field */
#define CSVR_RECORD_MAX		16384	/* default bytes in one record */
#define CSVR_FIELDS_MAX		64	/* default fields in one record */

struct csvr_limits {
	size_t		field_max;	/* bytes of one field's value */
	size_t		record_max;	/* bytes of all of a record's values */
	size_t		fields_max;	/* fields in one record */
};

struct csvr {
	FILE		*f;		/* borrowed */
	struct csvr_limits lim;
	unsigned long	 line;		/* physical line of the next byte */
	unsigned long	 rec_line;	/* line the current record starts on */
	int		 started;	/* the BOM check has been done */
	int		 state;		/* 0 reading, 1 at the end, -1 failed */
	int		 back[3];	/* bytes read ahead (the BOM check), LIFO */
	int		 nback;
	size_t		 cap;
	size_t		 vbytes;	/* value bytes of the record (no NULs) */
	char		*buf;		/* owned: the record's values, NUL-separated */
	size_t		 len;
	size_t		*off;		/* owned: offset of each field in buf */
	char		**field;	/* owned: pointers into buf, valid until next */
	size_t		 nfield;
	char		 err[320];	/* why csvr_next() failed, with the line */
};

/*
 * Start reading f.  lim may be NULL for the defaults above; a zero limit
 * also means its default.  f stays the caller's.
 */
void	csvr_init(struct csvr *, FILE *f, const struct csvr_limits *lim);

/*
 * Read the next record.  On 1, r->field[0 .. r->nfield - 1] are the fields
 * (NUL-terminated, valid until the next call) and r->rec_line the line it
 * began on.  Returns 0 at the end of the file, and -1 on a malformed file,
 * a limit exceeded, a read error or no memory, with the reason in r->err
 * ("line 12: unterminated quoted field (opened on line 10)").  After -1 or 0
 * every further call returns the same.
 */
int	csvr_next(struct csvr *);

/*
 * Read the first record and require it to be the header: nfields fields
 * that, joined with commas, spell header exactly.  Both of the contract's
 * CSV files start with a fixed header, so a file saved with other columns
 * is refused at its first line rather than half-read row by row.  Returns
 * 0, or -1 with the reason in r->err: csvr_next()'s own, "empty file
 * (expected the header line ...)" or "line N: the header must be '...'".
 */
int	csvr_header(struct csvr *, const char *header, size_t nfields);

/* 1 when every field of the current record is empty (a blank line or row). */
int	csvr_blank(const struct csvr *);

/*
 * A column looked for by name in the header.  name is compared with each
 * header field without case (ASCII) and without surrounding spaces;
 * csvr_columns() sets index to the field's position, or to CSVR_ABSENT.
 */
#define CSVR_ABSENT	((size_t)-1)
struct csvr_col {
	const char	*name;
	int		 required;
	size_t		 index;		/* out */
};

/*
 * Read the header: the first record that is not blank (csvr_blank()), and
 * find each of the ncols columns in it.  Columns not asked for are
 * ignored.  Returns the number of fields of the header (> 0), or -1 with
 * the reason in r->err: csvr_next()'s own, "empty file (no header line)",
 * "line N: column 'ref' appears twice (fields 2 and 5)" or "line N: the
 * header lacks the column(s) ref, amount (found: ...)".
 */
long	csvr_columns(struct csvr *, struct csvr_col *cols, size_t ncols);

/*
 * Convert len bytes at in from the character set from (an iconv name:
 * "CP932") to UTF-8, into *out (allocated, NUL-terminated, caller frees)
 * and *outlen.  A byte sequence that is not a character of from is an
 * error naming its line (counted by LF bytes, which CP932 never uses
 * inside a character) and byte offset: "line 12: bytes 0x81 0x20 are not
 * cp932 text".  Returns 0, or -1 with the reason in err (also an unknown
 * character set or no memory).
 */
int	csvr_to_utf8(const char *in, size_t len, const char *from, char **out,
	    size_t *outlen, char *err, size_t errlen);

/* Free what the reader allocated; the FILE is not closed. */
void	csvr_free(struct csvr *);

#endif
