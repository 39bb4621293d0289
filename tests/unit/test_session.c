// SPDX-License-Identifier: GPL-2.0
/*
 * Session resolution from the kernel's terminal record, on fake proc trees
 * holding real PTYs, and on real child sessions.
 *
 * The threat model these tests hold session.c to: a plain user controls its
 * process names (comm), its environment, its fds, its own PTYs and sessions,
 * and what its own executables are called; none of that may decide whose
 * session a terminal is, whether it is a login, or which service it has.
 * What serves a PTY comes from the process doing I/O on its master
 * (rec.writer_tgid): its executable and real/effective uids, or those of its
 * parent (OpenSSH's unprivileged child of a root sshd monitor).
 *
 * Nothing here depends on the host's uptime or clock: utmp record times are
 * computed from the same clocks session.c uses (CLOCK_REALTIME minus
 * CLOCK_BOOTTIME) plus the fake start times, and sess_epoch from the fake
 * start times or, for real children, from CLOCK_BOOTTIME. The binary passes
 * under `unshare --time --boottime -N --monotonic -N` for any apparent uptime.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "fakeproc.h"
#include "host/session.h"
#include "testpty.h"

/* ---- pure helpers ---------------------------------------------------------- */

static void test_dev_conversion(void **state)
{
	uint32_t k;

	/* pts/3: 136:3 */
	assert_int_equal(session_dev_to_user((136u << 20) | 3), makedev(136, 3));
	/* pts/300 lives on major 137; minors above 255 encode differently in userspace */
	assert_int_equal(session_dev_to_user((137u << 20) | 44), makedev(137, 44));
	assert_int_equal(session_dev_to_user(300), makedev(0, 300));
	assert_true(session_dev_to_user(300) != 300);
	assert_int_equal(session_dev_from_user(makedev(0, 300), &k), 0);
	assert_int_equal(k, 300);
	assert_int_equal(session_dev_from_user(makedev(4, 64), &k), 0); /* ttyS0 */
	assert_int_equal(k, (4u << 20) | 64);
	assert_int_equal(session_dev_from_user(makedev(511, 0xfffff), &k), 0);
	assert_int_equal(session_dev_to_user(k), makedev(511, 0xfffff));
	assert_int_equal(session_dev_from_user(makedev(0x1000, 0), &k), -ERANGE);
	assert_int_equal(session_dev_from_user(makedev(1, 0x100000), &k), -ERANGE);
}

static void test_key_matches(void **state)
{
	struct tty_key key = {.dev = (136u << 20) | 3, .devpts = 300};
	struct stat st = {
	    .st_mode = S_IFCHR | 0620, .st_rdev = makedev(136, 3), .st_dev = makedev(0, 300)};

	assert_true(session_key_matches(&key, &st));
	st.st_dev = makedev(0, 24); /* the same pts/3 in another devpts */
	assert_false(session_key_matches(&key, &st));
	st.st_dev = makedev(0, 300);
	st.st_rdev = makedev(136, 4);
	assert_false(session_key_matches(&key, &st));
	st.st_rdev = makedev(136, 3);
	st.st_mode = S_IFREG | 0644;
	assert_false(session_key_matches(&key, &st));
	/* consoles: devpts 0, the device number is global */
	key.dev = (4u << 20) | 1;
	key.devpts = 0;
	st.st_mode = S_IFCHR | 0620;
	st.st_rdev = makedev(4, 1);
	st.st_dev = makedev(0, 5);
	assert_true(session_key_matches(&key, &st));
	/* no terminal at all */
	key.dev = 0;
	st.st_rdev = 0;
	assert_false(session_key_matches(&key, &st));
}

static void test_tty_name(void **state)
{
	char out[SESSION_TTY_MAX];

	session_tty_name("pts3", out, sizeof(out));
	assert_string_equal(out, "pts/3");
	session_tty_name("pts1234", out, sizeof(out));
	assert_string_equal(out, "pts/1234");
	session_tty_name("ttyS0", out, sizeof(out));
	assert_string_equal(out, "ttyS0");
	session_tty_name("tty1", out, sizeof(out));
	assert_string_equal(out, "tty1");
	session_tty_name("pts", out, sizeof(out));
	assert_string_equal(out, "pts");
	session_tty_name("ptsx1", out, sizeof(out));
	assert_string_equal(out, "ptsx1");
	session_tty_name("pts1x", out, sizeof(out));
	assert_string_equal(out, "pts1x");
	session_tty_name("pts12", out, 5);
	assert_string_equal(out, "pts/");
}

static void test_classify_exe(void **state)
{
	static const struct {
		const char *exe;
		enum login_service svc;
	} t[] = {
	    {"sshd", SVC_SSHD},
	    {"sshd-session", SVC_SSHD}, /* OpenSSH 9.8+ per-connection binary */
	    {"dropbear", SVC_SSHD},
	    {"login", SVC_LOGIN},
	    {"agetty", SVC_LOGIN},
	    {"getty", SVC_LOGIN},
	    {"mingetty", SVC_LOGIN},
	    {"in.telnetd", SVC_LOGIN},
	    {"telnetd", SVC_LOGIN},
	    {"containerd", SVC_CONTAINER},
	    {"containerd-shim-runc-v2", SVC_CONTAINER}, /* exe names are not cut to 15 */
	    {"runc", SVC_CONTAINER},
	    {"crun", SVC_CONTAINER},
	    {"conmon", SVC_CONTAINER},
	    {"docker-init", SVC_CONTAINER},
	    {"dockerd", SVC_CONTAINER},
	    {"podman", SVC_CONTAINER},
	    {"lxc-start", SVC_CONTAINER},
	    {"lxd", SVC_CONTAINER},
	    {"incusd", SVC_CONTAINER},
	    {"systemd-nspawn", SVC_CONTAINER},
	    {"kubelet", SVC_CONTAINER},
	    /* executables, never process titles or multiplexer names */
	    {"tmux", SVC_OTHER},
	    {"screen", SVC_OTHER},
	    {"script", SVC_OTHER},
	    {"bash", SVC_OTHER},
	    {"systemd", SVC_OTHER},
	    {"sudo", SVC_OTHER},
	    {"su", SVC_OTHER},
	    {"loginctl", SVC_OTHER},
	    {"sshd2", SVC_OTHER},
	    {"sshd: alice@pts/3", SVC_OTHER},
	    {"ssh", SVC_OTHER},
	    {"crunch", SVC_OTHER},
	    {"lxc", SVC_OTHER},
	    {"gnome-terminal-server", SVC_OTHER},
	    {"", SVC_OTHER},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (session_classify_exe(t[i].exe) != t[i].svc)
			fail_msg("\"%s\": got %s, want %s", t[i].exe,
				 session_service_name(session_classify_exe(t[i].exe)),
				 session_service_name(t[i].svc));
	assert_string_equal(session_service_name(SVC_SSHD), "sshd");
	assert_string_equal(session_service_name(SVC_LOGIN), "login");
	assert_string_equal(session_service_name(SVC_MULTIPLEXER), "multiplexer");
	assert_string_equal(session_service_name(SVC_CONTAINER), "container");
	assert_string_equal(session_service_name(SVC_OTHER), "other");
	assert_string_equal(session_service_name((enum login_service)99), "other");
	assert_string_equal(session_login_evidence_name(LOGIN_MASTER), "master");
	assert_string_equal(session_login_evidence_name(LOGIN_UTMP), "utmp");
	assert_string_equal(session_login_evidence_name(LOGIN_NONE), "none");
	assert_string_equal(session_remote_source_name(REMOTE_UTMP), "utmp");
	assert_string_equal(session_remote_source_name(REMOTE_NONE), "none");
}

/* ---- clocks -------------------------------------------------------------------- */

static uint64_t ticks_ns(unsigned long long ticks)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	return (uint64_t)(ticks / (unsigned long long)hz) * 1000000000ull +
	       (uint64_t)(ticks % (unsigned long long)hz) * 1000000000ull / (uint64_t)hz;
}

/* When the machine booted, as a wall time: what session.c converts start times with. */
static int64_t boot_wall_ns(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000ll + (rt.tv_nsec - bt.tv_nsec);
}

/* Wall time of a process that started `ticks` after boot, plus delta. */
static int64_t wall_of(unsigned long long ticks, int64_t delta_ns)
{
	return boot_wall_ns() + (int64_t)ticks_ns(ticks) + delta_ns;
}

/* sess_epoch whose window ((epoch + 1) << 30 ns) still covers a start at `ticks`. */
static uint32_t epoch_covering(unsigned long long ticks)
{
	return (uint32_t)(ticks_ns(ticks) >> 30);
}

#define MS  1000000ll
#define SEC 1000000000ll

/* ---- fake trees -------------------------------------------------------------- */

#define HOST_PIDNS 4026531836ull
#define HOST_MNTNS 4026531841ull

#define ALICE 1000u
#define BOB   1001u

/* pids and start times (clock ticks) of the base tree */
enum {
	P_INIT = 1,
	P_SSHD = 100,  /* the listener */
	P_MON = 150,   /* root per-connection monitor */
	P_PRIV = 200,  /* unprivileged child: serves the PTY master */
	P_SHELL = 300, /* session leader on the PTY */
	P_VIM = 301,   /* member */
	P_TMUX = 260,  /* the user's tmux server (for the multiplexer cases) */
	P_LOGIN = 250, /* login(1) (for utmp cases) */
	P_OTHER = 270, /* spare */
};
#define T_SSHD	10ull
#define T_MON	800ull
#define T_PRIV	900ull
#define T_LOGIN 950ull
#define T_TMUX	950ull
#define T_SHELL 1000ull
#define T_VIM	1100ull

struct world {
	struct fakeproc fp;
	struct pty pty, other;
	unsigned int tty_nr; /* the PTY as stat's tty_nr shows it */
	struct tty_key key;
	struct tty_rec rec;
	char utmp[PATH_MAX];
	char logind[PATH_MAX]; /* logind's sessions directory: absent at first */
	char dev[PATH_MAX];    /* a dev_root for the tests that want one: empty at first */
	struct session_opts o;
	struct session_info s;
	char err[256];
};

/*
 * One process: stat, status (real and effective uid), exe, namespaces of the
 * host, a cgroup of the user's. exe NULL: no exe link (a kernel thread, or
 * one we may not read).
 */
static void proc_add(struct world *w, int pid, const char *comm, int ppid, int sid,
		     unsigned int tty_nr, unsigned long long start, unsigned int ruid,
		     unsigned int euid, const char *exe)
{
	char nspid[16], groups[32];

	fp_stat(&w->fp, pid, comm, 'S', ppid, pid, sid, tty_nr, 0x400100, start);
	snprintf(nspid, sizeof(nspid), "%d", pid);
	if (ruid)
		snprintf(groups, sizeof(groups), "%u 27", ruid);
	else
		snprintf(groups, sizeof(groups), "0");
	fp_status_ids(&w->fp, pid, comm, ruid, euid, ruid, groups, nspid);
	if (exe)
		fp_exe(&w->fp, pid, exe);
	fp_ns(&w->fp, pid, "pid", HOST_PIDNS);
	fp_ns(&w->fp, pid, "mnt", HOST_MNTNS);
	fp_text(&w->fp, pid, "cgroup", "0::/user.slice/user-1000.slice/session-4.scope\n");
}

