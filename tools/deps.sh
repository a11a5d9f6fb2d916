#!/usr/bin/env bash
# Installs the Debian packages the project needs, and only those that are missing, so that
# `make sim` and `make test` work on a fresh Debian 12 machine. Idempotent and quiet when all
# is there. Needs root (or sudo) only when something is missing. (`make deps` then installs the
# ONNX reference runtime from npm with tools/onnx/install_ort.sh, without root.)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  verilator libsystemc-dev catch2 libboost-program-options-dev libyaml-cpp-dev
  gtkwave yosys gnuplot python3 python3-yaml clang-format lcov
  libonnx-dev libprotobuf-dev libonnx-testdata
)
# Node.js runs the ONNX reference runtime (tools/onnx/ort_run.mjs): Debian's nodejs and npm unless
# a node and an npm are on the PATH already (NodeSource's nodejs bundles npm and conflicts with Debian's).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
