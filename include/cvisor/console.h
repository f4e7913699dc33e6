/* The console: the host terminal the sandbox's stdio is connected to, as
 * the controlling terminal of PID 1's session. The sentry keeps its job
 * control state (the session that owns it and its foreground process
 * group) itself: the host terminal's own process groups are the host's.
 * This is the TTY layer's job control (drivers/tty/tty_jobctrl.c). */
#ifndef CVISOR_CONSOLE_H
#define CVISOR_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel;
struct task;
struct thread_group;

struct file;
struct inode;

struct console {
	bool present;		/* some stdio file is a host terminal */
	struct file *file;	/* that stdio file (a reference), for /dev/tty */
	pid_t sid;		/* [ts] owning session (root pids), 0: none */
	pid_t fg_pgrp;		/* [ts] foreground process group */
};

/* Makes terminal file F (stdio) the console and the controlling terminal
 * of INIT's session. */
void console_attach_init(struct kernel *k, struct thread_group *init, struct file *f);
/* Opens /dev/tty: the caller's controlling terminal, or ENXIO. */
struct file *console_open_tty(struct inode *inode, int flags);
/* The job-control ioctls of a terminal file (TIOCGPGRP, TIOCSPGRP,
 * TIOCGSID, TIOCSCTTY, TIOCNOTTY). Returns the result, or -ENOIOCTLCMD
 * for other requests. READABLE: the file is open for reading (TIOCSCTTY
 * needs that). */
long console_ioctl(struct task *t, unsigned cmd, uint64_t arg, bool readable);
/* Whether T may read from / write to the console now: 0, or -EIO, or
 * -ERESTARTSYS after SIGTTIN / SIGTTOU went to T's process group (a
 * background job). TOSTOP: the terminal's TOSTOP mode is on. */
int console_check_read(struct task *t);
int console_check_write(struct task *t, bool tostop);
/* setsid: the caller's new session has no controlling terminal. */
void console_forget_locked(struct thread_group *tg);

#endif
