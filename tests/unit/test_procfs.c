// SPDX-License-Identifier: GPL-2.0
/* procfs parsers on kernel-format text, a fake proc tree, and the real /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fakeproc.h"
#include "host/procfs.h"

static int parse_stat_str(const char *s, struct proc_stat *st)
{
	return procfs_parse_stat(s, strlen(s), st);
}

static void test_stat_plain(void **state)
{
	struct proc_stat st;
	const char *line = "4031 (bash) S 2994 4031 2994 34816 4100 4194560 2395 4188 0 2 3 1 "
			   "8 6 20 0 1 0 123456789 8794112 1262 18446744073709551615 1 1 0 0 0 "
			   "0 65536 3686404 1266761467 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

	assert_int_equal(parse_stat_str(line, &st), 0);
	assert_int_equal(st.pid, 4031);
	assert_string_equal(st.comm, "bash");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 2994);
	assert_int_equal(st.pgrp, 4031);
	assert_int_equal(st.session, 2994);
	assert_int_equal(st.tty_nr, 34816); /* 136:0 */
	assert_int_equal(st.tpgid, 4100);
	assert_int_equal(st.flags, 4194560);
	assert_int_equal(st.starttime, 123456789ull);
	assert_false(procfs_is_kthread(&st));
}

static void test_stat_hostile_comm(void **state)
{
	struct proc_stat st;
	/* A process can name itself ") R 1 1 1 0 -1 2": parse to the last ')'. */
	const char *line = "77 () R 1 1 1 0 -1 2) S 5 6 7 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 "
			   "99 0 0\n";

	assert_int_equal(parse_stat_str(line, &st), 0);
	assert_string_equal(st.comm, ") R 1 1 1 0 -1 2");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 5);
	assert_int_equal(st.session, 7);
	assert_int_equal(st.tpgid, -1);
	assert_int_equal(st.starttime, 99);

	assert_int_equal(
	    parse_stat_str("9 (a b (c)) Z 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", &st), 0);
	assert_string_equal(st.comm, "a b (c)");
	assert_int_equal(st.state, 'Z');
}

static void test_stat_kthread(void **state)
{
	struct proc_stat st;

	assert_int_equal(parse_stat_str("123 (kworker/0:1-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 "
					"0 0 0 20 0 1 0 300 0 0",
					&st),
			 0);
	assert_true(st.flags & PROCFS_PF_KTHREAD);
	assert_true(procfs_is_kthread(&st));
	st.flags = 0;
	assert_true(procfs_is_kthread(&st)); /* ppid 2 */
	st.ppid = 1;
	assert_false(procfs_is_kthread(&st));
	st.pid = 2;
	assert_true(procfs_is_kthread(&st));
}

static void test_stat_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "12 bash S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",    /* no parens */
	    "12 (bash S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",   /* no ')' */
	    "12 (bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0",    /* no starttime */
	    "12 (bash) S 1 1 x 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",  /* junk session */
	    "12 (bash) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", /* state */
	    "x2 (bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
	    "0 (bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
	    "12 (bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999",
	    "12 (bash)  S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
	    "(bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
	};
	struct proc_stat st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_stat_str(bad[i], &st) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
	/* not NUL-terminated: the length is what counts */
	assert_int_equal(
	    procfs_parse_stat("1 (a) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777", 48, &st), 0);
	assert_int_equal(st.starttime, 77);
	assert_int_equal(
	    procfs_parse_stat("1 (a) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777", 46, &st),
	    -EINVAL);
}

