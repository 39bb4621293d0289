// SPDX-License-Identifier: GPL-2.0
/*
 * Session resolution and verification; see session.h. Over 600 lines: what
 * serves a terminal (master holder, utmp) and who owns it are one decision,
 * kept together so that no fact is consulted twice in different ways.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "host/logind.h"
#include "host/nsscache.h"
#include "host/session.h"

#define FDS_PER_PROC_MAX 4096 /* fds examined per process when looking for the terminal */
/*
 * ... and per session, over all its members: the members and their fds are
 * the user's to multiply (measured 15.8 ms per process of 4096 fds), and a
 * scan runs in the one loop that serves everyone's deadlines. Past it, the
 * caller acts without the terminal (signals only) and says so.
 */
#define FDS_PER_SESSION_MAX 8192

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

enum login_service session_classify_exe(const char *c)
{
	if (!strcmp(c, "sshd") || !strcmp(c, "sshd-session") || !strcmp(c, "dropbear"))
		return SVC_SSHD;
	if (!strcmp(c, "login") || sfx(c, "getty") || !strcmp(c, "in.telnetd") ||
	    !strcmp(c, "telnetd"))
		return SVC_LOGIN;
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
	return src == REMOTE_UTMP ? "utmp" : src == REMOTE_LOGIND ? "logind" : "none";
}

const char *session_login_evidence_name(enum login_evidence e)
{
	switch (e) {
	case LOGIN_MASTER:
		return "master";
	case LOGIN_UTMP:
		return "utmp";
	case LOGIN_LOGIND:
		return "logind";
	case LOGIN_NONE:
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
		    void *arg, unsigned int *budget)
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
	while (*budget && (de = readdir(d)) && seen++ < FDS_PER_PROC_MAX) {
		(*budget)--;
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
static int scan_session_fds(const struct proc_view *pv, pid_t sid, const struct tty_key *key,
			    tty_fd_fn fn, void *arg, unsigned int budget)
{
	const char *proc_root = pv->root;
	struct proc_stat st, *v = NULL;
	size_t n = 0, i;
	int r;

	if (procfs_read_stat(proc_root, sid, &st) == 0 && st.session == sid) {
		r = scan_fds(proc_root, sid, key, fn, arg, &budget);
		if (r)
			return r;
	}
	r = procfs_view_list_session(pv, sid, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && !r && budget; i++)
		if (v[i].pid != sid && v[i].state != 'Z')
			r = scan_fds(proc_root, v[i].pid, key, fn, arg, &budget);
	free(v);
	if (!r && !budget)
		r = -E2BIG;
	return r;
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

static const char *dev_root(const struct session_opts *o)
{
	return o && o->dev_root ? o->dev_root : "/dev";
}

/* The terminal's node under DEV_ROOT, if it is the key's terminal; fd or -errno. */
static int open_node(const struct session_opts *o, const struct tty_key *key, const char *devname,
		     int flags)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	/* kernel names only ("pts/3", "ttyS0"): never a path out of DEV_ROOT */
	if (!devname || !devname[0] || devname[0] == '/' || strstr(devname, ".."))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dev_root(o), devname) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !session_key_matches(key, &st)) {
		close(fd);
		return -ENOENT; /* another devpts instance: not this terminal */
	}
	return fd;
}

/*
 * The terminal's node in the session leader's own root (a container's
 * /dev/pts/N, through PROC_ROOT/sid/root), for a session whose processes
 * hold it only as /dev/tty. That tree is laid out by the container, and an
 * absolute symlink in it resolves in ours: only the inode the path ends at
 * is opened, through an O_PATH handle, and only if it is this very terminal
 * (its device and its devpts instance).
 */
static int open_in_root(const char *proc_root, pid_t sid, const struct tty_key *key,
			const char *devname, int flags)
{
	char path[PATH_MAX], again[64];
	struct stat st;
	int pfd, fd;

	if (sid <= 1 || !devname || !devname[0] || devname[0] == '/' || strstr(devname, ".."))
		return -ENOENT;
	if ((size_t)snprintf(path, sizeof(path), "%s/%d/root/dev/%s", proc_root, (int)sid,
			     devname) >= sizeof(path))
		return -ENAMETOOLONG;
	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -ENOENT;
	if (fstat(pfd, &st) < 0 || !S_ISCHR(st.st_mode) || !session_key_matches(key, &st)) {
		close(pfd);
		return -ENOENT;
	}
	snprintf(again, sizeof(again), "/proc/self/fd/%d", pfd);
	fd = open(again, flags);
	if (fd < 0)
		fd = -errno;
	close(pfd);
	return fd;
}

