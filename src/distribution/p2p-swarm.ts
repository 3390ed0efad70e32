/**
 * One blob's swarm, BitTorrent style as Kraken runs it (FACTS.md §1a) with Dragonfly's knobs (§1b):
 *
 * - A node that wants the blob announces to the tracker (one round trip) and gets a handout of peers:
 *   one of the blob's origins (its zone's if it has room), then peers in its rack (at most half its first
 *   connections, so racks never form islands), then its zone, then its rack again, and other zones only
 *   when its zone has no room; random within a tier. Every host holds at most
 *   `maxConnections` per blob (Kraken's max_open_conn = 10). The first announce opens at most `maxParents`
 *   and leaves the other slots to peers that join later: when a whole cluster joins at once and every
 *   joiner fills its slots, only the latest joiners have room and the connection graph becomes a long band
 *   in join order that pieces cross slowly; keeping slots free keeps it a random, expanding graph. While
 *   it has room a host re-announces every `announceInterval` and tops up to `maxConnections`.
 * - Connections are symmetric (BitTorrent): each side requests pieces the other has. A downloader keeps up
 *   to `pipeline` piece requests outstanding per connection (Kraken 3) and `concurrentPieces` in total
 *   (Dragonfly 8, dealt round-robin over its connections). It picks the rarest piece the peer has and it
 *   lacks — rarity counts holders and in-flight requests swarm-wide (the tracker's / scheduler's view),
 *   ties broken at random. When at most `endgamePieces` are missing and all are requested, idle
 *   connections ask for them too (Kraken's endgame); a queued request for a piece that arrived meanwhile
 *   is cancelled.
 * - Origins are the way in, not the main source: from an origin a node asks only for pieces none of its
 *   peers holds, at most `originPipeline` at a time, and a piece a peer delivers first cancels the origin's
 *   copy in flight — an origin channel shared by a whole cluster is slow, and pieces waiting on it would
 *   hold the download back.
 * - An uploader sends one piece at a time per connection (pipelined requests hide the round trip, the TCP
 *   connection serialises the bytes) and at most `uploadSlots` pieces at once over all its connections
 *   (Dragonfly's per-peer concurrent upload limit); further requests wait in a FIFO.
 * - A node that gets no piece for `backToSourceAfter` (Dragonfly's scheduleTimeout) fetches what it lacks
 *   from the upstream directly.
 * - When a host gets a piece it tells its connections (a HAVE message), and those that lack it request.
 * - A node that leaves (removePeer) drops every connection at once: uploads to it and from it are aborted,
 *   the pieces its downloaders had asked it for become requestable again (from anyone, rarest first), and
 *   a downloader left with room re-announces to the tracker for new peers. Nothing it held is needed:
 *   the origins hold every piece, so a departure can slow a download, never strand it.
 * - Quiet: once no member is downloading and no piece is in flight, the swarm tells its owner (`onQuiet`),
 *   which drops it after the seeder idle time (P2PRuntime): nothing can happen in a quiet swarm until
 *   somebody joins, so dropping it later or at once is the same (issue 6: swarm state was never freed).
 */
import type { Simulator, Rng } from '../kernel/index.ts';
import type { ModelEvents } from '../cluster/events.ts';
import type { FetchDone } from './types.ts';
import type { P2PHosts } from './p2p-hosts.ts';
import type { PieceLayout } from './p2p-pieces.ts';
import { PieceTable } from './p2p-piece-table.ts';
import type { PieceTransport } from './p2p-transport.ts';
import { Channel, type ChannelTimers, Member, NO_REQUESTS, type PieceServer, ORIGIN_REQUESTED, PEER_REQUESTED, type UploadSlots, listOf, sample } from './p2p-peers.ts';

export interface SwarmParams {
  maxConnections: number;
  maxParents: number;
  originMaxConnections: number;
  pipeline: number;
  /** Piece requests outstanding per connection to an origin. */
  originPipeline: number;
  /** Piece requests in flight per download over all its connections (Infinity: no limit). */
  concurrentPieces: number;
  handout: number;
  announceIntervalS: number;
  /** Infinity: never back to source. */
  backToSourceAfterS: number;
  /** Endgame: once a download lacks at most this many pieces, all requested, it asks idle peers for them too. */
  endgamePieces: number;
}

