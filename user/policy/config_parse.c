// SPDX-License-Identifier: GPL-2.0
/*
 * The line grammar of the configuration format:
 *
 *   # comment (only as the first non-blank character of a line)
 *   [global]
 *   idle-timeout = 15min
 *   [rule admins]
 *   group = wheel, adm
 *   idle-timeout = 1h
 *
 * One "key = value" per line. Lists take blanks and/or commas between values.
 * Everything unexpected is an error naming file, line and column; we never
 * guess what a line was meant to say. What a value means is the key table's
 * business (config_keys.c); this file only decides where a key may appear.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/config_int.h"

static int parse_assignment(struct parser *ps, const char *key)
{
	const struct keydef *kd;
	const char *p = key, *val;
	size_t klen;
	unsigned *seen;

	while (conf_is_alnum(*p) || *p == '-' || *p == '_')
		p++;
	klen = (size_t)(p - key);
	if (klen == 0)
		return conf_perr(ps, key,
				 "expected a key like idle-timeout, a [section] or a # comment");
	while (conf_is_blank(*p))
		p++;
	if (*p != '=')
		return conf_perr(ps, p, "expected \"=\" after %s", Q(key, klen));
	val = p + 1;
	while (conf_is_blank(*val))
		val++;

	kd = conf_key_find(key, klen);
	if (!kd)
		return conf_key_unknown(ps, key, klen);
	if (!ps->cur)
		return conf_perr(
		    ps, key,
		    "expected a section header like [global] or [rule NAME] before the "
		    "first key");
	if (kd->place == IN_RULE && !ps->rule_section)
		return conf_perr(ps, key,
				 "%s is a match key, allowed only in a [rule NAME] section",
				 Q(key, klen));
	if (kd->place == IN_GLOBAL && ps->rule_section)
		return conf_perr(ps, key, "%s is allowed only in [global]", Q(key, klen));
	if (!*val)
		return conf_perr(ps, val, "expected a value after \"=\"");
	if (strlen(val) > CONF_VALUE_MAX)
		return conf_perr(ps, val, "value is too long (more than %d bytes)", CONF_VALUE_MAX);
	if ((val[0] == '"' || val[0] == '\'') && strlen(val) >= 2 && val[strlen(val) - 1] == val[0])
		return conf_perr(ps, val, "values are written without quotes, remove them from %s",
				 QS(val));
	if (!kd->hash_ok && strchr(val, '#'))
		return conf_perr(ps, strchr(val, '#'),
				 "unexpected \"#\": comments must be on a line of their own");

	/* A key twice in one section is a mistake; across files, later wins. */
	if (kd->setting >= 0)
		seen = ps->rule_section ? NULL : &ps->global_set[kd->setting];
	else if (kd->place == IN_GLOBAL) /* scope, the one policy-wide key */
		seen = &ps->scope_line;
	else
		seen = NULL;
	if (ps->rule_section) {
		unsigned prev = 0;

		if (kd->setting >= 0 && (ps->cur->own & (1u << kd->setting)))
			prev = ps->cur->s.where[kd->setting].line;
		if (kd->match >= 0 && ps->cur->match[kd->match].n)
			prev = ps->cur->match[kd->match].where.line;
		if (prev)
			return conf_perr(ps, key,
					 "duplicate key %s in [rule %s], first set on line %u",
					 Q(key, klen), ps->cur->name, prev);
	} else if (seen && *seen) {
		return conf_perr(ps, key, "duplicate key %s in [global], first set on line %u",
				 Q(key, klen), *seen);
	}
	if (seen)
		*seen = ps->lineno;

	return kd->parse(ps, kd, val);
}

/* A rule must say whom it is for; settings for everyone belong in [global]. */
static int close_section(struct parser *ps)
{
	int k;

	if (!ps->rule_section)
		return 0;
	for (k = 0; k < MATCH_MAX; k++)
		if (ps->cur->match[k].n)
			return 0;
	return conf_lerr(ps->err, ps->errlen, &ps->cur->where,
			 "[rule %s] has no match key (user, group, uid, tty, service or host); "
			 "settings for everyone belong in [global]",
			 ps->cur->name);
}