static void test_status(void **state)
{
	struct proc_status ps;
	const char *s =
	    "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t1001\t1002\t1003\n"
	    "Gid:\t100\t101\t102\t103\nFDSize:\t256\nGroups:\t4 24 27 1000 \n"
	    "NStgid:\t5120\t7\nNSpid:\t5120\t7\nNSpgid:\t5120\t7\nNSsid:\t5000\t1\n";

	assert_int_equal(procfs_parse_status(s, strlen(s), &ps), 0);
	assert_int_equal(ps.uid[0], 1000);
	assert_int_equal(ps.uid[1], 1001);
	assert_int_equal(ps.uid[3], 1003);
	assert_int_equal(ps.gid[0], 100);
	assert_int_equal(ps.ngroups, 4);
	assert_int_equal(ps.groups[0], 4);
	assert_int_equal(ps.groups[3], 1000);
	assert_false(ps.groups_truncated);
	assert_int_equal(ps.nspid_n, 2);
	assert_int_equal(ps.nspid[0], 5120);
	assert_int_equal(ps.nspid[1], 7);
	assert_int_equal(ps.nssid_n, 2);
	assert_int_equal(ps.nssid[1], 1);

	s = "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n";
	assert_int_equal(procfs_parse_status(s, strlen(s), &ps), 0);
	assert_int_equal(ps.ngroups, 0);
	assert_true(ps.has_groups);
	assert_int_equal(ps.nspid_n, 0); /* kernel < 4.1 */

	s = "Name:\tx\nGid:\t0\t0\t0\t0\n";
	assert_int_equal(procfs_parse_status(s, strlen(s), &ps), -EINVAL);
	s = "Uid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
	assert_int_equal(procfs_parse_status(s, strlen(s), &ps), -EINVAL);
	s = "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t1 two\n";
	assert_int_equal(procfs_parse_status(s, strlen(s), &ps), -EINVAL);
}

static void test_status_many_groups(void **state)
{
	char buf[8192];
	struct proc_status ps;
	size_t o;
	int i;

	o = (size_t)snprintf(buf, sizeof(buf), "Uid:\t5\t5\t5\t5\nGid:\t5\t5\t5\t5\nGroups:\t");
	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%d ", 1000 + i);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\n");
	assert_int_equal(procfs_parse_status(buf, o, &ps), 0);
	assert_int_equal(ps.ngroups, PROCFS_MAX_GROUPS);
	assert_true(ps.groups_truncated);
	assert_int_equal(ps.groups[PROCFS_MAX_GROUPS - 1], 1000 + PROCFS_MAX_GROUPS - 1);
}

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_container(const char *path, const char *want)
{
	struct container_id c;
	char s[96];
	int r = procfs_cgroup_path_container(path, &c);

	procfs_container_str(&c, s, sizeof(s));
	if (r != (want[0] ? 1 : 0) || strcmp(s, want))
		fail_msg("%s: got %d \"%s\", want \"%s\"", path, r, s, want);
}

static void test_cgroup_paths(void **state)
{
	/* the host's own sessions */
	expect_container("/", "");
	expect_container("/init.scope", "");
	expect_container("/user.slice/user-1000.slice/session-3.scope", "");
	expect_container("/system.slice/sshd.service", "");
	expect_container("/system.slice/docker.service", ""); /* dockerd itself */
	expect_container("/machine.slice", "");
	expect_container("/lxc.monitor.web1", "");
	expect_container("/machine.slice/libpod-conmon-" ID64 ".scope", "");
	expect_container("/docker/not-an-id", "");
	expect_container("/system.slice/docker-" ID64 "x.scope", "");

	/* Docker: systemd and cgroupfs drivers */
	expect_container("/system.slice/docker-" ID64 ".scope", "docker:0123456789ab");
	expect_container("/docker/" ID64, "docker:0123456789ab");
	/* Podman: rootful, rootless, cgroupfs, a container running systemd */
	expect_container("/machine.slice/libpod-" ID64 ".scope", "podman:0123456789ab");
	expect_container("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
			 ".scope",
			 "podman:0123456789ab");
	expect_container("/libpod_parent/libpod-" ID64, "podman:0123456789ab");
	expect_container("/machine.slice/libpod-" ID64 ".scope/container/init.scope",
			 "podman:0123456789ab");
	/* Kubernetes: CRI-O and containerd, systemd and cgroupfs drivers */
	expect_container("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b_3c4d."
			 "slice/crio-" ID64 ".scope",
			 "crio:0123456789ab");
	expect_container("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod9.slice/"
			 "cri-containerd-" ID64 ".scope",
			 "containerd:0123456789ab");
	expect_container("/kubepods/burstable/pod1a2b3c4d-0000-1111-2222-333344445555/" ID64,
			 "k8s:0123456789ab");
	expect_container("/system.slice/nerdctl-" ID64 ".scope", "containerd:0123456789ab");
	expect_container("/default/" ID64, "container:0123456789ab");
	/* LXC / LXD / Incus, machined, nspawn */
	expect_container("/lxc.payload.web1", "lxc:web1");
	expect_container("/lxc.payload.web1/init.scope", "lxc:web1");
	expect_container("/lxc/old1", "lxc:old1");
	expect_container("/machine.slice/machine-deb12.scope", "machine:deb12");
	expect_container("/machine.slice/machine-lxc\\x2d1234\\x2dweb.scope",
			 "machine:lxc-1234-web");
	expect_container("/machine.slice/systemd-nspawn@arch.service/payload", "nspawn:arch");
	/* nested: the outermost one is what the host sees */
	expect_container("/lxc.payload.c1/docker/" ID64, "lxc:c1");
	/* hostile names stay printable */
	expect_container("/lxc.payload.a\033b", "lxc:a?b");
}

