/**
 * Images as lists of content-addressed layers. Layer ids are content addresses: two images that share a
 * base layer share its id, so a node that has it never fetches it again. A new version of an image keeps
 * its lower layers and replaces its top layer(s) with new layers totalling the release's delta.
 */

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
}

export interface ImageVersion {
  image: number;
  version: number;
  /** Global id of this image version (a manifest digest). */
  id: number;
  layers: readonly number[];
}

export class LayerStore {
  /** Layer sizes by id, bytes. */
  readonly size: number[] = [];
  /** When each layer was published (0 for the initial images), seconds. */
  readonly publishedAt: number[] = [];

  add(bytes: number, time: number): number {
    this.size.push(bytes);
    this.publishedAt.push(time);
    return this.size.length - 1;
  }

  /** ∫ stored bytes dt over [0, periodS]: each layer is stored from its publish time on (no retention yet). */
  storedByteSeconds(periodS: number): number {
    let s = 0;
    for (let i = 0; i < this.size.length; i++) s += this.size[i] * Math.max(0, periodS - this.publishedAt[i]);
    return s;
  }
}

export class ImageCatalog {
  readonly layers = new LayerStore();
  readonly current: ImageVersion[] = [];
  private versions = 0;

  constructor(readonly cfg: ImagesConfig) {
    const base: number[] = [];
    for (let i = 0; i < cfg.baseLayers; i++) base.push(this.layers.add(cfg.baseBytes / cfg.baseLayers, 0));
    const own = cfg.layers - cfg.baseLayers;
    const ownBytes = (cfg.sizeBytes - cfg.baseBytes) / own;
    for (let img = 0; img < cfg.count; img++) {
      const ls = base.slice();
      for (let i = 0; i < own; i++) ls.push(this.layers.add(ownBytes, 0));
      this.current.push({ image: img, version: 0, id: this.versions++, layers: ls });
    }
  }

  /** Publishes a new version of `image` whose new top layer is `deltaBytes`; returns it. */
  publish(image: number, deltaBytes: number, time: number): ImageVersion {
    const prev = this.current[image];
    const layers = prev.layers.slice(0, -1);
    layers.push(this.layers.add(deltaBytes, time));
    const v: ImageVersion = { image, version: prev.version + 1, id: this.versions++, layers };
    this.current[image] = v;
    return v;
  }
}
