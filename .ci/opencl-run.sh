#!/usr/bin/env bash
# Runs a command inside the OpenCL root made by .ci/opencl-root.sh.
#
# Usage: .ci/opencl-run.sh [--root ROOT] [--system-only] [--setup] CMD [ARGS...]
#   --root ROOT     the root (default: $CONDINST_OPENCL_ROOT, else /var/tmp/condinst-opencl-root)
#   --system-only   mount only proc, sys and dev (used while the root is being made)
#   --setup         do not require the root's READY marker (used while the root is being made)
#   CONDINST_OPENCL_NS=0 keeps the mounts in the host's mount namespace (no unshare)
# Example: .ci/opencl-run.sh dotnet test tests/CondInst.Kernels.Tests -c Release --no-build
#
# Mounts proc, sys and dev (rbind, then make-rslave so unmounting never propagates back to the host), and
# bind-mounts at the SAME paths the repository, the .NET install (/usr/share/dotnet) and the NuGet caches
# ($HOME/.nuget, /opt/nuget and $NUGET_PACKAGES where present): build outputs hold absolute paths. The
# command runs as root with a clean environment (the minimal root has no ICU, hence invariant globalization),
# with the working directory at the repository's path. Only CI, CONDINST_*, NUGET_* and DOTNET_* variables
# pass through. Everything is unmounted with `umount -R` in an EXIT trap, also on failure, and findmnt must
# then show nothing left under ROOT. Where the kernel allows it, the whole run also happens in a private
# mount namespace, so concurrent runs against the same root never see each other's mounts. The command runs
# in its own process group; what is left of that group when the command ends (e.g. a background child) is
# stopped before unmounting, as it would keep the mounts busy. Nothing outside that group is ever signalled.
# Exit status: the command's, or 1 when the root is missing or a mount could not be undone.
set -euo pipefail

ROOT="${CONDINST_OPENCL_ROOT:-/var/tmp/condinst-opencl-root}"
SYSTEM_ONLY=0
SETUP=0
ARGS=("$@")
while [[ $# -gt 0 ]]; do
    case "$1" in
    --root)
        ROOT="$2"
        shift 2
        ;;
    --system-only)
        SYSTEM_ONLY=1
        shift
        ;;
    --setup)
        SETUP=1
        shift
        ;;
    --)
        shift
        break
        ;;
    *) break ;;
    esac
done

