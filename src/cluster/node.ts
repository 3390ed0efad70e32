/**
 * A node's image-pull pipeline, as kubelet + containerd run it (FACTS.md §3a): kubelet pulls one image
 * at a time by default (serializeImagePulls); a pull fetches the auth token (hosted registries), the
 * manifest and the config blob, then the missing layers with at most `maxConcurrentDownloads` in flight;
 * layers unpack one at a time in layer order as soon as each is downloaded (containerd's
 * max_concurrent_unpacks = 1). The image is ready when its last layer is unpacked.
 *
 * With lazy pulling (images.lazy: eStargz, Nydus, SOCI) a remote snapshotter mounts layers instead: after
 * the manifest and config it fetches the format's metadata (TOC, bootstrap, zTOC) and mounts; kubelet's
 * pull ends there, so the next image's pull can start. The container then reads its start fraction with
 * on-demand range GETs and is ready when they have landed; the rest of each layer streams in behind it
 * and the node's content store holds a layer only once it is complete. Layers a format does not index
 * (SOCI: < 10 MiB) are pulled and unpacked as usual before the mount, once the image's metadata (the SOCI
 * index, which says so) has been read.
 *
 * Assumptions of the lazy model: the start fraction of each layer is contiguous (eStargz's prioritised
 * files and Nydus's prefetch list lay it out so), read in chunk-sized range GETs, so scattered reads'
 * amplification is not modelled; a read costs its GET only (FUSE overhead and decompressing a chunk on
 * read are taken to be small next to a round trip); every range GET is a blob request to the strategy, so
 * a redirecting registry charges its 307 round trip each time (snapshotters cache the redirect: an
 * overestimate); a layer another pull on the node has mounted is taken to have its start data already.
 */
import type { DistributionRuntime, FetchRequest, PullSession, RequestKind } from '../distribution/types.ts';
import { metadataBytes, type ImageVersion, type LayerStore, type LazyPulling } from '../workload/images.ts';
import type { World } from './world.ts';
import { backoffDelay } from './backoff.ts';
import { signatureDigest, type Signing } from '../workload/signing.ts';
import { ImageDisk } from './disk.ts';

