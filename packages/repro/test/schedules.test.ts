import { describe, expect, it } from 'vitest';
import { constantLr, cosineDecay, exponentialDecay, inverseSqrtDecay, linearWarmup, multiStepDecay, piecewiseConstant, stepDecay } from '../src/index.js';

const at = (f: (t: number) => number, ts: number[]) => ts.map(f);

describe('learning-rate schedules', () => {
  it('constant', () => {
    expect(at(constantLr(0.1), [0, 1, 1000])).toEqual([0.1, 0.1, 0.1]);
  });

  it('step decay: η₀·γ^⌊t/every⌋', () => {
    const s = stepDecay({ initial: 1, factor: 0.1, every: 10 });
    expect(s(0)).toBe(1);
    expect(s(9)).toBe(1);
    expect(s(10)).toBeCloseTo(0.1, 15);
    expect(s(25)).toBeCloseTo(0.01, 15);
  });

  it('piecewise constant', () => {
    const s = piecewiseConstant({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] });
    expect(at(s, [0, 99, 100, 199, 200, 10_000])).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
    expect(() => piecewiseConstant({ boundaries: [1], values: [1] })).toThrow(/one more value/);
    expect(() => piecewiseConstant({ boundaries: [2, 1], values: [1, 2, 3] })).toThrow(/increase/);
  });

  it('multi-step decay: η₀ divided by 10 (or d) at each boundary passed, step by step', () => {
    const s = multiStepDecay({ initial: 0.1, boundaries: [32000, 48000] });
    expect(at(s, [0, 31999, 32000, 47999, 48000, 64000])).toEqual([0.1, 0.1, 0.1 / 10, 0.1 / 10, 0.1 / 10 / 10, 0.1 / 10 / 10]);
    // The same floats as the piecewise-constant schedule with repeatedly divided values (not η₀·0.1^k, not η₀/10^k).
    const lr = 0.3;
    const divided = multiStepDecay({ initial: lr, boundaries: [5, 9, 12] });
    expect(at(divided, [0, 5, 9, 12])).toEqual([lr, lr / 10, lr / 10 / 10, lr / 10 / 10 / 10]);
    expect(lr / 10 / 10 / 10).not.toBe(lr * 0.1 ** 3);
    expect(at(multiStepDecay({ initial: 1, boundaries: [2], divisor: 4 }), [1, 2])).toEqual([1, 0.25]);
    expect(at(multiStepDecay({ initial: 0.5, boundaries: [] }), [0, 1e6])).toEqual([0.5, 0.5]);
    expect(() => multiStepDecay({ initial: 0.1, boundaries: [2, 1] })).toThrow(/increase/);
    expect(() => multiStepDecay({ initial: 0.1, boundaries: [1], divisor: 0 })).toThrow(/divisor/);
  });

  it('exponential decay: η₀·r^(t/decaySteps), staircase', () => {
    const s = exponentialDecay({ initial: 0.1, rate: 0.5, decaySteps: 100 });
    expect(s(0)).toBe(0.1);
    expect(s(100)).toBeCloseTo(0.05, 15);
    expect(s(50)).toBeCloseTo(0.1 * Math.SQRT1_2, 15);
    const st = exponentialDecay({ initial: 0.1, rate: 0.5, decaySteps: 100, staircase: true });
    expect(st(199)).toBeCloseTo(0.05, 15);
  });

  it('cosine decay: ends at final and stays there', () => {
    const s = cosineDecay({ initial: 1, totalSteps: 100, final: 0.1 });
    expect(s(0)).toBe(1);
    expect(s(50)).toBeCloseTo(0.55, 15);
    expect(s(100)).toBeCloseTo(0.1, 15);
    expect(s(1000)).toBeCloseTo(0.1, 15);
    expect(cosineDecay({ initial: 2, totalSteps: 4 })(2)).toBeCloseTo(1, 15);
  });

  it('linear warm-up then another schedule', () => {
    const s = linearWarmup({ warmupSteps: 4, then: stepDecay({ initial: 1, factor: 0.5, every: 10 }) });
    expect(at(s, [0, 1, 2, 3])).toEqual([0.25, 0.5, 0.75, 1]);
    expect(s(4)).toBe(1);
    expect(s(14)).toBe(0.5);
    expect(linearWarmup({ warmupSteps: 0, then: 0.3 })(0)).toBe(0.3);
  });

  it('inverse square root: η₀/√(1+t/τ)', () => {
    const s = inverseSqrtDecay({ initial: 1 });
    expect(s(0)).toBe(1);
    expect(s(3)).toBe(0.5);
    expect(inverseSqrtDecay({ initial: 1, timescale: 100 })(300)).toBe(0.5);
  });

  it('rejects bad parameters and steps', () => {
    expect(() => stepDecay({ initial: 1, factor: 0.5, every: 0 })).toThrow(RangeError);
    expect(() => cosineDecay({ initial: 1, totalSteps: 0 })).toThrow(RangeError);
    expect(() => constantLr(-1)).toThrow(RangeError);
    expect(() => constantLr(0.1)(-1)).toThrow(/step must be/);
    expect(() => constantLr(0.1)(NaN)).toThrow(/step must be/);
  });
});
