// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/config.h"
#include "policy/duration.h"
#include "ttyidle.h"
#include "policy/warntext.h"

/* tests/config and scripts/, found from this file's path (make runs from the top). */
static char srcdir[1024];

static const char *src(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", srcdir, rel);
	return buf[k];
}

static char *print_policy(const struct policy *p, unsigned flags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	policy_print(p, f, flags);
	assert_int_equal(fclose(f), 0);
	return text;
}

static int load_text(struct policy *p, const char *text, char *err, size_t errlen)
{
	return policy_load_buffer(p, "t.conf", text, strlen(text), err, errlen);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static char tmpdir[256];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ttyidle-test-config.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, rel);
	return buf[k];
}

static void test_default(void **state)
{
	struct policy p = {0};
	char err[256] = "", want[PATH_MAX + 64], *a, *b;

	(void)state;
	assert_int_equal(policy_load_default(&p, err, sizeof(err)), 0);
	assert_int_equal(p.scope, SCOPE_BIT(ORIGIN_LOGIN));
	assert_int_equal(p.global.s.idle_ns, 15 * NSEC_PER_MIN);
	assert_int_equal(p.global.s.warn_ns, 60 * NSEC_PER_SEC);
	assert_int_equal(p.global.s.clocks, TTY_CLK_BIT(TTY_CLK_IN));
	assert_int_equal(p.global.s.action, ACTION_HANGUP);
	assert_int_equal(p.global.s.signal_delay_ns[0], 5 * NSEC_PER_SEC);
	assert_int_equal(p.global.s.signal_delay_ns[1], 5 * NSEC_PER_SEC);
	assert_non_null(strstr(p.global.s.message, "{left}"));
	assert_int_equal(p.nrules, 0);
	assert_int_equal(p.nsources, 1);
	assert_string_equal(p.sources[0], POLICY_BUILTIN_NAME);
	assert_string_equal(p.global.s.where[SET_IDLE].file, POLICY_BUILTIN_NAME);

	/* No files at all is the same policy as the built-in one. */
	{
		struct policy q = {0};

		assert_int_equal(
		    policy_load(&q, tmp("missing.conf"), tmp("missing.d"), 0, err, sizeof(err)), 0);
		/* ...unless the operator named them: then a missing one is an error */
		assert_int_equal(policy_load(&q, tmp("missing.conf"), tmp("missing.d"),
					     POLICY_LOAD_NEED_MAIN, err, sizeof(err)),
				 -ENOENT);
		snprintf(want, sizeof(want), "%s: no such file", tmp("missing.conf"));
		assert_string_equal(err, want);
		assert_int_equal(policy_load(&q, tmp("missing.conf"), tmp("missing.d"),
					     POLICY_LOAD_NEED_DIR, err, sizeof(err)),
				 -ENOENT);
		snprintf(want, sizeof(want), "%s: no such directory", tmp("missing.d"));
		assert_string_equal(err, want);
		a = print_policy(&p, POLICY_PRINT_PLAIN);
		b = print_policy(&q, POLICY_PRINT_PLAIN);
		assert_string_equal(a, b);
		free(a);
		free(b);
		/* An empty file too. */
		assert_int_equal(load_text(&q, "", err, sizeof(err)), 0);
		b = print_policy(&q, POLICY_PRINT_PLAIN);
		a = print_policy(&p, POLICY_PRINT_PLAIN);
		assert_string_equal(a, b);
		free(a);
		free(b);
		policy_free(&q);
	}
	policy_free(&p);
	policy_free(&p); /* idempotent */
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.conf names of a directory. */
static size_t list_confs(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, len;

	assert_non_null(d);
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		assert_non_null(v);
		v[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

/*
 * Every file of tests/config/bad carries its expected error on line 1 as
 * "# expect: NAME:LINE:COL: message". Loading it must give exactly that one
 * line, and must leave the policy loaded before it untouched.
 */
static void test_bad_corpus(void **state)
{
	char cwd[PATH_MAX], err[512], expect[512], *before, *after, **names;
	struct policy p = {0};
	size_t n, i;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	n = list_confs(src("tests/config/bad"), &names);
	assert_true(n >= 25);
	assert_int_equal(chdir(src("tests/config/bad")), 0);
	assert_int_equal(policy_load(&p, "../good/full.conf", NULL, 0, err, sizeof(err)), 0);
	before = print_policy(&p, 0);

	for (i = 0; i < n; i++) {
		const struct rule *rules = p.rules;
		FILE *f = fopen(names[i], "r");
		char *nl;
		int r;

		assert_non_null(f);
		assert_non_null(fgets(expect, sizeof(expect), f));
		fclose(f);
		if (strncmp(expect, "# expect: ", 10) != 0)
			fail_msg("%s: line 1 is not \"# expect: ...\"", names[i]);
		nl = strchr(expect, '\n');
		if (nl)
			*nl = '\0';

		memset(err, 'X', sizeof(err));
		r = policy_load(&p, names[i], NULL, 0, err, sizeof(err));
		if (r != -EINVAL)
			fail_msg("%s: returned %d", names[i], r);
		if (strcmp(err, expect + 10) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", names[i], err, expect + 10);
		assert_null(strchr(err, '\n'));
		/* All or nothing: the previous policy is kept as it was. */
		assert_ptr_equal(p.rules, rules);
		after = print_policy(&p, 0);
		assert_string_equal(before, after);
		free(after);
	}
	assert_int_equal(chdir(cwd), 0);
	free(before);
	free_list(names, n);
	policy_free(&p);
}

/* Good files load, and the printed policy loads back to the same policy. */
static void test_good_corpus(void **state)
{
	char err[512], **names, path[PATH_MAX], *plain, *again, *annotated;
	struct policy p = {0}, q = {0};
	size_t n, i;

	(void)state;
	n = list_confs(src("tests/config/good"), &names);
	assert_true(n >= 5);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", src("tests/config/good"), names[i]);
		if (policy_load(&p, path, NULL, 0, err, sizeof(err)) != 0)
			fail_msg("%s: %s", names[i], err);
		plain = print_policy(&p, POLICY_PRINT_PLAIN);
		annotated = print_policy(&p, 0);
		if (load_text(&q, plain, err, sizeof(err)) != 0)
			fail_msg("%s: printed policy does not load: %s\n%s", names[i], err, plain);
		again = print_policy(&q, POLICY_PRINT_PLAIN);
		assert_string_equal(plain, again);
		free(again);
		/* The annotated form is valid configuration as well. */
		if (load_text(&q, annotated, err, sizeof(err)) != 0)
			fail_msg("%s: annotated policy does not load: %s", names[i], err);
		again = print_policy(&q, POLICY_PRINT_PLAIN);
		assert_string_equal(plain, again);
		free(again);
		free(plain);
		free(annotated);
	}
	free_list(names, n);
	policy_free(&p);
	policy_free(&q);
}

static void test_full_values(void **state)
{
	char err[512];
	struct policy p = {0};
	const struct rule *r;

	(void)state;
	assert_int_equal(
	    policy_load(&p, src("tests/config/good/full.conf"), NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(p.scope, SCOPE_BIT(ORIGIN_LOGIN) | SCOPE_BIT(ORIGIN_MULTIPLEXER));
	assert_int_equal(p.global.s.idle_ns, 90 * NSEC_PER_MIN);
	assert_int_equal(p.global.s.warn_ns, 2 * NSEC_PER_MIN);
	assert_int_equal(p.global.s.clocks, TTY_CLK_BIT(TTY_CLK_IN) | TTY_CLK_BIT(TTY_CLK_OUT));
	assert_int_equal(p.global.s.action, ACTION_SIGNAL);
	assert_int_equal(p.global.s.signal_delay_ns[0], 10 * NSEC_PER_SEC);
	assert_int_equal(p.global.s.signal_delay_ns[1], NSEC_PER_MIN);
	assert_string_equal(p.global.s.message,
			    "{user}: {tty} idle for {timeout}, ending in {left}.\nType anything to "
			    "stay.");
	assert_int_equal(p.nrules, 4);

	r = &p.rules[0];
	assert_string_equal(r->name, "root-console");
	assert_int_equal(r->where.line, 11);
	assert_int_equal(r->match[MATCH_USER].n, 1);
	assert_int_equal(r->match[MATCH_TTY].n, 2);
	assert_string_equal(r->match[MATCH_TTY].v[1].text, "ttyS*"); /* /dev/ dropped */
	assert_int_equal(r->s.idle_ns, 5 * NSEC_PER_MIN);
	assert_int_equal(r->s.warn_ns, 0);
	assert_int_equal(r->s.action, ACTION_HANGUP);
	/* Inherited from [global]. */
	assert_int_equal(r->s.clocks, TTY_CLK_BIT(TTY_CLK_IN) | TTY_CLK_BIT(TTY_CLK_OUT));
	assert_int_equal(r->s.signal_delay_ns[1], NSEC_PER_MIN);
	assert_string_equal(r->s.message, p.global.s.message);
	assert_int_equal(r->own, (1u << SET_IDLE) | (1u << SET_WARN) | (1u << SET_ACTION));
	assert_int_equal(r->s.where[SET_ACTIVITY].line, 6);

	r = &p.rules[1];
	assert_string_equal(r->name, "admins");
	assert_int_equal(r->match[MATCH_GROUP].n, 3);
	assert_false(r->match[MATCH_GROUP].v[0].numeric);
	assert_true(r->match[MATCH_GROUP].v[2].numeric);
	assert_int_equal(r->match[MATCH_GROUP].v[2].lo, 27);
	assert_int_equal(r->match[MATCH_UID].v[1].lo, 1000);
	assert_int_equal(r->match[MATCH_UID].v[1].hi, 60000);
	assert_int_equal(r->match[MATCH_HOST].n, 3);
	assert_int_equal(r->s.clocks, 0xf);

	r = &p.rules[3];
	assert_int_equal(r->s.action, ACTION_WARN);
	assert_int_equal(r->match[MATCH_UID].v[0].hi, 4294967294u);
	assert_string_equal(
	    r->s.message, "would end this session; braces: {{ and } are literal, backslash \\ too");
	policy_free(&p);
}

static void test_values(void **state)
{
	static const struct {
		const char *line;
		uint32_t clocks;
	} act[] = {
	    {"activity = input", TTY_CLK_BIT(TTY_CLK_IN)},
	    {"activity = output", TTY_CLK_BIT(TTY_CLK_OUT)},
	    {"activity = input+output", TTY_CLK_BIT(TTY_CLK_IN) | TTY_CLK_BIT(TTY_CLK_OUT)},
	    {"activity = input, output-read",
	     TTY_CLK_BIT(TTY_CLK_IN) | TTY_CLK_BIT(TTY_CLK_OUT_READ)},
	    {"activity = input-read output",
	     TTY_CLK_BIT(TTY_CLK_IN_READ) | TTY_CLK_BIT(TTY_CLK_OUT)},
	    {"activity = all", 0xf},
	};
	static const struct {
		const char *line;
		unsigned scope;
	} sc[] = {
	    {"scope = login", SCOPE_BIT(ORIGIN_LOGIN)},
	    {"scope = multiplexer", SCOPE_BIT(ORIGIN_MULTIPLEXER)},
	    {"scope = other, login", SCOPE_BIT(ORIGIN_OTHER) | SCOPE_BIT(ORIGIN_LOGIN)},
	    {"scope = all", SCOPE_ALL},
	};
	struct policy p = {0};
	char text[256], err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(act) / sizeof(act[0]); i++) {
		snprintf(text, sizeof(text), "[global]\n%s\n", act[i].line);
		assert_int_equal(load_text(&p, text, err, sizeof(err)), 0);
		assert_int_equal(p.global.s.clocks, act[i].clocks);
	}
	for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		snprintf(text, sizeof(text), "[global]\n%s\n", sc[i].line);
		assert_int_equal(load_text(&p, text, err, sizeof(err)), 0);
		assert_int_equal(p.scope, sc[i].scope);
		assert_int_equal(p.scope_where.line, 2);
	}
	assert_int_equal(
	    load_text(&p, "[global]\nwarn-message = a\\nb\\\\nc {{\n", err, sizeof(err)), 0);
	assert_string_equal(p.global.s.message, "a\nb\\nc {{");
	assert_int_equal(load_text(&p, "[global]\naction = exempt\n", err, sizeof(err)), 0);
	assert_int_equal(p.global.s.action, ACTION_EXEMPT);
	/* warn-before = 0: no warning, and any idle-timeout goes. */
	assert_int_equal(
	    load_text(&p, "[global]\nidle-timeout = 1s\nwarn-before = 0\n", err, sizeof(err)), 0);
	assert_int_equal(p.global.s.idle_ns, NSEC_PER_SEC);
	assert_int_equal(p.global.s.warn_ns, 0);
	policy_free(&p);
}

/* Rules take what they do not set from the final [global], whichever file set it. */
static void test_dropins(void **state)
{
	struct policy p = {0};
	char err[512], d[PATH_MAX];

	(void)state;
	snprintf(d, sizeof(d), "%s", tmp("conf.d"));
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(
	    tmp("main.conf"),
	    "[global]\nidle-timeout = 30min\n\n[rule first]\nuser = alice\naction = signal\n",
	    0644);
	write_file(tmp("conf.d/20-b.conf"),
		   "[global]\nidle-timeout = 20min\n[rule b]\nuser = bob\n", 0644);
	write_file(tmp("conf.d/10-a.conf"),
		   "[global]\nidle-timeout = 10min\nwarn-before = 2min\n[rule a]\nuser = ann\n",
		   0644);
	/* Not read: hidden, other suffixes, backups. */
	write_file(tmp("conf.d/.hidden.conf"), "garbage\n", 0644);
	write_file(tmp("conf.d/notes.txt"), "garbage\n", 0644);
	write_file(tmp("conf.d/30-c.conf~"), "garbage\n", 0644);
	write_file(tmp("conf.d/.conf"), "garbage\n", 0644);

	assert_int_equal(policy_load(&p, tmp("main.conf"), d, 0, err, sizeof(err)), 0);
	assert_int_equal(p.nsources, 4);
	assert_string_equal(p.sources[2], tmp("conf.d/10-a.conf"));
	assert_string_equal(p.sources[3], tmp("conf.d/20-b.conf"));
	assert_int_equal(p.nrules, 3);
	assert_string_equal(p.rules[0].name, "first");
	assert_string_equal(p.rules[1].name, "a");
	assert_string_equal(p.rules[2].name, "b");
	/* Later files win for [global]... */
	assert_int_equal(p.global.s.idle_ns, 20 * NSEC_PER_MIN);
	assert_string_equal(p.global.s.where[SET_IDLE].file, tmp("conf.d/20-b.conf"));
	assert_int_equal(p.global.s.warn_ns, 2 * NSEC_PER_MIN);
	/* ...and a rule read before them inherits their values. */
	assert_int_equal(p.rules[0].s.idle_ns, 20 * NSEC_PER_MIN);
	assert_int_equal(p.rules[0].s.warn_ns, 2 * NSEC_PER_MIN);
	assert_int_equal(p.rules[0].s.action, ACTION_SIGNAL);
	assert_int_equal(p.rules[1].s.action, ACTION_HANGUP);

	/* The drop-in directory alone works too. */
	assert_int_equal(policy_load(&p, NULL, d, 0, err, sizeof(err)), 0);
	assert_int_equal(p.nrules, 2);
	policy_free(&p);
}

static void test_dropin_errors(void **state)
{
	struct policy p = {0};
	char err[512], want[1024], d[PATH_MAX];
	const struct rule *rules;

	(void)state;
	snprintf(d, sizeof(d), "%s", tmp("e.d"));
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(tmp("e.conf"), "[rule r]\nuser = alice\nidle-timeout = 2min\n", 0644);
	assert_int_equal(policy_load(&p, tmp("e.conf"), d, 0, err, sizeof(err)), 0);
	rules = p.rules;

	/* A [global] from a drop-in makes a rule of the main file invalid: blame the rule. */
	write_file(tmp("e.d/50-warn.conf"), "[global]\nwarn-before = 5min\n", 0644);
	assert_int_equal(policy_load(&p, tmp("e.conf"), d, 0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:3:16: warn-before (5min, from [global]) must be shorter than idle-timeout "
		 "(2min) in [rule r]",
		 tmp("e.conf"));
	assert_string_equal(err, want);
	assert_ptr_equal(p.rules, rules);
	unlink(tmp("e.d/50-warn.conf"));

	/* Rule names are unique across all files. */
	write_file(tmp("e.d/60-dup.conf"), "# dup\n[rule r]\nuser = bob\n", 0644);
	assert_int_equal(policy_load(&p, tmp("e.conf"), d, 0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2:7: duplicate rule \"r\", first defined at %s:1",
		 tmp("e.d/60-dup.conf"), tmp("e.conf"));
	assert_string_equal(err, want);
	unlink(tmp("e.d/60-dup.conf"));

	/* Errors in a drop-in name the drop-in. */
	write_file(tmp("e.d/70-bad.conf"), "[global]\naction = nuke\n", 0644);
	assert_int_equal(policy_load(&p, tmp("e.conf"), d, 0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:2:10: expected an action: hangup, signal, warn or exempt, got \"nuke\"",
		 tmp("e.d/70-bad.conf"));
	assert_string_equal(err, want);
	unlink(tmp("e.d/70-bad.conf"));

	/* A directory named *.conf is not a file to read. */
	assert_int_equal(mkdir(tmp("e.d/80-dir.conf"), 0755), 0);
	assert_int_equal(policy_load(&p, tmp("e.conf"), d, 0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", tmp("e.d/80-dir.conf"));
	assert_string_equal(err, want);
	rmdir(tmp("e.d/80-dir.conf"));

	/* The drop-in path exists but is not a directory. */
	assert_int_equal(policy_load(&p, NULL, tmp("e.conf"), 0, err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "cannot open directory"));

	/* A main path that is a directory. */
	assert_int_equal(policy_load(&p, d, NULL, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));

	assert_ptr_equal(p.rules, rules);
	assert_int_equal(policy_load(&p, tmp("e.conf"), d, 0, err, sizeof(err)), 0);
	policy_free(&p);
}

static void test_strict_perms(void **state)
{
	struct policy p = {0};
	char err[512], want[PATH_MAX + 64];

	(void)state;
	write_file(tmp("perm.conf"), "[global]\nidle-timeout = 5min\n", 0664);
	assert_int_equal(policy_load(&p, tmp("perm.conf"), NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(
	    policy_load(&p, tmp("perm.conf"), NULL, POLICY_LOAD_STRICT_PERMS, err, sizeof(err)),
	    -EPERM);
	snprintf(want, sizeof(want), "%s: writable by group or others; fix with chmod go-w",
		 tmp("perm.conf"));
	assert_string_equal(err, want);
	assert_int_equal(chmod(tmp("perm.conf"), 0602), 0);
	assert_int_equal(
	    policy_load(&p, tmp("perm.conf"), NULL, POLICY_LOAD_STRICT_PERMS, err, sizeof(err)),
	    -EPERM);
	assert_int_equal(chmod(tmp("perm.conf"), 0640), 0);
	assert_int_equal(
	    policy_load(&p, tmp("perm.conf"), NULL, POLICY_LOAD_STRICT_PERMS, err, sizeof(err)), 0);
	assert_int_equal(p.global.s.idle_ns, 5 * NSEC_PER_MIN);
	policy_free(&p);
}

static void test_file_too_large(void **state)
{
	struct policy p = {0};
	char err[512];
	FILE *f;
	int i;

	(void)state;
	f = fopen(tmp("big.conf"), "w");
	assert_non_null(f);
	/* Valid lines, just too many of them: 1 MiB + a bit. */
	for (i = 0; i < (CONF_FILE_MAX / 64) + 1; i++)
		fprintf(f, "# %061d\n", i);
	fclose(f);
	assert_int_equal(policy_load(&p, tmp("big.conf"), NULL, 0, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "larger than 1048576 bytes"));
	policy_free(&p);
}

static void test_limits(void **state)
{
	struct policy p = {0};
	char err[512], *text, *o;
	size_t i, cap = 200000;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);

	/* CONF_RULES_MAX rules load; one more does not. */
	for (o = text, i = 0; i < CONF_RULES_MAX; i++)
		o += sprintf(o, "[rule r%zu]\nuid = %zu\n", i, i);
	assert_int_equal(load_text(&p, text, err, sizeof(err)), 0);
	assert_int_equal(p.nrules, CONF_RULES_MAX);
	sprintf(o, "[rule one-more]\nuid = 5\n");
	assert_int_equal(load_text(&p, text, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too many rules"));
	assert_int_equal(p.nrules, CONF_RULES_MAX);

	/* A list of CONF_ITEMS_MAX values loads; one more does not (short names: the line limit).
	 */
	o = text + sprintf(text, "[rule many]\nuid =");
	for (i = 0; i < CONF_ITEMS_MAX; i++)
		o += sprintf(o, " %zu", i % 10);
	assert_int_equal(load_text(&p, text, err, sizeof(err)), -EINVAL); /* duplicates */
	o = text + sprintf(text, "[rule many]\ntty =");
	for (i = 0; i < CONF_ITEMS_MAX; i++)
		o += sprintf(o, " %c%c", (char)('a' + i / 26), (char)('a' + i % 26));
	assert_true(strlen(text) < CONF_LINE_MAX + 20);
	assert_int_equal(load_text(&p, text, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "value is too long"));

	/* Rule names up to CONF_NAME_MAX characters. */
	o = text + sprintf(text, "[rule ");
	memset(o, 'n', CONF_NAME_MAX);
	sprintf(o + CONF_NAME_MAX, "]\nuser = a\n");
	assert_int_equal(load_text(&p, text, err, sizeof(err)), 0);
	o = text + sprintf(text, "[rule ");
	memset(o, 'n', CONF_NAME_MAX + 1);
	sprintf(o + CONF_NAME_MAX + 1, "]\nuser = a\n");
	assert_int_equal(load_text(&p, text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:1:7: rule name is too long (at most 64 characters)");

	/* A line of exactly CONF_LINE_MAX bytes is fine. */
	memset(text, '#', CONF_LINE_MAX);
	text[CONF_LINE_MAX] = '\0';
	assert_int_equal(load_text(&p, text, err, sizeof(err)), 0);
	text[CONF_LINE_MAX] = '#';
	text[CONF_LINE_MAX + 1] = '\0';
	assert_int_equal(load_text(&p, text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:1:1025: line is too long (more than 1024 bytes)");

	/* A multi-byte character cut by the limit is reported as a long line. */
	memset(text, '#', CONF_LINE_MAX - 1);
	strcpy(text + CONF_LINE_MAX - 1, "é");
	assert_int_equal(load_text(&p, text, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line is too long"));
	free(text);
	policy_free(&p);
}

static void test_messages(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
	    {"[global]\nwarn = 5s\n",
	     "t.conf:2:1: unknown key \"warn\", did you mean \"warn-before\"?"},
	    {"[global]\nAction = warn\n",
	     "t.conf:2:1: unknown key \"Action\", did you mean \"action\"?"},
	    {"[global]\ntimeout = 5min\n",
	     "t.conf:2:1: unknown key \"timeout\", did you mean \"idle-timeout\"?"},
	    {"[global]\nfrobnicate = 1\n",
	     "t.conf:2:1: unknown key \"frobnicate\", expected idle-timeout, warn-before, "
	     "activity, "
	     "action, signal-delays, warn-message, scope, user, group, uid, tty, service or host"},
	    {"[global]\n= 5\n",
	     "t.conf:2:1: expected a key like idle-timeout, a [section] or a # comment"},
	    {"[rule]\n", "t.conf:1:6: expected a rule name, like [rule admins]"},
	    {"[rule global]\nuser = a\n", "t.conf:1:7: \"global\" cannot be a rule name"},
	    {"[rule x]\nhost = a b#c\n",
	     "t.conf:2:11: unexpected \"#\": comments must be on a line of their own"},
	    {"[rule x]\nhost = \"a\"\n",
	     "t.conf:2:8: values are written without quotes, remove them from \"\\\"a\\\"\""},
	    {"[global]\nwarn-message = 'bye'\n",
	     "t.conf:2:16: values are written without quotes, remove them from \"'bye'\""},
	    {"[rule x]\nhost = a\"b\n",
	     "t.conf:2:9: expected a host pattern of printable ASCII without quotes, got "
	     "\"a\\\"b\""},
	    {"[rule x]\nservice = ssh/d\n",
	     "t.conf:2:11: expected a service name like sshd or login, got \"ssh/d\""},
	    {"[rule x]\ngroup = 4294967295\n",
	     "t.conf:2:9: gid \"4294967295\" is out of range (at most 4294967294)"},
	    {"[rule x]\nuser = a\n[global]\nwarn-before = 20min\n",
	     "t.conf:4:15: warn-before (20min) must be shorter than idle-timeout (15min)"},
	    {"[rule x]\nuser = a\nwarn-before = 20min\n",
	     "t.conf:3:15: warn-before (20min) must be shorter than idle-timeout (15min, from "
	     "[global]) in [rule x]"},
	    {"[rule x]\nuser = a\nidle-timeout = 1min\nwarn-before = 1min\n",
	     "t.conf:4:15: warn-before (1min) must be shorter than idle-timeout (1min) in [rule "
	     "x]"},
	    {"[rule x]\nuser = a\n[rule y]\n",
	     "t.conf:3:1: [rule y] has no match key (user, group, uid, tty, service or host); "
	     "settings for everyone belong in [global]"},
	    {"\xef\xbb\xbf[global]\n",
	     "t.conf:1:1: byte order mark (U+FEFF); save the file without it"},
	    {"[global]\nwarn-message = \xc2\x9b"
	     "2J\n",
	     "t.conf:2:16: control character U+009B"},
	    {"[global]\nwarn-message = \xed\xa0\x80\n", "t.conf:2:16: invalid UTF-8"},
	    {"[global]\nwarn-message = \xc0\xaf\n", "t.conf:2:16: invalid UTF-8"},
	    {"[global]\nwarn-message = \xe2\x82\n", "t.conf:2:16: invalid UTF-8"},
	    {"[global]\nwarn-message = é\t\x01\n", "t.conf:2:18: control character 0x01"},
	    {"[global]\nwarn-message = é {nope}\n",
	     "t.conf:2:18: unknown placeholder {nope}, expected {user}, {tty}, {left} or {timeout} "
	     "(write {{ for a literal {)"},
	};
	struct policy p = {0};
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (load_text(&p, cases[i].text, err, sizeof(err)) != -EINVAL ||
		    strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, err, cases[i].err);
	}
	policy_free(&p);
}

/*
 * One leading /dev/ is dropped, and what is left must not start with "/":
 * no terminal name does, and "/dev//dev/ttyS*" once loaded as "/dev/ttyS*",
 * which printed and read back as "ttyS*", a different policy.
 */
static void test_tty_dev_prefix(void **state)
{
	static const struct {
		const char *value, *err;
	} bad[] = {
	    {"/dev//dev/ttyS*",
	     "t.conf:2:7: expected a tty pattern as the session names it, like "
	     "\"ttyS*\" or \"pts/*\", got \"/dev//dev/ttyS*\" (one leading /dev/ "
	     "is dropped; no terminal name starts with \"/\")"},
	    {"/dev/", NULL},
	    {"/dev", NULL},
	    {"//dev/tty1", NULL},
	    {"/dev//tty1", NULL},
	    {"tty1, /ttyS0", NULL},
	};
	struct policy p = {0}, q = {0};
	char err[512], text[128], *a, *b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[rule t]\ntty = %s\n", bad[i].value);
		err[0] = '\0';
		if (load_text(&p, text, err, sizeof(err)) != -EINVAL ||
		    !strstr(err, "no terminal name starts with \"/\"") ||
		    (bad[i].err && strcmp(err, bad[i].err) != 0))
			fail_msg("tty = %s:\n got: %s\nwant: %s", bad[i].value, err,
				 bad[i].err ? bad[i].err : "(that error)");
	}

	assert_int_equal(
	    load_text(&p, "[rule t]\ntty = /dev/ttyS*, /dev/tty1, pts/*\n", err, sizeof(err)), 0);
	assert_string_equal(p.rules[0].match[MATCH_TTY].v[0].text, "ttyS*");
	assert_string_equal(p.rules[0].match[MATCH_TTY].v[1].text, "tty1");
	a = print_policy(&p, POLICY_PRINT_PLAIN);
	assert_non_null(strstr(a, "\ntty = ttyS*, tty1, pts/*\n"));
	assert_int_equal(policy_load_buffer(&q, "printed.conf", a, strlen(a), err, sizeof(err)), 0);
	b = print_policy(&q, POLICY_PRINT_PLAIN);
	assert_string_equal(a, b);
	free(a);
	free(b);
	policy_free(&p);
	policy_free(&q);
}

/* A tiny error buffer still gets a terminated prefix, and 0 is not written to. */
static void test_small_error_buffer(void **state)
{
	struct policy p = {0};
	char err[12], canary = 'C';

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(load_text(&p, "[nope]\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:1:2:");
	assert_int_equal(load_text(&p, "[nope]\n", &canary, 0), -EINVAL);
	assert_int_equal(canary, 'C');
	policy_free(&p);
}

static void test_annotated_print(void **state)
{
	struct policy p = {0};
	char err[512], *text;

	(void)state;
	assert_int_equal(load_text(&p,
				   "[global]\nidle-timeout = 20min\n\n[rule ops]\ngroup = ops\n"
				   "action = warn\n",
				   err, sizeof(err)),
			 0);
	text = print_policy(&p, 0);
	assert_non_null(strstr(text, "read from: (built-in), t.conf\n"));
	assert_non_null(strstr(text, "# from t.conf:2\nidle-timeout = 20min\n"));
	assert_non_null(strstr(text, "# built-in defaults:\nscope = login\n"));
	assert_non_null(strstr(text,
			       "[rule ops]\n# defined at t.conf:4\ngroup = ops\naction = warn\n"
			       "# inherited from [global]:\nidle-timeout = 20min\n"));
	free(text);
	policy_free(&p);
}

/*
 * The sample /etc/ttyidle.conf loads as shipped (all commented out: the
 * defaults), and with every "#key = value" and "#[rule ...]" line
 * uncommented it still loads and its [global] is exactly the built-in one:
 * the documented defaults are the real ones.
 */
static void test_sample_conf(void **state)
{
	struct policy p = {0}, d = {0};
	char err[512], line[2048], *def, *got, *out = NULL, *cut;
	size_t len = 0;
	FILE *in, *f;

	(void)state;
	assert_int_equal(policy_load_default(&d, err, sizeof(err)), 0);
	def = print_policy(&d, POLICY_PRINT_PLAIN);
	if (policy_load(&p, src("scripts/ttyidle.conf"), NULL, 0, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	got = print_policy(&p, POLICY_PRINT_PLAIN);
	assert_string_equal(def, got);
	free(got);

	in = fopen(src("scripts/ttyidle.conf"), "r");
	assert_non_null(in);
	f = open_memstream(&out, &len);
	while (fgets(line, sizeof(line), in)) {
		if (line[0] == '#' && (line[1] == '[' || (line[1] >= 'a' && line[1] <= 'z')))
			fputs(line + 1, f);
		else
			fputs(line, f);
	}
	fclose(in);
	fclose(f);
	if (load_text(&p, out, err, sizeof(err)) != 0)
		fail_msg("uncommented sample: %s", err);
	assert_true(p.nrules >= 3);
	got = print_policy(&p, POLICY_PRINT_PLAIN);
	/* Compare [global] only: the examples add rules. */
	cut = strstr(got, "\n[rule ");
	assert_non_null(cut);
	*cut = '\0';
	assert_string_equal(def, got);
	free(got);
	free(out);
	free(def);
	policy_free(&p);
	policy_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default),	    cmocka_unit_test(test_bad_corpus),
	    cmocka_unit_test(test_good_corpus),	    cmocka_unit_test(test_full_values),
	    cmocka_unit_test(test_values),	    cmocka_unit_test(test_dropins),
	    cmocka_unit_test(test_dropin_errors),   cmocka_unit_test(test_strict_perms),
	    cmocka_unit_test(test_file_too_large),  cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_messages),	    cmocka_unit_test(test_small_error_buffer),
	    cmocka_unit_test(test_annotated_print), cmocka_unit_test(test_sample_conf),
	    cmocka_unit_test(test_tty_dev_prefix),
	};
	char *slash, real[PATH_MAX];

	/* __FILE__ is tests/unit/test_config.c relative to where make runs. */
	snprintf(srcdir, sizeof(srcdir), "%s", __FILE__);
	slash = strstr(srcdir, "tests/unit/");
	if (slash)
		*slash = '\0';
	if (!srcdir[0])
		snprintf(srcdir, sizeof(srcdir), ".");
	else if (slash && slash > srcdir && slash[-1] == '/')
		slash[-1] = '\0';
	if (!realpath(srcdir, real) || strlen(real) >= sizeof(srcdir))
		return 1;
	strcpy(srcdir, real);
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
