/* The implemented syscalls: SYSCALL(name, support, argfmt, note).
 * Keyed by __NR_<name>; everything not listed here is SUPPORT_NONE.
 * Keep sorted by area, one block per sys_<family>.c file.
 * No include guard: this file is included several times with different
 * SYSCALL definitions. */

/* sys_process.c */
SYSCALL(clone, SUPPORT_PARTIAL, "xxxxx", "processes and threads; no new namespaces yet; CLONE_VM without CLONE_THREAD copies; CLONE_PIDFD of processes only")
SYSCALL(clone3, SUPPORT_PARTIAL, "pu", "as clone; CLONE_INTO_CGROUP: EBADF (no cgroups); set_tid for the one PID namespace")
SYSCALL(fork, SUPPORT_FULL, "", NULL)
SYSCALL(vfork, SUPPORT_PARTIAL, "", "the child gets a copy of the address space; the parent waits as vfork says")
SYSCALL(exit, SUPPORT_FULL, "d", NULL)
SYSCALL(exit_group, SUPPORT_FULL, "d", NULL)
SYSCALL(getpid, SUPPORT_FULL, "", NULL)
SYSCALL(gettid, SUPPORT_FULL, "", NULL)
SYSCALL(getppid, SUPPORT_FULL, "", NULL)
SYSCALL(set_tid_address, SUPPORT_FULL, "p", NULL)
SYSCALL(arch_prctl, SUPPORT_PARTIAL, "xp", "ARCH_SET_FS/GS, ARCH_GET_FS/GS")
SYSCALL(uname, SUPPORT_FULL, "p", NULL)
SYSCALL(sethostname, SUPPORT_FULL, "bu", NULL)
SYSCALL(setdomainname, SUPPORT_FULL, "bu", NULL)
SYSCALL(prlimit64, SUPPORT_FULL, "ddpp", NULL)
SYSCALL(getrlimit, SUPPORT_FULL, "dp", NULL)
SYSCALL(setrlimit, SUPPORT_FULL, "dp", NULL)
SYSCALL(sched_yield, SUPPORT_FULL, "", NULL)
SYSCALL(sysinfo, SUPPORT_FULL, "p", NULL)
SYSCALL(getrandom, SUPPORT_FULL, "pux", NULL)

/* sys_sched.c */
SYSCALL(getpriority, SUPPORT_PARTIAL, "dd", "recorded per process; the host schedules the sentry")
SYSCALL(setpriority, SUPPORT_PARTIAL, "ddd", "recorded per process; the host schedules the sentry")
SYSCALL(sched_setscheduler, SUPPORT_PARTIAL, "ddp", "recorded per process, not applied")
SYSCALL(sched_getscheduler, SUPPORT_FULL, "d", NULL)
SYSCALL(sched_setparam, SUPPORT_PARTIAL, "dp", "recorded per process, not applied")
SYSCALL(sched_getparam, SUPPORT_FULL, "dp", NULL)
SYSCALL(sched_get_priority_max, SUPPORT_FULL, "d", NULL)
SYSCALL(sched_get_priority_min, SUPPORT_FULL, "d", NULL)
SYSCALL(sched_rr_get_interval, SUPPORT_FULL, "dp", NULL)
SYSCALL(sched_getaffinity, SUPPORT_FULL, "dup", NULL)
SYSCALL(sched_setaffinity, SUPPORT_PARTIAL, "dup", "recorded per process, not applied")
SYSCALL(getcpu, SUPPORT_FULL, "ppp", NULL)
SYSCALL(personality, SUPPORT_PARTIAL, "x", "recorded; only PER_LINUX behaviour")

/* sys_rusage.c */
SYSCALL(getrusage, SUPPORT_PARTIAL, "dp", "CPU times and the process's resident set only")
SYSCALL(times, SUPPORT_FULL, "p", NULL)

/* sys_pgrp.c */
SYSCALL(setpgid, SUPPORT_FULL, "dd", NULL)
SYSCALL(getpgid, SUPPORT_FULL, "d", NULL)
SYSCALL(getpgrp, SUPPORT_FULL, "", NULL)
SYSCALL(setsid, SUPPORT_FULL, "", NULL)
SYSCALL(getsid, SUPPORT_FULL, "d", NULL)

