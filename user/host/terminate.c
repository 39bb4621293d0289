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

/* pidfd_send_signal, or kill(2) where it is missing. */
static int send_signal(int fd, pid_t pid, int sig)
{
	int r = term_pidfd_send_signal(fd, sig);

	if (r == -ENOSYS) /* < 5.1: the start time was just re-checked, the window is tiny */
		r = kill(pid, sig) < 0 ? -errno : 0;
	return r;
}

/* sig, then SIGCONT if cont, both through the one pidfd opened and verified for pid. */
static int signal_verified(const char *proc_root, pid_t pid, pid_t sid,
			   unsigned long long starttime, int sig, bool cont, enum term_refusal *why)
{
	int fd, r;

	fd = term_pidfd_open_verified(proc_root, pid, sid, starttime, why);
	if (fd < 0)
		return fd;
	r = send_signal(fd, pid, sig);
	/* the same process, whatever its PID names by now: it stays verified */
	if (r == 0 && cont)
		send_signal(fd, pid, SIGCONT);
	close(fd);
	return r;
}

int term_signal_pid(const char *proc_root, pid_t pid, pid_t sid, unsigned long long starttime,
		    int sig, enum term_refusal *why)
{
	return signal_verified(proc_root, pid, sid, starttime, sig, false, why);
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

static const char *view_root(const struct proc_view *v)
{
	return v->root ? v->root : PROCFS_ROOT;
}

/* Members of the session as the view sees them: same sid, started no earlier than its
 * leader, alive. */
static int live_members(const struct proc_view *pv, pid_t sid, unsigned long long leader_start,
			struct proc_stat **out, size_t *n)
{
	struct proc_stat *v;
	size_t i, k = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = check_session_identity(view_root(pv), sid, leader_start);
	if (r < 0)
		return r;
	r = procfs_view_list_session(pv, sid, &v, n);
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

static void tally(struct term_counts *c, int r, enum term_refusal why)
{
	if (r == 0)
		c->signalled++;
	else if (r == -ESRCH || (r == -EPERM && why == TERM_REFUSE_ZOMBIE))
		c->vanished++;
	else if (r == -EPERM && why != TERM_OK)
		c->refused++;
	else
		c->failed++;
}

int term_signal_session(const struct proc_view *pv, pid_t sid, unsigned long long leader_start,
			int sig, struct term_counts *c)
{
	struct proc_stat *v;
	size_t n, i;
	int r;

	r = live_members(pv, sid, leader_start, &v, &n);
	if (r == -ESTALE)
		return 0; /* the session we meant is over */
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		enum term_refusal why;

		/* Each member is verified against the start time this listing saw;
		 * a stopped job acts on the signal only once continued. */
		r = signal_verified(view_root(pv), v[i].pid, sid, v[i].starttime, sig, true, &why);
		tally(c, r, why);
	}
	free(v);
	return 0;
}

struct killed {
	pid_t pid;
	unsigned long long start;
};

static int cmp_killed(const void *a, const void *b)
{
	const struct killed *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->start > y->start) - (x->start < y->start);
}

int term_kill_session(const struct proc_view *pv, pid_t sid, unsigned long long leader_start,
		      struct term_counts *c)
{
	struct killed *seen = NULL, *ns, key;
	size_t nseen = 0, nsorted = 0, n, i;
	struct proc_stat *v = NULL;
	unsigned int round;
	int r = 0;

	for (round = 0; round < TERM_KILL_ROUNDS; round++) {
		/* the listing of round 0 may be older than a fork: walk again */
		if (round && (r = procfs_view_refresh(pv)) < 0)
			break;
		r = live_members(pv, sid, leader_start, &v, &n);
		if (r == -ESTALE) {
			r = 0; /* the session we meant is over */
			break;
		}
		if (r < 0)
			break;
		if (n) {
			ns = realloc(seen, (nseen + n) * sizeof(*seen));
			if (!ns) {
				r = -ENOMEM;
				break;
			}
			seen = ns;
		}
		for (i = 0; i < n; i++) {
			enum term_refusal why;

			/* tried once, whatever came of it: a refusal stays one */
			key = (struct killed){v[i].pid, v[i].starttime};
			if (bsearch(&key, seen, nsorted, sizeof(*seen), cmp_killed))
				continue;
			seen[nseen++] = key;
			r = signal_verified(view_root(pv), v[i].pid, sid, v[i].starttime, SIGKILL,
					    false, &why);
			tally(c, r, why);
		}
		r = 0;
		free(v);
		v = NULL;
		if (nseen == nsorted)
			break; /* this walk showed no member not already killed */
		qsort(seen, nseen, sizeof(*seen), cmp_killed);
		nsorted = nseen;
	}
	free(v);
	free(seen);
	return r;
}

int session_gone(const struct proc_view *pv, pid_t sid, unsigned long long leader_start)
{
	struct proc_stat *v;
	size_t n;
	int r;

	r = live_members(pv, sid, leader_start, &v, &n);
	if (r == -ESTALE)
		return 1;
	if (r < 0)
		return r;
	free(v);
	return n == 0;
}

int term_survivors(const struct proc_view *pv, pid_t sid, unsigned long long leader_start,
		   struct proc_stat **out, size_t *n)
{
	int r = live_members(pv, sid, leader_start, out, n);

	return r == -ESTALE ? 0 : r;
}

int term_hangup_fd(int tty_fd)
{
	if (tty_fd < 0)
		return -EBADF;
	return ioctl(tty_fd, TIOCVHANGUP) < 0 ? -errno : 0;
}
