/*
 * test_log.c - what reaches stderr, and with which priority prefix.
 *
 * The journal reads "<N>" as a line's priority only when stderr really is
 * the journal stream; elsewhere the prefix would be noise.  stderr is
 * pointed at a file under a mkdtemp() directory and read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static char	dir[] = "/tmp/test_log.XXXXXX";
static char	file[PATH_MAX];
static int	saved_stderr = -1;

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(file, sizeof(file), "%s/stderr", dir);
	saved_stderr = dup(STDERR_FILENO);
	return saved_stderr == -1 ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(file);
	rmdir(dir);
	if (saved_stderr != -1)
		close(saved_stderr);
	return 0;
}

/* Point stderr at a fresh file. */
static void
capture(void)
{
	fflush(stderr);
	assert_non_null(freopen(file, "w", stderr));
}

/* Restore stderr and return what was written (static buffer). */
static const char *
captured(void)
{
	static char buf[4096];
	FILE *fp;
	size_t n;

	fflush(stderr);
	assert_int_not_equal(dup2(saved_stderr, STDERR_FILENO), -1);
	fp = fopen(file, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
test_plain(void **state)
{
	const char *out;

	(void)state;
	unsetenv("JOURNAL_STREAM");
	unsetenv("LEDGERD_LOG_PREFIX");
	capture();
	log_init(0);
	log_warnx("refused %s", "clerk01");
	log_info("listening on %d", 7443);
	log_debug("hidden %d", 1);
	errno = ENOENT;
	log_warn("open %s", "x.pem");
	out = captured();
	assert_string_equal(out, "ledgerd: refused clerk01\n"
	    "ledgerd: listening on 7443\n"
	    "ledgerd: open x.pem: No such file or directory\n");
}

static void
test_verbose(void **state)
{
	(void)state;
	unsetenv("JOURNAL_STREAM");
	unsetenv("LEDGERD_LOG_PREFIX");
	capture();
	log_init(1);
	log_debug("seen %d", 2);
	assert_string_equal(captured(), "ledgerd: seen 2\n");
	log_init(0);
}

static void
test_journal(void **state)
{
	struct stat st;
	char js[64];

	(void)state;
	unsetenv("LEDGERD_LOG_PREFIX");
	capture();
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	log_init(1);
	log_warnx("bad %s", "cert");
	log_info("ready");
	log_debug("detail");
	assert_string_equal(captured(), "<3>bad cert\n<6>ready\n<7>detail\n");

	/* A JOURNAL_STREAM inherited by a process writing elsewhere. */
	capture();
	setenv("JOURNAL_STREAM", "1:2", 1);
	log_init(0);
	log_warnx("plain");
	assert_string_equal(captured(), "ledgerd: plain\n");

	/* The override wins either way. */
	capture();
	setenv("LEDGERD_LOG_PREFIX", "1", 1);
	log_init(0);
	log_warnx("forced");
	setenv("LEDGERD_LOG_PREFIX", "0", 1);
	setenv("JOURNAL_STREAM", js, 1);
	log_init(0);
	log_warnx("unforced");
	assert_string_equal(captured(), "<3>forced\nledgerd: unforced\n");
	unsetenv("JOURNAL_STREAM");
	unsetenv("LEDGERD_LOG_PREFIX");
	log_init(0);
}

static void
test_long_line(void **state)
{
	char big[5000];
	const char *out;
	size_t n;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	capture();
	log_init(0);
	errno = EACCES;
	log_warn("%s", big);
	log_warnx("after");
	out = captured();
	/* Truncated to one line, still ending in a newline. */
	n = strcspn(out, "\n");
	assert_true(n > 1000 && n < 4096);
	assert_string_equal(out + n + 1, "ledgerd: after\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_verbose),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