static void proc_gone(struct world *w, int pid)
{
	char p[PATH_MAX];

	fp_path(p, sizeof(p), "%s/%d", w->fp.root, pid);
	nftw(p, fp_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void utmp_put(const char *path, short type, const char *line, pid_t pid, const char *host,
		     const int32_t addr[4], int64_t wall_ns)
{
	struct utmpx u;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	memset(&u, 0, sizeof(u));
	u.ut_type = type;
	u.ut_pid = pid;
	strncpy(u.ut_line, line, sizeof(u.ut_line));
	strncpy(u.ut_user, "alice", sizeof(u.ut_user));
	strncpy(u.ut_host, host, sizeof(u.ut_host));
	if (addr)
		memcpy(u.ut_addr_v6, addr, sizeof(u.ut_addr_v6));
	u.ut_tv.tv_sec = (__typeof__(u.ut_tv.tv_sec))(wall_ns / SEC);
	u.ut_tv.tv_usec = (__typeof__(u.ut_tv.tv_usec))(wall_ns % SEC / 1000);
	assert_int_equal(write(fd, &u, sizeof(u)), (ssize_t)sizeof(u));
	close(fd);
}

/* A live login record of the PTY, written `delta` after process `pid` (started at `ticks`). */
static void utmp_login(struct world *w, pid_t pid, unsigned long long ticks, const char *host)
{
	utmp_put(w->utmp, USER_PROCESS, w->pty.name, pid, host, NULL, wall_of(ticks, 50 * MS));
}

static void utmp_reset(struct world *w)
{
	unlink(w->utmp);
}

/*
 * OpenSSH before 9.8, privilege separated:
 *   systemd(1) -> sshd(100, root, listener) -> sshd(150, root, monitor)
 *     -> sshd(200, alice, serves the PTY master) -> bash(300, alice, leads
 *        session 300 on the PTY) -> vim(301, same session)
 * The leader has the PTY on fds 0-2, the member on fd 5; both have a spoofed
 * SSH_CONNECTION. utmp: the monitor's record under the child's pid (what
 * OpenSSH writes), plus one for another line.
 */
static void world_build(struct world *w)
{
	const char env[] = "SHELL=/bin/bash\0SSH_CONNECTION=203.0.113.9 40000 192.0.2.1 22\0";

	memset(w, 0, sizeof(*w));
	pty_open(&w->pty);
	pty_open(&w->other);
	fp_init(&w->fp);
	w->tty_nr = (unsigned int)w->pty.rdev;
	w->key = w->pty.key;

	proc_add(w, P_INIT, "systemd", 0, 1, 0, 1, 0, 0, "/usr/lib/systemd/systemd");
	proc_add(w, P_SSHD, "sshd", P_INIT, P_SSHD, 0, T_SSHD, 0, 0, "/usr/sbin/sshd");
	proc_add(w, P_MON, "sshd", P_SSHD, P_MON, 0, T_MON, 0, 0, "/usr/sbin/sshd");
	proc_add(w, P_PRIV, "sshd", P_MON, P_MON, 0, T_PRIV, ALICE, ALICE, "/usr/sbin/sshd");
	proc_add(w, P_SHELL, "bash", P_PRIV, P_SHELL, w->tty_nr, T_SHELL, ALICE, ALICE,
		 "/usr/bin/bash");
	fp_stat(&w->fp, P_SHELL, "bash", 'S', P_PRIV, P_SHELL, P_SHELL, w->tty_nr, 0x400000,
		T_SHELL);
	fp_status_ids(&w->fp, P_SHELL, "bash", ALICE, ALICE, ALICE, "1000 27", "300");
	fp_file(&w->fp, P_SHELL, "cmdline", "-bash\0", 6);
	fp_file(&w->fp, P_SHELL, "environ", env, sizeof(env) - 1);
	fp_fd(&w->fp, P_SHELL, 0, w->pty.path);
	fp_fd(&w->fp, P_SHELL, 1, w->pty.path);
	fp_fd(&w->fp, P_SHELL, 2, w->pty.path);
	fp_fd(&w->fp, P_SHELL, 3, "/dev/null");
	proc_add(w, P_VIM, "vim", P_SHELL, P_SHELL, w->tty_nr, T_VIM, ALICE, ALICE, "/usr/bin/vim");
	fp_file(&w->fp, P_VIM, "environ", env, sizeof(env) - 1);
	fp_fd(&w->fp, P_VIM, 5, w->pty.path);

	fp_path(w->utmp, sizeof(w->utmp), "%s/utmp", w->fp.root);
	utmp_put(w->utmp, USER_PROCESS, "pts/999", P_PRIV, "198.51.100.1", NULL,
		 wall_of(T_PRIV, 10 * MS));
	utmp_login(w, P_PRIV, T_PRIV, "198.51.100.7");
	fp_path(w->dev, sizeof(w->dev), "%s/dev", w->fp.root);
	if (mkdir(w->dev, 0755) < 0)
		fp_die(w->dev);

	w->rec.sid = P_SHELL;
	w->rec.kind = TTY_KIND_PTY;
	w->rec.writer_tgid = P_PRIV;
	snprintf(w->rec.writer_comm, sizeof(w->rec.writer_comm), "sshd");
	snprintf(w->rec.name, sizeof(w->rec.name), "%s", w->pty.kname);
	w->rec.index = (uint32_t)atoi(w->pty.kname + 3);
	w->rec.sess_epoch = epoch_covering(T_SHELL) + 100;

	w->o.proc_root = w->fp.root;
	w->o.utmp_path = w->utmp;
	/* never the host's own /run/systemd/sessions */
	fp_path(w->logind, sizeof(w->logind), "%s/sessions", w->fp.root);
	w->o.logind_dir = w->logind;
	w->o.host_devpts = session_dev_to_user(w->pty.key.devpts);
}

static void world_free(struct world *w)
{
	fp_cleanup(&w->fp);
	pty_close(&w->pty);
	pty_close(&w->other);
}

/* The same login with OpenSSH 9.8+: the per-connection binary is sshd-session. */
static void world_sshd_session(struct world *w)
{
	proc_add(w, P_MON, "sshd-session", P_SSHD, P_MON, 0, T_MON, 0, 0,
		 "/usr/lib/openssh/sshd-session");
	proc_add(w, P_PRIV, "sshd-session", P_MON, P_MON, 0, T_PRIV, ALICE, ALICE,
		 "/usr/lib/openssh/sshd-session");
}

/* The leader runs in alice's own tmux: the tmux server (alice, under PID 1) serves the PTY. */
static void world_tmux(struct world *w)
{
	proc_add(w, P_TMUX, "tmux: server", P_INIT, P_TMUX, 0, T_TMUX, ALICE, ALICE,
		 "/usr/bin/tmux");
	fp_stat(&w->fp, P_SHELL, "bash", 'S', P_TMUX, P_SHELL, P_SHELL, w->tty_nr, 0x400000,
		T_SHELL);
	w->rec.writer_tgid = P_TMUX;
}

/* Leader's stat with another controlling tty (0: none) and/or start time. */
static void leader_stat(struct world *w, char state, unsigned int tty_nr, unsigned long long start)
{
	fp_stat(&w->fp, P_SHELL, "bash", state, P_PRIV, P_SHELL, P_SHELL, tty_nr, 0x400000, start);
}

static int resolve(struct world *w)
{
	memset(w->err, 0, sizeof(w->err));
	memset(&w->s, 0xa5, sizeof(w->s)); /* session_resolve must clear what it does not set */
	return session_resolve(&w->o, &w->key, &w->rec, &w->s, w->err, sizeof(w->err));
}

static void one_line(const char *err, int line)
{
	const char *p;

	if (!err[0])
		fail_msg("line %d: empty error message", line);
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail_msg("line %d: control byte %#x in \"%s\"", line, (unsigned char)*p,
				 err);
}

#define RESOLVE_OK(w)                                                                      \
	do {                                                                               \
		int r_ = resolve(w);                                                       \
		if (r_)                                                                    \
			fail_msg("line %d: session_resolve: %d (%s) \"%s\"", __LINE__, r_, \
				 strerror(-r_), (w)->err);                                 \
	} while (0)

#define RESOLVE_ERR(w, want, needle)                                                          \
	do {                                                                                  \
		int r_ = resolve(w);                                                          \
		if (r_ != (want) || !strstr((w)->err, (needle)))                              \
			fail_msg("line %d: got %d \"%s\", want %d with \"%s\"", __LINE__, r_, \
				 (w)->err, (int)(want), (needle));                            \
		one_line((w)->err, __LINE__);                                                 \
	} while (0)

static void name_of_user(uid_t uid, char *out, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name[0])
		snprintf(out, len, "%s", pw->pw_name);
	else
		snprintf(out, len, "%u", (unsigned int)uid);
}

static void name_of_group(gid_t gid, char *out, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr && gr->gr_name[0])
		snprintf(out, len, "%s", gr->gr_name);
	else
		snprintf(out, len, "%u", (unsigned int)gid);
}

/* What session.c must report for a login terminal with no owner: the node's owner. */
static void expect_node_identity(const struct session_info *s, const char *node)
{
	struct stat st;
	struct passwd *pw;
	char want[SESSION_NAME_MAX];
	gid_t gid;

	assert_int_equal(stat(node, &st), 0);
	assert_false(s->has_session);
	assert_int_equal(s->uid, st.st_uid);
	name_of_user(st.st_uid, want, sizeof(want));
	assert_string_equal(s->user, want);
	pw = getpwuid(st.st_uid);
	gid = pw ? pw->pw_gid : st.st_gid;
	assert_int_equal(s->gid, gid);
	name_of_group(gid, want, sizeof(want));
	assert_string_equal(s->group, want);
}

/* ---- what serves the terminal ------------------------------------------------ */

