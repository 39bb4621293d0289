// SPDX-License-Identifier: GPL-2.0
/*
 * The engine alone, against a fake host (struct host_ops) and fake kernel
 * maps (struct engine_kernel), both in memory: sessions are lists of members
 * that die of a signal unless they ignore it, warnings and hangups are
 * recorded, and times are synthetic (T0 is any instant; nothing here reads a
 * clock, /proc or a terminal). The real host is tested in test_host.c, and
 * the two together in test_engine_real.c. Audit records (stderr) are read
 * back from a temporary file.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/engine.h"
#include "policy/config.h"
#include "policy/duration.h"

#define S  NSEC_PER_SEC
#define T0 (123456 * S) /* any instant will do */
#define IN TTY_CLK_BIT(TTY_CLK_IN)
/* a terminal is first looked at this long before its warning (engine.c) */
#define LOOK (2 * S)

/* ---- the kernel maps: one terminal -------------------------------------- */

struct fake_kernel {
	struct tty_rec rec;
	bool have_rec;
	bool armed;
	uint32_t mask, warned_ms, own_bytes, narmed;
	/* the `ending` map: one session */
	bool have_ending;
	struct ending_key ek;
	struct ending_rec er;
	unsigned saves, drops;
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

static int fk_save_ending(void *ctx, const struct ending_key *k, const struct ending_rec *r)
{
	struct fake_kernel *f = ctx;

	f->have_ending = true;
	f->ek = *k;
	f->er = *r;
	f->saves++;
	return 0;
}

static int fk_drop_ending(void *ctx, const struct ending_key *k)
{
	struct fake_kernel *f = ctx;

	if (!f->have_ending || memcmp(k, &f->ek, sizeof(*k)))
		return -ENOENT;
	f->have_ending = false;
	f->drops++;
	return 0;
}

/* ---- the host: one session ---------------------------------------------- */

#define SID	  4242
#define LSTART	  777ULL
#define MAXMEM	  8
#define SIGBIT(s) (1u << (s))

struct member {
	pid_t pid;
	char comm[16];
	bool alive;
	bool unkillable;  /* in D state: survives even SIGKILL */
	uint32_t ignores; /* SIGBIT()s it survives */
	uint32_t got;	  /* SIGBIT()s it received */
};

struct fake_host {
	struct host_ops ops;
	int resolve_rc; /* 0, -EAGAIN, -ESRCH, -EINPROGRESS */
	unsigned resolves;
	struct member m[MAXMEM];
	size_t nm;
	bool in_batch;
	unsigned batches;
	unsigned outside_batch; /* signals or survivors asked outside a batch: a bug */
	char warning[512];
	unsigned warnings;
	unsigned opens, hangups, open_handles;
	unsigned sent[32]; /* per signal, processes it was sent to */
};

static void fh_batch_begin(void *ctx)
{
	struct fake_host *h = ctx;

	assert_false(h->in_batch); /* batches do not nest */
	h->in_batch = true;
	h->batches++;
}

static void fh_batch_end(void *ctx)
{
	struct fake_host *h = ctx;

	assert_true(h->in_batch);
	h->in_batch = false;
}

static int fh_resolve(void *ctx, const struct tty_key *key, const struct tty_rec *rec,
		      struct session_info *s, char *err, size_t errlen)
{
	struct fake_host *h = ctx;

	h->resolves++;
	if (h->resolve_rc) {
		snprintf(err, errlen, "fake: %d", h->resolve_rc);
		return h->resolve_rc;
	}
	memset(s, 0, sizeof(*s));
	s->key = *key;
	snprintf(s->tty, sizeof(s->tty), "pts/3");
	s->service = SVC_SSHD;
	s->login_src = LOGIN_MASTER;
	s->has_session = true;
	s->sid = SID;
	s->leader_start = LSTART;
	snprintf(s->leader_comm, sizeof(s->leader_comm), "bash");
	s->uid = 1000;
	snprintf(s->user, sizeof(s->user), "alice");
	s->gid = 1000;
	snprintf(s->group, sizeof(s->group), "alice");
	s->host_pidns = s->host_mntns = true;
	return 0;
}

static int fh_warn(void *ctx, pid_t sid, const struct tty_key *key, const char *devname,
		   const void *text, size_t len, struct warn_result *r)
{
	struct fake_host *h = ctx;

	assert_int_equal(sid, SID);
	snprintf(h->warning, sizeof(h->warning), "%.*s", (int)len, (const char *)text);
	h->warnings++;
	*r = (struct warn_result){.outcome = WARN_DELIVERED, .written = len, .len = len};
	return 0;
}

static int fh_open_tty(void *ctx, pid_t sid, const struct tty_key *key, const char *devname)
{
	struct fake_host *h = ctx;

	h->opens++;
	h->open_handles++;
	return 100;
}

static int fh_hangup(void *ctx, int tty)
{
	struct fake_host *h = ctx;

	assert_int_equal(tty, 100);
	h->hangups++;
	return 0;
}

static void fh_close_tty(void *ctx, int tty)
{
	struct fake_host *h = ctx;

	assert_int_equal(tty, 100);
	h->open_handles--;
}

static bool fh_is_ours(pid_t sid, unsigned long long start)
{
	return sid == SID && start == LSTART;
}

static void deliver(struct member *m, int sig)
{
	m->got |= SIGBIT(sig);
	if (m->unkillable)
		return;
	if (sig == SIGKILL || !(m->ignores & SIGBIT(sig)))
		m->alive = false;
}

static int fh_signal_session(void *ctx, pid_t sid, unsigned long long start, int sig,
			     struct term_counts *c)
{
	struct fake_host *h = ctx;
	size_t i;

