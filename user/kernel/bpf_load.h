/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_BPF_LOAD_H
#define TTYIDLE_BPF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "ttyidle.h"

struct ttyidle_bpf;
struct bpf_link;

#define MAX_LINKS 8

/* The kernel side as the daemon holds it: freshly attached or adopted from pins. */
struct bpf_state {
	struct ttyidle_bpf *skel; /* NULL when adopted from pins */
	int ttys_fd;
	int armed_fd;
	int events_fd;
	int ctl_fd;
	int stats_fd;
	int ending_fd; /* -1: none pinned (status of an older version's pins) */
	enum attach_mode mode;
	bool adopted;	   /* programs were already attached (pinned links) */
	bool links_pinned; /* false on kernels that cannot pin kprobe links (< 5.15) */
	struct bpf_link *links[MAX_LINKS]; /* only links that could not be pinned */
	int nlinks;
	char note[256];	 /* why links are not pinned, when they are not */
	char note2[256]; /* the n_tty_read kretprobe fell back to the default instance pool */
};

/*
 * Attach (trying fentry first unless `want` forces a mode) or adopt the
 * pinned programs and maps under TTYIDLE_PIN_DIR. On failure returns -errno
 * and writes one line saying why into err.
 */
int bpf_state_open(struct bpf_state *st, enum attach_mode want, bool verbose, char *err,
		   size_t errlen);

/* Close fds; pinned objects stay, so observation continues without us. */
void bpf_state_close(struct bpf_state *st);

/* Open the pinned maps only (for `status`); -ENOENT when nothing is pinned. */
int bpf_maps_open_pinned(struct bpf_state *st, char *err, size_t errlen);

/* Remove every pin under TTYIDLE_PIN_DIR: programs detach, maps are freed. */
int bpf_unpin_all(int *removed, char *err, size_t errlen);

int ctl_read(const struct bpf_state *st, struct ttyidle_ctl *out);
int ctl_write(const struct bpf_state *st, const struct ttyidle_ctl *in);
int stats_read(const struct bpf_state *st, struct ttyidle_stats *out);

/*
 * Runs of ttyidle's programs the kernel skipped (bpf_prog_info's
 * recursion_misses, summed over the attached programs): a tracing program
 * preempted on a CPU blocks further runs of itself there, so on a preemptible
 * kernel a busy host can lose bookings. 0 or -errno.
 */
int bpf_prog_misses(const struct bpf_state *st, uint64_t *out);

typedef int (*map_walk_fn)(const void *key, const void *val, void *ctx);

/*
 * Call fn(key, value, ctx) for each entry of the map fd (keys of keysz
 * bytes; values of valsz bytes, or val NULL when valsz is 0 and no value is
 * read). An entry deleted between finding its key and reading its value is
 * skipped. fn may delete the entry it is given, and only that one: a hash
 * map's walk then goes on from its first key left, so fn must delete every
 * entry or none (else entries are seen twice). A nonzero return of fn stops
 * the walk and is returned; otherwise 0 or -errno.
 */
int map_walk(int fd, size_t keysz, size_t valsz, map_walk_fn fn, void *ctx);

const char *attach_mode_name(enum attach_mode m);
int attach_mode_parse(const char *s, enum attach_mode *out);

#endif
