/**
 * `kind: hosted` — a public or cloud registry reached over the internet (or the provider's network):
 * Docker Hub, Google Artifact Registry (gcr.io), Quay.io, Amazon ECR. A pull is the OCI sequence
 * (FACTS.md §3a): token from the auth service, manifest GET, config blob GET, layer blob GETs; blob GETs
 * are redirected (307) to a CDN or object store where the preset says so, costing one more round trip.
 */
import { z } from 'zod';
import { zDuration, zRate } from '../scenario/units.ts';
import { price } from '../cost/catalog.ts';
import { SlidingWindowLimiter } from './ratelimit.ts';
import { gated } from '../faults/gate.ts';
import type { World, Route } from '../cluster/world.ts';
import type { CostLedger } from '../cost/ledger.ts';
import { connect, type DistributionModule, type DistributionRuntime, type FetchDone, type FetchRequest } from './types.ts';

export interface HostedPreset {
  id: string;
  label: string;
  /** Round-trip time from the cluster to the registry's API, seconds. */
  rttS: number;
  /** Blob GETs answer 307 to a CDN / object store: one extra round trip per blob. */
  blobRedirect: boolean;
  /** Throughput one connection gets from the registry/CDN, bytes/s. */
  perConnectionBps: number;
  /** The registry's egress capacity toward this cluster, bytes/s (effectively a CDN). */
  endpointBps: number;
  /** Catalog id of the provider's storage price, or null when storage is part of a plan, not per GB. */
  storagePrice: string | null;
  /** Catalog id of the provider's per-GB transfer price to the cluster, or null when not charged. */
  transferPrice: string | null;
  /** Where the figures come from; `assumption` marks ours. */
  notes: string;
  /** Pull quotas by plan (null: no quota on that plan); presets without plans have none. */
  plans?: Readonly<Record<string, Quota | null>>;
  /** The plan used when the scenario names none. */
  defaultPlan?: string;
}

/** `limit` manifest GETs per `windowS`, counted per egress IP (anonymous) or per account. */
export interface Quota {
  limit: number;
  windowS: number;
  keyedBy: 'egress-ip' | 'account';
}

const SIX_HOURS = 6 * 3600;
/** Docker Hub pull limits (FACTS.md §3b, docker/docs pulls.md): a pull is a manifest GET; HEADs are free. */
const DOCKERHUB_PLANS: Readonly<Record<string, Quota | null>> = {
  anonymous: { limit: 100, windowS: SIX_HOURS, keyedBy: 'egress-ip' },
  personal: { limit: 200, windowS: SIX_HOURS, keyedBy: 'account' },
  pro: null,
  team: null,
  business: null,
};

const MB = 1e6;
const Gbit = 1e9 / 8;

/** Presets. Latency and per-connection figures are not in FACTS.md: they are our assumptions, stated. */
export const HOSTED_PRESETS: Readonly<Record<string, HostedPreset>> = {
  dockerhub: {
    id: 'dockerhub',
    label: 'Docker Hub',
    rttS: 0.02,
    blobRedirect: true,
    perConnectionBps: 60 * MB,
    endpointBps: 1000 * Gbit,
    storagePrice: null,
    transferPrice: null,
    notes:
      'pull sequence and 307 blob redirect: distribution-spec (FACTS.md §3a); pull limits per plan: FACTS.md §3b; storage is a plan (Team $15/user/month), not per GB; RTT 20 ms and 60 MB/s per connection are assumptions',
    plans: DOCKERHUB_PLANS,
    defaultPlan: 'anonymous',
  },
  ecr: {
    id: 'ecr',
    label: 'Amazon ECR (same region)',
    rttS: 0.002,
    blobRedirect: true,
    perConnectionBps: 5 * Gbit,
    endpointBps: 1000 * Gbit,
    storagePrice: 'ecr_storage',
    transferPrice: 'ecr_same_region_transfer',
    notes:
      'storage $0.10/GB-month and free same-region transfer (FACTS.md §4); per-connection = EC2 single-flow 5 Gbit/s (FACTS.md §5); RTT 2 ms is an assumption',
  },
  'artifact-registry': {
    id: 'artifact-registry',
    label: 'Google Artifact Registry (same location)',
    rttS: 0.002,
    blobRedirect: true,
    perConnectionBps: 5 * Gbit,
    endpointBps: 1000 * Gbit,
    storagePrice: 'artifact_registry_storage',
    transferPrice: 'artifact_registry_same_location_transfer',
    notes:
      'storage $0.10/GB-month, same-location transfer free (FACTS.md §4); gcr.io is served by Artifact Registry; RTT 2 ms and the 5 Gbit/s per-connection cap are assumptions',
  },
  quay: {
    id: 'quay',
    label: 'Quay.io',
    rttS: 0.025,
    blobRedirect: true,
    perConnectionBps: 60 * MB,
    endpointBps: 1000 * Gbit,
    storagePrice: null,
    transferPrice: null,
    notes: 'plan pricing not retrieved (FACTS.md §7); RTT 25 ms and 60 MB/s per connection are assumptions',
  },
};
/** gcr.io is served by Artifact Registry. */
const ALIASES: Readonly<Record<string, string>> = { gcr: 'artifact-registry' };

/** Body of a 429 answer (a JSON error), bytes. */
const TOO_MANY_REQUESTS_BYTES = 100;

