/**
 * Named, independent random streams (seedrandom's Alea). Each purpose draws from its own stream, seeded
 * from the run seed and the stream's name, so adding a component never shifts another component's draws
 * and variants that use the same names see the same numbers (common random numbers).
 */
import seedrandom from 'seedrandom';

export class Rng {
  private readonly prng: () => number;
  constructor(seed: string) {
    this.prng = seedrandom.alea(seed);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.prng();
  }
  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }
  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.prng());
  }
}

export class RngStreams {
  private readonly streams = new Map<string, Rng>();
  constructor(readonly seed: number | string) {}
  stream(name: string): Rng {
    let s = this.streams.get(name);
    if (!s) {
      s = new Rng(`${this.seed}\u0000${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}
