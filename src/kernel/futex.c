/* Futexes (see futex.h; Linux's kernel/futex/). The user word is read and
 * changed in place through the memory file (mm_pin), with atomic
 * operations, so the check-and-sleep of FUTEX_WAIT is atomic with respect
 * to wakers, who take the same lock. */
#include <linux/futex.h>
#include <stdatomic.h>
#include <string.h>

#include "cvisor/futex.h"
#include "cvisor/kernel.h"
#include "cvisor/task.h"

struct futex_waiter {
	struct mm_futex_key key;
	uint32_t bitset;
	bool pi;			/* waits in LOCK_PI: wakes owning the lock */
	bool woken;			/* [lock] taken off the queue by a waker */
	struct task *task;
	struct futex_bucket *bucket;	/* [lock] */
	TAILQ_ENTRY(futex_waiter) link;	/* [lock] */
};

void futex_table_init(struct futex_table *ft)
{
	pthread_mutex_init(&ft->lock, NULL);
	for (int i = 0; i < FUTEX_BUCKETS; i++)
		TAILQ_INIT(&ft->buckets[i]);
}

static struct futex_bucket *bucket_of(struct futex_table *ft, const struct mm_futex_key *key)
{
	uint64_t h = key->word * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)key->mm;
	return &ft->buckets[(h >> 32) % FUTEX_BUCKETS];
}

static bool key_eq(const struct mm_futex_key *a, const struct mm_futex_key *b)
{
	return a->mm == b->mm && a->word == b->word;
}

/* The user word at UADDR, pinned: *P points at it in the memory file. */
static int word_get(struct task *t, uaddr_t uaddr, bool write, struct mm_pin *pin,
		    _Atomic uint32_t **p)
{
	if (uaddr & 3)
		return -EINVAL;
	if (mm_pin(t->mm, uaddr, sizeof(uint32_t), write, pin) < (ssize_t)sizeof(uint32_t)) {
		mm_unpin(pin);
		return -EFAULT;
	}
	*p = pin->iov[0].iov_base;
	return 0;
}

/* The current value of the word at UADDR. */
static int load_word(struct task *t, uaddr_t uaddr, uint32_t *val)
{
	struct mm_pin pin;
	_Atomic uint32_t *p;
	int err = word_get(t, uaddr, false, &pin, &p);
	if (err < 0)
		return err;
	*val = atomic_load(p);
	mm_unpin(&pin);
	return 0;
}

/* Takes the table lock and pins the word at UADDR; on failure, neither. */
static int lock_word(struct task *t, uaddr_t uaddr, bool write, struct mm_pin *pin,
		     _Atomic uint32_t **p)
{
	pthread_mutex_lock(&t->k->futexes.lock);
	int err = word_get(t, uaddr, write, pin, p);
	if (err < 0)
		pthread_mutex_unlock(&t->k->futexes.lock);
	return err;
}

static int key_get(struct task *t, uaddr_t uaddr, bool private, struct mm_futex_key *key)
{
	if (uaddr & 3)
		return -EINVAL;
	return mm_futex_key(t->mm, uaddr, private, key);
}

static void enqueue_locked(struct futex_table *ft, struct futex_waiter *w)
{
	w->bucket = bucket_of(ft, &w->key);
	TAILQ_INSERT_TAIL(w->bucket, w, link);
}

static void wake_locked(struct futex_waiter *w)
{
	TAILQ_REMOVE(w->bucket, w, link);
	w->woken = true;
	task_wake(w->task);
}

/* Wakes up to NR waiters on KEY whose bitset meets BITSET. */
static int wake_key_locked(struct futex_table *ft, const struct mm_futex_key *key, int nr,
			   uint32_t bitset)
{
	struct futex_bucket *b = bucket_of(ft, key);
	struct futex_waiter *w, *next;
	int n = 0;
	for (w = TAILQ_FIRST(b); w && n < nr; w = next) {
		next = TAILQ_NEXT(w, link);
		if (key_eq(&w->key, key) && (w->bitset & bitset)) {
			wake_locked(w);
			n++;
		}
	}
	return n;
}

