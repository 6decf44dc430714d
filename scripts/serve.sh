#!/usr/bin/env bash
# Starts attestd on its embedded defaults (README "Set up"): installs what is
# missing, builds attestd and attest, makes the small demo model in
# ./.attestd/models/demo and DEVELOPMENT keys in ./.attestd/keys (DEV ONLY:
# a random passphrase in a DEV-ONLY file and a cheap scrypt cost) where they
# are missing, then runs the server on 127.0.0.1:50051 with its ledger in
# ./.attestd/ledger and metrics on 127.0.0.1:9464. Idempotent: a second run
# reuses everything. Extra arguments go to attestd (e.g. --config FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build_dir=${ATTESTD_BUILD_DIR:-build}
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  # The service needs neither the tests nor the benchmarks (nor their
  # packages); scripts/test.sh turns them on when it reuses this folder.
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DATTESTD_BUILD_TESTS=OFF -DATTESTD_BUILD_BENCH=OFF
fi
cmake --build "$build_dir" --target attestd attest --parallel "$(nproc)"
if [[ ! -f .attestd/models/demo/config.json ]]; then
  "$build_dir/services/attest" model synth .attestd/models/demo --family qwen2 --shape tiny --seed 1
fi
exec "$build_dir/services/attestd" --dev-keys "$@"
