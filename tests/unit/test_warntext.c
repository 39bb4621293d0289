// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/duration.h"
#include "policy/warntext.h"

static void test_check(void **state)
{
	static const struct {
		const char *t;
		size_t pos; /* (size_t)-1: valid */
		const char *msg;
	} cases[] = {
	    {"plain text", (size_t)-1, NULL},
	    {"{user} {tty} {left} {timeout}", (size_t)-1, NULL},
	    {"{{user}", (size_t)-1, NULL},
	    {"a } b }}", (size_t)-1, NULL},
	    {"", (size_t)-1, NULL},
	    {"hi {usr}", 3, "unknown placeholder {usr}"},
	    {"{User}", 0, "unknown placeholder {User}"},
	    {"end {", 4, "expected a placeholder"},
	    {"{user", 0, "expected a placeholder"},
	    {"{ user}", 0, "unknown placeholder { user}"},
	    {"{left}{{ok}} {bad{user}", 13, "expected a placeholder"},
	};
	char err[256];
	size_t i, pos;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		err[0] = '\0';
		pos = 12345;
		r = warntext_check(cases[i].t, &pos, err, sizeof(err));
		if (cases[i].pos == (size_t)-1) {
			if (r)
				fail_msg("\"%s\" rejected: %s", cases[i].t, err);
			continue;
		}
		if (r != -EINVAL || pos != cases[i].pos || !strstr(err, cases[i].msg))
			fail_msg("\"%s\": r=%d pos=%zu err=%s", cases[i].t, r, pos, err);
		assert_null(strchr(err, '\n'));
	}
}

static void test_format(void **state)
{
	struct warn_vars v = {
	    .user = "alice",
	    .tty = "pts/3",
	    .left_ns = 60 * NSEC_PER_SEC,
	    .timeout_ns = 15 * NSEC_PER_MIN,
	};
	char buf[256];
	int n;

	(void)state;
	n = warntext_format("{user} on {tty}: {left} left of {timeout}", &v, buf, sizeof(buf));
	assert_string_equal(buf, "alice on pts/3: 1min left of 15min");
	assert_int_equal(n, (int)strlen(buf));

	/* {{ is a literal brace; a lone } is literal too. */
	warntext_format("{{user}} {{{user}}", &v, buf, sizeof(buf));
	assert_string_equal(buf, "{user}} {alice}");

	/* Newlines become CRLF so raw-mode terminals render them. */
	warntext_format("\nline1\nline2", &v, buf, sizeof(buf));
	assert_string_equal(buf, "\r\nline1\r\nline2");

	/* UTF-8 passes through untouched. */
	warntext_format("Ende in {left} ⏳", &v, buf, sizeof(buf));
	assert_string_equal(buf, "Ende in 1min ⏳");
}

static void test_left_rounds_up(void **state)
{
	struct warn_vars v = {.user = "u", .tty = "t"};
	static const struct {
		uint64_t ns;
		const char *s;
	} cases[] = {
	    {0, "0s"},
	    {1, "1s"},
	    {NSEC_PER_SEC - 1, "1s"},
	    {NSEC_PER_SEC, "1s"},
	    {59 * NSEC_PER_SEC + 300 * NSEC_PER_MSEC, "1min"},
	    {90 * NSEC_PER_SEC, "1min 30s"},
	    {NSEC_PER_HOUR + 1, "1h 1s"},
	    /* No room to round up: stays at the floor rather than wrapping to 0. */
	    {UINT64_MAX, "30500w 3d 23h 34min 33s"},
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v.left_ns = cases[i].ns;
		warntext_format("{left}", &v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
	}
}

static void test_sanitizes(void **state)
{
	struct warn_vars v = {.user = "ev\x1b[2Jil\x7f", .tty = NULL};
	char buf[64];

	(void)state;
	/* Names come from outside: no escape sequences reach the terminal. */
	warntext_format("{user} {tty}", &v, buf, sizeof(buf));
	assert_string_equal(buf, "ev?[2Jil? ?");
}

static void test_truncation(void **state)
{
	struct warn_vars v = {.user = "alice", .tty = "pts/3"};
	char buf[8];
	char big[4];
	int n;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	n = warntext_format("hello {user}, goodbye", &v, buf, sizeof(buf));
	assert_int_equal(n, -ENOSPC);
	assert_string_equal(buf, "hello a");

	/* Never cut inside a UTF-8 sequence: "é" is two bytes. */
	n = warntext_format("abé", &v, big, sizeof(big));
	assert_int_equal(n, -ENOSPC);
	assert_string_equal(big, "ab");

	/* Nor between the CR and LF of a newline. */
	n = warntext_format("ab\ncd", &v, big, sizeof(big));
	assert_int_equal(n, -ENOSPC);
	assert_string_equal(big, "ab");

	/* Exactly fitting is not a truncation. */
	n = warntext_format("abc", &v, big, sizeof(big));
	assert_int_equal(n, 3);
	assert_string_equal(big, "abc");

	assert_int_equal(warntext_format("x", &v, big, 0), -ENOSPC);
}

static void test_rejects_bad_template(void **state)
{
	struct warn_vars v = {.user = "alice", .tty = "pts/3"};
	char buf[32];

	(void)state;
	assert_int_equal(warntext_format("hi {nope}", &v, buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check),	   cmocka_unit_test(test_format),
	    cmocka_unit_test(test_left_rounds_up), cmocka_unit_test(test_sanitizes),
	    cmocka_unit_test(test_truncation),	   cmocka_unit_test(test_rejects_bad_template),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
