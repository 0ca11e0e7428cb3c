#!/usr/bin/env bash
# The self-contained `condinst` serving from a clean Debian root that has neither .NET nor Python.
#
# Usage: .ci/serve-in-root.sh [--no-publish]
#   Publishes `condinst` self-contained, single-file, linux-x64 (out/publish/linux-x64/condinst), copies it and the
#   shipped demo model into the OpenCL test root made by .ci/opencl-root.sh (default /var/tmp/condinst-opencl-root,
#   or $CONDINST_OPENCL_ROOT), starts `condinst serve` there through .ci/opencl-run.sh --system-only (proc, sys and
#   dev only: no .NET, no repository, no NuGet cache inside), and from the host, over loopback:
#     - waits for /v2/health/ready, checks /v2/health/live, /v2 and /v2/models/condinst;
#     - POST /v1/segment with weights/shapes/demo_1.png must equal byte for byte the results.json that the same
#       binary's `infer` writes on the host; an OIP JSON infer request must answer 200 with the outputs;
#     - a bad request must be 400 and the server still answer;
#     - SIGTERM to the server: it must exit 0.
# Prints "serve-in-root: passed" or "serve-in-root: FAILED: <why>" (exit 1). Without the root (or without root
# privileges) prints "serve-in-root: not run: <reason>" and exits 0, unless CONDINST_REQUIRE_ROOT=1 (then exit 1).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd -P)"
ROOT="${CONDINST_OPENCL_ROOT:-/var/tmp/condinst-opencl-root}"
OUT="$REPO/out/publish/linux-x64"
PUBLISH=1
[[ "${1:-}" == "--no-publish" ]] && PUBLISH=0

log() { echo "serve-in-root: $*" >&2; }
not_run() {
    echo "serve-in-root: not run: $*"
    [[ "${CONDINST_REQUIRE_ROOT:-0}" == 1 ]] && exit 1
    exit 0
}
fail() {
    echo "serve-in-root: FAILED: $*"
    [[ -n "${STAGE:-}" && -f "$STAGE/server.log" ]] && tail -n 20 "$STAGE/server.log" >&2
    exit 1
}

[[ "$(id -u)" == 0 ]] || not_run "needs root privileges (chroot, mounts)"
[[ -f "$ROOT/READY" ]] || not_run "no complete root at $ROOT (make it with .ci/opencl-root.sh)"
command -v curl >/dev/null || not_run "curl is not installed on the host"
# The claim under test: nothing of .NET or Python in the root (an empty usr/share/dotnet is opencl-run's mount point).
for p in usr/share/dotnet/dotnet usr/lib/dotnet/dotnet usr/bin/dotnet usr/bin/python3 usr/local/bin/python3; do
    [[ ! -e "$ROOT/$p" ]] || fail "the root is not clean: it has /$p"
done

if [[ "$PUBLISH" == 1 ]]; then
    log "publishing condinst (self-contained, single file, linux-x64) to $OUT"
    mkdir -p "$REPO/out"
    timeout 1200 dotnet publish "$REPO/src/CondInst.Kernels.Cli" -c Release -r linux-x64 --self-contained \
        -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o "$OUT" -nologo >"$REPO/out/publish.log" 2>&1 ||
        fail "dotnet publish failed (see out/publish.log)"
fi
[[ -x "$OUT/condinst" ]] || fail "no published binary at $OUT/condinst"

STAGE_IN_ROOT="/tmp/condinst-serve.$$"
STAGE="$ROOT$STAGE_IN_ROOT"
RUNNER=""
cleanup() {
    local rc=$?
    if [[ -n "$RUNNER" ]] && kill -0 "$RUNNER" 2>/dev/null; then
        kill -TERM "$RUNNER" 2>/dev/null || true # opencl-run stops what is left of its command and unmounts
        wait "$RUNNER" 2>/dev/null || true
    fi
    rm -rf "$STAGE" "${HOSTTMP:-}"
    exit "$rc"
}
trap cleanup EXIT
mkdir -p "$STAGE"
cp "$OUT/condinst" "$REPO/weights/shapes/shapes.pth" "$STAGE/"
HOSTTMP="$(mktemp -d)"

