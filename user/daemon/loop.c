// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/loop.h"

#define NSEC 1000000000ULL

int loop_init(struct loop *l, const struct loop_due *due)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = LOOP_MAX_WATCH};
	int r;

	memset(l, 0, sizeof(*l));
	l->epfd = l->timerfd = -1;
	l->due = *due;
	l->armed_at = LOOP_NEVER;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	/* absolute CLOCK_BOOTTIME: deadlines keep counting through a suspend */
	l->timerfd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->epfd < 0 || l->timerfd < 0)
		goto fail;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->timerfd, &ev))
		goto fail;
	return 0;
fail:
	r = -errno;
	loop_free(l);
	return r;
}

void loop_free(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	l->epfd = l->timerfd = -1;
}

int loop_add(struct loop *l, int fd, loop_fn fn, void *ctx)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = l->nwatch};

	if (l->nwatch >= LOOP_MAX_WATCH)
		return -ENOSPC;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	l->watch[l->nwatch++] = (struct loop_watch){.fd = fd, .fn = fn, .ctx = ctx};
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

static void arm_timer(struct loop *l, uint64_t at)
{
	struct itimerspec its = {0};

	if (at == l->armed_at)
		return;
	if (at != LOOP_NEVER) {
		if (!at)
			at = 1; /* 0 would disarm */
		its.it_value.tv_sec = (time_t)(at / NSEC);
		its.it_value.tv_nsec = (long)(at % NSEC);
	}
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed_at = at;
	else
		l->armed_at = LOOP_NEVER; /* try again next time round */
}

/* Whatever is due now runs before the next wait. */
static void serve_due(struct loop *l)
{
	uint64_t now = l->due.now(l->due.ctx);

	if (l->due.next(l->due.ctx) <= now)
		l->due.run(l->due.ctx, now);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_MAX_WATCH + 1];
	uint64_t ticks;
	int i, n;

	l->stop = false;
	while (!l->stop) {
		arm_timer(l, l->due.next(l->due.ctx));
		n = epoll_wait(l->epfd, evs, LOOP_MAX_WATCH + 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		l->wakeups++;
		for (i = 0; i < n && !l->stop; i++) {
			uint32_t w = evs[i].data.u32;

			if (w == LOOP_MAX_WATCH) {
				/* the expiry count is not needed: serve_due looks at the clock */
				if (read(l->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					return -errno;
				l->armed_at = LOOP_NEVER;
			} else {
				l->watch[w].fn(l->watch[w].ctx);
			}
			if (!l->stop)
				serve_due(l);
		}
	}
	return 0;
}
