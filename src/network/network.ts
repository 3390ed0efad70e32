/**
 * The flow-level network model: links with capacity and latency, flows along paths of links, bandwidth
 * shared max-min fairly (SimGrid's model, with its latency factor, bandwidth factor and CM02 TCP window
 * bound), per-link byte accounting.
 *
 * A flow first waits latencyFactor × Σ(path latency), then joins the sharing; it completes when its bytes
 * are delivered and its onDone runs at that simulated time. Rates change only when flows join or leave
 * or a link's capacity changes; all such changes at one timestamp are solved together in one LATE-priority
 * event, so rates read in between are those of the last solve.
 *
 * Performance (DESIGN §4):
 * - flow and link state live in typed arrays indexed by id; flow ids are recycled through a free list;
 * - a flow's remaining bytes are kept lazily (remaining at its last rate change + rate × elapsed), so a
 *   flow whose rate does not change costs nothing, and likewise a link's carried bytes;
 * - only the flows a timestamp's changes can move are re-solved, with the others on their links held at
 *   their rates (local-solve.ts): flows below the changes' floor never move (see solve), and a flow whose
 *   bottleneck the change leaves intact keeps its rate; a P2P piece event re-solves a few dozen of a
 *   swarm's thousands of flows. The fallback (capacity changes, or a change that reaches too far) is the
 *   change's whole connected component: max-min fairness decomposes over components;
 * - finish times sit in an indexed min-heap and exactly one kernel event is scheduled, for the earliest;
 * - after a solve, the flows at the component's top rate form a ShareGroup (share-group.ts): while they
 *   leave one by one without changing the bottleneck structure, each departure re-shares in
 *   O(path · log) through the group's virtual clock instead of re-solving the component in O(flows);
 *   likewise a new flow whose bottleneck is the group's joins it in O(path · log) (tryJoin).
 */
import { type Simulator, CHECKS, InvariantError, NORMAL, LATE } from '../kernel/index.ts';
import { SharingGraph, grow } from './graph.ts';
import { IndexedMinHeap } from './heap.ts';
import { MaxMinSolver, demandLink, demandOf } from './maxmin.ts';
import { LocalSolve } from './local-solve.ts';
import { GROUP_EPS, GROUP_MIN_FLOWS, ShareGroup } from './share-group.ts';
import { flowLevel } from './graph.ts';
import { doubleArray, objectArray, typedArraysReassigned } from '../stable-arrays.ts';

export interface NetworkOptions {
  /** Multiplies each flow's path latency (SimGrid LV08 uses 13.01 to account for TCP slow start). */
  latencyFactor?: number;
  /** Multiplies link capacities (SimGrid LV08 uses 0.97 / 1.05 for headers and ACK traffic). */
  bandwidthFactor?: number;
  /** CM02 TCP window in bytes: caps a flow at window / (2 × Σ path latency). null: no window bound. */
  tcpWindowBytes?: number | null;
  /**
   * Multiplies the window bound (default 1). SimGrid's bandwidth factor scales a flow's rate, the window
   * bound included, while the ACKs' share of a link (cross-traffic) does not apply to it: LV08's window-bound
   * rate is 0.97 × window / (2 × latency), its link share 0.97 / 1.05 of the capacity (checked against
   * SimGrid 3.32: test/network-vs-simgrid.test.ts).
   */
  windowRateFactor?: number;
  /**
   * SimGrid's CM02 / LV08 sharing: a flow's max-min share is weighted by 1 / its penalty, the flow's path
   * latency (TCP's RTT unfairness) plus weightS / capacity for each link on the path; a flow whose path
   * has no latency has penalty 1 (SimGrid's, as it never pays a latency). Default false: equal shares.
   * While every flow so far has had the same penalty, weighted and equal shares are the same allocation,
   * and the network runs unweighted; the first flow with another penalty turns weights on for good. Share
   * groups form either way, of the flows at a component's top level (rate × penalty), whatever their
   * penalties (share-group.ts): a fan-out whose clients sit at several RTTs keeps its O(log n) per departure.
   */
  latencyWeighted?: boolean;
  /** SimGrid's weight-S, bytes (LV08: 20537; CM02: 0), for latencyWeighted. */
  weightS?: number;
}

export type FlowDone = (flowId: number) => void;

// Flow states.
const FREE = 0;
const LATENT = 1; // waiting out its latency
const SHARING = 2;
const DONE = 3; // completed, its onDone running

/** Finish times this close (relative to now) are the same instant: those flows complete together. */
const SAME_INSTANT = 1e-9;
/** Cap on the share-group backoff: at most 2^6 solves skipped after a run of unused groups. */
const MAX_GROUP_MISSES = 6;
/** Relative spare capacity below which a link with several flows counts as full (uncontended fast paths). */
const FULL = 1e-9;
/** Flows this close (relative) above or below a solve's floor are re-solved: rounding never holds one. */
const FLOOR_EPS = 1e-9;
/** Rounding slack allowed by the invariant checks. */
const SLACK = 1e-9;

export class Network {
  readonly latencyFactor: number;
  readonly bandwidthFactor: number;
  readonly tcpWindowBytes: number | null;
  readonly windowRateFactor: number;
  readonly latencyWeighted: boolean;
  readonly weightS: number;
  /** Weighted sharing: the least penalty any flow has had (the floor's bound, leastRate). */
  private minPenalty = Infinity;
  /**
   * latencyWeighted: the one penalty every flow has had so far (NaN before the first), until weights are
   * on — until flows' penalties differ, when graph.flowPenalty is set and the solver weighs them.
   */
  private uniformPenalty = NaN;

  private readonly sim: Simulator;
  private readonly arriveType: number;
  private readonly finishType: number;
  private readonly solveType: number;
  private readonly solver = new MaxMinSolver();
  private readonly graph = new SharingGraph();
  /** Per flow: the link whose filling set its rate (its bottleneck), or -1 for its cap (local-solve.ts). */
  private bottleneck = new Int32Array(64);
  private readonly local = new LocalSolve(this.graph, this.solver, (f) => this.takeIn(f));

  // Links.
  private links = 0;
  private names = objectArray<string>();
  private capacity = new Float64Array(16);
  private latency = new Float64Array(16);
  private load = new Float64Array(16);
  private carried = new Float64Array(16); // bytes carried up to settledAt
  private settledAt = new Float64Array(16);
  private peak = new Float64Array(16);
  /** Bytes of the flows that crossed each link, counted as they completed or were aborted (conservation check). */
  private delivered = new Float64Array(16);
  private linkDirty = new Uint8Array(16);
  /** The last startFlow whose path crossed the link (see nextPathStamp). */
  private linkStamp = new Int32Array(16);
  private pathStamp = 0;
  // Share-group state of a link (see share-group.ts). While linkGroup[l] is set, load[l] holds only the
  // other flows' bytes/s, and the members add groupWeight[l] × group level, accounted through the group's
  // virtual clock from groupVAt[l].
  private linkGroup = objectArray<ShareGroup | undefined>();
  private groupCount = new Int32Array(16);
  /** Σ 1 / penalty over the link's members (groupCount when unweighted): their bytes/s per unit of level. */
  private groupWeight = new Float64Array(16);
  private groupVAt = new Float64Array(16);
  /** The link's slot in linkGroup[l] (kept after it leaves the group, for a later join to reuse). */
  private groupSlot = new Int32Array(16);
  /** The group's first commit with the link's current member count (see linkPeak). */
  private groupEpoch = new Int32Array(16);

  // Flows.
  private flowIdsUsed = 0;
  private inProgress = 0;
  private freeIds = new Int32Array(64);
  private freeCount = 0;
  private state = new Uint8Array(64);
  private size = new Float64Array(64);
  private remaining = new Float64Array(64); // bytes left at time settled
  private settled = new Float64Array(64);
  private rate = new Float64Array(64);
  private arrival = new Float64Array(64); // kernel handle of the latency event
  private onDone = objectArray<FlowDone | undefined>();
  /** A member's remaining bytes are (vfinish − its group's virtual time) ÷ its penalty (share-group.ts). */
  private flowGroup = objectArray<ShareGroup | undefined>();
  private vfinish = new Float64Array(64);

  // Batching and completion.
  private readonly finishHeap = new IndexedMinHeap(64);
  /**
   * Performance: kernel handles outgrow small integers early in a run, so this starts as a double (see the
   * constructor) rather than changing representation then, which would discard the compiled network code.
   */
  private finishHandle = -1.5;
  private finishAt = Infinity;
  private solvePending = false;
  private dirtyFlows = new Int32Array(64);
  private dirtyFlowCount = 0;
  /** Flows that joined the sharing since the last solve (tried on share groups first, see tryJoin). */
  private arrivals = new Int32Array(64);
  private arrivalCount = 0;
  /** Arrivals of this timestamp that joined uncontended (joinUncontended), for their links' peaks. */
  private uncontended = new Int32Array(64);
  private uncontendedCount = 0;
  private dirtyLinks = new Int32Array(16);
  private dirtyLinkCount = 0;
  /**
   * The solve's floor: no change queued for it can move a rate below this (see solve), so flows slower
   * than it keep their rates and are not re-solved. Lowered by each queued change, reset by the solve.
   */
  private floor = Infinity;
  private finished = new Int32Array(64);
  /** Groups whose members left at this timestamp: re-shared (or dissolved) by the solve. */
  private pendingGroups = objectArray<ShareGroup>();
  /** Groups re-shared or joined at this timestamp: committed and re-keyed at the end of the solve. */
  private touchedGroups = objectArray<ShareGroup>();
  /** The stamp of the joining flow's path (tryJoin), and the test the group's othersAbove needs. */
  private joinStamp = 0;
  /** formGroups: the top-level flows, their clusters (clusterTop) and the groups formed. */
  private topFlows = new Int32Array(64);
  private clusterQueue = new Int32Array(64);
  private clusterEnd = new Int32Array(8);
  private clusterLinks = new Int32Array(8);
  private flowMark = new Int32Array(64);
  private linkMark = new Int32Array(16);
  private clusterStamp = 0;
  private readonly formedGroups = objectArray<ShareGroup>();
  /** Summed-load meters (addMeter): each one's links, and the highest sum sampled at the end of a solve. */
  private readonly meterLinks: Int32Array[] = [];
  private readonly meterPeaks = doubleArray();

