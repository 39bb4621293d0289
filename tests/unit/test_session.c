// SPDX-License-Identifier: GPL-2.0
/* Session resolution on fake proc trees holding real PTYs, and on a real child session. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

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
#include <unistd.h>
#include <utmpx.h>

#include "fakeproc.h"
#include "session.h"
#include "testpty.h"

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
	session_tty_name("pts12", out, 5);
	assert_string_equal(out, "pts/");
}

static void test_classify(void **state)
{
	static const struct {
		const char *comm;
		enum login_service svc;
	} t[] = {
	    {"sshd", SVC_SSHD},
	    {"sshd-session", SVC_SSHD},
	    {"dropbear", SVC_SSHD},
	    {"login", SVC_LOGIN},
	    {"agetty", SVC_LOGIN},
	    {"getty", SVC_LOGIN},
	    {"mingetty", SVC_LOGIN},
	    {"tmux: server", SVC_MULTIPLEXER},
	    {"tmux", SVC_MULTIPLEXER},
	    {"screen", SVC_MULTIPLEXER},
	    {"SCREEN", SVC_MULTIPLEXER},
	    {"containerd-shim", SVC_CONTAINER}, /* containerd-shim-runc-v2, cut to 15 */
	    {"runc:[2:INIT]", SVC_CONTAINER},
	    {"crun", SVC_CONTAINER},
	    {"conmon", SVC_CONTAINER},
	    {"docker-init", SVC_CONTAINER},
	    {"dockerd", SVC_CONTAINER},
	    {"podman", SVC_CONTAINER},
	    {"lxc-start", SVC_CONTAINER},
	    {"systemd-nspawn", SVC_CONTAINER},
	    {"kubelet", SVC_CONTAINER},
	    {"bash", SVC_OTHER},
	    {"systemd", SVC_OTHER},
	    {"sudo", SVC_OTHER},
	    {"loginctl", SVC_OTHER},
	    {"sshd2", SVC_OTHER},
	    {"gnome-terminal-", SVC_OTHER},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (session_classify_comm(t[i].comm) != t[i].svc)
			fail_msg("%s: got %s", t[i].comm,
				 session_service_name(session_classify_comm(t[i].comm)));
	assert_string_equal(session_service_name(SVC_MULTIPLEXER), "multiplexer");
	assert_string_equal(session_service_name(SVC_OTHER), "other");
}

