/* System V semaphores: semget, semctl's commands, semop's all-or-nothing
 * operations with IPC_NOWAIT, blocking with GETNCNT/GETZCNT, semtimedop's
 * timeout, EINTR after a handler (never restarted), EIDRM on removal,
 * SEM_UNDO at exit and /proc/sysvipc/sem. Every set is IPC_PRIVATE and
 * removed at exit even after a failure. */
#include "test.h"

#include <pthread.h>
#include <sys/ipc.h>
#include <sys/sem.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static void remove_set(int id)
{
	semctl(id, 0, IPC_RMID);
}

static int new_set(int nsems, int mode)
{
	return test_remove_at_exit(remove_set, semget(IPC_PRIVATE, nsems, IPC_CREAT | mode));
}

static int op1(int id, unsigned short num, short op, short flg)
{
	struct sembuf sb = { num, op, flg };
	return semop(id, &sb, 1);
}

/* Waits (up to 10 s) until semctl(ID, NUM, CMD) is WANT. */
static int wait_count(int id, int num, int cmd, int want)
{
	long long start = test_now_ns();
	int n;
	while ((n = semctl(id, num, cmd)) != want && test_now_ns() - start < 10000000000LL)
		test_sleep_ms(1);
	return n;
}

static void on_signal(int sig)
{
	(void)sig;
}

TEST(get_and_values)
{
	EXPECT_ERRNO(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	EXPECT_ERRNO(semget(IPC_PRIVATE, -1, IPC_CREAT | 0600), EINVAL);
	int id = new_set(3, 0600);
	ASSERT_OK(id);
	unsigned short vals[3] = { 9, 9, 9 };
	EXPECT_OK(semctl(id, 0, GETALL, (union semun){ .array = vals }));
	EXPECT_EQ(vals[0] | vals[1] | vals[2], 0);
	vals[0] = 1, vals[1] = 2, vals[2] = 3;
	EXPECT_OK(semctl(id, 0, SETALL, (union semun){ .array = vals }));
	EXPECT_EQ(semctl(id, 2, GETVAL), 3);
	EXPECT_EQ(semctl(id, 2, GETPID), getpid());
	EXPECT_OK(semctl(id, 1, SETVAL, (union semun){ .val = 32767 }));
	EXPECT_EQ(semctl(id, 1, GETVAL), 32767);
	EXPECT_ERRNO(semctl(id, 1, SETVAL, (union semun){ .val = 32768 }), ERANGE);
	EXPECT_ERRNO(semctl(id, 1, SETVAL, (union semun){ .val = -1 }), ERANGE);
	EXPECT_ERRNO(semctl(id, 3, GETVAL), EINVAL);
	EXPECT_ERRNO(semctl(id, -1, GETVAL), EINVAL);
	EXPECT_ERRNO(semctl(id, 0, GETALL, (union semun){ .array = test_bad_ptr() }), EFAULT);
	vals[0] = 40000;
	EXPECT_ERRNO(semctl(id, 0, SETALL, (union semun){ .array = vals }), ERANGE);
	EXPECT_ERRNO(semctl(id, 0, 999), EINVAL);
	EXPECT_ERRNO(semctl(id + 1, 0, GETVAL), EINVAL);
	/* An existing set: asking for more semaphores than it has fails. */
	EXPECT_ERRNO(op1(id, 3, 1, 0), EFBIG);
	EXPECT_ERRNO(semop(id, NULL, 0), EINVAL);
	EXPECT_ERRNO(semop(id, test_bad_ptr(), 1), EFAULT);
	/* The operations are copied in before the id is looked at. */
	EXPECT_ERRNO(semop(-1, test_bad_ptr(), 1), EFAULT);
	EXPECT_ERRNO(semop(-1, (struct sembuf[1]){ { 0, 1, 0 } }, 1), EINVAL);
}

TEST(stat_and_info)
{
	int id = new_set(4, 0640);
	ASSERT_OK(id);
	struct semid_ds ds;
	EXPECT_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	EXPECT_EQ(ds.sem_nsems, 4);
	EXPECT_EQ(ds.sem_perm.mode, 0640);
	EXPECT_EQ(ds.sem_perm.uid, geteuid());
	EXPECT_EQ(ds.sem_otime, 0);
	EXPECT_NE(ds.sem_ctime, 0);
	ds.sem_perm.mode = 0600;
	EXPECT_OK(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }));
	EXPECT_EQ(semctl(id % 32768, 0, SEM_STAT, (union semun){ .buf = &ds }), id);
	EXPECT_EQ(ds.sem_perm.mode, 0600);
	EXPECT_EQ(semctl(id % 32768, 0, SEM_STAT_ANY, (union semun){ .buf = &ds }), id);
	EXPECT_OK(op1(id, 0, 1, 0));
	EXPECT_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	EXPECT_NE(ds.sem_otime, 0);

	struct seminfo si;
	EXPECT_GE(semctl(0, 0, IPC_INFO, (union semun){ .__buf = &si }), id % 32768);
	char buf[128];
	ASSERT_GE(test_read_file("/proc/sys/kernel/sem", buf, sizeof(buf)), 0);
	int msl, mns, opm, mni;
	ASSERT_EQ(sscanf(buf, "%d %d %d %d", &msl, &mns, &opm, &mni), 4);
	EXPECT_EQ(si.semmsl, msl);
	EXPECT_EQ(si.semmns, mns);
	EXPECT_EQ(si.semopm, opm);
	EXPECT_EQ(si.semmni, mni);
	EXPECT_EQ(si.semvmx, 32767);
	EXPECT_GE(semctl(0, 0, SEM_INFO, (union semun){ .__buf = &si }), id % 32768);
	EXPECT_GE(si.semusz, 1);	/* SEM_INFO: sets in use */
	EXPECT_GE(si.semaem, 4);	/* and semaphores */
	EXPECT_ERRNO(semop(id, (struct sembuf[1]){ { 0, 1, 0 } }, opm + 1), E2BIG);
}

