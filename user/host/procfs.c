// SPDX-License-Identifier: GPL-2.0
/*
 * procfs readers and parsers, walks and snapshots; see procfs.h. Over 600
 * lines: each /proc file's parser sits with its reader, and the parsers are
 * what the fuzzer and test_procfs.c exercise one by one.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/procfs.h"

#define STAT_MAX     4096
#define STATUS_MAX   (256 * 1024) /* Groups: can list 65536 ids */
#define CGROUP_MAX   (64 * 1024)
#define CMDLINE_READ 4096
#define ENV_CHUNK    4096

/* A process that went away while we looked at it is not an error. */
static int vanished(int err)
{
	return err == ENOENT || err == ESRCH ? -ESRCH : -err;
}

static void copy_str(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	if (!dstlen)
		return;
	if (srclen >= dstlen)
		srclen = dstlen - 1;
	memcpy(dst, src, srclen);
	dst[srclen] = 0;
}

/*
 * Read from fd into buf at *off until end of file (1) or until only the
 * NUL's byte of cap is left (0); -errno as vanished() maps it.
 */
static int read_fill(int fd, char *buf, size_t cap, size_t *off)
{
	while (*off + 1 < cap) {
		ssize_t n = read(fd, buf + *off, cap - 1 - *off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return vanished(errno);
		}
		if (n == 0)
			return 1;
		*off += (size_t)n;
	}
	return 0;
}

/* Read at most size-1 bytes of DFD/NAME and NUL-terminate them. */
static int read_small_at(int dfd, const char *name, char *buf, size_t size, size_t *len)
{
	size_t off = 0;
	int fd, r;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return vanished(errno);
	r = read_fill(fd, buf, size, &off);
	close(fd);
	if (r < 0)
		return r;
	buf[off] = 0;
	*len = off;
	return 0;
}

/* Read all of DFD/NAME (up to max bytes) into a malloc'ed, NUL-terminated buffer. */
static int read_alloc_at(int dfd, const char *name, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, off = 0;
	char *buf = NULL;
	int fd, r = 0;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return vanished(errno);
	buf = malloc(cap);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while ((r = read_fill(fd, buf, cap, &off)) == 0) {
		char *nb;

		if (cap >= max)
			break; /* keep what fits; callers parse line by line */
		cap = cap * 2 > max ? max : cap * 2;
		nb = realloc(buf, cap);
		if (!nb) {
			r = -ENOMEM;
			goto out;
		}
		buf = nb;
	}
	if (r < 0)
		goto out;
	r = 0;
	buf[off] = 0;
	*out = buf;
	*len = off;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

/* Parse a decimal integer token [p, e) fully; no sign unless allow_neg. */
static int parse_ll(const char *p, const char *e, bool allow_neg, long long *v)
{
	unsigned long long acc = 0;
	bool neg = false;

	if (p < e && *p == '-' && allow_neg) {
		neg = true;
		p++;
	}
	if (p >= e)
		return -EINVAL;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (acc > (ULLONG_MAX - 9) / 10)
			return -ERANGE;
		acc = acc * 10 + (unsigned long long)(*p - '0');
	}
	if (neg) {
		if (acc > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*v = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc;
	} else {
		if (acc > (unsigned long long)LLONG_MAX)
			return -ERANGE;
		*v = (long long)acc;
	}
	return 0;
}

static int parse_ull(const char *p, const char *e, unsigned long long *v)
{
	unsigned long long acc = 0;

	if (p >= e)
		return -EINVAL;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (acc > (ULLONG_MAX - (unsigned long long)(*p - '0')) / 10)
			return -ERANGE;
		acc = acc * 10 + (unsigned long long)(*p - '0');
	}
	*v = acc;
	return 0;
}

static int parse_pid(const char *p, const char *e, pid_t *pid)
{
	long long v;
	int r = parse_ll(p, e, true, &v);

	if (r < 0)
		return r;
	if (v < -1 || v > INT_MAX)
		return -ERANGE;
	*pid = (pid_t)v;
	return 0;
}