	h->outside_batch += !h->in_batch;
	if (!fh_is_ours(sid, start))
		return 0;
	for (i = 0; i < h->nm; i++) {
		if (!h->m[i].alive)
			continue;
		deliver(&h->m[i], sig);
		if (sig != SIGKILL)
			h->m[i].got |= SIGBIT(SIGCONT);
		h->sent[sig]++;
		c->signalled++;
	}
	return 0;
}

static int fh_session_gone(void *ctx, pid_t sid, unsigned long long start)
{
	struct fake_host *h = ctx;
	size_t i;

	if (!fh_is_ours(sid, start))
		return 1;
	for (i = 0; i < h->nm; i++)
		if (h->m[i].alive)
			return 0;
	return 1;
}

static int fh_survivors(void *ctx, pid_t sid, unsigned long long start, struct proc_stat **out,
			size_t *n)
{
	struct fake_host *h = ctx;
	size_t i;

	h->outside_batch += !h->in_batch;
	*out = calloc(MAXMEM, sizeof(**out));
	*n = 0;
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < h->nm && fh_is_ours(sid, start); i++) {
		struct proc_stat *p = &(*out)[*n];

		if (!h->m[i].alive)
			continue;
		p->pid = h->m[i].pid;
		p->session = SID;
		p->state = h->m[i].unkillable ? 'D' : 'S';
		snprintf(p->comm, sizeof(p->comm), "%s", h->m[i].comm);
		(*n)++;
	}
	return 0;
}

static struct member *add_member(struct fake_host *h, pid_t pid, const char *comm, uint32_t ignores)
{
	struct member *m = &h->m[h->nm++];

	*m = (struct member){.pid = pid, .alive = true, .ignores = ignores};
	snprintf(m->comm, sizeof(m->comm), "%s", comm);
	return m;
}

/* ---- fixture ------------------------------------------------------------- */

static const char policy_text[] = "[global]\n"
				  "scope = all\n"
				  "idle-timeout = 100s\n"
				  "warn-before = 40s\n"
				  "activity = input\n"
				  "action = hangup\n"
				  "warn-message = idle {user} on {tty}\n";

