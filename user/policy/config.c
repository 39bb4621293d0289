// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration parser. The format, in short:
 *
 *   # comment (only as the first non-blank character of a line)
 *   [global]
 *   idle-timeout = 15min
 *   [rule admins]
 *   group = wheel, adm
 *   idle-timeout = 1h
 *
 * One "key = value" per line. Lists take blanks and/or commas between values.
 * Everything unexpected is an error naming file, line and column; we never
 * guess what a line was meant to say.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/types.h>

#include "policy/config.h"
#include "policy/duration.h"
#include "policy/pattern.h"
#include "ttyidle.h"
#include "policy/warntext.h"
#include "lib/termview.h"

static const char builtin_policy[] =
    "[global]\n"
    "scope = login\n"
    "idle-timeout = 15min\n"
    "warn-before = 60s\n"
    "activity = input\n"
    "action = hangup\n"
    "signal-delays = 5s 5s\n"
    "warn-message = \\n*** ttyidle: {user}, this session on {tty} is idle and will be ended in "
    "{left}. Press a key to keep it. ***\\n\n";

static const char *const action_names[] = {
    [ACTION_HANGUP] = "hangup",
    [ACTION_SIGNAL] = "signal",
    [ACTION_WARN] = "warn",
    [ACTION_EXEMPT] = "exempt",
};

static const char *const origin_names[] = {
    [ORIGIN_OTHER] = "other",
    [ORIGIN_LOGIN] = "login",
    [ORIGIN_MULTIPLEXER] = "multiplexer",
};

static const char *const setting_names[] = {
    [SET_IDLE] = "idle-timeout", [SET_WARN] = "warn-before",	    [SET_ACTIVITY] = "activity",
    [SET_ACTION] = "action",	 [SET_SIGDELAYS] = "signal-delays", [SET_MESSAGE] = "warn-message",
};

static const char *const match_names[] = {
    [MATCH_USER] = "user", [MATCH_GROUP] = "group",	[MATCH_UID] = "uid",
    [MATCH_TTY] = "tty",   [MATCH_SERVICE] = "service", [MATCH_HOST] = "host",
};

/* one table for the configuration, status and the audit records (termview.h) */
static const char *const *const clock_names = tty_clock_names;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *action_name(enum action a)
{
	return (unsigned)a < ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

const char *origin_name(enum origin o)
{
	return (unsigned)o < ARRAY_SIZE(origin_names) ? origin_names[o] : "?";
}

const char *setting_name(enum setting s)
{
	return (unsigned)s < ARRAY_SIZE(setting_names) ? setting_names[s] : "?";
}

const char *match_key_name(enum match_key k)
{
	return (unsigned)k < ARRAY_SIZE(match_names) ? match_names[k] : "?";
}

int activity_format(uint32_t clocks, char *buf, size_t len)
{
	size_t off = 0;
	int i, n;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < TTY_CLK_MAX; i++) {
		if (!(clocks & TTY_CLK_BIT(i)))
			continue;
		n = snprintf(off < len ? buf + off : NULL, off < len ? len - off : 0, "%s%s",
			     off ? "+" : "", clock_names[i]);
		off += (size_t)n;
	}
	return (int)off;
}

/* ---- the parser ---------------------------------------------------------- */

enum key_place { IN_BOTH, IN_GLOBAL, IN_RULE };

enum key_id {
	K_IDLE,
	K_WARN,
	K_ACTIVITY,
	K_ACTION,
	K_SIGDELAYS,
	K_MESSAGE,
	K_SCOPE,
	K_USER,
	K_GROUP,
	K_UID,
	K_TTY,
	K_SERVICE,
	K_HOST,
};

static const struct keydef {
	const char *name;
	enum key_id id;
	enum key_place place;
	int setting; /* enum setting or -1 */
	int match;   /* enum match_key or -1 */
} keydefs[] = {
    {"idle-timeout", K_IDLE, IN_BOTH, SET_IDLE, -1},
    {"warn-before", K_WARN, IN_BOTH, SET_WARN, -1},
    {"activity", K_ACTIVITY, IN_BOTH, SET_ACTIVITY, -1},
    {"action", K_ACTION, IN_BOTH, SET_ACTION, -1},
    {"signal-delays", K_SIGDELAYS, IN_BOTH, SET_SIGDELAYS, -1},
    {"warn-message", K_MESSAGE, IN_BOTH, SET_MESSAGE, -1},
    {"scope", K_SCOPE, IN_GLOBAL, -1, -1},
    {"user", K_USER, IN_RULE, -1, MATCH_USER},
    {"group", K_GROUP, IN_RULE, -1, MATCH_GROUP},
    {"uid", K_UID, IN_RULE, -1, MATCH_UID},
    {"tty", K_TTY, IN_RULE, -1, MATCH_TTY},
    {"service", K_SERVICE, IN_RULE, -1, MATCH_SERVICE},
    {"host", K_HOST, IN_RULE, -1, MATCH_HOST},
};

struct parser {
	struct policy *p;
	const char *file;
	const char *line; /* the current line, a NUL-terminated copy */
	unsigned lineno;
	struct rule *cur;	      /* section being read; NULL before the first */
	bool rule_section;	      /* cur is a [rule], not [global] */
	unsigned global_line;	      /* [global] in this file, 0: not yet */
	unsigned global_set[SET_MAX]; /* line each [global] setting got in this file */
	unsigned scope_line;
	char *err;
	size_t errlen;
};

struct tok {
	const char *s;
	size_t n;
};

static unsigned col_of(const char *line, const char *at)
{
	unsigned col = 1;

	/* Columns count characters, not bytes: skip UTF-8 continuation bytes. */
	for (; line < at; line++)
		if (((unsigned char)*line & 0xc0) != 0x80)
			col++;
	return col;
}