/** Response bodies of the metadata requests, bytes: a 401 challenge's JSON error, a bearer token (a JWT in JSON). */
const CHALLENGE_BYTES = 150;
const TOKEN_BYTES = 1500;

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
  readonly cache = new Set<number>();
  /** Layers a lazy snapshotter has mounted whose bytes are still streaming in (not in `cache` yet). */
  readonly mounted = new Set<number>();
  private readonly queue: PullJob[] = [];
  private queueHead = 0;
  private active = 0;
  /** Images of each release still to be ready on this node. */
  private readonly pendingByRelease = new Map<number, number>();
  /** The version of each image this node runs (image → version): what a `:latest` tag resolves to locally. */
  readonly running = new Map<number, ImageVersion>();
  /** Until when the node's bearer token may be reused (token reuse per lifetime). */
  tokenUntil = -Infinity;
  /** Layers being fetched (or mounted) by a pull on this node: later pulls wait for them instead of fetching twice. */
  private readonly inflight = new Map<number, LayerWaiter[]>();
  /** False before a spare node slot joins and after the node has left (faults/churn.ts); a left node never returns. */
  present = true;
  /** Releases with a failed pull on this node (it will not be ready for them), until their last job ends. */
  private readonly failedReleases = new Set<number>();
  /** Every job not finished yet — queued, pulling or waiting out a back-off — so that leaving accounts for each. */
  private readonly open = new Set<PullJob>();
  /** The image filesystem with kubelet's GC, or null when it is unlimited (cluster.disk unset). */
  readonly disk: ImageDisk | null;

  constructor(
    readonly id: number,
    private readonly world: World,
    private readonly dist: DistributionRuntime,
    private readonly layers: LayerStore,
    private readonly imagesCfg: ImagesMetadata,
  ) {
    this.disk = world.cluster.disk ? new ImageDisk(world.cluster.disk) : null;
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
      this.open.add(j);
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
    const jobs = [...this.open];
    this.open.clear();
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
    for (const l of [...this.inflight.keys()]) this.inflight.delete(l);
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
    const pinned = new Set<number>(this.inflight.keys());
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
    const wanted = new Set<number>(this.inflight.keys());
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
    if (!this.present || !this.open.has(job)) return;
    const w = this.world;
    const retry = w.cluster.pullRetry;
    const attempt = job.attempt ?? 0;
    this.open.delete(job);
    if (ok) {
      // Re-inserted, so `running` stays in least-recently-started order (disk-pressure eviction).
      this.running.delete(job.version.image);
      this.running.set(job.version.image, job.version);
      if (this.disk) for (const l of job.version.layers) this.disk.touch(l);
    }
    if (!ok && !final && retry && attempt + 1 < retry.attempts) {
      w.events.pullRetried(this.id, job.release, reason ?? 'unknown');
      const again: PullJob = { ...job, attempt: attempt + 1 };
      this.open.add(again);
      w.sim.call(backoffDelay(retry, attempt, w.rng.stream('kubelet:pull-backoff')), () => {
        if (!this.present || !this.open.has(again)) return;
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
   * Returns false if `layer` is being fetched by another pull; `then(true)` runs when that fetch lands
   * (or mounts), `then(false, reason)` when its pull failed and gave the layer up (see abandonLayer).
   */
  claimLayer(layer: number, then: LayerWaiter): boolean {
    const waiters = this.inflight.get(layer);
    if (waiters) {
      waiters.push(then);
      return false;
    }
    this.inflight.set(layer, []);
    return true;
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
    const waiters = this.inflight.get(layer);
    this.inflight.delete(layer);
    if (waiters) for (const w of waiters) w(ok, reason);
  }
}

/**
 * Lazy formats' own metadata blobs (eStargz TOC, SOCI zTOC, Nydus bootstrap, SOCI index) go out as
 * `config` requests with negative digests, a numbering of their own, so a cache keyed by kind + digest
 * never mistakes one for an image config: layer l's is −2l−2, image version v's is −2v−3.
 */
export const layerMetaDigest = (layer: number): number => -2 * layer - 2;
export const imageMetaDigest = (version: number): number => -2 * version - 3;

/** Hears how another pull's fetch of a layer ended. */
type LayerWaiter = (ok: boolean, reason?: string) => void;

/** One HTTP request of a pull, for `runPool`. */
interface Task {
  kind: RequestKind;
  bytes: number;
  digest: number;
  range?: FetchRequest['range'];
  then: () => void;
}

class Pull {
  private readonly session: PullSession = { hosts: 0, server: -1 };
  private missing: number[] = [];
  private nextToFetch = 0;
  private inFlight = 0;
  private downloaded: Uint8Array = new Uint8Array(0);
  private nextToUnpack = 0;
  private unpacking = false;
  private failed = false;
  /** Lazy pulls: mount prerequisites still outstanding, and whether kubelet's slot was handed back. */
  private mountWaits = 0;
  private slotFreed = false;
  private ready = false;
  /** Lazy pulls: layers this pull mounts itself (others' mounts are waited for, not read again). */
  private readonly lazyLayers: number[] = [];
  /** Layers this pull has claimed and not yet landed or mounted: given up if it fails, so nobody waits forever. */
  private readonly claims = new Set<number>();

  constructor(
    private readonly node: NodeRuntime,
    private readonly job: PullJob,
    private readonly world: World,
    private readonly dist: DistributionRuntime,
    private readonly layers: LayerStore,
    private readonly imagesCfg: ImagesMetadata,
  ) {}

  /**
   * containerd's sequence: HEAD the tag (a token-auth registry answers 401 with a challenge, the client
   * fetches a token and repeats the HEAD), GET the index (multi-arch), GET the manifest, GET the config.
   */
  start(): void {
    const v = this.job.version.id;
    const cfg = this.imagesCfg;
    const node = this.node;
    // `:latest` with IfNotPresent: kubelet finds an image under the tag and runs it — the old version.
    // The pull is counted failed (not retried: kubelet sees nothing wrong), so no stale node goes unseen.
    if (cfg.tags === 'latest' && cfg.pullPolicy === 'IfNotPresent' && node.running.has(this.job.version.image)) {
      this.world.sim.call(0, () => node.pullEnded(this.job, node.running.get(this.job.version.image) === this.job.version, 'stale-tag', true));
      return;
    }
    const dist = this.dist;
    const now = this.world.sim.now;
    if (dist.needsToken && !(now < node.tokenUntil)) {
      // With token reuse the node keeps the token for its lifetime, counted from when it asked for it.
      const ttl = dist.tokenTtlS ?? 0;
      const gotToken = (): void => {
        if (ttl > 0) node.tokenUntil = now + ttl;
        this.resolve();
      };
      this.request('challenge', CHALLENGE_BYTES, v, () => this.request('token', TOKEN_BYTES, v, gotToken));
    } else if (dist.basicAuth) this.request('challenge', CHALLENGE_BYTES, v, () => this.resolve());
    else this.resolve();
  }

  private resolve(): void {
    const v = this.job.version.id;
    const cfg = this.imagesCfg;
    if (this.job.check) return this.request('resolve', 0, v, () => this.node.pullEnded(this.job, true));
    const layers = (): void => (cfg.lazy ? this.mountLazily(cfg.lazy) : this.fetchLayers());
    const config = (): void => this.request('config', cfg.configBytes, v, layers);
    const manifest = (): void => this.request('manifest', cfg.manifestBytes, v, cfg.signing ? () => this.verify(cfg.signing!, config) : config);
    this.request('resolve', 0, v, () => (cfg.indexBytes > 0 ? this.request('index', cfg.indexBytes, v, manifest) : manifest()));
  }

  /** Fetches the version's signature object by object, verifies it (CPU time on the node), then `then`. */
  private verify(signing: Signing, then: () => void): void {
    const v = this.job.version.id;
    const step = (i: number): void => {
      if (i === signing.requests.length) {
        this.world.sim.call(signing.verifyS, () => (this.failed || !this.node.present ? undefined : then()));
        return;
      }
      const r = signing.requests[i];
      this.request(r.kind, r.bytes, signatureDigest(v, i), () => step(i + 1));
    };
    step(0);
  }

  private request(kind: RequestKind, bytes: number, digest: number, then: () => void, range?: FetchRequest['range']): void {
    const req: FetchRequest = { kind, node: this.node.id, bytes, digest, session: this.session };
    if (range) req.range = range;
    this.dist.fetch(req, (ok, reason) => {
      // A node that has left hears nothing more of its requests.
      if (!this.node.present) return;
      if (ok) then();
      else this.fail(reason ?? `${kind}-failed`);
    });
  }

  private fetchLayers(): void {
    const cache = this.node.cache;
    this.missing = this.job.version.layers.filter((l) => !cache.has(l));
    this.downloaded = new Uint8Array(this.missing.length);
    if (this.missing.length === 0) return this.finish();
    this.fillDownloads();
  }

  private fillDownloads(): void {
    const max = this.world.cluster.maxConcurrentDownloads;
    while (this.inFlight < max && this.nextToFetch < this.missing.length && !this.failed) {
      const i = this.nextToFetch++;
      const layer = this.missing[i];
      this.inFlight++;
      const landed = (): void => {
        this.inFlight--;
        this.downloaded[i] = 1;
        this.unpackNext();
        this.fillDownloads();
      };
      // Fetch it, or wait for the pull on this node that is fetching it; if that one gives up, try again.
      const fetchOrWait = (): void => {
        if (this.node.cache.has(layer)) return landed();
        if (this.failed) return;
        if (!this.node.claimLayer(layer, (ok) => (ok ? landed() : fetchOrWait()))) return;
        this.claims.add(layer);
        this.request('layer', this.layers.size[layer], layer, () => {
          if (!this.node.layerLanded(layer)) return this.fail('disk-full');
          this.claims.delete(layer);
          landed();
        });
      };
      fetchOrWait();
    }
  }

  private unpackNext(): void {
    if (this.unpacking || this.failed) return;
    if (this.nextToUnpack === this.missing.length) return this.finish();
    if (!this.downloaded[this.nextToUnpack]) return;
    const layer = this.missing[this.nextToUnpack++];
    this.unpacking = true;
    this.world.sim.call(this.layers.size[layer] / this.world.cluster.unpackBps, () => {
      if (!this.node.present) return;
      this.unpacking = false;
      this.unpackNext();
    });
  }

  /**
   * Lazy pulling up to the mount: the image's metadata blob first (Nydus bootstrap, SOCI index), then
   * each new indexed layer's metadata (eStargz TOC, SOCI zTOC) with at most maxConcurrentDownloads in
   * flight; meanwhile the layers the format leaves unindexed are pulled and unpacked as usual.
   */
  private mountLazily(lazy: LazyPulling): void {
    const node = this.node;
    const size = this.layers.size;
    const v = this.job.version;
    const eager: number[] = [];
    const metaTasks: Task[] = [];
    const bare: (() => void)[] = [];
    const waitFor: LayerWaiter = (ok, reason) => (ok ? this.mountStepDone() : this.fail(reason ?? 'layer-failed'));
    this.mountWaits = 1; // the eager part, counted down by finish()
    for (const l of v.layers) {
      if (node.cache.has(l) || node.mounted.has(l)) continue;
      if (size[l] < lazy.eagerBelowBytes) {
        eager.push(l);
        continue;
      }
      this.mountWaits++;
      if (!node.claimLayer(l, waitFor)) continue;
      this.claims.add(l);
      const mount = (): void => {
        this.claims.delete(l);
        this.lazyLayers.push(l);
        node.layerMounted(l);
        this.mountStepDone();
      };
      if (lazy.layerMeta) metaTasks.push({ kind: 'config', bytes: metadataBytes(lazy.layerMeta, size[l]), digest: layerMetaDigest(l), then: mount });
      else bare.push(mount);
    }
    this.missing = eager;
    this.downloaded = new Uint8Array(eager.length);
    const mountAll = (): void => {
      for (const m of bare) m();
      this.runPool(metaTasks, this.world.cluster.maxConcurrentDownloads, () => {});
      if (eager.length === 0) this.finish();
      else this.fillDownloads();
    };
    // The image's metadata (Nydus bootstrap, SOCI index) says which layers mount lazily, so it is read
    // before any new layer is prepared, the eagerly pulled ones included.
    if (lazy.imageMeta && metaTasks.length + bare.length + eager.length > 0) {
      let imageBytes = 0;
      for (const l of v.layers) imageBytes += size[l];
      this.request('config', metadataBytes(lazy.imageMeta, imageBytes), imageMetaDigest(v.id), mountAll);
    } else mountAll();
  }

  private mountStepDone(): void {
    const lazy = this.imagesCfg.lazy;
    if (!lazy || this.failed || --this.mountWaits > 0) return;
    // Mounted: kubelet's pull is over; the container starts and reads its start fraction on demand.
    this.slotFreed = true;
    this.node.slotFreed();
    const mountedAt = this.world.sim.now;
    const size = this.layers.size;
    const reads: Task[] = [];
    const rest: Task[] = [];
    const paced = lazy.backgroundPeriodS > 0;
    for (const l of this.lazyLayers) {
      const need = Math.min(size[l], Math.ceil(lazy.startFraction * size[l]));
      for (let off = 0; off < need; off += lazy.chunkBytes) {
        const range = { offset: off, blobBytes: size[l] };
        reads.push({ kind: 'layer', bytes: Math.min(lazy.chunkBytes, need - off), digest: l, range, then: () => {} });
      }
      const complete = (): void => this.node.layerCompleted(l);
      if (need === size[l]) {
        complete();
        continue;
      }
      // Paced: the rest in chunks, the layer complete with its last one; else the rest in one GET.
      const step = paced ? lazy.chunkBytes : size[l] - need;
      for (let off = need; off < size[l]; off += step) {
        const last = off + step >= size[l];
        const range = { offset: off, blobBytes: size[l] };
        rest.push({ kind: 'layer', bytes: Math.min(step, size[l] - off), digest: l, range, then: last ? complete : () => {} });
      }
    }
    const background = (): void => {
      const wait = Math.max(0, mountedAt + lazy.backgroundDelayS - this.world.sim.now);
      const go = (): void =>
        paced ? this.runPaced(rest, lazy.backgroundPeriodS) : this.runPool(rest, this.world.cluster.maxConcurrentDownloads, () => {});
      if (rest.length === 0) return;
      if (wait > 0) this.world.sim.call(wait, go);
      else go();
    };
    this.runPool(reads, lazy.parallelReads, () => {
      this.ready = true;
      this.node.imageDone(this.job, true);
      if (lazy.background === 'after-start') background();
    });
    // At the mount the background fetch shares every link with the start reads (max-min fair, no priority).
    if (lazy.background === 'at-mount') background();
  }

  /** Runs `tasks` one at a time, each started no sooner than `periodS` after the one before. */
  private runPaced(tasks: readonly Task[], periodS: number): void {
    let next = 0;
    let lastStart = -Infinity;
    const step = (): void => {
      if (this.failed || next === tasks.length) return;
      const wait = lastStart + periodS - this.world.sim.now;
      if (wait > 0) {
        this.world.sim.call(wait, step);
        return;
      }
      const t = tasks[next++];
      lastStart = this.world.sim.now;
      this.request(
        t.kind,
        t.bytes,
        t.digest,
        () => {
          t.then();
          step();
        },
        t.range,
      );
    };
    step();
  }

  /** Runs `tasks` in order with at most `limit` in flight; `done` after the last has landed. */
  private runPool(tasks: readonly Task[], limit: number, done: () => void): void {
    let next = 0;
    let inFlight = 0;
    const fill = (): void => {
      if (this.failed) return;
      if (next === tasks.length && inFlight === 0) return done();
      while (inFlight < limit && next < tasks.length) {
        const t = tasks[next++];
        inFlight++;
        this.request(
          t.kind,
          t.bytes,
          t.digest,
          () => {
            inFlight--;
            t.then();
            fill();
          },
          t.range,
        );
      }
    };
    fill();
  }

  private finish(): void {
    if (this.imagesCfg.lazy) this.mountStepDone();
    else this.node.pullEnded(this.job, true);
  }

  private fail(reason: string): void {
    if (this.failed || !this.node.present) return;
    this.failed = true;
    for (const l of this.claims) this.node.abandonLayer(l, reason);
    this.claims.clear();
    // A background fetch that fails after the container started leaves its layers mounted, never cached.
    if (this.ready) return;
    if (this.slotFreed) this.node.imageDone(this.job, false, reason);
    else this.node.pullEnded(this.job, false, reason);
  }
}