struct fixture {
	struct policy pol, pol2;
	bool have_pol2;
	struct fake_kernel fk;
	struct engine_kernel k;
	struct fake_host fh;
	struct engine e;
	struct tty_key key;
	FILE *audit;
	int saved_stderr;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f)
		return -1;
	if (policy_load_buffer(&f->pol, "t.conf", policy_text, sizeof(policy_text) - 1, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	f->k = (struct engine_kernel){&f->fk,	 fk_read,     fk_arm,	      fk_disarm,
				      fk_narmed, fk_is_armed, fk_save_ending, fk_drop_ending};
	f->fh.ops = (struct host_ops){
	    .ctx = &f->fh,
	    .batch_begin = fh_batch_begin,
	    .batch_end = fh_batch_end,
	    .resolve = fh_resolve,
	    .warn = fh_warn,
	    .open_tty = fh_open_tty,
	    .hangup = fh_hangup,
	    .close_tty = fh_close_tty,
	    .signal_session = fh_signal_session,
	    .session_gone = fh_session_gone,
	    .survivors = fh_survivors,
	};
	if (engine_init(&f->e, &f->k, &f->fh.ops, &f->pol))
		return -1;
	f->key = (struct tty_key){.dev = (136u << 20) | 3, .devpts = 0x1d};
	f->fk.have_rec = true;
	f->fk.rec.kind = TTY_KIND_PTY;
	f->fk.rec.first_ns = T0 - 1000 * S;
	f->fk.rec.in_ns = T0;
	f->fk.rec.sid = SID;
	f->fk.rec.index = 3;
	snprintf(f->fk.rec.name, sizeof(f->fk.rec.name), "pts3");
	add_member(&f->fh, SID, "bash", 0);
	/* audit records go to stderr (not the journal): read them back from a file */
	unsetenv("JOURNAL_STREAM");
	fflush(stderr);
	f->saved_stderr = dup(2);
	f->audit = tmpfile();
	if (f->saved_stderr < 0 || !f->audit || dup2(fileno(f->audit), 2) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fflush(stderr);
	dup2(f->saved_stderr, 2);
	close(f->saved_stderr);
	fclose(f->audit);
	/* whatever the test did: every handle closed, every signal inside a batch */
	assert_int_equal(f->fh.open_handles, 0);
	assert_int_equal(f->fh.outside_batch, 0);
	assert_false(f->fh.in_batch);
	engine_free(&f->e);
	policy_free(&f->pol);
	if (f->have_pol2)
		policy_free(&f->pol2);
	free(f);
	return 0;
}

/* Everything audited so far. */
static const char *audit_text(struct fixture *f)
{
	static char buf[16384];
	size_t n;

	fflush(stderr);
	rewind(f->audit);
	n = fread(buf, 1, sizeof(buf) - 1, f->audit);
	buf[n] = 0;
	return buf;
}

static void assert_audited(struct fixture *f, const char *what)
{
	const char *t = audit_text(f);

	if (!strstr(t, what))
		fail_msg("no \"%s\" in the audit records:\n%s", what, t);
}

static void warn_at_60(struct fixture *f)
{
	assert_int_equal(engine_add(&f->e, &f->key, T0), 0);
	assert_int_equal(engine_next(&f->e), T0 + 60 * S - LOOK);
	engine_run_due(&f->e, T0 + 60 * S - LOOK);
	assert_int_equal(engine_next(&f->e), T0 + 60 * S);
	engine_run_due(&f->e, T0 + 60 * S);
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_WARNED);
}

/* ---- tests --------------------------------------------------------------- */

/*
 * Nothing is looked up before the warning is nearly due; a first look shortly
 * before it (names cached for the warning); at idle - warn, one warning.
 */
static void test_warn_at_idle_warn(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(engine_add(&f->e, &f->key, T0), 0);
	engine_run_due(&f->e, T0 + 60 * S - LOOK - 1);
	assert_int_equal(f->fh.resolves, 0);
	engine_run_due(&f->e, T0 + 60 * S - LOOK);
	assert_int_equal(f->fh.resolves, 1);
	assert_int_equal(f->fh.warnings, 0);
	assert_int_equal(engine_next(&f->e), T0 + 60 * S);
	engine_run_due(&f->e, T0 + 60 * S);
	assert_int_equal(f->fh.warnings, 1);
	/* and the check before acting, a fresh resolution */
	assert_int_equal(f->fh.resolves, 2);
	assert_string_equal(f->fh.warning, "idle alice on pts/3");
	assert_true(f->fk.armed);
	assert_int_equal(f->fk.mask, IN);
	assert_int_equal(f->fk.warned_ms, 60 * 1000);
	assert_int_equal(f->fk.own_bytes, strlen("idle alice on pts/3"));
	assert_int_equal(f->e.stats.warnings, 1);
	assert_int_equal(f->e.nwarned, 1);
	assert_int_equal(engine_next(&f->e), T0 + 100 * S);
	assert_audited(f, "EVENT=warn USER=alice");
	/* nothing signalled, and each run was one batch */
	assert_int_equal(f->fh.sent[SIGHUP] + f->fh.hangups, 0);
	assert_int_equal(f->fh.batches, 3);
}

/*
 * Between the warning and the deadline another session took the terminal
 * (the kernel's record names it): the deadline resolves again, and the
 * resolution decides what is ended, not the warning's.
 */
static void test_deadline_resolves_new_session(void **state)
{
	struct fixture *f = *state;

	warn_at_60(f);
	assert_int_equal(f->fh.resolves, 2);
	f->fk.rec.sid = SID + 1;
	engine_run_due(&f->e, T0 + 100 * S);
	/* asked at the look and again before acting: the fake host still answers
	 * with the warned session, which is not the one the record names */
	assert_int_equal(f->fh.resolves, 4);
	assert_int_equal(f->fh.hangups, 1);
}

/* A reload between the warning and the deadline drops the warning's look. */
static void test_deadline_after_reload_resolves(void **state)
{
	struct fixture *f = *state;

	warn_at_60(f);
	engine_set_policy(&f->e, &f->pol, T0 + 70 * S);
	engine_run_due(&f->e, T0 + 70 * S);
	assert_int_equal(f->fh.resolves, 3);
	engine_run_due(&f->e, T0 + 100 * S);
	assert_int_equal(f->fh.resolves, 3);
	assert_int_equal(f->fh.hangups, 1);
}

/* Activity on the armed terminal cancels the warning; the countdown starts over. */
static void test_cancel_by_activity(void **state)
{
	struct fixture *f = *state;

	warn_at_60(f);
	f->fk.armed = false; /* the BPF side fired and disarmed */
	f->fk.rec.in_ns = T0 + 70 * S;
	engine_activity(&f->e, &f->key, TTY_CLK_IN, 999, "bash", T0 + 70 * S);
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_WATCH);
	assert_int_equal(f->e.stats.cancels, 1);
	assert_int_equal(f->e.nwarned, 0);
	assert_int_equal(engine_next(&f->e), T0 + 130 * S);
	assert_audited(f, "EVENT=cancel");
	assert_audited(f, "from pid 999");
	engine_run_due(&f->e, T0 + 100 * S);
	assert_int_equal(f->fh.hangups, 0);
	assert_true(f->fh.m[0].alive);
}