export interface SwarmEnv {
  sim: Simulator;
  hosts: P2PHosts;
  transport: PieceTransport;
  slots: UploadSlots;
  timers: ChannelTimers;
  events: ModelEvents;
  peerRng: Rng;
  pieceRng: Rng;
  params: SwarmParams;
  /** Seconds for node `d`'s announce to reach the tracker and the handout to come back. */
  trackerRtt(d: number): number;
  /** Fetches `bytes` of blob `digest` (`blobBytes` long) for node `d` straight from the upstream. */
  backToSource(d: number, digest: number, bytes: number, blobBytes: number, done: FetchDone): void;
}
export class Swarm implements PieceServer {
  private readonly members = new Map<number, Member>();
  private readonly all: Member[] = [];
  private readonly byRack = new Map<number, Member[]>();
  private readonly byZone = new Map<number, Member[]>();
  private readonly origins: Member[] = [];
  /** Holders + in-flight requests of each piece: the rarity rarest-first minimises. */
  private readonly count: Int32Array;
  /** Every member's have and requested flags per piece (p2p-piece-table.ts). */
  private readonly table: PieceTable;

  /** Set when every origin failed to get the blob: downloads in progress fail with it. */
  private failure: string | null = null;
  /** Non-origin members that joined and neither hold the blob yet nor left. */
  private downloading = 0;
  /** Pieces moving (transport flows of this swarm). */
  private inFlight = 0;
  /** When the swarm last became quiet (no download, nothing in flight), −1 while it is not. */
  quietAt = -1;

  constructor(
    private readonly env: SwarmEnv,
    readonly layout: PieceLayout,
    originHosts: readonly number[],
    /** The blob's digest (for back-to-source requests). */
    readonly digest: number,
    /** Called whenever the swarm becomes quiet (see the class comment). */
    private readonly onQuiet: (swarm: Swarm) => void = () => {},
  ) {
    this.count = new Int32Array(layout.count);
    this.table = new PieceTable(layout.count, originHosts.length + 16);
    for (const h of originHosts) {
      const m = new Member(h, this.table.add());
      this.members.set(h, m);
      this.origins.push(m);
    }
  }

  /** The origin `host` holds the whole blob now (fetched from upstream, or preheated): it starts seeding. */
  originReady(host: number): void {
    const m = this.members.get(host);
    if (!m || m.complete) return;
    for (let p = 0; p < this.layout.count; p++) if (!this.table.has(m.w, p)) this.gain(m, p);
    m.complete = true;
  }

  /** Node `d` wants the blob; `done(true)` runs when it holds every piece, `done(false, reason)` if it never will. */
  join(d: number, done: FetchDone): void {
    const env = this.env;
    let m = this.members.get(d);
    if (m?.complete) {
      env.sim.call(0, () => done(true));
      return;
    }
    if (this.failure !== null) {
      const reason = this.failure;
      env.sim.call(0, () => done(false, reason));
      return;
    }
    if (m) {
      m.waiters.push(done);
      return;
    }
    m = new Member(d, this.table.add());
    this.members.set(d, m);
    this.downloading++;
    this.quietAt = -1;
    m.waiters.push(done);
    m.lastProgress = env.sim.now;
    const member = m;
    env.sim.call(env.trackerRtt(d), () => this.announce(member, true));
    if (env.params.backToSourceAfterS < Infinity) this.watchProgress(member, env.params.backToSourceAfterS);
  }

  private announce(m: Member, first: boolean): void {
    const env = this.env;
    const p = env.params;
    if (first) {
      this.all.push(m);
      const h = env.hosts;
      listOf(this.byRack, h.rack[m.host]).push(m);
      listOf(this.byZone, h.zone[m.host]).push(m);
    }
    if (m.complete) return;
    // The first announce opens at most maxParents; later ones top up to maxConnections (see the class comment).
    const opens = first ? p.maxParents : p.maxConnections;
    for (const c of this.handout(m, opens)) {
      if (m.opened >= opens || m.conns >= p.maxConnections) break;
      this.connect(m, c);
    }
    m.announceHandle = m.conns < p.maxConnections ? env.sim.call(p.announceIntervalS, () => this.announce(m, false)) : -1;
  }

