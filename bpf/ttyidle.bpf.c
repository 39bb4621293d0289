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
	__u64 tty; /* the terminal the event is booked on (the slave for a master) */
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

static __always_inline struct tty_class classify(struct tty_driver *drv)
{
	struct tty_class c = {};
	int type, subtype, pty, master;

	if (bpf_core_enum_value_exists(enum tty_driver_type, TTY_DRIVER_TYPE_PTY)) {
		type = BPF_CORE_READ(drv, type);
		subtype = BPF_CORE_READ(drv, subtype);
		pty = bpf_core_enum_value(enum tty_driver_type, TTY_DRIVER_TYPE_PTY);
		master = bpf_core_enum_value(enum tty_driver_subtype, PTY_TYPE_MASTER);
	} else {
		struct tty_driver___old *old = (void *)drv;

		type = BPF_CORE_READ(old, type);
		subtype = BPF_CORE_READ(old, subtype);
		pty = OLD_TTY_DRIVER_TYPE_PTY;
		master = OLD_PTY_TYPE_MASTER;
	}
	c.pty = type == pty;
	c.master = c.pty && subtype == master;
	return c;
}

static __always_inline __u32 pid_host_nr(struct pid *pid)
{
	if (!pid)
		return 0;
	/* numbers[0] is the init namespace: the PID the host sees */
	return BPF_CORE_READ(pid, numbers[0].nr);
}

static __always_inline void read_session(struct tty_struct *tty, __u32 *sid, __u32 *pgrp)
{
	if (bpf_core_field_exists(tty->ctrl)) {
		*sid = pid_host_nr(BPF_CORE_READ(tty, ctrl.session));
		*pgrp = pid_host_nr(BPF_CORE_READ(tty, ctrl.pgrp));
	} else {
		struct tty_struct___old *old = (void *)tty;

		*sid = pid_host_nr(BPF_CORE_READ(old, session));
		*pgrp = pid_host_nr(BPF_CORE_READ(old, pgrp));
	}
}

/*
 * A PTY's devpts instance: the master's driver_data is the instance's
 * pts_fs_info, which lives as long as the pair (a slave's dentry may already
 * be gone when the pair is released).
 */
static __always_inline __u32 devpts_dev(struct tty_struct *master)
{
	struct pts_fs_info *fsi = BPF_CORE_READ(master, driver_data);

	if (!fsi)
		return 0;
	return BPF_CORE_READ(fsi, sb, s_dev);
}

struct resolved {
	struct tty_struct *tty; /* the terminal the event is booked on */
	struct tty_key key;
	bool pty;
	bool master; /* the event happened on the master side */
};

static __always_inline bool resolve(struct tty_struct *tty, struct resolved *r)
{
	struct tty_driver *drv;
	struct tty_class c;
	struct tty_struct *master;
	int major, minor_start, index;

	if (!tty)
		return false;
	drv = BPF_CORE_READ(tty, driver);
	if (!drv)
		return false;
	c = classify(drv);
	r->pty = c.pty;
	r->master = c.master;
	r->tty = tty;
	master = NULL;
	if (c.master) {
		master = tty;
		tty = BPF_CORE_READ(tty, link);
		if (!tty)
			return false;
		r->tty = tty;
		drv = BPF_CORE_READ(tty, driver);
	} else if (c.pty) {
		master = BPF_CORE_READ(tty, link);
	}
	major = BPF_CORE_READ(drv, major);
	minor_start = BPF_CORE_READ(drv, minor_start);
	tty = r->tty;
	index = BPF_CORE_READ(tty, index);
	r->key.dev = ((__u32)major << 20) | (__u32)(minor_start + index);
	r->key.devpts = master ? devpts_dev(master) : 0;
	return true;
}

