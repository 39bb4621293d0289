/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What engine.c (watching, warning) and ending.c (ending an expired
 * session) share; not for use outside the engine.
 */
#ifndef TTYIDLE_ENGINE_INT_H
#define TTYIDLE_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/engine.h"
#include "policy/deadline.h"

/*
 * A text field copied between struct term and the `ending` map's record,
 * whose sizes differ: cut to fit, always NUL-terminated, and never reading
 * past a source that a map entry left unterminated.
 */
#define COPY_TEXT(dst, src) snprintf((dst), sizeof(dst), "%.*s", (int)sizeof(src), (src))

void engine_schedule(struct engine *e, struct term *t, uint64_t at);
void engine_set_phase(struct engine *e, struct term *t, enum term_phase ph);
void engine_count(struct engine *e, const struct term *t, enum metrics_family f, const char *label);
void engine_audit(const struct term *t, const char *event, long long idle_sec, int clock,
		  const char *action, const char *outcome, long long pid);
/* Is the terminal still the one that was judged (its record's first_ns)? */
bool engine_same_terminal(struct engine *e, const struct term *t);

/* ending.c: the verdict says expired and the action ends sessions. */
void ending_start(struct engine *e, struct term *t, const struct verdict *v, uint64_t now);
/* Its first step is a hangup of the terminal: do that part now (engine_run_due). */
void ending_prehang(struct engine *e, struct term *t);
/* One look at a session being ended: the next step if due, else whether it is over. */
void ending_step(struct engine *e, struct term *t, uint64_t now);
/*
 * The terminal was released (t is out of the table): a session being ended,
 * or warned with members left, is followed on the list of released terminals
 * (true); false: t is the caller's to free.
 */
bool ending_follow_release(struct engine *e, struct term *t, uint64_t now);
/* engine_resume_ending() has set t up: its first look, now or at its next step. */
void ending_resumed(struct engine *e, struct term *t, uint64_t now);

#endif
