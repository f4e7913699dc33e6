/* The unit tests' assertions: each failure prints where and what, and
 * the test exits non-zero if any failed. */
#ifndef CVISOR_TEST_CHECK_H
#define CVISOR_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
			failures++;                                               \
		}                                                                 \
	} while (0)
#define CHECK_EQ(a, b)                                                            \
	do {                                                                      \
		long _a = (long)(a), _b = (long)(b);                              \
		if (_a != _b) {                                                   \
			printf("FAIL %s:%d: %s == %ld, want %ld\n", __FILE__,       \
			       __LINE__, #a, _a, _b);                             \
			failures++;                                               \
		}                                                                 \
	} while (0)

#endif
