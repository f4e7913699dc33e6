/* copy_from_user / copy_to_user: the sentry maps the whole memory file, so
 * a copy is a VMA check, making the pages present, and a memcpy. */
#include <string.h>
#include <sys/mman.h>

#include "cvisor/arch.h"
#include "cvisor/memfile.h"
#include "mm_internal.h"

/* Calls FN(sentry pointer, length, arg) for each page-bounded piece of
 * [addr, addr+size), after checking access and populating. Stops at the
 * first inaccessible byte or when FN returns non-zero. Returns bytes done. */
static size_t for_each_piece(struct mm *mm, uaddr_t addr, size_t size, bool write,
			     int (*fn)(void *p, size_t n, void *arg), void *arg)
{
	struct memfile *mf = mm_memfile(mm);
	size_t done = 0;
	struct vma *v = NULL;

	if (addr + size < addr)
		return 0;
	while (done < size) {
		uaddr_t a = addr + done;
		if (!v || a >= v->end || a < v->start) {
			v = vma_find_grow(mm, a);
			if (!v || !vma_readable(v) || (write && !(v->prot & PROT_WRITE)))
				break;
		}
		uaddr_t page = round_down(a, PAGE_SIZE);
		if (mm_populate(mm, v, page, page + PAGE_SIZE, write) < 0)
			break;
		uint64_t pte = *pt_entry(&mm->pt, a / PAGE_SIZE, false);
		size_t n = MIN(size - done, page + PAGE_SIZE - a);
		if (fn(memfile_ptr(mf, (pte & PTE_OFF_MASK) + (a - page)), n, arg))
			break;
		done += n;
	}
	return done;
}

struct cursor {
	char *buf;
};

static int piece_in(void *p, size_t n, void *arg)
{
	struct cursor *c = arg;
	memcpy(c->buf, p, n);
	c->buf += n;
	return 0;
}

static int piece_out(void *p, size_t n, void *arg)
{
	struct cursor *c = arg;
	memcpy(p, c->buf, n);
	c->buf += n;
	return 0;
}

static int piece_zero(void *p, size_t n, void *arg)
{
	memset(p, 0, n);
	return 0;
}

int mm_copy_in(struct mm *mm, void *dst, uaddr_t src, size_t size)
{
	struct cursor c = { .buf = dst };
	pthread_mutex_lock(&mm->lock);
	size_t done = for_each_piece(mm, src, size, false, piece_in, &c);
	pthread_mutex_unlock(&mm->lock);
	return done == size ? 0 : -EFAULT;
}

int mm_copy_out(struct mm *mm, uaddr_t dst, const void *src, size_t size)
{
	struct cursor c = { .buf = (char *)src };
	pthread_mutex_lock(&mm->lock);
	size_t done = for_each_piece(mm, dst, size, true, piece_out, &c);
	pthread_mutex_unlock(&mm->lock);
	return done == size ? 0 : -EFAULT;
}

int mm_zero_out(struct mm *mm, uaddr_t dst, size_t size)
{
	pthread_mutex_lock(&mm->lock);
	size_t done = for_each_piece(mm, dst, size, true, piece_zero, NULL);
	pthread_mutex_unlock(&mm->lock);
	return done == size ? 0 : -EFAULT;
}

struct string_cursor {
	char *buf;
	size_t len;
	bool nul;
};

static int piece_string(void *p, size_t n, void *arg)
{
	struct string_cursor *c = arg;
	char *nul = memchr(p, 0, n);
	size_t take = nul ? (size_t)(nul - (char *)p) + 1 : n;
	memcpy(c->buf + c->len, p, take);
	c->len += take;
	c->nul = nul != NULL;
	return c->nul;
}

long mm_copy_in_string(struct mm *mm, char *dst, uaddr_t src, size_t max)
{
	struct string_cursor c = { .buf = dst };
	pthread_mutex_lock(&mm->lock);
	/* Walk at most MAX bytes, but never past the end of the address space. */
	size_t limit = src < ARCH_APP_TOP ? MIN(max, ARCH_APP_TOP - src) : 0;
	for_each_piece(mm, src, limit, false, piece_string, &c);
	pthread_mutex_unlock(&mm->lock);
	if (c.nul)
		return (long)c.len - 1;
	if (c.len == max)
		return -ENAMETOOLONG;
	return -EFAULT;
}

struct pin_cursor {
	struct mm_pin *pin;
	struct memfile *mf;
	size_t bytes;
};

static int piece_pin(void *p, size_t n, void *arg)
{
	struct pin_cursor *c = arg;
	struct mm_pin *pin = c->pin;
	uint64_t off = (uint64_t)((uint8_t *)p - c->mf->base);
	if (pin->cnt > 0) {
		struct iovec *last = &pin->iov[pin->cnt - 1];
		if ((uint8_t *)last->iov_base + last->iov_len == p) {
			memfile_incref(c->mf, round_down(off, PAGE_SIZE), PAGE_SIZE);
			last->iov_len += n;
			c->bytes += n;
			return 0;
		}
	}
	if (pin->cnt == MM_PIN_MAX_IOV || c->bytes >= MM_PIN_MAX_BYTES)
		return 1;
	memfile_incref(c->mf, round_down(off, PAGE_SIZE), PAGE_SIZE);
	pin->iov[pin->cnt] = (struct iovec){ .iov_base = p, .iov_len = n };
	pin->off[pin->cnt] = off;
	pin->cnt++;
	c->bytes += n;
	return 0;
}

ssize_t mm_pin(struct mm *mm, uaddr_t addr, size_t len, bool write, struct mm_pin *pin)
{
	struct pin_cursor c = { .pin = pin, .mf = mm_memfile(mm) };
	pin->mm = mm;
	pin->cnt = 0;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&mm->lock);
	for_each_piece(mm, addr, MIN(len, MM_PIN_MAX_BYTES), write, piece_pin, &c);
	pthread_mutex_unlock(&mm->lock);
	return c.bytes ? (ssize_t)c.bytes : -EFAULT;
}

void mm_unpin(struct mm_pin *pin)
{
	struct memfile *mf = mm_memfile(pin->mm);
	for (int i = 0; i < pin->cnt; i++) {
		uint64_t first = round_down(pin->off[i], PAGE_SIZE);
		uint64_t last = round_up(pin->off[i] + pin->iov[i].iov_len, PAGE_SIZE);
		memfile_decref(mf, first, last - first);
	}
	pin->cnt = 0;
}
