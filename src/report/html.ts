/**
 * The HTML report of a run or comparison, read top down like a Lighthouse report: the verdict first
 * (who wins on latency, cost, registry load and robustness, by how much, and whether the thresholds
 * hold), then the assumptions behind it (the scenario in plain words, the prices with their dates and
 * sources), then the charts, then every metric. Deterministic: the same RunResult gives the same bytes.
 */
import { rolloutSeconds } from '../metrics/result.ts';
import type { PriceRow, RunResult, VariantMetrics } from '../metrics/result.ts';
import { renderJson } from './json.ts';
import { renderCharts, variantColors } from './charts.ts';
import { formatRatio, relativeSentence, relatives, verdicts, type Verdict } from './compare.ts';
import { formatActual } from './thresholds.ts';
import { formatHalfWidth } from './replications.ts';
import { escapeHtml, inlineBar, renderPage, swatch } from './html-page.ts';
import { forDisplay } from './untrusted.ts';
import { formatBytes, formatDuration, formatRate, formatUSD } from '../scenario/units.ts';

export { embedJson, escapeHtml, REPORT_CSS } from './html-page.ts';

export async function renderHtml(original: RunResult): Promise<string> {
  // Everything shown is rendered from a copy with hidden characters revealed; the embedded JSON is exact.
  const result = forDisplay(original);
  const charts = await renderCharts(result);
  const e = escapeHtml;
  const chartSection = [
    '<section id="charts">',
    '<h2>Charts</h2>',
    ...charts.map((c) =>
      [`<figure class="chart" id="chart-${e(c.id)}">`, `<h3>${e(c.title)}</h3>`, c.svg, `<figcaption>${e(c.caption)}</figcaption>`, '</figure>'].join('\n'),
    ),
    '</section>',
  ].join('\n');
  return renderPage({
    title: `pullsim · ${result.scenario.name}`,
    generator: `${result.tool.name} ${result.tool.version}`,
    sections: [headerSection(result), verdictSection(result), assumptionsSection(result), chartSection, metricsSection(result)],
    json: renderJson(original),
  });
}

function headerSection(result: RunResult): string {
  const e = escapeHtml;
  const n = result.variants.length;
  const meta = [
    `${n} variant${n === 1 ? '' : 's'}`,
    `seed ${result.seed}`,
    ...(result.replications ? [`${result.replications} replications per variant (common random numbers)`] : []),
    `${result.tool.name} ${result.tool.version}`,
  ];
  return [
    '<header class="top">',
    `<p class="eyebrow">pullsim ${n > 1 ? 'comparison' : 'run'} report</p>`,
    `<h1>${e(result.scenario.name)}</h1>`,
    result.scenario.description ? `<p>${e(result.scenario.description)}</p>` : '',
    `<p class="meta">${e(meta.join(' · '))}</p>`,
    '</header>',
  ]
    .filter((x) => x !== '')
    .join('\n');
}

const CRITERION_TITLE: Record<Verdict['criterion'], string> = {
  latency: 'Fastest rollout',
  cost: 'Cheapest',
  'registry load': 'Least registry load',
  robustness: 'Most robust',
};

