/* epoll (fs/eventpoll): an epoll file watches (file, fd) pairs and
 * reports their readiness, as Linux's fs/eventpoll.c. The syscalls
 * (sys_epoll.c) copy arguments and results; everything else is here. */
#ifndef CVISOR_EVENTPOLL_H
#define CVISOR_EVENTPOLL_H

#include <sys/epoll.h>
#include <stdbool.h>
#include <stdint.h>

struct creds;
struct file;
struct task;

/* epoll_create1(FLAGS) without the fd: -EINVAL for flags other than
 * EPOLL_CLOEXEC. */
long eventpoll_create(const struct creds *cr, int flags, struct file **out);
bool is_file_epoll(const struct file *f);
/* epoll_ctl(EPF, OP, FD of file TF, EV) once the files are looked up;
 * EV is unused for EPOLL_CTL_DEL. */
long eventpoll_ctl(struct file *epf, int op, struct file *tf, int fd, struct epoll_event *ev);
/* Waits for events of epoll file EPF into EVS (at most MAXEVENTS) until
 * DEADLINE on the sandbox's monotonic clock (0: do not wait, < 0: no
 * deadline). Returns how many, or -EINTR when a signal comes first
 * (epoll_wait is never restarted, not even after a stop). */
long eventpoll_wait(struct task *t, struct file *epf, struct epoll_event *evs, int maxevents,
		    int64_t deadline);

#endif
