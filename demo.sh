#!/usr/bin/env bash
# The main job (README): build the CLI in Release and run the shipped demo model on the shipped demo image.
# Writes out/demo/results.json (COCO results), out/demo/demo_1.png (overlay) and out/demo/dump/demo_1/*.npy.
set -euo pipefail
cd "$(dirname "$0")"
command -v dotnet >/dev/null || { echo "demo.sh: the .NET 10 SDK is needed (dotnet not found on PATH)" >&2; exit 1; }
dotnet build src/CondInst.Kernels.Cli -c Release -nologo -v quiet
exec src/CondInst.Kernels.Cli/bin/Release/net10.0/condinst infer \
    --weights weights/shapes/shapes.pth --image weights/shapes/demo_1.png --out out/demo --device "${DEVICE:-auto}" --dump "$@"