function verdictSection(result: RunResult): string {
  const e = escapeHtml;
  const colors = variantColors(result.variants.map((v) => v.name));
  const colorOf = (name: string) => colors[result.variants.findIndex((v) => v.name === name)] ?? '#888';
  const single = result.variants.length < 2;
  const out = ['<section id="verdict">', `<h2>${single ? 'Result' : 'Verdict'}</h2>`];
  const rel = relatives(result);
  if (rel.length > 0) out.push('<div class="headline"><ul>', ...rel.map((r) => `<li>${e(relativeSentence(r))}</li>`), '</ul></div>');
  const vs = verdicts(result);
  const th = result.thresholds ?? [];
  if (result.variants.length > 1 || th.length > 0) {
    out.push('<div class="cards">');
    if (result.variants.length > 1) for (const v of vs) out.push(verdictCard(v, colorOf, result.replications));
    if (th.length > 0) {
      const failed = th.filter((t) => !t.ok);
      const by = [...new Set(failed.map((t) => t.variant))];
      out.push(
        `<div class="card ${failed.length === 0 ? 'pass' : 'fail'}"><p class="label">Thresholds</p>`,
        `<p class="winner">${failed.length === 0 ? `✓ all ${th.length} passed` : `✗ ${failed.length} of ${th.length} failed`}</p>`,
        `<p class="sub">${e(failed.length === 0 ? 'every variant meets every criterion in the scenario' : `failing: ${by.join(', ')}`)}</p></div>`,
      );
    }
    out.push('</div>');
  }
  out.push('<div class="table-wrap"><table class="verdict">', '<thead><tr><th scope="col">criterion</th><th scope="col">measure</th>');
  result.variants.forEach((v, i) => out.push(`<th scope="col" class="num">${swatch(colors[i])}${e(v.name)}</th>`));
  out.push(single ? '</tr></thead>' : '<th scope="col">best</th></tr></thead>', '<tbody>');
  for (const v of vs) {
    const finite = v.numbers.filter(Number.isFinite);
    // One variant has nothing to be compared with: no bars, no best column.
    const max = finite.length > 0 && !single ? Math.max(...finite) : NaN;
    const cells = v.values.map((x, i) => {
      const win = v.winners.includes(result.variants[i].name);
      const pm = v.plusMinus[i] ? ` <span class="ci">${e(v.plusMinus[i])}</span>` : '';
      const bar = max > 0 ? inlineBar(v.numbers[i] / max, win ? '#1a7f37' : colors[i]) : '';
      return `<td class="num${win ? ' best' : ''}">${e(x)}${pm}${win ? ' ✓' : ''}${bar}</td>`;
    });
    const best = v.winners.length ? v.winners.join(', ') : result.variants.length < 2 ? '—' : 'tie';
    out.push(`<tr><th scope="row">${e(v.criterion)}</th><td>${e(v.measure)}</td>${cells.join('')}${single ? '' : `<td>${e(best)}</td>`}</tr>`);
  }
  out.push('</tbody>', '</table></div>');
  out.push(
    `<p class="note">${single ? '' : "Lower is better on every row; the bars are each value against the row's largest. "}${
      result.replications
        ? `Values are means over ${result.replications} replications; ± is the half-width of the 95 % confidence interval of the mean (Student t). A lead is “clear” when the 95 % interval of the paired difference (same seeds) excludes zero.`
        : `One run${single ? '' : ' per variant, every variant on the same random streams'}; run with --replications R for confidence intervals.`
    }</p>`,
  );
  if (th.length > 0) {
    const failed = th.filter((t) => !t.ok).length;
    out.push(
      `<h3>Thresholds: ${failed === 0 ? `all ${th.length} passed` : `${failed} of ${th.length} failed`}</h3>`,
      '<div class="table-wrap"><table class="thresholds">',
      '<thead><tr><th scope="col"></th><th scope="col">variant</th><th scope="col">metric</th><th scope="col">expression</th><th scope="col" class="num">actual</th></tr></thead>',
      '<tbody>',
    );
    for (const t of th) {
      out.push(
        `<tr class="${t.ok ? 'pass' : 'fail'}"><td class="mark">${t.ok ? '✓' : '✗'}</td><td>${e(t.variant)}</td><td><code>${e(t.metric)}</code></td><td><code>${e(t.expression)}</code></td><td class="num">${e(formatActual(t.metric, t.actual))}</td></tr>`,
      );
    }
    out.push('</tbody>', '</table></div>');
  }
  out.push('</section>');
  return out.join('\n');
}

/** How far behind the runner-up is, in the criterion's words. */
function behind(v: Verdict, best: number): string {
  const up = v.runnerUpNumber;
  if (up === undefined) return '';
  if (v.criterion === 'robustness') return `${up - best} more failed pull${up - best === 1 ? '' : 's'}`;
  if (!(best > 0)) return '';
  const r = formatRatio(up / best);
  return v.criterion === 'latency' ? `${r} as long` : v.criterion === 'cost' ? `${r} the cost` : `${r} the egress`;
}

