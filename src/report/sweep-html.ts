/**
 * The sweep's HTML report: first where the winner changes (the crossovers, each marked clear or within
 * noise when replicated) and a winner map per criterion over the grid; then the assumptions; then one
 * chart per criterion of the metric against the first parameter, a line per variant with its 95 % CI band
 * and the crossings marked, one panel per combination of the other parameters; then the whole grid.
 * Same rules as html.ts: self-contained, escaped, deterministic.
 */
import { rolloutSeconds } from '../metrics/result.ts';
import type { TopLevelSpec } from 'vega-lite';
import type { VariantMetrics } from '../metrics/result.ts';
import { CRITERIA, verdicts } from './compare.ts';
import { toSvg, variantColors } from './charts.ts';
import { assumptionsSection } from './html.ts';
import { escapeHtml, renderPage, swatch } from './html-page.ts';
import { forDisplay } from './untrusted.ts';
import { formatHalfWidth } from './replications.ts';
import { cartesian, crossoverSentence, numericValue, renderSweepJson, type SweepParameter, type SweepPoint, type SweepResult } from './sweep.ts';
import { formatDuration, formatUSD } from '../scenario/units.ts';

type Row = Record<string, string | number>;

export async function renderSweepHtml(original: SweepResult): Promise<string> {
  // Rendered from a copy with hidden characters revealed (untrusted.ts); the embedded JSON is exact.
  const sweep = forDisplay(original);
  const first = sweep.points[0]?.result;
  const names = first?.variants.map((v) => v.name) ?? [];
  const sections = [headerSection(sweep, names), verdictSection(sweep, names)];
  if (first) {
    const at = Object.entries(sweep.points[0].parameters).map(([k, v]) => `${k}=${v}`);
    sections.push(assumptionsSection(first, `The base scenario as run at the first point of the grid (${at.join(', ')}); every other point changes only the swept parameters.`));
  }
  sections.push(await chartsSection(sweep, names), gridSection(sweep, names));
  return renderPage({
    title: `pullsim sweep · ${sweep.scenario.name}`,
    generator: `${sweep.tool.name} ${sweep.tool.version}`,
    sections,
    json: renderSweepJson(original),
  });
}

function headerSection(sweep: SweepResult, names: string[]): string {
  const e = escapeHtml;
  const runs = sweep.points.length * names.length * (sweep.replications ?? 1);
  const meta = [
    `${sweep.points.length} points`,
    `${names.length} variant${names.length === 1 ? '' : 's'}`,
    ...(sweep.replications ? [`${sweep.replications} replications per point (common random numbers)`] : []),
    `${runs.toLocaleString('en-US')} runs`,
    ...(sweep.shard ? [`shard ${sweep.shard.index} of ${sweep.shard.count}`] : []),
    `${sweep.tool.name} ${sweep.tool.version}`,
  ];
  return [
    '<header class="top">',
    '<p class="eyebrow">pullsim sweep report</p>',
    `<h1>${e(sweep.scenario.name)}</h1>`,
    `<p>${sweep.parameters.map((p) => `<code>${e(p.name)}</code> ∈ {${e(p.values.join(', '))}}`).join(' × ')}</p>`,
    `<p class="meta">${e(meta.join(' · '))}</p>`,
    '</header>',
  ].join('\n');
}

function verdictSection(sweep: SweepResult, names: string[]): string {
  const e = escapeHtml;
  const out = ['<section id="verdict">', '<h2>Crossovers: where one variant starts beating another</h2>'];
  if (sweep.shard) out.push(`<p>${e(`Shard ${sweep.shard.index} of ${sweep.shard.count}: crossovers need the whole grid; join the shards with pullsim merge.`)}</p>`);
  else if (sweep.crossovers.length === 0) out.push('<div class="headline">The ranking of the variants does not change anywhere in the swept range.</div>');
  else {
    out.push('<div class="headline"><ul>');
    for (const c of sweep.crossovers) {
      const badge = c.clear === undefined ? '' : c.clear ? ' <span class="badge clear">clear</span>' : ' <span class="badge noise">within noise</span>';
      out.push(`<li>${e(crossoverSentence({ ...c, clear: undefined }))}${badge}</li>`);
    }
    out.push('</ul></div>');
  }
  if (names.length > 1 && sweep.points.length > 0) {
    out.push('<h3>Winner at each point</h3>', '<p class="note">The variant with the lowest value of each criterion at each point of the grid (means, when replicated); “tie” where they print the same.</p>');
    out.push(...winnerMaps(sweep, names));
  }
  const failed = sweep.points.flatMap((p) => (p.result.thresholds ?? []).filter((t) => !t.ok).map((t) => ({ p, t })));
  const checked = sweep.points.reduce((n, p) => n + (p.result.thresholds?.length ?? 0), 0);
  if (checked > 0) {
    out.push(`<h3>Thresholds: ${failed.length === 0 ? `all ${checked} checks passed` : `${failed.length} of ${checked} checks failed`}</h3>`);
    if (failed.length > 0) {
      out.push('<div class="table-wrap"><table class="thresholds"><thead><tr><th></th><th>point</th><th>variant</th><th>metric</th><th>expression</th><th class="num">actual</th></tr></thead><tbody>');
      for (const { p, t } of failed.slice(0, 50)) {
        out.push(
          `<tr class="fail"><td class="mark">✗</td><td>${e(pointLabel(p))}</td><td>${e(t.variant)}</td><td><code>${e(t.metric)}</code></td><td><code>${e(t.expression)}</code></td><td class="num">${e(String(Number(t.actual.toPrecision(4))))}</td></tr>`,
        );
      }
      out.push('</tbody></table></div>');
      if (failed.length > 50) out.push(`<p class="note">${failed.length - 50} more in the embedded JSON.</p>`);
    }
  }
  out.push('</section>');
  return out.join('\n');
}

