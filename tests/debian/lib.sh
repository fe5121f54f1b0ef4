# Sourced by tests/debian/*.sh: TAP (tests/cli/lib/tap.sh) plus running
# programs built against Debian's Xen libraries on xenmm.
#   skip "name" "why"                 a line that passes, marked # SKIP
#   tap_import PREFIX LOG STATUS      fold a C program's TAP output (in LOG,
#                                     exit status STATUS) into this suite
#   start_daemon HOST SOCKET LOG      xenmmd ($XENMMD, else build/bin/xenmmd)
#                                     in the background, waited for through
#                                     --ready-fd; sets daemon_pid
#   stop_daemon SOCKET                SIGTERM; checks it exits 0 and
#                                     removes its socket
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib/tap.sh"

skip() {
    n=$((n + 1)); pass=$((pass + 1))
    echo "ok $n - $1 # SKIP $2"
}

# Each "ok"/"not ok" line of LOG becomes one check of this suite, named
# "PREFIX: name"; "#" lines are kept.  The program must have printed its
# closing "N passed, N failed" line, agreeing with what was read, and
# exited 0 exactly when nothing failed.
tap_import() {
    local prefix=$1 log=$2 status=$3 line name npass=0 nfail=0
    while IFS= read -r line; do
        case "$line" in
        "ok "*)
            name=${line#ok * - }
            n=$((n + 1)); pass=$((pass + 1)); npass=$((npass + 1))
            echo "ok $n - $prefix: $name" ;;
        "not ok "*)
            name=${line#not ok * - }
            n=$((n + 1)); fail=$((fail + 1)); nfail=$((nfail + 1))
            echo "not ok $n - $prefix: $name" ;;
        "#"*)
            echo "$line" ;;
        esac
    done < "$log"
    check "$prefix: ran to its closing line" \
        "grep -qx '$npass passed, $nfail failed' '$log'"
    check "$prefix: exit status $status says the same" \
        "[ \"$status\" -eq \$(( $nfail ? 1 : 0 )) ]"
}

start_daemon() {
    local host=$1 sock=$2 log=$3 fifo line=
    fifo=$(dirname "$sock")/ready.$$
    rm -f "$fifo"
    mkfifo "$fifo"
    "${XENMMD:-build/bin/xenmmd}" --host "$host" --socket "$sock" \
        --ready-fd 3 3> "$fifo" 2> "$log" &
    daemon_pid=$!
    # EOF (an empty line) if xenmmd exits first, which fails the check.
    read -r -t 60 line < "$fifo"
    rm -f "$fifo"
    check "xenmmd --host $host says ready on --ready-fd" '[ "$line" = ready ]'
    check "xenmmd created its socket" '[ -S "$sock" ]'
}

stop_daemon() {
    local sock=$1 status
    kill -TERM "$daemon_pid"
    wait "$daemon_pid"
    status=$?
    check "xenmmd exits 0 on SIGTERM" '[ "$status" -eq 0 ]'
    check "xenmmd removed its socket" '[ ! -e "$sock" ]'
    daemon_pid=
}
