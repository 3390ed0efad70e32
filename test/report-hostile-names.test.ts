/**
 * A scenario whose every user string is hostile (test/fixtures/hostile-names.yaml: script tags, attribute
 * breakouts, Markdown links, table pipes, backticks, spreadsheet formulas, a CR, bidi overrides) gives a
 * Markdown export where each string is inert text and a CSV where no cell can run as a formula. The HTML
 * report of the same scenario is checked in a browser (browser-report-hostile-names.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, simulate } from '../src/run.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { renderCsv } from '../src/report/csv.ts';
import { escapeMarkdown } from '../src/report/markdown.ts';
import { revealHidden, singleLine } from '../src/report/untrusted.ts';
import type { RunResult } from '../src/metrics/result.ts';

const FIXTURE = 'test/fixtures/hostile-names.yaml';
let cached: RunResult | undefined;
async function result(): Promise<RunResult> {
  cached ??= simulate(await loadScenario(FIXTURE));
  return cached;
}

/** Cells of a Markdown table row, split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.slice(1, -1).split(/(?<!\\)\|/);
}

/** RFC 4180, as a spreadsheet reads it: quoted fields with doubled quotes, CRLF or LF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  return rows;
}

const HIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('hostile names in the Markdown export', () => {
  it('are inert text: no raw HTML, no link, no code span, no table break, no hidden character', async () => {
    const r = await result();
    const md = renderMarkdown(r);
    // No markup at all: every < and > of a name is an entity.
    expect(md).not.toMatch(/[<>]/);
    expect(md).not.toMatch(HIDDEN);
    // Link and code syntax only escaped (the code spans are pullsim's own identifiers).
    const prose = md.replace(/`(== 0|[a-z0-9_]+)`/g, '');
    expect(prose).not.toMatch(/(?<!\\)[`[\]]/);
    // Every table row has exactly as many cells as its header.
    const lines = md.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith('| :---') && !lines[i].startsWith('| ---')) continue;
      const width = cells(lines[i - 1]).length;
      for (let j = i + 1; j < lines.length && lines[j].startsWith('|'); j++) expect(cells(lines[j]), lines[j]).toHaveLength(width);
    }
    // Each name is there, escaped exactly once.
    for (const v of r.variants) expect(md).toContain(escapeMarkdown(v.name));
    expect(md).toContain('\\](javascript:alert(7))');
    expect(md).toContain('@SUM(A1) \\| pipe \\`tick\\` &lt;U+202E&gt;gnp.exe');
    expect(md.split('\n')[0]).toBe(`# ${escapeMarkdown(r.scenario.name)}`);
  });

  it('escape leading block markers, CRs and bidi controls in any string', () => {
    expect(escapeMarkdown('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdown('- not a list')).toBe('\\- not a list');
    expect(escapeMarkdown('1. not a list')).toBe('1\\. not a list');
    expect(escapeMarkdown('a\rb\r\nc\nd')).toBe('a b c d');
    expect(escapeMarkdown('x\u202Ey')).toBe('x&lt;U+202E&gt;y');
    expect(singleLine('\u001b]0;title\u0007')).toBe('<U+001B>]0;title<U+0007>');
    expect(revealHidden('tab\tstays')).toBe('tab\tstays');
  });
});

describe('hostile names in the CSV export', () => {
  it('never start a cell a spreadsheet would run as a formula, and otherwise keep the exact string', async () => {
    const r = await result();
    const rows = parseCsv(renderCsv(r));
    expect(rows).toHaveLength(1 + r.variants.length);
    const header = rows[0];
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    for (const row of rows) {
      for (const cell of row) {
        // Numbers (a metric can be negative) are data; every text cell is guarded.
        if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(cell)) continue;
        expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    const col = (name: string) => header.indexOf(name);
    r.variants.forEach((v, i) => {
      const row = rows[i + 1];
      const guard = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      expect(row[col('variant')]).toBe(guard(v.name));
      expect(row[col('description')]).toBe(guard(v.description));
      expect(row[col('scenario')]).toBe(r.scenario.name);
    });
    expect(rows[2][col('variant')]).toBe(`'=HYPERLINK("https://evil.example","x")`);
    expect(rows[4][col('description')]).toBe(`'\ttab\rcr </script><script>alert(8)</script> \${x} {{x}}`);
  });
});
