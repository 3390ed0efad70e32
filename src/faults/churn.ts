/**
 * Node churn and crash-loops: the node events of a run's `faults:` section.
 *
 * Churn. At `at`, `leave` nodes chosen at random among those present leave (NodeRuntime.leave: their
 * unfinished jobs are counted failed `node-left` and the releases they were targets of stop waiting for
 * them), or `join` fresh nodes come up in spare node slots (ids after cluster.nodes, reserved in the
 * topology from the start) with empty caches and pull the current version of every image — counted in
 * pulls, outside any rollout (release −1) — and are targets of the releases published after. The
 * strategy hears both (DistributionRuntime.nodeLeft / nodeJoined): that is the interface a P2P strategy
 * uses to drop a leaving peer's uploads and re-source its downloaders.
 *
 * Crash-loops. A container runs `runFor`, crashes, and kubelet restarts it after CrashLoopBackOff: 10 s,
 * doubling, capped at 300 s (kubelet's MaxContainerBackOff), reset after 10 minutes of running. At each
 * restart kubelet's pull policy applies: with `cacheLost` the image is gone and pulled in full (the NAT bill
 * of a crash-looping pod on ephemeral hosts: 179 GB/day reported for ECS Fargate tasks with pull Always,
 * mohibulalam75.medium.com 2024-12); otherwise `Always` re-resolves the tag (auth + a HEAD) and
 * `IfNotPresent` makes no request. Restarts stop at `until` (default: the end of the release window).
 */
import type { Rng, RngStreams } from '../kernel/index.ts';
import type { World } from '../cluster/world.ts';
import { NO_RELEASE, type NodeRuntime, type PullJob } from '../cluster/node.ts';
import type { DistributionRuntime } from '../distribution/types.ts';
import type { ImageCatalog } from '../workload/images.ts';
import { resolveCount } from '../workload/rollout.ts';
import type { Faults } from './schema.ts';

/** kubelet's CrashLoopBackOff: initial 10 s, doubling, at most 300 s; reset after 10 min of running. */
export const CRASH_BACKOFF = { initialS: 10, maxS: 300, resetAfterS: 600 };

export interface NodeFaultsEnv {
  world: World;
  nodes: readonly NodeRuntime[];
  /** First spare node slot (= cluster.nodes). */
  firstSpare: number;
  dist: DistributionRuntime;
  catalog: ImageCatalog;
  rng: RngStreams;
  pullPolicy: 'IfNotPresent' | 'Always';
  horizonS: number;
}

/** `k` distinct items of `xs` drawn with `rng` (a partial Fisher–Yates shuffle of a copy), in draw order. */
function sample<T>(xs: readonly T[], k: number, rng: Rng): T[] {
  const a = [...xs];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

export function installNodeFaults(spec: Faults, env: NodeFaultsEnv): void {
  const { world, nodes, dist } = env;
  const churnRng = env.rng.stream('faults:churn');
  let nextSpare = env.firstSpare;
  for (const c of [...spec.nodes].sort((a, b) => a.at - b.at)) {
    world.sim.call(c.at, () => {
      if (c.leave !== undefined) {
        const present = nodes.filter((n) => n.present);
        for (const n of sample(present, resolveCount(c.leave, present.length), churnRng)) {
          n.leave();
          dist.nodeLeft?.(n.id);
        }
        return;
      }
      for (let i = 0; i < c.join!; i++) {
        const n = nodes[nextSpare++];
        dist.nodeJoined?.(n.id);
        n.join(env.catalog.current.map((version) => ({ release: NO_RELEASE, version })));
      }
    });
  }
  spec.crashLoops.forEach((cl, i) => {
    const rng = env.rng.stream(`faults:crash-loop:${i}`);
    const initial = nodes.slice(0, env.firstSpare);
    for (const n of sample(initial, resolveCount(cl.nodes, initial.length), rng)) crashLoop(n, cl, env);
  });
}

function crashLoop(node: NodeRuntime, cl: Faults['crashLoops'][number], env: NodeFaultsEnv): void {
  const sim = env.world.sim;
  const until = cl.until ?? env.horizonS;
  let restarts = 0;
  const run = (): void => {
    sim.call(cl.runFor, crash);
  };
  const crash = (): void => {
    if (cl.runFor >= CRASH_BACKOFF.resetAfterS) restarts = 0;
    const delay = Math.min(CRASH_BACKOFF.maxS, CRASH_BACKOFF.initialS * 2 ** restarts);
    restarts++;
    if (sim.now + delay >= until) return;
    sim.call(delay, restart);
  };
  const restart = (): void => {
    if (!node.present) return;
    const version = node.running.get(cl.image) ?? env.catalog.current[cl.image];
    const then = (ok: boolean): void => (ok ? run() : crash());
    let job: PullJob | null = null;
    if (cl.cacheLost) {
      node.dropImage(cl.image);
      job = { release: NO_RELEASE, version, then };
    } else if (env.pullPolicy === 'Always') job = { release: NO_RELEASE, version, check: true, then };
    if (job) node.enqueue([job]);
    else run();
  };
  sim.call(cl.from, run);
}
