/*
 * workload.c - the benchmark's disbursements and the seed's regions
 * (see workload.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

/* Makes an entry of about 200 bytes, like the ones the targets speak of. */
#define WL_MEMO	"bench: equipment, staff and travel of the regional " \
		"innovation programme, invoice on file"

static int
field(char **p, char *out, size_t outsz, int last)
{
	char *end = strchr(*p, last ? '\n' : '\t');
	size_t len;

	if (end == NULL) {
		if (!last)
			return -1;
		end = *p + strlen(*p);
	}
	len = (size_t)(end - *p);
	if (len > 0 && (*p)[len - 1] == '\r')
		len--;
	if (len >= outsz)
		return -1;
	memcpy(out, *p, len);
	out[len] = '\0';
	*p = *end != '\0' ? end + 1 : end;
	return 0;
}

int
wl_regions_load(struct wl_regions *rs, const char *path, char *err,
    size_t errlen)
{
	struct wl_region *r, *nr;
	char line[2048], grant[32], *p;
	FILE *f;
	size_t cap = 0;
	int lineno = 0;

	rs->r = NULL;
	rs->n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (++lineno == 1 || line[0] == '\n' || line[0] == '#')
			continue;	/* the header */
		if (rs->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nr = realloc(rs->r, cap * sizeof(*nr))) == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			rs->r = nr;
		}
		r = &rs->r[rs->n];
		memset(r, 0, sizeof(*r));
		p = line;
		if (field(&p, r->code, sizeof(r->code), 0) == -1 ||
		    field(&p, r->name, sizeof(r->name), 0) == -1 ||
		    field(&p, grant, sizeof(grant), 0) == -1 ||
		    field(&p, r->category, sizeof(r->category), 1) == -1 ||
		    !ld_valid_code(r->code) ||
		    (r->grant_type = (uint8_t)ld_grant_from_name(grant)) == 0) {
			snprintf(err, errlen, "%s:%d: not code TAB name TAB "
			    "grant_type TAB category", path, lineno);
			goto fail;
		}
		rs->n++;
	}
	if (ferror(f) || rs->n == 0) {
		snprintf(err, errlen, "%s: %s", path,
		    ferror(f) ? "read error" : "no regions");
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	wl_regions_free(rs);
	return -1;
}

void
wl_regions_free(struct wl_regions *rs)
{
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

void
wl_disbursement(struct ld_entry *e, const struct wl_regions *rs,
    const char *tag, uint32_t conn, uint64_t n, uint16_t fy)
{
	memset(e, 0, sizeof(*e));
	e->kind = LD_K_DISBURSEMENT;
	snprintf(e->region, sizeof(e->region), "%s",
	    rs->r[(n + (uint64_t)conn * 7) % rs->n].code);
	e->fy = fy;
	e->amount = 1 + (int64_t)((n * 7 + conn) % 997);
	/* One voucher per payment, across runs too (DUPLICATE_REF). */
	snprintf(e->ref, sizeof(e->ref), "V-%s-%u-%llu", tag, conn,
	    (unsigned long long)n);
	e->date = (uint32_t)fy * 10000 + 701;	/* 1 July: inside the FY */
	snprintf(e->memo, sizeof(e->memo), "%s", WL_MEMO);
	snprintf(e->id, sizeof(e->id), "%s-%u-%llu", tag, conn,
	    (unsigned long long)n);
}

int
wl_parse_id(const char *id, const char *tag, uint32_t *conn, uint64_t *n)
{
	size_t tl = strlen(tag);
	unsigned long long c, v;
	char *end;

	if (strncmp(id, tag, tl) != 0 || id[tl] != '-')
		return 0;
	id += tl + 1;
	if (*id < '0' || *id > '9')
		return 0;
	errno = 0;
	c = strtoull(id, &end, 10);
	if (errno != 0 || *end != '-' || c > UINT32_MAX)
		return 0;
	id = end + 1;
	if (*id < '0' || *id > '9')
		return 0;
	v = strtoull(id, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	*conn = (uint32_t)c;
	*n = v;
	return 1;
}

static void
base36(char **p, char *end, unsigned long long v)
{
	char buf[16];
	int i = 0;

	do
		buf[i++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
	while ((v /= 36) != 0 && i < (int)sizeof(buf));
	while (i > 0 && *p < end)
		*(*p)++ = buf[--i];
}

void
wl_make_tag(char tag[WL_TAG_MAX])
{
	struct timespec ts;
	char *p = tag, *end = tag + WL_TAG_MAX - 1;

	clock_gettime(CLOCK_REALTIME, &ts);
	*p++ = 'b';
	base36(&p, end, (unsigned long long)ts.tv_sec % 46656 * 1000 +
	    (unsigned long long)ts.tv_nsec / 1000000);
	*p++ = 'x';
	base36(&p, end, (unsigned long long)getpid());
	*p = '\0';
}
