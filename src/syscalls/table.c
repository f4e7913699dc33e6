/* The syscall table, generated from syscall_list.h, and the names of every
 * x86-64 syscall, generated from the uapi header. */
#include <asm/unistd.h>
#include <stdio.h>

#include "cvisor/syscalls.h"

#define SYSCALL(name, support, argfmt, note) \
	[__NR_##name] = { #name, sys_##name, support, argfmt, note },
const struct syscall_entry syscall_table[SYSCALL_TABLE_SIZE] = {
#include "cvisor/syscall_list.h"
};
#undef SYSCALL

static const char *const all_names[SYSCALL_TABLE_SIZE] = {
#include "syscall_names.h"
};

const char *syscall_name(uint64_t nr)
{
	return nr < SYSCALL_TABLE_SIZE ? all_names[nr] : NULL;
}

static const char *const support_names[] = {
	[SUPPORT_NONE] = "unimplemented",
	[SUPPORT_FULL] = "full",
	[SUPPORT_PARTIAL] = "partial",
	[SUPPORT_ERROR] = "error",
};

void syscall_table_print(void)
{
	unsigned counts[4] = { 0 };
	printf("%-4s %-24s %-13s %s\n", "NR", "NAME", "SUPPORT", "NOTE");
	for (unsigned nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		if (!all_names[nr])
			continue;
		const struct syscall_entry *e = &syscall_table[nr];
		enum syscall_support s = e->fn ? e->support : SUPPORT_NONE;
		counts[s]++;
		printf("%-4u %-24s %-13s %s\n", nr, all_names[nr], support_names[s],
		       e->note ? e->note : "");
	}
	printf("\n%u full, %u partial, %u error, %u unimplemented\n", counts[SUPPORT_FULL],
	       counts[SUPPORT_PARTIAL], counts[SUPPORT_ERROR], counts[SUPPORT_NONE]);
}
