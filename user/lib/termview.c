// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "lib/termview.h"

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

double secs_since(uint64_t now_ns, uint64_t ts_ns)
{
	return ts_ns >= now_ns ? 0.0 : (double)(now_ns - ts_ns) / 1e9;
}

const char *const tty_clock_names[TTY_CLK_MAX] = {
    [TTY_CLK_IN] = "input",
    [TTY_CLK_IN_READ] = "input-read",
    [TTY_CLK_OUT] = "output",
    [TTY_CLK_OUT_READ] = "output-read",
};

const char *clock_name(enum tty_clock c)
{
	return (unsigned)c < TTY_CLK_MAX ? tty_clock_names[c] : "none";
}
