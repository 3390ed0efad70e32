// Scenario text → raw object with a source map → (--set overrides) → zod validation, every problem
// reported as a ScenarioIssue with file:line:column, the bad value and a hint. Nothing here prints.

import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import {
  closest,
  describeType,
  listValues,
  showValue,
  locationOf,
  type IssueCode,
  type LocateFn,
  type Locator,
  type PathSegment,
  type ScenarioIssue,
  type SourceLocation,
} from './errors.ts';
import { applySetOverrides } from './overrides.ts';

export { applySetOverrides } from './overrides.ts';

export type ParseResult = { ok: true; raw: unknown; locate: Locator } | { ok: false; issues: ScenarioIssue[] };
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ScenarioIssue[] };
export type LoadResult<T> =
  | { ok: true; value: T; raw: unknown; locate: Locator }
  | { ok: false; issues: ScenarioIssue[] };

export interface ValidateOptions {
  /**
   * Keys allowed in the mapping at `path`, for "did you mean" on unknown keys. Default: read from the
   * schema (objects, through optional/default/pipe/lazy, union options matched by their literal fields).
   */
  allowedKeys?: (path: readonly PathSegment[], raw: unknown) => readonly string[] | undefined;
}

// ---------------------------------------------------------------- parsing

/**
 * Parses YAML (or JSON, when `file` ends in .json) into a plain object plus a locator for field
 * paths. Syntax errors, duplicate keys and unresolved tags are issues with line and column.
 */
export function parseScenarioText(text: string, file: string): ParseResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const isJson = /\.json$/i.test(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, merge: !isJson, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, source.length)));
    return { file, line, column: col };
  };
  const syntax = (offset: number, message: string, hint?: string): ScenarioIssue => ({
    ...at(offset), path: [], value: undefined, message, ...(hint ? { hint } : {}), code: 'syntax',
  });

  let raw: unknown;
  if (isJson) {
    try {
      raw = JSON.parse(source);
    } catch (e) {
      const found = findJsonSyntaxError(source) ?? { offset: jsonErrorOffset(e, source), message: String((e as Error).message) };
      return { ok: false, issues: [syntax(found.offset, `JSON syntax error: ${found.message}`, found.hint)] };
    }
    // JSON.parse keeps the last of duplicate keys silently; a scenario with two `nodes:` is a mistake
    const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (duplicates.length > 0) {
      return {
        ok: false,
        issues: duplicates.map((e) => syntax(e.pos[0], `duplicate key ${keyAt(source, e.pos[0])}`.trimEnd(), 'each key may appear once in an object; remove or merge the duplicate')),
      };
    }
  } else {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      // Once the parser loses the structure, every later token is "unexpected" too (one swapped line gave
      // 211 such errors): the first one is where to look, the rest are its echo and only counted.
      const unexpected = problems.filter((e) => e.code === 'UNEXPECTED_TOKEN');
      const shown = problems.filter((e) => e.code !== 'UNEXPECTED_TOKEN' || e === unexpected[0]);
      const echoes = unexpected.length - 1;
      return {
        ok: false,
        issues: shown.map((e) => e.code === 'DUPLICATE_KEY'
          ? syntax(e.pos[0], `duplicate key ${keyAt(source, e.pos[0])}`.trimEnd(), YAML_HINTS[e.code])
          : syntax(e.pos[0], `YAML syntax error: ${lowerFirst(e.message)}`,
            e.code === 'UNEXPECTED_TOKEN' && echoes > 0 ? `${YAML_HINTS[e.code]} (${echoes} more errors after it follow from the same break)` : YAML_HINTS[e.code])),
      };
    }
    try {
      raw = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      return { ok: false, issues: [syntax(0, `YAML error: ${lowerFirst((e as Error).message)}`)] };
    }
  }
  if (raw === null || raw === undefined) {
    return { ok: false, issues: [syntax(0, 'the scenario file is empty', 'write the scenario as `key: value` lines, e.g. `version: 1`')] };
  }
  return { ok: true, raw, locate: yamlLocator(doc, at) };
}

