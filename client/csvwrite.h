/*
 * csvwrite.h - ledgerctl's CSV writer (RFC 4180 fields, LF line ends).
 *
 * CSV is what auditors and accountants open in a spreadsheet, so `export
 * --format csv` (and any other command that prints CSV) writes it through
 * these two functions and nothing else: one quoting rule for the whole
 * client.  A field is quoted only when it must be (it holds a comma, a
 * double quote, CR or LF), and a quote inside it is doubled.  Lines end in
 * LF as the contract fixes; a CR inside a field is kept, quoted.
 *
 * The reader of CSV files (statements, imports) is client/csvread.c.
 */
#ifndef LD_CSVWRITE_H
#define LD_CSVWRITE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Write one field of len bytes (not NUL-terminated; NULL with len 0 is the
 * empty field), quoted when it has to be.  No separator is written.
 * @return 0, or -1 when the stream reported an error.
 */
int	csv_write_field(FILE *f, const char *s, size_t len);

/*
 * Write a whole record: n fields separated by commas, then LF.  A NULL
 * field is written empty.
 * @return 0, or -1 when the stream reported an error.
 */
int	csv_write_row(FILE *f, const char *const *fields, size_t n);

#endif
