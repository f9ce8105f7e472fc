/*
 * ledgerd.c - main(): modes, start-up order, signals, systemd.
 *
 * Start-up order matters and is fixed: parse the config; open the ledger;
 * build the TLS context (keys are read now, as root if started as root);
 * bind; drop privileges for good; start the writer thread; tell systemd
 * READY=1; run the loop.  ledgerd never forks: systemd (Type=notify) or the
 * shell supervises it.  SIGTERM/SIGINT stop accepting and answer what is in
 * flight; SIGHUP reloads certificates, CA, CRL and roles.
 */
#define _GNU_SOURCE		/* setresuid, setresgid */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
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
	    "       ledgerd -c FILE --backup DIR  consistent compacted copy, verified\n"
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

/*
 * --backup DIR: LMDB's compacting copy of the live ledger (a consistent
 * snapshot taken in one read transaction, safe while the daemon writes),
 * then the copy verified as `--verify` would.  DIR and its missing parents
 * are created (backup_mkdirs), so a dated path under a new tree works from
 * a timer without a separate mkdir.
 */
static int
mode_backup(const struct config *conf, const char *dir)
{
	struct verify_report rep;
	struct store *st;
	struct dirent *de;
	char err[512];
	DIR *d;
	int rc;

	if (backup_mkdirs(dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: backup %s: %s\n", dir, err);
		return 1;
	}
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "ledgerd: backup %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			break;
	closedir(d);
	if (de != NULL) {
		fprintf(stderr, "ledgerd: backup %s: directory is not empty\n",
		    dir);
		return 1;
	}
	if (store_open(&st, conf->ledger_path, conf->map_size_mb, 1, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: backup: %s\n", err);
		return 1;
	}
	rc = store_copy(st, dir, err, sizeof(err));
	store_close(st);
	if (rc != 0) {
		fprintf(stderr, "ledgerd: backup: %s\n", err);
		return 1;
	}
	if (store_open(&st, dir, conf->map_size_mb, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "ledgerd: backup copy unreadable: %s\n", err);
		return 1;
	}
	rc = verify_ledger(st, conf->map_size_mb, &rep);
	store_close(st);
	if (rc != VERIFY_INTACT) {
		fprintf(stderr, "ledgerd: backup copy does not verify: %s\n",
		    rep.reason);
		return 1;
	}
	printf("backup of %llu entries written to %s and verified\n",
	    (unsigned long long)rep.size, dir);
	return 0;
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
	char err[512];
	struct stat sb;
	int rc;

	if (stat(conf->ledger_path, &sb) != 0) {
		fprintf(stderr, "ledgerd: cannot check: ledger %s: %s\n",
		    conf->ledger_path, strerror(errno));
		return 2;
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

static const struct writer_hooks writer_figures = { commit_figures, NULL };

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
};

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

static void
watchdog_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
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

static int
mode_run(struct config *conf)
{
	struct runtime rt;
	struct server *srv = &rt.srv;
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
	if (writer_start(&srv->srv_writer, srv->srv_store, srv->srv_base,
	    server_job_done, srv, &writer_figures) != 0)
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
		    watchdog_cb, NULL);
		if (rt.ev_watchdog != NULL)
			event_add(rt.ev_watchdog, &tv);
	}
	{
		struct timeval tv = { 60, 0 };

		rt.ev_readers = event_new(srv->srv_base, -1, EV_PERSIST,
		    readers_cb, srv);
		if (rt.ev_readers != NULL)
			event_add(rt.ev_readers, &tv);
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
	log_info("stopped");
	rc = 0;
out:
	scrub_stop(srv->srv_scrub);
	srv->srv_scrub = NULL;
	writer_stop(srv->srv_writer);
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