/** The key written at `offset` (quoted or plain), for messages; '' when there is none. */
function keyAt(source: string, offset: number): string {
  const m = /"(?:[^"\\]|\\.)*"|'[^']*'|[^\s:,{}[\]]+/y;
  m.lastIndex = offset;
  const k = m.exec(source)?.[0];
  if (!k) return '';
  return k.startsWith("'") ? JSON.stringify(k.slice(1, -1)) : k.startsWith('"') ? k : JSON.stringify(k);
}

const YAML_HINTS: Partial<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  DUPLICATE_KEY: 'each key may appear once in a mapping; remove or merge the duplicate',
  BAD_INDENT: 'the entries of one mapping or list must start in the same column',
  MULTIPLE_DOCS: 'a scenario file holds one YAML document; remove the extra "---"',
  MISSING_CHAR: 'a quote or bracket is not closed',
  MULTILINE_IMPLICIT_KEY: 'every line of a mapping needs "key: value", with a space after the colon',
  BLOCK_AS_IMPLICIT_KEY: 'quote a value that contains ": ", or put the nested mapping on its own indented lines',
  BAD_SCALAR_START: 'quote a value that starts with a special character such as @, `, %, | or >',
  TAG_RESOLVE_FAILED: 'scenario files use no YAML tags; remove the "!tag" or quote the value',
  UNEXPECTED_TOKEN:
    'the document\'s structure broke at or before this point: look above it for a line indented unlike its neighbours, a missing "key:", or an unclosed quote or bracket',
};

/** Source map from field paths to YAML nodes; follows aliases and `<<` merge keys. */
function yamlLocator(doc: Document.Parsed, at: (offset: number) => SourceLocation): Locator {
  type Entry = { node: unknown; key?: Node };
  const start = (e: Entry, target: 'value' | 'key'): SourceLocation => {
    const node = e.node as Node | null | undefined;
    const empty = !node?.range || node.range[0] === node.range[1];
    if (e.key?.range && (target === 'key' || empty)) return at(e.key.range[0]);
    return node?.range ? at(node.range[0]) : at(0);
  };
  const child = (node: unknown, seg: PathSegment, depth = 0): Entry | undefined => {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const merges: unknown[] = [];
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const k = isScalar(key) ? key.value : key;
        if (typeof k === 'symbol' || (isScalar(key) && key.source === '<<')) merges.push(pair.value);
        else if (String(k) === String(seg)) return { node: pair.value, key: key ?? undefined };
      }
      if (depth > 20) return undefined;
      for (const m of merges) {
        for (const source of isSeq(m) ? m.items : [m]) {
          const found = child(source, seg, depth + 1);
          if (found) return found;
        }
      }
      return undefined;
    }
    if (isSeq(node)) {
      const i = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      return i >= 0 && i < node.items.length ? { node: node.items[i] } : undefined;
    }
    return undefined;
  };
  return (path, target = 'value') => {
    let entry: Entry = { node: doc.contents };
    for (let i = 0; i < path.length; i++) {
      const next = child(entry.node, path[i]);
      if (!next) return { ...start(entry, 'key'), exact: false };
      entry = next;
    }
    return { ...start(entry, target), exact: true };
  };
}

// ---------------------------------------------------------------- JSON syntax errors

interface JsonProblem {
  offset: number;
  message: string;
  hint?: string;
}

/**
 * A small JSON scanner, run only when JSON.parse fails, because V8's messages do not always carry a
 * position ("Unexpected token '}', …") and never say how to fix the common mistakes.
 */
