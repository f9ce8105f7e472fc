/*
 * test_writer.c - the group-commit writer on a real tiny LMDB.
 *
 * The writer thread is started as the daemon starts it, with a libevent
 * base owned by the test; jobs are real WRITE and BATCH payloads, and each
 * answer is decoded from the bytes the writer produced.  To make a group
 * of known composition, the commit hook (struct writer_hooks) holds the
 * writer inside its first commit until the test has queued the next jobs:
 * they then form exactly one group.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <semaphore.h>

#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "config.h"
#include "errors.h"
#include "frame.h"
#include "msg.h"
#include "store.h"
#include "wire.h"
#include "writer.h"

#define MAXJOBS	16

struct fixture {
	char			 dir[64];
	struct store		*st;
	struct event_base	*base;
	struct writer		*w;
	struct wjob		*done[MAXJOBS];
	int			 ndone, want;
	/* the commit hook's record, and its gate */
	sem_t			 in_commit, release;
	int			 hold_first;
	int			 ncommits;
	uint32_t		 requests[MAXJOBS];
	uint64_t		 entries[MAXJOBS];
};

static void
on_commit(void *arg, uint32_t requests, uint64_t entries, int64_t usec)
{
	struct fixture *f = arg;

	(void)usec;
	if (f->ncommits < MAXJOBS) {
		f->requests[f->ncommits] = requests;
		f->entries[f->ncommits] = entries;
	}
	if (f->ncommits++ == 0 && f->hold_first) {
		sem_post(&f->in_commit);
		sem_wait(&f->release);
	}
}

static void
on_done(struct wjob *j, void *arg)
{
	struct fixture *f = arg;

	f->done[f->ndone++] = j;
	if (f->ndone == f->want)
		event_base_loopbreak(f->base);
}

