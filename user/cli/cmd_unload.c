// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "kernel/bpf_load.h"
#include "cli/cmd.h"
#include "host/preflight.h"

int do_unload(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {}};
	char err[256];
	int c, n;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf(
			    "Usage: ttyidle unload\n\nDetach the BPF programs and remove every pin "
			    "under %s.\nIdle history is discarded.\n",
			    TTYIDLE_PIN_DIR);
			return 0;
		}
		return cmd_bad_option("unload", argv, c);
	}
	if (optind < argc) {
		cmd_error("unload", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (preflight_bpffs("/sys/fs/bpf", err, sizeof(err)) ||
	    bpf_unpin_all(&n, err, sizeof(err))) {
		cmd_error("unload", "%s", err);
		return 1;
	}
	if (n == 0)
		printf("nothing was pinned under %s\n", TTYIDLE_PIN_DIR);
	else
		printf("removed %d pins under %s; programs detached\n", n, TTYIDLE_PIN_DIR);
	return 0;
}
