/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_CMD_H
#define TTYIDLE_CMD_H

#include <stdbool.h>

/* Options that come before the command word. */
struct gopts {
	bool json;
	bool verbose;
};

extern struct gopts gopts;

int do_run(int argc, char **argv);
int do_status(int argc, char **argv);
int do_unload(int argc, char **argv);
int do_check_config(int argc, char **argv);
int do_explain(int argc, char **argv);

/* One line "ttyidle: CMD: msg" on stderr, for command errors. */
void cmd_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * One line for a bad option seen by getopt_long (whose optstring starts
 * with ':'): c is what it returned, ':' for a missing value, '?' for an
 * unknown option. Returns EXIT_USAGE.
 */
int cmd_bad_option(const char *cmd, char **argv, int c);

/*
 * The configuration paths of --config FILE / --config-dir DIR: "" means
 * none (NULL: only the built-in policy, or no drop-ins); a path the
 * operator named (conf_named, dir_named) must exist, only the default ones
 * may be absent. Returns the POLICY_LOAD_NEED_* flags for policy_load().
 */
unsigned cmd_conf_paths(const char **conf, bool conf_named, const char **dir, bool dir_named);

/* Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
#define EXIT_USAGE 2

#endif
