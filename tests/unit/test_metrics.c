// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c: the exact exposition text, label escaping, one series per
 * label set, and the atomic file replacement (checked by a concurrent reader
 * in another process). When promtool is installed, its linter reads the text
 * too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/metrics.h"
#include "ttyidle.h"

#define STR_(x) #x
#define STR(x)	STR_(x)
#define ABI	STR(TTYIDLE_ABI)

/* The exposition of m as a malloc'ed string. */
static char *format_str(const struct metrics *m, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(metrics_format(m, f), 0);
	assert_int_equal(fclose(f), 0);
	if (len)
		*len = n;
	return buf;
}

static void fill(struct metrics *m)
{
	metrics_init(m);
	m->version = "1.2.3";
	m->attach_mode = "fentry";
	m->start_time_sec = 1700000000;
	m->terminals_tracked = 3;
	m->terminals_warning = 1;
	m->terminals_unresolved = 2;
	m->sessions_ending_released = 1;
	m->events_received = 42;
	m->events_lost = 2;
	m->ttys_full = 0;
	m->bpf_misses = 5;
	m->ttys_entries = 3;
	m->ttys_max_entries = 16384;
	m->armed_entries = 1;
	m->armed_max_entries = 16384;
	m->reloads_ok = 2;
	m->reloads_failed = 1;
	/* out of order on purpose: the text is sorted */
	assert_int_equal(metrics_count(m, METRICS_TERMINATIONS, "global", "ended"), 0);
	assert_int_equal(metrics_count(m, METRICS_WARNINGS, "global", "failed"), 0);
	assert_int_equal(metrics_count(m, METRICS_WARNINGS, "admins", "written"), 0);
	assert_int_equal(metrics_count(m, METRICS_CANCELLATIONS, "admins", "activity"), 0);
	assert_int_equal(metrics_count(m, METRICS_WARNINGS, "admins", "written"), 0);
}

