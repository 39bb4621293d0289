/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading processes through procfs. Every I/O function takes the procfs
 * directory ("/proc", or a fake tree in tests) or a directory fd opened on
 * PROC_ROOT/PID with procfs_open_pid(): reading several files through one such
 * fd keeps them about the same process even if its PID is reused meanwhile
 * (reads then fail with -ESRCH instead of describing the newcomer).
 * The parsers (procfs_parse_*) are pure and take a buffer with its length.
 * A process that vanishes is reported as -ESRCH, never as an error to log.
 */
#ifndef TTYIDLE_PROCFS_H
#define TTYIDLE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROCFS_ROOT	   "/proc"
#define PROCFS_COMM_MAX	   64 /* kernel threads may show more than TASK_COMM_LEN */
#define PROCFS_MAX_GROUPS  64
#define PROCFS_MAX_NSLEVEL 33 /* MAX_PID_NS_LEVEL + 1 */
#define PROCFS_PF_KTHREAD  0x00200000u

/* Init-namespace inode numbers are fixed (PROC_PID_INIT_INO) since Linux 3.8. */
#define PROCFS_INIT_PIDNS_INO 0xEFFFFFFCull

/* The fields of /proc/PID/stat that ttyidle uses. */
struct proc_stat {
	pid_t pid;
	char comm[PROCFS_COMM_MAX];
	char state; /* R S D Z T t X I ... */
	pid_t ppid;
	pid_t pgrp;
	pid_t session;
	uint32_t tty_nr; /* controlling tty, userspace dev_t encoding; 0 if none */
	pid_t tpgid;
	unsigned int flags;
	unsigned long long starttime; /* clock ticks after boot */
};

/* The fields of /proc/PID/status that ttyidle uses. */
struct proc_status {
	bool has_uid, has_gid, has_groups;
	uid_t uid[4]; /* real, effective, saved, filesystem */
	gid_t gid[4];
	size_t ngroups; /* supplementary groups stored in groups[] */
	bool groups_truncated;
	gid_t groups[PROCFS_MAX_GROUPS];
	unsigned int nspid_n; /* 0 if the kernel has no NSpid: line (< 4.1) */
	pid_t nspid[PROCFS_MAX_NSLEVEL];
	unsigned int nssid_n;
	pid_t nssid[PROCFS_MAX_NSLEVEL];
};

/* Which container a process belongs to; runtime[0] == 0 means the host. */
struct container_id {
	char runtime[16]; /* docker podman crio containerd k8s lxc machine nspawn ... */
	char name[64];	  /* first 12 hex digits of the container id, or its name */
};

int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *st);
int procfs_parse_status(const char *buf, size_t len, struct proc_status *st);
/* 1 and *c filled if the cgroup file names a container, 0 for the host, -EINVAL if unparsable. */
int procfs_parse_cgroup(const char *buf, size_t len, struct container_id *c);
/* The same decision for one cgroup path ("/system.slice/docker-<id>.scope"). */
int procfs_cgroup_path_container(const char *path, struct container_id *c);
/* "runtime:name", or "" for the host. */
void procfs_container_str(const struct container_id *c, char *out, size_t outlen);
/* Parse a namespace link text "pid:[4026531836]" of the given type. */
int procfs_parse_ns_link(const char *link, const char *type, uint64_t *ino);
/* NUL-separated argv to one line: NULs become spaces, control bytes '?'. */
void procfs_cmdline_printable(const char *raw, size_t len, char *out, size_t outlen);
/* Kernel threads: PF_KTHREAD, kthreadd itself (pid 2) or its children. */
bool procfs_is_kthread(const struct proc_stat *st);

/* Open PROC_ROOT/PID as a directory (O_CLOEXEC); fd or -ESRCH / -errno. */
int procfs_open_pid(const char *proc_root, pid_t pid);
int procfs_read_stat_at(int pdir, struct proc_stat *st);
int procfs_read_status_at(int pdir, struct proc_status *st);
/* Printable command line (see procfs_cmdline_printable); "" for kernel threads. */
int procfs_read_cmdline_at(int pdir, char *out, size_t outlen);
int procfs_read_comm_at(int pdir, char *out, size_t outlen);
/*
 * Basename of the executable (the exe link, " (deleted)" dropped): the file
 * the kernel mapped at the last execve, whatever comm the process set. -errno
 * (kernel threads have none).
 */
