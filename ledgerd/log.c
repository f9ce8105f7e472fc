/*
 * log.c - the daemon's diagnostics, one line each on stderr.
 *
 * Under systemd, stderr is a stream into the journal, which adds its own
 * timestamps and reads a leading "<N>" as the line's syslog priority
 * (sd-daemon(3)), so we print none and prefix the priority instead.  We
 * trust JOURNAL_STREAM only when it names the device and inode stderr
 * really is (systemd.exec(5)): a child that inherited the variable but
 * writes to a terminal or a pipe gets plain lines.  LEDGERD_LOG_PREFIX=1 or
 * =0 forces the choice either way (for tests and unusual setups).
 *
 * Each line is formatted into one buffer and written with one call, so
 * lines from concurrent writers do not interleave mid-line.  Long messages
 * are truncated, never split.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	2048

/* syslog(3) priorities, spelled out to keep <syslog.h> out. */
#define PRI_ERR		3
#define PRI_INFO	6
#define PRI_DEBUG	7

static int	log_verbose;
static int	log_prefix;

static int
log_to_journal(void)
{
	const char *force = getenv("LEDGERD_LOG_PREFIX");
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (force != NULL && *force != '\0')
		return strcmp(force, "0") != 0;
	if (js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int verbose)
{
	log_verbose = verbose;
	log_prefix = log_to_journal();
}

static void
log_vline(int pri, const char *errstr, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = 0;
	int r;

	if (log_prefix)
		n = (size_t)snprintf(line, sizeof(line), "<%d>", pri);
	else
		n = (size_t)snprintf(line, sizeof(line), "ledgerd: ");
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r > 0)
		n += (size_t)r;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;	/* keep room for "\n" */
	if (errstr != NULL) {
		r = snprintf(line + n, sizeof(line) - n, ": %s", errstr);
		if (r > 0)
			n += (size_t)r;
		if (n > sizeof(line) - 2)
			n = sizeof(line) - 2;
	}
	line[n++] = '\n';
	line[n] = '\0';
	fputs(line, stderr);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	const char *errstr = strerror(errno);
	char saved[256];
	va_list ap;

	/* strerror's buffer may be reused by the formatting below. */
	snprintf(saved, sizeof(saved), "%s", errstr);
	va_start(ap, fmt);
	log_vline(PRI_ERR, saved, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(PRI_ERR, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(PRI_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vline(PRI_DEBUG, NULL, fmt, ap);
	va_end(ap);
}
