// SPDX-License-Identifier: GPL-2.0
/*
 * The name cache with a lookup of the test's own: one that blocks until the
 * test lets it go stands for a directory timing out. What is asserted is
 * that nothing waits for it, never how long anything took.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "host/nsscache.h"

#define SLOW_UID 2000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool released;
static unsigned int calls;

static void fake_lookup(enum nss_kind kind, unsigned int id, char *out, size_t outlen, gid_t *gid)
{
	pthread_mutex_lock(&mu);
	calls++;
	while (kind == NSS_USER && id == SLOW_UID && !released)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	*gid = (gid_t)-1;
	if (id == 4242) {
		snprintf(out, outlen, "%u", id); /* the database has no such id */
		return;
	}
	snprintf(out, outlen, "%s%u", kind == NSS_USER ? "u" : "g", id);
	if (kind == NSS_USER)
		*gid = 100 + id;
}

static void release_slow(void)
{
	pthread_mutex_lock(&mu);
	released = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/* Wait (bounded) until the cache says an answer landed, and acknowledge it. */
static void wait_answer(struct nss_cache *c)
{
	struct pollfd p = {.fd = nss_cache_fd(c), .events = POLLIN};

	assert_int_equal(poll(&p, 1, 10000), 1);
	nss_cache_ack(c);
}

/* ask until answered (each answer wakes the fd; several may land at once) */
static void wait_name(struct nss_cache *c, enum nss_kind kind, unsigned int id, char *out,
		      size_t len)
{
	int i;

	for (i = 0; i < 100 && !nss_name(c, kind, id, out, len); i++)
		wait_answer(c);
	assert_true(i < 100);
}

static int setup(void **state)
{
	struct nss_cache *c;

	released = false;
	calls = 0;
	alarm(20);
	if (nss_cache_new(&c, fake_lookup, NSS_CACHE_TTL_NS))
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	release_slow(); /* the worker must be free to stop */
	nss_cache_free(*state);
	alarm(0);
	return 0;
}

/* A miss answers "pending" at once, with the number; the worker then fills it in. */
static void test_miss_then_answer(void **state)
{
	struct nss_cache *c = *state;
	char name[64];
	gid_t gid;

	assert_int_equal(nss_name(c, NSS_USER, 1000, name, sizeof(name)), 0);
	assert_string_equal(name, "1000");
	wait_name(c, NSS_USER, 1000, name, sizeof(name));
	assert_string_equal(name, "u1000");
	assert_int_equal(nss_user_gid(c, 1000, name, sizeof(name), &gid), 1);
	assert_int_equal(gid, 1100);
	assert_int_equal(nss_name(c, NSS_GROUP, 1000, name, sizeof(name)), 0);
	wait_name(c, NSS_GROUP, 1000, name, sizeof(name));
	assert_string_equal(name, "g1000");
}

/*
 * A lookup that hangs (uid 2000) holds up nobody whose name is known: uid
 * 1000 is answered from memory while the worker is stuck, and uid 2000
 * stays pending, without blocking, until the lookup returns.
 */
static void test_slow_lookup_blocks_nobody(void **state)
{
	struct nss_cache *c = *state;
	char name[64];
	int i;

	assert_int_equal(nss_name(c, NSS_USER, 1000, name, sizeof(name)), 0);
	wait_name(c, NSS_USER, 1000, name, sizeof(name));
	assert_int_equal(nss_name(c, NSS_USER, SLOW_UID, name, sizeof(name)), 0);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(nss_name(c, NSS_USER, 1000, name, sizeof(name)), 1);
		assert_string_equal(name, "u1000");
		assert_int_equal(nss_name(c, NSS_USER, SLOW_UID, name, sizeof(name)), 0);
		assert_string_equal(name, "2000");
	}
	release_slow();
	wait_name(c, NSS_USER, SLOW_UID, name, sizeof(name));
	assert_string_equal(name, "u2000");
}

/* A miss asked for many times is looked up once. */
static void test_one_lookup_per_miss(void **state)
{
	struct nss_cache *c = *state;
	char name[64];
	int i;

	for (i = 0; i < 50; i++)
		nss_name(c, NSS_GROUP, 7, name, sizeof(name));
	wait_name(c, NSS_GROUP, 7, name, sizeof(name));
	assert_int_equal(nss_cache_lookups(c), 1);
}

/* An id the database lacks is cached as its number, and not asked again. */
static void test_unknown_id(void **state)
{
	struct nss_cache *c = *state;
	char name[64];
	gid_t gid;

	assert_int_equal(nss_name(c, NSS_USER, 4242, name, sizeof(name)), 0);
	wait_name(c, NSS_USER, 4242, name, sizeof(name));
	assert_string_equal(name, "4242");
	assert_int_equal(nss_user_gid(c, 4242, name, sizeof(name), &gid), 1);
	assert_int_equal(gid, (gid_t)-1);
	assert_int_equal(nss_cache_lookups(c), 1);
}

/* Past its lifetime an entry is still served, and refreshed behind it. */
static void test_stale_served_and_refreshed(void **state)
{
	struct nss_cache *c;
	char name[64];
	unsigned long before;

	(void)state;
	assert_int_equal(nss_cache_new(&c, fake_lookup, 0), 0);
	assert_int_equal(nss_name(c, NSS_USER, 1000, name, sizeof(name)), 0);
	wait_name(c, NSS_USER, 1000, name, sizeof(name));
	before = nss_cache_lookups(c);
	assert_int_equal(nss_name(c, NSS_USER, 1000, name, sizeof(name)), 1);
	assert_string_equal(name, "u1000");
	/* an earlier refresh may have woken the fd already: wait for this one's */
	while (nss_cache_lookups(c) <= before)
		wait_answer(c);
	nss_cache_free(c);
}

/* More ids than the table holds: it is emptied, not grown, and goes on answering. */
static void test_full_table(void **state)
{
	struct nss_cache *c = *state;
	char name[64];
	unsigned int id;

	for (id = 1; id <= NSS_CACHE_MAX + 10; id++) {
		nss_name(c, NSS_GROUP, id, name, sizeof(name));
		if (id % 512 == 0)
			while (nss_cache_lookups(c) < id)
				wait_answer(c);
	}
	wait_name(c, NSS_GROUP, NSS_CACHE_MAX + 10, name, sizeof(name));
	assert_int_equal(strcmp(name, "g4106"), 0);
}

/* Without a cache, names are asked for synchronously (one-shot commands). */
static void test_no_cache(void **state)
{
	char name[64];

	(void)state;
	assert_int_equal(nss_name(NULL, NSS_USER, 0, name, sizeof(name)), 1);
	assert_true(name[0] != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_miss_then_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slow_lookup_blocks_nobody, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_lookup_per_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_served_and_refreshed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_table, setup, teardown),
	    cmocka_unit_test(test_no_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
