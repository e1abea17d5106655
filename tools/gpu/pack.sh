#!/usr/bin/env bash
# Builds the pack of the one-command GPU run (tools/gpu/README.md):
#
#   tools/gpu/pack.sh [OUT_FILE]        default .paperzoo-tmp/gpu-pack/paperzoo-gpu.tar.xz
#
# It holds: this machine's Node binary (process.execPath), tools/gpu/src/main.ts bundled with every
# dependency (esbuild, pinned by package-lock.json), dawn.node from the npm `webgpu` package (linux-x64
# only), tfjs's wasm binaries, libvulkan.so.1 from Debian's libvulkan1 .deb (`apt-get download`, or
# PAPERZOO_VULKAN_DEB=path/to.deb), MNIST from PAPERZOO_DATA_MIRROR, run.sh, torch_gpu.py and
# bench/torch_models.py. xz-compressed; fails if it is over 64 MiB.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
outfile="$(realpath -m "${1:-.paperzoo-tmp/gpu-pack/paperzoo-gpu.tar.xz}")"
mirror="${PAPERZOO_DATA_MIRROR:?set PAPERZOO_DATA_MIRROR to the datasets folder (it must hold mnist/)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
p="$work/paperzoo-gpu"
mkdir -p "$p/bin" "$p/lib" "$p/data/mnist" "$p/node_modules/webgpu/dist/linux-x64" "$(dirname "$outfile")"

node tools/gpu/build.mjs "$p/gpu.mjs"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$p/"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$p/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$p/node_modules/webgpu/dist/linux-x64/"
cp "$(node -p process.execPath)" "$p/bin/node"

deb="${PAPERZOO_VULKAN_DEB:-}"
if [ -z "$deb" ]; then
  (cd "$work" && apt-get download libvulkan1 >/dev/null)
  deb="$(ls "$work"/libvulkan1_*.deb)"
fi
dpkg-deb -x "$deb" "$work/vk"
cp -L "$work"/vk/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$p/lib/libvulkan.so.1"

cp "$mirror"/mnist/*-ubyte.gz "$p/data/mnist/"
cp "$mirror"/mnist/SOURCE.md "$p/data/mnist/" 2>/dev/null || true
cp tools/gpu/run.sh tools/gpu/torch_gpu.py bench/torch_models.py "$p/"
chmod +x "$p/run.sh"

node -e '
  const fs = require("fs"), cp = require("child_process");
  const git = (a) => { try { return cp.execFileSync("git", a, { encoding: "utf8" }).trim(); } catch { return null; } };
  const v = (m) => JSON.parse(fs.readFileSync(`node_modules/${m}/package.json`, "utf8")).version;
  fs.writeFileSync(process.argv[1], JSON.stringify({
    commit: git(["rev-parse", "HEAD"]), dirty: (git(["status", "--porcelain"]) ?? "") !== "", packedAt: new Date().toISOString(),
    node: process.version, webgpu: v("webgpu"), tfjs: v("@tensorflow/tfjs-core"), tfjsBackendWebgpu: v("@tensorflow/tfjs-backend-webgpu"),
    vulkanLoader: process.argv[2].split("/").pop(),
  }, null, 2) + "\n");
' "$p/PROVENANCE.json" "$deb"

tar -C "$work" -cf - paperzoo-gpu | xz -T2 -6 > "$outfile"
bytes=$(stat -c %s "$outfile")
echo "packed $outfile: $(( bytes / 1048576 )) MiB ($bytes bytes; unpacked $(du -sm "$p" | cut -f1) MiB)"
if [ "$bytes" -gt $(( 64 * 1048576 )) ]; then echo "pack.sh: over the 64 MiB limit" >&2; exit 1; fi
