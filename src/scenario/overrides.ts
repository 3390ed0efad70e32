// `--set path=value` overrides, applied to the raw scenario before validation (Helm-style paths, YAML
// values). Issues about an overridden field point at the `--set` argument, not at a file line.

import { parseDocument } from 'yaml';
import {
  describeType,
  formatPath,
  locationOf,
  showValue,
  type Located,
  type Locator,
  type PathSegment,
  type ScenarioIssue,
} from './errors.ts';

export type OverrideResult =
  | { ok: true; raw: unknown; locate: Locator }
  | { ok: false; issues: ScenarioIssue[] };

/** One segment as written: `name`, `0` (after a dot) or `[0]`. */
type SetSegment = { key: string; bracket: false } | { index: number; bracket: true };

interface ParsedSet {
  segments: SetSegment[];
  value: unknown;
  /** 1-based column of the value in the argument. */
  valueColumn: number;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Applies each `path=value` in order to a copy of `raw`. Paths are dotted, with list indices as `.0` or
 * `[0]` (`variants.0.name`, `variants[0].name`); missing mappings and lists on the way are created
 * (a list when the next segment is an index). Values are YAML: `1000` is a number, `1MB` a string,
 * `{kind: hosted}` a mapping, `null` null. The returned locator sends fields that came from a `--set`
 * to that argument (file "--set", line = which --set, column = where its value starts).
 */
export function applySetOverrides(raw: unknown, sets: readonly string[], locate: Locator = nowhere): OverrideResult {
  let root: unknown = raw === undefined || raw === null ? {} : structuredClone(raw);
  const issues: ScenarioIssue[] = [];
  const applied: { path: PathSegment[]; value: unknown; location: Located }[] = [];
  sets.forEach((arg, i) => {
    const at = (column: number): Located => ({ file: '--set', line: i + 1, column, source: arg, exact: true });
    const issue = (column: number, path: PathSegment[], value: unknown, message: string, hint?: string): void => {
      issues.push({ ...locationOf(at(column)), path, value, message, ...(hint ? { hint } : {}), code: 'override' });
    };
    const parsed = parseSetArgument(arg, (column, message, hint) => issue(column, [], arg, message, hint));
    if (!parsed) return;
    const result = setAt(root, parsed.segments, parsed.value);
    if ('error' in result) {
      issue(1, result.path, parsed.value, result.error, result.hint);
      return;
    }
    root = result.root;
    // a later --set replaces whatever an earlier one put at or below the same path
    for (let j = applied.length - 1; j >= 0; j--) if (startsWith(applied[j].path, result.path)) applied.splice(j, 1);
    applied.push({ path: result.path, value: parsed.value, location: at(parsed.valueColumn) });
  });
  if (issues.length > 0) return { ok: false, issues };

  const located: Locator = (path, target) => {
    let best: (typeof applied)[number] | undefined;
    for (const a of applied) if (startsWith(path, a.path) && (!best || a.path.length >= best.path.length)) best = a;
    if (best) return { ...best.location, exact: hasPath(best.value, path.slice(best.path.length)) };
    const inFile = locate(path, target);
    if (inFile.exact) return inFile;
    // a field missing below something that only a --set created: point at that --set
    const below = applied.find((a) => startsWith(a.path, path));
    return below ? { ...below.location, exact: false } : inFile;
  };
  return { ok: true, raw: root, locate: located };
}

function nowhere(): Located {
  return { file: '', line: 0, column: 0, exact: false };
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => String(seg) === String(path[i]));
}

function hasPath(value: unknown, path: readonly PathSegment[]): boolean {
  let cur = value;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number' && seg < cur.length) cur = cur[seg];
    else if (isMapping(cur) && Object.hasOwn(cur, String(seg))) cur = cur[String(seg)];
    else return false;
  }
  return true;
}

