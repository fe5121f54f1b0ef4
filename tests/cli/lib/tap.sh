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
