/* Scheduling attributes: nice values (getpriority/setpriority), policies
 * and parameters, affinity, getcpu and personality. Policies are only
 * changed among the non-real-time ones, so the test never runs with a
 * real-time priority on a shared machine. */
#include "test.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>

/* Drops CAP_SYS_NICE from every set. */
static void drop_sys_nice(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	ASSERT_OK(syscall(SYS_capget, &h, d));
	d[0].effective &= ~(1u << CAP_SYS_NICE);
	d[0].permitted &= ~(1u << CAP_SYS_NICE);
	d[0].inheritable &= ~(1u << CAP_SYS_NICE);
	ASSERT_OK(syscall(SYS_capset, &h, d));
}

static void nice_values(void)
{
	ASSERT_OK(setpgid(0, 0));	/* alone in its group, for PRIO_PGRP */
	errno = 0;
	int base = getpriority(PRIO_PROCESS, 0);
	ASSERT_EQ(errno, 0);
	/* The raw syscall returns 20 - nice. */
	EXPECT_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 20 - base);
	EXPECT_OK(setpriority(PRIO_PROCESS, 0, 5));
	EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 5);
	EXPECT_EQ(getpriority(PRIO_PROCESS, getpid()), 5);
	EXPECT_EQ(getpriority(PRIO_PGRP, 0), 5);	/* the only one in its group */
	/* Out-of-range values are clamped. */
	EXPECT_OK(setpriority(PRIO_PROCESS, 0, 100));
	EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 19);
	EXPECT_OK(nice(-1));
	EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 18);
	/* Inherited at fork. */
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(getpriority(PRIO_PROCESS, 0) == 18 ? 0 : 1);
	ASSERT_OK(pid);
	ASSERT_OK(waitpid(pid, &status, 0));
	EXPECT_EQ(status, 0);
	/* Without CAP_SYS_NICE and with RLIMIT_NICE 0, lowering is EACCES,
	 * raising is fine. */
	struct rlimit rl = { 0, 0 };
	ASSERT_OK(setrlimit(RLIMIT_NICE, &rl));
	drop_sys_nice();
	EXPECT_ERRNO(setpriority(PRIO_PROCESS, 0, 10), EACCES);
	EXPECT_OK(setpriority(PRIO_PROCESS, 0, 19));
	EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 19);
}

TEST(setpriority_getpriority_and_nice)
{
	test_in_child(nice_values);
}

TEST(priority_errors)
{
	EXPECT_ERRNO(getpriority(7, 0), EINVAL);
	EXPECT_ERRNO(setpriority(7, 0, 0), EINVAL);
	EXPECT_ERRNO(getpriority(PRIO_PROCESS, 4194303), ESRCH);
	EXPECT_ERRNO(setpriority(PRIO_PROCESS, 4194303, 0), ESRCH);
}

/* Another user's process needs CAP_SYS_NICE. */
static void other_user(void)
{
	pid_t victim = fork();
	if (victim == 0) {
		pause();
		_exit(0);
	}
	ASSERT_OK(victim);
	pid_t checker = fork();
	if (checker == 0) {
		if (setresuid(1000, 1000, 1000) < 0)
			_exit(2);
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		struct sched_param p = { 0 };
		_exit(setpriority(PRIO_PROCESS, victim, 5) == -1 && errno == EPERM &&
		      sched_setaffinity(victim, sizeof(set), &set) == -1 && errno == EPERM &&
		      sched_setscheduler(victim, SCHED_BATCH, &p) == -1 && errno == EPERM ? 0 : 1);
	}
	int status = -1;
	if (checker > 0)
		waitpid(checker, &status, 0);
	EXPECT_EQ(status, 0);
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
}

TEST(another_users_process_needs_cap_sys_nice)
{
	test_in_child(other_user);
}

TEST(priority_ranges)
{
	EXPECT_EQ(sched_get_priority_max(SCHED_FIFO), 99);
	EXPECT_EQ(sched_get_priority_min(SCHED_FIFO), 1);
	EXPECT_EQ(sched_get_priority_max(SCHED_RR), 99);
	EXPECT_EQ(sched_get_priority_min(SCHED_RR), 1);
	EXPECT_EQ(sched_get_priority_max(SCHED_OTHER), 0);
	EXPECT_EQ(sched_get_priority_min(SCHED_BATCH), 0);
	EXPECT_EQ(sched_get_priority_max(SCHED_IDLE), 0);
	EXPECT_ERRNO(sched_get_priority_max(42), EINVAL);
	EXPECT_ERRNO(sched_get_priority_min(-1), EINVAL);
}

