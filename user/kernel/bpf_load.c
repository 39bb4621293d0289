// SPDX-License-Identifier: GPL-2.0
/*
 * Getting the BPF side into the kernel, or finding it already there.
 *
 * Maps and links are pinned under TTYIDLE_PIN_DIR so observation goes on
 * while the daemon restarts; a restarted daemon adopts the pinned links and
 * maps instead of loading again, so no idle history is lost.
 *
 * Over 600 lines because attach, adopt and unload share one pin layout and
 * one cleanup path (a half-made tracefs kretprobe, links that cannot be
 * pinned before 5.15): split, each half would have to restate the other's
 * invariants.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel/bpf_load.h"
#include "ttyidle.skel.h"

#define LINK_PREFIX "link_"

static bool libbpf_verbose;
static bool saw_reuse_failure;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];
	va_list aq;

	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(aq, ap);
	vsnprintf(line, sizeof(line), fmt, aq);
	va_end(aq);
	/* the one libbpf failure our own error line cannot name by itself */
	if (strstr(line, "couldn't reuse pinned map"))
		saw_reuse_failure = true;
	/* otherwise libbpf's chatter is for debugging; our errors say what failed */
	if (libbpf_verbose)
		vfprintf(stderr, fmt, ap);
	return 0;
}

const char *attach_mode_name(enum attach_mode m)
{
	switch (m) {
	case ATTACH_FENTRY:
		return "fentry";
	case ATTACH_KPROBE:
		return "kprobe";
	default:
		return "auto";
	}
}

int attach_mode_parse(const char *s, enum attach_mode *out)
{
	if (!strcmp(s, "auto"))
		*out = ATTACH_NONE;
	else if (!strcmp(s, "fentry"))
		*out = ATTACH_FENTRY;
	else if (!strcmp(s, "kprobe"))
		*out = ATTACH_KPROBE;
	else
		return -EINVAL;
	return 0;
}

static void pin_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", TTYIDLE_PIN_DIR, name);
}

static int count_link_pins(void)
{
	DIR *d = opendir(TTYIDLE_PIN_DIR);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
			n++;
	closedir(d);
	return n;
}

static void kretprobes_remove(void);

/* The links go with their pins, and their tracefs kretprobe with them. */
static void unpin_links(void)
{
	DIR *d = opendir(TTYIDLE_PIN_DIR);
	struct dirent *de;
	char path[512];

	if (d) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
				continue;
			pin_path(path, sizeof(path), de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	kretprobes_remove();
}

static int expected_links(enum attach_mode m)
{
	return m == ATTACH_FENTRY ? 5 : m == ATTACH_KPROBE ? 4 : 0;
}

int ctl_read(const struct bpf_state *st, struct ttyidle_ctl *out)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(st->ctl_fd, &zero, out))
		return -errno;
	return 0;
}

int ctl_write(const struct bpf_state *st, const struct ttyidle_ctl *in)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(st->ctl_fd, &zero, in, BPF_ANY))
		return -errno;
	return 0;
}

int map_walk(int fd, size_t keysz, size_t valsz, map_walk_fn fn, void *ctx)
{
	unsigned char *buf = malloc(2 * keysz + valsz), *prev, *next, *tmp, *val;
	bool first = true;
	int r = 0, err = 0;

	if (!buf)
		return -ENOMEM;
	prev = buf;
	next = buf + keysz;
	val = valsz ? buf + 2 * keysz : NULL;
	while (bpf_map_get_next_key(fd, first ? NULL : prev, next) == 0) {
		first = false;
		if (!val || bpf_map_lookup_elem(fd, next, val) == 0) {
			r = fn(next, val, ctx);
			if (r)
				break;
		}
		tmp = prev;
		prev = next;
		next = tmp;
	}
	/* errno, not the return: libbpf before 1.0 returns -1 */
	if (!r && errno != ENOENT)
		err = -errno;
	free(buf);
	return r ? r : err;
}

int stats_read(const struct bpf_state *st, struct ttyidle_stats *out)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(st->stats_fd, &zero, out))
		return -errno;
	return 0;
}

