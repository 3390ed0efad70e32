/**
 * The per-host and per-connection state of a swarm: a member (a host taking part in one blob's swarm), a
 * channel (one direction of a connection), and the per-host upload slots shared by all swarms.
 */
import { NORMAL, type Rng, type Simulator } from '../kernel/index.ts';
import type { PieceSink } from './p2p-transport.ts';

/** What an upload slot, once free, hands a waiting channel back to. */
export interface PieceServer {
  /** Starts `ch`'s next queued piece with a slot already held; false (slot unused) when nothing is queued. */
  serveWithSlot(ch: Channel): boolean;
  /** The last byte of `ch`'s active piece has arrived. */
  pieceLanded(ch: Channel): void;
  /** A ChannelTimers wait for `ch` is over (its head request has reached the uploader). */
  timerFired(ch: Channel): void;
}

export const PEER_REQUESTED = 1;
/** Requested from an origin: a peer may still be asked, since the origin channel is the slow, shared one. */
export const ORIGIN_REQUESTED = 2;

export class Member {
  haveCount = 0;
  /** Piece requests in flight as a downloader. */
  outstanding = 0;
  /** Where the next round-robin over `downs` starts. */
  turn = 0;
  conns = 0;
  opened = 0;
  complete = false;
  wentToSource = false;
  /** The host left the cluster (Swarm.removePeer): every callback still pending for it is ignored. */
  left = false;
  /** Kernel handle of the next re-announce (−1 when none). */
  announceHandle = -1;
  /** Kernel handle of the back-to-source watchdog (−1 when none). */
  watchHandle = -1;
  lastProgress = 0;
  readonly downs: Channel[] = [];
  /** Channels it uploads on; change them through addUp / removeUp / clearUps, which keep upRows beside. */
  readonly ups: Channel[] = [];
  /**
   * The PieceTable rows of its uploads' downloaders, in the order of `ups`. Performance: a HAVE walks
   * these (Swarm.gain) and loads a channel only for a downloader that will request; loading every
   * channel object was most of a HAVE's cost at 10,000 nodes.
   */
  readonly upRows: number[] = [];
  /**
   * Hosts it is connected to, in no particular order. Memory: a small list, not a Set (≈ 0.2 kB against
   * 0.6 kB per member); a node holds at most maxConnections (10–15) per blob, so a lookup scans ≤ 15.
   */
  readonly neighbours: number[] = [];
  readonly waiters: ((ok: boolean, reason?: string) => void)[] = [];

  addUp(ch: Channel): void {
    this.ups.push(ch);
    this.upRows.push(ch.toW);
  }

  removeUp(ch: Channel): void {
    const i = this.ups.indexOf(ch);
    if (i < 0) return;
    this.ups.splice(i, 1);
    this.upRows.splice(i, 1);
  }

  clearUps(): void {
    this.ups.length = 0;
    this.upRows.length = 0;
  }

  constructor(
    readonly host: number,
    /** Its row in the swarm's PieceTable: which pieces it has, which it requested (PEER_REQUESTED and/or ORIGIN_REQUESTED). */
    readonly w: number,
  ) {}
}

/** The empty request list channels share until their first request; never pushed to. */
export const NO_REQUESTS: number[] = [];

/** One direction of a connection: `to` downloads from `from`. It is its own transport's PieceSink. */
export class Channel implements PieceSink {
  open = false;
  /** One side left the swarm: the channel is out of every list and its pending timers do nothing. */
  closed = false;
  /**
   * Requested pieces not yet served, with the time each request reaches the uploader. Memory: most
   * channels never carry a request (a blob of one piece comes over one of a node's ten connections), so
   * they share one empty list until their first request (Swarm.request gives them their own).
   */
  queue: number[] = NO_REQUESTS;
  readyAt: number[] = NO_REQUESTS;
  head = 0;
  outstanding = 0;
  active = -1;
  /** Transport handle of the active piece, −1 when idle. */
  flow = -1;
  /** When the active piece's flow started (charts spread its bytes over the flow). */
  startedAt = 0;
  waitingSlot = false;
  timerPending = false;
  /** `to`'s PieceTable row, kept here: a HAVE to every downloader reads it without loading the member. */
  readonly toW: number;
  /** hosts.oneWay(from, to), the latency before a piece's first byte arrives: computed at the first piece (−1 before). */
  pieceLatencyS = -1;

