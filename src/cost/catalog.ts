/**
 * The price catalog: every price the cost ledger uses, in base units, with its as-of date and source.
 * Figures come from ../shared/FACTS.md §4 where it has them; entries it lacks are marked `assumption`
 * so reports can show which numbers are sourced and which are ours. Any entry can be overridden from a
 * scenario's `prices:` section.
 */

export type PriceUnit = 'per-GB' | 'per-hour' | 'per-GB-month' | 'per-request';

export interface PriceEntry {
  id: string;
  /** Base units: $/byte for per-GB, $/second for per-hour, $/(byte·second) for per-GB-month, $/request for per-request. */
  value: number;
  unit: PriceUnit;
  /** The price as people quote it, e.g. "$0.045/GB". */
  display: string;
  asOf: string;
  source: string;
  /** Sourced from FACTS.md, or our own assumption where no source was retrieved. */
  basis: 'sourced' | 'assumption' | 'scenario';
  note?: string;
}

import { SECONDS_PER_MONTH } from '../scenario/units.ts';

const GB = 1e9;
const HOUR = 3600;

function perGB(id: string, dollars: number, asOf: string, source: string, note?: string): PriceEntry {
  return { id, value: dollars / GB, unit: 'per-GB', display: `$${dollars}/GB`, asOf, source, basis: 'sourced', note };
}
function perHour(id: string, dollars: number, asOf: string, source: string, note?: string): PriceEntry {
  return { id, value: dollars / HOUR, unit: 'per-hour', display: `$${dollars}/h`, asOf, source, basis: 'sourced', note };
}
function perGBMonth(id: string, dollars: number, asOf: string, source: string, note?: string): PriceEntry {
  return { id, value: dollars / GB / SECONDS_PER_MONTH, unit: 'per-GB-month', display: `$${dollars}/GB-month`, asOf, source, basis: 'sourced', note };
}
function perThousandRequests(id: string, dollars: number, asOf: string, source: string, note?: string): PriceEntry {
  return { id, value: dollars / 1000, unit: 'per-request', display: `$${dollars}/1000req`, asOf, source, basis: 'sourced', note };
}
function assumed(e: PriceEntry): PriceEntry {
  return { ...e, basis: 'assumption' };
}