/* At the deadline: the terminal is hung up, the session gets SIGHUP and SIGCONT, and its
 * end is recorded at the next look. */
static void test_hangup_at_deadline(void **state)
{
	struct fixture *f = *state;
	struct member *vim = add_member(&f->fh, 4250, "vim", 0);

	warn_at_60(f);
	engine_run_due(&f->e, T0 + 99 * S);
	assert_int_equal(f->fh.hangups, 0);
	engine_run_due(&f->e, T0 + 100 * S);
	assert_int_equal(f->fh.hangups, 1);
	assert_int_equal(f->fh.opens, 1);
	/* the look made for the warning stands for the deadline: no third one */
	assert_int_equal(f->fh.resolves, 2);
	assert_int_equal(f->fh.m[0].got, SIGBIT(SIGHUP) | SIGBIT(SIGCONT));
	assert_int_equal(vim->got, SIGBIT(SIGHUP) | SIGBIT(SIGCONT));
	assert_int_equal(f->e.stats.terminations, 1);
	assert_audited(f, "OUTCOME=\"terminal hung up; SIGHUP sent to 2 processes\"");
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_ENDING);
	engine_run_due(&f->e, engine_next(&f->e));
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_FINISHED);
	assert_audited(f, "OUTCOME=\"ended 0.1s after the deadline\"");
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
	assert_int_equal(f->fh.sent[SIGTERM] + f->fh.sent[SIGKILL], 0);
}

/* Members that ignore SIGHUP get SIGTERM after the first delay, those that ignore that too
 * SIGKILL after the second; each step in a batch of its own. */
static void test_escalation(void **state)
{
	struct fixture *f = *state;
	struct member *a = add_member(&f->fh, 4251, "nohup", SIGBIT(SIGHUP));
	struct member *b = add_member(&f->fh, 4252, "stubborn", SIGBIT(SIGHUP) | SIGBIT(SIGTERM));
	uint64_t t;
	unsigned batches;

	warn_at_60(f);
	engine_run_due(&f->e, T0 + 100 * S);
	assert_false(f->fh.m[0].alive);
	assert_true(a->alive && b->alive);
	/* looks in between find them alive; nothing is sent before the delay */
	for (t = engine_next(&f->e); t < T0 + 105 * S; t = engine_next(&f->e))
		engine_run_due(&f->e, t);
	assert_int_equal(f->fh.sent[SIGTERM], 0);
	batches = f->fh.batches;
	engine_run_due(&f->e, T0 + 105 * S);
	assert_int_equal(f->fh.batches, batches + 1);
	assert_int_equal(f->fh.sent[SIGTERM], 2);
	assert_false(a->alive);
	assert_true(b->alive);
	assert_true(b->got & SIGBIT(SIGCONT));
	assert_audited(f, "OUTCOME=\"SIGTERM sent to 2 processes\"");
	for (t = engine_next(&f->e); t < T0 + 110 * S; t = engine_next(&f->e))
		engine_run_due(&f->e, t);
	assert_int_equal(f->fh.sent[SIGKILL], 0);
	engine_run_due(&f->e, T0 + 110 * S);
	assert_int_equal(f->fh.sent[SIGKILL], 1);
	assert_false(b->alive);
	assert_audited(f, "OUTCOME=\"SIGKILL sent to 1 processes\"");
	engine_run_due(&f->e, engine_next(&f->e));
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_FINISHED);
	assert_audited(f, "OUTCOME=\"ended 10.1s after the deadline\"");
}

