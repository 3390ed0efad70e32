import { describe, expect, it } from 'vitest';
import { renderCsv } from '../src/report/index.ts';
import { fixture } from './report-fixture.ts';

/** A small RFC 4180 reader, enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += ch;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

function table(csv: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

describe('renderCsv', () => {
  it('has exactly these columns: type order, maps flattened with _ and sorted, union over variants', () => {
    const [header] = parseCsv(renderCsv(fixture()));
    expect(header).toEqual([
      'scenario',
      'seed',
      'variant',
      'description',
      'simulated_s',
      'releases',
      'releases_rolled_out',
      'pulls',
      'pulls_failed',
      'pulls_failed_by_reason_rate-limited',
      'requests',
      'throttled_requests',
      'retries',
      'ingress_bytes',
      'layer_bytes',
      'metadata_bytes',
      'ingress_by_source_bytes_docker-hub',
      'ingress_by_source_bytes_mirror-zone-a',
      'ingress_by_source_bytes_mirror-zone-b',
      'ingress_by_source_bytes_origin',
      'ingress_by_source_bytes_peer',
      'internet_bytes',
      'cross_zone_bytes',
      'registry_egress_bytes',
      'registry_peak_Bps',
      'rollout_s_p50',
      'rollout_s_p90',
      'rollout_s_p99',
      'rollout_s_max',
      'node_ready_s_p50',
      'node_ready_s_p90',
      'node_ready_s_p99',
      'node_ready_s_max',
      'cost_usd_total',
      'cost_usd_cross_zone',
      'cost_usd_instances',
      'cost_usd_internet_egress',
      'cost_usd_nat_processing',
      'cost_usd_storage',
      'cost_usd_per_day',
      'cost_usd_per_month',
      'events',
      'wall_ms',
    ]);
  });

  it('writes one row per variant with base-unit numbers, empty cells for absent keys and null', () => {
    const csv = renderCsv(fixture());
    expect(csv.endsWith('\n')).toBe(true);
    expect(csv.split('\n')).toHaveLength(1 + 3 + 1);
    const rows = table(csv);
    expect(rows.map((r) => r.variant)).toEqual(['hosted', 'mirror', 'p2p']);
    expect(rows[0]).toMatchObject({ scenario: 'seed-500-nodes', seed: '42', rollout_s_p99: '125', cost_usd_total: '12.34' });
    expect(rows[1]['ingress_by_source_bytes_mirror-zone-b']).toBe('4000000000');
    expect(rows[1].ingress_by_source_bytes_peer).toBe('');
    expect(rows[2].cost_usd_storage).toBe('');
    expect(rows[2].rollout_s_p99).toBe('3725');
    expect(rows[0].wall_ms).toBe('');
    expect(rows[0].registry_peak_Bps).toBe('156250000');
  });

  it('is deterministic: the header does not depend on variant order', () => {
    const a = fixture();
    const b = fixture();
    b.variants.reverse();
    expect(parseCsv(renderCsv(b))[0]).toEqual(parseCsv(renderCsv(a))[0]);
    expect(renderCsv(fixture())).toBe(renderCsv(a));
  });

  it('guards string cells against formula injection, but not numbers', () => {
    const r = fixture();
    r.scenario.name = '=HYPERLINK("http://evil","x")';
    r.variants[0].name = '+cmd';
    r.variants[1].name = '-2+3';
    r.variants[2].name = '@SUM(A1)';
    r.variants[0].description = '\tTAB';
    r.variants[1].description = '\rCR';
    r.variants[2].description = 'safe = text';
    r.variants[0].metrics.ingress_by_source_bytes = { '=evil-source': 1 };
    r.variants[0].metrics.cost_usd_per_day = -5; // a credit: negative, still a number
    const rows = table(renderCsv(r));
    expect(rows[0].scenario).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(rows.map((x) => x.variant)).toEqual([`'+cmd`, `'-2+3`, `'@SUM(A1)`]);
    expect(rows.map((x) => x.description)).toEqual([`'\tTAB`, `'\rCR`, 'safe = text']);
    expect(Object.keys(rows[0])).toContain('ingress_by_source_bytes_=evil-source'); // not at the start of the cell
    expect(rows[0].cost_usd_per_day).toBe('-5');
  });

  it('guards header cells that start with a formula character', () => {
    const r = fixture();
    Object.assign(r.variants[0].metrics, { '=x': 1 });
    const [header] = parseCsv(renderCsv(r));
    expect(header).toContain(`'=x`);
  });

  it('refuses two fields that flatten to the same column', () => {
    const r = fixture();
    r.variants[0].metrics.cost_usd.per_day = 1;
    expect(() => renderCsv(r)).toThrow(/cost_usd_per_day/);
  });
});
