// SPDX-License-Identifier: GPL-2.0
/*
 * ptybench: terminal workloads for `make bench` (tests/vm/bench). Static, like ptyctl.
 *
 *   ptybench tput in|out|echo SIZE SECONDS
 *       Throughput of SIZE-byte writes through one PTY pair in raw mode for SECONDS.
 *       out:  a writer on the slave, a reader draining the master (program output);
 *       in:   a writer on the master, a reader on the slave (keystrokes, pastes);
 *       echo: round trips: SIZE bytes into the master, read on the slave and written
 *             back, read on the master (a keystroke echoed by an interactive program).
 *       Prints `tput dir= size= secs= writes= bytes= reads= wps= busy= wpb=` (echo: writes =
 *       round trips; reads: the reader's); busy is the CPU time the whole system spent meanwhile
 * (ticks of /proc/stat's cpu line that are neither idle nor iowait, in seconds) and wpb writes per
 * busy second, which leaves out time the emulated CPU was not running.
 *
 *   ptybench mass N [--sessions K] [--utmp PREFIX] [--users U] [--ctl FIFO] [--log FILE]
 *       Opens N PTY pairs (raw, non-blocking masters) and writes one byte into each
 *       master, so the kernel sees every terminal. The first K get a session: a tiny
 *       child (CLONE_VM, no memory of its own) that calls setsid(), takes the slave as
 *       its controlling terminal and sleeps; when it dies the master is closed, as
 *       sshd does. --utmp writes a USER_PROCESS utmp record per terminal (user
 *       PREFIX0 .. PREFIX<U-1>, line pts/N) and marks them DEAD_PROCESS at exit.
 *       Commands, one per line on the control FIFO:
 *         active MS   write one byte into every master once every MS milliseconds,
 *                     spread evenly over the period (0: stop)
 *         poke        write one byte into every session's master at once
 *         quit        end (also on SIGTERM/SIGINT)
 *       Log lines (CLOCK_BOOTTIME milliseconds): `ready n= sessions= t=`,
 *       `poked i= t=` per session, `ack CMD t=` per command, `end i= t= status=`.
 *
 *   ptybench drive FIFO LOG
 *       Drives interactive clients (ssh) on PTYs of their own, draining every
 *       master all the time. Commands on FIFO:
 *         spawn ID CMD    run `sh -c CMD` as leader of a new session on a new 24x80 PTY
 *         type ID TEXT    keystrokes (\n \r \t \e \\ \xHH understood)
 *         expect ID TEXT  log `seen ID` once TEXT shows up in ID's output (from now on)
 *         quit
 *       Log lines: `spawn ID pid= t=`, `typed ID t=`, `seen ID t=`, `exit ID t= status=`;
 *       `gone ID t=` when typing into a client that has exited.
 *
 *   ptybench walk COUNT
 *       Reads /proc/PID/stat of every process COUNT times over, the way a daemon finds
 *       the members of a session. Prints `walk procs= ms_per_walk=` (CPU time).
 *
 *   ptybench cpu CMD [ARG...]
 *       Runs CMD as a child subreaper and waits for every descendant, daemons that
 *       fork away included. Prints `cpu user_ms= sys_ms= maxrss_kb= wall_ms=`.
 *
 *   ptybench hostile SECONDS [--keep N] [--env BYTES] [--log FILE]
 *       A hostile user's terminal flood: for SECONDS, opens PTYs as fast as it can.
 *       Each gets a session: a child that calls setsid(), takes the slave as its
 *       controlling terminal and execs `ptybench hold` with an environment of BYTES
 *       (default 6000000, in strings of 128 KiB; RLIMIT_STACK is raised so that
 *       execve takes it); then one byte goes into the master, so the kernel sees the
 *       terminal used. The newest N (default 2000) stay open: opening one more closes
 *       the oldest master, which hangs up its session (the child dies of SIGHUP).
 *       Log lines (CLOCK_BOOTTIME milliseconds): `hostile pid= keep= env= t=`,
 *       `tick opened= open= t=` every second, `done opened= secs= per_s= t=`.
 *
 *   ptybench stamp FILE
 *       Copies its input to its output unchanged and appends each line to FILE
 *       prefixed with the CLOCK_BOOTTIME milliseconds at which it arrived (a
 *       daemon's log, timed without changing what it writes).
 *
 *   ptybench hold
 *       The session child of hostile: releases the memory pages that hold its
 *       environment (so that thousands of them fit in a small VM; the environment
 *       keeps its size: /proc/PID/environ reads that many bytes, zeros where the
 *       pages were released) and sleeps until a signal ends it.
 *
 * Exit status: 0 ok, 1 error (one line on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PROG "ptybench"
#include "ptyutil.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

#define CHILD_STACK 4096

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long parse_long(const char *what, const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min)
		die("%s: bad number '%s'", what, s);
	return v;
}

static int log_fd = -1;

/* One line to the log, in one write(2), so readers never see half a line. */
__attribute__((format(printf, 1, 2))) static void logf_(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, n) < 0)
		die("write log: %s", strerror(errno));
}

