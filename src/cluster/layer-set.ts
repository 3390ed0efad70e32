/** The words of an empty set: every set starts with it and grows at its first add. */
const NO_WORDS = new Uint32Array(0);

/**
 * A node's set of layer ids (its content store): the part of Set<number> the node runtime uses.
 *
 * Performance (issue 6, goal 3): layer ids are small dense integers (the catalog numbers them from 0),
 * and every pull asks the store about each of its image's layers, so a bitset answers `has` with one
 * word read instead of a hash-table probe — about 1.4 M probes in the seed scenario, each on a different
 * node's table. Memory is one bit per layer id up to the highest one added.
 */
export class LayerSet {
  /**
   * Performance: every set replaces its first (empty) words at its first add, at set-up, so V8 knows
   * from the start that the field is reassigned. A field it had seen only initialised counts as constant,
   * and the first set to outgrow its words mid-run (new layer ids every release) discarded every
   * compiled function that read it.
   */
  private words = NO_WORDS;
  private count = 0;

  /** Number of layers in the set. */
  get size(): number {
    return this.count;
  }

  has(layer: number): boolean {
    const w = layer >>> 5;
    return w < this.words.length && (this.words[w] & (1 << (layer & 31))) !== 0;
  }

  add(layer: number): this {
    if (!(layer >= 0 && (layer | 0) === layer)) throw new RangeError(`layer id must be a non-negative integer, got ${layer}`);
    const w = layer >>> 5;
    if (w >= this.words.length) {
      const grown = new Uint32Array(Math.max(2 * this.words.length, w + 1));
      grown.set(this.words);
      this.words = grown;
    }
    const bit = 1 << (layer & 31);
    if ((this.words[w] & bit) === 0) {
      this.words[w] |= bit;
      this.count++;
    }
    return this;
  }

  delete(layer: number): boolean {
    if (!this.has(layer)) return false;
    this.words[layer >>> 5] &= ~(1 << (layer & 31));
    this.count--;
    return true;
  }
}
