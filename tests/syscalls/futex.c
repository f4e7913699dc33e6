/* futex(2) between processes on shared memory (threads come later), its
 * errors and timeouts, requeueing, wake-op, PI ownership hand-over and
 * robust lists. */
#include "test.h"

#include <linux/futex.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>

static long futex(uint32_t *uaddr, int op, uint32_t val, const void *timeout_or_val2,
		  uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

/* Futex words in memory shared with children (MAP_SHARED). */
static uint32_t *shared_words(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* A child that waits on *WORD (while it is 0) and exits 0 once woken. */
static pid_t spawn_waiter(uint32_t *word, int op)
{
	pid_t pid = test_fork();
	if (pid == 0) {
		while (__atomic_load_n(word, __ATOMIC_SEQ_CST) == 0) {
			long r = futex(word, op, 0, NULL, NULL, FUTEX_BITSET_MATCH_ANY);
			EXPECT_TRUE(r == 0 || errno == EAGAIN || errno == EINTR);
		}
		test_child_exit();
	}
	return pid;
}

TEST(wait_on_a_changed_value_is_eagain)
{
	uint32_t word = 1;
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
}

TEST(wait_times_out)
{
	uint32_t word = 0;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	long long t0 = test_now_ns();
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0), ETIMEDOUT);
	EXPECT_GE(test_now_ns() - t0, 20 * 1000 * 1000);
	/* WAIT_BITSET's timeout is absolute: one in the past ends at once. */
	struct timespec past = { 1, 0 };
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, 1), ETIMEDOUT);
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &past,
			   NULL, 1), ETIMEDOUT);
}