  // Covered links (declareCovered). Per link: the links covering it (undefined: not covered); the covered
  // links it helps cover; the flows whose sharing path includes it (latent ones too), counted only for
  // covered links — while there are none, the link is relaxed: flows that cross a cover are left out of
  // its sharing; the path stamp of the covers the flow being started crosses. The flows left out of a link's sharing (its shadow members),
  // with each one's slot in that flow's own list, and the bytes of those that finished or were aborted.
  private coverBy = objectArray<Int32Array | undefined>();
  private covers = objectArray<number[] | undefined>();
  /** Per covered link, parallel to coverBy[l]: l's index in each cover's covers list (and coverUse). */
  private coverPos = objectArray<Int32Array | undefined>();
  /** Per cover d, parallel to covers[d]: flows in progress that cross both d and that covered link. */
  private coverUse = objectArray<Int32Array | undefined>();
  /** Per covered link: Σ capacity of its covers in use (coverUse > 0), and how many are in use. */
  private bound = new Float64Array(16);
  private boundCount = new Int32Array(16);
  private anyCovered = false;
  private sharingUsers = new Int32Array(16);
  private coverStamp = new Int32Array(16);
  private shadow = objectArray<Int32Array | undefined>();
  private shadowPos = objectArray<Int32Array | undefined>();
  private shadowCount = new Int32Array(16);
  private shadowBytes = new Float64Array(16);
  /** Per flow: the covered links left out of its sharing path, and its slot in each one's shadow list. */
  private flowShadow = objectArray<Int32Array | undefined>();
  private flowShadowSlot = objectArray<Int32Array | undefined>();
  private flowShadowCount = new Int32Array(64);
  private readonly sharingScratch: number[] = [];
  private readonly onJoinPath = (l: number): boolean => this.linkStamp[l] === this.joinStamp;
  private readonly levelOf = (l: number): number => this.groupLevel(l);
  /**
   * Performance: where groups keep being broken up before any member leaves through them (a P2P swarm,
   * where every event changes the structure), forming them is pure overhead, so after each unused group
   * the next 2^misses eligible solves form none (capped); one group that pays resets this.
   */
  private groupMisses = 0;
  private groupBackoff = 0;
  private groupOf: ShareGroup | undefined;
  private readonly membersOn = (l: number): number => (this.linkGroup[l] === this.groupOf ? this.groupCount[l] : 0);

  constructor(sim: Simulator, options: NetworkOptions = {}) {
    this.sim = sim;
    this.latencyFactor = options.latencyFactor ?? 1;
    this.bandwidthFactor = options.bandwidthFactor ?? 1;
    this.tcpWindowBytes = options.tcpWindowBytes ?? null;
    this.windowRateFactor = options.windowRateFactor ?? 1;
    this.latencyWeighted = options.latencyWeighted ?? false;
    this.weightS = options.weightS ?? 0;
    if (!finiteNonNegative(this.weightS)) throw new RangeError(`weightS must be finite and >= 0, got ${this.weightS}`);
    if (!finiteNonNegative(this.latencyFactor))
      throw new RangeError(`latencyFactor must be finite and >= 0, got ${this.latencyFactor}`);
    if (!(this.bandwidthFactor > 0 && this.bandwidthFactor < Infinity))
      throw new RangeError(`bandwidthFactor must be finite and > 0, got ${this.bandwidthFactor}`);
    if (this.tcpWindowBytes !== null && !(this.tcpWindowBytes > 0))
      throw new RangeError(`tcpWindowBytes must be > 0 or null, got ${this.tcpWindowBytes}`);
    if (!(this.windowRateFactor > 0 && this.windowRateFactor < Infinity))
      throw new RangeError(`windowRateFactor must be finite and > 0, got ${this.windowRateFactor}`);
    this.arriveType = sim.register((f) => this.arrive(f));
    this.finishType = sim.register(() => this.finishDue());
    this.solveType = sim.register(() => this.solve());
    this.finishHandle = -1;
    // The flow tables grow by replacement mid-run (links are all added at set-up, before any code is hot).
    typedArraysReassigned(this, ['freeIds', 'state', 'size', 'remaining', 'settled', 'rate', 'arrival', 'finished', 'vfinish', 'bottleneck', 'flowShadowCount', 'dirtyFlows', 'arrivals', 'uncontended']);
    typedArraysReassigned(this, ['topFlows', 'clusterQueue', 'clusterEnd', 'clusterLinks', 'flowMark', 'linkMark']);
  }

  // ---- links ------------------------------------------------------------------------------------------

  /** Adds a directional link (capacity in bytes/s, latency in seconds) and returns its id. */
  addLink(name: string, capacityBps: number, latencyS: number): number {
    checkCapacity(name, capacityBps);
    if (!finiteNonNegative(latencyS))
      throw new RangeError(`link ${name}: latency must be finite and >= 0 s, got ${latencyS}`);
    if (this.links === this.capacity.length) this.growLinks(this.links * 2);
    const id = this.links++;
    this.names.push(name);
    this.linkGroup.push(undefined);
    this.coverBy.push(undefined);
    this.coverPos.push(undefined);
    this.covers.push(undefined);
    this.coverUse.push(undefined);
    this.shadow.push(undefined);
    this.shadowPos.push(undefined);
    this.capacity[id] = capacityBps;
    this.latency[id] = latencyS;
    this.settledAt[id] = this.sim.now;
    this.graph.addLink(id, capacityBps * this.bandwidthFactor);
    return id;
  }

  /** Changes a link's capacity now; the flows crossing it are re-shared at the end of this timestamp. */
  setLinkCapacity(id: number, capacityBps: number): void {
    this.checkLink(id);
    checkCapacity(this.names[id], capacityBps);
    this.capacity[id] = capacityBps;
    this.graph.linkCapacity[id] = capacityBps * this.bandwidthFactor;
    this.floor = 0; // rare (faults): the whole component is re-solved
    this.markLinkDirty(id);
    if (this.anyCovered) {
      // The bound of the covered links this link is, or covers, moves with it.
      if (this.coverBy[id] !== undefined) this.recheckBound(id);
      const c = this.covers[id];
      if (c !== undefined) for (let k = 0; k < c.length; k++) this.recheckBound(c[k]);
    }
  }

  /**
   * Declares link `l` covered by the links `by`. The flows on l that cross a cover load l by at most the
   * sum of the capacities of the covers they use (each cover carries at most its capacity). While that
   * bound — over the covers some flow on l crosses right now — fits in l's capacity, l cannot fill, and
   * such flows are left out of its sharing (they do not count on it in solves, share groups or the
   * uncontended checks). That is again the exact max-min allocation: without l's constraint the
   * allocation keeps l within capacity, so it is also the allocation with it. A flow crossing l and none
   * of `by`, or a bound that grows past l's capacity, makes l share again: the flows left out join its
   * sharing at their current rates (the max-min ones still) until l is empty. Returns false (nothing
   * declared) for a link that is a cover, covers that are covered, or a link a flow has crossed already.
   * The link's bytes and load (linkBytes, linkLoad) still count every flow; its peak (linkPeak) only the
   * ones it limited.
   */
  declareCovered(l: number, by: readonly number[]): boolean {
    this.checkLink(l);
    for (const d of by) {
      this.checkLink(d);
      if (d === l || this.coverBy[d] !== undefined) return false;
    }
    if (by.length === 0 || new Set(by).size !== by.length || this.coverBy[l] !== undefined || this.covers[l] !== undefined) return false;
    if (this.linkStamp[l] !== 0) return false; // a flow has crossed it: its sharing users are not known
    this.coverBy[l] = Int32Array.from(by);
    const pos = (this.coverPos[l] = new Int32Array(by.length));
    for (let j = 0; j < by.length; j++) {
      const d = by[j];
      const c = (this.covers[d] ??= []);
      pos[j] = c.length;
      c.push(l);
      const use = this.coverUse[d];
      if (use === undefined) this.coverUse[d] = new Int32Array(4);
      else if (use.length < c.length) this.coverUse[d] = grow(use, 2 * c.length);
    }
    this.anyCovered = true;
    return true;
  }

  get linkCount(): number {
    return this.links;
  }
  linkName(id: number): string {
    this.checkLink(id);
    return this.names[id];
  }
  /** Nominal capacity in bytes/s (before the bandwidth factor). */
  linkCapacity(id: number): number {
    this.checkLink(id);
    return this.capacity[id];
  }
  linkLatency(id: number): number {
    this.checkLink(id);
    return this.latency[id];
  }
  /**
   * Σ latency along `path`, in path order (the sum startFlow waits, before the latency factor).
   * Performance: one call per request instead of a checked linkLatency call per link.
   */
  pathLatency(path: readonly number[]): number {
    let s = 0;
    for (let i = 0; i < path.length; i++) {
      const l = path[i];
      if (!(l >= 0 && l < this.links && (l | 0) === l)) throw new RangeError(`unknown link ${l}`);
      s += this.latency[l];
    }
    return s;
  }
  /** Bytes carried so far, exact at the current time. */
  linkBytes(id: number): number {
    this.checkLink(id);
    let bytes = this.sharingBytes(id);
    // Flows left out of a covered link's sharing: done ones counted as they ended, the rest so far.
    for (let i = 0; i < this.shadowCount[id]; i++) {
      const f = (this.shadow[id] as Int32Array)[i];
      bytes += this.size[f] - this.flowRemaining(f);
    }
    return bytes + this.shadowBytes[id];
  }

  /** Bytes carried so far by the flows in the link's sharing. */
  private sharingBytes(id: number): number {
    const now = this.sim.now;
    const bytes = this.carried[id] + this.load[id] * (now - this.settledAt[id]);
    const g = this.linkGroup[id];
    return g === undefined ? bytes : bytes + this.groupWeight[id] * (g.virtualAt(now) - this.groupVAt[id]);
  }
  /** Current sum of the rates of the flows crossing the link, bytes/s. */
  linkLoad(id: number): number {
    this.checkLink(id);
    let load = this.loadOf(id);
    for (let i = 0; i < this.shadowCount[id]; i++) load += this.flowRate((this.shadow[id] as Int32Array)[i]);
    return load;
  }

  /** The link's load: its plain flows' rates, plus its share-group members at the group's level. */
  private loadOf(l: number): number {
    const g = this.linkGroup[l];
    return g === undefined ? this.load[l] : this.load[l] + this.groupWeight[l] * g.rate;
  }
  /**
   * Conservation, once no flow is in progress: every link carried exactly the bytes of the flows that
   * crossed it (lazily integrated rate × time against bytes counted per flow). Undefined when it holds.
   */
  conservationProblem(): string | undefined {
    if (!CHECKS || this.inProgress !== 0) return undefined;
    for (let l = 0; l < this.linkCount; l++) {
      const carried = this.sharingBytes(l);
      const delivered = this.delivered[l];
      if (Math.abs(carried - delivered) > 1 + 1e-6 * delivered)
        return `link ${this.names[l]} carried ${carried} bytes but its flows delivered ${delivered}`;
    }
    return undefined;
  }

