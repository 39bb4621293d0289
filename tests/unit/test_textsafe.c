// SPDX-License-Identifier: GPL-2.0
/*
 * User-chosen text on its way out: strict UTF-8 decoding, the terminal form
 * (textsafe.h) and JSON strings (jsonw.h). Exact outputs for the classic
 * attacks, then random byte strings checked by an independent reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unistd.h>

#include "lib/jsonw.h"
#include "lib/log.h"
#include "lib/textsafe.h"

static char *json_of(const char *s)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	json_string(f, s);
	fclose(f);
	return buf;
}

static char *safe_of(const char *s)
{
	static char buf[4096];

	text_safe(buf, sizeof(buf), s);
	return buf;
}

static char *safe_file_of(const char *s)
{
	static char buf[4096];
	FILE *f;

	/* fmemopen() adds no NUL when nothing is written */
	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	text_safe_write(f, s);
	fclose(f);
	return buf;
}

static void test_decode(void **state)
{
	static const struct {
		const char *in;
		int len;
		uint32_t cp;
	} cases[] = {
	    {"a", 1, 'a'},
	    {"\x7f", 1, 0x7f},
	    {"\xc2\x80", 2, 0x80},
	    {"\xc3\xa9", 2, 0xe9},
	    {"\xdf\xbf", 2, 0x7ff},
	    {"\xe0\xa0\x80", 3, 0x800},
	    {"\xe6\x97\xa5", 3, 0x65e5},
	    {"\xed\x9f\xbf", 3, 0xd7ff},
	    {"\xee\x80\x80", 3, 0xe000},
	    {"\xef\xbf\xbf", 3, 0xffff},
	    {"\xf0\x90\x80\x80", 4, 0x10000},
	    {"\xf0\x9f\x98\x80", 4, 0x1f600},
	    {"\xf4\x8f\xbf\xbf", 4, 0x10ffff},
	    /* invalid: the first byte starts no valid sequence */
	    {"\x80", 0, 0},		/* lone continuation */
	    {"\xbf", 0, 0},		/* lone continuation */
	    {"\xc0\xaf", 0, 0},		/* overlong '/' */
	    {"\xc1\xbf", 0, 0},		/* overlong */
	    {"\xe0\x80\xaf", 0, 0},	/* overlong, 3 bytes */
	    {"\xe0\x9f\xbf", 0, 0},	/* overlong U+07FF */
	    {"\xf0\x80\x80\xaf", 0, 0}, /* overlong, 4 bytes */
	    {"\xf0\x8f\xbf\xbf", 0, 0}, /* overlong U+FFFF */
	    {"\xed\xa0\x80", 0, 0},	/* surrogate U+D800 */
	    {"\xed\xbf\xbf", 0, 0},	/* surrogate U+DFFF */
	    {"\xf4\x90\x80\x80", 0, 0}, /* U+110000 */
	    {"\xf5\x80\x80\x80", 0, 0}, /* beyond any code point */
	    {"\xfe", 0, 0},		/* never in UTF-8 */
	    {"\xff", 0, 0},		/* never in UTF-8 */
	    {"\xe6\x97", 0, 0},		/* truncated at the NUL */
	    {"\xf0\x9f\x98", 0, 0},	/* truncated at the NUL */
	    {"\xc3"
	     "a",
	     0, 0},			/* a non-continuation byte */
	    {"\xe6\x97\xc3\xa9", 0, 0}, /* another sequence's start */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0xdeadbeef;
		int n = utf8_decode(cases[i].in, &cp);

		if (n != cases[i].len)
			fail_msg("case %zu: length %d, want %d", i, n, cases[i].len);
		if (n && cp != cases[i].cp)
			fail_msg("case %zu: U+%04X, want U+%04X", i, cp, cases[i].cp);
	}
}

