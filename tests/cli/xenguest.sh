#!/usr/bin/env bash
# XenServer's xenguest (build/bin/xenguest) on xenmmd, as xenopsd runs it:
# xenmmd on a temporary socket (small-2n: 2 nodes of 2 GiB, CPUs 0-1 on
# node 0 and 2-3 on node 1), Debian's xenstored on it, each domain made
# by build/bin/xenmm-build-pre (xenopsd's build_pre), then xenguest with
# a control pipe.  What the builds left is read back through Xen
# interfaces by build/bin/xg-inspect: the e820 as the guest reads it
# (XENMEM_memory_map as the guest's own identity), the hvm_info table,
# the PVH ACPI tables, HVM params, affinities, scheduler and TSC
# settings, free memory per node.
#   usage: tests/cli/xenguest.sh path/to/xenmm
set -u
X=${1:?usage: $0 path/to/xenmm}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(cd "$(dirname "$X")" && pwd)
lib=$(cd "$bin/../lib" && pwd)
. "$here/lib/tap.sh"
XENSTORED=$root/deps/xen-utils-4.17/usr/lib/xen-4.17/bin/xenstored
HVMLOADER=$root/deps/xen-utils-4.17/usr/lib/xen-4.17/boot/hvmloader
KERNELS=$root/build/debian-tests

if [ ! -x "$XENSTORED" ] || [ ! -f "$HVMLOADER" ] ||
   ! command -v xenstore-write > /dev/null; then
    echo "# SKIP: no xenstored/hvmloader in deps/ or no xenstore-utils; run ./setup.sh --deps-only"
    done_testing
    exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xenmm-xg.XXXXXX")
