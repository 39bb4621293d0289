// SPDX-License-Identifier: GPL-2.0
#include <time.h>
#include "lib/clock.h"

uint64_t boottime_ns(void)
{
	struct timespec ts;

	/* cannot fail: CLOCK_BOOTTIME exists since Linux 2.6.39 */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