  /** Highest load the link has carried. */
  linkPeak(id: number): number {
    this.checkLink(id);
    const g = this.linkGroup[id];
    return g === undefined ? this.peak[id] : Math.max(this.peak[id], this.groupPeak(g, id));
  }

  /**
   * A meter of the summed load of `links` (returns its id for meterPeak). Its peak is the highest sum of
   * their loads at the end of any solve, when rates change — the peak an unlimited link crossed by
   * all their flows would record (given each flow crosses at most one of them, as a registry's flows cross
   * one instance's NIC), without putting such a link on every path: a link crossed by every flow joins the
   * flows into one component, whose solves and share groups then span all of them. Costs O(links) per
   * solve; a meter of one link is that link's linkPeak and costs nothing.
   */
  addMeter(links: readonly number[]): number {
    for (const l of links) this.checkLink(l);
    this.meterLinks.push(Int32Array.from(links));
    this.meterPeaks.push(0);
    return this.meterLinks.length - 1;
  }

  /** The highest summed load meter `id` has seen (see addMeter). */
  meterPeak(id: number): number {
    const links = this.meterLinks[id];
    if (links === undefined) throw new RangeError(`unknown meter ${id}`);
    if (links.length === 1) return this.linkPeak(links[0]);
    return this.meterPeaks[id];
  }

  /** Samples the meters of several links (the end of a solve: every rate is current). */
  private sampleMeters(): void {
    for (let m = 0; m < this.meterLinks.length; m++) {
      const links = this.meterLinks[m];
      if (links.length === 1) continue;
      let sum = 0;
      for (let i = 0; i < links.length; i++) {
        const l = links[i];
        sum += this.loadOf(l);
        for (let k = 0; k < this.shadowCount[l]; k++) sum += this.flowRate((this.shadow[l] as Int32Array)[k]);
      }
      if (sum > this.meterPeaks[m]) this.meterPeaks[m] = sum;
    }
  }

  /**
   * The highest load group link l carried with its current members: their weight × the highest level the
   * group committed since they took effect (solves are when loads are sampled, as for plain links).
   */
  private groupPeak(g: ShareGroup, l: number): number {
    return this.load[l] + this.groupWeight[l] * g.maxRateSince(this.groupEpoch[l]);
  }

  // ---- flows ------------------------------------------------------------------------------------------

  /**
   * Starts a transfer of `bytes` along `path` (link ids, each at most once), capped at `cap` bytes/s, and
   * returns its id. `onDone(id)` runs when the last byte arrives. Ids are recycled once a flow completes
   * or is aborted.
   *
   * `startDelayS` (default 0) holds the flow back that long before its path latency starts to count, as
   * if startFlow were called startDelayS later (same timestamps, to the last bit), but with one kernel
   * event instead of two: a request's round trips and service time before the body flows, for example.
   * Until it joins, the flow is in progress with rate 0 and can be aborted.
   */
  startFlow(path: readonly number[], bytes: number, onDone: FlowDone, cap = Infinity, startDelayS = 0): number {
    if (!finiteNonNegative(bytes)) throw new RangeError(`flow size must be finite and >= 0 bytes, got ${bytes}`);
    if (!nonNegative(cap)) throw new RangeError(`flow cap must be >= 0 bytes/s, got ${cap}`);
    if (!finiteNonNegative(startDelayS)) throw new RangeError(`flow start delay must be finite and >= 0 s, got ${startDelayS}`);
    let pathLatency = 0;
    // Performance: a stamp per link finds a repeated link in O(path) (indexOf was O(path²)).
    const stamp = this.nextPathStamp();
    for (let i = 0; i < path.length; i++) {
      const l = path[i];
      if (!(l >= 0 && l < this.links && (l | 0) === l)) throw new RangeError(`unknown link ${l}`);
      if (this.linkStamp[l] === stamp) throw new RangeError(`flow path [${path.join(', ')}] crosses link ${l} twice`);
      this.linkStamp[l] = stamp;
      pathLatency += this.latency[l];
    }
    const window = this.tcpWindowBytes;
    const windowCap = window !== null && pathLatency > 0 ? (this.windowRateFactor * window) / (2 * pathLatency) : Infinity;

    const f = this.allocFlow();
    this.graph.setFlow(f, this.anyCovered ? this.sharingPath(f, path, stamp) : path, Math.min(cap, windowCap));
    if (this.latencyWeighted) {
      // SimGrid (network_cm02.cpp): the path's raw latency plus weight-S over each link's bandwidth; a flow
      // with no latency keeps its initial penalty of 1.
      let penalty = pathLatency;
      if (this.weightS > 0) for (let i = 0; i < path.length; i++) penalty += this.weightS / this.capacity[path[i]];
      const p = pathLatency > 0 ? penalty : 1;
      if (this.graph.flowPenalty === undefined) {
        if (Number.isNaN(this.uniformPenalty)) this.uniformPenalty = p;
        else if (p !== this.uniformPenalty) this.weighWith(p);
      }
      if (this.graph.flowPenalty !== undefined) {
        this.graph.setPenalty(f, p);
        if (p < this.minPenalty) this.minPenalty = p;
      }
    }
    this.size[f] = bytes;
    this.remaining[f] = bytes;
    this.rate[f] = 0;
    this.settled[f] = this.sim.now;
    this.onDone[f] = onDone;
    this.state[f] = LATENT;
    this.inProgress++;

    const delay = this.latencyFactor * pathLatency;
    if (startDelayS > 0) {
      // (now + startDelayS) + delay: the sum a second startFlow call at now + startDelayS would compute.
      const at = this.sim.now + startDelayS;
      this.arrival[f] = this.sim.scheduleAt(delay > 0 ? at + delay : at, this.arriveType, f, NORMAL);
    } else if (delay > 0 || this.isInstant(f)) this.arrival[f] = this.sim.schedule(delay, this.arriveType, f, NORMAL);
    else this.join(f);
    return f;
  }

  /**
   * The first flow with a penalty other than the uniform one so far: every flow gets that uniform penalty
   * in the solver's table (their rates are already the weighted allocation: equal weights), share groups
   * are dissolved into plain flows, and this timestamp re-solves whole components (the floor, a rate until
   * now, becomes a level).
   */
  private weighWith(p: number): void {
    this.graph.enablePenalties(this.uniformPenalty);
    this.minPenalty = Math.min(this.uniformPenalty, p);
    for (let l = 0; l < this.links; l++) {
      const grp = this.linkGroup[l];
      if (grp !== undefined && grp.alive) this.dissolve(grp);
    }
    this.floor = 0;
    this.requestSolve();
  }

  /** Stops a flow in progress and returns the bytes it delivered; its onDone is not called. */
  abortFlow(id: number): number {
    const s = this.flowState(id);
    let delivered = 0;
    if (s === LATENT) {
      this.sim.cancel(this.arrival[id]);
    } else if (s === SHARING) {
      const g = this.flowGroup[id];
      if (g !== undefined) this.dissolve(g); // leave() below requests the solve
      const left = this.remaining[id] - this.rate[id] * (this.sim.now - this.settled[id]);
      delivered = Math.min(this.size[id], Math.max(0, this.size[id] - left));
      const path = this.graph.flowPath[id];
      for (let i = this.graph.flowPathLength[id] - 1; i >= 0; i--) this.delivered[path[i]] += delivered;
      this.leave(id);
      if (!this.solvePending) this.syncFinishEvent();
    } else {
      throw new RangeError(`abortFlow: flow ${id} has already completed`);
    }
    this.inProgress--;
    if (this.anyCovered) this.forgetCovered(id, delivered);
    this.release(id);
    return delivered;
  }

  /** Current rate in bytes/s (0 while the flow waits out its latency). */
  flowRate(id: number): number {
    if (this.flowState(id) !== SHARING) return 0;
    const g = this.flowGroup[id];
    return g === undefined ? this.rate[id] : this.memberRate(g, id);
  }

  /** Group member f's rate: the group's level ÷ f's penalty (unweighted: the level). */
  private memberRate(g: ShareGroup, f: number): number {
    const pen = this.graph.flowPenalty;
    return pen === undefined ? g.rate : g.rate / pen[f];
  }

  /** Group member f's bytes per unit of level: 1 / its penalty (1 unweighted). */
  private memberWeight(f: number): number {
    const pen = this.graph.flowPenalty;
    return pen === undefined ? 1 : 1 / pen[f];
  }

  /** Group member f's level-bytes still to go (vfinish − V) as bytes: ÷ its penalty (unweighted: as is). */
  private memberBytes(f: number, levelBytes: number): number {
    const pen = this.graph.flowPenalty;
    return pen === undefined ? levelBytes : levelBytes / pen[f];
  }

  /** Bytes still to deliver, exact at the current time. */
  flowRemaining(id: number): number {
    const s = this.flowState(id);
    if (s === LATENT) return this.size[id];
    if (s === DONE) return 0;
    const g = this.flowGroup[id];
    if (g !== undefined) return Math.max(0, this.memberBytes(id, this.vfinish[id] - g.virtualAt(this.sim.now)));
    return Math.max(0, this.remaining[id] - this.rate[id] * (this.sim.now - this.settled[id]));
  }

  /** Flows started and neither completed nor aborted. */
  get activeFlows(): number {
    return this.inProgress;
  }

  // ---- events -----------------------------------------------------------------------------------------

  private arrive(f: number): void {
    if (this.isInstant(f)) this.finishNow(f);
    else this.join(f);
  }

  /** Zero bytes, or nothing limits its rate: the flow is done as soon as its latency has passed. */
  private isInstant(f: number): boolean {
    return this.size[f] === 0 || (this.graph.flowPathLength[f] === 0 && this.graph.flowCap[f] === Infinity);
  }

  private finishNow(f: number): void {
    this.state[f] = DONE;
    this.remaining[f] = 0;
    this.inProgress--;
    this.complete(f);
  }

  private complete(f: number): void {
    const done = this.onDone[f] as FlowDone;
    this.onDone[f] = undefined;
    if (this.anyCovered) this.forgetCovered(f, this.size[f]);
    done(f);
    this.release(f);
  }