static void test_sshd_privsep_chain(void **state)
{
	char want[SESSION_NAME_MAX];
	struct world w;

	world_build(&w);
	RESOLVE_OK(&w);
	assert_memory_equal(&w.s.key, &w.pty.key, sizeof(w.s.key));
	assert_string_equal(w.s.tty, w.pty.name);
	/* served by root sshd's unprivileged child */
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.service_pid, P_MON);
	assert_string_equal(w.s.service_comm, "sshd");
	assert_int_equal(w.s.holder_pid, P_PRIV);
	/* remote from the record under the child's pid, not the other line's */
	assert_int_equal(w.s.remote_src, REMOTE_UTMP);
	assert_string_equal(w.s.remote, "198.51.100.7");
	/* owned by the shell */
	assert_true(w.s.has_session);
	assert_false(w.s.detached);
	assert_int_equal(w.s.sid, P_SHELL);
	assert_int_equal(w.s.leader_start, T_SHELL);
	assert_int_equal(w.s.leader_start_ns, ticks_ns(T_SHELL));
	assert_string_equal(w.s.leader_comm, "bash");
	assert_int_equal(w.s.leader_nspid, P_SHELL);
	assert_int_equal(w.s.uid, ALICE);
	name_of_user(ALICE, want, sizeof(want));
	assert_string_equal(w.s.user, want);
	assert_int_equal(w.s.gid, ALICE);
	name_of_group(ALICE, want, sizeof(want));
	assert_string_equal(w.s.group, want);
	assert_int_equal(w.s.ngroups, 2);
	assert_false(w.s.groups_truncated);
	assert_int_equal(w.s.groups[0].gid, ALICE);
	assert_int_equal(w.s.groups[1].gid, 27);
	name_of_group(27, want, sizeof(want));
	assert_string_equal(w.s.groups[1].name, want);
	assert_string_equal(w.s.container_str, "");
	assert_int_equal(w.s.container.runtime[0], 0);
	assert_true(w.s.host_pidns);
	assert_true(w.s.host_mntns);
	assert_string_equal(session_service_name(w.s.service), "sshd");
	assert_string_equal(session_login_evidence_name(w.s.login_src), "master");
	assert_string_equal(session_remote_source_name(w.s.remote_src), "utmp");
	/* the ids records are joined by: the leader's, for showing only */
	assert_string_equal(w.s.logind_id, "4");
	assert_true(w.s.audit_session == -1 && w.s.loginuid == -1);
	fp_text(&w.fp, P_SHELL, "sessionid", "9\n");
	fp_text(&w.fp, P_SHELL, "loginuid", "1000\n");
	RESOLVE_OK(&w);
	assert_true(w.s.audit_session == 9 && w.s.loginuid == 1000);
	assert_int_equal(w.s.service, SVC_SSHD); /* and they changed nothing */
	fp_text(&w.fp, P_SHELL, "sessionid", "4294967295\n");
	fp_text(&w.fp, P_SHELL, "cgroup", "0::/user.slice/user-1000.slice/user@1000.service/x\n");
	RESOLVE_OK(&w);
	assert_true(w.s.audit_session == -1 && w.s.loginuid == 1000);
	assert_string_equal(w.s.logind_id, "");
	fp_text(&w.fp, P_SHELL, "cgroup", "0::/user.slice/user-1000.slice/session-4.scope\n");
	fp_remove(&w.fp, P_SHELL, "sessionid");
	fp_remove(&w.fp, P_SHELL, "loginuid");

	/* the monitor also with " (deleted)": sshd upgraded under a live connection */
	fp_exe(&w.fp, P_MON, "/usr/sbin/sshd (deleted)");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_string_equal(w.s.service_comm, "sshd");

	/* a root login: the child is root too and proves it itself */
	fp_exe(&w.fp, P_MON, "/usr/sbin/sshd");
	proc_add(&w, P_PRIV, "sshd", P_MON, P_MON, 0, T_PRIV, 0, 0, "/usr/sbin/sshd");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.service_pid, P_PRIV);
	assert_int_equal(w.s.holder_pid, P_PRIV);

	/* dropbear: the root per-connection process serves the master itself */
	proc_add(&w, P_PRIV, "dropbear", P_SSHD, P_PRIV, 0, T_PRIV, 0, 0, "/usr/sbin/dropbear");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.service_pid, P_PRIV);
	assert_string_equal(w.s.service_comm, "dropbear");
	world_free(&w);
}

static void test_sshd_session_98(void **state)
{
	struct world w;

	world_build(&w);
	world_sshd_session(&w);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.service_pid, P_MON);
	assert_string_equal(w.s.service_comm, "sshd-session");
	assert_int_equal(w.s.holder_pid, P_PRIV);
	assert_int_equal(w.s.uid, ALICE);
	assert_true(w.s.has_session);
	assert_string_equal(w.s.remote, "198.51.100.7");

	/* the child's comm is its proctitle's and decides nothing */
	fp_stat(&w.fp, P_PRIV, "sshd-session: a", 'S', P_MON, P_PRIV, P_MON, 0, 0x400100, T_PRIV);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);

	/* a "monitor" that started after the child is not its parent (a reused pid) */
	proc_add(&w, P_MON, "sshd-session", P_SSHD, P_MON, 0, T_PRIV + 1, 0, 0,
		 "/usr/lib/openssh/sshd-session");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER); /* alice serves alice's PTY */

	/* a monitor that is not fully root (real and effective) proves nothing */
	proc_add(&w, P_MON, "sshd-session", P_SSHD, P_MON, 0, T_MON, 0, ALICE,
		 "/usr/lib/openssh/sshd-session");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	proc_add(&w, P_MON, "sshd-session", P_SSHD, P_MON, 0, T_MON, ALICE, 0,
		 "/usr/lib/openssh/sshd-session");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);

	/* a monitor that is gone: the child was reparented to PID 1 */
	proc_gone(&w, P_MON);
	fp_stat(&w.fp, P_PRIV, "sshd-session", 'S', P_INIT, P_PRIV, P_MON, 0, 0x400100, T_PRIV);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	world_free(&w);
}

/* Root programs by executable; comm of a root process and uids one by one. */
static void test_holder_classes(void **state)
{
	static const struct {
		const char *comm, *exe;
		unsigned int ruid, euid;
		enum login_service svc;
		enum login_evidence ev;
	} t[] = {
	    {"in.telnetd", "/usr/sbin/in.telnetd", 0, 0, SVC_LOGIN, LOGIN_MASTER},
	    {"containerd-shim", "/usr/bin/containerd-shim-runc-v2", 0, 0, SVC_CONTAINER,
	     LOGIN_MASTER},
	    {"conmon", "/usr/bin/conmon", 0, 0, SVC_CONTAINER, LOGIN_MASTER},
	    {"systemd-nspawn", "/usr/bin/systemd-nspawn", 0, 0, SVC_CONTAINER, LOGIN_MASTER},
	    {"dropbear", "/usr/sbin/dropbear", 0, 0, SVC_SSHD, LOGIN_MASTER},
	    /* root, not a login service: somebody else's program serving alice's PTY */
	    {"tmux: server", "/usr/bin/tmux", 0, 0, SVC_OTHER, LOGIN_NONE},
	    {"sudo", "/usr/bin/sudo", 0, 0, SVC_OTHER, LOGIN_NONE},
	    /* a root process's comm is irrelevant: only its executable counts */
	    {"sshd", "/usr/bin/python3", 0, 0, SVC_OTHER, LOGIN_NONE},
	    {"sshd", NULL, 0, 0, SVC_OTHER, LOGIN_NONE},
	    {"bash", "/usr/sbin/sshd", 0, 0, SVC_SSHD, LOGIN_MASTER},
	    /* not real and effective root: a setuid program, a half-dropped daemon */
	    {"login", "/usr/bin/login", ALICE, 0, SVC_MULTIPLEXER, LOGIN_NONE},
	    {"sshd", "/usr/sbin/sshd", 0, ALICE, SVC_OTHER, LOGIN_NONE},
	    /* alice's own programs, whatever they are called */
	    {"sshd", "/usr/bin/bash", ALICE, ALICE, SVC_MULTIPLEXER, LOGIN_NONE},
	    {"tmux: server", "/usr/bin/bash", ALICE, ALICE, SVC_MULTIPLEXER, LOGIN_NONE},
	    {"sshd", "/home/alice/bin/sshd", ALICE, ALICE, SVC_MULTIPLEXER, LOGIN_NONE},
	    {"login", "/home/alice/login", ALICE, ALICE, SVC_MULTIPLEXER, LOGIN_NONE},
	    {"containerd-shim", "/tmp/containerd-shim", ALICE, ALICE, SVC_MULTIPLEXER, LOGIN_NONE},
	    {"script", "/usr/bin/script", ALICE, ALICE, SVC_MULTIPLEXER, LOGIN_NONE},
	    /* bob's program serving alice's PTY */
	    {"tmux: server", "/usr/bin/tmux", BOB, BOB, SVC_OTHER, LOGIN_NONE},
	};
	struct world w;
	size_t i;

	world_build(&w);
	utmp_reset(&w); /* holder evidence only */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r;

		/* a fresh process each time: no exe link left from the previous row */
		proc_gone(&w, P_OTHER);
		proc_add(&w, P_OTHER, t[i].comm, P_INIT, P_OTHER, 0, T_TMUX, t[i].ruid, t[i].euid,
			 t[i].exe);
		w.rec.writer_tgid = P_OTHER;
		r = resolve(&w);
		if (r)
			fail_msg("row %zu (%s): %d \"%s\"", i, t[i].comm, r, w.err);
		if (w.s.service != t[i].svc || w.s.login_src != t[i].ev)
			fail_msg("row %zu (comm %s, exe %s, uids %u/%u): got %s/%s, want %s/%s", i,
				 t[i].comm, t[i].exe ? t[i].exe : "(none)", t[i].ruid, t[i].euid,
				 session_service_name(w.s.service),
				 session_login_evidence_name(w.s.login_src),
				 session_service_name(t[i].svc),
				 session_login_evidence_name(t[i].ev));
		assert_int_equal(w.s.holder_pid, P_OTHER);
		assert_true(w.s.has_session);
		assert_int_equal(w.s.sid, P_SHELL);
		if (t[i].ev == LOGIN_MASTER) {
			assert_int_equal(w.s.service_pid, P_OTHER);
			assert_string_equal(w.s.service_comm, strrchr(t[i].exe, '/') + 1);
		} else {
			assert_int_equal(w.s.service_pid, 0);
			assert_string_equal(w.s.service_comm, "");
		}
	}
	world_free(&w);
}

/* A process is a login service by what it is and who its parent is, never by name. */
static void test_holder_parents(void **state)
{
	struct world w;

	world_build(&w);
	utmp_reset(&w);

	/* alice's script under root sudo (sudo -u alice script): not a login */
	proc_add(&w, P_OTHER, "sudo", P_INIT, P_OTHER, 0, T_MON, 0, 0, "/usr/bin/sudo");
	proc_add(&w, P_PRIV, "script", P_OTHER, P_OTHER, 0, T_PRIV, ALICE, ALICE,
		 "/usr/bin/script");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	assert_int_equal(w.s.service_pid, 0);
	assert_int_equal(w.s.holder_pid, P_PRIV);

	/* alice's shell under root login(1) ran `exec script`: script's parent is root login */
	proc_add(&w, P_OTHER, "login", P_INIT, P_OTHER, 0, T_MON, 0, 0, "/usr/bin/login");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);

	/* a process a container runtime started, serving a PTY of its own */
	proc_add(&w, P_OTHER, "containerd-shim", P_INIT, P_OTHER, 0, T_MON, 0, 0,
		 "/usr/bin/containerd-shim-runc-v2");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);

	/* alice runs her own sshd (exe named sshd) from her own sshd: all hers */
	proc_add(&w, P_OTHER, "sshd", P_INIT, P_OTHER, 0, T_MON, ALICE, ALICE,
		 "/home/alice/bin/sshd");
	proc_add(&w, P_PRIV, "sshd", P_OTHER, P_OTHER, 0, T_PRIV, ALICE, ALICE,
		 "/home/alice/bin/sshd");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);

	/* ... also when renamed to look like the real thing, and when root's comm says sshd */
	fp_stat(&w.fp, P_OTHER, "sshd", 'S', P_INIT, P_OTHER, P_OTHER, 0, 0x400100, T_MON);
	fp_exe(&w.fp, P_OTHER, "/usr/sbin/sshd.alice");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	proc_add(&w, P_OTHER, "sshd", P_INIT, P_OTHER, 0, T_MON, 0, 0, "/usr/bin/perl");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);

	/* the real parent: root with exe sshd */
	fp_exe(&w.fp, P_OTHER, "/usr/sbin/sshd");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.service_pid, P_OTHER);

	/* only the direct parent counts: alice's script under alice's sshd child */
	proc_add(&w, P_VIM + 10, "script", P_PRIV, P_OTHER, 0, T_VIM, ALICE, ALICE,
		 "/usr/bin/script");
	w.rec.writer_tgid = P_VIM + 10;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	world_free(&w);
}

