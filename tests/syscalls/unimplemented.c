/* Syscall numbers Linux does not implement fail with ENOSYS, and the
 * process carries on (no signal, no kill). */
#include "test.h"

/* syscall(2): ENOSYS for a number with no system call behind it. */
TEST(a_number_past_the_table_is_enosys)
{
	EXPECT_ERRNO(syscall(1000), ENOSYS);
	EXPECT_ERRNO(syscall(100000), ENOSYS);
}

/* Not tested: the unused gap between rseq (334) and pidfd_send_signal
 * (424). Vendor kernels put private syscalls there (one 6.18 kernel
 * answers 335 with SIGILL and 336 with ENXIO). */

/* The kernel treats the number as unsigned: -1 is past the table. */
TEST(a_negative_number_is_enosys)
{
	EXPECT_ERRNO(syscall(-1), ENOSYS);
}

/* Numbers 512-547 are x32 system calls; called through the 64-bit ABI
 * (without __X32_SYSCALL_BIT) they do not exist. */
TEST(x32_only_numbers_are_enosys_in_the_64_bit_abi)
{
	EXPECT_ERRNO(syscall(512), ENOSYS);
	EXPECT_ERRNO(syscall(547), ENOSYS);
}

/* Entries of the x86-64 table that were never implemented, or removed:
 * create_module, get_kernel_syms, query_module, nfsservctl, getpmsg,
 * putpmsg, afs_syscall, tuxcall, security, set_thread_area and
 * get_thread_area (32-bit only), epoll_ctl_old, epoll_wait_old,
 * vserver. */
TEST(unimplemented_table_entries_are_enosys)
{
	const long numbers[] = { 174, 177, 178, 180, 181, 182, 183, 184, 185,
				 205, 211, 214, 215, 236 };

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		long nr = numbers[i];

		if (!EXPECT_ERRNO(syscall(nr, 0, 0, 0, 0, 0, 0), ENOSYS))
			printf("    (syscall number %ld)\n", nr);
	}
}

TEST(the_process_continues_after_enosys)
{
	for (int i = 0; i < 100; i++)
		syscall(1000 + i);
	EXPECT_EQ(syscall(SYS_getpid), getpid());
}
