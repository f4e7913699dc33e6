# cvisor build. `make` builds build/cvisor; `make SAN=1` builds the
# ASan+UBSan variant in build-san/. See README.md for the other targets.

CC      ?= gcc
SAN     ?= 0
BUILD   ?= $(if $(filter 1,$(SAN)),build-san,build)

CFLAGS  := -std=gnu17 -O2 -g -Wall -Wextra -Wno-unused-parameter \
           -Wno-missing-field-initializers -fno-strict-aliasing \
           -Iinclude -I$(BUILD)/gen -MMD -MP -D_GNU_SOURCE
LDLIBS  := -lseccomp -ljansson -lpthread
ifeq ($(SAN),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -DCVISOR_SAN=1
LDFLAGS += -fsanitize=address,undefined
endif

SRCS     := $(shell find src -name '*.c' -not -path 'src/vdso/*' \
                   -not -path 'src/platform/systrap/stub/*' | sort)
MAIN_SRC := src/runtime/main.c
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out $(MAIN_SRC),$(SRCS))) \
            $(BUILD)/obj/loader/vdso_image.o $(BUILD)/obj/platform/systrap/stub_image.o
MAIN_OBJ := $(BUILD)/obj/runtime/main.o
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

.PHONY: all deps demo test test-unit test-syscalls test-e2e bench clean
all: $(BUILD)/cvisor

deps:
	sh scripts/install-deps.sh

# Syscall names for every number, from the uapi header (for --strace and
# the unimplemented-syscall events).
UNISTD_H := $(firstword $(wildcard /usr/include/x86_64-linux-gnu/asm/unistd_64.h /usr/include/asm/unistd_64.h))
$(BUILD)/gen/syscall_names.h: $(UNISTD_H)
	@mkdir -p $(dir $@)
	sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/[\2] = "\1",/p' $< > $@
$(BUILD)/obj/syscalls/table.o: $(BUILD)/gen/syscall_names.h

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The vDSO runs in the application: freestanding, position independent,
# never instrumented, the same in every build. vdso_image.S embeds it.
VDSO_CFLAGS := -std=gnu17 -O2 -Wall -Wextra -Iinclude -fPIC -ffreestanding \
               -fno-builtin -fno-stack-protector -fno-sanitize=all
VDSO_LDFLAGS := -nostdlib -shared -Wl,-T,src/vdso/vdso.lds -Wl,--hash-style=both \
                -Wl,-soname=linux-vdso.so.1 -Wl,--build-id=none -Wl,--eh-frame-hdr \
                -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -s
$(BUILD)/vdso/vdso.so: src/vdso/vdso.c src/vdso/vdso.lds include/cvisor/vdso_params.h
	@mkdir -p $(dir $@)
	$(CC) $(VDSO_CFLAGS) $(VDSO_LDFLAGS) -o $@ src/vdso/vdso.c
	@if readelf -r $@ | grep -q 'Relocation section'; then \
		echo "$@: the vDSO must have no relocations" >&2; rm -f $@; exit 1; fi
$(BUILD)/obj/loader/vdso_image.o: src/loader/vdso_image.S $(BUILD)/vdso/vdso.so
	@mkdir -p $(dir $@)
	$(CC) -c -DVDSO_SO='"$(BUILD)/vdso/vdso.so"' $< -o $@

# The systrap stub: freestanding too, linked at 0 into a flat image that
# the sentry copies into every stub process (stub_image.S embeds it).
STUB_CFLAGS := -std=gnu17 -O2 -Wall -Wextra -Iinclude -fPIC -ffreestanding -fno-builtin \
               -fno-stack-protector -fno-sanitize=all -mgeneral-regs-only \
               -fno-asynchronous-unwind-tables
$(BUILD)/systrap/stub.bin: src/platform/systrap/stub/stub.c src/platform/systrap/stub/stub.lds \
                          src/platform/systrap/sysmsg.h include/cvisor/arch_layout.h
	@mkdir -p $(dir $@)
	$(CC) $(STUB_CFLAGS) -c -o $(BUILD)/systrap/stub.o src/platform/systrap/stub/stub.c
	ld -T src/platform/systrap/stub/stub.lds -o $(BUILD)/systrap/stub.elf $(BUILD)/systrap/stub.o
	objcopy -O binary $(BUILD)/systrap/stub.elf $@
$(BUILD)/obj/platform/systrap/stub_image.o: src/platform/systrap/stub_image.S $(BUILD)/systrap/stub.bin
	@mkdir -p $(dir $@)
	$(CC) -c -DSTUB_BIN='"$(BUILD)/systrap/stub.bin"' $< -o $@

$(BUILD)/libcvisor.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cvisor: $(MAIN_OBJ) $(BUILD)/libcvisor.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libcvisor.a
	@mkdir -p $(dir $@)
	@mkdir -p $(BUILD)/obj/unit
	$(CC) $(CFLAGS) -MF $(BUILD)/obj/unit/$*.d $(LDFLAGS) -o $@ $< $(BUILD)/libcvisor.a $(LDLIBS)

# Test doubles: this test serves user memory from its own address space.
$(BUILD)/unit/vfs_syscalls: LDFLAGS += $(foreach f,mm_copy_in mm_copy_out mm_copy_in_string mm_pin mm_unpin,-Wl,--wrap=$(f))

unit: $(UNIT_BINS)

# The quick start's first command: set up, build, run a pipeline sandboxed.
demo: deps
	$(MAKE) all
	sh scripts/demo.sh

# The quick start's second command, and what .ci/run calls.
test: deps
	$(MAKE) all
	$(MAKE) CC=clang BUILD=build-clang all
	$(MAKE) SAN=1 all unit
	sh tests/run-all.sh

bench:
	sh scripts/install-deps.sh bench
	$(MAKE) all
	sh bench/run.sh

clean:
	rm -rf build build-san build-clang

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