static void test_container_runtime(void **state)
{
	struct world w;
	uint64_t ino;

	world_build(&w);
	/* docker exec -t: containerd's shim (root) serves the PTY; the shell is in the container */
	proc_add(&w, P_OTHER, "containerd-shim", P_INIT, P_OTHER, 0, T_TMUX, 0, 0,
		 "/usr/bin/containerd-shim-runc-v2");
	w.rec.writer_tgid = P_OTHER;
	fp_text(&w.fp, P_SHELL, "cgroup",
		"0::/system.slice/docker-"
		"4f3c2b1a09876543210fedcba9876543210fedcba9876543210fedcba9876543.scope\n");
	fp_status_ids(&w.fp, P_SHELL, "bash", ALICE, ALICE, ALICE, "1000", "300\t7");
	fp_ns(&w.fp, P_SHELL, "pid", 4026532500ull);
	fp_ns(&w.fp, P_SHELL, "mnt", 4026532501ull);
	w.o.host_devpts = makedev(0, 1); /* its devpts is the container's */
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_CONTAINER);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_string_equal(w.s.service_comm, "containerd-shim-runc-v2");
	assert_int_equal(w.s.service_pid, P_OTHER);
	assert_string_equal(w.s.container_str, "docker:4f3c2b1a0987");
	assert_string_equal(w.s.container.runtime, "docker");
	assert_false(w.s.host_pidns);
	assert_false(w.s.host_mntns);
	assert_int_equal(w.s.leader_nspid, 7);
	assert_int_equal(w.s.sid, P_SHELL);
	/* the host's utmp has a pts/N too, but not this one */
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	assert_string_equal(w.s.remote, "");

	/* unshare(1) or bwrap: other namespaces, no runtime in the cgroup path */
	fp_text(&w.fp, P_SHELL, "cgroup", "0::/user.slice/user-1000.slice/session-4.scope\n");
	RESOLVE_OK(&w);
	assert_string_equal(w.s.container_str, "pidns:4026532500");
	assert_string_equal(w.s.container.runtime, "pidns");
	/* only the mount namespace differs */
	fp_ns(&w.fp, P_SHELL, "pid", HOST_PIDNS);
	RESOLVE_OK(&w);
	assert_true(w.s.host_pidns);
	assert_false(w.s.host_mntns);
	assert_string_equal(w.s.container_str, "mntns:4026532501");
	/* PID 1's mount namespace unreadable (and no proc entry of ours to compare with):
	 * a service's PrivateTmp= namespace is not called a container */
	fp_remove(&w.fp, P_INIT, "ns/mnt");
	RESOLVE_OK(&w);
	if (procfs_read_ns(w.fp.root, getpid(), "mnt", &ino) < 0) { /* our pid is no fake one */
		assert_false(w.s.host_mntns);
		assert_string_equal(w.s.container_str, "");
	}
	world_free(&w);
}

/* ---- logind ------------------------------------------------------------------ */

/* logind's record of session 4 (the cgroup every process of the world is in). */
static void logind_put(struct world *w, const char *body, mode_t mode)
{
	char p[PATH_MAX];
	FILE *f;

	mkdir(w->logind, 0755);
	fp_path(p, sizeof(p), "%s/4", w->logind);
	f = fopen(p, "w");
	if (!f)
		fp_die(p);
	fputs(body, f);
	fclose(f);
	chmod(p, mode);
}

static void logind_record(struct world *w, const char *tty, const char *extra)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "# This is private data. Do not parse.\nUID=1000\nUSER=alice\nACTIVE=1\n"
		 "STATE=active\nREMOTE=1\nTYPE=tty\nCLASS=user\nSCOPE=session-4.scope\n"
		 "TTY=%s\nREMOTE_HOST=192.0.2.44\nSERVICE=login\nLEADER=%d\n%s",
		 tty, P_PRIV, extra);
	logind_put(w, body, 0644);
}

/*
 * logind's record makes a login of a terminal nothing else proves one (no
 * utmp, a root program that is no login service serves the master), and
 * gives the remote host utmp does not; only a user's own login on this very
 * terminal, in a file and a directory only root writes.
 */
static void test_logind(void **state)
{
	char p[PATH_MAX];
	struct world w;

	(void)state;
	if (geteuid() != 0)
		skip(); /* the records must be root's: only root can make them here */
	world_build(&w);
	w.o.utmp_path = "";
	/* a root program that is no login service serves the master */
	proc_add(&w, P_OTHER, "conserver", P_INIT, P_OTHER, 0, T_PRIV, 0, 0, "/usr/sbin/conserver");
	w.rec.writer_tgid = P_OTHER;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_OTHER);

	logind_record(&w, w.s.tty, "");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_LOGIND);
	assert_string_equal(session_login_evidence_name(w.s.login_src), "logind");
	assert_int_equal(w.s.service, SVC_LOGIN);
	assert_int_equal(w.s.service_pid, P_PRIV);
	assert_string_equal(w.s.remote, "192.0.2.44");
	assert_int_equal(w.s.remote_src, REMOTE_LOGIND);
	assert_string_equal(session_remote_source_name(w.s.remote_src), "logind");

	/* another terminal of the same logind session (a tmux pane's): nothing */
	logind_record(&w, "pts/999", "");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_string_equal(w.s.remote, "");
	/* closing (its terminal may be another's by now), a greeter, another user */
	logind_record(&w, w.s.tty, "STATE=closing\n");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	logind_record(&w, w.s.tty, "CLASS=greeter\n");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	logind_record(&w, w.s.tty, "UID=1001\n");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	/* a record anybody could have written is nobody's word */
	logind_record(&w, w.s.tty, "");
	fp_path(p, sizeof(p), "%s/4", w.logind);
	assert_int_equal(chmod(p, 0666), 0);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(chmod(w.logind, 0777), 0);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(chmod(w.logind, 0755), 0);
	/* a cgroup alice made under her own user@.service, named like a session */
	fp_text(&w.fp, P_SHELL, "cgroup",
		"0::/user.slice/user-1000.slice/user@1000.service/session-4.scope\n");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	fp_text(&w.fp, P_SHELL, "cgroup", "0::/user.slice/user-1000.slice/session-4.scope\n");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_LOGIND);
	/* logind not asked */
	w.o.logind_dir = "";
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	w.o.logind_dir = w.logind;

	/* alice's own program serves the master (tmux): hers, whatever logind says */
	proc_add(&w, P_TMUX, "tmux: server", P_INIT, P_TMUX, 0, T_TMUX, ALICE, ALICE,
		 "/usr/bin/tmux");
	w.rec.writer_tgid = P_TMUX;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_string_equal(w.s.remote, "");

	/* sshd serves it and utmp is not kept: a login by the master, the host from logind */
	w.rec.writer_tgid = P_PRIV;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_string_equal(w.s.remote, "192.0.2.44");
	assert_int_equal(w.s.remote_src, REMOTE_LOGIND);
	/* utmp's host comes first */
	w.o.utmp_path = w.utmp;
	RESOLVE_OK(&w);
	assert_string_equal(w.s.remote, "198.51.100.7");
	assert_int_equal(w.s.remote_src, REMOTE_UTMP);
	world_free(&w);
}

/* ---- environment, utmp ------------------------------------------------------- */

static void test_environ_ignored(void **state)
{
	const char env[] = "SSH_CONNECTION=203.0.113.9 40000 192.0.2.1 22\0"
			   "SSH_CLIENT=203.0.113.9 40000 22\0REMOTEHOST=203.0.113.9\0";
	struct world w;

	world_build(&w);
	fp_file(&w.fp, P_PRIV, "environ", env, sizeof(env) - 1);
	fp_file(&w.fp, P_MON, "environ", env, sizeof(env) - 1);
	/* utmp off: no remote, whatever the environments say */
	w.o.utmp_path = "";
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	assert_string_equal(w.s.remote, "");
	/* no record for the line: the same */
	w.o.utmp_path = w.utmp;
	utmp_reset(&w);
	utmp_put(w.utmp, USER_PROCESS, "pts/999", P_PRIV, "198.51.100.1", NULL,
		 wall_of(T_PRIV, 10 * MS));
	RESOLVE_OK(&w);
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	assert_string_equal(w.s.remote, "");
	/* a record: its host, not the environment's */
	utmp_login(&w, P_PRIV, T_PRIV, "198.51.100.7");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.remote_src, REMOTE_UTMP);
	assert_string_equal(w.s.remote, "198.51.100.7");

	/* alice's tmux with SSH_CONNECTION everywhere: still hers, no remote, no login */
	world_tmux(&w);
	fp_file(&w.fp, P_TMUX, "environ", env, sizeof(env) - 1);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	assert_string_equal(w.s.remote, "");
	/* and without any holder: no evidence, whatever the environment */
	w.rec.writer_tgid = 0;
	utmp_reset(&w);
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	world_free(&w);
}