static void set_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		die("tcgetattr: %s", strerror(errno));
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		die("tcsetattr: %s", strerror(errno));
}

/* A new PTY master (flags for open) and its index. */
static int open_master(int flags, int *index)
{
	unsigned int n;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | flags);

	if (m < 0)
		die("open /dev/ptmx: %s", strerror(errno));
	if (unlockpt(m) < 0 || ioctl(m, TIOCGPTN, &n) < 0)
		die("unlockpt: %s", strerror(errno));
	*index = (int)n;
	return m;
}

static int open_peer(int m)
{
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (s < 0)
		die("TIOCGPTPEER: %s", strerror(errno));
	return s;
}

/* ---- tput ----------------------------------------------------------------- */

/* Busy CPU time of the whole system from /proc/stat, in USER_HZ ticks. */
static unsigned long long busy_ticks(void)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		die("open /proc/stat: %s", strerror(errno));
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) != 8)
		die("/proc/stat: unexpected cpu line");
	fclose(f);
	/* user nice system [idle iowait] irq softirq steal */
	return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

/* Read exactly n bytes (a round trip's answer). */
static void read_full(int fd, char *buf, int n)
{
	int got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("tput: read: %s", r < 0 ? strerror(errno) : "end of file");
		got += r;
	}
}

static int cmd_tput(int argc, char **argv)
{
	int in, echo, size, m, s, idx, wfd, rfd;
	double secs, t0, t, busy;
	unsigned long long b0;
	uint64_t writes = 0, bytes = 0, *reads;
	char *buf;
	pid_t peer;

	if (argc != 5)
		die("usage: ptybench tput in|out|echo SIZE SECONDS");
	in = !strcmp(argv[2], "in");
	echo = !strcmp(argv[2], "echo");
	if (!in && !echo && strcmp(argv[2], "out"))
		die("tput: direction '%s' is not in, out or echo", argv[2]);
	size = (int)parse_long("tput SIZE", argv[3], 1);
	secs = parse_long("tput SECONDS", argv[4], 1);
	buf = malloc(size > 4096 ? size : 4096);
	if (!buf)
		die("out of memory");
	memset(buf, 'a', size);
	m = open_master(0, &idx);
	s = open_peer(m);
	set_raw(s);
	wfd = in || echo ? m : s;
	rfd = in || echo ? s : m;
	/* the reader counts its reads where we can see them */
	reads =
	    mmap(NULL, sizeof(*reads), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (reads == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	*reads = 0;
	peer = fork();
	if (peer < 0)
		die("fork: %s", strerror(errno));
	if (peer == 0) {
		char rbuf[4096];

		close(wfd);
		for (;;) {
			ssize_t r = read(rfd, rbuf, echo ? (size_t)size : sizeof(rbuf));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				_exit(0);
			__atomic_add_fetch(reads, 1, __ATOMIC_RELAXED);
			if (echo && write(rfd, rbuf, r) != r)
				_exit(1);
		}
	}
	b0 = busy_ticks();
	t0 = now_s();
	do {
		for (int i = 0; i < 64; i++) {
			ssize_t w = write(wfd, buf, size);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				die("tput: write: %s", strerror(errno));
			if (echo)
				read_full(wfd, buf, w);
			writes++;
			bytes += w;
		}
		t = now_s();
	} while (t - t0 < secs);
	busy = (busy_ticks() - b0) / (double)sysconf(_SC_CLK_TCK);
	kill(peer, SIGKILL);
	waitpid(peer, NULL, 0);
	printf("tput dir=%s size=%d secs=%.3f writes=%llu bytes=%llu reads=%llu wps=%.0f busy=%.2f "
	       "wpb=%.0f\n",
	       argv[2], size, t - t0, (unsigned long long)writes, (unsigned long long)bytes,
	       (unsigned long long)__atomic_load_n(reads, __ATOMIC_RELAXED), writes / (t - t0),
	       busy, busy > 0 ? writes / busy : 0);
	return 0;
}

/* ---- mass ----------------------------------------------------------------- */

struct term {
	int master;
	int slave; /* -1 for sessions: their child holds it */
	int index;
	pid_t child;
	struct utmpx ut;
};

static struct term *terms;
static int nterms;

struct child_arg {
	char path[32];
};

/*
 * The session child shares our memory (CLONE_VM, so it costs a task and a
 * kernel stack, not an address space) but gets a file table of its own with
 * only 0-2, so /proc/PID/fd shows what a login shell's would. It runs before
 * we install signal handlers, so SIGHUP kills it as it would a shell.
 */
static int session_child(void *p)
{
	const struct child_arg *a = p;
	int fd;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_UNSHARE) < 0)
		_exit(10);
	if (setsid() < 0)
		_exit(11);
	fd = open(a->path, O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		_exit(12);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	for (;;)
		pause();
	return 0;
}

static void ut_id(char id[4], int i)
{
	static const char digits[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-";

	for (int k = 0; k < 4; k++) {
		id[k] = digits[i & 63];
		i >>= 6;
	}
}

static void poke(struct term *t)
{
	/* a full buffer only means nobody reads this terminal: keep going */
	if (t->master >= 0 && write(t->master, "x", 1) < 0 && errno != EAGAIN)
		die("write master pts/%d: %s", t->index, strerror(errno));
}

/* one byte into a master (a full buffer is no error: nobody reads it) */
static void poke_fd(int m, int index)
{
	if (write(m, "x", 1) < 0 && errno != EAGAIN)
		die("write master pts/%d: %s", index, strerror(errno));
}

static void utmp_remove(void)
{
	int i;

	setutxent();
	for (i = 0; i < nterms; i++) {
		if (!terms[i].ut.ut_type)
			continue;
		terms[i].ut.ut_type = DEAD_PROCESS;
		memset(terms[i].ut.ut_user, 0, sizeof(terms[i].ut.ut_user));
		pututxline(&terms[i].ut);
	}
	endutxent();
}

/*
 * Drain signalfd sfd: reap every exited child (waitpid flags | WNOHANG) and
 * hand each to reaped(); returns 1 if a signal other than SIGCHLD came (quit).
 */
static int drain_signals(int sfd, int wflags, void (*reaped)(pid_t pid, int status))
{
	struct signalfd_siginfo si;
	int quit = 0;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			quit = 1;
			continue;
		}
		for (;;) {
			int status;
			pid_t p = waitpid(-1, &status, WNOHANG | wflags);

			if (p <= 0)
				break;
			reaped(p, status);
		}
	}
	return quit;
}

