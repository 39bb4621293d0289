/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_STATUS_INFO_H
#define TTYIDLE_STATUS_INFO_H

#include <stdint.h>
#include <linux/types.h>
#include "ttyidle.h"

/* What `status` shows about a terminal's session, best effort from /proc. */
struct status_info {
	char user[64];
	int uid; /* -1 when unknown */
	char cmd[64];
	char container[64];
};

void status_info_get(uint32_t sid, const struct tty_key *key, struct status_info *out);

#endif
