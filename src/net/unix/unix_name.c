/* Names of unix sockets: paths (a socket inode made in the VFS, found
 * again by its device and inode number) and the abstract namespace
 * (sun_path[0] == 0), both in the sandbox's table of unix sockets, which
 * /proc/net/unix lists. The sentry runs one kernel, so the table is the
 * kernel's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/creds.h"
#include "cvisor/kernfs.h"
#include "cvisor/task.h"
#include "unix_internal.h"

pthread_mutex_t unix_table_lock = PTHREAD_MUTEX_INITIALIZER;
struct unix_sock_list unix_table = LIST_HEAD_INITIALIZER(unix_table);
/* Linux's ordernum: where the next autobind name search starts. */
static unsigned autobind_next;

void unix_table_add(struct unix_sock *u)
{
	pthread_mutex_lock(&unix_table_lock);
	LIST_INSERT_HEAD(&unix_table, u, all);
	pthread_mutex_unlock(&unix_table_lock);
}

void unix_table_remove(struct unix_sock *u)
{
	pthread_mutex_lock(&unix_table_lock);
	LIST_REMOVE(u, all);
	pthread_mutex_unlock(&unix_table_lock);
}

struct unix_addr *unix_addr_get(struct unix_addr *a)
{
	if (a)
		a->refs++;
	return a;
}

void unix_addr_put(struct unix_addr *a)
{
	if (a && --a->refs == 0)
		free(a);
}

int unix_validate_addr(const struct sockaddr *addr, int len)
{
	if (len <= (int)offsetof(struct sockaddr_un, sun_path) ||
	    len > (int)sizeof(struct sockaddr_un))
		return -EINVAL;
	if (addr->sa_family != AF_UNIX)
		return -EINVAL;
	return len;
}

static bool abstract_match(const struct unix_addr *a, const struct sockaddr_un *sun, int len)
{
	return a && a->len == len && a->sun.sun_path[0] == 0 &&
	       memcmp(a->sun.sun_path, sun->sun_path, (size_t)len - sizeof(sa_family_t)) == 0;
}

/* The live socket with abstract name SUN/LEN; unix_table_lock held. */
static struct unix_sock *abstract_lookup_locked(const struct sockaddr_un *sun, int len)
{
	struct unix_sock *u;
	LIST_FOREACH(u, &unix_table, all) {
		if (u->named && abstract_match(u->addr, sun, len))
			return u;
	}
	return NULL;
}

static struct unix_addr *addr_new(const struct sockaddr_un *sun, int len)
{
	struct unix_addr *a = xzalloc(sizeof(*a));
	a->refs = 1;
	a->len = len;
	memcpy(&a->sun, sun, (size_t)len);
	return a;
}