__attribute__((format(printf, 3, 4))) static int perr(struct parser *ps, const char *at,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->errlen)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->file, ps->lineno, col_of(ps->line, at));
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

__attribute__((format(printf, 4, 5))) static int lerr(char *err, size_t errlen,
						      const struct srcloc *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return -EINVAL;
	n = snprintf(err, errlen, "%s:%u:%u: ", l->file, l->line, l->col);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Quote s[0..n) for a message: "..." with \" \\ \t escaped, cut after about
 * 40 characters (at a UTF-8 boundary) so an error stays one readable line.
 */
static const char *quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t o = 0, i, chars = 0;

	if (len < 8)
		return "\"\"";
	buf[o++] = '"';
	for (i = 0; i < n && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) != 0x80 && ++chars > 40) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c == '\t') {
			buf[o++] = '\\';
			buf[o++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* 40 characters of at most 4 bytes each, "...", quotes: always fits. */
#define Q(s, n) quote((char[256]){0}, 256, (s), (n))
#define QS(s)	Q((s), strlen(s))

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Reject what a text editor may hide: NUL, CR, control characters and bad
 * UTF-8, including C1 controls a terminal might act on.
 */
static int check_bytes(struct parser *ps, const char *s, size_t n, bool truncated)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t k, need;

		if (c == 0)
			return perr(ps, s + i, "NUL byte in configuration text");
		if (c == '\r')
			return perr(ps, s + i,
				    "carriage return (DOS line ending); save the file with Unix "
				    "line endings");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(ps, s + i, "control character 0x%02x", c);
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return perr(ps, s + i, "invalid UTF-8");
		}
		if (i + need >= n) {
			/* Cut by the line length limit: that error comes next. */
			if (truncated)
				return 0;
			return perr(ps, s + i, "invalid UTF-8");
		}
		for (k = 1; k <= need; k++) {
			unsigned char cc = (unsigned char)s[i + k];

			if ((cc & 0xc0) != 0x80)
				return perr(ps, s + i, "invalid UTF-8");
			cp = (cp << 6) | (cc & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return perr(ps, s + i, "invalid UTF-8");
		if (cp >= 0x80 && cp <= 0x9f)
			return perr(ps, s + i, "control character U+%04X", cp);
		if (cp == 0xfeff)
			return perr(ps, s + i,
				    "byte order mark (U+FEFF); save the file without it");
		i += need + 1;
	}
	return 0;
}

/*
 * Split a list: values separated by blanks and/or commas (and '+' when plus
 * is set). An empty value between separators is an error.
 */
static int split(struct parser *ps, const char *val, bool plus, struct tok *toks, size_t *ntoks)
{
	const char *p = val, *sep = NULL;
	size_t n = 0;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		if (*p == ',' || (plus && *p == '+')) {
			if (sep || n == 0)
				return perr(ps, p, "expected a value before %s",
					    *p == ',' ? "\",\"" : "\"+\"");
			sep = p++;
			continue;
		}
		if (n == CONF_ITEMS_MAX)
			return perr(ps, p, "too many values (at most %d)", CONF_ITEMS_MAX);
		toks[n].s = p;
		while (*p && !is_blank(*p) && *p != ',' && !(plus && *p == '+'))
			p++;
		toks[n].n = (size_t)(p - toks[n].s);
		n++;
		sep = NULL;
	}
	if (sep)
		return perr(ps, sep, "expected a value after %s", *sep == ',' ? "\",\"" : "\"+\"");
	*ntoks = n;
	return 0;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return strlen(s) == t->n && memcmp(t->s, s, t->n) == 0;
}

static int parse_duration(struct parser *ps, const char *s, size_t n, uint64_t *ns)
{
	char buf[CONF_LINE_MAX + 1];
	enum duration_error why;
	size_t pos;
	int r;

	memcpy(buf, s, n);
	buf[n] = '\0';
	r = duration_parse(buf, ns, &pos, &why);
	if (r == 0)
		return 0;
	switch (why) {
	case DURATION_NEGATIVE:
		return perr(ps, s, "durations cannot be negative, got %s", Q(s, n));
	case DURATION_UNIT: {
		size_t ul = 0;

		while (pos + ul < n && ((buf[pos + ul] >= 'a' && buf[pos + ul] <= 'z') ||
					(buf[pos + ul] >= 'A' && buf[pos + ul] <= 'Z')))
			ul++;
		return perr(ps, s + pos,
			    "unknown time unit %s, expected one of us, ms, s, min, h, d, w",
			    Q(s + pos, ul));
	}
	case DURATION_RANGE:
		return perr(ps, s, "duration %s is too long", Q(s, n));
	default:
		if (memchr(s, '.', n))
			return perr(
			    ps, s,
			    "expected a duration like 15min or 1h30min, got %s (no fractions: "
			    "write 1h30min, not 1.5h)",
			    Q(s, n));
		return perr(ps, s, "expected a duration like 15min or 1h30min, got %s", Q(s, n));
	}
}

