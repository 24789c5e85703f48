// The optimizer API: defaults, parameter groups, options read fresh at each
// step, validation (PyTorch's rules), zeroGrad, the state dict and its round
// trip, and the cached tensor lists following replaced arrays.
import { describe, it, expect } from 'vitest';
import { backend, optim, Parameter, Tensor } from '../src';
import type { Optimizer, OptimizerStateDict } from '../src/optim';
import { configs, withConfig, expectBitsEqual, randomArray } from './helpers';

const f = Math.fround;

function param(values: number[] | Float32Array): Parameter {
  return new Parameter(Float32Array.from(values));
}

function ps(n = 2): Parameter[] {
  return Array.from({ length: n }, (_, i) => param(randomArray(5 + i, 10 + i)));
}

type Any = Optimizer<Record<string, unknown>>;

describe('options and parameter groups', () => {
  it('every optimizer has PyTorch defaults, camelCase, on paramGroups', () => {
    const common = { maximize: false, skipNonFinite: false };
    const strip = (o: Any) => {
      const { params, ...rest } = o.paramGroups[0];
      return rest;
    };
    expect(strip(new optim.SGD(ps(), { lr: 0.1 }) as unknown as Any)).toEqual({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...common });
    const adam = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false, ...common };
    expect(strip(new optim.Adam(ps()) as unknown as Any)).toEqual({ ...adam, weightDecay: 0 });
    expect(strip(new optim.AdamW(ps()) as unknown as Any)).toEqual({ ...adam, weightDecay: 0.01 });
    expect(strip(new optim.RMSprop(ps()) as unknown as Any)).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...common });
    expect(strip(new optim.Adagrad(ps()) as unknown as Any)).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...common });
  });

  it('groups take the options as defaults and override them', () => {
    const [a, b, c] = ps(3);
    const opt = new optim.Adam([{ params: [a] }, { params: [b, c], lr: 0.1, betas: [0.5, 0.6] }], { eps: 1e-6 });
    expect(opt.paramGroups.map((g) => [g.params.length, g.lr, g.betas, g.eps])).toEqual([
      [1, 1e-3, [0.9, 0.999], 1e-6],
      [2, 0.1, [0.5, 0.6], 1e-6],
    ]);
    expect(opt.paramGroups[1].params[0]).toBe(b);
    expect(opt.paramGroups[0].betas).not.toBe(opt.paramGroups[1].betas);
  });

  it('lr, momentum and betas are read fresh at every step (schedulers set them)', () => {
    for (const c of configs()) {
      withConfig(c, () => {
        const p = param([1]);
        const sgd = new optim.SGD([p], { lr: 0.1, momentum: 0.5 });
        p.grad[0] = 1;
        sgd.step(); // buf 1, p = 0.9
        sgd.paramGroups[0].lr = 0.01;
        sgd.paramGroups[0].momentum = 0.9;
        sgd.step(); // buf 0.9 + 1 = 1.9, p = 0.9 - 0.019
        expect(p.data[0]).toBe(f(f(0.9) + f(f(-0.01) * f(f(0.9) + 1))));

        const [x, y] = [param([1]), param([1])];
        const [o1, o2] = [new optim.Adam([x]), new optim.Adam([y], { betas: [0.85, 0.99] })];
        x.grad[0] = y.grad[0] = 0.5;
        o1.paramGroups[0].betas = [0.85, 0.99];
        o1.step();
        o2.step();
        expectBitsEqual(x.data, y.data, `${c.name}: betas set on paramGroups`);
      });
    }
  });

  it('zeroGrad zeroes every gradient of every group', () => {
    const [a, b] = ps();
    const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    a.grad.fill(3);
    b.grad.fill(-2);
    opt.zeroGrad();
    expect([...a.grad, ...b.grad].every((v) => v === 0)).toBe(true);
  });

  it('a group-level initialAccumulatorValue fills that group\'s Adagrad sums', () => {
    const [a, b] = ps();
    const opt = new optim.Adagrad([{ params: [a] }, { params: [b], initialAccumulatorValue: 0.5 }], { initialAccumulatorValue: 0.1 });
    const st = opt.stateDict().state;
    expect((st[0].sum as Float32Array)[0]).toBe(f(0.1));
    expect((st[1].sum as Float32Array)[0]).toBe(0.5);
    expect(st[1].step).toBe(0);
  });
});

