/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_CLOCK_H
#define TTYIDLE_CLOCK_H

#include <stdint.h>

/*
 * CLOCK_BOOTTIME in nanoseconds: the clock of every timestamp the kernel
 * side writes (bpf_ktime_get_boot_ns), so the only one user space may
 * compare them with. It keeps counting through suspend, as idleness does.
 */
uint64_t boottime_ns(void);

#endif
