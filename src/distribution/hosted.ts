/**
 * `kind: hosted` — a public or cloud registry reached over the internet (or the provider's network):
 * Docker Hub, Google Artifact Registry (gcr.io), Quay.io, Amazon ECR. A pull is the OCI sequence
 * (FACTS.md §3a): the auth round trips of the registry's access model (access.ts), manifest GET, config
 * blob GET, layer blob GETs; blob GETs are redirected (307) to a CDN or object store where the preset
 * says so, costing one more round trip.
 *
 * Where the registry is (`location`, regional presets): in the cluster's region (same-region), in another
 * region (cross-region: a longer RTT and inter-region transfer billed per GB), or the cluster is outside
 * the cloud and pulls over the internet (internet: the registry's egress billed by AWS's tiers). How ECR
 * is reached from private subnets (`endpoints`): through the NAT gateways (none), with an S3 gateway
 * endpoint for the layer blobs ECR redirects to S3 (s3-gateway, free), or also with interface endpoints
 * (PrivateLink: ecr.api + ecr.dkr in every zone, per hour and per GB) for the API (interface).
 */
import { z } from 'zod';
import { zDuration, zRate } from '../scenario/units.ts';
import { price } from '../cost/catalog.ts';
import { SlidingWindowLimiter } from './ratelimit.ts';
import { gated } from '../faults/gate.ts';
import { AUTH_PRESETS, AuthConfig, TokenService, tokenReuseS, withAuthOverrides, type AuthModel } from './access.ts';
import type { World, Route } from '../cluster/world.ts';
import type { CostLedger } from '../cost/ledger.ts';
import { connect, type DistributionModule, type DistributionRuntime, type FetchDone, type FetchRequest } from './types.ts';
import { holeyArray } from '../stable-arrays.ts';

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
  /** Access control: auth scheme, token lifetime, token service (access.ts). */
  auth: AuthModel;
  /** A regional registry the cluster may reach from another region or from outside the cloud. */
  regional?: boolean;
  /** RTT to the registry in another region, seconds (regional presets). */
  crossRegionRttS?: number;
  /** On AWS: VPC endpoints apply. */
  aws?: boolean;
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
    auth: AUTH_PRESETS.dockerhub,
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
      'storage $0.10/GB-month and free same-region transfer (FACTS.md §4); per-connection = EC2 single-flow 5 Gbit/s (FACTS.md §5); cross-region $0.02/GB (FACTS.md §4: UNCERTAIN, sources conflict) and to the internet by AWS egress tiers; RTT 2 ms in region, 70 ms across regions and the interface endpoint capacity are assumptions',
    auth: AUTH_PRESETS.ecr,
    regional: true,
    crossRegionRttS: 0.07,
    aws: true,
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
      'storage $0.10/GB-month, same-location transfer free (FACTS.md §4); gcr.io is served by Artifact Registry; RTT 2 ms (70 ms across regions) and the 5 Gbit/s per-connection cap are assumptions; cross-region and internet transfer priced at the AWS rates (a GAP for GCP, FACTS.md §7)',
    auth: AUTH_PRESETS['artifact-registry'],
    regional: true,
    crossRegionRttS: 0.07,
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
    auth: AUTH_PRESETS.quay,
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

/** Capacity of an interface VPC endpoint in one zone (assumption: "10 Gbps per ENI, bursting to 100 Gbps", as we remember AWS's docs). */
const ENDPOINT_BPS = 100 * Gbit;

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
    location: z
      .enum(['same-region', 'cross-region', 'internet'])
      .optional()
      .describe('regional presets (ecr, artifact-registry): the registry is in the cluster\'s region, in another region, or the cluster pulls over the internet from outside the cloud'),
    endpoints: z
      .enum(['none', 's3-gateway', 'interface'])
      .optional()
      .describe('ecr: reach it through the NAT gateways (none), with an S3 gateway endpoint for layers, or also with interface endpoints (PrivateLink) for the API'),
    auth: AuthConfig.optional(),
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
    if (c.location !== undefined && c.location !== 'same-region' && !base.regional)
      ctx.addIssue({
        code: 'custom',
        path: ['location'],
        message: `preset ${c.preset} is not a regional registry`,
        params: { hint: 'location applies to preset: ecr or artifact-registry' },
      });
    if (c.endpoints !== undefined && c.endpoints !== 'none' && !base.aws)
      ctx.addIssue({
        code: 'custom',
        path: ['endpoints'],
        message: `VPC endpoints are an AWS feature; preset ${c.preset} has none`,
        params: { hint: 'endpoints applies to preset: ecr' },
      });
    else if (c.endpoints !== undefined && c.endpoints !== 'none' && (c.location ?? 'same-region') !== 'same-region')
      ctx.addIssue({
        code: 'custom',
        path: ['endpoints'],
        message: 'VPC endpoints reach a registry in the cluster\'s own region',
        params: { hint: 'drop endpoints, or use location: same-region' },
      });
  })
  .transform((c) => {
    const base = HOSTED_PRESETS[ALIASES[c.preset] ?? c.preset];
    const preset: HostedPreset = {
      ...base,
      rttS: c.rtt ?? base.rttS,
      perConnectionBps: c.perConnection ?? base.perConnectionBps,
      blobRedirect: c.blobRedirect ?? base.blobRedirect,
      auth: withAuthOverrides(base.auth, c.auth),
    };
    if (c.location === 'cross-region' && c.rtt === undefined) preset.rttS = base.crossRegionRttS ?? base.rttS;
    const plan = c.plan ?? base.defaultPlan ?? null;
    const quota = plan && base.plans ? (base.plans[plan] ?? null) : null;
    const location = c.location ?? 'same-region';
    const endpoints = c.endpoints ?? 'none';
    return { kind: 'hosted' as const, preset, plan, quota, location, endpoints };
  });
