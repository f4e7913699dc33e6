/* The implemented syscalls: SYSCALL(name, support, argfmt, note).
 * Keyed by __NR_<name>; everything not listed here is SUPPORT_NONE.
 * Keep sorted by area, one block per sys_<family>.c file.
 * No include guard: this file is included several times with different
 * SYSCALL definitions. */

/* sys_process.c */
SYSCALL(exit, SUPPORT_FULL, "d", NULL)
SYSCALL(exit_group, SUPPORT_FULL, "d", NULL)
SYSCALL(getpid, SUPPORT_FULL, "", NULL)
SYSCALL(gettid, SUPPORT_FULL, "", NULL)
SYSCALL(getppid, SUPPORT_FULL, "", NULL)
SYSCALL(set_tid_address, SUPPORT_FULL, "p", NULL)
SYSCALL(arch_prctl, SUPPORT_PARTIAL, "xp", "ARCH_SET_FS/GS, ARCH_GET_FS/GS")
SYSCALL(uname, SUPPORT_FULL, "p", NULL)
SYSCALL(prlimit64, SUPPORT_FULL, "ddpp", NULL)
SYSCALL(getrlimit, SUPPORT_FULL, "dp", NULL)
SYSCALL(setrlimit, SUPPORT_FULL, "dp", NULL)
SYSCALL(sched_getaffinity, SUPPORT_FULL, "dup", NULL)
SYSCALL(sched_yield, SUPPORT_FULL, "", NULL)
SYSCALL(sysinfo, SUPPORT_FULL, "p", NULL)
SYSCALL(getrandom, SUPPORT_FULL, "pux", NULL)

/* sys_creds.c */
SYSCALL(getuid, SUPPORT_FULL, "", NULL)
SYSCALL(geteuid, SUPPORT_FULL, "", NULL)
SYSCALL(getgid, SUPPORT_FULL, "", NULL)
SYSCALL(getegid, SUPPORT_FULL, "", NULL)
SYSCALL(getresuid, SUPPORT_FULL, "ppp", NULL)
SYSCALL(getresgid, SUPPORT_FULL, "ppp", NULL)
SYSCALL(getgroups, SUPPORT_FULL, "dp", NULL)

/* sys_signal.c */
SYSCALL(rt_sigaction, SUPPORT_PARTIAL, "Sppu", "dispositions recorded; delivery of caught signals comes with signals support")
SYSCALL(rt_sigprocmask, SUPPORT_FULL, "dppu", NULL)

/* sys_time.c */
SYSCALL(clock_gettime, SUPPORT_FULL, "cp", NULL)
SYSCALL(clock_getres, SUPPORT_FULL, "cp", NULL)
SYSCALL(gettimeofday, SUPPORT_FULL, "pp", NULL)
SYSCALL(time, SUPPORT_FULL, "p", NULL)
SYSCALL(nanosleep, SUPPORT_FULL, "pp", NULL)
SYSCALL(clock_nanosleep, SUPPORT_PARTIAL, "cxpp", "CLOCK_REALTIME and CLOCK_MONOTONIC")

/* sys_mm.c */
SYSCALL(brk, SUPPORT_FULL, "x", NULL)
SYSCALL(mmap, SUPPORT_PARTIAL, "xxxxfx", "anonymous and private file mappings")
SYSCALL(munmap, SUPPORT_FULL, "xx", NULL)
SYSCALL(mprotect, SUPPORT_FULL, "xxx", NULL)