/** Splits `path=value`, parses both; reports problems through `fail` (column is 1-based). */
function parseSetArgument(arg: string, fail: (column: number, message: string, hint?: string) => void): ParsedSet | undefined {
  const eq = arg.indexOf('=');
  if (eq < 0) {
    const spaced = /^([\w.[\]-]+)(?:\s+|:\s*)(\S.*)$/.exec(arg);
    fail(1, `expected PATH=VALUE, got ${JSON.stringify(arg)}`, spaced
      ? `write --set ${spaced[1]}=${spaced[2]}`
      : 'e.g. --set cluster.nodes=1000 or --set releases.delta="100 KB"');
    return undefined;
  }
  const pathText = arg.slice(0, eq);
  const valueText = arg.slice(eq + 1);
  const segments = parseSetPath(pathText, fail);
  if (!segments) return undefined;
  const valueColumn = eq + 2;
  if (valueText.trim() === '') {
    fail(valueColumn, `the value after "=" is empty`, `write ${pathText}=null to set null, or ${pathText}='""' for an empty string`);
    return undefined;
  }
  const doc = parseDocument(valueText, { prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    fail(valueColumn + problem.pos[0], `invalid value ${JSON.stringify(valueText)}: ${lowerFirst(problem.message)}`,
      'the value is read as YAML; quote it (and quote it again for your shell) to pass it as a string');
    return undefined;
  }
  // toJS throws on what only resolving reveals (an alias without its anchor, an alias bomb).
  try {
    return { segments, value: doc.toJS({ maxAliasCount: 100 }), valueColumn };
  } catch (e) {
    fail(valueColumn, `invalid value ${JSON.stringify(valueText)}: ${lowerFirst((e as Error).message)}`,
      'the value is read as YAML; quote it (and quote it again for your shell) to pass it as a string');
    return undefined;
  }
}

/** `a.b.0.c`, `a.b[0].c`, `labels["x.y"]` */
function parseSetPath(text: string, fail: (column: number, message: string, hint?: string) => void): SetSegment[] | undefined {
  if (text.trim() === '') {
    fail(1, 'the path before "=" is empty', 'e.g. --set cluster.nodes=1000');
    return undefined;
  }
  const segments: SetSegment[] = [];
  const token = /([^.[\]"\s=]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\.)/y;
  let expectName = true;
  let pos = 0;
  while (pos < text.length) {
    token.lastIndex = pos;
    const m = token.exec(text);
    if (!m) {
      fail(pos + 1, `invalid path ${JSON.stringify(text)}: unexpected ${JSON.stringify(text[pos])} at column ${pos + 1}`,
        'write a dotted path such as cluster.nodes or variants[0].name');
      return undefined;
    }
    const [all, name, index, quoted, dot] = m;
    if (dot) {
      if (expectName) {
        fail(pos + 1, `invalid path ${JSON.stringify(text)}: empty segment at column ${pos + 1}`, 'remove the extra "."');
        return undefined;
      }
      expectName = true;
    } else if (index !== undefined) {
      if (segments.length === 0) {
        fail(pos + 1, `invalid path ${JSON.stringify(text)}: it cannot start with an index`);
        return undefined;
      }
      segments.push({ index: Number(index), bracket: true });
      expectName = false;
    } else {
      if (!expectName) {
        fail(pos + 1, `invalid path ${JSON.stringify(text)}: expected "." before ${JSON.stringify(all)}`);
        return undefined;
      }
      const key = quoted !== undefined ? (JSON.parse(quoted) as string) : name!;
      if (FORBIDDEN_KEYS.has(key)) {
        fail(pos + 1, `the key ${JSON.stringify(key)} cannot be set`);
        return undefined;
      }
      segments.push({ key, bracket: false });
      expectName = false;
    }
    pos += all.length;
  }
  if (expectName) {
    fail(text.length, `invalid path ${JSON.stringify(text)}: it ends with "."`, 'remove the trailing "."');
    return undefined;
  }
  return segments;
}

type SetResult = { root: unknown; path: PathSegment[] } | { error: string; hint?: string; path: PathSegment[] };

/** Sets `value` at `segments` inside `root` (mutated; it is already a copy), creating what is missing. */
function setAt(root: unknown, segments: readonly SetSegment[], value: unknown): SetResult {
  const path: PathSegment[] = [];
  let cur = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    let slot: PathSegment;
    if (Array.isArray(cur)) {
      const index = seg.bracket ? seg.index : /^\d+$/.test(seg.key) ? Number(seg.key) : undefined;
      if (index === undefined) {
        return { error: `${formatPath(path) || 'the scenario'} is a list, so "${(seg as { key: string }).key}" cannot be set in it`,
          hint: `use an index, e.g. ${formatPath([...path, 0])}`, path: [...path] };
      }
      if (index > cur.length) {
        return { error: `index ${index} is past the end of ${formatPath(path)}, which has ${cur.length} item${cur.length === 1 ? '' : 's'}`,
          hint: `use an index from 0 to ${cur.length} (${cur.length} appends)`, path: [...path, index] };
      }
      slot = index;
    } else if (isMapping(cur)) {
      if (seg.bracket) {
        return { error: `${formatPath(path) || 'the scenario'} is a mapping, not a list`,
          hint: `write a key, e.g. ${formatPath(path)}.name`, path: [...path] };
      }
      slot = seg.key;
    } else {
      return { error: `cannot set ${formatPath([...path, seg.bracket ? seg.index : seg.key])}: ${formatPath(path) || 'the scenario'} is ${describeType(cur)} (${showValue(cur)}), not a mapping or list`,
        hint: `set ${formatPath(path)} itself, e.g. --set '${formatPath(path)}={...}'`, path: [...path] };
    }
    path.push(slot);
    const container = cur as Record<string | number, unknown>;
    if (last) {
      container[slot] = value;
    } else {
      const next = container[slot];
      if (next === undefined || next === null) {
        const nextSeg = segments[i + 1];
        container[slot] = nextSeg.bracket || /^\d+$/.test(nextSeg.key) ? [] : {};
      }
      cur = container[slot];
    }
  }
  return { root, path };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
