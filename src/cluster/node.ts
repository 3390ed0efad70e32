/**
 * A node's side of image pulls, as kubelet + containerd run them (FACTS.md §3a): kubelet's pull queue
 * (one image at a time by default: serializeImagePulls), the node's content store and mounted lazy layers,
 * layers being fetched by one pull that later pulls wait for instead of fetching twice, kubelet's back-off
 * for failed pulls, the image filesystem with its GC (cluster/disk.ts), and leaving or joining the cluster.
 * Each pull itself — the requests it makes and when its image is ready — is a Pull (cluster/pull.ts).
 */
import type { DistributionRuntime } from '../distribution/types.ts';
import type { ImageVersion, LayerStore, LazyPulling } from '../workload/images.ts';
import type { World } from './world.ts';
import { backoffDelay } from './backoff.ts';
import type { Signing } from '../workload/signing.ts';
import { ImageDisk } from './disk.ts';
import { Pull, UnpackTimers } from './pull.ts';
import { LayerSet } from './layer-set.ts';
import { objectArray } from '../stable-arrays.ts';

export interface ImagesMetadata {
  manifestBytes: number;
  configBytes: number;
  /** Bytes of the multi-arch image index; 0 for a single-platform image (no index request). */
  indexBytes: number;
  /** Lazy pulling, or absent/null for containerd's default pull-and-unpack. */
  lazy?: LazyPulling | null;
  /** Signatures fetched and verified per image version (absent/null: none). */
  signing?: Signing | null;
  /** immutable: each version has its own tag; latest: every version is pushed as `:latest`. */
  tags?: 'immutable' | 'latest';
  pullPolicy?: 'IfNotPresent' | 'Always';
}

export interface PullJob {
  release: number;
  version: ImageVersion;
  /** Attempts already made (0 for the first); kubelet's back-off retries a failed pull as a new job. */
  attempt?: number;
  /**
   * imagePullPolicy Always at a container start whose image the node holds: kubelet's pull resolves the
   * tag (auth + HEAD) and finds the digest it has; nothing else moves.
   */
  check?: boolean;
  /** Hears the job's final outcome, after any retries (a crash-looping container waits for it). */
  then?: (ok: boolean) => void;
}

/** Release index of pulls that belong to no rollout: a joining node's first pulls, crash-loop and eviction re-pulls. */
export const NO_RELEASE = -1;

export class NodeRuntime {
  /** Layers in the node's content store: complete. */
  readonly cache = new LayerSet();
  /** Layers a lazy snapshotter has mounted whose bytes are still streaming in (not in `cache` yet). */
  readonly mounted = new Set<number>();
  private readonly queue = objectArray<PullJob>();
  private queueHead = 0;
  private active = 0;
  /** Images of each release still to be ready on this node. */
  private readonly pendingByRelease = new Map<number, number>();
  /** The version of each image this node runs (image → version): what a `:latest` tag resolves to locally. */
  readonly running = new Map<number, ImageVersion>();
  /** Until when the node's bearer token may be reused (token reuse per lifetime). */
  tokenUntil = -Infinity;
  /**
   * Layers being fetched (or mounted) by a pull on this node, and the pulls waiting for each (undefined:
   * none yet), in [0, inflightCount): later pulls wait for them instead of fetching twice. Performance:
   * parallel arrays searched linearly, since a node fetches a few layers at a time (a Map paid a hash
   * probe, and a table rebuilt now and then, per claim and per landing); they never shrink, so claiming
   * allocates nothing once they have room.
   */
  private inflightCount = 0;
  private readonly inflightLayers: number[] = [];
  private readonly inflightWaiters = objectArray<LayerWaiter[] | undefined>();
  /** False before a spare node slot joins and after the node has left (faults/churn.ts); a left node never returns. */
  present = true;
  /** Releases with a failed pull on this node (it will not be ready for them), until their last job ends. */
  private readonly failedReleases = new Set<number>();
  /**
   * Every job not finished yet — queued, pulling or waiting out a back-off — in the order they came, so
   * that leaving accounts for each. Performance: an array (a node has about one release's jobs open),
   * not a Set that hashed every job in and out.
   */
  private readonly open = objectArray<PullJob>();
  /** The image filesystem with kubelet's GC, or null when it is unlimited (cluster.disk unset). */
  readonly disk: ImageDisk | null;
  /** The simulation's unpack steps (shared by every node). */
  readonly unpacks: UnpackTimers;

