// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "policy/duration.h"
#include "policy/pattern.h"
#include "policy/rules.h"
#include "lib/textsafe.h"

bool policy_in_scope(const struct policy *p, enum origin o)
{
	return (unsigned)o < ORIGIN_MAX && (p->scope & SCOPE_BIT(o));
}

static bool key_matches(const struct match_list *m, enum match_key k, const struct subject *s)
{
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		const struct match_item *it = &m->v[i];

		switch (k) {
		case MATCH_USER:
			if (s->user && strcmp(s->user, it->text) == 0)
				return true;
			break;
		case MATCH_GROUP:
			if (it->numeric) {
				for (j = 0; j < s->ngids; j++)
					if (s->gids[j] == it->lo)
						return true;
			} else {
				for (j = 0; j < s->ngroups; j++)
					if (s->groups[j] && strcmp(s->groups[j], it->text) == 0)
						return true;
			}
			break;
		case MATCH_UID:
			if (s->uid >= it->lo && s->uid <= it->hi)
				return true;
			break;
		case MATCH_TTY:
			if (pattern_match(it->text, s->tty ? s->tty : "", 0))
				return true;
			break;
		case MATCH_SERVICE:
			if (s->service && strcmp(s->service, it->text) == 0)
				return true;
			break;
		case MATCH_HOST:
			if (pattern_match(it->text, s->host ? s->host : "", PATTERN_CASEFOLD))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

bool rule_matches(const struct rule *r, const struct subject *s)
{
	int k;

	for (k = 0; k < MATCH_MAX; k++)
		if (r->match[k].n && !key_matches(&r->match[k], (enum match_key)k, s))
			return false;
	return true;
}

const struct rule *rules_match(const struct policy *p, const struct subject *s)
{
	size_t i;

	if (!policy_in_scope(p, s->origin))
		return NULL;
	for (i = 0; i < p->nrules; i++)
		if (rule_matches(&p->rules[i], s))
			return &p->rules[i];
	return &p->global;
}

int rule_describe(const struct rule *r, char *buf, size_t len)
{
	char idle[DURATION_FMT_MAX], warn[DURATION_FMT_MAX], d0[DURATION_FMT_MAX],
	    d1[DURATION_FMT_MAX], act[64], w[96];

	duration_format(r->s.idle_ns, idle, sizeof(idle));
	duration_format(r->s.warn_ns, warn, sizeof(warn));
	duration_format(r->s.signal_delay_ns[0], d0, sizeof(d0));
	duration_format(r->s.signal_delay_ns[1], d1, sizeof(d1));
	activity_format(r->s.clocks, act, sizeof(act));
	if (r->s.warn_ns)
		snprintf(w, sizeof(w), "warning %s before", warn);
	else
		snprintf(w, sizeof(w), "no warning");

	switch (r->s.action) {
	case ACTION_EXEMPT:
		return snprintf(buf, len, "exempt: never ended");
	case ACTION_HANGUP:
		return snprintf(buf, len, "hang up after %s idle (activity: %s), %s", idle, act, w);
	case ACTION_SIGNAL:
		return snprintf(buf, len,
				"SIGHUP after %s idle (activity: %s), SIGTERM %s later, SIGKILL %s "
				"after that, %s",
				idle, act, d0, d1, w);
	case ACTION_WARN:
		if (!r->s.warn_ns)
			return snprintf(buf, len,
					"audit only: log the action due after %s idle (activity: "
					"%s); nothing is touched",
					idle, act);
		return snprintf(buf, len,
				"audit only: log the warning due %s before and the action due "
				"after %s idle (activity: %s); nothing is touched",
				warn, idle, act);
	}
	return snprintf(buf, len, "?");
}

static void print_values(FILE *f, const struct match_list *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		fprintf(f, "%s%s", i ? ", " : "", m->v[i].text);
}

static void print_why(FILE *f, const struct match_list *m, enum match_key k,
		      const struct subject *s)
{
	size_t i;

	switch (k) {
	case MATCH_USER:
		fputs("user ", f);
		text_safe_write(f, s->user ? s->user : "(unknown)");
		fputs(" is not one of: ", f);
		break;
	case MATCH_GROUP:
		fputs("groups (", f);
		for (i = 0; i < s->ngroups; i++) {
			fputs(i ? ", " : "", f);
			text_safe_write(f, s->groups[i] ? s->groups[i] : "?");
		}
		fputs("; gids ", f);
		for (i = 0; i < s->ngids; i++)
			fprintf(f, "%s%u", i ? ", " : "", (unsigned)s->gids[i]);
		fputs(") include none of: ", f);
		break;
	case MATCH_UID:
		fprintf(f, "uid %u is not in: ", (unsigned)s->uid);
		break;
	case MATCH_TTY:
		fputs("tty ", f);
		text_safe_write(f, s->tty ? s->tty : "(unknown)");
		fputs(" matches none of: ", f);
		break;
	case MATCH_SERVICE:
		fputs("service ", f);
		text_safe_write(f, s->service ? s->service : "(unknown)");
		fputs(" is not one of: ", f);
		break;
	case MATCH_HOST:
		fputs("host ", f);
		text_safe_write(f, s->host && *s->host ? s->host : "(none)");
		fputs(" matches none of: ", f);
		break;
	default:
		break;
	}
	print_values(f, m);
}

const struct rule *rules_explain(const struct policy *p, const struct subject *s, FILE *f)
{
	const struct rule *match = NULL;
	char desc[512];
	size_t i;
	int k, o;

	/* names from NSS, the command line or /proc: in their terminal form */
	fputs("subject: user ", f);
	text_safe_write(f, s->user ? s->user : "(unknown)");
	fprintf(f, ", uid %u, groups ", (unsigned)s->uid);
	for (i = 0; i < s->ngroups; i++) {
		fputs(i ? "," : "", f);
		text_safe_write(f, s->groups[i] ? s->groups[i] : "?");
	}
	fputs(" (gids ", f);
	for (i = 0; i < s->ngids; i++)
		fprintf(f, "%s%u", i ? "," : "", (unsigned)s->gids[i]);
	fputs("), tty ", f);
	text_safe_write(f, s->tty ? s->tty : "(unknown)");
	fputs(", service ", f);
	text_safe_write(f, s->service ? s->service : "(unknown)");
	fputs(", host ", f);
	text_safe_write(f, s->host && *s->host ? s->host : "(none)");
	fprintf(f, ", origin %s\n", origin_name(s->origin));

	fputs("scope:", f);
	for (o = 0; o < ORIGIN_MAX; o++)
		if (p->scope & SCOPE_BIT(o))
			fprintf(f, " %s", origin_name((enum origin)o));
	if (!policy_in_scope(p, s->origin)) {
		fprintf(f,
			"; origin %s is out of scope (set at %s:%u): this terminal is never "
			"touched\n",
			origin_name(s->origin), p->scope_where.file, p->scope_where.line);
		return NULL;
	}
	fprintf(f, "; origin %s is in scope\n", origin_name(s->origin));

	for (i = 0; i < p->nrules && !match; i++) {
		const struct rule *r = &p->rules[i];
		bool first = true;

		fprintf(f, "[rule %s] (%s:%u): ", r->name, r->where.file, r->where.line);
		for (k = 0; k < MATCH_MAX; k++) {
			if (!r->match[k].n || key_matches(&r->match[k], (enum match_key)k, s))
				continue;
			fputs(first ? "no match: " : "; ", f);
			print_why(f, &r->match[k], (enum match_key)k, s);
			first = false;
		}
		if (first) {
			fputs("matches\n", f);
			match = r;
		} else {
			fputc('\n', f);
		}
	}
	if (!match) {
		match = &p->global;
		fprintf(f, "%s[global] applies\n",
			p->nrules ? "no rule matches: " : "no rules are defined: ");
	}
	rule_describe(match, desc, sizeof(desc));
	fprintf(f, "=> %s%s%s: %s\n", match == &p->global ? "[global" : "[rule ",
		match == &p->global ? "" : match->name, "]", desc);
	return match;
}

void policy_describe(const struct policy *p, char *buf, size_t len)
{
	char rule[512];
	size_t i, off = 0;
	int o, first = 1;

#define PUT(...)                                                                      \
	do {                                                                          \
		int n_ = snprintf(buf + off, off < len ? len - off : 0, __VA_ARGS__); \
		off += n_ > 0 ? (size_t)n_ : 0;                                       \
	} while (0)
	PUT("scope =");
	for (o = 0; o < ORIGIN_MAX; o++)
		if (p->scope & SCOPE_BIT(o)) {
			PUT("%s %s", first ? "" : ",", origin_name((enum origin)o));
			first = 0;
		}
	for (i = 0; i <= p->nrules; i++) {
		const struct rule *r = i ? &p->rules[i - 1] : &p->global;

		rule_describe(r, rule, sizeof(rule));
		if (i)
			PUT("%s %s (%s)", i == 1 ? "; rules:" : ",", r->name, rule);
		else
			PUT("; sessions no rule matches: %s", rule);
	}
	if (p->global.s.action != ACTION_EXEMPT)
		PUT("; nobody is exempt unless a rule says so, root included");
#undef PUT
	if (off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}
