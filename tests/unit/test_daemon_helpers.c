// SPDX-License-Identifier: GPL-2.0
/* The daemon's small pure helpers: JSON strings, capabilities, names, scope. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/config.h"
#include "daemon/engine.h"
#include "lib/jsonw.h"
#include "host/preflight.h"
#include "daemon/subject.h"
#include "lib/termview.h"

static char *json_of(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	json_string(f, s);
	fclose(f);
	return buf;
}

static void test_json_string(void **state)
{
	(void)state;
	assert_string_equal(json_of("pts/3"), "\"pts/3\"");
	assert_string_equal(json_of(NULL), "null");
	assert_string_equal(json_of("a\"b\\c"), "\"a\\\"b\\\\c\"");
	/* a user-controlled command name cannot end the string or add a line */
	assert_string_equal(json_of("x\ny\t\x01\x7f"), "\"x\\ny\\t\\u0001\\u007f\"");
	assert_string_equal(json_of("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

static void test_caps(void **state)
{
	uint64_t have;
	char miss[160];

	(void)state;
	assert_int_equal(
	    caps_parse_status("Name:\tx\nCapInh:\t0\nCapEff:\t000001ffffffffff\n", &have), 0);
	assert_true(have == 0x000001ffffffffffULL);
	assert_int_equal(caps_parse_status("Name:\tx\n", &have), -EINVAL);
	assert_int_equal(caps_missing(have, 1ULL << CAPN_SYS_ADMIN, miss, sizeof(miss)), 0);
	assert_int_equal(
	    caps_missing(1ULL << CAPN_KILL,
			 (1ULL << CAPN_KILL) | (1ULL << CAPN_SYS_ADMIN) | (1ULL << CAPN_BPF), miss,
			 sizeof(miss)),
	    2);
	assert_string_equal(miss, "CAP_SYS_ADMIN, CAP_BPF");
}

static void test_term_name(void **state)
{
	struct tty_key k = {.dev = (136u << 20) | 7, .devpts = 22};
	struct tty_rec r = {.kind = TTY_KIND_PTY, .index = 7};
	char out[64];

	(void)state;
	term_name(&k, &r, out, sizeof(out));
	assert_string_equal(out, "pts/7");
	r.kind = TTY_KIND_CONSOLE;
	strcpy(r.name, "ttyS0");
	term_name(&k, &r, out, sizeof(out));
	assert_string_equal(out, "ttyS0");
	r.name[0] = 0;
	term_name(&k, &r, out, sizeof(out));
	assert_string_equal(out, "dev136:7");
	assert_int_equal(kdev_major(k.dev), 136);
	assert_int_equal(kdev_minor((4u << 20) | 0xfffff), 0xfffff);
}

static void test_secs_and_clocks(void **state)
{
	(void)state;
	assert_true(secs_since(3000000000ULL, 1000000000ULL) == 2.0);
	assert_true(secs_since(1, 5) == 0.0); /* a future stamp is not negative idleness */
	assert_string_equal(clock_name(TTY_CLK_IN), "input");
	assert_string_equal(clock_name(TTY_CLK_OUT_READ), "output-read");
	assert_string_equal(clock_name((enum tty_clock)9), "none");
}

static void test_origin(void **state)
{
	(void)state;
	assert_int_equal(origin_of_service(SVC_SSHD), ORIGIN_LOGIN);
	assert_int_equal(origin_of_service(SVC_LOGIN), ORIGIN_LOGIN);
	assert_int_equal(origin_of_service(SVC_CONTAINER), ORIGIN_LOGIN);
	assert_int_equal(origin_of_service(SVC_MULTIPLEXER), ORIGIN_MULTIPLEXER);
	assert_int_equal(origin_of_service(SVC_OTHER), ORIGIN_OTHER);
}

static void test_subject(void **state)
{
	struct session_info *si = calloc(1, sizeof(*si));
	struct subject_buf b;

	(void)state;
	assert_non_null(si);
	si->uid = 1000;
	strcpy(si->user, "alice");
	si->gid = 50;
	strcpy(si->group, "staff");
	si->ngroups = 1;
	si->groups[0].gid = 27;
	strcpy(si->groups[0].name, "sudo");
	strcpy(si->tty, "pts/3");
	si->service = SVC_SSHD;
	subject_from_session(&b, si);
	assert_string_equal(b.s.user, "alice");
	assert_int_equal(b.s.ngids, 2);
	assert_int_equal(b.s.gids[1], 27);
	assert_string_equal(b.s.groups[1], "sudo");
	assert_string_equal(b.s.service, "sshd");
	assert_null(b.s.host); /* no remote host: only "*" may match */
	assert_int_equal(b.s.origin, ORIGIN_LOGIN);
	strcpy(si->remote, "192.0.2.7");
	subject_from_session(&b, si);
	assert_string_equal(b.s.host, "192.0.2.7");
	free(si);
}

static void test_min_lead(void **state)
{
	struct policy p = {0};
	char err[256];
	static const char conf[] =
	    "[global]\nidle-timeout = 15min\nwarn-before = 1min\n"
	    "[rule short]\nuser = bob\nidle-timeout = 2min\nwarn-before = 30s\n"
	    "[rule never]\nuser = carol\naction = exempt\nidle-timeout = 1s\n"
	    "warn-before = 0\n";

	(void)state;
	assert_int_equal(policy_load_buffer(&p, "t.conf", conf, strlen(conf), err, sizeof(err)), 0);
	/* exempt rules never need a first look */
	assert_true(policy_min_lead(&p) == 90ULL * 1000000000ULL);
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_string), cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_term_name),	cmocka_unit_test(test_secs_and_clocks),
	    cmocka_unit_test(test_origin),	cmocka_unit_test(test_subject),
	    cmocka_unit_test(test_min_lead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