static int mass_nsess;

static void mass_reaped(pid_t p, int status)
{
	for (int i = 0; i < mass_nsess; i++) {
		if (terms[i].child != p)
			continue;
		terms[i].child = 0;
		close(terms[i].master);
		terms[i].master = -1;
		logf_("end i=%d t=%llu status=%d", i, (unsigned long long)now_ms(), status);
		break;
	}
}

static int cmd_mass(int argc, char **argv)
{
	const char *utmp_prefix = NULL, *ctl = NULL, *logpath = NULL;
	int nsess = 0, users = 1, i, sfd, cfd;
	long active_ms = 0, active_done = 0;
	double active_t0 = 0;
	struct rlimit rl;
	char *stacks;
	char cbuf[4096];
	size_t clen = 0;
	sigset_t mask;
	int quit = 0;

	if (argc < 3)
		die("usage: ptybench mass N [--sessions K] [--utmp PREFIX] [--users U] [--ctl "
		    "FIFO] "
		    "[--log FILE]");
	nterms = (int)parse_long("mass N", argv[2], 1);
	for (i = 3; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			die("mass: %s needs a value", o);
		if (!strcmp(o, "--sessions"))
			nsess = (int)parse_long(o, v, 0);
		else if (!strcmp(o, "--utmp"))
			utmp_prefix = v;
		else if (!strcmp(o, "--users"))
			users = (int)parse_long(o, v, 1);
		else if (!strcmp(o, "--ctl"))
			ctl = v;
		else if (!strcmp(o, "--log"))
			logpath = v;
		else
			die("mass: unknown option '%s'", o);
		i++;
	}
	if (nsess > nterms)
		die("mass: --sessions %d is more than N %d", nsess, nterms);
	mass_nsess = nsess;
	if (logpath) {
		log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0)
			die("open %s: %s", logpath, strerror(errno));
	} else {
		log_fd = 1;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)nterms * 2 + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit(RLIMIT_NOFILE, %d): %s", nterms * 2 + 64, strerror(errno));
	terms = calloc(nterms, sizeof(*terms));
	stacks = mmap(NULL, (size_t)(nsess ? nsess : 1) * CHILD_STACK, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!terms || stacks == MAP_FAILED)
		die("out of memory");
	for (i = 0; i < nterms; i++) {
		struct term *t = &terms[i];

		t->master = open_master(O_NONBLOCK, &t->index);
		/* termios belong to the slave; set through the master they apply to it */
		set_raw(t->master);
		t->slave = -1;
		if (i < nsess) {
			/* the argument lives at the top of the child's own stack */
			char *top = stacks + (size_t)(i + 1) * CHILD_STACK;
			struct child_arg *a = (struct child_arg *)(top - sizeof(*a));

			snprintf(a->path, sizeof(a->path), "/dev/pts/%d", t->index);
			t->child = clone(session_child, (char *)a - 64, CLONE_VM | SIGCHLD, a);
			if (t->child < 0)
				die("clone (session %d): %s", i, strerror(errno));
		} else {
			t->slave = open_peer(t->master);
		}
	}
	/* the children must own their terminals before anything is written */
	for (i = 0; i < nsess; i++) {
		char path[64];
		struct stat st;
		int tries;

		snprintf(path, sizeof(path), "/proc/%d/fd/0", terms[i].child);
		for (tries = 0; tries < 5000 && stat(path, &st) < 0; tries++)
			usleep(1000);
	}
	if (utmp_prefix) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		setutxent();
		for (i = 0; i < nterms; i++) {
			struct utmpx *u = &terms[i].ut;

			u->ut_type = USER_PROCESS;
			u->ut_pid = terms[i].child > 0 ? terms[i].child : getpid();
			snprintf(u->ut_line, sizeof(u->ut_line), "pts/%d", terms[i].index);
			ut_id(u->ut_id, i);
			snprintf(u->ut_user, sizeof(u->ut_user), "%s%d", utmp_prefix, i % users);
			snprintf(u->ut_host, sizeof(u->ut_host), "ptybench");
			u->ut_tv.tv_sec = ts.tv_sec;
			u->ut_tv.tv_usec = ts.tv_nsec / 1000;
			if (!pututxline(u))
				die("pututxline: %s", strerror(errno));
		}
		endutxent();
	}
	for (i = 0; i < nterms; i++)
		poke(&terms[i]);

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));
	cfd = -1;
	if (ctl) {
		if (mkfifo(ctl, 0600) < 0 && errno != EEXIST)
			die("mkfifo %s: %s", ctl, strerror(errno));
		cfd = open(ctl, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (cfd < 0)
			die("open %s: %s", ctl, strerror(errno));
	}
	logf_("ready n=%d sessions=%d pid=%d t=%llu", nterms, nsess, (int)getpid(),
	      (unsigned long long)now_ms());

	while (!quit) {
		struct pollfd pfd[2] = {{.fd = sfd, .events = POLLIN},
					{.fd = cfd, .events = POLLIN}};
		int timeout = -1, r;

		if (active_ms) {
			/* every terminal once a period, spread evenly over it */
			long want = (long)((now_s() - active_t0) * 1000 / active_ms * nterms);

			while (active_done < want) {
				poke(&terms[active_done % nterms]);
				active_done++;
			}
			timeout = 10;
		}
		r = poll(pfd, cfd >= 0 ? 2 : 1, timeout);
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if ((pfd[0].revents & POLLIN) && drain_signals(sfd, __WALL, mass_reaped))
			quit = 1;
		if (cfd >= 0 && (pfd[1].revents & POLLIN)) {
			ssize_t n = read(cfd, cbuf + clen, sizeof(cbuf) - 1 - clen);
			char *nl;

			if (n > 0)
				clen += n;
			while ((nl = memchr(cbuf, '\n', clen))) {
				*nl = 0;
				if (!strncmp(cbuf, "active ", 7)) {
					active_ms = parse_long("active", cbuf + 7, 0);
					active_t0 = now_s();
					active_done = 0;
				} else if (!strcmp(cbuf, "poke")) {
					for (i = 0; i < nsess; i++) {
						poke(&terms[i]);
						logf_("poked i=%d t=%llu", i,
						      (unsigned long long)now_ms());
					}
				} else if (!strcmp(cbuf, "quit")) {
					quit = 1;
				} else if (cbuf[0]) {
					die("mass: unknown command '%s'", cbuf);
				}
				logf_("ack %s t=%llu", cbuf, (unsigned long long)now_ms());
				clen -= nl + 1 - cbuf;
				memmove(cbuf, nl + 1, clen);
			}
		}
	}
	if (utmp_prefix)
		utmp_remove();
	for (i = 0; i < nsess; i++)
		if (terms[i].child > 0)
			kill(terms[i].child, SIGKILL);
	while (waitpid(-1, NULL, __WALL) > 0)
		;
	logf_("quit t=%llu", (unsigned long long)now_ms());
	return 0;
}