/* recursion_misses of the program behind one link fd, added to *sum */
static int link_misses(int link_fd, uint64_t *sum)
{
	struct bpf_link_info li = {};
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(li);
	int pfd, r = 0;

	if (bpf_obj_get_info_by_fd(link_fd, &li, &len))
		return -errno;
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0)
		return -errno;
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len))
		r = -errno;
	else
		*sum += pi.recursion_misses; /* 0 before 5.12, which does not count */
	close(pfd);
	return r;
}

int bpf_prog_misses(const struct bpf_state *st, uint64_t *out)
{
	DIR *d = opendir(TTYIDLE_PIN_DIR);
	struct dirent *de;
	char path[512];
	uint64_t sum = 0;
	int i, fd, r = 0;

	if (!d)
		return -errno;
	while (!r && (de = readdir(d))) {
		if (strncmp(de->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
			continue;
		pin_path(path, sizeof(path), de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			r = -errno;
			break;
		}
		r = link_misses(fd, &sum);
		close(fd);
	}
	closedir(d);
	for (i = 0; !r && st && i < st->nlinks; i++)
		r = link_misses(bpf_link__fd(st->links[i]), &sum);
	if (!r)
		*out = sum;
	return r;
}

static int open_pin(const char *name, int *fd)
{
	char path[512];

	pin_path(path, sizeof(path), name);
	*fd = bpf_obj_get(path);
	return *fd < 0 ? -errno : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Unpinnable links die with us, and so must their tracefs kretprobes. */
static void destroy_links(struct bpf_state *st)
{
	bool had = st->nlinks > 0;

	while (st->nlinks > 0)
		bpf_link__destroy(st->links[--st->nlinks]);
	if (had)
		kretprobes_remove();
}

static void state_init(struct bpf_state *st)
{
	memset(st, 0, sizeof(*st));
	st->ttys_fd = st->armed_fd = st->events_fd = st->ctl_fd = st->stats_fd = -1;
	st->ending_fd = -1;
}

/*
 * Pins of another map layout must be refused before anything else is opened
 * or read: a `ctl` value of another size would not fit struct ttyidle_ctl,
 * and a map missing from the old layout would read as "nothing pinned" and
 * let `run` detach the old daemon's programs. The layout number is the first
 * field of `ctl` in every layout.
 */
static int check_layout(struct bpf_state *st, char *err, size_t errlen)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, abi;
	unsigned char v[256];

	if (bpf_obj_get_info_by_fd(st->ctl_fd, &info, &len)) {
		snprintf(err, errlen, "cannot inspect %s/ctl: %s", TTYIDLE_PIN_DIR,
			 strerror(errno));
		return -errno;
	}
	if (info.value_size < sizeof(abi) || info.value_size > sizeof(v)) {
		snprintf(err, errlen, "cannot read %s/ctl: unknown layout", TTYIDLE_PIN_DIR);
		return -EPROTO;
	}
	/* a failed read says nothing of the layout: not -EPROTO, which callers
	 * take for "another layout" (unload --if-incompatible removes those) */
	if (bpf_map_lookup_elem(st->ctl_fd, &zero, v)) {
		int r = -errno;

		snprintf(err, errlen, "cannot read %s/ctl: %s", TTYIDLE_PIN_DIR, strerror(-r));
		return r == -EPROTO || r == -ENOENT ? -EIO : r;
	}
	memcpy(&abi, v, sizeof(abi));
	if (abi != TTYIDLE_ABI) {
		snprintf(err, errlen,
			 "maps pinned under %s have layout %u, this ttyidle reads %u: run "
			 "`ttyidle unload` first",
			 TTYIDLE_PIN_DIR, abi, TTYIDLE_ABI);
		return -EPROTO;
	}
	if (info.value_size != sizeof(struct ttyidle_ctl)) {
		snprintf(err, errlen,
			 "%s/ctl holds %u-byte values, this ttyidle writes %zu: run `ttyidle "
			 "unload` first",
			 TTYIDLE_PIN_DIR, info.value_size, sizeof(struct ttyidle_ctl));
		return -EPROTO;
	}
	return 0;
}

int bpf_maps_open_pinned(struct bpf_state *st, char *err, size_t errlen)
{
	struct ttyidle_ctl c;
	int r;

	state_init(st);
	r = open_pin("ctl", &st->ctl_fd);
	if (!r && (r = check_layout(st, err, errlen)))
		goto fail;
	if (r || (r = open_pin("ttys", &st->ttys_fd)) || (r = open_pin("armed", &st->armed_fd)) ||
	    (r = open_pin("events", &st->events_fd)) || (r = open_pin("stats", &st->stats_fd))) {
		if (r == -ENOENT)
			snprintf(err, errlen, "nothing pinned under %s: is `ttyidle run` started?",
				 TTYIDLE_PIN_DIR);
		else
			snprintf(err, errlen, "cannot open pinned maps under %s: %s",
				 TTYIDLE_PIN_DIR, strerror(-r));
		goto fail;
	}
	if ((r = ctl_read(st, &c))) {
		snprintf(err, errlen, "cannot read %s/ctl: %s", TTYIDLE_PIN_DIR, strerror(-r));
		goto fail;
	}
	/* pins of a version before `ending` have none: -1, not an error */
	if ((r = open_pin("ending", &st->ending_fd)) && r != -ENOENT) {
		snprintf(err, errlen, "cannot open %s/ending: %s", TTYIDLE_PIN_DIR, strerror(-r));
		goto fail;
	}
	st->mode = c.mode;
	return 0;
fail:
	bpf_state_close(st);
	return r;
}

void bpf_state_close(struct bpf_state *st)
{
	close_fd(&st->ttys_fd);
	close_fd(&st->armed_fd);
	close_fd(&st->events_fd);
	close_fd(&st->ctl_fd);
	close_fd(&st->stats_fd);
	close_fd(&st->ending_fd);
	/* unpinnable links die with us; pinned ones live on in bpffs */
	destroy_links(st);
	if (st->skel) {
		ttyidle_bpf__destroy(st->skel);
		st->skel = NULL;
	}
}

/* Number of parameters of a kernel function, from the running kernel's BTF. */
static int btf_func_nargs(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return btf_vlen(t);
}

struct sigs {
	int write_nargs; /* tty_write: 4 before 5.11, 2 after */
	int read_nargs;	 /* n_tty_read: 4 before 5.11, 6 after */
};

static int probe_sigs(struct sigs *s, char *err, size_t errlen)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int r = 0;

	if (!btf) {
		r = -errno;
		snprintf(err, errlen, "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s",
			 strerror(-r));
		return r;
	}
	s->write_nargs = btf_func_nargs(btf, "tty_write");
	s->read_nargs = btf_func_nargs(btf, "n_tty_read");
	if (s->write_nargs < 0 || s->read_nargs < 0) {
		/* Debian's arm64 5.10 lists no tty_write: nothing to hook by that name */
		snprintf(err, errlen,
			 "the kernel's BTF (/sys/kernel/btf/vmlinux) has no function %s: this "
			 "kernel cannot be traced by ttyidle",
			 s->write_nargs < 0 ? "tty_write" : "n_tty_read");
		r = -ENOTSUP;
	} else if (s->write_nargs != 2 && s->write_nargs != 4) {
		snprintf(err, errlen, "kernel BTF: tty_write has %d parameters, expected 2 or 4",
			 s->write_nargs);
		r = -ENOTSUP;
	} else if (s->read_nargs != 4 && s->read_nargs != 6) {
		snprintf(err, errlen, "kernel BTF: n_tty_read has %d parameters, expected 4 or 6",
			 s->read_nargs);
		r = -ENOTSUP;
	}
	btf__free(btf);
	return r;
}

static void select_programs(struct ttyidle_bpf *skel, enum attach_mode mode, const struct sigs *s)
{
	struct bpf_program *p;
	bool f = mode == ATTACH_FENTRY, k = mode == ATTACH_KPROBE;

	bpf_object__for_each_program(p, skel->obj) bpf_program__set_autoload(p, false);
	bpf_program__set_autoload(skel->progs.fentry_n_tty_write, f);
	bpf_program__set_autoload(skel->progs.fentry_devpts_new_index, f);
	bpf_program__set_autoload(skel->progs.fentry_devpts_kill_index, f);
	bpf_program__set_autoload(skel->progs.fexit_n_tty_read, f && s->read_nargs == 6);
	bpf_program__set_autoload(skel->progs.fexit_n_tty_read_old, f && s->read_nargs == 4);
	bpf_program__set_autoload(skel->progs.fentry_tty_release_struct, f);
	bpf_program__set_autoload(skel->progs.kprobe_tty_write, k);
	bpf_program__set_autoload(skel->progs.kprobe_n_tty_read, k);
	bpf_program__set_autoload(skel->progs.kretprobe_n_tty_read, k);
	bpf_program__set_autoload(skel->progs.kprobe_tty_release_struct, k);
}

/*
 * A kretprobe made through tracefs, with room for KRETPROBE_MAXACTIVE
 * concurrent calls. Every shell waiting at its prompt sits inside
 * n_tty_read and holds one instance until it returns; the perf PMU's
 * default pool (max(10, 2 x CPUs), or one per CPU without preemption) would
 * run dry on any busy host and silently drop the returns of everyone else.
 * Returns a perf event fd, or -errno (the caller then uses the default pool).
 */
#define KRETPROBE_MAXACTIVE 4096
#define KPROBE_GROUP	    "ttyidle"

static const char *tracefs_dir(void)
{
	return access("/sys/kernel/tracing/kprobe_events", W_OK) == 0 ? "/sys/kernel/tracing"
								      : "/sys/kernel/debug/tracing";
}

static int kprobe_events_write(const char *line)
{
	char path[256];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs_dir());
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/*
 * Remove our tracefs kretprobes once nothing uses them. The kernel refuses
 * with EBUSY while a perf event holds one; a link released by unlinking its
 * pin may let go a moment after unlink() returns, so this waits a little
 * (teardown paths only, never the event loop). Pins still in place keep the
 * event busy, which is right: an adopting daemon needs it.
 */
static void kretprobes_remove(void)
{
	static const char *const funcs[] = {"n_tty_read"};
	const struct timespec pause = {.tv_nsec = 10 * 1000 * 1000};
	char line[128];
	size_t i;
	int tries;

	pin_path(line, sizeof(line), LINK_PREFIX "kretprobe_n_tty_read");
	if (access(line, F_OK) == 0)
		return;
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		snprintf(line, sizeof(line), "-:%s/%s_ret\n", KPROBE_GROUP, funcs[i]);
		for (tries = 0; tries < 50 && kprobe_events_write(line) == -EBUSY; tries++)
			nanosleep(&pause, NULL);
	}
}

