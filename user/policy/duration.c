// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/duration.h"

static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
    {"us", NSEC_PER_USEC}, {"usec", NSEC_PER_USEC}, {"ms", NSEC_PER_MSEC}, {"msec", NSEC_PER_MSEC},
    {"s", NSEC_PER_SEC},   {"sec", NSEC_PER_SEC},   {"m", NSEC_PER_MIN},   {"min", NSEC_PER_MIN},
    {"h", NSEC_PER_HOUR},  {"hr", NSEC_PER_HOUR},   {"d", NSEC_PER_DAY},   {"w", NSEC_PER_WEEK},
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int fail(const char *s, const char *at, size_t *pos, enum duration_error *why,
		enum duration_error e)
{
	if (pos)
		*pos = (size_t)(at - s);
	if (why)
		*why = e;
	return e == DURATION_RANGE ? -ERANGE : -EINVAL;
}

int duration_parse(const char *s, uint64_t *ns, size_t *pos, enum duration_error *why)
{
	const char *p = s;
	uint64_t total = 0;
	int ncomp = 0;

	while (is_blank(*p))
		p++;
	if (!*p)
		return fail(s, p, pos, why, DURATION_EMPTY);
	if (*p == '-')
		return fail(s, p, pos, why, DURATION_NEGATIVE);

	while (*p) {
		const char *num = p, *unit;
		uint64_t v = 0, mult = 0;
		size_t ulen, i;

		if (!is_digit(*p))
			return fail(s, p, pos, why, DURATION_SYNTAX);
		for (; is_digit(*p); p++) {
			unsigned d = (unsigned)(*p - '0');

			if (v > (UINT64_MAX - d) / 10)
				return fail(s, num, pos, why, DURATION_RANGE);
			v = v * 10 + d;
		}
		while (is_blank(*p))
			p++;
		unit = p;
		while (is_alpha(*p))
			p++;
		ulen = (size_t)(p - unit);
		if (ulen == 0) {
			/* A bare number is seconds, but only as the whole value. */
			if (ncomp > 0 || *p)
				return fail(s, *p ? p : num, pos, why, DURATION_SYNTAX);
			mult = NSEC_PER_SEC;
		} else {
			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
				if (strlen(units[i].name) == ulen &&
				    memcmp(units[i].name, unit, ulen) == 0)
					mult = units[i].ns;
			if (!mult)
				return fail(s, unit, pos, why, DURATION_UNIT);
		}
		if (v > UINT64_MAX / mult || total > UINT64_MAX - v * mult)
			return fail(s, num, pos, why, DURATION_RANGE);
		total += v * mult;
		ncomp++;
		while (is_blank(*p))
			p++;
	}
	*ns = total;
	if (why)
		*why = DURATION_OK;
	return 0;
}

int duration_format(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} parts[] = {
	    {"w", NSEC_PER_WEEK},  {"d", NSEC_PER_DAY}, {"h", NSEC_PER_HOUR},
	    {"min", NSEC_PER_MIN}, {"s", NSEC_PER_SEC}, {"ms", NSEC_PER_MSEC},
	    {"us", NSEC_PER_USEC},
	};
	size_t i, off = 0;
	int n;

	if (len > 0)
		buf[0] = '\0';
	if (ns == 0)
		return snprintf(buf, len, "0");
	/* No unit below 1us: round up so that we never print less than we hold. */
	if (ns % NSEC_PER_USEC)
		ns = ns / NSEC_PER_USEC * NSEC_PER_USEC +
		     (ns / NSEC_PER_USEC < UINT64_MAX / NSEC_PER_USEC ? NSEC_PER_USEC : 0);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		uint64_t q = ns / parts[i].ns;

		if (!q)
			continue;
		ns -= q * parts[i].ns;
		n = snprintf(off < len ? buf + off : NULL, off < len ? len - off : 0, "%s%llu%s",
			     off ? " " : "", (unsigned long long)q, parts[i].name);
		off += (size_t)n;
	}
	return (int)off;
}