/* A live root-written record: login evidence when no holder is known. */
static void test_utmp_login_evidence(void **state)
{
	int32_t v4[4] = {0}, v6[4];
	char host[200];
	struct world w;

	world_build(&w);
	proc_add(&w, P_LOGIN, "login", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0, "/usr/bin/login");
	utmp_reset(&w);
	utmp_login(&w, P_LOGIN, T_LOGIN, "");
	w.rec.writer_tgid = 0;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	assert_int_equal(w.s.service, SVC_LOGIN);
	assert_int_equal(w.s.service_pid, P_LOGIN);
	assert_string_equal(w.s.service_comm, "login");
	assert_int_equal(w.s.holder_pid, 0);
	assert_int_equal(w.s.remote_src, REMOTE_NONE); /* a local record: no host */
	assert_string_equal(w.s.remote, "");
	assert_true(w.s.has_session);
	assert_int_equal(w.s.uid, ALICE);
	assert_string_equal(session_login_evidence_name(w.s.login_src), "utmp");

	/* the holder is gone, or a zombie: the same */
	w.rec.writer_tgid = 4242;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	assert_int_equal(w.s.holder_pid, 0);
	fp_stat(&w.fp, P_PRIV, "sshd", 'Z', P_MON, P_PRIV, P_MON, 0, 0x400100, T_PRIV);
	w.rec.writer_tgid = P_PRIV;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	assert_int_equal(w.s.holder_pid, 0);
	/* a holder whose status is unreadable is unknown as well */
	proc_add(&w, P_PRIV, "sshd", P_MON, P_MON, 0, T_PRIV, ALICE, ALICE, "/usr/sbin/sshd");
	fp_remove(&w.fp, P_PRIV, "status");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	assert_int_equal(w.s.holder_pid, 0);
	w.rec.writer_tgid = 0;

	/* the service is what runs at the record's pid */
	proc_add(&w, P_LOGIN, "sshd: alice", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0,
		 "/usr/lib/openssh/sshd-session");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_string_equal(w.s.service_comm, "sshd-session");
	proc_add(&w, P_LOGIN, "agetty", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0, "/sbin/agetty");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_LOGIN);
	assert_string_equal(w.s.service_comm, "agetty");
	/* unknown program, or no executable to read: login */
	proc_add(&w, P_LOGIN, "login", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0, "/usr/bin/xdm-helper");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_LOGIN);
	assert_string_equal(w.s.service_comm, "xdm-helper");
	fp_remove(&w.fp, P_LOGIN, "exe");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	assert_int_equal(w.s.service, SVC_LOGIN);
	assert_int_equal(w.s.service_pid, P_LOGIN);
	assert_string_equal(w.s.service_comm, "");
	fp_exe(&w.fp, P_LOGIN, "/usr/bin/login");

	/* remote: the host name, else the address (network order, IPv4 in the first word) */
	assert_int_equal(inet_pton(AF_INET, "192.0.2.5", &v4[0]), 1);
	utmp_reset(&w);
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, "", v4, wall_of(T_LOGIN, 0));
	RESOLVE_OK(&w);
	assert_int_equal(w.s.remote_src, REMOTE_UTMP);
	assert_string_equal(w.s.remote, "192.0.2.5");
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::17", v6), 1);
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, "", v6, wall_of(T_LOGIN, 0));
	RESOLVE_OK(&w);
	assert_string_equal(w.s.remote, "2001:db8::17");
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, "jump.example.org", v6,
		 wall_of(T_LOGIN, 0));
	RESOLVE_OK(&w);
	assert_string_equal(w.s.remote, "jump.example.org");
	/* a long host is cut, not overflowed */
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, host, NULL, wall_of(T_LOGIN, 0));
	RESOLVE_OK(&w);
	assert_int_equal(strlen(w.s.remote), SESSION_REMOTE_MAX - 1);
	assert_int_equal(w.s.remote_src, REMOTE_UTMP);
	/* the newest record for the line wins */
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, "newest.example.org", NULL,
		 wall_of(T_LOGIN, 100 * MS));
	RESOLVE_OK(&w);
	assert_string_equal(w.s.remote, "newest.example.org");
	world_free(&w);
}

/* Records that must not count; with no holder known that leaves -EAGAIN. */
static void test_utmp_rejected_records(void **state)
{
	char line[64];
	struct world w;

	world_build(&w);
	proc_add(&w, P_LOGIN, "login", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0, "/usr/bin/login");
	w.rec.writer_tgid = 0;

	/* for a pid that is dead */
	utmp_reset(&w);
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, 4444, "198.51.100.66", NULL,
		 wall_of(T_LOGIN, 0));
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served its master");
	/* for a zombie */
	utmp_reset(&w);
	utmp_login(&w, P_LOGIN, T_LOGIN, "198.51.100.66");
	fp_stat(&w.fp, P_LOGIN, "login", 'Z', P_INIT, P_LOGIN, P_LOGIN, 0, 0x400100, T_LOGIN);
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	fp_stat(&w.fp, P_LOGIN, "login", 'S', P_INIT, P_LOGIN, P_LOGIN, 0, 0x400100, T_LOGIN);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);

	/* for a pid that started after the record was written: a reused pid */
	utmp_reset(&w);
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, "198.51.100.66", NULL,
		 wall_of(T_LOGIN, -3 * SEC));
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	utmp_reset(&w);
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, "198.51.100.66", NULL,
		 wall_of(T_LOGIN, -1500 * MS));
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	/* up to a second early is clock granularity, not another process */
	utmp_reset(&w);
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, P_LOGIN, "198.51.100.66", NULL,
		 wall_of(T_LOGIN, -500 * MS));
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	assert_string_equal(w.s.remote, "198.51.100.66");

	/* not a login record */
	utmp_reset(&w);
	utmp_put(w.utmp, DEAD_PROCESS, w.pty.name, P_LOGIN, "198.51.100.66", NULL,
		 wall_of(T_LOGIN, 0));
	utmp_put(w.utmp, LOGIN_PROCESS, w.pty.name, P_LOGIN, "198.51.100.66", NULL,
		 wall_of(T_LOGIN, 0));
	utmp_put(w.utmp, INIT_PROCESS, w.pty.name, P_LOGIN, "198.51.100.66", NULL,
		 wall_of(T_LOGIN, 0));
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	/* another line, also one the line's name is a prefix of */
	utmp_reset(&w);
	snprintf(line, sizeof(line), "%s0", w.pty.name);
	utmp_put(w.utmp, USER_PROCESS, line, P_LOGIN, "198.51.100.66", NULL, wall_of(T_LOGIN, 0));
	utmp_put(w.utmp, USER_PROCESS, "pts/", P_LOGIN, "198.51.100.66", NULL, wall_of(T_LOGIN, 0));
	snprintf(line, sizeof(line), "/dev/%s", w.pty.name);
	utmp_put(w.utmp, USER_PROCESS, line, P_LOGIN, "198.51.100.66", NULL, wall_of(T_LOGIN, 0));
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	/* a stale record after a good one does not hide it */
	utmp_login(&w, P_LOGIN, T_LOGIN, "good.example.org");
	utmp_put(w.utmp, USER_PROCESS, w.pty.name, 4444, "stale.example.org", NULL,
		 wall_of(T_LOGIN, 200 * MS));
	RESOLVE_OK(&w);
	assert_string_equal(w.s.remote, "good.example.org");

	/* no utmp file, utmp off, and files that are not regular: nothing, and no hang */
	unlink(w.utmp);
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	w.o.utmp_path = "";
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	assert_int_equal(mkfifo(w.utmp, 0644), 0);
	w.o.utmp_path = w.utmp;
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	unlink(w.utmp);
	assert_int_equal(mkdir(w.utmp, 0755), 0);
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	rmdir(w.utmp);
	/* a FIFO that does hold a good record: still not a utmp file */
	assert_int_equal(mkfifo(w.utmp, 0644), 0);
	{
		int fd = open(w.utmp, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		struct utmpx u;

		assert_true(fd >= 0);
		memset(&u, 0, sizeof(u));
		u.ut_type = USER_PROCESS;
		u.ut_pid = P_LOGIN;
		strncpy(u.ut_line, w.pty.name, sizeof(u.ut_line));
		strncpy(u.ut_host, "fifo.example.org", sizeof(u.ut_host));
		u.ut_tv.tv_sec = (__typeof__(u.ut_tv.tv_sec))(wall_of(T_LOGIN, 0) / SEC);
		assert_int_equal(write(fd, &u, sizeof(u)), (ssize_t)sizeof(u));
		RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
		close(fd);
	}
	unlink(w.utmp);
	/* a truncated record at the end is not read */
	utmp_login(&w, P_LOGIN, T_LOGIN, "whole.example.org");
	{
		int fd = open(w.utmp, O_WRONLY | O_APPEND | O_CLOEXEC);
		struct utmpx u;

		memset(&u, 0, sizeof(u));
		u.ut_type = USER_PROCESS;
		u.ut_pid = P_LOGIN;
		strncpy(u.ut_line, w.pty.name, sizeof(u.ut_line));
		strncpy(u.ut_host, "half.example.org", sizeof(u.ut_host));
		assert_true(fd >= 0);
		assert_int_equal(write(fd, &u, sizeof(u) / 2), (ssize_t)(sizeof(u) / 2));
		close(fd);
	}
	RESOLVE_OK(&w);
	assert_string_equal(w.s.remote, "whole.example.org");
	world_free(&w);
}

/* The host's utmp says nothing about another devpts instance's pts/N. */
static void test_utmp_host_terminals_only(void **state)
{
	struct world w;

	world_build(&w);
	proc_add(&w, P_LOGIN, "login", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0, "/usr/bin/login");
	utmp_login(&w, P_LOGIN, T_LOGIN, "198.51.100.8");
	/* the sshd login: remote from utmp on the host's devpts ... */
	RESOLVE_OK(&w);
	assert_string_equal(w.s.remote, "198.51.100.8");
	/* ... not when the PTY is in another devpts */
	w.o.host_devpts = makedev(0, 1);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	assert_string_equal(w.s.remote, "");
	/* ... nor when the host's devpts is unknown */
	w.o.host_devpts = 0;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	/* no holder: a container's pts/N with a host record for pts/N is no login */
	w.rec.writer_tgid = 0;
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	w.o.host_devpts = makedev(0, 1);
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served");
	w.o.host_devpts = session_dev_to_user(w.pty.key.devpts);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	world_free(&w);
}

/* libutempter lets a user's terminal program write a record for its own PTY. */
static void test_utmp_user_served_pty(void **state)
{
	struct world w;

	world_build(&w);
	world_tmux(&w);
	utmp_reset(&w);
	/* utempter writes the caller's pid and the caller's host text */
	utmp_login(&w, P_TMUX, T_TMUX, "tmux(260).%0");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service_pid, 0);
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	assert_string_equal(w.s.remote, "");
	/* any host text: an xterm claiming a remote host */
	proc_add(&w, P_TMUX, "xterm", P_INIT, P_TMUX, 0, T_TMUX, ALICE, ALICE, "/usr/bin/xterm");
	utmp_login(&w, P_TMUX, T_TMUX, "203.0.113.9");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_string_equal(w.s.remote, "");
	/* named like a login service: the same */
	proc_add(&w, P_TMUX, "sshd", P_INIT, P_TMUX, 0, T_TMUX, ALICE, ALICE,
		 "/home/alice/bin/sshd");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	assert_string_equal(w.s.remote, "");
	/* bob's program: other, still no record */
	proc_add(&w, P_TMUX, "xterm", P_INIT, P_TMUX, 0, T_TMUX, BOB, BOB, "/usr/bin/xterm");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_OTHER);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_string_equal(w.s.remote, "");
	world_free(&w);
}

/* ---- who owns the terminal ----------------------------------------------------- */