static int kretprobe_tracefs(const char *func)
{
	struct perf_event_attr attr = {
	    .size = sizeof(attr),
	    .type = PERF_TYPE_TRACEPOINT,
	    .sample_period = 1,
	    .wakeup_events = 1,
	};
	char line[160], path[256], id[32] = "";
	int fd, r;
	ssize_t n;

	/* unpin_links() removed any leftover of an earlier run */
	snprintf(line, sizeof(line), "r%d:%s/%s_ret %s\n", KRETPROBE_MAXACTIVE, KPROBE_GROUP, func,
		 func);
	r = kprobe_events_write(line);
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s/events/%s/%s_ret/id", tracefs_dir(), KPROBE_GROUP, func);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	n = read(fd, id, sizeof(id) - 1);
	close(fd);
	if (n <= 0) {
		r = -EIO;
		goto fail;
	}
	attr.config = strtoull(id, NULL, 10);
	fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0)
		return fd;
	r = -errno;
fail:
	kretprobes_remove();
	return r;
}

static struct bpf_link *attach_prog(struct bpf_state *st, struct ttyidle_bpf *skel,
				    struct bpf_program *p)
{
	struct bpf_link *l;
	int pfd;

	if (p != skel->progs.kretprobe_n_tty_read)
		return bpf_program__attach(p);
	pfd = kretprobe_tracefs("n_tty_read");
	if (pfd < 0) {
		snprintf(
		    st->note2, sizeof(st->note2),
		    "cannot make the n_tty_read kretprobe through tracefs (%s): with the "
		    "kernel's default pool, reads return unseen once more readers wait than it "
		    "holds",
		    strerror(-pfd));
		return bpf_program__attach(p);
	}
	/* the link owns pfd from here on */
	l = bpf_program__attach_perf_event(p, pfd);
	if (!l)
		close(pfd);
	return l;
}

