#!/usr/bin/env bash
# CLI tests for `xenmm run`: the built-in default scenario and three from
# scenarios/ (hard affinity on node 1, parallel builds with claims, PV, PVH
# and PoD guests), their --json reports checked against each other and
# against the hypervisor's own counters (tests/cli/lib/run_report.py), and
# against Debian's xl on a run kept with --keep; a run on a daemon already
# running; errors; and Ctrl-C (SIGINT to xenmm, and to its process group as
# a terminal sends it) in the middle of a build, leaving no process, socket
# or directory behind.
#   usage: tests/cli/run.sh path/to/xenmm
set -u
X=${1:?usage: $0 path/to/xenmm}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(cd "$(dirname "$X")" && pwd)
. "$here/lib/tap.sh"
XL=$root/deps/xen-utils-4.17/usr/lib/xen-4.17/bin/xl
HVMLOADER=$root/deps/xen-utils-4.17/usr/lib/xen-4.17/boot/hvmloader

if [ ! -f "$HVMLOADER" ] || [ ! -x "$root/deps/xen-utils-4.17/usr/lib/xen-4.17/bin/xenstored" ]; then
    echo "# SKIP: no hvmloader or xenstored in deps/; run ./setup.sh --deps-only"
    done_testing
    exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xenmm-run-test.XXXXXX")
