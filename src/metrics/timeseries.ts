/**
 * Time series for the report's charts, kept compact and deterministic: samples are bucketed by simulated
 * time (never wall time) into at most MAX_POINTS points per series.
 *
 * Time runs from the publish of the release a sample belongs to ("time since release"), averaged over
 * releases: with periodic releases a day-long axis would show a dozen spikes a few seconds wide, while
 * the rollout window is where strategies differ. A transfer whose start is known has its bytes spread
 * evenly over its flow time (its mean rate); one without (e.g. a P2P piece) counts when it completes.
 */

export const MAX_POINTS = 200;

export interface RolloutCurve {
  /** Seconds since publish. */
  t_s: number[];
  /** Share of (node, release) targets ready by then, 0…1. */
  ready_share: number[];
}

export interface ThroughputSeries {
  /** Bucket start, seconds since publish. */
  t_s: number[];
  /** Mean bytes per second over the bucket, averaged over releases. */
  Bps: number[];
}

/** Per variant; stored beside the metrics in RunResult (not part of VariantMetrics, so CSV is unchanged). */
export interface VariantSeries {
  rollout_completion: RolloutCurve;
  /** Ingress by source, keyed by source name (sorted). */
  ingress_by_source: Record<string, ThroughputSeries>;
  /** Whole-run traffic into each zone's nodes (zones sorted), when the collector knew the zones. */
  ingress_by_zone?: Record<string, ZoneTraffic>;
}

export interface ZoneTraffic {
  /** Bytes received by the zone's nodes, by source (sorted). */
  bytes_by_source: Record<string, number>;
  /** Of those, bytes that came from another zone. */
  cross_zone_bytes: number;
}

/**
 * Bytes per source on a fine grid whose width doubles (merging neighbour buckets) whenever a sample
 * falls beyond it. Performance trick: memory stays O(sources × FINE_BUCKETS) however many transfers a
 * big cluster makes, instead of keeping every sample until the span is known.
 */
export class TransferTimeline {
  private width = FINE_WIDTH_S;
  private readonly perSource = new Map<string, Float64Array>();
  private maxSeen = 0;

  /** `bytes` that flowed from `startS` to `endS` (offsets from publish); a point at `endS` without a start. */
  record(endS: number, bytes: number, source: string, startS?: number): void {
    this.add(this.accumulator(source), endS, bytes, startS);
  }

  /** The buckets of `source` (created empty on first use), for add(); coarsening keeps the same array. */
  accumulator(source: string): Float64Array {
    let acc = this.perSource.get(source);
    if (!acc) {
      acc = new Float64Array(FINE_BUCKETS);
      this.perSource.set(source, acc);
    }
    return acc;
  }

  /** record() with the source's buckets already looked up (the collector keeps them per source). */
  add(acc: Float64Array, endS: number, bytes: number, startS?: number): void {
    const end = Math.max(0, endS);
    if (end > this.maxSeen) this.maxSeen = end;
    while (end >= this.width * FINE_BUCKETS) this.coarsen();
    const start = startS === undefined ? end : Math.min(end, Math.max(0, startS));
    const w = this.width;
    const last = Math.floor(end / w);
    if (start === end) {
      acc[last] += bytes;
      return;
    }
    // Each bucket gets the share of the flow time that falls in it (at most FINE_BUCKETS of them).
    const rate = bytes / (end - start);
    for (let i = Math.floor(start / w); i <= last; i++) {
      const overlap = Math.min(end, (i + 1) * w) - Math.max(start, i * w);
      if (overlap > 0) acc[i] += rate * overlap;
    }
  }

  private coarsen(): void {
    for (const acc of this.perSource.values()) {
      for (let i = 0; i < FINE_BUCKETS / 2; i++) acc[i] = acc[2 * i] + acc[2 * i + 1];
      acc.fill(0, FINE_BUCKETS / 2);
    }
    this.width *= 2;
  }

  /** Bytes per source over [0, span) in ≤ MAX_POINTS buckets; `releases` averages the folded releases. */
  series(span: number, releases: number): Record<string, ThroughputSeries> {
    const total = Math.max(span, this.maxSeen);
    let factor = 1;
    while (Math.ceil(total / (this.width * factor)) + 1 > MAX_POINTS) factor *= 2;
    const width = this.width * factor;
    const n = Math.max(1, Math.ceil(total / width) + 1);
    const t_s = Array.from({ length: n }, (_, i) => round(i * width));
    const div = width * Math.max(1, releases);
    const out: Record<string, ThroughputSeries> = {};
    for (const name of [...this.perSource.keys()].sort()) {
      const acc = this.perSource.get(name)!;
      const Bps = new Array<number>(n).fill(0);
      for (let i = 0; i < FINE_BUCKETS; i++) if (acc[i] !== 0) Bps[Math.min(n - 1, Math.floor(i / factor))] += acc[i];
      out[name] = { t_s, Bps: Bps.map((x) => round(x / div)) };
    }
    return out;
  }

  get maxOffset(): number {
    return this.maxSeen;
  }
}

/** The fine grid: 4096 buckets of 1 ms to start with (doubling as needed). */
const FINE_BUCKETS = 4096;
const FINE_WIDTH_S = 0.001;

/**
 * The completion curve from node-ready offsets: share of all targets ready by time t. Down-sampled to at
 * most MAX_POINTS steps by taking evenly spaced order statistics (the last one always included).
 */
export function rolloutCurve(readyOffsets: readonly number[], totalTargets: number): RolloutCurve {
  const s = Float64Array.from(readyOffsets).sort();
  const t_s = [0];
  const ready_share = [0];
  if (s.length === 0 || totalTargets <= 0) return { t_s, ready_share };
  const step = Math.max(1, Math.ceil(s.length / (MAX_POINTS - 1)));
  for (let i = step - 1; ; i += step) {
    const k = Math.min(i, s.length - 1);
    t_s.push(round(s[k]));
    ready_share.push(round((k + 1) / totalTargets));
    if (k === s.length - 1) break;
  }
  return { t_s, ready_share };
}

/** Six significant digits: keeps JSON short and free of float noise across platforms. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}
