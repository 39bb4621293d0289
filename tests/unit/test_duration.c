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

static void test_parse_valid(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} ok[] = {
	    {"15min", 15 * NSEC_PER_MIN},
	    {"90s", 90 * NSEC_PER_SEC},
	    {"90", 90 * NSEC_PER_SEC},
	    {"0", 0},
	    {"0s", 0},
	    {"1h30min", NSEC_PER_HOUR + 30 * NSEC_PER_MIN},
	    {"1h 30min", NSEC_PER_HOUR + 30 * NSEC_PER_MIN},
	    {"1 h 30 min", NSEC_PER_HOUR + 30 * NSEC_PER_MIN},
	    {"  2h\t", 2 * NSEC_PER_HOUR},
	    {"500ms", 500 * NSEC_PER_MSEC},
	    {"500msec", 500 * NSEC_PER_MSEC},
	    {"7us", 7 * NSEC_PER_USEC},
	    {"7usec", 7 * NSEC_PER_USEC},
	    {"1d", NSEC_PER_DAY},
	    {"2w", 2 * NSEC_PER_WEEK},
	    {"3m", 3 * NSEC_PER_MIN},
	    {"1hr", NSEC_PER_HOUR},
	    {"10sec", 10 * NSEC_PER_SEC},
	    {"1s500ms", NSEC_PER_SEC + 500 * NSEC_PER_MSEC},
	    {"007s", 7 * NSEC_PER_SEC},
	    /* Units may repeat; they add up, as in systemd. */
	    {"1min 1min", 2 * NSEC_PER_MIN},
	    /* The largest whole second count that fits. */
	    {"18446744073s", 18446744073ULL * NSEC_PER_SEC},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t ns = 12345;
		enum duration_error why = DURATION_SYNTAX;

		assert_int_equal(duration_parse(ok[i].s, &ns, NULL, &why), 0);
		assert_int_equal(why, DURATION_OK);
		if (ns != ok[i].ns)
			fail_msg("%s: got %llu, want %llu", ok[i].s, (unsigned long long)ns,
				 (unsigned long long)ok[i].ns);
	}
}

static void test_parse_invalid(void **state)
{
	static const struct {
		const char *s;
		int ret;
		enum duration_error why;
		size_t pos;
	} bad[] = {
	    {"", -EINVAL, DURATION_EMPTY, 0},
	    {"   ", -EINVAL, DURATION_EMPTY, 3},
	    {"-5min", -EINVAL, DURATION_NEGATIVE, 0},
	    {" -1", -EINVAL, DURATION_NEGATIVE, 1},
	    {"+5s", -EINVAL, DURATION_SYNTAX, 0},
	    {"15 minutes", -EINVAL, DURATION_UNIT, 3},
	    {"15minutes", -EINVAL, DURATION_UNIT, 2},
	    {"5x", -EINVAL, DURATION_UNIT, 1},
	    {"5S", -EINVAL, DURATION_UNIT, 1},
	    {"5MIN", -EINVAL, DURATION_UNIT, 1},
	    {"1.5h", -EINVAL, DURATION_SYNTAX, 1},
	    {"min", -EINVAL, DURATION_SYNTAX, 0},
	    {"1h 30", -EINVAL, DURATION_SYNTAX, 3},
	    {"30 1h", -EINVAL, DURATION_SYNTAX, 3},
	    {"1h,30min", -EINVAL, DURATION_SYNTAX, 2},
	    {"0x10s", -EINVAL, DURATION_UNIT, 1},
	    {"1e3s", -EINVAL, DURATION_UNIT, 1},
	    {"18446744074s", -ERANGE, DURATION_RANGE, 0},
	    {"99999999999999999999", -ERANGE, DURATION_RANGE, 0},
	    {"30501w", -ERANGE, DURATION_RANGE, 0},
	    {"18446744073s 1s", -ERANGE, DURATION_RANGE, 13},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t ns = 777;
		size_t pos = 999;
		enum duration_error why = DURATION_OK;
		int r = duration_parse(bad[i].s, &ns, &pos, &why);

		if (r != bad[i].ret || why != bad[i].why || pos != bad[i].pos)
			fail_msg("\"%s\": got r=%d why=%d pos=%zu, want r=%d why=%d pos=%zu",
				 bad[i].s, r, why, pos, bad[i].ret, bad[i].why, bad[i].pos);
		/* A rejected value leaves the output alone. */
		assert_int_equal(ns, 777);
	}
}

static void test_format(void **state)
{
	static const struct {
		uint64_t ns;
		const char *s;
	} fm[] = {
	    {0, "0"},
	    {NSEC_PER_SEC, "1s"},
	    {60 * NSEC_PER_SEC, "1min"},
	    {90 * NSEC_PER_SEC, "1min 30s"},
	    {15 * NSEC_PER_MIN, "15min"},
	    {NSEC_PER_HOUR + 30 * NSEC_PER_MIN, "1h 30min"},
	    {NSEC_PER_WEEK + NSEC_PER_DAY + NSEC_PER_SEC, "1w 1d 1s"},
	    {1500 * NSEC_PER_MSEC, "1s 500ms"},
	    {7 * NSEC_PER_USEC, "7us"},
	    /* Below a microsecond: rounded up, never shown shorter than it is. */
	    {1, "1us"},
	    {NSEC_PER_SEC + 1, "1s 1us"},
	    {999, "1us"},
	    {1001, "2us"},
	};
	char buf[DURATION_FMT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fm) / sizeof(fm[0]); i++) {
		int n = duration_format(fm[i].ns, buf, sizeof(buf));

		assert_string_equal(buf, fm[i].s);
		assert_int_equal(n, (int)strlen(fm[i].s));
	}
	/* The longest value fits DURATION_FMT_MAX. */
	assert_true(duration_format(UINT64_MAX, buf, sizeof(buf)) < DURATION_FMT_MAX);
	assert_true(duration_format(UINT64_MAX - 1, buf, sizeof(buf)) < DURATION_FMT_MAX);
}

static void test_format_truncates(void **state)
{
	char small[6];
	int n;

	(void)state;
	memset(small, 'x', sizeof(small));
	n = duration_format(NSEC_PER_HOUR + 30 * NSEC_PER_MIN, small, sizeof(small));
	/* Like snprintf: the full length is returned, the buffer is terminated. */
	assert_int_equal(n, (int)strlen("1h 30min"));
	assert_string_equal(small, "1h 30");
	assert_int_equal(duration_format(5 * NSEC_PER_SEC, NULL, 0), 2);
}

/* format then parse gives back the value, for every whole microsecond count. */
static void test_roundtrip(void **state)
{
	static const uint64_t units[] = {NSEC_PER_USEC, NSEC_PER_MSEC, NSEC_PER_SEC,
					 NSEC_PER_MIN,	NSEC_PER_HOUR, NSEC_PER_DAY};
	char buf[DURATION_FMT_MAX];
	uint64_t x = 88172645463325252ULL, v, back;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		/* xorshift64: deterministic, so a failure reproduces */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = (x % (UINT64_MAX / NSEC_PER_USEC)) * NSEC_PER_USEC;
		if (i % 2)
			v = (x % 100000) * units[i % 6];
		duration_format(v, buf, sizeof(buf));
		assert_int_equal(duration_parse(buf, &back, NULL, NULL), 0);
		if (back != v)
			fail_msg("%llu -> \"%s\" -> %llu", (unsigned long long)v, buf,
				 (unsigned long long)back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid), cmocka_unit_test(test_parse_invalid),
	    cmocka_unit_test(test_format),	cmocka_unit_test(test_format_truncates),
	    cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
