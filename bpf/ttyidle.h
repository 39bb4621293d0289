/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF programs (ttyidle.bpf.c) and the userspace daemon.
 * Everything here is part of the pinned-map ABI: a change in layout must bump
 * TTYIDLE_ABI so that a daemon never adopts maps it cannot read.
 */
#ifndef TTYIDLE_H
#define TTYIDLE_H

#define TTYIDLE_ABI 2

#define TTYIDLE_COMM_LEN 16
#define TTYIDLE_NAME_LEN 32

/* Pin directory and pinned object names (maps keep their BPF names). */
#define TTYIDLE_PIN_DIR "/sys/fs/bpf/ttyidle"

/*
 * One terminal. A PTY slave and its master share the slave's key.
 * dev and devpts use the kernel's internal dev_t layout (major << 20 | minor);
 * devpts is the s_dev of the devpts super block the PTY lives in (0 for
 * terminals that are not PTYs), which is what `stat -c %d /dev/pts/N` shows
 * in the namespace that mounted it.
 */
struct tty_key {
	__u32 dev;
	__u32 devpts;
};

enum tty_kind {
	TTY_KIND_PTY = 1,
	TTY_KIND_CONSOLE = 2, /* vt, serial, anything that is not a PTY */
};

/*
 * Activity clocks, also used as a bit mask in struct armed.mask.
 * IN:       the user's terminal sent bytes (write into the PTY master, or input
 *           read on a console terminal, where no master exists);
 * IN_READ:  the session consumed input (n_tty_read on the slave/console);
 * OUT:      the session wrote to its terminal (tty_write on the slave/console);
 * OUT_READ: the terminal side drained output (n_tty_read on the master).
 */
enum tty_clock {
	TTY_CLK_IN = 0,
	TTY_CLK_IN_READ = 1,
	TTY_CLK_OUT = 2,
	TTY_CLK_OUT_READ = 3,
	TTY_CLK_MAX = 4,
};

#define TTY_CLK_BIT(c) (1u << (c))
#define TTY_CLK_ALL    (TTY_CLK_BIT(TTY_CLK_MAX) - 1)

/* Value of the `ttys` hash map. Times are CLOCK_BOOTTIME nanoseconds. */
struct tty_rec {
	__u64 first_ns;	   /* first time the terminal was seen */
	__u64 in_ns;	   /* TTY_CLK_IN */
	__u64 in_read_ns;  /* TTY_CLK_IN_READ */
	__u64 out_ns;	   /* TTY_CLK_OUT */
	__u64 out_read_ns; /* TTY_CLK_OUT_READ */
	__u64 in_bytes;	   /* bytes written into the master (or read on a console) */
	__u64 out_bytes;   /* bytes the session wrote to its terminal */
	/*
	 * The session that last had this terminal as its controlling terminal
	 * (init-namespace pid of its leader; 0: none seen yet). It is kept when
	 * the terminal loses its session (TTY_F_DETACHED), so a leader that
	 * drops the terminal (TIOCNOTTY) is still known as its last owner.
	 */
	__u32 sid;
	__u32 pgrp;	   /* foreground process group, init-namespace pid */
	__u32 index;	   /* driver index: N of pts/N */
	__u32 writer_tgid; /* last process doing I/O on the PTY master (sshd, tmux, ...) */
	char writer_comm[TTYIDLE_COMM_LEN]; /* its comm: the process chose it, names nothing */
	char name[TTYIDLE_NAME_LEN];	    /* kernel tty name, e.g. "pts3", "ttyS0" */
	__u8 kind;			    /* enum tty_kind */
	__u8 flags;			    /* TTY_F_* */
	__u8 pad[2];
	/* when sid was last seen owning the terminal, in 2^30 ns units */
	__u32 sess_epoch;
};

/* tty_rec.flags: at the last look the terminal had no session; sid is the last one */
#define TTY_F_DETACHED 0x01

/*
 * Value of the `armed` hash map (same key as `ttys`). Userspace inserts an
 * entry when a terminal is about to be warned or is in warning; the first
 * activity whose clock is in `mask` emits EV_ACTIVITY and deletes the entry
 * (one shot), so a keystroke cancels a pending action at once.
 */
struct armed {
	/*
	 * Low 16 bits: TTY_CLK_BIT()s that count as activity. High 16 bits
	 * (ARMED_OWN_SHIFT): bytes of the daemon's own warning not yet read off
	 * the PTY master; the kernel side takes reads of them off this count and
	 * books them as nobody's activity (sshd draining the warning is not the
	 * session's output). Set before the warning is written, so no read of it
	 * can come first.
	 */
	__u32 mask;
	/*
	 * For `status`, which cannot ask the daemon: the warning was given this
	 * many ms after the last activity on the rule's clocks, so the action is
	 * due one warning lead after that at the earliest (later than the
	 * policy's deadline when the warning came late). 0: not a warning arm.
	 * Kernel code never reads it. Layout 2 named it `pad` and left it 0.
	 */
	__u32 warned_ms;
};

