#!/usr/bin/env bash
# bench/debian/xc_roundtrip.sh - hypercall round trips from Debian's
# libxenctrl through the drop-in libxencall: to a xenmmd on a temporary
# socket, then to the core hosted in-process.  Figures, never asserted
# (docs/benchmarks.md).  Arguments go to xc_bench (-n CALLS, -w WARMUP).
set -u
cd "$(dirname "$0")/../.."
bench=build/debian-tests/xc_bench
host=small-2n
export LD_LIBRARY_PATH=$PWD/build/lib
unset XENMM_INPROCESS XENMM_SOCKET XENMM_DOMID
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -TERM $pid 2> /dev/null; rm -rf "$tmp"' EXIT

mkfifo "$tmp/ready"
build/bin/xenmmd --host "$host" --socket "$tmp/sock" --ready-fd 3 \
    3> "$tmp/ready" 2> "$tmp/xenmmd.log" &
pid=$!
read -r -t 60 line < "$tmp/ready"
if [ "${line:-}" != ready ]; then
    echo "xc_roundtrip: xenmmd did not start:" >&2
    cat "$tmp/xenmmd.log" >&2
    exit 1
fi
echo "# $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# xenmmd --host $host (Unix socket)"
XENMM_SOCKET=$tmp/sock "$bench" "$@" || exit 1
echo "# in-process (XENMM_INPROCESS=$host)"
XENMM_INPROCESS=$host "$bench" "$@" || exit 1
kill -TERM "$pid"
wait "$pid"
pid=