  constructor(
    readonly id: number,
    private readonly world: World,
    private readonly dist: DistributionRuntime,
    private readonly layers: LayerStore,
    private readonly imagesCfg: ImagesMetadata,
  ) {
    this.disk = world.cluster.disk ? new ImageDisk(world.cluster.disk) : null;
    this.unpacks = UnpackTimers.of(world.sim);
  }

  /** The node starts with `v` in its content store and running (cluster.cache: warm). */
  warmStart(v: ImageVersion): void {
    for (const l of v.layers) {
      this.cache.add(l);
      this.disk?.add(l, this.layers.size[l]);
    }
    this.running.set(v.image, v);
  }

  /** A rollout (or churn, a crash-loop) asks this node to run `jobs` (all of one release). */
  enqueue(jobs: readonly PullJob[]): void {
    if (jobs.length === 0) return;
    const r = jobs[0].release;
    this.pendingByRelease.set(r, (this.pendingByRelease.get(r) ?? 0) + jobs.length);
    for (const j of jobs) {
      if (!this.open.includes(j)) this.open.push(j);
      this.queue.push(j);
    }
    if (!this.present) return this.leave(true);
    this.pump();
  }

  /**
   * The node leaves the cluster now (scale-in, a failed host): every job it has not finished is counted
   * failed with reason `node-left`, and the releases it had not become ready for stop waiting for it.
   * Its pulls in flight are abandoned (their callbacks see `present` false and stop).
   */
  leave(already = false): void {
    if (!this.present && !already) return;
    this.present = false;
    const w = this.world;
    const jobs = this.open.splice(0);
    this.queue.length = 0;
    this.queueHead = 0;
    this.active = 0;
    for (const job of jobs) {
      w.events.pullDone(this.id, job.release, false, w.sim.now, 'node-left');
      job.then?.(false);
    }
    for (const r of this.pendingByRelease.keys()) if (r >= 0 && !this.failedReleases.has(r)) w.events.targetDropped(r);
    this.pendingByRelease.clear();
    this.failedReleases.clear();
    this.inflightCount = 0;
    this.inflightWaiters.fill(undefined);
  }

  /** A spare node slot joins as a fresh host with an empty cache and pulls `jobs` (the images it is to run). */
  join(jobs: readonly PullJob[]): void {
    this.present = true;
    this.enqueue(jobs);
  }

  /**
   * The node's copy of `image` is gone (an ephemeral host, a crash that took the image store with it):
   * its layers that nothing else running or pulling on the node uses are dropped.
   */
  dropImage(image: number): void {
    const v = this.running.get(image);
    if (!v) return;
    this.running.delete(image);
    const pinned = this.pinnedLayers();
    for (const l of v.layers) if (!pinned.has(l)) this.evictLayer(l);
  }

  /** Layers a running image or an unfinished job of this node needs, plus those being fetched. */
  private pinnedLayers(): Set<number> {
    const pinned = new Set<number>(this.inflightLayers.slice(0, this.inflightCount));
    for (const v of this.running.values()) for (const l of v.layers) pinned.add(l);
    for (const j of this.open) for (const l of j.version.layers) pinned.add(l);
    return pinned;
  }

  private evictLayer(layer: number): void {
    this.cache.delete(layer);
    this.disk?.remove(layer);
  }

