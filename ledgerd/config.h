/*
 * config.h - ledgerd.conf, parsed strictly into a fresh struct.
 *
 * The contract's INI: [section], key = value; a line whose first non-blank
 * character is '#' or ';' is a comment, and so is the rest of a line after
 * " #" or " ;" (a blank before the marker).  Unknown sections and keys,
 * duplicate keys, missing required keys, bad values and missing files are
 * errors that name file, line and reason.  As in OpenBSD's daemons the
 * result is a new struct that the caller swaps in only when it is whole
 * (SIGHUP reload parses into a fresh struct and keeps the old one on error).
 *
 * Relative paths are resolved against the config file's directory, so every
 * path in struct config is absolute or relative to the process's cwd exactly
 * as it was at parse time (config_load makes them absolute).
 */
#ifndef LD_CONFIG_H
#define LD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONF_PATH_MAX	4096
#define CONF_ROLE_MAX	256	/* entries in [roles] */
#define CONF_GROUPS_MAX	256	/* [tls] groups, NUL included */
#define CONF_PEERS_MAX	16	/* [cluster] peers */
#define CONF_PEER_ID_MAX 65535	/* node ids are 1..this */
#define CONF_ADDR_MAX	255	/* a peer address as text, "host:port" or
				   "[v6]:port" (MSG_ADDR_MAX) */

/*
 * Roles are bits, so that a CN may hold several (contract 2.7): a
 * "roles" value anywhere is a mask of these.  The version 1 roles keep
 * their meaning: admin covers budget and obligating, clerk covers
 * disbursing and revenue (rules_authorize()).
 */
enum role {
	ROLE_NONE = 0,
	ROLE_ADMIN = 0x01,
	ROLE_CLERK = 0x02,
	ROLE_AUDITOR = 0x04,
	ROLE_RECONCILER = 0x08,
	ROLE_BUDGET = 0x10,		/* appropriate, terms, close-year */
	ROLE_OBLIGATING = 0x20,		/* award, cancel-award, settle, carry-over */
	ROLE_DISBURSING = 0x40,		/* disburse, refund, their reversals */
	ROLE_REVENUE = 0x80		/* receive, its reversal */
};
#define ROLE_ALL	0xff

struct conf_role {
	char		cn[65];		/* certificate subject CN */
	int		role;		/* enum role bits */
	unsigned	line;		/* where [roles] gave it */
};

/*
 * One initial voter of [cluster] peers ("id@raft_address@client_address").
 * The addresses are kept as the operator wrote them, port normalized
 * (raft_addr "10.0.0.2:7501", "[fd00::2]:7501"), and split for connect().
 */
struct conf_peer {
	uint64_t	id;			/* 1..CONF_PEER_ID_MAX */
	char		raft_addr[CONF_ADDR_MAX + 1];	/* peer traffic */
	char		raft_host[256];
	char		raft_port[8];
	char		client_addr[CONF_ADDR_MAX + 1];	/* its [server] listen,
							   as clients reach it */
	char		client_host[256];
	char		client_port[8];
	unsigned	line;			/* where peers was given */
};

