/*
 * ledgerctl.c - the top of the client: the list of command tables, help,
 * and ctl_main(), which parses the line and runs the command it names.
 *
 * Nothing here is for the commands to call: what they share with each
 * other (connecting, requests, failures and their exit statuses) is in
 * session.c, beneath them.  This file only knows the commands by their
 * tables, so a new group of commands is a new file with its table and one
 * line in cmd_tables[], and no command ever calls back up into the driver.
 */
#include <stdio.h>

#include "ctl.h"
#include "display.h"
#include "session.h"

#ifndef LEDGERD_VERSION
#define LEDGERD_VERSION "unknown"
#endif

static const struct ctl_cmd *const cmd_tables[] = {
	cmd_write_cmds,
	cmd_read_cmds,
	cmd_audit_cmds,
	cmd_export_cmds,
	cmd_recon_cmds,
	cmd_cluster_cmds,
	NULL
};

static void
help_print(FILE *f, const struct ctl_cmd *only)
{
	const struct ctl_cmd	*c;
	int			 t;

	if (only != NULL) {
		fprintf(f, "usage: ledgerctl %s\n", only->synopsis);
		fprintf(f, "connection: --server HOST:PORT --cert FILE --key FILE "
		    "--ca FILE [--crl FILE] (or LEDGER_SERVER, LEDGER_CERT, "
		    "LEDGER_KEY, LEDGER_CA, LEDGER_CRL); --json for JSON lines\n");
		return;
	}
	fprintf(f,
	    "usage: ledgerctl [--server HOST:PORT] [--cert FILE] [--key FILE] "
	    "[--ca FILE] [--crl FILE] [--json] [--lang ja|en]\n"
	    "                 [--unit yen|thousand|million] "
	    "COMMAND ...\n"
	    "\n"
	    "commands:\n");
	for (t = 0; cmd_tables[t] != NULL; t++)
		for (c = cmd_tables[t]; c->word != NULL; c++)
			fprintf(f, "  ledgerctl %s\n", c->synopsis);
	fprintf(f,
	    "\n"
	    "connection: --server, --cert, --key, --ca, --crl or the environment\n"
	    "  variables LEDGER_SERVER, LEDGER_CERT, LEDGER_KEY, LEDGER_CA,\n"
	    "  LEDGER_CRL.  The server's certificate must chain to --ca and name\n"
	    "  HOST; with --crl it must not be revoked.  A cluster's servers go\n"
	    "  in one comma-separated list: the first that answers is used, and\n"
	    "  a write follows NOT_LEADER to the leader once.\n"
	    "values: fiscal year 2013, FY2013, 2013年度, H25, 平成25年度, R7, 令和元年度;\n"
	    "  amount in yen: 150000000, 150,000,000, 1.5億, 1億5000万円, 16,221百万円,\n"
	    "  500千円; dates 2013-06-30, 2013/6/30, H25.6.30, 平成25年6月30日;\n"
	    "  full-width digits too; rates in percent with at most two decimals\n"
	    "  (10.95, the default).\n"
	    "output: a table by default; --json (anywhere) prints one JSON object "
	    "per line.\n"
	    "  Tables show times in JST (+09:00); JSON keeps them in UTC.\n"
	    "  --lang ja|en: table headers and labels (default: ja when LC_ALL,\n"
	    "  LC_MESSAGES or LANG starts with ja); --unit thousand|million:\n"
	    "  amounts in 千円 or 百万円, truncated, negatives as △.  JSON never changes.\n"
	    "exit status: 0 done, 1 refused by the daemon, 2 usage error,\n"
	    "  3 connection, TLS or authentication failure, 4 verification failed\n"
	    "  (signature, proof, root or tamper), 5 reconciliation found differences.\n");
}

int
ctl_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct ctl_args	 a;
	struct ctl	 ctl;
	struct disp	 disp;
	char		 msg[512];
	int		 rc;

	ctl_init(&ctl, out, err);

	if (args_parse(&a, argc, argv, cmd_tables, msg, sizeof(msg)) == -1)
		return ctl_usage(&ctl, a.cmd, "%s", msg);
	if (a.help) {
		help_print(out, a.cmd);
		return CTL_OK;
	}
	if (a.version) {
		fprintf(out, "ledgerctl %s\n", LEDGERD_VERSION);
		return CTL_OK;
	}
	/* Checked here so that no command accepts a bad --lang or --unit. */
	if (disp_from_args(&disp, &a, msg, sizeof(msg)) == -1)
		return ctl_usage(&ctl, a.cmd, "%s", msg);
	ctl_settings(&ctl, &a);
	rc = a.cmd->run(&ctl, &a);
	return ctl_finish(&ctl, rc);
}
