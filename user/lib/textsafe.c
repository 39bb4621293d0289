// SPDX-License-Identifier: GPL-2.0
/* Strict UTF-8 decoding and the terminal form of user-chosen text; see textsafe.h. */
#include <string.h>

#include "lib/textsafe.h"

int utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c = p[0], min;
	int n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0; /* a continuation byte, 0xc0/0xc1 (only overlongs), 0xf5-0xff */
	}
	/* a NUL is no continuation byte: a cut sequence stops there */
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

bool text_unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Where the units of the terminal form go; put() returns false to stop. */
struct sink {
	bool (*put)(struct sink *k, const char *u, size_t n);
	FILE *f;
	char *buf;
	size_t len, size;
};

static void safe_units(struct sink *k, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *p = s;
	char esc[4] = {'\\', 'x'};
	uint32_t cp;
	int n, i;

	while (*p) {
		n = utf8_decode(p, &cp);
		if (n && cp == '\\') {
			if (!k->put(k, "\\\\", 2))
				return;
		} else if (n && !text_unsafe_cp(cp)) {
			if (!k->put(k, p, (size_t)n))
				return;
		} else {
			/* an invalid byte alone, an unsafe character byte by byte */
			for (i = 0; i < (n ? n : 1); i++) {
				esc[2] = hex[(unsigned char)p[i] >> 4];
				esc[3] = hex[(unsigned char)p[i] & 15];
				if (!k->put(k, esc, sizeof(esc)))
					return;
			}
		}
		p += n ? n : 1;
	}
}

static bool put_buf(struct sink *k, const char *u, size_t n)
{
	if (k->len + n >= k->size)
		return false;
	memcpy(k->buf + k->len, u, n);
	k->len += n;
	return true;
}

size_t text_safe(char *buf, size_t size, const char *s)
{
	struct sink k = {.put = put_buf, .buf = buf, .size = size};

	if (!size)
		return 0;
	if (s)
		safe_units(&k, s);
	buf[k.len] = 0;
	return k.len;
}

static bool put_file(struct sink *k, const char *u, size_t n)
{
	return fwrite(u, 1, n, k->f) == n;
}

void text_safe_write(FILE *f, const char *s)
{
	struct sink k = {.put = put_file, .f = f};

	if (s)
		safe_units(&k, s);
}
