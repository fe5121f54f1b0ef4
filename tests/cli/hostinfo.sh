#!/usr/bin/env bash
# CLI tests for `xenmm hostinfo`: presets, the default host's figures, the
# xl-compatible layout, --json, the xlinfo round trip, and error handling.
#   usage: tests/cli/hostinfo.sh path/to/xenmm
set -u
X=${1:?usage: $0 path/to/xenmm}
here=$(cd "$(dirname "$0")" && pwd)
maps="$here/../hostmaps"
. "$here/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xenmm-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unset XENMM_HOST

# The value of "key : value" in an xl-style file.
val() { sed -n "s/^$2 *: //p" "$1" | head -n 1; }
# The numa_info table of an xl-style file.
numa() { sed -n '/^numa_info /,/^xen_major /p' "$1"; }
# python3 evaluates an expression on the JSON in file $1 (as j).
pyj() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }

# --- command dispatch ------------------------------------------------
"$X" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "no command: exit 2 and usage on stderr" '[ $rc -eq 2 ] && grep -q "^usage: xenmm" "$tmp/err"'
"$X" frobnicate > "$tmp/out" 2> "$tmp/err"; rc=$?
check "unknown command: exit 2" '[ $rc -eq 2 ]'
check "unknown command: one error line naming it" \
    '[ "$(head -n 1 "$tmp/err")" = "xenmm: unknown command '"'"'frobnicate'"'"'" ]'
check "help lists hostinfo" '"$X" help | grep -q "^  hostinfo "'
check "--version names Xen 4.17" '"$X" --version | grep -q "Xen 4.17"'
check "help hostinfo shows its options" '"$X" help hostinfo | grep -q -- "--presets"'
"$X" hostinfo --bogus > /dev/null 2> "$tmp/err"; rc=$?
check "unknown option: exit 2, one line" '[ $rc -eq 2 ] && [ $(wc -l < "$tmp/err") -eq 1 ]'

# --- presets ---------------------------------------------------------
"$X" hostinfo --presets > "$tmp/presets"; rc=$?
check "--presets exits 0" '[ $rc -eq 0 ]'
for p in tiny laptop small-2n server-2s opteron-6272 xs-12t 16t; do
    check "--presets lists $p" 'grep -Eq "^[ *] $p +[^ ]" "$tmp/presets"'
done
check "--presets marks server-2s as the default" \
    '[ "$(grep -c "^\*" "$tmp/presets")" -eq 1 ] && grep -q "^\* server-2s " "$tmp/presets"'
"$X" hostinfo --presets --json > "$tmp/presets.json"
check "--presets --json parses, default flagged" \
    'pyj "$tmp/presets.json" "[p[\"name\"] for p in j if p[\"default\"]] == [\"server-2s\"] and len(j) >= 7"'

# --- the default host ------------------------------------------------
"$X" hostinfo > "$tmp/default.txt" 2> "$tmp/err"; rc=$?
check "default host boots" '[ $rc -eq 0 ] && [ ! -s "$tmp/err" ]'
check "host is server-2s" '[ "$(val "$tmp/default.txt" host)" = server-2s ]'
check "nr_cpus 64" '[ "$(val "$tmp/default.txt" nr_cpus)" = 64 ]'
check "max_cpu_id 63" '[ "$(val "$tmp/default.txt" max_cpu_id)" = 63 ]'
check "nr_nodes 2" '[ "$(val "$tmp/default.txt" nr_nodes)" = 2 ]'
check "cores_per_socket 16" '[ "$(val "$tmp/default.txt" cores_per_socket)" = 16 ]'
check "threads_per_core 2" '[ "$(val "$tmp/default.txt" threads_per_core)" = 2 ]'
check "cpu_mhz 2100.000" '[ "$(val "$tmp/default.txt" cpu_mhz)" = 2100.000 ]'
check "total_memory 524288 MiB" '[ "$(val "$tmp/default.txt" total_memory)" = 524288 ]'
free=$(val "$tmp/default.txt" free_memory)
check "free_memory is most of it" '[ "$free" -gt 520000 ] && [ "$free" -le 524288 ]'
check "outstanding_claims 0" '[ "$(val "$tmp/default.txt" outstanding_claims)" = 0 ]'
check "xen_version 4.17.0, xen_extra .0" '[ "$(val "$tmp/default.txt" xen_version)" = 4.17.0 ] && [ "$(val "$tmp/default.txt" xen_extra)" = .0 ] &&
    [ "$(val "$tmp/default.txt" xen_major)" = 4 ] && [ "$(val "$tmp/default.txt" xen_minor)" = 17 ]'
check "xen_caps as xl" \
    '[ "$(val "$tmp/default.txt" xen_caps)" = "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64" ]'
check "xen_commandline shows the defaults" \
    'val "$tmp/default.txt" xen_commandline | grep -q "bootscrub=idle bootscrub_chunk=128M"'