function verdictCard(v: Verdict, colorOf: (name: string) => string, replications: number | undefined): string {
  const e = escapeHtml;
  const label = CRITERION_TITLE[v.criterion];
  if (v.winners.length === 0) {
    return `<div class="card tie"><p class="label">${e(label)}</p><p class="winner">Tie</p><p class="value">${e(`${v.measure}: ${v.value} for every variant`)}</p></div>`;
  }
  const best = Math.min(...v.numbers.filter(Number.isFinite));
  const gap = behind(v, best);
  const lead = v.runnerUp ? `next: ${v.runnerUp}, ${v.runnerUpValue}${gap ? ` (${gap})` : ''}` : '';
  const badge =
    v.clear === undefined ? '' : v.clear ? '<span class="badge clear">clear lead</span>' : `<span class="badge noise">within the noise of ${replications} runs</span>`;
  return [
    `<div class="card"><p class="label">${e(label)}</p>`,
    `<p class="winner">${v.winners.map((w) => `${swatch(colorOf(w))}${e(w)}`).join(', ')}</p>`,
    `<p class="value">${e(`${v.measure} ${v.value}`)}${badge}</p>`,
    lead ? `<p class="sub">${e(lead)}</p>` : '',
    '</div>',
  ].join('');
}

/** The scenario in plain words, the variants and the prices with dates and sources. `lead` opens it (a sweep says which point it describes). */
export function assumptionsSection(result: RunResult, lead = ''): string {
  const e = escapeHtml;
  const colors = variantColors(result.variants.map((v) => v.name));
  const out = ['<section id="assumptions">', '<h2>Assumptions</h2>'];
  if (lead) out.push(`<p class="note">${e(lead)}</p>`);
  const summary = result.scenario.summary ?? [];
  // The summary's "Variant …" sentences are shown as the table below instead.
  const plain = summary.filter((s) => !/^Variant /.test(s));
  if (plain.length > 0) out.push('<ul class="plain">', ...plain.map((s) => `<li>${e(s)}</li>`), '</ul>');
  out.push('<h3>Variants</h3>', '<div class="table-wrap"><table class="variants">', '<thead><tr><th scope="col">variant</th><th scope="col">what it is</th></tr></thead>', '<tbody>');
  result.variants.forEach((v, i) => out.push(`<tr><th scope="row">${swatch(colors[i])}${e(v.name)}</th><td>${e(v.description)}</td></tr>`));
  out.push('</tbody>', '</table></div>');
  const rows = priceRows(result);
  if (rows.length > 0) {
    const count = (b: PriceRow['basis']) => rows.filter((r) => r.row.basis === b).length;
    const perVariant = rows.some((r) => r.variants !== 'all');
    out.push(
      '<h3>Prices</h3>',
      `<p class="note">${e(
        `${count('sourced')} prices from sourced list prices, ${count('assumption')} our assumptions (marked; set prices.<id> in the scenario for yours)${count('scenario') ? `, ${count('scenario')} set by the scenario` : ''}.`,
      )}</p>`,
      '<div class="table-wrap"><table class="prices">',
      `<thead><tr><th scope="col">price</th><th scope="col" class="num">value</th><th scope="col">as of</th><th scope="col">source</th><th scope="col">basis</th>${perVariant ? '<th scope="col">used by</th>' : ''}</tr></thead>`,
      '<tbody>',
    );
    for (const { row, variants } of rows) {
      const note = row.note ? `<br><span class="note">${e(row.note)}</span>` : '';
      out.push(
        `<tr class="${e(row.basis)}"><td><code>${e(row.id)}</code></td><td class="num">${e(row.display)}</td><td>${e(row.asOf)}</td><td class="src">${e(row.source)}${note}</td><td class="basis">${e(row.basis)}</td>${perVariant ? `<td>${e(variants)}</td>` : ''}</tr>`,
      );
    }
    out.push('</tbody>', '</table></div>');
  }
  out.push('</section>');
  return out.join('\n');
}

