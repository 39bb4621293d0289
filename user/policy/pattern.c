// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "policy/pattern.h"

static int fold(int c, unsigned flags)
{
	if ((flags & PATTERN_CASEFOLD) && c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

static bool in_range(int c, int lo, int hi, unsigned flags)
{
	if (c >= lo && c <= hi)
		return true;
	if (flags & PATTERN_CASEFOLD) {
		int other = c;

		if (c >= 'a' && c <= 'z')
			other = c - 'a' + 'A';
		else if (c >= 'A' && c <= 'Z')
			other = c - 'A' + 'a';
		return other >= lo && other <= hi;
	}
	return false;
}

/*
 * Walk a bracket expression; p points just past '['. Returns a pointer past
 * the closing ']' or NULL (with *what, *at) when malformed. When c >= 0,
 * *hit tells whether c is in the set (negation applied).
 */
static const char *bracket(const char *p, int c, unsigned flags, bool *hit, const char **what,
			   const char **at)
{
	const char *open = p - 1;
	bool neg = false, found = false, first = true;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (;;) {
		int lo, hi;

		if (!*p) {
			*what = "unterminated [ in pattern";
			*at = open;
			return NULL;
		}
		if (*p == ']' && !first)
			break;
		first = false;
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			*what =
			    "character classes like [:digit:] are not supported, use a range like "
			    "[0-9]";
			*at = p;
			return NULL;
		}
		if (*p == '\\') {
			p++;
			if (!*p) {
				*what = "pattern ends with a lone \\";
				*at = p - 1;
				return NULL;
			}
		}
		lo = (unsigned char)*p++;
		hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			const char *r = p + 1;

			if (*r == '\\') {
				r++;
				if (!*r) {
					*what = "pattern ends with a lone \\";
					*at = r - 1;
					return NULL;
				}
			}
			hi = (unsigned char)*r;
			if (hi < lo) {
				*what = "range in [] goes backwards";
				*at = p - 1;
				return NULL;
			}
			p = r + 1;
		}
		if (c >= 0 && in_range(c, lo, hi, flags))
			found = true;
	}
	if (hit)
		*hit = found != neg;
	return p + 1;
}

int pattern_check(const char *pat, size_t *pos, const char **what)
{
	const char *p = pat, *at = pat;

	*what = NULL;
	while (*p) {
		if (*p == '\\') {
			if (!p[1]) {
				*what = "pattern ends with a lone \\";
				at = p;
				break;
			}
			p += 2;
		} else if (*p == '[') {
			p = bracket(p + 1, -1, 0, NULL, what, &at);
			if (!p)
				break;
		} else {
			p++;
		}
	}
	if (!*what)
		return 0;
	*pos = (size_t)(at - pat);
	return -EINVAL;
}

bool pattern_has_wildcard(const char *pat)
{
	for (; *pat; pat++) {
		if (*pat == '\\' && pat[1])
			pat++;
		else if (*pat == '*' || *pat == '?' || *pat == '[')
			return true;
	}
	return false;
}

/* Match one pattern element at *pp against c; advances *pp past it. */
static bool match_one(const char **pp, int c, unsigned flags)
{
	const char *p = *pp, *what, *at;
	bool hit = false;

	if (*p == '?') {
		*pp = p + 1;
		return true;
	}
	if (*p == '[') {
		const char *end = bracket(p + 1, c, flags, &hit, &what, &at);

		if (end) {
			*pp = end;
			return hit;
		}
		/* Unvalidated pattern: a malformed '[' is a literal, as in fnmatch. */
	}
	if (*p == '\\' && p[1])
		p++;
	*pp = p + 1;
	return fold((unsigned char)*p, flags) == fold(c, flags);
}

bool pattern_match(const char *pat, const char *s, unsigned flags)
{
	const char *p = pat, *t = s, *star_p = NULL, *star_t = NULL;

	/*
	 * Classic greedy match with one backtrack point: a later '*' can absorb
	 * anything an earlier one could, so only the last '*' needs retrying.
	 */
	while (*t) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return true;
			star_p = p;
			star_t = t;
			continue;
		}
		if (*p) {
			const char *q = p;

			if (match_one(&q, (unsigned char)*t, flags)) {
				p = q;
				t++;
				continue;
			}
		}
		if (!star_p)
			return false;
		p = star_p;
		t = ++star_t;
	}
	while (*p == '*')
		p++;
	return !*p;
}
