# Sourced by tests/cli/*.sh: a tiny TAP emitter for CLI tests.
#   check "name" 'shell condition'   passes when the condition is true
#   done_testing                     prints "N passed, N failed"
n=0 pass=0 fail=0
check() {
    local name=$1; shift
    n=$((n + 1))
    if eval "$*"; then
        pass=$((pass + 1)); echo "ok $n - $name"
    else
        fail=$((fail + 1)); echo "not ok $n - $name"; echo "#   failed: $*"
    fi
}
done_testing() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
# tap_include "name" CMD ARGS...: run a program printing TAP and count its
# results as ours, renumbered and prefixed with name; its comments pass
# through.  A program that ends without its "N passed, N failed" line
# counts as one more failure.
tap_include() {
    local name=$1 out rc line; shift
    out=$("$@" 2>&1); rc=$?
    while IFS= read -r line; do
        case "$line" in
        "ok "*)     n=$((n + 1)); pass=$((pass + 1))
                    echo "ok $n - $name: ${line#ok * - }" ;;
        "not ok "*) n=$((n + 1)); fail=$((fail + 1))
                    echo "not ok $n - $name: ${line#not ok * - }" ;;
        "#"*)       echo "$line" ;;
        esac
    done <<< "$out"
    if ! grep -qE '^[0-9]+ passed, [0-9]+ failed' <<< "$out"; then
        n=$((n + 1)); fail=$((fail + 1))
        echo "not ok $n - $name: ended early (exit $rc)"
        tail -n 5 <<< "$out" | sed 's/^/#   /'
    fi
}
