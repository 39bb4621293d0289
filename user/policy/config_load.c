// SPDX-License-Identifier: GPL-2.0
/*
 * Assembling a policy: the embedded default, then the main file, then the
 * drop-ins, then inheritance from [global] and the checks that need the
 * whole policy. Every load builds a new policy and swaps it in only when all
 * of it is good, so a bad edit never leaves the daemon half-configured.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/config_int.h"
#include "policy/duration.h"

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

static void free_rule(struct rule *r)
{
	int k;

	free(r->name);
	free(r->s.message);
	for (k = 0; k < MATCH_MAX; k++)
		conf_free_match(&r->match[k]);
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
		return conf_lerr(err, errlen, at,
				 "warn-before (%s) must be shorter than idle-timeout (%s)", w, i);
	return conf_lerr(err, errlen, at,
			 "warn-before (%s%s) must be shorter than idle-timeout (%s%s) in [rule %s]",
			 w, own_w ? "" : ", from [global]", i, own_i ? "" : ", from [global]",
			 r->name);
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
	return conf_parse_text(np, POLICY_BUILTIN_NAME, builtin_policy, sizeof(builtin_policy) - 1,
			       err, errlen);
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
		r = conf_parse_text(&np, name, buf, len, err, errlen);
	return settle(p, &np, r, name, err, errlen);
}

/* Returns 0 with the contents, 1 if the file is missing (not an error), or -errno. */
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

static int load_path(struct policy *np, const char *path, unsigned flags, bool need, char *err,
		     size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = read_file(path, flags, &buf, &len, err, errlen);
	if (r > 0 && need) {
		snprintf(err, errlen, "%s: no such file", path);
		return -ENOENT;
	}
	if (r != 0)
		return r > 0 ? 0 : r;
	r = conf_parse_text(np, path, buf, len, err, errlen);
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
		if (r == -ENOENT && !(flags & POLICY_LOAD_NEED_DIR))
			return 0;
		if (r == -ENOENT)
			snprintf(err, errlen, "%s: no such directory", dir);
		else
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
		/* a drop-in gone since it was listed is not there: fine */
		r = load_path(np, path, flags, false, err, errlen);
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
		r = load_path(&np, main_path, flags, flags & POLICY_LOAD_NEED_MAIN, err, errlen);
	if (r == 0 && dropin_dir)
		r = load_dropins(&np, dropin_dir, flags, err, errlen);
	return settle(p, &np, r, main_path ? main_path : "configuration", err, errlen);
}
