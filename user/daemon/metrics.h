/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Daemon metrics in the Prometheus text exposition format (version 0.0.4),
 * written to a file for node_exporter's textfile collector (or anything else
 * that reads *.prom files). The daemon fills a struct metrics, counts
 * warnings, cancellations and terminations with metrics_count(), and calls
 * metrics_write_atomic() now and then; readers see either the previous file
 * or the new one, never a part of one.
 *
 * Metric names (all documented in ttyidle(8)):
 *   ttyidle_build_info{version,abi}              gauge, always 1
 *   ttyidle_attach_info{mode}                    gauge, always 1
 *   ttyidle_start_time_seconds                   gauge
 *   ttyidle_terminals_tracked                    gauge
 *   ttyidle_terminals_warning                    gauge
 *   ttyidle_events_received_total                counter
 *   ttyidle_events_lost_total                    counter
 *   ttyidle_ttys_full_total                      counter
 *   ttyidle_bpf_runs_skipped_total               counter
 *   ttyidle_map_entries{map}                     gauge
 *   ttyidle_map_max_entries{map}                 gauge
 *   ttyidle_config_reloads_total{result}         counter
 *   ttyidle_warnings_total{rule,outcome}         counter
 *   ttyidle_cancellations_total{rule,outcome}    counter
 *   ttyidle_terminations_total{rule,outcome}     counter
 *   ttyidle_metrics_series_dropped_total         counter
 * Families with labels the caller supplies (the last three with labels) are
 * left out until they have a series; no sample carries a timestamp (the
 * textfile collector refuses them).
 */
#ifndef TTYIDLE_METRICS_H
#define TTYIDLE_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Series metrics_count() keeps; more are counted in ttyidle_metrics_series_dropped_total. */
#define METRICS_SERIES_MAX 4096
/* Bytes kept of a label value (cut at a UTF-8 boundary). */
#define METRICS_LABEL_MAX 128

/* The labelled counters, each with labels rule and outcome. */
enum metrics_family {
	METRICS_WARNINGS = 0,  /* ttyidle_warnings_total */
	METRICS_CANCELLATIONS, /* ttyidle_cancellations_total */
	METRICS_TERMINATIONS,  /* ttyidle_terminations_total */
	METRICS_FAMILY_MAX,
};

struct metrics_series {
	enum metrics_family family;
	char rule[METRICS_LABEL_MAX + 1]; /* valid UTF-8, as it will be escaped */
	char outcome[METRICS_LABEL_MAX + 1];
	uint64_t value;
};

struct metrics {
	/* Set by the daemon before each write. NULL strings and 0 times leave their metric out. */
	const char *version;		   /* ttyidle_build_info{version=} */
	const char *attach_mode;	   /* ttyidle_attach_info{mode=}: "fentry", "kprobe" */
	uint64_t start_time_sec;	   /* Unix time the daemon started */
	uint64_t terminals_tracked;	   /* terminals the engine follows */
	uint64_t terminals_warning;	   /* warned, action pending */
	uint64_t terminals_unresolved;	   /* due, but no owner or server could be verified */
	uint64_t sessions_ending_released; /* being ended after their terminal went */
	uint64_t events_received;	   /* ring buffer records consumed by this daemon */
	uint64_t events_lost; /* stats.events_lost: reservations the kernel side lost */
	uint64_t ttys_full;   /* stats.ttys_full: terminals not tracked, map full */
	uint64_t bpf_misses;  /* runs of the programs the kernel skipped (recursion guard) */
	uint64_t ttys_entries, ttys_max_entries;   /* map `ttys` */
	uint64_t armed_entries, armed_max_entries; /* map `armed` */
	uint64_t reloads_ok, reloads_failed;	   /* SIGHUP reloads */

	/* Owned; changed only through metrics_count(). Sorted, no two alike. */
	struct metrics_series *series;
	size_t nseries, cap;
	uint64_t series_dropped;
};

/* Zero everything. */
void metrics_init(struct metrics *m);
/* Free the series; the struct may be reused after metrics_init(). */
void metrics_free(struct metrics *m);

/*
 * Add 1 to family{rule, outcome}. NULL strings count as "". Values are kept
 * as valid UTF-8 (invalid bytes become U+FFFD) and cut to METRICS_LABEL_MAX
 * bytes; inputs that end up equal share a series. Returns 0, -EINVAL for a
 * bad family, -ENOSPC past METRICS_SERIES_MAX series (counted as dropped),
 * or -ENOMEM.
 */
int metrics_count(struct metrics *m, enum metrics_family family, const char *rule,
		  const char *outcome);

/* The value of family{rule, outcome} (0 if absent), for tests and status lines. */
uint64_t metrics_get(const struct metrics *m, enum metrics_family family, const char *rule,
		     const char *outcome);

/*
 * Escape a label value for the exposition format: \ -> \\, " -> \",
 * newline -> \n; invalid UTF-8 bytes become U+FFFD. Returns the length
 * written (without the NUL), or -ENOSPC (out holds what fitted, terminated).
 */
int metrics_escape_label(const char *in, char *out, size_t outlen);

/* Write the whole exposition to f. 0, or -EIO if f reports an error. */
int metrics_format(const struct metrics *m, FILE *f);

/*
 * Replace path with a fresh exposition: a temporary file ".NAME.XXXXXX" in
 * the same directory (ignored by the textfile collector, which reads *.prom),
 * mode 0644, fsync'd, renamed over path, then the directory fsync'd. On
 * failure the temporary file is removed, path is untouched, and err holds
 * one line naming the path. Returns 0 or -errno.
 */
int metrics_write_atomic(const struct metrics *m, const char *path, char *err, size_t errlen);

#endif /* TTYIDLE_METRICS_H */