/* sys_socket.c, sys_socket_msg.c */
SYSCALL(socket, SUPPORT_PARTIAL, "ddd", "AF_UNIX only; other families EAFNOSUPPORT")
SYSCALL(socketpair, SUPPORT_PARTIAL, "dddp", "AF_UNIX only")
SYSCALL(bind, SUPPORT_FULL, "fpu", NULL)
SYSCALL(connect, SUPPORT_FULL, "fpu", NULL)
SYSCALL(listen, SUPPORT_FULL, "fd", NULL)
SYSCALL(accept, SUPPORT_FULL, "fpp", NULL)
SYSCALL(accept4, SUPPORT_FULL, "fppx", NULL)
SYSCALL(getsockname, SUPPORT_FULL, "fpp", NULL)
SYSCALL(getpeername, SUPPORT_FULL, "fpp", NULL)
SYSCALL(getsockopt, SUPPORT_PARTIAL, "fddpp", "SOL_SOCKET options")
SYSCALL(setsockopt, SUPPORT_PARTIAL, "fddpu", "SOL_SOCKET options; most are recorded only")
SYSCALL(shutdown, SUPPORT_FULL, "fd", NULL)
SYSCALL(sendto, SUPPORT_FULL, "fbuxpu", NULL)
SYSCALL(recvfrom, SUPPORT_FULL, "fpuxpp", NULL)
SYSCALL(sendmsg, SUPPORT_PARTIAL, "fpx", "SCM_RIGHTS and SCM_CREDENTIALS; no MSG_OOB")
SYSCALL(recvmsg, SUPPORT_PARTIAL, "fpx", "SCM_RIGHTS and SCM_CREDENTIALS; no MSG_OOB or MSG_ERRQUEUE")
SYSCALL(sendmmsg, SUPPORT_FULL, "fpux", NULL)
SYSCALL(recvmmsg, SUPPORT_FULL, "fpuxp", NULL)

/* sys_futex.c */
SYSCALL(futex, SUPPORT_PARTIAL, "pxuppx", "every command; PI futexes hand over ownership without priority inheritance (the sandbox has no priorities)")
SYSCALL(set_robust_list, SUPPORT_FULL, "pu", NULL)
SYSCALL(get_robust_list, SUPPORT_FULL, "dpp", NULL)

/* sys_syslog.c */
SYSCALL(syslog, SUPPORT_PARTIAL, "dpd", "no blocking SYSLOG_ACTION_READ")

/* sys_prctl.c */
SYSCALL(prctl, SUPPORT_PARTIAL, "dxxxx", "NAME, DUMPABLE, NO_NEW_PRIVS, PDEATHSIG, CHILD_SUBREAPER, GET_SECCOMP, CAPBSET_READ/DROP, KEEPCAPS, SECUREBITS, CAP_AMBIENT")

/* sys_exec.c */
SYSCALL(execve, SUPPORT_FULL, "sa", NULL)
SYSCALL(execveat, SUPPORT_FULL, "dsaax", NULL)

/* sys_wait.c */
SYSCALL(wait4, SUPPORT_PARTIAL, "dpxp", "rusage has the CPU times only")
SYSCALL(waitid, SUPPORT_FULL, "ddpxp", NULL)

/* sys_creds.c */
SYSCALL(getuid, SUPPORT_FULL, "", NULL)
SYSCALL(geteuid, SUPPORT_FULL, "", NULL)
SYSCALL(getgid, SUPPORT_FULL, "", NULL)
SYSCALL(getegid, SUPPORT_FULL, "", NULL)
SYSCALL(getresuid, SUPPORT_FULL, "ppp", NULL)
SYSCALL(getresgid, SUPPORT_FULL, "ppp", NULL)
SYSCALL(getgroups, SUPPORT_FULL, "dp", NULL)
SYSCALL(setgroups, SUPPORT_FULL, "dp", NULL)
SYSCALL(setuid, SUPPORT_FULL, "u", NULL)
SYSCALL(setgid, SUPPORT_FULL, "u", NULL)
SYSCALL(setreuid, SUPPORT_FULL, "uu", NULL)
SYSCALL(setregid, SUPPORT_FULL, "uu", NULL)
SYSCALL(setresuid, SUPPORT_FULL, "uuu", NULL)
SYSCALL(setresgid, SUPPORT_FULL, "uuu", NULL)
SYSCALL(setfsuid, SUPPORT_FULL, "u", NULL)
SYSCALL(setfsgid, SUPPORT_FULL, "u", NULL)
SYSCALL(capget, SUPPORT_FULL, "pp", NULL)
SYSCALL(capset, SUPPORT_PARTIAL, "pp", "no file capabilities at execve")

