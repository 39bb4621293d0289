// SPDX-License-Identifier: GPL-2.0
/*
 * The engine over the real host (host/host.h) against a real session: a
 * child process that leads its own session on a real PTY, found through the
 * real /proc; what the wiring of the two does, where test_engine.c tests the
 * engine alone against a fake host. Only the kernel maps
 * are stood in for (struct engine_kernel), since nothing here runs BPF: the
 * test writes the record the BPF side would have written and reads back what
 * the engine armed.
 *
 * Times are the test's own, never the host's uptime: each test runs at
 * f->now, one HISTORY after the victim and its terminal came to be, so every
 * stamp a test puts in the past (at most HISTORY ago) lies after the real
 * leader started, and none of it depends on how long the host has been up.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/config.h"
#include "policy/duration.h"
#include "daemon/engine.h"
#include "host/session.h"
#include "testpty.h"

#define S	   NSEC_PER_SEC
#define ALL_CLOCKS TTY_CLK_ALL
#define HISTORY	   (3600 * S) /* the furthest back a test dates a record */
#define LOOK	   (2 * S)    /* a terminal is first looked at this long before its warning */

struct fake_kernel {
	struct tty_rec rec;
	bool have_rec;
	bool armed;
	uint32_t mask;
	uint32_t warned_ms;
	uint32_t own_bytes;
	uint32_t narmed;
	unsigned arms;
};

static int fk_read(void *ctx, const struct tty_key *k, struct tty_rec *r)
{
	struct fake_kernel *f = ctx;

	if (!f->have_rec)
		return -ENOENT;
	*r = f->rec;
	return 0;
}

static int fk_arm(void *ctx, const struct tty_key *k, uint32_t mask, uint32_t warned_ms,
		  uint32_t own_bytes)
{
	struct fake_kernel *f = ctx;

	f->armed = true;
	f->mask = mask;
	f->warned_ms = warned_ms;
	f->own_bytes = own_bytes;
	f->arms++;
	return 0;
}

static int fk_disarm(void *ctx, const struct tty_key *k)
{
	struct fake_kernel *f = ctx;

	if (!f->armed)
		return -ENOENT;
	f->armed = false;
	f->mask = 0;
	return 0;
}

static void fk_narmed(void *ctx, uint32_t n)
{
	((struct fake_kernel *)ctx)->narmed = n;
}

static int fk_is_armed(void *ctx, const struct tty_key *k)
{
	return ((struct fake_kernel *)ctx)->armed;
}

/* A session leader on its own PTY (testpty.h). */
struct victim {
	struct pty p;
	pid_t pid;
};

static void victim_start(struct victim *v)
{
	pty_open(&v->p);
	v->pid = pty_spawn_leader(&v->p, false);
}

/* What the daemon wrote to the terminal, as the user would see it. */
static void victim_output(struct victim *v, char *buf, size_t len)
{
	ssize_t n;
	int fl = fcntl(v->p.master, F_GETFL);

	fcntl(v->p.master, F_SETFL, fl | O_NONBLOCK);
	n = read(v->p.master, buf, len - 1);
	buf[n > 0 ? n : 0] = 0;
	fcntl(v->p.master, F_SETFL, fl);
}

static void victim_stop(struct victim *v)
{
	if (v->pid > 0) {
		kill(v->pid, SIGKILL);
		waitpid(v->pid, NULL, 0);
	}
	pty_close(&v->p);
}

static uint64_t boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

static const char policy_text[] = "[global]\n"
				  "scope = all\n"
				  "idle-timeout = 100s\n"
				  "warn-before = 40s\n"
				  "activity = input\n"
				  "action = hangup\n"
				  "warn-message = idle {user} on {tty}\n";

