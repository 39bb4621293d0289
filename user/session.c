// SPDX-License-Identifier: GPL-2.0
/* Session resolution and verification; see session.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <paths.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <utmpx.h>

#include "session.h"

#define FDS_PER_PROC_MAX 4096 /* fds examined per process when looking for the terminal */
#define NSS_BUF_MAX	 (1024 * 1024)

dev_t session_dev_to_user(uint32_t kdev)
{
	return makedev(kdev >> 20, kdev & 0xfffffu);
}

int session_dev_from_user(dev_t dev, uint32_t *kdev)
{
	unsigned int ma = major(dev), mi = minor(dev);

	if (ma > 0xfffu || mi > 0xfffffu)
		return -ERANGE;
	*kdev = (ma << 20) | mi;
	return 0;
}

bool session_key_matches(const struct tty_key *key, const struct stat *st)
{
	if (!S_ISCHR(st->st_mode) || key->dev == 0)
		return false;
	if (st->st_rdev != session_dev_to_user(key->dev))
		return false;
	/* A PTY is only the same terminal in the same devpts instance. */
	return key->devpts == 0 || st->st_dev == session_dev_to_user(key->devpts);
}

void session_tty_name(const char *kname, char *out, size_t outlen)
{
	const char *p;

	if (!outlen)
		return;
	if (!strncmp(kname, "pts", 3) && kname[3]) {
		for (p = kname + 3; *p >= '0' && *p <= '9'; p++)
			;
		if (!*p) {
			snprintf(out, outlen, "pts/%s", kname + 3);
			return;
		}
	}
	snprintf(out, outlen, "%s", kname);
}

