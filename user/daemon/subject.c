// SPDX-License-Identifier: GPL-2.0
#include "daemon/subject.h"

enum origin origin_of_service(enum login_service svc)
{
	switch (svc) {
	case SVC_SSHD:
	case SVC_LOGIN:
	case SVC_CONTAINER: /* `docker exec -it`, `kubectl exec`: a login into a container */
		return ORIGIN_LOGIN;
	case SVC_MULTIPLEXER:
		return ORIGIN_MULTIPLEXER;
	default:
		return ORIGIN_OTHER;
	}
}

void subject_from_session(struct subject_buf *b, const struct session_info *si)
{
	size_t i, n = 0;

	b->gids[n] = si->gid;
	b->names[n++] = si->group;
	for (i = 0; i < si->ngroups && n < PROCFS_MAX_GROUPS + 1; i++) {
		b->gids[n] = si->groups[i].gid;
		b->names[n++] = si->groups[i].name;
	}
	b->s = (struct subject){
	    .user = si->user,
	    .uid = si->uid,
	    .gids = b->gids,
	    .ngids = n,
	    .groups = b->names,
	    .ngroups = n,
	    .tty = si->tty,
	    .service = session_service_name(si->service),
	    .host = si->remote[0] ? si->remote : NULL,
	    .origin = origin_of_service(si->service),
	};
}