/* ---- drive ---------------------------------------------------------------- */

#define MAX_CLIENTS 128
#define SEEN_MAX    8192

struct client {
	char id[32];
	int master;
	pid_t pid;
	char want[256]; /* expect TEXT, empty when none */
	char seen[SEEN_MAX];
	size_t nseen;
};

static struct client clients[MAX_CLIENTS];
static int nclients;

static struct client *client_by_id(const char *id)
{
	for (int i = 0; i < nclients; i++)
		if (!strcmp(clients[i].id, id))
			return &clients[i];
	die("drive: no client '%s'", id);
}

static void check_expect(struct client *c)
{
	if (!c->want[0] || !memmem(c->seen, c->nseen, c->want, strlen(c->want)))
		return;
	logf_("seen %s t=%llu", c->id, (unsigned long long)now_ms());
	c->want[0] = 0;
	c->nseen = 0;
}

static void drive_spawn(const char *id, const char *cmd)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	struct client *c;
	int idx, s;
	pid_t pid;

	if (nclients == MAX_CLIENTS)
		die("drive: more than %d clients", MAX_CLIENTS);
	c = &clients[nclients++];
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->master = open_master(O_NONBLOCK, &idx);
	s = open_peer(c->master);
	if (ioctl(s, TIOCSWINSZ, &ws) < 0)
		die("TIOCSWINSZ: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
			_exit(126);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(s);
	c->pid = pid;
	logf_("spawn %s pid=%d t=%llu", id, (int)pid, (unsigned long long)now_ms());
}

