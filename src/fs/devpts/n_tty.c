/* The N_TTY line discipline of a pseudo-terminal (Linux's
 * drivers/tty/n_tty.c), with P->lock held throughout: input processing
 * (ISTRIP, INLCR, IGNCR, ICRNL), signal characters (ISIG: VINTR, VQUIT,
 * VSUSP; the buffers are flushed unless NOFLSH), the canonical line
 * editor (VERASE, VWERASE, VKILL, VEOF, VEOL, VEOL2), echo (ECHO, ECHOE,
 * ECHOK, ECHOKE, ECHONL, ECHOCTL) and output processing (OPOST with
 * ONLCR, OCRNL, ONLRET). Not done: IXON flow control, VLNEXT, VREPRINT,
 * ECHOPRT, tab and column arithmetic on erase (a tab erases one column). */
#include <ctype.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "devpts_internal.h"

#define L(p, f) ((p)->termios.c_lflag & (f))
#define I(p, f) ((p)->termios.c_iflag & (f))
#define O(p, f) ((p)->termios.c_oflag & (f))
#define CC(p, i) ((p)->termios.c_cc[i])

void n_tty_init_termios(struct termios2 *t)
{
	/* tty_std_termios, as the pty driver sets it up (both sides). */
	static const unsigned char init_cc[] = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0";
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->c_cc, init_cc, sizeof(init_cc) - 1);
	t->c_ispeed = t->c_ospeed = 38400;
}

/* Whether C is the special character at I (0 disables one). */
static bool is_cc(const struct pty *p, unsigned char c, int i)
{
	return CC(p, i) != 0 && c == CC(p, i);
}

static void out_put(struct pty *p, unsigned char c)
{
	p->out[(p->out_head + p->out_len) % PTY_OUT_SIZE] = c;
	p->out_len++;
}

/* Output processing of one byte: whether it fit. */
static bool opost(struct pty *p, unsigned char c)
{
	size_t room = PTY_OUT_SIZE - p->out_len;
	if (!room)
		return false;
	if (O(p, OPOST)) {
		if (c == '\n' && O(p, ONLCR)) {
			if (room < 2)
				return false;
			out_put(p, '\r');
		} else if (c == '\r' && O(p, OCRNL)) {
			c = '\n';
		}
	}
	out_put(p, c);
	return true;
}

size_t n_tty_write(struct pty *p, const unsigned char *buf, size_t n)
{
	size_t i = 0;
	while (i < n && opost(p, buf[i]))
		i++;
	return i;
}

/* Echoes C: control characters as ^X with ECHOCTL (not tab or
 * newline). Echo that does not fit is dropped. */
static void echo_char(struct pty *p, unsigned char c)
{
	if (L(p, ECHOCTL) && iscntrl(c) && c != '\t' && c != '\n') {
		opost(p, '^');
		opost(p, c ^ 0100);
		return;
	}
	opost(p, c);
}

/* How many columns C took when echoed. */
static int echo_width(const struct pty *p, unsigned char c)
{
	return L(p, ECHOCTL) && iscntrl(c) && c != '\t' ? 2 : 1;
}

static void put_input(struct pty *p, unsigned char c, unsigned char flags)
{
	p->in[p->in_len] = c;
	p->in_flags[p->in_len] = flags;
	p->in_len++;
	if (flags && pty_canon(p))
		p->canon_len = p->in_len;
}

/* VERASE, VWERASE and VKILL in canonical mode (Linux's eraser). */
static void eraser(struct pty *p, unsigned char c)
{
	if (p->in_len == p->canon_len)
		return;
	bool kill = is_cc(p, c, VKILL);
	bool werase = !kill && is_cc(p, c, VWERASE) && L(p, IEXTEN);
	if (kill && L(p, ECHO) && (!L(p, ECHOK) || !L(p, ECHOKE) || !L(p, ECHOE))) {
		p->in_len = p->canon_len;
		echo_char(p, c);
		if (L(p, ECHOK))
			opost(p, '\n');
		return;
	}
	if (kill && !L(p, ECHO)) {
		p->in_len = p->canon_len;
		return;
	}
	int seen_alnum = 0;
	while (p->in_len > p->canon_len) {
		unsigned char last = p->in[p->in_len - 1];
		if (werase) {
			/* BSD's ALTWERASE: blanks, then a word. */
			if (isalnum(last) || last == '_')
				seen_alnum++;
			else if (seen_alnum)
				break;
		}
		size_t len = 1;
		/* With IUTF8, a whole character goes. */
		while (I(p, IUTF8) && (p->in[p->in_len - len] & 0xc0) == 0x80 &&
		       p->in_len - len > p->canon_len)
			len++;
		p->in_len -= len;
		if (L(p, ECHO)) {
			if (L(p, ECHOE)) {
				for (int w = echo_width(p, last); w > 0; w--) {
					opost(p, '\b');
					opost(p, ' ');
					opost(p, '\b');
				}
			} else if (!kill && !werase) {
				echo_char(p, c);
			}
		}
		if (!kill && !werase)
			break;
	}
}

