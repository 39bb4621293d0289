// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's watching and warning; see engine.h. The ending of an expired
 * session is in ending.c. Over 600 lines because decide() and the arming
 * around it (arm first, then read the record again) are one sequence whose
 * order is the correctness argument: split further, a reader would have to
 * follow it across files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/audit.h"
#include "policy/deadline.h"
#include "policy/duration.h"
#include "daemon/engine.h"
#include "daemon/engine_int.h"
#include "lib/log.h"
#include "host/procfs.h"
#include "policy/rules.h"
#include "host/session.h"
#include "daemon/subject.h"
#include "lib/termview.h"
#include "policy/warntext.h"
#include "host/warnwrite.h"

#define NEVER UINT64_MAX
#define NSEC  1000000000ULL
/* A session that could not be resolved is looked at again this much later. */
#define RETRY_NS (5 * NSEC)

#define container_of(p, T, m) ((T *)((char *)(p)-offsetof(T, m)))

/* Shortest idle - warn among the enforcing rules counting exactly these clocks. */
static void leads_by_mask(const struct policy *p, uint64_t *lead)
{
	size_t i;

	for (i = 0; i <= TTY_CLK_ALL; i++)
		lead[i] = NEVER;
	for (i = 0; i <= p->nrules; i++) {
		const struct rule *r = i < p->nrules ? &p->rules[i] : &p->global;
		uint64_t l;

		if (r->s.action == ACTION_EXEMPT)
			continue;
		l = r->s.idle_ns > r->s.warn_ns ? r->s.idle_ns - r->s.warn_ns : 0;
		if (l < lead[r->s.clocks & TTY_CLK_ALL])
			lead[r->s.clocks & TTY_CLK_ALL] = l;
	}
}

/*
 * How long before its warning could be due a terminal is first looked at.
 * The warning needs the user's names, and an NSS lookup (a directory service
 * can take seconds) is made off the loop: a look this early has them cached
 * by then, so the warning, and the deadline counted from it, go out on time.
 * At most half the lead, so that a terminal used once and soon closed (a
 * flood of them) is still never looked at.
 */
#define LOOK_AHEAD_NS (2 * NSEC)

/* Per set of clocks, how long after the last activity a terminal is first looked at. */
static void looks_by_mask(const struct policy *p, uint64_t *look)
{
	size_t i;

	leads_by_mask(p, look);
	for (i = 0; i <= TTY_CLK_ALL; i++)
		if (look[i] != NEVER)
			look[i] -= look[i] / 2 < LOOK_AHEAD_NS ? look[i] / 2 : LOOK_AHEAD_NS;
}

/*
 * When to first look at this terminal: until shortly before any rule could
 * want its warning, who owns it does not matter, so it is not looked up.
 * Exact per set of clocks: a rule counting input alone may be due while
 * output goes on.
 */
static uint64_t first_look(const struct engine *e, const struct tty_rec *rec)
{
	uint64_t best = NEVER, last, at;
	uint32_t m;
	int clock;

	for (m = 1; m <= TTY_CLK_ALL; m++) {
		if (e->look_by_mask[m] == NEVER)
			continue;
		last = deadline_last_activity(rec, m, &clock);
		at = last > NEVER - e->look_by_mask[m] ? NEVER : last + e->look_by_mask[m];
		if (at < best)
			best = at;
	}
	return best;
}

uint64_t policy_min_lead(const struct policy *p)
{
	uint64_t lead[TTY_CLK_ALL + 1], best = NEVER;
	size_t i;

	leads_by_mask(p, lead);
	for (i = 0; i <= TTY_CLK_ALL; i++)
		if (lead[i] < best)
			best = lead[i];
	return best;
}

static size_t key_hash(const struct tty_key *k, size_t nb)
{
	uint64_t x = ((uint64_t)k->devpts << 32) | k->dev;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x & (nb - 1);
}

static bool key_eq(const struct tty_key *a, const struct tty_key *b)
{
	return a->dev == b->dev && a->devpts == b->devpts;
}

int engine_init(struct engine *e, const struct engine_kernel *k, const struct host_ops *h,
		const struct policy *p)
{
	memset(e, 0, sizeof(*e));
	e->k = k;
	e->policy = p;
	e->h = h;
	e->min_lead_ns = policy_min_lead(p);
	looks_by_mask(p, e->look_by_mask);
	deadheap_init(&e->heap);
	e->nbuckets = 1024;
	e->buckets = calloc(e->nbuckets, sizeof(*e->buckets));
	return e->buckets ? 0 : -ENOMEM;
}

