/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Telling the service manager where the daemon is, sd_notify(3) style:
 * READY=1 once the programs are attached and the policy is loaded (the unit
 * is Type=notify, so `systemctl start` returns only then), RELOADING=1 and
 * READY=1 around a SIGHUP reload, STOPPING=1 on the way out, WATCHDOG=1
 * while the loop turns (WatchdogSec=), and STATUS= lines that `systemctl
 * status` shows.
 *
 * Built with libsystemd (the Makefile defines TTYIDLE_HAVE_LIBSYSTEMD for the
 * daemon's object when `pkg-config libsystemd` finds it), notify_send() is
 * sd_notify(). Without it, the same datagram is sent to $NOTIFY_SOCKET by
 * notify_send_to(), which implements the stable protocol of sd_notify(3):
 * one AF_UNIX datagram of newline-separated VAR=VALUE assignments, to a path
 * ("/run/systemd/notify") or an abstract address ("@name").
 *
 * Without NOTIFY_SOCKET (no systemd, or not Type=notify) every call is a
 * no-op returning 0, so ttyidle runs the same on hosts without systemd.
 * Nothing here logs: callers decide whether a failure is worth a line.
 */
#ifndef TTYIDLE_NOTIFY_H
#define TTYIDLE_NOTIFY_H

#include <stddef.h>

/* Longest STATUS= text sent; longer text is cut at a UTF-8 boundary. */
#define NOTIFY_STATUS_MAX 256

/*
 * Send state (e.g. "READY=1\nSTATUS=...") to $NOTIFY_SOCKET. Returns 1 if it
 * was sent, 0 if NOTIFY_SOCKET is unset or empty, or -errno.
 */
int notify_send(const char *state);

/*
 * The protocol without libsystemd: send state to the socket named by addr,
 * a NOTIFY_SOCKET value. Same returns as notify_send(); -EINVAL for an
 * address that is neither absolute nor abstract, -EAFNOSUPPORT for other
 * transports (vsock), -ENAMETOOLONG if it does not fit a sockaddr_un.
 */
int notify_send_to(const char *addr, const char *state);

/* READY=1, with STATUS=status when status is not NULL. */
int notify_ready(const char *status);

/* RELOADING=1 with MONOTONIC_USEC= (required by Type=notify-reload, harmless before). */
int notify_reloading(void);

/* STOPPING=1. */
int notify_stopping(void);

/* WATCHDOG=1: the loop has turned (sent from its periodic timer only). */
int notify_watchdog(void);

/*
 * The watchdog interval the service manager asks for, sd_watchdog_enabled(3)
 * style: usec and pid are $WATCHDOG_USEC and $WATCHDOG_PID (either may be
 * NULL), self our pid. *out is the interval in microseconds, 0 when there is
 * no watchdog (WATCHDOG_USEC unset or empty, or WATCHDOG_PID names another
 * process). Returns 0, or -EINVAL for a value that is not a positive
 * decimal number (then *out is 0).
 */
int notify_watchdog_usec(const char *usec, const char *pid, long self, unsigned long long *out);

/* STATUS=<printf text>; newlines and other control bytes become spaces, so
 * that the text cannot add an assignment of its own. */
int notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Build the STATUS= line into buf as notify_status() does (for tests and callers that
 * combine assignments). Returns its length, or -ENOSPC if buf is too small. */
int notify_format_status(char *buf, size_t len, const char *text);

#endif /* TTYIDLE_NOTIFY_H */
