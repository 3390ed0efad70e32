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

export interface PieceTransport {
  /** Starts moving `bytes` from host `u` to node `d`; `done` runs when the last byte has arrived. Returns a handle. */
  start(u: number, d: number, bytes: number, done: () => void): number;
  /**
   * Stops a transfer that has not completed yet; its `done` is never called. Returns false (and changes
   * nothing) when the transfer is already delivering its last byte at this instant: it will land.
   */
  abort(handle: number): boolean;
}

export class ExactTransport implements PieceTransport {
  constructor(
    private readonly net: Network,
    private readonly hosts: P2PHosts,
  ) {}

  start(u: number, d: number, bytes: number, done: () => void): number {
    return this.net.startFlow(this.hosts.path(u, d), bytes, () => done());
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

export class LocalFairShareTransport implements PieceTransport {
  private readonly joinType: number;
  private readonly finishType: number;
  private state = new Uint8Array(64);
  private from = new Int32Array(64);
  private to = new Int32Array(64);
  private remaining = new Float64Array(64);
  private settled = new Float64Array(64);
  private rate = new Float64Array(64);
  private handle = new Float64Array(64);
  private upPos = new Int32Array(64);
  private downPos = new Int32Array(64);
  private readonly done: ((() => void) | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private used = 0;
  /** Active flows each host uploads / downloads (swap-remove lists; upPos/downPos index into them). */
  private readonly ups: number[][];
  private readonly downs: number[][];

  constructor(
    private readonly sim: Simulator,
    private readonly hosts: P2PHosts,
  ) {
    this.joinType = sim.register((f) => this.join(f));
    this.finishType = sim.register((f) => this.finish(f));
    this.ups = Array.from({ length: hosts.count }, () => []);
    this.downs = Array.from({ length: hosts.count }, () => []);
  }

  start(u: number, d: number, bytes: number, done: () => void): number {
    const f = this.alloc();
    this.from[f] = u;
    this.to[f] = d;
    this.remaining[f] = bytes;
    this.rate[f] = 0;
    this.done[f] = done;
    this.state[f] = LATENT;
    // Like the exact network: the first byte waits out the path latency, then the flow shares.
    this.handle[f] = this.sim.schedule(this.hosts.oneWay(u, d), this.joinType, f, NORMAL);
    return f;
  }

  abort(f: number): boolean {
    if (this.state[f] === LATENT) this.sim.cancel(this.handle[f]);
    else if (this.state[f] === SHARING) {
      this.sim.cancel(this.handle[f]);
      this.detach(f);
    } else throw new Error(`internal: abort of finished piece flow ${f}`);
    this.release(f);
    return true;
  }

  private join(f: number): void {
    if (this.remaining[f] === 0) return this.end(f);
    this.state[f] = SHARING;
    this.settled[f] = this.sim.now;
    const u = this.from[f];
    const d = this.to[f];
    this.upPos[f] = this.ups[u].push(f) - 1;
    this.downPos[f] = this.downs[d].push(f) - 1;
    this.refreshEndpoints(u, d);
  }

  private finish(f: number): void {
    this.detach(f);
    this.end(f);
  }

  private end(f: number): void {
    const done = this.done[f] as () => void;
    this.release(f);
    done();
  }

  private detach(f: number): void {
    const u = this.from[f];
    const d = this.to[f];
    removeAt(this.ups[u], this.upPos[f], this.upPos);
    removeAt(this.downs[d], this.downPos[f], this.downPos);
    this.refreshEndpoints(u, d);
  }

  /** A flow started or ended between u and d: only the flows sharing u's upload or d's download change rate. */
  private refreshEndpoints(u: number, d: number): void {
    for (const f of this.ups[u]) this.refresh(f);
    for (const f of this.downs[d]) this.refresh(f);
  }

  private refresh(f: number): void {
    const u = this.from[f];
    const d = this.to[f];
    const r = Math.min(this.hosts.upBps[u] / this.ups[u].length, this.hosts.downBps[d] / this.downs[d].length);
    if (r === this.rate[f]) return;
    const now = this.sim.now;
    this.remaining[f] = Math.max(0, this.remaining[f] - this.rate[f] * (now - this.settled[f]));
    this.settled[f] = now;
    this.rate[f] = r;
    this.sim.cancel(this.handle[f]);
    this.handle[f] = this.sim.schedule(this.remaining[f] / r, this.finishType, f, NORMAL);
  }

  private alloc(): number {
    const reused = this.freeIds.pop();
    if (reused !== undefined) return reused;
    const f = this.used++;
    if (f === this.state.length) {
      const n = 2 * f;
      this.state = grow(this.state, n);
      this.from = grow(this.from, n);
      this.to = grow(this.to, n);
      this.remaining = grow(this.remaining, n);
      this.settled = grow(this.settled, n);
      this.rate = grow(this.rate, n);
      this.handle = grow(this.handle, n);
      this.upPos = grow(this.upPos, n);
      this.downPos = grow(this.downPos, n);
    }
    this.done.push(undefined);
    return f;
  }

  private release(f: number): void {
    this.state[f] = FREE;
    this.done[f] = undefined;
    this.freeIds.push(f);
  }
}

/** Swap-remove of list[i], keeping the moved element's position index right. */
function removeAt(list: number[], i: number, pos: Int32Array): void {
  const last = list.pop() as number;
  if (i < list.length) {
    list[i] = last;
    pos[last] = i;
  }
}
