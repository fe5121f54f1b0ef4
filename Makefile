# xenmm top-level Makefile.
#   make            build everything under build/ (programs in build/bin, libraries in build/lib)
#   make check      build and run every test (plain build, then ASan+UBSan build)
#   make tsan       the threaded tests under ThreadSanitizer (not in check)
#   make bench      build and run the benchmarks (figures, not tests)
#   make bench-xc   hypercall round trips from Debian's libxenctrl
#
# Sources are found by wildcard: a new .c file in a module directory is built
# without editing this file.

CC      ?= gcc
OPT     ?= -O2
# C11 with GNU extensions: Debian's Xen public headers (<xen/sysctl.h> pulls
# in <xen/hvm/save.h>) refuse strict ISO C, as Xen's own tools build them.
CFLAGS  := -std=gnu11 -D_GNU_SOURCE -D__XEN_TOOLS__=1 -Wall -Wextra -Werror -g $(OPT) \
           -fno-strict-aliasing -fPIC -pthread -Iinclude -Isrc -Itests $(EXTRA_CFLAGS)
LDLIBS  := -pthread -ljansson
# The Xen public header the CPU feature masks are generated from.
CPUFEATURESET_H := /usr/include/xen/arch-x86/cpufeatureset.h

B       ?= build
SAN_FLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined

CORE_SRC     := $(wildcard src/core/*.c)
HOSTSPEC_SRC := $(wildcard src/hostspec/*.c)
XENMM_SRC    := $(wildcard tools/xenmm/*.c)
TEST_SRC     := $(wildcard tests/harness/*.c) $(wildcard tests/unit/*.c)
BENCH_SRC    := $(wildcard bench/*.c)
SERVER_SRC   := $(wildcard src/server/*.c) $(wildcard src/wire/*.c)
DAEMON_SRC   := $(wildcard src/daemon/*.c)
# The drop-in Xen libraries: src/libs/<name>.c + src/libs/lib<name>.map.
DROPINS      := xencall xenforeignmemory xendevicemodel xenevtchn xengnttab
DROPIN_LIBS  := $(foreach l,$(DROPINS),$(if $(wildcard src/libs/$(l).c),$(B)/lib/lib$(l).so.1))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

# Programs run against the drop-ins: Debian's libxenctrl and libxenstore over
# our libraries (found through their DT_RPATH, which libxenctrl's own
# dependencies honour too).
DROPIN_TEST_SRC := $(wildcard tests/dropins/*.c) tests/harness/runner.c
XS_INTRO_SRC    := tests/xenstored/xs_introduce.c tests/harness/runner.c
DROPIN_LDFLAGS  := -L$(B)/lib -Wl,-rpath-link,$(B)/lib -Wl,--disable-new-dtags \
                   '-Wl,-rpath,$$ORIGIN/../lib'
DROPIN_LDLIBS   := -l:libxenevtchn.so.1 -l:libxengnttab.so.1 \
                   -l:libxendevicemodel.so.1 -l:libxenforeignmemory.so.1 \
                   -l:libxencall.so.1 -lxenctrl -lxenstore -pthread
# Programs built against Debian's Xen headers and linked with Debian's Xen
# libraries only (none of xenmm's code): at run time LD_LIBRARY_PATH puts
# the drop-in libraries of $(B)/lib first (tests/debian).
DEBIAN_TEST_SRC := $(filter-out tests/debian/build_%.c tests/debian/guest_util.c,$(wildcard tests/debian/*.c))
DEBIAN_TESTS    := $(patsubst tests/debian/%.c,$(B)/debian-tests/%,$(DEBIAN_TEST_SRC))
DEBIAN_CFLAGS   := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) \
                   $(EXTRA_CFLAGS)
DEBIAN_LDLIBS   := -lxenctrl -lxentoollog

# XenServer's domain builder (tools/xenguest/, docs/xenguest.md): Debian's
# libxenctrl, libxenguest and libxenstore only; run on xenmm through the
# drop-ins (LD_LIBRARY_PATH, `xenmm exec`), so no RPATH.  Its pure parts
# (layout, parsing) are unit-tested by tests/xenguest/test_*.c.
XENGUEST_SRC      := $(wildcard tools/xenguest/*.c)
XENGUEST_PURE_SRC := tools/xenguest/layout.c tools/xenguest/parse.c \
                     tools/xenguest/hvm_info.c
XENGUEST_LIBS     := -lxenguest -lxenctrl -lxenstore -lxentoollog -ldl
XENGUEST_TEST_SRC := $(wildcard tests/xenguest/test_*.c) tests/harness/runner.c
# xenopsd's build_pre as a library and a command (tools/build_pre/).
BUILD_PRE_SRC     := $(wildcard tools/build_pre/*.c)
# What the xenguest suite inspects guests with (tests/xenguest/xg_inspect.c).
XG_INSPECT_SRC    := tests/xenguest/xg_inspect.c

# xenmm run's toolstack (tools/toolstack/, docs/scenarios.md): Debian's
# libxenctrl, libxenstore and libxlutil, and libxencall for the guest's
# own e820 query; DT_RPATH $$ORIGIN/../lib (DROPIN_LDFLAGS) makes them and
# their own dependencies load the drop-ins.  None of xenmm's code.
TOOLSTACK_SRC   := $(wildcard tools/toolstack/*.c)
TOOLSTACK_LIBS  := -lxlutil -lxenctrl -lxenstore -lxencall -lxentoollog \
                   -ljansson -lm -pthread

LIBCORE     := $(B)/lib/libxenmm-core.a
LIBHOSTSPEC := $(B)/lib/libxenmm-hostspec.a
LIBSERVER   := $(B)/lib/libxenmm-server.a
# What the drop-in libraries share: the process's connection (and the
# in-process host).  Found next to them through RUNPATH $ORIGIN.
LIBCLIENT   := $(B)/lib/libxenmm-client.so.0
# LD_PRELOAD shim: dom0's /proc/xen files (xsd_port, xsd_kva) for xenstored.
LIBPRELOAD  := $(B)/lib/libxenmm-preload.so

# The domain-builder tests (tests/debian/build_*.c): programs linked with
# Debian's libxenguest and libxenctrl, run on the drop-in libraries, and
# the guest kernels they load (tests/debian/kernels/*.S).
DEBIAN_GUEST_TESTS   := build_hvm build_pvh build_pv
DEBIAN_GUEST_KERNELS := pvh pv
DEBIAN_GUEST_BENCH   := bench_hvm_build
DEBIAN_GUEST_BINS    := $(patsubst %,$(B)/debian-tests/%,$(DEBIAN_GUEST_TESTS)) \
                        $(patsubst %,$(B)/debian-tests/%.elf,$(DEBIAN_GUEST_KERNELS)) \
                        $(patsubst %,$(B)/debian-tests/%,$(DEBIAN_GUEST_BENCH))
DEBIAN_GUEST_LIBS    := -lxenguest -lxenctrl -lxenforeignmemory -lxentoollog

.PHONY: all check check-plain check-san bench bench-xc clean format san tsan debian-guest-tests
all: $(B)/bin/xenmm $(B)/bin/xenmm-tests $(B)/bin/xenmm-bench $(B)/bin/xenmmd \
     $(DROPIN_LIBS) $(LIBPRELOAD) $(B)/bin/xenmm-dropin-tests \
     $(B)/bin/xenmm-xs-introduce \
     $(DEBIAN_TESTS) debian-guest-tests $(B)/bin/xenguest \
     $(B)/bin/xenguest-tests $(B)/bin/xenmm-build-pre $(B)/bin/xg-inspect \
     $(B)/bin/xenmm-toolstack

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(B)/gen -MMD -MP -c $< -o $@

# gen-cpuid.py's featureset masks, from Debian's Xen headers.
$(B)/gen/cpufeature-masks.h: src/core/gen/cpufeatures.awk $(CPUFEATURESET_H)
	@mkdir -p $(dir $@)
	awk -f $< $(CPUFEATURESET_H) > $@.tmp && mv $@.tmp $@
$(B)/obj/src/core/cpu_policy.o $(B)/obj/src/core/cpu_policy_lib.o \
$(B)/obj/tests/unit/test_cpu_policy.o $(B)/obj/tests/unit/test_pv.o: \
    $(B)/gen/cpufeature-masks.h

$(LIBCORE): $(call obj,$(CORE_SRC))
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(LIBHOSTSPEC): $(call obj,$(HOSTSPEC_SRC))
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(LIBSERVER): $(call obj,$(SERVER_SRC))
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(LIBCLIENT): $(B)/obj/src/libs/client.o $(LIBSERVER) $(LIBHOSTSPEC) $(LIBCORE) src/libs/libxenmm-client.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libxenmm-client.so.0 \
	    -Wl,--version-script=src/libs/libxenmm-client.map -Wl,-z,defs \
	    $(filter %.o %.a,$^) -o $@ $(LDLIBS)

# Reached only through the pattern rule below: not intermediates to delete
# (which made every make rebuild and relink the drop-in libraries).
.SECONDARY: $(call obj,$(wildcard src/libs/*.c))

$(B)/lib/lib%.so.1: $(B)/obj/src/libs/%.o src/libs/lib%.map $(LIBCLIENT)
	$(CC) $(CFLAGS) -shared -Wl,-soname,lib$*.so.1 \
	    -Wl,--version-script=src/libs/lib$*.map -Wl,-z,defs \
	    '-Wl,-rpath,$$ORIGIN' $< -L$(B)/lib -l:libxenmm-client.so.0 -o $@ -pthread

$(LIBPRELOAD): $(B)/obj/src/libs/preload.o $(LIBCLIENT)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libxenmm-preload.so -Wl,-z,defs \
	    '-Wl,-rpath,$$ORIGIN' $< -L$(B)/lib -l:libxenmm-client.so.0 -o $@ -pthread -ldl

$(B)/bin/xenmmd: $(call obj,$(DAEMON_SRC)) $(LIBSERVER) $(LIBHOSTSPEC) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(B)/bin/xenguest: $(call obj,$(XENGUEST_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(XENGUEST_LIBS)

$(B)/bin/xenmm-toolstack: $(call obj,$(TOOLSTACK_SRC)) $(DROPIN_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(filter %.o,$^) -o $@ $(DROPIN_LDFLAGS) $(TOOLSTACK_LIBS)

$(call obj,$(wildcard tests/xenguest/test_*.c)): CFLAGS += -Itools
$(B)/bin/xenguest-tests: $(call obj,$(XENGUEST_TEST_SRC) $(XENGUEST_PURE_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@

$(B)/bin/xenmm-build-pre: $(call obj,$(BUILD_PRE_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ -lxenctrl -lxenstore -lxencall -lxentoollog -lm

$(B)/bin/xg-inspect: $(call obj,$(XG_INSPECT_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ -lxenguest -lxenctrl -lxencall \
	    -lxenforeignmemory -lxentoollog

debian-guest-tests: $(DEBIAN_GUEST_BINS)

$(B)/debian-tests/build_%: tests/debian/build_%.c tests/debian/guest_util.c \
                           tests/debian/guest_util.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) tests/debian/build_$*.c tests/debian/guest_util.c -o $@ \
	    $(DEBIAN_GUEST_LIBS)

# Timing the builds on the drop-in libraries (docs/benchmarks.md).
$(B)/debian-tests/bench_%: bench/debian/bench_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@ $(DEBIAN_GUEST_LIBS)

# A guest kernel: one assembler file, linked by its own linker script.
$(B)/debian-tests/%.elf: tests/debian/kernels/%.S tests/debian/kernels/%.lds
	@mkdir -p $(dir $@)
	$(CC) -c -nostdlib -D__ASSEMBLY__ $< -o $(B)/debian-tests/$*.o
	$(LD) -nostdlib --no-warn-rwx-segments -T tests/debian/kernels/$*.lds \
	    $(B)/debian-tests/$*.o -o $@

$(B)/bin/xenmm-dropin-tests: $(call obj,$(DROPIN_TEST_SRC)) $(DROPIN_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(filter %.o,$^) -o $@ $(DROPIN_LDFLAGS) $(DROPIN_LDLIBS)

$(B)/bin/xenmm-xs-introduce: $(call obj,$(XS_INTRO_SRC)) $(DROPIN_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(filter %.o,$^) -o $@ $(DROPIN_LDFLAGS) $(DROPIN_LDLIBS)

$(B)/bin/xenmm: $(call obj,$(XENMM_SRC)) $(LIBSERVER) $(LIBHOSTSPEC) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(B)/bin/xenmm-tests: $(call obj,$(TEST_SRC)) $(LIBSERVER) $(LIBHOSTSPEC) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(B)/bin/xenmm-bench: $(call obj,$(BENCH_SRC)) $(LIBHOSTSPEC) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(B)/debian-tests/%: tests/debian/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DEBIAN_CFLAGS) $< -o $@ $(DEBIAN_LDLIBS)

# Built for bench-xc only.
$(B)/debian-tests/xc_bench: bench/debian/xc_bench.c
	@mkdir -p $(dir $@)
	$(CC) $(DEBIAN_CFLAGS) $< -o $@ $(DEBIAN_LDLIBS)

# The sanitizer build lives in its own tree so both can coexist.
# xenmmd and the drop-in libraries too: tests/debian/xc.sh runs Debian's
# libxenctrl on them with libasan preloaded.
san:
	$(MAKE) B=build/san OPT="$(SAN_FLAGS)" build/san/bin/xenmm-tests build/san/bin/xenmm \
	    build/san/bin/xenmmd $(DROPIN_LIBS:$(B)/%=build/san/%)

check: all san
	tests/run-all.sh

# ThreadSanitizer over the tests that run threads (SMP stress, scrubbers,
# concurrent vCPUs); about a minute, so not part of check.  The whole
# suite under TSan is slow and its 12-16 TiB hosts exceed TSan's memory.
TSAN_TESTS := smp scrub pod_stress pod_decrease stress_tiny host_check domheap
tsan:
	$(MAKE) B=build/tsan OPT="-O1 -fsanitize=thread -fno-omit-frame-pointer" \
		build/tsan/bin/xenmm-tests
	XENMM_TEST_SCALE=10 build/tsan/bin/xenmm-tests $(TSAN_TESTS)

bench: $(B)/bin/xenmm-bench
	$(B)/bin/xenmm-bench all

# Hypercall round trips from Debian's libxenctrl to xenmmd and in-process.
bench-xc: $(B)/bin/xenmmd $(DROPIN_LIBS) $(B)/debian-tests/xc_bench
	bench/debian/xc_roundtrip.sh

format:
	clang-format -i $(CORE_SRC) $(wildcard src/core/*.h)

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
