/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ptyctl and ptybench, the VM's static test drivers, share. Each
 * defines PROG (its name, for messages) before including this.
 */
#ifndef PTYUTIL_H
#define PTYUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* C-like escapes (\n \r \t \e \xHH, \ before anything else: that char) */
static int unescape(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s; s++) {
		char c = *s;

		if (n + 1 >= outlen)
			die("text too long: %s", s);
		if (c == '\\' && s[1]) {
			s++;
			switch (*s) {
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'e':
				c = 27;
				break;
			case 'x': {
				char hex[3] = {0};

				if (!s[1] || !s[2])
					die("bad \\x escape");
				hex[0] = s[1];
				hex[1] = s[2];
				c = (char)strtol(hex, NULL, 16);
				s += 2;
				break;
			}
			default:
				c = *s;
			}
		}
		out[n++] = c;
	}
	out[n] = 0;
	return (int)n;
}

#endif