  /**
   * Makes room for `bytes` (cluster/disk.ts): image GC of unused layers, then evicting pods whose images
   * are not needed by a pull in progress (least recently started first), each recreated at once and so
   * pulled again. Returns false if the layer does not fit even so.
   */
  private makeRoom(bytes: number): boolean {
    const disk = this.disk!;
    if (!disk.wouldExceedHigh(bytes)) return true;
    for (const l of disk.victims(this.pinnedLayers(), bytes)) this.evictLayer(l);
    const wanted = new Set<number>(this.inflightLayers.slice(0, this.inflightCount));
    for (const j of this.open) for (const l of j.version.layers) wanted.add(l);
    for (const [image, v] of [...this.running]) {
      if (!disk.wouldExceedHigh(bytes)) break;
      if (v.layers.some((l) => wanted.has(l))) continue;
      this.running.delete(image);
      const pinned = this.pinnedLayers();
      for (const l of v.layers) if (!pinned.has(l)) this.evictLayer(l);
      // The evicted pod comes back and pulls its image again (a DaemonSet-like workload).
      if (this.world.sim.now < (disk.cfg.repullUntilS ?? Infinity))
        this.world.sim.call(0, () => {
          if (this.present) this.enqueue([{ release: NO_RELEASE, version: v }]);
        });
    }
    return disk.fits(bytes);
  }

  private pump(): void {
    const limit = this.world.cluster.serializeImagePulls ? 1 : Infinity;
    while (this.active < limit && this.queueHead < this.queue.length) {
      const job = this.queue[this.queueHead++];
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      this.active++;
      new Pull(this, job, this.world, this.dist, this.layers, this.imagesCfg).start();
    }
  }

  /** Called by a Pull when it ends: its image is ready (or failed) and kubelet's pull slot is free. */
  pullEnded(job: PullJob, ok: boolean, reason?: string, final = false): void {
    if (!this.present) return;
    this.active--;
    this.imageDone(job, ok, reason, final);
    this.pump();
  }

  /** A lazy pull has mounted its image: kubelet's pull is over, the container's start reads are not. */
  slotFreed(): void {
    if (!this.present) return;
    this.active--;
    this.pump();
  }

  /**
   * The image of `job` is ready (its container can run), or its pull failed. A failed pull is retried
   * after kubelet's back-off while attempts are left (it goes to the back of the pull queue, as kubelet's
   * next pod sync asks again); the last failure is counted with its reason. Nothing is dropped.
   */
  imageDone(job: PullJob, ok: boolean, reason?: string, final = false): void {
    if (!this.present) return;
    const k = this.open.indexOf(job);
    if (k < 0) return;
    const w = this.world;
    const retry = w.cluster.pullRetry;
    const attempt = job.attempt ?? 0;
    // Removed in place, keeping the order (splice would allocate the array of removed jobs).
    for (let i = k + 1; i < this.open.length; i++) this.open[i - 1] = this.open[i];
    this.open.pop();
    if (ok) {
      // With a disk, re-inserted, so `running` stays in least-recently-started order (disk-pressure
      // eviction, the only reader of that order). Performance: without one, updated in place.
      if (this.disk) this.running.delete(job.version.image);
      this.running.set(job.version.image, job.version);
      if (this.disk) for (const l of job.version.layers) this.disk.touch(l);
    }
    if (!ok && !final && retry && attempt + 1 < retry.attempts) {
      w.events.pullRetried(this.id, job.release, reason ?? 'unknown');
      const again: PullJob = { ...job, attempt: attempt + 1 };
      this.open.push(again);
      w.sim.call(backoffDelay(retry, attempt, w.rng.stream('kubelet:pull-backoff')), () => {
        if (!this.present || !this.open.includes(again)) return;
        this.queue.push(again);
        this.pump();
      });
      return;
    }
    w.events.pullDone(this.id, job.release, ok, w.sim.now, reason);
    // A node with a failed pull will not be ready for the release: the rollout stops waiting for it.
    if (!ok && job.release >= 0 && !this.failedReleases.has(job.release)) {
      this.failedReleases.add(job.release);
      w.events.targetDropped(job.release);
    }
    const left = (this.pendingByRelease.get(job.release) ?? 0) - 1;
    if (left === 0) {
      this.pendingByRelease.delete(job.release);
      if (job.release >= 0 && !this.failedReleases.delete(job.release)) w.events.nodeReady(this.id, job.release, w.sim.now);
    } else {
      this.pendingByRelease.set(job.release, left);
    }
    job.then?.(ok);
  }

