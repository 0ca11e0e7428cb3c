#!/usr/bin/env bash
# The package check: what a .NET user does with this repository's packages, from a local feed.
#   1. `dotnet pack` every packable project into tests/packaging/feed (libraries net8.0 + net10.0, symbols, the tool);
#   2. installs the `condinst` .NET tool from the feed into a temporary tool path, runs `condinst devices`, uninstalls;
#   3. builds and runs tests/packaging/net10.0 (framework-dependent) and tests/packaging/net8.0 (self-contained: the
#      8.0 runtime pack comes from nuget.org, this machine need not have the 8.0 runtime); each predicts
#      weights/shapes/demo_1.png with weights/shapes/shapes.pth on cpu, and both must print the same detections;
#   4. builds tests/packaging/cpu-only (ILGPU excluded from its output), checks that no ILGPU assembly is in its
#      output folder, that it reports the ILGPU devices as absent, and that its detections equal the others'.
# Needs nuget.org for third-party packages (cached in tests/packaging/packages after the first run).
# Prints one line per step and "package check: passed" or "package check: FAILED: <step>"; exit 0 only on pass.
# Usage: .ci/package-check.sh [--no-build]   (--no-build: pack what `dotnet build CondInst.Kernels.sln -c Release` made)
# To hook into test.sh after its build: .ci/package-check.sh --no-build || problems+=("package check failed (output above)")
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd -P)"
PKG="$REPO/tests/packaging"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The private packages folder of tests/packaging/nuget.config, also for `dotnet tool install`. This repository's
# packages are removed from it first: a re-packed 0.1.0 must never be taken from a cache.
export NUGET_PACKAGES="$PKG/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
case "$(uname -m)" in x86_64) RID=linux-x64 ;; aarch64) RID=linux-arm64 ;; *) RID="linux-$(uname -m)" ;; esac
WEIGHTS="$REPO/weights/shapes/shapes.pth"
IMAGE="$REPO/weights/shapes/demo_1.png"
LOG="$WORK/log"

step() { echo "== package check: $*"; }
fail() {
    echo "package check: FAILED: $*" >&2
    [[ ! -s "$LOG" ]] || tail -n 40 "$LOG" | sed 's/^/  | /' >&2
    exit 1
}
run() { "$@" >"$LOG" 2>&1; }

step "pack into tests/packaging/feed"
rm -rf "$PKG/feed" "$PKG"/packages/condinst*
run dotnet pack CondInst.Kernels.sln -c Release -nologo -o "$PKG/feed" "$@" || fail "dotnet pack"
for id in CondInst.Kernels CondInst.Kernels.Engine CondInst.Kernels.Importer CondInst.Kernels.Ilgpu CondInst.Kernels.Coco condinst; do
    ls "$PKG/feed/$id".[0-9]*.nupkg >/dev/null 2>&1 || fail "no $id package in the feed"
    ls "$PKG/feed/$id".[0-9]*.snupkg >/dev/null 2>&1 || fail "no $id symbols package (snupkg) in the feed"
done
for id in CondInst.Kernels CondInst.Kernels.Engine CondInst.Kernels.Importer CondInst.Kernels.Ilgpu CondInst.Kernels.Coco; do
    files="$(unzip -l "$PKG/feed/$id".[0-9]*.nupkg)"
    for tfm in net8.0 net10.0; do grep -q " lib/$tfm/" <<<"$files" || fail "$id has no lib/$tfm"; done
    grep -q " README.md$" <<<"$files" || fail "$id has no readme"
done

step "dotnet tool install condinst (from the feed), condinst devices, uninstall"
TOOLS="$WORK/tools"
# The feed comes in through nuget.config (its source mapping sends condinst there; --add-source cannot be combined
# with source mapping).
run dotnet tool install --tool-path "$TOOLS" --configfile "$PKG/nuget.config" condinst ||
    fail "dotnet tool install condinst"
run "$TOOLS/condinst" devices || fail "condinst devices (exit $?)"
grep -q '^cpu ' "$LOG" || fail "condinst devices did not list cpu"
sed 's/^/  /' "$LOG"
run dotnet tool uninstall --tool-path "$TOOLS" condinst || fail "dotnet tool uninstall condinst"
[[ ! -e "$TOOLS/condinst" ]] || fail "condinst still installed after uninstall"

predict() { # name, command...: runs an app, checks its runtime line, keeps its instance lines
    local name="$1"; shift
    run "$@" "$WEIGHTS" "$IMAGE" || fail "$name app (exit $?)"
    grep '^instance ' "$LOG" >"$WORK/$name.instances" || fail "$name app printed no instance"
    echo "  $name: $(head -n1 "$LOG"), $(wc -l <"$WORK/$name.instances") instances"
    cp "$LOG" "$WORK/$name.log"
}

step "net10.0 app (framework-dependent)"
run dotnet build "$PKG/net10.0" -c Release -nologo -o "$WORK/net10" || fail "build of the net10.0 app"
predict net10 "$WORK/net10/PackagedNet10"
grep -q '^runtime 10\.' "$WORK/net10.log" || fail "the net10.0 app did not run on .NET 10"

step "net8.0 app (self-contained, $RID)"
run dotnet publish "$PKG/net8.0" -c Release -nologo -r "$RID" --self-contained -o "$WORK/net8" || fail "publish of the net8.0 app"
predict net8 "$WORK/net8/PackagedNet8"
grep -q '^runtime 8\.' "$WORK/net8.log" || fail "the net8.0 app did not run on .NET 8"
diff "$WORK/net10.instances" "$WORK/net8.instances" >"$LOG" || fail "net8.0 and net10.0 detections differ"

step "cpu-only app (no ILGPU assemblies)"
run dotnet build "$PKG/cpu-only" -c Release -nologo -o "$WORK/cpu" || fail "build of the cpu-only app"
ilgpu="$(cd "$WORK/cpu" && ls ILGPU*.dll CondInst.Kernels.Ilgpu.dll 2>/dev/null || true)"
[[ -z "$ilgpu" ]] || fail "the cpu-only output folder holds ILGPU assemblies: $ilgpu"
predict cpu-only "$WORK/cpu/PackagedCpuOnly"
grep -q 'ILGPU assemblies absent' "$WORK/cpu-only.log" || fail "the cpu-only app did not report the ILGPU devices as absent"
diff "$WORK/net10.instances" "$WORK/cpu-only.instances" >"$LOG" || fail "cpu-only and net10.0 detections differ"

echo "package check: passed"
