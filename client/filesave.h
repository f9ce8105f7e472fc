/*
 * filesave.h - writing a file so that a crash never leaves half of it.
 *
 * ledgerctl writes three kinds of files people rely on: an auditor's saved
 * checkpoint (verify --state), a report (report --output) and the tiles of
 * a published log (export --tiles).  Each is written whole under a
 * temporary name beside its final one, made durable, and renamed into
 * place, so that the name holds either the old contents or the new.
 */
#ifndef LD_FILESAVE_H
#define LD_FILESAVE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write all len bytes of buf to fd, retrying short writes and EINTR.
 * 0, or -1 with errno.
 */
int	file_write_all(int fd, const void *buf, size_t len);

/*
 * Replace path with buf: a temporary file "path.XXXXXX" beside it, mode
 * `mode` (as given, not masked), fsync, rename over path, fsync of the
 * directory.  0, or -1 with the reason (naming the file) in err; on
 * failure path is untouched and the temporary file removed.
 */
int	file_replace(const char *path, const void *buf, size_t len, mode_t mode,
	    char *err, size_t errlen);

#endif