/* A process SIGKILL cannot end is reported, once, at the report step. */
static void test_survivor_reported(void **state)
{
	struct fixture *f = *state;
	struct member *d = add_member(&f->fh, 4253, "nfs-stuck", 0);
	uint64_t t;

	d->unkillable = true;
	warn_at_60(f);
	for (t = T0 + 100 * S; t != UINT64_MAX; t = engine_next(&f->e))
		engine_run_due(&f->e, t);
	assert_int_equal(f->fh.sent[SIGKILL], 1);
	assert_int_equal(f->e.stats.survivors, 1);
	assert_audited(f, "EVENT=survivor");
	assert_audited(f, "PID=4253");
	assert_audited(f, "OUTCOME=\"survived SIGKILL (nfs-stuck, state D)\"");
	assert_null(strstr(audit_text(f), "ended"));
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_FINISHED);
}

/* Released during the ending is not ended: the session is followed until no member is left,
 * by signals alone (the key may name a new terminal by now). */
static void test_ended_only_when_no_member(void **state)
{
	struct fixture *f = *state;
	struct member *a = add_member(&f->fh, 4251, "nohup", SIGBIT(SIGHUP));
	uint64_t t;

	warn_at_60(f);
	engine_run_due(&f->e, T0 + 100 * S);
	assert_true(a->alive);
	f->fk.have_rec = false;
	engine_gone(&f->e, &f->key, T0 + 101 * S);
	assert_null(engine_find(&f->e, &f->key));
	assert_int_equal(f->e.nreleased, 1);
	for (t = engine_next(&f->e); t < T0 + 105 * S; t = engine_next(&f->e))
		engine_run_due(&f->e, t);
	assert_null(strstr(audit_text(f), "EVENT=ended"));
	engine_run_due(&f->e, T0 + 105 * S);
	assert_false(a->alive);
	assert_int_equal(f->fh.hangups, 1); /* the first one only */
	engine_run_due(&f->e, engine_next(&f->e));
	assert_audited(f, "EVENT=ended");
	assert_int_equal(f->e.nreleased, 0);
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
}

/* A session that ends by itself while warned is recorded ended at the deadline; nothing is
 * sent to it. */
static void test_session_vanishes_by_itself(void **state)
{
	struct fixture *f = *state;

	warn_at_60(f);
	f->fh.m[0].alive = false;
	f->fh.resolve_rc = -ESRCH; /* its leader is gone */
	engine_run_due(&f->e, T0 + 100 * S);
	assert_int_equal(f->fh.sent[SIGHUP] + f->fh.hangups, 0);
	assert_audited(f, "OUTCOME=\"ended 0.0s after the deadline\"");
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
}

/* A daemon restarted during a warning takes it over: no second warning, the old deadline. */
static void test_restart_takeover(void **state)
{
	struct fixture *f = *state;

	f->fk.rec.in_ns = T0 - 90 * S; /* warned 30 s ago, due in 10 s */
	assert_int_equal(engine_add_warned(&f->e, &f->key, IN, 60 * 1000, T0), 0);
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_WARNED);
	assert_int_equal(f->fh.warnings, 0);
	assert_int_equal(f->fk.warned_ms, 60 * 1000);
	assert_int_equal(engine_next(&f->e), T0 + 10 * S);
	engine_run_due(&f->e, T0 + 10 * S);
	assert_int_equal(f->fh.hangups, 1);
	assert_int_equal(f->fh.warnings, 0);
	assert_int_equal(f->e.stats.warnings, 0);
}

/* The daemon stops and another starts: the engine starts afresh over the same maps. */
static void restart_engine(struct fixture *f)
{
	engine_free(&f->e);
	assert_int_equal(engine_init(&f->e, &f->k, &f->fh.ops, &f->pol), 0);
}

