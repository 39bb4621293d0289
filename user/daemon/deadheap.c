// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "daemon/deadheap.h"

void deadheap_init(struct deadheap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
}

void deadheap_free(struct deadheap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		h->v[i]->idx = DEADHEAP_NONE;
	free(h->v);
	deadheap_init(h);
}

static void place(struct deadheap *h, size_t i, struct deadheap_node *n)
{
	h->v[i] = n;
	n->idx = i;
}

static void sift_up(struct deadheap *h, size_t i)
{
	struct deadheap_node *n = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent]->key <= n->key)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct deadheap *h, size_t i)
{
	struct deadheap_node *n = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->key < h->v[c]->key)
			c++;
		if (n->key <= h->v[c]->key)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, n);
}

int deadheap_set(struct deadheap *h, struct deadheap_node *n, uint64_t key)
{
	uint64_t old = n->key;

	if (deadheap_queued(n)) {
		n->key = key;
		if (key < old)
			sift_up(h, n->idx);
		else if (key > old)
			sift_down(h, n->idx);
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct deadheap_node **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	n->key = key;
	place(h, h->n++, n);
	sift_up(h, h->n - 1);
	return 0;
}

void deadheap_remove(struct deadheap *h, struct deadheap_node *n)
{
	size_t i = n->idx;
	struct deadheap_node *last;

	if (!deadheap_queued(n) || i >= h->n || h->v[i] != n)
		return;
	n->idx = DEADHEAP_NONE;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	place(h, i, last);
	/* The moved node may belong above or below its new slot. */
	sift_up(h, i);
	sift_down(h, last->idx);
}

struct deadheap_node *deadheap_peek(const struct deadheap *h)
{
	return h->n ? h->v[0] : NULL;
}

struct deadheap_node *deadheap_pop(struct deadheap *h)
{
	struct deadheap_node *top = deadheap_peek(h);

	if (top)
		deadheap_remove(h, top);
	return top;
}
