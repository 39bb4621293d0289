// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "host/preflight.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static const struct {
	int bit;
	const char *name;
} cap_names[] = {
    {CAPN_DAC_OVERRIDE, "CAP_DAC_OVERRIDE"}, {CAPN_KILL, "CAP_KILL"},
    {CAPN_SYS_PTRACE, "CAP_SYS_PTRACE"},     {CAPN_SYS_ADMIN, "CAP_SYS_ADMIN"},
    {CAPN_PERFMON, "CAP_PERFMON"},	     {CAPN_BPF, "CAP_BPF"},
};

int caps_parse_status(const char *text, uint64_t *capeff)
{
	const char *p = strstr(text, "\nCapEff:");
	char *end;

	if (!p)
		return -EINVAL;
	p += strlen("\nCapEff:");
	errno = 0;
	*capeff = strtoull(p, &end, 16);
	if (errno || end == p)
		return -EINVAL;
	return 0;
}

int caps_missing(uint64_t have, uint64_t need, char *out, size_t outlen)
{
	size_t i, used = 0;
	int n = 0;

	if (outlen)
		out[0] = 0;
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		uint64_t bit = 1ULL << cap_names[i].bit;

		if (!(need & bit) || (have & bit))
			continue;
		if (used < outlen)
			used += snprintf(out + used, outlen - used, "%s%s", n ? ", " : "",
					 cap_names[i].name);
		n++;
	}
	return n;
}

int preflight_caps(const char *path, uint64_t need, char *err, size_t errlen)
{
	char buf[4096], missing[160];
	uint64_t have;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	n = read(fd, buf + 1, sizeof(buf) - 2);
	close(fd);
	if (n <= 0) {
		snprintf(err, errlen, "cannot read %s", path);
		return -EIO;
	}
	buf[0] = '\n';
	buf[n + 1] = 0;
	if (caps_parse_status(buf, &have)) {
		snprintf(err, errlen, "%s has no CapEff line", path);
		return -EINVAL;
	}
	if (caps_missing(have, need, missing, sizeof(missing)) == 0)
		return 0;
	snprintf(err, errlen, "missing capabilities %s (run as root)", missing);
	return -EPERM;
}

int preflight_btf(const char *path, char *err, size_t errlen)
{
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(err, errlen,
		 "kernel has no BTF (%s: %s): ttyidle needs a kernel built with "
		 "CONFIG_DEBUG_INFO_BTF=y",
		 path, strerror(errno));
	return -ENOTSUP;
}

int preflight_bpffs(const char *dir, char *err, size_t errlen)
{
	struct statfs sf;

	if (statfs(dir, &sf)) {
		int r = -errno;

		snprintf(err, errlen, "bpffs not mounted at %s (%s): mount -t bpf bpf %s", dir,
			 strerror(-r), dir);
		return r;
	}
	if ((unsigned long)sf.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen, "bpffs not mounted at %s: mount -t bpf bpf %s", dir, dir);
		return -ENOTSUP;
	}
	return 0;
}

int instance_lock(const char *path, int *fd, char *err, size_t errlen)
{
	char pid[32];
	ssize_t n;
	int f, r;

	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (f < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open lock file %s: %s", path, strerror(-r));
		return r;
	}
	if (flock(f, LOCK_EX | LOCK_NB)) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		n = pread(f, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		if (r == -EBUSY)
			snprintf(err, errlen,
				 "another ttyidle is already running (pid %s, lock %s)",
				 pid[0] ? pid : "?", path);
		else
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(-r));
		close(f);
		return r;
	}
	if (ftruncate(f, 0) == 0) {
		n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (pwrite(f, pid, n, 0) != n) {
			/* the lock still holds; the pid is only a courtesy */
		}
	}
	*fd = f;
	return 0;
}
