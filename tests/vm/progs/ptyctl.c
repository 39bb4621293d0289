// SPDX-License-Identifier: GPL-2.0
/*
 * ptyctl: drive pseudo-terminals for the VM scenarios.
 *
 *   ptyctl STEP...          run the steps in order, then exit (closing every PTY)
 *
 * Steps (a leading "--" is optional, so `open --newinstance --hold 5` works too):
 *   open [--newinstance]  open a new PTY pair and make it current; with --newinstance
 *                         in a devpts instance of its own, mounted in a private mount
 *                         namespace (so two PTYs with the same index can coexist).
 *                         Prints the `pty` line below.
 *   print                 print the `pty` line of the current PTY again
 *   select ID             make PTY ID (0, 1, ... in open order) current
 *   write-master STR      keystrokes: write STR into the master   (alias wm)
 *   write-slave STR       program output: write STR to the slave  (alias ws)
 *   read-master           drain the master (output reaches the terminal side) (alias rm)
 *   read-slave            read the slave (the session consumes input)          (alias rs)
 *                         Both wait up to the timeout for data, then read until 100 ms
 *                         pass without more; no data is not an error (n=0).
 *   expect STR            read the master until STR shows up, fail on timeout
 *   raw                   put the slave in raw mode (reads need no newline, no echo)
 *   spawn CMD             run `sh -c CMD` as leader of a new session whose controlling
 *                         terminal is the slave; prints `spawn id= pid= sid=`
 *   signal SIG            send signal number SIG to the spawned session leader
 *   reap                  wait for the spawned process (up to the timeout);
 *                         prints `exit id= status= ms=`
 *                         (or signal= instead of status=), ms being CLOCK_BOOTTIME
 *                         in ms when it exited, noted by a SIGCHLD handler: a
 *                         scenario times an exit exactly however late it reaps
 *   close                 close the current PTY's master and slave
 *   hold SECONDS          sleep (fractions allowed)
 *   timeout MS            time limit for reads and expect (default 3000)
 *   wait                  sleep until SIGTERM/SIGINT/SIGHUP, then exit 0
 *   notty                 give up the controlling terminal: TIOCNOTTY on fd 0, which
 *                         must be it. Done by a session leader, this detaches the
 *                         terminal from the whole session, and the kernel sends SIGHUP
 *                         and SIGCONT to its foreground process group: SIGHUP is
 *                         ignored meanwhile. Prints `notty pid= sid=`
 *   sti STR               inject STR into fd 0's terminal as if typed (TIOCSTI, one ioctl
 *                         a byte), as a session may on its own controlling terminal where
 *                         the kernel allows it; prints `sti n= err=` (n bytes injected, err
 *                         the errno that stopped it, 0 if none: kernels built without
 *                         LEGACY_TIOCSTI refuse it with EIO)
 *   exec CMD              replace ptyctl by `sh -c CMD` (same pid, same session, same
 *                         fds); prints `exec pid=` first. With notty: a login shell
 *                         that dropped its terminal but still uses it
 *   serve PATH            read further steps from PATH, one per line: "NAME ARG", where
 *                         ARG is the rest of the line (no quoting). PATH "-" is stdin;
 *                         anything else is a FIFO (made if missing) that may be written
 *                         to any number of times. Ends at EOF or at a `quit` line.
 *   quit                  end `serve`
 *   notify-listen PATH    be a service manager's notification socket: bind an AF_UNIX
 *                         datagram socket at PATH (for NOTIFY_SOCKET) and print each
 *                         datagram as `notify ms= data=`, ms CLOCK_BOOTTIME, its
 *                         assignments joined by '|', until SIGTERM/SIGINT/SIGHUP
 *
 * STR understands \n \r \t \e \\ and \xHH. Output lines are key=value, e.g.
 *   pty id=0 path=/dev/pts/3 index=3 rdev=136:3 devpts=0:22 kdev=142606339
 *       kdevpts=22 pid=77
 * where devpts is the st_dev of the devpts instance as stat(1) shows it and
 * kdev/kdevpts are the same numbers in the kernel's dev_t layout (major << 20 |
 * minor), i.e. struct tty_key. Reads print `read-master id= n= data=` with data
 * escaped the same way. Every step prints exactly one line (a failure prints
 * "ptyctl: ..." to stderr instead and exits). Exit status: 0 ok, 1 a step
 * failed, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#define PROG "ptyctl"
#include "ptyutil.h"

#define MAX_PTYS 64
#define BUF_SIZE 4096

struct pty {
	int master;
	int slave;
	int index;
	pid_t child;
	char path[128];
	/* set by on_child() */
	volatile sig_atomic_t exited;
	int exit_status;
	long long exit_ms;
};

