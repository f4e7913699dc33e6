/* mm without a task: the VMA rules of mmap/munmap/mprotect/brk, user
 * copies, pinning, and faults mirrored into a real ptrace stub. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "cvisor/kernel.h"
#include "cvisor/mm.h"

static void count_one(const struct vma *v, void *arg)
{
	(*(int *)arg)++;
}

static int count_vmas(struct mm *mm)
{
	int n = 0;
	mm_for_each_vma(mm, count_one, &n);
	return n;
}

static void test_layout(struct kernel *k)
{
	struct mm *mm = mm_new(k);
	mm->mmap_top = 0x7f0000000000;
	const int rw = PROT_READ | PROT_WRITE;
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;

	CHECK(mm_mmap(mm, 0, 0, rw, anon, NULL, 0) == -EINVAL);
	CHECK(mm_mmap(mm, 0x1001, 4096, rw, anon | MAP_FIXED, NULL, 0) == -EINVAL);
	CHECK(mm_mmap(mm, 0, 4096, rw, MAP_ANONYMOUS, NULL, 0) == -EINVAL);
	int64_t a = mm_mmap(mm, 0, 3 * PAGE_SIZE, rw, anon, NULL, 0);
	CHECK(a > 0 && page_aligned((uint64_t)a));
	CHECK((uint64_t)a + 3 * PAGE_SIZE == mm->mmap_top);

	/* Copies: populate on demand, EFAULT outside VMAs. */
	char buf[64] = "hello";
	CHECK(mm_copy_out(mm, (uaddr_t)a + PAGE_SIZE - 2, buf, 6) == 0);
	memset(buf, 0, sizeof(buf));
	CHECK(mm_copy_in(mm, buf, (uaddr_t)a + PAGE_SIZE - 2, 6) == 0);
	CHECK(strcmp(buf, "hello") == 0);
	CHECK(mm_copy_in_string(mm, buf, (uaddr_t)a + PAGE_SIZE - 2, 64) == 5);
	CHECK(mm_copy_in_string(mm, buf, (uaddr_t)a + PAGE_SIZE - 2, 3) == -ENAMETOOLONG);
	CHECK(mm_copy_in(mm, buf, 0x1000, 1) == -EFAULT);
	CHECK(mm_copy_out(mm, (uaddr_t)a + 3 * PAGE_SIZE - 1, buf, 2) == -EFAULT);

	/* Punching a hole splits the VMA; the hole faults. */
	CHECK(mm_munmap(mm, (uaddr_t)a + PAGE_SIZE, PAGE_SIZE) == 0);
	CHECK(count_vmas(mm) == 2);
	CHECK(mm_copy_in(mm, buf, (uaddr_t)a + PAGE_SIZE, 1) == -EFAULT);
	CHECK(mm_copy_in(mm, buf, (uaddr_t)a, 1) == 0);

	/* Read-only memory cannot be copied out to; mprotect over a hole fails. */
	CHECK(mm_mprotect(mm, (uaddr_t)a, PAGE_SIZE, PROT_READ) == 0);
	CHECK(mm_copy_out(mm, (uaddr_t)a, buf, 1) == -EFAULT);
	CHECK(mm_mprotect(mm, (uaddr_t)a, 3 * PAGE_SIZE, PROT_READ) == -ENOMEM);

	/* MAP_FIXED replaces; MAP_FIXED_NOREPLACE refuses. */
	CHECK(mm_mmap(mm, (uaddr_t)a, PAGE_SIZE, rw, anon | MAP_FIXED_NOREPLACE, NULL, 0) == -EEXIST);
	CHECK(mm_mmap(mm, (uaddr_t)a, 3 * PAGE_SIZE, rw, anon | MAP_FIXED, NULL, 0) == a);
	CHECK(count_vmas(mm) == 1);
	CHECK(mm_copy_in(mm, buf, (uaddr_t)a, 1) == 0 && buf[0] == 0);

	/* brk grows and shrinks a heap VMA. */
	mm_set_brk_start(mm, 0x600000);
	CHECK(mm_brk(mm, 0) == 0x600000);
	CHECK(mm_brk(mm, 0x600000 + 10000) == 0x600000 + 10000);
	CHECK(mm_copy_out(mm, 0x600000 + 9999, "x", 1) == 0);
	CHECK(mm_brk(mm, 0x600000) == 0x600000);
	CHECK(mm_copy_out(mm, 0x600000, "x", 1) == -EFAULT);

	/* Pinning gives sentry pointers that survive an munmap. */
	struct mm_pin pin;
	CHECK(mm_copy_out(mm, (uaddr_t)a, "pinned", 7) == 0);
	CHECK(mm_pin(mm, (uaddr_t)a, 2 * PAGE_SIZE, false, &pin) == 2 * PAGE_SIZE);
	CHECK(pin.cnt >= 1);
	CHECK(mm_munmap(mm, (uaddr_t)a, 3 * PAGE_SIZE) == 0);
	CHECK(strcmp(pin.iov[0].iov_base, "pinned") == 0);
	mm_unpin(&pin);
	CHECK(mm_pin(mm, (uaddr_t)a, 1, false, &pin) == -EFAULT);
	mm_put(mm);
}

