// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer: nesting and commas, misuse refused, numbers whatever the
 * locale, and any bytes in a string giving valid UTF-8 and valid JSON, as
 * judged by a strict UTF-8 decoder and a JSON reader of this file's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonw.h"

struct doc {
	char *buf;
	size_t len;
	FILE *f;
	struct jsonw w;
};

static void doc_open(struct doc *d)
{
	d->buf = NULL;
	d->len = 0;
	d->f = open_memstream(&d->buf, &d->len);
	assert_non_null(d->f);
	jsonw_init(&d->w, d->f);
}

/* jsonw_end's verdict; d->buf holds the text. */
static int doc_close(struct doc *d)
{
	int r = jsonw_end(&d->w);

	fclose(d->f);
	return r;
}

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
 * U+10FFFF, no truncated sequence. Written from the RFC's table, not from
 * textsafe.c.
 */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* A strict JSON reader (RFC 8259), enough to say valid or not. */
struct rd {
	const char *p;
	int depth;
};

static bool rd_value(struct rd *r);

static bool rd_string(struct rd *r)
{
	if (*r->p++ != '"')
		return false;
	for (;;) {
		unsigned char c = (unsigned char)*r->p++;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false; /* raw control characters (and the end) */
		if (c != '\\')
			continue;
		c = (unsigned char)*r->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, r->p++)
				if (!strchr("0123456789abcdefABCDEF", *r->p) || !*r->p)
					return false;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return false;
		}
	}
}

static bool rd_number(struct rd *r)
{
	const char *s = r->p;

	if (*r->p == '-')
		r->p++;
	if (*r->p == '0')
		r->p++;
	else if (*r->p >= '1' && *r->p <= '9')
		while (*r->p >= '0' && *r->p <= '9')
			r->p++;
	else
		return false;
	if (*r->p == '.') {
		r->p++;
		if (!(*r->p >= '0' && *r->p <= '9'))
			return false;
		while (*r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	return r->p > s;
}

static bool rd_lit(struct rd *r, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(r->p, lit, n))
		return false;
	r->p += n;
	return true;
}

static bool rd_value(struct rd *r)
{
	bool first = true;

	switch (*r->p) {
	case '{':
	case '[': {
		char close = *r->p == '{' ? '}' : ']', open = *r->p;

		if (++r->depth > 64)
			return false;
		r->p++;
		while (*r->p != close) {
			if (!first && *r->p++ != ',')
				return false;
			first = false;
			if (open == '{' && (!rd_string(r) || *r->p++ != ':'))
				return false;
			if (!rd_value(r))
				return false;
		}
		r->p++;
		r->depth--;
		return true;
	}
	case '"':
		return rd_string(r);
	case 't':
		return rd_lit(r, "true");
	case 'f':
		return rd_lit(r, "false");
	case 'n':
		return rd_lit(r, "null");
	default:
		return rd_number(r);
	}
}

static bool json_valid(const char *s)
{
	struct rd r = {s, 0};

	return utf8_valid((const unsigned char *)s, strlen(s)) && rd_value(&r) && !*r.p;
}

static void test_nesting(void **state)
{
	struct doc d;

	doc_open(&d);
	jsonw_obj_open(&d.w);
	jsonw_key(&d.w, "a");
	jsonw_arr_open(&d.w);
	jsonw_uint(&d.w, 1);
	jsonw_obj_open(&d.w);
	jsonw_obj_close(&d.w);
	jsonw_arr_open(&d.w);
	jsonw_arr_close(&d.w);
	jsonw_str(&d.w, "x");
	jsonw_null(&d.w);
	jsonw_arr_close(&d.w);
	jsonw_key(&d.w, "b");
	jsonw_obj_open(&d.w);
	jsonw_key(&d.w, "c");
	jsonw_bool(&d.w, true);
	jsonw_key(&d.w, "d");
	jsonw_bool(&d.w, false);
	jsonw_key(&d.w, "e");
	jsonw_int(&d.w, -5);
	jsonw_obj_close(&d.w);
	jsonw_key(&d.w, "f");
	jsonw_uint(&d.w, UINT64_MAX);
	jsonw_obj_close(&d.w);
	assert_int_equal(doc_close(&d), 0);
	assert_string_equal(d.buf, "{\"a\":[1,{},[],\"x\",null],\"b\":{\"c\":true,\"d\":false,"
				   "\"e\":-5},\"f\":18446744073709551615}");
	assert_true(json_valid(d.buf));
	free(d.buf);

	/* a bare value is a document too */
	doc_open(&d);
	jsonw_str(&d.w, NULL);
	assert_int_equal(doc_close(&d), 0);
	assert_string_equal(d.buf, "null");
	free(d.buf);
}

static void test_misuse(void **state)
{
	struct doc d;

	/* a value without its key */
	doc_open(&d);
	jsonw_obj_open(&d.w);
	jsonw_uint(&d.w, 1);
	jsonw_obj_close(&d.w);
	assert_int_equal(doc_close(&d), -EINVAL);
	free(d.buf);
	/* a key in an array */
	doc_open(&d);
	jsonw_arr_open(&d.w);
	jsonw_key(&d.w, "k");
	assert_int_equal(doc_close(&d), -EINVAL);
	free(d.buf);
	/* a key without a value */
	doc_open(&d);
	jsonw_obj_open(&d.w);
	jsonw_key(&d.w, "k");
	jsonw_obj_close(&d.w);
	assert_int_equal(doc_close(&d), -EINVAL);
	free(d.buf);
	/* the wrong close, an unclosed one, none at all, two documents */
	doc_open(&d);
	jsonw_obj_open(&d.w);
	jsonw_arr_close(&d.w);
	assert_int_equal(doc_close(&d), -EINVAL);
	free(d.buf);
	doc_open(&d);
	jsonw_arr_open(&d.w);
	assert_int_equal(doc_close(&d), -EINVAL);
	free(d.buf);
	doc_open(&d);
	assert_int_equal(doc_close(&d), -EINVAL);
	free(d.buf);
	doc_open(&d);
	jsonw_uint(&d.w, 1);
	jsonw_uint(&d.w, 2);
	assert_int_equal(doc_close(&d), -EINVAL);
	assert_string_equal(d.buf, "1");
	free(d.buf);
	/* too deep */
	doc_open(&d);
	for (int i = 0; i <= JSONW_DEPTH_MAX; i++)
		jsonw_arr_open(&d.w);
	assert_int_equal(doc_close(&d), -EINVAL);
	free(d.buf);
}

static char *fixed(double v, int decimals)
{
	struct doc d;

	doc_open(&d);
	jsonw_fixed(&d.w, v, decimals);
	assert_int_equal(doc_close(&d), 0);
	return d.buf;
}

static void expect_fixed(double v, int decimals, const char *want)
{
	char *s = fixed(v, decimals);

	assert_string_equal(s, want);
	assert_true(json_valid(s));
	free(s);
}

static void test_numbers(void **state)
{
	expect_fixed(0, 3, "0.000");
	expect_fixed(1.5, 3, "1.500");
	expect_fixed(12.3456, 3, "12.346");
	expect_fixed(-0.25, 1, "-0.3");
	expect_fixed(-0.0001, 3, "0.000"); /* no "-0.000" */
	expect_fixed(59.9999, 3, "60.000");
	expect_fixed(7, 0, "7");
	expect_fixed(1e19, 2, "10000000000000000000.00");
	expect_fixed(NAN, 3, "null");
	expect_fixed(INFINITY, 3, "null");
	expect_fixed(-INFINITY, 3, "null");
	/* a locale whose decimal point is a comma must not reach the JSON */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
		expect_fixed(1.5, 3, "1.500");
		expect_fixed(1e19, 1, "10000000000000000000.0");
		setlocale(LC_NUMERIC, "C");
	}
}