static int
open_store(struct fixture *f, uint64_t map_mb)
{
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_writer.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (store_open(&f->st, f->dir, map_mb, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	return 0;
}

static int
setup_map(void **state, uint64_t map_mb)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct writer_hooks hooks = { on_commit, NULL, NULL, 0, NULL };

	if (f == NULL || open_store(f, map_mb) != 0)
		return -1;
	evthread_use_pthreads();
	if ((f->base = event_base_new()) == NULL)
		return -1;
	sem_init(&f->in_commit, 0, 0);
	sem_init(&f->release, 0, 0);
	hooks.arg = f;
	if (writer_start(&f->w, f->st, f->base, on_done, f, &hooks) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_map(state, 8);
}

/* A 1 MiB map, which a few hundred long entries fill. */
static int
setup_small(void **state)
{
	return setup_map(state, 1);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[128];
	int i;

	writer_stop(f->w);
	for (i = 0; i < f->ndone; i++)
		wjob_free(f->done[i]);
	event_base_free(f->base);
	store_close(f->st);
	snprintf(p, sizeof(p), "%s/data.mdb", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", f->dir);
	unlink(p);
	rmdir(f->dir);
	sem_destroy(&f->in_commit);
	sem_destroy(&f->release);
	free(f);
	return 0;
}

/* A job carrying payload p (copied) of type, as server.c builds one. */
static struct wjob *
job(uint8_t type, int role, const char *actor, const struct wbuf *p,
    uint32_t reqid)
{
	struct wjob *j = calloc(1, sizeof(*j));

	assert_non_null(j);
	j->type = type;
	j->role = role;
	j->reqid = reqid;
	snprintf(j->actor, sizeof(j->actor), "%s", actor);
	j->max_frame = 1 << 20;
	j->len = p->len;
	assert_non_null(j->payload = malloc(p->len));
	memcpy(j->payload, p->data, p->len);
	wbuf_init(&j->out);
	return j;
}

static struct wjob *
write_job(const struct ld_entry *req, int role, uint32_t reqid)
{
	struct wbuf p;
	struct wjob *j;

	wbuf_init(&p);
	assert_int_equal(msg_encode_write(&p, req), 0);
	j = job(MSG_WRITE, role, role == ROLE_ADMIN ? "admin01" : "clerk01",
	    &p, reqid);
	wbuf_free(&p);
	return j;
}

static struct ld_entry
region(const char *code, const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_REGION;
	snprintf(e.region, sizeof(e.region), "%s", code);
	snprintf(e.name, sizeof(e.name), "%s", code);
	e.grant_type = LD_G_CONTINUING;
	snprintf(e.id, sizeof(e.id), "%s", id);
	return e;
}

static struct ld_entry
appropriation(int64_t amount, const char *id)
{
	struct ld_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = LD_K_APPROPRIATION;
	e.account = LD_A_GENERAL;
	e.fy = 2013;
	e.amount = amount;
	snprintf(e.ref, sizeof(e.ref), "AP");
	snprintf(e.id, sizeof(e.id), "%s", id);
	return e;
}

static void
give_up(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	event_base_loopbreak(arg);
}

/*
 * Run the loop until want jobs came back.  The writer's done event is only
 * ever activated, never added, so a timer keeps the loop running; after
 * 60 s it gives up and the count assertion fails instead of a hang.
 */
static void
wait_jobs(struct fixture *f, int want)
{
	struct timeval tv = { 60, 0 };
	struct event *ev;

	f->want = want;
	assert_non_null(ev = evtimer_new(f->base, give_up, f->base));
	evtimer_add(ev, &tv);
	if (f->ndone < want)
		event_base_dispatch(f->base);
	event_free(ev);
	assert_int_equal(f->ndone, want);
}

/* The answer of a WRITE job: the code, and on LD_OK the entry. */
static int
answer_code(const struct wjob *j, struct ld_entry *e, int *dup)
{
	struct frame_hdr h;
	char msg[1100];
	int code;

	assert_int_equal(frame_peek(&h, j->out.data, j->out.len, 1 << 20),
	    FRAME_OK);
	assert_int_equal(h.reqid, j->reqid);
	if (h.type == MSG_ERROR) {
		assert_int_equal(msg_decode_error(j->out.data + FRAME_HDR_LEN,
		    h.len, &code, msg, sizeof(msg)), 0);
		return code;
	}
	assert_int_equal(h.type, MSG_ENTRY);
	assert_int_equal(msg_decode_entry(j->out.data + FRAME_HDR_LEN, h.len,
	    dup, e), 0);
	return LD_OK;
}

static uint64_t
ledger_size(struct fixture *f)
{
	struct store_txn *t;
	uint64_t n;

	assert_int_equal(store_begin(f->st, 0, &t), LD_OK);
	n = store_size(t);
	store_abort(t);
	return n;
}

/* Jobs queued while the writer commits form one group: one commit. */
static void
test_group_commit(void **state)
{
	struct fixture *f = *state;
	struct ld_entry r = region("hakodate", "r-1"), e;
	int i, dup;

	f->hold_first = 1;
	writer_submit(f->w, write_job(&r, ROLE_ADMIN, 1));
	sem_wait(&f->in_commit);	/* the first group is committing */
	for (i = 0; i < 4; i++) {
		struct ld_entry a = appropriation(1000 + i, "");

		writer_submit(f->w, write_job(&a, ROLE_ADMIN, 10 + (uint32_t)i));
	}
	sem_post(&f->release);
	wait_jobs(f, 5);
	assert_int_equal(f->ncommits, 2);
	assert_int_equal(f->requests[0], 1);
	assert_int_equal(f->requests[1], 4);
	assert_int_equal(f->entries[1], 4);
	for (i = 0; i < 5; i++) {
		assert_int_equal(answer_code(f->done[i], &e, &dup), LD_OK);
		assert_int_equal(dup, 0);
		/* answers in queue order, seqs in commit order */
		assert_int_equal(e.seq, (uint64_t)i + 1);
		assert_int_equal(f->done[i]->code, LD_OK);
	}
	assert_int_equal(ledger_size(f), 5);
}

/* Two requests with one id in one group: the second is the first's duplicate. */
static void
test_duplicate_id_in_one_group(void **state)
{
	struct fixture *f = *state;
	struct ld_entry a = appropriation(5000, "ap-1"), b = a, c, e1, e2, e3;
	int dup1, dup2, dup3;

	c = appropriation(6000, "ap-1");	/* same id, other content */
	f->hold_first = 1;
	{
		struct ld_entry r = region("otaru", "");

		writer_submit(f->w, write_job(&r, ROLE_ADMIN, 1));
	}
	sem_wait(&f->in_commit);
	writer_submit(f->w, write_job(&a, ROLE_ADMIN, 2));
	writer_submit(f->w, write_job(&b, ROLE_ADMIN, 3));
	writer_submit(f->w, write_job(&c, ROLE_ADMIN, 4));
	sem_post(&f->release);
	wait_jobs(f, 4);
	assert_int_equal(f->requests[1], 3);
	assert_int_equal(answer_code(f->done[1], &e1, &dup1), LD_OK);
	assert_int_equal(answer_code(f->done[2], &e2, &dup2), LD_OK);
	assert_int_equal(dup1, 0);
	assert_int_equal(dup2, 1);
	assert_int_equal(e1.seq, e2.seq);
	assert_int_equal(answer_code(f->done[3], &e3, &dup3), LD_E_ID_CONFLICT);
	assert_int_equal(f->done[3]->code, LD_E_ID_CONFLICT);
	assert_int_equal(f->entries[1], 1);
	assert_int_equal(ledger_size(f), 2);
}

/* An atomic batch with one refused item writes nothing of it. */
static void
test_atomic_batch(void **state)
{
	struct fixture *f = *state;
	struct ld_entry items[3];
	struct frame_hdr h;
	struct wbuf p;
	size_t off;
	int i;

	items[0] = appropriation(100, "b-1");
	items[1] = appropriation(200, "b-2");
	items[2] = appropriation(300, "b-3");
	items[1].fy = 1800;			/* BAD_REQUEST */
	wbuf_init(&p);
	assert_int_equal(msg_batch_begin(&p, MSG_BATCH_ATOMIC, &off), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(msg_batch_add(&p, &items[i]), 0);
	msg_batch_finish(&p, off, 3);
	writer_submit(f->w, job(MSG_WRITE_BATCH, ROLE_ADMIN, "admin01", &p, 7));
	wbuf_free(&p);
	wait_jobs(f, 1);
	assert_int_equal(ledger_size(f), 0);
	assert_int_equal(f->entries[0], 0);
	assert_int_equal(frame_peek(&h, f->done[0]->out.data,
	    f->done[0]->out.len, 1 << 20), FRAME_OK);
	assert_int_equal(h.type, MSG_BATCH_RESULT);
}

/*
 * A commit that fails (the map is full) answers every request of the
 * group with the failure: nothing acknowledged, nothing stored.
 */
static void
test_commit_failure(void **state)
{
	struct fixture *f = *state;
	struct ld_entry e;
	int i, n = 0, dup, full = 0, code;

	/* Fill the 1 MiB map with regions of long names, one per group. */
	for (i = 0; i < 4000 && !full; i++) {
		struct ld_entry r = region("", "");
		struct wjob *j;

		snprintf(r.region, sizeof(r.region), "r-%d", i);
		memset(r.name, 'x', LD_TEXT_MAX);
		r.name[LD_TEXT_MAX] = '\0';
		writer_submit(f->w, write_job(&r, ROLE_ADMIN, (uint32_t)i));
		wait_jobs(f, ++n);
		j = f->done[0];
		code = answer_code(j, &e, &dup);
		if (code == LD_E_STORAGE_FULL) {
			full = 1;
			assert_int_equal(j->code, LD_E_STORAGE_FULL);
			assert_int_equal(j->nwritten, 0);
		} else
			assert_int_equal(code, LD_OK);
		wjob_free(j);
		f->ndone = n = 0;
	}
	assert_true(full);
	/* The refused group left nothing: every stored entry was answered. */
	assert_int_equal(ledger_size(f), (uint64_t)(i - 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_commit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_id_in_one_group,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_batch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_failure, setup_small,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
