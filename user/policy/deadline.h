/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enforcement decision for one terminal, as a pure function of its
 * activity clocks, the rule that applies and the current time. All times are
 * CLOCK_BOOTTIME nanoseconds, like struct tty_rec.
 */
#ifndef TTYIDLE_DEADLINE_H
#define TTYIDLE_DEADLINE_H

#include <stdint.h>
#include <linux/types.h>

#include "ttyidle.h"

#define DEADLINE_NEVER UINT64_MAX

struct rule;

enum tty_state {
	TTY_ACTIVE = 0, /* before the warning time */
	TTY_WARN_DUE,	/* warning time reached, deadline not yet */
	TTY_EXPIRED,	/* deadline reached: act (or, for action warn, log) */
	TTY_EXEMPT,	/* no rule applies (out of scope) or action exempt */
};

struct verdict {
	enum tty_state state;
	int last_clock;	      /* enum tty_clock that gave last_ns, -1: first_ns (none yet) */
	uint64_t last_ns;     /* last activity under the rule's clocks, never after now */
	uint64_t warn_ns;     /* when to warn; == deadline_ns when warn-before is 0 */
	uint64_t deadline_ns; /* when to act; saturates at DEADLINE_NEVER */
	uint64_t next_ns;     /* next time to look at this terminal; DEADLINE_NEVER: only on
			       * activity (EXPIRED, EXEMPT) */
};

/*
 * Decide for one terminal. rule NULL means out of scope (EXEMPT). A record
 * without activity under the rule's clocks counts from first_ns; times after
 * now are clamped to now, so a skewed record can only delay an action, never
 * hasten it. A record with first_ns 0 counts as seen now.
 */
void deadline_decide(const struct tty_rec *rec, const struct rule *rule, uint64_t now,
		     struct verdict *v);

/*
 * Nobody is ended without the full warning lead: the daemon may first see a
 * terminal already past its deadline (start-up, restart, a reload that
 * shortened the timeout, a session resolved late). warned_ns is when the
 * warning for the current idle spell was given, 0 if none was. An expired
 * verdict with no warning (or one given before the last activity, for an
 * earlier idle spell) becomes "warn now, act one lead later"; a warning
 * given late moves the deadline to one lead after it. A rule without a
 * warning lead is left as it is.
 */
void deadline_give_notice(struct verdict *v, uint64_t warned_ns, uint64_t now);

/* Latest activity in rec among the clocks in mask; *clock gets its tty_clock or -1. */
uint64_t deadline_last_activity(const struct tty_rec *rec, uint32_t mask, int *clock);

/* Static name of a state: "active", "warn-due", "expired", "exempt". */
const char *tty_state_name(enum tty_state s);

#endif /* TTYIDLE_DEADLINE_H */
