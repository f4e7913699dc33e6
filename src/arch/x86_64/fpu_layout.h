/* Offsets in an XSAVE image (Intel SDM vol. 1, 13.4) and the software
 * fields Linux keeps in it for signal frames (asm/sigcontext.h). */
#ifndef CVISOR_ARCH_FPU_LAYOUT_H
#define CVISOR_ARCH_FPU_LAYOUT_H

#define FX_FCW 0
#define FX_MXCSR 24
#define FX_MXCSR_MASK 28
#define FX_SW_BYTES 464		/* struct _fpx_sw_bytes, in FXSAVE's unused tail */
#define FX_SIZE 512
#define XSAVE_HDR_OFFSET 512
#define XSAVE_HDR_SIZE 64

#define FCW_DEFAULT 0x037f
#define MXCSR_DEFAULT 0x1f80

#define XFEATURE_X87 0x1ULL
#define XFEATURE_SSE 0x2ULL

#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U

/* Linux's struct _fpx_sw_bytes: tells a signal frame's reader the image
 * is a full XSAVE one and how big. */
struct fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;	/* image + the trailing magic2 */
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

#endif
