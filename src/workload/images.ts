/**
 * Images as lists of content-addressed layers. Layer ids are content addresses: two images that share a
 * base layer share its id, so a node that has it never fetches it again. A new version of an image keeps
 * its lower layers and replaces its top layer(s) with new layers totalling the release's delta.
 *
 * Sizes in a scenario (images.size, images.baseSize, releases.delta) are what a registry lists for the
 * image with gzip layers, the OCI default media type (FACTS.md §3c). The content they stand for is
 * size × the gzip preset's ratio; `images.compression` re-encodes that same content, so another format
 * changes the bytes on the wire (LayerStore.size) and the unpack time, never the content. Lazy formats
 * (eStargz, Nydus, SOCI) are described here too: they decide which bytes a container needs to start.
 */

export type CompressionFormat = 'gzip' | 'zstd' | 'none';

export interface CompressionPreset {
  /** Content bytes per byte on the wire. */
  ratio: number;
  /** Unpack speed per content byte, relative to gzip on the same node (cluster.unpack sets gzip's). */
  unpackSpeedup: number;
  notes: string;
}

/**
 * FACTS.md §3c has no gzip/zstd figures for image layers (a GAP, §7): every number here is an assumption.
 * gzip: ratio 2.5 (typical for layers of binaries and text; the Docker Hub study says many layers
 * compress worse), unpack 100 MB/s of compressed input = 250 MB/s of content (Go's gzip reader on one core).
 * zstd (default level 3): ratio 2.7, about gzip's or a little better; decompression several times faster
 * (×4, about 1 GB/s of content). none: the tar is only written out, bounded by the snapshotter's file
 * writes, taken to be as fast as zstd's unpack (×4).
 */
export const COMPRESSION_PRESETS: Readonly<Record<CompressionFormat, CompressionPreset>> = {
  gzip: {
    ratio: 2.5,
    unpackSpeedup: 1,
    notes: 'OCI default layer media type tar+gzip (FACTS.md §3c); ratio 2.5 and 250 MB/s of content unpacked are assumptions',
  },
  zstd: {
    ratio: 2.7,
    unpackSpeedup: 4,
    notes: 'BuildKit can emit zstd layers (FACTS.md §3c); ratio 2.7 and 4× gzip\'s unpack speed are assumptions',
  },
  none: {
    ratio: 1,
    unpackSpeedup: 4,
    notes: 'uncompressed tar layers: unpacking is writing files, assumed as fast as zstd (assumption)',
  },
};

/** The format scenario sizes are measured in (see the file comment). */
export const REFERENCE_RATIO = COMPRESSION_PRESETS.gzip.ratio;

/** A resolved `images.compression`. */
export interface Compression {
  format: CompressionFormat;
  ratio: number;
  /** Unpack throughput per node in content (unpacked) bytes/s; null derives it from cluster.unpack. */
  unpackBps: number | null;
}

export const GZIP: Compression = { format: 'gzip', ratio: REFERENCE_RATIO, unpackBps: null };

/** Bytes on the wire for `refBytes` as the reference gzip measures them; whole bytes once re-encoded. */
export function wireBytes(refBytes: number, c: Compression): number {
  // The reference format keeps the scenario's number untouched (the default run stays byte-identical).
  if (c.ratio === REFERENCE_RATIO) return refBytes;
  return Math.round((refBytes * REFERENCE_RATIO) / c.ratio);
}

/**
 * A node's unpack throughput in wire bytes/s for format `c`, given cluster.unpack (`gzipWireBps`, the
 * node's rate for gzip layers in compressed bytes/s, its meaning since the first release). Unpack time of
 * a layer = wire bytes / this = content bytes / (gzip content rate × the format's speedup).
 */
export function unpackWireBps(gzipWireBps: number, c: Compression): number {
  if (c.unpackBps !== null) return c.unpackBps / c.ratio;
  const speedup = COMPRESSION_PRESETS[c.format].unpackSpeedup;
  if (speedup === 1 && c.ratio === REFERENCE_RATIO) return gzipWireBps;
  return (gzipWireBps * REFERENCE_RATIO * speedup) / c.ratio;
}

export type LazyFormat = 'estargz' | 'nydus' | 'soci';

/** Metadata a lazy format fetches before it can mount: `fixedBytes` + `perByte` × the bytes it indexes. */
export interface MetadataCost {
  fixedBytes: number;
  perByte: number;
}

