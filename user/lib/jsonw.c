// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

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

void jsonw_init(struct jsonw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* Ready for a value here: the comma before it, or false (and w->err) if none may come. */
static bool value_ok(struct jsonw *w)
{
	if (w->err)
		return false;
	if (!w->depth) {
		if (w->done) {
			w->err = -EINVAL;
			return false;
		}
		return true;
	}
	if (w->open[w->depth - 1] == '{') {
		if (!w->after_key) {
			w->err = -EINVAL;
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (w->items[w->depth - 1])
		fputc(',', w->f);
	w->items[w->depth - 1] = true;
	return true;
}

/* A scalar value was written: at the top level the document is complete. */
static void value_done(struct jsonw *w)
{
	if (!w->depth)
		w->done = true;
}

static void open_level(struct jsonw *w, char c)
{
	if (!value_ok(w))
		return;
	if (w->depth == JSONW_DEPTH_MAX) {
		w->err = -EINVAL;
		return;
	}
	fputc(c, w->f);
	w->open[w->depth] = c;
	w->items[w->depth] = false;
	w->depth++;
}

static void close_level(struct jsonw *w, char open, char close)
{
	if (w->err)
		return;
	if (!w->depth || w->open[w->depth - 1] != open || w->after_key) {
		w->err = -EINVAL;
		return;
	}
	fputc(close, w->f);
	w->depth--;
	value_done(w);
}

void jsonw_obj_open(struct jsonw *w)
{
	open_level(w, '{');
}

void jsonw_obj_close(struct jsonw *w)
{
	close_level(w, '{', '}');
}

void jsonw_arr_open(struct jsonw *w)
{
	open_level(w, '[');
}

void jsonw_arr_close(struct jsonw *w)
{
	close_level(w, '[', ']');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	if (w->err)
		return;
	if (!w->depth || w->open[w->depth - 1] != '{' || w->after_key || !key) {
		w->err = -EINVAL;
		return;
	}
	if (w->items[w->depth - 1])
		fputc(',', w->f);
	w->items[w->depth - 1] = true;
	json_string(w->f, key);
	fputc(':', w->f);
	w->after_key = true;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!value_ok(w))
		return;
	json_string(w->f, s);
	value_done(w);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	if (!value_ok(w))
		return;
	fprintf(w->f, "%" PRIu64, v);
	value_done(w);
}

void jsonw_int(struct jsonw *w, long long v)
{
	if (!value_ok(w))
		return;
	fprintf(w->f, "%lld", v);
	value_done(w);
}

void jsonw_fixed(struct jsonw *w, double v, int decimals)
{
	unsigned long long scale = 1, whole, frac;
	double a;

	if (decimals < 0 || decimals > 9) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	if (isnan(v) || isinf(v)) {
		jsonw_null(w);
		return;
	}
	if (!value_ok(w))
		return;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	a = fabs(v);
	/* printf's %f would write the locale's decimal point, a ',' in many */
	if (a * (double)scale < 9e18) {
		unsigned long long n = (unsigned long long)(a * (double)scale + 0.5);

		whole = n / scale;
		frac = n % scale;
		fprintf(w->f, "%s%llu", v < 0 && n ? "-" : "", whole);
		if (decimals)
			fprintf(w->f, ".%0*llu", decimals, frac);
	} else {
		/* beyond 2^63 a double has no fraction left to print */
		fprintf(w->f, "%.0f", v);
		if (decimals)
			fprintf(w->f, ".%0*d", decimals, 0);
	}
	value_done(w);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	if (!value_ok(w))
		return;
	fputs(v ? "true" : "false", w->f);
	value_done(w);
}

void jsonw_null(struct jsonw *w)
{
	if (!value_ok(w))
		return;
	fputs("null", w->f);
	value_done(w);
}

int jsonw_end(struct jsonw *w)
{
	if (w->err)
		return w->err;
	if (w->depth || !w->done)
		return -EINVAL;
	return ferror(w->f) ? -EIO : 0;
}
