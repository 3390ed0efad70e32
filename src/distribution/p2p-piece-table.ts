/**
 * The per-piece state of every member of one swarm, in one buffer: a member's row is its peer-holder
 * counts (int32 per piece), then its have flags and its request flags (a byte per piece each), so the
 * three fields of one member's piece sit in one or two cache lines.
 *
 * Performance (issue 6 goal 3, the 10,000-node crowd): when a host gets a piece it bumps the holder count
 * of each downloader it serves and reads their flags; with three typed arrays per member (and the member
 * object in between) those were five dependent loads per downloader, mostly cache misses, and the
 * biggest single cost of the run. A row is addressed by its offset `w` (in int32 words), which a member
 * and its channels keep; rows never move, the buffer doubles when full.
 */
export class PieceTable {
  /** Peer-holder counts: piece p of the row at w is words[w + p]. */
  private words: Int32Array;
  /** The same buffer as bytes: have flags at 4·(w + pieces) + p, request flags `pieces` bytes further. */
  private bytes: Uint8Array;
  /** Int32 words per row: the counts, then the two flag bytes per piece rounded up to whole words. */
  private readonly stride: number;
  private rows = 0;

  constructor(
    readonly pieces: number,
    initialRows = 16,
  ) {
    this.stride = pieces + Math.ceil((2 * pieces) / 4);
    this.words = new Int32Array(this.stride * initialRows);
    this.bytes = new Uint8Array(this.words.buffer);
  }

  /** A new, zeroed row; returns its offset. */
  add(): number {
    const w = this.rows * this.stride;
    if (w + this.stride > this.words.length) {
      const words = new Int32Array(2 * this.words.length);
      words.set(this.words);
      this.words = words;
      this.bytes = new Uint8Array(words.buffer);
    }
    this.rows++;
    return w;
  }

  has(w: number, p: number): number {
    return this.bytes[4 * (w + this.pieces) + p];
  }

  setHas(w: number, p: number): void {
    this.bytes[4 * (w + this.pieces) + p] = 1;
  }

  requested(w: number, p: number): number {
    return this.bytes[4 * (w + this.pieces) + this.pieces + p];
  }

  setRequested(w: number, p: number, flags: number): void {
    this.bytes[4 * (w + this.pieces) + this.pieces + p] = flags;
  }

  peerHave(w: number, p: number): number {
    return this.words[w + p];
  }

  addPeerHave(w: number, p: number, delta: number): void {
    this.words[w + p] += delta;
  }

  /** Row `to` counts every piece row `from` has, `sign` times (+1: a connection opened, −1: it closed). */
  addHolder(to: number, from: number, sign: number): void {
    const words = this.words;
    const bytes = this.bytes;
    const have = 4 * (from + this.pieces);
    for (let p = 0; p < this.pieces; p++) words[to + p] += sign * bytes[have + p];
  }
}
