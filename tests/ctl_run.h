/*
 * ctl_run.h - run ledgerctl's whole command line in-process, for the client
 * unit tests: ctl_main() on a word list, stdout and stderr captured in
 * memory.  Include after <cmocka.h>.
 */
#ifndef LD_TEST_CTL_RUN_H
#define LD_TEST_CTL_RUN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"

struct run {
	int	 rc;	/* ctl_main's exit status */
	char	*out;	/* what it wrote on stdout; run_free() frees */
	char	*err;	/* and on stderr */
};

/* Run ctl_main on a NULL-terminated word list (argv[0] added). */
static inline struct run
run_words(const char *first, ...)
{
	struct run	 r;
	char		*argv[64];
	size_t		 outlen, errlen;
	FILE		*out, *err;
	va_list		 ap;
	int		 argc = 0;
	const char	*w;

	argv[argc++] = (char *)"ledgerctl";
	va_start(ap, first);
	for (w = first; w != NULL && argc < 63; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;

	out = open_memstream(&r.out, &outlen);
	err = open_memstream(&r.err, &errlen);
	assert_non_null(out);
	assert_non_null(err);
	r.rc = ctl_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

static inline void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define RUN(...)	run_words(__VA_ARGS__, (const char *)NULL)

#endif