static bool valid_name(const char *s, size_t n, size_t max)
{
	size_t i;

	/* POSIX portable user names, plus a trailing '$' for machine accounts. */
	if (n == 0 || n > max || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (is_alnum(c) || c == '_' || c == '.' || c == '-')
			continue;
		if (c == '$' && i == n - 1 && n > 1)
			continue;
		return false;
	}
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

static int parse_id(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!all_digits(s, n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		/* (uid_t)-1 means "no id" to the kernel, so it cannot be matched. */
		if (v > UINT32_MAX - 1)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

static void free_match(struct match_list *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].text);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/*
 * Does a tty pattern single out some PTY numbers? Which number a login gets
 * is the user's to steer (it holds the numbers it does not want), so a rule
 * may match all PTYs or none, never some. Sampled: patterns that tell numbers
 * apart do so among small ones.
 */
static bool picks_pts_numbers(const char *pat)
{
	static const unsigned big[] = {12345, 123456, 1048575};
	bool some = false, all = true, m;
	char name[32];
	unsigned n;

	for (n = 0; n < 2000 + ARRAY_SIZE(big); n++) {
		snprintf(name, sizeof(name), "pts/%u", n < 2000 ? n : big[n - 2000]);
		m = pattern_match(pat, name, 0);
		some |= m;
		all &= m;
	}
	return some && !all;
}

static int parse_match(struct parser *ps, const struct keydef *kd, const char *val)
{
	struct tok toks[CONF_ITEMS_MAX];
	struct match_list *m = &ps->cur->match[kd->match];
	struct match_item *items;
	size_t n, i, j;
	int r;

	r = split(ps, val, false, toks, &n);
	if (r < 0)
		return r;
	items = calloc(n, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *s = toks[i].s;
		size_t len = toks[i].n;
		struct match_item *it = &items[i];

		switch (kd->id) {
		case K_USER:
			if (all_digits(s, len)) {
				r = perr(ps, s,
					 "expected a user name, got %s (use uid = %.*s for "
					 "numeric ids)",
					 Q(s, len), (int)len, s);
				goto fail;
			}
			/* fallthrough */
		case K_GROUP:
			if (kd->id == K_GROUP && all_digits(s, len)) {
				r = parse_id(s, len, &it->lo);
				if (r < 0) {
					r = perr(ps, s,
						 "gid %s is out of range (at most 4294967294)",
						 Q(s, len));
					goto fail;
				}
				it->hi = it->lo;
				it->numeric = true;
				break;
			}
			if (!valid_name(s, len, CONF_USER_MAX)) {
				r = perr(
				    ps, s,
				    "expected a %s name (letters, digits, \"_\", \".\", \"-\"; at "
				    "most %d), got %s",
				    kd->name, CONF_USER_MAX, Q(s, len));
				goto fail;
			}
			break;
		case K_UID: {
			const char *dash = memchr(s, '-', len);
			int r2;

			if (dash) {
				r = parse_id(s, (size_t)(dash - s), &it->lo);
				r2 = parse_id(dash + 1, len - (size_t)(dash - s) - 1, &it->hi);
			} else {
				r = parse_id(s, len, &it->lo);
				it->hi = it->lo;
				r2 = r;
			}
			if (r == -EINVAL || r2 == -EINVAL) {
				r = perr(ps, s,
					 "expected a uid or a uid range like 1000-60000, got %s",
					 Q(s, len));
				goto fail;
			}
			if (r < 0 || r2 < 0) {
				r = perr(ps, s, "uid %s is out of range (at most 4294967294)",
					 Q(s, len));
				goto fail;
			}
			if (it->lo > it->hi) {
				r = perr(ps, s, "uid range %s goes backwards", Q(s, len));
				goto fail;
			}
			it->numeric = true;
			break;
		}
		case K_TTY:
		case K_HOST: {
			size_t max = kd->id == K_TTY ? CONF_NAME_MAX : CONF_HOST_MAX, pos;
			const char *what;
			char pat[CONF_LINE_MAX + 1];

			if (kd->id == K_TTY && len > 5 && memcmp(s, "/dev/", 5) == 0) {
				/* Same terminal either way; store the name the session sees. */
				s += 5;
				len -= 5;
			}
			for (j = 0; j < len; j++)
				if ((unsigned char)s[j] <= 0x20 || (unsigned char)s[j] >= 0x7f ||
				    strchr("#\"'", s[j]))
					break;
			if (j < len) {
				if (s[j] == '#')
					r = perr(ps, s + j,
						 "unexpected \"#\": comments must be on a line "
						 "of their own");
				else
					r = perr(ps, s + j,
						 "expected a %s pattern of printable ASCII "
						 "without quotes, got %s",
						 kd->name, Q(toks[i].s, toks[i].n));
				goto fail;
			}
			if (len > max) {
				r = perr(ps, s, "%s pattern is too long (at most %zu characters)",
					 kd->name, max);
				goto fail;
			}
			memcpy(pat, s, len);
			pat[len] = '\0';
			if (pattern_check(pat, &pos, &what) < 0) {
				r = perr(ps, s + pos, "bad %s pattern %s: %s", kd->name, Q(s, len),
					 what);
				goto fail;
			}
			if (kd->id == K_TTY && len > 3 && memcmp(s, "pts", 3) == 0 &&
			    is_digit(s[3])) {
				r = perr(ps, s,
					 "%s is the kernel's name; match terminals as the "
					 "session sees them, like \"pts/%s\"",
					 Q(s, len), pat + 3);
				goto fail;
			}
			if (kd->id == K_TTY && picks_pts_numbers(pat)) {
				r = perr(
				    ps, s,
				    "tty pattern %s matches some PTY numbers but not others: a "
				    "user chooses the number of its next PTY by holding the "
				    "others, so no rule can tell logins apart by it (use pts/* "
				    "or console names)",
				    Q(s, len));
				goto fail;
			}
			break;
		}
		case K_SERVICE:
			for (j = 0; j < len; j++)
				if (!is_alnum(s[j]) && !strchr("_.-@:", s[j]))
					break;
			if (j < len || len > CONF_NAME_MAX) {
				r = perr(ps, s,
					 "expected a service name like sshd or login, got %s",
					 Q(s, len));
				goto fail;
			}
			break;
		default:
			r = -EINVAL;
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (strlen(items[j].text) == len && memcmp(items[j].text, s, len) == 0) {
				r = perr(ps, toks[i].s, "%s is listed twice", Q(s, len));
				goto fail;
			}
		it->text = strndup(s, len);
		if (!it->text) {
			r = -ENOMEM;
			goto fail;
		}
	}
	m->v = items;
	m->n = n;
	m->where = (struct srcloc){ps->file, ps->lineno, col_of(ps->line, val)};
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(items[i].text);
	free(items);
	return r;
}

static int parse_message(struct parser *ps, const char *val, char **out)
{
	char err[256], *msg, *o;
	const char *p;
	size_t pos;

	for (p = val; *p; p++) {
		if (*p != '\\')
			continue;
		if (p[1] != 'n' && p[1] != '\\')
			return perr(
			    ps, p,
			    "unknown escape \"%.*s\" in warn-message, use \\n for a new line or "
			    "\\\\ for a backslash",
			    p[1] ? 2 : 1, p);
		p++;
	}
	/* Escapes do not touch braces, so positions in val are exact. */
	if (warntext_check(val, &pos, err, sizeof(err)) < 0)
		return perr(ps, val + pos, "%s", err);
	msg = malloc(strlen(val) + 1);
	if (!msg)
		return -ENOMEM;
	for (p = val, o = msg; *p; p++) {
		if (*p == '\\') {
			p++;
			*o++ = *p == 'n' ? '\n' : '\\';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	*out = msg;
	return 0;
}

static int parse_setting(struct parser *ps, const struct keydef *kd, const char *val)
{
	struct settings *s = &ps->cur->s;
	struct tok toks[CONF_ITEMS_MAX];
	size_t n, i;
	uint64_t ns;
	int r;

	switch (kd->id) {
	case K_IDLE:
		r = parse_duration(ps, val, strlen(val), &ns);
		if (r < 0)
			return r;
		if (ns < NSEC_PER_SEC)
			return perr(ps, val,
				    "idle-timeout must be at least 1s, got %s (use action = exempt "
				    "to never end sessions)",
				    QS(val));
		s->idle_ns = ns;
		break;
	case K_WARN:
		r = parse_duration(ps, val, strlen(val), &ns);
		if (r < 0)
			return r;
		s->warn_ns = ns;
		break;
	case K_SIGDELAYS:
		r = split(ps, val, false, toks, &n);
		if (r < 0)
			return r;
		if (n != 2)
			return perr(ps, val,
				    "expected two durations like \"5s 5s\" (SIGHUP to SIGTERM, "
				    "SIGTERM to SIGKILL), got %zu",
				    n);
		for (i = 0; i < 2; i++) {
			r = parse_duration(ps, toks[i].s, toks[i].n, &ns);
			if (r < 0)
				return r;
			if (ns == 0)
				return perr(ps, toks[i].s, "signal delay must be longer than 0");
			s->signal_delay_ns[i] = ns;
		}
		break;
	case K_ACTIVITY: {
		uint32_t mask = 0, bit = 0;
		int c;

		r = split(ps, val, true, toks, &n);
		if (r < 0)
			return r;
		for (i = 0; i < n; i++) {
			if (tok_is(&toks[i], "all")) {
				bit = TTY_CLK_ALL;
			} else {
				for (c = 0, bit = 0; c < TTY_CLK_MAX; c++)
					if (tok_is(&toks[i], clock_names[c]))
						bit = TTY_CLK_BIT(c);
				if (!bit)
					return perr(
					    ps, toks[i].s,
					    "unknown activity %s, expected input, output, "
					    "input-read, output-read, all, or a combination "
					    "like input+output",
					    Q(toks[i].s, toks[i].n));
			}
			if (mask & bit)
				return perr(ps, toks[i].s, "activity %s is listed twice",
					    Q(toks[i].s, toks[i].n));
			mask |= bit;
		}
		s->clocks = mask;
		break;
	}
	case K_ACTION:
		for (i = 0; i < ARRAY_SIZE(action_names); i++)
			if (strcmp(val, action_names[i]) == 0)
				break;
		if (i == ARRAY_SIZE(action_names))
			return perr(ps, val,
				    "expected an action: hangup, signal, warn or exempt, got %s",
				    QS(val));
		s->action = (enum action)i;
		break;
	case K_MESSAGE: {
		char *msg = NULL;

		r = parse_message(ps, val, &msg);
		if (r < 0)
			return r;
		free(s->message);
		s->message = msg;
		break;
	}
	default:
		return -EINVAL;
	}
	s->where[kd->setting] = (struct srcloc){ps->file, ps->lineno, col_of(ps->line, val)};
	ps->cur->own |= 1u << kd->setting;
	return 0;
}

static int parse_scope(struct parser *ps, const char *val)
{
	struct tok toks[CONF_ITEMS_MAX];
	unsigned scope = 0, bit;
	size_t n, i;
	int o, r;

	r = split(ps, val, false, toks, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		bit = 0;
		if (tok_is(&toks[i], "all"))
			bit = SCOPE_ALL;
		for (o = 0; o < ORIGIN_MAX; o++)
			if (tok_is(&toks[i], origin_names[o]))
				bit = SCOPE_BIT(o);
		if (!bit)
			return perr(ps, toks[i].s,
				    "unknown scope %s, expected login, multiplexer, other or all",
				    Q(toks[i].s, toks[i].n));
		if (scope & bit)
			return perr(ps, toks[i].s, "scope %s is listed twice",
				    Q(toks[i].s, toks[i].n));
		scope |= bit;
	}
	ps->p->scope = scope;
	ps->p->scope_where = (struct srcloc){ps->file, ps->lineno, col_of(ps->line, val)};
	return 0;
}

static unsigned edit_distance(const char *a, size_t la, const char *b)
{
	unsigned d[CONF_NAME_MAX + 1], prev, tmp;
	size_t lb = strlen(b), i, j;

	if (la > CONF_NAME_MAX)
		return 99;
	for (i = 0; i <= la; i++)
		d[i] = (unsigned)i;
	for (j = 1; j <= lb; j++) {
		prev = d[0];
		d[0] = (unsigned)j;
		for (i = 1; i <= la; i++) {
			unsigned cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;

			tmp = d[i];
			d[i] = prev + cost;
			if (d[i - 1] + 1 < d[i])
				d[i] = d[i - 1] + 1;
			if (tmp + 1 < d[i])
				d[i] = tmp + 1;
			prev = tmp;
		}
	}
	return d[la];
}

static int unknown_key(struct parser *ps, const char *key, size_t klen)
{
	const char *best = NULL;
	unsigned bd = 3, d;
	size_t i;

	/* Suggest a key within two edits, or one that contains the text. */
	for (i = 0; i < ARRAY_SIZE(keydefs); i++) {
		d = edit_distance(key, klen, keydefs[i].name);
		if (d < bd) {
			bd = d;
			best = keydefs[i].name;
		}
	}
	for (i = 0; !best && i < ARRAY_SIZE(keydefs); i++)
		if (klen >= 3 && memmem(keydefs[i].name, strlen(keydefs[i].name), key, klen))
			best = keydefs[i].name;
	if (best)
		return perr(ps, key, "unknown key %s, did you mean \"%s\"?", Q(key, klen), best);
	return perr(ps, key,
		    "unknown key %s, expected idle-timeout, warn-before, activity, action, "
		    "signal-delays, warn-message, scope, user, group, uid, tty, service or host",
		    Q(key, klen));
}

static int parse_assignment(struct parser *ps, const char *key)
{
	const struct keydef *kd = NULL;
	const char *p = key, *val;
	size_t klen, i;
	unsigned *seen;

	while (is_alnum(*p) || *p == '-' || *p == '_')
		p++;
	klen = (size_t)(p - key);
	if (klen == 0)
		return perr(ps, key,
			    "expected a key like idle-timeout, a [section] or a # comment");
	while (is_blank(*p))
		p++;
	if (*p != '=')
		return perr(ps, p, "expected \"=\" after %s", Q(key, klen));
	val = p + 1;
	while (is_blank(*val))
		val++;

	for (i = 0; i < ARRAY_SIZE(keydefs); i++)
		if (strlen(keydefs[i].name) == klen && memcmp(keydefs[i].name, key, klen) == 0)
			kd = &keydefs[i];
	if (!kd)
		return unknown_key(ps, key, klen);
	if (!ps->cur)
		return perr(ps, key,
			    "expected a section header like [global] or [rule NAME] before the "
			    "first key");
	if (kd->place == IN_RULE && !ps->rule_section)
		return perr(ps, key, "%s is a match key, allowed only in a [rule NAME] section",
			    Q(key, klen));
	if (kd->place == IN_GLOBAL && ps->rule_section)
		return perr(ps, key, "%s is allowed only in [global]", Q(key, klen));
	if (!*val)
		return perr(ps, val, "expected a value after \"=\"");
	if (strlen(val) > CONF_VALUE_MAX)
		return perr(ps, val, "value is too long (more than %d bytes)", CONF_VALUE_MAX);
	if ((val[0] == '"' || val[0] == '\'') && strlen(val) >= 2 && val[strlen(val) - 1] == val[0])
		return perr(ps, val, "values are written without quotes, remove them from %s",
			    QS(val));
	if (kd->id != K_MESSAGE && strchr(val, '#'))
		return perr(ps, strchr(val, '#'),
			    "unexpected \"#\": comments must be on a line of their own");

	/* A key twice in one section is a mistake; across files, later wins. */
	if (kd->setting >= 0)
		seen = ps->rule_section ? NULL : &ps->global_set[kd->setting];
	else if (kd->id == K_SCOPE)
		seen = &ps->scope_line;
	else
		seen = NULL;
	if (ps->rule_section) {
		unsigned prev = 0;

		if (kd->setting >= 0 && (ps->cur->own & (1u << kd->setting)))
			prev = ps->cur->s.where[kd->setting].line;
		if (kd->match >= 0 && ps->cur->match[kd->match].n)
			prev = ps->cur->match[kd->match].where.line;
		if (prev)
			return perr(ps, key, "duplicate key %s in [rule %s], first set on line %u",
				    Q(key, klen), ps->cur->name, prev);
	} else if (seen && *seen) {
		return perr(ps, key, "duplicate key %s in [global], first set on line %u",
			    Q(key, klen), *seen);
	}
	if (seen)
		*seen = ps->lineno;

	if (kd->match >= 0)
		return parse_match(ps, kd, val);
	if (kd->id == K_SCOPE)
		return parse_scope(ps, val);
	return parse_setting(ps, kd, val);
}

/* A rule must say whom it is for; settings for everyone belong in [global]. */
static int close_section(struct parser *ps)
{
	int k;

	if (!ps->rule_section)
		return 0;
	for (k = 0; k < MATCH_MAX; k++)
		if (ps->cur->match[k].n)
			return 0;
	return lerr(ps->err, ps->errlen, &ps->cur->where,
		    "[rule %s] has no match key (user, group, uid, tty, service or host); "
		    "settings for everyone belong in [global]",
		    ps->cur->name);
}

static int parse_section(struct parser *ps, const char *open)
{
	struct policy *p = ps->p;
	const char *in = open + 1, *end, *name;
	size_t nlen, i;
	struct rule *r;
	int ret;

	end = strchr(in, ']');
	if (!end)
		return perr(ps, open + strlen(open), "expected \"]\" to close the section header");
	if (end[1]) {
		const char *t = end + 1;

		while (is_blank(*t))
			t++;
		if (*t == '#')
			return perr(ps, t,
				    "unexpected \"#\": comments must be on a line of their own");
		return perr(ps, end + 1, "unexpected text after \"]\"");
	}
	ret = close_section(ps);
	if (ret < 0)
		return ret;

	if ((size_t)(end - in) == 6 && memcmp(in, "global", 6) == 0) {
		if (ps->global_line)
			return perr(ps, open,
				    "[global] appears twice in this file (first on line %u); keep "
				    "all global settings in one section",
				    ps->global_line);
		ps->global_line = ps->lineno;
		ps->cur = &p->global;
		ps->rule_section = false;
		return 0;
	}
	if ((size_t)(end - in) < 4 || memcmp(in, "rule", 4) != 0 ||
	    (in[4] != ']' && !is_blank(in[4]))) {
		return perr(ps, in, "unknown section %s, expected [global] or [rule NAME]",
			    Q(open, (size_t)(end - open + 1)));
	}
	name = in + 4;
	while (is_blank(*name))
		name++;
	if (name == end)
		return perr(ps, name, "expected a rule name, like [rule admins]");
	for (nlen = 0; name + nlen < end; nlen++) {
		char c = name[nlen];

		if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
			return perr(ps, name + nlen,
				    "expected a rule name of letters, digits, \"-\", \"_\" and "
				    "\".\", got %s",
				    Q(name, (size_t)(end - name)));
	}
	if (nlen > CONF_NAME_MAX)
		return perr(ps, name, "rule name is too long (at most %d characters)",
			    CONF_NAME_MAX);
	if (nlen == 6 && memcmp(name, "global", 6) == 0)
		return perr(ps, name, "\"global\" cannot be a rule name");
	for (i = 0; i < p->nrules; i++)
		if (strlen(p->rules[i].name) == nlen && memcmp(p->rules[i].name, name, nlen) == 0)
			return perr(ps, name, "duplicate rule %s, first defined at %s:%u",
				    Q(name, nlen), p->rules[i].where.file, p->rules[i].where.line);
	if (p->nrules == CONF_RULES_MAX)
		return perr(ps, open, "too many rules (at most %d)", CONF_RULES_MAX);

	r = realloc(p->rules, (p->nrules + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	p->rules = r;
	r = &p->rules[p->nrules];
	memset(r, 0, sizeof(*r));
	r->name = strndup(name, nlen);
	if (!r->name)
		return -ENOMEM;
	r->where = (struct srcloc){ps->file, ps->lineno, col_of(ps->line, open)};
	p->nrules++;
	ps->cur = r;
	ps->rule_section = true;
	return 0;
}

static int parse_line(struct parser *ps, const char *s, size_t n)
{
	char line[CONF_LINE_MAX + 1], *p, *e;
	int r;

	ps->line = s; /* for columns of errors found before the copy */
	r = check_bytes(ps, s, n < CONF_LINE_MAX ? n : CONF_LINE_MAX, n > CONF_LINE_MAX);
	if (r < 0)
		return r;
	if (n > CONF_LINE_MAX)
		return perr(ps, s + CONF_LINE_MAX, "line is too long (more than %d bytes)",
			    CONF_LINE_MAX);
	memcpy(line, s, n);
	line[n] = '\0';
	ps->line = line;
	for (e = line + n; e > line && is_blank(e[-1]); e--)
		*(e - 1) = '\0';
	p = line;
	while (is_blank(*p))
		p++;
	if (!*p || *p == '#')
		r = 0;
	else if (*p == '[')
		r = parse_section(ps, p);
	else
		r = parse_assignment(ps, p);
	ps->line = NULL;
	return r;
}

static int add_source(struct policy *p, const char *name, const char **out)
{
	char **v, *s;

	s = strdup(name);
	if (!s)
		return -ENOMEM;
	v = realloc(p->sources, (p->nsources + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	p->sources = v;
	p->sources[p->nsources++] = s;
	*out = s;
	return 0;
}

static int parse_text(struct policy *p, const char *name, const char *buf, size_t len, char *err,
		      size_t errlen)
{
	struct parser ps = {.p = p, .err = err, .errlen = errlen};
	size_t off = 0;
	int r;

	r = add_source(p, name, &ps.file);
	if (r < 0)
		return r;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		ps.lineno++;
		r = parse_line(&ps, buf + off, n);
		if (r < 0)
			return r;
		off += n + (nl ? 1 : 0);
	}
	return close_section(&ps);
}

/* ---- assembling the policy ----------------------------------------------- */

static void free_rule(struct rule *r)
{
	int k;

	free(r->name);
	free(r->s.message);
	for (k = 0; k < MATCH_MAX; k++)
		free_match(&r->match[k]);
	memset(r, 0, sizeof(*r));
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nrules; i++)
		free_rule(&p->rules[i]);
	free(p->rules);
	free_rule(&p->global);
	for (i = 0; i < p->nsources; i++)
		free(p->sources[i]);
	free(p->sources);
	memset(p, 0, sizeof(*p));
}

static int check_warn(const struct rule *r, const struct policy *p, char *err, size_t errlen)
{
	const struct srcloc *at;
	char w[DURATION_FMT_MAX], i[DURATION_FMT_MAX];
	bool own_w = r->own & (1u << SET_WARN), own_i = r->own & (1u << SET_IDLE);

	if (r->s.action == ACTION_EXEMPT || r->s.warn_ns < r->s.idle_ns)
		return 0;
	duration_format(r->s.warn_ns, w, sizeof(w));
	duration_format(r->s.idle_ns, i, sizeof(i));
	if (r == &p->global) {
		/* Blame the value that does not come from the built-in default. */
		at = &r->s.where[SET_WARN];
		if (strcmp(at->file, POLICY_BUILTIN_NAME) == 0)
			at = &r->s.where[SET_IDLE];
	} else {
		at = own_w || !own_i ? &r->s.where[SET_WARN] : &r->s.where[SET_IDLE];
		if (!own_w && !own_i)
			at = &r->where;
	}
	if (r == &p->global)
		return lerr(err, errlen, at,
			    "warn-before (%s) must be shorter than idle-timeout (%s)", w, i);
	return lerr(err, errlen, at,
		    "warn-before (%s%s) must be shorter than idle-timeout (%s%s) in [rule %s]", w,
		    own_w ? "" : ", from [global]", i, own_i ? "" : ", from [global]", r->name);
}

static int finish(struct policy *p, char *err, size_t errlen)
{
	size_t i;
	int s, r;

	if (!p->global.name) {
		p->global.name = strdup("global");
		if (!p->global.name)
			return -ENOMEM;
	}
	r = check_warn(&p->global, p, err, errlen);
	if (r < 0)
		return r;
	for (i = 0; i < p->nrules; i++) {
		struct rule *ru = &p->rules[i];

		for (s = 0; s < SET_MAX; s++) {
			if (ru->own & (1u << s))
				continue;
			ru->s.where[s] = p->global.s.where[s];
			switch (s) {
			case SET_IDLE:
				ru->s.idle_ns = p->global.s.idle_ns;
				break;
			case SET_WARN:
				ru->s.warn_ns = p->global.s.warn_ns;
				break;
			case SET_ACTIVITY:
				ru->s.clocks = p->global.s.clocks;
				break;
			case SET_ACTION:
				ru->s.action = p->global.s.action;
				break;
			case SET_SIGDELAYS:
				ru->s.signal_delay_ns[0] = p->global.s.signal_delay_ns[0];
				ru->s.signal_delay_ns[1] = p->global.s.signal_delay_ns[1];
				break;
			case SET_MESSAGE:
				ru->s.message = strdup(p->global.s.message);
				if (!ru->s.message)
					return -ENOMEM;
				break;
			}
		}
		r = check_warn(ru, p, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

static int begin(struct policy *np, char *err, size_t errlen)
{
	return parse_text(np, POLICY_BUILTIN_NAME, builtin_policy, sizeof(builtin_policy) - 1, err,
			  errlen);
}

static void commit(struct policy *p, struct policy *np)
{
	policy_free(p);
	*p = *np;
	memset(np, 0, sizeof(*np));
}

/*
 * The end of every load: r is how reading went so far. The new policy
 * replaces *p only when all of it is good; otherwise *p is untouched.
 */
static int settle(struct policy *p, struct policy *np, int r, const char *what, char *err,
		  size_t errlen)
{
	if (r == 0)
		r = finish(np, err, errlen);
	if (r < 0) {
		if (r == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", what);
		policy_free(np);
		return r;
	}
	commit(p, np);
	return 0;
}

int policy_load_default(struct policy *p, char *err, size_t errlen)
{
	struct policy np = {0};

	return settle(p, &np, begin(&np, err, errlen), "built-in policy", err, errlen);
}

int policy_load_buffer(struct policy *p, const char *name, const void *buf, size_t len, char *err,
		       size_t errlen)
{
	struct policy np = {0};
	int r;

	r = begin(&np, err, errlen);
	if (r == 0)
		r = parse_text(&np, name, buf, len, err, errlen);
	return settle(p, &np, r, name, err, errlen);
}

/* Returns 0 with the contents, 1 if missing and missing_ok, or -errno. */
static int read_file(const char *path, unsigned flags, char **out, size_t *outlen, char *err,
		     size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	/* O_NONBLOCK: a FIFO named *.conf must not hang the daemon. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			return 1;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((flags & POLICY_LOAD_STRICT_PERMS) && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		r = -EPERM;
		snprintf(err, errlen, "%s: writable by group or others; fix with chmod go-w", path);
		goto out;
	}
	if ((flags & POLICY_LOAD_STRICT_PERMS) && st.st_uid != 0 && st.st_uid != geteuid()) {
		r = -EPERM;
		snprintf(err, errlen, "%s: owned by uid %u, expected root", path,
			 (unsigned)st.st_uid);
		goto out;
	}
	buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		n = read(fd, buf + len, CONF_FILE_MAX + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONF_FILE_MAX) {
			r = -EFBIG;
			snprintf(err, errlen, "%s: larger than %d bytes", path, CONF_FILE_MAX);
			goto out;
		}
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

static int load_path(struct policy *np, const char *path, unsigned flags, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = read_file(path, flags, &buf, &len, err, errlen);
	if (r != 0)
		return r > 0 ? 0 : r;
	r = parse_text(np, path, buf, len, err, errlen);
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	free(buf);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dropins(struct policy *np, const char *dir, unsigned flags, char *err,
			size_t errlen)
{
	char **names = NULL, path[4096];
	size_t n = 0, i, len;
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(dir);
	if (!d) {
		r = -errno;
		if (r == -ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot open directory: %s", dir, strerror(-r));
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		char **v;

		len = strlen(de->d_name);
		/* Hidden files are editor and package manager leftovers. */
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (n == CONF_DROPINS_MAX) {
			r = -E2BIG;
			snprintf(err, errlen, "%s: more than %d *.conf files", dir,
				 CONF_DROPINS_MAX);
			goto out;
		}
		v = realloc(names, (n + 1) * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			goto out;
		}
		names = v;
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (errno) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot read directory: %s", dir, strerror(-r));
		goto out;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
			r = -ENAMETOOLONG;
			snprintf(err, errlen, "%s: path too long", dir);
			goto out;
		}
		r = load_path(np, path, flags, err, errlen);
		if (r < 0)
			goto out;
	}
out:
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", dir);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

int policy_load(struct policy *p, const char *main_path, const char *dropin_dir, unsigned flags,
		char *err, size_t errlen)
{
	struct policy np = {0};
	int r;

	r = begin(&np, err, errlen);
	if (r == 0 && main_path)
		r = load_path(&np, main_path, flags, err, errlen);
	if (r == 0 && dropin_dir)
		r = load_dropins(&np, dropin_dir, flags, err, errlen);
	return settle(p, &np, r, main_path ? main_path : "configuration", err, errlen);
}

/* ---- printing ------------------------------------------------------------ */

static void print_message(FILE *f, const char *m)
{
	for (; *m; m++) {
		if (*m == '\n')
			fputs("\\n", f);
		else if (*m == '\\')
			fputs("\\\\", f);
		else
			fputc(*m, f);
	}
}

static void print_setting(FILE *f, const struct settings *s, int which)
{
	char a[DURATION_FMT_MAX], b[DURATION_FMT_MAX];

	fprintf(f, "%s = ", setting_names[which]);
	switch (which) {
	case SET_IDLE:
		duration_format(s->idle_ns, a, sizeof(a));
		fputs(a, f);
		break;
	case SET_WARN:
		duration_format(s->warn_ns, a, sizeof(a));
		fputs(a, f);
		break;
	case SET_ACTIVITY:
		activity_format(s->clocks, a, sizeof(a));
		fputs(a, f);
		break;
	case SET_ACTION:
		fputs(action_name(s->action), f);
		break;
	case SET_SIGDELAYS: {
		char *q;

		duration_format(s->signal_delay_ns[0], a, sizeof(a));
		duration_format(s->signal_delay_ns[1], b, sizeof(b));
		/* Inside a list a duration must not contain blanks. */
		while ((q = strchr(a, ' ')))
			memmove(q, q + 1, strlen(q));
		while ((q = strchr(b, ' ')))
			memmove(q, q + 1, strlen(q));
		fprintf(f, "%s %s", a, b);
		break;
	}
	case SET_MESSAGE:
		print_message(f, s->message);
		break;
	}
	fputc('\n', f);
}

static void print_match(FILE *f, const struct rule *r)
{
	size_t i;
	int k;

	for (k = 0; k < MATCH_MAX; k++) {
		if (!r->match[k].n)
			continue;
		fprintf(f, "%s =", match_names[k]);
		for (i = 0; i < r->match[k].n; i++)
			fprintf(f, "%s %s", i ? "," : "", r->match[k].v[i].text);
		fputc('\n', f);
	}
}

static void print_rule(FILE *f, const struct rule *r, bool plain)
{
	bool any = false;
	int s;

	fprintf(f, "\n[rule %s]\n", r->name);
	if (!plain)
		fprintf(f, "# defined at %s:%u\n", r->where.file, r->where.line);
	print_match(f, r);
	for (s = 0; s < SET_MAX; s++)
		if (plain || (r->own & (1u << s)))
			print_setting(f, &r->s, s);
	for (s = 0; s < SET_MAX && !plain; s++) {
		if (r->own & (1u << s))
			continue;
		if (!plain && !any)
			fputs("# inherited from [global]:\n", f);
		any = true;
		print_setting(f, &r->s, s);
	}
}

void policy_print(const struct policy *p, FILE *f, unsigned flags)
{
	bool plain = flags & POLICY_PRINT_PLAIN;
	int o, s, n = 0, pass, any = 0;
	size_t i;

	if (!plain) {
		fputs("# ttyidle effective policy, read from:", f);
		for (i = 0; i < p->nsources; i++)
			fprintf(f, "%s %s", i ? "," : "", p->sources[i]);
		fputs("\n# Terminals whose origin is out of scope are never touched. Rules are "
		      "tried\n"
		      "# in order and the first that matches applies; terminals that match no\n"
		      "# rule get [global].\n",
		      f);
	}
	fputs("\n[global]\n", f);
	/*
	 * Annotated: values set in files first, each with its origin, then the
	 * defaults. Plain: one fixed order, so that equal policies print equal.
	 */
	for (pass = plain ? 1 : 0; pass < 2; pass++) {
		for (s = -1; s < SET_MAX; s++) {
			const struct srcloc *w = s < 0 ? &p->scope_where : &p->global.s.where[s];
			bool builtin = strcmp(w->file, POLICY_BUILTIN_NAME) == 0;

			if (!plain && builtin != (pass == 1))
				continue;
			if (!plain && !builtin)
				fprintf(f, "# from %s:%u\n", w->file, w->line);
			if (!plain && builtin && !any++)
				fputs("# built-in defaults:\n", f);
			if (s >= 0) {
				print_setting(f, &p->global.s, s);
				continue;
			}
			fputs("scope =", f);
			if (p->scope == SCOPE_ALL)
				fputs(" all", f);
			else
				for (o = 0; o < ORIGIN_MAX; o++)
					if (p->scope & SCOPE_BIT(o))
						fprintf(f, "%s %s", n++ ? "," : "",
							origin_names[o]);
			fputc('\n', f);
		}
	}
	for (i = 0; i < p->nrules; i++)
		print_rule(f, &p->rules[i], plain);
}
