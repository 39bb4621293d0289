// SPDX-License-Identifier: GPL-2.0
/* logind's records as text: which cgroup is a session's, what a session file says. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "host/logind.h"

static int cg(const char *text, char *id, uid_t *uid)
{
	return logind_parse_cgroup(text, id, LOGIND_ID_MAX, uid);
}

static void test_cgroup(void **state)
{
	char id[LOGIND_ID_MAX];
	uid_t uid = 0;

	(void)state;
	assert_int_equal(cg("0::/user.slice/user-1000.slice/session-4.scope\n", id, &uid), 0);
	assert_string_equal(id, "4");
	assert_int_equal(uid, 1000);
	/* a v1 host: name=systemd's line, whatever the controllers say */
	assert_int_equal(cg("12:cpu,cpuacct:/\n"
			    "1:name=systemd:/user.slice/user-0.slice/session-c2.scope\n",
			    id, &uid),
			 0);
	assert_string_equal(id, "c2");
	assert_int_equal(uid, 0);
	/* no newline at the end */
	assert_int_equal(cg("0::/user.slice/user-7.slice/session-x9.scope", id, &uid), 0);
	assert_string_equal(id, "x9");

	/* everything that is not exactly a session scope */
	assert_int_equal(
	    cg("0::/user.slice/user-1000.slice/user@1000.service/session-4.scope\n", id, &uid),
	    -ENOENT);
	assert_int_equal(cg("0::/user.slice/user-1000.slice/session-4.scope/sub\n", id, &uid),
			 -ENOENT);
	assert_int_equal(cg("0::/user.slice/user-1000.slice/session-.scope\n", id, &uid), -ENOENT);
	assert_int_equal(cg("0::/user.slice/user-1000.slice/session-../4.scope\n", id, &uid),
			 -ENOENT);
	assert_int_equal(cg("0::/user.slice/user-1000.slice/session-4.scopes\n", id, &uid),
			 -ENOENT);
	assert_int_equal(cg("0::/user.slice/user-x.slice/session-4.scope\n", id, &uid), -ENOENT);
	assert_int_equal(cg("0::/user.slice/user-.slice/session-4.scope\n", id, &uid), -ENOENT);
	assert_int_equal(cg("0::/user.slice/user-99999999999.slice/session-4.scope\n", id, &uid),
			 -ENOENT);
	assert_int_equal(cg("0::/system.slice/ssh.service\n", id, &uid), -ENOENT);
	assert_int_equal(cg("0::/\n", id, &uid), -ENOENT);
	/* a v1 controller's path is not logind's */
	assert_int_equal(cg("4:memory:/user.slice/user-1000.slice/session-4.scope\n", id, &uid),
			 -ENOENT);
	assert_int_equal(cg("", id, &uid), -ENOENT);
	assert_int_equal(cg("garbage", id, &uid), -ENOENT);
	/* an id longer than logind makes */
	assert_int_equal(cg("0::/user.slice/user-1.slice/"
			    "session-0123456789012345678901234567890123456789.scope\n",
			    id, &uid),
			 -ENOENT);
}

static void test_session_file(void **state)
{
	struct logind_session s;

	(void)state;
	assert_int_equal(logind_parse_session("# This is private data. Do not parse.\n"
					      "UID=1000\nUSER=alice\nSTATE=active\nTYPE=tty\n"
					      "CLASS=user\nTTY=pts/3\nREMOTE_HOST=192.0.2.1\n"
					      "SERVICE=sshd\nLEADER=4242\nNEW_KEY=whatever\n",
					      &s),
			 0);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.leader, 4242);
	assert_string_equal(s.tty, "pts/3");
	assert_string_equal(s.remote_host, "192.0.2.1");
	assert_string_equal(s.service, "sshd");
	assert_string_equal(s.type, "tty");
	assert_string_equal(s.class, "user");
	assert_string_equal(s.state, "active");
	/* no TTY, no REMOTE_HOST: empty */
	assert_int_equal(logind_parse_session("UID=0", &s), 0);
	assert_string_equal(s.tty, "");
	assert_string_equal(s.remote_host, "");
	/* a long value is cut, never overflows */
	assert_int_equal(
	    logind_parse_session("UID=1\nREMOTE_HOST="
				 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
				 &s),
	    0);
	assert_int_equal(strlen(s.remote_host), LOGIND_FIELD_MAX - 1);
	/* a commented key is not one; UID is required and a number */
	assert_int_equal(logind_parse_session("#UID=1\n", &s), -EINVAL);
	assert_int_equal(logind_parse_session("TTY=pts/1\n", &s), -EINVAL);
	assert_int_equal(logind_parse_session("UID=10x\n", &s), -EINVAL);
	assert_int_equal(logind_parse_session("UID=\n", &s), -EINVAL);
	assert_int_equal(logind_parse_session("UID=4294967295\n", &s), -EINVAL);
	assert_int_equal(logind_parse_session("UID=1\nLEADER=-5\n", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cgroup),
	    cmocka_unit_test(test_session_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
