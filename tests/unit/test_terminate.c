// SPDX-License-Identifier: GPL-2.0
/*
 * The escalation state machine, the guards on fake proc trees, and real
 * sessions of child processes signalled through pidfds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fakeproc.h"
#include "host/host.h"
#include "host/session.h"
#include "host/terminate.h"
#include "testpty.h"

/* Listings by a walk of the real /proc each time. */
static const struct proc_view real = {NULL, NULL};

/* ---- the state machine ---------------------------------------------------- */

static void test_plan_sequence(void **state)
{
	struct term_plan p;

	term_plan_init(&p, 100, 10, 20, 5);
	assert_false(term_plan_finished(&p));
	assert_int_equal(term_plan_next(&p), 100);
	assert_int_equal(term_plan_step(&p, 99, false), TERM_ACT_NONE);
	assert_int_equal(term_plan_step(&p, 100, false), TERM_ACT_HANGUP);
	assert_int_equal(term_plan_next(&p), 110);
	assert_int_equal(term_plan_step(&p, 109, false), TERM_ACT_NONE);
	/* late timer: the next delay counts from when the step really ran */
	assert_int_equal(term_plan_step(&p, 115, false), TERM_ACT_TERM);
	assert_int_equal(term_plan_next(&p), 135);
	assert_int_equal(term_plan_step(&p, 135, false), TERM_ACT_KILL);
	assert_int_equal(term_plan_next(&p), 140);
	assert_int_equal(term_plan_step(&p, 140, false), TERM_ACT_REPORT);
	assert_true(term_plan_finished(&p));
	assert_int_equal(term_plan_next(&p), UINT64_MAX);
	assert_int_equal(term_plan_step(&p, UINT64_MAX, false), TERM_ACT_NONE);
	assert_int_equal(term_plan_step(&p, UINT64_MAX, true), TERM_ACT_NONE);
}

static void test_plan_gone_and_limits(void **state)
{
	struct term_plan p;

	/* gone before anything was done */
	term_plan_init(&p, 0, 1, 1, 1);
	assert_int_equal(term_plan_step(&p, 0, true), TERM_ACT_DONE);
	assert_true(term_plan_finished(&p));

	/* gone while waiting for TERM; not due yet means nothing, even if gone */
	term_plan_init(&p, 50, 10, 10, 10);
	assert_int_equal(term_plan_step(&p, 50, false), TERM_ACT_HANGUP);
	assert_int_equal(term_plan_step(&p, 55, true), TERM_ACT_NONE);
	assert_int_equal(term_plan_step(&p, 60, true), TERM_ACT_DONE);
	assert_int_equal(term_plan_next(&p), UINT64_MAX);

	/* zero delays: one step per call, no skipping */
	term_plan_init(&p, 7, 0, 0, 0);
	assert_int_equal(term_plan_step(&p, 7, false), TERM_ACT_HANGUP);
	assert_int_equal(term_plan_step(&p, 7, false), TERM_ACT_TERM);
	assert_int_equal(term_plan_step(&p, 7, false), TERM_ACT_KILL);
	assert_int_equal(term_plan_step(&p, 7, false), TERM_ACT_REPORT);
	assert_int_equal(term_plan_step(&p, 7, false), TERM_ACT_NONE);

	/* huge delays saturate instead of wrapping into the past */
	term_plan_init(&p, UINT64_MAX - 5, UINT64_MAX, 1, 1);
	assert_int_equal(term_plan_step(&p, UINT64_MAX - 5, false), TERM_ACT_HANGUP);
	assert_int_equal(term_plan_next(&p), UINT64_MAX);
	assert_false(term_plan_finished(&p));
	assert_string_equal(term_action_name(TERM_ACT_KILL), "sigkill");
}

static struct proc_stat mkstat(pid_t pid, pid_t ppid, pid_t sid, char state, unsigned int flags,
			       unsigned long long start)
{
	struct proc_stat st;

	memset(&st, 0, sizeof(st));
	st.pid = pid;
	st.ppid = ppid;
	st.session = sid;
	st.state = state;
	st.flags = flags;
	st.starttime = start;
	snprintf(st.comm, sizeof(st.comm), "p%d", (int)pid);
	return st;
}

