import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';
import { embedJson, escapeHtml } from '../src/report/html.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pullsim-html-'));
const SEED = 'scenarios/seed-500-nodes.yaml';
/** A smaller cluster keeps the test quick; the report's shape does not depend on it. */
const SMALL = ['--set', 'cluster.nodes=60', '--variant', 'ecr', '--variant', 'private-registry'];

describe('the HTML report', () => {
  it('escapes the five HTML-significant characters and keeps </script> out of embedded JSON', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = JSON.stringify({ name: '</script><!--' });
    expect(embedJson(json)).not.toContain('<');
    expect(JSON.parse(embedJson(json))).toEqual({ name: '</script><!--' });
  });

  it('is byte-identical for the same scenario and seed, self-contained, verdict before assumptions before charts', () => {
    const a = path.join(dir, 'a.html');
    const b = path.join(dir, 'b.html');
    expect(pullsim(['compare', SEED, ...SMALL, '--html', a, '-q']).status).toBe(0);
    expect(pullsim(['compare', SEED, ...SMALL, '--html', b, '-q']).status).toBe(0);
    const html = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(html);
    // Nothing fetched: no external scripts, stylesheets, images or fonts.
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\s|<img\s|@import|url\(\s*['"]?https?:/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    const order = ['id="verdict"', 'id="assumptions"', 'id="charts"'].map((s) => html.indexOf(s));
    expect(order.every((x) => x > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(html).toContain('@media print');
    // Prices carry their as-of date and source.
    expect(html).toMatch(/<code>nat_gateway_hour<\/code><\/td><td class="num">\$0\.045\/h<\/td><td>2026<\/td><td class="src">[^<]*FACTS\.md/);
    expect((html.match(/<svg /g) ?? []).length).toBe(5);
  });

  it('renders the same report from a saved result JSON (pullsim report)', () => {
    const json = path.join(dir, 'r.json');
    const direct = path.join(dir, 'direct.html');
    const later = path.join(dir, 'later.html');
    const r = pullsim(['compare', SEED, ...SMALL, '--json', json, '--html', direct, '-q']);
    expect(r.status, r.stderr).toBe(0);
    const rep = pullsim(['report', json, '--html', later]);
    expect(rep.status, rep.stderr).toBe(0);
    expect(rep.stderr).toContain(`wrote html: ${later}`);
    expect(readFileSync(later, 'utf8')).toBe(readFileSync(direct, 'utf8'));
  });

  it('rejects a file that is not a pullsim result with exit 2 and a hint', () => {
    const r = pullsim(['report', 'package.json', '--html', path.join(dir, 'x.html')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not a pullsim result');
  });
});