export function findJsonSyntaxError(text: string): JsonProblem | undefined {
  let i = 0;
  const stop = (message: string, hint?: string, offset = i): never => {
    throw { offset, message, hint } satisfies JsonProblem;
  };
  const ws = (): void => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) stop('comments are not allowed in JSON', 'remove the comment, or write the scenario as YAML (.yaml), which has # comments');
      else return;
    }
  };
  const str = (): void => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined) stop('unterminated string', 'close the string with a double quote');
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else stop(`invalid escape "\\${e ?? ''}" in a string`, 'write a backslash as "\\\\"');
      } else if (c < ' ') {
        stop(c === '\n' ? 'line break inside a string' : 'control character inside a string', 'close the string on the same line; write a line break as "\\n"');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === undefined) stop('unexpected end of file: a value is missing');
    if (c === '{') return container('}', true);
    if (c === '[') return container(']', false);
    if (c === '"') return str();
    if (c === "'") stop('strings must use double quotes in JSON', 'replace the single quotes with double quotes');
    const num = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    num.lastIndex = i;
    const n = num.exec(text);
    if (n) {
      i += n[0].length;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    const bare = /[A-Za-z_$][\w$.\-/ ]*/y;
    bare.lastIndex = i;
    const b = bare.exec(text);
    stop(b ? `unquoted value ${JSON.stringify(b[0].trim())}` : `unexpected character ${JSON.stringify(c)}`,
      b ? 'JSON strings need double quotes, e.g. "100 KB"' : undefined);
  };
  const container = (close: '}' | ']', isObject: boolean): void => {
    i++; // opening bracket
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (isObject) {
        if (text[i] === "'") stop('property names must use double quotes in JSON', 'replace the single quotes with double quotes');
        if (text[i] !== '"') {
          stop(text[i] === undefined ? 'unexpected end of file inside an object' : 'expected a double-quoted property name',
            /[A-Za-z_$]/.test(text[i] ?? '') ? 'JSON property names need double quotes: "name": value' : undefined);
        }
        str();
        ws();
        if (text[i] !== ':') stop('expected ":" after the property name');
        i++;
      }
      const begin = i;
      value();
      const end = i;
      const unit = /[ \t]*[A-Za-z%$]/y;
      unit.lastIndex = end;
      const numberStart = /\s*(?=-?\d)/y;
      numberStart.lastIndex = begin;
      if (unit.test(text) && numberStart.exec(text)) {
        stop('a number with a unit must be a quoted string', 'write it in double quotes, e.g. "100 KB"', numberStart.lastIndex);
      }
      ws();
      const c = text[i];
      if (c === ',') {
        const comma = i;
        i++;
        ws();
        if (text[i] === close) stop(`trailing comma before "${close}"`, 'JSON allows no comma after the last entry; remove it', comma);
        continue;
      }
      if (c === close) {
        i++;
        return;
      }
      if (c === undefined) stop(`unexpected end of file: missing "${close}"`);
      stop(`missing "," after this value (or "${close}" to close the ${isObject ? 'object' : 'list'})`,
        'separate entries with commas', end);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) stop('unexpected text after the end of the JSON value', 'a JSON file holds exactly one value');
    return undefined;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'offset' in e && 'message' in e) return e as JsonProblem;
    throw e;
  }
}

function jsonErrorOffset(e: unknown, text: string): number {
  const m = /at position (\d+)/.exec(String((e as Error)?.message));
  return m ? Number(m[1]) : text.length;
}

// ---------------------------------------------------------------- validation

/** Marks zod's default messages, so the ones a schema author wrote are kept as they are. */
const DEFAULT_MESSAGE = '\u0000default';
const markDefault = (): string => DEFAULT_MESSAGE;

type ZodIssue = z.core.$ZodIssue;

interface Context {
  raw: unknown;
  locate: LocateFn;
  schema: z.core.$ZodType;
  allowedKeys?: ValidateOptions['allowedKeys'];
}

/**
 * Validates `raw` against `schema`, reporting every problem (not just the first) as a ScenarioIssue
 * positioned by `locate`, in file order. Unknown keys get a "did you mean"; custom issues keep their
 * message and take their hint from `params.hint`.
 */
export function validateScenario<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  locate: LocateFn,
  options: ValidateOptions = {},
): ValidationResult<T> {
  const result = schema.safeParse(raw, { error: markDefault });
  if (result.success) return { ok: true, value: result.data };
  const ctx: Context = { raw, locate, schema, allowedKeys: options.allowedKeys };
  const issues = result.error.issues.flatMap((iss) => translate(iss, [], ctx));
  return { ok: false, issues: sortIssues(prune(dedupe(issues))) };
}

