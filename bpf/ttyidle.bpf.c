// SPDX-License-Identifier: GPL-2.0
/*
 * ttyidle: per-terminal activity clocks, kept by the kernel.
 *
 * Hooks the two places every byte of a terminal goes through: tty_write()
 * (a write(2) to a tty or a PTY master) and n_tty_read() (the line
 * discipline handing bytes to a reader). Only bytes actually moved count
 * (return value > 0). Master-side events are booked on the slave, so one
 * record describes one terminal.
 *
 * The hot path only touches maps: the ring buffer carries lifecycle events
 * and activity on terminals userspace has armed, never one event per write.
 *
 * Reading kernel memory. fentry/fexit programs get BTF-typed pointers and
 * read through them with plain loads (KREAD with direct = true), which
 * lockdown=confidentiality allows: it refuses every bpf_probe_read* helper,
 * and with them BPF_CORE_READ. Plain loads also cost less than helper calls
 * on the hot path. kprobe programs get untyped registers and must use the
 * helpers (lockdown=confidentiality refuses kprobes anyway). The shared code
 * takes `direct` as a compile-time constant, so each program holds one kind
 * of read only. A plain load cannot follow a `void *` (file->private_data,
 * a master's driver_data), so fentry mode hooks n_tty_write, the line
 * discipline's write that tty_write() calls with a typed tty, and learns
 * devpts instances from typed hooks (see ptsfs).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ttyidle.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * Load-time knobs, set by the loader from the running kernel's BTF (never
 * from its version). Only the kprobe programs need them: fexit programs get
 * one flavor per signature and the loader enables the matching one.
 */
const volatile bool tty_write_takes_file = false; /* pre-5.11 tty_write(file, buf, count, ppos) */

#define MAX_TTYS 16384

/* a field through a typed pointer: a plain load in fentry mode, a CO-RE probe read in kprobe mode
 */
#define KREAD(direct, p, ...) ((direct) ? (p)->__VA_ARGS__ : BPF_CORE_READ(p, __VA_ARGS__))

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TTYS);
	__type(key, struct tty_key);
	__type(value, struct tty_rec);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ttys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TTYS);
	__type(key, struct tty_key);
	__type(value, struct armed);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} armed SEC(".maps");

/*
 * 1 MiB: room for about 18,000 events (a host opening 10,000 terminals at
 * once overran 256 KiB). One pinned by an earlier version with another
 * size is dropped by the loader before it loads (it holds no history).
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ttyidle_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ttyidle_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

/* Userspace's alone (see struct ending_rec): no program reads or writes it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENDING_MAX);
	__type(key, struct ending_key);
	__type(value, struct ending_rec);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ending SEC(".maps");

/*
 * tty_struct pointer -> what resolve() found for it. A terminal's key never
 * changes while it lives, so this saves the pointer chase on every event but
 * the first; the release hook deletes both ends of a pair before the memory
 * can be reused, and the release program is attached before the I/O ones.
 * Measured (6.1 under TCG, bpf_stats, same boot setup): without it
 * fexit_tty_write took 2906 ns a run against 2196, fexit_n_tty_read 3370
 * against 2933, and echo round trips kept 81.0% of unattached against 88.1%.
 */
struct resolved_cache {
	struct tty_key key;
	__u8 pty;
	__u8 master;
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2 * MAX_TTYS);
	__type(key, __u64);
	__type(value, struct resolved_cache);
} tcache SEC(".maps");

/*
 * fentry mode: devpts instance (its struct pts_fs_info's address, as a
 * number, which a PTY master's driver_data holds) -> the instance's s_dev.
 * Learned where the kernel hands over a typed instance (a PTY index taken or
 * given back in it) or a file on devpts (/dev/pts/N, /dev/pts/ptmx), since
 * driver_data is a `void *` that plain loads cannot follow. The loader
 * teaches it every instance in use before the I/O programs run (it opens
 * each one's ptmx once). Pinned: programs adopted by a restarted daemon
 * keep what was learned.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ptsfs SEC(".maps");

/* kprobe mode: the entry's argument, until the matching return. */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} inflight_r SEC(".maps"); /* pid_tgid -> tty of an n_tty_read under way */

/*
 * Kernel layout differences, one flavor each.
 *
 * tty->pgrp and tty->session moved into tty->ctrl in 5.14
 * (commit 64d608db38ff "tty: cumulate and document tty_struct::ctrl* members").
 */
struct tty_struct___old {
	struct pid *pgrp;
	struct pid *session;
} __attribute__((preserve_access_index));

