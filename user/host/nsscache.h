/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User and group names without blocking the daemon's loop.
 *
 * With LDAP or sssd, one getpwuid_r can take seconds (a directory timing
 * out); in the one event loop that would stall every user's warnings and
 * hangups. The cache answers from memory and leaves misses to one worker
 * thread: a miss returns "pending" at once, the lookup runs off the loop,
 * and the cache's eventfd becomes readable when an answer has landed, so
 * the daemon looks again at whatever waited for it.
 *
 * An entry older than its lifetime is still served (names rarely change,
 * and an old name is better than a stall) while a refresh is queued. A
 * name the database does not have is cached as the number. Entries are
 * bounded: uids and gids of sessions come from root-run logins, yet a full
 * table is emptied rather than grown.
 *
 * With no cache (NULL), nss_name() asks NSS directly: for one-shot commands
 * such as `ttyidle status`.
 */
#ifndef TTYIDLE_NSSCACHE_H
#define TTYIDLE_NSSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NSS_CACHE_MAX	 4096
#define NSS_CACHE_TTL_NS (300 * 1000000000ULL)

enum nss_kind {
	NSS_USER = 0,
	NSS_GROUP,
};

/*
 * Look id up, synchronously: its name into out, or the number if the
 * database has none (or failed); for a user, *gid gets its primary group
 * ((gid_t)-1 if none). The default lookup; tests pass their own.
 */
typedef void (*nss_lookup_fn)(enum nss_kind kind, unsigned int id, char *out, size_t outlen,
			      gid_t *gid);
void nss_lookup_name(enum nss_kind kind, unsigned int id, char *out, size_t outlen, gid_t *gid);

struct nss_cache;

/* A cache whose worker calls fn (NULL: nss_lookup_name). 0 or -errno. */
int nss_cache_new(struct nss_cache **out, nss_lookup_fn fn, uint64_t ttl_ns);
/* Stops the worker (waits for a lookup under way) and frees. NULL is fine. */
void nss_cache_free(struct nss_cache *c);
/* Readable when answers have landed since the last nss_cache_ack(). */
int nss_cache_fd(const struct nss_cache *c);
void nss_cache_ack(struct nss_cache *c);

/*
 * The name of id: 1 and out filled, or 0 when it is being looked up (out
 * gets the number, for messages). With c NULL: looks it up synchronously
 * and returns 1. Lifetimes count on CLOCK_MONOTONIC.
 */
int nss_name(struct nss_cache *c, enum nss_kind kind, unsigned int id, char *out, size_t outlen);
/* The same for a user, with its primary group ((gid_t)-1 if the database has none). */
int nss_user_gid(struct nss_cache *c, unsigned int uid, char *out, size_t outlen, gid_t *gid);

/* Lookups run so far by the worker; for tests and metrics. */
unsigned long nss_cache_lookups(struct nss_cache *c);

#endif