static struct pty ptys[MAX_PTYS];
static int npty;
static int cur = -1;
static int timeout_ms = 3000;
static int in_private_ns;
static volatile sig_atomic_t got_signal;
static char instance_dirs[MAX_PTYS][64];
static int ninstance;

static struct pty *current(const char *step)
{
	if (cur < 0 || ptys[cur].master < 0)
		die("%s: no open PTY (use open first)", step);
	return &ptys[cur];
}

static unsigned int kdev(dev_t d)
{
	return major(d) << 20 | minor(d);
}

static void print_escaped(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 32 || c >= 127 || c == ' ')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void print_pty(int id)
{
	struct pty *p = &ptys[id];
	struct stat st;

	if (fstat(p->slave, &st) < 0)
		die("fstat %s: %s", p->path, strerror(errno));
	printf("pty id=%d path=%s index=%d rdev=%u:%u devpts=%u:%u kdev=%u kdevpts=%u pid=%d\n", id,
	       p->path, p->index, major(st.st_rdev), minor(st.st_rdev), major(st.st_dev),
	       minor(st.st_dev), kdev(st.st_rdev), kdev(st.st_dev), (int)getpid());
}

/* A devpts instance of our own, visible only in this process's mount namespace. */
static int new_instance_ptmx(char *dir, size_t dirlen)
{
	char path[160];
	int fd;

	if (!in_private_ns) {
		if (unshare(CLONE_NEWNS) < 0)
			die("unshare(CLONE_NEWNS): %s", strerror(errno));
		/* Keep our mounts from propagating back into the parent namespace. */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			die("make / private: %s", strerror(errno));
		in_private_ns = 1;
	}
	snprintf(dir, dirlen, "/tmp/ptyctl.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	if (mount("devpts", dir, "devpts", 0, "newinstance,ptmxmode=0666,mode=0620") < 0) {
		rmdir(dir);
		die("mount devpts on %s: %s", dir, strerror(errno));
	}
	snprintf(instance_dirs[ninstance++], sizeof(instance_dirs[0]), "%s", dir);
	snprintf(path, sizeof(path), "%s/ptmx", dir);
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

static void step_open(int newinstance)
{
	char dir[64] = "/dev/pts";
	struct pty *p;
	int m, s;
	unsigned int n;

	if (npty == MAX_PTYS)
		die("open: more than %d PTYs", MAX_PTYS);
	if (newinstance)
		m = new_instance_ptmx(dir, sizeof(dir));
	else
		m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		die("open ptmx: %s", strerror(errno));
	if (unlockpt(m) < 0 || ioctl(m, TIOCGPTN, &n) < 0)
		die("unlockpt: %s", strerror(errno));
	/* TIOCGPTPEER opens the slave of this master's own devpts instance, which
	 * ptsname()'s /dev/pts/N path would not for a new instance. */
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		die("TIOCGPTPEER: %s", strerror(errno));
	p = &ptys[npty];
	p->master = m;
	p->slave = s;
	p->index = (int)n;
	p->child = 0;
	snprintf(p->path, sizeof(p->path), "%s/%u", dir, n);
	cur = npty++;
	print_pty(cur);
}

static void write_all(int fd, const char *arg, const char *what)
{
	char buf[BUF_SIZE];
	int n = unescape(arg, buf, sizeof(buf));
	int off = 0;

	while (off < n) {
		ssize_t w = write(fd, buf + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("write %s: %s", what, strerror(errno));
		off += w;
	}
	printf("%s id=%d n=%d\n", what, cur, n);
}

static int wait_readable(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die("poll: %s", strerror(errno));
	/* POLLHUP with no data left: the other side is gone, nothing to read. */
	return r > 0 && (pfd.revents & POLLIN);
}

/* Read what arrives: wait up to timeout_ms for the first bytes, then until
 * the side stays quiet for 100 ms. Returns the byte count kept in buf. */
static size_t read_some(int fd, char *buf, size_t len, int first_ms)
{
	size_t n = 0;
	int ms = first_ms;

	while (n < len && wait_readable(fd, ms)) {
		ssize_t r = read(fd, buf + n, len - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) /* EIO: the slave side was closed */
			break;
		n += r;
		ms = 100;
	}
	return n;
}

static void step_read(int fd, const char *what)
{
	char buf[BUF_SIZE];
	size_t n = read_some(fd, buf, sizeof(buf), timeout_ms);

	printf("%s id=%d n=%zu data=", what, cur, n);
	print_escaped(buf, n);
	putchar('\n');
}

static void step_expect(const char *arg)
{
	struct pty *p = current("expect");
	char want[BUF_SIZE], seen[4 * BUF_SIZE];
	struct timespec t0, t;
	size_t n = 0;
	int left, found;

	unescape(arg, want, sizeof(want));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (memmem(seen, n, want, strlen(want)))
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms -
		       (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || !wait_readable(p->master, left))
			break;
		/* Keep the newest bytes: a match is never longer than BUF_SIZE. */
		if (n + BUF_SIZE >= sizeof(seen)) {
			memmove(seen, seen + n - BUF_SIZE, BUF_SIZE);
			n = BUF_SIZE;
		}
		ssize_t r = read(p->master, seen + n, sizeof(seen) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	found = memmem(seen, n, want, strlen(want)) != NULL;
	printf("expect id=%d found=%d data=", cur, found);
	print_escaped(seen, n);
	putchar('\n');
	if (found)
		return;
	fflush(stdout);
	die("expect: \"%s\" not seen on PTY %d within %d ms", arg, cur, timeout_ms);
}

/* Reap spawned children as they exit, noting when (async-signal-safe calls only). */
static void on_child(int sig)
{
	int saved = errno, status;
	struct timespec ts;
	pid_t pid;

	(void)sig;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		clock_gettime(CLOCK_BOOTTIME, &ts);
		for (int i = 0; i < npty; i++) {
			if (ptys[i].child != pid)
				continue;
			ptys[i].exit_status = status;
			ptys[i].exit_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
			ptys[i].exited = 1;
		}
	}
	errno = saved;
}

static void step_spawn(const char *cmd)
{
	struct pty *p = current("spawn");
	sigset_t chld, old;
	pid_t pid;

	/* on_child must know the pid before the child can exit */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (setsid() < 0 || ioctl(p->slave, TIOCSCTTY, 0) < 0)
			die("spawn: controlling terminal: %s", strerror(errno));
		if (dup2(p->slave, 0) < 0 || dup2(p->slave, 1) < 0 || dup2(p->slave, 2) < 0)
			die("spawn: dup2: %s", strerror(errno));
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		die("exec /bin/sh: %s", strerror(errno));
	}
	p->child = pid;
	p->exited = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* The child's sid is its pid; print it so a scenario needs no /proc lookup. */
	printf("spawn id=%d pid=%d sid=%d\n", cur, (int)pid, (int)pid);
}

static void step_reap(void)
{
	struct pty *p = current("reap");
	sigset_t chld, old;
	int status;

	struct timespec now, end, ts;

	if (p->child <= 0)
		die("reap: nothing spawned on PTY %d", cur);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec +=
	    timeout_ms / 1000 + (end.tv_nsec + timeout_ms % 1000 * 1000000L) / 1000000000L;
	end.tv_nsec = (end.tv_nsec + timeout_ms % 1000 * 1000000L) % 1000000000L;

	/* SIGCHLD blocked between the test and the wait, so none is missed;
	 * one taken by sigtimedwait is handled here as on_child would */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	on_child(SIGCHLD);
	while (!p->exited && !got_signal) {
		/* against a deadline: another PTY's child must not restart the wait */
		clock_gettime(CLOCK_MONOTONIC, &now);
		ts.tv_sec = end.tv_sec - now.tv_sec;
		ts.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (ts.tv_nsec < 0) {
			ts.tv_sec--;
			ts.tv_nsec += 1000000000L;
		}
		if (ts.tv_sec < 0)
			break;
		if (sigtimedwait(&chld, NULL, &ts) == SIGCHLD)
			on_child(SIGCHLD);
		else if (errno == EAGAIN)
			break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!p->exited)
		die(got_signal ? "reap: interrupted by signal %d"
			       : "reap: PTY %d's process still runs after the timeout",
		    got_signal ? (int)got_signal : cur);
	status = p->exit_status;
	p->child = 0;
	p->exited = 0;
	if (WIFEXITED(status))
		printf("exit id=%d status=%d ms=%lld\n", cur, WEXITSTATUS(status), p->exit_ms);
	else
		printf("exit id=%d signal=%d ms=%lld\n", cur, WTERMSIG(status), p->exit_ms);
}

/* The mount points were made in the shared /tmp; the mounts die with our namespace. */
static void remove_instance_dirs(void)
{
	for (int i = 0; i < ninstance; i++) {
		umount2(instance_dirs[i], MNT_DETACH);
		rmdir(instance_dirs[i]);
	}
}

static void on_signal(int sig)
{
	got_signal = sig;
}

static double parse_num(const char *step, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < 0)
		die("%s: bad number '%s'", step, arg);
	return v;
}

