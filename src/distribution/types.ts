/**
 * The contract between the node's pull pipeline and a distribution strategy. A strategy decides where
 * each request of a pull is served from (which links its bytes cross, how many round trips it costs)
 * and what it costs to run; the node runtime drives the pull protocol itself. Adding a strategy is a new
 * module that implements `DistributionModule` and one line in `registry.ts`.
 */
import type { z } from 'zod';
import type { World } from '../cluster/world.ts';
import type { CostLedger } from '../cost/ledger.ts';

/**
 * What a node asks for, in the order containerd's resolver asks (FACTS.md §3a): `challenge` (the first
 * HEAD of the tag, answered 401 by a token-auth registry), `token` (from the auth service), `resolve`
 * (HEAD of the tag → digest), `index` (multi-arch image index), `manifest`, `config` blob, `layer` blobs.
 */
export type RequestKind = 'challenge' | 'token' | 'resolve' | 'index' | 'manifest' | 'config' | 'layer';

/** Per-pull connection state: a bit per host the pull has an open (keep-alive) connection to. */
export interface PullSession {
  hosts: number;
  /** The server a load balancer pinned this pull's connection to (-1 before the first request). */
  server: number;
}

/**
 * One request of a pull. The object stays the caller's: a strategy may read it until it calls the
 * request's `done`, and keeps no reference to it after that (a pull reuses one object for its metadata
 * requests, which go one at a time).
 */
export interface FetchRequest {
  kind: RequestKind;
  node: number;
  /** Response body bytes. */
  bytes: number;
  /** Content address of the blob (layer id) or image version, for strategies that cache or dedupe. */
  digest: number;
  session: PullSession;
  /**
   * Set on lazy pulling's range GETs (on-demand reads and the background fetch): the response is `bytes`
   * of blob `digest` from `offset` on, not the whole blob. A cache or P2P strategy must not count it as
   * holding the blob; one that ignores the field serves `bytes` as a small blob, which is what hosted
   * and private registries do. Lazy formats' metadata blobs (TOC, zTOC, bootstrap) are `config` requests
   * with negative digests (cluster/pull.ts layerMetaDigest / imageMetaDigest).
   */
  range?: { offset: number; blobBytes: number };
}

/** Round trips a request pays for opening a new connection: TCP, then TLS 1.3. */
export const HANDSHAKE_RTTS = 2;

/** Marks `hostBit` connected in the pull's session; returns the handshake round trips this costs (0 if open). */
export function connect(session: PullSession, hostBit: number): number {
  if (session.hosts & hostBit) return 0;
  session.hosts |= hostBit;
  return HANDSHAKE_RTTS;
}

/** `reason` says why a request failed, e.g. "rate-limited" (HTTP 429), "unavailable" (503). */
export type FetchDone = (ok: boolean, reason?: string) => void;

export interface DistributionRuntime {
  /** Whether a pull starts with the bearer-token dance: 401 challenge, then a token request (hosted registries). */
  readonly needsToken: boolean;
  /** Optional: a pull starts with a 401 challenge answered with Basic credentials the node already holds (ECR). */
  readonly basicAuth?: boolean;
  /** Serves one request for one node; calls `done` once, at the simulated time the response has arrived. */
  fetch(req: FetchRequest, done: FetchDone): void;
  /** Adds the strategy's own costs (instances, storage, provider transfer) from the ledger's usage. */
  addCosts(ledger: CostLedger): void;
  /**
   * Link ids whose egress is "the registry": registry_egress_bytes sums their bytes, registry_peak_Bps is
   * the peak of their summed load (Network.addMeter), and a `registry` link fault degrades them. Each
   * registry flow crosses one of them (a private registry: its instances' NICs out).
   */
  readonly registryLinks: readonly number[];
  /**
   * Optional, performance only: called by simulate() on the variant's own distribution (never on an
   * upstream, whose clients are other hosts) before the first flow. The strategy may declare links on its
   * paths to the nodes covered (Network.declareCovered) so that several bottlenecks behind one shared link
   * are components of their own; `coldCaches`: whole images (or lazy range reads) will move for every
   * node, so links that deltas never fill may fill. Returns links to meter the registry's peak by instead
   * of registryLinks (a covered link's peak counts only the flows it limits): each registry flow must
   * cross exactly one of them and nothing else may (simulate() checks the bytes agree); undefined: no
   * change.
   */
  coverEgress?(coldCaches: boolean): readonly number[] | undefined;
  /** Optional: a release published a new layer of `bytes` (the push into the strategy's storage). */
  layerPublished?(layer: number, bytes: number): void;
  /**
   * Optional: seconds a node may reuse its bearer token for later pulls (the token service's lifetime);
   * absent or 0: every pull fetches its own token, as containerd's CRI resolver does.
   */
  readonly tokenTtlS?: number;
  /**
   * Optional churn hooks (faults/churn.ts). `nodeLeft`: node `node` is gone from now on — it serves
   * nothing more (a P2P peer drops its uploads; its downloaders must re-source) and the callbacks of its
   * own requests are ignored by the node runtime (P2P drops the leaver's blob downloads, whose `done` never
   * runs; plain GETs already on the wire, metadata and range reads, still call back). `nodeJoined`: a node slot came up as a fresh host with
   * an empty cache (a new node id, never a re-used one in the same run).
   */
  nodeLeft?(node: number): void;
  nodeJoined?(node: number): void;
}

export interface DistributionModule<Config extends { kind: string }> {
  readonly kind: Config['kind'];
  /** The input schema of this kind's `distribution:` block (strict, human units). */
  readonly schema: z.ZodType<Config, unknown>;
  /** One line for reports, e.g. "hosted: Docker Hub (preset dockerhub)". */
  describe(config: Config): string;
  create(world: World, config: Config): DistributionRuntime;
}