static void drive_command(char *line, int *quit)
{
	char *name = line, *id, *arg = NULL, text[1024];
	struct client *c;
	uint64_t t;
	int n;

	id = strchr(name, ' ');
	if (id) {
		*id++ = 0;
		arg = strchr(id, ' ');
		if (arg)
			*arg++ = 0;
	}
	if (!strcmp(name, "quit")) {
		*quit = 1;
		return;
	}
	if (!id || !arg)
		die("drive: bad command '%s'", name);
	if (!strcmp(name, "spawn")) {
		drive_spawn(id, arg);
		return;
	}
	c = client_by_id(id);
	if (!strcmp(name, "type")) {
		n = unescape(arg, text, sizeof(text));
		/* a client that ended is a result, not an error: say so and go on */
		if (c->master < 0) {
			logf_("gone %s t=%llu", id, (unsigned long long)now_ms());
			return;
		}
		/* a few bytes into a drained PTY: never short in practice; say so if it is */
		if (write(c->master, text, n) != n) {
			logf_("short %s t=%llu", id, (unsigned long long)now_ms());
			return;
		}
		t = now_ms();
		logf_("typed %s t=%llu", id, (unsigned long long)t);
	} else if (!strcmp(name, "expect")) {
		unescape(arg, c->want, sizeof(c->want));
		c->nseen = 0;
	} else {
		die("drive: unknown command '%s'", name);
	}
}

