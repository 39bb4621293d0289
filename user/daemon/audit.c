// SPDX-License-Identifier: GPL-2.0
/* Audit record formatting and the journal/syslog sink; see audit.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#ifdef TTYIDLE_HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "daemon/audit.h"
#include "host/session.h"
#include "lib/log.h"
#include "lib/textsafe.h"

void audit_rec_init(struct audit_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->uid = -1;
	r->session = -1;
	r->pid = -1;
	r->idle_sec = -1;
	r->audit_session = -1;
	r->loginuid = -1;
}

void audit_rec_from_session(struct audit_rec *r, const struct session_info *s)
{
	r->user = s->user;
	r->uid = (long long)s->uid;
	r->tty = s->tty;
	r->session = s->sid;
	r->leader = s->leader_comm;
	r->service = session_service_name(s->service);
	if (s->remote_src != REMOTE_NONE) {
		r->remote = s->remote;
		r->remote_src = session_remote_source_name(s->remote_src);
	}
	r->container = s->container_str[0] ? s->container_str : NULL;
	r->logind_session = s->logind_id;
	r->audit_session = s->audit_session;
	r->loginuid = s->loginuid;
}

static bool bare_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
}

int audit_escape(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(in), i, o = 0;
	bool cut = n > AUDIT_VALUE_MAX, quote = n == 0;

	if (cut)
		n = AUDIT_VALUE_MAX;
	for (i = 0; i < n && !quote; i++)
		quote = !bare_ok((unsigned char)in[i]);

#define PUT(ch)                       \
	do {                          \
		if (o + 1 >= outlen)  \
			goto nospace; \
		out[o++] = (ch);      \
	} while (0)

	if (quote)
		PUT('"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (bare_ok(c) || c == ' ') {
			PUT((char)c);
			continue;
		}
		PUT('\\');
		switch (c) {
		case '"':
		case '\\':
			PUT((char)c);
			break;
		case '\n':
			PUT('n');
			break;
		case '\r':
			PUT('r');
			break;
		case '\t':
			PUT('t');
			break;
		default:
			PUT('x');
			PUT(hex[c >> 4]);
			PUT(hex[c & 15]);
			break;
		}
	}
	if (cut) {
		PUT('.');
		PUT('.');
		PUT('.');
	}
	if (quote)
		PUT('"');
#undef PUT
	out[o] = 0;
	return (int)o;
nospace:
	if (outlen)
		out[0] = 0;
	return -ENOSPC;
}

struct line {
	char *buf;
	size_t len, cap;
	bool full;
};

/* Append " KEY=value" only if it fits whole: a record never ends in a cut field. */
static void add_field(struct line *l, const char *key, const char *val)
{
	char esc[4 * AUDIT_VALUE_MAX + 8];
	int n;

	if (l->full)
		return;
	n = audit_escape(val, esc, sizeof(esc));
	if (n < 0)
		return;
	if (l->len + 1 + strlen(key) + 1 + (size_t)n + 1 > l->cap) {
		l->full = true;
		return;
	}
	l->len += (size_t)snprintf(l->buf + l->len, l->cap - l->len, "%s%s=%s",
				   l->len > strlen(AUDIT_PREFIX) ? " " : "", key, esc);
}

static void put_str(struct audit_fields *out, const char *name, const char *v, bool user_chosen)
{
	if (v && v[0])
		out->f[out->n++] = (struct audit_field){name, v, user_chosen};
}

static void put_num(struct audit_fields *out, const char *name, long long v, long long min)
{
	char *num = out->num[out->nnum];

	if (v < min)
		return;
	out->nnum++;
	snprintf(num, sizeof(out->num[0]), "%lld", v);
	put_str(out, name, num, false);
}

/* The one list of fields, in their fixed order (audit.h): both sinks are made from it. */
void audit_fields(const struct audit_rec *r, struct audit_fields *out)
{
	out->n = 0;
	out->nnum = 0;
	put_str(out, "EVENT", r->event, false);
	put_str(out, "USER", r->user, true);
	put_num(out, "UID", r->uid, 0);
	put_str(out, "TTY", r->tty, true);
	put_num(out, "SESSION", r->session, 1);
	put_num(out, "PID", r->pid, 1);
	put_str(out, "LEADER", r->leader, true);
	put_str(out, "SERVICE", r->service, false);
	put_str(out, "REMOTE", r->remote, true);
	/* where a remote host was learnt means nothing without one */
	if (r->remote && r->remote[0])
		put_str(out, "REMOTE_SRC", r->remote_src, false);
	put_str(out, "CONTAINER", r->container, true);
	/* for joining with loginctl and the audit log (audit.h); the session ID
	 * is a cgroup name root chose, still written as user text is */
	put_str(out, "LOGIND_SESSION", r->logind_session, true);
	put_num(out, "AUDIT_SESSION", r->audit_session, 0);
	put_num(out, "LOGINUID", r->loginuid, 0);
	put_num(out, "IDLE_SEC", r->idle_sec, 0);
	put_str(out, "CLOCK", r->clock, false);
	put_str(out, "RULE", r->rule, false);
	put_str(out, "ACTION", r->action, false);
	put_str(out, "OUTCOME", r->outcome, false);
}

int audit_format(const struct audit_rec *r, char *buf, size_t buflen)
{
	struct line l = {.buf = buf, .cap = buflen};
	struct audit_fields fs;
	size_t i;

	if (buflen < sizeof(AUDIT_PREFIX))
		return -ENOSPC;
	memcpy(buf, AUDIT_PREFIX, sizeof(AUDIT_PREFIX));
	l.len = strlen(AUDIT_PREFIX);
	audit_fields(r, &fs);
	for (i = 0; i < fs.n; i++)
		add_field(&l, fs.f[i].name, fs.f[i].value);
	buf[l.len] = 0;
	return l.full ? -ENOSPC : (int)l.len;
}