check "key lines pad the key to 23 columns, as xl" \
    '[ "$(grep -c "^[a-z]" "$tmp/default.txt")" -ge 20 ] &&
     ! grep "^[a-z]" "$tmp/default.txt" | grep -v "^cpu: \|^node: " | grep -Evq "^[a-z_ ]{23}:( |$)"'
check "cpu_topology header as xl" 'grep -qx "cpu:    core    socket     node" "$tmp/default.txt"'
check "cpu_topology has 64 rows" \
    '[ "$(sed -n "/^cpu_topology/,/^numa_info/p" "$tmp/default.txt" | grep -c "^ *[0-9]*:")" = 64 ]'
check "cpu 32 is core 0 of socket 1 on node 1" 'grep -qx " 32:       0        1        1" "$tmp/default.txt"'
check "numa_info header as xl" 'grep -qx "node:    memsize    memfree    distances" "$tmp/default.txt"'
check "node 0 spans 258 GiB (hole included), distances 10,21" \
    'numa "$tmp/default.txt" | grep -Eq "^   0:    264192     [0-9 ]{6}      10,21$"'
check "node 1 spans 256 GiB, distances 21,10" \
    'numa "$tmp/default.txt" | grep -Eq "^   1:    262144     [0-9 ]{6}      21,10$"'
nf=$(numa "$tmp/default.txt" | awk '/^ +[0-9]+:/ { s += $3 } END { print s }')
check "node memfree adds up to free_memory (+-1 MiB per node)" \
    '[ $((free - nf)) -ge -2 ] && [ $((free - nf)) -le 2 ]'

# --- --json ------------------------------------------------------------
"$X" hostinfo --json > "$tmp/default.json"; rc=$?
check "--json exits 0" '[ $rc -eq 0 ]'
check "--json parses" 'pyj "$tmp/default.json" "True"'
check "--json has the text figures" \
    'pyj "$tmp/default.json" "j[\"host\"] == \"server-2s\" and j[\"total_memory\"] == 524288 and j[\"free_memory\"] == $free and j[\"nr_cpus\"] == 64"'
check "--json numa_info and distances" \
    'pyj "$tmp/default.json" "[n[\"memsize\"] for n in j[\"numa_info\"]] == [264192, 262144] and [n[\"distances\"] for n in j[\"numa_info\"]] == [[10, 21], [21, 10]]"'
check "--json cpu_topology" \
    'pyj "$tmp/default.json" "len(j[\"cpu_topology\"]) == 64 and j[\"cpu_topology\"][33] == {\"cpu\": 33, \"core\": 0, \"socket\": 1, \"node\": 1}"'
check "--json xen options" \
    'pyj "$tmp/default.json" "j[\"xen\"][\"bootscrub\"] == \"idle\" and j[\"xen_version\"] == \"4.17.0\""'

# --- other hosts -------------------------------------------------------
"$X" hostinfo --host 16t > "$tmp/16t.txt" 2> "$tmp/err"; rc=$?
check "the 16t preset boots" '[ $rc -eq 0 ]'
check "16t: 8 nodes, 16 TiB - 2 GiB of RAM" \
    '[ "$(val "$tmp/16t.txt" nr_nodes)" = 8 ] && [ "$(val "$tmp/16t.txt" total_memory)" = $((16 * 1024 * 1024 - 2048)) ]'
check "16t: every node spans 2 TiB" \
    '[ "$(numa "$tmp/16t.txt" | grep -Ec "^ +[0-7]: +2097152 ")" = 8 ]'
"$X" hostinfo --host opteron-6272 > "$tmp/opteron.txt"
check "opteron-6272: the SLIT row of node 2" \
    'numa "$tmp/opteron.txt" | grep -q "^   2: .*      16,22,10,16,16,16,16,16$"'
XENMM_HOST=laptop "$X" hostinfo > "$tmp/env.txt"
check "XENMM_HOST picks the host" '[ "$(val "$tmp/env.txt" host)" = laptop ]'
XENMM_HOST=laptop "$X" hostinfo --host tiny > "$tmp/env.txt"
check "--host beats XENMM_HOST" '[ "$(val "$tmp/env.txt" host)" = tiny ]'
"$X" hostinfo --host "$maps/example.json" > "$tmp/json-host.txt"; rc=$?
check "a JSON host file boots" '[ $rc -eq 0 ] && [ "$(val "$tmp/json-host.txt" host)" = r740-lab ]'
check "JSON host: 192 GiB, the file's Xen options" \
    '[ "$(val "$tmp/json-host.txt" total_memory)" = 196608 ] &&
     val "$tmp/json-host.txt" xen_commandline | grep -q "bootscrub_chunk=64M .*scrub_domheap=true"'
