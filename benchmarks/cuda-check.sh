#!/usr/bin/env bash
# The CUDA check, in one go, for a GPU machine WITHOUT .NET. Run from the repository root with the bundle that
# benchmarks/cuda-pack.sh builds (publish/cuda-bundle.tar.xz: self-contained tests, condinst CLI and benchmarks):
#
#   OUT=/some/dir benchmarks/cuda-check.sh
#
# Everything lands under $OUT (default /tmp/cuda-check-out):
#   system.txt          nvidia-smi, CPU, what the engine sees (condinst devices)
#   tests.log/.trx      the whole test suite with CONDINST_REQUIRE_DEVICES=cuda (a missing CUDA device fails)
#   tests-summary.txt   passed/failed/skipped per backend
#   bench-cuda.txt      condinst bench on r50-random at 1333x800 on cuda (last line: e2e_ms median=… min=… max=…)
#   kernels.log, kernels/results/*   BenchmarkDotNet kernel benchmarks on cuda (markdown, csv)
#   status.txt          one line per step: name, exit code, seconds
# Steps run in that order, each under its own timeout (CHECK_TESTS_S, CHECK_BENCH_S, CHECK_KERNELS_S), and a failed
# step does not stop the later ones. The exit code is the number of failed steps.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/cuda-check-out}"
BUNDLE="${BUNDLE:-publish/cuda-bundle.tar.xz}"
mkdir -p "$OUT"
status="$OUT/status.txt"
: > "$status"
failures=0

step() { # step NAME TIMEOUT_S LOGFILE COMMAND...
    local name=$1 limit=$2 log=$3 start rc
    shift 3
    start=$(date +%s)
    echo "== $name (limit ${limit}s) -> $log"
    timeout --kill-after=10 "$limit" "$@" > "$log" 2>&1
    rc=$?
    echo "$name rc=$rc seconds=$(( $(date +%s) - start ))" | tee -a "$status"
    tail -n 5 "$log"
    (( rc == 0 )) || failures=$((failures + 1))
}

# 1. Unpack (xz, or Python's lzma where xz is missing).
work=$(mktemp -d /tmp/cuda-check.XXXXXX)
if [[ ! -f "$BUNDLE" ]]; then
    echo "bundle $BUNDLE not found: build it with benchmarks/cuda-pack.sh and carry it" | tee -a "$status"
    exit 1
fi
if command -v xz > /dev/null; then
    tar -C "$work" -xJf "$BUNDLE"
else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$BUNDLE" "$work"
fi
bin="$work/cuda-bundle"
ln -s "$PWD/tests/CondInst.Kernels.Tests/Fixtures" "$bin/Fixtures" # the tests read their fixtures next to themselves
chmod +x "$bin/condinst" "$bin/CondInst.Kernels.Tests" "$bin/CondInst.Kernels.Benchmarks"

# ILGPU opens the driver as libcuda.so; containers often ship only libcuda.so.1.
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so '; then
    so1=$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 /{print $NF; exit}')
    [[ -n "$so1" ]] || so1=$(ls /usr/lib/x86_64-linux-gnu/libcuda.so.1 /usr/lib64/libcuda.so.1 /usr/local/nvidia/lib64/libcuda.so.1 2>/dev/null | head -n 1)
    if [[ -n "$so1" ]]; then
        mkdir -p "$work/lib" && ln -sf "$so1" "$work/lib/libcuda.so"
        export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
fi

# FP32 (non-tensor-core) peak for the kernel table's % peak column, from the board name.
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
case "$gpu" in
    *H100*PCIe*) export CONDINST_GPU_PEAK_GFLOPS=51200 ;;
    *H100*NVL*) export CONDINST_GPU_PEAK_GFLOPS=60000 ;;
    *H100*|*H200*) export CONDINST_GPU_PEAK_GFLOPS=66900 ;;
esac
{
    echo "date: $(date -u +%FT%TZ)"
    echo "gpu: $gpu (FP32 peak used: ${CONDINST_GPU_PEAK_GFLOPS:-unknown} GFLOP/s)"
    nvidia-smi 2>&1
    echo; grep -m1 'model name' /proc/cpuinfo; echo "cpus: $(nproc)"
    echo; "$bin/condinst" devices 2>&1
} > "$OUT/system.txt"
cat "$OUT/system.txt" | head -n 3

# 2. Tests: every test, CUDA required.
step tests "${CHECK_TESTS_S:-240}" "$OUT/tests.log" \
    env CONDINST_REQUIRE_DEVICES=cuda "$bin/CondInst.Kernels.Tests" -noColor -noLogo -trx "$OUT/tests.trx"
if command -v awk > /dev/null && [[ -f "$OUT/tests.trx" ]]; then
    awk -v root_files=0 -f .ci/trx-summary.awk "$OUT/tests.trx" > "$OUT/tests-summary.txt" 2>&1 </dev/null
    cat "$OUT/tests-summary.txt"
fi

# 3. End to end on the R-50 shapes at 1333x800 (padded 1344x800).
step bench "${CHECK_BENCH_S:-150}" "$OUT/bench-cuda.txt" \
    "$bin/condinst" bench --weights r50-random --image synthetic:1333x800 --device cuda --runs 10 --warmup 2

# 4. Kernel benchmarks on cuda (in-process: no SDK here to build BenchmarkDotNet's usual child projects).
step kernels "${CHECK_KERNELS_S:-180}" "$OUT/kernels.log" \
    env CONDINST_BENCH_BACKENDS=cuda "$bin/CondInst.Kernels.Benchmarks" --filter '*.Run' --job short --inProcess --artifacts "$OUT/kernels"

rm -rf "$work"
echo "== done: $failures failed step(s); results in $OUT"
exit "$failures"
