// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>

#include "lib/jsonw.h"
#include "lib/textsafe.h"

void json_string(FILE *f, const char *s)
{
	const char *p;
	uint32_t cp;
	int n;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = s; *p; p += n ? n : 1) {
		n = utf8_decode(p, &cp);
		if (!n) {
			fputs("\\ufffd", f);
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (text_unsafe_cp(cp))
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(p, 1, (size_t)n, f);
		}
	}
	fputc('"', f);
}
