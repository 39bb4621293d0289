/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The round-trip oracle of the configuration fuzzers: an accepted policy
 * prints (plain) to text that loads back to the same policy, field by field
 * (a value the printer drops or rewrites the same way twice would pass a text
 * comparison), and prints to the same text again. A parser that normalises
 * a value (tty's "/dev/") only once fails it as soon as the normalised value
 * could be normalised again.
 */
#ifndef TTYIDLE_FUZZ_ROUNDTRIP_H
#define TTYIDLE_FUZZ_ROUNDTRIP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/config.h"

static char *print_plain(const struct policy *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	policy_print(p, f, POLICY_PRINT_PLAIN);
	fclose(f);
	return text;
}

static bool same_settings(const struct settings *a, const struct settings *b)
{
	return a->idle_ns == b->idle_ns && a->warn_ns == b->warn_ns && a->clocks == b->clocks &&
	       a->action == b->action && a->signal_delay_ns[0] == b->signal_delay_ns[0] &&
	       a->signal_delay_ns[1] == b->signal_delay_ns[1] &&
	       strcmp(a->message, b->message) == 0;
}

static bool same_rule(const struct rule *a, const struct rule *b)
{
	size_t i;
	int k;

	if (strcmp(a->name, b->name) != 0 || !same_settings(&a->s, &b->s))
		return false;
	for (k = 0; k < MATCH_MAX; k++) {
		const struct match_list *x = &a->match[k], *y = &b->match[k];

		if (x->n != y->n)
			return false;
		for (i = 0; i < x->n; i++)
			if (strcmp(x->v[i].text, y->v[i].text) != 0 || x->v[i].lo != y->v[i].lo ||
			    x->v[i].hi != y->v[i].hi || x->v[i].numeric != y->v[i].numeric)
				return false;
	}
	return true;
}

/* What the daemon acts on; where values were read and what was inherited aside. */
static bool same_policy(const struct policy *a, const struct policy *b)
{
	size_t i;

	if (a->scope != b->scope || a->nrules != b->nrules || !same_rule(&a->global, &b->global))
		return false;
	for (i = 0; i < a->nrules; i++)
		if (!same_rule(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

static void roundtrip_check(const struct policy *p)
{
	struct policy q = {0};
	char err[512], *a, *b;

	a = print_plain(p);
	if (policy_load_buffer(&q, "printed.conf", a, strlen(a), err, sizeof(err)) < 0) {
		fprintf(stderr, "printed policy does not load: %s\n%s", err, a);
		abort();
	}
	b = print_plain(&q);
	if (!same_policy(p, &q)) {
		fprintf(stderr, "printed policy loads as a different one:\n%s\n---\n%s", a, b);
		abort();
	}
	if (strcmp(a, b) != 0) {
		fprintf(stderr, "round trip differs:\n%s\n---\n%s", a, b);
		abort();
	}
	free(a);
	free(b);
	policy_free(&q);
}

#endif /* TTYIDLE_FUZZ_ROUNDTRIP_H */