static bool pfx(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool sfx(const char *s, const char *p)
{
	size_t ls = strlen(s), lp = strlen(p);

	return ls >= lp && !strcmp(s + ls - lp, p);
}

enum login_service session_classify_comm(const char *c)
{
	if (!strcmp(c, "sshd") || !strcmp(c, "sshd-session") || !strcmp(c, "dropbear"))
		return SVC_SSHD;
	if (!strcmp(c, "login") || sfx(c, "getty"))
		return SVC_LOGIN;
	if (pfx(c, "tmux") || !strcmp(c, "screen") || !strcmp(c, "SCREEN") ||
	    !strcmp(c, "zellij") || !strcmp(c, "dtach") || !strcmp(c, "abduco"))
		return SVC_MULTIPLEXER;
	if (pfx(c, "containerd") || pfx(c, "runc") || !strcmp(c, "crun") || !strcmp(c, "conmon") ||
	    pfx(c, "docker") || !strcmp(c, "podman") || pfx(c, "lxc-") || !strcmp(c, "lxd") ||
	    !strcmp(c, "incusd") || !strcmp(c, "systemd-nspawn") || !strcmp(c, "kubelet"))
		return SVC_CONTAINER;
	return SVC_OTHER;
}

const char *session_service_name(enum login_service svc)
{
	switch (svc) {
	case SVC_SSHD:
		return "sshd";
	case SVC_LOGIN:
		return "login";
	case SVC_MULTIPLEXER:
		return "multiplexer";
	case SVC_CONTAINER:
		return "container";
	case SVC_OTHER:
		break;
	}
	return "other";
}

const char *session_remote_source_name(enum remote_source src)
{
	switch (src) {
	case REMOTE_UTMP:
		return "utmp";
	case REMOTE_ENVIRON:
		return "environ";
	case REMOTE_NONE:
		break;
	}
	return "none";
}

int session_host_devpts(dev_t *out)
{
	struct stat st;

	if (stat("/dev/pts", &st) < 0)
		return -errno;
	*out = st.st_dev;
	return 0;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Look for the terminal among the fds of one process; fn decides whether to stop. */
typedef int (*tty_fd_fn)(int fddir, const char *name, pid_t pid, void *arg);

static int scan_fds(const char *proc_root, pid_t pid, const struct tty_key *key, tty_fd_fn fn,
		    void *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int seen = 0;
	DIR *d;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%d/fd", proc_root, (int)pid);
	d = opendir(path);
	if (!d)
		return 0; /* gone, or not ours to see: try the next process */
	while ((de = readdir(d)) && seen++ < FDS_PER_PROC_MAX) {
		struct stat st;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		/* stat follows the fd's link to the open file without opening it again */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		if (!session_key_matches(key, &st))
			continue;
		r = fn(dirfd(d), de->d_name, pid, arg);
		if (r)
			break;
	}
	closedir(d);
	return r;
}

/* Call fn for terminal fds of the leader, then of the other session members. */
static int scan_session_fds(const char *proc_root, pid_t sid, const struct tty_key *key,
			    tty_fd_fn fn, void *arg)
{
	struct proc_stat st, *v = NULL;
	size_t n = 0, i;
	int r;

	if (procfs_read_stat(proc_root, sid, &st) == 0 && st.session == sid) {
		r = scan_fds(proc_root, sid, key, fn, arg);
		if (r)
			return r;
	}
	r = procfs_list_session(proc_root, sid, false, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && !r; i++)
		if (v[i].pid != sid && v[i].state != 'Z')
			r = scan_fds(proc_root, v[i].pid, key, fn, arg);
	free(v);
	return r;
}

struct find_ctx {
	pid_t pid;
	int fd;
};

static int find_fn(int fddir, const char *name, pid_t pid, void *arg)
{
	struct find_ctx *c = arg;

	c->pid = pid;
	c->fd = atoi(name);
	return 1;
}

int session_find_tty_fd(const char *proc_root, pid_t sid, const struct tty_key *key, pid_t *pid,
			int *fd)
{
	struct find_ctx c = {0, -1};
	int r;

	if (!proc_root)
		proc_root = PROCFS_ROOT;
	r = scan_session_fds(proc_root, sid, key, find_fn, &c);
	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	*pid = c.pid;
	*fd = c.fd;
	return 0;
}

struct open_ctx {
	const struct tty_key *key;
	int flags;
	int fd;
	int err;
};

static int open_fn(int fddir, const char *name, pid_t pid, void *arg)
{
	struct open_ctx *c = arg;
	struct stat st;
	int fd;

	/* Opening the magic link reopens the very file the process has, in its devpts. */
	fd = openat(fddir, name, c->flags);
	if (fd < 0) {
		c->err = -errno;
		return 0; /* closed meanwhile or refused: try another fd */
	}
	/* The fd may have been replaced between the scan and the open. */
	if (fstat(fd, &st) < 0 || !session_key_matches(c->key, &st)) {
		close(fd);
		return 0;
	}
	c->fd = fd;
	return 1;
}

int session_open_tty(const char *proc_root, pid_t sid, const struct tty_key *key, int accmode)
{
	struct open_ctx c = {
	    .key = key,
	    .flags = (accmode & O_ACCMODE) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
	    .fd = -1,
	    .err = -ENOENT,
	};
	int r;

	if (!proc_root)
		proc_root = PROCFS_ROOT;
	if (sid <= 1 || key->dev == 0)
		return -EINVAL;
	r = scan_session_fds(proc_root, sid, key, open_fn, &c);
	if (r < 0)
		return r;
	if (r == 0)
		return c.err;
	return c.fd;
}

/*
 * A name from NSS, or the number when there is none. The _r calls take a
 * caller's buffer that may be too small (ERANGE); grow it up to a bound.
 * `is_group` picks getgrgid_r over getpwuid_r.
 */
static void nss_name(bool is_group, unsigned int id, char *out, size_t outlen)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	const char *name = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int r;

	for (;;) {
		char *nb = realloc(buf, len);

		if (!nb)
			break;
		buf = nb;
		r = is_group ? getgrgid_r(id, &gr, buf, len, &gres)
			     : getpwuid_r(id, &pw, buf, len, &pres);
		if (r != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (is_group && gres)
		name = gres->gr_name;
	else if (!is_group && pres)
		name = pres->pw_name;
	if (name && name[0])
		snprintf(out, outlen, "%s", name);
	else
		snprintf(out, outlen, "%u", id);
	free(buf);
}

static void nss_user(uid_t uid, char *out, size_t outlen)
{
	nss_name(false, uid, out, outlen);
}

static void nss_group(gid_t gid, char *out, size_t outlen)
{
	nss_name(true, gid, out, outlen);
}

int session_parse_ssh_env(const char *value, char *out, size_t outlen)
{
	size_t n = strcspn(value, " "), i;

	if (n == 0 || n >= outlen || n >= SESSION_REMOTE_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)value[i];

		/* IPv4, IPv6 (with %zone) only: the value is user-controlled memory */
		if (!isalnum(ch) && ch != '.' && ch != ':' && ch != '%')
			return -EINVAL;
	}
	memcpy(out, value, n);
	out[n] = 0;
	return 0;
}

static bool pid_in(pid_t pid, const pid_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* Newest USER_PROCESS record for tty written by one of pids. 1 found, 0 none, -errno. */
static int remote_from_utmp(const char *path, const char *tty, const pid_t *pids, size_t npids,
			    char *out, size_t outlen)
{
	struct utmpx u;
	struct stat st;
	int fd, found = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	for (;;) {
		ssize_t n = read(fd, &u, sizeof(u));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(u))
			break;
		if (u.ut_type != USER_PROCESS || !pid_in(u.ut_pid, pids, npids) ||
		    strncmp(u.ut_line, tty, sizeof(u.ut_line)) || strlen(tty) > sizeof(u.ut_line))
			continue;
		if (u.ut_host[0]) {
			size_t l = strnlen(u.ut_host, sizeof(u.ut_host));

			if (l >= outlen)
				l = outlen - 1;
			memcpy(out, u.ut_host, l);
			out[l] = 0;
			found = 1;
		} else if (u.ut_addr_v6[1] || u.ut_addr_v6[2] || u.ut_addr_v6[3]) {
			found = inet_ntop(AF_INET6, u.ut_addr_v6, out, (socklen_t)outlen) != NULL;
		} else if (u.ut_addr_v6[0]) {
			found = inet_ntop(AF_INET, u.ut_addr_v6, out, (socklen_t)outlen) != NULL;
		} else {
			found = 0; /* a local login; a newer record wins */
			out[0] = 0;
		}
	}
	close(fd);
	return found;
}

static void fill_identity(struct session_info *s, const struct proc_status *ps)
{
	size_t i;

	s->uid = ps->uid[0];
	s->gid = ps->gid[0];
	nss_user(s->uid, s->user, sizeof(s->user));
	nss_group(s->gid, s->group, sizeof(s->group));
	s->ngroups = ps->ngroups;
	s->groups_truncated = ps->groups_truncated;
	for (i = 0; i < ps->ngroups; i++) {
		s->groups[i].gid = ps->groups[i];
		nss_group(ps->groups[i], s->groups[i].name, sizeof(s->groups[i].name));
	}
	s->leader_nspid = ps->nspid_n ? ps->nspid[ps->nspid_n - 1] : s->sid;
}

static void fill_namespaces(const char *proc_root, int pdir, struct session_info *s)
{
	uint64_t pidns = 0, mntns = 0, b;
	bool init_mnt, pid;

	/* The initial PID namespace has a fixed inode; no need to read PID 1 (which hardened
	 * hosts may refuse even to root). */
	s->host_pidns =
	    procfs_read_ns_at(pdir, "pid", &pidns) == 0 && pidns == PROCFS_INIT_PIDNS_INO;
	/* Mount namespaces have no fixed inode before Linux 6.x: PID 1's, else ours. */
	init_mnt = procfs_read_ns(proc_root, 1, "mnt", &b) == 0;
	s->host_mntns = procfs_read_ns_at(pdir, "mnt", &mntns) == 0 &&
			(init_mnt || procfs_read_ns(proc_root, getpid(), "mnt", &b) == 0) &&
			mntns == b;
	if (procfs_read_container_at(pdir, &s->container) < 0)
		memset(&s->container, 0, sizeof(s->container));
	/* Namespaces that no runtime's cgroup names (unshare, bwrap, a bare
	 * nsenter) still mean "not the host": name them by namespace inode. A
	 * mount namespace only when compared with PID 1's: a service unit with
	 * PrivateTmp= has a mount namespace of its own, which is not the host's. */
	pid = pidns && !s->host_pidns;
	if (!s->container.runtime[0] && (pid || (init_mnt && mntns && !s->host_mntns))) {
		snprintf(s->container.runtime, sizeof(s->container.runtime), "%s",
			 pid ? "pidns" : "mntns");
		snprintf(s->container.name, sizeof(s->container.name), "%llu",
			 (unsigned long long)(pid ? pidns : mntns));
	}
	procfs_container_str(&s->container, s->container_str, sizeof(s->container_str));
}

/* Walk up from the leader; the chain is where utmp's ut_pid may point (shell or login). */
static size_t walk_service(const char *proc_root, const struct proc_stat *leader,
			   struct session_info *s, pid_t *chain)
{
	struct proc_stat cur = *leader;
	size_t n = 0;

	s->service = SVC_OTHER;
	for (;;) {
		enum login_service svc;

		chain[n++] = cur.pid;
		svc = session_classify_comm(cur.comm);
		if (svc != SVC_OTHER) {
			s->service = svc;
			s->service_pid = cur.pid;
			snprintf(s->service_comm, sizeof(s->service_comm), "%s", cur.comm);
			break;
		}
		if (cur.ppid <= 1 || n >= SESSION_WALK_MAX)
			break;
		if (procfs_read_stat(proc_root, cur.ppid, &cur) < 0)
			break;
	}
	return n;
}

static void fill_remote(const struct session_opts *o, int pdir, struct session_info *s,
			const pid_t *chain, size_t nchain)
{
	const char *utmp = o->utmp_path ? o->utmp_path : _PATH_UTMP;
	bool host_tty = s->key.devpts == 0 ||
			(o->host_devpts && session_dev_to_user(s->key.devpts) == o->host_devpts);
	char val[256];

	/* utmp only knows the host's terminals: a container's pts/3 is another pts/3. */
	if (utmp[0] && host_tty &&
	    remote_from_utmp(utmp, s->tty, chain, nchain, s->remote, sizeof(s->remote)) > 0) {
		s->remote_src = REMOTE_UTMP;
		return;
	}
	if ((procfs_read_environ_at(pdir, "SSH_CONNECTION", val, sizeof(val)) > 0 &&
	     session_parse_ssh_env(val, s->remote, sizeof(s->remote)) == 0) ||
	    (procfs_read_environ_at(pdir, "SSH_CLIENT", val, sizeof(val)) > 0 &&
	     session_parse_ssh_env(val, s->remote, sizeof(s->remote)) == 0)) {
		s->remote_src = REMOTE_ENVIRON;
		return;
	}
	s->remote[0] = 0;
	s->remote_src = REMOTE_NONE;
}

int session_resolve(const struct session_opts *o, pid_t sid, const struct tty_key *key,
		    const char *kname, struct session_info *s, char *err, size_t errlen)
{
	static const struct session_opts defaults;
	const char *proc_root;
	struct proc_status ps;
	struct proc_stat st, again;
	pid_t chain[SESSION_WALK_MAX];
	size_t nchain;
	long hz;
	int pdir = -1, r;

	if (!o)
		o = &defaults;
	proc_root = o->proc_root ? o->proc_root : PROCFS_ROOT;
	memset(s, 0, sizeof(*s));
	s->sid = sid;
	s->key = *key;
	s->tty_fd = -1;
	session_tty_name(kname ? kname : "", s->tty, sizeof(s->tty));

	if (sid <= 1 || key->dev == 0) {
		seterr(err, errlen, "session %d on %s: not a user session", (int)sid, s->tty);
		return -EINVAL;
	}
	pdir = procfs_open_pid(proc_root, sid);
	if (pdir < 0) {
		r = pdir;
		seterr(err, errlen, "session %d on %s: leader %s/%d: %s", (int)sid, s->tty,
		       proc_root, (int)sid, r == -ESRCH ? "gone" : strerror(-r));
		return r;
	}
	r = procfs_read_stat_at(pdir, &st);
	if (r < 0) {
		seterr(err, errlen, "session %d on %s: %s/%d/stat: %s", (int)sid, s->tty, proc_root,
		       (int)sid, r == -ESRCH ? "gone" : strerror(-r));
		goto out;
	}
	if (procfs_is_kthread(&st)) {
		r = -EPERM;
		seterr(err, errlen, "session %d on %s: pid %d is a kernel thread", (int)sid, s->tty,
		       (int)sid);
		goto out;
	}
	if (st.session != sid) {
		r = -ESRCH;
		seterr(err, errlen, "session %d on %s: pid %d (%s) is in session %d, not a leader",
		       (int)sid, s->tty, (int)sid, st.comm, (int)st.session);
		goto out;
	}
	if (st.tty_nr != (uint32_t)session_dev_to_user(key->dev)) {
		r = -ENOTTY;
		seterr(err, errlen,
		       "session %d on %s: leader's controlling terminal is %u:%u, expected %u:%u",
		       (int)sid, s->tty, major(st.tty_nr), minor(st.tty_nr), key->dev >> 20,
		       key->dev & 0xfffffu);
		goto out;
	}
	r = session_find_tty_fd(proc_root, sid, key, &s->tty_pid, &s->tty_fd);
	if (r == -ENOENT && key->devpts == 0) {
		/* A console device number is global: the controlling tty is proof enough. */
		s->tty_pid = 0;
		s->tty_fd = -1;
	} else if (r < 0) {
		seterr(err, errlen, "session %d on %s: no process of the session has it open%s",
		       (int)sid, s->tty, r == -ENOENT ? " in this devpts instance" : "");
		r = r == -ENOENT ? -ENOTTY : r;
		goto out;
	}
	r = procfs_read_status_at(pdir, &ps);
	if (r < 0) {
		seterr(err, errlen, "session %d on %s: %s/%d/status: %s", (int)sid, s->tty,
		       proc_root, (int)sid, strerror(-r));
		goto out;
	}

	s->leader_start = st.starttime;
	hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	s->leader_start_ns =
	    (uint64_t)(st.starttime / (unsigned long long)hz) * 1000000000ull +
	    (uint64_t)(st.starttime % (unsigned long long)hz) * 1000000000ull / (uint64_t)hz;
	snprintf(s->leader_comm, sizeof(s->leader_comm), "%s", st.comm);
	if (procfs_read_cmdline_at(pdir, s->leader_cmdline, sizeof(s->leader_cmdline)) < 0)
		s->leader_cmdline[0] = 0;
	fill_identity(s, &ps);
	fill_namespaces(proc_root, pdir, s);
	nchain = walk_service(proc_root, &st, s, chain);
	fill_remote(o, pdir, s, chain, nchain);

	/* Everything above was read through pdir: still the same leader? */
	r = procfs_read_stat_at(pdir, &again);
	if (r < 0 || again.starttime != st.starttime || again.session != sid) {
		r = -ESRCH;
		seterr(err, errlen, "session %d on %s: leader exited while being resolved",
		       (int)sid, s->tty);
		goto out;
	}
	r = 0;
out:
	close(pdir);
	return r;
}
