// SPDX-License-Identifier: GPL-2.0
/* Race-free termination of a session; see terminate.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/session.h"
#include "host/terminate.h"

#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void term_plan_init(struct term_plan *p, uint64_t now_ns, uint64_t d_term_ns, uint64_t d_kill_ns,
		    uint64_t d_report_ns)
{
	p->next = TERM_ACT_HANGUP;
	p->due_ns = now_ns;
	p->d_term_ns = d_term_ns;
	p->d_kill_ns = d_kill_ns;
	p->d_report_ns = d_report_ns;
}

uint64_t term_plan_next(const struct term_plan *p)
{
	return p->next == TERM_ACT_NONE ? UINT64_MAX : p->due_ns;
}

bool term_plan_finished(const struct term_plan *p)
{
	return p->next == TERM_ACT_NONE;
}

static void plan_finish(struct term_plan *p)
{
	p->next = TERM_ACT_NONE;
	p->due_ns = UINT64_MAX;
}

enum term_action term_plan_step(struct term_plan *p, uint64_t now_ns, bool gone)
{
	enum term_action a = p->next;

	if (a == TERM_ACT_NONE || now_ns < p->due_ns)
		return TERM_ACT_NONE;
	if (gone) {
		plan_finish(p);
		return TERM_ACT_DONE;
	}
	switch (a) {
	case TERM_ACT_HANGUP:
		p->next = TERM_ACT_TERM;
		p->due_ns = add_sat(now_ns, p->d_term_ns);
		break;
	case TERM_ACT_TERM:
		p->next = TERM_ACT_KILL;
		p->due_ns = add_sat(now_ns, p->d_kill_ns);
		break;
	case TERM_ACT_KILL:
		p->next = TERM_ACT_REPORT;
		p->due_ns = add_sat(now_ns, p->d_report_ns);
		break;
	default:
		plan_finish(p);
		break;
	}
	return a;
}

const char *term_action_name(enum term_action a)
{
	switch (a) {
	case TERM_ACT_NONE:
		return "none";
	case TERM_ACT_HANGUP:
		return "hangup";
	case TERM_ACT_TERM:
		return "sigterm";
	case TERM_ACT_KILL:
		return "sigkill";
	case TERM_ACT_REPORT:
		return "report";
	case TERM_ACT_DONE:
		return "done";
	}
	return "?";
}

enum term_refusal term_guard(const struct proc_stat *st, pid_t sid, unsigned long long starttime,
			     pid_t self)
{
	if (st->pid == 1)
		return TERM_REFUSE_INIT;
	if (procfs_is_kthread(st))
		return TERM_REFUSE_KTHREAD;
	if (st->pid == self)
		return TERM_REFUSE_SELF;
	if (st->starttime != starttime)
		return TERM_REFUSE_REUSED;
	if (sid <= 1 || st->session != sid)
		return TERM_REFUSE_SESSION;
	if (st->state == 'Z' || st->state == 'X')
		return TERM_REFUSE_ZOMBIE;
	return TERM_OK;
}

const char *term_refusal_name(enum term_refusal r)
{
	switch (r) {
	case TERM_OK:
		return "ok";
	case TERM_REFUSE_INIT:
		return "pid 1";
	case TERM_REFUSE_KTHREAD:
		return "kernel thread";
	case TERM_REFUSE_SELF:
		return "the daemon itself";
	case TERM_REFUSE_ZOMBIE:
		return "zombie";
	case TERM_REFUSE_SESSION:
		return "not in the session";
	case TERM_REFUSE_REUSED:
		return "pid reused";
	}
	return "?";
}

int term_pidfd_open(pid_t pid, unsigned int flags)
{
	long r = syscall(__NR_pidfd_open, pid, flags);

	return r < 0 ? -errno : (int)r;
}

int term_pidfd_send_signal(int pidfd, int sig)
{
	return syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

static int refuse(enum term_refusal r, enum term_refusal *why)
{
	if (why)
		*why = r;
	return -EPERM;
}

int term_pidfd_open_verified(const char *proc_root, pid_t pid, pid_t sid,
			     unsigned long long starttime, enum term_refusal *why)
{
	struct proc_stat st;
	enum term_refusal g;
	int fd, r;

	if (why)
		*why = TERM_OK;
	if (!proc_root)
		proc_root = PROCFS_ROOT;
	if (pid <= 1)
		return refuse(TERM_REFUSE_INIT, why);
	/* Cheap refusals first, before holding anything. */
	r = procfs_read_stat(proc_root, pid, &st);
	if (r < 0)
		return r;
	g = term_guard(&st, sid, starttime, getpid());
	if (g != TERM_OK)
		return refuse(g, why);

	fd = term_pidfd_open(pid, 0);
	if (fd == -ENOSYS) /* < 5.3: a /proc/PID directory fd also pins the process */
		fd = procfs_open_pid(proc_root, pid);
	if (fd < 0)
		return fd;
	/*
	 * The pidfd names whatever process had this PID when it was opened. If
	 * /proc still shows the same start time and session now, that process is
	 * the one we verified; if it exits later the pidfd just goes stale.
	 */
	r = procfs_read_stat(proc_root, pid, &st);
	if (r < 0)
		goto fail;
	g = term_guard(&st, sid, starttime, getpid());
	if (g != TERM_OK) {
		r = refuse(g, why);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

int term_signal_pid(const char *proc_root, pid_t pid, pid_t sid, unsigned long long starttime,
		    int sig, enum term_refusal *why)
{
	int fd, r;

	fd = term_pidfd_open_verified(proc_root, pid, sid, starttime, why);
	if (fd < 0)
		return fd;
	r = term_pidfd_send_signal(fd, sig);
	if (r == -ENOSYS) /* < 5.1: the start time was just re-checked, the window is tiny */
		r = kill(pid, sig) < 0 ? -errno : 0;
	close(fd);
	return r;
}

/* -ESTALE if PID sid now leads a different session than (sid, leader_start). */
static int check_session_identity(const char *proc_root, pid_t sid, unsigned long long leader_start)
{
	struct proc_stat st;

	if (sid <= 1)
		return -EINVAL;
	if (procfs_read_stat(proc_root, sid, &st) == 0 && st.session == sid &&
	    st.starttime != leader_start)
		return -ESTALE;
	return 0;
}

/* Members of the session: same sid, started no earlier than its leader, alive. */
static int live_members(const char *proc_root, pid_t sid, unsigned long long leader_start,
			bool fresh, struct proc_stat **out, size_t *n)
{
	struct proc_stat *v;
	size_t i, k = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = check_session_identity(proc_root, sid, leader_start);
	if (r < 0)
		return r;
	r = procfs_list_session(proc_root, sid, fresh, &v, n);
	if (r < 0)
		return r;
	for (i = 0; i < *n; i++)
		if (v[i].starttime >= leader_start && v[i].state != 'Z' && v[i].state != 'X' &&
		    !procfs_is_kthread(&v[i]))
			v[k++] = v[i];
	*n = k;
	if (!k) {
		free(v);
		v = NULL;
	}
	*out = v;
	return 0;
}

int term_signal_session(const char *proc_root, pid_t sid, unsigned long long leader_start, int sig,
			struct term_counts *c)
{
	struct proc_stat *v;
	size_t n, i;
	int r;

	if (!proc_root)
		proc_root = PROCFS_ROOT;
	/* SIGKILL is the last step: nothing after it would catch a process the
	 * batch's listing missed */
	r = live_members(proc_root, sid, leader_start, sig == SIGKILL, &v, &n);
	if (r == -ESTALE)
		return 0; /* the session we meant is over */
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		enum term_refusal why;

		/* Each member is verified against the start time this scan saw. */
		r = term_signal_pid(proc_root, v[i].pid, sid, v[i].starttime, sig, &why);
		if (r == 0)
			c->signalled++;
		else if (r == -ESRCH || (r == -EPERM && why == TERM_REFUSE_ZOMBIE))
			c->vanished++;
		else if (r == -EPERM && why != TERM_OK)
			c->refused++;
		else
			c->failed++;
	}
	free(v);
	return 0;
}

