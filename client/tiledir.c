/*
 * tiledir.c - writing the tlog-tiles directory of `export --tiles`
 * (tiledir.h).
 *
 * Everything goes through the directory's descriptor (openat, mkdirat,
 * renameat), so that the paths tiles.h builds are used as they are and
 * the directory cannot be swapped under a running export.  Temporary
 * files are ".<name>.tmp.<pid>.<n>" beside their target, created with
 * O_EXCL: a dot file that a crash leaves behind is never mistaken for a
 * tile by a tlog-tiles client (no tile name starts with a dot), and
 * the next export's rename over the real name is unaffected.
 *
 * Durability is bought once per export, not once per file: tiles and
 * bundles are written without fsync and tiledir_sync() (syncfs) flushes
 * them all before the checkpoint, the only file a reader trusts first,
 * is written with fsync and rename.  A crash before that leaves an old
 * checkpoint whose files are all durable, and new files nobody refers to
 * yet.
 */
#define _GNU_SOURCE	/* syncfs(2) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "filesave.h"
#include "tiledir.h"

int
tiledir_open(struct tiledir *td, const char *path)
{
	char	*p, c;
	size_t	 i;

	memset(td, 0, sizeof(*td));
	td->dfd = -1;
	td->path = path;
	if (path[0] == '\0') {
		snprintf(td->err, sizeof(td->err), "the directory name is empty");
		return -1;
	}
	if ((p = strdup(path)) == NULL) {
		snprintf(td->err, sizeof(td->err), "out of memory");
		return -1;
	}
	/* mkdir -p: every prefix ending before a '/', then the whole. */
	for (i = 1; ; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		c = p[i];
		p[i] = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			snprintf(td->err, sizeof(td->err), "cannot create %s: %s",
			    p, strerror(errno));
			free(p);
			return -1;
		}
		p[i] = c;
		if (c == '\0')
			break;
	}
	free(p);
	if ((td->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(td->err, sizeof(td->err), "cannot open the directory "
		    "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void
tiledir_close(struct tiledir *td)
{
	if (td->dfd != -1)
		close(td->dfd);
	td->dfd = -1;
}

/* Create the parent directories of rel (not rel itself). */
static int
make_parents(struct tiledir *td, const char *rel)
{
	char		 p[sizeof(td->made)];
	const char	*slash = strrchr(rel, '/');
	size_t		 n, i;

	if (slash == NULL)
		return 0;
	n = (size_t)(slash - rel);
	if (n >= sizeof(p)) {
		snprintf(td->err, sizeof(td->err), "%s/%s: path too long",
		    td->path, rel);
		return -1;
	}
	memcpy(p, rel, n);
	p[n] = '\0';
	if (strcmp(p, td->made) == 0)
		return 0;
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdirat(td->dfd, p, 0755) == -1 && errno != EEXIST) {
			snprintf(td->err, sizeof(td->err), "cannot create %s/%s: %s",
			    td->path, p, strerror(errno));
			return -1;
		}
		if (i < n)
			p[i] = '/';
	}
	memcpy(td->made, p, n + 1);
	return 0;
}

/*
 * Write data to a new temporary file beside rel and rename it over rel;
 * with durable, fsync the file before and its directory after.
 */
static int
write_renamed(struct tiledir *td, const char *rel, const uint8_t *data,
    size_t len, int durable)
{
	char		 tmp[512], dir[512];
	const char	*slash = strrchr(rel, '/');
	const char	*base = slash != NULL ? slash + 1 : rel;
	size_t		 dlen = slash != NULL ? (size_t)(slash - rel) : 0;
	int		 fd = -1, dfd, tries;

	if (make_parents(td, rel) == -1)
		return -1;
	for (tries = 0; ; tries++) {
		snprintf(tmp, sizeof(tmp), "%.*s%s.%s.tmp.%ld.%u", (int)dlen, rel,
		    dlen > 0 ? "/" : "", base, (long)getpid(), td->seq++);
		fd = openat(td->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
		if (fd != -1 || errno != EEXIST || tries == 100)
			break;
	}
	if (fd == -1) {
		snprintf(td->err, sizeof(td->err), "cannot create %s/%s: %s",
		    td->path, tmp, strerror(errno));
		return -1;
	}
	if (file_write_all(fd, data, len) == -1 || (durable && fsync(fd) == -1)) {
		snprintf(td->err, sizeof(td->err), "cannot write %s/%s: %s",
		    td->path, tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		snprintf(td->err, sizeof(td->err), "cannot write %s/%s: %s",
		    td->path, tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (renameat(td->dfd, tmp, td->dfd, rel) == -1) {
		snprintf(td->err, sizeof(td->err), "cannot rename %s/%s to %s: %s",
		    td->path, tmp, rel, strerror(errno));
		goto fail;
	}
	if (durable) {
		snprintf(dir, sizeof(dir), "%.*s", (int)dlen, rel);
		dfd = openat(td->dfd, dlen > 0 ? dir : ".",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd == -1 || fsync(dfd) == -1) {
			snprintf(td->err, sizeof(td->err), "cannot sync the "
			    "directory of %s/%s: %s", td->path, rel,
			    strerror(errno));
			if (dfd != -1)
				close(dfd);
			return -1;
		}
		close(dfd);
	}
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlinkat(td->dfd, tmp, 0);
	return -1;
}

int
tiledir_read(struct tiledir *td, const char *rel, char *buf, size_t cap,
    size_t *len)
{
	struct stat	 st;
	ssize_t		 r;
	size_t		 n = 0;
	int		 fd;

	if ((fd = openat(td->dfd, rel, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(td->err, sizeof(td->err), "cannot read %s/%s: %s",
		    td->path, rel, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(td->err, sizeof(td->err), "%s/%s is not a regular file",
		    td->path, rel);
		close(fd);
		return -1;
	}
	if ((uintmax_t)st.st_size > cap) {
		close(fd);
		return -2;
	}
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(td->err, sizeof(td->err), "cannot read %s/%s: %s",
			    td->path, rel, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	/* Grown while read: longer than what st_size allowed. */
	if (n == cap && (uintmax_t)st.st_size != cap)
		return -2;
	*len = n;
	return 0;
}

int
tiledir_put(struct tiledir *td, const char *rel, const uint8_t *data,
    size_t len)
{
	char	*have;
	size_t	 hlen = 0;
	int	 r;

	/* One byte of room more than len tells "longer" from "equal". */
	if ((have = malloc(len + 1)) == NULL) {
		snprintf(td->err, sizeof(td->err), "out of memory");
		return TILEDIR_ERROR;
	}
	r = tiledir_read(td, rel, have, len + 1, &hlen);
	if (r == 1) {
		free(have);
		return write_renamed(td, rel, data, len, 0) == 0 ?
		    TILEDIR_WRITTEN : TILEDIR_ERROR;
	}
	if (r == -1) {
		free(have);
		return TILEDIR_ERROR;
	}
	if (r == 0 && hlen == len && memcmp(have, data, len) == 0) {
		free(have);
		return TILEDIR_SAME;
	}
	free(have);
	snprintf(td->err, sizeof(td->err), "%s/%s already holds other bytes "
	    "than the verified tree gives", td->path, rel);
	return TILEDIR_CONFLICT;
}

int
tiledir_replace(struct tiledir *td, const char *rel, const uint8_t *data,
    size_t len)
{
	return write_renamed(td, rel, data, len, 1);
}

int
tiledir_sync(struct tiledir *td)
{
	if (syncfs(td->dfd) == -1) {
		snprintf(td->err, sizeof(td->err), "cannot flush %s to disk: %s",
		    td->path, strerror(errno));
		return -1;
	}
	return 0;
}

FILE *
tiledir_spool(struct tiledir *td)
{
	char	 name[64];
	FILE	*f;
	int	 fd;

	snprintf(name, sizeof(name), ".spool.%ld.%u", (long)getpid(), td->seq++);
	if ((fd = openat(td->dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(td->err, sizeof(td->err), "cannot create a scratch "
		    "file in %s: %s", td->path, strerror(errno));
		return NULL;
	}
	unlinkat(td->dfd, name, 0);
	if ((f = fdopen(fd, "w+b")) == NULL) {
		snprintf(td->err, sizeof(td->err), "cannot create a scratch "
		    "file in %s: %s", td->path, strerror(errno));
		close(fd);
	}
	return f;
}
