/* Logging: the debug log (--debug-log FILE) and user-facing errors. */
#ifndef CVISOR_LOG_H
#define CVISOR_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* Opens FILE as the debug log ("-" means stderr). Returns -errno. */
int log_open(const char *path);
bool log_enabled(void);
/* Writes one line to the debug log, prefixed with time and thread. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes to the debug log and stderr: "cvisor: <message>". */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Fatal sentry bug: logs and aborts the whole sandbox. */
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Strace output (--strace) goes to its own stream, stderr by default. */
extern FILE *strace_stream;

#endif
