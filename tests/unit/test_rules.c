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

#include "policy/config.h"
#include "policy/rules.h"

static const char policy_text[] = "[global]\n"
				  "scope = login, multiplexer\n"
				  "\n"
				  "[rule tmux]\n" /* line 4 */
				  "service = multiplexer\n"
				  "action = exempt\n"
				  "\n"
				  "[rule console]\n" /* line 8 */
				  "tty = tty[1-6], ttyS*\n"
				  "idle-timeout = 5min\n"
				  "\n"
				  "[rule admins-remote]\n" /* line 12 */
				  "group = wheel, 27\n"
				  "host = *.corp.example.com, 10.0.*\n"
				  "idle-timeout = 1h\n"
				  "\n"
				  "[rule bob-or-carol]\n" /* line 17 */
				  "user = bob, carol\n"
				  "uid = 1000-1999\n"
				  "action = signal\n"
				  "\n"
				  "[rule sshd-local]\n" /* line 22 */
				  "service = sshd\n"
				  "host = *\n"
				  "action = warn\n";

static struct policy pol;

static int setup(void **state)
{
	char err[512];

	(void)state;
	if (policy_load_buffer(&pol, "rules.conf", policy_text, sizeof(policy_text) - 1, err,
			       sizeof(err)) < 0) {
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

static const gid_t alice_gids[] = {1000, 10};
static const char *const alice_groups[] = {"alice", "wheel"};

static struct subject alice(void)
{
	return (struct subject){
	    .user = "alice",
	    .uid = 1000,
	    .gids = alice_gids,
	    .ngids = 2,
	    .groups = alice_groups,
	    .ngroups = 2,
	    .tty = "pts/3",
	    .service = "sshd",
	    .host = "build.corp.example.com",
	    .origin = ORIGIN_LOGIN,
	};
}

static const char *name_of(const struct rule *r)
{
	return r ? r->name : "(out of scope)";
}

static void test_first_match_wins(void **state)
{
	struct subject s = alice();

	(void)state;
	/* Supplementary group wheel + a host under *.corp.example.com. */
	assert_string_equal(name_of(rules_match(&pol, &s)), "admins-remote");
	/* A console terminal is caught earlier, whoever logs in. */
	s.tty = "tty3";
	assert_string_equal(name_of(rules_match(&pol, &s)), "console");
	s.tty = "tty7";
	assert_string_equal(name_of(rules_match(&pol, &s)), "admins-remote");
	s.tty = "ttyS0";
	assert_string_equal(name_of(rules_match(&pol, &s)), "console");
}

static void test_and_or(void **state)
{
	struct subject s = alice();
	static const char *const none[] = {"staff"};
	static const gid_t staff[] = {50};

	(void)state;
	/* AND: wheel but a host outside the list is not admins-remote. */
	s.host = "laptop.home.example.org";
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
	/* OR inside host: the second pattern. */
	s.host = "10.0.3.4";
	assert_string_equal(name_of(rules_match(&pol, &s)), "admins-remote");
	/* Group by number only (no name passed for it). */
	s.groups = none;
	s.ngroups = 1;
	s.gids = (const gid_t[]){27};
	s.ngids = 1;
	assert_string_equal(name_of(rules_match(&pol, &s)), "admins-remote");
	s.gids = staff;
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
}

static void test_user_and_uid(void **state)
{
	struct subject s = alice();

	(void)state;
	s.ngroups = s.ngids = 0;
	s.user = "bob";
	s.uid = 1500;
	assert_string_equal(name_of(rules_match(&pol, &s)), "bob-or-carol");
	s.user = "carol";
	s.uid = 1999;
	assert_string_equal(name_of(rules_match(&pol, &s)), "bob-or-carol");
	s.uid = 2000; /* range upper bound is inclusive, and this is past it */
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
	s.uid = 1000;
	assert_string_equal(name_of(rules_match(&pol, &s)), "bob-or-carol");
	s.uid = 999;
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
	/* An unknown user matches no user key. */
	s.user = NULL;
	s.uid = 1500;
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
}

static void test_fallback_and_root(void **state)
{
	struct subject s = alice();
	const struct rule *r;

	(void)state;
	/* No hidden exemptions: root on a local login is enforced by [global]. */
	s.user = "root";
	s.uid = 0;
	s.gids = (const gid_t[]){0};
	s.groups = (const char *const[]){"root"};
	s.ngids = s.ngroups = 1;
	s.service = "login";
	s.host = NULL;
	s.tty = "pts/0";
	r = rules_match(&pol, &s);
	assert_ptr_equal(r, &pol.global);
	assert_int_equal(r->s.action, ACTION_HANGUP);
	assert_int_equal(r->s.idle_ns, 15 * 60 * 1000000000ULL);
}

static void test_host_semantics(void **state)
{
	struct subject s = alice();

	(void)state;
	s.ngroups = s.ngids = 0;
	/* A session with no remote host matches only "*"-like patterns. */
	s.host = NULL;
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
	s.host = "";
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
	/* Host patterns ignore case. */
	s.gids = alice_gids;
	s.groups = alice_groups;
	s.ngids = s.ngroups = 2;
	s.host = "BUILD.Corp.Example.COM";
	assert_string_equal(name_of(rules_match(&pol, &s)), "admins-remote");
	s.host = NULL;
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
}

static void test_scope(void **state)
{
	struct subject s = alice();
	struct policy def = {0};
	char err[256];

	(void)state;
	s.origin = ORIGIN_OTHER;
	assert_null(rules_match(&pol, &s));
	s.origin = ORIGIN_MULTIPLEXER;
	s.service = "multiplexer";
	assert_string_equal(name_of(rules_match(&pol, &s)), "tmux");
	s.origin = (enum origin)7; /* nonsense never counts as in scope */
	assert_null(rules_match(&pol, &s));

	/* The default policy leaves multiplexer panes and other terminals alone. */
	assert_int_equal(policy_load_default(&def, err, sizeof(err)), 0);
	s.origin = ORIGIN_MULTIPLEXER;
	assert_null(rules_match(&def, &s));
	s.origin = ORIGIN_OTHER;
	assert_null(rules_match(&def, &s));
	s.origin = ORIGIN_LOGIN;
	assert_ptr_equal(rules_match(&def, &s), &def.global);
	policy_free(&def);
}

static void test_unknown_tty(void **state)
{
	struct subject s = alice();

	(void)state;
	s.tty = NULL;
	s.ngroups = s.ngids = 0;
	assert_false(rule_matches(&pol.rules[1], &s)); /* console: tty patterns need a name */
	assert_string_equal(name_of(rules_match(&pol, &s)), "sshd-local");
}

static char *explain(const struct subject *s, const struct rule **out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	*out = rules_explain(&pol, s, f);
	fclose(f);
	return text;
}

static void test_explain(void **state)
{
	struct subject s = alice();
	const struct rule *r;
	char *text;

	(void)state;
	s.host = "10.9.9.9";
	text = explain(&s, &r);
	assert_string_equal(name_of(r), "sshd-local");
	assert_string_equal(
	    text, "subject: user alice, uid 1000, groups alice,wheel (gids 1000,10), tty pts/3, "
		  "service sshd, host 10.9.9.9, origin login\n"
		  "scope: login multiplexer; origin login is in scope\n"
		  "[rule tmux] (rules.conf:4): no match: service sshd is not one of: multiplexer\n"
		  "[rule console] (rules.conf:8): no match: tty pts/3 matches none of: tty[1-6], "
		  "ttyS*\n"
		  "[rule admins-remote] (rules.conf:12): no match: host 10.9.9.9 matches none of: "
		  "*.corp.example.com, 10.0.*\n"
		  "[rule bob-or-carol] (rules.conf:17): no match: user alice is not one of: bob, "
		  "carol\n"
		  "[rule sshd-local] (rules.conf:22): matches\n"
		  "=> [rule sshd-local]: audit only: log the warning due 1min before and the "
		  "action due after 15min idle (activity: input); nothing is touched\n");
	free(text);

	/* Every failing key is listed, not just the first. */
	s.user = "dave";
	s.uid = 5;
	s.service = "login";
	s.gids = (const gid_t[]){100};
	s.groups = (const char *const[]){"users"};
	s.ngids = s.ngroups = 1;
	text = explain(&s, &r);
	assert_ptr_equal(r, &pol.global);
	assert_non_null(strstr(text,
			       "[rule admins-remote] (rules.conf:12): no match: groups (users; "
			       "gids 100) include none of: wheel, 27; host 10.9.9.9 matches "
			       "none of: *.corp.example.com, 10.0.*\n"));
	assert_non_null(strstr(text, "[rule bob-or-carol] (rules.conf:17): no match: user dave is "
				     "not one of: bob, carol; uid 5 is not in: 1000-1999\n"));
	assert_non_null(strstr(text,
			       "no rule matches: [global] applies\n=> [global]: hang up after "
			       "15min idle (activity: input), warning 1min before\n"));
	free(text);

	/* Out of scope: say so, and name where the scope was set. */
	s.origin = ORIGIN_OTHER;
	text = explain(&s, &r);
	assert_null(r);
	assert_non_null(strstr(text, "scope: login multiplexer; origin other is out of scope (set "
				     "at rules.conf:2): this terminal is never touched\n"));
	assert_null(strstr(text, "[rule"));
	free(text);

	/* Unknown fields are shown as such. */
	s = alice();
	s.tty = NULL;
	s.host = NULL;
	s.user = NULL;
	text = explain(&s, &r);
	assert_non_null(strstr(text, "tty (unknown) matches none of: tty[1-6], ttyS*"));
	assert_non_null(strstr(text, "host (none) matches none of"));
	free(text);
}

static void test_describe(void **state)
{
	char buf[256];

	(void)state;
	rule_describe(&pol.rules[0], buf, sizeof(buf));
	assert_string_equal(buf, "exempt: never ended");
	rule_describe(&pol.rules[1], buf, sizeof(buf));
	assert_string_equal(buf, "hang up after 5min idle (activity: input), warning 1min before");
	rule_describe(&pol.rules[3], buf, sizeof(buf));
	assert_string_equal(buf, "SIGHUP after 15min idle (activity: input), SIGTERM 5s later, "
				 "SIGKILL 5s after that, warning 1min before");
}

/* The journal's policy line: scope, [global], each rule by name, in rule_describe's words. */
static void test_policy_describe(void **state)
{
	char buf[2048], g[256], r0[256], want[1024], small[40];
	struct policy q;

	(void)state;
	rule_describe(&pol.global, g, sizeof(g));
	rule_describe(&pol.rules[0], r0, sizeof(r0));
	policy_describe(&pol, buf, sizeof(buf));
	snprintf(want, sizeof(want),
		 "scope = login, multiplexer; sessions no rule matches: %s; rules: %s (%s), %s (",
		 g, pol.rules[0].name, r0, pol.rules[1].name);
	assert_memory_equal(buf, want, strlen(want));
	assert_non_null(strstr(buf, "SIGTERM 5s later, SIGKILL 5s after that"));
	assert_string_equal(buf + strlen(buf) -
				strlen("; nobody is exempt unless a rule says so, root included"),
			    "; nobody is exempt unless a rule says so, root included");
	/* an exempt [global] does not claim nobody is exempt */
	q = pol;
	q.global.s.action = ACTION_EXEMPT;
	policy_describe(&q, buf, sizeof(buf));
	assert_null(strstr(buf, "nobody is exempt"));
	assert_non_null(strstr(buf, "sessions no rule matches: exempt: never ended; rules: "));
	/* too long: cut, and says so */
	policy_describe(&pol, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small + sizeof(small) - 4, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_match_wins),
	    cmocka_unit_test(test_and_or),
	    cmocka_unit_test(test_policy_describe),
	    cmocka_unit_test(test_user_and_uid),
	    cmocka_unit_test(test_fallback_and_root),
	    cmocka_unit_test(test_host_semantics),
	    cmocka_unit_test(test_scope),
	    cmocka_unit_test(test_unknown_tty),
	    cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