const char *session_open_strerror(int err)
{
	return err == -E2BIG ? "its session holds too many fds to look through" : strerror(-err);
}

int session_open_tty(const struct session_opts *o, pid_t sid, const struct tty_key *key,
		     const char *devname, int accmode)
{
	struct open_ctx c = {
	    .key = key,
	    .flags = (accmode & O_ACCMODE) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
	    .fd = -1,
	    .err = -ENOENT,
	};
	struct proc_view pv = {
	    .root = o && o->proc_root ? o->proc_root : PROCFS_ROOT,
	    .snap = o ? o->snap : NULL,
	};
	int r;

	if (key->dev == 0)
		return -EINVAL;
	/* the node first: it works whatever the session's fds are (/dev/tty, none) */
	r = open_node(o, key, devname, c.flags);
	if (r >= 0 || r == -EIO)
		return r;
	if (sid <= 1)
		return -ENOENT;
	r = open_in_root(pv.root, sid, key, devname, c.flags);
	if (r >= 0 || r == -EIO)
		return r;
	r = scan_session_fds(&pv, sid, key, open_fn, &c,
			     o && o->fd_budget ? o->fd_budget : FDS_PER_SESSION_MAX);
	if (r < 0)
		return r;
	if (r == 0)
		return c.err;
	return c.fd;
}

/* /proc/PID/stat starttime (ticks after boot) in nanoseconds. */
static uint64_t ticks_to_ns(unsigned long long ticks)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	return (uint64_t)(ticks / (unsigned long long)hz) * 1000000000ull +
	       (uint64_t)(ticks % (unsigned long long)hz) * 1000000000ull / (uint64_t)hz;
}

/* What the kernel says of one process: its stat, real/effective uid and executable. */
struct proc_facts {
	struct proc_stat st;
	uid_t ruid, euid;
	char exe[PROCFS_COMM_MAX];
};

static int read_facts(const char *proc_root, pid_t pid, struct proc_facts *f)
{
	struct proc_status ps;
	int pdir, r;

	memset(f, 0, sizeof(*f));
	if (pid <= 0)
		return -ESRCH;
	pdir = procfs_open_pid(proc_root, pid);
	if (pdir < 0)
		return pdir;
	r = procfs_read_stat_at(pdir, &f->st);
	if (r == 0)
		r = procfs_read_status_at(pdir, &ps);
	if (r == 0 && (!ps.has_uid || f->st.state == 'Z' || f->st.state == 'X'))
		r = -ESRCH;
	if (r == 0) {
		f->ruid = ps.uid[0];
		f->euid = ps.uid[1];
		/* a kernel thread or an unreadable link has no executable: no name */
		if (procfs_read_exe_at(pdir, f->exe, sizeof(f->exe)) < 0)
			f->exe[0] = 0;
	}
	close(pdir);
	return r;
}

static bool is_root(const struct proc_facts *f)
{
	return f->ruid == 0 && f->euid == 0;
}

/*
 * Is this process a login service's own? A root process running a login
 * service's executable, or a child of root sshd (OpenSSH serves a connection
 * from an unprivileged child of its root monitor). Only root chooses what a
 * root process runs, and only sshd chooses what its children run: a user's
 * own program can be neither. (Not dropbear's children: dropbear forks the
 * user's shell straight from its root process.) SVC_OTHER if not; *proof
 * gets the pid and executable that prove it.
 */
static enum login_service login_process(const char *proc_root, const struct proc_facts *f,
					struct proc_facts *proof)
{
	enum login_service svc;
	struct proc_facts p;

	if (is_root(f) && (svc = session_classify_exe(f->exe)) != SVC_OTHER) {
		*proof = *f;
		return svc;
	}
	if (f->st.ppid > 1 && read_facts(proc_root, f->st.ppid, &p) == 0 && is_root(&p) &&
	    (!strcmp(p.exe, "sshd") || !strcmp(p.exe, "sshd-session")) &&
	    p.st.starttime <= f->st.starttime) {
		*proof = p;
		return SVC_SSHD;
	}
	return SVC_OTHER;
}

