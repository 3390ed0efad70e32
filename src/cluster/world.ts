/**
 * Everything a model component needs to act: the clock, the network, the cluster's topology, random
 * streams, the event sink and prices. Built once per simulated variant.
 */
import type { Simulator, RngStreams } from '../kernel/index.ts';
import type { Network } from '../network/index.ts';
import type { PriceCatalog } from '../cost/catalog.ts';
import type { FetchDone, FetchRequest } from '../distribution/types.ts';
import type { ClusterConfig } from './config.ts';
import type { ModelEvents, TransferEvent } from './events.ts';
import type { Topology } from './topology.ts';
import { NO_FAULTS, type FaultPlan, type ServiceGate } from '../faults/index.ts';
import { objectArray } from '../stable-arrays.ts';

/** Where a response comes from and what crossing it costs. */
export interface Route {
  path: readonly number[];
  source: string;
  /** Extra round trips before the response body starts (handshakes, redirects, auth challenges). */
  extraRtts: number;
  /** Server-side time before the first byte (queueing + processing + storage first byte), seconds. */
  serviceS: number;
  /** Per-connection throughput cap, bytes/s (Infinity for none). */
  capBps: number;
  internet: boolean;
  viaNat: boolean;
  crossZone: boolean;
  /** The server's outage gate: an opening outage window stops this transfer (faults/gate.ts). */
  gate?: ServiceGate | null;
  /** One-way latency of `path`, kept by World.oneWay (link latencies never change). Leave unset. */
  oneWayS?: number;
  /** Billing flags carried into the transfer event (see TransferEvent). */
  crossRegion?: boolean;
  ownEgress?: boolean;
  viaEndpoint?: boolean;
}

/**
 * The transfer event of a completed GET along `route`, written into `e`. Performance: World reuses one
 * event object for every GET (observers read it during the call and keep no reference: ModelEvents).
 */
function transferOf(e: TransferEvent, req: FetchRequest, route: Route, startedAt: number): TransferEvent {
  e.node = req.node;
  e.kind = req.kind;
  e.source = route.source;
  e.bytes = req.bytes;
  e.internet = route.internet;
  e.viaNat = route.viaNat;
  e.crossZone = route.crossZone;
  e.crossRegion = route.crossRegion === true ? true : undefined;
  e.ownEgress = route.ownEgress === true ? true : undefined;
  e.viaEndpoint = route.viaEndpoint === true ? true : undefined;
  e.startedAt = startedAt;
  return e;
}

export class World {
  // GETs between request and last byte, by a recycled index. Performance: a typed event and these
  // slots replace the closures per GET (millions per run) that the request path used to allocate.
  private readonly getReq = objectArray<FetchRequest | undefined>();
  private readonly getRoute = objectArray<Route | undefined>();
  private readonly getDone = objectArray<FetchDone | undefined>();
  private getStart = new Float64Array(64);
  private readonly freeGets: number[] = [];
  /** The GET whose body flow has this id. */
  private getOfFlow = new Int32Array(64);
  private readonly bodyDone = (flow: number): void => this.bodyArrived(flow);
  /**
   * The one transfer event every GET reports through (see transferOf); every field always present.
   * Performance: startedAt starts as a number, so V8 keeps the field as an unboxed double instead of
   * allocating a number object on every GET.
   */
  private readonly transfer: TransferEvent = {
    node: 0,
    kind: 'layer',
    source: '',
    bytes: 0,
    internet: false,
    viaNat: false,
    crossZone: false,
    cacheFill: undefined,
    crossRegion: undefined,
    ownEgress: undefined,
    viaEndpoint: undefined,
    startedAt: 0,
  };

  constructor(
    readonly sim: Simulator,
    readonly net: Network,
    readonly topo: Topology,
    readonly rng: RngStreams,
    readonly events: ModelEvents,
    readonly cluster: ClusterConfig,
    readonly prices: PriceCatalog,
    readonly faults: FaultPlan = NO_FAULTS,
  ) {}

  /**
   * Performs one HTTP GET along `route`: the request travels one way, the server spends its service
   * time, extra round trips are paid, then the response body is a flow that shares bandwidth with
   * everything else on its links. Total = RTT + extra RTTs + service + flow time. `serviceS` (default
   * route.serviceS) is this request's server time, so a module can keep one Route per path and pass it.
   */
  get(req: FetchRequest, route: Route, done: FetchDone, serviceS = route.serviceS): void {
    const before = this.oneWay(route) * (1 + 2 * route.extraRtts) + serviceS;
    if (route.gate) return this.getThroughGate(req, route, done, before, route.gate);
    const g = this.freeGets.length > 0 ? (this.freeGets.pop() as number) : this.getReq.length;
    this.getReq[g] = req;
    this.getRoute[g] = route;
    this.getDone[g] = done;
    if (g >= this.getStart.length) {
      const grown = new Float64Array(Math.max(2 * this.getStart.length, g + 1));
      grown.set(this.getStart);
      this.getStart = grown;
    }
    // The body starts to flow once the round trips and service time are over. Performance: the flow is
    // started now with that wait as its start delay (one kernel event per GET instead of two); the
    // timestamps are the ones a second event at now + before would give, to the last bit.
    this.getStart[g] = this.sim.now + before;
    // startFlow never completes a flow before it returns (even an empty one waits for an event), so the
    // flow id is recorded before bodyArrived can look it up.
    const f = this.net.startFlow(route.path, req.bytes, this.bodyDone, route.capBps, before);
    if (f >= this.getOfFlow.length) {
      const grown = new Int32Array(Math.max(2 * this.getOfFlow.length, f + 1));
      grown.set(this.getOfFlow);
      this.getOfFlow = grown;
    }
    this.getOfFlow[f] = g;
  }

  /**
   * One-way latency of the route's path, seconds (before the network's latency factor): summed on first
   * use and kept on the Route, so a Route a strategy keeps for many requests is summed once.
   */
  oneWay(route: Route): number {
    return (route.oneWayS ??= this.topo.latencyOf(route.path));
  }

  private bodyArrived(flow: number): void {
    const g = this.getOfFlow[flow];
    const req = this.getReq[g] as FetchRequest;
    const route = this.getRoute[g] as Route;
    const done = this.getDone[g] as FetchDone;
    this.getReq[g] = undefined;
    this.getRoute[g] = undefined;
    this.getDone[g] = undefined;
    this.freeGets.push(g);
    this.events.transferDone(transferOf(this.transfer, req, route, this.getStart[g]));
    done(true);
  }

  /**
   * `get` for a server with outage windows: the request is tracked by the gate, which stops it (the
   * pending start or the flow) when a window opens; the client hears of it from the gated runtime
   * (faults/gate.ts `gated`), so `done` is simply never called here for a cut request.
   */
  private getThroughGate(req: FetchRequest, route: Route, done: FetchDone, before: number, gate: ServiceGate): void {
    let flow = -1;
    const id = gate.track({
      // A flow still waiting out its start delay is aborted as cleanly as one in progress.
      cancel: () => {
        if (flow >= 0) this.net.abortFlow(flow);
      },
      fail: () => {},
    });
    const startedAt = this.sim.now + before;
    flow = this.net.startFlow(
      route.path,
      req.bytes,
      () => {
        flow = -1;
        gate.untrack(id);
        this.events.transferDone(transferOf(this.transfer, req, route, startedAt));
        done(true);
      },
      route.capBps,
      before,
    );
  }
}
