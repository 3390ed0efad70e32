/**
 * Access control of a registry: how a pull authenticates (the 401 challenge, a bearer token from the
 * registry's token service, or Basic credentials from the kubelet's credential provider), how long a
 * token lives, and the token service's own capacity (a deterministic FIFO server, like a private
 * registry's request processor). Also what the report says about each strategy's access model and
 * signature support (report/assumptions.ts lists them with sources).
 */
import { z } from 'zod';
import { zDuration } from '../scenario/units.ts';

export interface AuthModel {
  /**
   * bearer: 401 challenge → GET a token from the token service → the authorised request (Docker Registry
   * v2 token authentication: Docker Hub, Quay, Harbor). basic: 401 challenge → the request again with
   * credentials the kubelet's credential provider holds (ECR, Artifact Registry). none: no auth round trips.
   */
  scheme: 'bearer' | 'basic' | 'none';
  /** How long a token or credential is valid, seconds. */
  tokenTtlS: number;
  /** Tokens per second the token service issues (Infinity: never the bottleneck). */
  rate: number;
  /** Server time per token, seconds. */
  processingS: number;
  /** per-pull: every pull fetches its own token (containerd's CRI makes a resolver per pull); lifetime: a node reuses it until it expires. */
  reuse: 'per-pull' | 'lifetime';
  /** The access-control model in words, with sources. */
  model: string;
  /** Signature support in words, with sources. */
  signing: string;
}

/** `auth:` overrides of a registry's access model. */
export const AuthConfig = z
  .strictObject({
    reuse: z
      .enum(['per-pull', 'lifetime'])
      .optional()
      .describe("per-pull: a token per pull (containerd's CRI, the default); lifetime: a node reuses its token until it expires"),
    tokenLifetime: zDuration.optional().describe('how long a token is valid'),
    rate: z.number().positive().optional().describe('tokens per second the token service issues'),
    processing: zDuration.optional().describe('token service time per token'),
  })
  .describe("the registry's token service: reuse, lifetime and capacity");
export type AuthConfig = z.output<typeof AuthConfig>;

export function withAuthOverrides(base: AuthModel, o: AuthConfig | undefined): AuthModel {
  if (!o) return base;
  return {
    ...base,
    reuse: o.reuse ?? base.reuse,
    tokenTtlS: o.tokenLifetime ?? base.tokenTtlS,
    rate: o.rate ?? base.rate,
    processingS: o.processing ?? base.processingS,
  };
}

/** Seconds a node may reuse a token for its next pulls (0: a token per pull). */
export function tokenReuseS(a: AuthModel): number {
  return a.scheme === 'bearer' && a.reuse === 'lifetime' ? a.tokenTtlS : 0;
}

/** A token service as a FIFO server of `rate` tokens/s: its state is one number, no events. */
export class TokenService {
  private freeAt = 0;
  issued = 0;

  constructor(
    readonly rate: number,
    readonly processingS: number,
  ) {}

  /** Server-side time of a token request that arrives at `arrival` (queueing + processing), seconds. */
  serve(arrival: number): number {
    this.issued++;
    if (this.rate === Infinity) return this.processingS;
    const start = Math.max(arrival, this.freeAt);
    this.freeAt = start + 1 / this.rate;
    return start - arrival + this.processingS;
  }
}

const SIGNING_OCI =
  'cosign stores a signature as an OCI image manifest + a simple-signing layer in the same repository (sigstore/cosign specs/SIGNATURE_SPEC.md; pulpproject.org cosign guide); Notation stores a signature manifest with a subject, found through the referrers API (notaryproject/specifications signature-specification.md)';

export const AUTH_PRESETS = {
  dockerhub: {
    scheme: 'bearer',
    tokenTtlS: 300,
    rate: Infinity,
    processingS: 0,
    reuse: 'per-pull',
    model:
      'Docker Registry v2 token auth: a 401 challenge, then a bearer token from auth.docker.io per pull; anonymous quotas key on the egress IP, authenticated ones on the account (FACTS.md §3b); token lifetime 300 s and an unbounded token service are assumptions',
    signing: `${SIGNING_OCI}; whether Docker Hub serves the referrers API is not sourced (assumption: yes). A cosign signature fetch is a manifest GET and so counts as a pull (derived from FACTS.md §3b)`,
  },
  ecr: {
    scheme: 'basic',
    tokenTtlS: 12 * 3600,
    rate: Infinity,
    processingS: 0,
    reuse: 'lifetime',
    model:
      "IAM: the kubelet's ECR credential provider holds a GetAuthorizationToken credential, \"valid for 12 hours\" (AWS ECR API reference), sent as Basic auth after the registry's 401 challenge: no token round trip per pull",
    signing: `${SIGNING_OCI}; AWS Signer signs with Notation (assumption, as AWS documents it)`,
  },
  'artifact-registry': {
    scheme: 'basic',
    tokenTtlS: 3600,
    rate: Infinity,
    processingS: 0,
    reuse: 'lifetime',
    model:
      "IAM: an OAuth access token of the node's service account (1 h lifetime, assumption) sent as Basic auth (oauth2accesstoken) after the 401 challenge",
    signing: `${SIGNING_OCI}; Binary Authorization attestations (assumption)`,
  },
  quay: {
    scheme: 'bearer',
    tokenTtlS: 300,
    rate: Infinity,
    processingS: 0,
    reuse: 'per-pull',
    model: 'Docker Registry v2 token auth with robot accounts or OAuth, a bearer token per pull (assumption: not in FACTS.md)',
    signing: `${SIGNING_OCI} (Quay support is an assumption)`,
  },
} as const satisfies Record<string, AuthModel>;

/** A private registry (CNCF distribution / Harbor) with token auth: the defaults, all assumptions. */
export const PRIVATE_TOKEN_AUTH: AuthModel = {
  scheme: 'bearer',
  tokenTtlS: 1800,
  rate: 500,
  processingS: 0.002,
  reuse: 'per-pull',
  model:
    "Docker Registry v2 token auth against the registry's own token server (Harbor core, docker_auth): 500 tokens/s, 2 ms each, 30 min lifetime (assumptions)",
  signing: `${SIGNING_OCI}; distribution and Harbor store both as OCI artifacts (assumption for the referrers API)`,
};

export const PRIVATE_NO_AUTH: AuthModel = {
  scheme: 'none',
  tokenTtlS: 0,
  rate: Infinity,
  processingS: 0,
  reuse: 'per-pull',
  model: 'no authentication: the registry is reachable only inside the cluster network (network policy is the access control)',
  signing: `${SIGNING_OCI}`,
};
