/**
 * Kernels and gradients paperzoo registers on top of tfjs 4.22.0 (see ../../../../shared/design/BACKENDS.md).
 * Filled in by ./wasm.ts (wasm kernels) and ./gradients.ts (gradients for all backends).
 */
let registered = false;

/** Register every paperzoo kernel and gradient once; safe to call repeatedly. */
export function registerPaperzooKernels(): void {
  if (registered) return;
  registered = true;
}
