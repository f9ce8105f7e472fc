/*
 * log.h - one place for the daemon's diagnostics (after OpenBSD's log.c).
 *
 * Lines go to stderr, which systemd's journal captures; each carries a
 * syslog priority prefix ("<3>") when LEDGERD_LOG_PREFIX or JOURNAL_STREAM
 * says stderr is the journal.  log_warn appends strerror(errno); log_warnx
 * does not.  fatal/fatalx are for main()'s start-up path only: they log and
 * return, the caller exits.
 */
#ifndef LD_LOG_H
#define LD_LOG_H

void	log_init(int verbose);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
