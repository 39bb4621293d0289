/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttyidle's policy: the configuration file format, the policy object it
 * loads into, and the effective-policy printer. See scripts/ttyidle.conf for
 * the format as an operator sees it.
 *
 * The policy is built from, in this order: the embedded default, the main
 * file (may be missing), then every *.conf of the drop-in directory in
 * lexical (strcmp) order. [global] keys set later override earlier ones;
 * rules are appended in the order they are read and the first match wins.
 * Loading is all-or-nothing: on any error the caller's policy is untouched.
 */
#ifndef TTYIDLE_CONFIG_H
#define TTYIDLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TTYIDLE_CONF_PATH   "/etc/ttyidle.conf"
#define TTYIDLE_CONF_DROPIN "/etc/ttyidle.conf.d"
#define POLICY_BUILTIN_NAME "(built-in)"

/* Limits; exceeding one is a load error, not a truncation. */
#define CONF_LINE_MAX	 1024	   /* bytes per line, excluding the newline */
#define CONF_VALUE_MAX	 512	   /* bytes per value */
#define CONF_FILE_MAX	 (1 << 20) /* bytes per file */
#define CONF_RULES_MAX	 1024
#define CONF_ITEMS_MAX	 256 /* values in one list */
#define CONF_DROPINS_MAX 256
#define CONF_NAME_MAX	 64 /* rule, service names; tty patterns */
#define CONF_HOST_MAX	 255
#define CONF_USER_MAX	 32 /* user and group names */

enum action {
	ACTION_HANGUP = 0, /* TIOCVHANGUP on the terminal */
	ACTION_SIGNAL,	   /* SIGHUP, then SIGTERM, then SIGKILL to the session */
	ACTION_WARN,	   /* audit mode: log what would be done, touch nothing */
	ACTION_EXEMPT,	   /* never ended */
};

/*
 * What started a terminal's session, as the daemon classifies it. The global
 * `scope` is a set of these: terminals of other origins are out of scope,
 * never matched against rules and never touched.
 */
enum origin {
	ORIGIN_OTHER = 0,	/* no login service (script(1), expect, a CI runner...) */
	ORIGIN_LOGIN = 1,	/* a login service: sshd, login, a display manager... */
	ORIGIN_MULTIPLEXER = 2, /* a tmux/screen pane: its client's terminal is enforced */
	ORIGIN_MAX = 3,
};

#define SCOPE_BIT(o) (1u << (o))
#define SCOPE_ALL    (SCOPE_BIT(ORIGIN_MAX) - 1)

/* Settings a rule inherits from [global] when it does not set them. */
enum setting {
	SET_IDLE = 0,  /* idle-timeout */
	SET_WARN,      /* warn-before */
	SET_ACTIVITY,  /* activity */
	SET_ACTION,    /* action */
	SET_SIGDELAYS, /* signal-delays */
	SET_MESSAGE,   /* warn-message */
	SET_MAX,
};

/* Conditions of a rule; several keys AND, several values in one key OR. */
enum match_key {
	MATCH_USER = 0,
	MATCH_GROUP,
	MATCH_UID,
	MATCH_TTY,
	MATCH_SERVICE,
	MATCH_HOST,
	MATCH_MAX,
};

/* Where a value was read; file NULL: not set. */
struct srcloc {
	const char *file; /* owned by the policy (policy.sources) */
	unsigned line, col;
};

struct settings {
	uint64_t idle_ns;
	uint64_t warn_ns; /* 0: no warning */
	uint32_t clocks;  /* TTY_CLK_BIT()s counting as activity, never 0 */
	enum action action;
	uint64_t signal_delay_ns[2]; /* SIGHUP->SIGTERM, SIGTERM->SIGKILL */
	char *message;		     /* warntext template, owned */
	struct srcloc where[SET_MAX];
};

struct match_item {
	char *text;	 /* as written (tty: without its one leading /dev/) */
	uint32_t lo, hi; /* uid range; group: the gid when numeric */
	bool numeric;	 /* uid always; group when all digits */
};

struct match_list {
	struct match_item *v;
	size_t n; /* 0: the key is absent */
	struct srcloc where;
};

struct rule {
	char *name;	     /* "global" for the fallback */
	struct srcloc where; /* the section header */
	unsigned own;	     /* bit (1 << enum setting) per setting set in this rule */
	struct settings s;   /* effective values, inherited ones filled in */
	struct match_list match[MATCH_MAX];
};

struct policy {
	unsigned scope; /* SCOPE_BIT()s of the origins ttyidle enforces */
	struct srcloc scope_where;
	struct rule global; /* the fallback when no rule matches */
	struct rule *rules;
	size_t nrules;
	char **sources; /* names of everything read, built-in first */
	size_t nsources;
};

/*
 * Load the embedded default, then main_path, then the *.conf files of
 * dropin_dir. NULL paths skip that step. A missing main_path or dropin_dir
 * is fine (the default paths may be absent) unless POLICY_LOAD_NEED_MAIN or
 * POLICY_LOAD_NEED_DIR says it was named by the operator: then it is the
 * error "path: no such file" (-ENOENT). On success
 * the old contents of *p are freed and replaced (rule pointers into the old
 * policy become invalid); on failure *p is untouched and err holds one line
 * "file:line:col: what was expected" (or "file: reason" for I/O errors).
 * *p must be zeroed or a loaded policy. Returns 0 or -errno.
 */
#define POLICY_LOAD_STRICT_PERMS 1u /* refuse files writable by group or others */
#define POLICY_LOAD_NEED_MAIN	 2u /* main_path was named: it must exist */
#define POLICY_LOAD_NEED_DIR	 4u /* dropin_dir was named: it must exist */
int policy_load(struct policy *p, const char *main_path, const char *dropin_dir, unsigned flags,
		char *err, size_t errlen);

/* Same, from memory: the embedded default, then buf (named name in errors). */
int policy_load_buffer(struct policy *p, const char *name, const void *buf, size_t len, char *err,
		       size_t errlen);

/* The embedded default alone. */
int policy_load_default(struct policy *p, char *err, size_t errlen);

void policy_free(struct policy *p);

/*
 * Print the effective policy as configuration text that loads back to the
 * same policy. Without POLICY_PRINT_PLAIN, comments tell where each rule is
 * defined and which of its values are inherited.
 */
#define POLICY_PRINT_PLAIN 1u
void policy_print(const struct policy *p, FILE *f, unsigned flags);

/* Static names as used in the configuration file. */
const char *action_name(enum action a);
const char *origin_name(enum origin o);
const char *match_key_name(enum match_key k);
const char *setting_name(enum setting s);

/* Writes "input+output" style text for a clock mask; returns snprintf's result. */
int activity_format(uint32_t clocks, char *buf, size_t len);

#endif /* TTYIDLE_CONFIG_H */