  /**
   * Claims `layer` for the calling pull to fetch (or mount); false if another pull on this node is
   * fetching it already (then waitForLayer).
   */
  claimLayer(layer: number): boolean {
    if (this.inflightIndex(layer) >= 0) return false;
    // No waiters yet: the list is made by the first waitForLayer (most claims never get one).
    this.addInflight(layer);
    return true;
  }

  /**
   * For a layer another pull has claimed: `then(true)` runs when that fetch lands (or mounts),
   * `then(false, reason)` when its pull failed and gave the layer up (see abandonLayer).
   */
  waitForLayer(layer: number, then: LayerWaiter): void {
    let k = this.inflightIndex(layer);
    if (k < 0) k = this.addInflight(layer);
    const waiters = this.inflightWaiters[k];
    if (waiters === undefined) this.inflightWaiters[k] = [then];
    else waiters.push(then);
  }

  /** A fetched layer is written to the content store; false if the disk has no room for it (cluster/disk.ts). */
  layerLanded(layer: number): boolean {
    if (this.disk) {
      const bytes = this.layers.size[layer];
      if (!this.disk.has(layer) && !this.makeRoom(bytes)) return false;
      this.disk.add(layer, bytes);
    }
    this.cache.add(layer);
    this.release(layer);
    return true;
  }

  /** A lazy snapshotter mounted `layer`: pulls waiting for it can go on; its bytes are still coming. */
  layerMounted(layer: number): void {
    this.mounted.add(layer);
    this.release(layer);
  }

  /** The background fetch of a mounted layer has the whole blob now. */
  layerCompleted(layer: number): void {
    if (!this.present) return;
    this.mounted.delete(layer);
    this.cache.add(layer);
    // A lazily fetched layer is accounted on disk, but GC is not run for it (its container is already up).
    this.disk?.add(layer, this.layers.size[layer]);
  }

  /** The pull that claimed `layer` failed before it landed: the waiting pulls must fetch it themselves. */
  abandonLayer(layer: number, reason: string): void {
    this.release(layer, false, reason);
  }

  private release(layer: number, ok = true, reason?: string): void {
    const k = this.inflightIndex(layer);
    if (k < 0) return;
    const waiters = this.inflightWaiters[k];
    // Swap-removal: nothing depends on the order of the layers in flight.
    const last = --this.inflightCount;
    this.inflightLayers[k] = this.inflightLayers[last];
    this.inflightWaiters[k] = this.inflightWaiters[last];
    this.inflightWaiters[last] = undefined;
    if (waiters) for (const w of waiters) w(ok, reason);
  }

  /** The slot of `layer` among the layers in flight, or -1. */
  private inflightIndex(layer: number): number {
    const layers = this.inflightLayers;
    for (let k = 0; k < this.inflightCount; k++) if (layers[k] === layer) return k;
    return -1;
  }

  /** Adds `layer` to the layers in flight (no waiters yet); returns its slot. */
  private addInflight(layer: number): number {
    const k = this.inflightCount++;
    if (k === this.inflightLayers.length) {
      this.inflightLayers.push(layer);
      this.inflightWaiters.push(undefined);
    } else {
      this.inflightLayers[k] = layer;
      this.inflightWaiters[k] = undefined;
    }
    return k;
  }
}

/** Hears how another pull's fetch of a layer ended. */
export type LayerWaiter = (ok: boolean, reason?: string) => void;
