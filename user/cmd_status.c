// SPDX-License-Identifier: GPL-2.0
/*
 * `ttyidle status`: one row per terminal, read straight from the pinned map,
 * so it works whether or not the daemon is running.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpf_load.h"
#include "cmd.h"
#include "jsonw.h"
#include "status_info.h"
#include "termview.h"

struct row {
	struct tty_key key;
	struct tty_rec rec;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->key.devpts != y->key.devpts)
		return x->key.devpts < y->key.devpts ? -1 : 1;
	if (x->key.dev != y->key.dev)
		return x->key.dev < y->key.dev ? -1 : 1;
	return 0;
}

/* Every record of the ttys map; *n rows in a malloc'd array. */
static int read_all(int fd, struct row **out, size_t *n)
{
	struct tty_key key, next;
	struct row *rows = NULL, *tmp;
	size_t cap = 0, len = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(rows, cap * sizeof(*rows));
			if (!tmp) {
				free(rows);
				return -ENOMEM;
			}
			rows = tmp;
		}
		/* a record deleted between the two calls is simply skipped */
		if (bpf_map_lookup_elem(fd, &next, &rows[len].rec) == 0) {
			rows[len].key = next;
			len++;
		}
		key = next;
		prev = &key;
	}
	qsort(rows, len, sizeof(*rows), cmp_row);
	*out = rows;
	*n = len;
	return 0;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void print_json(const struct row *rows, size_t n, uint64_t now, const struct bpf_state *st)
{
	size_t i;

	printf("{\"attach_mode\":\"%s\",\"terminals\":[", attach_mode_name(st->mode));
	for (i = 0; i < n; i++) {
		const struct tty_rec *r = &rows[i].rec;
		struct status_info si;
		char name[64];

		term_name(&rows[i].key, r, name, sizeof(name));
		status_info_get(r->sid, &rows[i].key, &si);
		printf("%s{\"tty\":", i ? "," : "");
		json_string(stdout, name);
		printf(",\"kernel_name\":");
		json_string(stdout, r->name);
		printf(",\"kind\":\"%s\",\"dev\":\"%u:%u\",\"devpts\":\"%u:%u\",\"index\":%u",
		       r->kind == TTY_KIND_PTY ? "pty" : "console", kdev_major(rows[i].key.dev),
		       kdev_minor(rows[i].key.dev), kdev_major(rows[i].key.devpts),
		       kdev_minor(rows[i].key.devpts), r->index);
		printf(",\"session\":%u,\"pgrp\":%u,\"user\":", r->sid, r->pgrp);
		json_string(stdout, si.user[0] ? si.user : NULL);
		printf(",\"uid\":");
		if (si.uid >= 0)
			printf("%d", si.uid);
		else
			printf("null");
		printf(",\"leader_cmd\":");
		json_string(stdout, si.cmd[0] ? si.cmd : NULL);
		printf(",\"container\":");
		json_string(stdout, si.container[0] ? si.container : NULL);
		printf(",\"writer_pid\":%u,\"writer_comm\":", r->writer_tgid);
		json_string(stdout, r->writer_comm);
		printf(",\"idle_in_sec\":%.3f,\"idle_out_sec\":%.3f",
		       secs_since(now, rec_last_activity(r, TTY_CLK_BIT(TTY_CLK_IN), NULL)),
		       secs_since(now, rec_last_activity(r, TTY_CLK_BIT(TTY_CLK_OUT), NULL)));
		printf(",\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64, (uint64_t)r->in_bytes,
		       (uint64_t)r->out_bytes);
		printf(",\"first_ns\":%" PRIu64 ",\"in_ns\":%" PRIu64 ",\"in_read_ns\":%" PRIu64
		       ",\"out_ns\":%" PRIu64 ",\"out_read_ns\":%" PRIu64 "}",
		       (uint64_t)r->first_ns, (uint64_t)r->in_ns, (uint64_t)r->in_read_ns,
		       (uint64_t)r->out_ns, (uint64_t)r->out_read_ns);
	}
	printf("],\"now_ns\":%" PRIu64 "}\n", now);
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

static void print_table(const struct row *rows, size_t n, uint64_t now, const struct bpf_state *st)
{
	size_t i;

	printf("%-10s %-10s %7s %-16s %8s %8s %10s %10s %s\n", "TTY", "USER", "SID", "LEADER",
	       "IDLE-IN", "IDLE-OUT", "BYTES-IN", "BYTES-OUT", "CONTAINER");
	for (i = 0; i < n; i++) {
		const struct tty_rec *r = &rows[i].rec;
		struct status_info si;
		char name[64], in[16], out[16];

		term_name(&rows[i].key, r, name, sizeof(name));
		status_info_get(r->sid, &rows[i].key, &si);
		fmt_idle(in, sizeof(in),
			 secs_since(now, rec_last_activity(r, TTY_CLK_BIT(TTY_CLK_IN), NULL)));
		fmt_idle(out, sizeof(out),
			 secs_since(now, rec_last_activity(r, TTY_CLK_BIT(TTY_CLK_OUT), NULL)));
		printf("%-10s %-10s %7u %-16.16s %8s %8s %10" PRIu64 " %10" PRIu64 " %s\n", name,
		       si.user[0] ? si.user : "-", r->sid, si.cmd[0] ? si.cmd : "-", in, out,
		       (uint64_t)r->in_bytes, (uint64_t)r->out_bytes,
		       si.container[0] ? si.container : "-");
	}
	if (!gopts.verbose)
		return;
	printf("# %zu terminals, attach mode %s\n", n, attach_mode_name(st->mode));
}

int do_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct bpf_state st;
	struct row *rows = NULL;
	char err[256];
	size_t n = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			gopts.json = true;
			break;
		case 'h':
			printf("Usage: ttyidle status [--json]\n\nOne row per terminal the kernel "
			       "has seen, from %s/ttys.\n",
			       TTYIDLE_PIN_DIR);
			return 0;
		default:
			return cmd_bad_option("status", argv);
		}
	}
	if (optind < argc) {
		cmd_error("status", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	r = bpf_maps_open_pinned(&st, err, sizeof(err));
	if (r) {
		cmd_error("status", "%s", err);
		return 1;
	}
	r = read_all(st.ttys_fd, &rows, &n);
	if (r) {
		cmd_error("status", "cannot read %s/ttys: %s", TTYIDLE_PIN_DIR, strerror(-r));
		bpf_state_close(&st);
		return 1;
	}
	if (gopts.json)
		print_json(rows, n, boottime_ns(), &st);
	else
		print_table(rows, n, boottime_ns(), &st);
	free(rows);
	bpf_state_close(&st);
	return 0;
}
