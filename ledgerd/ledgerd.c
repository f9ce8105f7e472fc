/*
 * ledgerd.c - main(): modes, start-up order, signals, systemd.
 *
 * Start-up order matters and is fixed: parse the config; open the ledger;
 * build the TLS context (keys are read now, as root if started as root);
 * bind; drop privileges for good; start the writer thread; tell systemd
 * READY=1; run the loop.  ledgerd never forks: systemd (Type=notify) or the
 * shell supervises it.  SIGTERM/SIGINT stop accepting and answer what is in
 * flight; SIGHUP reloads certificates, CA, CRL and roles.
 *
 * A storage failure (contract 2.10, docs/DURABILITY.md) comes from the
 * writer thread through its failed hook: the loop stops feeding the
 * watchdog, tells systemd, answers STORAGE_ERROR for a second, drains and
 * returns, and main() exits 1 so that Restart=on-failure starts a fresh
 * daemon, which checks the tail of the ledger before it serves.
 */
#define _GNU_SOURCE		/* setresuid, setresgid */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/ssl.h>
#include <systemd/sd-daemon.h>

#include "apply.h"
#include "checkpoint.h"
#include "cluster.h"
#include "config.h"
#include "errors.h"
#include "log.h"
#include "metrics.h"
#include "rules.h"
#include "scrub.h"
#include "server.h"
#include "store.h"
#include "verify.h"
#include "writer.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ledgerd -c FILE [-v]          run in the foreground\n"
	    "       ledgerd -c FILE --check       validate config, certificates and keys\n"
	    "       ledgerd -c FILE --verify      offline integrity check of the ledger\n"
	    "       ledgerd -c FILE --print-verifier\n"
	    "       ledgerd -c FILE --backup DIR  consistent compacted copy, fsynced and\n"
	    "                                     verified before it takes its name\n"
	    "       ledgerd --version\n");
}

/* The soft open-file limit is usually 1024; max_connections needs more. */
static void
raise_nofile(uint32_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want + 64)
		log_warnx("open-file limit %llu is below max_connections %u; "
		    "raise LimitNOFILE", (unsigned long long)rl.rlim_cur, want);
}

/* Drop to conf->user for good: groups, gid, uid, in that order. */
static int
drop_privileges(const struct config *conf)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (conf->user[0] != '\0')
			log_info("not started as root: user = %s ignored",
			    conf->user);
		return 0;
	}
	if (conf->user[0] == '\0') {
		log_warnx("running as root: set user = in [server] to drop "
		    "privileges");
		return 0;
	}
	if ((pw = getpwnam(conf->user)) == NULL) {
		log_warnx("user %s: no such user", conf->user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		log_warn("dropping privileges to %s", conf->user);
		return -1;
	}
	if (setuid(0) == 0) {
		log_warnx("privileges could be regained after the drop");
		return -1;
	}
	log_info("running as %s (uid %u)", pw->pw_name, (unsigned)pw->pw_uid);
	return 0;
}

/* The checkpoint key, refused when others may read it. */
static int
load_signer(const struct config *conf, struct ckpt_signer **out, char *err,
    size_t errlen)
{
	char why[384];

	if (tls_check_key_file(conf->checkpoint_key, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "checkpoint_key %s", why);
		return -1;
	}
	if (ckpt_signer_load(out, conf->checkpoint_key, conf->checkpoint_origin,
	    why, sizeof(why)) != CKPT_OK) {
		snprintf(err, errlen, "checkpoint_key: %s", why);
		return -1;
	}
	return 0;
}