export type HostedConfig = z.output<typeof HostedConfig>;

/** Extra round trips a cached route may carry (a pull's requests use 0–4). */
const ROUTE_RTT_SLOTS = 8;

class HostedRuntime implements DistributionRuntime {
  readonly needsToken: boolean;
  readonly basicAuth: boolean;
  readonly tokenTtlS: number;
  readonly registryLinks: readonly number[];
  private readonly endpoint: number;
  /** Interface endpoint per zone (endpoints: interface), else empty. */
  private readonly vpce: number[] = [];
  /** Routes without server time, by (node, via S3 gateway, extra round trips): see routeFor. */
  private readonly routes = holeyArray<Route | undefined>();
  private readonly limiter: SlidingWindowLimiter | null;
  private readonly tokens: TokenService;
  private readonly preset: HostedPreset;
  private readonly quota: Quota | null;

  constructor(
    private readonly world: World,
    private readonly cfg: HostedConfig,
  ) {
    this.preset = cfg.preset;
    this.quota = cfg.quota;
    const preset = cfg.preset;
    const auth = preset.auth;
    this.needsToken = auth.scheme === 'bearer';
    this.basicAuth = auth.scheme === 'basic';
    this.tokenTtlS = tokenReuseS(auth);
    this.tokens = new TokenService(auth.rate, auth.processingS);
    // The WAN half-RTT sits on the endpoint link, so every path from it carries it once each way.
    this.endpoint = world.net.addLink(`${preset.id}:egress`, preset.endpointBps, preset.rttS / 2);
    this.registryLinks = [this.endpoint];
    if (cfg.endpoints === 'interface')
      for (const z of world.cluster.zones) this.vpce.push(world.net.addLink(`vpce:${preset.id}:${z}`, ENDPOINT_BPS, 0));
    this.limiter = this.quota ? new SlidingWindowLimiter(this.quota.limit, this.quota.windowS) : null;
  }

  /**
   * Cold caches behind per-zone NAT gateways: each zone's gateway fills with its nodes' pulls (whole
   * layers, or lazy range reads), and the zones' flows share this endpoint (1,000 Gbit/s, never full), so
   * they were one component with a bottleneck per gateway that share groups do not carry — every event
   * re-solved every flow (multi-zone-nat's per-zone variant cold at 1,000 nodes: 19.6 s; ecr-soci: 10.5 s).
   * The endpoint is covered by the gateways (every flow from it crosses one, and while they cannot
   * overfill it it is left out of the sharing), and the registry is metered over the gateways: only a
   * hosted endpoint routes through them. Cold caches only (19.6 s → 0.64 s at 1,000 nodes with staggered
   * starts): once any link is covered every flow pays the bookkeeping, so with warm caches, where only
   * deltas move, the endpoint is left alone (the warm seed's ECR variant would pay +13.7 % instructions;
   * a cold run whose gateways never fill pays ~10 % of wall time, Docker Hub at 1,000 nodes in lockstep,
   * for −4 % instructions). Interface endpoints and the S3 gateway endpoint route around the NAT
   * gateways: left alone.
   */
  coverEgress(coldCaches: boolean): readonly number[] | undefined {
    const { cluster, topo, net } = this.world;
    if (!coldCaches || cluster.egress !== 'nat' || topo.natGatewayCount < 2 || this.cfg.endpoints !== 'none') return undefined;
    const gateways = [...new Set(topo.natDownOfZone)];
    return net.declareCovered(this.endpoint, gateways) ? gateways : undefined;
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
    const route = this.routeFor(req);
    // The token service's FIFO: the request reaches it one way (plus handshakes) from now.
    const serviceS = req.kind === 'token' ? this.tokens.serve(w.sim.now + w.oneWay(route) * (1 + 2 * route.extraRtts)) : 0;
    w.get(req, route, done, serviceS);
  }