  /** The earliest finish time has come: complete every flow finishing at this instant, together. */
  private finishDue(): void {
    this.finishHandle = -1;
    this.finishAt = Infinity;
    const now = this.sim.now;
    const horizon = now + now * SAME_INSTANT;
    const finished = this.finished; // callbacks may grow this.finished; this reference stays valid
    let n = 0;
    while (this.finishHeap.size > 0 && this.finishHeap.peekKey() <= horizon) {
      const f = this.finishHeap.pop();
      if (this.flowGroup[f] !== undefined) {
        this.departGroup(f, now);
        finished[n++] = f;
        continue;
      }
      const left = this.remaining[f] - this.rate[f] * (now - this.settled[f]);
      if (CHECKS && left < -SLACK * (this.size[f] + this.rate[f] * now))
        throw new InvariantError('a flow delivers exactly its size', `flow ${f} overshot its size by ${-left} bytes at t=${now}`);
      // Snap to exactly delivered. The rounding remainder goes to the path's links so bytes stay conserved.
      if (!this.leaveUncontended(f)) {
        const path = this.graph.flowPath[f];
        const size = this.size[f];
        for (let i = this.graph.flowPathLength[f] - 1; i >= 0; i--) {
          this.carried[path[i]] += left;
          this.delivered[path[i]] += size;
        }
        this.leave(f);
      }
      this.remaining[f] = 0;
      this.settled[f] = now;
      this.rate[f] = 0;
      this.state[f] = DONE;
      this.inProgress--;
      finished[n++] = f;
    }
    for (let i = 0; i < n; i++) this.complete(finished[i]);
    if (!this.solvePending) this.syncFinishEvent();
  }

  /**
   * Re-solves what the changes since the last solve can move: the one LATE event of a timestamp.
   *
   * The floor. Progressive filling raises every unfrozen flow's rate together; a flow stops at its cap or
   * when one of its links fills. A departing flow at rate r was unfrozen up to r, and every link it crossed
   * filled at r or later, so without it the filling below r is the same; an arriving flow f is likewise
   * unfrozen until its own rate, which is at least leastRate(f). So below the least of these, the
   * floor, nothing changes: flows slower than the floor keep their rates exactly, and only the rest can
   * move. (A capacity change sets the floor to 0: its whole component is re-solved.)
   */
  private solve(): void {
    this.solvePending = false;
    const now = this.sim.now;
    const g = this.graph;
    // Groups whose members left: re-share in O(log) if the structure holds, else re-solve their component.
    for (let i = 0; i < this.pendingGroups.length; i++) {
      const grp = this.pendingGroups[i];
      if (grp.alive && !this.advanceGroup(grp, now)) this.dissolve(grp);
    }
    // Performance: an array's length store is a runtime call, so an empty list is left alone (every solve).
    if (this.pendingGroups.length > 0) this.pendingGroups.length = 0;
    // New flows join a share group in O(path · log) where the exact allocation allows it; the rest seed
    // the re-solve. (An id can be listed twice: it was aborted, recycled and joined again.)
    for (let i = 0; i < this.arrivalCount; i++) {
      const f = this.arrivals[i];
      if (this.state[f] === SHARING && this.flowGroup[f] === undefined && !this.joinWithoutSolve(f)) {
        this.pushDirtyFlow(f);
        const least = this.leastRate(f);
        if (least < this.floor) this.floor = least;
      }
    }
    this.arrivalCount = 0;
    const floor = this.floor * (1 - FLOOR_EPS);
    this.floor = Infinity;
    if (this.dirtyFlowCount === 0 && this.dirtyLinkCount === 0) {
      this.peakUncontended();
      this.commitTouched(now);
      if (this.meterLinks.length > 0) this.sampleMeters();
      this.syncFinishEvent();
      return;
    }
    // Flows that joined and left again since the last solve are not seeds; their links are.
    let seeds = 0;
    for (let i = 0; i < this.dirtyFlowCount; i++) {
      const f = this.dirtyFlows[i];
      if (this.state[f] === SHARING) this.dirtyFlows[seeds++] = f;
    }
    for (let i = 0; i < this.dirtyLinkCount; i++) this.linkDirty[this.dirtyLinks[i]] = 0;
    // Local first (local-solve.ts): only the flows the change moves. Else (a capacity change, or a change
    // that reaches too far) the whole connected component.
    const local = this.local;
    let flows: Int32Array;
    let nFlows: number;
    let links: Int32Array;
    let nLinks: number;
    /** The local solve held flows at their rates (else: whole components). */
    let open = false;
    let heldMax = -Infinity;
    /** Flows were settled at their old rates before the solve (else: settled after it, from prevRate). */
    let presettled = false;
    const localRun = floor > 0;
    if (localRun && local.run(this.rate, this.bottleneck, floor, this.dirtyFlows, seeds, this.dirtyLinks, this.dirtyLinkCount)) {
      ({ flows, flowCount: nFlows, links, linkCount: nLinks, heldMax, open } = local);
      this.dirtyFlowCount = 0;
      this.dirtyLinkCount = 0;
      this.settleLinks(links, nLinks, now);
    } else {
      if (localRun) g.collect(local.flows, local.flowCount, local.links, local.linkCount);
      else g.collect(this.dirtyFlows, seeds, this.dirtyLinks, this.dirtyLinkCount);
      this.dirtyFlowCount = 0;
      this.dirtyLinkCount = 0;
      // A group inside a component being re-solved is dissolved first, and all its members re-solved with it
      // (members elsewhere would keep valid rates, but re-solving them keeps results bit-identical to a
      // network without groups).
      let widened = false;
      for (let i = 0; i < g.componentFlowCount; i++) {
        const grp = this.flowGroup[g.componentFlows[i]];
        if (grp !== undefined) {
          this.dissolve(grp);
          widened = true;
        }
      }
      if (widened) {
        for (let i = 0; i < g.componentFlowCount; i++) this.pushDirtyFlow(g.componentFlows[i]);
        // collect() copies seeds before writing its output, so componentLinks may seed itself.
        g.collect(this.dirtyFlows, this.dirtyFlowCount, g.componentLinks, g.componentLinkCount);
        this.dirtyFlowCount = 0;
      }
      ({ componentFlows: flows, componentLinks: links, componentFlowCount: nFlows, componentLinkCount: nLinks } = g);
      for (let i = 0; i < nFlows; i++) this.settle(flows[i], this.rate[flows[i]], now);
      presettled = true;
      this.settleLinks(links, nLinks, now);
      this.solver.solve(g, flows, nFlows, links, nLinks, this.rate, false, this.bottleneck);
    }

    const prevRate = local.prevRate; // (read after the run: it may have grown)
    // A group is the flows at the top level (rate × penalty weighted, as the local solve's heldMax is; the
    // top rate unweighted).
    const pen = g.flowPenalty;
    let topLevel = 0;
    for (let i = 0; i < nFlows; i++) {
      const f = flows[i];
      const r = this.rate[f];
      // Open: most flows keep their rate exactly and stay unsettled; closed: every flow is re-timed.
      if (!presettled && (!open || r !== prevRate[i])) this.settle(f, prevRate[i], now);
      if (CHECKS && !(r >= 0 && r <= g.flowCap[f] * (1 + SLACK)))
        throw new InvariantError('no flow is faster than its path allows', `flow ${f} rate ${r} B/s outside [0, cap ${g.flowCap[f]}] at t=${now}`);
      const v = flowLevel(f, this.rate, pen);
      if (v > topLevel) topLevel = v;
    }
    if (open) {
      // The held flows' rates as collected, plus the solved ones: Σ path over the solved flows instead of
      // every member of every link.
      for (let i = 0; i < nLinks; i++) this.load[links[i]] = g.linkHeldRate[links[i]];
      for (let i = 0; i < nFlows; i++) {
        const f = flows[i];
        const path = g.flowPath[f];
        const r = this.rate[f];
        for (let k = g.flowPathLength[f] - 1; k >= 0; k--) this.load[path[k]] += r;
      }
    }
    for (let i = 0; i < nLinks; i++) {
      const l = links[i];
      let sum = this.load[l];
      if (!open) {
        const members = g.linkFlows[l];
        sum = 0;
        for (let k = g.linkFlowCount[l] - 1; k >= 0; k--) sum += this.rate[members[k]];
      }
      if (CHECKS && sum > g.linkCapacity[l] * (1 + SLACK))
        throw new InvariantError(
          'no link carries more than its capacity',
          `link ${this.names[l]} carries ${sum} B/s over capacity ${g.linkCapacity[l]} at t=${now}`,
        );
      this.load[l] = sum;
      if (sum > this.peak[l]) this.peak[l] = sum;
    }
    let formed = 0;
    // A group's members must be the fastest flows on all their links (share-group.ts): after an open solve,
    // faster than every flow held, by more than rounding. The local solve holds a flow on a bottleneck whose
    // solved flows are up to VALID_EPS (< GROUP_EPS) faster, so a held flow a hair below top may share the
    // members' bottleneck: an exact tie split by rounding. Left out of the group, it would be taken for a
    // flow limited elsewhere and kept at its rate when a member leaves and that bottleneck loosens.
    if (topLevel > 0 && nFlows >= GROUP_MIN_FLOWS && (!open || heldMax < topLevel * (1 - GROUP_EPS))) {
      if (this.groupBackoff > 0) this.groupBackoff--;
      else formed = this.formGroups(topLevel, now, flows, nFlows, nLinks);
    }
    for (let i = 0; i < nFlows; i++) {
      const f = flows[i];
      const r = this.rate[f];
      // Only the groups just formed hold solved flows (the solve dissolved any other a flow was in).
      if (formed > 0 && this.flowGroup[f] !== undefined) this.finishHeap.remove(f); // a group keys only its next finisher
      else if (open && r === prevRate[i] && r > 0) continue; // same rate, same finish time
      else if (r > 0) this.finishHeap.set(f, now + Math.max(0, this.remaining[f]) / r);
      else this.finishHeap.remove(f);
    }
    for (let k = 0; k < formed; k++) this.keyGroupHead(this.formedGroups[k], now);
    this.peakUncontended();
    this.commitTouched(now);
    if (this.meterLinks.length > 0) this.sampleMeters();
    this.syncFinishEvent();
  }

  /** Brings the links' carried bytes up to now at their loads so far (before a solve changes the loads). */
  private settleLinks(links: Int32Array, n: number, now: number): void {
    for (let i = 0; i < n; i++) {
      const l = links[i];
      this.carried[l] += this.load[l] * (now - this.settledAt[l]);
      this.settledAt[l] = now;
    }
  }

  /** Brings flow f's remaining bytes up to now at the rate it had since it was last settled. */
  private settle(f: number, rate: number, now: number): void {
    const left = this.remaining[f] - rate * (now - this.settled[f]);
    if (CHECKS && left < -SLACK * (this.size[f] + rate * now))
      throw new InvariantError('a flow delivers exactly its size', `flow ${f} has ${left} bytes remaining at t=${now}`);
    this.remaining[f] = left;
    this.settled[f] = now;
  }