static int
mode_print_verifier(const struct config *conf)
{
	struct ckpt_signer *signer;
	char err[512], out[CKPT_VERIFIER_MAX + 1];
	int rc;

	if (load_signer(conf, &signer, err, sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: %s\n", err);
		return 1;
	}
	rc = ckpt_verifier_format(ckpt_signer_verifier(signer), out, sizeof(out));
	ckpt_signer_free(signer);
	if (rc != CKPT_OK) {
		fprintf(stderr, "ledgerd: cannot format the verifier key\n");
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

/*
 * mkdir -p for the backup target: every missing directory of path, the
 * last one included, is created with mode 0700 (set with chmod as well, so
 * that a permissive umask cannot widen it: a backup holds the whole
 * ledger).  Directories that exist are left as they are.  0, or -1 with
 * the directory that could not be made and why in err.
 */
static int
backup_mkdirs(const char *path, char *err, size_t errlen)
{
	char		 buf[4096];
	struct stat	 st;
	size_t		 n = strlen(path), i;

	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "%s", n == 0 ? "empty path" :
		    "path too long");
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue;	/* "a//b", or a trailing '/' */
		buf[i] = '\0';
		if (mkdir(buf, 0700) == 0) {
			if (chmod(buf, 0700) != 0)
				goto fail;
		} else if (errno != EEXIST)
			goto fail;
		else if (stat(buf, &st) != 0)
			goto fail;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			goto fail;
		}
		buf[i] = path[i];
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
	return -1;
}

#define BACKUP_TMP_PREFIX	".data.mdb.partial."

/*
 * The backup target must hold nothing but what an interrupted backup left:
 * temporary copies (BACKUP_TMP_PREFIX, never the final name), which are
 * removed.  0, or -1 with the reason in err.
 */
static int
backup_clean_target(const char *dir, char *err, size_t errlen)
{
	struct dirent *de;
	char path[4096];
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strncmp(de->d_name, BACKUP_TMP_PREFIX,
		    strlen(BACKUP_TMP_PREFIX)) != 0) {
			snprintf(err, errlen, "directory is not empty");
			rc = -1;
		} else if (snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= (int)sizeof(path) || unlink(path) != 0) {
			snprintf(err, errlen, "cannot remove the interrupted "
			    "copy %s: %s", de->d_name, strerror(errno));
			rc = -1;
		} else
			fprintf(stderr, "ledgerd: backup %s: removed %s, left by "
			    "an interrupted backup\n", dir, de->d_name);
	}
	closedir(d);
	return rc;
}

/* fsync a directory, so that a rename in it survives a crash. */
static int
fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * --backup DIR: LMDB's compacting copy of the live ledger (a consistent
 * snapshot taken in one read transaction, safe while the daemon writes)
 * into DIR/data.mdb.  DIR and its missing parents are created
 * (backup_mkdirs), so a dated path under a new tree works from a timer
 * without a separate mkdir.
 *
 * Crash safety: the copy is written to DIR/.data.mdb.partial.PID (mode
 * 0600, created exclusively), fsynced, opened on its own and verified as
 * `--verify` would, and only then renamed to data.mdb, after which DIR is
 * fsynced.  So a backup killed at any point leaves either no data.mdb or
 * one that verifies; the partial file is clearly named, and the next
 * backup into DIR removes it.
 */
