/* Growing stacks: the main stack and MAP_GROWSDOWN mappings grow down on
 * access, within RLIMIT_STACK and never closer than the stack guard gap
 * (256 pages) to an accessible mapping below; the kernel's own writes
 * (a signal frame) grow them too. */
#include "test.h"

#include <sys/mman.h>
#include <sys/resource.h>

#define PAGE 4096UL
#define GUARD_GAP (256 * PAGE)

/* Uses about DEPTH pages of stack. */
static __attribute__((noinline)) int recurse(int depth)
{
	volatile char frame[PAGE];
	frame[0] = (char)depth;
	frame[PAGE - 1] = (char)depth;
	if (depth == 0)
		return frame[0];
	return recurse(depth - 1) + frame[PAGE - 1];
}

/* The size of the [stack] mapping, from /proc/self/maps. */
static unsigned long stack_size(void)
{
	char maps[65536];
	if (test_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return 0;
	char *line = strstr(maps, "[stack]");
	if (!line)
		return 0;
	while (line > maps && line[-1] != '\n')
		line--;
	unsigned long start, end;
	return sscanf(line, "%lx-%lx", &start, &end) == 2 ? end - start : 0;
}

TEST(the_main_stack_grows_on_demand)
{
	unsigned long before = stack_size();
	ASSERT_TRUE(before > 0);
	EXPECT_TRUE(before < (4UL << 20));
	recurse(1024);		/* 4 MiB */
	EXPECT_TRUE(stack_size() >= (4UL << 20));
}

static void overflow_past_the_limit(void)
{
	struct rlimit rl = { 1UL << 20, RLIM_INFINITY };
	if (setrlimit(RLIMIT_STACK, &rl) < 0)
		_exit(2);
	recurse(1536);		/* 6 MiB, past what earlier tests grew */
	_exit(0);
}

TEST(the_stack_stops_growing_at_rlimit_stack)
{
	pid_t pid = fork();
	if (pid == 0) {
		/* The SIGSEGV cannot be handled on the dead stack: default. */
		signal(SIGSEGV, SIG_DFL);
		overflow_past_the_limit();
	}
	int status = test_wait(pid, 0);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(WTERMSIG(status), SIGSEGV);
	/* Within the (default 8 MiB) limit, the same depth is fine. */
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		recurse(1536);
		_exit(0);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
}

#define HOLE (4UL << 20)

/* A one-page MAP_GROWSDOWN mapping above a 4 MiB hole, with an accessible
 * page below the hole. Returns the address just above the mapping. */
static char *growsdown_page_above_a_hole(void)
{
	char *r = mmap(NULL, HOLE + PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	munmap(r + PAGE, HOLE);
	char *top = r + PAGE + HOLE;
	char *g = mmap(top - PAGE, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
	return g == top - PAGE ? top : NULL;
}

TEST(a_growsdown_mapping_grows_but_keeps_the_guard_gap)
{
	char *top = growsdown_page_above_a_hole();
	ASSERT_TRUE(top != NULL);
	char *g = top - PAGE;
	/* 2 MiB below: grows. */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		volatile char *p = g - (2UL << 20);
		*p = 1;
		_exit(*p == 1 ? 0 : 1);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* Within the guard gap above the page below: SIGSEGV. */
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		volatile char *p = top - HOLE + GUARD_GAP / 2;
		*p = 1;
		_exit(0);
	}
	int status = test_wait(pid, 0);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	munmap(top - HOLE - PAGE, HOLE + PAGE);
}

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	volatile char local[PAGE];
	local[0] = (char)sig;
	handled = local[0];
}

/* The kernel writes the signal frame below a one-page growsdown
 * alternate stack: the write grows it. */
TEST(a_signal_frame_grows_a_growsdown_alternate_stack)
{
	char *top = growsdown_page_above_a_hole();
	ASSERT_TRUE(top != NULL);
	pid_t pid = fork();
	if (pid == 0) {
		stack_t ss = { .ss_sp = top - 64 * PAGE, .ss_size = 64 * PAGE };
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
		if (sigaltstack(&ss, NULL) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0)
			_exit(2);
		raise(SIGUSR1);
		_exit(handled == SIGUSR1 ? 0 : 1);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	munmap(top - HOLE - PAGE, HOLE + PAGE);
}
