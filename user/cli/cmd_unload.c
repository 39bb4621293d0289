// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/bpf_load.h"
#include "cli/cmd.h"
#include "host/preflight.h"

/* 1: TTYIDLE_PIN_DIR holds something; 0: absent or empty; -errno. */
static int pins_present(void)
{
	DIR *d = opendir(TTYIDLE_PIN_DIR);
	struct dirent *de;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n = 1;
	closedir(d);
	return n;
}

/*
 * --if-incompatible: are the pins ones this ttyidle cannot adopt? The same
 * test as `status` and `run` (bpf_maps_open_pinned: the ctl map's layout
 * number and size, then every map this version reads). 1: another layout
 * (why in err); 0: this version's layout or nothing pinned; -errno: cannot
 * tell (why in err), and then nothing is removed.
 */
static int pins_incompatible(char *err, size_t errlen)
{
	struct bpf_state st;
	int r = pins_present();

	if (r < 0) {
		snprintf(err, errlen, "cannot open %s: %s", TTYIDLE_PIN_DIR, strerror(-r));
		return r;
	}
	if (r == 0)
		return 0;
	r = bpf_maps_open_pinned(&st, err, errlen);
	if (r == 0) {
		bpf_state_close(&st);
		return 0;
	}
	/* -EPROTO: another layout; -ENOENT: a map this version reads is missing */
	if (r == -EPROTO || r == -ENOENT) {
		char *advice = strstr(err, ": run `ttyidle unload`");

		if (advice) /* that is what the caller is doing */
			*advice = 0;
		if (r == -ENOENT)
			snprintf(err, errlen, "a map this ttyidle reads is missing under %s",
				 TTYIDLE_PIN_DIR);
		return 1;
	}
	return r;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ttyidle unload [--if-incompatible [--check]]\n\n"
		"Detach the BPF programs and remove every pin under %s.\n"
		"Idle history is discarded.\n"
		"  --if-incompatible  only when the pins are of a layout this ttyidle cannot\n"
		"                     adopt (left by another version): pins it can adopt stay,\n"
		"                     and so do the idle clocks (package upgrades use this)\n"
		"  --check            with --if-incompatible: remove nothing; exit 0 when the\n"
		"                     pins can stay (or nothing is pinned), 3 when they would\n"
		"                     be removed\n",
		TTYIDLE_PIN_DIR);
}

#define EXIT_INCOMPATIBLE 3

int do_unload(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"if-incompatible", no_argument, NULL, 'i'},
	    {"check", no_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	bool only_incompatible = false, check = false;
	char err[512], why[512];
	int c, n;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			only_incompatible = true;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cmd_bad_option("unload", argv, c);
		}
	}
	if (optind < argc) {
		cmd_error("unload", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (check && !only_incompatible) {
		cmd_error("unload", "--check goes with --if-incompatible");
		return EXIT_USAGE;
	}
	if (preflight_bpffs("/sys/fs/bpf", err, sizeof(err))) {
		cmd_error("unload", "%s", err);
		return 1;
	}
	if (only_incompatible) {
		int r = pins_incompatible(why, sizeof(why));

		if (r < 0) {
			cmd_error("unload",
				  "cannot tell whether the pins under %s are of this "
				  "version's layout: %s",
				  TTYIDLE_PIN_DIR, why);
			return 1;
		}
		if (r == 0) {
			if (pins_present() > 0)
				printf("pins under %s are of this version's layout: kept\n",
				       TTYIDLE_PIN_DIR);
			else
				printf("nothing was pinned under %s\n", TTYIDLE_PIN_DIR);
			return 0;
		}
		if (check) {
			printf("pins under %s would be removed: %s\n", TTYIDLE_PIN_DIR, why);
			return EXIT_INCOMPATIBLE;
		}
	}
	if (bpf_unpin_all(&n, err, sizeof(err))) {
		cmd_error("unload", "%s", err);
		return 1;
	}
	if (n == 0)
		printf("nothing was pinned under %s\n", TTYIDLE_PIN_DIR);
	else if (only_incompatible)
		printf("removed %d pins of another layout under %s (%s); programs detached\n", n,
		       TTYIDLE_PIN_DIR, why);
	else
		printf("removed %d pins under %s; programs detached\n", n, TTYIDLE_PIN_DIR);
	return 0;
}