static void test_cgroup_file(void **state)
{
	struct container_id c;
	/* hybrid hierarchy: v2 says root, v1 controllers carry the container */
	const char *hybrid = "12:memory:/docker/" ID64 "\n9:name=systemd:/docker/" ID64 "\n0::/\n";
	const char *v2 = "0::/system.slice/docker-" ID64 ".scope\n";
	const char *host = "0::/user.slice/user-0.slice/session-1.scope\n";
	const char *v1host = "4:memory:/user.slice\n1:name=systemd:/user.slice/user-1000.slice/"
			     "session-2.scope\n";

	assert_int_equal(procfs_parse_cgroup(v2, strlen(v2), &c), 1);
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.name, "0123456789ab");
	assert_int_equal(procfs_parse_cgroup(hybrid, strlen(hybrid), &c), 1);
	assert_string_equal(c.runtime, "docker");
	assert_int_equal(procfs_parse_cgroup(host, strlen(host), &c), 0);
	assert_string_equal(c.runtime, "");
	assert_int_equal(procfs_parse_cgroup(v1host, strlen(v1host), &c), 0);
	assert_int_equal(procfs_parse_cgroup("garbage", 7, &c), -EINVAL);
	/* a ':' inside the path belongs to the path */
	assert_int_equal(procfs_parse_cgroup("0::/lxc.payload.a:b\n", 20, &c), 1);
	assert_string_equal(c.name, "a:b");
}

static void test_ns_link_and_cmdline(void **state)
{
	uint64_t ino = 0;
	char out[32];

	assert_int_equal(procfs_parse_ns_link("pid:[4026531836]", "pid", &ino), 0);
	assert_int_equal(ino, 4026531836ull);
	assert_int_equal(procfs_parse_ns_link("mnt:[4026531836]", "pid", &ino), -EINVAL);
	assert_int_equal(procfs_parse_ns_link("pid:[]", "pid", &ino), -EINVAL);
	assert_int_equal(procfs_parse_ns_link("pid:[12a]", "pid", &ino), -EINVAL);
	assert_int_equal(procfs_parse_ns_link("pid:4026531836", "pid", &ino), -EINVAL);

	procfs_cmdline_printable("vim\0a b.txt\0\0", 13, out, sizeof(out));
	assert_string_equal(out, "vim a b.txt");
	procfs_cmdline_printable("x\ny\033[2J\0", 9, out, sizeof(out));
	assert_string_equal(out, "x?y?[2J");
	procfs_cmdline_printable("0123456789012345678901234567890123456789", 40, out, 8);
	assert_string_equal(out, "0123456");
	procfs_cmdline_printable("", 0, out, sizeof(out));
	assert_string_equal(out, "");
}

/* ---- fake tree ---------------------------------------------------------- */

