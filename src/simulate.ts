/**
 * One simulated variant, end to end: build the platform and the strategy, publish releases, run the
 * kernel until every rollout has drained, then turn the observers' counters into metrics and costs.
 */
import { Simulator, RngStreams, primeDispatch } from './kernel/index.ts';
import { Network } from './network/index.ts';
import { Topology } from './cluster/topology.ts';
import { World } from './cluster/world.ts';
import { NodeRuntime } from './cluster/node.ts';
import { ImageCatalog, unpackWireBps } from './workload/images.ts';
import { scheduleReleases } from './workload/releases.ts';
import { RolloutDriver } from './workload/rollout.ts';
import { fanout, type ModelEvents } from './cluster/events.ts';
import { moduleFor, type DistributionConfig } from './distribution/registry.ts';
import type { DistributionRuntime } from './distribution/types.ts';
import { FaultPlan, gated } from './faults/index.ts';
import { installLinkFaults } from './faults/links.ts';
import { installNodeFaults } from './faults/churn.ts';
import { spareNodes } from './faults/index.ts';
import { buildCatalog, pricesUsed } from './cost/catalog.ts';
import { CostLedger, DAY_S, MONTH_S } from './cost/ledger.ts';
import { MetricsCollector } from './metrics/collector.ts';
import { checkRunInvariants, InvariantError } from './metrics/invariants.ts';
import { CHECKS } from './kernel/index.ts';
import type { VariantMetrics } from './metrics/result.ts';
import type { VariantSeries } from './metrics/timeseries.ts';
import type { RunConfig } from './scenario/schema.ts';

export interface SimulateOptions {
  /** Stop with an error after this many kernel events (a runaway guard). */
  maxEvents?: number;
  /** Measure wall-clock time into metrics.wall_ms (otherwise null, keeping output byte-identical). */
  timing?: boolean;
  /** Receives the variant's time series for charts (turns on the collector's clock). */
  onSeries?: (series: VariantSeries) => void;
  /** Receives the ids of the prices the run's costing used (the report lists only those). */
  onPricesUsed?: (ids: string[]) => void;
  /** Extra observers of the model's events (tests, tools that need a statistic the result lacks; SimGrid's signals). */
  observers?: Partial<ModelEvents>[];
}

/**
 * The node-facing outage gate of strategies whose modules do not gate themselves: a mirror's caches, and a
 * P2P tier's origins / trackers (its peers keep trading pieces while they are down). Hosted and private
 * registries gate inside their modules, so a mirror's upstream is gated too.
 */
function withFaultGate(kind: DistributionConfig['kind'], dist: DistributionRuntime, world: World): DistributionRuntime {
  if (kind === 'mirror') return gated(dist, world, 'mirror');
  if (kind === 'p2p') return gated(dist, world, 'origin', false);
  return dist;
}

export function describeDistribution(d: DistributionConfig): string {
  return moduleFor(d.kind).describe(d);
}

