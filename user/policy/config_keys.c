// SPDX-License-Identifier: GPL-2.0
/*
 * The key table of the configuration format and the parsers of the
 * settings [global] and rules share. Each key is one row and one function,
 * so adding a key touches one place here and config.h's enums; the match
 * keys' functions are in config_match.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "policy/config_int.h"
#include "policy/duration.h"
#include "ttyidle.h"
#include "policy/warntext.h"
#include "lib/termview.h"

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

/*
 * Inheritance (config_load.c) fills in only what a section did not set, and
 * later diagnostics point at where each value came from.
 */
static int conf_setting_done(struct parser *ps, const struct keydef *kd, const char *val)
{
	ps->cur->s.where[kd->setting] =
	    (struct srcloc){ps->file, ps->lineno, conf_col(ps->line, val)};
	ps->cur->own |= 1u << kd->setting;
	return 0;
}

static int parse_idle(struct parser *ps, const struct keydef *kd, const char *val)
{
	uint64_t ns;
	int r;

	r = conf_duration(ps, val, strlen(val), &ns);
	if (r < 0)
		return r;
	if (ns < NSEC_PER_SEC)
		return conf_perr(ps, val,
				 "idle-timeout must be at least 1s, got %s (use action = exempt "
				 "to never end sessions)",
				 QS(val));
	ps->cur->s.idle_ns = ns;
	return conf_setting_done(ps, kd, val);
}

static int parse_warn(struct parser *ps, const struct keydef *kd, const char *val)
{
	uint64_t ns;
	int r;

	r = conf_duration(ps, val, strlen(val), &ns);
	if (r < 0)
		return r;
	ps->cur->s.warn_ns = ns;
	return conf_setting_done(ps, kd, val);
}

static int parse_sigdelays(struct parser *ps, const struct keydef *kd, const char *val)
{
	struct tok toks[CONF_ITEMS_MAX];
	uint64_t ns[2];
	size_t n, i;
	int r;

	r = conf_split(ps, val, false, toks, &n);
	if (r < 0)
		return r;
	if (n != 2)
		return conf_perr(ps, val,
				 "expected two durations like \"5s 5s\" (SIGHUP to SIGTERM, "
				 "SIGTERM to SIGKILL), got %zu",
				 n);
	for (i = 0; i < 2; i++) {
		r = conf_duration(ps, toks[i].s, toks[i].n, &ns[i]);
		if (r < 0)
			return r;
		if (ns[i] == 0)
			return conf_perr(ps, toks[i].s, "signal delay must be longer than 0");
	}
	ps->cur->s.signal_delay_ns[0] = ns[0];
	ps->cur->s.signal_delay_ns[1] = ns[1];
	return conf_setting_done(ps, kd, val);
}

static int parse_activity(struct parser *ps, const struct keydef *kd, const char *val)
{
	struct tok toks[CONF_ITEMS_MAX];
	uint32_t mask = 0, bit;
	size_t n, i;
	int c, r;

	r = conf_split(ps, val, true, toks, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (conf_tok_is(&toks[i], "all")) {
			bit = TTY_CLK_ALL;
		} else {
			for (c = 0, bit = 0; c < TTY_CLK_MAX; c++)
				if (conf_tok_is(&toks[i], clock_names[c]))
					bit = TTY_CLK_BIT(c);
			if (!bit)
				return conf_perr(ps, toks[i].s,
						 "unknown activity %s, expected input, output, "
						 "input-read, output-read, all, or a combination "
						 "like input+output",
						 Q(toks[i].s, toks[i].n));
		}
		if (mask & bit)
			return conf_perr(ps, toks[i].s, "activity %s is listed twice",
					 Q(toks[i].s, toks[i].n));
		mask |= bit;
	}
	ps->cur->s.clocks = mask;
	return conf_setting_done(ps, kd, val);
}

static int parse_action(struct parser *ps, const struct keydef *kd, const char *val)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(action_names); i++)
		if (strcmp(val, action_names[i]) == 0)
			break;
	if (i == ARRAY_SIZE(action_names))
		return conf_perr(
		    ps, val, "expected an action: hangup, signal, warn or exempt, got %s", QS(val));
	ps->cur->s.action = (enum action)i;
	return conf_setting_done(ps, kd, val);
}

