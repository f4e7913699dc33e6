/* Address spaces of applications: VMAs (what the application asked for),
 * a page table (which memory-file pages back which virtual pages), and the
 * platform address space that mirrors the page table lazily, on faults.
 *
 * Locking: mm->lock guards vmas, the page table and brk; it is taken by
 * syscalls that change the layout, by fault handling and by user copies.
 * Never held while blocking on anything but the platform's map calls.
 */
#ifndef CVISOR_MM_H
#define CVISOR_MM_H

#include <bsd/sys/tree.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "cvisor/util.h"

struct kernel;
struct file;
struct address_space;

struct vma {
	RB_ENTRY(vma) node;
	uaddr_t start, end;	/* [start, end), page aligned */
	int prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	int maxprot;		/* what mprotect may grant (Linux's VM_MAY*) */
	int flags;		/* MAP_PRIVATE or MAP_SHARED, MAP_ANONYMOUS, MAP_GROWSDOWN */
	struct file *file;	/* backing file of a file mapping (a reference) */
	uint64_t file_off;	/* file offset of start */
	const char *name;	/* "[heap]", "[stack]" or NULL, for /proc maps */
};
RB_HEAD(vma_tree, vma);

/* Page-table entry: memory-file offset | flags. */
#define PTE_PRESENT 0x1ULL	/* backed by a memory-file page */
#define PTE_COW 0x2ULL		/* shared page: copy before the first write */
#define PTE_MAPPED 0x4ULL	/* mirrored in the platform address space with
				 * all the access the VMA allows */
#define PTE_OFF_MASK (~0xfffULL)

struct page_table {
	void *root;		/* 4-level radix tree of 512-entry nodes */
};

struct mm {
	pthread_mutex_t lock;
	_Atomic int users;	/* tasks sharing this mm: its address space */
	_Atomic int refs;	/* holders of the struct (users count as one),
				 * e.g. /proc readers */
	struct kernel *k;
	struct vma_tree vmas;
	int nr_vmas;
	struct page_table pt;
	struct address_space *as; /* platform mirror; NULL until first run */
	/* Bumped by each mapping into the mirror: a thread's fault on a page
	 * mirrored since it last ran may be one another thread fixed. */
	_Atomic uint64_t mirror_gen;

	uaddr_t brk_start, brk;
	uaddr_t mmap_top;	/* top-down search for new mappings starts here */
	uaddr_t stack_start;	/* lowest address of the main stack VMA */
	uaddr_t arg_start, arg_end, env_start, env_end; /* for /proc/pid/cmdline */
	uint64_t auxv[64];	/* saved auxiliary vector, for /proc/pid/auxv */
	int auxv_len;
	struct file *exe;	/* for /proc/pid/exe */
	uaddr_t vvar_proc;	/* the vDSO's per-process [vvar] page */
	uint64_t stack_limit;	/* RLIMIT_STACK, for growing stacks */
};

/* Linux's stack_guard_gap: a growing stack stays this far above the
 * accessible mapping below it, and mmap keeps this room below stacks. */
#define MM_STACK_GUARD_GAP (256UL * 4096)

struct mm *mm_new(struct kernel *k);
void mm_get(struct mm *mm);
/* References to the struct alone: after the last user left, its VMAs are
 * gone and copies from it fail, as reading a zombie's memory does. */
void mm_grab(struct mm *mm);
void mm_drop(struct mm *mm);
/* A copy-on-write copy of PARENT for fork(2). */
struct mm *mm_fork(struct mm *parent);
void mm_put(struct mm *mm);

/* mmap semantics of Linux: returns the address or -errno. F is a reference
 * the VMA takes its own reference on (NULL for anonymous). */
int64_t mm_mmap(struct mm *mm, uaddr_t addr, uint64_t len, int prot, int flags,
		struct file *f, uint64_t off);
int mm_munmap(struct mm *mm, uaddr_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uaddr_t addr, uint64_t len, int prot);
int64_t mm_mremap(struct mm *mm, uaddr_t old, uint64_t old_len, uint64_t new_len, int flags,
		  uaddr_t new_addr);
int mm_msync(struct mm *mm, uaddr_t addr, uint64_t len, int flags);
int mm_madvise(struct mm *mm, uaddr_t addr, uint64_t len, int advice);
uaddr_t mm_brk(struct mm *mm, uaddr_t newbrk);
/* Names the VMA at ADDR for /proc maps ("[stack]"); NAME must be static. */
void mm_set_vma_name(struct mm *mm, uaddr_t addr, const char *name);
/* The same, and the VMA may never be made writable or executable (a
 * kernel page such as [vvar]: mprotect fails with EACCES). */
