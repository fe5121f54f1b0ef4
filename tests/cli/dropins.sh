#!/usr/bin/env bash
# The drop-in libraries (libxendevicemodel, libxenevtchn, libxengnttab with
# libxencall and libxenforeignmemory) under Debian's libxenctrl:
# build/bin/xenmm-dropin-tests with the host in-process, then against a
# xenmmd on a temporary socket (where a client that dies is cleaned up
# after), which must stop cleanly afterwards.
#   usage: tests/cli/dropins.sh path/to/xenmm
set -u
X=${1:?usage: $0 path/to/xenmm}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$X")" && pwd)
. "$here/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xenmm-dropins.XXXXXX")
daemon_pid=
trap '[ -n "$daemon_pid" ] && kill "$daemon_pid" 2> /dev/null; wait; rm -rf "$tmp"' EXIT
unset XENMM_SOCKET XENMM_INPROCESS XENMM_DOMID

XENMM_INPROCESS=small-2n tap_include in-process "$bin/xenmm-dropin-tests"

"$bin/xenmmd" --host small-2n --socket "$tmp/xenmmd.sock" --ready-fd 3 \
    3> "$tmp/ready" 2> "$tmp/xenmmd.log" &
daemon_pid=$!
for i in $(seq 50); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
check "xenmmd is ready" '[ "$(cat "$tmp/ready")" = ready ]'
XENMM_SOCKET=$tmp/xenmmd.sock tap_include xenmmd "$bin/xenmm-dropin-tests"
kill "$daemon_pid"; wait "$daemon_pid"; rc=$?
daemon_pid=
check "xenmmd stops cleanly, socket removed" '[ $rc -eq 0 ] && [ ! -e "$tmp/xenmmd.sock" ]'
check "no client was dropped for a bad request" '! grep -q "dropping a client" "$tmp/xenmmd.log"'

done_testing
