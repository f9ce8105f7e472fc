/*
 * replay.c - feed files to a harness without libFuzzer.
 *
 * CI builds the harnesses with the normal compiler and links them with this
 * main(), so replaying the committed corpora (fuzz/corpus/NAME/) and the
 * inputs that once crashed (fuzz/regress/NAME/) is an ordinary ctest that
 * needs no clang.  Arguments are files or directories; a directory's
 * regular files are replayed in name order, skipping dot files (the .keep
 * that holds an empty regress directory in git).  Each input is copied into
 * a buffer of exactly its size, so that under LEDGERD_SANITIZE a read one
 * byte past the end is caught as libFuzzer would catch it.
 *
 * Exit status: 0 when every input ran, 1 when a file or directory could not
 * be read or nothing at all was replayed (a corpus that went missing must
 * not pass silently).  A failed property aborts, as under libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_FILE_MAX	(16 << 20)

static int
replay_file(const char *path)
{
	FILE	*fp;
	uint8_t	*buf = NULL;
	long	 sz;
	int	 rc = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(fp, 0, SEEK_END) == -1 || (sz = ftell(fp)) < 0 ||
	    sz > REPLAY_FILE_MAX || fseek(fp, 0, SEEK_SET) == -1) {
		fprintf(stderr, "replay: %s: cannot size the file\n", path);
		goto fail;
	}
	/* malloc(0) may return NULL; the harness gets a valid pointer. */
	if ((buf = malloc(sz > 0 ? (size_t)sz : 1)) == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto fail;
	}
	if (fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto fail;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)sz);
	rc = 0;
fail:
	free(buf);
	fclose(fp);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every regular file of dir; adds to *count.  0 or -1. */
static int
replay_dir(const char *dir, size_t *count)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, **grown, path[4096];
	size_t		 n = 0, cap = 0, i;
	int		 rc = -1;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(names, cap * sizeof(*names))) == NULL)
				goto fail;
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto fail;
		n++;
	}
	if (n > 0)	/* qsort(NULL, 0, ...) is undefined */
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) >= sizeof(path)) {
			fprintf(stderr, "replay: %s/%s: path too long\n", dir,
			    names[i]);
			goto fail;
		}
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) == -1)
			goto fail;
		(*count)++;
	}
	rc = 0;
fail:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	size_t		 count = 0;
	int		 i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-directory ...\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) == -1)
				return 1;
		} else {
			if (replay_file(argv[i]) == -1)
				return 1;
			count++;
		}
	}
	if (count == 0) {
		fprintf(stderr, "replay: no input found\n");
		return 1;
	}
	printf("replayed %zu inputs\n", count);
	return 0;
}
