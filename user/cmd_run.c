// SPDX-License-Identifier: GPL-2.0
/*
 * `ttyidle run`: the daemon. One epoll loop over the ring buffer, a
 * signalfd and a timerfd; no sleeping, no polling.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_load.h"
#include "cmd.h"
#include "log.h"
#include "preflight.h"
#include "termview.h"

#define LOCK_PATH "/run/ttyidle.lock"

struct daemon {
	struct bpf_state bpf;
	struct ring_buffer *rb;
	int epfd, sigfd, timerfd, lockfd;
	bool stop;
	unsigned long events;
};

static int handle_event(void *ctx, void *data, size_t len)
{
	struct daemon *d = ctx;
	const struct event *e = data;
	struct tty_rec rec;
	char name[64] = "?";

	if (len < sizeof(*e))
		return 0;
	d->events++;
	if (bpf_map_lookup_elem(d->bpf.ttys_fd, &e->key, &rec) == 0)
		term_name(&e->key, &rec, name, sizeof(name));
	switch (e->type) {
	case EV_NEW:
		log_debug("terminal %s (dev %u:%u devpts %u:%u) first seen, by pid %u (%.16s)",
			  name, kdev_major(e->key.dev), kdev_minor(e->key.dev),
			  kdev_major(e->key.devpts), kdev_minor(e->key.devpts), e->tgid, e->comm);
		break;
	case EV_GONE:
		log_debug("terminal dev %u:%u devpts %u:%u released", kdev_major(e->key.dev),
			  kdev_minor(e->key.dev), kdev_major(e->key.devpts),
			  kdev_minor(e->key.devpts));
		break;
	case EV_ACTIVITY:
		log_debug("activity (%s) on armed terminal %s by pid %u", clock_name(e->clock),
			  name, e->tgid);
		break;
	}
	return 0;
}

static int setup_loop(struct daemon *d, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN};
	sigset_t mask;

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
	d->timerfd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->timerfd < 0 || d->epfd < 0) {
		snprintf(err, errlen, "cannot create event fds: %s", strerror(errno));
		return -errno;
	}
	ev.data.fd = ring_buffer__epoll_fd(d->rb);
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	ev.data.fd = d->sigfd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &ev))
		goto fail;
	ev.data.fd = d->timerfd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->timerfd, &ev))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
	return -errno;
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: reloading configuration");
		} else {
			log_info("signal %d: exiting; programs stay attached%s", si.ssi_signo,
				 d->bpf.links_pinned ? "" : " until now (links not pinnable)");
			d->stop = true;
		}
	}
}

static int loop(struct daemon *d)
{
	struct epoll_event evs[8];
	int i, n, rbfd = ring_buffer__epoll_fd(d->rb);
	uint64_t ticks;

	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == rbfd)
				ring_buffer__consume(d->rb);
			else if (fd == d->sigfd)
				on_signal(d);
			else if (fd == d->timerfd && read(d->timerfd, &ticks, sizeof(ticks)) > 0)
				log_debug("timer");
		}
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: ttyidle run [--attach=auto|fentry|kprobe]\n\n"
		   "Attach the BPF programs (or adopt pinned ones) and enforce the idle policy.\n"
		   "  --attach MODE   fentry/fexit, kprobe/kretprobe, or auto (try fentry first)\n");
}

int do_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"attach", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct daemon d = {.epfd = -1, .sigfd = -1, .timerfd = -1, .lockfd = -1};
	enum attach_mode want = ATTACH_NONE;
	const char *env = getenv("TTYIDLE_ATTACH");
	struct ttyidle_ctl c;
	char err[512];
	int ch, r = 1;

	if (env && *env && attach_mode_parse(env, &want)) {
		cmd_error("run", "TTYIDLE_ATTACH='%s' is not one of auto, fentry, kprobe", env);
		return EXIT_USAGE;
	}
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (attach_mode_parse(optarg, &want)) {
				cmd_error("run", "--attach '%s' is not one of auto, fentry, kprobe",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cmd_bad_option("run", argv);
		}
	}
	if (optind < argc) {
		cmd_error("run", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (preflight_caps("/proc/self/status",
			   (1ULL << CAPN_SYS_ADMIN) | (1ULL << CAPN_KILL) |
				   (1ULL << CAPN_SYS_PTRACE) | (1ULL << CAPN_DAC_OVERRIDE),
			   err, sizeof(err)) ||
	    preflight_btf("/sys/kernel/btf/vmlinux", err, sizeof(err)) ||
	    preflight_bpffs("/sys/fs/bpf", err, sizeof(err)) ||
	    instance_lock(LOCK_PATH, &d.lockfd, err, sizeof(err))) {
		cmd_error("run", "%s", err);
		return 1;
	}
	if (bpf_state_open(&d.bpf, want, gopts.verbose, err, sizeof(err))) {
		cmd_error("run", "%s", err);
		goto out;
	}
	if (ctl_read(&d.bpf, &c) == 0) {
		c.daemon_tgid = getpid();
		ctl_write(&d.bpf, &c);
	}
	log_info("%s programs in %s mode; maps pinned under %s", d.bpf.adopted ? "adopted" : "attached",
		 attach_mode_name(d.bpf.mode), TTYIDLE_PIN_DIR);
	if (d.bpf.note[0])
		log_warn("%s", d.bpf.note);
	if (setup_loop(&d, err, sizeof(err))) {
		cmd_error("run", "%s", err);
		goto out;
	}
	r = loop(&d) ? 1 : 0;
out:
	ring_buffer__free(d.rb);
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.timerfd >= 0)
		close(d.timerfd);
	bpf_state_close(&d.bpf);
	if (d.lockfd >= 0)
		close(d.lockfd);
	return r;
}
