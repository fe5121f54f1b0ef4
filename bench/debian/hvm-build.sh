#!/usr/bin/env bash
# Time Debian's libxenguest building a 64 GiB HVM guest on xenmm, in-process
# and through xenmmd (docs/benchmarks.md, "hvm_build"):
#   bench/debian/hvm-build.sh [ROUNDS] [MIB]
# Each round runs build/debian-tests/bench_hvm_build once per mode, on a
# host booted just for it: in-process (XENMM_INPROCESS) and against a
# freshly started xenmmd (XENMM_SOCKET).  Xen options bootscrub=off in
# both, so the first build meets a clean heap; the later builds of a round
# reuse memory the previous destroy left dirty, which allocation scrubs.
# Prints every round's CSV lines, then best and median of the first builds
# per mode and the ratio of the medians.
set -u
cd "$(dirname "$0")/../.."
ROUNDS=${1:-9} MIB=${2:-65536}
HVMLOADER=deps/xen-utils-4.17/usr/lib/xen-4.17/boot/hvmloader
BIN=build/debian-tests/bench_hvm_build
SOCK=$(mktemp -u /tmp/xenmm-bench.XXXXXX)
export LD_LIBRARY_PATH=build/lib
declare -a inproc daemon

first() { grep 'first create+build' | cut -d, -f5; }
stats() { # best median of the arguments
    printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[1], v[int((NR+1)/2)]}'
}

for r in $(seq "$ROUNDS"); do
    out=$(XENMM_INPROCESS=server-2s XENMM_XEN_OPTS=bootscrub=off "$BIN" -r 3 -m "$MIB" "$HVMLOADER") || exit 1
    echo "$out" | sed "s/^/in-process,/"
    inproc+=("$(echo "$out" | first)")
    build/bin/xenmmd --host server-2s --xen bootscrub=off --socket "$SOCK" 2>/dev/null &
    pid=$!
    for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
    out=$(XENMM_SOCKET="$SOCK" "$BIN" -r 3 -m "$MIB" "$HVMLOADER") || { kill "$pid"; exit 1; }
    kill "$pid"; wait "$pid" 2>/dev/null
    echo "$out" | sed "s/^/xenmmd,/"
    daemon+=("$(echo "$out" | first)")
done
read -r ib im <<< "$(stats "${inproc[@]}")"
read -r db dm <<< "$(stats "${daemon[@]}")"
echo "# first build, ${MIB} MiB, ${ROUNDS} rounds: in-process best ${ib} ms median ${im} ms;" \
     "xenmmd best ${db} ms median ${dm} ms; median ratio" \
     "$(awk -v a="$dm" -v b="$im" 'BEGIN {printf "%.2f", a / b}')"
