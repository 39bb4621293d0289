/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to user/policy/config_*.c, which together implement config.h:
 *   config_lex.c    bytes, lists, columns and the one-line diagnostics;
 *   config_parse.c  the line grammar: sections, "key = value", whole files;
 *   config_keys.c   the key table, one function per [global] setting;
 *   config_match.c  one function per match key of a [rule];
 *   config_load.c   the built-in default, files, drop-ins, inheritance;
 *   config_print.c  the effective policy as configuration text.
 * Nothing here is for the rest of the daemon: it would couple it to how the
 * text is read rather than to the policy that results.
 */
#ifndef TTYIDLE_CONFIG_INT_H
#define TTYIDLE_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

/* A piece of the current line; not NUL-terminated. */
struct tok {
	const char *s;
	size_t n;
};

enum key_place { IN_BOTH, IN_GLOBAL, IN_RULE };

struct keydef {
	const char *name;
	enum key_place place;
	int setting;  /* enum setting, or -1 */
	int match;    /* enum match_key, or -1 */
	bool hash_ok; /* a '#' in the value is text, not a misplaced comment */
	/* The whole value; a setting's parser also records where it was set. */
	int (*parse)(struct parser *ps, const struct keydef *kd, const char *val);
	/* Match keys: one list item, which it may narrow (tty drops "/dev/"). */
	int (*item)(struct parser *ps, const struct keydef *kd, struct tok *t,
		    struct match_item *it);
};

/* config_lex.c */
unsigned conf_col(const char *line, const char *at);
__attribute__((format(printf, 3, 4))) int conf_perr(struct parser *ps, const char *at,
						    const char *fmt, ...);
__attribute__((format(printf, 4, 5))) int conf_lerr(char *err, size_t errlen,
						    const struct srcloc *l, const char *fmt, ...);
const char *conf_quote(char *buf, size_t len, const char *s, size_t n);
int conf_check_bytes(struct parser *ps, const char *s, size_t n, bool truncated);
int conf_split(struct parser *ps, const char *val, bool plus, struct tok *toks, size_t *ntoks);
bool conf_tok_is(const struct tok *t, const char *s);
int conf_duration(struct parser *ps, const char *s, size_t n, uint64_t *ns);

/* 40 characters of at most 4 bytes each, "...", quotes: always fits. */
#define Q(s, n) conf_quote((char[256]){0}, 256, (s), (n))
#define QS(s)	Q((s), strlen(s))

/* config_parse.c */
int conf_parse_text(struct policy *p, const char *name, const char *buf, size_t len, char *err,
		    size_t errlen);

/* config_keys.c */
const struct keydef *conf_key_find(const char *key, size_t klen);
int conf_key_unknown(struct parser *ps, const char *key, size_t klen);
int conf_parse_scope(struct parser *ps, const struct keydef *kd, const char *val);

/* config_match.c */
int conf_parse_match(struct parser *ps, const struct keydef *kd, const char *val);
int conf_item_user(struct parser *ps, const struct keydef *kd, struct tok *t,
		   struct match_item *it);
int conf_item_group(struct parser *ps, const struct keydef *kd, struct tok *t,
		    struct match_item *it);
int conf_item_uid(struct parser *ps, const struct keydef *kd, struct tok *t, struct match_item *it);
int conf_item_tty(struct parser *ps, const struct keydef *kd, struct tok *t, struct match_item *it);
int conf_item_host(struct parser *ps, const struct keydef *kd, struct tok *t,
		   struct match_item *it);
int conf_item_service(struct parser *ps, const struct keydef *kd, struct tok *t,
		      struct match_item *it);
void conf_free_match(struct match_list *m);

static inline bool conf_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool conf_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool conf_is_alnum(char c)
{
	return conf_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

#endif /* TTYIDLE_CONFIG_INT_H */