/* Sleeps, queued as W, until woken, DEADLINE or a signal. Called and
 * returns with the table lock held; W is off the queue on return. */
static long sleep_queued(struct futex_table *ft, struct futex_waiter *w, int64_t deadline)
{
	for (;;) {
		pthread_mutex_unlock(&ft->lock);
		int r = task_block(w->task, deadline);
		pthread_mutex_lock(&ft->lock);
		if (w->woken)
			return 0;
		if (r == -EINTR || r == -ETIMEDOUT) {
			TAILQ_REMOVE(w->bucket, w, link);
			return r;
		}
	}
}

long futex_wait(struct task *t, uaddr_t uaddr, bool private, uint32_t val, uint32_t bitset,
		int64_t deadline)
{
	struct futex_table *ft = &t->k->futexes;
	struct futex_waiter w = { .bitset = bitset, .task = t };
	uint32_t cur;

	int err = key_get(t, uaddr, private, &w.key);
	if (err)
		return err;
	pthread_mutex_lock(&ft->lock);
	long ret = load_word(t, uaddr, &cur);
	if (!ret && cur != val)
		ret = -EAGAIN;
	if (!ret) {
		enqueue_locked(ft, &w);
		ret = sleep_queued(ft, &w, deadline);
	}
	pthread_mutex_unlock(&ft->lock);
	return ret;
}

long futex_wake(struct task *t, uaddr_t uaddr, bool private, int nr, uint32_t bitset)
{
	struct futex_table *ft = &t->k->futexes;
	struct mm_futex_key key;
	int err = key_get(t, uaddr, private, &key);
	if (err)
		return err;
	pthread_mutex_lock(&ft->lock);
	int n = wake_key_locked(ft, &key, nr, bitset);
	pthread_mutex_unlock(&ft->lock);
	return n;
}

long futex_requeue(struct task *t, uaddr_t uaddr, uaddr_t uaddr2, bool private, int nr_wake,
		   int nr_requeue, const uint32_t *cmpval)
{
	struct futex_table *ft = &t->k->futexes;
	struct mm_futex_key key, key2;
	int err;
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if ((err = key_get(t, uaddr, private, &key)) || (err = key_get(t, uaddr2, private, &key2)))
		return err;

	pthread_mutex_lock(&ft->lock);
	if (cmpval) {
		uint32_t cur;
		err = load_word(t, uaddr, &cur);
		if (!err && cur != *cmpval)
			err = -EAGAIN;
		if (err) {
			pthread_mutex_unlock(&ft->lock);
			return err;
		}
	}
	struct futex_bucket *b = bucket_of(ft, &key);
	struct futex_waiter *w, *next;
	int woken = 0, moved = 0;
	for (w = TAILQ_FIRST(b); w; w = next) {
		next = TAILQ_NEXT(w, link);
		if (!key_eq(&w->key, &key))
			continue;
		if (woken < nr_wake) {
			wake_locked(w);
			woken++;
		} else if (moved < nr_requeue) {
			TAILQ_REMOVE(b, w, link);
			w->key = key2;
			enqueue_locked(ft, w);
			moved++;
		} else {
			break;
		}
	}
	pthread_mutex_unlock(&ft->lock);
	return woken + moved;
}