describe('validation', () => {
  const p = () => ps(1);
  const rangeErrors: [string, () => unknown, RegExp][] = [
    ['SGD lr < 0', () => new optim.SGD(p(), { lr: -0.1 }), /\blr\b/],
    ['SGD momentum < 0', () => new optim.SGD(p(), { lr: 0.1, momentum: -0.5 }), /momentum/],
    ['SGD weightDecay < 0', () => new optim.SGD(p(), { lr: 0.1, weightDecay: -1 }), /weightDecay/],
    ['SGD nesterov without momentum', () => new optim.SGD(p(), { lr: 0.1, nesterov: true }), /nesterov/],
    ['SGD nesterov with dampening', () => new optim.SGD(p(), { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }), /nesterov.*dampening/],
    ['SGD dampening not finite', () => new optim.SGD(p(), { lr: 0.1, dampening: Infinity }), /dampening/],
    ['Adam lr < 0', () => new optim.Adam(p(), { lr: -1 }), /\blr\b/],
    ['Adam lr Infinity', () => new optim.Adam(p(), { lr: Infinity }), /\blr\b/],
    ['Adam eps < 0', () => new optim.Adam(p(), { eps: -1e-8 }), /eps/],
    ['Adam betas[0] = 1', () => new optim.Adam(p(), { betas: [1, 0.999] }), /betas\[0\]/],
    ['Adam betas[1] < 0', () => new optim.Adam(p(), { betas: [0.9, -0.1] }), /betas\[1\]/],
    ['Adam weightDecay < 0', () => new optim.Adam(p(), { weightDecay: -0.1 }), /weightDecay/],
    ['AdamW betas[1] = 1', () => new optim.AdamW(p(), { betas: [0.9, 1] }), /betas\[1\]/],
    ['AdamW weightDecay < 0', () => new optim.AdamW(p(), { weightDecay: -0.01 }), /weightDecay/],
    ['RMSprop alpha < 0', () => new optim.RMSprop(p(), { alpha: -0.5 }), /alpha/],
    ['RMSprop eps < 0', () => new optim.RMSprop(p(), { eps: -1 }), /eps/],
    ['RMSprop momentum < 0', () => new optim.RMSprop(p(), { momentum: -1 }), /momentum/],
    ['RMSprop lr < 0', () => new optim.RMSprop(p(), { lr: -1 }), /\blr\b/],
    ['Adagrad lrDecay < 0', () => new optim.Adagrad(p(), { lrDecay: -1 }), /lrDecay/],
    ['Adagrad initialAccumulatorValue < 0', () => new optim.Adagrad(p(), { initialAccumulatorValue: -1 }), /initialAccumulatorValue/],
    ['Adagrad eps < 0', () => new optim.Adagrad(p(), { eps: -1 }), /eps/],
    ['Adagrad weightDecay < 0', () => new optim.Adagrad(p(), { weightDecay: -1 }), /weightDecay/],
    ['an unknown option', () => new optim.Adam(p(), { momentum: 0.9 } as object), /unknown option 'momentum'/],
    ['an unknown group option', () => new optim.Adam([{ params: p(), lrr: 1 } as never]), /paramGroups\[0\].*unknown option 'lrr'/],
    ['a bad group override', () => new optim.Adam([{ params: p() }, { params: p(), lr: -1 }]), /paramGroups\[1\]\.lr/],
    ['no parameters', () => new optim.Adam([]), /params must not be empty/],
    ['a parameter twice', () => { const q = p(); return new optim.Adam([{ params: q }, { params: q }]); }, /more than once/],
  ];
  for (const [what, fn, message] of rangeErrors) {
    it(`${what} is a RangeError naming it`, () => {
      expect(fn).toThrow(RangeError);
      expect(fn).toThrow(message);
    });
  }

  const typeErrors: [string, () => unknown, RegExp][] = [
    ['SGD without lr', () => new optim.SGD(p()), /\blr is required/],
    ['betas not a pair', () => new optim.Adam(p(), { betas: 0.9 as never }), /betas must be an array/],
    ['a non-boolean flag', () => new optim.Adam(p(), { amsgrad: 1 as never }), /amsgrad must be a boolean/],
    ['a string lr', () => new optim.Adam(p(), { lr: '0.1' as never }), /lr must be a finite number >= 0, got "0.1"/],
    ['params not an array', () => new optim.Adam(p()[0] as never), /params must be an array/],
    ['a non-Parameter', () => new optim.Adam([{ params: [new Float32Array(3)] } as never]), /params\[0\] must be a Parameter/],
  ];
  for (const [what, fn, message] of typeErrors) {
    it(`${what} is a TypeError naming it`, () => {
      expect(fn).toThrow(TypeError);
      expect(fn).toThrow(message);
    });
  }

  it('options set to bad values on paramGroups are caught at step(), before anything changes', () => {
    const [a] = ps(1);
    const opt = new optim.Adam([a]);
    a.grad.fill(1);
    const before = a.data.slice();
    opt.paramGroups[0].lr = -1;
    expect(() => opt.step()).toThrow(/paramGroups\[0\]\.lr/);
    opt.paramGroups[0].lr = 0.1;
    opt.paramGroups[0].betas = [0.9, 1.5];
    expect(() => opt.step()).toThrow(/paramGroups\[0\]\.betas\[1\]/);
    expectBitsEqual(a.data, before, 'params');
    expect(opt.stateDict().state).toEqual({});
  });

  it('an error in a later group leaves the earlier groups unchanged too', () => {
    const [a, b] = ps();
    const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
    a.grad.fill(1);
    b.grad.fill(1);
    const before = a.data.slice();
    opt.paramGroups[1].momentum = -1;
    expect(() => opt.step()).toThrow(/paramGroups\[1\]\.momentum/);
    opt.paramGroups[1].momentum = 0.9;
    b.grad = new Float32Array(b.size + 2);
    expect(() => opt.step()).toThrow(/paramGroups\[1\]\.params\[0\]: grad has/);
    expectBitsEqual(a.data, before, 'first group');
    expect(opt.stateDict().state).toEqual({});
  });

  it('a replaced array of the wrong length is a RangeError at step()', () => {
    const [a] = ps(1);
    const opt = new optim.Adam([a]);
    opt.step();
    a.grad = new Float32Array(a.size + 1);
    expect(() => opt.step()).toThrow(/paramGroups\[0\]\.params\[0\]: grad has 6 elements, expected 5/);
  });
});

