#!/usr/bin/env bash
# gpu-check.sh: confirms the CUDA engine on a real NVIDIA GPU (H100/H200 or
# any card from sm_75 on). CI proves every kernel bit for bit on the SIMT
# emulator; this script is the short confirmation on the hardware.
#
# The GPU machine has CUDA 13, Python with torch and transformers, but none
# of our Debian development packages, so the binaries are built on a CPU
# machine (with scripts/install-deps.sh and nvcc 13) and brought along:
#
#   1. CPU machine:  scripts/gpu-check.sh --bundle [DIR]      (default DIR: gpu-bundle)
#      builds kernels_gpu_test, model_gpu_test and engine_gpu as a release
#      build (sm_75, sm_80, sm_86, sm_89, sm_90 and compute_75 PTX), and puts
#      them in DIR/bin (the C++ runtime linked in) with every other shared
#      library they need that is not glibc in DIR/lib (about 50 MiB).
#   2. GPU machine:  scripts/gpu-check.sh [--from DIR]       (from a checkout holding DIR)
#      in at most 6 minutes:
#        kernels    every CUDA kernel against its CPU twin (memcmp)
#        tiny       per-step logits GPU vs CPU, tiny llama and qwen2, batch 3,
#                   a prompt fed in pieces, graphs and eager; Engine vs CPU engine
#        qwen2-1.5b per-step logits GPU vs CPU on a random model of the exact
#                   Qwen2-1.5B shape (28 layers): 32 decode steps after a
#                   1,000-token prompt, at batch 1 and batch 4
#        memcheck   compute-sanitizer memcheck on the tiny-model tests
#        racecheck  compute-sanitizer racecheck on the tiny-model tests
#        bench      bench/engine_gpu: decode tok/s at batch 1 and 8, 1,024-token
#                   prefill, copy bandwidth, f32 rate, transformers eager bf16
#        hf-f32     transformers (f32) loads our synthesised folders and its
#                   greedy tokens equal ours
#      and prints one summary table (also DIR/summary.txt, with logs beside it).
#      Exit 0: all equal; 1: a mismatch or failure; 3: a tool it needs is missing
#      (no GPU, no compute-sanitizer, no torch/transformers).
#
# ATTESTD_GPU_CHECK_DEVICE=simt runs step 2 on the SIMT emulator instead of a
# GPU (tiny models only, no sanitizer, no transformers): a rehearsal of this
# script on a CPU machine, not a GPU result.
set -uo pipefail
cd "$(dirname "$0")/.."