/* Attach one program and pin its link (or keep it, where pinning is refused). */
static int attach_one(struct bpf_state *st, struct ttyidle_bpf *skel, enum attach_mode mode,
		      struct bpf_program *p, char *why, size_t whylen)
{
	struct bpf_link *l;
	char path[512];
	int r;

	l = attach_prog(st, skel, p);
	if (!l) {
		r = -errno;
		snprintf(why, whylen, "attach %s: %s", bpf_program__section_name(p), strerror(-r));
		return r;
	}
	pin_path(path, sizeof(path), LINK_PREFIX);
	strncat(path, bpf_program__name(p), sizeof(path) - strlen(path) - 1);
	if (bpf_link__pin(l, path) == 0) {
		/* the pin holds the link now; closing our fd must not detach */
		bpf_link__disconnect(l);
		bpf_link__destroy(l);
		return 0;
	}
	/* kprobe links are pinnable only from 5.15 (BPF_LINK_TYPE_PERF_EVENT) */
	st->links_pinned = false;
	snprintf(st->note, sizeof(st->note),
		 "this kernel cannot pin %s links (%s): observation pauses while the "
		 "daemon is down; idle history in the pinned maps is kept",
		 attach_mode_name(mode), strerror(errno));
	if (st->nlinks == MAX_LINKS) {
		bpf_link__destroy(l);
		snprintf(why, whylen, "too many links");
		return -E2BIG;
	}
	st->links[st->nlinks++] = l;
	return 0;
}

