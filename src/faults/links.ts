/**
 * Link degradation windows: during a window every link of the group runs at `factor` × its capacity
 * (overlapping windows multiply). Capacity changes go through Network.setLinkCapacity, so the flows on
 * those links are re-shared at that instant.
 */
import type { RngStreams } from '../kernel/index.ts';
import type { World } from '../cluster/world.ts';
import type { LinkFaultSpec } from './schema.ts';
import { windowsOf } from './windows.ts';

/** The link ids of one group (deduplicated, in id order). */
export function linksOf(world: World, spec: LinkFaultSpec, registryLinks: readonly number[]): number[] {
  const topo = world.topo;
  const zones = world.cluster.zones;
  const z = spec.zone === undefined ? -1 : zones.indexOf(spec.zone);
  if (spec.zone !== undefined && z < 0) throw new Error(`internal: fault zone ${spec.zone} passed validation but is not a cluster zone`);
  const inZone = (zone: number): boolean => z < 0 || zone === z;
  const out = new Set<number>();
  switch (spec.link) {
    case 'nat':
      for (let i = 0; i < zones.length; i++) if (inZone(i)) out.add(topo.natDownOfZone[i]);
      break;
    case 'cross-zone':
      for (let i = 0; i < zones.length; i++) if (inZone(i)) out.add(topo.zoneUp[i]).add(topo.zoneDown[i]);
      break;
    case 'racks':
      for (let r = 0; r < topo.rackZone.length; r++) if (inZone(topo.rackZone[r])) out.add(topo.rackUp[r]).add(topo.rackDown[r]);
      break;
    case 'registry':
      for (const l of registryLinks) out.add(l);
      break;
  }
  return [...out].sort((a, b) => a - b);
}

export function installLinkFaults(
  world: World,
  specs: readonly LinkFaultSpec[],
  registryLinks: readonly number[],
  rng: RngStreams,
  horizonS: number,
): void {
  const net = world.net;
  const base = new Map<number, number>();
  const active = new Map<number, number[]>();
  const apply = (l: number): void => {
    let f = 1;
    for (const x of active.get(l) ?? []) f *= x;
    net.setLinkCapacity(l, base.get(l)! * f);
  };
  specs.forEach((spec, i) => {
    const links = linksOf(world, spec, registryLinks);
    for (const l of links) if (!base.has(l)) base.set(l, net.linkCapacity(l));
    for (const [a, b] of windowsOf(spec, rng.stream(`faults:link:${i}`), horizonS)) {
      world.sim.call(a, () => {
        for (const l of links) {
          const xs = active.get(l) ?? [];
          xs.push(spec.factor);
          active.set(l, xs);
          apply(l);
        }
      });
      world.sim.call(b, () => {
        for (const l of links) {
          const xs = active.get(l)!;
          xs.splice(xs.indexOf(spec.factor), 1);
          apply(l);
        }
      });
    }
  });
}