static void test_faults(struct kernel *k)
{
	struct mm *mm = mm_new(k);
	mm->mmap_top = 0x7f0000000000;
	mm->as = k->platform.ops->as_new(&k->platform);
	CHECK(!IS_ERR(mm->as));
	int64_t a = mm_mmap(mm, 0x400000, PAGE_SIZE, PROT_READ | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	CHECK(a == 0x400000);
	uint64_t gen = mm->mirror_gen;
	CHECK(mm_handle_fault(mm, 0x400000, false, gen) == 0);
	/* A thread that ran before that mirroring may have faulted on the
	 * page another one mirrored: it retries. */
	CHECK(mm_handle_fault(mm, 0x400000, false, gen) == 0);
	/* Mirrored with everything the VMA allows since the thread ran: a
	 * second fault is real. */
	gen = mm->mirror_gen;
	CHECK(mm_handle_fault(mm, 0x400000, false, gen) == -SEGV_ACCERR);
	CHECK(mm_handle_fault(mm, 0x400000, true, gen) == -SEGV_ACCERR);
	CHECK(mm_handle_fault(mm, 0x500000, false, gen) == -SEGV_MAPERR);
	mm_put(mm);
}

static void test_fork(struct kernel *k)
{
	struct mm *parent = mm_new(k);
	parent->mmap_top = 0x7f0000000000;
	int64_t a = mm_mmap(parent, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	int64_t s = mm_mmap(parent, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0 && s > 0);
	CHECK(mm_copy_out(parent, (uaddr_t)a, "A", 2) == 0);
	CHECK(mm_copy_out(parent, (uaddr_t)s, "S", 2) == 0);
	uint64_t before = k->mf.in_use;

	struct mm *child = mm_fork(parent);
	CHECK(k->mf.in_use == before);		/* nothing copied */
	char buf[2];
	CHECK(mm_copy_in(child, buf, (uaddr_t)a, 2) == 0 && buf[0] == 'A');
	CHECK(mm_copy_out(child, (uaddr_t)a, "B", 2) == 0);
	CHECK(k->mf.in_use == before + PAGE_SIZE);	/* one page broke COW */
	CHECK(mm_copy_in(parent, buf, (uaddr_t)a, 2) == 0 && buf[0] == 'A');
	/* Shared memory stays shared. */
	CHECK(mm_copy_out(child, (uaddr_t)s, "T", 2) == 0);
	CHECK(mm_copy_in(parent, buf, (uaddr_t)s, 2) == 0 && buf[0] == 'T');
	/* The parent's write to its last reference needs no copy. */
	CHECK(mm_copy_out(parent, (uaddr_t)a, "C", 2) == 0);
	CHECK(k->mf.in_use == before + PAGE_SIZE);
	mm_put(child);
	mm_put(parent);
}

int main(void)
{
	static struct kernel k;
	struct kernel_init_args args = { .platform = "ptrace", .memory_limit = 1 << 28 };
	CHECK(kernel_init(&k, &args) == 0);
	uint64_t kernel_pages = k.mf.in_use;	/* the [vvar] page */
	test_layout(&k);
	test_faults(&k);
	test_fork(&k);
	CHECK(k.mf.in_use == kernel_pages);
	printf("%s: %s\n", __FILE__, failures ? "FAILED" : "ok");
	return failures != 0;
}
