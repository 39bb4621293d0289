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

/* One line for an unknown option seen by getopt_long; returns EXIT_USAGE. */
int cmd_bad_option(const char *cmd, char **argv);

/* Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
#define EXIT_USAGE 2

#endif
