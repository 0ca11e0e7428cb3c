#!/usr/bin/env bash
# The test command (README): builds everything, runs all tests on cpu and ilgpu-cpu here.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build CondInst.Kernels.sln -c Release
dotnet test CondInst.Kernels.sln -c Release --no-build --logger "console;verbosity=normal"
