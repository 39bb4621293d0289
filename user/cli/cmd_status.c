// SPDX-License-Identifier: GPL-2.0
/*
 * `ttyidle status`: one row per terminal, read straight from the pinned map,
 * so it works whether or not the daemon is running.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "kernel/bpf_load.h"
#include "cli/cmd.h"
#include "lib/clock.h"
#include "lib/jsonw.h"
#include "policy/config.h"
#include "policy/deadline.h"
#include "policy/duration.h"
#include "policy/rules.h"
#include "host/session.h"
#include "daemon/subject.h"
#include "lib/termview.h"
#include "lib/textsafe.h"

struct row {
	struct tty_key key;
	struct tty_rec rec;
	uint32_t warned_ms; /* from `armed`: the daemon's warning (struct armed) */
};

/* What status shows about a terminal's session, and what the policy says of it. */
struct view {
	bool resolved;
	char user[64];
	long long uid;
	char cmd[64];
	char container[96];
	char service[16];
	char remote[64];
	const char *rule;  /* NULL: out of scope or no session */
	const char *clock; /* the activity clock the rule counts */
	const char *state;
	double left;	   /* seconds until the action; < 0: none */
	uint64_t login_ns; /* session leader start, CLOCK_BOOTTIME; 0: unknown */
	const char *login; /* why it is a login terminal (session.h), "none" */
	bool owned;	   /* a verified session owns it (else: the terminal alone) */
};

static void view_of(const struct row *row, const struct policy *p, uint64_t now, struct view *v)
{
	struct session_opts o = {0};
	struct session_info *si = calloc(1, sizeof(*si));
	const struct rule *rule = NULL;
	struct subject_buf sb;
	struct verdict vd;
	char err[256];
	int r;

	memset(v, 0, sizeof(*v));
	v->uid = -1;
	v->left = -1;
	v->state = "no-session";
	if (!si)
		return;
	session_host_devpts(&o.host_devpts);
	v->login = "none";
	r = session_resolve(&o, &row->key, &row->rec, si, err, sizeof(err));
	if (r == -EAGAIN)
		v->state = "unknown-server"; /* nobody has served its master yet */
	if (r == 0) {
		v->resolved = true;
		v->owned = si->has_session;
		v->login = session_login_evidence_name(si->login_src);
		snprintf(v->user, sizeof(v->user), "%s", si->user);
		v->uid = si->uid;
		snprintf(v->cmd, sizeof(v->cmd), "%s", si->leader_comm);
		procfs_container_str(&si->container, v->container, sizeof(v->container));
		snprintf(v->service, sizeof(v->service), "%s", session_service_name(si->service));
		snprintf(v->remote, sizeof(v->remote), "%s", si->remote);
		v->login_ns = si->leader_start_ns;
		subject_from_session(&sb, si);
		rule = rules_match(p, &sb.s);
		deadline_decide(&row->rec, rule, now, &vd);
		/* the daemon's deadline: the full lead after a late warning, or
		 * after the warning it is about to give an overdue session */
		deadline_give_notice(
		    &vd, row->warned_ms ? vd.last_ns + row->warned_ms * NSEC_PER_MSEC : 0, now);
		v->state = rule ? tty_state_name(vd.state) : "out-of-scope";
		if (rule) {
			v->rule = rule->name;
			v->clock = vd.last_clock >= 0 ? clock_name(vd.last_clock) : "none";
			if (vd.state != TTY_EXEMPT && vd.deadline_ns != DEADLINE_NEVER)
				v->left =
				    vd.deadline_ns > now ? (double)(vd.deadline_ns - now) / 1e9 : 0;
		}
	}
	free(si);
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->key.devpts != y->key.devpts)
		return x->key.devpts < y->key.devpts ? -1 : 1;
	if (x->key.dev != y->key.dev)
		return x->key.dev < y->key.dev ? -1 : 1;
	return 0;
}

struct rows {
	struct row *v;
	size_t n, cap;
	int armed_fd;
};