/**
 * One mistake, one line. A misspelt key whose "did you mean" names a missing required key is the whole
 * story (`nodse` → "did you mean nodes?" says `nodes` is missing); and a cross-field check on a field
 * that is itself invalid (600 zones: over the maximum) has nothing to add.
 */
function prune(issues: ScenarioIssue[]): ScenarioIssue[] {
  const key = (path: readonly PathSegment[]): string => JSON.stringify(path);
  const suggested = new Set<string>();
  for (const i of issues) {
    const m = i.code === 'unknown-key' ? /^did you mean "(.+)"\?$/.exec(i.hint ?? '') : null;
    if (m) suggested.add(key([...i.path.slice(0, -1), m[1]]));
  }
  const invalid = new Set(issues.filter((i) => i.code !== 'custom').map((i) => key(i.path)));
  return issues.filter(
    (i) => !(i.code === 'missing' && suggested.has(key(i.path))) && !(i.code === 'custom' && invalid.has(key(i.path))),
  );
}

function translate(iss: ZodIssue, prefix: readonly PathSegment[], ctx: Context): ScenarioIssue[] {
  const path = [...prefix, ...iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const value = valueAt(ctx.raw, path);
  const isDefault = iss.message === DEFAULT_MESSAGE;
  const make = (message: string, hint?: string, code: IssueCode = 'invalid-value', target: 'value' | 'key' = 'value', at = path): ScenarioIssue => {
    return { ...locationOf(ctx.locate(at, target)), path: at, value: valueAt(ctx.raw, at), message, ...(hint ? { hint } : {}), code };
  };

  if (iss.code === 'unrecognized_keys') {
    return iss.keys.map((key) => {
      const { hint } = unknownKeyHint(ctx, path, key);
      return make(`unknown key ${JSON.stringify(key)}`, hint, 'unknown-key', 'key', [...path, key]);
    });
  }
  if (!isDefault && !hasPath(ctx.raw, path) && (iss.code === 'invalid_union' || iss.code === 'invalid_type' || iss.code === 'invalid_value')) {
    return [make(missingMessage(path), iss.message, 'missing')];
  }
  if (iss.code === 'invalid_union' && isDefault) {
    if ('discriminator' in iss && iss.discriminator !== undefined) {
      const options = (iss as { options?: unknown[] }).options ?? [];
      if (!hasPath(ctx.raw, path)) return [make(missingMessage(path), `one of ${listValues(options)}`, 'missing')];
      const near = typeof value === 'string' ? closest(value, options.filter((o): o is string => typeof o === 'string')) : undefined;
      return [make(`unknown ${iss.discriminator} ${showValue(value)}: expected one of ${listValues(options)}`,
        near ? `did you mean ${JSON.stringify(near)}?` : undefined)];
    }
    const branches = iss.errors;
    const best = [...branches].sort((a, b) => branchScore(a) - branchScore(b))[0] ?? [];
    if (best.length === 0 || branchScore(best) >= 1000) {
      const expected = branches.flatMap((b) => b.filter((i) => i.code === 'invalid_type' && i.path.length === 0)
        .map((i) => typeWord((i as { expected: string }).expected)));
      const words = [...new Set(expected)];
      if (!hasPath(ctx.raw, path)) return [make(missingMessage(path), words.length ? `expected ${words.join(' or ')}` : undefined, 'missing')];
      return [make(words.length ? `expected ${words.join(' or ')}, got ${gotText(value)}` : `invalid value ${showValue(value)}`, undefined, 'invalid-type')];
    }
    return best.flatMap((i) => translate(i, path, ctx));
  }
  if ((iss.code === 'invalid_key' || iss.code === 'invalid_element') && isDefault) {
    const inner = iss.issues.flatMap((i) => translate(i, path, ctx));
    if (iss.code === 'invalid_element') return inner;
    return inner.map((i) => ({ ...i, message: `invalid key ${JSON.stringify(String(path[path.length - 1]))}: ${i.message}` }));
  }
  if (!isDefault) {
    const hint = iss.code === 'custom' && typeof iss.params?.hint === 'string' ? iss.params.hint : undefined;
    if (iss.code === 'custom') return [make(iss.message, hint, 'custom')];
    return [make(iss.message, hint, iss.code === 'invalid_type' ? 'invalid-type' : 'invalid-value')];
  }
  return [defaultIssue(iss, path, value, ctx, make)];
}

/** zod's default messages, rewritten in the user's terms with a fix where one is likely. */
function defaultIssue(
  iss: ZodIssue,
  path: PathSegment[],
  value: unknown,
  ctx: Context,
  make: (message: string, hint?: string, code?: IssueCode) => ScenarioIssue,
): ScenarioIssue {
  const missing = !hasPath(ctx.raw, path);
  switch (iss.code) {
    case 'invalid_type': {
      const expected = typeWord(iss.expected);
      if (missing) return make(missingMessage(path), missingHint(iss.expected, path, ctx), 'missing');
      return make(`expected ${expected}, got ${gotText(value)}`, typeHint(iss.expected, value, path), 'invalid-type');
    }
    case 'invalid_value': {
      const values = iss.values;
      const expected = values.length === 1 ? showValue(values[0]) : `one of ${listValues(values)}`;
      if (missing) return make(missingMessage(path), expected, 'missing');
      const near = typeof value === 'string' ? closest(value, values.filter((v): v is string => typeof v === 'string')) : undefined;
      return make(`expected ${expected}, got ${showValue(value)}`, near ? `did you mean ${JSON.stringify(near)}?` : undefined);
    }
    case 'too_small':
    case 'too_big':
      return make(boundMessage(iss, value));
    case 'not_multiple_of':
      return make(`must be a multiple of ${String(iss.divisor)}, got ${showValue(value)}`);
    case 'invalid_format': {
      const f = iss as z.core.$ZodIssueInvalidStringFormat;
      if (f.format === 'regex' && f.pattern) return make(`expected text matching /${f.pattern}/, got ${showValue(value)}`);
      if (f.format === 'starts_with') return make(`must start with ${JSON.stringify((f as { prefix?: string }).prefix)}, got ${showValue(value)}`);
      if (f.format === 'ends_with') return make(`must end with ${JSON.stringify((f as { suffix?: string }).suffix)}, got ${showValue(value)}`);
      if (f.format === 'includes') return make(`must contain ${JSON.stringify((f as { includes?: string }).includes)}, got ${showValue(value)}`);
      return make(`expected a valid ${f.format}, got ${showValue(value)}`);
    }
    case 'custom':
      return make(`invalid value ${showValue(value)}`, typeof iss.params?.hint === 'string' ? iss.params.hint : undefined, 'custom');
    default:
      return make(`invalid value ${showValue(value)}`);
  }
}

/** Lower is a better guess of which union branch the user meant. */
function branchScore(issues: readonly ZodIssue[]): number {
  let score = issues.length;
  for (const i of issues) {
    if (i.path.length === 0 && i.code === 'invalid_type') score += 1000;
    if (i.path.length === 1 && i.code === 'invalid_value') score += 100; // a literal tag that does not match
    if (i.code === 'unrecognized_keys') score += i.keys.length;
  }
  return score;
}

function missingMessage(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? `missing required field ${JSON.stringify(last)}` : 'missing value';
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false', bigint: 'an integer',
  object: 'a mapping', record: 'a mapping', map: 'a mapping', array: 'a list', tuple: 'a list', set: 'a list',
  null: 'null', undefined: 'nothing', date: 'a date', nan: 'NaN', never: 'nothing (remove this field)',
};
const typeWord = (expected: string): string => TYPE_WORDS[expected] ?? `a ${expected}`;

/** What to write for a missing field: its type, or for a required section (zod says "nonoptional") its keys. */
function missingHint(expected: string, path: readonly PathSegment[], ctx: Context): string {
  if (TYPE_WORDS[expected]) return `expected ${TYPE_WORDS[expected]}`;
  return missingSectionHint(allowedKeysAt(ctx.schema as Schema, path, ctx.raw));
}

/** The hint for a missing section whose schema allows `keys`. */
export function missingSectionHint(keys: readonly string[]): string {
  if (keys.length === 0) return 'add it; `pullsim schema` shows what it takes';
  const some = keys.slice(0, 4).join(', ') + (keys.length > 4 ? ', …' : '');
  return `add it: a mapping of ${some} (\`pullsim schema\` lists them all)`;
}

function gotText(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) return describeType(value);
  return showValue(value);
}

