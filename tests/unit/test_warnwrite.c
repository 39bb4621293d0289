// SPDX-License-Identifier: GPL-2.0
/*
 * Warning writes on real PTYs: delivered, stopped with Ctrl-S or tcflow(),
 * blocked behind another writer, full, hung up. Every write must return at
 * once; alarm() turns a regression that blocks into a failure, not a hang.
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

#include "host/procfs.h"
#include "host/session.h"
#include "host/warnwrite.h"
#include "testpty.h"

#define PROMPT_MS 1000 /* "at once", with room for sanitizers on a loaded machine */

struct fixture {
	struct pty p;
	pid_t leader;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A PTY and a child session leader that has it as controlling terminal. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	pty_open(&f->p);
	/* the leader survives hangups: the tests look at its terminal after one */
	f->leader = pty_spawn_leader(&f->p, true);
	alarm(30);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	alarm(0);
	kill(f->leader, SIGKILL);
	waitpid(f->leader, NULL, 0);
	if (f->p.slave >= 0)
		close(f->p.slave);
	if (f->p.master >= 0)
		close(f->p.master);
	free(f);
	return 0;
}

/* Read what the master has, up to len bytes, waiting at most ms. */
static size_t drain(int master, char *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = master, .events = POLLIN};
	size_t got = 0;

	while (got < len && poll(&p, 1, ms) == 1) {
		ssize_t n = read(master, buf + got, len - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		ms = 50;
	}
	return got;
}

/* warnwrite_session, timed. */
static int timed_warn(struct fixture *f, const char *text, size_t len, struct warn_result *r)
{
	uint64_t t0 = now_ms();
	int rc = warnwrite_session(NULL, f->leader, &f->p.key, NULL, text, len, r);
	uint64_t dt = now_ms() - t0;

	if (dt > PROMPT_MS)
		fail_msg("write took %llu ms", (unsigned long long)dt);
	return rc;
}

static void test_delivered(void **state)
{
	struct fixture *f = *state;
	struct warn_result r;
	char buf[64], d[64];
	size_t n;

	assert_int_equal(timed_warn(f, "idle: bye soon", 14, &r), 0);
	assert_int_equal(r.outcome, WARN_DELIVERED);
	assert_int_equal(r.written, 14);
	n = drain(f->p.master, buf, sizeof(buf), 2000);
	assert_int_equal(n, 14);
	assert_memory_equal(buf, "idle: bye soon", 14);
	warnwrite_describe(&r, d, sizeof(d));
	assert_string_equal(d, "delivered");
}

static void test_stopped_by_tcflow(void **state)
{
	struct fixture *f = *state;
	struct warn_result r;
	char buf[64], d[64];

	assert_int_equal(tcflow(f->p.slave, TCOOFF), 0);
	assert_int_equal(timed_warn(f, "hello", 5, &r), -EAGAIN);
	assert_int_equal(r.outcome, WARN_WOULD_BLOCK);
	assert_int_equal(r.written, 0);
	warnwrite_describe(&r, d, sizeof(d));
	assert_string_equal(d, "not delivered (would block)");
	assert_int_equal(tcflow(f->p.slave, TCOON), 0);
	assert_int_equal(timed_warn(f, "hello", 5, &r), 0);
	assert_int_equal(drain(f->p.master, buf, sizeof(buf), 2000), 5);
}

/* Send a flow control byte from the user's side and wait for the slave to act on it. */
static void flow_key(struct fixture *f, char key, int want)
{
	struct pollfd p = {.fd = f->p.master, .events = POLLIN | POLLPRI};
	uint64_t end = now_ms() + 5000;
	unsigned char buf[256];

	assert_int_equal(write(f->p.master, &key, 1), 1);
	while (now_ms() < end) {
		ssize_t n;

		if (poll(&p, 1, 100) != 1)
			continue;
		n = read(f->p.master, buf, sizeof(buf));
		/* packet mode: a status byte that is not TIOCPKT_DATA reports flow changes */
		if (n >= 1 && buf[0] != TIOCPKT_DATA && (buf[0] & want))
			return;
	}
	fail_msg("no TIOCPKT status 0x%x after key 0x%02x", want, (unsigned char)key);
}

static void test_stopped_by_ctrl_s(void **state)
{
	struct fixture *f = *state;
	struct warn_result r;
	struct termios tio;
	int one = 1;
	char buf[64];

	assert_int_equal(tcgetattr(f->p.slave, &tio), 0);
	tio.c_iflag |= IXON;
	assert_int_equal(tcsetattr(f->p.slave, TCSANOW, &tio), 0);
	assert_int_equal(ioctl(f->p.master, TIOCPKT, &one), 0);

	flow_key(f, 0x13, TIOCPKT_STOP); /* ^S */
	assert_int_equal(timed_warn(f, "are you there?", 14, &r), -EAGAIN);
	assert_int_equal(r.outcome, WARN_WOULD_BLOCK);
	assert_int_equal(timed_warn(f, "are you there?", 14, &r), -EAGAIN);

	flow_key(f, 0x11, TIOCPKT_START); /* ^Q */
	assert_int_equal(timed_warn(f, "ok", 2, &r), 0);
	assert_int_equal(r.outcome, WARN_DELIVERED);
	/* in packet mode data comes after a TIOCPKT_DATA byte */
	assert_int_equal(drain(f->p.master, buf, sizeof(buf), 2000), 3);
	assert_int_equal(buf[0], TIOCPKT_DATA);
	assert_memory_equal(buf + 1, "ok", 2);
}

