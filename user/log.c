// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "log.h"

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
	va_list ap;

	if (prio == LOG_DEBUG && !verbose_on)
		return;
	if (log_to_journal())
		fprintf(stderr, "<%d>", prio);
	else
		fputs("ttyidle: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
