/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shell glob patterns as fnmatch(3) without flags understands them: '*', '?',
 * '[a-z]', '[!0-9]' (or '[^0-9]'), and '\' to quote the next character. '*'
 * also matches '/', so "*" matches "pts/3". Character classes ("[:digit:]")
 * are rejected rather than half supported.
 *
 * We do not call fnmatch(3): glibc's backtracks recursively and can take
 * exponential time on patterns with many stars; this matcher is O(len(pattern)
 * * len(string)) and the unit tests check that it agrees with fnmatch.
 */
#ifndef TTYIDLE_PATTERN_H
#define TTYIDLE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#define PATTERN_CASEFOLD 1u /* ASCII case-insensitive (host names) */

/*
 * Validate pat. Returns 0, or -EINVAL with *pos set to the offset of the
 * offending character and *what to a static description ("unterminated [").
 */
int pattern_check(const char *pat, size_t *pos, const char **what);

/* True if pat (which must pass pattern_check()) matches all of s. */
bool pattern_match(const char *pat, const char *s, unsigned flags);

/* True if pat contains an unquoted wildcard ('*', '?' or '['). */
bool pattern_has_wildcard(const char *pat);

#endif /* TTYIDLE_PATTERN_H */
