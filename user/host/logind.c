// SPDX-License-Identifier: GPL-2.0
/* systemd-logind's session records; see logind.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/logind.h"
#include "host/procfs.h"

#define CGROUP_READ_MAX	 8192
#define SESSION_READ_MAX 16384 /* logind's files are about 1 KiB */

static bool id_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n >= LOGIND_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

static int parse_uid(const char *s, size_t n, uid_t *uid)
{
	unsigned long long v = 0;
	size_t i;

	if (!n || n > 10)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v >= (uid_t)-1)
		return -EINVAL;
	*uid = (uid_t)v;
	return 0;
}

/* "/user.slice/user-UID.slice/session-ID.scope" and nothing else */
static int session_of_path(const char *p, size_t n, char *id, size_t idlen, uid_t *uid)
{
	static const char a[] = "/user.slice/user-", b[] = ".slice/session-", c[] = ".scope";
	const char *end = p + n, *u, *i;

	if (n < sizeof(a) - 1 || memcmp(p, a, sizeof(a) - 1))
		return -ENOENT;
	u = p + sizeof(a) - 1;
	i = memchr(u, '.', (size_t)(end - u));
	if (!i || (size_t)(end - i) < sizeof(b) - 1 || memcmp(i, b, sizeof(b) - 1) ||
	    parse_uid(u, (size_t)(i - u), uid))
		return -ENOENT;
	i += sizeof(b) - 1;
	if ((size_t)(end - i) < sizeof(c) || memcmp(end - (sizeof(c) - 1), c, sizeof(c) - 1) ||
	    !id_ok(i, (size_t)(end - i) - (sizeof(c) - 1)) ||
	    (size_t)(end - i) - (sizeof(c) - 1) >= idlen)
		return -ENOENT;
	snprintf(id, idlen, "%.*s", (int)((size_t)(end - i) - (sizeof(c) - 1)), i);
	return 0;
}

int logind_parse_cgroup(const char *text, char *id, size_t idlen, uid_t *uid)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', n), *c2;

		if (c1 && (c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - line)))) {
			size_t ctl = (size_t)(c2 - c1 - 1);
			bool unified = c1 == line + 1 && line[0] == '0' && ctl == 0;
			bool named =
			    ctl == strlen("name=systemd") && !memcmp(c1 + 1, "name=systemd", ctl);

			if ((unified || named) &&
			    session_of_path(c2 + 1, n - (size_t)(c2 + 1 - line), id, idlen, uid) ==
				0)
				return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

static void copy_value(char *dst, size_t len, const char *v, size_t n)
{
	snprintf(dst, len, "%.*s", (int)n, v);
}

int logind_parse_session(const char *text, struct logind_session *s)
{
	const char *line = text;
	bool have_uid = false;

	memset(s, 0, sizeof(*s));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		const char *eq = memchr(line, '=', n);

		if (eq && line[0] != '#') {
			size_t kn = (size_t)(eq - line), vn = n - kn - 1;
			const char *v = eq + 1;

#define KEY(k) (kn == sizeof(k) - 1 && !memcmp(line, k, kn))
			if (KEY("UID")) {
				if (parse_uid(v, vn, &s->uid))
					return -EINVAL;
				have_uid = true;
			} else if (KEY("LEADER")) {
				uid_t p;

				if (parse_uid(v, vn, &p))
					return -EINVAL;
				s->leader = (pid_t)p;
			} else if (KEY("TTY")) {
				copy_value(s->tty, sizeof(s->tty), v, vn);
			} else if (KEY("REMOTE_HOST")) {
				copy_value(s->remote_host, sizeof(s->remote_host), v, vn);
			} else if (KEY("SERVICE")) {
				copy_value(s->service, sizeof(s->service), v, vn);
			} else if (KEY("TYPE")) {
				copy_value(s->type, sizeof(s->type), v, vn);
			} else if (KEY("CLASS")) {
				copy_value(s->class, sizeof(s->class), v, vn);
			} else if (KEY("STATE")) {
				copy_value(s->state, sizeof(s->state), v, vn);
			}
#undef KEY
		}
		line = nl ? nl + 1 : NULL;
	}
	return have_uid ? 0 : -EINVAL;
}

/* A whole small file, NUL-terminated; *buf is the caller's to free. */
static int read_text(int dfd, const char *name, size_t max, bool root_only, char **buf)
{
	struct stat st;
	size_t len = 0;
	char *b;
	int fd, r = 0;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto cleanup;
	}
	if (root_only && (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))) {
		r = -EPERM;
		goto cleanup;
	}
	b = malloc(max + 1);
	if (!b) {
		r = -ENOMEM;
		goto cleanup;
	}
	while (len < max) {
		ssize_t n = read(fd, b + len, max - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	b[len] = 0;
	*buf = b;
cleanup:
	close(fd);
	return r;
}

int logind_id_at(int pdir, char *id, size_t idlen, uid_t *uid)
{
	char *text = NULL;
	int r;

	r = read_text(pdir, "cgroup", CGROUP_READ_MAX, false, &text);
	if (r < 0)
		return r == -ENOENT || r == -ESRCH ? -ENOENT : r;
	r = logind_parse_cgroup(text, id, idlen, uid);
	free(text);
	return r;
}

int logind_id_of(const char *proc_root, pid_t pid, char *id, size_t idlen, uid_t *uid)
{
	int pdir, r;

	if (pid <= 0)
		return -ENOENT;
	pdir = procfs_open_pid(proc_root, pid);
	if (pdir < 0)
		return pdir == -ESRCH ? -ENOENT : pdir;
	r = logind_id_at(pdir, id, idlen, uid);
	close(pdir);
	return r;
}

int logind_session_of(const char *proc_root, const char *dir, pid_t pid, struct logind_session *s)
{
	char id[LOGIND_ID_MAX];
	char *text = NULL;
	uid_t uid;
	int dfd, r;

	r = logind_id_of(proc_root, pid, id, sizeof(id), &uid);
	if (r < 0)
		return r;
	dfd = open(dir ? dir : LOGIND_SESSIONS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	/* a directory others may write to could hold anybody's file */
	{
		struct stat st;

		if (fstat(dfd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
			close(dfd);
			return -EPERM;
		}
	}
	r = read_text(dfd, id, SESSION_READ_MAX, true, &text);
	close(dfd);
	if (r < 0)
		return r;
	r = logind_parse_session(text, s);
	free(text);
	if (r < 0)
		return r;
	/* the file and the cgroup must tell of the same user's session */
	if (s->uid != uid)
		return -EPERM;
	snprintf(s->id, sizeof(s->id), "%s", id);
	return 0;
}
