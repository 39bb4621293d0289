/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text that users choose, on its way to an administrator: process names
 * (any bytes but NUL, via prctl(PR_SET_NAME) or /proc/self/comm), command
 * lines, file names, user, group and host names, cgroup paths. Written raw,
 * an ESC or a C1 CSI (0x9b) would drive the reader's terminal ("\033]0;x\a",
 * "\033[2J"), a newline would forge a line, and bytes that are not UTF-8
 * would make JSON invalid. Every such string goes through one of these.
 *
 * Decoding is strict UTF-8 (RFC 3629): overlong forms, surrogates
 * (U+D800-U+DFFF), code points above U+10FFFF and truncated sequences are
 * invalid. A byte that does not start a valid sequence is invalid on its
 * own, and decoding goes on at the next byte.
 *
 * Unsafe code points (text_unsafe_cp): C0 controls U+0000-U+001F, DEL
 * U+007F, C1 controls U+0080-U+009F, and the format characters that move
 * text around or break the line without looking like it: U+061C, U+200E,
 * U+200F, U+2028, U+2029, U+202A-U+202E, U+2066-U+2069 (a bidi override
 * makes a row read differently from what it holds).
 *
 * Terminal form (text_safe, text_safe_write): safe UTF-8 is copied as is;
 * every byte of an unsafe code point and every invalid byte is written
 * \xNN (two lowercase hex digits), and a backslash \\. The output is thus
 * valid UTF-8 without a single control character, as wide as the input for
 * ordinary names, and the input can be read back from it without doubt:
 *   "\033]0;x\007" -> \x1b]0;x\x07     "\xc2\x9b" (U+009B) -> \xc2\x9b
 *   "a\xffb"       -> a\xffb           "a\\b"             -> a\\b
 *
 * JSON form (json_string in jsonw.h): the same decoding; see there.
 */
#ifndef TTYIDLE_TEXTSAFE_H
#define TTYIDLE_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The valid UTF-8 sequence at p: returns its length (1-4) and its code point
 * in *cp, or 0 when p[0] starts none (an invalid byte). Never reads past a
 * NUL; a NUL itself decodes as U+0000 of length 1.
 */
int utf8_decode(const char *p, uint32_t *cp);

/* Is cp one of the unsafe code points above? */
bool text_unsafe_cp(uint32_t cp);

/*
 * Terminal form of s into buf (size bytes, NUL included). A unit (one \xNN
 * or \\, one character) that does not fit is left out with all that follows,
 * so the result never ends in half an escape or half a character: to show
 * at most N bytes, pass size N + 1. NULL s gives "". Returns the length of
 * buf.
 */
size_t text_safe(char *buf, size_t size, const char *s);

/* Terminal form of s to f; NULL writes nothing. */
void text_safe_write(FILE *f, const char *s);

#endif /* TTYIDLE_TEXTSAFE_H */