static int add_row(const void *key, const void *val, void *ctx)
{
	struct rows *rs = ctx;
	struct row *tmp;
	struct armed a;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		tmp = realloc(rs->v, rs->cap * sizeof(*rs->v));
		if (!tmp)
			return -ENOMEM;
		rs->v = tmp;
	}
	memcpy(&rs->v[rs->n].key, key, sizeof(struct tty_key));
	memcpy(&rs->v[rs->n].rec, val, sizeof(struct tty_rec));
	rs->v[rs->n].warned_ms = bpf_map_lookup_elem(rs->armed_fd, key, &a) == 0 ? a.warned_ms : 0;
	rs->n++;
	return 0;
}

/* Every record of the ttys map; *n rows in a malloc'd array. */
static int read_all(int fd, int armed_fd, struct row **out, size_t *n)
{
	struct rows rs = {.armed_fd = armed_fd};
	int r;

	r = map_walk(fd, sizeof(struct tty_key), sizeof(struct tty_rec), add_row, &rs);
	if (r) {
		free(rs.v);
		return r;
	}
	qsort(rs.v, rs.n, sizeof(*rs.v), cmp_row);
	*out = rs.v;
	*n = rs.n;
	return 0;
}

static int print_json(const struct row *rows, size_t n, uint64_t now, const struct bpf_state *st,
		      const struct policy *p, const struct ttyidle_stats *stats)
{
	struct jsonw w;
	uint64_t skipped;
	size_t i;

	jsonw_init(&w, stdout);
	jsonw_obj_open(&w);
	jsonw_key(&w, "attach_mode");
	jsonw_str(&w, attach_mode_name(st->mode));
	jsonw_key(&w, "terminals");
	jsonw_arr_open(&w);
	for (i = 0; i < n; i++) {
		const struct tty_rec *r = &rows[i].rec;
		struct view si;
		char name[64], kname[sizeof(r->name) + 1], wcomm[sizeof(r->writer_comm) + 1];
		char dev[24], devpts[24];
		int clk;

		term_name(&rows[i].key, r, name, sizeof(name));
		/* the map's fixed-size fields as strings, NUL or not */
		snprintf(kname, sizeof(kname), "%.*s", (int)sizeof(r->name), r->name);
		snprintf(wcomm, sizeof(wcomm), "%.*s", (int)sizeof(r->writer_comm), r->writer_comm);
		snprintf(dev, sizeof(dev), "%u:%u", kdev_major(rows[i].key.dev),
			 kdev_minor(rows[i].key.dev));
		snprintf(devpts, sizeof(devpts), "%u:%u", kdev_major(rows[i].key.devpts),
			 kdev_minor(rows[i].key.devpts));
		view_of(&rows[i], p, now, &si);
		jsonw_obj_open(&w);
		jsonw_key(&w, "tty");
		jsonw_str(&w, name);
		jsonw_key(&w, "kernel_name");
		jsonw_str(&w, kname);
		jsonw_key(&w, "kind");
		jsonw_str(&w, r->kind == TTY_KIND_PTY ? "pty" : "console");
		jsonw_key(&w, "dev");
		jsonw_str(&w, dev);
		jsonw_key(&w, "devpts");
		jsonw_str(&w, devpts);
		jsonw_key(&w, "index");
		jsonw_uint(&w, r->index);
		jsonw_key(&w, "session");
		jsonw_uint(&w, r->sid);
		jsonw_key(&w, "pgrp");
		jsonw_uint(&w, r->pgrp);
		jsonw_key(&w, "user");
		jsonw_str(&w, si.user[0] ? si.user : NULL);
		jsonw_key(&w, "uid");
		if (si.uid >= 0)
			jsonw_int(&w, si.uid);
		else
			jsonw_null(&w);
		jsonw_key(&w, "leader_cmd");
		jsonw_str(&w, si.cmd[0] ? si.cmd : NULL);
		jsonw_key(&w, "container");
		jsonw_str(&w, si.container[0] ? si.container : NULL);
		jsonw_key(&w, "service");
		jsonw_str(&w, si.service[0] ? si.service : NULL);
		jsonw_key(&w, "login");
		jsonw_str(&w, si.login);
		jsonw_key(&w, "owned");
		jsonw_bool(&w, si.owned);
		jsonw_key(&w, "detached");
		jsonw_bool(&w, r->flags & TTY_F_DETACHED);
		jsonw_key(&w, "remote");
		jsonw_str(&w, si.remote[0] ? si.remote : NULL);
		jsonw_key(&w, "rule");
		jsonw_str(&w, si.rule);
		jsonw_key(&w, "clock");
		jsonw_str(&w, si.clock);
		jsonw_key(&w, "state");
		jsonw_str(&w, si.state);
		jsonw_key(&w, "left_sec");
		if (si.left >= 0)
			jsonw_fixed(&w, si.left, 3);
		else
			jsonw_null(&w);
		jsonw_key(&w, "writer_pid");
		jsonw_uint(&w, r->writer_tgid);
		jsonw_key(&w, "writer_comm");
		jsonw_str(&w, wcomm);
		jsonw_key(&w, "login_ns");
		jsonw_uint(&w, si.login_ns);
		jsonw_key(&w, "idle_in_sec");
		jsonw_fixed(
		    &w, secs_since(now, deadline_last_activity(r, TTY_CLK_BIT(TTY_CLK_IN), &clk)),
		    3);
		jsonw_key(&w, "idle_out_sec");
		jsonw_fixed(
		    &w, secs_since(now, deadline_last_activity(r, TTY_CLK_BIT(TTY_CLK_OUT), &clk)),
		    3);
		jsonw_key(&w, "bytes_in");
		jsonw_uint(&w, r->in_bytes);
		jsonw_key(&w, "bytes_out");
		jsonw_uint(&w, r->out_bytes);
		jsonw_key(&w, "first_ns");
		jsonw_uint(&w, r->first_ns);
		jsonw_key(&w, "in_ns");
		jsonw_uint(&w, r->in_ns);
		jsonw_key(&w, "in_read_ns");
		jsonw_uint(&w, r->in_read_ns);
		jsonw_key(&w, "out_ns");
		jsonw_uint(&w, r->out_ns);
		jsonw_key(&w, "out_read_ns");
		jsonw_uint(&w, r->out_read_ns);
		jsonw_obj_close(&w);
	}
	jsonw_arr_close(&w);
	jsonw_key(&w, "ttys_full");
	jsonw_uint(&w, stats->ttys_full);
	jsonw_key(&w, "events_lost");
	jsonw_uint(&w, stats->events_lost);
	/* runs the kernel skipped: null where it cannot be read */
	jsonw_key(&w, "runs_skipped");
	if (bpf_prog_misses(st, &skipped) == 0)
		jsonw_uint(&w, skipped);
	else
		jsonw_null(&w);
	jsonw_key(&w, "now_ns");
	jsonw_uint(&w, now);
	jsonw_obj_close(&w);
	fputc('\n', stdout);
	return jsonw_end(&w);
}

