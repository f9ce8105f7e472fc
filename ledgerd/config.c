/*
 * config.c - ledgerd.conf, parsed strictly into a fresh struct config.
 *
 * The daemon reads this file at start and again on SIGHUP; both times it
 * parses into a new struct and swaps it in only when the whole file was
 * good, so a typo in a reload never half-applies.  The format is the
 * contract's INI, parsed by hand because the common INI libraries are too
 * forgiving (libinih keeps "# note" in values and continues indented lines):
 *
 *   - Lines end in LF or CRLF; a UTF-8 byte-order mark at the very start is
 *     skipped.  A NUL byte, or any other control character but TAB, is an
 *     error naming the line.
 *   - A line whose first non-blank character is '#' or ';' is a comment;
 *     so is the rest of a line from a blank (space or TAB) followed by '#'
 *     or ';'.  "a#b" keeps its '#': only " #" and " ;" start a comment, so
 *     a value cannot contain " #" or " ;".
 *   - "[section]" (blanks around it allowed, none inside) opens one of
 *     server, tls, ledger, metrics, roles, duties, cluster; each at most
 *     once.  [rules]
 *     (version 1) is refused with the reason: the programme terms are
 *     ledger entries now, so that every replay judges alike.
 *   - "key = value": key and value are trimmed of blanks; there is no
 *     quoting (quotes are part of the value).  "key =" gives an empty value,
 *     which only user, crl and metrics' listen accept (meaning "none").
 *   - Unknown sections and keys, a key twice, a key before any section, a
 *     line without '=', a bad value and a missing required key are errors:
 *     "FILE:LINE: reason", or "FILE: reason" for a missing key.
 *
 * Values: numbers are ASCII decimal without sign, blanks or grouping, and
 * within the range noted in config.h.  map_size_mb is capped at 2^24 MiB
 * (16 TiB) so that the byte size cannot overflow.  listen is host:port or [v6addr]:port,
 * port 1-65535.  checkpoint_origin is a C2SP note key name: non-empty
 * UTF-8 without whitespace (Unicode spaces included), controls or '+'.
 * [roles] maps a certificate CN (1-64 bytes, case-sensitive) to one or
 * more (comma-separated) of admin, clerk, auditor, reconciler, budget,
 * obligating, disbursing, revenue.  [duties] allow_combined = true|false.
 * [tls] groups is checked by OpenSSL itself (SSL_CTX_set1_groups_list on a
 * scratch context), so an unknown group is an error naming its line here
 * rather than a failure at TLS setup.
 *
 * Relative paths (cert, key, client_ca, crl, path, checkpoint_key, and
 * [cluster]'s peer_ca, peer_cert, peer_key) are joined to the config
 * file's directory, which config_load finds with realpath(3), so the
 * daemon's later chdir or privilege drop cannot change what they name.
 *
 * [cluster] (contract 2.6) is judged as a whole once the file is read,
 * since it refers to [server] and [ledger], which may come after it:
 *   - id, raft_listen, peers, peer_ca, peer_cert and peer_key are
 *     required once the section is there (without it nothing changes);
 *   - peers is "id@raft_address@client_address", comma-separated: the
 *     initial voters, 1..CONF_PEERS_MAX of them, ids 1..65535 and
 *     distinct, every address host:port that others can connect to (not
 *     0.0.0.0 or [::]) and used once, raft and client addresses never
 *     alike;
 *   - this node's id is among the peers (unless join = true: a node added
 *     later with `ledgerctl cluster add` never bootstraps), and its
 *     raft_address and client_address are where raft_listen and [server]
 *     listen accept: the same port, and the same host unless the listen
 *     host is a wildcard.  A mismatch would send peers, or clients told
 *     NOT_LEADER, to an address nobody answers on;
 *   - raft_listen shares no port with [server] listen;
 *   - raft_dir (default "raft") is relative to the ledger directory, the
 *     node's data directory, so that the Raft log sits beside data.mdb
 *     whatever directory the config file is in (the installed ledger is
 *     /var/lib/ledgerd, the unit's only writable StateDirectory); LMDB
 *     uses only its two files there.  It may not be that directory
 *     itself;
 *   - heartbeat_timeout_ms is below election_timeout_ms (the leader must
 *     be heard before a follower stands for election).
 * Errors found then name the line of the key concerned.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "config.h"
#include "entry.h"
#include "frame.h"
#include "utf8.h"
#include "values.h"

#define CONF_FILE_MAX	(1 << 20)	/* bytes; a real config is ~1 KiB */
#define MAP_SIZE_MB_MAX	(UINT64_C(1) << 24)

enum conf_section {
	SEC_NONE = 0,
	SEC_SERVER,
	SEC_TLS,
	SEC_LEDGER,
	SEC_METRICS,
	SEC_ROLES,
	SEC_DUTIES,
	SEC_CLUSTER
};

static const char *const section_names[] = {
	NULL, "server", "tls", "ledger", "metrics", "roles", "duties", "cluster"
};

