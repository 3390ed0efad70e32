/**
 * How a piece's bytes move from one host to another: the bandwidth model of a P2P run.
 *
 * - `exact` (the default): every piece transfer is a flow in the shared Network along its real path
 *   (limiter → NIC → rack/zone links → NIC → limiter), so max-min sharing is exact and rack uplinks, NICs
 *   and zone links are shared honestly with all other traffic. Cost: a swarm ties every NIC into one
 *   giant component, but a piece event re-solves only the flows whose rates it moves (network/local-solve.ts),
 *   typically a few dozen; the swarm's size still shows in how far those chains reach.
 * - `local-fair-share` (opt-in, an approximation for very large swarms): a piece flow's rate is
 *   min(uploader capacity / its active uploads, downloader capacity / its active downloads), updated only
 *   when a flow starts or ends at one of its two endpoints. Each event costs O(flows at two hosts). It
 *   ignores interior links (rack uplinks, zone links) and other traffic on the NICs, and leaves capacity
 *   unused where one side's fair share is below the other's; its error against `exact` is measured in
 *   test/p2p-bandwidth-model.test.ts and printed by bench/p2p.bench.ts.
 */
import { NORMAL, type Simulator } from '../kernel/index.ts';
import type { Network } from '../network/index.ts';
import { grow } from '../network/graph.ts';
import type { P2PHosts } from './p2p-hosts.ts';

export type BandwidthModel = 'exact' | 'local-fair-share';

/** Told when a piece's last byte has arrived (a swarm's channel: an object it already has, no closure per piece). */
export interface PieceSink {
  landed(): void;
}

export interface PieceTransport {
  /**
   * Starts moving `bytes` from host `u` to node `d`; `sink.landed()` runs when the last byte has arrived.
   * `oneWayS` is hosts.oneWay(u, d), which the caller keeps per connection. Returns a handle.
   */
  start(u: number, d: number, bytes: number, sink: PieceSink, oneWayS: number): number;
  /**
   * Stops a transfer that has not completed yet; its sink is never told. Returns false (and changes
   * nothing) when the transfer is already delivering its last byte at this instant: it will land.
   */
  abort(handle: number): boolean;
}

export class ExactTransport implements PieceTransport {
  constructor(
    private readonly net: Network,
    private readonly hosts: P2PHosts,
  ) {}

  start(u: number, d: number, bytes: number, sink: PieceSink): number {
    // The network sums the path's latency itself.
    return this.net.startFlow(this.hosts.path(u, d), bytes, () => sink.landed());
  }

  abort(handle: number): boolean {
    // A flow that finished at this same instant is waiting for its onDone: it is no longer abortable.
    if (this.net.flowRemaining(handle) <= 0) return false;
    this.net.abortFlow(handle);
    return true;
  }
}

const FREE = 0;
const LATENT = 1;
const SHARING = 2;

// A flow's record: four float64s (remaining bytes, when they were settled, rate, kernel handle) and four
// int32s (uploader, downloader, positions in their lists). Performance: a refresh touches one cache line
// of each instead of one per field (at 10,000 nodes ~100k flows are open and most reads miss).
const enum R {
  REMAINING = 0,
  SETTLED = 1,
  RATE = 2,
  HANDLE = 3,
  FROM = 0,
  TO = 1,
  UP_POS = 2,
  DOWN_POS = 3,
}