static void set_login(struct session_info *s, enum login_service svc, enum login_evidence src,
		      const struct proc_facts *proof)
{
	s->service = svc;
	s->login_src = src;
	s->service_pid = proof->st.pid;
	snprintf(s->service_comm, sizeof(s->service_comm), "%s", proof->exe);
}

/* The process serving the PTY master, and whether it is a login service's. */
static void classify_holder(const char *proc_root, pid_t holder, struct session_info *s,
			    uid_t *holder_uid, bool *known)
{
	struct proc_facts h, proof;
	enum login_service svc;

	*known = false;
	if (holder <= 0 || read_facts(proc_root, holder, &h) < 0)
		return;
	*known = true;
	*holder_uid = h.ruid;
	s->holder_pid = holder;
	svc = login_process(proc_root, &h, &proof);
	if (svc != SVC_OTHER)
		set_login(s, svc, LOGIN_MASTER, &proof);
}

/* CLOCK_REALTIME minus CLOCK_BOOTTIME, in ns: when the machine booted, as a wall time. */
static int64_t boot_wall_ns(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000ll + (rt.tv_nsec - bt.tv_nsec);
}

/*
 * The login record of a host terminal: the newest USER_PROCESS record for
 * the line whose process is alive and started no later than the record was
 * written (a stale record of a crashed login names a dead or reused pid).
 * 1 found (*u filled), 0 none, -errno.
 */
static int utmp_record(const char *path, const char *proc_root, const char *tty, struct utmpx *out)
{
	struct utmpx u, buf[64];
	size_t nbuf = 0, next = 0;
	struct stat st;
	int64_t boot = boot_wall_ns(), best = 0;
	size_t total = 0;
	int fd, found = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* root-written, but a regular file only: never a FIFO or a device */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while (total < SESSION_UTMP_READ_MAX) {
		struct proc_stat ps;
		int64_t start_wall, rec_wall;

		if (next == nbuf) {
			/* many records a read: a batch of a thousand logins due
			 * together reads utmp once per login */
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < (ssize_t)sizeof(u))
				break;
			nbuf = (size_t)n / sizeof(u);
			next = 0;
		}
		u = buf[next++];
		total += sizeof(u);
		if (u.ut_type != USER_PROCESS || strlen(tty) > sizeof(u.ut_line) ||
		    strncmp(u.ut_line, tty, sizeof(u.ut_line)))
			continue;
		if (procfs_read_stat(proc_root, u.ut_pid, &ps) < 0 || ps.state == 'Z')
			continue;
		start_wall = boot + (int64_t)ticks_to_ns(ps.starttime);
		rec_wall = (int64_t)u.ut_tv.tv_sec * 1000000000ll + (int64_t)u.ut_tv.tv_usec * 1000;
		if (start_wall > rec_wall + 1000000000ll)
			continue;
		/* the latest written, not the last slot: pututline reuses slots */
		if (found && rec_wall < best)
			continue;
		best = rec_wall;
		*out = u;
		found = 1;
	}
	close(fd);
	return found;
}

static void remote_of(const struct utmpx *u, char *out, size_t outlen)
{
	size_t l;

	out[0] = 0;
	if (u->ut_host[0]) {
		l = strnlen(u->ut_host, sizeof(u->ut_host));
		if (l >= outlen)
			l = outlen - 1;
		memcpy(out, u->ut_host, l);
		out[l] = 0;
	} else if (u->ut_addr_v6[1] || u->ut_addr_v6[2] || u->ut_addr_v6[3]) {
		if (!inet_ntop(AF_INET6, u->ut_addr_v6, out, (socklen_t)outlen))
			out[0] = 0;
	} else if (u->ut_addr_v6[0]) {
		if (!inet_ntop(AF_INET, u->ut_addr_v6, out, (socklen_t)outlen))
			out[0] = 0;
	}
}