void mm_set_vma_readonly(struct mm *mm, uaddr_t addr, const char *name);
/* Sets up the heap after exec: brk starts at START (page aligned up). */
void mm_set_brk_start(struct mm *mm, uaddr_t start);

/* Handles an application page fault at ADDR, taken by a thread that
 * resumed when mm->mirror_gen was SEEN_GEN. Returns 0 if the access can
 * now succeed (retry), or the si_code of the SIGSEGV to deliver
 * (SEGV_MAPERR / SEGV_ACCERR) as a negative number; a SIGBUS (a file
 * page past the end of the file) is -(MM_FAULT_SIGBUS | BUS_ADRERR). */
#define MM_FAULT_SIGBUS 0x100
int mm_handle_fault(struct mm *mm, uaddr_t addr, bool write, uint64_t seen_gen);
/* What identifies the futex word at ADDR: the memory-file offset for a
 * shared mapping (unless PRIVATE_OP: FUTEX_PRIVATE_FLAG), else this mm
 * and the address. Returns 0 or -EFAULT. */
struct mm_futex_key {
	struct mm *mm;		/* NULL: shared, WORD is a memory-file offset */
	uint64_t word;
};
int mm_futex_key(struct mm *mm, uaddr_t addr, bool private_op, struct mm_futex_key *key);
/* The protection (PROT_*) of the mapping at ADDR, or -1 if none. */
int mm_prot_at(struct mm *mm, uaddr_t addr);

/* Copies between sentry memory and application memory, as
 * copy_from_user/copy_to_user: 0 on success, -EFAULT if any byte of the
 * range is not accessible (with the access the application would need). */
int mm_copy_in(struct mm *mm, void *dst, uaddr_t src, size_t size);
int mm_copy_out(struct mm *mm, uaddr_t dst, const void *src, size_t size);
int mm_zero_out(struct mm *mm, uaddr_t dst, size_t size);
/* Copies a NUL-terminated string of at most MAX bytes including the NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG if no NUL within MAX. */
long mm_copy_in_string(struct mm *mm, char *dst, uaddr_t src, size_t max);

/* Pins application memory for direct I/O: fills PIN->iov with sentry
 * pointers to the memory-file pages behind [addr, addr+len), populating
 * them (and breaking COW when WRITE). Pins a prefix of at most
 * MM_PIN_MAX_BYTES; returns the bytes pinned, or -EFAULT if the first page
 * is bad. The pages stay valid until mm_unpin even if unmapped meanwhile. */
#define MM_PIN_MAX_IOV 64
#define MM_PIN_MAX_BYTES (1UL << 20)
struct mm_pin {
	struct mm *mm;
	int cnt;
	struct iovec iov[MM_PIN_MAX_IOV];
	uint64_t off[MM_PIN_MAX_IOV];	/* memory-file offset of each iov */
};
ssize_t mm_pin(struct mm *mm, uaddr_t addr, size_t len, bool write, struct mm_pin *pin);
void mm_unpin(struct mm_pin *pin);

/* Writes SIZE bytes at ADDR, within one page of a VMA the kernel made
 * and named NAME (the [vvar] pages), whatever its protection, as the
 * kernel writes its own pages: copy-on-write is broken, the application
 * sees the new bytes. -EFAULT if no such VMA is there any more (the
 * application unmapped or moved it). */
int mm_write_kernel_page(struct mm *mm, uaddr_t addr, const void *src, size_t size,
			 const char *name);

/* The process's RLIMIT_STACK changed: how far its stacks may grow. */
void mm_set_stack_limit(struct mm *mm, uint64_t limit);

/* Bytes of memory-file pages mapped by MM (resident set size). */
uint64_t mm_resident_bytes(struct mm *mm);

/* Bytes of memory-file pages mapped in [start, end); MM's lock must be
 * held (mm_for_each_vma's callbacks hold it): /proc/<pid>/smaps. */
uint64_t mm_resident_range_locked(struct mm *mm, uaddr_t start, uaddr_t end);

/* Visits each VMA in address order, under mm->lock (for /proc maps). */
void mm_for_each_vma(struct mm *mm, void (*fn)(const struct vma *v, void *arg), void *arg);

#endif
