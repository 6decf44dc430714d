#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. the full suite on a warnings-as-errors build (build/);
#   2. the unit tests again under AddressSanitizer + UBSan (build-asan/);
#   3. the unit tests again under ThreadSanitizer (build-tsan/): races in the
#      concurrent parts (thread pool, batch scheduler, group commit) fail
#      the run even when they happen not to corrupt anything.
# The CUDA kernels run on the SIMT emulator in all three stages; tests that
# need a real NVIDIA GPU skip, naming what they would have checked
# (scripts/gpu-check.sh runs them on one). nvcc compiles every kernel in stage 1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test

jobs=$(nproc)
echo "== build (warnings are errors)"
scripts/build.sh -DATTESTD_WERROR=ON -DATTESTD_BUILD_TESTS=ON -DATTESTD_BUILD_BENCH=ON
echo "== tests"
ctest --test-dir build --output-on-failure --parallel "$jobs" --timeout 900

echo "== unit tests under ASan + UBSan"
ATTESTD_BUILD_DIR=build-asan scripts/build.sh -DATTESTD_WERROR=ON -DATTESTD_SANITIZE=ON \
  -DATTESTD_CUDA=OFF -DATTESTD_BUILD_TESTS=ON -DATTESTD_BUILD_BENCH=OFF
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure --parallel "$jobs" -L unit --timeout 900

echo "== unit tests under ThreadSanitizer"
ATTESTD_BUILD_DIR=build-tsan scripts/build.sh -DATTESTD_WERROR=ON -DATTESTD_TSAN=ON \
  -DATTESTD_CUDA=OFF -DATTESTD_BUILD_TESTS=ON -DATTESTD_BUILD_BENCH=OFF
TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp second_deadlock_stack=1" \
  ctest --test-dir build-tsan --output-on-failure --parallel "$jobs" -L unit --timeout 900
