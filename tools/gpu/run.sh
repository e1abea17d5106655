#!/usr/bin/env bash
# The one-command GPU run, inside the unpacked pack (tools/gpu/README.md):
#
#   paperzoo-gpu/run.sh OUT_DIR [--small] [--allow-software]
#
# Needs only what the pack carries (Node, the bundled program, dawn.node, the Vulkan loader, MNIST),
# an NVIDIA driver with its Vulkan ICD, and Python with PyTorch for the comparison. No network.
# Stages, all inside 10 minutes, each with its own time limit:
#   1. check (< 60 s): the WebGPU adapter is the NVIDIA GPU, not a software fallback; else stop (exit 3)
#   2. conformance: @paperzoo/tensor's conformance, gradient, second-order and training suites on webgpu
#   3. bench: LeNet-5 and ResNet-20 training steps on webgpu and on PyTorch on the same GPU
#   4. lenet5's full tier on webgpu, for the time that remains (stopped at the budget)
# Writes OUT_DIR/result.json (everything, with provenance) and OUT_DIR/benchmark.json (stage 3).
# --small: the local test on a software adapter (smaller batches, a short lenet5 run);
# --allow-software: accept a software adapter (never on the GPU machine).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: run.sh OUT_DIR [--small] [--allow-software]}"
shift
small=0
soft=()
for a in "$@"; do
  case "$a" in
    --small) small=1 ;;
    --allow-software) soft=(--allow-software) ;;
    *) echo "run.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
start=$(date +%s)
TOTAL=${PAPERZOO_GPU_BUDGET_S:-570}   # 10 minutes less a margin for unpacking and writing results
elapsed() { echo $(( $(date +%s) - start )); }
log() { echo "[gpu-run $(elapsed)s] $*"; }

node="$here/bin/node"
if [ -f "$here/bin/node.xz" ] && [ ! -x "$node" ]; then xz -dc "$here/bin/node.xz" > "$node" && chmod +x "$node"; fi
gpu=("$node" "$here/gpu.mjs")

# Vulkan: the loader carried from Debian's libvulkan1, pointed at the NVIDIA driver's ICD file.
icd="${PAPERZOO_VK_ICD:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"; done
if [ -f "$icd" ]; then export VK_ICD_FILENAMES="$icd"; fi
export PAPERZOO_DATA_MIRROR="$here/data"
export PAPERZOO_CACHE="${PAPERZOO_CACHE:-$out/.cache}"
python="${PAPERZOO_PYTHON:-python3}"
log "pack $(cat "$here/PROVENANCE.json" 2>/dev/null | tr -d '\n' | cut -c1-300)"
log "node $("$node" --version), VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset}"

result() { # stage files present → result.json
  "$node" -e '
    const fs = require("fs"), path = require("path");
    const [out, here, seconds, note] = process.argv.slice(1);
    const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(out, f), "utf8")); } catch { return null; } };
    let nvsmi = null;
    try { nvsmi = require("child_process").execFileSync("nvidia-smi", ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"], { encoding: "utf8" }).trim(); } catch {}
    const check = read("check.json");
    const r = { gpu: check && check.adapter, nvidiaSmi: nvsmi, software: check && check.software, note, seconds: Number(seconds),
      provenance: (() => { try { return JSON.parse(fs.readFileSync(path.join(here, "PROVENANCE.json"), "utf8")); } catch { return null; } })(),
      check, conformance: read("conformance.json"), benchmark: read("benchmark.json"), lenet5: read("lenet5.json") };
    fs.writeFileSync(path.join(out, "result.json"), JSON.stringify(r, null, 2) + "\n");
  ' "$out" "$here" "$(elapsed)" "$1"
}

# 1. check: fail fast, with the reason, when the adapter is not the NVIDIA GPU.
if [ ${#soft[@]} -eq 0 ] && [ ! -f "$icd" ]; then
  msg="no NVIDIA adapter: the NVIDIA Vulkan driver file $icd does not exist (set PAPERZOO_VK_ICD to its path)"
  echo "{\"stage\":\"check\",\"ok\":false,\"error\":\"$msg\"}" > "$out/check.json"
  log "$msg"; result "stopped at stage 1"; exit 3
fi
log "stage 1: check the adapter"
timeout 60 "${gpu[@]}" check "${soft[@]}" --out "$out/check.json" 2> >(grep -v 'artificially reduced' >&2)
rc=$?
if [ $rc -ne 0 ]; then
  [ $rc -eq 124 ] && echo '{"stage":"check","ok":false,"error":"no NVIDIA adapter: the check did not finish in 60 s"}' > "$out/check.json"
  log "stage 1 failed: $(cat "$out/check.json" 2>/dev/null)"; result "stopped at stage 1"; exit 3
fi

# 2. conformance suites on webgpu.
log "stage 2: conformance, gradient, second-order and training suites on webgpu"
timeout 170 "${gpu[@]}" conformance "${soft[@]}" --budget 150 --out "$out/conformance.json" 2> >(grep -v 'artificially reduced' >&2) | tail -c 2000
log "stage 2 done (exit ${PIPESTATUS[0]})"

# 3. training-step timings, webgpu then PyTorch on the same GPU.
log "stage 3: LeNet-5 and ResNet-20 training steps on webgpu and PyTorch"
bench=(--torch "$here/torch_gpu.py" --python "$python")
[ $small -eq 1 ] && bench+=(--quick --lenet-batch 16 --resnet-batch 8)
( cd "$here" && timeout 200 "${gpu[@]}" bench "${soft[@]}" "${bench[@]}" --out "$out/benchmark.json" 2> >(grep -v 'artificially reduced' >&2) )
log "stage 3 done (exit $?)"

# 4. lenet5's full tier for the time that remains.
left=$(( TOTAL - $(elapsed) - 20 ))
if [ $left -ge 60 ]; then
  lenet=(--budget "$left")
  [ $small -eq 1 ] && lenet=(--budget "$(( left < 90 ? left : 90 ))" --set epochs=1 --set trainExamples=2000 --set evalBatchSize=500)
  log "stage 4: lenet5 full tier on webgpu, budget ${lenet[1]} s"
  timeout $(( ${lenet[1]} + 20 )) "${gpu[@]}" lenet5 "${soft[@]}" "${lenet[@]}" --out "$out/lenet5" 2> >(grep -v 'artificially reduced' >&2) | tail -c 2000
  log "stage 4 done (exit ${PIPESTATUS[0]})"
  [ -f "$out/lenet5/lenet5.json" ] && cp "$out/lenet5/lenet5.json" "$out/lenet5.json"
else
  log "stage 4 skipped: ${left} s left"
fi

result "complete"
log "wrote $out/result.json and $out/benchmark.json"
