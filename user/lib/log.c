// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "lib/textsafe.h"

static bool verbose_on;
static int journal = -1;

void log_init(bool verbose)
{
	verbose_on = verbose;
	journal = -1;
}

bool log_to_journal(void)
{
	const char *js;
	unsigned long long dev, ino;
	struct stat st;

	if (journal >= 0)
		return journal;
	journal = 0;
	js = getenv("JOURNAL_STREAM");
	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino)
		journal = 1;
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