/* Steps that take an argument. */
static int takes_arg(const char *name)
{
	static const char *const with_arg[] = {
	    "select", "write-master", "wm",	"write-slave",	 "ws",
	    "expect", "spawn",	      "signal", "hold",		 "timeout",
	    "serve",  "exec",	      "sti",	"notify-listen", NULL,
	};

	for (int i = 0; with_arg[i]; i++)
		if (!strcmp(name, with_arg[i]))
			return 1;
	return 0;
}

static void serve(const char *path);

/* Returns 0, or 1 for `quit`. Every step prints exactly one line. */
static int run_step(const char *name, const char *arg)
{
	if (!strncmp(name, "--", 2))
		name += 2;
	if (arg && !takes_arg(name) && strcmp(name, "open"))
		die("%s: takes no argument (got '%s')", name, arg);
	if (!arg && takes_arg(name))
		die("%s: missing argument", name);
	if (!strcmp(name, "open")) {
		int ni = arg && (!strcmp(arg, "--newinstance") || !strcmp(arg, "newinstance"));

		if (arg && !ni)
			die("open: unknown option '%s'", arg);
		step_open(ni);
	} else if (!strcmp(name, "print")) {
		current(name);
		print_pty(cur);
	} else if (!strcmp(name, "select")) {
		int id = (int)parse_num(name, arg);

		if (id >= npty)
			die("select: no PTY %d", id);
		cur = id;
		printf("select id=%d\n", cur);
	} else if (!strcmp(name, "write-master") || !strcmp(name, "wm")) {
		write_all(current(name)->master, arg, "write-master");
	} else if (!strcmp(name, "write-slave") || !strcmp(name, "ws")) {
		write_all(current(name)->slave, arg, "write-slave");
	} else if (!strcmp(name, "read-master") || !strcmp(name, "rm")) {
		step_read(current(name)->master, "read-master");
	} else if (!strcmp(name, "read-slave") || !strcmp(name, "rs")) {
		step_read(current(name)->slave, "read-slave");
	} else if (!strcmp(name, "expect")) {
		step_expect(arg);
	} else if (!strcmp(name, "raw")) {
		struct termios t;
		struct pty *p = current(name);

		if (tcgetattr(p->slave, &t) < 0)
			die("tcgetattr: %s", strerror(errno));
		cfmakeraw(&t);
		if (tcsetattr(p->slave, TCSANOW, &t) < 0)
			die("tcsetattr: %s", strerror(errno));
		printf("raw id=%d\n", cur);
	} else if (!strcmp(name, "spawn")) {
		step_spawn(arg);
	} else if (!strcmp(name, "signal")) {
		struct pty *p = current(name);
		int sig = (int)parse_num(name, arg);

		/* an exited child was reaped by on_child: its pid may be reused */
		if (p->child <= 0 || p->exited || kill(p->child, sig) < 0)
			die("signal: no spawned process on PTY %d", cur);
		printf("signal id=%d pid=%d sig=%d\n", cur, (int)p->child, sig);
	} else if (!strcmp(name, "reap")) {
		step_reap();
	} else if (!strcmp(name, "close")) {
		struct pty *p = current(name);

		close(p->master);
		close(p->slave);
		p->master = p->slave = -1;
		printf("closed id=%d\n", cur);
	} else if (!strcmp(name, "hold")) {
		double s = parse_num(name, arg);
		struct timespec ts = {.tv_sec = (time_t)s,
				      .tv_nsec = (long)((s - (time_t)s) * 1e9)};

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !got_signal)
			;
		printf("hold s=%s\n", arg);
	} else if (!strcmp(name, "timeout")) {
		timeout_ms = (int)parse_num(name, arg);
		printf("timeout ms=%d\n", timeout_ms);
	} else if (!strcmp(name, "notify-listen")) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		char buf[4096];
		int fd;

		if (strlen(arg) >= sizeof(sa.sun_path))
			die("notify-listen: path too long");
		strcpy(sa.sun_path, arg);
		unlink(arg);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("notify-listen: %s: %s", arg, strerror(errno));
		printf("notify-listen path=%s\n", arg);
		fflush(stdout);
		while (!got_signal) {
			struct timespec ts;
			ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

			if (n < 0)
				continue; /* EINTR: got_signal is looked at */
			buf[n] = 0;
			for (ssize_t i = 0; i < n; i++)
				if (buf[i] == '\n')
					buf[i] = '|';
			clock_gettime(CLOCK_BOOTTIME, &ts);
			printf("notify ms=%lld data=%s\n",
			       (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, buf);
			fflush(stdout);
		}
		close(fd);
		unlink(arg);
		exit(0);
	} else if (!strcmp(name, "wait")) {
		printf("wait pid=%d\n", (int)getpid());
		fflush(stdout);
		while (!got_signal)
			pause();
		exit(0);
	} else if (!strcmp(name, "notty")) {
		struct sigaction ign = {.sa_handler = SIG_IGN}, old;
		int r;

		sigaction(SIGHUP, &ign, &old);
		r = ioctl(0, TIOCNOTTY);
		sigaction(SIGHUP, &old, NULL);
		if (r < 0)
			die("notty: TIOCNOTTY on fd 0: %s", strerror(errno));
		printf("notty pid=%d sid=%d\n", (int)getpid(), (int)getsid(0));
	} else if (!strcmp(name, "sti")) {
		char buf[256];
		int n = unescape(arg, buf, sizeof(buf)), i, err = 0;

		for (i = 0; i < n; i++)
			if (ioctl(0, TIOCSTI, &buf[i]) < 0) {
				err = errno;
				break;
			}
		printf("sti n=%d err=%d\n", i, err);
	} else if (!strcmp(name, "exec")) {
		printf("exec pid=%d\n", (int)getpid());
		fflush(stdout);
		execl("/bin/sh", "sh", "-c", arg, (char *)NULL);
		die("exec /bin/sh: %s", strerror(errno));
	} else if (!strcmp(name, "serve")) {
		serve(arg);
	} else if (!strcmp(name, "quit")) {
		printf("quit\n");
		fflush(stdout);
		return 1;
	} else {
		fprintf(stderr, "ptyctl: unknown step '%s' (see the header of ptyctl.c)\n", name);
		exit(2);
	}
	fflush(stdout);
	if (got_signal)
		exit(0);
	return 0;
}

