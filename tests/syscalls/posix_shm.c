/* POSIX shared memory and semaphores, which glibc builds on /dev/shm:
 * it is a world-writable sticky tmpfs; shm_open + mmap(MAP_SHARED) is
 * shared across fork; named semaphores (sem_open) and process-shared
 * unnamed ones work between processes (futexes on a shared file
 * mapping). Names carry the pid and are unlinked even after a failure. */
#include "test.h"

#include <linux/magic.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/vfs.h>

static char shm_name[64], sem_name[64];

__attribute__((destructor)) static void unlink_all(void)
{
	if (shm_name[0])
		shm_unlink(shm_name);
	if (sem_name[0])
		sem_unlink(sem_name);
}

TEST(dev_shm_is_tmpfs)
{
	struct statfs sfs;
	ASSERT_OK(statfs("/dev/shm", &sfs));
	EXPECT_EQ(sfs.f_type, TMPFS_MAGIC);
	struct stat st;
	ASSERT_OK(stat("/dev/shm", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 01777);
}

TEST(shm_open_mmap_shared)
{
	snprintf(shm_name, sizeof(shm_name), "/cvisor-test-shm-%d", getpid());
	int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_OK(fd);
	EXPECT_ERRNO(shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	char path[128];
	snprintf(path, sizeof(path), "/dev/shm%s", shm_name);
	struct stat st;
	EXPECT_OK(stat(path, &st));
	EXPECT_OK(ftruncate(fd, 8192));
	volatile int *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(p, MAP_FAILED);
	pid_t pid = test_fork();
	if (pid == 0) {
		int cfd = shm_open(shm_name, O_RDWR, 0);
		volatile int *c = cfd < 0 ? MAP_FAILED
					  : mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		if (c == MAP_FAILED)
			_exit(2);
		c[1500] = 77;
		p[10] = 66;	/* the inherited mapping is the same memory */
		_exit(0);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(p[1500], 77);
	EXPECT_EQ(p[10], 66);
	int v = 0;
	EXPECT_EQ(pread(fd, &v, sizeof(v), 1500 * sizeof(int)), (ssize_t)sizeof(v));
	EXPECT_EQ(v, 77);
	munmap((void *)p, 8192);
	close(fd);
	EXPECT_OK(shm_unlink(shm_name));
	EXPECT_ERRNO(shm_open(shm_name, O_RDWR, 0), ENOENT);
	shm_name[0] = 0;
}

TEST(named_semaphore_between_processes)
{
	snprintf(sem_name, sizeof(sem_name), "/cvisor-test-sem-%d", getpid());
	sem_t *s = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 0);
	ASSERT_TRUE(s != SEM_FAILED);
	char path[128];
	snprintf(path, sizeof(path), "/dev/shm/sem.%s", sem_name + 1);
	struct stat st;
	EXPECT_OK(stat(path, &st));
	pid_t pid = test_fork();
	if (pid == 0) {
		sem_t *c = sem_open(sem_name, 0);
		if (c == SEM_FAILED)
			_exit(2);
		/* Two posts from the parent, then one back. */
		if (sem_wait(c) || sem_wait(c) || sem_post(c))
			_exit(3);
		_exit(0);
	}
	test_sleep_ms(20);
	EXPECT_OK(sem_post(s));
	EXPECT_OK(sem_post(s));
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_OK(sem_wait(s));
	EXPECT_ERRNO(sem_trywait(s), EAGAIN);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	EXPECT_ERRNO(sem_timedwait(s, &ts), ETIMEDOUT);
	EXPECT_OK(sem_close(s));
	EXPECT_OK(sem_unlink(sem_name));
	sem_name[0] = 0;
}

TEST(unnamed_semaphore_in_shared_memory)
{
	sem_t *s = mmap(NULL, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(s, MAP_FAILED);
	ASSERT_OK(sem_init(s, 1, 0));
	pid_t pid = test_fork();
	if (pid == 0)
		_exit(sem_wait(s) ? 2 : 0);
	test_sleep_ms(20);
	EXPECT_OK(sem_post(s));
	EXPECT_EQ(test_wait(pid, 0), 0);
	int v = -1;
	EXPECT_OK(sem_getvalue(s, &v));
	EXPECT_EQ(v, 0);
	sem_destroy(s);
	munmap(s, sizeof(sem_t));
}