static void test_unsafe_cp(void **state)
{
	(void)state;
	assert_true(text_unsafe_cp(0));
	assert_true(text_unsafe_cp(0x1b));
	assert_true(text_unsafe_cp(0x1f));
	assert_false(text_unsafe_cp(' '));
	assert_false(text_unsafe_cp('~'));
	assert_true(text_unsafe_cp(0x7f));
	assert_true(text_unsafe_cp(0x80));
	assert_true(text_unsafe_cp(0x9b));
	assert_true(text_unsafe_cp(0x9f));
	assert_false(text_unsafe_cp(0xa0));
	assert_false(text_unsafe_cp(0xe9));
	assert_true(text_unsafe_cp(0x202e));
	assert_true(text_unsafe_cp(0x2028));
	assert_true(text_unsafe_cp(0x2066));
	assert_false(text_unsafe_cp(0x2030));
	assert_false(text_unsafe_cp(0x65e5));
	assert_false(text_unsafe_cp(0x1f600));
}

static void expect_safe(const char *in, const char *want)
{
	assert_string_equal(safe_of(in), want);
	assert_string_equal(safe_file_of(in), want);
}

static void test_safe_exact(void **state)
{
	(void)state;
	expect_safe("bash", "bash");
	expect_safe("pts/3", "pts/3");
	expect_safe("a b-c_d.e@f:1", "a b-c_d.e@f:1");
	expect_safe("", "");
	assert_string_equal(safe_of(NULL), "");
	assert_string_equal(safe_file_of(NULL), "");
	/* the terminal would act on these */
	expect_safe("\033]0;pwned\007", "\\x1b]0;pwned\\x07");
	expect_safe("\033[2J", "\\x1b[2J");
	expect_safe("\x9b"
		    "2J",
		    "\\x9b2J"); /* a C1 CSI byte alone is invalid UTF-8 */
	expect_safe("\xc2\x9b"
		    "2J",
		    "\\xc2\\x9b2J"); /* CSI as a code point, U+009B */
	expect_safe("a\"b\\c\n", "a\"b\\\\c\\x0a");
	expect_safe("\t\r\x7f", "\\x09\\x0d\\x7f");
	expect_safe("\xe2\x80\xae"
		    "evil",
		    "\\xe2\\x80\\xaeevil"); /* RTL override */
	expect_safe("\xe2\x80\xa8", "\\xe2\\x80\\xa8");
	/* not UTF-8: each byte on its own */
	expect_safe("\xff", "\\xff");
	expect_safe("a\xff"
		    "b",
		    "a\\xffb");
	expect_safe("\xc0\xaf", "\\xc0\\xaf");
	expect_safe("a\x80"
		    "b",
		    "a\\x80b");
	expect_safe("x\xe6\x97", "x\\xe6\\x97");
	expect_safe("\xf0\x9f\x98", "\\xf0\\x9f\\x98");
	expect_safe("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect_safe("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect_safe("\xe6\x97\xc3\xa9", "\\xe6\\x97\xc3\xa9"); /* the é after it survives */
	/* valid text is kept */
	expect_safe("caf\xc3\xa9", "caf\xc3\xa9");
	expect_safe("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	expect_safe("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
	/* a user cannot pass off a real escape as its own text */
	expect_safe("\\x1b", "\\\\x1b");
}

static void test_safe_cut(void **state)
{
	char buf[16];

	(void)state;
	/* what the status table does: N + 1 bytes for a column of N */
	assert_int_equal(text_safe(buf, 11, "abcdefghijklmn"), 10);
	assert_string_equal(buf, "abcdefghij");
	assert_int_equal(text_safe(buf, 11, "alice"), 5);
	assert_string_equal(buf, "alice");
	/* never half an escape, half a character or half of \\ */
	assert_int_equal(text_safe(buf, 5, "ab\033"), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(text_safe(buf, 7, "ab\033"), 6);
	assert_string_equal(buf, "ab\\x1b");
	assert_int_equal(text_safe(buf, 4, "a\xe6\x97\xa5"), 1);
	assert_string_equal(buf, "a");
	assert_int_equal(text_safe(buf, 5, "a\xe6\x97\xa5"), 4);
	assert_string_equal(buf, "a\xe6\x97\xa5");
	assert_int_equal(text_safe(buf, 3, "a\\"), 1);
	assert_string_equal(buf, "a");
	assert_int_equal(text_safe(buf, 1, "abc"), 0);
	assert_string_equal(buf, "");
	buf[0] = 'x';
	assert_int_equal(text_safe(buf, 0, "abc"), 0);
	assert_int_equal(buf[0], 'x'); /* nothing written */
}

static void expect_json(const char *in, const char *want)
{
	assert_string_equal(json_of(in), want);
}

static void test_json_exact(void **state)
{
	(void)state;
	expect_json(NULL, "null");
	expect_json("", "\"\"");
	expect_json("pts/3", "\"pts/3\"");
	expect_json("a\"b\\c\n", "\"a\\\"b\\\\c\\n\"");
	expect_json("\b\f\r\t", "\"\\b\\f\\r\\t\"");
	expect_json("\033]0;x\007", "\"\\u001b]0;x\\u0007\"");
	expect_json("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	expect_json("\xc2\x9b", "\"\\u009b\"");
	expect_json("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
	expect_json("\xe2\x80\xae", "\"\\u202e\"");
	expect_json("/", "\"/\"");
	/* every invalid byte is one U+FFFD */
	expect_json("\xff", "\"\\ufffd\"");
	expect_json("\x9b", "\"\\ufffd\"");
	expect_json("a\xff"
		    "b",
		    "\"a\\ufffdb\"");
	expect_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	expect_json("a\x80", "\"a\\ufffd\"");
	expect_json("x\xe6\x97", "\"x\\ufffd\\ufffd\"");
	expect_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	expect_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	expect_json("\xe6\x97\xc3\xa9", "\"\\ufffd\\ufffd\xc3\xa9\"");
	/* valid text is kept */
	expect_json("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	expect_json("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\"");
	expect_json("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	expect_json("\xef\xbf\xbd", "\"\xef\xbf\xbd\""); /* U+FFFD itself */
}

/* ---- an independent reader: Unicode Table 3-7 and RFC 8259, by hand ---- */

/* Length of the well-formed sequence at p (Table 3-7), 0 if none. */
static int ref_seq(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] == 0xe0)
		n = 3, lo = 0xa0;
	else if ((p[0] >= 0xe1 && p[0] <= 0xec) || p[0] == 0xee || p[0] == 0xef)
		n = 3;
	else if (p[0] == 0xed)
		n = 3, hi = 0x9f;
	else if (p[0] == 0xf0)
		n = 4, lo = 0x90;
	else if (p[0] >= 0xf1 && p[0] <= 0xf3)
		n = 4;
	else if (p[0] == 0xf4)
		n = 4, hi = 0x8f;
	else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* Is the whole NUL-terminated string well-formed UTF-8? */
static bool ref_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	for (; *p; p += n)
		if (!(n = ref_seq(p)))
			return false;
	return true;
}

static int ref_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t ref_put_cp(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/*
 * Parse j as exactly one strict JSON string into out (UTF-8, NUL-terminated)
 * and check the promises beyond JSON: no raw DEL, C1, U+2028/U+2029 or bidi
 * control. Returns the decoded length, or -1 with a reason.
 */
static long ref_json(const char *j, char *out, const char **why)
{
	const unsigned char *p = (const unsigned char *)j;
	size_t o = 0;
	int n, k;

	*why = "not UTF-8";
	if (!ref_valid(j))
		return -1;
	*why = "no opening quote";
	if (*p++ != '"')
		return -1;
	for (;;) {
		*why = "unterminated";
		if (!*p)
			return -1;
		if (*p == '"') {
			*why = "text after the string";
			if (p[1])
				return -1;
			out[o] = 0;
			return (long)o;
		}
		*why = "raw control character";
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		if (*p == '\\') {
			uint32_t cp = 0;

			p++;
			switch (*p) {
			case '"':
			case '\\':
			case '/':
				out[o++] = (char)*p++;
				continue;
			case 'b':
				out[o++] = '\b', p++;
				continue;
			case 'f':
				out[o++] = '\f', p++;
				continue;
			case 'n':
				out[o++] = '\n', p++;
				continue;
			case 'r':
				out[o++] = '\r', p++;
				continue;
			case 't':
				out[o++] = '\t', p++;
				continue;
			case 'u':
				for (k = 1; k <= 4; k++) {
					int h = ref_hex((char)p[k]);

					*why = "bad \\u escape";
					if (h < 0)
						return -1;
					cp = cp << 4 | (uint32_t)h;
				}
				*why = "lone surrogate escape";
				if (cp >= 0xd800 && cp <= 0xdfff)
					return -1;
				o += ref_put_cp(out + o, cp);
				p += 5;
				continue;
			default:
				*why = "bad escape";
				return -1;
			}
		}
		n = ref_seq(p);
		*why = "raw C1, line separator or bidi control";
		if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f)
			return -1;
		if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
		    ((p[2] >= 0xa8 && p[2] <= 0xae) || p[2] == 0x8e || p[2] == 0x8f))
			return -1;
		if (n == 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
			return -1;
		if (n == 2 && p[0] == 0xd8 && p[1] == 0x9c)
			return -1;
		memcpy(out + o, p, (size_t)n);
		o += (size_t)n;
		p += n;
	}
}

/* What the JSON form must decode to: s with each invalid byte as U+FFFD. */
static void ref_replaced(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	int n;

	while (*p) {
		n = ref_seq(p);
		if (n) {
			memcpy(out + o, p, (size_t)n);
			o += (size_t)n;
			p += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	out[o] = 0;
}

/*
 * Read the terminal form back: \\ and \xNN, nothing else after a backslash.
 * Also checks that it is well-formed UTF-8 without a C0, DEL or C1 control.
 */
static long ref_unsafe(const char *t, char *out, const char **why)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t o = 0;

	*why = "not UTF-8";
	if (!ref_valid(t))
		return -1;
	while (*p) {
		*why = "control character";
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] <= 0x9f))
			return -1;
		if (*p != '\\') {
			out[o++] = (char)*p++;
			continue;
		}
		if (p[1] == '\\') {
			out[o++] = '\\';
			p += 2;
		} else if (p[1] == 'x' && ref_hex((char)p[2]) >= 0 && ref_hex((char)p[3]) >= 0) {
			out[o++] = (char)(ref_hex((char)p[2]) << 4 | ref_hex((char)p[3]));
			p += 4;
		} else {
			*why = "bad or cut escape";
			return -1;
		}
	}
	out[o] = 0;
	return (long)o;
}