mode=run
dir=gpu-bundle
while (($#)); do
  case "$1" in
    --bundle) mode=bundle; if [[ "${2:-}" != "" && "${2:0:2}" != "--" ]]; then dir=$2; shift; fi ;;
    --from) dir=$2; shift ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ $mode == bundle ]]; then
  set -e
  nvcc=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
  [[ -x $nvcc ]] || { echo "gpu-check: --bundle needs nvcc (CUDA 13)" >&2; exit 3; }
  scripts/install-deps.sh --test
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S . -B build-gpu-bundle "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DATTESTD_BUILD_TESTS=ON \
    -DATTESTD_BUILD_BENCH=ON -DATTESTD_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" \
    "-DATTESTD_CUDA_ARCHITECTURES=75-real;80-real;86-real;89-real;90-real;75-virtual" \
    "-DCMAKE_EXE_LINKER_FLAGS=-static-libstdc++ -static-libgcc" >/dev/null
  cmake --build build-gpu-bundle --parallel "$(nproc)" --target kernels_gpu_test model_gpu_test engine_gpu
  rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/lib"
  cp build-gpu-bundle/tests/kernels/kernels_gpu_test build-gpu-bundle/tests/model/model_gpu_test \
     build-gpu-bundle/bench/engine_gpu "$dir/bin/"
  strip --strip-debug "$dir"/bin/*
  # Every shared library but glibc's own, which the GPU machine brings (a
  # newer one). The C++ runtime is linked in statically, so the Python peers
  # there keep loading their own libstdc++ whatever LD_LIBRARY_PATH says.
  for b in "$dir"/bin/*; do
    ldd "$b" | awk '/=> \// {print $3}'
  done | sort -u | grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' | while read -r lib; do
    cp -L "$lib" "$dir/lib/"
  done
  du -sh "$dir"
  echo "gpu-check: bundle ready in $dir; on the GPU machine run: scripts/gpu-check.sh --from $dir"
  exit 0
fi

device=${ATTESTD_GPU_CHECK_DEVICE:-cuda}
bin=$dir/bin
export LD_LIBRARY_PATH="$PWD/$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONUNBUFFERED=1
[[ -x $bin/model_gpu_test ]] || { echo "gpu-check: no bundle in $dir (run scripts/gpu-check.sh --bundle on a CPU machine)" >&2; exit 3; }
work=$(mktemp -d /tmp/attestd-gpu-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
logs=$dir/logs
mkdir -p "$logs"
start=$(date +%s)
rows=()
worst=0
record() {  # name, status (ok|MISMATCH|FAILED|MISSING|skipped), detail
  rows+=("$(printf '%-11s %-9s %s' "$1" "$2" "$3")")
  case "$2" in
    MISMATCH|FAILED) worst=1 ;;
    MISSING) ((worst == 0)) && worst=3 ;;
  esac
}
# Runs a gtest binary; ok only if every selected test passed and none skipped.
gtest() {  # name, binary, filter, [prefix command...]
  local name=$1 binary=$2 filter=$3; shift 3
  local log=$logs/$name.log t0=$SECONDS
  "$@" "$bin/$binary" --gtest_filter="$filter" --gtest_brief=0 >"$log" 2>&1
  local rc=$? passed skipped
  passed=$(grep -c '^\[       OK \]' "$log")
  skipped=$(grep -c '^\[  SKIPPED \]' "$log")
  if ((rc != 0)); then
    if grep -q 'FAILED  \]' "$log"; then record "$name" MISMATCH "$(grep -m3 'FAILED  \]' "$log" | tr '\n' ' ')";
    else record "$name" FAILED "exit $rc, see $log"; fi
  elif ((skipped > 0)); then record "$name" FAILED "$skipped tests skipped (no GPU?), see $log"
  elif ((passed == 0)); then record "$name" FAILED "no test ran, see $log"
  else record "$name" ok "$passed tests memcmp-equal ($((SECONDS - t0)) s)"; fi
}

if [[ $device == cuda ]]; then
  if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >"$logs/gpu.txt" 2>&1; then
    echo "gpu-check: no NVIDIA GPU visible (nvidia-smi)" >&2
    exit 3
  fi
  echo "gpu-check: $(head -1 "$logs/gpu.txt")"
  gpu_filter='*cuda*:*Cuda*'
else
  echo "gpu-check: rehearsal on the SIMT emulator (no GPU result)"
  gpu_filter='*simt*:GpuEngineTest.Generate*:GpuEngineTest.Continuous*'
fi

# 1. Kernels.
gtest kernels kernels_gpu_test "Devices/GpuKernelsTest.*/$device"
# 2. Tiny models and the engine, then the Qwen2-1.5B shape (GPU only).
gtest tiny model_gpu_test "${gpu_filter}:-*Qwen2Shape*"
if [[ $device == cuda ]]; then
  qwen=$work/qwen2-1.5b
  if "$bin/engine_gpu" --shape qwen2-1.5b --keep "$qwen" --synth-only >"$logs/synth.log" 2>&1; then
    ATTESTD_QWEN2_SHAPE_DIR=$qwen gtest qwen2-1.5b model_gpu_test '*Qwen2Shape*'
  else
    record qwen2-1.5b FAILED "could not synthesise the model, see $logs/synth.log"
  fi
  # 3. compute-sanitizer on the tiny models.
  sanitizer=${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer
  command -v compute-sanitizer >/dev/null && sanitizer=$(command -v compute-sanitizer)
  if [[ -x $sanitizer ]]; then
    for tool in memcheck racecheck; do
      gtest "$tool" model_gpu_test "Families/GpuTransformerTest.*cuda*" \
        "$sanitizer" --tool "$tool" --error-exitcode 1 --print-limit 20
    done
  else
    record memcheck MISSING "compute-sanitizer not found"
    record racecheck MISSING "compute-sanitizer not found"
  fi
  # 4. The bench.
  if "$bin/engine_gpu" --model "$qwen" --decode-tokens 64 --batches 1,8 --prefill-tokens 1024 \
       --json "$logs/bench.json" >"$logs/bench.log" 2>&1; then
    record bench ok "$(grep -E '^(decode  batch 1|prefill)' "$logs/bench.log" | sed 's/  */ /g' | tr '\n' ';')"
  else
    record bench FAILED "exit $?, see $logs/bench.log"
  fi
  # 5. transformers in f32 on our folders: greedy tokens equal ours.
  if python3 -c 'import torch, transformers' 2>/dev/null; then
    for family in qwen2 llama; do
      folder=$work/tiny-$family
      "$bin/engine_gpu" --shape tiny --family "$family" --keep "$folder" --synth-only >>"$logs/synth.log" 2>&1
    done
    hf_rows=""
    hf_ok=1
    for folder in "$work/tiny-qwen2" "$work/tiny-llama" "$qwen"; do
      ours=$("$bin/engine_gpu" --model "$folder" --greedy 24 2>>"$logs/hf.log")
      prompt=$(python3 -c 'import json,sys; print(",".join(map(str, json.loads(sys.argv[1])["prompt"])))' "$ours" 2>/dev/null)
      theirs=$(python3 bench/hf_peer.py --model "$folder" --dtype float32 --greedy --prompt-ids "$prompt" \
                 --decode-tokens 24 2>>"$logs/hf.log")
      same=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["tokens"] == json.loads(sys.argv[2])["tokens"])' \
               "$ours" "$theirs" 2>/dev/null)
      echo "$folder ours=$ours theirs=$theirs" >>"$logs/hf.log"
      [[ $same == True ]] || hf_ok=0
      hf_rows+="$(basename "$folder")=$same "
    done
    if ((hf_ok)); then record hf-f32 ok "24 greedy tokens equal: $hf_rows"; else record hf-f32 MISMATCH "$hf_rows(see $logs/hf.log)"; fi
  else
    record hf-f32 MISSING "torch/transformers not importable"
  fi
else
  "$bin/engine_gpu" --device simt --shape tiny --decode-tokens 2 --batches 1,2 --prefill-tokens 8 --no-hf \
    >"$logs/bench.log" 2>&1 && record bench ok "smoke run on the emulator (figures mean nothing)" \
    || record bench FAILED "see $logs/bench.log"
fi

{
  echo
  echo "gpu-check summary ($device, $(($(date +%s) - start)) s$([[ -f $logs/gpu.txt ]] && echo ", $(head -1 "$logs/gpu.txt")"))"
  printf '%-11s %-9s %s\n' step result detail
  printf '%s\n' "${rows[@]}"
  [[ -f $logs/bench.log ]] && { echo; grep -E '^(device|peer|prefill|decode|check|  )' "$logs/bench.log"; }
} | tee "$dir/summary.txt"
exit "$worst"