export class LocalFairShareTransport implements PieceTransport {
  private readonly joinType: number;
  private readonly finishType: number;
  private state = new Uint8Array(64);
  private f64 = new Float64Array(4 * 64);
  private i32 = new Int32Array(4 * 64);
  private readonly sinks: (PieceSink | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private used = 0;
  /**
   * Active flows each host uploads / downloads, as pairs (flow, the host at its other end) so a refresh
   * knows the other end without loading the flow's record. Swap-remove lists; a flow's UP_POS / DOWN_POS
   * is the index of its pair.
   */
  private readonly ups: number[][];
  private readonly downs: number[][];
  /**
   * Each host's fair share, capacity / active flows, kept beside the lists (refresh reads two typed-array
   * entries instead of two hosts' capacities and list lengths, which at 10,000 nodes are mostly cache
   * misses). Same division as reading them, so the same rates bit for bit.
   */
  private readonly upShare: Float64Array;
  private readonly downShare: Float64Array;

  constructor(
    private readonly sim: Simulator,
    private readonly hosts: P2PHosts,
  ) {
    this.joinType = sim.register((f) => this.join(f));
    this.finishType = sim.register((f) => this.finish(f));
    this.ups = Array.from({ length: hosts.count }, () => []);
    this.downs = Array.from({ length: hosts.count }, () => []);
    this.upShare = new Float64Array(hosts.count);
    this.downShare = new Float64Array(hosts.count);
  }

  start(u: number, d: number, bytes: number, sink: PieceSink, oneWayS: number): number {
    const f = this.alloc();
    const i32 = this.i32;
    const f64 = this.f64;
    i32[4 * f + R.FROM] = u;
    i32[4 * f + R.TO] = d;
    f64[4 * f + R.REMAINING] = bytes;
    f64[4 * f + R.RATE] = 0;
    this.sinks[f] = sink;
    this.state[f] = LATENT;
    // Like the exact network: the first byte waits out the path latency, then the flow shares.
    f64[4 * f + R.HANDLE] = this.sim.schedule(oneWayS, this.joinType, f, NORMAL);
    return f;
  }

  abort(f: number): boolean {
    if (this.state[f] === LATENT) this.sim.cancel(this.f64[4 * f + R.HANDLE]);
    else if (this.state[f] === SHARING) {
      this.sim.cancel(this.f64[4 * f + R.HANDLE]);
      this.detach(f);
    } else throw new Error(`internal: abort of finished piece flow ${f}`);
    this.release(f);
    return true;
  }

  private join(f: number): void {
    const f64 = this.f64;
    const i32 = this.i32;
    if (f64[4 * f + R.REMAINING] === 0) return this.end(f);
    this.state[f] = SHARING;
    f64[4 * f + R.SETTLED] = this.sim.now;
    const u = i32[4 * f + R.FROM];
    const d = i32[4 * f + R.TO];
    i32[4 * f + R.UP_POS] = this.ups[u].push(f, d) - 2;
    i32[4 * f + R.DOWN_POS] = this.downs[d].push(f, u) - 2;
    this.reshare(u, d, f);
  }

  private finish(f: number): void {
    this.detach(f);
    this.end(f);
  }

  private end(f: number): void {
    const sink = this.sinks[f] as PieceSink;
    this.release(f);
    sink.landed();
  }

  private detach(f: number): void {
    const i32 = this.i32;
    const u = i32[4 * f + R.FROM];
    const d = i32[4 * f + R.TO];
    removePair(this.ups[u], i32[4 * f + R.UP_POS], i32, R.UP_POS);
    removePair(this.downs[d], i32[4 * f + R.DOWN_POS], i32, R.DOWN_POS);
    this.reshare(u, d, -1);
  }

  /**
   * A flow started (`fresh`, not yet rated) or ended (−1) between u and d: u's upload share and d's
   * download share follow their lists (a share of an empty list is never read), and only the flows at
   * u's upload or d's download can change rate, in list order, u's first.
   *
   * Performance: every other flow's rate is min(old share here, its share at its other end), so when
   * its rate is below the old share it is its other end's share, and when a share drops the new rate
   * is the new share; only a flow at a rising share's old value needs its other end's share. Same
   * values and the same re-timings, in the same order, as recomputing min(upShare, downShare) for each
   * (test/p2p-local-transport-matches-reference.property.test.ts).
   */
  private reshare(u: number, d: number, fresh: number): void {
    // Indexed loops: the compiled handlers called the array-iterator builtin for for-of over these lists.
    const ups = this.ups[u];
    const downs = this.downs[d];
    const u0 = this.upShare[u];
    const d0 = this.downShare[d];
    const u1 = (this.upShare[u] = this.hosts.upBps[u] / (ups.length / 2));
    const d1 = (this.downShare[d] = this.hosts.downBps[d] / (downs.length / 2));
    for (let i = 0; i < ups.length; i += 2) {
      const g = ups[i];
      const to = ups[i + 1];
      if (g === fresh || to === d) this.refresh(g, Math.min(u1, d1));
      else this.refreshSide(g, u0, u1, this.downShare, to);
    }
    for (let i = 0; i < downs.length; i += 2) {
      const g = downs[i];
      const from = downs[i + 1];
      if (g === fresh || from === u) this.refresh(g, Math.min(u1, d1));
      else this.refreshSide(g, d0, d1, this.upShare, from);
    }
  }

  /** Flow g's share on one side moved s0 → s1; its other end's share, otherShare[other], did not. */
  private refreshSide(g: number, s0: number, s1: number, otherShare: Float64Array, other: number): void {
    const rate = this.f64[4 * g + R.RATE];
    const r = rate < s0 ? Math.min(s1, rate) : s1 <= s0 ? s1 : Math.min(s1, otherShare[other]);
    this.refresh(g, r);
  }

  /** Flow f's rate is `r` from now on. */
  private refresh(f: number, r: number): void {
    const f64 = this.f64;
    const rate = f64[4 * f + R.RATE];
    if (r === rate) return;
    const now = this.sim.now;
    const remaining = Math.max(0, f64[4 * f + R.REMAINING] - rate * (now - f64[4 * f + R.SETTLED]));
    f64[4 * f + R.REMAINING] = remaining;
    f64[4 * f + R.SETTLED] = now;
    f64[4 * f + R.RATE] = r;
    this.sim.cancel(f64[4 * f + R.HANDLE]);
    f64[4 * f + R.HANDLE] = this.sim.schedule(remaining / r, this.finishType, f, NORMAL);
  }

  private alloc(): number {
    const reused = this.freeIds.pop();
    if (reused !== undefined) return reused;
    const f = this.used++;
    if (f === this.state.length) {
      const n = 2 * f;
      this.state = grow(this.state, n);
      this.f64 = grow(this.f64, 4 * n);
      this.i32 = grow(this.i32, 4 * n);
    }
    this.sinks.push(undefined);
    return f;
  }

  private release(f: number): void {
    this.state[f] = FREE;
    this.sinks[f] = undefined;
    this.freeIds.push(f);
  }
}

/** Swap-remove of the pair at list[i], keeping the moved flow's position field (`field` of its int32 record) right. */
function removePair(list: number[], i: number, i32: Int32Array, field: number): void {
  const other = list.pop() as number;
  const last = list.pop() as number;
  if (i < list.length) {
    list[i] = last;
    list[i + 1] = other;
    i32[4 * last + field] = i;
  }
}
