/*
 * ctl.h - ledgerctl's command line: exit statuses, the command tables, the
 * parser, the typed option values and each command's build step.
 *
 * ledgerctl runs one command per invocation:
 *
 *   argv -> args_parse (syntax) -> the command's build step (values, field
 *   limits) -> ctl_connect (TLS, HELLO) -> request -> answer -> output
 *
 * Everything up to the build step is pure and runs before any connection,
 * so a typo is always a usage error (exit 2) that never reaches the daemon.
 * What follows it, the session with the daemon and the printing of its
 * failures, is session.h.
 *
 * Commands live in tables, one per file (cmd_write.c, cmd_read.c,
 * cmd_audit.c, cmd_export.c, cmd_recon.c).  A table declares each command's
 * words, positional arguments and options; the generic parser does the
 * rest, so every command accepts "--flag VALUE", "--flag=VALUE", the
 * connection options and --json anywhere on the line.
 *
 * Everything but main() is in the ldclient library so that the unit tests
 * can drive ctl_main() and the builders without a daemon.
 */
#ifndef LD_CTL_H
#define LD_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ld_entry;

/* Exit status, as the contract fixes it. */
enum ctl_exit {
	CTL_OK = 0,
	CTL_REFUSED = 1,	/* the daemon answered with an error code */
	CTL_USAGE = 2,		/* bad command line: nothing was sent */
	CTL_CONN = 3,		/* connection, TLS or authentication failure */
	CTL_VERIFY = 4,		/* verification failed */
	CTL_DIFF = 5		/* reconciliation found differences */
};

#define CTL_POS_MAX	4	/* positional arguments of one command */
#define CTL_OPT_MAX	16	/* options of one command (globals excluded) */

/* struct ctl_opt flags */
#define OPT_VALUE	0x01	/* takes a value: --name VALUE or --name=VALUE */
#define OPT_REQUIRED	0x02	/* must be given */
#define OPT_MULTI	0x04	/* may be given up to CTL_MULTI_MAX times
				   (args_multi()); one such option a command */
#define CTL_MULTI_MAX	16

struct ctl_opt {
	const char	*name;		/* without the leading "--" */
	int		 flags;
};

struct ctl;
struct ctl_args;

struct ctl_cmd {
	const char	*word;		/* "award", "region" */
	const char	*sub;		/* "add" for "region add"; NULL for none */
	const char	*pos[CTL_POS_MAX];	/* names of positionals, "SEQ" */
	int		 npos_min;
	int		 npos_max;
	const struct ctl_opt *opts;	/* terminated by { NULL, 0 } */
	const char	*synopsis;	/* the contract's line, without "ledgerctl " */
	int		(*run)(struct ctl *, const struct ctl_args *);
	int		 tag;		/* the command's own use: an entry kind */
};

/* A parsed command line.  Strings are borrowed from argv. */
struct ctl_args {
	const struct ctl_cmd *cmd;	/* NULL with help/version and no command */
	const char	*pos[CTL_POS_MAX];
	int		 npos;
	const char	*val[CTL_OPT_MAX];	/* by index in cmd->opts; NULL = absent */
	const char	*multi[CTL_MULTI_MAX];	/* every value of the OPT_MULTI option */
	int		 nmulti;
	/* global options */
	const char	*server;
	const char	*cert;
	const char	*key;
	const char	*ca;
	const char	*crl;		/* --crl FILE: check the server's certificate */
	const char	*lang;		/* --lang ja|en (display.h) */
	const char	*unit;		/* --unit yen|thousand|million */
	int		 json;		/* --json, or --format json */
	int		 help;		/* --help, -h or "help [COMMAND]" */
	int		 version;	/* --version */
};

/*
 * Parse argv (argv[0] is the program) against the NULL-terminated list of
 * command tables.  Returns 0, or -1 with the reason in err.  On error
 * a->cmd is set when the command itself was recognised, so that the caller
 * can print that command's synopsis.  With help set, missing positionals
 * and required options are not errors.
 */
int		 args_parse(struct ctl_args *a, int argc, char **argv,
		    const struct ctl_cmd *const *tables, char *err, size_t errlen);
/* The value of option name ("amount") or NULL when it was not given. */
const char	*args_get(const struct ctl_args *a, const char *name);
/*
 * Every value of OPT_MULTI option name, in command-line order: returns
 * their number (0 when not given or not such an option), *vals borrowed.
 */