/* 0: the release hook; 1: what learns devpts instances; 2: the I/O hooks */
static int attach_pass(const struct bpf_program *p)
{
	const char *n = bpf_program__name(p);

	if (strstr(n, "release"))
		return 0;
	return strstr(n, "devpts") ? 1 : 2;
}

/*
 * A devpts instance's ptmx, opened and closed: the PTY index it takes names
 * the instance. Paths under /proc/PID/root are laid out by whoever owns that
 * mount namespace, and an absolute symlink there resolves in ours: only the
 * inode the path ends at is opened, through an O_PATH handle, and only if it
 * is a ptmx (5:2) on devpts, never another device (a watchdog, a tape).
 */
static void touch_ptmx(const char *path)
{
	struct statfs sfs;
	struct stat st;
	char again[64];
	int pfd, fd;

	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return;
	if (fstat(pfd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 &&
	    minor(st.st_rdev) == 2 && fstatfs(pfd, &sfs) == 0 && sfs.f_type == DEVPTS_SUPER_MAGIC) {
		snprintf(again, sizeof(again), "/proc/self/fd/%d", pfd);
		fd = open(again, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0)
			close(fd);
	}
	close(pfd);
}

/*
 * fentry mode learns a devpts instance when a PTY index is taken or given
 * back in it, or when a file on it is used (ptsfs in ttyidle.bpf.c): an
 * instance whose PTYs all predate the programs, used only through /dev/tty
 * and the host's /dev/ptmx, would otherwise stay unknown, and its terminals
 * unbooked. So before the I/O programs run, every instance in use is
 * touched once: the host's, and the /dev/pts of each other mount namespace
 * (containers), reached through a process in it. Best effort: an instance
 * not reached here is learned at its next PTY or its next use through its
 * node.
 */
static void teach_devpts(void)
{
	struct stat host_mnt, st;
	ino_t seen[256];
	size_t nseen = 0, i;
	struct dirent *de;
	char path[300];
	DIR *d;

	touch_ptmx("/dev/pts/ptmx");
	if (stat("/proc/self/ns/mnt", &host_mnt) < 0)
		return;
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/mnt", de->d_name);
		if (stat(path, &st) < 0 || st.st_ino == host_mnt.st_ino)
			continue;
		/* one process per mount namespace (past 256 of them, every process) */
		for (i = 0; i < nseen && seen[i] != st.st_ino; i++)
			;
		if (i < nseen)
			continue;
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = st.st_ino;
		snprintf(path, sizeof(path), "/proc/%s/root/dev/pts/ptmx", de->d_name);
		touch_ptmx(path);
	}
	closedir(d);
}