void engine_free(struct engine *e)
{
	struct term *r, *rn;
	size_t i;

	/* the heap points into the terms: let go of it first */
	deadheap_free(&e->heap);
	free(e->starting);
	e->starting = NULL;
	e->nstarting = e->capstarting = 0;
	for (r = e->released; r; r = rn) {
		rn = r->next;
		free(r);
	}
	for (i = 0; i < e->nbuckets; i++) {
		struct term *t = e->buckets[i], *n;

		for (; t; t = n) {
			n = t->next;
			free(t);
		}
	}
	free(e->buckets);
	memset(e, 0, sizeof(*e));
}

struct term *engine_find(const struct engine *e, const struct tty_key *k)
{
	struct term *t = e->buckets[key_hash(k, e->nbuckets)];

	while (t && !key_eq(&t->key, k))
		t = t->next;
	return t;
}

static void table_insert(struct engine *e, struct term *t)
{
	size_t h = key_hash(&t->key, e->nbuckets);

	t->next = e->buckets[h];
	e->buckets[h] = t;
	e->nterms++;
}

static int grow(struct engine *e)
{
	size_t nb = e->nbuckets * 2, i;
	struct term **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (i = 0; i < e->nbuckets; i++) {
		struct term *t = e->buckets[i], *n;

		for (; t; t = n) {
			size_t h = key_hash(&t->key, nb);

			n = t->next;
			t->next = b[h];
			b[h] = t;
		}
	}
	free(e->buckets);
	e->buckets = b;
	e->nbuckets = nb;
	return 0;
}

void engine_schedule(struct engine *e, struct term *t, uint64_t at)
{
	if (at == NEVER)
		deadheap_remove(&e->heap, &t->hn);
	else if (deadheap_set(&e->heap, &t->hn, at))
		log_err("out of memory scheduling terminal %s", t->who.tty);
}

/* The BPF side deleted the terminal's `armed` entry itself (it fired, or the
 * terminal was released): forget the arm without touching the map. */
static void arm_gone(struct engine *e, struct term *t)
{
	if (!t->armed)
		return;
	t->armed = 0;
	e->narmed--;
	e->k->set_narmed(e->k->ctx, e->narmed);
}

/* mask 0 disarms. Arming again with other clocks replaces the mask: a
 * terminal armed for any use while it had no session must not keep
 * cancelling on output once it is warned under an input-only rule.
 * warned_ms: see struct armed; 0 for arms that are not a warning. */
static void set_armed_own(struct engine *e, struct term *t, uint32_t mask, uint32_t warned_ms,
			  uint32_t own_bytes)
{
	if (mask == t->armed && !warned_ms && !own_bytes)
		return;
	if (!mask) {
		/* -ENOENT is fine: the entry may have fired meanwhile */
		e->k->disarm(e->k->ctx, &t->key);
		arm_gone(e, t);
		return;
	}
	if (e->k->arm(e->k->ctx, &t->key, mask, warned_ms, own_bytes)) {
		log_warn("cannot arm terminal %s: activity will be noticed at the deadline",
			 t->who.tty);
		return;
	}
	if (!t->armed) {
		e->narmed++;
		e->k->set_narmed(e->k->ctx, e->narmed);
	}
	t->armed = mask;
}

static void set_armed(struct engine *e, struct term *t, uint32_t mask, uint32_t warned_ms)
{
	set_armed_own(e, t, mask, warned_ms, 0);
}

void engine_count(struct engine *e, const struct term *t, enum metrics_family f, const char *label)
{
	if (e->metrics)
		metrics_count(e->metrics, f, t->rule_name[0] ? t->rule_name : "global", label);
}

/* warned_ns means "warned in this idle spell": it goes with the phases that follow a warning. */
void engine_set_phase(struct engine *e, struct term *t, enum term_phase ph)
{
	e->nwarned += (ph == PH_WARNED) - (t->phase == PH_WARNED);
	if (ph != PH_WARNED && ph != PH_LOGGED)
		t->warned_ns = 0;
	t->phase = ph;
}

static void set_unresolved(struct engine *e, struct term *t, bool u)
{
	e->nunresolved += (int)u - (int)t->unresolved;
	t->unresolved = u;
}

