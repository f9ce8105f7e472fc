/*
 * regnames.h - region codes and their names, for the tables and reports
 * that show a name beside each code (`balance`, `report`).
 *
 * Balances and entries carry only the region's code; the name is in the
 * region's own entry, which REGION_LIST answers.  A command that shows
 * names asks for the list once and looks codes up here.  The list holds
 * copies of just the code and the name, not whole entries (a struct
 * ld_entry is over 2 KB of text fields).
 */
#ifndef LD_REGNAMES_H
#define LD_REGNAMES_H

#include <stddef.h>

#include "entry.h"

struct regname {
	char	 code[LD_CODE_MAX + 1];
	char	*name;			/* owned */
};

struct regnames {
	struct regname	*v;		/* owned; sorted by code once fetched */
	size_t		 n;
	size_t		 cap;
};

/* The daemon's regions are fetched by ctl_region_names() (session.h). */

/*
 * Add code and name (both copied) to rn.  Returns 0, or -1 when memory
 * ran out.  After adding, regnames_sort() before looking up.
 */
int		 regnames_add(struct regnames *rn, const char *code,
		    const char *name);
void		 regnames_sort(struct regnames *rn);

/* The name of code, or NULL when rn is NULL or has no such region. */
const char	*regnames_get(const struct regnames *rn, const char *code);

void		 regnames_free(struct regnames *rn);

#endif
