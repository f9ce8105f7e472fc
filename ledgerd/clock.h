/*
 * clock.h - the daemon's two clocks in microseconds, for the threads that
 * time or stamp their work (writer, cluster, scrub).
 *
 * wall_us() is CLOCK_REALTIME: what an entry's recorded_at and a commit's
 * time of day are made of (the writer keeps recorded_at from going back).
 * mono_us() is CLOCK_MONOTONIC: durations and deadlines, which a step of
 * the wall clock must not stretch or cut.  Any thread.
 */
#ifndef LD_CLOCK_H
#define LD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t
wall_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

static inline int64_t
mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

#endif
