// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's event loop with pipes, a signalfd and deadlines of the test's
 * own: the order of work is asserted, never how fast it went. Deadlines are
 * set relative to the clock the loop reads, so the host's uptime is moot.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/loop.h"

struct fixture {
	struct loop l;
	uint64_t due_at;      /* LOOP_NEVER: nothing due */
	unsigned int turns;   /* callbacks of the busy source */
	unsigned int stop_at; /* the busy source stops the loop at this turn */
	unsigned int make_due_at;
	unsigned int runs;
	unsigned int turns_at_run;
	uint64_t ran_at, ran_due;
	bool stop_on_run;
	int pipe[2];
	int sigfd;
	unsigned int signals;
};

static uint64_t f_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t f_next(void *ctx)
{
	return ((struct fixture *)ctx)->due_at;
}

static void f_run(void *ctx, uint64_t now)
{
	struct fixture *f = ctx;

	f->runs++;
	f->turns_at_run = f->turns;
	f->ran_at = now;
	f->ran_due = f->due_at;
	f->due_at = LOOP_NEVER;
	if (f->stop_on_run)
		loop_stop(&f->l);
}

/* A source that is always ready: its byte is never read. */
static void busy(void *ctx)
{
	struct fixture *f = ctx;

	f->turns++;
	if (f->turns == f->make_due_at)
		f->due_at = f_now(NULL);
	if (f->turns == f->stop_at)
		loop_stop(&f->l);
}

static void on_signal(void *ctx)
{
	struct fixture *f = ctx;
	struct signalfd_siginfo si;

	while (read(f->sigfd, &si, sizeof(si)) == sizeof(si))
		f->signals++;
	loop_stop(&f->l);
}

static int setup(void **state)
{
	static struct fixture f;
	struct loop_due due = {.ctx = &f, .next = f_next, .run = f_run, .now = f_now};

	memset(&f, 0, sizeof(f));
	f.due_at = LOOP_NEVER;
	f.sigfd = -1;
	if (pipe(f.pipe) || loop_init(&f.l, &due))
		return -1;
	alarm(20); /* a loop that never returns fails the test instead of hanging it */
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	alarm(0);
	loop_free(&f->l);
	close(f->pipe[0]);
	close(f->pipe[1]);
	if (f->sigfd >= 0)
		close(f->sigfd);
	return 0;
}

/* A deadline that falls due while a source is flooding runs at the next
 * turn's end, not when the source runs dry (it never does here). */
static void test_due_between_turns(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(write(f->pipe[1], "x", 1), 1);
	assert_int_equal(loop_add(&f->l, f->pipe[0], busy, f), 0);
	f->make_due_at = 3;
	f->stop_at = 50;
	assert_int_equal(loop_run(&f->l), 0);
	assert_int_equal(f->turns, 50);
	assert_int_equal(f->runs, 1);
	assert_int_equal(f->turns_at_run, 3);
}

/* With nothing ready, the timer wakes the loop for the deadline, and not before it. */
static void test_timer_wakes_at_due(void **state)
{
	struct fixture *f = *state;

	f->due_at = f_now(NULL) + 30 * 1000000ULL;
	f->stop_on_run = true;
	assert_int_equal(loop_run(&f->l), 0);
	assert_int_equal(f->runs, 1);
	assert_true(f->ran_at >= f->ran_due);
	assert_int_equal(f->turns, 0);
}

/* A deadline already past when the loop starts runs at once. */
static void test_past_due_runs(void **state)
{
	struct fixture *f = *state;

	f->due_at = 1;
	f->stop_on_run = true;
	assert_int_equal(loop_run(&f->l), 0);
	assert_int_equal(f->runs, 1);
}

/* Signals arrive as a watched fd; a callback can end the loop. */
static void test_signal_stops(void **state)
{
	struct fixture *f = *state;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
	f->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	assert_true(f->sigfd >= 0);
	assert_int_equal(loop_add(&f->l, f->sigfd, on_signal, f), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(loop_run(&f->l), 0);
	assert_int_equal(f->signals, 1);
	assert_int_equal(f->runs, 0);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

/* A stop asked by a callback skips the deadlines of that wake-up. */
static void test_stop_skips_due(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(write(f->pipe[1], "x", 1), 1);
	assert_int_equal(loop_add(&f->l, f->pipe[0], busy, f), 0);
	f->make_due_at = 1;
	f->stop_at = 1;
	assert_int_equal(loop_run(&f->l), 0);
	assert_int_equal(f->turns, 1);
	assert_int_equal(f->runs, 0);
}

static void test_watch_table_full(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	for (i = 0; i < LOOP_MAX_WATCH; i++)
		assert_int_equal(loop_add(&f->l, dup(f->pipe[0]), busy, f), 0);
	assert_int_equal(loop_add(&f->l, f->pipe[0], busy, f), -ENOSPC);
	for (i = 0; i < LOOP_MAX_WATCH; i++)
		close(f->l.watch[i].fd);
}

/* An fd epoll cannot watch is refused with its errno. */
static void test_bad_fd(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(loop_add(&f->l, -1, busy, f), -EBADF);
	assert_int_equal(f->l.nwatch, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_due_between_turns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timer_wakes_at_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_past_due_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signal_stops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_skips_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_watch_table_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_fd, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