/* FUTEX_WAKE_OP's operation on the old value and its comparison. */
static int wake_op_apply(uint32_t encoded, uint32_t old, uint32_t *new, bool *cmp)
{
	int op = (encoded >> 28) & 7, cmpop = (encoded >> 24) & 15;
	int32_t oparg = (int32_t)(encoded << 8) >> 20;
	int32_t cmparg = (int32_t)(encoded << 20) >> 20;
	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28)) {
		if (oparg < 0 || oparg > 31)
			return -EINVAL;
		oparg = (int32_t)(1U << oparg);
	}
	switch (op) {
	case FUTEX_OP_SET: *new = (uint32_t)oparg; break;
	case FUTEX_OP_ADD: *new = old + (uint32_t)oparg; break;
	case FUTEX_OP_OR: *new = old | (uint32_t)oparg; break;
	case FUTEX_OP_ANDN: *new = old & ~(uint32_t)oparg; break;
	case FUTEX_OP_XOR: *new = old ^ (uint32_t)oparg; break;
	default: return -ENOSYS;
	}
	int32_t o = (int32_t)old;
	switch (cmpop) {
	case FUTEX_OP_CMP_EQ: *cmp = o == cmparg; break;
	case FUTEX_OP_CMP_NE: *cmp = o != cmparg; break;
	case FUTEX_OP_CMP_LT: *cmp = o < cmparg; break;
	case FUTEX_OP_CMP_LE: *cmp = o <= cmparg; break;
	case FUTEX_OP_CMP_GT: *cmp = o > cmparg; break;
	case FUTEX_OP_CMP_GE: *cmp = o >= cmparg; break;
	default: return -ENOSYS;
	}
	return 0;
}

long futex_wake_op(struct task *t, uaddr_t uaddr, uaddr_t uaddr2, bool private, int nr_wake,
		   int nr_wake2, uint32_t op)
{
	struct futex_table *ft = &t->k->futexes;
	struct mm_futex_key key, key2;
	struct mm_pin pin;
	_Atomic uint32_t *p;
	int err;

	if ((err = key_get(t, uaddr, private, &key)) || (err = key_get(t, uaddr2, private, &key2)))
		return err;
	if ((err = lock_word(t, uaddr2, true, &pin, &p)) < 0)
		return err;
	uint32_t old = atomic_load(p), new;
	bool cmp = false;
	for (;;) {
		if ((err = wake_op_apply(op, old, &new, &cmp)) < 0)
			break;
		if (atomic_compare_exchange_weak(p, &old, new))
			break;
	}
	mm_unpin(&pin);
	long ret = err;
	if (!err) {
		ret = wake_key_locked(ft, &key, nr_wake, FUTEX_BITSET_MATCH_ANY);
		if (cmp)
			ret += wake_key_locked(ft, &key2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
	}
	pthread_mutex_unlock(&ft->lock);
	return ret;
}

/* Priority-inheritance futexes without priorities to inherit (the
 * sandbox does not schedule by priority): the ownership protocol of
 * futex(2) — the word holds the owner's TID and FUTEX_WAITERS, and
 * FUTEX_UNLOCK_PI hands the lock to the first waiter. */
long futex_lock_pi(struct task *t, uaddr_t uaddr, bool private, bool try, int64_t deadline)
{
	struct futex_table *ft = &t->k->futexes;
	struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .pi = true, .task = t };
	uint32_t tid = (uint32_t)task_tid_nr(t, t);
	struct mm_pin pin;
	_Atomic uint32_t *p;
	int err = key_get(t, uaddr, private, &w.key);
	if (err)
		return err;

	if ((err = lock_word(t, uaddr, true, &pin, &p)) < 0)
		return err;
	long ret;
	uint32_t val = atomic_load(p);
	for (;;) {
		uint32_t owner = val & FUTEX_TID_MASK;
		if (!owner) {
			/* Free (perhaps its owner died): take it. */
			bool queued = false;
			struct futex_waiter *o;
			TAILQ_FOREACH(o, bucket_of(ft, &w.key), link)
				queued |= key_eq(&o->key, &w.key);
			uint32_t nv = tid | (val & FUTEX_OWNER_DIED) | (queued ? FUTEX_WAITERS : 0);
			if (!atomic_compare_exchange_weak(p, &val, nv))
				continue;
			ret = 0;
			break;
		}
		if (owner == tid) {
			ret = -EDEADLK;
			break;
		}
		if (try) {
			ret = -EAGAIN;
			break;
		}
		if (!(val & FUTEX_WAITERS) &&
		    !atomic_compare_exchange_weak(p, &val, val | FUTEX_WAITERS))
			continue;
		enqueue_locked(ft, &w);
		/* Woken by FUTEX_UNLOCK_PI means owning the lock. */
		ret = sleep_queued(ft, &w, deadline);
		break;
	}
	mm_unpin(&pin);
	pthread_mutex_unlock(&ft->lock);
	return ret;
}