static void test_guard(void **state)
{
	struct proc_stat st;
	const pid_t self = 999;

	st = mkstat(500, 400, 400, 'S', 0x400000, 77);
	assert_int_equal(term_guard(&st, 400, 77, self), TERM_OK);
	assert_int_equal(term_guard(&st, 400, 78, self), TERM_REFUSE_REUSED);
	assert_int_equal(term_guard(&st, 401, 77, self), TERM_REFUSE_SESSION);
	assert_int_equal(term_guard(&st, 1, 77, self), TERM_REFUSE_SESSION);
	st = mkstat(1, 0, 1, 'S', 0x400100, 1);
	assert_int_equal(term_guard(&st, 1, 1, self), TERM_REFUSE_INIT);
	st = mkstat(2, 0, 0, 'S', 0x208040, 1);
	assert_int_equal(term_guard(&st, 0, 1, self), TERM_REFUSE_KTHREAD);
	st = mkstat(60, 2, 400, 'I', 0, 5); /* child of kthreadd, flags hidden */
	assert_int_equal(term_guard(&st, 400, 5, self), TERM_REFUSE_KTHREAD);
	st = mkstat(61, 400, 400, 'S', 0x00200000, 5);
	assert_int_equal(term_guard(&st, 400, 5, self), TERM_REFUSE_KTHREAD);
	st = mkstat(self, 400, 400, 'S', 0x400000, 5);
	assert_int_equal(term_guard(&st, 400, 5, self), TERM_REFUSE_SELF);
	st = mkstat(501, 400, 400, 'Z', 0x400000, 5);
	assert_int_equal(term_guard(&st, 400, 5, self), TERM_REFUSE_ZOMBIE);
	assert_string_equal(term_refusal_name(TERM_REFUSE_REUSED), "pid reused");
}

/* ---- child processes ------------------------------------------------------- */

struct kid {
	pid_t pid;
	unsigned long long start;
};

/*
 * A session leader (optionally on the PTY at pty_path as controlling
 * terminal) with ngrand children; ignore: signals the whole session ignores,
 * except the last grandchild, which keeps default dispositions.
 */
static struct kid spawn_session(const char *pty_path, int ngrand, const int *ignore)
{
	struct proc_stat st;
	struct kid k;
	int sync[2], i;
	char c;

	assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
	k.pid = fork();
	assert_true(k.pid >= 0);
	if (k.pid == 0) {
		int null = open("/dev/null", O_RDWR);
		pid_t me = getpid();

		/* never outlive the test, never hold its output open */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(9);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(sync[0]);
		if (setsid() < 0)
			_exit(1);
		/* dispositions inherited from whoever ran the tests (nohup ignores SIGHUP) */
		signal(SIGHUP, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (pty_path) {
			int fd = open(pty_path, O_RDWR);

			if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
				_exit(2);
		}
		for (i = 0; ignore && ignore[i]; i++)
			signal(ignore[i], SIG_IGN);
		for (i = 0; i < ngrand; i++) {
			pid_t g = fork();

			if (g < 0)
				_exit(3);
			if (g == 0) {
				int j;

				prctl(PR_SET_PDEATHSIG, SIGKILL);
				if (getppid() != me)
					_exit(9);
				if (i == ngrand - 1)
					for (j = 0; ignore && ignore[j]; j++)
						signal(ignore[j], SIG_DFL);
				if (write(sync[1], "g", 1) != 1)
					_exit(4);
				for (;;)
					pause();
			}
		}
		if (write(sync[1], "l", 1) != 1)
			_exit(5);
		for (;;)
			pause();
	}
	close(sync[1]);
	for (i = 0; i <= ngrand; i++)
		assert_int_equal(read(sync[0], &c, 1), 1);
	close(sync[0]);
	assert_int_equal(procfs_read_stat(NULL, k.pid, &st), 0);
	assert_int_equal(st.session, k.pid);
	k.start = st.starttime;
	return k;
}

static void reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait (the test may; the daemon never does) until the session has n live members. */
static void wait_members(const struct kid *k, size_t n)
{
	uint64_t end = now_ms() + 5000;
	struct proc_stat *v;
	size_t got = 0;

	while (now_ms() < end) {
		reap_all();
		assert_int_equal(term_survivors(&real, k->pid, k->start, &v, &got), 0);
		free(v);
		if (got == n)
			return;
		usleep(5000);
	}
	fail_msg("session %d: %zu live members, want %zu", (int)k->pid, got, n);
}

static void test_fake_refusals(void **state)
{
	static const int none[] = {0};
	struct fakeproc fp;
	struct kid k = spawn_session(NULL, 0, none);
	enum term_refusal why;
	int status;

	fp_init(&fp);
	fp_stat(&fp, 1, "systemd", 'S', 0, 1, 1, 0, 0x400100, 1);
	fp_stat(&fp, 2, "kthreadd", 'S', 0, 0, 0, 0, 0x208040, 1);
	fp_stat(&fp, 60, "kworker/0:1", 'I', 2, 0, 0, 0, 0x4208060, 3);
	fp_stat(&fp, 61, "lookalike", 'S', 2, 61, 5000, 0, 0x400000, 3);
	fp_stat(&fp, getpid(), "ttyidle", 'S', 1, 5000, 5000, 0, 0x400000, 40);
	fp_stat(&fp, 5001, "zombie", 'Z', 5000, 5000, 5000, 0, 0x400000, 60);
	/* the child's PID, but the fake tree says it is another process now */
	fp_stat(&fp, k.pid, "newcomer", 'S', 1, k.pid, k.pid, 0, 0x400000, k.start + 1);

	assert_int_equal(term_signal_pid(fp.root, 1, 1, 1, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_INIT);
	assert_int_equal(term_signal_pid(fp.root, 2, 0, 1, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_KTHREAD);
	assert_int_equal(term_signal_pid(fp.root, 60, 0, 3, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_KTHREAD);
	assert_int_equal(term_signal_pid(fp.root, 61, 5000, 3, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_KTHREAD);
	assert_int_equal(term_signal_pid(fp.root, getpid(), 5000, 40, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_SELF);
	assert_int_equal(term_signal_pid(fp.root, 5001, 5000, 60, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_ZOMBIE);
	assert_int_equal(term_signal_pid(fp.root, k.pid, 4999, k.start + 1, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_SESSION);
	assert_int_equal(term_signal_pid(fp.root, k.pid, k.pid, k.start, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_REUSED);
	assert_int_equal(term_signal_pid(fp.root, 4242, 4242, 1, SIGTERM, &why), -ESRCH);
	/* none of that touched the child */
	assert_int_equal(waitpid(k.pid, &status, WNOHANG), 0);

	/* when the tree agrees, the signal goes through the real pidfd */
	fp_stat(&fp, k.pid, "kid", 'S', getpid(), k.pid, k.pid, 0, 0x400000, k.start);
	assert_int_equal(term_signal_pid(fp.root, k.pid, k.pid, k.start, SIGTERM, &why), 0);
	assert_int_equal(waitpid(k.pid, &status, 0), k.pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	fp_cleanup(&fp);
}

static void test_real_signal_and_reuse_guard(void **state)
{
	static const int none[] = {0};
	struct kid k = spawn_session(NULL, 0, none);
	enum term_refusal why;
	int status;

	assert_int_equal(term_signal_pid(NULL, k.pid, k.pid, k.start + 1, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_REUSED);
	assert_int_equal(term_signal_pid(NULL, k.pid, k.pid + 1, k.start, SIGTERM, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_SESSION);
	assert_int_equal(waitpid(k.pid, &status, WNOHANG), 0);
	assert_int_equal(term_signal_pid(NULL, k.pid, k.pid, k.start, SIGTERM, &why), 0);
	assert_int_equal(waitpid(k.pid, &status, 0), k.pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	/* gone now: its PID names nothing (or something else) */
	assert_true(term_signal_pid(NULL, k.pid, k.pid, k.start, SIGTERM, &why) < 0);
}

static void test_real_never_self_init_kthread(void **state)
{
	struct proc_stat st;
	enum term_refusal why;

	assert_int_equal(procfs_read_stat(NULL, getpid(), &st), 0);
	assert_int_equal(term_signal_pid(NULL, getpid(), st.session, st.starttime, SIGKILL, &why),
			 -EPERM);
	assert_int_equal(why, TERM_REFUSE_SELF);
	assert_int_equal(term_signal_pid(NULL, 1, 1, 1, SIGKILL, &why), -EPERM);
	assert_int_equal(why, TERM_REFUSE_INIT);
	if (procfs_read_stat(NULL, 2, &st) == 0) {
		assert_int_equal(term_signal_pid(NULL, 2, st.session, st.starttime, SIGKILL, &why),
				 -EPERM);
		assert_int_equal(why, TERM_REFUSE_KTHREAD);
	}
}

static void test_pidfd_poll(void **state)
{
	static const int none[] = {0};
	struct kid k = spawn_session(NULL, 0, none);
	enum term_refusal why;
	struct pollfd pfd;
	int fd;

	fd = term_pidfd_open_verified(NULL, k.pid, k.pid, k.start, &why);
	assert_true(fd >= 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	kill(k.pid, SIGKILL);
	/* readable on exit, before anyone reaps it */
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(waitpid(k.pid, NULL, 0), k.pid);
	/* the stale pidfd refuses to signal whatever may reuse the PID */
	assert_int_equal(term_pidfd_send_signal(fd, SIGKILL), -ESRCH);
	close(fd);
	assert_int_equal(term_pidfd_open_verified(NULL, k.pid, k.pid, k.start, &why), -ESRCH);
}

static void test_real_hangup(void **state)
{
	static const int none[] = {0};
	struct term_counts c = {0};
	struct pty p, other;
	struct kid k;
	uint64_t t0;
	pid_t w;
	int status, r;

	pty_open(&p);
	pty_open(&other);
	k = spawn_session(p.path, 0, none);
	int fd;

	/* no terminal to hang up: said so */
	assert_int_equal(term_hangup_fd(-1), -EBADF);
	assert_int_equal(waitpid(k.pid, &status, WNOHANG), 0);
	/* a writer stuck on the stopped terminal must not stall the hangup */
	assert_int_equal(tcflow(p.slave, TCOOFF), 0);
	w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		int fd = open(p.path, O_WRONLY | O_NOCTTY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fd >= 0 && write(fd, "stuck", 5) < 0 && errno == EIO ? 0 : 1);
	}
	usleep(100000);
	assert_int_equal(waitpid(w, &status, WNOHANG), 0);
	alarm(20);
	t0 = now_ms();
	/* the node first, whatever fds the session holds */
	fd = session_open_tty(NULL, 0, &p.key, p.name, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(session_open_tty(NULL, 0, &other.key, p.name, O_RDWR), -ENOENT);
	r = term_hangup_fd(fd);
	close(fd);
	assert_true(now_ms() - t0 < 1000);
	alarm(0);
	if (r == -EPERM) {
		kill(w, SIGKILL);
		waitpid(w, NULL, 0);
		kill(k.pid, SIGKILL);
		waitpid(k.pid, NULL, 0);
		pty_close(&p);
		pty_close(&other);
		skip(); /* TIOCVHANGUP needs CAP_SYS_ADMIN */
	}
	assert_int_equal(r, 0);
	/* what the engine sends after the hangup; the leader may be dying of it already */
	assert_int_equal(term_signal_session(&real, k.pid, k.start, SIGHUP, &c), 0);
	assert_int_equal(c.refused + c.failed, 0);
	alarm(20); /* a session that survives the hangup fails the test, never hangs it */
	/* the kernel sent SIGHUP to the leader */
	assert_int_equal(waitpid(k.pid, &status, 0), k.pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP);
	/* the stuck writer was woken with EIO */
	assert_int_equal(waitpid(w, &status, 0), w);
	alarm(0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* our own slave fd was hung up too: writes fail with EIO */
	assert_int_equal(write(p.slave, "x", 1), -1);
	assert_int_equal(errno, EIO);
	pty_close(&p);
	pty_close(&other);
}

/* The escalation as the engine runs it, through the real host object, one batch per step. */
static void test_real_escalation(void **state)
{
	/* the leader and two grandchildren ignore SIGHUP and SIGTERM; the last one does not */
	static const int stubborn[] = {SIGHUP, SIGTERM, 0};
	struct term_counts c;
	struct term_plan plan;
	struct proc_stat *v;
	struct host host;
	const struct host_ops *h = &host.ops;
	struct pty p;
	struct kid k;
	enum term_action a;
	size_t n;
	uint64_t end;
	int gone, fd;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(host_init(&host, NULL), 0);
	pty_open(&p);
	k = spawn_session(p.path, 3, stubborn);
	wait_members(&k, 4);

	term_plan_init(&plan, 0, 1000, 1000, 1000);
	h->batch_begin(h->ctx);
	gone = h->session_gone(h->ctx, k.pid, k.start);
	assert_int_equal(gone, 0);
	a = term_plan_step(&plan, 0, gone);
	assert_int_equal(a, TERM_ACT_HANGUP);
	fd = h->open_tty(h->ctx, k.pid, &p.key, NULL);
	assert_true(fd >= 0);
	gone = h->hangup(h->ctx, fd);
	assert_true(gone == 0 || gone == -EPERM); /* -EPERM: no CAP_SYS_ADMIN */
	h->close_tty(h->ctx, fd);
	memset(&c, 0, sizeof(c));
	assert_int_equal(h->signal_session(h->ctx, k.pid, k.start, SIGHUP, &c), 0);
	assert_int_equal(c.signalled, 4);
	assert_int_equal(c.refused + c.failed, 0);
	h->batch_end(h->ctx);
	wait_members(&k, 3); /* the one with default SIGHUP died */

	assert_int_equal(term_plan_step(&plan, 999, false), TERM_ACT_NONE);
	h->batch_begin(h->ctx);
	gone = h->session_gone(h->ctx, k.pid, k.start);
	assert_int_equal(gone, 0);
	a = term_plan_step(&plan, 1000, gone);
	assert_int_equal(a, TERM_ACT_TERM);
	memset(&c, 0, sizeof(c));
	assert_int_equal(h->signal_session(h->ctx, k.pid, k.start, SIGTERM, &c), 0);
	assert_int_equal(c.signalled, 3);
	h->batch_end(h->ctx);
	usleep(50000);
	h->batch_begin(h->ctx);
	assert_int_equal(h->survivors(h->ctx, k.pid, k.start, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].pid, k.pid);
	assert_int_equal(v[0].session, k.pid);
	free(v);
	h->batch_end(h->ctx);

	h->batch_begin(h->ctx);
	a = term_plan_step(&plan, 2000, h->session_gone(h->ctx, k.pid, k.start) == 1);
	assert_int_equal(a, TERM_ACT_KILL);
	memset(&c, 0, sizeof(c));
	assert_int_equal(h->signal_session(h->ctx, k.pid, k.start, SIGKILL, &c), 0);
	/* the grandchildren may die of PDEATHSIG first, once the leader is killed */
	assert_true(c.signalled >= 1);
	assert_int_equal(c.signalled + c.vanished, 3);
	assert_int_equal(c.refused + c.failed, 0);
	h->batch_end(h->ctx);

	/* zombies do not count: gone as soon as they died, reaped or not */
	end = now_ms() + 5000;
	while ((gone = h->session_gone(h->ctx, k.pid, k.start)) == 0 && now_ms() < end)
		usleep(5000);
	assert_int_equal(gone, 1);
	assert_int_equal(h->survivors(h->ctx, k.pid, k.start, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	a = term_plan_step(&plan, 3000, gone);
	assert_int_equal(a, TERM_ACT_DONE);
	assert_true(term_plan_finished(&plan));
	host_free(&host);
	reap_all();
	pty_close(&p);
}

static void test_session_identity(void **state)
{
	struct fakeproc fp;
	struct term_counts c = {0};
	struct proc_view fv;

	fp_init(&fp);
	fv = (struct proc_view){fp.root, NULL};
	/* PID 800 leads a newer session than the one we meant (start 100): ours is over */
	fp_stat(&fp, 800, "bash", 'S', 1, 800, 800, 0, 0x400000, 900);
	fp_stat(&fp, 801, "vim", 'S', 800, 801, 800, 0, 0x400000, 950);
	assert_int_equal(session_gone(&fv, 800, 100), 1);
	assert_int_equal(term_signal_session(&fv, 800, 100, SIGTERM, &c), 0);
	assert_int_equal(term_kill_session(&fv, 800, 100, &c), 0);
	assert_int_equal(c.signalled + c.refused + c.failed + c.vanished, 0);
	assert_int_equal(session_gone(&fv, 800, 900), 0);

	/* leader gone: members left behind still count, zombies and older processes do not */
	fp_remove(&fp, 800, "stat");
	assert_int_equal(session_gone(&fv, 800, 900), 0);
	fp_stat(&fp, 801, "vim", 'Z', 1, 801, 800, 0, 0x400000, 950);
	assert_int_equal(session_gone(&fv, 800, 900), 1);
	fp_stat(&fp, 802, "old", 'S', 1, 802, 800, 0, 0x400000, 899);
	assert_int_equal(session_gone(&fv, 800, 900), 1);
	fp_stat(&fp, 803, "kworker", 'I', 2, 0, 800, 0, 0x4208060, 999);
	assert_int_equal(session_gone(&fv, 800, 900), 1);
	fp_cleanup(&fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan_sequence),
	    cmocka_unit_test(test_plan_gone_and_limits),
	    cmocka_unit_test(test_guard),
	    cmocka_unit_test(test_fake_refusals),
	    cmocka_unit_test(test_real_signal_and_reuse_guard),
	    cmocka_unit_test(test_real_never_self_init_kthread),
	    cmocka_unit_test(test_pidfd_poll),
	    cmocka_unit_test(test_real_hangup),
	    cmocka_unit_test(test_real_escalation),
	    cmocka_unit_test(test_session_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
