/**
 * Image signatures a node verifies before it runs an image (`images.signing`): each image version has a
 * signature in the registry, which the node fetches after the manifest and verifies before going on.
 *
 * - cosign: the signature is an OCI image in the same repository, tagged `sha256-<digest>.sig`: GET its
 *   manifest, then GET its simple-signing layer (sigstore/cosign specs/SIGNATURE_SPEC.md; the pulp
 *   project's example: a 305 B layer). A manifest GET counts as a Docker Hub pull (FACTS.md §3b).
 * - notation: the signature manifest names the image as its subject and is found through the referrers
 *   API: GET the referrers index, GET the signature manifest, GET the JWS envelope (notaryproject
 *   specifications: the example envelope with its certificate chain is 32,654 B). The referrers GET is taken
 *   not to count as a pull (assumption).
 * Sizes not in those examples (manifests, index) and the verify times are assumptions.
 */
import { z } from 'zod';
import { zDuration, zSize } from '../scenario/units.ts';
import type { RequestKind } from '../distribution/types.ts';

export interface SignatureRequest {
  kind: RequestKind;
  bytes: number;
}

export interface Signing {
  format: 'cosign' | 'notation';
  /** The requests a node makes for one image version's signature, in order. */
  requests: readonly SignatureRequest[];
  /** CPU time to verify it on the node, seconds. */
  verifyS: number;
}

export const SIGNING_PRESETS: Readonly<Record<Signing['format'], Signing>> = {
  cosign: {
    format: 'cosign',
    requests: [
      { kind: 'manifest', bytes: 800 },
      { kind: 'config', bytes: 305 },
    ],
    verifyS: 0.005,
  },
  notation: {
    format: 'notation',
    requests: [
      { kind: 'index', bytes: 600 },
      { kind: 'manifest', bytes: 1000 },
      { kind: 'config', bytes: 32654 },
    ],
    verifyS: 0.005,
  },
};

/**
 * Signature objects get digests of their own numbering (far below the lazy formats' −2l−2 / −2v−3, see
 * cluster/pull.ts), so a cache keyed by kind + digest never mixes them up with an image's own objects.
 */
export const signatureDigest = (version: number, i: number): number => -1e12 - 4 * version - i;

export const ImageSigning = z
  .union([
    z.enum(['none', 'cosign', 'notation']),
    z.strictObject({
      format: z.enum(['cosign', 'notation']),
      verify: zDuration.optional().describe('verify time on the node (assumption: 5 ms, an offline key or bundle check)'),
      signatureSize: zSize.optional().describe('bytes of the signature blob (cosign: 305 B, notation: 32,654 B with its certificate chain)'),
    }),
  ])
  .transform((s): Signing | null => {
    if (s === 'none') return null;
    const o = typeof s === 'string' ? { format: s } : s;
    const base = SIGNING_PRESETS[o.format];
    const verify = 'verify' in o ? o.verify : undefined;
    const size = 'signatureSize' in o ? o.signatureSize : undefined;
    const requests = base.requests.map((r, i) => (i === base.requests.length - 1 && size !== undefined ? { ...r, bytes: size } : r));
    return { format: base.format, requests, verifyS: verify ?? base.verifyS };
  })
  .describe('signatures the node fetches and verifies per image version: none (default), cosign or notation');
