import { describe, expect, it } from 'vitest';
import { PieceLayout, dragonflyPieceBytes, nextPowerOfTwo, pieceBytesFor } from '../src/distribution/p2p-pieces.ts';

const MiB = 1024 * 1024;

describe('piece-size policies (FACTS.md §1a, §1b)', () => {
  it('Kraken cuts every blob into 4 MiB pieces', () => {
    for (const size of [1, 100e3, 1e9, 20e9]) expect(pieceBytesFor({ kind: 'kraken' }, size)).toBe(4 * MiB);
  });

  it('Dragonfly: next_power_of_two(size / 500) clamped to [4, 64] MiB, with the FACTS.md examples', () => {
    expect(dragonflyPieceBytes(100e3)).toBe(4 * MiB); // 100 KB → one 4 MiB-class piece
    expect(new PieceLayout(100e3, dragonflyPieceBytes(100e3)).count).toBe(1);
    expect(dragonflyPieceBytes(1e9)).toBe(4 * MiB); // 1 GB → 239 pieces
    expect(new PieceLayout(1e9, dragonflyPieceBytes(1e9)).count).toBe(239);
    expect(dragonflyPieceBytes(10e9)).toBe(32 * MiB); // 10 GB → 32 MiB
    expect(dragonflyPieceBytes(1e12)).toBe(64 * MiB); // clamped at the top
    expect(nextPowerOfTwo(5)).toBe(8);
    expect(nextPowerOfTwo(8)).toBe(8);
  });

  it('a layout covers the blob exactly: full pieces and a remainder', () => {
    const l = new PieceLayout(10 * MiB + 5, 4 * MiB);
    expect(l.count).toBe(3);
    expect(l.bytesOf(0)).toBe(4 * MiB);
    expect(l.bytesOf(2)).toBe(2 * MiB + 5);
    let sum = 0;
    for (let i = 0; i < l.count; i++) sum += l.bytesOf(i);
    expect(sum).toBe(10 * MiB + 5);
    expect(new PieceLayout(0, 4 * MiB).count).toBe(1);
  });
});