  /** The tracker's answer: origins, then rack peers (at most half the connections), zone, anywhere. */
  private handout(m: Member, opens: number): Member[] {
    const env = this.env;
    const p = env.params;
    const hosts = env.hosts;
    const want = Math.min(p.handout, opens - m.opened, p.maxConnections - m.conns);
    const out: Member[] = [];
    if (want <= 0) return out;
    const eligible = (c: Member): boolean => c !== m && !m.neighbours.includes(c.host) && c.conns < this.limitOf(c) && !out.includes(c);
    // One origin per announce, in the node's zone when one has room, else rotating over the blob's origins:
    // the origin is the swarm's way in for new pieces, but an origin channel shared by the whole cluster is
    // slow and the pieces requested on it would wait.
    const no = this.origins.length;
    let origin: Member | null = null;
    for (let k = 0; k < no; k++) {
      const o = this.origins[(m.host + k) % no];
      if (!eligible(o)) continue;
      if (hosts.zone[o.host] === hosts.zone[m.host]) {
        origin = o;
        break;
      }
      origin ??= o;
    }
    if (origin && out.length < want) out.push(origin);
    const rack = this.byRack.get(hosts.rack[m.host]) ?? [];
    const rackCap = out.length + Math.ceil(p.maxParents / 2);
    sample(env.peerRng, rack, Math.min(want, rackCap), out, eligible);
    sample(env.peerRng, this.byZone.get(hosts.zone[m.host]) ?? [], want, out, (c) => hosts.tier(m.host, c.host) === 1 && eligible(c));
    // Nobody else in the zone had room: the rack's cap no longer protects anything.
    sample(env.peerRng, rack, want, out, eligible);
    if (this.byZone.size > 1) sample(env.peerRng, this.all, want, out, (c) => hosts.tier(m.host, c.host) === 2 && eligible(c));
    return out;
  }

  private limitOf(c: Member): number {
    return this.env.hosts.isOrigin(c.host) ? this.env.params.originMaxConnections : this.env.params.maxConnections;
  }

  private connect(a: Member, b: Member): void {
    const env = this.env;
    a.conns++;
    b.conns++;
    a.opened++;
    a.neighbours.push(b.host);
    b.neighbours.push(a.host);
    const lat = env.hosts.oneWay(b.host, a.host);
    const down = new Channel(this, b, a, lat, true);
    a.downs.push(down);
    b.addUp(down);
    let up: Channel | null = null;
    if (!env.hosts.isOrigin(b.host)) {
      up = new Channel(this, a, b, lat, false);
      b.downs.push(up);
      a.addUp(up);
    }
    // The handshake costs a round trip; then both sides exchange bitfields and start requesting.
    env.sim.call(2 * lat, () => {
      if (down.closed) return;
      down.open = true;
      this.fill(down);
      if (up) {
        up.open = true;
        this.fill(up);
      }
    });
  }

  /**
   * Tops up `ch`'s pipeline with the rarest pieces its uploader has and its downloader lacks. Under a
   * per-download budget (`concurrentPieces`) the budget is dealt round-robin over all the downloader's
   * connections instead, so the connection that opened first does not take every request.
   */
  private fill(ch: Channel): void {
    const p = this.env.params;
    if (p.concurrentPieces < Infinity) return this.fillAll(ch.to);
    while (this.requestOne(ch)) {
      /* keep filling */
    }
  }

  private fillAll(to: Member): void {
    const downs = to.downs;
    const n = downs.length;
    if (n === 0 || to.complete) return;
    const start = to.turn++ % n;
    let progress = true;
    while (progress && to.outstanding < this.env.params.concurrentPieces) {
      progress = false;
      for (let k = 0; k < n; k++) if (this.requestOne(downs[(start + k) % n])) progress = true;
    }
  }

  /** Requests one more piece on `ch` if its pipeline and the download's budget allow; false otherwise. */
  private requestOne(ch: Channel): boolean {
    const to = ch.to;
    const p = this.env.params;
    const pipeline = this.env.hosts.isOrigin(ch.from.host) ? p.originPipeline : p.pipeline;
    if (!ch.open || ch.closed || to.complete || ch.outstanding >= pipeline || to.outstanding >= p.concurrentPieces) return false;
    let piece = this.pick(ch.from, to);
    if (piece < 0 && this.layout.count - to.haveCount <= p.endgamePieces) piece = this.pickEndgame(ch);
    if (piece < 0) return false;
    this.request(ch, piece);
    return true;
  }

