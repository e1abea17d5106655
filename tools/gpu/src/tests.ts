/**
 * The @paperzoo/tensor suites the GPU run executes on webgpu (through ./vitest-shim.ts): the same
 * files `npm run test:webgpu` runs, except transformer-ops (it reads PyTorch fixtures from disk).
 */
import '../../../packages/tensor/test/webgpu.test.js';
import '../../../packages/tensor/test/conformance-conv.test.js';
import '../../../packages/tensor/test/conformance-pool.test.js';
import '../../../packages/tensor/test/conformance-matmul.test.js';
import '../../../packages/tensor/test/conformance-fused.test.js';
import '../../../packages/tensor/test/fused.test.js';
import '../../../packages/tensor/test/gru.test.js';
import '../../../packages/tensor/test/lstm.test.js';
import '../../../packages/tensor/test/second-order.test.js';
import '../../../packages/tensor/test/training.test.js';
