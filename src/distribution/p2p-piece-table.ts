/**
 * The per-piece flags of every member of one swarm, in one buffer: a member's row is its have flags and
 * then its request flags, a byte per piece each, so one member's flags sit in one or two cache lines.
 *
 * Performance (issue 6 goal 3, the 10,000-node crowd): when a host gets a piece it reads the flags of
 * every downloader it serves; with typed arrays per member (and the member object in between) those were
 * dependent loads per downloader, mostly cache misses, and the biggest single cost of the run. A row is
 * addressed by its offset `w`, which a member and its channels keep; rows never move, the buffer doubles
 * when full.
 */
export class PieceTable {
  /** Have flags of the row at w: bytes[w + p]; its request flags: bytes[w + pieces + p]. */
  private bytes: Uint8Array;
  private rows = 0;

  constructor(
    readonly pieces: number,
    initialRows = 16,
  ) {
    this.bytes = new Uint8Array(2 * pieces * initialRows);
  }

  /** A new, zeroed row; returns its offset. */
  add(): number {
    const w = this.rows * 2 * this.pieces;
    if (w + 2 * this.pieces > this.bytes.length) {
      const bytes = new Uint8Array(2 * this.bytes.length);
      bytes.set(this.bytes);
      this.bytes = bytes;
    }
    this.rows++;
    return w;
  }

  has(w: number, p: number): number {
    return this.bytes[w + p];
  }

  setHas(w: number, p: number): void {
    this.bytes[w + p] = 1;
  }

  requested(w: number, p: number): number {
    return this.bytes[w + this.pieces + p];
  }

  setRequested(w: number, p: number, flags: number): void {
    this.bytes[w + this.pieces + p] = flags;
  }
}