  /** A piece `to` lacks and `from` has that is requested elsewhere but not on this channel (Kraken endgame). */
  private pickEndgame(ch: Channel): number {
    const { from, to } = ch;
    const t = this.table;
    for (let i = 0; i < this.layout.count; i++) {
      if (t.has(to.w, i) || !t.has(from.w, i) || ch.active === i) continue;
      let queued = false;
      for (let k = ch.head; k < ch.queue.length && !queued; k++) queued = ch.queue[k] === i;
      if (!queued) return i;
    }
    return -1;
  }

  /**
   * Rarest first among the pieces `from` has and `to` neither has nor requested. From an origin, only pieces
   * none of `to`'s peers holds: peers are preferred, the origin brings what the neighbourhood lacks.
   */
  private pick(from: Member, to: Member): number {
    const n = this.layout.count;
    if (from.haveCount === 0) return -1;
    const fromOrigin = this.env.hosts.isOrigin(from.host);
    const start = n > 1 ? this.env.pieceRng.int(n) : 0;
    const t = this.table;
    const fw = from.w;
    const tw = to.w;
    let best = -1;
    let bestCount = Infinity;
    for (let k = 0; k < n; k++) {
      const i = start + k < n ? start + k : start + k - n;
      // The blocking test last: from an origin it asks the downloader's peers (rare: origin channels are few).
      if (t.has(fw, i) && !t.has(tw, i) && this.count[i] < bestCount) {
        const blocked = fromOrigin ? t.requested(tw, i) !== 0 || this.peerHolds(to, i) : (t.requested(tw, i) & PEER_REQUESTED) !== 0;
        if (blocked) continue;
        best = i;
        bestCount = this.count[i];
      }
    }
    return best;
  }

  /**
   * Whether one of `to`'s peer connections (origins aside) holds piece `p`. Asked only when picking from an
   * origin (a few in a thousand picks), so it is read off the connections rather than kept as counts that
   * every HAVE would have to update for each downloader.
   */
  private peerHolds(to: Member, p: number): boolean {
    const hosts = this.env.hosts;
    for (const c of to.downs) if (!hosts.isOrigin(c.from.host) && this.table.has(c.from.w, p)) return true;
    return false;
  }

  private request(ch: Channel, piece: number): void {
    const to = ch.to;
    // Rarity counts a piece's first request only; endgame duplicates do not make it rarer or commoner.
    const was = this.table.requested(to.w, piece);
    if (!was) this.count[piece]++;
    this.table.setRequested(to.w, piece, was | (this.env.hosts.isOrigin(ch.from.host) ? ORIGIN_REQUESTED : PEER_REQUESTED));
    to.outstanding++;
    ch.outstanding++;
    if (ch.queue === NO_REQUESTS) {
      ch.queue = [];
      ch.readyAt = [];
    }
    ch.queue.push(piece);
    ch.readyAt.push(this.env.sim.now + ch.latencyS);
    this.schedule(ch);
  }

  /** Starts the next queued piece on `ch` once its request has reached the uploader and a slot is free. */
  private schedule(ch: Channel): void {
    if (ch.closed || ch.active >= 0 || ch.waitingSlot || ch.timerPending || ch.head === ch.queue.length) return;
    const env = this.env;
    const wait = ch.readyAt[ch.head] - env.sim.now;
    if (wait > 0) {
      ch.timerPending = true;
      env.timers.after(wait, ch);
      return;
    }
    if (env.slots.acquire(ch.from.host, ch) && !this.serveWithSlot(ch)) env.slots.release(ch.from.host);
  }

  timerFired(ch: Channel): void {
    ch.timerPending = false;
    this.schedule(ch);
  }

