// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition (0.0.4) of the daemon's counters; see metrics.h.
 * Everything printed comes from struct metrics: no clock is read, so equal
 * structs print equal text.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/types.h>

#include "daemon/metrics.h"
#include "ttyidle.h"

static const char *const family_names[METRICS_FAMILY_MAX] = {
    [METRICS_WARNINGS] = "ttyidle_warnings_total",
    [METRICS_CANCELLATIONS] = "ttyidle_cancellations_total",
    [METRICS_TERMINATIONS] = "ttyidle_terminations_total",
};

static const char *const family_help[METRICS_FAMILY_MAX] = {
    [METRICS_WARNINGS] = "Idle warnings, by rule and outcome.",
    [METRICS_CANCELLATIONS] = "Pending actions cancelled by activity, by rule and outcome.",
    [METRICS_TERMINATIONS] = "Sessions the idle policy acted on, by rule and outcome.",
};

/* Length of the valid UTF-8 sequence at s (1 to 4), 0 if the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s)
{
	uint32_t cp;
	size_t need, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (k = 1; k <= need; k++) {
		/* a NUL is not a continuation byte, so this never reads past the string */
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/*
 * Copy in as valid UTF-8 (bad bytes replaced), at most max bytes, whole
 * sequences only, with \ " and newline escaped when escape is set. Returns
 * the length, or -ENOSPC if something did not fit in max.
 */
static int utf8_copy(const char *in, char *out, size_t max, bool escape)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t o = 0, n;
	int r = 0;

	while (*p) {
		const char *src = (const char *)p;
		char esc[2] = {'\\', 0};

		n = utf8_seq(p);
		if (n == 0) {
			src = replacement;
			n = 3;
			p++;
		} else {
			p += n;
		}
		if (escape && n == 1 && (*src == '\\' || *src == '"' || *src == '\n')) {
			esc[1] = *src == '\n' ? 'n' : *src;
			src = esc;
			n = 2;
		}
		if (o + n > max) {
			r = -ENOSPC;
			break;
		}
		memcpy(out + o, src, n);
		o += n;
	}
	out[o] = '\0';
	return r ? r : (int)o;
}

int metrics_escape_label(const char *in, char *out, size_t outlen)
{
	if (!outlen)
		return -ENOSPC;
	return utf8_copy(in, out, outlen - 1, true);
}

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
}

void metrics_free(struct metrics *m)
{
	free(m->series);
	m->series = NULL;
	m->nseries = m->cap = 0;
}

static int series_cmp(const struct metrics_series *a, enum metrics_family family, const char *rule,
		      const char *outcome)
{
	int c;

	if (a->family != family)
		return a->family < family ? -1 : 1;
	c = strcmp(a->rule, rule);
	return c ? c : strcmp(a->outcome, outcome);
}