static void set_names_wait(struct engine *e, struct term *t, bool w)
{
	e->nnames_wait += (int)w - (int)t->names_wait;
	t->names_wait = w;
}

void engine_audit(const struct term *t, const char *event, long long idle_sec, int clock,
		  const char *action, const char *outcome, long long pid)
{
	struct audit_rec r;

	audit_rec_init(&r);
	r.event = event;
	r.user = t->who.user;
	r.uid = t->who.uid;
	r.tty = t->who.tty;
	r.session = t->who.sid;
	r.pid = pid;
	r.leader = t->who.leader;
	r.service = t->who.service;
	r.remote = t->who.remote;
	r.remote_src = t->who.remote_src;
	r.container = t->who.container;
	r.logind_session = t->who.logind_session;
	r.audit_session = t->who.audit_session;
	r.loginuid = t->who.loginuid;
	r.idle_sec = idle_sec;
	r.clock = clock >= 0 ? clock_name(clock) : "none";
	r.rule = t->rule_name[0] ? t->rule_name : NULL;
	r.action = action;
	r.outcome = outcome;
	audit_emit_rec(&r);
}

static void who_from_session(struct who *w, const struct session_info *si)
{
	memset(w, 0, sizeof(*w));
	w->sid = si->has_session ? si->sid : 0;
	w->leader_start = si->leader_start;
	w->uid = si->uid;
	snprintf(w->user, sizeof(w->user), "%s", si->user);
	snprintf(w->tty, sizeof(w->tty), "%s", si->tty);
	snprintf(w->leader, sizeof(w->leader), "%s", si->has_session ? si->leader_comm : "");
	snprintf(w->service, sizeof(w->service), "%s", session_service_name(si->service));
	snprintf(w->remote, sizeof(w->remote), "%s", si->remote);
	if (si->remote[0])
		snprintf(w->remote_src, sizeof(w->remote_src), "%s",
			 session_remote_source_name(si->remote_src));
	procfs_container_str(&si->container, w->container, sizeof(w->container));
	snprintf(w->logind_session, sizeof(w->logind_session), "%s", si->logind_id);
	w->audit_session = si->audit_session;
	w->loginuid = si->loginuid;
}

/*
 * Who owns this terminal now, and which rule applies; false if nobody (yet),
 * and then t->who and t->rule are left as they were (a warned session whose
 * leader died is still ended as the session that was warned).
 * `fresh` asks the host again even when the session id did not change:
 * done before every action, and it also catches the leader's exec (sshd's
 * child becomes the shell) and a remote host recorded after the first look.
 */
/*
 * fresh: the caller is about to act, so what it acts on must be read now,
 * not taken from an earlier look. Two looks count as now: one made in this
 * same batch (at the same now), and, at the deadline, the one made for the
 * warning of this idle spell, when the session and the terminal instance
 * are still those (a new session on the terminal, a new terminal with its
 * number, or a reload resolves again). What a fresh look could change
 * between the two comes from root (utmp, the master's holder, credentials),
 * never from the user, and the hangup itself checks that the session's
 * leader is the one warned (session_gone). Without these exceptions every
 * terminal was resolved twice at its warning and again at its deadline: a
 * thousand sessions due together went out at half the rate (bench 40-load),
 * and hostcost spent 458 of 803 us per session hung up resolving again.
 */