static uint32_t rnd(uint32_t *x)
{
	/* xorshift32: fixed seed, the same strings on every run */
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Random text. Half of it is valid UTF-8 made of ASCII and whole characters
 * (controls, C1, bidi and separators among them); the other half adds what
 * breaks decoders: high bytes, controls, and sequences cut or with a byte
 * changed.
 */
static void random_text(uint32_t *x, char *s, size_t max)
{
	static const char *const valid[] = {"\xc3\xa9",
					    "\xe6\x97\xa5",
					    "\xf0\x9f\x98\x80",
					    "\xf4\x8f\xbf\xbf",
					    "\xe2\x80\xae",
					    "\xe2\x80\xa8",
					    "\xc2\x9b",
					    "\033]0;",
					    "\\x1b",
					    "\"",
					    "\\",
					    "\x7f",
					    "\n",
					    "\xd8\x9c",
					    "\xef\xbf\xbd"};
	static const char *const broken[] = {"\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80",
					     "\xe0\x80\xaf", "\xf8\x88\x80\x80\x80"};
	size_t len = rnd(x) % max, i = 0;
	bool clean = rnd(x) & 1;

	while (i < len) {
		uint32_t r = rnd(x) % 10;
		const char *pc;
		size_t n, k;

		if (r < 4 || (!clean && r < 5)) {
			s[i++] = (char)(0x20 + rnd(x) % 0x5f);
			continue;
		}
		if (!clean && r < 7) {
			s[i++] = (char)(0x80 + rnd(x) % 0x80);
			continue;
		}
		if (!clean && r < 8) {
			s[i++] = (char)(1 + rnd(x) % 0x7f);
			continue;
		}
		if (!clean && r == 9)
			pc = broken[rnd(x) % (sizeof(broken) / sizeof(broken[0]))];
		else
			pc = valid[rnd(x) % (sizeof(valid) / sizeof(valid[0]))];
		n = strlen(pc);
		if (clean && i + n > len)
			break;
		for (k = 0; k < n && i < len; k++)
			s[i++] = pc[k];
		if (!clean && rnd(x) % 4 == 0) /* one byte of it changed */
			s[i - 1 - rnd(x) % k] = (char)(1 + rnd(x) % 255);
	}
	s[i] = 0;
}

static void test_random(void **state)
{
	enum { MAX = 64, ROUNDS = 5000 };
	static char in[MAX + 1], want[3 * MAX + 1], got[4 * MAX + 1], cut[4 * MAX + 1];
	uint32_t x = 0x2545f491;
	const char *why;
	int round, valid = 0;

	(void)state;
	for (round = 0; round < ROUNDS; round++) {
		const char *j, *t;
		size_t size, len;

		random_text(&x, in, MAX);
		valid += ref_valid(in);

		j = json_of(in);
		if (ref_json(j, got, &why) < 0)
			fail_msg("round %d: JSON %s: %s", round, why, j);
		ref_replaced(in, want);
		if (strcmp(got, want))
			fail_msg("round %d: JSON %s does not read back", round, j);

		t = safe_of(in);
		if (ref_unsafe(t, got, &why) < 0)
			fail_msg("round %d: terminal form %s: %s", round, why, t);
		if (strcmp(got, in))
			fail_msg("round %d: terminal form %s does not read back", round, t);
		assert_string_equal(safe_file_of(in), t);

		/* any cut is a prefix made of whole units */
		size = 1 + rnd(&x) % (strlen(t) + 2);
		len = text_safe(cut, size, in);
		assert_true(len < size);
		assert_int_equal(len, strlen(cut));
		assert_memory_equal(cut, t, len);
		if (ref_unsafe(cut, got, &why) < 0)
			fail_msg("round %d: cut at %zu: %s: %s", round, size, why, cut);
	}
	/* both kinds were seen in numbers */
	assert_true(valid > ROUNDS / 10);
	assert_true(valid < ROUNDS - ROUNDS / 10);
}

/* What log_info() writes on stderr, outside the journal; buf holds it all. */
static char *log_of(const char *name, size_t len)
{
	static char buf[8192];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	unsetenv("JOURNAL_STREAM");
	log_init(false);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	log_info("leader %.*s ended", (int)len, name);
	log_debug("not shown without -v");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	return buf;
}

static void test_log_line(void **state)
{
	static char longname[3000];
	char *line;

	(void)state;
	assert_string_equal(log_of("bash", 4), "ttyidle: leader bash ended\n");
	/* a process name cannot start a forged line nor drive the terminal */
	assert_string_equal(log_of("x\n<0>y", 6), "ttyidle: leader x\\x0a<0>y ended\n");
	assert_string_equal(log_of("\033]0;x\007\xff", 8),
			    "ttyidle: leader \\x1b]0;x\\x07\\xff ended\n");
	/* longer than the first buffer: all of it, still one line */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[1500] = '\n';
	line = log_of(longname, sizeof(longname) - 1);
	assert_int_equal(strlen(line), strlen("ttyidle: leader  ended\n") + 2999 + 3);
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),     cmocka_unit_test(test_unsafe_cp),
	    cmocka_unit_test(test_safe_exact), cmocka_unit_test(test_safe_cut),
	    cmocka_unit_test(test_json_exact), cmocka_unit_test(test_random),
	    cmocka_unit_test(test_log_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
