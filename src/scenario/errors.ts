// User mistakes in a scenario are data (ScenarioIssue), printed by one formatter (formatIssues).
// The CLI catches ScenarioError, prints formatIssues(error.issues) and exits 2; never a stack trace.

export type PathSegment = string | number;

/** Where a field sits: a scenario file position, or a `--set` argument (file "--set"). */
export interface SourceLocation {
  /** Scenario file path as given by the user, or "--set" for a command-line override. */
  file: string;
  /** 1-based line; for "--set", which `--set` argument (1-based); 0 when unknown. */
  line: number;
  /** 1-based column; for "--set", the column of the value inside the argument; 0 when unknown. */
  column: number;
  /** For "--set": the whole argument, e.g. `cluster.nodes=-5`, so the formatter can show it. */
  source?: string;
}

/** A location plus whether the whole path exists there (false: the deepest existing ancestor). */
export interface Located extends SourceLocation {
  exact: boolean;
}

/**
 * Maps a field path to where it is written. 'value' (default) points at the value, 'key' at the key
 * of a mapping entry. A path that does not exist points at its deepest existing ancestor's key.
 */
export type Locator = (path: readonly PathSegment[], target?: 'value' | 'key') => Located;

/** What validation and issueAt need: any function from a path to a location (a Locator is one). */
export type LocateFn = (path: readonly PathSegment[], target?: 'value' | 'key') => SourceLocation;

/** The location fields of whatever a locator returned (drops `exact`). */
export function locationOf(loc: SourceLocation): SourceLocation {
  return { file: loc.file, line: loc.line, column: loc.column, ...(loc.source !== undefined ? { source: loc.source } : {}) };
}

export type IssueCode =
  | 'file' // the file cannot be read
  | 'syntax' // YAML / JSON syntax
  | 'override' // a malformed --set
  | 'unknown-key'
  | 'missing'
  | 'invalid-type'
  | 'invalid-value'
  | 'custom';

export interface ScenarioIssue extends SourceLocation {
  path: PathSegment[];
  /** The offending value as written (undefined when missing). */
  value: unknown;
  message: string;
  /** How to fix it, e.g. `did you mean "nodes"?`. */
  hint?: string;
  code?: IssueCode;
}

/** Thrown by higher-level code (run/compare/sweep) when a scenario is unusable; carries every issue. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly issues: readonly ScenarioIssue[];
  constructor(issues: readonly ScenarioIssue[]) {
    const n = issues.length;
    super(`${n} problem${n === 1 ? '' : 's'} in the scenario:\n${formatIssues(issues)}`);
    this.issues = issues;
  }
}

/** Builds an issue at `path`, positioned by a locator (from the loader or --set overrides). */
export function issueAt(
  locate: LocateFn,
  path: readonly PathSegment[],
  value: unknown,
  message: string,
  hint?: string,
  code: IssueCode = 'custom',
): ScenarioIssue {
  return { ...locationOf(locate(path)), path: [...path], value, message, ...(hint ? { hint } : {}), code };
}

// ---------------------------------------------------------------- printing

/**
 * One issue per line: `file:line:col  path: message`, the hint (if any) on an indented second line.
 *   scenarios/x.yaml:12:10  releases.delta: invalid size "100 MBs"
 *       hint: did you mean "100 MB"? ("MBs" looks like a rate; a size was expected, e.g. "100 KB")
 */
export function formatIssues(issues: readonly ScenarioIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

export function formatIssue(issue: ScenarioIssue): string {
  const where = formatLocation(issue);
  const what = issue.path.length > 0 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message;
  const head = where ? `${where}  ${what}` : what;
  return issue.hint ? `${head}\n    hint: ${issue.hint}` : head;
}

function formatLocation(loc: SourceLocation): string {
  if (loc.file === '--set' || loc.file === '--param') return loc.source !== undefined ? `${loc.file} ${loc.source}` : loc.file;
  if (loc.line <= 0) return loc.file;
  return loc.column > 0 ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`;
}

/** `variants[0].name`; keys that are not plain identifiers are bracketed: `labels["a.b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A value as the user would recognise it: JSON-style, truncated when long. */
export function showValue(value: unknown, max = 60): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'bigint') return `${value}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Names the type of a raw (YAML/JSON) value in the user's terms. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

// ---------------------------------------------------------------- "did you mean"

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition), so `nodse` is one
 * edit from `nodes`.
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/** Case, `-` and `_` do not count as edits: `max_concurrent_downloads` ≈ `maxConcurrentDownloads`. */
function normalizeWord(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The one candidate closest to `word`, if it is close enough to be a plausible typo
 * (distance ≤ 1 for short words, ≤ 2 otherwise, and less than the word's length); undefined when
 * nothing is close or two candidates tie.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = normalizeWord(word);
  const limit = w.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const c of new Set(candidates)) {
    if (c === word) continue;
    const d = editDistance(w, normalizeWord(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance && normalizeWord(c) !== normalizeWord(best ?? '')) {
      tie = true;
    }
  }
  if (best === undefined || tie || bestDistance > limit || bestDistance >= Math.max(w.length, 1)) return undefined;
  return best;
}

/** `"a", "b" or "c"` */
export function listValues(values: readonly unknown[], max = 12): string {
  const shown = values.slice(0, max).map((v) => showValue(v));
  if (values.length > max) shown.push(`… (${values.length - max} more)`);
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}