/*
 * tty_driver.type/subtype were shorts with #defines (PTY = 4) until 6.15,
 * then enums counted from 0, so PTY = 3 (6.15, "tty: tty_driver: introduce
 * TTY driver sub/types enums"). The enum's value is read from BTF, never
 * assumed.
 */
struct tty_driver___old {
	short type;
	short subtype;
} __attribute__((preserve_access_index));

#define OLD_TTY_DRIVER_TYPE_PTY 0x0004
#define OLD_PTY_TYPE_MASTER	0x0001

struct tty_class {
	bool pty;
	bool master;
};

static __always_inline struct tty_class classify(const bool direct, struct tty_driver *drv)
{
	struct tty_class c = {};
	int type, subtype, pty, master;

	if (bpf_core_enum_value_exists(enum tty_driver_type, TTY_DRIVER_TYPE_PTY)) {
		type = KREAD(direct, drv, type);
		subtype = KREAD(direct, drv, subtype);
		pty = bpf_core_enum_value(enum tty_driver_type, TTY_DRIVER_TYPE_PTY);
		master = bpf_core_enum_value(enum tty_driver_subtype, PTY_TYPE_MASTER);
	} else {
		struct tty_driver___old *old = (void *)drv;

		type = KREAD(direct, old, type);
		subtype = KREAD(direct, old, subtype);
		pty = OLD_TTY_DRIVER_TYPE_PTY;
		master = OLD_PTY_TYPE_MASTER;
	}
	c.pty = type == pty;
	c.master = c.pty && subtype == master;
	return c;
}

static __always_inline __u32 pid_host_nr(const bool direct, struct pid *pid)
{
	if (!pid)
		return 0;
	/* numbers[0] is the init namespace: the PID the host sees */
	return KREAD(direct, pid, numbers[0].nr);
}

static __always_inline void read_session(const bool direct, struct tty_struct *tty, __u32 *sid,
					 __u32 *pgrp)
{
	if (bpf_core_field_exists(tty->ctrl)) {
		*sid = pid_host_nr(direct, KREAD(direct, tty, ctrl.session));
		*pgrp = pid_host_nr(direct, KREAD(direct, tty, ctrl.pgrp));
	} else {
		struct tty_struct___old *old = (void *)tty;

		*sid = pid_host_nr(direct, KREAD(direct, old, session));
		*pgrp = pid_host_nr(direct, KREAD(direct, old, pgrp));
	}
}

/* fentry mode: a devpts superblock's instance, into ptsfs */
static __always_inline void learn_devpts_sb(struct super_block *sb)
{
	__u64 fsi;
	__u32 dev;

	if (!sb || sb->s_magic != DEVPTS_SUPER_MAGIC)
		return;
	fsi = (__u64)sb->s_fs_info;
	dev = sb->s_dev;
	if (fsi)
		bpf_map_update_elem(&ptsfs, &fsi, &dev, BPF_ANY);
}

/*
 * A PTY's devpts instance: the master's driver_data is the instance's
 * pts_fs_info, which lives as long as the pair (a slave's dentry may already
 * be gone when the pair is released). 0 and false: not known (fentry mode,
 * an instance not learned yet; the event is not booked, and nothing is
 * cached, so the terminal gets its one right key once it is learned).
 */
static __always_inline bool devpts_dev(const bool direct, struct tty_struct *master,
				       struct file *file, __u32 *out)
{
	__u64 fsi;
	__u32 *dev;

	if (!direct) {
		struct pts_fs_info *p = BPF_CORE_READ(master, driver_data);

		*out = p ? BPF_CORE_READ(p, sb, s_dev) : 0;
		return true;
	}
	fsi = (__u64)master->driver_data;
	if (!fsi) {
		*out = 0;
		return true;
	}
	dev = bpf_map_lookup_elem(&ptsfs, &fsi);
	if (!dev && file && file->f_inode) {
		learn_devpts_sb(file->f_inode->i_sb);
		dev = bpf_map_lookup_elem(&ptsfs, &fsi);
	}
	if (!dev)
		return false;
	*out = *dev;
	return true;
}

struct resolved {
	struct tty_key key;
	bool pty;
	bool master; /* the event happened on the master side */
};

static __always_inline bool resolve(const bool direct, struct tty_struct *tty, struct file *file,
				    struct resolved *r)
{
	struct tty_driver *drv;
	struct tty_class c;
	struct tty_struct *master, *booked;
	int major, minor_start, index;

