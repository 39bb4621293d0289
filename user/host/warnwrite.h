/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a warning on a session's terminal without ever blocking the daemon.
 *
 * The terminal is opened with session_open_tty() (its node when that is
 * the same devpts instance, else /proc/PID/fd/N of a session member) with
 * O_WRONLY|O_NOCTTY|O_NONBLOCK|O_CLOEXEC, checked with fstat against the
 * key, and written once. With O_NONBLOCK the kernel returns -EAGAIN instead
 * of sleeping both when another writer holds the terminal's write lock
 * (tty_write_lock: e.g. the session's own program blocked on a stopped
 * terminal) and when there is no room (n_tty_write; a PTY stopped with Ctrl-S
 * accepts nothing). There is no retry: the result says "would block" and the
 * daemon moves on.
 */
#ifndef TTYIDLE_WARNWRITE_H
#define TTYIDLE_WARNWRITE_H

#include <linux/types.h>
#include <stddef.h>
#include <sys/types.h>

#include "host/session.h"
#include "ttyidle.h"

enum warn_outcome {
	WARN_DELIVERED = 0,
	WARN_PARTIAL,	  /* part written; the rest would have blocked */
	WARN_WOULD_BLOCK, /* nothing written: output stopped (Ctrl-S), full, or locked */
	WARN_HUNG_UP,	  /* EIO: the terminal was hung up or its other side closed */
	WARN_NO_TERMINAL, /* no process of the session holds the terminal */
	WARN_ERROR,	  /* anything else; see err */
};

struct warn_result {
	enum warn_outcome outcome;
	size_t written;
	size_t len;
	int err; /* -errno behind the outcome, 0 if delivered */
};

/* Write once to fd, which must be non-blocking and be key's terminal (checked). 0 if all was
 * written, else -errno (-EAGAIN for partial or would block); r is always filled. */
int warnwrite_fd(int fd, const struct tty_key *key, const void *text, size_t len,
		 struct warn_result *r);

/* Open the terminal with session_open_tty() (its node, else a member of session sid) and write
 * once. Same returns. */
int warnwrite_session(const struct session_opts *o, pid_t sid, const struct tty_key *key,
		      const char *devname, const void *text, size_t len, struct warn_result *r);

const char *warnwrite_outcome_name(enum warn_outcome o);
/* "delivered", "partial (12 of 80 bytes)", "not delivered (would block)", ... */
void warnwrite_describe(const struct warn_result *r, char *buf, size_t buflen);

#endif /* TTYIDLE_WARNWRITE_H */
