/* Attacks the systrap platform's shared areas (the stub region, 2 MiB
 * above 0x7ff000000000: the control thread's area, then one per thread):
 * one thread keeps writing garbage over the first four areas while the
 * main thread makes system calls, whose registers the sentry reads from
 * there. The sentry must treat all of it as untrusted: whatever happens
 * to this program, the sentry neither crashes nor hangs, and only this
 * sandbox is affected. Under ptrace nothing is mapped there and the first
 * write faults. Prints how many system calls returned. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define AREAS ((volatile uint8_t *)0x7ff000200000ULL)
#define AREA_SIZE 65536

static volatile int stop;

static void *scribble(void *arg)
{
	uint32_t x = 12345;
	while (!stop) {
		for (size_t i = 0; i < 4 * AREA_SIZE; i += 8) {
			x = x * 1103515245 + 12345;
			AREAS[i + (x >> 29)] = (uint8_t)(x >> 16);
		}
	}
	return arg;
}

int main(void)
{
	pthread_t th;
	if (pthread_create(&th, NULL, scribble, NULL))
		return 1;
	long done = 0;
	for (int i = 0; i < 20000; i++)
		if (syscall(SYS_getppid) >= 0)
			done++;
	stop = 1;
	pthread_join(th, NULL);
	printf("%ld system calls returned\n", done);
	return 0;
}