/* sys_signal.c */
SYSCALL(rt_sigaction, SUPPORT_FULL, "Sppu", NULL)
SYSCALL(rt_sigprocmask, SUPPORT_FULL, "dppu", NULL)
SYSCALL(rt_sigpending, SUPPORT_FULL, "pu", NULL)
SYSCALL(rt_sigsuspend, SUPPORT_FULL, "pu", NULL)
SYSCALL(pause, SUPPORT_FULL, "", NULL)
SYSCALL(rt_sigtimedwait, SUPPORT_FULL, "pppu", NULL)
SYSCALL(sigaltstack, SUPPORT_FULL, "pp", NULL)
SYSCALL(rt_sigreturn, SUPPORT_FULL, "", NULL)
SYSCALL(restart_syscall, SUPPORT_FULL, "", NULL)

/* sys_kill.c */
SYSCALL(kill, SUPPORT_FULL, "dS", NULL)
SYSCALL(tkill, SUPPORT_FULL, "dS", NULL)
SYSCALL(tgkill, SUPPORT_FULL, "ddS", NULL)
SYSCALL(rt_sigqueueinfo, SUPPORT_FULL, "dSp", NULL)
SYSCALL(rt_tgsigqueueinfo, SUPPORT_FULL, "ddSp", NULL)
SYSCALL(pidfd_send_signal, SUPPORT_PARTIAL, "fSpx", "no PIDFD_SIGNAL_THREAD or PIDFD_SIGNAL_PROCESS_GROUP")

/* sys_pidfd.c */
SYSCALL(pidfd_open, SUPPORT_PARTIAL, "dx", "process pidfds: no PIDFD_THREAD")

/* sys_time.c */
SYSCALL(clock_gettime, SUPPORT_FULL, "cp", NULL)
SYSCALL(clock_getres, SUPPORT_FULL, "cp", NULL)
SYSCALL(clock_settime, SUPPORT_ERROR, "cp", "CLOCK_REALTIME: EPERM, the sandbox's clock cannot be set (no CAP_SYS_TIME on the host); Linux's EINVAL and EFAULT checks first")
SYSCALL(gettimeofday, SUPPORT_FULL, "pp", NULL)
SYSCALL(time, SUPPORT_FULL, "p", NULL)
SYSCALL(nanosleep, SUPPORT_FULL, "pp", NULL)
SYSCALL(clock_nanosleep, SUPPORT_PARTIAL, "cxpp", "CLOCK_REALTIME and CLOCK_MONOTONIC")
SYSCALL(alarm, SUPPORT_FULL, "u", NULL)
SYSCALL(getitimer, SUPPORT_FULL, "dp", NULL)
SYSCALL(setitimer, SUPPORT_FULL, "dpp", "ITIMER_VIRTUAL and ITIMER_PROF: 10 ms granularity")

/* sys_timer.c */
SYSCALL(timer_create, SUPPORT_PARTIAL, "cpp", "CLOCK_REALTIME, MONOTONIC, BOOTTIME, TAI, the _ALARM ones with CAP_WAKE_ALARM, and the caller's own CPU clocks (polled); not the CPU clocks of other processes or threads (EINVAL)")
SYSCALL(timer_settime, SUPPORT_FULL, "dxpp", NULL)
SYSCALL(timer_gettime, SUPPORT_FULL, "dp", NULL)
SYSCALL(timer_getoverrun, SUPPORT_FULL, "d", NULL)
SYSCALL(timer_delete, SUPPORT_FULL, "d", NULL)
SYSCALL(timerfd_create, SUPPORT_FULL, "cx", NULL)
SYSCALL(timerfd_settime, SUPPORT_PARTIAL, "fxpp", "TFD_TIMER_CANCEL_ON_SET never fires: the sandbox's realtime clock cannot be set")
SYSCALL(timerfd_gettime, SUPPORT_FULL, "fp", NULL)

/* sys_mm.c */
SYSCALL(brk, SUPPORT_FULL, "x", NULL)
SYSCALL(mmap, SUPPORT_PARTIAL, "xxxxfx", "anonymous and private file mappings")
SYSCALL(munmap, SUPPORT_FULL, "xx", NULL)
SYSCALL(mprotect, SUPPORT_FULL, "xxx", NULL)
SYSCALL(mremap, SUPPORT_PARTIAL, "xxxxx", "no MREMAP_DONTUNMAP, no old_len 0 duplication")
SYSCALL(msync, SUPPORT_FULL, "xxx", NULL)
SYSCALL(madvise, SUPPORT_PARTIAL, "xxd", "DONTNEED/FREE/REMOVE drop private pages; the rest are advisory no-ops")

