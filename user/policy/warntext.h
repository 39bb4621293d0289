/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The warning written on an idle terminal. Templates use named placeholders:
 *   {user}     the session's user name
 *   {tty}      the terminal, as the session sees it ("pts/3")
 *   {left}     time left before the action, rounded up to seconds ("1min 30s")
 *   {timeout}  the idle timeout that applies ("15min")
 * and "{{" for a literal '{'. A '}' outside a placeholder is literal.
 * Newlines in the template become "\r\n" so the text stays readable on a
 * terminal in raw mode.
 */
#ifndef TTYIDLE_WARNTEXT_H
#define TTYIDLE_WARNTEXT_H

#include <stddef.h>
#include <stdint.h>

struct warn_vars {
	const char *user; /* NULL prints "?" */
	const char *tty;
	uint64_t left_ns;
	uint64_t timeout_ns;
};

/*
 * Validate a template. Returns 0, or -EINVAL with *pos at the offending '{'
 * and a one-line description (without position) in err.
 */
int warntext_check(const char *tmpl, size_t *pos, char *err, size_t errlen);

/*
 * Expand tmpl into buf. Substituted names are made safe for a terminal:
 * control bytes become '?'. Returns the length written (excluding the NUL),
 * -ENOSPC when the text was cut to fit (buf still terminated), or -EINVAL
 * for a template warntext_check() rejects.
 */
int warntext_format(const char *tmpl, const struct warn_vars *v, char *buf, size_t len);

#endif /* TTYIDLE_WARNTEXT_H */
