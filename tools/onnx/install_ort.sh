#!/usr/bin/env bash
# Installs the ONNX reference runtime, npm's onnxruntime-node at the version package-lock.json pins,
# into DIR (default build/ort): `make deps` runs it. No root needed. Idempotent and quiet when that
# version is there. The package's install script only fetches GPU (CUDA) libraries from NuGet, which
# the CPU reference does not use, so it is not run (--ignore-scripts); the CPU runtime is in the
# package itself.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/../../build/ort}"
want="$(sed -n 's/.*"onnxruntime-node": "\(.*\)".*/\1/p' "$here/package.json")"
have="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$dir/node_modules/onnxruntime-node/package.json" 2>/dev/null || true)"
[ "$have" = "$want" ] && cmp -s "$here/package-lock.json" "$dir/package-lock.json" && exit 0

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "ort: $tool is not installed: run tools/deps.sh" >&2; exit 1; }
done
echo "ort: installing onnxruntime-node $want into $dir (a 115 MB download the first time, then npm's cache)"
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
