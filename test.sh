#!/usr/bin/env bash
# The test command (README). Builds the solution once in Release, runs every test here (backends cpu and
# ilgpu-cpu; opencl and cuda rows are skipped as "not run: reason" where no such device exists), then runs
# the opencl rows of the op tests on a real OpenCL device: PoCL 6 inside a Debian trixie root made by
# .ci/opencl-root.sh (needs root privileges and the Debian mirror; made once, ~600 MB, reused). There
# CONDINST_REQUIRE_DEVICES=opencl turns a missing device into a failure, and a run that executes no opencl
# test fails too. Where the OpenCL part cannot run, it says "OpenCL tests: not run: <reason>" and, with
# CI=true, fails. CONDINST_OPENCL=0 turns the OpenCL part off (a failure with CI=true).
# Ends with counts per backend and one line "N passed, N failed, N skipped".
# Exit status: 0 only when the build passed, no test failed, and (with CI=true) the OpenCL tests ran.
set -euo pipefail
cd "$(dirname "$0")"
REPO="$(pwd -P)"
RESULTS="$REPO/TestResults/test.sh"
OPENCL_ROOT="${CONDINST_OPENCL_ROOT:-/var/tmp/condinst-opencl-root}"
export CONDINST_OPENCL_ROOT="$OPENCL_ROOT"

say() { printf '\n=== %s\n' "$*"; }
problems=()
timings=()
opencl_reason=""
opencl_ran=0

rm -rf "$RESULTS"
mkdir -p "$RESULTS/host" "$RESULTS/opencl"

# Decide about the OpenCL part first: making the root (network-bound) overlaps the build (CPU-bound).
root_job=""
if [[ "${CONDINST_OPENCL:-1}" == 0 ]]; then
    opencl_reason="turned off by CONDINST_OPENCL=0"
elif [[ "$(id -u)" != 0 ]]; then
    opencl_reason="needs root privileges to make and enter the OpenCL root (running as $(id -un))"
elif [[ ! -f "$OPENCL_ROOT/READY" ]]; then
    say "OpenCL root: making $OPENCL_ROOT in the background (once; ~600 MB; log: $RESULTS/opencl-root.log)"
    root_started=$SECONDS
    .ci/opencl-root.sh "$OPENCL_ROOT" >"$RESULTS/opencl-root.log" 2>&1 &
    root_job=$!
fi

say "build (Release)"
t=$SECONDS
build_rc=0
dotnet build CondInst.Kernels.sln -c Release -nologo || build_rc=$?
timings+=("build $((SECONDS - t)) s")
if [[ "$build_rc" != 0 ]]; then
    [[ -z "$root_job" ]] || wait "$root_job" || true
    echo "build failed (exit $build_rc): no tests run" >&2
    exit "$build_rc"
fi

say "tests on the host (cpu, ilgpu-cpu; opencl and cuda where a device exists)"
t=$SECONDS
host_rc=0
dotnet test CondInst.Kernels.sln -c Release --no-build --results-directory "$RESULTS/host" \
    --logger trx --logger "console;verbosity=minimal" || host_rc=$?
timings+=("host tests $((SECONDS - t)) s")

if [[ -n "$root_job" ]]; then
    say "OpenCL root: waiting for $OPENCL_ROOT"
    root_rc=0
    wait "$root_job" || root_rc=$?
    sed 's/^/  /' "$RESULTS/opencl-root.log"
    timings+=("OpenCL root creation $((SECONDS - root_started)) s (overlapping the build and host tests)")
    [[ "$root_rc" == 0 ]] || opencl_reason="could not make the OpenCL root at $OPENCL_ROOT (exit $root_rc; log above)"
elif [[ -z "$opencl_reason" ]]; then
    .ci/opencl-root.sh "$OPENCL_ROOT" || opencl_reason="could not check the OpenCL root at $OPENCL_ROOT"
fi

opencl_rc=0
if [[ -n "$opencl_reason" ]]; then
    say "OpenCL tests: not run: $opencl_reason"
else
    say "OpenCL tests inside $OPENCL_ROOT ($(cat "$OPENCL_ROOT/READY"))"
    t=$SECONDS
    CONDINST_REQUIRE_DEVICES=opencl .ci/opencl-run.sh dotnet test CondInst.Kernels.sln -c Release --no-build \
        --filter "DisplayName~opencl" --results-directory "$RESULTS/opencl" \
        --logger trx --logger "console;verbosity=minimal" || opencl_rc=$?
    timings+=("OpenCL tests $((SECONDS - t)) s")
    opencl_ran=1
fi

say "summary"
shopt -s nullglob
root_trx=("$RESULTS"/opencl/*.trx)
host_trx=("$RESULTS"/host/*.trx)
shopt -u nullglob
[[ ${#host_trx[@]} -gt 0 ]] || problems+=("the host test run wrote no results (dotnet test exit $host_rc)")
summary="$(awk -v root_files=${#root_trx[@]} -f .ci/trx-summary.awk "${root_trx[@]}" "${host_trx[@]}" </dev/null)"
grep -v '^#' <<<"$summary"
read -r _ passed failed skipped < <(grep '^#total ' <<<"$summary")
read -r _ root_passed root_failed root_skipped < <(grep '^#root ' <<<"$summary")

[[ "$host_rc" == 0 || "$failed" -gt 0 ]] || problems+=("host dotnet test failed (exit $host_rc) without a failed test")
if [[ "$opencl_ran" == 1 ]]; then
    root_executed=$((root_passed + root_failed))
    echo "OpenCL tests: ran in $OPENCL_ROOT: $root_executed executed ($root_passed passed, $root_failed failed, $root_skipped skipped)"
    # A run that executes nothing (filter mismatch, missing NuGet cache in the root) must not pass.
    [[ "$root_executed" -gt 0 ]] || problems+=("OpenCL tests: the run inside the root executed no test (exit $opencl_rc)")
    [[ "$opencl_rc" == 0 || "$root_failed" -gt 0 ]] || problems+=("OpenCL dotnet test failed (exit $opencl_rc) without a failed test")
    opencl_skipped="$(awk '$1 == "opencl" { print $4 }' <<<"$summary")"
    [[ "${opencl_skipped:-0}" == 0 ]] ||
        echo "warning: $opencl_skipped opencl test(s) did not run on the device (skipped inside the root, or not matched by the filter)" >&2
else
    echo "OpenCL tests: not run: $opencl_reason"
    [[ "${CI:-}" != true ]] || problems+=("OpenCL tests: not run: $opencl_reason (required with CI=true)")
fi
[[ -z "$(findmnt -rn -o TARGET | awk -v r="$OPENCL_ROOT" 'index($0, r "/") == 1')" ]] ||
    echo "warning: something is mounted under $OPENCL_ROOT (another run in progress?)" >&2
echo "time: $(printf '%s; ' "${timings[@]}")total $SECONDS s"
for p in "${problems[@]}"; do echo "FAILED: $p" >&2; done
echo "$passed passed, $failed failed, $skipped skipped"
[[ "$failed" == 0 && ${#problems[@]} == 0 ]]
