/*
 * faultinj.c - an LD_PRELOAD fault injector for the ledger's data file,
 * used by tests/integration/storage_faults.sh against the real daemon.
 *
 * LMDB writes a commit in three steps (mdb.c, 0.9): the dirty pages with
 * pwrite or lseek+writev, an fdatasync of the data file, then the meta
 * page with pwrite on a second, O_DSYNC descriptor of the same file.  The
 * injector wraps those calls (and fsync, pwritev, write and msync) and,
 * for calls on the chosen file, fails one step the way a failing disk
 * does.  It never fakes success: a call it does not fail is passed on.
 *
 * Settings: FAULTINJ_ARM (environment) names a file; nothing is injected
 * while it does not exist, so start-up and the writes before a test pass.
 * The file holds KEY=VALUE lines, read again whenever it changes (a new
 * inode or mtime also restarts the counts), so a test re-arms a running
 * daemon; a key it lacks comes from the environment variable FAULTINJ_KEY:
 *   CALL    comma list of: pages (pwrite/pwritev/writev/write at
 *                   or beyond the third page), meta (pwrite into the two
 *                   meta pages), fdatasync (fdatasync and fsync), msync
 *   FILE    basename of the file (default data.mdb)
 *   MODE    EIO, ENOSPC, EDQUOT, short (a write of half the bytes;
 *           fdatasync gets EIO), or delay:MS (sleep, then do the call: a
 *           stalling disk)
 *   AFTER   matching armed calls let through first (default 0)
 *   COUNT   faults to inject, then pass again (default 0 = all)
 * Each injected fault is reported on stderr ("faultinj: fdatasync(data.mdb)
 * -> EIO"), which lands in the daemon's log.
 *
 * Not thread-careful beyond an atomic counter: LMDB has one writer.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <sys/stat.h>

#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define META_END	8192	/* two 4 KiB meta pages */

enum { C_PAGES = 1, C_META = 2, C_SYNC = 4, C_MSYNC = 8 };

static unsigned long	seen, injected;

/* The arm file's settings, reloaded when the file changes (under mtx). */
static pthread_mutex_t	mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	ino_t		ino;
	struct timespec	mtime;
	char		text[1024];
} arm;