TEST(nowait_and_atomicity)
{
	int id = new_set(2, 0600);
	ASSERT_OK(id);
	EXPECT_ERRNO(op1(id, 0, -1, IPC_NOWAIT), EAGAIN);
	EXPECT_OK(op1(id, 0, 0, IPC_NOWAIT));	/* zero: goes through */
	EXPECT_OK(op1(id, 0, 2, 0));
	EXPECT_ERRNO(op1(id, 0, 0, IPC_NOWAIT), EAGAIN);
	/* All or nothing: the second op cannot go, the first is undone. */
	struct sembuf two[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
	EXPECT_ERRNO(semop(id, two, 2), EAGAIN);
	EXPECT_EQ(semctl(id, 0, GETVAL), 2);
	/* Ops on one semaphore apply in order. */
	struct sembuf seq[3] = { { 0, -2, 0 }, { 0, 5, 0 }, { 1, 1, 0 } };
	EXPECT_OK(semop(id, seq, 3));
	EXPECT_EQ(semctl(id, 0, GETVAL), 5);
	EXPECT_EQ(semctl(id, 1, GETVAL), 1);
	EXPECT_ERRNO(op1(id, 0, 32767, 0), ERANGE);
	EXPECT_EQ(semctl(id, 0, GETVAL), 5);
}

TEST(blocking_decrement_and_zero_wait)
{
	int id = new_set(2, 0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(op1(id, 0, -1, 0));
		test_child_exit();
	}
	EXPECT_EQ(wait_count(id, 0, GETNCNT, 1), 1);
	EXPECT_EQ(semctl(id, 0, GETZCNT), 0);
	EXPECT_OK(op1(id, 0, 1, 0));
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(semctl(id, 0, GETVAL), 0);
	EXPECT_EQ(semctl(id, 0, GETNCNT), 0);
	EXPECT_EQ(semctl(id, 0, GETPID), pid);

	EXPECT_OK(semctl(id, 1, SETVAL, (union semun){ .val = 1 }));
	pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(op1(id, 1, 0, 0));
		test_child_exit();
	}
	EXPECT_EQ(wait_count(id, 1, GETZCNT, 1), 1);
	EXPECT_OK(semctl(id, 1, SETVAL, (union semun){ .val = 0 }));
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(semtimedop_timeout)
{
	int id = new_set(1, 0600);
	ASSERT_OK(id);
	struct sembuf sb = { 0, -1, 0 };
	long long start = test_now_ns();
	EXPECT_ERRNO(semtimedop(id, &sb, 1, &(struct timespec){ 0, 50000000 }), EAGAIN);
	EXPECT_GE(test_now_ns() - start, 50000000);
	EXPECT_ERRNO(semtimedop(id, &sb, 1, &(struct timespec){ 0, 1000000000 }), EINVAL);
	EXPECT_ERRNO(semtimedop(id, &sb, 1, test_bad_ptr()), EFAULT);
	EXPECT_OK(op1(id, 0, 1, 0));
	EXPECT_OK(semtimedop(id, &sb, 1, &(struct timespec){ 0, 0 }));
}

/* semop is not restarted after a handler, even with SA_RESTART. */
TEST(signal_interrupts_with_eintr)
{
	int id = new_set(1, 0600);
	ASSERT_OK(id);
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART }, old;
	ASSERT_OK(sigaction(SIGUSR1, &sa, &old));
	/* A timer's SIGUSR1, leaving SIGALRM to the harness's time limit. */
	timer_t timer;
	ASSERT_OK(test_signal_after_ms(SIGUSR1, 50, &timer));
	EXPECT_ERRNO(op1(id, 0, -1, 0), EINTR);
	EXPECT_EQ(semctl(id, 0, GETNCNT), 0);
	timer_delete(timer);
	sigaction(SIGUSR1, &old, NULL);
}

