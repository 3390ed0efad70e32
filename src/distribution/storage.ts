/**
 * Storage backends of a private registry (`distribution.storage.kind`): local disk, NFS, HDFS, S3, Azure
 * Blob, GCS. A backend is a few numbers — first-byte latency, a per-stream cap, an aggregate link,
 * request-rate limits, prices — plus how blobs reach the node: proxied through the registry instance or
 * redirected (307) to the store. Figures from FACTS.md are cited; everything else is marked an assumption.
 */
import { z } from 'zod';
import { zDuration, zRate, zSize } from '../scenario/units.ts';

export const STORAGE_KINDS = ['local', 'nfs', 'hdfs', 's3', 'azure-blob', 'gcs'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

const MB = 1e6;
const MiB = 1024 * 1024;
const Gbit = 1e9 / 8;

/** A backend resolved to base units. */
export interface StorageSpec {
  kind: StorageKind;
  /** Latency to the first byte of one object request, seconds. */
  firstByteS: number;
  /** Throughput one read stream gets (a per-flow cap), bytes/s. */
  perStreamBps: number;
  /** The store's egress link (local: each instance's own disk), bytes/s. */
  aggregateBps: number;
  /** One store shared by every instance (false: each instance has its own disk and copy). */
  shared: boolean;
  /** GET/HEAD-class requests admitted per second across the store (Infinity: no limit). */
  getRate: number;
  /** PUT/POST-class requests admitted per second (Infinity: no limit). */
  putRate: number;
  /** Blob GETs are answered 307 to the store (redirect) instead of streamed by the registry (proxy). */
  redirect: boolean;
  /** Bytes per part of a multipart upload (push). */
  partBytes: number;
  /** Requests a multipart upload costs beyond its parts (S3: initiate + complete; Azure: the block list). */
  uploadOverheadRequests: number;
  /** Catalog ids; null where the backend has no per-request price. */
  getPrice: string | null;
  putPrice: string | null;
  storagePrice: string;
  /** Stored copies per byte (local: one per instance, set by the registry; HDFS: replication 3). */
  copies: number;
  /** Backoff before retrying a throttled (503 Slow Down) request, by attempt (0-based), seconds. */
  retryBaseS: number;
  notes: string;
}

type Defaults = Omit<StorageSpec, 'kind' | 'redirect'> & { redirectDefault: boolean; canRedirect: boolean };

/**
 * Per-backend defaults. Redirect is on by default for the backends distribution/distribution can redirect
 * (FACTS.md §3a: "redirect enabled by default for backends that support it"); filesystem-like backends
 * can only proxy. The S3 request limits and prices are FACTS.md §4; S3 part size FACTS.md §3a.
 */
export const STORAGE_DEFAULTS: Readonly<Record<StorageKind, Defaults>> = {
  local: {
    firstByteS: 0.0002,
    perStreamBps: Infinity,
    aggregateBps: 1000 * MB,
    shared: false,
    getRate: Infinity,
    putRate: Infinity,
    redirectDefault: false,
    canRedirect: false,
    partBytes: 10 * MiB,
    uploadOverheadRequests: 0,
    getPrice: null,
    putPrice: null,
    storagePrice: 'block_storage',
    copies: 1,
    retryBaseS: 0.5,
    notes: 'local SSD: 0.2 ms first byte and 1 GB/s read are assumptions; every instance keeps its own copy',
  },
  nfs: {
    firstByteS: 0.001,
    perStreamBps: 300 * MB,
    aggregateBps: 10 * Gbit,
    shared: true,
    getRate: Infinity,
    putRate: Infinity,
    redirectDefault: false,
    canRedirect: false,
    partBytes: 10 * MiB,
    uploadOverheadRequests: 0,
    getPrice: null,
    putPrice: null,
    storagePrice: 'nfs_storage',
    copies: 1,
    retryBaseS: 0.5,
    notes: 'assumptions: 1 ms first byte, 300 MB/s per stream, one 10 Gbit/s NFS server shared by all instances',
  },
  hdfs: {
    firstByteS: 0.005,
    perStreamBps: 100 * MB,
    aggregateBps: 40 * Gbit,
    shared: true,
    getRate: Infinity,
    putRate: Infinity,
    redirectDefault: false,
    canRedirect: false,
    partBytes: 128 * MiB,
    uploadOverheadRequests: 0,
    getPrice: null,
    putPrice: null,
    storagePrice: 'block_storage',
    copies: 3,
    retryBaseS: 0.5,
    notes:
      'no upstream distribution driver (community drivers exist): proxy only; assumptions: 5 ms first byte (NameNode lookup + DataNode connect), 100 MB/s per stream, 40 Gbit/s across DataNodes, replication 3 on block storage',
  },
  s3: {
    firstByteS: 0.05,
    perStreamBps: 90 * MB,
    aggregateBps: 100 * Gbit,
    shared: true,
    getRate: 5500,
    putRate: 3500,
    redirectDefault: true,
    canRedirect: true,
    partBytes: 10 * MiB,
    uploadOverheadRequests: 2,
    getPrice: 's3_get_request',
    putPrice: 's3_put_request',
    storagePrice: 's3_storage',
    copies: 1,
    retryBaseS: 0.5,
    notes:
      '5,500 GET/HEAD and 3,500 PUT per second per prefix, 503 Slow Down beyond (FACTS.md §4); multipart chunk 10 MiB + initiate/complete (FACTS.md §3a); assumptions: 50 ms first byte, 90 MB/s per connection, 100 Gbit/s aggregate, 0.5 s first throttle backoff doubling',
  },
  'azure-blob': {
    firstByteS: 0.05,
    perStreamBps: 60 * MB,
    aggregateBps: 120 * Gbit,
    shared: true,
    getRate: 20000,
    putRate: 20000,
    redirectDefault: true,
    canRedirect: true,
    partBytes: 8 * MiB,
    uploadOverheadRequests: 1,
    getPrice: 'azure_blob_read_op',
    putPrice: 'azure_blob_write_op',
    storagePrice: 'azure_blob_storage',
    copies: 1,
    retryBaseS: 0.5,
    notes:
      'prices are the Azure docs\' sample ("fictitious") figures — UNCERTAIN (FACTS.md §4); upload = size / 8 MiB block writes + 1 (FACTS.md §4); assumptions: 50 ms first byte, 60 MB/s per blob stream, 120 Gbit/s account egress, 20,000 requests/s per account',
  },
  gcs: {
    firstByteS: 0.05,
    perStreamBps: 100 * MB,
    aggregateBps: 100 * Gbit,
    shared: true,
    getRate: 5000,
    putRate: 1000,
    redirectDefault: true,
    canRedirect: true,
    partBytes: 16 * MiB,
    uploadOverheadRequests: 1,
    getPrice: 'gcs_class_b_request',
    putPrice: 'gcs_class_a_request',
    storagePrice: 'gcs_storage',
    copies: 1,
    retryBaseS: 0.5,
    notes:
      'not in FACTS.md — all assumptions: 50 ms first byte, 100 MB/s per stream, 5,000 reads / 1,000 writes per second per bucket before auto-scaling, 16 MiB resumable-upload chunks, Class A/B prices as we remember them',
  },
};

export const StorageConfig = z
  .strictObject({
    kind: z.enum(STORAGE_KINDS).default('local').describe('local | nfs | hdfs | s3 | azure-blob | gcs'),
    delivery: z
      .enum(['proxy', 'redirect'])
      .optional()
      .describe('proxy: blobs stream through the registry instance; redirect: 307 to the store (default for s3, gcs, azure-blob)'),
    firstByte: zDuration.optional().describe("override the backend's first-byte latency"),
    perStream: zRate.optional().describe("override the backend's per-stream throughput"),
    aggregate: zRate.optional().describe("override the store's aggregate throughput (local: per instance disk)"),
    getRate: z.number().positive().optional().describe('GET/HEAD requests per second per prefix before 503 Slow Down'),
    putRate: z.number().positive().optional().describe('PUT/POST requests per second per prefix before 503 Slow Down'),
    prefixes: z.number().int().min(1).default(1).describe('partitioned prefixes the blobs spread over (multiplies the request-rate limits)'),
    chunkSize: zSize.optional().describe('multipart upload part size (S3 driver default 10 MiB)'),
  })
  .superRefine((c, ctx) => {
    if (c.delivery === 'redirect' && !STORAGE_DEFAULTS[c.kind].canRedirect)
      ctx.addIssue({
        code: 'custom',
        path: ['delivery'],
        message: `storage kind ${c.kind} cannot redirect blob requests`,
        params: { hint: 'only object stores (s3, gcs, azure-blob) serve blobs themselves; use delivery: proxy' },
      });
  })
  .transform((c): StorageSpec => {
    const d = STORAGE_DEFAULTS[c.kind];
    const { redirectDefault, canRedirect: _canRedirect, ...rest } = d;
    return {
      ...rest,
      kind: c.kind,
      redirect: c.delivery ? c.delivery === 'redirect' : redirectDefault,
      firstByteS: c.firstByte ?? d.firstByteS,
      perStreamBps: c.perStream ?? d.perStreamBps,
      aggregateBps: c.aggregate ?? d.aggregateBps,
      getRate: (c.getRate ?? d.getRate) * c.prefixes,
      putRate: (c.putRate ?? d.putRate) * c.prefixes,
      partBytes: c.chunkSize ?? d.partBytes,
    };
  });
export type StorageConfig = z.output<typeof StorageConfig>;

/** Requests one multipart upload of `bytes` costs (FACTS.md §3a: ceil(X / chunk) parts + initiate/complete). */
export function uploadRequests(spec: StorageSpec, bytes: number): number {
  return Math.max(1, Math.ceil(bytes / spec.partBytes)) + spec.uploadOverheadRequests;
}

/**
 * A store's request-rate limit: at most `perSecond` requests admitted in each one-second window; a request
 * beyond it is answered 503 Slow Down and retried after `backoffS(attempt)` (the SDK's back-off, with its
 * jitter), at most `maxAttempts` times in all; after the last refusal the request fails (`admit` returns
 * Infinity and `gaveUpAt` says when the client gave up). Admission is decided when the request is issued
 * (its start time may be slightly in the future), so requests are not re-evaluated in time order — a
 * simplification that keeps throttling free of extra events.
 */
export class RequestRateLimiter {
  /** Admitted requests per window index (floor of seconds). */
  private readonly windows = new Map<number, number>();
  private oldest = 0;
  throttled = 0;
  /** When the last request that ran out of attempts got its final 503 back. */
  gaveUpAt = 0;

  constructor(
    readonly perSecond: number,
    private readonly roundTripS: number,
    private readonly backoffS: (attempt: number) => number,
    private readonly maxAttempts = Infinity,
  ) {}

  /** Admits one request wanting to start at `t` (≥ `now`); returns when it is finally admitted, or Infinity. */
  admit(t: number, now: number): number {
    if (this.perSecond === Infinity) return t;
    this.prune(now);
    for (let attempt = 0; ; attempt++) {
      const w = Math.floor(t);
      const used = this.windows.get(w) ?? 0;
      if (used < this.perSecond) {
        this.windows.set(w, used + 1);
        return t;
      }
      this.throttled++;
      if (attempt + 1 >= this.maxAttempts) {
        this.gaveUpAt = t + this.roundTripS;
        return Infinity;
      }
      // The 503 comes back after a round trip to the store; the client then backs off.
      t += this.roundTripS + this.backoffS(attempt);
    }
  }

/** Drops windows that can no longer be asked about (every request starts at or after `now`). */
  private prune(now: number): void {
    const current = Math.floor(now);
    if (current - this.oldest > 2 * this.windows.size) {
      for (const w of [...this.windows.keys()]) if (w < current) this.windows.delete(w);
    } else {
      for (; this.oldest < current; this.oldest++) this.windows.delete(this.oldest);
    }
    this.oldest = Math.max(this.oldest, current);
  }
}

/** The doubling throttle backoff, capped at 20 s (assumption; AWS SDKs start throttle retries near 0.5 s). */
export function throttleBackoff(baseS: number): (attempt: number) => number {
  return (attempt) => Math.min(20, baseS * 2 ** attempt);
}
