// SPDX-License-Identifier: GPL-2.0
/*
 * The match keys of a [rule]: user, group, uid, tty, service and host. Each
 * value is a list; conf_parse_match() splits it and hands every item to the
 * key's own function, so the rules that are one key's (numeric groups, the
 * "/dev/" prefix of ttys, PTY numbers) stay in that key's function.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/config_int.h"
#include "policy/pattern.h"

static bool valid_name(const char *s, size_t n, size_t max)
{
	size_t i;

	/* POSIX portable user names, plus a trailing '$' for machine accounts. */
	if (n == 0 || n > max || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (conf_is_alnum(c) || c == '_' || c == '.' || c == '-')
			continue;
		if (c == '$' && i == n - 1 && n > 1)
			continue;
		return false;
	}
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!conf_is_digit(s[i]))
			return false;
	return n > 0;
}

static int parse_id(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!all_digits(s, n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		/* (uid_t)-1 means "no id" to the kernel, so it cannot be matched. */
		if (v > UINT32_MAX - 1)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

void conf_free_match(struct match_list *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].text);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/*
 * Does a tty pattern single out some PTY numbers? Which number a login gets
 * is the user's to steer (it holds the numbers it does not want), so a rule
 * may match all PTYs or none, never some. Sampled: patterns that tell numbers
 * apart do so among small ones.
 */
static bool picks_pts_numbers(const char *pat)
{
	static const unsigned big[] = {12345, 123456, 1048575};
	bool some = false, all = true, m;
	char name[32];
	unsigned n;

	for (n = 0; n < 2000 + ARRAY_SIZE(big); n++) {
		snprintf(name, sizeof(name), "pts/%u", n < 2000 ? n : big[n - 2000]);
		m = pattern_match(pat, name, 0);
		some |= m;
		all &= m;
	}
	return some && !all;
}

static int check_name(struct parser *ps, const struct keydef *kd, const struct tok *t)
{
	if (!valid_name(t->s, t->n, CONF_USER_MAX))
		return conf_perr(ps, t->s,
				 "expected a %s name (letters, digits, \"_\", \".\", \"-\"; at "
				 "most %d), got %s",
				 kd->name, CONF_USER_MAX, Q(t->s, t->n));
	return 0;
}

int conf_item_user(struct parser *ps, const struct keydef *kd, struct tok *t, struct match_item *it)
{
	/* The NSS name "1000" would be legal, but it is far likelier a uid. */
	if (all_digits(t->s, t->n))
		return conf_perr(ps, t->s,
				 "expected a user name, got %s (use uid = %.*s for numeric ids)",
				 Q(t->s, t->n), (int)t->n, t->s);
	return check_name(ps, kd, t);
}

int conf_item_group(struct parser *ps, const struct keydef *kd, struct tok *t,
		    struct match_item *it)
{
	if (!all_digits(t->s, t->n))
		return check_name(ps, kd, t);
	if (parse_id(t->s, t->n, &it->lo) < 0)
		return conf_perr(ps, t->s, "gid %s is out of range (at most 4294967294)",
				 Q(t->s, t->n));
	it->hi = it->lo;
	it->numeric = true;
	return 0;
}

int conf_item_uid(struct parser *ps, const struct keydef *kd, struct tok *t, struct match_item *it)
{
	const char *s = t->s, *dash = memchr(s, '-', t->n);
	int r, r2;

	if (dash) {
		r = parse_id(s, (size_t)(dash - s), &it->lo);
		r2 = parse_id(dash + 1, t->n - (size_t)(dash - s) - 1, &it->hi);
	} else {
		r = parse_id(s, t->n, &it->lo);
		it->hi = it->lo;
		r2 = r;
	}
	if (r == -EINVAL || r2 == -EINVAL)
		return conf_perr(ps, s, "expected a uid or a uid range like 1000-60000, got %s",
				 Q(s, t->n));
	if (r < 0 || r2 < 0)
		return conf_perr(ps, s, "uid %s is out of range (at most 4294967294)", Q(s, t->n));
	if (it->lo > it->hi)
		return conf_perr(ps, s, "uid range %s goes backwards", Q(s, t->n));
	it->numeric = true;
	return 0;
}

/* tty and host: a glob of printable ASCII, copied into pat for the checks. */
static int check_pattern(struct parser *ps, const struct keydef *kd, const struct tok *t,
			 const struct tok *orig, size_t max, char *pat)
{
	const char *what;
	size_t j, pos;

	for (j = 0; j < t->n; j++)
		if ((unsigned char)t->s[j] <= 0x20 || (unsigned char)t->s[j] >= 0x7f ||
		    strchr("#\"'", t->s[j]))
			break;
	if (j < t->n) {
		if (t->s[j] == '#')
			return conf_perr(ps, t->s + j,
					 "unexpected \"#\": comments must be on a line of their "
					 "own");
		return conf_perr(ps, t->s + j,
				 "expected a %s pattern of printable ASCII without quotes, got %s",
				 kd->name, Q(orig->s, orig->n));
	}
	if (t->n > max)
		return conf_perr(ps, t->s, "%s pattern is too long (at most %zu characters)",
				 kd->name, max);
	memcpy(pat, t->s, t->n);
	pat[t->n] = '\0';
	if (pattern_check(pat, &pos, &what) < 0)
		return conf_perr(ps, t->s + pos, "bad %s pattern %s: %s", kd->name, Q(t->s, t->n),
				 what);
	return 0;
}

int conf_item_tty(struct parser *ps, const struct keydef *kd, struct tok *t, struct match_item *it)
{
	const struct tok orig = *t;
	char pat[CONF_LINE_MAX + 1];
	int r;

	if (t->n > 5 && memcmp(t->s, "/dev/", 5) == 0) {
		/* Same terminal either way; store the name the session sees. */
		t->s += 5;
		t->n -= 5;
	}
	r = check_pattern(ps, kd, t, &orig, CONF_NAME_MAX, pat);
	if (r < 0)
		return r;
	/*
	 * No terminal name starts with "/", so such a pattern would match
	 * nothing; and were "/dev//dev/x" kept as "/dev/x", the printed policy
	 * would read back as "x", a different policy.
	 */
	if (pat[0] == '/')
		return conf_perr(ps, orig.s,
				 "expected a tty pattern as the session names it, like \"ttyS*\" "
				 "or \"pts/*\", got %s (one leading /dev/ is dropped; no "
				 "terminal name starts with \"/\")",
				 Q(orig.s, orig.n));
	if (t->n > 3 && memcmp(pat, "pts", 3) == 0 && conf_is_digit(pat[3]))
		return conf_perr(ps, t->s,
				 "%s is the kernel's name; match terminals as the session sees "
				 "them, like \"pts/%s\"",
				 Q(t->s, t->n), pat + 3);
	if (picks_pts_numbers(pat))
		return conf_perr(ps, t->s,
				 "tty pattern %s matches some PTY numbers but not others: a user "
				 "chooses the number of its next PTY by holding the others, so no "
				 "rule can tell logins apart by it (use pts/* or console names)",
				 Q(t->s, t->n));
	return 0;
}

int conf_item_host(struct parser *ps, const struct keydef *kd, struct tok *t, struct match_item *it)
{
	char pat[CONF_LINE_MAX + 1];

	return check_pattern(ps, kd, t, t, CONF_HOST_MAX, pat);
}

int conf_item_service(struct parser *ps, const struct keydef *kd, struct tok *t,
		      struct match_item *it)
{
	size_t j;

	for (j = 0; j < t->n; j++)
		if (!conf_is_alnum(t->s[j]) && !strchr("_.-@:", t->s[j]))
			break;
	if (j < t->n || t->n > CONF_NAME_MAX)
		return conf_perr(ps, t->s, "expected a service name like sshd or login, got %s",
				 Q(t->s, t->n));
	return 0;
}

int conf_parse_match(struct parser *ps, const struct keydef *kd, const char *val)
{
	struct tok toks[CONF_ITEMS_MAX];
	struct match_list *m = &ps->cur->match[kd->match];
	struct match_item *items;
	size_t n, i, j, printed;
	int r;

	r = conf_split(ps, val, false, toks, &n);
	if (r < 0)
		return r;
	/* The effective policy prints a list as "a, b, c" and must load back:
	 * one written "a b c" can be longer so (found by fuzz_config). */
	for (printed = 0, i = 0; i < n; i++)
		printed += toks[i].n + (i ? 2 : 0);
	if (printed > CONF_VALUE_MAX)
		return conf_perr(ps, val,
				 "the list is too long: written as \"a, b, c\" it takes %zu bytes, "
				 "more than %d",
				 printed, CONF_VALUE_MAX);
	items = calloc(n, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct tok t = toks[i];

		r = kd->item(ps, kd, &t, &items[i]);
		if (r < 0)
			goto fail;
		/* Compared as stored: "/dev/tty1" and "tty1" are the same item. */
		for (j = 0; j < i; j++)
			if (strlen(items[j].text) == t.n && memcmp(items[j].text, t.s, t.n) == 0) {
				r = conf_perr(ps, toks[i].s, "%s is listed twice", Q(t.s, t.n));
				goto fail;
			}
		items[i].text = strndup(t.s, t.n);
		if (!items[i].text) {
			r = -ENOMEM;
			goto fail;
		}
	}
	m->v = items;
	m->n = n;
	m->where = (struct srcloc){ps->file, ps->lineno, conf_col(ps->line, val)};
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(items[i].text);
	free(items);
	return r;
}
