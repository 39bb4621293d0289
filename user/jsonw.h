/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_JSONW_H
#define TTYIDLE_JSONW_H

#include <stdio.h>

/* Write s as a JSON string literal (quotes included); NULL writes null. */
void json_string(FILE *f, const char *s);

#endif
