// SPDX-License-Identifier: GPL-2.0
/*
 * ttyidle: end idle login sessions using what the kernel sees on each terminal.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmd.h"
#include "lib/log.h"
#include "policy/config.h"

struct gopts gopts;

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
    {"run", do_run, "attach (or adopt) the BPF programs and enforce the idle policy"},
    {"status", do_status, "list tracked terminals from the pinned map (--json)"},
    {"unload", do_unload, "detach the programs and remove every pin"},
    {"check-config", do_check_config, "validate a configuration and print the effective policy"},
    {"explain", do_explain, "say which rule applies to a user/terminal and why"},
};

void cmd_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ttyidle: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cmd_bad_option(const char *cmd, char **argv, int c)
{
	const char *opt = argv[optind - 1];
	char shortopt[3] = {'-', (char)optopt, 0};
	char pre[64] = "ttyidle: ", see[64] = "ttyidle --help";
	int len;

	/* getopt leaves optind past the bad word; a bad short flag has optopt set */
	if (optopt && opt[0] == '-' && opt[1] != '-')
		opt = shortopt;
	/* "--name=value": the name is enough */
	len = (int)strcspn(opt, "=");
	if (cmd) {
		snprintf(pre, sizeof(pre), "ttyidle: %s: ", cmd);
		snprintf(see, sizeof(see), "ttyidle %s --help", cmd);
	}
	if (c == ':')
		fprintf(stderr, "%soption '%.*s' needs a value (see `%s`)\n", pre, len, opt, see);
	else
		fprintf(stderr, "%sunknown option '%.*s' (see `%s`)\n", pre, len, opt, see);
	return EXIT_USAGE;
}

unsigned cmd_conf_paths(const char **conf, bool conf_named, const char **dir, bool dir_named)
{
	unsigned flags = 0;

	if (conf_named && !**conf)
		*conf = NULL;
	else if (conf_named)
		flags |= POLICY_LOAD_NEED_MAIN;
	if (dir_named && *dir && !**dir)
		*dir = NULL;
	else if (dir_named && *dir)
		flags |= POLICY_LOAD_NEED_DIR;
	return flags;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: ttyidle [--json] [-v] COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-13s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nGlobal options:\n"
		   "  -j, --json     machine-readable output where a command lists things\n"
		   "  -v, --verbose  debug logging (libbpf messages included)\n"
		   "  -h, --help     this help; `ttyidle COMMAND --help` for a command\n"
		   "  -V, --version  print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {},
	};
	size_t i;
	int c;

	opterr = 0; /* our own one-line messages, naming the command */
	/* '+' stops at the command word: its options are its own */
	while ((c = getopt_long(argc, argv, "+:jvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			gopts.json = true;
			break;
		case 'v':
			gopts.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ttyidle %s\n", TTYIDLE_VERSION);
			return 0;
		default:
			return cmd_bad_option(NULL, argv, c);
		}
	}
	log_init(gopts.verbose);
	if (optind >= argc) {
		fprintf(stderr, "ttyidle: no command given (one of: run, status, unload, "
				"check-config, explain; see `ttyidle --help`)\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[optind], cmds[i].name)) {
			argc -= optind;
			argv += optind;
			optind = 0; /* reset getopt for the command's own options */
			opterr = 0;
			return cmds[i].fn(argc, argv);
		}
	}
	fprintf(stderr, "ttyidle: unknown command '%s' (see `ttyidle --help`)\n", argv[optind]);
	return EXIT_USAGE;
}
