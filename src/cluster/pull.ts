/**
 * One image pull on a node, as containerd runs it (FACTS.md §3a); kubelet's pull queue, which starts
 * them one at a time by default, is the node's (cluster/node.ts). A pull fetches the auth token (hosted
 * registries), the manifest and the config blob, then the missing layers with at most
 * `maxConcurrentDownloads` in flight; layers unpack one at a time in layer order as soon as each is
 * downloaded (containerd's max_concurrent_unpacks = 1). The image is ready when its last layer is unpacked.
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
import type { DistributionRuntime, FetchDone, FetchRequest, PullSession, RequestKind } from '../distribution/types.ts';
import { metadataBytes, type LayerStore, type LazyPulling } from '../workload/images.ts';
import type { World } from './world.ts';
import type { Simulator } from '../kernel/index.ts';
import { signatureDigest, type Signing } from '../workload/signing.ts';
import type { ImagesMetadata, LayerWaiter, NodeRuntime, PullJob } from './node.ts';
import { doubleArray, objectArray } from '../stable-arrays.ts';

/** Response bodies of the metadata requests, bytes: a 401 challenge's JSON error, a bearer token (a JWT in JSON). */
const CHALLENGE_BYTES = 150;
const TOKEN_BYTES = 1500;

/**
 * Lazy formats' own metadata blobs (eStargz TOC, SOCI zTOC, Nydus bootstrap, SOCI index) go out as
 * `config` requests with negative digests, a numbering of their own, so a cache keyed by kind + digest
 * never mistakes one for an image config: layer l's is −2l−2, image version v's is −2v−3.
 */
export const layerMetaDigest = (layer: number): number => -2 * layer - 2;
export const imageMetaDigest = (version: number): number => -2 * version - 3;


/** One HTTP request of a pull, for `runPool`. */
interface Task {
  kind: RequestKind;
  bytes: number;
  digest: number;
  range?: FetchRequest['range'];
  then: () => void;
}

// What the pull does when the metadata request in flight has been answered (Pull.step).
const TOKEN_NEXT = 0; // the 401 challenge: ask the auth service for a token
const RESOLVE_AFTER_TOKEN = 1; // the token: HEAD the tag again
const RESOLVE_NEXT = 2; // Basic auth's challenge: HEAD the tag again
const RESOLVED = 3; // the tag's digest: the index (multi-arch) or the manifest
const MANIFEST_NEXT = 4; // the index: the manifest
const MANIFEST_DONE = 5; // the manifest: signatures or the config
const CONFIG_DONE = 6; // the config: the layers

/**
 * The unpack steps of every pull in one simulation. Performance: one registered kernel event type whose
 * argument is the pull's slot here, instead of a closure per unpacked layer (180 k in the seed scenario);
 * the event is at the same time and in the same order as a `sim.call` would be.
 */
export class UnpackTimers {
  private static readonly bySim = new WeakMap<Simulator, UnpackTimers>();
  private readonly type: number;
  private readonly pulls = objectArray<Pull | undefined>();
  /** Free slots. Doubles: a slot comes back as the kernel's event argument, which is read from a Float64Array. */
  private readonly free = doubleArray();

  private constructor(private readonly sim: Simulator) {
    this.type = sim.register((slot) => this.unpacked(slot));
  }

  /** The simulation's one table (made on first use). */
  static of(sim: Simulator): UnpackTimers {
    let t = UnpackTimers.bySim.get(sim);
    if (t === undefined) {
      t = new UnpackTimers(sim);
      UnpackTimers.bySim.set(sim, t);
    }
    return t;
  }

  /** `pull`'s current layer is unpacked after `seconds`; then its `unpacked()` runs. */
  start(pull: Pull, seconds: number): void {
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.pulls.length;
    this.pulls[slot] = pull;
    this.sim.schedule(seconds, this.type, slot);
  }

  private unpacked(slot: number): void {
    const pull = this.pulls[slot] as Pull;
    this.pulls[slot] = undefined;
    this.free.push(slot);
    pull.unpacked();
  }
}