#define ARMED_CLOCKS	0xffffu
#define ARMED_OWN_SHIFT 16
#define ARMED_OWN_MAX	0xffffu

/*
 * Single-entry array map `ctl`: knobs only userspace writes (a whole-value
 * update, so nothing the kernel side changes may live here).
 */
struct ttyidle_ctl {
	__u32 abi;	   /* TTYIDLE_ABI of the object that created the maps */
	__u32 daemon_tgid; /* writes by this process never count as activity */
	__u32 narmed;	   /* entries in `armed`; 0 skips the lookup */
	__u32 mode;	   /* enum attach_mode the programs were attached with */
};

/* Single-entry array map `stats`: counters only the kernel side writes. */
struct ttyidle_stats {
	__u64 events_lost; /* ring buffer reservations that failed */
	__u64 ttys_full;   /* terminals not tracked because `ttys` was full */
};

/*
 * The `ending` hash map: sessions whose ending is under way (hung up, the
 * signals still to come, or warned and released with processes left),
 * written only by the daemon at each step, so that a daemon restarted in
 * between carries the escalation on where it stood instead of starting
 * over (a second warning, a fresh lead) or forgetting survivors of a
 * released terminal. Kernel code never touches it; `bpftool map dump
 * pinned /sys/fs/bpf/ttyidle/ending` shows it. Added in layout 2 without a
 * bump: a daemon that finds no such pin makes one.
 */
struct ending_key {
	__u32 sid; /* init-namespace pid of the session's leader */
	__u32 pad;
	__u64 leader_start; /* its start time (/proc/PID/stat, ns): a reused pid names nobody */
};

/* statfs f_type / s_magic of devpts (include/uapi/linux/magic.h) */
#define DEVPTS_SUPER_MAGIC 0x1cd1

#define ENDING_MAX 4096 /* entries: sessions being ended at once */

#define ENDING_USER_LEN	      64
#define ENDING_TTY_LEN	      36
#define ENDING_LEADER_LEN     64
#define ENDING_SERVICE_LEN    16
#define ENDING_REMOTE_LEN     64
#define ENDING_REMOTE_SRC_LEN 12
#define ENDING_CONTAINER_LEN  96
#define ENDING_RULE_LEN	      65

struct ending_rec {
	struct tty_key key; /* the terminal it had */
	__u64 first_ns;	    /* that terminal's tty_rec.first_ns: the instance, not its number */
	__u64 acted_ns;	    /* the deadline acted on (CLOCK_BOOTTIME) */
	__u64 last_ns;	    /* the last activity before it */
	__u64 next_due_ns;  /* when the next step is due */
	__u64 d_term_ns, d_kill_ns, d_report_ns; /* the rule's delays between steps */
	__s64 uid;
	__s32 last_clock; /* enum tty_clock, -1: none */
	__u32 next_step;  /* the next step (user/host/terminate.h enum term_action) */
	__u32 action;	  /* the rule's action (user/policy/config.h enum action) */
	__u32 pad;
	char user[ENDING_USER_LEN];
	char tty[ENDING_TTY_LEN];
	char leader[ENDING_LEADER_LEN];
	char service[ENDING_SERVICE_LEN];
	char remote[ENDING_REMOTE_LEN];
	char remote_src[ENDING_REMOTE_SRC_LEN];
	char container[ENDING_CONTAINER_LEN];
	char rule[ENDING_RULE_LEN];
	char pad2[7];
};

enum attach_mode {
	ATTACH_NONE = 0,
	ATTACH_FENTRY = 1,
	ATTACH_KPROBE = 2,
};

enum ev_type {
	EV_NEW = 1,	 /* terminal first seen */
	EV_GONE = 2,	 /* terminal released; its record was deleted */
	EV_ACTIVITY = 3, /* activity on an armed terminal */
};

/* Ring buffer `events` record. */
struct event {
	__u32 type;  /* enum ev_type */
	__u32 clock; /* EV_ACTIVITY: enum tty_clock */
	struct tty_key key;
	__u64 ts_ns;
	__u32 tgid; /* process that caused the event */
	__u32 pad;
	char comm[TTYIDLE_COMM_LEN];
};

#endif /* TTYIDLE_H */
