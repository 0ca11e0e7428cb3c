#!/usr/bin/env bash
# Re-measures everything benchmarks/RESULTS.md reports, on this machine, into benchmarks/results/:
#   machine.txt                 CPU, clock, load before and after
#   bench-<device>-<round>.txt  bench on r50-random at 1333x800, engine cpu and ONNX Runtime body alternating,
#                               ROUNDS rounds (default 3), so both see the same background load
#   kernels/results/*           BenchmarkDotNet kernel benchmarks (--job short, in-process), engine vs ORT peers
#   scaling.md, scaling.png     the scaling sweeps
# Run it on a quiet machine (check `uptime`): other processes inflate every number here.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-3}"
out=benchmarks/results
mkdir -p "$out"
dotnet build benchmarks/CondInst.Kernels.Benchmarks -c Release -nologo -v:q
bin=benchmarks/CondInst.Kernels.Benchmarks/bin/Release/net10.0/CondInst.Kernels.Benchmarks
{
    echo "date: $(date -u +%FT%TZ)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    grep -m1 'model name' /proc/cpuinfo; grep -m1 'cpu MHz' /proc/cpuinfo; echo "logical cpus: $(nproc)"
    grep -o -w -E 'avx2|fma|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
    dotnet --version
} > "$out/machine.txt"
for round in $(seq 1 "$rounds"); do
    for device in cpu onnxruntime; do
        echo "== bench $device round $round (load $(cut -d' ' -f1 /proc/loadavg))"
        "$bin" bench --weights r50-random --image synthetic:1333x800 --device "$device" --runs 3 --warmup 1 | tee "$out/bench-$device-$round.txt" | tail -n 1
    done
done
echo "== kernels"
"$bin" --filter '*.Run' --job short --inProcess --artifacts "$out/kernels" > "$out/kernels.log" 2>&1
echo "== scaling"
"$bin" scaling --devices cpu,onnxruntime --runs 3 --out "$out" > "$out/scaling.log" 2>&1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
echo "done: $out"
