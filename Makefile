# xenmm top-level Makefile.
#   make            build everything under build/ (programs in build/bin, libraries in build/lib)
#   make check      build and run every test (plain build, then ASan+UBSan build)
#   make tsan       the threaded tests under ThreadSanitizer (not in check)
#   make bench      build and run the benchmarks (figures, not tests)
#
# Sources are found by wildcard: a new .c file in a module directory is built
# without editing this file.

CC      ?= gcc
OPT     ?= -O2
# C11 with GNU extensions: Debian's Xen public headers (<xen/sysctl.h> pulls
# in <xen/hvm/save.h>) refuse strict ISO C, as Xen's own tools build them.
CFLAGS  := -std=gnu11 -D_GNU_SOURCE -D__XEN_TOOLS__=1 -Wall -Wextra -Werror -g $(OPT) \
           -fno-strict-aliasing -pthread -Iinclude -Isrc -Itests $(EXTRA_CFLAGS)
LDLIBS  := -pthread -ljansson

B       ?= build
SAN_FLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined

CORE_SRC     := $(wildcard src/core/*.c)
HOSTSPEC_SRC := $(wildcard src/hostspec/*.c)
XENMM_SRC    := $(wildcard tools/xenmm/*.c)
TEST_SRC     := $(wildcard tests/harness/*.c) $(wildcard tests/unit/*.c)
BENCH_SRC    := $(wildcard bench/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIBCORE     := $(B)/lib/libxenmm-core.a
LIBHOSTSPEC := $(B)/lib/libxenmm-hostspec.a

.PHONY: all check check-plain check-san bench clean format san tsan
all: $(B)/bin/xenmm $(B)/bin/xenmm-tests $(B)/bin/xenmm-bench

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBCORE): $(call obj,$(CORE_SRC))
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(LIBHOSTSPEC): $(call obj,$(HOSTSPEC_SRC))
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(B)/bin/xenmm: $(call obj,$(XENMM_SRC)) $(LIBHOSTSPEC) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(B)/bin/xenmm-tests: $(call obj,$(TEST_SRC)) $(LIBHOSTSPEC) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(B)/bin/xenmm-bench: $(call obj,$(BENCH_SRC)) $(LIBHOSTSPEC) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# The sanitizer build lives in its own tree so both can coexist.
san:
	$(MAKE) B=build/san OPT="$(SAN_FLAGS)" build/san/bin/xenmm-tests build/san/bin/xenmm

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

format:
	clang-format -i $(CORE_SRC) $(wildcard src/core/*.h)

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
