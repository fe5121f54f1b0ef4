#!/usr/bin/env bash
# The domain-builder tests (build/debian-tests/build_*): Debian's
# libxenguest and libxenctrl building HVM, PVH and PV guests on xenmm, with
# the core hosted in-process (XENMM_INPROCESS) on the server-2s preset.
# Each program prints TAP and a "N passed, N failed" line; this script
# passes their output through and ends with the sum.
#   tests/debian/guest-build.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
HVMLOADER=deps/xen-utils-4.17/usr/lib/xen-4.17/boot/hvmloader
passed=0 failed=0

run() { # $1 = program, rest = its arguments
    local out line
    echo "# $*"
    out=$(LD_LIBRARY_PATH="$B/lib" XENMM_INPROCESS=server-2s "$@" 2>&1)
    local rc=$?
    echo "$out"
    line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        echo "not ok - $1 ended without a closing line (exit $rc)"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

if [ -f "$HVMLOADER" ]; then
    run "$B/debian-tests/build_hvm" "$HVMLOADER"
else
    echo "not ok - $HVMLOADER missing: run ./setup.sh --deps-only"
    failed=$((failed + 1))
fi
run "$B/debian-tests/build_pvh" "$B/debian-tests/pvh.elf"
run "$B/debian-tests/build_pv" "$B/debian-tests/pv.elf"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
