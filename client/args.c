/*
 * args.c - ledgerctl's command-line parser.
 *
 * One parser for every command, driven by the command tables, so that all
 * commands follow the same rules:
 *
 *   - global options (--server, --cert, --key, --ca, --crl, --lang, --unit,
 *     --json, --help, --version) may stand before the command or anywhere
 *     after it;
 *   - an option's value is "--name VALUE" or "--name=VALUE"; the next
 *     argument is taken verbatim as the value even if it starts with '-',
 *     so a memo may say "-5% correction";
 *   - "--" ends the options; later words are positionals;
 *   - an unknown option, a repeated option (except one marked OPT_MULTI,
 *     which collects its values: verify --witness), a missing value, a
 *     missing or surplus positional and a missing required option are
 *     usage errors;
 *   - "--format json" means --json for commands that have --format.
 *
 * Values are not interpreted here: each command's build step does that, so
 * that this file knows nothing about amounts or fiscal years.
 *
 * A mistyped command or option gets a suggestion (struct suggestion): the
 * one name the word is a prefix of ("disb"), or else the one known name
 * within Damerau-Levenshtein distance 2 (a swap of neighbours counts as
 * one edit: "disbrse", "ammount").  Two equally good candidates give none: a
 * suggestion the user might follow blindly must not be a coin toss.  It is
 * only ever a hint in the usage error; nothing is run on a guess.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

enum { G_SERVER, G_CERT, G_KEY, G_CA, G_CRL, G_LANG, G_UNIT, G_JSON,
	G_HELP, G_VERSION };

static const struct ctl_opt global_opts[] = {
	[G_SERVER] = { "server", OPT_VALUE },
	[G_CERT] = { "cert", OPT_VALUE },
	[G_KEY] = { "key", OPT_VALUE },
	[G_CA] = { "ca", OPT_VALUE },
	[G_CRL] = { "crl", OPT_VALUE },
	[G_LANG] = { "lang", OPT_VALUE },
	[G_UNIT] = { "unit", OPT_VALUE },
	[G_JSON] = { "json", 0 },
	[G_HELP] = { "help", 0 },
	[G_VERSION] = { "version", 0 },
	{ NULL, 0 }
};

/* Names longer than this are no typo of a command or option. */
#define SUGGEST_MAX	40

/*
 * Optimal string alignment distance between a[0..an) and b[0..bn), byte
 * by byte (the names are ASCII): insertions, deletions, substitutions and
 * transpositions of adjacent bytes each cost 1.
 */