/* sys_read_write.c */
SYSCALL(read, SUPPORT_FULL, "fBu", NULL)
SYSCALL(write, SUPPORT_FULL, "fbu", NULL)
SYSCALL(readv, SUPPORT_FULL, "fpd", NULL)
SYSCALL(writev, SUPPORT_FULL, "fpd", NULL)
SYSCALL(pread64, SUPPORT_FULL, "fBud", NULL)
SYSCALL(pwrite64, SUPPORT_FULL, "fbud", NULL)
SYSCALL(preadv, SUPPORT_FULL, "fpdd", NULL)
SYSCALL(pwritev, SUPPORT_FULL, "fpdd", NULL)
SYSCALL(lseek, SUPPORT_FULL, "fdd", NULL)

/* sys_open.c */
SYSCALL(open, SUPPORT_PARTIAL, "som", "O_TMPFILE on tmpfs and the overlay; sockets give ENXIO")
SYSCALL(openat, SUPPORT_PARTIAL, "fsom", "O_TMPFILE on tmpfs and the overlay; sockets give ENXIO")
SYSCALL(creat, SUPPORT_FULL, "sm", NULL)
SYSCALL(close, SUPPORT_FULL, "f", NULL)
SYSCALL(openat2, SUPPORT_PARTIAL, "fspu", "RESOLVE_NO_XDEV, NO_MAGICLINKS, NO_SYMLINKS, BENEATH, IN_ROOT; RESOLVE_CACHED always EAGAIN")
SYSCALL(close_range, SUPPORT_FULL, "uux", NULL)

/* sys_stat.c */
SYSCALL(stat, SUPPORT_FULL, "sp", NULL)
SYSCALL(lstat, SUPPORT_FULL, "sp", NULL)
SYSCALL(fstat, SUPPORT_FULL, "fp", NULL)
SYSCALL(newfstatat, SUPPORT_FULL, "fspx", NULL)
SYSCALL(statx, SUPPORT_FULL, "fsxxp", NULL)
SYSCALL(statfs, SUPPORT_FULL, "sp", NULL)
SYSCALL(fstatfs, SUPPORT_FULL, "fp", NULL)
SYSCALL(readlink, SUPPORT_FULL, "spu", NULL)
SYSCALL(readlinkat, SUPPORT_FULL, "fspu", NULL)
SYSCALL(access, SUPPORT_FULL, "sd", NULL)
SYSCALL(faccessat, SUPPORT_FULL, "fsd", NULL)
SYSCALL(faccessat2, SUPPORT_FULL, "fsdx", NULL)

/* sys_dir.c */
SYSCALL(getdents, SUPPORT_FULL, "fpu", NULL)
SYSCALL(getdents64, SUPPORT_FULL, "fpu", NULL)
SYSCALL(getcwd, SUPPORT_FULL, "pu", NULL)
SYSCALL(chdir, SUPPORT_FULL, "s", NULL)
SYSCALL(fchdir, SUPPORT_FULL, "f", NULL)
SYSCALL(mkdir, SUPPORT_FULL, "sm", NULL)
SYSCALL(mkdirat, SUPPORT_FULL, "fsm", NULL)
SYSCALL(mknod, SUPPORT_PARTIAL, "smx", "device nodes open only registered devices; sockets give ENXIO on open")
SYSCALL(mknodat, SUPPORT_PARTIAL, "fsmx", "device nodes open only registered devices; sockets give ENXIO on open")

/* sys_link.c */
SYSCALL(unlink, SUPPORT_FULL, "s", NULL)
SYSCALL(unlinkat, SUPPORT_FULL, "fsx", NULL)
SYSCALL(rmdir, SUPPORT_FULL, "s", NULL)
SYSCALL(rename, SUPPORT_FULL, "ss", NULL)
SYSCALL(renameat, SUPPORT_FULL, "fsfs", NULL)
SYSCALL(renameat2, SUPPORT_PARTIAL, "fsfsx", "no RENAME_WHITEOUT; overlay: EXDEV for directories from the lower layer and for exchanges involving it")
SYSCALL(link, SUPPORT_FULL, "ss", NULL)
SYSCALL(linkat, SUPPORT_FULL, "fsfsx", NULL)
SYSCALL(symlink, SUPPORT_FULL, "ss", NULL)
SYSCALL(symlinkat, SUPPORT_FULL, "sfs", NULL)