/* Every string a writer is given, whatever its bytes, reads back as valid JSON and UTF-8. */
static void expect_valid_string(const char *s)
{
	struct doc d;

	doc_open(&d);
	jsonw_obj_open(&d.w);
	jsonw_key(&d.w, s); /* keys are user-chosen text too, at times */
	jsonw_arr_open(&d.w);
	jsonw_str(&d.w, s);
	jsonw_arr_close(&d.w);
	jsonw_obj_close(&d.w);
	assert_int_equal(doc_close(&d), 0);
	if (!json_valid(d.buf))
		fail_msg("not valid JSON/UTF-8: %s", d.buf);
	free(d.buf);
}

static char *str_of(const char *s)
{
	struct doc d;

	doc_open(&d);
	jsonw_str(&d.w, s);
	assert_int_equal(doc_close(&d), 0);
	return d.buf;
}

static void expect_str(const char *in, const char *want)
{
	char *s = str_of(in);

	assert_string_equal(s, want);
	free(s);
	expect_valid_string(in);
}

static void test_strings(void **state)
{
	uint32_t seed = 4242;
	char buf[64];

	expect_str("pts/3", "\"pts/3\"");
	expect_str("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect_str("\n\r\t\b\f\x01\x1f\x7f", "\"\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\"");
	expect_str("\033[2J", "\"\\u001b[2J\"");
	expect_str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		   "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""); /* valid: as is */
	expect_str("\xff", "\"\\ufffd\"");
	expect_str("\xfe\xfe", "\"\\ufffd\\ufffd\"");
	expect_str("\xc0\xaf", "\"\\ufffd\\ufffd\"");			    /* overlong '/' */
	expect_str("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	    /* overlong, 3 bytes */
	expect_str("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* overlong, 4 */
	expect_str("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	    /* surrogate D800 */
	expect_str("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");	    /* surrogate DFFF */
	expect_str("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	expect_str("a\xe2\x82", "\"a\\ufffd\\ufffd\""); /* truncated at the end */
	expect_str("\xe2\x82z", "\"\\ufffd\\ufffdz\""); /* truncated mid-string */
	expect_str("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
	expect_str("\x80", "\"\\ufffd\"");	   /* lone continuation byte */
	expect_str("\xe2\x80\xae", "\"\\u202e\""); /* bidi override, escaped */
	expect_str("\xe2\x80\xa8", "\"\\u2028\"");
	expect_str("\xc2\x9b", "\"\\u009b\""); /* C1 CSI */

	/* random bytes, any of them */
	for (int iter = 0; iter < 20000; iter++) {
		size_t len, i;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % (sizeof(buf) - 1);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (char)(1 + (seed >> 16) % 255);
		}
		buf[len] = 0;
		expect_valid_string(buf);
	}
}

/* The reader above must itself refuse what is not JSON, or its verdicts mean nothing. */
static void test_reader(void **state)
{
	assert_true(json_valid("{\"a\":[1,2.5,-3,\"\\u00e9\"],\"b\":null}"));
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("[1 2]"));
	assert_false(json_valid("\"a\nb\""));
	assert_false(json_valid("\"\\x41\""));
	assert_false(json_valid("1,5"));
	assert_false(json_valid("\"\xff\""));
	assert_false(json_valid("\"\xc0\xaf\""));
	assert_false(json_valid("\"\xed\xa0\x80\""));
	assert_false(json_valid("\"\xe2\x82\""));
	assert_false(json_valid("{\"a\":1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nesting), cmocka_unit_test(test_misuse),
	    cmocka_unit_test(test_numbers), cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