"$X" hostinfo --host "$maps/dell-r740.txt" > "$tmp/dell.txt"; rc=$?
check "an xl info -n sample boots (sniffed)" '[ $rc -eq 0 ] && [ "$(val "$tmp/dell.txt" total_memory)" = 196503 ]'
check "the sample's CPU rows come through" 'grep -qx "  1:       0        1        1" "$tmp/dell.txt"'
check "the sample's numa_info memsize comes through" \
    'numa "$tmp/dell.txt" | grep -q "^   0:    100352 " && numa "$tmp/dell.txt" | grep -q "^   1:     98304 "'
if [ -d /sys/devices/system/cpu ]; then
    "$X" hostinfo --host local > "$tmp/local.txt" 2> "$tmp/err"; rc=$?
    check "this machine boots (--host local)" '[ $rc -eq 0 ] || { cat "$tmp/err"; false; }'
fi

# --- round trip through xlinfo: ---------------------------------------
for p in server-2s opteron-6272 small-2n; do
    "$X" hostinfo --host $p > "$tmp/rt1.txt"
    "$X" hostinfo --host "xlinfo:$tmp/rt1.txt" > "$tmp/rt2.txt"; rc=$?
    check "round trip $p: reloads" '[ $rc -eq 0 ]'
    check "round trip $p: same numa_info" '[ "$(numa "$tmp/rt1.txt")" = "$(numa "$tmp/rt2.txt")" ]'
    check "round trip $p: same output" 'cmp -s "$tmp/rt1.txt" "$tmp/rt2.txt"'
done
"$X" hostinfo --host small-2n --xen "bootscrub=off scrub_threads=2" -x heap=split > "$tmp/rt1.txt"
"$X" hostinfo --host "xlinfo:$tmp/rt1.txt" > "$tmp/rt2.txt"
check "--xen options show in xen_commandline" \
    'val "$tmp/rt1.txt" xen_commandline | grep -q "bootscrub=off .*heap=split .*scrub_threads=2"'
check "round trip keeps the Xen options" \
    '[ "$(val "$tmp/rt1.txt" xen_commandline)" = "$(val "$tmp/rt2.txt" xen_commandline)" ]'

# --- errors --------------------------------------------------------------
one_error() { # $1 = stderr file, $2 = text it must contain
    [ "$(wc -l < "$1")" -eq 1 ] && grep -qF -- "$2" "$1"
}
"$X" hostinfo --host "$maps/bad/bad-size.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "bad host file: exit 1" '[ $rc -eq 1 ]'
check "bad host file: nothing on stdout" '[ ! -s "$tmp/out" ]'
check "bad host file: one line naming file and field" \
    'one_error "$tmp/err" "bad-size.json: nodes[1].ranges[0].end: \"4X\" is not a size"'
"$X" hostinfo --host "$maps/bad/bad-syntax.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "JSON syntax error: exit 1, file:line:column" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "bad-syntax.json:4:3: "'
"$X" hostinfo --host "$maps/bad/bad-overlap.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "overlapping ranges: exit 1, names the range" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "nodes[1].ranges[0]: [0x40000000, 0xc0000000) overlaps nodes[0].ranges[0]"'
"$X" hostinfo --host "$maps/bad/bad-key.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "misspelt key: exit 1, names it" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "cpus.thread_per_core: unknown key"'
printf 'total_memory : 1024\nnr_cpus : 2\nnuma_info :\nnode: memsize memfree distances\n   0:  1024  1000  10,20\n' > "$tmp/bad.txt"
"$X" hostinfo --host "$tmp/bad.txt" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "bad xl info text: exit 1, file:line" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "bad.txt:5: node 0 has 2 distances but there are 1 nodes"'
"$X" hostinfo --host no-such-host > "$tmp/out" 2> "$tmp/err"; rc=$?
check "unknown preset: exit 1, one line listing presets" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "no-such-host: no such preset or file (presets: tiny"'
"$X" hostinfo --xen bootscrub_chunk=12X > "$tmp/out" 2> "$tmp/err"; rc=$?
check "bad --xen value: exit 1, names it" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "bootscrub_chunk: \"12X\" is not a size"'
"$X" hostinfo --xen frobnicate=1 > "$tmp/out" 2> "$tmp/err"; rc=$?
check "unknown --xen option: exit 1, names it" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "frobnicate: unknown Xen option"'
"$X" hostinfo --host laptop --xen scrub_threads=9 > "$tmp/out" 2> "$tmp/err"; rc=$?
check "--xen that fails validation: exit 1" \
    '[ $rc -eq 1 ] && one_error "$tmp/err" "xen.scrub_threads: 9, but the host has 8 CPUs"'
"$X" hostinfo --host "$tmp" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "a directory as host: exit 1, one line" '[ $rc -eq 1 ] && one_error "$tmp/err" "is a directory"'

done_testing