describe('a failed step changes nothing', () => {
  const snapshot = (opt: Any, params: Parameter[]) => ({ data: params.map((p) => p.data.slice()), sd: opt.stateDict() });
  const expectUnchanged = (opt: Any, params: Parameter[], before: ReturnType<typeof snapshot>, what: string) => {
    params.forEach((p, i) => expectBitsEqual(p.data, before.data[i], `${what}: param ${i}`));
    const now = opt.stateDict();
    expect(now.paramGroups).toEqual(before.sd.paramGroups);
    expect(Object.keys(now.state)).toEqual(Object.keys(before.sd.state));
    for (const [idx, st] of Object.entries(before.sd.state)) {
      for (const [k, v] of Object.entries(st)) {
        if (typeof v === 'number') expect(now.state[Number(idx)][k], `${what}: state[${idx}].${k}`).toBe(v);
        else expectBitsEqual(now.state[Number(idx)][k] as Float32Array, v, `${what}: state[${idx}].${k}`);
      }
    }
  };

  const badGrads: [string, (n: number) => unknown, ErrorConstructor, (n: number) => string][] = [
    ['an array', (n) => Array.from({ length: n }, () => 1), TypeError, (n) => `paramGroups[1].params[0].grad must be a Float32Array of length ${n}, got an array of length ${n}`],
    ['a Float64Array', (n) => new Float64Array(n).fill(1), TypeError, (n) => `paramGroups[1].params[0].grad must be a Float32Array of length ${n}, got a Float64Array of length ${n}`],
    ['undefined', () => undefined, TypeError, (n) => `paramGroups[1].params[0].grad must be a Float32Array of length ${n}, got undefined`],
    ['a shorter Float32Array', (n) => new Float32Array(n - 1), RangeError, (n) => `paramGroups[1].params[0]: grad has ${n - 1} elements, expected ${n}`],
  ];
  for (const c of configs()) {
    for (const [what, grad, type, message] of badGrads) {
      it(`${c.name}: a grad that is ${what} is an error naming it, with every group and state unchanged`, () => {
        withConfig(c, () => {
          for (const make of [
            (q: Parameter[]) => new optim.Adam([{ params: [q[0]] }, { params: [q[1]] }]),
            (q: Parameter[]) => new optim.SGD([{ params: [q[0]] }, { params: [q[1]] }], { lr: 0.1, momentum: 0.9, dampening: 0.5 }),
            (q: Parameter[]) => new optim.RMSprop([{ params: [q[0]] }, { params: [q[1]] }], { centered: true, momentum: 0.5, skipNonFinite: true }),
            (q: Parameter[]) => new optim.Adagrad([{ params: [q[0]] }, { params: [q[1]] }]),
          ]) {
            const params = [param([1, 2, 3, 4]), param([5, 6, 7, 8])];
            const opt = make(params) as unknown as Any;
            params.forEach((p) => p.grad.fill(0.5));
            opt.step();
            const before = snapshot(opt, params);
            params[1].grad = grad(4) as Float32Array;
            expect(() => opt.step()).toThrow(type);
            expect(() => opt.step()).toThrow(message(4));
            expectUnchanged(opt, params, before, `${c.name}: ${what}`);
          }
        });
      });
    }

    it(`${c.name}: a bad grad in a group that has not stepped yet creates no state`, () => {
      withConfig(c, () => {
        const params = [param([1, 2, 3, 4]), param([5, 6, 7, 8])];
        const opt = new optim.Adam([{ params: [params[0]] }, { params: [params[1]] }]);
        params[1].grad = [1, 1, 1, 1] as never;
        const before = snapshot(opt as unknown as Any, params);
        expect(() => opt.step()).toThrow(/paramGroups\[1\]\.params\[0\]\.grad must be a Float32Array of length 4, got an array of length 4/);
        expectUnchanged(opt as unknown as Any, params, before, c.name);
        expect(opt.stateDict().state).toEqual({});
      });
    });

    it(`${c.name}: SGD with momentum and dampening after a failed step continues as if it had not happened`, () => {
      withConfig(c, () => {
        const run = (fail: boolean) => {
          const params = [param([1, 2, 3, 4]), param([5, 6, 7, 8])];
          const opt = new optim.SGD([{ params: [params[0]] }, { params: [params[1]] }], { lr: 0.1, dampening: 0.5 });
          params.forEach((p) => p.grad.set([0.5, -1, 2, 0.25]));
          opt.step(); // without momentum: no buffer yet
          opt.paramGroups.forEach((g) => (g.momentum = 0.9));
          if (fail) {
            const good = params[1].grad;
            params[1].grad = Array.from(good) as never;
            expect(() => opt.step()).toThrow(TypeError);
            params[1].grad = good;
          }
          opt.step(); // the first step with momentum: the buffer is the gradient, no dampening
          opt.step();
          return [...params.map((p) => p.data), ...Object.values(opt.stateDict().state).map((st) => st.momentum_buffer as Float32Array)];
        };
        const [a, b] = [run(false), run(true)];
        a.forEach((x, i) => expectBitsEqual(b[i], x, `${c.name}: param ${i}`));
      });
    });

    it(`${c.name}: data that is not a Float32Array of the shape's size is an error naming it`, () => {
      withConfig(c, () => {
        const params = [param([1, 2, 3, 4]), param([5, 6, 7, 8])];
        const opt = new optim.Adam([{ params: [params[0]] }, { params: [params[1]] }]);
        opt.step();
        const before = snapshot(opt as unknown as Any, params);
        const good = params[1].data;
        params[1].data = Array.from(good) as never;
        expect(() => opt.step()).toThrow(/^paramGroups\[1\]\.params\[0\]\.data must be a Float32Array of length 4 \(shape \[4\]\), got an array of length 4/);
        params[1].data = good.subarray(0, 3);
        expect(() => opt.step()).toThrow(/^paramGroups\[1\]\.params\[0\]: data has 3 elements, expected 4 for shape \[4\]/);
        params[1].data = good;
        expectUnchanged(opt as unknown as Any, params, before, c.name);
      });
    });
  }

  it('a grad that is not a Float32Array is caught at construction too', () => {
    const p = param([1, 2]);
    p.grad = [0, 0] as never;
    expect(() => new optim.SGD([p], { lr: 0.1 })).toThrow(/^params\[0\]\.grad must be a Float32Array of length 2, got an array of length 2/);
  });

  it('a Tensor among the parameters is an error saying it must be a Parameter', () => {
    const t = new Tensor([1, 2]);
    expect(() => new optim.Adam([t] as never)).toThrow(TypeError);
    expect(() => new optim.Adam([t] as never)).toThrow(/^params\[0\] must be a Parameter, got an object \(Tensor\)/);
    expect(() => new optim.Adam([param([1]), t] as never)).toThrow(/^params\[1\] must be a Parameter/);
    expect(() => new optim.Adam([{ params: [t] }] as never)).toThrow(/^paramGroups\[0\]\.params\[0\] must be a Parameter, got an object \(Tensor\)/);
    expect(() => new optim.Adam([{ params: [param([1])] }, param([2])] as never)).toThrow(/^paramGroups\[1\] must be a parameter group/);
  });
});