/* A stop and continue end semop too (-EINTR is no restart code). */
TEST(stop_and_continue_interrupt)
{
	int id = new_set(1, 0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_ERRNO(op1(id, 0, -1, 0), EINTR);
		test_child_exit();
	}
	EXPECT_EQ(wait_count(id, 0, GETNCNT, 1), 1);
	EXPECT_OK(kill(pid, SIGSTOP));
	int status = test_wait(pid, WUNTRACED);
	EXPECT_TRUE(WIFSTOPPED(status));
	EXPECT_OK(kill(pid, SIGCONT));
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(removal_wakes_with_eidrm)
{
	int id = new_set(1, 0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_ERRNO(op1(id, 0, -1, 0), EIDRM);
		test_child_exit();
	}
	EXPECT_EQ(wait_count(id, 0, GETNCNT, 1), 1);
	EXPECT_OK(semctl(id, 0, IPC_RMID));
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_ERRNO(semctl(id, 0, GETVAL), EINVAL);
}

TEST(sem_undo_at_exit)
{
	int id = new_set(2, 0600);
	ASSERT_OK(id);
	EXPECT_OK(semctl(id, 1, SETVAL, (union semun){ .val = 5 }));
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(op1(id, 0, 2, SEM_UNDO));
		EXPECT_OK(op1(id, 0, 1, 0));	/* no undo for this one */
		EXPECT_OK(op1(id, 1, -3, SEM_UNDO));
		EXPECT_EQ(semctl(id, 1, GETVAL), 2);
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(semctl(id, 0, GETVAL), 1);
	EXPECT_EQ(semctl(id, 1, GETVAL), 5);

	/* SETVAL clears the adjustments of that semaphore. */
	pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(op1(id, 0, 3, SEM_UNDO));
		EXPECT_OK(semctl(id, 0, SETVAL, (union semun){ .val = 10 }));
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(semctl(id, 0, GETVAL), 10);

	/* An undo that would go below zero stops at zero. */
	pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(op1(id, 1, 4, SEM_UNDO));
		EXPECT_OK(semctl(id, 1, SETVAL, (union semun){ .val = 20 }));
		EXPECT_OK(op1(id, 0, 1, SEM_UNDO));
		EXPECT_OK(semctl(id, 0, SETVAL, (union semun){ .val = 0 }));
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(semctl(id, 0, GETVAL), 0);
	EXPECT_EQ(semctl(id, 1, GETVAL), 20);
}

static void *undo_in_thread(void *arg)
{
	return (void *)(long)op1(*(int *)arg, 0, 1, SEM_UNDO);
}

/* The adjustments belong to the process: a thread's exit keeps them, the
 * process's applies them. */
TEST(sem_undo_is_per_process)
{
	int id = new_set(1, 0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		pthread_t th;
		void *ret;
		EXPECT_EQ(pthread_create(&th, NULL, undo_in_thread, &id), 0);
		EXPECT_EQ(pthread_join(th, &ret), 0);
		EXPECT_EQ((long)ret, 0);
		EXPECT_EQ(semctl(id, 0, GETVAL), 1);
		EXPECT_OK(op1(id, 0, 1, SEM_UNDO));
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(semctl(id, 0, GETVAL), 0);
}

TEST(permissions)
{
	if (geteuid() != 0)
		SKIP("needs root to become another user");
	int id = new_set(1, 0604);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		EXPECT_EQ(semctl(id, 0, GETVAL), 0);
		EXPECT_ERRNO(op1(id, 0, 1, 0), EACCES);
		EXPECT_OK(op1(id, 0, 0, 0));	/* waiting for zero only reads */
		EXPECT_ERRNO(semctl(id, 0, SETVAL, (union semun){ .val = 1 }), EACCES);
		EXPECT_ERRNO(semctl(id, 0, IPC_RMID), EPERM);
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(proc_sysvipc_sem)
{
	int id = new_set(7, 0600);
	ASSERT_OK(id);
	static char text[1 << 16];
	ASSERT_GE(test_read_file("/proc/sysvipc/sem", text, sizeof(text)), 0);
	EXPECT_TRUE(strncmp(text, "       key      semid perms      nsems   uid   gid  cuid  cgid"
			    "      otime      ctime\n", 85) == 0);
	char want[128];
	snprintf(want, sizeof(want), "\n         0 %10d   600          7 %5u ", id, geteuid());
	EXPECT_TRUE(strstr(text, want) != NULL);
}