/* Each step of an ending is kept in the `ending` map, and the entry goes when it is over. */
static void test_ending_saved_and_dropped(void **state)
{
	struct fixture *f = *state;
	uint64_t t;

	add_member(&f->fh, 4251, "nohup", SIGBIT(SIGHUP));
	warn_at_60(f);
	assert_false(f->fk.have_ending); /* a warning is kept in `armed`, not here */
	engine_run_due(&f->e, T0 + 100 * S);
	assert_true(f->fk.have_ending);
	assert_int_equal(f->fk.ek.sid, SID);
	assert_int_equal(f->fk.ek.leader_start, LSTART);
	assert_int_equal(f->fk.er.acted_ns, T0 + 100 * S);
	assert_int_equal(f->fk.er.next_step, TERM_ACT_TERM);
	assert_int_equal(f->fk.er.next_due_ns, T0 + 105 * S);
	assert_int_equal(f->fk.er.first_ns, f->fk.rec.first_ns);
	assert_string_equal(f->fk.er.user, "alice");
	assert_string_equal(f->fk.er.tty, "pts/3");
	for (t = engine_next(&f->e); t != UINT64_MAX; t = engine_next(&f->e))
		engine_run_due(&f->e, t);
	assert_audited(f, "EVENT=ended");
	assert_false(f->fk.have_ending);
	assert_int_equal(f->fk.drops, 1);
}

/*
 * Restarted after the hangup, the terminal still held by members that
 * ignore SIGHUP and SIGTERM: the new daemon neither warns nor hangs up
 * again; SIGTERM and SIGKILL come at the times the first one had set, and
 * the record says how long after the first deadline the session ended.
 */
static void test_restart_during_ending_held(void **state)
{
	struct fixture *f = *state;
	struct member *b = add_member(&f->fh, 4252, "stubborn", SIGBIT(SIGHUP) | SIGBIT(SIGTERM));
	struct term *t;
	uint64_t at;

	warn_at_60(f);
	engine_run_due(&f->e, T0 + 100 * S);
	assert_true(b->alive && f->fk.have_ending);
	restart_engine(f);
	assert_int_equal(engine_resume_ending(&f->e, &f->fk.ek, &f->fk.er, T0 + 102 * S), 0);
	t = engine_find(&f->e, &f->key);
	assert_non_null(t); /* held: back in the table, so adoption leaves it alone */
	assert_int_equal(t->phase, PH_ENDING);
	for (at = engine_next(&f->e); at < T0 + 105 * S; at = engine_next(&f->e))
		engine_run_due(&f->e, at);
	assert_int_equal(f->fh.sent[SIGTERM], 0);
	engine_run_due(&f->e, T0 + 105 * S);
	assert_int_equal(f->fh.sent[SIGTERM], 1);
	for (at = engine_next(&f->e); at < T0 + 110 * S; at = engine_next(&f->e))
		engine_run_due(&f->e, at);
	assert_int_equal(f->fh.sent[SIGKILL], 0);
	engine_run_due(&f->e, T0 + 110 * S);
	assert_false(b->alive);
	engine_run_due(&f->e, engine_next(&f->e));
	assert_int_equal(f->fh.warnings, 1);
	assert_int_equal(f->fh.hangups, 1);
	assert_audited(f, "OUTCOME=\"ended 10.1s after the deadline\"");
	assert_false(f->fk.have_ending);
}

/* Restarted after the terminal was released with a survivor of SIGHUP: it is still ended. */
static void test_restart_during_ending_released(void **state)
{
	struct fixture *f = *state;
	struct member *a = add_member(&f->fh, 4251, "nohup", SIGBIT(SIGHUP));
	uint64_t at;

	warn_at_60(f);
	engine_run_due(&f->e, T0 + 100 * S);
	f->fk.have_rec = false;
	engine_gone(&f->e, &f->key, T0 + 101 * S);
	restart_engine(f);
	assert_int_equal(engine_resume_ending(&f->e, &f->fk.ek, &f->fk.er, T0 + 103 * S), 0);
	assert_null(engine_find(&f->e, &f->key));
	assert_int_equal(f->e.nreleased, 1);
	for (at = engine_next(&f->e); at < T0 + 105 * S; at = engine_next(&f->e))
		engine_run_due(&f->e, at);
	assert_true(a->alive);
	engine_run_due(&f->e, T0 + 105 * S);
	assert_false(a->alive);
	engine_run_due(&f->e, engine_next(&f->e));
	assert_audited(f, "OUTCOME=\"ended 5.1s after the deadline\"");
	assert_int_equal(f->e.nreleased, 0);
	assert_false(f->fk.have_ending);
}

