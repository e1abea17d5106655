/**
 * The two element-wise ops these models add to tfjs — LayerNorm over the last axis and the exact GELU —
 * are @paperzoo/tensor's fused ops (one native kernel each way; composed tfjs ops on other backends,
 * differentiable to any order). Re-exported here, where the models use them.
 */
export { layerNorm, gelu } from '@paperzoo/tensor';