/*
 * Stable MESSAGE_IDs (journalctl MESSAGE_ID=...), one per event, so that
 * every termination can be found without parsing text. Never change them.
 */
static const struct {
	const char *event, *id;
	int prio;
} message_ids[] = {
    {"warn", "5b4c1a7e2d9f4e61a3c0b8d7f2e9a104", LOG_NOTICE},
    {"cancel", "8e2f6d3a91c74b05b6e4a7d2c1f0e938", LOG_INFO},
    {"terminate", "c3a9e1f07b5d4c28916e2a4d8b7f0c55", LOG_NOTICE},
    {"escalate", "4a6c8e0f2b4d4169a3c5e7f9b1d3f507", LOG_NOTICE},
    {"ended", "2d7f4b9c6e1a4385a0c9d3e7f1b2c846", LOG_INFO},
    {"survivor", "f1e0d9c8b7a64f5e8d3c2b1a09f8e7d6", LOG_WARNING},
};

#define NEVENTS (sizeof(message_ids) / sizeof(message_ids[0]))

/* The event's entry in message_ids, NEVENTS if it has none. */
static size_t event_index(const char *event)
{
	size_t i;

	for (i = 0; event && i < NEVENTS; i++)
		if (!strcmp(event, message_ids[i].event))
			return i;
	return NEVENTS;
}

const char *audit_message_id(const char *event)
{
	size_t i = event_index(event);

	return i < NEVENTS ? message_ids[i].id : NULL;
}

const char *audit_event_name(size_t i)
{
	return i < NEVENTS ? message_ids[i].event : NULL;
}

int audit_priority(const char *event)
{
	size_t i = event_index(event);

	return i < NEVENTS ? message_ids[i].prio : LOG_NOTICE;
}

/* Append "NAME=value" as the next iovec; -ENOSPC when j is full. */
static int jput(struct audit_journal *j, const char *name, const char *value, bool user_chosen)
{
	size_t room = sizeof(j->buf) - j->used, len;
	char *p = j->buf + j->used;
	int n;

	if (j->n == AUDIT_JOURNAL_MAX)
		return -ENOSPC;
	n = snprintf(p, room, "%s=", name);
	if (n < 0 || (size_t)n >= room)
		return -ENOSPC;
	len = (size_t)n;
	/*
	 * Fields users choose, in the terminal form of textsafe.h: journalctl
	 * shows a field with a control character or invalid UTF-8 as a blob,
	 * and with --all writes it raw to the reader's terminal.
	 */
	if (user_chosen)
		len += text_safe(p + len, room - len, value);
	else
		len += (size_t)snprintf(p + len, room - len, "%s", value);
	if (len >= room)
		return -ENOSPC;
	j->iov[j->n].iov_base = p;
	j->iov[j->n].iov_len = len;
	j->n++;
	j->used += len + 1;
	return 0;
}

int audit_journal_build(const struct audit_rec *r, const char *line, struct audit_journal *j)
{
	const char *id = audit_message_id(r->event);
	struct audit_fields fs;
	char prio[4];
	size_t i;
	int err;

	j->n = 0;
	j->used = 0;
	if (!strncmp(line, AUDIT_PREFIX, strlen(AUDIT_PREFIX)))
		line += strlen(AUDIT_PREFIX); /* the journal names the sender itself */
	err = jput(j, "MESSAGE", line, false);
	snprintf(prio, sizeof(prio), "%d", audit_priority(r->event));
	err = err ?: jput(j, "PRIORITY", prio, false);
	err = err ?: jput(j, "SYSLOG_FACILITY", "10", false);
	err = err ?: jput(j, "SYSLOG_IDENTIFIER", "ttyidle", false);
	if (id)
		err = err ?: jput(j, "MESSAGE_ID", id, false);
	audit_fields(r, &fs);
	for (i = 0; i < fs.n && !err; i++)
		err = jput(j, fs.f[i].name, fs.f[i].value, fs.f[i].user_chosen);
	return err;
}

void audit_emit_rec(const struct audit_rec *r)
{
	char line[AUDIT_LINE_MAX];

	if (audit_format(r, line, sizeof(line)) < 0)
		return; /* cannot happen: AUDIT_LINE_MAX holds any record */
#ifdef TTYIDLE_HAVE_LIBSYSTEMD
	/* structured fields and MESSAGE_ID: what `journalctl MESSAGE_ID=` finds */
	if (log_to_journal()) {
		static struct audit_journal j; /* 30 KB: off the stack; one loop thread */

		if (audit_journal_build(r, line, &j) == 0 && sd_journal_sendv(j.iov, (int)j.n) == 0)
			return;
	}
#endif
	audit_emit(line, audit_priority(r->event));
}

void audit_emit(const char *line, int prio)
{
	static int mode = -1; /* 0 syslog, 1 journal */
	const char *msg = line;

	if (mode < 0) {
		mode = log_to_journal();
		if (!mode)
			openlog("ttyidle", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	}
	if (mode) {
		fprintf(stderr, "<%d>%s\n", prio & LOG_PRIMASK, line);
		return;
	}
	if (!strncmp(msg, AUDIT_PREFIX, strlen(AUDIT_PREFIX)))
		msg += strlen(AUDIT_PREFIX); /* syslog adds "ttyidle[pid]: " */
	syslog(LOG_AUTHPRIV | (prio & LOG_PRIMASK), "%s", msg);
	/* stderr too: the daemon's own log must hold every record, syslogd or not */
	fprintf(stderr, "%s\n", line);
}
