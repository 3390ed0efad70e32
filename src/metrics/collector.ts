/**
 * The metrics observer: subscribes to model events and keeps counters; `finish` turns them into the
 * variant's metrics. Nothing here changes the model.
 */
import { quantileSorted } from 'simple-statistics';
import type { ModelEvents, TransferEvent } from '../cluster/events.ts';
import type { Percentiles } from './result.ts';
import type { ReleaseAccount } from './invariants.ts';
import { TransferTimeline, rolloutCurve, type VariantSeries, type ZoneTraffic } from './timeseries.ts';
import { doubleArray, objectArray } from '../stable-arrays.ts';

export class MetricsCollector implements ModelEvents {
  releases = 0;
  /** Requests answered (every transfer) and refused (429/503); refusals also appear as transfers of their error body. */
  requests = 0;
  throttledRequests = 0;
  retries = 0;
  pulls = 0;
  pullsFailed = 0;
  readonly failedByReason = new Map<string, number>();
  /**
   * Bytes of layers ([0]) and of metadata ([1]) delivered. Performance: one store for both kinds, so it has
   * type feedback from the first transfer; a pull's metadata comes before its layers, so a store for
   * layers alone had never run when transferDone was first compiled, and its first layer discarded it.
   */
  private readonly kindBytes = new Float64Array(2);
  internetBytes = 0;
  natBytes = 0;
  crossZoneBytes = 0;
  /** Billing counters for the cost ledger (not result fields). */
  crossRegionBytes = 0;
  ownEgressBytes = 0;
  endpointBytes = 0;
  /** Per source (in first-seen order); see SourceTally. */
  private readonly bySource = new Map<string, SourceTally>();
  private lastSource: SourceTally | undefined;
  /** Zone index per node (first-seen order of zone names), when zoneOf is given. */
  private nodeZone: Int32Array = new Int32Array(0);
  private readonly zoneNames = objectArray<string>();
  private readonly zoneCrossBytes = doubleArray();
  private readonly publishedAt = doubleArray();
  private readonly targets: number[] = [];
  private readonly readyCount: number[] = [];
  /** Per release, for the accounting invariant (invariants.ts): targets at publish, drops, failed pulls. */
  private readonly initialTargets: number[] = [];
  private readonly dropped: number[] = [];
  private readonly failedPulls: number[] = [];
  private readonly lastReady = doubleArray();
  private readonly nodeReadyS = doubleArray();
  /** For the report's time series; only filled when the collector is given a clock. */
  private readonly timeline = new TransferTimeline();
  private latestPublish = 0;

  /**
   * `clock` (the simulator's now) turns on time series and `zoneOf` (node → zone name) per-zone traffic;
   * without them the collector only counts.
   */
  constructor(
    private readonly clock?: () => number,
    private readonly zoneOf?: (node: number) => string,
  ) {
    // Performance (issue 6): byte counters pass 2^31 within a run. Started as small integers, V8 would
    // change their representation then, throwing away every compiled function that had touched a
    // collector (the whole request path inlines transferDone). A non-integer first store makes them
    // doubles from the start.
    this.internetBytes = this.natBytes = this.crossZoneBytes = 0.5;
    this.crossRegionBytes = this.ownEgressBytes = this.endpointBytes = this.latestPublish = 0.5;
    this.internetBytes = this.natBytes = this.crossZoneBytes = 0;
    this.crossRegionBytes = this.ownEgressBytes = this.endpointBytes = this.latestPublish = 0;
  }

  get layerBytes(): number {
    return this.kindBytes[0];
  }

  get metadataBytes(): number {
    return this.kindBytes[1];
  }

  releasePublished(release: number, time: number, targetNodes: number): void {
    this.releases++;
    this.publishedAt[release] = time;
    this.targets[release] = targetNodes;
    this.initialTargets[release] = targetNodes;
    this.dropped[release] = 0;
    this.failedPulls[release] = 0;
    this.readyCount[release] = 0;
    this.lastReady[release] = time;
    if (time > this.latestPublish) this.latestPublish = time;
  }

  transferDone(e: TransferEvent): void {
    if (e.crossRegion) this.crossRegionBytes += e.bytes;
    if (e.ownEgress) this.ownEgressBytes += e.bytes;
    if (e.viaEndpoint) this.endpointBytes += e.bytes;
    if (e.cacheFill) {
      if (e.internet) this.internetBytes += e.bytes;
      if (e.viaNat) this.natBytes += e.bytes;
      if (e.crossZone) this.crossZoneBytes += e.bytes;
      return;
    }
    this.requests++;
    this.kindBytes[e.kind === 'layer' ? 0 : 1] += e.bytes;
    if (e.internet) this.internetBytes += e.bytes;
    if (e.viaNat) this.natBytes += e.bytes;
    if (e.crossZone) this.crossZoneBytes += e.bytes;
    // Performance: consecutive transfers mostly share their source, so its tally is looked up once.
    let src = this.lastSource;
    if (src === undefined || src.name !== e.source) src = this.lastSource = this.tally(e.source);
    src.bytes += e.bytes;
    if (src.timeline) {
      const end = (this.clock as () => number)() - this.latestPublish;
      this.timeline.add(src.timeline, end, e.bytes, e.startedAt === undefined ? undefined : e.startedAt - this.latestPublish);
    }
    if (this.zoneOf) {
      const z = this.zoneIndex(e.node);
      src.byZone[z] = (src.byZone[z] ?? 0) + e.bytes;
      if (e.crossZone) this.zoneCrossBytes[z] += e.bytes;
    }
  }