  constructor(
    readonly swarm: PieceServer,
    readonly from: Member,
    readonly to: Member,
    readonly latencyS: number,
    /** Whether `to` opened the connection (it counts against `to`'s maxParents / maxConnections opens). */
    readonly openedByDownloader: boolean,
  ) {
    this.toW = to.w;
  }

  /** The transport delivered the active piece (a channel carries one piece at a time). */
  landed(): void {
    this.swarm.pieceLanded(this);
  }
}

/** Per-host cap on concurrent piece uploads over all swarms, with a FIFO of channels waiting for a slot. */
export class UploadSlots {
  private readonly active: Int32Array;
  private readonly waiting: Channel[][];
  private readonly heads: Int32Array;

  constructor(private readonly limit: Float64Array) {
    this.active = new Int32Array(limit.length);
    this.waiting = Array.from({ length: limit.length }, () => []);
    this.heads = new Int32Array(limit.length);
  }

  acquire(h: number, ch: Channel): boolean {
    if (this.active[h] < this.limit[h]) {
      this.active[h]++;
      return true;
    }
    ch.waitingSlot = true;
    this.waiting[h].push(ch);
    return false;
  }

  release(h: number): void {
    this.active[h]--;
    const q = this.waiting[h];
    while (this.heads[h] < q.length && this.active[h] < this.limit[h]) {
      const ch = q[this.heads[h]++];
      ch.waitingSlot = false;
      this.active[h]++;
      if (!ch.swarm.serveWithSlot(ch)) this.active[h]--;
    }
    if (this.heads[h] === q.length) {
      q.length = 0;
      this.heads[h] = 0;
    }
  }
}

/**
 * Waits on behalf of channels, as kernel events of one registered type whose argument is a slot here.
 * Performance: a request that must travel to its uploader waits once (0.6 per piece in a flash crowd);
 * as a closure (sim.call) each wait was a closure and its context of garbage. Same time, priority and
 * queue position as the sim.call it replaces.
 */
export class ChannelTimers {
  private readonly type: number;
  private readonly waiting: (Channel | undefined)[] = [];
  private readonly free: number[] = [];

  constructor(private readonly sim: Simulator) {
    this.type = sim.register((k) => this.fire(k));
  }

  /** `ch.swarm.timerFired(ch)` runs after `delay` seconds. */
  after(delay: number, ch: Channel): void {
    const k = this.free.length > 0 ? (this.free.pop() as number) : this.waiting.length;
    this.waiting[k] = ch;
    this.sim.schedule(delay, this.type, k, NORMAL);
  }

  private fire(k: number): void {
    const ch = this.waiting[k] as Channel;
    this.waiting[k] = undefined;
    this.free.push(k);
    ch.swarm.timerFired(ch);
  }
}

export function listOf(map: Map<number, Member[]>, key: number): Member[] {
  let l = map.get(key);
  if (!l) {
    l = [];
    map.set(key, l);
  }
  return l;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Appends to `out` members of `list` that pass `accept`, until `out` holds `want`, visiting the list from a
 * random start with a random stride coprime to its length: a random-looking, duplicate-free walk without
 * copying or shuffling the list (performance: the swarm lists hold every member).
 */
export function sample(rng: Rng, list: readonly Member[], want: number, out: Member[], accept: (c: Member) => boolean): void {
  const n = list.length;
  if (n === 0 || out.length >= want) return;
  const start = rng.int(n);
  let stride = 1;
  if (n > 2) {
    stride = 1 + rng.int(n - 1);
    while (gcd(stride, n) !== 1) stride = stride === n - 1 ? 1 : stride + 1;
  }
  for (let k = 0, i = start; k < n && out.length < want; k++, i = (i + stride) % n) {
    if (accept(list[i])) out.push(list[i]);
  }
}