static const char expected_full[] =
    "# HELP ttyidle_build_info Version of ttyidle and layout of its pinned maps; always 1.\n"
    "# TYPE ttyidle_build_info gauge\n"
    "ttyidle_build_info{version=\"1.2.3\",abi=\"" ABI "\"} 1\n"
    "# HELP ttyidle_attach_info How the BPF programs are attached, fentry or kprobe; always 1.\n"
    "# TYPE ttyidle_attach_info gauge\n"
    "ttyidle_attach_info{mode=\"fentry\"} 1\n"
    "# HELP ttyidle_start_time_seconds Unix time the daemon started.\n"
    "# TYPE ttyidle_start_time_seconds gauge\n"
    "ttyidle_start_time_seconds 1700000000\n"
    "# HELP ttyidle_terminals_tracked Terminals the daemon follows.\n"
    "# TYPE ttyidle_terminals_tracked gauge\n"
    "ttyidle_terminals_tracked 3\n"
    "# HELP ttyidle_terminals_warning Terminals warned whose action is pending.\n"
    "# TYPE ttyidle_terminals_warning gauge\n"
    "ttyidle_terminals_warning 1\n"
    "# HELP ttyidle_terminals_unresolved Terminals due whose owner could not be verified; "
    "looked at again on use.\n"
    "# TYPE ttyidle_terminals_unresolved gauge\n"
    "ttyidle_terminals_unresolved 2\n"
    "# HELP ttyidle_sessions_ending_released Sessions still being ended after their terminal "
    "was released.\n"
    "# TYPE ttyidle_sessions_ending_released gauge\n"
    "ttyidle_sessions_ending_released 1\n"
    "# HELP ttyidle_events_received_total Ring buffer events consumed since the daemon "
    "started.\n"
    "# TYPE ttyidle_events_received_total counter\n"
    "ttyidle_events_received_total 42\n"
    "# HELP ttyidle_events_lost_total Ring buffer events the BPF programs could not queue.\n"
    "# TYPE ttyidle_events_lost_total counter\n"
    "ttyidle_events_lost_total 2\n"
    "# HELP ttyidle_ttys_full_total Terminals not tracked because the ttys map was full.\n"
    "# TYPE ttyidle_ttys_full_total counter\n"
    "ttyidle_ttys_full_total 0\n"
    "# HELP ttyidle_bpf_runs_skipped_total Runs of the BPF programs the kernel skipped (one "
    "preempted blocks the next on its CPU): bookings lost.\n"
    "# TYPE ttyidle_bpf_runs_skipped_total counter\n"
    "ttyidle_bpf_runs_skipped_total 5\n"
    "# HELP ttyidle_map_entries Entries in a pinned BPF map.\n"
    "# TYPE ttyidle_map_entries gauge\n"
    "ttyidle_map_entries{map=\"armed\"} 1\n"
    "ttyidle_map_entries{map=\"ttys\"} 3\n"
    "# HELP ttyidle_map_max_entries Capacity of a pinned BPF map.\n"
    "# TYPE ttyidle_map_max_entries gauge\n"
    "ttyidle_map_max_entries{map=\"armed\"} 16384\n"
    "ttyidle_map_max_entries{map=\"ttys\"} 16384\n"
    "# HELP ttyidle_config_reloads_total Configuration reloads by result; a failed one keeps "
    "the policy in force.\n"
    "# TYPE ttyidle_config_reloads_total counter\n"
    "ttyidle_config_reloads_total{result=\"failed\"} 1\n"
    "ttyidle_config_reloads_total{result=\"ok\"} 2\n"
    "# HELP ttyidle_warnings_total Idle warnings, by rule and outcome.\n"
    "# TYPE ttyidle_warnings_total counter\n"
    "ttyidle_warnings_total{rule=\"admins\",outcome=\"written\"} 2\n"
    "ttyidle_warnings_total{rule=\"global\",outcome=\"failed\"} 1\n"
    "# HELP ttyidle_cancellations_total Pending actions cancelled by activity, by rule and "
    "outcome.\n"
    "# TYPE ttyidle_cancellations_total counter\n"
    "ttyidle_cancellations_total{rule=\"admins\",outcome=\"activity\"} 1\n"
    "# HELP ttyidle_terminations_total Sessions the idle policy acted on, by rule and "
    "outcome.\n"
    "# TYPE ttyidle_terminations_total counter\n"
    "ttyidle_terminations_total{rule=\"global\",outcome=\"ended\"} 1\n"
    "# HELP ttyidle_metrics_series_dropped_total Counts not kept because the series limit "
    "was reached.\n"
    "# TYPE ttyidle_metrics_series_dropped_total counter\n"
    "ttyidle_metrics_series_dropped_total 0\n";

static void test_exact_text(void **state)
{
	struct metrics m;
	char *text;

	(void)state;
	fill(&m);
	text = format_str(&m, NULL);
	assert_string_equal(text, expected_full);
	free(text);
	assert_int_equal(metrics_get(&m, METRICS_WARNINGS, "admins", "written"), 2);
	assert_int_equal(metrics_get(&m, METRICS_WARNINGS, "admins", "failed"), 0);
	assert_int_equal(metrics_get(&m, METRICS_TERMINATIONS, "global", "ended"), 1);
	metrics_free(&m);
}