long futex_unlock_pi(struct task *t, uaddr_t uaddr, bool private)
{
	struct futex_table *ft = &t->k->futexes;
	uint32_t tid = (uint32_t)task_tid_nr(t, t);
	struct mm_futex_key key;
	struct mm_pin pin;
	_Atomic uint32_t *p;
	int err = key_get(t, uaddr, private, &key);
	if (err)
		return err;

	if ((err = lock_word(t, uaddr, true, &pin, &p)) < 0)
		return err;
	long ret = 0;
	uint32_t val = atomic_load(p);
	if ((val & FUTEX_TID_MASK) != tid) {
		ret = -EPERM;
		goto out;
	}
	struct futex_waiter *w, *next = NULL;
	TAILQ_FOREACH(w, bucket_of(ft, &key), link) {
		if (key_eq(&w->key, &key))
			break;
	}
	if (w)
		for (next = TAILQ_NEXT(w, link); next && !key_eq(&next->key, &key);)
			next = TAILQ_NEXT(next, link);
	uint32_t nv = w ? (uint32_t)task_tid_nr(w->task, w->task) | (next ? FUTEX_WAITERS : 0) : 0;
	while (!atomic_compare_exchange_weak(p, &val, nv)) {
		if ((val & FUTEX_TID_MASK) != tid) {
			ret = -EPERM;
			goto out;
		}
	}
	if (w)
		wake_locked(w);
out:
	mm_unpin(&pin);
	pthread_mutex_unlock(&ft->lock);
	return ret;
}

/* Linux's handle_futex_death: a robust futex T still owns is marked
 * FUTEX_OWNER_DIED and one waiter is told. */
static void futex_death(struct task *t, uaddr_t uaddr, uint32_t tid, bool pi)
{
	struct mm_pin pin;
	_Atomic uint32_t *p;
	if (word_get(t, uaddr, true, &pin, &p) < 0)
		return;
	uint32_t val = atomic_load(p);
	while ((val & FUTEX_TID_MASK) == tid &&
	       !atomic_compare_exchange_weak(p, &val, (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED))
		;
	mm_unpin(&pin);
	if ((val & FUTEX_TID_MASK) == tid && (val & FUTEX_WAITERS) && !pi)
		futex_wake(t, uaddr, false, 1, FUTEX_BITSET_MATCH_ANY);
}

#define ROBUST_LIST_LIMIT 2048

/* Linux's exit_robust_list: entries are user pointers whose low bit
 * marks a PI futex; the futex word sits futex_offset from each. */
static void exit_robust_list(struct task *t)
{
	struct robust_list_head head;
	if (!t->robust_list || copy_in(t, &head, t->robust_list, sizeof(head)) < 0)
		return;
	uint32_t tid = (uint32_t)task_tid_nr(t, t);
	uaddr_t entry = (uaddr_t)head.list.next;
	uaddr_t pending = (uaddr_t)head.list_op_pending;
	for (int n = 0; n < ROBUST_LIST_LIMIT && (entry & ~1ULL) != t->robust_list; n++) {
		uaddr_t e = entry & ~1ULL, next;
		if (copy_in(t, &next, e, sizeof(next)) < 0)
			return;
		if (e != (pending & ~1ULL))
			futex_death(t, e + (uaddr_t)head.futex_offset, tid, entry & 1);
		entry = next;
	}
	if (pending)
		futex_death(t, (pending & ~1ULL) + (uaddr_t)head.futex_offset, tid, pending & 1);
}

void futex_task_exit(struct task *t)
{
	if (!t->mm)
		return;
	exit_robust_list(t);
	if (t->clear_child_tid && atomic_load(&t->mm->users) > 1) {
		uint32_t zero = 0;
		if (copy_out(t, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake(t, t->clear_child_tid, false, 1, FUTEX_BITSET_MATCH_ANY);
	}
}
