/**
 * The report's charts: vega-lite specs built from RunResult, compiled to vega and rendered server-side to
 * SVG strings (View with renderer 'none' + toSVG), so the HTML needs no script and no network. Text is
 * measured without a canvas (vega's estimate), which also keeps the SVG identical from run to run.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../metrics/result.ts';

export interface Chart {
  id: string;
  title: string;
  /** One sentence under the chart: what it shows and how it was measured. */
  caption: string;
  svg: string;
}

type Row = Record<string, string | number>;

const WIDTH = 640;
const HEIGHT = 240;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Sources whose bytes did not come from a registry (peers in P2P strategies). */
function isRegistrySource(source: string): boolean {
  return !/^(peer|p2p)/i.test(source);
}

export async function renderCharts(result: RunResult): Promise<Chart[]> {
  const specs: { id: string; title: string; caption: string; spec: TopLevelSpec | undefined }[] = [
    {
      id: 'rollout-completion',
      title: 'Rollout completion',
      caption: 'Share of (node, release) targets with every image ready, against seconds since the release was published; all releases pooled.',
      spec: rolloutSpec(result),
    },
    {
      id: 'ingress-by-source',
      title: 'Ingress by source over a rollout',
      caption: 'Bytes per second arriving at the nodes, by where they came from, against seconds since publish, averaged over releases (bytes counted when each transfer completes).',
      spec: ingressSpec(result),
    },
    {
      id: 'registry-egress',
      title: 'Registry egress throughput over a rollout',
      caption: 'Bytes per second served by registries (every source except peers), against seconds since publish, averaged over releases.',
      spec: registrySpec(result),
    },
    {
      id: 'zone-traffic',
      title: 'Traffic into each zone',
      caption: "Bytes received by each zone's nodes over the whole run, by source; the outlined part of each bar came from another zone (charged both ways).",
      spec: zoneSpec(result),
    },
    {
      id: 'cost-breakdown',
      title: 'Cost per day by item',
      caption: "Each variant's cost per day, split into the ledger's items (prices in the assumptions above).",
      spec: costSpec(result),
    },
  ];
  const charts: Chart[] = [];
  for (const s of specs) if (s.spec) charts.push({ id: s.id, title: s.title, caption: s.caption, svg: await toSvg(s.spec) });
  return charts;
}

/**
 * vega and vega-lite are loaded on the first chart, not at start-up. Performance: importing them takes
 * about half a second, and `pullsim run` without --html never draws a chart (issue 6, goal 3).
 */
let renderers: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await (renderers ??= Promise.all([import('vega'), import('vega-lite')]));
  // vega-lite's own warnings (e.g. "Maximum optimization runs reached") would go to the console; the
  // report is the output, so only errors are logged.
  const view = new vega.View(vega.parse(compile(spec, { logger: vega.logger(vega.Error) }).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = (values: Row[]) =>
  ({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 } },
    data: { values },
  }) as const;

function rolloutSpec(result: RunResult): TopLevelSpec | undefined {
  const rows: Row[] = [];
  for (const v of result.variants) {
    const c = v.series?.rollout_completion;
    if (!c) continue;
    c.t_s.forEach((t, i) => rows.push({ variant: v.name, t, share: c.ready_share[i] }));
  }
  if (rows.length === 0) return undefined;
  return {
    ...base(rows),
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds since release published' },
      y: { field: 'share', type: 'quantitative', title: 'share of nodes ready', axis: { format: '%' }, scale: { domain: [0, 1] } },
      color: { field: 'variant', type: 'nominal', title: 'variant', sort: result.variants.map((v) => v.name) },
    },
  };
}