	if (!tty)
		return false;
	drv = KREAD(direct, tty, driver);
	if (!drv)
		return false;
	c = classify(direct, drv);
	r->pty = c.pty;
	r->master = c.master;
	booked = tty;
	master = NULL;
	if (c.master) {
		master = tty;
		booked = KREAD(direct, tty, link);
		if (!booked)
			return false;
		drv = KREAD(direct, booked, driver);
		if (!drv)
			return false;
	} else if (c.pty) {
		master = KREAD(direct, tty, link);
	}
	major = KREAD(direct, drv, major);
	minor_start = KREAD(direct, drv, minor_start);
	index = KREAD(direct, booked, index);
	r->key.dev = ((__u32)major << 20) | (__u32)(minor_start + index);
	r->key.devpts = 0;
	return !master || devpts_dev(direct, master, file, &r->key.devpts);
}

static __always_inline bool resolve_cached(const bool direct, struct tty_struct *tty,
					   struct file *file, struct resolved *r)
{
	__u64 ptr = (__u64)tty;
	struct resolved_cache *c = bpf_map_lookup_elem(&tcache, &ptr);
	struct resolved_cache fresh = {};

	if (c) {
		r->key = c->key;
		r->pty = c->pty;
		r->master = c->master;
		return true;
	}
	if (!resolve(direct, tty, file, r))
		return false;
	fresh.key = r->key;
	fresh.pty = r->pty;
	fresh.master = r->master;
	bpf_map_update_elem(&tcache, &ptr, &fresh, BPF_ANY);
	return true;
}

static __always_inline struct ttyidle_ctl *get_ctl(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ctl, &zero);
}

/* Failure paths only: the hot path never looks at `stats`. */
static __always_inline struct ttyidle_stats *get_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline void emit(__u32 type, __u32 clock, const struct tty_key *key, __u64 now)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	struct ttyidle_stats *st;

	if (!e) {
		st = get_stats();
		if (st)
			__sync_fetch_and_add(&st->events_lost, 1);
		return;
	}
	e->type = type;
	e->clock = clock;
	e->key = *key;
	e->ts_ns = now;
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

static __always_inline struct tty_rec *get_rec(const bool direct, struct resolved *r,
					       struct tty_struct *tty, __u64 now)
{
	struct tty_rec *rec, fresh = {};
	struct ttyidle_stats *st;
	int i;

	rec = bpf_map_lookup_elem(&ttys, &r->key);
	if (rec)
		return rec;
	fresh.first_ns = now;
	fresh.index = KREAD(direct, tty, index);
	fresh.kind = r->pty ? TTY_KIND_PTY : TTY_KIND_CONSOLE;
	if (direct) {
		/* tty->name is 64 bytes: the first TTYIDLE_NAME_LEN - 1 are in bounds */
		for (i = 0; i < TTYIDLE_NAME_LEN - 1; i++) {
			fresh.name[i] = tty->name[i];
			if (!fresh.name[i])
				break;
		}
	} else {
		bpf_probe_read_kernel_str(fresh.name, sizeof(fresh.name), &tty->name);
	}
	if (bpf_map_update_elem(&ttys, &r->key, &fresh, BPF_NOEXIST) == 0)
		emit(EV_NEW, 0, &r->key, now);
	rec = bpf_map_lookup_elem(&ttys, &r->key);
	if (!rec && (st = get_stats()))
		__sync_fetch_and_add(&st->ttys_full, 1);
	return rec;
}

static __always_inline void check_armed(struct ttyidle_ctl *c, const struct tty_key *key,
					__u32 clock, __u64 now)
{
	struct armed *a;

	if (!c->narmed)
		return;
	a = bpf_map_lookup_elem(&armed, key);
	if (!a || !(a->mask & TTY_CLK_BIT(clock)))
		return;
	/* one shot: the first qualifying activity disarms */
	if (bpf_map_delete_elem(&armed, key) == 0)
		emit(EV_ACTIVITY, clock, key, now);
}

/*
 * A read of n bytes off a PTY master: were they the daemon's own warning?
 * Reads of one master are serialized by the terminal, so the count needs no
 * atomic update. A read that holds more than what is left of the warning
 * holds the session's output too, and counts.
 */
static __always_inline bool own_output(struct ttyidle_ctl *c, const struct tty_key *key, long n)
{
	struct armed *a;
	__u32 own;

	if (!c->narmed)
		return false;
	a = bpf_map_lookup_elem(&armed, key);
	if (!a)
		return false;
	own = a->mask >> ARMED_OWN_SHIFT;
	if (!own)
		return false;
	if (n <= own) {
		a->mask -= (__u32)n << ARMED_OWN_SHIFT;
		return true;
	}
	a->mask &= ARMED_CLOCKS;
	return false;
}

