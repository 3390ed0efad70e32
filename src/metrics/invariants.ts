/**
 * Invariants checked on every run, after the model has drained: cheap (one pass over the metrics and
 * per-release counters), always on. A violation is a bug in pullsim, never the user's mistake: it aborts
 * with InvariantError naming the invariant and the entities involved, and the CLI exits 1.
 *
 * The network checks its own (conservation per flow and link, no rate above a path's capacity) as it
 * goes; the kernel refuses to move time backwards. These are the ones only a whole run can see.
 */
import type { VariantMetrics } from './result.ts';
import { InvariantError } from '../kernel/invariant.ts';

export { InvariantError };

/** Per-release accounting the collector keeps, for the "every target ends ready or counted" check. */
export interface ReleaseAccount {
  release: number;
  /** Nodes targeted when the release was published. */
  targets: number;
  ready: number;
  /** Targets that stopped counting: a pull failed (with a reason) or the node left. */
  dropped: number;
  /** Failed pulls of this release (each with a reason in pulls_failed_by_reason). */
  failedPulls: number;
}

const REL = 1e-9;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= REL * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Every invariant of a finished run; throws InvariantError on the first one broken. */
export function checkRunInvariants(m: VariantMetrics, releases: readonly ReleaseAccount[]): void {
  // No NaN, no infinity, nothing negative: a number that cannot be is the silent kind of wrong.
  walkNumbers(m, '', (path, x) => {
    if (!Number.isFinite(x) || x < 0) throw new InvariantError('every metric is a finite non-negative number', `${path} = ${x}`);
  });

  let items = 0;
  for (const [k, v] of Object.entries(m.cost_usd)) if (k !== 'total') items += v;
  if (!close(items, m.cost_usd.total))
    throw new InvariantError('cost items sum to the total', `Σ items = ${items}, cost_usd.total = ${m.cost_usd.total}`);

  if (!close(m.ingress_bytes, m.layer_bytes + m.metadata_bytes))
    throw new InvariantError('ingress = layer + metadata bytes', `${m.ingress_bytes} ≠ ${m.layer_bytes} + ${m.metadata_bytes}`);
  const bySource = Object.values(m.ingress_by_source_bytes).reduce((a, b) => a + b, 0);
  // Sums of many byte counts in another order may differ in the last bits (lazy reads are fractions).
  if (!close(bySource, m.ingress_bytes))
    throw new InvariantError('ingress by source sums to ingress', `Σ sources = ${bySource}, ingress_bytes = ${m.ingress_bytes}`);

  const byReason = Object.values(m.pulls_failed_by_reason).reduce((a, b) => a + b, 0);
  if (byReason !== m.pulls_failed)
    throw new InvariantError('every failed pull has a reason', `Σ by reason = ${byReason}, pulls_failed = ${m.pulls_failed}`);
  if (m.pulls_failed > m.pulls) throw new InvariantError('failed pulls are pulls', `pulls_failed ${m.pulls_failed} > pulls ${m.pulls}`);

  for (const [name, p] of [['rollout_s', m.rollout_s], ['node_ready_s', m.node_ready_s]] as const) {
    if (!(p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.max))
      throw new InvariantError('percentiles are ordered', `${name} p50 ${p.p50}, p90 ${p.p90}, p99 ${p.p99}, max ${p.max}`);
  }
  if (m.node_ready_s.max > m.simulated_s)
    throw new InvariantError('nothing is ready after the run ends', `node_ready_s.max ${m.node_ready_s.max} > simulated_s ${m.simulated_s}`);

  // Nothing silently lost: each target of each release ended ready, or stopped counting with a failed
  // (reasoned) pull or by leaving, which also fails its pending pulls.
  let rolledOut = 0;
  for (const r of releases) {
    if (r.ready + r.dropped !== r.targets)
      throw new InvariantError(
        'every target of every release ends ready or counted failed',
        `release ${r.release}: ${r.targets} targets, ${r.ready} ready, ${r.dropped} dropped — ${r.targets - r.ready - r.dropped} unaccounted`,
      );
    if (r.dropped > r.failedPulls)
      throw new InvariantError(
        'a dropped target has a failed pull',
        `release ${r.release}: ${r.dropped} targets dropped but only ${r.failedPulls} failed pulls`,
      );
    if (r.ready > 0) rolledOut++;
  }
  if (releases.length !== m.releases)
    throw new InvariantError('every published release is accounted', `${releases.length} accounts for ${m.releases} releases`);
  if (rolledOut !== m.releases_rolled_out)
    throw new InvariantError('rolled-out releases are the ones with a ready node', `${rolledOut} ≠ releases_rolled_out ${m.releases_rolled_out}`);
}

function walkNumbers(x: unknown, path: string, visit: (path: string, x: number) => void): void {
  if (typeof x === 'number') return visit(path, x);
  if (x === null || typeof x !== 'object') return;
  for (const [k, v] of Object.entries(x)) walkNumbers(v, path ? `${path}.${k}` : k, visit);
}