/** One row per distinct price; a variant that overrides a price gets its own row. */
function priceRows(result: RunResult): { row: PriceRow; variants: string }[] {
  const byKey = new Map<string, { row: PriceRow; names: string[] }>();
  for (const v of result.variants) {
    for (const p of v.prices ?? []) {
      const key = `${p.id}\u0000${p.display}\u0000${p.basis}`;
      const entry = byKey.get(key);
      if (entry) entry.names.push(v.name);
      else byKey.set(key, { row: p, names: [v.name] });
    }
  }
  const all = result.variants.length;
  return [...byKey.values()].map(({ row, names }) => ({ row, variants: names.length === all ? 'all' : names.join(', ') }));
}

const count = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const orDash = (f: (x: number) => string) => (x: number) => (Number.isFinite(x) ? f(x) : '—');

/** Every headline metric: label, dotted path (for the replication CI), value, formatter. */
const METRIC_ROWS: [string, string, (m: VariantMetrics) => number, (x: number) => string][] = [
  ['releases', 'releases', (m) => m.releases, count],
  ['pulls', 'pulls', (m) => m.pulls, count],
  ['failed pulls', 'pulls_failed', (m) => m.pulls_failed, count],
  ['registry requests', 'requests', (m) => m.requests, count],
  ['throttled requests', 'throttled_requests', (m) => m.throttled_requests, count],
  ['retries', 'retries', (m) => m.retries, count],
  ['ingress', 'ingress_bytes', (m) => m.ingress_bytes, orDash(formatBytes)],
  ['internet', 'internet_bytes', (m) => m.internet_bytes, orDash(formatBytes)],
  ['cross-zone', 'cross_zone_bytes', (m) => m.cross_zone_bytes, orDash(formatBytes)],
  ['registry egress', 'registry_egress_bytes', (m) => m.registry_egress_bytes, orDash(formatBytes)],
  ['registry peak', 'registry_peak_Bps', (m) => m.registry_peak_Bps, orDash(formatRate)],
  ...(['p50', 'p90', 'p99', 'max'] as const).map((p): [string, string, (m: VariantMetrics) => number, (x: number) => string] => [
    `rollout ${p}`,
    `rollout_s.${p}`,
    (m) => rolloutSeconds(m, p),
    orDash(formatDuration),
  ]),
  ['node ready p50', 'node_ready_s.p50', (m) => m.node_ready_s.p50, orDash(formatDuration)],
  ['node ready p99', 'node_ready_s.p99', (m) => m.node_ready_s.p99, orDash(formatDuration)],
  ['cost per day', 'cost_usd_per_day', (m) => m.cost_usd_per_day, orDash(formatUSD)],
  ['cost per month', 'cost_usd_per_month', (m) => m.cost_usd_per_month, orDash(formatUSD)],
  ['simulated time', 'simulated_s', (m) => m.simulated_s, orDash(formatDuration)],
  ['kernel events', 'events', (m) => m.events, count],
];

function metricsSection(result: RunResult): string {
  const e = escapeHtml;
  const colors = variantColors(result.variants.map((v) => v.name));
  const out = ['<section id="metrics">', '<h2>All metrics</h2>', '<div class="table-wrap"><table class="metrics">', '<thead><tr><th scope="col"></th>'];
  result.variants.forEach((v, i) => out.push(`<th scope="col" class="num">${swatch(colors[i])}${e(v.name)}</th>`));
  out.push('</tr></thead>', '<tbody>');
  for (const [label, path, get, format] of METRIC_ROWS) {
    const cells = result.variants.map((v) => {
      const s = v.replicated?.[path];
      const pm = s && s.n > 1 ? ` <span class="ci">${e(formatHalfWidth(s, format))}</span>` : '';
      return `<td class="num">${e(format(get(v.metrics)))}${pm}</td>`;
    });
    out.push(`<tr><th scope="row">${e(label)}</th>${cells.join('')}</tr>`);
  }
  out.push('</tbody>', '</table></div>', '<p class="note">Every field, in base units, is in the embedded JSON and in the --json and --csv exports.</p>', '</section>');
  return out.join('\n');
}
