// SPDX-License-Identifier: GPL-2.0
/*
 * The lexical layer of the configuration parser: which bytes may appear at
 * all, how a list value splits, and the one-line diagnostics every other
 * config_*.c reports through. Errors name file, line and a column counted in
 * characters, so an operator's editor lands on the offending one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/config_int.h"
#include "policy/duration.h"

unsigned conf_col(const char *line, const char *at)
{
	unsigned col = 1;

	/* Columns count characters, not bytes: skip UTF-8 continuation bytes. */
	for (; line < at; line++)
		if (((unsigned char)*line & 0xc0) != 0x80)
			col++;
	return col;
}

__attribute__((format(printf, 3, 4))) int conf_perr(struct parser *ps, const char *at,
						    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->errlen)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->file, ps->lineno,
		     conf_col(ps->line, at));
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

__attribute__((format(printf, 4, 5))) int conf_lerr(char *err, size_t errlen,
						    const struct srcloc *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return -EINVAL;
	n = snprintf(err, errlen, "%s:%u:%u: ", l->file, l->line, l->col);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Quote s[0..n) for a message: "..." with \" \\ \t escaped, cut after about
 * 40 characters (at a UTF-8 boundary) so an error stays one readable line.
 */
const char *conf_quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t o = 0, i, chars = 0;

	if (len < 8)
		return "\"\"";
	buf[o++] = '"';
	for (i = 0; i < n && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) != 0x80 && ++chars > 40) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c == '\t') {
			buf[o++] = '\\';
			buf[o++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/*
 * Reject what a text editor may hide: NUL, CR, control characters and bad
 * UTF-8, including C1 controls a terminal might act on.
 */
int conf_check_bytes(struct parser *ps, const char *s, size_t n, bool truncated)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t k, need;

		if (c == 0)
			return conf_perr(ps, s + i, "NUL byte in configuration text");
		if (c == '\r')
			return conf_perr(
			    ps, s + i,
			    "carriage return (DOS line ending); save the file with Unix "
			    "line endings");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return conf_perr(ps, s + i, "control character 0x%02x", c);
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return conf_perr(ps, s + i, "invalid UTF-8");
		}
		if (i + need >= n) {
			/* Cut by the line length limit: that error comes next. */
			if (truncated)
				return 0;
			return conf_perr(ps, s + i, "invalid UTF-8");
		}
		for (k = 1; k <= need; k++) {
			unsigned char cc = (unsigned char)s[i + k];

			if ((cc & 0xc0) != 0x80)
				return conf_perr(ps, s + i, "invalid UTF-8");
			cp = (cp << 6) | (cc & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return conf_perr(ps, s + i, "invalid UTF-8");
		if (cp >= 0x80 && cp <= 0x9f)
			return conf_perr(ps, s + i, "control character U+%04X", cp);
		if (cp == 0xfeff)
			return conf_perr(ps, s + i,
					 "byte order mark (U+FEFF); save the file without it");
		i += need + 1;
	}
	return 0;
}

/*
 * Split a list: values separated by blanks and/or commas (and '+' when plus
 * is set). An empty value between separators is an error.
 */
int conf_split(struct parser *ps, const char *val, bool plus, struct tok *toks, size_t *ntoks)
{
	const char *p = val, *sep = NULL;
	size_t n = 0;

	for (;;) {
		while (conf_is_blank(*p))
			p++;
		if (!*p)
			break;
		if (*p == ',' || (plus && *p == '+')) {
			if (sep || n == 0)
				return conf_perr(ps, p, "expected a value before %s",
						 *p == ',' ? "\",\"" : "\"+\"");
			sep = p++;
			continue;
		}
		if (n == CONF_ITEMS_MAX)
			return conf_perr(ps, p, "too many values (at most %d)", CONF_ITEMS_MAX);
		toks[n].s = p;
		while (*p && !conf_is_blank(*p) && *p != ',' && !(plus && *p == '+'))
			p++;
		toks[n].n = (size_t)(p - toks[n].s);
		n++;
		sep = NULL;
	}
	if (sep)
		return conf_perr(ps, sep, "expected a value after %s",
				 *sep == ',' ? "\",\"" : "\"+\"");
	*ntoks = n;
	return 0;
}

bool conf_tok_is(const struct tok *t, const char *s)
{
	return strlen(s) == t->n && memcmp(t->s, s, t->n) == 0;
}

int conf_duration(struct parser *ps, const char *s, size_t n, uint64_t *ns)
{
	char buf[CONF_LINE_MAX + 1];
	enum duration_error why;
	size_t pos;
	int r;

	memcpy(buf, s, n);
	buf[n] = '\0';
	r = duration_parse(buf, ns, &pos, &why);
	if (r == 0)
		return 0;
	switch (why) {
	case DURATION_NEGATIVE:
		return conf_perr(ps, s, "durations cannot be negative, got %s", Q(s, n));
	case DURATION_UNIT: {
		size_t ul = 0;

		while (pos + ul < n && ((buf[pos + ul] >= 'a' && buf[pos + ul] <= 'z') ||
					(buf[pos + ul] >= 'A' && buf[pos + ul] <= 'Z')))
			ul++;
		return conf_perr(ps, s + pos,
				 "unknown time unit %s, expected one of us, ms, s, min, h, d, w",
				 Q(s + pos, ul));
	}
	case DURATION_RANGE:
		return conf_perr(ps, s, "duration %s is too long", Q(s, n));
	default:
		if (memchr(s, '.', n))
			return conf_perr(
			    ps, s,
			    "expected a duration like 15min or 1h30min, got %s (no fractions: "
			    "write 1h30min, not 1.5h)",
			    Q(s, n));
		return conf_perr(ps, s, "expected a duration like 15min or 1h30min, got %s",
				 Q(s, n));
	}
}