/* The leader's fds decide nothing: /dev/tty, /dev/null or nothing at all. */
static void test_owner_fds_irrelevant(void **state)
{
	struct world w;
	struct stat st;
	int fd;

	world_build(&w);
	fp_fd(&w.fp, P_SHELL, 0, "/dev/null");
	fp_fd(&w.fp, P_SHELL, 1, "/dev/null");
	fp_fd(&w.fp, P_SHELL, 2, "/dev/tty");
	fp_remove(&w.fp, P_VIM, "fd/5");
	RESOLVE_OK(&w);
	assert_true(w.s.has_session);
	assert_int_equal(w.s.sid, P_SHELL);
	assert_int_equal(w.s.service, SVC_SSHD);
	/* and the terminal still opens, through its node */
	fd = session_open_tty(&w.o, P_SHELL, &w.key, w.s.tty, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(session_key_matches(&w.key, &st));
	close(fd);
	/* no fds at all, and another PTY's fds: the same owner */
	fp_remove(&w.fp, P_SHELL, "fd/0");
	fp_remove(&w.fp, P_SHELL, "fd/1");
	fp_remove(&w.fp, P_SHELL, "fd/2");
	fp_remove(&w.fp, P_SHELL, "fd/3");
	RESOLVE_OK(&w);
	assert_int_equal(w.s.sid, P_SHELL);
	fp_fd(&w.fp, P_SHELL, 0, w.other.path);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.sid, P_SHELL);
	/* an fd on the terminal does not make another process its owner */
	w.rec.sid = P_VIM;
	fp_fd(&w.fp, P_VIM, 5, w.pty.path);
	world_tmux(&w);
	RESOLVE_ERR(&w, -ESRCH, "its leader is gone");
	world_free(&w);
}

static void test_owner_reused_pid(void **state)
{
	uint64_t start_ns = ticks_ns(T_SHELL);
	struct world w;

	/* the boundary below needs a start that is not on a 2^30 ns unit */
	assert_true(start_ns >= (1ull << 30) && start_ns % (1ull << 30) != 0);
	world_build(&w);
	world_tmux(&w);
	/* seen in the 2^30 ns unit the leader started in: the same process */
	w.rec.sess_epoch = epoch_covering(T_SHELL);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.sid, P_SHELL);
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* last seen a unit earlier than the leader started: another process got the pid */
	w.rec.sess_epoch = epoch_covering(T_SHELL) - 1;
	RESOLVE_ERR(&w, -ESRCH, "started after the session was seen");
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	w.rec.sess_epoch = 0;
	RESOLVE_ERR(&w, -ESRCH, "started after");

	/* a login terminal: resolved, without a session, for the node's owner */
	world_free(&w);
	world_build(&w);
	w.rec.sess_epoch = epoch_covering(T_SHELL) - 1;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.sid, 0);
	assert_string_equal(w.s.remote, "198.51.100.7");
	expect_node_identity(&w.s, w.pty.path);
	world_free(&w);
}

/*
 * The owner is the session the kernel recorded, verified by pid, leadership
 * and start time, not by its controlling terminal now: a leader that dropped
 * the terminal (TIOCNOTTY) or took another since the kernel side last looked
 * is still its last owner (detached), so a login that gives up its terminal
 * is ended with it, not let go.
 */
static void test_owner_detached(void **state)
{
	struct world w;

	world_build(&w);
	world_tmux(&w);
	RESOLVE_OK(&w);
	assert_false(w.s.detached);
	/* the leader dropped its terminal (TIOCNOTTY) and the kernel said so */
	leader_stat(&w, 'S', 0, T_SHELL);
	w.rec.flags = TTY_F_DETACHED;
	RESOLVE_OK(&w);
	assert_true(w.s.has_session);
	assert_true(w.s.detached);
	assert_int_equal(w.s.sid, P_SHELL);
	assert_int_equal(w.s.uid, ALICE);
	assert_int_equal(w.s.service, SVC_MULTIPLEXER);
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* ... and before the kernel side saw it: the same owner, detached */
	w.rec.flags = 0;
	RESOLVE_OK(&w);
	assert_true(w.s.has_session);
	assert_true(w.s.detached);
	assert_int_equal(w.s.sid, P_SHELL);
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* a leader that took another terminal since */
	leader_stat(&w, 'S', (unsigned int)w.other.rdev, T_SHELL);
	RESOLVE_OK(&w);
	assert_true(w.s.detached);
	assert_int_equal(w.s.sid, P_SHELL);
	/* the flag alone also says detached */
	leader_stat(&w, 'S', w.tty_nr, T_SHELL);
	w.rec.flags = TTY_F_DETACHED;
	RESOLVE_OK(&w);
	assert_true(w.s.detached);
	/* the detached leader must still be the same process */
	leader_stat(&w, 'S', 0, T_SHELL);
	w.rec.sess_epoch = epoch_covering(T_SHELL) - 1;
	RESOLVE_ERR(&w, -ESRCH, "started after");
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	w.rec.flags = 0;
	RESOLVE_ERR(&w, -ESRCH, "started after");
	/* ... and a session leader */
	w.rec.sess_epoch = epoch_covering(T_SHELL) + 100;
	fp_stat(&w.fp, P_SHELL, "bash", 'S', P_TMUX, P_SHELL, P_TMUX, 0, 0x400000, T_SHELL);
	RESOLVE_ERR(&w, -ESRCH, "its leader is gone");

	/* a login whose shell dropped its terminal: still that session's, not terminal-level */
	world_free(&w);
	world_build(&w);
	leader_stat(&w, 'S', 0, T_SHELL);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.holder_pid, P_PRIV);
	assert_true(w.s.has_session);
	assert_true(w.s.detached);
	assert_int_equal(w.s.sid, P_SHELL);
	assert_int_equal(w.s.uid, ALICE);
	assert_string_equal(w.s.remote, "198.51.100.7");
	world_free(&w);
}

static void test_owner_rejects(void **state)
{
	struct world w;

	world_build(&w);
	world_tmux(&w);
	/* no terminal */
	w.key.dev = 0;
	RESOLVE_ERR(&w, -EINVAL, "not a terminal");
	w.key = w.pty.key;
	/* no session recorded, or init's */
	w.rec.sid = 0;
	RESOLVE_ERR(&w, -ESRCH, "has no session");
	w.rec.sid = 1;
	RESOLVE_ERR(&w, -ESRCH, "has no session");
	/* a session whose leader is gone */
	w.rec.sid = 777;
	RESOLVE_ERR(&w, -ESRCH, "gone");
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* a process that leads no session */
	w.rec.sid = P_VIM;
	RESOLVE_ERR(&w, -ESRCH, "its leader is gone");
	w.rec.sid = P_SHELL;
	/* a zombie leader */
	leader_stat(&w, 'Z', w.tty_nr, T_SHELL);
	RESOLVE_ERR(&w, -ESRCH, "its leader is gone");
	leader_stat(&w, 'X', w.tty_nr, T_SHELL);
	RESOLVE_ERR(&w, -ESRCH, "its leader is gone");
	/* a kernel thread */
	fp_stat(&w.fp, P_SHELL, "kworker/0:1", 'I', 2, 0, P_SHELL, w.tty_nr, 0x4208060, T_SHELL);
	RESOLVE_ERR(&w, -EPERM, "kernel thread");
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* a leader with no status to read */
	leader_stat(&w, 'S', w.tty_nr, T_SHELL);
	RESOLVE_OK(&w);
	fp_remove(&w.fp, P_SHELL, "status");
	RESOLVE_ERR(&w, -ESRCH, "status");
	fp_status_ids(&w.fp, P_SHELL, "bash", ALICE, ALICE, ALICE, "1000", "300");

	/* nothing has served the master yet, and no record: ask again later */
	w.rec.writer_tgid = 0;
	w.o.utmp_path = "";
	RESOLVE_ERR(&w, -EAGAIN, "nothing has served its master yet");
	/* ... unless there is no owner either */
	w.rec.sid = 777;
	RESOLVE_ERR(&w, -ESRCH, "gone");
	world_free(&w);
}

/* A login terminal that nobody (verifiably) owns is still enforced, for its node's owner. */
static void test_login_without_owner(void **state)
{
	char node[PATH_MAX];
	struct world w;

	world_build(&w);
	proc_gone(&w, P_SHELL);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_SSHD);
	assert_int_equal(w.s.login_src, LOGIN_MASTER);
	assert_int_equal(w.s.sid, 0);
	assert_false(w.s.detached);
	assert_string_equal(w.s.remote, "198.51.100.7");
	assert_string_equal(w.s.tty, w.pty.name);
	expect_node_identity(&w.s, w.pty.path);
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));

	/* the node's owner, also one without a passwd entry (root can make one) */
	if (getpwuid(54321) == NULL && fchown(w.pty.slave, 54321, 54322) == 0) {
		RESOLVE_OK(&w);
		assert_int_equal(w.s.uid, 54321);
		assert_string_equal(w.s.user, "54321");
		assert_int_equal(w.s.gid, 54322); /* no primary group to take: the node's */
		expect_node_identity(&w.s, w.pty.path);
		assert_int_equal(fchown(w.pty.slave, getuid(), getgid()), 0);
	}

	/* the node under dev_root: the right one through a link */
	fp_path(node, sizeof(node), "%s/pts", w.dev);
	assert_int_equal(mkdir(node, 0755), 0);
	fp_path(node, sizeof(node), "%s/%s", w.dev, w.pty.name);
	assert_int_equal(symlink(w.pty.path, node), 0);
	w.o.dev_root = w.dev;
	RESOLVE_OK(&w);
	expect_node_identity(&w.s, w.pty.path);
	/* another terminal's node under that name: not this terminal */
	unlink(node);
	assert_int_equal(symlink(w.other.path, node), 0);
	RESOLVE_ERR(&w, -ESRCH, "not reachable");
	/* no node */
	unlink(node);
	RESOLVE_ERR(&w, -ESRCH, "not reachable");
	/* another devpts instance's pts/N: the node here is not it */
	w.o.dev_root = NULL;
	w.key.devpts ^= 1;
	RESOLVE_ERR(&w, -ESRCH, "not reachable");
	w.key = w.pty.key;

	/* a container's login (root shim serving the master) whose shell exited */
	proc_add(&w, P_OTHER, "containerd-shim", P_INIT, P_OTHER, 0, T_TMUX, 0, 0,
		 "/usr/bin/containerd-shim-runc-v2");
	w.rec.writer_tgid = P_OTHER;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_CONTAINER);
	expect_node_identity(&w.s, w.pty.path);

	/* a non-login terminal without owner: nothing to enforce */
	world_tmux(&w);
	proc_gone(&w, P_SHELL); /* world_tmux rewrote its stat */
	RESOLVE_ERR(&w, -ESRCH, "gone");
	world_free(&w);
}

