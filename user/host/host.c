// SPDX-License-Identifier: GPL-2.0
/* The engine's host over /proc, sessions, signals and terminal writes; see host.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

static struct proc_view view(struct host *h)
{
	return (struct proc_view){h->proc_root, h->batch ? &h->snap : NULL};
}

static void batch_begin(void *ctx)
{
	struct host *h = ctx;

	procfs_snapshot_free(&h->snap);
	h->batch = true;
	h->sopts.snap = &h->snap;
}

static void batch_end(void *ctx)
{
	struct host *h = ctx;

	procfs_snapshot_free(&h->snap);
	h->batch = false;
	h->sopts.snap = NULL;
}

static int resolve(void *ctx, const struct tty_key *key, const struct tty_rec *rec,
		   struct session_info *s, char *err, size_t errlen)
{
	struct host *h = ctx;

	return session_resolve(&h->sopts, key, rec, s, err, errlen);
}

static int warn(void *ctx, pid_t sid, const struct tty_key *key, const char *devname,
		const void *text, size_t len, struct warn_result *r)
{
	struct host *h = ctx;

	return warnwrite_session(&h->sopts, sid, key, devname, text, len, r);
}

static int open_tty(void *ctx, pid_t sid, const struct tty_key *key, const char *devname)
{
	struct host *h = ctx;

	return session_open_tty(&h->sopts, sid, key, devname, O_RDWR);
}

static int hangup(void *ctx, int tty)
{
	return term_hangup_fd(tty);
}

static void close_tty(void *ctx, int tty)
{
	if (tty >= 0)
		close(tty);
}

static int signal_session(void *ctx, pid_t sid, unsigned long long leader_start, int sig,
			  struct term_counts *c)
{
	struct proc_view v = view(ctx);

	if (sig == SIGKILL)
		return term_kill_session(&v, sid, leader_start, c);
	return term_signal_session(&v, sid, leader_start, sig, c);
}

static int gone(void *ctx, pid_t sid, unsigned long long leader_start)
{
	struct proc_view v = view(ctx);

	return session_gone(&v, sid, leader_start);
}

static int survivors(void *ctx, pid_t sid, unsigned long long leader_start, struct proc_stat **out,
		     size_t *n)
{
	struct proc_view v = view(ctx);

	return term_survivors(&v, sid, leader_start, out, n);
}

static int join_ids(void *ctx, pid_t sid, unsigned long long leader_start, char *logind, size_t len,
		    long long *audit_session, long long *loginuid)
{
	struct host *h = ctx;
	struct proc_stat st;
	int pdir, r = -ESRCH;

	logind[0] = 0;
	*audit_session = *loginuid = -1;
	pdir = procfs_open_pid(h->proc_root, sid);
	if (pdir < 0)
		return -ESRCH;
	/* the same leader, before and after, not a process that reused its pid */
	if (procfs_read_stat_at(pdir, &st) < 0 || st.starttime != leader_start || st.session != sid)
		goto cleanup;
	session_join_ids_at(pdir, logind, len, audit_session, loginuid);
	if (procfs_read_stat_at(pdir, &st) < 0 || st.starttime != leader_start) {
		logind[0] = 0;
		*audit_session = *loginuid = -1;
		goto cleanup;
	}
	r = 0;
cleanup:
	close(pdir);
	return r;
}

int host_init(struct host *h, const char *proc_root)
{
	memset(h, 0, sizeof(*h));
	h->ops = (struct host_ops){
	    .ctx = h,
	    .batch_begin = batch_begin,
	    .batch_end = batch_end,
	    .resolve = resolve,
	    .warn = warn,
	    .open_tty = open_tty,
	    .hangup = hangup,
	    .close_tty = close_tty,
	    .signal_session = signal_session,
	    .session_gone = gone,
	    .survivors = survivors,
	    .join_ids = join_ids,
	};
	h->proc_root = proc_root ? proc_root : PROCFS_ROOT;
	h->sopts.proc_root = h->proc_root;
	/* unknown (0): utmp is read for consoles only, never for a PTY of unknown devpts */
	session_host_devpts(&h->sopts.host_devpts);
	return 0;
}

void host_free(struct host *h)
{
	procfs_snapshot_free(&h->snap);
	h->batch = false;
	h->sopts.snap = NULL;
}
