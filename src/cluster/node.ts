/**
 * A node's image-pull pipeline, as kubelet + containerd run it (FACTS.md §3a): kubelet pulls one image
 * at a time by default (serializeImagePulls); a pull fetches the auth token (hosted registries), the
 * manifest and the config blob, then the missing layers with at most `maxConcurrentDownloads` in flight;
 * layers unpack one at a time in layer order as soon as each is downloaded (containerd's
 * max_concurrent_unpacks = 1). The image is ready when its last layer is unpacked.
 */
import type { DistributionRuntime, FetchRequest, PullSession, RequestKind } from '../distribution/types.ts';
import type { ImageVersion, LayerStore } from '../workload/images.ts';
import type { World } from './world.ts';

/** Response bodies of the metadata requests, bytes: a 401 challenge's JSON error, a bearer token (a JWT in JSON). */
const CHALLENGE_BYTES = 150;
const TOKEN_BYTES = 1500;

export interface ImagesMetadata {
  manifestBytes: number;
  configBytes: number;
  /** Bytes of the multi-arch image index; 0 for a single-platform image (no index request). */
  indexBytes: number;
}

export interface PullJob {
  release: number;
  version: ImageVersion;
}

export class NodeRuntime {
  /** Layers in the node's content store. */
  readonly cache = new Set<number>();
  private readonly queue: PullJob[] = [];
  private queueHead = 0;
  private active = 0;
  /** Images of each release still to be ready on this node. */
  private readonly pendingByRelease = new Map<number, number>();
  /** Layers being fetched by a pull on this node: later pulls wait for them instead of fetching twice. */
  private readonly inflight = new Map<number, (() => void)[]>();

  constructor(
    readonly id: number,
    private readonly world: World,
    private readonly dist: DistributionRuntime,
    private readonly layers: LayerStore,
    private readonly imagesCfg: ImagesMetadata,
  ) {}

  /** A rollout asks this node to run `jobs` (all of one release). */
  enqueue(jobs: readonly PullJob[]): void {
    if (jobs.length === 0) return;
    const r = jobs[0].release;
    this.pendingByRelease.set(r, (this.pendingByRelease.get(r) ?? 0) + jobs.length);
    for (const j of jobs) this.queue.push(j);
    this.pump();
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

  /** Called by a Pull when it ends. */
  pullEnded(job: PullJob, ok: boolean, reason?: string): void {
    this.active--;
    const w = this.world;
    w.events.pullDone(this.id, job.release, ok, w.sim.now, reason);
    const left = (this.pendingByRelease.get(job.release) ?? 0) - 1;
    if (left === 0) {
      this.pendingByRelease.delete(job.release);
      if (ok) w.events.nodeReady(this.id, job.release, w.sim.now);
    } else {
      this.pendingByRelease.set(job.release, left);
    }
    this.pump();
  }

  /** Returns false if `layer` is being fetched by another pull; `then` runs when that fetch lands. */
  claimLayer(layer: number, then: () => void): boolean {
    const waiters = this.inflight.get(layer);
    if (waiters) {
      waiters.push(then);
      return false;
    }
    this.inflight.set(layer, []);
    return true;
  }

  layerLanded(layer: number): void {
    this.cache.add(layer);
    const waiters = this.inflight.get(layer);
    this.inflight.delete(layer);
    if (waiters) for (const w of waiters) w();
  }
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
    if (this.dist.needsToken) {
      this.request('challenge', CHALLENGE_BYTES, v, () => this.request('token', TOKEN_BYTES, v, () => this.resolve()));
    } else this.resolve();
  }

  private resolve(): void {
    const v = this.job.version.id;
    const cfg = this.imagesCfg;
    const manifest = (): void =>
      this.request('manifest', cfg.manifestBytes, v, () => this.request('config', cfg.configBytes, v, () => this.fetchLayers()));
    this.request('resolve', 0, v, () => (cfg.indexBytes > 0 ? this.request('index', cfg.indexBytes, v, manifest) : manifest()));
  }

  private request(kind: RequestKind, bytes: number, digest: number, then: () => void): void {
    const req: FetchRequest = { kind, node: this.node.id, bytes, digest, session: this.session };
    this.dist.fetch(req, (ok) => {
      if (ok) then();
      else this.fail(`${kind}-failed`);
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
      if (this.node.cache.has(layer)) {
        landed();
        continue;
      }
      if (!this.node.claimLayer(layer, landed)) continue;
      this.request('layer', this.layers.size[layer], layer, () => {
        this.node.layerLanded(layer);
        landed();
      });
    }
  }

  private unpackNext(): void {
    if (this.unpacking || this.failed) return;
    if (this.nextToUnpack === this.missing.length) return this.finish();
    if (!this.downloaded[this.nextToUnpack]) return;
    const layer = this.missing[this.nextToUnpack++];
    this.unpacking = true;
    this.world.sim.call(this.layers.size[layer] / this.world.cluster.unpackBps, () => {
      this.unpacking = false;
      this.unpackNext();
    });
  }

  private finish(): void {
    this.node.pullEnded(this.job, true);
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.node.pullEnded(this.job, false, reason);
  }
}
