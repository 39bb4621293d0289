/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A procfs-shaped directory tree in a temp dir, for the code that takes a
 * proc_root argument. Files are written in the kernel's formats (stat has all
 * 52 fields), fd/N and ns/TYPE are symlinks like procfs's, so the code under
 * test parses and stats real files. Header-only: every function is static.
 */
#ifndef TTYIDLE_TEST_FAKEPROC_H
#define TTYIDLE_TEST_FAKEPROC_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fakeproc {
	char root[PATH_MAX];
};

static __attribute__((unused)) void fp_die(const char *what)
{
	fprintf(stderr, "fakeproc: %s: %s\n", what, strerror(errno));
	abort();
}

static void __attribute__((unused, format(printf, 3, 4)))
fp_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if ((size_t)vsnprintf(out, len, fmt, ap) >= len)
		abort();
	va_end(ap);
}

static __attribute__((unused)) void fp_init(struct fakeproc *fp)
{
	const char *tmp = getenv("TMPDIR");

	fp_path(fp->root, sizeof(fp->root), "%s/ttyidle-fakeproc.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(fp->root))
		fp_die("mkdtemp");
}

static __attribute__((unused)) int fp_rm(const char *path, const struct stat *st, int flag,
					 struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static __attribute__((unused)) void fp_cleanup(struct fakeproc *fp)
{
	if (fp->root[0])
		nftw(fp->root, fp_rm, 16, FTW_DEPTH | FTW_PHYS);
	fp->root[0] = 0;
}

static __attribute__((unused)) void fp_mkdirs(struct fakeproc *fp, int pid)
{
	char p[PATH_MAX];

	fp_path(p, sizeof(p), "%s/%d", fp->root, pid);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		fp_die(p);
	fp_path(p, sizeof(p), "%s/%d/fd", fp->root, pid);
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		fp_die(p);
	fp_path(p, sizeof(p), "%s/%d/ns", fp->root, pid);
	if (mkdir(p, 0711) < 0 && errno != EEXIST)
		fp_die(p);
}

static __attribute__((unused)) void fp_file(struct fakeproc *fp, int pid, const char *name,
					    const void *data, size_t len)
{
	char p[PATH_MAX];
	int fd;

	fp_mkdirs(fp, pid);
	fp_path(p, sizeof(p), "%s/%d/%s", fp->root, pid, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fp_die(p);
	if (write(fd, data, len) != (ssize_t)len)
		fp_die(p);
	close(fd);
}

static __attribute__((unused)) void fp_text(struct fakeproc *fp, int pid, const char *name,
					    const char *text)
{
	fp_file(fp, pid, name, text, strlen(text));
}

/* /proc/PID/stat as fs/proc/array.c prints it. */
static __attribute__((unused)) void fp_stat(struct fakeproc *fp, int pid, const char *comm,
					    char state, int ppid, int pgrp, int sid,
					    unsigned int tty_nr, unsigned int flags,
					    unsigned long long starttime)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "%d (%s) %c %d %d %d %d %d %u 120 0 0 0 3 1 0 0 20 0 1 0 %llu 8794112 896 "
		 "18446744073709551615 94000000000000 94000000100000 140720000000000 0 0 0 65536 "
		 "3670020 0 0 0 17 1 0 0 0 0 0 94000000200000 94000000300000 94000001000000 "
		 "140720000001000 140720000002000 140720000002000 140720000003000 0\n",
		 pid, comm, state, ppid, pgrp, sid, (int)tty_nr, pgrp, flags, starttime);
	fp_text(fp, pid, "stat", buf);
}

/* The lines of /proc/PID/status that matter, among some that do not. */
static __attribute__((unused)) void fp_status(struct fakeproc *fp, int pid, const char *name,
					      unsigned int uid, unsigned int gid,
					      const char *groups, const char *nspid)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		 "PPid:\t1\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		 "FDSize:\t64\nGroups:\t%s\nNStgid:\t%s\nNSpid:\t%s\nNSpgid:\t%s\nNSsid:\t%s\n"
		 "VmPeak:\t    9800 kB\nThreads:\t1\nSigQ:\t0/63438\nCapEff:\t0000000000000000\n",
		 name, pid, pid, uid, uid, uid, uid, gid, gid, gid, gid, groups, nspid, nspid,
		 nspid, nspid);
	fp_text(fp, pid, "status", buf);
}

/* status with distinct real and effective uids (saved and filesystem = effective). */
static __attribute__((unused)) void fp_status_ids(struct fakeproc *fp, int pid, const char *name,
						  unsigned int ruid, unsigned int euid,
						  unsigned int gid, const char *groups,
						  const char *nspid)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		 "PPid:\t1\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		 "FDSize:\t64\nGroups:\t%s\nNStgid:\t%s\nNSpid:\t%s\nNSpgid:\t%s\nNSsid:\t%s\n"
		 "VmPeak:\t    9800 kB\nThreads:\t1\nSigQ:\t0/63438\nCapEff:\t0000000000000000\n",
		 name, pid, pid, ruid, euid, euid, euid, gid, gid, gid, gid, groups, nspid, nspid,
		 nspid, nspid);
	fp_text(fp, pid, "status", buf);
}

/* exe -> target, as procfs shows the executable (a symlink; the target need not exist). */
static __attribute__((unused)) void fp_exe(struct fakeproc *fp, int pid, const char *target)
{
	char p[PATH_MAX];

	fp_mkdirs(fp, pid);
	fp_path(p, sizeof(p), "%s/%d/exe", fp->root, pid);
	unlink(p);
	if (symlink(target, p) < 0)
		fp_die(p);
}

/* fd/N -> target, as procfs shows an open file (a symlink that stat follows). */
static __attribute__((unused)) void fp_fd(struct fakeproc *fp, int pid, int fd, const char *target)
{
	char p[PATH_MAX];

	fp_mkdirs(fp, pid);
	fp_path(p, sizeof(p), "%s/%d/fd/%d", fp->root, pid, fd);
	unlink(p);
	if (symlink(target, p) < 0)
		fp_die(p);
}

static __attribute__((unused)) void fp_ns(struct fakeproc *fp, int pid, const char *type,
					  unsigned long long ino)
{
	char p[PATH_MAX], t[64];

	fp_mkdirs(fp, pid);
	fp_path(p, sizeof(p), "%s/%d/ns/%s", fp->root, pid, type);
	snprintf(t, sizeof(t), "%s:[%llu]", type, ino);
	unlink(p);
	if (symlink(t, p) < 0)
		fp_die(p);
}

static __attribute__((unused)) void fp_remove(struct fakeproc *fp, int pid, const char *name)
{
	char p[PATH_MAX];

	fp_path(p, sizeof(p), "%s/%d/%s", fp->root, pid, name);
	if (unlink(p) < 0)
		fp_die(p);
}

#endif /* TTYIDLE_TEST_FAKEPROC_H */
