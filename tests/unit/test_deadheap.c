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

#include "daemon/deadheap.h"

struct term {
	int id;
	struct deadheap_node node;
};

#define TERM_OF(n) ((struct term *)((char *)(n)-offsetof(struct term, node)))

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Every node knows its slot and every parent is <= its children. */
static void check_heap(const struct deadheap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		assert_int_equal(h->v[i]->idx, i);
		if (i)
			assert_true(h->v[(i - 1) / 2]->key <= h->v[i]->key);
	}
}

static void test_basic(void **state)
{
	struct deadheap h;
	struct term t[5];
	int i;

	(void)state;
	deadheap_init(&h);
	assert_null(deadheap_peek(&h));
	assert_null(deadheap_pop(&h));
	for (i = 0; i < 5; i++) {
		t[i].id = i;
		deadheap_node_init(&t[i].node);
		assert_false(deadheap_queued(&t[i].node));
	}
	assert_int_equal(deadheap_set(&h, &t[0].node, 50), 0);
	assert_int_equal(deadheap_set(&h, &t[1].node, 10), 0);
	assert_int_equal(deadheap_set(&h, &t[2].node, 30), 0);
	assert_int_equal(deadheap_set(&h, &t[3].node, 30), 0);
	assert_int_equal(deadheap_size(&h), 4);
	assert_int_equal(TERM_OF(deadheap_peek(&h))->id, 1);

	/* Update: move the earliest to the back, and another to the front. */
	assert_int_equal(deadheap_set(&h, &t[1].node, 100), 0);
	assert_int_equal(deadheap_size(&h), 4);
	assert_int_equal(deadheap_set(&h, &t[0].node, 5), 0);
	assert_int_equal(TERM_OF(deadheap_peek(&h))->id, 0);
	check_heap(&h);

	/* Remove is idempotent and ignores nodes never queued. */
	deadheap_remove(&h, &t[0].node);
	deadheap_remove(&h, &t[0].node);
	deadheap_remove(&h, &t[4].node);
	assert_false(deadheap_queued(&t[0].node));
	assert_int_equal(deadheap_size(&h), 3);
	check_heap(&h);

	assert_int_equal(deadheap_pop(&h)->key, 30);
	assert_int_equal(deadheap_pop(&h)->key, 30);
	assert_int_equal(TERM_OF(deadheap_pop(&h))->id, 1);
	assert_null(deadheap_pop(&h));
	assert_false(deadheap_queued(&t[1].node));

	/* Free unqueues what is left. */
	deadheap_set(&h, &t[2].node, 1);
	deadheap_free(&h);
	assert_false(deadheap_queued(&t[2].node));
	assert_int_equal(deadheap_size(&h), 0);
}

/* 20,000 terminals under random set/update/remove/pop, against a plain array. */
static void test_against_model(void **state)
{
	enum { N = 20000, OPS = 400000 };
	struct term *t = calloc(N, sizeof(*t));
	struct deadheap h;
	size_t queued = 0;
	int i, j;

	(void)state;
	assert_non_null(t);
	deadheap_init(&h);
	for (i = 0; i < N; i++) {
		t[i].id = i;
		deadheap_node_init(&t[i].node);
	}
	for (i = 0; i < OPS; i++) {
		uint64_t r = next_rand();
		struct term *x = &t[r % N];
		unsigned op = (unsigned)(r >> 32) % 10;

		if (op < 6) {
			if (!deadheap_queued(&x->node))
				queued++;
			/* Small key space: plenty of ties. */
			assert_int_equal(deadheap_set(&h, &x->node, next_rand() % 5000), 0);
		} else if (op < 8) {
			if (deadheap_queued(&x->node))
				queued--;
			deadheap_remove(&h, &x->node);
		} else {
			struct deadheap_node *top = deadheap_peek(&h);
			uint64_t min = UINT64_MAX;

			for (j = 0; j < N; j++)
				if (deadheap_queued(&t[j].node) && t[j].node.key < min)
					min = t[j].node.key;
			if (!top) {
				assert_int_equal(queued, 0);
				continue;
			}
			assert_int_equal(top->key, min);
			assert_ptr_equal(deadheap_pop(&h), top);
			assert_false(deadheap_queued(top));
			queued--;
			if (op == 9)
				i += 50; /* the O(N) model check is slow: do fewer */
		}
		assert_int_equal(deadheap_size(&h), queued);
	}
	check_heap(&h);
	/* Draining gives keys in order. */
	{
		uint64_t last = 0;
		struct deadheap_node *n;

		while ((n = deadheap_pop(&h))) {
			assert_true(n->key >= last);
			last = n->key;
		}
	}
	for (i = 0; i < N; i++)
		assert_false(deadheap_queued(&t[i].node));
	deadheap_free(&h);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
