/**
 * From a parsed scenario file to one validated run per variant. The file's own shape is checked first;
 * then each variant is deep-merged over the base (objects merge key by key; `distribution`, lists and
 * scalars are replaced whole) and checked as a complete run, so a variant can override anything. An
 * issue inside a merged variant points at the variant's own line when the variant set that field, and at
 * the base's line otherwise.
 */
import type { z } from 'zod';
import { RunConfig, ScenarioFile, RUN_KEYS } from './schema.ts';
import type { LocateFn, PathSegment, ScenarioIssue } from './errors.ts';
import { allowedKeysAt, missingSectionHint, sortIssues } from './loader.ts';
import { describeDistribution } from '../simulate.ts';

export interface ResolvedVariant {
  name: string;
  /** The variant's description, or the strategy in a few words. */
  description: string;
  run: RunConfig;
}

export interface ResolvedScenario {
  name: string;
  description?: string;
  /** The base seed (a variant may override its own). */
  seed: number;
  thresholds: Record<string, string>;
  /** Runs per variant asked for in the file (`replications:`); the CLI's --replications wins. */
  replications?: number;
  variants: ResolvedVariant[];
}

export type Validate = <T>(
  schema: z.ZodType<T, unknown>,
  raw: unknown,
  locate: LocateFn,
) => { ok: true; value: T } | { ok: false; issues: ScenarioIssue[] };

export function resolveScenario(
  raw: unknown,
  locate: LocateFn,
  validate: Validate,
): { ok: true; value: ResolvedScenario } | { ok: false; issues: ScenarioIssue[] } {
  const file = validate(ScenarioFile, raw, locate);
  // A problem in the file's own shape (a bad threshold, a misspelt top-level key) must not hide the
  // problems inside the runs: every mistake is reported at once, so the runs are checked from the raw
  // document too whenever it is a mapping.
  const issues: ScenarioIssue[] = file.ok ? [] : [...file.issues];
  // The file's schema leaves the run sections' shape to RunConfig, so a missing one is described from there.
  for (const i of issues) {
    if (i.code === 'missing' && i.path.length === 1 && RUN_KEYS.includes(String(i.path[0])))
      i.hint = missingSectionHint(allowedKeysAt(RunConfig, i.path, raw));
  }
  const doc = file.ok ? file.value : salvage(raw);
  if (doc === undefined) return { ok: false, issues };
  const base: Record<string, unknown> = {};
  for (const k of RUN_KEYS) if ((doc as Record<string, unknown>)[k] !== undefined) base[k] = (doc as Record<string, unknown>)[k];

  const declared: (Variant | undefined)[] = doc.variants ?? [{ name: '' }];
  const variants: ResolvedVariant[] = [];
  const baseIssues = new Map<string, { issue: ScenarioIssue; variants: string[] }>();
  const seen = new Map<string, number>();
  declared.forEach((v, i) => {
    if (v === undefined) return;
    const own: Record<string, unknown> = {};
    for (const [k, value] of Object.entries(v)) {
      if (k === 'name' || k === 'description') continue;
      if (!RUN_KEYS.includes(k)) {
        issues.push({
          ...locate(['variants', i, k], 'key'),
          path: ['variants', i, k],
          value,
          message: `a variant cannot set "${k}"`,
          hint: `a variant may set name, description and ${RUN_KEYS.join(', ')}`,
          code: 'unknown-key',
        });
        continue;
      }
      own[k] = value;
    }
    if (doc.variants) {
      const prev = seen.get(v.name);
      if (prev !== undefined)
        issues.push({
          ...locate(['variants', i, 'name']),
          path: ['variants', i, 'name'],
          value: v.name,
          message: `variant name "${v.name}" is used twice (also variants[${prev}])`,
          hint: 'give every variant its own name',
          code: 'invalid-value',
        });
      seen.set(v.name, i);
    }
    const merged = mergeVariant(base, own);
    // Issues inside a merged run point at the variant when it set the field, else at the base.
    const locateInVariant: LocateFn = (path, target) =>
      doc.variants && hasPath(own, path) ? locate(['variants', i, ...path], target) : locate(path, target);
    const res = validate(RunConfig, merged, locateInVariant);
    if (!res.ok) {
      for (const is of res.issues) {
        const inVariant = doc.variants !== undefined && hasPath(own, is.path);
        if (inVariant) issues.push({ ...is, path: ['variants', i, ...is.path] });
        else {
          const k = issueKey(is);
          const seenIn = baseIssues.get(k) ?? { issue: is, variants: [] };
          seenIn.variants.push(v.name);
          baseIssues.set(k, seenIn);
        }
      }
      return;
    }
    const described = describeDistribution(res.value.distribution);
    const name = v.name || defaultVariantName(res.value);
    variants.push({ name, description: v.description ?? described, run: res.value });
  });
  // A base field that is wrong only in the light of some variants (a release interval too short for one
  // strategy) says which; one wrong everywhere does not need to.
  const named = declared.filter((v) => v !== undefined).length;
  for (const { issue, variants: where } of baseIssues.values()) {
    if (doc.variants && where.length < named)
      issues.push({ ...issue, message: `${issue.message} (in variant${where.length === 1 ? '' : 's'} ${where.map((n) => JSON.stringify(n)).join(', ')})` });
    else issues.push(issue);
  }
  if (issues.length > 0 || !file.ok) return { ok: false, issues: sortIssues(dedupe(issues)) };
  const checked = file.value;
  return {
    ok: true,
    value: {
      name: checked.name,
      ...(checked.description !== undefined ? { description: checked.description } : {}),
      seed: variants[0].run.seed,
      thresholds: checked.thresholds ?? {},
      ...(checked.replications !== undefined ? { replications: checked.replications } : {}),
      variants,
    },
  };
}

type Variant = { name: string; description?: string; [key: string]: unknown };
interface SalvagedDoc {
  name: string;
  description?: string;
  thresholds?: Record<string, string>;
  variants?: (Variant | undefined)[];
  [key: string]: unknown;
}

/**
 * The parts of a document that failed the file schema which can still be checked as runs: its run
 * sections, and each variant that is a mapping (others are already reported). Undefined when the
 * document is not a mapping at all.
 */
function salvage(raw: unknown): SalvagedDoc | undefined {
  if (!isPlainObject(raw)) return undefined;
  const variants = Array.isArray(raw.variants)
    ? raw.variants.map((v): Variant | undefined =>
        isPlainObject(v) && typeof v.name === 'string' && v.name !== '' ? (v as Variant) : undefined)
    : undefined;
  return { ...raw, name: typeof raw.name === 'string' ? raw.name : '', variants };
}

function defaultVariantName(run: RunConfig): string {
  return run.distribution.kind === 'hosted' ? run.distribution.preset.id : run.distribution.kind;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Deep merge of a variant over the base: objects merge; `distribution`, lists and scalars replace. */
export function mergeVariant(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(own)) out[k] = k === 'distribution' ? v : mergeDeep(base[k], v);
  return out;
}

function mergeDeep(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeDeep(a[k], v);
  return out;
}

function hasPath(obj: unknown, path: readonly PathSegment[]): boolean {
  if (path.length === 0) return false;
  let cur: unknown = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !(seg in (cur as object))) return false;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return true;
}

function issueKey(i: ScenarioIssue): string {
  return `${i.file}:${i.line}:${i.column}:${i.path.join('.')}:${i.message}`;
}

/** The same base mistake seen through several variants is one issue. */
function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = issueKey(i);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