static bool resolve(struct engine *e, struct term *t, const struct tty_rec *rec, bool fresh,
		    uint64_t now)
{
	struct session_info *si;
	struct subject_buf sb;
	const struct rule *rule;
	unsigned long long prev_start;
	char err[256];
	pid_t prev_sid;
	int r;

	if ((!fresh || t->resolved_ns == now ||
	     (t->phase == PH_WARNED && t->resolved_ns >= t->warned_ns)) &&
	    t->resolved && (uint32_t)t->who.sid == rec->sid && t->first_ns == rec->first_ns)
		return true;
	t->resolved = false;
	if (!t->who.tty[0])
		session_tty_name(rec->name, t->who.tty, sizeof(t->who.tty));
	si = calloc(1, sizeof(*si));
	if (!si)
		return false;
	r = e->h->resolve(e->h->ctx, &t->key, rec, si, err, sizeof(err));
	set_names_wait(e, t, r == -EINPROGRESS);
	if (r == -EINPROGRESS) {
		/* a slow directory holds up this terminal only, never the loop */
		log_debug("terminal %s: %s", t->who.tty, err);
		free(si);
		return false;
	}
	if (r) {
		/* at an action point this is news for the operator; before it, routine */
		if (fresh)
			log_warn("terminal %s: due, but not resolved: %s", t->who.tty, err);
		else
			log_debug("terminal %s: not resolved: %s", t->who.tty, err);
		free(si);
		return false;
	}
	subject_from_session(&sb, si);
	rule = rules_match(e->policy, &sb.s);
	prev_sid = t->first_ns == rec->first_ns ? t->who.sid : 0;
	prev_start = t->who.leader_start;
	who_from_session(&t->who, si);
	if (!si->has_session && prev_sid) {
		/* the session that owned this terminal lost its leader: what is
		 * left of it (same sid, started no earlier) is still its session */
		t->who.sid = prev_sid;
		t->who.leader_start = prev_start;
	}
	t->rule = rule;
	t->resolved = true;
	t->resolved_ns = now;
	set_unresolved(e, t, false);
	t->first_ns = rec->first_ns;
	snprintf(t->rule_name, sizeof(t->rule_name), "%s", rule ? rule->name : "");
	t->action = rule ? rule->s.action : ACTION_EXEMPT;
	log_debug("terminal %s: %s of %s (%s, %s), rule %s", t->who.tty,
		  si->has_session ? "session" : "login terminal without a session", t->who.user,
		  t->who.service, session_login_evidence_name(si->login_src),
		  rule ? rule->name : "(out of scope)");
	free(si);
	return true;
}

/*
 * Is the terminal still the one that was judged? The release hook deletes
 * the record, and a new terminal with the same number starts a new one.
 */
bool engine_same_terminal(struct engine *e, const struct term *t)
{
	struct tty_rec rec;

	return !t->released && e->k->read_rec(e->k->ctx, &t->key, &rec) == 0 &&
	       rec.first_ns == t->first_ns;
}

/* The warning's text; its length, as the terminal will send it on (ONLCR: \n is \r\n). */
static size_t format_warning(const struct term *t, const struct verdict *v, uint64_t now,
			     char *text, size_t len, uint32_t *wire)
{
	struct warn_vars vars = {
	    .user = t->who.user,
	    .tty = t->who.tty,
	    .left_ns = v->deadline_ns > now ? v->deadline_ns - now : 0,
	    .timeout_ns = t->rule->s.idle_ns,
	};
	size_t n, i;
	int r;

	r = warntext_format(t->rule->s.message, &vars, text, len);
	if (r < 0 && r != -ENOSPC)
		text[0] = 0;
	n = strlen(text);
	*wire = (uint32_t)n;
	for (i = 0; i < n; i++)
		*wire += text[i] == '\n';
	return n;
}

static void write_warning(struct engine *e, struct term *t, const struct verdict *v, uint64_t now,
			  const char *text, size_t len)
{
	struct warn_result res;
	char outcome[96];

	if (engine_same_terminal(e, t))
		e->h->warn(e->h->ctx, t->who.sid, &t->key, t->who.tty, text, len, &res);
	else
		res = (struct warn_result){.outcome = WARN_HUNG_UP, .len = len, .err = -EIO};
	warnwrite_describe(&res, outcome, sizeof(outcome));
	engine_audit(t, "warn", (long long)((now - v->last_ns) / NSEC), v->last_clock,
		     action_name(t->rule->s.action), outcome, -1);
	engine_count(e, t, METRICS_WARNINGS, warnwrite_outcome_name(res.outcome));
	e->stats.warnings++;
}

