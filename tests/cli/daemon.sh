#!/usr/bin/env bash
# CLI tests for `xenmm daemon` and `xenmm exec`, and xenmmd's robustness:
# start/status/stop leave no stale socket or process; a client speaking
# garbage, another protocol version, or vanishing mid-call is dropped
# without harming the daemon; pointers outside a client's arena are
# -EFAULT; many clients are served at once.
#   usage: tests/cli/daemon.sh path/to/xenmm
set -u
X=${1:?usage: $0 path/to/xenmm}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/tap.sh"
client() { python3 "$here/lib/xmmclient.py" "$sock" "$@"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xenmm-daemon.XXXXXX")
sock="$tmp/run/xenmmd.sock"
export XENMM_SOCKET=$sock
unset XENMM_HOST XENMM_INPROCESS XENMM_DOMID
cleanup() { "$X" daemon stop > /dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
pid_of() { "$X" daemon status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])'; }

# --- not running -------------------------------------------------------
"$X" daemon status > "$tmp/out" 2>&1; rc=$?
check "status without a daemon: exit 3" '[ $rc -eq 3 ]'
check "status without a daemon: says so" 'grep -q "not running" "$tmp/out"'
"$X" daemon stop > "$tmp/out" 2> "$tmp/err"; rc=$?
check "stop without a daemon: exit 1, one line" '[ $rc -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ]'
"$X" exec -- true > "$tmp/out" 2> "$tmp/err"; rc=$?
check "exec without a daemon: exit 1, one line naming the socket" \
    '[ $rc -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ] && grep -q "$sock" "$tmp/err"'
"$X" daemon start --host nosuch > "$tmp/out" 2> "$tmp/err"; rc=$?
check "start with a bad host: exit 1, one line" '[ $rc -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ]'
check "start with a bad host: no socket" '[ ! -e "$sock" ]'
"$X" daemon frob > /dev/null 2>&1; rc=$?
check "unknown verb: usage error" '[ $rc -eq 2 ]'

# --- start, status ------------------------------------------------------
"$X" daemon start --host small-2n > "$tmp/out" 2>&1; rc=$?
check "start: exit 0 once ready" '[ $rc -eq 0 ] && [ -S "$sock" ]'
"$X" daemon status > "$tmp/out"; rc=$?
check "status: running, host small-2n" '[ $rc -eq 0 ] && grep -q "running (pid [0-9]*), host small-2n, 0 clients" "$tmp/out"'
"$X" daemon start > "$tmp/out" 2> "$tmp/err"; rc=$?
check "second start: exit 1, already running" '[ $rc -eq 1 ] && grep -q "already running" "$tmp/err"'
"$X" exec -- sh -c 'echo "$LD_LIBRARY_PATH"' > "$tmp/out"
check "exec: the drop-in libraries come first" \
    '[ "$(cut -d: -f1 "$tmp/out")" = "$(cd "$(dirname "$X")/../lib" && pwd -P)" ]'
"$X" exec -- sh -c 'exit 7'; rc=$?
check "exec: the program's exit status" '[ $rc -eq 7 ]'

# --- the protocol -------------------------------------------------------
check "hello + xen_version: 4.17" '[ "$(client version)" = "hello=0 version=0x40011" ]'
check "arguments outside the arena: -EFAULT; inside: copied" \
    '[ "$(client efault)" = "outside=-14 edge=-14 inside=0 extra=.0" ]'
check "another protocol version: -EPROTONOSUPPORT" '[ "$(client badversion)" = "hello=-93" ]'
check "a guest identity that does not exist: -ESRCH" '[ "$(client baddomid)" = "hello=-3" ]'
check "garbage after hello: that client is dropped" '[ "$(client garbage)" = "closed=1" ]'
check "no hello: dropped" '[ "$(client nohello)" = "closed=1" ]'
client vanish
check "a client vanishing mid-call: daemon still serves" '[ "$(client version)" = "hello=0 version=0x40011" ]'
check "16 clients at once, 3200 calls, all answered" \
    '[ "$(client concurrent)" = "clients=16 calls=3200 bad=0" ]'
sleep 0.2
"$X" daemon status > "$tmp/out"
check "sessions of gone clients are closed" 'grep -q ", 0 clients," "$tmp/out"'

# --- stop, stale sockets ------------------------------------------------
"$X" daemon stop > "$tmp/out" 2>&1; rc=$?
check "stop: exit 0, socket gone" '[ $rc -eq 0 ] && [ ! -e "$sock" ]'
check "stop: no xenmmd left on this socket" '! pgrep -f "xenmmd --socket $sock" > /dev/null'
"$X" daemon start --host tiny > /dev/null 2>&1
pid=$(pid_of)
kill -TERM "$pid"; for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
check "SIGTERM: the daemon exits and removes its socket" '! kill -0 "$pid" 2> /dev/null && [ ! -e "$sock" ]'
"$X" daemon start --host tiny > /dev/null 2>&1
pid=$(pid_of)
kill -KILL "$pid"; sleep 0.2
check "SIGKILL leaves a stale socket behind" '[ -S "$sock" ]'
"$X" daemon status > /dev/null 2>&1; rc=$?
check "status over a stale socket: not running" '[ $rc -eq 3 ]'
"$X" daemon start --host tiny > "$tmp/out" 2>&1; rc=$?
check "start over a stale socket: replaces it" '[ $rc -eq 0 ] && [ "$(client version)" = "hello=0 version=0x40011" ]'
"$X" daemon stop > /dev/null 2>&1

done_testing
