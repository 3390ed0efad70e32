/**
 * A run's faults, built once per variant from the scenario's `faults:` section: one gate per service
 * with outage windows (strategies consult `world.faults.gate(service)`), link degradation installed once
 * the strategy's links exist, node churn and crash-loops (churn.ts).
 */
import type { RngStreams, Simulator } from '../kernel/index.ts';
import { ServiceGate } from './gate.ts';
import { mergeIntervals, windowsOf, type Interval } from './windows.ts';
import type { Faults, Service } from './schema.ts';

export { Faults, SERVICES, type Service } from './schema.ts';
export { ServiceGate, gated } from './gate.ts';

export class FaultPlan {
  private readonly gates = new Map<Service, ServiceGate>();

  constructor(
    readonly spec: Faults,
    sim: Simulator | null,
    rng: RngStreams | null,
    /** Random windows are drawn over [0, horizonS): the release window. */
    readonly horizonS: number,
  ) {
    const byService = new Map<Service, Interval[]>();
    spec.outages.forEach((o, i) => {
      const ws = windowsOf(o, rng!.stream(`faults:outage:${i}`), horizonS);
      byService.set(o.service, [...(byService.get(o.service) ?? []), ...ws]);
    });
    for (const [service, ws] of byService) {
      const merged = mergeIntervals(ws);
      if (merged.length > 0) this.gates.set(service, new ServiceGate(service, merged, sim!));
    }
  }

  /** The service's gate, or null when it is never down (then nothing about it changes). */
  gate(service: Service): ServiceGate | null {
    return this.gates.get(service) ?? null;
  }
}

/** No faults at all (worlds built without a scenario: tests, harnesses). */
export const NO_FAULTS = new FaultPlan({ outages: [], links: [], nodes: [], crashLoops: [] }, null, null, 0);

/** Node slots a run needs beyond cluster.nodes: one per node that joins. */
export function spareNodes(spec: Faults): number {
  let n = 0;
  for (const c of spec.nodes) n += c.join ?? 0;
  return n;
}
