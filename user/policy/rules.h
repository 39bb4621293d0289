/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which rule applies to a terminal's session. Within a rule, several values
 * of one key match if any matches (OR); several keys must all match (AND).
 * Rules are tried in order, the first match wins, and a terminal that
 * matches none gets [global]. Nothing is exempt unless a rule says so: root
 * is enforced like anyone else.
 */
#ifndef TTYIDLE_RULES_H
#define TTYIDLE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "policy/config.h"

/* The session a terminal belongs to, as the daemon found it. */
struct subject {
	const char *user; /* owner's name; NULL: unknown */
	uid_t uid;
	const gid_t *gids; /* primary and supplementary groups */
	size_t ngids;
	const char *const *groups; /* names of those groups (any order, may be fewer) */
	size_t ngroups;
	const char *tty;     /* as the session sees it: "pts/3", "tty1"; NULL: unknown */
	const char *service; /* what started the session: "sshd", "login", "tmux"... */
	const char *host;    /* remote host or address; NULL or "": not remote/unknown */
	enum origin origin;  /* checked against the policy's scope */
};

/* True if origin o is in the policy's scope. */
bool policy_in_scope(const struct policy *p, enum origin o);

/*
 * True if every key of rule r matches s. A subject field that is unknown
 * (NULL) never matches user, group or service; tty and host then compare as
 * the empty string, which only a pattern like "*" matches.
 */
bool rule_matches(const struct rule *r, const struct subject *s);

/*
 * The rule that applies to s: the first matching rule, else &p->global.
 * NULL when s's origin is out of scope: leave that terminal alone.
 */
const struct rule *rules_match(const struct policy *p, const struct subject *s);

/*
 * For `ttyidle explain`: print the subject, whether it is in scope, each
 * rule tried with the reasons it did not match, and the outcome. Returns the
 * same as rules_match().
 */
const struct rule *rules_explain(const struct policy *p, const struct subject *s, FILE *f);

/* One line summary of what a rule does: "hangup after 15min without input, warning 60s before". */
int rule_describe(const struct rule *r, char *buf, size_t len);

/*
 * One line saying what a whole policy does, for the journal at start and
 * reload (a package installation says which sessions it will end): "scope =
 * login; sessions no rule matches: hang up after 15min idle (activity:
 * input), warning 1min before; rules: admins (...); nobody is exempt unless a
 * rule says so, root included". Each rule as rule_describe() says it; cut
 * with "..." when it does not fit.
 */
void policy_describe(const struct policy *p, char *buf, size_t len);

#endif /* TTYIDLE_RULES_H */
