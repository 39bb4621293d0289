// SPDX-License-Identifier: GPL-2.0
/*
 * The real host object (host/host.h) over fake proc trees (fakeproc.h): the
 * batch's one snapshot, and SIGKILL walking again until nobody new shows up.
 * The members are real child processes, so the signals go through real
 * pidfds; the tree says what /proc would say about them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fakeproc.h"
#include "host/host.h"

/* A child that waits to be signalled; exits 7 on SIGHUP if catch_hup. */
static void on_hup(int sig)
{
	_exit(7);
}

static pid_t child(bool catch_hup)
{
	int sync[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(sync), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (catch_hup)
			signal(SIGHUP, on_hup);
		/* ready: the handler is in place */
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(sync[1]);
	assert_int_equal(read(sync[0], &c, 1), 1);
	close(sync[0]);
	return pid;
}

/* Its /proc/PID/stat in the fake tree: a member of session sid started at start. */
static void member(struct fakeproc *fp, pid_t pid, pid_t sid, unsigned long long start)
{
	fp_stat(fp, pid, "member", 'S', getpid(), sid, sid, 0, 0x400000, start);
}

/* In a batch, one walk answers every listing; outside, each one walks. */
static void test_batch_snapshot(void **state)
{
	struct fakeproc fp;
	struct host h;
	const struct host_ops *o = &h.ops;
	struct proc_stat *v;
	size_t n;

	fp_init(&fp);
	assert_int_equal(host_init(&h, fp.root), 0);
	fp_stat(&fp, 500, "bash", 'S', 400, 500, 500, 34819, 0x400000, 1000);
	fp_stat(&fp, 600, "bash", 'S', 400, 600, 600, 34820, 0x400000, 1000);

	o->batch_begin(o->ctx);
	assert_false(h.snap.taken); /* nothing walked until something is listed */
	assert_int_equal(o->session_gone(o->ctx, 500, 1000), 0);
	assert_true(h.snap.taken);
	/* forked after the walk: not in this batch, but in the next one */
	fp_stat(&fp, 501, "vim", 'S', 500, 501, 500, 34819, 0x400000, 1100);
	fp_stat(&fp, 601, "vim", 'S', 600, 601, 600, 34820, 0x400000, 1100);
	assert_int_equal(o->survivors(o->ctx, 500, 1000, &v, &n), 0);
	assert_int_equal(n, 1);
	free(v);
	/* a session without members at the walk is gone */
	fp_stat(&fp, 700, "late", 'S', 1, 700, 700, 0, 0x400000, 2000);
	assert_int_equal(o->session_gone(o->ctx, 700, 2000), 1);
	o->batch_end(o->ctx);
	assert_false(h.snap.taken);

	o->batch_begin(o->ctx);
	assert_int_equal(o->survivors(o->ctx, 500, 1000, &v, &n), 0);
	assert_int_equal(n, 2);
	free(v);
	assert_int_equal(o->session_gone(o->ctx, 700, 2000), 0);
	o->batch_end(o->ctx);

	/* outside a batch every listing walks */
	fp_stat(&fp, 502, "make", 'S', 501, 502, 500, 34819, 0x400000, 1300);
	assert_int_equal(o->survivors(o->ctx, 500, 1000, &v, &n), 0);
	assert_int_equal(n, 3);
	free(v);
	assert_false(h.snap.taken);
	host_free(&h);
	fp_cleanup(&fp);
}

/* An ending taken over reads its leader's join ids again, if the leader is the same. */
static void test_join_ids(void **state)
{
	struct fakeproc fp;
	struct host h;
	char id[32];
	long long asid, luid;

	(void)state;
	fp_init(&fp);
	assert_int_equal(host_init(&h, fp.root), 0);
	fp_stat(&fp, 500, "bash", 'S', 400, 500, 500, 34819, 0x400000, 1000);
	fp_text(&fp, 500, "cgroup", "0::/user.slice/user-1000.slice/session-12.scope\n");
	fp_text(&fp, 500, "sessionid", "12");
	fp_text(&fp, 500, "loginuid", "1000");
	assert_int_equal(h.ops.join_ids(h.ops.ctx, 500, 1000, id, sizeof(id), &asid, &luid), 0);
	assert_string_equal(id, "12");
	assert_true(asid == 12 && luid == 1000);
	/* another process under the same pid: nothing of it */
	assert_int_equal(h.ops.join_ids(h.ops.ctx, 500, 999, id, sizeof(id), &asid, &luid), -ESRCH);
	assert_string_equal(id, "");
	assert_true(asid == -1 && luid == -1);
	/* gone */
	assert_int_equal(h.ops.join_ids(h.ops.ctx, 501, 1000, id, sizeof(id), &asid, &luid),
			 -ESRCH);
	host_free(&h);
	fp_cleanup(&fp);
}

/*
 * A process that appears after the batch's snapshot (forked while the
 * session was being killed) is killed too, and the re-walk is the snapshot
 * later sessions of the batch are listed from.
 */
static void test_kill_until_nobody_new(void **state)
{
	struct term_counts c = {0};
	struct fakeproc fp;
	struct host h;
	const struct host_ops *o = &h.ops;
	pid_t leader = child(false), late = child(false);
	int status;

	alarm(20); /* a member that escaped fails the test instead of hanging it */
	fp_init(&fp);
	assert_int_equal(host_init(&h, fp.root), 0);
	member(&fp, leader, leader, 100);
	fp_stat(&fp, 9000, "other", 'S', 1, 9000, 9000, 0, 0x400000, 50);

	o->batch_begin(o->ctx);
	assert_int_equal(o->session_gone(o->ctx, leader, 100), 0); /* the walk: the leader */
	member(&fp, late, leader, 150);
	fp_stat(&fp, 9001, "other2", 'S', 9000, 9001, 9000, 0, 0x400000, 60);
	assert_int_equal(o->signal_session(o->ctx, leader, 100, SIGKILL, &c), 0);
	assert_int_equal(c.signalled, 2);
	assert_int_equal(c.refused + c.failed + c.vanished, 0);
	/* the snapshot is the newer walk now */
	{
		struct proc_stat *v;
		size_t n;

		assert_int_equal(o->survivors(o->ctx, 9000, 50, &v, &n), 0);
		assert_int_equal(n, 2);
		free(v);
	}
	o->batch_end(o->ctx);
	assert_int_equal(waitpid(leader, &status, 0), leader);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(waitpid(late, &status, 0), late);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	alarm(0);

	/* the guards hold in every round: a member that is the daemon is never killed */
	memset(&c, 0, sizeof(c));
	fp_stat(&fp, getpid(), "ttyidle", 'S', 1, leader, leader, 0, 0x400000, 200);
	o->batch_begin(o->ctx);
	assert_int_equal(o->signal_session(o->ctx, leader, 100, SIGKILL, &c), 0);
	assert_int_equal(c.refused, 1);
	o->batch_end(o->ctx);
	host_free(&h);
	fp_cleanup(&fp);
}

/* SIGHUP and SIGCONT from one listing: a stopped member acts on the hangup. */
static void test_hup_continues_stopped(void **state)
{
	struct term_counts c = {0};
	struct fakeproc fp;
	struct host h;
	const struct host_ops *o = &h.ops;
	pid_t pid = child(true);
	int status;

	fp_init(&fp);
	assert_int_equal(host_init(&h, fp.root), 0);
	member(&fp, pid, pid, 100);
	kill(pid, SIGSTOP);
	assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
	assert_true(WIFSTOPPED(status));
	o->batch_begin(o->ctx);
	assert_int_equal(o->signal_session(o->ctx, pid, 100, SIGHUP, &c), 0);
	o->batch_end(o->ctx);
	assert_int_equal(c.signalled, 1);
	alarm(10);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	alarm(0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	host_free(&h);
	fp_cleanup(&fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_batch_snapshot),
	    cmocka_unit_test(test_join_ids),
	    cmocka_unit_test(test_kill_until_nobody_new),
	    cmocka_unit_test(test_hup_continues_stopped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
