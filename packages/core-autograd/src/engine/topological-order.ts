/**
 * The ordering step of backpropagation, shared by both engines ({@link Value} and {@link Tensor}).
 *
 * Rumelhart, Hinton & Williams, "Learning representations by back-propagating errors", Nature 323
 * (1986), https://doi.org/10.1038/323533a0, eqs. (4)–(7): the backward pass may only hand ∂E/∂x on
 * from a node x once every node that uses x has added its share into x's gradient. Running the
 * backward rules in reverse of a topological order — every node after all of its inputs — guarantees
 * exactly that.
 */

/** A node of a computation graph: anything that lists the nodes it was computed from. */
export interface GraphNode<N> {
  /** The nodes this one was computed from (empty for a leaf). */
  readonly inputs: readonly N[];
}

/**
 * Every node `root` depends on, each listed once and after all of its inputs, `root` last.
 *
 * A depth-first search with an explicit stack (a recursive one overflows the call stack on long
 * chains, e.g. a scalar graph unrolled over thousands of steps). The order is deterministic: a node's
 * inputs are finished last-listed first, so backward rules always run, and add into shared gradients,
 * in the same order.
 */
export function topologicalOrder<N extends GraphNode<N>>(root: N): N[] {
  const order: N[] = [];
  const visited = new Set<N>();
  // [node, true] marks "all of node's inputs are in `order`": emit node. [node, false]: visit it.
  const stack: Array<[N, boolean]> = [[root, false]];
  while (stack.length > 0) {
    const [node, inputsDone] = stack.pop()!;
    if (inputsDone) {
      order.push(node);
      continue;
    }
    if (visited.has(node)) continue;
    visited.add(node);
    stack.push([node, true]);
    for (const input of node.inputs) if (!visited.has(input)) stack.push([input, false]);
  }
  return order;
}