/*
 * libbpf reuses a pinned map only if it matches the object's definition, and
 * an older version's ring buffer of another size would make it refuse the
 * whole set (and with it the idle history in `ttys`). The ring buffer holds
 * no history and, with no links left, no writer: a pinned one of another
 * size is dropped, and the object's is made in its place. So is an `ending`
 * map of another record layout, which this daemon could not read (the
 * endings in it were a daemon's of another version).
 */
static void drop_resized_pin(const char *name, __u32 key_size, __u32 value_size, __u32 max_entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[512];
	int fd;

	if (open_pin(name, &fd))
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	    (info.max_entries != max_entries || info.key_size != key_size ||
	     info.value_size != value_size)) {
		pin_path(path, sizeof(path), name);
		unlink(path);
	}
	close(fd);
}

/*
 * Adopting programs pinned by a version without `ending` (or with another
 * layout of it): make and pin our own, so endings survive our restarts too.
 */
static int ensure_ending(struct bpf_state *st)
{
	char path[512];
	int fd;

	if (st->ending_fd >= 0) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(st->ending_fd, &info, &len) == 0 &&
		    info.key_size == sizeof(struct ending_key) &&
		    info.value_size == sizeof(struct ending_rec))
			return 0;
		close_fd(&st->ending_fd);
	}
	drop_resized_pin("ending", sizeof(struct ending_key), sizeof(struct ending_rec),
			 ENDING_MAX);
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ending", sizeof(struct ending_key),
			    sizeof(struct ending_rec), ENDING_MAX, NULL);
	if (fd < 0)
		return -errno;
	pin_path(path, sizeof(path), "ending");
	if (bpf_obj_pin(fd, path)) {
		int r = -errno;

		close(fd);
		return r;
	}
	st->ending_fd = fd;
	return 0;
}

/* Load and attach in one mode; on failure `why` says which step refused. */
static int try_attach(struct bpf_state *st, enum attach_mode mode, const struct sigs *s, char *why,
		      size_t whylen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = TTYIDLE_PIN_DIR);
	struct ttyidle_bpf *skel;
	struct bpf_program *p;
	int r, pass;

	skel = ttyidle_bpf__open_opts(&opts);
	if (!skel) {
		r = -errno;
		snprintf(why, whylen, "open: %s", strerror(-r));
		return r;
	}
	skel->rodata->tty_write_takes_file = s->write_nargs == 4;
	select_programs(skel, mode, s);
	drop_resized_pin("events", 0, 0, bpf_map__max_entries(skel->maps.events));
	drop_resized_pin("ending", sizeof(struct ending_key), sizeof(struct ending_rec),
			 bpf_map__max_entries(skel->maps.ending));
	r = ttyidle_bpf__load(skel);
	if (r) {
		struct rlimit rl;

		/* before 5.11 maps are charged to RLIMIT_MEMLOCK, and libbpf's
		 * raise of it fails quietly without CAP_SYS_RESOURCE (a pod's
		 * limit is the container runtime's) */
		if (r == -EPERM && getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY)
			snprintf(why, whylen,
				 "load: %s (RLIMIT_MEMLOCK is %llu KiB: before 5.11 the kernel "
				 "charges BPF maps to it; raise it to infinity or grant "
				 "CAP_SYS_RESOURCE)",
				 strerror(-r), (unsigned long long)rl.rlim_cur / 1024);
		else
			snprintf(why, whylen, "load: %s", strerror(-r));
		goto fail;
	}
	st->links_pinned = true;
	/*
	 * The release hook first: the I/O programs cache per tty_struct pointer
	 * and only the release hook forgets a freed one. Then, in fentry mode,
	 * the hooks that learn devpts instances, and every instance in use is
	 * taught to them before the I/O programs run (see ptsfs).
	 */
	for (pass = 0; pass < 3; pass++) {
		bpf_object__for_each_program(p, skel->obj)
		{
			if (!bpf_program__autoload(p) || attach_pass(p) != pass)
				continue;
			r = attach_one(st, skel, mode, p, why, whylen);
			if (r)
				goto fail;
		}
		if (pass == 1 && mode == ATTACH_FENTRY)
			teach_devpts();
	}
	st->skel = skel;
	st->mode = mode;
	return 0;
