/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_PREFLIGHT_H
#define TTYIDLE_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>

/* Checks made before touching the kernel, each failing with one line in err. */

/* Capability numbers (linux/capability.h), kept here so old headers do not matter. */
#define CAPN_DAC_OVERRIDE 1
#define CAPN_KILL	  5
#define CAPN_SYS_PTRACE	  19
#define CAPN_SYS_ADMIN	  21
#define CAPN_PERFMON	  38
#define CAPN_BPF	  39

/* Parse the CapEff line of a /proc/PID/status text. */
int caps_parse_status(const char *status_text, uint64_t *capeff);
/* Names of the capabilities in `need` missing from `have`, comma separated. */
int caps_missing(uint64_t have, uint64_t need, char *out, size_t outlen);

int preflight_caps(const char *proc_status_path, uint64_t need, char *err, size_t errlen);
int preflight_btf(const char *btf_path, char *err, size_t errlen);
int preflight_bpffs(const char *dir, char *err, size_t errlen);

/* Single instance: a held flock on `path`; -EBUSY names the holder's pid. */
int instance_lock(const char *path, int *fd, char *err, size_t errlen);

#endif
