/*
 * scrub.c - the background re-verification of every entry and tree node
 * (see scrub.h).
 *
 * A pass fixes the tree size n when it starts and checks, in chunks of
 * SCRUB_CHUNK items, each in its own read transaction:
 *   1. entries 1..n, each read with store_get_raw(), which compares its
 *      bytes with the stored leaf hash (a mismatch is DAMAGED, logged and
 *      counted by the store, as for any read);
 *   2. every stored node of the perfect subtrees of the first n leaves,
 *      level by level: node (L, i) must be the hash of (L-1, 2i) and
 *      (L-1, 2i+1), level 0 being the leaves.
 * The first damaged item ends the pass with SCRUB_DAMAGED and the first
 * seq it covers.  Between chunks the thread sleeps as long as the rate
 * requires, so at the default 100,000 items a second a chunk of 1,024
 * takes a few milliseconds of one core and then ~10 ms of sleep.
 *
 * Ownership: struct scrub is the thread's and main()'s; the mutex guards
 * the status and the request flag, the condition variable wakes the thread
 * for a request or for stop.
 */
#define _GNU_SOURCE	/* SCHED_IDLE (sched.h): Linux's idle-only policy */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "errors.h"
#include "log.h"
#include "merkle.h"
#include "scrub.h"
#include "store.h"

#define SCRUB_CHUNK	1024	/* items per read transaction */

struct scrub {
	struct store		*st;
	uint32_t		 interval_h;
	uint32_t		 rate;
	pthread_t		 thread;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cv;
	int			 requested;
	int			 stopping;
	struct scrub_status	 status;
};

static int
stopping(struct scrub *s)
{
	int v;

	pthread_mutex_lock(&s->mtx);
	v = s->stopping;
	pthread_mutex_unlock(&s->mtx);
	return v;
}

/*
 * Count done more items and keep to the rate: sleep until done items
 * would have taken at `rate` a second since t0.  -1 when asked to stop.
 */
static int
pace(struct scrub *s, int64_t t0, uint64_t done)
{
	int64_t due = t0 + (int64_t)(done * 1000000 / s->rate), wait;
	struct timespec ts;

	pthread_mutex_lock(&s->mtx);
	s->status.progress = done;
	pthread_mutex_unlock(&s->mtx);
	if (stopping(s))
		return -1;
	if ((wait = due - mono_us()) > 0) {
		ts.tv_sec = wait / 1000000;
		ts.tv_nsec = (long)(wait % 1000000) * 1000;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	return 0;
}

/*
 * Entries from..to (inclusive) in one read transaction: LD_OK, or the
 * first one that is damaged (*bad) or unreadable.
 */
static int
check_entries(struct store *st, uint64_t from, uint64_t to, uint64_t *bad)
{
	struct store_txn *t;
	const uint8_t *enc;
	size_t len;
	uint64_t seq;
	int rc;

	if ((rc = store_begin(st, 0, &t)) != LD_OK)
		return rc;
	for (seq = from; seq <= to; seq++)
		if ((rc = store_get_raw(t, seq, &enc, &len)) != LD_OK) {
			*bad = seq;
			break;
		}
	store_abort(t);
	/* A missing entry below the tree's size is damage too. */
	if (rc == LD_E_NOT_FOUND) {
		store_damage_seen(st, *bad);
		rc = LD_E_DAMAGED;
	}
	return rc;
}

/*
 * Nodes (level, from..to) in one read transaction: LD_OK, LD_E_DAMAGED
 * with *bad the first seq under the first node that is missing or is not
 * the hash of its children, or the store's error.
 */
static int
check_nodes(struct store *st, unsigned level, uint64_t from, uint64_t to,
    uint64_t *bad)
{
	struct store_txn *t;
	uint8_t l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN], want[MERKLE_HASH_LEN],
	    got[MERKLE_HASH_LEN];
	uint64_t i;
	int rc = LD_OK;

	if ((rc = store_begin(st, 0, &t)) != LD_OK)
		return rc;
	for (i = from; i <= to && rc == LD_OK; i++) {
		if (store_tree_get(t, level - 1, 2 * i, l) != 0 ||
		    store_tree_get(t, level - 1, 2 * i + 1, r) != 0 ||
		    store_tree_get(t, level, i, got) != 0)
			rc = LD_E_DAMAGED;
		else {
			merkle_node_hash(l, r, want);
			if (memcmp(want, got, MERKLE_HASH_LEN) != 0)
				rc = LD_E_DAMAGED;
		}
		if (rc == LD_E_DAMAGED) {
			*bad = (i << level) + 1;
			log_warnx("scrub: Merkle node (level %u, index %llu), "
			    "over seqs %llu..%llu, is missing or is not the "
			    "hash of its children", level,
			    (unsigned long long)i, (unsigned long long)*bad,
			    (unsigned long long)((i + 1) << level));
		}
	}
	if (rc == LD_OK)
		rc = store_error(t);
	store_abort(t);
	return rc;
}

