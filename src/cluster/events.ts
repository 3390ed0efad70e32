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
  /**
   * The bytes landed in an in-cluster cache (a mirror's upstream fetch), not on a node: they count in
   * internet, NAT and cross-zone bytes (and so in cost) but not in node ingress (see mirror.ts).
   */
  cacheFill?: boolean;
  /** The bytes crossed from one region to another (charged per GB to the sender). */
  crossRegion?: boolean;
  /** Our own service sent the bytes out to the internet (charged by AWS's egress tiers). */
  ownEgress?: boolean;
  /** The bytes went through an interface VPC endpoint (charged per GB) instead of a NAT gateway. */
  viaEndpoint?: boolean;
  /** Simulated time the body's flow started (so charts spread the bytes over the flow); absent: unknown. */
  startedAt?: number;
}

/**
 * Observers read an event's arguments during the call and keep no reference to an event object: the
 * world reuses one TransferEvent for every GET (copy it, as upstream.ts does, to keep or change it).
 */
export interface ModelEvents {
  releasePublished(release: number, time: number, targetNodes: number, images: number): void;
  transferDone(e: TransferEvent): void;
  /** A registry refused a request for quota (HTTP 429) or overload (503); its small error body still counts as a transfer. */
  requestThrottled(node: number, kind: RequestKind, source: string): void;
  /** A pull ended: `ok`, or failed for `reason` after its last attempt. */
  pullDone(node: number, release: number, ok: boolean, time: number, reason?: string): void;
  /** A failed pull attempt will be repeated after a back-off. */
  pullRetried(node: number, release: number, reason: string): void;
  /** Every image of `release` is ready (unpacked) on `node`. */
  nodeReady(node: number, release: number, time: number): void;
  /** A target node of `release` left before it was ready: the rollout no longer waits for it (faults/churn.ts). */
  targetDropped(release: number): void;
}

/**
 * Combines observers into one sink. The first target must implement every event (the metrics
 * collector does); others subscribe to the events they define. Events with one listener call it
 * directly, so an unobserved event costs nothing extra.
 */
export function fanout(primary: ModelEvents, ...others: Partial<ModelEvents>[]): ModelEvents {
  const targets: object[] = [primary, ...others];
  const out: Record<string, (...args: never[]) => void> = {};
  for (const name of methodNames(primary)) {
    const fns = targets
      .map((t) => (t as Record<string, unknown>)[name])
      .map((f, i) => (typeof f === 'function' ? (f as (...args: never[]) => void).bind(targets[i]) : undefined))
      .filter((f): f is (...args: never[]) => void => f !== undefined);
    out[name] = fns.length === 1 ? fns[0] : fns.length === 2 ? both(fns[0], fns[1]) : (...args: never[]) => {
      for (const f of fns) f(...args);
    };
  }
  return out as unknown as ModelEvents;
}

type Listener = (...args: never[]) => void;

/**
 * Two listeners of one event (the metrics and the rollout driver both hear pullDone). Performance: fixed
 * parameters (every ModelEvents method has at most five) instead of a rest array spread per call.
 */
function both(f: Listener, g: Listener): Listener {
  return (a: never, b: never, c: never, d: never, e: never) => {
    f(a, b, c, d, e);
    g(a, b, c, d, e);
  };
}

function methodNames(obj: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = obj; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && typeof (obj as Record<string, unknown>)[k] === 'function') names.add(k);
    }
  }
  return [...names].sort();
}