static void test_blocked_behind_writer(void **state)
{
	/* The session's own program is stuck writing to the stopped terminal and holds its
	 * write lock: a blocking writer would queue behind it forever. */
	struct fixture *f = *state;
	struct warn_result r;
	struct proc_stat st;
	uint64_t end;
	pid_t w;
	int status;
	char buf[256];

	assert_int_equal(tcflow(f->p.slave, TCOOFF), 0);
	w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		int fd = open(f->p.path, O_WRONLY | O_NOCTTY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fd >= 0 && write(fd, "blocked", 7) == 7 ? 0 : 1);
	}
	/* wait until the writer sleeps (in n_tty_write) */
	end = now_ms() + 5000;
	while (now_ms() < end) {
		if (procfs_read_stat(NULL, w, &st) == 0 && st.state == 'S')
			break;
		usleep(10000);
	}
	usleep(100000);
	assert_int_equal(waitpid(w, &status, WNOHANG), 0);

	assert_int_equal(timed_warn(f, "warning", 7, &r), -EAGAIN);
	assert_int_equal(r.outcome, WARN_WOULD_BLOCK);

	assert_int_equal(tcflow(f->p.slave, TCOON), 0);
	assert_int_equal(waitpid(w, &status, 0), w);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(drain(f->p.master, buf, sizeof(buf), 2000) >= 7);
}

static void test_full(void **state)
{
	/* Nobody reads the master: the first big write is partial, the next finds no room. */
	struct fixture *f = *state;
	const size_t len = 1 << 20;
	struct warn_result r;
	char *big = malloc(len), d[64];
	int rc;

	assert_non_null(big);
	memset(big, 'w', len);
	rc = timed_warn(f, big, len, &r);
	assert_int_equal(rc, -EAGAIN);
	assert_int_equal(r.outcome, WARN_PARTIAL);
	assert_true(r.written > 0 && r.written < len);
	warnwrite_describe(&r, d, sizeof(d));
	assert_non_null(strstr(d, "partial ("));
	/* the kernel moves data on to the master's line discipline meanwhile, so a few more
	 * partial writes may fit; it fills up soon, and no write ever waits */
	for (int i = 0; i < 256 && r.outcome == WARN_PARTIAL; i++) {
		rc = timed_warn(f, big, len, &r);
		assert_int_equal(rc, -EAGAIN);
	}
	free(big);
	assert_int_equal(r.outcome, WARN_WOULD_BLOCK);
}

static void test_wrong_terminal_and_blocking_fd(void **state)
{
	struct fixture *f = *state;
	struct warn_result r;
	struct tty_key k = f->p.key;
	int fd;

	/* the same pts number in another devpts instance is not ours */
	k.devpts ^= 1;
	assert_int_equal(timed_warn(f, "x", 1, &r), 0);
	assert_int_equal(warnwrite_session(NULL, f->leader, &k, NULL, "x", 1, &r), -ENOENT);
	assert_int_equal(r.outcome, WARN_NO_TERMINAL);
	/* an fd of another file */
	fd = open("/dev/null", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(warnwrite_fd(fd, &f->p.key, "x", 1, &r), -ENOTTY);
	assert_int_equal(r.outcome, WARN_NO_TERMINAL);
	close(fd);
	/* a blocking fd is refused, even on the right terminal */
	assert_int_equal(warnwrite_fd(f->p.slave, &f->p.key, "x", 1, &r), -EINVAL);
	assert_int_equal(r.outcome, WARN_ERROR);
	/* no session and no node to open: nothing reaches the terminal */
	assert_int_equal(warnwrite_session(NULL, 1, &f->p.key, NULL, "x", 1, &r), -ENOENT);
	assert_int_equal(r.outcome, WARN_NO_TERMINAL);
	/* its node reaches it whatever the session holds (fds through /dev/tty, none) */
	assert_int_equal(warnwrite_session(NULL, 1, &f->p.key, f->p.name, "y", 1, &r), 0);
	assert_int_equal(r.outcome, WARN_DELIVERED);
	/* a node of another terminal, or a path out of /dev, is refused */
	assert_int_equal(warnwrite_session(NULL, 1, &k, f->p.name, "x", 1, &r), -ENOENT);
	assert_int_equal(warnwrite_session(NULL, 1, &f->p.key, "../dev/null", "x", 1, &r), -ENOENT);
}

static void test_hung_up(void **state)
{
	struct fixture *f = *state;
	struct warn_result r;
	char d[64];
	int fd;

	fd = session_open_tty(NULL, f->leader, &f->p.key, NULL, O_WRONLY);
	assert_true(fd >= 0);
	/* the user's side goes away: the slave is hung up */
	close(f->p.master);
	f->p.master = -1;
	assert_int_equal(warnwrite_fd(fd, &f->p.key, "x", 1, &r), -EIO);
	assert_int_equal(r.outcome, WARN_HUNG_UP);
	warnwrite_describe(&r, d, sizeof(d));
	assert_string_equal(d, "not delivered (terminal hung up)");
	close(fd);
	/* reopening a PTY whose master is closed fails too */
	assert_true(warnwrite_session(NULL, f->leader, &f->p.key, NULL, "x", 1, &r) < 0);
	assert_true(r.outcome == WARN_HUNG_UP || r.outcome == WARN_NO_TERMINAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_delivered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stopped_by_tcflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stopped_by_ctrl_s, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blocked_behind_writer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_terminal_and_blocking_fd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hung_up, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
