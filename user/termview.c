// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "termview.h"

void term_name(const struct tty_key *key, const struct tty_rec *rec, char *out, size_t outlen)
{
	if (rec->kind == TTY_KIND_PTY) {
		snprintf(out, outlen, "pts/%u", rec->index);
		return;
	}
	if (rec->name[0]) {
		snprintf(out, outlen, "%.*s", (int)sizeof(rec->name), rec->name);
		return;
	}
	snprintf(out, outlen, "dev%u:%u", kdev_major(key->dev), kdev_minor(key->dev));
}

uint64_t rec_clock(const struct tty_rec *rec, enum tty_clock c)
{
	switch (c) {
	case TTY_CLK_IN:
		return rec->in_ns;
	case TTY_CLK_IN_READ:
		return rec->in_read_ns;
	case TTY_CLK_OUT:
		return rec->out_ns;
	case TTY_CLK_OUT_READ:
		return rec->out_read_ns;
	default:
		return 0;
	}
}

uint64_t rec_last_activity(const struct tty_rec *rec, uint32_t mask, int *which)
{
	uint64_t best = 0;
	int c, w = -1;

	for (c = 0; c < TTY_CLK_MAX; c++) {
		uint64_t t = rec_clock(rec, c);

		if ((mask & TTY_CLK_BIT(c)) && t > best) {
			best = t;
			w = c;
		}
	}
	if (which)
		*which = w;
	return w < 0 ? rec->first_ns : best;
}

double secs_since(uint64_t now_ns, uint64_t ts_ns)
{
	return ts_ns >= now_ns ? 0.0 : (double)(now_ns - ts_ns) / 1e9;
}

const char *clock_name(enum tty_clock c)
{
	static const char *const names[TTY_CLK_MAX] = {"input", "input-read", "output",
						       "output-read"};

	return (unsigned)c < TTY_CLK_MAX ? names[c] : "none";
}