enum conf_type {
	T_LISTEN,	/* host:port */
	T_U32,
	T_U64,
	T_STR,		/* user name */
	T_PATH,
	T_ORIGIN,
	T_BOOL,		/* true or false */
	T_GROUPS,	/* OpenSSL key-exchange group list */
	T_PEERS,	/* [cluster] peers */
	T_RAFTDIR	/* a path resolved beside the ledger (conf_finish) */
};

/* struct conf_key required: 1 always, REQ_SECTION once its section is there. */
#define REQ_SECTION	2

/* One known key: where it lives, what it holds, which field it fills. */
struct conf_key {
	int		 section;
	const char	*name;
	int		 type;
	int		 required;
	int		 empty_ok;
	uint64_t	 min, max;	/* T_U32, T_U64 */
	size_t		 off;		/* field in struct config */
	size_t		 off2;		/* T_LISTEN: the port field */
	size_t		 size;		/* T_STR, T_PATH, T_ORIGIN, T_LISTEN */
};

#define F(f)	offsetof(struct config, f)
#define S(f)	sizeof(((struct config *)0)->f)

static const struct conf_key conf_keys[] = {
	{ SEC_SERVER, "listen", T_LISTEN, 0, 0, 0, 0,
	    F(listen_host), F(listen_port), S(listen_host) },
	{ SEC_SERVER, "max_connections", T_U32, 0, 0, 1, 1000000,
	    F(max_connections), 0, 0 },
	{ SEC_SERVER, "idle_timeout_s", T_U32, 0, 0, 1, 86400,
	    F(idle_timeout_s), 0, 0 },
	{ SEC_SERVER, "max_frame_bytes", T_U32, 0, 0, FRAME_MIN_MAX,
	    FRAME_MAX_MAX, F(max_frame_bytes), 0, 0 },
	{ SEC_SERVER, "user", T_STR, 0, 1, 0, 0, F(user), 0, S(user) },
	{ SEC_SERVER, "handshake_timeout_s", T_U32, 0, 0, 1, 3600,
	    F(handshake_timeout_s), 0, 0 },
	{ SEC_SERVER, "max_unauthenticated_per_ip", T_U32, 0, 0, 1, 1000000,
	    F(max_unauth_per_ip), 0, 0 },
	{ SEC_TLS, "cert", T_PATH, 1, 0, 0, 0, F(tls_cert), 0, S(tls_cert) },
	{ SEC_TLS, "key", T_PATH, 1, 0, 0, 0, F(tls_key), 0, S(tls_key) },
	{ SEC_TLS, "client_ca", T_PATH, 1, 0, 0, 0,
	    F(tls_client_ca), 0, S(tls_client_ca) },
	{ SEC_TLS, "crl", T_PATH, 0, 1, 0, 0, F(tls_crl), 0, S(tls_crl) },
	{ SEC_TLS, "groups", T_GROUPS, 0, 0, 0, 0,
	    F(tls_groups), 0, S(tls_groups) },
	{ SEC_LEDGER, "path", T_PATH, 1, 0, 0, 0,
	    F(ledger_path), 0, S(ledger_path) },
	{ SEC_LEDGER, "map_size_mb", T_U64, 0, 0, 1, MAP_SIZE_MB_MAX,
	    F(map_size_mb), 0, 0 },
	{ SEC_LEDGER, "checkpoint_key", T_PATH, 1, 0, 0, 0,
	    F(checkpoint_key), 0, S(checkpoint_key) },
	{ SEC_LEDGER, "checkpoint_origin", T_ORIGIN, 0, 0, 0, 0,
	    F(checkpoint_origin), 0, S(checkpoint_origin) },
	{ SEC_LEDGER, "scrub_interval_h", T_U32, 0, 0, 0, 8760,
	    F(scrub_interval_h), 0, 0 },
	{ SEC_LEDGER, "scrub_rate", T_U32, 0, 0, 1, 100000000,
	    F(scrub_rate), 0, 0 },
	{ SEC_LEDGER, "slow_commit_warn_ms", T_U32, 0, 0, 0, 3600000,
	    F(slow_commit_warn_ms), 0, 0 },
	{ SEC_METRICS, "listen", T_LISTEN, 0, 1, 0, 0,
	    F(metrics_host), F(metrics_port), S(metrics_host) },
	{ SEC_DUTIES, "allow_combined", T_BOOL, 0, 0, 0, 0,
	    F(duties_allow_combined), 0, 0 },
	{ SEC_CLUSTER, "id", T_U64, REQ_SECTION, 0, 1, CONF_PEER_ID_MAX,
	    F(cluster_id), 0, 0 },
	{ SEC_CLUSTER, "raft_dir", T_RAFTDIR, 0, 0, 0, 0,
	    F(raft_dir), 0, S(raft_dir) },
	{ SEC_CLUSTER, "raft_listen", T_LISTEN, REQ_SECTION, 0, 0, 0,
	    F(raft_listen_host), F(raft_listen_port), S(raft_listen_host) },
	{ SEC_CLUSTER, "peers", T_PEERS, REQ_SECTION, 0, 0, 0, 0, 0, 0 },
	{ SEC_CLUSTER, "peer_ca", T_PATH, REQ_SECTION, 0, 0, 0,
	    F(peer_ca), 0, S(peer_ca) },
	{ SEC_CLUSTER, "peer_cert", T_PATH, REQ_SECTION, 0, 0, 0,
	    F(peer_cert), 0, S(peer_cert) },
	{ SEC_CLUSTER, "peer_key", T_PATH, REQ_SECTION, 0, 0, 0,
	    F(peer_key), 0, S(peer_key) },
	{ SEC_CLUSTER, "commit_timeout_s", T_U32, 0, 0, 1, 3600,
	    F(commit_timeout_s), 0, 0 },
	{ SEC_CLUSTER, "election_timeout_ms", T_U32, 0, 0, 100, 60000,
	    F(election_timeout_ms), 0, 0 },
	{ SEC_CLUSTER, "heartbeat_timeout_ms", T_U32, 0, 0, 10, 10000,
	    F(heartbeat_timeout_ms), 0, 0 },
	{ SEC_CLUSTER, "join", T_BOOL, 0, 0, 0, 0, F(cluster_join), 0, 0 },
};