fail:
	destroy_links(st);
	ttyidle_bpf__destroy(skel);
	unpin_links();
	return r;
}

static int require_dir(char *err, size_t errlen)
{
	if (mkdir(TTYIDLE_PIN_DIR, 0700) && errno != EEXIST) {
		int r = -errno;

		snprintf(err, errlen, "cannot create %s: %s", TTYIDLE_PIN_DIR, strerror(-r));
		return r;
	}
	return 0;
}

static bool ctl_pinned(void)
{
	char path[512];

	pin_path(path, sizeof(path), "ctl");
	return access(path, F_OK) == 0;
}

/* Adopt when a complete set of links for the recorded mode is pinned. */
static int try_adopt(struct bpf_state *st, enum attach_mode want, char *err, size_t errlen)
{
	struct ttyidle_ctl c;
	int r, links = count_link_pins();

	if (!links || !ctl_pinned())
		return -ENOENT;
	r = bpf_maps_open_pinned(st, err, errlen);
	if (r)
		return r;
	if (ctl_read(st, &c) || links != expected_links(c.mode)) {
		/* a crash between attaching and pinning: start again cleanly */
		bpf_state_close(st);
		unpin_links();
		return -ENOENT;
	}
	if (want != ATTACH_NONE && want != c.mode) {
		snprintf(err, errlen,
			 "programs are already attached in %s mode (pinned under %s): run "
			 "`ttyidle unload` to change the attach mode",
			 attach_mode_name(c.mode), TTYIDLE_PIN_DIR);
		bpf_state_close(st);
		return -EBUSY;
	}
	if ((r = ensure_ending(st))) {
		snprintf(err, errlen, "cannot make %s/ending: %s", TTYIDLE_PIN_DIR, strerror(-r));
		bpf_state_close(st);
		return r;
	}
	st->mode = c.mode;
	st->adopted = true;
	st->links_pinned = true;
	return 0;
}

static int maps_from_skel(struct bpf_state *st)
{
	st->ttys_fd = dup(bpf_map__fd(st->skel->maps.ttys));
	st->armed_fd = dup(bpf_map__fd(st->skel->maps.armed));
	st->events_fd = dup(bpf_map__fd(st->skel->maps.events));
	st->ctl_fd = dup(bpf_map__fd(st->skel->maps.ctl));
	st->stats_fd = dup(bpf_map__fd(st->skel->maps.stats));
	st->ending_fd = dup(bpf_map__fd(st->skel->maps.ending));
	if (st->ttys_fd < 0 || st->armed_fd < 0 || st->events_fd < 0 || st->ctl_fd < 0 ||
	    st->stats_fd < 0 || st->ending_fd < 0)
		return -errno;
	return 0;
}

#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"

