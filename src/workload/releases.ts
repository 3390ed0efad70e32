/**
 * The release cadence. Releases are published at 0, every, 2·every, … while t < duration; each publishes
 * a new version of `images` images (round-robin over the catalog) and hands them to the rollout driver,
 * which decides when each node starts pulling them.
 */
import type { World } from '../cluster/world.ts';
import type { PullJob } from '../cluster/node.ts';
import type { ImageCatalog } from './images.ts';
import type { RolloutDriver } from './rollout.ts';

export interface ReleasesConfig {
  everyS: number;
  images: number;
  deltaBytes: number;
}

export function releaseTimes(cfg: ReleasesConfig, durationS: number): number[] {
  const out: number[] = [];
  for (let k = 0; k * cfg.everyS < durationS; k++) out.push(k * cfg.everyS);
  return out;
}

export function scheduleReleases(
  world: World,
  catalog: ImageCatalog,
  rollout: RolloutDriver,
  cfg: ReleasesConfig,
  durationS: number,
): number {
  const times = releaseTimes(cfg, durationS);
  const count = catalog.cfg.count;
  times.forEach((t, k) => {
    world.sim.call(t, () => {
      const jobs: PullJob[] = [];
      for (let j = 0; j < cfg.images; j++) {
        const image = (k * cfg.images + j) % count;
        jobs.push({ release: k, version: catalog.publish(image, cfg.deltaBytes, t) });
      }
      // The release's targets are the nodes present when it is published (churn changes them).
      const targets = rollout.targets();
      world.events.releasePublished(k, t, targets.length, jobs.length);
      rollout.start(k, jobs, targets);
    });
  });
  return times.length;
}
