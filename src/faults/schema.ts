/**
 * The scenario's `faults:` section: service outages, link degradation, node churn and crash-loops.
 * Every entry is data; faults/index.ts turns it into gates, capacity changes and node events.
 */
import { z } from 'zod';
import { WindowTiming, windowTimingIssue, type TimingFields } from './windows.ts';

/**
 * Services that can be down. `registry`: the hosted or private registry (also as a mirror's upstream);
 * `storage`: a private registry's storage backend; `mirror`: the pull-through caches; `origin`: a P2P
 * strategy's origin / tracker tier.
 */
export const SERVICES = ['registry', 'storage', 'mirror', 'origin'] as const;
export type Service = (typeof SERVICES)[number];

/** Link groups a degradation window can hit. */
export const LINK_GROUPS = ['nat', 'cross-zone', 'racks', 'registry'] as const;
export type LinkGroup = (typeof LINK_GROUPS)[number];

function checkTiming(w: TimingFields, ctx: z.RefinementCtx): void {
  const issue = windowTimingIssue(w);
  if (issue) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message, params: { hint: issue.hint } });
}

export const OutageSpec = z
  .strictObject({
    service: z.enum(SERVICES).describe('registry | storage | mirror | origin'),
    ...WindowTiming,
  })
  .superRefine(checkTiming)
  .describe('a window in which the service refuses requests and drops the transfers in flight');
export type OutageSpec = z.output<typeof OutageSpec>;

export const LinkFaultSpec = z
  .strictObject({
    link: z
      .enum(LINK_GROUPS)
      .describe("nat (NAT gateways), cross-zone (zone spine links), racks (rack uplinks/downlinks), registry (the strategy's registry egress links)"),
    zone: z.string().min(1).optional().describe('only the links of this zone (nat, cross-zone, racks)'),
    factor: z.number().positive().max(1).describe('capacity multiplier during the window, e.g. 0.1 for a tenth'),
    ...WindowTiming,
  })
  .superRefine(checkTiming)
  .describe('a window in which a group of links runs at a fraction of its capacity');
export type LinkFaultSpec = z.output<typeof LinkFaultSpec>;

export const Faults = z
  .strictObject({
    outages: z.array(OutageSpec).default([]),
    links: z.array(LinkFaultSpec).default([]),
  })
  .describe('outages, link degradation, node churn and crash-loops during the run');
export type Faults = z.output<typeof Faults>;
