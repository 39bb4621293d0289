/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_TERMVIEW_H
#define TTYIDLE_TERMVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "ttyidle.h"

/* Pure helpers that turn a kernel record into what people read. */

/* Name as the session sees it: "pts/3" for PTYs, the kernel name otherwise. */
void term_name(const struct tty_key *key, const struct tty_rec *rec, char *out, size_t outlen);

/* Kernel-internal dev_t (major << 20 | minor) split. */
static inline unsigned int kdev_major(uint32_t d)
{
	return d >> 20;
}
static inline unsigned int kdev_minor(uint32_t d)
{
	return d & 0xfffff;
}

/* Seconds between ts and now, 0 when ts is in the future. */
double secs_since(uint64_t now_ns, uint64_t ts_ns);

/*
 * The activity clocks' names, by enum tty_clock: what `activity =` accepts
 * and the effective policy prints, and what status and the audit records
 * (CLOCK=) show. The one table of them.
 */
extern const char *const tty_clock_names[TTY_CLK_MAX];
/* tty_clock_names[c], "none" out of range */
const char *clock_name(enum tty_clock c);

#endif
