/*
 * progress.h - the progress line of long imports and exports.
 *
 * A clerk importing 50,000 payments, or exporting a year, wants to see
 * that something is happening: on a terminal, stderr gets one line,
 * "import: 12,000/50,000 rows", rewritten in place with '\r' a few times a
 * second and erased at the end, so that the terminal is left as if it had
 * never been there.  When stderr is not a terminal (a pipe, a file, a
 * systemd journal, a test), nothing at all is written: logs never fill
 * with carriage returns.
 *
 * The line appears only for work that is long: once PROGRESS_FIRST units
 * are done or PROGRESS_MS milliseconds have passed, whichever comes
 * first; then at most every PROGRESS_MS.  A small import prints nothing.
 */
#ifndef LD_PROGRESS_H
#define LD_PROGRESS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define PROGRESS_MS	250	/* between two updates of the line */
#define PROGRESS_FIRST	1000	/* units done that make work "long" at once */

struct progress {
	FILE		*f;		/* borrowed; NULL: the line is off */
	const char	*what;		/* "import" (static) */
	const char	*unit;		/* "rows" (static) */
	uint64_t	 total;		/* 0 when not known */
	struct timespec	 start, last;
	size_t		 width;		/* bytes of the line shown; 0 none */
};

/*
 * Start a progress line on f for what ("import"), counting unit ("rows")
 * up to total (0: unknown, the line shows the count alone).  The line is
 * on only when f is a terminal (isatty) and quiet_fd, unless it is -1,
 * is not one: an export whose rows themselves go to a terminal needs no
 * second account of them.
 */
void	progress_init(struct progress *, FILE *f, const char *what,
	    const char *unit, uint64_t total, int quiet_fd);

/* done units so far: rewrites the line when it is due (see above). */
void	progress_update(struct progress *, uint64_t done);

/*
 * Erase the line if one is shown (before printing anything else on the
 * terminal, and at the end); a later progress_update() draws it again.
 */
void	progress_clear(struct progress *);

#endif
