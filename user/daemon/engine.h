/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enforcement engine: per-terminal state, one min-heap of "next time to
 * look", and the transitions watch -> warned -> ending. Decisions come from
 * deadline_decide() (pure); engine.c sequences them and ending.c carries out
 * the escalation of an expired session.
 *
 * The engine reaches the world through two tables and nothing else: the
 * kernel maps through struct engine_kernel (so it does not depend on
 * libbpf), and the machine through struct host_ops (host/host.h): it
 * resolves, warns, hangs up, signals and lists only through the host, and
 * every terminal due at one time is one host batch. Times are the caller's
 * (CLOCK_BOOTTIME in the daemon); nothing here reads a clock, sleeps or
 * scans every terminal on a wake-up: the daemon arms its timerfd at
 * engine_next().
 */
#ifndef TTYIDLE_ENGINE_H
#define TTYIDLE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "policy/config.h"
#include "daemon/deadheap.h"
#include "daemon/metrics.h"
#include "host/host.h"
#include "ttyidle.h"

struct engine_kernel {
	void *ctx;
	/* 0, or -ENOENT when the terminal has no record (released) */
	int (*read_rec)(void *ctx, const struct tty_key *k, struct tty_rec *r);
	/* insert into `armed`: the first activity in mask emits EV_ACTIVITY and
	 * disarms; warned_ms and own_bytes (the warning about to be written) as
	 * struct armed documents them */
	int (*arm)(void *ctx, const struct tty_key *k, uint32_t mask, uint32_t warned_ms,
		   uint32_t own_bytes);
	int (*disarm)(void *ctx, const struct tty_key *k);
	/* how many terminals are armed, so the BPF side can skip its lookup at 0 */
	void (*set_narmed)(void *ctx, uint32_t n);
	/* 1 if the terminal is still in `armed`, 0 if not, -errno */
	int (*is_armed)(void *ctx, const struct tty_key *k);
	/* the `ending` map (struct ending_rec): a session's ending as it stands,
	 * and its removal once over; NULL: endings die with the daemon */
	int (*save_ending)(void *ctx, const struct ending_key *k, const struct ending_rec *r);
	int (*drop_ending)(void *ctx, const struct ending_key *k);
};

enum term_phase {
	PH_WATCH = 0, /* counting down to the warning */
	PH_WARNED,    /* warning written, armed: activity cancels */
	PH_LOGGED,    /* action `warn`: expiry logged, armed until activity */
	PH_ENDING,    /* hangup/signals under way (struct term_plan) */
	PH_FINISHED,  /* ended, or survivors reported: waiting for the release */
};

/* What the engine keeps of a session: enough for audit records and signals. */
struct who {
	pid_t sid;
	unsigned long long leader_start;
	long long uid;
	char user[64];
	char tty[36];
	char leader[64];
	char service[16];
	char remote[64];
	char remote_src[12];
	char container[96];
	/* for joining records only (session.h): "" and -1 when unknown */
	char logind_session[32];
	long long audit_session;
	long long loginuid;
};

struct term {
	struct deadheap_node hn;
	struct term *next; /* hash chain, or the list of released terminals */
	struct tty_key key;
	enum term_phase phase;
	bool resolved;	      /* who is valid for who.sid */
	uint64_t resolved_ns; /* the batch (its now) of the last resolution */
	/*
	 * The terminal was released while its session was being ended: the
	 * escalation goes on until no process of the session remains, but the
	 * key may already name a new terminal, so the map is never read again.
	 */
	bool released;
	uint64_t first_ns;	 /* the record's first_ns when resolved: the terminal instance */
	uint64_t check_ns;	 /* PH_ENDING: wait before looking for the session's end again */
	bool unresolved;	 /* came due, owner not verified: waiting for its next use */
	bool names_wait;	 /* came due, its user's or groups' names being looked up */
	uint32_t armed;		 /* TTY_CLK_BIT()s armed for; 0: not armed */
	bool reloaded;		 /* a new policy came since the last decision */
	const struct rule *rule; /* NULL: out of scope or no session; reset on reload */
	char rule_name[CONF_NAME_MAX + 1]; /* copies that outlive a reload */
	enum action action;
	struct who who;
	uint64_t last_ns; /* last activity when the warning was written */
	int last_clock;
	uint64_t acted_ns;
	uint64_t warned_ns; /* when the warning of PH_WARNED was given */
	uint64_t due_ns;    /* PH_WARNED: the deadline the warning announced */
	bool resumed;	    /* ending taken over from a previous daemon: not yet looked at */
	/* hung up ahead of its first step (engine_run_due): that step's hangup result */
	bool prehung;
	int prehung_rc;
	/*
	 * A warning a previous daemon gave (its `armed` entry, found at start):
	 * the clocks it was armed for and struct armed.warned_ms. It is taken
	 * over at the first decision, so a restart never gives a second lead.
	 */
	uint32_t prior_mask, prior_warned_ms;
	struct term_plan plan;
};