/*
 * Run the steps written, one per line, to PATH ("-": stdin). A FIFO is opened
 * read-write, so writers may come and go (`echo wm x > FIFO`) without an EOF.
 */
static void serve(const char *path)
{
	char line[BUF_SIZE];
	FILE *in = stdin;

	if (strcmp(path, "-")) {
		if (mkfifo(path, 0600) < 0 && errno != EEXIST)
			die("mkfifo %s: %s", path, strerror(errno));
		in = fopen(path, "r+");
		if (!in)
			die("open %s: %s", path, strerror(errno));
	}
	printf("serve path=%s pid=%d\n", path, (int)getpid());
	fflush(stdout);
	while (fgets(line, sizeof(line), in)) {
		char *name = line, *arg;

		line[strcspn(line, "\n")] = 0;
		while (*name == ' ' || *name == '\t')
			name++;
		if (!*name || *name == '#')
			continue;
		arg = strchr(name, ' ');
		if (arg)
			*arg++ = 0;
		if (run_step(name, arg))
			break;
	}
	if (got_signal)
		exit(0);
	if (in != stdin)
		fclose(in);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct sigaction sc = {.sa_handler = on_child, .sa_flags = SA_RESTART | SA_NOCLDSTOP};

	if (argc < 2) {
		fprintf(stderr, "usage: ptyctl STEP... (see the header of ptyctl.c)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(remove_instance_dirs);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sc, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i], *bare = name, *arg = NULL;

		if (!strncmp(bare, "--", 2))
			bare += 2;
		if (takes_arg(bare)) {
			if (i + 1 >= argc)
				die("%s: missing argument", name);
			arg = argv[++i];
		} else if (!strcmp(bare, "open") && i + 1 < argc &&
			   (!strcmp(argv[i + 1], "--newinstance") ||
			    !strcmp(argv[i + 1], "newinstance"))) {
			arg = argv[++i];
		}
		run_step(name, arg);
	}
	return 0;
}