static int parse_message(struct parser *ps, const char *val, char **out)
{
	char err[256], *msg, *o;
	const char *p;
	size_t pos;

	for (p = val; *p; p++) {
		/* the kernel side is told how many bytes the warning puts on the
		 * wire, at most 2 per "\n" (ONLCR): a tab can become up to 8
		 * (stty tab3), and its uncounted tail would be read as activity */
		if (*p == '\t')
			return conf_perr(ps, p,
					 "a tab in warn-message: a terminal may expand it to "
					 "spaces (stty tab3); use spaces");
		if (*p != '\\')
			continue;
		if (p[1] != 'n' && p[1] != '\\')
			return conf_perr(
			    ps, p,
			    "unknown escape \"%.*s\" in warn-message, use \\n for a new line or "
			    "\\\\ for a backslash",
			    p[1] ? 2 : 1, p);
		p++;
	}
	/* Escapes do not touch braces, so positions in val are exact. */
	if (warntext_check(val, &pos, err, sizeof(err)) < 0)
		return conf_perr(ps, val + pos, "%s", err);
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

static int parse_warn_message(struct parser *ps, const struct keydef *kd, const char *val)
{
	char *msg = NULL;
	int r;

	r = parse_message(ps, val, &msg);
	if (r < 0)
		return r;
	free(ps->cur->s.message);
	ps->cur->s.message = msg;
	return conf_setting_done(ps, kd, val);
}

int conf_parse_scope(struct parser *ps, const struct keydef *kd, const char *val)
{
	struct tok toks[CONF_ITEMS_MAX];
	unsigned scope = 0, bit;
	size_t n, i;
	int o, r;

	r = conf_split(ps, val, false, toks, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		bit = 0;
		if (conf_tok_is(&toks[i], "all"))
			bit = SCOPE_ALL;
		for (o = 0; o < ORIGIN_MAX; o++)
			if (conf_tok_is(&toks[i], origin_names[o]))
				bit = SCOPE_BIT(o);
		if (!bit)
			return conf_perr(
			    ps, toks[i].s,
			    "unknown scope %s, expected login, multiplexer, other or all",
			    Q(toks[i].s, toks[i].n));
		if (scope & bit)
			return conf_perr(ps, toks[i].s, "scope %s is listed twice",
					 Q(toks[i].s, toks[i].n));
		scope |= bit;
	}
	ps->p->scope = scope;
	ps->p->scope_where = (struct srcloc){ps->file, ps->lineno, conf_col(ps->line, val)};
	return 0;
}

static const struct keydef keydefs[] = {
    {"idle-timeout", IN_BOTH, SET_IDLE, -1, false, parse_idle, NULL},
    {"warn-before", IN_BOTH, SET_WARN, -1, false, parse_warn, NULL},
    {"activity", IN_BOTH, SET_ACTIVITY, -1, false, parse_activity, NULL},
    {"action", IN_BOTH, SET_ACTION, -1, false, parse_action, NULL},
    {"signal-delays", IN_BOTH, SET_SIGDELAYS, -1, false, parse_sigdelays, NULL},
    {"warn-message", IN_BOTH, SET_MESSAGE, -1, true, parse_warn_message, NULL},
    {"scope", IN_GLOBAL, -1, -1, false, conf_parse_scope, NULL},
    {"user", IN_RULE, -1, MATCH_USER, false, conf_parse_match, conf_item_user},
    {"group", IN_RULE, -1, MATCH_GROUP, false, conf_parse_match, conf_item_group},
    {"uid", IN_RULE, -1, MATCH_UID, false, conf_parse_match, conf_item_uid},
    {"tty", IN_RULE, -1, MATCH_TTY, false, conf_parse_match, conf_item_tty},
    {"service", IN_RULE, -1, MATCH_SERVICE, false, conf_parse_match, conf_item_service},
    {"host", IN_RULE, -1, MATCH_HOST, false, conf_parse_match, conf_item_host},
};

const struct keydef *conf_key_find(const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keydefs); i++)
		if (strlen(keydefs[i].name) == klen && memcmp(keydefs[i].name, key, klen) == 0)
			return &keydefs[i];
	return NULL;
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

int conf_key_unknown(struct parser *ps, const char *key, size_t klen)
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
		return conf_perr(ps, key, "unknown key %s, did you mean \"%s\"?", Q(key, klen),
				 best);
	return conf_perr(
	    ps, key,
	    "unknown key %s, expected idle-timeout, warn-before, activity, action, "
	    "signal-delays, warn-message, scope, user, group, uid, tty, service or host",
	    Q(key, klen));
}