static void test_minimal_text(void **state)
{
	struct metrics m;
	char *text;

	(void)state;
	/* nothing known: no build or attach info, no labelled counters, no start time */
	metrics_init(&m);
	text = format_str(&m, NULL);
	assert_null(strstr(text, "ttyidle_build_info"));
	assert_null(strstr(text, "ttyidle_attach_info"));
	assert_null(strstr(text, "ttyidle_start_time_seconds"));
	assert_null(strstr(text, "ttyidle_warnings_total"));
	assert_null(strstr(text, "ttyidle_map_max_entries"));
	assert_non_null(strstr(text, "\nttyidle_terminals_tracked 0\n"));
	assert_non_null(strstr(text, "\nttyidle_map_entries{map=\"ttys\"} 0\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	metrics_free(&m);
}

static void test_escape_label(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"", ""},
	    {"a\"b", "a\\\"b"},
	    {"back\\slash", "back\\\\slash"},
	    {"two\nlines", "two\\nlines"},
	    {"tab\tkept", "tab\tkept"},
	    {"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},		      /* été, valid UTF-8 */
	    {"bad\xff", "bad\xef\xbf\xbd"},			      /* invalid byte */
	    {"\xc3", "\xef\xbf\xbd"},				      /* cut sequence */
	    {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},		      /* overlong "/" */
	    {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
	    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},		      /* 4 bytes, valid */
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = metrics_escape_label(cases[i].in, out, sizeof(out));

		assert_int_equal(n, (int)strlen(cases[i].out));
		assert_string_equal(out, cases[i].out);
	}
	assert_int_equal(metrics_escape_label(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* no room: what fitted, never half an escape or half a character */
	assert_int_equal(metrics_escape_label("ab\"c", out, 4), -ENOSPC);
	assert_string_equal(out, "ab");
	assert_int_equal(metrics_escape_label("a\xc3\xa9", out, 3), -ENOSPC);
	assert_string_equal(out, "a");
	assert_int_equal(metrics_escape_label("x", out, 0), -ENOSPC);
}

static void test_labels_in_text(void **state)
{
	struct metrics m;
	char *text;

	(void)state;
	metrics_init(&m);
	m.version = "v1\"\\\n";
	m.attach_mode = "kprobe";
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "we\"ird\\rule\nx", "out\xff"), 0);
	assert_int_equal(metrics_count(&m, METRICS_CANCELLATIONS, NULL, NULL), 0);
	text = format_str(&m, NULL);
	assert_non_null(
	    strstr(text, "\nttyidle_build_info{version=\"v1\\\"\\\\\\n\",abi=\"" ABI "\"} 1\n"));
	assert_non_null(strstr(text, "\nttyidle_attach_info{mode=\"kprobe\"} 1\n"));
	assert_non_null(strstr(text, "\nttyidle_warnings_total{rule=\"we\\\"ird\\\\rule\\nx\","
				     "outcome=\"out\xef\xbf\xbd\"} 1\n"));
	assert_non_null(strstr(text, "\nttyidle_cancellations_total{rule=\"\",outcome=\"\"} 1\n"));
	free(text);
	metrics_free(&m);
}

/*
 * Checks the structure of an exposition: every line is a comment or a
 * sample; each family has exactly one HELP and one TYPE, before its samples,
 * and its samples are contiguous; no two samples have the same name and
 * labels. Returns the number of samples.
 */
static size_t check_structure(char *text)
{
	static char fam[256][128];
	char *save = NULL, *line, *seen[8192];
	size_t nseen = 0, nfam = 0, i, len;
	int helped = 0, typed = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
			bool help = line[2] == 'H';

			assert_int_equal(sscanf(line + 7, "%127s", name), 1);
			if (!nfam || strcmp(fam[nfam - 1], name)) {
				/* a new family: never seen before */
				for (i = 0; i < nfam; i++)
					assert_string_not_equal(fam[i], name);
				assert_true(nfam < 256);
				snprintf(fam[nfam++], sizeof(fam[0]), "%s", name);
				helped = typed = 0;
			}
			if (help)
				assert_int_equal(helped++, 0);
			else
				assert_int_equal(typed++, 0);
			continue;
		}
		assert_true(line[0] != '#');
		/* the series is everything before the value */
		assert_non_null(strrchr(line, ' '));
		*strrchr(line, ' ') = '\0';
		assert_true(nfam > 0 && helped == 1 && typed == 1);
		len = strcspn(line, "{");
		assert_int_equal(len, strlen(fam[nfam - 1]));
		assert_int_equal(strncmp(line, fam[nfam - 1], len), 0);
		for (i = 0; i < nseen; i++)
			assert_string_not_equal(seen[i], line);
		assert_true(nseen < 8192);
		seen[nseen++] = line;
	}
	return nseen;
}

