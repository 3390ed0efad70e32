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
  /** Starts moving `bytes` from host `u` to node `d`; `sink.landed()` runs when the last byte has arrived. Returns a handle. */
  start(u: number, d: number, bytes: number, sink: PieceSink): number;
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
  /** Active flows each host uploads / downloads (swap-remove lists; the flows' UP_POS/DOWN_POS index into them). */
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

  start(u: number, d: number, bytes: number, sink: PieceSink): number {
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
    f64[4 * f + R.HANDLE] = this.sim.schedule(this.hosts.oneWay(u, d), this.joinType, f, NORMAL);
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
    i32[4 * f + R.UP_POS] = this.ups[u].push(f) - 1;
    i32[4 * f + R.DOWN_POS] = this.downs[d].push(f) - 1;
    this.reshare(u, d);
    this.refreshEndpoints(u, d);
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
    removeAt(this.ups[u], i32[4 * f + R.UP_POS], i32, R.UP_POS);
    removeAt(this.downs[d], i32[4 * f + R.DOWN_POS], i32, R.DOWN_POS);
    this.reshare(u, d);
    this.refreshEndpoints(u, d);
  }

  /** A flow started or ended between u and d: only the flows sharing u's upload or d's download change rate. */
  private refreshEndpoints(u: number, d: number): void {
    // Indexed loops: the compiled handlers called the array iterator builtin for for-of over these lists.
    const ups = this.ups[u];
    for (let i = 0; i < ups.length; i++) this.refresh(ups[i]);
    const downs = this.downs[d];
    for (let i = 0; i < downs.length; i++) this.refresh(downs[i]);
  }

  /** u's upload or d's download list changed: their shares follow (a share of an empty list is never read). */
  private reshare(u: number, d: number): void {
    this.upShare[u] = this.hosts.upBps[u] / this.ups[u].length;
    this.downShare[d] = this.hosts.downBps[d] / this.downs[d].length;
  }

  private refresh(f: number): void {
    const f64 = this.f64;
    const r = Math.min(this.upShare[this.i32[4 * f + R.FROM]], this.downShare[this.i32[4 * f + R.TO]]);
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

/** Swap-remove of list[i], keeping the moved flow's position field (`field` of its int32 record) right. */
function removeAt(list: number[], i: number, i32: Int32Array, field: number): void {
  const last = list.pop() as number;
  if (i < list.length) {
    list[i] = last;
    i32[4 * last + field] = i;
  }
}