/* struct armed's warned_ms for a warning given now; never 0, which means none */
static uint32_t warned_after_ms(const struct verdict *v, uint64_t now)
{
	uint64_t ms = now > v->last_ns ? (now - v->last_ns) / NSEC_PER_MSEC : 0;

	return ms < 1 ? 1 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* The rule's verdict, with the full warning lead guaranteed (deadline.h). */
static void judge(const struct term *t, const struct tty_rec *rec, uint64_t now, struct verdict *v)
{
	deadline_decide(rec, t->rule, now, v);
	deadline_give_notice(v, t->warned_ns, now);
}

/*
 * Nothing to enforce on this terminal now (no session and not a login
 * terminal, or a PTY nobody has served yet): it is armed for any use and
 * left alone, costing nothing while idle. Its next use wakes us, and brings
 * the facts that were missing (the session, the master's server) with it.
 */
static void wait_for_use(struct engine *e, struct term *t, const struct tty_rec *rec, uint64_t now)
{
	const uint32_t all = TTY_CLK_ALL;
	struct tty_rec again;
	int clock;

	set_unresolved(e, t, true);
	set_armed(e, t, all, 0);
	if (!t->armed) {
		engine_schedule(e, t, now + RETRY_NS);
		return;
	}
	/* armed first, then looked at again: a use in between is seen either way */
	if (e->k->read_rec(e->k->ctx, &t->key, &again) || again.sid != rec->sid ||
	    again.writer_tgid != rec->writer_tgid ||
	    deadline_last_activity(&again, all, &clock) !=
		deadline_last_activity(rec, all, &clock)) {
		set_armed(e, t, 0, 0);
		engine_schedule(e, t, now);
		return;
	}
	engine_schedule(e, t, NEVER);
}

/* In engine_run_due, an ending's first step waits for the batch's hangups (false: not now). */
static bool defer_first_step(struct engine *e, struct term *t)
{
	if (!e->batching)
		return false;
	if (e->nstarting == e->capstarting) {
		size_t cap = e->capstarting ? 2 * e->capstarting : 64;
		struct term **v = reallocarray(e->starting, cap, sizeof(*v));

		if (!v)
			return false; /* taken at once, as outside a batch */
		e->starting = v;
		e->capstarting = cap;
	}
	e->starting[e->nstarting++] = t;
	return true;
}

/* A previous daemon's warning stands: the session is in its warning since then. */
static void take_over_warning(struct engine *e, struct term *t, const struct tty_rec *rec,
			      uint64_t now)
{
	uint64_t last, at;
	int clock;

	last = deadline_last_activity(rec, t->prior_mask, &clock);
	at = last + (uint64_t)t->prior_warned_ms * NSEC_PER_MSEC;
	if (at > now)
		at = now;
	if (t->rule && t->rule->s.action != ACTION_EXEMPT) {
		engine_set_phase(e, t, PH_WARNED);
		t->warned_ns = at;
		set_armed(e, t, t->rule->s.clocks, t->prior_warned_ms);
		log_info("terminal %s: taking over the warning given %.1fs ago", t->who.tty,
			 (double)(now - at) / NSEC);
	}
	t->prior_mask = t->prior_warned_ms = 0;
}

static void decide(struct engine *e, struct term *t, uint64_t now)
{
	struct tty_rec rec;
	struct verdict v;
	char text[2048];
	uint32_t wire;
	bool reloaded;
	uint64_t at;
	size_t len;

	if (t->released) {
		ending_step(e, t, now);
		return;
	}
	if (e->k->read_rec(e->k->ctx, &t->key, &rec)) {
		/* released without our seeing EV_GONE (ring buffer overrun) */
		engine_gone(e, &t->key, now);
		return;
	}
	if (t->phase == PH_ENDING) {
		ending_step(e, t, now);
		return;
	}
	if (t->phase == PH_FINISHED) {
		engine_schedule(e, t, NEVER);
		return;
	}
	/* who owns a terminal matters only once a rule could soon want it:
	 * until then nothing about it is read from /proc, whatever its user does */
	if (t->phase == PH_WATCH && !t->resolved && !t->prior_mask &&
	    (at = first_look(e, &rec)) > now) {
		set_armed(e, t, 0, 0);
		engine_schedule(e, t, at);
		return;
	}
	if (!resolve(e, t, &rec, false, now)) {
		if (t->names_wait) {
			/* engine_names_ready() brings it back sooner */
			engine_schedule(e, t, now + RETRY_NS);
			return;
		}
		t->prior_mask = t->prior_warned_ms = 0;
		wait_for_use(e, t, &rec, now);
		return;
	}
	if (t->prior_mask)
		take_over_warning(e, t, &rec, now);
	judge(t, &rec, now, &v);
	if ((v.state == TTY_WARN_DUE && t->phase != PH_WARNED) ||
	    (v.state == TTY_EXPIRED && t->phase != PH_LOGGED)) {
		/* about to act: verify the session and its rule again */
		if (!resolve(e, t, &rec, true, now)) {
			if (!(t->phase == PH_WARNED && t->rule) && t->names_wait) {
				engine_schedule(e, t, now + RETRY_NS);
				return;
			}
			if (!(t->phase == PH_WARNED && t->rule)) {
				wait_for_use(e, t, &rec, now);
				return;
			}
			/* warned, and its leader is gone: what remains of the
			 * session that was warned is ended all the same */
			log_info("terminal %s: the leader of session %d is gone; ending what "
				 "remains of it",
				 t->who.tty, t->who.sid);
		}
		judge(t, &rec, now, &v);
	}
	reloaded = t->reloaded;
	t->reloaded = false;
	switch (v.state) {
	case TTY_EXEMPT:
		if (t->phase == PH_WARNED || t->phase == PH_LOGGED) {
			/* the warning was given: its withdrawal belongs in the record too */
			engine_audit(t, "cancel", 0, v.last_clock, action_name(t->action),
				     reloaded ? "configuration reloaded: exempt under the new rule"
					      : "no rule applies any more",
				     -1);
			engine_count(e, t, METRICS_CANCELLATIONS, reloaded ? "reload" : "exempt");
			e->stats.cancels++;
		}
		set_armed(e, t, 0, 0);
		engine_set_phase(e, t, PH_WATCH);
		engine_schedule(e, t, NEVER);
		return;
	case TTY_ACTIVE:
		if (t->phase == PH_WARNED || t->phase == PH_LOGGED) {
			/* activity we were not told about (events lost), or a new policy that
			 * gives more time: the record must not blame the user for the latter */
			engine_audit(t, "cancel", 0, v.last_clock, action_name(t->rule->s.action),
				     reloaded
					 ? "configuration reloaded: not idle under the new rule"
					 : "activity seen at the deadline",
				     -1);
			engine_count(e, t, METRICS_CANCELLATIONS, reloaded ? "reload" : "deadline");
			e->stats.cancels++;
		}
		set_armed(e, t, 0, 0);
		engine_set_phase(e, t, PH_WATCH);
		engine_schedule(e, t, v.next_ns);
		return;
	case TTY_WARN_DUE:
		/* what the warning stands for, should the terminal go first */
		t->due_ns = v.deadline_ns;
		t->last_ns = v.last_ns;
		t->last_clock = v.last_clock;
		if (t->phase == PH_WARNED) {
			engine_schedule(e, t, v.next_ns);
			return;
		}
		/* arm first, then look again: activity in between is either in the
		 * record now or will arrive as an event, never lost. The arm
		 * carries the warning's length: its read off the master is ours */
		if (t->rule->s.action == ACTION_WARN)
			len = wire = 0;
		else
			len = format_warning(t, &v, now, text, sizeof(text), &wire);
		set_armed_own(e, t, t->rule->s.clocks, warned_after_ms(&v, now), wire);
		if (!e->k->read_rec(e->k->ctx, &t->key, &rec))
			judge(t, &rec, now, &v);
		if (v.state == TTY_ACTIVE) {
			set_armed(e, t, 0, 0);
			engine_schedule(e, t, v.next_ns);
			return;
		}
		engine_set_phase(e, t, PH_WARNED);
		t->warned_ns = now;
		if (t->rule->s.action == ACTION_WARN) {
			engine_audit(t, "warn", (long long)((now - v.last_ns) / NSEC), v.last_clock,
				     "warn", "not written (audit mode)", -1);
			engine_count(e, t, METRICS_WARNINGS, "audit");
		} else
			write_warning(e, t, &v, now, text, len);
		engine_schedule(e, t, v.next_ns);
		return;
	case TTY_EXPIRED:
		if (t->rule->s.action == ACTION_WARN) {
			if (t->phase != PH_LOGGED) {
				engine_audit(t, "terminate", (long long)((now - v.last_ns) / NSEC),
					     v.last_clock, "warn", "not enforced (audit mode)", -1);
				engine_count(e, t, METRICS_TERMINATIONS, "audit");
				e->stats.logged++;
			}
			engine_set_phase(e, t, PH_LOGGED);
			set_armed(e, t, t->rule->s.clocks, 0);
			engine_schedule(e, t, NEVER);
			return;
		}
		set_armed(e, t, 0, 0);
		ending_start(e, t, &v, now);
		if (!defer_first_step(e, t))
			ending_step(e, t, now);
		return;
	}
}

static int add_term(struct engine *e, const struct tty_key *k, uint32_t prior_mask,
		    uint32_t prior_warned_ms, uint64_t now)
{
	struct term *t = engine_find(e, k);

	if (t) {
		/* the same device number, a new terminal: start over */
		engine_gone(e, k, now);
	}
	if (e->nterms >= e->nbuckets && grow(e))
		return -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	deadheap_node_init(&t->hn);
	t->key = *k;
	t->who.uid = -1;
	t->who.audit_session = t->who.loginuid = -1;
	t->prior_mask = prior_warned_ms ? prior_mask : 0;
	t->prior_warned_ms = t->prior_mask ? prior_warned_ms : 0;
	table_insert(e, t);
	decide(e, t, now);
	return 0;
}

int engine_resume_ending(struct engine *e, const struct ending_key *k, const struct ending_rec *r,
			 uint64_t now)
{
	struct tty_rec rec;
	struct term *t;
	bool held;

	if (k->sid <= 1 || r->next_step < TERM_ACT_HANGUP || r->next_step > TERM_ACT_REPORT ||
	    r->action > ACTION_SIGNAL)
		return -EINVAL;
	/* the same terminal instance, still held: it goes back in the table */
	held = !engine_find(e, &r->key) && e->k->read_rec(e->k->ctx, &r->key, &rec) == 0 &&
	       rec.first_ns == r->first_ns;
	if (held && e->nterms >= e->nbuckets && grow(e))
		return -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	deadheap_node_init(&t->hn);
	t->key = r->key;
	t->first_ns = r->first_ns;
	t->resolved = true;
	t->who.sid = (pid_t)k->sid;
	t->who.leader_start = k->leader_start;
	t->who.uid = r->uid;
	/* not kept in the pinned record (its layout is fixed): read again if the leader lives */
	t->who.audit_session = t->who.loginuid = -1;
	if (e->h->join_ids)
		e->h->join_ids(e->h->ctx, t->who.sid, t->who.leader_start, t->who.logind_session,
			       sizeof(t->who.logind_session), &t->who.audit_session,
			       &t->who.loginuid);
	COPY_TEXT(t->who.user, r->user);
	COPY_TEXT(t->who.tty, r->tty);
	COPY_TEXT(t->who.leader, r->leader);
	COPY_TEXT(t->who.service, r->service);
	COPY_TEXT(t->who.remote, r->remote);
	COPY_TEXT(t->who.remote_src, r->remote_src);
	COPY_TEXT(t->who.container, r->container);
	COPY_TEXT(t->rule_name, r->rule);
	t->action = (enum action)r->action;
	t->acted_ns = r->acted_ns;
	t->due_ns = r->acted_ns;
	t->last_ns = r->last_ns;
	t->last_clock = r->last_clock;
	t->plan = (struct term_plan){
	    .next = (enum term_action)r->next_step,
	    .due_ns = r->next_due_ns,
	    .d_term_ns = r->d_term_ns,
	    .d_kill_ns = r->d_kill_ns,
	    .d_report_ns = r->d_report_ns,
	};
	t->resumed = true;
	engine_set_phase(e, t, PH_ENDING);
	if (held) {
		table_insert(e, t);
	} else {
		t->released = true;
		t->next = e->released;
		e->released = t;
		e->nreleased++;
	}
	log_info("session %u of %s (%s): its ending, begun %.1fs ago, goes on (%s next)", k->sid,
		 t->who.user[0] ? t->who.user : "?", t->who.tty[0] ? t->who.tty : "?",
		 now > r->acted_ns ? (double)(now - r->acted_ns) / NSEC : 0.0,
		 term_action_name(t->plan.next));
	ending_resumed(e, t, now);
	return 0;
}

int engine_add(struct engine *e, const struct tty_key *k, uint64_t now)
{
	return add_term(e, k, 0, 0, now);
}

int engine_add_warned(struct engine *e, const struct tty_key *k, uint32_t mask, uint32_t warned_ms,
		      uint64_t now)
{
	return add_term(e, k, mask & TTY_CLK_ALL, warned_ms, now);
}

void engine_gone(struct engine *e, const struct tty_key *k, uint64_t now)
{
	struct term **pp = &e->buckets[key_hash(k, e->nbuckets)], *t;

	for (; (t = *pp); pp = &t->next)
		if (key_eq(&t->key, k))
			break;
	if (!t)
		return;
	*pp = t->next;
	arm_gone(e, t); /* the release hook deleted the entry */
	set_unresolved(e, t, false);
	set_names_wait(e, t, false);
	e->nterms--;
	if (ending_follow_release(e, t, now))
		return;
	engine_set_phase(e, t, PH_FINISHED); /* keeps nwarned right */
	deadheap_remove(&e->heap, &t->hn);
	free(t);
}

void engine_activity(struct engine *e, const struct tty_key *k, int clock, uint32_t tgid,
		     const char *comm, uint64_t now)
{
	struct term *t = engine_find(e, k);
	char outcome[96];

	if (!t)
		return;
	/*
	 * A firing deletes the entry. One still there means this event came
	 * from an arm we replaced since (a new mask, a warning): the replacement
	 * re-read the record after arming, so that use is counted already. It
	 * must neither cancel a warning nor make us forget the live entry.
	 */
	if (t->armed && e->k->is_armed(e->k->ctx, &t->key) == 1)
		return;
	arm_gone(e, t); /* it fired */
	if (t->phase == PH_WARNED || t->phase == PH_LOGGED) {
		snprintf(outcome, sizeof(outcome), "cancelled by %s from pid %u (%.16s)",
			 clock_name(clock), tgid, comm);
		engine_audit(t, "cancel", 0, clock, action_name(t->action), outcome, -1);
		engine_count(e, t, METRICS_CANCELLATIONS, clock_name(clock));
		e->stats.cancels++;
		engine_set_phase(e, t, PH_WATCH);
	}
	decide(e, t, now);
}

size_t engine_names_ready(struct engine *e, uint64_t now)
{
	size_t i, n = 0;

	for (i = 0; e->nnames_wait && i < e->nbuckets; i++) {
		struct term *t;

		for (t = e->buckets[i]; t; t = t->next)
			if (t->names_wait) {
				set_names_wait(e, t, false);
				engine_schedule(e, t, now);
				n++;
			}
	}
	return n;
}

size_t engine_resync_armed(struct engine *e, uint64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < e->nbuckets; i++) {
		struct term *t;

		for (t = e->buckets[i]; t; t = t->next) {
			if (!t->armed || e->k->is_armed(e->k->ctx, &t->key) != 0)
				continue;
			/* it fired and the event was lost: as if it had arrived, unnamed */
			arm_gone(e, t);
			engine_schedule(e, t, now);
			n++;
		}
	}
	return n;
}