int		 args_multi(const struct ctl_args *a, const char *name,
		    const char *const **vals);
/* 1 when the command takes option name (given or not), else 0. */
int		 args_has(const struct ctl_args *a, const char *name);
/*
 * The one name of the NULL-terminated names that word is a likely typo
 * of, as a mistyped command gets it (a unique prefix, else the one name
 * within two edits), or NULL: for values that are names (policy set
 * --require).
 */
const char	*args_suggest(const char *word, const char *const *names);

/* The program: parse, dispatch, run.  Returns the exit status. */
int	ctl_main(int argc, char **argv, FILE *out, FILE *err);

/* Command tables (NULL-word terminated). */
extern const struct ctl_cmd cmd_write_cmds[];
extern const struct ctl_cmd cmd_read_cmds[];
extern const struct ctl_cmd cmd_audit_cmds[];	/* cmd_audit.c */
extern const struct ctl_cmd cmd_export_cmds[];	/* cmd_export.c */
extern const struct ctl_cmd cmd_recon_cmds[];	/* cmd_recon.c */
extern const struct ctl_cmd cmd_cluster_cmds[];	/* cmd_cluster.c */

/*
 * Builders: the pure half of each command, turning arguments into a request.
 * Return 0, or -1 with a usage message in err.  Exposed for the unit tests.
 */
struct msg_list;
struct msg_balance_req;
struct msg_receivables_req;
int	cmd_build_write(const struct ctl_args *, struct ld_entry *req,
	    char *err, size_t errlen);
int	cmd_build_get(const struct ctl_args *, uint64_t *seq, char *err, size_t errlen);
/*
 * An entry named by SEQ (positional), --id KEY or --ref REF, exactly one
 * of them (those the command takes): *by is 0 with *seq, or MSG_FIND_ID /
 * MSG_FIND_REF with *key pointing at the argument.
 */
int	cmd_build_lookup(const struct ctl_args *, int *by, uint64_t *seq,
	    const char **key, char *err, size_t errlen);
int	cmd_build_list(const struct ctl_args *, struct msg_list *, char *err,
	    size_t errlen);
int	cmd_build_balance(const struct ctl_args *, struct msg_balance_req *,
	    char *err, size_t errlen);
/* receivables: --as-of defaults to the date in Japan at now (Unix seconds). */
int	cmd_build_receivables(const struct ctl_args *, int64_t now,
	    struct msg_receivables_req *, char *err, size_t errlen);
/*
 * export: --since, --until (inclusive, at least 1, not below --since) and
 * --format into a LIST request and an enum export_format (export.h).
 */
int	cmd_build_export(const struct ctl_args *, struct msg_list *l,
	    int *format, char *err, size_t errlen);

/*
 * cluster status|add|remove|transfer into a CLUSTER request: ID a whole
 * number from 1, RAFT_ADDR and CLIENT_ADDR HOST:PORT and not the same.
 */
struct msg_cluster_req;
int	cmd_build_cluster(const struct ctl_args *, struct msg_cluster_req *,
	    char *err, size_t errlen);

/* Shared value parsing for builders: 0, or -1 with "--opt: reason" in err. */
int	arg_fy(const struct ctl_args *, const char *opt, uint16_t *out,
	    char *err, size_t errlen);
int	arg_amount(const struct ctl_args *, const char *opt, int64_t *out,
	    char *err, size_t errlen);
int	arg_seq(const char *what, const char *s, uint64_t *out, char *err,
	    size_t errlen);
int	arg_code(const char *what, const char *s, char *out, size_t outsz,
	    char *err, size_t errlen);
int	arg_ref(const char *what, const char *s, char *out, size_t outsz,
	    char *err, size_t errlen);
int	arg_text(const char *what, const char *s, int allow_empty, char *out,
	    size_t outsz, char *err, size_t errlen);
int	arg_date(const struct ctl_args *, const char *opt, uint32_t *out,
	    char *err, size_t errlen);
/*
 * A yearly rate in percent, a non-negative decimal with at most two
 * decimals and at most 100, as basis points: "10.95" -> 1095, "5" -> 500.
 */
int	arg_rate_bp(const char *what, const char *s, uint32_t *out, char *err,
	    size_t errlen);
/* The calendar date in Japan (UTC+9, no DST) at now, Unix seconds: YYYYMMDD. */
uint32_t ctl_date_jst(int64_t now);

#endif