static __always_inline int on_io(const bool direct, struct tty_struct *tty, struct file *file,
				 long ret, bool is_write)
{
	struct ttyidle_ctl *c;
	struct resolved r;
	struct tty_struct *booked;
	struct tty_rec *rec;
	__u32 clock, sid, pgrp, tgid, epoch;
	__u64 now;

	if (ret <= 0)
		return 0;
	c = get_ctl();
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!c || c->daemon_tgid == tgid)
		return 0;
	if (!resolve_cached(direct, tty, file, &r))
		return 0;
	/* the terminal booked (the slave for a master), through typed pointers */
	booked = r.master ? KREAD(direct, tty, link) : tty;
	if (!booked)
		return 0;
	now = bpf_ktime_get_boot_ns();
	rec = get_rec(direct, &r, booked, now);
	if (!rec)
		return 0;

	if (r.master) {
		/* who serves the master says what kind of terminal this is (a
		 * login service or the user's own multiplexer): reads count too,
		 * so a terminal nobody has typed into yet is known by its drainer */
		if (rec->writer_tgid != tgid) {
			rec->writer_tgid = tgid;
			bpf_get_current_comm(rec->writer_comm, sizeof(rec->writer_comm));
		}
		if (is_write) {
			clock = TTY_CLK_IN;
			rec->in_ns = now;
			__sync_fetch_and_add(&rec->in_bytes, ret);
		} else {
			/* the daemon's own warning, read off the master by sshd,
			 * must neither cancel itself nor keep a session alive */
			if (own_output(c, &r.key, ret))
				return 0;
			clock = TTY_CLK_OUT_READ;
			rec->out_read_ns = now;
		}
	} else if (is_write) {
		clock = TTY_CLK_OUT;
		rec->out_ns = now;
		__sync_fetch_and_add(&rec->out_bytes, ret);
	} else {
		/*
		 * On a PTY, only input that came through the master since the
		 * last read counts: bytes a session pushes into its own input
		 * queue (TIOCSTI) are read like typed ones, but were not typed.
		 */
		if (r.pty && rec->in_ns <= rec->in_read_ns)
			return 0;
		clock = TTY_CLK_IN_READ;
		rec->in_read_ns = now;
		if (!r.pty) {
			/* a console has no master: what the session reads is what was typed */
			rec->in_ns = now;
			__sync_fetch_and_add(&rec->in_bytes, ret);
		}
	}
	/*
	 * The session changes rarely: look at most about once a second while
	 * it has one. A terminal that lost its session keeps the last one in
	 * sid (flagged), and sess_epoch says when that session was last seen
	 * owning it: userspace refuses a leader that started later (a reused
	 * pid).
	 */
	epoch = now >> 30;
	if (!rec->sid || (rec->flags & TTY_F_DETACHED) || rec->sess_epoch != epoch) {
		read_session(direct, booked, &sid, &pgrp);
		if (sid) {
			rec->sid = sid;
			rec->pgrp = pgrp;
			rec->flags &= ~TTY_F_DETACHED;
			rec->sess_epoch = epoch;
		} else if (rec->sid) {
			rec->flags |= TTY_F_DETACHED;
		}
	}

	check_armed(c, &r.key, clock, now);
	if (clock == TTY_CLK_IN_READ && !r.pty)
		check_armed(c, &r.key, TTY_CLK_IN, now);
	return 0;
}

static __always_inline struct tty_struct *file_tty(struct file *file)
{
	struct tty_file_private *priv = BPF_CORE_READ(file, private_data);

	if (!priv)
		return NULL;
	return BPF_CORE_READ(priv, tty);
}

static __always_inline int on_release(const bool direct, struct tty_struct *tty)
{
	__u64 ptr = (__u64)tty, link;
	struct resolved r;

	/* the key its events were booked on, while it is still cached */
	if (!resolve_cached(direct, tty, NULL, &r))
		return 0;
	/* both ends of a pair are freed together: forget both pointers */
	bpf_map_delete_elem(&tcache, &ptr);
	link = (__u64)KREAD(direct, tty, link);
	if (link)
		bpf_map_delete_elem(&tcache, &link);
	if (bpf_map_delete_elem(&ttys, &r.key) == 0)
		emit(EV_GONE, 0, &r.key, bpf_ktime_get_boot_ns());
	bpf_map_delete_elem(&armed, &r.key);
	return 0;
}

/* ---- fentry/fexit flavors ------------------------------------------------ */

