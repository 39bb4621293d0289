// SPDX-License-Identifier: GPL-2.0
/* Non-blocking warning writes to a session's terminal; see warnwrite.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/session.h"
#include "host/warnwrite.h"

static int set_result(struct warn_result *r, enum warn_outcome o, size_t written, size_t len,
		      int err)
{
	r->outcome = o;
	r->written = written;
	r->len = len;
	r->err = err;
	return err;
}

int warnwrite_fd(int fd, const struct tty_key *key, const void *text, size_t len,
		 struct warn_result *r)
{
	struct stat st;
	ssize_t n;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return set_result(r, WARN_ERROR, 0, len, -errno);
	/* A blocking fd could hang the daemon on a stopped terminal: refuse it. */
	if (!(fl & O_NONBLOCK))
		return set_result(r, WARN_ERROR, 0, len, -EINVAL);
	if (fstat(fd, &st) < 0)
		return set_result(r, WARN_ERROR, 0, len, -errno);
	if (!session_key_matches(key, &st))
		return set_result(r, WARN_NO_TERMINAL, 0, len, -ENOTTY);
	if (len == 0)
		return set_result(r, WARN_DELIVERED, 0, 0, 0);

	n = write(fd, text, len);
	if (n < 0) {
		int e = errno;

		if (e == EAGAIN || e == EWOULDBLOCK)
			return set_result(r, WARN_WOULD_BLOCK, 0, len, -EAGAIN);
		if (e == EIO)
			return set_result(r, WARN_HUNG_UP, 0, len, -EIO);
		return set_result(r, WARN_ERROR, 0, len, -e);
	}
	if ((size_t)n < len)
		return set_result(r, WARN_PARTIAL, (size_t)n, len, -EAGAIN);
	return set_result(r, WARN_DELIVERED, (size_t)n, len, 0);
}

int warnwrite_session(const struct session_opts *o, pid_t sid, const struct tty_key *key,
		      const char *devname, const void *text, size_t len, struct warn_result *r)
{
	int fd, rc;

	fd = session_open_tty(o, sid, key, devname, O_WRONLY);
	if (fd < 0) {
		if (fd == -ENOENT)
			return set_result(r, WARN_NO_TERMINAL, 0, len, fd);
		if (fd == -EIO)
			return set_result(r, WARN_HUNG_UP, 0, len, fd);
		return set_result(r, WARN_ERROR, 0, len, fd);
	}
	rc = warnwrite_fd(fd, key, text, len, r);
	close(fd);
	return rc;
}

const char *warnwrite_outcome_name(enum warn_outcome o)
{
	switch (o) {
	case WARN_DELIVERED:
		return "delivered";
	case WARN_PARTIAL:
		return "partial";
	case WARN_WOULD_BLOCK:
		return "would-block";
	case WARN_HUNG_UP:
		return "hung-up";
	case WARN_NO_TERMINAL:
		return "no-terminal";
	case WARN_ERROR:
		break;
	}
	return "error";
}

void warnwrite_describe(const struct warn_result *r, char *buf, size_t buflen)
{
	switch (r->outcome) {
	case WARN_DELIVERED:
		snprintf(buf, buflen, "delivered");
		break;
	case WARN_PARTIAL:
		snprintf(buf, buflen, "partial (%zu of %zu bytes)", r->written, r->len);
		break;
	case WARN_WOULD_BLOCK:
		snprintf(buf, buflen, "not delivered (would block)");
		break;
	case WARN_HUNG_UP:
		snprintf(buf, buflen, "not delivered (terminal hung up)");
		break;
	case WARN_NO_TERMINAL:
		snprintf(buf, buflen, "not delivered (no process holds the terminal)");
		break;
	case WARN_ERROR:
		snprintf(buf, buflen, "not delivered (%s)", session_open_strerror(r->err));
		break;
	}
}