static int parse_section(struct parser *ps, const char *open)
{
	struct policy *p = ps->p;
	const char *in = open + 1, *end, *name;
	size_t nlen, i;
	struct rule *r;
	int ret;

	end = strchr(in, ']');
	if (!end)
		return conf_perr(ps, open + strlen(open),
				 "expected \"]\" to close the section header");
	if (end[1]) {
		const char *t = end + 1;

		while (conf_is_blank(*t))
			t++;
		if (*t == '#')
			return conf_perr(
			    ps, t, "unexpected \"#\": comments must be on a line of their own");
		return conf_perr(ps, end + 1, "unexpected text after \"]\"");
	}
	ret = close_section(ps);
	if (ret < 0)
		return ret;

	if ((size_t)(end - in) == 6 && memcmp(in, "global", 6) == 0) {
		if (ps->global_line)
			return conf_perr(
			    ps, open,
			    "[global] appears twice in this file (first on line %u); keep "
			    "all global settings in one section",
			    ps->global_line);
		ps->global_line = ps->lineno;
		ps->cur = &p->global;
		ps->rule_section = false;
		return 0;
	}
	if ((size_t)(end - in) < 4 || memcmp(in, "rule", 4) != 0 ||
	    (in[4] != ']' && !conf_is_blank(in[4]))) {
		return conf_perr(ps, in, "unknown section %s, expected [global] or [rule NAME]",
				 Q(open, (size_t)(end - open + 1)));
	}
	name = in + 4;
	while (conf_is_blank(*name))
		name++;
	if (name == end)
		return conf_perr(ps, name, "expected a rule name, like [rule admins]");
	for (nlen = 0; name + nlen < end; nlen++) {
		char c = name[nlen];

		if (!conf_is_alnum(c) && c != '-' && c != '_' && c != '.')
			return conf_perr(
			    ps, name + nlen,
			    "expected a rule name of letters, digits, \"-\", \"_\" and "
			    "\".\", got %s",
			    Q(name, (size_t)(end - name)));
	}
	if (nlen > CONF_NAME_MAX)
		return conf_perr(ps, name, "rule name is too long (at most %d characters)",
				 CONF_NAME_MAX);
	if (nlen == 6 && memcmp(name, "global", 6) == 0)
		return conf_perr(ps, name, "\"global\" cannot be a rule name");
	for (i = 0; i < p->nrules; i++)
		if (strlen(p->rules[i].name) == nlen && memcmp(p->rules[i].name, name, nlen) == 0)
			return conf_perr(ps, name, "duplicate rule %s, first defined at %s:%u",
					 Q(name, nlen), p->rules[i].where.file,
					 p->rules[i].where.line);
	if (p->nrules == CONF_RULES_MAX)
		return conf_perr(ps, open, "too many rules (at most %d)", CONF_RULES_MAX);

	r = realloc(p->rules, (p->nrules + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	p->rules = r;
	r = &p->rules[p->nrules];
	memset(r, 0, sizeof(*r));
	r->name = strndup(name, nlen);
	if (!r->name)
		return -ENOMEM;
	r->where = (struct srcloc){ps->file, ps->lineno, conf_col(ps->line, open)};
	p->nrules++;
	ps->cur = r;
	ps->rule_section = true;
	return 0;
}

static int parse_line(struct parser *ps, const char *s, size_t n)
{
	char line[CONF_LINE_MAX + 1], *p, *e;
	int r;

	ps->line = s; /* for columns of errors found before the copy */
	r = conf_check_bytes(ps, s, n < CONF_LINE_MAX ? n : CONF_LINE_MAX, n > CONF_LINE_MAX);
	if (r < 0)
		return r;
	if (n > CONF_LINE_MAX)
		return conf_perr(ps, s + CONF_LINE_MAX, "line is too long (more than %d bytes)",
				 CONF_LINE_MAX);
	memcpy(line, s, n);
	line[n] = '\0';
	ps->line = line;
	for (e = line + n; e > line && conf_is_blank(e[-1]); e--)
		*(e - 1) = '\0';
	p = line;
	while (conf_is_blank(*p))
		p++;
	if (!*p || *p == '#')
		r = 0;
	else if (*p == '[')
		r = parse_section(ps, p);
	else
		r = parse_assignment(ps, p);
	ps->line = NULL;
	return r;
}

static int add_source(struct policy *p, const char *name, const char **out)
{
	char **v, *s;

	s = strdup(name);
	if (!s)
		return -ENOMEM;
	v = realloc(p->sources, (p->nsources + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	p->sources = v;
	p->sources[p->nsources++] = s;
	*out = s;
	return 0;
}

int conf_parse_text(struct policy *p, const char *name, const char *buf, size_t len, char *err,
		    size_t errlen)
{
	struct parser ps = {.p = p, .err = err, .errlen = errlen};
	size_t off = 0;
	int r;

	r = add_source(p, name, &ps.file);
	if (r < 0)
		return r;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		ps.lineno++;
		r = parse_line(&ps, buf + off, n);
		if (r < 0)
			return r;
		off += n + (nl ? 1 : 0);
	}
	return close_section(&ps);
}