  /** The groups changed at this timestamp that are still alive keep their new rate: commit and re-key them. */
  private commitTouched(now: number): void {
    for (let i = 0; i < this.touchedGroups.length; i++) {
      const grp = this.touchedGroups[i];
      grp.touched = false;
      if (!grp.alive || grp.size === 0) continue;
      grp.commit();
      this.keyGroupHead(grp, now);
    }
    if (this.touchedGroups.length > 0) this.touchedGroups.length = 0; // (see solve)
  }

  private touch(grp: ShareGroup): void {
    if (grp.touched) return;
    grp.touched = true;
    this.touchedGroups.push(grp);
  }

  /** Keeps exactly one kernel event scheduled, at the earliest finish time. */
  private syncFinishEvent(): void {
    const at = this.finishHeap.peekKey();
    if (at === this.finishAt) return;
    if (this.finishHandle >= 0) this.sim.cancel(this.finishHandle);
    this.finishHandle = -1;
    this.finishAt = at;
    if (at < Infinity) this.finishHandle = this.sim.scheduleAt(Math.max(at, this.sim.now), this.finishType, 0, NORMAL);
  }

  private requestSolve(): void {
    if (this.solvePending) return;
    this.solvePending = true;
    // Batching: every change at this timestamp is solved by this one event, after all NORMAL events.
    this.sim.schedule(0, this.solveType, 0, LATE);
  }

  // ---- share groups (see share-group.ts) --------------------------------------------------------------

  /**
   * Makes the flows at level `top` (the top rate, unweighted) among those just solved (over `nLinks` links)
   * share groups, ordered by finish: one group per cluster of them that share links (see clusterTop), so
   * every group has a link crossed by all its members. Instances of a registry serving their own clients
   * at equal levels are several clusters; one group of all of them would have no such link, and no member
   * could join or leave through it. The groups formed are formedGroups[0, returned count).
   */
  private formGroups(top: number, now: number, flows: Int32Array, nFlows: number, nLinks: number): number {
    // Weighted: `top` is the top level, and the members are the flows at it (to within GROUP_EPS: their
    // rates are the solver's level ÷ penalty, so rate × penalty may differ from it in the last bits),
    // whatever their penalties; each then runs at top ÷ its penalty. Unweighted: the flows at the top rate.
    const pen = this.graph.flowPenalty;
    let count = 0;
    for (let i = 0; i < nFlows; i++) {
      const f = flows[i];
      if (!this.atTopLevel(f, top, pen)) continue;
      if (this.settled[f] !== now) this.settle(f, this.rate[f], now); // an open solve leaves unchanged rates unsettled
      if (count === this.topFlows.length) this.topFlows = grow(this.topFlows, 2 * count);
      this.topFlows[count++] = f;
    }
    const clusters = count > 1 ? this.clusterTop(count) : 1;
    const members = this.topFlows; // (clusterTop may have grown it)
    if (clusters === 1) {
      const grp = this.formGroup(top, now, members, 0, count, nLinks);
      if (grp === undefined) return 0;
      this.formedGroups[0] = grp;
      return 1;
    }
    // Several clusters: each one big enough to be worth a group (as a component must be, GROUP_MIN_FLOWS).
    let formed = 0;
    for (let c = 0, from = 0; c < clusters; c++) {
      const to = this.clusterEnd[c];
      const grp = to - from >= GROUP_MIN_FLOWS ? this.formGroup(top, now, members, from, to, this.clusterLinks[c]) : undefined;
      if (grp !== undefined) this.formedGroups[formed++] = grp;
      from = to;
    }
    return formed;
  }

  /**
   * Splits the top-level flows topFlows[0, count) into clusters connected through the links they cross
   * (breadth-first over each link's flows): reorders topFlows so that cluster c is
   * [clusterEnd[c − 1], clusterEnd[c]) — a single cluster keeps the solve's order — and returns how many
   * there are; clusterLinks[c] counts each cluster's links.
   */
  private clusterTop(count: number): number {
    const g = this.graph;
    if (this.clusterStamp >= 0x3fffffff) {
      this.clusterStamp = 0;
      this.flowMark.fill(0);
      this.linkMark.fill(0);
    }
    const s = ++this.clusterStamp;
    if (this.flowMark.length < this.flowIdsUsed) this.flowMark = grow(this.flowMark, Math.max(this.flowIdsUsed, 2 * this.flowMark.length));
    if (this.linkMark.length < this.links) this.linkMark = grow(this.linkMark, this.links);
    if (this.clusterQueue.length < count) this.clusterQueue = grow(this.clusterQueue, 2 * count);
    const top = this.topFlows;
    const queue = this.clusterQueue;
    for (let i = 0; i < count; i++) this.flowMark[top[i]] = s; // a top flow not yet in a cluster
    let clusters = 0;
    let tail = 0;
    for (let i = 0; i < count; i++) {
      const first = top[i];
      if (this.flowMark[first] !== s) continue;
      this.flowMark[first] = -s;
      queue[tail++] = first;
      let links = 0;
      for (let head = tail - 1; head < tail; head++) {
        const f = queue[head];
        const path = g.flowPath[f];
        for (let k = g.flowPathLength[f] - 1; k >= 0; k--) {
          const l = path[k];
          if (this.linkMark[l] === s) continue;
          this.linkMark[l] = s;
          links++;
          const on = g.linkFlows[l];
          for (let j = g.linkFlowCount[l] - 1; j >= 0; j--) {
            const h = on[j];
            if (this.flowMark[h] !== s) continue;
            this.flowMark[h] = -s;
            queue[tail++] = h;
          }
        }
      }
      if (clusters === 0 && tail === count) return 1; // one cluster: topFlows stays in the solve's order
      if (clusters === this.clusterEnd.length) {
        this.clusterEnd = grow(this.clusterEnd, 2 * clusters);
        this.clusterLinks = grow(this.clusterLinks, 2 * clusters);
      }
      this.clusterEnd[clusters] = tail;
      this.clusterLinks[clusters++] = links;
    }
    this.topFlows = queue;
    this.clusterQueue = top;
    return clusters;
  }

  /** Makes the top-level flows members[from, to) a group (undefined if they would all finish at once). */
  private formGroup(top: number, now: number, members: Int32Array, from: number, to: number, nLinks: number): ShareGroup | undefined {
    const g = this.graph;
    const pen = g.flowPenalty;
    let least = Infinity;
    let most = -Infinity;
    for (let i = from; i < to; i++) {
      const f = members[i];
      const rem = pen === undefined ? this.remaining[f] : this.remaining[f] * pen[f];
      if (rem < least) least = rem;
      if (rem > most) most = rem;
    }
    // Members that would all finish at one instant (a cluster in lockstep asking for the same bytes) leave
    // together in one finishDue: a group would only add its bookkeeping. Performance: ~9 % of a Docker Hub run.
    if (least === most) return undefined;
    const grp = new ShareGroup(to - from, nLinks, now, top);
    for (let i = from; i < to; i++) {
      const f = members[i];
      const p = pen === undefined ? 1 : pen[f];
      const w = pen === undefined ? 1 : 1 / p;
      this.flowGroup[f] = grp;
      this.rate[f] = 0; // a member's rate is its group's (and a solve's walk always takes it in)
      this.vfinish[f] = Math.max(0, this.remaining[f]) * p; // virtual time starts at 0, in level-bytes
      grp.appendMember(f, this.vfinish[f]);
      const cap = g.flowCap[f] * p;
      if (cap < grp.minCap) grp.minCap = cap;
      if (cap > grp.maxCap) grp.maxCap = cap;
      const path = g.flowPath[f];
      for (let i = g.flowPathLength[f] - 1; i >= 0; i--) {
        const l = path[i];
        if (this.linkGroup[l] !== grp) {
          this.linkGroup[l] = grp;
          this.groupCount[l] = 0;
          this.groupWeight[l] = 0;
          this.groupVAt[l] = 0;
          this.groupEpoch[l] = 1; // the commit below
          this.groupSlot[l] = grp.addLink(l, 0);
        }
        this.groupCount[l]++;
        this.groupWeight[l] += w;
      }
    }
    // Finish order is (remaining bytes, id), the order the finish heap pops equal keys in: a heap on it,
    // built in O(members).
    grp.orderMembers();
    for (let i = 0; i < grp.linkCount; i++) {
      // load keeps only the other flows' bytes/s: summed exactly rather than by subtracting the members'.
      const l = grp.links[i];
      const on = g.linkFlows[l];
      let other = 0;
      let otherMax = 0;
      for (let j = g.linkFlowCount[l] - 1; j >= 0; j--) {
        const r = this.rate[on[j]];
        if (this.flowGroup[on[j]] === grp) continue;
        other += r;
        const v = flowLevel(on[j], this.rate, pen);
        if (v > otherMax) otherMax = v;
      }
      this.load[l] = other;
      grp.setOtherMax(i, otherMax);
    }
    this.groupOf = grp;
    grp.buildLevels(this.levelOf);
    grp.commit();
    return grp;
  }

  /** Flow f is at level `top` (formGroup): its rate exactly, unweighted; rate × penalty to within GROUP_EPS. */
  private atTopLevel(f: number, top: number, pen: Float64Array | undefined): boolean {
    return pen === undefined ? this.rate[f] === top : this.rate[f] * pen[f] >= top * (1 - GROUP_EPS);
  }

  /** The level at which link l fills if its group's members on it all run at it; Infinity if none does. */
  private groupLevel(l: number): number {
    if (this.linkGroup[l] !== this.groupOf) return Infinity;
    return this.groupCount[l] > 0 ? (this.graph.linkCapacity[l] - this.load[l]) / this.groupWeight[l] : Infinity;
  }

  /** Puts the group's next finisher in the finish heap, at its time under the group's current rate. */
  private keyGroupHead(grp: ShareGroup, now: number): void {
    if (grp.size === 0) return;
    const f = grp.head;
    this.finishHeap.set(f, now + Math.max(0, this.vfinish[f] - grp.virtualAt(now)) / grp.rate);
  }

  /** Brings a group link's byte count up to now (members counted through the virtual clock at V). */
  private settleGroupLink(l: number, v: number, now: number): void {
    this.carried[l] += this.load[l] * (now - this.settledAt[l]) + this.groupWeight[l] * (v - this.groupVAt[l]);
    this.settledAt[l] = now;
    this.groupVAt[l] = v;
  }

