/* Futexes (futex(2)): wait queues keyed by a user word. A private futex
 * is (mm, address); a shared one is the memory-file offset of the word,
 * so processes mapping the same shared memory meet on it wherever they
 * map it. One table per kernel, under one lock: futex operations are
 * short, and one lock keeps requeueing simple. */
#ifndef CVISOR_FUTEX_H
#define CVISOR_FUTEX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "cvisor/mm.h"

struct task;
struct futex_waiter;

#define FUTEX_BUCKETS 64

struct futex_table {
	pthread_mutex_t lock;
	TAILQ_HEAD(futex_bucket, futex_waiter) buckets[FUTEX_BUCKETS];
};

void futex_table_init(struct futex_table *ft);

/* The operations, as futex(2) describes them. PRIVATE: FUTEX_PRIVATE_FLAG.
 * DEADLINE: host monotonic ns, < 0 for none. Results are futex(2)'s (or
 * -errno); an interrupted wait returns -EINTR for the caller to turn
 * into a restart. */
long futex_wait(struct task *t, uaddr_t uaddr, bool private, uint32_t val, uint32_t bitset,
		int64_t deadline);
long futex_wake(struct task *t, uaddr_t uaddr, bool private, int nr, uint32_t bitset);
long futex_requeue(struct task *t, uaddr_t uaddr, uaddr_t uaddr2, bool private, int nr_wake,
		   int nr_requeue, const uint32_t *cmpval);
long futex_wake_op(struct task *t, uaddr_t uaddr, uaddr_t uaddr2, bool private, int nr_wake,
		   int nr_wake2, uint32_t op);
long futex_lock_pi(struct task *t, uaddr_t uaddr, bool private, bool try, int64_t deadline);
long futex_unlock_pi(struct task *t, uaddr_t uaddr, bool private);

/* At the end of a task: its robust futexes are marked FUTEX_OWNER_DIED
 * and a waiter woken, and with a shared address space its
 * clear_child_tid word is zeroed and woken (CLONE_CHILD_CLEARTID). */
void futex_task_exit(struct task *t);

#endif
