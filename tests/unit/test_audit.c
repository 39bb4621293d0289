// SPDX-License-Identifier: GPL-2.0
/* Audit record formatting: exact output, escaping, injection attempts, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemon/audit.h"
#include "host/session.h"
#include "lib/log.h"

/*
 * An independent reader of the format: KEY=bare or KEY="quoted with \" \\ \n
 * \r \t \xNN". Returns the number of fields, or -1 if the line is malformed.
 */
#define MAXF 32
struct parsed {
	char key[MAXF][32];
	char val[MAXF][1024];
	size_t vlen[MAXF];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_line(const char *line, struct parsed *p)
{
	const char *s = line;
	int n = 0;

	if (strncmp(s, "ttyidle: ", 9))
		return -1;
	s += 9;
	while (*s) {
		size_t k = 0, v = 0;

		if (n == MAXF)
			return -1;
		while ((*s >= 'A' && *s <= 'Z') || *s == '_') {
			if (k + 1 >= sizeof(p->key[n]))
				return -1;
			p->key[n][k++] = *s++;
		}
		p->key[n][k] = 0;
		if (!k || *s++ != '=')
			return -1;
		if (*s == '"') {
			s++;
			for (;;) {
				unsigned char c = (unsigned char)*s++;

				if (c == '"')
					break;
				if (c < 0x20 || c >= 0x7f)
					return -1; /* raw control or non-ASCII byte inside quotes */
				if (c == '\\') {
					c = (unsigned char)*s++;
					if (c == 'n')
						c = '\n';
					else if (c == 'r')
						c = '\r';
					else if (c == 't')
						c = '\t';
					else if (c == 'x') {
						int h = hexval(s[0]), l = h < 0 ? -1 : hexval(s[1]);

						if (l < 0)
							return -1;
						c = (unsigned char)(h * 16 + l);
						s += 2;
					} else if (c != '"' && c != '\\')
						return -1;
				}
				p->val[n][v++] = (char)c;
			}
		} else {
			while (*s && *s != ' ') {
				unsigned char c = (unsigned char)*s++;

				if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
					return -1;
				p->val[n][v++] = (char)c;
			}
			if (!v)
				return -1;
		}
		p->val[n][v] = 0;
		p->vlen[n] = v;
		n++;
		if (*s == ' ')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

static void test_exact(void **state)
{
	struct audit_rec r;
	char buf[AUDIT_LINE_MAX];
	int n;

	audit_rec_init(&r);
	r.event = "terminate";
	r.user = "alice";
	r.uid = 1000;
	r.tty = "pts/3";
	r.session = 4242;
	r.leader = "bash";
	r.service = "sshd";
	r.remote = "192.0.2.10";
	r.remote_src = "utmp";
	r.logind_session = "c7";
	r.audit_session = 12;
	r.loginuid = 1000;
	r.idle_sec = 900;
	r.clock = "in";
	r.rule = "default";
	r.action = "sighup";
	r.outcome = "signalled=3";
	n = audit_format(&r, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "ttyidle: EVENT=terminate USER=alice UID=1000 TTY=pts/3 "
				 "SESSION=4242 LEADER=bash SERVICE=sshd REMOTE=192.0.2.10 "
				 "REMOTE_SRC=utmp LOGIND_SESSION=c7 AUDIT_SESSION=12 LOGINUID=1000 "
				 "IDLE_SEC=900 CLOCK=in RULE=default ACTION=sighup "
				 "OUTCOME=signalled=3");

	/* unknown fields are left out; uid 0 and idle 0 are known values */
	audit_rec_init(&r);
	r.event = "survivor";
	r.uid = 0;
	r.idle_sec = 0;
	r.pid = 77;
	r.remote_src = "environ"; /* without REMOTE it means nothing */
	r.container = "";
	r.logind_session = "";
	r.loginuid = 0; /* root's login: known; the unset audit session is not */
	assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "ttyidle: EVENT=survivor UID=0 PID=77 LOGINUID=0 IDLE_SEC=0");
	audit_rec_init(&r);
	assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "ttyidle: ");
}

static void expect_escape(const char *in, const char *want)
{
	char out[1024];

	assert_int_equal(audit_escape(in, out, sizeof(out)), (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_escape(void **state)
{
	char out[8];

	expect_escape("bash", "bash");
	expect_escape("a=b", "a=b");
	expect_escape("pts/3", "pts/3");
	expect_escape("a b", "\"a b\"");
	expect_escape("say \"hi\"", "\"say \\\"hi\\\"\"");
	expect_escape("back\\slash", "\"back\\\\slash\"");
	expect_escape("tab\there", "\"tab\\there\"");
	expect_escape("cr\rlf\n", "\"cr\\rlf\\n\"");
	expect_escape("\033[2J", "\"\\x1b[2J\"");
	expect_escape("\x7f", "\"\\x7f\"");
	expect_escape("\xff", "\"\\xff\"");
	expect_escape("\x9b"
		      "2J",
		      "\"\\x9b2J\""); /* C1 CSI */
	expect_escape("\033]0;pwned\007", "\"\\x1b]0;pwned\\x07\"");
	expect_escape("caf\xc3\xa9", "\"caf\\xc3\\xa9\"");
	expect_escape("\xe2\x80\xae"
		      "evil",
		      "\"\\xe2\\x80\\xaeevil\""); /* RTL override */
	expect_escape("", "\"\"");
	assert_int_equal(audit_escape("a b c d e", out, sizeof(out)), -ENOSPC);
	assert_string_equal(out, "");
	assert_int_equal(audit_escape("abcdefg", out, sizeof(out)), 7);
	assert_int_equal(audit_escape("abcdefgh", out, sizeof(out)), -ENOSPC);
}

static void test_injection(void **state)
{
	static const char *const evil[] = {
	    "bash USER=root",
	    "x\nttyidle: EVENT=terminate USER=root",
	    "x\" USER=\"root",
	    "\\\" USER=root",
	    "x\\",
	    "\r\nEVENT=cancel",
	    "a\0b", /* stops at the NUL: C strings */
	    " ",
	    "=",
	    "\"",
	};
	struct audit_rec r;
	struct parsed p;
	char buf[AUDIT_LINE_MAX];
	size_t i;

	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		audit_rec_init(&r);
		r.event = "warn";
		r.user = "alice";
		r.leader = evil[i];
		r.remote = evil[i];
		r.remote_src = "environ";
		r.outcome = "delivered";
		assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
		assert_null(strchr(buf, '\n'));
		assert_null(strchr(buf, '\r'));
		if (parse_line(buf, &p) != 6)
			fail_msg("%zu: %s", i, buf);
		assert_string_equal(p.key[0], "EVENT");
		assert_string_equal(p.key[1], "USER");
		assert_string_equal(p.val[1], "alice");
		assert_string_equal(p.key[2], "LEADER");
		assert_string_equal(p.val[2], evil[i]); /* round trip */
		assert_string_equal(p.key[3], "REMOTE");
		assert_string_equal(p.key[4], "REMOTE_SRC");
		assert_string_equal(p.key[5], "OUTCOME");
		assert_string_equal(p.val[5], "delivered");
	}
}

static void test_random_round_trip(void **state)
{
	/* Every byte string survives format -> parse, and the line stays one clean line. */
	uint32_t seed = 12345;
	struct audit_rec r;
	struct parsed p;
	char buf[AUDIT_LINE_MAX], val[AUDIT_VALUE_MAX + 1];
	int iter;

	for (iter = 0; iter < 20000; iter++) {
		size_t len, i;

		seed = seed * 1103515245 + 12345;
		len = 1 + (seed >> 16) % AUDIT_VALUE_MAX;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			val[i] = (char)(1 + (seed >> 16) % 255);
		}
		val[len] = 0;
		audit_rec_init(&r);
		r.event = "warn";
		r.leader = val;
		r.rule = "r";
		assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
		for (i = 0; buf[i]; i++)
			if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
				fail_msg("raw byte 0x%02x in %s", (unsigned char)buf[i], buf);
		assert_int_equal(parse_line(buf, &p), 3);
		assert_string_equal(p.val[1], val);
		assert_string_equal(p.val[2], "r");
	}
}

static void test_limits(void **state)
{
	char big[1000], worst[AUDIT_VALUE_MAX + 50], buf[AUDIT_LINE_MAX], small[64];
	struct audit_rec r;
	struct parsed p;
	int n;

	/* long values are cut and marked */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	audit_rec_init(&r);
	r.event = "warn";
	r.rule = big;
	assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
	assert_int_equal(parse_line(buf, &p), 2);
	assert_int_equal(p.vlen[1], AUDIT_VALUE_MAX + 3);
	assert_memory_equal(p.val[1] + AUDIT_VALUE_MAX, "...", 3);

	/* every field at its worst still fits AUDIT_LINE_MAX */
	memset(worst, 0x01, sizeof(worst) - 1);
	worst[sizeof(worst) - 1] = 0;
	r.event = r.user = r.tty = r.leader = r.service = r.remote = r.remote_src = worst;
	r.container = r.clock = r.rule = r.action = r.outcome = r.logind_session = worst;
	r.uid = r.session = r.pid = r.idle_sec = 9223372036854775807LL;
	r.audit_session = r.loginuid = 9223372036854775807LL;
	n = audit_format(&r, buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(parse_line(buf, &p), AUDIT_NFIELDS);

	/* a short buffer keeps whole fields only */
	audit_rec_init(&r);
	r.event = "terminate";
	r.user = "alice";
	r.tty = "pts/3";
	r.outcome = "a very long outcome text that will not fit";
	assert_int_equal(audit_format(&r, small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "ttyidle: EVENT=terminate USER=alice TTY=pts/3");
	assert_int_equal(audit_format(&r, small, 5), -ENOSPC);
}

static void test_from_session(void **state)
{
	struct session_info s;
	struct audit_rec r;
	char buf[AUDIT_LINE_MAX];

	memset(&s, 0, sizeof(s));
	s.audit_session = s.loginuid = -1; /* as session_resolve() leaves them unknown */
	s.sid = 300;
	s.uid = 1000;
	snprintf(s.user, sizeof(s.user), "bob smith");
	snprintf(s.tty, sizeof(s.tty), "pts/7");
	snprintf(s.leader_comm, sizeof(s.leader_comm), "zsh");
	s.service = SVC_CONTAINER;
	snprintf(s.container_str, sizeof(s.container_str), "docker:0123456789ab");
	audit_rec_init(&r);
	r.event = "warn";
	audit_rec_from_session(&r, &s);
	assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "ttyidle: EVENT=warn USER=\"bob smith\" UID=1000 TTY=pts/7 "
				 "SESSION=300 LEADER=zsh SERVICE=container "
				 "CONTAINER=docker:0123456789ab");
	s.remote_src = REMOTE_UTMP;
	snprintf(s.remote, sizeof(s.remote), "2001:db8::1");
	s.container_str[0] = 0;
	audit_rec_from_session(&r, &s);
	assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " REMOTE=2001:db8::1 REMOTE_SRC=utmp"));
	assert_null(strstr(buf, "CONTAINER"));
	assert_null(strstr(buf, "AUDIT_SESSION"));
	assert_null(strstr(buf, "LOGIN"));
	/* the join ids of the leader */
	snprintf(s.logind_id, sizeof(s.logind_id), "42");
	s.audit_session = 7;
	s.loginuid = 1000;
	audit_rec_from_session(&r, &s);
	assert_true(audit_format(&r, buf, sizeof(buf)) > 0);
	assert_non_null(
	    strstr(buf, " REMOTE_SRC=utmp LOGIND_SESSION=42 AUDIT_SESSION=7 LOGINUID=1000"));
}

static void test_journal_stream(void **state)
{
	assert_true(journal_stream_matches("8:12345", 8, 12345));
	assert_false(journal_stream_matches("8:12345", 8, 12346));
	assert_false(journal_stream_matches("9:12345", 8, 12345));
	assert_false(journal_stream_matches("8:12345x", 8, 12345));
	assert_false(journal_stream_matches("8", 8, 12345));
	assert_false(journal_stream_matches(":12345", 8, 12345));
	assert_false(journal_stream_matches("", 0, 0));
	assert_false(journal_stream_matches(NULL, 0, 0));
	assert_false(journal_stream_matches("99999999999999999999999:1", 8, 1));
}

/* The journal field NAME of entry j, NUL-terminated in out; false if absent. */
static bool journal_field(const struct audit_journal *j, const char *name, char *out, size_t outlen)
{
	size_t i, nl = strlen(name);

	for (i = 0; i < j->n; i++) {
		const char *b = j->iov[i].iov_base;
		size_t len = j->iov[i].iov_len;

		if (len > nl && !memcmp(b, name, nl) && b[nl] == '=') {
			assert_true(len - nl - 1 < outlen);
			memcpy(out, b + nl + 1, len - nl - 1);
			out[len - nl - 1] = 0;
			return true;
		}
	}
	return false;
}

/*
 * Both sinks from one list: every field of the text line is a journal field
 * with the same value (user-chosen ones in their terminal form), and the
 * journal has no record field the line lacks. Once REMOTE_SRC was missing
 * from the journal.
 */
static void check_sinks_agree(const struct audit_rec *r)
{
	static struct audit_journal j;
	static const char *const extra[] = {"MESSAGE",		 "PRIORITY",   "SYSLOG_FACILITY",
					    "SYSLOG_IDENTIFIER", "MESSAGE_ID", NULL};
	static char buf[AUDIT_LINE_MAX], val[AUDIT_LINE_MAX];
	struct parsed p;
	size_t i, k;
	int n, f;

	assert_true(audit_format(r, buf, sizeof(buf)) > 0);
	n = parse_line(buf, &p);
	assert_true(n >= 0);
	assert_int_equal(audit_journal_build(r, buf, &j), 0);
	for (f = 0; f < n; f++) {
		if (!journal_field(&j, p.key[f], val, sizeof(val)))
			fail_msg("text field %s is not in the journal entry", p.key[f]);
		if (strlen(p.val[f]) == p.vlen[f] &&
		    strspn(p.val[f], "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789 =/:._-;") == p.vlen[f])
			assert_string_equal(val, p.val[f]); /* plain text: the same bytes */
	}
	assert_true(journal_field(&j, "MESSAGE", val, sizeof(val)));
	assert_string_equal(val, buf + strlen(AUDIT_PREFIX));
	for (i = 0; i < j.n; i++) {
		const char *b = j.iov[i].iov_base;
		bool known = false;

		for (k = 0; extra[k] && !known; k++)
			known =
			    !strncmp(b, extra[k], strlen(extra[k])) && b[strlen(extra[k])] == '=';
		for (f = 0; f < n && !known; f++)
			known =
			    !strncmp(b, p.key[f], strlen(p.key[f])) && b[strlen(p.key[f])] == '=';
		if (!known)
			fail_msg("journal field %.*s is not in the text line",
				 (int)j.iov[i].iov_len, b);
	}
}

static void test_journal_fields(void **state)
{
	static char worst[AUDIT_VALUE_MAX + 50];
	struct audit_rec r;
	struct audit_fields fs;
	char val[64];
	static struct audit_journal j;
	char buf[AUDIT_LINE_MAX];

	audit_rec_init(&r);
	r.event = "terminate";
	r.user = "alice";
	r.uid = 1000;
	r.tty = "pts/3";
	r.session = 4242;
	r.pid = 9;
	r.leader = "bash";
	r.service = "sshd";
	r.remote = "192.0.2.10";
	r.remote_src = "utmp";
	r.container = "docker:0123456789ab";
	r.logind_session = "3";
	r.audit_session = 3;
	r.loginuid = 1000;
	r.idle_sec = 900;
	r.clock = "input";
	r.rule = "default";
	r.action = "sighup";
	r.outcome = "terminal hung up; SIGHUP sent to 0 processes";
	audit_fields(&r, &fs);
	assert_int_equal(fs.n, AUDIT_NFIELDS); /* every field known: all of them */
	check_sinks_agree(&r);
	assert_int_equal(audit_format(&r, buf, sizeof(buf)) > 0, 1);
	assert_int_equal(audit_journal_build(&r, buf, &j), 0);
	assert_true(journal_field(&j, "REMOTE_SRC", val, sizeof(val)));
	assert_string_equal(val, "utmp");
	assert_true(journal_field(&j, "MESSAGE_ID", val, sizeof(val)));
	assert_string_equal(val, audit_message_id("terminate"));
	assert_true(journal_field(&j, "PRIORITY", val, sizeof(val)));
	assert_string_equal(val, "5");
	assert_true(journal_field(&j, "AUDIT_SESSION", val, sizeof(val)));
	assert_string_equal(val, "3");
	assert_true(journal_field(&j, "LOGIND_SESSION", val, sizeof(val)));
	assert_string_equal(val, "3");
	assert_true(journal_field(&j, "LOGINUID", val, sizeof(val)));
	assert_string_equal(val, "1000");
	/* a survivor ranks above a routine step, which ranks above a cancellation */
	r.event = "survivor";
	assert_int_equal(audit_format(&r, buf, sizeof(buf)) > 0, 1);
	assert_int_equal(audit_journal_build(&r, buf, &j), 0);
	assert_true(journal_field(&j, "PRIORITY", val, sizeof(val)));
	assert_string_equal(val, "4");

	/* unknown fields are left out of both; no MESSAGE_ID for an unknown event */
	audit_rec_init(&r);
	r.event = "bogus";
	r.uid = 0;
	r.remote_src = "environ";
	check_sinks_agree(&r);
	assert_int_equal(audit_format(&r, buf, sizeof(buf)) > 0, 1);
	assert_int_equal(audit_journal_build(&r, buf, &j), 0);
	assert_false(journal_field(&j, "REMOTE_SRC", val, sizeof(val)));
	assert_false(journal_field(&j, "MESSAGE_ID", val, sizeof(val)));
	assert_false(journal_field(&j, "USER", val, sizeof(val)));

	/* user-chosen text reaches the journal in its terminal form */
	audit_rec_init(&r);
	r.event = "warn";
	r.leader = "evil\n\033";
	check_sinks_agree(&r);
	assert_int_equal(audit_format(&r, buf, sizeof(buf)) > 0, 1);
	assert_int_equal(audit_journal_build(&r, buf, &j), 0);
	assert_true(journal_field(&j, "LEADER", val, sizeof(val)));
	assert_null(strchr(val, '\n'));
	assert_null(strchr(val, '\033'));

	/* every field at its worst still fits */
	memset(worst, 0x01, sizeof(worst) - 1);
	r.event = r.user = r.tty = r.leader = r.service = r.remote = r.remote_src = worst;
	r.container = r.clock = r.rule = r.action = r.outcome = r.logind_session = worst;
	r.uid = r.session = r.pid = r.idle_sec = 9223372036854775807LL;
	r.audit_session = r.loginuid = 9223372036854775807LL;
	check_sinks_agree(&r);
}

/* journalctl MESSAGE_ID= queries depend on these never changing */
static void test_message_ids(void **state)
{
	static const char *const events[] = {"warn",	 "cancel", "terminate",
					     "escalate", "ended",  "survivor"};
	size_t i, j;

	(void)state;
	assert_string_equal(audit_message_id("terminate"), "c3a9e1f07b5d4c28916e2a4d8b7f0c55");
	assert_string_equal(audit_message_id("warn"), "5b4c1a7e2d9f4e61a3c0b8d7f2e9a104");
	assert_null(audit_message_id("bogus"));
	assert_null(audit_message_id(NULL));
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		const char *id = audit_message_id(events[i]);

		assert_non_null(id);
		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		for (j = 0; j < i; j++)
			assert_string_not_equal(id, audit_message_id(events[j]));
	}
}

