/* The vDSO: found through AT_SYSINFO_EHDR, exporting the LINUX_2.6 time
 * and CPU functions, answering as the system calls do (same clock, never
 * going back when the two are mixed), its [vvar] pages read-only, its
 * code private to each process. The functions are called through the
 * vDSO's own symbol table, not through glibc, which could fall back to
 * the system call unseen. */
#include "test.h"

#include <elf.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef int (*clock_getres_fn)(clockid_t, struct timespec *);
typedef int (*getcpu_fn)(unsigned *, unsigned *, void *);

/* Looks NAME up in the vDSO's dynamic symbol table (DT_HASH gives the
 * symbol count), checking its version is LINUX_2.6. */
static void *vdso_sym(const char *name)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		return NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	uintptr_t load = 0;
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !load)
			load = base + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	if (!dyn)
		return NULL;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const uint32_t *hash = NULL;
	const uint16_t *versym = NULL;
	const Elf64_Verdef *verdef = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = load + dyn->d_un.d_ptr;
		switch (dyn->d_tag) {
		case DT_SYMTAB: sym = (const Elf64_Sym *)p; break;
		case DT_STRTAB: str = (const char *)p; break;
		case DT_HASH: hash = (const uint32_t *)p; break;
		case DT_VERSYM: versym = (const uint16_t *)p; break;
		case DT_VERDEF: verdef = (const Elf64_Verdef *)p; break;
		}
	}
	if (!sym || !str || !hash || !versym || !verdef)
		return NULL;
	for (uint32_t i = 0; i < hash[1]; i++) {
		if (strcmp(str + sym[i].st_name, name) || sym[i].st_shndx == SHN_UNDEF)
			continue;
		/* The version definition whose index the symbol carries. */
		const Elf64_Verdef *d = verdef;
		for (;;) {
			if (d->vd_ndx == (versym[i] & 0x7fff)) {
				const Elf64_Verdaux *aux =
					(const Elf64_Verdaux *)((const char *)d + d->vd_aux);
				if (strcmp(str + aux->vda_name, "LINUX_2.6"))
					return NULL;
				return (void *)(load + sym[i].st_value);
			}
			if (!d->vd_next)
				return NULL;
			d = (const Elf64_Verdef *)((const char *)d + d->vd_next);
		}
	}
	return NULL;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* cvisor publishes the vDSO's clock once it has calibrated the TSC,
 * shortly after start; until then the vDSO makes the system call. Tests
 * of the fast path start after that. */
static void settle(void)
{
	static bool done;
	if (!done)
		test_sleep_ms(150);
	done = true;
}

TEST(the_vdso_is_an_elf_image_with_the_linux_2_6_symbols)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	ASSERT_TRUE(base != 0);
	EXPECT_EQ(base % 4096, 0);
	EXPECT_MEMEQ((const void *)base, ELFMAG, SELFMAG);
	EXPECT_TRUE(vdso_sym("__vdso_clock_gettime") != NULL);
	EXPECT_TRUE(vdso_sym("__vdso_gettimeofday") != NULL);
	EXPECT_TRUE(vdso_sym("__vdso_time") != NULL);
	EXPECT_TRUE(vdso_sym("__vdso_clock_getres") != NULL);
	EXPECT_TRUE(vdso_sym("__vdso_getcpu") != NULL);
	EXPECT_TRUE(vdso_sym("no_such_symbol") == NULL);
}

TEST(maps_show_vdso_at_the_auxv_address_and_vvar_below_it)
{
	char maps[65536], want[64];
	ASSERT_TRUE(test_read_file("/proc/self/maps", maps, sizeof(maps)) > 0);
	snprintf(want, sizeof(want), "%lx-", getauxval(AT_SYSINFO_EHDR));
	char *line = strstr(maps, want);
	ASSERT_TRUE(line != NULL);
	char *eol = strchr(line, '\n');
	ASSERT_TRUE(eol != NULL);
	*eol = '\0';
	EXPECT_TRUE(strstr(line, " r-xp ") != NULL);
	EXPECT_TRUE(strstr(line, "[vdso]") != NULL);
	*eol = '\n';
	EXPECT_TRUE(strstr(maps, "[vvar]") != NULL && strstr(maps, "[vvar]") < line);
}

