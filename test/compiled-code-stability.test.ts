/**
 * Compiled code that a run keeps: V8 discards an optimized function when something it assumed changes
 * (a field's constness or representation, a multiply's "small integers"), and compiles it again. These
 * ask V8 itself (test/v8-natives.ts: natives, in a child process) whether the assumptions
 * behind two such discards still hold. Each check fails on the code before its fix.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inV8 } from './v8-natives.ts';

/** %GetOptimizationStatus bit: the function has TurboFan code. */
const TURBOFANNED = 1 << 6;

describe('compiled code survives what every run does', () => {
  it('a layer set growing past its words mid-run leaves code that reads layer sets optimized', () => {
    const mod = fileURLToPath(new URL('../src/cluster/layer-set.ts', import.meta.url));
    const code = `
      import { LayerSet } from ${JSON.stringify(mod)};
      // Warm caches: every node's set holds the first versions' layers before the run starts.
      const sets = [];
      for (let i = 0; i < 50; i++) { const s = new LayerSet(); for (let l = 0; l < 80; l++) s.add(l); sets.push(s); }
      function probe(n, l) { let c = 0; for (let i = 0; i < n; i++) if (sets[i % sets.length].has(l + (i & 7))) c++; return c; }
      %PrepareFunctionForOptimization(probe); probe(100, 3); probe(100, 5); %OptimizeFunctionOnNextCall(probe); probe(100, 3);
      const before = %GetOptimizationStatus(probe);
      sets[7].add(300); // a release's new layer id, past the words the set had
      const hits = probe(100, 3);
      console.log(JSON.stringify({ before, after: %GetOptimizationStatus(probe), hits }));`;
    const r = inV8(code) as { before: number; after: number; hits: number };
    expect(r.before & TURBOFANNED).toBe(TURBOFANNED);
    expect(r.after & TURBOFANNED).toBe(TURBOFANNED);
    expect(r.hits).toBe(100); // layers 3..10 are in every set
  });

  it("the kernel's handles outgrowing small integers leave push optimized", () => {
    const mod = fileURLToPath(new URL('../src/kernel/index.ts', import.meta.url));
    const code = `
      import { Simulator } from ${JSON.stringify(mod)};
      const sim = new Simulator(16);
      const t = sim.register(() => {});
      const push = Simulator.prototype.push;
      // Fresh slots only: every handle so far is a small integer.
      for (let i = 0; i < 200; i++) sim.schedule(1 + i, t);
      sim.run();
      %PrepareFunctionForOptimization(push); sim.schedule(1, t); sim.schedule(2, t); %OptimizeFunctionOnNextCall(push); sim.schedule(3, t);
      sim.run();
      const before = %GetOptimizationStatus(push);
      // One slot recycled past its 32nd generation: handles above 2^31.
      let last = 0;
      for (let i = 0; i < 64; i++) { last = sim.schedule(1, t); sim.run({ maxEvents: 1 }); }
      console.log(JSON.stringify({ before, after: %GetOptimizationStatus(push), big: last > 2 ** 31 }));`;
    const r = inV8(code) as { before: number; after: number; big: boolean };
    expect(r.big).toBe(true);
    expect(r.before & TURBOFANNED).toBe(TURBOFANNED);
    expect(r.after & TURBOFANNED).toBe(TURBOFANNED);
  });

  it("the kernel's front outgrowing its arrays mid-run leaves code that reads them optimized", () => {
    const mod = fileURLToPath(new URL('../src/kernel/index.ts', import.meta.url));
    const code = `
      import { Simulator } from ${JSON.stringify(mod)};
      const sim = new Simulator(16);
      const t = sim.register(() => {});
      // Reads the front's array around calls, as the dispatch loop does around its handlers: code that
      // V8 may compile on the assumption that the field never changes (the kernel's push and schedule were
      // discarded with it before typedArraysReassigned).
      function reader(s, f) { let x = 0; for (let i = 0; i < 10; i++) { x += s.fT.length; f(); } return x; }
      const nop = () => {};
      %PrepareFunctionForOptimization(reader); reader(sim, nop); reader(sim, nop); %OptimizeFunctionOnNextCall(reader); reader(sim, nop);
      const before = %GetOptimizationStatus(reader);
      // A cluster in lockstep: 5,000 events at one instant, taken into the front at once (it held 64).
      for (let i = 0; i < 5000; i++) sim.schedule(1, t);
      const stats = sim.run();
      const length = reader(sim, nop) / 10;
      console.log(JSON.stringify({ before, after: %GetOptimizationStatus(reader), events: stats.events, length }));`;
    const r = inV8(code) as { before: number; after: number; events: number; length: number };
    expect(r.events).toBe(5000);
    expect(r.length).toBeGreaterThanOrEqual(5000); // the front did grow
    expect(r.before & TURBOFANNED).toBe(TURBOFANNED);
    expect(r.after & TURBOFANNED).toBe(TURBOFANNED);
  });

  it("a new handler type leaves the kernel's dispatch loop optimized once its call sites are primed", () => {
    const mod = fileURLToPath(new URL('../src/kernel/index.ts', import.meta.url));
    const run = (prime: boolean) => {
      const code = `
        import { Simulator, primeDispatch } from ${JSON.stringify(mod)};
        if (${prime}) primeDispatch();
        const sim = new Simulator(16);
        const a = sim.register(() => {});
        const loop = Simulator.prototype.dispatchLoop;
        for (let i = 0; i < 100; i++) sim.schedule(i, a);
        %PrepareFunctionForOptimization(loop);
        sim.run();
        for (let i = 0; i < 100; i++) sim.schedule(i, a);
        %OptimizeFunctionOnNextCall(loop);
        sim.run();
        const before = %GetOptimizationStatus(loop);
        // A model's next handler type, first dispatched after the loop was compiled.
        const b = sim.register(() => {});
        for (let i = 0; i < 10; i++) sim.schedule(i, b);
        const stats = sim.run();
        console.log(JSON.stringify({ before, after: %GetOptimizationStatus(loop), events: stats.events }));`;
      return inV8(code) as { before: number; after: number; events: number };
    };
    const primed = run(true);
    expect(primed.events).toBe(10);
    expect(primed.before & TURBOFANNED).toBe(TURBOFANNED);
    expect(primed.after & TURBOFANNED).toBe(TURBOFANNED);
    // Without priming the loop speculated on the one handler it had seen, and the new one discarded it.
    const cold = run(false);
    expect(cold.before & TURBOFANNED).toBe(TURBOFANNED);
    expect(cold.after & TURBOFANNED).toBe(0);
  });
});