/* A signal character: flush (unless NOFLSH), echo it, raise SIG. */
static void isig(struct pty *p, unsigned char c, int sig, unsigned *sigs)
{
	if (!L(p, NOFLSH)) {
		n_tty_flush_input(p);
		p->out_len = 0;
	}
	if (L(p, ECHO))
		echo_char(p, c);
	*sigs |= 1u << sig;
}

size_t n_tty_receive(struct pty *p, const unsigned char *buf, size_t n, unsigned *sigs)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = buf[i];
		if (I(p, ISTRIP))
			c &= 0x7f;
		if (L(p, ISIG)) {
			int sig = is_cc(p, c, VINTR) ? SIGINT : is_cc(p, c, VQUIT) ? SIGQUIT
				: is_cc(p, c, VSUSP) ? SIGTSTP : 0;
			if (sig) {
				isig(p, c, sig, sigs);
				continue;
			}
		}
		if (c == '\r') {
			if (I(p, IGNCR))
				continue;
			if (I(p, ICRNL))
				c = '\n';
		} else if (c == '\n' && I(p, INLCR)) {
			c = '\r';
		}
		if (!pty_canon(p)) {
			/* A full buffer waits for readers: the master's write
			 * stops here. */
			if (p->in_len == N_TTY_BUF_SIZE)
				break;
			if (L(p, ECHO))
				echo_char(p, c);
			put_input(p, c, 0);
			continue;
		}
		if (is_cc(p, c, VERASE) || is_cc(p, c, VKILL) ||
		    (is_cc(p, c, VWERASE) && L(p, IEXTEN))) {
			eraser(p, c);
			continue;
		}
		bool eof = is_cc(p, c, VEOF);
		bool eol = c == '\n' || is_cc(p, c, VEOL) || (is_cc(p, c, VEOL2) && L(p, IEXTEN));
		/* A full line buffer drops characters but keeps room to end
		 * the line, so a reader can always take it. */
		if (p->in_len >= N_TTY_BUF_SIZE - ((eof || eol) ? 0 : 1))
			continue;
		if (eof) {
			put_input(p, c, IN_EOL | IN_EOF);
			continue;
		}
		if (c == '\n') {
			if (L(p, ECHO) || L(p, ECHONL))
				opost(p, '\n');
		} else if (L(p, ECHO)) {
			echo_char(p, c);
		}
		put_input(p, c, eol ? IN_EOL : 0);
	}
	return i;
}

bool n_tty_readable(struct pty *p, size_t min)
{
	if (pty_canon(p))
		return p->canon_len > 0;
	return p->in_len > 0 && p->in_len >= min;
}

/* Removes the first N bytes of input. */
static void consume(struct pty *p, size_t n)
{
	memmove(p->in, p->in + n, p->in_len - n);
	memmove(p->in_flags, p->in_flags + n, p->in_len - n);
	p->in_len -= n;
	p->canon_len = p->canon_len > n ? p->canon_len - n : 0;
}

size_t n_tty_read(struct pty *p, unsigned char *buf, size_t n)
{
	if (!pty_canon(p)) {
		n = n < p->in_len ? n : p->in_len;
		memcpy(buf, p->in, n);
		consume(p, n);
		return n;
	}
	size_t end = 0;
	while (end < p->canon_len && !(p->in_flags[end] & IN_EOL))
		end++;
	/* END is the line's terminator (inside canon_len by construction). */
	bool eof = p->in_flags[end] & IN_EOF;
	size_t line = end + (eof ? 0 : 1);
	size_t take = n < line ? n : line;
	memcpy(buf, p->in, take);
	/* An EOF character goes with the rest of its line. */
	consume(p, take == line && eof ? take + 1 : take);
	return take;
}

size_t n_tty_inq(struct pty *p)
{
	if (!pty_canon(p))
		return p->in_len;
	size_t n = 0;
	for (size_t i = 0; i < p->canon_len; i++)
		n += !(p->in_flags[i] & IN_EOF);
	return n;
}

void n_tty_set_termios(struct pty *p, const struct termios2 *nt)
{
	bool was_canon = pty_canon(p);
	p->termios = *nt;
	if (was_canon == pty_canon(p))
		return;
	/* Turning canonical mode on makes what is there one line
	 * (n_tty_set_termios); off, everything is readable. */
	if (pty_canon(p) && p->in_len) {
		p->in_flags[p->in_len - 1] |= IN_EOL;
		p->canon_len = p->in_len;
	} else {
		p->canon_len = 0;
	}
}

void n_tty_flush_input(struct pty *p)
{
	p->in_len = 0;
	p->canon_len = 0;
}
