/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's one event loop: epoll over the file descriptors it watches
 * (ring buffer, signalfd, metrics timer, name lookups) and one timerfd for
 * the nearest deadline. Nothing sleeps and nothing polls.
 *
 * Deadlines are served between callbacks: after every wake-up, whatever is
 * due runs before the loop waits again, so a source that is always ready (a
 * user opening terminals as fast as she can) cannot starve another user's
 * hangup. A source that has more than a turn's worth of work does one turn
 * and returns; level-triggered epoll brings it back after the deadlines.
 *
 * The loop knows nothing of the engine or libbpf: the deadlines come through
 * struct loop_due, so it is unit-tested with pipes and a fake clock.
 */
#ifndef TTYIDLE_LOOP_H
#define TTYIDLE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_MAX_WATCH 8
#define LOOP_NEVER     UINT64_MAX

typedef void (*loop_fn)(void *ctx);

struct loop_due {
	void *ctx;
	/* CLOCK_BOOTTIME ns of the nearest deadline; LOOP_NEVER if none */
	uint64_t (*next)(void *ctx);
	/* serve everything due at or before now */
	void (*run)(void *ctx, uint64_t now);
	/* the current CLOCK_BOOTTIME ns (tests pass their own) */
	uint64_t (*now)(void *ctx);
};

struct loop_watch {
	int fd;
	loop_fn fn;
	void *ctx;
};

struct loop {
	int epfd, timerfd;
	struct loop_due due;
	struct loop_watch watch[LOOP_MAX_WATCH];
	unsigned int nwatch;
	uint64_t armed_at; /* what the timerfd is set to, so it is not set again for nothing */
	bool stop;
	unsigned long wakeups; /* epoll returns: for tests and metrics */
};

/* 0 or -errno. */
int loop_init(struct loop *l, const struct loop_due *due);
void loop_free(struct loop *l);
/* Call fn(ctx) whenever fd is readable (level-triggered). 0, -ENOSPC, -errno. */
int loop_add(struct loop *l, int fd, loop_fn fn, void *ctx);
/* Run until loop_stop(); 0, or -errno if waiting failed. */
int loop_run(struct loop *l);
/* From a callback: return from loop_run once this wake-up is handled. */
void loop_stop(struct loop *l);

#endif