static void test_ssh_env(void **state)
{
	char out[SESSION_REMOTE_MAX];

	assert_int_equal(session_parse_ssh_env("192.0.2.10 51234 192.0.2.1 22", out, sizeof(out)),
			 0);
	assert_string_equal(out, "192.0.2.10");
	assert_int_equal(session_parse_ssh_env("fe80::1%eth0 1 fe80::2 22", out, sizeof(out)), 0);
	assert_string_equal(out, "fe80::1%eth0");
	assert_int_equal(session_parse_ssh_env("", out, sizeof(out)), -EINVAL);
	assert_int_equal(session_parse_ssh_env("1.2.3.4\nREMOTE=x 1 2 3", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(session_parse_ssh_env("a\"b 1 2 3", out, sizeof(out)), -EINVAL);
	assert_int_equal(session_parse_ssh_env("1.2.3.4 1", out, 4), -EINVAL);
}

/* ---- fake trees ---------------------------------------------------------- */

struct tree {
	struct fakeproc fp;
	struct pty pty, other;
	char utmp[PATH_MAX];
	struct session_opts o;
};

static void write_utmp(const char *path, const char *line, pid_t pid, const char *host, short type)
{
	struct utmpx u;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	memset(&u, 0, sizeof(u));
	u.ut_type = type;
	u.ut_pid = pid;
	strncpy(u.ut_line, line, sizeof(u.ut_line));
	strncpy(u.ut_user, "root", sizeof(u.ut_user));
	strncpy(u.ut_host, host, sizeof(u.ut_host));
	assert_int_equal(write(fd, &u, sizeof(u)), (ssize_t)sizeof(u));
	close(fd);
}

/*
 * systemd(1) -> sshd(100) -> sshd-session(200) -> bash(300, leader of session 300 on the PTY)
 * -> vim(301, same session). The leader has the PTY on fds 0-2, the member on fd 5.
 */
static void tree_build(struct tree *t)
{
	const char env[] = "SHELL=/bin/bash\0SSH_CONNECTION=203.0.113.9 40000 192.0.2.1 22\0";
	unsigned int tty_nr;

	memset(t, 0, sizeof(*t));
	pty_open(&t->pty);
	pty_open(&t->other);
	fp_init(&t->fp);
	tty_nr = (unsigned int)t->pty.rdev;
	fp_stat(&t->fp, 1, "systemd", 'S', 0, 1, 1, 0, 0x400100, 1);
	fp_ns(&t->fp, 1, "pid", 4026531836ull);
	fp_ns(&t->fp, 1, "mnt", 4026531841ull);
	fp_stat(&t->fp, 100, "sshd", 'S', 1, 100, 100, 0, 0x400140, 10);
	fp_stat(&t->fp, 200, "sshd-session", 'S', 100, 200, 200, 0, 0x400140, 900);
	fp_stat(&t->fp, 300, "bash", 'S', 200, 300, 300, tty_nr, 0x400000, 1000);
	fp_status(&t->fp, 300, "bash", 0, 0, "0", "300");
	fp_file(&t->fp, 300, "cmdline", "-bash\0", 6);
	fp_text(&t->fp, 300, "cgroup", "0::/user.slice/user-0.slice/session-4.scope\n");
	fp_file(&t->fp, 300, "environ", env, sizeof(env) - 1);
	fp_ns(&t->fp, 300, "pid", 4026531836ull);
	fp_ns(&t->fp, 300, "mnt", 4026531841ull);
	fp_fd(&t->fp, 300, 0, t->pty.path);
	fp_fd(&t->fp, 300, 1, t->pty.path);
	fp_fd(&t->fp, 300, 2, t->pty.path);
	fp_fd(&t->fp, 300, 3, "/dev/null");
	fp_stat(&t->fp, 301, "vim", 'S', 300, 301, 300, tty_nr, 0x400000, 1100);
	fp_fd(&t->fp, 301, 5, t->pty.path);

	fp_path(t->utmp, sizeof(t->utmp), "%s/utmp", t->fp.root);
	write_utmp(t->utmp, "pts/99", 200, "198.51.100.1", USER_PROCESS);
	write_utmp(t->utmp, t->pty.name, 300, "198.51.100.7", USER_PROCESS);
	write_utmp(t->utmp, t->pty.name, 4444, "198.51.100.66", USER_PROCESS);

	t->o.proc_root = t->fp.root;
	t->o.utmp_path = t->utmp;
	t->o.host_devpts = session_dev_to_user(t->pty.key.devpts);
}

static void tree_free(struct tree *t)
{
	fp_cleanup(&t->fp);
	pty_close(&t->pty);
	pty_close(&t->other);
}

static void test_fake_sshd_session(void **state)
{
	struct session_info s;
	struct tree t;
	char err[256] = "";
	struct passwd *pw = getpwuid(0);
	struct group *gr = getgrgid(0);

	tree_build(&t);
	if (session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(s.sid, 300);
	assert_string_equal(s.tty, t.pty.name);
	assert_int_equal(s.leader_start, 1000);
	assert_int_equal(s.leader_start_ns, 1000ull * 1000000000ull / sysconf(_SC_CLK_TCK));
	assert_string_equal(s.leader_comm, "bash");
	assert_string_equal(s.leader_cmdline, "-bash");
	assert_int_equal(s.leader_nspid, 300);
	assert_int_equal(s.uid, 0);
	assert_string_equal(s.user, pw ? pw->pw_name : "0");
	assert_string_equal(s.group, gr ? gr->gr_name : "0");
	assert_int_equal(s.ngroups, 1);
	assert_int_equal(s.groups[0].gid, 0);
	assert_string_equal(s.container_str, "");
	assert_true(s.host_pidns);
	assert_true(s.host_mntns);
	assert_int_equal(s.service, SVC_SSHD);
	assert_int_equal(s.service_pid, 200);
	assert_string_equal(s.service_comm, "sshd-session");
	/* utmp: the record of the leader's pid, not the other pid on the same line */
	assert_int_equal(s.remote_src, REMOTE_UTMP);
	assert_string_equal(s.remote, "198.51.100.7");
	assert_int_equal(s.tty_pid, 300);
	assert_true(s.tty_fd >= 0 && s.tty_fd <= 2); /* a temp dir lists in hash order */
	tree_free(&t);
}

static void test_fake_remote_fallbacks(void **state)
{
	struct session_info s;
	struct tree t;
	char err[256] = "";

	/* utmp knows the tty only under a pid outside the ancestry: environ instead */
	tree_build(&t);
	unlink(t.utmp);
	write_utmp(t.utmp, t.pty.name, 4444, "198.51.100.66", USER_PROCESS);
	write_utmp(t.utmp, t.pty.name, 300, "198.51.100.8", DEAD_PROCESS);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.remote_src, REMOTE_ENVIRON);
	assert_string_equal(s.remote, "203.0.113.9");

	/* login(1) writes utmp under its own pid, the leader's parent */
	write_utmp(t.utmp, t.pty.name, 200, "", USER_PROCESS);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.remote_src, REMOTE_ENVIRON); /* local record: no host */
	write_utmp(t.utmp, t.pty.name, 200, "jump.example.org", USER_PROCESS);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.remote_src, REMOTE_UTMP);
	assert_string_equal(s.remote, "jump.example.org");

	/* not the host's devpts: the host's utmp says nothing about it */
	t.o.host_devpts = makedev(0, 1);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.remote_src, REMOTE_ENVIRON);

	/* nothing at all */
	fp_file(&t.fp, 300, "environ", "A=1\0", 4);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.remote_src, REMOTE_NONE);
	assert_string_equal(s.remote, "");
	/* a hostile environment does not become a remote host */
	fp_file(&t.fp, 300, "environ", "SSH_CLIENT=x\"y 1 2\0", 19);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.remote_src, REMOTE_NONE);
	tree_free(&t);
}