describe('cached tensor lists', () => {
  it('a step follows parameter, gradient and state arrays that were replaced', () => {
    for (const c of configs()) {
      withConfig(c, () => {
        const [a, b] = [param([1, 2]), param([1, 2])];
        const [oa, ob] = [new optim.Adam([a], { lr: 0.1 }), new optim.Adam([b], { lr: 0.1 })];
        a.grad.set([1, -1]);
        b.grad.set([1, -1]);
        oa.step();
        ob.step();
        a.data = Float32Array.from([5, 6]);
        a.grad = Float32Array.from([0.5, 0.25]);
        b.data.set([5, 6]);
        b.grad.set([0.5, 0.25]);
        oa.step();
        ob.step();
        expectBitsEqual(a.data, b.data, `${c.name}: replaced data and grad`);
        oa.loadStateDict(ob.stateDict()); // replaces every state buffer
        oa.step();
        ob.step();
        expectBitsEqual(a.data, b.data, `${c.name}: replaced state`);
      });
    }
  });
  it('switching the backend between steps rebuilds the list for the new backend', () => {
    const run = (backends: ('native' | 'reference')[]) => {
      const p = param(randomArray(33, 5));
      const opt = new optim.RMSprop([p], { centered: true, momentum: 0.9 });
      backends.forEach((b, s) => {
        backend.use(b);
        p.grad.set(randomArray(33, 50 + s));
        opt.step();
      });
      backend.use('native');
      return p.data;
    };
    expectBitsEqual(run(['native', 'reference', 'native', 'reference']), run(['reference', 'reference', 'reference', 'reference']), 'mixed backends');
  });
});

