/* The SOL_SOCKET options every family shares (Linux's sk_setsockopt and
 * sk_getsockopt): recorded and reported; timeouts bound blocking waits. */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/time.h>

#include "cvisor/creds.h"
#include "cvisor/net.h"
#include "cvisor/task.h"

#ifndef SO_RCVTIMEO_NEW
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67
#endif
#define SO_RCVTIMEO_OLD_K 20
#define SO_SNDTIMEO_OLD_K 21

/* Options that are a flag and nothing more here. */
static bool bool_opt(int name)
{
	switch (name) {
	case SO_DEBUG:
	case SO_REUSEADDR:
	case SO_KEEPALIVE:
	case SO_DONTROUTE:
	case SO_BROADCAST:
	case SO_OOBINLINE:
	case SO_PASSSEC:
	case SO_TIMESTAMP:
		return true;
	}
	return false;
}

static int set_timeout(_Atomic int64_t *timeo, const void *val, unsigned len)
{
	struct timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		/* Linux: a negative time waits not at all. */
		*timeo = 1;
		return 0;
	}
	if (tv.tv_sec > INT32_MAX)
		tv.tv_sec = INT32_MAX;
	*timeo = (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	return 0;
}

int sock_setsockopt(struct socket *s, int name, const void *val, unsigned len)
{
	if (name == SO_RCVTIMEO_OLD_K || name == SO_RCVTIMEO_NEW)
		return set_timeout(&s->rcvtimeo_ns, val, len);
	if (name == SO_SNDTIMEO_OLD_K || name == SO_SNDTIMEO_NEW)
		return set_timeout(&s->sndtimeo_ns, val, len);
	if (name == SO_LINGER) {
		struct linger l;
		if (len < sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		s->linger_onoff = l.l_onoff != 0;
		s->linger_secs = l.l_linger;
		return 0;
	}
	int v;
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	if (bool_opt(name)) {
		if (v)
			s->opt_bits |= 1u << name;
		else
			s->opt_bits &= ~(1u << name);
		return 0;
	}
	switch (name) {
	case SO_PRIORITY:
		if ((v < 0 || v > 6) &&
		    !(current_task && creds_has_cap(current_task->creds, CAP_NET_ADMIN)))
			return -EPERM;
		s->priority = v;
		return 0;
	case SO_RCVLOWAT:
		s->rcvlowat = v < 0 ? INT32_MAX : v;
		return 0;
	}
	return -ENOPROTOOPT;
}

static int put_timeout(int64_t timeo, void *val, unsigned *len)
{
	struct timeval tv = { 0 };
	if (timeo > 1) {
		tv.tv_sec = timeo / 1000000000;
		tv.tv_usec = timeo % 1000000000 / 1000;
	}
	*len = *len < sizeof(tv) ? *len : (unsigned)sizeof(tv);
	memcpy(val, &tv, *len);
	return 0;
}

int sock_getsockopt(struct socket *s, int name, void *val, unsigned *len)
{
	int v;
	if (name == SO_RCVTIMEO_OLD_K || name == SO_RCVTIMEO_NEW)
		return put_timeout(s->rcvtimeo_ns, val, len);
	if (name == SO_SNDTIMEO_OLD_K || name == SO_SNDTIMEO_NEW)
		return put_timeout(s->sndtimeo_ns, val, len);
	if (name == SO_LINGER) {
		struct linger l = { s->linger_onoff, s->linger_secs };
		*len = *len < sizeof(l) ? *len : (unsigned)sizeof(l);
		memcpy(val, &l, *len);
		return 0;
	}
	if (bool_opt(name)) {
		v = (s->opt_bits >> name) & 1;
	} else {
		switch (name) {
		case SO_TYPE:
			v = s->type;
			break;
		case SO_DOMAIN:
			v = s->family;
			break;
		case SO_PROTOCOL:
			v = s->protocol;
			break;
		case SO_PRIORITY:
			v = s->priority;
			break;
		case SO_RCVLOWAT:
			v = s->rcvlowat ? s->rcvlowat : 1;
			break;
		case SO_SNDLOWAT:
			v = 1;
			break;
		default:
			/* SO_PEERSEC without a security module, too. */
			return -ENOPROTOOPT;
		}
	}
	*len = *len < sizeof(int) ? *len : (unsigned)sizeof(int);
	memcpy(val, &v, *len);
	return 0;
}