/* Consoles: no master, no holder; only a login record makes them a login. */
static void test_console(void **state)
{
	char node[PATH_MAX];
	struct world w;

	world_build(&w);
	w.key.dev = (4u << 20) | 1; /* tty1 */
	w.key.devpts = 0;
	w.rec.kind = TTY_KIND_CONSOLE;
	snprintf(w.rec.name, sizeof(w.rec.name), "tty1");
	leader_stat(&w, 'S', (unsigned int)makedev(4, 1), T_SHELL);
	/* a root sshd in writer_tgid means nothing for a console */
	w.rec.writer_tgid = P_MON;
	RESOLVE_OK(&w);
	assert_string_equal(w.s.tty, "tty1");
	assert_int_equal(w.s.service, SVC_OTHER);
	assert_int_equal(w.s.login_src, LOGIN_NONE);
	assert_int_equal(w.s.holder_pid, 0);
	assert_int_equal(w.s.service_pid, 0);
	assert_true(w.s.has_session);
	assert_int_equal(w.s.sid, P_SHELL);
	/* getty -> login: login's record (consoles are the host's whatever host_devpts says) */
	proc_add(&w, P_LOGIN, "login", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0, "/bin/login");
	utmp_put(w.utmp, USER_PROCESS, "tty1", P_LOGIN, "", NULL, wall_of(T_LOGIN, 0));
	w.o.host_devpts = makedev(0, 1);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_LOGIN);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	assert_int_equal(w.s.service_pid, P_LOGIN);
	assert_string_equal(w.s.service_comm, "login");
	assert_int_equal(w.s.remote_src, REMOTE_NONE);
	/* a serial login with the record's pid dead: back to other */
	proc_gone(&w, P_LOGIN);
	RESOLVE_OK(&w);
	assert_int_equal(w.s.service, SVC_OTHER);
	assert_int_equal(w.s.login_src, LOGIN_NONE);

	/* a console login whose shell is gone: identity from the node (a link to our PTY
	 * stands in for /dev/tty1, whose device number it must have) */
	proc_add(&w, P_LOGIN, "login", P_INIT, P_LOGIN, 0, T_LOGIN, 0, 0, "/bin/login");
	w.key.dev = w.pty.key.dev;
	proc_gone(&w, P_SHELL);
	fp_path(node, sizeof(node), "%s/tty1", w.dev);
	assert_int_equal(symlink(w.pty.path, node), 0);
	w.o.dev_root = w.dev;
	RESOLVE_OK(&w);
	assert_int_equal(w.s.login_src, LOGIN_UTMP);
	expect_node_identity(&w.s, w.pty.path);
	/* without a login record: nothing to enforce */
	utmp_reset(&w);
	RESOLVE_ERR(&w, -ESRCH, "gone");
	world_free(&w);
}

static void test_owner_alive(void **state)
{
	struct world w;

	world_build(&w);
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* no fds needed */
	fp_remove(&w.fp, P_SHELL, "fd/0");
	fp_remove(&w.fp, P_SHELL, "fd/1");
	fp_remove(&w.fp, P_SHELL, "fd/2");
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* a leader that dropped the terminal still owns it, flagged or not */
	leader_stat(&w, 'S', 0, T_SHELL);
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	w.rec.flags = TTY_F_DETACHED;
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	/* the owner check alone: a login's holder does not keep a dead owner alive */
	w.rec.sess_epoch = epoch_covering(T_SHELL) - 1;
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	w.rec.sess_epoch = epoch_covering(T_SHELL);
	leader_stat(&w, 'Z', w.tty_nr, T_SHELL);
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	leader_stat(&w, 'S', w.tty_nr, T_SHELL);
	assert_true(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	w.rec.sid = 0;
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	w.rec.sid = P_SHELL;
	proc_gone(&w, P_SHELL);
	assert_false(session_owner_alive(w.o.proc_root, &w.key, &w.rec));
	world_free(&w);
}

/* ---- opening the terminal ------------------------------------------------------ */

static int mkdir_p(const char *path)
{
	char p[PATH_MAX];
	size_t i;

	snprintf(p, sizeof(p), "%s", path);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		p[i] = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static void expect_opens(struct world *w, pid_t sid, const char *devname, int accmode, int line)
{
	struct stat st;
	int fd = session_open_tty(&w->o, sid, &w->key, devname, accmode);

	if (fd < 0)
		fail_msg("line %d: session_open_tty: %d (%s)", line, fd, strerror(-fd));
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(session_key_matches(&w->key, &st));
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, accmode);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

#define EXPECT_OPENS(w, sid, name, acc) expect_opens(w, sid, name, acc, __LINE__)

static void test_open_tty(void **state)
{
	char node[PATH_MAX], dotdot[64];
	struct tty_key k;
	struct world w;

	world_build(&w);
	/* through the node under /dev */
	EXPECT_OPENS(&w, P_SHELL, w.pty.name, O_WRONLY);
	EXPECT_OPENS(&w, P_SHELL, w.pty.name, O_RDWR);
	/* not a terminal */
	k = w.key;
	k.dev = 0;
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &k, w.pty.name, O_WRONLY), -EINVAL);

	/* no node (a dev_root without it): through the session's fds */
	w.o.dev_root = w.dev;
	EXPECT_OPENS(&w, P_SHELL, w.pty.name, O_WRONLY);
	/* the leader has none: a member's */
	fp_remove(&w.fp, P_SHELL, "fd/0");
	fp_remove(&w.fp, P_SHELL, "fd/1");
	fp_remove(&w.fp, P_SHELL, "fd/2");
	EXPECT_OPENS(&w, P_SHELL, w.pty.name, O_WRONLY);
	/* past the session's fd budget, the member that has it is not looked at */
	fp_fd(&w.fp, P_SHELL, 3, "/dev/null");
	fp_fd(&w.fp, P_SHELL, 4, "/dev/null");
	fp_fd(&w.fp, P_SHELL, 7, "/dev/null");
	w.o.fd_budget = 3;
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, w.pty.name, O_WRONLY), -E2BIG);
	assert_string_equal(session_open_strerror(-E2BIG),
			    "its session holds too many fds to look through");
	w.o.fd_budget = 16;
	EXPECT_OPENS(&w, P_SHELL, w.pty.name, O_WRONLY);
	w.o.fd_budget = 0;
	/* a zombie member's fds are not used */
	fp_stat(&w.fp, P_VIM, "vim", 'Z', P_SHELL, P_VIM, P_SHELL, w.tty_nr, 0x400000, T_VIM);
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, w.pty.name, O_WRONLY), -ENOENT);
	fp_stat(&w.fp, P_VIM, "vim", 'S', P_SHELL, P_VIM, P_SHELL, w.tty_nr, 0x400000, T_VIM);
	/* another terminal's node under the name: refused, the fds still serve */
	fp_path(node, sizeof(node), "%s/pts", w.dev);
	assert_int_equal(mkdir(node, 0755), 0);
	fp_path(node, sizeof(node), "%s/%s", w.dev, w.pty.name);
	assert_int_equal(symlink(w.other.path, node), 0);
	EXPECT_OPENS(&w, P_SHELL, w.pty.name, O_WRONLY);
	/* nobody in the session has it: an fd outside the session does not count */
	fp_remove(&w.fp, P_VIM, "fd/5");
	proc_add(&w, P_OTHER, "cat", P_INIT, P_OTHER, 0, T_VIM, ALICE, ALICE, "/usr/bin/cat");
	fp_fd(&w.fp, P_OTHER, 0, w.pty.path);
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, w.pty.name, O_WRONLY), -ENOENT);
	/* the leader's root, laid out by its owner: a symlink there is not followed to the
	 * terminal (it could as well lead to any device of ours) */
	{
		char croot[PATH_MAX], link[PATH_MAX], cnode[PATH_MAX];

		fp_path(cnode, sizeof(cnode), "%s/croot/dev/pts", w.fp.root);
		assert_int_equal(mkdir_p(cnode), 0);
		fp_path(cnode, sizeof(cnode), "%s/croot/dev/%s", w.fp.root, w.pty.name);
		assert_int_equal(symlink(w.pty.path, cnode), 0);

		fp_path(croot, sizeof(croot), "%s/croot", w.fp.root);
		fp_path(link, sizeof(link), "%s/%d/root", w.fp.root, P_SHELL);
		assert_int_equal(symlink(croot, link), 0);
	}
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, w.pty.name, O_WRONLY), -ENOENT);
	/* no session to look in */
	assert_int_equal(session_open_tty(&w.o, 0, &w.key, w.pty.name, O_WRONLY), -ENOENT);
	assert_int_equal(session_open_tty(&w.o, 1, &w.key, w.pty.name, O_WRONLY), -ENOENT);
	/* the right node through a link */
	unlink(node);
	assert_int_equal(symlink(w.pty.path, node), 0);
	EXPECT_OPENS(&w, P_SHELL, w.pty.name, O_WRONLY);
	EXPECT_OPENS(&w, 0, w.pty.name, O_WRONLY);

	/* never a path out of dev_root: absolute names and .. are not opened */
	w.o.dev_root = "/dev/pts";
	snprintf(dotdot, sizeof(dotdot), "../%s", w.pty.name);
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, dotdot, O_WRONLY), -ENOENT);
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, w.pty.path, O_WRONLY), -ENOENT);
	w.o.dev_root = "/"; /* "//dev/pts/N" would be the node */
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, w.pty.path, O_WRONLY), -ENOENT);
	w.o.dev_root = "/dev/pts";
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, "", O_WRONLY), -ENOENT);
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &w.key, NULL, O_WRONLY), -ENOENT);

	/* the same pts/N in another devpts instance: neither the node nor these fds are it */
	w.o.dev_root = NULL;
	fp_fd(&w.fp, P_SHELL, 0, w.pty.path);
	k = w.key;
	k.devpts ^= 1;
	assert_int_equal(session_open_tty(&w.o, P_SHELL, &k, w.pty.name, O_WRONLY), -ENOENT);
	world_free(&w);
}

/* ---- real sessions -------------------------------------------------------------- */

/* The service a real PTY served by this test process has: alice's own multiplexer, unless
 * the test itself runs as a child of root sshd (then it is that login). */
static enum login_service service_of_self(void)
{
	struct proc_status ps;
	char exe[PROCFS_COMM_MAX];
	int pdir = procfs_open_pid(NULL, getppid());
	bool root_sshd = false;

	if (pdir >= 0) {
		root_sshd = procfs_read_status_at(pdir, &ps) == 0 && ps.has_uid && ps.uid[0] == 0 &&
			    ps.uid[1] == 0 && procfs_read_exe_at(pdir, exe, sizeof(exe)) == 0 &&
			    session_classify_exe(exe) == SVC_SSHD;
		close(pdir);
	}
	return root_sshd ? SVC_SSHD : SVC_MULTIPLEXER;
}

static uint32_t epoch_now(void)
{
	struct timespec bt;

	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (uint32_t)((((uint64_t)bt.tv_sec * 1000000000ull) + (uint64_t)bt.tv_nsec) >> 30);
}

static void real_rec(const struct pty *p, pid_t sid, struct tty_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->sid = (uint32_t)sid;
	rec->kind = TTY_KIND_PTY;
	rec->writer_tgid = (uint32_t)getpid(); /* we hold the master */
	snprintf(rec->name, sizeof(rec->name), "%s", p->kname);
	rec->sess_epoch = epoch_now();
}

