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

const WIDTH = 760;
const HEIGHT = 240;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
/** At most this many time buckets per throughput line: finer buckets only show transfer completions as spikes. */
const THROUGHPUT_POINTS = 60;

/** Tableau 10: distinguishable, and the same variant has the same colour in every chart and table. */
const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#ff9da6', '#9d755d', '#bab0ac'];

/** Each variant's colour, in variant order (the palette repeats after ten). */
export function variantColors(names: readonly string[]): string[] {
  return names.map((_, i) => PALETTE[i % PALETTE.length]);
}

/**
 * Sources in a stable order with colours: a source named like a variant (a registry) takes that
 * variant's colour, so "ecr" is the same blue in every chart; others (peer, origin, mirrors) the rest.
 */
function sourceColor(result: RunResult) {
  const names = result.variants.map((v) => v.name);
  const sources = new Set<string>();
  for (const v of result.variants) {
    for (const s of Object.keys(v.series?.ingress_by_source ?? {})) sources.add(s);
    for (const z of Object.values(v.series?.ingress_by_zone ?? {})) for (const s of Object.keys(z.bytes_by_source)) sources.add(s);
  }
  const domain = [...sources].sort();
  const taken = new Set(domain.filter((s) => names.includes(s)).map((s) => names.indexOf(s) % PALETTE.length));
  const free = PALETTE.filter((_, i) => !taken.has(i));
  let next = 0;
  const range = domain.map((s) => (names.includes(s) ? PALETTE[names.indexOf(s) % PALETTE.length] : free[next++ % Math.max(1, free.length)] ?? PALETTE[0]));
  return { field: 'source', type: 'nominal' as const, title: 'source', scale: { domain, range } };
}

function variantColor(result: RunResult, title = 'variant') {
  const names = result.variants.map((v) => v.name);
  return { field: 'variant', type: 'nominal' as const, title, sort: names, scale: { domain: names, range: variantColors(names) } };
}

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
      caption:
        "Bytes per second arriving at the nodes of each variant, stacked by where they came from, against seconds since the release was published, averaged over releases. Each transfer's bytes are spread over its flow time; P2P pieces count when they land.",
      spec: ingressSpec(result),
    },
    {
      id: 'registry-egress',
      title: 'Registry egress throughput over a rollout',
      caption: 'Bytes per second served by registries and origins (every source except peers), against seconds since the release was published, averaged over releases; the lower and shorter, the less load to provision for.',
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
      caption: "Each variant's cost per day, split into the ledger's items (prices and their sources in the assumptions above); the label is the total.",
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

/** A composite (facet, concat) spec takes its sizes from the inner specs. */
function withoutSize<T extends { width: number; height: number }>(spec: T): Omit<T, 'width' | 'height'> {
  const { width: _w, height: _h, ...rest } = spec;
  return rest;
}

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
      color: variantColor(result),
    },
  };
}

/** Merges neighbouring equal-width buckets so a line has at most `max` points; rates stay means. */
export function coarsen(t_s: readonly number[], Bps: readonly number[], max: number): { t_s: number[]; Bps: number[] } {
  const k = Math.max(1, Math.ceil(t_s.length / max));
  if (k === 1) return { t_s: [...t_s], Bps: [...Bps] };
  const out = { t_s: [] as number[], Bps: [] as number[] };
  for (let i = 0; i < t_s.length; i += k) {
    const group = Bps.slice(i, i + k);
    out.t_s.push(t_s[i]);
    out.Bps.push(group.reduce((a, b) => a + b, 0) / group.length);
  }
  return out;
}

function ingressSpec(result: RunResult): TopLevelSpec | undefined {
  const rows: Row[] = [];
  for (const v of result.variants) {
    for (const [source, raw] of Object.entries(v.series?.ingress_by_source ?? {})) {
      const s = coarsen(raw.t_s, raw.Bps, THROUGHPUT_POINTS);
      s.t_s.forEach((t, i) => rows.push({ variant: v.name, source, t, Bps: s.Bps[i] }));
    }
  }
  if (rows.length === 0) return undefined;
  return {
    ...withoutSize(base(rows)),
    facet: {
      row: {
        field: 'variant',
        type: 'nominal',
        title: null,
        sort: result.variants.map((v) => v.name),
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left', labelFontWeight: 'bold', labelFontSize: 12, labelPadding: 4 },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: WIDTH,
      height: 90,
      mark: { type: 'area', interpolate: 'step-after' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds since release published' },
        y: { field: 'Bps', type: 'quantitative', title: 'bytes/s', axis: { format: '~s', tickCount: 3 }, stack: 'zero' },
        color: sourceColor(result),
      },
    },
  } as unknown as TopLevelSpec;
}

function registrySpec(result: RunResult): TopLevelSpec | undefined {
  const rows: Row[] = [];
  for (const v of result.variants) {
    const sources = Object.entries(v.series?.ingress_by_source ?? {}).filter(([s]) => isRegistrySource(s));
    if (sources.length === 0) continue;
    const t_s = sources[0][1].t_s;
    const total = t_s.map((_, i) => sources.reduce((sum, [, s]) => sum + (s.Bps[i] ?? 0), 0));
    const s = coarsen(t_s, total, THROUGHPUT_POINTS);
    s.t_s.forEach((t, i) => rows.push({ variant: v.name, t, Bps: s.Bps[i] }));
  }
  if (rows.length === 0) return undefined;
  return {
    ...base(rows),
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds since release published' },
      y: { field: 'Bps', type: 'quantitative', title: 'registry egress (bytes/s)', axis: { format: '~s' } },
      color: variantColor(result),
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
          color: sourceColor(result),
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
  const y = { field: 'variant', type: 'nominal' as const, title: null, sort: result.variants.map((v) => v.name) };
  // Room on the right for the total's label.
  const max = Math.max(...result.variants.map((v) => v.metrics.cost_usd_per_day).filter(Number.isFinite), 0);
  return {
    ...base(rows),
    height: Math.max(60, 36 * result.variants.length),
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x: { field: 'usd_per_day', type: 'quantitative', title: 'USD per day', axis: { format: '$,.2f' }, scale: { domain: [0, max * 1.15 || 1], nice: false } },
          color: { field: 'item', type: 'nominal', title: 'cost item', legend: { orient: 'bottom', columns: 4 } },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontWeight: 'bold' },
        encoding: {
          y,
          x: { field: 'usd_per_day', aggregate: 'sum', type: 'quantitative' },
          text: { field: 'usd_per_day', aggregate: 'sum', type: 'quantitative', format: '$,.2f' },
        },
      },
    ],
  } as TopLevelSpec;
}
