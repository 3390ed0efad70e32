/**
 * Everything a model component needs to act: the clock, the network, the cluster's topology, random
 * streams, the event sink and prices. Built once per simulated variant.
 */
import type { Simulator, RngStreams } from '../kernel/index.ts';
import type { Network } from '../network/index.ts';
import type { PriceCatalog } from '../cost/catalog.ts';
import type { FetchDone, FetchRequest } from '../distribution/types.ts';
import type { ClusterConfig } from './config.ts';
import type { ModelEvents } from './events.ts';
import type { Topology } from './topology.ts';

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
}

export class World {
  constructor(
    readonly sim: Simulator,
    readonly net: Network,
    readonly topo: Topology,
    readonly rng: RngStreams,
    readonly events: ModelEvents,
    readonly cluster: ClusterConfig,
    readonly prices: PriceCatalog,
  ) {}

  /**
   * Performs one HTTP GET along `route`: the request travels one way, the server spends its service
   * time, extra round trips are paid, then the response body is a flow that shares bandwidth with
   * everything else on its links. Total = RTT + extra RTTs + service + flow time.
   */
  get(req: FetchRequest, route: Route, done: FetchDone): void {
    const oneWay = this.topo.latencyOf(route.path);
    const before = oneWay * (1 + 2 * route.extraRtts) + route.serviceS;
    const startFlow = (): void => {
      const startedAt = this.sim.now;
      this.net.startFlow(
        route.path,
        req.bytes,
        () => {
          this.events.transferDone({
            node: req.node,
            kind: req.kind,
            source: route.source,
            bytes: req.bytes,
            internet: route.internet,
            viaNat: route.viaNat,
            crossZone: route.crossZone,
            startedAt,
          });
          done(true);
        },
        route.capBps,
      );
    };
    if (before > 0) this.sim.call(before, startFlow);
    else startFlow();
  }
}