function pointLabel(p: SweepPoint): string {
  return Object.entries(p.parameters)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/**
 * One table per criterion: rows are the first parameter's values, columns the second's (one column
 * without a second), repeated for each combination of any further parameters.
 */
function winnerMaps(sweep: SweepResult, names: string[]): string[] {
  const e = escapeHtml;
  const colors = variantColors(names);
  const [rowsP, colsP, ...rest] = sweep.parameters;
  const byKey = new Map(sweep.points.map((p) => [JSON.stringify(sweep.parameters.map((q) => p.parameters[q.name])), p]));
  const groups = cartesian(rest as SweepParameter[]);
  const out: string[] = ['<div class="cards wide">'];
  for (const [ci, c] of CRITERIA.entries()) {
    for (const g of groups) {
      const title = `${c.measure}${Object.keys(g).length ? ` at ${Object.entries(g).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`;
      const axes = `rows: ${rowsP.name}${colsP ? `; columns: ${colsP.name}` : ''}`;
      const table = [`<div class="card"><p class="label">${e(title)}</p><p class="sub">${e(axes)}</p>`, '<table class="winners"><thead><tr>'];
      table.push('<th></th>');
      for (const cv of colsP ? colsP.values : ['']) table.push(`<th class="num">${e(cv || 'winner')}</th>`);
      table.push('</tr></thead><tbody>');
      for (const rv of rowsP.values) {
        table.push(`<tr><th scope="row">${e(rv)}</th>`);
        for (const cv of colsP ? colsP.values : [undefined]) {
          const values = [rv, ...(cv !== undefined ? [cv] : []), ...rest.map((q) => g[q.name])];
          const pt = byKey.get(JSON.stringify(values));
          if (!pt) {
            table.push('<td class="win">·</td>');
            continue;
          }
          const v = verdicts(pt.result)[ci];
          const w = v.winners;
          const cell = w.length === 0 ? 'tie' : w.length === 1 ? w[0] : `${w.length}-way`;
          const color = w.length === 1 ? colors[names.indexOf(w[0])] : undefined;
          table.push(`<td class="win" title="${e(`${w.join(', ') || 'tie'}: ${v.value}`)}">${color ? swatch(color) : ''}${e(cell)}</td>`);
        }
        table.push('</tr>');
      }
      table.push('</tbody></table></div>');
      out.push(table.join(''));
    }
  }
  out.push('</div>');
  return out;
}

const DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4]];

/** Axis title and number format per criterion. */
const AXES: Record<string, { title: string; format: string }> = {
  latency: { title: 'rollout p99 (s)', format: '.3~r' },
  cost: { title: 'cost per day (USD)', format: '$,.2~f' },
  'registry load': { title: 'registry egress (bytes)', format: '~s' },
  robustness: { title: 'failed pulls', format: ',d' },
};

async function chartsSection(sweep: SweepResult, names: string[]): Promise<string> {
  const e = escapeHtml;
  const [xParam, ...others] = sweep.parameters;
  const out = ['<section id="charts">', '<h2>Charts</h2>'];
  if (xParam && sweep.points.length > 0) {
    for (const c of CRITERIA) {
      const spec = criterionSpec(sweep, names, c.criterion, c.measure, c.path, c.get, xParam.name, others.map((p) => p.name));
      if (!spec) continue;
      const band = sweep.replications ? ', the band its 95 % confidence interval' : '';
      out.push(
        `<figure class="chart" id="chart-${e(c.path.replace(/\W/g, '-'))}">`,
        `<h3>${e(`${c.measure} vs ${xParam.name}`)}</h3>`,
        await toSvg(spec),
        `<figcaption>${e(`One line per variant${band}; a dashed rule marks where two variants cross (linear interpolation between grid points). Lower is better.`)}</figcaption>`,
        '</figure>',
      );
    }
  }
  out.push('</section>');
  return out.join('\n');
}

function criterionSpec(
  sweep: SweepResult,
  names: string[],
  criterion: string,
  measure: string,
  path: string,
  get: (m: VariantMetrics) => number,
  xName: string,
  facetNames: string[],
): TopLevelSpec | undefined {
  const parsed = sweep.parameters[0].values.map(numericValue);
  const numeric = parsed.every((v) => v !== undefined);
  const rows: Row[] = [];
  const panelOf = (p: Record<string, string>) => facetNames.map((n) => `${n}=${p[n]}`).join(', ') || 'all';
  for (const pt of sweep.points) {
    const raw = pt.parameters[xName];
    const x = numeric ? numericValue(raw)!.value : raw;
    for (const v of pt.result.variants) {
      const y = get(v.metrics);
      if (!Number.isFinite(y)) continue;
      const s = v.replicated?.[path];
      rows.push({ kind: 'point', panel: panelOf(pt.parameters), x, variant: v.name, y, lo: s ? s.ci95[0] : y, hi: s ? s.ci95[1] : y });
    }
  }
  // A flat zero line (e.g. no failed pulls anywhere) says nothing a sentence would not.
  if (rows.length === 0 || rows.every((r) => r.y === 0)) return undefined;
  for (const c of sweep.crossovers) {
    if (c.measure !== measure || c.parameter !== xName || c.estimate === undefined || !numeric) continue;
    rows.push({ kind: 'crossover', panel: panelOf(c.at), x: c.estimate, variant: c.winner });
  }
  const unit = numeric ? parsed[0]!.unit : '';
  const xTitle = unit ? `${xName} (${unit})` : xName;
  const xEnc = numeric
    ? { field: 'x', type: 'quantitative' as const, title: xTitle, axis: { format: '~s' }, scale: { type: logScale(sweep.parameters[0].values) ? ('log' as const) : ('linear' as const) } }
    : { field: 'x', type: 'ordinal' as const, title: xName, sort: sweep.parameters[0].values };
  const color = { field: 'variant', type: 'nominal' as const, title: 'variant', sort: names, scale: { domain: names, range: variantColors(names) } };
  const axis = AXES[criterion] ?? { title: measure, format: '~s' };
  const panels = new Set(rows.map((r) => r.panel)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: { font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 } },
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: null, header: { labelFontWeight: 'bold', labelFontSize: 12 } },
    columns: Math.min(3, panels),
    spec: {
      width: panels > 1 ? 250 : 680,
      height: 200,
      // The line layer comes first so the shared legend shows lines; the bands and rules add no entries.
      layer: [
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: 'line', point: true, strokeWidth: 2 },
          encoding: {
            x: xEnc,
            y: { field: 'y', type: 'quantitative', title: axis.title, axis: { format: axis.format } },
            color,
            // Dashes tell overlapping lines (equal costs) apart, and survive a grey-scale print.
            strokeDash: { field: 'variant', type: 'nominal', sort: names, title: 'variant', scale: { domain: names, range: names.map((_, i) => DASHES[i % DASHES.length]) } },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: 'area', opacity: 0.18 },
          encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'crossover'" }],
          mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.5 },
          encoding: { x: xEnc, color },
        },
      ],
    },
  } as TopLevelSpec;
}

/** A log axis when the values span two orders of magnitude or more (e.g. 100..10000:x2). */
function logScale(values: readonly string[]): boolean {
  const xs = values.map((v) => numericValue(v)?.value ?? NaN);
  if (xs.some((x) => !(x > 0))) return false;
  return Math.max(...xs) / Math.min(...xs) >= 100;
}

function gridSection(sweep: SweepResult, names: string[]): string {
  const e = escapeHtml;
  const colors = variantColors(names);
  const out = ['<section id="grid">', '<h2>Every point</h2>', '<div class="table-wrap"><table class="grid"><thead><tr>'];
  for (const p of sweep.parameters) out.push(`<th scope="col"><code>${e(p.name)}</code></th>`);
  names.forEach((n, i) => out.push(`<th scope="col" class="num">${swatch(colors[i])}${e(n)} p99</th><th scope="col" class="num">${e(n)} $/day</th>`));
  out.push('</tr></thead><tbody>');
  for (const pt of sweep.points) {
    const cells = sweep.parameters.map((p) => `<td>${e(pt.parameters[p.name])}</td>`);
    for (const v of pt.result.variants) {
      const s = v.replicated?.['rollout_s.p99'];
      const pm = s && s.n > 1 ? ` <span class="ci">${e(formatHalfWidth(s, formatDuration))}</span>` : '';
      cells.push(`<td class="num">${e(formatDuration(rolloutSeconds(v.metrics, 'p99')))}${pm}</td><td class="num">${e(formatUSD(v.metrics.cost_usd_per_day))}</td>`);
    }
    out.push(`<tr>${cells.join('')}</tr>`);
  }
  out.push('</tbody></table></div>', '<p class="note">Every metric of every point (and of every run, when replicated) is in the embedded JSON and in the --csv export.</p>', '</section>');
  return out.join('\n');
}

