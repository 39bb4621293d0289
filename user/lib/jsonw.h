/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_JSONW_H
#define TTYIDLE_JSONW_H

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

#endif
