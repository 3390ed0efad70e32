/**
 * The release cadence and the rollout that follows each release. Releases are published at 0, every,
 * 2·every, … while t < duration; each publishes a new version of `images` images (round-robin over the
 * catalog). The rollout then asks every node to pull them, all at once or spread over a jitter window.
 */
import type { World } from '../cluster/world.ts';
import type { NodeRuntime, PullJob } from '../cluster/node.ts';
import type { ImageCatalog } from './images.ts';

export interface ReleasesConfig {
  everyS: number;
  images: number;
  deltaBytes: number;
}

export interface RolloutConfig {
  strategy: 'all-at-once';
  /** Each node starts at a uniform random offset in [0, jitter), seconds. */
  jitterS: number;
}

export function releaseTimes(cfg: ReleasesConfig, durationS: number): number[] {
  const out: number[] = [];
  for (let k = 0; k * cfg.everyS < durationS; k++) out.push(k * cfg.everyS);
  return out;
}

export function scheduleReleases(
  world: World,
  catalog: ImageCatalog,
  nodes: readonly NodeRuntime[],
  cfg: ReleasesConfig,
  rollout: RolloutConfig,
  durationS: number,
): number {
  const times = releaseTimes(cfg, durationS);
  const jitter = world.rng.stream('rollout:jitter');
  const count = catalog.cfg.count;
  times.forEach((t, k) => {
    world.sim.call(t, () => {
      const jobs: PullJob[] = [];
      for (let j = 0; j < cfg.images; j++) {
        const image = (k * cfg.images + j) % count;
        jobs.push({ release: k, version: catalog.publish(image, cfg.deltaBytes, t) });
      }
      world.events.releasePublished(k, t, nodes.length, jobs.length);
      for (const node of nodes) {
        const delay = rollout.jitterS > 0 ? jitter.uniform(0, rollout.jitterS) : 0;
        if (delay === 0) node.enqueue(jobs);
        else world.sim.call(delay, () => node.enqueue(jobs));
      }
    });
  });
  return times.length;
}
