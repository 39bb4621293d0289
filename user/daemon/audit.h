/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Audit records: one line per warning, cancellation, termination step and
 * survivor, e.g.
 *   ttyidle: EVENT=terminate USER=alice UID=1000 TTY=pts/3 SESSION=4242 LEADER=bash ...
 * Field order is fixed (EVENT USER UID TTY SESSION PID LEADER SERVICE REMOTE
 * REMOTE_SRC CONTAINER LOGIND_SESSION AUDIT_SESSION LOGINUID IDLE_SEC CLOCK
 * RULE ACTION OUTCOME); unknown fields
 * (NULL or "" strings, negative numbers) are left out. A value is written
 * bare if it is printable ASCII without space, '"' or '\'; otherwise it is
 * quoted, with \" \\ \n \r \t and \xNN for every other control or non-ASCII
 * byte, so user-controlled text (command names, hosts) can neither add a
 * field nor a line. Values are cut at AUDIT_VALUE_MAX bytes, marked "...".
 * LOGIND_SESSION (logind's session ID), AUDIT_SESSION and LOGINUID (the
 * kernel's audit session id and login uid, /proc/PID/sessionid, loginuid)
 * are the session leader's, for joining records with `loginctl` and the
 * audit log; they decide nothing.
 */
#ifndef TTYIDLE_AUDIT_H
#define TTYIDLE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#define AUDIT_PREFIX	"ttyidle: "
#define AUDIT_VALUE_MAX 200
#define AUDIT_LINE_MAX	16384 /* always enough for a full record */

struct session_info;

struct audit_rec {
	const char *event; /* warn cancel terminate survivor ... */
	const char *user;
	long long uid; /* < 0: unknown */
	const char *tty;
	long long session; /* <= 0: unknown */
	long long pid;	   /* a single process (survivor); <= 0: none */
	const char *leader;
	const char *service;
	const char *remote;
	const char *remote_src;
	const char *container;
	const char *logind_session; /* logind's session ID: join only */
	long long audit_session;    /* /proc/PID/sessionid; < 0: unset or unknown */
	long long loginuid;	    /* /proc/PID/loginuid; < 0: unset or unknown */
	long long idle_sec;	    /* < 0: unknown */
	const char *clock;
	const char *rule;
	const char *action;
	const char *outcome;
};

/* All strings NULL, all numbers unknown. */
void audit_rec_init(struct audit_rec *r);
/* Fill the session's fields (pointers into s, which must outlive r). */
void audit_rec_from_session(struct audit_rec *r, const struct session_info *s);

/* Escape one value as described above into out. Returns its length, or -ENOSPC. */
int audit_escape(const char *in, char *out, size_t outlen);
/* Format a whole record (with AUDIT_PREFIX, no newline). Returns its length, or -ENOSPC with
 * buf holding the complete fields that fitted. */
int audit_format(const struct audit_rec *r, char *buf, size_t buflen);

#define AUDIT_NFIELDS 19 /* EVENT ... OUTCOME */

struct audit_field {
	const char *name;
	const char *value; /* never NULL nor "" */
	bool user_chosen;  /* USER TTY LEADER REMOTE CONTAINER: text users choose */
};

/* A record's known fields, in the fixed order above; values point into the record or num. */
struct audit_fields {
	size_t n, nnum;
	struct audit_field f[AUDIT_NFIELDS];
	char num[6][24]; /* UID SESSION PID AUDIT_SESSION LOGINUID IDLE_SEC as text */
};

/* The one list both sinks (the text line, the journal's fields) are made from. */
void audit_fields(const struct audit_rec *r, struct audit_fields *out);

/* room for AUDIT_VALUE_MAX bytes of a value even if each one becomes \xNN */
#define AUDIT_JOURNAL_VALUE_MAX (4 * AUDIT_VALUE_MAX + 1)
#define AUDIT_JOURNAL_MAX	(AUDIT_NFIELDS + 5) /* MESSAGE PRIORITY ... MESSAGE_ID */

/* A journal entry as sd_journal_sendv() takes it: "NAME=value" iovecs into buf. */
struct audit_journal {
	size_t n, used;
	struct iovec iov[AUDIT_JOURNAL_MAX];
	char buf[AUDIT_LINE_MAX + AUDIT_NFIELDS * (AUDIT_JOURNAL_VALUE_MAX + 24) + 256];
};

/*
 * The journal entry of record r, whose audit_format() line is line: MESSAGE
 * (the line without AUDIT_PREFIX), PRIORITY (audit_priority()), SYSLOG_FACILITY,
 * SYSLOG_IDENTIFIER, MESSAGE_ID (when the event has one), then one field per
 * audit_fields() entry, user-chosen values in the terminal form of
 * textsafe.h. Returns 0, or -ENOSPC (cannot happen with a line that fits AUDIT_LINE_MAX).
 */
int audit_journal_build(const struct audit_rec *r, const char *line, struct audit_journal *j);
/*
 * The syslog priority of an event's records: a survivor (a process that
 * outlived its session's ending: enforcement fell short) LOG_WARNING; the
 * steps of an ending (warn, terminate, escalate) LOG_NOTICE; what needs no
 * attention (cancel, ended) LOG_INFO. LOG_NOTICE for an unknown event.
 */
int audit_priority(const char *event);
/*
 * Send a line from audit_format at priority prio: to stderr with a "<prio>"
 * prefix when stderr is the journal, else to syslog(LOG_AUTHPRIV|prio) (and
 * to stderr as well).
 */
void audit_emit(const char *line, int prio);

/* The stable journal MESSAGE_ID of an event ("terminate" ...), NULL if none. */
const char *audit_message_id(const char *event);
/* The i-th event that has a MESSAGE_ID, NULL past the last (for the catalog's test). */
const char *audit_event_name(size_t i);
/*
 * Format and send a record: under systemd with libsystemd, to the journal
 * as audit_journal_build() makes it (the same fields as the text line,
 * unknown ones left out likewise); otherwise as audit_emit().
 */
void audit_emit_rec(const struct audit_rec *r);

#endif /* TTYIDLE_AUDIT_H */
