import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The entry names are a contract (issue 6): CI dashboards and the committed baseline are keyed by them.
const CONTRACT = [
  'kernel-vs-flatqueue-1e5',
  'solver-fast-vs-reference',
  'fanout-distinct-5000',
  'fanout-distinct-10000',
  'fanout-distinct-50000',
  'seed-e2e',
  'p2p-flash-crowd-1000',
  'p2p-flash-crowd-10000',
];

describe('bench/baseline.json', () => {
  const baseline = JSON.parse(readFileSync(new URL('../bench/baseline.json', import.meta.url), 'utf8'));

  it('has, for every machine recorded, a gate figure and a direction for every contract entry', () => {
    expect(baseline.machines.length).toBeGreaterThan(0);
    for (const record of baseline.machines) {
      for (const name of CONTRACT) {
        const e = record.entries[name];
        expect(e, `${record.machine}: ${name}`).toBeDefined();
        expect(e.gate, `${record.machine}: ${name}`).toBeGreaterThan(0);
        expect(['smaller', 'bigger'], name).toContain(e.better);
      }
    }
  });

  it('says where its figures come from, one record per machine', () => {
    const machines = baseline.machines.map((r: { machine: string }) => r.machine);
    for (const m of machines) expect(m).toMatch(/cores/);
    expect(new Set(machines).size).toBe(machines.length);
    expect(baseline.note).toMatch(/reference/);
  });
});