struct fixture {
	struct policy pol;
	struct fake_kernel fk;
	struct engine_kernel k;
	struct host host;
	struct engine e;
	struct victim v;
	uint64_t now; /* the tests' present: HISTORY after the victim started */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f)
		return -1;
	/* a terminal of its own, seen by the kernel side from first use */
	f->fk.rec.kind = TTY_KIND_PTY;
	if (policy_load_buffer(&f->pol, "t.conf", policy_text, sizeof(policy_text) - 1, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* no `ending` map: test_engine.c covers it */
	f->k = (struct engine_kernel){.ctx = &f->fk,
				      .read_rec = fk_read,
				      .arm = fk_arm,
				      .disarm = fk_disarm,
				      .set_narmed = fk_narmed,
				      .is_armed = fk_is_armed};
	if (host_init(&f->host, NULL) || engine_init(&f->e, &f->k, &f->host.ops, &f->pol))
		return -1;
	f->host.sopts.utmp_path = ""; /* never the host's logins */
	victim_start(&f->v);
	snprintf(f->fk.rec.name, sizeof(f->fk.rec.name), "%s", f->v.p.kname);
	f->fk.rec.index = (uint32_t)atoi(f->v.p.kname + 3);
	/* the test holds the master: the terminal is its user's own (multiplexer) */
	f->fk.rec.writer_tgid = (uint32_t)getpid();
	/* read after the leader started (same clock as /proc/PID/stat's starttime,
	 * time namespaces included): the terminal and its session are older */
	f->now = boottime() + HISTORY;
	/* the kernel side last saw the session own the terminal just now */
	f->fk.rec.sess_epoch = (uint32_t)(f->now >> 30);
	alarm(60); /* a hangup that never comes fails the test, not CI's clock */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	alarm(0);
	victim_stop(&f->v);
	engine_free(&f->e);
	host_free(&f->host);
	policy_free(&f->pol);
	free(f);
	return 0;
}

/* A terminal idle without a session costs no wake-up: it is armed for any use. */
static void test_sessionless_waits_for_use(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;
	unsigned arms;
	struct term *t;

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - 500 * S; /* long past the shortest lead (60 s) */
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	assert_true(f->fk.armed);
	assert_int_equal(f->fk.mask, ALL_CLOCKS);
	assert_int_equal(f->fk.warned_ms, 0); /* not a warning */
	assert_int_equal(f->fk.narmed, 1);
	assert_int_equal(engine_next(&f->e), UINT64_MAX);

	/* its next use brings the session (the BPF side fired and disarmed) */
	arms = f->fk.arms;
	f->fk.armed = false;
	f->fk.rec.sid = f->v.pid;
	f->fk.rec.in_ns = now + S;
	engine_activity(&f->e, &f->v.p.key, TTY_CLK_IN, 1, "sshd", now + S);
	assert_int_equal(f->fk.arms, arms); /* an active session is not armed again */
	t = engine_find(&f->e, &f->v.p.key);
	assert_non_null(t);
	/* and nobody looks at who owns it before the rule could soon want it */
	assert_false(t->resolved);
	assert_false(f->fk.armed);
	assert_int_equal(f->fk.narmed, 0);
	assert_int_equal(engine_next(&f->e), now + S + 60 * S - LOOK);
	engine_run_due(&f->e, now + S + 60 * S - LOOK);
	assert_true(t->resolved);
	assert_int_equal(t->who.sid, f->v.pid);
	assert_string_equal(t->who.service, "multiplexer");
	assert_int_equal(t->phase, PH_WATCH);
	assert_int_equal(engine_next(&f->e), now + S + 60 * S);
	engine_run_due(&f->e, now + S + 60 * S);
	assert_int_equal(t->phase, PH_WARNED);
}

/*
 * A young terminal with a session: nothing about its owner is read until the
 * shortest rule could first want it, whatever happens on it meanwhile.
 */
static void test_resolved_when_due(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;
	struct term *t;

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - 10 * S;
	f->fk.rec.in_ns = now - 5 * S;
	f->fk.rec.out_ns = now - 1 * S; /* output: a rule counting input only is due earlier */
	f->fk.rec.sid = f->v.pid;
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	t = engine_find(&f->e, &f->v.p.key);
	assert_false(t->resolved);
	assert_false(f->fk.armed);
	assert_int_equal(engine_next(&f->e), now - 5 * S + 60 * S - LOOK);
	engine_run_due(&f->e, now + 54 * S - LOOK);
	assert_false(t->resolved);
	engine_run_due(&f->e, now + 55 * S - LOOK);
	assert_true(t->resolved);
	assert_int_equal(t->phase, PH_WATCH);
	engine_run_due(&f->e, now + 55 * S);
	assert_int_equal(t->phase, PH_WARNED);
	assert_int_equal(f->e.stats.warnings, 1);
}

/*
 * A daemon restarted during a warning takes the warning over: no second
 * warning, no second lead; the session ends at the deadline the first
 * warning announced.
 */
static void test_restart_keeps_warning(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;
	char out[512];
	int status;

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - HISTORY;
	f->fk.rec.in_ns = now - 90 * S; /* warned at 60 s (30 s ago), due in 10 s */
	f->fk.rec.sid = f->v.pid;
	assert_int_equal(
	    engine_add_warned(&f->e, &f->v.p.key, TTY_CLK_BIT(TTY_CLK_IN), 60 * 1000, now), 0);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_WARNED);
	assert_int_equal(f->e.stats.warnings, 0);
	victim_output(&f->v, out, sizeof(out));
	assert_string_equal(out, "");
	assert_true(f->fk.armed);
	assert_int_equal(f->fk.warned_ms, 60 * 1000);
	assert_int_equal(engine_next(&f->e), now + 10 * S);
	engine_run_due(&f->e, now + 10 * S);
	assert_int_equal(f->e.stats.terminations, 1);
	assert_int_equal(f->e.stats.warnings, 0);
	assert_int_equal(waitpid(f->v.pid, &status, 0), f->v.pid);
	f->v.pid = 0;
	assert_true(WIFSIGNALED(status));
}