static void fill_identity(struct session_info *s, const struct proc_status *ps)
{
	size_t i;

	s->uid = ps->uid[0];
	s->gid = ps->gid[0];
	s->ngroups = ps->ngroups;
	s->groups_truncated = ps->groups_truncated;
	for (i = 0; i < ps->ngroups; i++)
		s->groups[i].gid = ps->groups[i];
	s->leader_nspid = ps->nspid_n ? ps->nspid[ps->nspid_n - 1] : s->sid;
}

/* 0, or -EINPROGRESS while some name is being looked up (nsscache.h): rules match names. */
static int fill_names(struct nss_cache *nss, struct session_info *s)
{
	bool all;
	size_t i;

	all = nss_name(nss, NSS_USER, s->uid, s->user, sizeof(s->user));
	all &= nss_name(nss, NSS_GROUP, s->gid, s->group, sizeof(s->group));
	for (i = 0; i < s->ngroups; i++)
		all &= nss_name(nss, NSS_GROUP, s->groups[i].gid, s->groups[i].name,
				sizeof(s->groups[i].name));
	return all ? 0 : -EINPROGRESS;
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

/*
 * The owner the kernel recorded, verified (see session_resolve). 0 and s's
 * session fields filled, or -errno with err set.
 */
static int resolve_owner(const char *proc_root, const struct tty_rec *rec, struct session_info *s,
			 char *err, size_t errlen)
{
	pid_t sid = (pid_t)rec->sid;
	struct proc_status ps;
	struct proc_stat st, again;
	uint64_t seen_ns;
	int pdir, r;

	if (sid <= 1) {
		seterr(err, errlen, "%s has no session", s->tty);
		return -ESRCH;
	}
	pdir = procfs_open_pid(proc_root, sid);
	if (pdir < 0) {
		seterr(err, errlen, "session %d on %s: leader %s/%d: %s", (int)sid, s->tty,
		       proc_root, (int)sid, pdir == -ESRCH ? "gone" : strerror(-pdir));
		return pdir;
	}
	r = procfs_read_stat_at(pdir, &st);
	if (r < 0) {
		seterr(err, errlen, "session %d on %s: %s/%d/stat: %s", (int)sid, s->tty, proc_root,
		       (int)sid, r == -ESRCH ? "gone" : strerror(-r));
		goto out;
	}
	r = -ESRCH;
	if (procfs_is_kthread(&st)) {
		r = -EPERM;
		seterr(err, errlen, "session %d on %s: pid %d is a kernel thread", (int)sid, s->tty,
		       (int)sid);
		goto out;
	}
	if (st.session != sid || st.state == 'Z' || st.state == 'X') {
		seterr(err, errlen, "session %d on %s: its leader is gone", (int)sid, s->tty);
		goto out;
	}
	/* a leader that started after the kernel last saw the session own the
	 * terminal is another process with a reused pid */
	seen_ns = ((uint64_t)rec->sess_epoch + 1) << 30;
	if (ticks_to_ns(st.starttime) > seen_ns) {
		seterr(err, errlen, "session %d on %s: pid %d started after the session was seen",
		       (int)sid, s->tty, (int)sid);
		goto out;
	}
	/*
	 * A session that dropped the terminal (TIOCNOTTY, or took another one
	 * as its controlling terminal) since the kernel side last looked is
	 * still the one that last owned it: the login that gave up its
	 * terminal is ended with it, not let go.
	 */
	s->detached =
	    (rec->flags & TTY_F_DETACHED) || st.tty_nr != (uint32_t)session_dev_to_user(s->key.dev);
	r = procfs_read_status_at(pdir, &ps);
	if (r < 0 || !ps.has_uid) {
		r = r < 0 ? r : -EINVAL;
		seterr(err, errlen, "session %d on %s: %s/%d/status: %s", (int)sid, s->tty,
		       proc_root, (int)sid, strerror(-r));
		goto out;
	}
	s->sid = sid;
	s->leader_start = st.starttime;
	s->leader_start_ns = ticks_to_ns(st.starttime);
	snprintf(s->leader_comm, sizeof(s->leader_comm), "%s", st.comm);
	fill_identity(s, &ps);
	fill_namespaces(proc_root, pdir, s);
	/* the ids records are joined by (session.h) */
	if (sid > 1)
		session_join_ids_at(pdir, s->logind_id, sizeof(s->logind_id), &s->audit_session,
				    &s->loginuid);

	/* Everything above was read through pdir: still the same leader? */
	r = procfs_read_stat_at(pdir, &again);
	if (r < 0 || again.starttime != st.starttime || again.session != sid) {
		r = -ESRCH;
		seterr(err, errlen, "session %d on %s: leader exited while being resolved",
		       (int)sid, s->tty);
		goto out;
	}
	s->has_session = true;
	r = 0;
out:
	close(pdir);
	return r;
}

bool session_owner_alive(const char *proc_root, const struct tty_key *key,
			 const struct tty_rec *rec)
{
	struct session_info *s = calloc(1, sizeof(*s));
	bool ok;

	if (!s)
		return true; /* keep what we cannot check */
	s->key = *key;
	session_tty_name(rec->name, s->tty, sizeof(s->tty));
	ok = resolve_owner(proc_root ? proc_root : PROCFS_ROOT, rec, s, NULL, 0) == 0;
	free(s);
	return ok;
}

/* A login terminal nobody owns: its user is the owner of its node (root chowns it at login). */
static int identity_of_node(const struct session_opts *o, struct session_info *s, char *err,
			    size_t errlen)
{
	struct stat st;
	int fd;

	fd = open_node(o, &s->key, s->tty, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_PATH);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		seterr(err, errlen,
		       "login terminal %s has no session, and its node is not reachable", s->tty);
		return -ESRCH;
	}
	close(fd);
	s->uid = st.st_uid;
	if (!nss_user_gid(o->nss, s->uid, s->user, sizeof(s->user), &s->gid)) {
		seterr(err, errlen, "%s: the name of uid %u is being looked up", s->tty,
		       (unsigned int)s->uid);
		return -EINPROGRESS;
	}
	if (s->gid == (gid_t)-1)
		s->gid = st.st_gid;
	return 0;
}