static void drive_reaped(pid_t p, int status)
{
	for (int i = 0; i < nclients; i++) {
		if (clients[i].pid != p)
			continue;
		logf_("exit %s t=%llu status=%d", clients[i].id, (unsigned long long)now_ms(),
		      status);
		clients[i].pid = 0;
		close(clients[i].master);
		clients[i].master = -1;
	}
}

static int cmd_drive(int argc, char **argv)
{
	struct pollfd pfd[MAX_CLIENTS + 2];
	char cbuf[8192];
	size_t clen = 0;
	sigset_t mask;
	int sfd, cfd, quit = 0, i;

	if (argc != 4)
		die("usage: ptybench drive FIFO LOG");
	log_fd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		die("open %s: %s", argv[3], strerror(errno));
	if (mkfifo(argv[2], 0600) < 0 && errno != EEXIST)
		die("mkfifo %s: %s", argv[2], strerror(errno));
	cfd = open(argv[2], O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (cfd < 0)
		die("open %s: %s", argv[2], strerror(errno));
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));
	logf_("drive pid=%d t=%llu", (int)getpid(), (unsigned long long)now_ms());
	while (!quit) {
		int n = 0;

		pfd[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = cfd, .events = POLLIN};
		for (i = 0; i < nclients; i++)
			pfd[n++] = (struct pollfd){.fd = clients[i].master, .events = POLLIN};
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		for (i = 0; i < nclients; i++) {
			struct client *c = &clients[i];
			char buf[4096];
			ssize_t r;

			if (c->master < 0 || !(pfd[i + 2].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(c->master, buf, sizeof(buf));
			if (r <= 0)
				continue; /* EIO once the client is gone: its exit is logged below
					   */
			if (c->nseen + r > SEEN_MAX) {
				size_t keep = SEEN_MAX / 2;

				memmove(c->seen, c->seen + c->nseen - keep, keep);
				c->nseen = keep;
			}
			if ((size_t)r > SEEN_MAX - c->nseen)
				r = SEEN_MAX - c->nseen;
			memcpy(c->seen + c->nseen, buf, r);
			c->nseen += r;
			check_expect(c);
		}
		if ((pfd[0].revents & POLLIN) && drain_signals(sfd, 0, drive_reaped))
			quit = 1;
		if (pfd[1].revents & POLLIN) {
			ssize_t r = read(cfd, cbuf + clen, sizeof(cbuf) - 1 - clen);
			char *nl;

			if (r > 0)
				clen += r;
			while ((nl = memchr(cbuf, '\n', clen))) {
				*nl = 0;
				if (cbuf[0])
					drive_command(cbuf, &quit);
				clen -= nl + 1 - cbuf;
				memmove(cbuf, nl + 1, clen);
			}
		}
	}
	for (i = 0; i < nclients; i++)
		if (clients[i].pid > 0)
			kill(clients[i].pid, SIGHUP);
	return 0;
}

/* ---- walk ---------------------------------------------------------------- */

static int cmd_walk(int argc, char **argv)
{
	struct rusage ru;
	int count, procs = 0;

	if (argc != 3)
		die("usage: ptybench walk COUNT");
	count = (int)parse_long("walk COUNT", argv[2], 1);
	for (int i = 0; i < count; i++) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		if (!d)
			die("opendir /proc: %s", strerror(errno));
		procs = 0;
		while ((de = readdir(d))) {
			char path[NAME_MAX + 8], buf[1024];
			int fd;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "%s/stat", de->d_name);
			fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (read(fd, buf, sizeof(buf)) > 0)
				procs++;
			close(fd);
		}
		closedir(d);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("walk procs=%d ms_per_walk=%.2f\n", procs,
	       ((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3) /
		   count);
	return 0;
}

/* ---- cpu ------------------------------------------------------------------ */

static int cmd_cpu(int argc, char **argv)
{
	struct rusage ru;
	double t0;
	pid_t pid;

	if (argc < 3)
		die("usage: ptybench cpu CMD [ARG...]");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "ptybench: exec %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	/* daemons that fork away become our children: wait for all of them */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("cpu user_ms=%ld sys_ms=%ld maxrss_kb=%ld wall_ms=%.0f\n",
	       ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000,
	       ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000, ru.ru_maxrss,
	       (now_s() - t0) * 1000);
	return 0;
}

