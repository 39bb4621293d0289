/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TTYIDLE_LOG_H
#define TTYIDLE_LOG_H

#include <stdbool.h>
#include <syslog.h>
#include <sys/types.h>

/*
 * Daemon log lines on stderr. Under systemd (JOURNAL_STREAM names our
 * stderr) each line carries a "<N>" priority prefix that journald strips and
 * files as PRIORITY=; elsewhere lines are plain "ttyidle: ...". The
 * formatted message is written in the terminal form of textsafe.h (controls
 * and invalid UTF-8 as \xNN, a backslash as \\): always one line.
 */
void log_init(bool verbose);
/*
 * Is stderr the journal? Decided once (log_init starts over): the one test
 * the log, the audit records and their journal fields all go by.
 */
bool log_to_journal(void);
/* Does JOURNAL_STREAM's value env ("DEV:INO", decimal, nothing else) name the file dev:ino? */
bool journal_stream_matches(const char *env, dev_t dev, ino_t ino);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