/** The default catalog (AWS us-east-1 list prices unless noted). */
export const DEFAULT_PRICES: readonly PriceEntry[] = [
  perHour('nat_gateway_hour', 0.045, '2026', 'finopsforge.com; lucaraveri.com; cloudcostdown.eu (FACTS.md §4)'),
  perGB('nat_gateway_processing', 0.045, '2026', 'finopsforge.com; lucaraveri.com; cloudcostdown.eu (FACTS.md §4)'),
  perGB('cross_zone_each_way', 0.01, '2026-06', 'usage.ai data-transfer-costs (FACTS.md §4)',
    'charged on both sides: $0.02/GB per byte that crosses zones'),
  perGB('cross_region', 0.02, '2026', 'lucaraveri.com; cloudcostdown.eu (FACTS.md §4)', 'range $0.02–0.09 by region pair'),
  // Internet egress tiers per account and month (cost/egress.ts applies them).
  perGB('internet_egress_first_100gb', 0, '2026-06', 'usage.ai data-transfer-costs (FACTS.md §4)', 'first 100 GB a month free (per account)'),
  perGB('internet_egress', 0.09, '2026-06', 'usage.ai data-transfer-costs (FACTS.md §4)', '100 GB–10 TB tier'),
  perGB('internet_egress_next_40tb', 0.085, '2026-06', 'usage.ai data-transfer-costs (FACTS.md §4)', '10–50 TB tier'),
  perGB('internet_egress_next_100tb', 0.07, '2026-06', 'usage.ai data-transfer-costs (FACTS.md §4)', '50–150 TB tier'),
  perGB('internet_egress_over_150tb', 0.05, '2026-06', 'usage.ai data-transfer-costs (FACTS.md §4)', 'beyond 150 TB a month'),
  // Interface VPC endpoints (PrivateLink), e.g. ECR's ecr.api + ecr.dkr: per endpoint per AZ, plus per GB.
  perHour('vpc_endpoint_hour', 0.01, '2026', 'cloudcostdown.eu (FACTS.md §4)', 'derived: about $7.30 per AZ per month / 730 h, per endpoint'),
  perGB('vpc_endpoint_processing', 0.01, '2026', 'cloudcostdown.eu (FACTS.md §4)', 'breaks even with NAT at about 160 GB/month (same page)'),
  perGB('s3_gateway_endpoint', 0, '2026', 'finopsforge.com; techlama.blog (FACTS.md §4)', 'gateway endpoints are free'),
  perGBMonth('ecr_storage', 0.1, '2026-03', 'cloudburn.io/blog/amazon-ecr-pricing (FACTS.md §4)'),
  perGBMonth('artifact_registry_storage', 0.1, '2026', 'cloud.google.com/artifact-registry/pricing (FACTS.md §4)',
    'first 0.5 GB free (not modelled)'),
  perGB('ecr_same_region_transfer', 0, '2026-03', 'cloudburn.io (FACTS.md §4)'),
  perGB('artifact_registry_same_location_transfer', 0, '2026', 'cloud.google.com/artifact-registry/pricing (FACTS.md §4)'),
  assumed(perHour('registry_instance_hour', 0.192, '2026', 'not in FACTS.md',
    'on-demand m5.xlarge in us-east-1 as we remember it; set prices.registry_instance_hour for yours')),
  assumed(perGBMonth('block_storage', 0.08, '2026', 'not in FACTS.md',
    'EBS gp3 list price as we remember it; set prices.block_storage for yours')),
  // Object-store backends of a private registry (storage.ts).
  perGBMonth('s3_storage', 0.023, '2022', 'gist.github.com/EverettBerry (FACTS.md §4)', 'S3 Standard, first 50 TB'),
  perThousandRequests('s3_get_request', 0.0004, '2026', 'c3x.dev/blog/s3-request-fees-explained (FACTS.md §4)', 'GET/HEAD/SELECT, Standard'),
  perThousandRequests('s3_put_request', 0.005, '2026', 'c3x.dev/blog/s3-request-fees-explained (FACTS.md §4)', 'PUT/COPY/POST/LIST, Standard'),
  assumed(perGBMonth('azure_blob_storage', 0.0208, '2024-07-26', 'MicrosoftDocs azure-docs blob-storage-estimate-costs.md (FACTS.md §4)',
    'UNCERTAIN: the doc calls its prices fictitious examples; hot tier, first 50 TB')),
  assumed(perThousandRequests('azure_blob_read_op', 0.00044, '2024-07-26', 'MicrosoftDocs azure-docs blob-storage-estimate-costs.md (FACTS.md §4)',
    'UNCERTAIN: fictitious sample price ($0.0044 per 10k read operations)')),
  assumed(perThousandRequests('azure_blob_write_op', 0.0055, '2024-07-26', 'MicrosoftDocs azure-docs blob-storage-estimate-costs.md (FACTS.md §4)',
    'UNCERTAIN: fictitious sample price ($0.055 per 10k write operations)')),
  assumed(perGBMonth('gcs_storage', 0.02, '2026', 'not in FACTS.md', 'GCS Standard regional as we remember it')),
  assumed(perThousandRequests('gcs_class_b_request', 0.0004, '2026', 'not in FACTS.md', 'GCS Class B (reads) as we remember it')),
  assumed(perThousandRequests('gcs_class_a_request', 0.005, '2026', 'not in FACTS.md', 'GCS Class A (writes) as we remember it')),
  assumed(perGBMonth('nfs_storage', 0.3, '2026', 'not in FACTS.md', 'Amazon EFS Standard as we remember it; set prices.nfs_storage for yours')),
];

export type PriceCatalog = ReadonlyMap<string, PriceEntry>;

/** The ids each catalog's price() was asked for: the prices a variant's costing actually used. */
const consulted = new WeakMap<PriceCatalog, Set<string>>();

/** Price ids `catalog` was asked for so far, in catalog order. */
export function pricesUsed(catalog: PriceCatalog): string[] {
  const used = consulted.get(catalog);
  return used ? [...catalog.keys()].filter((id) => used.has(id)) : [];
}

export function buildCatalog(overrides: Readonly<Record<string, number>> = {}): PriceCatalog {
  const m = new Map<string, PriceEntry>();
  consulted.set(m, new Set());
  for (const e of DEFAULT_PRICES) m.set(e.id, e);
  for (const [id, value] of Object.entries(overrides)) {
    const base = m.get(id);
    if (!base) throw new Error(`internal: unknown price id ${id} passed validation`);
    m.set(id, { ...base, value, basis: 'scenario', source: 'scenario file', display: displayOf(base.unit, value) });
  }
  return m;
}

export function price(catalog: PriceCatalog, id: string): number {
  const e = catalog.get(id);
  if (!e) throw new Error(`internal: no price ${id} in the catalog`);
  consulted.get(catalog)?.add(id);
  return e.value;
}

function displayOf(unit: PriceUnit, value: number): string {
  switch (unit) {
    case 'per-GB':
      return `$${+(value * GB).toPrecision(6)}/GB`;
    case 'per-hour':
      return `$${+(value * HOUR).toPrecision(6)}/h`;
    case 'per-GB-month':
      return `$${+(value * GB * SECONDS_PER_MONTH).toPrecision(6)}/GB-month`;
    case 'per-request':
      return `$${+(value * 1000).toPrecision(6)}/1000req`;
  }
}

export const PRICE_IDS: readonly string[] = DEFAULT_PRICES.map((e) => e.id);