/* Gone while no daemon looked: the record does not pretend to know when. */
static void test_restart_ending_gone_meanwhile(void **state)
{
	struct fixture *f = *state;
	struct member *a = add_member(&f->fh, 4251, "nohup", SIGBIT(SIGHUP));

	warn_at_60(f);
	engine_run_due(&f->e, T0 + 100 * S);
	a->alive = false;
	restart_engine(f);
	assert_int_equal(engine_resume_ending(&f->e, &f->fk.ek, &f->fk.er, T0 + 200 * S), 0);
	engine_run_due(&f->e, T0 + 200 * S);
	assert_audited(f, "ended while the daemon was down; seen 100.0s after the deadline");
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
	assert_int_equal(f->fh.sent[SIGTERM], 0);
}

/* An entry that names no session or no step is refused, not carried out. */
static void test_resume_refuses_nonsense(void **state)
{
	struct fixture *f = *state;
	struct ending_key k = {.sid = 1, .leader_start = 5};
	struct ending_rec r = {.key = f->key, .next_step = TERM_ACT_TERM};

	assert_int_equal(engine_resume_ending(&f->e, &k, &r, T0), -EINVAL); /* pid 1 */
	k.sid = SID;
	r.next_step = 99;
	assert_int_equal(engine_resume_ending(&f->e, &k, &r, T0), -EINVAL);
	r.next_step = TERM_ACT_TERM;
	r.action = ACTION_WARN; /* audit mode ends nothing */
	assert_int_equal(engine_resume_ending(&f->e, &k, &r, T0), -EINVAL);
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
}

/* Warned, and the terminal is released while members live on: they are ended at the
 * deadline the warning announced, by signals alone, not before. */
static void test_released_warned_ended_at_deadline(void **state)
{
	struct fixture *f = *state;
	struct member *bg = add_member(&f->fh, 4260, "daemonized", 0);
	uint64_t t;

	warn_at_60(f);
	f->fh.m[0].alive = false; /* the leader died, sshd closed the PTY */
	f->fk.have_rec = false;
	engine_gone(&f->e, &f->key, T0 + 70 * S);
	assert_int_equal(f->e.nreleased, 1);
	assert_null(strstr(audit_text(f), "EVENT=cancel"));
	for (t = engine_next(&f->e); t < T0 + 100 * S; t = engine_next(&f->e))
		engine_run_due(&f->e, t);
	assert_true(bg->alive);
	assert_int_equal(f->fh.sent[SIGHUP], 0);
	engine_run_due(&f->e, T0 + 100 * S);
	assert_false(bg->alive);
	assert_int_equal(f->fh.hangups, 0);
	assert_audited(f, "terminal already released; SIGHUP sent to 1 processes");
	engine_run_due(&f->e, engine_next(&f->e));
	assert_audited(f, "OUTCOME=\"ended 0.1s after the deadline\"");
	assert_int_equal(f->e.nreleased, 0);
}

/* Warned, and released when nothing of the session is left: cancelled, not ended. */
static void test_released_warned_nothing_left(void **state)
{
	struct fixture *f = *state;

	warn_at_60(f);
	f->fh.m[0].alive = false;
	f->fk.have_rec = false;
	engine_gone(&f->e, &f->key, T0 + 70 * S);
	assert_int_equal(f->e.nreleased, 0);
	assert_int_equal(f->e.nterms, 0);
	assert_audited(f, "the session ended before its deadline");
	assert_int_equal(engine_next(&f->e), UINT64_MAX);
}

/* A reload that gives more time withdraws the warning, and says why. */
static void test_reload(void **state)
{
	static const char longer[] = "[global]\n"
				     "scope = all\n"
				     "idle-timeout = 1000s\n"
				     "warn-before = 40s\n"
				     "activity = input\n"
				     "action = hangup\n";
	struct fixture *f = *state;
	char err[256];

	warn_at_60(f);
	assert_int_equal(
	    policy_load_buffer(&f->pol2, "t2.conf", longer, sizeof(longer) - 1, err, sizeof(err)),
	    0);
	f->have_pol2 = true;
	engine_set_policy(&f->e, &f->pol2, T0 + 70 * S);
	engine_run_due(&f->e, T0 + 70 * S);
	assert_int_equal(engine_find(&f->e, &f->key)->phase, PH_WATCH);
	assert_int_equal(f->e.stats.cancels, 1);
	assert_audited(f, "configuration reloaded: not idle under the new rule");
	assert_int_equal(engine_next(&f->e), T0 + 960 * S);
	engine_run_due(&f->e, T0 + 100 * S);
	assert_int_equal(f->fh.hangups, 0);
}

/* Not resolvable yet (-EAGAIN: nobody served the PTY; -ESRCH: nothing to enforce): armed for
 * any use and left alone, no timer; the next use brings what was missing. */