static void test_real_session(void **state)
{
	struct session_opts o = {.utmp_path = ""};
	char err[256] = "", tmpdir[PATH_MAX], self_comm[PROCFS_COMM_MAX];
	struct session_info s;
	struct container_id c;
	struct tty_rec rec;
	struct tty_key k;
	struct stat st;
	struct pty p;
	bool login = service_of_self() == SVC_SSHD;
	uint64_t ino;
	pid_t pid;
	int fd, pdir, r;

	pdir = procfs_open_pid(NULL, getpid());
	assert_true(pdir >= 0);
	assert_int_equal(procfs_read_comm_at(pdir, self_comm, sizeof(self_comm)), 0);
	close(pdir);
	pty_open(&p);
	pid = pty_spawn_leader(&p, false);
	real_rec(&p, pid, &rec);
	r = session_resolve(&o, &p.key, &rec, &s, err, sizeof(err));
	if (r)
		fail_msg("%d %s", r, err);
	assert_true(s.has_session);
	assert_false(s.detached);
	assert_int_equal(s.sid, pid);
	assert_int_equal(s.uid, getuid());
	assert_int_equal(s.gid, getgid());
	assert_string_equal(s.tty, p.name);
	assert_string_equal(s.leader_comm, self_comm); /* the child is a fork of ours */
	assert_true(s.leader_start > 0);
	assert_int_equal(s.leader_start_ns, ticks_ns(s.leader_start));
	assert_int_equal(s.holder_pid, getpid());
	/* we are the same user as the child, so we are its "multiplexer" */
	assert_int_equal(s.service, service_of_self());
	assert_int_equal(s.login_src, s.service == SVC_SSHD ? LOGIN_MASTER : LOGIN_NONE);
	assert_int_equal(s.remote_src, REMOTE_NONE);
	assert_true(procfs_read_ns(NULL, getpid(), "pid", &ino) == 0);
	assert_int_equal(s.host_pidns, ino == PROCFS_INIT_PIDNS_INO);
	assert_true(s.leader_nspid > 0);
	if (s.host_pidns)
		assert_int_equal(s.leader_nspid, pid);
	/* the child is where we are */
	pdir = procfs_open_pid(NULL, getpid());
	assert_true(pdir >= 0);
	assert_true(procfs_read_container_at(pdir, &c) >= 0);
	close(pdir);
	if (!c.runtime[0] && ino != PROCFS_INIT_PIDNS_INO) {
		/* a CI container without a runtime's cgroup: named by its PID namespace */
		char want[32];

		snprintf(want, sizeof(want), "%llu", (unsigned long long)ino);
		assert_string_equal(s.container.runtime, "pidns");
		assert_string_equal(s.container.name, want);
	} else {
		assert_string_equal(s.container.runtime, c.runtime);
		assert_string_equal(s.container.name, c.name);
	}
	assert_true(session_owner_alive(NULL, &p.key, &rec));

	/* a leader that started after the kernel last saw the session: a reused pid */
	if (s.leader_start_ns >= (1ull << 30)) {
		rec.sess_epoch = (uint32_t)(s.leader_start_ns >> 30) - 1;
		r = session_resolve(&o, &p.key, &rec, &s, err, sizeof(err));
		if (login) {
			assert_true(r == 0 && !s.has_session);
		} else {
			assert_int_equal(r, -ESRCH);
			assert_non_null(strstr(err, "started after"));
		}
		assert_false(session_owner_alive(NULL, &p.key, &rec));
		rec.sess_epoch = epoch_now();
	}
	/* a sid that is no session leader (we are not one, unless run by setsid) */
	rec.sid = (uint32_t)getpid();
	r = session_resolve(&o, &p.key, &rec, &s, err, sizeof(err));
	if (getsid(0) == getpid()) {
		assert_int_equal(r, 0);
		assert_true(s.detached); /* our session does not have this terminal */
	} else if (login) {
		assert_true(r == 0 && !s.has_session); /* a login terminal: terminal-level */
	} else {
		assert_int_equal(r, -ESRCH);
		assert_non_null(strstr(err, "its leader is gone"));
	}
	assert_null(strchr(err, '\n'));
	rec.sid = (uint32_t)pid;

	/* the terminal opens through /dev, and through the child's fds */
	fd = session_open_tty(NULL, pid, &p.key, p.name, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(session_key_matches(&p.key, &st));
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	snprintf(tmpdir, sizeof(tmpdir), "%s/ttyidle-dev.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	o.dev_root = tmpdir;
	fd = session_open_tty(&o, pid, &p.key, p.name, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(session_key_matches(&p.key, &st));
	close(fd);
	o.dev_root = NULL;
	rmdir(tmpdir);
	/* not this devpts instance: nothing to open */
	k = p.key;
	k.devpts ^= 1;
	assert_int_equal(session_open_tty(NULL, pid, &k, p.name, O_WRONLY), -ENOENT);

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	r = session_resolve(&o, &p.key, &rec, &s, err, sizeof(err));
	if (login) {
		assert_int_equal(r, 0);
		assert_false(s.has_session);
	} else {
		assert_int_equal(r, -ESRCH);
		assert_non_null(strstr(err, "gone"));
		assert_null(strchr(err, '\n'));
	}
	assert_false(session_owner_alive(NULL, &p.key, &rec));
	pty_close(&p);
}

/* A leader that dropped its controlling terminal with TIOCNOTTY, as the kernel shows it. */
static pid_t spawn_dropper(const struct pty *p)
{
	int sync[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd, null;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(4);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(sync[0]);
		close(p->master);
		close(p->slave);
		signal(SIGHUP, SIG_IGN); /* TIOCNOTTY by a leader hangs up its foreground group */
		if (setsid() < 0)
			_exit(1);
		fd = open(p->path, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
			_exit(2);
		if (ioctl(fd, TIOCNOTTY) < 0)
			_exit(3);
		close(fd); /* nothing of the session holds the terminal now */
		if (write(sync[1], "x", 1) != 1)
			_exit(5);
		for (;;)
			pause();
	}
	close(sync[1]);
	assert_int_equal(read(sync[0], &c, 1), 1);
	close(sync[0]);
	return pid;
}

static void test_real_detached(void **state)
{
	struct session_opts o = {.utmp_path = ""};
	struct session_info s;
	struct proc_stat ps;
	struct tty_rec rec;
	char err[256] = "";
	struct pty p;
	pid_t pid;
	int r, fd;

	pty_open(&p);
	pid = spawn_dropper(&p);
	assert_int_equal(procfs_read_stat(NULL, pid, &ps), 0);
	assert_int_equal(ps.tty_nr, 0);
	assert_int_equal(ps.session, pid);
	real_rec(&p, pid, &rec);
	/* the record (not flagged yet) and the flagged one: its owner, detached */
	for (int flags = 0; flags <= TTY_F_DETACHED; flags += TTY_F_DETACHED) {
		rec.flags = (uint8_t)flags;
		r = session_resolve(&o, &p.key, &rec, &s, err, sizeof(err));
		if (r)
			fail_msg("flags %d: %d %s", flags, r, err);
		assert_true(s.has_session);
		assert_true(s.detached);
		assert_int_equal(s.sid, pid);
		assert_int_equal(s.uid, getuid());
		assert_true(session_owner_alive(NULL, &p.key, &rec));
	}
	/* nobody in the session has it open: the node still opens it */
	fd = session_open_tty(NULL, pid, &p.key, p.name, O_WRONLY);
	assert_true(fd >= 0);
	close(fd);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	pty_close(&p);
}

/* ---- found by review ------------------------------------------------------------ */

/*
 * Dropbear keeps its per-connection process root and forks the user's shell
 * from it. A user's program started by `exec` from that shell (script, or
 * anything that opens a PTY and serves its master) has root dropbear as its
 * parent: the child-of-root rule must only cover OpenSSH's sshd/sshd-session,
 * whose children are OpenSSH's own.
 */
static void test_dropbear_child_not_login(void **state)
{
	struct world w;

	world_build(&w);
	utmp_reset(&w);
	proc_add(&w, P_MON, "dropbear", P_SSHD, P_MON, 0, T_MON, 0, 0, "/usr/sbin/dropbear");
	proc_add(&w, P_PRIV, "script", P_MON, P_PRIV, 0, T_PRIV, ALICE, ALICE, "/usr/bin/script");
	RESOLVE_OK(&w);
	if (w.s.login_src != LOGIN_NONE || w.s.service != SVC_MULTIPLEXER)
		fail_msg("alice's script under root dropbear: %s/%s, want multiplexer/none",
			 session_service_name(w.s.service),
			 session_login_evidence_name(w.s.login_src));
	world_free(&w);
}

/*
 * libutempter's setgid helper writes a USER_PROCESS record for any PTY the
 * caller owns, with ut_pid = the caller and ut_host = any printable text the
 * caller gives. When the holder is unknown (the last process to do I/O on the
 * master has exited, or none has yet), such a record must not make alice's
 * own PTY a login, let alone pick the service from the name of alice's
 * executable or the remote host from alice's text.
 */
static void test_utempter_record_ignored(void **state)
{
	struct world w;
	int r;

	world_build(&w);
	world_tmux(&w);
	proc_add(&w, P_OTHER, "sshd", P_INIT, P_OTHER, 0, T_TMUX, ALICE, ALICE,
		 "/home/alice/bin/sshd");
	utmp_reset(&w);
	utmp_login(&w, P_OTHER, T_TMUX, "trusted.example.org");
	w.rec.writer_tgid = 4242; /* exited after its last write to the master */
	r = resolve(&w);
	if (r == 0 && w.s.login_src != LOGIN_NONE)
		fail_msg(
		    "alice's utempter record: %s login by %s (%s), remote \"%s\"; want -EAGAIN",
		    session_service_name(w.s.service), session_login_evidence_name(w.s.login_src),
		    w.s.service_comm, w.s.remote);
	assert_int_equal(r, -EAGAIN);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dev_conversion),
	    cmocka_unit_test(test_key_matches),
	    cmocka_unit_test(test_tty_name),
	    cmocka_unit_test(test_classify_exe),
	    cmocka_unit_test(test_sshd_privsep_chain),
	    cmocka_unit_test(test_sshd_session_98),
	    cmocka_unit_test(test_holder_classes),
	    cmocka_unit_test(test_holder_parents),
	    cmocka_unit_test(test_container_runtime),
	    cmocka_unit_test(test_environ_ignored),
	    cmocka_unit_test(test_logind),
	    cmocka_unit_test(test_utmp_login_evidence),
	    cmocka_unit_test(test_utmp_rejected_records),
	    cmocka_unit_test(test_utmp_host_terminals_only),
	    cmocka_unit_test(test_utmp_user_served_pty),
	    cmocka_unit_test(test_owner_fds_irrelevant),
	    cmocka_unit_test(test_owner_reused_pid),
	    cmocka_unit_test(test_owner_detached),
	    cmocka_unit_test(test_owner_rejects),
	    cmocka_unit_test(test_login_without_owner),
	    cmocka_unit_test(test_console),
	    cmocka_unit_test(test_owner_alive),
	    cmocka_unit_test(test_open_tty),
	    cmocka_unit_test(test_real_session),
	    cmocka_unit_test(test_real_detached),
	    cmocka_unit_test(test_dropbear_child_not_login),
	    cmocka_unit_test(test_utempter_record_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