static int
mode_backup(const struct config *conf, const char *dir)
{
	struct verify_report rep;
	struct store *st = NULL;
	char err[512], tmp[4096], final[4096];
	int fd = -1, rc;

	if (backup_mkdirs(dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: backup %s: %s\n", dir, err);
		return 1;
	}
	if (backup_clean_target(dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: backup %s: %s\n", dir, err);
		return 1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s/" BACKUP_TMP_PREFIX "%ld", dir,
	    (long)getpid()) >= (int)sizeof(tmp) ||
	    snprintf(final, sizeof(final), "%s/data.mdb", dir) >=
	    (int)sizeof(final)) {
		fprintf(stderr, "ledgerd: backup %s: path too long\n", dir);
		return 1;
	}
	if (store_open(&st, conf->ledger_path, conf->map_size_mb, 1, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: backup: %s\n", err);
		return 1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || fchmod(fd, 0600) != 0) {
		fprintf(stderr, "ledgerd: backup: %s: %s\n", tmp,
		    strerror(errno));
		goto fail;
	}
	rc = store_copy_fd(st, fd, err, sizeof(err));
	store_close(st);
	st = NULL;
	if (rc != 0) {
		fprintf(stderr, "ledgerd: backup: %s: %s\n", tmp, err);
		goto fail;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		fprintf(stderr, "ledgerd: backup: %s: fsync: %s\n", tmp,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (store_open_file(&st, tmp, conf->map_size_mb, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: backup copy unreadable: %s\n", err);
		goto fail;
	}
	rc = verify_ledger(st, conf->map_size_mb, &rep);
	if (rc == VERIFY_INTACT && store_check_head(st, 0, rep.reason,
	    sizeof(rep.reason)) != 0)
		rc = VERIFY_DAMAGED;
	store_close(st);
	st = NULL;
	if (rc != VERIFY_INTACT) {
		fprintf(stderr, "ledgerd: backup copy does not verify: %s\n",
		    rep.reason);
		goto fail;
	}
	if (rename(tmp, final) != 0 || fsync_dir(dir) != 0) {
		fprintf(stderr, "ledgerd: backup: %s: %s\n", final,
		    strerror(errno));
		goto fail;
	}
	printf("backup of %llu entries written to %s and verified\n",
	    (unsigned long long)rep.size, dir);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	store_close(st);
	(void)unlink(tmp);
	return 1;
}

/* --check: every file the daemon would load, loaded. */
static int
mode_check(const struct config *conf)
{
	struct ckpt_signer *signer;
	char err[512];
	SSL_CTX *ctx;
	struct stat st;

	if ((ctx = tls_server_ctx(conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ledgerd: %s\n", err);
		return 1;
	}
	SSL_CTX_free(ctx);
	if (load_signer(conf, &signer, err, sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: %s\n", err);
		return 1;
	}
	ckpt_signer_free(signer);
	if (stat(conf->ledger_path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ledgerd: ledger path %s is not a directory\n",
		    conf->ledger_path);
		return 1;
	}
	printf("%s: configuration, certificates and keys OK\n", conf->path);
	return 0;
}

static int
mode_verify(const struct config *conf)
{
	struct verify_report rep;
	struct store *st;
	char err[512], path[4096];
	struct stat sb;
	int rc;

	if (stat(conf->ledger_path, &sb) != 0) {
		fprintf(stderr, "ledgerd: cannot check: ledger %s: %s\n",
		    conf->ledger_path, strerror(errno));
		return 2;
	}
	/* A truncated file would be mapped past its end: SIGBUS. */
	if (snprintf(path, sizeof(path), "%s/data.mdb", conf->ledger_path) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "ledgerd: cannot check: ledger path too long\n");
		return 2;
	}
	if ((rc = store_check_file(path, conf->map_size_mb, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "ledgerd: %s: %s\n", rc == -1 ?
		    "ledger damaged" : "cannot check", err);
		return rc == -1 ? VERIFY_DAMAGED : VERIFY_ERROR;
	}
	if (store_open(&st, conf->ledger_path, conf->map_size_mb, 1, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: cannot check: %s\n", err);
		return 2;
	}
	rc = verify_ledger(st, conf->map_size_mb, &rep);
	if (rc == VERIFY_INTACT &&
	    store_check_head(st, 0, rep.reason, sizeof(rep.reason)) != 0)
		rc = VERIFY_DAMAGED;
	store_close(st);
	switch (rc) {
	case VERIFY_INTACT:
		printf("ledger intact: %llu entries; leaf hashes, tree, rules, "
		    "indexes and balances match\n", (unsigned long long)rep.size);
		break;
	case VERIFY_DAMAGED:
		fprintf(stderr, "ledgerd: ledger damaged: %s\n", rep.reason);
		break;
	default:
		fprintf(stderr, "ledgerd: cannot check: %s\n", rep.reason);
		rc = VERIFY_ERROR;
		break;
	}
	return rc;
}

/* The writer's figures go to metrics.c: the two meet only here. */
static void
commit_figures(void *arg, uint32_t requests, uint64_t entries, int64_t usec)
{
	(void)arg;
	metrics_commit(requests, entries, usec);
}

static void
slow_figures(void *arg, int64_t usec)
{
	(void)arg;
	metrics_slow_commit(usec);
}

/* "tree size N, C connection(s)" for systemd's STATUS=. */
static void
status_line(struct server *srv, char *line, size_t len)
{
	struct metrics_gauges g;

	server_gauges(srv, &g);
	metrics_status_line(&g, line, len);
}

struct runtime {
	struct server	 srv;
	struct event	*ev_term, *ev_int, *ev_hup, *ev_watchdog;
	struct event	*ev_status;
	struct event	*ev_readers;
	struct event	*ev_failed;	/* activated by the writer thread */
	struct event	*ev_stall;	/* a commit that does not return */
	uint64_t	 stall_warned;	/* the group last warned about */
};

/* writer hook, on the writer thread: wake the loop (thread-safe). */
static void
writer_failed(void *arg, const char *why)
{
	struct runtime *rt = arg;

	(void)why;
	event_active(rt->ev_failed, EV_READ, 0);
}

/* On the loop: the store failed; stop for systemd to restart us. */
static void
failed_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct runtime *rt = arg;
	char why[STORE_ERRTEXT_MAX];

	(void)fd;
	(void)ev;
	store_failed(rt->srv.srv_store, why, sizeof(why));
	if (rt->ev_watchdog != NULL)
		event_del(rt->ev_watchdog);
	sd_notifyf(0, "STATUS=storage failure: %s; exiting", why);
	server_fail(&rt->srv, why);
}

/*
 * Once a second: a commit still running after slow_commit_warn_ms is
 * logged while it runs (a stalled disk otherwise says nothing until it
 * returns), once per group.
 */
static void
stall_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct runtime *rt = arg;
	uint32_t ms = rt->srv.srv_conf->slow_commit_warn_ms;
	uint64_t group;
	int64_t age;

	(void)fd;
	(void)ev;
	if (rt->srv.srv_writer == NULL)
		return;	/* a cluster member: commit_timeout_s answers them */
	age = writer_oldest_write(rt->srv.srv_writer, &group);
	if (ms == 0 || group == 0 || group == rt->stall_warned ||
	    age < (int64_t)ms * 1000)
		return;
	rt->stall_warned = group;
	log_warnx("slow commit: a group commit has been running for %lld ms "
	    "and is not finished (slow_commit_warn_ms = %u); writes wait for "
	    "the disk", (long long)(age / 1000), ms);
}

/* STATUS= for `systemctl status`: where we serve, tree size, connections. */
static void
status_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct runtime *rt = arg;
	char line[128];

	(void)fd;
	(void)ev;
	status_line(&rt->srv, line, sizeof(line));
	sd_notifyf(0, "STATUS=serving on %s:%s; %s",
	    rt->srv.srv_conf->listen_host, rt->srv.srv_conf->listen_port, line);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct runtime *rt = arg;

	(void)ev;
	if (sig == SIGHUP) {
		sd_notify(0, "RELOADING=1");
		server_reload(&rt->srv);
		sd_notify(0, "READY=1");
		status_cb(-1, 0, rt);
		return;
	}
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: answering what is in flight");
	server_shutdown(&rt->srv);
}

/* Not after a storage failure: systemd must see this daemon as stuck. */
static void
watchdog_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct server *srv = arg;

	(void)fd;
	(void)ev;
	if (store_failed(srv->srv_store, NULL, 0))
		return;
	sd_notify(0, "WATCHDOG=1");
}

/*
 * A reader that crashed (an export killed half-way, `--verify` interrupted)
 * keeps its slot and pins old pages, so the file grows: clear such slots.
 */
static void
readers_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct server *srv = arg;
	int n;

	(void)fd;
	(void)ev;
	if ((n = store_reader_check(srv->srv_store)) > 0)
		log_info("cleared %d stale LMDB reader slot(s)", n);
}

/* "host:port", brackets around an IPv6 host. */
static void
host_port(const char *host, const char *port, char *out, size_t len)
{
	snprintf(out, len, strchr(host, ':') != NULL ? "[%s]:%s" : "%s:%s",
	    host, port);
}

/* What cluster.c needs of [cluster] (ledgerd.conf(5)). */
static void
cluster_conf_of(const struct config *conf, struct cluster_conf *cc)
{
	size_t i, n = 0;

	memset(cc, 0, sizeof(*cc));
	cc->id = conf->cluster_id;
	snprintf(cc->raft_dir, sizeof(cc->raft_dir), "%s", conf->raft_dir);
	host_port(conf->raft_listen_host, conf->raft_listen_port,
	    cc->raft_listen, sizeof(cc->raft_listen));
	for (i = 0; i < conf->npeers && n < CLUSTER_MEMBERS_MAX; i++, n++) {
		cc->peers[n].id = conf->peers[i].id;
		snprintf(cc->peers[n].raft_addr, sizeof(cc->peers[n].raft_addr),
		    "%s", conf->peers[i].raft_addr);
		snprintf(cc->peers[n].client_addr,
		    sizeof(cc->peers[n].client_addr), "%s",
		    conf->peers[i].client_addr);
		cc->peers[n].voter = 1;
	}
	cc->npeers = n;
	snprintf(cc->peer_ca, sizeof(cc->peer_ca), "%s", conf->peer_ca);
	snprintf(cc->peer_cert, sizeof(cc->peer_cert), "%s", conf->peer_cert);
	snprintf(cc->peer_key, sizeof(cc->peer_key), "%s", conf->peer_key);
	cc->commit_timeout_s = conf->commit_timeout_s;
	cc->election_timeout_ms = conf->election_timeout_ms;
	cc->heartbeat_ms = conf->heartbeat_timeout_ms;
	cc->join = conf->cluster_join;
}

static int
mode_run(struct config *conf)
{
	struct runtime rt;
	struct server *srv = &rt.srv;
	struct writer_hooks hooks;
	char err[512], line[128];
	uint64_t usec = 0;
	int rc = 1;

	memset(&rt, 0, sizeof(rt));
	/* The server owns its config: SIGHUP swaps and frees it. */
	if ((srv->srv_conf = malloc(sizeof(*conf))) == NULL) {
		log_warn("config");
		return 1;
	}
	memcpy(srv->srv_conf, conf, sizeof(*conf));
	conf = srv->srv_conf;
	raise_nofile(conf->max_connections);
	signal(SIGPIPE, SIG_IGN);

	if (load_signer(conf, &srv->srv_signer, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		goto out;
	}
	if (store_open(&srv->srv_store, conf->ledger_path, conf->map_size_mb, 0,
	    err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		goto out;
	}
	store_reader_check(srv->srv_store);
	if (store_check_head(srv->srv_store, 64, err, sizeof(err)) != 0) {
		log_warnx("refusing to serve %s: %s; run ledgerd --verify",
		    conf->ledger_path, err);
		goto out;
	}
	if (store_needs_rebuild(srv->srv_store)) {
		/* A version 1 store: its derived state gets version 2's layout. */
		log_info("%s: version 1 store, rebuilding its indexes and "
		    "balances from the entries", conf->ledger_path);
		if (apply_rebuild(srv->srv_store, err, sizeof(err)) != 0) {
			log_warnx("refusing to serve %s: rebuild failed: %s",
			    conf->ledger_path, err);
			goto out;
		}
	}
	if ((srv->srv_ctx = tls_server_ctx(conf, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto out;
	}
	if (evthread_use_pthreads() != 0 ||
	    (srv->srv_base = event_base_new()) == NULL) {
		log_warnx("event loop: cannot initialise");
		goto out;
	}
	if (server_listen(srv) != 0)
		goto out;
	if (metrics_listen(srv->srv_base, conf->metrics_host, conf->metrics_port,
	    server_gauges, srv) != 0)
		goto out;
	if (drop_privileges(conf) != 0)
		goto out;
	if ((rt.ev_failed = event_new(srv->srv_base, -1, 0, failed_cb,
	    &rt)) == NULL) {
		log_warnx("event loop: cannot initialise");
		goto out;
	}
	memset(&hooks, 0, sizeof(hooks));
	hooks.commit = commit_figures;
	hooks.slow = slow_figures;
	hooks.failed = writer_failed;
	hooks.arg = &rt;
	hooks.slow_commit_warn_ms = conf->slow_commit_warn_ms;
	if (conf->cluster) {
		/* A member: libraft's thread holds the write transaction. */
		struct cluster_conf cc;
		struct cluster_hooks ch;

		cluster_conf_of(conf, &cc);
		memset(&ch, 0, sizeof(ch));
		ch.failed = writer_failed;
		ch.arg = &rt;
		if (cluster_start(&srv->srv_cluster, &cc, srv->srv_store,
		    srv->srv_base, ckpt_signer_verifier(srv->srv_signer),
		    server_job_done, srv, &ch, err, sizeof(err)) != 0) {
			log_warnx("cluster: %s", err);
			goto out;
		}
		log_info("cluster member %llu, raft on %s:%s, state in %s",
		    (unsigned long long)conf->cluster_id,
		    conf->raft_listen_host, conf->raft_listen_port,
		    conf->raft_dir);
	} else if (writer_start(&srv->srv_writer, srv->srv_store,
	    srv->srv_base, server_job_done, srv, &hooks) != 0)
		goto out;
	if (scrub_start(srv->srv_store, conf->scrub_interval_h,
	    conf->scrub_rate, &srv->srv_scrub) != 0) {
		log_warnx("cannot start the scrub thread");
		goto out;
	}

	rt.ev_term = evsignal_new(srv->srv_base, SIGTERM, signal_cb, &rt);
	rt.ev_int = evsignal_new(srv->srv_base, SIGINT, signal_cb, &rt);
	rt.ev_hup = evsignal_new(srv->srv_base, SIGHUP, signal_cb, &rt);
	if (rt.ev_term == NULL || rt.ev_int == NULL || rt.ev_hup == NULL ||
	    evsignal_add(rt.ev_term, NULL) != 0 ||
	    evsignal_add(rt.ev_int, NULL) != 0 ||
	    evsignal_add(rt.ev_hup, NULL) != 0) {
		log_warnx("cannot install signal handlers");
		goto out;
	}
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		struct timeval tv = { (time_t)(usec / 2000000),
		    (suseconds_t)(usec / 2 % 1000000) };

		rt.ev_watchdog = event_new(srv->srv_base, -1, EV_PERSIST,
		    watchdog_cb, srv);
		if (rt.ev_watchdog != NULL)
			event_add(rt.ev_watchdog, &tv);
	}
	{
		struct timeval tv = { 60, 0 };

		struct timeval one = { 1, 0 };

		rt.ev_readers = event_new(srv->srv_base, -1, EV_PERSIST,
		    readers_cb, srv);
		if (rt.ev_readers != NULL)
			event_add(rt.ev_readers, &tv);
		rt.ev_stall = event_new(srv->srv_base, -1, EV_PERSIST,
		    stall_cb, &rt);
		if (rt.ev_stall != NULL)
			event_add(rt.ev_stall, &one);
	}
	if (getenv("NOTIFY_SOCKET") != NULL) {
		struct timeval tv = { 2, 0 };

		rt.ev_status = event_new(srv->srv_base, -1, EV_PERSIST,
		    status_cb, &rt);
		if (rt.ev_status != NULL)
			event_add(rt.ev_status, &tv);
	}

	server_start(srv);
	log_info("ledgerd %s listening on %s:%s, ledger %s", LEDGERD_VERSION,
	    conf->listen_host, conf->listen_port, conf->ledger_path);
	status_line(srv, line, sizeof(line));
	sd_notifyf(0, "READY=1\nSTATUS=serving on %s:%s; %s", conf->listen_host,
	    conf->listen_port, line);
	event_base_dispatch(srv->srv_base);

	writer_stop(srv->srv_writer);	/* answers every queued job first */
	srv->srv_writer = NULL;
	cluster_stop(srv->srv_cluster);
	srv->srv_cluster = NULL;
	if (store_failed(srv->srv_store, err, sizeof(err))) {
		log_warnx("stopped after a storage failure (%s): exit status 1",
		    err);
		rc = 1;
	} else {
		log_info("stopped");
		rc = 0;
	}
out:
	scrub_stop(srv->srv_scrub);
	srv->srv_scrub = NULL;
	writer_stop(srv->srv_writer);
	cluster_stop(srv->srv_cluster);
	if (rt.ev_term != NULL)
		event_free(rt.ev_term);
	if (rt.ev_int != NULL)
		event_free(rt.ev_int);
	if (rt.ev_hup != NULL)
		event_free(rt.ev_hup);
	if (rt.ev_watchdog != NULL)
		event_free(rt.ev_watchdog);
	if (rt.ev_status != NULL)
		event_free(rt.ev_status);
	if (rt.ev_readers != NULL)
		event_free(rt.ev_readers);
	if (rt.ev_stall != NULL)
		event_free(rt.ev_stall);
	if (rt.ev_failed != NULL)
		event_free(rt.ev_failed);
	metrics_free();
	server_free(srv);
	if (srv->srv_base != NULL)
		event_base_free(srv->srv_base);
	store_close(srv->srv_store);
	ckpt_signer_free(srv->srv_signer);
	free(srv->srv_conf);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct config *conf = NULL;
	const char *file = NULL, *mode = "run", *backup_dir = NULL;
	char err[1024];
	int i, verbose = 0, rc = 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--version") == 0) {
			printf("ledgerd %s\n", LEDGERD_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--check") == 0 ||
		    strcmp(argv[i], "--verify") == 0 ||
		    strcmp(argv[i], "--print-verifier") == 0)
			mode = argv[i] + 2;
		else if (strcmp(argv[i], "--backup") == 0 && i + 1 < argc) {
			mode = "backup";
			backup_dir = argv[++i];
		} else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		} else {
			fprintf(stderr, "ledgerd: unknown argument: %s\n", argv[i]);
			usage();
			return 2;
		}
	}
	if (file == NULL) {
		usage();
		return 2;
	}
	log_init(verbose);
	if ((conf = malloc(sizeof(*conf))) == NULL) {
		perror("ledgerd");
		return 1;
	}
	if (config_load(file, conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: %s\n", err);
		free(conf);
		/* --verify: 2 = cannot check; everything else: 1 = bad config. */
		return strcmp(mode, "verify") == 0 ? 2 : 1;
	}
	if (strcmp(mode, "check") == 0)
		rc = mode_check(conf);
	else if (strcmp(mode, "verify") == 0)
		rc = mode_verify(conf);
	else if (strcmp(mode, "print-verifier") == 0)
		rc = mode_print_verifier(conf);
	else if (strcmp(mode, "backup") == 0)
		rc = mode_backup(conf, backup_dir);
	else
		rc = mode_run(conf);
	free(conf);
	return rc;
}
