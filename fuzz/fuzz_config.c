/*
 * fuzz_config.c - the ledgerd.conf parser (ledgerd/config.h), from memory.
 *
 * An operator's typo must give "FILE:LINE: reason", never a crash or a
 * half-parsed config, and a config that parses must hold only values the
 * daemon can use as they are: the ranges config.h documents, every string
 * terminated, min <= max for each grant range, every role known.  The
 * input is parsed twice, with dir NULL (paths kept as written) and with a
 * directory (relative paths joined to it), and the error message is given a
 * buffer shorter than its array to catch a write past errlen.
 */
#include <string.h>

#include "config.h"
#include "entry.h"
#include "frame.h"
#include "fuzz.h"

#define ERRLEN	200	/* err buffer given to the parser; the rest is a canary */

#define TERMINATED(f)	(memchr((f), '\0', sizeof(f)) != NULL)

static void
check_ok(const struct config *c, const char *dir)
{
	size_t	 i;

	FUZZ_CHECK(TERMINATED(c->path) && TERMINATED(c->listen_host) &&
	    TERMINATED(c->listen_port) && TERMINATED(c->user) &&
	    TERMINATED(c->tls_cert) && TERMINATED(c->tls_key) &&
	    TERMINATED(c->tls_client_ca) && TERMINATED(c->tls_crl) &&
	    TERMINATED(c->ledger_path) && TERMINATED(c->checkpoint_key) &&
	    TERMINATED(c->checkpoint_origin) && TERMINATED(c->metrics_host) &&
	    TERMINATED(c->metrics_port));
	FUZZ_CHECK(c->max_connections >= 1 && c->max_connections <= 1000000);
	FUZZ_CHECK(c->idle_timeout_s >= 1 && c->idle_timeout_s <= 86400);
	FUZZ_CHECK(c->max_frame_bytes >= FRAME_MIN_MAX &&
	    c->max_frame_bytes <= FRAME_MAX_MAX);
	FUZZ_CHECK(c->map_size_mb >= 1);
	FUZZ_CHECK(c->tls_cert[0] && c->tls_key[0] && c->tls_client_ca[0] &&
	    c->ledger_path[0] && c->checkpoint_key[0]);
	FUZZ_CHECK(c->listen_port[0] != '\0' && c->checkpoint_origin[0] != '\0');
	if (dir != NULL)
		FUZZ_CHECK(c->ledger_path[0] == '/' && c->tls_cert[0] == '/');
	FUZZ_CHECK(c->nroles <= CONF_ROLE_MAX);
	for (i = 0; i < c->nroles; i++) {
		FUZZ_CHECK(TERMINATED(c->roles[i].cn));
		FUZZ_CHECK(c->roles[i].role >= ROLE_ADMIN &&
		    c->roles[i].role <= ROLE_RECONCILER);
		/* The first mapping of a CN is the one that counts. */
		FUZZ_CHECK(config_role(c, c->roles[i].cn) != ROLE_NONE);
	}
}

static void
parse(const uint8_t *data, size_t size, const char *dir)
{
	static struct config	 c;
	char			 err[ERRLEN + 56];
	size_t			 i;

	memset(err, 'X', sizeof(err));
	if (config_parse((const char *)data, size, "fuzz.conf", dir, &c, err,
	    ERRLEN) == 0) {
		check_ok(&c, dir);
		return;
	}
	for (i = ERRLEN; i < sizeof(err); i++)
		FUZZ_CHECK(err[i] == 'X');
	FUZZ_CHECK(memchr(err, '\0', ERRLEN) != NULL);
	FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse(data, size, NULL);
	parse(data, size, "/etc/ledgerd");
	return 0;
}
