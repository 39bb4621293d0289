/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_SUBJECT_H
#define TTYIDLE_SUBJECT_H

#include "host/procfs.h"
#include "policy/rules.h"
#include "host/session.h"

/* A struct subject with the storage its pointers need. */
struct subject_buf {
	struct subject s;
	gid_t gids[PROCFS_MAX_GROUPS + 1];
	const char *names[PROCFS_MAX_GROUPS + 1];
};

/* Which scope a login service falls in. */
enum origin origin_of_service(enum login_service svc);

/* The rule matcher's view of a resolved session (pointers into si). */
void subject_from_session(struct subject_buf *b, const struct session_info *si);

#endif
