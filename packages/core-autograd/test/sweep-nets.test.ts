import { describe, expect, it } from 'vitest';
import { makeRng } from '@paperzoo/tensor';
import { MatrixNet, MomentumTrainer, ScalarNet, XOR, encoderProblem, hiddenCodes, trainUntilLearned, type NetShape } from '../src/sweep-nets.js';

const shapes: Array<[string, NetShape]> = [
  ['2-2-1', { inputs: 2, hidden: 2, outputs: 1, skip: false }],
  ['2-1-1 with direct connections', { inputs: 2, hidden: 1, outputs: 1, skip: true }],
  ['8-3-8', { inputs: 8, hidden: 3, outputs: 8, skip: false }],
];

describe('the two engines run the same network', () => {
  it.each(shapes)('%s: same weights, error and gradient from the same random stream', (_, shape) => {
    const problem = shape.inputs === 2 ? XOR : encoderProblem(8);
    const a = new ScalarNet(shape, makeRng('same'), 1);
    const b = new MatrixNet(shape, makeRng('same'), 1);
    expect(a.parameterCount).toBe(b.parameterCount);
    const ra = a.sweep(problem);
    const rb = b.sweep(problem);
    expect(rb.error).toBeCloseTo(ra.error, 12);
    const ga = a.gradient();
    const gb = b.gradient();
    ga.forEach((g, i) => expect(gb[i]).toBeCloseTo(g, 12));
  });

  it.each(shapes)('%s: 200 sweeps of eq. 9 give the same trajectory', (_, shape) => {
    const problem = shape.inputs === 2 ? XOR : encoderProblem(8);
    const options = { learningRate: 0.3, momentum: 0.9, maxSweeps: 200, tightTolerance: 0.01 };
    const ea: number[] = [];
    const eb: number[] = [];
    trainUntilLearned(new ScalarNet(shape, makeRng(7), 1), problem, { ...options, onSweep: (_s, o) => ea.push(o.error) });
    trainUntilLearned(new MatrixNet(shape, makeRng(7), 1), problem, { ...options, onSweep: (_s, o) => eb.push(o.error) });
    expect(eb.length).toBe(ea.length);
    ea.forEach((e, i) => expect(Math.abs(eb[i] - e)).toBeLessThan(1e-9 * Math.max(1, e)));
  });
});

describe('gradient of the scalar net', () => {
  it('matches central finite differences of E (2-1-1 with direct connections)', () => {
    const net = new ScalarNet({ inputs: 2, hidden: 1, outputs: 1, skip: true }, makeRng(3), 2);
    net.sweep(XOR);
    const g = net.gradient();
    const h = 1e-6;
    net.parameters.forEach((p, i) => {
      const w = p.data;
      p.data = w + h;
      const up = net.sweep(XOR).error;
      p.data = w - h;
      const down = net.sweep(XOR).error;
      p.data = w;
      expect(g[i]).toBeCloseTo((up - down) / (2 * h), 7);
    });
  });
});

describe('trainUntilLearned', () => {
  it('eq. 9 with α = 0 is plain gradient descent: one step moves every weight by −ε ∂E/∂w', () => {
    const net = new ScalarNet({ inputs: 2, hidden: 2, outputs: 1, skip: false }, makeRng(1), 1);
    const before = net.parameters.map((p) => p.data);
    net.sweep(XOR);
    const g = net.gradient();
    const fresh = new ScalarNet({ inputs: 2, hidden: 2, outputs: 1, skip: false }, makeRng(1), 1);
    trainUntilLearned(fresh, XOR, { learningRate: 0.5, momentum: 0, maxSweeps: 1, tightTolerance: 1e-9 });
    fresh.parameters.forEach((p, i) => expect(p.data).toBeCloseTo(before[i] - 0.5 * g[i], 14));
  });

  it('learns XOR with two hidden units from a fixed start, and reports when', () => {
    const r = trainUntilLearned(new ScalarNet({ inputs: 2, hidden: 2, outputs: 1, skip: false }, makeRng('0/xor/0'), 1), XOR, { learningRate: 0.5, momentum: 0.9, maxSweeps: 5000, tightTolerance: 0.1 });
    expect(r.sweepsToTight).not.toBeNull();
    expect(r.sweepsToSide!).toBeLessThanOrEqual(r.sweepsToTight!);
    r.last.outputs.forEach((row, c) => expect(Math.abs(row[0] - XOR.targets[c][0])).toBeLessThan(0.1));
  });

  it('stops at maxSweeps and says it did not learn', () => {
    const r = trainUntilLearned(new ScalarNet({ inputs: 2, hidden: 2, outputs: 1, skip: false }, makeRng(2), 1), XOR, { learningRate: 0.5, momentum: 0.9, maxSweeps: 3, tightTolerance: 0.1 });
    expect(r.sweepsToTight).toBeNull();
    expect(r.sweeps).toBe(3);
  });
});

describe('MomentumTrainer', () => {
  it.each(shapes)('%s: a trainer restored from get() after 37 sweeps (JSON round trip) ends exactly where an uninterrupted one does', (_, shape) => {
    const problem = shape.inputs === 2 ? XOR : encoderProblem(8);
    const Net = shape.inputs === 2 ? ScalarNet : MatrixNet;
    const options = { learningRate: 0.3, momentum: 0.9, maxSweeps: 120, tightTolerance: 0.1 };
    const whole = trainUntilLearned(new Net(shape, makeRng(5), 1), problem, options);
    const first = new MomentumTrainer(new Net(shape, makeRng(5), 1), problem, options);
    for (let s = 0; s < 37; s++) first.step();
    const second = new MomentumTrainer(new Net(shape, makeRng('other'), 1), problem, options);
    second.set(JSON.parse(JSON.stringify(first.get())));
    while (!second.done) second.step();
    expect(second.outcome()).toEqual(whole);
  });
});

describe('hiddenCodes', () => {
  it('counts distinct binary codes and the smallest separation', () => {
    expect(hiddenCodes([[0.9, 0.1], [0.1, 0.9], [0.8, 0.2]])).toEqual({ binaryDistinct: 2, minSeparation: expect.closeTo(0.1, 12) as number });
    expect(hiddenCodes([[0, 0], [0, 1], [1, 0], [1, 1]])).toEqual({ binaryDistinct: 4, minSeparation: 1 });
  });
});
