#!/usr/bin/env bash
# Builds the bundle that benchmarks/cuda-check.sh runs on a GPU machine without .NET: the test runner, the condinst
# CLI and the benchmarks executable, published self-contained for linux-x64 into ONE folder (they share the runtime
# and every dependency, so it is stored once), compressed with xz. Output: publish/cuda-bundle.tar.xz, which must
# stay under 64 MiB (the limit on what a device run can carry); the script fails if it does not.
#   benchmarks/cuda-pack.sh            # build + pack
#   benchmarks/cuda-pack.sh --smoke    # also unpack into /tmp and run the bundle's cpu bench here, as the GPU box would
set -euo pipefail
cd "$(dirname "$0")/.."
limit_mib=60   # headroom under the 64 MiB carry limit
stage=publish/cuda-bundle
rm -rf "$stage" publish/cuda-bundle.tar.xz
mkdir -p "$stage"
# Release, self-contained, no symbols, English-only satellite resources (the rest are dead weight here).
opts=(-c Release -r linux-x64 --self-contained true -p:DebugType=none -p:SatelliteResourceLanguages=en -p:UseAppHost=true -o "$stage")
for project in tests/CondInst.Kernels.Tests src/CondInst.Kernels.Cli benchmarks/CondInst.Kernels.Benchmarks; do
    echo "== publish $project"
    dotnet publish "$project" "${opts[@]}" -nologo -v:q
done
# Native ONNX Runtime for other platforms and BenchmarkDotNet's Windows-only helpers are never used on linux-x64.
# Also gone: XML documentation (IDEs only), the Windows onnxruntime.dll, code-coverage collectors and their per-OS
# folders (VSTest only; the bundle runs xunit's own in-process runner), BenchmarkDotNet's disassembler library, and
# the test fixtures, which the GPU box has in its copy of the repository (cuda-check.sh links them back in).
rm -rf "$stage"/runtimes/{win,osx,android,ios,linux-arm,linux-arm64,linux-musl}* "$stage"/amd64 "$stage"/arm64 "$stage"/x86 \
    "$stage"/*.xml "$stage"/onnxruntime.dll "$stage"/CodeCoverage "$stage"/alpine "$stage"/ubuntu "$stage"/macos \
    "$stage"/libcapstone.so "$stage"/Fixtures 2>/dev/null || true
cp benchmarks/cuda-check.sh "$stage"/
echo "== compress"
tar -C publish -cf - cuda-bundle | xz -T0 -9e > publish/cuda-bundle.tar.xz
bytes=$(stat -c %s publish/cuda-bundle.tar.xz)
echo "publish/cuda-bundle.tar.xz: $((bytes / 1024 / 1024)) MiB ($bytes bytes), unpacked $(du -sm "$stage" | cut -f1) MiB"
if (( bytes > limit_mib * 1024 * 1024 )); then
    echo "error: the bundle is over ${limit_mib} MiB; it would not fit the 64 MiB carry" >&2
    exit 1
fi
if [[ "${1:-}" == "--smoke" ]]; then
    # The GPU box has no .NET: run the unpacked bundle with no dotnet on PATH and DOTNET_ROOT unset.
    smoke=$(mktemp -d /tmp/cuda-bundle-smoke.XXXXXX)
    tar -C "$smoke" -xJf publish/cuda-bundle.tar.xz
    ln -s "$PWD/tests/CondInst.Kernels.Tests/Fixtures" "$smoke/cuda-bundle/Fixtures"
    env -u DOTNET_ROOT PATH=/usr/bin:/bin "$smoke"/cuda-bundle/CondInst.Kernels.Tests -noLogo -noColor -class 'CondInst.Kernels.Tests.Benchmarks.*' -class 'CondInst.Kernels.Tests.Model.Network.ArchitectureTests'
    env -u DOTNET_ROOT PATH=/usr/bin:/bin "$smoke"/cuda-bundle/condinst bench --weights r50-random --image synthetic:1333x800 --device cpu --runs 1 --warmup 0
    rm -rf "$smoke"
fi
