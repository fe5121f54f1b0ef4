#!/usr/bin/env bash
# setup.sh - everything a fresh Debian 12 machine needs for xenmm, in one go:
#
#   ./setup.sh               install the Debian packages, build, and run
#                            `build/bin/xenmm run`: four VMs started on the
#                            default host, and where their memory went
#   ./setup.sh --deps-only   install the Debian packages (and extract
#                            hvmloader and xenstored) only; CI uses this
#
# Safe to run again: packages already installed are not reinstalled, and
# when nothing is missing apt is not touched at all (so no root is needed).
# Installing runs as root, or through sudo when started by another user.
set -euo pipefail

# Every Debian package the project needs (keep README.md in step):
#   build-essential  gcc, make, libc headers; gcc brings libasan/libubsan
#                    for the sanitizer half of `make check`
#   pkg-config       library flags
#   libjansson-dev   JSON host files and `xenmm hostinfo --json`
#   libxen-dev       Xen 4.17's public headers and libraries (the ABI the
#                    drop-in libraries and the daemon will speak)
#   python3          the CLI tests parse JSON output with it
#   xenstore-utils   xenstore-read/write/ls, run against xenstored on xenmmd
#   libxenstore4     libxenstore (xenstore-utils and xenguest use it)
PACKAGES=(build-essential pkg-config libjansson-dev libxen-dev python3
          xenstore-utils libxenstore4)
# Extracted, not installed (installing would pull in the hypervisor and a
# bootloader): hvmloader and xenstored from xen-utils-4.17, into deps/.
EXTRACT=(xen-utils-4.17)

deps_only=false
for arg in "$@"; do
    case "$arg" in
    --deps-only) deps_only=true ;;
    -h|--help)
        sed -n '2,9s/^# \{0,1\}//p' "$0"
        exit 0 ;;
    *)
        echo "setup.sh: unknown option '$arg' (try --help)" >&2
        exit 2 ;;
    esac
done

cd "$(dirname "$0")"

missing_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
             grep -q '^install ok installed$'; then
            echo "$p"
        fi
    done
}

install_packages() {
    local -a missing sudo=()

    if ! command -v apt-get > /dev/null || ! command -v dpkg-query > /dev/null; then
        echo "setup.sh: apt-get and dpkg-query not found; xenmm expects Debian 12" >&2
        echo "setup.sh: install by hand: ${PACKAGES[*]}" >&2
        exit 1
    fi
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "setup.sh: all packages present: ${PACKAGES[*]}"
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo > /dev/null; then
            echo "setup.sh: need root to install: ${missing[*]} (run as root, or install sudo)" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    echo "setup.sh: installing: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# deps/<package>/ holds the package's files; deps/<package>/.version its
# version, so a newer package is extracted again.
extract_packages() {
    local p want have deb
    mkdir -p deps
    for p in "${EXTRACT[@]}"; do
        want=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
        have=$(cat "deps/$p/.version" 2>/dev/null || true)
        if [ -n "$have" ] && { [ -z "$want" ] || [ "$want" = "(none)" ] || [ "$want" = "$have" ]; }; then
            continue
        fi
        echo "setup.sh: extracting $p into deps/$p"
        rm -rf "deps/$p" deps/*.deb
        if ! (cd deps && apt-get download -q "$p" > /dev/null 2>&1); then
            install_packages_update
            (cd deps && apt-get download -q "$p")
        fi
        deb=$(ls deps/"${p}"_*.deb)
        dpkg-deb -x "$deb" "deps/$p"
        dpkg-deb -f "$deb" Version > "deps/$p/.version"
        rm -f "$deb"
    done
}

install_packages_update() {
    local -a sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
}

install_packages
extract_packages
if $deps_only; then
    exit 0
fi

make -j"$(nproc 2>/dev/null || echo 2)"
echo "setup.sh: build done; four VMs started on the default host (xenmm run):"
build/bin/xenmm run
