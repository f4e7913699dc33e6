/* System V shared memory: shmget keys and flags, shmat (SHM_RDONLY,
 * SHM_RND, SHM_REMAP), shmdt, attach counts across fork and exit, removal
 * at the last detach, shmctl's commands, coherence between processes and
 * /proc/sysvipc/shm. Every segment is IPC_PRIVATE or a key this process
 * made with IPC_EXCL, and is removed at exit even after a failure. */
#include "test.h"

#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

static void remove_seg(int id)
{
	shmctl(id, IPC_RMID, NULL);
}

static int track(int id)
{
	return test_remove_at_exit(remove_seg, id);
}

static int new_seg(size_t size, int mode)
{
	return track(shmget(IPC_PRIVATE, size, IPC_CREAT | mode));
}

/* A key no one else uses: made here with IPC_EXCL. */
static int new_keyed_seg(key_t *key, size_t size)
{
	for (int i = 0; i < 100; i++) {
		*key = (key_t)(0x5e000000 | ((getpid() & 0xffff) << 8) | i);
		int id = shmget(*key, size, IPC_CREAT | IPC_EXCL | 0600);
		if (id >= 0 || errno != EEXIST)
			return track(id);
	}
	return -1;
}

static struct shmid_ds stat_of(int id)
{
	struct shmid_ds ds;
	memset(&ds, 0xff, sizeof(ds));
	shmctl(id, IPC_STAT, &ds);
	return ds;
}

