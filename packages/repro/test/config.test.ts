import { describe, expect, it } from 'vitest';
import { applyOverrides, ConfigOverrideError, configKeys, parseAssignment, suggest, z } from '../src/index.js';

const preset = {
  epochs: 20,
  learningRate: 0.05,
  augment: false,
  activation: 'tanh',
  hidden: [300, 100],
  optimizer: { name: 'sgd', beta1: 0.9 },
  maxSteps: null as number | null,
};

function error(fn: () => unknown): ConfigOverrideError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigOverrideError);
    return e as ConfigOverrideError;
  }
  throw new Error('expected a ConfigOverrideError');
}

describe('applyOverrides', () => {
  it('parses each value by the preset field type and records the overrides', () => {
    const { config, overrides } = applyOverrides(preset, ['epochs=2', 'learningRate=1e-3', 'augment=true', 'activation=relu', 'hidden=64,32', 'optimizer.beta1=0.95', 'maxSteps=100']);
    expect(config).toEqual({ epochs: 2, learningRate: 0.001, augment: true, activation: 'relu', hidden: [64, 32], optimizer: { name: 'sgd', beta1: 0.95 }, maxSteps: 100 });
    expect(overrides).toEqual({ epochs: 2, learningRate: 0.001, augment: true, activation: 'relu', hidden: [64, 32], 'optimizer.beta1': 0.95, maxSteps: 100 });
  });

  it('does not touch the preset; later assignments win; values may contain =', () => {
    const { config } = applyOverrides(preset, ['epochs=2', 'epochs=3', 'activation=a=b']);
    expect(config.epochs).toBe(3);
    expect(config.activation).toBe('a=b');
    expect(preset.epochs).toBe(20);
    expect(applyOverrides(preset, []).config).toEqual(preset);
  });

  it('arrays: JSON or comma lists, element types checked', () => {
    expect(applyOverrides(preset, ['hidden=[8, 4, 2]']).config.hidden).toEqual([8, 4, 2]);
    expect(applyOverrides(preset, ['hidden=']).config.hidden).toEqual([]);
    expect(error(() => applyOverrides(preset, ['hidden=["a"]'])).message).toMatch(/element 0 should be a number, got "a"/);
    expect(error(() => applyOverrides(preset, ['hidden=1,x'])).message).toMatch(/hidden\[1\] is a number, and 'x' is not a finite number/);
    expect(error(() => applyOverrides(preset, ['hidden=[1,'])).message).toMatch(/write it as JSON/);
  });

  it('unknown keys are errors with a did-you-mean suggestion', () => {
    let e = error(() => applyOverrides(preset, ['epoch=2'], { id: 'lenet5' }));
    expect(e.message).toMatch(/^unknown config key 'epoch' of lenet5 — did you mean 'epochs'\? \(keys: epochs, learningRate, augment, activation, hidden, optimizer\.name, optimizer\.beta1, maxSteps\)$/);
    expect(e.suggestion).toBe('epochs');
    expect(error(() => applyOverrides(preset, ['learningrate=0.1'])).suggestion).toBe('learningRate');
    expect(error(() => applyOverrides(preset, ['learning_rate=0.1'])).suggestion).toBe('learningRate');
    e = error(() => applyOverrides(preset, ['optimizer.beta=0.5']));
    expect(e.message).toMatch(/unknown config key 'optimizer\.beta' — did you mean 'optimizer\.beta1'\?/);
    e = error(() => applyOverrides(preset, ['optimzer.beta1=0.5']));
    expect(e.message).toMatch(/unknown config key 'optimzer' — did you mean 'optimizer\.beta1'\?/);
    e = error(() => applyOverrides(preset, ['zzz=1']));
    expect(e.suggestion).toBeUndefined();
    expect(e.message).not.toMatch(/did you mean/);
  });

  it('type errors name the field and the expected type', () => {
    expect(error(() => applyOverrides(preset, ['epochs=ten'])).message).toBe("--set epochs=ten: epochs is a number, and 'ten' is not a finite number");
    expect(error(() => applyOverrides(preset, ['epochs='])).message).toMatch(/not a finite number/);
    expect(error(() => applyOverrides(preset, ['epochs=Infinity'])).message).toMatch(/not a finite number/);
    expect(error(() => applyOverrides(preset, ['augment=yes'])).message).toBe("--set augment=yes: augment is true or false, got 'yes'");
    expect(error(() => applyOverrides(preset, ['optimizer=adam'])).message).toMatch(/optimizer is a group of settings; set its fields one by one \(optimizer\.name, optimizer\.beta1\)/);
    expect(error(() => applyOverrides(preset, ['epochs.x=1'])).message).toMatch(/'epochs' is a number, not a group of settings/);
  });

  it('a configSchema adds integer/range/enum checks', () => {
    const schema = z.object({
      epochs: z.number().int().positive(),
      learningRate: z.number().positive(),
      augment: z.boolean(),
      activation: z.enum(['tanh', 'relu']),
      hidden: z.array(z.number().int()),
      optimizer: z.object({ name: z.string(), beta1: z.number().min(0).max(1) }),
      maxSteps: z.number().int().nullable(),
    });
    expect(applyOverrides(preset, ['activation=relu'], { schema }).config.activation).toBe('relu');
    const e = error(() => applyOverrides(preset, ['epochs=2.5', 'activation=gelu', 'optimizer.beta1=2'], { schema, id: 'x' }));
    expect(e.message).toMatch(/the config of x after --set is not valid:/);
    expect(e.message).toMatch(/epochs: Invalid input: expected int/);
    expect(e.message).toMatch(/activation: Invalid option/);
    expect(e.message).toMatch(/optimizer\.beta1: Too big/);
  });
});

describe('parseAssignment / configKeys / suggest', () => {
  it('parseAssignment', () => {
    expect(parseAssignment('a.b=1')).toEqual({ key: 'a.b', raw: '1' });
    expect(() => parseAssignment('novalue')).toThrow(/expects key=value/);
    expect(() => parseAssignment('=1')).toThrow(/expects key=value/);
    expect(() => parseAssignment('a b=1')).toThrow(/is not a config key/);
  });
  it('configKeys lists leaves with dotted paths', () => {
    expect(configKeys({ a: 1, b: { c: [1], d: { e: 'x' } } })).toEqual(['a', 'b.c', 'b.d.e']);
  });
  it('suggest', () => {
    expect(suggest('lst', ['list', 'run', 'compare', 'report'])).toBe('list');
    expect(suggest('batchsize', ['batchSize', 'epochs'])).toBe('batchSize');
    expect(suggest('epcohs', ['batchSize', 'epochs'])).toBe('epochs');
    expect(suggest('lr', ['learningRate', 'lrDecay'])).toBe('lrDecay');
    expect(suggest('xyz', ['list', 'run'])).toBeUndefined();
    expect(suggest('ab', [])).toBeUndefined();
  });
});