  /** Group member f (the group's next finisher) completes: O(path) now, the re-share at the solve. */
  private departGroup(f: number, now: number): void {
    const grp = this.flowGroup[f] as ShareGroup;
    if (grp.head !== f) throw new Error(`internal: flow ${f} left its share group out of order`);
    const v = grp.advanceTo(now);
    const left = this.memberBytes(f, this.vfinish[f] - v);
    if (CHECKS && left < -SLACK * (this.size[f] + this.memberRate(grp, f) * now))
      throw new InvariantError('a flow delivers exactly its size', `flow ${f} overshot its size by ${-left} bytes at t=${now}`);
    const w = this.memberWeight(f);
    const path = this.graph.flowPath[f];
    for (let i = this.graph.flowPathLength[f] - 1; i >= 0; i--) {
      const l = path[i];
      this.settleGroupLink(l, v, now);
      this.carried[l] += left; // snap to exactly delivered, as for any flow
      this.delivered[l] += this.size[f];
      const load = this.groupPeak(grp, l);
      if (load > this.peak[l]) this.peak[l] = load;
      this.groupEpoch[l] = grp.epoch + 1; // the count below holds from the next commit
      if (--this.groupCount[l] === 0) {
        this.linkGroup[l] = undefined; // load already holds the rest
        this.groupWeight[l] = 0;
      } else this.groupWeight[l] -= w;
      grp.pendingLinks.push(l);
    }
    this.graph.detach(f);
    this.finishHeap.remove(f);
    this.flowGroup[f] = undefined;
    grp.popHead();
    this.remaining[f] = 0;
    this.settled[f] = now;
    this.rate[f] = 0;
    this.state[f] = DONE;
    this.inProgress--;
    // Until the solve, the others keep the rate of the last solve, as after any departure.
    this.keyGroupHead(grp, now);
    if (!grp.pending) {
      grp.pending = true;
      this.pendingGroups.push(grp);
    }
    this.requestSolve();
  }

  /**
   * Flow f has just joined the sharing: it takes its rate without a re-solve if its path meets no link
   * queued for this timestamp's solve and at most one share group — through that group (tryJoin) or, with
   * none, uncontended (joinUncontended); false (nothing changed) if it must be solved with its component.
   */
  private joinWithoutSolve(f: number): boolean {
    // Performance: now is read here rather than passed, since a call's float arguments are boxed.
    const now = this.sim.now;
    const path = this.graph.flowPath[f];
    let grp: ShareGroup | undefined;
    for (let i = this.graph.flowPathLength[f] - 1; i >= 0; i--) {
      const l = path[i];
      if (this.linkDirty[l] !== 0) return false; // its flows are re-solved at this timestamp anyway
      const lg = this.linkGroup[l];
      if (lg === undefined) continue;
      if (grp === undefined) grp = lg;
      else if (lg !== grp) return false;
    }
    return grp === undefined ? this.joinUncontended(f, now) : this.tryJoin(f, grp, now);
  }

  /**
   * Makes f, which has just joined, a member of `grp`, the one share group its path runs through, if the
   * group with f is again the exact max-min allocation (the conditions are in share-group.ts), in
   * O(path · log); false (nothing changed) if f must be solved with its component instead.
   */
  private tryJoin(f: number, grp: ShareGroup, now: number): boolean {
    const g = this.graph;
    const path = g.flowPath[f];
    const len = g.flowPathLength[f];
    if (!grp.alive || grp.pending) return false;
    // Weighted, f joins at the members' level with its own penalty: its rate is the level ÷ p, its weight
    // on its links 1 / p (share-group.ts); unweighted, p and w are 1.
    const pen = g.flowPenalty;
    const p = pen === undefined ? 1 : pen[f];
    const w = pen === undefined ? 1 : 1 / p;
    const n = grp.size + 1; // with f
    // The tightest of f's links with f as one more member (links no member crosses: f alone next to
    // the flows already there, which keep their rates), as a level.
    let r = Infinity;
    for (let i = 0; i < len; i++) {
      const l = path[i];
      const level = (g.linkCapacity[l] - this.load[l]) / (this.linkGroup[l] === grp ? this.groupWeight[l] + w : w);
      if (level < r) r = level;
    }
    // A saturated link f would share (its load summed a hair above capacity, or exactly at it) leaves f
    // nothing without a re-share of the flows on it: re-solve. (A level at or below 0 would also turn the
    // relative limits below upside down.)
    if (!(r > 0)) return false;
    const cap = g.flowCap[f] * p; // as a level
    if (grp.minCap === grp.maxCap && grp.minCap === grp.rate) {
      // Every member is held by the same cap: f joins at it if it has that cap too and its links fit.
      // The group's other links are unchanged.
      if (cap !== grp.rate || !(r >= grp.rate)) return false;
      r = grp.rate;
    } else {
      const limit = r * (1 + GROUP_EPS);
      if (!(cap > limit && grp.minCap > limit)) return false;
      // f's links that may bind must be crossed by every member and carry nobody faster.
      for (let i = 0; i < len; i++) {
        const l = path[i];
        const inGroup = this.linkGroup[l] === grp;
        if ((g.linkCapacity[l] - this.load[l]) / (inGroup ? this.groupWeight[l] + w : w) > limit) continue;
        if ((inGroup ? this.groupCount[l] + 1 : 1) !== n || grp.otherMaxAt(this.groupSlot[l]) * (1 + GROUP_EPS) > r) return false;
      }
      // The group's other links keep their levels: none may be at the new rate or below.
      this.joinStamp = this.nextPathStamp();
      for (let i = 0; i < len; i++) this.linkStamp[path[i]] = this.joinStamp;
      this.groupOf = grp;
      if (!grp.othersAbove(limit, this.levelOf, this.onJoinPath)) return false;
    }

    // f joins: bring f's links up to now under the old rate, then count it on them.
    const v = grp.advanceTo(now);
    for (let i = 0; i < len; i++) {
      const l = path[i];
      if (this.linkGroup[l] === grp) {
        const peak = this.groupPeak(grp, l);
        if (peak > this.peak[l]) this.peak[l] = peak;
        this.settleGroupLink(l, v, now);
        this.groupCount[l]++;
        this.groupWeight[l] += w;
      } else {
        // The link enters the group: its flows so far stay in load (they keep their rates).
        this.carried[l] += this.load[l] * (now - this.settledAt[l]);
        this.settledAt[l] = now;
        let otherMax = 0;
        const on = g.linkFlows[l];
        for (let k = g.linkFlowCount[l] - 1; k >= 0; k--) {
          if (on[k] === f) continue;
          const v = flowLevel(on[k], this.rate, pen);
          if (v > otherMax) otherMax = v;
        }
        const slot = this.groupSlot[l];
        if (slot < grp.linkCount && grp.links[slot] === l) grp.setOtherMax(slot, otherMax);
        else this.groupSlot[l] = grp.addLink(l, otherMax);
        this.linkGroup[l] = grp;
        this.groupCount[l] = 1;
        this.groupWeight[l] = w;
        this.groupVAt[l] = v;
      }
      this.groupEpoch[l] = grp.epoch + 1;
      grp.lowerLevel(this.groupSlot[l], (g.linkCapacity[l] - this.load[l]) / this.groupWeight[l]);
    }
    grp.rate = r;
    if (cap < grp.minCap) grp.minCap = cap;
    if (cap > grp.maxCap) grp.maxCap = cap;
    this.flowGroup[f] = grp;
    this.vfinish[f] = v + this.size[f] * p;
    this.remaining[f] = this.size[f];
    this.settled[f] = now;
    this.rate[f] = 0;
    const head = grp.head;
    grp.insertMember(f, this.vfinish[f]);
    if (grp.head !== head) this.finishHeap.remove(head); // f finishes first; keyed with the commit
    grp.used = true;
    this.groupMisses = 0;
    this.touch(grp);
    return true;
  }

  // ---- uncontended arrivals and departures ------------------------------------------------------------
  //
  // Most flows of a cluster pulling small deltas never meet a full link: each runs at its demand — its
  // cap, or the capacity of its slowest link — and nobody else's rate depends on it. A flow that arrives
  // with room for its demand on every link it shares, or leaves without having shared a full link, leaves
  // every other flow's rate as it was, so the max-min allocation is updated in O(path) without re-solving
  // the component (exact, not an approximation: see the two conditions). A link within FULL of its
  // capacity counts as full (isFull), so rounding in the load sums never decides a near tie; such flows go
  // to the solve as before. Links in a share group or already queued for this timestamp's solve also go there.

  /**
   * Link l, which the flow in question crosses, would be full with `extra` bytes/s more on it than its
   * load — and someone else crosses it (a link only that flow crosses is its own, full or not).
   */
  private isFull(l: number, extra: number): boolean {
    return this.graph.linkFlowCount[l] > 1 && this.load[l] + extra > this.graph.linkCapacity[l] * (1 - FULL);
  }

  /**
   * Flow f has just joined, its path clear of share groups and queued links (joinWithoutSolve): if every
   * link it shares has room for its demand d, f runs at d and the others keep their rates — that is again
   * the max-min allocation: f is at its cap or alone on its slowest link, and it crosses no full link, so
   * no other flow's bottleneck changes. False (nothing changed) otherwise.
   */
  private joinUncontended(f: number, now: number): boolean {
    const g = this.graph;
    const path = g.flowPath[f];
    const len = g.flowPathLength[f];
    const b = demandLink(g, f);
    const d = demandOf(g, f, b);
    if (!(d < Infinity)) return false;
    for (let i = 0; i < len; i++) if (this.isFull(path[i], d)) return false; // f is attached: linkFlowCount counts it
    for (let i = 0; i < len; i++) {
      const l = path[i];
      this.carried[l] += this.load[l] * (now - this.settledAt[l]);
      this.settledAt[l] = now;
      this.load[l] = g.linkFlowCount[l] === 1 ? d : this.load[l] + d;
    }
    // The peak is taken once this timestamp's arrivals are all in (peakUncontended): a later arrival may
    // still send these links to the solve, and the loads in between never existed.
    if (this.uncontendedCount === this.uncontended.length) this.uncontended = grow(this.uncontended, 2 * this.uncontendedCount);
    this.uncontended[this.uncontendedCount++] = f;
    this.rate[f] = d;
    this.bottleneck[f] = b;
    this.remaining[f] = this.size[f];
    this.settled[f] = now;
    if (d > 0) this.finishHeap.set(f, now + this.size[f] / d);
    return true;
  }

  /** Records the loads on the links of this timestamp's uncontended arrivals as peaks, once all are in. */
  private peakUncontended(): void {
    const g = this.graph;
    for (let i = 0; i < this.uncontendedCount; i++) {
      const f = this.uncontended[i];
      if (this.state[f] !== SHARING) continue;
      const path = g.flowPath[f];
      for (let k = g.flowPathLength[f] - 1; k >= 0; k--) {
        const l = path[k];
        const load = this.loadOf(l);
        if (load > this.peak[l]) this.peak[l] = load;
      }
    }
    this.uncontendedCount = 0;
  }