/* Mixing the vDSO and the system call never sees the clock go back. */
TEST(vdso_and_syscall_monotonic_clocks_never_go_back_when_mixed)
{
	clock_gettime_fn vgettime = (clock_gettime_fn)vdso_sym("__vdso_clock_gettime");
	ASSERT_TRUE(vgettime != NULL);
	settle();
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME };
	for (size_t c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
		struct timespec ts;
		int64_t last = 0;
		int back = 0;
		for (int i = 0; i < 2000; i++) {
			if (i % 2)
				ASSERT_EQ(vgettime(clocks[c], &ts), 0);
			else
				ASSERT_EQ(syscall(SYS_clock_gettime, clocks[c], &ts), 0);
			back += ts_ns(&ts) < last;
			last = ts_ns(&ts);
		}
		EXPECT_EQ(back, 0);
	}
}

TEST(vdso_realtime_gettimeofday_and_time_agree_with_the_syscall)
{
	clock_gettime_fn vgettime = (clock_gettime_fn)vdso_sym("__vdso_clock_gettime");
	gettimeofday_fn vgtod = (gettimeofday_fn)vdso_sym("__vdso_gettimeofday");
	time_fn vtime = (time_fn)vdso_sym("__vdso_time");
	ASSERT_TRUE(vgettime && vgtod && vtime);
	settle();
	struct timespec sys, v;
	ASSERT_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &sys), 0);
	ASSERT_EQ(vgettime(CLOCK_REALTIME, &v), 0);
	int64_t diff = ts_ns(&v) - ts_ns(&sys);
	EXPECT_TRUE(diff >= -1000000 && diff < 100000000);	/* same clock */
	struct timeval tv;
	ASSERT_EQ(vgtod(&tv, NULL), 0);
	EXPECT_TRUE(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	int64_t tv_ns = (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	EXPECT_TRUE(tv_ns - ts_ns(&v) > -1000000 && tv_ns - ts_ns(&v) < 100000000);
	time_t t1 = 0, t2 = vtime(&t1);
	EXPECT_EQ(t1, t2);
	EXPECT_TRUE(t2 >= v.tv_sec && t2 <= v.tv_sec + 1);
	/* A NULL tv is allowed. */
	EXPECT_EQ(vgtod(NULL, NULL), 0);
	EXPECT_TRUE(vtime(NULL) >= t2);
}

TEST(vdso_clock_measures_a_sleep)
{
	clock_gettime_fn vgettime = (clock_gettime_fn)vdso_sym("__vdso_clock_gettime");
	ASSERT_TRUE(vgettime != NULL);
	settle();
	struct timespec a, b;
	ASSERT_EQ(vgettime(CLOCK_MONOTONIC, &a), 0);
	test_sleep_ms(50);
	ASSERT_EQ(vgettime(CLOCK_MONOTONIC, &b), 0);
	int64_t slept = ts_ns(&b) - ts_ns(&a);
	EXPECT_TRUE(slept >= 50000000);
	EXPECT_TRUE(slept < 5000000000LL);
	EXPECT_TRUE(b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
}

TEST(vdso_answers_other_clocks_as_the_syscall_does)
{
	clock_gettime_fn vgettime = (clock_gettime_fn)vdso_sym("__vdso_clock_gettime");
	clock_getres_fn vgetres = (clock_getres_fn)vdso_sym("__vdso_clock_getres");
	ASSERT_TRUE(vgettime && vgetres);
	struct timespec ts, res, sysres;
	EXPECT_EQ(vgettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	EXPECT_EQ(vgettime(CLOCK_THREAD_CPUTIME_ID, &ts), 0);
	EXPECT_EQ(vgettime((clockid_t)12345, &ts), -EINVAL);
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
					    CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME };
	for (size_t c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
		ASSERT_EQ(vgetres(clocks[c], &res), 0);
		ASSERT_EQ(syscall(SYS_clock_getres, clocks[c], &sysres), 0);
		EXPECT_EQ(ts_ns(&res), ts_ns(&sysres));
	}
	EXPECT_EQ(vgetres(CLOCK_MONOTONIC, NULL), 0);
	EXPECT_EQ(vgetres((clockid_t)12345, &res), -EINVAL);
}

static void getcpu_follows_affinity(void)
{
	getcpu_fn vgetcpu = (getcpu_fn)vdso_sym("__vdso_getcpu");
	ASSERT_TRUE(vgetcpu != NULL);
	cpu_set_t all, one;
	ASSERT_OK(sched_getaffinity(0, sizeof(all), &all));
	int last = -1;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all))
			last = i;
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	ASSERT_OK(sched_setaffinity(0, sizeof(one), &one));
	unsigned cpu = 9999, node = 9999;
	EXPECT_EQ(vgetcpu(&cpu, &node, NULL), 0);
	EXPECT_EQ(cpu, (unsigned)last);
	EXPECT_EQ(node, 0);
	EXPECT_EQ(vgetcpu(NULL, NULL, NULL), 0);
	/* A child inherits the mask, and its vDSO knows it. */
	pid_t pid = fork();
	if (pid == 0) {
		unsigned c = 9999;
		_exit(vgetcpu(&c, NULL, NULL) == 0 && c == (unsigned)last ? 0 : 1);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	ASSERT_OK(sched_setaffinity(0, sizeof(all), &all));
	EXPECT_EQ(vgetcpu(&cpu, NULL, NULL), 0);
	EXPECT_TRUE(CPU_ISSET(cpu, &all));
}

TEST(vdso_getcpu_follows_the_affinity_mask)
{
	test_in_child(getcpu_follows_affinity);
}

/* [vvar] is the kernel's: never writable, never executable. */
TEST(vvar_pages_cannot_be_made_writable_or_executable)
{
	char maps[65536];
	ASSERT_TRUE(test_read_file("/proc/self/maps", maps, sizeof(maps)) > 0);
	int seen = 0;
	for (char *line = maps; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		unsigned long start, end;
		if (strstr(line, "[vvar]") && sscanf(line, "%lx-%lx", &start, &end) == 2) {
			seen++;
			EXPECT_ERRNO(mprotect((void *)start, 4096, PROT_READ | PROT_WRITE), EACCES);
			EXPECT_ERRNO(mprotect((void *)start, 4096, PROT_READ | PROT_EXEC), EACCES);
		}
		if (eol)
			*eol = '\n';
	}
	EXPECT_TRUE(seen > 0);
}

/* A debugger may write into the vDSO (Linux lets mprotect make it
 * writable); the copy it changes is the process's own. */
static void write_own_vdso(void)
{
	char maps[65536], want[64];
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	ASSERT_TRUE(test_read_file("/proc/self/maps", maps, sizeof(maps)) > 0);
	snprintf(want, sizeof(want), "%lx-", base);
	char *line = strstr(maps, want);
	ASSERT_TRUE(line != NULL);
	unsigned long start, end;
	ASSERT_EQ(sscanf(line, "%lx-%lx", &start, &end), 2);
	pid_t pid = fork();
	if (pid == 0) {
		if (mprotect((void *)start, end - start, PROT_READ | PROT_WRITE) < 0)
			_exit(1);
		memset((void *)start, 0, 4);
		_exit(memcmp((void *)start, "\0\0\0\0", 4) == 0 ? 0 : 2);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_MEMEQ((const void *)base, ELFMAG, SELFMAG);
	clock_gettime_fn vgettime = (clock_gettime_fn)vdso_sym("__vdso_clock_gettime");
	struct timespec ts;
	ASSERT_TRUE(vgettime != NULL);
	EXPECT_EQ(vgettime(CLOCK_MONOTONIC, &ts), 0);
}

TEST(a_write_to_the_vdso_stays_in_the_process_that_made_it)
{
	test_in_child(write_own_vdso);
}

/* exec gives the new program a vDSO of its own. */
TEST(an_exec_d_program_gets_a_vdso)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "grep -q '\\[vdso\\]' /proc/self/maps", (char *)NULL);
		_exit(127);
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
}
