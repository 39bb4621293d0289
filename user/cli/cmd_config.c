// SPDX-License-Identifier: GPL-2.0
/*
 * `ttyidle check-config` and `ttyidle explain`: the policy as the daemon
 * would load it, without touching the kernel.
 */
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "policy/config.h"
#include "policy/rules.h"
#include "host/session.h"
#include "daemon/subject.h"

#define MAX_GROUPS 64

int do_check_config(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config-dir", required_argument, NULL, 'd'},
	    {"plain", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	const char *conf = TTYIDLE_CONF_PATH, *dir = TTYIDLE_CONF_DROPIN;
	bool conf_named = false, dir_named = false;
	struct policy p = {0};
	unsigned flags = 0, need;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, ":d:ph", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			dir_named = true;
			break;
		case 'p':
			flags |= POLICY_PRINT_PLAIN;
			break;
		case 'h':
			printf(
			    "Usage: ttyidle check-config [--config-dir DIR] [--plain] [FILE]\n\n"
			    "Load FILE (default %s) and the drop-ins of DIR (default %s)\n"
			    "exactly as `ttyidle run` would, and print the effective policy.\n"
			    "Exit status 1 and one line file:line:col: ... if anything is wrong.\n"
			    "With FILE given and no --config-dir, drop-ins are not read.\n"
			    "A FILE or DIR named here must exist; '' means none.\n",
			    TTYIDLE_CONF_PATH, TTYIDLE_CONF_DROPIN);
			return 0;
		default:
			return cmd_bad_option("check-config", argv, c);
		}
	}
	if (optind < argc) {
		conf = argv[optind++];
		conf_named = true;
		if (!dir_named)
			dir = NULL;
	}
	if (optind < argc) {
		cmd_error("check-config", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	need = cmd_conf_paths(&conf, conf_named, &dir, dir_named);
	if (policy_load(&p, conf, dir, POLICY_LOAD_STRICT_PERMS | need, err, sizeof(err))) {
		cmd_error("check-config", "%s", err);
		return 1;
	}
	policy_print(&p, stdout, flags);
	policy_free(&p);
	return 0;
}

static enum login_service service_parse(const char *s)
{
	static const enum login_service all[] = {SVC_SSHD, SVC_LOGIN, SVC_MULTIPLEXER,
						 SVC_CONTAINER, SVC_OTHER};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, session_service_name(all[i])))
			return all[i];
	return (enum login_service) - 1;
}

int do_explain(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},    {"tty", required_argument, NULL, 't'},
	    {"service", required_argument, NULL, 's'}, {"host", required_argument, NULL, 'H'},
	    {"config", required_argument, NULL, 'c'},  {"config-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},	       {},
	};
	const char *conf = TTYIDLE_CONF_PATH, *dir = TTYIDLE_CONF_DROPIN;
	const char *user = NULL, *tty = "pts/0", *svc = "sshd", *host = NULL;
	bool conf_named = false, dir_named = false;
	unsigned need;
	gid_t gids[MAX_GROUPS];
	const char *names[MAX_GROUPS];
	char namebuf[MAX_GROUPS][64];
	struct policy p = {0};
	struct subject s = {0};
	enum login_service ls;
	struct passwd *pw;
	int c, i, ngids = MAX_GROUPS;
	char err[512];

	while ((c = getopt_long(argc, argv, ":u:t:s:H:c:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 't':
			tty = optarg;
			break;
		case 's':
			svc = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'c':
			conf = optarg;
			conf_named = true;
			break;
		case 'd':
			dir = optarg;
			dir_named = true;
			break;
		case 'h':
			printf("Usage: ttyidle explain --user USER [--tty pts/N] [--service "
			       "sshd|login|"
			       "container|multiplexer|other]\n"
			       "                       [--host HOST] [--config FILE] [--config-dir "
			       "DIR]\n\n"
			       "Say which rule applies to a session of USER and why each earlier "
			       "rule does not.\n"
			       "Defaults: --tty pts/0 --service sshd, no remote host.\n");
			return 0;
		default:
			return cmd_bad_option("explain", argv, c);
		}
	}
	if (optind < argc) {
		cmd_error("explain", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!user) {
		cmd_error("explain", "--user is required");
		return EXIT_USAGE;
	}
	ls = service_parse(svc);
	if ((int)ls < 0) {
		cmd_error("explain",
			  "--service '%s' is not one of sshd, login, container, "
			  "multiplexer, other",
			  svc);
		return EXIT_USAGE;
	}
	pw = getpwnam(user);
	if (!pw) {
		cmd_error("explain", "no such user '%s' on this host", user);
		return 1;
	}
	if (getgrouplist(user, pw->pw_gid, gids, &ngids) < 0)
		ngids = MAX_GROUPS; /* the first MAX_GROUPS are filled */
	for (i = 0; i < ngids; i++) {
		struct group *g = getgrgid(gids[i]);

		snprintf(namebuf[i], sizeof(namebuf[i]), "%s", g ? g->gr_name : "");
		if (!g)
			snprintf(namebuf[i], sizeof(namebuf[i]), "%u", (unsigned)gids[i]);
		names[i] = namebuf[i];
	}
	s = (struct subject){
	    .user = user,
	    .uid = pw->pw_uid,
	    .gids = gids,
	    .ngids = ngids,
	    .groups = names,
	    .ngroups = ngids,
	    .tty = tty,
	    .service = svc,
	    .host = host,
	    .origin = origin_of_service(ls),
	};
	need = cmd_conf_paths(&conf, conf_named, &dir, dir_named);
	if (policy_load(&p, conf, dir, POLICY_LOAD_STRICT_PERMS | need, err, sizeof(err))) {
		cmd_error("explain", "%s", err);
		return 1;
	}
	rules_explain(&p, &s, stdout);
	policy_free(&p);
	return 0;
}