export interface LazyPreset {
  /** Size of one on-demand range GET, bytes. */
  chunkBytes: number;
  /** One GET per image version before mounting (Nydus bootstrap, SOCI index manifest); perByte × image bytes. */
  imageMeta: MetadataCost | null;
  /** One GET per lazily mounted layer (eStargz footer + TOC, SOCI zTOC); perByte × layer bytes. */
  layerMeta: MetadataCost | null;
  /** Layers smaller than this are pulled and unpacked in full before the container starts. */
  eagerBelowBytes: number;
  /** The background fetch waits this long after the mount, seconds. */
  backgroundDelayS: number;
  /**
   * 0: each layer's rest is one GET (maxConcurrentDownloads in flight). > 0: the rest is fetched one
   * chunk at a time, a chunk started at most every this many seconds (SOCI's paced background fetcher).
   */
  backgroundPeriodS: number;
  notes: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Lazy-pulling snapshotters. Sourced: SOCI's 4 MiB span and 10 MiB minimum layer size (soci-snapshotter
 * soci/soci_index.go defaultSpanSize / defaultMinLayerSize: smaller layers get no zTOC and are pulled at
 * launch); a zTOC keeps one 32 KiB gzip window per span (derived: 1/128 of the layer). Assumptions:
 * eStargz reads in 4 MiB chunks and its footer + TOC is 16 KiB + 0.1 % of the layer; Nydus reads 1 MiB
 * chunks and its bootstrap (the whole image's metadata) is 16 KiB + 0.2 % of the image; the SOCI index
 * manifest is 2 KB and a zTOC's file table 16 KiB. Both snapshotters hold background fetches back while a
 * container starts (stargz-snapshotter's prioritized-task silence period; soci-snapshotter's background
 * fetcher waits 30 s after a new layer, then fetches one span per 500 ms: config defaultBgSilencePeriodMsec
 * / defaultBgFetchPeriodMsec); eStargz and Nydus background fetches are taken to run at full speed.
 */
export const LAZY_PRESETS: Readonly<Record<LazyFormat, LazyPreset>> = {
  estargz: {
    chunkBytes: 4 * MiB,
    imageMeta: null,
    layerMeta: { fixedBytes: 16 * KiB, perByte: 0.001 },
    eagerBelowBytes: 0,
    backgroundDelayS: 0,
    backgroundPeriodS: 0,
    notes: 'stargz-snapshotter: TOC at the end of each layer fetched with a range GET; chunk and TOC sizes are assumptions',
  },
  nydus: {
    chunkBytes: 1 * MiB,
    imageMeta: { fixedBytes: 16 * KiB, perByte: 0.002 },
    layerMeta: null,
    eagerBelowBytes: 0,
    backgroundDelayS: 0,
    backgroundPeriodS: 0,
    notes: 'nydus: one bootstrap per image holds every layer\'s metadata; 1 MiB chunks and bootstrap size are assumptions',
  },
  soci: {
    chunkBytes: 4 * MiB,
    imageMeta: { fixedBytes: 2000, perByte: 0 },
    layerMeta: { fixedBytes: 16 * KiB, perByte: 1 / 128 },
    eagerBelowBytes: 10 * MiB,
    backgroundDelayS: 30,
    backgroundPeriodS: 0.5,
    notes:
      'soci-snapshotter: 4 MiB spans, layers < 10 MiB pulled eagerly (soci_index.go); background fetcher silent 30 s after a new layer, then one span every 500 ms (config defaults); index manifest and zTOC file-table sizes are assumptions',
  },
};

/** A resolved `images.lazy`: the preset with the scenario's overrides. */
export interface LazyPulling extends LazyPreset {
  format: LazyFormat;
  /** Share of each lazily mounted layer a container reads before it is ready (Slacker: 0.064, FACTS.md §1d). */
  startFraction: number;
  /** On-demand range GETs in flight per container start. */
  parallelReads: number;
  /**
   * When the rest of each layer starts streaming in: once the container is ready (snapshotters hold it
   * back while a container starts) or at the mount, sharing links with the start reads. Either way no
   * earlier than backgroundDelayS after the mount.
   */
  background: 'at-mount' | 'after-start';
}

export function metadataBytes(m: MetadataCost, bytes: number): number {
  return Math.ceil(m.fixedBytes + m.perByte * bytes);
}

export interface ImagesConfig {
  count: number;
  /** Compressed size of each image, bytes (base layers included). */
  sizeBytes: number;
  /** Layers per image, base layers included. */
  layers: number;
  /** Layers at the bottom shared by every image (a common base image). */
  baseLayers: number;
  /** Bytes of the shared base layers together (part of sizeBytes). */
  baseBytes: number;
  /** How layers go over the wire; sizes above are gzip's (default: gzip, so they are the wire bytes). */
  compression?: Compression;
  /** Retention: the registry keeps the last `retain` versions of each image (absent: all). */
  retain?: number;
}

export interface ImageVersion {
  image: number;
  version: number;
  /** Global id of this image version (a manifest digest). */
  id: number;
  layers: readonly number[];
}

export class LayerStore {
  /** Layer sizes by id: bytes on the wire (compressed), what registries store and nodes download. */
  readonly size: number[] = [];
  /** Content bytes per wire byte (the compression ratio): a layer unpacks to size × this. */
  unpackedPerWireByte = REFERENCE_RATIO;
  /** When each layer was published (0 for the initial images), seconds. */
  readonly publishedAt: number[] = [];
  /** When the registry deleted each layer (retention), Infinity while it is kept. */
  readonly deletedAt: number[] = [];

  add(bytes: number, time: number): number {
    this.size.push(bytes);
    this.publishedAt.push(time);
    this.deletedAt.push(Infinity);
    return this.size.length - 1;
  }

  /** ∫ stored bytes dt over [0, periodS]: each layer is stored from its publish time until retention deletes it. */
  storedByteSeconds(periodS: number): number {
    let s = 0;
    for (let i = 0; i < this.size.length; i++) s += this.size[i] * Math.max(0, Math.min(periodS, this.deletedAt[i]) - this.publishedAt[i]);
    return s;
  }
}

/**
 * `total` bytes in `n` layers of whole bytes, the first ones a byte larger when it does not divide
 * (a registry stores bytes, not fractions: 35 MB in 3 layers is 11,666,667 + 2 × 11,666,666).
 */
export function splitBytes(total: number, n: number): number[] {
  if (n <= 0) return [];
  const whole = Math.round(total);
  const each = Math.floor(whole / n);
  const extra = whole - each * n;
  return Array.from({ length: n }, (_, i) => each + (i < extra ? 1 : 0));
}

export class ImageCatalog {
  readonly layers = new LayerStore();
  readonly current: ImageVersion[] = [];
  private versions = 0;
  private readonly compression: Compression;
  /** Retention bookkeeping: each image's kept versions (oldest first) and each layer's kept references. */
  private readonly kept: ImageVersion[][] = [];
  private readonly refs: number[] = [];
  /** Hears each new layer a release publishes (the CI push into the registry's storage). */
  onLayerPublished: ((layer: number, bytes: number) => void) | null = null;

  constructor(readonly cfg: ImagesConfig) {
    this.compression = cfg.compression ?? GZIP;
    this.layers.unpackedPerWireByte = this.compression.ratio;
    const wire = (ref: number): number => wireBytes(ref, this.compression);
    const base: number[] = [];
    for (const bytes of splitBytes(cfg.baseBytes, cfg.baseLayers)) base.push(this.layers.add(wire(bytes), 0));
    const own = cfg.layers - cfg.baseLayers;
    const ownBytes = splitBytes(cfg.sizeBytes - cfg.baseBytes, own).map(wire);
    for (let img = 0; img < cfg.count; img++) {
      const ls = base.slice();
      for (let i = 0; i < own; i++) ls.push(this.layers.add(ownBytes[i], 0));
      const v: ImageVersion = { image: img, version: 0, id: this.versions++, layers: ls };
      this.current.push(v);
      this.keep(v, 0);
    }
  }

  /**
   * Retention (an ECR lifecycle rule "keep the last N images"): `v` is stored; once an image has more than
   * `retain` versions the oldest is deleted, and each of its layers no kept version still uses is
   * deleted from storage at `time` (shared base layers stay while any kept version references them).
   */
  private keep(v: ImageVersion, time: number): void {
    const retain = this.cfg.retain;
    if (retain === undefined) return;
    for (const l of v.layers) this.refs[l] = (this.refs[l] ?? 0) + 1;
    const kept = (this.kept[v.image] ??= []);
    kept.push(v);
    if (kept.length <= retain) return;
    const old = kept.shift()!;
    for (const l of old.layers) if (--this.refs[l] === 0) this.layers.deletedAt[l] = time;
  }

  /** Publishes a new version of `image` whose new top layer is `deltaBytes` (gzip-measured); returns it. */
  publish(image: number, deltaBytes: number, time: number): ImageVersion {
    const prev = this.current[image];
    const layers = prev.layers.slice(0, -1);
    layers.push(this.layers.add(wireBytes(deltaBytes, this.compression), time));
    this.onLayerPublished?.(layers[layers.length - 1], this.layers.size[layers[layers.length - 1]]);
    const v: ImageVersion = { image, version: prev.version + 1, id: this.versions++, layers };
    this.current[image] = v;
    this.keep(v, time);
    return v;
  }
}
