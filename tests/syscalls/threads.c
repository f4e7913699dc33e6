/* Threads (clone with CLONE_THREAD, through pthreads): shared memory,
 * ids, exit and exit_group, exec from a thread, thread-directed and
 * process-directed signals, /proc/self/task, first touches of the same
 * pages by several threads at once, fork while a thread is blocked
 * reading into memory. */
#include "test.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

static int counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *count(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

TEST(threads_share_memory_and_join_with_their_results)
{
	pthread_t th[4];
	counter = 0;
	for (long i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, count, (void *)i), 0);
	for (long i = 0; i < 4; i++) {
		void *r;
		EXPECT_EQ(pthread_join(th[i], &r), 0);
		EXPECT_EQ((long)r, i);
	}
	EXPECT_EQ(counter, 80000);
}

static void *ids(void *arg)
{
	pid_t *out = arg;
	out[0] = getpid();
	out[1] = (pid_t)syscall(SYS_gettid);
	return NULL;
}

TEST(a_thread_has_its_own_tid_and_the_process_pid)
{
	pid_t got[2];
	pthread_t th;
	ASSERT_EQ(pthread_create(&th, NULL, ids, got), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(got[0], getpid());
	EXPECT_NE(got[1], getpid());
	EXPECT_EQ(syscall(SYS_gettid), getpid());
}

static void *sleeper(void *arg)
{
	int *fd = arg;
	char c;
	(void)!read(*fd, &c, 1);
	return NULL;
}

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

TEST(proc_self_task_lists_each_thread)
{
	int p[2];
	pthread_t th;
	ASSERT_OK(pipe(p));
	ASSERT_EQ(pthread_create(&th, NULL, sleeper, &p[0]), 0);
	EXPECT_EQ(count_tasks(), 2);
	EXPECT_EQ(write(p[1], "x", 1), 1);
	pthread_join(th, NULL);
	/* The joiner wakes while the thread is still exiting: it leaves
	 * the list a moment later, on Linux too. */
	int n;
	for (int i = 0; (n = count_tasks()) != 1 && i < 200; i++)
		test_sleep_ms(10);
	EXPECT_EQ(n, 1);
	close(p[0]);
	close(p[1]);
}

static void *exits_the_process(void *arg)
{
	exit(7);
	return arg;
}

static void *returns(void *arg)
{
	return arg;
}

static void child_main_thread_exits_first(void)
{
	pthread_t th;
	pthread_create(&th, NULL, returns, NULL);
	/* The process lives on while a thread does; the last one's exit
	 * is the process's status. */
	pthread_exit(NULL);
}

TEST(exit_of_a_thread_ends_only_it_and_exit_group_ends_all)
{
	pid_t pid = test_fork();
	if (pid == 0) {
		pthread_t th;
		pthread_create(&th, NULL, exits_the_process, NULL);
		for (;;)
			pause();
	}
	ASSERT_GE(pid, 1);
	int status = test_wait(pid, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7);

	pid = test_fork();
	if (pid == 0)
		child_main_thread_exits_first();
	ASSERT_GE(pid, 1);
	status = test_wait(pid, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void *execs(void *arg)
{
	char *argv[] = { "sh", "-c", "[ $$ -gt 0 ] && exit 5", NULL };
	execv("/bin/sh", argv);
	return arg;
}

static void child_execs_from_a_thread(void)
{
	int p[2];
	pthread_t th;
	if (pipe(p) < 0)
		_exit(100);
	pthread_create(&th, NULL, sleeper, &p[0]);
	pthread_create(&th, NULL, execs, NULL);
	for (;;)
		pause();
}

/* exec from a thread: the other threads go, the new program runs. */
TEST(exec_from_a_thread_replaces_the_whole_process)
{
	pid_t pid = test_fork();
	if (pid == 0)
		child_execs_from_a_thread();
	ASSERT_GE(pid, 1);
	int status = test_wait(pid, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 5);
}

static _Atomic pid_t handled_by;

static void on_usr(int sig __attribute__((unused)))
{
	handled_by = (pid_t)syscall(SYS_gettid);
}

struct waiter_arg {
	int fd;
	pid_t tid;
};

static void *wait_for_signal(void *arg)
{
	struct waiter_arg *w = arg;
	char c;
	w->tid = (pid_t)syscall(SYS_gettid);
	while (read(w->fd, &c, 1) < 0 && errno == EINTR)
		;	/* the handlers end the read: read again */
	return NULL;
}

/* pthread_kill reaches the thread it names; a signal to the process
 * goes to a thread that does not block it. */
TEST(signals_reach_the_right_thread)
{
	struct sigaction sa = { .sa_handler = on_usr };
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	int p[2];
	ASSERT_OK(pipe(p));
	struct waiter_arg w = { .fd = p[0] };
	pthread_t th;
	ASSERT_EQ(pthread_create(&th, NULL, wait_for_signal, &w), 0);
	while (!__atomic_load_n(&w.tid, __ATOMIC_SEQ_CST))
		sched_yield();

	handled_by = 0;
	EXPECT_EQ(pthread_kill(th, SIGUSR1), 0);
	while (!handled_by)
		sched_yield();
	EXPECT_EQ(handled_by, w.tid);

	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);
	handled_by = 0;
	EXPECT_OK(kill(getpid(), SIGUSR2));
	while (!handled_by)
		sched_yield();
	EXPECT_EQ(handled_by, w.tid);
	pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);

	EXPECT_EQ(write(p[1], "x", 1), 1);
	pthread_join(th, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

static int block_pipe[2];

static void *blocks_in_read(void *arg __attribute__((unused)))
{
	char c = 0;
	ssize_t n = read(block_pipe[0], &c, 1);
	return (void *)(long)(n == 1 ? c : -1);
}

static void *exits_at_once(void *arg)
{
	syscall(SYS_exit, 0);
	return arg;
}

/* One thread sits in a blocking system call while another thread of the
 * process exits: the blocked one is unaffected and completes. */
TEST(a_thread_blocked_in_a_syscall_survives_another_thread_exiting)
{
	ASSERT_OK(pipe(block_pipe));
	pthread_t reader, quitter;
	ASSERT_EQ(pthread_create(&reader, NULL, blocks_in_read, NULL), 0);
	test_sleep_ms(20);
	ASSERT_EQ(pthread_create(&quitter, NULL, exits_at_once, NULL), 0);
	pthread_join(quitter, NULL);
	test_sleep_ms(20);
	ASSERT_EQ(write(block_pipe[1], "z", 1), 1);
	void *r;
	ASSERT_EQ(pthread_join(reader, &r), 0);
	EXPECT_EQ((long)r, 'z');
	close(block_pipe[0]);
	close(block_pipe[1]);
}

static _Atomic int busy_handled;
static _Atomic bool busy_stop;

static void on_busy_signal(int sig __attribute__((unused)))
{
	busy_handled++;
}

static void *makes_syscalls(void *arg __attribute__((unused)))
{
	long calls = 0;
	while (!busy_stop) {
		syscall(SYS_getppid);
		calls++;
	}
	return (void *)calls;
}

/* Signals aimed at a thread that does nothing but system calls arrive
 * while it is inside one as often as not; each is delivered once. */
TEST(signals_to_a_thread_busy_in_syscalls_are_each_delivered)
{
	struct sigaction sa = { .sa_handler = on_busy_signal, .sa_flags = SA_RESTART };
	ASSERT_OK(sigaction(SIGUSR2, &sa, NULL));
	busy_handled = 0;
	busy_stop = false;
	pthread_t th;
	ASSERT_EQ(pthread_create(&th, NULL, makes_syscalls, NULL), 0);
	for (int i = 0; i < 200; i++) {
		int before = busy_handled;
		ASSERT_EQ(pthread_kill(th, SIGUSR2), 0);
		for (int spins = 0; busy_handled == before && spins < 5000; spins++)
			usleep(200);
		ASSERT_EQ(busy_handled, before + 1);
	}
	busy_stop = true;
	void *calls;
	ASSERT_EQ(pthread_join(th, &calls), 0);
	EXPECT_TRUE((long)calls > 0);
	signal(SIGUSR2, SIG_DFL);
}

/* Threads touching fresh pages at once: each fault must end in the page
 * being there, even when another thread's fault brought it in first. */
#define TOUCH_PAGES 256
#define TOUCH_THREADS 4

static char *volatile touch_area;
static pthread_barrier_t touch_start;

static void *touch_pages(void *arg)
{
	long sum = 0;
	pthread_barrier_wait(&touch_start);
	for (int i = 0; i < TOUCH_PAGES; i++)
		sum += touch_area[(long)i * 4096 + (long)arg];
	return (void *)sum;
}

TEST(threads_fault_in_the_same_pages_at_once)
{
	pthread_t t[TOUCH_THREADS];

	ASSERT_OK(pthread_barrier_init(&touch_start, NULL, TOUCH_THREADS));
	for (int round = 0; round < 30; round++) {
		touch_area = mmap(NULL, TOUCH_PAGES * 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_TRUE(touch_area != MAP_FAILED);
		for (long i = 0; i < TOUCH_THREADS; i++)
			ASSERT_EQ(pthread_create(&t[i], NULL, touch_pages, (void *)i), 0);
		for (int i = 0; i < TOUCH_THREADS; i++) {
			void *sum;
			EXPECT_EQ(pthread_join(t[i], &sum), 0);
			EXPECT_EQ((long)sum, 0);
		}
		munmap(touch_area, TOUCH_PAGES * 4096);
	}
	pthread_barrier_destroy(&touch_start);
}

/* A read blocked in one thread while another forks must land where the
 * reader's process sees it, even after the process wrote to that page
 * (which would move it to a copy, were the page shared with the child). */
static char read_page[4096] __attribute__((aligned(4096)));
static int read_pipe[2];

static void *blocked_read(void *arg)
{
	return (void *)read(read_pipe[0], read_page, 8);
}

TEST(fork_while_a_thread_is_blocked_reading_into_memory)
{
	pthread_t t;
	void *n;
	pid_t pid;
	int status;

	ASSERT_OK(pipe(read_pipe));
	ASSERT_EQ(pthread_create(&t, NULL, blocked_read, NULL), 0);
	usleep(100000);		/* the reader is asleep in read(2) */
	ASSERT_OK(pid = fork());
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	read_page[2048] = 1;
	EXPECT_EQ(write(read_pipe[1], "payload", 8), 8);
	EXPECT_EQ(pthread_join(t, &n), 0);
	EXPECT_EQ((long)n, 8);
	EXPECT_STREQ(read_page, "payload");
	close(read_pipe[0]);
	close(read_pipe[1]);
}