static void test_no_duplicate_series(void **state)
{
	struct metrics m;
	char *text;
	int i;

	(void)state;
	fill(&m);
	for (i = 0; i < 50; i++) {
		assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "admins", "written"), 0);
		assert_int_equal(metrics_count(&m, METRICS_TERMINATIONS, "r", "ended"), 0);
	}
	/* different bytes, the same printed value: one series */
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "x\xff", "o"), 0);
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "x\xfe", "o"), 0);
	assert_int_equal(metrics_get(&m, METRICS_WARNINGS, "x\xef\xbf\xbd", "o"), 2);
	/* the same labels in another family are another series */
	assert_int_equal(metrics_count(&m, METRICS_CANCELLATIONS, "r", "ended"), 0);
	assert_int_equal(metrics_count(&m, METRICS_FAMILY_MAX, "r", "ended"), -EINVAL);
	assert_int_equal(metrics_get(&m, METRICS_WARNINGS, "admins", "written"), 52);
	assert_int_equal(metrics_get(&m, METRICS_TERMINATIONS, "r", "ended"), 50);
	assert_int_equal(m.nseries, 7);

	text = format_str(&m, NULL);
	/* 17 fixed samples, 7 labelled series, and dropped */
	assert_int_equal(check_structure(text), 17 + 7 + 1);
	free(text);
	metrics_free(&m);
}

static void test_long_label_is_cut(void **state)
{
	char rule[400], *text, *p;
	struct metrics m;
	size_t i;

	(void)state;
	rule[0] = 'x';
	for (i = 1; i + 2 < sizeof(rule); i += 2)
		memcpy(rule + i, "\xc3\xa9", 2);
	rule[i] = '\0';
	metrics_init(&m);
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, rule, "o"), 0);
	/* kept: 'x' and 63 whole é (127 bytes), not a 128th byte that would split one */
	assert_int_equal(strlen(m.series[0].rule), 127);
	/* a longer rule with the same first 127 bytes is the same series */
	rule[200] = '\0';
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, rule, "o"), 0);
	assert_int_equal(m.nseries, 1);
	assert_int_equal(m.series[0].value, 2);
	text = format_str(&m, NULL);
	p = strstr(text, "ttyidle_warnings_total{rule=\"x");
	assert_non_null(p);
	assert_int_equal(strcspn(p + strlen("ttyidle_warnings_total{rule=\""), "\""), 127);
	free(text);
	metrics_free(&m);
}

static void test_series_limit(void **state)
{
	struct metrics m;
	char rule[32], *text;
	int i;

	(void)state;
	metrics_init(&m);
	for (i = 0; i < METRICS_SERIES_MAX; i++) {
		snprintf(rule, sizeof(rule), "r%05d", METRICS_SERIES_MAX - i);
		assert_int_equal(metrics_count(&m, METRICS_WARNINGS, rule, "written"), 0);
	}
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "one-too-many", "written"), -ENOSPC);
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "two-too-many", "written"), -ENOSPC);
	/* existing series still count */
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "r00001", "written"), 0);
	assert_int_equal(metrics_get(&m, METRICS_WARNINGS, "r00001", "written"), 2);
	assert_int_equal(m.nseries, METRICS_SERIES_MAX);
	for (i = 1; i < METRICS_SERIES_MAX; i++)
		assert_true(strcmp(m.series[i - 1].rule, m.series[i].rule) < 0);
	text = format_str(&m, NULL);
	assert_non_null(strstr(text, "\nttyidle_metrics_series_dropped_total 2\n"));
	assert_null(strstr(text, "too-many"));
	free(text);
	metrics_free(&m);
}

/* ---- the file ------------------------------------------------------------ */

