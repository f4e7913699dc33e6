/* Pseudo-terminals: shared by the files of src/fs/devpts/.
 *
 * A pair is one struct pty: the master side (/dev/ptmx) and the slave
 * (/dev/pts/N), with Linux's N_TTY line discipline between them
 * (n_tty.c). Bytes written to the master are the terminal's input: they
 * go through input processing, echo and the canonical line editor into
 * the input buffer slave readers take from. Bytes written to the slave
 * go through output processing into the output buffer the master reads.
 *
 * Lock order: devpts lock -> pty->lock -> wait queue locks. The kernel's
 * ts_lock is never taken under pty->lock: signals the line discipline
 * raises are sent after it is dropped. */
#ifndef CVISOR_DEVPTS_INTERNAL_H
#define CVISOR_DEVPTS_INTERNAL_H

#include <asm/termbits.h>
#include <sys/ioctl.h>

#include "cvisor/tty.h"
#include "cvisor/vfs.h"
#include "cvisor/waitqueue.h"

#define PTY_MAJOR 136		/* UNIX98_PTY_SLAVE_MAJOR */
#define PTY_MAX 1024		/* pseudo-terminals per kernel (Linux's default max) */
#define N_TTY_BUF_SIZE 4096	/* the input buffer, as Linux's */
#define PTY_OUT_SIZE 8192	/* output the master has not read */

struct devpts;

struct pty {
	struct tty tty;			/* job control; tty.dev is 136:index */
	struct devpts *fs;
	int index;
	_Atomic int refs;		/* the master file, each slave file */
	bool removed;			/* [devpts lock] no /dev/pts entry */
	struct inode *slave_inode;	/* /dev/pts/N (a reference) */
	pthread_mutex_t lock;
	/* [lock] */
	struct termios2 termios;	/* the slave's: the line discipline's */
	struct termios2 master_termios;	/* kept, not applied (master is raw) */
	struct winsize ws;
	bool locked;			/* TIOCSPTLCK: slaves cannot open */
	bool hung_up;			/* the master closed */
	int slaves;			/* open slave files */
	bool slave_opened;		/* ever (the master sees HUP after) */
	/* Input: [0, in_len) waits for slave readers; [0, canon_len) is
	 * whole lines in canonical mode. in_flags marks line ends, and EOF
	 * characters, which end a line but are not read. */
	unsigned char in[N_TTY_BUF_SIZE];
	unsigned char in_flags[N_TTY_BUF_SIZE];
	size_t in_len, canon_len;
	/* Output for the master: a ring. */
	unsigned char out[PTY_OUT_SIZE];
	size_t out_head, out_len;
	/* The slave side can read or write (slave readers, slave writers,
	 * their pollers); the master side can (the same for the master). */
	struct waitqueue slave_wq;
	struct waitqueue master_wq;
};

#define IN_EOL 0x1		/* ends a line */
#define IN_EOF 0x2		/* an EOF character: ends a line, not read */

struct pty *pty_get(struct pty *p);
void pty_put(struct pty *p);
/* The pty of a master or slave file. */
struct pty *PTY(struct file *f);
/* The ioctls of each end (pty_ioctl.c). */
long pty_master_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg);
long pty_slave_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg);
/* Opens a slave file of P (flags of open(2)); -EIO if locked or hung up. */
struct file *pty_slave_open(struct pty *p, int flags);
/* A master file of P on INODE (the ptmx that was opened). */
struct file *pty_master_file(struct pty *p, struct inode *inode, int flags);
/* Frees P's index and /dev/pts entry (devpts.c). */
void devpts_remove(struct pty *p);
/* A new pair with the lowest free index (devpts.c), or ERR_PTR. */
struct pty *devpts_new_pty(struct devpts *fs, const struct creds *cr);

/* The line discipline (n_tty.c), P locked. */
/* The termios both sides start with. */
void n_tty_init_termios(struct termios2 *t);
/* Input from the master: takes bytes from BUF until done or (not
 * canonical) the buffer is full; returns how many. Signals to raise
 * (ISIG) are added to *SIGS as bits 1 << sig. */
size_t n_tty_receive(struct pty *p, const unsigned char *buf, size_t n, unsigned *sigs);
/* Output from the slave: processes bytes from BUF into the output
 * buffer while they fit; returns how many were taken. */
size_t n_tty_write(struct pty *p, const unsigned char *buf, size_t n);
/* Whether a slave read would return data now (MIN: the non-canonical
 * amount that counts, for poll). */
bool n_tty_readable(struct pty *p, size_t min);
/* Takes up to N bytes of input for a slave read into BUF: a line (or
 * what is left of one) in canonical mode, else what there is. */
size_t n_tty_read(struct pty *p, unsigned char *buf, size_t n);
/* FIONREAD on the slave: bytes a read could take. */
size_t n_tty_inq(struct pty *p);
/* New termios NT for P: a change of ICANON moves the line state. */
void n_tty_set_termios(struct pty *p, const struct termios2 *nt);
void n_tty_flush_input(struct pty *p);

static inline bool pty_canon(const struct pty *p)
{
	return p->termios.c_lflag & ICANON;
}

#endif