  /** Called with an upload slot held for `ch.from`; returns false (slot unused) when nothing is queued. */
  serveWithSlot(ch: Channel): boolean {
    if (ch.closed) return false;
    // A queued request for a piece the downloader got meanwhile (endgame, back-to-source) is cancelled.
    while (ch.head < ch.queue.length && this.table.has(ch.toW, ch.queue[ch.head])) {
      ch.head++;
      ch.outstanding--;
      ch.to.outstanding--;
    }
    if (ch.head === ch.queue.length) {
      ch.queue.length = 0;
      ch.readyAt.length = 0;
      ch.head = 0;
      return false;
    }
    const piece = ch.queue[ch.head++];
    if (ch.head === ch.queue.length) {
      ch.queue.length = 0;
      ch.readyAt.length = 0;
      ch.head = 0;
    }
    ch.active = piece;
    ch.startedAt = this.env.sim.now;
    this.inFlight++;
    this.quietAt = -1;
    if (ch.pieceLatencyS < 0) ch.pieceLatencyS = this.env.hosts.oneWay(ch.from.host, ch.to.host);
    ch.flow = this.env.transport.start(ch.from.host, ch.to.host, this.layout.bytesOf(piece), ch, ch.pieceLatencyS);
    return true;
  }

  /** `ch`'s piece arrived: `ch.active` is still the piece it started (only landing or an abort clears it). */
  pieceLanded(ch: Channel): void {
    this.landed(ch, ch.active);
  }

  private cancelActive(ch: Channel): void {
    if (!this.env.transport.abort(ch.flow)) return;
    this.inFlight--;
    ch.active = -1;
    ch.flow = -1;
    ch.outstanding--;
    ch.to.outstanding--;
    this.env.slots.release(ch.from.host);
    this.schedule(ch);
  }

  private landed(ch: Channel, piece: number): void {
    if (ch.closed) return this.landedAfterLeave(ch, piece);
    const env = this.env;
    const { from, to } = ch;
    this.inFlight--;
    ch.active = -1;
    ch.flow = -1;
    ch.outstanding--;
    to.outstanding--;
    env.slots.release(from.host);
    const hosts = env.hosts;
    env.events.transferDone({
      node: to.host,
      kind: 'layer',
      source: hosts.isOrigin(from.host) ? 'origin' : 'peer',
      bytes: this.layout.bytesOf(piece),
      internet: false,
      viaNat: false,
      crossZone: hosts.zone[from.host] !== hosts.zone[to.host],
      startedAt: ch.startedAt,
    });
    if (!this.table.has(to.w, piece)) {
      // The in-flight request already counted this piece in its rarity; the holder replaces it.
      this.count[piece]--;
      this.gain(to, piece);
      to.lastProgress = env.sim.now;
    }
    if (to.haveCount === this.layout.count) this.finish(to);
    else this.fill(ch);
    this.schedule(ch);
    this.checkQuiet();
  }

  /** Tells the owner when no member is downloading and no piece is in flight (a failed swarm never is). */
  private checkQuiet(): void {
    if (this.downloading !== 0 || this.inFlight !== 0 || this.failure !== null || this.quietAt >= 0) return;
    this.quietAt = this.env.sim.now;
    this.onQuiet(this);
  }

  /** Every node host that holds the whole blob (for the owner, when it drops the swarm). */
  holders(): number[] {
    const out: number[] = [];
    for (const m of this.members.values()) if (m.complete && !this.env.hosts.isOrigin(m.host)) out.push(m.host);
    return out;
  }

  /** `m` now holds `piece`: count it and tell m's connections (HAVE), which request it if they lack it. */
  private gain(m: Member, piece: number): void {
    const t = this.table;
    t.setHas(m.w, piece);
    m.haveCount++;
    this.count[piece]++;
    const rows = m.upRows;
    for (let i = 0; i < rows.length; i++) {
      const w = rows[i];
      if (!t.has(w, piece) && !(t.requested(w, piece) & PEER_REQUESTED)) this.fill(m.ups[i]);
    }
    // The piece came from a peer while an origin is still sending it: cancel that (the origin is the slow,
    // shared path; its queued requests for held pieces are dropped when they come up, see serveWithSlot).
    // An origin channel carries a piece only while m's request flags say it was asked of an origin.
    if (t.requested(m.w, piece) & ORIGIN_REQUESTED)
      for (const c of m.downs) if (c.active === piece && c.flow >= 0 && this.env.hosts.isOrigin(c.from.host)) this.cancelActive(c);
  }