static void policies(void)
{
	struct sched_param p = { 0 };
	EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
	EXPECT_OK(sched_getparam(0, &p));
	EXPECT_EQ(p.sched_priority, 0);
	EXPECT_OK(sched_setscheduler(0, SCHED_BATCH, &p));
	EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
	EXPECT_EQ(sched_getscheduler(getpid()), SCHED_BATCH);
	EXPECT_OK(sched_setparam(0, &p));
	EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
	/* Priorities: 0 for the fair policies, 1..99 for real time. */
	p.sched_priority = 5;
	EXPECT_ERRNO(sched_setscheduler(0, SCHED_OTHER, &p), EINVAL);
	EXPECT_ERRNO(sched_setparam(0, &p), EINVAL);
	p.sched_priority = 0;
	EXPECT_ERRNO(sched_setscheduler(0, SCHED_FIFO, &p), EINVAL);
	p.sched_priority = 100;
	EXPECT_ERRNO(sched_setscheduler(0, SCHED_RR, &p), EINVAL);
	p.sched_priority = 0;
	EXPECT_ERRNO(sched_setscheduler(0, 42, &p), EINVAL);
	EXPECT_ERRNO(sched_setscheduler(-1, SCHED_OTHER, &p), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, test_bad_ptr()), EFAULT);
	EXPECT_ERRNO(sched_getscheduler(-1), EINVAL);
	EXPECT_ERRNO(sched_getscheduler(4194303), ESRCH);
	EXPECT_ERRNO(sched_getparam(4194303, &p), ESRCH);
	EXPECT_OK(sched_setscheduler(0, SCHED_IDLE, &p));
	EXPECT_EQ(sched_getscheduler(0), SCHED_IDLE);
	struct timespec ts;
	EXPECT_OK(sched_rr_get_interval(0, &ts));
	/* Real time without CAP_SYS_NICE and with RLIMIT_RTPRIO 0: EPERM. */
	struct rlimit rl = { 0, 0 };
	ASSERT_OK(setrlimit(RLIMIT_RTPRIO, &rl));
	drop_sys_nice();
	p.sched_priority = 1;
	EXPECT_ERRNO(sched_setscheduler(0, SCHED_FIFO, &p), EPERM);
}

TEST(sched_policies_and_params)
{
	test_in_child(policies);
}

static void affinity(void)
{
	cpu_set_t all, one, got;
	ASSERT_OK(sched_getaffinity(0, sizeof(all), &all));
	int first = -1;
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &all))
			first = i;
	ASSERT_TRUE(first >= 0);
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	EXPECT_OK(sched_setaffinity(0, sizeof(one), &one));
	ASSERT_OK(sched_getaffinity(0, sizeof(got), &got));
	EXPECT_TRUE(CPU_EQUAL(&got, &one));
	/* /proc/<pid>/status shows the mask as a list. */
	char proc_status[4096], want[64], *line;
	ASSERT_TRUE(test_read_file("/proc/self/status", proc_status, sizeof(proc_status)) > 0);
	ASSERT_TRUE((line = strstr(proc_status, "Cpus_allowed_list:\t")) != NULL);
	snprintf(want, sizeof(want), "Cpus_allowed_list:\t%d\n", first);
	EXPECT_TRUE(strncmp(line, want, strlen(want)) == 0);
	unsigned cpu = 99, node = 99;
	EXPECT_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
	EXPECT_EQ(cpu, (unsigned)first);
	EXPECT_EQ(node, 0);
	EXPECT_EQ(sched_getcpu(), first);
	/* A mask of no usable CPU is EINVAL. */
	cpu_set_t none;
	CPU_ZERO(&none);
	EXPECT_ERRNO(sched_setaffinity(0, sizeof(none), &none), EINVAL);
	CPU_ZERO(&none);
	CPU_SET(CPU_SETSIZE - 1, &none);
	EXPECT_ERRNO(sched_setaffinity(0, sizeof(none), &none), EINVAL);
	EXPECT_ERRNO(sched_setaffinity(4194303, sizeof(one), &one), ESRCH);
	/* Inherited at fork. */
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		cpu_set_t c;
		_exit(sched_getaffinity(0, sizeof(c), &c) == 0 && CPU_EQUAL(&c, &one) ? 0 : 1);
	}
	ASSERT_OK(pid);
	ASSERT_OK(waitpid(pid, &status, 0));
	EXPECT_EQ(status, 0);
	EXPECT_OK(sched_setaffinity(0, sizeof(all), &all));
	ASSERT_OK(sched_getaffinity(0, sizeof(got), &got));
	EXPECT_TRUE(CPU_EQUAL(&got, &all));
}

TEST(sched_setaffinity_and_getcpu)
{
	test_in_child(affinity);
}

TEST(getcpu_is_within_the_affinity_mask)
{
	cpu_set_t set;
	unsigned cpu = 9999, node = 9999;
	ASSERT_OK(sched_getaffinity(0, sizeof(set), &set));
	EXPECT_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
	EXPECT_TRUE(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set));
	EXPECT_TRUE(cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF));
	EXPECT_OK(syscall(SYS_getcpu, NULL, NULL, NULL));
}

static void persona(void)
{
	int old = personality(0xffffffff);
	EXPECT_EQ(old & PER_MASK, PER_LINUX);
	EXPECT_EQ(personality(old | ADDR_NO_RANDOMIZE), old);
	EXPECT_EQ(personality(0xffffffff), old | ADDR_NO_RANDOMIZE);
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(personality(0xffffffff) == (old | ADDR_NO_RANDOMIZE) ? 0 : 1);
	ASSERT_OK(pid);
	ASSERT_OK(waitpid(pid, &status, 0));
	EXPECT_EQ(status, 0);
	EXPECT_EQ(personality(old), old | ADDR_NO_RANDOMIZE);
}

TEST(personality_query_and_addr_no_randomize)
{
	test_in_child(persona);
}