function typeHint(expected: string, value: unknown, path: readonly PathSegment[]): string | undefined {
  const name = path.length ? String(path[path.length - 1]) : 'the scenario';
  if ((expected === 'number' || expected === 'int') && typeof value === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(value.trim())) return `remove the quotes: ${value.trim()}`;
    const grouped = /^\d{1,3}([,_ ]\d{3})+$/.exec(value.trim());
    if (grouped) return `write ${value.replace(/[,_ ]/g, '')} without thousands separators`;
    if (/^\d/.test(value)) return 'this field is a plain number without a unit';
  }
  if (expected === 'int' && typeof value === 'number') return `use a whole number, e.g. ${Math.round(value)}`;
  if (expected === 'boolean' && typeof value === 'string' && /^(yes|no|on|off|true|false|y|n)$/i.test(value)) {
    return `write true or false without quotes (YAML 1.2 reads ${JSON.stringify(value)} as a string)`;
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return `quote it: "${String(value)}"`;
  if ((expected === 'object' || expected === 'record') && value === null) return `add the fields of ${name} on indented lines below it`;
  if ((expected === 'array' || expected === 'tuple') && !Array.isArray(value)) return 'write a list: one "- item" per line, or [a, b]';
  return undefined;
}

function boundMessage(iss: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const small = iss.code === 'too_small';
  const limit = small ? (iss as z.core.$ZodIssueTooSmall).minimum : (iss as z.core.$ZodIssueTooBig).maximum;
  const n = String(limit);
  const inclusive = iss.inclusive !== false;
  const got = Array.isArray(value) ? `${value.length}` : typeof value === 'string' ? `${value.length}` : showValue(value);
  switch (iss.origin) {
    case 'array':
    case 'set': {
      const items = `${n} item${Number(limit) === 1 ? '' : 's'}`;
      if (iss.exact) return `needs exactly ${items}, got ${got}`;
      return `needs ${small ? 'at least' : 'at most'} ${items}, got ${got}`;
    }
    case 'string':
      if (iss.exact) return `must be exactly ${n} characters long, got ${got}`;
      return `must be ${small ? 'at least' : 'at most'} ${n} character${Number(limit) === 1 ? '' : 's'} long, got ${got}`;
    default:
      if (small) return `must be ${inclusive ? 'at least' : 'greater than'} ${n}, got ${got}`;
      return `must be ${inclusive ? 'at most' : 'less than'} ${n}, got ${got}`;
  }
}

