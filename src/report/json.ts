/**
 * The machine-readable result: keys in the order of the RunResult types (so diffs of two runs line up),
 * record-like maps (bytes by source, cost items) sorted by key, 2-space indent, trailing newline.
 * Byte-identical for the same result, whatever order the models inserted keys in.
 */
import type { RunResult } from '../metrics/result.ts';

const RUN_KEYS = ['schemaVersion', 'tool', 'scenario', 'seed', 'variants'];
const TOOL_KEYS = ['name', 'version'];
const SCENARIO_KEYS = ['name'];
const VARIANT_KEYS = ['name', 'description', 'metrics'];
const RUN_SAMPLE_KEYS = ['replication', 'seed', 'metrics'];
/** VariantMetrics in declaration order. */
export const METRIC_KEYS = [
  'simulated_s',
  'releases',
  'releases_rolled_out',
  'pulls',
  'pulls_failed',
  'pulls_failed_by_reason',
  'requests',
  'throttled_requests',
  'retries',
  'ingress_bytes',
  'layer_bytes',
  'metadata_bytes',
  'ingress_by_source_bytes',
  'internet_bytes',
  'cross_zone_bytes',
  'registry_egress_bytes',
  'registry_peak_Bps',
  'rollout_s',
  'node_ready_s',
  'cost_usd',
  'cost_usd_per_day',
  'cost_usd_per_month',
  'events',
  'wall_ms',
] as const;
export const PERCENTILE_KEYS = ['p50', 'p90', 'p99', 'max'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function renderJson(result: RunResult): string {
  return JSON.stringify(orderRun(result), null, 2) + '\n';
}

function orderRun(r: RunResult): Json {
  const o = r as unknown as Record<string, unknown>;
  return ordered(o, RUN_KEYS, {
    tool: (v) => ordered(v as Record<string, unknown>, TOOL_KEYS),
    scenario: (v) => ordered(v as Record<string, unknown>, SCENARIO_KEYS),
    variants: (v) =>
      (v as Record<string, unknown>[]).map((variant) =>
        ordered(variant, VARIANT_KEYS, {
          metrics: orderMetrics,
          runs: (runs) => (runs as Record<string, unknown>[]).map((run) => ordered(run, RUN_SAMPLE_KEYS, { metrics: orderMetrics })),
        }),
      ),
  });
}

function orderMetrics(m: unknown): Json {
  return ordered(m as Record<string, unknown>, METRIC_KEYS, {
    ingress_by_source_bytes: (v) => sortedRecord(v),
    pulls_failed_by_reason: (v) => sortedRecord(v),
    rollout_s: (v) => ordered(v as Record<string, unknown>, PERCENTILE_KEYS),
    node_ready_s: (v) => ordered(v as Record<string, unknown>, PERCENTILE_KEYS),
    cost_usd: (v) => ordered(v as Record<string, unknown>, ['total']),
  });
}

/**
 * Copies `obj` with `known` keys first in that order, then any other keys sorted, so a field added to the
 * types but not yet here still appears (deterministically) instead of silently vanishing.
 */
function ordered(
  obj: Record<string, unknown>,
  known: readonly string[],
  nested: Record<string, (v: unknown) => Json> = {},
): Json {
  const out: Record<string, Json> = {};
  const rest = Object.keys(obj).filter((k) => !known.includes(k)).sort();
  for (const k of [...known.filter((k) => k in obj), ...rest]) {
    const v = obj[k];
    if (v === undefined) continue;
    out[k] = nested[k] ? nested[k](v) : canonical(v);
  }
  return out;
}

function sortedRecord(v: unknown): Json {
  return ordered(v as Record<string, unknown>, []);
}

/** Any other value: plain objects get sorted keys, arrays keep their order. */
function canonical(v: unknown): Json {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return ordered(v as Record<string, unknown>, []);
  return v as Json;
}