static enum login_service logind_service(const char *pam_service)
{
	if (!strcmp(pam_service, "sshd"))
		return SVC_SSHD;
	return SVC_LOGIN; /* login, a display manager's, systemd's machinectl... */
}

/*
 * What logind recorded of the leader's session, for a login the facts above
 * did not prove (no utmp, as on hosts that no longer keep it, and no login
 * service serving the master: a console, a root program's PTY) or whose
 * remote host they do not give. Only a user's own login on this very
 * terminal counts: a tmux pane started from an ssh login is in that login's
 * logind session too, but on another terminal; a closing session's terminal
 * may already be somebody else's.
 */
static void from_logind(const struct session_opts *o, const char *proc_root, struct session_info *s)
{
	struct logind_session ls;

	if (!s->has_session || s->sid <= 1 || (o->logind_dir && !o->logind_dir[0]))
		return;
	if (s->login_src != LOGIN_NONE && s->remote[0])
		return;
	if (logind_session_of(proc_root, o->logind_dir, s->sid, &ls) < 0)
		return;
	if (ls.uid != s->uid || strcmp(ls.tty, s->tty) || strcmp(ls.class, "user") ||
	    !strcmp(ls.state, "closing"))
		return;
	if (s->login_src == LOGIN_NONE) {
		s->service = logind_service(ls.service);
		s->login_src = LOGIN_LOGIND;
		s->service_pid = ls.leader;
		snprintf(s->service_comm, sizeof(s->service_comm), "%.*s",
			 (int)sizeof(s->service_comm) - 1, ls.service);
	}
	if (!s->remote[0] && ls.remote_host[0]) {
		snprintf(s->remote, sizeof(s->remote), "%s", ls.remote_host);
		s->remote_src = REMOTE_LOGIND;
	}
}

void session_join_ids_at(int pdir, char *logind, size_t len, long long *audit_session,
			 long long *loginuid)
{
	uid_t cg_uid;

	if (logind_id_at(pdir, logind, len, &cg_uid) < 0)
		logind[0] = 0;
	procfs_read_audit_ids_at(pdir, audit_session, loginuid);
}