# Expected results: the same binary's `infer` on the host.
"$OUT/condinst" infer --weights "$REPO/weights/shapes/shapes.pth" --image "$REPO/weights/shapes/demo_1.png" \
    --out "$HOSTTMP/infer" --device cpu >/dev/null || fail "condinst infer on the host failed"

# Inside the root: ports chosen by the server (0), text logs; the wrapper records the server's pid and exit code.
CONDINST_PORT=0 CONDINST_GRPC_PORT=0 CONDINST_HOST=127.0.0.1 CONDINST_DEVICE=cpu CONDINST_LOG_FORMAT=text \
    "$REPO/.ci/opencl-run.sh" --root "$ROOT" --system-only /bin/bash -c \
    "cd $STAGE_IN_ROOT && { ./condinst serve --weights shapes.pth >server.log 2>&1 & echo \$! >pid; wait \$!; echo \$? >exit.code; }" &
RUNNER=$!

for _ in $(seq 1 600); do
    grep -q "listening: REST on port" "$STAGE/server.log" 2>/dev/null && break
    kill -0 "$RUNNER" 2>/dev/null || fail "the server stopped before listening"
    sleep 0.2
done
PORT="$(sed -n 's/.*listening: REST on port \([0-9]*\),.*/\1/p' "$STAGE/server.log" | head -n 1)"
[[ -n "$PORT" ]] || fail "the server did not report its port"
URL="http://127.0.0.1:$PORT"
log "server in the root on $URL"
for _ in $(seq 1 600); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v2/health/ready")" == 200 ]] && break
    kill -0 "$RUNNER" 2>/dev/null || fail "the server stopped before it was ready"
    sleep 0.2
done
code() { curl -s -o "$HOSTTMP/body" -w '%{http_code}' "$@"; }
[[ "$(code "$URL/v2/health/ready")" == 200 ]] || fail "not ready after 120 s"
[[ "$(code "$URL/v2/health/live")" == 200 ]] || fail "GET /v2/health/live"
[[ "$(code "$URL/v2")" == 200 ]] && grep -q '"name":"condinst-kernels"' "$HOSTTMP/body" || fail "GET /v2"
[[ "$(code "$URL/v2/models/condinst")" == 200 ]] || fail "GET /v2/models/condinst"
[[ "$(code --data-binary "@$REPO/weights/shapes/demo_1.png" "$URL/v1/segment?file_name=demo_1.png")" == 200 ]] || fail "POST /v1/segment"
cmp -s "$HOSTTMP/body" "$HOSTTMP/infer/results.json" || fail "/v1/segment differs from infer's results.json"
printf '{"id":"ci","inputs":[{"name":"image","datatype":"BYTES","shape":[1],"data":["%s"]}]}' \
    "$(base64 -w 0 "$REPO/weights/shapes/demo_1.png")" >"$HOSTTMP/req.json"
[[ "$(code -H 'Content-Type: application/json' --data-binary "@$HOSTTMP/req.json" "$URL/v2/models/condinst/infer")" == 200 ]] ||
    fail "POST /v2/models/condinst/infer"
grep -q '"id":"ci"' "$HOSTTMP/body" && grep -q '"name":"masks"' "$HOSTTMP/body" || fail "infer response lacks id or masks"
[[ "$(code --data-binary 'not an image' "$URL/v1/segment")" == 400 ]] || fail "garbage bytes were not 400"
[[ "$(code "$URL/v2/health/live")" == 200 ]] || fail "not live after a bad request"

kill -TERM "$(cat "$STAGE/pid")"
for _ in $(seq 1 300); do
    [[ -f "$STAGE/exit.code" ]] && break
    sleep 0.2
done
[[ -f "$STAGE/exit.code" ]] || fail "the server did not stop within 60 s of SIGTERM"
[[ "$(cat "$STAGE/exit.code")" == 0 ]] || fail "exit code $(cat "$STAGE/exit.code") after SIGTERM"
wait "$RUNNER" || true
RUNNER=""
echo "serve-in-root: passed"
