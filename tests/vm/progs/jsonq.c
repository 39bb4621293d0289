// SPDX-License-Identifier: GPL-2.0
/*
 * jsonq: read `ttyidle status --json` in the VM scenarios (ttyidle.inc).
 *
 * sed and grep split the status at "},{" and matched "key":"value" text, so a
 * quote, a comma or a "},{" inside a string (a leader's command line) fooled
 * them. jq parses properly, but a jq process per field cost seconds per check
 * under TCG and made scenarios miss their timing (commit f3ba6d1). jsonq is a
 * real parser that is small, static (like ptyctl: it runs in the busybox
 * image with no libraries) and answers each helper in one process.
 *
 *   jsonq terminals [-1] [FILTER...]  stdin: the status object. Prints each
 *                                     element of its "terminals" array that
 *                                     matches every FILTER, one a line
 *   jsonq count [FILTER...]           how many elements `terminals` would print
 *   jsonq select [-1] [FILTER...]     stdin: objects, such as the lines that
 *                                     `terminals` prints; prints the matching ones
 *   jsonq get KEY...                  stdin: one object (a terminal, or the whole
 *                                     status); prints each KEY's value on a line
 *
 * FILTER is KEY=VALUE: member KEY is a string whose (unescaped) value is VALUE,
 * or a number, true, false or null written as VALUE; or KEY:TYPE: member KEY
 * is a string, number, boolean, null, object or array. An absent member
 * matches no filter; of duplicate members the first counts. -1 prints the
 * first match only (saves a `head -n1` process).
 *
 * get prints a string unquoted and unescaped (UTF-8), a number, true, false or
 * null as written, an object or array as compact JSON, and an empty line for
 * an absent key. Printed objects are compact JSON, members in input order,
 * strings escaped the way ttyidle escapes them (json_string in
 * user/lib/jsonw.c), so control and bidi characters stay escaped and every
 * object fits on one line.
 *
 * The input is parsed whole before anything is printed, strictly (RFC 8259):
 * invalid UTF-8, unpaired surrogates, raw control characters in strings, bad
 * numbers, trailing commas or data, truncation, and nesting deeper than
 * DEPTH_MAX are errors. An error prints one line, "jsonq: WHAT at byte N" (N
 * counting from 0), on stderr and exits 2, so that a broken status can never
 * pass for an empty or partial one. Exit 0 otherwise, matches or not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEPTH_MAX 64 /* the status nests 3 deep; the limit also bounds the recursion */
#define NONE	  ((size_t)-1)

