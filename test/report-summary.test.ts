import { describe, expect, it } from 'vitest';
import { renderSummary, wantsColor } from '../src/report/index.ts';
import type { RunResult } from '../src/metrics/result.ts';
import { fixture, metrics } from './report-fixture.ts';

const ANSI = /\x1b\[[0-9;]*m/;

describe('renderSummary', () => {
  const text = renderSummary(fixture());
  const line = (label: string) => text.split('\n').find((l) => l.startsWith(label + ' ')) ?? '';

  it('names the run and every variant', () => {
    expect(text.split('\n')[0]).toBe('pullsim 0.1.0 · scenario seed-500-nodes · seed 42');
    for (const name of ['hosted', 'mirror', 'p2p']) expect(text).toContain(name);
    expect(text).toContain('hosted: Docker Hub');
  });

  it('prints human-formatted numbers, one column per variant', () => {
    expect(line('releases')).toMatch(/^releases\s+24\s+24\s+24$/);
    expect(line('pulls (failed)')).toMatch(/12,000 \(3\)\s+12,000 \(0\)\s+12,000 \(1\)$/);
    expect(line('ingress')).toMatch(/6\.00 GB\s+6\.00 GB\s+6\.00 GB$/);
    expect(text).toMatch(/layer \+ metadata\s+5\.98 GB \+ 20\.0 MB/);
    expect(line('internet')).toMatch(/6\.00 GB\s+200 MB\s+300 MB$/);
    expect(line('cross-zone')).toMatch(/1\.50 GB\s+0 B\s+1\.50 GB$/);
    expect(line('registry egress')).toMatch(/6\.00 GB\s+200 MB\s+300 MB$/);
    expect(line('registry peak')).toMatch(/1\.25 Gbit\/s\s+100 Mbit\/s\s+1\.00 Gbit\/s$/);
    expect(line('rollout p50')).toMatch(/1m 02s\s+20\.0 s\s+25\.0 s$/);
    expect(line('rollout p90')).toMatch(/1m 36s\s+31\.0 s\s+40\.0 s$/);
    expect(line('rollout p99')).toMatch(/2m 05s\s+42\.5 s\s+1h 02m$/);
    expect(line('rollout max')).toMatch(/2m 11s\s+44\.0 s\s+1h 07m$/);
    expect(line('node ready p50')).toMatch(/48\.0 s\s+48\.0 s\s+48\.0 s$/);
    expect(line('node ready p99')).toMatch(/1m 58s\s+1m 58s\s+1m 58s$/);
    expect(line('cost per day')).toMatch(/\$12\.34\s+\$2\.50\s+\$1\.10$/);
    expect(line('events')).toMatch(/1,234,567\s+987,654\s+5,000,000$/);
    expect(line('simulated')).toMatch(/1d 00h/);
  });

  it('lists each variant’s top cost items with their share', () => {
    expect(text).toMatch(/top 1\s+nat_processing 61%\s+instances 86%\s+instances 100%/);
    expect(text).toMatch(/top 2\s+internet_egress 34%\s+storage 12%$/m);
    expect(text).toMatch(/top 3\s+cross_zone 5%\s+nat_processing 2%$/m);
    expect(text).not.toMatch(/top 4/);
  });

  it('aligns the variant columns', () => {
    const rows = text.split('\n').slice(2).filter((l) => l.trim() && !l.startsWith('  top') && /\d/.test(l));
    const ends = new Set(rows.filter((l) => !/^(hosted|mirror|p2p) /.test(l)).map((l) => l.length));
    expect(ends.size).toBe(1);
  });

  it('has no colour codes by default, and colours when asked', () => {
    expect(text).not.toMatch(ANSI);
    const coloured = renderSummary(fixture(), { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(text);
    // The best (lowest) cost per day is p2p's, in green.
    expect(coloured).toContain('\x1b[32m$1.10\x1b[39m');
  });

  it('shows wall time only when the run was timed', () => {
    expect(text).not.toContain('wall time');
    const r = fixture();
    r.variants[0].metrics.wall_ms = 1_500;
    expect(renderSummary(r)).toMatch(/wall time\s+1\.50 s\s+—\s+—/);
  });

  it('prints a dash for percentiles of nothing and survives no variants', () => {
    const r: RunResult = { ...fixture(), variants: [{ name: 'empty', description: '', metrics: metrics({ rollout_s: { p50: NaN, p90: NaN, p99: NaN, max: NaN }, cost_usd: { total: 0 } }) }] };
    expect(renderSummary(r)).toMatch(/rollout p99\s+—/);
    expect(renderSummary({ ...fixture(), variants: [] })).toContain('(no variants)');
  });
});

describe('wantsColor', () => {
  it('follows the TTY, NO_COLOR, FORCE_COLOR and TERM=dumb', () => {
    expect(wantsColor(true, {})).toBe(true);
    expect(wantsColor(false, {})).toBe(false);
    expect(wantsColor(undefined, {})).toBe(false);
    expect(wantsColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor(true, { TERM: 'dumb' })).toBe(false);
    expect(wantsColor(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor(true, { FORCE_COLOR: '0', NO_COLOR: '1' })).toBe(false);
  });
});