TEST(argument_errors)
{
	uint32_t words[2] = { 0, 0 };
	struct timespec bad = { 0, 1000000000 };
	EXPECT_ERRNO(futex((uint32_t *)((char *)words + 1), FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
	uint32_t *gone = shared_words();
	ASSERT_TRUE(gone != NULL);
	munmap(gone, 4096);
	EXPECT_ERRNO(futex(gone, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
	EXPECT_ERRNO(futex(gone, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	EXPECT_ERRNO(futex(words, FUTEX_WAIT, 0, &bad, NULL, 0), EINVAL);
	EXPECT_ERRNO(futex(words, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0), EINVAL);
	EXPECT_ERRNO(futex(words, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
	EXPECT_ERRNO(futex(words, 99, 0, NULL, NULL, 0), ENOSYS);
	EXPECT_ERRNO(futex(words, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	EXPECT_EQ(futex(words, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
}

/* A shared futex wakes a waiter in another process; a private wake on
 * the same memory does not reach it. */
TEST(shared_futex_between_processes)
{
	uint32_t *w = shared_words();
	ASSERT_TRUE(w != NULL);
	pid_t pid = spawn_waiter(w, FUTEX_WAIT);
	ASSERT_GE(pid, 1);
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_EQ(futex(w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
	__atomic_store_n(w, 1, __ATOMIC_SEQ_CST);
	EXPECT_EQ(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	munmap(w, 4096);
}

/* CMP_REQUEUE wakes some waiters and moves the others to a second word,
 * and refuses when the first word is not the expected value. */
TEST(cmp_requeue_moves_waiters)
{
	uint32_t *w = shared_words();
	ASSERT_TRUE(w != NULL);
	pid_t a = spawn_waiter(&w[0], FUTEX_WAIT), b = spawn_waiter(&w[0], FUTEX_WAIT);
	ASSERT_GE(a, 1);
	ASSERT_GE(b, 1);
	EXPECT_TRUE(test_wait_state(a, 'S'));
	EXPECT_TRUE(test_wait_state(b, 'S'));
	EXPECT_ERRNO(futex(&w[0], FUTEX_CMP_REQUEUE, 0, (void *)1L, &w[1], 5), EAGAIN);
	/* Woken, a waiter sees 0 and sleeps again: keep it out by setting
	 * the word first. */
	__atomic_store_n(&w[0], 1, __ATOMIC_SEQ_CST);
	EXPECT_EQ(futex(&w[0], FUTEX_CMP_REQUEUE, 0, (void *)1L, &w[1], 1), 1);
	EXPECT_EQ(futex(&w[0], FUTEX_WAKE, 10, NULL, NULL, 0), 1);
	EXPECT_EQ(futex(&w[1], FUTEX_WAKE, 10, NULL, NULL, 0), 1);
	EXPECT_EQ(test_wait(a, 0), 0);
	EXPECT_EQ(test_wait(b, 0), 0);
	munmap(w, 4096);
}

/* WAKE_OP changes the second word atomically and wakes its waiters if
 * the old value passes the comparison. */
TEST(wake_op_changes_the_second_word)
{
	uint32_t words[2] = { 0, 5 };
	/* *uaddr2 += 3; wake on uaddr2 if the old value was > 4. */
	uint32_t op = FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 4);
	EXPECT_EQ(futex(&words[0], FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &words[1], op), 0);
	EXPECT_EQ(words[1], 8);
	op = FUTEX_OP(FUTEX_OP_OR, 4, FUTEX_OP_CMP_EQ, 0) | (FUTEX_OP_OPARG_SHIFT << 28);
	EXPECT_EQ(futex(&words[0], FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &words[1], op), 0);
	EXPECT_EQ(words[1], 8 | 16);
	EXPECT_ERRNO(futex(&words[0], FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &words[1],
			   FUTEX_OP(7, 0, 0, 0)), ENOSYS);
}

static volatile sig_atomic_t hits;

static void on_usr1(int sig __attribute__((unused)))
{
	hits++;
}

static void child_waits_with_handler(uint32_t *w)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	EXPECT_ERRNO(futex(w, FUTEX_WAIT, 0, NULL, NULL, 0), EINTR);
	EXPECT_EQ(hits, 1);
	test_child_exit();
}

/* A handler ends a futex wait with EINTR, even though glibc's handlers
 * use SA_RESTART for most calls: FUTEX_WAIT without SA_RESTART. */
TEST(a_signal_handler_interrupts_a_wait)
{
	uint32_t *w = shared_words();
	ASSERT_TRUE(w != NULL);
	pid_t pid = test_fork();
	if (pid == 0)
		child_waits_with_handler(w);
	ASSERT_GE(pid, 1);
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_OK(kill(pid, SIGUSR1));
	EXPECT_EQ(test_wait(pid, 0), 0);
	munmap(w, 4096);
}

/* A stop and continue do not end the wait: it restarts, and a later
 * wake ends it. */
TEST(stop_and_continue_restart_a_wait)
{
	uint32_t *w = shared_words();
	ASSERT_TRUE(w != NULL);
	pid_t pid = spawn_waiter(w, FUTEX_WAIT);
	ASSERT_GE(pid, 1);
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_OK(kill(pid, SIGSTOP));
	EXPECT_EQ(test_wait(pid, WUNTRACED), W_STOPCODE(SIGSTOP));
	EXPECT_OK(kill(pid, SIGCONT));
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	__atomic_store_n(w, 1, __ATOMIC_SEQ_CST);
	EXPECT_EQ(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	munmap(w, 4096);
}

/* PI futexes: the word holds the owner's TID; TRYLOCK takes a free one,
 * the owner cannot take it again, only the owner unlocks. */
TEST(pi_trylock_and_unlock)
{
	uint32_t word = 0;
	uint32_t tid = (uint32_t)gettid();
	EXPECT_EQ(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	EXPECT_EQ(word, tid);
	EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	EXPECT_EQ(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	EXPECT_EQ(word, 0);
	word = tid + 1;
	EXPECT_ERRNO(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);
}

static void child_locks_pi(uint32_t *w)
{
	EXPECT_EQ(futex(w, FUTEX_LOCK_PI, 0, NULL, NULL, 0), 0);
	EXPECT_EQ(*w & FUTEX_TID_MASK, (uint32_t)getpid());
	EXPECT_EQ(futex(w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0);
	test_child_exit();
}

/* A waiter in LOCK_PI gets the lock handed over by UNLOCK_PI. */
TEST(pi_unlock_hands_the_lock_to_a_waiter)
{
	uint32_t *w = shared_words();
	ASSERT_TRUE(w != NULL);
	ASSERT_EQ(futex(w, FUTEX_LOCK_PI, 0, NULL, NULL, 0), 0);
	pid_t pid = test_fork();
	if (pid == 0)
		child_locks_pi(w);
	ASSERT_GE(pid, 1);
	EXPECT_TRUE(test_wait_state(pid, 'S'));
	EXPECT_TRUE(__atomic_load_n(w, __ATOMIC_SEQ_CST) & FUTEX_WAITERS);
	EXPECT_EQ(futex(w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0);
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(*w, 0);
	munmap(w, 4096);
}

/* A process that dies owning a robust futex leaves FUTEX_OWNER_DIED. */
TEST(robust_list_marks_a_dead_owners_futex)
{
	struct lock {
		struct robust_list link;
		uint32_t word;
	} *l = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(l != MAP_FAILED);
	pid_t pid = test_fork();
	if (pid == 0) {
		static struct robust_list_head head;
		head.list.next = &l->link;
		l->link.next = &head.list;
		head.futex_offset = offsetof(struct lock, word) - offsetof(struct lock, link);
		l->word = (uint32_t)getpid();
		EXPECT_OK(syscall(SYS_set_robust_list, &head, sizeof(head)));
		_exit(0);
	}
	ASSERT_GE(pid, 1);
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(l->word, FUTEX_OWNER_DIED);
	munmap(l, 4096);
}

TEST(robust_list_calls)
{
	struct robust_list_head *head;
	size_t len = 0;
	EXPECT_ERRNO(syscall(SYS_set_robust_list, NULL, 7), EINVAL);
	EXPECT_OK(syscall(SYS_get_robust_list, 0, &head, &len));
	EXPECT_EQ(len, sizeof(struct robust_list_head));
	EXPECT_ERRNO(syscall(SYS_get_robust_list, 1 << 22, &head, &len), ESRCH);
}