export class Pull implements PullSession {
  // The pull's connection state (PullSession). Performance: the pull is its own session object.
  hosts = 0;
  server = -1;
  private missing: number[] = [];
  private nextToFetch = 0;
  private inFlight = 0;
  /** Per missing layer: 1 once downloaded. */
  private downloaded: number[] = [];
  private nextToUnpack = 0;
  private unpacking = false;
  private failed = false;
  /** Lazy pulls: mount prerequisites still outstanding, and whether kubelet's slot was handed back. */
  private mountWaits = 0;
  private slotFreed = false;
  private ready = false;
  /** Lazy pulls: layers this pull mounts itself (others' mounts are waited for, not read again). */
  private lazyLayers: number[] | undefined;
  /**
   * Layers this pull has claimed and not yet landed or mounted, in claim order (the oldest, -1 for none,
   * then the rest): given up if it fails, so nobody waits forever. Performance: a pull mostly holds one
   * claim at a time, which then needs no array.
   */
  private firstClaim = -1;
  private moreClaims: number[] | undefined;
  /** The metadata request in flight: its kind (for the failure reason) and what its answer leads to. */
  private metaKind: RequestKind = 'resolve';
  private step = RESOLVED;
  /** When the pull asked for its token (token reuse counts the token's lifetime from then). */
  private tokenAskedAt = 0;
  /**
   * Hears the metadata request in flight. Performance: the metadata requests of a pull go one at a time,
   * so one callback and a step number replace a closure per request (millions per run).
   */
  private readonly metaDone: FetchDone = (ok, reason) => this.metaAnswered(ok, reason);
  /**
   * The metadata request in flight. Performance: one object for all of them, since they go one at a
   * time and a strategy reads a request only until it calls back (FetchRequest).
   */
  private metaReq: FetchRequest | undefined;

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
      this.tokenAskedAt = now;
      this.ask('challenge', CHALLENGE_BYTES, TOKEN_NEXT);
    } else if (dist.basicAuth) this.ask('challenge', CHALLENGE_BYTES, RESOLVE_NEXT);
    else this.resolve();
  }

  private resolve(): void {
    this.ask('resolve', 0, RESOLVED);
  }

  /** Sends the next metadata request of the sequence; `step` says what its answer leads to. */
  private ask(kind: RequestKind, bytes: number, step: number): void {
    this.metaKind = kind;
    this.step = step;
    let req = this.metaReq;
    if (req === undefined) req = this.metaReq = { kind, node: this.node.id, bytes, digest: this.job.version.id, session: this };
    else {
      req.kind = kind;
      req.bytes = bytes;
    }
    this.dist.fetch(req, this.metaDone);
  }

  private metaAnswered(ok: boolean, reason: string | undefined): void {
    // A node that has left hears nothing more of its requests.
    if (!this.node.present) return;
    if (!ok) return this.fail(reason ?? `${this.metaKind}-failed`);
    const cfg = this.imagesCfg;
    switch (this.step) {
      case TOKEN_NEXT:
        return this.ask('token', TOKEN_BYTES, RESOLVE_AFTER_TOKEN);
      case RESOLVE_AFTER_TOKEN: {
        // With token reuse the node keeps the token for its lifetime, counted from when it asked for it.
        const ttl = this.dist.tokenTtlS ?? 0;
        if (ttl > 0) this.node.tokenUntil = this.tokenAskedAt + ttl;
        return this.resolve();
      }
      case RESOLVE_NEXT:
        return this.resolve();
      case RESOLVED:
        if (this.job.check) return this.node.pullEnded(this.job, true);
        if (cfg.indexBytes > 0) return this.ask('index', cfg.indexBytes, MANIFEST_NEXT);
        return this.ask('manifest', cfg.manifestBytes, MANIFEST_DONE);
      case MANIFEST_NEXT:
        return this.ask('manifest', cfg.manifestBytes, MANIFEST_DONE);
      case MANIFEST_DONE:
        if (cfg.signing) return this.verify(cfg.signing, () => this.ask('config', cfg.configBytes, CONFIG_DONE));
        return this.ask('config', cfg.configBytes, CONFIG_DONE);
      case CONFIG_DONE:
        return cfg.lazy ? this.mountLazily(cfg.lazy) : this.fetchLayers();
    }
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
    const req: FetchRequest = { kind, node: this.node.id, bytes, digest, session: this };
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
    const layers = this.job.version.layers;
    // Performance: counted first, so both arrays are allocated at their size (a pull misses few layers).
    let n = 0;
    for (let i = 0; i < layers.length; i++) if (!cache.has(layers[i])) n++;
    if (n === 0) return this.finish();
    const missing = new Array<number>(n);
    n = 0;
    for (let i = 0; i < layers.length; i++) if (!cache.has(layers[i])) missing[n++] = layers[i];
    this.missing = missing;
    this.downloaded = zeros(n);
    this.fillDownloads();
  }

  private fillDownloads(): void {
    const max = this.world.cluster.maxConcurrentDownloads;
    while (this.inFlight < max && this.nextToFetch < this.missing.length && !this.failed) {
      this.inFlight++;
      this.fetchOrWait(this.nextToFetch++);
    }
  }

  /** Fetches missing layer i, or waits for the pull on this node that is fetching it; if that one gives up, tries again. */
  private fetchOrWait(i: number): void {
    const layer = this.missing[i];
    const node = this.node;
    if (node.cache.has(layer)) return this.landed(i);
    if (this.failed) return;
    if (!node.claimLayer(layer)) return node.waitForLayer(layer, (ok) => (ok ? this.landed(i) : this.fetchOrWait(i)));
    this.claim(layer);
    const req: FetchRequest = { kind: 'layer', node: node.id, bytes: this.layers.size[layer], digest: layer, session: this };
    this.dist.fetch(req, (ok, reason) => {
      if (!node.present) return;
      if (!ok) return this.fail(reason ?? 'layer-failed');
      if (!node.layerLanded(layer)) return this.fail('disk-full');
      this.unclaim(layer);
      this.landed(i);
    });
  }

  private landed(i: number): void {
    this.inFlight--;
    this.downloaded[i] = 1;
    this.unpackNext();
    this.fillDownloads();
  }

  private claim(layer: number): void {
    if (this.firstClaim < 0) this.firstClaim = layer;
    else (this.moreClaims ??= []).push(layer);
  }

  private unclaim(layer: number): void {
    const more = this.moreClaims;
    if (layer === this.firstClaim) {
      this.firstClaim = more !== undefined && more.length > 0 ? (more.shift() as number) : -1;
      return;
    }
    if (more === undefined) return;
    const k = more.indexOf(layer);
    if (k >= 0) more.splice(k, 1);
  }

  private unpackNext(): void {
    if (this.unpacking || this.failed) return;
    if (this.nextToUnpack === this.missing.length) return this.finish();
    if (!this.downloaded[this.nextToUnpack]) return;
    const layer = this.missing[this.nextToUnpack++];
    this.unpacking = true;
    this.node.unpacks.start(this, this.layers.size[layer] / this.world.cluster.unpackBps);
  }

  /** The layer being unpacked is on disk (UnpackTimers): the next one, or the end of the pull. */
  unpacked(): void {
    if (!this.node.present) return;
    this.unpacking = false;
    this.unpackNext();
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
      if (!node.claimLayer(l)) {
        node.waitForLayer(l, waitFor);
        continue;
      }
      this.claim(l);
      const mount = (): void => {
        this.unclaim(l);
        (this.lazyLayers ??= []).push(l);
        node.layerMounted(l);
        this.mountStepDone();
      };
      if (lazy.layerMeta) metaTasks.push({ kind: 'config', bytes: metadataBytes(lazy.layerMeta, size[l]), digest: layerMetaDigest(l), then: mount });
      else bare.push(mount);
    }
    this.missing = eager;
    this.downloaded = zeros(eager.length);
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
    for (const l of this.lazyLayers ?? []) {
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
    const claims = this.firstClaim < 0 ? [] : [this.firstClaim, ...(this.moreClaims ?? [])];
    this.firstClaim = -1;
    this.moreClaims = undefined;
    for (const l of claims) this.node.abandonLayer(l, reason);
    // A background fetch that fails after the container started leaves its layers mounted, never cached.
    if (this.ready) return;
    if (this.slotFreed) this.node.imageDone(this.job, false, reason);
    else this.node.pullEnded(this.job, false, reason);
  }
}

/** n zeros, allocated at their size. */
function zeros(n: number): number[] {
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = 0;
  return a;
}
