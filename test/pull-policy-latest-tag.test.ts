import { describe, expect, it } from 'vitest';
import { RunConfig } from '../src/scenario/schema.ts';
import { simulateRun } from '../src/simulate.ts';

function run(images: Record<string, unknown>, cache: 'warm' | 'cold' = 'warm') {
  const cfg = RunConfig.parse({
    duration: '4h',
    cluster: { nodes: 20, egress: 'public-ip', cache },
    images: { count: 2, size: '80 MB', layers: 8, multiArch: false, ...images },
    releases: { every: '2h', delta: '1 MB' },
    distribution: { kind: 'hosted', preset: 'ecr' },
  });
  return { cfg, m: simulateRun(cfg) };
}

describe('imagePullPolicy and tags', () => {
  it("Kubernetes' default: Always for :latest, IfNotPresent for immutable tags", () => {
    expect(run({ tags: 'latest' }).cfg.images.pullPolicy).toBe('Always');
    expect(run({}).cfg.images.pullPolicy).toBe('IfNotPresent');
  });

  it(':latest with Always re-resolves the tag and pulls every release', () => {
    const { m } = run({ tags: 'latest' });
    expect(m.pulls_failed).toBe(0);
    expect(m.layer_bytes).toBe(20 * 2 * 2 * 1e6);
  });

  it(':latest with IfNotPresent never updates a node that has the tag: each such pull is a counted stale-tag failure', () => {
    const { m } = run({ tags: 'latest', pullPolicy: 'IfNotPresent' });
    expect(m.pulls_failed_by_reason).toEqual({ 'stale-tag': 20 * 2 * 2 });
    expect(m.layer_bytes).toBe(0);
    expect(m.requests).toBe(0);
    // kubelet sees nothing wrong, so nothing is retried.
    expect(m.retries).toBe(0);
  });

  it('a node without the image pulls it once; after that it is stuck on that version', () => {
    const { m } = run({ tags: 'latest', pullPolicy: 'IfNotPresent' }, 'cold');
    expect(m.pulls_failed_by_reason).toEqual({ 'stale-tag': 20 * 2 });
    // The release-0 versions in full: 7 layers of 10 MB and the 1 MB delta.
    expect(m.layer_bytes).toBe(20 * 2 * 71e6);
  });
});
