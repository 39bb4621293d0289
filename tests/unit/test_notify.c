// SPDX-License-Identifier: GPL-2.0
/*
 * notify.c against real AF_UNIX datagram sockets standing in for systemd's
 * notification socket: what arrives, byte for byte, and with whose pid.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/notify.h"

struct listener {
	char dir[32];
	char path[48];
	int fd;
};

static void listen_path(struct listener *l)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int one = 1;

	snprintf(l->dir, sizeof(l->dir), "/tmp/ttyidle-notify-XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->path, sizeof(l->path), "%s/notify", l->dir);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l->fd >= 0);
	/* as systemd does: the kernel then attaches the sender's credentials */
	assert_int_equal(setsockopt(l->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", l->path);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void unlisten(struct listener *l)
{
	close(l->fd);
	unlink(l->path);
	rmdir(l->dir);
}

/* One datagram, NUL-terminated in buf; *pid is the sender's pid from SCM_CREDENTIALS. */
static ssize_t receive(int fd, char *buf, size_t len, pid_t *pid)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr mh = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = cbuf,
	    .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	*pid = 0;
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			*pid = ((struct ucred *)CMSG_DATA(c))->pid;
	return n;
}

static void expect(int fd, const char *want)
{
	char buf[1024];
	pid_t pid;

	assert_int_equal(receive(fd, buf, sizeof(buf), &pid), (ssize_t)strlen(want));
	assert_string_equal(buf, want);
	/* NotifyAccess=main attributes the message by this pid */
	assert_int_equal(pid, getpid());
}

static void test_no_socket_is_a_noop(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_ready("ready"), 0);
	assert_int_equal(notify_reloading(), 0);
	assert_int_equal(notify_stopping(), 0);
	assert_int_equal(notify_status("x %d", 1), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(notify_ready(NULL), 0);
	assert_int_equal(notify_send_to(NULL, "READY=1"), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void test_path_socket(void **state)
{
	struct listener l;
	struct timespec a, b;
	unsigned long long usec, lo, hi;
	char buf[256];
	pid_t pid;

	(void)state;
	listen_path(&l);
	setenv("NOTIFY_SOCKET", l.path, 1);

	assert_int_equal(notify_ready(NULL), 1);
	expect(l.fd, "READY=1");
	assert_int_equal(notify_ready("attached in fentry mode; 3 rules; tracking 2 terminals"), 1);
	expect(l.fd, "READY=1\nSTATUS=attached in fentry mode; 3 rules; tracking 2 terminals");
	assert_int_equal(notify_stopping(), 1);
	expect(l.fd, "STOPPING=1");
	assert_int_equal(notify_status("tracking %d terminals, %d warned", 7, 1), 1);
	expect(l.fd, "STATUS=tracking 7 terminals, 1 warned");

	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(notify_reloading(), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(receive(l.fd, buf, sizeof(buf), &pid) > 0);
	assert_int_equal(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu", &usec), 1);
	lo = (unsigned long long)a.tv_sec * 1000000 + a.tv_nsec / 1000;
	hi = (unsigned long long)b.tv_sec * 1000000 + b.tv_nsec / 1000;
	assert_true(usec >= lo && usec <= hi);
	assert_int_equal(pid, getpid());

	/* nothing else was sent */
	assert_int_equal(receive(l.fd, buf, sizeof(buf), &pid), -EAGAIN);
	unsetenv("NOTIFY_SOCKET");
	unlisten(&l);
}

static void test_abstract_socket(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[64], env[70];
	socklen_t len;
	int fd, one = 1;

	(void)state;
	snprintf(name, sizeof(name), "ttyidle-test-notify-%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	memcpy(sa.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);

	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(notify_ready("up"), 1);
	expect(fd, "READY=1\nSTATUS=up");
	/* a name that only shares a prefix is another socket */
	env[strlen(env) - 1] = 'X';
	assert_int_equal(notify_send_to(env, "READY=1"), -ECONNREFUSED);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}

static void test_bad_addresses(void **state)
{
	char longpath[200], dir[] = "/tmp/ttyidle-notify-XXXXXX", file[128];
	FILE *f;

	(void)state;
	assert_int_equal(notify_send_to("run/systemd/notify", "READY=1"), -EINVAL);
	assert_int_equal(notify_send_to("vsock:2:1234", "READY=1"), -EAFNOSUPPORT);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(notify_send_to(longpath, "READY=1"), -ENAMETOOLONG);

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/none", dir);
	assert_int_equal(notify_send_to(file, "READY=1"), -ENOENT);
	/* a file that is not a socket */
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(notify_send_to(file, "READY=1"), -ECONNREFUSED);
	unlink(file);
	rmdir(dir);
}

static void test_status_text(void **state)
{
	char text[600], buf[sizeof("STATUS=") + NOTIFY_STATUS_MAX], want[sizeof(buf)], got[1024];
	struct listener l;
	pid_t pid;
	size_t i;
	int n;

	(void)state;
	/* control characters cannot start an assignment of their own */
	n = notify_format_status(buf, sizeof(buf),
				 "a\nREADY=1\tb\x7f"
				 "c");
	assert_string_equal(buf, "STATUS=a READY=1 b c");
	assert_int_equal(n, (int)strlen(buf));

	/* long text is cut at NOTIFY_STATUS_MAX bytes, never inside a UTF-8 sequence */
	for (i = 0; i + 2 < sizeof(text); i += 2)
		memcpy(text + i, "\xc3\xa9", 2); /* é */
	text[i] = '\0';
	memmove(text + 1, text, strlen(text) + 1); /* shift: the cut now lands mid-sequence */
	text[0] = 'x';
	n = notify_format_status(buf, sizeof(buf), text);
	assert_int_equal(n, (int)strlen("STATUS=") + NOTIFY_STATUS_MAX - 1);
	assert_int_equal(((unsigned char)buf[n - 1] & 0xc0), 0x80); /* ends on a whole é */
	assert_int_equal(memcmp(buf + 7, text, (size_t)n - 7), 0);
	memcpy(want, buf, sizeof(want));

	assert_int_equal(notify_format_status(buf, 8, "ab"), -ENOSPC);
	assert_int_equal(notify_format_status(buf, 10, "ab"), 9);
	assert_string_equal(buf, "STATUS=ab");

	/* the same holds for what notify_status() sends */
	listen_path(&l);
	setenv("NOTIFY_SOCKET", l.path, 1);
	assert_int_equal(notify_status("%s", text), 1);
	assert_int_equal(receive(l.fd, got, sizeof(got), &pid), n);
	assert_string_equal(got, want);
	unsetenv("NOTIFY_SOCKET");
	unlisten(&l);
}

static void test_watchdog_usec(void **state)
{
	unsigned long long us = 7;

	(void)state;
	/* no watchdog asked for */
	assert_int_equal(notify_watchdog_usec(NULL, NULL, 42, &us), 0);
	assert_true(us == 0);
	assert_int_equal(notify_watchdog_usec("", "42", 42, &us), 0);
	assert_true(us == 0);
	/* for us, by pid or without one */
	assert_int_equal(notify_watchdog_usec("180000000", NULL, 42, &us), 0);
	assert_true(us == 180000000ULL);
	assert_int_equal(notify_watchdog_usec("180000000", "42", 42, &us), 0);
	assert_true(us == 180000000ULL);
	assert_int_equal(notify_watchdog_usec("180000000", "", 42, &us), 0);
	assert_true(us == 180000000ULL);
	/* for another process of the unit */
	assert_int_equal(notify_watchdog_usec("180000000", "43", 42, &us), 0);
	assert_true(us == 0);
	/* malformed */
	assert_int_equal(notify_watchdog_usec("0", NULL, 42, &us), -EINVAL);
	assert_int_equal(notify_watchdog_usec("-5", NULL, 42, &us), -EINVAL);
	assert_int_equal(notify_watchdog_usec(" 5", NULL, 42, &us), -EINVAL);
	assert_int_equal(notify_watchdog_usec("5s", NULL, 42, &us), -EINVAL);
	assert_int_equal(notify_watchdog_usec("99999999999999999999999", NULL, 42, &us), -EINVAL);
	assert_int_equal(notify_watchdog_usec("5", "x", 42, &us), -EINVAL);
	assert_true(us == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_socket_is_a_noop), cmocka_unit_test(test_path_socket),
	    cmocka_unit_test(test_abstract_socket),	cmocka_unit_test(test_bad_addresses),
	    cmocka_unit_test(test_status_text),		cmocka_unit_test(test_watchdog_usec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
