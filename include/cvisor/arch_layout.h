/* The address-space layout the sentry and the stubs agree on (included
 * by code built freestanding too: constants only). */
#ifndef CVISOR_ARCH_LAYOUT_H
#define CVISOR_ARCH_LAYOUT_H

/* The application's usable address range: [ARCH_MMAP_MIN, ARCH_APP_TOP).
 * Above it sits the platform's stub region, which the application never
 * sees or maps. */
#define ARCH_MMAP_MIN 0x10000ULL
#define ARCH_APP_TOP 0x7ff000000000ULL
#define ARCH_STUB_BASE 0x7ff000000000ULL
#define ARCH_STUB_SIZE 0x200000ULL

#endif
