// SPDX-License-Identifier: GPL-2.0
/*
 * `ttyidle run`: the daemon. Checks, attaches, then hands the ring buffer,
 * a signalfd and the metrics timer to the one event loop (daemon/loop.h).
 *
 * Over 600 lines: the start-up order (policy, privileges, attach, ctl,
 * prior warnings, stale records, adoption, then the loop) is the point of
 * this file, and the kernel-map adapters the engine calls are its only
 * libbpf users; moving them out would spread one sequence over files.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/bpf_load.h"
#include "cli/cmd.h"
#include "policy/config.h"
#include "policy/duration.h"
#include "policy/rules.h"
#include "daemon/engine.h"
#include "daemon/loop.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "host/nsscache.h"
#include "host/preflight.h"
#include "host/procfs.h"
#include "host/session.h"
#include "lib/termview.h"

/* RuntimeDirectory=ttyidle in the unit: /run itself is read-only there */
#define RUN_DIR		"/run/ttyidle"
#define LOCK_PATH	RUN_DIR "/lock"
#define TICK_PERIOD_SEC 15
#define EVENTS_PER_TURN 256
#define TELL_EVERY_NS	(60 * 1000000000ULL) /* rate of repeated warnings */

struct daemon {
	struct bpf_state bpf;
	struct ring_buffer *rb;
	struct loop loop;
	int sigfd, lockfd;
	unsigned long events;
	const char *conf, *conf_dir;
	unsigned conf_flags;	 /* POLICY_LOAD_*: the same at every reload */
	struct policy policy[2]; /* the one in force and the one a reload builds */
	int cur;
	struct engine eng;
	struct engine_kernel kern;
	struct host host;      /* what the engine resolves, warns and signals through */
	struct nss_cache *nss; /* user and group names, looked up off the loop */
	const char *metrics_path;
	struct metrics metrics;
	int tickfd;
	unsigned long long watchdog_usec;   /* WatchdogSec= as systemd passed it; 0: none */
	char status[NOTIFY_STATUS_MAX + 1]; /* the STATUS= text last sent */
	char reload_err[160];		    /* why the last reload failed; "" if it did not */
	char metrics_err[256];
	uint64_t events_lost_seen;
	uint64_t ttys_full_seen;
	uint64_t ttys_full_told_ns; /* when a full `ttys` map was last logged */
	uint64_t misses_seen;	    /* bpf_prog_misses() when last logged */
	uint64_t misses_told_ns;    /* when skipped runs were last logged */
	unsigned int turn_events;
	bool turn_full;
	struct ttyidle_ctl ctl; /* what we last wrote to `ctl`: only we write it */
};

/* ---- the kernel maps, as the engine sees them --------------------------- */

static int k_read_rec(void *ctx, const struct tty_key *k, struct tty_rec *r)
{
	struct daemon *d = ctx;

	return bpf_map_lookup_elem(d->bpf.ttys_fd, k, r) ? -errno : 0;
}

static int k_arm(void *ctx, const struct tty_key *k, uint32_t mask, uint32_t warned_ms,
		 uint32_t own_bytes)
{
	struct daemon *d = ctx;
	struct armed a = {
	    .mask = (mask & ARMED_CLOCKS) | (own_bytes > ARMED_OWN_MAX ? ARMED_OWN_MAX : own_bytes)
						<< ARMED_OWN_SHIFT,
	    .warned_ms = warned_ms,
	};

	return bpf_map_update_elem(d->bpf.armed_fd, k, &a, BPF_ANY) ? -errno : 0;
}

static int k_disarm(void *ctx, const struct tty_key *k)
{
	struct daemon *d = ctx;

	return bpf_map_delete_elem(d->bpf.armed_fd, k) ? -errno : 0;
}

