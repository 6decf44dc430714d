#!/usr/bin/env bash
# Installs what attestd needs on Debian 12, as root. Idempotent: packages
# already present are not touched and apt is not even updated.
#   scripts/install-deps.sh          build and runtime packages
#   scripts/install-deps.sh --test   also the test peers (PyTorch, gRPC for
#                                    Python, Node packages for chain tests)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libssl-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  librocksdb-dev libsecp256k1-dev nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev
  libabsl-dev libyaml-cpp-dev libpcre2-dev libicu-dev
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev python3 python3-torch python3-numpy
             python3-grpcio python3-protobuf python3-yaml xxd)
  # Node and npm: Debian's unless some other node is already installed (a
  # node build that bundles npm conflicts with Debian's npm package).
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" == "--test" ]]; then
  # Node tooling for the chain and cross-language tests, pinned by package-lock.
  if [[ ! -d tests/js/node_modules ]] || [[ tests/js/package-lock.json -nt tests/js/node_modules ]]; then
    echo "install-deps: npm ci in tests/js"
    (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
