/* The systrap stub's image (src/platform/systrap/stub/), built by the
 * Makefile: systrap_stub_image .. systrap_stub_image_end. */
	.section .rodata
	.balign 4096
	.globl systrap_stub_image
systrap_stub_image:
	.incbin STUB_BIN
	.globl systrap_stub_image_end
systrap_stub_image_end:
	.section .note.GNU-stack, "", @progbits