/* sys_attr.c */
SYSCALL(chmod, SUPPORT_FULL, "sm", NULL)
SYSCALL(fchmod, SUPPORT_FULL, "fm", NULL)
SYSCALL(fchmodat, SUPPORT_FULL, "fsm", NULL)
SYSCALL(chown, SUPPORT_FULL, "sdd", NULL)
SYSCALL(fchown, SUPPORT_FULL, "fdd", NULL)
SYSCALL(lchown, SUPPORT_FULL, "sdd", NULL)
SYSCALL(fchownat, SUPPORT_FULL, "fsddx", NULL)
SYSCALL(utimensat, SUPPORT_FULL, "fspx", NULL)
SYSCALL(utimes, SUPPORT_FULL, "sp", NULL)
SYSCALL(utime, SUPPORT_FULL, "sp", NULL)
SYSCALL(truncate, SUPPORT_FULL, "sd", NULL)
SYSCALL(ftruncate, SUPPORT_FULL, "fd", NULL)
SYSCALL(umask, SUPPORT_FULL, "m", NULL)

/* sys_fd.c */
SYSCALL(dup, SUPPORT_FULL, "f", NULL)
SYSCALL(dup2, SUPPORT_FULL, "fd", NULL)
SYSCALL(dup3, SUPPORT_FULL, "fdo", NULL)
SYSCALL(fcntl, SUPPORT_PARTIAL, "fdx", "F_DUPFD(_CLOEXEC), F_GETFD/F_SETFD, F_GETFL/F_SETFL, F_GETPIPE_SZ/F_SETPIPE_SZ, record locks (F_GETLK/F_SETLK/F_SETLKW and the F_OFD_* forms); F_ADD_SEALS/F_GET_SEALS; leases, owners EINVAL")
SYSCALL(flock, SUPPORT_FULL, "fd", NULL)
SYSCALL(memfd_create, SUPPORT_PARTIAL, "sx", "MFD_CLOEXEC, MFD_ALLOW_SEALING; no MFD_HUGETLB; F_SEAL_WRITE does not check for existing writable mappings")
SYSCALL(ioctl, SUPPORT_PARTIAL, "fxx", "FIOCLEX, FIONCLEX, FIONBIO, FIONREAD; terminals (termios, window size, job control, pty) on /dev/ptmx and /dev/pts; TCGETS and TIOCGWINSZ on host stdio; the rest per file or ENOTTY")
SYSCALL(fsync, SUPPORT_FULL, "f", NULL)
SYSCALL(fdatasync, SUPPORT_FULL, "f", NULL)

/* sys_poll.c */
SYSCALL(poll, SUPPORT_FULL, "pud", NULL)
SYSCALL(ppoll, SUPPORT_FULL, "puppu", NULL)
SYSCALL(select, SUPPORT_FULL, "dpppp", NULL)
SYSCALL(pselect6, SUPPORT_FULL, "dppppp", NULL)

/* sys_sync.c */
SYSCALL(sync, SUPPORT_FULL, "", NULL)
SYSCALL(syncfs, SUPPORT_FULL, "f", NULL)
SYSCALL(fadvise64, SUPPORT_FULL, "fxxd", "validated, no effect")
SYSCALL(readahead, SUPPORT_FULL, "fxu", "validated, no effect")
SYSCALL(sync_file_range, SUPPORT_FULL, "fxxx", "validated, no effect")
SYSCALL(fallocate, SUPPORT_PARTIAL, "fdxx", "tmpfs: mode 0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE; other modes EOPNOTSUPP")