int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *st)
{
	/* Fields after the comm, numbered as in proc(5): 3 state ... 22 starttime. */
	const char *tok[20][2];
	const char *lp, *rp, *p, *end = buf + len;
	unsigned int ntok = 0;
	long long v;
	unsigned long long u;
	pid_t pid;

	memset(st, 0, sizeof(*st));
	lp = memchr(buf, '(', len);
	/* The comm may itself contain ')' and spaces: it ends at the last ')'. */
	rp = memrchr(buf, ')', len);
	if (!lp || !rp || rp < lp || lp == buf || lp[-1] != ' ')
		return -EINVAL;
	if (parse_pid(buf, lp - 1, &pid) < 0 || pid <= 0)
		return -EINVAL;
	st->pid = pid;
	copy_str(st->comm, sizeof(st->comm), lp + 1, (size_t)(rp - lp - 1));

	for (p = rp + 1; p < end && ntok < 20;) {
		const char *s;

		if (*p != ' ')
			return -EINVAL;
		s = ++p;
		while (p < end && *p != ' ' && *p != '\n' && *p != 0)
			p++;
		tok[ntok][0] = s;
		tok[ntok][1] = p;
		ntok++;
		if (p < end && *p != ' ')
			break;
	}
	if (ntok < 20)
		return -EINVAL;
	if (tok[0][1] - tok[0][0] != 1)
		return -EINVAL;
	st->state = tok[0][0][0];
	if (parse_pid(tok[1][0], tok[1][1], &st->ppid) < 0 ||
	    parse_pid(tok[2][0], tok[2][1], &st->pgrp) < 0 ||
	    parse_pid(tok[3][0], tok[3][1], &st->session) < 0)
		return -EINVAL;
	if (parse_ll(tok[4][0], tok[4][1], true, &v) < 0 || v < INT_MIN || v > UINT32_MAX)
		return -EINVAL;
	st->tty_nr = (uint32_t)v;
	if (parse_pid(tok[5][0], tok[5][1], &st->tpgid) < 0)
		return -EINVAL;
	if (parse_ull(tok[6][0], tok[6][1], &u) < 0 || u > UINT_MAX)
		return -EINVAL;
	st->flags = (unsigned int)u;
	if (parse_ull(tok[19][0], tok[19][1], &st->starttime) < 0)
		return -EINVAL;
	return 0;
}

/* Parse up to max whitespace-separated unsigned ids from [p, e). */
static int parse_id_list(const char *p, const char *e, unsigned long long *out, size_t max,
			 size_t *n, bool *truncated)
{
	size_t k = 0;

	*truncated = false;
	for (;;) {
		const char *s;
		unsigned long long v;

		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= e)
			break;
		s = p;
		while (p < e && *p != ' ' && *p != '\t')
			p++;
		if (parse_ull(s, p, &v) < 0 || v > UINT32_MAX)
			return -EINVAL;
		if (k < max)
			out[k++] = v;
		else
			*truncated = true;
	}
	*n = k;
	return 0;
}

int procfs_parse_status(const char *buf, size_t len, struct proc_status *st)
{
	const char *p = buf, *end = buf + len;

	memset(st, 0, sizeof(*st));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		unsigned long long ids[PROCFS_MAX_NSLEVEL > PROCFS_MAX_GROUPS ? PROCFS_MAX_NSLEVEL
									      : PROCFS_MAX_GROUPS];
		size_t klen, n, i;
		bool trunc;

		if (!colon)
			goto next;
		klen = (size_t)(colon - p);
#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(p, k, klen))
		if (KEY("Uid") || KEY("Gid")) {
			if (parse_id_list(colon + 1, le, ids, 4, &n, &trunc) < 0 || n != 4)
				return -EINVAL;
			for (i = 0; i < 4; i++) {
				if (KEY("Uid"))
					st->uid[i] = (uid_t)ids[i];
				else
					st->gid[i] = (gid_t)ids[i];
			}
			if (KEY("Uid"))
				st->has_uid = true;
			else
				st->has_gid = true;
		} else if (KEY("Groups")) {
			if (parse_id_list(colon + 1, le, ids, PROCFS_MAX_GROUPS, &n, &trunc) < 0)
				return -EINVAL;
			for (i = 0; i < n; i++)
				st->groups[i] = (gid_t)ids[i];
			st->ngroups = n;
			st->groups_truncated = trunc;
			st->has_groups = true;
		} else if (KEY("NSpid") || KEY("NSsid")) {
			if (parse_id_list(colon + 1, le, ids, PROCFS_MAX_NSLEVEL, &n, &trunc) < 0 ||
			    trunc)
				return -EINVAL;
			for (i = 0; i < n; i++) {
				if (ids[i] > INT_MAX)
					return -EINVAL;
				if (KEY("NSpid"))
					st->nspid[i] = (pid_t)ids[i];
				else
					st->nssid[i] = (pid_t)ids[i];
			}
			if (KEY("NSpid"))
				st->nspid_n = (unsigned int)n;
			else
				st->nssid_n = (unsigned int)n;
		}
#undef KEY
	next:
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!st->has_uid || !st->has_gid)
		return -EINVAL;
	return 0;
}

