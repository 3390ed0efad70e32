import type { BackoffPolicy } from './backoff.ts';
import type { DiskConfig } from './disk.ts';

/** Resolved cluster configuration: base units only (bytes/s, seconds). */
export interface ClusterConfig {
  nodes: number;
  region: string;
  zones: string[];
  nodesPerRack: number;
  /** Node NIC capacity, each direction, bytes/s. */
  nicBps: number;
  /** Rack uplink = nodes in rack × NIC / oversubscription. */
  rackOversubscription: number;
  /** Each zone's link to the region spine (cross-zone traffic), each direction, bytes/s. */
  zoneBps: number;
  /** One-way latencies added by each hop, seconds. */
  latency: { nicS: number; rackS: number; crossZoneS: number; natS: number };
  /** How nodes reach the internet. */
  egress: 'nat' | 'public-ip';
  natGateways: 'per-zone' | 'single';
  /** Capacity of one NAT gateway, bytes/s. */
  natBps: number;
  /** Per-flow cap on traffic to/from the internet (EC2: 5 Gbit/s per flow outside a placement group). */
  internetFlowCapBps: number;
  maxConcurrentDownloads: number;
  serializeImagePulls: boolean;
  /** Layer unpack (decompress + write) throughput per node, compressed bytes/s. */
  unpackBps: number;
  cache: 'warm' | 'cold';
  /** kubelet's image-pull back-off; absent: a failed pull is not retried. */
  pullRetry?: BackoffPolicy;
  /** Each node's image filesystem with kubelet's GC; absent: unlimited. */
  disk?: DiskConfig;
}