/* ---- hostile --------------------------------------------------------------- */

/* A string of execve's environment is at most MAX_ARG_STRLEN (32 pages), NUL included. */
#define ENV_STR_MAX   (128 * 1024)
#define HOSTILE_STACK (64 * 1024)

struct hostile_child {
	int slave;
	char *const *envp;
	char self[PATH_MAX];
	volatile int err; /* set by the child when it cannot exec: step * 1000 + errno */
};

/*
 * Runs in our memory (CLONE_VM | CLONE_VFORK: we wait until it has exec'd or
 * exited), so it only makes system calls and leaves its failure in a->err.
 */
static int hostile_child_fn(void *p)
{
	struct hostile_child *a = p;
	char *argv[] = {"ptybench", "hold", NULL};

	if (setsid() < 0) {
		a->err = 1000 + errno;
		_exit(126);
	}
	if (ioctl(a->slave, TIOCSCTTY, 0) < 0) {
		a->err = 2000 + errno;
		_exit(126);
	}
	if (dup2(a->slave, 0) < 0 || dup2(a->slave, 1) < 0 || dup2(a->slave, 2) < 0) {
		a->err = 3000 + errno;
		_exit(126);
	}
	/* our masters are O_CLOEXEC, the slave's other copy too: exec closes them */
	execve(a->self, argv, a->envp);
	a->err = 4000 + errno;
	_exit(127);
}

/* The environment: BYTES in all (names and NULs included), strings of at most 128 KiB. */
static char **hostile_env(long bytes)
{
	long left = bytes;
	size_t n = (size_t)(bytes + ENV_STR_MAX - 2) / (ENV_STR_MAX - 1) + 1, i = 0;
	char **env = calloc(n + 1, sizeof(*env));

	if (!env)
		die("out of memory");
	while (left > 16) {
		long len = left > ENV_STR_MAX - 1 ? ENV_STR_MAX - 1 : left - 1; /* + NUL */
		char *s = malloc(len + 1);
		int h;

		if (!s)
			die("out of memory");
		h = snprintf(s, len + 1, "BIG%03zu=", i);
		memset(s + h, 'x', len - h);
		s[len] = 0;
		env[i++] = s;
		left -= len + 1;
	}
	env[i] = NULL;
	return env;
}

static int cmd_hostile(int argc, char **argv)
{
	const char *logpath = NULL;
	long keep = 2000, env_bytes = 6000000, secs;
	struct hostile_child a;
	unsigned long long opened = 0;
	uint64_t t0, t, next_tick;
	struct rlimit rl;
	int *ring, head = 0, open_n = 0, i;
	char *stack;

	if (argc < 3)
		die("usage: ptybench hostile SECONDS [--keep N] [--env BYTES] [--log FILE]");
	secs = parse_long("hostile SECONDS", argv[2], 1);
	for (i = 3; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			die("hostile: %s needs a value", o);
		if (!strcmp(o, "--keep"))
			keep = parse_long(o, v, 1);
		else if (!strcmp(o, "--env"))
			env_bytes = parse_long(o, v, 0);
		else if (!strcmp(o, "--log"))
			logpath = v;
		else
			die("hostile: unknown option '%s'", o);
		i++;
	}
	if (logpath) {
		log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0)
			die("open %s: %s", logpath, strerror(errno));
	} else {
		log_fd = 1;
	}
	/* room for the masters; as much as the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit: %s", strerror(errno));
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)keep + 16)
		die("hostile: --keep %ld needs %ld open files, the hard limit is %llu", keep,
		    keep + 16, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = (rlim_t)keep + 16;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	/* execve takes argument and environment strings up to a quarter of the
	 * stack limit (and at most 6 MiB, 3/4 of _STK_LIM) */
	if (getrlimit(RLIMIT_STACK, &rl) < 0)
		die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)env_bytes * 4 + (1 << 20)) {
		rl.rlim_cur = (rlim_t)env_bytes * 4 + (1 << 20);
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_STACK, &rl) < 0)
			die("setrlimit(RLIMIT_STACK): %s", strerror(errno));
	}
	/* the children die of SIGHUP when their master closes: nobody waits for them */
	signal(SIGCHLD, SIG_IGN);
	memset(&a, 0, sizeof(a));
	if (readlink("/proc/self/exe", a.self, sizeof(a.self) - 1) < 0)
		die("readlink /proc/self/exe: %s", strerror(errno));
	a.envp = hostile_env(env_bytes);
	ring = calloc(keep, sizeof(*ring));
	stack = malloc(HOSTILE_STACK);
	if (!ring || !stack)
		die("out of memory");
	t0 = now_ms();
	next_tick = t0 + 1000;
	logf_("hostile pid=%d keep=%ld env=%ld t=%llu", (int)getpid(), keep, env_bytes,
	      (unsigned long long)t0);
	for (;;) {
		int m, idx;
		pid_t pid;

		t = now_ms();
		if (t >= next_tick) {
			logf_("tick opened=%llu open=%d t=%llu", opened, open_n,
			      (unsigned long long)t);
			next_tick += 1000;
		}
		if (t - t0 >= (uint64_t)secs * 1000)
			break;
		if (open_n == keep) {
			/* the oldest goes: its session is hung up */
			close(ring[head]);
			open_n--;
		}
		m = open_master(O_NONBLOCK, &idx);
		a.slave = open_peer(m);
		a.err = 0;
		pid = clone(hostile_child_fn, stack + HOSTILE_STACK,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
		if (pid < 0)
			die("clone (after %llu PTYs, %d open): %s", opened, open_n,
			    strerror(errno));
		if (a.err)
			die("session child of pts/%d: step %d: %s", idx, a.err / 1000,
			    strerror(a.err % 1000));
		close(a.slave);
		poke_fd(m, idx);
		ring[head] = m;
		head = (head + 1) % keep;
		open_n++;
		opened++;
	}
	logf_("done opened=%llu secs=%.1f per_s=%.1f t=%llu", opened, (t - t0) / 1000.0,
	      opened * 1000.0 / (double)(t - t0), (unsigned long long)t);
	return 0;
}