  /**
   * Sharing flow f completes now, with the rounding remainder finishDue computed as `left` (recomputed
   * here the same way): if no link on its path is full (or f is alone on it), no other flow was held back
   * by f, so it leaves without a re-solve — its bytes counted on its links as finishDue would — and true
   * is returned; false (nothing changed) if the departure must be re-solved with its component.
   * Performance: the times are read here rather than passed, since a call's float arguments are boxed.
   */
  private leaveUncontended(f: number): boolean {
    const now = this.sim.now;
    const g = this.graph;
    const path = g.flowPath[f];
    const len = g.flowPathLength[f];
    for (let i = 0; i < len; i++) {
      const l = path[i];
      if (this.linkDirty[l] !== 0 || this.linkGroup[l] !== undefined || this.isFull(l, 0)) return false;
    }
    const r = this.rate[f];
    const size = this.size[f];
    const left = this.remaining[f] - r * (now - this.settled[f]);
    for (let i = 0; i < len; i++) {
      const l = path[i];
      this.carried[l] += left; // finishDue's snap, then the link's bytes up to now, in that order
      this.delivered[l] += size;
      this.carried[l] += this.load[l] * (now - this.settledAt[l]);
      this.settledAt[l] = now;
      // The last flow off a link leaves it at exactly 0 (no rounding residue from the subtractions).
      this.load[l] = g.linkFlowCount[l] === 1 ? 0 : this.load[l] - r;
    }
    g.detach(f);
    this.finishHeap.remove(f);
    return true;
  }

  /** Applies the departures of this timestamp to a group; false if its component must be re-solved. */
  private advanceGroup(grp: ShareGroup, now: number): boolean {
    if (grp.size === 0) {
      grp.alive = false; // every link went back to plain accounting as its last member left
      this.groupMisses = 0;
      return true;
    }
    this.groupOf = grp;
    const rate = grp.nextRate(this.levelOf, this.membersOn);
    if (rate < 0) return false;
    if (rate !== grp.rate) {
      grp.advanceTo(now);
      grp.rate = rate;
    }
    grp.pending = false;
    grp.pendingLinks.length = 0;
    grp.used = true;
    this.groupMisses = 0;
    this.touch(grp); // committed and re-keyed once this timestamp's joins are in
    return true;
  }

  /**
   * Turns a group's members back into plain flows at their rates (the group's level ÷ their penalties)
   * and queues them, with the links of
   * members that left since the last solve, for the next solve (the caller makes sure one is due).
   */
  private dissolve(grp: ShareGroup): void {
    const now = this.sim.now;
    const v = grp.advanceTo(now);
    for (let i = 0; i < grp.size; i++) {
      const f = grp.member(i);
      this.flowGroup[f] = undefined;
      this.remaining[f] = this.memberBytes(f, this.vfinish[f] - v);
      this.settled[f] = now;
      this.rate[f] = this.memberRate(grp, f);
      this.finishHeap.set(f, now + Math.max(0, this.remaining[f]) / this.rate[f]);
      this.pushDirtyFlow(f);
    }
    for (let i = 0; i < grp.linkCount; i++) {
      const l = grp.links[i];
      if (this.linkGroup[l] !== grp) continue;
      this.settleGroupLink(l, v, now);
      // Only committed rates count towards the peak: joins or departures of this timestamp not yet
      // committed are re-solved now and the solve records the loads that result.
      const peak = this.groupPeak(grp, l);
      if (peak > this.peak[l]) this.peak[l] = peak;
      this.load[l] += this.groupWeight[l] * grp.rate;
      this.linkGroup[l] = undefined;
      this.groupWeight[l] = 0;
    }
    // Members that left since the last solve had the group's rate: their departures are queued below.
    // The floor is a level when weighted, as the group's rate is.
    if (grp.pendingLinks.length > 0 && grp.rate < this.floor) this.floor = grp.rate;
    for (const l of grp.pendingLinks) {
      if (this.linkDirty[l] === 0) {
        this.linkDirty[l] = 1;
        this.dirtyLinks[this.dirtyLinkCount++] = l;
      }
    }
    if (!grp.used) {
      // No member ever left or joined through the group: it only cost its formation.
      if (this.groupMisses < MAX_GROUP_MISSES) this.groupMisses++;
      this.groupBackoff = 2 ** this.groupMisses;
    }
    grp.alive = false;
    grp.pending = false;
  }

  /** A flow enters a local solve's set: if it is a share-group member, the group dissolves and all its members enter. */
  private takeIn(f: number): void {
    const grp = this.flowGroup[f];
    if (grp === undefined) return;
    this.dissolve(grp);
    for (let i = 0; i < grp.size; i++) this.local.add(grp.member(i), this.rate);
  }

  private pushDirtyFlow(f: number): void {
    if (this.dirtyFlowCount === this.dirtyFlows.length) this.dirtyFlows = grow(this.dirtyFlows, 2 * this.dirtyFlowCount);
    this.dirtyFlows[this.dirtyFlowCount++] = f;
  }

  // ---- membership -------------------------------------------------------------------------------------

  /** The flow's latency has passed: it joins the links of its path and competes for bandwidth. */
  private join(f: number): void {
    this.state[f] = SHARING;
    this.settled[f] = this.sim.now;
    this.graph.attach(f);
    if (this.arrivalCount === this.arrivals.length) this.arrivals = grow(this.arrivals, 2 * this.arrivalCount);
    this.arrivals[this.arrivalCount++] = f;
    this.requestSolve();
  }

  /** Removes a sharing flow from its links and from the finish heap. */
  private leave(f: number): void {
    const level = flowLevel(f, this.rate, this.graph.flowPenalty);
    if (level < this.floor) this.floor = level;
    this.graph.detach(f);
    const path = this.graph.flowPath[f];
    for (let i = this.graph.flowPathLength[f] - 1; i >= 0; i--) this.markLinkDirty(path[i]);
    this.finishHeap.remove(f);
  }

  /**
   * A lower bound on the rate arrival f will get: max-min gives each link at least capacity ÷ flows on it
   * before it fills (flows frozen earlier take less than the level), and f stops at its cap or its first
   * link to fill.
   */
  private leastRate(f: number): number {
    const g = this.graph;
    const path = g.flowPath[f];
    let share = Infinity;
    for (let i = g.flowPathLength[f] - 1; i >= 0; i--) {
      const l = path[i];
      const s = g.linkCapacity[l] / g.linkFlowCount[l];
      if (s < share) share = s;
    }
    const pen = g.flowPenalty;
    if (pen === undefined) return Math.min(g.flowCap[f], share);
    // Weighted, the floor is a level (rate × penalty): f freezes at cap × p_f or where one of its links
    // fills, at a level of at least C / Σ 1/p over the link's flows ≥ C · minPenalty / n (every flow on it
    // runs at most level / its penalty).
    return Math.min(g.flowCap[f] * pen[f], share * this.minPenalty);
  }

  private markLinkDirty(l: number): void {
    if (this.linkDirty[l] === 0) {
      this.linkDirty[l] = 1;
      this.dirtyLinks[this.dirtyLinkCount++] = l;
    }
    this.requestSolve();
  }

  // ---- covered links (declareCovered) -----------------------------------------------------------------

  /**
   * The bound of covered link l fits in its capacity. Equality fits: covers that can at most fill l leave
   * the allocation without l's constraint within it, so it is the allocation with it too (a registry
   * instance's 10 Gbit/s NIC into a node's 10 Gbit/s NIC, or two into a rack of six such nodes at 3:1). The bound is a
   * running sum of capacities, exact for the integral bytes/s capacities come in; otherwise it is off by
   * an ulp, and so is the load a relaxed link may carry over its capacity.
   */
  private boundFits(l: number): boolean {
    return this.bound[l] <= this.capacity[l];
  }

  /** Recomputes l's bound after a capacity change; l shares again if it no longer fits. */
  private recheckBound(l: number): void {
    let sum = 0;
    const by = this.coverBy[l] as Int32Array;
    const pos = this.coverPos[l] as Int32Array;
    for (let j = 0; j < by.length; j++) if ((this.coverUse[by[j]] as Int32Array)[pos[j]] > 0) sum += this.capacity[by[j]];
    this.bound[l] = sum;
    if (this.sharingUsers[l] === 0 && !this.boundFits(l)) this.limitAgain(l);
  }

  /**
   * The sharing path of flow f (just allocated) along `path` (its links stamped `stamp`): `path` without
   * the covered links it crosses a cover of, while they are relaxed; f is counted as a shadow member of
   * those. A covered link f crosses no cover of limits again first (limitAgain).
   */
  private sharingPath(f: number, path: readonly number[], stamp: number): readonly number[] {
    // The covers f crosses of covered links on its path: counted in use, and the links marked covered.
    this.countCoverUse(path, path.length, undefined, 0, this.linkStamp, stamp, 1);
    let out: number[] | undefined;
    for (let i = 0; i < path.length; i++) {
      const l = path[i];
      if (this.coverBy[l] !== undefined) {
        const relaxed = this.sharingUsers[l] === 0;
        if (relaxed && this.coverStamp[l] === stamp && this.boundFits(l)) {
          if (out === undefined) {
            out = this.sharingScratch;
            out.length = 0;
            for (let k = 0; k < i; k++) out.push(path[k]);
          }
          this.addShadow(f, l);
          continue;
        }
        if (relaxed) this.limitAgain(l);
        this.sharingUsers[l]++;
      }
      if (out !== undefined) out.push(l);
    }
    return out ?? path;
  }