static void expect_reject(struct tree *t, pid_t sid, const struct tty_key *key, int want,
			  const char *needle)
{
	struct session_info s;
	char err[256] = "";
	int r = session_resolve(&t->o, sid, key, t->pty.kname, &s, err, sizeof(err));

	if (r != want || !strstr(err, needle))
		fail_msg("sid %d: got %d \"%s\", want %d with \"%s\"", (int)sid, r, err, want,
			 needle);
	assert_null(strchr(err, '\n'));
}

static void test_fake_rejects(void **state)
{
	struct tree t;
	struct tty_key k;
	unsigned int tty_nr;

	tree_build(&t);
	tty_nr = (unsigned int)t.pty.rdev;
	expect_reject(&t, 1, &t.pty.key, -EINVAL, "not a user session");
	expect_reject(&t, 0, &t.pty.key, -EINVAL, "not a user session");
	expect_reject(&t, 777, &t.pty.key, -ESRCH, "gone");
	/* 301 exists but leads no session */
	expect_reject(&t, 301, &t.pty.key, -ESRCH, "not a leader");
	/* the key of another terminal */
	expect_reject(&t, 300, &t.other.key, -ENOTTY, "controlling terminal");
	/* the same pts number in another devpts instance (a container's) */
	k = t.pty.key;
	k.devpts ^= 1;
	expect_reject(&t, 300, &k, -ENOTTY, "no process of the session has it open");
	/* the right ctty number but the fds are another PTY */
	fp_fd(&t.fp, 300, 0, t.other.path);
	fp_fd(&t.fp, 300, 1, t.other.path);
	fp_fd(&t.fp, 300, 2, t.other.path);
	fp_fd(&t.fp, 301, 5, t.other.path);
	expect_reject(&t, 300, &t.pty.key, -ENOTTY, "no process");
	/* a kernel thread */
	fp_stat(&t.fp, 300, "kworker/0:1", 'I', 2, 0, 300, tty_nr, 0x4208060, 1000);
	expect_reject(&t, 300, &t.pty.key, -EPERM, "kernel thread");
	/* the leader lost its controlling terminal */
	fp_stat(&t.fp, 300, "bash", 'S', 200, 300, 300, 0, 0x400000, 1000);
	expect_reject(&t, 300, &t.pty.key, -ENOTTY, "controlling terminal is 0:0");
	tree_free(&t);
}

