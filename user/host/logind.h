/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd-logind's record of a login session, read the way sd-login reads it
 * (no libsystemd needed): the session a process belongs to is the
 * `session-ID.scope` its cgroup names (/proc/PID/cgroup, which only root can
 * move a process into), and the session's facts are in logind's own file
 * RUN_DIR/ID, which only root writes. Both are root's word, never the
 * user's: what PAM told logind (the terminal, the remote host, the service)
 * when the login was opened.
 */
#ifndef TTYIDLE_LOGIND_H
#define TTYIDLE_LOGIND_H

#include <stdbool.h>
#include <sys/types.h>

#define LOGIND_SESSIONS_DIR "/run/systemd/sessions"
#define LOGIND_ID_MAX	    32
#define LOGIND_FIELD_MAX    64

struct logind_session {
	char id[LOGIND_ID_MAX];
	uid_t uid;
	pid_t leader;			    /* the process PAM opened the session for */
	char tty[LOGIND_FIELD_MAX];	    /* "pts/3", "tty1"; "" if none */
	char remote_host[LOGIND_FIELD_MAX]; /* PAM_RHOST; "" if none */
	char service[LOGIND_FIELD_MAX];	    /* PAM service: "sshd", "login" */
	char type[16];			    /* "tty", "x11", "wayland", "unspecified" */
	char class[16];			    /* "user", "greeter", "lock-screen", "background" */
	char state[16];			    /* "online", "active", "closing" */
};

/*
 * The session ID in one line of /proc/PID/cgroup text: only the unified
 * hierarchy's (or v1's name=systemd) path "/user.slice/user-UID.slice/
 * session-ID.scope", exactly; *uid is the UID it names. A cgroup a user made
 * under its own delegated user@UID.service never has that path. 0 or -ENOENT.
 */
int logind_parse_cgroup(const char *text, char *id, size_t idlen, uid_t *uid);

/*
 * The logind session ID of process pid, by its cgroup alone (as
 * logind_parse_cgroup(); *uid the UID it names): 0, -ENOENT if it is in
 * none or is gone, -errno. proc_root NULL: /proc.
 */
int logind_id_of(const char *proc_root, pid_t pid, char *id, size_t idlen, uid_t *uid);
/* The same through an open PROC_ROOT/PID (procfs_open_pid). */
int logind_id_at(int pdir, char *id, size_t idlen, uid_t *uid);

/*
 * One session file's text into *s (unknown keys ignored, values cut to
 * fit). -EINVAL without UID=, or with a value that is not a number.
 */
int logind_parse_session(const char *text, struct logind_session *s);

/*
 * The logind session of process pid: 0 and *s; -ENOENT if it is in none or
 * logind keeps no record (no logind: not a systemd host); -EPERM if the
 * record is not a regular file owned by root and writable by root alone;
 * -errno. dir NULL: LOGIND_SESSIONS_DIR.
 */
int logind_session_of(const char *proc_root, const char *dir, pid_t pid, struct logind_session *s);

#endif