// Hosts a pull talks to, each on its own keep-alive connection (bits of PullSession.hosts).
const REGISTRY_HOST = 1;
const AUTH_HOST = 2;
const BLOB_HOST = 4;

const presetNames = [...Object.keys(HOSTED_PRESETS), ...Object.keys(ALIASES)] as [string, ...string[]];

export const HostedConfig = z
  .strictObject({
    kind: z.literal('hosted'),
    preset: z.enum(presetNames).describe('registry preset: dockerhub, ecr, gcr / artifact-registry, quay'),
    rtt: zDuration.optional().describe("override the preset's round-trip time, e.g. \"20ms\""),
    perConnection: zRate.optional().describe("override the preset's per-connection throughput, e.g. \"60 MB/s\""),
    blobRedirect: z.boolean().optional().describe('blob GETs are redirected (307) to a CDN / object store'),
    plan: z
      .enum(['anonymous', 'personal', 'pro', 'team', 'business'])
      .optional()
      .describe('Docker Hub plan: anonymous (100 pulls / 6 h per egress IP, the default), personal (200 / 6 h per account), pro/team/business (no pull limit)'),
  })
  .superRefine((c, ctx) => {
    const base = HOSTED_PRESETS[ALIASES[c.preset] ?? c.preset];
    if (c.plan !== undefined && !base.plans)
      ctx.addIssue({
        code: 'custom',
        path: ['plan'],
        message: `preset ${c.preset} has no pull plans`,
        params: { hint: 'plan applies to preset: dockerhub; remove it here' },
      });
  })
  .transform((c) => {
    const base = HOSTED_PRESETS[ALIASES[c.preset] ?? c.preset];
    const preset: HostedPreset = {
      ...base,
      rttS: c.rtt ?? base.rttS,
      perConnectionBps: c.perConnection ?? base.perConnectionBps,
      blobRedirect: c.blobRedirect ?? base.blobRedirect,
    };
    const plan = c.plan ?? base.defaultPlan ?? null;
    const quota = plan && base.plans ? (base.plans[plan] ?? null) : null;
    return { kind: 'hosted' as const, preset, plan, quota };
  });
export type HostedConfig = z.output<typeof HostedConfig>;

class HostedRuntime implements DistributionRuntime {
  readonly needsToken = true;
  readonly registryLinks: readonly number[];
  private readonly endpoint: number;

  private readonly limiter: SlidingWindowLimiter | null;

  constructor(
    private readonly world: World,
    private readonly preset: HostedPreset,
    private readonly quota: Quota | null,
  ) {
    // The WAN half-RTT sits on the endpoint link, so every path from it carries it once each way.
    this.endpoint = world.net.addLink(`${preset.id}:egress`, preset.endpointBps, preset.rttS / 2);
    this.registryLinks = [this.endpoint];
    this.limiter = quota ? new SlidingWindowLimiter(quota.limit, quota.windowS) : null;
  }

  fetch(req: FetchRequest, done: FetchDone): void {
    const w = this.world;
    // Only manifest GETs count as pulls (HEADs and blobs do not); a refused one is answered 429.
    if (req.kind === 'manifest' && this.limiter && this.quota) {
      const key = this.quota.keyedBy === 'account' ? -1 : w.topo.egressAddress(req.node);
      if (!this.limiter.tryAcquire(key, w.sim.now)) {
        w.get({ ...req, bytes: TOO_MANY_REQUESTS_BYTES }, this.routeFor(req), () => {
          w.events.requestThrottled(req.node, req.kind, this.preset.id);
          done(false, 'rate-limited');
        });
        return;
      }
    }
    w.get(req, this.routeFor(req), done);
  }

  private routeFor(req: FetchRequest): Route {
    const w = this.world;
    const { path, viaNat, crossZone } = w.topo.pathFromInternet([this.endpoint], req.node);
    const redirected = (req.kind === 'config' || req.kind === 'layer') && this.preset.blobRedirect;
    let extraRtts: number;
    if (req.kind === 'token') extraRtts = connect(req.session, AUTH_HOST);
    else if (redirected) {
      // The registry answers 307; the client follows it to the CDN / object store on its own connection.
      extraRtts = connect(req.session, REGISTRY_HOST) + 1 + connect(req.session, BLOB_HOST);
    } else extraRtts = connect(req.session, REGISTRY_HOST);
    const route: Route = {
      path,
      source: this.preset.id,
      extraRtts,
      serviceS: 0,
      capBps: Math.min(this.preset.perConnectionBps, w.cluster.internetFlowCapBps),
      internet: true,
      viaNat,
      crossZone,
      gate: w.faults.gate('registry'),
    };
    return route;
  }

  addCosts(ledger: CostLedger): void {
    const p = this.preset;
    if (p.storagePrice) ledger.addStorage('registry_storage', price(this.world.prices, p.storagePrice));
    if (p.transferPrice) ledger.addPerByte('registry_transfer', price(this.world.prices, p.transferPrice), 'registry-egress');
  }
}

export const hosted: DistributionModule<HostedConfig> = {
  kind: 'hosted',
  schema: HostedConfig,
  describe: (c) => `hosted: ${c.preset.label}${c.plan ? ` (${c.plan})` : ''}`,
  // Behind the registry's outage gate (also when it is a mirror's upstream).
  create: (world, c) => gated(new HostedRuntime(world, c.preset, c.quota), world, 'registry'),
};
