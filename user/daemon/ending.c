// SPDX-License-Identifier: GPL-2.0
/*
 * Ending a session the engine found expired: the escalation HANGUP -> TERM
 * -> KILL -> REPORT (struct term_plan) carried out through the host
 * (host.h), and the looks for the session's end in between. Ended means no
 * process of the session remains, whether or not its terminal was released.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/engine_int.h"
#include "lib/log.h"
#include "policy/duration.h"

/* After SIGKILL, how long before the survivors are reported. */
#define REPORT_DELAY_NS (2 * NSEC_PER_SEC)

/* After a step, the first look for the session's end; each look doubles the wait, up to the
 * next step, so the record says when it really ended at little cost. */
#define END_CHECK_FIRST_NS (100 * NSEC_PER_MSEC)

static struct ending_key ending_key_of(const struct term *t)
{
	return (struct ending_key){.sid = (__u32)t->who.sid, .leader_start = t->who.leader_start};
}

/*
 * The ending as it stands, into the `ending` map: a daemon restarted now
 * goes on from here (engine_resume_ending). Only sessions have anything left
 * to do after the hangup; a failure costs that only (the map is full).
 */
static void ending_save(struct engine *e, const struct term *t)
{
	struct ending_key k = ending_key_of(t);
	struct ending_rec r;
	int err;

	if (!e->k->save_ending || t->who.sid <= 1)
		return;
	memset(&r, 0, sizeof(r));
	r.key = t->key;
	r.first_ns = t->first_ns;
	r.acted_ns = t->acted_ns;
	r.last_ns = t->last_ns;
	r.next_due_ns = t->plan.due_ns;
	r.d_term_ns = t->plan.d_term_ns;
	r.d_kill_ns = t->plan.d_kill_ns;
	r.d_report_ns = t->plan.d_report_ns;
	r.uid = t->who.uid;
	r.last_clock = t->last_clock;
	r.next_step = t->plan.next;
	r.action = t->action;
	COPY_TEXT(r.user, t->who.user);
	COPY_TEXT(r.tty, t->who.tty);
	COPY_TEXT(r.leader, t->who.leader);
	COPY_TEXT(r.service, t->who.service);
	COPY_TEXT(r.remote, t->who.remote);
	COPY_TEXT(r.remote_src, t->who.remote_src);
	COPY_TEXT(r.container, t->who.container);
	COPY_TEXT(r.rule, t->rule_name);
	err = e->k->save_ending(e->k->ctx, &k, &r);
	if (err && err != e->ending_err) {
		log_warn("session %d: cannot keep its ending in the ending map (%s): a restart "
			 "now would start it over",
			 t->who.sid, strerror(-err));
	}
	e->ending_err = err;
}

static void ending_drop(struct engine *e, const struct term *t)
{
	struct ending_key k = ending_key_of(t);

	if (e->k->drop_ending && t->who.sid > 1)
		e->k->drop_ending(e->k->ctx, &k);
}

void ending_start(struct engine *e, struct term *t, const struct verdict *v, uint64_t now)
{
	const struct settings *s = &t->rule->s;

	engine_set_phase(e, t, PH_ENDING);
	t->acted_ns = now;
	t->last_ns = v->last_ns;
	t->last_clock = v->last_clock;
	t->check_ns = END_CHECK_FIRST_NS;
	term_plan_init(&t->plan, now, s->signal_delay_ns[0], s->signal_delay_ns[1],
		       REPORT_DELAY_NS);
	e->stats.terminations++;
}