/* sys_xattr.c */
SYSCALL(getxattr, SUPPORT_PARTIAL, "ssxu", "user., trusted. and security. on tmpfs and the overlay's upper layer; none on host-layer files; no system. (ACLs)")
SYSCALL(lgetxattr, SUPPORT_PARTIAL, "ssxu", "as getxattr")
SYSCALL(fgetxattr, SUPPORT_PARTIAL, "fsxu", "as getxattr")
SYSCALL(setxattr, SUPPORT_PARTIAL, "sspux", "as getxattr; setting one on a host-layer file copies it up")
SYSCALL(lsetxattr, SUPPORT_PARTIAL, "sspux", "as setxattr")
SYSCALL(fsetxattr, SUPPORT_PARTIAL, "fspux", "as setxattr")
SYSCALL(listxattr, SUPPORT_PARTIAL, "sxu", "as getxattr")
SYSCALL(llistxattr, SUPPORT_PARTIAL, "sxu", "as getxattr")
SYSCALL(flistxattr, SUPPORT_PARTIAL, "fxu", "as getxattr")
SYSCALL(removexattr, SUPPORT_PARTIAL, "ss", "as getxattr")
SYSCALL(lremovexattr, SUPPORT_PARTIAL, "ss", "as getxattr")
SYSCALL(fremovexattr, SUPPORT_PARTIAL, "fs", "as getxattr")

/* sys_splice.c */
SYSCALL(sendfile, SUPPORT_FULL, "ffpu", NULL)
SYSCALL(splice, SUPPORT_FULL, "fpfpux", "copies through a sentry buffer")
SYSCALL(tee, SUPPORT_FULL, "ffux", NULL)
SYSCALL(vmsplice, SUPPORT_PARTIAL, "fpux", "copies user memory (no page gifting)")
SYSCALL(copy_file_range, SUPPORT_FULL, "fpfpux", NULL)

/* sys_epoll.c */
SYSCALL(epoll_create, SUPPORT_FULL, "d", NULL)
SYSCALL(epoll_create1, SUPPORT_FULL, "x", NULL)
SYSCALL(epoll_ctl, SUPPORT_PARTIAL, "fdfp", "EPOLLET on files backed by host fds behaves as level-triggered; EPOLLEXCLUSIVE wakes every waiter")
SYSCALL(epoll_wait, SUPPORT_FULL, "fpdd", NULL)
SYSCALL(epoll_pwait, SUPPORT_FULL, "fpddpu", NULL)
SYSCALL(epoll_pwait2, SUPPORT_FULL, "fpdppu", NULL)

/* sys_signalfd.c */
SYSCALL(signalfd, SUPPORT_FULL, "fpu", NULL)
SYSCALL(signalfd4, SUPPORT_FULL, "fpux", NULL)

/* sys_eventfd.c */
SYSCALL(eventfd, SUPPORT_FULL, "u", NULL)
SYSCALL(eventfd2, SUPPORT_FULL, "ux", NULL)

/* sys_inotify.c */
SYSCALL(inotify_init, SUPPORT_FULL, "", NULL)
SYSCALL(inotify_init1, SUPPORT_FULL, "x", NULL)
SYSCALL(inotify_add_watch, SUPPORT_FULL, "fsx", NULL)
SYSCALL(inotify_rm_watch, SUPPORT_FULL, "fd", NULL)

/* sys_fhandle.c */
SYSCALL(name_to_handle_at, SUPPORT_PARTIAL, "fsppx", "EOPNOTSUPP: no filesystem exports file handles; AT_HANDLE_FID identifiers only; no AT_HANDLE_MNT_ID_UNIQUE or AT_HANDLE_CONNECTABLE")
SYSCALL(open_by_handle_at, SUPPORT_ERROR, "fpo", "ESTALE after Linux's checks: no handle can be decoded")

/* sys_pipe.c */
SYSCALL(pipe, SUPPORT_FULL, "p", NULL)
SYSCALL(pipe2, SUPPORT_PARTIAL, "po", "no O_DIRECT (packet mode) or O_NOTIFICATION_PIPE: EINVAL")

/* sys_ipc.c */
SYSCALL(shmget, SUPPORT_FULL, "dux", NULL)
SYSCALL(shmat, SUPPORT_FULL, "dpx", NULL)
SYSCALL(shmdt, SUPPORT_FULL, "p", NULL)
SYSCALL(shmctl, SUPPORT_FULL, "ddp", NULL)
SYSCALL(semget, SUPPORT_FULL, "ddx", NULL)
SYSCALL(semop, SUPPORT_FULL, "dpu", NULL)
SYSCALL(semtimedop, SUPPORT_FULL, "dpup", NULL)
SYSCALL(semctl, SUPPORT_FULL, "dddx", NULL)
SYSCALL(msgget, SUPPORT_FULL, "dx", NULL)
SYSCALL(msgsnd, SUPPORT_FULL, "dpux", NULL)
SYSCALL(msgrcv, SUPPORT_FULL, "dpudx", NULL)
SYSCALL(msgctl, SUPPORT_FULL, "ddp", NULL)