static bool is_hex64(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t l = strlen(pfx);

	return n >= l && !memcmp(s, pfx, l);
}

static bool has_suffix(const char *s, size_t n, const char *sfx)
{
	size_t l = strlen(sfx);

	return n >= l && !memcmp(s + n - l, sfx, l);
}

/* Copy a name, undoing systemd's \xNN unit-name escaping and keeping it printable. */
static void set_name(struct container_id *c, const char *runtime, const char *s, size_t n,
		     bool unescape)
{
	size_t i, o = 0;

	snprintf(c->runtime, sizeof(c->runtime), "%s", runtime);
	for (i = 0; i < n && o + 1 < sizeof(c->name); i++) {
		unsigned char ch = (unsigned char)s[i];

		if (unescape && ch == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    isxdigit((unsigned char)s[i + 2]) && isxdigit((unsigned char)s[i + 3])) {
			char hx[3] = {s[i + 2], s[i + 3], 0};

			ch = (unsigned char)strtoul(hx, NULL, 16);
			i += 3;
		}
		c->name[o++] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	c->name[o] = 0;
}

static const char *runtime_for_prefix(const char *p, size_t n)
{
	static const struct {
		const char *prefix, *runtime;
	} map[] = {
	    {"docker", "docker"},
	    {"libpod", "podman"},
	    {"crio", "crio"},
	    {"cri-containerd", "containerd"},
	    {"containerd", "containerd"},
	    {"nerdctl", "containerd"},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (n == strlen(map[i].prefix) && !memcmp(p, map[i].prefix, n))
			return map[i].runtime;
	return NULL;
}

int procfs_cgroup_path_container(const char *path, struct container_id *c)
{
	const char *p = path, *prev = NULL;
	size_t prevlen = 0;
	bool kube = false;

	memset(c, 0, sizeof(*c));
	while (*p) {
		const char *s, *base;
		size_t n, blen;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (!n)
			break;
		if (has_prefix(s, n, "kubepods"))
			kube = true;

		/* LXC >= 4 and LXD/Incus: lxc.payload.NAME; lxc.monitor.NAME is host side. */
		if (has_prefix(s, n, "lxc.payload.") && n > 12) {
			set_name(c, "lxc", s + 12, n - 12, false);
			return 1;
		}
		/* cgroup v1 layout of older LXC: /lxc/NAME */
		if (prev && prevlen == 3 && !memcmp(prev, "lxc", 3)) {
			set_name(c, "lxc", s, n, false);
			return 1;
		}
		/* systemd-machined: machine.slice/machine-NAME.scope (nspawn, libvirt) */
		if (has_prefix(s, n, "machine-") && has_suffix(s, n, ".scope") && n > 14) {
			set_name(c, "machine", s + 8, n - 14, true);
			return 1;
		}
		/* systemd-nspawn@NAME.service without machined registration */
		if (has_prefix(s, n, "systemd-nspawn@") && has_suffix(s, n, ".service") && n > 23) {
			set_name(c, "nspawn", s + 15, n - 23, true);
			return 1;
		}

		base = s;
		blen = n;
		if (has_suffix(s, n, ".scope"))
			blen -= 6;
		if (is_hex64(base, blen)) {
			/* cgroupfs drivers: /docker/<id>, /kubepods/.../pod<uid>/<id> */
			const char *rt = "container";

			if (prev && prevlen == 6 && !memcmp(prev, "docker", 6))
				rt = "docker";
			else if (kube)
				rt = "k8s";
			else if (prev && prevlen == 13 && !memcmp(prev, "libpod_parent", 13))
				rt = "podman";
			set_name(c, rt, base, 12, false);
			return 1;
		}
		if (blen > 65 && base[blen - 65] == '-' && is_hex64(base + blen - 64, 64)) {
			/* systemd drivers: docker-<id>.scope, libpod-<id>.scope, crio-<id>.scope,
			 * cri-containerd-<id>.scope; *-conmon-<id> is the runtime's monitor. */
			size_t plen = blen - 65;
			const char *rt = runtime_for_prefix(base, plen);

			if (has_suffix(base, plen, "-conmon")) {
				/* host-side monitor process, not inside the container */
			} else {
				char other[16];

				if (!rt) {
					copy_str(other, sizeof(other), base, plen);
					rt = other;
				}
				set_name(c, rt, base + blen - 64, 12, false);
				return 1;
			}
		}
		prev = s;
		prevlen = n;
	}
	return 0;
}

int procfs_parse_cgroup(const char *buf, size_t len, struct container_id *c)
{
	/* Try the unified hierarchy first, then name=systemd, then the v1 controllers. */
	static const char *const order[] = {"", "name=systemd", NULL};
	unsigned int pass;
	bool any = false;

	memset(c, 0, sizeof(*c));
	for (pass = 0; pass < 3; pass++) {
		const char *p = buf, *end = buf + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			const char *c1 = memchr(p, ':', (size_t)(le - p));
			const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
			char path[PATH_MAX];
			size_t clen;
			bool want;

			if (!c2 || le == p)
				goto next;
			any = true;
			clen = (size_t)(c2 - c1 - 1);
			if (pass < 2)
				want = clen == strlen(order[pass]) &&
				       !memcmp(c1 + 1, order[pass], clen);
			else
				want = clen != 0 &&
				       !(clen == 12 && !memcmp(c1 + 1, "name=systemd", 12));
			if (!want)
				goto next;
			copy_str(path, sizeof(path), c2 + 1, (size_t)(le - c2 - 1));
			if (procfs_cgroup_path_container(path, c) > 0)
				return 1;
		next:
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	return any ? 0 : -EINVAL;
}

void procfs_container_str(const struct container_id *c, char *out, size_t outlen)
{
	if (!outlen)
		return;
	if (!c->runtime[0])
		out[0] = 0;
	else
		snprintf(out, outlen, "%s:%s", c->runtime, c->name);
}

int procfs_parse_ns_link(const char *link, const char *type, uint64_t *ino)
{
	size_t tl = strlen(type), ll = strlen(link);
	unsigned long long v;

	if (ll < tl + 4 || memcmp(link, type, tl) || link[tl] != ':' || link[tl + 1] != '[' ||
	    link[ll - 1] != ']')
		return -EINVAL;
	if (parse_ull(link + tl + 2, link + ll - 1, &v) < 0)
		return -EINVAL;
	*ino = v;
	return 0;
}

void procfs_cmdline_printable(const char *raw, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (!outlen)
		return;
	while (len && raw[len - 1] == 0)
		len--;
	for (i = 0; i < len && o + 1 < outlen; i++) {
		unsigned char ch = (unsigned char)raw[i];

		if (ch == 0)
			ch = ' ';
		else if (ch < 0x20 || ch == 0x7f)
			ch = '?';
		out[o++] = (char)ch;
	}
	out[o] = 0;
}

bool procfs_is_kthread(const struct proc_stat *st)
{
	return (st->flags & PROCFS_PF_KTHREAD) || st->pid == 2 || st->ppid == 2;
}

int procfs_open_pid(const char *proc_root, pid_t pid)
{
	char path[PATH_MAX];
	int fd;

	if (pid <= 0)
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%d", proc_root ? proc_root : PROCFS_ROOT,
			     (int)pid) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vanished(errno);
	return fd;
}

int procfs_read_stat_at(int pdir, struct proc_stat *st)
{
	char buf[STAT_MAX];
	size_t len;
	int r;

	r = read_small_at(pdir, "stat", buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	if (len == 0)
		return -ESRCH;
	return procfs_parse_stat(buf, len, st);
}

int procfs_read_status_at(int pdir, struct proc_status *st)
{
	char *buf = NULL;
	size_t len;
	int r;

	r = read_alloc_at(pdir, "status", STATUS_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = len ? procfs_parse_status(buf, len, st) : -ESRCH;
	free(buf);
	return r;
}

int procfs_read_cmdline_at(int pdir, char *out, size_t outlen)
{
	char buf[CMDLINE_READ];
	size_t len;
	int r;

	r = read_small_at(pdir, "cmdline", buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	procfs_cmdline_printable(buf, len, out, outlen);
	return 0;
}

int procfs_read_comm_at(int pdir, char *out, size_t outlen)
{
	char buf[PROCFS_COMM_MAX + 2];
	size_t len;
	int r;

	r = read_small_at(pdir, "comm", buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	while (len && buf[len - 1] == '\n')
		len--;
	procfs_cmdline_printable(buf, len, out, outlen);
	return 0;
}

int procfs_read_exe_at(int pdir, char *out, size_t outlen)
{
	static const char deleted[] = " (deleted)";
	char link[PATH_MAX];
	const char *base;
	size_t len;
	ssize_t n;

	n = readlinkat(pdir, "exe", link, sizeof(link) - 1);
	if (n < 0)
		return vanished(errno);
	link[n] = 0;
	len = (size_t)n;
	if (len >= sizeof(deleted) - 1 && !strcmp(link + len - (sizeof(deleted) - 1), deleted))
		link[len - (sizeof(deleted) - 1)] = 0;
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (!*base)
		return -EINVAL;
	snprintf(out, outlen, "%s", base);
	return 0;
}

int procfs_read_container_at(int pdir, struct container_id *c)
{
	char *buf = NULL;
	size_t len;
	int r;

	memset(c, 0, sizeof(*c));
	r = read_alloc_at(pdir, "cgroup", CGROUP_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = procfs_parse_cgroup(buf, len, c);
	free(buf);
	return r;
}

int procfs_read_ns_at(int pdir, const char *type, uint64_t *ino)
{
	char name[32], link[64];
	ssize_t n;

	if ((size_t)snprintf(name, sizeof(name), "ns/%s", type) >= sizeof(name))
		return -EINVAL;
	n = readlinkat(pdir, name, link, sizeof(link) - 1);
	if (n < 0)
		return vanished(errno);
	link[n] = 0;
	return procfs_parse_ns_link(link, type, ino);
}

int procfs_read_environ_at(int pdir, const char *name, char *out, size_t outlen)
{
	/* Streamed in chunks: environments can be megabytes; entries longer than
	 * the chunk are skipped (ours are short). */
	size_t nlen = strlen(name), have = 0;
	char buf[ENV_CHUNK];
	bool skipping = false;
	int fd, r = 0;

	if (outlen)
		out[0] = 0;
	fd = openat(pdir, "environ", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return vanished(errno);
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		size_t start = 0, i, total;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = vanished(errno);
			goto out;
		}
		total = have + (size_t)n;
		for (i = have; i < total; i++) {
			if (buf[i] != 0)
				continue;
			if (!skipping && i - start > nlen && !memcmp(buf + start, name, nlen) &&
			    buf[start + nlen] == '=') {
				copy_str(out, outlen, buf + start + nlen + 1, i - start - nlen - 1);
				r = 1;
				goto out;
			}
			skipping = false;
			start = i + 1;
		}
		if (n == 0) {
			/* last entry without a terminating NUL */
			if (!skipping && total - start > nlen && !memcmp(buf + start, name, nlen) &&
			    buf[start + nlen] == '=') {
				copy_str(out, outlen, buf + start + nlen + 1,
					 total - start - nlen - 1);
				r = 1;
			}
			goto out;
		}
		if (start == 0 && total == sizeof(buf)) {
			skipping = true; /* one entry fills the buffer: drop it */
			have = 0;
		} else {
			memmove(buf, buf + start, total - start);
			have = total - start;
		}
	}
out:
	close(fd);
	return r;
}

int procfs_read_stat(const char *proc_root, pid_t pid, struct proc_stat *st)
{
	int fd, r;

	fd = procfs_open_pid(proc_root, pid);
	if (fd < 0)
		return fd;
	r = procfs_read_stat_at(fd, st);
	close(fd);
	return r;
}

int procfs_read_ns(const char *proc_root, pid_t pid, const char *type, uint64_t *ino)
{
	int fd, r;

	fd = procfs_open_pid(proc_root, pid);
	if (fd < 0)
		return fd;
	r = procfs_read_ns_at(fd, type, ino);
	close(fd);
	return r;
}

int procfs_parse_audit_id(const char *buf, long long *out)
{
	const char *end = buf + strlen(buf);
	unsigned long long v;

	*out = -1;
	if (end > buf && end[-1] == '\n')
		end--;
	if (parse_ull(buf, end, &v) < 0 || v > 4294967295ULL)
		return -EINVAL;
	if (v != 4294967295ULL) /* (u32)-1: unset */
		*out = (long long)v;
	return 0;
}

void procfs_read_audit_ids_at(int pdir, long long *sessionid, long long *loginuid)
{
	char buf[32];
	size_t len;

	*sessionid = *loginuid = -1;
	/* a kernel without CONFIG_AUDIT has neither file: both stay unknown */
	if (read_small_at(pdir, "sessionid", buf, sizeof(buf), &len) == 0)
		procfs_parse_audit_id(buf, sessionid);
	if (read_small_at(pdir, "loginuid", buf, sizeof(buf), &len) == 0)
		procfs_parse_audit_id(buf, loginuid);
}

int procfs_read_audit_ids(const char *proc_root, pid_t pid, long long *sessionid,
			  long long *loginuid)
{
	int fd;

	*sessionid = *loginuid = -1;
	fd = procfs_open_pid(proc_root, pid);
	if (fd < 0)
		return fd;
	procfs_read_audit_ids_at(fd, sessionid, loginuid);
	close(fd);
	return 0;
}

int procfs_for_each(const char *proc_root, procfs_visit_fn fn, void *arg)
{
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(proc_root ? proc_root : PROCFS_ROOT);
	if (!d)
		return -errno;
	for (;;) {
		struct proc_stat st;
		char name[NAME_MAX + 16];
		char buf[STAT_MAX];
		const char *q;
		size_t len;
		int rr;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				r = -errno;
			break;
		}
		for (q = de->d_name; *q >= '0' && *q <= '9'; q++)
			;
		if (q == de->d_name || *q)
			continue;
		snprintf(name, sizeof(name), "%s/stat", de->d_name);
		rr = read_small_at(dirfd(d), name, buf, sizeof(buf), &len);
		if (rr == -ENOMEM) {
			r = rr;
			break;
		}
		/* exited since readdir, or hidden from us (LSM): either way not ours to touch */
		if (rr < 0 || len == 0)
			continue;
		if (procfs_parse_stat(buf, len, &st) < 0)
			continue; /* not a process directory we understand */
		rr = fn(&st, arg);
		if (rr < 0) {
			r = rr;
			break;
		}
	}
	closedir(d);
	return r;
}

struct list_ctx {
	pid_t sid;
	struct proc_stat *v;
	size_t n, cap;
};

static int list_visit(const struct proc_stat *st, void *arg)
{
	struct list_ctx *c = arg;

	if (c->sid >= 0 && st->session != c->sid)
		return 0;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct proc_stat *nv = realloc(c->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = *st;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc_stat *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_session_pid(const void *a, const void *b)
{
	const struct proc_stat *x = a, *y = b;

	if (x->session != y->session)
		return (x->session > y->session) - (x->session < y->session);
	return cmp_pid(a, b);
}

int procfs_snapshot_take(const char *proc_root, struct proc_snapshot *s)
{
	struct list_ctx c = {.sid = -1}; /* list_visit keeps everything */
	int r;

	r = procfs_for_each(proc_root, list_visit, &c);
	if (r < 0) {
		free(c.v);
		return r;
	}
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), cmp_session_pid);
	procfs_snapshot_free(s);
	s->v = c.v;
	s->n = c.n;
	s->taken = true;
	return 0;
}

void procfs_snapshot_free(struct proc_snapshot *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The members of sid in s, a copy in PID order. */
static int snapshot_session(const struct proc_snapshot *s, pid_t sid, struct proc_stat **out,
			    size_t *n)
{
	size_t lo = 0, hi = s->n, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].session < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < s->n && s->v[i].session == sid; i++)
		;
	if (i == lo)
		return 0;
	*out = malloc((i - lo) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	memcpy(*out, &s->v[lo], (i - lo) * sizeof(**out));
	*n = i - lo;
	return 0;
}

int procfs_list_session(const char *proc_root, pid_t sid, struct proc_stat **out, size_t *n)
{
	struct list_ctx c = {.sid = sid};
	int r;

	*out = NULL;
	*n = 0;
	if (sid <= 0)
		return -EINVAL;
	r = procfs_for_each(proc_root, list_visit, &c);
	if (r < 0) {
		free(c.v);
		return r;
	}
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), cmp_pid);
	*out = c.v;
	*n = c.n;
	return 0;
}

int procfs_view_list_session(const struct proc_view *v, pid_t sid, struct proc_stat **out,
			     size_t *n)
{
	int r;

	*out = NULL;
	*n = 0;
	if (sid <= 0)
		return -EINVAL;
	if (!v->snap)
		return procfs_list_session(v->root, sid, out, n);
	if (!v->snap->taken) {
		r = procfs_snapshot_take(v->root, v->snap);
		if (r < 0)
			return r;
	}
	return snapshot_session(v->snap, sid, out, n);
}

int procfs_view_refresh(const struct proc_view *v)
{
	return v->snap ? procfs_snapshot_take(v->root, v->snap) : 0;
}
