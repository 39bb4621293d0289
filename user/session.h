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

#include "procfs.h"
#include "ttyidle.h"

#define SESSION_NAME_MAX    64
#define SESSION_CMDLINE_MAX 256
#define SESSION_TTY_MAX	    (TTYIDLE_NAME_LEN + 2)
#define SESSION_REMOTE_MAX  64
#define SESSION_WALK_MAX    64 /* ancestors examined for the login service */

/*
 * Login service, from the nearest ancestor (the leader itself first) whose
 * comm is in this table; walking stops at PID 1:
 *   sshd         sshd, sshd-session (OpenSSH >= 9.8), dropbear
 *   login        login, *getty (agetty, getty, mingetty, mgetty)
 *   multiplexer  tmux*, screen, SCREEN, zellij, dtach, abduco
 *   container    containerd-shim*, containerd, runc*, crun, conmon, docker*, podman,
 *                lxc-*, lxd, incusd, systemd-nspawn, kubelet
 *   other        nothing above before PID 1 (GUI terminal, script(1), ...)
 * comm is truncated by the kernel to 15 bytes, hence the prefixes.
 */
enum login_service {
	SVC_OTHER = 0,
	SVC_SSHD,
	SVC_LOGIN,
	SVC_MULTIPLEXER,
	SVC_CONTAINER,
};

enum remote_source {
	REMOTE_NONE = 0,
	REMOTE_UTMP,	/* utmp USER_PROCESS record written by the leader or an ancestor */
	REMOTE_ENVIRON, /* SSH_CONNECTION/SSH_CLIENT in the leader's memory: self-reported */
};

struct session_opts {
	const char *proc_root; /* NULL: "/proc" */
	const char *utmp_path; /* NULL: _PATH_UTMP; "": do not read utmp */
	dev_t host_devpts;     /* st_dev of the host's /dev/pts (session_host_devpts); 0: unknown */
};

struct session_group {
	gid_t gid;
	char name[SESSION_NAME_MAX]; /* group name, or the number if it has none */
};

struct session_info {
	pid_t sid;
	struct tty_key key;
	char tty[SESSION_TTY_MAX]; /* as the session sees it: "pts/3", "tty1", "ttyS0" */

	/* leader */
	unsigned long long leader_start; /* /proc stat starttime, clock ticks: identity guard */
	uint64_t leader_start_ns;	 /* the same in CLOCK_BOOTTIME nanoseconds */
	char leader_comm[PROCFS_COMM_MAX];
	char leader_cmdline[SESSION_CMDLINE_MAX];
	pid_t leader_nspid; /* PID in the leader's own (innermost) PID namespace */

	/* credentials of the leader (real ids) */
	uid_t uid;
	char user[SESSION_NAME_MAX]; /* name, or the number if the host has none */
	gid_t gid;
	char group[SESSION_NAME_MAX];
	size_t ngroups; /* supplementary groups */
	bool groups_truncated;
	struct session_group groups[PROCFS_MAX_GROUPS];

	/* where it runs */
	struct container_id container; /* runtime[0] == 0: host */
	char container_str[sizeof(((struct container_id *)0)->runtime) +
			   sizeof(((struct container_id *)0)->name)]; /* "docker:0123456789ab" */
	bool host_pidns; /* leader is in the initial PID namespace */
	bool host_mntns; /* leader shares PID 1's mount namespace (ours if PID 1's is unreadable) */

	/* how it was started */
	enum login_service service;
	pid_t service_pid; /* 0 if SVC_OTHER */
	char service_comm[PROCFS_COMM_MAX];
	char remote[SESSION_REMOTE_MAX];
	enum remote_source remote_src;

	/* a process and fd through which the terminal was seen (0/-1 for a console without) */
	pid_t tty_pid;
	int tty_fd;
};

/* Kernel-internal dev_t (major << 20 | minor, as in struct tty_key) to and from userspace. */
dev_t session_dev_to_user(uint32_t kdev);
int session_dev_from_user(dev_t dev, uint32_t *kdev); /* -ERANGE if it does not fit */
/* Does this stat of an open file describe the key's terminal? */
bool session_key_matches(const struct tty_key *key, const struct stat *st);
/* Kernel tty name ("pts3") to the name under /dev ("pts/3"); others unchanged. */
void session_tty_name(const char *kname, char *out, size_t outlen);

enum login_service session_classify_comm(const char *comm);
const char *session_service_name(enum login_service svc);
const char *session_remote_source_name(enum remote_source src);
/* st_dev of this namespace's /dev/pts, to recognise host PTYs (utmp is host-only). */
int session_host_devpts(dev_t *out);

/*
 * Resolve and verify session sid holding terminal key (kname: the record's
 * kernel name, e.g. "pts3"). Verified means: sid > 1, PROC_ROOT/sid exists,
 * its stat session is sid (it is the leader), its controlling terminal
 * (stat tty_nr) is key->dev, and for a PTY a process of the session has an
 * fd whose fstat matches both dev and devpts. Returns 0, or -ESRCH (no such
 * leader), -ENOTTY (not this terminal), -EINVAL, -EPERM (kernel thread),
 * -errno; err gets a one-line reason.
 */
int session_resolve(const struct session_opts *o, pid_t sid, const struct tty_key *key,
		    const char *kname, struct session_info *s, char *err, size_t errlen);

/* Find a process of the session (leader first) with an fd on the terminal. 0, -ENOENT, -errno. */
int session_find_tty_fd(const char *proc_root, pid_t sid, const struct tty_key *key, pid_t *pid,
			int *fd);

/*
 * Open the session's terminal through PROC_ROOT/PID/fd/N of a session member,
 * with accmode (O_WRONLY or O_RDWR) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, and
 * check with fstat that the opened file is the key's terminal. fd or -errno
 * (-ENOENT: no member holds it).
 */
int session_open_tty(const char *proc_root, pid_t sid, const struct tty_key *key, int accmode);

/* First field of an SSH_CONNECTION / SSH_CLIENT value, if it looks like an address. */
int session_parse_ssh_env(const char *value, char *out, size_t outlen);

#endif /* TTYIDLE_SESSION_H */
