#!/usr/bin/env bash
# Debian's xenstored on xenmmd: xenmmd on a temporary socket, xenstored from
# deps/xen-utils-4.17 over the drop-in libraries with libxenmm-preload.so
# giving it /proc/xen/xsd_port and xsd_kva, then xenstore-utils against it,
# a guest introduced and released (build/bin/xenmm-xs-introduce), a second
# xenstored after the first, and a teardown that leaves nothing behind.
#   usage: tests/cli/xenstored.sh path/to/xenmm
set -u
X=${1:?usage: $0 path/to/xenmm}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(cd "$(dirname "$X")" && pwd)
lib=$(cd "$bin/../lib" && pwd)
. "$here/lib/tap.sh"
XENSTORED=$root/deps/xen-utils-4.17/usr/lib/xen-4.17/bin/xenstored

if [ ! -x "$XENSTORED" ] || ! command -v xenstore-write > /dev/null; then
    echo "# SKIP: no xenstored in deps/ or no xenstore-utils; run ./setup.sh --deps-only"
    done_testing
    exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xenmm-xs.XXXXXX")
daemon_pid= xs_pid=
cleanup() {
    [ -n "$xs_pid" ] && kill "$xs_pid" 2> /dev/null
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2> /dev/null
    wait 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
unset XENMM_INPROCESS XENMM_DOMID XENMM_PROC_XEN_DIR XENSTORED_PATH
export XENMM_SOCKET=$tmp/xenmmd.sock
export XENSTORED_RUNDIR=$tmp/xenstored
mkdir -p "$XENSTORED_RUNDIR"

# Run a program with the drop-ins and the /proc/xen shim.
with_xen() { LD_LIBRARY_PATH=$lib LD_PRELOAD=$lib/libxenmm-preload.so "$@"; }
# Wait until a command succeeds, for at most 5 s.
wait_for() { local i; for i in $(seq 50); do eval "$1" && return 0; sleep 0.1; done; return 1; }
alive() { kill -0 "$1" 2> /dev/null; }

start_xenstored() { # $1 = log name
    env LD_LIBRARY_PATH="$lib" LD_PRELOAD="$lib/libxenmm-preload.so" \
        "$XENSTORED" --no-fork --pid-file "$XENSTORED_RUNDIR/pid" \
        -T "$tmp/$1.trace" > "$tmp/$1.log" 2>&1 &
    xs_pid=$!
    wait_for 'xenstore-read /tool/xenstored > /dev/null 2>&1'
}

stop_xenstored() {
    kill "$xs_pid" 2> /dev/null
    wait "$xs_pid" 2> /dev/null
    xs_pid=
}

# --- the daemon -------------------------------------------------------------
"$bin/xenmmd" --host small-2n --socket "$XENMM_SOCKET" --ready-fd 3 \
    3> "$tmp/ready" 2> "$tmp/xenmmd.log" &
daemon_pid=$!
wait_for '[ -s "$tmp/ready" ]'
check "xenmmd is ready on its socket" '[ "$(cat "$tmp/ready")" = ready ] && [ -S "$XENMM_SOCKET" ]'

# --- the /proc/xen shim -----------------------------------------------------
port=$(with_xen cat /proc/xen/xsd_port)
check "xsd_port: dom0's xenstore port, as text" '[ "$port" -gt 0 ] 2> /dev/null'
check "xsd_port: the same port every time" '[ "$(with_xen cat /proc/xen/xsd_port)" = "$port" ]'
check "xsd_kva: one page" '[ "$(with_xen cat /proc/xen/xsd_kva | wc -c)" = 4096 ]'
check "capabilities: control_d for dom0" '[ "$(with_xen cat /proc/xen/capabilities)" = control_d ]'
check "other /proc/xen files: ENOENT" '! with_xen cat /proc/xen/privcmd 2> /dev/null'
mkdir "$tmp/procxen" && echo 42 > "$tmp/procxen/xsd_port"
check "XENMM_PROC_XEN_DIR redirects the opens" \
    '[ "$(XENMM_PROC_XEN_DIR=$tmp/procxen with_xen cat /proc/xen/xsd_port)" = 42 ]'
check "files outside /proc/xen are untouched" '[ "$(with_xen cat "$tmp/ready")" = ready ]'

# --- xenstored and xenstore-utils -------------------------------------------
start_xenstored xenstored1
check "xenstored starts and serves its socket" 'alive "$xs_pid" && [ -S "$XENSTORED_RUNDIR/socket" ]'
check "xenstored wrote its pid file" '[ "$(cat "$XENSTORED_RUNDIR/pid")" = "$xs_pid" ]'
check "xenstore-write" 'xenstore-write /vm/test/name guest-a /vm/test/memory 1024'
check "xenstore-read" '[ "$(xenstore-read /vm/test/name)" = guest-a ]'
check "xenstore-read of two keys" '[ "$(xenstore-read /vm/test/name /vm/test/memory | tr "\n" " ")" = "guest-a 1024 " ]'
check "xenstore-ls" '[ "$(xenstore-ls /vm)" = "$(printf "test = \"\"\n name = \"guest-a\"\n memory = \"1024\"")" ]'
check "xenstore-list" '[ "$(xenstore-list /vm/test | sort | tr "\n" " ")" = "memory name " ]'
check "xenstore-exists" 'xenstore-exists /vm/test/name && ! xenstore-exists /vm/nothing'
check "xenstore-rm" 'xenstore-rm /vm/test/memory && ! xenstore-exists /vm/test/memory'
check "xenstore-read of a missing key fails" '! xenstore-read /vm/nothing 2> /dev/null'
check "dom0's home path" '[ "$(xenstore-read /tool/xenstored)" = "" ]'

# --- a guest introduced, talked to over its ring, released -------------------
tap_include introduce "$bin/xenmm-xs-introduce"
check "xenstored is still running" 'alive "$xs_pid"'

# --- a second xenstored takes over the same port ---------------------------
stop_xenstored
check "the first xenstored stopped" '[ -z "$xs_pid" ]'
start_xenstored xenstored2
check "a second xenstored starts on the same xsd_port" 'alive "$xs_pid"'
check "and serves (a fresh store)" 'xenstore-write /again yes && [ "$(xenstore-read /again)" = yes ]'
check "the port is unchanged" '[ "$(with_xen cat /proc/xen/xsd_port)" = "$port" ]'
stop_xenstored

# --- teardown -----------------------------------------------------------------
kill "$daemon_pid"; wait "$daemon_pid"; rc=$?
check "xenmmd exits 0 on SIGTERM" '[ $rc -eq 0 ]'
check "xenmmd removed its socket" '[ ! -e "$XENMM_SOCKET" ]'
check "no process left" '! alive "$daemon_pid"'
daemon_pid=
check "no client was dropped for a bad request" '! grep -q "dropping a client" "$tmp/xenmmd.log"'
check "xenstored logged no error" '! grep -qi "error\|fail" "$tmp/xenstored1.log" "$tmp/xenstored2.log"'

done_testing
