/**
 * The scenario's `faults:` section: service outages, link degradation, node churn and crash-loops.
 * Every entry is data; faults/index.ts turns it into gates, capacity changes and node events.
 */
import { z } from 'zod';
import { WindowTiming, windowTimingIssue, type TimingFields } from './windows.ts';
import { zDuration } from '../scenario/units.ts';
import { CountOrPercent } from '../workload/rollout.ts';

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
      .describe("nat (NAT gateways), cross-zone (zone spine links), racks (rack uplinks/downlinks), registry (the registry's egress links: a hosted endpoint, a private registry's instance NICs, a mirror's or P2P origin's upstream)"),
    zone: z.string().min(1).optional().describe('only the links of this zone (nat, cross-zone, racks)'),
    factor: z.number().positive().max(1).describe('capacity multiplier during the window, e.g. 0.1 for a tenth'),
    ...WindowTiming,
  })
  .superRefine(checkTiming)
  .describe('a window in which a group of links runs at a fraction of its capacity');
export type LinkFaultSpec = z.output<typeof LinkFaultSpec>;

export const ChurnSpec = z
  .strictObject({
    at: zDuration.describe('when the nodes leave or join'),
    leave: CountOrPercent.optional().describe('nodes that leave (chosen at random among those present): scale-in or failed hosts'),
    join: z.number().int().min(1).max(1_000_000).optional().describe('fresh nodes that join with empty caches (scale-out)'),
  })
  .superRefine((c, ctx) => {
    if ((c.leave === undefined) === (c.join === undefined))
      ctx.addIssue({ code: 'custom', path: ['leave'], message: 'a churn event has either leave or join', params: { hint: 'e.g. { at: "30m", leave: "10%" } or { at: "1h", join: 50 }' } });
  })
  .describe('nodes leaving or joining the cluster at a time');
export type ChurnSpec = z.output<typeof ChurnSpec>;

export const CrashLoopSpec = z
  .strictObject({
    nodes: CountOrPercent.default(1).describe('nodes with a crash-looping pod (chosen at random)'),
    image: z.number().int().min(0).default(0).describe("index of the crash-looping pod's image"),
    from: zDuration.prefault(0).describe('when the first crash-looping container starts'),
    until: zDuration.optional().describe('no restarts after this (default: the release window)'),
    runFor: zDuration.prefault('10s').describe('how long the container runs before it crashes'),
    cacheLost: z
      .boolean()
      .default(false)
      .describe('every restart finds the image gone (an ephemeral host, a wiped image store) and pulls it in full'),
  })
  .describe("a pod that crashes and is restarted with kubelet's CrashLoopBackOff (10 s doubling to 300 s)");
export type CrashLoopSpec = z.output<typeof CrashLoopSpec>;

export const Faults = z
  .strictObject({
    outages: z.array(OutageSpec).default([]),
    links: z.array(LinkFaultSpec).default([]),
    nodes: z.array(ChurnSpec).default([]),
    crashLoops: z.array(CrashLoopSpec).default([]),
  })
  .describe('outages, link degradation, node churn and crash-loops during the run');
export type Faults = z.output<typeof Faults>;
