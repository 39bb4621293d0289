// SPDX-License-Identifier: GPL-2.0
#include "policy/config.h"
#include "policy/deadline.h"

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t deadline_last_activity(const struct tty_rec *rec, uint32_t mask, int *clock)
{
	const __u64 t[TTY_CLK_MAX] = {
	    [TTY_CLK_IN] = rec->in_ns,
	    [TTY_CLK_IN_READ] = rec->in_read_ns,
	    [TTY_CLK_OUT] = rec->out_ns,
	    [TTY_CLK_OUT_READ] = rec->out_read_ns,
	};
	uint64_t last = rec->first_ns;
	int c;

	*clock = -1;
	for (c = 0; c < TTY_CLK_MAX; c++) {
		/* >= : on a tie, name the clock rather than "first seen" */
		if ((mask & TTY_CLK_BIT(c)) && t[c] && t[c] >= last) {
			last = t[c];
			*clock = c;
		}
	}
	return last;
}

void deadline_decide(const struct tty_rec *rec, const struct rule *rule, uint64_t now,
		     struct verdict *v)
{
	uint64_t last;

	v->last_clock = -1;
	v->last_ns = 0;
	v->warn_ns = DEADLINE_NEVER;
	v->deadline_ns = DEADLINE_NEVER;
	v->next_ns = DEADLINE_NEVER;
	if (!rule || rule->s.action == ACTION_EXEMPT) {
		v->state = TTY_EXEMPT;
		return;
	}

	last = deadline_last_activity(rec, rule->s.clocks, &v->last_clock);
	/* Unknown start or a stamp from the future: count from now, never earlier. */
	if (last == 0 || last > now)
		last = now;
	v->last_ns = last;
	v->deadline_ns = add_sat(last, rule->s.idle_ns);
	v->warn_ns = v->deadline_ns;
	if (v->deadline_ns == DEADLINE_NEVER) {
		/* Past the end of the clock: no warning either. */
		v->state = TTY_ACTIVE;
		return;
	}
	if (rule->s.warn_ns && rule->s.warn_ns < rule->s.idle_ns)
		v->warn_ns = v->deadline_ns - rule->s.warn_ns;

	if (now >= v->deadline_ns) {
		v->state = TTY_EXPIRED;
		v->next_ns = DEADLINE_NEVER;
	} else if (now >= v->warn_ns && v->warn_ns < v->deadline_ns) {
		v->state = TTY_WARN_DUE;
		v->next_ns = v->deadline_ns;
	} else {
		v->state = TTY_ACTIVE;
		v->next_ns = v->warn_ns;
	}
}

void deadline_give_notice(struct verdict *v, uint64_t warned_ns, uint64_t now)
{
	uint64_t lead, due;

	if (v->state != TTY_WARN_DUE && v->state != TTY_EXPIRED)
		return;
	lead = v->deadline_ns - v->warn_ns;
	if (!lead)
		return;
	/* a warning before the last activity was for an earlier idle spell */
	if (warned_ns < v->last_ns)
		warned_ns = 0;
	if (!warned_ns || warned_ns > now) {
		if (v->state != TTY_EXPIRED)
			return;
		due = add_sat(now, lead);
	} else {
		due = add_sat(warned_ns, lead);
		if (due <= v->deadline_ns)
			return;
	}
	v->deadline_ns = due;
	v->warn_ns = due - lead;
	v->state = now >= due ? TTY_EXPIRED : TTY_WARN_DUE;
	v->next_ns = now >= due ? DEADLINE_NEVER : due;
}

const char *tty_state_name(enum tty_state s)
{
	switch (s) {
	case TTY_ACTIVE:
		return "active";
	case TTY_WARN_DUE:
		return "warn-due";
	case TTY_EXPIRED:
		return "expired";
	case TTY_EXEMPT:
		return "exempt";
	}
	return "?";
}