struct engine_stats {
	uint64_t warnings, cancels, terminations, survivors, logged;
};

struct engine {
	const struct engine_kernel *k;
	const struct host_ops *h;
	const struct policy *policy;
	uint64_t min_lead_ns; /* shortest idle - warn over enforcing rules */
	/* per set of activity clocks (index: TTY_CLK_BIT mask), how long after the last
	 * activity a terminal is first looked at (engine.c); UINT64_MAX: no such rule */
	uint64_t look_by_mask[TTY_CLK_ALL + 1];
	struct term *released; /* terminals released while their session is being ended */
	struct deadheap heap;
	struct term **buckets;
	size_t nbuckets, nterms;
	uint32_t narmed;
	uint32_t nwarned;     /* terminals in PH_WARNED */
	uint32_t nunresolved; /* terminals with `unresolved` set */
	uint32_t nnames_wait; /* terminals with `names_wait` set */
	uint32_t nreleased;   /* entries of `released` */
	int ending_err;	      /* the last save_ending() result: a failure is logged once */
	/* engine_run_due: endings started in this batch, their first step deferred */
	struct term **starting;
	size_t nstarting, capstarting;
	bool batching;
	struct engine_stats stats;
	struct metrics *metrics; /* labelled counters; NULL: none kept */
};

/* k and h are the caller's and must outlive the engine. */
int engine_init(struct engine *e, const struct engine_kernel *k, const struct host_ops *h,
		const struct policy *p);
void engine_free(struct engine *e);

/* A terminal appeared (EV_NEW, or found in the map at start-up). */
int engine_add(struct engine *e, const struct tty_key *k, uint64_t now);
/*
 * The same at start-up for a terminal a previous daemon had warned: mask and
 * warned_ms of its `armed` entry (struct armed). The warning stands: the
 * session is ended at the deadline that warning announced, without a second.
 */
int engine_add_warned(struct engine *e, const struct tty_key *k, uint32_t mask, uint32_t warned_ms,
		      uint64_t now);
/*
 * At start-up, before the terminals are added: a session a previous daemon
 * was ending (its `ending` entry). The escalation goes on from the step it
 * had reached, at the times it had set: a restart never starts it over nor
 * gives a second warning, and a released terminal's survivors are still
 * ended. Its terminal, if still the same instance, is taken into the table
 * (engine_add then leaves it alone); 0 or -errno.
 */
int engine_resume_ending(struct engine *e, const struct ending_key *k, const struct ending_rec *r,
			 uint64_t now);
/* EV_GONE: the terminal was released. A session being ended is still followed until it is. */
void engine_gone(struct engine *e, const struct tty_key *k, uint64_t now);
/* EV_ACTIVITY on an armed terminal. */
void engine_activity(struct engine *e, const struct tty_key *k, int clock, uint32_t tgid,
		     const char *comm, uint64_t now);
/*
 * Ring buffer events were lost: an EV_ACTIVITY among them leaves a terminal
 * that the BPF side has disarmed (it fired) and we still think armed, and a
 * terminal armed while it had no session waits for nothing else. Every such
 * terminal is looked at again now. Returns how many.
 */
size_t engine_resync_armed(struct engine *e, uint64_t now);
/*
 * Names the host was looking up (-EINPROGRESS from resolve, nsscache.h) have
 * landed: every terminal that waited for them is looked at now. Returns how many.
 */
size_t engine_names_ready(struct engine *e, uint64_t now);
/* Handle every terminal due at or before now. */
void engine_run_due(struct engine *e, uint64_t now);
/* When the next terminal is due; UINT64_MAX when none is. */
uint64_t engine_next(const struct engine *e);
/* A new policy (the old one stays valid until this returns): re-decide every terminal. */
void engine_set_policy(struct engine *e, const struct policy *p, uint64_t now);

struct term *engine_find(const struct engine *e, const struct tty_key *k);

/* Shortest (idle - warn) over rules that end sessions; UINT64_MAX if none do. */
uint64_t policy_min_lead(const struct policy *p);

#endif