cleanup() {
    [ -n "${kept_xs:-}" ] && kill "$kept_xs" 2> /dev/null
    [ -n "${kept_sock:-}" ] && "$X" daemon stop --socket "$kept_sock" > /dev/null 2>&1
    "$X" daemon stop --socket "$tmp/d.sock" > /dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
unset XENMM_HOST XENMM_INPROCESS XENMM_DOMID XENMM_SOCKET XENSTORED_RUNDIR XENSTORED_PATH
# Runs make their private directories under $tmp/runs, so leftovers show.
mkdir "$tmp/runs"
run() { TMPDIR=$tmp/runs "$X" run "$@"; }
alive() { kill -0 "$1" 2> /dev/null; }
# Nothing of a run left: no directory, socket or process naming $tmp/runs.
nothing_left() {
    [ -z "$(ls -A "$tmp/runs")" ] && ! pgrep -f "$tmp/runs" > /dev/null &&
        ! pgrep -f "sleep 31\.5" > /dev/null
}

# --- the default scenario ------------------------------------------------
check "the built-in scenario is scenarios/default.cfg" \
    '"$bin/xenmm-toolstack" --print-default | cmp -s - "$root/scenarios/default.cfg"'
start=$(date +%s.%N)
run > "$tmp/default.txt" 2> "$tmp/default.err"; rc=$?
check "xenmm run: exit 0" '[ $rc -eq 0 ]'
check "xenmm run: the table names the four VMs" \
    'grep -qE "^web +hvm +64 GiB +4 +1 +node 0 " "$tmp/default.txt" &&
     grep -qE "^db +hvm +128 GiB +8 +2 +node 1 " "$tmp/default.txt" &&
     grep -qE "^analytics +hvm +224 GiB +16 +3 +nodes 0\+1 " "$tmp/default.txt" &&
     grep -qE "^batch +hvm +96 GiB +4 +- .*FAILED" "$tmp/default.txt"'
check "xenmm run: batch fails for lack of memory, with the reason" \
    'grep -q "^batch: FAILED after .*not enough memory: build_pre needs .* MiB free" "$tmp/default.txt"'
check "xenmm run: per-VM pages per node, page sizes and e820" \
    'grep -q "^  memory      node 0: .* pages" "$tmp/default.txt" &&
     grep -q "^  p2m leaves  1G: 62, 2M: 1021, 4K: 496$" "$tmp/default.txt" &&
     grep -q "^  e820        0000000000100000-00000000efffffff RAM$" "$tmp/default.txt"'
check "xenmm run: per-node free, claimed and to-scrub rows" \
    'grep -q "^  free after " "$tmp/default.txt" && grep -q "^  claimed " "$tmp/default.txt" &&
     grep -q "^  to scrub " "$tmp/default.txt"'
check "xenmm run: the summary line" 'grep -q "^3 of 4 VMs started in" "$tmp/default.txt"'
check "xenmm run: nothing on stderr off a terminal" '[ ! -s "$tmp/default.err" ]'
check "xenmm run: no daemon, xenstored or directory left" 'nothing_left'

run --json > "$tmp/default.json"; rc=$?
check "xenmm run --json: exit 0" '[ $rc -eq 0 ]'
tap_include default python3 "$here/lib/run_report.py" default "$tmp/default.json"

# --- three scenarios from scenarios/ ---------------------------------------
for s in pinned claims pv-pvh; do
    run --json "$s" > "$tmp/$s.json"; rc=$?
    check "xenmm run $s: exit 0" '[ $rc -eq 0 ]'
    tap_include "$s" python3 "$here/lib/run_report.py" "$s" "$tmp/$s.json"
done
run --json "$root/scenarios/pinned.cfg" > "$tmp/path.json"
check "a scenario given as a path" \
    'python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(j[\"scenario\"][\"name\"] != \"pinned\")" "$tmp/path.json"'
# xl.cfg files (cfg=), items continued past a comma ("cpus=0-3,8"), node=.
mkdir "$tmp/sc"
printf 'name = "fromcfg"\nbuilder = "hvm"\nmemory = 1024\nvcpus = 2\ncpus = "32-35,40"\non_crash = "destroy"\n' > "$tmp/sc/guest.cfg"
cat > "$tmp/sc/mixed.cfg" <<'EOF'
host = "server-2s"
vm = [ "cfg=guest.cfg,memory=2048",
       "name=commas,memory=1024,cpus=0-3,8,vcpus=2",
       "name=n1,memory=1024,node=1" ]
EOF
run --json "$tmp/sc/mixed.cfg" > "$tmp/mixed.json"; rc=$?
check "cfg=, continued items and node=: exit 0" '[ $rc -eq 0 ]'
cat > "$tmp/mixed.py" <<'EOF'
import json, sys
v = {x["name"]: x for x in json.load(open(sys.argv[1]))["vms"]}
f, c, n = v["fromcfg"], v["commas"], v["n1"]
ok = (f["memory_mib"] == 2048 and f["vcpus"] == 2 and f["cpus"] == "32-35,40"
      and f["placement"]["how"] == "hard-affinity"
      and f["node_pages"][1] == f["tot_pages"]
      and c["cpus"] == "0-3,8" and c["vcpus"] == 2
      and n["placement"]["node"] == 1 and n["node_pages"][1] == n["tot_pages"]
      and all(x["result"] == "ok" for x in v.values()))
sys.exit(0 if ok else 1)
EOF
check "cfg=: an xl.cfg file's settings, overridden by the entry; node=1 placed there" \
    'python3 "$tmp/mixed.py" "$tmp/mixed.json"'
run --parallel 2 --progress plain --json > /dev/null 2> "$tmp/plain.err"
check "--progress plain: a line per phase" \
    'grep -q "^xenmm run: web: xenguest$" "$tmp/plain.err" && grep -q "^xenmm run: batch: destroying$" "$tmp/plain.err"'
check "no daemon, xenstored or directory left after six runs" 'nothing_left'

# --- --keep, and the report against Debian's xl ----------------------------
run --keep --json > "$tmp/keep.json" 2> "$tmp/keep.err"; rc=$?
dir=$(sed -n 's/^xenmm run: kept in \([^:]*\):.*/\1/p' "$tmp/keep.err")
kept_sock=$dir/xenmmd.sock
kept_xs=$(sed -n 's/.* xenstored (pid \([0-9]*\),.*/\1/p' "$tmp/keep.err")
check "--keep: exit 0, says what it kept and how to stop it" \
    '[ $rc -eq 0 ] && [ -S "$kept_sock" ] && alive "$kept_xs" && grep -q "stop them with" "$tmp/keep.err"'
"$X" daemon status --socket "$kept_sock" > "$tmp/status"
check "--keep: the daemon is running the scenario's host" 'grep -q "host server-2s" "$tmp/status"'
if [ -x "$XL" ]; then
    xl() { XENMM_SOCKET=$kept_sock XENSTORED_RUNDIR=$dir/xenstored "$X" exec -- "$XL" "$@" 2> /dev/null; }
    xl list > "$tmp/xl-list"
    xl info -n > "$tmp/xl-info"
    xl claims > "$tmp/xl-claims"
    xl dmesg -c > /dev/null; xl debug-keys u; xl dmesg > "$tmp/xl-u"
    tap_include xl python3 - "$tmp/keep.json" "$tmp/xl-list" "$tmp/xl-info" "$tmp/xl-claims" "$tmp/xl-u" <<'EOF'
import json, re, sys
rep = json.load(open(sys.argv[1]))
lst, info, claims, u = (open(p).read() for p in sys.argv[2:])
n = ok = 0
def check(name, c):
    global n, ok
    n += 1; ok += bool(c)
    print(("ok" if c else "not ok") + f" {n} - {name}")
doms = {m.group(1): (int(m.group(2)), int(m.group(3)))
        for m in re.finditer(r"^(\S+)\s+(\d+)\s+(\d+)\s", lst, re.M)}
for v in rep["vms"]:
    if v["result"] == "ok":
        check(f"xl list: {v['name']} as domain {v['domid']} with tot_pages' MiB",
              doms.get(v["name"]) == (v["domid"], v["tot_pages"] * 4 // 1024))
    else:
        check(f"xl list: no {v['name']}", v["name"] not in doms)
free = [int(m.group(1)) for m in re.finditer(r"^\s+\d+:\s+\d+\s+(\d+)\s+\d+,", info, re.M)]
check("xl info -n: node free as the report's (MiB)",
      free == [p // 256 for p in rep["host_after"]["node_free_pages"]])
check("xl info: no outstanding claims", re.search(r"^outstanding_claims\s+: 0$", info, re.M))
check("xl claims: nobody holds a claim",
      all(l.split()[-1] == "0" for l in claims.splitlines()[1:] if l.strip()))
for v in rep["vms"]:
    if v["result"] == "ok":
        m = re.search(rf"^Domain {v['domid']} \(total: (\d+)\):\n((?:    Node \d+: \d+\n)+)", u, re.M)
        check(f"xl debug-keys u: {v['name']}'s pages per node as reported",
              m and [int(x) for x in re.findall(r": (\d+)", m.group(2))] == v["node_pages"])
print(f"{ok} passed, {n - ok} failed")
EOF
else
    echo "# no xl in deps/: the cross-check with xl is skipped"
fi
kill "$kept_xs"
for i in $(seq 50); do alive "$kept_xs" || break; sleep 0.1; done
"$X" daemon stop --socket "$kept_sock" > /dev/null; rc=$?
check "--keep: stopped as it said" '[ $rc -eq 0 ] && ! alive "$kept_xs" && [ ! -e "$kept_sock" ]'
kept_xs= kept_sock=
rm -rf "$dir"

# --- a daemon that is already running -------------------------------------
"$X" daemon start --socket "$tmp/d.sock" --host small-2n --xen conring_size=1M > /dev/null
run --socket "$tmp/d.sock" --json pv-pvh > "$tmp/ext.json"; rc=$?
check "--socket: runs on the given daemon" \
    '[ $rc -eq 0 ] && python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(any(v[\"result\"] != \"ok\" for v in j[\"vms\"]))" "$tmp/ext.json"'
check "--socket: the daemon is left running, the run's xenstored stopped" \
    '"$X" daemon status --socket "$tmp/d.sock" > /dev/null && nothing_left'
run --socket "$tmp/d.sock" --json pv-pvh > "$tmp/ext2.json"; rc=$?
check "--socket: a second run on the same daemon (new domids)" \
    '[ $rc -eq 0 ] && python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(min(v[\"domid\"] for v in j[\"vms\"]) <= 3)" "$tmp/ext2.json"'
"$X" daemon stop --socket "$tmp/d.sock" > /dev/null

# --- errors -----------------------------------------------------------------
run nosuch > "$tmp/out" 2> "$tmp/err"; rc=$?
check "an unknown scenario: exit 1, one line" '[ $rc -eq 1 ] && [ $(wc -l < "$tmp/err") -eq 1 ]'
printf 'host = "server-2s"\nparralel = 2\nvm = [ "name=a,memory=1024" ]\n' > "$tmp/typo.cfg"
run "$tmp/typo.cfg" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "a misspelt setting: exit 1, named" '[ $rc -eq 1 ] && grep -q "unknown setting \"parralel\"" "$tmp/err"'
printf 'vm = [ "name=a,memory=1024,cpus=0-99" ]\n' > "$tmp/cpus.cfg"
run "$tmp/cpus.cfg" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "cpus beyond the host: exit 1 before any build" '[ $rc -eq 1 ] && grep -q "cpus=\"0-99\"" "$tmp/err"'
printf 'vm = [ "name=a,type=pvh,memory=1024" ]\n' > "$tmp/nokernel.cfg"
run "$tmp/nokernel.cfg" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "a PVH guest without kernel=: exit 1" '[ $rc -eq 1 ] && grep -q "needs kernel=" "$tmp/err"'
run --socket "$tmp/none.sock" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "--socket without a daemon: exit 1" '[ $rc -eq 1 ] && grep -q "no xenmmd running" "$tmp/err"'
run --host nosuch > "$tmp/out" 2> "$tmp/err"; rc=$?
check "a bad --host: exit 1" '[ $rc -eq 1 ]'
check "no daemon, xenstored or directory left after the errors" 'nothing_left'

# --- Ctrl-C in the middle of a build ------------------------------------------
# A xenguest that waits before building: the interrupt lands while the
# toolstack waits for it.
cat > "$tmp/slow-xenguest" <<EOF
#!/bin/bash
trap 'kill \$! 2> /dev/null; exit 143' TERM INT
sleep 31.5 & wait \$!
exec "$bin/xenguest" "\$@"
EOF
chmod +x "$tmp/slow-xenguest"
for how in pid group; do
    TMPDIR=$tmp/runs setsid "$X" run --xenguest "$tmp/slow-xenguest" \
        --progress plain > "$tmp/int.out" 2> "$tmp/int.err" &
    pid=$!
    for i in $(seq 100); do grep -q "web: xenguest" "$tmp/int.err" && break; sleep 0.1; done
    check "SIGINT ($how): the build was under way" 'grep -q "web: xenguest" "$tmp/int.err" && pgrep -f "sleep 31\.5" > /dev/null'
    if [ $how = pid ]; then kill -INT "$pid"; else kill -INT -- "-$pid"; fi
    wait "$pid"; rc=$?
    check "SIGINT ($how): exit 130" '[ $rc -eq 130 ]'
    check "SIGINT ($how): the domain being built is destroyed" \
        'grep -q "interrupted; 1 domain destroyed" "$tmp/int.err"'
    check "SIGINT ($how): says everything it started is stopped" \
        'grep -q "everything it started is stopped" "$tmp/int.err"'
    check "SIGINT ($how): no xenguest, toolstack, xenstored, xenmmd, socket or directory left" \
        'nothing_left'
done
check "all of it within a minute" '[ $(( $(date +%s) - ${start%.*} )) -lt 60 ]'

done_testing
