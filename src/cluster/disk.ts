/**
 * A node's image filesystem and kubelet's image garbage collection (`cluster.disk`). Layers take their
 * bytes on disk; when a new layer would take usage above the high threshold, kubelet's image GC deletes
 * least recently used layers no running image and no pull in progress needs, down to the low threshold
 * (imageGCHighThresholdPercent 85 / imageGCLowThresholdPercent 80 by default: GKE NodeKubeletConfig
 * reference, "the default value is 85 / 80"). If that is not enough, the eviction manager evicts pods
 * (imagefs.available below 15 % by default — the same 85 %; assumption as to the order): their images stop
 * running, their layers go, and the evicted pod is recreated on the node (a DaemonSet-like workload), which
 * pulls its image again — the forced re-pull. A layer that does not fit even then fails its pull with reason
 * `disk-full`. GC runs when a layer lands rather than on kubelet's 5-minute period (a simplification).
 */
import { z } from 'zod';
import { zSize } from '../scenario/units.ts';

export interface DiskConfig {
  /** Image filesystem size, bytes (what layers may use; other data is not modelled). */
  sizeBytes: number;
  /** Shares of the size: GC starts above `high` and frees down to `low`. */
  high: number;
  low: number;
  /** Evicted pods are recreated (and re-pull) only before this time: the release window, so a run drains. */
  repullUntilS?: number;
}

export const Disk = z
  .strictObject({
    size: zSize.describe("the node's image filesystem, e.g. \"50 GB\""),
    gcHigh: z.number().min(1).max(100).default(85).describe('imageGCHighThresholdPercent: image GC starts above this usage (kubelet default 85)'),
    gcLow: z.number().min(0).max(100).default(80).describe('imageGCLowThresholdPercent: image GC frees down to this usage (kubelet default 80)'),
  })
  .refine((d) => d.gcLow < d.gcHigh, { error: 'gcLow must be below gcHigh', path: ['gcLow'] })
  .transform((d): DiskConfig => ({ sizeBytes: d.size, high: d.gcHigh / 100, low: d.gcLow / 100 }))
  .describe("a node's image filesystem with kubelet's image GC and disk-pressure eviction (default: unlimited, no GC)");

export class ImageDisk {
  used = 0;
  /** Layers on disk, least recently used first (Map insertion order; a use re-inserts: deterministic). */
  private readonly lru = new Map<number, number>();

  constructor(readonly cfg: DiskConfig) {}

  has(layer: number): boolean {
    return this.lru.has(layer);
  }

  add(layer: number, bytes: number): void {
    if (this.lru.has(layer)) return this.touch(layer);
    this.lru.set(layer, bytes);
    this.used += bytes;
  }

  touch(layer: number): void {
    const b = this.lru.get(layer);
    if (b === undefined) return;
    this.lru.delete(layer);
    this.lru.set(layer, b);
  }

  remove(layer: number): void {
    const b = this.lru.get(layer);
    if (b === undefined) return;
    this.lru.delete(layer);
    this.used -= b;
  }

  /** Whether `bytes` more would take usage above the GC threshold. */
  wouldExceedHigh(bytes: number): boolean {
    return this.used + bytes > this.cfg.high * this.cfg.sizeBytes;
  }

  fits(bytes: number): boolean {
    return this.used + bytes <= this.cfg.sizeBytes;
  }

  /** Least recently used layers `pinned` lets go, until usage + `incoming` would be at or below the low threshold. */
  victims(pinned: ReadonlySet<number>, incoming: number): number[] {
    const target = this.cfg.low * this.cfg.sizeBytes;
    const out: number[] = [];
    let used = this.used + incoming;
    for (const [layer, bytes] of this.lru) {
      if (used <= target) break;
      if (pinned.has(layer)) continue;
      out.push(layer);
      used -= bytes;
    }
    return out;
  }
}
