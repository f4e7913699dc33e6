/* The host side of `cvisor do -t` (tty_relay.c). */
#ifndef CVISOR_RUNTIME_TTY_RELAY_H
#define CVISOR_RUNTIME_TTY_RELAY_H

struct kernel;
struct file;
struct tty_relay;

/* Makes a pty pair in K, puts the host terminal IN_FD in raw mode (if it
 * is one) and starts copying: keys from IN_FD to the master, the
 * master's output to OUT_FD. *SLAVE gets the slave (a reference) for the
 * sandbox's stdio. NULL if no pair could be made. */
struct tty_relay *tty_relay_start(struct kernel *k, int in_fd, int out_fd, struct file **slave);
/* The host terminal's size changed (SIGWINCH): R's pty gets it. */
void tty_relay_winch(struct tty_relay *r);
/* After the sandbox ended: copies the last output, restores the host
 * terminal's modes, frees R. */
void tty_relay_finish(struct tty_relay *r);

#endif
