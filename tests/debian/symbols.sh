#!/usr/bin/env bash
# tests/debian/symbols.sh - the drop-in libraries export what Debian's do.
#
# For each of the five libraries Debian's libxenctrl, libxenguest and
# xenstored load: build/lib/lib<name>.so.1 must have the same SONAME, the
# same (symbol, version node) pairs among its defined dynamic symbols, and
# the same version nodes with the same parents (VERS_1.1 after VERS_1.0,
# ...) as /usr/lib/x86_64-linux-gnu/lib<name>.so.1.  A library not built
# yet fails if src/libs/<name>.c exists, and is skipped otherwise.  Then
# Debian's libxenctrl and libxenguest must load against the drop-ins with
# every symbol and version found (ldd -r).
set -u
cd "$(dirname "$0")/../.."
. tests/debian/lib.sh

debian=/usr/lib/x86_64-linux-gnu

# (check's own "name" would shadow a loop variable called so: lname.)
# "TYPE BIND name@@VERS" for every symbol the library defines.
dynsyms() {
    readelf --dyn-syms -W "$1" |
        awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $8 != "" { print $4, $5, $8 }' |
        sort
}

# One line per version definition: "name" or "name < parent ...".
verdefs() {
    readelf -V -W "$1" | awk '
        /^Version definition section/ { on = 1; next }
        /^Version (needs|symbols) section/ { on = 0 }
        on && /Name:/ {
            if (cur != "") print cur
            cur = $NF
            if ($0 ~ /Flags: BASE/) cur = cur " (base)"
        }
        on && /Parent [0-9]+:/ { cur = cur " < " $NF }
        END { if (cur != "") print cur }'
}

soname() {
    readelf -d -W "$1" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'
}

for lname in xencall xenforeignmemory xendevicemodel xenevtchn xengnttab; do
    ours=build/lib/lib$lname.so.1
    theirs=$debian/lib$lname.so.1
    if [ ! -e "$ours" ]; then
        if [ -e "src/libs/$lname.c" ]; then
            check "lib$lname.so.1 is built (src/libs/$lname.c exists)" false
        else
            skip "lib$lname.so.1 matches Debian's" "not written yet (no src/libs/$lname.c)"
        fi
        continue
    fi
    check "lib$lname.so.1: Debian's is installed" '[ -e "$theirs" ]'
    check "lib$lname.so.1: SONAME lib$lname.so.1" \
        '[ "$(soname "$ours")" = "lib$lname.so.1" ]'
    check "lib$lname.so.1: some symbols are exported" \
        '[ "$(dynsyms "$ours" | wc -l)" -gt 4 ]'
    if ! check "lib$lname.so.1: the same (symbol, version) pairs as Debian's" \
        '[ "$(dynsyms "$ours")" = "$(dynsyms "$theirs")" ]'; then
        diff <(dynsyms "$theirs") <(dynsyms "$ours") | sed 's/^/#   /'
    fi
    if ! check "lib$lname.so.1: the same version nodes and parents" \
        '[ "$(verdefs "$ours")" = "$(verdefs "$theirs")" ]'; then
        diff <(verdefs "$theirs") <(verdefs "$ours") | sed 's/^/#   /'
    fi
done

# The two tests of the comparison itself: Debian's libxencall has the
# chain its headers promise, and a difference is noticed.
check "verdefs reads Debian's chain VERS_1.0 < ... < VERS_1.3" \
    '[ "$(verdefs $debian/libxencall.so.1 | tr "\n" ,)" = \
       "libxencall.so.1 (base),VERS_1.0,VERS_1.1 < VERS_1.0,VERS_1.2 < VERS_1.1,VERS_1.3 < VERS_1.2," ]'
check "dynsyms tells libxencall and libxenforeignmemory apart" \
    '[ "$(dynsyms $debian/libxencall.so.1)" != "$(dynsyms $debian/libxenforeignmemory.so.1)" ]'

# Debian's libraries load against the drop-ins: every needed version and
# symbol is found, and the drop-ins are the ones bound.
for lib in libxenctrl.so.4.17 libxenguest.so.4.17; do
    out=$(LD_LIBRARY_PATH=$PWD/build/lib ldd -r "$debian/$lib" 2>&1)
    check "$lib loads against the drop-ins: nothing \"not found\"" \
        '! grep -q "not found" <<< "$out"'
    for l in build/lib/lib*.so.1; do
        [ -e "$l" ] || continue
        b=$(basename "$l")
        check "$lib binds $b from build/lib" \
            'grep -q "$b => $PWD/build/lib/$b" <<< "$out"'
    done
done

done_testing