int procfs_read_exe_at(int pdir, char *out, size_t outlen);
/* 1 container, 0 host, -errno. */
int procfs_read_container_at(int pdir, struct container_id *c);
/* Inode of ns/TYPE ("pid", "mnt", ...). */
int procfs_read_ns_at(int pdir, const char *type, uint64_t *ino);
/* Value of environment variable NAME: 1 found, 0 absent, -errno. Values longer than outlen-1 are
 * truncated. */
int procfs_read_environ_at(int pdir, const char *name, char *out, size_t outlen);

/* Convenience wrappers opening PROC_ROOT/PID for one read (NULL proc_root: "/proc"). */
int procfs_read_stat(const char *proc_root, pid_t pid, struct proc_stat *st);
int procfs_read_ns(const char *proc_root, pid_t pid, const char *type, uint64_t *ino);

/*
 * The kernel's audit ids of a process, /proc/PID/sessionid and
 * /proc/PID/loginuid: *out the number, or -1 for "unset" (4294967295, the
 * kernel's AUDIT_SID_UNSET and AUDIT_UID_UNSET) or text that is not one
 * decimal number (-EINVAL then). For joining records with the audit log
 * only: a process whose loginuid is unset may set it itself, so nothing
 * may be decided by them.
 */
int procfs_parse_audit_id(const char *buf, long long *out);
/* Both of pid's, each -1 when unreadable or unset. 0, or -ESRCH if pid is gone. */
int procfs_read_audit_ids(const char *proc_root, pid_t pid, long long *sessionid,
			  long long *loginuid);
/* The same through an open PROC_ROOT/PID (procfs_open_pid). */
void procfs_read_audit_ids_at(int pdir, long long *sessionid, long long *loginuid);

/*
 * Call fn for every process (thread group) in PROC_ROOT. Processes vanishing
 * mid-scan are skipped. fn returns 0 to go on, or a negative errno to stop
 * the scan, which then returns that value.
 */
typedef int (*procfs_visit_fn)(const struct proc_stat *st, void *arg);
int procfs_for_each(const char *proc_root, procfs_visit_fn fn, void *arg);

/* All processes whose session is sid, in PID order, from a walk made now; *out is malloc'ed
 * (free it). */
int procfs_list_session(const char *proc_root, pid_t sid, struct proc_stat **out, size_t *n);

/*
 * A snapshot: every process of one walk, indexed by session. Owned by its
 * caller (the host object keeps one per batch of due terminals, host.h), so
 * ending a thousand sessions due in the same second costs one walk, not one
 * per step and session. Nothing here is global.
 */
struct proc_snapshot {
	bool taken;	     /* v and n describe a walk */
	struct proc_stat *v; /* sorted by (session, pid) */
	size_t n;
};

/* Walk PROC_ROOT now into s, replacing what it held. 0 or -errno (s unchanged). */
int procfs_snapshot_take(const char *proc_root, struct proc_snapshot *s);
/* Drop what s holds; s is then not taken. */
void procfs_snapshot_free(struct proc_snapshot *s);

/*
 * Where session listings come from: the tree at root (NULL: "/proc") and,
 * if snap is set, that snapshot (taken at the first listing if it is not
 * yet) instead of a walk per listing. What a snapshot still holds (a process
 * gone since) is refused by the start-time check every signal makes; what it
 * misses (a process forked since) is the caller's to look for again with
 * procfs_view_refresh() where that matters (terminate.h, SIGKILL).
 */
struct proc_view {
	const char *root;
	struct proc_snapshot *snap;
};

/* Members of sid as the view sees them, in PID order; *out malloc'ed (NULL if none). */
int procfs_view_list_session(const struct proc_view *v, pid_t sid, struct proc_stat **out,
			     size_t *n);
/* Walk again now into the view's snapshot; nothing without one. 0 or -errno. */
int procfs_view_refresh(const struct proc_view *v);

#endif /* TTYIDLE_PROCFS_H */
