// SPDX-License-Identifier: GPL-2.0
/*
 * hostcost N: what the daemon's engine and host cost per session on this
 * machine, without BPF (the kernel maps are stood in for in memory, as in
 * test_engine_real.c). N sessions, each a child leading its own session on
 * a real PTY, all come due in the same instant: one run warns them all, one
 * hangs them all up (SIGHUP ends them), then the looks for their end run
 * until every one is recorded ended. Prints the CPU and wall time of each
 * phase, per session. A figure for `make bench`, never an assertion: under
 * QEMU/TCG (tests/vm/bench/40-load.sh) the same work is many times slower,
 * and this says where the time goes on real hardware.
 *
 * Run it under `perf record -g` to see the hot spots.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/engine.h"
#include "host/host.h"
#include "host/nsscache.h"
#include "host/session.h"
#include "policy/config.h"
#include "policy/duration.h"

#define S NSEC_PER_SEC

struct victim {
	int master;
	pid_t pid;
	struct tty_key key;
	struct tty_rec rec;
	bool have_rec;
};

struct bench {
	struct victim *v;
	size_t n;
};

static void die(const char *what)
{
	fprintf(stderr, "hostcost: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct victim *find(struct bench *b, const struct tty_key *k)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].key.dev == k->dev && b->v[i].key.devpts == k->devpts)
			return &b->v[i];
	return NULL;
}

static int fk_read(void *ctx, const struct tty_key *k, struct tty_rec *r)
{
	struct victim *v = find(ctx, k);

	if (!v || !v->have_rec)
		return -ENOENT;
	*r = v->rec;
	return 0;
}

static int fk_arm(void *ctx, const struct tty_key *k, uint32_t mask, uint32_t warned_ms,
		  uint32_t own_bytes)
{
	return 0;
}

static int fk_disarm(void *ctx, const struct tty_key *k)
{
	return 0;
}

static void fk_narmed(void *ctx, uint32_t n)
{
}

static int fk_is_armed(void *ctx, const struct tty_key *k)
{
	return 0;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* A PTY whose slave is the controlling terminal of a child leading its own session. */