static size_t
edit_distance(const char *a, size_t an, const char *b, size_t bn)
{
	size_t	 d[SUGGEST_MAX + 1][SUGGEST_MAX + 1], i, j, v;

	if (an > SUGGEST_MAX || bn > SUGGEST_MAX)
		return SIZE_MAX;
	for (i = 0; i <= an; i++)
		d[i][0] = i;
	for (j = 0; j <= bn; j++)
		d[0][j] = j;
	for (i = 1; i <= an; i++)
		for (j = 1; j <= bn; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[an][bn];
}

/*
 * The suggestion being built: feed every known name to suggest_add(),
 * then suggest_best() says which one, if any, to offer.
 */
struct suggestion {
	const char	*word;		/* what the user typed */
	size_t		 wordlen;
	const char	*best;		/* nearest name so far */
	size_t		 dist;		/* its distance */
	int		 ties;		/* other names at that distance */
	const char	*prefix_of;	/* the name word is a prefix of */
	int		 prefixes;	/* how many such names */
};

static void
suggest_init(struct suggestion *sg, const char *word, size_t wordlen)
{
	memset(sg, 0, sizeof(*sg));
	sg->word = word;
	sg->wordlen = wordlen;
	sg->dist = SIZE_MAX;
}

static void
suggest_add(struct suggestion *sg, const char *name)
{
	size_t	 n = strlen(name), d;

	/* The same name twice ("region add", "region list") is one name. */
	if ((sg->best != NULL && strcmp(sg->best, name) == 0) ||
	    (sg->prefix_of != NULL && strcmp(sg->prefix_of, name) == 0))
		return;
	if (sg->wordlen > 0 && sg->wordlen < n &&
	    strncmp(name, sg->word, sg->wordlen) == 0) {
		sg->prefix_of = name;
		sg->prefixes++;
	}
	d = edit_distance(sg->word, sg->wordlen, name, n);
	if (d < sg->dist) {
		sg->best = name;
		sg->dist = d;
		sg->ties = 0;
	} else if (d == sg->dist)
		sg->ties++;
}

/*
 * The name to offer, or NULL.  A word cut short is the likelier mistake
 * ("disb" is disburse, not list at distance 2), so a unique prefix wins.  A
 * distance must be smaller than the word itself, so that "ab" is not "a
 * typo" of every two-letter name.
 */
static const char *
suggest_best(const struct suggestion *sg)
{
	if (sg->prefixes == 1)
		return sg->prefix_of;
	if (sg->best != NULL && sg->dist <= 2 && sg->dist < sg->wordlen &&
	    sg->ties == 0)
		return sg->best;
	return NULL;
}

const char *
args_suggest(const char *word, const char *const *names)
{
	struct suggestion	 sg;
	size_t			 i;

	suggest_init(&sg, word, strlen(word));
	for (i = 0; names[i] != NULL; i++)
		suggest_add(&sg, names[i]);
	return suggest_best(&sg);
}

static int
opt_find(const struct ctl_opt *opts, const char *name, size_t namelen)
{
	int	 i;

	if (opts == NULL)
		return -1;
	for (i = 0; opts[i].name != NULL; i++)
		if (strlen(opts[i].name) == namelen &&
		    strncmp(opts[i].name, name, namelen) == 0)
			return i;
	return -1;
}

static const char **
global_slot(struct ctl_args *a, int g)
{
	switch (g) {
	case G_SERVER:
		return &a->server;
	case G_CERT:
		return &a->cert;
	case G_KEY:
		return &a->key;
	case G_CA:
		return &a->ca;
	case G_CRL:
		return &a->crl;
	case G_LANG:
		return &a->lang;
	case G_UNIT:
		return &a->unit;
	default:
		return NULL;
	}
}

/*
 * Take one "--name[=value]" argument at argv[*i] for command cmd (NULL
 * before the command word).  Advances *i past a separate value.
 */
static int
take_option(struct ctl_args *a, const struct ctl_cmd *cmd, int argc,
    char **argv, int *i, char *err, size_t errlen)
{
	const char		*arg = argv[*i] + 2;
	const char		*eq = strchr(arg, '=');
	size_t			 namelen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	const struct ctl_opt	*opt;
	const char		*value = NULL;
	const char		**slot;
	int			 g, k = -1;

	g = opt_find(global_opts, arg, namelen);
	if (g >= 0)
		opt = &global_opts[g];
	else if (cmd != NULL && (k = opt_find(cmd->opts, arg, namelen)) >= 0)
		opt = &cmd->opts[k];
	else {
		struct suggestion	 sg;
		const char		*hint;
		size_t			 n;
		int			 j;

		suggest_init(&sg, arg, namelen);
		for (j = 0; global_opts[j].name != NULL; j++)
			suggest_add(&sg, global_opts[j].name);
		for (j = 0; cmd != NULL && cmd->opts != NULL &&
		    cmd->opts[j].name != NULL; j++)
			suggest_add(&sg, cmd->opts[j].name);
		hint = suggest_best(&sg);
		if (cmd == NULL)
			n = (size_t)snprintf(err, errlen, "unknown option --%.*s",
			    (int)namelen, arg);
		else
			n = (size_t)snprintf(err, errlen, "unknown option --%.*s "
			    "for '%s%s%s'", (int)namelen, arg, cmd->word,
			    cmd->sub != NULL ? " " : "",
			    cmd->sub != NULL ? cmd->sub : "");
		if (hint != NULL && n < errlen)
			snprintf(err + n, errlen - n, "; did you mean --%s?",
			    hint);
		return -1;
	}
	if (k >= CTL_OPT_MAX) {
		snprintf(err, errlen, "too many options for one command");
		return -1;
	}

	if (opt->flags & OPT_VALUE) {
		if (eq != NULL)
			value = eq + 1;
		else if (*i + 1 < argc)
			value = argv[++*i];
		else {
			snprintf(err, errlen, "option --%s needs a value", opt->name);
			return -1;
		}
	} else if (eq != NULL) {
		snprintf(err, errlen, "option --%s takes no value", opt->name);
		return -1;
	} else
		value = "";	/* a flag: present means non-NULL in a->val */

	if (g == G_JSON) {
		a->json = 1;
		return 0;
	}
	if (g == G_HELP) {
		a->help = 1;
		return 0;
	}
	if (g == G_VERSION) {
		a->version = 1;
		return 0;
	}
	if (g < 0 && (opt->flags & OPT_MULTI)) {
		if (a->nmulti == CTL_MULTI_MAX) {
			snprintf(err, errlen, "option --%s given more than %d "
			    "times", opt->name, CTL_MULTI_MAX);
			return -1;
		}
		a->multi[a->nmulti++] = value;
		if (a->val[k] == NULL)
			a->val[k] = value;
		return 0;
	}
	slot = g >= 0 ? global_slot(a, g) : &a->val[k];
	if (*slot != NULL) {
		snprintf(err, errlen, "option --%s given twice", opt->name);
		return -1;
	}
	*slot = value;
	return 0;
}

/* The command named by word (and sub, for commands that have one). */
static int
find_cmd(const struct ctl_cmd *const *tables, const char *word,
    const char *sub, const struct ctl_cmd **out, int *has_subs)
{
	const struct ctl_cmd	*c;
	int			 t;

	*has_subs = 0;
	*out = NULL;
	for (t = 0; tables[t] != NULL; t++)
		for (c = tables[t]; c->word != NULL; c++) {
			if (strcmp(c->word, word) != 0)
				continue;
			if (c->sub == NULL) {
				*out = c;
				return 0;
			}
			*has_subs = 1;
			if (sub != NULL && strcmp(c->sub, sub) == 0) {
				*out = c;
				return 0;
			}
		}
	return -1;
}

/*
 * "unknown command "disburs"; did you mean "disburse"?" for a word that is
 * no command (sub is the next argument, for "region ad").
 */
static void
unknown_command(const struct ctl_cmd *const *tables, const char *word,
    char *err, size_t errlen)
{
	const struct ctl_cmd	*c;
	struct suggestion	 sg;
	const char		*hint;
	int			 t;

	suggest_init(&sg, word, strlen(word));
	suggest_add(&sg, "help");
	for (t = 0; tables[t] != NULL; t++)
		for (c = tables[t]; c->word != NULL; c++)
			suggest_add(&sg, c->word);
	hint = suggest_best(&sg);
	if (hint != NULL)
		snprintf(err, errlen, "unknown command \"%.80s\"; did you mean "
		    "\"%s\"?", word, hint);
	else
		snprintf(err, errlen, "unknown command \"%.80s\"", word);
}

/* The subcommand of word nearest to sub, or NULL. */
static const char *
suggest_sub(const struct ctl_cmd *const *tables, const char *word,
    const char *sub)
{
	const struct ctl_cmd	*c;
	struct suggestion	 sg;
	int			 t;

	suggest_init(&sg, sub, strlen(sub));
	for (t = 0; tables[t] != NULL; t++)
		for (c = tables[t]; c->word != NULL; c++)
			if (strcmp(c->word, word) == 0 && c->sub != NULL)
				suggest_add(&sg, c->sub);
	return suggest_best(&sg);
}

/* "add, list" for the error message of "region" without a known sub. */
static void
list_subs(const struct ctl_cmd *const *tables, const char *word, char *out,
    size_t outsz)
{
	const struct ctl_cmd	*c;
	size_t			 n = 0;
	int			 t;

	out[0] = '\0';
	for (t = 0; tables[t] != NULL; t++)
		for (c = tables[t]; c->word != NULL; c++)
			if (strcmp(c->word, word) == 0 && c->sub != NULL &&
			    n < outsz) {
				n += (size_t)snprintf(out + n, outsz - n, "%s%s",
				    n > 0 ? ", " : "", c->sub);
			}
}

int
args_parse(struct ctl_args *a, int argc, char **argv,
    const struct ctl_cmd *const *tables, char *err, size_t errlen)
{
	const struct ctl_cmd	*cmd = NULL;
	const char		*word, *sub, *hint;
	char			 subs[128];
	int			 i = 1, k, has_subs, endopts = 0, helpword = 0;

	memset(a, 0, sizeof(*a));
	err[0] = '\0';

	/* Global options before the command word. */
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0) {
			a->help = 1;
			continue;
		}
		if (strncmp(argv[i], "--", 2) != 0)
			break;
		if (take_option(a, NULL, argc, argv, &i, err, errlen) == -1)
			return -1;
	}
	if (i >= argc) {
		if (a->help || a->version)
			return 0;
		snprintf(err, errlen, "no command given");
		return -1;
	}

	word = argv[i++];
	if (strcmp(word, "help") == 0) {
		a->help = 1;
		helpword = 1;
		if (i >= argc)
			return 0;
		word = argv[i++];
	}
	if (word[0] == '-' && word[1] != '\0') {
		snprintf(err, errlen, "unknown option %s", word);
		return -1;
	}
	sub = i < argc ? argv[i] : NULL;
	if (find_cmd(tables, word, sub, &cmd, &has_subs) == -1) {
		if (has_subs) {
			list_subs(tables, word, subs, sizeof(subs));
			/* "terms --fy 2013": the options came before the sub. */
			if (sub == NULL || sub[0] == '-')
				snprintf(err, errlen, "'%s' needs a subcommand: %s",
				    word, subs);
			else if ((hint = suggest_sub(tables, word, sub)) != NULL)
				snprintf(err, errlen, "unknown command \"%s %.80s\"; "
				    "did you mean \"%s %s\"?", word, sub, word,
				    hint);
			else
				snprintf(err, errlen, "unknown command \"%s %.80s\" "
				    "(expected %s)", word, sub, subs);
		} else
			unknown_command(tables, word, err, errlen);
		return -1;
	}
	if (cmd->sub != NULL)
		i++;
	a->cmd = cmd;
	if (helpword)
		return 0;

	for (; i < argc; i++) {
		const char	*arg = argv[i];

		if (!endopts && strcmp(arg, "--") == 0) {
			endopts = 1;
			continue;
		}
		if (!endopts && strcmp(arg, "-h") == 0) {
			a->help = 1;
			continue;
		}
		if (!endopts && strncmp(arg, "--", 2) == 0) {
			if (take_option(a, cmd, argc, argv, &i, err, errlen) == -1)
				return -1;
			continue;
		}
		if (!endopts && arg[0] == '-' && arg[1] != '\0') {
			snprintf(err, errlen, "unknown option %s", arg);
			return -1;
		}
		if (a->npos >= cmd->npos_max) {
			snprintf(err, errlen, "unexpected argument '%s'", arg);
			return -1;
		}
		a->pos[a->npos++] = arg;
	}
	if (a->help || a->version)
		return 0;

	if (a->npos < cmd->npos_min) {
		snprintf(err, errlen, "missing %s", cmd->pos[a->npos]);
		return -1;
	}
	for (k = 0; cmd->opts != NULL && cmd->opts[k].name != NULL; k++)
		if ((cmd->opts[k].flags & OPT_REQUIRED) && a->val[k] == NULL) {
			snprintf(err, errlen, "missing --%s", cmd->opts[k].name);
			return -1;
		}
	k = opt_find(cmd->opts, "format", strlen("format"));
	if (k >= 0 && a->val[k] != NULL && strcmp(a->val[k], "json") == 0)
		a->json = 1;
	return 0;
}

int
args_multi(const struct ctl_args *a, const char *name,
    const char *const **vals)
{
	int	 k;

	*vals = a->multi;
	if (a->cmd == NULL)
		return 0;
	k = opt_find(a->cmd->opts, name, strlen(name));
	if (k < 0 || !(a->cmd->opts[k].flags & OPT_MULTI) || a->val[k] == NULL)
		return 0;
	return a->nmulti;
}

const char *
args_get(const struct ctl_args *a, const char *name)
{
	int	 k;

	if (a->cmd == NULL)
		return NULL;
	k = opt_find(a->cmd->opts, name, strlen(name));
	return k >= 0 ? a->val[k] : NULL;
}

int
args_has(const struct ctl_args *a, const char *name)
{
	return a->cmd != NULL && opt_find(a->cmd->opts, name, strlen(name)) >= 0;
}