static int k_is_armed(void *ctx, const struct tty_key *k)
{
	struct daemon *d = ctx;
	struct armed a;

	if (bpf_map_lookup_elem(d->bpf.armed_fd, k, &a) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

static int k_save_ending(void *ctx, const struct ending_key *k, const struct ending_rec *r)
{
	struct daemon *d = ctx;

	return bpf_map_update_elem(d->bpf.ending_fd, k, r, BPF_ANY) ? -errno : 0;
}

static int k_drop_ending(void *ctx, const struct ending_key *k)
{
	struct daemon *d = ctx;

	return bpf_map_delete_elem(d->bpf.ending_fd, k) ? -errno : 0;
}

static void k_set_narmed(void *ctx, uint32_t n)
{
	struct daemon *d = ctx;
	int r;

	d->ctl.narmed = n;
	r = ctl_write(&d->bpf, &d->ctl);
	if (r)
		log_warn("cannot write the ctl map (%s): activity during a warning may be "
			 "noticed only at the deadline",
			 strerror(-r));
}

static int handle_event(void *ctx, void *data, size_t len)
{
	struct daemon *d = ctx;
	const struct event *e = data;
	uint64_t now;

	if (len < sizeof(*e))
		return 0;
	d->events++;
	now = boottime_ns();
	switch (e->type) {
	case EV_NEW:
		log_debug("terminal dev %u:%u devpts %u:%u first seen, by pid %u (%.16s)",
			  kdev_major(e->key.dev), kdev_minor(e->key.dev), kdev_major(e->key.devpts),
			  kdev_minor(e->key.devpts), e->tgid, e->comm);
		if (engine_add(&d->eng, &e->key, now))
			log_err("out of memory tracking a terminal");
		break;
	case EV_GONE:
		log_debug("terminal dev %u:%u devpts %u:%u released", kdev_major(e->key.dev),
			  kdev_minor(e->key.dev), kdev_major(e->key.devpts),
			  kdev_minor(e->key.devpts));
		engine_gone(&d->eng, &e->key, now);
		break;
	case EV_ACTIVITY:
		engine_activity(&d->eng, &e->key, e->clock, e->tgid, e->comm, now);
		break;
	}
	/*
	 * The turn ends as soon as a deadline is due, or after so many events:
	 * the loop serves due deadlines between turns, so however fast anyone
	 * makes terminals (the rest stays queued), a warning or a hangup waits
	 * for one event at most, not for a turn (256 events took 250-470 ms on
	 * a loaded emulated arm64 VM).
	 */
	if (++d->turn_events >= EVENTS_PER_TURN || engine_next(&d->eng) <= now)
		d->turn_full = true;
	return d->turn_full ? -EAGAIN : 0;
}

/* A previous daemon's `armed` entry, kept across the restart. */
struct prior_arm {
	struct tty_key key;
	struct armed a;
};

static int cmp_prior(const void *a, const void *b)
{
	const struct tty_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->devpts < y->devpts ? -1 : x->devpts > y->devpts;
}

struct prior_arms {
	struct prior_arm *v;
	size_t n, cap;
	int fd;
};

static int take_arm(const void *key, const void *val, void *ctx)
{
	struct prior_arms *p = ctx;
	const struct armed *a = val;
	struct prior_arm *nv;

	if (p->n == p->cap &&
	    (nv = realloc(p->v, (p->cap = p->cap ? 2 * p->cap : 64) * sizeof(*nv))))
		p->v = nv;
	if (p->n < p->cap && a->warned_ms) {
		memcpy(&p->v[p->n].key, key, sizeof(struct tty_key));
		p->v[p->n++].a = *a;
	}
	/* every entry goes, found room or not: map_walk allows that */
	bpf_map_delete_elem(p->fd, key);
	return 0;
}

/*
 * Take the previous daemon's arms out of `armed`: they mean nothing to this
 * one's bookkeeping, but its warnings (warned_ms) still stand, so they are
 * handed to the engine. *out sorted by key, malloc'ed.
 */
static size_t take_prior_arms(struct daemon *d, struct prior_arm **out)
{
	struct prior_arms p = {.fd = d->bpf.armed_fd};

	map_walk(d->bpf.armed_fd, sizeof(struct tty_key), sizeof(struct armed), take_arm, &p);
	if (p.n)
		qsort(p.v, p.n, sizeof(*p.v), cmp_prior);
	*out = p.v;
	return p.n;
}

struct stale {
	struct tty_key *keys;
	size_t n, cap;
};

static int note_stale(const void *key, const void *val, void *ctx)
{
	struct stale *st = ctx;
	struct tty_key *nk;

	if (session_owner_alive(NULL, key, val))
		return 0;
	if (st->n == st->cap) {
		nk = realloc(st->keys, (st->cap = st->cap ? 2 * st->cap : 256) * sizeof(*nk));
		if (!nk)
			return -ENOMEM;
		st->keys = nk;
	}
	memcpy(&st->keys[st->n++], key, sizeof(struct tty_key));
	return 0;
}

/*
 * Records kept while nothing observed (kprobe links cannot be pinned before
 * Linux 5.15: the programs detach with the daemon) may describe a terminal
 * released meanwhile, whose number a new one has since taken: a fresh login
 * would then look long idle. Only records whose session still lives are
 * kept; a dropped one starts afresh at its terminal's next use (a terminal
 * without a session is not enforced, so nothing is lost but its counters).
 */
static int drop_stale_records(struct daemon *d)
{
	struct stale st = {0};
	int dropped = 0;
	size_t i;

	/* keys first: deleting only some during a walk would see others twice */
	map_walk(d->bpf.ttys_fd, sizeof(struct tty_key), sizeof(struct tty_rec), note_stale, &st);
	for (i = 0; i < st.n; i++)
		if (bpf_map_delete_elem(d->bpf.ttys_fd, &st.keys[i]) == 0)
			dropped++;
	free(st.keys);
	return dropped;
}

struct adopt {
	struct daemon *d;
	const struct prior_arm *prior;
	size_t nprior;
	int n;
};

struct resume {
	struct daemon *d;
	int n;
	struct ending_key *bad; /* entries that cannot be carried on: deleted after the walk */
	size_t nbad, cap;
};

static int resume_one(const void *key, const void *val, void *ctx)
{
	struct resume *rs = ctx;
	int r;

	/* kept in the map until the engine saves its next step or drops it */
	r = engine_resume_ending(&rs->d->eng, key, val, boottime_ns());
	if (r == 0)
		rs->n++;
	if (r != -EINVAL) /* -ENOMEM: a fault of ours, not of the entry */
		return 0;
	if (rs->nbad == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 16;
		struct ending_key *b = reallocarray(rs->bad, cap, sizeof(*b));

		if (!b)
			return 0; /* left for the next start */
		rs->bad = b;
		rs->cap = cap;
	}
	memcpy(&rs->bad[rs->nbad++], key, sizeof(struct ending_key));
	return 0;
}

/* Endings a previous daemon left under way: they go on (before terminals are adopted). */
static int resume_endings(struct daemon *d)
{
	struct resume rs = {.d = d};
	size_t i;

	map_walk(d->bpf.ending_fd, sizeof(struct ending_key), sizeof(struct ending_rec), resume_one,
		 &rs);
	for (i = 0; i < rs.nbad; i++)
		bpf_map_delete_elem(d->bpf.ending_fd, &rs.bad[i]);
	if (rs.nbad)
		log_warn("dropped %zu entries of %s/ending this daemon cannot carry on", rs.nbad,
			 TTYIDLE_PIN_DIR);
	free(rs.bad);
	return rs.n;
}

static int adopt_one(const void *key, const void *val, void *ctx)
{
	struct adopt *ad = ctx;
	const struct prior_arm *p;

	/* a terminal whose session's ending was resumed is the engine's already */
	if (engine_find(&ad->d->eng, key))
		return 0;

	p = ad->nprior ? bsearch(key, ad->prior, ad->nprior, sizeof(*ad->prior), cmp_prior) : NULL;
	if ((p ? engine_add_warned(&ad->d->eng, key, p->a.mask, p->a.warned_ms, boottime_ns())
	       : engine_add(&ad->d->eng, key, boottime_ns())) == 0)
		ad->n++;
	return 0;
}

/* Adopt what the kernel already tracks: the one full walk, at start-up. */
static int adopt_terminals(struct daemon *d, const struct prior_arm *prior, size_t nprior)
{
	struct adopt ad = {d, prior, nprior, 0};

	map_walk(d->bpf.ttys_fd, sizeof(struct tty_key), 0, adopt_one, &ad);
	return ad.n;
}

/*
 * The kernel could not queue some events (ring buffer full): a terminal may
 * have appeared or gone unannounced. Walk the map once to catch up.
 */
struct resync {
	struct daemon *d;
	int added;
};

static int resync_one(const void *key, const void *val, void *ctx)
{
	struct resync *rs = ctx;

	if (!engine_find(&rs->d->eng, key) && engine_add(&rs->d->eng, key, boottime_ns()) == 0)
		rs->added++;
	return 0;
}

static void resync_if_lost(struct daemon *d)
{
	struct resync rs = {d, 0};
	struct ttyidle_stats c;
	size_t fired;
	uint64_t now;

	if (stats_read(&d->bpf, &c))
		return;
	/* terminals the kernel side could not track are never enforced: say so */
	now = boottime_ns();
	if (c.ttys_full != d->ttys_full_seen &&
	    (!d->ttys_full_told_ns || now - d->ttys_full_told_ns >= TELL_EVERY_NS)) {
		log_warn(
		    "the ttys map is full (%llu entries): %llu more uses of untracked terminals; "
		    "those terminals are not enforced",
		    (unsigned long long)d->metrics.ttys_max_entries,
		    (unsigned long long)(c.ttys_full - d->ttys_full_seen));
		d->ttys_full_seen = c.ttys_full;
		d->ttys_full_told_ns = now;
	}
	if (c.events_lost == d->events_lost_seen)
		return;
	log_warn("%llu ring buffer events were lost: re-reading the terminal map",
		 (unsigned long long)(c.events_lost - d->events_lost_seen));
	d->events_lost_seen = c.events_lost;
	map_walk(d->bpf.ttys_fd, sizeof(struct tty_key), 0, resync_one, &rs);
	/* terminals released unannounced are dropped when they next come due */
	if (rs.added)
		log_info("resync: %d terminals added", rs.added);
	fired = engine_resync_armed(&d->eng, boottime_ns());
	if (fired)
		log_info("resync: %zu armed terminals were used unannounced; looking at them again",
			 fired);
}

/*
 * Skipped runs lose bookings: an active terminal can look idler than it is.
 * Said at most once a minute, with the count since it was last said.
 */
static void tell_misses(struct daemon *d)
{
	uint64_t n, now = boottime_ns();

	if (bpf_prog_misses(&d->bpf, &n))
		return;
	d->metrics.bpf_misses = n;
	if (n <= d->misses_seen || (d->misses_told_ns && now - d->misses_told_ns < TELL_EVERY_NS))
		return;
	log_warn("the kernel skipped %llu more runs of ttyidle's programs (a run preempted on a "
		 "CPU blocks the next there): activity on busy terminals may be under-counted",
		 (unsigned long long)(n - d->misses_seen));
	d->misses_seen = n;
	d->misses_told_ns = now;
}

static void write_metrics(struct daemon *d)
{
	struct ttyidle_stats c;
	char err[256];

	if (!d->metrics_path)
		return;
	d->metrics.terminals_tracked = d->eng.nterms;
	d->metrics.ttys_entries = d->eng.nterms;
	d->metrics.terminals_warning = d->eng.nwarned;
	d->metrics.terminals_unresolved = d->eng.nunresolved;
	d->metrics.sessions_ending_released = d->eng.nreleased;
	d->metrics.armed_entries = d->eng.narmed;
	d->metrics.events_received = d->events;
	if (stats_read(&d->bpf, &c) == 0) {
		d->metrics.events_lost = c.events_lost;
		d->metrics.ttys_full = c.ttys_full;
	}
	if (metrics_write_atomic(&d->metrics, d->metrics_path, err, sizeof(err))) {
		/* once per distinct failure, not every period */
		if (strcmp(err, d->metrics_err))
			log_warn("metrics: %s", err);
		snprintf(d->metrics_err, sizeof(d->metrics_err), "%s", err);
	} else {
		d->metrics_err[0] = 0;
	}
}

static uint32_t map_max_entries(int fd)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

/*
 * STATUS= for `systemctl status`: the policy, the live counts, and a failed
 * last reload until a good one. Sent when it changes (start, reload, and
 * the periodic tick); ready adds READY=1 (after start and each reload).
 */
static void tell_status(struct daemon *d, bool ready)
{
	char text[NOTIFY_STATUS_MAX + 1];

	snprintf(text, sizeof(text), "%s%s%s%zu rules, %s mode; %zu terminals tracked, %u warned",
		 d->reload_err[0] ? "last reload FAILED (" : "", d->reload_err,
		 d->reload_err[0] ? "), previous policy in force; " : "", d->policy[d->cur].nrules,
		 attach_mode_name(d->bpf.mode), d->eng.nterms, (unsigned)d->eng.nwarned);
	if (ready) {
		notify_ready(text);
	} else if (strcmp(text, d->status)) {
		notify_status("%s", text);
	} else {
		return;
	}
	snprintf(d->status, sizeof(d->status), "%s", text);
}

static void reload(struct daemon *d)
{
	int nxt = !d->cur;
	char err[512];

	notify_reloading();
	if (policy_load(&d->policy[nxt], d->conf, d->conf_dir,
			POLICY_LOAD_STRICT_PERMS | d->conf_flags, err, sizeof(err))) {
		log_err("reload failed, keeping the policy in force: %s", err);
		d->metrics.reloads_failed++;
		snprintf(d->reload_err, sizeof(d->reload_err), "%.*s",
			 (int)sizeof(d->reload_err) - 1, err);
		tell_status(d, true);
		return;
	}
	d->metrics.reloads_ok++;
	engine_set_policy(&d->eng, &d->policy[nxt], boottime_ns());
	policy_free(&d->policy[d->cur]);
	d->cur = nxt;
	d->reload_err[0] = 0;
	{
		char sum[1024];

		policy_describe(&d->policy[d->cur], sum, sizeof(sum));
		log_info("configuration reloaded: %zu rules; %s", d->policy[d->cur].nrules, sum);
	}
	tell_status(d, true);
}

/* ---- the loop's sources and deadlines --------------------------------------- */

static uint64_t due_next(void *ctx)
{
	return engine_next(&((struct daemon *)ctx)->eng);
}

static void due_run(void *ctx, uint64_t now)
{
	engine_run_due(&((struct daemon *)ctx)->eng, now);
}

static uint64_t due_now(void *ctx)
{
	return boottime_ns();
}

/* One ring buffer turn (EVENTS_PER_TURN at most: handle_event); the loop
 * serves due deadlines before the next. */
static void on_ring(void *ctx)
{
	struct daemon *d = ctx;

	d->turn_events = 0;
	d->turn_full = false;
	ring_buffer__consume(d->rb);
	resync_if_lost(d);
}

/* The periodic tick: skipped runs are looked at whether or not metrics are
 * written, so that the log says so on a daemon run without --metrics. */
static void on_tick(void *ctx)
{
	struct daemon *d = ctx;
	uint64_t ticks;

	if (read(d->tickfd, &ticks, sizeof(ticks)) <= 0)
		return;
	/* from the loop's own timer: a loop that no longer turns stops petting */
	if (d->watchdog_usec)
		notify_watchdog();
	tell_misses(d);
	write_metrics(d);
	tell_status(d, false);
}

/* Names the engine waited for have landed. */
static void on_names(void *ctx)
{
	struct daemon *d = ctx;

	nss_cache_ack(d->nss);
	engine_names_ready(&d->eng, boottime_ns());
}

static void on_signal(void *ctx);

static int setup_loop(struct daemon *d, char *err, size_t errlen)
{
	struct loop_due due = {.ctx = d, .next = due_next, .run = due_run, .now = due_now};
	sigset_t mask;
	uint64_t period_ns = TICK_PERIOD_SEC * 1000000000ULL;
	struct itimerspec tick;
	int r;

	/* WATCHDOG=1 at half the watchdog's interval at least (sd_watchdog_enabled(3)) */
	if (d->watchdog_usec && d->watchdog_usec * 1000ULL / 2 < period_ns)
		period_ns = d->watchdog_usec * 1000ULL / 2;
	if (!period_ns)
		period_ns = 1;
	tick.it_interval.tv_sec = (time_t)(period_ns / 1000000000ULL);
	tick.it_interval.tv_nsec = (long)(period_ns % 1000000000ULL);
	tick.it_value = tick.it_interval;

	d->rb = ring_buffer__new(d->bpf.events_fd, handle_event, d, NULL);
	if (!d->rb) {
		snprintf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		return -errno;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sigfd < 0 || (r = loop_init(&d->loop, &due)) < 0) {
		snprintf(err, errlen, "cannot create event fds: %s", strerror(errno));
		return -errno;
	}
	if ((r = loop_add(&d->loop, ring_buffer__epoll_fd(d->rb), on_ring, d)) ||
	    (r = loop_add(&d->loop, d->sigfd, on_signal, d)) ||
	    (r = loop_add(&d->loop, nss_cache_fd(d->nss), on_names, d)))
		goto fail;
	d->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->tickfd < 0 || timerfd_settime(d->tickfd, 0, &tick, NULL)) {
		r = -errno;
		goto fail;
	}
	if ((r = loop_add(&d->loop, d->tickfd, on_tick, d)))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot set up the event loop: %s", strerror(-r));
	return r;
}

static void on_signal(void *ctx)
{
	struct daemon *d = ctx;
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(d);
		} else {
			notify_stopping();
			log_info("signal %d: exiting; programs stay attached%s", si.ssi_signo,
				 d->bpf.links_pinned ? "" : " until now (links not pinnable)");
			loop_stop(&d->loop);
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ttyidle run [--attach=auto|fentry|kprobe] [--config FILE] "
		"[--config-dir DIR]\n"
		"                   [--metrics FILE] [--check]\n\n"
		"Attach the BPF programs (or adopt pinned ones) and enforce the idle policy.\n"
		"  --attach MODE     fentry/fexit, kprobe/kretprobe, or auto (try fentry first)\n"
		"  --config FILE     main configuration (default %s)\n"
		"  --config-dir DIR  drop-ins, *.conf in lexical order (default %s)\n"
		"  --metrics FILE    write Prometheus text metrics to FILE every 15 s, "
		"atomically\n"
		"  --check           load the configuration as run would, then exit: 0, or 1\n"
		"                    with the error (the unit's ExecReload= runs this first)\n"
		"A FILE or DIR named here must exist; '' means none (built-in policy, no "
		"drop-ins).\n",
		TTYIDLE_CONF_PATH, TTYIDLE_CONF_DROPIN);
}

