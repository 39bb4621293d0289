// SPDX-License-Identifier: GPL-2.0
/*
 * One "key = value" line, fuzzed on its own. fuzz_config mutates whole files,
 * so most of its executions are spent on structure and a value is rarely
 * rewritten into the one shape a key's normalisation gets wrong (it took a
 * long run to turn "tty = /dev/ttyS*" into "/dev//dev/ttyS*"). Here every
 * execution is one key's value, checked against the round trip of
 * roundtrip.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/config.h"
#include "roundtrip.h"

/* Where each key may stand: a setting is tried in [global] and in a rule. */
static const struct {
	const char *key, *heads[2];
} keys[] = {
    {"idle-timeout", {"[global]\n", "[rule f]\nuid = 0\n"}},
    {"warn-before", {"[global]\n", "[rule f]\nuid = 0\n"}},
    {"activity", {"[global]\n", "[rule f]\nuid = 0\n"}},
    {"action", {"[global]\n", "[rule f]\nuid = 0\n"}},
    {"signal-delays", {"[global]\n", "[rule f]\nuid = 0\n"}},
    {"warn-message", {"[global]\n", "[rule f]\nuid = 0\n"}},
    {"scope", {"[global]\n", "[global]\n"}},
    {"user", {"[rule f]\n", "[rule f]\n"}},
    {"group", {"[rule f]\n", "[rule f]\n"}},
    {"uid", {"[rule f]\n", "[rule f]\n"}},
    {"tty", {"[rule f]\n", "[rule f]\n"}},
    {"service", {"[rule f]\n", "[rule f]\n"}},
    {"host", {"[rule f]\n", "[rule f]\n"}},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/*
 * The first byte picks the key and the section, the rest is the value: a
 * mutation of the value never breaks the key, so every execution tests what
 * some key's parser makes of a value.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[3 * CONF_LINE_MAX];
	struct policy p = {0};
	char err[512];
	unsigned k;
	int n;

	if (size < 1 || size > CONF_LINE_MAX || memchr(data, '\n', size))
		return 0;
	k = data[0] % NKEYS;
	n = snprintf(text, sizeof(text), "%s%s = ", keys[k].heads[(data[0] / NKEYS) & 1],
		     keys[k].key);
	memcpy(text + n, data + 1, size - 1);
	text[n + size - 1] = '\n';
	if (policy_load_buffer(&p, "v.conf", text, (size_t)n + size, err, sizeof(err)) < 0) {
		/* The one-line error contract, as fuzz_config checks it. */
		if (strncmp(err, "v.conf:", 7) != 0 || strchr(err, '\n'))
			abort();
		return 0;
	}
	roundtrip_check(&p);
	policy_free(&p);
	return 0;
}
