/* Terminals. Each terminal the sandbox has is a pseudo-terminal slave of
 * /dev/pts (fs/devpts): its job-control state (the session it is the
 * controlling terminal of, and that session's foreground process group)
 * is kept here, with the rules of Linux's drivers/tty/tty_jobctrl.c
 * (kernel/tty_jobctl.c). A thread group's controlling terminal is
 * tg->ctty; a terminal going away hangs up first, which clears every
 * tg->ctty naming it, so the pointer needs no reference. */
#ifndef CVISOR_TTY_H
#define CVISOR_TTY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

struct kernel;
struct task;
struct thread_group;
struct file;
struct inode;

struct tty {
	struct kernel *k;
	dev_t dev;		/* its device number (/proc/<pid>/stat tty_nr) */
	pid_t sid;		/* [ts] owning session (root pids), 0: none */
	pid_t fg_pgrp;		/* [ts] foreground process group, 0: none */
	/* A new open file of the terminal (/dev/tty), or ERR_PTR. */
	struct file *(*reopen)(struct tty *tty, int flags);
};

/* Makes TTY the controlling terminal of INIT's session (the sandbox's
 * first process, before it runs). */
void tty_attach_init(struct tty *tty, struct thread_group *init);
/* An open of TTY without O_NOCTTY by a session leader that has no
 * controlling terminal makes TTY its own, if TTY is free
 * (tty_open_proc_set_tty). */
void tty_open_set_ctty(struct tty *tty, struct task *t, int flags);
/* Opens /dev/tty: the caller's controlling terminal, or ENXIO. */
struct file *tty_open_ctty(struct inode *inode, int flags);
/* The job-control ioctls of TTY (TIOCGPGRP, TIOCSPGRP, TIOCGSID,
 * TIOCSCTTY, TIOCNOTTY) for T. Returns the result, or -ENOIOCTLCMD for
 * other requests. READABLE: the file is open for reading (TIOCSCTTY
 * needs that). */
long tty_jobctl_ioctl(struct tty *tty, struct task *t, unsigned cmd, uint64_t arg,
		      bool readable);
/* A background job touching its controlling terminal TTY: 0 to go on,
 * -EIO, or -ERESTARTSYS after SIGTTIN / SIGTTOU went to T's process
 * group. Reads check SIGTTIN; writes SIGTTOU when TOSTOP is on; mode
 * changes (tcsetattr, TCFLSH) always SIGTTOU (tty_check_change). */
int tty_check_read(struct tty *tty, struct task *t);
int tty_check_write(struct tty *tty, struct task *t, bool tostop);
int tty_check_change(struct tty *tty, struct task *t);
/* Sends SIG to TTY's foreground process group (keyboard signals,
 * SIGWINCH). */
void tty_signal_fg(struct tty *tty, int sig);
/* The hangup of TTY (its master closed): SIGHUP and SIGCONT to the
 * leader of the session it controls, and no process has it as its
 * controlling terminal any more (tty_signal_session_leader). */
void tty_hangup(struct tty *tty);
/* A session leader's exit (TG, ts_lock held): its terminal's foreground
 * group gets SIGHUP, and the session loses the terminal
 * (disassociate_ctty(1)). */
void tty_session_leader_exit_locked(struct thread_group *tg);
/* setsid: the caller's new session has no controlling terminal. */
void tty_forget_locked(struct thread_group *tg);

/* Pseudo-terminal pairs made by the kernel itself (fs/devpts): for
 * `cvisor do -t`, whose CLI copies between the host terminal and the
 * master. */
/* A new unlocked pair: the master and the slave (opened O_RDWR), or
 * -errno. */
int pty_open_pair(struct kernel *k, struct file **master, struct file **slave);
/* TIOCSWINSZ on the pair of MASTER, from the kernel (SIGWINCH to the
 * foreground process group if the size changed). */
void pty_set_winsize(struct file *master, const struct winsize *ws);
/* The end of the input typed into MASTER (`do -t` with a stdin that is
 * not a terminal): in canonical mode the EOF character twice, ending a
 * partial line and then reading as end of file. */
void pty_send_eof(struct file *master);
/* The terminal of F if F is a pseudo-terminal slave, else NULL. */
struct tty *tty_of_file(struct file *f);

#endif
