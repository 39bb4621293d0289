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
#include "lib/textsafe.h"

void audit_rec_init(struct audit_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->uid = -1;
	r->session = -1;
	r->pid = -1;
	r->idle_sec = -1;
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

	if (l->full || !val || !val[0])
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

static void add_num(struct line *l, const char *key, long long v, long long min)
{
	char num[24];

	if (v < min)
		return;
	snprintf(num, sizeof(num), "%lld", v);
	add_field(l, key, num);
}

int audit_format(const struct audit_rec *r, char *buf, size_t buflen)
{
	struct line l = {.buf = buf, .cap = buflen};

	if (buflen < sizeof(AUDIT_PREFIX))
		return -ENOSPC;
	memcpy(buf, AUDIT_PREFIX, sizeof(AUDIT_PREFIX));
	l.len = strlen(AUDIT_PREFIX);
	add_field(&l, "EVENT", r->event);
	add_field(&l, "USER", r->user);
	add_num(&l, "UID", r->uid, 0);
	add_field(&l, "TTY", r->tty);
	add_num(&l, "SESSION", r->session, 1);
	add_num(&l, "PID", r->pid, 1);
	add_field(&l, "LEADER", r->leader);
	add_field(&l, "SERVICE", r->service);
	add_field(&l, "REMOTE", r->remote);
	if (r->remote && r->remote[0])
		add_field(&l, "REMOTE_SRC", r->remote_src);
	add_field(&l, "CONTAINER", r->container);
	add_num(&l, "IDLE_SEC", r->idle_sec, 0);
	add_field(&l, "CLOCK", r->clock);
	add_field(&l, "RULE", r->rule);
	add_field(&l, "ACTION", r->action);
	add_field(&l, "OUTCOME", r->outcome);
	buf[l.len] = 0;
	return l.full ? -ENOSPC : (int)l.len;
}

bool audit_journal_stream_matches(const char *env, dev_t dev, ino_t ino)
{
	unsigned long long d, i;
	char *end;

	if (!env || !*env)
		return false;
	errno = 0;
	d = strtoull(env, &end, 10);
	if (errno || end == env || *end != ':')
		return false;
	env = end + 1;
	i = strtoull(env, &end, 10);
	if (errno || end == env || *end)
		return false;
	return d == (unsigned long long)dev && i == (unsigned long long)ino;
}

/*
 * Stable MESSAGE_IDs (journalctl MESSAGE_ID=...), one per event, so that
 * every termination can be found without parsing text. Never change them.
 */
static const struct {
	const char *event, *id;
} message_ids[] = {
    {"warn", "5b4c1a7e2d9f4e61a3c0b8d7f2e9a104"},
    {"cancel", "8e2f6d3a91c74b05b6e4a7d2c1f0e938"},
    {"terminate", "c3a9e1f07b5d4c28916e2a4d8b7f0c55"},
    {"escalate", "4a6c8e0f2b4d4169a3c5e7f9b1d3f507"},
    {"ended", "2d7f4b9c6e1a4385a0c9d3e7f1b2c846"},
    {"survivor", "f1e0d9c8b7a64f5e8d3c2b1a09f8e7d6"},
};

const char *audit_message_id(const char *event)
{
	size_t i;

	for (i = 0; event && i < sizeof(message_ids) / sizeof(message_ids[0]); i++)
		if (!strcmp(event, message_ids[i].event))
			return message_ids[i].id;
	return NULL;
}

#ifdef TTYIDLE_HAVE_LIBSYSTEMD
/* room for AUDIT_VALUE_MAX bytes of a value even if each one becomes \xNN */
#define JOURNAL_VALUE_MAX (4 * AUDIT_VALUE_MAX + 1)

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static int journal_send(const struct audit_rec *r, const char *line)
{
	char uid[24] = "", session[24] = "", pid[24] = "", idle[24] = "";
	/* fields users choose, in the terminal form of textsafe.h: journalctl
	 * shows a field with a control character or invalid UTF-8 as a blob,
	 * and with --all writes it raw to the reader's terminal */
	char user[JOURNAL_VALUE_MAX], tty[JOURNAL_VALUE_MAX], leader[JOURNAL_VALUE_MAX];
	char remote[JOURNAL_VALUE_MAX], container[JOURNAL_VALUE_MAX];
	const char *id = audit_message_id(r->event);

	if (r->uid >= 0)
		snprintf(uid, sizeof(uid), "%lld", r->uid);
	if (r->session > 0)
		snprintf(session, sizeof(session), "%lld", r->session);
	if (r->pid > 0)
		snprintf(pid, sizeof(pid), "%lld", r->pid);
	if (r->idle_sec >= 0)
		snprintf(idle, sizeof(idle), "%lld", r->idle_sec);
	text_safe(user, sizeof(user), r->user);
	text_safe(tty, sizeof(tty), r->tty);
	text_safe(leader, sizeof(leader), r->leader);
	text_safe(remote, sizeof(remote), r->remote);
	text_safe(container, sizeof(container), r->container);
#define F(name, v) name "=%s", str_or_empty(v)
	return sd_journal_send(
	    "MESSAGE=%s", line + strlen(AUDIT_PREFIX), "PRIORITY=5", "SYSLOG_FACILITY=10",
	    "SYSLOG_IDENTIFIER=ttyidle", F("MESSAGE_ID", id), F("EVENT", r->event), F("USER", user),
	    F("UID", uid), F("TTY", tty), F("SESSION", session), F("PID", pid), F("LEADER", leader),
	    F("SERVICE", r->service), F("REMOTE", remote), F("CONTAINER", container),
	    F("IDLE_SEC", idle), F("CLOCK", r->clock), F("RULE", r->rule), F("ACTION", r->action),
	    F("OUTCOME", r->outcome), NULL);
#undef F
}
#endif

void audit_emit_rec(const struct audit_rec *r)
{
	char line[AUDIT_LINE_MAX];
	struct stat st;
	static int journal = -1;

	if (audit_format(r, line, sizeof(line)) < 0)
		return; /* cannot happen: AUDIT_LINE_MAX holds any record */
	if (journal < 0)
		journal =
		    fstat(STDERR_FILENO, &st) == 0 &&
		    audit_journal_stream_matches(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino);
#ifdef TTYIDLE_HAVE_LIBSYSTEMD
	/* structured fields and MESSAGE_ID: what `journalctl MESSAGE_ID=` finds */
	if (journal && journal_send(r, line) == 0)
		return;
#endif
	audit_emit(line);
}

void audit_emit(const char *line)
{
	static int mode = -1; /* 0 syslog, 1 journal */
	const char *msg = line;

	if (mode < 0) {
		struct stat st;

		mode = fstat(STDERR_FILENO, &st) == 0 &&
		       audit_journal_stream_matches(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino);
		if (!mode)
			openlog("ttyidle", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	}
	if (mode) {
		fprintf(stderr, "<5>%s\n", line);
		return;
	}
	if (!strncmp(msg, AUDIT_PREFIX, strlen(AUDIT_PREFIX)))
		msg += strlen(AUDIT_PREFIX); /* syslog adds "ttyidle[pid]: " */
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", msg);
	/* stderr too: the daemon's own log must hold every record, syslogd or not */
	fprintf(stderr, "%s\n", line);
}
