// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/duration.h"
#include "policy/warntext.h"

enum placeholder { PH_NONE = -1, PH_USER, PH_TTY, PH_LEFT, PH_TIMEOUT };

static const char *const ph_names[] = {"user", "tty", "left", "timeout"};

/* p points at '{' (not "{{"); returns the placeholder and its length in *plen. */
static enum placeholder placeholder_at(const char *p, size_t *plen)
{
	size_t i, n;

	for (i = 0; i < sizeof(ph_names) / sizeof(ph_names[0]); i++) {
		n = strlen(ph_names[i]);
		if (strncmp(p + 1, ph_names[i], n) == 0 && p[1 + n] == '}') {
			*plen = n + 2;
			return (enum placeholder)i;
		}
	}
	return PH_NONE;
}

int warntext_check(const char *tmpl, size_t *pos, char *err, size_t errlen)
{
	const char *p;
	size_t plen;

	for (p = tmpl; *p; p++) {
		const char *close;

		if (*p != '{')
			continue;
		if (p[1] == '{') {
			p++;
			continue;
		}
		if (placeholder_at(p, &plen) != PH_NONE) {
			p += plen - 1;
			continue;
		}
		*pos = (size_t)(p - tmpl);
		close = strchr(p, '}');
		if (close && close - p <= 16 && !memchr(p + 1, '{', (size_t)(close - p - 1)))
			snprintf(err, errlen,
				 "unknown placeholder %.*s, expected {user}, {tty}, {left} or "
				 "{timeout} (write {{ for a literal {)",
				 (int)(close - p + 1), p);
		else
			snprintf(
			    err, errlen,
			    "expected a placeholder {user}, {tty}, {left} or {timeout} after { "
			    "(write {{ for a literal {)");
		return -EINVAL;
	}
	return 0;
}

struct out {
	char *buf;
	size_t len, off;
	int cut;
};

static void put(struct out *o, char c)
{
	if (o->off + 1 < o->len)
		o->buf[o->off++] = c;
	else
		o->cut = 1;
}

static void put_safe(struct out *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		put(o, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

/* After a cut, drop a trailing partial UTF-8 sequence or a lone '\r'. */
static void utf8_trim(struct out *o)
{
	size_t i = o->off, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)o->buf[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)o->buf[i - 1] >= 0xc0) {
		lead = (unsigned char)o->buf[i - 1];
		need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
		if (o->off - (i - 1) < need)
			o->off = i - 1;
	}
	if (o->off > 0 && o->buf[o->off - 1] == '\r')
		o->off--;
}

int warntext_format(const char *tmpl, const struct warn_vars *v, char *buf, size_t len)
{
	struct out o = {.buf = buf, .len = len};
	char dur[DURATION_FMT_MAX];
	const char *p;
	size_t plen;
	uint64_t left;

	if (len == 0)
		return -ENOSPC;
	for (p = tmpl; *p; p++) {
		if (*p == '\n') {
			put(&o, '\r');
			put(&o, '\n');
			continue;
		}
		if (*p != '{') {
			put(&o, *p);
			continue;
		}
		if (p[1] == '{') {
			put(&o, '{');
			p++;
			continue;
		}
		switch (placeholder_at(p, &plen)) {
		case PH_USER:
			put_safe(&o, v->user ? v->user : "?");
			break;
		case PH_TTY:
			put_safe(&o, v->tty ? v->tty : "?");
			break;
		case PH_LEFT:
			/* "59.3s left" reads as 60s to a human: round up to seconds. */
			left = v->left_ns / NSEC_PER_SEC * NSEC_PER_SEC;
			if (left != v->left_ns && left <= UINT64_MAX - NSEC_PER_SEC)
				left += NSEC_PER_SEC;
			duration_format(left, dur, sizeof(dur));
			put_safe(&o, left ? dur : "0s");
			break;
		case PH_TIMEOUT:
			duration_format(v->timeout_ns, dur, sizeof(dur));
			put_safe(&o, dur);
			break;
		case PH_NONE:
		default:
			buf[0] = '\0';
			return -EINVAL;
		}
		p += plen - 1;
	}
	if (o.cut)
		utf8_trim(&o);
	buf[o.off] = '\0';
	return o.cut ? -ENOSPC : (int)o.off;
}
