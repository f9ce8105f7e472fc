/*
 * tiledir.h - the directory `ledgerctl export --tiles DIR` publishes: files
 * that are written once, atomically, and never silently changed.
 *
 * A tlog-tiles directory is served as it is by a static web server while
 * the next export runs, so a reader must never see a half-written file:
 * every file is written to a hidden temporary name beside it and renamed
 * over its path.  Tiles and entry bundles are immutable by specification,
 * so a file that is already there with the same bytes is left alone (its
 * mtime too: the web server's caches stay valid), and one with other bytes
 * means the directory holds another history than the one being exported,
 * which is reported and never overwritten.  The checkpoint is the only
 * file that changes; it is replaced durably, after everything it commits
 * to was made durable with tiledir_sync().
 *
 * All paths are relative to the directory and '/'-separated, as tiles.h
 * builds them; parent directories are created as needed.  Every call that
 * can fail leaves a reason naming the file in td->err.
 */
#ifndef LD_TILEDIR_H
#define LD_TILEDIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* tiledir_put() results. */
enum tiledir_put {
	TILEDIR_WRITTEN = 0,	/* the file was missing and is now there */
	TILEDIR_SAME = 1,	/* already there with exactly these bytes */
	TILEDIR_CONFLICT = -2,	/* already there with other bytes: untouched */
	TILEDIR_ERROR = -1	/* a system call failed (td->err) */
};

/* An open export directory.  Owns dfd; path is borrowed. */
struct tiledir {
	int		 dfd;		/* the directory, opened O_DIRECTORY */
	const char	*path;		/* as the user named it, for messages */
	unsigned	 seq;		/* makes temporary names unique */
	char		 made[256];	/* the last parent directory made */
	char		 err[640];
};

/*
 * Open the directory path, creating it and its missing parents (mode
 * 0755, less the umask).  path is borrowed for the life of td.
 * @return 0, or -1 with the reason in td->err (td->dfd is then -1).
 */
int	tiledir_open(struct tiledir *td, const char *path);
/* Close the directory; a closed or failed td is a no-op. */
void	tiledir_close(struct tiledir *td);

/*
 * Read the small file rel into buf (cap bytes).
 * @return 0 with *len; 1 when there is no such file; -2 when it is longer
 *	than cap; -1 on any other failure (td->err).
 */
int	tiledir_read(struct tiledir *td, const char *rel, char *buf, size_t cap,
	    size_t *len);

/*
 * Make the immutable file rel hold data: write it (temporary name, rename)
 * when missing, otherwise compare.  Not durable by itself: call
 * tiledir_sync() before publishing anything that refers to it.
 * @return an enum tiledir_put value; on TILEDIR_CONFLICT td->err says
 *	which file differs.
 */
int	tiledir_put(struct tiledir *td, const char *rel, const uint8_t *data,
	    size_t len);

/*
 * Replace the mutable file rel with data, durably: temporary file, fsync,
 * rename, fsync of its directory.  Readers see the old file or the new.
 * @return 0, or -1 (rel untouched, td->err).
 */
int	tiledir_replace(struct tiledir *td, const char *rel, const uint8_t *data,
	    size_t len);

/*
 * Make every file written so far durable (syncfs(2) on the directory's
 * file system: one call instead of an fsync per tile).
 * @return 0, or -1 (td->err).
 */
int	tiledir_sync(struct tiledir *td);

/*
 * An anonymous scratch file inside the directory (created, then unlinked
 * at once, so nothing is left behind whatever happens), open for reading
 * and writing.  The caller owns it and fcloses it.
 * @return the stream, or NULL (td->err).
 */
FILE	*tiledir_spool(struct tiledir *td);

#endif
