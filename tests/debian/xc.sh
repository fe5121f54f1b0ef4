#!/usr/bin/env bash
# tests/debian/xc.sh - Debian's unmodified libxenctrl 4.17 on xenmm.
#
# build/debian-tests/xc_conformance (linked with Debian's -lxenctrl only)
# runs with the drop-in libraries of build/lib first in LD_LIBRARY_PATH:
#   1. in-process (XENMM_INPROCESS=small-2n);
#   2. against a fresh xenmmd on a temporary socket (started with
#      --ready-fd, stopped with SIGTERM, leaving no socket behind);
#   3. a client SIGKILLed in the middle of its work: the daemon goes on,
#      and once the domain it left is destroyed every page is free again
#      (per node) and no claim is outstanding; then the whole conformance
#      run passes again on the same daemon;
#   4. with the ASan+UBSan builds of the drop-in libraries and xenmmd
#      (build/san, made by `make san`), in-process and against the daemon,
#      libasan preloaded into the Debian-linked program; skipped if
#      build/san has none.
# A second xenmmd on a socket in use refuses to start.
set -u
cd "$(dirname "$0")/../.."
. tests/debian/lib.sh

prog=build/debian-tests/xc_conformance
host=small-2n
export LD_LIBRARY_PATH=$PWD/build/lib
unset XENMM_INPROCESS XENMM_SOCKET XENMM_DOMID
tmp=$(mktemp -d)
daemon_pid= churn_pid=
cleanup() {
    [ -n "$churn_pid" ] && kill -KILL "$churn_pid" 2> /dev/null
    [ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# Run the program (args after the prefix) and fold its TAP in.
run_prog() {
    local prefix=$1 status; shift
    timeout 300 "$@" > "$tmp/out" 2> "$tmp/err"
    status=$?
    tap_import "$prefix" "$tmp/out" "$status"
    if [ "$status" -gt 1 ]; then
        echo "# $prefix: exit status $status; stderr:"
        sed 's/^/#   /' "$tmp/err" | head -n 20
    fi
}

check "the conformance program is built" '[ -x "$prog" ]'
check "it is linked with Debian's libxenctrl, not xenmm's code" \
    "ldd '$prog' | grep -q 'libxenctrl.so.4.17 => /' &&
     ! env -u LD_LIBRARY_PATH ldd '$prog' | grep -q '$PWD'"

# 1. In-process.
XENMM_INPROCESS=$host run_prog in-process "$prog"

# 2. A fresh daemon.
sock=$tmp/xenmmd.sock
start_daemon "$host" "$sock" "$tmp/xenmmd.log"
XENMM_SOCKET=$sock run_prog daemon "$prog"

build/bin/xenmmd --host "$host" --socket "$sock" 2> "$tmp/second.log"
status=$?
check "a second xenmmd on the same socket exits 1" '[ "$status" -eq 1 ]'
check "...saying another one is listening" \
    "grep -q 'already listening' '$tmp/second.log'"
check "...and leaves the first one serving" \
    "[ -S '$sock' ] && kill -0 $daemon_pid"

# 3. A client killed mid-run.
XENMM_SOCKET=$sock run_prog baseline "$prog" baseline
read -r free0 node0 node1 < <(sed -n 's/^# baseline //p' "$tmp/out")
check "the baseline is three page counts" \
    '[ -n "${free0:-}" ] && [ -n "${node1:-}" ]'
XENMM_SOCKET=$sock "$prog" churn > "$tmp/churn" 2> "$tmp/churn.err" &
churn_pid=$!
# Let it finish three rounds (it is inside the fourth), then kill it.
for ((i = 0; i < 600; i++)); do
    [ "$(grep -c '^churn ' "$tmp/churn")" -ge 3 ] && break
    kill -0 "$churn_pid" 2> /dev/null || break
    sleep 0.05
done
check "the churning client completed three rounds" \
    "[ \$(grep -c '^churn ' '$tmp/churn') -ge 3 ]"
kill -KILL "$churn_pid"
wait "$churn_pid"
status=$?
churn_pid=
check "the churning client died of SIGKILL" '[ "$status" -eq 137 ]'
check "xenmmd is still running" "kill -0 $daemon_pid"
XENMM_SOCKET=$sock run_prog after-kill "$prog" audit "${free0:-0}" \
    "${node0:-0}" "${node1:-0}"
XENMM_SOCKET=$sock run_prog daemon-again "$prog"
check "xenmmd dropped no client as malformed" \
    "! grep -q 'malformed' '$tmp/xenmmd.log'"

stop_daemon "$sock"

# 4. Sanitizers.
if [ -x build/san/bin/xenmmd ] && [ -e build/san/lib/libxencall.so.1 ]; then
    san_preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    LD_LIBRARY_PATH=$PWD/build/san/lib LD_PRELOAD=$san_preload \
        XENMM_INPROCESS=$host run_prog san-in-process "$prog"
    check "san-in-process: no sanitizer report" \
        "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' '$tmp/err'"
    XENMMD=build/san/bin/xenmmd start_daemon "$host" "$sock" "$tmp/san.log"
    LD_LIBRARY_PATH=$PWD/build/san/lib LD_PRELOAD=$san_preload \
        XENMM_SOCKET=$sock run_prog san-daemon "$prog"
    stop_daemon "$sock"
    check "san-daemon: no sanitizer report from xenmmd" \
        "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' '$tmp/san.log'"
else
    skip "sanitizer runs" "no build/san drop-ins (make san)"
fi
done_testing