#define NKEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))

static const struct {
	const char	*name;
	int		 bit;
} role_names[] = {
	{ "admin", ROLE_ADMIN }, { "clerk", ROLE_CLERK },
	{ "auditor", ROLE_AUDITOR }, { "reconciler", ROLE_RECONCILER },
	{ "budget", ROLE_BUDGET }, { "obligating", ROLE_OBLIGATING },
	{ "disbursing", ROLE_DISBURSING }, { "revenue", ROLE_REVENUE }
};
#define NROLES	(sizeof(role_names) / sizeof(role_names[0]))

/* The parser's state for one file. */
struct conf_parse {
	const char	*name;		/* for messages */
	const char	*dir;		/* for relative paths; NULL = keep */
	int		 check_files;	/* named files must exist (config_load) */
	struct config	*conf;
	size_t		 line;
	int		 section;
	unsigned	 seen_sections;	/* bit per enum conf_section */
	unsigned char	 seen[NKEYS];
	size_t		 key_line[NKEYS];	/* where each key was given */
	char		*err;
	size_t		 errlen;
};

static int conf_fail(struct conf_parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* "FILE:LINE: reason"; always returns -1. */
static int
conf_fail(struct conf_parse *cp, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cp->err != NULL && cp->errlen > 0)
		snprintf(cp->err, cp->errlen, "%s:%zu: %s", cp->name,
		    cp->line, msg);
	return -1;
}

static int
isblank_c(char c)
{
	return c == ' ' || c == '\t';
}

/* Strict ASCII decimal in [min, max]. */
static int
conf_number(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*v - '0'), &n))
			return -1;
	}
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* host:port or [v6]:port into host and port (normalized decimal). */
static int
conf_listen(struct conf_parse *cp, const char *key, const char *v,
    char *host, size_t hostsz, char *port)
{
	const char *h, *colon, *p;
	size_t hl;
	uint64_t n;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':')
			return conf_fail(cp, "%s: expected [address]:port",
			    key);
		h = v + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
		if (hl == 0 || memchr(h, ':', hl) == NULL)
			return conf_fail(cp, "%s: brackets are for IPv6 "
			    "addresses", key);
		for (p = h; p < close; p++) {
			if (!((*p >= '0' && *p <= '9') ||
			    (*p >= 'a' && *p <= 'f') ||
			    (*p >= 'A' && *p <= 'F') || *p == ':' ||
			    *p == '.'))
				break;
		}
		/* An optional zone ("%eth0") may follow the address. */
		if (p < close && *p == '%' && p + 1 < close) {
			for (p++; p < close; p++)
				if (!((*p >= '0' && *p <= '9') ||
				    (*p >= 'a' && *p <= 'z') ||
				    (*p >= 'A' && *p <= 'Z') ||
				    *p == '_' || *p == '-' || *p == '.'))
					break;
		}
		if (p != close)
			return conf_fail(cp, "%s: bad IPv6 address", key);
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL)
			return conf_fail(cp, "%s: expected host:port", key);
		h = v;
		hl = (size_t)(colon - h);
		if (hl == 0)
			return conf_fail(cp, "%s: empty host (use 0.0.0.0 "
			    "or [::] for every address)", key);
		if (memchr(h, ':', hl) != NULL)
			return conf_fail(cp, "%s: an IPv6 address needs "
			    "brackets: [::1]:7443", key);
		for (p = h; p < colon; p++)
			if (!((*p >= '0' && *p <= '9') ||
			    (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    *p == '.' || *p == '-' || *p == '_'))
				return conf_fail(cp, "%s: bad host name", key);
	}
	if (hl >= hostsz)
		return conf_fail(cp, "%s: host name too long", key);
	if (strlen(colon + 1) > 5 || conf_number(colon + 1, 1, 65535, &n) == -1)
		return conf_fail(cp, "%s: port must be 1-65535", key);
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, 8, "%u", (unsigned)n);
	return 0;
}


static int
unicode_space(uint32_t c)
{
	return c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000;
}

