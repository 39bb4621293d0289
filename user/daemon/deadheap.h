/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Min-heap of terminals keyed by the next time each needs attention, so the
 * daemon arms one timerfd for the nearest and never scans every terminal on
 * a wake-up. Intrusive: embed a struct deadheap_node in the per-terminal
 * object and get back to it with container_of(). All operations are
 * O(log n) but peek, which is O(1); no allocation except growing the array.
 */
#ifndef TTYIDLE_DEADHEAP_H
#define TTYIDLE_DEADHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEADHEAP_NONE ((size_t)-1)

struct deadheap_node {
	uint64_t key; /* valid while queued */
	size_t idx;   /* slot in the heap, DEADHEAP_NONE when not queued */
};

struct deadheap {
	struct deadheap_node **v;
	size_t n, cap;
};

/* A node must be initialised before its first use (not queued). */
static inline void deadheap_node_init(struct deadheap_node *n)
{
	n->key = 0;
	n->idx = DEADHEAP_NONE;
}

static inline bool deadheap_queued(const struct deadheap_node *n)
{
	return n->idx != DEADHEAP_NONE;
}

void deadheap_init(struct deadheap *h);
/* Frees the array; queued nodes are left marked as not queued. */
void deadheap_free(struct deadheap *h);

/* Queue n with key, or move it if queued already. Returns 0 or -ENOMEM. */
int deadheap_set(struct deadheap *h, struct deadheap_node *n, uint64_t key);

/* Unqueue n; nothing happens if it is not queued. */
void deadheap_remove(struct deadheap *h, struct deadheap_node *n);

/* The node with the smallest key, or NULL when empty. */
struct deadheap_node *deadheap_peek(const struct deadheap *h);

/* Unqueue and return the node with the smallest key, or NULL. */
struct deadheap_node *deadheap_pop(struct deadheap *h);

static inline size_t deadheap_size(const struct deadheap *h)
{
	return h->n;
}

#endif /* TTYIDLE_DEADHEAP_H */