/*
 * Writes are booked on entry, before the bytes can reach the other side: a
 * reader woken by them (the shell reading a keystroke sshd writes into the
 * master) must find the input already booked, or its read would look like
 * one of injected bytes. fexit booked the write only after it returned; on a
 * preemptible kernel (Debian's 7.x, PREEMPT_LAZY) the reader ran in between,
 * and its read was not counted. The count is what the caller asked to write,
 * as in kprobe mode: a write that then fails still counts, which only a
 * session's own processes can cause on its terminal.
 *
 * The write is hooked where tty_write() hands each chunk of a write(2) to the
 * line discipline: n_tty_write(tty, file, buf, nr), the same on every kernel
 * since 5.10, for a slave and for a master (a PTY master runs N_TTY too), with
 * a typed tty (tty_write's own arguments reach it only through the file's
 * `void *` private_data). A session that switches its slave to another line
 * discipline hides only its own output: it looks idler, never busier.
 */
SEC("fentry/n_tty_write")
int BPF_PROG(fentry_n_tty_write, struct tty_struct *tty, struct file *file,
	     const unsigned char *buf, size_t nr)
{
	return on_io(true, tty, file, (long)nr, true);
}

/* 5.11+: n_tty_read(tty, file, kbuf, nr, cookie, offset) ("tty: convert tty_ldisc_ops
 * 'read()' function to take a kernel pointer") */
SEC("fexit/n_tty_read")
int BPF_PROG(fexit_n_tty_read, struct tty_struct *tty, struct file *file, unsigned char *kbuf,
	     size_t nr, void **cookie, unsigned long offset, ssize_t ret)
{
	return on_io(true, tty, file, ret, false);
}

/* before 5.11: n_tty_read(tty, file, buf, nr) */
SEC("fexit/n_tty_read")
int BPF_PROG(fexit_n_tty_read_old, struct tty_struct *tty, struct file *file, unsigned char *buf,
	     size_t nr, ssize_t ret)
{
	return on_io(true, tty, file, ret, false);
}

SEC("fentry/tty_release_struct")
int BPF_PROG(fentry_tty_release_struct, struct tty_struct *tty, int idx)
{
	return on_release(true, tty);
}

/* Every PTY index taken or given back in a devpts instance names it (ptsfs). */
SEC("fentry/devpts_new_index")
int BPF_PROG(fentry_devpts_new_index, struct pts_fs_info *fsi)
{
	if (fsi)
		learn_devpts_sb(fsi->sb);
	return 0;
}

SEC("fentry/devpts_kill_index")
int BPF_PROG(fentry_devpts_kill_index, struct pts_fs_info *fsi, int idx)
{
	if (fsi)
		learn_devpts_sb(fsi->sb);
	return 0;
}

/* ---- kprobe fallback ----------------------------------------------------- */

/*
 * kprobe mode books tty_write at entry, with the size asked for: a kretprobe
 * has a fixed pool of instances (max(10, 2 x CPUs), one per CPU on kernels
 * without preemption) and every writer blocked in tty_write (a terminal
 * stopped with Ctrl-S, a slow link) holds one, so returns beyond the pool
 * would be missed, and with them everybody's keystrokes. Both modes book a
 * write on entry (see fentry_tty_write).
 */
SEC("kprobe/tty_write")
int BPF_KPROBE(kprobe_tty_write, void *arg0, void *arg1, __u64 arg2)
{
	struct file *file;
	long size;

	if (tty_write_takes_file) {
		file = arg0;
		size = (long)arg2;
	} else {
		file = BPF_CORE_READ((struct kiocb *)arg0, ki_filp);
		size = (long)BPF_CORE_READ((struct iov_iter *)arg1, count);
	}
	return on_io(false, file_tty(file), NULL, size, true);
}

SEC("kprobe/n_tty_read")
int BPF_KPROBE(kprobe_n_tty_read, struct tty_struct *tty)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 v = (__u64)tty;

	bpf_map_update_elem(&inflight_r, &id, &v, BPF_ANY);
	return 0;
}

SEC("kretprobe/n_tty_read")
int BPF_KRETPROBE(kretprobe_n_tty_read, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *tty = bpf_map_lookup_elem(&inflight_r, &id);

	if (!tty)
		return 0;
	on_io(false, (struct tty_struct *)*tty, NULL, ret, false);
	bpf_map_delete_elem(&inflight_r, &id);
	return 0;
}

SEC("kprobe/tty_release_struct")
int BPF_KPROBE(kprobe_tty_release_struct, struct tty_struct *tty)
{
	return on_release(false, tty);
}