  private finish(m: Member): void {
    if (m.complete) return;
    m.complete = true;
    if (!this.env.hosts.isOrigin(m.host)) this.downloading--;
    // A seeder stops announcing for more peers (and the run can end when the rollout does).
    if (m.announceHandle >= 0) this.env.sim.cancel(m.announceHandle);
    if (m.watchHandle >= 0) this.env.sim.cancel(m.watchHandle);
    const waiters = m.waiters.splice(0);
    for (const w of waiters) w(true);
    this.checkQuiet();
  }

  private watchProgress(m: Member, afterS: number): void {
    m.watchHandle = this.env.sim.call(afterS, () => {
      if (m.complete || m.wentToSource) return;
      const idle = this.env.sim.now - m.lastProgress;
      if (idle >= afterS) this.goToSource(m);
      else this.watchProgress(m, afterS - idle);
    });
  }

  /** Back-to-source: fetch every piece not held yet straight from the upstream (in-flight ones too). */
  private goToSource(m: Member): void {
    m.wentToSource = true;
    let bytes = 0;
    const missing: number[] = [];
    for (let p = 0; p < this.layout.count; p++) {
      if (!this.table.has(m.w, p)) {
        missing.push(p);
        bytes += this.layout.bytesOf(p);
      }
    }
    this.env.backToSource(m.host, this.digest, bytes, this.layout.blobBytes, (ok, reason) => {
      if (m.left || m.complete) return;
      if (!ok) return this.failMember(m, reason ?? 'back-to-source-failed');
      for (const p of missing) {
        if (this.table.has(m.w, p)) continue;
        if (this.table.requested(m.w, p)) this.count[p]--;
        this.gain(m, p);
      }
      this.finish(m);
    });
  }

  /** Every origin gave up on the blob: downloads that are not fetching from the upstream themselves fail. */
  fail(reason: string): void {
    this.failure = reason;
    for (const m of this.members.values()) if (!this.env.hosts.isOrigin(m.host) && !m.complete && !m.wentToSource) this.failMember(m, reason);
  }

  private failMember(m: Member, reason: string): void {
    const sim = this.env.sim;
    if (m.announceHandle >= 0) sim.cancel(m.announceHandle);
    if (m.watchHandle >= 0) sim.cancel(m.watchHandle);
    m.announceHandle = m.watchHandle = -1;
    // The member stays (it may still upload what it has) but is no longer waited on.
    const waiters = m.waiters.splice(0);
    for (const w of waiters) w(false, reason);
  }

  /**
   * Node `d` left: close every connection it had, abort the pieces moving to or from it, and let the peers
   * it served ask someone else. Its own waiters are dropped (the node that owned them is gone); if it comes
   * back, join() starts it over as an empty peer.
   */
  removePeer(d: number): void {
    const m = this.members.get(d);
    if (!m || this.env.hosts.isOrigin(d)) return;
    const env = this.env;
    this.members.delete(d);
    if (!m.complete) this.downloading--;
    m.left = true;
    m.waiters.length = 0;
    if (m.announceHandle >= 0) env.sim.cancel(m.announceHandle);
    if (m.watchHandle >= 0) env.sim.cancel(m.watchHandle);
    m.announceHandle = m.watchHandle = -1;
    const h = env.hosts;
    removeFrom(this.all, m);
    removeFrom(this.byRack.get(h.rack[d]), m);
    removeFrom(this.byZone.get(h.zone[d]), m);
    // Rarity is the tracker's view: the leaver's pieces and requests no longer count.
    for (let p = 0; p < this.layout.count; p++) if (this.table.has(m.w, p) || this.table.requested(m.w, p)) this.count[p]--;
    for (const host of m.neighbours) {
      const n = this.members.get(host);
      if (!n) continue;
      n.conns--;
      swapRemove(n.neighbours, d);
    }
    // Closed before any slot is freed, so a freed slot never starts another piece to or from the leaver.
    for (const ch of m.ups) ch.closed = true;
    for (const ch of m.downs) ch.closed = true;
    const affected: Member[] = [];
    // Its uploads: each downloader loses the channel, what it had asked for on it, and the pieces it saw there.
    for (const ch of m.ups) {
      const v = ch.to;
      const pieces = this.closeChannel(ch);
      removeFrom(v.downs, ch);
      v.outstanding -= ch.outstanding;
      if (ch.openedByDownloader) v.opened--;
      this.recountRequests(v, pieces);
      affected.push(v);
    }
    // Its downloads: the uploaders' slots go to their other requests.
    for (const ch of m.downs) {
      this.closeChannel(ch);
      ch.from.removeUp(ch);
    }
    m.clearUps();
    m.downs.length = 0;
    for (const v of affected) {
      if (v.complete || v.left) continue;
      if (env.params.concurrentPieces < Infinity) this.fillAll(v);
      else for (const c of v.downs) this.fill(c);
      // Re-source: with a free connection slot and no announce pending, ask the tracker for new peers now.
      if (v.announceHandle < 0 && v.conns < env.params.maxConnections) {
        const mv = v;
        v.announceHandle = env.sim.call(env.trackerRtt(v.host), () => this.announce(mv, false));
      }
    }
    this.checkQuiet();
  }