TEST(get_keys_and_errors)
{
	key_t key;
	int id = new_keyed_seg(&key, 8192);
	ASSERT_OK(id);
	EXPECT_EQ(shmget(key, 8192, 0), id);
	EXPECT_EQ(shmget(key, 100, IPC_CREAT), id);	/* smaller is fine */
	EXPECT_ERRNO(shmget(key, 8193, 0), EINVAL);
	EXPECT_ERRNO(shmget(key, 100, IPC_CREAT | IPC_EXCL), EEXIST);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
	EXPECT_ERRNO(shmget(key, 100, 0), ENOENT);
	EXPECT_ERRNO(shmget(IPC_PRIVATE, 0, IPC_CREAT), EINVAL);
	/* Past the largest file, and more than any memory. */
	EXPECT_ERRNO(track(shmget(IPC_PRIVATE, 1UL << 63, IPC_CREAT)), EINVAL);
	EXPECT_ERRNO(track(shmget(IPC_PRIVATE, 1UL << 46, IPC_CREAT)), ENOMEM);
	EXPECT_ERRNO(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);
	EXPECT_ERRNO(shmctl(-1, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);
	EXPECT_ERRNO(shmat(id, NULL, 0), EINVAL);
	EXPECT_ERRNO(shmctl(new_seg(100, 0600), 12345, NULL), EINVAL);
	/* A slot's next object gets a new id (the sequence part). */
	int again = new_seg(100, 0600);
	ASSERT_OK(again);
	EXPECT_OK(shmctl(again, IPC_RMID, NULL));
	int next = new_seg(100, 0600);
	EXPECT_NE(next, again);
	EXPECT_ERRNO(shmctl(again, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);
	EXPECT_ERRNO(shmdt((void *)0x1001), EINVAL);
	static int not_attached;
	EXPECT_ERRNO(shmdt(&not_attached), EINVAL);
}

TEST(attach_stat_detach)
{
	int id = new_seg(10000, 0640);
	ASSERT_OK(id);
	struct shmid_ds ds = stat_of(id);
	EXPECT_EQ(ds.shm_segsz, 10000);
	EXPECT_EQ(ds.shm_nattch, 0);
	EXPECT_EQ(ds.shm_perm.mode, 0640);
	EXPECT_EQ(ds.shm_perm.uid, geteuid());
	EXPECT_EQ(ds.shm_perm.cuid, geteuid());
	EXPECT_EQ(ds.shm_perm.__key, IPC_PRIVATE);
	EXPECT_EQ(ds.shm_cpid, getpid());
	EXPECT_EQ(ds.shm_atime, 0);
	EXPECT_NE(ds.shm_ctime, 0);

	char *a = shmat(id, NULL, 0);
	ASSERT_NE(a, (char *)-1);
	char *b = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(b, (char *)-1);
	EXPECT_NE(a, b);
	EXPECT_EQ((uintptr_t)a % 4096, 0);
	/* Zeroed; the page holding the end is whole. */
	EXPECT_EQ(a[9999] | a[12287], 0);
	strcpy(a + 5000, "shared");
	EXPECT_STREQ(b + 5000, "shared");
	ds = stat_of(id);
	EXPECT_EQ(ds.shm_nattch, 2);
	EXPECT_EQ(ds.shm_lpid, getpid());
	EXPECT_NE(ds.shm_atime, 0);

	EXPECT_OK(shmdt(a));
	EXPECT_ERRNO(shmdt(a), EINVAL);
	EXPECT_EQ(stat_of(id).shm_nattch, 1);
	EXPECT_OK(shmdt(b));
	ds = stat_of(id);
	EXPECT_EQ(ds.shm_nattch, 0);
	EXPECT_NE(ds.shm_dtime, 0);
	/* The data outlives the attaches. */
	a = shmat(id, NULL, 0);
	ASSERT_NE(a, (char *)-1);
	EXPECT_STREQ(a + 5000, "shared");
	EXPECT_OK(shmdt(a));
}

TEST(maps_name)
{
	int id = new_seg(4096, 0600);
	ASSERT_OK(id);
	char *a = shmat(id, NULL, 0);
	ASSERT_NE(a, (char *)-1);
	static char maps[65536];
	ASSERT_GE(test_read_file("/proc/self/maps", maps, sizeof(maps)), 0);
	char want[64];
	snprintf(want, sizeof(want), "%lx-", (unsigned long)a);
	char *line = strstr(maps, want);
	ASSERT_TRUE(line != NULL);
	char *end = strchr(line, '\n');
	if (end)
		*end = 0;
	EXPECT_TRUE(strstr(line, "rw-s") != NULL);
	EXPECT_TRUE(strstr(line, "/SYSV00000000 (deleted)") != NULL);
	/* The inode number is the id. */
	unsigned long ino = 0;
	EXPECT_EQ(sscanf(line, "%*s %*s %*s %*s %lu", &ino), 1);
	EXPECT_EQ(ino, (unsigned long)id);
	EXPECT_OK(shmdt(a));
}

TEST(fork_inherits_and_exit_detaches)
{
	int id = new_seg(4096, 0600);
	ASSERT_OK(id);
	volatile int *p = shmat(id, NULL, 0);
	ASSERT_NE(p, (void *)-1);
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_EQ(stat_of(id).shm_nattch, 2);
		p[0] = 42;
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(p[0], 42);
	EXPECT_EQ(stat_of(id).shm_nattch, 1);

	/* An exec detaches too. */
	pid = test_fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(stat_of(id).shm_nattch, 1);
	EXPECT_OK(shmdt((void *)p));
}

/* Two processes that attach on their own see each other's stores. */
TEST(coherent_between_processes)
{
	int id = new_seg(8192, 0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		volatile int *c = shmat(id, NULL, 0);
		if (c == (void *)-1)
			_exit(2);
		while (c[1024] != 1)
			;
		c[1025] = c[1026] + 1;
		c[1024] = 2;
		_exit(0);
	}
	volatile int *p = shmat(id, NULL, 0);
	ASSERT_NE(p, (void *)-1);
	p[1026] = 99;
	p[1024] = 1;
	long long start = test_now_ns();
	while (p[1024] != 2 && test_now_ns() - start < 10000000000LL)
		;
	EXPECT_EQ(p[1024], 2);
	EXPECT_EQ(p[1025], 100);
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_OK(shmdt((void *)p));
}

TEST(rmid_waits_for_last_detach)
{
	key_t key;
	int id = new_keyed_seg(&key, 4096);
	ASSERT_OK(id);
	char *a = shmat(id, NULL, 0);
	ASSERT_NE(a, (char *)-1);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
	/* The key is free; the segment stays, marked, while attached. */
	EXPECT_ERRNO(shmget(key, 4096, 0), ENOENT);
	struct shmid_ds ds = stat_of(id);
	EXPECT_EQ(ds.shm_perm.mode & 01000, 01000);	/* SHM_DEST */
	EXPECT_EQ(ds.shm_perm.__key, IPC_PRIVATE);
	EXPECT_EQ(ds.shm_nattch, 1);
	a[0] = 1;
	/* Another attach still works until the last detach. */
	char *b = shmat(id, NULL, 0);
	EXPECT_NE(b, (char *)-1);
	EXPECT_OK(shmdt(a));
	EXPECT_EQ(b[0], 1);
	EXPECT_OK(shmdt(b));
	EXPECT_ERRNO(shmctl(id, IPC_STAT, &ds), EINVAL);
}

TEST(rdonly_faults_on_write)
{
	int id = new_seg(4096, 0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		volatile char *p = shmat(id, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			_exit(2);
		if (p[0] != 0)
			_exit(3);
		p[0] = 1;
		_exit(4);
	}
	int status = test_wait(pid, 0);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	/* Nor can it be made writable. */
	char *p = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(p, (char *)-1);
	EXPECT_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
	EXPECT_OK(mprotect(p, 4096, PROT_NONE));
	EXPECT_OK(shmdt(p));
}

TEST(addresses_rnd_and_remap)
{
	int id = new_seg(8192, 0600);
	ASSERT_OK(id);
	char *area = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ASSERT_NE(area, MAP_FAILED);
	area[4096] = 7;
	/* Not aligned: EINVAL unless SHM_RND. */
	EXPECT_ERRNO(shmat(id, area + 100, 0), EINVAL);
	/* In use: EINVAL unless SHM_REMAP. */
	EXPECT_ERRNO(shmat(id, area + 4096, 0), EINVAL);
	EXPECT_EQ(area[4096], 7);
	EXPECT_ERRNO(shmat(id, NULL, SHM_REMAP), EINVAL);
	EXPECT_ERRNO(shmat(id, (void *)-4096L, 0), EINVAL);	/* wraps around */
	EXPECT_ERRNO(shmat(id, (void *)100, SHM_RND | SHM_REMAP), EINVAL);
	/* Rounded down to NULL: anywhere. */
	char *any = shmat(id, (void *)100, SHM_RND);
	EXPECT_NE(any, (char *)-1);
	EXPECT_OK(shmdt(any));
	char *p = shmat(id, area + 4096 + 100, SHM_RND | SHM_REMAP);
	EXPECT_EQ(p, area + 4096);
	EXPECT_EQ(area[4096], 0);
	EXPECT_OK(shmdt(area + 4096));
	/* Detached: the range is unmapped. */
	EXPECT_ERRNO(mprotect(area + 4096, 4096, PROT_READ), ENOMEM);
	EXPECT_OK(munmap(area, 4 * 4096));

	/* shmdt takes every piece of a split attach. */
	p = shmat(id, NULL, 0);
	ASSERT_NE(p, (char *)-1);
	EXPECT_OK(mprotect(p + 4096, 4096, PROT_READ));
	EXPECT_OK(shmdt(p));
	EXPECT_EQ(stat_of(id).shm_nattch, 0);
	EXPECT_ERRNO(mprotect(p + 4096, 4096, PROT_READ), ENOMEM);
}

TEST(set_info_and_stat_commands)
{
	int id = new_seg(4096, 0600);
	ASSERT_OK(id);
	struct shmid_ds ds = stat_of(id);
	ds.shm_perm.mode = 0444 | 01000;	/* only the 0777 bits change */
	EXPECT_OK(shmctl(id, IPC_SET, &ds));
	EXPECT_EQ(stat_of(id).shm_perm.mode, 0444);
	EXPECT_ERRNO(shmctl(id, IPC_SET, test_bad_ptr()), EFAULT);
	EXPECT_ERRNO(shmctl(id, IPC_STAT, test_bad_ptr()), EFAULT);

	struct shminfo info;
	int max = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
	EXPECT_GE(max, id % 32768);
	char buf[64];
	ASSERT_GE(test_read_file("/proc/sys/kernel/shmmni", buf, sizeof(buf)), 0);
	EXPECT_EQ(info.shmmni, strtoul(buf, NULL, 10));
	ASSERT_GE(test_read_file("/proc/sys/kernel/shmmax", buf, sizeof(buf)), 0);
	EXPECT_EQ(info.shmmax, strtoul(buf, NULL, 10));
	EXPECT_EQ(info.shmmin, 1);
	struct shm_info sinfo;
	EXPECT_GE(shmctl(0, SHM_INFO, (struct shmid_ds *)&sinfo), id % 32768);
	EXPECT_GE(sinfo.used_ids, 1);
	EXPECT_GE(sinfo.shm_tot, 1);

	/* *_STAT take an index and return the id. */
	EXPECT_EQ(shmctl(id % 32768, SHM_STAT, &ds), id);
	EXPECT_EQ(ds.shm_segsz, 4096);
	EXPECT_EQ(shmctl(id % 32768, SHM_STAT_ANY, &ds), id);
	EXPECT_OK(shmctl(id, SHM_LOCK, NULL));
	EXPECT_EQ(stat_of(id).shm_perm.mode & 02000, 02000);	/* SHM_LOCKED */
	EXPECT_OK(shmctl(id, SHM_UNLOCK, NULL));
	EXPECT_EQ(stat_of(id).shm_perm.mode & 02000, 0);
}

TEST(permissions)
{
	if (geteuid() != 0)
		SKIP("needs root to become another user");
	int id = new_seg(4096, 0604);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		EXPECT_ERRNO(shmat(id, NULL, 0), EACCES);
		void *p = shmat(id, NULL, SHM_RDONLY);
		EXPECT_NE(p, (void *)-1);
		EXPECT_ERRNO(shmctl(id, IPC_RMID, NULL), EPERM);
		struct shmid_ds ds;
		EXPECT_OK(shmctl(id, IPC_STAT, &ds));
		EXPECT_ERRNO(shmctl(id, IPC_SET, &ds), EPERM);
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(proc_sysvipc_shm)
{
	int id = new_seg(12345, 0600);
	ASSERT_OK(id);
	static char text[1 << 16];
	ASSERT_GE(test_read_file("/proc/sysvipc/shm", text, sizeof(text)), 0);
	EXPECT_TRUE(strncmp(text, "       key      shmid perms                  size  cpid  lpid"
			    " nattch   uid   gid  cuid  cgid      atime      dtime      ctime",
			    120) == 0);
	char want[128];
	snprintf(want, sizeof(want), "\n         0 %10d   600                 12345 %5d ", id,
		 getpid());
	EXPECT_TRUE(strstr(text, want) != NULL);
}