describe('stateDict', () => {
  it("has PyTorch's layout: state by index across groups, options and param indices per group", () => {
    const [a, b, c] = ps(3);
    const opt = new optim.Adam([{ params: [a, b] }, { params: [c], lr: 0.1, amsgrad: true }]);
    expect(opt.stateDict()).toEqual({
      state: {},
      paramGroups: [
        { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, skipNonFinite: false, params: [0, 1] },
        { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false, skipNonFinite: false, params: [2] },
      ],
    });
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0', '1', '2']);
    expect(Object.keys(sd.state[0])).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    expect(Object.keys(sd.state[2]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
    expect((sd.state[2].exp_avg as Float32Array).length).toBe(c.size);
  });

  it('returns copies', () => {
    const [a] = ps(1);
    const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    a.grad.fill(1);
    opt.step();
    const sd = opt.stateDict();
    (sd.state[0].momentum_buffer as Float32Array).fill(42);
    sd.paramGroups[0].lr = 7;
    expect((opt.stateDict().state[0].momentum_buffer as Float32Array)[0]).toBe(1);
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });

  const variants: [string, (p: Parameter[]) => Any][] = [
    ['SGD nesterov', (p) => new optim.SGD([{ params: [p[0]] }, { params: [p[1]], lr: 0.05 }], { lr: 0.1, momentum: 0.9, nesterov: true }) as unknown as Any],
    ['Adam amsgrad', (p) => new optim.Adam(p, { amsgrad: true, weightDecay: 0.01 }) as unknown as Any],
    ['AdamW', (p) => new optim.AdamW([{ params: [p[0]] }, { params: [p[1]], betas: [0.5, 0.9] }]) as unknown as Any],
    ['RMSprop centered momentum', (p) => new optim.RMSprop(p, { centered: true, momentum: 0.9 }) as unknown as Any],
    ['Adagrad', (p) => new optim.Adagrad(p, { lrDecay: 0.1, initialAccumulatorValue: 0.2 }) as unknown as Any],
  ];

  function train(opt: Any, params: Parameter[], steps: number, seed: number): void {
    for (let s = 0; s < steps; s++) {
      params.forEach((p, i) => p.grad.set(randomArray(p.size, seed + 10 * s + i)));
      opt.step();
    }
  }

  for (const [name, make] of variants) {
    it(`${name}: training continued after loadStateDict gives the same bits as uninterrupted training`, () => {
      const straight = ps();
      const o1 = make(straight);
      train(o1, straight, 5, 1);

      const first = ps();
      const o2 = make(first);
      train(o2, first, 3, 1);
      const sd = o2.stateDict();
      const resumed = first.map((p) => param(p.data));
      const o3 = make(resumed);
      o3.paramGroups[0].lr = 123; // the loaded options win
      o3.loadStateDict(sd);
      expect(o3.stateDict()).toEqual(sd);
      for (let s = 3; s < 5; s++) {
        resumed.forEach((p, i) => p.grad.set(randomArray(p.size, 1 + 10 * s + i)));
        o3.step();
      }
      resumed.forEach((p, i) => expectBitsEqual(p.data, straight[i].data, `${name}: param ${i}`));
      const [a, b] = [o3.stateDict(), o1.stateDict()];
      for (const [idx, st] of Object.entries(b.state)) {
        for (const [k, v] of Object.entries(st)) {
          if (typeof v === 'number') expect(a.state[Number(idx)][k]).toBe(v);
          else expectBitsEqual(a.state[Number(idx)][k] as Float32Array, v, `${name}: state[${idx}].${k}`);
        }
      }
    });
  }

  describe('loadStateDict checks everything before changing anything', () => {
    function trained(): { opt: optim.Adam; sd: OptimizerStateDict } {
      const p = ps();
      const opt = new optim.Adam([{ params: [p[0]] }, { params: [p[1]] }], { amsgrad: true });
      p.forEach((q) => q.grad.fill(0.5));
      opt.step();
      return { opt, sd: opt.stateDict() };
    }
    const bad: [string, (sd: OptimizerStateDict) => unknown, ErrorConstructor, RegExp][] = [
      ['not an object', () => 42, TypeError, /stateDict must be an object/],
      ['wrong group count', (sd) => ({ ...sd, paramGroups: sd.paramGroups.slice(1) }), RangeError, /has 1 groups, expected 2/],
      ['wrong param count', (sd) => { sd.paramGroups[1].params = [1, 2]; return sd; }, RangeError, /paramGroups\[1\]\.params has 2 parameters, expected 1/],
      ['a repeated index', (sd) => { sd.paramGroups[1].params = [0]; return sd; }, RangeError, /appears twice/],
      ['a bad option', (sd) => { sd.paramGroups[0].eps = -1; return sd; }, RangeError, /paramGroups\[0\]\.eps/],
      ['an unknown option', (sd) => { sd.paramGroups[0].foo = 1; return sd; }, RangeError, /unknown option 'foo'/],
      ['an unlisted state index', (sd) => { sd.state[5] = sd.state[0]; return sd; }, RangeError, /parameter index 5/],
      ['an unknown state key', (sd) => { sd.state[0].momentum_buffer = new Float32Array(5); return sd; }, RangeError, /unknown state key 'momentum_buffer'/],
      ['a missing required key', (sd) => { delete sd.state[0].exp_avg; return sd; }, RangeError, /lacks exp_avg/],
      ['a buffer of the wrong length', (sd) => { sd.state[1].exp_avg_sq = new Float32Array(3); return sd; }, RangeError, /state\[1\]\.exp_avg_sq has 3 elements, expected 6/],
      ['a buffer that is not a Float32Array', (sd) => { sd.state[0].exp_avg = [1, 2, 3, 4, 5] as never; return sd; }, TypeError, /exp_avg must be a Float32Array/],
      ['a fractional step', (sd) => { sd.state[0].step = 1.5; return sd; }, RangeError, /state\[0\]\.step/],
      [`a state key '' (not a canonical index)`, (sd) => { sd.state['' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
      [`a state key '00' (not a canonical index)`, (sd) => { sd.state['00' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
      [`a state key '01' (not a canonical index)`, (sd) => { sd.state['01' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
      [`a state key ' 1 ' (not a canonical index)`, (sd) => { sd.state[' 1 ' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
      [`a state key '0x1' (not a canonical index)`, (sd) => { sd.state['0x1' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
      [`a state key '1e0' (not a canonical index)`, (sd) => { sd.state['1e0' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
      [`a state key '+1' (not a canonical index)`, (sd) => { sd.state['+1' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
      [`a state key '1.0' (not a canonical index)`, (sd) => { sd.state['1.0' as never] = sd.state[1]; delete sd.state[1]; return sd; }, RangeError, /^stateDict\.state: key .* is not a parameter index/],
    ];
    for (const [what, corrupt, type, message] of bad) {
      it(what, () => {
        const { opt, sd } = trained();
        const before = opt.stateDict();
        const broken = corrupt(opt.stateDict()) as OptimizerStateDict;
        expect(() => opt.loadStateDict(broken)).toThrow(type);
        expect(() => opt.loadStateDict(broken)).toThrow(message);
        expect(opt.stateDict()).toEqual(before);
        expect(before).toEqual(sd);
      });
    }
  });
});

describe('native optimizer bindings', () => {
  it('reject malformed arguments with an error instead of crashing', async () => {
    const { loadNative } = await import('../src/backend/native');
    const a = loadNative();
    const x = new Float32Array(4);
    const list4 = a.makeTensorList([[x], [x.slice()], [x.slice()], [x.slice()]]);
    const scalars = new Float64Array(7);
    expect(() => a.adamStep(list4, scalars, new Float64Array(2), 8)).toThrow(/5 arrays per tensor/); // amsgrad needs 5
    expect(() => a.adamStep(list4, scalars, new Float64Array(1), 0)).toThrow(/perTensor must hold at least 2/);
    expect(() => a.adamStep(list4, new Float64Array(3), new Float64Array(2), 0)).toThrow(/scalars must hold at least 7/);
    expect(() => a.adamStep(list4, new Float32Array(7) as never, new Float64Array(2), 0)).toThrow(TypeError);
    expect(() => a.sgdStep({} as never, new Float64Array(4), new Float64Array(0), 0)).toThrow(/tensor list handle/);
    expect(() => a.rmspropStep(list4, new Float64Array(6), new Float64Array(0), -1)).toThrow(/flags/);
    expect(() => a.adagradStep(list4, new Float64Array(2), new Float64Array(1), 0)).toThrow(/3 arrays per tensor/);
  });
});
