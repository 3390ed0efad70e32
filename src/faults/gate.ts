/**
 * A service's outage windows as a gate the strategies consult. While a window is open a request is
 * refused at once (connection refused / the load balancer's 503) with reason `<service>-unavailable`;
 * when a window opens, the requests in flight through the gate fail and their transfers stop (an outage
 * cuts the connections it finds). kubelet's back-off then retries the pull (cluster/backoff.ts), so a
 * pull either completes after the outage or is counted failed with that reason.
 */
import type { Simulator } from '../kernel/index.ts';
import type { World } from '../cluster/world.ts';
import type { DistributionRuntime, FetchDone, FetchRequest } from '../distribution/types.ts';
import { intervalAt, type Interval } from './windows.ts';
import type { Service } from './schema.ts';

/** One operation in flight through a gate: how to stop it and how to tell its client it failed. */
interface InFlight {
  cancel(): void;
  fail(): void;
}

export class ServiceGate {
  readonly reason: string;
  private readonly inflight = new Map<number, InFlight>();
  private nextId = 0;

  constructor(
    readonly service: Service,
    /** Merged, sorted down windows. */
    readonly windows: readonly Interval[],
    sim: Simulator,
  ) {
    this.reason = `${service}-unavailable`;
    for (const [start] of windows) sim.call(Math.max(0, start - sim.now), () => this.cut());
  }

  isDown(t: number): boolean {
    return intervalAt(this.windows, t) >= 0;
  }

  /** When the service is up again (t itself if it is up). */
  upAt(t: number): number {
    const i = intervalAt(this.windows, t);
    return i < 0 ? t : this.windows[i][1];
  }

  /** Seconds the service is down within [0, t). */
  downtimeBefore(t: number): number {
    let s = 0;
    for (const [a, b] of this.windows) if (a < t) s += Math.min(b, t) - a;
    return s;
  }

  track(op: InFlight): number {
    const id = this.nextId++;
    this.inflight.set(id, op);
    return id;
  }

  untrack(id: number): void {
    this.inflight.delete(id);
  }

  /** A window opens: stop everything in flight (in the order it started), then report the failures. */
  private cut(): void {
    const ops = [...this.inflight.values()];
    this.inflight.clear();
    for (const op of ops) op.cancel();
    for (const op of ops) op.fail();
  }
}

const noop = (): void => {};

/**
 * `inner` behind `service`'s gate, or `inner` itself when the service has no outage windows (so runs
 * without faults are untouched). `failInFlight`: an opening window fails the requests in flight — right for
 * a registry or mirror whose connections drop; a P2P strategy passes false, since its peers keep trading
 * pieces while the origin / tracker tier is down (only new requests are refused).
 */
export function gated(inner: DistributionRuntime, world: World, service: Service, failInFlight = true): DistributionRuntime {
  const gate = world.faults.gate(service);
  if (!gate) return inner;
  const sim = world.sim;
  // Every member of DistributionRuntime is forwarded here; a new optional member must be added too.
  const out: DistributionRuntime = {
    needsToken: inner.needsToken,
    registryLinks: inner.registryLinks,
    fetch(req: FetchRequest, done: FetchDone): void {
      if (gate.isDown(sim.now)) {
        sim.call(0, () => done(false, gate.reason));
        return;
      }
      let settled = false;
      const id = failInFlight
        ? gate.track({
            cancel: noop,
            fail: () => {
              settled = true;
              done(false, gate.reason);
            },
          })
        : -1;
      inner.fetch(req, (ok, reason) => {
        if (settled) return;
        if (id >= 0) gate.untrack(id);
        done(ok, reason);
      });
    },
    addCosts: (ledger) => inner.addCosts(ledger),
    ...(inner.tokenTtlS !== undefined ? { tokenTtlS: inner.tokenTtlS } : {}),
    ...(inner.basicAuth !== undefined ? { basicAuth: inner.basicAuth } : {}),
  };
  if (inner.layerPublished) out.layerPublished = (layer, bytes) => inner.layerPublished!(layer, bytes);
  if (inner.coverEgress) out.coverEgress = (coldCaches) => inner.coverEgress!(coldCaches);
  if (inner.nodeLeft) out.nodeLeft = (node) => inner.nodeLeft!(node);
  if (inner.nodeJoined) out.nodeJoined = (node) => inner.nodeJoined!(node);
  return out;
}
