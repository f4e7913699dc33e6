/* x87/SSE/AVX state images (XSAVE standard format). */
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/arch.h"
#include "fpu_layout.h"

static size_t fpu_size;
static uint64_t fpu_features;
static uint32_t mxcsr_mask;

static void fpu_probe(void)
{
	unsigned a, b, c, d;
	if (fpu_size)
		return;
	if (__get_cpuid_count(0xd, 0, &a, &b, &c, &d) && b >= XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE) {
		fpu_size = b;
		fpu_features = ((uint64_t)d << 32) | a;
	} else {
		fpu_size = XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE;
		fpu_features = XFEATURE_X87 | XFEATURE_SSE;
	}
	/* The MXCSR bits the CPU accepts (Intel SDM 11.6.6): FXSAVE reports
	 * them; 0 means the architectural default. */
	uint8_t fx[512] __attribute__((aligned(16)));
	memset(fx, 0, sizeof(fx));
	__asm__ volatile("fxsave %0" : "=m"(fx));
	memcpy(&mxcsr_mask, fx + FX_MXCSR_MASK, 4);
	if (!mxcsr_mask)
		mxcsr_mask = 0xffbf;
}

size_t arch_fpu_size(void)
{
	fpu_probe();
	return fpu_size;
}

uint64_t arch_fpu_features(void)
{
	fpu_probe();
	return fpu_features;
}

void arch_fpu_alloc(struct arch_fpu *fpu)
{
	if (fpu->xsave)
		return;
	size_t size = round_up(arch_fpu_size(), 64);
	fpu->xsave = aligned_alloc(64, size);
	if (!fpu->xsave)
		fpu->xsave = xmalloc(1); /* xmalloc's out-of-memory path */
	memset(fpu->xsave, 0, size);
}

void arch_fpu_reset(struct arch_fpu *fpu)
{
	arch_fpu_alloc(fpu);
	uint8_t *x = fpu->xsave;
	memset(x, 0, arch_fpu_size());
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;
	memcpy(x + FX_FCW, &fcw, sizeof(fcw));
	memcpy(x + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	memcpy(x + FX_MXCSR_MASK, &mxcsr_mask, sizeof(mxcsr_mask));
	/* x87 and SSE given explicitly, so that MXCSR is loaded from the
	 * image; everything else in its initial state. */
	uint64_t bv = XFEATURE_X87 | XFEATURE_SSE;
	memcpy(x + XSAVE_HDR_OFFSET, &bv, sizeof(bv));
	fpu->saved = true;
}

void arch_fpu_copy(struct arch_fpu *dst, const struct arch_fpu *src)
{
	arch_fpu_alloc(dst);
	memcpy(dst->xsave, src->xsave, arch_fpu_size());
	dst->saved = true;
}

void arch_fpu_release(struct arch_fpu *fpu)
{
	free(fpu->xsave);
	fpu->xsave = NULL;
	fpu->saved = false;
}

void arch_fpu_sanitize(uint8_t *x, bool full)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, x + FX_MXCSR, sizeof(mxcsr));
	mxcsr &= mxcsr_mask;
	memcpy(x + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	memcpy(x + FX_MXCSR_MASK, &mxcsr_mask, sizeof(mxcsr_mask));
	uint64_t bv = XFEATURE_X87 | XFEATURE_SSE;
	if (full) {
		memcpy(&bv, x + XSAVE_HDR_OFFSET, sizeof(bv));
		bv &= arch_fpu_features();
	} else {
		memset(x + XSAVE_HDR_OFFSET, 0, arch_fpu_size() - XSAVE_HDR_OFFSET);
	}
	/* The rest of the header (XCOMP_BV and reserved bytes) must be zero
	 * for XRSTOR of the standard format. */
	memset(x + XSAVE_HDR_OFFSET, 0, XSAVE_HDR_SIZE);
	memcpy(x + XSAVE_HDR_OFFSET, &bv, sizeof(bv));
}