log() { echo "opencl-run: $*" >&2; }
[[ $# -gt 0 ]] || {
    log "usage: $0 [--root ROOT] [--system-only] [--setup] CMD [ARGS...]"
    exit 2
}
[[ "$(id -u)" == 0 ]] || {
    log "needs root privileges (mount, chroot); running as $(id -un)"
    exit 1
}
ROOT="$(cd "$ROOT" 2>/dev/null && pwd -P)" || {
    log "no OpenCL root at ${ROOT}: make it with .ci/opencl-root.sh"
    exit 1
}
[[ "$SETUP" == 1 || -f "$ROOT/READY" ]] || {
    log "$ROOT is not complete (no READY): make it with .ci/opencl-root.sh"
    exit 1
}

# Re-run in a private mount namespace where possible (see the header); CONDINST_OPENCL_NS=1 marks the
# re-run, 0 turns this off. No --fork: this same process goes on, so signals reach it and its EXIT trap.
# The trap unmounts everything in both cases.
if [[ -z "${CONDINST_OPENCL_NS:-}" ]] && unshare --mount --propagation private true 2>/dev/null; then
    CONDINST_OPENCL_NS=1 exec unshare --mount --propagation private "$0" "${ARGS[@]}"
fi

REPO="$(cd "$(dirname "$0")/.." && pwd -P)"
DOTNET_DIR="$(dirname "$(readlink -f "$(command -v dotnet || echo /usr/share/dotnet/dotnet)")")"
HOST_HOME="${HOME:-/root}"

MOUNTED=()
PGID=""
# shellcheck disable=SC2317 # called by cleanup
group_members() { # group_members PGID: "pid(comm)" of each live process in the process group
    local q stat rest fields
    for q in /proc/[0-9]*; do
        read -r stat 2>/dev/null <"$q/stat" || continue
        rest="${stat##*) }" # after the command name, which may hold spaces: state ppid pgrp ...
        read -ra fields <<<"$rest"
        [[ "${fields[2]}" == "$1" && "${fields[0]}" != Z ]] || continue
        stat="${stat#* (}"
        echo "${q#/proc/}(${stat%%) *})"
    done
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local rc=$? i left
    # The command runs in its own process group: what is left of it (e.g. a background child) is ours.
    # Zombies (exited, not yet reaped by init) hold nothing and are not counted.
    if [[ -n "$PGID" ]]; then
        left="$(group_members "$PGID")"
        if [[ -n "$left" ]]; then
            log "stopping what is left of the command: ${left//$'\n'/ }"
            kill -TERM -- "-$PGID" 2>/dev/null || true
            sleep 1
        fi
    fi
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -R "${MOUNTED[i]}" 2>/dev/null || {
            sleep 1
            umount -R "${MOUNTED[i]}" || log "could not unmount ${MOUNTED[i]}"
        }
    done
    left="$(findmnt -rn -o TARGET | awk -v r="$ROOT" 'index($0, r "/") == 1 || $0 == r')"
    if [[ -n "$left" ]]; then
        log "still mounted after cleanup: $(tr '\n' ' ' <<<"$left")"
        rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
# Bash runs traps only between commands, so the command runs in the background and is waited for; a signal
# then ends the wait at once, and cleanup stops the command's process group.
trap 'exit 130' INT
trap 'exit 143' TERM

bind() { # bind SOURCE: mount SOURCE at the same path inside ROOT
    local src
    src="$(readlink -f "$1")"
    mkdir -p "$ROOT$src"
    mount --bind "$src" "$ROOT$src"
    MOUNTED+=("$ROOT$src")
}

mount -t proc proc "$ROOT/proc"
MOUNTED+=("$ROOT/proc")
for d in sys dev; do
    mount --rbind "/$d" "$ROOT/$d"
    MOUNTED+=("$ROOT/$d")
    mount --make-rslave "$ROOT/$d"
done

WORKDIR=/
if [[ "$SYSTEM_ONLY" == 0 ]]; then
    bind "$DOTNET_DIR"
    bind "$REPO"
    mkdir -p "$HOST_HOME/.nuget"
    bind "$HOST_HOME/.nuget"
    [[ -d /opt/nuget ]] && bind /opt/nuget
    if [[ -n "${NUGET_PACKAGES:-}" && -d "$NUGET_PACKAGES" ]]; then
        case "$(readlink -f "$NUGET_PACKAGES")/" in
        "$(readlink -f "$HOST_HOME/.nuget")"/* | /opt/nuget/* | "$REPO"/*) ;;
        *) bind "$NUGET_PACKAGES" ;;
        esac
    fi
    mkdir -p "$ROOT$HOST_HOME"
    WORKDIR="$REPO"
fi

ENVS=(
    "PATH=$DOTNET_DIR:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    "HOME=$HOST_HOME"
    "LANG=C.UTF-8"
    "DOTNET_ROOT=$DOTNET_DIR"
    "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1"
    "DOTNET_CLI_TELEMETRY_OPTOUT=1"
    "DOTNET_NOLOGO=1"
    "DOTNET_CLI_USE_MSBUILD_SERVER=0"
    "MSBUILDDISABLENODEREUSE=1"
)
while IFS='=' read -r name _; do
    case "$name" in
    CONDINST_OPENCL_NS) ;;
    CI | CONDINST_* | NUGET_* | DOTNET_*) ENVS+=("$name=${!name}") ;;
    esac
done < <(env | grep -E '^[A-Za-z_][A-Za-z0-9_]*=' || true)
[[ -n "${TERM:-}" ]] && ENVS+=("TERM=$TERM")

# setsid: a new process group whose id is the child's pid ($!), so cleanup can stop exactly what it started.
# Job control stays off, so the background child is no group leader and setsid need not fork (pgid == $!).
set +m
setsid chroot "$ROOT" /usr/bin/env -i -C "$WORKDIR" "${ENVS[@]}" "$@" &
PGID=$!
rc=0
wait "$PGID" || rc=$?
exit "$rc"