static void victim_start(struct victim *v, uint32_t me)
{
	char path[64];
	struct stat st;
	int sync[2], slave;
	char c;

	v->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (v->master < 0 || grantpt(v->master) || unlockpt(v->master) ||
	    ptsname_r(v->master, path, sizeof(path)))
		die("posix_openpt");
	slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || fstat(slave, &st))
		die(path);
	session_dev_from_user(st.st_rdev, &v->key.dev);
	session_dev_from_user(st.st_dev, &v->key.devpts);
	if (pipe2(sync, O_CLOEXEC))
		die("pipe2");
	v->pid = fork();
	if (v->pid < 0)
		die("fork");
	if (v->pid == 0) {
		int null = open("/dev/null", O_RDWR), fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(v->master);
		signal(SIGHUP, SIG_DFL);
		if (setsid() < 0)
			_exit(1);
		fd = open(path, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0 || write(sync[1], "x", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(sync[1]);
	if (read(sync[0], &c, 1) != 1)
		die("child");
	close(sync[0]);
	close(slave);
	v->rec.kind = TTY_KIND_PTY;
	snprintf(v->rec.name, sizeof(v->rec.name), "pts%d", atoi(path + 9));
	v->rec.index = (uint32_t)atoi(path + 9);
	v->rec.sid = (uint32_t)v->pid;
	v->rec.writer_tgid = me; /* we serve the masters: the user's own multiplexer */
	v->have_rec = true;
}

/*
 * Where a phase's time goes: the real host's operations, timed (wall, ns)
 * through a table of wrappers the engine calls instead.
 */
enum op { OP_BATCH, OP_RESOLVE, OP_WARN, OP_OPEN, OP_HANGUP, OP_SIGNAL, OP_GONE, OP_MAX };
static const char *const op_names[OP_MAX] = {"batch",  "resolve", "warn", "open_tty",
					     "hangup", "signal",  "gone"};
static uint64_t op_ns[OP_MAX], op_calls[OP_MAX];
static const struct host_ops *real;

#define TIMED(op, call)                                       \
	({                                                    \
		uint64_t t0_ = clock_ns(CLOCK_MONOTONIC);     \
		__typeof__(call) r_ = call;                   \
		op_ns[op] += clock_ns(CLOCK_MONOTONIC) - t0_; \
		op_calls[op]++;                               \
		r_;                                           \
	})

static uint64_t batch_t0;

static void t_batch_begin(void *ctx)
{
	batch_t0 = clock_ns(CLOCK_MONOTONIC);
	real->batch_begin(real->ctx);
}

static void t_batch_end(void *ctx)
{
	real->batch_end(real->ctx);
	op_ns[OP_BATCH] += clock_ns(CLOCK_MONOTONIC) - batch_t0;
	op_calls[OP_BATCH]++;
}

static int t_resolve(void *ctx, const struct tty_key *key, const struct tty_rec *rec,
		     struct session_info *s, char *err, size_t errlen)
{
	return TIMED(OP_RESOLVE, real->resolve(real->ctx, key, rec, s, err, errlen));
}

static int t_warn(void *ctx, pid_t sid, const struct tty_key *key, const char *devname,
		  const void *text, size_t len, struct warn_result *r)
{
	return TIMED(OP_WARN, real->warn(real->ctx, sid, key, devname, text, len, r));
}

static int t_open_tty(void *ctx, pid_t sid, const struct tty_key *key, const char *devname)
{
	return TIMED(OP_OPEN, real->open_tty(real->ctx, sid, key, devname));
}

static int t_hangup(void *ctx, int tty)
{
	return TIMED(OP_HANGUP, real->hangup(real->ctx, tty));
}

static void t_close_tty(void *ctx, int tty)
{
	real->close_tty(real->ctx, tty);
}

static int t_signal(void *ctx, pid_t sid, unsigned long long start, int sig, struct term_counts *c)
{
	return TIMED(OP_SIGNAL, real->signal_session(real->ctx, sid, start, sig, c));
}

static int t_gone(void *ctx, pid_t sid, unsigned long long start)
{
	return TIMED(OP_GONE, real->session_gone(real->ctx, sid, start));
}

static int t_survivors(void *ctx, pid_t sid, unsigned long long start, struct proc_stat **out,
		       size_t *n)
{
	return real->survivors(real->ctx, sid, start, out, n);
}

static const struct host_ops timed = {
    .batch_begin = t_batch_begin,
    .batch_end = t_batch_end,
    .resolve = t_resolve,
    .warn = t_warn,
    .open_tty = t_open_tty,
    .hangup = t_hangup,
    .close_tty = t_close_tty,
    .signal_session = t_signal,
    .session_gone = t_gone,
    .survivors = t_survivors,
};

/* The phase's host operations, per session, then zeroed for the next. */
static void print_ops(size_t n)
{
	for (int o = 0; o < OP_MAX; o++) {
		if (op_calls[o])
			printf("hostcost:   %-8s %7.1f us per session (%llu calls)\n", op_names[o],
			       (double)op_ns[o] / 1e3 / (double)n, (unsigned long long)op_calls[o]);
		op_ns[o] = op_calls[o] = 0;
	}
}

/* The names the sessions will need, in the cache as in a daemon that has run a while. */
static void warm_names(struct nss_cache *c)
{
	gid_t groups[256];
	char name[64];
	gid_t gid;
	int n = getgroups(256, groups), i, tries;

	for (tries = 0; tries < 500; tries++) {
		int ready = nss_user_gid(c, getuid(), name, sizeof(name), &gid) == 1 &&
			    nss_name(c, NSS_GROUP, getgid(), name, sizeof(name)) == 1;

		for (i = 0; i < n; i++)
			ready &= nss_name(c, NSS_GROUP, groups[i], name, sizeof(name)) == 1;
		if (ready)
			return;
		usleep(10000);
	}
	fprintf(stderr, "hostcost: names not looked up in 5 s\n");
	exit(1);
}

static const char policy_text[] = "[global]\n"
				  "scope = all\n"
				  "idle-timeout = 100s\n"
				  "warn-before = 40s\n"
				  "activity = input\n"
				  "action = hangup\n";

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 500, i, ended = 0;
	struct engine_kernel k = {.read_rec = fk_read,
				  .arm = fk_arm,
				  .disarm = fk_disarm,
				  .set_narmed = fk_narmed,
				  .is_armed = fk_is_armed};
	struct bench b = {calloc(n, sizeof(struct victim)), n};
	struct nss_cache *nss = NULL;
	struct policy pol = {0};
	struct host host;
	struct engine e;
	char err[256];
	uint64_t now, t, w0;
	double c0;
	struct rlimit rl;

	if (!b.v || n == 0)
		return 2;
	/* each session costs two fds (the master, and the engine's opens) */
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (policy_load_buffer(&pol, "bench.conf", policy_text, sizeof(policy_text) - 1, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "hostcost: %s\n", err);
		return 1;
	}
	k.ctx = &b;
	if (host_init(&host, NULL) || engine_init(&e, &k, &timed, &pol))
		return 1;
	real = &host.ops;
	host.sopts.utmp_path = ""; /* never the host's logins */
	/* names from memory, looked up off the loop, as the daemon has them */
	if (nss_cache_new(&nss, NULL, NSS_CACHE_TTL_NS))
		return 1;
	warm_names(nss);
	host.sopts.nss = nss;
	/* no audit records on the terminal: they go to stderr */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	for (i = 0; i < n; i++)
		victim_start(&b.v[i], (uint32_t)getpid());
	/* every session's last input 60 s ago, after its leader started: all
	 * warn now, all due 40 s later (the engine's clock is ours to set) */
	now = clock_ns(CLOCK_BOOTTIME) + 3600 * S;
	for (i = 0; i < n; i++) {
		b.v[i].rec.first_ns = now - 3000 * S;
		b.v[i].rec.in_ns = now - 60 * S;
		b.v[i].rec.sess_epoch = (uint32_t)(now >> 30);
		if (engine_add(&e, &b.v[i].key, now - 60 * S))
			return 1;
	}

	c0 = cpu_s();
	w0 = clock_ns(CLOCK_MONOTONIC);
	engine_run_due(&e, now);
	printf("hostcost: %zu sessions warned: %.0f us CPU, %.0f us wall per session\n", n,
	       (cpu_s() - c0) * 1e6 / (double)n,
	       (double)(clock_ns(CLOCK_MONOTONIC) - w0) / 1e3 / (double)n);
	print_ops(n);

	now += 40 * S;
	c0 = cpu_s();
	w0 = clock_ns(CLOCK_MONOTONIC);
	engine_run_due(&e, now);
	printf("hostcost: %zu sessions hung up: %.0f us CPU, %.0f us wall per session\n", n,
	       (cpu_s() - c0) * 1e6 / (double)n,
	       (double)(clock_ns(CLOCK_MONOTONIC) - w0) / 1e3 / (double)n);
	print_ops(n);
	/* the children die of SIGHUP: reap them, as sshd would, before the looks */
	for (i = 0; i < n; i++)
		waitpid(b.v[i].pid, NULL, 0);
	c0 = cpu_s();
	w0 = clock_ns(CLOCK_MONOTONIC);
	while ((t = engine_next(&e)) != UINT64_MAX && t < now + 60 * S)
		engine_run_due(&e, t);
	for (i = 0; i < n; i++) {
		struct term *tm = engine_find(&e, &b.v[i].key);

		ended += tm && tm->phase == PH_FINISHED;
	}
	printf("hostcost: %zu of %zu recorded ended: %.0f us CPU, %.0f us wall per session for the "
	       "looks\n",
	       ended, n, (cpu_s() - c0) * 1e6 / (double)n,
	       (double)(clock_ns(CLOCK_MONOTONIC) - w0) / 1e3 / (double)n);
	print_ops(n);
	engine_free(&e);
	host_free(&host);
	nss_cache_free(nss);
	policy_free(&pol);
	return ended == n ? 0 : 1;
}
