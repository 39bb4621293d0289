// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "policy/pattern.h"

static void test_check(void **state)
{
	static const struct {
		const char *pat;
		size_t pos; /* (size_t)-1: valid */
		const char *what;
	} cases[] = {
	    {"pts/*", (size_t)-1, NULL},
	    {"tty[1-6]", (size_t)-1, NULL},
	    {"tty[!0-9]*", (size_t)-1, NULL},
	    {"tty[^a]", (size_t)-1, NULL},
	    {"[]]", (size_t)-1, NULL},
	    {"[!]]", (size_t)-1, NULL},
	    {"[a-]", (size_t)-1, NULL},
	    {"\\*", (size_t)-1, NULL},
	    {"[\\]]", (size_t)-1, NULL},
	    {"", (size_t)-1, NULL},
	    {"tty[1-6", 3, "unterminated ["},
	    {"ab[", 2, "unterminated ["},
	    {"[]", 0, "unterminated ["},
	    {"tty\\", 3, "lone \\"},
	    {"[a\\", 2, "lone \\"},
	    {"x[[:digit:]]", 2, "character classes"},
	    {"[[=a=]]", 1, "character classes"},
	    {"[z-a]", 1, "backwards"},
	};
	size_t i, pos;
	const char *what;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = pattern_check(cases[i].pat, &pos, &what);

		if (cases[i].pos == (size_t)-1) {
			if (r != 0)
				fail_msg("\"%s\" rejected: %s at %zu", cases[i].pat, what, pos);
			continue;
		}
		if (r != -EINVAL || pos != cases[i].pos || !strstr(what, cases[i].what))
			fail_msg("\"%s\": r=%d pos=%zu what=%s", cases[i].pat, r, pos,
				 r ? what : "(none)");
	}
}

static void test_match(void **state)
{
	static const struct {
		const char *pat, *s;
		bool m;
	} cases[] = {
	    {"pts/*", "pts/3", true},
	    {"pts/*", "pts/", true},
	    {"pts/*", "pts3", false},
	    {"*", "pts/3", true}, /* '*' crosses '/' (no FNM_PATHNAME) */
	    {"*", "", true},
	    {"?", "", false},
	    {"", "", true},
	    {"", "a", false},
	    {"tty[1-6]", "tty1", true},
	    {"tty[1-6]", "tty6", true},
	    {"tty[1-6]", "tty7", false},
	    {"tty[1-6]", "tty10", false},
	    {"ttyS*", "ttyS0", true},
	    {"ttyS*", "tty1", false},
	    {"tty[!0-9]*", "ttyS0", true},
	    {"tty[!0-9]*", "tty1", false},
	    {"\\*", "*", true},
	    {"\\*", "a", false},
	    {"a*b*c", "aXXbYYc", true},
	    {"a*b*c", "aXXbYY", false},
	    {"*.example.com", "a.b.example.com", true},
	    {"*.example.com", "example.com", false},
	    {"10.1.*", "10.1.2.3", true},
	    {"10.1.*", "10.10.2.3", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (pattern_match(cases[i].pat, cases[i].s, 0) != cases[i].m)
			fail_msg("\"%s\" vs \"%s\": want %d", cases[i].pat, cases[i].s, cases[i].m);
}

static void test_casefold(void **state)
{
	(void)state;
	assert_true(pattern_match("*.Example.COM", "host.example.com", PATTERN_CASEFOLD));
	assert_true(pattern_match("[a-c]x", "Bx", PATTERN_CASEFOLD));
	assert_true(pattern_match("[A-C]x", "bX", PATTERN_CASEFOLD));
	assert_false(pattern_match("[a-c]x", "Bx", 0));
	assert_false(pattern_match("*.Example.COM", "host.example.com", 0));
}

static void test_has_wildcard(void **state)
{
	(void)state;
	assert_true(pattern_has_wildcard("pts/*"));
	assert_true(pattern_has_wildcard("tty?"));
	assert_true(pattern_has_wildcard("tty[1]"));
	assert_false(pattern_has_wildcard("tty1"));
	assert_false(pattern_has_wildcard("a\\*b"));
}

/*
 * Agreement with glibc's fnmatch(3) (flags 0) on random patterns over a
 * small alphabet rich in special characters, for every pattern we accept.
 */
static void test_agrees_with_fnmatch(void **state)
{
	static const char pat_alpha[] = "ab/*?[]!^-\\";
	static const char str_alpha[] = "ab/*?[]!-\\";
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char pat[12], s[10];
	size_t pos;
	const char *what;
	int i, j, checked = 0;

	(void)state;
	for (i = 0; i < 400000; i++) {
		int pl, sl;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pl = (int)(x % sizeof(pat));
		sl = (int)((x >> 8) % sizeof(s));
		for (j = 0; j < pl; j++)
			pat[j] = pat_alpha[(x >> (j * 4 + 12)) % (sizeof(pat_alpha) - 1)];
		pat[pl] = '\0';
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		for (j = 0; j < sl; j++)
			s[j] = str_alpha[(x >> (j * 5)) % (sizeof(str_alpha) - 1)];
		s[sl] = '\0';
		if (pattern_check(pat, &pos, &what) < 0)
			continue;
		checked++;
		if (pattern_match(pat, s, 0) != (fnmatch(pat, s, 0) == 0))
			fail_msg("\"%s\" vs \"%s\": ours %d, fnmatch %d", pat, s,
				 pattern_match(pat, s, 0), fnmatch(pat, s, 0) == 0);
	}
	/* Make sure the generator is not degenerate. */
	assert_true(checked > 100000);
}

/* Many stars must not cost exponential time (glibc's fnmatch would). */
static void test_many_stars_fast(void **state)
{
	char pat[256], s[256];
	struct timespec a, b;
	int i;

	(void)state;
	for (i = 0; i < 127; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = 'a';
	}
	pat[254] = 'b';
	pat[255] = '\0';
	memset(s, 'a', sizeof(s) - 1);
	s[255] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_false(pattern_match(pat, s, 0));
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_casefold),
	    cmocka_unit_test(test_has_wildcard),
	    cmocka_unit_test(test_agrees_with_fnmatch),
	    cmocka_unit_test(test_many_stars_fast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