/* The ending is over: a released terminal has nothing left to wait for. */
static void finish_ending(struct engine *e, struct term *t)
{
	struct term **pp;

	engine_set_phase(e, t, PH_FINISHED);
	deadheap_remove(&e->heap, &t->hn);
	ending_drop(e, t);
	if (!t->released)
		return;
	for (pp = &e->released; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	e->nreleased--;
	free(t);
}

static void audit_ended(struct engine *e, struct term *t, uint64_t now, const char *how)
{
	char outcome[160];

	if (now < t->acted_ns)
		snprintf(outcome, sizeof(outcome), "%s %.1fs before the deadline, by itself", how,
			 (double)(t->acted_ns - now) / NSEC_PER_SEC);
	else
		snprintf(outcome, sizeof(outcome), "%s %.1fs after the deadline", how,
			 (double)(now - t->acted_ns) / NSEC_PER_SEC);
	engine_audit(t, "ended", (long long)((t->acted_ns - t->last_ns) / NSEC_PER_SEC),
		     t->last_clock, action_name(t->action), outcome, -1);
	engine_count(e, t, METRICS_TERMINATIONS, "ended");
}

/* The terminal, opened for the hangup, if it is still the one judged; -errno if not. */
static int open_for_hangup(struct engine *e, const struct term *t)
{
	const struct host_ops *h = e->h;
	int fd;

	if (!engine_same_terminal(e, t))
		return -ENOENT;
	fd = h->open_tty(h->ctx, t->who.sid, &t->key, t->who.tty);
	/* opened first, checked again: a number released and reused in between
	 * has a new record, and the old terminal cannot go while we hold it */
	if (fd >= 0 && !engine_same_terminal(e, t)) {
		h->close_tty(h->ctx, fd);
		fd = -ENOENT;
	}
	return fd;
}

/* The hangup step hangs up the terminal itself (else: SIGHUP to the session only). */
static bool hangs_up_terminal(const struct term *t)
{
	return !((t->action == ACTION_SIGNAL || t->released) && t->who.sid);
}

static void do_hangup(struct engine *e, struct term *t, char *outcome, size_t len)
{
	const struct host_ops *h = e->h;
	struct term_counts c = {0};
	int fd, rc;

	if (!hangs_up_terminal(t)) {
		/* escalation by signals alone: no kernel hangup of the terminal */
		h->signal_session(h->ctx, t->who.sid, t->who.leader_start, SIGHUP, &c);
		snprintf(outcome, len, "%sSIGHUP sent to %u processes",
			 t->released ? "terminal already released; " : "", c.signalled);
		return;
	}
	if (t->prehung) {
		rc = t->prehung_rc; /* ending_prehang did it, earlier in this batch */
		t->prehung = false;
	} else {
		fd = open_for_hangup(e, t);
		/* the open's own errno: "not reachable" and "released" say more than EBADF */
		rc = fd < 0 ? fd : h->hangup(h->ctx, fd);
		if (fd >= 0)
			h->close_tty(h->ctx, fd);
	}
	if (t->who.sid > 1)
		h->signal_session(h->ctx, t->who.sid, t->who.leader_start, SIGHUP, &c);
	if (!t->who.sid)
		snprintf(outcome, len,
			 rc ? "hangup failed (%s); the terminal has no session"
			    : "terminal hung up; it had no session",
			 session_open_strerror(rc));
	else if (rc)
		snprintf(outcome, len, "hangup failed (%s); SIGHUP sent to %u processes",
			 session_open_strerror(rc), c.signalled);
	else
		snprintf(outcome, len, "terminal hung up; SIGHUP sent to %u processes",
			 c.signalled);
}

static void report(struct engine *e, struct term *t, uint64_t now, long long idle)
{
	const struct host_ops *h = e->h;
	const char *act = action_name(t->action);
	struct proc_stat *v = NULL;
	char outcome[160];
	size_t n = 0, i;

	if (t->who.sid > 1 && h->survivors(h->ctx, t->who.sid, t->who.leader_start, &v, &n) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		snprintf(outcome, sizeof(outcome), "survived SIGKILL (%s, state %c)", v[i].comm,
			 v[i].state);
		engine_audit(t, "survivor", idle, t->last_clock, act, outcome, v[i].pid);
	}
	e->stats.survivors += n;
	if (n)
		engine_count(e, t, METRICS_TERMINATIONS, "survivors");
	else
		audit_ended(e, t, now, "ended after SIGKILL,");
	free(v);
}

void ending_prehang(struct engine *e, struct term *t)
{
	const struct host_ops *h = e->h;
	int fd;

	if (t->plan.next != TERM_ACT_HANGUP || !hangs_up_terminal(t))
		return;
	/* gone by itself: ending_step records that, and hangs nothing up */
	if (t->who.sid && h->session_gone(h->ctx, t->who.sid, t->who.leader_start) == 1)
		return;
	fd = open_for_hangup(e, t);
	t->prehung_rc = fd < 0 ? fd : h->hangup(h->ctx, fd);
	if (fd >= 0)
		h->close_tty(h->ctx, fd);
	t->prehung = true;
}

void ending_step(struct engine *e, struct term *t, uint64_t now)
{
	const struct host_ops *h = e->h;
	long long idle = (long long)((t->acted_ns - t->last_ns) / NSEC_PER_SEC);
	const char *act = action_name(t->action);
	struct term_counts c = {0};
	enum term_action a;
	char outcome[160];
	uint64_t next;

	/* (hung up ahead of this step, it may be gone already: the step is recorded all the same)
	 */
	if (!t->prehung && t->who.sid &&
	    h->session_gone(h->ctx, t->who.sid, t->who.leader_start) == 1) {
		/* gone while no daemon looked: when exactly is not known */
		audit_ended(e, t, now,
			    t->resumed ? "ended while the daemon was down; seen" : "ended");
		finish_ending(e, t);
		return;
	}
	t->resumed = false;
	a = term_plan_step(&t->plan, now, false);
	switch (a) {
	case TERM_ACT_NONE:
	case TERM_ACT_DONE:
		break;
	case TERM_ACT_HANGUP:
		do_hangup(e, t, outcome, sizeof(outcome));
		engine_audit(t, "terminate", idle, t->last_clock, act, outcome, -1);
		if (!t->who.sid) {
			/* nobody to signal: the terminal itself was the session */
			finish_ending(e, t);
			return;
		}
		break;
	case TERM_ACT_TERM:
	case TERM_ACT_KILL:
		if (t->who.sid > 1)
			h->signal_session(h->ctx, t->who.sid, t->who.leader_start,
					  a == TERM_ACT_TERM ? SIGTERM : SIGKILL, &c);
		snprintf(outcome, sizeof(outcome), "%s sent to %u processes",
			 a == TERM_ACT_TERM ? "SIGTERM" : "SIGKILL", c.signalled);
		engine_audit(t, "escalate", idle, t->last_clock, act, outcome, -1);
		break;
	case TERM_ACT_REPORT:
		report(e, t, now, idle);
		finish_ending(e, t);
		return;
	}
	if (a != TERM_ACT_NONE) {
		t->check_ns = END_CHECK_FIRST_NS;
		ending_save(e, t);
	}
	next = term_plan_next(&t->plan);
	if (now + t->check_ns < next)
		next = now + t->check_ns;
	t->check_ns *= 2;
	engine_schedule(e, t, next);
}

bool ending_follow_release(struct engine *e, struct term *t, uint64_t now)
{
	const struct host_ops *h = e->h;

	if (t->phase == PH_WARNED && t->rule && t->action != ACTION_WARN && t->who.sid &&
	    h->session_gone(h->ctx, t->who.sid, t->who.leader_start) == 0) {
		/*
		 * Warned, and its terminal went (the leader died, sshd closed the
		 * PTY) while processes of the session live on: the warning stands
		 * for them, and they are ended at its deadline.
		 */
		const struct settings *st = &t->rule->s;

		engine_set_phase(e, t, PH_ENDING);
		t->acted_ns = t->due_ns;
		term_plan_init(&t->plan, t->due_ns, st->signal_delay_ns[0], st->signal_delay_ns[1],
			       REPORT_DELAY_NS);
	} else if (t->phase == PH_WARNED || t->phase == PH_LOGGED) {
		engine_audit(t, "cancel", 0, -1, action_name(t->action),
			     "terminal released: the session ended before its deadline", -1);
		engine_count(e, t, METRICS_CANCELLATIONS, "released");
	}
	if (t->phase != PH_ENDING)
		return false;
	/* released is not ended: follow the session until none of it is
	 * left, looking at once (the release is often its end) */
	t->released = true;
	t->next = e->released;
	e->released = t;
	e->nreleased++;
	t->check_ns = END_CHECK_FIRST_NS;
	ending_save(e, t);
	engine_schedule(e, t, now < term_plan_next(&t->plan) ? now : term_plan_next(&t->plan));
	return true;
}

void ending_resumed(struct engine *e, struct term *t, uint64_t now)
{
	t->check_ns = END_CHECK_FIRST_NS;
	engine_schedule(e, t, now < term_plan_next(&t->plan) ? now : term_plan_next(&t->plan));
}