static char *read_all(const char *path, size_t *len)
{
	char *buf = malloc(1 << 20);
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_non_null(buf);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, (1 << 20) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Names in dir other than "." and "..", newline separated. */
static void list_dir(const char *dir, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t o = 0;

	assert_non_null(d);
	out[0] = '\0';
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			o += (size_t)snprintf(out + o, len - o, "%s\n", de->d_name);
	closedir(d);
}

static void test_write_replaces(void **state)
{
	char dir[] = "/tmp/ttyidle-metrics-XXXXXX", path[64], err[256], names[256], *a, *got;
	struct metrics m;
	struct stat st1, st2;
	size_t alen, glen;
	mode_t old;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ttyidle.prom", dir);
	fill(&m);
	old = umask(077); /* the file is for another user to read all the same */
	assert_int_equal(metrics_write_atomic(&m, path, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0644);
	got = read_all(path, &glen);
	assert_string_equal(got, expected_full);
	free(got);

	m.terminals_tracked = 99;
	assert_int_equal(metrics_count(&m, METRICS_TERMINATIONS, "global", "survivors"), 0);
	a = format_str(&m, &alen);
	assert_int_equal(metrics_write_atomic(&m, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st2), 0);
	/* a new inode renamed over the old one, not the old file rewritten */
	assert_true(st1.st_ino != st2.st_ino);
	got = read_all(path, &glen);
	assert_int_equal(glen, alen);
	assert_string_equal(got, a);
	free(got);
	free(a);
	/* no temporary file left behind */
	list_dir(dir, names, sizeof(names));
	assert_string_equal(names, "ttyidle.prom\n");

	/* a relative path works too */
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(metrics_write_atomic(&m, "rel.prom", err, sizeof(err)), 0);
	assert_int_equal(chdir("/"), 0);
	list_dir(dir, names, sizeof(names));
	assert_true(!strcmp(names, "ttyidle.prom\nrel.prom\n") ||
		    !strcmp(names, "rel.prom\nttyidle.prom\n"));
	snprintf(path, sizeof(path), "%s/rel.prom", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ttyidle.prom", dir);
	unlink(path);
	rmdir(dir);
	metrics_free(&m);
}

static void test_write_failures(void **state)
{
	char dir[] = "/tmp/ttyidle-metrics-XXXXXX", path[96], err[256], names[256];
	struct metrics m;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fill(&m);

	/* the target is a directory: rename fails, nothing is left behind */
	snprintf(path, sizeof(path), "%s/sub.prom", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(metrics_write_atomic(&m, path, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, path));
	assert_null(strchr(err, '\n'));
	list_dir(dir, names, sizeof(names));
	assert_string_equal(names, "sub.prom\n");
	rmdir(path);

	/* the directory does not exist */
	snprintf(path, sizeof(path), "%s/missing/ttyidle.prom", dir);
	assert_int_equal(metrics_write_atomic(&m, path, err, sizeof(err)), -ENOENT);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);

	/* a path that names a directory */
	snprintf(path, sizeof(path), "%s/", dir);
	assert_int_equal(metrics_write_atomic(&m, path, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "names a directory"));

	list_dir(dir, names, sizeof(names));
	assert_string_equal(names, "");
	rmdir(dir);
	metrics_free(&m);
}

/*
 * A reader in another process reads the file in a loop while it is replaced
 * again and again with two texts of very different sizes; every read must
 * be one of them, whole.
 */
static void test_reader_never_sees_partial(void **state)
{
	char dir[] = "/tmp/ttyidle-metrics-XXXXXX", path[64], err[256], rule[80], *small, *big;
	struct metrics ms, mb;
	size_t slen, blen;
	int ctl[2], res[2], i, status;
	long counts[3] = {0}; /* reads, bad reads, reads of the big text */
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ttyidle.prom", dir);
	fill(&ms);
	fill(&mb);
	/* large enough to take many write(2)s if it were written in place */
	for (i = 0; i < 3000; i++) {
		snprintf(rule, sizeof(rule), "rule-%04d-with-a-long-name-to-make-the-file-big", i);
		assert_int_equal(metrics_count(&mb, METRICS_WARNINGS, rule, "written"), 0);
	}
	small = format_str(&ms, &slen);
	big = format_str(&mb, &blen);
	assert_true(blen > 200000);
	assert_int_equal(metrics_write_atomic(&ms, path, err, sizeof(err)), 0);

	assert_int_equal(pipe(ctl), 0);
	assert_int_equal(pipe(res), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pollfd pfd = {.fd = ctl[0], .events = POLLIN};

		close(ctl[1]);
		close(res[0]);
		/* until the writer closes its end of ctl */
		while (poll(&pfd, 1, 0) == 0) {
			size_t n;
			char *got = read_all(path, &n);

			counts[0]++;
			if (!got || !((n == slen && !memcmp(got, small, n)) ||
				      (n == blen && !memcmp(got, big, n))))
				counts[1]++;
			else if (n == blen)
				counts[2]++;
			free(got);
		}
		if (write(res[1], counts, sizeof(counts)) != sizeof(counts))
			_exit(2);
		_exit(0);
	}
	close(ctl[0]);
	close(res[1]);
	for (i = 0; i < 60; i++) {
		assert_int_equal(metrics_write_atomic(&mb, path, err, sizeof(err)), 0);
		assert_int_equal(metrics_write_atomic(&ms, path, err, sizeof(err)), 0);
	}
	close(ctl[1]);
	assert_int_equal(read(res[0], counts, sizeof(counts)), (ssize_t)sizeof(counts));
	close(res[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	print_message("reader: %ld reads, %ld of the big text, %ld partial or wrong\n", counts[0],
		      counts[2], counts[1]);
	assert_true(counts[0] > 0);
	assert_int_equal(counts[1], 0);

	unlink(path);
	rmdir(dir);
	free(small);
	free(big);
	metrics_free(&ms);
	metrics_free(&mb);
}

/* Where promtool is, or NULL. */
static const char *find_promtool(char *buf, size_t len)
{
	const char *env = getenv("PATH");
	char path[4096], *save = NULL, *d;

	snprintf(path, sizeof(path), "%s", env ? env : "/usr/bin:/bin");
	for (d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/promtool", d);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

static void test_promtool_lint(void **state)
{
	char tool[4200], cmd[4400], dir[] = "/tmp/ttyidle-metrics-XXXXXX", path[64], err[256];
	char *out;
	size_t n;
	struct metrics m;
	int rc;

	(void)state;
	assert_non_null(find_promtool(tool, sizeof(tool)));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ttyidle.prom", dir);
	fill(&m);
	assert_int_equal(metrics_count(&m, METRICS_WARNINGS, "we\"ird\\rule\nx", "out\xff"), 0);
	assert_int_equal(metrics_write_atomic(&m, path, err, sizeof(err)), 0);
	/* check metrics: parses the text and lints names, types and HELP */
	snprintf(cmd, sizeof(cmd), "'%s' check metrics < '%s' > '%s.out' 2>&1", tool, path, path);
	rc = system(cmd);
	snprintf(cmd, sizeof(cmd), "%s.out", path);
	out = read_all(cmd, &n);
	assert_non_null(out);
	if (rc != 0 || n)
		print_message("promtool: %s\n", out);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 0);
	free(out);
	unlink(cmd);
	unlink(path);
	rmdir(dir);
	metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_text),
	    cmocka_unit_test(test_minimal_text),
	    cmocka_unit_test(test_escape_label),
	    cmocka_unit_test(test_labels_in_text),
	    cmocka_unit_test(test_no_duplicate_series),
	    cmocka_unit_test(test_long_label_is_cut),
	    cmocka_unit_test(test_series_limit),
	    cmocka_unit_test(test_write_replaces),
	    cmocka_unit_test(test_write_failures),
	    cmocka_unit_test(test_reader_never_sees_partial),
	};
	const struct CMUnitTest lint[] = {
	    cmocka_unit_test(test_promtool_lint),
	};
	char tool[4200];
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	/* an independent parser, when installed (Debian package prometheus) */
	if (find_promtool(tool, sizeof(tool)))
		r += cmocka_run_group_tests(lint, NULL, NULL);
	else
		printf("test_metrics: promtool not installed, exposition lint not run\n");
	return r;
}