/*
 * The terminal is released while the session is being ended, but a member
 * that ignores SIGHUP lives on: the escalation goes on (SIGTERM) and the end
 * is recorded only once nothing of the session is left.
 */
static void test_ending_outlives_release(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;
	struct victim v2;
	struct term *t;
	int status;

	/* a leader that ignores the hangup */
	victim_stop(&f->v);
	pty_open(&v2.p);
	v2.pid = pty_spawn_leader(&v2.p, true);
	f->v = v2;
	snprintf(f->fk.rec.name, sizeof(f->fk.rec.name), "%s", f->v.p.kname);
	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - HISTORY;
	f->fk.rec.in_ns = now - 200 * S;
	f->fk.rec.sid = f->v.pid;
	assert_int_equal(
	    engine_add_warned(&f->e, &f->v.p.key, TTY_CLK_BIT(TTY_CLK_IN), 60 * 1000, now), 0);
	assert_int_equal(f->e.stats.terminations, 1); /* long past: ended at once */
	t = engine_find(&f->e, &f->v.p.key);
	assert_int_equal(t->phase, PH_ENDING);
	/* the terminal goes; the session does not */
	f->fk.have_rec = false;
	engine_gone(&f->e, &f->v.p.key, now + 1);
	assert_null(engine_find(&f->e, &f->v.p.key));
	assert_int_equal(f->e.nterms, 0);
	assert_true(engine_next(&f->e) <= now + 1);
	engine_run_due(&f->e, now + 1);
	assert_int_equal(waitpid(f->v.pid, &status, WNOHANG), 0); /* still alive */
	/* SIGTERM comes at the first signal delay (5 s by default) */
	engine_run_due(&f->e, now + 6 * S);
	assert_int_equal(waitpid(f->v.pid, &status, 0), f->v.pid);
	f->v.pid = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	/* seen gone at the next look; then nothing is left to schedule */
	engine_run_due(&f->e, engine_next(&f->e));
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
}

