/* syslog(2): the kernel log of the sandbox (dmesg), never the host's. */
#include <linux/capability.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/kernel.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

enum {
	SYSLOG_ACTION_CLOSE, SYSLOG_ACTION_OPEN, SYSLOG_ACTION_READ, SYSLOG_ACTION_READ_ALL,
	SYSLOG_ACTION_READ_CLEAR, SYSLOG_ACTION_CLEAR, SYSLOG_ACTION_CONSOLE_OFF,
	SYSLOG_ACTION_CONSOLE_ON, SYSLOG_ACTION_CONSOLE_LEVEL, SYSLOG_ACTION_SIZE_UNREAD,
	SYSLOG_ACTION_SIZE_BUFFER,
};

long sys_syslog(struct task *t, const struct syscall_args *a)
{
	int type = (int)a->arg[0];
	int len = (int)a->arg[2];
	struct syslog *s = &t->k->syslog;

	if (type < SYSLOG_ACTION_CLOSE || type > SYSLOG_ACTION_SIZE_BUFFER)
		return -EINVAL;
	if (type != SYSLOG_ACTION_SIZE_BUFFER && !creds_has_cap(t->creds, CAP_SYSLOG) &&
	    !creds_has_cap(t->creds, CAP_SYS_ADMIN))
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR: {
		if (!a->arg[1] || len < 0)	/* do_syslog's order: then len 0 */
			return -EINVAL;
		if (len == 0)
			return 0;
		char buf[SYSLOG_SIZE];
		pthread_mutex_lock(&s->lock);
		/* The newest LEN bytes, as Linux returns. */
		size_t n = MIN((size_t)len, s->len);
		memcpy(buf, s->buf + s->len - n, n);
		if (type == SYSLOG_ACTION_READ_CLEAR)
			s->len = 0;
		pthread_mutex_unlock(&s->lock);
		if (copy_out(t, a->arg[1], buf, n) < 0)
			return -EFAULT;
		return (long)n;
	}
	case SYSLOG_ACTION_CLEAR:
		pthread_mutex_lock(&s->lock);
		s->len = 0;
		pthread_mutex_unlock(&s->lock);
		return 0;
	case SYSLOG_ACTION_SIZE_BUFFER:
		return SYSLOG_SIZE;
	case SYSLOG_ACTION_SIZE_UNREAD: {
		pthread_mutex_lock(&s->lock);
		long n = (long)s->len;
		pthread_mutex_unlock(&s->lock);
		return n;
	}
	case SYSLOG_ACTION_READ:
		return -EINVAL;	/* a blocking reader of new lines: not yet */
	default:
		return 0;	/* open, close and console levels change nothing here */
	}
}