/* One pass; its result goes into s->status. */
static void
pass(struct scrub *s)
{
	struct store_txn *t;
	uint64_t n, seq, to, i, last, done = 0, bad = 0;
	unsigned level;
	int64_t t0 = mono_us();
	int rc;

	if ((rc = store_begin(s->st, 0, &t)) != LD_OK) {
		log_warnx("scrub: cannot read the ledger: %s", ld_err_name(rc));
		goto stopped;
	}
	n = store_size(t);
	store_abort(t);
	pthread_mutex_lock(&s->mtx);
	s->status.running = 1;
	s->status.progress = 0;
	pthread_mutex_unlock(&s->mtx);

	for (seq = 1; seq <= n && rc == LD_OK; seq = to + 1) {
		to = seq + SCRUB_CHUNK - 1 < n ? seq + SCRUB_CHUNK - 1 : n;
		rc = check_entries(s->st, seq, to, &bad);
		done += to - seq + 1;
		if (rc == LD_OK && pace(s, t0, done) != 0)
			goto stopped;
	}
	/* Level L has the nodes whose 2^L leaves all lie within n. */
	for (level = 1; level < 64 && rc == LD_OK && (n >> level) > 0; level++) {
		last = (n >> level) - 1;
		for (i = 0; i <= last && rc == LD_OK; i = to + 1) {
			to = i + SCRUB_CHUNK - 1 < last ? i + SCRUB_CHUNK - 1 :
			    last;
			rc = check_nodes(s->st, level, i, to, &bad);
			done += to - i + 1;
			if (rc == LD_OK && pace(s, t0, done) != 0)
				goto stopped;
		}
	}

	if (rc != LD_OK && rc != LD_E_DAMAGED) {
		log_warnx("scrub: pass abandoned: %s", ld_err_name(rc));
		goto stopped;
	}
	log_info("scrub: %llu entries and their tree checked in %.1f s: %s",
	    (unsigned long long)n, (double)(mono_us() - t0) / 1e6,
	    rc == LD_OK ? "intact" : "DAMAGED");
	pthread_mutex_lock(&s->mtx);
	s->status.running = 0;
	s->status.passes++;
	s->status.finished_at = wall_us();
	s->status.size = n;
	s->status.result = rc == LD_OK ? SCRUB_OK : SCRUB_DAMAGED;
	s->status.damaged_seq = rc == LD_OK ? 0 : bad;
	pthread_mutex_unlock(&s->mtx);
	return;
stopped:
	pthread_mutex_lock(&s->mtx);
	s->status.running = 0;
	pthread_mutex_unlock(&s->mtx);
}

/*
 * Run the scrub only on CPU time nobody else wants: SCHED_IDLE (Linux)
 * for this thread, else the lowest nice.  Under a write load the event
 * loop and the writer then keep their cores, and the pass slows down
 * below its rate instead of slowing the writes (docs/BENCHMARKS.md).
 */
static void
lower_priority(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof(sp));
#ifdef SCHED_IDLE
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) == 0)
		return;
#endif
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}

static void *
scrub_main(void *arg)
{
	struct scrub *s = arg;
	struct timespec until;
	int run = s->interval_h > 0, rc;

	lower_priority();

	for (;;) {
		if (run)
			pass(s);
		pthread_mutex_lock(&s->mtx);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)s->interval_h * 3600;
		rc = 0;
		while (!s->requested && !s->stopping && rc != ETIMEDOUT)
			rc = s->interval_h > 0 ?
			    pthread_cond_timedwait(&s->cv, &s->mtx, &until) :
			    pthread_cond_wait(&s->cv, &s->mtx);
		if (s->stopping) {
			pthread_mutex_unlock(&s->mtx);
			return NULL;
		}
		s->requested = 0;
		pthread_mutex_unlock(&s->mtx);
		run = 1;
	}
}

int
scrub_start(struct store *st, uint32_t interval_h, uint32_t rate,
    struct scrub **out)
{
	struct scrub *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->st = st;
	s->interval_h = interval_h;
	s->rate = rate > 0 ? rate : 1;
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->thread, NULL, scrub_main, s) != 0) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mtx);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int
scrub_request(struct scrub *s)
{
	int started;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->mtx);
	started = !s->status.running && !s->requested;
	if (started) {
		s->requested = 1;
		/* Shown as running from now: the thread may not have woken. */
		s->status.running = 1;
		s->status.progress = 0;
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mtx);
	return started;
}

void
scrub_status(struct scrub *s, struct scrub_status *out)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mtx);
	*out = s->status;
	pthread_mutex_unlock(&s->mtx);
}

void
scrub_stop(struct scrub *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mtx);
	s->stopping = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mtx);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mtx);
	free(s);
}