function unknownKeyHint(ctx: Context, path: readonly PathSegment[], key: string): { hint?: string } {
  const allowed = ctx.allowedKeys?.(path, ctx.raw) ?? allowedKeysAt(ctx.schema, path, ctx.raw);
  if (allowed.length === 0) return {};
  const here = valueAt(ctx.raw, path);
  const unused = allowed.filter((k) => !(isMapping(here) && Object.hasOwn(here, k)));
  const near = closest(key, unused) ?? closest(key, allowed);
  if (near) return { hint: `did you mean ${JSON.stringify(near)}?` };
  return { hint: `allowed here: ${allowed.slice(0, 20).join(', ')}${allowed.length > 20 ? ', …' : ''}` };
}

// ---------------------------------------------------------------- allowed keys from a zod schema

type Schema = z.core.$ZodType;
/** The parts of zod 4's definitions the key walk reads (`_zod.def`, stable across 4.x). */
interface LooseDef {
  type: string;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: readonly Schema[];
  left?: Schema;
  right?: Schema;
  element?: Schema;
  items?: readonly Schema[];
  rest?: Schema | null;
  valueType?: Schema;
  getter?: () => Schema;
}
const defOf = (s: Schema): LooseDef => s._zod.def as unknown as LooseDef;

/** Keys the schema allows in the mapping at `path` (union options picked by their literal fields). */
export function allowedKeysAt(schema: Schema, path: readonly PathSegment[], raw: unknown): string[] {
  let nodes = structural(schema, raw, 0);
  for (let i = 0; i < path.length; i++) {
    const here = valueAt(raw, path.slice(0, i + 1));
    nodes = nodes.flatMap((n) => stepInto(n, path[i])).flatMap((n) => structural(n, here, 0));
  }
  const keys = new Set<string>();
  for (const n of nodes) {
    const d = defOf(n);
    if (d.type === 'object' && d.shape) for (const k of Object.keys(d.shape)) keys.add(k);
  }
  return [...keys];
}