  private routeFor(req: FetchRequest): Route {
    const w = this.world;
    const cfg = this.cfg;
    const redirected = (req.kind === 'config' || req.kind === 'layer') && this.preset.blobRedirect;
    let extraRtts: number;
    if (req.kind === 'token') {
      extraRtts = connect(req.session, AUTH_HOST);
    } else if (redirected) {
      // The registry answers 307; the client follows it to the CDN / object store on its own connection.
      extraRtts = connect(req.session, REGISTRY_HOST) + 1 + connect(req.session, BLOB_HOST);
    } else extraRtts = connect(req.session, REGISTRY_HOST);
    // ECR's layer blobs come from S3: with a gateway endpoint they skip the NAT gateways (and are free).
    const viaGateway = redirected && cfg.endpoints !== 'none';
    // Performance: a route depends only on (node, gateway, extra round trips) — the token service's wait
    // goes to World.get per request — and World.get only reads it, so one object serves all such requests.
    const slot = extraRtts < ROUTE_RTT_SLOTS ? (req.node * 2 + (viaGateway ? 1 : 0)) * ROUTE_RTT_SLOTS + extraRtts : -1;
    if (slot >= 0) {
      const cached = this.routes[slot];
      if (cached !== undefined) return cached;
    }
    const { path, viaNat, crossZone, viaEndpoint } = viaGateway ? this.gatewayPath(req.node) : this.apiPath(req.node);
    const route: Route = {
      path,
      source: this.preset.id,
      extraRtts,
      serviceS: 0, // the token service's wait is passed per request (fetch)
      capBps: Math.min(this.preset.perConnectionBps, w.cluster.internetFlowCapBps),
      internet: !viaGateway && !viaEndpoint,
      viaNat,
      crossZone,
      gate: w.faults.gate('registry'),
    };
    if (viaEndpoint) route.viaEndpoint = true;
    if (cfg.location === 'cross-region') route.crossRegion = true;
    if (cfg.location === 'internet') route.ownEgress = true;
    if (slot >= 0) this.routes[slot] = route;
    return route;
  }

  /** The registry API: through the zone's interface endpoint, or over the internet (via NAT where the cluster has one). */
  private apiPath(node: number): { path: readonly number[]; viaNat: boolean; crossZone: boolean; viaEndpoint: boolean } {
    const topo = this.world.topo;
    if (this.vpce.length > 0) {
      const z = topo.nodeZone[node];
      return { path: topo.pathFromZone([this.endpoint, this.vpce[z]], z, node), viaNat: false, crossZone: false, viaEndpoint: true };
    }
    return { ...topo.pathFromInternet([this.endpoint], node), viaEndpoint: false };
  }

  /** A redirected blob through the S3 gateway endpoint: the route table sends it straight to S3. */
  private gatewayPath(node: number): { path: readonly number[]; viaNat: boolean; crossZone: boolean; viaEndpoint: boolean } {
    const topo = this.world.topo;
    const z = topo.nodeZone[node];
    return { path: topo.pathFromZone([this.endpoint], z, node), viaNat: false, crossZone: false, viaEndpoint: false };
  }

  addCosts(ledger: CostLedger): void {
    const p = this.preset;
    const prices = this.world.prices;
    if (p.storagePrice) ledger.addStorage('registry_storage', price(prices, p.storagePrice));
    // Same-region transfer at the preset's price; cross-region and internet egress are the ledger's flags.
    if (p.transferPrice && this.cfg.location === 'same-region') ledger.addPerByte('registry_transfer', price(prices, p.transferPrice), 'registry-egress');
    if (this.vpce.length > 0) {
      // ecr.api (the credential provider's GetAuthorizationToken) and ecr.dkr (the registry API), in every zone.
      ledger.addHours('vpc_endpoint_hours', price(prices, 'vpc_endpoint_hour'), 2 * this.vpce.length);
      ledger.addPerByte('vpc_endpoint_processing', price(prices, 'vpc_endpoint_processing'), 'endpoint');
    }
  }
}

export const hosted: DistributionModule<HostedConfig> = {
  kind: 'hosted',
  schema: HostedConfig,
  describe: (c) =>
    `hosted: ${c.location === 'same-region' ? c.preset.label : c.preset.label.replace(/ \(same (region|location)\)$/, '')}${c.plan ? ` (${c.plan})` : ''}${c.location !== 'same-region' ? `, ${c.location}` : ''}${
      c.endpoints !== 'none' ? `, ${c.endpoints} endpoint${c.endpoints === 'interface' ? 's' : ''}` : ''
    }`,
  // Behind the registry's outage gate (also when it is a mirror's upstream).
  create: (world, c) => gated(new HostedRuntime(world, c), world, 'registry'),
};
