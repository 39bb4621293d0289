// SPDX-License-Identifier: GPL-2.0
/*
 * The effective policy as configuration text. Plain output is what
 * check-config and the fuzzer compare, so it must load back to the same
 * policy and print the same text again; annotated output adds where each
 * value comes from for an operator.
 */
#include <stdio.h>
#include <string.h>

#include "policy/config_int.h"
#include "policy/duration.h"

static void print_message(FILE *f, const char *m)
{
	for (; *m; m++) {
		if (*m == '\n')
			fputs("\\n", f);
		else if (*m == '\\')
			fputs("\\\\", f);
		else
			fputc(*m, f);
	}
}

static void print_setting(FILE *f, const struct settings *s, int which)
{
	char a[DURATION_FMT_MAX], b[DURATION_FMT_MAX];

	fprintf(f, "%s = ", setting_name((enum setting)which));
	switch (which) {
	case SET_IDLE:
		duration_format(s->idle_ns, a, sizeof(a));
		fputs(a, f);
		break;
	case SET_WARN:
		duration_format(s->warn_ns, a, sizeof(a));
		fputs(a, f);
		break;
	case SET_ACTIVITY:
		activity_format(s->clocks, a, sizeof(a));
		fputs(a, f);
		break;
	case SET_ACTION:
		fputs(action_name(s->action), f);
		break;
	case SET_SIGDELAYS: {
		char *q;

		duration_format(s->signal_delay_ns[0], a, sizeof(a));
		duration_format(s->signal_delay_ns[1], b, sizeof(b));
		/* Inside a list a duration must not contain blanks. */
		while ((q = strchr(a, ' ')))
			memmove(q, q + 1, strlen(q));
		while ((q = strchr(b, ' ')))
			memmove(q, q + 1, strlen(q));
		fprintf(f, "%s %s", a, b);
		break;
	}
	case SET_MESSAGE:
		print_message(f, s->message);
		break;
	}
	fputc('\n', f);
}

static void print_match(FILE *f, const struct rule *r)
{
	size_t i;
	int k;

	for (k = 0; k < MATCH_MAX; k++) {
		if (!r->match[k].n)
			continue;
		fprintf(f, "%s =", match_key_name((enum match_key)k));
		for (i = 0; i < r->match[k].n; i++)
			fprintf(f, "%s %s", i ? "," : "", r->match[k].v[i].text);
		fputc('\n', f);
	}
}

static void print_rule(FILE *f, const struct rule *r, bool plain)
{
	bool any = false;
	int s;

	fprintf(f, "\n[rule %s]\n", r->name);
	if (!plain)
		fprintf(f, "# defined at %s:%u\n", r->where.file, r->where.line);
	print_match(f, r);
	for (s = 0; s < SET_MAX; s++)
		if (plain || (r->own & (1u << s)))
			print_setting(f, &r->s, s);
	for (s = 0; s < SET_MAX && !plain; s++) {
		if (r->own & (1u << s))
			continue;
		if (!plain && !any)
			fputs("# inherited from [global]:\n", f);
		any = true;
		print_setting(f, &r->s, s);
	}
}

void policy_print(const struct policy *p, FILE *f, unsigned flags)
{
	bool plain = flags & POLICY_PRINT_PLAIN;
	int o, s, n = 0, pass, any = 0;
	size_t i;

	if (!plain) {
		fputs("# ttyidle effective policy, read from:", f);
		for (i = 0; i < p->nsources; i++)
			fprintf(f, "%s %s", i ? "," : "", p->sources[i]);
		fputs("\n# Terminals whose origin is out of scope are never touched. Rules are "
		      "tried\n"
		      "# in order and the first that matches applies; terminals that match no\n"
		      "# rule get [global].\n",
		      f);
	}
	fputs("\n[global]\n", f);
	/*
	 * Annotated: values set in files first, each with its origin, then the
	 * defaults. Plain: one fixed order, so that equal policies print equal.
	 */
	for (pass = plain ? 1 : 0; pass < 2; pass++) {
		for (s = -1; s < SET_MAX; s++) {
			const struct srcloc *w = s < 0 ? &p->scope_where : &p->global.s.where[s];
			bool builtin = strcmp(w->file, POLICY_BUILTIN_NAME) == 0;

			if (!plain && builtin != (pass == 1))
				continue;
			if (!plain && !builtin)
				fprintf(f, "# from %s:%u\n", w->file, w->line);
			if (!plain && builtin && !any++)
				fputs("# built-in defaults:\n", f);
			if (s >= 0) {
				print_setting(f, &p->global.s, s);
				continue;
			}
			fputs("scope =", f);
			if (p->scope == SCOPE_ALL)
				fputs(" all", f);
			else
				for (o = 0; o < ORIGIN_MAX; o++)
					if (p->scope & SCOPE_BIT(o))
						fprintf(f, "%s %s", n++ ? "," : "",
							origin_name((enum origin)o));
			fputc('\n', f);
		}
	}
	for (i = 0; i < p->nrules; i++)
		print_rule(f, &p->rules[i], plain);
}