static void test_priorities(void **state)
{
	(void)state;
	assert_int_equal(audit_priority("survivor"), LOG_WARNING);
	assert_int_equal(audit_priority("warn"), LOG_NOTICE);
	assert_int_equal(audit_priority("terminate"), LOG_NOTICE);
	assert_int_equal(audit_priority("escalate"), LOG_NOTICE);
	assert_int_equal(audit_priority("cancel"), LOG_INFO);
	assert_int_equal(audit_priority("ended"), LOG_INFO);
	assert_int_equal(audit_priority("bogus"), LOG_NOTICE);
	assert_true(audit_priority("survivor") < audit_priority("warn")); /* lower: more urgent */
}

/* Every event with a MESSAGE_ID has its entry in the shipped journal catalog. */
static void test_catalog(void **state)
{
	char path[1200], want[64], *text;
	const char *ev, *slash;
	size_t i, len = 0;
	FILE *f;

	(void)state;
	/* __FILE__ is tests/unit/test_audit.c relative to where make runs */
	slash = strstr(__FILE__, "tests/unit/");
	snprintf(path, sizeof(path), "%.*sscripts/ttyidle.catalog",
		 slash ? (int)(slash - __FILE__) : 0, __FILE__);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	len = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	assert_true(len > 0);
	for (i = 0; (ev = audit_event_name(i)); i++) {
		char *at;

		snprintf(want, sizeof(want), "\n-- %s\n", audit_message_id(ev));
		at = strstr(text, want);
		if (!at)
			fail_msg("no catalog entry for EVENT=%s (MESSAGE_ID %s) in %s", ev,
				 audit_message_id(ev), path);
		/* the entry names its event and says what to do */
		at = strstr(at + 1, "\nSubject: ");
		assert_non_null(at);
	}
	assert_int_equal(i, 6);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact),	   cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_injection),	   cmocka_unit_test(test_random_round_trip),
	    cmocka_unit_test(test_limits),	   cmocka_unit_test(test_from_session),
	    cmocka_unit_test(test_journal_stream), cmocka_unit_test(test_message_ids),
	    cmocka_unit_test(test_journal_fields), cmocka_unit_test(test_priorities),
	    cmocka_unit_test(test_catalog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
