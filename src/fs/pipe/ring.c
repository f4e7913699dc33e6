/* The byte ring behind a pipe: a buffer of the pipe's capacity, in
 * sentry memory, filled and drained in at most two pieces each time. */
#include <stdlib.h>
#include <string.h>

#include "pipe_internal.h"

void ring_write(struct pipe_ring *r, const struct iovec *iov, int cnt, size_t skip, size_t n)
{
	if (!r->buf)
		r->buf = xzalloc(r->size);
	size_t tail = (r->head + r->len) % r->size;
	size_t first = MIN(n, r->size - tail);
	iov_copy_from(r->buf + tail, iov, cnt, skip, first);
	iov_copy_from(r->buf, iov, cnt, skip + first, n - first);
	r->len += n;
}

void ring_read(struct pipe_ring *r, const struct iovec *iov, int cnt, size_t n)
{
	size_t first = MIN(n, r->size - r->head);
	iov_copy_to(iov, cnt, 0, r->buf + r->head, first);
	iov_copy_to(iov, cnt, first, r->buf, n - first);
	r->head = (r->head + n) % r->size;
	r->len -= n;
	if (r->len == 0)
		r->head = 0;
}

void ring_peek(const struct pipe_ring *r, void *buf, size_t n)
{
	size_t first = MIN(n, r->size - r->head);
	memcpy(buf, r->buf + r->head, first);
	memcpy((char *)buf + first, r->buf, n - first);
}

int ring_resize(struct pipe_ring *r, size_t size)
{
	if (r->len > size)
		return -EBUSY;
	if (r->buf) {
		char *buf = xzalloc(size);
		size_t first = MIN(r->len, r->size - r->head);
		memcpy(buf, r->buf + r->head, first);
		memcpy(buf + first, r->buf, r->len - first);
		free(r->buf);
		r->buf = buf;
		r->head = 0;
	}
	r->size = size;
	return 0;
}

void ring_free(struct pipe_ring *r)
{
	free(r->buf);
	r->buf = NULL;
}