enum kind { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

/*
 * The parsed input is a flat array of nodes in document order: a container
 * is followed by its contents (an object's as name, value, name, value...),
 * and `end` is the index just past its last descendant, so a whole subtree
 * is skipped in one step.
 */
struct node {
	enum kind kind;
	/* 32 bits (inputs stay under 4 GiB): less memory to touch; page faults cost under TCG */
	uint32_t at;	   /* offset of the value in the input, for messages */
	uint32_t off, len; /* J_STR: decoded bytes in strs; others: the text in the input */
	uint32_t end;
};

static char *in; /* the input, NUL-terminated: look-ahead stops at the NUL */
static size_t in_len, pos;
static char *strs; /* decoded strings: never longer than their escaped form */
static size_t strs_len;
static struct node *nodes;
static size_t n_nodes, cap_nodes;

__attribute__((noreturn, format(printf, 2, 3))) static void fail_at(size_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("jsonq: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " at byte %zu\n", at);
	va_end(ap);
	exit(2);
}

__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("jsonq: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* What stands at pos, when it is not what `want` describes. */
__attribute__((noreturn)) static void fail_expected(const char *want)
{
	unsigned char c = (unsigned char)in[pos];

	if (pos >= in_len)
		fail_at(pos, "truncated input: expected %s", want);
	if (c > 0x20 && c < 0x7f)
		fail_at(pos, "expected %s, found '%c'", want, c);
	fail_at(pos, "expected %s, found byte 0x%02x", want, c);
}

static void read_input(void)
{
	size_t cap = 65536;
	ssize_t n;

	in = malloc(cap);
	if (!in)
		fail("out of memory");
	for (;;) {
		if (in_len + 1 >= cap) {
			cap *= 2;
			in = realloc(in, cap);
			if (!in)
				fail("out of memory");
		}
		n = read(0, in + in_len, cap - 1 - in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("reading stdin: %s", strerror(errno));
		if (n == 0)
			break;
		in_len += (size_t)n;
		if (in_len >= UINT32_MAX)
			fail("input of 4 GiB or more");
	}
	in[in_len] = '\0';
	strs = malloc(in_len + 1);
	if (!strs)
		fail("out of memory");
}

static size_t new_node(enum kind kind, size_t at)
{
	if (n_nodes == cap_nodes) {
		/* the status takes a node per 14 bytes: most inputs need no realloc */
		cap_nodes = cap_nodes ? cap_nodes * 2 : in_len / 12 + 64;
		nodes = realloc(nodes, cap_nodes * sizeof(*nodes));
		if (!nodes)
			fail("out of memory");
	}
	nodes[n_nodes] = (struct node){.kind = kind, .at = at, .off = at, .end = n_nodes + 1};
	return n_nodes++;
}

static void skip_ws(void)
{
	while (pos < in_len &&
	       (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r'))
		pos++;
}

/*
 * Length of the UTF-8 sequence at p, 0 if invalid (overlong, surrogate, >
 * U+10FFFF). Apart from user/lib/textsafe.c's utf8_decode() on purpose: this
 * checks what ttyidle prints, so a bug there must not be shared here.
 */
static int utf8_len(const unsigned char *p)
{
	unsigned int c = p[0], min;
	int n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	/* the terminating NUL is no continuation byte: a cut sequence stops there */
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

/* Four hex digits at p, or -1. Stops at the first non-digit, so never reads past the NUL. */
static long hex4(const char *p)
{
	long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static void put_utf8(unsigned long cp)
{
	char *o = strs + strs_len;

	if (cp < 0x80) {
		o[0] = (char)cp;
		strs_len += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		strs_len += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		strs_len += 3;
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		strs_len += 4;
	}
}

/* \uXXXX at pos (the backslash), with its low half if it is a high surrogate. */
static void parse_u_escape(void)
{
	size_t at = pos;
	long cp = hex4(in + pos + 2), lo;

	if (cp < 0)
		fail_at(at, "invalid \\u escape");
	pos += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		fail_at(at, "unpaired surrogate \\u%04lx", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		lo = in[pos] == '\\' && in[pos + 1] == 'u' ? hex4(in + pos + 2) : -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			fail_at(at, "unpaired surrogate \\u%04lx", cp);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		pos += 6;
	}
	put_utf8((unsigned long)cp);
}

static void parse_string(void)
{
	size_t me = new_node(J_STR, pos);
	unsigned char c;
	int n;

	nodes[me].off = strs_len;
	pos++;
	for (;;) {
		if (pos >= in_len)
			fail_at(pos, "truncated input: unterminated string");
		c = (unsigned char)in[pos];
		if (c == '"') {
			pos++;
			break;
		}
		if (c < 0x20)
			fail_at(pos, "control character 0x%02x in a string", c);
		if (c < 0x80 && c != '\\') {
			strs[strs_len++] = (char)c;
			pos++;
			continue;
		}
		if (c != '\\') {
			n = utf8_len((const unsigned char *)in + pos);
			if (!n)
				fail_at(pos, "invalid UTF-8");
			memcpy(strs + strs_len, in + pos, (size_t)n);
			strs_len += (size_t)n;
			pos += (size_t)n;
			continue;
		}
		switch (in[pos + 1]) {
		case '"':
		case '\\':
		case '/':
			strs[strs_len++] = in[pos + 1];
			break;
		case 'b':
			strs[strs_len++] = '\b';
			break;
		case 'f':
			strs[strs_len++] = '\f';
			break;
		case 'n':
			strs[strs_len++] = '\n';
			break;
		case 'r':
			strs[strs_len++] = '\r';
			break;
		case 't':
			strs[strs_len++] = '\t';
			break;
		case 'u':
			parse_u_escape();
			continue;
		default:
			if (pos + 1 >= in_len)
				fail_at(pos + 1, "truncated input: unterminated string");
			fail_at(pos, "invalid escape in a string");
		}
		pos += 2;
	}
	nodes[me].len = strs_len - nodes[me].off;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written. */
static void parse_number(void)
{
	size_t me = new_node(J_NUM, pos);

	if (in[pos] == '-')
		pos++;
	if (in[pos] == '0' && is_digit(in[pos + 1]))
		fail_at(nodes[me].at, "invalid number (leading zero)");
	if (in[pos] == '0')
		pos++;
	else if (is_digit(in[pos]))
		while (is_digit(in[pos]))
			pos++;
	else
		fail_at(nodes[me].at, "invalid number");
	if (in[pos] == '.') {
		pos++;
		if (!is_digit(in[pos]))
			fail_at(nodes[me].at, "invalid number");
		while (is_digit(in[pos]))
			pos++;
	}
	if (in[pos] == 'e' || in[pos] == 'E') {
		pos++;
		if (in[pos] == '+' || in[pos] == '-')
			pos++;
		if (!is_digit(in[pos]))
			fail_at(nodes[me].at, "invalid number");
		while (is_digit(in[pos]))
			pos++;
	}
	nodes[me].len = pos - nodes[me].off;
}

static void parse_literal(const char *word, enum kind kind)
{
	size_t n = strlen(word), me = new_node(kind, pos);

	if (in_len - pos < n || memcmp(in + pos, word, n))
		fail_at(pos, "invalid literal (not true, false or null)");
	nodes[me].len = n;
	pos += n;
}

static void parse_value(unsigned int depth);

/* depth: containers around this one, itself included */
static void parse_container(unsigned int depth)
{
	bool obj = in[pos] == '{';
	size_t me = new_node(obj ? J_OBJ : J_ARR, pos);
	char close = obj ? '}' : ']';

	if (depth > DEPTH_MAX)
		fail_at(pos, "nesting deeper than %d", DEPTH_MAX);
	pos++;
	skip_ws();
	if (in[pos] == close) {
		pos++;
		nodes[me].end = n_nodes;
		return;
	}
	for (;;) {
		if (obj) {
			skip_ws();
			if (in[pos] != '"')
				fail_expected("a member name");
			parse_string();
			skip_ws();
			if (in[pos] != ':')
				fail_expected("':'");
			pos++;
		}
		parse_value(depth);
		skip_ws();
		if (in[pos] == ',') {
			pos++;
			continue;
		}
		if (in[pos] == close) {
			pos++;
			break;
		}
		fail_expected(obj ? "',' or '}'" : "',' or ']'");
	}
	nodes[me].end = n_nodes;
}

static void parse_value(unsigned int depth)
{
	skip_ws();
	if (pos >= in_len)
		fail_expected("a value");
	switch (in[pos]) {
	case '{':
	case '[':
		parse_container(depth + 1);
		break;
	case '"':
		parse_string();
		break;
	case 't':
		parse_literal("true", J_TRUE);
		break;
	case 'f':
		parse_literal("false", J_FALSE);
		break;
	case 'n':
		parse_literal("null", J_NULL);
		break;
	default:
		if (in[pos] != '-' && !is_digit(in[pos]))
			fail_expected("a value");
		parse_number();
	}
}

/* The input is exactly one object; returns its node. */
static size_t parse_one_object(void)
{
	skip_ws();
	if (pos >= in_len)
		fail_at(pos, "no JSON value in the input");
	if (in[pos] != '{')
		fail_expected("an object");
	parse_value(0);
	skip_ws();
	if (pos < in_len)
		fail_at(pos, "trailing data after the object");
	return 0;
}

/* The input is zero or more objects (one a line, as `terminals` prints them). */
static void parse_objects(void)
{
	for (;;) {
		skip_ws();
		if (pos >= in_len)
			return;
		if (in[pos] != '{')
			fail_expected("an object");
		parse_value(0);
	}
}

/* The value of member key of object obj, or NONE. */
static size_t member(size_t obj, const char *key, size_t klen)
{
	size_t i;

	if (nodes[obj].kind != J_OBJ)
		return NONE;
	for (i = obj + 1; i < nodes[obj].end; i = nodes[i + 1].end)
		if (nodes[i].len == klen && !memcmp(strs + nodes[i].off, key, klen))
			return i + 1;
	return NONE;
}

/* A scalar's text: a string's decoded value, anything else as written. */
static const char *text(size_t v)
{
	return nodes[v].kind == J_STR ? strs + nodes[v].off : in + nodes[v].off;
}

/* Same set as text_unsafe_cp() in user/lib/textsafe.c: what ttyidle escapes. */
static bool unsafe_cp(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void emit_string(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	unsigned long cp;
	int n, i;

	putchar('"');
	while (p < e) {
		/* valid UTF-8 by construction (parse_string checked or encoded it) */
		n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		cp = n == 1 ? *p : *p & (0x7f >> n);
		for (i = 1; i < n; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		switch (cp) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\b':
			fputs("\\b", stdout);
			break;
		case '\f':
			fputs("\\f", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (unsafe_cp(cp))
				printf("\\u%04lx", cp);
			else
				fwrite(p, 1, (size_t)n, stdout);
		}
		p += n;
	}
	putchar('"');
}

/* Compact JSON of node v (recursion bounded by DEPTH_MAX). */
static void emit(size_t v)
{
	size_t i;

	switch (nodes[v].kind) {
	case J_STR:
		emit_string(text(v), nodes[v].len);
		break;
	case J_ARR:
		putchar('[');
		for (i = v + 1; i < nodes[v].end; i = nodes[i].end) {
			if (i != v + 1)
				putchar(',');
			emit(i);
		}
		putchar(']');
		break;
	case J_OBJ:
		putchar('{');
		for (i = v + 1; i < nodes[v].end; i = nodes[i + 1].end) {
			if (i != v + 1)
				putchar(',');
			emit(i);
			putchar(':');
			emit(i + 1);
		}
		putchar('}');
		break;
	default:
		fwrite(text(v), 1, nodes[v].len, stdout);
	}
}

struct filter {
	const char *key, *value; /* value: NULL for a type test */
	size_t klen;
	int type; /* a kind, J_TRUE standing for both booleans */
};

static const char *const type_names[] = {
    [J_NULL] = "null",	[J_TRUE] = "boolean", [J_NUM] = "number",
    [J_STR] = "string", [J_ARR] = "array",    [J_OBJ] = "object",
};

__attribute__((noreturn)) static void usage(void)
{
	fail("usage: jsonq terminals|select [-1] [FILTER...] | count [FILTER...] | get KEY... "
	     "(FILTER: KEY=VALUE or KEY:TYPE)");
}

static struct filter *parse_filters(int argc, char **argv)
{
	struct filter *f = calloc((size_t)argc + 1, sizeof(*f));
	const char *sep;
	int i, t;

	if (!f)
		fail("out of memory");
	for (i = 0; i < argc; i++) {
		f[i].key = argv[i];
		/* the first '=' ends the key: a value may hold '=' and ':' ("dev=136:3") */
		sep = strchr(argv[i], '=');
		if (sep) {
			f[i].klen = (size_t)(sep - argv[i]);
			f[i].value = sep + 1;
			continue;
		}
		sep = strrchr(argv[i], ':');
		if (!sep)
			fail("filter '%s' is neither KEY=VALUE nor KEY:TYPE", argv[i]);
		f[i].klen = (size_t)(sep - argv[i]);
		f[i].type = -1;
		for (t = 0; t <= J_OBJ; t++)
			if (type_names[t] && !strcmp(sep + 1, type_names[t]))
				f[i].type = t;
		if (f[i].type < 0)
			fail("filter '%s': TYPE is null, boolean, number, string, array or object",
			     argv[i]);
	}
	f[argc].key = NULL;
	return f;
}

static bool matches(size_t obj, const struct filter *f)
{
	size_t v;
	int kind;

	for (; f->key; f++) {
		v = member(obj, f->key, f->klen);
		if (v == NONE)
			return false;
		kind = nodes[v].kind == J_FALSE ? J_TRUE : (int)nodes[v].kind;
		if (!f->value) {
			if (kind != f->type)
				return false;
		} else if (kind == J_ARR || kind == J_OBJ || nodes[v].len != strlen(f->value) ||
			   memcmp(text(v), f->value, nodes[v].len)) {
			return false;
		}
	}
	return true;
}

/* Print (or count) the objects among the values from first to end that match. */
static size_t print_matches(size_t first, size_t end, const struct filter *f, bool one, bool count)
{
	size_t i, n = 0;

	/* all checked before the first is printed: an error leaves stdout empty */
	for (i = first; i < end; i = nodes[i].end)
		if (nodes[i].kind != J_OBJ)
			fail_at(nodes[i].at, "expected an object");
	for (i = first; i < end; i = nodes[i].end) {
		if (!matches(i, f))
			continue;
		n++;
		if (!count) {
			emit(i);
			putchar('\n');
			if (one)
				break;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	bool one = false, count = !strcmp(cmd, "count");
	size_t root, t, v;
	int i;

	if (argc > 2 && !strcmp(argv[2], "-1") &&
	    (!strcmp(cmd, "terminals") || !strcmp(cmd, "select"))) {
		one = true;
		argv++;
		argc--;
	}
	if (!strcmp(cmd, "terminals") || count) {
		struct filter *f = parse_filters(argc - 2, argv + 2);

		read_input();
		root = parse_one_object();
		t = member(root, "terminals", strlen("terminals"));
		if (t == NONE || nodes[t].kind != J_ARR)
			fail_at(t == NONE ? nodes[root].at : nodes[t].at,
				"expected a \"terminals\" array");
		v = print_matches(t + 1, nodes[t].end, f, one, count);
		if (count)
			printf("%zu\n", v);
		free(f);
	} else if (!strcmp(cmd, "select")) {
		struct filter *f = parse_filters(argc - 2, argv + 2);

		read_input();
		parse_objects();
		print_matches(0, n_nodes, f, one, false);
		free(f);
	} else if (!strcmp(cmd, "get") && argc > 2) {
		read_input();
		root = parse_one_object();
		for (i = 2; i < argc; i++) {
			/* an absent key still gets its line: the output stays in KEY order */
			v = member(root, argv[i], strlen(argv[i]));
			if (v != NONE && (nodes[v].kind == J_ARR || nodes[v].kind == J_OBJ))
				emit(v);
			else if (v != NONE)
				fwrite(text(v), 1, nodes[v].len, stdout);
			putchar('\n');
		}
	} else {
		usage();
	}
	if (fflush(stdout) || ferror(stdout))
		fail("writing stdout: %s", strerror(errno));
	return 0;
}
