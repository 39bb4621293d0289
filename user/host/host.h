/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the engine and the machine: the engine resolves, warns,
 * hangs up, signals and lists only through struct host_ops, so its tests can
 * give it a fake (tests/unit/test_engine.c) and nothing of /proc, /dev or
 * utmp is threaded through it.
 *
 * struct host is the real one, over procfs.c, session.c, terminate.c and
 * warnwrite.c. It owns what they need: the procfs root, how sessions are
 * resolved (struct session_opts) and, between batch_begin and batch_end,
 * one snapshot of /proc (procfs.h) walked at its first use and shared by
 * every terminal of the batch. That is sound for every step of an ending:
 * the steps of one session are in different batches (their delays are not
 * 0), so a batch's snapshot is always newer than the session's previous
 * step; SIGKILL walks again until it finds nobody new (terminate.h), and
 * its walks refresh the snapshot. Outside a batch every listing walks.
 */
#ifndef TTYIDLE_HOST_H
#define TTYIDLE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "host/procfs.h"
#include "host/session.h"
#include "host/terminate.h"
#include "host/warnwrite.h"
#include "ttyidle.h"

struct host_ops {
	void *ctx;
	/* the terminals due at one time are handled between these two */
	void (*batch_begin)(void *ctx);
	void (*batch_end)(void *ctx);
	/* session_resolve(): 0, -EAGAIN (nobody served the PTY yet), -ESRCH, -errno */
	int (*resolve)(void *ctx, const struct tty_key *key, const struct tty_rec *rec,
		       struct session_info *s, char *err, size_t errlen);
	/* write the warning once, never blocking (warnwrite.h); r is always filled */
	int (*warn)(void *ctx, pid_t sid, const struct tty_key *key, const char *devname,
		    const void *text, size_t len, struct warn_result *r);
	/* the terminal opened O_RDWR for a hangup: a handle >= 0 or -errno */
	int (*open_tty)(void *ctx, pid_t sid, const struct tty_key *key, const char *devname);
	/* TIOCVHANGUP on a handle from open_tty: 0 or -errno */
	int (*hangup)(void *ctx, int tty);
	void (*close_tty)(void *ctx, int tty);
	/*
	 * sig to every member of session (sid, leader_start): SIGHUP and
	 * SIGTERM followed by SIGCONT, from one listing; SIGKILL until a walk
	 * shows no member left unkilled. 0 or -errno.
	 */
	int (*signal_session)(void *ctx, pid_t sid, unsigned long long leader_start, int sig,
			      struct term_counts *c);
	/* 1 no member left, 0 some, -errno */
	int (*session_gone)(void *ctx, pid_t sid, unsigned long long leader_start);
	/* the members still alive; *out malloc'ed */
	int (*survivors)(void *ctx, pid_t sid, unsigned long long leader_start,
			 struct proc_stat **out, size_t *n);
	/*
	 * The ids records are joined by (session.h: logind session ID, audit
	 * session id, loginuid) of leader (sid, leader_start), for an ending
	 * taken over from a previous daemon: 0, or -ESRCH with "" and -1s if
	 * that leader is gone. May be NULL.
	 */
	int (*join_ids)(void *ctx, pid_t sid, unsigned long long leader_start, char *logind,
			size_t len, long long *audit_session, long long *loginuid);
};

struct host {
	struct host_ops ops; /* ctx is this host */
	const char *proc_root;
	struct session_opts sopts; /* proc_root as above; snap set during a batch */
	struct proc_snapshot snap; /* the batch's, taken at its first listing */
	bool batch;
};

/* The host over PROC_ROOT (NULL: "/proc"), the daemon's own /dev and utmp. 0 or -errno. */
int host_init(struct host *h, const char *proc_root);
void host_free(struct host *h);

#endif /* TTYIDLE_HOST_H */