/*
 * A line's time is when its first byte reaches us: we block in read(), so a
 * writer's line wakes us at once, and a woken reader is scheduled ahead of
 * busy tasks (a flood's own work delays it least of all).
 */
static int cmd_stamp(int argc, char **argv)
{
	char buf[4096];
	bool at_start = true;
	FILE *out;
	ssize_t n;

	if (argc != 3)
		die("usage: ptybench stamp FILE");
	out = fopen(argv[2], "a");
	if (!out)
		die("%s: %s", argv[2], strerror(errno));
	setvbuf(out, NULL, _IOLBF, 0);
	setvbuf(stdout, NULL, _IONBF, 0);
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		unsigned long long t = (unsigned long long)now_ms();
		ssize_t i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("stdin: %s", strerror(errno));
		}
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			die("stdout: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			if (at_start)
				fprintf(out, "%llu ", t);
			fputc(buf[i], out);
			at_start = buf[i] == '\n';
		}
	}
	return 0;
}

static int cmd_hold(void)
{
	extern char **environ;
	uintptr_t lo = UINTPTR_MAX, hi = 0, pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	char **e;

	/* the strings lie together on the stack, in order: release whole pages only */
	for (e = environ; *e; e++) {
		uintptr_t s = (uintptr_t)*e, end = s + strlen(*e) + 1;

		if (s < lo)
			lo = s;
		if (end > hi)
			hi = end;
	}
	lo = (lo + pg - 1) & ~(pg - 1);
	hi &= ~(pg - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fprintf(stderr, "usage: ptybench tput|mass|drive|walk|cpu|hostile|hold|stamp ... "
				"(see ptybench.c)\n");
		return 2;
	}
	if (!strcmp(argv[1], "tput"))
		return cmd_tput(argc, argv);
	if (!strcmp(argv[1], "mass"))
		return cmd_mass(argc, argv);
	if (!strcmp(argv[1], "drive"))
		return cmd_drive(argc, argv);
	if (!strcmp(argv[1], "cpu"))
		return cmd_cpu(argc, argv);
	if (!strcmp(argv[1], "walk"))
		return cmd_walk(argc, argv);
	if (!strcmp(argv[1], "hostile"))
		return cmd_hostile(argc, argv);
	if (!strcmp(argv[1], "hold"))
		return cmd_hold();
	if (!strcmp(argv[1], "stamp"))
		return cmd_stamp(argc, argv);
	fprintf(stderr, "ptybench: unknown command '%s'\n", argv[1]);
	return 2;
}
