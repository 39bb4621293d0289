/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real PTY and a real session leader on it, for the tests that need the
 * kernel's view of a terminal (session lookup, warnings, hangup, the engine).
 * Header-only: every function is static. Include after <cmocka.h>.
 */
#ifndef TTYIDLE_TEST_TESTPTY_H
#define TTYIDLE_TEST_TESTPTY_H

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/session.h"

struct pty {
	int master, slave;
	char path[64];	/* /dev/pts/N */
	char kname[32]; /* ptsN, the kernel's name */
	char name[32];	/* pts/N */
	struct tty_key key;
	dev_t rdev;
};

static __attribute__((unused)) void pty_open(struct pty *p)
{
	struct stat st;

	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(p->master >= 0);
	assert_int_equal(grantpt(p->master), 0);
	assert_int_equal(unlockpt(p->master), 0);
	assert_int_equal(ptsname_r(p->master, p->path, sizeof(p->path)), 0);
	p->slave = open(p->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(p->slave >= 0);
	assert_int_equal(fstat(p->slave, &st), 0);
	p->rdev = st.st_rdev;
	assert_int_equal(session_dev_from_user(st.st_rdev, &p->key.dev), 0);
	assert_int_equal(session_dev_from_user(st.st_dev, &p->key.devpts), 0);
	snprintf(p->kname, sizeof(p->kname), "pts%d", atoi(p->path + 9));
	snprintf(p->name, sizeof(p->name), "pts/%d", atoi(p->path + 9));
}

static __attribute__((unused)) void pty_close(struct pty *p)
{
	close(p->slave);
	close(p->master);
}

/*
 * A child that leads a new session with the PTY as its controlling terminal,
 * stdio on /dev/null, and waits. It dies with the test (PDEATHSIG) and never
 * holds the test's output pipes. ignore_hup: survive a hangup, for tests that
 * look at the terminal after one.
 */
static __attribute__((unused)) pid_t pty_spawn_leader(const struct pty *p, bool ignore_hup)
{
	int sync[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd, null;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(4);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(sync[0]);
		close(p->master); /* only the test holds the user's side */
		signal(SIGHUP, ignore_hup ? SIG_IGN : SIG_DFL);
		if (setsid() < 0)
			_exit(1);
		fd = open(p->path, O_RDWR); /* no O_NOCTTY: becomes the controlling tty */
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
			_exit(2);
		if (write(sync[1], "x", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(sync[1]);
	assert_int_equal(read(sync[0], &c, 1), 1);
	close(sync[0]);
	return pid;
}

#endif
