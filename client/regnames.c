/*
 * regnames.c - the code -> name map of regions (regnames.h).
 *
 * Regions are few (the seed has 49) and are read once per command, so the
 * map is a sorted array searched by bsearch(): no hashing, and the order
 * is the order codes are printed in anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regnames.h"

int
regnames_add(struct regnames *rn, const char *code, const char *name)
{
	struct regname	*nv;
	char		*copy;

	if (rn->n == rn->cap) {
		rn->cap = rn->cap > 0 ? rn->cap * 2 : 64;
		if ((nv = reallocarray(rn->v, rn->cap, sizeof(*nv))) == NULL)
			return -1;
		rn->v = nv;
	}
	if ((copy = strdup(name)) == NULL)
		return -1;
	snprintf(rn->v[rn->n].code, sizeof(rn->v[rn->n].code), "%s", code);
	rn->v[rn->n].name = copy;
	rn->n++;
	return 0;
}

static int
regname_cmp(const void *a, const void *b)
{
	return strcmp(((const struct regname *)a)->code,
	    ((const struct regname *)b)->code);
}

void
regnames_sort(struct regnames *rn)
{
	if (rn->n > 1)
		qsort(rn->v, rn->n, sizeof(*rn->v), regname_cmp);
}

const char *
regnames_get(const struct regnames *rn, const char *code)
{
	struct regname		 key;
	const struct regname	*hit;

	if (rn == NULL || rn->n == 0 || strlen(code) > LD_CODE_MAX)
		return NULL;
	snprintf(key.code, sizeof(key.code), "%s", code);
	hit = bsearch(&key, rn->v, rn->n, sizeof(*rn->v), regname_cmp);
	return hit != NULL ? hit->name : NULL;
}

void
regnames_free(struct regnames *rn)
{
	size_t	 i;

	for (i = 0; i < rn->n; i++)
		free(rn->v[i].name);
	free(rn->v);
	memset(rn, 0, sizeof(*rn));
}
