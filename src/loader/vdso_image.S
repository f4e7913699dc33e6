/* The vDSO image (src/vdso/), built by the Makefile, as read-only data of
 * the sentry: vdso_image .. vdso_image_end. */
	.section .rodata
	.balign 4096
	.globl vdso_image
vdso_image:
	.incbin VDSO_SO
	.globl vdso_image_end
vdso_image_end:
	.section .note.GNU-stack, "", @progbits
