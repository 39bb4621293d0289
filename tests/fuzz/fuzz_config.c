// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration parser fuzzer. Beyond "no crash, no leak, no UB" it checks:
 *  - a rejected input leaves the previous policy untouched and yields one
 *    line starting with "fuzz.conf:";
 *  - an accepted input passes the round trip of roundtrip.h;
 *  - matching, deadlines and warning texts work on whatever was accepted.
 */
#include <errno.h>
#include <stdbool.h>
#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/config.h"
#include "policy/deadline.h"
#include "policy/duration.h"
#include "policy/rules.h"
#include "policy/warntext.h"
#include "roundtrip.h"

static void exercise(const struct policy *p)
{
	static const gid_t gids[] = {0, 10, 1000};
	static const char *const groups[] = {"root", "wheel", "alice"};
	static const char *const users[] = {"root", "alice", NULL};
	static const char *const ttys[] = {"pts/3", "tty1", "ttyS0", NULL};
	static const char *const hosts[] = {"10.0.0.1", "Host.Example.COM", "", NULL};
	struct tty_rec rec = {.first_ns = 5, .in_ns = 1000000000ULL, .out_ns = 7000000000000ULL};
	char buf[1024];
	FILE *null = fopen("/dev/null", "w");
	size_t u, t, h;
	int o;

	for (u = 0; u < 3; u++)
		for (t = 0; t < 4; t++)
			for (h = 0; h < 4; h++)
				for (o = 0; o < ORIGIN_MAX; o++) {
					struct subject s = {
					    .user = users[u],
					    .uid = (uid_t)(u * 1000),
					    .gids = gids,
					    .ngids = u + 1,
					    .groups = groups,
					    .ngroups = u + 1,
					    .tty = ttys[t],
					    .service = "sshd",
					    .host = hosts[h],
					    .origin = (enum origin)o,
					};
					const struct rule *r = rules_match(p, &s);
					struct verdict v;
					struct warn_vars wv = {s.user, s.tty, 0, 0};

					deadline_decide(&rec, r, 3600000000000ULL, &v);
					if (r) {
						wv.left_ns = v.deadline_ns - v.warn_ns;
						wv.timeout_ns = r->s.idle_ns;
						if (warntext_format(r->s.message, &wv, buf,
								    sizeof(buf)) == -EINVAL)
							abort();
						if (rule_describe(r, buf, sizeof(buf)) < 0)
							abort();
					}
					if (null && t == 0 && h == 0 &&
					    rules_explain(p, &s, null) != r)
						abort();
				}
	if (null)
		fclose(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy keep;
	struct policy p = {0};
	char err[512];
	uint64_t ns, back;

	if (!keep.global.name && policy_load_default(&keep, err, sizeof(err)) < 0)
		abort();

	/* Small inputs double as durations: format must parse back. */
	if (size < 48) {
		char s[48];

		memcpy(s, data, size);
		s[size] = '\0';
		if (duration_parse(s, &ns, NULL, NULL) == 0) {
			char f[DURATION_FMT_MAX];

			duration_format(ns, f, sizeof(f));
			if (duration_parse(f, &back, NULL, NULL) != 0 ||
			    back != (ns % 1000
					 ? (ns / 1000 + (ns / 1000 < UINT64_MAX / 1000)) * 1000
					 : ns))
				abort();
		}
	}

	if (policy_load_buffer(&keep, "fuzz.conf", data, size, err, sizeof(err)) < 0) {
		/* Rejected: one line naming the input, previous policy kept. */
		if (strncmp(err, "fuzz.conf:", 10) != 0 || strchr(err, '\n') ||
		    keep.nsources != 1 || keep.nrules != 0 ||
		    keep.global.s.idle_ns != 15 * NSEC_PER_MIN)
			abort();
		return 0;
	}
	/* Accepted: round-trip it; the next rejection check wants the default back. */
	p = keep;
	memset(&keep, 0, sizeof(keep));
	if (policy_load_default(&keep, err, sizeof(err)) < 0)
		abort();
	exercise(&p);
	roundtrip_check(&p);
	policy_free(&p);
	return 0;
}