/* A C2SP signed-note key name: it becomes "<name>+<id>+<key>". */
static int
conf_origin(const char *v)
{
	const uint8_t *p = (const uint8_t *)v;
	size_t left = strlen(v);

	if (left == 0)
		return -1;
	while (left > 0) {
		uint32_t c;
		size_t n = utf8_decode(p, left, &c);

		if (n == 0 || c <= 0x20 || c == 0x7f || c == '+' ||
		    (c >= 0x80 && c < 0xa0) || unicode_space(c))
			return -1;
		p += n;
		left -= n;
	}
	return 0;
}

/*
 * A key-exchange group list ("X25519:P-256"): names OpenSSL knows, split
 * by ':'.  OpenSSL itself is asked, on a scratch context, so that the
 * daemon's TLS setup cannot later refuse what the parser accepted; the
 * character check first keeps odd bytes out of the message and out of
 * OpenSSL's parser.  0, or -1 with the reason in msg.
 */
static int
conf_groups(const char *v, char *msg, size_t msglen)
{
	const char *p, *name = v;
	SSL_CTX *ctx;
	int ok;

	for (p = v;; p++) {
		if (*p == ':' || *p == '\0') {
			if (p == name) {
				snprintf(msg, msglen, "empty group name in '%.64s'",
				    v);
				return -1;
			}
			if (*p == '\0')
				break;
			name = p + 1;
		} else if (!((*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    *p == '-' || *p == '_')) {
			snprintf(msg, msglen, "bad character in '%.64s' (group "
			    "names separated by ':', e.g. X25519:P-256)", v);
			return -1;
		}
	}
	if ((ctx = SSL_CTX_new(TLS_method())) == NULL) {
		snprintf(msg, msglen, "cannot check '%.64s': out of memory", v);
		return -1;
	}
	ok = SSL_CTX_set1_groups_list(ctx, v) == 1;
	SSL_CTX_free(ctx);
	ERR_clear_error();
	if (!ok) {
		snprintf(msg, msglen, "unknown group in '%.64s' (OpenSSL "
		    "names, e.g. X25519:P-256)", v);
		return -1;
	}
	return 0;
}

/* A login name: what getpwnam(3) will be asked for. */
static int
conf_user(const char *v)
{
	if (*v == '-')
		return -1;
	for (; *v != '\0'; v++)
		if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') ||
		    (*v >= 'A' && *v <= 'Z') || *v == '_' || *v == '-' ||
		    *v == '.'))
			return -1;
	return 0;
}

static int
conf_path(struct conf_parse *cp, const char *key, const char *v, char *out,
    size_t outsz)
{
	int n;

	if (*v == '\0') {
		out[0] = '\0';
		return 0;
	}
	if (v[0] == '/' || cp->dir == NULL)
		n = snprintf(out, outsz, "%s", v);
	else if (strcmp(cp->dir, "/") == 0)
		n = snprintf(out, outsz, "/%s", v);
	else
		n = snprintf(out, outsz, "%s/%s", cp->dir, v);
	if (n < 0 || (size_t)n >= outsz)
		return conf_fail(cp, "%s: path too long", key);
	return 0;
}

/* A listen host that accepts on every address: 0.0.0.0 or [::]. */
static int
host_any(const char *h)
{
	return strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0;
}