export function simulateRun(run: RunConfig, options: SimulateOptions = {}): VariantMetrics {
  const steps = simulateRunSteps(run, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Kernel events per slice of `simulateRunSteps`: small enough that a caller checking a wall-clock budget or
 * a Ctrl-C between slices reacts within a fraction of a second, large enough that slicing costs nothing.
 */
export const SLICE_EVENTS = 100_000;
/** Node warm starts per slice of setup (about as long as a kernel slice). */
const SLICE_SETUP = 20_000;

/**
 * `simulateRun` as a generator that yields the events dispatched so far after every SLICE_EVENTS, so the
 * caller can stop a run between slices (--max-wall, Ctrl-C; src/parallel/task.ts) or yield to the event
 * loop. Slicing never changes a result: the kernel resumes exactly where it stopped.
 */
export function* simulateRunSteps(run: RunConfig, options: SimulateOptions = {}): Generator<number, VariantMetrics, void> {
  const t0 = options.timing ? performance.now() : 0;
  primeDispatch();
  const sim = new Simulator();
  const net = new Network(sim, {
    latencyFactor: run.network.latencyFactor,
    bandwidthFactor: run.network.bandwidthFactor,
    tcpWindowBytes: run.network.tcpWindowBytes,
    windowRateFactor: run.network.windowRateFactor,
    latencyWeighted: run.network.latencyWeighted,
    weightS: run.network.weightS,
  });
  // Nodes that join later (faults.nodes) get slots in the topology from the start, absent until they join.
  const cluster = {
    nodes: run.cluster.nodes + spareNodes(run.faults),
    region: run.cluster.region,
    zones: run.cluster.zones,
    nodesPerRack: run.cluster.nodesPerRack,
    nicBps: run.cluster.nic,
    rackOversubscription: run.cluster.rackOversubscription,
    zoneBps: run.cluster.zoneBandwidth,
    latency: {
      nicS: run.cluster.latency.nic,
      rackS: run.cluster.latency.rack,
      crossZoneS: run.cluster.latency.crossZone,
      natS: run.cluster.latency.nat,
    },
    egress: run.cluster.egress,
    natGateways: run.cluster.natGateways,
    natBps: run.cluster.natBandwidth,
    internetFlowCapBps: run.cluster.internetFlowCap,
    maxConcurrentDownloads: run.cluster.maxConcurrentDownloads,
    serializeImagePulls: run.cluster.serializeImagePulls,
    // cluster.unpack is gzip's rate in compressed bytes/s; the node runs at its format's rate in wire bytes/s.
    unpackBps: unpackWireBps(run.cluster.unpack, run.images.compression),
    cache: run.cluster.cache,
    pullRetry: run.cluster.pullRetry,
    ...(run.cluster.disk ? { disk: { ...run.cluster.disk, repullUntilS: run.duration } } : {}),
  };
  const topo = new Topology(net, cluster);
  const metrics = options.onSeries
    ? new MetricsCollector(() => sim.now, (node) => cluster.zones[topo.nodeZone[node]])
    : new MetricsCollector();
  const prices = buildCatalog(run.prices as Record<string, number>);
  // The rollout driver needs the world to exist first; it hears pull completions through this hook.
  let rollout: RolloutDriver | undefined;
  const hooks: Partial<ModelEvents>[] = [{ pullDone: (node, release) => rollout?.pullDone(node, release) }];
  hooks.push(...(options.observers ?? []));
  const events = fanout(metrics, ...hooks);
  const rng = new RngStreams(run.seed);
  const faults = new FaultPlan(run.faults, sim, rng, run.duration);
  const world = new World(sim, net, topo, rng, events, cluster, prices, faults);
  const dist = withFaultGate(run.distribution.kind, moduleFor(run.distribution.kind).create(world, run.distribution), world);
  installLinkFaults(world, run.faults.links, dist.registryLinks, rng, run.duration);
  // Links on the paths to the nodes covered where that splits bottlenecks (DistributionRuntime.coverEgress).
  const meterLinks = dist.coverEgress?.(run.cluster.cache === 'cold') ?? dist.registryLinks;
  // The registry's peak egress is that of the sum over its links (a private registry's instances).
  const registryMeter = net.addMeter(meterLinks);

  const images = new ImageCatalog({
    count: run.images.count,
    sizeBytes: run.images.size,
    layers: run.images.layers,
    baseLayers: run.images.baseLayers,
    baseBytes: run.images.baseSize,
    compression: run.images.compression,
    retain: run.images.retain,
  });
  if (dist.layerPublished) images.onLayerPublished = (layer, bytes) => dist.layerPublished?.(layer, bytes);
  const imagesCfg = {
    manifestBytes: run.images.manifestSize,
    configBytes: run.images.configSize,
    indexBytes: run.images.multiArch ? run.images.indexSize : 0,
    lazy: run.images.lazy ?? null,
    signing: run.images.signing,
    tags: run.images.tags,
    pullPolicy: run.images.pullPolicy,
  };
  const nodes: NodeRuntime[] = [];
  // Building and warming nodes is the one setup step that can take seconds (nodes × images), so it yields
  // like the kernel does, letting --max-wall and Ctrl-C stop a run that has not started dispatching yet.
  let setupWork = 0;
  for (let i = 0; i < cluster.nodes; i++) {
    const node = new NodeRuntime(i, world, dist, images.layers, imagesCfg);
    if (i >= run.cluster.nodes) node.present = false;
    else if (cluster.cache === 'warm') for (const v of images.current) node.warmStart(v);
    nodes.push(node);
    setupWork += 1 + images.current.length;
    if (setupWork >= SLICE_SETUP) {
      setupWork = 0;
      yield 0;
    }
  }
  rollout = new RolloutDriver(world, nodes, run.rollout);
  installNodeFaults(run.faults, {
    world,
    nodes,
    firstSpare: run.cluster.nodes,
    dist,
    catalog: images,
    rng,
    pullPolicy: run.images.pullPolicy,
    horizonS: run.duration,
  });
  scheduleReleases(
    world,
    images,
    rollout,
    { everyS: run.releases.every, images: run.releases.images, deltaBytes: run.releases.delta },
    run.duration,
  );

  const budget = options.maxEvents ?? Infinity;
  for (;;) {
    const stats = sim.run({ maxEvents: Math.min(SLICE_EVENTS, budget - sim.dispatched) });
    if (stats.stoppedBy !== 'maxEvents') break;
    if (sim.dispatched >= budget) throw new EventBudgetError(sim.dispatched);
    yield sim.dispatched;
  }

  const unconserved = net.conservationProblem();
  if (unconserved) throw new InvariantError('bytes sent = bytes received on every link', unconserved);

  let registryEgress = 0;
  for (const l of dist.registryLinks) registryEgress += net.linkBytes(l);
  if (CHECKS && meterLinks !== dist.registryLinks) {
    let metered = 0;
    for (const l of meterLinks) metered += net.linkBytes(l);
    if (Math.abs(metered - registryEgress) > 1 + 1e-9 * registryEgress)
      throw new InvariantError('the registry meter sees every registry byte and no other', `metered ${metered} bytes, the registry sent ${registryEgress}`);
  }
  const registryPeak = net.meterPeak(registryMeter);
  const ledger = new CostLedger(prices, {
    periodS: run.duration,
    natBytes: metrics.natBytes,
    natGateways: topo.natGatewayCount,
    crossZoneBytes: metrics.crossZoneBytes,
    internetBytes: metrics.internetBytes,
    registryEgressBytes: registryEgress,
    storedByteSeconds: images.layers.storedByteSeconds(run.duration),
    internetEgressBytes: metrics.ownEgressBytes,
    crossRegionBytes: metrics.crossRegionBytes,
    endpointBytes: metrics.endpointBytes,
  });
  ledger.addClusterCosts();
  dist.addCosts(ledger);
  const cost = ledger.breakdown();
  options.onSeries?.(metrics.series());
  options.onPricesUsed?.(pricesUsed(prices));

  const result: VariantMetrics = {
    simulated_s: sim.now,
    releases: metrics.releases,
    releases_rolled_out: metrics.releasesRolledOut(),
    pulls: metrics.pulls,
    pulls_failed: metrics.pullsFailed,
    pulls_failed_by_reason: metrics.failedByReasonRecord(),
    requests: metrics.requests,
    throttled_requests: metrics.throttledRequests,
    retries: metrics.retries,
    ingress_bytes: metrics.layerBytes + metrics.metadataBytes,
    layer_bytes: metrics.layerBytes,
    metadata_bytes: metrics.metadataBytes,
    ingress_by_source_bytes: metrics.ingressBySource(),
    internet_bytes: metrics.internetBytes,
    cross_zone_bytes: metrics.crossZoneBytes,
    // Link accounting integrates rate × time, so it carries float rounding; bytes are whole numbers.
    registry_egress_bytes: Math.round(registryEgress),
    registry_peak_Bps: registryPeak,
    rollout_s: metrics.rolloutPercentiles(),
    node_ready_s: metrics.nodeReadyPercentiles(),
    cost_usd: cost,
    cost_usd_per_day: (cost.total * DAY_S) / run.duration,
    cost_usd_per_month: (cost.total * MONTH_S) / run.duration,
    events: sim.dispatched,
    wall_ms: options.timing ? Math.round((performance.now() - t0) * 1000) / 1000 : null,
  };
  if (CHECKS) checkRunInvariants(result, metrics.releaseAccounts());
  return result;
}

/** The run hit its event budget (`--max-events`). */
export class EventBudgetError extends Error {
  constructor(readonly events: number) {
    super(`the run stopped after ${events} events (its --max-events budget) before every rollout finished`);
  }
}