static __always_inline bool resolve_cached(struct tty_struct *tty, struct resolved *r)
{
	__u64 ptr = (__u64)tty;
	struct resolved_cache *c = bpf_map_lookup_elem(&tcache, &ptr);
	struct resolved_cache fresh = {};

	if (c) {
		r->key = c->key;
		r->tty = (struct tty_struct *)c->tty;
		r->pty = c->pty;
		r->master = c->master;
		return true;
	}
	if (!resolve(tty, r))
		return false;
	fresh.key = r->key;
	fresh.tty = (__u64)r->tty;
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

static __always_inline struct tty_rec *get_rec(struct resolved *r, __u64 now)
{
	struct tty_struct *tty = r->tty;
	struct tty_rec *rec, fresh = {};
	struct ttyidle_stats *st;

	rec = bpf_map_lookup_elem(&ttys, &r->key);
	if (rec)
		return rec;
	fresh.first_ns = now;
	fresh.index = BPF_CORE_READ(tty, index);
	fresh.kind = r->pty ? TTY_KIND_PTY : TTY_KIND_CONSOLE;
	bpf_probe_read_kernel_str(fresh.name, sizeof(fresh.name), &tty->name);
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

static __always_inline int on_io(struct tty_struct *tty, long ret, bool is_write)
{
	struct ttyidle_ctl *c;
	struct resolved r;
	struct tty_rec *rec;
	__u32 clock, sid, pgrp, tgid, epoch;
	__u64 now;

	if (ret <= 0)
		return 0;
	c = get_ctl();
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!c || c->daemon_tgid == tgid)
		return 0;
	if (!resolve_cached(tty, &r))
		return 0;
	now = bpf_ktime_get_boot_ns();
	rec = get_rec(&r, now);
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
		read_session(r.tty, &sid, &pgrp);
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

static __always_inline int on_release(struct tty_struct *tty)
{
	__u64 ptr = (__u64)tty, link;
	struct resolved r;

	/* both ends of a pair are freed together: forget both pointers */
	bpf_map_delete_elem(&tcache, &ptr);
	link = (__u64)BPF_CORE_READ(tty, link);
	if (link)
		bpf_map_delete_elem(&tcache, &link);
	if (!resolve(tty, &r))
		return 0;
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
 * one of injected bytes. fexit booked the write only after tty_write
 * returned; on a preemptible kernel (Debian's 7.x, PREEMPT_LAZY) the reader
 * ran in between, and its read was not counted. The count is what the
 * caller asked to write, as in kprobe mode: a write that then fails still
 * counts, which only a session's own processes can cause on its terminal.
 */

/* 5.11+: tty_write(struct kiocb *, struct iov_iter *) ("tty: implement write_iter") */
SEC("fentry/tty_write")
int BPF_PROG(fentry_tty_write, struct kiocb *iocb, struct iov_iter *from)
{
	return on_io(file_tty(BPF_CORE_READ(iocb, ki_filp)), (long)BPF_CORE_READ(from, count),
		     true);
}

/* before 5.11: tty_write(struct file *, const char __user *, size_t, loff_t *) */
SEC("fentry/tty_write")
int BPF_PROG(fentry_tty_write_old, struct file *file, const char *buf, size_t count, loff_t *ppos)
{
	return on_io(file_tty(file), (long)count, true);
}

/* 5.11+: n_tty_read(tty, file, kbuf, nr, cookie, offset) ("tty: convert tty_ldisc_ops
 * 'read()' function to take a kernel pointer") */
SEC("fexit/n_tty_read")
int BPF_PROG(fexit_n_tty_read, struct tty_struct *tty, struct file *file, unsigned char *kbuf,
	     size_t nr, void **cookie, unsigned long offset, ssize_t ret)
{
	return on_io(tty, ret, false);
}

/* before 5.11: n_tty_read(tty, file, buf, nr) */
SEC("fexit/n_tty_read")
int BPF_PROG(fexit_n_tty_read_old, struct tty_struct *tty, struct file *file, unsigned char *buf,
	     size_t nr, ssize_t ret)
{
	return on_io(tty, ret, false);
}

SEC("fentry/tty_release_struct")
int BPF_PROG(fentry_tty_release_struct, struct tty_struct *tty, int idx)
{
	return on_release(tty);
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
	return on_io(file_tty(file), size, true);
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
	on_io((struct tty_struct *)*tty, ret, false);
	bpf_map_delete_elem(&inflight_r, &id);
	return 0;
}

SEC("kprobe/tty_release_struct")
int BPF_KPROBE(kprobe_tty_release_struct, struct tty_struct *tty)
{
	return on_release(tty);
}
