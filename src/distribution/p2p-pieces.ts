/**
 * How a P2P system cuts a blob into pieces. The piece is the unit a peer requests, verifies and re-serves,
 * so its size sets how soon a peer can start uploading what it just received (small pieces pipeline
 * better through the swarm; FACTS.md §2, Mundinger et al.) against per-piece request overhead.
 */

const MiB = 1024 * 1024;

export type PiecePolicy =
  /** Kraken: `metainfogen.piece_lengths: {0: 4MB}` for every blob size (FACTS.md §1a; Kraken's units are binary). */
  | { kind: 'kraken' }
  /** Dragonfly v2 client: next_power_of_two(size / 500) clamped to [4 MiB, 64 MiB] (FACTS.md §1b, piece.rs). */
  | { kind: 'dragonfly' }
  /** A fixed piece size, bytes (a scenario override). */
  | { kind: 'fixed'; bytes: number };

export const KRAKEN_PIECE_BYTES = 4 * MiB;
/** dragonfly-client resource/piece.rs: MAX_PIECE_COUNT, MIN_PIECE_LENGTH, MAX_PIECE_LENGTH. */
export const DRAGONFLY_MAX_PIECE_COUNT = 500;
export const DRAGONFLY_MIN_PIECE_BYTES = 4 * MiB;
export const DRAGONFLY_MAX_PIECE_BYTES = 64 * MiB;

/** Smallest power of two ≥ x (1 for x ≤ 1). */
export function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

export function dragonflyPieceBytes(blobBytes: number): number {
  const p = nextPowerOfTwo(Math.ceil(blobBytes / DRAGONFLY_MAX_PIECE_COUNT));
  return Math.min(DRAGONFLY_MAX_PIECE_BYTES, Math.max(DRAGONFLY_MIN_PIECE_BYTES, p));
}

export function pieceBytesFor(policy: PiecePolicy, blobBytes: number): number {
  switch (policy.kind) {
    case 'kraken':
      return KRAKEN_PIECE_BYTES;
    case 'dragonfly':
      return dragonflyPieceBytes(blobBytes);
    case 'fixed':
      return policy.bytes;
  }
}

/** A blob cut into pieces: every piece is `pieceBytes` except the last, which holds the remainder. */
export class PieceLayout {
  readonly count: number;
  readonly pieceBytes: number;

  constructor(
    readonly blobBytes: number,
    pieceBytes: number,
  ) {
    if (!(pieceBytes > 0)) throw new Error(`internal: piece size must be > 0, got ${pieceBytes}`);
    this.pieceBytes = pieceBytes;
    // A zero-byte blob is still one (empty) piece, so "has every piece" stays meaningful.
    this.count = Math.max(1, Math.ceil(blobBytes / pieceBytes));
  }

  bytesOf(piece: number): number {
    return piece < this.count - 1 ? this.pieceBytes : this.blobBytes - this.pieceBytes * (this.count - 1);
  }
}
