#!/usr/bin/env bash
# Creates a minimal Debian trixie root that holds an OpenCL device ILGPU 1.5.3 accepts (PoCL 6).
#
# Usage: .ci/opencl-root.sh [ROOT]
#   ROOT defaults to $CONDINST_OPENCL_ROOT, else /var/tmp/condinst-opencl-root (outside the repository).
#   CONDINST_DEBIAN_MIRROR overrides the mirror (default: the host's Debian mirror from its apt sources).
#
# Why: ILGPU 1.5.3 refuses Debian 12's PoCL 3.1 (no OpenCL generic address space) and accepts trixie's
# PoCL 6. The root is made once with debootstrap and reused: a complete root holds the file READY, and a
# run that finds READY does nothing. An incomplete root (no READY, e.g. an interrupted run) is removed and
# made again. Needs real root privileges (debootstrap, mount, chroot) and the Debian mirror.
# Prints the PoCL version and fails unless clinfo reports generic address space support.
set -euo pipefail

ROOT="${1:-${CONDINST_OPENCL_ROOT:-/var/tmp/condinst-opencl-root}}"
SUITE=trixie
PACKAGES=(pocl-opencl-icd ocl-icd-opencl-dev clinfo)
HERE="$(cd "$(dirname "$0")" && pwd -P)"

log() { echo "opencl-root: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# The host's Debian mirror: the first deb URI whose suite is the host's own codename
# (deb822 .sources stanzas and one-line .list entries), so CI uses whatever mirror the machine is set up with.
host_mirror() {
    local codename
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    [[ -n "$codename" ]] || return 0
    {
        for f in /etc/apt/sources.list.d/*.sources; do
            [[ -f "$f" ]] || continue
            awk -v RS= -v c="$codename" '{
                types = ""; uris = ""; suites = ""
                n = split($0, lines, "\n")
                for (i = 1; i <= n; i++) {
                    line = lines[i]
                    if (line ~ /^Types:/) types = substr(line, 7)
                    else if (line ~ /^URIs:/) uris = substr(line, 6)
                    else if (line ~ /^Suites:/) suites = substr(line, 8)
                }
                if (types !~ /(^| )deb( |$)/) next
                ns = split(suites, s, " "); nu = split(uris, u, " ")
                for (i = 1; i <= ns; i++) if (s[i] == c && nu > 0) { print u[1]; next }
            }' "$f"
        done
        cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            sed -e 's/\[[^]]*\]//' | awk -v c="$codename" '$1 == "deb" && $3 == c { print $2 }'
    } | grep -E '^https?://' | head -n 1 || true
}

mounted_under() { findmnt -rn -o TARGET | awk -v r="$1" 'index($0, r "/") == 1 || $0 == r'; }

if [[ -f "$ROOT/READY" ]]; then
    log "reusing $ROOT ($(cat "$ROOT/READY"))"
    exit 0
fi

[[ "$(id -u)" == 0 ]] || die "needs root privileges (debootstrap, mount, chroot); running as $(id -un)"

# One maker at a time; a run that waited here finds the root made by the other.
mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
flock 9
if [[ -f "$ROOT/READY" ]]; then
    log "reusing $ROOT, made meanwhile by another run ($(cat "$ROOT/READY"))"
    exit 0
fi

started=$SECONDS
if [[ -e "$ROOT" ]]; then
    # Never delete through a mount: a bind-mounted repository or .NET install would go with it.
    [[ -z "$(mounted_under "$ROOT")" ]] || die "$ROOT is incomplete but has mounts under it: $(mounted_under "$ROOT" | tr '\n' ' ')"
    log "removing incomplete root $ROOT (no READY)"
    rm -rf --one-file-system "$ROOT"
fi

if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap on the host"
    export DEBIAN_FRONTEND=noninteractive
    # Waits for the dpkg lock instead of failing when another apt run is in progress.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >/dev/null
fi

MIRROR="${CONDINST_DEBIAN_MIRROR:-$(host_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
log "debootstrap $SUITE from $MIRROR into $ROOT"
t=$SECONDS
mkdir -p "$ROOT"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
    {
        tail -n 30 "$ROOT.debootstrap.log" >&2
        die "debootstrap failed (full log: $ROOT.debootstrap.log)"
    }
rm -f "$ROOT.debootstrap.log"
log "debootstrap took $((SECONDS - t)) s"

t=$SECONDS
log "installing ${PACKAGES[*]} inside"
"$HERE/opencl-run.sh" --root "$ROOT" --system-only --setup sh -ec "
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends ${PACKAGES[*]} >/dev/null
    apt-get clean
    rm -rf /var/lib/apt/lists/*"
log "package install took $((SECONDS - t)) s"

# shellcheck disable=SC2016 # ${Version} is dpkg-query's format, not a shell expansion
pocl="$("$HERE/opencl-run.sh" --root "$ROOT" --system-only --setup dpkg-query -W -f '${Version}' pocl-opencl-icd)"
log "dpkg-query -W pocl-opencl-icd: $pocl"
# Captured, then matched: `clinfo | grep -q` under pipefail fails falsely when grep closes the pipe early.
info="$("$HERE/opencl-run.sh" --root "$ROOT" --system-only --setup clinfo)" || die "clinfo failed inside $ROOT"
grep -q 'Generic address space support *Yes' <<<"$info" ||
    {
        echo "$info" >&2
        die "the OpenCL device in $ROOT lacks generic address space support (ILGPU needs it)"
    }
log "clinfo: $(grep -m1 'Device Name' <<<"$info" | sed 's/  */ /g')"
log "clinfo: $(grep -m1 'Generic address space support' <<<"$info" | sed 's/  */ /g')"

echo "Debian $SUITE, PoCL $pocl, made $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$ROOT/READY"
log "ready in $((SECONDS - started)) s: $ROOT ($(du -sh --one-file-system "$ROOT" | cut -f1))"