static void test_fake_member_fd_and_origins(void **state)
{
	struct session_info s;
	struct tree t;
	char err[256] = "";
	unsigned int tty_nr;

	tree_build(&t);
	tty_nr = (unsigned int)t.pty.rdev;
	/* the leader closed its terminal fds (bash in a script): a member's fd verifies */
	fp_remove(&t.fp, 300, "fd/0");
	fp_remove(&t.fp, 300, "fd/1");
	fp_remove(&t.fp, 300, "fd/2");
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.tty_pid, 301);
	assert_int_equal(s.tty_fd, 5);

	/* a tmux pane: bash's parent is the tmux server, itself under systemd --user */
	fp_stat(&t.fp, 250, "tmux: server", 'S', 240, 250, 250, 0, 0x400040, 950);
	fp_stat(&t.fp, 240, "systemd", 'S', 1, 240, 240, 0, 0x400100, 940);
	fp_stat(&t.fp, 300, "bash", 'S', 250, 300, 300, tty_nr, 0x400000, 1000);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.service, SVC_MULTIPLEXER);
	assert_int_equal(s.service_pid, 250);

	/* console login: login(1) under agetty's pid */
	fp_stat(&t.fp, 250, "login", 'S', 1, 250, 250, 0, 0x400100, 950);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.service, SVC_LOGIN);

	/* no known service before PID 1 */
	fp_stat(&t.fp, 250, "xterm", 'S', 240, 250, 250, 0, 0x400000, 950);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.service, SVC_OTHER);
	assert_int_equal(s.service_pid, 0);
	assert_string_equal(session_service_name(s.service), "other");

	/* docker exec: the leader is in a container, under the shim, in other namespaces */
	fp_stat(&t.fp, 250, "containerd-shim", 'S', 1, 250, 250, 0, 0x400100, 950);
	fp_text(&t.fp, 300, "cgroup",
		"0::/system.slice/docker-"
		"4f3c2b1a09876543210fedcba9876543210fedcba9876543210fedcba9876543.scope\n");
	fp_status(&t.fp, 300, "bash", 0, 0, "0", "300\t7");
	fp_ns(&t.fp, 300, "pid", 4026532500ull);
	fp_ns(&t.fp, 300, "mnt", 4026532501ull);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.service, SVC_CONTAINER);
	assert_string_equal(s.container_str, "docker:4f3c2b1a0987");
	assert_false(s.host_pidns);
	assert_false(s.host_mntns);
	assert_int_equal(s.leader_nspid, 7);

	/* unshare(1) or bwrap: other namespaces, no runtime in the cgroup path */
	fp_text(&t.fp, 300, "cgroup", "0::/user.slice/user-0.slice/session-4.scope\n");
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_string_equal(s.container_str, "pidns:4026532500");
	/* only the mount namespace differs */
	fp_ns(&t.fp, 300, "pid", 4026531836ull);
	assert_int_equal(session_resolve(&t.o, 300, &t.pty.key, t.pty.kname, &s, err, sizeof(err)),
			 0);
	assert_true(s.host_pidns);
	assert_string_equal(s.container_str, "mntns:4026532501");
	tree_free(&t);
}

/* ---- a real session --------------------------------------------------------- */

static void test_real_session(void **state)
{
	struct session_info s, me;
	struct session_opts o = {.utmp_path = ""};
	struct container_id c;
	struct pty p;
	struct tty_key k;
	char err[256] = "";
	struct stat st;
	pid_t pid, fpid;
	uint64_t ino;
	int fd, fdn, pdir;

	pty_open(&p);
	pid = pty_spawn_leader(&p, false);
	if (session_resolve(&o, pid, &p.key, p.kname, &s, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(s.sid, pid);
	assert_int_equal(s.uid, getuid());
	assert_string_equal(s.tty, p.name);
	assert_string_equal(s.leader_comm, "test_session");
	assert_int_equal(s.tty_pid, pid);
	assert_true(s.leader_start > 0);
	assert_true(procfs_read_ns(NULL, getpid(), "pid", &ino) == 0);
	assert_int_equal(s.host_pidns, ino == PROCFS_INIT_PIDNS_INO);
	assert_true(s.host_mntns);
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

	assert_int_equal(session_find_tty_fd(NULL, pid, &p.key, &fpid, &fdn), 0);
	assert_int_equal(fpid, pid);
	fd = session_open_tty(NULL, pid, &p.key, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(session_key_matches(&p.key, &st));
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	/* not this devpts instance: nothing to open */
	k = p.key;
	k.devpts ^= 1;
	assert_int_equal(session_open_tty(NULL, pid, &k, O_WRONLY), -ENOENT);
	/* we are not a session leader on that PTY */
	assert_true(session_resolve(&o, getpid(), &p.key, p.kname, &me, err, sizeof(err)) < 0);

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(session_resolve(&o, pid, &p.key, p.kname, &s, err, sizeof(err)), -ESRCH);
	assert_non_null(strstr(err, "gone"));
	pty_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dev_conversion),
	    cmocka_unit_test(test_key_matches),
	    cmocka_unit_test(test_tty_name),
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_ssh_env),
	    cmocka_unit_test(test_fake_sshd_session),
	    cmocka_unit_test(test_fake_remote_fallbacks),
	    cmocka_unit_test(test_fake_rejects),
	    cmocka_unit_test(test_fake_member_fd_and_origins),
	    cmocka_unit_test(test_real_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
