// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/config.h"
#include "policy/deadline.h"
#include "policy/duration.h"

#define S   NSEC_PER_SEC
#define MIN NSEC_PER_MIN

/* Rules come from real configuration text, as in the daemon. */
static struct policy pol;

static int setup(void **state)
{
	static const char text[] = "[global]\n"
				   "idle-timeout = 15min\n"
				   "warn-before = 60s\n"
				   "[rule nowarn]\nuser = a\nwarn-before = 0\n"
				   "[rule io]\nuser = b\nactivity = input+output\n"
				   "[rule audit]\nuser = c\naction = warn\n"
				   "[rule exempt]\nuser = d\naction = exempt\n"
				   "[rule huge]\nuser = e\nidle-timeout = 30000w\n"
				   "[rule reads]\nuser = f\nactivity = input-read+output-read\n";
	char err[256];

	(void)state;
	if (policy_load_buffer(&pol, "d.conf", text, sizeof(text) - 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	policy_free(&pol);
	return 0;
}

static const struct rule *rule(const char *name)
{
	size_t i;

	if (strcmp(name, "global") == 0)
		return &pol.global;
	for (i = 0; i < pol.nrules; i++)
		if (strcmp(pol.rules[i].name, name) == 0)
			return &pol.rules[i];
	fail_msg("no rule %s", name);
	return NULL;
}

static void test_timeline(void **state)
{
	/* Seen at 100s, last keystroke at 200s: warn at 200+840, act at 200+900. */
	struct tty_rec rec = {.first_ns = 100 * S, .in_ns = 200 * S, .out_ns = 500 * S};
	const struct rule *g = rule("global");
	struct verdict v;

	(void)state;
	deadline_decide(&rec, g, 300 * S, &v);
	assert_int_equal(v.state, TTY_ACTIVE);
	assert_int_equal(v.last_clock, TTY_CLK_IN);
	assert_int_equal(v.last_ns, 200 * S);
	assert_int_equal(v.warn_ns, 200 * S + 14 * MIN);
	assert_int_equal(v.deadline_ns, 200 * S + 15 * MIN);
	assert_int_equal(v.next_ns, v.warn_ns);

	/* Output does not count under activity = input. */
	deadline_decide(&rec, g, 200 * S + 14 * MIN - 1, &v);
	assert_int_equal(v.state, TTY_ACTIVE);
	deadline_decide(&rec, g, 200 * S + 14 * MIN, &v);
	assert_int_equal(v.state, TTY_WARN_DUE);
	assert_int_equal(v.next_ns, 200 * S + 15 * MIN);
	deadline_decide(&rec, g, 200 * S + 15 * MIN - 1, &v);
	assert_int_equal(v.state, TTY_WARN_DUE);
	deadline_decide(&rec, g, 200 * S + 15 * MIN, &v);
	assert_int_equal(v.state, TTY_EXPIRED);
	assert_int_equal(v.next_ns, DEADLINE_NEVER);

	/* A keystroke moves everything. */
	rec.in_ns = 200 * S + 15 * MIN - 1;
	deadline_decide(&rec, g, 200 * S + 15 * MIN, &v);
	assert_int_equal(v.state, TTY_ACTIVE);
	assert_int_equal(v.deadline_ns, rec.in_ns + 15 * MIN);
	assert_string_equal(tty_state_name(v.state), "active");
}

/* Found already past the deadline: warned now, ended one lead later. */
static void test_notice(void **state)
{
	struct tty_rec rec = {.first_ns = 100 * S, .in_ns = 200 * S};
	const struct rule *g = rule("global");
	uint64_t now = 200 * S + 20 * MIN, due = 200 * S + 15 * MIN;
	struct verdict v;

	(void)state;
	/* never warned: warn now, act 60 s from now */
	deadline_decide(&rec, g, now, &v);
	assert_int_equal(v.state, TTY_EXPIRED);
	deadline_give_notice(&v, 0, now);
	assert_int_equal(v.state, TTY_WARN_DUE);
	assert_int_equal(v.warn_ns, now);
	assert_int_equal(v.deadline_ns, now + 60 * S);
	assert_int_equal(v.next_ns, now + 60 * S);
	assert_int_equal(v.last_ns, 200 * S);

	/* warned late at `now`: still warn-due until one lead after it */
	deadline_decide(&rec, g, now + 59 * S, &v);
	deadline_give_notice(&v, now, now + 59 * S);
	assert_int_equal(v.state, TTY_WARN_DUE);
	assert_int_equal(v.deadline_ns, now + 60 * S);
	deadline_decide(&rec, g, now + 60 * S, &v);
	deadline_give_notice(&v, now, now + 60 * S);
	assert_int_equal(v.state, TTY_EXPIRED);
	assert_int_equal(v.next_ns, DEADLINE_NEVER);

	/* warned on time: the deadline stays where the rule puts it */
	deadline_decide(&rec, g, due - 30 * S, &v);
	deadline_give_notice(&v, due - 60 * S, due - 30 * S);
	assert_int_equal(v.state, TTY_WARN_DUE);
	assert_int_equal(v.deadline_ns, due);
	deadline_decide(&rec, g, due, &v);
	deadline_give_notice(&v, due - 60 * S, due);
	assert_int_equal(v.state, TTY_EXPIRED);

	/* warned 10 s late: ended 10 s late, never with less than the lead */
	deadline_decide(&rec, g, due, &v);
	deadline_give_notice(&v, due - 50 * S, due);
	assert_int_equal(v.state, TTY_WARN_DUE);
	assert_int_equal(v.deadline_ns, due + 10 * S);

	/* a warning from before the last keystroke is for an earlier spell */
	deadline_decide(&rec, g, now, &v);
	deadline_give_notice(&v, 150 * S, now);
	assert_int_equal(v.state, TTY_WARN_DUE);
	assert_int_equal(v.deadline_ns, now + 60 * S);

	/* not yet due, not warned: unchanged */
	deadline_decide(&rec, g, 300 * S, &v);
	deadline_give_notice(&v, 0, 300 * S);
	assert_int_equal(v.state, TTY_ACTIVE);
	assert_int_equal(v.deadline_ns, due);
	assert_int_equal(v.warn_ns, due - 60 * S);
	assert_int_equal(v.next_ns, due - 60 * S);
	/* a warning time from the future counts as none */
	deadline_decide(&rec, g, now, &v);
	deadline_give_notice(&v, now + S, now);
	assert_int_equal(v.state, TTY_WARN_DUE);
	assert_int_equal(v.deadline_ns, now + 60 * S);

	/* no lead configured: expired stays expired */
	deadline_decide(&rec, rule("nowarn"), now, &v);
	deadline_give_notice(&v, 0, now);
	assert_int_equal(v.state, TTY_EXPIRED);
	/* exempt stays exempt */
	deadline_decide(&rec, rule("exempt"), now, &v);
	deadline_give_notice(&v, 0, now);
	assert_int_equal(v.state, TTY_EXEMPT);
}

static void test_clock_masks(void **state)
{
	struct tty_rec rec = {.first_ns = 10 * S,
			      .in_ns = 20 * S,
			      .in_read_ns = 30 * S,
			      .out_ns = 40 * S,
			      .out_read_ns = 50 * S};
	struct verdict v;
	int c;

	(void)state;
	deadline_decide(&rec, rule("io"), 60 * S, &v);
	assert_int_equal(v.last_clock, TTY_CLK_OUT);
	assert_int_equal(v.last_ns, 40 * S);
	deadline_decide(&rec, rule("reads"), 60 * S, &v);
	assert_int_equal(v.last_clock, TTY_CLK_OUT_READ);
	assert_int_equal(v.last_ns, 50 * S);
	assert_int_equal(deadline_last_activity(&rec, TTY_CLK_BIT(TTY_CLK_IN_READ), &c), 30 * S);
	assert_int_equal(c, TTY_CLK_IN_READ);
	assert_int_equal(deadline_last_activity(&rec, 0, &c), 10 * S);
	assert_int_equal(c, -1);
}

static void test_no_activity(void **state)
{
	/* Never typed in: idle since first seen; output alone does not help. */
	struct tty_rec rec = {.first_ns = 1000 * S, .out_ns = 2000 * S};
	struct verdict v;

	(void)state;
	deadline_decide(&rec, rule("global"), 1000 * S + 15 * MIN, &v);
	assert_int_equal(v.last_clock, -1);
	assert_int_equal(v.last_ns, 1000 * S);
	assert_int_equal(v.state, TTY_EXPIRED);

	/* Nothing known at all: count from now, never act at once. */
	memset(&rec, 0, sizeof(rec));
	deadline_decide(&rec, rule("global"), 5000 * S, &v);
	assert_int_equal(v.state, TTY_ACTIVE);
	assert_int_equal(v.last_ns, 5000 * S);
	assert_int_equal(v.deadline_ns, 5000 * S + 15 * MIN);
}

static void test_future_clamped(void **state)
{
	struct tty_rec rec = {.first_ns = 10 * S, .in_ns = 9000 * S};
	struct verdict v;

	(void)state;
	deadline_decide(&rec, rule("global"), 100 * S, &v);
	assert_int_equal(v.last_ns, 100 * S);
	assert_int_equal(v.deadline_ns, 100 * S + 15 * MIN);
	assert_int_equal(v.state, TTY_ACTIVE);
	rec.in_ns = 0;
	rec.first_ns = 9000 * S;
	deadline_decide(&rec, rule("global"), 100 * S, &v);
	assert_int_equal(v.last_ns, 100 * S);
}

static void test_no_warning(void **state)
{
	struct tty_rec rec = {.first_ns = 1, .in_ns = 100 * S};
	struct verdict v;
	uint64_t t;

	(void)state;
	/* warn-before = 0: ACTIVE right up to the deadline, never WARN_DUE. */
	for (t = 100 * S; t < 100 * S + 15 * MIN; t += 7 * S) {
		deadline_decide(&rec, rule("nowarn"), t, &v);
		assert_int_equal(v.state, TTY_ACTIVE);
		assert_int_equal(v.warn_ns, v.deadline_ns);
		assert_int_equal(v.next_ns, v.deadline_ns);
	}
	deadline_decide(&rec, rule("nowarn"), 100 * S + 15 * MIN, &v);
	assert_int_equal(v.state, TTY_EXPIRED);
}

static void test_audit_and_exempt(void **state)
{
	struct tty_rec rec = {.first_ns = 1, .in_ns = 100 * S};
	struct verdict v;

	(void)state;
	/* Audit mode decides like the real thing; the daemon only logs. */
	deadline_decide(&rec, rule("audit"), 100 * S + 14 * MIN, &v);
	assert_int_equal(v.state, TTY_WARN_DUE);
	deadline_decide(&rec, rule("audit"), 100 * S + 15 * MIN, &v);
	assert_int_equal(v.state, TTY_EXPIRED);

	deadline_decide(&rec, rule("exempt"), 100 * S + 99 * MIN, &v);
	assert_int_equal(v.state, TTY_EXEMPT);
	assert_int_equal(v.next_ns, DEADLINE_NEVER);
	deadline_decide(&rec, NULL, 100 * S + 99 * MIN, &v);
	assert_int_equal(v.state, TTY_EXEMPT);
	assert_int_equal(v.next_ns, DEADLINE_NEVER);
	assert_string_equal(tty_state_name(v.state), "exempt");
}

static void test_overflow(void **state)
{
	struct tty_rec rec = {.first_ns = 1, .in_ns = UINT64_MAX - 5 * S};
	struct verdict v;

	(void)state;
	/* Near the end of time the deadline saturates instead of wrapping. */
	deadline_decide(&rec, rule("global"), UINT64_MAX - 4 * S, &v);
	assert_int_equal(v.deadline_ns, DEADLINE_NEVER);
	assert_int_equal(v.warn_ns, DEADLINE_NEVER);
	assert_int_equal(v.state, TTY_ACTIVE);
	assert_int_equal(v.next_ns, DEADLINE_NEVER);

	rec.in_ns = 100 * S;
	deadline_decide(&rec, rule("huge"), 200 * S, &v);
	assert_int_equal(v.deadline_ns, 100 * S + 30000 * NSEC_PER_WEEK);
	assert_int_equal(v.state, TTY_ACTIVE);

	rec.in_ns = UINT64_MAX / 2;
	deadline_decide(&rec, rule("huge"), UINT64_MAX, &v);
	assert_int_equal(v.deadline_ns, DEADLINE_NEVER);
	assert_int_equal(v.state, TTY_ACTIVE);
}

/* Whatever the inputs, the verdict is self-consistent. */
static void test_invariants(void **state)
{
	uint64_t x = 0x2545f4914f6cdd1dULL;
	struct verdict v;
	int i, k;

	(void)state;
	for (i = 0; i < 200000; i++) {
		struct tty_rec rec;
		uint64_t now, vals[6];
		const struct rule *r = &pol.rules[i % pol.nrules];

		for (k = 0; k < 6; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mix small times, huge times and zeros. */
			vals[k] = (x & 3) == 0 ? 0 : (x & 3) == 1 ? x : x % (3600 * S);
		}
		memset(&rec, 0, sizeof(rec));
		rec.first_ns = vals[0];
		rec.in_ns = vals[1];
		rec.in_read_ns = vals[2];
		rec.out_ns = vals[3];
		rec.out_read_ns = vals[4];
		now = vals[5];
		deadline_decide(&rec, i % 7 ? r : &pol.global, now, &v);
		if (v.state == TTY_EXEMPT) {
			assert_int_equal(v.next_ns, DEADLINE_NEVER);
			continue;
		}
		assert_true(v.last_ns <= now);
		assert_true(v.warn_ns <= v.deadline_ns);
		assert_true(v.deadline_ns >= v.last_ns);
		switch (v.state) {
		case TTY_ACTIVE:
			assert_true(now < v.warn_ns || v.warn_ns == DEADLINE_NEVER);
			assert_int_equal(v.next_ns, v.warn_ns);
			break;
		case TTY_WARN_DUE:
			assert_true(now >= v.warn_ns && now < v.deadline_ns);
			assert_int_equal(v.next_ns, v.deadline_ns);
			break;
		case TTY_EXPIRED:
			assert_true(now >= v.deadline_ns);
			assert_int_equal(v.next_ns, DEADLINE_NEVER);
			break;
		default:
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timeline),	     cmocka_unit_test(test_notice),
	    cmocka_unit_test(test_clock_masks),	     cmocka_unit_test(test_no_activity),
	    cmocka_unit_test(test_future_clamped),   cmocka_unit_test(test_no_warning),
	    cmocka_unit_test(test_audit_and_exempt), cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_invariants),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
