#!/usr/bin/env bash
# See the GPU path work on this machine: `rl doctor` (backends, WebGPU adapters, CUDA libraries,
# a short probe, the recommended backend), then WebGPU in Node beside wasm in one run —
# tensor-native CartPole rollouts at N up to 65,536, JS-env rollouts, one update at B up to
# 65,536, each figure also as a ratio to wasm — and `rl bench update` where this build has it.
# Writes benchmarks/results/doctor.json, rollout-webgpu.{json,md} (and update.* from
# `rl bench update`) and the RESULTS.md sections. A few minutes on a GPU.
#
#   scripts/gpu-check.sh [--quick] [--swiftshader]
#
#   --quick        fewer sizes (N = 1024, 4096; B = 4096)
#   --swiftshader  no GPU here: use Chromium's SwiftShader (VK_ICD_FILENAMES), a CPU implementation
#                  of Vulkan — it shows the path works; its figures say nothing about a GPU
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    --swiftshader)
      for icd in /usr/lib/chromium/vk_swiftshader_icd.json /usr/lib/chromium-browser/vk_swiftshader_icd.json "$(dirname "${CHROMIUM_PATH:-/nonexistent/x}")/vk_swiftshader_icd.json"; do
        if [ -f "$icd" ]; then export VK_ICD_FILENAMES="$icd"; break; fi
      done
      if [ -z "${VK_ICD_FILENAMES:-}" ]; then echo "gpu-check: SwiftShader not found: apt-get install chromium libvulkan1" >&2; exit 1; fi
      ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

rl() { node packages/cli/bin/rl.mjs "$@"; }
results=${RL_BENCH_RESULTS_DIR:-benchmarks/results}
mkdir -p "$results"
start=$(date +%s)

echo "== rl doctor"
rl doctor
rl doctor --json --no-probe > "$results/doctor.json"

# Is there a WebGPU adapter at all, and is it a real GPU?
adapter=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const w = r.backends.find((b) => b.name === "webgpu");
  if (!w.available) { console.log("none"); process.exit(0); }
  console.log(`${w.adapter.software ? "software" : "hardware"} ${w.adapter.name}`);
' "$results/doctor.json")
case "$adapter" in
  none) echo "gpu-check: no WebGPU adapter on this machine (rl doctor says why and the fix above); with no GPU, --swiftshader checks the path on the CPU" >&2; exit 1 ;;
  software*) echo "== WebGPU adapter: ${adapter#software } — SOFTWARE (a CPU emulating a GPU): the figures below show the path works and say nothing about a GPU" ;;
  *) echo "== WebGPU adapter: ${adapter#hardware }" ;;
esac

echo "== rl bench rollout --backend webgpu,wasm ${quick[*]}"
rl bench rollout --backend webgpu,wasm "${quick[@]}"

# `rl bench update` (update ms per backend beside the PyTorch peer) where this build has it
if rl bench --help | grep -q '"update"'; then   # one of the <which> choices
  echo "== rl bench update --backend webgpu,wasm ${quick[*]}"
  rl bench update --backend webgpu,wasm "${quick[@]}"
else
  echo "== rl bench update: not in this build; the update rows of rollout-webgpu above are webgpu vs wasm"
fi

echo "== done in $(( $(date +%s) - start )) s; results in $results/ (doctor.json, rollout-webgpu.json) and benchmarks/RESULTS.md"