static void test_unresolved_waits_for_use(void **state)
{
	static const int rcs[] = {-EAGAIN, -ESRCH};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < 2; i++) {
		f->fh.resolve_rc = rcs[i];
		f->fk.rec.in_ns = T0 - 200 * S;
		assert_int_equal(engine_add(&f->e, &f->key, T0), 0);
		assert_true(f->fk.armed);
		assert_int_equal(f->fk.mask, TTY_CLK_ALL);
		assert_int_equal(f->e.nunresolved, 1);
		assert_int_equal(engine_next(&f->e), UINT64_MAX);
		assert_int_equal(f->fh.warnings, i);
		/* a use, and the owner is known now */
		f->fh.resolve_rc = 0;
		f->fk.armed = false;
		f->fk.rec.in_ns = T0 + 10 * S;
		engine_activity(&f->e, &f->key, TTY_CLK_IN, 1, "bash", T0 + 10 * S);
		assert_int_equal(engine_next(&f->e), T0 + 70 * S - LOOK);
		engine_run_due(&f->e, T0 + 70 * S - LOOK);
		assert_int_equal(engine_next(&f->e), T0 + 70 * S);
		engine_run_due(&f->e, T0 + 70 * S);
		assert_int_equal(f->e.nunresolved, 0);
		assert_int_equal(f->fh.warnings, i + 1);
		/* the user logs out: nothing is left to follow */
		f->fh.m[0].alive = false;
		engine_gone(&f->e, &f->key, T0 + 71 * S);
		f->fh.m[0].alive = true;
	}
}

/*
 * A name lookup under way (-EINPROGRESS: a slow directory) holds up this
 * terminal alone: it is not armed for a use that may never come, it is
 * looked at again when the names land (engine_names_ready), and then
 * warned as if nothing had happened; a retry comes anyway if they never do.
 */
static void test_names_pending(void **state)
{
	struct fixture *f = *state;

	f->fh.resolve_rc = -EINPROGRESS;
	f->fk.rec.in_ns = T0 - 200 * S;
	assert_int_equal(engine_add(&f->e, &f->key, T0), 0);
	assert_false(f->fk.armed);
	assert_int_equal(f->e.nnames_wait, 1);
	assert_int_equal(f->e.nunresolved, 0);
	assert_int_equal(engine_next(&f->e), T0 + 5 * S);
	assert_int_equal(f->fh.warnings, 0);
	/* nothing else is waiting: a wake-up for names elsewhere costs nothing */
	f->fh.resolve_rc = 0;
	assert_int_equal(engine_names_ready(&f->e, T0 + S), 1);
	assert_int_equal(f->e.nnames_wait, 0);
	assert_int_equal(engine_next(&f->e), T0 + S);
	engine_run_due(&f->e, T0 + S);
	assert_int_equal(f->fh.warnings, 1);
	assert_int_equal(engine_names_ready(&f->e, T0 + 2 * S), 0);
}

/*
 * The names a warning needs are asked for at the first look, ahead of the
 * warning: a lookup that takes nearly all of that time (a slow directory)
 * still lets the warning, and so the deadline, go out on time.
 */
static void test_names_asked_ahead(void **state)
{
	struct fixture *f = *state;

	f->fh.resolve_rc = -EINPROGRESS;
	assert_int_equal(engine_add(&f->e, &f->key, T0), 0);
	assert_int_equal(engine_next(&f->e), T0 + 60 * S - LOOK);
	engine_run_due(&f->e, T0 + 60 * S - LOOK);
	assert_int_equal(f->e.nnames_wait, 1);
	assert_int_equal(f->fh.warnings, 0);
	/* the names land a moment before the warning is due */
	f->fh.resolve_rc = 0;
	assert_int_equal(engine_names_ready(&f->e, T0 + 60 * S - 1), 1);
	engine_run_due(&f->e, T0 + 60 * S - 1);
	assert_int_equal(f->fh.warnings, 0);
	assert_int_equal(engine_next(&f->e), T0 + 60 * S);
	engine_run_due(&f->e, T0 + 60 * S);
	assert_int_equal(f->fh.warnings, 1);
	assert_int_equal(engine_next(&f->e), T0 + 100 * S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_warn_at_idle_warn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names_asked_ahead, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_by_activity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hangup_at_deadline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escalation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_survivor_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ended_only_when_no_member, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_vanishes_by_itself, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_takeover, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ending_saved_and_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_during_ending_held, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_during_ending_released, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_ending_gone_meanwhile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resume_refuses_nonsense, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_released_warned_ended_at_deadline, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_released_warned_nothing_left, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names_pending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unresolved_waits_for_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deadline_resolves_new_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deadline_after_reload_resolves, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
