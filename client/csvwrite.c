/*
 * csvwrite.c - RFC 4180 field quoting for everything ledgerctl prints as
 * CSV (csvwrite.h).  Kept apart from the commands so that the rule is
 * written and tested once.
 */
#include <string.h>

#include "csvwrite.h"

/* Whether a field must be quoted: RFC 4180 2.6. */
static int
csv_needs_quotes(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

int
csv_write_field(FILE *f, const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return ferror(f) ? -1 : 0;
	if (!csv_needs_quotes(s, len)) {
		fwrite(s, 1, len, f);
		return ferror(f) ? -1 : 0;
	}
	fputc('"', f);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
	return ferror(f) ? -1 : 0;
}

int
csv_write_row(FILE *f, const char *const *fields, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		if (fields[i] != NULL &&
		    csv_write_field(f, fields[i], strlen(fields[i])) == -1)
			return -1;
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
