/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_JSONW_H
#define TTYIDLE_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Write s as a JSON string literal (quotes included); NULL writes null.
 * s may hold any bytes (it is often user-chosen, see textsafe.h): the output
 * is always valid UTF-8 and valid JSON (RFC 8259). Decoded as strict UTF-8
 * (textsafe.h): '"' and '\' are escaped, \b \f \n \r \t get their short
 * escapes, every other unsafe code point of textsafe.h (C0, DEL, C1, bidi
 * and line-separator format characters, U+2028 and U+2029 included, which
 * JavaScript does not accept raw) becomes \u00XX/\uXXXX in lowercase hex,
 * and every invalid byte becomes \ufffd (U+FFFD REPLACEMENT CHARACTER),
 * one per byte. Other valid UTF-8 is copied as is.
 */
void json_string(FILE *f, const char *s);

/*
 * A JSON document written as it goes, compact (no spaces), commas and
 * colons placed by the writer: every JSON the command line prints. Misuse
 * (a value in an object without its key, a key outside an object, a close
 * that does not match, nesting deeper than JSONW_DEPTH_MAX, a second
 * top-level value) writes nothing more and is reported by jsonw_end.
 */
#define JSONW_DEPTH_MAX 16

struct jsonw {
	FILE *f;
	unsigned depth;
	char open[JSONW_DEPTH_MAX];  /* '{' or '[' per level */
	bool items[JSONW_DEPTH_MAX]; /* the level has a member already: a comma next */
	bool after_key;		     /* a key was written, its value is next */
	bool done;		     /* the top-level value is complete */
	int err;
};

void jsonw_init(struct jsonw *w, FILE *f);
void jsonw_obj_open(struct jsonw *w);
void jsonw_obj_close(struct jsonw *w);
void jsonw_arr_open(struct jsonw *w);
void jsonw_arr_close(struct jsonw *w);
/* The next member's name, in an object (escaped as json_string). */
void jsonw_key(struct jsonw *w, const char *key);
/* Values. A string as json_string (NULL: null). */
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_int(struct jsonw *w, long long v);
/* v with exactly decimals (0-9) digits after a '.', whatever the locale; NaN and infinities: null.
 */
void jsonw_fixed(struct jsonw *w, double v, int decimals);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* 0 when one complete value was written and the stream took it all; -EINVAL on misuse, -EIO. */
int jsonw_end(struct jsonw *w);

#endif