  /** Closes `ch`: aborts its piece in flight (freeing the uploader's slot) and returns the pieces it carried. */
  private closeChannel(ch: Channel): number[] {
    ch.closed = true;
    const pieces: number[] = [];
    for (let k = ch.head; k < ch.queue.length; k++) pieces.push(ch.queue[k]);
    if (ch.active >= 0) {
      pieces.push(ch.active);
      if (this.env.transport.abort(ch.flow)) {
        this.inFlight--;
        ch.active = -1;
        ch.flow = -1;
        this.env.slots.release(ch.from.host);
      }
      // else the piece is landing at this very instant: landedAfterLeave settles it.
    }
    ch.queue.length = 0;
    ch.readyAt.length = 0;
    ch.head = 0;
    return pieces;
  }

  /** After a channel closed, `v`'s request flags for `pieces` are what its remaining channels still carry. */
  private recountRequests(v: Member, pieces: readonly number[]): void {
    const t = this.table;
    for (const p of pieces) {
      if (t.has(v.w, p)) continue;
      let flags = 0;
      for (const c of v.downs) {
        let carries = c.active === p;
        for (let k = c.head; k < c.queue.length && !carries; k++) carries = c.queue[k] === p;
        if (carries) flags |= this.env.hosts.isOrigin(c.from.host) ? ORIGIN_REQUESTED : PEER_REQUESTED;
      }
      if (flags === 0 && t.requested(v.w, p)) this.count[p]--;
      else if (flags !== 0 && !t.requested(v.w, p)) this.count[p]++;
      t.setRequested(v.w, p, flags);
    }
  }

  /** A piece finished on a channel closed at the same instant: its bytes arrived, the channel is gone. */
  private landedAfterLeave(ch: Channel, piece: number): void {
    const env = this.env;
    this.inFlight--;
    ch.active = -1;
    ch.flow = -1;
    env.slots.release(ch.from.host);
    const to = ch.to;
    if (to.left || this.table.has(to.w, piece)) return this.checkQuiet();
    env.events.transferDone({
      node: to.host,
      kind: 'layer',
      source: env.hosts.isOrigin(ch.from.host) ? 'origin' : 'peer',
      bytes: this.layout.bytesOf(piece),
      internet: false,
      viaNat: false,
      crossZone: env.hosts.zone[ch.from.host] !== env.hosts.zone[to.host],
      startedAt: ch.startedAt,
    });
    if (this.table.requested(to.w, piece)) this.count[piece]--;
    this.gain(to, piece);
    to.lastProgress = env.sim.now;
    if (to.haveCount === this.layout.count) this.finish(to);
    this.checkQuiet();
  }
}

/** Removes `x` from an unordered list by moving the last element into its place. */
function swapRemove(list: number[], x: number): void {
  const i = list.indexOf(x);
  if (i < 0) return;
  list[i] = list[list.length - 1];
  list.pop();
}

function removeFrom<T>(list: T[] | undefined, x: T): void {
  if (!list) return;
  const i = list.indexOf(x);
  if (i >= 0) list.splice(i, 1);
}
