/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human-readable durations, systemd style: "15min", "1h30min", "1h 30min",
 * "90s", "500ms", "2d". Units: us usec ms msec s sec m min h hr d w. A bare
 * number is seconds. Integers only; no signs, no fractions.
 */
#ifndef TTYIDLE_DURATION_H
#define TTYIDLE_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MIN  (60ULL * NSEC_PER_SEC)
#define NSEC_PER_HOUR (60ULL * NSEC_PER_MIN)
#define NSEC_PER_DAY  (24ULL * NSEC_PER_HOUR)
#define NSEC_PER_WEEK (7ULL * NSEC_PER_DAY)

/* Why a duration was rejected; lets the caller phrase a precise message. */
enum duration_error {
	DURATION_OK = 0,
	DURATION_EMPTY,	   /* nothing but blanks */
	DURATION_NEGATIVE, /* starts with '-' */
	DURATION_SYNTAX,   /* not of the form NUMBER UNIT [NUMBER UNIT...] */
	DURATION_UNIT,	   /* a unit we do not know; *pos points at it */
	DURATION_RANGE,	   /* does not fit in 64-bit nanoseconds */
};

/*
 * Parse the NUL-terminated string s into nanoseconds. Leading and trailing
 * blanks are ignored. Returns 0, or -EINVAL / -ERANGE; when pos and why are
 * non-NULL they receive the offset in s of the offending character and the
 * reason.
 */
int duration_parse(const char *s, uint64_t *ns, size_t *pos, enum duration_error *why);

/*
 * Render ns exactly, largest unit first, space separated: "1h 30min",
 * "60s", "1s 500ms", "0". The output parses back to the same value.
 * Returns the length it needed (like snprintf); buf is always terminated
 * when len > 0.
 */
int duration_format(uint64_t ns, char *buf, size_t len);

/* Longest duration_format() output, including the NUL. */
#define DURATION_FMT_MAX 64

#endif /* TTYIDLE_DURATION_H */
