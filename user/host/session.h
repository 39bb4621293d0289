/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a kernel terminal record (session id as a host PID, struct tty_key) to
 * a verified session: its leader, user, groups, container, login service and
 * remote host. Also finds and opens the session's terminal through
 * /proc/PID/fd/N, never through a /dev path of the daemon's own namespace
 * (containers have their own devpts instances with the same pts numbers).
 */
#ifndef TTYIDLE_SESSION_H
#define TTYIDLE_SESSION_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "host/logind.h"
#include "host/procfs.h"

struct nss_cache;
#include "ttyidle.h"

#define SESSION_NAME_MAX      64
#define SESSION_TTY_MAX	      (TTYIDLE_NAME_LEN + 2)
#define SESSION_REMOTE_MAX    64
#define SESSION_UTMP_READ_MAX (4u << 20) /* bytes of utmp read at the most */

/*
 * What serves a terminal, from facts its user cannot set (see "Threat model"
 * in ttyidle(8)). Never from a process name or environment:
 *   sshd, login, container  a login terminal: the process serving its PTY
 *                master is a root login service (by the executable root ran,
 *                /proc/PID/exe), or its child (OpenSSH's unprivileged
 *                per-connection process), or a live root-written utmp
 *                USER_PROCESS record names the terminal;
 *   multiplexer  a PTY whose master the session's own user serves: tmux,
 *                screen, script(1), a terminal emulator...;
 *   other        anything else (a console without a login record, a PTY
 *                served by another user's or a root non-login program).
 */
enum login_service {
	SVC_OTHER = 0,
	SVC_SSHD,
	SVC_LOGIN,
	SVC_MULTIPLEXER,
	SVC_CONTAINER,
};

/* Why a terminal counts as a login terminal. */
enum login_evidence {
	LOGIN_NONE = 0,
	LOGIN_MASTER, /* a root login service (or its child) serves the PTY master */
	LOGIN_UTMP,   /* a live USER_PROCESS record for the line (host terminals only) */
	LOGIN_LOGIND, /* the leader's logind session is a user's login on this terminal */
};

enum remote_source {
	REMOTE_NONE = 0,
	REMOTE_UTMP,   /* ut_host of the terminal's login record: root-written */
	REMOTE_LOGIND, /* REMOTE_HOST of the leader's logind session: root-written */
};

struct session_opts {
	const char *proc_root;	/* NULL: "/proc" */
	const char *utmp_path;	/* NULL: _PATH_UTMP; "": do not read utmp */
	const char *logind_dir; /* NULL: /run/systemd/sessions; "": do not ask logind */
	dev_t host_devpts;     /* st_dev of the host's /dev/pts (session_host_devpts); 0: unknown */
	const char *dev_root;  /* where terminal nodes are (NULL: "/dev") */
	struct nss_cache *nss; /* names off the loop (nsscache.h); NULL: asked for synchronously */
	/* the host's batch snapshot to find session members in (procfs.h); NULL: walk */
	struct proc_snapshot *snap;
	/* fds looked through per session for its terminal (session_open_tty); 0: 8192 */
	unsigned int fd_budget;
};

struct session_group {
	gid_t gid;
	char name[SESSION_NAME_MAX]; /* group name, or the number if it has none */
};

struct session_info {
	struct tty_key key;
	char tty[SESSION_TTY_MAX]; /* as the session sees it: "pts/3", "tty1", "ttyS0" */

	/* what serves the terminal */
	enum login_service service;
	enum login_evidence login_src;
	pid_t service_pid; /* the process that proved it (holder or its root parent) */
	char service_comm[PROCFS_COMM_MAX]; /* basename of that process's executable */
	pid_t holder_pid; /* last process doing I/O on the PTY master; 0: unknown */
	char remote[SESSION_REMOTE_MAX];
	enum remote_source remote_src;

	/*
	 * The session that owns it, as the kernel recorded it (tty->session):
	 * has_session false for a login terminal nobody owns any more (the
	 * identity below then comes from the terminal node's owner).
	 */
	bool has_session;
	bool detached; /* the owner dropped the terminal (TTY_F_DETACHED) */
	pid_t sid;
	unsigned long long leader_start;   /* /proc stat starttime, clock ticks: identity guard */
	uint64_t leader_start_ns;	   /* the same in CLOCK_BOOTTIME nanoseconds */
	char leader_comm[PROCFS_COMM_MAX]; /* user-supplied: shown, never decides anything */
	pid_t leader_nspid;		   /* PID in the leader's own (innermost) PID namespace */

	/* credentials of the leader (real ids), from the kernel */
	uid_t uid;
	char user[SESSION_NAME_MAX]; /* name, or the number if the host has none */
	gid_t gid;
	char group[SESSION_NAME_MAX];
	size_t ngroups; /* supplementary groups */
	bool groups_truncated;
	struct session_group groups[PROCFS_MAX_GROUPS];