  private tally(name: string): SourceTally {
    let t = this.bySource.get(name);
    if (t === undefined) {
      t = { name, bytes: 0.5, timeline: this.clock ? this.timeline.accumulator(name) : undefined, byZone: [] };
      t.bytes = 0; // a double from the start (see the constructor)
      this.bySource.set(name, t);
    }
    return t;
  }

  /** The node's zone, as an index into zoneNames (asked of zoneOf once per node). */
  private zoneIndex(node: number): number {
    if (node >= this.nodeZone.length) {
      const grown = new Int32Array(Math.max(2 * this.nodeZone.length, node + 1)).fill(-1);
      grown.set(this.nodeZone);
      this.nodeZone = grown;
    }
    let z = this.nodeZone[node];
    if (z < 0) {
      const name = (this.zoneOf as (node: number) => string)(node);
      z = this.zoneNames.indexOf(name);
      if (z < 0) {
        z = this.zoneNames.push(name) - 1;
        this.zoneCrossBytes.push(0);
      }
      this.nodeZone[node] = z;
    }
    return z;
  }

  requestThrottled(): void {
    this.throttledRequests++;
  }

  pullRetried(): void {
    this.retries++;
  }

  pullDone(_node: number, release: number, ok: boolean, _time: number, reason?: string): void {
    this.pulls++;
    if (!ok) {
      this.pullsFailed++;
      if (release >= 0 && this.failedPulls[release] !== undefined) this.failedPulls[release]++;
      const r = reason ?? 'unknown';
      this.failedByReason.set(r, (this.failedByReason.get(r) ?? 0) + 1);
    }
  }

  targetDropped(release: number): void {
    this.targets[release]--;
    this.dropped[release]++;
  }

  /** How each release ended, for checkRunInvariants. */
  releaseAccounts(): ReleaseAccount[] {
    const out: ReleaseAccount[] = [];
    for (let r = 0; r < this.publishedAt.length; r++) {
      if (this.publishedAt[r] === undefined) continue;
      out.push({ release: r, targets: this.initialTargets[r], ready: this.readyCount[r], dropped: this.dropped[r], failedPulls: this.failedPulls[r] });
    }
    return out;
  }

  /** Releases at least one of whose targets became ready: the ones rollout_s is over. */
  releasesRolledOut(): number {
    let n = 0;
    for (let r = 0; r < this.publishedAt.length; r++) if (this.readyCount[r] > 0 && this.readyCount[r] === this.targets[r]) n++;
    return n;
  }

  nodeReady(_node: number, release: number, time: number): void {
    this.nodeReadyS.push(time - this.publishedAt[release]);
    this.readyCount[release]++;
    if (time > this.lastReady[release]) this.lastReady[release] = time;
  }

  /**
   * Per release: publish → last target node ready. Targets that failed a pull or left stop counting
   * (targetDropped; their pulls are in pulls_failed_by_reason); a release none of whose targets became
   * ready has no rollout time.
   */
  rolloutPercentiles(): Percentiles {
    const xs: number[] = [];
    for (let r = 0; r < this.publishedAt.length; r++) {
      if (this.readyCount[r] > 0 && this.readyCount[r] === this.targets[r]) xs.push(this.lastReady[r] - this.publishedAt[r]);
    }
    return percentiles(xs);
  }

  nodeReadyPercentiles(): Percentiles {
    return percentiles(this.nodeReadyS);
  }

  /** Rollout completion and ingress over time since publish (see timeseries.ts). */
  series(): VariantSeries {
    let targets = 0;
    for (let r = 0; r < this.targets.length; r++) targets += this.targets[r] ?? 0;
    let span = this.timeline.maxOffset;
    for (const x of this.nodeReadyS) if (x > span) span = x;
    return {
      rollout_completion: rolloutCurve(this.nodeReadyS, targets),
      ingress_by_source: this.timeline.series(span, this.releases),
      ...(this.zoneOf ? { ingress_by_zone: this.zoneTraffic() } : {}),
    };
  }

  private zoneTraffic(): Record<string, ZoneTraffic> {
    const out: Record<string, ZoneTraffic> = {};
    const sources = [...this.bySource.keys()].sort();
    for (const zone of [...this.zoneNames].sort()) {
      const z = this.zoneNames.indexOf(zone);
      const bytes_by_source: Record<string, number> = {};
      for (const src of sources) {
        const b = (this.bySource.get(src) as SourceTally).byZone[z];
        if (b !== undefined) bytes_by_source[src] = b;
      }
      out[zone] = { bytes_by_source, cross_zone_bytes: this.zoneCrossBytes[z] };
    }
    return out;
  }

  failedByReasonRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.failedByReason.keys()].sort()) out[k] = this.failedByReason.get(k)!;
    return out;
  }

  ingressBySource(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.bySource.keys()].sort()) out[k] = this.bySource.get(k)!.bytes;
    return out;
  }
}

/** A source's counters: its bytes in total, on the time line and per zone index (absent: none yet). */
interface SourceTally {
  name: string;
  bytes: number;
  timeline: Float64Array | undefined;
  byZone: (number | undefined)[];
}

/** p50/p90/p99/max; all zero for no samples. */
export function percentiles(xs: number[]): Percentiles {
  if (xs.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const s = Float64Array.from(xs).sort();
  const a = Array.from(s);
  return { p50: quantileSorted(a, 0.5), p90: quantileSorted(a, 0.9), p99: quantileSorted(a, 0.99), max: a[a.length - 1] };
}
