/* Garbage collection of unix sockets in flight (Linux's net/unix/
 * garbage.c): a socket whose file is referenced only by messages queued
 * on sockets that are themselves only in flight (a socket sent over
 * itself, or a cycle of them) can never be received. When a unix socket
 * closes while sockets are in flight, the collector finds such sockets
 * and drops the messages carrying files from their queues, which closes
 * them in turn.
 *
 * Candidates are sockets all of whose file references are in flight.
 * References from candidates' queues are discounted; a candidate with a
 * reference left is reachable from outside, and so is everything in its
 * queue. The rest is garbage.
 *
 * unix_gc_lock guards the in-flight counts. Lock order: unix_gc_lock ->
 * unix_table_lock, and unix_gc_lock -> a socket's lock; the counts are
 * changed with no socket lock held.
 */
#include <stdlib.h>

#include "unix_internal.h"

static pthread_mutex_t unix_gc_lock = PTHREAD_MUTEX_INITIALIZER;
static long inflight_total;	/* [unix_gc_lock] */
static bool gc_running;		/* [unix_gc_lock] */

/* The unix socket F is, or NULL. */
static struct unix_sock *unix_of_file(struct file *f)
{
	struct socket *s = socket_from_file(f);
	return s && s->family == AF_UNIX ? UNIX_SK(s) : NULL;
}

static void account(struct scm_fp *fp, int delta)
{
	if (!fp)
		return;
	pthread_mutex_lock(&unix_gc_lock);
	for (int i = 0; i < fp->count; i++) {
		struct unix_sock *x = unix_of_file(fp->files[i]);
		if (x) {
			x->inflight += delta;
			inflight_total += delta;
		}
	}
	pthread_mutex_unlock(&unix_gc_lock);
}

void unix_inflight(struct scm_fp *fp)
{
	account(fp, 1);
}

void unix_notinflight(struct scm_fp *fp)
{
	account(fp, -1);
}

/* Calls FN on each candidate whose file is carried by U's queue; U not
 * locked. */
static void for_each_queued(struct unix_sock *u, void (*fn)(struct unix_sock *x, void *arg),
			    void *arg)
{
	pthread_mutex_lock(&u->lock);
	struct skb *skb;
	TAILQ_FOREACH(skb, &u->rq, entry) {
		for (int i = 0; skb->fp && i < skb->fp->count; i++) {
			struct unix_sock *x = unix_of_file(skb->fp->files[i]);
			if (x && x->gc_candidate)
				fn(x, arg);
		}
	}
	pthread_mutex_unlock(&u->lock);
}

static void discount(struct unix_sock *x, void *arg)
{
	x->gc_refs--;
}

struct mark_ctx {
	struct unix_sock **stack;
	int n;
};

static void mark_alive(struct unix_sock *x, void *arg)
{
	struct mark_ctx *mc = arg;
	if (!x->gc_alive) {
		x->gc_alive = true;
		mc->stack[mc->n++] = x;
	}
}

void unix_gc(void)
{
	struct skb_queue hit = TAILQ_HEAD_INITIALIZER(hit);

	pthread_mutex_lock(&unix_gc_lock);
	if (gc_running || !inflight_total) {
		pthread_mutex_unlock(&unix_gc_lock);
		return;
	}
	gc_running = true;

	/* Candidates, with references so they stay while we look. */
	int n = 0, cap = 16;
	struct unix_sock **cand = xmalloc(sizeof(*cand) * (size_t)cap);
	pthread_mutex_lock(&unix_table_lock);
	struct unix_sock *u;
	LIST_FOREACH(u, &unix_table, all) {
		/* A socket being released is still listed with its file (at
		 * no references) until it leaves the table. */
		struct socket *s = u->sock;
		if (!s || u->inflight <= 0 || s->vfs.refs != u->inflight)
			continue;
		if (n == cap) {
			cap *= 2;
			cand = xrealloc(cand, sizeof(*cand) * (size_t)cap);
		}
		cand[n++] = unix_sock_get(u);
		u->gc_candidate = true;
		u->gc_alive = false;
		u->gc_refs = u->inflight;
	}
	pthread_mutex_unlock(&unix_table_lock);

	for (int i = 0; i < n; i++)
		for_each_queued(cand[i], discount, NULL);
	struct mark_ctx mc = { xmalloc(sizeof(*cand) * (size_t)(n + 1)), 0 };
	for (int i = 0; i < n; i++)
		if (cand[i]->gc_refs > 0)
			mark_alive(cand[i], &mc);
	while (mc.n > 0)
		for_each_queued(mc.stack[--mc.n], mark_alive, &mc);
	free(mc.stack);

	/* Garbage: its messages with files go, and with them the files. */
	for (int i = 0; i < n; i++) {
		struct unix_sock *g = cand[i];
		if (g->gc_alive)
			continue;
		pthread_mutex_lock(&g->lock);
		struct skb *skb = TAILQ_FIRST(&g->rq), *next;
		for (; skb; skb = next) {
			next = TAILQ_NEXT(skb, entry);
			if (skb->fp) {
				skb_unlink(g, skb);
				TAILQ_INSERT_TAIL(&hit, skb, entry);
			}
		}
		pthread_mutex_unlock(&g->lock);
	}
	for (int i = 0; i < n; i++)
		cand[i]->gc_candidate = false;
	pthread_mutex_unlock(&unix_gc_lock);

	skb_queue_purge(&hit);
	for (int i = 0; i < n; i++)
		unix_sock_put(cand[i]);
	free(cand);
	pthread_mutex_lock(&unix_gc_lock);
	gc_running = false;
	pthread_mutex_unlock(&unix_gc_lock);
}
