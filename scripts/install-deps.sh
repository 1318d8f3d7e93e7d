#!/usr/bin/env bash
# Installs the Debian 12 packages lobbyq builds with; does nothing if all are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libsqlite3-dev libboost-dev libcli11-dev libspdlog-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev tzdata libsodium-dev
  # scripts/fuzz.sh: clang 14 with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  libssl-dev openssl
  # bench/micro (-DLOBBYQ_BUILD_BENCH=ON)
  libbenchmark-dev
  # bench/load/run.sh: reads the result JSON for its table
  jq
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "run as root, or install sudo" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