/* Young and sessionless: looked at shortly before the shortest rule could first apply. */
static void test_sessionless_young(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - 10 * S;
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	assert_false(f->fk.armed);
	assert_int_equal(engine_next(&f->e), now + 50 * S - LOOK);
	/* still nobody at that time: armed from then on */
	engine_run_due(&f->e, now + 50 * S - LOOK);
	assert_true(f->fk.armed);
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
}

/*
 * Found long past its deadline (daemon start-up): warned first with the
 * full lead, armed for input only, ended one lead later.
 */
static void test_overdue_gets_notice(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;
	char out[512];
	int status;

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - HISTORY;
	f->fk.rec.in_ns = now - 1000 * S;
	f->fk.rec.out_ns = now - 2 * S;
	f->fk.rec.sid = f->v.pid;
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	assert_int_equal(f->e.stats.warnings, 1);
	assert_int_equal(f->e.stats.terminations, 0);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_WARNED);
	assert_true(f->fk.armed);
	assert_int_equal(f->fk.mask, TTY_CLK_BIT(TTY_CLK_IN));
	/* status reads when the warning came: 1000 s after the last input */
	assert_int_equal(f->fk.warned_ms, 1000 * 1000);
	assert_int_equal(engine_next(&f->e), now + 40 * S);
	victim_output(&f->v, out, sizeof(out));
	assert_non_null(strstr(out, "idle "));
	assert_non_null(strstr(out, " on pts/"));
	/* the arm counts the warning's bytes as the master reads them (\n as \r\n) */
	assert_int_equal(f->fk.own_bytes, strlen(out));

	/* nothing before the lead is over */
	engine_run_due(&f->e, now + 40 * S - 1);
	assert_int_equal(f->e.stats.terminations, 0);
	assert_int_equal(waitpid(f->v.pid, &status, WNOHANG), 0);

	engine_run_due(&f->e, now + 40 * S);
	assert_int_equal(f->e.stats.terminations, 1);
	assert_false(f->fk.armed);
	/* the hangup ends the leader (SIGHUP); wait for it (bounded by setup's alarm) */
	assert_int_equal(waitpid(f->v.pid, &status, 0), f->v.pid);
	f->v.pid = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGHUP);
}

/* Armed for any use while sessionless, then warned: the mask becomes the rule's. */
static void test_rearm_replaces_mask(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;
	unsigned arms;
	struct policy copy = {0};
	char err[256];

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - 500 * S;
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	assert_int_equal(f->fk.mask, ALL_CLOCKS);

	/* the session appears without our hearing of it; a reload looks again */
	f->fk.rec.sid = f->v.pid;
	f->fk.rec.in_ns = now - 70 * S; /* warn-due: 70 s idle of 100 */
	assert_int_equal(policy_load_buffer(&copy, "t.conf", policy_text, sizeof(policy_text) - 1,
					    err, sizeof(err)),
			 0);
	arms = f->fk.arms;
	engine_set_policy(&f->e, &copy, now);
	engine_run_due(&f->e, now);
	assert_int_equal(f->fk.arms, arms + 1); /* the entry was rewritten with the new mask */
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_WARNED);
	assert_true(f->fk.armed);
	assert_int_equal(f->fk.mask, TTY_CLK_BIT(TTY_CLK_IN));
	assert_int_equal(f->fk.warned_ms, 70 * 1000);
	assert_int_equal(f->fk.narmed, 1);
	assert_int_equal(engine_next(&f->e), now + 30 * S);

	/* the any-use arm had fired before the warning's arm replaced it; its
	 * event arrives only now, while the replacement is still in the map */
	engine_activity(&f->e, &f->v.p.key, TTY_CLK_OUT, 1, "sh", now + 1);
	assert_int_equal(f->e.stats.cancels, 0);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_WARNED);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->armed, TTY_CLK_BIT(TTY_CLK_IN));
	assert_int_equal(f->fk.narmed, 1);

	/* a keystroke during the warning cancels it */
	arms = f->fk.arms;
	f->fk.armed = false;
	f->fk.rec.in_ns = now + S;
	engine_activity(&f->e, &f->v.p.key, TTY_CLK_IN, 1, "sshd", now + S);
	assert_int_equal(f->fk.arms, arms);
	assert_false(f->fk.armed);
	assert_int_equal(f->e.stats.cancels, 1);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_WATCH);
	assert_int_equal(f->fk.narmed, 0);
	engine_set_policy(&f->e, &f->pol, now + S);
	policy_free(&copy);
}