static void fmt_idle(char *buf, size_t n, double s)
{
	if (s < 60)
		snprintf(buf, n, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, n, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, n, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

/* Like w(1): HH:MM today, "Mon DD" before. */
static void fmt_login(char *buf, size_t n, uint64_t now_boot, uint64_t login_boot)
{
	time_t now = time(NULL), t;
	struct tm tm, tn;

	if (!login_boot || login_boot > now_boot) {
		snprintf(buf, n, "-");
		return;
	}
	t = now - (time_t)((now_boot - login_boot) / 1000000000ULL);
	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	if (tm.tm_yday == tn.tm_yday && tm.tm_year == tn.tm_year)
		strftime(buf, n, "%H:%M", &tm);
	else
		strftime(buf, n, "%b%d", &tm);
}

static void print_table(const struct row *rows, size_t n, uint64_t now, const struct bpf_state *st,
			const struct policy *p)
{
	size_t i;

	printf("%-10s %-8s %-16s %-6s %8s %8s %-12s %-7s %s\n", "USER", "TTY", "FROM", "LOGIN@",
	       "IDLE-IN", "IDLE-OUT", "RULE", "LEFT", "WHAT");
	for (i = 0; i < n; i++) {
		const struct tty_rec *r = &rows[i].rec;
		struct view si;
		char name[64], in[16], out[16], left[16] = "-", login[16];
		/* user-chosen text in its terminal form (textsafe.h), cut to the
		 * column's width on a whole character: \xNN at most quadruples */
		char user[10 + 1], tty[4 * sizeof(name)], from[16 + 1];
		char container[4 * sizeof(si.container)], cmd[4 * sizeof(si.cmd)];
		int clk;

		term_name(&rows[i].key, r, name, sizeof(name));
		view_of(&rows[i], p, now, &si);
		text_safe(user, sizeof(user), si.user[0] ? si.user : "-");
		text_safe(tty, sizeof(tty), name);
		text_safe(from, sizeof(from), si.remote[0] ? si.remote : "-");
		text_safe(container, sizeof(container), si.container);
		text_safe(cmd, sizeof(cmd), si.cmd[0] ? si.cmd : "-");
		if (si.left >= 0)
			fmt_idle(left, sizeof(left), si.left);
		fmt_idle(in, sizeof(in),
			 secs_since(now, deadline_last_activity(r, TTY_CLK_BIT(TTY_CLK_IN), &clk)));
		fmt_idle(
		    out, sizeof(out),
		    secs_since(now, deadline_last_activity(r, TTY_CLK_BIT(TTY_CLK_OUT), &clk)));
		fmt_login(login, sizeof(login), now, si.login_ns);
		printf("%-10.10s %-8s %-16.16s %-6s %8s %8s %-12.12s %-7s %s%s%s%s\n", user, tty,
		       from, login, in, out, si.rule ? si.rule : si.state, left,
		       container[0] ? "[" : "", container, container[0] ? "] " : "", cmd);
	}
	if (gopts.verbose)
		printf("# %zu terminals, attach mode %s\n", n, attach_mode_name(st->mode));
}

int do_status(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"config", required_argument, NULL, 'c'},
	    {"config-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	const char *conf = TTYIDLE_CONF_PATH, *conf_dir = TTYIDLE_CONF_DROPIN;
	bool conf_named = false, dir_named = false;
	unsigned flags;
	struct policy pol = {0};
	struct bpf_state st;
	struct row *rows = NULL;
	struct ttyidle_stats stats;
	char err[256];
	size_t n = 0;
	int c, r, rc = 0;

	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			gopts.json = true;
			break;
		case 'c':
			conf = optarg;
			conf_named = true;
			break;
		case 'd':
			conf_dir = optarg;
			dir_named = true;
			break;
		case 'h':
			printf(
			    "Usage: ttyidle status [--json] [--config FILE] [--config-dir DIR]\n\n"
			    "One row per terminal the kernel has seen, from %s/ttys, with the\n"
			    "rule that applies under the configuration and the time left.\n",
			    TTYIDLE_PIN_DIR);
			return 0;
		default:
			return cmd_bad_option("status", argv, c);
		}
	}
	if (optind < argc) {
		cmd_error("status", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	flags = cmd_conf_paths(&conf, conf_named, &conf_dir, dir_named);
	if (policy_load(&pol, conf, conf_dir, flags, err, sizeof(err))) {
		cmd_error("status", "%s", err);
		return 1;
	}
	r = bpf_maps_open_pinned(&st, err, sizeof(err));
	if (r) {
		cmd_error("status", "%s", err);
		policy_free(&pol);
		return 1;
	}
	r = read_all(st.ttys_fd, st.armed_fd, &rows, &n);
	if (r) {
		cmd_error("status", "cannot read %s/ttys: %s", TTYIDLE_PIN_DIR, strerror(-r));
		bpf_state_close(&st);
		policy_free(&pol);
		return 1;
	}
	if (stats_read(&st, &stats))
		memset(&stats, 0, sizeof(stats));
	if (gopts.json) {
		r = print_json(rows, n, boottime_ns(), &st, &pol, &stats);
		if (r) {
			cmd_error("status", "cannot write the JSON document: %s", strerror(-r));
			rc = 1;
		}
	} else
		print_table(rows, n, boottime_ns(), &st, &pol);
	/* terminals the kernel side could not track are never enforced */
	if (stats.ttys_full && !gopts.json)
		fprintf(stderr,
			"ttyidle: status: %s/ttys is full: %llu uses of terminals that are not "
			"tracked, nor enforced\n",
			TTYIDLE_PIN_DIR, (unsigned long long)stats.ttys_full);
	free(rows);
	bpf_state_close(&st);
	policy_free(&pol);
	return rc;
}