struct config {
	char		path[CONF_PATH_MAX];	/* the file itself, absolute */
	/* [server] */
	char		listen_host[256];	/* "127.0.0.1", "::1", "localhost" */
	char		listen_port[8];		/* "7443" */
	uint32_t	max_connections;	/* default 1024, 1..1000000 */
	uint32_t	idle_timeout_s;		/* default 300, 1..86400 */
	uint32_t	max_frame_bytes;	/* default 1048576, FRAME_MIN_MAX..FRAME_MAX_MAX */
	uint32_t	handshake_timeout_s;	/* default 10, 1..3600 */
	uint32_t	max_unauth_per_ip;	/* max_unauthenticated_per_ip:
						   default 16, 1..1000000 */
	char		user[64];		/* "" = do not drop privileges */
	/* [tls] */
	char		tls_cert[CONF_PATH_MAX];	/* required */
	char		tls_key[CONF_PATH_MAX];		/* required */
	char		tls_client_ca[CONF_PATH_MAX];	/* required */
	char		tls_crl[CONF_PATH_MAX];		/* "" = none */
	char		tls_groups[CONF_GROUPS_MAX];	/* default "X25519:P-256" */
	/* [ledger] */
	char		ledger_path[CONF_PATH_MAX];	/* required: LMDB directory */
	uint64_t	map_size_mb;			/* default 1024, >= 1 */
	char		checkpoint_key[CONF_PATH_MAX];	/* required */
	char		checkpoint_origin[256];		/* default "ledgerd.local" */
	uint32_t	scrub_interval_h;	/* default 24, 0..8760; 0 = no scrub */
	uint32_t	scrub_rate;		/* default 100000 entries/s, >= 1 */
	uint32_t	slow_commit_warn_ms;	/* default 1000, 0..3600000; 0 = off */
	/* [metrics] */
	char		metrics_host[256];	/* "" = metrics off */
	char		metrics_port[8];
	/* [roles] */
	struct conf_role roles[CONF_ROLE_MAX];
	size_t		nroles;
	/* [duties] */
	int		duties_allow_combined;	/* default 0 */
	/*
	 * [cluster] (contract 2.6): absent, cluster is 0, the daemon runs
	 * alone and nothing reads the fields below (they hold their
	 * defaults).  Present, id, peers, raft_listen and the three peer_
	 * files are required and the whole section is judged together
	 * (config.c); raft_dir is then absolute, or relative as the ledger
	 * path is.
	 */
	int		cluster;		/* the section was given */
	uint64_t	cluster_id;		/* id: this node, 1..CONF_PEER_ID_MAX */
	char		raft_dir[CONF_PATH_MAX];	/* default "raft" beside
							   the ledger directory */
	char		raft_listen_host[256];	/* raft_listen */
	char		raft_listen_port[8];
	struct conf_peer peers[CONF_PEERS_MAX];	/* in the order given */
	size_t		npeers;
	char		peer_ca[CONF_PATH_MAX];
	char		peer_cert[CONF_PATH_MAX];
	char		peer_key[CONF_PATH_MAX];
	uint32_t	commit_timeout_s;	/* default 10, 1..3600 */
	uint32_t	election_timeout_ms;	/* default 1000, 100..60000 */
	uint32_t	heartbeat_timeout_ms;	/* default 100, 10..10000, below
						   election_timeout_ms */
	int		cluster_join;		/* join: default 0 (bootstrap
						   with peers as the voters) */
};

/*
 * Parse file into *out (fully overwritten).  Returns 0, or -1 with
 * "FILE:LINE: reason" (or "FILE: reason") in err.  Checks syntax and values
 * only; whether the referenced files exist and load is checked by their
 * loaders (ledgerd --check runs them all).
 */
int	config_load(const char *file, struct config *out, char *err, size_t errlen);
/* Parse from memory; name is used in messages and dir resolves relative paths. */
int	config_parse(const char *text, size_t len, const char *name, const char *dir,
	    struct config *out, char *err, size_t errlen);
/*
 * The [cluster] peer with this id, or NULL (also without [cluster]).
 */
const struct conf_peer *config_peer(const struct config *, uint64_t id);
/* The roles (enum role bits) mapped to a CN, ROLE_NONE when none. */
int	config_role(const struct config *, const char *cn);
/*
 * The name of one role bit ("admin" ...; "none" for ROLE_NONE or a value
 * that is not one bit), and the names of every bit of roles joined by
 * commas into buf ("clerk", "budget,obligating"; "none" for ROLE_NONE).
 */
const char *role_name(int role);
void	roles_text(int roles, char *buf, size_t len);
/* "role clerk", "roles budget,obligating" or "no role", for messages. */
void	roles_held(int roles, char *buf, size_t len);

#endif