static int resolve(const struct session_opts *o, const struct tty_key *key,
		   const struct tty_rec *rec, struct session_info *s, char *err, size_t errlen)
{
	const char *proc_root, *utmp;
	char owner_err[256] = "";
	bool holder_known = false, host_tty;
	uid_t holder_uid = 0;
	struct utmpx u;
	int r;

	proc_root = o->proc_root ? o->proc_root : PROCFS_ROOT;
	utmp = o->utmp_path ? o->utmp_path : _PATH_UTMP;
	memset(s, 0, sizeof(*s));
	s->key = *key;
	s->uid = (uid_t)-1;
	s->audit_session = s->loginuid = -1;
	session_tty_name(rec->name, s->tty, sizeof(s->tty));
	if (key->dev == 0) {
		seterr(err, errlen, "%s: not a terminal", s->tty);
		return -EINVAL;
	}

	/* what serves the terminal */
	if (rec->kind == TTY_KIND_PTY)
		classify_holder(proc_root, (pid_t)rec->writer_tgid, s, &holder_uid, &holder_known);
	/* utmp only knows the host's terminals (a container's pts/3 is another
	 * pts/3), and says nothing of a PTY a user's own program serves */
	host_tty = key->devpts == 0 ||
		   (o->host_devpts && session_dev_to_user(key->devpts) == o->host_devpts);
	if (utmp[0] && host_tty && (!holder_known || s->login_src == LOGIN_MASTER) &&
	    utmp_record(utmp, proc_root, s->tty, &u) > 0) {
		remote_of(&u, s->remote, sizeof(s->remote));
		s->remote_src = s->remote[0] ? REMOTE_UTMP : REMOTE_NONE;
		if (s->login_src == LOGIN_NONE) {
			struct proc_facts f, proof;
			enum login_service svc = SVC_OTHER;

			/* a setgid-utmp helper (libutempter) writes records for
			 * the caller's own PTYs: only a login service's count, or
			 * a root process's (a display manager) */
			if (read_facts(proc_root, u.ut_pid, &f) == 0) {
				svc = login_process(proc_root, &f, &proof);
				if (svc == SVC_OTHER && is_root(&f)) {
					svc = SVC_LOGIN;
					proof = f;
				}
			}
			if (svc != SVC_OTHER)
				set_login(s, svc, LOGIN_UTMP, &proof);
			else
				s->remote[0] = 0, s->remote_src = REMOTE_NONE;
		}
	}

	/* who owns it */
	r = resolve_owner(proc_root, rec, s, owner_err, sizeof(owner_err));
	if (r < 0 && s->login_src == LOGIN_NONE) {
		seterr(err, errlen, "%s", owner_err);
		return r == -EPERM ? r : -ESRCH;
	}
	if (r < 0) {
		/* nothing of an owner that failed half-way may decide a rule */
		s->sid = 0;
		s->leader_start = 0;
		s->leader_start_ns = 0;
		s->leader_comm[0] = 0;
		s->ngroups = 0;
		s->groups_truncated = false;
		memset(&s->container, 0, sizeof(s->container));
		s->container_str[0] = 0;
		s->detached = false;
		r = identity_of_node(o, s, err, errlen);
		if (r < 0)
			return r;
	}

	/* not for a PTY the user's own program serves (a login service's child
	 * serving it runs as the user too, but is a login by the master) */
	if (r >= 0 && host_tty &&
	    (s->login_src != LOGIN_NONE || !(holder_known && holder_uid == s->uid)))
		from_logind(o, proc_root, s);
	if (s->login_src != LOGIN_NONE)
		return 0;
	if (holder_known) {
		s->service = holder_uid == s->uid ? SVC_MULTIPLEXER : SVC_OTHER;
		return 0;
	}
	if (rec->kind == TTY_KIND_PTY) {
		seterr(err, errlen, "%s: nothing has served its master yet", s->tty);
		return -EAGAIN;
	}
	s->service = SVC_OTHER;
	return 0;
}

int session_resolve(const struct session_opts *o, const struct tty_key *key,
		    const struct tty_rec *rec, struct session_info *s, char *err, size_t errlen)
{
	static const struct session_opts defaults;
	int r;

	if (!o)
		o = &defaults;
	r = resolve(o, key, rec, s, err, errlen);
	if (r == 0 && (r = fill_names(o->nss, s)) < 0)
		seterr(err, errlen, "%s: names of uid %u and its groups are being looked up",
		       s->tty, (unsigned int)s->uid);
	return r;
}