/*
 * The activity event of a terminal armed while sessionless was lost (ring
 * buffer full): the resync finds the BPF side disarmed it and looks again.
 */
static void test_lost_activity(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;
	struct term *t;

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - 500 * S;
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	assert_true(f->fk.armed);
	/* nothing fired: nothing to do */
	assert_int_equal(engine_resync_armed(&f->e, now), 0);
	assert_int_equal(engine_next(&f->e), UINT64_MAX);

	/* used by a new session; the BPF side fired and disarmed, the event was lost */
	f->fk.armed = false;
	f->fk.rec.sid = f->v.pid;
	f->fk.rec.in_ns = now + S;
	assert_int_equal(engine_resync_armed(&f->e, now + 2 * S), 1);
	assert_int_equal(f->fk.narmed, 0);
	assert_int_equal(engine_next(&f->e), now + 2 * S);
	engine_run_due(&f->e, now + 2 * S);
	t = engine_find(&f->e, &f->v.p.key);
	/* used just now: looked at again when it could first be due */
	assert_false(t->resolved);
	assert_int_equal(engine_next(&f->e), now + S + 60 * S - LOOK);
	engine_run_due(&f->e, now + S + 60 * S - LOOK);
	assert_true(t->resolved);
	assert_int_equal(t->who.sid, f->v.pid);
}

/* Released without an EV_GONE (overrun): dropped at its next look. */
static void test_released_record(void **state)
{
	struct fixture *f = *state;
	uint64_t now = f->now;

	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - 10 * S;
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	assert_int_equal(f->e.nterms, 1);
	f->fk.have_rec = false;
	engine_run_due(&f->e, now + 50 * S);
	assert_int_equal(f->e.nterms, 0);
	assert_null(engine_find(&f->e, &f->v.p.key));
}

/*
 * Audit mode (action = warn): warned, then the expiry logged once. A reload
 * that changes nothing for it must not log a second warning and expiry.
 */
static void test_audit_mode_reload(void **state)
{
	static const char text[] = "[global]\nscope = all\nidle-timeout = 100s\n"
				   "warn-before = 40s\naction = warn\n";
	struct fixture *f = *state;
	uint64_t now = f->now;
	struct policy audit = {0};
	char err[256];

	assert_int_equal(
	    policy_load_buffer(&audit, "a.conf", text, sizeof(text) - 1, err, sizeof(err)), 0);
	engine_set_policy(&f->e, &audit, now);
	f->fk.have_rec = true;
	f->fk.rec.first_ns = now - HISTORY;
	f->fk.rec.in_ns = now - 70 * S;
	f->fk.rec.sid = f->v.pid;
	assert_int_equal(engine_add(&f->e, &f->v.p.key, now), 0);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_WARNED); /* logged only */
	/* warned 10 s late, so logged one full lead later */
	engine_run_due(&f->e, now + 40 * S);
	assert_int_equal(f->e.stats.logged, 1);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_LOGGED);

	engine_set_policy(&f->e, &audit, now + 41 * S);
	engine_run_due(&f->e, now + 41 * S);
	engine_run_due(&f->e, now + 90 * S);
	assert_int_equal(f->e.stats.logged, 1);
	assert_int_equal(engine_find(&f->e, &f->v.p.key)->phase, PH_LOGGED);
	engine_set_policy(&f->e, &f->pol, now + 90 * S);
	policy_free(&audit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sessionless_waits_for_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessionless_young, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolved_when_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_keeps_warning, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ending_outlives_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overdue_gets_notice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rearm_replaces_mask, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_activity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_released_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_mode_reload, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
