/**
 * Rollout strategies: when each node starts pulling a release.
 *
 * - all-at-once: every node at publish time;
 * - rolling: batches of `batch` nodes (a count or a % of the nodes); the next batch starts `pause` after
 *   the previous one is done (gate: ready — every pull of the batch ended) or `pause` after it started
 *   (gate: none), like a Deployment's maxSurge-sized steps;
 * - canary: `canary` nodes first; the rest once they are done and `soak` has passed;
 * - stagger: start times spread over `window`, evenly (uniform) or at random (random).
 * Every strategy adds each node's `jitter` (uniform random in [0, jitter)). Nodes are taken in index
 * order, which interleaves zones (nodes are spread round-robin over zones).
 */
import { z } from 'zod';
import { zDuration } from '../scenario/units.ts';
import type { Rng } from '../kernel/index.ts';
import type { World } from '../cluster/world.ts';
import type { NodeRuntime, PullJob } from '../cluster/node.ts';
import type { ModelEvents } from '../cluster/events.ts';

export const CountOrPercent = z
  .union([
    z.number().int().min(1),
    z.string().regex(/^\d+(\.\d+)?%$/, { error: 'expected a count like 50 or a share like "10%"' }),
  ])
  .describe('a number of nodes, or a share of them like "10%"');

const jitter = zDuration.prefault(0).describe('each node starts at a uniform random offset within this window');

export const Rollout = z.preprocess(
  // A rollout block without a strategy is all-at-once (so `rollout: { jitter: 30s }` works).
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('strategy' in v) ? { ...v, strategy: 'all-at-once' } : v),
  z.discriminatedUnion('strategy', [
    z.strictObject({ strategy: z.literal('all-at-once'), jitter }),
    z.strictObject({
      strategy: z.literal('rolling'),
      batch: CountOrPercent.default('25%'),
      pause: zDuration.prefault(0).describe('wait between batches'),
      gate: z.enum(['ready', 'none']).default('ready').describe('ready: a batch waits for the previous batch to finish'),
      jitter,
    }),
    z.strictObject({
      strategy: z.literal('canary'),
      canary: CountOrPercent.default('5%'),
      soak: zDuration.prefault('10m').describe('how long the canaries run before the rest start'),
      jitter,
    }),
    z.strictObject({
      strategy: z.literal('stagger'),
      window: zDuration.describe('start times are spread over this window'),
      spread: z.enum(['uniform', 'random']).default('uniform'),
      jitter,
    }),
  ]),
);
export type Rollout = z.output<typeof Rollout>;

/** `n` nodes of `total` for a count or a percentage (at least 1, at most total). */
export function resolveCount(spec: number | string, total: number): number {
  const n = typeof spec === 'number' ? spec : Math.ceil((parseFloat(spec) / 100) * total);
  return Math.max(1, Math.min(total, n));
}

/** Batch boundaries: batch b holds nodes [starts[b], starts[b+1]). */
function batchesOf(cfg: Rollout, total: number): number[] {
  if (cfg.strategy === 'rolling') {
    const size = resolveCount(cfg.batch, total);
    const starts: number[] = [];
    for (let i = 0; i < total; i += size) starts.push(i);
    starts.push(total);
    return starts;
  }
  if (cfg.strategy === 'canary') {
    const c = resolveCount(cfg.canary, total);
    return c >= total ? [0, total] : [0, c, total];
  }
  return [0, total];
}

/**
 * Drives the rollouts of every release. It listens to `pullDone` to know when a batch has finished (a
 * pull that failed counts as finished: a rollout does not wait forever on a broken node).
 */
export class RolloutDriver implements Partial<ModelEvents> {
  private readonly jitterRng: Rng;
  private readonly staggerRng: Rng;
  /**
   * Per release: its target nodes (the nodes present at publish, in index order), batch boundaries over
   * them, the batch in progress and the pulls it still waits for.
   */
  private readonly state = new Map<number, { targets: NodeRuntime[]; batchOf: Map<number, number>; starts: number[]; batch: number; waiting: number; jobs: readonly PullJob[] }>();

  constructor(
    private readonly world: World,
    private readonly nodes: readonly NodeRuntime[],
    private readonly cfg: Rollout,
  ) {
    this.jitterRng = world.rng.stream('rollout:jitter');
    this.staggerRng = world.rng.stream('rollout:stagger');
  }

  /** Nodes a release published now rolls out to: those present (churn can add and remove nodes). */
  targets(): NodeRuntime[] {
    return this.nodes.filter((n) => n.present);
  }

  /** Starts the rollout of `release`, whose new image versions are `jobs`, on `targets` (default: the nodes present). */
  start(release: number, jobs: readonly PullJob[], targets: readonly NodeRuntime[] = this.targets()): void {
    const total = targets.length;
    const cfg = this.cfg;
    if (cfg.strategy === 'stagger') {
      for (let i = 0; i < total; i++) {
        const at = cfg.spread === 'uniform' ? (cfg.window * i) / total : this.staggerRng.uniform(0, cfg.window);
        this.startNode(targets[i], jobs, at);
      }
      return;
    }
    const starts = batchesOf(cfg, total);
    if (cfg.strategy === 'rolling' && cfg.gate === 'none') {
      for (let b = 0; b + 1 < starts.length; b++) this.startBatch(targets, starts, b, jobs, b * cfg.pause);
      return;
    }
    if (starts.length > 2) {
      const batchOf = new Map<number, number>();
      for (let b = 0; b + 1 < starts.length; b++) for (let i = starts[b]; i < starts[b + 1]; i++) batchOf.set(targets[i].id, b);
      this.state.set(release, { targets: [...targets], batchOf, starts, batch: 0, waiting: (starts[1] - starts[0]) * jobs.length, jobs });
    }
    this.startBatch(targets, starts, 0, jobs, 0);
  }

  pullDone(node: number, release: number): void {
    const s = this.state.get(release);
    if (!s || s.batchOf.get(node) !== s.batch) return;
    if (--s.waiting > 0) return;
    s.batch++;
    const cfg = this.cfg;
    const wait = cfg.strategy === 'rolling' ? cfg.pause : cfg.strategy === 'canary' ? cfg.soak : 0;
    this.startBatch(s.targets, s.starts, s.batch, s.jobs, wait);
    // After the last batch has started there is nothing left to gate.
    if (s.batch + 2 >= s.starts.length) this.state.delete(release);
    else s.waiting = (s.starts[s.batch + 1] - s.starts[s.batch]) * s.jobs.length;
  }

  private startBatch(targets: readonly NodeRuntime[], starts: number[], b: number, jobs: readonly PullJob[], delay: number): void {
    for (let i = starts[b]; i < starts[b + 1]; i++) this.startNode(targets[i], jobs, delay);
  }

  /** A node that left before its turn still gets its jobs: it counts them failed (node-left), so the batch gate moves on. */
  private startNode(node: NodeRuntime, jobs: readonly PullJob[], delay: number): void {
    const jitter = this.cfg.jitter;
    const at = delay + (jitter > 0 ? this.jitterRng.uniform(0, jitter) : 0);
    if (at === 0) node.enqueue(jobs);
    else this.world.sim.call(at, () => node.enqueue(jobs));
  }
}