/* Index of the series, or of where it would go, in the sorted array; *found says which. */
static size_t series_find(const struct metrics *m, enum metrics_family family, const char *rule,
			  const char *outcome, bool *found)
{
	size_t lo = 0, hi = m->nseries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = series_cmp(&m->series[mid], family, rule, outcome);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

int metrics_count(struct metrics *m, enum metrics_family family, const char *rule,
		  const char *outcome)
{
	char r[METRICS_LABEL_MAX + 1], o[METRICS_LABEL_MAX + 1];
	struct metrics_series *s;
	bool found;
	size_t i;

	if ((unsigned)family >= METRICS_FAMILY_MAX)
		return -EINVAL;
	/* kept as they will be printed, so inputs that print alike share a series */
	utf8_copy(rule, r, METRICS_LABEL_MAX, false);
	utf8_copy(outcome, o, METRICS_LABEL_MAX, false);
	i = series_find(m, family, r, o, &found);
	if (found) {
		m->series[i].value++;
		return 0;
	}
	if (m->nseries >= METRICS_SERIES_MAX) {
		m->series_dropped++;
		return -ENOSPC;
	}
	if (m->nseries == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;

		s = realloc(m->series, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		m->series = s;
		m->cap = cap;
	}
	memmove(&m->series[i + 1], &m->series[i], (m->nseries - i) * sizeof(*m->series));
	s = &m->series[i];
	s->family = family;
	memcpy(s->rule, r, sizeof(r));
	memcpy(s->outcome, o, sizeof(o));
	s->value = 1;
	m->nseries++;
	return 0;
}

uint64_t metrics_get(const struct metrics *m, enum metrics_family family, const char *rule,
		     const char *outcome)
{
	char r[METRICS_LABEL_MAX + 1], o[METRICS_LABEL_MAX + 1];
	bool found;
	size_t i;

	utf8_copy(rule, r, METRICS_LABEL_MAX, false);
	utf8_copy(outcome, o, METRICS_LABEL_MAX, false);
	i = series_find(m, family, r, o, &found);
	return found ? m->series[i].value : 0;
}

/* ---- the exposition ------------------------------------------------------ */

/* Prints each family's HELP and TYPE once, before its first sample. */
struct emitter {
	FILE *f;
	const char *family;
};

static void header(struct emitter *e, const char *name, const char *type, const char *help)
{
	if (e->family && !strcmp(e->family, name))
		return;
	/* help texts are ours and hold neither backslash nor newline: no escaping needed */
	fprintf(e->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	e->family = name;
}

static void label(FILE *f, const char *sep, const char *name, const char *value)
{
	/* a stored value is at most METRICS_LABEL_MAX bytes; escaping at most doubles it */
	char kept[METRICS_LABEL_MAX + 1], esc[2 * METRICS_LABEL_MAX + 1];

	utf8_copy(value, kept, METRICS_LABEL_MAX, false);
	utf8_copy(kept, esc, sizeof(esc) - 1, true);
	fprintf(f, "%s%s=\"%s\"", sep, name, esc);
}

static void plain(struct emitter *e, const char *name, const char *type, const char *help,
		  uint64_t v)
{
	header(e, name, type, help);
	fprintf(e->f, "%s %" PRIu64 "\n", name, v);
}

static void labelled(struct emitter *e, const char *name, const char *type, const char *help,
		     const char *lname, const char *lvalue, uint64_t v)
{
	header(e, name, type, help);
	fputs(name, e->f);
	label(e->f, "{", lname, lvalue);
	fprintf(e->f, "} %" PRIu64 "\n", v);
}

int metrics_format(const struct metrics *m, FILE *f)
{
	struct emitter e = {.f = f};
	char abi[16];
	size_t i;

	if (m->version) {
		header(&e, "ttyidle_build_info", "gauge",
		       "Version of ttyidle and layout of its pinned maps; always 1.");
		snprintf(abi, sizeof(abi), "%u", TTYIDLE_ABI);
		fputs("ttyidle_build_info", f);
		label(f, "{", "version", m->version);
		label(f, ",", "abi", abi);
		fputs("} 1\n", f);
	}
	if (m->attach_mode)
		labelled(&e, "ttyidle_attach_info", "gauge",
			 "How the BPF programs are attached, fentry or kprobe; always 1.", "mode",
			 m->attach_mode, 1);
	if (m->start_time_sec)
		plain(&e, "ttyidle_start_time_seconds", "gauge", "Unix time the daemon started.",
		      m->start_time_sec);
	plain(&e, "ttyidle_terminals_tracked", "gauge", "Terminals the daemon follows.",
	      m->terminals_tracked);
	plain(&e, "ttyidle_terminals_warning", "gauge", "Terminals warned whose action is pending.",
	      m->terminals_warning);
	plain(&e, "ttyidle_terminals_unresolved", "gauge",
	      "Terminals due whose owner could not be verified; looked at again on use.",
	      m->terminals_unresolved);
	plain(&e, "ttyidle_sessions_ending_released", "gauge",
	      "Sessions still being ended after their terminal was released.",
	      m->sessions_ending_released);
	plain(&e, "ttyidle_events_received_total", "counter",
	      "Ring buffer events consumed since the daemon started.", m->events_received);
	plain(&e, "ttyidle_events_lost_total", "counter",
	      "Ring buffer events the BPF programs could not queue.", m->events_lost);
	plain(&e, "ttyidle_ttys_full_total", "counter",
	      "Terminals not tracked because the ttys map was full.", m->ttys_full);
	plain(&e, "ttyidle_bpf_runs_skipped_total", "counter",
	      "Runs of the BPF programs the kernel skipped (one preempted blocks the next on its "
	      "CPU): bookings lost.",
	      m->bpf_misses);

	/* label values in lexical order, as everywhere below */
	labelled(&e, "ttyidle_map_entries", "gauge", "Entries in a pinned BPF map.", "map", "armed",
		 m->armed_entries);
	labelled(&e, "ttyidle_map_entries", "gauge", "", "map", "ttys", m->ttys_entries);
	if (m->armed_max_entries)
		labelled(&e, "ttyidle_map_max_entries", "gauge", "Capacity of a pinned BPF map.",
			 "map", "armed", m->armed_max_entries);
	if (m->ttys_max_entries)
		labelled(&e, "ttyidle_map_max_entries", "gauge", "Capacity of a pinned BPF map.",
			 "map", "ttys", m->ttys_max_entries);

	labelled(&e, "ttyidle_config_reloads_total", "counter",
		 "Configuration reloads by result; a failed one keeps the policy in force.",
		 "result", "failed", m->reloads_failed);
	labelled(&e, "ttyidle_config_reloads_total", "counter", "", "result", "ok", m->reloads_ok);

	for (i = 0; i < m->nseries; i++) {
		const struct metrics_series *s = &m->series[i];
		const char *name = family_names[s->family];

		header(&e, name, "counter", family_help[s->family]);
		fputs(name, f);
		label(f, "{", "rule", s->rule);
		label(f, ",", "outcome", s->outcome);
		fprintf(f, "} %" PRIu64 "\n", s->value);
	}
	plain(&e, "ttyidle_metrics_series_dropped_total", "counter",
	      "Counts not kept because the series limit was reached.", m->series_dropped);
	return ferror(f) ? -EIO : 0;
}

int metrics_write_atomic(const struct metrics *m, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = NULL, *dir = NULL;
	FILE *f = NULL;
	int fd = -1, r;

	if (!*base) {
		snprintf(err, errlen, "%s: names a directory, expected a file", path);
		return -EISDIR;
	}
	/* same directory, so rename(2) replaces path in one step; hidden and not *.prom */
	if (asprintf(&tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, base) < 0)
		tmp = NULL;
	if (asprintf(&dir, "%.*s", dirlen ? (int)dirlen : 1, dirlen ? path : ".") < 0)
		dir = NULL;
	if (!tmp || !dir) {
		free(tmp);
		tmp = NULL; /* not created yet: nothing to unlink */
		r = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot create a temporary file in %s: %s", path, dir,
			 strerror(-r));
		free(tmp);
		tmp = NULL; /* nothing to remove */
		goto out;
	}
	/* readable by the collector (often another user), whatever our umask */
	if (fchmod(fd, 0644) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot chmod %s: %s", path, tmp, strerror(-r));
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	fd = -1;
	r = metrics_format(m, f);
	if (r == 0 && fflush(f))
		r = -errno;
	if (r == 0 && fsync(fileno(f)))
		r = -errno;
	if (fclose(f) && r == 0)
		r = -errno;
	f = NULL;
	if (r) {
		snprintf(err, errlen, "%s: cannot write %s: %s", path, tmp, strerror(-r));
		goto out;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot rename %s over it: %s", path, tmp, strerror(-r));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* make the rename itself durable; a file system that cannot is no reason to fail */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	fd = -1;
	r = 0;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	return r;
}