	/*
	 * For joining records with logind's and the audit log's, never for a
	 * decision: the leader's logind session ID (its cgroup's
	 * session-ID.scope; "" if none) and its audit session id and loginuid
	 * (-1: unset or unknown; a process may set an unset loginuid itself).
	 */
	char logind_id[LOGIND_ID_MAX];
	long long audit_session;
	long long loginuid;

	/* where it runs */
	struct container_id container; /* runtime[0] == 0: host */
	char container_str[sizeof(((struct container_id *)0)->runtime) +
			   sizeof(((struct container_id *)0)->name)]; /* "docker:0123456789ab" */
	bool host_pidns; /* leader is in the initial PID namespace */
	bool host_mntns; /* leader shares PID 1's mount namespace (ours if PID 1's is unreadable) */
};

/* Kernel-internal dev_t (major << 20 | minor, as in struct tty_key) to and from userspace. */
dev_t session_dev_to_user(uint32_t kdev);
int session_dev_from_user(dev_t dev, uint32_t *kdev); /* -ERANGE if it does not fit */
/* Does this stat of an open file describe the key's terminal? */
bool session_key_matches(const struct tty_key *key, const struct stat *st);
/* Kernel tty name ("pts3") to the name under /dev ("pts/3"); others unchanged. */
void session_tty_name(const char *kname, char *out, size_t outlen);

/* A login service by the basename of the executable root runs; SVC_OTHER if none. */
enum login_service session_classify_exe(const char *base);
const char *session_service_name(enum login_service svc);
const char *session_remote_source_name(enum remote_source src);
const char *session_login_evidence_name(enum login_evidence e);
/* st_dev of this namespace's /dev/pts, to recognise host PTYs (utmp is host-only). */
int session_host_devpts(dev_t *out);
/*
 * The ids records are joined by, of the session leader whose PROC_ROOT/PID is
 * open as pdir (procfs_open_pid): logind's session ID ("" if none), audit
 * session id and loginuid (-1: unset or unknown). For joining only: nothing
 * decides by them. The caller checks, through pdir, that it is the leader it
 * means before and after (a pid can be reused).
 */
void session_join_ids_at(int pdir, char *logind, size_t len, long long *audit_session,
			 long long *loginuid);

/*
 * Resolve the terminal key whose kernel record is rec: what serves it and
 * which session owns it. The owner is rec->sid as the kernel recorded it,
 * verified: PROC_ROOT/sid is a session leader (not a kernel thread) that
 * started before it was last seen owning the terminal (a reused pid did
 * not); one that dropped the terminal since is still its last owner
 * (s->detached). Nothing a session's processes can set (names,
 * environment, open fds) is consulted.
 * Returns 0 (s filled; s->has_session false only for a login terminal whose
 * owner is gone or unverifiable), -EAGAIN (a PTY nobody has served yet: its
 * next use will tell), -EINPROGRESS (o->nss is still looking up a user or
 * group name: ask again when nss_cache_fd() is readable), -ESRCH (no owner
 * and not a login terminal: nothing to enforce), -EINVAL, -errno; err gets
 * a one-line reason.
 */
int session_resolve(const struct session_opts *o, const struct tty_key *key,
		    const struct tty_rec *rec, struct session_info *s, char *err, size_t errlen);

/*
 * Does the session rec names still exist (verified as session_resolve()
 * does)? Then rec is about the terminal that has its key now. For records
 * kept while nothing observed the terminals (kprobe mode before 5.15): one
 * without a live owner may be about a terminal since released and its number
 * reused, and is dropped (nothing else the kernel keeps tells them apart).
 */
bool session_owner_alive(const char *proc_root, const struct tty_key *key,
			 const struct tty_rec *rec);

/*
 * Open the terminal, O_NOCTTY | O_NONBLOCK | O_CLOEXEC with accmode
 * (O_WRONLY or O_RDWR), and check with fstat that the file is the key's
 * terminal. Through its node under DEV_ROOT (devname "pts/3") when that is
 * the same devpts instance (a root-controlled path: the host's terminals,
 * whatever fds the session holds), else through the node in the leader's
 * own root, PROC_ROOT/sid/root/dev/DEVNAME (a container's terminals, only
 * the very terminal, never through a symlink at its end), else through
 * PROC_ROOT/PID/fd/N of a member of session sid. fd or -errno (-ENOENT:
 * not reachable; -E2BIG: its members hold more fds than are looked through).
 */
/* What session_open_tty's -errno means, for records: strerror's, but for -E2BIG. */
const char *session_open_strerror(int err);
int session_open_tty(const struct session_opts *o, pid_t sid, const struct tty_key *key,
		     const char *devname, int accmode);

#endif /* TTYIDLE_SESSION_H */