daemon_pid= xs_pid=
cleanup() {
    [ -n "$xs_pid" ] && kill "$xs_pid" 2> /dev/null
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2> /dev/null
    wait 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
unset XENMM_INPROCESS XENMM_DOMID XENMM_PROC_XEN_DIR XENSTORED_PATH \
      XENGUEST_SYSFS_ROOT XENGUEST_IPXE_PATH XENGUEST_OVMF_PATH
export XENMM_SOCKET=$tmp/xenmmd.sock
export XENSTORED_RUNDIR=$tmp/xenstored
mkdir -p "$XENSTORED_RUNDIR"

wait_for() { local i; for i in $(seq 50); do eval "$1" && return 0; sleep 0.1; done; return 1; }
# A program on the drop-ins, against our xenmmd ($XENMM_SOCKET).
on_xen() { "$X" exec -- "$@"; }
inspect() { on_xen "$bin/xg-inspect" "$@"; }
# A key of an inspect command: inspect_key KEY CMD ARGS...
inspect_key() { local k=$1; shift; inspect "$@" | sed -n "s/^$k=//p"; }
param() { inspect param "$1" "$2"; }
# cpuid_bit DOMID LEAF REG BIT: 1 if the domain's policy has the bit.
cpuid_bit() { echo $(( (0x$(inspect_key "$3" cpuid "$1" "$2") >> $4) & 1 )); }
e820() { "$X" exec --domid "$1" -- "$bin/xg-inspect" e820 | tr '\n' ';'; }
xsr() { xenstore-read "/local/domain/$1/$2" 2> /dev/null; }
node_free() { inspect numa | sed -n "s/^node$1_free=//p"; }

# bp ARGS: xenopsd's build_pre; sets domid, store_port, console_port,
# mem_max_mib, mem_start_mib, ...
bp() {
    local out
    out=$(on_xen "$bin/xenmm-build-pre" "$@") || return 1
    eval "$out"
}
destroy() { on_xen "$bin/xenmm-build-pre" --destroy "$1"; }

# xg MODE IMAGE ARGS...: xenguest for $domid with the build_pre values,
# the control fd on a file; sets rc, ctl (the control output), log.
xg() {
    local mode=$1 image=$2; shift 2
    on_xen "$bin/xenguest" -controloutfd 5 -controlinfd 0 -mode "$mode" \
        -image "$image" -domid "$domid" -store_port "$store_port" \
        -store_domid 0 -console_port "$console_port" -console_domid 0 \
        -mem_max_mib "$mem_max_mib" -mem_start_mib "$mem_start_mib" \
        "$@" 5> "$tmp/ctl" 2> "$tmp/xg.log" < /dev/null
    rc=$?
    ctl=$(cat "$tmp/ctl")
    log=$(cat "$tmp/xg.log")
}
hvm() { xg hvm_build "$HVMLOADER" "$@"; }
pvh() { xg pvh_build "$KERNELS/pvh.elf" -cmdline "console=hvc0" -features "" -flags 0 "$@"; }
pv() { xg linux_build "$KERNELS/pv.elf" -cmdline "console=hvc0" -features "" -flags 0 "$@"; }
ok_result() { [ $rc -eq 0 ] && [ "$ctl" = "result:1044476 1044479" ]; }
failed_with() { [ $rc -eq 1 ] && [[ "$ctl" == "error:$1"* ]]; }

# --- the daemon and xenstored ------------------------------------------------
"$bin/xenmmd" --host small-2n --socket "$XENMM_SOCKET" --ready-fd 3 \
    3> "$tmp/ready" 2> "$tmp/xenmmd.log" &
daemon_pid=$!
wait_for '[ -s "$tmp/ready" ]'
env LD_LIBRARY_PATH="$lib" LD_PRELOAD="$lib/libxenmm-preload.so" \
    "$XENSTORED" --no-fork --pid-file "$XENSTORED_RUNDIR/pid" \
    -T "$tmp/xenstored.trace" > "$tmp/xenstored.log" 2>&1 &
xs_pid=$!
wait_for 'xenstore-read /tool/xenstored > /dev/null 2>&1'
check "xenmmd and xenstored are up" '[ -S "$XENMM_SOCKET" ] && [ -S "$XENSTORED_RUNDIR/socket" ]'

# --- the command line -------------------------------------------------------
check "-supports migration-v2: true" '[ "$("$bin/xenguest" -supports migration-v2)" = true ]'
check "--supports anything else: false, exit 0" '[ "$("$bin/xenguest" --supports foo)" = false ]'
out=$("$bin/xenguest" -mode bogus 2>&1); rc=$?
check "an unknown mode: exit 1" '[ $rc -eq 1 ] && [[ "$out" == *"unrecognized mode '"'"'bogus'"'"'"* ]]'
"$bin/xenguest" -controloutfd 5 -mode hvm_build -domid 1 5> "$tmp/ctl" 2> /dev/null; rc=$?
check "hvm_build without -image etc.: missing command line options" \
    '[ $rc -eq 1 ] && [ "$(cat "$tmp/ctl")" = "error:xenguest: missing command line options" ]'
domid=1 store_port=1 console_port=2 mem_max_mib=64 mem_start_mib=64
xg pvh_build /nonexistent -features "" -flags 0
check "pvh_build without -cmdline: missing options" 'failed_with "xenguest: missing command line options"'
xg linux_build /nonexistent -cmdline "" -features "" -flags 0
check "linux_build without -ramdisk: missing options" 'failed_with "xenguest: missing command line options"'
xg pvh_build /nonexistent -cmdline "" -features "" -flags -1
check "pvh_build with -flags -1: missing options" 'failed_with "xenguest: missing command line options"'
xg save /nonexistent
check "save is not supported here" 'failed_with "xenguest: mode '"'"'save'"'"' not supported"'
out=$("$bin/xenguest" -mode hvm_build -domid 1x 2>&1); rc=$?
check "a non-integer: exit 1" '[ $rc -eq 1 ] && [[ "$out" == *"'"'"'1x'"'"' is not a valid integer"* ]]'
domid=999
hvm
check "a domain that does not exist: error from xc_domain_getinfo" \
    'failed_with "xenguest: xc_domain_getinfo: [3] No such process"'

# --- HVM, 1 GiB, defaults ----------------------------------------------------
bp --type hvm --vcpus 2 --memory 1024 --unset acpi_s3
check "build_pre: an HVM domain, xenopsd's sizes" \
    '[ "$domid" -gt 0 ] && [ "$mem_max_mib" = 1024 ] && [ "$xen_max_mib" = 1025 ] && [ "$shadow_mib" = 10 ]'
hvm -debuglog "$tmp/debug.log" -fake -fork -no_incr_generationid
check "hvm_build: result:<store gfn> <console gfn>" ok_result
check "one line on the control fd" '[ "$(wc -l < "$tmp/ctl")" = 1 ]'
check "-debuglog: the command line, the result, All done" \
    'grep -q "^Command line: -controloutfd 5 -controlinfd 0 -mode hvm_build" "$tmp/debug.log" &&
     grep -q "^Writing to control: '"'"'result:1044476 1044479" "$tmp/debug.log" &&
     [ "$(tail -n 1 "$tmp/debug.log")" = "All done" ]'
check "the log also goes to stderr" '[[ "$log" == *"All done"* ]]'
check "e820: RAM [1 MiB, 1 GiB), nothing else" '[ "$(e820 $domid)" = "100000 3ff00000 1;" ]'
check "vm-data/mmio-hole-size: 256 MiB" '[ "$(xsr $domid vm-data/mmio-hole-size)" = 268435456 ]'
check "no vGPU keys" '[ -z "$(xsr $domid vm-data/vram-reserved-addr)" ]'
check "hvm_info: checksummed, 2 vCPUs online, apic" \
    '[ "$(inspect hvm-info $domid | tr "\n" " ")" = "signature=HVM INFO length=48 checksum_ok=1 apic_mode=1 nr_vcpus=2 low_mem_pgend=0x40000 reserved_mem_pgstart=0xfeff0 high_mem_pgend=0x100000 vcpu_online=00000000000000000000000000000003 " ]'
check "platform/acpi_s3 missing: written as 0" '[ "$(xsr $domid platform/acpi_s3)" = 0 ]'
check "HPET on when platform/hpet is missing" '[ "$(param $domid 11)" = 1 ]'
check "triple fault reason: SHUTDOWN_crash" '[ "$(param $domid 31)" = 3 ]'
check "viridian off" '[ "$(param $domid 9)" = 0 ]'
check "tot_pages: 1 GiB - the VGA hole + 16 special pages" \
    '[ "$(inspect_key tot_pages dominfo $domid)" = $((262144 - 32 + 16)) ]'
check "CPUID: NX and PAE on (platform nx/pae true)" \
    '[ "$(cpuid_bit $domid 0x80000001 edx 20)$(cpuid_bit $domid 1 edx 6)" = 11 ]'
check "credit weight and cap left alone" '[ "$(inspect sched $domid | tr "\n" " ")" = "weight=256 cap=0 " ]'
destroy $domid

# --- HVM, platform keys -------------------------------------------------------
bp --type hvm --vcpus 4 --current 3 --memory 512 --platform acpi=true \
   --platform acpi_s4=5 --platform hpet=0 --platform apic=false \
   --platform tsc_mode=2 --platform vcpu/weight=512 --platform vcpu/cap=0x32 \
   --platform viridian=TRUE --platform viridian_apic_assist=1 \
   --platform viridian_crash_ctl=true --platform x87-fip-width=4 \
   --platform nx=false --unset pae
hvm
check "hvm_build with a set of platform keys" ok_result
check "acpi=true rewritten as 1 (hvmloader_flag)" '[ "$(xsr $domid platform/acpi)" = 1 ]'
check "acpi_s4=5 rewritten as 1" '[ "$(xsr $domid platform/acpi_s4)" = 1 ]'
check "the fix-ups are logged" '[[ "$log" == *"HVMLoader error: Fixing up key '"'"'platform/acpi'"'"' from '"'"'true'"'"' to '"'"'1'"'"'"* ]]'
check "hpet=0: HPET off" '[ "$(param $domid 11)" = 0 ]'
check "hvm_info: apic_mode 0, 4 vCPUs, 3 online" \
    '[ "$(inspect_key apic_mode hvm-info $domid)/$(inspect_key nr_vcpus hvm-info $domid)/$(inspect_key vcpu_online hvm-info $domid)" = 0/4/00000000000000000000000000000007 ]'
check "tsc_mode 2" '[ "$(inspect_key tsc_mode tsc $domid)" = 2 ]'
check "credit weight 512, cap 0x32" '[ "$(inspect sched $domid | tr "\n" " ")" = "weight=512 cap=50 " ]'
check "viridian: base_freq|cpu_hotplug|apic_assist|crash_ctl" '[ "$(param $domid 9)" = $((1 | 4096 | 32 | 64)) ]'
check "CPUID: nx=false and no pae key clear NX and PAE" \
    '[ "$(cpuid_bit $domid 0x80000001 edx 20)$(cpuid_bit $domid 1 edx 6)" = 00 ]'
check "x87-fip-width overrides auto (0) only: this CPU's 8 stays" '[ "$(param $domid 36)" = 8 ]'
destroy $domid

bp --type hvm --vcpus 2 --memory 256 --platform cores-per-socket=3
hvm
check "cores-per-socket must divide vcpu/number" 'failed_with "Bad cores/socket setting: 3 (nr vcpus 2)"'
destroy $domid
bp --type hvm --vcpus 2 --memory 256 --platform featureset=1-2-xyz
hvm
check "a bad featureset fails construct_cpuid_policy" \
    '[ $rc -eq 1 ] && [[ "$ctl" == *"error:Bad '"'"'xyz'"'"' in featureset"* ]] && [[ "$ctl" == *"error:xenguest: construct_cpuid_policy: "* ]]'
destroy $domid
bp --type hvm --vcpus 2 --memory 256
xenstore-write /local/domain/$domid/hvmloader/bios seabios2
hvm
check "hvmloader/bios other than ovmf: unsupported" \
    '[ $rc -eq 1 ] && [[ "$ctl" == *"error:Unsupported bios type '"'"'seabios2'"'"'"* ]]'
destroy $domid
bp --type hvm --vcpus 2 --memory 256
xenstore-write /local/domain/$domid/hvmloader/bios ovmf
head -c 65536 /dev/zero > "$tmp/OVMF.fd"
head -c 4096 /dev/urandom > "$tmp/ipxe.bin"
XENGUEST_OVMF_PATH=$tmp/OVMF.fd XENGUEST_IPXE_PATH=$tmp/ipxe.bin hvm
check "OVMF and iPXE images from the environment" \
    'ok_result && [[ "$log" == *"Loaded OVMF from $tmp/OVMF.fd"* ]]'
destroy $domid
bp --type hvm --vcpus 2 --memory 256
hvm -image /nonexistent
check "a missing image: error from xc_dom_kernel_file" 'failed_with "xenguest: xc_dom_kernel_file: "'
destroy $domid

# --- HVM, PoD: the worked example (4 GiB, 512 MiB start) ----------------------
bp --type hvm --vcpus 2 --memory 4096 --target 512
hvm
check "PoD hvm_build 4096/512" ok_result
check "e820: RAM [1 MiB, 3.75 GiB), RAM [4 GiB, 4.25 GiB)" \
    '[ "$(e820 $domid)" = "100000 eff00000 1;100000000 10000000 1;" ]'
check "hole 256 MiB" '[ "$(xsr $domid vm-data/mmio-hole-size)" = 268435456 ]'
check "hvm_info: low_mem_pgend 0xf0000, high_mem_pgend 0x110000" \
    '[ "$(inspect_key low_mem_pgend hvm-info $domid)/$(inspect_key high_mem_pgend hvm-info $domid)" = 0xf0000/0x110000 ]'
check "only the PoD target is allocated" '[ "$(inspect_key tot_pages dominfo $domid)" -le $((131072 + 16)) ]'
destroy $domid
bp --type hvm --vcpus 2 --memory 1024 --target 512
hvm -pci_passthrough 0000:03:00.0
check "PoD and passthrough: refused" 'failed_with "Populate on Demand and PCI Passthrough are mutually exclusive"'
destroy $domid
bp --type hvm --vcpus 2 --memory 1024 --target 512 --platform nested-virt=true
hvm
check "PoD and nested virt: refused" 'failed_with "Populate on Demand and Nested Virtualisation are mutually exclusive"'
destroy $domid
bp --type hvm --vcpus 2 --memory 1024 --target 512 --platform exp-nested-hvm=1
hvm
check "exp-nested-hvm is the fallback key" 'failed_with "Populate on Demand and Nested Virtualisation"'
destroy $domid

# --- passthrough BARs from a fake sysfs tree ----------------------------------
sysfs=$tmp/sys
mkdev() { # SBDF VENDOR DEVICE RESOURCE-LINES...
    local d=$sysfs/bus/pci/devices/$1; shift
    mkdir -p "$d"
    echo "0x$1" > "$d/vendor"; echo "0x$2" > "$d/device"; shift 2
    printf '%s\n' "$@" > "$d/resource"
}
z="0x0000000000000000 0x0000000000000000 0x0000000000000000"
# A GPU: 16 MiB + 256 MiB + 32 MiB BARs and a 512 KiB ROM (~304.5 MiB).
mkdev 0000:03:00.0 10de 1db6 \
    "0x00000000f0000000 0x00000000f0ffffff 0x0000000000040200" "$z" \
    "0x0000004000000000 0x000000400fffffff 0x000000000014220c" "$z" \
    "0x0000004010000000 0x0000004011ffffff 0x000000000014220c" "$z" \
    "0x00000000f1000000 0x00000000f107ffff 0x000000000004e200"
# A NIC: 1 MiB.
mkdev 0000:04:00.1 8086 1521 \
    "0x00000000f2000000 0x00000000f20fffff 0x0000000000040200" "$z" "$z" "$z" "$z" "$z" "$z"
# AMD's S7150x2 (MxGPU), 64 MiB.
mkdev 0000:05:00.0 1002 692f \
    "0x00000000f4000000 0x00000000f7ffffff 0x0000000000040200" "$z" "$z" "$z" "$z" "$z" "$z"
export XENGUEST_SYSFS_ROOT=$sysfs
bp --type hvm --vcpus 2 --memory 3584 --target 768
hvm -force -pci_passthrough 0000:03:00.0,junk,04:00.1
check "passthrough (-force with PoD), an unparsable entry skipped" ok_result
check "BARs ~305 MiB + 256: the hole doubles to 1 GiB" '[ "$(xsr $domid vm-data/mmio-hole-size)" = 1073741824 ]'
check "e820: RAM [1 MiB, 3 GiB), RAM [4 GiB, 4.5 GiB)" \
    '[ "$(e820 $domid)" = "100000 bff00000 1;100000000 20000000 1;" ]'
check "--force is logged" '[[ "$log" == *"--force in effect - skipping safety checks"* ]]'
destroy $domid
bp --type hvm --vcpus 2 --memory 1024
hvm -pci_passthrough 0000:05:00.0
check "MxGPU: the hole is at least 2 GiB" \
    'ok_result && [ "$(xsr $domid vm-data/mmio-hole-size)" = 2147483648 ] && [ "$(e820 $domid)" = "100000 3ff00000 1;" ]'
destroy $domid
bp --type hvm --vcpus 2 --memory 256
hvm -pci_passthrough 0000:09:00.0
check "a device missing from sysfs: exit" 'failed_with "Cannot open '"'"'$sysfs/bus/pci/devices/0000:09:00.0/resource'"'"'"'
destroy $domid
unset XENGUEST_SYSFS_ROOT

# --- vGPU ---------------------------------------------------------------------
bp --type hvm --vcpus 2 --memory 4096 --target 1024 --platform viridian=1 \
   --platform viridian_time_ref_count=1
hvm -vgpu
check "vGPU hvm_build" ok_result
check "vGPU: a 512 MiB hole" '[ "$(xsr $domid vm-data/mmio-hole-size)" = 536870912 ]'
check "vGPU: VRAM window at 0xfb000000, 16 MiB" \
    '[ "$(xsr $domid vm-data/vram-reserved-addr)" = fb000000 ] && [ "$(xsr $domid vm-data/vram-reserved-size)" = 16777216 ]'
check "vGPU e820: RAM, high RAM, then the VRAM window (unsorted)" \
    '[ "$(e820 $domid)" = "100000 dff00000 1;100000000 20000000 1;fb000000 1000000 2;" ]'
check "vGPU with time_ref_count and no stimer key: stimer (and synic) on" \
    '[ "$(param $domid 9)" = $((1 | 4096 | 4 | 128 | 256)) ]'
destroy $domid
bp --type hvm --vcpus 2 --memory 512 --platform viridian=1 \
   --platform viridian_time_ref_count=1 --platform viridian_stimer=0
hvm -vgpu
check "an explicit viridian_stimer=0 stays off" '[ "$(param $domid 9)" = $((1 | 4096 | 4)) ]'
destroy $domid

# --- placement: vCPU affinity steers the memory -------------------------------
placed() { # NODE: how many of the guest's pages left node NODE's free memory
    echo $(( ${before[$1]} - $(node_free $1) ))
}
# Xen takes clean pages on any allowed node before dirty ones on the
# preferred node (get_free_buddy's two passes), so placement is only
# deterministic once the scrubbers have cleaned what earlier guests left.
wait_scrubbed() {
    local i
    for i in $(seq 200); do
        [ "$(inspect unscrubbed | sed -n 's/^unscrubbed=//p')" = 0 ] && return
        sleep 0.05
    done
}
snapshot() { wait_scrubbed; before=([0]=$(node_free 0) [1]=$(node_free 1)); }
bp --type hvm --vcpus 2 --memory 1024 --platform vcpu/0/affinity=0011 \
   --platform vcpu/1/affinity=0011
snapshot
hvm
check "vCPUs pinned to node 1's CPUs (2, 3)" \
    'ok_result && [ "$(inspect affinity $domid | tr "\n" " ")" = "vcpu0_hard=0c vcpu1_hard=0c node_affinity=02 " ]'
n1=$(placed 1) n0=$(placed 0)
echo "# pinned to node 1: node 1 gave $n1 pages, node 0 gave $n0"
check "the guest's memory came from node 1" '[ $n1 -ge 262128 ] && [ $n0 -lt 4096 ]'
destroy $domid
bp --type hvm --vcpus 2 --memory 1024 --platform vcpu/0/affinity=11 \
   --platform vcpu/1/affinity=1
snapshot
hvm
n1=$(placed 1) n0=$(placed 0)
echo "# pinned to node 0: node 0 gave $n0 pages, node 1 gave $n1"
check "pinned to node 0's CPUs: memory from node 0" '[ $n0 -ge 262128 ] && [ $n1 -lt 4096 ]'
destroy $domid

# --- -mem_pnode ---------------------------------------------------------------
bp --type hvm --vcpus 2 --memory 1024
snapshot
hvm -mem_pnode 1
n1=$(placed 1) n0=$(placed 0)
echo "# -mem_pnode 1: node 1 gave $n1 pages, node 0 gave $n0"
check "-mem_pnode 1: every page from node 1" 'ok_result && [ $n1 -eq 262128 ] && [ $n0 -eq 0 ]'
check "-mem_pnode 1: node affinity 1, vCPU affinity untouched" \
    '[ "$(inspect affinity $domid | tr "\n" " ")" = "vcpu0_hard=0f vcpu1_hard=0f node_affinity=02 " ]'
check "-mem_pnode: exact-node populate logged" '[[ "$log" == *"XENMEMF_exact_node(1)"* ]]'
destroy $domid
bp --type hvm --vcpus 2 --memory 1024 --target 256
snapshot
hvm -mem_pnode 1
n1=$(placed 1) n0=$(placed 0)
echo "# -mem_pnode 1, PoD 256/1024: node 1 gave $n1 pages, node 0 gave $n0"
check "-mem_pnode with PoD: by node affinity" 'ok_result && [ $n1 -ge 65536 ] && [ $n0 -lt 4096 ]'
destroy $domid
bp --type hvm --vcpus 2 --memory 2200 --platform vcpu/0/affinity=0011
snapshot
hvm
n1=$(placed 1) n0=$(placed 0)
echo "# 2200 MiB pinned to node 1: node 1 gave $n1 pages, node 0 gave $n0"
check "affinity is best effort: a guest larger than node 1 spills" 'ok_result && [ $n0 -gt 0 ]'
destroy $domid
bp --type hvm --vcpus 2 --memory 2200
hvm -mem_pnode 1
check "-mem_pnode is exact: a guest larger than node 1 fails" \
    'failed_with "xenguest: xc_dom_boot_mem_init: "'
destroy $domid
bp --type hvm --vcpus 2 --memory 256
hvm -mem_pnode 2
check "-mem_pnode of a node the host lacks" 'failed_with "xenguest: -mem_pnode 2: the host has 2 NUMA nodes"'
destroy $domid
bp --type hvm --vcpus 2 --memory 512 --claim-node 1
check "build_pre: a claim on node 1" '[ "$pnode" = 1 ]'
snapshot
hvm -mem_pnode $pnode
n1=$(placed 1)
check "xenopsd's flow: node claim, then -mem_pnode" 'ok_result && [ $n1 -eq 131056 ]'
destroy $domid

# --- PVH ----------------------------------------------------------------------
echo "module payload" > "$tmp/module"
bp --type pvh --vcpus 4 --current 2 --memory 1024
pvh -module "$tmp/module" -cmdline "module-arg"
check "pvh_build: result:<store gfn> <console gfn>" ok_result
check "PVH e820: RAM from 0, the three ACPI ranges" \
    '[ "$(e820 $domid)" = "0 40000000 1;ff000 1000 3;fc000000 1000 3;fc001000 7000 3;" ]'
acpi=$(inspect acpi $domid)
check "ACPI: RSDP rev 2 at 0xfffc0, checksums" \
    '[[ "$acpi" == "rsdp=RSD PTR  revision=2 checksum_ok=1 xchecksum_ok=1 xsdt=0xfc00"* ]]'
check "ACPI: XSDT, FADT, DSDT, MADT, all checksummed" \
    '[ "$(echo "$acpi" | sed -n "s/^table=\([A-Z]*\) .*checksum_ok=1.*/\1/p" | tr "\n" " ")" = "XSDT FACP DSDT APIC " ]'
check "ACPI: the MADT enables vcpu/current LAPICs" '[[ "$acpi" == *"table=APIC "*" lapics=2"* ]]'
check "PVH writes no hole size" '[ -z "$(xsr $domid vm-data/mmio-hole-size)" ]'
destroy $domid
bp --type pvh --vcpus 1 --memory 4096 --target 512
pvh
check "PVH PoD 4096/512: high RAM above 4 GiB" \
    'ok_result && [ "$(e820 $domid)" = "0 f0000000 1;ff000 1000 3;fc000000 1000 3;fc001000 7000 3;100000000 10000000 1;" ]'
destroy $domid
bp --type pvh --vcpus 1 --memory 256
pvh -pci_passthrough 0000:03:00.0
check "PVH refuses passthrough" 'failed_with "PCI passthrough not supported under PVH"'
destroy $domid

# --- PV -----------------------------------------------------------------------
bp --type pv --vcpus 2 --memory 512 --target 256
pv -ramdisk ""
check "linux_build: result:<store mfn> <console mfn> x86_64-abi" \
    '[ $rc -eq 0 ] && [[ "$ctl" =~ ^result:[0-9]+\ [0-9]+\ x86_64-abi$ ]]'
check "PV: only the start size is built" \
    '[ "$(inspect_key tot_pages dominfo $domid)" = 65536 ] && [ "$(inspect_key max_pages dominfo $domid)" = 131072 ]'
destroy $domid
head -c 100000 /dev/urandom > "$tmp/initrd"
bp --type pv --vcpus 1 --memory 256
snapshot
pv -ramdisk "$tmp/initrd" -mem_pnode 1
n1=$(placed 1) n0=$(placed 0)
echo "# PV -mem_pnode 1: node 1 gave $n1 pages, node 0 gave $n0"
check "PV with a ramdisk and -mem_pnode 1: all on node 1" '[ $rc -eq 0 ] && [ $n1 -ge 65536 ] && [ $n0 -eq 0 ]'
destroy $domid

# --- teardown -----------------------------------------------------------------
check "no domain left in xenstore" '[ -z "$(xenstore-list /local/domain)" ]'
kill "$xs_pid"; wait "$xs_pid" 2> /dev/null; xs_pid=
kill "$daemon_pid"; wait "$daemon_pid"; rc=$?
daemon_pid=
check "xenmmd exits 0" '[ $rc -eq 0 ]'
check "no client was dropped for a bad request" '! grep -q "dropping a client" "$tmp/xenmmd.log"'

done_testing