int unix_autobind_locked(struct unix_sock *u)
{
	if (u->addr)
		return 0;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int len = (int)offsetof(struct sockaddr_un, sun_path) + 6;
	pthread_mutex_lock(&unix_table_lock);
	/* Five hex digits after the NUL, as Linux: 2^20 names. */
	for (unsigned tries = 0; tries < 0x100000; tries++) {
		snprintf(sun.sun_path + 1, 6, "%05x", autobind_next++ & 0xfffff);
		if (!abstract_lookup_locked(&sun, len)) {
			u->addr = addr_new(&sun, len);
			u->named = true;
			pthread_mutex_unlock(&unix_table_lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&unix_table_lock);
	return -ENOSPC;
}

static int bind_abstract(struct unix_sock *u, const struct sockaddr_un *sun, int len)
{
	pthread_mutex_lock(&unix_table_lock);
	if (abstract_lookup_locked(sun, len)) {
		pthread_mutex_unlock(&unix_table_lock);
		return -EADDRINUSE;
	}
	u->addr = addr_new(sun, len);
	u->named = true;
	pthread_mutex_unlock(&unix_table_lock);
	return 0;
}

static void walk_base_of(struct task *t, struct walk_base *wb)
{
	*wb = (struct walk_base){ .fs = t->fs, .cr = t->creds };
}

/* A path name: the socket file is made as mknod(S_IFSOCK) would (umask
 * applied), and EEXIST means the name is taken. */
static int bind_path(struct unix_sock *u, const struct sockaddr_un *sun, int len)
{
	struct task *t = current_task;
	char path[sizeof(sun->sun_path) + 1];
	size_t n = (size_t)len - offsetof(struct sockaddr_un, sun_path);
	memcpy(path, sun->sun_path, n);
	path[n] = 0;
	if (!t)
		return -EINVAL;
	struct walk_base wb;
	walk_base_of(t, &wb);
	int err = vfs_mknod(&wb, path, S_IFSOCK | 0777, 0);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	struct path p;
	struct kstat st;
	err = vfs_lookup(&wb, path, 0, &p);
	if (err)
		return err;
	err = vfs_getattr(&p, &st);
	path_put(&p);
	if (err)
		return err;
	struct sockaddr_un name = { .sun_family = AF_UNIX };
	strcpy(name.sun_path, path);
	pthread_mutex_lock(&unix_table_lock);
	/* getsockname counts the path and its NUL. */
	u->addr = addr_new(&name, (int)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1));
	u->path_dev = st.dev;
	u->path_ino = st.ino;
	u->named = true;
	pthread_mutex_unlock(&unix_table_lock);
	return 0;
}

int unix_bind_locked(struct unix_sock *u, const struct sockaddr *addr, int len)
{
	if (len == (int)offsetof(struct sockaddr_un, sun_path) && addr->sa_family == AF_UNIX) {
		if (u->addr)
			return -EINVAL;
		return unix_autobind_locked(u);
	}
	len = unix_validate_addr(addr, len);
	if (len < 0)
		return len;
	if (u->addr)
		return -EINVAL;
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
	if (sun->sun_path[0] == 0)
		return bind_abstract(u, sun, len);
	return bind_path(u, sun, len);
}

/* The socket of TYPE bound to the socket inode at PATH. */
static int find_path(const char *path, struct unix_sock **out)
{
	struct task *t = current_task;
	if (!t)
		return -ECONNREFUSED;
	struct walk_base wb;
	walk_base_of(t, &wb);
	struct path p;
	int err = vfs_lookup(&wb, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct inode *inode = d_inode(p.dentry);
	err = inode_permission(t->creds, inode, MAY_WRITE);
	struct kstat st;
	if (!err)
		err = vfs_getattr(&p, &st);
	path_put(&p);
	if (err)
		return err;
	if (!S_ISSOCK(st.mode))
		return -ECONNREFUSED;
	pthread_mutex_lock(&unix_table_lock);
	struct unix_sock *u;
	LIST_FOREACH(u, &unix_table, all) {
		if (u->named && u->addr->sun.sun_path[0] && u->path_ino == st.ino &&
		    u->path_dev == st.dev)
			break;
	}
	if (u)
		unix_sock_get(u);
	pthread_mutex_unlock(&unix_table_lock);
	if (!u)
		return -ECONNREFUSED;
	*out = u;
	return 0;
}

int unix_find_other(const struct sockaddr_un *sun, int len, int type, struct unix_sock **out)
{
	struct unix_sock *u;
	if (sun->sun_path[0]) {
		char path[sizeof(sun->sun_path) + 1];
		size_t n = (size_t)len - offsetof(struct sockaddr_un, sun_path);
		memcpy(path, sun->sun_path, n);
		path[n] = 0;
		int err = find_path(path, &u);
		if (err)
			return err;
	} else {
		pthread_mutex_lock(&unix_table_lock);
		u = abstract_lookup_locked(sun, len);
		if (u)
			unix_sock_get(u);
		pthread_mutex_unlock(&unix_table_lock);
		if (!u)
			return -ECONNREFUSED;
	}
	if (u->type != type) {
		unix_sock_put(u);
		return -EPROTOTYPE;
	}
	*out = u;
	return 0;
}

/* /proc/net/unix, in Linux's format (unix_seq_show). */
void unix_proc_show(struct kernfs_buf *b)
{
	kernfs_printf(b, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	pthread_mutex_lock(&unix_table_lock);
	struct unix_sock *u;
	LIST_FOREACH(u, &unix_table, all) {
		/* Linux's socket states: SS_UNCONNECTED 1, SS_CONNECTED 3;
		 * a listener has __SO_ACCEPTCON (1 << 16). */
		int st = u->state == US_CONNECTED ? 3 : 1;
		unsigned flags = u->state == US_LISTENING ? 1u << 16 : 0;
		kernfs_printf(b, "%016llx: %08X %08X %08X %04X %02X %5llu",
			      0ULL, (unsigned)u->refs, 0u, flags, (unsigned)u->type, st,
			      (unsigned long long)u->ino);
		if (u->addr) {
			int n = u->addr->len - (int)offsetof(struct sockaddr_un, sun_path);
			const char *p = u->addr->sun.sun_path;
			if (p[0] == 0) {
				kernfs_printf(b, " @");
				kernfs_write(b, p + 1, (size_t)n - 1);
			} else {
				kernfs_printf(b, " %s", p);
			}
		}
		kernfs_printf(b, "\n");
	}
	pthread_mutex_unlock(&unix_table_lock);
}