/** Unwraps wrappers down to the schemas that decide the shape of a value. */
function structural(s: Schema, raw: unknown, depth: number): Schema[] {
  if (depth > 64) return [];
  const d = defOf(s);
  switch (d.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return d.innerType ? structural(d.innerType, raw, depth + 1) : [];
    case 'pipe':
      if (!d.in || !d.out) return [];
      return structural(d.in._zod.traits.has('$ZodTransform') ? d.out : d.in, raw, depth + 1);
    case 'lazy':
      return d.getter ? structural(d.getter(), raw, depth + 1) : [];
    case 'intersection':
      return [...(d.left ? structural(d.left, raw, depth + 1) : []), ...(d.right ? structural(d.right, raw, depth + 1) : [])];
    case 'union': {
      const options = (d.options ?? []).flatMap((o) => structural(o, raw, depth + 1));
      const matching = options.filter((o) => literalFieldsMatch(o, raw));
      return matching.length > 0 ? matching : options;
    }
    default:
      return [s];
  }
}

/** An object option whose literal/enum fields disagree with the data is not the one the user meant. */
function literalFieldsMatch(s: Schema, raw: unknown): boolean {
  const d = defOf(s);
  if (d.type !== 'object' || !d.shape || !isMapping(raw)) return true;
  for (const [key, field] of Object.entries(d.shape)) {
    const values = field._zod.values;
    if (values && Object.hasOwn(raw, key) && !values.has(raw[key] as never)) return false;
  }
  return true;
}

function stepInto(s: Schema, seg: PathSegment): Schema[] {
  const d = defOf(s);
  switch (d.type) {
    case 'object': {
      const field = d.shape && Object.hasOwn(d.shape, String(seg)) ? d.shape[String(seg)] : d.catchall;
      return field ? [field] : [];
    }
    case 'array':
      return d.element ? [d.element] : [];
    case 'tuple': {
      const item = typeof seg === 'number' ? d.items?.[seg] : undefined;
      return item ? [item] : d.rest ? [d.rest] : [];
    }
    case 'record':
      return d.valueType ? [d.valueType] : [];
    default:
      return [];
  }
}

// ---------------------------------------------------------------- raw value helpers

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let cur = raw;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isMapping(cur) && Object.hasOwn(cur, String(seg))) cur = cur[String(seg)];
    else return undefined;
  }
  return cur;
}

/** True when every key on the path is present (a key with a null value is present). */
function hasPath(raw: unknown, path: readonly PathSegment[]): boolean {
  let cur = raw;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number' && seg < cur.length) cur = cur[seg];
    else if (isMapping(cur) && Object.hasOwn(cur, String(seg))) cur = cur[String(seg)];
    else return false;
  }
  return cur !== undefined;
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.file}:${i.line}:${i.column}:${JSON.stringify(i.path)}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** File order; --set issues after the file's, in argument order. Stable for equal positions. */
export function sortIssues(issues: readonly ScenarioIssue[]): ScenarioIssue[] {
  const rank = (i: ScenarioIssue): number => (i.file === '--set' ? 1 : 0);
  return [...issues].sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.column - b.column);
}

