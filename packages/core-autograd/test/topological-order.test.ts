/**
 * The graph ordering both engines backpropagate in (src/engine/topological-order.ts): every node after
 * all of its inputs, each reachable node once, nothing unreachable, a pinned order (backward rules add
 * into shared gradients in that order, so it fixes the engines' rounding), and no recursion depth limit.
 */
import { makeRng } from '@paperzoo/tensor';
import { describe, expect, it } from 'vitest';
import { Value, add, mul, sum, tensor, topologicalOrder, type GraphNode } from '../src/index.js';

/** A bare graph node: the routine needs nothing but `inputs`. */
interface Node extends GraphNode<Node> {
  name: string;
}
const node = (name: string, ...inputs: Node[]): Node => ({ name, inputs });
const names = (order: readonly Node[]) => order.map((n) => n.name);

/** Each node of `order` appears once and after all of its inputs, which are all in `order` too. */
function expectTopological(order: readonly Node[]): void {
  const position = new Map(order.map((n, i) => [n, i]));
  expect(position.size).toBe(order.length); // no node twice
  for (const [n, i] of position) {
    for (const input of n.inputs) {
      expect(position.has(input), `${input.name} (input of ${n.name}) is missing`).toBe(true);
      expect(position.get(input)!, `${input.name} must come before ${n.name}`).toBeLessThan(i);
    }
  }
}

describe('topologicalOrder', () => {
  it('a leaf is its own order', () => {
    const a = node('a');
    expect(topologicalOrder(a)).toEqual([a]);
  });

  it('a diamond: the shared input once, first; the root last; the order pinned (last-listed input first)', () => {
    const a = node('a');
    const b = node('b', a);
    const c = node('c', a);
    const d = node('d', b, c);
    const order = topologicalOrder(d);
    expectTopological(order);
    expect(names(order)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('an input listed twice (x·x) is ordered once', () => {
    const x = node('x');
    expect(names(topologicalOrder(node('square', x, x)))).toEqual(['x', 'square']);
  });

  it('leaves out what the root does not depend on', () => {
    const a = node('a');
    const b = node('b', a);
    node('unused', a, b); // uses a and b, but the root does not use it
    expect(names(topologicalOrder(b))).toEqual(['a', 'b']);
  });

  it('random DAGs: every reachable node exactly once, each after its inputs', () => {
    const random = makeRng('topological-order');
    for (let trial = 0; trial < 20; trial++) {
      const nodes: Node[] = [];
      for (let i = 0; i < 60; i++) {
        const inputs = nodes.length === 0 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => nodes[Math.floor(random() * nodes.length)]);
        nodes.push(node(`n${i}`, ...inputs));
      }
      const root = nodes[nodes.length - 1];
      const reachable = new Set<Node>();
      const visit = (n: Node): void => {
        if (reachable.has(n)) return;
        reachable.add(n);
        n.inputs.forEach(visit);
      };
      visit(root);
      const order = topologicalOrder(root);
      expectTopological(order);
      expect(new Set(order)).toEqual(reachable);
      expect(order[order.length - 1]).toBe(root);
    }
  });

  it('a chain of 200,000 nodes does not overflow the call stack (no recursion)', () => {
    let last = node('0');
    const first = last;
    for (let i = 1; i < 200_000; i++) last = node(String(i), last);
    const order = topologicalOrder(last);
    expect(order.length).toBe(200_000);
    expect(order[0]).toBe(first);
    expect(order[order.length - 1]).toBe(last);
  });
});

describe('both engines order their graphs with it', () => {
  it('Value', () => {
    const a = new Value(2);
    const b = new Value(3);
    const out = a.mul(b).add(a).tanh();
    expect(out.topologicalOrder()).toEqual(topologicalOrder(out));
    expect(out.topologicalOrder().map((v) => v.op)).toEqual(['', '', '*', '+', 'tanh']);
  });

  it('Tensor, and a 50,000-op Tensor chain backpropagates', () => {
    const x = tensor([1, 2]);
    const out = sum(add(mul(x, x), x));
    expect(out.topologicalOrder()).toEqual(topologicalOrder(out));
    let y = x;
    for (let i = 0; i < 50_000; i++) y = add(y, 0);
    sum(y).backward();
    expect(Array.from(x.grad)).toEqual([1, 1]);
  });
});