/* host and port as an address others dial: "h:p", or "[h]:p" for IPv6. */
static int
addr_format(const char *host, const char *port, char *out, size_t outsz)
{
	int n;

	n = snprintf(out, outsz, strchr(host, ':') != NULL ? "[%s]:%s" :
	    "%s:%s", host, port);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/*
 * One address of a peer (what is "raft address" or "client address"),
 * parsed as listen is and kept as text too.
 */
static int
conf_peer_addr(struct conf_parse *cp, const char *what, const char *v,
    char *addr, char *host, size_t hostsz, char *port)
{
	if (conf_listen(cp, what, v, host, hostsz, port) == -1)
		return -1;
	if (host_any(host))
		return conf_fail(cp, "%s: %s accepts on every address; give "
		    "one the other nodes and clients can connect to", what, v);
	if (addr_format(host, port, addr, CONF_ADDR_MAX + 1) == -1)
		return conf_fail(cp, "%s: longer than %d bytes", what,
		    CONF_ADDR_MAX);
	return 0;
}

/*
 * [cluster] peers: "id@raft_address@client_address", comma-separated, the
 * initial voters.  Each item is judged alone here (the id, both
 * addresses, repeats within the list); how the list fits this node is
 * judged by conf_cluster() when the file is whole.
 */
static int
conf_peers(struct conf_parse *cp, const char *v)
{
	struct config *c = cp->conf;
	struct conf_peer *pe;
	char item[2 * (CONF_ADDR_MAX + 8) + 16], what[64];
	const char *p = v, *e;
	char *at1, *at2;
	size_t n, i;
	uint64_t id;

	c->npeers = 0;
	for (;;) {
		while (isblank_c(*p))
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && isblank_c(p[n - 1]))
			n--;
		if (n == 0)
			return conf_fail(cp, "peers: empty item (expected "
			    "id@raft_address@client_address, comma-separated)");
		if (n >= sizeof(item))
			return conf_fail(cp, "peers: item '%.32s...' is too "
			    "long", p);
		memcpy(item, p, n);
		item[n] = '\0';
		if ((at1 = strchr(item, '@')) == NULL ||
		    (at2 = strchr(at1 + 1, '@')) == NULL ||
		    strchr(at2 + 1, '@') != NULL)
			return conf_fail(cp, "peers: '%s' is not "
			    "id@raft_address@client_address", item);
		*at1 = *at2 = '\0';
		if (conf_number(item, 1, CONF_PEER_ID_MAX, &id) == -1)
			return conf_fail(cp, "peers: id '%s' is not a number "
			    "in 1-%d", item, CONF_PEER_ID_MAX);
		if (c->npeers == CONF_PEERS_MAX)
			return conf_fail(cp, "peers: more than %d", CONF_PEERS_MAX);
		pe = &c->peers[c->npeers];
		memset(pe, 0, sizeof(*pe));
		pe->id = id;
		pe->line = (unsigned)cp->line;
		snprintf(what, sizeof(what), "peers: node %llu's raft address",
		    (unsigned long long)id);
		if (conf_peer_addr(cp, what, at1 + 1, pe->raft_addr,
		    pe->raft_host, sizeof(pe->raft_host), pe->raft_port) == -1)
			return -1;
		snprintf(what, sizeof(what), "peers: node %llu's client address",
		    (unsigned long long)id);
		if (conf_peer_addr(cp, what, at2 + 1, pe->client_addr,
		    pe->client_host, sizeof(pe->client_host),
		    pe->client_port) == -1)
			return -1;
		for (i = 0; i < c->npeers; i++) {
			const struct conf_peer *o = &c->peers[i];

			if (o->id == pe->id)
				return conf_fail(cp, "peers: id %llu given twice",
				    (unsigned long long)id);
			if (strcmp(o->raft_addr, pe->raft_addr) == 0 ||
			    strcmp(o->client_addr, pe->client_addr) == 0 ||
			    strcmp(o->raft_addr, pe->client_addr) == 0 ||
			    strcmp(o->client_addr, pe->raft_addr) == 0)
				return conf_fail(cp, "peers: nodes %llu and %llu "
				    "share an address", (unsigned long long)o->id,
				    (unsigned long long)id);
		}
		if (strcmp(pe->raft_addr, pe->client_addr) == 0)
			return conf_fail(cp, "peers: node %llu's raft and client "
			    "addresses are the same", (unsigned long long)id);
		c->npeers++;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	return 0;
}

/*
 * "CN = role[, role...]": each a role name once.  Whether a CN combines
 * duties that 会計法 keeps apart is judged when the file is whole
 * (conf_check_duties()), since [duties] may come after [roles].
 */
static int
conf_role_line(struct conf_parse *cp, const char *k, const char *v)
{
	struct config *c = cp->conf;
	char word[32];
	const char *p = v, *e;
	size_t i, n;
	int role = ROLE_NONE, bit;

	if (strlen(k) > LD_ACTOR_MAX)
		return conf_fail(cp, "certificate CN '%.64s...' is longer "
		    "than 64 bytes", k);
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		bit = 0;
		if (n > 0 && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			for (i = 0; i < NROLES; i++)
				if (strcmp(word, role_names[i].name) == 0)
					bit = role_names[i].bit;
		}
		if (bit == 0)
			return conf_fail(cp, "unknown role '%.*s' for %s (admin, "
			    "clerk, auditor, reconciler, budget, obligating, "
			    "disbursing or revenue)", (int)(n < 64 ? n : 64), p, k);
		if (role & bit)
			return conf_fail(cp, "role '%s' given twice for %s",
			    word, k);
		role |= bit;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	for (i = 0; i < c->nroles; i++)
		if (strcmp(c->roles[i].cn, k) == 0)
			return conf_fail(cp, "duplicate role for CN '%s'", k);
	if (c->nroles >= CONF_ROLE_MAX)
		return conf_fail(cp, "more than %d roles", CONF_ROLE_MAX);
	snprintf(c->roles[c->nroles].cn, sizeof(c->roles[0].cn), "%s", k);
	c->roles[c->nroles].role = role;
	c->roles[c->nroles].line = (unsigned)cp->line;
	c->nroles++;
	return 0;
}

static int
conf_key_line(struct conf_parse *cp, const char *k, const char *v)
{
	const struct conf_key *ck = NULL;
	struct stat st;
	char *field, msg[256];
	uint64_t n;
	size_t i;

	if (cp->section == SEC_ROLES)
		return conf_role_line(cp, k, v);
	for (i = 0; i < NKEYS; i++) {
		if (conf_keys[i].section == cp->section &&
		    strcmp(conf_keys[i].name, k) == 0) {
			ck = &conf_keys[i];
			break;
		}
	}
	if (ck == NULL)
		return conf_fail(cp, "unknown key '%s' in [%s]", k,
		    section_names[cp->section]);
	if (cp->seen[i])
		return conf_fail(cp, "duplicate key '%s' in [%s]", k,
		    section_names[cp->section]);
	cp->seen[i] = 1;
	cp->key_line[i] = cp->line;
	if (*v == '\0' && !ck->empty_ok)
		return conf_fail(cp, "%s: empty value", k);

	field = (char *)cp->conf + ck->off;
	switch (ck->type) {
	case T_LISTEN:
		if (*v == '\0') {
			field[0] = '\0';
			((char *)cp->conf + ck->off2)[0] = '\0';
			return 0;
		}
		return conf_listen(cp, k, v, field, ck->size,
		    (char *)cp->conf + ck->off2);
	case T_U32:
	case T_U64:
		if (conf_number(v, ck->min, ck->max, &n) == -1)
			return conf_fail(cp, "%s: '%s' is not a number in "
			    "%llu-%llu", k, v, (unsigned long long)ck->min,
			    (unsigned long long)ck->max);
		if (ck->type == T_U32) {
			uint32_t n32 = (uint32_t)n;

			memcpy(field, &n32, sizeof(n32));
		} else
			memcpy(field, &n, sizeof(n));
		return 0;
	case T_STR:
		if (strlen(v) >= ck->size || conf_user(v) == -1)
			return conf_fail(cp, "%s: bad user name '%s'", k, v);
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case T_PATH:
		if (conf_path(cp, k, v, field, ck->size) == -1)
			return -1;
		/* A missing file is reported here, with its line. */
		if (cp->check_files && field[0] != '\0' &&
		    ck->off != F(ledger_path) && stat(field, &st) != 0)
			return conf_fail(cp, "%s: %s: %s", k, field,
			    strerror(errno));
		return 0;
	case T_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return conf_fail(cp, "%s: '%s' is not true or false",
			    k, v);
		*(int *)(void *)field = strcmp(v, "true") == 0;
		return 0;
	case T_GROUPS:
		if (strlen(v) >= ck->size)
			return conf_fail(cp, "%s: longer than %zu bytes", k,
			    ck->size - 1);
		if (conf_groups(v, msg, sizeof(msg)) == -1)
			return conf_fail(cp, "%s: %s", k, msg);
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case T_PEERS:
		return conf_peers(cp, v);
	case T_RAFTDIR:
		/* Resolved beside the ledger once [ledger] is known. */
		if (strlen(v) >= ck->size)
			return conf_fail(cp, "%s: path too long", k);
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case T_ORIGIN:
		if (strlen(v) >= ck->size || conf_origin(v) == -1)
			return conf_fail(cp, "%s: a note key name is "
			    "non-empty UTF-8 without spaces or '+', at most "
			    "255 bytes", k);
		memcpy(field, v, strlen(v) + 1);
		return 0;
	}
	return conf_fail(cp, "internal error");
}

static int
conf_section_line(struct conf_parse *cp, char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[len - 1] != ']')
		return conf_fail(cp, "malformed section header");
	s[len - 1] = '\0';
	s++;
	if (strcmp(s, "rules") == 0)
		return conf_fail(cp, "[rules] was removed: programme terms are "
		    "ledger entries (ledgerctl terms set)");
	for (i = 1; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (strcmp(s, section_names[i]) == 0)
			break;
	if (i == sizeof(section_names) / sizeof(section_names[0]))
		return conf_fail(cp, "unknown section [%s]", s);
	if (cp->seen_sections & (1u << i))
		return conf_fail(cp, "duplicate section [%s]", s);
	cp->seen_sections |= 1u << i;
	cp->section = (int)i;
	return 0;
}

/* One line, without its line end, NUL-terminated in place. */
static int
conf_line(struct conf_parse *cp, char *s)
{
	char *p, *eq, *k, *v, *end;
	size_t len;

	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return conf_fail(cp, "control character in line");
		if (*p == 0x7f)
			return conf_fail(cp, "control character in line");
	}
	while (isblank_c(*s))
		s++;
	if (*s == '#' || *s == ';' || *s == '\0')
		return 0;
	/* The rest of a line after a blank and '#' or ';' is a comment. */
	for (p = s + 1; *p != '\0'; p++) {
		if ((*p == '#' || *p == ';') && isblank_c(p[-1])) {
			*p = '\0';
			break;
		}
	}
	len = strlen(s);
	while (len > 0 && isblank_c(s[len - 1]))
		s[--len] = '\0';
	if (*s == '[')
		return conf_section_line(cp, s, len);
	eq = strchr(s, '=');
	if (eq == NULL)
		return conf_fail(cp, "expected 'key = value' or '[section]'");
	*eq = '\0';
	k = s;
	end = eq;
	while (end > k && isblank_c(end[-1]))
		*--end = '\0';
	v = eq + 1;
	while (isblank_c(*v))
		v++;
	if (*k == '\0')
		return conf_fail(cp, "missing key before '='");
	if (cp->section == SEC_NONE)
		return conf_fail(cp, "key '%s' outside any section", k);
	return conf_key_line(cp, k, v);
}