int do_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"attach", required_argument, NULL, 'a'},
	    {"config", required_argument, NULL, 'c'},
	    {"config-dir", required_argument, NULL, 'd'},
	    {"metrics", required_argument, NULL, 'm'},
	    {"check", no_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	struct daemon d = {
	    .tickfd = -1,
	    .sigfd = -1,
	    .lockfd = -1,
	    .loop = {.epfd = -1, .timerfd = -1},
	    .conf = TTYIDLE_CONF_PATH,
	    .conf_dir = TTYIDLE_CONF_DROPIN,
	};
	enum attach_mode want = ATTACH_NONE;
	const char *env = getenv("TTYIDLE_ATTACH");
	struct prior_arm *prior = NULL;
	size_t nprior = 0;
	bool conf_named = false, dir_named = false, check = false;
	char err[1024];
	int ch, e, r = 1;

	if (env && *env && attach_mode_parse(env, &want)) {
		cmd_error("run", "TTYIDLE_ATTACH='%s' is not one of auto, fentry, kprobe", env);
		return EXIT_USAGE;
	}
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (attach_mode_parse(optarg, &want)) {
				cmd_error("run", "--attach '%s' is not one of auto, fentry, kprobe",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			d.conf = optarg;
			conf_named = true;
			break;
		case 'd':
			d.conf_dir = optarg;
			dir_named = true;
			break;
		case 'm':
			d.metrics_path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cmd_bad_option("run", argv, ch);
		}
	}
	if (optind < argc) {
		cmd_error("run", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	d.conf_flags = cmd_conf_paths(&d.conf, conf_named, &d.conf_dir, dir_named);
	/* the policy first: a bad file must stop us before anything is attached */
	if (policy_load(&d.policy[0], d.conf, d.conf_dir, POLICY_LOAD_STRICT_PERMS | d.conf_flags,
			err, sizeof(err))) {
		cmd_error("run", "%s", err);
		return 1;
	}
	if (check) {
		policy_free(&d.policy[0]);
		return 0;
	}
	if (notify_watchdog_usec(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), (long)getpid(),
				 &d.watchdog_usec))
		log_warn("WATCHDOG_USEC='%s' WATCHDOG_PID='%s' not understood: no watchdog",
			 getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID") ?: "");
	if (preflight_caps("/proc/self/status",
			   (1ULL << CAPN_SYS_ADMIN) | (1ULL << CAPN_KILL) |
			       (1ULL << CAPN_SYS_PTRACE) | (1ULL << CAPN_DAC_OVERRIDE),
			   err, sizeof(err)) ||
	    preflight_btf("/sys/kernel/btf/vmlinux", err, sizeof(err)) ||
	    preflight_bpffs("/sys/fs/bpf", err, sizeof(err)) ||
	    (mkdir(RUN_DIR, 0755) && errno != EEXIST &&
	     snprintf(err, sizeof(err), "cannot create %s: %s", RUN_DIR, strerror(errno))) ||
	    instance_lock(LOCK_PATH, &d.lockfd, err, sizeof(err))) {
		cmd_error("run", "%s", err);
		policy_free(&d.policy[0]);
		return 1;
	}
	{
		uint64_t ino = 0;

		/* the kernel records sessions as init-namespace PIDs: only that view works */
		if (procfs_read_ns(NULL, getpid(), "pid", &ino) == 0 &&
		    ino != PROCFS_INIT_PIDNS_INO) {
			cmd_error("run",
				  "must run in the host's PID namespace (session ids from the "
				  "kernel are host PIDs)");
			goto out;
		}
	}
	if (bpf_state_open(&d.bpf, want, gopts.verbose, err, sizeof(err))) {
		cmd_error("run", "%s", err);
		goto out;
	}
	/* without our tgid in ctl, our own warnings would count as activity */
	if ((e = ctl_read(&d.bpf, &d.ctl)) == 0) {
		d.ctl.daemon_tgid = getpid();
		e = ctl_write(&d.bpf, &d.ctl);
	}
	if (e) {
		cmd_error("run", "cannot write the ctl map under %s: %s", TTYIDLE_PIN_DIR,
			  strerror(-e));
		goto out;
	}
	log_info("%s programs in %s mode; maps pinned under %s",
		 d.bpf.adopted ? "adopted" : "attached", attach_mode_name(d.bpf.mode),
		 TTYIDLE_PIN_DIR);
	if (d.bpf.note[0])
		log_warn("%s", d.bpf.note);
	if (d.bpf.note2[0])
		log_warn("%s", d.bpf.note2);
	d.kern = (struct engine_kernel){
	    .ctx = &d,
	    .read_rec = k_read_rec,
	    .arm = k_arm,
	    .disarm = k_disarm,
	    .set_narmed = k_set_narmed,
	    .is_armed = k_is_armed,
	    .save_ending = k_save_ending,
	    .drop_ending = k_drop_ending,
	};
	if ((e = nss_cache_new(&d.nss, NULL, NSS_CACHE_TTL_NS))) {
		cmd_error("run", "cannot start the name lookup thread: %s", strerror(-e));
		goto out;
	}
	if (host_init(&d.host, PROCFS_ROOT) ||
	    engine_init(&d.eng, &d.kern, &d.host.ops, &d.policy[0])) {
		cmd_error("run", "out of memory");
		goto out;
	}
	d.host.sopts.nss = d.nss;
	metrics_init(&d.metrics);
	d.eng.metrics = &d.metrics;
	d.metrics.version = TTYIDLE_VERSION;
	d.metrics.attach_mode = attach_mode_name(d.bpf.mode);
	d.metrics.start_time_sec = time(NULL);
	d.metrics.ttys_max_entries = map_max_entries(d.bpf.ttys_fd);
	d.metrics.armed_max_entries = map_max_entries(d.bpf.armed_fd);
	nprior = take_prior_arms(&d, &prior);
	k_set_narmed(&d, 0);
	if (!d.bpf.adopted) {
		int dropped = drop_stale_records(&d);

		if (dropped)
			log_info("dropped %d terminal records kept while nothing observed them "
				 "(no live session owns them)",
				 dropped);
	}
	if (setup_loop(&d, err, sizeof(err))) {
		cmd_error("run", "%s", err);
		goto out;
	}
	{
		int nend = resume_endings(&d);
		int n = adopt_terminals(&d, prior, nprior);
		struct ttyidle_stats stc;
		char sum[1024];

		if (stats_read(&d.bpf, &stc) == 0)
			d.events_lost_seen = stc.events_lost;
		policy_describe(&d.policy[0], sum, sizeof(sum));
		log_info("policy: %zu rules from %s and %s; tracking %d terminals",
			 d.policy[0].nrules, d.conf ?: "(built-in only)",
			 d.conf_dir ?: "(no drop-ins)", n);
		log_info("policy in force: %s", sum);
		if (nend)
			log_info("taking over %d endings under way", nend);
		if (d.watchdog_usec)
			log_info("watchdog: %llu ms; WATCHDOG=1 every tick of the loop",
				 d.watchdog_usec / 1000);
		tell_status(&d, true);
	}
	write_metrics(&d);
	e = loop_run(&d.loop);
	if (e)
		log_err("event loop: %s", strerror(-e));
	r = e ? 1 : 0;
	write_metrics(&d);
out:
	ring_buffer__free(d.rb);
	loop_free(&d.loop);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.tickfd >= 0)
		close(d.tickfd);
	metrics_free(&d.metrics);
	if (d.eng.buckets)
		engine_free(&d.eng);
	host_free(&d.host);
	nss_cache_free(d.nss);
	bpf_state_close(&d.bpf);
	policy_free(&d.policy[d.cur]);
	free(prior);
	if (d.lockfd >= 0)
		close(d.lockfd);
	return r;
}