// ---------------------------------------------------------------- the whole load

/**
 * Reads a scenario file, applies `--set` overrides and validates it. A missing or unreadable file is
 * an issue too (with a "did you mean" for a near file name). Returns the raw object and the locator
 * with the value, so later checks (resolve) can report positioned issues with `issueAt`.
 */
export async function loadScenarioFile<T>(
  path: string,
  sets: readonly string[],
  /** A schema, or a whole validation step (e.g. one that resolves variants) given the raw object and locator. */
  check: z.ZodType<T> | ((raw: unknown, locate: Locator) => ValidationResult<T>),
  options: ValidateOptions = {},
): Promise<LoadResult<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { ok: false, issues: [await fileIssue(path, e as NodeJS.ErrnoException)] };
  }
  const parsed = parseScenarioText(text, path);
  if (!parsed.ok) return parsed;
  const overridden = applySetOverrides(parsed.raw, sets, parsed.locate);
  if (!overridden.ok) return overridden;
  const validated =
    typeof check === 'function'
      ? check(overridden.raw, overridden.locate)
      : validateScenario(check, overridden.raw, overridden.locate, options);
  if (!validated.ok) return validated;
  return { ok: true, value: validated.value, raw: overridden.raw, locate: overridden.locate };
}

const NOT_SCENARIOS = /^(package(-lock)?|tsconfig(\..*)?|jsconfig|npm-shrinkwrap|\.?eslintrc|\.prettierrc|renovate|lerna|nx|turbo)\.json$|\.schema\.json$/i;

async function fileIssue(path: string, e: NodeJS.ErrnoException): Promise<ScenarioIssue> {
  const issue = (message: string, hint?: string): ScenarioIssue => ({
    file: path, line: 0, column: 0, path: [], value: undefined, message, ...(hint ? { hint } : {}), code: 'file',
  });
  const scenarioFiles = async (dir: string): Promise<string[] | undefined> => {
    try {
      // A project's own JSON files (package.json, tsconfig.json) are never what was meant.
      return (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/i.test(f) && !NOT_SCENARIOS.test(f)).sort();
    } catch {
      return undefined;
    }
  };
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') {
    const dir = dirname(path);
    const files = await scenarioFiles(dir);
    if (files === undefined) return issue('cannot read the scenario file: it does not exist', `the directory ${JSON.stringify(dir)} does not exist either`);
    // `pullsim run seed-500-nodes.yaml` from the project root means the bundled scenarios/ one.
    const below = ((await scenarioFiles(join(dir, 'scenarios'))) ?? []).map((f) => join('scenarios', f));
    const name = basename(path);
    const nearBelow = below.some((f) => basename(f) === name) ? name : closest(name, below.map((f) => basename(f)));
    const near = closest(basename(path), files) ?? (nearBelow === undefined ? undefined : join('scenarios', nearBelow));
    const listed = files.length > 0 ? files : below;
    const hint = near
      ? `did you mean ${JSON.stringify(join(dir, near))}?`
      : listed.length > 0 ? `scenario files in ${JSON.stringify(files.length > 0 ? dir : join(dir, 'scenarios'))}: ${listed.slice(0, 10).map((f) => basename(f)).join(', ')}${listed.length > 10 ? ', …' : ''}` : `there are no .yaml or .json files in ${JSON.stringify(dir)}`;
    return issue('cannot read the scenario file: it does not exist', hint);
  }
  if (e.code === 'EISDIR') {
    const files = await scenarioFiles(path);
    return issue('cannot read the scenario file: it is a directory',
      files?.length ? `pass one of its files, e.g. ${JSON.stringify(join(path, files[0]))}` : 'pass a .yaml or .json scenario file');
  }
  if (e.code === 'EACCES' || e.code === 'EPERM') return issue('cannot read the scenario file: permission denied', 'check the file\'s permissions');
  return issue(`cannot read the scenario file: ${e.message}`);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
