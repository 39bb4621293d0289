// SPDX-License-Identifier: GPL-2.0
/*
 * sd_notify(3) for the daemon; see notify.h. The fallback below is the
 * documented datagram protocol, so a build without libsystemd behaves the
 * same under systemd.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifdef TTYIDLE_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "daemon/notify.h"

int notify_send_to(const char *addr, const char *state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t alen, n = strlen(state);
	socklen_t salen;
	ssize_t w;
	int fd, r;

	if (!addr || !*addr)
		return 0;
	if (addr[0] != '/' && addr[0] != '@')
		return strncmp(addr, "vsock:", 6) ? -EINVAL : -EAFNOSUPPORT;
	alen = strlen(addr);
	/* a path needs room for its NUL; an abstract name is counted, not terminated */
	if (alen > sizeof(sa.sun_path) - (addr[0] == '/'))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, addr, alen);
	if (addr[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + alen + (addr[0] == '/'));

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * No SCM_CREDENTIALS needed: systemd's socket has SO_PASSCRED, so the
	 * kernel attaches our pid, which NotifyAccess=main checks.
	 */
	do
		w = sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		r = -errno;
	else
		r = (size_t)w == n ? 1 : -EMSGSIZE;
	close(fd);
	return r;
}

int notify_send(const char *state)
{
#ifdef TTYIDLE_HAVE_LIBSYSTEMD
	return sd_notify(0, state);
#else
	return notify_send_to(getenv("NOTIFY_SOCKET"), state);
#endif
}

int notify_format_status(char *buf, size_t len, const char *text)
{
	static const char pre[] = "STATUS=";
	size_t n = strlen(text), i;

	if (n > NOTIFY_STATUS_MAX) {
		n = NOTIFY_STATUS_MAX;
		/* do not cut a UTF-8 sequence: back up to the byte that starts one */
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	if (sizeof(pre) + n > len)
		return -ENOSPC;
	memcpy(buf, pre, sizeof(pre) - 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		/* a newline would start an assignment of its own */
		buf[sizeof(pre) - 1 + i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	buf[sizeof(pre) - 1 + n] = '\0';
	return (int)(sizeof(pre) - 1 + n);
}

int notify_ready(const char *status)
{
	char buf[sizeof("READY=1\nSTATUS=") + NOTIFY_STATUS_MAX];

	if (!status)
		return notify_send("READY=1");
	memcpy(buf, "READY=1\n", 8);
	if (notify_format_status(buf + 8, sizeof(buf) - 8, status) < 0)
		return -ENOSPC;
	return notify_send(buf);
}

int notify_reloading(void)
{
	char buf[64];
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -errno;
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
		     (unsigned long long)ts.tv_nsec / 1000);
	return notify_send(buf);
}

int notify_stopping(void)
{
	return notify_send("STOPPING=1");
}

int notify_watchdog(void)
{
	return notify_send("WATCHDOG=1");
}

/* A positive decimal number without sign, space or junk: 0 or -EINVAL. */
static int positive(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int notify_watchdog_usec(const char *usec, const char *pid, long self, unsigned long long *out)
{
	unsigned long long v, p;

	*out = 0;
	if (!usec || !*usec)
		return 0;
	if (positive(usec, &v))
		return -EINVAL;
	if (pid && *pid) {
		if (positive(pid, &p))
			return -EINVAL;
		if (p != (unsigned long long)self)
			return 0; /* meant for another process of the unit */
	}
	*out = v;
	return 0;
}

int notify_status(const char *fmt, ...)
{
	/* room past the limit, so a cut by vsnprintf is never the one that counts */
	char text[NOTIFY_STATUS_MAX + 8], buf[sizeof("STATUS=") + NOTIFY_STATUS_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (notify_format_status(buf, sizeof(buf), text) < 0)
		return -ENOSPC;
	return notify_send(buf);
}