static void test_fake_tree_session_scan(void **state)
{
	struct fakeproc fp;
	struct proc_stat *v, st;
	size_t n;
	char junk[PATH_MAX];

	fp_init(&fp);
	fp_stat(&fp, 1, "systemd", 'S', 0, 1, 1, 0, 0x400100, 2);
	fp_stat(&fp, 2, "kthreadd", 'S', 0, 0, 0, 0, 0x208040, 2);
	fp_stat(&fp, 500, "bash", 'S', 400, 500, 500, 34819, 0x400000, 1000);
	fp_stat(&fp, 501, "vim (x)", 'S', 500, 501, 500, 34819, 0x400000, 1100);
	fp_stat(&fp, 507, "sleep", 'Z', 500, 507, 500, 34819, 0x400000, 1200);
	fp_stat(&fp, 90, "other", 'S', 1, 90, 90, 0, 0x400000, 50);
	/* vanished between readdir and open: directory without stat */
	fp_text(&fp, 502, "comm", "gone\n");
	/* non-process entries */
	fp_path(junk, sizeof(junk), "%s/self", fp.root);
	assert_int_equal(symlink("500", junk), 0);
	fp_path(junk, sizeof(junk), "%s/sys", fp.root);
	assert_int_equal(mkdir(junk, 0755), 0);
	fp_text(&fp, 503, "stat", "503 (broken\n");

	assert_int_equal(procfs_list_session(fp.root, 500, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].pid, 500);
	assert_int_equal(v[1].pid, 501);
	assert_string_equal(v[1].comm, "vim (x)");
	assert_int_equal(v[2].pid, 507);
	assert_int_equal(v[2].state, 'Z');
	free(v);

	assert_int_equal(procfs_list_session(fp.root, 4242, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(procfs_list_session(fp.root, 0, &v, &n), -EINVAL);

	assert_int_equal(procfs_read_stat(fp.root, 502, &st), -ESRCH);
	assert_int_equal(procfs_read_stat(fp.root, 9999, &st), -ESRCH);
	assert_int_equal(procfs_read_stat(fp.root, 503, &st), -EINVAL);
	fp_cleanup(&fp);
}

/* Through a view with a snapshot, listings come from the walk made at the first one. */
static void test_view_snapshot(void **state)
{
	struct fakeproc fp, fp2;
	struct proc_snapshot snap = {0}, snap2 = {0};
	struct proc_view pv, walk, pv2;
	struct proc_stat *v;
	size_t n;

	fp_init(&fp);
	fp_init(&fp2);
	pv = (struct proc_view){fp.root, &snap};
	walk = (struct proc_view){fp.root, NULL};
	pv2 = (struct proc_view){fp2.root, &snap2};
	fp_stat(&fp, 500, "bash", 'S', 400, 500, 500, 34819, 0x400000, 1000);
	fp_stat(&fp, 501, "vim", 'S', 500, 501, 500, 34819, 0x400000, 1100);
	fp_stat(&fp, 600, "bash", 'S', 400, 600, 600, 34820, 0x400000, 1000);
	fp_stat(&fp, 70, "cron", 'S', 1, 70, 70, 0, 0x400000, 10);
	fp_stat(&fp2, 500, "zsh", 'S', 1, 500, 500, 0, 0x400000, 5);

	assert_false(snap.taken);
	assert_int_equal(procfs_view_list_session(&pv, 500, &v, &n), 0);
	assert_true(snap.taken);
	assert_int_equal(snap.n, 4);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].pid, 500);
	assert_int_equal(v[1].pid, 501);
	free(v);
	/* a process forked after the walk is not in the snapshot's listings */
	fp_stat(&fp, 502, "make", 'S', 501, 502, 500, 34819, 0x400000, 1300);
	assert_int_equal(procfs_view_list_session(&pv, 500, &v, &n), 0);
	assert_int_equal(n, 2);
	free(v);
	/* a view without a snapshot walks every time */
	assert_int_equal(procfs_view_list_session(&walk, 500, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[2].pid, 502);
	free(v);
	assert_int_equal(procfs_view_list_session(&pv, 600, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].pid, 600);
	free(v);
	assert_int_equal(procfs_view_list_session(&pv, 4242, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(procfs_view_list_session(&pv, 70, &v, &n), 0);
	assert_int_equal(n, 1);
	free(v);
	/* another snapshot is another walk: nothing is shared */
	assert_int_equal(procfs_view_list_session(&pv2, 500, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].comm, "zsh");
	free(v);
	assert_int_equal(procfs_view_list_session(&pv, 0, &v, &n), -EINVAL);
	/* a refresh walks again into the same snapshot */
	assert_int_equal(procfs_view_refresh(&pv), 0);
	assert_int_equal(procfs_view_list_session(&pv, 500, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[2].pid, 502);
	free(v);
	assert_int_equal(procfs_view_refresh(&walk), 0);
	procfs_snapshot_free(&snap);
	assert_false(snap.taken);
	assert_null(snap.v);
	/* a failed walk leaves the snapshot as it was */
	assert_int_equal(procfs_snapshot_take(fp.root, &snap), 0);
	assert_int_equal(snap.n, 5);
	assert_true(procfs_snapshot_take("/nonexistent-ttyidle", &snap) < 0);
	assert_true(snap.taken);
	assert_int_equal(snap.n, 5);
	procfs_snapshot_free(&snap);
	procfs_snapshot_free(&snap2);
	fp_cleanup(&fp);
	fp_cleanup(&fp2);
}

static void test_fake_tree_files(void **state)
{
	struct fakeproc fp;
	struct proc_status ps;
	struct container_id c;
	char buf[256];
	uint64_t ino;
	int pdir;
	const char env[] = "HOME=/root\0SSH_CONNECTIONX=9\0SSH_CONNECTION=192.0.2.1 5 192.0.2.2 22"
			   "\0LAST=1";

	fp_init(&fp);
	fp_stat(&fp, 700, "sh", 'S', 1, 700, 700, 0, 0x400000, 5);
	fp_status(&fp, 700, "sh", 1000, 1000, "27 1000", "700\t1");
	fp_file(&fp, 700, "cmdline", "/bin/sh\0-c\0echo hi\0", 19);
	fp_text(&fp, 700, "comm", "sh\n");
	fp_text(&fp, 700, "cgroup", "0::/lxc.payload.box\n");
	fp_file(&fp, 700, "environ", env, sizeof(env) - 1);
	fp_ns(&fp, 700, "pid", 4026532100ull);

	pdir = procfs_open_pid(fp.root, 700);
	assert_true(pdir >= 0);
	assert_int_equal(procfs_read_status_at(pdir, &ps), 0);
	assert_int_equal(ps.uid[0], 1000);
	assert_int_equal(ps.ngroups, 2);
	assert_int_equal(ps.nspid[ps.nspid_n - 1], 1);
	assert_int_equal(procfs_read_cmdline_at(pdir, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/bin/sh -c echo hi");
	assert_int_equal(procfs_read_comm_at(pdir, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sh");
	assert_int_equal(procfs_read_container_at(pdir, &c), 1);
	assert_string_equal(c.runtime, "lxc");
	assert_string_equal(c.name, "box");
	assert_int_equal(procfs_read_ns_at(pdir, "pid", &ino), 0);
	assert_int_equal(ino, 4026532100ull);
	assert_int_equal(procfs_read_ns_at(pdir, "mnt", &ino), -ESRCH);
	assert_int_equal(procfs_read_environ_at(pdir, "SSH_CONNECTION", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "192.0.2.1 5 192.0.2.2 22");
	assert_int_equal(procfs_read_environ_at(pdir, "LAST", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "1");
	assert_int_equal(procfs_read_environ_at(pdir, "SSH_CLIENT", buf, sizeof(buf)), 0);
	assert_int_equal(procfs_read_environ_at(pdir, "HOME", buf, 4), 1);
	assert_string_equal(buf, "/ro");
	close(pdir);
	fp_cleanup(&fp);
}

/* ---- the real /proc ------------------------------------------------------ */

static void test_real_self(void **state)
{
	struct proc_stat st;
	struct proc_status ps;
	char buf[256], link[64];
	uint64_t ino, ino2;
	ssize_t n;
	int pdir;

	assert_int_equal(procfs_read_stat(NULL, getpid(), &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.pgrp, getpgrp());
	assert_int_equal(st.session, getsid(0));
	assert_int_equal(st.state, 'R');
	assert_true(st.starttime > 0);
	assert_false(procfs_is_kthread(&st));

	pdir = procfs_open_pid(NULL, getpid());
	assert_true(pdir >= 0);
	assert_int_equal(procfs_read_status_at(pdir, &ps), 0);
	assert_int_equal(ps.uid[0], getuid());
	assert_int_equal(ps.uid[1], geteuid());
	assert_int_equal(ps.gid[0], getgid());
	if (ps.nspid_n)
		assert_int_equal(ps.nspid[0], getpid());
	assert_int_equal(procfs_read_comm_at(pdir, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "test_procfs");
	assert_int_equal(procfs_read_cmdline_at(pdir, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "test_procfs"));
	assert_int_equal(procfs_read_ns_at(pdir, "pid", &ino), 0);
	n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = 0;
	assert_int_equal(procfs_parse_ns_link(link, "pid", &ino2), 0);
	assert_int_equal(ino, ino2);
	close(pdir);
}

/* The scan runs in a child that starts its own session: the test runner may
 * sit in a session whose leader is outside its PID namespace (getsid() == 0
 * in CI containers), and a fresh session has exactly one known member. */
static int session_list_child(void)
{
	struct proc_stat *v;
	size_t n;
	pid_t sid = setsid();

	if (sid != getpid())
		return 10;
	if (procfs_list_session(NULL, sid, &v, &n) != 0)
		return 11;
	if (n != 1 || v[0].pid != getpid() || v[0].session != sid)
		return 12;
	free(v);
	if (procfs_list_session(NULL, 0, &v, &n) != -EINVAL)
		return 13;
	return 0;
}

static void test_real_session_list(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(session_list_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_real_environ_stream(void **state)
{
	/* A child exec'ed with a big environment: the variable sits after 10 KiB. */
	static char big[10000], *envp[4];
	char buf[128];
	int pdir, r = 0;
	pid_t pid;

	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "BIG=", 4);
	envp[0] = big;
	envp[1] = "SSH_CLIENT=2001:db8::7 50000 22";
	envp[2] = "Z=1";
	envp[3] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"sleep", "30", NULL};
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* kept across exec */
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	/* wait for the exec to have set up the new environment (comm changes earlier) */
	for (int i = 0; i < 500; i++) {
		int fd = procfs_open_pid(NULL, pid);

		assert_true(fd >= 0);
		r = procfs_read_environ_at(fd, "Z", buf, sizeof(buf));
		close(fd);
		if (r == 1)
			break;
		usleep(10000);
	}
	pdir = procfs_open_pid(NULL, pid);
	assert_true(pdir >= 0);
	assert_int_equal(procfs_read_environ_at(pdir, "SSH_CLIENT", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "2001:db8::7 50000 22");
	assert_int_equal(procfs_read_environ_at(pdir, "Z", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "1");
	assert_int_equal(procfs_read_environ_at(pdir, "BIG", buf, sizeof(buf)), 0);

	/* the directory fd keeps naming that process: after it is reaped, -ESRCH */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(procfs_read_stat_at(pdir, &(struct proc_stat){0}), -ESRCH);
	assert_int_equal(procfs_read_stat(NULL, pid, &(struct proc_stat){0}), -ESRCH);
	close(pdir);
}

/* /proc/PID/sessionid and loginuid: a number, or (u32)-1 for unset */
static void test_audit_ids(void **state)
{
	struct fakeproc fp;
	long long sid, luid;

	(void)state;
	assert_int_equal(procfs_parse_audit_id("7", &sid), 0);
	assert_true(sid == 7);
	assert_int_equal(procfs_parse_audit_id("0\n", &sid), 0);
	assert_true(sid == 0); /* root's loginuid */
	assert_int_equal(procfs_parse_audit_id("4294967295", &sid), 0);
	assert_true(sid == -1);
	assert_int_equal(procfs_parse_audit_id("4294967296", &sid), -EINVAL);
	assert_int_equal(procfs_parse_audit_id("-1", &sid), -EINVAL);
	assert_int_equal(procfs_parse_audit_id("", &sid), -EINVAL);
	assert_int_equal(procfs_parse_audit_id("12x", &sid), -EINVAL);
	assert_true(sid == -1);

	fp_init(&fp);
	fp_text(&fp, 300, "sessionid", "12");
	fp_text(&fp, 300, "loginuid", "1000");
	assert_int_equal(procfs_read_audit_ids(fp.root, 300, &sid, &luid), 0);
	assert_true(sid == 12 && luid == 1000);
	/* never set (a daemon's process, no pam_loginuid) */
	fp_text(&fp, 301, "sessionid", "4294967295");
	fp_text(&fp, 301, "loginuid", "4294967295");
	assert_int_equal(procfs_read_audit_ids(fp.root, 301, &sid, &luid), 0);
	assert_true(sid == -1 && luid == -1);
	/* a kernel without CONFIG_AUDIT: no files, both unknown */
	fp_text(&fp, 302, "comm", "x\n");
	assert_int_equal(procfs_read_audit_ids(fp.root, 302, &sid, &luid), 0);
	assert_true(sid == -1 && luid == -1);
	/* gone */
	assert_int_equal(procfs_read_audit_ids(fp.root, 303, &sid, &luid), -ESRCH);
	fp_cleanup(&fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_audit_ids),
	    cmocka_unit_test(test_stat_plain),
	    cmocka_unit_test(test_stat_hostile_comm),
	    cmocka_unit_test(test_stat_kthread),
	    cmocka_unit_test(test_stat_malformed),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_status_many_groups),
	    cmocka_unit_test(test_cgroup_paths),
	    cmocka_unit_test(test_cgroup_file),
	    cmocka_unit_test(test_ns_link_and_cmdline),
	    cmocka_unit_test(test_fake_tree_session_scan),
	    cmocka_unit_test(test_view_snapshot),
	    cmocka_unit_test(test_fake_tree_files),
	    cmocka_unit_test(test_real_self),
	    cmocka_unit_test(test_real_session_list),
	    cmocka_unit_test(test_real_environ_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
