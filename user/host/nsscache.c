// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "host/nsscache.h"

#define NSS_BUF_MAX (1024 * 1024)
#define NSS_SLOTS   (2 * NSS_CACHE_MAX) /* open addressing: at most half full */
#define NAME_MAX_   64

struct entry {
	bool used, have, queued;
	enum nss_kind kind;
	unsigned int id;
	uint64_t at_ns; /* when the answer held (or the miss) was asked for */
	gid_t gid;	/* a user's primary group */
	char name[NAME_MAX_];
};

struct nss_cache {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t worker;
	bool stopping, started;
	nss_lookup_fn fn;
	uint64_t ttl_ns;
	int efd;
	struct entry *slots;
	size_t nused;
	/* misses waiting for the worker, as slot numbers: a ring */
	size_t queue[NSS_CACHE_MAX];
	size_t qhead, qlen;
	unsigned long lookups;
};

void nss_lookup_name(enum nss_kind kind, unsigned int id, char *out, size_t outlen, gid_t *gid)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	const char *name = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int r;

	/* the _r calls take a buffer that may be too small (ERANGE): grow it, bounded */
	for (;;) {
		char *nb = realloc(buf, len);

		if (!nb)
			break;
		buf = nb;
		r = kind == NSS_GROUP ? getgrgid_r(id, &gr, buf, len, &gres)
				      : getpwuid_r(id, &pw, buf, len, &pres);
		if (r != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (kind == NSS_GROUP && gres)
		name = gres->gr_name;
	else if (kind == NSS_USER && pres)
		name = pres->pw_name;
	*gid = kind == NSS_USER && pres ? pres->pw_gid : (gid_t)-1;
	if (name && name[0])
		snprintf(out, outlen, "%s", name);
	else
		snprintf(out, outlen, "%u", id);
	free(buf);
}

static size_t slot_of(const struct nss_cache *c, enum nss_kind kind, unsigned int id, bool *found)
{
	uint64_t x = ((uint64_t)kind << 32 | id) * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(x >> 32) % NSS_SLOTS;

	for (; c->slots[i].used; i = (i + 1) % NSS_SLOTS)
		if (c->slots[i].kind == kind && c->slots[i].id == id) {
			*found = true;
			return i;
		}
	*found = false;
	return i;
}

/* Full: keep only what the worker still has to answer (its slots move, so the queue is remade). */
static void shrink(struct nss_cache *c)
{
	struct entry *old = c->slots;
	size_t i, q;
	bool found;

	c->slots = calloc(NSS_SLOTS, sizeof(*c->slots));
	if (!c->slots) {
		c->slots = old;
		return;
	}
	c->nused = 0;
	for (q = 0; q < c->qlen; q++) {
		struct entry *e = &old[c->queue[(c->qhead + q) % NSS_CACHE_MAX]];

		i = slot_of(c, e->kind, e->id, &found);
		c->slots[i] = *e;
		c->queue[(c->qhead + q) % NSS_CACHE_MAX] = i;
		c->nused++;
	}
	free(old);
}

static void *worker(void *arg)
{
	struct nss_cache *c = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		struct entry *e;
		enum nss_kind kind;
		unsigned int id;
		char name[NAME_MAX_];
		gid_t gid = (gid_t)-1;

		while (!c->qlen && !c->stopping)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stopping)
			break;
		e = &c->slots[c->queue[c->qhead]];
		kind = e->kind;
		id = e->id;
		pthread_mutex_unlock(&c->mu);
		c->fn(kind, id, name, sizeof(name), &gid);
		pthread_mutex_lock(&c->mu);
		/* the slot may have moved (shrink): find it again, and only then dequeue */
		{
			bool found;
			size_t i = slot_of(c, kind, id, &found);

			if (found) {
				e = &c->slots[i];
				snprintf(e->name, sizeof(e->name), "%s", name);
				e->gid = gid;
				e->have = true;
				e->queued = false;
			}
		}
		c->qhead = (c->qhead + 1) % NSS_CACHE_MAX;
		c->qlen--;
		c->lookups++;
		if (write(c->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow in practice; a failed write only delays */
		}
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int nss_cache_new(struct nss_cache **out, nss_lookup_fn fn, uint64_t ttl_ns)
{
	struct nss_cache *c = calloc(1, sizeof(*c));
	sigset_t all, old;
	int r;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->fn = fn ? fn : nss_lookup_name;
	c->ttl_ns = ttl_ns;
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->slots = calloc(NSS_SLOTS, sizeof(*c->slots));
	if (c->efd < 0 || !c->slots) {
		r = c->efd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	/* the worker takes no signal: the daemon reads them from its signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&c->worker, NULL, worker, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		goto fail;
	c->started = true;
	*out = c;
	return 0;
fail:
	nss_cache_free(c);
	return r;
}

void nss_cache_free(struct nss_cache *c)
{
	if (!c)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stopping = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->worker, NULL);
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
	}
	if (c->efd >= 0)
		close(c->efd);
	free(c->slots);
	free(c);
}

int nss_cache_fd(const struct nss_cache *c)
{
	return c->efd;
}

void nss_cache_ack(struct nss_cache *c)
{
	uint64_t n;

	while (read(c->efd, &n, sizeof(n)) == sizeof(n))
		;
}

unsigned long nss_cache_lookups(struct nss_cache *c)
{
	unsigned long n;

	pthread_mutex_lock(&c->mu);
	n = c->lookups;
	pthread_mutex_unlock(&c->mu);
	return n;
}

/* Hand the slot to the worker; false if its queue is full. */
static bool enqueue(struct nss_cache *c, size_t i)
{
	if (c->qlen == NSS_CACHE_MAX)
		return false;
	c->queue[(c->qhead + c->qlen) % NSS_CACHE_MAX] = i;
	c->qlen++;
	c->slots[i].queued = true;
	pthread_cond_signal(&c->cv);
	return true;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int lookup(struct nss_cache *c, enum nss_kind kind, unsigned int id, char *out,
		  size_t outlen, gid_t *gid)
{
	uint64_t now_ns;
	struct entry *e;
	bool found;
	size_t i;
	int r;

	*gid = (gid_t)-1;
	if (!c) {
		nss_lookup_name(kind, id, out, outlen, gid);
		return 1;
	}
	now_ns = mono_ns();
	pthread_mutex_lock(&c->mu);
	i = slot_of(c, kind, id, &found);
	if (!found) {
		if (c->nused >= NSS_CACHE_MAX) {
			shrink(c);
			i = slot_of(c, kind, id, &found);
		}
		if (c->nused >= NSS_CACHE_MAX) {
			/* every slot is waiting for the worker: ask again later */
			pthread_mutex_unlock(&c->mu);
			snprintf(out, outlen, "%u", id);
			return 0;
		}
		c->slots[i] = (struct entry){.used = true, .kind = kind, .id = id, .at_ns = now_ns};
		c->nused++;
		enqueue(c, i);
	}
	e = &c->slots[i];
	if (e->have && !e->queued && now_ns - e->at_ns >= c->ttl_ns && enqueue(c, i))
		e->at_ns = now_ns; /* served as it is meanwhile */
	r = e->have;
	if (r) {
		snprintf(out, outlen, "%s", e->name);
		*gid = e->gid;
	} else {
		snprintf(out, outlen, "%u", id);
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

int nss_name(struct nss_cache *c, enum nss_kind kind, unsigned int id, char *out, size_t outlen)
{
	gid_t gid;

	return lookup(c, kind, id, out, outlen, &gid);
}

int nss_user_gid(struct nss_cache *c, unsigned int uid, char *out, size_t outlen, gid_t *gid)
{
	return lookup(c, NSS_USER, uid, out, outlen, gid);
}
