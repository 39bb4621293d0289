// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/textsafe.h"

static bool verbose_on;
static int journal = -1;

void log_init(bool verbose)
{
	verbose_on = verbose;
	journal = -1;
}

bool journal_stream_matches(const char *env, dev_t dev, ino_t ino)
{
	unsigned long long d, i;
	char *end;

	if (!env || !*env)
		return false;
	errno = 0;
	d = strtoull(env, &end, 10);
	if (errno || end == env || *end != ':')
		return false;
	env = end + 1;
	i = strtoull(env, &end, 10);
	if (errno || end == env || *end)
		return false;
	return d == (unsigned long long)dev && i == (unsigned long long)ino;
}

bool log_to_journal(void)
{
	struct stat st;

	/* once: stderr does not change under a running daemon */
	if (journal < 0)
		journal = fstat(STDERR_FILENO, &st) == 0 &&
			  journal_stream_matches(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino);
	return journal;
}

void log_msg(int prio, const char *fmt, ...)
{
	char small[1024], *msg = small, *big = NULL;
	va_list ap;
	int n;

	if (prio == LOG_DEBUG && !verbose_on)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(small)) {
		va_start(ap, fmt);
		if (vasprintf(&big, fmt, ap) >= 0)
			msg = big;
		else
			big = NULL; /* out of memory: the line cut short */
		va_end(ap);
	}
	if (log_to_journal())
		fprintf(stderr, "<%d>", prio);
	else
		fputs("ttyidle: ", stderr);
	/*
	 * Messages carry names users chose (process names, user names, cgroup
	 * paths): in their terminal form, so a newline cannot start a forged
	 * "<0>..." line and an escape sequence cannot reach whoever tails the log.
	 */
	text_safe_write(stderr, msg);
	fputc('\n', stderr);
	free(big);
}