static void
conf_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
	snprintf(c->listen_port, sizeof(c->listen_port), "7443");
	c->max_connections = 1024;
	c->idle_timeout_s = 300;
	c->max_frame_bytes = 1048576;
	c->handshake_timeout_s = 10;
	c->max_unauth_per_ip = 16;
	snprintf(c->tls_groups, sizeof(c->tls_groups), "X25519:P-256");
	c->map_size_mb = 1024;
	c->scrub_interval_h = 24;
	c->scrub_rate = 100000;
	c->slow_commit_warn_ms = 1000;
	snprintf(c->checkpoint_origin, sizeof(c->checkpoint_origin),
	    "ledgerd.local");
	c->commit_timeout_s = 10;
	c->election_timeout_ms = 1000;
	c->heartbeat_timeout_ms = 100;
}

/* The line of [cluster] key name (0 when it was not given). */
static size_t
cluster_line(const struct conf_parse *cp, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (conf_keys[i].section == SEC_CLUSTER &&
		    strcmp(conf_keys[i].name, name) == 0)
			return cp->key_line[i];
	return 0;
}

/*
 * "FILE:LINE: reason" at the line where [cluster] key name was given;
 * always -1.
 */
static int
cluster_fail(struct conf_parse *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
cluster_fail(struct conf_parse *cp, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cp->line = cluster_line(cp, name);
	return conf_fail(cp, "%s", msg);
}

/* Two spellings of one directory, up to trailing slashes. */
static int
same_dir(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

/* Does a socket listening on lhost:lport accept connections to host:port? */
static int
listen_reaches(const char *lhost, const char *lport, const char *host,
    const char *port)
{
	return strcmp(lport, port) == 0 &&
	    (host_any(lhost) || strcmp(lhost, host) == 0);
}

/*
 * [cluster] as a whole, once [server] and [ledger] are known (see the top
 * of the file for the rules).  Without the section, nothing.
 */
static int
conf_cluster(struct conf_parse *cp)
{
	struct config *c = cp->conf;
	const struct conf_peer *me;
	char path[2 * CONF_PATH_MAX];
	int n;

	if (!(cp->seen_sections & (1u << SEC_CLUSTER)))
		return 0;
	c->cluster = 1;
	/* Required keys are reported first, by conf_finish(). */
	if ((me = config_peer(c, c->cluster_id)) == NULL && !c->cluster_join)
		return cluster_fail(cp, "id", "id: node %llu is not among the "
		    "peers (give its id@raft_address@client_address, or set "
		    "join = true for a node added with ledgerctl cluster add)",
		    (unsigned long long)c->cluster_id);
	if (me != NULL && !listen_reaches(c->raft_listen_host,
	    c->raft_listen_port, me->raft_host, me->raft_port))
		return cluster_fail(cp, "raft_listen", "raft_listen: node "
		    "%llu's raft address in peers is %s, which raft_listen "
		    "does not accept (same port, and same host unless "
		    "raft_listen is 0.0.0.0 or [::])",
		    (unsigned long long)me->id, me->raft_addr);
	if (me != NULL && !listen_reaches(c->listen_host, c->listen_port,
	    me->client_host, me->client_port))
		return cluster_fail(cp, "peers", "peers: node %llu's client "
		    "address %s is not where [server] listen accepts "
		    "(%s:%s); clients told NOT_LEADER would find nobody there",
		    (unsigned long long)me->id, me->client_addr,
		    c->listen_host, c->listen_port);
	if (listen_reaches(c->raft_listen_host, c->raft_listen_port,
	    c->listen_host, c->listen_port) ||
	    listen_reaches(c->listen_host, c->listen_port,
	    c->raft_listen_host, c->raft_listen_port))
		return cluster_fail(cp, "raft_listen", "raft_listen: the "
		    "same port as [server] listen (%s)", c->listen_port);
	if (c->heartbeat_timeout_ms >= c->election_timeout_ms)
		return cluster_fail(cp, cluster_line(cp,
		    "heartbeat_timeout_ms") != 0 ? "heartbeat_timeout_ms" :
		    "election_timeout_ms", "heartbeat_timeout_ms (%u) must be "
		    "below election_timeout_ms (%u)", c->heartbeat_timeout_ms,
		    c->election_timeout_ms);

	/* raft_dir: inside the ledger directory, beside data.mdb. */
	if (c->raft_dir[0] == '\0')
		snprintf(c->raft_dir, sizeof(c->raft_dir), "raft");
	if (c->raft_dir[0] != '/' &&
	    c->raft_dir[strspn(c->raft_dir, "./")] == '\0')
		return cluster_fail(cp, "raft_dir", "raft_dir: '%s' is the "
		    "ledger directory; the Raft log needs its own", c->raft_dir);
	if (c->raft_dir[0] != '/') {
		n = snprintf(path, sizeof(path), "%s/%s", c->ledger_path,
		    c->raft_dir);
		if (n < 0 || (size_t)n >= sizeof(c->raft_dir))
			return cluster_fail(cp, "raft_dir", "raft_dir: path too "
			    "long");
		memcpy(c->raft_dir, path, (size_t)n + 1);
	} else if (same_dir(c->raft_dir, c->ledger_path))
		return cluster_fail(cp, "raft_dir", "raft_dir: %s is the ledger "
		    "directory; the Raft log needs its own", c->raft_dir);
	return 0;
}

/*
 * Checks that need the whole file: required keys; a CN holding two of the
 * duties 会計法 keeps apart (obligating, disbursing, revenue) without
 * [duties] allow_combined = true, named with its line.  The version 1
 * roles are not judged: clerk means disbursing and revenue by definition.
 */
static int
conf_finish(struct conf_parse *cp)
{
	const struct config *c = cp->conf;
	size_t i;
	int apart;

	for (i = 0; i < c->nroles && !c->duties_allow_combined; i++) {
		apart = c->roles[i].role &
		    (ROLE_OBLIGATING | ROLE_DISBURSING | ROLE_REVENUE);
		if ((apart & (apart - 1)) != 0) {
			if (cp->err != NULL && cp->errlen > 0)
				snprintf(cp->err, cp->errlen, "%s:%u: %s holds "
				    "two of obligating, disbursing and revenue, "
				    "which the Public Accounting Act keeps "
				    "apart: give them to different CNs, or set "
				    "allow_combined = true in [duties]", cp->name,
				    c->roles[i].line, c->roles[i].cn);
			return -1;
		}
	}

	for (i = 0; i < NKEYS; i++) {
		if (conf_keys[i].required == REQ_SECTION &&
		    !(cp->seen_sections & (1u << conf_keys[i].section)))
			continue;
		if (conf_keys[i].required && !cp->seen[i]) {
			if (cp->err != NULL && cp->errlen > 0)
				snprintf(cp->err, cp->errlen, "%s: missing "
				    "required key '%s' in [%s]", cp->name,
				    conf_keys[i].name,
				    section_names[conf_keys[i].section]);
			return -1;
		}
	}
	return conf_cluster(cp);
}

static int
parse_text(const char *text, size_t len, const char *name, const char *dir,
    int check_files, struct config *out, char *err, size_t errlen)
{
	struct conf_parse cp;
	char *buf = NULL, *line, *nl;
	size_t i;
	int rc = -1;

	memset(&cp, 0, sizeof(cp));
	cp.name = name != NULL ? name : "config";
	cp.dir = dir;
	cp.check_files = check_files;
	cp.conf = out;
	cp.err = err;
	cp.errlen = errlen;
	conf_defaults(out);
	if (name != NULL)
		snprintf(out->path, sizeof(out->path), "%s", name);

	/* A NUL would end a line early and hide the rest: refuse it. */
	cp.line = 1;
	for (i = 0; i < len; i++) {
		if (text[i] == '\0') {
			conf_fail(&cp, "NUL byte in file");
			goto fail;
		}
		if (text[i] == '\n')
			cp.line++;
	}
	if ((buf = malloc(len + 1)) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", cp.name);
		goto fail;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';

	line = buf;
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	for (cp.line = 1; *line != '\0'; cp.line++) {
		size_t ll;

		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		ll = strlen(line);
		if (ll > 0 && line[ll - 1] == '\r')
			line[ll - 1] = '\0';
		if (conf_line(&cp, line) == -1)
			goto fail;
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	if (conf_finish(&cp) == -1)
		goto fail;
	rc = 0;
fail:
	free(buf);
	return rc;
}

int
config_parse(const char *text, size_t len, const char *name, const char *dir,
    struct config *out, char *err, size_t errlen)
{
	return parse_text(text, len, name, dir, 0, out, err, errlen);
}

int
config_load(const char *file, struct config *out, char *err, size_t errlen)
{
	char real[PATH_MAX], dir[PATH_MAX], *slash, *text = NULL;
	size_t len = 0;
	FILE *fp = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (realpath(file, real) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", real);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if ((fp = fopen(real, "rb")) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	if ((text = malloc(CONF_FILE_MAX + 1)) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", file);
		goto fail;
	}
	len = fread(text, 1, CONF_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: read error", file);
		goto fail;
	}
	if (len > CONF_FILE_MAX) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: larger than %d bytes", file,
			    CONF_FILE_MAX);
		goto fail;
	}
	if (parse_text(text, len, file, dir, 1, out, err, errlen) == -1)
		goto fail;
	if (strlen(real) >= sizeof(out->path)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: path too long", file);
		goto fail;
	}
	memcpy(out->path, real, strlen(real) + 1);
	rc = 0;
fail:
	if (fp != NULL)
		fclose(fp);
	free(text);
	return rc;
}

const char *
role_name(int role)
{
	size_t i;

	for (i = 0; i < NROLES; i++)
		if (role_names[i].bit == role)
			return role_names[i].name;
	return "none";
}

void
roles_text(int roles, char *buf, size_t len)
{
	size_t i, n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < NROLES; i++)
		if ((roles & role_names[i].bit) != 0 && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    n > 0 ? "," : "", role_names[i].name);
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

void
roles_held(int roles, char *buf, size_t len)
{
	char names[128];

	roles_text(roles, names, sizeof(names));
	if (roles == ROLE_NONE)
		snprintf(buf, len, "no role");
	else
		snprintf(buf, len, "role%s %s", strchr(names, ',') != NULL ?
		    "s" : "", names);
}

const struct conf_peer *
config_peer(const struct config *c, uint64_t id)
{
	size_t i;

	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].id == id)
			return &c->peers[i];
	return NULL;
}

int
config_role(const struct config *c, const char *cn)
{
	size_t i;

	if (cn == NULL)
		return ROLE_NONE;
	for (i = 0; i < c->nroles; i++)
		if (strcmp(c->roles[i].cn, cn) == 0)
			return c->roles[i].role;
	return ROLE_NONE;
}


