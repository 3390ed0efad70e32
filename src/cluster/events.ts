/**
 * Typed model events. Models call these; metrics observers implement them (SimGrid's signals). Models
 * never compute statistics themselves.
 */
import type { RequestKind } from '../distribution/types.ts';

export interface TransferEvent {
  node: number;
  kind: RequestKind;
  /** Where the bytes came from, as reported in ingress_by_source_bytes (e.g. "dockerhub", "private-registry"). */
  source: string;
  bytes: number;
  /** The bytes crossed the internet (counted in internet_bytes). */
  internet: boolean;
  /** The bytes went through a NAT gateway (charged per GB). */
  viaNat: boolean;
  /** The bytes crossed from one zone to another (charged each way). */
  crossZone: boolean;
}

export interface ModelEvents {
  releasePublished(release: number, time: number, targetNodes: number, images: number): void;
  transferDone(e: TransferEvent): void;
  pullDone(node: number, release: number, ok: boolean, time: number, reason?: string): void;
  /** Every image of `release` is ready (unpacked) on `node`. */
  nodeReady(node: number, release: number, time: number): void;
}