/* Is the kernel locked down at 'confidentiality' ("none integrity [confidentiality]")? */
static bool lockdown_confidential(void)
{
	char buf[128];
	ssize_t n;
	int fd;

	fd = open(LOCKDOWN_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return strstr(buf, "[confidentiality]") != NULL;
}

int bpf_state_open(struct bpf_state *st, enum attach_mode want, bool verbose, char *err,
		   size_t errlen)
{
	char why_f[320] = "not tried", why_k[320] = "not tried";
	struct ttyidle_ctl c;
	bool had_maps;
	struct sigs s;
	int r;

	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
	state_init(st);
	if ((r = require_dir(err, errlen)))
		return r;
	r = try_adopt(st, want, err, errlen);
	if (r != -ENOENT)
		goto adopted;

	state_init(st);
	unpin_links();
	if ((r = probe_sigs(&s, err, errlen)))
		return r;
	had_maps = ctl_pinned();
	r = -ENOTSUP;
	if (want != ATTACH_KPROBE)
		r = try_attach(st, ATTACH_FENTRY, &s, why_f, sizeof(why_f));
	if (r && want != ATTACH_FENTRY)
		r = try_attach(st, ATTACH_KPROBE, &s, why_k, sizeof(why_k));
	if (r) {
		if (!had_maps)
			bpf_unpin_all(NULL, NULL, 0);
		if (saw_reuse_failure)
			snprintf(err, errlen,
				 "cannot attach: fentry: %s; kprobe: %s (maps pinned under %s may "
				 "be from another version: try `ttyidle unload`)",
				 why_f, why_k, TTYIDLE_PIN_DIR);
		else if (lockdown_confidential())
			snprintf(
			    err, errlen,
			    "kernel lockdown is 'confidentiality' (%s): it refuses kprobes and "
			    "BPF reads of kernel memory, so only fentry mode can run here "
			    "(fentry: %s; kprobe: %s); fentry needs a kernel with BTF and BPF "
			    "trampolines (x86_64 5.10+, arm64 6.4+), else boot with "
			    "lockdown=integrity",
			    LOCKDOWN_PATH, why_f, why_k);
		else
			snprintf(err, errlen,
				 "neither fentry nor kprobes usable on this kernel: fentry: %s; "
				 "kprobe: %s",
				 why_f, why_k);
		return r;
	}
	if ((r = maps_from_skel(st))) {
		snprintf(err, errlen, "cannot duplicate map fds: %s", strerror(-r));
		goto fail;
	}
	if ((r = ctl_read(st, &c))) {
		snprintf(err, errlen, "cannot read ctl map: %s", strerror(-r));
		goto fail;
	}
	if (c.abi && c.abi != TTYIDLE_ABI) {
		snprintf(err, errlen,
			 "maps pinned under %s have layout %u, this ttyidle writes %u: run "
			 "`ttyidle unload` first",
			 TTYIDLE_PIN_DIR, c.abi, TTYIDLE_ABI);
		r = -EPROTO;
		goto fail;
	}
	c.abi = TTYIDLE_ABI;
	c.mode = st->mode;
	if ((r = ctl_write(st, &c))) {
		snprintf(err, errlen, "cannot write ctl map: %s", strerror(-r));
		goto fail;
	}
	return 0;
adopted:
	return r;
fail:
	bpf_state_close(st);
	unpin_links();
	return r;
}

int bpf_unpin_all(int *removed, char *err, size_t errlen)
{
	DIR *d = opendir(TTYIDLE_PIN_DIR);
	struct dirent *de;
	char path[512];
	int n = 0, r = 0;

	if (!d) {
		if (errno == ENOENT)
			goto out;
		r = -errno;
		if (err)
			snprintf(err, errlen, "cannot open %s: %s", TTYIDLE_PIN_DIR, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		pin_path(path, sizeof(path), de->d_name);
		if (unlink(path)) {
			r = -errno;
			if (err)
				snprintf(err, errlen, "cannot remove %s: %s", path, strerror(-r));
			break;
		}
		n++;
	}
	closedir(d);
	/* the links are gone with their pins: their tracefs kretprobes can go too */
	kretprobes_remove();
	if (!r && rmdir(TTYIDLE_PIN_DIR) && errno != ENOENT) {
		r = -errno;
		if (err)
			snprintf(err, errlen, "cannot remove %s: %s", TTYIDLE_PIN_DIR,
				 strerror(-r));
	}
out:
	if (removed)
		*removed = n;
	return r;
}
