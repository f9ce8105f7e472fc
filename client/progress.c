/*
 * progress.c - the progress line of long imports and exports (progress.h).
 *
 * Drawn as "text\r" and erased by overwriting it with spaces rather than
 * with terminal escape sequences, so that it is right on any terminal
 * and TERM is never consulted.  The clock is CLOCK_MONOTONIC: a clock
 * step must not stop the updates or make them burst.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "values.h"

void
progress_init(struct progress *p, FILE *f, const char *what, const char *unit,
    uint64_t total, int quiet_fd)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->unit = unit;
	p->total = total;
	if (f == NULL || !isatty(fileno(f)) ||
	    (quiet_fd >= 0 && isatty(quiet_fd)))
		return;
	p->f = f;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

static int64_t
ms_since(const struct timespec *t)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

void
progress_update(struct progress *p, uint64_t done)
{
	char	 d[32], t[32], line[128];
	int	 n;

	if (p->f == NULL)
		return;
	if (p->width == 0 && done < PROGRESS_FIRST &&
	    ms_since(&p->start) < PROGRESS_MS)
		return;
	if (p->width > 0 && ms_since(&p->last) < PROGRESS_MS)
		return;
	/* Counts are far below INT64_MAX: format_amount groups them. */
	format_amount((int64_t)(done & INT64_MAX), d, sizeof(d));
	if (p->total > 0) {
		format_amount((int64_t)(p->total & INT64_MAX), t, sizeof(t));
		n = snprintf(line, sizeof(line), "%s: %s/%s %s", p->what, d, t,
		    p->unit);
	} else
		n = snprintf(line, sizeof(line), "%s: %s %s", p->what, d,
		    p->unit);
	if (n < 0)
		return;
	/*
	 * Pad over a longer line left by an earlier update, and leave the
	 * cursor at the start of the line: a message printed by code that does
	 * not know about the line (a failure deep in the session) then
	 * overwrites it instead of being glued to its end.
	 */
	fprintf(p->f, "%s%*s\r", line, p->width > (size_t)n ?
	    (int)(p->width - (size_t)n) : 0, "");
	fflush(p->f);
	if ((size_t)n > p->width)
		p->width = (size_t)n;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
}

void
progress_clear(struct progress *p)
{
	if (p->f == NULL || p->width == 0)
		return;
	fprintf(p->f, "%*s\r", (int)p->width, "");
	fflush(p->f);
	p->width = 0;
	/* The next update draws at once: the line was there a moment ago. */
	p->start.tv_sec = 0;
	p->start.tv_nsec = 0;
}