void engine_run_due(struct engine *e, uint64_t now)
{
	struct deadheap_node *n;
	size_t i;

	/* everything due now is one batch: one look at the processes (host.h) */
	e->h->batch_begin(e->h->ctx);
	e->batching = true;
	e->nstarting = 0;
	while ((n = deadheap_peek(&e->heap)) && n->key <= now) {
		deadheap_pop(&e->heap);
		decide(e, container_of(n, struct term, hn), now);
	}
	e->batching = false;
	/*
	 * Every terminal due in this batch is hung up first, then each ending
	 * takes its first step (signals, records, the saved state): the kernel's
	 * hangup is what ends a session's shell, and with a thousand sessions
	 * due at once the last one no longer waits for 999 rounds of signals
	 * and records (bench 40-load).
	 */
	for (i = 0; i < e->nstarting; i++)
		ending_prehang(e, e->starting[i]);
	for (i = 0; i < e->nstarting; i++)
		ending_step(e, e->starting[i], now);
	e->nstarting = 0;
	e->h->batch_end(e->h->ctx);
}

uint64_t engine_next(const struct engine *e)
{
	struct deadheap_node *n = deadheap_peek(&e->heap);

	return n ? n->key : NEVER;
}

void engine_set_policy(struct engine *e, const struct policy *p, uint64_t now)
{
	size_t i;

	e->policy = p;
	e->min_lead_ns = policy_min_lead(p);
	looks_by_mask(p, e->look_by_mask);
	for (i = 0; i < e->nbuckets; i++) {
		struct term *t;

		for (t = e->buckets[i]; t; t = t->next) {
			/* rule pointers belong to the old policy: match again */
			t->rule = NULL;
			if (t->phase == PH_ENDING || t->phase == PH_FINISHED)
				continue; /* a termination under way finishes under its rule */
			t->resolved = false;
			t->reloaded = true;
			deadheap_set(&e->heap, &t->hn, now);
		}
	}
}
