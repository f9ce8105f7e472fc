/*
 * log.h - one place for the daemon's diagnostics (after OpenBSD's log.c).
 *
 * Each call writes one line to stderr, formatted into one buffer and
 * written with one call, so that lines of the loop and the writer thread
 * do not interleave; a line longer than 2 KiB is truncated, never split.
 * Under systemd stderr is the journal, which adds its own timestamps: when
 * JOURNAL_STREAM names the device and inode that stderr really is, a line
 * starts with its syslog priority ("<3>") instead of "ledgerd: ".
 * LEDGERD_LOG_PREFIX=1 or =0 forces the choice either way.
 *
 * There is no fatal(): a function that cannot go on logs with log_warn()
 * or log_warnx() and returns its error, and main() decides to exit.
 */
#ifndef LD_LOG_H
#define LD_LOG_H

/*
 * Read the environment once (the prefix choice above) and let log_debug()
 * print when verbose is non-zero.  Until it is called, lines carry the
 * plain "ledgerd: " prefix and log_debug() prints nothing.
 *
 * Caveat: call it in main() before starting any thread; the settings are
 * plain globals, read without a lock by every other log_ function.
 */
void	log_init(int verbose);
/*
 * An error (priority 3), followed by ": " and strerror(errno) for the errno
 * at the call, which is read before anything else can change it.  errno is
 * not guaranteed to survive the call: save it first if it is still needed.
 * Any thread.
 */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* An error (priority 3) without errno.  Any thread. */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Something an operator wants to see (priority 6), always printed. */
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Detail (priority 7), printed only after log_init() with verbose set. */
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