/* The arm file's settings are current; 0 when it does not exist. */
static int
arm_load(void)
{
	const char *path = getenv("FAULTINJ_ARM");
	struct stat sb;
	FILE *f;
	size_t n;

	if (path == NULL || stat(path, &sb) != 0)
		return 0;
	pthread_mutex_lock(&mtx);
	if (sb.st_ino != arm.ino || sb.st_mtim.tv_sec != arm.mtime.tv_sec ||
	    sb.st_mtim.tv_nsec != arm.mtime.tv_nsec) {
		arm.ino = sb.st_ino;
		arm.mtime = sb.st_mtim;
		arm.text[0] = '\n';
		n = 0;
		if ((f = fopen(path, "r")) != NULL) {
			n = fread(arm.text + 1, 1, sizeof(arm.text) - 3, f);
			fclose(f);
		}
		arm.text[n + 1] = '\n';
		arm.text[n + 2] = '\0';
		__atomic_store_n(&seen, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&injected, 0, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&mtx);
	return 1;
}

/*
 * Setting KEY: its value in the arm file, else FAULTINJ_KEY, else def.
 * The value is copied into a static buffer per key slot (buf).
 */
static const char *
setting(const char *key, const char *def, char *buf, size_t len)
{
	char pat[32], env[32];
	const char *p, *v;
	size_t n;

	snprintf(pat, sizeof(pat), "\n%s=", key);
	pthread_mutex_lock(&mtx);
	if ((p = strstr(arm.text, pat)) != NULL) {
		p += strlen(pat);
		n = strcspn(p, "\r\n");
		if (n >= len)
			n = len - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		pthread_mutex_unlock(&mtx);
		return buf;
	}
	pthread_mutex_unlock(&mtx);
	snprintf(env, sizeof(env), "FAULTINJ_%s", key);
	v = getenv(env);
	return v != NULL && v[0] != '\0' ? v : def;
}

static __thread char	sbuf[5][128];
#define S_CALL(d)	setting("CALL", d, sbuf[0], sizeof(sbuf[0]))
#define S_FILE(d)	setting("FILE", d, sbuf[1], sizeof(sbuf[1]))
#define S_MODE(d)	setting("MODE", d, sbuf[2], sizeof(sbuf[2]))
#define S_AFTER(d)	setting("AFTER", d, sbuf[3], sizeof(sbuf[3]))
#define S_COUNT(d)	setting("COUNT", d, sbuf[4], sizeof(sbuf[4]))

/* The file fd refers to is the chosen one. */
static int
fd_matches(int fd)
{
	char link[64], path[PATH_MAX];
	const char *base, *want = S_FILE("data.mdb");
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return 0;
	path[n] = '\0';
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	return strcmp(base, want) == 0;
}

/* Whether this call (kind, on fd) gets a fault; 0 = pass it on. */
static int
should_fail(int kind, int fd)
{
	const char *calls;
	unsigned long after, count, n;
	int want = 0;

	if (!arm_load())
		return 0;
	calls = S_CALL("");
	if (strstr(calls, "pages") != NULL)
		want |= C_PAGES;
	if (strstr(calls, "meta") != NULL)
		want |= C_META;
	if (strstr(calls, "fdatasync") != NULL)
		want |= C_SYNC;
	if (strstr(calls, "msync") != NULL)
		want |= C_MSYNC;
	if ((want & kind) == 0 || (fd >= 0 && !fd_matches(fd)))
		return 0;
	after = strtoul(S_AFTER("0"), NULL, 10);
	count = strtoul(S_COUNT("0"), NULL, 10);
	n = __atomic_fetch_add(&seen, 1, __ATOMIC_SEQ_CST);
	if (n < after)
		return 0;
	if (count != 0 && __atomic_load_n(&injected, __ATOMIC_SEQ_CST) >= count)
		return 0;
	__atomic_fetch_add(&injected, 1, __ATOMIC_SEQ_CST);
	return 1;
}

/*
 * Apply the mode: -1 with errno set (the caller returns it), 1 for a short
 * write (the caller halves its length), 0 after a delay (do the call).
 */
static int
inject(const char *call)
{
	const char *mode = S_MODE("EIO");
	const char *file = S_FILE("data.mdb");
	struct timespec ts;
	long ms;

	if (strncmp(mode, "delay:", 6) == 0) {
		ms = strtol(mode + 6, NULL, 10);
		fprintf(stderr, "faultinj: %s(%s) delayed %ld ms\n", call,
		    file, ms);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		return 0;
	}
	if (strcmp(mode, "short") == 0 && strcmp(call, "fdatasync") != 0 &&
	    strcmp(call, "fsync") != 0 && strcmp(call, "msync") != 0) {
		fprintf(stderr, "faultinj: %s(%s) -> short write\n", call,
		    file);
		return 1;
	}
	fprintf(stderr, "faultinj: %s(%s) -> %s\n", call,
	    file, strcmp(mode, "short") == 0 ?
	    "EIO" : mode);
	errno = strcmp(mode, "ENOSPC") == 0 ? ENOSPC :
	    strcmp(mode, "EDQUOT") == 0 ? EDQUOT : EIO;
	return -1;
}

typedef ssize_t	(*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t	(*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef ssize_t	(*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef ssize_t	(*writev_fn)(int, const struct iovec *, int);
typedef int	(*sync_fn)(int);
typedef int	(*msync_fn)(void *, size_t, int);

/* The next definition of name; memcpy, since ISO C has no cast for it. */
#define REAL(name, type)						\
	static type real_##name;					\
	if (real_##name == NULL) {					\
		void *sym_ = dlsym(RTLD_NEXT, #name);			\
		memcpy(&real_##name, &sym_, sizeof(sym_));		\
	}

static int
write_kind(off_t off)
{
	return off >= 0 && off < META_END ? C_META : C_PAGES;
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	REAL(pwrite, pwrite_fn);
	if (should_fail(write_kind(off), fd)) {
		int r = inject("pwrite");

		if (r < 0)
			return -1;
		if (r == 1)
			len = len / 2 > 0 ? len / 2 : 0;
	}
	return real_pwrite(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	REAL(pwrite64, pwrite64_fn);
	if (should_fail(write_kind((off_t)off), fd)) {
		int r = inject("pwrite");

		if (r < 0)
			return -1;
		if (r == 1)
			len = len / 2;
	}
	return real_pwrite64(fd, buf, len, off);
}

/* A vector write: a short one writes only the first half of the first piece. */
static int
vec_fault(const char *call, int fd, off_t off, int *iovcnt,
    struct iovec *first, const struct iovec *iov)
{
	int r;

	if (!should_fail(write_kind(off), fd))
		return 0;
	if ((r = inject(call)) == 1) {
		*first = iov[0];
		first->iov_len /= 2;
		*iovcnt = 1;
	}
	return r;
}

ssize_t
pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
	struct iovec one;
	int r;

	REAL(pwritev, pwritev_fn);
	if ((r = vec_fault("pwritev", fd, off, &iovcnt, &one, iov)) < 0)
		return -1;
	return real_pwritev(fd, r == 1 ? &one : iov, iovcnt, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct iovec one;
	int r;

	REAL(writev, writev_fn);
	if ((r = vec_fault("writev", fd, lseek(fd, 0, SEEK_CUR), &iovcnt, &one,
	    iov)) < 0)
		return -1;
	return real_writev(fd, r == 1 ? &one : iov, iovcnt);
}

int
fdatasync(int fd)
{
	REAL(fdatasync, sync_fn);
	if (should_fail(C_SYNC, fd) && inject("fdatasync") < 0)
		return -1;
	return real_fdatasync(fd);
}

int
fsync(int fd)
{
	REAL(fsync, sync_fn);
	if (should_fail(C_SYNC, fd) && inject("fsync") < 0)
		return -1;
	return real_fsync(fd);
}

int
msync(void *addr, size_t len, int flags)
{
	REAL(msync, msync_fn);
	if (should_fail(C_MSYNC, -1) && inject("msync") < 0)
		return -1;
	return real_msync(addr, len, flags);
}
