/**
 * Issue 7's acceptance for safe reports: the HTML report (compare and sweep) of a scenario full of hostile
 * names (test/fixtures/hostile-names.yaml), opened in Chromium with every request intercepted, shows each
 * name as text, makes no request but the report file itself, opens no dialog and runs no script. Chromium
 * missing is a failure with instructions, never a skip.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pullsim } from './cli-helpers.ts';
import { ARTIFACTS, useChromium } from './browser-helpers.ts';
import { revealHidden } from '../src/report/untrusted.ts';
import { CSP } from '../src/report/html-page.ts';

const FIXTURE = 'test/fixtures/hostile-names.yaml';

const browser = useChromium();

/** Opens `file` with every request but the file itself failed; returns the page and what went wrong. */
async function openIntercepted(file: string) {
  const url = pathToFileURL(file).href;
  const context = await browser().newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    problems.push(`blocked request: ${u}`);
    return route.abort();
  });
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  // Give a deferred script or lazy image the chance to show itself.
  await page.waitForTimeout(300);
  return { page, context, requests, problems, url };
}

async function expectInert(file: string, names: { scenario: string; variants: string[] }) {
  const { page, context, requests, problems, url } = await openIntercepted(file);
  try {
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    expect(await page.locator('h1').textContent()).toBe(revealHidden(names.scenario));
    // Only the JSON data block is a script; no markup from a name became an element.
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('script').getAttribute('type')).toBe('application/json');
    expect(await page.locator('img, iframe, link, a, object, embed, form, base, meta[http-equiv="refresh"]').count()).toBe(0);
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(CSP);
    const text = (await page.locator('body').innerText()).normalize();
    for (const v of names.variants) expect(text).toContain(revealHidden(v));
    // No bidi override reaches the screen: each is shown as a visible <U+202E> token.
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('<U+202E>gnp.exe');
    // The embedded JSON keeps the exact strings.
    const embedded = JSON.parse((await page.locator('#pullsim-result').textContent()) ?? '');
    return { page, context, embedded };
  } catch (e) {
    await context.close();
    throw e;
  }
}

describe('hostile names in the HTML report, in chromium with request interception', () => {
  it('the compare report shows every name as text and makes no request', async () => {
    const file = path.join(ARTIFACTS, 'hostile-compare.html');
    const r = pullsim(['compare', FIXTURE, '--html', file, '--quiet', '--jobs', '1']);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(file, 'utf8').match(/<script type="application\/json" id="pullsim-result">([^<]*)<\/script>/)![1]);
    const names = { scenario: json.scenario.name as string, variants: (json.variants as { name: string }[]).map((v) => v.name) };
    const { page, context, embedded } = await expectInert(file, names);
    try {
      expect(names.scenario).toBe('<script>alert(1)</script></script><script>alert(2)</script><!--');
      expect(embedded.variants[3].name).toBe('@SUM(A1) | pipe `tick` \u202Egnp.exe');
      const heads = await page.locator('#verdict table.verdict thead th').allTextContents();
      expect(heads.slice(2, 6)).toEqual(names.variants.map(revealHidden));
      await page.screenshot({ path: path.join(ARTIFACTS, 'hostile-compare.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('the sweep report too (crossovers, winner maps, legends)', async () => {
    const file = path.join(ARTIFACTS, 'hostile-sweep.html');
    const r = pullsim(['sweep', FIXTURE, '--param', 'cluster.nodes=3,6', '--html', file, '--quiet', '--jobs', '1']);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(file, 'utf8').match(/<script type="application\/json" id="pullsim-result">([^<]*)<\/script>/)![1]);
    const first = json.points[0].result;
    const { context } = await expectInert(file, { scenario: json.scenario.name, variants: (first.variants as { name: string }[]).map((v) => v.name) });
    await context.close();
  });
});