function ingressSpec(result: RunResult): TopLevelSpec | undefined {
  const rows: Row[] = [];
  for (const v of result.variants) {
    for (const [source, s] of Object.entries(v.series?.ingress_by_source ?? {})) {
      s.t_s.forEach((t, i) => rows.push({ series: `${v.name} · ${source}`, t, Bps: s.Bps[i] }));
    }
  }
  if (rows.length === 0) return undefined;
  return {
    ...base(rows),
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds since release published' },
      y: { field: 'Bps', type: 'quantitative', title: 'ingress (bytes/s)', axis: { format: '~s' } },
      color: { field: 'series', type: 'nominal', title: 'variant · source' },
    },
  };
}

function registrySpec(result: RunResult): TopLevelSpec | undefined {
  const rows: Row[] = [];
  for (const v of result.variants) {
    const sources = Object.entries(v.series?.ingress_by_source ?? {}).filter(([s]) => isRegistrySource(s));
    if (sources.length === 0) continue;
    const t_s = sources[0][1].t_s;
    t_s.forEach((t, i) => rows.push({ variant: v.name, t, Bps: sources.reduce((sum, [, s]) => sum + (s.Bps[i] ?? 0), 0) }));
  }
  if (rows.length === 0) return undefined;
  return {
    ...base(rows),
    mark: { type: 'area', interpolate: 'step-after', opacity: 0.35, line: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds since release published' },
      y: { field: 'Bps', type: 'quantitative', title: 'registry egress (bytes/s)', axis: { format: '~s' }, stack: null },
      color: { field: 'variant', type: 'nominal', title: 'variant', sort: result.variants.map((v) => v.name) },
    },
  };
}

function zoneSpec(result: RunResult): TopLevelSpec | undefined {
  const rows: Row[] = [];
  const order: string[] = [];
  for (const v of result.variants) {
    for (const [zone, z] of Object.entries(v.series?.ingress_by_zone ?? {})) {
      const bar = `${v.name} · ${zone}`;
      order.push(bar);
      for (const [source, bytes] of Object.entries(z.bytes_by_source)) rows.push({ bar, source, bytes, cross: 0 });
      if (z.cross_zone_bytes > 0) rows.push({ bar, source: 'from another zone', bytes: 0, cross: z.cross_zone_bytes });
    }
  }
  if (rows.length === 0) return undefined;
  return {
    ...base(rows),
    height: Math.max(60, 22 * order.length),
    layer: [
      {
        transform: [{ filter: 'datum.bytes > 0' }],
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'bar', type: 'nominal', title: null, sort: order, axis: { labelLimit: 320 } },
          x: { field: 'bytes', type: 'quantitative', title: 'bytes received', axis: { format: '~s' } },
          color: { field: 'source', type: 'nominal', title: 'source' },
        },
      },
      {
        transform: [{ filter: 'datum.cross > 0' }],
        mark: { type: 'bar', fillOpacity: 0, stroke: '#cf222e', strokeWidth: 1.5, strokeDash: [3, 2] },
        encoding: {
          y: { field: 'bar', type: 'nominal', title: null, sort: order },
          x: { field: 'cross', type: 'quantitative' },
        },
      },
    ],
  } as TopLevelSpec;
}

function costSpec(result: RunResult): TopLevelSpec | undefined {
  const rows: Row[] = [];
  for (const v of result.variants) {
    const m = v.metrics;
    const scale = m.cost_usd.total > 0 ? m.cost_usd_per_day / m.cost_usd.total : 0;
    for (const [item, usd] of Object.entries(m.cost_usd)) {
      if (item === 'total' || !(usd > 0)) continue;
      rows.push({ variant: v.name, item, usd_per_day: usd * scale });
    }
  }
  if (rows.length === 0) return undefined;
  return {
    ...base(rows),
    height: Math.max(60, 36 * result.variants.length),
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'variant', type: 'nominal', title: null, sort: result.variants.map((v) => v.name) },
      x: { field: 'usd_per_day', type: 'quantitative', title: 'USD per day', axis: { format: '$,.2f' } },
      color: { field: 'item', type: 'nominal', title: 'cost item' },
    },
  };
}