  /**
   * Covered link l limits again (a flow crossing none of its covers is starting): its shadow members join
   * its sharing at their current rates, which stay the max-min ones (l's load from them is within its
   * capacity); a share group among them is dissolved and re-solved, since the group did not count l.
   */
  private limitAgain(l: number): void {
    const now = this.sim.now;
    const list = this.shadow[l] as Int32Array;
    const n = this.shadowCount[l];
    let load = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const f = list[i];
      const grp = this.flowGroup[f];
      if (grp !== undefined) {
        this.dissolve(grp);
        this.requestSolve();
      }
      this.dropShadowEntry(f, (this.shadowPos[l] as Int32Array)[i]);
      const sharing = this.state[f] === SHARING;
      this.graph.appendLink(f, l, sharing);
      this.sharingUsers[l]++;
      if (sharing) {
        load += this.rate[f];
        bytes += this.size[f] - this.flowRemaining(f);
      }
    }
    this.shadowCount[l] = 0;
    // What the sharing carried up to now (flows that left at this instant may still be in the load: the
    // solve due recomputes it), then what the shadow members sent so far.
    this.carried[l] += this.load[l] * (now - this.settledAt[l]) + bytes;
    this.settledAt[l] = now;
    this.load[l] += load;
    if (this.load[l] > this.peak[l]) this.peak[l] = this.load[l];
  }

  /**
   * Flow f ends (`bytes` delivered): it leaves the shadow lists, its covers' use of covered links ends,
   * and it stops using the covered links in its sharing path (those nobody shares any more relax).
   */
  private forgetCovered(f: number, bytes: number): void {
    const g = this.graph;
    const path = g.flowPath[f];
    const len = g.flowPathLength[f];
    // f's covered links (in its sharing path or left out of it), marked to find the covers' pairs.
    const mark = this.nextPathStamp();
    for (let i = 0; i < len; i++) this.coverStamp[path[i]] = mark;
    const links = this.flowShadow[f] as Int32Array;
    const shadows = this.flowShadowCount[f];
    for (let j = 0; j < shadows; j++) this.coverStamp[links[j]] = mark;
    this.countCoverUse(path, len, links, shadows, this.coverStamp, mark, -1);
    for (let j = 0; j < shadows; j++) {
      this.shadowBytes[links[j]] += bytes;
      this.dropShadowMember(links[j], (this.flowShadowSlot[f] as Int32Array)[j]);
    }
    this.flowShadowCount[f] = 0;
    for (let i = len - 1; i >= 0; i--) {
      const l = path[i];
      if (this.coverBy[l] !== undefined) this.sharingUsers[l]--;
    }
  }

  /**
   * Adds `delta` (+1 as a flow starts, −1 as it ends) to the use of every pair (a cover d, a link l it
   * covers) of the flow's: d on `path`, l on `path` or among `shadows[0, nShadows)` (the covered links
   * left out of its sharing path), both marked by `onPath` with `stamp`. A pair's first use adds the
   * cover's capacity to the link's bound, its last takes it off; starting flows also mark the links they
   * cross a cover of.
   *
   * Performance: the pairs are found from whichever side is shorter. A P2P host's limit covers three
   * links (its NIC, rack and zone link) while a rack is covered by every limit in it; a registry
   * instance's disk covers every rack and zone link it serves while each of those has a cover per
   * instance. So the walk goes over the flow's covers' lists, or over its covered links' covers.
   */
  private countCoverUse(path: ArrayLike<number>, len: number, shadows: Int32Array | undefined, nShadows: number, onPath: Int32Array, stamp: number, delta: 1 | -1): void {
    let byCover = 0;
    let byLink = 0;
    for (let i = 0; i < len; i++) {
      const c = this.covers[path[i]];
      if (c !== undefined) byCover += c.length;
      const by = this.coverBy[path[i]];
      if (by !== undefined) byLink += by.length;
    }
    if (byCover === 0) return;
    for (let i = 0; i < nShadows; i++) byLink += (this.coverBy[(shadows as Int32Array)[i]] as Int32Array).length;
    if (byCover <= byLink) {
      for (let i = 0; i < len; i++) {
        const d = path[i];
        const c = this.covers[d];
        if (c === undefined) continue;
        for (let k = 0; k < c.length; k++) if (onPath[c[k]] === stamp) this.useCover(d, k, c[k], stamp, delta);
      }
      return;
    }
    for (let i = 0; i < len + nShadows; i++) {
      const l = i < len ? path[i] : (shadows as Int32Array)[i - len];
      const by = this.coverBy[l];
      if (by === undefined || onPath[l] !== stamp) continue;
      const pos = this.coverPos[l] as Int32Array;
      for (let j = 0; j < by.length; j++) if (onPath[by[j]] === stamp) this.useCover(by[j], pos[j], l, stamp, delta);
    }
  }

  /** One use more or less of the pair (cover d, the link l at index k of its list); see countCoverUse. */
  private useCover(d: number, k: number, l: number, stamp: number, delta: 1 | -1): void {
    const use = this.coverUse[d] as Int32Array;
    if (delta > 0) {
      this.coverStamp[l] = stamp;
      if (use[k]++ === 0) {
        this.bound[l] += this.capacity[d];
        this.boundCount[l]++;
      }
    } else if (--use[k] === 0) {
      // The last pair of a link's busy spell leaves its bound at exactly 0 (no rounding residue).
      this.bound[l] = --this.boundCount[l] === 0 ? 0 : this.bound[l] - this.capacity[d];
    }
  }

  /** Makes f a shadow member of l: an entry in l's list and one in f's, each knowing the other's slot. */
  private addShadow(f: number, l: number): void {
    const k = this.shadowCount[l]++;
    roomFor(this.shadow, this.shadowPos, l, k, 8);
    const j = this.flowShadowCount[f]++;
    roomFor(this.flowShadow, this.flowShadowSlot, f, j, 4);
    (this.shadow[l] as Int32Array)[k] = f;
    (this.shadowPos[l] as Int32Array)[k] = j;
    (this.flowShadow[f] as Int32Array)[j] = l;
    (this.flowShadowSlot[f] as Int32Array)[j] = k;
  }

  /** Removes entry k of link l's shadow list (the last entry takes its place). */
  private dropShadowMember(l: number, k: number): void {
    dropPaired(this.shadow[l] as Int32Array, this.shadowPos[l] as Int32Array, k, --this.shadowCount[l], this.flowShadowSlot);
  }

  /** Removes entry j of flow f's shadow links (the last entry takes its place). */
  private dropShadowEntry(f: number, j: number): void {
    dropPaired(this.flowShadow[f] as Int32Array, this.flowShadowSlot[f] as Int32Array, j, --this.flowShadowCount[f], this.shadowPos);
  }

  // ---- ids and storage --------------------------------------------------------------------------------

  private nextPathStamp(): number {
    this.pathStamp = (this.pathStamp + 1) | 0;
    if (this.pathStamp <= 0) {
      // Wrapped after 2^31 flows: forget every stamp rather than mistake an old one for this path's.
      this.linkStamp.fill(0);
      this.coverStamp.fill(0);
      this.pathStamp = 1;
    }
    return this.pathStamp;
  }

  private allocFlow(): number {
    if (this.freeCount > 0) return this.freeIds[--this.freeCount];
    const f = this.flowIdsUsed++;
    if (f === this.state.length) this.growFlows(2 * f);
    this.graph.addFlowId(f);
    this.onDone.push(undefined);
    this.flowGroup.push(undefined);
    this.flowShadow.push(undefined);
    this.flowShadowSlot.push(undefined);
    return f;
  }

  private release(f: number): void {
    this.state[f] = FREE;
    this.rate[f] = 0;
    this.onDone[f] = undefined;
    this.freeIds[this.freeCount++] = f;
  }

  private flowState(id: number): number {
    const s = Number.isInteger(id) && id >= 0 && id < this.flowIdsUsed ? this.state[id] : FREE;
    if (s === FREE) throw new RangeError(`unknown flow ${id}: never started, or completed or aborted earlier`);
    return s;
  }

  private checkLink(id: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id < this.links)) throw new RangeError(`unknown link ${id}`);
  }

  private growFlows(n: number): void {
    this.freeIds = grow(this.freeIds, n);
    this.state = grow(this.state, n);
    this.size = grow(this.size, n);
    this.remaining = grow(this.remaining, n);
    this.settled = grow(this.settled, n);
    this.rate = grow(this.rate, n);
    this.arrival = grow(this.arrival, n);
    this.finished = grow(this.finished, n);
    this.vfinish = grow(this.vfinish, n);
    this.bottleneck = grow(this.bottleneck, n);
    this.flowShadowCount = grow(this.flowShadowCount, n);
    this.finishHeap.ensureCapacity(n);
  }

  private growLinks(n: number): void {
    this.capacity = grow(this.capacity, n);
    this.latency = grow(this.latency, n);
    this.load = grow(this.load, n);
    this.carried = grow(this.carried, n);
    this.settledAt = grow(this.settledAt, n);
    this.peak = grow(this.peak, n);
    this.delivered = grow(this.delivered, n);
    this.linkDirty = grow(this.linkDirty, n);
    this.linkStamp = grow(this.linkStamp, n);
    this.groupCount = grow(this.groupCount, n);
    this.groupWeight = grow(this.groupWeight, n);
    this.groupVAt = grow(this.groupVAt, n);
    this.groupSlot = grow(this.groupSlot, n);
    this.groupEpoch = grow(this.groupEpoch, n);
    this.dirtyLinks = grow(this.dirtyLinks, n);
    this.sharingUsers = grow(this.sharingUsers, n);
    this.coverStamp = grow(this.coverStamp, n);
    this.shadowCount = grow(this.shadowCount, n);
    this.shadowBytes = grow(this.shadowBytes, n);
    this.bound = grow(this.bound, n);
    this.boundCount = grow(this.boundCount, n);
  }
}

/** Makes room for entry n of owner o's parallel lists a[o] and b[o] (made with `initial` entries). */
function roomFor(a: (Int32Array | undefined)[], b: (Int32Array | undefined)[], o: number, n: number, initial: number): void {
  const x = a[o];
  if (x === undefined) {
    a[o] = new Int32Array(initial);
    b[o] = new Int32Array(initial);
  } else if (n === x.length) {
    a[o] = grow(x, 2 * n);
    b[o] = grow(b[o] as Int32Array, 2 * n);
  }
}

/**
 * Swap-removal from one side of a two-way index (a link's shadow flows and a flow's shadow links): entry
 * k of `items` (with its slot in the other side, `mates`) gives way to the last, entry `last`, whose
 * back-reference in the other side (`mateSlots[item][mate]`) then points at k.
 */
function dropPaired(items: Int32Array, mates: Int32Array, k: number, last: number, mateSlots: (Int32Array | undefined)[]): void {
  if (k === last) return;
  const item = items[last];
  const mate = mates[last];
  items[k] = item;
  mates[k] = mate;
  (mateSlots[item] as Int32Array)[mate] = k;
}

function checkCapacity(name: string, bps: number): void {
  if (!finiteNonNegative(bps)) throw new RangeError(`link ${name}: capacity must be finite and >= 0 B/s, got ${bps}`);
}

/**
 * The network's argument checks (latencies, capacities, and startFlow's size, cap and start delay).
 * Performance: one pair of functions, so their compares learn that a number may be a double (a link's
 * capacity, a cap of Infinity, a start delay of a few ms) before the first flow. A compare of startFlow's
 * size alone learnt "small integer" from the first sizes, and the first size held as a double (a request
 * object whose byte field is a double) discarded the compiled startFlow.
 */
function nonNegative(x: number): boolean {
  return x >= 0;
}

function finiteNonNegative(x: number): boolean {
  return nonNegative(x) && x < Infinity;
}
