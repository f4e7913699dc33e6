/* timerfd: a file that counts the expiries of a kernel timer (Linux's
 * fs/timerfd.c). */
#ifndef CVISOR_TIMERFD_H
#define CVISOR_TIMERFD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct file;
struct task;

/* A new timerfd on CLOCK (checked by the caller) with the O_NONBLOCK of
 * FLAGS, open for reading and writing. */
struct file *timerfd_new(struct task *t, clockid_t clock, int flags);
/* Arms F (VALUE 0 disarms) and gives the old setting; the count of
 * expiries restarts at 0. -EINVAL if F is no timerfd. */
int tfd_settime(struct task *t, struct file *f, bool abs, int64_t value, int64_t interval,
		    int64_t *old_value, int64_t *old_interval);
int tfd_gettime(struct file *f, int64_t *value, int64_t *interval);

#endif
