/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ending a session without races and without sleeping.
 *
 * Pure part: struct term_plan, the escalation HANGUP -> TERM -> KILL -> REPORT.
 * The daemon arms its timerfd at term_plan_next() and, when it fires, calls
 * term_plan_step() with the current time and whether the session is gone;
 * the host object (host.h) carries out the returned action with the
 * functions below.
 *
 * I/O part: every signal goes through a pidfd, opened after the guards pass
 * and followed by a re-read of /proc/PID/stat: if the start time or session
 * changed, the PID was reused and nothing is sent. Never signalled: PID 1,
 * kernel threads (PF_KTHREAD, pid 2, children of pid 2), the daemon itself,
 * zombies, processes of another session, and processes that started before
 * the session leader (they cannot be members of its session).
 * A session is identified by (sid, leader start time): if PID sid is alive as
 * the leader of a session with another start time, the old session is over.
 */
#ifndef TTYIDLE_TERMINATE_H
#define TTYIDLE_TERMINATE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "host/procfs.h"
#include "ttyidle.h"

enum term_action {
	TERM_ACT_NONE = 0, /* nothing due (not yet, or the plan is finished) */
	TERM_ACT_HANGUP,   /* TIOCVHANGUP on the terminal, SIGHUP + SIGCONT to every member */
	TERM_ACT_TERM,	   /* SIGTERM + SIGCONT to every member */
	TERM_ACT_KILL,	   /* SIGKILL to every member, until none is left unkilled */
	TERM_ACT_REPORT,   /* collect survivors; plan finished */
	TERM_ACT_DONE,	   /* the session is gone; plan finished */
};

struct term_plan {
	enum term_action next; /* TERM_ACT_NONE once finished */
	uint64_t due_ns;       /* UINT64_MAX once finished */
	uint64_t d_term_ns;    /* HANGUP -> TERM */
	uint64_t d_kill_ns;    /* TERM -> KILL */
	uint64_t d_report_ns;  /* KILL -> REPORT */
};

/* The HANGUP step is due at now_ns. Any clock will do, as long as it is the same throughout. */
void term_plan_init(struct term_plan *p, uint64_t now_ns, uint64_t d_term_ns, uint64_t d_kill_ns,
		    uint64_t d_report_ns);
/* When the next step is due; UINT64_MAX if finished. */
uint64_t term_plan_next(const struct term_plan *p);
bool term_plan_finished(const struct term_plan *p);
/*
 * If a step is due at now_ns: TERM_ACT_DONE if gone (plan finishes), else the
 * step, and the following one is scheduled relative to now_ns. TERM_ACT_NONE
 * if nothing is due.
 */
enum term_action term_plan_step(struct term_plan *p, uint64_t now_ns, bool gone);
const char *term_action_name(enum term_action a);

enum term_refusal {
	TERM_OK = 0,
	TERM_REFUSE_INIT,    /* pid 1 */
	TERM_REFUSE_KTHREAD, /* kernel thread */
	TERM_REFUSE_SELF,    /* the daemon */
	TERM_REFUSE_ZOMBIE,  /* already dead */
	TERM_REFUSE_SESSION, /* not (or no longer) in session sid */
	TERM_REFUSE_REUSED,  /* start time differs: the PID now names another process */
};

/* Pure guard: may st (a fresh stat of the process) receive a signal meant for session sid,
 * for the process that had start time starttime? */
enum term_refusal term_guard(const struct proc_stat *st, pid_t sid, unsigned long long starttime,
			     pid_t self);
const char *term_refusal_name(enum term_refusal r);

/* pidfd_open(2) (434) and pidfd_send_signal(2) (424); -errno on failure. */
int term_pidfd_open(pid_t pid, unsigned int flags);
int term_pidfd_send_signal(int pidfd, int sig);

/*
 * A pidfd for pid, verified after opening: it is still the process with this
 * start time in session sid and the guards pass. Returns the fd, or -EPERM
 * (refused; *why says why), -ESRCH (gone), -errno. The fd polls readable when
 * the process exits (Linux >= 5.3); on older kernels it is a PROC_ROOT/PID
 * directory fd, which pidfd_send_signal (>= 5.1) accepts but which does not poll.
 */
int term_pidfd_open_verified(const char *proc_root, pid_t pid, pid_t sid,
			     unsigned long long starttime, enum term_refusal *why);
/* Send sig that way. 0, or as term_pidfd_open_verified. */
int term_signal_pid(const char *proc_root, pid_t pid, pid_t sid, unsigned long long starttime,
		    int sig, enum term_refusal *why);

struct term_counts {
	unsigned int signalled; /* processes the signal was sent to */
	unsigned int refused;	/* guards said no */
	unsigned int vanished;	/* exited before we got to them */
	unsigned int failed;	/* other errors */
};

/*
 * The session functions list members through a view (procfs.h): the
 * caller's snapshot, or a walk. Members are processes of session sid that
 * started no earlier than its leader (leader_start), alive; if PID sid now
 * leads a session with another start time, the session meant is over.
 */

/*
 * Send sig, then SIGCONT (a stopped job acts on SIGHUP or SIGTERM only once
 * continued), to every member of one listing, each through one verified
 * pidfd. 0 or -errno (the listing failed).
 */
int term_signal_session(const struct proc_view *v, pid_t sid, unsigned long long leader_start,
			int sig, struct term_counts *c);

/* Listings of the session term_kill_session makes at the most. */
#define TERM_KILL_ROUNDS 8

/*
 * SIGKILL to every member, then walk again (refreshing the view's snapshot,
 * so later listings of the batch see it) and kill the members not yet
 * killed, until a walk shows none (at most TERM_KILL_ROUNDS listings): a
 * process forked after the listing, or while its parent was being killed,
 * does not escape. Each process is tried once. 0 or -errno.
 */
int term_kill_session(const struct proc_view *v, pid_t sid, unsigned long long leader_start,
		      struct term_counts *c);

/*
 * 1 if no member remains in the view, 0 if some do, -errno. From a snapshot
 * this is still sound: a session with no member at the walk cannot gain one.
 */
int session_gone(const struct proc_view *v, pid_t sid, unsigned long long leader_start);

/* Members still alive (after SIGKILL: the survivors); *out malloc'ed. */
int term_survivors(const struct proc_view *v, pid_t sid, unsigned long long leader_start,
		   struct proc_stat **out, size_t *n);

/*
 * TIOCVHANGUP on a terminal opened O_RDWR (session_open_tty) and verified by
 * the caller to be the one judged. Needs CAP_SYS_ADMIN. 0, -EBADF (no fd),
 * -errno.
 */
int term_hangup_fd(int tty_fd);

#endif /* TTYIDLE_TERMINATE_H */
