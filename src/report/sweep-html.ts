/**
 * The sweep's HTML report: the crossovers first (where one variant starts beating another), then one
 * chart per criterion of the metric against the first parameter, a line per variant with its 95 % CI
 * band when replicated, the crossings marked, and one panel per combination of the other parameters.
 * Same rules as html.ts: self-contained, escaped, deterministic.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { VariantMetrics } from '../metrics/result.ts';
import { CRITERIA } from './compare.ts';
import { toSvg } from './charts.ts';
import { embedJson, escapeHtml, REPORT_CSS } from './html.ts';
import { crossoverSentence, numericValue, renderSweepJson, type SweepResult } from './sweep.ts';

type Row = Record<string, string | number>;

export async function renderSweepHtml(sweep: SweepResult): Promise<string> {
  const e = escapeHtml;
  const [xParam, ...others] = sweep.parameters;
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(`pullsim sweep · ${sweep.scenario.name}`)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${e(sweep.scenario.name)}</h1>`,
    `<p class="meta">${e(`${sweep.tool.name} ${sweep.tool.version} · sweep of ${sweep.points.length} points over ${sweep.parameters.map((p) => `${p.name} ∈ {${p.values.join(', ')}}`).join(' × ')}`)}</p>`,
    '</header>',
    '<section id="verdict">',
    '<h2>Crossovers</h2>',
  ];
  if (sweep.crossovers.length === 0) out.push('<p>The ranking of the variants does not change over the swept range.</p>');
  else out.push('<ul class="headline">', ...sweep.crossovers.map((c) => `<li>${e(crossoverSentence(c))}</li>`), '</ul>');
  out.push('</section>', '<section id="charts">', '<h2>Charts</h2>');
  if (xParam) {
    for (const c of CRITERIA) {
      const spec = criterionSpec(sweep, c.measure, c.path, c.get, xParam.name, others.map((p) => p.name));
      if (!spec) continue;
      out.push(
        `<figure class="chart" id="chart-${e(c.path.replace(/\W/g, '-'))}">`,
        `<h3>${e(`${c.measure} vs ${xParam.name}`)}</h3>`,
        await toSvg(spec),
        `<figcaption>${e(`One line per variant${sweep.points[0]?.result.replications ? ', the band its 95 % confidence interval' : ''}; dashed rules mark crossings.`)}</figcaption>`,
        '</figure>',
      );
    }
  }
  out.push(
    '</section>',
    `<script type="application/json" id="pullsim-result">${embedJson(renderSweepJson(sweep).trimEnd())}</script>`,
    '</body>',
    '</html>',
  );
  return out.join('\n') + '\n';
}

function criterionSpec(
  sweep: SweepResult,
  measure: string,
  path: string,
  get: (m: VariantMetrics) => number,
  xName: string,
  facetNames: string[],
): TopLevelSpec | undefined {
  const numeric = sweep.parameters[0].values.every((v) => numericValue(v) !== undefined);
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
  const xEnc = numeric
    ? { field: 'x', type: 'quantitative' as const, title: xName, axis: { format: '~s' }, scale: { type: logScale(sweep.parameters[0].values) ? ('log' as const) : ('linear' as const) } }
    : { field: 'x', type: 'ordinal' as const, title: xName, sort: sweep.parameters[0].values };
  const variants = sweep.points[0].result.variants.map((v) => v.name);
  const color = { field: 'variant', type: 'nominal' as const, title: 'variant', sort: variants };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: { font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: facetNames.length ? facetNames.join(', ') : null },
    columns: 3,
    spec: {
      width: facetNames.length ? 260 : 600,
      height: 200,
      layer: [
        { transform: [{ filter: "datum.kind === 'point'" }], mark: { type: 'area', opacity: 0.2 }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: 'line', point: true },
          encoding: { x: xEnc, y: { field: 'y', type: 'quantitative', title: measure, axis: { format: '~s' } }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'crossover'" }],
          mark: { type: 'rule', strokeDash: [4, 3] },
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