int session_gone(const char *proc_root, pid_t sid, unsigned long long leader_start)
{
	struct proc_stat *v;
	size_t n;
	int r;

	if (!proc_root)
		proc_root = PROCFS_ROOT;
	r = live_members(proc_root, sid, leader_start, false, &v, &n);
	if (r == -ESTALE)
		return 1;
	if (r < 0)
		return r;
	free(v);
	return n == 0;
}

int term_survivors(const char *proc_root, pid_t sid, unsigned long long leader_start,
		   struct proc_stat **out, size_t *n)
{
	int r;

	if (!proc_root)
		proc_root = PROCFS_ROOT;
	r = live_members(proc_root, sid, leader_start, true, out, n);
	return r == -ESTALE ? 0 : r;
}

int term_run(const struct term_target *t, enum term_action a, struct term_result *r)
{
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->action = a;
	switch (a) {
	case TERM_ACT_HANGUP:
		r->hangup_rc = t->tty_fd < 0			   ? -EBADF
			       : ioctl(t->tty_fd, TIOCVHANGUP) < 0 ? -errno
								   : 0;
		if (t->sid <= 1)
			break;
		rc = term_signal_session(t->proc_root, t->sid, t->leader_start, SIGHUP, &r->counts);
		if (rc == 0) {
			/* stopped jobs must run to act on the signal */
			struct term_counts ignored = {0};

			rc = term_signal_session(t->proc_root, t->sid, t->leader_start, SIGCONT,
						 &ignored);
		}
		break;
	case TERM_ACT_TERM:
		rc =
		    term_signal_session(t->proc_root, t->sid, t->leader_start, SIGTERM, &r->counts);
		if (rc == 0) {
			struct term_counts ignored = {0};

			rc = term_signal_session(t->proc_root, t->sid, t->leader_start, SIGCONT,
						 &ignored);
		}
		break;
	case TERM_ACT_KILL:
		rc =
		    term_signal_session(t->proc_root, t->sid, t->leader_start, SIGKILL, &r->counts);
		break;
	case TERM_ACT_REPORT:
		rc = term_survivors(t->proc_root, t->sid, t->leader_start, &r->survivors,
				    &r->nsurvivors);
		break;
	case TERM_ACT_NONE:
	case TERM_ACT_DONE:
		break;
	}
	return rc;
}

void term_result_free(struct term_result *r)
{
	free(r->survivors);
	r->survivors = NULL;
	r->nsurvivors = 0;
}
