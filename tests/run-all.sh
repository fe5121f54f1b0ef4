#!/usr/bin/env bash
# Runs every test suite: the unit tests (plain and ASan+UBSan builds), the
# CLI tests in tests/cli/*.sh and the Debian-userspace tests in
# tests/debian/*.sh.  Ends with one "N passed, N failed" line that
# sums all suites; exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0

tally() { # $1 = log file
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "# suite $1 ended without a closing line"; failed=$((failed + 1)); return
    fi
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

run_suite() { # $1 = name, rest = command
    local name=$1; shift
    local log="build/test-$name.log"
    echo "# suite $name: $*"
    "$@" > "$log" 2>&1
    local rc=$?
    grep -E '^(not ok|#)' "$log" | head -n 60
    tally "$log"
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
        echo "# suite $name exited $rc"; tail -n 20 "$log"; failed=$((failed + 1))
    fi
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite unit build/bin/xenmm-tests
# Sanitizers slow the randomized tests ~10x: run 10% of their operations.
export XENMM_TEST_SCALE=10
run_suite unit-san build/san/bin/xenmm-tests
unset XENMM_TEST_SCALE
# xenguest's pure parts: the memory layouts and the parsers.
run_suite xenguest-unit build/bin/xenguest-tests
for t in tests/cli/*.sh; do
    [ -e "$t" ] || continue
    run_suite "cli-$(basename "$t" .sh)" bash "$t" build/bin/xenmm
done
# Debian's Xen libraries and programs on the drop-in libraries and xenmmd.
for t in tests/debian/*.sh; do
    [ -e "$t" ] && [ "$(basename "$t")" != lib.sh ] || continue
    run_suite "debian-$(basename "$t" .sh)" bash "$t"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
